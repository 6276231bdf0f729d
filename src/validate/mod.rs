//! Validation (spec chapter 3 and the appendix algorithm 7.3).
//!
//! [`validate`] checks a decoded [`Module`] in the order of the reference
//! interpreter (`valid/valid.ml`), so that a module with several faults
//! reports the same one as the spec suite expects:
//!
//! 1. build the context: imports, then function types, tables, memories, element
//!    and data segments; the globals visible to constant expressions are only
//!    the imported ones (2.0 rule),
//! 2. globals, tables, memories, element segments, data segments,
//! 3. function bodies ([`validate_func`]), start function, exports, memory count.
//!
//! Messages start with the suite's wording (`"type mismatch"`,
//! `"unknown global 1"`, ...); detail may follow, never precede it.
//!
//! Index lookups never panic: every index is checked with `get`, and nothing
//! is allocated in proportion to a count the module merely declares.

mod const_expr;
mod func;
pub(crate) mod types;

pub use func::{validate_func, FuncValidator};

use crate::error::{Error, Result};
use crate::syntax::*;

/// The typing context `C` of spec 3.1.6 for a whole module: every index space,
/// with imports first. Built once by [`ModuleCtx::new`], shared by all checks.
#[derive(Debug)]
pub struct ModuleCtx<'m> {
    /// The module being validated.
    pub module: &'m Module,
    /// Type index of every function (imports first); each one is known valid.
    pub funcs: Vec<u32>,
    /// Every table (imports first).
    pub tables: Vec<TableType>,
    /// Every memory (imports first).
    pub memories: Vec<MemType>,
    /// Every global (imports first).
    pub globals: Vec<GlobalType>,
    /// Type index of every tag (imports first); each one is known valid.
    pub tags: Vec<u32>,
    /// How many globals are imported (see `const_expr::visible_globals`).
    pub num_imported_globals: usize,
    /// Element type of each element segment.
    pub elems: Vec<RefType>,
    /// Number of data segments.
    pub num_datas: u32,
    /// Bit set of the functions that `ref.func` may name inside function bodies
    /// (spec 3.4.10 `C.refs`: referenced outside function bodies and the start).
    declared: Vec<u64>,
    /// `v128` occurs outside function bodies' instructions (types, globals,
    /// locals): then any function may hold v128 operands.
    pub v128_types: bool,
    /// Equivalence and subtyping of the module's types (spec 3.0).
    pub tinfo: std::sync::Arc<types::TypeInfo>,
    /// `[(ref $i)]` and `[(ref null $i)]` of each type index, for block types.
    singles: Vec<[[ValType; 1]; 2]>,
}

/// A validation error at `offset`.
pub(crate) fn err<T>(message: impl Into<String>, offset: usize) -> Result<T> {
    Err(Error::validate(message, offset))
}

/// Checks that a value type is valid where `num_types` types are known: a
/// concrete reference must name one.
fn check_val_type(t: ValType, num_types: usize, offset: usize) -> Result<()> {
    match t {
        ValType::Ref(RefType { heap: HeapType::Concrete(i), .. }) if i as usize >= num_types => {
            err(format!("unknown type {i}"), offset)
        }
        _ => Ok(()),
    }
}

/// Does `a` match `b` (spec 3.0 subtyping)?
#[inline]
pub(crate) fn matches_in(t: &types::TypeInfo, a: ValType, b: ValType) -> bool {
    a == b || val_matches(a, b, t)
}

/// The index that stands for a type's reference to itself in its canonical
/// form.
pub(crate) const SELF_TYPE: u32 = u32::MAX;

/// Most parameters, and most results, a function type may have. An
/// implementation limit (spec A.1; wasmparser's too): each multi-value
/// instruction costs time in proportion to an arity, so unbounded arities
/// would make validating and running small hostile modules quadratic.
pub const MAX_FUNC_ARITY: usize = 1000;

/// Most locals (parameters included) a function may have: an implementation
/// limit, as every call materialises them (wasmparser's limit too).
pub const MAX_LOCALS: u64 = 50_000;

/// A type index where a function type must be (GC: structs and arrays
/// share the index space).
fn not_func<T>(t: u32, offset: usize) -> Result<T> {
    err(format!("type mismatch: type {t} is not a function type"), offset)
}

/// Spec 3.2.1: limits within `range`, minimum not above maximum.
fn check_limits(l: &Limits, range: u64, msg: &str, offset: usize) -> Result<()> {
    if l.min > range {
        return err(msg, offset);
    }
    if let Some(max) = l.max {
        if max > range {
            return err(msg, offset);
        }
        if l.min > max {
            return err("size minimum must not be greater than maximum", offset);
        }
    }
    Ok(())
}

/// A tag's type: a function type without results (exception handling).
fn check_tag_type(module: &Module, t: u32, offset: usize) -> Result<()> {
    match module.types.get(t as usize) {
        None => err(format!("unknown type {t}"), offset),
        Some(_) if !module.is_func_type(t) => not_func(t, offset),
        Some(ty) if !ty.results.is_empty() => err("non-empty tag result type", offset),
        Some(_) => Ok(()),
    }
}

fn check_table_type(t: &TableType, offset: usize) -> Result<()> {
    if t.is64 {
        return check_limits(&t.limits, u64::MAX, "table size must be at most 2^64-1", offset);
    }
    check_limits(&t.limits, u64::from(u32::MAX), "table size must be at most 2^32-1", offset)
}

fn check_memory_type(t: &MemType, offset: usize) -> Result<()> {
    if t.page_log2 == 0 {
        let range = if t.is64 { u64::MAX } else { u64::from(u32::MAX) };
        return check_limits(&t.limits, range, "memory size must be at most 2^32 - 1 bytes", offset);
    }
    if t.page_log2 != 16 {
        return err("invalid custom page size", offset);
    }
    if t.is64 {
        return check_limits(&t.limits, 1 << 48, "memory size must be at most 2^48 pages", offset);
    }
    check_limits(&t.limits, u64::from(MAX_PAGES), "memory size must be at most 65536 pages (4GiB)", offset)
}

impl<'m> ModuleCtx<'m> {
    /// Builds the context, checking imports and the function section's type
    /// indices (the reference interpreter does so while building it).
    ///
    /// # Errors
    /// `unknown type N`, invalid import types.
    pub fn new(module: &'m Module) -> Result<Self> {
        let mut funcs = Vec::with_capacity(module.funcs.len() + module.imports.len());
        let mut tables = Vec::new();
        let mut memories = Vec::new();
        let mut globals = Vec::with_capacity(module.globals.len());
        let mut tags = Vec::new();
        let at = module.sections;
        let tinfo = types::check_types(module, at.types)?;
        let ntypes = module.types.len();
        // The reference interpreter checks imports last to first (a fold_right).
        for imp in module.imports.iter().rev() {
            match &imp.desc {
                ImportDesc::Func(t) if *t as usize >= module.types.len() => {
                    return err(format!("unknown type {t}"), at.imports);
                }
                ImportDesc::Func(t) if !module.is_func_type(*t) => return not_func(*t, at.imports),
                ImportDesc::Func(_) => {}
                ImportDesc::Table(t) => {
                    check_val_type(t.elem.into(), ntypes, at.imports)?;
                    check_table_type(t, at.imports)?
                }
                ImportDesc::Memory(m) => check_memory_type(m, at.imports)?,
                ImportDesc::Global(g) => check_val_type(g.val, ntypes, at.imports)?,
                ImportDesc::Tag(t) => check_tag_type(module, *t, at.imports)?,
            }
        }
        for imp in &module.imports {
            match &imp.desc {
                ImportDesc::Func(t) => funcs.push(*t),
                ImportDesc::Table(t) => tables.push(*t),
                ImportDesc::Memory(m) => memories.push(*m),
                ImportDesc::Global(g) => globals.push(*g),
                ImportDesc::Tag(t) => tags.push(*t),
            }
        }
        for &t in &module.tags {
            check_tag_type(module, t, at.tags)?;
            tags.push(t);
        }
        let num_imported_globals = globals.len();
        for (i, &t) in module.funcs.iter().enumerate() {
            if t as usize >= module.types.len() {
                // The function section has no per-entry offsets; point at
                // the body, else at the section.
                let at = module.codes.get(i).map_or(module.sections.funcs, |c| c.offset);
                return err(format!("unknown type {t}"), at);
            }
            if !module.is_func_type(t) {
                return not_func(t, module.codes.get(i).map_or(module.sections.funcs, |c| c.offset));
            }
            funcs.push(t);
        }
        tables.extend_from_slice(&module.tables);
        memories.extend(module.memories.iter().copied());
        globals.extend(module.globals.iter().map(|g| g.ty));
        let elems = module.elems.iter().map(|e| e.ty).collect();
        let num_datas = u32::try_from(module.datas.len()).unwrap_or(u32::MAX);

        let mut ctx = ModuleCtx {
            module,
            funcs,
            tables,
            memories,
            globals,
            tags,
            num_imported_globals,
            elems,
            num_datas,
            declared: Vec::new(),
            v128_types: v128_outside_instrs(module),
            tinfo: tinfo.into(),
            singles: (0..ntypes as u32)
                .map(|i| {
                    let r = |nullable| [ValType::Ref(RefType { nullable, heap: HeapType::Concrete(i) })];
                    [r(false), r(true)]
                })
                .collect(),
        };
        ctx.collect_declared();
        Ok(ctx)
    }

    /// `C.refs`: every function index occurring in the module outside of
    /// function bodies and the start section.
    fn collect_declared(&mut self) {
        let m = self.module;
        let mut declared = vec![0u64; self.funcs.len().div_ceil(64)];
        let mut mark = |f: u32| {
            if let Some(w) = declared.get_mut(f as usize / 64) {
                *w |= 1 << (f % 64);
            }
        };
        let mark_expr = |e: &ConstExpr, mark: &mut dyn FnMut(u32)| {
            for i in &e.instrs {
                if let Instr::RefFunc(f) = i {
                    mark(*f);
                }
            }
        };
        for g in &m.globals {
            mark_expr(&g.init, &mut mark);
        }
        for e in &m.elems {
            match &e.items {
                ElemItems::Funcs(fs) => fs.iter().for_each(|&f| mark(f)),
                ElemItems::Exprs(es) => es.iter().for_each(|e| mark_expr(e, &mut mark)),
            }
            if let ElemMode::Active { offset, .. } = &e.mode {
                mark_expr(offset, &mut mark);
            }
        }
        for d in &m.datas {
            if let DataMode::Active { offset, .. } = &d.mode {
                mark_expr(offset, &mut mark);
            }
        }
        for e in &m.exports {
            if let ExportDesc::Func(f) = e.desc {
                mark(f);
            }
        }
        self.declared = declared;
    }

    /// Checks that a value type is valid: a concrete reference must name
    /// a type.
    ///
    /// # Errors
    /// `unknown type N`.
    pub fn check_val_type(&self, t: ValType, offset: usize) -> Result<()> {
        check_val_type(t, self.module.types.len(), offset)
    }

    /// `[t]` for a concrete reference type (see `func::single`).
    pub(crate) fn concrete_single(&self, i: u32, nullable: bool) -> &[ValType] {
        self.singles.get(i as usize).map_or(&[], |s| &s[usize::from(nullable)][..])
    }

    /// The type of `ref.func f` (known to exist): `(ref $t)`.
    pub fn func_ref_type(&self, f: u32) -> ValType {
        let t = self.funcs.get(f as usize).copied().unwrap_or(0);
        ValType::Ref(RefType { nullable: false, heap: HeapType::Concrete(t) })
    }

    /// Does `a` match `b` (spec 3.0 subtyping)?
    pub fn matches(&self, a: ValType, b: ValType) -> bool {
        matches_in(&self.tinfo, a, b)
    }

    /// Is function `f` in `C.refs` (may `ref.func f` appear in a body)?
    pub fn is_declared(&self, f: u32) -> bool {
        self.declared.get(f as usize / 64).is_some_and(|w| w & (1 << (f % 64)) != 0)
    }

    /// The type of function `f`.
    ///
    /// # Errors
    /// `unknown function N`.
    pub fn func_type(&self, f: u32, offset: usize) -> Result<&'m FuncType> {
        match self.funcs.get(f as usize) {
            // Type indices were checked in `new`.
            Some(&t) => Ok(&self.module.types[t as usize]),
            None => err(format!("unknown function {f}"), offset),
        }
    }

    /// Type `t` of the type section.
    ///
    /// # Errors
    /// `unknown type N`.
    pub fn type_at(&self, t: u32, offset: usize) -> Result<&'m FuncType> {
        match self.module.types.get(t as usize) {
            Some(_) if !self.module.is_func_type(t) => not_func(t, offset),
            Some(ty) => Ok(ty),
            None => err(format!("unknown type {t}"), offset),
        }
    }

    /// # Errors
    /// `unknown table N`.
    pub fn table(&self, t: u32, offset: usize) -> Result<TableType> {
        match self.tables.get(t as usize) {
            Some(ty) => Ok(*ty),
            None => err(format!("unknown table {t}"), offset),
        }
    }

    /// # Errors
    /// `unknown memory N`.
    pub fn memory(&self, m: u32, offset: usize) -> Result<MemType> {
        match self.memories.get(m as usize) {
            Some(ty) => Ok(*ty),
            None => err(format!("unknown memory {m}"), offset),
        }
    }

    /// # Errors
    /// `unknown global N`.
    /// The type of tag `x`: its payload's types are the parameters.
    ///
    /// # Errors
    /// `unknown tag N`.
    pub fn tag(&self, x: u32, offset: usize) -> Result<&'m FuncType> {
        match self.tags.get(x as usize) {
            // Type indices were checked in `new`.
            Some(&t) => Ok(&self.module.types[t as usize]),
            None => err(format!("unknown tag {x}"), offset),
        }
    }

    pub fn global(&self, g: u32, offset: usize) -> Result<GlobalType> {
        match self.globals.get(g as usize) {
            Some(ty) => Ok(*ty),
            None => err(format!("unknown global {g}"), offset),
        }
    }

    /// # Errors
    /// `unknown elem segment N`.
    pub fn elem(&self, e: u32, offset: usize) -> Result<RefType> {
        match self.elems.get(e as usize) {
            Some(ty) => Ok(*ty),
            None => err(format!("unknown elem segment {e}"), offset),
        }
    }

    /// # Errors
    /// `unknown data segment N`.
    pub fn data(&self, d: u32, offset: usize) -> Result<()> {
        if d >= self.num_datas {
            return err(format!("unknown data segment {d}"), offset);
        }
        Ok(())
    }
}

/// Validates a decoded module, decoding the instructions of its function
/// bodies as it reads them.
///
/// # Errors
/// [`Error::Validate`] with the spec suite's wording
/// (e.g. "type mismatch", "unknown local") and the byte offset; or
/// [`Error::Decode`] for malformed instructions (or a missing data count
/// section), which the reference reports before any validation error, so
/// a validation error is returned only once all bodies are known to be
/// well-formed.
pub fn validate(module: &Module) -> Result<()> {
    validate_uses(module).map(drop)
}

/// What a valid module uses that the engine may not support.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Uses {
    /// The `v128` type or a SIMD instruction, anywhere in the module.
    pub v128: bool,
}

/// [`validate`], also telling what the module uses.
///
/// # Errors
/// As [`validate`].
pub fn validate_uses(module: &Module) -> Result<Uses> {
    match validate_parts(module, true) {
        Err(e @ Error::Validate { .. }) => {
            crate::binary::check_code(module)?;
            Err(e)
        }
        other => other,
    }
}

/// Does the module use `v128` outside of function bodies' instructions
/// (whose SIMD instructions [`FuncValidator`] notes)? A `v128` value can
/// only come from a SIMD instruction or from one of these; block and
/// `select` types of `v128` without one only occur in code that never runs.
fn v128_outside_instrs(module: &Module) -> bool {
    let v = |t: &ValType| *t == ValType::V128;
    module.types.iter().any(|t| t.params.iter().chain(t.results.iter()).any(v))
        || module.imports.iter().any(|i| matches!(&i.desc, ImportDesc::Global(g) if v(&g.val)))
        || module.globals.iter().any(|g| v(&g.ty.val))
        || module.codes.iter().any(|c| c.locals.iter().any(|(_, t)| v(t)))
}

/// Validates everything but the function bodies: for a module whose code
/// arrives already translated (`runtime::serialize`), which has none.
///
/// # Errors
/// As [`validate`].
pub fn validate_without_bodies(module: &Module) -> Result<Uses> {
    validate_parts(module, false)
}

fn validate_parts(module: &Module, bodies: bool) -> Result<Uses> {
    let ctx = ModuleCtx::new(module)?;

    // Globals (3.4.4): initialisers see the imported globals (and, with
    // extended constant expressions, the globals defined before).
    for (i, g) in module.globals.iter().enumerate() {
        ctx.check_val_type(g.ty.val, g.init.offset)?;
        const_expr::check(&ctx, &g.init, g.ty.val, const_expr::visible_globals(&ctx, Some(i)))?;
    }
    // Tables (3.0 3.4.3): a table of a non-defaultable type needs an
    // initialiser, which may read any global.
    let mut inits = module.table_inits.iter().peekable();
    for (i, t) in module.tables.iter().enumerate() {
        let at = module.sections.tables;
        ctx.check_val_type(t.elem.into(), at)?;
        check_table_type(t, at)?;
        match inits.next_if(|(j, _)| *j as usize == i) {
            Some((_, e)) => const_expr::check(&ctx, e, t.elem.into(), ctx.num_imported_globals)?,
            None if !ValType::from(t.elem).is_defaultable() => {
                return err(format!("type mismatch: table of {} needs an initialiser", t.elem), at);
            }
            None => {}
        }
    }
    for m in &module.memories {
        check_memory_type(m, module.sections.memories)?;
    }

    // Element segments (3.4.5).
    for seg in &module.elems {
        match &seg.items {
            ElemItems::Funcs(fs) => {
                // Function indices carry no offset; use the segment's offset
                // expression when there is one.
                let at = match &seg.mode {
                    ElemMode::Active { offset, .. } => offset.offset,
                    _ => 0,
                };
                for &f in fs {
                    ctx.func_type(f, at)?;
                }
                if !fs.iter().all(|&f| ctx.matches(ctx.func_ref_type(f), seg.ty.into())) {
                    return err("type mismatch in element segment", at);
                }
            }
            ElemItems::Exprs(es) => {
                ctx.check_val_type(seg.ty.into(), 0)?;
                for e in es {
                    const_expr::check(&ctx, e, seg.ty.into(), const_expr::visible_globals(&ctx, None))?;
                }
            }
        }
        if let ElemMode::Active { table, offset } = &seg.mode {
            let tt = ctx.table(*table, offset.offset)?;
            if !ctx.matches(seg.ty.into(), tt.elem.into()) {
                return err(
                    format!("type mismatch in active element segment ({} vs table {})", seg.ty, tt.elem),
                    offset.offset,
                );
            }
            const_expr::check(&ctx, offset, tt.address_type(), const_expr::visible_globals(&ctx, None))?;
        }
    }

    // Data segments (3.4.6).
    for seg in &module.datas {
        if let DataMode::Active { memory, offset } = &seg.mode {
            let ty = ctx.memory(*memory, offset.offset)?;
            let addr = if ty.is64 { ValType::I64 } else { ValType::I32 };
            const_expr::check(&ctx, offset, addr, const_expr::visible_globals(&ctx, None))?;
        }
    }

    // Functions (3.4.1).
    let mut uses = Uses { v128: ctx.v128_types };
    if bodies {
        if module.codes.len() != module.funcs.len() {
            return err("function and code section have inconsistent lengths", module.sections.codes);
        }
        let mut fv = FuncValidator::new();
        for i in 0..module.codes.len() {
            validate_func(&ctx, i, &mut fv)?;
        }
        if fv.uses_data_index && module.data_count.is_none() {
            return Err(crate::binary::data_count_required(module));
        }
        uses.v128 |= fv.uses_simd;
    }

    // Start function (3.4.8).
    if let Some(s) = module.start {
        let at = module.sections.start;
        let ty = ctx.func_type(s, at)?;
        if !ty.params.is_empty() || !ty.results.is_empty() {
            return err("start function must not have parameters or results", at);
        }
    }

    // Exports (3.4.9), in order: each index, then the name's uniqueness. The
    // first repeated name is found by sorting (name, position) pairs: one
    // allocation, no copies of names, no hashing.
    let mut names: Vec<(&str, usize)> = module.exports.iter().enumerate().map(|(i, e)| (e.name.as_str(), i)).collect();
    names.sort_unstable();
    let first_dup = names.windows(2).filter(|w| w[0].0 == w[1].0).map(|w| w[1].1).min();
    let at = module.sections.exports;
    for (i, e) in module.exports.iter().enumerate() {
        match e.desc {
            ExportDesc::Func(f) => ctx.func_type(f, at).map(drop)?,
            ExportDesc::Table(t) => ctx.table(t, at).map(drop)?,
            ExportDesc::Memory(m) => ctx.memory(m, at).map(drop)?,
            ExportDesc::Global(g) => ctx.global(g, at).map(drop)?,
            ExportDesc::Tag(x) => ctx.tag(x, at).map(drop)?,
        }
        if first_dup == Some(i) {
            return err(format!("duplicate export name \"{}\"", e.name), at);
        }
    }

    if ctx.memories.len() > 1 && !module.features.multi_memory {
        return err("multiple memories are not allowed", module.sections.memories.max(module.sections.imports));
    }
    Ok(uses)
}

#[cfg(test)]
mod tests;
