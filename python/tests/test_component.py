"""wasmint.component: the xyz:machine components and every WIT type, each
checked against what wasmtime gave for the same calls (the expected
files in spec-tests/components, recorded with wasmtime's Python package)."""

import gc
import json
import math
import pathlib

import pytest

from wasmint import LinkError, Store, Trap
from wasmint.component import (Component, ComponentError, Err, Linker, Ok, Record, Resource, Some,
                               Variant)

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "spec-tests" / "components"
MACHINE = "xyz:machine/machine-interface"


def load(name):
    return (FIXTURES / name).read_bytes()


def machine(name="machine-rust.wasm"):
    store = Store()
    linker = Linker(store)
    linker.add_wasip2()  # the C and wasip2 builds import WASI 0.2
    return linker.instantiate(Component(store, load(name))).exports[MACHINE]


BUILDS = ["machine-rust.wasm", "machine-rust-wasip2.wasm", "machine-c.wasm"]


@pytest.mark.parametrize("build", BUILDS)
def test_machine_gives_what_wasmtime_gave(build):
    expected = json.loads((FIXTURES / "machine-expected.json").read_text())
    m = machine(build)
    for step in expected["steps"]:
        args = [Record(**{k.replace("-", "_"): v for k, v in a.items()}) if isinstance(a, dict) else a for a in step["args"]]
        got = m[step["call"]](*args)
        if isinstance(got, Record):
            got = {k.replace("_", "-"): v for k, v in got._asdict().items()}
        if isinstance(got, bytes):
            got = list(got)
        assert got == step["result"], step


def test_machine_calls_of_the_issue():
    m = machine()
    assert m.get_u32() == 42 and m["get-u32"]() == 42
    assert m.get_str() == "simple string to return"
    assert m.get_vec() == b"\x01\x02\x03\x04\x05"
    r = m.run(7, {"x": 1, "y": 2}, {"x": 3, "y": 4})
    assert (r.machine_id, r.message) == (7, "machine 7 run from (1,2) to (3,4)")
    assert type(r).__name__ == "RunResult"
    # Records may be objects with the fields as attributes, too.
    assert m.run(1, r_point(5, 6), r_point(7, 8)).message == "machine 1 run from (5,6) to (7,8)"
    assert m.count_symbols("日本語🎉") == 4


def r_point(x, y):
    class P:
        pass
    p = P()
    p.x, p.y = x, y
    return p


@pytest.mark.parametrize("bad, error, text", [
    ((-1, {"x": 1, "y": 2}, {"x": 3, "y": 4}), ValueError, "argument `machine`: -1 is out of range for u64"),
    ((2**64, {"x": 1, "y": 2}, {"x": 3, "y": 4}), ValueError, "out of range for u64"),
    ((1, {"x": 1}, {"x": 3, "y": 4}), TypeError, "argument `start`: point: missing field `y`"),
    ((1, {"x": 1, "y": "2"}, {"x": 3, "y": 4}), TypeError, "argument `start`: field `y`: expected an int for u32, got str"),
    ((1, 5, {"x": 3, "y": 4}), TypeError, "argument `start`: expected a record point"),
    ((True, {"x": 1, "y": 2}, {"x": 3, "y": 4}), TypeError, "expected an int for u64, got bool"),
    ((1, {"x": 1, "y": 2}), TypeError, "takes 3 arguments (machine, start, destination), 2 given"),
])
def test_wrong_arguments_name_the_argument(bad, error, text):
    m = machine()
    with pytest.raises(error) as e:
        m.run(*bad)
    assert text in str(e.value)
    assert m.get_u32() == 42


# ---- alltypes: every WIT type, in both directions ----

def from_json(v, t):
    """A value of the expected file's JSON encoding, as wasmint takes it."""
    kind = t[0]
    if kind in ("f32", "f64") and isinstance(v, str):
        return float(v)
    if kind == "list":
        if t[1] == ("u8",):
            return bytes(v)
        return [from_json(x, t[1]) for x in v]
    if kind == "record":
        return Record(**{n.replace("-", "_"): from_json(v[n], ft) for n, ft in t[2]})
    if kind == "tuple":
        return tuple(from_json(x, tt) for x, tt in zip(v, t[1]))
    if kind == "variant":
        case = dict(t[2])[v["tag"]]
        return Variant(v["tag"], None if case is None else from_json(v["val"], case))
    if kind == "flags":
        return set(v)
    if kind == "option":
        if v["tag"] == "none":
            return None
        inner = from_json(v["val"], t[1])
        return Some(inner) if t[1][0] == "option" else inner
    if kind == "result":
        case = t[1] if v["tag"] == "ok" else t[2]
        payload = None if case is None else from_json(v["val"], case)
        return Ok(payload) if v["tag"] == "ok" else Err(payload)
    if kind in ("own", "borrow"):
        return HANDLES[v["handle"]]
    return v


def to_json(v, t):
    kind = t[0]
    if kind in ("f32", "f64"):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    if kind == "list":
        if t[1] == ("u8",):
            assert isinstance(v, bytes)
            return list(v)
        return [to_json(x, t[1]) for x in v]
    if kind == "record":
        assert type(v).__name__ != "Record" or t[1] is None, f"a named record comes back as its class: {t[1]}"
        return {n: to_json(getattr(v, n.replace("-", "_")), ft) for n, ft in t[2]}
    if kind == "tuple":
        assert isinstance(v, tuple)
        return [to_json(x, tt) for x, tt in zip(v, t[1])]
    if kind == "variant":
        case = dict(t[2])[v.tag]
        return {"tag": v.tag} if case is None else {"tag": v.tag, "val": to_json(v.value, case)}
    if kind == "flags":
        assert isinstance(v, set)
        return [n for n in t[2] if n in v]
    if kind == "option":
        if v is None:
            return {"tag": "none"}
        if t[1][0] == "option":
            assert isinstance(v, Some)
            v = v.value
        return {"tag": "some", "val": to_json(v, t[1])}
    if kind == "result":
        tag = "ok" if isinstance(v, Ok) else "err"
        case = t[1] if tag == "ok" else t[2]
        return {"tag": tag} if case is None else {"tag": tag, "val": to_json(v.value, case)}
    if kind in ("own", "borrow"):
        return v
    return v


HANDLES = {}


def test_alltypes_gives_what_wasmtime_gave():
    expected = json.loads((FIXTURES / "alltypes-expected.json").read_text())
    store = Store()
    host_calls = []

    def log(msg):
        host_calls.append({"func": "log", "args": [msg]})

    def transform(p):
        out = {"x": (p.x * 2 + 2**31) % 2**32 - 2**31, "y": (p.y + 1 + 2**31) % 2**32 - 2**31}
        host_calls.append({"func": "transform", "args": [{"x": p.x, "y": p.y}], "result": out})
        return out

    linker = Linker(store)
    linker.define("xyz:alltypes/host", {"log": log, "transform": transform})
    api = linker.instantiate(Component(store, load("alltypes.wasm"))).exports[expected["interface"]]
    HANDLES.clear()
    steps = 0
    for step in expected["steps"]:
        if "drop" in step:
            HANDLES.pop(step["drop"]).drop()
            continue
        f = api[step["call"]]
        params, result = f.type_info()
        args = [from_json(a, t) for a, (_, t) in zip(step["args"], params)]
        host_calls.clear()
        try:
            got = f(*args)
            if result is not None and result[0] == "result":
                got = Ok(got)
        except ComponentError as e:
            got = Err(e.value)
        if "bind" in step:
            assert isinstance(got, Resource) and got.alive and got.owned
            HANDLES[step["bind"]] = got
        elif result is None:
            assert got is None and "result" not in step
        else:
            assert to_json(got, result) == step["result"], step
        assert host_calls == step.get("host_calls", []), step
        steps += 1
    assert steps > 100


def types_api():
    store = Store()
    linker = Linker(store)
    linker.define("xyz:alltypes/host", {"log": lambda msg: None, "transform": lambda p: p})
    return linker.instantiate(Component(store, load("alltypes.wasm"))).exports["xyz:alltypes/types"]


def test_resources_are_classes_with_methods_and_deterministic_drop():
    api = types_api()
    Counter = api.Counter
    assert api.live_count() == 0
    a = Counter(5)
    assert isinstance(a, Counter) and isinstance(a, Resource)
    assert a.get() == 5 and a.add(10) == 15
    with Counter(-3) as b:
        assert a.add_from(b) == 12
        merged = Counter.merge(a, b)
        assert merged.get() == 9
        assert api.live_count() == 3
    assert not b.alive and api.live_count() == 2
    # `consume` takes ownership: the handle moves into the component.
    assert Counter.consume(merged) == 9
    assert not merged.alive and api.live_count() == 1
    with pytest.raises(ValueError, match="dropped or moved"):
        merged.get()
    a.drop()
    a.drop()  # twice is harmless
    assert api.live_count() == 0


def test_values_as_python_writes_them():
    api = types_api()
    assert api.echo_color("green") == "green"
    assert api.next_color("blue") == "red"
    import enum

    class Perm(enum.Flag):
        READ = 1
        WRITE = 2
        EXEC = 4
    assert api.echo_perms(Perm.READ | Perm.EXEC) == {"read", "exec"}
    assert api.invert_perms({"read"}) == {"write", "exec"}
    assert api.echo_option_u32(None) is None and api.echo_option_u32(3) == 3
    assert api.echo_result(Ok(3)) == 3
    with pytest.raises(ComponentError) as e:
        api.echo_result(Err("bad"))
    assert e.value.value == "bad"
    with pytest.raises(ComponentError) as e:
        api.parse_u32("x1")
    assert isinstance(e.value.value, str)
    assert api.checked_div(7, 2) == 3
    with pytest.raises(ComponentError) as e:
        api.checked_div(1, 0)
    assert e.value.value is None
    assert api.echo_option_result(Ok("x")) == Ok("x") and api.echo_option_result(None) is None
    assert api.echo_shape(Variant("circle", 2.0)) == Variant("circle", 2.0)
    assert api.echo_shape("unit-square") == Variant("unit-square")
    assert api.echo_tuple((1, "a", 2.5)) == (1, "a", 2.5)
    assert api.echo_char("🎉") == "🎉"
    assert api.echo_bytes(bytearray(b"ab")) == b"ab"
    assert api.code_char(0x41) == "A" and api.code_char(0xD800) is None
    with pytest.raises(ValueError, match="is not a case of color"):
        api.echo_color("purple")
    with pytest.raises(ValueError, match="is not a flag of perms"):
        api.echo_perms({"fly"})
    with pytest.raises(ValueError, match="out of range for u8"):
        api.echo_u8(256)
    with pytest.raises(TypeError, match="expected a str of one character"):
        api.echo_char(65)


def test_host_functions_see_python_values_and_their_exceptions_propagate():
    store = Store()
    linker = Linker(store)
    seen = []

    class Boom(Exception):
        pass

    def transform(p):
        seen.append((type(p).__name__, p.x, p.y))
        if p.x == 99:
            raise Boom("from the host")
        return Record(x=p.y, y=p.x)

    linker.define("xyz:alltypes/host", {"log": seen.append, "transform": transform})
    api = linker.instantiate(Component(store, load("alltypes.wasm"))).exports["xyz:alltypes/types"]
    p = api.call_host_transform({"x": 1, "y": 2})
    assert (p.x, p.y) == (2, 1) and seen == [("Point", 1, 2)]
    with pytest.raises(Boom, match="from the host"):
        api.call_host_transform({"x": 99, "y": 0})
    assert api.log_all(["a", "b"]) == 2 and seen[-2:] == ["a", "b"]


def test_a_host_function_returning_the_wrong_type_traps_with_its_name():
    store = Store()
    linker = Linker(store)
    linker.define("xyz:alltypes/host", {"log": lambda msg: None, "transform": lambda p: "nope"})
    api = linker.instantiate(Component(store, load("alltypes.wasm"))).exports["xyz:alltypes/types"]
    with pytest.raises(TypeError, match="host function result: expected a record point"):
        api.call_host_transform({"x": 1, "y": 2})


def test_missing_imports_are_link_errors_naming_the_import():
    store = Store()
    with pytest.raises(LinkError, match=r"component import `xyz:alltypes/host#log` \(func\(msg: string\)\) is not defined"):
        Linker(store).instantiate(Component(store, load("alltypes.wasm")))


def test_damaged_components_raise_compile_errors_with_an_offset():
    from wasmint import CompileError
    data = load("machine-rust.wasm")
    for cut in (10, 100, 1000, len(data) // 2, len(data) - 1):
        with pytest.raises(CompileError, match="offset"):
            Component(Store(), data[:cut])
    broken = 0
    for i in range(8, len(data), 97):
        bad = bytearray(data)
        bad[i] ^= 0xFF
        try:
            c = Component(Store(), bytes(bad))
            store = Store()
            Linker(store).instantiate(c).exports[MACHINE].get_str()
        except (CompileError, LinkError, Trap, KeyError, UnicodeError):
            broken += 1
    assert broken > 0


def test_no_leak_across_instantiate_and_call_cycles():
    import resource
    store = Store()
    component = Component(store, load("machine-rust.wasm"))

    def cycle(n):
        for _ in range(n):
            m = Linker(store).instantiate(component).exports[MACHINE]
            assert m.count_symbols("héllo") == 5 and m.get_str()
    cycle(500)
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cycle(10_000)
    gc.collect()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert after - before < 64 * 1024, f"max RSS grew from {before} to {after} KiB over 10,000 instances"


# ---- `wasmint run`: --invoke and command components ----

def wasmint_run(*args, **kw):
    import subprocess
    import sys
    return subprocess.run([sys.executable, "-m", "wasmint", "run", *args], capture_output=True, text=True, **kw)


@pytest.mark.parametrize("build", BUILDS)
def test_wasmint_run_invoke_with_wit_values(build):
    path = str(FIXTURES / build)
    calls = {
        "get-u32()": "42",
        "get-str()": '"simple string to return"',
        "get-vec()": "[1, 2, 3, 4, 5]",
        "run(7, {x: 1, y: 2}, {x: 3, y: 4})": '{machine-id: 7, message: "machine 7 run from (1,2) to (3,4)"}',
        'count-symbols("日本語🎉")': "4",
    }
    for call, out in calls.items():
        p = wasmint_run("--invoke", call, path)
        assert (p.returncode, p.stdout.strip(), p.stderr) == (0, out, ""), call


def test_wasmint_run_invoke_refuses_bad_arguments_with_status_2():
    path = str(FIXTURES / "machine-rust.wasm")
    p = wasmint_run("--invoke", "run(7, {x: 1}, {x: 3, y: 4})", path)
    assert p.returncode == 2 and "field `y` of point is missing" in p.stderr
    p = wasmint_run("--invoke", "count-symbols(5)", path)
    assert p.returncode == 2 and "expected a string" in p.stderr
    p = wasmint_run("--invoke", "nope()", path)
    assert p.returncode == 1 and "exports no function `nope`" in p.stderr


CLI = json.loads((FIXTURES / "hello-cli-expected.json").read_text())["runs"]


@pytest.mark.parametrize("case", CLI, ids=[f"{r['wasm']}-{r['case']}" for r in CLI])
def test_command_components_print_what_wasmtime_printed(case, tmp_path):
    import shutil
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", data)
    p = wasmint_run("--dir", f"{data}::/data", "--env", "A=1", str(FIXTURES / case["wasm"]), *case["args"])
    assert p.stdout == case["stdout"]
    assert p.stderr == case["stderr"]
    assert p.returncode == case["exit_code"]
    assert {f.name: f.read_text() for f in sorted(data.iterdir())} == case["dir_after"]


def test_command_components_from_python_with_captured_output(tmp_path):
    import shutil
    shutil.copytree(FIXTURES / "data", tmp_path / "data")
    case = next(r for r in CLI if r["wasm"] == "hello-cli-rust.wasm" and r["case"] == "args")
    store = Store()
    linker = Linker(store)
    wasi = linker.add_wasip2(args=["hello-cli-rust.wasm", *case["args"]], env={"A": "1"},
                             preopens={"/data": str(tmp_path / "data")}, stdout=True, stderr=True)
    assert linker.instantiate(Component(store, load("hello-cli-rust.wasm"))).run() == case["exit_code"]
    assert wasi.stdout.decode() == case["stdout"] and wasi.stderr.decode() == case["stderr"]


def test_the_sandbox_holds_for_components(tmp_path):
    # Without --dir the program sees no files; with it, nothing outside.
    p = wasmint_run("--env", "A=1", str(FIXTURES / "hello-cli-rust.wasm"))
    assert p.returncode == 0
    assert "cannot open /data/input.txt: No such file or directory" in p.stdout
    assert "line one of input.txt" not in p.stdout


# ---- typed bindings: python -m wasmint bindgen ----

def bindings(tmp_path, fixture, module):
    import subprocess
    import sys
    out = tmp_path / f"{module}.py"
    p = subprocess.run([sys.executable, "-m", "wasmint", "bindgen", str(FIXTURES / fixture), "-o", str(out)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return out


def import_file(path):
    import importlib.util
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    import sys
    sys.modules[path.stem] = mod
    spec.loader.exec_module(mod)
    return mod


def test_generated_bindings_pass_mypy_strict(tmp_path):
    import subprocess
    import sys
    files = [bindings(tmp_path, f, m) for f, m in [("machine-rust.wasm", "machine_b"), ("alltypes.wasm", "alltypes_b"),
                                                  ("machine-c.wasm", "machine_c_b")]]
    use = tmp_path / "use_bindings.py"
    use.write_text(
        "import wasmint\n"
        "from wasmint.component import Linker\n"
        "from machine_b import MachineB, Point, RunResult\n"
        "from alltypes_b import AlltypesB, Color, Perms\n"
        "store = wasmint.Store()\n"
        "m = MachineB(store, b'')\n"
        "r: RunResult = m.machine_interface.run(7, Point(1, 2), Point(3, 4))\n"
        "n: int = m.machine_interface.count_symbols('x') + r.machine_id\n"
        "from alltypes_b import HostImports, Point as APoint, define_host\n"
        "class MyHost:\n"
        "    def log(self, msg: str) -> None:\n"
        "        print(msg)\n"
        "    def transform(self, p: APoint) -> APoint:\n"
        "        return APoint(p.y, p.x)\n"
        "impl: HostImports = MyHost()\n"
        "linker = Linker(store)\n"
        "define_host(linker, MyHost())\n"
        "a = AlltypesB(store, b'', linker)\n"
        "c: Color = a.types.next_color(Color.RED)\n"
        "p: Perms = a.types.invert_perms(Perms.READ)\n"
        "k = a.types.Counter(5)\n"
        "v: int = k.add(1) + a.types.Counter.merge(k, k).get()\n"
    )
    p = subprocess.run([sys.executable, "-m", "mypy", "--strict", *map(str, files), str(use)],
                       capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    # And a mistake is caught: a str where the u64 goes.
    use.write_text("import wasmint\nfrom machine_b import MachineB, Point\n"
                   "MachineB(wasmint.Store(), b'').machine_interface.run('7', Point(1, 2), Point(3, 4))\n")
    p = subprocess.run([sys.executable, "-m", "mypy", "--strict", str(files[0]), str(use)],
                       capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 1 and 'Argument 1 to "run" of "MachineInterface" has incompatible type "str"' in p.stdout


def test_generated_bindings_make_the_same_calls(tmp_path):
    mb = import_file(bindings(tmp_path, "machine-rust.wasm", "machine_t"))
    m = mb.MachineT(Store(), load("machine-rust.wasm"))
    mi = m.machine_interface
    assert (mi.get_u32(), mi.get_str(), mi.get_vec()) == (42, "simple string to return", b"\x01\x02\x03\x04\x05")
    r = mi.run(7, mb.Point(1, 2), mb.Point(x=3, y=4))
    assert r == mb.RunResult(machine_id=7, message="machine 7 run from (1,2) to (3,4)")
    assert mi.count_symbols("日本語🎉") == 4

    ab = import_file(bindings(tmp_path, "alltypes.wasm", "alltypes_t"))
    store = Store()
    linker = Linker(store)
    seen = []

    class Host:
        def log(self, msg):
            seen.append(msg)

        def transform(self, p):
            assert isinstance(p, ab.Point), "host functions get the typed classes"
            return ab.Point(p.y, p.x)
    ab.define_host(linker, Host())
    t = ab.AlltypesT(store, load("alltypes.wasm"), linker).types
    assert t.call_host_transform(ab.Point(1, 2)) == ab.Point(2, 1)
    assert t.log_all(["a", "b"]) == 2 and seen == ["a", "b"]
    assert t.next_color(ab.Color.BLUE) is ab.Color.RED
    assert t.invert_perms(ab.Perms.READ) == ab.Perms.WRITE | ab.Perms.EXEC
    person = t.echo_person(ab.Person(name="Ada", age=36, tags=["math"]))
    assert person == ab.Person(name="Ada", age=36, tags=["math"]) and isinstance(person, ab.Person)
    inv = t.echo_inventory(ab.Inventory(owner="me", items=[Variant("rect", ab.Point(1, 2)), Variant("empty")]))
    assert inv.items[0] == Variant("rect", ab.Point(1, 2)) and isinstance(inv.items[0].value, ab.Point)
    with t.Counter(5) as c:
        assert c.add(10) == 15
        other = t.Counter(1)
        merged = t.Counter.merge(c, other)
        assert isinstance(merged, t.Counter) and merged.get() == 16
        assert t.Counter.consume(merged) == 16
        other.drop()
    assert t.live_count() == 0
    with pytest.raises(ComponentError):
        t.parse_u32("nope")


# ---- hostile components: clear errors, never a crash ----

HOSTILE = '''(component
  (core module $m
    (memory (export "memory") 1)
    (global $bad (mut i32) (i32.const 0))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      global.get $bad if (result i32) i32.const 0x7ffffff0 else i32.const 1024 end)
    (func (export "set-bad") global.get $bad i32.eqz global.set $bad)
    (func (export "take") (param i32 i32))
    (func (export "ret") (param i32) (result i32)
      ;; result pointer at 16: (ptr, len) from the case argument
      (block $done
        (block $c3 (block $c2 (block $c1 (block $c0
          local.get 0 br_table $c0 $c1 $c2 $c3 $done)
          ;; 0: invalid UTF-8
          i32.const 64 i32.const 0xc3 i32.store8
          i32.const 16 i32.const 64 i32.store i32.const 20 i32.const 1 i32.store br $done)
        ;; 1: a length past the memory
        i32.const 16 i32.const 100 i32.store i32.const 20 i32.const 0x10000000 i32.store br $done)
        ;; 2: a pointer past the memory
        i32.const 16 i32.const 0xfffffff0 i32.store i32.const 20 i32.const 32 i32.store br $done)
      ;; 3: fine
      i32.const 64 i32.const 0x41 i32.store8
      i32.const 16 i32.const 64 i32.store i32.const 20 i32.const 1 i32.store)
      i32.const 16)
    (func (export "color") (param i32) (result i32) local.get 0)
    (func (export "chr") (param i32) (result i32) local.get 0)
    (func (export "list-ptr") (result i32)
      i32.const 16 i32.const 3 i32.store i32.const 20 i32.const 1 i32.store i32.const 16))
  (core instance $i (instantiate $m))
  (func (export "set-bad") (canon lift (core func $i "set-bad")))
  (func (export "take") (param "s" string)
    (canon lift (core func $i "take") (memory (core memory $i "memory")) (realloc (core func $i "realloc"))))
  (func (export "ret") (param "case" u32) (result string)
    (canon lift (core func $i "ret") (memory (core memory $i "memory"))))
  (type $color (enum "red" "green"))
  (export $c "color" (type $color))
  (func (export "to-color") (param "x" u32) (result $c) (canon lift (core func $i "color")))
  (func (export "chr") (param "x" u32) (result char) (canon lift (core func $i "chr")))
  (func (export "list-ptr") (result (list u32)) (canon lift (core func $i "list-ptr") (memory (core memory $i "memory")))))'''


def hostile():
    store = Store()
    return Linker(store).instantiate(Component(store, HOSTILE)).exports


@pytest.mark.parametrize("call, message", [
    (lambda e: e.ret(0), "invalid UTF-8 string"),
    (lambda e: e.ret(1), "out of bounds of memory"),
    (lambda e: e.ret(2), "out of bounds of memory"),
    (lambda e: e.to_color(7), "enum case 7 out of range"),
    (lambda e: e.chr(0xD800), "0xd800 is not a Unicode scalar value"),
    (lambda e: e.chr(0x110000), "is not a Unicode scalar value"),
    (lambda e: e.list_ptr(), "list pointer 0x3 is not aligned to 4"),
])
def test_what_a_component_hands_over_is_checked(call, message):
    e = hostile()
    with pytest.raises(Trap, match=message):
        call(e)
    assert e.ret(3) == "A", "the instance still works"


def test_a_realloc_returning_a_pointer_out_of_bounds_traps():
    e = hostile()
    e.take("fine")
    e.set_bad()
    with pytest.raises(Trap, match="out of bounds of memory"):
        e.take("hello")
    e.set_bad()
    e.take("fine again")


def test_many_hostile_calls_do_not_grow_memory():
    import resource
    e = hostile()
    for _ in range(200):
        with pytest.raises(Trap):
            e.ret(1)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(5000):
        with pytest.raises(Trap):
            e.ret(1)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 16 * 1024


def test_the_readme_example_runs(monkeypatch):
    import re
    root = FIXTURES.parents[1]
    readme = (root / "README.md").read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)\n```", readme, re.S) if "wasmint.component" in b)
    monkeypatch.chdir(root)
    exec(compile(block, "README.md", "exec"), {})


def test_a_live_instance_survives_the_store_s_collections():
    store = Store()
    component = Component(store, load("machine-rust.wasm"))
    kept = Linker(store).instantiate(component).exports[MACHINE]
    run = kept.run  # only a function held: it keeps its instance's parts alive
    del kept
    gc.collect()
    for _ in range(300):  # each instantiation may collect what nobody holds
        Linker(store).instantiate(component).exports[MACHINE].get_u32()
    assert run(1, {"x": 1, "y": 1}, {"x": 2, "y": 2}).message == "machine 1 run from (1,1) to (2,2)"


def test_a_host_function_capturing_its_own_instance_is_collected():
    # A cycle through the store (its host callables) and back: the GC
    # sees every reference, so it frees the lot.
    import weakref

    def cycle():
        store = Store()
        linker = Linker(store)
        holder = {}
        linker.define("xyz:alltypes/host", {"log": lambda msg: holder, "transform": lambda p: p})
        api = linker.instantiate(Component(store, load("alltypes.wasm"))).exports["xyz:alltypes/types"]
        holder["api"] = api
        holder["counter"] = api.Counter(1)
        assert api.call_host_transform({"x": 1, "y": 2}).x == 1
        return weakref.ref(holder["counter"]), weakref.ref(linker)

    refs = [cycle() for _ in range(3)]
    gc.collect()
    assert all(r() is None for pair in refs for r in pair)


@pytest.mark.parametrize("wit, wasm", [("machine.wit", "machine-rust.wasm"), ("alltypes.wit", "alltypes.wasm")])
def test_bindings_from_the_wit_equal_those_from_the_component(tmp_path, wit, wasm):
    import subprocess
    import sys
    outs = []
    for src, folder in [(FIXTURES / "wit" / wit, "a"), (FIXTURES / wasm, "b")]:
        (tmp_path / folder).mkdir()
        out = tmp_path / folder / "bindings.py"
        p = subprocess.run([sys.executable, "-m", "wasmint", "bindgen", str(src), "-o", str(out)], capture_output=True, text=True)
        assert p.returncode == 0, p.stdout + p.stderr
        outs.append(out.read_text())
    assert outs[0] == outs[1]


def test_bindgen_reports_bad_wit_with_status_1(tmp_path):
    import subprocess
    import sys
    bad = tmp_path / "bad.wit"
    bad.write_text("package a:b; interface i { f: func(x: nope) -> u32; } world w { export i; }")
    p = subprocess.run([sys.executable, "-m", "wasmint", "bindgen", str(bad)], capture_output=True, text=True)
    assert p.returncode == 1 and "unknown type `nope` in interface `i`" in p.stdout
