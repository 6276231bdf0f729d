// 64-bit integer math: Miller-Rabin primality tests (bases 2, 7, 61, exact
// below 2^32) with i64 multiply and remainder, over 1000 odd numbers per
// round.
#include "bench.h"

static u64 mulmod(u64 a, u64 b, u64 m) { return a * b % m; }  // a, b < m < 2^32

static u64 powmod(u64 b, u64 e, u64 m) {
    u64 r = 1;
    b %= m;
    while (e) {
        if (e & 1) r = mulmod(r, b, m);
        b = mulmod(b, b, m);
        e >>= 1;
    }
    return r;
}

static int witness(u64 a, u64 d, u32 s, u64 m) {
    u64 x = powmod(a, d, m);
    if (x == 1 || x == m - 1) return 0;
    for (u32 i = 1; i < s; i++) {
        x = mulmod(x, x, m);
        if (x == m - 1) return 0;
    }
    return 1;
}

static int is_prime(u32 n) {
    if (n < 2) return 0;
    if (n % 2 == 0) return n == 2;
    u64 d = n - 1;
    u32 s = 0;
    while ((d & 1) == 0) {
        d >>= 1;
        s++;
    }
    static const u32 bases[3] = {2, 7, 61};
    for (int i = 0; i < 3; i++) {
        if (bases[i] % n == 0) continue;
        if (witness(bases[i], d, s, n)) return 0;
    }
    return 1;
}

EXPORT u32 RUN(u32 n) {
    u32 h = 0;
    for (u32 r = 0; r < n; r++) {
        u32 start = 0xF0000001u - r * 2000u;
        u32 count = 0;
        u64 sum = 0;
        for (u32 k = 0; k < 1000; k++) {
            u32 c = start + 2 * k;
            if (is_prime(c)) {
                count++;
                sum += (u64)c * c;  // wraps mod 2^64: fine for a checksum
            }
        }
        h = mix32(mix32(mix32(h, count), (u32)sum), (u32)(sum >> 32));
    }
    return h;
}
