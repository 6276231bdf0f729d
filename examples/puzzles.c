// A small real program for the README: compiled with clang to wasm32,
// no libc, no WASI. See examples/build.sh.
//
//   queens(n)            number of solutions of the n-queens puzzle
//   mandelbrot(w, h, it) points of a w x h grid over [-2,1]x[-1.5,1.5]
//                        that stay bounded for `it` iterations
//   sieve(n)             number of primes below n (n <= 1 << 20)

#define EXPORT(name) __attribute__((export_name(name)))

static int solve(int n, int row, unsigned cols, unsigned d1, unsigned d2) {
    if (row == n) return 1;
    int count = 0;
    unsigned free = ~(cols | d1 | d2) & ((1u << n) - 1);
    while (free) {
        unsigned bit = free & -free;
        free ^= bit;
        count += solve(n, row + 1, cols | bit, (d1 | bit) << 1, (d2 | bit) >> 1);
    }
    return count;
}

EXPORT("queens") int queens(int n) {
    if (n < 1 || n > 16) return -1;
    return solve(n, 0, 0, 0, 0);
}

EXPORT("mandelbrot") int mandelbrot(int w, int h, int iters) {
    int inside = 0;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            double cr = -2.0 + 3.0 * x / w, ci = -1.5 + 3.0 * y / h;
            double zr = 0, zi = 0;
            int i = 0;
            while (i < iters && zr * zr + zi * zi <= 4.0) {
                double t = zr * zr - zi * zi + cr;
                zi = 2 * zr * zi + ci;
                zr = t;
                i++;
            }
            inside += i == iters;
        }
    }
    return inside;
}

static unsigned char composite[1 << 20];

EXPORT("sieve") int sieve(int n) {
    if (n < 2 || n > (1 << 20)) return 0;
    for (int i = 0; i < n; i++) composite[i] = 0;
    int count = 0;
    for (int i = 2; i < n; i++) {
        if (composite[i]) continue;
        count++;
        for (long long j = (long long)i * i; j < n; j += i) composite[j] = 1;
    }
    return count;
}
