// Shared by every corpus program. Programs are freestanding C: no libc, no
// WASI; the same file compiles to wasm32 (build.sh) and natively (for the
// expected checksums, see native.c), so only fixed-width types are used in
// anything that reaches a checksum (`long` and pointers differ in width).
#ifndef BENCH_H
#define BENCH_H

typedef unsigned char u8;
typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;
typedef long long i64;

// The entry point of a program is `EXPORT u32 RUN(u32 n)`: n rounds of a
// fixed amount of work (so time is linear in n), returning a checksum.
// build.sh renames RUN when it links many copies into one big module.
#ifndef RUN
#define RUN run
#endif
#define BENCH_STR_(x) #x
#define BENCH_STR(x) BENCH_STR_(x)
#ifdef __wasm__
#define EXPORT __attribute__((export_name(BENCH_STR(RUN))))
#else
#define EXPORT
#endif

// Large zeroed buffers. In the big module for the translation benchmark
// (many renamed copies of every program, never run) they all alias one
// fixed address instead, so that module does not declare 100+ MB of memory;
// the code stays the same shape (a constant base address plus an index).
#ifdef BENCH_TINY
#define BUFFER(type, name, count) static type *const name = (type *)0x10000
#else
#define BUFFER(type, name, count) static type name[count]
#endif

// 32-bit mixing used to fold results into checksums.
static inline u32 mix32(u32 h, u32 v) {
    h ^= v + 0x9e3779b9u + (h << 6) + (h >> 2);
    return h;
}

// A tiny LCG for deterministic inputs.
static inline u32 lcg(u32 *s) {
    *s = *s * 1664525u + 1013904223u;
    return *s;
}

#endif
