use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::*;
use crate::{Config, Extern, FuncType, Store, Value};

fn de(b: &[u8]) -> Result<Module> {
    // SAFETY: these tests feed blobs of this build, damaged ones (which the
    // checks reject) and mutants of ref-free modules, whose code cannot
    // forge references (see the trust model).
    unsafe { Module::deserialize(b) }
}

/// Recomputes the checksum after an edit, as a hostile author would.
fn reseal(blob: &mut [u8]) {
    let c = checksum(&blob[HEADER..]);
    blob[28..36].copy_from_slice(&c.to_le_bytes());
}

fn blob_of(wat: &str) -> (Module, Vec<u8>) {
    let m = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    let b = m.serialize().unwrap();
    (m, b)
}

const RICH: &str = r#"(module $rich
  (type $ii (func (param i32) (result i32)))
  (import "env" "twice" (func $twice (type $ii)))
  (import "env" "base" (global $base i32))
  (global $count (mut i32) (global.get $base))
  (global $f64 f64 (f64.const 2.5))
  (global $fref funcref (ref.func $inc))
  (memory (export "mem") 1 2)
  (data (i32.const 16) "hello")
  (data $later "world")
  (table $t 4 funcref)
  (elem (table $t) (i32.const 0) func $inc $dbl $twice)
  (elem $pass func $dbl)
  (func $inc (type $ii) (i32.add (local.get 0) (i32.const 1)))
  (func $dbl (type $ii) (i32.mul (local.get 0) (i32.const 2)))
  (func $start (global.set $count (i32.add (global.get $count) (i32.const 100))))
  (start $start)
  (func (export "count") (result i32) (global.get $count))
  (func (export "indirect") (param i32 i32) (result i32)
    (call_indirect (type $ii) (local.get 1) (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "init") (param i32) (result i32)
    (memory.init $later (local.get 0) (i32.const 0) (i32.const 5))
    (i32.load8_u (i32.add (local.get 0) (i32.const 4))))
  (func (export "table") (result i32)
    (table.init $t $pass (i32.const 3) (i32.const 0) (i32.const 1))
    (table.set $t (i32.const 2) (global.get $fref))
    (i32.add (table.size $t) (call_indirect (type $ii) (i32.const 7) (i32.const 3))))
  (func (export "switch") (param i32) (result i32)
    (block (block (block (br_table 0 1 2 (local.get 0))) (return (i32.const 10)))
      (return (i32.const 20)))
    (i32.const 30))
  (func (export "loop") (param i64) (result i64) (local $acc i64)
    (loop $l
      (local.set $acc (i64.add (local.get $acc) (local.get 0)))
      (br_if $l (i64.ne (local.tee 0 (i64.sub (local.get 0) (i64.const 1))) (i64.const 0))))
    (local.get $acc))
  (func (export "pair") (param f32 f64) (result f64 f32 i32)
    (f64.add (f64.promote_f32 (local.get 0)) (local.get 1)) (local.get 0) (call $twice (i32.const 21)))
  (func (export "float") (result f64) (global.get $f64))
)"#;

/// Instantiates RICH in `store` with its imports.
fn rich_instance(store: &mut Store, m: &Module) -> crate::Instance {
    let ty = FuncType::new([crate::ValType::I32], [crate::ValType::I32]);
    let twice = store.func_new(
        ty,
        Arc::new(|_, args, results| {
            let Value::I32(x) = args[0] else { return Err(crate::Trap::host("not an i32")) };
            results[0] = Value::I32(x * 2);
            Ok(())
        }),
    );
    let base = store.global_new(crate::GlobalType { val: crate::ValType::I32, mutable: false }, Value::I32(5)).unwrap();
    store.instantiate(m, &[Extern::Func(twice), Extern::Global(base)]).unwrap()
}

fn rich_results(m: &Module) -> Vec<String> {
    let mut store = Store::new();
    let inst = rich_instance(&mut store, m);
    let calls: &[(&str, Vec<Value>)] = &[
        ("count", vec![]),
        ("indirect", vec![Value::I32(0), Value::I32(41)]),
        ("indirect", vec![Value::I32(1), Value::I32(41)]),
        ("indirect", vec![Value::I32(2), Value::I32(41)]),
        ("indirect", vec![Value::I32(3), Value::I32(41)]),
        ("load", vec![Value::I32(17)]),
        ("init", vec![Value::I32(100)]),
        ("load", vec![Value::I32(100)]),
        ("table", vec![]),
        ("switch", vec![Value::I32(0)]),
        ("switch", vec![Value::I32(1)]),
        ("switch", vec![Value::I32(9)]),
        ("loop", vec![Value::I64(100_000)]),
        ("pair", vec![Value::F32(1.5), Value::F64(0.25)]),
        ("float", vec![]),
        ("load", vec![Value::I32(70_000)]),
    ];
    calls
        .iter()
        .map(|(name, args)| {
            let Some(Extern::Func(f)) = store.export(inst, name) else { panic!("no export {name}") };
            format!("{name}: {:?}", store.call(f, args).map_err(|e| e.to_string()))
        })
        .collect()
}

#[test]
fn a_rich_module_runs_the_same_after_a_round_trip_in_another_store() {
    let (m, blob) = blob_of(RICH);
    let d = de(&blob).unwrap();
    let (a, b) = (rich_results(&m), rich_results(&d));
    assert_eq!(a, b);
    // The results are the module's, not empty agreement.
    assert_eq!(a[0], "count: Ok([I32(105)])");
    assert!(a[3].contains("I32(82)") && a[4].contains("uninitialized element"), "{a:?}");
    assert!(a[6].contains("I32(100)") && a[12].contains("I64(5000050000)"), "{a:?}");
    assert!(a[15].contains("out of bounds memory access"), "{a:?}");
    assert_eq!(m.imports(), d.imports());
    assert_eq!(m.exports(), d.exports());
    assert_eq!(d.syntax().names.as_ref().and_then(|n| n.module.as_deref()), Some("rich"));
    assert!(d.syntax().codes.is_empty(), "a deserialized module keeps no bodies");
    assert_eq!(
        m.syntax().customs.iter().map(|c| (&c.name, &c.data)).collect::<Vec<_>>(),
        d.syntax().customs.iter().map(|c| (&c.name, &c.data)).collect::<Vec<_>>()
    );
    // Serializing the deserialized module gives the same blob.
    assert_eq!(d.serialize().unwrap(), blob);
    d.translate_all().unwrap();
    m.translate_all().unwrap();
    assert!(m.same_code(&d));
}

#[test]
fn table64_types_round_trip() {
    let (m, blob) = blob_of(
        r#"(module
        (import "m" "t" (table i64 1 0x1_0000_0000 funcref))
        (table $u (export "u") i64 2 externref)
        (elem (table 0) (i64.const 0) func $f)
        (func $f (result i64) table.size $u)
        (func (export "f") (result i64) i64.const 0 call_indirect (result i64)))"#,
    );
    let d = de(&blob).unwrap();
    assert_eq!(m.imports(), d.imports());
    assert_eq!(m.exports(), d.exports());
    let crate::ExternType::Table(t) = &d.imports()[0].2 else { panic!() };
    assert!(t.is64 && t.limits.max == Some(1 << 32));
    let mut s = Store::new();
    let t = s.table_new(*t, Value::FuncRef(None)).unwrap();
    let i = s.instantiate(&d, &[Extern::Table(t)]).unwrap();
    let Some(Extern::Func(f)) = s.export(i, "f") else { panic!() };
    assert_eq!(s.call(f, &[]).unwrap(), vec![Value::I64(2)]);
}

fn programs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/programs")
}

#[test]
fn every_benchmark_program_round_trips_to_the_same_code() {
    let mut n = 0;
    for e in std::fs::read_dir(programs().join("wasm")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().and_then(|x| x.to_str()) != Some("wasm") {
            continue;
        }
        let m = Module::new(&std::fs::read(&path).unwrap()).unwrap();
        let blob = m.serialize().unwrap();
        let d = de(&blob).unwrap();
        assert_eq!(m.imports(), d.imports(), "{path:?}");
        assert_eq!(m.exports(), d.exports(), "{path:?}");
        assert_eq!(d.serialize().unwrap(), blob, "{path:?}");
        m.translate_all().unwrap();
        d.translate_all().unwrap();
        assert!(m.same_code(&d), "{path:?}");
        n += 1;
    }
    assert!(n >= 10, "{n} programs");
}

#[test]
fn deserialized_programs_print_what_the_native_builds_print() {
    use crate::wasi::{self, Input, Output, WasiCtxBuilder};
    #[derive(Clone, Default)]
    struct Buf(Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    for (name, args, stdin) in [
        ("sqlite", &["300"][..], None),
        ("lua", &["1", "small"][..], Some("lua/bench.lua")),
        ("quicksort", &["1"][..], None),
    ] {
        let wasm = std::fs::read(programs().join(format!("wasm/{name}.wasm"))).unwrap();
        let d = de(&Module::new(&wasm).unwrap().serialize().unwrap()).unwrap();
        let out = Buf::default();
        let mut b = WasiCtxBuilder::new();
        b.arg(format!("{name}.wasm"));
        for a in args {
            b.arg(*a);
        }
        if let Some(f) = stdin {
            b.stdin(Input::Bytes(std::io::Cursor::new(std::fs::read(programs().join(f)).unwrap())));
        }
        b.stdout(Output::Writer(Box::new(out.clone()))).stderr(Output::Null);
        let status = wasi::run(&mut Store::new(), &d, b.build().unwrap(), None).unwrap();
        let expected = std::fs::read(programs().join(format!("expected/{name}.quick.out"))).unwrap();
        assert_eq!(status, 0, "{name}");
        assert!(*out.0.lock().unwrap() == expected, "{name}: output differs");
    }
}

const SMALL: &str = r#"(module
  (memory 1)
  (global $g (mut i32) (i32.const 3))
  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func (export "run") (param i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (i32.store (i32.and (local.get $i) (i32.const 0xfff)) (local.get $acc))
      (local.set $acc (i32.add (local.get $acc) (call $sq (local.get $i))))
      (global.set $g (i32.add (global.get $g) (i32.load (i32.const 8))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get 0))))
    (block (br_table 0 0 (local.get 0)))
    (i32.add (local.get $acc) (global.get $g))))"#;

#[test]
fn damaged_blobs_are_rejected_cleanly() {
    let (_, blob) = blob_of(SMALL);
    assert!(de(&blob).is_ok());
    for n in 0..blob.len() {
        assert!(de(&blob[..n]).is_err(), "truncated to {n}");
    }
    let mut longer = blob.clone();
    longer.push(0);
    assert!(de(&longer).is_err());
    for i in 0..blob.len() {
        for bit in 0..8 {
            let mut b = blob.clone();
            b[i] ^= 1 << bit;
            assert!(de(&b).is_err(), "bit {bit} of byte {i}");
        }
    }
    let msg = |b: &[u8]| de(b).err().unwrap().to_string();
    assert!(msg(b"\0asm\x01\0\0\0").contains("not a module serialized by wasmint"));
    let mut b = blob.clone();
    b[8] = 99;
    assert!(msg(&b).contains("format version 99 is not supported"), "{}", msg(&b));
    let mut b = blob.clone();
    b[12] ^= 1;
    assert!(msg(&b).contains("serialized by an incompatible wasmint version"), "{}", msg(&b));
    assert!(msg(&blob[..blob.len() - 1]).contains("truncated or corrupt"));
}

/// Where function `i`'s words start in a blob (its word count before).
fn code_at(blob: &[u8], i: usize) -> (usize, usize) {
    // SAFETY: a blob of this build.
    let d = de(blob).unwrap();
    let Source::Portable(p) = d.inner.code.source() else { panic!("deserialized code is portable") };
    let (at, n) = p.funcs[i];
    (at, n)
}

fn word(blob: &[u8], at: usize, k: usize) -> u16 {
    u16::from_le_bytes([blob[at + 2 * k], blob[at + 2 * k + 1]])
}

fn set_word(blob: &mut [u8], at: usize, k: usize, v: u16) {
    blob[at + 2 * k..at + 2 * k + 2].copy_from_slice(&v.to_le_bytes());
}

#[test]
fn tampered_code_is_refused_before_it_runs() {
    let (m, blob) = blob_of(SMALL);
    let (at, n) = code_at(&blob, 1);
    let frame = word(&blob, at, 0);
    let np = word(&blob, at, 1);
    let ops =
        crate::compile::ops::decode_all(&crate::compile::portable_code(m.syntax(), 1).unwrap()[CODE_HEADER..]).unwrap();
    // Positions (in words from the code's start) of some fields.
    let mut slot_field = None;
    let mut branch = None;
    for d in &ops {
        let info = &op_table().hot[d.op.encode() as usize];
        if slot_field.is_none() && info.nslots > 0 {
            slot_field = Some(CODE_HEADER + d.pc + usize::from(info.slots[0]));
        }
        if branch.is_none() && info.noffs > 0 {
            branch = Some(CODE_HEADER + d.pc + usize::from(info.offs[0]));
        }
    }
    let (slot_field, branch) = (slot_field.unwrap(), branch.unwrap());
    let edits: Vec<(&str, usize, u16)> = vec![
        ("slot outside the frame", slot_field, frame),
        ("slot naming the return address", slot_field, np),
        ("slot naming the caller's frame", slot_field, np + 1),
        ("branch into the middle of an op", branch, word(&blob, at, branch) + 1),
        ("branch out of the function", branch, 0x7fff),
        ("an engine trampoline op", CODE_HEADER, Misc::Exit as u16),
        ("no such opcode", CODE_HEADER, OPCODES as u16),
        ("parameter count unlike the type's", 1, np + 1),
        ("frame too small for the locals", 0, np + 2),
        ("zeroed locals past the frame", 3, 0x7fff),
    ];
    for (what, k, v) in edits {
        assert!(k < n);
        let mut b = blob.clone();
        set_word(&mut b, at, k, v);
        reseal(&mut b);
        // The blob reads (functions are checked on first use) ...
        let d = de(&b).unwrap();
        // ... but the function is refused, by translate_all or its call.
        assert!(d.translate_all().is_err(), "{what}");
        let d = de(&b).unwrap();
        let mut store = Store::new();
        let inst = store.instantiate(&d, &[]).unwrap();
        let Some(Extern::Func(f)) = store.export(inst, "run") else { panic!() };
        let e = store.call(f, &[Value::I32(10)]).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("serialized code of function 1 is invalid"), "{what}: {e}");
    }
    // The last op may not fall through: cut the function's final op off by
    // shrinking its word count (and the payload with it).
    let mut b = blob.clone();
    let last = ops.last().unwrap();
    let keep = CODE_HEADER + last.pc;
    let count_at = at - 4;
    b.splice(at + 2 * keep..at + 2 * n, std::iter::empty());
    b[count_at..count_at + 4].copy_from_slice(&(keep as u32).to_le_bytes());
    let len = (b.len() - HEADER) as u64;
    b[20..28].copy_from_slice(&len.to_le_bytes());
    reseal(&mut b);
    assert!(de(&b).unwrap().translate_all().is_err());
}

/// Mutants of a module without references, tables or imports: whatever
/// the checks accept must run to a result or a trap, never crash (the
/// module cannot forge references, the one hazard the checks leave).
#[test]
fn accepted_mutants_of_code_run_without_crashing() {
    let (_, blob) = blob_of(SMALL);
    let (mut accepted, mut refused) = (0, 0);
    for f in 0..2 {
        let (at, n) = code_at(&blob, f);
        for k in 0..n {
            let w = word(&blob, at, k);
            for v in [0, 1, 2, 3, 4, 5, 8, 0xffff, w ^ 1, w.wrapping_add(4), w.wrapping_sub(1)] {
                let mut b = blob.clone();
                set_word(&mut b, at, k, v);
                reseal(&mut b);
                let d = de(&b).unwrap();
                if d.translate_all().is_err() {
                    refused += 1;
                    continue;
                }
                accepted += 1;
                let mut store = Store::with_config(Config { fuel: Some(100_000), ..Config::default() });
                let inst = store.instantiate(&d, &[]).unwrap();
                let Some(Extern::Func(run)) = store.export(inst, "run") else { panic!() };
                for arg in [0, 3, 1000] {
                    let _ = store.call(run, &[Value::I32(arg)]);
                }
            }
        }
    }
    assert!(accepted > 50 && refused > 50, "accepted {accepted}, refused {refused}");
}

/// Every module of the 2.0 spec suite that compiles serializes, reads
/// back and passes the code checks, to the translator's very code: the
/// checks refuse nothing the translator makes.
#[test]
fn every_spec_suite_module_round_trips() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::var_os("WASMINT_TESTSUITE").map(PathBuf::from).unwrap_or_else(|| {
        let near = root.join("../shared/wasm-testsuite-2.0");
        if near.exists() {
            near
        } else {
            root.join("../../shared/wasm-testsuite-2.0")
        }
    });
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("no spec suite at {dir:?}: skipped");
        return;
    };
    let mut n = 0;
    for e in entries {
        let path = e.unwrap().path();
        if path.extension().and_then(|x| x.to_str()) != Some("wast") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(buf) = wast::parser::ParseBuffer::new(&text) else { continue };
        let Ok(script) = wast::parser::parse::<wast::Wast>(&buf) else { continue };
        for d in script.directives {
            let wast::WastDirective::Module(mut q) = d else { continue };
            let Ok(wasm) = q.encode() else { continue };
            let Ok(m) = Module::new(&wasm) else { continue };
            if m.translate_all().is_err() {
                continue;
            }
            let blob = m.serialize().unwrap();
            let d = de(&blob).unwrap_or_else(|e| panic!("{path:?}: {e}"));
            d.translate_all().unwrap_or_else(|e| panic!("{path:?}: {e}"));
            assert!(m.same_code(&d), "{path:?}");
            n += 1;
        }
    }
    assert!(n > 500, "{n} modules");
}

/// The checks of the tail call ops: each field edited to what would read
/// or write outside the frame, name a missing function, table or type, or
/// return other results than the function's, is refused.
#[test]
fn tampered_tail_calls_are_refused() {
    let (m, blob) = blob_of(
        r#"(module
        (type $ii (func (param i32) (result i32)))
        (type $il (func (param i32) (result i64)))
        (table 2 funcref)
        (table 1 externref)
        (func $a (param i32) (result i32) (local.get 0))
        (func $b (param i32) (result i64) (i64.const 0))
        (func (export "run") (param i32) (result i32) (return_call $a (local.get 0)))
        (func (export "ind") (param i32) (result i32)
          (return_call_indirect (type $ii) (local.get 0) (local.get 0))))"#,
    );
    // Sanity: the untouched blob's code passes.
    de(&blob).unwrap().translate_all().unwrap();
    let mut cases = 0;
    for (fi, misc) in [(2, Misc::ReturnCall), (3, Misc::ReturnCallIndirectS)] {
        let (at, _) = code_at(&blob, fi);
        let (frame, np) = (word(&blob, at, 0), word(&blob, at, 1));
        let code = crate::compile::portable_code(m.syntax(), fi).unwrap();
        let ops = crate::compile::ops::decode_all(&code[CODE_HEADER..]).unwrap();
        let d = ops.iter().find(|d| d.op == Opcode::Misc(misc)).expect("a tail call op");
        let op_at = CODE_HEADER + d.pc;
        // Word positions of the fields.
        let mut pos = Vec::new();
        let mut w = op_at + HW;
        for f in misc.layout() {
            pos.push(w);
            w += f.words();
        }
        let base_k = misc.layout().len() - 1;
        let mut edits: Vec<(&str, usize, u16)> = vec![
            ("np unlike the function's", pos[0], np + 1),
            ("np of zero", pos[0], 0),
            ("arguments from the header", pos[base_k], np),
            ("arguments from the caller's frame slot", pos[base_k], np + 1),
            ("arguments past the frame", pos[base_k], frame),
            ("arguments at slot 0", pos[base_k], 0),
        ];
        if misc == Misc::ReturnCall {
            edits.push(("a callee of other results", pos[1], 1));
            edits.push(("no such function", pos[1], 4));
        } else {
            edits.push(("a type of other results", pos[1], 1));
            edits.push(("no such type", pos[1], 9));
            edits.push(("an externref table", pos[2], 1));
            edits.push(("no such table", pos[2], 2));
        }
        for (what, k, v) in edits {
            let mut b = blob.clone();
            set_word(&mut b, at, k, v);
            reseal(&mut b);
            assert!(de(&b).unwrap().translate_all().is_err(), "{misc:?}: {what}");
            cases += 1;
        }
    }
    assert_eq!(cases, 18);
}

#[test]
fn tampered_handler_tables_are_refused() {
    use crate::compile::handlers::{Table, TRY_WORDS};
    let (_, blob) = blob_of(
        r#"(module (tag $e (param i32))
          (func (export "f") (param i32) (result i32)
            (block $h (result i32)
              (try_table (catch $e $h) (throw $e (local.get 0)))
              (i32.const -1))))"#,
    );
    let (at, n) = code_at(&blob, 0);
    let code: Vec<u16> = (0..n).map(|k| word(&blob, at, k)).collect();
    let table = crate::compile::handlers::table_at(&code).unwrap();
    let t = Table::of(&code).unwrap();
    let clause = table + 2 + t.tries() * TRY_WORDS;
    assert_eq!(t.clauses(), 1);
    // Each edit: a field and a value the check must refuse.
    let edits: [(usize, u16, &str); 6] = [
        (clause + 2, 1, "a target that is no op start"),
        (clause + 3, 0x7fff, "a target past the code"),
        (clause + 4, 0, "a payload over the frame header"),
        (clause + 4, u16::MAX - 1, "a payload outside the frame"),
        (clause, 5, "an unknown tag"),
        (table + 2 + 4, 0, "a parent that does not come first"),
    ];
    for (k, v, what) in edits {
        let mut bad = blob.clone();
        set_word(&mut bad, at, k, v);
        reseal(&mut bad);
        let m = de(&bad).unwrap();
        assert!(m.translate_all().is_err(), "{what} was accepted");
    }
    // Unchanged, it runs.
    let m = de(&blob).unwrap();
    let mut s = Store::new();
    let i = s.instantiate(&m, &[]).unwrap();
    let Some(Extern::Func(f)) = s.export(i, "f") else { panic!() };
    assert_eq!(s.call(f, &[Value::I32(3)]).unwrap(), vec![Value::I32(3)]);
}
