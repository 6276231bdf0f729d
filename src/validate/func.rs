//! Function bodies (spec 3.3 instructions, 3.4.1 functions), following the
//! validation algorithm of the spec appendix (7.3) and its names:
//! `push_val`/`pop_val`/`pop_expect`/`push_ctrl`/`pop_ctrl`/`label_types`/
//! `unreachable`.
//!
//! The body is a flat instruction list, so nesting lives in the control stack
//! only (no recursion). The operand stack holds `Option<ValType>`, `None`
//! being the spec's `Unknown` type of unreachable code. Both stacks live in a
//! [`FuncValidator`] reused across functions, so validating a module
//! allocates only when a body is deeper or wider than all before it.

use super::{err, ModuleCtx};
use crate::binary::{block_type, decode_instr, mem_arg, size_mismatch, Reader};
use crate::compile::translate::FRAME_HEADER;
use crate::error::Result;
use crate::syntax::{BlockType, Features, FuncBody, HeapType, Instr, MemArg, MemOp, NumOp, RefType, ValType};
use std::sync::Arc;

#[path = "simd.rs"]
mod simd;

/// An operand type; `None` is `Unknown` (matches anything).
type OpType = Option<ValType>;

/// The appendix's `Ref(false, Bot)`: what `pop_ref` makes of an `Unknown`
/// operand (in unreachable code), so what `ref.as_non_null` and
/// `br_on_null` push for one. A reference of unknown heap type: it matches
/// every reference type ([`FuncValidator::sub`]) but no numeric or vector
/// type. Its heap type is a concrete type index that no module can
/// declare (a declared index is below the number of types).
const BOT_REF: RefType = RefType { nullable: false, heap: HeapType::Concrete(u32::MAX) };

/// An operand type in messages (`Unknown` as `_`).
fn show_op(t: OpType) -> String {
    match t {
        None => "_".to_string(),
        Some(ValType::Ref(BOT_REF)) => "(ref bot)".to_string(),
        Some(t) => t.to_string(),
    }
}

/// What opened a control frame.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum FrameKind {
    Func,
    Block,
    Loop,
    If,
    Else,
    /// `try_table` (exception handling).
    TryTable,
    /// A legacy `try`'s body, and its `catch` and `catch_all` arms.
    Try,
    Catch,
    CatchAll,
}

/// A control frame (appendix: `ctrl_frame`). Start and end types are kept as
/// the block type and resolved against the module's types on demand.
#[derive(Copy, Clone, Debug)]
struct Frame {
    kind: FrameKind,
    ty: BlockType,
    /// Operand stack height at entry.
    height: usize,
    /// Height of [`FuncValidator::inits`] at entry: the locals set inside
    /// the block are unset again after it.
    inits: usize,
    unreachable: bool,
}

/// Reusable state for validating function bodies.
#[derive(Debug, Default)]
pub struct FuncValidator {
    vals: Vec<OpType>,
    ctrls: Vec<Frame>,
    /// The top frame's `height` (0 with no frame), for the pops' fast path.
    floor: usize,
    /// Locals (parameters first) run-length encoded as (end index, type):
    /// a body may declare 2^32 locals in a few bytes, so never expand them.
    locals: Vec<(u64, ValType)>,
    /// The types of the first [`DENSE_LOCALS`] locals, one per local: the
    /// common lookups, without a search.
    dense: Vec<ValType>,
    /// Scratch for `br_table`: (address of label types, label).
    seen: Vec<(usize, u32)>,
    /// Scratch for `br_table`'s labels.
    labels: Vec<u32>,
    /// Always empty: `decode_instr`'s block stack, which only control
    /// instructions use, and [`Self::code`] decodes those itself.
    no_frames: Vec<u8>,
    /// Largest operand stack height of the body.
    max_height: usize,
    /// Set once a body uses `memory.init` or `data.drop`, which need the
    /// data count section (a decode error the caller reports).
    pub uses_data_index: bool,
    /// Set once a body uses a SIMD instruction.
    pub uses_simd: bool,
    /// The module's [`ModuleCtx::tinfo`], for subtyping.
    tinfo: Arc<super::types::TypeInfo>,
    /// Parameters: always set.
    num_params: u32,
    /// Locals of non-defaultable types set so far (spec 3.0 "init"), in
    /// the order set; empty when the function has none.
    inits: Vec<u32>,
}

#[path = "gc.rs"]
mod gc;
pub(super) use gc::{const_type as gc_const_type, is_const as gc_is_const};

/// The type of addresses into memory `m` (known to exist): i64 for a
/// 64-bit memory.
pub(super) fn address_type(ctx: &ModuleCtx, m: u32) -> ValType {
    if ctx.memories.get(m as usize).is_some_and(|t| t.is64) {
        ValType::I64
    } else {
        ValType::I32
    }
}

/// Most slots of a frame of the engine: slots are 16-bit indices.
pub const MAX_FRAME: u64 = u16::MAX as u64;

/// How many locals are looked up directly (expanding more would let a few
/// bytes of declarations cost much time).
const DENSE_LOCALS: usize = 256;

/// Most operands a function may keep on its stack (an implementation limit).
pub const MAX_OPERANDS: usize = 1 << 20;

/// `[t]` as a slice, for single-value block types: a static one but for
/// concrete references, which the context holds.
fn single<'c>(ctx: &'c ModuleCtx<'_>, t: ValType) -> &'c [ValType] {
    const fn r(nullable: bool, heap: HeapType) -> [ValType; 1] {
        [ValType::Ref(RefType { nullable, heap })]
    }
    static REFS: [[ValType; 1]; 24] = [
        r(false, HeapType::Func),
        r(true, HeapType::Func),
        r(false, HeapType::Extern),
        r(true, HeapType::Extern),
        r(false, HeapType::NoFunc),
        r(true, HeapType::NoFunc),
        r(false, HeapType::NoExtern),
        r(true, HeapType::NoExtern),
        r(false, HeapType::Exn),
        r(true, HeapType::Exn),
        r(false, HeapType::NoExn),
        r(true, HeapType::NoExn),
        r(false, HeapType::Any),
        r(true, HeapType::Any),
        r(false, HeapType::Eq),
        r(true, HeapType::Eq),
        r(false, HeapType::I31),
        r(true, HeapType::I31),
        r(false, HeapType::Struct),
        r(true, HeapType::Struct),
        r(false, HeapType::Array),
        r(true, HeapType::Array),
        r(false, HeapType::None),
        r(true, HeapType::None),
    ];
    match t {
        ValType::I32 => &[ValType::I32],
        ValType::I64 => &[ValType::I64],
        ValType::F32 => &[ValType::F32],
        ValType::F64 => &[ValType::F64],
        ValType::V128 => &[ValType::V128],
        ValType::Ref(RefType { nullable, heap }) => {
            let n = usize::from(nullable);
            match heap {
                HeapType::Func => &REFS[n],
                HeapType::Extern => &REFS[2 + n],
                HeapType::NoFunc => &REFS[4 + n],
                HeapType::NoExtern => &REFS[6 + n],
                HeapType::Exn => &REFS[8 + n],
                HeapType::NoExn => &REFS[10 + n],
                HeapType::Any => &REFS[12 + n],
                HeapType::Eq => &REFS[14 + n],
                HeapType::I31 => &REFS[16 + n],
                HeapType::Struct => &REFS[18 + n],
                HeapType::Array => &REFS[20 + n],
                HeapType::None => &REFS[22 + n],
                HeapType::Concrete(i) => ctx.concrete_single(i, nullable),
            }
        }
    }
}

/// The reference interpreter's words for an operand of the wrong type
/// (`actual` `None`: none there).
fn type_mismatch<T>(expected: OpType, actual: OpType, at: usize) -> Result<T> {
    let show = |t: OpType| if t.is_none() { String::new() } else { show_op(t) };
    err(format!("type mismatch: instruction requires [{}] but stack has [{}]", show(expected), show(actual)), at)
}

/// Validates defined function `index` (an index into `module.codes`, not the
/// function index space, which starts with imports).
///
/// # Errors
/// [`Error::Validate`](crate::Error::Validate) at the offending instruction.
pub fn validate_func(ctx: &ModuleCtx, index: usize, fv: &mut FuncValidator) -> Result<()> {
    fv.validate(ctx, index)
}

impl FuncValidator {
    /// Empty stacks; they grow on first use and are kept.
    pub fn new() -> Self {
        Self::default()
    }

    /// Validates defined function `index`; see [`validate_func`].
    ///
    /// # Errors
    /// [`Error::Validate`](crate::Error::Validate) at the offending instruction.
    pub fn validate(&mut self, ctx: &ModuleCtx, index: usize) -> Result<()> {
        let m = ctx.module;
        let (Some(body), Some(&type_index)) = (m.codes.get(index), m.funcs.get(index)) else {
            return err(format!("unknown function body {index}"), 0);
        };
        let fty = ctx.type_at(type_index, body.offset)?;
        self.vals.clear();
        self.ctrls.clear();
        self.locals.clear();
        self.max_height = 0;
        self.inits.clear();
        if !Arc::ptr_eq(&self.tinfo, &ctx.tinfo) {
            self.tinfo = Arc::clone(&ctx.tinfo);
        }
        self.num_params = fty.params.len() as u32;
        let simd_before = std::mem::take(&mut self.uses_simd);
        let mut n: u64 = 0;
        // Frame slots of the parameters and locals: a v128 takes two.
        let mut local_slots: u64 = 0;
        let width = |t: ValType| if t == ValType::V128 { 2 } else { 1 };
        for &t in fty.params.iter() {
            n += 1;
            local_slots += width(t);
            self.locals.push((n, t));
        }
        for &(count, t) in &body.locals {
            ctx.check_val_type(t, body.offset)?;
            if count > 0 {
                n = n.saturating_add(u64::from(count));
                local_slots = local_slots.saturating_add(u64::from(count) * width(t));
                self.locals.push((n, t));
            }
        }
        if n > super::MAX_LOCALS {
            return err("too many locals (implementation limit)", body.offset);
        }
        self.dense.clear();
        for &(end, t) in &self.locals {
            let end = (end as usize).min(DENSE_LOCALS);
            self.dense.resize(end, t);
        }
        self.ctrls.push(Frame {
            kind: FrameKind::Func,
            ty: BlockType::Func(type_index),
            height: 0,
            inits: 0,
            unreachable: false,
        });
        self.floor = 0;
        if body.body.is_empty() && !generic() {
            self.code(ctx, body)?;
        } else {
            // Given as instructions (built in code).
            let mut last = body.offset;
            for item in body.instrs(m) {
                let (at, instr) = item?;
                last = at;
                if self.ctrls.is_empty() {
                    return err("operators remaining after end of function", at);
                }
                self.instr(ctx, &instr, at)?;
            }
            if !self.ctrls.is_empty() {
                return err("unexpected end of function: missing end", last);
            }
        }
        // The engine's frame (see `crate::compile`): parameters, header,
        // declared locals, then one slot per operand; one more where a call
        // without arguments starts the callee's frame at the top. Checked
        // here so that a valid module never fails at its first call.
        // Operands count twice where v128 ones may occur.
        let wide = self.uses_simd || ctx.v128_types;
        self.uses_simd |= simd_before;
        let operands = self.max_height as u64 * if wide { 2 } else { 1 };
        let frame = local_slots + FRAME_HEADER as u64 + operands + 1;
        if frame > MAX_FRAME {
            return err(format!("function too large ({frame} frame slots, at most {MAX_FRAME}; implementation limit)"), body.offset);
        }
        Ok(())
    }

    // ---- The appendix algorithm -------------------------------------------

    #[inline]
    fn push_val(&mut self, t: OpType) {
        self.vals.push(t);
        self.max_height = self.max_height.max(self.vals.len());
    }

    #[inline]
    fn pop_val(&mut self, at: usize) -> Result<OpType> {
        if self.vals.len() > self.floor {
            return Ok(self.vals.pop().flatten());
        }
        self.pop_val_slow(at)
    }

    #[inline(never)]
    fn pop_val_slow(&mut self, at: usize) -> Result<OpType> {
        let Some(frame) = self.ctrls.last() else {
            return err("type mismatch", at);
        };
        if self.vals.len() == frame.height {
            if frame.unreachable {
                return Ok(None);
            }
            return err("type mismatch: operand stack is empty", at);
        }
        Ok(self.vals.pop().flatten())
    }

    #[inline]
    fn pop_expect(&mut self, expect: ValType, at: usize) -> Result<OpType> {
        if self.vals.len() > self.floor {
            if let Some(&top) = self.vals.last() {
                if top.map_or(true, |t| t == expect) {
                    self.vals.pop();
                    return Ok(top);
                }
            }
        }
        self.pop_expect_slow(expect, at)
    }

    #[inline(never)]
    fn pop_expect_slow(&mut self, expect: ValType, at: usize) -> Result<OpType> {
        if self.ctrls.last().is_some_and(|f| self.vals.len() == f.height && !f.unreachable) {
            return type_mismatch(Some(expect), None, at);
        }
        let actual = self.pop_val(at)?;
        match actual {
            Some(t) if !self.sub(t, expect) => type_mismatch(Some(expect), actual, at),
            _ => Ok(actual),
        }
    }

    /// Does `a` match `b` (spec 3.0 subtyping)?
    #[inline]
    fn sub(&self, a: ValType, b: ValType) -> bool {
        if a == ValType::Ref(BOT_REF) {
            return b.is_ref();
        }
        super::matches_in(&self.tinfo, a, b)
    }

    fn sub_ref(&self, a: RefType, b: RefType) -> bool {
        self.sub(a.into(), b.into())
    }

    /// Pops a reference (3.0 `pop_ref`): its type, [`BOT_REF`] when
    /// unknown.
    fn pop_ref(&mut self, at: usize) -> Result<RefType> {
        match self.pop_val(at)? {
            None => Ok(BOT_REF),
            Some(ValType::Ref(r)) => Ok(r),
            Some(t) => err(format!("type mismatch: expected a reference, found {t}"), at),
        }
    }

    /// Pops `types` (last first). Same as `pop_expect` per type, but values
    /// missing in unreachable code cost nothing: `unreachable` followed by
    /// calls with huge parameter lists must not take quadratic time.
    #[inline]
    fn pop_vals(&mut self, types: &[ValType], at: usize) -> Result<()> {
        if let Some(top) = self.top(types.len()) {
            if matches(top, types) {
                let n = self.vals.len() - types.len();
                self.vals.truncate(n);
                return Ok(());
            }
        }
        self.pop_vals_slow(types, at)
    }

    /// The top `n` operands if the top frame has that many.
    #[inline]
    fn top(&mut self, n: usize) -> Option<&mut [OpType]> {
        let len = self.vals.len();
        if len.saturating_sub(self.floor) >= n {
            self.vals.get_mut(len - n..)
        } else {
            None
        }
    }

    /// `pop_vals` then `push_vals` of the same types.
    #[inline]
    fn pop_push_vals(&mut self, types: &[ValType], at: usize) -> Result<()> {
        // (Over `MAX_OPERANDS`, `push_vals` reports it.)
        if self.vals.len() > MAX_OPERANDS {
            self.pop_vals(types, at)?;
            return self.push_vals(types, at);
        }
        if let Some(top) = self.top(types.len()) {
            if matches(top, types) {
                for (v, &t) in top.iter_mut().zip(types) {
                    *v = Some(t);
                }
                return Ok(());
            }
        }
        self.pop_vals(types, at)?;
        self.push_vals(types, at)
    }

    #[inline(never)]
    fn pop_vals_slow(&mut self, types: &[ValType], at: usize) -> Result<()> {
        self.peek_vals(types, at)?;
        let height = self.ctrls.last().map_or(0, |f| f.height);
        let n = types.len().min(self.vals.len().saturating_sub(height));
        self.vals.truncate(self.vals.len() - n);
        Ok(())
    }

    fn push_vals(&mut self, types: &[ValType], at: usize) -> Result<()> {
        // Multi-value pushes amplify input size (a 2-byte `call` may push
        // thousands of values), so bound the stack (spec A.1 allows it).
        if self.vals.len() + types.len() > MAX_OPERANDS {
            return err("operand stack too deep (implementation limit)", at);
        }
        self.vals.extend(types.iter().map(|&t| Some(t)));
        self.max_height = self.max_height.max(self.vals.len());
        Ok(())
    }

    /// Checks the top of the stack against `types` without changing it: the
    /// appendix's `push_vals(pop_vals(types))`, with no scratch buffer.
    fn peek_vals(&self, types: &[ValType], at: usize) -> Result<()> {
        let Some(frame) = self.ctrls.last() else {
            return err("type mismatch", at);
        };
        let avail = self.vals.len().saturating_sub(frame.height);
        for (i, &t) in types.iter().rev().enumerate() {
            if i >= avail {
                if frame.unreachable {
                    return Ok(());
                }
                return type_mismatch(Some(t), None, at);
            }
            let actual = self.vals[self.vals.len() - 1 - i];
            if actual.is_some_and(|a| !self.sub(a, t)) {
                return type_mismatch(Some(t), actual, at);
            }
        }
        Ok(())
    }

    fn push_ctrl(&mut self, ctx: &ModuleCtx, kind: FrameKind, ty: BlockType, at: usize) -> Result<()> {
        self.floor = self.vals.len();
        self.ctrls.push(Frame { kind, ty, height: self.floor, inits: self.inits.len(), unreachable: false });
        self.push_vals(start_types(ctx, kind, ty), at)
    }

    fn pop_ctrl(&mut self, ctx: &ModuleCtx, at: usize) -> Result<Frame> {
        let Some(&frame) = self.ctrls.last() else {
            return err("unexpected end", at);
        };
        let end = end_types(ctx, frame.kind, frame.ty);
        self.pop_vals(end, at)?;
        if self.vals.len() != frame.height {
            let show = |ts: &mut dyn Iterator<Item = String>| ts.collect::<Vec<_>>().join(" ");
            let left = self.vals[frame.height..].iter().map(|&t| show_op(t));
            let has = show(&mut left.chain(end.iter().map(|t| t.to_string())));
            let requires = show(&mut end.iter().map(|t| t.to_string()));
            return err(format!("type mismatch: block requires [{requires}] but stack has [{has}]"), at);
        }
        self.ctrls.pop();
        self.inits.truncate(frame.inits);
        self.floor = self.ctrls.last().map_or(0, |f| f.height);
        Ok(frame)
    }

    /// The types a branch to label `l` carries, checking the label exists.
    fn label_types<'c>(&self, ctx: &'c ModuleCtx<'_>, l: u32, at: usize) -> Result<&'c [ValType]> {
        let n = self.ctrls.len();
        match (l as usize).checked_add(1).and_then(|d| n.checked_sub(d)) {
            Some(i) => {
                let f = self.ctrls[i];
                Ok(if f.kind == FrameKind::Loop {
                    start_types(ctx, f.kind, f.ty)
                } else {
                    end_types(ctx, f.kind, f.ty)
                })
            }
            None => err(format!("unknown label {l}"), at),
        }
    }

    fn unreachable(&mut self) {
        if let Some(f) = self.ctrls.last_mut() {
            self.vals.truncate(f.height);
            f.unreachable = true;
        }
    }

    // ---- Instructions -----------------------------------------------------

    /// The rest of `end` once `frame` is popped.
    #[inline]
    fn end(&mut self, ctx: &ModuleCtx, frame: Frame, at: usize) -> Result<()> {
        let end = end_types(ctx, frame.kind, frame.ty);
        // An `if` without `else` has an empty else branch, which
        // must turn the parameters into the results.
        if frame.kind == FrameKind::If && !self.all_sub(start_types(ctx, frame.kind, frame.ty), end) {
            return err("type mismatch: if without else must not change the stack", at);
        }
        if frame.kind != FrameKind::Func {
            self.push_vals(end, at)?;
        }
        Ok(())
    }

    fn br_table(&mut self, ctx: &ModuleCtx, labels: &[u32], default: u32, at: usize) -> Result<()> {
        self.pop_expect(ValType::I32, at)?;
        let tys = self.label_types(ctx, default, at)?;
        // Check each distinct label type list once (keyed by its
        // address): the checks only read the stack, and a long table
        // of labels with long type lists would be quadratic.
        let mut seen = std::mem::take(&mut self.seen);
        seen.clear();
        for &l in labels.iter() {
            let lt = self.label_types(ctx, l, at)?;
            if lt.len() != tys.len() {
                self.seen = seen;
                return err("type mismatch: br_table targets differ in arity", at);
            }
            seen.push((lt.as_ptr() as usize, l));
        }
        seen.sort_unstable();
        seen.dedup_by_key(|p| p.0);
        let checked = seen.iter().try_for_each(|&(_, l)| {
            let lt = self.label_types(ctx, l, at)?;
            self.peek_vals(lt, at)
        });
        self.seen = seen;
        checked?;
        self.pop_vals(tys, at)?;
        self.unreachable();
        Ok(())
    }

    /// Decodes and validates the instructions of a decoded body, reading
    /// the module's bytes: the common instructions are decoded here, with
    /// no [`Instr`] built (the cost of start-up); the others go through
    /// `decode_instr` and [`Self::instr`]. Each arm decodes as
    /// `decode_instr` and validates as `instr` does, with the same errors.
    /// (Control instructions are all decoded here: the validator's control
    /// stack stands in for the decoder's block stack.)
    fn code(&mut self, ctx: &ModuleCtx, body: &FuncBody) -> Result<()> {
        use ValType::*;
        let bytes: &[u8] = &ctx.module.bytes;
        if body.code.start > bytes.len() {
            return err("unexpected end of function: missing end", body.offset);
        }
        let mut r = Reader::new(bytes);
        r.features = ctx.module.features;
        r.seek(body.code.start);
        loop {
            let at = r.pos();
            let op = r.u8()?;
            match op {
                0x00 => self.unreachable(),
                0x01 => {}
                0x02..=0x04 => {
                    let bt = block_type(&mut r)?;
                    let kind = match op {
                        0x02 => FrameKind::Block,
                        0x03 => FrameKind::Loop,
                        _ => FrameKind::If,
                    };
                    self.check_block_type(ctx, bt, at)?;
                    if kind == FrameKind::If {
                        self.pop_expect(I32, at)?;
                    }
                    self.pop_vals(start_types(ctx, kind, bt), at)?;
                    self.push_ctrl(ctx, kind, bt, at)?;
                }
                0x05 => {
                    if self.ctrls.last().map(|f| f.kind) != Some(FrameKind::If) {
                        // The decoder's error: the reference stops the
                        // sequence at `else`, then expects `end`.
                        return Err(r.error_at(at, "END opcode expected"));
                    }
                    let frame = self.pop_ctrl(ctx, at)?;
                    self.push_ctrl(ctx, FrameKind::Else, frame.ty, at)?;
                }
                // Exception handling's control instructions (the decoder's
                // block stack is not used here, see `no_frames`).
                0x06 | 0x07 | 0x18 | 0x19 | 0x1f if r.features.exceptions => {
                    // The decoder's checks, before reading the immediate.
                    let in_try = matches!(self.ctrls.last().map(|f| f.kind), Some(FrameKind::Try | FrameKind::Catch | FrameKind::CatchAll));
                    if matches!(op, 0x07 | 0x19) && !in_try {
                        return Err(r.error_at(at, "catch without try"));
                    }
                    if op == 0x18 && !in_try {
                        return Err(r.error_at(at, "delegate without try"));
                    }
                    let instr = match op {
                        0x06 => Instr::Try(block_type(&mut r)?),
                        0x07 => Instr::Catch(r.u32()?),
                        0x18 => Instr::Delegate(r.u32()?),
                        0x19 => Instr::CatchAll,
                        _ => {
                            r.seek(at);
                            let decoded = decode_instr(&mut r, &mut self.no_frames);
                            self.no_frames.clear();
                            decoded?.0
                        }
                    };
                    self.instr(ctx, &instr, at)?;
                }
                0x0b if self.ctrls.len() == 1 => {
                    // The function's `end`.
                    if r.pos() != body.code.end {
                        return Err(size_mismatch(r, body.offset));
                    }
                    self.pop_ctrl(ctx, at)?;
                    return Ok(());
                }
                0x0b => {
                    let frame = self.pop_ctrl(ctx, at)?;
                    self.end(ctx, frame, at)?;
                }
                0x0c => {
                    let l = r.u32()?;
                    let tys = self.label_types(ctx, l, at)?;
                    self.pop_vals(tys, at)?;
                    self.unreachable();
                }
                0x0d => {
                    let l = r.u32()?;
                    let tys = self.label_types(ctx, l, at)?;
                    self.pop_expect(I32, at)?;
                    self.pop_push_vals(tys, at)?;
                }
                0x0e => {
                    let n = r.len()?;
                    let mut labels = std::mem::take(&mut self.labels);
                    labels.clear();
                    for _ in 0..n {
                        labels.push(r.u32()?);
                    }
                    let default = r.u32()?;
                    let checked = self.br_table(ctx, &labels, default, at);
                    self.labels = labels;
                    checked?;
                }
                0x10 => {
                    let f = r.u32()?;
                    let ty = ctx.func_type(f, at)?;
                    self.pop_vals(&ty.params, at)?;
                    self.push_vals(&ty.results, at)?;
                }
                0x1a => {
                    self.pop_val(at)?;
                }
                0x20 => {
                    let t = self.local_get(r.u32()?, at)?;
                    self.push_val(Some(t));
                }
                0x21 => {
                    let t = self.local_set(r.u32()?, at)?;
                    self.pop_expect(t, at)?;
                }
                0x22 => {
                    let t = self.local_set(r.u32()?, at)?;
                    self.unop(t, t, at)?;
                }
                0x23 => {
                    let gt = ctx.global(r.u32()?, at)?;
                    self.push_val(Some(gt.val));
                }
                0x41 => {
                    r.s32()?;
                    self.push_val(Some(I32));
                }
                0x42 => {
                    r.s64()?;
                    self.push_val(Some(I64));
                }
                _ => {
                    if let Some(op) = MemOp::from_opcode(op) {
                        let arg = mem_arg(&mut r)?;
                        self.mem_op(ctx, op, arg, at)?;
                    } else if let Some(n) = NumOp::from_opcode(u32::from(op)) {
                        let (ins, out) = n.signature();
                        self.num(ins, out, at)?;
                    } else {
                        r.seek(at);
                        let (instr, _) = decode_instr(&mut r, &mut self.no_frames)?;
                        self.instr(ctx, &instr, at)?;
                    }
                }
            }
        }
    }

    /// A numeric instruction: pops `ins`, pushes `out`.
    #[inline]
    fn num(&mut self, ins: &[ValType], out: ValType, at: usize) -> Result<()> {
        if let Some(top) = self.top(ins.len()) {
            if matches(top, ins) {
                if let Some((first, _)) = top.split_first_mut() {
                    // One or two operands: the result takes the first's slot.
                    *first = Some(out);
                    let n = self.vals.len() + 1 - ins.len();
                    self.vals.truncate(n);
                    return Ok(());
                }
            }
        }
        self.pop_vals(ins, at)?;
        self.push_val(Some(out));
        Ok(())
    }

    fn check_block_type(&self, ctx: &ModuleCtx, bt: BlockType, at: usize) -> Result<()> {
        match bt {
            BlockType::Empty => Ok(()),
            BlockType::Value(t) => ctx.check_val_type(t, at),
            BlockType::Func(t) => ctx.type_at(t, at).map(drop),
        }
    }

    #[inline]
    fn local(&self, l: u32, at: usize) -> Result<ValType> {
        if let Some(&t) = self.dense.get(l as usize) {
            return Ok(t);
        }
        let i = self.locals.partition_point(|&(end, _)| end <= u64::from(l));
        match self.locals.get(i) {
            Some(&(_, t)) => Ok(t),
            None => err(format!("unknown local {l}"), at),
        }
    }

    /// A load or store (3.3.6).
    #[inline]
    fn mem_op(&mut self, ctx: &ModuleCtx, op: MemOp, arg: MemArg, at: usize) -> Result<()> {
        if ctx.memories.len() <= arg.memory as usize {
            ctx.memory(arg.memory, at)?;
        }
        if arg.align > op.max_align() {
            return err("alignment must not be larger than natural", at);
        }
        let addr = address_type(ctx, arg.memory);
        if addr == ValType::I32 && arg.offset > u64::from(u32::MAX) {
            return err("offset out of range", at);
        }
        let t = op.val_type();
        if op.is_store() {
            self.pop_expect(t, at)?;
            self.pop_expect(addr, at)?;
            Ok(())
        } else {
            self.unop(addr, t, at)
        }
    }

    #[inline]
    fn unop(&mut self, t: ValType, r: ValType, at: usize) -> Result<()> {
        if let Some([top]) = self.top(1) {
            if top.map_or(true, |a| a == t) {
                *top = Some(r);
                return Ok(());
            }
        }
        self.pop_expect(t, at)?;
        self.push_val(Some(r));
        Ok(())
    }

    /// Checks that a tail callee's results `results` are the current
    /// function's (3.0: they must match its return type; without subtypes,
    /// equal).
    fn tail_results(&self, ctx: &ModuleCtx, results: &[ValType], at: usize) -> Result<()> {
        let Some(func) = self.ctrls.first() else {
            return err("unexpected end", at);
        };
        let want = end_types(ctx, FrameKind::Func, func.ty);
        if !self.all_sub(results, want) {
            let show = |ts: &[ValType]| ts.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(" ");
            return err(
                format!(
                    "type mismatch: current function requires result type [{}] but callee returns [{}]",
                    show(want),
                    show(results)
                ),
                at,
            );
        }
        Ok(())
    }

    /// Does each of `a` match the one of `b` at its place?
    fn all_sub(&self, a: &[ValType], b: &[ValType]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(&x, &y)| self.sub(x, y))
    }

    /// The type of local `l` for `local.get`: a non-defaultable one must
    /// have been set (spec 3.0).
    #[inline]
    fn local_get(&self, l: u32, at: usize) -> Result<ValType> {
        let t = self.local(l, at)?;
        if self.unset(l, t) {
            return err(format!("uninitialized local {l}"), at);
        }
        Ok(t)
    }

    /// Is local `l`, of type `t`, one that has no default and is not set?
    #[inline]
    fn unset(&self, l: u32, t: ValType) -> bool {
        !t.is_defaultable() && l >= self.num_params && !self.inits.contains(&l)
    }

    /// The type of local `l` for `local.set` and `local.tee`, which set it.
    #[inline]
    fn local_set(&mut self, l: u32, at: usize) -> Result<ValType> {
        let t = self.local(l, at)?;
        if self.unset(l, t) {
            self.inits.push(l);
        }
        Ok(t)
    }

    fn instr(&mut self, ctx: &ModuleCtx, instr: &Instr, at: usize) -> Result<()> {
        use ValType::*;
        match instr {
            Instr::Gc(i) => self.gc(ctx, i, at)?,
            // Control (3.3.8)
            Instr::Unreachable => self.unreachable(),
            Instr::Nop => {}
            Instr::Block(bt) | Instr::Loop(bt) => {
                self.check_block_type(ctx, *bt, at)?;
                let kind = if matches!(instr, Instr::Block(_)) { FrameKind::Block } else { FrameKind::Loop };
                self.pop_vals(start_types(ctx, kind, *bt), at)?;
                self.push_ctrl(ctx, kind, *bt, at)?;
            }
            Instr::If(bt) => {
                self.check_block_type(ctx, *bt, at)?;
                self.pop_expect(I32, at)?;
                self.pop_vals(start_types(ctx, FrameKind::If, *bt), at)?;
                self.push_ctrl(ctx, FrameKind::If, *bt, at)?;
            }
            Instr::Else => {
                if self.ctrls.last().map(|f| f.kind) != Some(FrameKind::If) {
                    return err("else found outside an if block", at);
                }
                let frame = self.pop_ctrl(ctx, at)?;
                self.push_ctrl(ctx, FrameKind::Else, frame.ty, at)?;
            }
            Instr::End => {
                let frame = self.pop_ctrl(ctx, at)?;
                self.end(ctx, frame, at)?;
            }
            // Exception handling (3.0).
            Instr::Throw(x) => {
                let ty = ctx.tag(*x, at)?;
                self.pop_vals(&ty.params, at)?;
                self.unreachable();
            }
            Instr::ThrowRef => {
                self.pop_expect(ValType::EXNREF, at)?;
                self.unreachable();
            }
            Instr::TryTable(bt, catches) => {
                self.check_block_type(ctx, *bt, at)?;
                // The clauses' labels are outside the block.
                for c in catches.iter() {
                    let label = self.label_types(ctx, c.label, at)?;
                    let payload: &[ValType] = match c.tag {
                        Some(x) => &ctx.tag(x, at)?.params,
                        None => &[],
                    };
                    let exn = ValType::Ref(RefType::EXNREF.non_null());
                    let n = payload.len() + usize::from(c.with_ref);
                    let fits = label.len() == n
                        && payload.iter().chain(c.with_ref.then_some(&exn)).zip(label).all(|(&a, &b)| self.sub(a, b));
                    if !fits {
                        return err("type mismatch: catch clause does not match its label", at);
                    }
                }
                self.pop_vals(start_types(ctx, FrameKind::TryTable, *bt), at)?;
                self.push_ctrl(ctx, FrameKind::TryTable, *bt, at)?;
            }
            Instr::Try(bt) => {
                self.check_block_type(ctx, *bt, at)?;
                self.pop_vals(start_types(ctx, FrameKind::Try, *bt), at)?;
                self.push_ctrl(ctx, FrameKind::Try, *bt, at)?;
            }
            Instr::Catch(_) | Instr::CatchAll => {
                match self.ctrls.last().map(|f| f.kind) {
                    Some(FrameKind::Try | FrameKind::Catch) => {}
                    Some(FrameKind::CatchAll) => return err("catch after catch_all", at),
                    _ => return err("catch found outside a try block", at),
                }
                let payload: &[ValType] = match instr {
                    Instr::Catch(x) => &ctx.tag(*x, at)?.params,
                    _ => &[],
                };
                let frame = self.pop_ctrl(ctx, at)?;
                let kind = if matches!(instr, Instr::CatchAll) { FrameKind::CatchAll } else { FrameKind::Catch };
                self.push_ctrl(ctx, kind, frame.ty, at)?;
                self.push_vals(payload, at)?;
            }
            Instr::Delegate(l) => {
                if self.ctrls.last().map(|f| f.kind) != Some(FrameKind::Try) {
                    return err("delegate found outside a try block", at);
                }
                let frame = self.pop_ctrl(ctx, at)?;
                // The label is outside the `try`.
                self.label_types(ctx, *l, at)?;
                self.end(ctx, frame, at)?;
            }
            Instr::Rethrow(l) => {
                let n = self.ctrls.len();
                let i = (*l as usize).checked_add(1).and_then(|d| n.checked_sub(d));
                match i.map(|i| self.ctrls[i].kind) {
                    Some(FrameKind::Catch | FrameKind::CatchAll) => {}
                    Some(_) => return err("invalid rethrow label", at),
                    None => return err(format!("unknown label {l}"), at),
                }
                self.unreachable();
            }
            Instr::Br(l) => {
                let tys = self.label_types(ctx, *l, at)?;
                self.pop_vals(tys, at)?;
                self.unreachable();
            }
            Instr::BrIf(l) => {
                let tys = self.label_types(ctx, *l, at)?;
                self.pop_expect(I32, at)?;
                self.pop_vals(tys, at)?;
                self.push_vals(tys, at)?;
            }
            Instr::BrTable(labels, default) => self.br_table(ctx, labels, *default, at)?,
            Instr::Return => {
                let Some(func) = self.ctrls.first() else {
                    return err("unexpected end", at);
                };
                let tys = end_types(ctx, FrameKind::Func, func.ty);
                self.pop_vals(tys, at)?;
                self.unreachable();
            }
            Instr::Call(f) => {
                let ty = ctx.func_type(*f, at)?;
                self.pop_vals(&ty.params, at)?;
                self.push_vals(&ty.results, at)?;
            }
            Instr::CallIndirect { type_index, table } => {
                let tt = ctx.table(*table, at)?;
                let ty = ctx.type_at(*type_index, at)?;
                if !self.sub_ref(tt.elem, RefType::FUNCREF) {
                    return err("type mismatch: call_indirect requires a funcref table", at);
                }
                self.pop_expect(tt.address_type(), at)?;
                self.pop_vals(&ty.params, at)?;
                self.push_vals(&ty.results, at)?;
            }
            // Tail calls (3.0): the callee's results are the function's,
            // and nothing runs after the instruction in this frame.
            Instr::ReturnCall(f) => {
                let ty = ctx.func_type(*f, at)?;
                self.tail_results(ctx, &ty.results, at)?;
                self.pop_vals(&ty.params, at)?;
                self.unreachable();
            }
            Instr::ReturnCallIndirect { type_index, table } => {
                let tt = ctx.table(*table, at)?;
                let ty = ctx.type_at(*type_index, at)?;
                if !self.sub_ref(tt.elem, RefType::FUNCREF) {
                    return err("type mismatch: return_call_indirect requires a funcref table", at);
                }
                self.tail_results(ctx, &ty.results, at)?;
                self.pop_expect(tt.address_type(), at)?;
                self.pop_vals(&ty.params, at)?;
                self.unreachable();
            }

            // Typed function references (3.0).
            Instr::CallRef(t) => {
                let ty = ctx.type_at(*t, at)?;
                self.pop_expect(ValType::Ref(RefType { nullable: true, heap: HeapType::Concrete(*t) }), at)?;
                self.pop_vals(&ty.params, at)?;
                self.push_vals(&ty.results, at)?;
            }
            Instr::ReturnCallRef(t) => {
                let ty = ctx.type_at(*t, at)?;
                self.tail_results(ctx, &ty.results, at)?;
                self.pop_expect(ValType::Ref(RefType { nullable: true, heap: HeapType::Concrete(*t) }), at)?;
                self.pop_vals(&ty.params, at)?;
                self.unreachable();
            }
            Instr::BrOnNull(l) => {
                let tys = self.label_types(ctx, *l, at)?;
                let r = self.pop_ref(at)?;
                self.pop_push_vals(tys, at)?;
                self.push_val(Some(r.non_null().into()));
            }
            Instr::BrOnNonNull(l) => {
                let tys = self.label_types(ctx, *l, at)?;
                let r = self.pop_ref(at)?;
                let Some((last, rest)) = tys.split_last() else {
                    return err("type mismatch: br_on_non_null needs a label with a reference", at);
                };
                if !self.sub(r.non_null().into(), *last) {
                    return type_mismatch(Some(*last), Some(r.non_null().into()), at);
                }
                self.pop_push_vals(rest, at)?;
            }
            Instr::RefAsNonNull => {
                let r = self.pop_ref(at)?;
                self.push_val(Some(r.non_null().into()));
            }

            // Reference (3.3.2)
            Instr::Wide(w) => {
                self.pop_vals(&[I64; 4][..w.arity()], at)?;
                self.push_val(Some(I64));
                self.push_val(Some(I64));
            }
            Instr::RefNull(t) => {
                ctx.check_val_type((*t).into(), at)?;
                self.push_val(Some((*t).into()));
            }
            Instr::RefIsNull => {
                let t = self.pop_val(at)?;
                if t.is_some_and(|t| !t.is_ref()) {
                    return err(format!("type mismatch: ref.is_null on {}", t.unwrap_or(I32)), at);
                }
                self.push_val(Some(I32));
            }
            Instr::RefFunc(f) => {
                ctx.func_type(*f, at)?;
                if !ctx.is_declared(*f) {
                    return err(format!("undeclared function reference {f}"), at);
                }
                self.push_val(Some(ctx.func_ref_type(*f)));
            }

            // Parametric (3.3.3)
            Instr::Drop => {
                self.pop_val(at)?;
            }
            Instr::Select(None) => {
                self.pop_expect(I32, at)?;
                let t1 = self.pop_val(at)?;
                let t2 = self.pop_val(at)?;
                let numeric = |t: OpType| t.map_or(true, |t| t.is_num() || t == V128);
                if !numeric(t1) || !numeric(t2) {
                    return err("type mismatch: select without type needs numeric operands", at);
                }
                if let (Some(a), Some(b)) = (t1, t2) {
                    if a != b {
                        return type_mismatch(t1, t2, at);
                    }
                }
                self.push_val(t1.or(t2));
            }
            Instr::Select(Some(tys)) => {
                let &[t] = &tys[..] else {
                    return err("invalid result arity: select takes exactly one type", at);
                };
                ctx.check_val_type(t, at)?;
                self.pop_expect(I32, at)?;
                self.pop_expect(t, at)?;
                self.pop_expect(t, at)?;
                self.push_val(Some(t));
            }

            // Variable (3.3.4)
            Instr::LocalGet(l) => {
                let t = self.local_get(*l, at)?;
                self.push_val(Some(t));
            }
            Instr::LocalSet(l) => {
                let t = self.local_set(*l, at)?;
                self.pop_expect(t, at)?;
            }
            Instr::LocalTee(l) => {
                let t = self.local_set(*l, at)?;
                self.unop(t, t, at)?;
            }
            Instr::GlobalGet(g) => {
                let gt = ctx.global(*g, at)?;
                self.push_val(Some(gt.val));
            }
            Instr::GlobalSet(g) => {
                let gt = ctx.global(*g, at)?;
                if !gt.mutable {
                    // The reference interpreter's text changed in 3.0.
                    let what = if ctx.module.features == Features::WASM2 { "global is immutable" } else { "immutable global" };
                    return err(format!("{what}: global {g}"), at);
                }
                self.pop_expect(gt.val, at)?;
            }

            // Table (3.3.5)
            // Indices and sizes have the table's address type.
            Instr::TableGet(t) => {
                let tt = ctx.table(*t, at)?;
                self.unop(tt.address_type(), tt.elem.into(), at)?;
            }
            Instr::TableSet(t) => {
                let tt = ctx.table(*t, at)?;
                self.pop_vals(&[tt.address_type(), tt.elem.into()], at)?;
            }
            Instr::TableSize(t) => {
                let tt = ctx.table(*t, at)?;
                self.push_val(Some(tt.address_type()));
            }
            Instr::TableGrow(t) => {
                let tt = ctx.table(*t, at)?;
                let a = tt.address_type();
                self.pop_vals(&[tt.elem.into(), a], at)?;
                self.push_val(Some(a));
            }
            Instr::TableFill(t) => {
                let tt = ctx.table(*t, at)?;
                let a = tt.address_type();
                self.pop_vals(&[a, tt.elem.into(), a], at)?;
            }
            Instr::TableCopy { dst, src } => {
                let d = ctx.table(*dst, at)?;
                let s = ctx.table(*src, at)?;
                if !self.sub_ref(s.elem, d.elem) {
                    return err(format!("type mismatch: table.copy from {} to {}", s.elem, d.elem), at);
                }
                // The length: i64 only between two 64-bit tables.
                let n = if d.is64 && s.is64 { I64 } else { I32 };
                self.pop_vals(&[d.address_type(), s.address_type(), n], at)?;
            }
            Instr::TableInit { elem, table } => {
                let tt = ctx.table(*table, at)?;
                let et = ctx.elem(*elem, at)?;
                if !self.sub_ref(et, tt.elem) {
                    return err(format!("type mismatch: table.init of {} into {}", et, tt.elem), at);
                }
                self.pop_vals(&[tt.address_type(), I32, I32], at)?;
            }
            Instr::ElemDrop(e) => {
                ctx.elem(*e, at)?;
            }

            // Memory (3.3.6)
            Instr::Mem(op, arg) => self.mem_op(ctx, *op, *arg, at)?,
            Instr::MemorySize(m) => {
                ctx.memory(*m, at)?;
                self.push_val(Some(address_type(ctx, *m)));
            }
            Instr::MemoryGrow(m) => {
                ctx.memory(*m, at)?;
                let a = address_type(ctx, *m);
                self.unop(a, a, at)?;
            }
            Instr::MemoryFill(m) => {
                ctx.memory(*m, at)?;
                let a = address_type(ctx, *m);
                self.pop_vals(&[a, I32, a], at)?;
            }
            Instr::MemoryCopy { dst, src } => {
                ctx.memory(*dst, at)?;
                ctx.memory(*src, at)?;
                let (d, s) = (address_type(ctx, *dst), address_type(ctx, *src));
                // The length: i64 only between two 64-bit memories.
                let n = if d == I64 && s == I64 { I64 } else { I32 };
                self.pop_vals(&[d, s, n], at)?;
            }
            Instr::MemoryInit { data, memory } => {
                self.uses_data_index = true;
                ctx.memory(*memory, at)?;
                ctx.data(*data, at)?;
                self.pop_vals(&[address_type(ctx, *memory), I32, I32], at)?;
            }
            Instr::DataDrop(d) => {
                self.uses_data_index = true;
                ctx.data(*d, at)?;
            }

            // Numeric (3.3.1)
            Instr::I32Const(_) => self.push_val(Some(I32)),
            Instr::I64Const(_) => self.push_val(Some(I64)),
            Instr::F32Const(_) => self.push_val(Some(F32)),
            Instr::F64Const(_) => self.push_val(Some(F64)),
            Instr::Num(op) => {
                let (ins, out) = op.signature();
                self.pop_vals(ins, at)?;
                self.push_val(Some(out));
            }
            Instr::V128Const(_) | Instr::I8x16Shuffle(_) | Instr::Simd(..) => self.simd(ctx, instr, at)?,
        }
        Ok(())
    }
}


#[cfg(test)]
thread_local! {
    /// Tests: read decoded bodies as [`Instr`]s too, to compare the paths.
    pub(crate) static GENERIC: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(test)]
fn generic() -> bool {
    GENERIC.with(|g| g.get())
}

#[cfg(not(test))]
#[inline(always)]
fn generic() -> bool {
    false
}

/// Do the operands `vals` have the types `types` (`Unknown` matching any)?
#[inline]
fn matches(vals: &[OpType], types: &[ValType]) -> bool {
    vals.len() == types.len() && vals.iter().zip(types).all(|(v, &t)| v.map_or(true, |v| v == t))
}

/// Types on the stack at the start of a frame (its parameters). The function
/// frame starts empty: its parameters are locals.
fn start_types<'c>(ctx: &'c ModuleCtx<'_>, kind: FrameKind, bt: BlockType) -> &'c [ValType] {
    match (kind, bt) {
        // A catch arm starts with the payload, which `Catch` pushes.
        (FrameKind::Func | FrameKind::Catch | FrameKind::CatchAll, _) | (_, BlockType::Empty | BlockType::Value(_)) => &[],
        (_, BlockType::Func(t)) => ctx.module.types.get(t as usize).map_or(&[], |ty| &ty.params),
    }
}

/// Types on the stack at the end of a frame (its results).
fn end_types<'c>(ctx: &'c ModuleCtx<'_>, _kind: FrameKind, bt: BlockType) -> &'c [ValType] {
    match bt {
        BlockType::Empty => &[],
        BlockType::Value(t) => single(ctx, t),
        BlockType::Func(t) => ctx.module.types.get(t as usize).map_or(&[], |ty| &ty.results),
    }
}
