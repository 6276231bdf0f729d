//! WASI programs written in C (`spec-tests/wasi/*.c`, built to the
//! committed `.wasm` by `build.sh`), run through the library and through
//! `wasmint run`: files, directories, args/env, clocks, sleeping, stdio,
//! exit codes, and every sandbox escape we know of.

#![cfg(unix)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use wasmint::wasi::{self, Input, Output, WasiCtxBuilder};
use wasmint::{Module, Store};

fn program(name: &str) -> Module {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("spec-tests/wasi").join(format!("{name}.wasm"));
    Module::new(&std::fs::read(&path).unwrap()).unwrap()
}

/// A fresh folder with a sandbox `sb` (holding `input.txt` and host-made
/// symlinks pointing out), a second one `other`, and `secret.txt` beside.
struct Tree(PathBuf);

impl Tree {
    fn new(tag: &str) -> Tree {
        let root = std::env::temp_dir().join(format!("wasmint-wasi-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("sb")).unwrap();
        std::fs::create_dir_all(root.join("other")).unwrap();
        std::fs::write(root.join("secret.txt"), "secret\n").unwrap();
        std::fs::write(root.join("sb/input.txt"), "line one\nline two\n").unwrap();
        std::os::unix::fs::symlink("../secret.txt", root.join("sb/host_rel")).unwrap();
        std::os::unix::fs::symlink(root.join("secret.txt"), root.join("sb/host_abs")).unwrap();
        std::os::unix::fs::symlink("..", root.join("sb/host_dir")).unwrap();
        Tree(root)
    }
    fn sb(&self) -> PathBuf {
        self.0.join("sb")
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A writer into a shared buffer.
#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);
impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
impl Buf {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// Runs `name` in-process: (exit status, stdout, stderr).
fn run(name: &str, b: &mut WasiCtxBuilder) -> (u32, String, String) {
    let (out, err) = (Buf::default(), Buf::default());
    b.stdout(Output::Writer(Box::new(out.clone()))).stderr(Output::Writer(Box::new(err.clone())));
    let status = wasi::run(&mut Store::new(), &program(name), b.build().unwrap(), None).unwrap();
    (status, out.text(), err.text())
}

const DEMO_OUT: &str = "arg 0: demo.wasm\narg 1: x\narg 2: y z\nenv: A=1\nenv: B=two\n\
read: line one\nread: line two\nentry: input.txt\nentry: output.txt\n";

#[test]
fn demo_in_process() {
    let t = Tree::new("demo");
    std::fs::remove_file(t.sb().join("host_rel")).unwrap();
    std::fs::remove_file(t.sb().join("host_abs")).unwrap();
    std::fs::remove_file(t.sb().join("host_dir")).unwrap();
    let mut b = WasiCtxBuilder::new();
    b.arg("demo.wasm").arg("x").arg("y z").env("A", "1").env("B", "two").preopen_dir(t.sb(), "/data");
    let (status, out, _) = run("demo", &mut b);
    assert_eq!((status, out.as_str()), (3, DEMO_OUT));
    assert_eq!(std::fs::read_to_string(t.sb().join("output.txt")).unwrap(), "written by demo.wasm with 3 args\n");
}

#[test]
fn demo_with_the_cli() {
    let t = Tree::new("democli");
    for l in ["host_rel", "host_abs", "host_dir"] {
        std::fs::remove_file(t.sb().join(l)).unwrap();
    }
    let wasm = Path::new(env!("CARGO_MANIFEST_DIR")).join("spec-tests/wasi/demo.wasm");
    std::fs::copy(&wasm, t.0.join("demo.wasm")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wasmint"))
        .current_dir(&t.0)
        .env("HOST_ONLY", "must not leak")
        .args(["run", "--dir", "sb::/data", "--env", "A=1", "--env=B=two", "demo.wasm", "x", "y z"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), DEMO_OUT);
    assert_eq!(std::fs::read_to_string(t.sb().join("output.txt")).unwrap(), "written by demo.wasm with 3 args\n");
}

#[test]
fn files_in_a_mapped_directory() {
    let t = Tree::new("files");
    let mut b = WasiCtxBuilder::new();
    b.arg("files").preopen_dir(t.sb(), "/sb");
    let (status, out, _) = run("files", &mut b);
    assert!(out.ends_with("\n0 failures\n"), "{out}");
    assert!(!out.contains("FAIL"), "{out}");
    assert_eq!(out.lines().filter(|l| l.starts_with("ok ")).count(), 33, "{out}");
    assert_eq!(status, 0);
}

/// Every path call with trailing slashes, symlinks, and directories opened
/// for writing gives what Linux gives a native program (paths.expected,
/// written by build.sh from the same C source built natively), including
/// the rights a directory descriptor reports.
#[test]
fn path_calls_as_linux_gives_them() {
    let t = Tree::new("paths");
    let mut b = WasiCtxBuilder::new();
    b.arg("paths").arg("/r").preopen_dir(t.sb(), "/r");
    let (status, out, _) = run("paths", &mut b);
    assert_eq!(status, 0);
    let expected = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec-tests/wasi/paths.expected")).unwrap();
    let diff: Vec<String> = expected
        .lines()
        .zip(out.lines())
        .filter(|(e, o)| e != o)
        .map(|(e, o)| format!("expected {e:?}, got {o:?}"))
        .collect();
    assert!(diff.is_empty() && expected.lines().count() == out.lines().count(), "{}\n{out}", diff.join("\n"));
}

#[test]
fn every_escape_is_refused() {
    let t = Tree::new("escape");
    let mut b = WasiCtxBuilder::new();
    b.arg("escape").preopen_dir(t.sb(), "/sb").preopen_dir(t.0.join("other"), "/other");
    let (status, out, _) = run("escape", &mut b);
    assert!(!out.contains("ESCAPED"), "{out}");
    let refused: Vec<&str> = out.lines().filter(|l| l.starts_with("refused ")).collect();
    assert_eq!(refused.len(), 26, "{out}");
    // `..`, absolute paths and symlinks out: ENOTCAPABLE (76); the symlink
    // loop: ELOOP (32).
    for l in &refused {
        let ok = l.ends_with("errno 76 (Capabilities insufficient)") || (l.contains("loop") && l.contains("errno 32"));
        assert!(ok, "unexpected refusal: {l}");
    }
    assert!(out.ends_with("rename between preopens: 0\n0 escapes\n"), "{out}");
    assert_eq!(status, 0);
    // Nothing was created or moved outside the sandboxes.
    let mut outside: Vec<String> =
        std::fs::read_dir(&t.0).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    outside.sort();
    assert_eq!(outside, ["other", "sb", "secret.txt"]);
    assert_eq!(std::fs::read_to_string(t.0.join("secret.txt")).unwrap(), "secret\n");
    assert!(t.0.join("other/mine").exists());
}

#[test]
fn args_env_clocks_sleep_random_stdio_and_exit_code() {
    let mut b = WasiCtxBuilder::new();
    b.arg("misc").arg("42").arg("two words").env("GREETING", "hello");
    b.stdin(Input::Bytes(std::io::Cursor::new(b"from stdin\n".to_vec())));
    let (status, out, err) = run("misc", &mut b);
    assert_eq!(
        out,
        "arg: 42\narg: two words\nGREETING=hello\nHOME=(unset)\nrealtime after 2020: 1\nclock_getres ok: 1\n\
         slept at least 50ms: 1\nrandom: 1\nfrom stdin\nstdin bytes: 11\n"
    );
    assert_eq!(err, "to stderr\n");
    assert_eq!(status, 42);
}

#[test]
fn cli_gives_no_host_environment_unless_asked() {
    let wasm = Path::new(env!("CARGO_MANIFEST_DIR")).join("spec-tests/wasi/misc.wasm");
    let run = |extra: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_wasmint"));
        c.arg("run").args(extra).arg(&wasm).arg("9").env("GREETING", "from host").env("HOME", "/home/x");
        let mut child = c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(b"piped\n").unwrap();
        let out = child.wait_with_output().unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
    };
    let (code, out, err) = run(&[]);
    assert_eq!(code, Some(9));
    assert!(out.contains("GREETING=(unset)\nHOME=(unset)\n"), "{out}");
    assert!(out.contains("piped\nstdin bytes: 6\n"), "{out}");
    assert_eq!(err, "to stderr\n");
    let (_, out, _) = run(&["--env", "GREETING=given"]);
    assert!(out.contains("GREETING=given\nHOME=(unset)\n"), "{out}");
    let (_, out, _) = run(&["--inherit-env"]);
    assert!(out.contains("GREETING=from host\nHOME=/home/x\n"), "{out}");
}

#[test]
fn cli_traps_exit_134() {
    let t = Tree::new("trap");
    let wat = t.0.join("trap.wat");
    std::fs::write(
        &wat,
        r#"(module (memory (export "memory") 1) (func (export "_start") i32.const 0 i32.const 0 i32.div_u drop))"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wasmint")).arg("run").arg(&wat).output().unwrap();
    assert_eq!(out.status.code(), Some(134));
    // The message, then the backtrace as wasmtime prints it (offset of the
    // `i32.div_u`, as `wasmtime run` reports it).
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "wasmint run: trap: integer divide by zero\nerror while executing at wasm backtrace:\n    0:     0x35 - <unknown>!<wasm function 0>\n"
    );
}

/// The `wasmint` binary runs every SIMD instruction 100,000 times: a
/// handler of this build that does not end in a tail call would overflow
/// the main thread's stack (the library's unit test checks its own build,
/// whose code the compiler lays out differently).
#[test]
fn cli_simd_handlers_run_in_constant_native_stack() {
    let body = wasmint::script::every_simd_instruction();
    let t = Tree::new("simd-loop");
    let wat = t.0.join("simd.wat");
    std::fs::write(
        &wat,
        format!(
            "(module (memory (export \"memory\") 1) (func (export \"_start\") (local $n i32)
               (local.set $n (i32.const 100000))
               (loop $l {body} (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))"
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wasmint")).arg("run").arg(&wat).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Descriptor numbers as wasmtime hands them out: the highest one freed
/// (by `fd_close` or `fd_renumber`) first, else one past the last. Programs
/// that renumber stdout away and open files afterwards (YoWASP yosys's abc
/// does) depend on it: lowest-first would give them fd 1 back, and their
/// later stdout output would land in a file. Exit status 0, or the failed
/// check's number.
#[test]
fn descriptor_numbers_are_reused_highest_first() {
    let t = Tree::new("fdnum");
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "path_open"
        (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_renumber" (func $renumber (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (data (i32.const 16) "abcdef")
      ;; Creates the file named by byte 16 + $i in the preopen (fd 3): its fd.
      (func $new (param $i i32) (result i32)
        (if (call $open (i32.const 3) (i32.const 0) (i32.add (i32.const 16) (local.get $i)) (i32.const 1)
              (i32.const 1) (i64.const 66) (i64.const 0) (i32.const 0) (i32.const 0))
          (then (call $exit (i32.const 100))))
        (i32.load (i32.const 0)))
      (func $want (param $got i32) (param $want i32) (param $check i32)
        (if (i32.ne (local.get $got) (local.get $want)) (then (call $exit (local.get $check)))))
      (func (export "_start")
        (call $want (call $new (i32.const 0)) (i32.const 4) (i32.const 1))
        (call $want (call $new (i32.const 1)) (i32.const 5) (i32.const 2))
        (call $want (call $new (i32.const 2)) (i32.const 6) (i32.const 3))
        (drop (call $close (i32.const 4)))
        (drop (call $close (i32.const 5)))
        ;; Highest freed first.
        (call $want (call $new (i32.const 3)) (i32.const 5) (i32.const 4))
        (call $want (call $new (i32.const 4)) (i32.const 4) (i32.const 5))
        ;; stdout renumbered over 6: 1 is free; renumbering onto a closed
        ;; fd is EBADF (8); the next file gets 1.
        (call $want (call $renumber (i32.const 1) (i32.const 6)) (i32.const 0) (i32.const 6))
        (call $want (call $renumber (i32.const 5) (i32.const 1)) (i32.const 8) (i32.const 7))
        (call $want (call $new (i32.const 5)) (i32.const 1) (i32.const 8))
        (call $exit (i32.const 0))))"#;
    let module = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    let mut b = WasiCtxBuilder::new();
    b.preopen_dir(t.sb(), "/sb");
    let status = wasi::run(&mut Store::new(), &module, b.build().unwrap(), None).unwrap();
    assert_eq!(status, 0, "check {status} failed");
}

/// `examples/exceptions.wat` under `wasmint run`: exceptions thrown three
/// calls deep and caught by tag (`try_table`), and by the legacy `try`.
#[test]
fn exceptions_example_with_the_cli() {
    let wat = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/exceptions.wat");
    let out = Command::new(env!("CARGO_BIN_EXE_wasmint")).arg("run").arg(&wat).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "sum: 51\nbad character at 2\nsum: 300\nempty line\nsum: 42\n");
}

/// `wasmint run ARGS` in `dir`, whose `m.wat` is `wat`: (status, stdout, stderr).
fn cli(t: &Tree, wat: &str, args: &[&str]) -> (Option<i32>, String, String) {
    std::fs::write(t.0.join("m.wat"), wat).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wasmint")).current_dir(&t.0).arg("run").args(args).output().unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

/// A reactor: `_initialize` (which prints) and no `_start`, plus functions
/// for `--invoke`.
const REACTOR: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "initialized\n")
  (func (export "_initialize")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 12))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "all") (param i32 i64 f32 f64) (result i32 i64 f32 f64 i32)
    local.get 0 local.get 1 local.get 2 local.get 3 (i32.add (local.get 0) (i32.const 1)))
  (func (export "floats") (param f32 f64) (result f64 f32) local.get 1 local.get 0)
  (func (export "none"))
  (func (export "takes_ref") (param i32 externref))
  (func (export "takes_v128") (param v128)))"#;

#[test]
fn cli_runs_a_reactor() {
    let t = Tree::new("reactor");
    assert_eq!(cli(&t, REACTOR, &["m.wat"]), (Some(0), "initialized\n".into(), String::new()));
    // `_initialize` runs once, before the invoked function.
    assert_eq!(cli(&t, REACTOR, &["--invoke", "none", "m.wat"]), (Some(0), "initialized\n".into(), String::new()));
    assert_eq!(cli(&t, REACTOR, &["--invoke", "_initialize", "m.wat"]).1, "initialized\n");
    // Neither `_start` nor `_initialize`: nothing to run.
    let (code, _, err) = cli(&t, "(module)", &["m.wat"]);
    assert_eq!((code, err.as_str()), (Some(1), "wasmint run: the module exports no function `_start`\n"));
}

#[test]
fn cli_invoke_parses_args_and_prints_results() {
    let t = Tree::new("invoke");
    let run = |args: &[&str]| {
        let mut v = vec!["--invoke"];
        v.extend_from_slice(args);
        cli(&t, REACTOR, &v)
    };
    let (code, out, err) = run(&["all", "m.wat", "-7", "18446744073709551615", "1.5", "-2.25"]);
    assert_eq!((code, err.as_str()), (Some(0), ""));
    assert_eq!(out, "initialized\n-7\n-1\n1.5\n-2.25\n-6\n");
    // The unsigned range wraps; i32::MIN and i64::MIN parse.
    let (_, out, _) = run(&["all", "m.wat", "4294967295", "-9223372036854775808", "0", "0"]);
    assert_eq!(out, "initialized\n-1\n-9223372036854775808\n0\n0\n0\n");
    let (_, out, _) = run(&["floats", "m.wat", "nan", "-inf"]);
    assert_eq!(out, "initialized\n-inf\nNaN\n");
    let (_, out, _) = run(&["floats", "m.wat", "inf", "0.1"]);
    assert_eq!(out, "initialized\n0.1\ninf\n");
    // A command's function is called with WASI too, without `_start`.
    let cmd = r#"(module (func (export "_start") unreachable) (func (export "add") (param i64 i64) (result i64)
        (i64.add (local.get 0) (local.get 1))))"#;
    assert_eq!(cli(&t, cmd, &["--invoke", "add", "m.wat", "40", "2"]), (Some(0), "42\n".into(), String::new()));
}

#[test]
fn cli_invoke_refuses_bad_args() {
    let t = Tree::new("badargs");
    let run = |args: &[&str]| {
        let mut v = vec!["--invoke"];
        v.extend_from_slice(args);
        cli(&t, REACTOR, &v)
    };
    // Usage errors: exit 2, and nothing runs (no "initialized").
    let bad = |args: &[&str], msg: &str| {
        assert_eq!(run(args), (Some(2), String::new(), format!("wasmint run: {msg}\n")), "{args:?}");
    };
    bad(&["all", "m.wat", "x", "1", "1", "1"], r#"argument 1 of `all`: "x" is not a valid i32"#);
    bad(&["all", "m.wat", "4294967296", "1", "1", "1"], r#"argument 1 of `all`: "4294967296" is not a valid i32"#);
    bad(&["all", "m.wat", "1", "1.5", "1", "1"], r#"argument 2 of `all`: "1.5" is not a valid i64"#);
    bad(&["all", "m.wat", "1", "1", "one", "1"], r#"argument 3 of `all`: "one" is not a valid f32"#);
    bad(&["all", "m.wat", "1", "2", "3"], "`all` takes 4 arguments (i32 i64 f32 f64), 3 given");
    bad(&["none", "m.wat", "1"], "`none` takes 0 arguments (), 1 given");
    bad(
        &["takes_ref", "m.wat", "1", "null"],
        "argument 2 of `takes_ref` has type externref: only i32, i64, f32 and f64 can be given",
    );
    bad(
        &["takes_v128", "m.wat", "0"],
        "argument 1 of `takes_v128` has type v128: only i32, i64, f32 and f64 can be given",
    );
    // A missing export is not a usage error (as wasmtime: 1).
    let (code, out, err) = run(&["nope", "m.wat"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (Some(1), "", "wasmint run: the module exports no function `nope`\n")
    );
}

#[test]
fn cli_run_help() {
    for flag in ["--help", "-h"] {
        let out = Command::new(env!("CARGO_BIN_EXE_wasmint")).args(["run", flag]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.starts_with("Usage:\n  wasmint run [--dir HOST[::GUEST]]..."), "{text}");
        assert!(text.contains("--invoke FUNC") && !text.contains("wasmint wast"), "{text}");
    }
    // After the file, `--help` is the guest's.
    let t = Tree::new("help");
    assert_eq!(cli(&t, REACTOR, &["m.wat", "--help"]).1, "initialized\n");
}
