// bzip2 (libbzip2 1.0.8 as vendored by bzip2-sys): compress a generated
// buffer with the Burrows-Wheeler block sorter at block sizes 9 and 3 (the
// one-shot BZ2_bzBuffToBuffCompress API), decompress each result (once
// with the small-memory decoder), check it is identical, and hash it.
//
// usage: bzip2_bench KIBIBYTES
#include <stdio.h>
#include <stdlib.h>

#include "bzlib.h"
#include "gen_data.h"

static uint32_t fnv(const unsigned char *p, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

int main(int argc, char **argv) {
    unsigned size = (unsigned)(argc > 1 ? atoi(argv[1]) : 256) * 1024;
    unsigned cap = size + size / 100 + 600;
    char *data = malloc(size), *packed = malloc(cap), *back = malloc(size);
    gen_data((unsigned char *)data, size, 2);
    printf("bzip2 %s, %u bytes in, hash %08x\n", BZ2_bzlibVersion(), size, fnv((unsigned char *)data, size));
    static const int blocks[] = {9, 3};
    for (int i = 0; i < 2; i++) {
        unsigned plen = cap;
        if (BZ2_bzBuffToBuffCompress(packed, &plen, data, size, blocks[i], 0, 30) != BZ_OK) return 2;
        for (int small = 0; small < 2; small++) {
            unsigned blen = size;
            if (BZ2_bzBuffToBuffDecompress(back, &blen, packed, plen, small, 0) != BZ_OK) return 3;
            if (blen != size || memcmp(back, data, size) != 0) {
                fprintf(stderr, "bzip2_bench: block size %d: round trip differs\n", blocks[i]);
                return 1;
            }
        }
        printf("block size %d00k: %u bytes, hash %08x\n", blocks[i], plen, fnv((unsigned char *)packed, plen));
    }
    free(data);
    free(packed);
    free(back);
    return 0;
}
