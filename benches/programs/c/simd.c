// 128-bit SIMD (wasm simd128) kernels, each written twice: with the
// intrinsics of wasm_simd128.h (built with -msimd128) and as the portable
// scalar code a native build without SIMD runs instead (#ifndef
// __wasm_simd128__), doing the same operations in the same order, so the
// native build prints exactly what the wasm build prints. Plain loops that
// both builds share are left for the compiler to vectorise (clang -O2
// -msimd128 does).
//  1. image: a separable 5-tap Gaussian blur ([1 4 6 4 1]^2 / 256) of an
//     8-bit grayscale image (u8 loads widened to u16, adds, shifts), an
//     unsharp mask narrowed to u8 with saturation, a plain-loop 3x3 box blur;
//  2. f32: dot products (four f32x4 accumulators, a fixed horizontal sum),
//     a plain-loop saxpy, power iteration with a 64x64 matrix-vector
//     product (splat and multiply-add by columns), sqrt, div, quantization
//     with i32x4.trunc_sat;
//  3. text: strlen and memchr (i8x16.eq, i8x16.bitmask, ctz), counting a
//     byte, counting words, counting substrings (first/last byte filter),
//     a plain-loop toupper and byte sum;
//  4. integers: RGBA to gray with i8x16.shuffle, posterizing through an
//     i8x16.swizzle table, and a block-matching motion search by sums of
//     absolute differences (saturating subtracts, extadd_pairwise).
// No floating-point result depends on evaluation order: both builds use
// -ffp-contract=off and the same association.
//
// usage: simd ROUNDS
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

static uint32_t fnv(uint32_t h, uint32_t v) { return (h ^ v) * 16777619u; }

static uint32_t rng_state = 0x9e3779b9u;
static uint32_t rng(void) {  // xorshift32
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static uint32_t f32_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

// ------------------------------------------------------------------ image

#define W 256             // output width (a multiple of 16)
#define H 192             // output height
#define PAD 2             // replicated border for the 5-tap filter
#define STRIDE (W + 2 * PAD + 12)  // 272: rows of the padded image
#define PH (H + 2 * PAD)

static uint8_t img[PH * STRIDE];   // padded input
static uint16_t tmp[PH * W];       // horizontal pass
static uint8_t blur[H * W];
static uint8_t sharp[H * W];
static uint8_t box[H * W];

static uint8_t *pix(int x, int y) { return &img[(y + PAD) * STRIDE + x + PAD]; }

static void pad_borders(void) {
    for (int y = 0; y < H; y++) {
        uint8_t *r = pix(0, y);
        r[-1] = r[-2] = r[0];
        r[W] = r[W + 1] = r[W - 1];
    }
    for (int k = 1; k <= PAD; k++) {
        memcpy(&img[(PAD - k) * STRIDE], &img[PAD * STRIDE], STRIDE);
        memcpy(&img[(PAD + H - 1 + k) * STRIDE], &img[(PAD + H - 1) * STRIDE], STRIDE);
    }
}

static void gen_image(void) {
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int v = ((x * 3 + y * 5) & 255) / 2 + ((x / 16 + y / 16) & 1) * 64 + (int)(rng() & 63);
            *pix(x, y) = (uint8_t)(v > 255 ? 255 : v);
        }
    pad_borders();
}

#ifdef __wasm_simd128__
// 1*a + 4*b + 6*c + 4*d + 1*e in u16 lanes
static v128_t taps5(v128_t a, v128_t b, v128_t c, v128_t d, v128_t e) {
    v128_t bd = wasm_i16x8_add(b, d);
    v128_t s = wasm_i16x8_add(a, e);
    s = wasm_i16x8_add(s, wasm_i16x8_shl(bd, 2));
    s = wasm_i16x8_add(s, wasm_i16x8_shl(c, 2));
    return wasm_i16x8_add(s, wasm_i16x8_shl(c, 1));
}

static void gauss_h(void) {
    for (int y = 0; y < PH; y++) {
        const uint8_t *r = &img[y * STRIDE];
        uint16_t *t = &tmp[y * W];
        for (int x = 0; x < W; x += 16) {
            v128_t a = wasm_v128_load(r + x), b = wasm_v128_load(r + x + 1), c = wasm_v128_load(r + x + 2),
                   d = wasm_v128_load(r + x + 3), e = wasm_v128_load(r + x + 4);
            v128_t lo = taps5(wasm_u16x8_extend_low_u8x16(a), wasm_u16x8_extend_low_u8x16(b),
                              wasm_u16x8_extend_low_u8x16(c), wasm_u16x8_extend_low_u8x16(d),
                              wasm_u16x8_extend_low_u8x16(e));
            v128_t hi = taps5(wasm_u16x8_extend_high_u8x16(a), wasm_u16x8_extend_high_u8x16(b),
                              wasm_u16x8_extend_high_u8x16(c), wasm_u16x8_extend_high_u8x16(d),
                              wasm_u16x8_extend_high_u8x16(e));
            wasm_v128_store(t + x, lo);
            wasm_v128_store(t + x + 8, hi);
        }
    }
}

// vertical pass, (sum + 128) >> 8, then the unsharp mask 2*orig - blur
// narrowed to u8 with saturation
static void gauss_v(void) {
    const v128_t round = wasm_i16x8_splat(128);
    for (int y = 0; y < H; y++) {
        const uint16_t *t = &tmp[y * W];
        for (int x = 0; x < W; x += 16) {
            v128_t out[2];
            for (int h = 0; h < 2; h++) {
                const uint16_t *p = t + x + 8 * h;
                v128_t s = taps5(wasm_v128_load(p), wasm_v128_load(p + W), wasm_v128_load(p + 2 * W),
                                 wasm_v128_load(p + 3 * W), wasm_v128_load(p + 4 * W));
                out[h] = wasm_u16x8_shr(wasm_i16x8_add(s, round), 8);
            }
            wasm_v128_store(&blur[y * W + x], wasm_u8x16_narrow_i16x8(out[0], out[1]));
            v128_t o = wasm_v128_load(pix(x, y));
            v128_t olo = wasm_u16x8_extend_low_u8x16(o), ohi = wasm_u16x8_extend_high_u8x16(o);
            v128_t slo = wasm_i16x8_sub(wasm_i16x8_add(olo, olo), out[0]);
            v128_t shi = wasm_i16x8_sub(wasm_i16x8_add(ohi, ohi), out[1]);
            wasm_v128_store(&sharp[y * W + x], wasm_u8x16_narrow_i16x8(slo, shi));
        }
    }
}
#else
static void gauss_h(void) {
    for (int y = 0; y < PH; y++) {
        const uint8_t *r = &img[y * STRIDE];
        uint16_t *t = &tmp[y * W];
        for (int x = 0; x < W; x++)
            t[x] = (uint16_t)(r[x] + r[x + 4] + 4 * (r[x + 1] + r[x + 3]) + 6 * r[x + 2]);
    }
}

static uint8_t sat_u8(int v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

static void gauss_v(void) {
    for (int y = 0; y < H; y++) {
        const uint16_t *t = &tmp[y * W];
        for (int x = 0; x < W; x++) {
            int s = t[x] + t[x + 4 * W] + 4 * (t[x + W] + t[x + 3 * W]) + 6 * t[x + 2 * W];
            int b = (s + 128) >> 8;
            blur[y * W + x] = (uint8_t)b;
            sharp[y * W + x] = sat_u8(2 * *pix(x, y) - b);
        }
    }
}
#endif

// plain loops (vectorised by the compiler)
static void box3(void) {
    for (int y = 0; y < H; y++) {
        const uint8_t *a = pix(0, y - 1), *b = pix(0, y), *c = pix(0, y + 1);
        uint8_t *o = &box[y * W];
        for (int x = 0; x < W; x++) {
            uint32_t s = (uint32_t)a[x - 1] + a[x] + a[x + 1] + b[x - 1] + b[x] + b[x + 1] + c[x - 1] + c[x] + c[x + 1];
            o[x] = (uint8_t)((s * 7282u + 32768u) >> 16);  // s / 9
        }
    }
}

static void feed_back(void) {  // next input: the average of input and sharpened
    for (int y = 0; y < H; y++) {
        uint8_t *r = pix(0, y);
        const uint8_t *s = &sharp[y * W];
        for (int x = 0; x < W; x++) r[x] = (uint8_t)((r[x] + s[x] + 1) >> 1);
    }
    pad_borders();
}

static uint32_t plane_hash(const uint8_t *p) {
    uint32_t h = 2166136261u;
    for (int y = 0; y < H; y++) {
        uint32_t s = 0, w = 0;
        for (int x = 0; x < W; x++) {
            s += p[y * W + x];
            w += (uint32_t)p[y * W + x] * (uint32_t)(x + 1);
        }
        h = fnv(fnv(h, s), w);
    }
    return h;
}

// -------------------------------------------------------------------- f32

#define N 4096
#define M 64

static float va[N], vb[N];
static float mat[M * M];  // column-major
static float vx[M], vy[M];

#ifdef __wasm_simd128__
static float hsum(v128_t s) {
    s = wasm_f32x4_add(s, wasm_i32x4_shuffle(s, s, 2, 3, 0, 1));
    s = wasm_f32x4_add(s, wasm_i32x4_shuffle(s, s, 1, 0, 3, 2));
    return wasm_f32x4_extract_lane(s, 0);
}

static float dot(const float *a, const float *b, int n) {
    v128_t acc0 = wasm_f32x4_splat(0), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    for (int i = 0; i < n; i += 16) {
        acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
        acc1 = wasm_f32x4_add(acc1, wasm_f32x4_mul(wasm_v128_load(a + i + 4), wasm_v128_load(b + i + 4)));
        acc2 = wasm_f32x4_add(acc2, wasm_f32x4_mul(wasm_v128_load(a + i + 8), wasm_v128_load(b + i + 8)));
        acc3 = wasm_f32x4_add(acc3, wasm_f32x4_mul(wasm_v128_load(a + i + 12), wasm_v128_load(b + i + 12)));
    }
    return hsum(wasm_f32x4_add(wasm_f32x4_add(acc0, acc1), wasm_f32x4_add(acc2, acc3)));
}

static void matvec(const float *m, const float *x, float *y) {  // y = m x, by columns
    v128_t acc[M / 4];
    for (int i = 0; i < M / 4; i++) acc[i] = wasm_f32x4_splat(0);
    for (int j = 0; j < M; j++) {
        v128_t xj = wasm_v128_load32_splat(&x[j]);
        const float *col = &m[j * M];
        for (int i = 0; i < M / 4; i++) acc[i] = wasm_f32x4_add(acc[i], wasm_f32x4_mul(wasm_v128_load(col + 4 * i), xj));
    }
    for (int i = 0; i < M / 4; i++) wasm_v128_store(&y[4 * i], acc[i]);
}

static void scale(float *x, const float *y, float d, int n) {  // x = y / d
    v128_t vd = wasm_f32x4_splat(d);
    for (int i = 0; i < n; i += 4) wasm_v128_store(x + i, wasm_f32x4_div(wasm_v128_load(y + i), vd));
}

static float vsqrt(float f) { return wasm_f32x4_extract_lane(wasm_f32x4_sqrt(wasm_f32x4_splat(f)), 0); }

static uint32_t quantize(const float *x, int n, float k) {  // hash of trunc_sat(x * k)
    v128_t vk = wasm_f32x4_splat(k), h = wasm_i32x4_splat(0);
    for (int i = 0; i < n; i += 4) {
        v128_t q = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_mul(wasm_v128_load(x + i), vk));
        h = wasm_i32x4_add(wasm_i32x4_mul(h, wasm_i32x4_splat(31)), q);
    }
    return fnv(fnv(fnv(fnv(0, wasm_i32x4_extract_lane(h, 0)), wasm_i32x4_extract_lane(h, 1)),
                   wasm_i32x4_extract_lane(h, 2)), wasm_i32x4_extract_lane(h, 3));
}
#else
static float dot(const float *a, const float *b, int n) {
    float acc[16] = {0};
    for (int i = 0; i < n; i += 16)
        for (int k = 0; k < 16; k++) acc[k] = acc[k] + a[i + k] * b[i + k];
    float s[4], t[2];
    for (int l = 0; l < 4; l++) s[l] = (acc[l] + acc[4 + l]) + (acc[8 + l] + acc[12 + l]);
    t[0] = s[0] + s[2];
    t[1] = s[1] + s[3];
    return t[0] + t[1];
}

static void matvec(const float *m, const float *x, float *y) {
    for (int i = 0; i < M; i++) y[i] = 0;
    for (int j = 0; j < M; j++)
        for (int i = 0; i < M; i++) y[i] = y[i] + m[j * M + i] * x[j];
}

static void scale(float *x, const float *y, float d, int n) {
    for (int i = 0; i < n; i++) x[i] = y[i] / d;
}

static float vsqrt(float f) { return __builtin_sqrtf(f); }

static int32_t trunc_sat(float f) {
    if (f != f) return 0;
    if (f >= 2147483648.0f) return INT32_MAX;
    if (f < -2147483648.0f) return INT32_MIN;
    return (int32_t)f;
}

static uint32_t quantize(const float *x, int n, float k) {
    uint32_t h[4] = {0};
    for (int i = 0; i < n; i += 4)
        for (int l = 0; l < 4; l++) h[l] = h[l] * 31u + (uint32_t)trunc_sat(x[i + l] * k);
    return fnv(fnv(fnv(fnv(0, h[0]), h[1]), h[2]), h[3]);
}
#endif

static void saxpy(float *y, const float *x, float a, float b, int n) {  // y = b*y + a*x, plain loop
    for (int i = 0; i < n; i++) y[i] = b * y[i] + a * x[i];
}

static float small_float(void) { return (float)((int)(rng() % 2001) - 1000) * 0.001f; }

static void gen_floats(void) {
    for (int i = 0; i < N; i++) va[i] = small_float();
    for (int i = 0; i < N; i++) vb[i] = small_float();
    for (int i = 0; i < M * M; i++) mat[i] = small_float();
    for (int i = 0; i < M; i++) mat[i * M + i] += 4.0f;  // a dominant eigenvalue near 4
    for (int i = 0; i < M; i++) vx[i] = 1.0f;
}

// ------------------------------------------------------------------- text

#define TEXT (1 << 16)
static char text[TEXT + 64];   // NUL-terminated, zero padding for 16-byte loads
static char upper[TEXT + 64];
static int text_len;

static const char *vocab[] = {"the", "vector", "lane", "shuffle", "swizzle", "load", "store", "splat",
                              "bitmask", "saturate", "narrow", "widen", "pairwise", "extract", "the end",
                              "of", "a", "in", "simd", "wasm"};
#define NVOCAB (int)(sizeof vocab / sizeof vocab[0])

static void gen_text(void) {
    int n = 0;
    while (n < TEXT - 40) {
        const char *w = vocab[rng() % NVOCAB];
        size_t l = strlen(w);
        memcpy(text + n, w, l);
        n += (int)l;
        uint32_t r = rng() % 16;
        text[n++] = r == 0 ? '\n' : r == 1 ? ',' : ' ';
        if (r == 2) text[n++] = ' ';
    }
    text_len = n;
    memset(text + n, 0, sizeof text - (size_t)n);
}

#ifdef __wasm_simd128__
static int simd_strlen(const char *s) {
    // s may be unaligned; the buffer has 16 readable bytes past the NUL
    for (int i = 0;; i += 16) {
        uint32_t m = wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(s + i), wasm_i8x16_splat(0)));
        if (m) return i + __builtin_ctz(m);
    }
}

static const char *simd_memchr(const char *s, char c, int n) {
    v128_t vc = wasm_i8x16_splat(c);
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        uint32_t m = wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(s + i), vc));
        if (m) return s + i + __builtin_ctz(m);
    }
    for (; i < n; i++)
        if (s[i] == c) return s + i;
    return NULL;
}

static int count_byte(const char *s, char c, int n) {  // eq lanes are -1: subtract them, flush before 255
    v128_t vc = wasm_i8x16_splat(c);
    int total = 0, i = 0;
    while (i + 16 <= n) {
        v128_t acc = wasm_i8x16_splat(0);
        for (int k = 0; k < 255 && i + 16 <= n; k++, i += 16)
            acc = wasm_i8x16_sub(acc, wasm_i8x16_eq(wasm_v128_load(s + i), vc));
        v128_t s16 = wasm_u16x8_extadd_pairwise_u8x16(acc);
        v128_t s32 = wasm_u32x4_extadd_pairwise_u16x8(s16);
        total += wasm_i32x4_extract_lane(s32, 0) + wasm_i32x4_extract_lane(s32, 1) +
                 wasm_i32x4_extract_lane(s32, 2) + wasm_i32x4_extract_lane(s32, 3);
    }
    for (; i < n; i++) total += s[i] == c;
    return total;
}

static int count_words(const char *s, int n) {  // starts of runs of non-blanks
    int words = 0;
    uint32_t prev_blank = 1;
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        v128_t v = wasm_v128_load(s + i);
        v128_t blank = wasm_v128_or(wasm_v128_or(wasm_i8x16_eq(v, wasm_i8x16_splat(' ')), wasm_i8x16_eq(v, wasm_i8x16_splat('\n'))),
                                    wasm_i8x16_eq(v, wasm_i8x16_splat(',')));
        uint32_t b = wasm_i8x16_bitmask(blank);
        uint32_t starts = ~b & ((b << 1) | prev_blank) & 0xffff;
        words += __builtin_popcount(starts);
        prev_blank = b >> 15;
    }
    for (; i < n; i++) {
        uint32_t b = s[i] == ' ' || s[i] == '\n' || s[i] == ',';
        words += !b && prev_blank;
        prev_blank = b;
    }
    return words;
}

static int count_substr(const char *h, int n, const char *needle) {
    int k = (int)strlen(needle), count = 0, i = 0;
    if (k == 1) return count_byte(h, needle[0], n);
    v128_t first = wasm_i8x16_splat(needle[0]), last = wasm_i8x16_splat(needle[k - 1]);
    for (; i + k - 1 + 16 <= n; i += 16) {
        v128_t eq = wasm_v128_and(wasm_i8x16_eq(wasm_v128_load(h + i), first),
                                  wasm_i8x16_eq(wasm_v128_load(h + i + k - 1), last));
        for (uint32_t m = wasm_i8x16_bitmask(eq); m; m &= m - 1)
            if (memcmp(h + i + __builtin_ctz(m) + 1, needle + 1, (size_t)(k - 2)) == 0) count++;
    }
    for (; i + k <= n; i++) count += memcmp(h + i, needle, (size_t)k) == 0;
    return count;
}
#else
static int simd_strlen(const char *s) {
    int i = 0;
    while (s[i]) i++;
    return i;
}

static const char *simd_memchr(const char *s, char c, int n) {
    for (int i = 0; i < n; i++)
        if (s[i] == c) return s + i;
    return NULL;
}

static int count_byte(const char *s, char c, int n) {
    int total = 0;
    for (int i = 0; i < n; i++) total += s[i] == c;
    return total;
}

static int count_words(const char *s, int n) {
    int words = 0, prev_blank = 1;
    for (int i = 0; i < n; i++) {
        int b = s[i] == ' ' || s[i] == '\n' || s[i] == ',';
        words += !b && prev_blank;
        prev_blank = b;
    }
    return words;
}

static int count_substr(const char *h, int n, const char *needle) {
    int k = (int)strlen(needle), count = 0;
    for (int i = 0; i + k <= n; i++) count += memcmp(h + i, needle, (size_t)k) == 0;
    return count;
}
#endif

// plain loops (vectorised by the compiler)
static void to_upper(char *dst, const char *src, int n) {
    for (int i = 0; i < n; i++) {
        char c = src[i];
        dst[i] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
    }
}

static uint32_t byte_sum(const char *s, int n) {
    uint32_t a = 0;
    for (int i = 0; i < n; i++) a += (uint8_t)s[i];
    return a;
}

// --------------------------------------------------------------- integers

#define RGBA_PX (128 * 128)
static uint8_t rgba[RGBA_PX * 4];
static uint8_t gray[RGBA_PX];
static uint8_t poster[RGBA_PX];
static const uint8_t levels[16] = {0, 9, 20, 33, 48, 65, 84, 105, 128, 151, 172, 191, 208, 223, 236, 255};

static void gen_rgba(void) {
    for (int i = 0; i < RGBA_PX * 4; i++) rgba[i] = (uint8_t)(rng() >> 24);
}

#ifdef __wasm_simd128__
static void to_gray(void) {  // (77 R + 150 G + 29 B + 128) >> 8, 16 pixels at a time
    const v128_t wr = wasm_i16x8_splat(77), wg = wasm_i16x8_splat(150), wb = wasm_i16x8_splat(29);
    const v128_t round = wasm_i16x8_splat(128);
    for (int p = 0; p < RGBA_PX; p += 16) {
        const uint8_t *q = &rgba[p * 4];
        v128_t v0 = wasm_v128_load(q), v1 = wasm_v128_load(q + 16), v2 = wasm_v128_load(q + 32),
               v3 = wasm_v128_load(q + 48);
        // [R0..R7 G0..G7], [B0..B7 A0..A7] of pixels 0-7, then of 8-15
        v128_t rg0 = wasm_i8x16_shuffle(v0, v1, 0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29);
        v128_t ba0 = wasm_i8x16_shuffle(v0, v1, 2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15, 19, 23, 27, 31);
        v128_t rg1 = wasm_i8x16_shuffle(v2, v3, 0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29);
        v128_t ba1 = wasm_i8x16_shuffle(v2, v3, 2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15, 19, 23, 27, 31);
        v128_t r = wasm_i64x2_shuffle(rg0, rg1, 0, 2), g = wasm_i64x2_shuffle(rg0, rg1, 1, 3);
        v128_t b = wasm_i64x2_shuffle(ba0, ba1, 0, 2);
        v128_t lo = wasm_i16x8_add(wasm_i16x8_add(wasm_i16x8_mul(wasm_u16x8_extend_low_u8x16(r), wr),
                                                  wasm_i16x8_mul(wasm_u16x8_extend_low_u8x16(g), wg)),
                                   wasm_i16x8_add(wasm_i16x8_mul(wasm_u16x8_extend_low_u8x16(b), wb), round));
        v128_t hi = wasm_i16x8_add(wasm_i16x8_add(wasm_i16x8_mul(wasm_u16x8_extend_high_u8x16(r), wr),
                                                  wasm_i16x8_mul(wasm_u16x8_extend_high_u8x16(g), wg)),
                                   wasm_i16x8_add(wasm_i16x8_mul(wasm_u16x8_extend_high_u8x16(b), wb), round));
        wasm_v128_store(&gray[p], wasm_u8x16_narrow_i16x8(wasm_u16x8_shr(lo, 8), wasm_u16x8_shr(hi, 8)));
    }
}

static void posterize(void) {  // 16 levels: a table lookup per byte with swizzle
    const v128_t lut = wasm_v128_load(levels);
    for (int p = 0; p < RGBA_PX; p += 16)
        wasm_v128_store(&poster[p], wasm_i8x16_swizzle(lut, wasm_u8x16_shr(wasm_v128_load(&gray[p]), 4)));
}

static uint32_t sad16(const uint8_t *a, int astride, const uint8_t *b, int bstride) {  // 16x16 block
    v128_t acc = wasm_i16x8_splat(0);
    for (int y = 0; y < 16; y++) {
        v128_t va = wasm_v128_load(a + y * astride), vb = wasm_v128_load(b + y * bstride);
        v128_t d = wasm_v128_or(wasm_u8x16_sub_sat(va, vb), wasm_u8x16_sub_sat(vb, va));
        acc = wasm_i16x8_add(acc, wasm_u16x8_extadd_pairwise_u8x16(d));
    }
    v128_t s = wasm_u32x4_extadd_pairwise_u16x8(acc);
    s = wasm_i32x4_add(s, wasm_i32x4_shuffle(s, s, 2, 3, 0, 1));
    s = wasm_i32x4_add(s, wasm_i32x4_shuffle(s, s, 1, 0, 3, 2));
    return (uint32_t)wasm_i32x4_extract_lane(s, 0);
}
#else
static void to_gray(void) {
    for (int p = 0; p < RGBA_PX; p++) {
        const uint8_t *q = &rgba[p * 4];
        gray[p] = (uint8_t)((77 * q[0] + 150 * q[1] + 29 * q[2] + 128) >> 8);
    }
}

static void posterize(void) {
    for (int p = 0; p < RGBA_PX; p++) poster[p] = levels[gray[p] >> 4];
}

static uint32_t sad16(const uint8_t *a, int astride, const uint8_t *b, int bstride) {
    uint32_t s = 0;
    for (int y = 0; y < 16; y++)
        for (int x = 0; x < 16; x++) {
            int d = a[y * astride + x] - b[y * bstride + x];
            s += (uint32_t)(d < 0 ? -d : d);
        }
    return s;
}
#endif

// best match of each 16x16 block of blur within +-R pixels in img
#define R 4
static uint32_t motion_search(void) {
    uint32_t h = 2166136261u;
    for (int by = 8; by + 16 + 8 <= H; by += 24)
        for (int bx = 8; bx + 16 + 8 <= W; bx += 24) {
            uint32_t best = UINT32_MAX;
            int bdx = 0, bdy = 0;
            for (int dy = -R; dy <= R; dy++)
                for (int dx = -R; dx <= R; dx++) {
                    uint32_t s = sad16(&blur[by * W + bx], W, pix(bx + dx, by + dy), STRIDE);
                    if (s < best) best = s, bdx = dx, bdy = dy;
                }
            h = fnv(h, best * 81 + (uint32_t)((bdy + R) * 9 + bdx + R));
        }
    return h;
}

// plain loop: mean and energy of the gray image (integer reductions)
static uint32_t gray_stats(void) {
    uint32_t s = 0, s2 = 0;
    for (int p = 0; p < RGBA_PX; p++) {
        s += gray[p];
        s2 += (uint32_t)gray[p] * gray[p];
    }
    return fnv(s, s2);
}

// ------------------------------------------------------------------- main

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 1;
    gen_image();
    gen_floats();
    gen_text();
    gen_rgba();

    uint32_t h_img = 2166136261u, h_box = h_img, h_sad = h_img, h_f32 = h_img, h_txt = h_img, h_gray = h_img;
    float last_dot = 0, last_lambda = 0;
    int last_words = 0, last_count = 0;
    for (int r = 0; r < rounds; r++) {
        // image
        gauss_h();
        gauss_v();
        box3();
        h_sad = fnv(h_sad, motion_search());
        h_img = fnv(fnv(h_img, plane_hash(blur)), plane_hash(sharp));
        h_box = fnv(h_box, plane_hash(box));
        feed_back();

        // f32
        for (int k = 0; k < 8; k++) {
            float d = dot(va, vb, N);
            saxpy(vb, va, 0.015625f, 0.984375f, N);
            h_f32 = fnv(h_f32, f32_bits(d));
            last_dot = d;
        }
        for (int k = 0; k < 16; k++) {
            matvec(mat, vx, vy);
            float lambda = vsqrt(dot(vy, vy, M));
            scale(vx, vy, lambda, M);
            h_f32 = fnv(h_f32, f32_bits(lambda));
            last_lambda = lambda;
        }
        h_f32 = fnv(h_f32, quantize(vx, M, 32768.0f));
        h_f32 = fnv(h_f32, quantize(vb, N, 1048576.0f));
        mat[(r * 7) % (M * M)] += 0.0625f;

        // text
        int start = (r * 37) % 1024;
        int len = simd_strlen(text + start);
        const char *nl = simd_memchr(text + start, '\n', len);
        int lines = count_byte(text + start, '\n', len);
        int commas = count_byte(text, ',', text_len);
        int words = count_words(text + start, len);
        const char *needle = vocab[r % NVOCAB];
        int count = count_substr(text, text_len, needle);
        to_upper(upper, text + start, len);
        int ucount = count_substr(upper, len, "THE ");
        h_txt = fnv(h_txt, (uint32_t)len);
        h_txt = fnv(h_txt, nl ? (uint32_t)(nl - text) : 0xffffffffu);
        h_txt = fnv(fnv(fnv(h_txt, (uint32_t)lines), (uint32_t)commas), (uint32_t)words);
        h_txt = fnv(fnv(fnv(h_txt, (uint32_t)count), (uint32_t)ucount), byte_sum(upper, len));
        text[(r * 131) % text_len] = 'a' + (char)(r % 26);  // a different text next round
        last_words = words;
        last_count = count;

        // integers
        to_gray();
        posterize();
        h_gray = fnv(fnv(h_gray, gray_stats()), byte_sum((const char *)poster, RGBA_PX));
        for (int k = 0; k < 64; k++) rgba[(r * 64 + k) * 97 % (RGBA_PX * 4)] ^= (uint8_t)(r + k);
    }

    printf("simd %d rounds\n", rounds);
    printf("image: blur/sharpen %08x box3 %08x motion %08x\n", (unsigned)h_img, (unsigned)h_box, (unsigned)h_sad);
    printf("f32: %08x dot %.6f (%08x) lambda %.6f (%08x)\n", (unsigned)h_f32, (double)last_dot,
           (unsigned)f32_bits(last_dot), (double)last_lambda, (unsigned)f32_bits(last_lambda));
    printf("text: %08x words %d needle %d\n", (unsigned)h_txt, last_words, last_count);
    printf("rgba: %08x\n", (unsigned)h_gray);
    return 0;
}
