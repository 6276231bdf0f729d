// Sorting with indirect calls: quicksort of 3000 integers per round, every
// comparison through a function pointer (call_indirect in wasm).
#include "bench.h"

#define LEN 3000
BUFFER(u32, arr, LEN);

typedef int (*cmp_fn)(u32, u32);

static int cmp_asc(u32 a, u32 b) { return a < b ? -1 : a > b; }
static int cmp_desc(u32 a, u32 b) { return a > b ? -1 : a < b; }
// By the low 16 bits, ties by the full value.
static int cmp_low(u32 a, u32 b) {
    u32 x = a & 0xffff, y = b & 0xffff;
    return x != y ? (x < y ? -1 : 1) : cmp_asc(a, b);
}

// volatile: keeps the comparator calls indirect (no specialisation).
static cmp_fn volatile comparators[3] = {cmp_asc, cmp_desc, cmp_low};

static void insertion(u32 *a, i32 lo, i32 hi, cmp_fn cmp) {
    for (i32 i = lo + 1; i <= hi; i++) {
        u32 v = a[i];
        i32 j = i - 1;
        while (j >= lo && cmp(a[j], v) > 0) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void quicksort(u32 *a, i32 lo, i32 hi, cmp_fn cmp) {
    while (hi - lo > 16) {
        i32 mid = lo + (hi - lo) / 2;
        // Median of three into a[mid].
        if (cmp(a[mid], a[lo]) < 0) { u32 t = a[mid]; a[mid] = a[lo]; a[lo] = t; }
        if (cmp(a[hi], a[lo]) < 0) { u32 t = a[hi]; a[hi] = a[lo]; a[lo] = t; }
        if (cmp(a[hi], a[mid]) < 0) { u32 t = a[hi]; a[hi] = a[mid]; a[mid] = t; }
        u32 pivot = a[mid];
        i32 i = lo, j = hi;
        while (i <= j) {
            while (cmp(a[i], pivot) < 0) i++;
            while (cmp(a[j], pivot) > 0) j--;
            if (i <= j) {
                u32 t = a[i]; a[i] = a[j]; a[j] = t;
                i++;
                j--;
            }
        }
        // Recurse into the smaller part, loop on the larger: O(log n) depth.
        if (j - lo < hi - i) {
            quicksort(a, lo, j, cmp);
            lo = i;
        } else {
            quicksort(a, i, hi, cmp);
            hi = j;
        }
    }
    insertion(a, lo, hi, cmp);
}

EXPORT u32 RUN(u32 n) {
    u32 h = 0;
    for (u32 r = 0; r < n; r++) {
        u32 s = r * 2654435761u + 1;
        for (u32 i = 0; i < LEN; i++) arr[i] = lcg(&s) >> 4;
        cmp_fn cmp = comparators[r % 3];
        quicksort(arr, 0, LEN - 1, cmp);
        u32 bad = 0, sum = 0;
        for (u32 i = 0; i < LEN; i++) {
            if (i > 0 && cmp(arr[i - 1], arr[i]) > 0) bad++;
            sum += arr[i] * (i + 1);
        }
        h = mix32(mix32(mix32(h, sum), bad), arr[LEN / 2]);
    }
    return h;
}
