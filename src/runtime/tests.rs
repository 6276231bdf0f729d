//! End-to-end tests of translation, interpretation and the store API.

use std::sync::Arc;

use crate::error::{Error, Trap, TrapCode};
use crate::runtime::*;
use crate::compile::ops::{decode_all, Decoded, Dst, Form, Opcode, Src};
use crate::syntax::{FuncType, GlobalType, Limits, MemType, NumOp, RefType, TableType, ValType};

fn module(wat: &str) -> Module {
    Module::new(&wat::parse_str(wat).unwrap()).unwrap()
}

fn inst(store: &mut Store, wat: &str) -> Instance {
    store.instantiate(&module(wat), &[]).unwrap()
}

fn func(store: &Store, i: Instance, name: &str) -> Func {
    match store.export(i, name) {
        Some(Extern::Func(f)) => f,
        other => panic!("{name}: {other:?}"),
    }
}

fn call(store: &mut Store, i: Instance, name: &str, args: &[Value]) -> Result<Vec<Value>, Error> {
    let f = func(store, i, name);
    store.call(f, args)
}

fn trap_code(r: Result<Vec<Value>, Error>) -> TrapCode {
    match r {
        Err(Error::Trap(t)) => t.code().expect("runtime trap"),
        other => panic!("expected a trap, got {other:?}"),
    }
}

use Value::{F32, F64, I32, I64};

/// The ops of defined function `i` of `m`.
fn ops_of(m: &Module, i: usize) -> Vec<Decoded> {
    let code = crate::compile::portable_code(m.syntax(), i).unwrap();
    decode_all(crate::compile::ops_of(&code)).expect("whole ops")
}

#[test]
fn arithmetic_and_traps() {
    let mut s = Store::new();
    let i = inst(
        &mut s,
        r#"(module
        (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
        (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
        (func (export "mix") (param i64 f64) (result f64)
            local.get 0 f64.convert_i64_s local.get 1 f64.mul)
        (func (export "trunc") (param f32) (result i32) local.get 0 i32.trunc_f32_s)
        (func (export "neg") (result f32) f32.const -0 f32.neg))"#,
    );
    assert_eq!(call(&mut s, i, "add", &[I32(-2), I32(5)]).unwrap(), vec![I32(3)]);
    assert_eq!(call(&mut s, i, "div", &[I32(7), I32(-2)]).unwrap(), vec![I32(-3)]);
    assert_eq!(trap_code(call(&mut s, i, "div", &[I32(1), I32(0)])), TrapCode::IntegerDivideByZero);
    assert_eq!(trap_code(call(&mut s, i, "div", &[I32(i32::MIN), I32(-1)])), TrapCode::IntegerOverflow);
    assert_eq!(call(&mut s, i, "mix", &[I64(3), F64(0.5)]).unwrap(), vec![F64(1.5)]);
    assert_eq!(trap_code(call(&mut s, i, "trunc", &[F32(f32::NAN)])), TrapCode::InvalidConversionToInteger);
    assert_eq!(call(&mut s, i, "neg", &[]).unwrap(), vec![F32(0.0)]);
    // Usage errors, not traps.
    assert!(matches!(call(&mut s, i, "add", &[I32(1)]), Err(Error::Usage(_))));
    assert!(matches!(call(&mut s, i, "add", &[I32(1), I64(1)]), Err(Error::Usage(_))));
}

#[test]
fn control_flow() {
    let mut s = Store::new();
    let i = inst(
        &mut s,
        r#"(module
        (func (export "fac") (param i64) (result i64) (local i64)
            i64.const 1 local.set 1
            block loop
                local.get 0 i64.eqz br_if 1
                local.get 1 local.get 0 i64.mul local.set 1
                local.get 0 i64.const 1 i64.sub local.set 0
                br 0
            end end
            local.get 1)
        (func (export "multi") (param i32) (result i32 i32)
            (block (result i32 i32) i32.const 10 local.get 0 i32.const 1 i32.add br 0))
        (func (export "swap") (param i32 i32) (result i32 i32)
            local.get 0 local.get 1
            (block (param i32 i32) (result i32 i32) local.set 0 local.set 1 local.get 0 local.get 1))
        (func (export "table") (param i32) (result i32)
            (block (block (block (block
                local.get 0 br_table 0 1 2 3)
                i32.const 100 return)
                i32.const 101 return)
                i32.const 102 return)
            i32.const 103)
        (func (export "brif_value") (param i32) (result i32)
            (block (result i32)
                i32.const 7 i32.const 8 i32.const 9
                local.get 0 br_if 0
                drop drop)
            )
        (func (export "ifelse") (param i32) (result i32)
            i32.const 5
            local.get 0
            (if (param i32) (result i32) (then i32.const 1 i32.add) (else i32.const 2 i32.mul)))
        (func (export "loop_params") (result i32)
            (local i32)
            i32.const 0
            (loop (param i32) (result i32)
                i32.const 1 i32.add
                local.tee 0
                local.get 0 i32.const 10 i32.lt_u
                br_if 0))
        (func (export "dead") (result i32)
            (block (result i32)
                i32.const 1 br 0
                (block (loop (if (i32.const 0) (then unreachable))))
                i32.const 2 i32.add)
            )
        (func (export "sel") (param i32) (result i64)
            i64.const 1 i64.const 2 local.get 0 select)
        (func (export "ret") (param i32) (result i32)
            (block local.get 0 br_if 0 i32.const 1 return)
            i32.const 2 i32.const 3 drop))"#,
    );
    assert_eq!(call(&mut s, i, "fac", &[I64(20)]).unwrap(), vec![I64(2432902008176640000)]);
    assert_eq!(call(&mut s, i, "multi", &[I32(4)]).unwrap(), vec![I32(10), I32(5)]);
    assert_eq!(call(&mut s, i, "swap", &[I32(1), I32(2)]).unwrap(), vec![I32(2), I32(1)]);
    for (x, r) in [(0, 100), (1, 101), (2, 102), (3, 103), (4, 103), (-1, 103)] {
        assert_eq!(call(&mut s, i, "table", &[I32(x)]).unwrap(), vec![I32(r)], "br_table {x}");
    }
    assert_eq!(call(&mut s, i, "brif_value", &[I32(1)]).unwrap(), vec![I32(9)]);
    assert_eq!(call(&mut s, i, "brif_value", &[I32(0)]).unwrap(), vec![I32(7)]);
    assert_eq!(call(&mut s, i, "ifelse", &[I32(1)]).unwrap(), vec![I32(6)]);
    assert_eq!(call(&mut s, i, "ifelse", &[I32(0)]).unwrap(), vec![I32(10)]);
    assert_eq!(call(&mut s, i, "loop_params", &[]).unwrap(), vec![I32(10)]);
    assert_eq!(call(&mut s, i, "dead", &[]).unwrap(), vec![I32(1)]);
    assert_eq!(call(&mut s, i, "sel", &[I32(1)]).unwrap(), vec![I64(1)]);
    assert_eq!(call(&mut s, i, "sel", &[I32(0)]).unwrap(), vec![I64(2)]);
    assert_eq!(call(&mut s, i, "ret", &[I32(0)]).unwrap(), vec![I32(1)]);
    assert_eq!(call(&mut s, i, "ret", &[I32(1)]).unwrap(), vec![I32(2)]);
}

#[test]
fn calls_and_recursion() {
    let mut s = Store::new();
    let i = inst(
        &mut s,
        r#"(module
        (func $fib (export "fib") (param i32) (result i32)
            local.get 0 i32.const 2 i32.lt_u
            if (result i32) local.get 0
            else
                local.get 0 i32.const 1 i32.sub call $fib
                local.get 0 i32.const 2 i32.sub call $fib
                i32.add
            end)
        (func $pair (param i32) (result i32 i64) local.get 0 local.get 0 i64.extend_i32_u)
        (func (export "pair") (result i64) (local i64)
            i32.const 9 call $pair local.set 0 i64.extend_i32_u local.get 0 i64.add)
        (func $inf (export "inf") (param i32) (result i32) local.get 0 call $inf)
        (func $inf2 (export "inf2") (local i64 i64 i64 i64 i64 i64 i64 i64) call $inf2))"#,
    );
    assert_eq!(call(&mut s, i, "fib", &[I32(20)]).unwrap(), vec![I32(6765)]);
    assert_eq!(call(&mut s, i, "pair", &[]).unwrap(), vec![I64(18)]);
    assert_eq!(trap_code(call(&mut s, i, "inf", &[I32(0)])), TrapCode::CallStackExhausted);
    assert_eq!(trap_code(call(&mut s, i, "inf2", &[])), TrapCode::CallStackExhausted);
    // The store stays usable.
    assert_eq!(call(&mut s, i, "fib", &[I32(10)]).unwrap(), vec![I32(55)]);
    // A small value stack limit is hit before the depth limit.
    s.config_mut().max_value_stack = 1000;
    assert_eq!(trap_code(call(&mut s, i, "inf2", &[])), TrapCode::CallStackExhausted);
    assert_eq!(call(&mut s, i, "fib", &[I32(10)]).unwrap(), vec![I32(55)]);
}

#[test]
fn call_indirect() {
    let mut s = Store::new();
    let i = inst(
        &mut s,
        r#"(module
        (type $ii (func (param i32) (result i32)))
        (table 4 funcref)
        (elem (i32.const 0) $double $const)
        (func $double (type $ii) local.get 0 i32.const 2 i32.mul)
        (func $const (result i32) i32.const 42)
        (func (export "call") (param i32 i32) (result i32)
            local.get 0 local.get 1 call_indirect (type $ii)))"#,
    );
    assert_eq!(call(&mut s, i, "call", &[I32(21), I32(0)]).unwrap(), vec![I32(42)]);
    assert_eq!(trap_code(call(&mut s, i, "call", &[I32(1), I32(1)])), TrapCode::IndirectCallTypeMismatch);
    assert_eq!(trap_code(call(&mut s, i, "call", &[I32(1), I32(2)])), TrapCode::UninitializedElement);
    assert_eq!(trap_code(call(&mut s, i, "call", &[I32(1), I32(4)])), TrapCode::UndefinedElement);
    assert_eq!(trap_code(call(&mut s, i, "call", &[I32(1), I32(-1)])), TrapCode::UndefinedElement);
}

#[test]
fn memory_ops() {
    let mut s = Store::new();
    let i = inst(
        &mut s,
        r#"(module
        (memory (export "mem") 1 3)
        (data (i32.const 8) "\01\02\03\04\05\06\07\08")
        (data $p "hello")
        (func (export "load8_s") (param i32) (result i32) local.get 0 i32.load8_s)
        (func (export "load64") (param i32) (result i64) local.get 0 i64.load offset=4)
        (func (export "store16") (param i32 i32) local.get 0 local.get 1 i32.store16)
        (func (export "f32rt") (param i32 f32) (result f32) local.get 0 local.get 1 f32.store local.get 0 f32.load)
        (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
        (func (export "size") (result i32) memory.size)
        (func (export "fill") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.fill)
        (func (export "copy") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.copy)
        (func (export "init") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.init $p)
        (func (export "drop") data.drop $p))"#,
    );
    let Some(Extern::Memory(mem)) = s.export(i, "mem") else { panic!() };
    assert_eq!(&s.memory_data(mem)[8..16], &[1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(call(&mut s, i, "load64", &[I32(4)]).unwrap(), vec![I64(0x0807060504030201)]);
    assert_eq!(call(&mut s, i, "store16", &[I32(0), I32(0x1ff80)]).unwrap(), vec![]);
    assert_eq!(call(&mut s, i, "load8_s", &[I32(0)]).unwrap(), vec![I32(-128)]);
    assert_eq!(call(&mut s, i, "load8_s", &[I32(1)]).unwrap(), vec![I32(-1)]);
    let nan = f32::from_bits(0x7fa0_0001);
    let Value::F32(r) = call(&mut s, i, "f32rt", &[I32(100), F32(nan)]).unwrap()[0] else { panic!() };
    assert_eq!(r.to_bits(), 0x7fa0_0001, "NaN payload survives memory");
    assert_eq!(trap_code(call(&mut s, i, "load8_s", &[I32(65536)])), TrapCode::OutOfBoundsMemoryAccess);
    assert_eq!(trap_code(call(&mut s, i, "load64", &[I32(65536 - 11)])), TrapCode::OutOfBoundsMemoryAccess);
    assert_eq!(call(&mut s, i, "load64", &[I32(65536 - 12)]).unwrap(), vec![I64(0)]);
    assert_eq!(trap_code(call(&mut s, i, "load64", &[I32(-1)])), TrapCode::OutOfBoundsMemoryAccess);
    assert_eq!(call(&mut s, i, "grow", &[I32(1)]).unwrap(), vec![I32(1)]);
    assert_eq!(call(&mut s, i, "grow", &[I32(2)]).unwrap(), vec![I32(-1)]);
    assert_eq!(call(&mut s, i, "size", &[]).unwrap(), vec![I32(2)]);
    assert_eq!(call(&mut s, i, "load8_s", &[I32(65536)]).unwrap(), vec![I32(0)]);
    // fill is bounds checked before writing anything
    assert_eq!(trap_code(call(&mut s, i, "fill", &[I32(131070), I32(9), I32(3)])), TrapCode::OutOfBoundsMemoryAccess);
    assert_eq!(s.memory_data(mem)[131070], 0);
    call(&mut s, i, "fill", &[I32(20), I32(0x1ff), I32(3)]).unwrap();
    assert_eq!(&s.memory_data(mem)[19..24], &[0, 0xff, 0xff, 0xff, 0]);
    // overlapping copy
    call(&mut s, i, "copy", &[I32(9), I32(8), I32(8)]).unwrap();
    assert_eq!(&s.memory_data(mem)[8..17], &[1, 1, 2, 3, 4, 5, 6, 7, 8]);
    call(&mut s, i, "init", &[I32(200), I32(1), I32(4)]).unwrap();
    assert_eq!(&s.memory_data(mem)[200..204], b"ello");
    assert_eq!(trap_code(call(&mut s, i, "init", &[I32(200), I32(2), I32(4)])), TrapCode::OutOfBoundsMemoryAccess);
    call(&mut s, i, "drop", &[]).unwrap();
    call(&mut s, i, "init", &[I32(0), I32(0), I32(0)]).unwrap();
    assert_eq!(trap_code(call(&mut s, i, "init", &[I32(0), I32(0), I32(1)])), TrapCode::OutOfBoundsMemoryAccess);
    assert_eq!(s.memory_grow(mem, 1), Some(2));
    assert_eq!(s.memory_grow(mem, 1), None);
}

#[test]
fn table_ops() {
    let mut s = Store::new();
    let i = inst(
        &mut s,
        r#"(module
        (table $t (export "t") 2 5 funcref)
        (table $u 3 externref)
        (elem $e func $a $b)
        (func $a (result i32) i32.const 1)
        (func $b (result i32) i32.const 2)
        (func (export "init") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 table.init $t $e)
        (func (export "drop") elem.drop $e)
        (func (export "call") (param i32) (result i32) local.get 0 call_indirect $t (result i32))
        (func (export "grow") (param i32) (result i32) ref.null func local.get 0 table.grow $t)
        (func (export "size") (result i32) table.size $t)
        (func (export "fill") (param i32 i32) local.get 0 ref.func $b local.get 1 table.fill $t)
        (func (export "copy") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 table.copy $t $t)
        (func (export "isnull") (param i32) (result i32) local.get 0 table.get $t ref.is_null)
        (func (export "setx") (param i32 externref) local.get 0 local.get 1 table.set $u)
        (func (export "getx") (param i32) (result externref) local.get 0 table.get $u))"#,
    );
    assert_eq!(call(&mut s, i, "isnull", &[I32(0)]).unwrap(), vec![I32(1)]);
    call(&mut s, i, "init", &[I32(0), I32(0), I32(2)]).unwrap();
    assert_eq!(call(&mut s, i, "call", &[I32(1)]).unwrap(), vec![I32(2)]);
    assert_eq!(trap_code(call(&mut s, i, "init", &[I32(1), I32(0), I32(2)])), TrapCode::OutOfBoundsTableAccess);
    call(&mut s, i, "drop", &[]).unwrap();
    assert_eq!(trap_code(call(&mut s, i, "init", &[I32(0), I32(0), I32(1)])), TrapCode::OutOfBoundsTableAccess);
    assert_eq!(call(&mut s, i, "grow", &[I32(2)]).unwrap(), vec![I32(2)]);
    assert_eq!(call(&mut s, i, "grow", &[I32(2)]).unwrap(), vec![I32(-1)]);
    assert_eq!(call(&mut s, i, "size", &[]).unwrap(), vec![I32(4)]);
    call(&mut s, i, "fill", &[I32(2), I32(2)]).unwrap();
    assert_eq!(call(&mut s, i, "call", &[I32(3)]).unwrap(), vec![I32(2)]);
    assert_eq!(trap_code(call(&mut s, i, "fill", &[I32(3), I32(2)])), TrapCode::OutOfBoundsTableAccess);
    call(&mut s, i, "copy", &[I32(1), I32(0), I32(3)]).unwrap();
    assert_eq!(call(&mut s, i, "call", &[I32(1)]).unwrap(), vec![I32(1)]);
    assert_eq!(call(&mut s, i, "call", &[I32(2)]).unwrap(), vec![I32(2)]);
    assert_eq!(trap_code(call(&mut s, i, "isnull", &[I32(4)])), TrapCode::OutOfBoundsTableAccess);
    call(&mut s, i, "setx", &[I32(2), Value::ExternRef(Some(77))]).unwrap();
    assert_eq!(call(&mut s, i, "getx", &[I32(2)]).unwrap(), vec![Value::ExternRef(Some(77))]);
    assert_eq!(call(&mut s, i, "getx", &[I32(1)]).unwrap(), vec![Value::ExternRef(None)]);
    // host side
    let Some(Extern::Table(t)) = s.export(i, "t") else { panic!() };
    assert_eq!(s.table_size(t), 4);
    assert!(matches!(s.table_get(t, 0), Some(Value::FuncRef(Some(_)))));
    assert_eq!(s.table_get(t, 9), None);
    assert_eq!(s.table_grow(t, 1, Value::FuncRef(None)), Some(4));
    assert_eq!(s.table_type(t).limits, Limits { min: 5, max: Some(5) });
}

#[test]
fn table64_ops() {
    let mut s = Store::new();
    let i = inst(
        &mut s,
        r#"(module
        (type $r (func (result i32)))
        (table $t (export "t") i64 2 0x1_0000_0002 funcref)
        (table $u 4 funcref)
        (elem (table $t) (i64.const 1) func $a)
        (elem (table $u) (i32.const 0) func $a $b)
        (func $a (result i32) i32.const 1)
        (func $b (result i32) i32.const 2)
        (func (export "call") (param i64) (result i32) local.get 0 call_indirect $t (type $r))
        (func (export "isnull") (param i64) (result i32) local.get 0 table.get $t ref.is_null)
        (func (export "grow") (param i64) (result i64) ref.null func local.get 0 table.grow $t)
        (func (export "size") (result i64) table.size $t)
        (func (export "fill") (param i64 i64) local.get 0 ref.func $b local.get 1 table.fill $t)
        ;; From the 32-bit table: an i32 length.
        (func (export "copy") (param i64 i32 i32) local.get 0 local.get 1 local.get 2 table.copy $t $u)
        ;; An i32 index whose slot came from an i64: its upper half is ignored.
        (func (export "call32") (param i64) (result i32) local.get 0 i32.wrap_i64 call_indirect $u (type $r)))"#,
    );
    assert_eq!(call(&mut s, i, "size", &[]).unwrap(), vec![I64(2)]);
    assert_eq!(call(&mut s, i, "call", &[I64(1)]).unwrap(), vec![I32(1)]);
    // Indices past u32 are out of bounds, not wrapped.
    assert_eq!(trap_code(call(&mut s, i, "call", &[I64(1 << 32 | 1)])), TrapCode::UndefinedElement);
    assert_eq!(trap_code(call(&mut s, i, "call", &[I64(-1)])), TrapCode::UndefinedElement);
    assert_eq!(trap_code(call(&mut s, i, "isnull", &[I64(1 << 32)])), TrapCode::OutOfBoundsTableAccess);
    assert_eq!(call(&mut s, i, "call32", &[I64(1 << 32 | 1)]).unwrap(), vec![I32(2)]);
    // A grow past what the host holds (whatever the maximum) fails with -1.
    assert_eq!(call(&mut s, i, "grow", &[I64(1 << 32)]).unwrap(), vec![I64(-1)]);
    assert_eq!(call(&mut s, i, "grow", &[I64(-1)]).unwrap(), vec![I64(-1)]);
    assert_eq!(call(&mut s, i, "grow", &[I64(2)]).unwrap(), vec![I64(2)]);
    call(&mut s, i, "fill", &[I64(2), I64(2)]).unwrap();
    assert_eq!(call(&mut s, i, "call", &[I64(3)]).unwrap(), vec![I32(2)]);
    assert_eq!(trap_code(call(&mut s, i, "fill", &[I64(0), I64(1 << 32)])), TrapCode::OutOfBoundsTableAccess);
    assert_eq!(trap_code(call(&mut s, i, "fill", &[I64(-1), I64(1)])), TrapCode::OutOfBoundsTableAccess);
    call(&mut s, i, "copy", &[I64(2), I32(0), I32(2)]).unwrap();
    assert_eq!(call(&mut s, i, "call", &[I64(2)]).unwrap(), vec![I32(1)]);
    assert_eq!(call(&mut s, i, "call", &[I64(3)]).unwrap(), vec![I32(2)]);
    assert_eq!(trap_code(call(&mut s, i, "copy", &[I64(1 << 32), I32(0), I32(0)])), TrapCode::OutOfBoundsTableAccess);
    // The type keeps the address type and a maximum past u32.
    let Some(Extern::Table(t)) = s.export(i, "t") else { panic!() };
    let tt = s.table_type(t);
    assert!(tt.is64);
    assert_eq!(tt.limits, Limits { min: 4, max: Some(1 << 32 | 2) });
}

#[test]
fn table64_import_matching() {
    let mut s = Store::new();
    let ty = |is64| TableType { elem: RefType::FUNCREF, limits: Limits { min: 2, max: Some(5) }, is64 };
    let t64 = s.table_new(ty(true), Value::FuncRef(None)).unwrap();
    let t32 = s.table_new(ty(false), Value::FuncRef(None)).unwrap();
    let import64 = module(r#"(module (import "m" "t" (table i64 1 6 funcref)))"#);
    let import32 = module(r#"(module (import "m" "t" (table 1 6 funcref)))"#);
    let incompatible = |r: Result<Instance, Error>| matches!(r, Err(Error::Link(m)) if m.contains("incompatible"));
    assert!(s.instantiate(&import64, &[Extern::Table(t64)]).is_ok());
    assert!(s.instantiate(&import32, &[Extern::Table(t32)]).is_ok());
    // The address types must be equal.
    assert!(incompatible(s.instantiate(&import64, &[Extern::Table(t32)])));
    assert!(incompatible(s.instantiate(&import32, &[Extern::Table(t64)])));
    // Limits in u64: a maximum past u32 is not within 6.
    let big = TableType { limits: Limits { min: 2, max: Some(1 << 33) }, ..ty(true) };
    let big = s.table_new(big, Value::FuncRef(None)).unwrap();
    assert!(incompatible(s.instantiate(&import64, &[Extern::Table(big)])));
    let any = module(r#"(module (import "m" "t" (table i64 1 0x2_0000_0000 funcref)))"#);
    assert!(s.instantiate(&any, &[Extern::Table(big)]).is_ok());
    // Such a maximum is a 64-bit table's only.
    let bad = TableType { limits: Limits { min: 2, max: Some(1 << 33) }, ..ty(false) };
    assert!(matches!(s.table_new(bad, Value::FuncRef(None)), Err(Error::Usage(_))));
}

#[test]
fn globals_and_imports() {
    let mut s = Store::new();
    let g = s.global_new(GlobalType { val: ValType::I32, mutable: true }, I32(5)).unwrap();
    let c = s.global_new(GlobalType { val: ValType::I64, mutable: false }, I64(7)).unwrap();
    let m = module(
        r#"(module
        (import "env" "g" (global $g (mut i32)))
        (import "env" "c" (global $c i64))
        (global $d i64 (global.get $c))
        (global $h (export "h") (mut f64) (f64.const 1.5))
        (func (export "inc") (result i32) global.get $g i32.const 1 i32.add global.set $g global.get $g)
        (func (export "d") (result i64) global.get $d)
        (func (export "seth") (param f64) local.get 0 global.set $h))"#,
    );
    assert_eq!(m.imports().len(), 2);
    assert_eq!(m.exports().len(), 4);
    let i = s.instantiate(&m, &[Extern::Global(g), Extern::Global(c)]).unwrap();
    assert_eq!(call(&mut s, i, "inc", &[]).unwrap(), vec![I32(6)]);
    assert_eq!(s.global_get(g), I32(6));
    s.global_set(g, I32(10)).unwrap();
    assert_eq!(call(&mut s, i, "inc", &[]).unwrap(), vec![I32(11)]);
    assert_eq!(call(&mut s, i, "d", &[]).unwrap(), vec![I64(7)]);
    assert!(matches!(s.global_set(c, I64(1)), Err(Error::Usage(_))));
    assert!(matches!(s.global_set(g, I64(1)), Err(Error::Usage(_))));
    let Some(Extern::Global(h)) = s.export(i, "h") else { panic!() };
    call(&mut s, i, "seth", &[F64(-2.0)]).unwrap();
    assert_eq!(s.global_get(h), F64(-2.0));
    // Mismatched imports.
    let link = |r: Result<Instance, Error>| matches!(r, Err(Error::Link(_)));
    assert!(link(s.instantiate(&m, &[Extern::Global(c), Extern::Global(g)])));
    assert!(link(s.instantiate(&m, &[Extern::Global(g)])));
    let mem = s.memory_new(MemType { limits: Limits { min: 1, max: Some(2) }, is64: false, page_log2: 16 }).unwrap();
    let mm = module(r#"(module (import "env" "m" (memory 1 1)))"#);
    assert!(link(s.instantiate(&mm, &[Extern::Memory(mem)])));
    let mm = module(r#"(module (import "env" "m" (memory 1 3)))"#);
    assert!(s.instantiate(&mm, &[Extern::Memory(mem)]).is_ok());
}

#[test]
fn instantiation_order_and_partial_init() {
    let mut s = Store::new();
    let mem = s.memory_new(MemType { limits: Limits { min: 1, max: None }, is64: false, page_log2: 16 }).unwrap();
    let tab = s
        .table_new(TableType::new(RefType::FUNCREF, Limits { min: 2, max: None }), Value::FuncRef(None))
        .unwrap();
    let m = module(
        r#"(module
        (import "env" "m" (memory 1))
        (import "env" "t" (table 2 funcref))
        (func $f)
        (elem (i32.const 0) $f)
        (elem (i32.const 1) $f $f)
        (data (i32.const 0) "a")
        (func $start (i32.store8 (i32.const 1) (i32.const 98)))
        (start $start))"#,
    );
    // The second elem segment is out of bounds: the first stays written, data is not written.
    let r = s.instantiate(&m, &[Extern::Memory(mem), Extern::Table(tab)]);
    assert!(matches!(r, Err(Error::Trap(ref t)) if t.code() == Some(TrapCode::OutOfBoundsTableAccess)), "{r:?}");
    assert!(matches!(s.table_get(tab, 0), Some(Value::FuncRef(Some(_)))));
    assert_eq!(s.table_get(tab, 1), Some(Value::FuncRef(None)));
    assert_eq!(s.memory_data(mem)[0], 0);

    let m = module(
        r#"(module
        (import "env" "m" (memory 1))
        (data (i32.const 0) "a")
        (data (i32.const 65535) "bc")
        (func $start unreachable)
        (start $start))"#,
    );
    let r = s.instantiate(&m, &[Extern::Memory(mem)]);
    assert!(matches!(r, Err(Error::Trap(ref t)) if t.code() == Some(TrapCode::OutOfBoundsMemoryAccess)), "{r:?}");
    assert_eq!(s.memory_data(mem)[0], b'a');

    let m = module(
        r#"(module
        (import "env" "m" (memory 1))
        (func $start (i32.store8 (i32.const 1) (i32.const 98)))
        (start $start))"#,
    );
    s.instantiate(&m, &[Extern::Memory(mem)]).unwrap();
    assert_eq!(&s.memory_data(mem)[..2], b"ab");
    let m = module(r#"(module (func $start unreachable) (start $start))"#);
    let r = s.instantiate(&m, &[]);
    assert!(matches!(r, Err(Error::Trap(ref t)) if t.code() == Some(TrapCode::Unreachable)));
}

#[test]
fn host_functions_and_reentry() {
    let mut s = Store::new();
    let add = s.func_new(
        FuncType::new([ValType::I32, ValType::I32], [ValType::I32]),
        Arc::new(|_c, args, res| {
            let (Value::I32(a), Value::I32(b)) = (args[0], args[1]) else {
                return Err(Trap::host("bad"));
            };
            res[0] = Value::I32(a + b);
            Ok(())
        }),
    );
    // Calls back into the instance's "twice" export: host -> wasm -> host.
    let reenter = s.func_new(
        FuncType::new([ValType::I32], [ValType::I32]),
        Arc::new(|c, args, res| {
            let inst = c.instance.expect("called from wasm");
            let Some(Extern::Func(f)) = c.store.export(inst, "twice") else {
                return Err(Trap::host("no export"));
            };
            let r = c.store.call(f, args).map_err(|e| Trap::host(e.to_string()))?;
            res[0] = r[0];
            Ok(())
        }),
    );
    let fail = s.func_new(FuncType::new([], []), Arc::new(|_c, _a, _r| Err(Trap::host("boom"))));
    let m = module(
        r#"(module
        (import "env" "add" (func $add (param i32 i32) (result i32)))
        (import "env" "re" (func $re (param i32) (result i32)))
        (import "env" "fail" (func $fail))
        (func (export "twice") (param i32) (result i32) local.get 0 local.get 0 call $add)
        (func (export "viahost") (param i32) (result i32) local.get 0 call $re i32.const 1 i32.add)
        (func (export "fail") call $fail)
        (func $rec (export "rec") (param i32) (result i32) local.get 0 call $re2)
        (func $re2 (param i32) (result i32) local.get 0 call $re))"#,
    );
    let i = s.instantiate(&m, &[Extern::Func(add), Extern::Func(reenter), Extern::Func(fail)]).unwrap();
    assert_eq!(call(&mut s, i, "twice", &[I32(21)]).unwrap(), vec![I32(42)]);
    assert_eq!(call(&mut s, i, "viahost", &[I32(5)]).unwrap(), vec![I32(11)]);
    match call(&mut s, i, "fail", &[]) {
        Err(Error::Trap(t)) => assert_eq!(t.to_string(), "boom"),
        other => panic!("{other:?}"),
    }
    assert_eq!(s.call(add, &[I32(1), I32(2)]).unwrap(), vec![I32(3)]);
    // Imported host function exported type.
    assert_eq!(s.func_type(add).params.len(), 2);
}

/// A host function `[] -> []` that calls the function put in its slot.
fn calls_back(s: &mut Store) -> (Func, Arc<std::sync::Mutex<Option<Func>>>) {
    let slot: Arc<std::sync::Mutex<Option<Func>>> = Arc::default();
    let slot2 = slot.clone();
    let f = s.func_new(
        FuncType::new([], []),
        Arc::new(move |c, _a, _r| {
            let f = slot2.lock().unwrap().expect("set");
            c.store.call(f, &[]).map(drop).map_err(|e| match e {
                Error::Trap(t) => t,
                e => Trap::host(e.to_string()),
            })
        }),
    );
    (f, slot)
}

#[test]
fn infinite_host_reentry_is_bounded() {
    let mut s = Store::new();
    // Default limits: the re-entry bound must trip before the native stack
    // (2 MiB in test threads) overflows.
    let m = module(
        r#"(module
        (import "env" "re" (func $re))
        (func (export "go") call $re))"#,
    );
    // Host function that calls "go" again, forever.
    let (re, slot) = calls_back(&mut s);
    let i = s.instantiate(&m, &[Extern::Func(re)]).unwrap();
    let go = func(&s, i, "go");
    *slot.lock().unwrap() = Some(go);
    assert_eq!(trap_code(s.call(go, &[])), TrapCode::CallStackExhausted);
}

#[test]
fn same_module_two_instances_and_cross_calls() {
    let mut s = Store::new();
    let m = module(
        r#"(module
        (global $g (mut i32) (i32.const 0))
        (func (export "inc") (result i32) global.get $g i32.const 1 i32.add global.set $g global.get $g))"#,
    );
    let a = s.instantiate(&m, &[]).unwrap();
    let b = s.instantiate(&m, &[]).unwrap();
    let inc_a = func(&s, a, "inc");
    let user = module(
        r#"(module
        (import "a" "inc" (func $inc (result i32)))
        (global $g (mut i32) (i32.const 100))
        (func (export "both") (result i32) call $inc global.get $g i32.add))"#,
    );
    let u = s.instantiate(&user, &[Extern::Func(inc_a)]).unwrap();
    assert_eq!(call(&mut s, u, "both", &[]).unwrap(), vec![I32(101)]);
    assert_eq!(call(&mut s, u, "both", &[]).unwrap(), vec![I32(102)]);
    assert_eq!(call(&mut s, b, "inc", &[]).unwrap(), vec![I32(1)]);
    assert_eq!(call(&mut s, a, "inc", &[]).unwrap(), vec![I32(3)]);
}

#[test]
fn fuel_bounds_infinite_loops() {
    let mut s = Store::with_config(Config { fuel: Some(1000), ..Config::default() });
    let i = inst(
        &mut s,
        r#"(module
        (func (export "spin") (loop (br 0)))
        (func (export "spin2") (param i32) (loop (br_if 0 (i32.const 1))))
        (func (export "count") (param i32) (result i32)
            (loop (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
            local.get 0))"#,
    );
    assert_eq!(trap_code(call(&mut s, i, "spin", &[])), TrapCode::OutOfFuel);
    assert_eq!(s.config_mut().fuel, Some(0));
    s.config_mut().fuel = Some(1000);
    assert_eq!(trap_code(call(&mut s, i, "spin2", &[I32(0)])), TrapCode::OutOfFuel);
    s.config_mut().fuel = Some(1000);
    // One unit for the call, one per backward branch.
    assert_eq!(call(&mut s, i, "count", &[I32(100)]).unwrap(), vec![I32(0)]);
    assert_eq!(s.config_mut().fuel, Some(1000 - 1 - 99));
    s.config_mut().fuel = None;
    assert_eq!(call(&mut s, i, "count", &[I32(100_000)]).unwrap(), vec![I32(0)]);
}

#[test]
fn fused_compare_and_branch() {
    let m = module(
        r#"(module
        (func (export "count") (param i32) (result i32) (local i32)
            (loop (br_if 0 (i32.lt_u (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (local.get 0))))
            local.get 1)
        (func (export "sign") (param i32) (result i32)
            (if (result i32) (i32.lt_s (local.get 0) (i32.const 0)) (then (i32.const -1))
                (else (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0)) (else (i32.const 1))))))
        ;; A label lands between the test and the branch: no fusion.
        (func (export "nofuse") (param i32) (result i32)
            (block (result i32)
                i32.const 9
                (block (result i32)
                    i32.const 1
                    local.get 0 br_if 0
                    drop
                    local.get 0 i32.eqz)
                br_if 0
                drop i32.const 5)))"#,
    );
    // The loop: `i += 1` goes straight to the local (slot 3: after the
    // parameter and the frame header), and the branch compares two
    // locals; the add and the branch are one op, which jumps to itself.
    let count = ops_of(&m, 0);
    let (s_, i_) = (Src::S, Src::I);
    let br = Opcode::Num(NumOp::I32LtU, Form::Br { a: s_, b: s_, neg: false, add: true });
    assert!(count.iter().any(|d| d.op == br && d.fields == [3, 3, 1, 3, 0, 0]), "{count:?}");
    assert_eq!(count.len(), 2, "add-compare-and-branch, return: {count:?}");
    // `lt_s (local.get 0) (i32.const 0)` + `if`: the negated test, its
    // operands in the branch.
    let sign = ops_of(&m, 1);
    let br = Opcode::Num(NumOp::I32LtS, Form::Br { a: s_, b: i_, neg: true, add: false });
    assert!(sign.iter().any(|d| d.op == br && d.fields[..2] == [0, 0]), "{sign:?}");
    let mut s = Store::new();
    let i = s.instantiate(&m, &[]).unwrap();
    assert_eq!(call(&mut s, i, "count", &[I32(10)]).unwrap(), vec![I32(10)]);
    for (x, r) in [(-5, -1), (0, 0), (3, 1)] {
        assert_eq!(call(&mut s, i, "sign", &[I32(x)]).unwrap(), vec![I32(r)]);
    }
    assert_eq!(call(&mut s, i, "nofuse", &[I32(0)]).unwrap(), vec![I32(9)]);
    assert_eq!(call(&mut s, i, "nofuse", &[I32(1)]).unwrap(), vec![I32(9)]);
}

#[test]
fn host_side_entities() {
    let mut s = Store::new();
    let lim = |min, max| Limits { min, max };
    assert!(matches!(s.memory_new(MemType { limits: lim(2, Some(1)), is64: false, page_log2: 16 }), Err(Error::Usage(_))));
    assert!(matches!(s.memory_new(MemType { limits: lim(65537, None), is64: false, page_log2: 16 }), Err(Error::Usage(_))));
    let m = s.memory_new(MemType { limits: lim(1, Some(2)), is64: false, page_log2: 16 }).unwrap();
    assert_eq!(s.memory_size(m), 1);
    s.memory_data_mut(m)[65535] = 7;
    assert_eq!(s.memory_grow(m, 1), Some(1));
    assert_eq!(s.memory_data(m)[65535], 7);
    assert_eq!(s.memory_type(m).limits, lim(2, Some(2)));
    let tt = TableType::new(RefType::EXTERNREF, lim(1, None));
    assert!(matches!(s.table_new(tt, Value::FuncRef(None)), Err(Error::Usage(_))));
    let t = s.table_new(tt, Value::ExternRef(Some(3))).unwrap();
    assert_eq!(s.table_get(t, 0), Some(Value::ExternRef(Some(3))));
    assert!(matches!(s.table_set(t, 1, Value::ExternRef(None)), Err(Error::Trap(_))));
    assert!(matches!(s.table_set(t, 0, Value::I32(1)), Err(Error::Usage(_))));
    assert_eq!(s.table_grow(t, 2, Value::ExternRef(None)), Some(1));
    assert_eq!(s.table_get(t, 2), Some(Value::ExternRef(None)));
    assert_eq!(s.table_grow(t, u32::MAX, Value::ExternRef(None)), None);
    let g = s.global_new(GlobalType { val: ValType::F32, mutable: false }, F32(1.5)).unwrap();
    assert!(matches!(s.global_new(GlobalType { val: ValType::F32, mutable: false }, F64(1.5)), Err(Error::Usage(_))));
    assert_eq!(
        s.extern_type(Extern::Global(g)),
        crate::ExternType::Global(GlobalType { val: ValType::F32, mutable: false })
    );
    let i = inst(
        &mut s,
        r#"(module (func (export "f") (param i64)) (memory (export "m") 0) (table (export "t") 0 funcref))"#,
    );
    let names: Vec<String> = s.exports(i).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["f", "m", "t"]);
    assert!(s.export(i, "nope").is_none());
    let f = func(&s, i, "f");
    assert_eq!(s.extern_type(Extern::Func(f)), crate::ExternType::Func(FuncType::new([ValType::I64], [])));
}

#[test]
fn call_into_other_instance_of_same_module() {
    let mut s = Store::new();
    let m = module(
        r#"(module
        (import "env" "g" (global $g i32))
        (import "env" "f" (func $f (result i32)))
        (func (export "get") (result i32) global.get $g call $f i32.add))"#,
    );
    let zero = s.func_new(
        FuncType::new([], [ValType::I32]),
        Arc::new(|_, _, r| {
            r[0] = I32(0);
            Ok(())
        }),
    );
    let ga = s.global_new(GlobalType { val: ValType::I32, mutable: false }, I32(1)).unwrap();
    let gb = s.global_new(GlobalType { val: ValType::I32, mutable: false }, I32(10)).unwrap();
    let a = s.instantiate(&m, &[Extern::Global(ga), Extern::Func(zero)]).unwrap();
    let get_a = func(&s, a, "get");
    let b = s.instantiate(&m, &[Extern::Global(gb), Extern::Func(get_a)]).unwrap();
    let get_b = func(&s, b, "get");
    let c = s.instantiate(&m, &[Extern::Global(ga), Extern::Func(get_b)]).unwrap();
    assert_eq!(call(&mut s, b, "get", &[]).unwrap(), vec![I32(11)]);
    assert_eq!(call(&mut s, c, "get", &[]).unwrap(), vec![I32(12)]);
}

#[test]
fn folded_operand_forms_keep_wasm_semantics() {
    let m = module(
        r#"(module (memory 1)
        (data (i32.const 0) "\01\02\03\04")
        ;; top + const wraps at 32 bits before the memarg offset is added.
        (func (export "load_wrap") (param i32) (result i32)
            (i32.load8_u offset=1 (i32.add (i32.mul (local.get 0) (i32.const 1)) (i32.const 2))))
        ;; An i64 immediate is a sign-extended i32; larger constants stay
        ;; on the stack.
        (func (export "i64_imm") (param i64) (result i64)
            (i64.add (i64.mul (local.get 0) (i64.const -3)) (i64.const 0x100000000)))
        ;; Result to a local, then the same local read back (set = get).
        (func (export "set_get") (param i32) (result i32) (local i32)
            (local.set 1 (i32.sub (local.get 0) (i32.const 5)))
            (local.set 0 (local.get 1))
            (i32.mul (local.tee 1 (i32.add (local.get 1) (local.get 0))) (local.get 1)))
        ;; A test of a local against an i64 immediate, taken and not.
        (func (export "i64_branch") (param i64) (result i32)
            (block (br_if 0 (i64.gt_u (local.get 0) (i64.const -2))) (return (i32.const 7)))
            (i32.const 9))
        ;; select with the top of the stack cached in a register.
        (func (export "sel") (param i32 i32 i32) (result i32)
            (select (local.get 0) (local.get 1) (local.get 2))))"#,
    );
    // Constants become immediates of their full width, results stay in
    // the accumulator for the next op.
    let i64_imm = ops_of(&m, 1);
    let mul = Opcode::Num(NumOp::I64Mul, Form::Bin { a: Src::S, b: Src::I, d: Dst::R });
    assert!(i64_imm.iter().any(|d| d.op == mul && d.fields[2] == -3i64 as u64), "{i64_imm:?}");
    let add = Opcode::Num(NumOp::I64Add, Form::Bin { a: Src::R, b: Src::I, d: Dst::R });
    assert!(i64_imm.iter().any(|d| d.op == add && d.fields[1] == 0x1_0000_0000), "{i64_imm:?}");
    let branch = ops_of(&m, 3);
    let gt = Opcode::Num(NumOp::I64GtU, Form::Br { a: Src::S, b: Src::I, neg: false, add: false });
    assert!(branch.iter().any(|d| d.op == gt && d.fields[1] == -2i64 as u64), "{branch:?}");
    let mut s = Store::new();
    let i = s.instantiate(&m, &[]).unwrap();
    // -1 + 2 wraps to 1; + offset 1 reads byte 2.
    assert_eq!(call(&mut s, i, "load_wrap", &[I32(-1)]).unwrap(), vec![I32(3)]);
    assert_eq!(call(&mut s, i, "load_wrap", &[I32(0)]).unwrap(), vec![I32(4)]);
    assert!(call(&mut s, i, "load_wrap", &[I32(65533)]).is_err());
    assert_eq!(call(&mut s, i, "i64_imm", &[I64(5)]).unwrap(), vec![I64(-15 + 0x1_0000_0000)]);
    // x = 12: l1 = 7, l0 = 7, l1 = 14, 14 * 14.
    assert_eq!(call(&mut s, i, "set_get", &[I32(12)]).unwrap(), vec![I32(196)]);
    assert_eq!(call(&mut s, i, "i64_branch", &[I64(-1)]).unwrap(), vec![I32(9)]);
    assert_eq!(call(&mut s, i, "i64_branch", &[I64(3)]).unwrap(), vec![I32(7)]);
    assert_eq!(call(&mut s, i, "sel", &[I32(1), I32(2), I32(0)]).unwrap(), vec![I32(2)]);
    assert_eq!(call(&mut s, i, "sel", &[I32(1), I32(2), I32(5)]).unwrap(), vec![I32(1)]);
}

#[test]
fn folded_address_add_wraps_at_32_bits() {
    let m = module(
        r#"(module (memory 1)
        (data (i32.const 0) "\01\02\03\04\05\06\07\08")
        ;; local + const, folded into the access (offset 0).
        (func (export "load_s") (param i32) (result i32)
            (i32.load16_u (i32.add (local.get 0) (i32.const 4))))
        ;; accumulator + const.
        (func (export "load_r") (param i32) (result i32)
            (i32.load8_u (i32.add (i32.mul (local.get 0) (i32.const 1)) (i32.const 3))))
        (func (export "store_s") (param i32 i32)
            (i32.store8 (i32.add (i32.const 2) (local.get 0)) (local.get 1)))
        (func (export "store_r") (param i32 f64)
            (f64.store (i32.add (i32.mul (local.get 0) (i32.const 1)) (i32.const 16)) (local.get 1)))
        (func (export "byte") (param i32) (result i32) (i32.load8_u (local.get 0)))
        (func (export "f64") (param i32) (result f64) (f64.load (local.get 0))))"#,
    );
    for (f, a) in [(0, Src::S), (1, Src::R)] {
        let ops = ops_of(&m, f);
        assert!(!ops.iter().any(|d| matches!(d.op, Opcode::Num(NumOp::I32Add, _))), "{ops:?}");
        assert!(ops.iter().any(|d| matches!(d.op, Opcode::Mem(_, crate::compile::ops::MemForm::Load { a: x, w: true, .. }) if x == a)), "{ops:?}");
    }
    let mut s = Store::new();
    let i = s.instantiate(&m, &[]).unwrap();
    // 0xFFFFFFFE + 4 wraps to 2 (an offset of 4 would be out of bounds).
    assert_eq!(call(&mut s, i, "load_s", &[I32(-2)]).unwrap(), vec![I32(0x0403)]);
    assert_eq!(call(&mut s, i, "load_s", &[I32(0)]).unwrap(), vec![I32(0x0605)]);
    assert_eq!(trap_code(call(&mut s, i, "load_s", &[I32(65531)])), TrapCode::OutOfBoundsMemoryAccess);
    assert_eq!(call(&mut s, i, "load_s", &[I32(65530)]).unwrap(), vec![I32(0)]);
    assert_eq!(call(&mut s, i, "load_r", &[I32(-3)]).unwrap(), vec![I32(1)]);
    assert_eq!(trap_code(call(&mut s, i, "load_r", &[I32(65533)])), TrapCode::OutOfBoundsMemoryAccess);
    call(&mut s, i, "store_s", &[I32(-1), I32(0x99)]).unwrap();
    assert_eq!(call(&mut s, i, "byte", &[I32(1)]).unwrap(), vec![I32(0x99)]);
    assert_eq!(trap_code(call(&mut s, i, "store_s", &[I32(65534), I32(1)])), TrapCode::OutOfBoundsMemoryAccess);
    call(&mut s, i, "store_r", &[I32(-8), F64(2.5)]).unwrap();
    assert_eq!(call(&mut s, i, "f64", &[I32(8)]).unwrap(), vec![F64(2.5)]);
    assert_eq!(trap_code(call(&mut s, i, "store_r", &[I32(65528 - 15), F64(1.0)])), TrapCode::OutOfBoundsMemoryAccess);
}

#[test]
fn consecutive_adds_merge() {
    use crate::compile::ops::Misc;
    let m = module(
        r#"(module
        (func $sub (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
        ;; `i++; j = i + 10`: the second reads what the first wrote.
        (func (export "locals") (param i32) (result i32) (local i32)
            (local.set 0 (i32.add (local.get 0) (i32.const 1)))
            (local.set 1 (i32.add (local.get 0) (i32.const 10)))
            (i32.sub (local.get 1) (i32.mul (local.get 0) (i32.const 3))))
        ;; Two computed arguments in temporaries, wrapping at 2^32.
        (func (export "args") (param i32 i32) (result i32)
            (call $sub (i32.add (local.get 0) (i32.const 16)) (i32.add (local.get 1) (i32.const -1)))))"#,
    );
    assert!(ops_of(&m, 1).iter().any(|d| d.op == Opcode::Misc(Misc::AddSI2)), "{:?}", ops_of(&m, 1));
    assert!(ops_of(&m, 2).iter().any(|d| d.op == Opcode::Misc(Misc::AddSI2)), "{:?}", ops_of(&m, 2));
    let mut s = Store::new();
    let i = s.instantiate(&m, &[]).unwrap();
    // i = 5: j = 15, 15 - 15 = 0; i = -1: i = 0, j = 10.
    assert_eq!(call(&mut s, i, "locals", &[I32(4)]).unwrap(), vec![I32(0)]);
    assert_eq!(call(&mut s, i, "locals", &[I32(-1)]).unwrap(), vec![I32(10)]);
    assert_eq!(call(&mut s, i, "args", &[I32(i32::MAX), I32(i32::MIN)]).unwrap(), vec![I32(i32::MAX.wrapping_add(16).wrapping_sub(i32::MIN.wrapping_sub(1)))]);
}

#[test]
fn shift_and_add_merge() {
    use crate::compile::ops::Misc;
    let m = module(
        r#"(module
        ;; base + (i << 3), the count taken mod 32 as i32.shl does.
        (func (export "r") (param i32 i32) (result i32)
            (i32.add (i32.shl (local.get 1) (i32.const 35)) (local.get 0)))
        (func (export "s") (param i32 i32) (result i32) (local i32)
            (local.set 2 (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2))))
            (local.get 2)))"#,
    );
    assert!(ops_of(&m, 0).iter().any(|d| d.op == Opcode::Misc(Misc::ShlAddR)), "{:?}", ops_of(&m, 0));
    assert!(ops_of(&m, 1).iter().any(|d| d.op == Opcode::Misc(Misc::ShlAddS)), "{:?}", ops_of(&m, 1));
    let mut s = Store::new();
    let i = s.instantiate(&m, &[]).unwrap();
    assert_eq!(call(&mut s, i, "r", &[I32(1000), I32(5)]).unwrap(), vec![I32(1040)]);
    // Wraps at 2^32: 0x4000_0001 << 2 = 4.
    assert_eq!(call(&mut s, i, "s", &[I32(-8), I32(0x4000_0001)]).unwrap(), vec![I32(-4)]);
}

#[test]
fn add_and_test_merge() {
    use crate::compile::ops::Misc;
    // A countdown: `n -= 1; br_if n` is one op; the result is minus the
    // sum of the counter's values.
    let m = module(
        r#"(module
        (func (export "down") (param i32) (result i32) (local i32)
            (loop
                (local.set 1 (i32.sub (local.get 1) (local.get 0)))
                (br_if 0 (local.tee 0 (i32.add (local.get 0) (i32.const -1)))))
            (local.get 1)))"#,
    );
    assert!(ops_of(&m, 0).iter().any(|d| d.op == Opcode::Misc(Misc::AddBrIfNzS)), "{:?}", ops_of(&m, 0));
    let mut s = Store::new();
    let i = s.instantiate(&m, &[]).unwrap();
    assert_eq!(call(&mut s, i, "down", &[I32(5)]).unwrap(), vec![I32(-15)]);
    assert_eq!(call(&mut s, i, "down", &[I32(1)]).unwrap(), vec![I32(-1)]);
}

#[test]
fn locals_written_first_are_not_zeroed() {
    let m = module(
        r#"(module
        ;; Fills its frame's locals with non-zero values.
        (func $dirty (param i32) (local i32 i32 i32 i32)
            (local.set 1 (local.get 0)) (local.set 2 (local.get 0))
            (local.set 3 (local.get 0)) (local.set 4 (local.get 0)))
        ;; Local 1 is written first; 2 is read before written; 3 is
        ;; written only after a branch, which may skip it; 4 is written
        ;; first too.
        (func $f (param i32) (result i32) (local i32 i32 i32 i32)
            (local.set 1 (i32.const 7))
            (local.set 4 (i32.const 1))
            (local.set 1 (i32.add (local.get 1) (local.get 2)))
            (block (br_if 0 (local.get 0)) (local.set 3 (i32.const 100)))
            (i32.add (i32.add (local.get 1) (local.get 3)) (local.get 4)))
        (func (export "run") (param i32) (result i32)
            (call $dirty (i32.const 12345))
            (call $f (local.get 0))))"#,
    );
    // Locals 2 and 3 (declared locals 1..3) are zeroed; 1 and 4 are not.
    let code = crate::compile::portable_code(m.syntax(), 1).unwrap();
    assert_eq!((code[2], code[3]), (2, 1), "zeroed: count, first");
    let mut s = Store::new();
    let i = s.instantiate(&m, &[]).unwrap();
    // The branch skips the write of local 3: it must read 0, not what
    // `$dirty` left in the same stack slots.
    assert_eq!(call(&mut s, i, "run", &[I32(1)]).unwrap(), vec![I32(8)]);
    assert_eq!(call(&mut s, i, "run", &[I32(0)]).unwrap(), vec![I32(108)]);
}

#[test]
fn consecutive_moves_merge() {
    use crate::compile::ops::Misc;
    let m = module(
        r#"(module
        (func $sub (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
        ;; Two locals as arguments: two copies, one op.
        (func (export "args") (param i32 i32) (result i32)
            (call $sub (local.get 1) (local.get 0)))
        ;; Two constants as arguments.
        (func (export "consts") (result i32) (call $sub (i32.const 7) (i32.const 3))))"#,
    );
    assert!(ops_of(&m, 1).iter().any(|d| d.op == Opcode::Misc(Misc::Copy2)), "{:?}", ops_of(&m, 1));
    assert!(ops_of(&m, 2).iter().any(|d| d.op == Opcode::Misc(Misc::Const32x2)), "{:?}", ops_of(&m, 2));
    let mut s = Store::new();
    let i = s.instantiate(&m, &[]).unwrap();
    assert_eq!(call(&mut s, i, "args", &[I32(10), I32(3)]).unwrap(), vec![I32(-7)]);
    assert_eq!(call(&mut s, i, "consts", &[]).unwrap(), vec![I32(4)]);
}

/// A function of 50,000 `i32` locals that pushes `k` constants, calls a
/// function without arguments at that height, and drops them.
fn big_frame_module(k: usize) -> Vec<u8> {
    let locals = "i32 ".repeat(50_000);
    let body = format!("{}call $nop {}", "i32.const 7 ".repeat(k), "drop ".repeat(k));
    wat::parse_str(format!(
        "(module (func $nop) (func (export \"big\") (result i32) (local {locals}) {body} local.get 49999))"
    ))
    .unwrap()
}

#[test]
fn frame_limit_is_checked_when_the_module_is_made() {
    // 50,000 locals + 2 header slots + 15,532 operands + 1 for the call's
    // frame start = 65,535 slots: the most there may be.
    let ok = Module::new(&big_frame_module(15_532)).unwrap();
    ok.translate_all().unwrap();
    let mut store = Store::new();
    let i = store.instantiate(&ok, &[]).unwrap();
    assert_eq!(call(&mut store, i, "big", &[]).unwrap(), [I32(0)]);

    // One operand more: rejected by `Module::new`, not at the first call.
    match Module::new(&big_frame_module(15_533)) {
        Err(Error::Validate { message, .. }) => assert!(message.starts_with("function too large"), "{message}"),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("a function of 65,536 frame slots was accepted"),
    }
}

#[test]
fn v128_locals_count_twice_in_the_frame_limit() {
    let m = |n: usize| wat::parse_str(format!("(module (func (export \"big\") (local {})))", "v128 ".repeat(n))).unwrap();
    // 32,766 v128 locals = 65,532 slots, + 2 header + 1 = 65,535.
    let ok = Module::new(&m(32_766)).unwrap();
    let mut store = Store::new();
    let i = store.instantiate(&ok, &[]).unwrap();
    assert_eq!(call(&mut store, i, "big", &[]).unwrap(), []);
    match Module::new(&m(32_767)) {
        Err(Error::Validate { message, .. }) => assert!(message.starts_with("function too large"), "{message}"),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("a function of 65,537 frame slots was accepted"),
    }
}

#[test]
fn v128_values_in_globals_host_functions_and_frames() {
    let mut store = Store::new();
    let big = (0x0123_4567_89ab_cdef_u128 << 64) | 0xfedc_ba98_7654_3210;
    let g = store.global_new(GlobalType { val: ValType::V128, mutable: true }, Value::V128(big)).unwrap();
    assert_eq!(store.global_get(g), Value::V128(big));
    store.global_set(g, Value::V128(!big)).unwrap();
    assert_eq!(store.global_get(g), Value::V128(!big));
    // Host functions take and return all 128 bits.
    let ty = FuncType::new(vec![ValType::V128], vec![ValType::V128]);
    let f = store.func_new(
        ty,
        Arc::new(|_: &mut Caller<'_>, args: &[Value], results: &mut [Value]| {
            if let [Value::V128(v)] = args {
                results[0] = Value::V128(v.rotate_left(64));
            }
            Ok(())
        }),
    );
    assert_eq!(store.call(f, &[Value::V128(big)]).unwrap(), vec![Value::V128(big.rotate_left(64))]);
    // Wasm code passes v128 values in two slots each, between other types:
    // to a host function, through globals, locals, blocks, branches,
    // `select` and multi-value returns.
    let m = Module::new(
        &wat::parse_str(
            r#"(module
              (import "h" "swap" (func $swap (param i32 v128 f64 v128) (result v128 i32 v128)))
              (global $g (export "g") (mut v128) (v128.const i64x2 5 6))
              (func (export "run") (param $a v128) (param $n i32) (param $b v128) (result i32 v128 v128)
                (local $t v128) (local $k i64)
                (local.set $t (global.get $g))
                (global.set $g (local.get $a))
                (call $swap (local.get $n) (local.get $a) (f64.const 1.5) (local.get $b))
                ;; [v128 i32 v128] on the stack: keep the i32 and both v128s.
                (local.set $b)
                (local.set $n)
                (local.set $a)
                (block $out (result v128)
                  (br_if $out (local.get $t) (i32.eqz (local.get $n)))
                  (drop)
                  (select (local.get $a) (local.get $b) (local.get $n)))
                (local.set $a)
                (local.get $n)
                (local.get $t)
                (return (i32.add (local.get $n) (i32.const 1)) (local.get $a) (i64x2.add (local.get $t) (local.get $b))))
            )"#,
        )
        .unwrap(),
    )
    .unwrap();
    let swap = store.func_new(
        FuncType::new(
            vec![ValType::I32, ValType::V128, ValType::F64, ValType::V128],
            vec![ValType::V128, ValType::I32, ValType::V128],
        ),
        Arc::new(|_: &mut Caller<'_>, args: &[Value], results: &mut [Value]| {
            if let [Value::I32(n), Value::V128(a), Value::F64(x), Value::V128(b)] = args {
                assert_eq!(*x, 1.5);
                results.copy_from_slice(&[Value::V128(*b), Value::I32(n * 2), Value::V128(*a)]);
            }
            Ok(())
        }),
    );
    let i = store.instantiate(&m, &[Extern::Func(swap)]).unwrap();
    let (a, b) = (big, !big);
    let t: u128 = 5 | 6 << 64;
    assert_eq!(call(&mut store, i, "run", &[Value::V128(a), I32(3), Value::V128(b)]).unwrap(), [I32(7), Value::V128(b), Value::V128(t.wrapping_add(a))]);
    // The global was set from wasm; with `n` = 0 the branch carries `t`.
    let Some(Extern::Global(g)) = store.export(i, "g") else { panic!("no global") };
    assert_eq!(store.global_get(g), Value::V128(a));
    let t = a;
    assert_eq!(call(&mut store, i, "run", &[Value::V128(b), I32(0), Value::V128(a)]).unwrap(), [I32(1), Value::V128(a), Value::V128(t.wrapping_add(b))]);
    let invalid = wat::parse_str("(module (func (result i32) v128.const i32x4 1 2 3 4))").unwrap();
    assert!(matches!(Module::new(&invalid), Err(Error::Validate { .. })));
    let lane = wat::parse_str("(module (func (param v128) (result i32) local.get 0 i32x4.extract_lane 4))").unwrap();
    assert!(matches!(Module::new(&lane), Err(Error::Validate { message, .. }) if message == "invalid lane index"));
}

/// A module with one memory (exported), an active data segment of `big`
/// bytes at 16, a small passive one and `init(dst)`, which copies the
/// passive one to `dst`.
fn data_file_module(big: &[u8]) -> Vec<u8> {
    let mut wat = String::from(r#"(module (memory (export "memory") 40)
        (func (export "init") (param i32) (memory.init 1 (local.get 0) (i32.const 0) (i32.const 3)))
        (data (i32.const 16) "#);
    wat.push('"');
    for b in big {
        wat.push_str(&format!("\\{b:02x}"));
    }
    wat.push_str("\") (data \"abc\"))");
    wat::parse_str(&wat).unwrap()
}

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("wasmint-{}-{name}.wasm", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path
}

fn memory_of(store: &Store, i: Instance) -> &[u8] {
    match store.export(i, "memory") {
        Some(Extern::Memory(m)) => store.memory_data(m),
        other => panic!("{other:?}"),
    }
}

#[test]
fn from_file_reads_big_segments_at_instantiation() {
    let big: Vec<u8> = (0..(3usize << 19)).map(|i| (i * 7 + 1) as u8).collect();
    let wasm = data_file_module(&big);
    let path = temp_file("big", &wasm);
    let m = Module::from_file(&path).unwrap();
    // Instantiated twice, serialized and back: the same contents.
    let blob = m.serialize().unwrap();
    // SAFETY: a blob `serialize` just made.
    let back = unsafe { Module::deserialize(&blob) }.unwrap();
    for m in [m.clone(), m, back] {
        let mut store = Store::new();
        let i = store.instantiate(&m, &[]).unwrap();
        call(&mut store, i, "init", &[Value::I32(8)]).unwrap();
        let mem = memory_of(&store, i);
        assert_eq!(&mem[8..11], b"abc");
        assert_eq!(&mem[16..16 + big.len()], &big[..]);
        assert!(mem[16 + big.len()..].iter().all(|&b| b == 0));
    }
    // A shrunk file: an error at instantiation, not a crash.
    let m = Module::from_file(&path).unwrap();
    std::fs::write(&path, &wasm[..wasm.len() / 2]).unwrap();
    let e = Store::new().instantiate(&m, &[]).unwrap_err();
    assert!(matches!(e, Error::Link(_)), "{e:?}");
    // Malformed or invalid: the same errors as from the bytes.
    let mut bad = wasm.clone();
    let n = bad.len();
    bad[n - 4] = 0xff; // into the passive segment's length field region
    bad.truncate(n - 1);
    std::fs::write(&path, &bad).unwrap();
    let (a, b) = (Module::from_file(&path).map(drop), Module::new(&bad).map(drop));
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    assert!(a.is_err());
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(Module::from_file(&path), Err(Error::Usage(_))));
}

/// Every SIMD instruction runs 50,000 times on a thread with a 1 MiB stack:
/// a handler that does not end in a tail call (one that passes a stack
/// address to a call, say) grows the native stack at every op and
/// overflows it, which aborts the test binary.
#[test]
fn every_simd_handler_ends_in_a_tail_call() {
    let body = crate::script::every_simd_instruction();
    let wat = format!(
        "(module (memory 1) (func (export \"run\") (param $n i32)
           (loop $l {body} (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))"
    );
    let m = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    let t = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            let mut store = Store::new();
            let i = store.instantiate(&m, &[]).unwrap();
            call(&mut store, i, "run", &[I32(50_000)]).unwrap()
        })
        .unwrap();
    assert_eq!(t.join().unwrap(), []);
}

/// Memories other than 0 (multi-memory, 3.0): loads and stores of every
/// kind, SIMD accesses, `memory.*` instructions and data segments reach the
/// memory they name, bounds checked against it; a serialized copy behaves
/// the same.
#[test]
fn memory_instructions_name_their_memory() {
    let wat = r#"(module
      (memory $a 1)
      (memory $b 2)
      (data (memory $b) (i32.const 8) "\01\02\03\04")
      (func (export "run") (result i64 i32 i32 i32 i32 i64)
        (i64.store $b (i32.const 100) (i64.const 0x1122334455667788))
        (v128.store $b offset=16 (i32.const 0) (v128.load $b (i32.const 8)))
        (memory.fill $b (i32.const 200) (i32.const 7) (i32.const 3))
        (memory.copy $a $b (i32.const 0) (i32.const 100) (i32.const 8))
        (i64.load $a (i32.const 0))
        (i32.load $b (i32.const 16))
        (i32.load8_u $b (i32.const 202))
        (memory.grow $b (i32.const 1))
        (memory.size $b)
        (i64x2.extract_lane 0 (v128.load64_lane $b 1 (i32.const 100) (v128.const i64x2 0 0))))
      (func (export "oob") (i32.store $b (i32.const 131069) (i32.const 0)))
      (func (export "size_a") (result i32) (memory.size $a)))"#;
    let m = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    let blob = m.serialize().unwrap();
    // SAFETY: the blob was just made by `serialize`.
    let d = unsafe { Module::deserialize(&blob) }.unwrap();
    for m in [m, d] {
        let mut store = Store::new();
        let i = store.instantiate(&m, &[]).unwrap();
        assert_eq!(
            call(&mut store, i, "run", &[]).unwrap(),
            [I64(0x1122334455667788), I32(0x04030201), I32(7), I32(2), I32(3), I64(0)]
        );
        assert_eq!(call(&mut store, i, "size_a", &[]).unwrap(), [I32(1)]);
        // Memory $b has 3 pages now: 131069 + 4 is in bounds of it, not of $a.
        assert_eq!(call(&mut store, i, "oob", &[]).unwrap(), []);
    }
    let mut store = Store::new();
    let m = Module::new(&wat::parse_str(wat.replace("(memory $b 2)", "(memory $b 1)")).unwrap()).unwrap();
    let i = store.instantiate(&m, &[]).unwrap();
    assert_eq!(trap_code(call(&mut store, i, "oob", &[])), TrapCode::OutOfBoundsMemoryAccess);
}

/// Exports of the extended constant expressions module: `c` and `w` are
/// its imported i32 and i64 globals.
const EXTENDED_CONST_WAT: &str = r#"(module
    (import "m" "c" (global $c i32))
    (import "m" "w" (global $w i64))
    (global (export "add") i32 (i32.add (global.get $c) (i32.const 42)))
    (global (export "sub") i32 (i32.sub (i32.const 0) (i32.const 1)))
    (global (export "mul") i32 (i32.mul (i32.const 0x10000) (i32.const 0x10001)))
    (global (export "mul_min") i32 (i32.mul (i32.const 0x80000000) (i32.const -1)))
    (global (export "wide") i64
        (i64.add (i64.mul (global.get $w) (i64.const 0x100000001)) (i64.sub (i64.const 0) (i64.const 1))))
    (global (export "nested") i64 (i64.sub (i64.const 1) (i64.mul (i64.const 3) (i64.add (i64.const 4) (i64.const 5)))))
    (memory (export "mem") 1)
    (data (i32.add (global.get $c) (i32.const 8)) "\2a")
    (table (export "tab") 4 funcref)
    (elem (i32.sub (global.get $c) (i32.const 3)) func $f)
    (func $f))"#;

fn global_value(s: &Store, i: Instance, name: &str) -> Value {
    match s.export(i, name) {
        Some(Extern::Global(g)) => s.global_get(g),
        other => panic!("{name}: {other:?}"),
    }
}

fn check_extended_const(m: &Module) {
    let mut s = Store::new();
    let c = s.global_new(GlobalType { val: ValType::I32, mutable: false }, I32(5)).unwrap();
    let w = s.global_new(GlobalType { val: ValType::I64, mutable: false }, I64(1 << 32)).unwrap();
    let i = s.instantiate(m, &[Extern::Global(c), Extern::Global(w)]).unwrap();
    assert_eq!(global_value(&s, i, "add"), I32(47));
    assert_eq!(global_value(&s, i, "sub"), I32(-1));
    // Wrapping: 0x1_0001_0000 and 2^31 * -1 in 32 bits.
    assert_eq!(global_value(&s, i, "mul"), I32(0x10000));
    assert_eq!(global_value(&s, i, "mul_min"), I32(i32::MIN));
    // 2^32 * (2^32 + 1) wraps to 2^32; minus one.
    assert_eq!(global_value(&s, i, "wide"), I64(0xFFFF_FFFF));
    assert_eq!(global_value(&s, i, "nested"), I64(-26));
    // The data segment at 5 + 8, the element segment at 5 - 3.
    let Some(Extern::Memory(mem)) = s.export(i, "mem") else { panic!() };
    assert_eq!(&s.memory_data(mem)[12..15], &[0, 42, 0]);
    let Some(Extern::Table(t)) = s.export(i, "tab") else { panic!() };
    assert!(matches!(s.table_get(t, 1), Some(Value::FuncRef(None))));
    assert!(matches!(s.table_get(t, 2), Some(Value::FuncRef(Some(_)))));
    assert!(matches!(s.table_get(t, 3), Some(Value::FuncRef(None))));
}

#[test]
fn extended_const_expressions() {
    let m = module(EXTENDED_CONST_WAT);
    check_extended_const(&m);
    // The arithmetic survives serialization.
    let blob = m.serialize().unwrap();
    // SAFETY: a blob `serialize` just made.
    let back = unsafe { Module::deserialize(&blob) }.unwrap();
    check_extended_const(&back);
    assert_eq!(back.serialize().unwrap(), blob);
}

#[test]
fn extended_const_defined_globals() {
    // 3.0 lets initialisers read earlier defined globals and segments any
    // immutable global; 2.0 does not ("unknown global").
    let wat = r#"(module
        (global $a i32 (i32.const 6))
        (global $b (export "b") i32 (i32.mul (global.get $a) (i32.const 7)))
        (global $c (export "c") i64 (i64.const 3))
        (memory (export "mem") 1)
        (data (i32.add (global.get $b) (global.get $a)) "\2a"))"#;
    let m = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    let mut s = Store::new();
    let i = s.instantiate(&m, &[]).unwrap();
    assert_eq!(global_value(&s, i, "b"), I32(42));
    let Some(Extern::Memory(mem)) = s.export(i, "mem") else { panic!() };
    assert_eq!(s.memory_data(mem)[48], 42);
    match Module::with_features(wat::parse_str(wat).unwrap(), crate::syntax::Features::WASM2) {
        Err(e) => assert!(e.message().starts_with("unknown global"), "{e}"),
        Ok(_) => panic!("2.0 accepted a defined global in a constant expression"),
    }
    // The evaluator reads whatever the address map holds so far.
    use crate::syntax::{ConstExpr, Instr};
    let ty = GlobalType { val: ValType::I32, mutable: false };
    let mut store = Store::new();
    store.globals = vec![Box::new(GlobalInst::new(ty, 10)), Box::new(GlobalInst::new(ty, 3))];
    let e = |instrs| ConstExpr { instrs, offset: 0 };
    let mut eval = |globals: &[u32], x: &ConstExpr| super::instantiate::eval_const(&mut store, globals, &[], &[], x);
    let sub = e(vec![Instr::GlobalGet(0), Instr::GlobalGet(1), Instr::Num(NumOp::I32Sub)]);
    assert_eq!(eval(&[0, 1], &sub).unwrap(), 7);
    assert_eq!(eval(&[1, 0], &sub).unwrap(), u128::from(-7i32 as u32));
    // Not yet defined: an error, not a panic.
    assert!(eval(&[0], &sub).is_err());
    assert!(eval(&[0, 5], &sub).is_err());
}

#[test]
fn extended_const_hostile_expressions() {
    use crate::syntax::{ConstExpr, Instr};
    let mut store = Store::new();
    let mut eval = |instrs| super::instantiate::eval_const(&mut store, &[], &[], &[], &ConstExpr { instrs, offset: 0 });
    // Malformed expressions (validation rejects them) fail without a panic.
    assert!(eval(vec![]).is_err());
    assert!(eval(vec![Instr::Num(NumOp::I32Add)]).is_err());
    assert!(eval(vec![Instr::I32Const(1), Instr::Num(NumOp::I64Mul)]).is_err());
    assert!(eval(vec![Instr::I32Const(1), Instr::I32Const(2)]).is_err());
    assert!(eval(vec![Instr::I32Const(1), Instr::I32Const(2), Instr::Num(NumOp::I32DivS)]).is_err());
    assert!(eval(vec![Instr::GlobalGet(0)]).is_err());
    // Long expressions: spec-tests/robustness.rs (here they perturb code
    // generation enough for `every_simd_handler_ends_in_a_tail_call` to
    // overflow its stack).
}

// ---------------------------------------------------------------- tail calls

/// A million tail calls deep (mutual recursion) run in the caller's frame:
/// with the default value stack, where the same chain of plain calls runs
/// out of stack.
#[test]
fn tail_calls_run_in_constant_stack() {
    let m = module(
        r#"(module
        (func $even (export "even") (param i64) (result i32)
          (if (result i32) (i64.eqz (local.get 0))
            (then (i32.const 44))
            (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
        (func $odd (export "odd") (param i64) (result i32)
          (if (result i32) (i64.eqz (local.get 0))
            (then (i32.const 99))
            (else (return_call $even (i64.sub (local.get 0) (i64.const 1))))))
        (func $sum (export "sum") (param i64 i64) (result i64)
          (if (result i64) (i64.eqz (local.get 0))
            (then (local.get 1))
            (else (return_call $sum (i64.sub (local.get 0) (i64.const 1)) (i64.add (local.get 1) (local.get 0))))))
        (func $plain_even (export "plain_even") (param i64) (result i32)
          (if (result i32) (i64.eqz (local.get 0))
            (then (i32.const 44))
            (else (call $plain_odd (i64.sub (local.get 0) (i64.const 1))))))
        (func $plain_odd (param i64) (result i32)
          (if (result i32) (i64.eqz (local.get 0))
            (then (i32.const 99))
            (else (call $plain_even (i64.sub (local.get 0) (i64.const 1)))))))"#,
    );
    // The ops are tail calls, not calls.
    let tail = Opcode::Misc(crate::compile::ops::Misc::ReturnCall);
    assert!(ops_of(&m, 0).iter().any(|d| d.op == tail));
    let mut s = Store::new();
    let i = s.instantiate(&m, &[]).unwrap();
    assert_eq!(call(&mut s, i, "even", &[I64(1_000_000)]).unwrap(), vec![I32(44)]);
    assert_eq!(call(&mut s, i, "even", &[I64(1_000_001)]).unwrap(), vec![I32(99)]);
    assert_eq!(call(&mut s, i, "odd", &[I64(1_000_000)]).unwrap(), vec![I32(99)]);
    assert_eq!(call(&mut s, i, "sum", &[I64(1_000_000), I64(0)]).unwrap(), vec![I64(500_000_500_000)]);
    assert_eq!(trap_code(call(&mut s, i, "plain_even", &[I64(1_000_000)])), TrapCode::CallStackExhausted);
    // The store is usable after the trap.
    assert_eq!(call(&mut s, i, "plain_even", &[I64(1000)]).unwrap(), vec![I32(44)]);
}

#[test]
fn return_call_indirect_checks_and_traps() {
    use crate::compile::ops::Misc;
    let m = module(
        r#"(module
        (type $ii (func (param i32) (result i32)))
        (type $v (func (result i32)))
        (table funcref (elem $inc $k $countdown))
        (func $inc (type $ii) (i32.add (local.get 0) (i32.const 1)))
        (func $k (type $v) (i32.const 7))
        (func $countdown (type $ii)
          (if (result i32) (i32.eqz (local.get 0))
            (then (i32.const 123))
            (else (return_call_indirect (type $ii) (i32.sub (local.get 0) (i32.const 1)) (i32.const 2)))))
        ;; The entry in a slot, then in the accumulator.
        (func (export "go") (param i32 i32) (result i32)
          (return_call_indirect (type $ii) (local.get 1) (local.get 0)))
        (func (export "go_r") (param i32 i32) (result i32)
          (return_call_indirect (type $ii) (local.get 1) (i32.xor (local.get 0) (i32.const 0)))))"#,
    );
    let has = |f: usize, op: Misc| ops_of(&m, f).iter().any(|d| d.op == Opcode::Misc(op));
    assert!(has(3, Misc::ReturnCallIndirectS) && has(4, Misc::ReturnCallIndirectR));
    let mut s = Store::new();
    let i = s.instantiate(&m, &[]).unwrap();
    for go in ["go", "go_r"] {
        assert_eq!(call(&mut s, i, go, &[I32(0), I32(5)]).unwrap(), vec![I32(6)]);
        assert_eq!(trap_code(call(&mut s, i, go, &[I32(1), I32(5)])), TrapCode::IndirectCallTypeMismatch);
        assert_eq!(trap_code(call(&mut s, i, go, &[I32(3), I32(5)])), TrapCode::UndefinedElement);
        assert_eq!(trap_code(call(&mut s, i, go, &[I32(-1), I32(5)])), TrapCode::UndefinedElement);
        // A million indirect tail calls deep.
        assert_eq!(call(&mut s, i, go, &[I32(2), I32(1_000_000)]).unwrap(), vec![I32(123)]);
    }
}

/// Tail calls with v128 and other types mixed, to callees with more and
/// fewer parameter slots than the caller, and declared locals that must
/// be zero on every entry though the frame is reused.
#[test]
fn tail_calls_with_v128_and_mixed_types() {
    let mut s = Store::new();
    let i = inst(
        &mut s,
        r#"(module
        (func $mix (param $n i32) (param $a v128) (param $x f64) (param $b v128) (param $k i64)
                   (result v128 i32 f64 i64)
          (local $z i64) (local $w v128)
          (if (i32.eqz (local.get $n))
            (then (return (i64x2.add (local.get $a) (local.get $w)) (local.get $n) (local.get $x)
                          (i64.add (local.get $k) (local.get $z)))))
          (local.set $z (i64.const 1000))
          (local.set $w (v128.const i64x2 -1 -1))
          (return_call $mix (i32.sub (local.get $n) (i32.const 1)) (local.get $b)
            (f64.add (local.get $x) (f64.const 1)) (local.get $a) (i64.add (local.get $k) (local.get $z))))
        ;; Fewer parameters than `mix`, more than `fewer`.
        (func (export "entry") (param $n i32) (param $p v128) (param $q v128) (result v128 i32 f64 i64)
          (return_call $mix (local.get $n) (local.get $q) (f64.const 0.5) (local.get $p) (i64.const 0)))
        (func $fewer (param i64 v128) (result v128 i32 f64 i64)
          (local.get 1) (i32.const 7) (f64.const 2.5) (local.get 0))
        (func (export "shrink") (param i32 v128 f64 v128 i64) (result v128 i32 f64 i64)
          (return_call $fewer (local.get 4) (local.get 3)))
        ;; A caller that uses the results after the callee tail-called.
        (func (export "use") (param $n i32) (param $p v128) (param $q v128) (result i64)
          (local $r f64) (local $k i64)
          (call $mix (local.get $n) (local.get $p) (f64.const 0) (local.get $q) (i64.const 1))
          (local.set $k) (local.set $r) (drop)
          (i64x2.extract_lane 0)
          (i64.add (local.get $k))
          (i64.add (i64.trunc_f64_s (local.get $r)))))"#,
    );
    let p = (0x1111_2222_3333_4444_u128 << 64) | 0x5555_6666_7777_8888;
    let q = !p;
    for n in [0, 1, 2, 5, 10_000] {
        let a = if n % 2 == 0 { q } else { p };
        assert_eq!(
            call(&mut s, i, "entry", &[I32(n), Value::V128(p), Value::V128(q)]).unwrap(),
            vec![Value::V128(a), I32(0), F64(0.5 + f64::from(n)), I64(1000 * i64::from(n))],
            "n = {n}"
        );
        let a = if n % 2 == 0 { p } else { q };
        assert_eq!(
            call(&mut s, i, "use", &[I32(n), Value::V128(p), Value::V128(q)]).unwrap(),
            vec![I64((a as u64 as i64).wrapping_add(1 + 1000 * i64::from(n)).wrapping_add(i64::from(n)))],
            "n = {n}"
        );
    }
    assert_eq!(
        call(&mut s, i, "shrink", &[I32(1), Value::V128(p), F64(1.0), Value::V128(q), I64(-9)]).unwrap(),
        vec![Value::V128(q), I32(7), F64(2.5), I64(-9)]
    );
}

#[test]
fn tail_calls_into_host_functions() {
    let mut s = Store::new();
    let pair = s.func_new(
        FuncType::new([ValType::I32, ValType::I32], [ValType::I32, ValType::I64]),
        Arc::new(|_c, args, res| {
            let (Value::I32(a), Value::I32(b)) = (args[0], args[1]) else {
                return Err(Trap::host("bad"));
            };
            res[0] = Value::I32(a + b);
            res[1] = Value::I64(i64::from(a) * i64::from(b));
            Ok(())
        }),
    );
    let fail = s.func_new(FuncType::new([], []), Arc::new(|_c, _a, _r| Err(Trap::host("boom"))));
    let m = module(
        r#"(module
        (import "env" "pair" (func $pair (param i32 i32) (result i32 i64)))
        (import "env" "fail" (func $fail))
        (table funcref (elem $pair))
        (global $g (mut i32) (i32.const 3))
        (func $t (export "t") (param i32) (result i32 i64)
          (return_call $pair (local.get 0) (i32.const 10)))
        (func $ti (export "ti") (param i32) (result i32 i64)
          (return_call_indirect (param i32 i32) (result i32 i64) (local.get 0) (i32.const 10) (i32.const 0)))
        ;; Uses the results and the instance after the tail call returned.
        (func (export "run") (param i32) (result i64) (local $l i64)
          (call $t (local.get 0)) (local.set $l)
          (i64.add (i64.extend_i32_u) (local.get $l))
          (i64.add (i64.extend_i32_u (global.get $g))))
        (func (export "run_i") (param i32) (result i64) (local $l i64)
          (call $ti (local.get 0)) (local.set $l)
          (i64.add (i64.extend_i32_u) (local.get $l))
          (i64.add (i64.extend_i32_u (global.get $g))))
        (func (export "fail") (return_call $fail)))"#,
    );
    let i = s.instantiate(&m, &[Extern::Func(pair), Extern::Func(fail)]).unwrap();
    assert_eq!(call(&mut s, i, "t", &[I32(5)]).unwrap(), vec![I32(15), I64(50)]);
    assert_eq!(call(&mut s, i, "ti", &[I32(5)]).unwrap(), vec![I32(15), I64(50)]);
    assert_eq!(call(&mut s, i, "run", &[I32(5)]).unwrap(), vec![I64(68)]);
    assert_eq!(call(&mut s, i, "run_i", &[I32(6)]).unwrap(), vec![I64(79)]);
    match call(&mut s, i, "fail", &[]) {
        Err(Error::Trap(t)) => assert_eq!(t.to_string(), "boom"),
        other => panic!("{other:?}"),
    }
    assert_eq!(call(&mut s, i, "run", &[I32(1)]).unwrap(), vec![I64(24)]);
}

#[test]
fn tail_calls_into_another_instance() {
    let mut s = Store::new();
    let a = inst(
        &mut s,
        r#"(module
        (global $g (mut i32) (i32.const 1))
        (memory 1)
        (data (i32.const 0) "\2a")
        (func (export "get") (param i32) (result i32 i32)
          (global.set $g (i32.add (global.get $g) (local.get 0)))
          (global.get $g) (i32.load (i32.const 0)))
        (func (export "boom") (param i32) (result i32 i32) unreachable)
        ;; Tail-calls itself: entered from another instance, it returns
        ;; there through the header it inherits.
        (func $chain (export "chain") (param i32) (result i32)
          (if (result i32) (i32.eqz (local.get 0))
            (then (i32.load (i32.const 0)))
            (else (return_call $chain (i32.sub (local.get 0) (i32.const 1)))))))"#,
    );
    let (get, boom, chain) = (func(&s, a, "get"), func(&s, a, "boom"), func(&s, a, "chain"));
    let m = module(
        r#"(module
        (import "a" "get" (func $get (param i32) (result i32 i32)))
        (import "a" "boom" (func $boom (param i32) (result i32 i32)))
        (import "a" "chain" (func $chain (param i32) (result i32)))
        (global $g (mut i32) (i32.const 100))
        (memory 1)
        (data (i32.const 0) "\07")
        (table funcref (elem $get $boom))
        (func $t (param i32) (result i32 i32) (return_call $get (local.get 0)))
        (func $ti (param i32 i32) (result i32 i32)
          (return_call_indirect (param i32) (result i32 i32) (local.get 0) (local.get 1)))
        ;; After the callee of the other instance returned, this instance's
        ;; global and memory again.
        (func (export "run") (param i32) (result i32)
          (call $t (local.get 0)) (i32.add)
          (i32.add (global.get $g)) (i32.add (i32.load (i32.const 0))))
        (func (export "run_i") (param i32 i32) (result i32)
          (call $ti (local.get 0) (local.get 1)) (i32.add)
          (i32.add (global.get $g)) (i32.add (i32.load (i32.const 0))))
        (func (export "boom") (param i32) (result i32) (call $ti (local.get 0) (i32.const 1)) (drop))
        (func (export "chain") (param i32) (result i32) (return_call $chain (local.get 0)))
        (func (export "via_chain") (param i32) (result i32)
          (i32.add (call $chain (local.get 0)) (i32.add (global.get $g) (i32.load (i32.const 0))))))"#,
    );
    let b = s.instantiate(&m, &[Extern::Func(get), Extern::Func(boom), Extern::Func(chain)]).unwrap();
    // a's global: 1 + 5; a's memory: 42; then b's: 100 and 7.
    assert_eq!(call(&mut s, b, "run", &[I32(5)]).unwrap(), vec![I32(6 + 42 + 107)]);
    assert_eq!(call(&mut s, b, "run_i", &[I32(5), I32(0)]).unwrap(), vec![I32(11 + 42 + 107)]);
    assert_eq!(trap_code(call(&mut s, b, "run_i", &[I32(5), I32(2)])), TrapCode::UndefinedElement);
    assert_eq!(trap_code(call(&mut s, b, "boom", &[I32(5)])), TrapCode::Unreachable);
    assert_eq!(call(&mut s, b, "run", &[I32(1)]).unwrap(), vec![I32(12 + 42 + 107)]);
    assert_eq!(call(&mut s, b, "chain", &[I32(1_000_000)]).unwrap(), vec![I32(42)]);
    assert_eq!(call(&mut s, b, "via_chain", &[I32(1_000_000)]).unwrap(), vec![I32(42 + 107)]);
}

#[test]
fn tail_calls_charge_fuel_and_round_trip() {
    let mut s = Store::with_config(Config { fuel: Some(10_000), ..Config::default() });
    let i = inst(&mut s, r#"(module (func $l (export "loop") (return_call $l)))"#);
    assert_eq!(trap_code(call(&mut s, i, "loop", &[])), TrapCode::OutOfFuel);
    // Serialized and read back, tail calls pass the code checks and run.
    let m = module(
        r#"(module
        (type $t (func (param i64) (result i64)))
        (table funcref (elem $down))
        (func $down (export "down") (param i64) (result i64)
          (if (result i64) (i64.eqz (local.get 0))
            (then (i64.const 7))
            (else (return_call $mid (local.get 0)))))
        (func $mid (param i64) (result i64)
          (return_call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1)) (i32.const 0))))"#,
    );
    let blob = m.serialize().unwrap();
    // SAFETY: a blob `serialize` just made.
    let back = unsafe { Module::deserialize(&blob) }.unwrap();
    back.translate_all().unwrap();
    let mut s = Store::new();
    let i = s.instantiate(&back, &[]).unwrap();
    assert_eq!(call(&mut s, i, "down", &[I64(1_000_000)]).unwrap(), vec![I64(7)]);
}

/// The wide-arithmetic proposal: 128-bit add/sub on i64 pairs and the wide
/// products, with results in two slots; rejected in 2.0 mode.
#[test]
fn wide_arithmetic() {
    let wat = r#"(module
      (func (export "add") (param i64 i64 i64 i64) (result i64 i64)
        (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
      (func (export "sub") (param i64 i64 i64 i64) (result i64 i64)
        (i64.sub128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
      (func (export "mul_s") (param i64 i64) (result i64 i64) (i64.mul_wide_s (local.get 0) (local.get 1)))
      (func (export "mul_u") (param i64 i64) (result i64 i64) (i64.mul_wide_u (local.get 0) (local.get 1))))"#;
    let bytes = wat::parse_str(wat).unwrap();
    let m = Module::new(&bytes).unwrap();
    let mut s = Store::new();
    let i = s.instantiate(&m, &[]).unwrap();
    assert_eq!(call(&mut s, i, "add", &[I64(-1), I64(0), I64(1), I64(0)]).unwrap(), [I64(0), I64(1)]);
    assert_eq!(call(&mut s, i, "sub", &[I64(0), I64(0), I64(1), I64(0)]).unwrap(), [I64(-1), I64(-1)]);
    assert_eq!(call(&mut s, i, "mul_s", &[I64(-2), I64(3)]).unwrap(), [I64(-6), I64(-1)]);
    assert_eq!(call(&mut s, i, "mul_u", &[I64(-1), I64(2)]).unwrap(), [I64(-2), I64(1)]);
    assert!(Module::with_features(bytes, crate::syntax::Features::WASM2).is_err());
}

/// Custom page sizes (proposal): a memory of 1-byte pages grows and is
/// bounds checked by the byte; other page sizes are invalid.
#[test]
fn one_byte_pages() {
    let wat = r#"(module
      (memory (export "m") 3 (pagesize 1))
      (func (export "size") (result i32) (memory.size))
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0))))"#;
    let m = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    let mut s = Store::new();
    let i = s.instantiate(&m, &[]).unwrap();
    assert_eq!(call(&mut s, i, "size", &[]).unwrap(), [I32(3)]);
    assert_eq!(call(&mut s, i, "load", &[I32(2)]).unwrap(), [I32(0)]);
    assert_eq!(trap_code(call(&mut s, i, "load", &[I32(3)])), TrapCode::OutOfBoundsMemoryAccess);
    assert_eq!(call(&mut s, i, "grow", &[I32(5)]).unwrap(), [I32(3)]);
    assert_eq!(call(&mut s, i, "load", &[I32(7)]).unwrap(), [I32(0)]);
    assert_eq!(call(&mut s, i, "size", &[]).unwrap(), [I32(8)]);
    let bad = wat::parse_str("(module (memory 1 (pagesize 2)))").unwrap();
    assert!(matches!(Module::new(&bad), Err(Error::Validate { message, .. }) if message == "invalid custom page size"));
}

#[test]
fn host_calls_check_self_referential_types() {
    // `$s` names itself: its canonical form says so by `SELF_TYPE`, which
    // argument checks must read as the callee's own type.
    let mut store = Store::new();
    let i = inst(
        &mut store,
        r#"(module (type $s (func (param (ref null $s)) (result i32)))
             (func $f (export "f") (type $s) local.get 0 ref.is_null))"#,
    );
    let f = func(&store, i, "f");
    assert_eq!(store.call(f, &[Value::FuncRef(Some(f))]).unwrap(), vec![Value::I32(0)]);
    let mut out = [Value::I32(9)];
    store.call_into(f, &[Value::FuncRef(None)], &mut out).unwrap();
    assert_eq!(out, [Value::I32(1)]);
}

/// The frames, offsets and names of a trap's backtrace are wasmtime's for
/// the same module (offsets and text taken from `wasmtime run --invoke`).
#[test]
fn trap_backtraces_match_wasmtime() {
    const BT: &str = r#"(module $mymod
      (memory 1)
      (table 2 funcref)
      (elem (i32.const 0) $inner)
      (func $inner (param i32) (result i32)
        i32.const 1
        local.get 0
        i32.div_u)
      (func $middle (param i32) (result i32)
        local.get 0
        call $inner)
      (func (export "run") (param i32) (result i32)
        local.get 0
        call $middle)
      (func (export "load") (param i32) (result i32)
        local.get 0
        i32.load offset=4)
      (func (export "indirect") (param i32) (result i32)
        i32.const 0
        local.get 0
        call_indirect (param i32) (result i32))
      (func $rec (export "rec") (param i32) (result i32)
        local.get 0
        call $rec))"#;
    fn trap(r: Result<Vec<Value>, Error>) -> Trap {
        match r {
            Err(Error::Trap(t)) => t,
            other => panic!("expected a trap, got {other:?}"),
        }
    }
    let mut s = Store::new();
    let i = inst(&mut s, BT);
    let t = trap(call(&mut s, i, "run", &[I32(0)]));
    assert_eq!(t.code(), Some(TrapCode::IntegerDivideByZero));
    let frames: Vec<String> = t.backtrace().iter().map(ToString::to_string).collect();
    assert_eq!(frames, ["    0x57 - mymod!inner", "    0x5d - mymod!middle", "    0x64 - mymod!<wasm function 2>"]);
    assert_eq!(t.backtrace()[0].func_index, 0);
    assert_eq!(t.backtrace()[0].func_name.as_deref(), Some("inner"));
    assert_eq!(t.backtrace()[2].func_name, None);
    assert_eq!(
        t.backtrace_text().unwrap(),
        "error while executing at wasm backtrace:\n    0:     0x57 - mymod!inner\n    1:     0x5d - mymod!middle\n    2:     0x64 - mymod!<wasm function 2>"
    );
    let t = trap(call(&mut s, i, "load", &[I32(70000)]));
    assert_eq!(t.backtrace()[0].offset, Some(0x6b));
    assert_eq!(t.backtrace().len(), 1);
    let t = trap(call(&mut s, i, "indirect", &[I32(1)]));
    assert_eq!(t.code(), Some(TrapCode::UninitializedElement));
    assert_eq!(t.backtrace().iter().map(|f| f.offset).collect::<Vec<_>>(), [Some(0x75)]);
    // Indirect call that reaches `inner` and traps there.
    let t = trap(call(&mut s, i, "indirect", &[I32(0)]));
    assert_eq!(t.backtrace().iter().map(|f| f.offset).collect::<Vec<_>>(), [Some(0x57), Some(0x75)]);
    // A recursion that exhausts the stack: MAX_FRAMES kept, the rest counted.
    let t = trap(call(&mut s, i, "rec", &[I32(0)]));
    assert_eq!(t.code(), Some(TrapCode::CallStackExhausted));
    assert_eq!(t.backtrace().len(), crate::error::MAX_FRAMES);
    assert!(t.frames_omitted() > 1000, "{}", t.frames_omitted());
    assert!(t.backtrace().iter().all(|f| f.offset == Some(0x7d) && f.func_name.as_deref() == Some("rec")));
    assert!(t.backtrace_text().unwrap().ends_with(&format!("... {} more frames", t.frames_omitted())));
    // The store is fine afterwards.
    assert_eq!(call(&mut s, i, "run", &[I32(1)]).unwrap(), vec![I32(1)]);
}

/// A host function that fails under nested runs: the backtrace holds the
/// frames of every wasm run, innermost first.
#[test]
fn backtraces_cross_host_calls() {
    let mut s = Store::new();
    // Calls back into "inner" (which traps) from wasm.
    let (re, slot) = calls_back(&mut s);
    let fail = s.func_new(FuncType::new([], []), Arc::new(|_c, _a, _r| Err(Trap::host("boom"))));
    let m = module(
        r#"(module
        (import "env" "re" (func $re))
        (import "env" "fail" (func $fail))
        (func $outer (export "outer") call $re)
        (func $inner (export "inner") nop call $fail))"#,
    );
    let i = s.instantiate(&m, &[Extern::Func(re), Extern::Func(fail)]).unwrap();
    *slot.lock().unwrap() = Some(func(&s, i, "inner"));
    let Err(Error::Trap(t)) = call(&mut s, i, "outer", &[]) else { panic!("no trap") };
    assert_eq!(t.to_string(), "boom");
    let names: Vec<_> = t.backtrace().iter().map(|f| (f.func_index, f.func_name.clone().unwrap())).collect();
    assert_eq!(names, [(3, "inner".to_string()), (2, "outer".to_string())]);
    assert!(t.backtrace().iter().all(|f| f.module_name.is_none() && f.offset.is_some()));
    assert!(t.backtrace()[0].to_string().ends_with(" - <unknown>!inner"));
    // A host function called from the host fails outside wasm: no frames.
    let Err(Error::Trap(t)) = s.call(fail, &[]) else { panic!("no trap") };
    assert!(t.backtrace().is_empty() && t.backtrace_text().is_none());
}
