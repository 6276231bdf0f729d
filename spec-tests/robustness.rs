//! Damaged input never panics, aborts or hangs: thousands of valid modules
//! with flipped, overwritten, inserted, deleted and truncated bytes go
//! through decode, validate, instantiate and a call of every export.

use std::panic::{catch_unwind, AssertUnwindSafe};

use wasmint::{Config, Extern, ExternType, Module, Store, Value};

const SEEDS: &[&str] = &[
    r#"(module
        (type $t (func (param i32) (result i32)))
        (import "env" "f" (func $imp (param i32) (result i32)))
        (import "env" "g" (global $g i32))
        (import "env" "m" (memory 1 2))
        (import "env" "t" (table 2 funcref))
        (global $mut (mut i64) (i64.const 7))
        (func $fac (export "fac") (param i32) (result i32)
          local.get 0 i32.eqz
          if (result i32) i32.const 1
          else local.get 0 local.get 0 i32.const 1 i32.sub call $fac i32.mul end)
        (func (export "mem") (param i32) (result i32)
          local.get 0 i32.const 42 i32.store8 offset=3
          local.get 0 i32.load offset=3 align=1
          i32.const 1 memory.grow drop memory.size i32.add)
        (func (export "ind") (param i32) (result i32)
          i32.const 5 local.get 0 call_indirect (type $t))
        (func (export "loop") (result i64) (local i32)
          loop $l local.get 0 i32.const 1 i32.add local.tee 0 i32.const 100 i32.lt_u br_if $l end
          global.get $mut local.get 0 i64.extend_i32_u i64.add)
        (elem (table 0) (i32.const 0) func $fac $imp)
        (data (i32.const 8) "hello")
        (export "g" (global $g)))"#,
    r#"(module
        (memory (export "mem") 1)
        (table 4 externref)
        (data $d "\01\02\03\04")
        (elem $e funcref (ref.func $a) (ref.null func))
        (table $ft 3 funcref)
        (func $a (result i32 i32) i32.const 1 i32.const 2)
        (func (export "bulk") (param i32)
          (memory.init $d (local.get 0) (i32.const 0) (i32.const 4))
          (memory.copy (i32.const 100) (i32.const 0) (i32.const 8))
          (memory.fill (i32.const 200) (i32.const 255) (i32.const 16))
          data.drop $d
          (table.init $ft $e (i32.const 0) (i32.const 0) (i32.const 2))
          elem.drop $e)
        (func (export "refs") (param externref) (result i32)
          (table.set 0 (i32.const 1) (local.get 0))
          (table.grow 0 (ref.null extern) (i32.const 3)) drop
          (ref.is_null (table.get 0 (i32.const 1))))
        (func (export "blocks") (param i32) (result i32)
          (block $a (result i32)
            (block $b (result i32)
              (block $c (result i32)
                (br_table $a $b $c (i32.const 9) (local.get 0)))
              (i32.const 1) i32.add)
            (i32.const 2) i32.add))
        (func (export "floats") (param f32 f64) (result f64)
          local.get 0 f32.sqrt f64.promote_f32 local.get 1 f64.nearest f64.max
          i64.trunc_sat_f64_s f64.convert_i64_u)
        (func (export "select") (param i32) (result i64)
          (select (result i64) (i64.const 1) (i64.const 2) (local.get 0)))
        (start $start)
        (func $start))"#,
];

/// xorshift64*: a small deterministic generator, so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(4) {
        if bytes.is_empty() {
            return;
        }
        let at = rng.below(bytes.len());
        match rng.below(6) {
            0 => bytes[at] ^= 1 << rng.below(8),
            1 => bytes[at] = rng.next() as u8,
            2 => bytes.insert(at, rng.next() as u8),
            3 => {
                bytes.remove(at);
            }
            4 => bytes.truncate(at),
            _ => bytes[at] = [0x00, 0x7f, 0x80, 0xff][rng.below(4)],
        }
    }
}

/// An extern of the requested type, so every import can be satisfied.
fn dummy(store: &mut Store, ty: &ExternType) -> Option<Extern> {
    Some(match ty {
        ExternType::Func(ft) => {
            let results: Vec<Value> = ft.results.iter().map(|t| Value::default_for(*t)).collect();
            Extern::Func(store.func_new(
                ft.clone(),
                std::sync::Arc::new(move |_, _, out: &mut [Value]| {
                    out.copy_from_slice(&results);
                    Ok(())
                }),
            ))
        }
        ExternType::Global(gt) => Extern::Global(store.global_new(*gt, Value::default_for(gt.val)).ok()?),
        ExternType::Memory(mt) => Extern::Memory(store.memory_new(*mt).ok()?),
        ExternType::Table(tt) => Extern::Table(store.table_new(*tt, Value::null(tt.elem)).ok()?),
        ExternType::Tag(ft) => Extern::Tag(store.tag_new(ft.clone()).ok()?),
    })
}

fn exercise(bytes: &[u8]) {
    let _ = wasmint::binary::decode(bytes).and_then(|m| wasmint::validate::validate(&m));
    let Ok(module) = Module::new(bytes) else { return };
    let mut store = Store::with_config(Config { fuel: Some(200_000), max_call_depth: 500, ..Config::default() });
    let mut imports = Vec::new();
    for (_, _, ty) in module.imports() {
        match dummy(&mut store, &ty) {
            Some(e) => imports.push(e),
            None => return,
        }
    }
    let Ok(instance) = store.instantiate(&module, &imports) else { return };
    for (_, ext) in store.exports(instance) {
        if let Extern::Func(f) = ext {
            let args: Vec<Value> = store.func_type(f).params.iter().map(|t| Value::default_for(*t)).collect();
            let _ = store.call(f, &args);
        }
    }
}

#[test]
fn damaged_modules_are_errors_not_crashes() {
    let mut corpus: Vec<Vec<u8>> = SEEDS.iter().map(|s| wat::parse_str(s).expect("seed parses")).collect();
    corpus.push(std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/puzzles.wasm")).unwrap());
    // The seeds themselves must work, or the mutations test nothing.
    for seed in &corpus {
        Module::new(seed).expect("seed module is valid");
    }
    let iterations = 20_000;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut decoded = 0;
    for i in 0..iterations {
        let mut bytes = corpus[rng.below(corpus.len())].clone();
        mutate(&mut rng, &mut bytes);
        if Module::new(&bytes).is_ok() {
            decoded += 1;
        }
        if catch_unwind(AssertUnwindSafe(|| exercise(&bytes))).is_err() {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            panic!("iteration {i} panicked on module {hex}");
        }
    }
    println!("{iterations} damaged modules, {decoded} still valid");
    // Some mutations keep the module valid (e.g. a changed constant):
    // those must have been instantiated and run too.
    assert!(decoded > 0);
}

/// Extended constant expressions: a global whose initialiser is a million
/// adds, flat, and one 300,000 deep (all constants first), are evaluated
/// without recursion and without a stack beyond the expression's length.
#[test]
fn long_constant_expressions() {
    // A global whose initialiser is a million adds, flat, and one 300,000
    // deep (all constants first): both evaluated without recursion.
    let leb = |mut n: usize, out: &mut Vec<u8>| loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            break;
        }
        out.push(b | 0x80);
    };
    let binary = |init: &[u8]| {
        let mut globals = vec![1, 0x7f, 0]; // one immutable i32
        globals.extend_from_slice(init);
        globals.push(0x0b);
        let mut b = b"\0asm\x01\0\0\0".to_vec();
        b.push(6);
        leb(globals.len(), &mut b);
        b.extend_from_slice(&globals);
        b.extend_from_slice(&[7, 5, 1, 1, b'g', 3, 0]); // export "g" global 0
        b
    };
    let run = |init: &[u8]| {
        let m = Module::new(&binary(init)).unwrap();
        let mut s = Store::new();
        let i = s.instantiate(&m, &[]).unwrap();
        match s.export(i, "g") {
            Some(Extern::Global(g)) => s.global_get(g),
            other => panic!("{other:?}"),
        }
    };
    let n = 1_000_000;
    let mut flat = vec![0x41, 1];
    for _ in 0..n {
        flat.extend_from_slice(&[0x41, 1, 0x6a]);
    }
    assert_eq!(run(&flat), Value::I32(n + 1));
    let d = 300_000;
    let mut deep = Vec::new();
    for _ in 0..d {
        deep.extend_from_slice(&[0x41, 3]);
    }
    deep.extend(std::iter::repeat(0x6c).take(d - 1)); // i32.mul
    let expected = (0..d - 1).fold(3i32, |a, _| a.wrapping_mul(3));
    assert_eq!(run(&deep), Value::I32(expected));
}

/// Calls into another instance run on the value stack, not the native
/// one: a loop of a million of them, and a recursion 100,000 deep through
/// two instances, on a thread of 2 MiB (a Rust test thread's); deeper
/// recursion traps. (They once left a native frame per call: the handler
/// inlined a `OnceLock` initialisation, whose escaping closure kept LLVM
/// from turning its next call into a jump.)
#[test]
fn cross_instance_calls_use_no_native_stack() {
    let a = wat::parse_str(r#"(module (table (export "t") 2 funcref) (elem (i32.const 0) $g)
      (type $t (func (param i32) (result i32)))
      (func $g (export "g") (param i32) (result i32) local.get 0 i32.eqz if (result i32) i32.const 0 else local.get 0 i32.const 1 i32.sub i32.const 1 call_indirect (type $t) i32.const 1 i32.add end))"#).unwrap();
    let b = wat::parse_str(r#"(module (import "a" "t" (table 2 funcref))
      (type $t (func (param i32) (result i32)))
      (func (export "f") (param i32) (result i32) local.get 0 i32.const 0 call_indirect (type $t)))"#).unwrap();
    let t = std::thread::Builder::new().stack_size(2 << 20).spawn(move || {
        let mut store = wasmint::Store::new();
        let ia = store.instantiate(&wasmint::Module::new(&a).unwrap(), &[]).unwrap();
        let wasmint::Extern::Table(t) = store.export(ia, "t").unwrap() else { panic!() };
        let ib = store.instantiate(&wasmint::Module::new(&b).unwrap(), &[wasmint::Extern::Table(t)]).unwrap();
        let wasmint::Extern::Func(f) = store.export(ib, "f").unwrap() else { panic!() };
        store.table_set(t, 1, wasmint::Value::FuncRef(Some(f))).unwrap();
        // A loop of calls into the other instance (no recursion).
        let c = wat::parse_str(r#"(module (import "a" "t" (table 2 funcref))
          (type $t (func (param i32) (result i32)))
          (func (export "loop") (param $n i32) (result i32)
            (loop $l i32.const 0 i32.const 0 call_indirect (type $t) drop
              local.get $n i32.const 1 i32.sub local.tee $n br_if $l) local.get $n))"#).unwrap();
        let ic = store.instantiate(&wasmint::Module::new(&c).unwrap(), &[wasmint::Extern::Table(t)]).unwrap();
        let wasmint::Extern::Func(lp) = store.export(ic, "loop").unwrap() else { panic!() };
        assert_eq!(store.call(lp, &[wasmint::Value::I32(1_000_000)]).unwrap(), [wasmint::Value::I32(0)]);
        assert_eq!(store.call(f, &[wasmint::Value::I32(100_000)]).unwrap(), [wasmint::Value::I32(100_000)]);
        let e = store.call(f, &[wasmint::Value::I32(10_000_000)]).unwrap_err();
        assert_eq!(e.to_string(), "call stack exhausted");
    }).unwrap();
    t.join().unwrap();
}

/// A throw caught in a loop, a million times, on a 2 MiB thread: each
/// throw resumes at its handler without a native frame left behind.
#[test]
fn throws_caught_in_a_loop_use_no_native_stack() {
    let wasm = wat::parse_str(r#"(module (tag $e (param i32))
      (func (export "run") (param $n i32) (result i32) (local $s i32)
        (loop $l
          (block $h (result i32)
            (try_table (catch $e $h) local.get $n throw $e)
            unreachable)
          local.get $s i32.add local.set $s
          local.get $n i32.const 1 i32.sub local.tee $n br_if $l)
        local.get $s))"#).unwrap();
    let t = std::thread::Builder::new().stack_size(2 << 20).spawn(move || {
        let mut store = wasmint::Store::new();
        let i = store.instantiate(&wasmint::Module::new(&wasm).unwrap(), &[]).unwrap();
        let wasmint::Extern::Func(f) = store.export(i, "run").unwrap() else { panic!("run") };
        let r = store.call(f, &[wasmint::Value::I32(1_000_000)]).unwrap();
        assert_eq!(r, [wasmint::Value::I32(1_784_293_664)]);
    }).unwrap();
    t.join().unwrap();
}
