// Recursive calls: naive Fibonacci, about 93k calls per round.
#include "bench.h"

// volatile: the compiler must not hoist the pure call out of the loop.
static volatile u32 fib_arg = 23;

static u32 fib(u32 k) {
    return k < 2 ? k : fib(k - 1) + fib(k - 2);
}

EXPORT u32 RUN(u32 n) {
    u32 h = 0;
    for (u32 r = 0; r < n; r++) h = mix32(h, fib(fib_arg) + r);
    return h;
}
