//! Unit tests on hand-built modules (the suite runs in spec-tests/validate.rs).

use super::*;
use crate::syntax::ValType::*;

fn ft(params: &[ValType], results: &[ValType]) -> FuncType {
    FuncType::new(params.to_vec(), results.to_vec())
}

/// A module with one function of type `params -> results` and body `body`
/// (an `End` is appended). Offsets are the instruction indices times 10.
fn func_module(params: &[ValType], results: &[ValType], locals: &[(u32, ValType)], body: Vec<Instr>) -> Module {
    let mut m = Module { types: vec![ft(params, results)], funcs: vec![0], ..Module::default() };
    add_body(&mut m, locals, body);
    m
}

fn add_body(m: &mut Module, locals: &[(u32, ValType)], mut body: Vec<Instr>) {
    body.push(Instr::End);
    let offsets = (0..body.len() as u32).map(|i| 100 + i * 10).collect();
    m.codes.push(FuncBody { locals: locals.to_vec(), body, offsets, code: 0..0, offset: 90 });
}

fn msg(m: &Module) -> String {
    match validate(m) {
        Ok(()) => "ok".into(),
        Err(e) => e.message(),
    }
}

fn assert_invalid(m: &Module, expected: &str) {
    let got = msg(m);
    assert!(got.starts_with(expected), "expected {expected:?}, got {got:?}");
}

fn c(expr: Instr, offset: usize) -> ConstExpr {
    ConstExpr { instrs: vec![expr], offset }
}

fn mem(min: u64, max: Option<u64>) -> MemType {
    MemType { limits: Limits { min, max }, is64: false, page_log2: 16 }
}

fn memarg(align: u32) -> MemArg {
    MemArg { align, offset: 0, memory: 0 }
}

#[test]
fn add_is_valid() {
    let m =
        func_module(&[I32, I32], &[I32], &[], vec![Instr::LocalGet(0), Instr::LocalGet(1), Instr::Num(NumOp::I32Add)]);
    assert_eq!(msg(&m), "ok");
}

#[test]
fn operand_type_mismatch_reports_offset() {
    let m = func_module(&[], &[I32], &[], vec![Instr::I32Const(1), Instr::F32Const(0), Instr::Num(NumOp::I32Add)]);
    let e = validate(&m).unwrap_err();
    assert!(e.message().starts_with("type mismatch"), "{e}");
    assert!(matches!(e, Error::Validate { offset: 120, .. }), "{e:?}");
}

#[test]
fn missing_and_extra_results() {
    assert_invalid(&func_module(&[], &[I32], &[], vec![]), "type mismatch");
    assert_invalid(&func_module(&[], &[], &[], vec![Instr::I32Const(1)]), "type mismatch");
    assert_invalid(&func_module(&[], &[I32], &[], vec![Instr::I64Const(1)]), "type mismatch");
}

#[test]
fn unreachable_makes_stack_polymorphic() {
    let body = vec![Instr::Unreachable, Instr::Num(NumOp::I32Add), Instr::Select(None)];
    assert_eq!(msg(&func_module(&[], &[I32], &[], body)), "ok");
    // Known operands still have to match after unreachable.
    let body = vec![Instr::Unreachable, Instr::I64Const(0), Instr::Num(NumOp::I32Add)];
    assert_invalid(&func_module(&[], &[I32], &[], body), "type mismatch");
    // br leaves an empty polymorphic stack; a real value still must fit.
    let body = vec![Instr::Br(0), Instr::F32Const(0)];
    assert_invalid(&func_module(&[], &[I32], &[], body), "type mismatch");
}

#[test]
fn multi_value_blocks() {
    // block (type 1) [i32 i32] -> [i64]
    let mut m = func_module(
        &[],
        &[I64],
        &[],
        vec![
            Instr::I32Const(1),
            Instr::I32Const(2),
            Instr::Block(BlockType::Func(1)),
            Instr::Num(NumOp::I32Add),
            Instr::Num(NumOp::I64ExtendI32U),
            Instr::End,
        ],
    );
    m.types.push(ft(&[I32, I32], &[I64]));
    assert_eq!(msg(&m), "ok");
    // Loop labels take the parameters: br 0 in the loop needs [i32 i32].
    if let Instr::Block(bt) = m.codes[0].body[2] {
        m.codes[0].body[2] = Instr::Loop(bt);
    }
    m.codes[0].body.insert(3, Instr::Br(0));
    assert_eq!(msg(&m), "ok");
    m.codes[0].body.insert(3, Instr::Num(NumOp::I32Add));
    assert_invalid(&m, "type mismatch");
    m.codes[0].body[2] = Instr::Block(BlockType::Func(7));
    assert_invalid(&m, "unknown type 7");
}

#[test]
fn if_without_else_must_not_change_types() {
    let body = vec![Instr::I32Const(1), Instr::If(BlockType::Value(I32)), Instr::I32Const(1), Instr::End];
    assert_invalid(&func_module(&[], &[I32], &[], body), "type mismatch");
    let body = vec![
        Instr::I32Const(1),
        Instr::If(BlockType::Value(I32)),
        Instr::I32Const(1),
        Instr::Else,
        Instr::I32Const(2),
        Instr::End,
    ];
    assert_eq!(msg(&func_module(&[], &[I32], &[], body)), "ok");
    // [i32] -> [i32] if without else passes its parameter through.
    let mut m = func_module(
        &[],
        &[I32],
        &[],
        vec![Instr::I32Const(5), Instr::I32Const(1), Instr::If(BlockType::Func(1)), Instr::End],
    );
    m.types.push(ft(&[I32], &[I32]));
    assert_eq!(msg(&m), "ok");
}

#[test]
fn labels_and_br_table() {
    let body = vec![Instr::Br(1)];
    assert_invalid(&func_module(&[], &[], &[], body), "unknown label");
    let body = vec![Instr::I32Const(0), Instr::BrTable(vec![0, u32::MAX].into(), 0)];
    assert_invalid(&func_module(&[], &[], &[], body), "unknown label");
    // Targets with different arities.
    let body = vec![
        Instr::Block(BlockType::Value(I32)),
        Instr::I32Const(0),
        Instr::I32Const(0),
        Instr::BrTable(vec![0].into(), 1),
        Instr::End,
        Instr::Drop,
    ];
    assert_invalid(&func_module(&[], &[], &[], body), "type mismatch");
    // Same arity, different types, in unreachable code: still a mismatch.
    let body = vec![
        Instr::Block(BlockType::Value(F32)),
        Instr::Unreachable,
        Instr::I32Const(0),
        Instr::BrTable(vec![0].into(), 1),
        Instr::End,
        Instr::Drop,
    ];
    assert_invalid(&func_module(&[], &[I32], &[], body), "type mismatch");
    let body =
        vec![Instr::Block(BlockType::Value(I32)), Instr::Unreachable, Instr::BrTable(vec![0].into(), 1), Instr::End];
    assert_eq!(msg(&func_module(&[], &[I32], &[], body)), "ok");
}

#[test]
fn locals() {
    let locals = [(40_000, I64), (3, F32)];
    let body = vec![Instr::LocalGet(40_000), Instr::Drop, Instr::LocalGet(40_001), Instr::LocalSet(40_003)];
    assert_eq!(msg(&func_module(&[I32], &[], &locals, body)), "ok");
    let body = vec![Instr::LocalGet(40_004)];
    assert_invalid(&func_module(&[I32], &[], &locals, body), "unknown local 40004");
    let body = vec![Instr::LocalGet(5)];
    assert_invalid(&func_module(&[I32], &[], &[(2, I32)], body), "unknown local 5");
    let body = vec![Instr::F32Const(0), Instr::LocalSet(0)];
    assert_invalid(&func_module(&[I32], &[], &[], body), "type mismatch");
    // Declared counts are never expanded; the implementation limit applies.
    let huge = [(u32::MAX, I64), (u32::MAX, I64)];
    assert_invalid(&func_module(&[I32], &[], &huge, vec![]), "too many locals");
}

#[test]
fn globals() {
    let mut m = func_module(&[], &[], &[], vec![Instr::I32Const(1), Instr::GlobalSet(0)]);
    m.globals.push(Global { ty: GlobalType { val: I32, mutable: false }, init: c(Instr::I32Const(0), 5) });
    assert_invalid(&m, "immutable global");
    m.features = crate::syntax::Features::WASM2;
    assert_invalid(&m, "global is immutable");
    m.features = crate::syntax::Features::default();
    m.globals[0].ty.mutable = true;
    assert_eq!(msg(&m), "ok");
    m.codes[0].body[1] = Instr::GlobalGet(1);
    assert_invalid(&m, "unknown global 1");
}

#[test]
fn constant_expressions() {
    let imported = |mutable| Import {
        module: "m".into(),
        name: "g".into(),
        desc: ImportDesc::Global(GlobalType { val: I32, mutable }),
    };
    let global = |init| Global { ty: GlobalType { val: I32, mutable: false }, init };
    let mut m = Module { imports: vec![imported(false)], ..Module::default() };
    m.globals.push(global(c(Instr::GlobalGet(0), 7)));
    assert_eq!(msg(&m), "ok");
    // 2.0: defined globals are not in scope for initialisers.
    m.globals.push(global(c(Instr::GlobalGet(1), 9)));
    m.features = crate::syntax::Features::WASM2;
    let e = validate(&m).unwrap_err();
    assert!(e.message().starts_with("unknown global 1"), "{e}");
    assert!(matches!(e, Error::Validate { offset: 9, .. }));
    m.features = crate::syntax::Features::default();
    m.globals.pop();
    m.imports[0] = imported(true);
    assert_invalid(&m, "constant expression required");
    m.imports.clear();
    // Extended constant expressions: i32.add is constant, i32.and is not.
    m.globals[0].init =
        ConstExpr { instrs: vec![Instr::I32Const(1), Instr::I32Const(2), Instr::Num(NumOp::I32Add)], offset: 0 };
    assert_eq!(msg(&m), "ok");
    m.globals[0].init =
        ConstExpr { instrs: vec![Instr::I32Const(1), Instr::I32Const(2), Instr::Num(NumOp::I32And)], offset: 0 };
    assert_invalid(&m, "constant expression required");
    m.globals[0].init = ConstExpr { instrs: vec![], offset: 0 };
    assert_invalid(&m, "type mismatch");
    m.globals[0].init = c(Instr::I64Const(0), 0);
    assert_invalid(&m, "type mismatch");
    m.globals[0].init = ConstExpr { instrs: vec![Instr::I32Const(1), Instr::I32Const(2)], offset: 0 };
    assert_invalid(&m, "type mismatch");
}

#[test]
fn ref_func_needs_declaration() {
    let mut m = func_module(&[], &[], &[], vec![Instr::RefFunc(0), Instr::Drop]);
    assert_invalid(&m, "undeclared function reference");
    m.exports.push(Export { name: "f".into(), desc: ExportDesc::Func(0) });
    assert_eq!(msg(&m), "ok");
    m.exports.clear();
    m.elems.push(ElemSegment { ty: RefType::FUNCREF, items: ElemItems::Funcs(vec![0]), mode: ElemMode::Declarative });
    assert_eq!(msg(&m), "ok");
    m.elems[0].items = ElemItems::Funcs(vec![7]);
    assert_invalid(&m, "unknown function 7");
    m.codes[0].body[0] = Instr::RefFunc(3);
    m.elems.clear();
    assert_invalid(&m, "unknown function 3");
}

#[test]
fn memory_rules() {
    let load = vec![Instr::I32Const(0), Instr::Mem(MemOp::I32Load, memarg(2)), Instr::Drop];
    let mut m = func_module(&[], &[], &[], load);
    assert_invalid(&m, "unknown memory 0");
    m.memories.push(mem(1, None));
    assert_eq!(msg(&m), "ok");
    m.codes[0].body[1] = Instr::Mem(MemOp::I32Load, memarg(3));
    assert_invalid(&m, "alignment must not be larger than natural");
    m.codes[0].body[1] = Instr::Mem(MemOp::I32Load8U, memarg(u32::MAX));
    assert_invalid(&m, "alignment must not be larger than natural");
    m.codes[0].body[1] = Instr::Mem(MemOp::I32Load8U, memarg(0));
    assert_eq!(msg(&m), "ok");
    m.memories[0] = mem(65537, None);
    assert_invalid(&m, "memory size must be at most 65536 pages (4GiB)");
    m.memories[0] = mem(0, Some(65537));
    assert_invalid(&m, "memory size must be at most 65536 pages (4GiB)");
    m.memories[0] = mem(2, Some(1));
    assert_invalid(&m, "size minimum must not be greater than maximum");
    m.memories[0] = mem(0, Some(65536));
    m.memories.push(mem(0, None));
    // Allowed since 3.0 (multi-memory), not in 2.0.
    assert!(crate::validate::validate(&m).is_ok());
    m.features = crate::syntax::Features::WASM2;
    assert_invalid(&m, "multiple memories");
}

#[test]
fn bulk_memory_and_data() {
    let body =
        vec![Instr::I32Const(0), Instr::I32Const(0), Instr::I32Const(0), Instr::MemoryInit { data: 1, memory: 0 }];
    let mut m = func_module(&[], &[], &[], body);
    m.memories.push(mem(1, None));
    m.datas.push(DataSegment { init: 0..0, mode: DataMode::Passive });
    m.data_count = Some(1);
    assert_invalid(&m, "unknown data segment 1");
    m.codes[0].body[3] = Instr::MemoryInit { data: 0, memory: 0 };
    assert_eq!(msg(&m), "ok");
    m.codes[0].body[3] = Instr::DataDrop(0);
    assert_invalid(&m, "type mismatch");
    m.codes[0].body.drain(0..3);
    assert_eq!(msg(&m), "ok");
}

#[test]
fn tables_and_elems() {
    let funcref = TableType::new(RefType::FUNCREF, Limits { min: 1, max: None });
    let externref = TableType { elem: RefType::EXTERNREF, ..funcref };
    let body = vec![Instr::I32Const(0), Instr::I32Const(0), Instr::I32Const(0), Instr::TableCopy { dst: 0, src: 1 }];
    let mut m = func_module(&[], &[], &[], body);
    assert_invalid(&m, "unknown table 0");
    m.tables = vec![funcref, externref];
    assert_invalid(&m, "type mismatch");
    m.codes[0].body[3] = Instr::TableInit { elem: 4, table: 1 };
    assert_invalid(&m, "unknown elem segment 4");
    m.elems.push(ElemSegment {
        ty: RefType::EXTERNREF,
        items: ElemItems::Exprs(vec![c(Instr::RefNull(RefType::EXTERNREF), 0)]),
        mode: ElemMode::Passive,
    });
    m.codes[0].body[3] = Instr::TableInit { elem: 0, table: 1 };
    assert_eq!(msg(&m), "ok");
    // Active segment into a table of another type.
    m.elems[0].mode = ElemMode::Active { table: 0, offset: c(Instr::I32Const(0), 0) };
    assert_invalid(&m, "type mismatch");
    m.elems[0].mode = ElemMode::Active { table: 1, offset: c(Instr::I64Const(0), 0) };
    assert_invalid(&m, "type mismatch");
    m.elems[0].mode = ElemMode::Active { table: 1, offset: c(Instr::I32Const(0), 0) };
    m.elems[0].items = ElemItems::Exprs(vec![c(Instr::RefNull(RefType::FUNCREF), 0)]);
    assert_invalid(&m, "type mismatch");
    m.elems[0].items = ElemItems::Exprs(vec![]);
    // call_indirect needs a funcref table.
    m.codes[0].body = vec![Instr::I32Const(0), Instr::CallIndirect { type_index: 0, table: 1 }, Instr::End];
    assert_invalid(&m, "type mismatch");
    m.codes[0].body[1] = Instr::CallIndirect { type_index: 3, table: 0 };
    assert_invalid(&m, "unknown type 3");
    m.codes[0].body[1] = Instr::CallIndirect { type_index: 0, table: 0 };
    assert_eq!(msg(&m), "ok");
    // table.grow takes (ref, i32).
    m.codes[0].body =
        vec![Instr::RefNull(RefType::EXTERNREF), Instr::I32Const(1), Instr::TableGrow(1), Instr::Drop, Instr::End];
    assert_eq!(msg(&m), "ok");
    m.codes[0].body[2] = Instr::TableGrow(0);
    assert_invalid(&m, "type mismatch");
}

#[test]
fn table64_operands() {
    // Table 0 is 64-bit, table 1 32-bit, both of funcref.
    let t64 = TableType { elem: RefType::FUNCREF, limits: Limits { min: 1, max: Some(u64::MAX) }, is64: true };
    let t32 = TableType::new(RefType::FUNCREF, Limits { min: 1, max: None });
    let check = |results: &[ValType], body: Vec<Instr>| {
        let mut m = func_module(&[], results, &[], body);
        m.tables = vec![t64, t32];
        m.elems.push(ElemSegment { ty: RefType::FUNCREF, items: ElemItems::Funcs(vec![]), mode: ElemMode::Passive });
        msg(&m)
    };
    let null = || Instr::RefNull(RefType::FUNCREF);
    let (i32c, i64c) = (|| Instr::I32Const(0), || Instr::I64Const(0));
    // table.size and table.grow give the address type.
    assert_eq!(check(&[I64], vec![Instr::TableSize(0)]), "ok");
    assert!(check(&[I32], vec![Instr::TableSize(0)]).starts_with("type mismatch"));
    assert_eq!(check(&[I32], vec![Instr::TableSize(1)]), "ok");
    assert_eq!(check(&[I64], vec![null(), i64c(), Instr::TableGrow(0)]), "ok");
    assert!(check(&[I64], vec![null(), i32c(), Instr::TableGrow(0)]).starts_with("type mismatch"));
    // Indices: i64 for table 0, i32 for table 1.
    assert_eq!(check(&[], vec![i64c(), Instr::TableGet(0), Instr::Drop]), "ok");
    assert!(check(&[], vec![i32c(), Instr::TableGet(0), Instr::Drop]).starts_with("type mismatch"));
    assert!(check(&[], vec![i64c(), Instr::TableGet(1), Instr::Drop]).starts_with("type mismatch"));
    assert_eq!(check(&[], vec![i64c(), null(), Instr::TableSet(0)]), "ok");
    assert_eq!(check(&[], vec![i64c(), null(), i64c(), Instr::TableFill(0)]), "ok");
    assert!(check(&[], vec![i64c(), null(), i32c(), Instr::TableFill(0)]).starts_with("type mismatch"));
    assert_eq!(check(&[], vec![i64c(), i32c(), i32c(), Instr::TableInit { elem: 0, table: 0 }]), "ok");
    assert!(check(&[], vec![i64c(), i64c(), i64c(), Instr::TableInit { elem: 0, table: 0 }]).starts_with("type mismatch"));
    assert_eq!(check(&[], vec![i64c(), Instr::CallIndirect { type_index: 0, table: 0 }]), "ok");
    assert!(check(&[], vec![i32c(), Instr::CallIndirect { type_index: 0, table: 0 }]).starts_with("type mismatch"));
    // table.copy: each index of its table's type, the length i64 only
    // between two 64-bit tables.
    let copy = |dst, src, ops: [Instr; 3]| {
        let mut body = ops.to_vec();
        body.push(Instr::TableCopy { dst, src });
        check(&[], body)
    };
    assert_eq!(copy(0, 0, [i64c(), i64c(), i64c()]), "ok");
    assert_eq!(copy(0, 1, [i64c(), i32c(), i32c()]), "ok");
    assert_eq!(copy(1, 0, [i32c(), i64c(), i32c()]), "ok");
    assert!(copy(0, 1, [i64c(), i32c(), i64c()]).starts_with("type mismatch"));
    assert!(copy(1, 0, [i64c(), i32c(), i32c()]).starts_with("type mismatch"));
    assert!(copy(0, 0, [i64c(), i64c(), i32c()]).starts_with("type mismatch"));
}

#[test]
fn table64_limits_and_offsets() {
    let t64 = TableType { elem: RefType::FUNCREF, limits: Limits { min: 0, max: Some(u64::MAX) }, is64: true };
    let mut m = Module { tables: vec![t64], ..Module::default() };
    let active = |offset| ElemSegment {
        ty: RefType::FUNCREF,
        items: ElemItems::Funcs(vec![]),
        mode: ElemMode::Active { table: 0, offset: c(offset, 0) },
    };
    m.elems = vec![active(Instr::I64Const(0))];
    assert_eq!(msg(&m), "ok");
    m.elems = vec![active(Instr::I32Const(0))];
    assert_invalid(&m, "type mismatch");
    // A 32-bit table's limits stop at 2^32-1, a 64-bit one's at 2^64-1.
    m.elems.clear();
    m.tables[0].limits = Limits { min: 1 << 32, max: None };
    assert_eq!(msg(&m), "ok");
    m.tables[0].is64 = false;
    assert_invalid(&m, "table size must be at most 2^32-1");
    m.tables[0].limits = Limits { min: 0, max: Some(u64::from(u32::MAX)) };
    assert_eq!(msg(&m), "ok");
    m.tables[0].limits.max = Some(1 << 32);
    assert_invalid(&m, "table size must be at most 2^32-1");
}

#[test]
fn select_rules() {
    let body = vec![
        Instr::RefNull(RefType::FUNCREF),
        Instr::RefNull(RefType::FUNCREF),
        Instr::I32Const(1),
        Instr::Select(None),
        Instr::Drop,
    ];
    assert_invalid(&func_module(&[], &[], &[], body.clone()), "type mismatch");
    let mut typed = body.clone();
    typed[3] = Instr::Select(Some(vec![ValType::FUNCREF].into()));
    assert_eq!(msg(&func_module(&[], &[], &[], typed.clone())), "ok");
    typed[3] = Instr::Select(Some(vec![].into()));
    assert_invalid(&func_module(&[], &[], &[], typed.clone()), "invalid result arity");
    typed[3] = Instr::Select(Some(vec![ValType::FUNCREF, ValType::FUNCREF].into()));
    assert_invalid(&func_module(&[], &[], &[], typed), "invalid result arity");
    let body = vec![Instr::I32Const(1), Instr::I64Const(1), Instr::I32Const(1), Instr::Select(None), Instr::Drop];
    assert_invalid(&func_module(&[], &[], &[], body), "type mismatch");
}

#[test]
fn module_level_rules() {
    let mut m = func_module(&[I32], &[], &[], vec![]);
    m.start = Some(0);
    assert_invalid(&m, "start function");
    m.start = Some(1);
    assert_invalid(&m, "unknown function 1");
    m.start = None;
    m.exports.push(Export { name: "a".into(), desc: ExportDesc::Func(0) });
    m.exports.push(Export { name: "b".into(), desc: ExportDesc::Func(0) });
    assert_eq!(msg(&m), "ok");
    m.exports.push(Export { name: "a".into(), desc: ExportDesc::Func(0) });
    assert_invalid(&m, "duplicate export name");
    // Reported in order, like the reference interpreter: an unknown index
    // after the repeated name loses, one before it wins.
    m.exports.push(Export { name: "c".into(), desc: ExportDesc::Func(9) });
    assert_invalid(&m, "duplicate export name");
    m.exports.swap(1, 3);
    assert_invalid(&m, "unknown function 9");
    m.exports.swap(1, 3);
    m.exports.truncate(2);
    m.exports.push(Export { name: "m".into(), desc: ExportDesc::Memory(0) });
    assert_invalid(&m, "unknown memory 0");
    m.exports.pop();
    m.funcs[0] = 3;
    assert_invalid(&m, "unknown type 3");
    m.funcs.push(0);
    assert_invalid(&m, "unknown type 3");
}

#[test]
fn structure_errors_do_not_panic() {
    // Stray else, instructions after the final end, missing end.
    assert!(validate(&func_module(&[], &[], &[], vec![Instr::Else])).is_err());
    assert!(validate(&func_module(&[], &[], &[], vec![Instr::End, Instr::Nop])).is_err());
    let mut m = func_module(&[], &[], &[], vec![Instr::Block(BlockType::Empty)]);
    assert!(validate(&m).is_err());
    m.codes[0].body.clear();
    assert!(validate(&m).is_err());
    m.codes.clear();
    assert!(validate(&m).is_err());
}

/// Pseudo-random instruction soup with wild indices: must never panic.
#[test]
fn random_bodies_never_panic() {
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut m = func_module(&[I32], &[I32], &[(2, F64)], vec![]);
    m.types.push(ft(&[I32, I64], &[F32]));
    m.memories.push(mem(1, None));
    m.tables.push(TableType::new(RefType::FUNCREF, Limits { min: 0, max: None }));
    for _ in 0..2000 {
        let mut body = Vec::new();
        for _ in 0..(next() % 12) {
            let small = (next() % 4) as u32;
            let bt = [BlockType::Empty, BlockType::Value(I32), BlockType::Func(small)][(next() % 3) as usize];
            body.push(match next() % 26 {
                0 => Instr::Unreachable,
                1 => Instr::Block(bt),
                2 => Instr::Loop(bt),
                3 => Instr::If(bt),
                4 => Instr::Else,
                5 => Instr::End,
                6 => Instr::Br(small),
                7 => Instr::BrIf(small),
                8 => Instr::BrTable(vec![small, 0].into(), (next() % 3) as u32),
                9 => Instr::Return,
                10 => Instr::Call(small),
                11 => Instr::CallIndirect { type_index: small, table: small % 2 },
                12 => Instr::LocalGet(small),
                13 => Instr::LocalTee(small),
                14 => Instr::Select(None),
                15 => Instr::Drop,
                16 => Instr::I32Const(0),
                17 => Instr::Num(NumOp::I32Add),
                18 => Instr::Mem(MemOp::I64Load, memarg(small)),
                19 => Instr::RefFunc(small),
                20 => Instr::RefIsNull,
                21 => Instr::TableGet(small % 2),
                22 => Instr::MemoryGrow(small % 2),
                23 => Instr::ReturnCall(small),
                24 => Instr::ReturnCallIndirect { type_index: small, table: small % 2 },
                _ => Instr::F64Const(0),
            });
        }
        m.codes[0] = FuncBody::default();
        m.codes.truncate(0);
        add_body(&mut m, &[(2, F64)], body);
        let _ = validate(&m);
    }
}

/// Hostile multi-value amplification: linear time, bounded stack.
#[test]
fn huge_arities_stay_cheap() {
    let many = vec![I32; MAX_FUNC_ARITY];
    let mut m = func_module(&[], &[], &[], vec![]);
    m.types.push(FuncType::new(vec![I32; MAX_FUNC_ARITY + 1], vec![]));
    assert_invalid(&m, "function type has too many parameters");

    // `unreachable` then 100k calls of a function taking 1000 parameters: the
    // missing operands must not be popped one by one.
    m.types[1] = FuncType::new(many.clone(), vec![]);
    m.funcs.push(1);
    add_body(&mut m, &[], vec![Instr::Unreachable]);
    m.codes[0].body = [Instr::Unreachable]
        .into_iter()
        .chain(std::iter::repeat(Instr::Call(1)).take(100_000))
        .chain([Instr::End])
        .collect();
    assert_eq!(msg(&m), "ok");

    // br_table with 100k labels of a 1000-value block, 1000 known operands.
    let mut body = vec![Instr::Block(BlockType::Func(1)), Instr::Unreachable];
    body.extend(std::iter::repeat(Instr::I32Const(0)).take(1001));
    body.push(Instr::BrTable(vec![0; 100_000].into(), 0));
    body.extend([Instr::End, Instr::Unreachable, Instr::End]);
    m.types[1] = FuncType::new(vec![], many);
    m.codes[0].body = body;
    assert_eq!(msg(&m), "ok");

    // 1000 results pushed by each of 2000 calls: the stack limit stops it.
    m.codes[0].body = std::iter::repeat(Instr::Call(1)).take(2000).chain([Instr::End]).collect();
    assert_invalid(&m, "operand stack too deep");
}

#[test]
fn simd_instructions() {
    let v = |op| Instr::Simd(op, SimdImm::None);
    let lane = |op, l| Instr::Simd(op, SimdImm::Lane(l));
    let k = Instr::V128Const([0; 16]);
    // i32x4.add of two constants, then extract lane 3.
    let body = vec![k.clone(), k.clone(), v(SimdOp::I32x4Add), lane(SimdOp::I32x4ExtractLane, 3)];
    assert_eq!(msg(&func_module(&[], &[I32], &[], body)), "ok");
    let body = vec![k.clone(), lane(SimdOp::I32x4ExtractLane, 4)];
    assert_invalid(&func_module(&[], &[I32], &[], body), "invalid lane index");
    let body = vec![k.clone(), k.clone(), Instr::I8x16Shuffle([31; 16])];
    assert_eq!(msg(&func_module(&[], &[V128], &[], body)), "ok");
    let body = vec![k.clone(), k.clone(), Instr::I8x16Shuffle([32; 16])];
    assert_invalid(&func_module(&[], &[V128], &[], body), "invalid lane index");
    // Shifts take an i32 count; splats a scalar of their lane type.
    let body = vec![k.clone(), Instr::I64Const(1), v(SimdOp::I64x2Shl)];
    assert_invalid(&func_module(&[], &[V128], &[], body), "type mismatch");
    let body = vec![Instr::F64Const(0), v(SimdOp::F64x2Splat), v(SimdOp::V128AnyTrue)];
    assert_eq!(msg(&func_module(&[], &[I32], &[], body)), "ok");
    // Memory forms: the memory must exist, the alignment be at most natural.
    let load = |op, align, l| {
        Instr::Simd(op, if l > 0 { SimdImm::MemLane(memarg(align), l) } else { SimdImm::Mem(memarg(align)) })
    };
    let body = vec![Instr::I32Const(0), load(SimdOp::V128Load, 4, 0)];
    assert_invalid(&func_module(&[], &[V128], &[], body.clone()), "unknown memory 0");
    let mut m = func_module(&[], &[V128], &[], body);
    m.memories.push(mem(1, None));
    assert_eq!(msg(&m), "ok");
    m.codes[0].body[1] = load(SimdOp::V128Load, 5, 0);
    assert_invalid(&m, "alignment must not be larger than natural");
    m.codes[0].body[1] = load(SimdOp::V128Load32Splat, 3, 0);
    assert_invalid(&m, "alignment must not be larger than natural");
    m.codes[0].body.splice(1..2, [k.clone(), load(SimdOp::V128Load16Lane, 1, 7)]);
    assert_eq!(msg(&m), "ok");
    m.codes[0].body[2] = load(SimdOp::V128Load16Lane, 1, 8);
    assert_invalid(&m, "invalid lane index");
    // v128 globals: constant initialisers, and `uses` reports them.
    let mut m = Module::default();
    m.globals.push(Global { ty: GlobalType { val: V128, mutable: false }, init: c(k.clone(), 0) });
    assert_eq!(validate_uses(&m).unwrap(), Uses { v128: true });
    m.globals[0].init = c(Instr::I32Const(0), 0);
    assert_invalid(&m, "type mismatch");
    assert_eq!(validate_uses(&func_module(&[], &[], &[], vec![])).unwrap(), Uses { v128: false });
}

/// The validator's loop over a body's bytes (`FuncValidator::code`) gives
/// the same result, error message and offset included, as decoding each
/// instruction and validating it (`FuncValidator::instr`): every module of
/// the spec suite, and damaged copies of each.
#[test]
fn byte_loop_agrees_with_instr_path() {
    let dir = crate::script::default_suite_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: no test suite at {}", dir.display());
        return;
    };
    let mut files: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.retain(|p| p.extension().is_some_and(|x| x == "wast"));
    files.sort();
    let check = |bytes: &[u8]| {
        let Ok(m) = crate::binary::decode_lazy(crate::syntax::Bytes::from(bytes.to_vec()), Default::default()) else { return };
        let fast = format!("{:?}", validate(&m));
        func::GENERIC.with(|g| g.set(true));
        let slow = format!("{:?}", validate(&m));
        func::GENERIC.with(|g| g.set(false));
        assert_eq!(fast, slow, "module {bytes:02x?}");
    };
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut rand = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    let mut modules = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let Ok(buf) = wast::parser::ParseBuffer::new(&text) else { continue };
        let Ok(script) = wast::parser::parse::<wast::Wast<'_>>(&buf) else { continue };
        for d in script.directives {
            use wast::WastDirective as D;
            let mut q = match d {
                D::Module(q) | D::AssertMalformed { module: q, .. } | D::AssertInvalid { module: q, .. } => q,
                D::AssertUnlinkable { module, .. } => wast::QuoteWat::Wat(module),
                _ => continue,
            };
            let Ok(bytes) = q.encode() else { continue };
            modules += 1;
            check(&bytes);
            for _ in 0..100 {
                let mut b = bytes.clone();
                let at = 8 + rand(b.len().saturating_sub(8));
                match rand(4) {
                    0 if at < b.len() => b[at] = rand(256) as u8,
                    1 if at < b.len() => b[at] ^= 1 << rand(8),
                    2 => b.insert(at.min(b.len()), rand(256) as u8),
                    _ if at < b.len() => drop(b.remove(at)),
                    _ => {}
                }
                check(&b);
            }
        }
    }
    assert!(modules > 1000, "only {modules} modules");
}

/// A module importing an immutable i32 global (0) and a mutable one (1),
/// with one memory and one funcref table.
fn extended_const_module() -> Module {
    let imported = |name: &str, mutable| Import {
        module: "m".into(),
        name: name.into(),
        desc: ImportDesc::Global(GlobalType { val: I32, mutable }),
    };
    Module {
        imports: vec![imported("c", false), imported("v", true)],
        memories: vec![mem(1, None)],
        tables: vec![TableType::new(RefType::FUNCREF, Limits { min: 1, max: None })],
        ..Module::default()
    }
}

fn expr(instrs: Vec<Instr>, offset: usize) -> ConstExpr {
    ConstExpr { instrs, offset }
}

#[test]
fn extended_const_arithmetic() {
    use Instr::{GlobalGet, I32Const, I64Const, Num};
    let mut m = extended_const_module();
    let global = |val, init| Global { ty: GlobalType { val, mutable: false }, init };
    // (i32.add (i32.sub (i32.mul (i32.const 20) (i32.const 2)) (i32.const 2)) (global.get 0))
    m.globals.push(global(
        I32,
        expr(
            vec![
                I32Const(20),
                I32Const(2),
                Num(NumOp::I32Mul),
                I32Const(2),
                Num(NumOp::I32Sub),
                GlobalGet(0),
                Num(NumOp::I32Add),
            ],
            3,
        ),
    ));
    m.globals.push(global(
        I64,
        expr(
            vec![
                I64Const(i64::MAX),
                I64Const(3),
                Num(NumOp::I64Mul),
                I64Const(1),
                Num(NumOp::I64Sub),
                I64Const(1),
                Num(NumOp::I64Add),
            ],
            5,
        ),
    ));
    // A data segment offset computed from an imported global.
    m.datas.push(DataSegment {
        init: 0..0,
        mode: DataMode::Active { memory: 0, offset: expr(vec![GlobalGet(0), I32Const(16), Num(NumOp::I32Add)], 11) },
    });
    // An element segment offset too.
    m.elems.push(ElemSegment {
        ty: RefType::FUNCREF,
        items: ElemItems::Exprs(vec![c(Instr::RefNull(RefType::FUNCREF), 12)]),
        mode: ElemMode::Active { table: 0, offset: expr(vec![I32Const(1), GlobalGet(0), Num(NumOp::I32Mul)], 13) },
    });
    assert_eq!(msg(&m), "ok");

    let bad = |m: &Module, e: ConstExpr, expected: &str| {
        let mut m = m.clone();
        m.globals[0].init = e;
        let got = msg(&m);
        assert!(got.starts_with(expected), "expected {expected:?}, got {got:?}");
    };
    // Operands of the wrong type, too few, too many.
    bad(&m, expr(vec![I32Const(1), I64Const(2), Num(NumOp::I32Add)], 0), "type mismatch");
    bad(&m, expr(vec![I64Const(1), I64Const(2), Num(NumOp::I64Add)], 0), "type mismatch");
    bad(&m, expr(vec![I32Const(1), Num(NumOp::I32Add)], 0), "type mismatch");
    bad(&m, expr(vec![Num(NumOp::I32Mul)], 0), "type mismatch");
    bad(&m, expr(vec![I32Const(1), I32Const(2), I32Const(3), Num(NumOp::I32Add)], 0), "type mismatch");
    // Other arithmetic is not constant, even where it would type-check.
    for op in [NumOp::I32DivS, NumOp::I32And, NumOp::I32Shl, NumOp::I32Eq, NumOp::I64DivU, NumOp::F32Add] {
        bad(&m, expr(vec![I32Const(1), I32Const(2), Num(op)], 0), "constant expression required");
    }
    // Constness is checked before types, over the whole expression.
    bad(&m, expr(vec![I32Const(1), Num(NumOp::I32Add), Instr::Nop], 0), "constant expression required");
    // A mutable global stays non-constant, arithmetic or not.
    bad(&m, expr(vec![GlobalGet(1), I32Const(1), Num(NumOp::I32Add)], 0), "constant expression required");
    let mut d = m.clone();
    d.datas[0].mode =
        DataMode::Active { memory: 0, offset: expr(vec![GlobalGet(1), I32Const(1), Num(NumOp::I32Add)], 0) };
    assert_invalid(&d, "constant expression required");
}

#[test]
fn extended_const_global_scope() {
    use Instr::{GlobalGet, I32Const, Num};
    let mut m = extended_const_module();
    let global = |mutable, init| Global { ty: GlobalType { val: I32, mutable }, init };
    m.globals.push(global(false, c(I32Const(8), 0))); // 2
    m.globals.push(global(true, c(I32Const(9), 0))); // 3, mutable
    m.globals.push(global(false, c(I32Const(0), 0))); // 4, initialiser under test
    m.globals.push(global(false, c(I32Const(0), 0))); // 5
    let ctx = ModuleCtx::new(&m).unwrap();
    let check = |instrs: Vec<Instr>, visible| match const_expr::check(&ctx, &expr(instrs, 21), I32, visible) {
        Ok(()) => "ok".to_string(),
        Err(e) => e.message(),
    };
    // The 3.0 scope of global 4's initialiser: the imports and globals 2 and 3.
    let scope = m.num_imported_globals() + 2;
    assert_eq!(check(vec![GlobalGet(2), I32Const(1), Num(NumOp::I32Add)], scope), "ok");
    assert_eq!(check(vec![GlobalGet(0), GlobalGet(2), Num(NumOp::I32Mul)], scope), "ok");
    assert!(check(vec![GlobalGet(3)], scope).starts_with("constant expression required"));
    // Itself and later globals are unknown, even under a mutable one.
    assert!(check(vec![GlobalGet(4)], scope).starts_with("unknown global 4"));
    assert!(check(vec![GlobalGet(5), GlobalGet(3), Num(NumOp::I32Add)], scope).starts_with("unknown global 5"));
    assert!(check(vec![GlobalGet(3), GlobalGet(5), Num(NumOp::I32Add)], scope).starts_with("constant expression"));
    // 2.0: only the imports.
    assert!(check(vec![GlobalGet(2)], 2).starts_with("unknown global 2"));
    // What validation applies: the 3.0 scope by default, 2.0's with its features.
    assert_eq!(const_expr::visible_globals(&ctx, None), 6);
    assert_eq!(const_expr::visible_globals(&ctx, Some(2)), 4);
    m.globals[2].init = expr(vec![GlobalGet(2), I32Const(1), Num(NumOp::I32Add)], 21);
    assert_eq!(msg(&m), "ok");
    m.features = crate::syntax::Features::WASM2;
    assert_eq!(msg(&m), "unknown global 2");
    m.features = crate::syntax::Features::default();
    m.globals[2].init = c(GlobalGet(4), 21);
    assert_invalid(&m, "unknown global 4");
    m.globals[2].init = c(I32Const(0), 0);
    m.datas.push(DataSegment { init: 0..0, mode: DataMode::Active { memory: 0, offset: c(GlobalGet(5), 3) } });
    assert_eq!(msg(&m), "ok");
    m.datas[0].mode = DataMode::Active { memory: 0, offset: c(GlobalGet(6), 3) };
    assert_invalid(&m, "unknown global 6");
}

/// Tail calls (3.0): the callee's results must be the function's, the
/// operands are the callee's parameters, and nothing after is reachable.
#[test]
fn tail_calls_check_the_callers_results() {
    // Function 0: () -> [i32]; function 1: [i64] -> [i32].
    let mut m = func_module(&[], &[I32], &[], vec![Instr::I64Const(1), Instr::ReturnCall(1)]);
    m.types.push(ft(&[I64], &[I32]));
    m.types.push(ft(&[I64], &[I64]));
    m.funcs.push(1);
    add_body(&mut m, &[], vec![Instr::I32Const(0)]);
    assert_eq!(msg(&m), "ok");
    // Unreachable after: any operands, no results needed.
    m.codes[0].body = vec![Instr::I64Const(1), Instr::ReturnCall(1), Instr::Num(NumOp::I32Add), Instr::End];
    assert_eq!(msg(&m), "ok");
    // Extra operands below the arguments are fine.
    m.codes[0].body = vec![Instr::F32Const(0), Instr::I64Const(1), Instr::ReturnCall(1), Instr::End];
    assert_eq!(msg(&m), "ok");
    m.codes[0].body = vec![Instr::I32Const(1), Instr::ReturnCall(1), Instr::End];
    assert_invalid(&m, "type mismatch");
    m.codes[0].body = vec![Instr::ReturnCall(2), Instr::End];
    assert_invalid(&m, "unknown function");
    // The callee returns i32, function 1 returns i32 too; a callee of
    // results [i64] does not fit a function returning [i32].
    m.funcs.push(2);
    add_body(&mut m, &[], vec![Instr::LocalGet(0)]);
    m.codes[0].body = vec![Instr::I64Const(1), Instr::ReturnCall(2), Instr::End];
    assert_invalid(&m, "type mismatch: current function requires result type [i32] but callee returns [i64]");
    // return_call_indirect: a funcref table, the type's results.
    m.tables.push(TableType::new(RefType::FUNCREF, Limits { min: 0, max: None }));
    m.tables.push(TableType::new(RefType::EXTERNREF, Limits { min: 0, max: None }));
    let indirect = |ty: u32, table: u32| {
        vec![Instr::I64Const(1), Instr::I32Const(0), Instr::ReturnCallIndirect { type_index: ty, table }, Instr::End]
    };
    m.codes[0].body = indirect(1, 0);
    assert_eq!(msg(&m), "ok");
    m.codes[0].body = indirect(2, 0);
    assert_invalid(&m, "type mismatch");
    m.codes[0].body = indirect(1, 1);
    assert_invalid(&m, "type mismatch");
    m.codes[0].body = indirect(1, 2);
    assert_invalid(&m, "unknown table");
    m.codes[0].body = indirect(5, 0);
    assert_invalid(&m, "unknown type");
}
