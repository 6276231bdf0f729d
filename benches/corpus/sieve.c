// Integer loops over memory: sieve of Eratosthenes over 64 KiB per round.
#include "bench.h"

#define LIMIT (1u << 16)
BUFFER(u8, composite, LIMIT);
static volatile u32 sieve_limit = LIMIT;

EXPORT u32 RUN(u32 n) {
    u32 h = 0;
    for (u32 r = 0; r < n; r++) {
        // A slightly different bound each round keeps the rounds honest.
        u32 lim = sieve_limit - (r * 7919u) % 1024u;
        for (u32 i = 0; i < lim; i++) composite[i] = 0;
        u32 count = 0, sum = 0;
        for (u32 i = 2; i < lim; i++) {
            if (composite[i]) continue;
            count++;
            sum += i;
            if ((u64)i * i >= lim) continue;
            for (u32 j = i * i; j < lim; j += i) composite[j] = 1;
        }
        h = mix32(mix32(h, count), sum);
    }
    return h;
}
