"""Typed view slices against memoryview, 1 MiB at a time (best of 15, ms):
reads make a list of ints as `memoryview.tolist()` does; writes take bytes
(for uint8) or a list of ints, against a memoryview assignment of the same
data (a list converted first, as it must be for a memoryview).

    python benches/views.py
"""

import array
import time

from wasmint import Instance, Module, Store

N = 1 << 20


def best(f, k=15):
    t = 1e9
    for _ in range(k):
        a = time.perf_counter()
        f()
        t = min(t, time.perf_counter() - a)
    return t * 1000


def main():
    m = Instance(Module(Store(), '(module (memory (export "m") 64))')).exports.m
    mv = memoryview(m.buffer)
    data = bytes(range(256)) * (N // 256)
    ints = list(data)
    rows = []
    for name, view, fmt, n in [("uint8", m.uint8_view(), "B", N), ("uint32", m.uint32_view(), "I", N // 4),
                               ("float64", m.float64_view(), "d", N // 8)]:
        typed = mv.cast(fmt)
        values = typed[0:n].tolist()
        rows.append((f"{name} read", best(lambda: view[0:n]), best(lambda: typed[0:n].tolist())))

        def w_view():
            view[0:n] = values

        def w_mv():
            typed[0:n] = array.array(fmt, values)

        rows.append((f"{name} write list", best(w_view), best(w_mv)))
    u8 = m.uint8_view()

    def w_bytes():
        u8[0:N] = data

    def w_mv_bytes():
        mv[0:N] = data

    rows.append(("uint8 write bytes", best(w_bytes), best(w_mv_bytes)))
    print(f"{'1 MiB':<20} {'view ms':>9} {'memoryview ms':>14} {'ratio':>6}")
    for what, a, b in rows:
        print(f"{what:<20} {a:9.2f} {b:14.2f} {a / b:6.2f}")
    del ints


if __name__ == "__main__":
    main()
