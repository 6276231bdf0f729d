//! Translation of one validated function body to the internal code.
//!
//! The operand stack disappears: every stack position has a fixed frame
//! slot (its canonical slot, after the parameters, the frame header and
//! the declared locals), and the translator keeps a virtual stack of what
//! each position holds: a value in its canonical slot (`Temp`), in an
//! accumulator register (`Reg`), a local (`Local`: no copy made) or a
//! constant (`Const`). Ops read operands from the accumulators, slots or
//! immediates and write their result to an accumulator or a slot, so
//! `local.get`, constants and `drop` emit no code, a result consumed by
//! the next op never touches memory, and an op followed by `local.set`
//! writes the local directly.
//!
//! A result goes to its type's accumulator by default (integers share
//! one, f32 and f64 have one each). Every op with a result has a
//! destination word even in its accumulator form, so when the value must
//! live in memory after all (another value needs the accumulator, a
//! branch, a call, a block boundary), its producer is turned into the slot
//! form in place ("spilled"); no copy is emitted.
//!
//! Invariants that keep this correct:
//! - A `Local` entry must never see a later write to its local: before a
//!   `local.set`/`local.tee`, entries that refer to the local are copied to
//!   their canonical slots (`refs` counts them, so this costs nothing when
//!   there are none).
//! - An accumulator holds at most one live entry, and none across a label,
//!   a branch target or a call: those spill every `Reg` entry first. A
//!   spill is safe at any time: nothing but the entry uses its canonical
//!   slot while it is live.
//! - A tail call's arguments are all in their canonical slots (as a
//!   call's): its op moves them down over the parameters and locals, which
//!   a `Local` argument could name.
//! - At every join point the stack is canonical: entering a block
//!   materialises every `Local` entry, and values carried by a branch or
//!   left at a block's end are moved to the label's canonical slots. (A
//!   copy made inside a block would not run on paths around it.)
//! - An op may be rewritten to write a local or fused with the branch that
//!   consumes its result only if it is the last op emitted and no label
//!   lies between it and the rewrite (`barrier`).

use super::ops::{emit_opcode, mem_opcode, num_opcode, op, u32_at, Dst, Emit, Form, MemForm, Misc, Opcode, Slot, Src, HW};
use super::{handlers, Info, CODE_HEADER};
use crate::error::{Error, Result};
use super::ops::simd_opcode;
use crate::syntax::{BlockType, FuncBody, FuncType, Instr, NumOp, SimdImm, SimdOp, ValType};

#[path = "gc.rs"]
pub mod gc;

/// Frame slots between the parameters and the declared locals: the
/// caller's return address and frame pointer.
pub const FRAME_HEADER: usize = 2;

/// What a stack position holds.
#[derive(Copy, Clone, Debug, PartialEq)]
enum Kind {
    /// The value is in the position's canonical slot.
    Temp,
    /// The value is in the accumulator of its type.
    Reg,
    /// The value is that of the local in this slot.
    Local(Slot),
    /// A constant (raw slot bits).
    Const(u64),
}

#[derive(Copy, Clone, Debug)]
struct Entry {
    kind: Kind,
    ty: ValType,
    /// The op that computed a `Temp` or `Reg` value (its first word), when
    /// it has a destination word.
    at: Option<u32>,
}

impl Entry {
    fn new(kind: Kind, ty: ValType) -> Entry {
        Entry { kind, ty, at: None }
    }
}

/// Frame slots a value of type `ty` takes: a v128 two (low half first).
pub fn slot_width(ty: ValType) -> usize {
    if ty == ValType::V128 {
        2
    } else {
        1
    }
}

/// Frame slots of values of types `tys`.
pub fn slots_of(tys: &[ValType]) -> usize {
    tys.iter().map(|&t| slot_width(t)).sum()
}

/// The accumulator of a type, if values of the type may live in one.
fn class(ty: ValType) -> Option<usize> {
    match ty {
        ValType::I32 | ValType::I64 => Some(0),
        ValType::F32 => Some(1),
        ValType::F64 => Some(2),
        _ => None,
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum CtrlKind {
    Func,
    Block,
    Loop,
    If,
    /// `try_table`, and the legacy `try` (body and `catch` arms): blocks
    /// whose label is their end.
    TryTable,
    Try,
}

/// A branch whose offset is patched when its target is known.
#[derive(Copy, Clone, Debug)]
struct Fixup {
    /// Word position of the op the offset is relative to.
    op: usize,
    /// Word position of the offset field.
    at: usize,
}

struct Ctrl {
    kind: CtrlKind,
    ty: BlockType,
    /// Stack height below the block's parameters.
    height: usize,
    /// Start of a loop: its branch target.
    start: usize,
    /// Forward branches to the end of the block.
    fixups: Vec<Fixup>,
    /// The jump to the `else` arm of an `if` not yet seen.
    else_fix: Option<Fixup>,
    /// While in the body of a try block: its index in `tries`.
    try_at: Option<u16>,
    /// Clauses (try, clause) whose target is the end of the block.
    clause_fixups: Vec<(u16, u16)>,
    /// In a legacy `catch` arm: its clause (try, clause) and the slot of
    /// the caught exception, for `rethrow` (a hidden stack entry at the
    /// block's height, below the payload).
    arm: Option<(u16, u16, Slot)>,
}

impl Ctrl {
    fn new(kind: CtrlKind, ty: BlockType, height: usize, start: usize) -> Ctrl {
        Ctrl { kind, ty, height, start, fixups: Vec::new(), else_fix: None, try_at: None, clause_fixups: Vec::new(), arm: None }
    }
}

/// A try block being translated (see [`super::handlers`]).
struct TryInfo {
    start: u32,
    end: u32,
    parent: u16,
    /// `handlers::DELEGATE`, `handlers::SKIP`, or 0 with `clauses`.
    kind: u16,
    clauses: Vec<ClauseInfo>,
}

struct ClauseInfo {
    clause: handlers::Clause,
    /// A legacy arm's exception is kept only if a `rethrow` needs it.
    keep: bool,
}

/// A branch condition, taken from the stack before the branch is emitted.
#[derive(Copy, Clone, Debug)]
enum Cond {
    /// Known at translation time.
    Const(bool),
    /// An i32 (or, `wide`, an i64) tested for non-zero (for zero when
    /// `zero`), in a slot or (`s: None`) the integer accumulator.
    Test { s: Option<Slot>, wide: bool, zero: bool },
    /// A comparison whose op was removed: its operand forms and fields.
    Cmp { op: NumOp, a: Src, b: Src, words: [u16; 8], n: usize },
}

/// An operand of an op being emitted.
#[derive(Copy, Clone, Debug)]
enum Operand {
    R,
    S(Slot),
    I(u64),
}

impl Operand {
    fn src(self) -> Src {
        match self {
            Operand::R => Src::R,
            Operand::S(_) => Src::S,
            Operand::I(_) => Src::I,
        }
    }

    /// Appends the operand's fields (an immediate of type `ty`).
    fn emit(self, code: &mut Vec<u16>, ty: ValType) {
        match self {
            Operand::R => {}
            Operand::S(s) => code.w(s),
            Operand::I(c) if wide(ty) => code.w64(c),
            Operand::I(c) => code.w32(c as u32),
        }
    }
}

/// Reusable translation state.
#[derive(Default)]
pub struct Translator {
    /// Set once a GC instruction has been translated (serialization
    /// refuses such code).
    pub(crate) used_gc: bool,
    /// When asked for (a trap's backtrace): per instruction that wrote
    /// code, (word where its code starts, its byte offset in the module),
    /// in code order.
    offsets: Option<Vec<(u32, u32)>>,
    /// Lowest word the current instruction cut the code back to (a merge
    /// rewrites earlier ops: they belong to the instruction merged in).
    low: usize,
    code: Vec<u16>,
    stack: Vec<Entry>,
    ctrl: Vec<Ctrl>,
    /// Per local slot, the number of `Local` entries referring to it.
    refs: Vec<u32>,
    /// The stack position each accumulator holds, if any.
    regs: [Option<usize>; 3],
    locals: Vec<ValType>,
    /// The slot of each local.
    local_slots: Vec<Slot>,
    /// Parameters.
    np: usize,
    /// Their slots (the frame header follows them).
    np_slots: usize,
    /// First canonical slot (parameters + header + declared locals).
    tbase: usize,
    /// Per stack position, its canonical slot relative to `tbase` (one more
    /// entry than the stack has; entries above it stay valid after a pop,
    /// until the next push).
    slots: Vec<usize>,
    /// Largest stack extent seen, in slots from `tbase`.
    max_h: usize,
    barrier: usize,
    /// Start of the last `Copy` or `Const32` emitted, which the next one
    /// may merge with (`usize::MAX` once code was cut back).
    last_move: usize,
    /// Start of the last `i32.add/si>s` made by redirecting a producer to
    /// a slot (`local.set` or a spill) while it was the last op, which the
    /// next op may merge with (`usize::MAX` once code was cut back).
    last_add: usize,
    /// Per declared local, how the straight-line start of the body (up to
    /// its first branch) first used it: `SET_FIRST` locals need no zeroing
    /// on entry, every path writes them before reading them.
    first_use: Vec<u8>,
    /// No branch translated yet.
    straight: bool,
    offset: usize,
    /// The try blocks so far, in the order they start.
    tries: Vec<TryInfo>,
}

/// `first_use` values.
const UNUSED: u8 = 0;
const SET_FIRST: u8 = 1;
const READ_FIRST: u8 = 2;

/// Words of an `i32.add/si>s`.
const ADD_LEN: usize = HW + 4;

fn too_large(offset: usize) -> Error {
    Error::validate("function too large (more than 65535 frame slots)", offset)
}

fn mismatch(offset: usize) -> Error {
    Error::validate("type mismatch", offset)
}

/// Is memory `m` of the module 64-bit?
fn is64(info: &Info<'_>, m: u32) -> bool {
    info.index.memories.get(m as usize).is_some_and(|t| t.is64)
}

/// A memarg offset of a 32-bit memory (validation checked the range).
fn off32(offset: u64, at: usize) -> Result<u32> {
    u32::try_from(offset).map_err(|_| Error::validate("offset out of range", at))
}

fn wide(ty: ValType) -> bool {
    !matches!(ty, ValType::I32 | ValType::F32)
}

/// Evaluates numeric instructions at translation time (`crate::exec`).
pub use crate::exec::{fold_bin, fold_un};

impl Translator {
    /// Translates the body of a function of type `ty` to portable code:
    /// its header and ops.
    ///
    /// # Errors
    /// [`Error::Validate`] if the body is inconsistent (never for a
    /// validated module) or its frame exceeds 65535 slots.
    pub fn translate(&mut self, info: &Info<'_>, ty: &FuncType, body: &FuncBody) -> Result<Vec<u16>> {
        self.offset = body.offset;
        self.code.clear();
        self.last_move = usize::MAX;
        self.last_add = usize::MAX;
        self.stack.clear();
        self.ctrl.clear();
        self.locals.clear();
        self.regs = [None; 3];
        self.max_h = 0;
        self.locals.extend_from_slice(&ty.params);
        for &(n, t) in &body.locals {
            self.locals.extend(std::iter::repeat_n(t, n as usize));
        }
        self.np = ty.params.len();
        let nl = self.locals.len() - self.np;
        self.local_slots.clear();
        let mut at = 0;
        for (i, &t) in self.locals.iter().enumerate() {
            if i == self.np {
                self.np_slots = at;
                at += FRAME_HEADER;
            }
            self.local_slots.push(u16::try_from(at).map_err(|_| too_large(body.offset))?);
            at += slot_width(t);
        }
        if nl == 0 {
            self.np_slots = at;
            at += FRAME_HEADER;
        }
        self.tbase = at;
        if self.tbase > usize::from(u16::MAX) {
            return Err(too_large(body.offset));
        }
        self.slots.clear();
        self.slots.push(0);
        self.refs.clear();
        self.refs.resize(self.tbase, 0);
        self.first_use.clear();
        self.first_use.resize(nl, UNUSED);
        self.straight = true;
        self.code.extend_from_slice(&[0; CODE_HEADER]);
        self.barrier = self.code.len();
        self.tries.clear();
        self.ctrl.push(Ctrl::new(CtrlKind::Func, BlockType::Empty, 0, CODE_HEADER));
        // `Some(depth)` while skipping unreachable code: blocks opened in it.
        let mut skip: Option<u32> = None;
        for item in body.instrs(info.module) {
            let (at, instr) = item?;
            let instr = &instr;
            self.offset = at;
            let start = self.code.len();
            self.low = usize::MAX;
            if self.ctrl.is_empty() {
                return Err(Error::validate("operators remaining after end of function", self.offset));
            }
            if let Some(d) = skip {
                match instr {
                    Instr::Block(_) | Instr::Loop(_) | Instr::If(_) | Instr::TryTable(..) | Instr::Try(_) => {
                        skip = Some(d + 1)
                    }
                    Instr::End | Instr::Delegate(_) if d > 0 => skip = Some(d - 1),
                    Instr::End => {
                        skip = None;
                        if !self.end(info, ty, false)? {
                            skip = Some(0);
                        }
                    }
                    Instr::Delegate(l) => {
                        skip = None;
                        if !self.delegate(info, ty, *l, false)? {
                            skip = Some(0);
                        }
                    }
                    Instr::Else if d == 0 => {
                        skip = None;
                        self.else_arm(info, false)?;
                    }
                    Instr::Catch(_) | Instr::CatchAll if d == 0 => {
                        skip = None;
                        self.catch_arm(info, instr, false)?;
                    }
                    _ => {}
                }
                continue;
            }
            let live = match instr {
                Instr::End => self.end(info, ty, true)?,
                Instr::Delegate(l) => self.delegate(info, ty, *l, true)?,
                Instr::Else => {
                    self.else_arm(info, true)?;
                    true
                }
                Instr::Catch(_) | Instr::CatchAll => {
                    self.catch_arm(info, instr, true)?;
                    true
                }
                _ => self.instr(info, ty, instr)?,
            };
            self.record(start, at);
            if !live {
                skip = Some(0);
            }
        }
        if !self.ctrl.is_empty() {
            return Err(Error::validate("unexpected end of function", self.offset));
        }
        let frame = (self.tbase + self.max_h).max(slots_of(&ty.results)).max(self.np_slots + FRAME_HEADER);
        let frame = u16::try_from(frame).map_err(|_| too_large(body.offset))?;
        // Locals to zero on entry: the span from the first to the last one
        // not written first, in slots after the header.
        let zero = |u: &u8| *u != SET_FIRST;
        let first = self.first_use.iter().position(zero).unwrap_or(nl);
        let end = self.first_use.iter().rposition(zero).map_or(first, |k| k + 1);
        let header_end = self.np_slots + FRAME_HEADER;
        let slot = |k: usize| self.local_slots.get(self.np + k).map_or(self.tbase, |&s| usize::from(s)) - header_end;
        let (first, end) = (slot(first), slot(end));
        self.code[0] = frame;
        self.code[1] = self.np_slots as u16;
        self.code[2] = (end - first) as u16;
        self.code[3] = first as u16;
        self.write_handlers()?;
        Ok(std::mem::take(&mut self.code))
    }

    // ------------------------------------------------------------ slots

    fn local_slot(&self, i: u32) -> Result<Slot> {
        self.local_slots.get(i as usize).copied().ok_or_else(|| Error::validate("unknown local", self.offset))
    }

    fn local_type(&self, i: u32) -> Result<ValType> {
        self.locals.get(i as usize).copied().ok_or_else(|| Error::validate("unknown local", self.offset))
    }

    /// The canonical slot of stack position `k` (at most one above the
    /// top, or a position just popped).
    fn canon(&mut self, k: usize) -> Result<Slot> {
        let off = *self.slots.get(k).ok_or_else(|| mismatch(self.offset))?;
        // A slot named lies in the frame (a call without arguments names
        // the top as its callee's frame).
        self.max_h = self.max_h.max(off + 1);
        let s = self.tbase + off;
        if s >= usize::from(u16::MAX) {
            return Err(too_large(self.offset));
        }
        Ok(s as Slot)
    }

    // ------------------------------------------------------------ stack

    fn push(&mut self, e: Entry) -> Result<()> {
        let k = self.stack.len();
        match e.kind {
            Kind::Local(s) => self.refs[s as usize] += 1,
            Kind::Reg => {
                let c = class(e.ty).ok_or_else(|| mismatch(self.offset))?;
                debug_assert!(self.regs[c].is_none(), "accumulator {c} claimed twice");
                self.regs[c] = Some(k);
            }
            _ => {}
        }
        self.slots.truncate(k + 1);
        let end = self.slots[k] + slot_width(e.ty);
        if self.tbase + end > usize::from(u16::MAX) {
            return Err(too_large(self.offset));
        }
        self.slots.push(end);
        self.max_h = self.max_h.max(end);
        self.stack.push(e);
        Ok(())
    }

    fn forget(&mut self, e: Entry) {
        match e.kind {
            Kind::Local(s) => self.refs[s as usize] -= 1,
            Kind::Reg => {
                if let Some(c) = class(e.ty) {
                    self.regs[c] = None;
                }
            }
            _ => {}
        }
    }

    fn pop(&mut self) -> Result<(Entry, usize)> {
        let e = self.stack.pop().ok_or_else(|| mismatch(self.offset))?;
        self.forget(e);
        // Nothing below the current block's height may be popped.
        if self.ctrl.last().is_some_and(|c| self.stack.len() < c.height) {
            return Err(mismatch(self.offset));
        }
        Ok((e, self.stack.len()))
    }

    fn pop_unchecked(&mut self) {
        if let Some(e) = self.stack.pop() {
            self.forget(e);
        }
    }

    /// Turns producer `at` into the form writing slot `d`.
    fn redirect(&mut self, at: u32, d: Slot) -> Result<()> {
        let at = at as usize;
        let op = Opcode::decode(self.code[at]).ok_or_else(|| mismatch(self.offset))?;
        if let Some(s) = op.to_slot_dst() {
            self.code[at] = s.encode();
        }
        self.code[at + HW] = d;
        self.merge_adds(at);
        Ok(())
    }

    /// Moves stack entry `k` out of its accumulator into its canonical
    /// slot, by redirecting its producer.
    fn spill(&mut self, k: usize) -> Result<()> {
        let e = self.stack[k];
        if e.kind != Kind::Reg {
            return Ok(());
        }
        let d = self.canon(k)?;
        self.redirect(e.at.ok_or_else(|| mismatch(self.offset))?, d)?;
        self.forget(e);
        self.stack[k].kind = Kind::Temp;
        Ok(())
    }

    /// Frees the accumulator of type `ty` for a new value.
    fn claim(&mut self, ty: ValType) -> Result<()> {
        if let Some(k) = class(ty).and_then(|c| self.regs[c]) {
            self.spill(k)?;
        }
        Ok(())
    }

    fn spill_all(&mut self) -> Result<()> {
        for c in 0..3 {
            if let Some(k) = self.regs[c] {
                self.spill(k)?;
            }
        }
        Ok(())
    }

    /// The operand for popped entry `e` (at position `k`), with constants
    /// as immediates.
    fn operand(&mut self, e: Entry, k: usize) -> Result<Operand> {
        Ok(match e.kind {
            Kind::Temp => Operand::S(self.canon(k)?),
            Kind::Reg => Operand::R,
            Kind::Local(s) => Operand::S(s),
            Kind::Const(c) => Operand::I(c),
        })
    }

    /// The slot holding popped entry `e` (at position `k`), putting a
    /// constant or an accumulator's value into the position's canonical
    /// slot.
    fn slot_of(&mut self, e: Entry, k: usize) -> Result<Slot> {
        match e.kind {
            Kind::Temp => self.canon(k),
            Kind::Local(s) => Ok(s),
            Kind::Reg => {
                let d = self.canon(k)?;
                self.redirect(e.at.ok_or_else(|| mismatch(self.offset))?, d)?;
                Ok(d)
            }
            Kind::Const(c) => {
                let d = self.canon(k)?;
                self.emit_const(d, c, e.ty);
                Ok(d)
            }
        }
    }

    fn emit_const(&mut self, d: Slot, c: u64, ty: ValType) {
        if wide(ty) && c > u64::from(u32::MAX) {
            op::Const64 { d, c }.emit(&mut self.code);
        } else {
            let c = c as u32;
            match self.last_move() {
                Some((at, Misc::Const32)) => {
                    let f = &self.code[at + HW..];
                    let (d1, c1) = (f[0], u32_at(f, 1));
                    self.low = self.low.min(at);
                    self.code.truncate(at);
                    op::Const32x2 { d: d1, c: c1, d2: d, c2: c }.emit(&mut self.code);
                }
                _ => {
                    self.last_move = self.pc();
                    op::Const32 { d, c }.emit(&mut self.code);
                }
            }
        }
    }

    /// `fp[d] = fp[s]`; two copies in a row become one op.
    fn emit_copy(&mut self, d: Slot, s: Slot) {
        match self.last_move() {
            Some((at, Misc::Copy)) => {
                let (d1, s1) = (self.code[at + HW], self.code[at + HW + 1]);
                self.low = self.low.min(at);
                self.code.truncate(at);
                op::Copy2 { d: d1, s: s1, d2: d, s2: s }.emit(&mut self.code);
            }
            _ => {
                self.last_move = self.pc();
                op::Copy { d, s }.emit(&mut self.code);
            }
        }
    }

    /// Copies a value of type `ty` from slot `s` to slot `d` (a v128 as two
    /// copies, low half first: safe when it moves down or does not overlap).
    fn emit_move(&mut self, d: Slot, s: Slot, ty: ValType) {
        self.emit_copy(d, s);
        if ty == ValType::V128 {
            self.emit_copy(d + 1, s + 1);
        }
    }

    /// Notes (when recording offsets) that the instruction at byte `at`,
    /// whose translation began with `start` words of code, wrote the code
    /// from there, or from where it cut back to, on.
    fn record(&mut self, start: usize, at: usize) {
        if let Some(map) = &mut self.offsets {
            let from = start.min(self.low);
            while map.last().is_some_and(|&(w, _)| w as usize >= from) {
                map.pop();
            }
            if self.code.len() > from {
                map.push((from as u32, at as u32));
            }
        }
    }

    /// Translates as [`translate`](Self::translate) does and returns, for
    /// each instruction that wrote code, (its first word, its byte offset
    /// in the module), in code order: the op at a word belongs to the last
    /// entry at or before it.
    pub fn offset_map(&mut self, info: &Info<'_>, ty: &FuncType, body: &FuncBody) -> Result<Vec<(u32, u32)>> {
        self.offsets = Some(Vec::new());
        let r = self.translate(info, ty, body);
        let map = self.offsets.take().unwrap_or_default();
        r.map(|_| map)
    }

    /// Removes the ops from `at` on, and forgets merge candidates there.
    fn cut(&mut self, at: usize) {
        self.low = self.low.min(at);
        self.code.truncate(at);
        if self.last_move >= at {
            self.last_move = usize::MAX;
        }
        if self.last_add >= at {
            self.last_add = usize::MAX;
        }
    }

    /// Stack entries stop naming producers at `at` or later: the ops there
    /// were merged, and nothing may rewrite them. Producers are pushed in
    /// code order, so those entries are above every other one.
    fn unname_from(&mut self, at: usize) {
        for e in self.stack.iter_mut().rev() {
            match e.at {
                Some(p) if (p as usize) < at => break,
                Some(_) => e.at = None,
                None => {}
            }
        }
    }

    /// The start of an `i32.add/si>s` that ends at `end` and may merge
    /// with the op that starts there (no label in between).
    fn add_before(&self, end: usize) -> Option<usize> {
        let at = self.last_add;
        let add = num_opcode(NumOp::I32Add, Form::Bin { a: Src::S, b: Src::I, d: Dst::S });
        (at != usize::MAX && at + ADD_LEN == end && at >= self.barrier && self.code.get(at) == Some(&add)).then_some(at)
    }

    /// When the op at `at`, the last one, has become an `i32.add/si>s`
    /// and another one was redirected just before it, makes them one
    /// `AddSI2`. Stack entries then no longer name their producers, so
    /// nothing rewrites the merged op.
    fn merge_adds(&mut self, at: usize) {
        let add = num_opcode(NumOp::I32Add, Form::Bin { a: Src::S, b: Src::I, d: Dst::S });
        if self.code.get(at) != Some(&add) || at + ADD_LEN != self.code.len() {
            return;
        }
        let Some(prev) = self.add_before(at) else {
            self.last_add = at;
            return;
        };
        let (d, s, c) = self.add_fields(prev);
        let (d2, s2, c2) = self.add_fields(at);
        self.cut(prev);
        op::AddSI2 { d, s, c, d2, s2, c2 }.emit(&mut self.code);
        self.unname_from(prev);
    }

    /// The fields (d, s, c) of the `i32.add/si>s` at `at`.
    fn add_fields(&self, at: usize) -> (Slot, Slot, u32) {
        (self.code[at + HW], self.code[at + HW + 1], u32_at(&self.code, at + HW + 2))
    }

    /// The last op, if it is a `Copy` or `Const32` that may be merged with
    /// the next one (no label in between).
    fn last_move(&self) -> Option<(usize, Misc)> {
        let at = self.last_move;
        let m = [Misc::Copy, Misc::Const32].into_iter().find(|&m| self.code.get(at) == Some(&(m as u16)))?;
        let len = if m == Misc::Copy { op::Copy::LEN } else { op::Const32::LEN };
        (at >= self.barrier && at + len == self.code.len()).then_some((at, m))
    }

    /// Makes stack position `k` hold its value in its canonical slot.
    fn materialize(&mut self, k: usize) -> Result<()> {
        let e = self.stack[k];
        let d = self.canon(k)?;
        match e.kind {
            Kind::Temp => return Ok(()),
            Kind::Reg => return self.spill(k),
            Kind::Local(s) => {
                self.refs[s as usize] -= 1;
                self.emit_move(d, s, e.ty);
            }
            Kind::Const(c) => self.emit_const(d, c, e.ty),
        }
        self.stack[k].kind = Kind::Temp;
        Ok(())
    }

    /// Spills the accumulators and materialises every `Local` entry (and
    /// all entries from `from` up).
    fn materialize_locals(&mut self, from: usize) -> Result<()> {
        self.spill_all()?;
        for k in 0..self.stack.len() {
            if k >= from || matches!(self.stack[k].kind, Kind::Local(_)) {
                self.materialize(k)?;
            }
        }
        Ok(())
    }

    /// Before writing local slot `s`: entries that still read it get copies.
    fn preserve_local(&mut self, s: Slot) -> Result<()> {
        if self.refs[s as usize] == 0 {
            return Ok(());
        }
        for k in 0..self.stack.len() {
            if self.stack[k].kind == Kind::Local(s) {
                self.materialize(k)?;
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------ emitting

    fn pc(&self) -> usize {
        self.code.len()
    }

    /// Whether the op at `at` is the last one emitted and no label lies
    /// after its start.
    fn is_last(&self, at: u32) -> bool {
        let at = at as usize;
        at >= self.barrier && super::ops::op_len(&self.code, at).is_some_and(|n| at + n == self.code.len())
    }

    /// A label resolves here: ops before it can no longer be rewritten.
    fn label_here(&mut self) {
        self.barrier = self.pc();
    }

    fn patch(&mut self, f: Fixup, target: usize) {
        let off = (target as i64 - f.op as i64) as i32 as u32;
        self.code[f.at] = off as u16;
        self.code[f.at + 1] = (off >> 16) as u16;
    }

    /// Emits `Br` to `target` (`None`: forward, returns the fixup).
    fn emit_br(&mut self, target: Option<usize>) -> Fixup {
        let start = self.pc();
        let off = target.map_or(0, |t| (t as i64 - start as i64) as i32);
        op::Br { off }.emit(&mut self.code);
        Fixup { op: start, at: start + HW }
    }

    /// Emits an op with a destination word whose result (of type `ty`) is
    /// the new top of the stack: `emit` gets the destination slot and the
    /// form (`R` when the type has an accumulator) and appends the op.
    fn result(&mut self, ty: ValType, emit: impl FnOnce(&mut Vec<u16>, Slot, Dst)) -> Result<()> {
        let k = self.stack.len();
        let d = self.canon(k)?;
        let dst = if class(ty).is_some() { Dst::R } else { Dst::S };
        if dst == Dst::R {
            self.claim(ty)?;
        }
        let start = self.pc() as u32;
        emit(&mut self.code, d, dst);
        let kind = if dst == Dst::R { Kind::Reg } else { Kind::Temp };
        self.push(Entry { kind, ty, at: Some(start) })
    }

    // ------------------------------------------------------------ control

    fn block_arity(&self, info: &Info<'_>, bt: BlockType) -> Result<(Vec<ValType>, Vec<ValType>)> {
        Ok(match bt {
            BlockType::Empty => (Vec::new(), Vec::new()),
            BlockType::Value(t) => (Vec::new(), vec![t]),
            BlockType::Func(t) => {
                let ft = info.module.types.get(t as usize).ok_or_else(|| mismatch(self.offset))?;
                (ft.params.to_vec(), ft.results.to_vec())
            }
        })
    }

    fn enter(&mut self, info: &Info<'_>, kind: CtrlKind, bt: BlockType) -> Result<()> {
        let (params, _) = self.block_arity(info, bt)?;
        let height = self.stack.len().checked_sub(params.len()).ok_or_else(|| mismatch(self.offset))?;
        // Loops read their parameters from the canonical slots, where back
        // edges put them; both arms of an `if` read them from there.
        let from = if kind == CtrlKind::Block { self.stack.len() } else { height };
        self.materialize_locals(from)?;
        if kind == CtrlKind::Loop {
            self.label_here();
        }
        let start = self.pc();
        self.ctrl.push(Ctrl::new(kind, bt, height, start));
        Ok(())
    }

    /// Index into `ctrl` of label `depth`.
    fn label(&self, depth: u32) -> Result<usize> {
        (self.ctrl.len() as u32)
            .checked_sub(depth + 1)
            .map(|i| i as usize)
            .ok_or_else(|| Error::validate("unknown label", self.offset))
    }

    /// The number of values a branch to label `i` carries.
    fn label_arity(&self, info: &Info<'_>, func: &FuncType, i: usize) -> Result<usize> {
        let c = &self.ctrl[i];
        Ok(match c.kind {
            CtrlKind::Func => func.results.len(),
            CtrlKind::Loop => self.block_arity(info, c.ty)?.0.len(),
            _ => self.block_arity(info, c.ty)?.1.len(),
        })
    }

    /// Emits what puts the top `arity` values into the canonical slots from
    /// position `height` on. Ascending order is safe: each value moves down
    /// or stays. A value in an accumulator that stays in place is spilled
    /// (its producer runs on every path, so this holds on all of them).
    fn emit_moves(&mut self, height: usize, arity: usize) -> Result<()> {
        let top = self.stack.len() - arity;
        // The label's slots: those of the carried values, shifted down to
        // `height` (the types are the same).
        let shift = self.slots[top] - self.slots[height];
        for j in 0..arity {
            let e = self.stack[top + j];
            let d = self.canon(top + j)? - shift as Slot;
            match e.kind {
                Kind::Temp => {
                    let s = self.canon(top + j)?;
                    if s != d {
                        self.emit_move(d, s, e.ty);
                    }
                }
                Kind::Reg if top == height => self.spill(top + j)?,
                Kind::Reg => match class(e.ty) {
                    Some(0) => op::SpillR { d }.emit(&mut self.code),
                    Some(1) => op::SpillRF32 { d }.emit(&mut self.code),
                    _ => op::SpillRF64 { d }.emit(&mut self.code),
                },
                Kind::Local(s) => self.emit_move(d, s, e.ty),
                Kind::Const(c) => self.emit_const(d, c, e.ty),
            }
        }
        Ok(())
    }

    /// Whether a branch carrying the top `arity` values to canonical
    /// height `height` needs copies.
    fn needs_moves(&self, height: usize, arity: usize) -> bool {
        let top = self.stack.len() - arity;
        top != height || self.stack[top..].iter().any(|e| !matches!(e.kind, Kind::Temp | Kind::Reg))
    }

    /// Emits the return of the top `n` values.
    fn emit_return(&mut self, n: usize) -> Result<()> {
        let np = self.np_slots as u16;
        let h = self.stack.len().checked_sub(n).ok_or_else(|| mismatch(self.offset))?;
        let one_slot = n == 1 && self.stack[h].ty != ValType::V128;
        match n {
            0 => op::Return { np }.emit(&mut self.code),
            1 if one_slot => {
                let e = self.stack[h];
                match e.kind {
                    Kind::Const(c) if wide(e.ty) && c > u64::from(u32::MAX) => {
                        op::ReturnC64 { np, c }.emit(&mut self.code)
                    }
                    Kind::Const(c) => op::ReturnC32 { np, c: c as u32 }.emit(&mut self.code),
                    Kind::Local(s) => op::ReturnS { np, s }.emit(&mut self.code),
                    Kind::Reg => match class(e.ty) {
                        Some(0) => op::ReturnR { np }.emit(&mut self.code),
                        Some(1) => op::ReturnRF32 { np }.emit(&mut self.code),
                        _ => op::ReturnRF64 { np }.emit(&mut self.code),
                    },
                    Kind::Temp => {
                        let s = self.canon(h)?;
                        op::ReturnS { np, s }.emit(&mut self.code)
                    }
                }
            }
            _ => {
                // Moves into the canonical slots, leaving the virtual
                // stack as it is (but for spills, true on every path).
                self.emit_moves(h, n)?;
                let s = self.canon(h)?;
                let n = (self.slots[self.stack.len()] - self.slots[h]) as u16;
                op::ReturnSpan { np, s, n }.emit(&mut self.code);
            }
        }
        Ok(())
    }

    /// An unconditional branch to label `depth` (the stack is dead after).
    fn branch(&mut self, info: &Info<'_>, func: &FuncType, depth: u32) -> Result<()> {
        let i = self.label(depth)?;
        let arity = self.label_arity(info, func, i)?;
        if self.stack.len() < arity {
            return Err(mismatch(self.offset));
        }
        if self.ctrl[i].kind == CtrlKind::Func {
            return self.emit_return(arity);
        }
        let height = self.ctrl[i].height;
        self.emit_moves(height, arity)?;
        if self.ctrl[i].kind == CtrlKind::Loop {
            let start = self.ctrl[i].start;
            self.emit_br(Some(start));
        } else {
            let f = self.emit_br(None);
            self.ctrl[i].fixups.push(f);
        }
        Ok(())
    }

    /// Takes the condition of a `br_if`/`if` from the stack. A comparison
    /// (or `eqz`) emitted just before is removed and becomes the branch.
    fn take_cond(&mut self) -> Result<Cond> {
        let (e, k) = self.pop()?;
        let plain = |s| Cond::Test { s, wide: false, zero: false };
        Ok(match e.kind {
            Kind::Const(c) => Cond::Const(c as u32 != 0),
            Kind::Local(s) => plain(Some(s)),
            Kind::Temp | Kind::Reg => {
                let fused = e.at.filter(|&at| self.is_last(at)).and_then(|at| self.fusible(at as usize));
                match fused {
                    Some(c) => {
                        self.cut(e.at.unwrap_or(0) as usize);
                        c
                    }
                    None if e.kind == Kind::Reg => plain(None),
                    None => plain(Some(self.canon(k)?)),
                }
            }
        })
    }

    /// The condition that the op at `at` (the last emitted) computes, if
    /// it can become a branch.
    fn fusible(&self, at: usize) -> Option<Cond> {
        let op = Opcode::decode(self.code[at])?;
        // The operand fields, after the destination word.
        let fields = &self.code[at + HW + 1..];
        match op {
            Opcode::Num(n @ (NumOp::I32Eqz | NumOp::I64Eqz), Form::Un { a, .. }) => Some(Cond::Test {
                s: (a == Src::S).then(|| fields[0]),
                wide: n == NumOp::I64Eqz,
                zero: true,
            }),
            Opcode::Num(op, Form::Bin { a, b, .. }) if op.is_compare() => {
                let n = fields.len();
                let mut words = [0u16; 8];
                words[..n].copy_from_slice(fields);
                Some(Cond::Cmp { op, a, b, words, n })
            }
            _ => None,
        }
    }

    /// Emits a jump taken when `cond` holds (or fails, if `negate`), to a
    /// target patched later. `None` when the jump is never taken.
    fn emit_cond_br(&mut self, cond: Cond, negate: bool) -> Option<Fixup> {
        let start = self.pc();
        match cond {
            Cond::Const(c) => {
                if c == negate {
                    return None;
                }
                return Some(self.emit_br(None));
            }
            Cond::Test { s: Some(c), wide: false, zero } if self.add_before(start).is_some() => {
                // `n -= 1; if n` (a loop's end): one op.
                let add = self.add_before(start).unwrap_or(start);
                let (d, s, k) = self.add_fields(add);
                self.cut(add);
                self.unname_from(add);
                let m = if zero != negate { Misc::AddBrIfZS } else { Misc::AddBrIfNzS };
                emit_opcode(&mut self.code, m as u16);
                self.code.extend_from_slice(&[d, s]);
                self.code.w32(k);
                self.code.w(c);
                let at = self.pc();
                self.code.w32(0);
                return Some(Fixup { op: add, at });
            }
            Cond::Test { s, wide, zero } => {
                let zero = zero != negate;
                let m = match (wide, zero, s.is_some()) {
                    (false, false, false) => Misc::BrIfNzR,
                    (false, false, true) => Misc::BrIfNzS,
                    (false, true, false) => Misc::BrIfZR,
                    (false, true, true) => Misc::BrIfZS,
                    (true, false, false) => Misc::BrIfNz64R,
                    (true, false, true) => Misc::BrIfNz64S,
                    (true, true, false) => Misc::BrIfZ64R,
                    (true, true, true) => Misc::BrIfZ64S,
                };
                emit_opcode(&mut self.code, m as u16);
                if let Some(s) = s {
                    self.code.w(s);
                }
            }
            Cond::Cmp { op, a, b, words, n } => match self.add_before(start) {
                // `i += 1; if i != n` (a loop's end): one op.
                Some(add) => {
                    let (d, s, c) = self.add_fields(add);
                    self.cut(add);
                    self.unname_from(add);
                    emit_opcode(&mut self.code, num_opcode(op, Form::Br { a, b, neg: negate, add: true }));
                    self.code.extend_from_slice(&[d, s]);
                    self.code.w32(c);
                    self.code.extend_from_slice(&words[..n]);
                    let at = self.pc();
                    self.code.w32(0);
                    return Some(Fixup { op: add, at });
                }
                None => {
                    emit_opcode(&mut self.code, num_opcode(op, Form::Br { a, b, neg: negate, add: false }));
                    self.code.extend_from_slice(&words[..n]);
                }
            },
        }
        let at = self.pc();
        self.code.w32(0);
        Some(Fixup { op: start, at })
    }

    fn br_if(&mut self, info: &Info<'_>, func: &FuncType, depth: u32) -> Result<bool> {
        let cond = self.take_cond()?;
        self.br_on(info, func, depth, cond)
    }

    /// The test of reference `e` (at stack position `k`) for null (`null`)
    /// or non-null, where it lies (references never live in an accumulator).
    fn null_test(&mut self, e: Entry, k: usize, null: bool) -> Result<Cond> {
        Ok(match e.kind {
            Kind::Const(c) => Cond::Const((c == 0) == null),
            Kind::Local(s) => Cond::Test { s: Some(s), wide: true, zero: null },
            _ => Cond::Test { s: Some(self.canon(k)?), wide: true, zero: null },
        })
    }

    /// A branch to label `depth` taken when `cond` holds (already popped).
    fn br_on(&mut self, info: &Info<'_>, func: &FuncType, depth: u32, cond: Cond) -> Result<bool> {
        let i = self.label(depth)?;
        let arity = self.label_arity(info, func, i)?;
        if self.stack.len() < arity {
            return Err(mismatch(self.offset));
        }
        if let Cond::Const(c) = cond {
            if !c {
                return Ok(true);
            }
            self.branch(info, func, depth)?;
            return Ok(false);
        }
        let kind = self.ctrl[i].kind;
        let height = self.ctrl[i].height;
        if kind == CtrlKind::Func || self.needs_moves(height, arity) {
            // A return, and the moves of a branch, read a carried value
            // where it lies, an accumulator too; the value lives on past a
            // br_if, and a later spill would redirect its producer away
            // from the accumulator (after the read was emitted): spill now.
            for k in self.stack.len() - arity..self.stack.len() {
                self.spill(k)?;
            }
            // Jump over the moves (and the branch) when the condition fails.
            let skip = self.emit_cond_br(cond, true);
            self.branch(info, func, depth)?;
            if let Some(f) = skip {
                let here = self.pc();
                self.patch(f, here);
            }
            self.label_here();
            return Ok(true);
        }
        // The carried values are in their canonical slots or in an
        // accumulator: spill those (on both paths, see `emit_moves`).
        for k in self.stack.len() - arity..self.stack.len() {
            self.spill(k)?;
        }
        if let Some(f) = self.emit_cond_br(cond, false) {
            if kind == CtrlKind::Loop {
                let start = self.ctrl[i].start;
                self.patch(f, start);
            } else {
                self.ctrl[i].fixups.push(f);
            }
        }
        Ok(true)
    }

    fn br_table(&mut self, info: &Info<'_>, func: &FuncType, labels: &[u32], default: u32) -> Result<()> {
        let (e, k) = self.pop()?;
        let all: Vec<u32> = labels.iter().copied().chain(std::iter::once(default)).collect();
        if let Kind::Const(c) = e.kind {
            let d = all[(c as u32 as usize).min(all.len() - 1)];
            return self.branch(info, func, d);
        }
        // Carried values leave the accumulators (the index may stay).
        self.spill_all()?;
        let start = self.pc();
        let n = labels.len() as u32;
        match self.operand(e, k)? {
            Operand::R => op::BrTableR { n }.emit(&mut self.code),
            _ => {
                let i = self.slot_of(e, k)?;
                op::BrTableS { i, n }.emit(&mut self.code)
            }
        }
        let entries = self.pc();
        for _ in &all {
            self.code.w32(0);
        }
        // Targets that need no copies are jumped to directly; the others
        // through a stub after the table (copies, then a branch).
        let mut stubs: Vec<(usize, u32)> = Vec::new();
        for (j, &d) in all.iter().enumerate() {
            let c = self.label(d)?;
            let arity = self.label_arity(info, func, c)?;
            if self.stack.len() < arity {
                return Err(mismatch(self.offset));
            }
            let f = Fixup { op: start, at: entries + 2 * j };
            let (kind, height) = (self.ctrl[c].kind, self.ctrl[c].height);
            if kind == CtrlKind::Func || self.needs_moves(height, arity) {
                stubs.push((j, d));
            } else if kind == CtrlKind::Loop {
                let s = self.ctrl[c].start;
                self.patch(f, s);
            } else {
                self.ctrl[c].fixups.push(f);
            }
        }
        for (j, d) in stubs {
            let here = self.pc();
            self.patch(Fixup { op: start, at: entries + 2 * j }, here);
            self.branch(info, func, d)?;
        }
        Ok(())
    }

    fn else_arm(&mut self, info: &Info<'_>, live: bool) -> Result<()> {
        let c = self.ctrl.last().ok_or_else(|| mismatch(self.offset))?;
        if c.kind != CtrlKind::If {
            return Err(Error::validate("else without if", self.offset));
        }
        let (height, bt) = (c.height, c.ty);
        let (params, results) = self.block_arity(info, bt)?;
        if live {
            if self.stack.len() != height + results.len() {
                return Err(mismatch(self.offset));
            }
            self.emit_moves(height, results.len())?;
            let f = self.emit_br(None);
            self.ctrl.last_mut().ok_or_else(|| mismatch(self.offset))?.fixups.push(f);
        }
        self.label_here();
        let here = self.pc();
        if let Some(f) = self.ctrl.last_mut().and_then(|c| c.else_fix.take()) {
            self.patch(f, here);
        }
        self.reset_stack(height, &params)?;
        Ok(())
    }

    /// Drops the stack to `height` and pushes `tys` as canonical values.
    fn reset_stack(&mut self, height: usize, tys: &[ValType]) -> Result<()> {
        while self.stack.len() > height {
            self.pop_unchecked();
        }
        for &t in tys {
            self.push(Entry::new(Kind::Temp, t))?;
        }
        Ok(())
    }

    /// `end` of the innermost block; `live`: reached by falling through.
    /// Returns whether the code after it is reachable.
    fn end(&mut self, info: &Info<'_>, func: &FuncType, live: bool) -> Result<bool> {
        let c = self.ctrl.last().ok_or_else(|| mismatch(self.offset))?;
        let (kind, height, bt) = (c.kind, c.height, c.ty);
        if kind == CtrlKind::Func {
            let n = func.results.len();
            if live {
                if self.stack.len() != n {
                    return Err(mismatch(self.offset));
                }
                self.emit_return(n)?;
            }
            self.ctrl.pop();
            return Ok(false);
        }
        let (_, results) = self.block_arity(info, bt)?;
        let c = self.ctrl.pop().ok_or_else(|| mismatch(self.offset))?;
        if let Some(t) = c.try_at {
            self.tries[usize::from(t)].end = self.pc() as u32;
        }
        // An `if` without `else` falls through its missing else arm; a
        // catch arm's results move down over its hidden exception entry.
        let joined = !c.fixups.is_empty() || c.else_fix.is_some() || !c.clause_fixups.is_empty() || c.arm.is_some();
        let hidden = usize::from(c.arm.is_some());
        if live {
            if self.stack.len() != height + hidden + results.len() {
                return Err(mismatch(self.offset));
            }
            // Reached by falling through only, the results may stay as
            // they are (locals, constants, an accumulator): no join.
            if joined {
                self.emit_moves(height, results.len())?;
            }
        }
        if joined {
            self.label_here();
            let here = self.pc();
            for f in c.fixups.iter().chain(c.else_fix.iter()) {
                self.patch(*f, here);
            }
            for &(t, k) in &c.clause_fixups {
                self.tries[usize::from(t)].clauses[usize::from(k)].clause.target = here as u32;
            }
            // The results are in their canonical slots, whatever path came.
            self.reset_stack(height, &results)?;
        }
        Ok(live || joined)
    }

    // ------------------------------------------------------------ exceptions

    /// The innermost try block whose body encloses control frame `i`
    /// (`handlers::NONE`: none in this function).
    fn enclosing_try(&self, i: usize) -> u16 {
        self.ctrl[..=i.min(self.ctrl.len() - 1)].iter().rev().find_map(|c| c.try_at).unwrap_or(handlers::NONE)
    }

    /// Starts a try block here (its body's range ends later) and returns
    /// its index.
    fn new_try(&mut self, parent: u16, kind: u16) -> Result<u16> {
        if self.tries.len() >= handlers::MAX_ENTRIES {
            return Err(Error::validate("function too large (too many try blocks)", self.offset));
        }
        let start = self.pc() as u32;
        self.tries.push(TryInfo { start, end: start, parent, kind, clauses: Vec::new() });
        Ok((self.tries.len() - 1) as u16)
    }

    /// Adds `clause` to try block `t`; its index there.
    fn push_clause(&mut self, t: u16, clause: handlers::Clause, keep: bool) -> Result<u16> {
        let clauses = &mut self.tries[usize::from(t)].clauses;
        if clauses.len() >= handlers::MAX_ENTRIES {
            return Err(Error::validate("function too large (too many catch clauses)", self.offset));
        }
        clauses.push(ClauseInfo { clause, keep });
        Ok((clauses.len() - 1) as u16)
    }

    /// The tag's payload types.
    fn tag_params<'m>(&self, info: &Info<'m>, x: u32) -> Result<&'m [ValType]> {
        let t = *info.index.tags.get(x as usize).ok_or_else(|| Error::validate("unknown tag", self.offset))?;
        Ok(&info.module.types.get(t as usize).ok_or_else(|| mismatch(self.offset))?.params)
    }

    /// `try_table bt catch*`: the clauses branch to labels outside the
    /// block; the unwinder puts the payload (and the reference) where a
    /// branch to the label puts its values, and jumps to it.
    fn try_table(&mut self, info: &Info<'_>, bt: BlockType, catches: &[crate::syntax::Catch]) -> Result<()> {
        let parent = self.enclosing_try(self.ctrl.len() - 1);
        self.enter(info, CtrlKind::TryTable, bt)?;
        let t = self.new_try(parent, 0)?;
        for c in catches {
            // The block's own label is not among the clauses' labels.
            let i = self.label(c.label + 1)?;
            let payload = match c.tag {
                Some(x) => slots_of(self.tag_params(info, x)?),
                None => 0,
            };
            let (dst, target) = match self.ctrl[i].kind {
                CtrlKind::Func => (0, handlers::RETURN),
                kind => {
                    let h = self.ctrl[i].height;
                    let target = if kind == CtrlKind::Loop { self.ctrl[i].start as u32 } else { 0 };
                    (self.canon(h)?, target)
                }
            };
            let exn = if c.with_ref { dst + payload as Slot } else { handlers::NO_SLOT };
            if usize::from(dst) + payload + usize::from(c.with_ref) >= usize::from(u16::MAX) {
                return Err(too_large(self.offset));
            }
            let clause = handlers::Clause { tag: c.tag.unwrap_or(handlers::ALL), target, dst, exn };
            let k = self.push_clause(t, clause, true)?;
            if !matches!(self.ctrl[i].kind, CtrlKind::Func | CtrlKind::Loop) {
                self.ctrl[i].clause_fixups.push((t, k));
            }
        }
        if let Some(c) = self.ctrl.last_mut() {
            c.try_at = Some(t);
        }
        Ok(())
    }

    /// The legacy `try bt`.
    fn legacy_try(&mut self, info: &Info<'_>, bt: BlockType) -> Result<()> {
        let parent = self.enclosing_try(self.ctrl.len() - 1);
        self.enter(info, CtrlKind::Try, bt)?;
        let t = self.new_try(parent, 0)?;
        if let Some(c) = self.ctrl.last_mut() {
            c.try_at = Some(t);
        }
        Ok(())
    }

    /// A legacy `catch x` or `catch_all` arm (`live`: the code before it
    /// falls through): like `else`, then a clause whose target is here. The
    /// arm's stack holds the caught exception (hidden, for `rethrow`) and
    /// the payload.
    fn catch_arm(&mut self, info: &Info<'_>, instr: &Instr, live: bool) -> Result<()> {
        let c = self.ctrl.last().ok_or_else(|| mismatch(self.offset))?;
        if c.kind != CtrlKind::Try {
            return Err(Error::validate("catch without try", self.offset));
        }
        let (height, bt) = (c.height, c.ty);
        let t = match (c.try_at, c.arm) {
            (Some(t), _) | (None, Some((t, _, _))) => t,
            _ => return Err(mismatch(self.offset)),
        };
        if c.try_at.is_some() {
            self.tries[usize::from(t)].end = self.pc() as u32;
        }
        let hidden = usize::from(c.arm.is_some());
        let (_, results) = self.block_arity(info, bt)?;
        if live {
            if self.stack.len() != height + hidden + results.len() {
                return Err(mismatch(self.offset));
            }
            self.emit_moves(height, results.len())?;
            let f = self.emit_br(None);
            self.ctrl.last_mut().ok_or_else(|| mismatch(self.offset))?.fixups.push(f);
        }
        self.label_here();
        let target = self.pc() as u32;
        self.reset_stack(height, &[])?;
        let exn = self.canon(height)?;
        self.push(Entry::new(Kind::Temp, ValType::EXNREF))?;
        let dst = self.canon(height + 1)?;
        let tag = match instr {
            Instr::Catch(x) => {
                for &p in self.tag_params(info, *x)? {
                    self.push(Entry::new(Kind::Temp, p))?;
                }
                *x
            }
            _ => handlers::ALL,
        };
        let k = self.push_clause(t, handlers::Clause { tag, target, dst, exn }, false)?;
        let c = self.ctrl.last_mut().ok_or_else(|| mismatch(self.offset))?;
        c.try_at = None;
        c.arm = Some((t, k, exn));
        Ok(())
    }

    /// `delegate l`: ends a legacy `try` whose body's exceptions go to the
    /// try block around label `l` (outside the `try`).
    fn delegate(&mut self, info: &Info<'_>, func: &FuncType, l: u32, live: bool) -> Result<bool> {
        let c = self.ctrl.last().ok_or_else(|| mismatch(self.offset))?;
        let Some(t) = c.try_at.filter(|_| c.kind == CtrlKind::Try) else {
            return Err(Error::validate("delegate without try", self.offset));
        };
        let i = self.label(l + 1)?;
        let target = self.enclosing_try(i);
        let entry = &mut self.tries[usize::from(t)];
        entry.kind = handlers::DELEGATE;
        entry.parent = target;
        self.end(info, func, live)
    }

    /// Marks a tail call op (from `start` to here) inside a try block: its
    /// callee's exceptions are not this frame's to catch.
    fn skip_tail_call(&mut self, start: usize) -> Result<()> {
        if self.enclosing_try(self.ctrl.len() - 1) == handlers::NONE {
            return Ok(());
        }
        let end = self.pc() as u32;
        let t = self.new_try(handlers::NONE, handlers::SKIP)?;
        let entry = &mut self.tries[usize::from(t)];
        entry.start = start as u32;
        entry.end = end;
        Ok(())
    }

    /// Appends the handler table, if there are try blocks.
    fn write_handlers(&mut self) -> Result<()> {
        let mut tries = Vec::with_capacity(self.tries.len());
        let mut clauses = Vec::new();
        for t in &self.tries {
            let first = clauses.len();
            if first + t.clauses.len() > handlers::MAX_ENTRIES {
                return Err(Error::validate("function too large (too many catch clauses)", self.offset));
            }
            clauses.extend(t.clauses.iter().map(|c| {
                let exn = if c.keep { c.clause.exn } else { handlers::NO_SLOT };
                handlers::Clause { exn, ..c.clause }
            }));
            let kind = if t.kind == 0 { t.clauses.len() as u16 } else { t.kind };
            tries.push(handlers::Try { start: t.start, end: t.end, parent: t.parent, kind, first: first as u16 });
        }
        if self.code.len() > u32::MAX as usize {
            return Err(too_large(self.offset));
        }
        handlers::write(&mut self.code, &tries, &clauses);
        Ok(())
    }

    // ------------------------------------------------------------ instructions

    fn call_type<'m>(&self, info: &Info<'m>, f: u32) -> Result<&'m FuncType> {
        let ti = *info.index.func_types.get(f as usize).ok_or_else(|| Error::validate("unknown function", self.offset))?;
        info.module.types.get(ti as usize).ok_or_else(|| mismatch(self.offset))
    }

    /// The address type of table `t` (i64 for a 64-bit table).
    fn table_address_type(&self, info: &Info<'_>, t: u32) -> Result<ValType> {
        Ok(info.index.tables.get(t as usize).ok_or_else(|| mismatch(self.offset))?.address_type())
    }

    /// Puts the top `n` values into their canonical slots and returns the
    /// first one's slot: where a callee's frame starts. The callee may
    /// change every accumulator, so none may stay live across the call.
    fn call_args(&mut self, n: usize) -> Result<Slot> {
        let h = self.stack.len().checked_sub(n).ok_or_else(|| mismatch(self.offset))?;
        self.spill_all()?;
        for k in h..h + n {
            self.materialize(k)?;
        }
        self.canon(h)
    }

    fn call_results(&mut self, params: usize, results: &[ValType]) -> Result<()> {
        for _ in 0..params {
            self.pop()?;
        }
        for &t in results {
            self.push(Entry::new(Kind::Temp, t))?;
        }
        Ok(())
    }

    fn unop(&mut self, op: NumOp) -> Result<()> {
        let (e, k) = self.pop()?;
        let (_, out) = op.signature();
        if let Kind::Const(c) = e.kind {
            if let Some(v) = fold_un(op, c) {
                return self.push(Entry::new(Kind::Const(v), out));
            }
        }
        let a = match self.operand(e, k)? {
            Operand::I(_) => Operand::S(self.slot_of(e, k)?),
            a => a,
        };
        let ty = op.signature().0[0];
        self.result(out, |code, d, dst| {
            emit_opcode(code, num_opcode(op, Form::Un { a: a.src(), d: dst }));
            code.w(d);
            a.emit(code, ty);
        })
    }

    fn binop(&mut self, op: NumOp) -> Result<()> {
        let (eb, kb) = self.pop()?;
        let (ea, ka) = self.pop()?;
        let (ins, out) = op.signature();
        let ty = ins[0];
        if let (Kind::Const(x), Kind::Const(y)) = (ea.kind, eb.kind) {
            if let Some(v) = fold_bin(op, x, y) {
                return self.push(Entry::new(Kind::Const(v), out));
            }
        }
        let mut a = self.operand(ea, ka)?;
        let mut b = self.operand(eb, kb)?;
        if let (Operand::I(_), Operand::I(_)) = (a, b) {
            a = Operand::S(self.slot_of(ea, ka)?);
        }
        // Commutative operators keep the accumulator or the slot first.
        let swapped = op.is_commutative() && matches!((a, b), (Operand::S(_), Operand::R) | (Operand::I(_), _));
        if swapped {
            std::mem::swap(&mut a, &mut b);
        }
        if let (NumOp::I32Add, Operand::R, Operand::S(base)) = (op, a, b) {
            if let Some((x, k)) = self.shift_producer(if swapped { eb } else { ea }) {
                return self.result(out, |code, d, dst| {
                    let m = if dst == Dst::R { Misc::ShlAddR } else { Misc::ShlAddS };
                    emit_opcode(code, m as u16);
                    code.extend_from_slice(&[d, x]);
                    code.w32(k);
                    code.w(base);
                });
            }
        }
        self.result(out, |code, d, dst| {
            emit_opcode(code, num_opcode(op, Form::Bin { a: a.src(), b: b.src(), d: dst }));
            code.w(d);
            a.emit(code, ty);
            b.emit(code, ty);
        })
    }

    /// Notes the first use of declared locals in the straight-line start
    /// of the body; after a branch (or an instruction after which nothing
    /// runs) a local not written yet needs zeroing, whatever comes next.
    fn track_first_use(&mut self, instr: &Instr) {
        if !self.straight {
            return;
        }
        let (i, set) = match instr {
            Instr::LocalGet(i) => (*i, false),
            Instr::LocalSet(i) | Instr::LocalTee(i) => (*i, true),
            // Everything that may go elsewhere than the next instruction
            // (exceptions too, when they come).
            Instr::Br(_)
            | Instr::BrIf(_)
            | Instr::BrTable(..)
            | Instr::If(_)
            | Instr::Return
            | Instr::ReturnCall(_)
            | Instr::ReturnCallIndirect { .. }
            | Instr::ReturnCallRef(_)
            | Instr::BrOnNull(_)
            | Instr::BrOnNonNull(_)
            | Instr::TryTable(..)
            | Instr::Try(_)
            | Instr::Throw(_)
            | Instr::ThrowRef
            | Instr::Rethrow(_)
            | Instr::Unreachable => {
                self.straight = false;
                return;
            }
            _ => return,
        };
        let Some(k) = (i as usize).checked_sub(self.np) else { return };
        if let Some(u) = self.first_use.get_mut(k) {
            if *u == UNUSED {
                *u = if set { SET_FIRST } else { READ_FIRST };
            }
        }
    }

    /// When popped entry `e` is the accumulator written by the last op, an
    /// `i32.shl` of a slot by a constant, removes that op and returns its
    /// slot and count (for `ShlAdd`).
    fn shift_producer(&mut self, e: Entry) -> Option<(Slot, u32)> {
        let at = e.at.filter(|&at| e.kind == Kind::Reg && self.is_last(at))? as usize;
        let shl = num_opcode(NumOp::I32Shl, Form::Bin { a: Src::S, b: Src::I, d: Dst::R });
        if self.code[at] != shl {
            return None;
        }
        let (x, k) = (self.code[at + HW + 1], u32_at(&self.code, at + HW + 2));
        self.cut(at);
        Some((x, k))
    }

    /// Pops `N` operands into slots (constants and accumulators moved to
    /// their canonical slots); returns them deepest first.
    fn pop_slots<const N: usize>(&mut self) -> Result<[Slot; N]> {
        let mut out = [0; N];
        let mut popped = [(Entry::new(Kind::Temp, ValType::I32), 0); N];
        for j in (0..N).rev() {
            popped[j] = self.pop()?;
        }
        for j in 0..N {
            out[j] = self.slot_of(popped[j].0, popped[j].1)?;
        }
        Ok(out)
    }

    /// Emits an op without an accumulator form, writing slot `d` (the new
    /// top) with a value of type `ty`.
    fn slot_result(&mut self, ty: ValType, emit: impl FnOnce(Slot, &mut Vec<u16>)) -> Result<()> {
        let k = self.stack.len();
        let d = self.canon(k)?;
        let start = self.pc() as u32;
        emit(d, &mut self.code);
        self.push(Entry { kind: Kind::Temp, ty, at: Some(start) })
    }

    fn set_local(&mut self, i: u32, tee: bool) -> Result<()> {
        let s = self.local_slot(i)?;
        let ty = self.local_type(i)?;
        let (e, k) = self.pop()?;
        let direct = self.refs[s as usize] == 0 && e.at.is_some_and(|at| self.is_last(at));
        match e.kind {
            Kind::Temp | Kind::Reg if direct => self.redirect(e.at.unwrap_or(0), s)?,
            Kind::Reg => {
                self.preserve_local(s)?;
                match class(ty) {
                    Some(0) => op::SpillR { d: s }.emit(&mut self.code),
                    Some(1) => op::SpillRF32 { d: s }.emit(&mut self.code),
                    _ => op::SpillRF64 { d: s }.emit(&mut self.code),
                }
            }
            Kind::Temp => {
                self.preserve_local(s)?;
                let t = self.canon(k)?;
                self.emit_move(s, t, ty);
            }
            Kind::Local(src) => {
                if src != s {
                    self.preserve_local(s)?;
                    self.emit_move(s, src, ty);
                }
            }
            Kind::Const(c) => {
                self.preserve_local(s)?;
                self.emit_const(s, c, ty);
            }
        }
        if tee {
            self.push(Entry::new(Kind::Local(s), ty))?;
        }
        Ok(())
    }

    fn mem(&mut self, op: crate::syntax::MemOp, offset: u32) -> Result<()> {
        let vt = op.val_type();
        if op.is_store() {
            let (ev, kv) = self.pop()?;
            let (ea, ka) = self.pop()?;
            let (a, offset, w) = self.address(ea, ka, offset)?;
            let v = self.operand(ev, kv)?;
            emit_opcode(&mut self.code, mem_opcode(op, MemForm::Store { a: a.src(), v: v.src(), w }));
            a.emit(&mut self.code, ValType::I32);
            v.emit(&mut self.code, vt);
            self.code.w32(offset);
            return Ok(());
        }
        let (ea, ka) = self.pop()?;
        let (a, offset, w) = self.address(ea, ka, offset)?;
        self.result(vt, |code, d, dst| {
            emit_opcode(code, mem_opcode(op, MemForm::Load { a: a.src(), d: dst, w }));
            code.w(d);
            a.emit(code, ValType::I32);
            code.w32(offset);
        })
    }

    /// A load or store of memory `m` other than 0: out of line, operands in
    /// slots.
    fn mem_k(&mut self, op: crate::syntax::MemOp, off: u64, m: u32) -> Result<()> {
        let code = op as u16;
        if op.is_store() {
            let [a, v] = self.pop_slots::<2>()?;
            op::StoreM { a, v, off, m, op: code }.emit(&mut self.code);
            return Ok(());
        }
        let [a] = self.pop_slots::<1>()?;
        self.slot_result(op.val_type(), |d, c| op::LoadM { d, a, off, m, op: code }.emit(c))
    }

    /// A SIMD load or store of memory `m` other than 0 (see `SimdMemM`).
    fn simd_mem_k(&mut self, op: SimdOp, arg: crate::syntax::MemArg, lane: u8) -> Result<()> {
        let (ins, out) = op.signature();
        // The v128 fields an op does not use name its other v128 slots.
        let (a, v) = if ins.len() == 2 {
            let [a, v] = self.pop_slots::<2>()?;
            (a, Some(v))
        } else {
            let [a] = self.pop_slots::<1>()?;
            (a, None)
        };
        let off = arg.offset;
        let f = |d: Slot| op::SimdMemM { d, a, v: v.unwrap_or(d), off, m: arg.memory, op: op as u16, lane: u16::from(lane) };
        match (out, v) {
            (Some(ty), _) => self.slot_result(ty, |d, c| f(d).emit(c)),
            (None, Some(v)) => {
                f(v).emit(&mut self.code);
                Ok(())
            }
            (None, None) => Err(mismatch(self.offset)),
        }
    }

    /// The address operand of an access with memarg `offset`, and the
    /// offset and wrapping flag of its form: an `i32.add` of a constant
    /// just emitted for an access with offset 0 is folded into it (a
    /// wrapping form, see `MemForm`), saving one op.
    fn address(&mut self, e: Entry, k: usize, offset: u32) -> Result<(Operand, u32, bool)> {
        if offset == 0 && matches!(e.kind, Kind::Temp | Kind::Reg) {
            if let Some(at) = e.at.filter(|&at| self.is_last(at)) {
                let at = at as usize;
                let f = &self.code[at + HW + 1..];
                let w32 = |i: usize| u32_at(f, i);
                let folded = match Opcode::decode(self.code[at]) {
                    Some(Opcode::Num(NumOp::I32Add, Form::Bin { a, b, .. })) => match (a, b) {
                        (Src::S, Src::I) => Some((Operand::S(f[0]), w32(1))),
                        (Src::I, Src::S) => Some((Operand::S(f[2]), w32(0))),
                        (Src::R, Src::I) => Some((Operand::R, w32(0))),
                        (Src::I, Src::R) => Some((Operand::R, w32(0))),
                        _ => None,
                    },
                    _ => None,
                };
                if let Some((a, c)) = folded {
                    // The add's operand is still where the add read it:
                    // nothing ran in between.
                    self.cut(at);
                    return Ok((a, c, true));
                }
            }
        }
        Ok((self.operand(e, k)?, offset, false))
    }

    /// Translates one reachable instruction other than `end` and `else`;
    /// returns whether the code after it is reachable.
    fn instr(&mut self, info: &Info<'_>, func: &FuncType, instr: &Instr) -> Result<bool> {
        self.track_first_use(instr);
        match instr {
            Instr::Gc(i) => return self.gc(info, func, i),
            Instr::Unreachable => {
                op::Unreachable {}.emit(&mut self.code);
                return Ok(false);
            }
            Instr::Nop => {}
            Instr::Block(bt) => self.enter(info, CtrlKind::Block, *bt)?,
            Instr::Loop(bt) => self.enter(info, CtrlKind::Loop, *bt)?,
            Instr::If(bt) => {
                let cond = self.take_cond()?;
                self.enter(info, CtrlKind::If, *bt)?;
                // Jump to the else arm (or the end) when the condition
                // fails. (A constant condition leaves one arm never run,
                // still translated.)
                let f = self.emit_cond_br(cond, true);
                self.ctrl.last_mut().ok_or_else(|| mismatch(self.offset))?.else_fix = f;
            }
            Instr::Br(d) => {
                self.branch(info, func, *d)?;
                return Ok(false);
            }
            Instr::BrIf(d) => return self.br_if(info, func, *d),
            Instr::BrTable(labels, default) => {
                self.br_table(info, func, labels, *default)?;
                return Ok(false);
            }
            Instr::Return => {
                self.emit_return(func.results.len())?;
                return Ok(false);
            }
            Instr::Call(f) => {
                let ty = self.call_type(info, *f)?;
                let base = self.call_args(ty.params.len())?;
                match f.checked_sub(info.index.imported_funcs) {
                    Some(d) => op::Call { f: d, base }.emit(&mut self.code),
                    None => op::CallImport { f: *f, base }.emit(&mut self.code),
                }
                self.call_results(ty.params.len(), &ty.results)?;
            }
            Instr::CallIndirect { type_index, table } => {
                let ty = info.module.types.get(*type_index as usize).ok_or_else(|| mismatch(self.offset))?;
                let (e, k) = self.pop()?;
                // The index may stay in the accumulator: the arguments
                // are spilled by their producers, which ran before it.
                let in_reg = e.kind == Kind::Reg;
                let base = self.call_args(ty.params.len())?;
                let (ty_i, table) = (*type_index, *table);
                if in_reg {
                    op::CallIndirectR { ty: ty_i, table, base }.emit(&mut self.code);
                } else {
                    let i = self.slot_of(e, k)?;
                    op::CallIndirectS { ty: ty_i, table, i, base }.emit(&mut self.code);
                }
                self.call_results(ty.params.len(), &ty.results)?;
            }
            // Tail calls: the arguments go to their canonical slots, as for
            // a call, and the op moves them down to slot 0. A callee that
            // may not be entered in place (another instance's function, a
            // host function) is called; the return after the op gives back
            // its results.
            Instr::ReturnCall(f) => {
                let ty = self.call_type(info, *f)?;
                let np = self.np_slots as u16;
                let base = self.call_args(ty.params.len())?;
                match f.checked_sub(info.index.imported_funcs) {
                    Some(d) => op::ReturnCall { np, f: d, base }.emit(&mut self.code),
                    None => {
                        let start = self.pc();
                        op::ReturnCallImport { np, f: *f, base }.emit(&mut self.code);
                        self.skip_tail_call(start)?;
                        self.call_results(ty.params.len(), &ty.results)?;
                        self.emit_return(ty.results.len())?;
                    }
                }
                return Ok(false);
            }
            Instr::ReturnCallIndirect { type_index, table } => {
                let ty = info.module.types.get(*type_index as usize).ok_or_else(|| mismatch(self.offset))?;
                let np = self.np_slots as u16;
                let (e, k) = self.pop()?;
                // As for `call_indirect`.
                let in_reg = e.kind == Kind::Reg;
                let base = self.call_args(ty.params.len())?;
                let (ty_i, table) = (*type_index, *table);
                let i = if in_reg { None } else { Some(self.slot_of(e, k)?) };
                let start = self.pc();
                match i {
                    None => op::ReturnCallIndirectR { np, ty: ty_i, table, base }.emit(&mut self.code),
                    Some(i) => op::ReturnCallIndirectS { np, ty: ty_i, table, i, base }.emit(&mut self.code),
                }
                self.skip_tail_call(start)?;
                self.call_results(ty.params.len(), &ty.results)?;
                self.emit_return(ty.results.len())?;
                return Ok(false);
            }
            Instr::CallRef(t) => {
                let ty = info.module.types.get(*t as usize).ok_or_else(|| mismatch(self.offset))?;
                let (e, k) = self.pop()?;
                let base = self.call_args(ty.params.len())?;
                let i = self.slot_of(e, k)?;
                op::CallRef { ty: *t, i, base }.emit(&mut self.code);
                self.call_results(ty.params.len(), &ty.results)?;
            }
            Instr::ReturnCallRef(t) => {
                let ty = info.module.types.get(*t as usize).ok_or_else(|| mismatch(self.offset))?;
                let np = self.np_slots as u16;
                let (e, k) = self.pop()?;
                let base = self.call_args(ty.params.len())?;
                let i = self.slot_of(e, k)?;
                let start = self.pc();
                op::ReturnCallRef { np, ty: *t, i, base }.emit(&mut self.code);
                self.skip_tail_call(start)?;
                self.call_results(ty.params.len(), &ty.results)?;
                self.emit_return(ty.results.len())?;
                return Ok(false);
            }
            Instr::RefAsNonNull => {
                let ty = self.stack.last().map_or(ValType::FUNCREF, |e| e.ty);
                let [a] = self.pop_slots::<1>()?;
                self.slot_result(ty, |d, c| op::RefAsNonNull { d, a }.emit(c))?;
            }
            // The reference stays where it is (references never live in an
            // accumulator): tested there, then pushed back on the path that
            // continues (`br_on_null`) or carried (`br_on_non_null`).
            Instr::BrOnNull(d) => {
                let (e, k) = self.pop()?;
                let cond = self.null_test(e, k, true)?;
                if !self.br_on(info, func, *d, cond)? {
                    return Ok(false);
                }
                self.push(Entry { at: None, ..e })?;
            }
            Instr::BrOnNonNull(d) => {
                let k = self.stack.len().checked_sub(1).ok_or_else(|| mismatch(self.offset))?;
                let cond = self.null_test(self.stack[k], k, false)?;
                if !self.br_on(info, func, *d, cond)? {
                    return Ok(false);
                }
                self.pop()?;
            }
            Instr::TryTable(bt, catches) => self.try_table(info, *bt, catches)?,
            Instr::Try(bt) => self.legacy_try(info, *bt)?,
            Instr::Throw(x) => {
                let n = self.tag_params(info, *x)?.len();
                let base = self.call_args(n)?;
                op::Throw { t: *x, base }.emit(&mut self.code);
                return Ok(false);
            }
            Instr::ThrowRef => {
                let [s] = self.pop_slots::<1>()?;
                op::ThrowRef { s }.emit(&mut self.code);
                return Ok(false);
            }
            Instr::Rethrow(l) => {
                let i = self.label(*l)?;
                let (t, k, s) = self.ctrl[i].arm.ok_or_else(|| Error::validate("invalid rethrow label", self.offset))?;
                self.tries[usize::from(t)].clauses[usize::from(k)].keep = true;
                op::ThrowRef { s }.emit(&mut self.code);
                return Ok(false);
            }
            Instr::Catch(_) | Instr::CatchAll | Instr::Delegate(_) => return Err(mismatch(self.offset)),
            Instr::Wide(w) => {
                let (a, b, c, e) = if w.arity() == 4 {
                    let [a, b, c, e] = self.pop_slots::<4>()?;
                    (a, b, c, e)
                } else {
                    let [a, b] = self.pop_slots::<2>()?;
                    (a, b, a, a)
                };
                let d = self.canon(self.stack.len())?;
                op::Wide { d, a, b, c, e, op: *w as u16 }.emit(&mut self.code);
                self.push(Entry::new(Kind::Temp, ValType::I64))?;
                self.push(Entry::new(Kind::Temp, ValType::I64))?;
            }
            Instr::RefNull(t) => self.push(Entry::new(Kind::Const(0), ValType::from(*t)))?,
            Instr::RefIsNull => {
                let [a] = self.pop_slots::<1>()?;
                self.result(ValType::I32, |code, d, dst| {
                    emit_opcode(code, num_opcode(NumOp::I64Eqz, Form::Un { a: Src::S, d: dst }));
                    code.w(d);
                    code.w(a);
                })?;
            }
            Instr::RefFunc(f) => self.slot_result(ValType::FUNCREF, |d, c| op::RefFunc { d, f: *f }.emit(c))?,
            Instr::Drop => {
                self.pop()?;
            }
            Instr::Select(_) => self.select()?,
            Instr::LocalGet(i) => {
                let s = self.local_slot(*i)?;
                let ty = self.local_type(*i)?;
                self.push(Entry::new(Kind::Local(s), ty))?;
            }
            Instr::LocalSet(i) => self.set_local(*i, false)?,
            Instr::LocalTee(i) => self.set_local(*i, true)?,
            Instr::GlobalGet(g) => {
                let ty = info.index.globals.get(*g as usize).ok_or_else(|| Error::validate("unknown global", self.offset))?.val;
                if ty == ValType::V128 {
                    self.slot_result(ty, |d, c| op::GlobalGetV { d, g: *g }.emit(c))?;
                } else if class(ty) == Some(0) {
                    self.result(ty, |code, d, dst| {
                        let m = if dst == Dst::R { Misc::GlobalGetR } else { Misc::GlobalGetS };
                        emit_opcode(code, m as u16);
                        code.w(d);
                        code.w32(*g);
                    })?;
                } else {
                    self.slot_result(ty, |d, c| op::GlobalGetS { d, g: *g }.emit(c))?;
                }
            }
            Instr::GlobalSet(g) => {
                let (e, k) = self.pop()?;
                if e.kind == Kind::Reg && class(e.ty) == Some(0) {
                    op::GlobalSetR { g: *g }.emit(&mut self.code);
                } else if e.ty == ValType::V128 {
                    let s = self.slot_of(e, k)?;
                    op::GlobalSetV { g: *g, s }.emit(&mut self.code);
                } else {
                    let s = self.slot_of(e, k)?;
                    op::GlobalSetS { g: *g, s }.emit(&mut self.code);
                }
            }
            Instr::TableGet(t) => {
                let [i] = self.pop_slots::<1>()?;
                let ty = info.index.tables.get(*t as usize).ok_or_else(|| mismatch(self.offset))?.elem.into();
                self.slot_result(ty, |d, c| op::TableGet { d, t: *t, i }.emit(c))?;
            }
            Instr::TableSet(t) => {
                let [i, v] = self.pop_slots::<2>()?;
                op::TableSet { t: *t, i, v }.emit(&mut self.code);
            }
            Instr::TableSize(t) => {
                let a = self.table_address_type(info, *t)?;
                self.slot_result(a, |d, c| op::TableSize { d, t: *t }.emit(c))?;
            }
            Instr::TableGrow(t) => {
                let a = self.table_address_type(info, *t)?;
                let [v, n] = self.pop_slots::<2>()?;
                self.slot_result(a, |d, c| op::TableGrow { d, t: *t, v, n }.emit(c))?;
            }
            Instr::TableFill(t) => {
                let [i, v, n] = self.pop_slots::<3>()?;
                op::TableFill { t: *t, i, v, n }.emit(&mut self.code);
            }
            Instr::TableCopy { dst, src } => {
                let [d, s, n] = self.pop_slots::<3>()?;
                op::TableCopy { dst: *dst, src: *src, d, s, n }.emit(&mut self.code);
            }
            Instr::TableInit { elem, table } => {
                let [d, s, n] = self.pop_slots::<3>()?;
                op::TableInit { elem: *elem, t: *table, d, s, n }.emit(&mut self.code);
            }
            Instr::ElemDrop(e) => op::ElemDrop { e: *e }.emit(&mut self.code),
            // Memories other than 0 and 64-bit ones: out of line.
            Instr::Mem(op, arg) if arg.memory != 0 || is64(info, 0) => self.mem_k(*op, arg.offset, arg.memory)?,
            Instr::Mem(op, arg) => self.mem(*op, off32(arg.offset, self.offset)?)?,
            Instr::MemorySize(m) => self.slot_result(ValType::I32, |d, c| op::MemorySize { d, m: *m }.emit(c))?,
            Instr::MemoryGrow(m) => {
                let [n] = self.pop_slots::<1>()?;
                self.slot_result(ValType::I32, |d, c| op::MemoryGrow { d, n, m: *m }.emit(c))?;
            }
            Instr::MemoryFill(m) => {
                let [d, v, n] = self.pop_slots::<3>()?;
                op::MemoryFill { d, v, n, m: *m }.emit(&mut self.code);
            }
            Instr::MemoryCopy { dst, src } => {
                let [d, s, n] = self.pop_slots::<3>()?;
                op::MemoryCopy { d, s, n, dm: *dst, sm: *src }.emit(&mut self.code);
            }
            Instr::MemoryInit { data, memory } => {
                let [d, s, n] = self.pop_slots::<3>()?;
                op::MemoryInit { seg: *data, d, s, n, m: *memory }.emit(&mut self.code);
            }
            Instr::DataDrop(seg) => op::DataDrop { seg: *seg }.emit(&mut self.code),
            Instr::I32Const(v) => self.push(Entry::new(Kind::Const(u64::from(*v as u32)), ValType::I32))?,
            Instr::I64Const(v) => self.push(Entry::new(Kind::Const(*v as u64), ValType::I64))?,
            Instr::F32Const(b) => self.push(Entry::new(Kind::Const(u64::from(*b)), ValType::F32))?,
            Instr::F64Const(b) => self.push(Entry::new(Kind::Const(*b), ValType::F64))?,
            Instr::Num(op) => {
                if op.signature().0.len() == 1 {
                    self.unop(*op)?
                } else {
                    self.binop(*op)?
                }
            }
            Instr::Else | Instr::End => return Err(mismatch(self.offset)),
            Instr::V128Const(b) => {
                let v = u128::from_le_bytes(*b);
                self.slot_result(ValType::V128, |d, code| {
                    emit_opcode(code, simd_opcode(SimdOp::V128Const));
                    code.w(d);
                    code.w64(v as u64);
                    code.w64((v >> 64) as u64);
                })?;
            }
            Instr::I8x16Shuffle(lanes) => {
                let [a, b] = self.pop_slots::<2>()?;
                let v = u128::from_le_bytes(*lanes);
                self.slot_result(ValType::V128, |d, code| {
                    emit_opcode(code, simd_opcode(SimdOp::I8x16Shuffle));
                    code.extend_from_slice(&[d, a, b]);
                    code.w64(v as u64);
                    code.w64((v >> 64) as u64);
                })?;
            }
            Instr::Simd(op, SimdImm::Mem(arg)) if arg.memory != 0 || is64(info, 0) => self.simd_mem_k(*op, *arg, 0)?,
            Instr::Simd(op, SimdImm::MemLane(arg, l)) if arg.memory != 0 || is64(info, 0) => {
                self.simd_mem_k(*op, *arg, *l)?
            }
            Instr::Simd(op, imm) => self.simd(*op, *imm)?,
        }
        Ok(true)
    }

    fn select(&mut self) -> Result<()> {
        let (c, kc) = self.pop()?;
        let (b, kb) = self.pop()?;
        let (a, ka) = self.pop()?;
        if let Kind::Const(v) = c.kind {
            let keep = if v as u32 != 0 { a } else { b };
            if keep.kind == Kind::Temp && v as u32 == 0 {
                // b's value must move to a's position.
                let (d, s) = (self.canon(ka)?, self.canon(kb)?);
                self.emit_move(d, s, keep.ty);
                return self.push(Entry::new(Kind::Temp, keep.ty));
            }
            // Temps in place, accumulators, locals and constants move as
            // they are.
            return self.push(keep);
        }
        let sa = self.slot_of(a, ka)?;
        let sb = self.slot_of(b, kb)?;
        let ty = a.ty;
        if ty == ValType::V128 {
            // One select per half. The first writes `d`, which only `sa`
            // may share, and the second does not read it. Two ops: the
            // entry names no producer, so nothing rewrites only the first.
            let sc = if c.kind == Kind::Reg { None } else { Some(self.slot_of(c, kc)?) };
            let d = self.canon(ka)?;
            for h in 0..2 {
                match sc {
                    None => op::SelectR { d: d + h, a: sa + h, b: sb + h }.emit(&mut self.code),
                    Some(c) => op::SelectS { d: d + h, c, a: sa + h, b: sb + h }.emit(&mut self.code),
                }
            }
            return self.push(Entry::new(Kind::Temp, ty));
        }
        if c.kind == Kind::Reg {
            self.slot_result(ty, |d, code| op::SelectR { d, a: sa, b: sb }.emit(code))
        } else {
            let sc = self.slot_of(c, kc)?;
            self.slot_result(ty, |d, code| op::SelectS { d, c: sc, a: sa, b: sb }.emit(code))
        }
    }

    /// A SIMD instruction other than `v128.const` and `i8x16.shuffle`: its
    /// operands from slots, its fields as `ops::simd_layout` lists them.
    fn simd(&mut self, op: SimdOp, imm: SimdImm) -> Result<()> {
        let (ins, out) = op.signature();
        let mut sl = [0 as Slot; 3];
        let n = ins.len();
        match n {
            0 => {}
            1 => sl[..1].copy_from_slice(&self.pop_slots::<1>()?),
            2 => sl[..2].copy_from_slice(&self.pop_slots::<2>()?),
            _ => sl.copy_from_slice(&self.pop_slots::<3>()?),
        }
        let (offset, lane) = match imm {
            SimdImm::None => (None, None),
            SimdImm::Lane(l) => (None, Some(l)),
            SimdImm::Mem(m) => (Some(off32(m.offset, self.offset)?), None),
            SimdImm::MemLane(m, l) => (Some(off32(m.offset, self.offset)?), Some(l)),
        };
        let fields = move |code: &mut Vec<u16>| {
            code.extend_from_slice(&sl[..n]);
            if let Some(o) = offset {
                code.w32(o);
            }
            if let Some(l) = lane {
                code.w(u16::from(l));
            }
        };
        match out {
            Some(ty) => self.slot_result(ty, |d, code| {
                emit_opcode(code, simd_opcode(op));
                code.w(d);
                fields(code);
            }),
            None => {
                emit_opcode(&mut self.code, simd_opcode(op));
                fields(&mut self.code);
                Ok(())
            }
        }
    }
}
