//! Serialized modules: [`Module::serialize`] and [`Module::deserialize`].
//!
//! # What a blob holds
//!
//! Everything a [`Module`] needs without the wasm binary: the types,
//! imports, function types, tables, memories, globals (with their
//! constant initialisers), exports, start function, element and data
//! segments, custom sections (raw, as `custom_sections` returns them), the
//! module's name, and every defined function's *portable* code (see
//! [`crate::compile::ops`]) as the translator wrote it. Function bodies
//! are not stored: a deserialized module's code comes from the blob
//! (`compile::Source::Portable`), never from a translation, so its
//! `syntax().codes` is empty. Of the parsed `name` section only the module
//! name is restored (nothing else reads the rest; the raw section stays
//! among the custom sections).
//!
//! Deserialize reads the module-level parts and checks the blob's
//! checksum; each function's code is checked and linked on its first call,
//! as `Module::new` translates lazily ([`Module::translate_all`] does all
//! now). The blob stays in memory in place of the bodies, and serializing
//! a deserialized module copies its code from there, unchanged.
//!
//! # Format
//!
//! Little-endian throughout. A 36-byte header: magic `\0wasmint`, format
//! version (u32), opcode fingerprint (u64), payload length (u64), payload
//! checksum (u64); then the payload: sections in a fixed order, counts as
//! u32, strings and byte strings as a u32 length and the bytes, value
//! types as their binary-format bytes, constant expressions as tagged
//! instructions, and each function's code as a u32 word count and its
//! 16-bit words (header included).
//!
//! The fingerprint is a hash of every opcode's number, name and field
//! layout, of the code header and handler sizes and of the format
//! version: the opcode numbering changes whenever an op form is added, so
//! a blob of another wasmint build is rejected ("serialized by an
//! incompatible wasmint version") instead of misread. A change of an op's
//! *meaning* without a change of its name or layout must bump
//! [`FORMAT_VERSION`].
//!
//! # Trust model
//!
//! The checksum (a fast non-cryptographic 64-bit hash) catches accidental
//! corruption and truncation; it proves nothing about where a blob came
//! from. A blob is trusted the way wasmer and wasmtime trust theirs (their
//! `deserialize` is `unsafe`), and so is [`Module::deserialize`]: only
//! give it bytes that [`Module::serialize`] of this wasmint build produced,
//! or that you trust as much. For bytes you do not trust, compile the wasm
//! binary with [`Module::new`], which validates it.
//!
//! What is checked anyway, the code in the one pass that links it, before
//! it first runs (so even a tampered blob cannot make the engine read or
//! jump outside code or a frame, or misread an index; a function that
//! fails the check fails its call, or `translate_all`):
//! - the module-level parts are validated as a binary's are (types,
//!   imports, globals and their initialisers, tables, memories, element
//!   and data segments, start, exports), with the function bodies left out;
//! - each function's header: parameter count equal to its type's, frame
//!   large enough for parameters, frame header, declared locals and results;
//! - every op: a valid opcode, whole inside the function, fields of its
//!   layout; every op start is reached by the linear walk, every branch
//!   target (including every `br_table` entry) is an op start of the same
//!   function, and the last op does not fall through;
//! - every slot field lies in the frame and never names the two frame
//!   header slots (return address, caller frame), nor does any span; every
//!   call's frame base lies above the header and its arguments and results
//!   fit in the frame; return and tail call ops name the function's own
//!   parameter count (the header they read), and a tail callee's results
//!   are the function's;
//! - every index is in range: defined and imported functions, types,
//!   tables (funcref ones for `call_indirect`, matching element types for
//!   `table.copy`/`table.init`), globals (mutable ones for `global.set`),
//!   element and data segments; the engine's internal ops (`Exit`,
//!   `RestoreInstance`) do not occur.
//!
//! What it does not check, so what a hostile blob that passes can still
//! do: the code is not type-checked. Slots are untyped 64-bit values, and
//! numeric type confusion is harmless, but a number can be stored where a
//! reference is expected (a table, a reference global, a reference
//! argument or result): such a forged reference names any function of the
//! store (`call_indirect` still checks its type), or none, and then an
//! out-of-range index panics (aborting the process inside the engine). It
//! is a capability leak and a crash, not memory unsafety as far as the
//! engine goes, but host code trusts references too. Code can also read
//! slots it never wrote and so see
//! stale values of earlier frames, including native code and stack
//! addresses. A complete check would be a type inference over the
//! register code (a dataflow analysis with joins at every branch target);
//! it is not done, hence the trust model above.

use std::sync::{Arc, OnceLock};

use super::store::{Data, Module, ModuleInner};
use crate::compile::ops::{u32_at, Dst, Field, Form, MemForm, Misc, Opcode, HW, OPCODES};
use crate::compile::translate::{slots_of, Translator, FRAME_HEADER};
use crate::compile::{Code, Index, Info, Source, CODE_HEADER};
use crate::error::{Error, Result};
use crate::syntax::{
    self, ConstExpr, CustomSection, DataMode, DataSegment, ElemItems, ElemMode, ElemSegment, Export, ExportDesc,
    FuncType, Global, GlobalType, HeapType, Import, ImportDesc, Instr, Limits, MemOp, MemType, Names, RefType, SimdImmKind,
    SimdOp, TableType, ValType,
};

const MAGIC: &[u8; 8] = b"\0wasmint";
/// Version of the layout described above (1 was the wasm binary in a
/// container).
pub const FORMAT_VERSION: u32 = 7;
const HEADER: usize = 36;

fn corrupt(at: usize) -> Error {
    Error::Deserialize(format!("the serialized module is truncated or corrupt (at byte {at})"))
}

// ---------------------------------------------------------------- checksum, fingerprint

/// A 64-bit checksum: four independent multiply-rotate lanes over 8-byte
/// words (several GB/s, unlike a bytewise CRC). Each step is a bijection
/// of its lane, so any change to one word changes the result.
pub fn checksum(data: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = [K, K ^ 1, K ^ 2, K ^ 3];
    let mut blocks = data.chunks_exact(32);
    for b in &mut blocks {
        for (l, w) in h.iter_mut().zip(b.chunks_exact(8)) {
            let w = u64::from_le_bytes(w.try_into().unwrap_or_default());
            *l = (l.rotate_left(23) ^ w).wrapping_mul(K);
        }
    }
    for (i, &byte) in blocks.remainder().iter().enumerate() {
        let l = &mut h[i % 4];
        *l = (l.rotate_left(23) ^ u64::from(byte)).wrapping_mul(K);
    }
    let mut r = data.len() as u64;
    for l in h {
        r = (r.rotate_left(29) ^ l).wrapping_mul(K);
    }
    r ^ (r >> 31)
}

/// A hash of the opcode numbering and layouts (see the module doc).
pub fn fingerprint() -> u64 {
    static FP: OnceLock<u64> = OnceLock::new();
    *FP.get_or_init(|| {
        // FNV-1a.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |b: &[u8]| {
            for &x in b {
                h = (h ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3);
            }
        };
        eat(&FORMAT_VERSION.to_le_bytes());
        eat(&[CODE_HEADER as u8, HW as u8, FRAME_HEADER as u8]);
        eat(&(OPCODES as u32).to_le_bytes());
        for w in 0..OPCODES {
            match Opcode::decode(w as u16) {
                Some(op) => {
                    eat(&(w as u32).to_le_bytes());
                    eat(op.name().as_bytes());
                    for f in op.layout() {
                        eat(&[f as u8 + 1]);
                    }
                    eat(&[0]);
                }
                None => eat(&[0xff]),
            }
        }
        h
    })
}

// ---------------------------------------------------------------- op table

/// What the verifier needs on every op, packed in 16 bytes so that the
/// table of all opcodes stays in the first-level cache.
#[derive(Copy, Clone, Default)]
#[repr(C, align(16))]
struct Hot {
    /// Words, without `br_table`'s offsets; 0 for numbers that are no
    /// opcode.
    len: u8,
    nslots: u8,
    noffs: u8,
    /// Bit `k`: slot field `k` is a v128 (`Field::V`), whose next slot
    /// must lie in the frame too.
    wide: u8,
    /// [`ENDS`], [`MISC`].
    flags: u8,
    /// Word positions of the slot fields to check (not destination words
    /// that the accumulator forms ignore).
    slots: [u8; 6],
    /// Word positions of the branch offsets.
    offs: [u8; 2],
}

/// Execution never continues with the next op.
const ENDS: u8 = 1;
/// A hand-written op with checks of its own ([`check_misc`]).
const MISC: u8 = 2;

/// What the rarer checks need of an opcode.
#[derive(Copy, Clone)]
struct OpInfo {
    misc: Option<Misc>,
    /// Field kinds and positions.
    fields: [(Field, u8); 8],
}

struct OpTable {
    hot: Vec<Hot>,
    ops: Vec<OpInfo>,
}

fn op_table() -> &'static OpTable {
    static T: OnceLock<OpTable> = OnceLock::new();
    T.get_or_init(|| {
        let mut ops = vec![OpInfo { misc: None, fields: [(Field::U16, 0); 8] }; OPCODES];
        let mut hot = vec![Hot::default(); OPCODES];
        for (w, (info, h)) in ops.iter_mut().zip(hot.iter_mut()).enumerate() {
            let Some(op) = Opcode::decode(w as u16) else { continue };
            // The first field of these is a destination word that the
            // handler ignores (the translator may rewrite it into the slot
            // form in place).
            let dst_unused = matches!(
                op,
                Opcode::Num(_, Form::Un { d: Dst::R, .. } | Form::Bin { d: Dst::R, .. })
                    | Opcode::Mem(_, MemForm::Load { d: Dst::R, .. })
                    | Opcode::Misc(Misc::GlobalGetR | Misc::ShlAddR)
            );
            let mut at = HW;
            for (k, f) in op.layout().into_iter().enumerate() {
                info.fields[k] = (f, at as u8);
                match f {
                    Field::S | Field::V if !(k == 0 && dst_unused) => {
                        if f == Field::V {
                            h.wide |= 1 << h.nslots;
                        }
                        h.slots[usize::from(h.nslots)] = at as u8;
                        h.nslots += 1;
                    }
                    Field::Off => {
                        h.offs[usize::from(h.noffs)] = at as u8;
                        h.noffs += 1;
                    }
                    _ => {}
                }
                at += f.words();
            }
            h.len = at as u8;
            if let Opcode::Misc(m) = op {
                info.misc = Some(m);
                // Only their slots and offsets to check.
                let plain = matches!(
                    m,
                    Misc::Unreachable
                        | Misc::Br
                        | Misc::BrIfNzR
                        | Misc::BrIfNzS
                        | Misc::BrIfZR
                        | Misc::BrIfZS
                        | Misc::BrIfNz64R
                        | Misc::BrIfNz64S
                        | Misc::BrIfZ64R
                        | Misc::BrIfZ64S
                        | Misc::Copy
                        | Misc::Const32
                        | Misc::Const64
                        | Misc::SpillR
                        | Misc::SpillRF32
                        | Misc::SpillRF64
                        | Misc::SelectR
                        | Misc::SelectS
                        | Misc::ThrowRef
                );
                if !plain {
                    h.flags |= MISC;
                }
                let ends = matches!(
                    m,
                    Misc::Unreachable
                        | Misc::Br
                        | Misc::BrTableR
                        | Misc::BrTableS
                        | Misc::Return
                        | Misc::ReturnS
                        | Misc::ReturnR
                        | Misc::ReturnRF32
                        | Misc::ReturnRF64
                        | Misc::ReturnC32
                        | Misc::ReturnC64
                        | Misc::ReturnSpan
                        | Misc::ReturnCall
                        | Misc::Throw
                        | Misc::ThrowRef
                );
                if ends {
                    h.flags |= ENDS;
                }
            }
        }
        OpTable { hot, ops }
    })
}

/// Words of the op at `ops[pc..]` (opcode `w`), or `None` if it is not
/// whole or no op.
#[inline(always)]
fn whole_len(t: &OpTable, ops: &[u16], pc: usize, w: usize) -> Option<usize> {
    let mut len = usize::from(t.hot[w].len);
    if w == Misc::BrTableR as usize || w == Misc::BrTableS as usize {
        // `n` is the last field.
        let at = pc + HW + usize::from(w == Misc::BrTableS as usize);
        if at + 2 > ops.len() {
            return None;
        }
        len = len.checked_add((u32_at(ops, at) as usize).checked_add(1)?.checked_mul(2)?)?;
    }
    (len > 0 && pc.checked_add(len)? <= ops.len()).then_some(len)
}

// ---------------------------------------------------------------- verify and link

/// The module facts the verifier checks indices against.
struct Ctx<'a> {
    types: &'a [FuncType],
    func_types: &'a [u32],
    imported_funcs: usize,
    tables: &'a [TableType],
    globals: &'a [GlobalType],
    elems: &'a [ElemSegment],
    datas: usize,
    memories: usize,
    /// Type index of every tag.
    tags: &'a [u32],
}

/// Reused buffers.
#[derive(Default)]
struct Scratch {
    starts: Vec<u64>,
    targets: Vec<u32>,
}

/// The frame facts of the function being checked.
#[derive(Copy, Clone)]
struct Frame {
    /// Frame size in slots.
    size: usize,
    /// Parameters: the frame header is at `np..np + FRAME_HEADER`.
    np: usize,
}

impl Frame {
    #[inline(always)]
    fn slot(self, v: u16) -> bool {
        let v = usize::from(v);
        v < self.size && v.wrapping_sub(self.np) >= FRAME_HEADER
    }
    /// Slots `a..a + n` lie in the frame, clear of its header.
    fn span(self, a: u32, n: u32) -> bool {
        let (a, n) = (a as usize, n as usize);
        a + n <= self.size && (n == 0 || a >= self.np + FRAME_HEADER || a + n <= self.np)
    }
    /// A callee's frame at `base` lies above the header, and its arguments
    /// and results fit in this frame (host functions get no frame check).
    fn callee_fits(self, base: u32, ty: &FuncType) -> bool {
        let base = base as usize;
        base >= self.np + FRAME_HEADER && base + slots_of(&ty.params).max(slots_of(&ty.results)) <= self.size
    }
    /// A tail callee of type `ty` at `base` fits as a callee does, and
    /// returns the results of `func`, the function's type.
    fn tail_fits(self, base: u32, ty: &FuncType, func: &FuncType) -> bool {
        self.callee_fits(base, ty) && ty.results == func.results
    }
}

/// Checks the portable code of one function of type `ty` (see the module
/// doc for what) and links it in place.
fn verify_and_link(cx: &Ctx<'_>, ty: &FuncType, code: &mut [u16], s: &mut Scratch) -> Option<()> {
    let t = op_table();
    if code.len() < CODE_HEADER {
        return None;
    }
    let fr = Frame { size: usize::from(code[0]), np: usize::from(code[1]) };
    // Locals zeroed on entry: `code[2]` from the `code[3]`-th.
    let nl = usize::from(code[2]) + usize::from(code[3]);
    if fr.np != slots_of(&ty.params) || fr.size < fr.np + FRAME_HEADER + nl || fr.size < slots_of(&ty.results) {
        return None;
    }
    let end = crate::compile::handlers::table_at(code).unwrap_or(code.len());
    if end < CODE_HEADER || end > code.len() {
        return None;
    }
    let (ops, table) = code[CODE_HEADER..].split_at_mut(end - CODE_HEADER);
    let n = ops.len();
    s.starts.clear();
    s.starts.resize(n.div_ceil(64), 0);
    s.targets.clear();
    let mut pc = 0;
    let mut ends = false;
    while pc < n {
        let w = usize::from(ops[pc]);
        let h = t.hot.get(w)?;
        let len = whole_len(t, ops, pc, w)?;
        s.starts[pc / 64] |= 1 << (pc % 64);
        for (k, &at) in h.slots[..usize::from(h.nslots)].iter().enumerate() {
            let s = ops[pc + usize::from(at)];
            if !fr.slot(s) || (h.wide >> k & 1 == 1 && !fr.slot(s.checked_add(1)?)) {
                return None;
            }
        }
        for &at in &h.offs[..usize::from(h.noffs)] {
            s.targets.push(target(pc, u32_at(ops, pc + usize::from(at)), n)?);
        }
        if h.flags & MISC != 0 {
            let info = &t.ops[w];
            check_misc(cx, fr, ty, info.misc?, info, ops, pc, len, &mut s.targets)?;
        }
        ops[pc..pc + HW].copy_from_slice(&crate::exec::linked_words(w as u16)?);
        ends = h.flags & ENDS != 0;
        pc += len;
    }
    let is_start = |t: u32| s.starts[t as usize / 64] >> (t % 64) & 1 == 1;
    (ends && s.targets.iter().all(|&t| is_start(t))).then_some(())?;
    if !table.is_empty() {
        check_handlers(cx, fr, ty, code, n, is_start)?;
    }
    Some(())
}

/// Checks a function's handler table (see `compile::handlers`): every try
/// range lies in the ops, parents come first, clauses name tags, land on
/// op starts and write their values inside the frame, off its header (but
/// for a return, which reads the header first).
fn check_handlers(cx: &Ctx<'_>, fr: Frame, fty: &FuncType, code: &[u16], n: usize, is_start: impl Fn(u32) -> bool) -> Option<()> {
    use crate::compile::handlers::{Table, ALL, DELEGATE, NONE, NO_SLOT, RETURN, SKIP};
    let t = Table::of(code)?;
    let ops = CODE_HEADER as u32..(CODE_HEADER + n) as u32;
    let mut used = 0usize;
    for i in 0..t.tries() {
        let e = t.try_at(i)?;
        let parent_ok = e.parent == NONE || usize::from(e.parent) < i;
        if e.start > e.end || e.start < ops.start || e.end > ops.end || !parent_ok {
            return None;
        }
        if e.kind != DELEGATE && e.kind != SKIP {
            // Each try's clauses follow the previous ones'.
            if usize::from(e.first) != used {
                return None;
            }
            used += usize::from(e.kind);
        }
    }
    if used != t.clauses() {
        return None;
    }
    let frame_ok = |s: usize, n: usize| s >= fr.np + FRAME_HEADER && s + n <= fr.size;
    for k in 0..t.clauses() {
        let c = t.clause(k)?;
        let payload = if c.tag == ALL {
            0
        } else {
            let ty = cx.types.get(*cx.tags.get(c.tag as usize)? as usize)?;
            slots_of(&ty.params)
        };
        let dst = usize::from(c.dst);
        let with_ref = usize::from(c.exn != NO_SLOT);
        if c.exn != NO_SLOT && usize::from(c.exn) != dst + payload {
            // A legacy arm's exception sits below its payload.
            if !(c.exn as usize + 1 == dst) {
                return None;
            }
        }
        let ok = if c.target == RETURN {
            dst == 0 && payload + with_ref == slots_of(&fty.results) && payload + with_ref <= fr.size
        } else {
            let lo = if c.exn != NO_SLOT { dst.min(usize::from(c.exn)) } else { dst };
            ops.contains(&c.target) && is_start(c.target - CODE_HEADER as u32) && frame_ok(lo, payload + with_ref)
        };
        if !ok {
            return None;
        }
    }
    Some(())
}

/// The checks of a hand-written op beyond its slots and offsets.
#[allow(clippy::too_many_arguments)]
fn check_misc(
    cx: &Ctx<'_>,
    fr: Frame,
    fty: &FuncType,
    m: Misc,
    info: &OpInfo,
    ops: &[u16],
    pc: usize,
    len: usize,
    targets: &mut Vec<u32>,
) -> Option<()> {
    let f = |k: usize| -> u32 {
        let (kind, at) = info.fields[k];
        let at = pc + usize::from(at);
        if kind.words() == 1 {
            u32::from(ops[at])
        } else {
            u32_at(ops, at)
        }
    };
    let table = |i: u32| cx.tables.get(i as usize);
    let ty = |i: usize| cx.func_types.get(i).and_then(|&t| cx.types.get(t as usize));
    let ok = match m {
        Misc::Throw => {
            let ty = cx.tags.get(f(0) as usize).and_then(|&t| cx.types.get(t as usize));
            ty.is_some_and(|t| {
                let base = f(1) as usize;
                base >= fr.np + FRAME_HEADER && base + slots_of(&t.params) <= fr.size
            })
        }
        Misc::BrTableR | Misc::BrTableS => {
            let first = usize::from(info.fields[if m == Misc::BrTableR { 0 } else { 1 }].1) + 2;
            for at in (pc + first..pc + len).step_by(2) {
                targets.push(target(pc, u32_at(ops, at), ops.len())?);
            }
            true
        }
        Misc::Return
        | Misc::ReturnS
        | Misc::ReturnR
        | Misc::ReturnRF32
        | Misc::ReturnRF64
        | Misc::ReturnC32
        | Misc::ReturnC64 => f(0) as usize == fr.np,
        // The results go to slots `0..n`, over the header once it is read.
        Misc::ReturnSpan => f(0) as usize == fr.np && fr.span(f(1), f(2)) && f(2) as usize <= fr.size,
        Misc::CopySpan => fr.span(f(0), f(2)) && fr.span(f(1), f(2)),
        Misc::Call => {
            let defined = cx.func_types.len() - cx.imported_funcs;
            (f(0) as usize) < defined && ty(cx.imported_funcs + f(0) as usize).is_some_and(|t| fr.callee_fits(f(1), t))
        }
        Misc::CallImport => {
            (f(0) as usize) < cx.imported_funcs && ty(f(0) as usize).is_some_and(|t| fr.callee_fits(f(1), t))
        }
        Misc::CallIndirectR | Misc::CallIndirectS => {
            let base = f(if m == Misc::CallIndirectR { 2 } else { 3 });
            table(f(1)).is_some_and(|t| t.elem.heap.is_func())
                && cx.types.get(f(0) as usize).is_some_and(|t| fr.callee_fits(base, t))
        }
        Misc::CallRef => cx.types.get(f(0) as usize).is_some_and(|t| fr.callee_fits(f(2), t)),
        Misc::ReturnCallRef => {
            f(0) as usize == fr.np && cx.types.get(f(1) as usize).is_some_and(|t| fr.tail_fits(f(3), t, fty))
        }
        // Tail calls: the header read is this frame's, the arguments (and,
        // when the callee is called instead, its results) lie in the frame
        // clear of the header, and the callee returns what this function
        // does. The callee's frame is checked against the stack when it is
        // entered, from this frame's start.
        Misc::ReturnCall => {
            let defined = cx.func_types.len() - cx.imported_funcs;
            f(0) as usize == fr.np
                && (f(1) as usize) < defined
                && ty(cx.imported_funcs + f(1) as usize).is_some_and(|t| fr.tail_fits(f(2), t, fty))
        }
        Misc::ReturnCallImport => {
            f(0) as usize == fr.np
                && (f(1) as usize) < cx.imported_funcs
                && ty(f(1) as usize).is_some_and(|t| fr.tail_fits(f(2), t, fty))
        }
        Misc::ReturnCallIndirectR | Misc::ReturnCallIndirectS => {
            let base = f(if m == Misc::ReturnCallIndirectR { 3 } else { 4 });
            f(0) as usize == fr.np
                && table(f(2)).is_some_and(|t| t.elem.heap.is_func())
                && cx.types.get(f(1) as usize).is_some_and(|t| fr.tail_fits(base, t, fty))
        }
        // The engine's own trampolines, never in a function.
        Misc::Exit | Misc::RestoreInstance => false,
        Misc::GlobalGetR | Misc::GlobalGetS | Misc::GlobalGetV => (f(1) as usize) < cx.globals.len(),
        Misc::GlobalSetR | Misc::GlobalSetS | Misc::GlobalSetV => {
            cx.globals.get(f(0) as usize).is_some_and(|g| g.mutable)
        }
        Misc::RefFunc => (f(1) as usize) < cx.func_types.len(),
        Misc::RefAsNonNull => true,
        Misc::TableGet | Misc::TableSize | Misc::TableGrow => table(f(1)).is_some(),
        Misc::TableSet | Misc::TableFill => table(f(0)).is_some(),
        // References of one kind (validation checked the subtyping).
        Misc::TableCopy => {
            matches!((table(f(0)), table(f(1))), (Some(a), Some(b)) if a.elem.heap.is_func() == b.elem.heap.is_func())
        }
        Misc::TableInit => matches!((cx.elems.get(f(0) as usize), table(f(1))),
            (Some(e), Some(t)) if e.ty.heap.is_func() == t.elem.heap.is_func()),
        Misc::ElemDrop => (f(0) as usize) < cx.elems.len(),
        Misc::DataDrop => (f(0) as usize) < cx.datas,
        Misc::Wide => f(5) < 4,
        // GC modules are not serialized (`serialize`): GC code never comes
        // from outside.
        Misc::Gc | Misc::StructGetF | Misc::StructSetF | Misc::ArrayGetF | Misc::ArraySetF => false,
        Misc::MemoryInit => (f(0) as usize) < cx.datas && (f(4) as usize) < cx.memories,
        Misc::MemorySize => (f(1) as usize) < cx.memories,
        Misc::MemoryGrow => (f(2) as usize) < cx.memories,
        Misc::MemoryFill => (f(3) as usize) < cx.memories,
        Misc::MemoryCopy => (f(3) as usize) < cx.memories && (f(4) as usize) < cx.memories,
        Misc::LoadM | Misc::StoreM => {
            let load = m == Misc::LoadM;
            (f(3) as usize) < cx.memories && MemOp::ALL.get(f(4) as usize).is_some_and(|op| op.is_store() != load)
        }
        Misc::SimdMemM => {
            (f(4) as usize) < cx.memories
                && SimdOp::ALL.get(f(5) as usize).is_some_and(|op| match op.imm_kind() {
                    SimdImmKind::Mem { .. } => f(6) == 0,
                    SimdImmKind::MemLane { align } => f(6) < 16 >> align,
                    _ => false,
                })
        }
        _ => true,
    };
    ok.then_some(())
}

/// The 16-bit words of `b` (little-endian, as the host: see `ops`).
fn words_of(b: &[u8]) -> Box<[u16]> {
    let n = b.len() / 2;
    let mut v = Vec::<u16>::with_capacity(n);
    // SAFETY: `v` has room for `n` words, which the copy initialises from
    // `2 * n` bytes of `b`; any bits are a valid u16 and the host is
    // little-endian. A plain copy: the element-wise conversion took a
    // fifth of deserialize's time.
    unsafe {
        std::ptr::copy_nonoverlapping(b.as_ptr(), v.as_mut_ptr().cast::<u8>(), 2 * n);
        v.set_len(n);
    }
    v.into_boxed_slice()
}

/// The absolute target of a branch at `pc` with offset field `off`, if it
/// lies in the function's `n` words.
fn target(pc: usize, off: u32, n: usize) -> Option<u32> {
    let t = pc as i64 + i64::from(off as i32);
    (0..n as i64).contains(&t).then_some(t as u32)
}

// ---------------------------------------------------------------- lazy linking

/// The portable code of a deserialized module's functions, checked and
/// linked on each one's first call (`Code::get`), as `Module::new`
/// translates lazily: deserialize itself costs a checksum and the
/// module-level parts. The blob stays in memory, in place of the bodies.
pub(crate) struct Portable {
    blob: syntax::Bytes,
    /// Each function's code: byte position in `blob` and words.
    funcs: Vec<(usize, usize)>,
}

impl std::fmt::Debug for Portable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Portable({} functions, {} bytes)", self.funcs.len(), self.blob.len())
    }
}

impl Portable {
    /// The stored portable code of defined function `i`, as bytes.
    fn bytes(&self, i: usize) -> Option<&[u8]> {
        let &(at, n) = self.funcs.get(i)?;
        self.blob.get(at..at + 2 * n)
    }

    /// Checks and links defined function `i`; `module` and `index` are
    /// those of the deserialized module.
    pub(crate) fn link(&self, module: &syntax::Module, index: &Index, i: usize) -> Result<Box<[u16]>> {
        thread_local! {
            static SCRATCH: std::cell::RefCell<Scratch> = Default::default();
        }
        let invalid = || Error::Deserialize(format!("the serialized code of function {i} is invalid"));
        let mut code = words_of(self.bytes(i).ok_or_else(invalid)?);
        let ty = module.funcs.get(i).and_then(|&t| module.types.get(t as usize)).ok_or_else(invalid)?;
        let cx = Ctx {
            types: &module.types,
            func_types: &index.func_types,
            imported_funcs: index.imported_funcs as usize,
            tables: &index.tables,
            globals: &index.globals,
            elems: &module.elems,
            datas: module.datas.len(),
            memories: module.memories.len()
                + module.imports.iter().filter(|i| matches!(i.desc, ImportDesc::Memory(_))).count(),
            tags: &index.tags,
        };
        let ok = SCRATCH.with(|s| match s.try_borrow_mut() {
            Ok(mut s) => verify_and_link(&cx, ty, &mut code, &mut s),
            Err(_) => verify_and_link(&cx, ty, &mut code, &mut Scratch::default()),
        });
        ok.ok_or_else(invalid)?;
        Ok(code)
    }
}

// ---------------------------------------------------------------- writer

struct W(Vec<u8>);

impl W {
    fn u8(&mut self, x: u8) {
        self.0.push(x);
    }
    fn u32(&mut self, x: u32) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    fn u64(&mut self, x: u64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    fn len(&mut self, n: usize) -> Result<()> {
        self.u32(u32::try_from(n).map_err(|_| Error::Deserialize("module too large to serialize".into()))?);
        Ok(())
    }
    fn bytes(&mut self, b: &[u8]) -> Result<()> {
        self.len(b.len())?;
        self.0.extend_from_slice(b);
        Ok(())
    }
    fn val(&mut self, t: ValType) {
        match t {
            ValType::Ref(r) => {
                self.u8(if r.nullable { 0x63 } else { 0x64 });
                self.heap(r.heap);
            }
            _ => self.u8(t.byte().unwrap_or(0)),
        }
    }
    fn heap(&mut self, h: HeapType) {
        match h {
            HeapType::Concrete(i) => {
                self.u8(0);
                self.u32(i);
            }
            _ => self.u8(h.byte().unwrap_or(0)),
        }
    }
    fn limits(&mut self, l: Limits) {
        self.u64(l.min);
        self.u8(l.max.is_some() as u8);
        self.u64(l.max.unwrap_or(0));
    }
    fn mem(&mut self, t: MemType) {
        self.limits(t.limits);
        self.u8(t.is64 as u8);
        self.u8(t.page_log2 as u8);
    }
    fn table(&mut self, t: TableType) {
        self.val(t.elem.into());
        self.limits(t.limits);
        self.u8(t.is64 as u8);
    }
    fn global(&mut self, g: GlobalType) {
        self.val(g.val);
        self.u8(g.mutable as u8);
    }
    fn expr(&mut self, e: &ConstExpr) -> Result<()> {
        self.len(e.instrs.len())?;
        for i in &e.instrs {
            match *i {
                Instr::I32Const(v) => {
                    self.u8(0);
                    self.u32(v as u32);
                }
                Instr::I64Const(v) => {
                    self.u8(1);
                    self.u64(v as u64);
                }
                Instr::F32Const(v) => {
                    self.u8(2);
                    self.u32(v);
                }
                Instr::F64Const(v) => {
                    self.u8(3);
                    self.u64(v);
                }
                Instr::RefNull(t) => {
                    self.u8(4);
                    self.val(t.into());
                }
                Instr::RefFunc(f) => {
                    self.u8(5);
                    self.u32(f);
                }
                Instr::GlobalGet(g) => {
                    self.u8(6);
                    self.u32(g);
                }
                Instr::V128Const(b) => {
                    let v = u128::from_le_bytes(b);
                    self.u8(7);
                    self.u64(v as u64);
                    self.u64((v >> 64) as u64);
                }
                // Extended constant expressions: the arithmetic, tags 8 to 13.
                Instr::Num(syntax::NumOp::I32Add) => self.u8(8),
                Instr::Num(syntax::NumOp::I32Sub) => self.u8(9),
                Instr::Num(syntax::NumOp::I32Mul) => self.u8(10),
                Instr::Num(syntax::NumOp::I64Add) => self.u8(11),
                Instr::Num(syntax::NumOp::I64Sub) => self.u8(12),
                Instr::Num(syntax::NumOp::I64Mul) => self.u8(13),
                _ => return Err(Error::Deserialize(format!("cannot serialize {i:?} in a constant expression"))),
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- reader

struct R<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> R<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.b.len()).ok_or_else(|| corrupt(self.pos + HEADER))?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64> {
        let b = self.take(8)?;
        let mut a = [0; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    fn bad<T>(&self) -> Result<T> {
        Err(corrupt(self.pos + HEADER))
    }
    fn flag(&mut self) -> Result<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => self.bad(),
        }
    }
    /// A count of items of at least `min_size` bytes each: never more than
    /// the bytes left could hold, so no huge allocation.
    fn count(&mut self, min_size: usize) -> Result<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_size.max(1)) > self.b.len() - self.pos {
            return self.bad();
        }
        Ok(n)
    }
    fn vec<T>(&mut self, min_size: usize, mut f: impl FnMut(&mut Self) -> Result<T>) -> Result<Vec<T>> {
        let n = self.count(min_size)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(f(self)?);
        }
        Ok(v)
    }
    fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    fn string(&mut self) -> Result<String> {
        let b = self.bytes()?;
        std::str::from_utf8(b).map(str::to_owned).or_else(|_| self.bad())
    }
    fn val(&mut self) -> Result<ValType> {
        match self.u8()? {
            b @ (0x63 | 0x64) => Ok(ValType::Ref(RefType { nullable: b == 0x63, heap: self.heap()? })),
            b => ValType::from_byte(b).filter(|t| !t.is_ref()).map_or_else(|| self.bad(), Ok),
        }
    }
    fn heap(&mut self) -> Result<HeapType> {
        match self.u8()? {
            0 => Ok(HeapType::Concrete(self.u32()?)),
            b => HeapType::from_byte(b).map_or_else(|| self.bad(), Ok),
        }
    }
    fn ref_type(&mut self) -> Result<RefType> {
        match self.val()? {
            ValType::Ref(r) => Ok(r),
            _ => self.bad(),
        }
    }
    fn limits(&mut self) -> Result<Limits> {
        let min = self.u64()?;
        let has = self.flag()?;
        let max = self.u64()?;
        Ok(Limits { min, max: has.then_some(max) })
    }
    fn mem(&mut self) -> Result<MemType> {
        Ok(MemType { limits: self.limits()?, is64: self.flag()?, page_log2: u32::from(self.u8()?) })
    }
    fn table(&mut self) -> Result<TableType> {
        Ok(TableType { elem: self.ref_type()?, limits: self.limits()?, is64: self.flag()? })
    }
    fn global(&mut self) -> Result<GlobalType> {
        Ok(GlobalType { val: self.val()?, mutable: self.flag()? })
    }
    fn expr(&mut self) -> Result<ConstExpr> {
        // At least one byte each (the arithmetic is a bare tag).
        let instrs = self.vec(1, |r| {
            Ok(match r.u8()? {
                0 => Instr::I32Const(r.u32()? as i32),
                1 => Instr::I64Const(r.u64()? as i64),
                2 => Instr::F32Const(r.u32()?),
                3 => Instr::F64Const(r.u64()?),
                4 => Instr::RefNull(r.ref_type()?),
                5 => Instr::RefFunc(r.u32()?),
                6 => Instr::GlobalGet(r.u32()?),
                7 => {
                    let lo = u128::from(r.u64()?);
                    Instr::V128Const((lo | u128::from(r.u64()?) << 64).to_le_bytes())
                }
                8 => Instr::Num(syntax::NumOp::I32Add),
                9 => Instr::Num(syntax::NumOp::I32Sub),
                10 => Instr::Num(syntax::NumOp::I32Mul),
                11 => Instr::Num(syntax::NumOp::I64Add),
                12 => Instr::Num(syntax::NumOp::I64Sub),
                13 => Instr::Num(syntax::NumOp::I64Mul),
                _ => return r.bad(),
            })
        })?;
        Ok(ConstExpr { instrs, offset: 0 })
    }
}

// ---------------------------------------------------------------- the module

impl Module {
    /// The module in wasmint's serialized format (see the module doc of
    /// [`crate::runtime::serialize`]), for [`Module::deserialize`]. Not a
    /// hot path: functions are translated again, to portable code.
    ///
    /// # Errors
    /// [`Error::Validate`] if a function exceeds an implementation limit
    /// of the engine (as [`Module::translate_all`]).
    pub fn serialize(&self) -> Result<Vec<u8>> {
        let name = self.inner.syntax.names.as_ref().and_then(|n| n.module.as_deref());
        self.serialize_named(name)
    }

    /// [`Module::serialize`] with `name` as the module's name.
    pub(crate) fn serialize_named(&self, name: Option<&str>) -> Result<Vec<u8>> {
        let m = &self.inner.syntax;
        let code = &self.inner.code;
        // Not yet: GC types and code (the verifier has no checks for them).
        let gc = || Error::Deserialize("a module that uses garbage collection cannot be serialized yet".into());
        if !m.defs.is_empty() {
            return Err(gc());
        }
        let mut w = W(Vec::with_capacity(1 << 16));
        w.u8(name.is_some() as u8);
        w.bytes(name.unwrap_or_default().as_bytes())?;
        w.len(m.types.len())?;
        for t in &m.types {
            for side in [&t.params, &t.results] {
                w.len(side.len())?;
                for &v in side.iter() {
                    w.val(v);
                }
            }
        }
        w.len(m.imports.len())?;
        for i in &m.imports {
            w.bytes(i.module.as_bytes())?;
            w.bytes(i.name.as_bytes())?;
            match i.desc {
                ImportDesc::Func(t) => {
                    w.u8(0);
                    w.u32(t);
                }
                ImportDesc::Table(t) => {
                    w.u8(1);
                    w.table(t);
                }
                ImportDesc::Memory(t) => {
                    w.u8(2);
                    w.mem(t);
                }
                ImportDesc::Global(g) => {
                    w.u8(3);
                    w.global(g);
                }
                ImportDesc::Tag(t) => {
                    w.u8(4);
                    w.u32(t);
                }
            }
        }
        w.len(m.funcs.len())?;
        for &f in &m.funcs {
            w.u32(f);
        }
        w.len(m.tables.len())?;
        for &t in &m.tables {
            w.table(t);
        }
        w.len(m.memories.len())?;
        for t in &m.memories {
            w.mem(*t);
        }
        w.len(m.tags.len())?;
        for &t in &m.tags {
            w.u32(t);
        }
        w.len(m.globals.len())?;
        for g in &m.globals {
            w.global(g.ty);
            w.expr(&g.init)?;
        }
        w.len(m.exports.len())?;
        for e in &m.exports {
            w.bytes(e.name.as_bytes())?;
            let (tag, i) = match e.desc {
                ExportDesc::Func(i) => (0, i),
                ExportDesc::Table(i) => (1, i),
                ExportDesc::Memory(i) => (2, i),
                ExportDesc::Global(i) => (3, i),
                ExportDesc::Tag(i) => (4, i),
            };
            w.u8(tag);
            w.u32(i);
        }
        w.u8(m.start.is_some() as u8);
        w.u32(m.start.unwrap_or(0));
        w.len(m.elems.len())?;
        for e in &m.elems {
            w.val(e.ty.into());
            match &e.items {
                ElemItems::Funcs(fs) => {
                    w.u8(0);
                    w.len(fs.len())?;
                    for &f in fs {
                        w.u32(f);
                    }
                }
                ElemItems::Exprs(es) => {
                    w.u8(1);
                    w.len(es.len())?;
                    for e in es {
                        w.expr(e)?;
                    }
                }
            }
            match &e.mode {
                ElemMode::Passive => w.u8(0),
                ElemMode::Declarative => w.u8(1),
                ElemMode::Active { table, offset } => {
                    w.u8(2);
                    w.u32(*table);
                    w.expr(offset)?;
                }
            }
        }
        w.u8(m.data_count.is_some() as u8);
        w.u32(m.data_count.unwrap_or(0));
        w.len(m.datas.len())?;
        for (d, bytes) in m.datas.iter().zip(&self.inner.datas) {
            w.bytes(&bytes.contents()?)?;
            match &d.mode {
                DataMode::Passive => w.u8(0),
                DataMode::Active { memory, offset } => {
                    w.u8(1);
                    w.u32(*memory);
                    w.expr(offset)?;
                }
            }
        }
        w.len(m.customs.len())?;
        for c in &m.customs {
            w.bytes(c.name.as_bytes())?;
            w.bytes(&c.data)?;
        }
        w.len(m.funcs.len())?;
        let mut translator = Translator::default();
        let info = Info { module: m, index: code.index() };
        for i in 0..m.funcs.len() {
            match code.source() {
                Source::Bodies => {
                    let ty = m.funcs.get(i).and_then(|&t| m.types.get(t as usize));
                    let ty = ty.ok_or_else(|| Error::validate("unknown function type", 0))?;
                    let body = m.codes.get(i).ok_or_else(|| Error::validate("unknown function", 0))?;
                    let words = translator.translate(&info, ty, body)?;
                    if translator.used_gc {
                        return Err(gc());
                    }
                    w.len(words.len())?;
                    w.0.reserve(words.len() * 2);
                    for x in words {
                        w.0.extend_from_slice(&x.to_le_bytes());
                    }
                }
                // Deserialized: the stored portable code, as it was.
                Source::Portable(p) => {
                    let b = p.bytes(i).ok_or_else(|| Error::Deserialize(format!("no code for function {i}")))?;
                    w.len(b.len() / 2)?;
                    w.0.extend_from_slice(b);
                }
            }
        }
        let payload = w.0;
        let mut out = Vec::with_capacity(HEADER + payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&fingerprint().to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&checksum(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        Ok(out)
    }

    /// A module from the bytes of [`Module::serialize`], without decoding,
    /// validating or translating wasm: each function's stored code is
    /// checked and linked in one pass on its first call (or by
    /// [`Module::translate_all`]).
    ///
    /// # Safety
    /// `bytes` must come from [`Module::serialize`] of this wasmint build,
    /// or be trusted as much. Corrupt, truncated or foreign blobs, and
    /// those of other builds, are rejected with an error, and the checks
    /// listed in the module doc hold for any input; but the stored code is
    /// not type-checked, so a crafted blob can forge references and read
    /// stale stack values (see "Trust model"). Use [`Module::new`] for
    /// untrusted input.
    ///
    /// # Errors
    /// [`Error::Deserialize`] for bytes that are not a readable blob of this
    /// build; [`Error::Validate`] if its module-level parts are invalid.
    /// Code that fails its check is reported when the function is first
    /// called (a trap) or by [`Module::translate_all`].
    pub unsafe fn deserialize(bytes: &[u8]) -> Result<Module> {
        // SAFETY: the caller's contract, passed on.
        unsafe { Module::deserialize_bytes(syntax::Bytes::from(bytes.to_vec())) }
    }

    /// [`Module::deserialize`] of bytes the module may keep without a
    /// copy (a big blob is then not copied: its code and data segments
    /// stay where they are).
    ///
    /// # Safety
    /// As for [`Module::deserialize`].
    pub unsafe fn deserialize_bytes(blob: syntax::Bytes) -> Result<Module> {
        let bytes: &[u8] = &blob;
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(Error::Deserialize("not a module serialized by wasmint".into()));
        }
        if bytes.len() < HEADER {
            return Err(corrupt(bytes.len()));
        }
        let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
        let version = u32::from_le_bytes(bytes[8..12].try_into().unwrap_or_default());
        if version != FORMAT_VERSION {
            return Err(Error::Deserialize(format!(
                "serialized format version {version} is not supported (this wasmint reads version {FORMAT_VERSION})"
            )));
        }
        if word(12) != fingerprint() {
            return Err(Error::Deserialize("serialized by an incompatible wasmint version".into()));
        }
        let payload = &bytes[HEADER..];
        if word(20) != payload.len() as u64 || word(28) != checksum(payload) {
            return Err(Error::Deserialize("the serialized module is truncated or corrupt".into()));
        }
        read(&blob)
    }
}

impl Module {
    /// Whether every function of both modules is translated, to the same
    /// linked code (for tests and `examples/deserialize.rs`).
    #[doc(hidden)]
    pub fn same_code(&self, other: &Module) -> bool {
        let (a, b) = (&self.inner.code, &other.inner.code);
        a.funcs().len() == b.funcs().len()
            && (0..a.funcs().len()).all(|i| matches!((a.linked(i), b.linked(i)), (Some(x), Some(y)) if x == y))
    }
}

/// The module of a checked blob (header included).
fn read(blob: &syntax::Bytes) -> Result<Module> {
    let payload = &blob[HEADER..];
    let mut r = R { b: payload, pos: 0 };
    let has_name = r.flag()?;
    let name = r.string()?;
    let mut m = syntax::Module {
        names: has_name.then(|| Names { module: Some(name), ..Names::default() }),
        ..syntax::Module::default()
    };
    m.types = r.vec(8, |r| {
        let params = r.vec(1, R::val)?;
        let results = r.vec(1, R::val)?;
        Ok(FuncType::new(params, results))
    })?;
    m.imports = r.vec(9, |r| {
        let module = r.string()?;
        let name = r.string()?;
        let desc = match r.u8()? {
            0 => ImportDesc::Func(r.u32()?),
            1 => ImportDesc::Table(r.table()?),
            2 => ImportDesc::Memory(r.mem()?),
            3 => ImportDesc::Global(r.global()?),
            4 => ImportDesc::Tag(r.u32()?),
            _ => return r.bad(),
        };
        Ok(Import { module, name, desc })
    })?;
    m.funcs = r.vec(4, R::u32)?;
    m.tables = r.vec(10, R::table)?;
    m.memories = r.vec(9, R::mem)?;
    m.tags = r.vec(4, R::u32)?;
    m.globals = r.vec(6, |r| Ok(Global { ty: r.global()?, init: r.expr()? }))?;
    m.exports = r.vec(9, |r| {
        let name = r.string()?;
        let desc = match r.u8()? {
            0 => ExportDesc::Func(r.u32()?),
            1 => ExportDesc::Table(r.u32()?),
            2 => ExportDesc::Memory(r.u32()?),
            3 => ExportDesc::Global(r.u32()?),
            4 => ExportDesc::Tag(r.u32()?),
            _ => return r.bad(),
        };
        Ok(Export { name, desc })
    })?;
    let has_start = r.flag()?;
    let start = r.u32()?;
    m.start = has_start.then_some(start);
    m.elems = r.vec(7, |r| {
        let ty = r.ref_type()?;
        let items = match r.u8()? {
            0 => ElemItems::Funcs(r.vec(4, R::u32)?),
            1 => ElemItems::Exprs(r.vec(4, R::expr)?),
            _ => return r.bad(),
        };
        let mode = match r.u8()? {
            0 => ElemMode::Passive,
            1 => ElemMode::Declarative,
            2 => ElemMode::Active { table: r.u32()?, offset: r.expr()? },
            _ => return r.bad(),
        };
        Ok(ElemSegment { ty, items, mode })
    })?;
    let has_count = r.flag()?;
    let count = r.u32()?;
    m.data_count = has_count.then_some(count);
    m.datas = r.vec(5, |r| {
        // The contents stay in the blob, which the module keeps.
        let n = r.bytes()?.len();
        let init = HEADER + r.pos - n..HEADER + r.pos;
        let mode = match r.u8()? {
            0 => DataMode::Passive,
            1 => DataMode::Active { memory: r.u32()?, offset: r.expr()? },
            _ => return r.bad(),
        };
        Ok(DataSegment { init, mode })
    })?;
    m.customs = r.vec(8, |r| Ok(CustomSection { name: r.string()?, data: r.bytes()?.to_vec(), offset: 0 }))?;
    crate::validate::validate_without_bodies(&m)?;

    let n = r.count(4)?;
    if n != m.funcs.len() {
        return r.bad();
    }
    let mut funcs = Vec::with_capacity(n);
    for _ in 0..n {
        let words = r.u32()? as usize;
        funcs.push((HEADER + r.pos, words));
        r.take(words * 2)?;
    }
    if r.pos != payload.len() {
        return r.bad();
    }
    m.bytes = blob.clone();
    let datas = m.datas.iter().map(|d| Data::new(m.bytes.clone(), d.init.clone())).collect();
    let code = Arc::new(Code::from_portable(&m, Portable { blob: m.bytes.clone(), funcs }));
    Ok(Module { inner: Arc::new(ModuleInner { syntax: m, code, datas }) })
}

#[cfg(test)]
mod tests;
