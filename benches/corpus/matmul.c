// Nested loops: f64 matrix multiply, 48x48 by 48x48 per round.
#include "bench.h"

#define N 48
BUFFER(double, A, N * N);
BUFFER(double, B, N * N);
BUFFER(double, C, N * N);

EXPORT u32 RUN(u32 n) {
    u32 h = 0;
    for (u32 r = 0; r < n; r++) {
        // Small integers, so every sum below is exact in any order.
        for (u32 i = 0; i < N; i++)
            for (u32 j = 0; j < N; j++) {
                A[i * N + j] = (double)((i * 7 + j * 3 + r) % 17) - 8.0;
                B[i * N + j] = (double)((i * 5 + j * 11 + 2 * r) % 13) - 6.0;
                C[i * N + j] = 0.0;
            }
        for (u32 i = 0; i < N; i++)
            for (u32 k = 0; k < N; k++) {
                double a = A[i * N + k];
                for (u32 j = 0; j < N; j++) C[i * N + j] += a * B[k * N + j];
            }
        double trace = 0, total = 0;
        for (u32 i = 0; i < N; i++) {
            trace += C[i * N + i];
            for (u32 j = 0; j < N; j++) total += C[i * N + j] * (double)(j + 1);
        }
        h = mix32(mix32(h, (u32)(i32)trace), (u32)(i64)total);
    }
    return h;
}
