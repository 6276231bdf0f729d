// Number crunching with libm, in three parts:
//  1. f64: a small ray tracer (vectors as structs passed by value, spheres
//     and a plane, shadows, reflections, sqrt/pow/floor/tan), the image
//     quantized to 8-bit pixels and hashed;
//  2. f32: a synthesizer and filter chain (sinf/expf/tanhf oscillators and
//     envelopes, a biquad low-pass, a one-pole high-pass) quantized to
//     16-bit samples and hashed;
//  3. 64-bit integers: n! in 32-bit limbs with 64-bit products, printed in
//     decimal by repeated 64-bit division; splitmix64 and a Collatz search.
//
// usage: numeric ROUNDS
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t fnv(uint32_t h, uint32_t v) { return (h ^ v) * 16777619u; }

// ------------------------------------------------------------------ f64

typedef struct { double x, y, z; } Vec;

static Vec v(double x, double y, double z) { Vec r = {x, y, z}; return r; }
static Vec add(Vec a, Vec b) { return v(a.x + b.x, a.y + b.y, a.z + b.z); }
static Vec sub(Vec a, Vec b) { return v(a.x - b.x, a.y - b.y, a.z - b.z); }
static Vec mul(Vec a, double k) { return v(a.x * k, a.y * k, a.z * k); }
static Vec hadamard(Vec a, Vec b) { return v(a.x * b.x, a.y * b.y, a.z * b.z); }
static double dot(Vec a, Vec b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
static Vec norm(Vec a) { return mul(a, 1.0 / sqrt(dot(a, a))); }

typedef struct {
    Vec center;
    double radius;
    Vec color;
    double reflect, shine;
} Sphere;

static const Sphere spheres[] = {
    {{0, -0.2, 3}, 0.8, {0.9, 0.2, 0.2}, 0.3, 50},
    {{1.6, 0.1, 4}, 1.0, {0.2, 0.9, 0.3}, 0.5, 200},
    {{-1.7, 0.3, 4.5}, 1.1, {0.3, 0.4, 0.95}, 0.2, 10},
    {{0.3, 1.6, 5.5}, 0.6, {0.95, 0.9, 0.3}, 0.6, 500},
};
#define NSPHERES (int)(sizeof spheres / sizeof spheres[0])
static const Vec light = {-4, 6, -2};

// distance along the ray to the nearest hit; *which = sphere, -1 = plane, -2 = none
static double intersect(Vec o, Vec d, int *which) {
    double best = 1e30;
    *which = -2;
    for (int i = 0; i < NSPHERES; i++) {
        Vec oc = sub(o, spheres[i].center);
        double b = dot(oc, d);
        double c = dot(oc, oc) - spheres[i].radius * spheres[i].radius;
        double disc = b * b - c;
        if (disc < 0) continue;
        double s = sqrt(disc);
        double t = -b - s;
        if (t < 1e-6) t = -b + s;
        if (t > 1e-6 && t < best) {
            best = t;
            *which = i;
        }
    }
    if (d.y < -1e-9) {
        double t = (-1.0 - o.y) / d.y;  // the plane y = -1
        if (t > 1e-6 && t < best) {
            best = t;
            *which = -1;
        }
    }
    return best;
}

static Vec trace(Vec o, Vec d, int depth) {
    int which;
    double t = intersect(o, d, &which);
    if (which == -2) {
        double k = 0.5 * (d.y + 1);
        return v(0.6 + 0.4 * k, 0.7 + 0.3 * k, 1.0);
    }
    Vec p = add(o, mul(d, t));
    Vec n, base;
    double reflect, shine;
    if (which == -1) {
        n = v(0, 1, 0);
        int check = ((int)floor(p.x * 2) + (int)floor(p.z * 2)) & 1;
        base = check ? v(0.9, 0.9, 0.9) : v(0.15, 0.15, 0.15);
        reflect = 0.25;
        shine = 20;
    } else {
        n = norm(sub(p, spheres[which].center));
        base = spheres[which].color;
        reflect = spheres[which].reflect;
        shine = spheres[which].shine;
    }
    Vec l = norm(sub(light, p));
    int blocker;
    double tl = intersect(add(p, mul(n, 1e-4)), l, &blocker);
    double lit = (blocker == -2 || tl > sqrt(dot(sub(light, p), sub(light, p)))) ? 1.0 : 0.0;
    double diffuse = fmax(0.0, dot(n, l)) * lit;
    Vec h = norm(sub(l, d));
    double spec = pow(fmax(0.0, dot(n, h)), shine) * lit;
    Vec col = add(mul(base, 0.1 + 0.9 * diffuse), v(spec, spec, spec));
    if (depth > 0 && reflect > 0) {
        Vec r = sub(d, mul(n, 2 * dot(d, n)));
        col = add(mul(col, 1 - reflect), mul(trace(add(p, mul(n, 1e-4)), norm(r), depth - 1), reflect));
    }
    return col;
}

static uint32_t render(int w, int hgt, double fov, uint32_t *bright) {
    uint32_t h = 2166136261u;
    double scale = tan(fov * 0.5 * M_PI / 180);
    for (int y = 0; y < hgt; y++) {
        for (int x = 0; x < w; x++) {
            double px = (2 * (x + 0.5) / w - 1) * scale * w / hgt;
            double py = (1 - 2 * (y + 0.5) / hgt) * scale;
            Vec c = trace(v(0, 0.3, -1), norm(v(px, py - 0.1, 1)), 3);
            Vec gamma = v(pow(fmin(c.x, 1), 1 / 2.2), pow(fmin(c.y, 1), 1 / 2.2), pow(fmin(c.z, 1), 1 / 2.2));
            Vec q = hadamard(gamma, v(255, 255, 255));
            uint32_t r = (uint32_t)(q.x + 0.5), g = (uint32_t)(q.y + 0.5), b = (uint32_t)(q.z + 0.5);
            h = fnv(h, r | g << 8 | b << 16);
            *bright += (r + g + b) / 3;
        }
    }
    return h;
}

// ------------------------------------------------------------------ f32

typedef struct {
    float b0, b1, b2, a1, a2;
    float z1, z2;
} Biquad;

static void lowpass(Biquad *f, float cutoff, float q, float rate) {
    float w = 2.0f * (float)M_PI * cutoff / rate;
    float alpha = sinf(w) / (2.0f * q), cw = cosf(w);
    float a0 = 1.0f + alpha;
    f->b0 = (1.0f - cw) / 2.0f / a0;
    f->b1 = (1.0f - cw) / a0;
    f->b2 = f->b0;
    f->a1 = -2.0f * cw / a0;
    f->a2 = (1.0f - alpha) / a0;
}

static float biquad(Biquad *f, float x) {
    float y = f->b0 * x + f->z1;
    f->z1 = f->b1 * x - f->a1 * y + f->z2;
    f->z2 = f->b2 * x - f->a2 * y;
    return y;
}

static uint32_t synth(int samples, float *peak) {
    const float rate = 48000.0f;
    Biquad lp = {0};
    float hp_prev_in = 0, hp_prev_out = 0, phase1 = 0, phase2 = 0, lfo = 0;
    uint32_t h = 2166136261u;
    for (int i = 0; i < samples; i++) {
        if (i % 256 == 0) {
            // the filter sweeps with a slow LFO: recompute its coefficients
            float cutoff = 400.0f + 3000.0f * (0.5f + 0.5f * sinf(lfo));
            lowpass(&lp, cutoff, 0.9f, rate);
            lfo += 0.02f;
        }
        int note = (i / 6000) % 8;
        float freq = 110.0f * powf(2.0f, (float)note / 12.0f * 5.0f);
        float t = (float)(i % 6000) / rate;
        float env = expf(-6.0f * t) * (1.0f - expf(-200.0f * t));
        phase1 += freq / rate;
        phase2 += freq * 1.005f / rate;
        phase1 -= floorf(phase1);
        phase2 -= floorf(phase2);
        float osc = sinf(2.0f * (float)M_PI * phase1) + 0.5f * (2.0f * phase2 - 1.0f);
        float x = tanhf(1.5f * osc) * env;
        float y = biquad(&lp, x);
        float hp = 0.995f * (hp_prev_out + y - hp_prev_in);
        hp_prev_in = y;
        hp_prev_out = hp;
        if (fabsf(hp) > *peak) *peak = fabsf(hp);
        int16_t s = (int16_t)lrintf(fmaxf(-1.0f, fminf(1.0f, hp)) * 32767.0f);
        h = fnv(h, (uint16_t)s);
    }
    return h;
}

// ---------------------------------------------------------- 64-bit ints

// n! in base-2^32 limbs, converted to decimal; returns the digit sum.
static uint64_t factorial_digits(unsigned n, unsigned *ndigits, char *lead, size_t leadsize) {
    size_t cap = 16, len = 1;
    uint32_t *limb = malloc(cap * sizeof *limb);
    limb[0] = 1;
    for (uint32_t k = 2; k <= n; k++) {
        uint64_t carry = 0;
        for (size_t i = 0; i < len; i++) {
            uint64_t p = (uint64_t)limb[i] * k + carry;
            limb[i] = (uint32_t)p;
            carry = p >> 32;
        }
        if (carry) {
            if (len == cap) limb = realloc(limb, (cap *= 2) * sizeof *limb);
            limb[len++] = (uint32_t)carry;
        }
    }
    // repeated division by 10^9, most significant limb first
    size_t dcap = len * 10 + 16, dlen = 0;
    uint32_t *chunks = malloc(dcap * sizeof *chunks);
    while (len > 0) {
        uint64_t rem = 0;
        for (size_t i = len; i-- > 0;) {
            uint64_t cur = rem << 32 | limb[i];
            limb[i] = (uint32_t)(cur / 1000000000u);
            rem = cur % 1000000000u;
        }
        chunks[dlen++] = (uint32_t)rem;
        while (len > 0 && limb[len - 1] == 0) len--;
    }
    uint64_t sum = 0;
    *ndigits = 0;
    char buf[16];
    for (size_t i = dlen; i-- > 0;) {
        int w = snprintf(buf, sizeof buf, i == dlen - 1 ? "%u" : "%09u", chunks[i]);
        for (int j = 0; j < w; j++) sum += (uint64_t)(buf[j] - '0');
        if (i == dlen - 1) snprintf(lead, leadsize, "%s", buf);
        *ndigits += (unsigned)w;
    }
    free(limb);
    free(chunks);
    return sum;
}

static uint64_t splitmix64(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t int64_mix(int count, uint64_t seed) {
    uint64_t s = seed, acc = 0;
    for (int i = 0; i < count; i++) {
        uint64_t a = splitmix64(&s), b = splitmix64(&s) | 1;
        acc += a / b + a % (b >> 40 | 1);
        acc ^= (uint64_t)__builtin_popcountll(a) << (i & 31);
        acc = acc << 7 | acc >> 57;
        int64_t sa = (int64_t)a >> 3, sb = (int64_t)(b >> 20) - (1ll << 43);
        acc += (uint64_t)(sa / (sb | 1));
        acc += (uint64_t)__builtin_clzll(b) * (uint64_t)__builtin_ctzll(a | 1ull << 63);
    }
    // longest Collatz chain below a bound, in 64-bit arithmetic
    uint64_t best = 0, arg = 0;
    for (uint64_t start = 1; start < (uint64_t)count; start++) {
        uint64_t x = start, steps = 0;
        while (x != 1) {
            x = (x & 1) ? 3 * x + 1 : x >> 1;
            steps++;
        }
        if (steps > best) {
            best = steps;
            arg = start;
        }
    }
    return acc ^ best << 32 ^ arg;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 1;
    uint32_t himg = 0, hsnd = 0, bright = 0;
    float peak = 0;
    uint64_t hint = 0, digsum = 0;
    unsigned ndigits = 0;
    char lead[16] = "";
    for (int r = 0; r < rounds; r++) {
        himg = fnv(himg, render(160, 120, 60 + r % 3, &bright));
        hsnd = fnv(hsnd, synth(96000, &peak));
        digsum += factorial_digits(1200 + (unsigned)(r % 5), &ndigits, lead, sizeof lead);
        hint ^= int64_mix(60000, (uint64_t)r);
    }
    printf("rounds %d\n", rounds);
    printf("f64 image hash %08x, mean brightness %u\n", himg, bright / (unsigned)rounds / (160 * 120));
    printf("f32 sound hash %08x, peak %.4f\n", hsnd, (double)peak);
    printf("i64 factorial digit sums %llu (%u digits, leading %s), mix %016llx\n",
           (unsigned long long)digsum, ndigits, lead, (unsigned long long)hint);
    return 0;
}
