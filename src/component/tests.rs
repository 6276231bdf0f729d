//! Tests of the component layer on small components written in WAT.

use super::*;
use super::types::Prim;
use crate::Store;

fn component(wat: &str) -> Component {
    Component::new(&wat::parse_str(wat).expect("wat")).expect("component")
}

/// A component with a bump allocator, a host import and functions
/// covering strings, lists, records, options and malformed results.
const KITCHEN: &str = r#"(component
  (import "host" (instance $host
    (export "log" (func (param "msg" string)))
    (export "double" (func (param "x" u32) (result u32)))))
  (core module $libc
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
      global.get $bump local.get 2 i32.add i32.const 1 i32.sub
      i32.const 0 local.get 2 i32.sub i32.and
      local.set $p
      local.get $p local.get 3 i32.add global.set $bump
      local.get $p))
  (core instance $libc (instantiate $libc))
  (core func $log (canon lower (func $host "log") (memory (core memory $libc "memory")) (realloc (core func $libc "realloc"))))
  (core func $double (canon lower (func $host "double")))
  (core module $main
    (import "libc" "memory" (memory 1))
    (import "host" "log" (func $log (param i32 i32)))
    (import "host" "double" (func $double (param i32) (result i32)))
    (global $posts (mut i32) (i32.const 0))
    (func (export "echo") (param i32 i32) (result i32)
      i32.const 16 local.get 0 i32.store
      i32.const 20 local.get 1 i32.store
      i32.const 16)
    (func (export "post") (param i32) global.get $posts i32.const 1 i32.add global.set $posts)
    (func (export "posts") (result i32) global.get $posts)
    (func (export "sum") (param $p i32) (param $n i32) (result i32) (local $s i32)
      block loop local.get $n i32.eqz br_if 1
        local.get $s local.get $p i32.load i32.add local.set $s
        local.get $p i32.const 4 i32.add local.set $p
        local.get $n i32.const 1 i32.sub local.set $n br 0 end end
      local.get $s)
    (func (export "call-host") (param i32 i32) (result i32)
      local.get 0 local.get 1 call $log
      i32.const 21 call $double)
    (func (export "point") (param i32 i32) (result i32)
      local.get 0 i32.const 10 i32.mul local.get 1 i32.add)
    (func (export "maybe") (param i32) (result i32)
      local.get 0 i32.eqz
      if i32.const 32 i32.const 0 i32.store8
      else i32.const 32 i32.const 1 i32.store8 i32.const 36 local.get 0 i32.const 1 i32.add i32.store end
      i32.const 32)
    (func (export "bad") (result i32)
      i32.const 64 i32.const 0xff i32.store8
      i32.const 48 i32.const 64 i32.store i32.const 52 i32.const 1 i32.store i32.const 48)
    (func (export "oob") (result i32)
      i32.const 48 i32.const 65000 i32.store i32.const 52 i32.const 100000 i32.store i32.const 48))
  (core instance $m (instantiate $main
    (with "libc" (instance $libc))
    (with "host" (instance (export "log" (func $log)) (export "double" (func $double))))))
  (type $point (record (field "x" u32) (field "y" u32)))
  (export $pt "point" (type $point))
  (func (export "echo") (param "s" string) (result string)
    (canon lift (core func $m "echo") (memory (core memory $libc "memory")) (realloc (core func $libc "realloc")) (post-return (core func $m "post"))))
  (func (export "posts") (result u32) (canon lift (core func $m "posts")))
  (func (export "sum") (param "xs" (list u32)) (result u32)
    (canon lift (core func $m "sum") (memory (core memory $libc "memory")) (realloc (core func $libc "realloc"))))
  (func (export "call-host") (param "s" string) (result u32)
    (canon lift (core func $m "call-host") (memory (core memory $libc "memory")) (realloc (core func $libc "realloc"))))
  (func (export "point-sum") (param "p" $pt) (result u32) (canon lift (core func $m "point")))
  (func (export "maybe") (param "x" u32) (result (option u32)) (canon lift (core func $m "maybe") (memory (core memory $libc "memory"))))
  (func (export "bad") (result string) (canon lift (core func $m "bad") (memory (core memory $libc "memory"))))
  (func (export "oob") (result string) (canon lift (core func $m "oob") (memory (core memory $libc "memory")))))"#;

fn kitchen(log: std::sync::Arc<std::sync::Mutex<Vec<String>>>) -> (Store, Instance) {
    let c = component(KITCHEN);
    let mut linker = Linker::new();
    linker.func(Some("host"), "log", std::sync::Arc::new(move |_, _, args| {
        let Val::String(s) = &args[0] else { panic!("string expected") };
        log.lock().unwrap().push(s.clone());
        Ok(None)
    }));
    linker.func(Some("host"), "double", std::sync::Arc::new(|_, _, args| {
        let Val::U32(x) = args[0] else { panic!("u32 expected") };
        Ok(Some(Val::U32(x * 2)))
    }));
    let mut store = Store::new();
    let inst = linker.instantiate(&mut store, &c).expect("instantiate");
    (store, inst)
}

#[test]
fn strings_lists_records_options_and_post_return() {
    let log = Default::default();
    let (mut store, inst) = kitchen(std::sync::Arc::clone(&log));
    let f = |n: &str| inst.func(n).unwrap_or_else(|| panic!("{n}"));
    let s = "héllo, 日本語🎉".to_owned();
    assert_eq!(call(&mut store, &f("echo"), &[Val::String(s.clone())]).unwrap(), Some(Val::String(s)));
    assert_eq!(call(&mut store, &f("posts"), &[]).unwrap(), Some(Val::U32(1)), "post-return ran once");
    let xs = Val::List((1..=10).map(Val::U32).collect());
    assert_eq!(call(&mut store, &f("sum"), &[xs]).unwrap(), Some(Val::U32(55)));
    let p = Val::Record(vec![Val::U32(4), Val::U32(2)]);
    assert_eq!(call(&mut store, &f("point-sum"), &[p]).unwrap(), Some(Val::U32(42)));
    assert_eq!(call(&mut store, &f("maybe"), &[Val::U32(0)]).unwrap(), Some(Val::Option(None)));
    assert_eq!(call(&mut store, &f("maybe"), &[Val::U32(6)]).unwrap(), Some(Val::Option(Some(Box::new(Val::U32(7))))));
    assert_eq!(call(&mut store, &f("call-host"), &[Val::String("from wasm".into())]).unwrap(), Some(Val::U32(42)));
    assert_eq!(*log.lock().unwrap(), ["from wasm"]);
    // The exported function's record is named by the type export.
    let ps = f("point-sum");
    let Type::Record(r) = &ps.ty().params[0].1 else { panic!("a record") };
    assert_eq!(r.name.as_deref(), Some("point"));
}

#[test]
fn malformed_results_and_wrong_arguments_trap_with_a_message() {
    let (mut store, inst) = kitchen(Default::default());
    let e = call(&mut store, &inst.func("bad").unwrap(), &[]).unwrap_err();
    assert!(e.to_string().contains("invalid UTF-8"), "{e}");
    let e = call(&mut store, &inst.func("oob").unwrap(), &[]).unwrap_err();
    assert!(e.to_string().contains("out of bounds"), "{e}");
    let e = call(&mut store, &inst.func("sum").unwrap(), &[Val::String("x".into())]).unwrap_err();
    assert!(e.to_string().contains("expected list<u32>, got string"), "{e}");
    let e = call(&mut store, &inst.func("sum").unwrap(), &[]).unwrap_err();
    assert!(e.to_string().contains("takes 1 arguments, 0 given"), "{e}");
    // The instance still works afterwards.
    assert_eq!(call(&mut store, &inst.func("maybe").unwrap(), &[Val::U32(1)]).unwrap(), Some(Val::Option(Some(Box::new(Val::U32(2))))));
}

#[test]
fn a_missing_import_names_itself_and_its_type() {
    let c = component(KITCHEN);
    let mut store = Store::new();
    let Err(e) = Linker::new().instantiate(&mut store, &c) else { panic!("instantiated without imports") };
    assert_eq!(e.to_string(), "component import `host#log` (func(msg: string)) is not defined by the host");
}

#[test]
fn damaged_components_fail_with_an_offset_never_a_panic() {
    let bytes = wat::parse_str(KITCHEN).unwrap();
    assert!(is_component(&bytes));
    // Every truncation and many single-byte changes: an error or a
    // component, never a panic.
    for n in (0..bytes.len()).step_by(7) {
        if let Err(e) = Component::new(&bytes[..n]) {
            assert!(e.to_string().contains("offset") || n < 8, "{n}: {e}");
        }
    }
    for i in (8..bytes.len()).step_by(3) {
        for x in [0x00, 0x01, 0x7f, 0x80, 0xff] {
            let mut b = bytes.clone();
            b[i] = x;
            if let Ok(c) = Component::new(&b) {
                let mut store = Store::new();
                let _ = Linker::new().instantiate(&mut store, &c);
            }
        }
    }
}

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec-tests/components").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_machine_component_built_by_wit_bindgen_from_rust() {
    let c = Component::new(&fixture("machine-rust.wasm")).expect("decode");
    assert_eq!(c.export_names(), ["xyz:machine/machine-interface"]);
    let mut store = Store::new();
    let inst = Linker::new().instantiate(&mut store, &c).expect("instantiate");
    let f = |n: &str| inst.func(&format!("xyz:machine/machine-interface#{n}")).unwrap_or_else(|| panic!("{n}"));
    assert_eq!(call(&mut store, &f("get-u32"), &[]).unwrap(), Some(Val::U32(42)));
    assert_eq!(call(&mut store, &f("get-str"), &[]).unwrap(), Some(Val::String("simple string to return".into())));
    assert_eq!(call(&mut store, &f("get-vec"), &[]).unwrap(), Some(Val::Bytes(vec![1, 2, 3, 4, 5])));
    let pt = |x, y| Val::Record(vec![Val::U32(x), Val::U32(y)]);
    let r = call(&mut store, &f("run"), &[Val::U64(7), pt(1, 2), pt(3, 4)]).unwrap();
    assert_eq!(r, Some(Val::Record(vec![Val::U64(7), Val::String("machine 7 run from (1,2) to (3,4)".into())])));
    let run = f("run");
    let Some(Type::Record(rr)) = &run.ty().result else { panic!("a record result") };
    assert_eq!(rr.name.as_deref(), Some("run-result"));
    assert_eq!(rr.fields[0].0, "machine-id");
    assert_eq!(call(&mut store, &f("count-symbols"), &[Val::String("日本語🎉".into())]).unwrap(), Some(Val::U32(4)));
    // Many calls: post-return frees what each result allocated.
    for _ in 0..2000 {
        call(&mut store, &f("get-str"), &[]).unwrap();
        call(&mut store, &f("count-symbols"), &[Val::String("x".repeat(100))]).unwrap();
    }
    assert_eq!(call(&mut store, &f("get-u32"), &[]).unwrap(), Some(Val::U32(42)));
}

#[test]
fn wave_text_round_trips_through_the_types() {
    let c = Component::new(&fixture("machine-rust.wasm")).unwrap();
    let mut store = Store::new();
    let inst = Linker::new().instantiate(&mut store, &c).unwrap();
    let run = inst.func("xyz:machine/machine-interface#run").unwrap();
    let ptys: Vec<&Type> = run.ty().params.iter().map(|(_, t)| t).collect();
    let args = wave::parse_args(" 7, {x: 1, y: 2} , {y: 4, x: 3,}", &ptys).unwrap();
    assert_eq!(args[1], Val::Record(vec![Val::U32(1), Val::U32(2)]));
    assert_eq!(args[2], Val::Record(vec![Val::U32(3), Val::U32(4)]), "fields in any order");
    let r = call(&mut store, &run, &args).unwrap().unwrap();
    assert_eq!(wave::print(&r, run.ty().result.as_ref().unwrap()), r#"{machine-id: 7, message: "machine 7 run from (1,2) to (3,4)"}"#);
    for (bad, why) in [("7, {x: 1}, {x: 3, y: 4}", "field `y` of point is missing"), ("-1, {x: 1, y: 2}, {x: 3, y: 4}", "`-1` is not a u64"), ("7", "expected `,`"), ("7, {x: 1, y: 2}, {x: 3, y: 4}, 9", "found more")] {
        let e = wave::parse_args(bad, &ptys).unwrap_err();
        assert!(e.contains(why), "{bad}: {e}");
    }
    let s = Type::Prim(Prim::String);
    let v = wave::parse_args(r#""a\"b\n\u{1f389}""#, &[&s]).unwrap();
    assert_eq!(v[0], Val::String("a\"b\n🎉".into()));
    assert_eq!(wave::print(&v[0], &s), r#""a\"b\n🎉""#);
}

#[test]
fn a_command_component_runs_with_wasi_0_2_and_its_output_is_captured() {
    use std::io::Write;
    #[derive(Clone, Default)]
    struct Buf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let out = Buf::default();
    let mut b = crate::wasi::ctx::WasiCtxBuilder::new();
    b.arg("hello").arg("x").arg("fail").env("A", "7");
    b.stdout(crate::wasi::ctx::Output::Writer(Box::new(out.clone())));
    b.stderr(crate::wasi::ctx::Output::Null);
    let c = Component::new(&fixture("hello-cli-rust.wasm")).unwrap();
    let mut store = Store::new();
    let code = crate::wasi::p2::run_command(&mut store, &c, b.build().unwrap()).unwrap();
    assert_eq!(code, 3, "the unstable exit-with-code gives 3");
    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    assert!(text.starts_with("hello from a component\nargc=3\narg[1]=x\narg[2]=fail\nenv A=7\n"), "{text}");
    assert!(text.contains("cannot open /data/input.txt"), "no preopen, no file: {text}");
}

/// `echo(s: string) -> string` lifted with `encoding`, and `units(s) ->
/// u32` giving the length the core function saw.
fn encoded(encoding: &str) -> String {
    format!(
        r#"(component
  (core module $m
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 1024))
    (global $len (mut i32) (i32.const 0))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
      global.get $bump local.get 2 i32.add i32.const 1 i32.sub i32.const 0 local.get 2 i32.sub i32.and
      local.tee $p local.get 3 i32.add global.set $bump local.get $p)
    (func (export "echo") (param i32 i32) (result i32)
      local.get 1 global.set $len
      i32.const 16 local.get 0 i32.store i32.const 20 local.get 1 i32.store i32.const 16)
    (func (export "units") (result i32) global.get $len))
  (core instance $i (instantiate $m))
  (func (export "echo") (param "s" string) (result string)
    (canon lift (core func $i "echo") (memory (core memory $i "memory")) (realloc (core func $i "realloc")) string-encoding={encoding}))
  (func (export "units") (result u32) (canon lift (core func $i "units"))))"#
    )
}

#[test]
fn strings_cross_in_each_encoding() {
    for (enc, s, units) in [
        ("utf8", "héllo🎉", 10),
        ("utf16", "héllo🎉", 7),
        ("latin1+utf16", "héllo", 5),
        ("latin1+utf16", "héllo🎉", 7 | 1 << 31),
    ] {
        let c = component(&encoded(enc));
        let mut store = Store::new();
        let inst = Linker::new().instantiate(&mut store, &c).unwrap();
        let r = call(&mut store, &inst.func("echo").unwrap(), &[Val::String(s.into())]).unwrap();
        assert_eq!(r, Some(Val::String(s.into())), "{enc}");
        assert_eq!(call(&mut store, &inst.func("units").unwrap(), &[]).unwrap(), Some(Val::U32(units)), "{enc}: {s}");
    }
}

#[test]
fn deep_or_huge_types_are_refused_not_a_stack_overflow() {
    // 5,000 nested lists, and a record doubling in size 40 times.
    let mut deep = String::from("(component (type $t0 (list u8))");
    for i in 1..5000 {
        deep.push_str(&format!(" (type $t{i} (list $t{}))", i - 1));
    }
    deep.push(')');
    let mut wide = String::from("(component (type $t0 (record (field \"a\" u8) (field \"b\" u8)))");
    for i in 1..40 {
        wide.push_str(&format!(" (type $t{i} (record (field \"a\" $t{j}) (field \"b\" $t{j})))", j = i - 1));
    }
    wide.push(')');
    for (wat, why) in [(deep, "type nesting too deep"), (wide, "type too large")] {
        let c = component(&wat);
        let mut store = Store::new();
        let Err(e) = Linker::new().instantiate(&mut store, &c) else { panic!("instantiated") };
        assert!(e.to_string().contains(why), "{e}");
    }
}

#[test]
fn a_list_too_long_to_lift_traps_before_the_host_allocates_it() {
    let c = component(
        r#"(component
  (core module $m (memory (export "memory") 600)
    (func (export "f") (result i32) i32.const 16 i32.const 64 i32.store i32.const 20 i32.const 0x2000000 i32.store i32.const 16))
  (core instance $i (instantiate $m))
  (func (export "f") (result (list bool)) (canon lift (core func $i "f") (memory (core memory $i "memory")))))"#,
    );
    let mut store = Store::new();
    let inst = Linker::new().instantiate(&mut store, &c).unwrap();
    let e = call(&mut store, &inst.func("f").unwrap(), &[]).unwrap_err();
    assert!(e.to_string().contains("more than the 16777216 one call may lift"), "{e}");
}
