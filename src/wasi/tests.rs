//! WASI functions called directly from small WAT modules: bad pointers,
//! bad descriptors, layouts of both versions, linking.

use std::sync::{Arc, Mutex};

use super::*;

/// Instantiates `body` (module fields) with WASI; returns a caller of its
/// exports.
struct T {
    store: Store,
    inst: Instance,
    ctx: Arc<Mutex<WasiCtx>>,
}

impl T {
    fn new(fields: &str, b: &mut WasiCtxBuilder) -> T {
        let module = Module::new(&wat::parse_str(format!("(module {})", imports_first(fields))).unwrap()).unwrap();
        let mut store = Store::new();
        let ctx = Arc::new(Mutex::new(b.build().unwrap()));
        let imports = imports(&mut store, &module, &ctx).unwrap();
        let inst = store.instantiate(&module, &imports).unwrap();
        T { store, inst, ctx }
    }
    fn call(&mut self, name: &str, args: &[Value]) -> i32 {
        self.try_call(name, args).unwrap()
    }
    fn try_call(&mut self, name: &str, args: &[Value]) -> std::result::Result<i32, Trap> {
        let Some(Extern::Func(f)) = self.store.export(self.inst, name) else { panic!("no {name}") };
        match self.store.call(f, args) {
            Ok(v) => Ok(match v.first() {
                Some(Value::I32(x)) => *x,
                _ => 0,
            }),
            Err(Error::Trap(t)) => Err(t),
            Err(e) => panic!("{e}"),
        }
    }
    fn mem(&mut self) -> &mut [u8] {
        let Some(Extern::Memory(m)) = self.store.export(self.inst, "memory") else { panic!() };
        self.store.memory_data_mut(m)
    }
}

/// The top-level forms of `fields`, imports moved first (text format rule).
fn imports_first(fields: &str) -> String {
    let (mut forms, mut depth, mut start) = (Vec::new(), 0, 0);
    for (k, c) in fields.char_indices() {
        match c {
            '(' if depth == 0 => {
                start = k;
                depth = 1;
            }
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    forms.push(&fields[start..=k]);
                }
            }
            _ => {}
        }
    }
    forms.sort_by_key(|f| !f.starts_with("(import"));
    forms.join("\n")
}

fn i(v: i32) -> Value {
    Value::I32(v)
}

const P1: &str = "wasi_snapshot_preview1";

fn forward(module: &str, name: &str, params: &str) -> String {
    forward_as(module, name, params, name)
}

/// A function exported as `export` that passes its parameters to the import.
fn forward_as(module: &str, name: &str, params: &str, export: &str) -> String {
    let n = params.split_whitespace().count();
    let gets: String = (0..n).map(|k| format!("local.get {k} ")).collect();
    format!(
        r#"(import "{module}" "{name}" (func ${export} (param {params}) (result i32)))
           (func (export "{export}") (param {params}) (result i32) {gets} call ${export})"#
    )
}

#[test]
fn bad_pointers_give_efault() {
    let fields = format!(
        r#"{} {} {} {} (memory (export "memory") 1)"#,
        forward(P1, "args_sizes_get", "i32 i32"),
        forward(P1, "fd_write", "i32 i32 i32 i32"),
        forward(P1, "random_get", "i32 i32"),
        forward(P1, "clock_time_get", "i32 i64 i32"),
    );
    let mut t = T::new(&fields, WasiCtxBuilder::new().arg("p").stdout(Output::Null));
    assert_eq!(t.call("args_sizes_get", &[i(0), i(4)]), 0);
    assert_eq!(t.mem()[0..8], [1, 0, 0, 0, 2, 0, 0, 0]);
    assert_eq!(t.call("args_sizes_get", &[i(65534), i(0)]), 21);
    assert_eq!(t.call("args_sizes_get", &[i(-1), i(0)]), 21);
    // An iovec whose buffer runs past the end of memory.
    t.mem()[0..8].copy_from_slice(&[0, 0xff, 0, 0, 0, 0x10, 0, 0]);
    assert_eq!(t.call("fd_write", &[i(1), i(0), i(1), i(16)]), 21);
    // A huge iovec count.
    assert_eq!(t.call("fd_write", &[i(1), i(0), i(0x1fff_ffff), i(16)]), 21);
    assert_eq!(t.call("random_get", &[i(65000), i(1000)]), 21);
    assert_eq!(t.call("random_get", &[i(0), i(65536)]), 0);
    assert_eq!(t.call("clock_time_get", &[i(1), Value::I64(0), i(65530)]), 21);
    assert_eq!(t.call("clock_time_get", &[i(9), Value::I64(0), i(0)]), 28);
}

#[test]
fn no_memory_means_efault_not_a_crash() {
    let fields = forward(P1, "args_sizes_get", "i32 i32");
    let mut t = T::new(&fields, &mut WasiCtxBuilder::new());
    assert_eq!(t.call("args_sizes_get", &[i(0), i(4)]), 21);
}

#[test]
fn bad_descriptors() {
    let fields = format!(
        r#"{} {} {} {} (memory (export "memory") 1)"#,
        forward(P1, "fd_close", "i32"),
        forward(P1, "fd_prestat_get", "i32 i32"),
        forward(P1, "fd_renumber", "i32 i32"),
        forward(P1, "sock_shutdown", "i32 i32"),
    );
    let mut t = T::new(&fields, &mut WasiCtxBuilder::new());
    assert_eq!(t.call("fd_close", &[i(7)]), 8);
    assert_eq!(t.call("fd_close", &[i(-1)]), 8);
    assert_eq!(t.call("fd_prestat_get", &[i(1), i(0)]), 8);
    assert_eq!(t.call("fd_renumber", &[i(1), i(9)]), 8);
    assert_eq!(t.call("sock_shutdown", &[i(1), i(0)]), 57);
    assert_eq!(t.call("fd_close", &[i(2)]), 0);
    assert_eq!(t.call("fd_close", &[i(2)]), 8);
}

#[test]
fn preopens_and_seek_in_both_versions() {
    let dir = std::env::temp_dir().join(format!("wasmint-wasi-unit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("f"), "0123456789").unwrap();
    let fields = format!(
        r#"{} {} {} {} {} {} (memory (export "memory") 1)"#,
        forward(P1, "fd_prestat_get", "i32 i32"),
        forward(P1, "fd_prestat_dir_name", "i32 i32 i32"),
        forward(P1, "path_open", "i32 i32 i32 i32 i32 i64 i64 i32 i32"),
        forward(P1, "fd_seek", "i32 i64 i32 i32"),
        forward_as("wasi_unstable", "fd_seek", "i32 i64 i32 i32", "old_seek"),
        forward(P1, "fd_readdir", "i32 i32 i32 i64 i32"),
    );
    let mut t = T::new(&fields, WasiCtxBuilder::new().preopen_dir(&dir, "/work"));
    assert_eq!(t.call("fd_prestat_get", &[i(3), i(0)]), 0);
    assert_eq!(t.mem()[0..8], [0, 0, 0, 0, 5, 0, 0, 0]);
    assert_eq!(t.call("fd_prestat_dir_name", &[i(3), i(16), i(4)]), 37);
    assert_eq!(t.call("fd_prestat_dir_name", &[i(3), i(16), i(5)]), 0);
    assert_eq!(&t.mem()[16..21], b"/work");
    t.mem()[100] = b'f';
    let open =
        |t: &mut T| t.call("path_open", &[i(3), i(0), i(100), i(1), i(0), Value::I64(6), Value::I64(0), i(0), i(200)]);
    assert_eq!(open(&mut t), 0);
    let fd = i32::from_le_bytes(t.mem()[200..204].try_into().unwrap());
    assert_eq!(fd, 4);
    // preview1: whence end = 2; unstable: end = 1.
    assert_eq!(t.call("fd_seek", &[i(fd), Value::I64(-3), i(2), i(300)]), 0);
    assert_eq!(t.mem()[300], 7);
    assert_eq!(t.call("old_seek", &[i(fd), Value::I64(-1), i(1), i(300)]), 0);
    assert_eq!(t.mem()[300], 9);
    assert_eq!(t.call("old_seek", &[i(fd), Value::I64(-1), i(0), i(300)]), 0);
    assert_eq!(t.mem()[300], 8);
    assert_eq!(t.call("fd_seek", &[i(fd), Value::I64(0), i(3), i(300)]), 28);
    assert_eq!(t.call("fd_seek", &[i(3), Value::I64(0), i(0), i(300)]), 31);
    // Directory listing in a buffer too small for one entry: it is cut
    // and the buffer comes back full.
    assert_eq!(t.call("fd_readdir", &[i(3), i(400), i(10), Value::I64(0), i(500)]), 0);
    assert_eq!(t.mem()[500], 10);
    assert_eq!(t.call("fd_readdir", &[i(3), i(400), i(1000), Value::I64(0), i(500)]), 0);
    let used = u32::from_le_bytes(t.mem()[500..504].try_into().unwrap()) as usize;
    assert_eq!(used, 3 * 24 + 1 + 2 + 1); // ".", "..", "f"
                                          // Absolute paths and `..` are refused.
    t.mem()[100..103].copy_from_slice(b"/..");
    assert_eq!(t.call("path_open", &[i(3), i(0), i(100), i(3), i(0), Value::I64(2), Value::I64(0), i(0), i(200)]), 76);
    assert_eq!(t.call("path_open", &[i(3), i(0), i(101), i(2), i(0), Value::I64(2), Value::I64(0), i(0), i(200)]), 76);
    drop(t);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn poll_oneoff_sleeps_on_a_clock() {
    let fields = format!(r#"{} (memory (export "memory") 1)"#, forward(P1, "poll_oneoff", "i32 i32 i32 i32"));
    let mut t = T::new(&fields, &mut WasiCtxBuilder::new());
    let m = t.mem();
    m[0..8].copy_from_slice(&77u64.to_le_bytes()); // userdata
    m[8] = 0; // clock
    m[16..20].copy_from_slice(&1u32.to_le_bytes()); // monotonic
    m[24..32].copy_from_slice(&20_000_000u64.to_le_bytes()); // 20 ms
    let start = std::time::Instant::now();
    assert_eq!(t.call("poll_oneoff", &[i(0), i(100), i(1), i(200)]), 0);
    assert!(start.elapsed() >= std::time::Duration::from_millis(20));
    let m = t.mem();
    assert_eq!(m[200], 1);
    assert_eq!(u64::from_le_bytes(m[100..108].try_into().unwrap()), 77);
    assert_eq!((m[108], m[110]), (0, 0));
    assert_eq!(t.call("poll_oneoff", &[i(0), i(100), i(0), i(200)]), 28);
}

#[test]
fn proc_exit_carries_the_code() {
    let fields = r#"(import "wasi_unstable" "proc_exit" (func $exit (param i32)))
        (func (export "_start") (call $exit (i32.const 300)))"#;
    let mut t = T::new(fields, &mut WasiCtxBuilder::new());
    let trap = t.try_call("_start", &[]).unwrap_err();
    assert_eq!(exit_code(&trap), Some(300));
    assert_eq!(trap.to_string(), "exited with status 300");
    assert_eq!(t.ctx.lock().unwrap().exit_code, Some(300));
    assert_eq!(exit_code(&Trap::host("x")), None);
}

#[test]
fn versions_and_linking() {
    let m = |imports: &str| Module::new(&wat::parse_str(format!("(module {imports})")).unwrap()).unwrap();
    let p1 = r#"(import "wasi_snapshot_preview1" "sched_yield" (func (result i32)))"#;
    let un = r#"(import "wasi_unstable" "sched_yield" (func (result i32)))"#;
    let env = r#"(import "env" "f" (func))"#;
    assert_eq!(get_version(&m(p1), true), Some(Version::Preview1));
    assert_eq!(get_version(&m(un), true), Some(Version::Unstable));
    assert_eq!(get_version(&m(""), false), None);
    assert_eq!(get_version(&m(&format!("{p1} {env}")), true), None);
    assert_eq!(get_version(&m(&format!("{p1} {env}")), false), Some(Version::Preview1));
    assert_eq!(get_version(&m(&format!("{p1} {un}")), true), None);
    let ctx = Arc::new(Mutex::new(WasiCtxBuilder::new().build().unwrap()));
    let mut store = Store::new();
    let err = |fields: &str, store: &mut Store| imports(store, &m(fields), &ctx).err().unwrap().to_string();
    assert!(err(env, &mut store).contains("unknown import"));
    assert!(err(r#"(import "wasi_unstable" "sock_accept" (func (param i32 i32 i32) (result i32)))"#, &mut store)
        .contains("unknown import"));
    assert!(err(r#"(import "wasi_unstable" "fd_close" (func (param i64) (result i32)))"#, &mut store)
        .contains("incompatible import type"));
    assert_eq!(function_names(Version::Preview1).count(), 46);
    assert_eq!(function_names(Version::Unstable).count(), 45);
}

#[test]
fn every_function_survives_hostile_arguments() {
    // Each function called with extreme pointers, lengths and descriptors,
    // on a zeroed memory, inside a scratch preopen: errno values, never a
    // panic, a hang, or a file outside the scratch directory.
    let root = std::env::temp_dir().join(format!("wasmint-wasi-hostile-{}", std::process::id()));
    let dir = root.join("scratch");
    std::fs::create_dir_all(&dir).unwrap();
    let mut fields = String::from(r#"(memory (export "memory") 1)"#);
    for version in [Version::Preview1, Version::Unstable] {
        for name in function_names(version).filter(|n| *n != "proc_exit") {
            let ty = function_type(version, name).unwrap();
            let params: Vec<String> = ty.params.iter().map(|t| t.to_string()).collect();
            let export = format!("{}_{name}", version.module_name());
            fields.push_str(&forward_as(version.module_name(), name, &params.join(" "), &export));
        }
    }
    let mut b = WasiCtxBuilder::new();
    b.stdin(Input::Bytes(std::io::Cursor::new(b"in".to_vec()))).stdout(Output::Null).stderr(Output::Null);
    let mut t = T::new(&fields, b.preopen_dir(&dir, "/s"));
    let i32s = [0, 1, 3, 4, -1, 65532, 65536, i32::MAX, i32::MIN];
    let i64s = [0, 1, -1, 1 << 40, i64::MAX, i64::MIN];
    for version in [Version::Preview1, Version::Unstable] {
        for name in function_names(version).filter(|n| *n != "proc_exit") {
            let ty = function_type(version, name).unwrap();
            for k in 0..i32s.len() * 2 {
                let args: Vec<Value> = ty
                    .params
                    .iter()
                    .enumerate()
                    .map(|(p, ty)| match ty {
                        ValType::I64 => Value::I64(i64s[(k + p) % i64s.len()]),
                        _ => Value::I32(i32s[(k * (p + 1)) % i32s.len()]),
                    })
                    .collect();
                t.mem().fill(0);
                let errno = t.call(&format!("{}_{name}", version.module_name()), &args);
                assert!((0..=76).contains(&errno), "{name}{args:?} gave {errno}");
            }
        }
    }
    drop(t);
    let outside: Vec<_> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(outside, ["scratch"]);
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn dropped_rights_are_enforced() {
    let fields = format!(
        r#"{} {} {} (memory (export "memory") 1)"#,
        forward(P1, "fd_fdstat_set_rights", "i32 i64 i64"),
        forward(P1, "fd_write", "i32 i32 i32 i32"),
        forward(P1, "fd_fdstat_get", "i32 i32"),
    );
    let mut t = T::new(&fields, WasiCtxBuilder::new().stdout(Output::Null));
    t.mem()[0..8].copy_from_slice(&[16, 0, 0, 0, 1, 0, 0, 0]);
    assert_eq!(t.call("fd_write", &[i(1), i(0), i(1), i(8)]), 0);
    let no_write = (ctx::ALL_RIGHTS & !ctx::rights::FD_WRITE) as i64;
    assert_eq!(t.call("fd_fdstat_set_rights", &[i(1), Value::I64(no_write), Value::I64(0)]), 0);
    assert_eq!(t.call("fd_write", &[i(1), i(0), i(1), i(8)]), 76);
    assert_eq!(t.call("fd_fdstat_get", &[i(1), i(100)]), 0);
    assert_eq!(u64::from_le_bytes(t.mem()[108..116].try_into().unwrap()), no_write as u64);
    // Rights never come back.
    assert_eq!(t.call("fd_fdstat_set_rights", &[i(1), Value::I64(ctx::ALL_RIGHTS as i64), Value::I64(0)]), 76);
}
