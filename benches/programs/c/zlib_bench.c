// zlib (the copy vendored by libz-sys): deflate a generated buffer at
// levels 1, 6 and 9 with the streaming API (deflateInit/deflate in 16 KiB
// chunks), inflate each result back, check it is identical, and checksum
// everything with crc32 and adler32.
//
// usage: zlib_bench KIBIBYTES
#include <stdio.h>
#include <stdlib.h>

#include "gen_data.h"
#include "zlib.h"

#define CHUNK 16384

static size_t deflate_buf(const unsigned char *in, size_t n, unsigned char *out, size_t cap, int level) {
    z_stream z = {0};
    if (deflateInit(&z, level) != Z_OK) exit(2);
    z.next_out = out;
    z.avail_out = (uInt)cap;
    size_t pos = 0;
    int flush;
    do {
        size_t take = n - pos < CHUNK ? n - pos : CHUNK;
        z.next_in = (unsigned char *)in + pos;
        z.avail_in = (uInt)take;
        pos += take;
        flush = pos == n ? Z_FINISH : Z_NO_FLUSH;
        if (deflate(&z, flush) == Z_STREAM_ERROR) exit(2);
    } while (flush != Z_FINISH);
    size_t out_len = z.total_out;
    deflateEnd(&z);
    return out_len;
}

static size_t inflate_buf(const unsigned char *in, size_t n, unsigned char *out, size_t cap) {
    z_stream z = {0};
    if (inflateInit(&z) != Z_OK) exit(2);
    z.next_in = (unsigned char *)in;
    z.avail_in = (uInt)n;
    size_t got = 0;
    int rc;
    do {  // inflate into CHUNK-sized windows of the output
        z.next_out = out + got;
        z.avail_out = (uInt)(cap - got < CHUNK ? cap - got : CHUNK);
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) exit(3);
        got = z.total_out;
    } while (rc != Z_STREAM_END);
    inflateEnd(&z);
    return got;
}

int main(int argc, char **argv) {
    size_t size = (size_t)(argc > 1 ? atoi(argv[1]) : 256) * 1024;
    unsigned char *data = malloc(size), *packed = malloc(size + size / 8 + 1024), *back = malloc(size);
    gen_data(data, size, 1);
    printf("zlib %s, %zu bytes in, crc32 %08lx, adler32 %08lx\n", zlibVersion(), size,
           crc32(0, data, (uInt)size), adler32(1, data, (uInt)size));
    static const int levels[] = {1, 6, 9};
    for (int i = 0; i < 3; i++) {
        size_t plen = deflate_buf(data, size, packed, size + size / 8 + 1024, levels[i]);
        size_t blen = inflate_buf(packed, plen, back, size);
        if (blen != size || memcmp(back, data, size) != 0) {
            fprintf(stderr, "zlib_bench: level %d: round trip differs\n", levels[i]);
            return 1;
        }
        printf("level %d: %zu bytes, crc32 of the stream %08lx\n", levels[i], plen, crc32(0, packed, (uInt)plen));
    }
    free(data);
    free(packed);
    free(back);
    return 0;
}
