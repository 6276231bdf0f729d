// Bit mixing: SHA-256 (FIPS 180-4) of a 16 KiB message per round, each
// message derived from the previous digest.
#include "bench.h"

#define MSG_LEN 16384
BUFFER(u8, msg, MSG_LEN);

static const u32 K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline u32 rotr(u32 x, u32 k) { return (x >> k) | (x << (32 - k)); }

static void compress(u32 st[8], const u8 *p) {
    u32 w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (u32)p[4 * i] << 24 | (u32)p[4 * i + 1] << 16 | (u32)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        u32 s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        u32 s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    u32 a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6], h = st[7];
    for (int i = 0; i < 64; i++) {
        u32 t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        u32 t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g; g = f; f = e; e = d + t1;
        d = c; c = b; b = a; a = t1 + t2;
    }
    st[0] += a; st[1] += b; st[2] += c; st[3] += d;
    st[4] += e; st[5] += f; st[6] += g; st[7] += h;
}

// SHA-256 of p[0..len), len < 2^29.
static void sha256(const u8 *p, u32 len, u32 out[8]) {
    u32 st[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    u32 i = 0;
    for (; i + 64 <= len; i += 64) compress(st, p + i);
    u8 tail[128];
    u32 rest = len - i, total = rest + 9 <= 64 ? 64 : 128;
    for (u32 j = 0; j < total; j++) tail[j] = j < rest ? p[i + j] : 0;
    tail[rest] = 0x80;
    u64 bits = (u64)len * 8;
    for (int j = 0; j < 8; j++) tail[total - 1 - j] = (u8)(bits >> (8 * j));
    compress(st, tail);
    if (total == 128) compress(st, tail + 64);
    for (int j = 0; j < 8; j++) out[j] = st[j];
}

EXPORT u32 RUN(u32 n) {
    // Known answer (build.sh checks it): SHA-256("abc") starts ba7816bf.
    if (n == 0) {
        u32 abc[8];
        sha256((const u8 *)"abc", 3, abc);
        return abc[0];
    }
    u32 d[8] = {0};
    u32 h = 0;
    for (u32 r = 0; r < n; r++) {
        u32 s = d[0] ^ r;
        for (u32 i = 0; i < MSG_LEN; i++) msg[i] = (u8)(lcg(&s) >> 24);
        sha256(msg, MSG_LEN - (r & 63), d);
        for (int j = 0; j < 8; j++) h = mix32(h, d[j]);
    }
    return h;
}
