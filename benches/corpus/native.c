// Native driver for computing expected checksums (build.sh): linked with one
// corpus program, prints `run(n)` for each n given on the command line.
#include <stdio.h>
#include <stdlib.h>

unsigned run(unsigned n);

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        unsigned n = (unsigned)strtoul(argv[i], 0, 10);
        printf("%u %u\n", n, run(n));
    }
    return 0;
}
