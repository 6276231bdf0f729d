// A hash map: open addressing with linear probing, 10000 inserts and 10000
// lookups (half hits) into 16384 slots per round.
#include "bench.h"

#define SLOTS (1u << 14)
#define KEYS 10000
BUFFER(u32, keys, SLOTS);
BUFFER(u32, vals, SLOTS);

static inline u32 hash(u32 k) {  // murmur3 finaliser
    k ^= k >> 16;
    k *= 0x85ebca6bu;
    k ^= k >> 13;
    k *= 0xc2b2ae35u;
    k ^= k >> 16;
    return k;
}

// Key 0 marks an empty slot, so keys are made odd.
static void insert(u32 k, u32 v) {
    u32 i = hash(k) & (SLOTS - 1);
    while (keys[i] != 0 && keys[i] != k) i = (i + 1) & (SLOTS - 1);
    if (keys[i] == k) {
        vals[i] += v;
    } else {
        keys[i] = k;
        vals[i] = v;
    }
}

static int lookup(u32 k, u32 *v) {
    u32 i = hash(k) & (SLOTS - 1);
    while (keys[i] != 0) {
        if (keys[i] == k) {
            *v = vals[i];
            return 1;
        }
        i = (i + 1) & (SLOTS - 1);
    }
    return 0;
}

EXPORT u32 RUN(u32 n) {
    u32 h = 0;
    for (u32 r = 0; r < n; r++) {
        for (u32 i = 0; i < SLOTS; i++) keys[i] = 0;
        u32 s = r + 12345;
        // Keys drawn from a small range so some repeat and get summed.
        for (u32 i = 0; i < KEYS; i++) insert((lcg(&s) % 50000u) | 1, i);
        u32 s1 = r + 12345, s2 = ~r;
        u32 found = 0, sum = 0;
        for (u32 i = 0; i < KEYS; i++) {
            u32 k = (i & 1) ? (lcg(&s1) % 50000u) | 1 : lcg(&s2) | 1;
            u32 v;
            if (lookup(k, &v)) {
                found++;
                sum += v ^ k;
            }
        }
        h = mix32(mix32(h, found), sum);
    }
    return h;
}
