// Dynamic programming: edit distance between pairs of 80-byte strings with
// a two-row table of 16-bit cells (narrow loads and stores), per round.
#include "bench.h"

#define LEN 80
BUFFER(u8, sa, LEN);
BUFFER(u8, sb, LEN);
BUFFER(unsigned short, prev, LEN + 1);
BUFFER(unsigned short, cur, LEN + 1);

static u32 distance(const u8 *a, u32 la, const u8 *b, u32 lb) {
    for (u32 j = 0; j <= lb; j++) prev[j] = (unsigned short)j;
    for (u32 i = 1; i <= la; i++) {
        cur[0] = (unsigned short)i;
        u8 ca = a[i - 1];
        for (u32 j = 1; j <= lb; j++) {
            u32 best = prev[j - 1] + (ca != b[j - 1]);
            u32 del = prev[j] + 1u, ins = cur[j - 1] + 1u;
            if (del < best) best = del;
            if (ins < best) best = ins;
            cur[j] = (unsigned short)best;
        }
        for (u32 j = 0; j <= lb; j++) prev[j] = cur[j];
    }
    return prev[lb];
}

EXPORT u32 RUN(u32 n) {
    u32 h = 0;
    for (u32 r = 0; r < n; r++) {
        u32 s = r * 747796405u + 1;
        // Small alphabets, b a mutated copy of a: distances stay interesting.
        for (u32 i = 0; i < LEN; i++) sa[i] = (u8)('a' + (lcg(&s) >> 28) % 4);
        for (u32 i = 0; i < LEN; i++) sb[i] = (lcg(&s) >> 29) ? sa[i] : (u8)('a' + (lcg(&s) >> 27) % 5);
        u32 la = LEN - (r & 7), lb = LEN - ((r >> 3) & 7);
        h = mix32(h, distance(sa, la, sb, lb));
        h = mix32(h, distance(sb, lb, sa, la / 2));
    }
    return h;
}
