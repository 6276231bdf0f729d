"""Fuzz target (d), issue 15: seeded random sequences of public API calls
never crash the interpreter.

Each sequence runs in a child Python process (a crash -- a signal, an
abort -- is then a failed test, not a dead test run). The child performs
random steps on a pool of objects: compile (valid, damaged and random
modules, WAT text), instantiate with host functions that return, raise,
return junk or call back into wasm, call exports with random arguments,
read and write globals, tables, memories through buffers and typed views
(before and after `grow`), serialize and deserialize (intact, truncated,
flipped), drop objects and collect garbage. Documented errors (wasmint's
`RuntimeError`s, `TypeError`, `ValueError`, `OverflowError`,
`IndexError`, `KeyError`, `AttributeError`, `BufferError`) are expected;
any other exception, a pyo3 `PanicException` included, fails the child.

`WASMINT_FUZZ_PY_SEEDS` (default 30) and `WASMINT_FUZZ_PY_STEPS`
(default 400) scale a long run; `WASMINT_FUZZ_START` moves the seeds.
"""

import os
import subprocess
import sys
import textwrap
import time

CHILD = textwrap.dedent(
    r'''
    import gc, random, sys, traceback
    import wasmint
    from wasmint import (CompileError, Features, Function, FunctionType, Global, Instance, LinkError,
                         Memory, MemoryType, Module, Store, Tag, Trap, Type, Value, WasmException)

    seed, steps = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    EXPECTED = (RuntimeError, TypeError, ValueError, OverflowError, IndexError, KeyError,
                AttributeError, BufferError)

    WATS = [
        """(module
          (import "env" "f" (func $f (param i32) (result i32)))
          (import "env" "m" (memory 1 4))
          (import "env" "g" (global $g (mut i64)))
          (type $t (func (param i32) (result i32)))
          (table $tab (export "tab") 4 8 funcref)
          (global $cnt (export "cnt") (mut i32) (i32.const 0))
          (elem (i32.const 0) $f $inc)
          (func $inc (export "inc") (param i32) (result i32)
            global.get $cnt local.get 0 i32.add global.set $cnt global.get $cnt)
          (func (export "callf") (param i32) (result i32) local.get 0 call $f)
          (func (export "ind") (param i32 i32) (result i32)
            local.get 0 local.get 1 call_indirect (type $t))
          (func (export "load") (param i32) (result i64) local.get 0 i64.load)
          (func (export "store") (param i32 i64) local.get 0 local.get 1 i64.store)
          (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
          (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
          (func (export "g") (result i64) global.get $g)
          (func (export "spin") (param i32) (result i32) (local i32)
            loop $l local.get 1 i32.const 1 i32.add local.tee 1
              local.get 0 i32.const 0xffff i32.and i32.lt_u br_if $l end
            local.get 1)
          (func $rec (export "rec") (param i32) (result i32)
            local.get 0 i32.eqz if (result i32) i32.const 0
            else local.get 0 i32.const 1 i32.sub call $rec i32.const 1 i32.add end))""",
        """(module
          (memory (export "mem") 1 2)
          (data (i32.const 0) "hello, fuzz")
          (global (export "f") (mut f64) (f64.const 1.5))
          (global (export "v") (mut v128) (v128.const i64x2 1 2))
          (table (export "ext") 2 externref)
          (func (export "sum") (param i32 i64 f32 f64) (result f64)
            local.get 0 f64.convert_i32_s local.get 1 f64.convert_i64_s f64.add
            local.get 2 f64.promote_f32 f64.add local.get 3 f64.add)
          (func (export "vec") (param v128) (result v128) local.get 0 local.get 0 i32x4.add)
          (func (export "multi") (result i32 i64 f32) i32.const 1 i64.const 2 f32.const 3)
          (func (export "trap") unreachable)
          (func (export "fill") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.fill)
          (func (export "id") (param externref) (result externref) local.get 0))""",
        """(module
          (tag $e (export "e") (param i32))
          (func (export "throw") (param i32) local.get 0 throw $e)
          (func (export "catch") (param i32) (result i32)
            (block $h (result i32)
              (try_table (catch $e $h) local.get 0 throw $e)
              i32.const -1)))""",
        """(module
          (type $ft (func (param i32) (result i32)))
          (func $sq (param i32) (result i32) local.get 0 local.get 0 i32.mul)
          (elem declare func $sq)
          (func (export "cr") (param i32) (result i32) local.get 0 ref.func $sq call_ref $ft)
          (func $tc (export "tc") (param i32) (result i32)
            local.get 0 i32.const 0xffff i32.and local.set 0
            local.get 0 i32.eqz if (result i32) i32.const 7
            else local.get 0 i32.const 1 i32.sub return_call $tc end))""",
    ]
    BLOBS = [wasmint.wat2wasm(w) for w in WATS]

    stores, modules, instances, funcs, globals, memories, tables, views, blobs = ([] for _ in range(9))
    stats = {"ok": 0, "expected": 0}

    def pick(pool):
        return rng.choice(pool) if pool else None

    def rand_int():
        return rng.choice([0, 1, -1, 2**31 - 1, -2**31, 2**32, 2**63 - 1, -2**63, 2**64, 10**30,
                           rng.randrange(-2**40, 2**40), rng.randrange(0, 70000)])

    def rand_value():
        r = rng.randrange(12)
        if r < 5:
            return rand_int()
        if r < 7:
            return rng.choice([0.0, -0.0, 1.5, float("nan"), float("inf"), 1e308, -3.25])
        if r == 7:
            return None
        if r == 8:
            return rng.choice([Value.i32(rng.randrange(-5, 5)), Value.i64(rand_int() % 2**63),
                               Value.f32(1.25), Value.f64(-2.0), Value.v128(rng.randrange(2**128))])
        if r == 9:
            return pick(funcs)
        if r == 10:
            return rng.choice(["x", b"y", [], object()])
        return rng.randrange(0, 8)

    def mutate(data):
        data = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            if len(data) <= 8:
                break
            i = rng.randrange(8, len(data))
            k = rng.randrange(4)
            if k == 0:
                data[i] ^= 1 << rng.randrange(8)
            elif k == 1:
                data[i] = rng.randrange(256)
            elif k == 2:
                del data[i]
            else:
                del data[i:]
        return bytes(data)

    def host(store):
        mode = rng.randrange(5)
        def f(x):
            if mode == 0:
                return x
            if mode == 1:
                raise ValueError("host says no")
            if mode == 2:
                return rng.choice(["junk", None, 2**70, 1.5, (1, 2)])
            if mode == 3:
                g = pick(funcs)
                if g is not None:
                    try:
                        g(*[rand_value() for _ in g.type.params])
                    except EXPECTED:
                        pass
                return x
            return x + 1
        return Function(store, f, FunctionType([Type.I32], [Type.I32]))

    def imports_for(module, store):
        obj = {}
        for imp in module.imports:
            t = imp.type
            if isinstance(t, FunctionType):
                ext = host(store) if rng.random() < 0.9 else pick(funcs)
            elif isinstance(t, MemoryType):
                ext = Memory(store, MemoryType(rng.choice([0, 1, 2]), rng.choice([None, 1, 4, 8])))
            elif rng.random() < 0.8:
                ext = Global(store, rng.choice([Value.i64(5), Value.i32(1)]), mutable=rng.random() < 0.8)
            else:
                ext = pick(globals)
            obj.setdefault(imp.module, {})[imp.name] = ext
        return obj

    def harvest(instance):
        for name, ext in instance.exports:
            if isinstance(ext, Function):
                funcs.append(ext)
            elif isinstance(ext, Global):
                globals.append(ext)
            elif isinstance(ext, Memory):
                memories.append(ext)
            elif type(ext).__name__ == "Table":
                tables.append(ext)

    def step():
        k = rng.randrange(16)
        if k == 0 or not stores:
            feats = None if rng.random() < 0.7 else Features(**{n: rng.random() < 0.7 for n in (
                "simd", "tail_call", "exceptions", "function_references", "multi_memory", "memory64")})
            # Under fuel: a damaged module may loop for ever (or for four
            # billion tail calls), which is no finding.
            stores.append(Store(features=feats, fuel=10**7) if feats else Store(fuel=10**7))
        elif k <= 2:
            store = pick(stores)
            src = rng.random()
            if src < 0.5:
                data = rng.choice(BLOBS)
            elif src < 0.8:
                data = mutate(rng.choice(BLOBS))
            elif src < 0.9:
                data = rng.choice(WATS)[: rng.randrange(1, 400)]
            else:
                data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 64)))
            Module.validate(store, data)
            modules.append((store, Module(store, data)))
        elif k <= 4 and modules:
            store, module = pick(modules)
            inst = Instance(module, imports_for(module, store))
            instances.append(inst)
            harvest(inst)
        elif k <= 7 and funcs:
            f = pick(funcs)
            n = len(f.type.params) + (rng.choice([-1, 1]) if rng.random() < 0.1 else 0)
            f(*[rand_value() for _ in range(max(n, 0))])
        elif k == 8 and globals:
            g = pick(globals)
            if rng.random() < 0.5:
                g.value
            else:
                g.value = rand_value()
        elif k == 9 and memories:
            m = pick(memories)
            r = rng.randrange(4)
            if r == 0:
                m.grow(rng.choice([0, 1, 2, 100, -1, 2**40]))
            elif r == 1:
                views.append(rng.choice([m.uint8_view, m.int16_view, m.uint32_view, m.int64_view,
                                         m.float32_view, m.float64_view])(rng.choice([0, 1, 7, 65535, 10**9])))
            elif r == 2:
                mv = memoryview(m.buffer)
                if len(mv):
                    i = rng.randrange(len(mv))
                    mv[i] = rng.randrange(256)
                    bytes(mv[i : i + rng.randrange(0, 100)])
                mv.release()
            else:
                m.size, m.data_size, m.type
        elif k == 10 and views:
            v = pick(views)
            i = rng.choice([0, 1, -1, len(v) - 1, len(v), 2**40])
            r = rng.randrange(4)
            if r == 0:
                v[i]
            elif r == 1:
                v[i] = rand_value()
            elif r == 2:
                v[i : i + rng.randrange(0, 9)]
            else:
                v[i : i + 3] = [rand_value() for _ in range(rng.randrange(0, 5))]
        elif k == 11 and tables:
            t = pick(tables)
            i = rng.choice([0, 1, 3, t.size, 2**33, -1])
            if rng.random() < 0.5:
                t.get(i)
            else:
                t.set(i, rand_value())
        elif k == 12 and modules:
            store, module = pick(modules)
            blob = module.serialize()
            r = rng.randrange(3)
            if r == 1:
                blob = blob[: rng.randrange(len(blob))]
            elif r == 2:
                b = bytearray(blob)
                b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
                blob = bytes(b)
            modules.append((store, Module.deserialize(store, blob)))
        elif k == 13:
            wasmint.wasm2wat(mutate(rng.choice(BLOBS)))
        elif k == 14 and stores:
            store = pick(stores)
            tag = Tag(store, FunctionType([Type.I32], []))
            exn = WasmException(tag, [rand_value()])
            exn.tag, exn.payload
        else:
            pools = [stores, modules, instances, funcs, globals, memories, tables, views]
            pool = rng.choice(pools)
            if pool:
                del pool[rng.randrange(len(pool))]
            gc.collect()

    import os, time
    profile = os.environ.get("WASMINT_FUZZ_PY_PROFILE")
    for n in range(steps):
        t0 = time.perf_counter()
        state = rng.getstate()
        try:
            step()
            stats["ok"] += 1
        except EXPECTED:
            stats["expected"] += 1
        except BaseException:
            print(f"seed {seed} step {n}: unexpected exception", flush=True)
            traceback.print_exc()
            sys.exit(3)
        finally:
            if profile and time.perf_counter() - t0 > 0.05:
                rng2 = random.Random(); rng2.setstate(state)
                print(f"step {n} (kind {rng2.randrange(16)}): {time.perf_counter() - t0:.2f} s", flush=True)
    del stores[:], modules[:], instances[:], funcs[:], globals[:], memories[:], tables[:], views[:]
    gc.collect()
    print(f"seed {seed}: {stats['ok']} steps ok, {stats['expected']} raised documented errors", flush=True)
    '''
)


def test_random_api_sequences_never_crash():
    seeds = int(os.environ.get("WASMINT_FUZZ_PY_SEEDS", "30"))
    steps = int(os.environ.get("WASMINT_FUZZ_PY_STEPS", "400"))
    start = int(os.environ.get("WASMINT_FUZZ_START", "0"))
    # A long run: seeds from `start` on until this many seconds passed.
    seconds = float(os.environ.get("WASMINT_FUZZ_SECONDS", "0"))
    t0 = time.monotonic()
    failures = []
    seed = start
    while (seed < start + seeds) if not seconds else (time.monotonic() - t0 < seconds):
        p = subprocess.run([sys.executable, "-c", CHILD, str(seed), str(steps)], capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            failures.append(f"seed {seed}: exit code {p.returncode}\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
        seed += 1
    print(f"python API fuzz: seeds {start} to {seed - 1} ({seed - start} sequences of {steps} steps) in "
          f"{time.monotonic() - t0:.0f} s, {len(failures)} failed")
    assert not failures, "\n".join(failures)
