// Args, environment, clocks, sleeping (poll_oneoff), randomness, stdin to
// stdout, stderr, and the exit code given as first argument.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) printf("arg: %s\n", argv[i]);
    const char *v = getenv("GREETING");
    printf("GREETING=%s\n", v ? v : "(unset)");
    printf("HOME=%s\n", getenv("HOME") ? getenv("HOME") : "(unset)");

    struct timespec a, b, r;
    clock_gettime(CLOCK_REALTIME, &a);
    printf("realtime after 2020: %d\n", a.tv_sec > 1577836800);
    printf("clock_getres ok: %d\n", clock_getres(CLOCK_MONOTONIC, &r) == 0 && (r.tv_sec > 0 || r.tv_nsec > 0));
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec nap = {0, 50 * 1000 * 1000};
    nanosleep(&nap, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    printf("slept at least 50ms: %d\n", ms >= 50);

    unsigned char rnd[32] = {0};
    arc4random_buf(rnd, sizeof rnd);
    int nonzero = 0;
    for (int i = 0; i < 32; i++) nonzero |= rnd[i];
    printf("random: %d\n", nonzero != 0);

    char buf[256];
    size_t total = 0, n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
        fwrite(buf, 1, n, stdout);
        total += n;
    }
    printf("stdin bytes: %zu\n", total);
    fprintf(stderr, "to stderr\n");
    return argc > 1 ? atoi(argv[1]) : 0;
}
