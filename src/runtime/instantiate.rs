//! Instantiation (spec 4.5.4, WebAssembly 2.0 order): match imports,
//! allocate, evaluate global and element initialisers, then run active
//! element segments, drop declarative ones, run active data segments, and
//! finally the start function. A trap during segment initialisation stops
//! there; writes already made stay.

use std::sync::Arc;

use super::memory::MemInst;
use super::store::{Data, FuncInst, FuncKind, GlobalInst, GlobalPtr, InstanceInst, Module, Store};
use super::table::TableInst;
use super::value::*;
use crate::error::{Error, Result, TrapCode};
use crate::syntax::{
    val_matches, ConstExpr, DataMode, ElemItems, ElemMode, ExportDesc, GlobalType, HeapType, ImportDesc, Instr,
    GcInstr, NumOp, RefType, TableType, ValType,
};
use crate::validate::types::group_form;
use crate::validate::SELF_TYPE;

/// The type of `ext`, if it is a handle of `store`.
fn given(store: &Store, ext: Extern) -> Option<crate::syntax::ExternType> {
    let ok = match ext {
        Extern::Func(f) => store.funcs.len() > f.0 as usize,
        Extern::Table(t) => store.tables.len() > t.0 as usize,
        Extern::Memory(m) => store.mems.len() > m.0 as usize,
        Extern::Global(g) => store.globals.len() > g.0 as usize,
        Extern::Tag(t) => store.tags.len() > t.0 as usize,
    };
    ok.then(|| store.extern_type(ext))
}

fn incompatible() -> Error {
    Error::Link("incompatible import type".into())
}

/// `t` of a module whose types have store ids `types`, as the store knows
/// it: with the ids in place of its type indices.
pub(crate) fn in_store(t: ValType, types: &[u32]) -> ValType {
    match t {
        ValType::Ref(RefType { nullable, heap: HeapType::Concrete(i) }) => {
            let heap = HeapType::Concrete(types.get(i as usize).copied().unwrap_or(SELF_TYPE));
            ValType::Ref(RefType { nullable, heap })
        }
        t => t,
    }
}

/// Evaluates constant GC instruction `g` (`None`: operands missing or
/// not one), popping its operands from `stack`. Never collects: objects
/// made during instantiation are referenced from nowhere the collector
/// looks until they are stored.
fn const_gc(store: &mut Store, types: &[u32], g: &GcInstr, stack: &mut Vec<u128>) -> Option<Result<u128>> {
    use super::gc::{i31_ref, Packing};
    let sid = |t: &u32| types.get(*t as usize).copied();
    let oom = || Some(Err(Error::Trap(TrapCode::OutOfMemory.into())));
    // A struct of `vals`, or (`array`) an array of `len` elements, the
    // `vals` or (just one given) all that one.
    let alloc = |store: &mut Store, sid: u32, vals: &[u128], array: Option<usize>| -> Option<Result<u128>> {
        let layout = store.layouts.get(sid as usize)?.clone();
        let n = if let Some(len) = array {
            super::gc::array_slots(layout.first()?.packing, len)?
        } else {
            layout.last().map_or(0, |f| f.off as usize + f.packing.width())
        };
        if !store.heap.fits(n, store.config().max_gc_heap) {
            return oom();
        }
        let Some(r) = store.heap.alloc_zeroed(sid, n) else { return oom() };
        let o = store.heap.obj_mut(r)?;
        if let Some(len) = array {
            let p = layout.first()?.packing;
            o.init_array(p, len);
            for k in 0..len {
                let v = if vals.len() == 1 { vals[0] } else { *vals.get(k)? };
                o.set_elem(p, k, p.pack(v as u64), (v >> 64) as u64);
            }
        } else {
            for (f, v) in layout.iter().zip(vals) {
                let at = f.off as usize;
                *o.fields.get_mut(at)? = f.packing.pack(*v as u64);
                if f.packing == Packing::V128 {
                    *o.fields.get_mut(at + 1)? = (*v >> 64) as u64;
                }
            }
        }
        Some(Ok(u128::from(r)))
    };
    match g {
        GcInstr::StructNew(t) | GcInstr::StructNewDefault(t) => {
            let sid = sid(t)?;
            let n = if matches!(g, GcInstr::StructNew(_)) { store.layouts.get(sid as usize)?.len() } else { 0 };
            let vals = stack.split_off(stack.len().checked_sub(n)?);
            alloc(store, sid, &vals, None)
        }
        GcInstr::ArrayNew(t) | GcInstr::ArrayNewDefault(t) => {
            let sid = sid(t)?;
            let len = stack.pop()? as u32 as usize;
            let v = if matches!(g, GcInstr::ArrayNew(_)) { stack.pop()? } else { 0 };
            alloc(store, sid, &[v], Some(len))
        }
        GcInstr::ArrayNewFixed(t, n) => {
            let sid = sid(t)?;
            let vals = stack.split_off(stack.len().checked_sub(*n as usize)?);
            // (One value, or none: the same as `array.new`'s fill.)
            let len = vals.len();
            alloc(store, sid, if len == 0 { &[0] } else { &vals }, Some(len))
        }
        GcInstr::RefI31 => Some(Ok(u128::from(i31_ref(stack.pop()? as u32)))),
        GcInstr::AnyConvertExtern | GcInstr::ExternConvertAny => Some(Ok(stack.pop()?)),
        _ => None,
    }
}

/// Evaluates a constant expression to its bits ([`Value::to_bits`]).
/// `globals` and `funcs` are the instance's address maps built so far,
/// `store_globals` the store's.
///
/// A stack machine without recursion: every instruction pushes at most one
/// value, so the stack (its only allocation) never outgrows the
/// expression's length. Validation guarantees operands of the right type; a bad
/// expression (underflow, several values, an unknown index) is an error,
/// never a panic.
pub(super) fn eval_const(store: &mut Store, globals: &[u32], funcs: &[u32], types: &[u32], e: &ConstExpr) -> Result<u128> {
    let mismatch = || Error::validate("type mismatch", e.offset);
    // The greatest depth a valid expression reaches (binary operators pop
    // two and push one); a stack that needs more still grows only up to
    // the expression's length.
    let depth = e.instrs.iter().fold((0usize, 0usize), |(d, max), i| {
        let d = if matches!(i, Instr::Num(_)) { d.saturating_sub(1) } else { d + 1 };
        (d, max.max(d))
    });
    let mut stack: Vec<u128> = Vec::with_capacity(depth.1);
    for i in &e.instrs {
        let v = match i {
            Instr::I32Const(v) => u128::from(*v as u32),
            Instr::I64Const(v) => u128::from(*v as u64),
            Instr::F32Const(b) => u128::from(*b),
            Instr::F64Const(b) => u128::from(*b),
            Instr::V128Const(b) => u128::from_le_bytes(*b),
            Instr::RefNull(_) => 0,
            Instr::RefFunc(f) => {
                let a = funcs.get(*f as usize).ok_or_else(|| Error::validate("unknown function", e.offset))?;
                u128::from(*a) + 1
            }
            Instr::GlobalGet(g) => {
                let unknown = || Error::validate("unknown global", e.offset);
                let a = globals.get(*g as usize).ok_or_else(unknown)?;
                store.globals.get(*a as usize).ok_or_else(unknown)?.bits()
            }
            Instr::Gc(g) => const_gc(store, types, g, &mut stack).ok_or_else(mismatch)??,
            Instr::Num(op) => {
                let (b, a) = (stack.pop().ok_or_else(mismatch)?, stack.pop().ok_or_else(mismatch)?);
                let (a32, b32, a64, b64) = (a as u32, b as u32, a as u64, b as u64);
                match op {
                    NumOp::I32Add => u128::from(a32.wrapping_add(b32)),
                    NumOp::I32Sub => u128::from(a32.wrapping_sub(b32)),
                    NumOp::I32Mul => u128::from(a32.wrapping_mul(b32)),
                    NumOp::I64Add => u128::from(a64.wrapping_add(b64)),
                    NumOp::I64Sub => u128::from(a64.wrapping_sub(b64)),
                    NumOp::I64Mul => u128::from(a64.wrapping_mul(b64)),
                    _ => return Err(Error::validate("constant expression required", e.offset)),
                }
            }
            _ => return Err(Error::validate("constant expression required", e.offset)),
        };
        stack.push(v);
    }
    match stack[..] {
        [v] => Ok(v),
        _ => Err(mismatch()),
    }
}

pub(crate) fn instantiate(store: &mut Store, module: &Module, imports: &[Extern]) -> Result<Instance> {
    let m = module.syntax();
    if imports.len() != m.imports.len() {
        return Err(Error::Link(format!(
            "incompatible import type: expected {} imports, got {}",
            m.imports.len(),
            imports.len()
        )));
    }
    // Resource limits (`limits.rs`): the module's whole demand, checked
    // before anything is allocated.
    store.check_new_instance()?;
    store.check_new_memories(&m.memories)?;
    store.check_new_tables(&m.tables)?;
    // Store type ids, equal for equivalent types of any module: each
    // recursion group is interned with the ids of the types before it
    // (see `validate::types`).
    let mut types: Vec<u32> = Vec::with_capacity(m.types.len());
    let mut i = 0;
    while (i as usize) < m.types.len() {
        // (A group always starts at `i` here: groups tile the types.)
        let (s, n) = match m.group(i) {
            (s, n) if s == i && n > 0 => (s, n),
            _ => (i, 1),
        };
        let form = group_form(m, s, n, |j| types.get(j as usize).copied());
        let base = store.intern_group(form);
        types.extend(base..base + n);
        i = s + n;
    }
    let id = store.next_instance();
    // Every vector at its final size: no regrowth.
    let n_imported = |f: fn(&ImportDesc) -> bool| m.imports.iter().filter(|i| f(&i.desc)).count();
    let mut inst = InstanceInst {
        module: module.clone(),
        types,
        funcs: Vec::with_capacity(n_imported(|d| matches!(d, ImportDesc::Func(_))) + m.funcs.len()),
        tables: Vec::with_capacity(n_imported(|d| matches!(d, ImportDesc::Table(_))) + m.tables.len()),
        mems: Vec::with_capacity(n_imported(|d| matches!(d, ImportDesc::Memory(_))) + m.memories.len()),
        globals: Vec::with_capacity(n_imported(|d| matches!(d, ImportDesc::Global(_))) + m.globals.len()),
        tags: Vec::with_capacity(n_imported(|d| matches!(d, ImportDesc::Tag(_))) + m.tags.len()),
        global_ptrs: Vec::new(),
        elems: Vec::with_capacity(m.elems.len()),
        datas: Vec::with_capacity(m.datas.len()),
        exports: Vec::with_capacity(m.exports.len()),
    };
    store.funcs.reserve(m.funcs.len());
    store.globals.reserve(m.globals.len());
    store.elems.reserve(m.elems.len());
    store.datas.reserve(m.datas.len());

    // Imports (spec 4.5.2 "Import subtyping").
    for (k, (imp, ext)) in m.imports.iter().zip(imports).enumerate() {
        let mut check = || -> Result<()> {
        match (&imp.desc, *ext) {
            (ImportDesc::Func(t), Extern::Func(f)) => {
                let expected = inst.types.get(*t as usize).ok_or_else(incompatible)?;
                let fi = store.funcs.get(f.0 as usize).ok_or_else(incompatible)?;
                if !store.type_sub(fi.ty, *expected) {
                    return Err(incompatible());
                }
                inst.funcs.push(f.0);
            }
            (ImportDesc::Table(tt), Extern::Table(t)) => {
                let ti = store.tables.get(t.0 as usize).ok_or_else(incompatible)?;
                if ValType::from(ti.elem) != in_store(tt.elem.into(), &inst.types) || !ti.ty().matches_limits(tt) {
                    return Err(incompatible());
                }
                inst.tables.push(t.0);
            }
            (ImportDesc::Memory(mt), Extern::Memory(mem)) => {
                let mi = store.mems.get(mem.0 as usize).ok_or_else(incompatible)?;
                let ty = mi.ty();
                if ty.is64 != mt.is64 || ty.page_log2 != mt.page_log2 || !ty.limits.matches(&mt.limits) {
                    return Err(incompatible());
                }
                inst.mems.push(mem.0);
            }
            (ImportDesc::Global(gt), Extern::Global(g)) => {
                let gi = store.globals.get(g.0 as usize).ok_or_else(incompatible)?;
                // A constant global's type may be a subtype (3.0).
                let want = in_store(gt.val, &inst.types);
                let ok = gi.ty.mutable == gt.mutable
                    && if gt.mutable { gi.ty.val == want } else { val_matches(gi.ty.val, want, &*store) };
                if !ok {
                    return Err(incompatible());
                }
                inst.globals.push(g.0);
            }
            // Tag types must be the same (equivalent).
            (ImportDesc::Tag(t), Extern::Tag(tag)) => {
                let expected = inst.types.get(*t as usize).ok_or_else(incompatible)?;
                if store.tags.get(tag.0 as usize) != Some(expected) {
                    return Err(incompatible());
                }
                inst.tags.push(tag.0);
            }
            _ => return Err(incompatible()),
        }
        Ok(())
        };
        // Which import, what it expects and what it was given.
        check().map_err(|_| {
            let want = module.imports().swap_remove(k).2;
            let have = given(store, *ext).map_or_else(|| "a handle of another store".to_string(), |t| t.to_string());
            Error::Link(format!("incompatible import type: `{}`.`{}` expects {want}, given {have}", imp.module, imp.name))
        })?;
    }

    // Allocation (spec 4.5.3).
    let code = &module.inner.code;
    for (i, &t) in m.funcs.iter().enumerate() {
        let ty = *inst.types.get(t as usize).ok_or_else(|| Error::validate("unknown type", 0))?;
        let kind = FuncKind::Wasm { instance: id, code: Arc::clone(code), index: i as u32 };
        inst.funcs.push(store.alloc_func(FuncInst { ty, kind }));
    }
    let mut inits = m.table_inits.iter().peekable();
    for (i, tt) in m.tables.iter().enumerate() {
        // An initialiser reads constants, functions and imported globals.
        let init = match inits.next_if(|(j, _)| *j as usize == i) {
            Some((_, e)) => eval_const(store, &inst.globals, &inst.funcs, &inst.types, e)? as u64,
            None => 0,
        };
        let ValType::Ref(elem) = in_store(tt.elem.into(), &inst.types) else { return Err(incompatible()) };
        let t = TableInst::new(TableType { elem, ..*tt }, init).ok_or_else(|| Error::Link("table too large".into()))?;
        inst.tables.push(store.push_table(t));
    }
    for mt in &m.memories {
        let mem = MemInst::of_type(mt).ok_or_else(|| Error::Link("memory too large".into()))?;
        inst.mems.push(store.push_memory(mem));
    }
    for &t in &m.tags {
        store.tags.push(*inst.types.get(t as usize).ok_or_else(|| Error::validate("unknown type", 0))?);
        inst.tags.push(store.tags.len() as u32 - 1);
    }
    for g in &m.globals {
        let value = eval_const(store, &inst.globals, &inst.funcs, &inst.types, &g.init)?;
        let ty = GlobalType { val: in_store(g.ty.val, &inst.types), ..g.ty };
        inst.globals.push(store.alloc_global(GlobalInst::new(ty, value)));
    }
    // Element and data segment instances: only passive ones keep their
    // contents (active and declarative ones are dropped once applied).
    for seg in &m.elems {
        let items = match (&seg.mode, &seg.items) {
            (ElemMode::Passive, ElemItems::Funcs(fs)) => fs
                .iter()
                .map(|f| {
                    inst.funcs
                        .get(*f as usize)
                        .map(|a| u64::from(*a) + 1)
                        .ok_or_else(|| Error::validate("unknown function", 0))
                })
                .collect::<Result<Vec<u64>>>()?,
            (ElemMode::Passive, ElemItems::Exprs(es)) => es
                .iter()
                .map(|e| eval_const(store, &inst.globals, &inst.funcs, &inst.types, e).map(|v| v as u64))
                .collect::<Result<_>>()?,
            _ => Vec::new(),
        };
        inst.elems.push(store.alloc_elem(items));
    }
    for (d, seg) in module.inner.datas.iter().zip(&m.datas) {
        inst.datas.push(store.alloc_data(if seg.mode == DataMode::Passive { d.clone() } else { Data::default() }));
    }
    for e in &m.exports {
        let map = |v: &Vec<u32>, i: u32| v.get(i as usize).copied().ok_or_else(|| Error::validate("unknown export", 0));
        let ext = match e.desc {
            ExportDesc::Func(i) => Extern::Func(Func(map(&inst.funcs, i)?)),
            ExportDesc::Table(i) => Extern::Table(Table(map(&inst.tables, i)?)),
            ExportDesc::Memory(i) => Extern::Memory(Memory(map(&inst.mems, i)?)),
            ExportDesc::Global(i) => Extern::Global(Global(map(&inst.globals, i)?)),
            ExportDesc::Tag(i) => Extern::Tag(Tag(map(&inst.tags, i)?)),
        };
        inst.exports.push(ext);
    }

    let start = m.start.and_then(|s| inst.funcs.get(s as usize).copied());
    inst.global_ptrs = inst.globals.iter().map(|&g| GlobalPtr(&mut store.globals[g as usize].value)).collect();
    let placed = store.put_instance(inst);
    debug_assert_eq!(placed, id);
    let trap = |c: TrapCode| Error::Trap(c.into());

    // Active segments in order, each like `table.init` / `memory.init`
    // (bounds checked before anything is written) then dropped. Offsets
    // and items read only constants, imported globals and function
    // addresses, which nothing here changes: evaluated where applied.
    let (globals, funcs, types) = {
        let inst = &store.instances[id as usize];
        (inst.globals.clone(), inst.funcs.clone(), inst.types.clone())
    };
    for seg in &m.elems {
        let ElemMode::Active { table, offset } = &seg.mode else { continue };
        let off = eval_const(store, &globals, &funcs, &types, offset)? as u64;
        let vals = match &seg.items {
            ElemItems::Exprs(es) => es.iter().map(|e| eval_const(store, &globals, &funcs, &types, e).map(|v| v as u64)).collect::<Result<Vec<u64>>>()?,
            ElemItems::Funcs(_) => Vec::new(),
        };
        let inst = &store.instances[id as usize];
        let ta = *inst.tables.get(*table as usize).ok_or_else(|| Error::validate("unknown table", 0))?;
        let t = &mut store.tables[ta as usize];
        // An i64 offset for a 64-bit table, else an i32.
        let off = t.operand(off);
        match &seg.items {
            ElemItems::Funcs(fs) => {
                let r = t.range(off, fs.len() as u64).map_err(trap)?;
                for (slot, f) in t.elems[r].iter_mut().zip(fs) {
                    let a = inst.funcs.get(*f as usize).ok_or_else(|| Error::validate("unknown function", 0))?;
                    *slot = u64::from(*a) + 1;
                }
            }
            ElemItems::Exprs(_) => {
                let r = t.range(off, vals.len() as u64).map_err(trap)?;
                t.elems[r].copy_from_slice(&vals);
            }
        }
    }
    for (seg, bytes) in m.datas.iter().zip(&module.inner.datas) {
        let DataMode::Active { memory, offset } = &seg.mode else { continue };
        let off = eval_const(store, &globals, &funcs, &types, offset)?;
        let inst = &store.instances[id as usize];
        let ma = *inst.mems.get(*memory as usize).ok_or_else(|| Error::validate("unknown memory", 0))?;
        let mem = &mut store.mems[ma as usize];
        // An i64 offset for a 64-bit memory, else an i32.
        let off = if mem.is64() { off as u64 } else { u64::from(off as u32) };
        let r = mem.range(off, bytes.len() as u64).map_err(trap)?;
        bytes.write_to(&mut mem.data_mut()[r])?;
    }
    if let Some(f) = start {
        crate::exec::invoke(store, f, &[]).map_err(Error::Trap)?;
    }
    Ok(Instance(id))
}
