// Compressible test data for the compression programs: text-like lines
// built from a small vocabulary, numbers, and a sprinkle of random bytes.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static size_t gen_data(unsigned char *buf, size_t size, uint32_t seed) {
    static const char *vocab[] = {"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog",
                                  "compress", "stream", "window", "block", "huffman", "literal",
                                  "match", "distance", "checksum", "buffer"};
    uint32_t s = seed * 747796405u + 2891336453u;
    size_t len = 0;
    while (len < size) {
        char line[160];
        int n = 0;
        s = s * 1664525u + 1013904223u;
        int words = 4 + (int)(s >> 28);
        n += snprintf(line + n, sizeof line - (size_t)n, "%08u ", (unsigned)(len / 7));
        for (int w = 0; w < words; w++) {
            s = s * 1664525u + 1013904223u;
            n += snprintf(line + n, sizeof line - (size_t)n, "%s ", vocab[(s >> 16) % 18]);
        }
        s = s * 1664525u + 1013904223u;
        if ((s >> 24) < 40) {  // some incompressible bytes
            for (int k = 0; k < 12; k++) {
                s = s * 1664525u + 1013904223u;
                line[n++] = (char)(s >> 24);
            }
        }
        line[n++] = '\n';
        size_t take = (size_t)n < size - len ? (size_t)n : size - len;
        memcpy(buf + len, line, take);
        len += take;
    }
    return len;
}
