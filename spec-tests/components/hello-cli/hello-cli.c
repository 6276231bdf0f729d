/* hello-cli: a WASI 0.2 command component (wasi:cli/run), built from C for
 * wasm32-wasi (preview1) and adapted with the preview1 *command* adapter.
 * Expects a preopened directory mounted at /data holding input.txt.
 * Deterministic output (directory listing is sorted). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* wasi:cli/exit's `exit` only carries ok/err, so `return 3` from main ends
 * with status 1. The unstable exit-with-code carries the number; it is
 * declared in wit/hello-cli.wit and embedded with `wasm-tools component embed`.
 * Built with -DHELLO_CLI_STABLE (hello-cli-stable.wasm) it uses only stable
 * WASI 0.2 and `fail` exits with status 1. */
#ifndef HELLO_CLI_STABLE
__attribute__((import_module("wasi:cli/exit@0.2.12"), import_name("exit-with-code")))
extern void wasi_cli_exit_with_code(int status_code);
#endif

static int cmp(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv) {
    int fail = 0;
    printf("hello from a component\n");
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++) {
        printf("arg[%d]=%s\n", i, argv[i]);
        if (strcmp(argv[i], "fail") == 0)
            fail = 1;
    }
    fprintf(stderr, "this line goes to stderr\n");
    const char *a = getenv("A");
    printf("env A=%s\n", a ? a : "(unset)");

    /* read /data/input.txt */
    FILE *f = fopen("/data/input.txt", "r");
    if (!f) {
        printf("cannot open /data/input.txt: %s\n", strerror(errno));
    } else {
        char buf[4096];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = 0;
        fclose(f);
        printf("input.txt (%zu bytes):\n%s", n, buf);
        if (n == 0 || buf[n - 1] != '\n')
            printf("\n");
    }

    /* list /data (sorted, without . and ..), before writing */
    DIR *d = opendir("/data");
    if (!d) {
        printf("cannot list /data: %s\n", strerror(errno));
    } else {
        char *names[256];
        int count = 0;
        struct dirent *e;
        while ((e = readdir(d)) != NULL && count < 256) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            names[count++] = strdup(e->d_name);
        }
        closedir(d);
        qsort(names, count, sizeof names[0], cmp);
        printf("listing /data (%d entries):\n", count);
        for (int i = 0; i < count; i++) {
            printf("  %s\n", names[i]);
            free(names[i]);
        }
    }

    /* write /data/output.txt and read it back */
    FILE *o = fopen("/data/output.txt", "w");
    if (!o) {
        printf("cannot write /data/output.txt: %s\n", strerror(errno));
    } else {
        fprintf(o, "written by hello-cli with %d args\n", argc - 1);
        fclose(o);
        FILE *r = fopen("/data/output.txt", "r");
        char buf[256];
        size_t n = r ? fread(buf, 1, sizeof buf - 1, r) : 0;
        buf[n] = 0;
        if (r)
            fclose(r);
        printf("wrote /data/output.txt: %s", buf);
    }

    if (fail) {
        printf("exiting with code 3\n");
        fflush(stdout);
        fflush(stderr);
#ifndef HELLO_CLI_STABLE
        wasi_cli_exit_with_code(3);
#endif
        return 3; /* through the adapter: exit(err), status 1 */
    }
    printf("done\n");
    return 0;
}
