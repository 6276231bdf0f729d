"""wasmint.wasi: the C programs of spec-tests/wasi run from Python as from
`wasmint run`, sandboxed, with stdio captured or given."""

import os
import pathlib
import subprocess
import sys

import pytest

import wasmint
from wasmint import Instance, Module, Store, wasi

PROGRAMS = pathlib.Path(__file__).resolve().parents[2] / "spec-tests" / "wasi"

DEMO_OUT = (
    "arg 0: demo.wasm\narg 1: x\narg 2: y z\nenv: A=1\nenv: B=two\n"
    "read: line one\nread: line two\nentry: input.txt\nentry: output.txt\n"
)


def start(name, builder, version=None):
    """Runs program `name` with the environment of `builder`; returns
    (exit status, environment)."""
    store = Store()
    module = Module(store, (PROGRAMS / f"{name}.wasm").read_bytes())
    env = builder.finalize()
    version = version or wasi.get_version(module, strict=True)
    instance = Instance(module, env.generate_import_object(store, version))
    try:
        instance.exports._start()
        return 0, env
    except wasi.Exit as e:
        assert env.exit_code == e.code
        return e.code, env


@pytest.fixture
def data(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "input.txt").write_text("line one\nline two\n")
    return tmp_path


def test_demo_from_python_matches_the_cli(data):
    builder = (
        wasi.StateBuilder("demo.wasm")
        .arguments(["x", "y z"])
        .environments({"A": "1", "B": "two"})
        .map_directory("/data", str(data / "data"))
        .capture_stdout()
    )
    status, env = start("demo", builder)
    assert status == 3
    assert env.stdout.decode() == DEMO_OUT
    assert (data / "data" / "output.txt").read_text() == "written by demo.wasm with 3 args\n"

    # The same program under `wasmint run` (through python -m wasmint).
    (data / "data" / "output.txt").unlink()
    (data / "demo.wasm").write_bytes((PROGRAMS / "demo.wasm").read_bytes())
    cli = subprocess.run(
        [sys.executable, "-m", "wasmint", "run", "--dir", "data::/data", "--env", "A=1", "--env", "B=two",
         "demo.wasm", "x", "y z"],
        cwd=data, capture_output=True, text=True, env={**os.environ, "SECRET": "not visible"},
    )
    assert (cli.returncode, cli.stdout) == (3, env.stdout.decode())
    assert (data / "data" / "output.txt").read_text() == "written by demo.wasm with 3 args\n"


def test_every_escape_is_refused(tmp_path):
    sb, other = tmp_path / "sb", tmp_path / "other"
    sb.mkdir()
    other.mkdir()
    (tmp_path / "secret.txt").write_text("secret\n")
    os.symlink("../secret.txt", sb / "host_rel")
    os.symlink(tmp_path / "secret.txt", sb / "host_abs")
    os.symlink("..", sb / "host_dir")
    builder = wasi.StateBuilder("escape").map_directories({"/sb": str(sb), "/other": str(other)}).capture_stdout()
    status, env = start("escape", builder)
    out = env.stdout.decode()
    assert "ESCAPED" not in out
    assert out.endswith("rename between preopens: 0\n0 escapes\n")
    assert out.count("refused ") == 26
    assert status == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other", "sb", "secret.txt"]


def test_files(tmp_path):
    status, env = start("files", wasi.StateBuilder("files").preopen_directory(str(tmp_path)).capture_stdout())
    # preopen_directory maps the path as itself; files.c uses /sb.
    assert status == 1 and b"FAIL" in env.stdout
    status, env = start("files", wasi.StateBuilder("files").map_directory("/sb", str(tmp_path)).capture_stdout())
    assert (status, env.stdout.splitlines()[-1]) == (0, b"0 failures")


def test_stdin_bytes_callbacks_and_exit_code():
    chunks = []
    builder = (
        wasi.StateBuilder("misc")
        .argument("5")
        .environment("GREETING", "hi")
        .stdin(b"abc\n")
        .stdout(chunks.append)
        .capture_stderr()
    )
    status, env = start("misc", builder)
    assert status == 5
    out = b"".join(chunks).decode()
    assert "arg: 5\nGREETING=hi\nHOME=(unset)\n" in out
    assert "slept at least 50ms: 1\nrandom: 1\nabc\nstdin bytes: 4\n" in out
    assert env.stderr == b"to stderr\n"
    assert env.stdout is None


def test_a_raising_output_callback_ends_the_call():
    def boom(chunk):
        raise ValueError("no output please")

    with pytest.raises(ValueError, match="no output please"):
        start("misc", wasi.StateBuilder("misc").stdin(b"").stdout(boom))


def test_exit_is_a_runtime_error_with_the_code():
    store = Store()
    module = Module(store, """(module
        (import "wasi_unstable" "proc_exit" (func $exit (param i32)))
        (func (export "_start") (call $exit (i32.const 260))))""")
    version = wasi.get_version(module)
    assert version == wasi.Version.SNAPSHOT0
    env = wasi.StateBuilder("x").finalize()
    instance = Instance(module, env.generate_imports(store, version))
    with pytest.raises(RuntimeError) as info:
        instance.exports._start()
    assert isinstance(info.value, wasi.Exit) and info.value.code == 260
    assert env.exit_code == 260


def test_versions_and_imports():
    store = Store()
    env = wasi.StateBuilder("x").finalize()
    new = env.generate_imports(store, wasi.Version.LATEST)["wasi_snapshot_preview1"]
    old = env.generate_imports(store, wasi.Version.SNAPSHOT0)["wasi_unstable"]
    assert len(new) == 46 and len(old) == 45 and "sock_accept" not in old
    assert isinstance(new["fd_write"], wasmint.Function)
    assert new["fd_write"].type.params == [wasmint.Type.I32] * 4
    mixed = Module(store, '(module (import "wasi_snapshot_preview1" "sched_yield" (func (result i32))) '
                          '(import "env" "f" (func)))')
    assert wasi.get_version(mixed, strict=True) is None
    assert wasi.get_version(mixed) == wasi.Version.SNAPSHOT1
    import_object = env.generate_import_object(store, wasi.Version.SNAPSHOT1)
    assert import_object.contains_namespace("wasi_snapshot_preview1")


def test_bad_directory_and_values():
    with pytest.raises(ValueError, match="cannot open directory"):
        wasi.StateBuilder("x").map_directory("/d", "/definitely/not/here").finalize()
    with pytest.raises(ValueError):
        wasi.StateBuilder("x").environment("A=B", "c").finalize()
    with pytest.raises(TypeError):
        wasi.StateBuilder("x").stdout(42).finalize()
