//! Instructions, function bodies and constant expressions (spec 5.4, 5.5.13).
//!
//! Bodies are decoded flat, iteratively: a small stack of open blocks
//! (one byte each) replaces the reference interpreter's recursion, so nesting
//! depth costs no native stack.

use super::reader::{prealloc, Reader};
use crate::error::Result;
use crate::syntax::{BlockType, Catch, ConstExpr, Features, FuncBody, Instr, MemArg, MemOp, NumOp, RefType, WideOp};

/// Largest total number of locals (excluding parameters) in one function.
/// The spec only requires the total to fit in a u32; like wasmparser we cap it
/// much lower so that a tiny module cannot make every call frame huge.
pub const MAX_LOCALS: u64 = 50_000;

/// Open block kinds on the decoder's control stack.
const FRAME_BLOCK: u8 = 0;
/// An `if` whose `else` has not been seen yet.
const FRAME_IF: u8 = 1;
/// A legacy `try` (or one of its `catch` arms): `catch`, `catch_all` and
/// `delegate` may follow.
const FRAME_TRY: u8 = 2;

/// Decodes constant expressions; keeps its scratch buffers between them.
#[derive(Default)]
pub(crate) struct InstrDecoder {
    frames: Vec<u8>,
    instrs: Vec<Instr>,
}

/// Decodes the instruction at the reader's position. `frames` holds the
/// blocks open before it; the `bool` is true for the `end` that closes
/// the whole sequence.
///
/// Offsets are `r.pos()`: the module reader's positions are module offsets.
#[inline]
pub(crate) fn decode_instr(r: &mut Reader<'_>, frames: &mut Vec<u8>) -> Result<(Instr, bool)> {
    let start = r.pos();
    let op = r.u8()?;
    let instr = match op {
        0x00 => Instr::Unreachable,
        0x01 => Instr::Nop,
        0x02 => {
            frames.push(FRAME_BLOCK);
            Instr::Block(block_type(r)?)
        }
        0x03 => {
            frames.push(FRAME_BLOCK);
            Instr::Loop(block_type(r)?)
        }
        0x04 => {
            frames.push(FRAME_IF);
            Instr::If(block_type(r)?)
        }
        0x05 => match frames.last_mut() {
            Some(f) if *f == FRAME_IF => {
                *f = FRAME_BLOCK;
                Instr::Else
            }
            // The reference stops the sequence at `else` and then
            // expects the closing `end`.
            _ => return Err(r.error_at(start, "END opcode expected")),
        },
        0x0b => return Ok((Instr::End, frames.pop().is_none())),
        0x08 if r.features.exceptions => Instr::Throw(r.u32()?),
        0x0a if r.features.exceptions => Instr::ThrowRef,
        0x1f if r.features.exceptions => {
            frames.push(FRAME_BLOCK);
            let bt = block_type(r)?;
            let n = r.len()?;
            let mut catches = prealloc(n);
            for _ in 0..n {
                let at = r.pos();
                let kind = r.u8()?;
                let tag = match kind {
                    0x00 | 0x01 => Some(r.u32()?),
                    0x02 | 0x03 => None,
                    _ => return Err(r.error_at(at, "malformed catch clause")),
                };
                catches.push(Catch { tag, with_ref: kind & 1 == 1, label: r.u32()? });
            }
            Instr::TryTable(bt, catches.into_boxed_slice())
        }
        0x06 if r.features.exceptions => {
            frames.push(FRAME_TRY);
            Instr::Try(block_type(r)?)
        }
        0x07 | 0x19 if r.features.exceptions => match frames.last() {
            Some(&FRAME_TRY) if op == 0x07 => Instr::Catch(r.u32()?),
            Some(&FRAME_TRY) => Instr::CatchAll,
            _ => return Err(r.error_at(start, "catch without try")),
        },
        0x18 if r.features.exceptions => match frames.last() {
            Some(&FRAME_TRY) => {
                let l = r.u32()?;
                // Ends the `try` as `end` does.
                frames.pop();
                Instr::Delegate(l)
            }
            _ => return Err(r.error_at(start, "delegate without try")),
        },
        0x09 if r.features.exceptions => Instr::Rethrow(r.u32()?),
        0x0c => Instr::Br(r.u32()?),
        0x0d => Instr::BrIf(r.u32()?),
        0x0e => {
            let n = r.len()?;
            let mut labels = prealloc(n);
            for _ in 0..n {
                labels.push(r.u32()?);
            }
            Instr::BrTable(labels.into_boxed_slice(), r.u32()?)
        }
        0x0f => Instr::Return,
        0x10 => Instr::Call(r.u32()?),
        0x11 => {
            let type_index = r.u32()?;
            let table = r.u32()?;
            Instr::CallIndirect { type_index, table }
        }
        0x12 if r.features.tail_call => Instr::ReturnCall(r.u32()?),
        0x13 if r.features.tail_call => {
            let type_index = r.u32()?;
            let table = r.u32()?;
            Instr::ReturnCallIndirect { type_index, table }
        }
        0x14 if r.features.function_references => Instr::CallRef(r.u32()?),
        0x15 if r.features.function_references && r.features.tail_call => Instr::ReturnCallRef(r.u32()?),
        0xd4 if r.features.function_references => Instr::RefAsNonNull,
        0xd5 if r.features.function_references => Instr::BrOnNull(r.u32()?),
        0xd6 if r.features.function_references => Instr::BrOnNonNull(r.u32()?),
        0x1a => Instr::Drop,
        0x1b => Instr::Select(None),
        0x1c => {
            let n = r.len()?;
            let mut tys = prealloc(n);
            for _ in 0..n {
                tys.push(r.val_type()?);
            }
            Instr::Select(Some(tys.into_boxed_slice()))
        }
        0x20 => Instr::LocalGet(r.u32()?),
        0x21 => Instr::LocalSet(r.u32()?),
        0x22 => Instr::LocalTee(r.u32()?),
        0x23 => Instr::GlobalGet(r.u32()?),
        0x24 => Instr::GlobalSet(r.u32()?),
        0x25 => Instr::TableGet(r.u32()?),
        0x26 => Instr::TableSet(r.u32()?),
        0x3f => Instr::MemorySize(mem_index(r)?),
        0x40 => Instr::MemoryGrow(mem_index(r)?),
        0x41 => Instr::I32Const(r.s32()?),
        0x42 => Instr::I64Const(r.s64()?),
        0x43 => Instr::F32Const(r.u32_le()?),
        0x44 => Instr::F64Const(r.u64_le()?),
        0xd0 => Instr::RefNull(RefType { nullable: true, heap: r.heap_type()? }),
        0xd1 => Instr::RefIsNull,
        0xd2 => Instr::RefFunc(r.u32()?),
        0xfc => prefixed_fc(r, start)?,
        0xfb if r.features.gc => super::gc::prefixed_fb(r, start)?,
        0xd3 if r.features.gc => Instr::Gc(crate::syntax::GcInstr::RefEq),
        0xfd => super::simd::prefixed_fd(r, start)?,
        // Loads/stores and numeric instructions come from the tables
        // in `crate::isa`.
        _ => {
            if let Some(m) = MemOp::from_opcode(op) {
                Instr::Mem(m, mem_arg(r)?)
            } else if let Some(n) = NumOp::from_opcode(u32::from(op)) {
                Instr::Num(n)
            } else {
                return Err(r.error_at(start, format!("illegal opcode {op:02x}")));
            }
        }
    };
    Ok((instr, false))
}

/// The `0xFC`-prefixed instructions: saturating truncation and bulk
/// memory / table operations.
fn prefixed_fc(r: &mut Reader<'_>, start: usize) -> Result<Instr> {
    let sub = r.u32()?;
    Ok(match sub {
        8 => {
            let data = r.u32()?;
            Instr::MemoryInit { data, memory: mem_index(r)? }
        }
        9 => Instr::DataDrop(r.u32()?),
        10 => {
            let dst = mem_index(r)?;
            Instr::MemoryCopy { dst, src: mem_index(r)? }
        }
        11 => Instr::MemoryFill(mem_index(r)?),
        12 => {
            let elem = r.u32()?;
            let table = r.u32()?;
            Instr::TableInit { elem, table }
        }
        13 => Instr::ElemDrop(r.u32()?),
        14 => {
            let dst = r.u32()?;
            let src = r.u32()?;
            Instr::TableCopy { dst, src }
        }
        15 => Instr::TableGrow(r.u32()?),
        16 => Instr::TableSize(r.u32()?),
        17 => Instr::TableFill(r.u32()?),
        19..=22 if r.features.wide_arithmetic => Instr::Wide(WideOp::from_opcode(sub).unwrap_or(WideOp::I64Add128)),
        // Only small sub-opcodes may be combined with the prefix, lest
        // e.g. 0xfc00 itself alias the table's `0xFC00 | sub` encoding.
        0..=0xff => match NumOp::from_opcode(0xfc00 | sub) {
            Some(n) => Instr::Num(n),
            None => return Err(r.error_at(start, format!("illegal opcode fc {sub:02x}"))),
        },
        _ => return Err(r.error_at(start, format!("illegal opcode fc {sub:02x}"))),
    })
}

/// Does `i` need the data count section (`memory.init`, `data.drop`)?
pub(crate) fn uses_data_index(i: &Instr) -> bool {
    matches!(i, Instr::MemoryInit { .. } | Instr::DataDrop(_))
}

/// Reads the instructions of a function body from the module's bytes, in
/// order, with their offsets: the only decoder of instructions in bodies.
/// Like the reference interpreter it reads on past the body's declared end
/// when the final `end` is missing, then reports the size mismatch.
pub struct BodyReader<'a> {
    r: Reader<'a>,
    /// Where the body ends (the position after its final `end`).
    end: usize,
    /// Offset of the body's size field.
    offset: usize,
    frames: Vec<u8>,
    done: bool,
}

impl<'a> BodyReader<'a> {
    /// A reader of the instructions of `body`, a decoded body of the
    /// module whose bytes are `module`.
    pub fn new(module: &'a [u8], body: &FuncBody, features: Features) -> BodyReader<'a> {
        let mut r = Reader::new(module);
        r.features = features;
        let done = r.bytes(body.code.start).is_err();
        BodyReader { r, end: body.code.end, offset: body.offset, frames: Vec::new(), done }
    }

    /// The size mismatch error, at the body's start (after its size field),
    /// where the reference reports it.
    #[cold]
    fn mismatch(&self) -> crate::Error {
        size_mismatch(self.r.clone(), self.offset)
    }
}

/// The size mismatch error of the body whose size field is at `offset` of
/// the module that `r` reads.
#[cold]
pub(crate) fn size_mismatch(mut r: Reader<'_>, offset: usize) -> crate::Error {
    r.seek(offset);
    let start = r.u32().map_or(offset, |_| r.pos());
    r.error_at(start, SIZE_MISMATCH)
}

impl Iterator for BodyReader<'_> {
    type Item = Result<(usize, Instr)>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let at = self.r.pos();
        match decode_instr(&mut self.r, &mut self.frames) {
            Ok((i, last)) => {
                if last {
                    self.done = true;
                    if self.r.pos() != self.end {
                        return Some(Err(self.mismatch()));
                    }
                }
                Some(Ok((at, i)))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

const SIZE_MISMATCH: &str = "section size mismatch";

/// Checks the instructions of `body` (a body of the module `bytes`),
/// decoding and dropping them. Returns whether it uses a data index.
///
/// # Errors
/// The first malformed instruction, or the size mismatch.
pub(crate) fn check_body(bytes: &[u8], body: &FuncBody, features: Features) -> Result<bool> {
    if !body.body.is_empty() {
        // Given as instructions (built in code): nothing to decode.
        return Ok(body.body.iter().any(uses_data_index));
    }
    let mut data = false;
    for i in BodyReader::new(bytes, body, features) {
        data |= uses_data_index(&i?.1);
    }
    Ok(data)
}

impl InstrDecoder {
    /// A function body (one entry of the code section), from its size
    /// field: its locals, and the range of its instructions, which are
    /// checked later ([`check_body`], or by the validator as it reads
    /// them). `bytes` are the module's, which `r` reads.
    pub fn func_body(&mut self, r: &mut Reader<'_>, bytes: &[u8]) -> Result<FuncBody> {
        let offset = r.offset();
        let size = r.len()?;
        let start = r.pos();

        let locals_start = r.pos();
        let n = r.len()?;
        let mut locals = prealloc(n);
        let mut total = 0u64;
        for _ in 0..n {
            let count = r.u32()?;
            let ty = r.val_type()?;
            total += u64::from(count);
            locals.push((count, ty));
        }
        if total > MAX_LOCALS {
            return Err(r.error_at(locals_start, "too many locals"));
        }
        let code = r.pos()..start + size;
        let mut body = FuncBody { locals, body: Vec::new(), offsets: Vec::new(), code, offset };
        // Skip the instructions; if the size is wrong (they would end
        // before the locals, or past the input), decode them now for the
        // exact error the reference reports.
        if body.code.start > body.code.end || r.bytes(body.code.end - body.code.start).is_err() {
            body.code.end = usize::MAX;
            check_body(bytes, &body, r.features)?;
            return Err(r.error_at(start, SIZE_MISMATCH));
        }
        Ok(body)
    }

    /// A constant expression: instructions up to `end`, which is not kept.
    /// Constness is the validator's business; instructions in constant
    /// expressions do not count towards the data count requirement (only
    /// function bodies do).
    pub fn const_expr(&mut self, r: &mut Reader<'_>) -> Result<ConstExpr> {
        let offset = r.offset();
        self.frames.clear();
        self.instrs.clear();
        loop {
            let (i, last) = decode_instr(r, &mut self.frames)?;
            if last {
                break;
            }
            self.instrs.push(i);
        }
        let instrs = take_exact(&mut self.instrs);
        Ok(ConstExpr { instrs, offset })
    }
}

/// Moves the contents of a scratch vector into a new one of exactly their
/// size (`append` is a single memcpy), keeping the scratch capacity.
fn take_exact<T>(scratch: &mut Vec<T>) -> Vec<T> {
    let mut v = Vec::with_capacity(scratch.len());
    v.append(scratch);
    v
}

/// A block type (spec 5.4.1): empty, a value type, or an s33 type index.
pub(crate) fn block_type(r: &mut Reader<'_>) -> Result<BlockType> {
    match r.peek() {
        Some(0x40) => {
            r.u8()?;
            Ok(BlockType::Empty)
        }
        Some(b) if b & 0xc0 == 0x40 => Ok(BlockType::Value(r.val_type()?)),
        _ => {
            // Negative indices wrap to huge ones, which validation rejects as
            // unknown types, as in the reference interpreter.
            Ok(BlockType::Func(r.s33()? as u32))
        }
    }
}

#[inline]
pub(crate) fn mem_arg(r: &mut Reader<'_>) -> Result<MemArg> {
    let flags = r.u32()?;
    // 3.0: bit 6 announces a memory index (multi-memory), the six bits
    // below are the alignment exponent (validation bounds it), nothing
    // above. 2.0: exponents of 32 and more cannot be represented.
    let (align, memory) = if r.features.multi_memory {
        (flags & 0x3f, (flags & 0x40 != 0).then_some(()))
    } else {
        (flags, None)
    };
    if (r.features.multi_memory && flags >= 0x80) || (!r.features.multi_memory && align >= 32) {
        return Err(r.error_at(r.pos() - 1, "malformed memop flags"));
    }
    let memory = match memory {
        Some(()) => r.u32()?,
        None => 0,
    };
    let offset = if r.features.memory64 { r.u64()? } else { u64::from(r.u32()?) };
    Ok(MemArg { align, offset, memory })
}

/// The memory index of `memory.size`, `memory.grow` and the bulk memory
/// instructions: a byte that must be zero in 2.0, an index with
/// multi-memory.
fn mem_index(r: &mut Reader<'_>) -> Result<u32> {
    if r.features.multi_memory {
        return r.u32();
    }
    let start = r.pos();
    if r.u8()? != 0 {
        return Err(r.error_at(start, "zero byte expected"));
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ValType;

    /// A body's locals, instructions and their offsets.
    #[derive(Debug)]
    struct Decoded {
        locals: Vec<(u32, ValType)>,
        body: Vec<Instr>,
        offsets: Vec<u32>,
    }

    /// Decodes a body and reads all its instructions.
    fn body(bytes: &[u8]) -> Result<Decoded> {
        body_with(bytes, Features::default())
    }

    fn body_with(bytes: &[u8], features: Features) -> Result<Decoded> {
        let b = InstrDecoder::default().func_body(&mut Reader::new(bytes), bytes)?;
        let mut d = Decoded { locals: b.locals.clone(), body: vec![], offsets: vec![] };
        for i in BodyReader::new(bytes, &b, features) {
            let (at, i) = i?;
            d.body.push(i);
            d.offsets.push(at as u32);
        }
        Ok(d)
    }

    #[test]
    fn nested_blocks_and_offsets() {
        // size 11: no locals; block (loop (if/else)) end
        let b = body(&[0x0c, 0x00, 0x02, 0x40, 0x03, 0x7f, 0x04, 0x40, 0x05, 0x0b, 0x0b, 0x0b, 0x0b]).unwrap();
        assert_eq!(
            b.body,
            vec![
                Instr::Block(BlockType::Empty),
                Instr::Loop(BlockType::Value(ValType::I32)),
                Instr::If(BlockType::Empty),
                Instr::Else,
                Instr::End,
                Instr::End,
                Instr::End,
                Instr::End,
            ]
        );
        assert_eq!(b.offsets, vec![2, 4, 6, 8, 9, 10, 11, 12]);
    }

    #[test]
    fn else_outside_if() {
        let e = body(&[0x03, 0x00, 0x05, 0x0b]).unwrap_err();
        assert_eq!(e.message(), "END opcode expected");
        // Second else in the same if.
        let e = body(&[0x07, 0x00, 0x04, 0x40, 0x05, 0x05, 0x0b, 0x0b]).unwrap_err();
        assert_eq!(e.message(), "END opcode expected");
    }

    #[test]
    fn immediates() {
        let b = body(&[
            0x13, 0x01, 0x01, 0x7e, // 1 local i64
            0x0e, 0x02, 0x00, 0x01, 0x02, // br_table 0 1 2
            0x28, 0x02, 0x10, // i32.load align=2 offset=16
            0x1c, 0x01, 0x7f, // select (result i32)
            0xfc, 0x0a, 0x00, 0x00, // memory.copy
            0x0b,
        ])
        .unwrap();
        assert_eq!(b.locals, vec![(1, ValType::I64)]);
        assert_eq!(b.body[0], Instr::BrTable(vec![0, 1].into_boxed_slice(), 2));
        assert_eq!(b.body[1], Instr::Mem(MemOp::I32Load, MemArg { align: 2, offset: 16, memory: 0 }));
        assert_eq!(b.body[2], Instr::Select(Some(vec![ValType::I32].into_boxed_slice())));
        assert_eq!(b.body[3], Instr::MemoryCopy { dst: 0, src: 0 });
    }

    #[test]
    fn malformed_bodies() {
        assert_eq!(body(&[0x03, 0x00, 0x27, 0x0b]).unwrap_err().message(), "illegal opcode 27");
        // Exception handling is 3.0.
        assert_eq!(body_with(&[0x05, 0x00, 0x06, 0x40, 0x0b, 0x0b], Features::WASM2).unwrap_err().message(), "illegal opcode 06");
        assert_eq!(body(&[0x04, 0x00, 0x07, 0x00, 0x0b]).unwrap_err().message(), "catch without try");
        assert_eq!(body(&[0x04, 0x00, 0x18, 0x00, 0x0b]).unwrap_err().message(), "delegate without try");
        assert_eq!(body(&[0x08, 0x00, 0x1f, 0x40, 0x01, 0x04, 0x00, 0x0b, 0x0b]).unwrap_err().message(), "malformed catch clause");
        let legacy = body(&[0x0a, 0x00, 0x06, 0x40, 0x07, 0x00, 0x19, 0x09, 0x00, 0x0b, 0x0b]).unwrap();
        assert_eq!(legacy.body[..4], [Instr::Try(BlockType::Empty), Instr::Catch(0), Instr::CatchAll, Instr::Rethrow(0)]);
        let table = body(&[0x0b, 0x00, 0x1f, 0x40, 0x02, 0x01, 0x03, 0x00, 0x02, 0x01, 0x0b, 0x0b]).unwrap();
        let catches = [Catch { tag: Some(3), with_ref: true, label: 0 }, Catch { tag: None, with_ref: false, label: 1 }];
        assert_eq!(table.body[0], Instr::TryTable(BlockType::Empty, catches.into()));
        // A memory index in 3.0, a reserved zero byte in 2.0.
        assert_eq!(body(&[0x04, 0x00, 0x3f, 0x01, 0x0b]).unwrap().body[0], Instr::MemorySize(1));
        assert_eq!(body_with(&[0x04, 0x00, 0x3f, 0x01, 0x0b], Features::WASM2).unwrap_err().message(), "zero byte expected");
        let load1 = [0x08, 0x00, 0x41, 0x00, 0x28, 0x42, 0x01, 0x04, 0x0b];
        assert_eq!(body(&load1).unwrap().body[1], Instr::Mem(MemOp::I32Load, MemArg { align: 2, offset: 4, memory: 1 }));
        assert_eq!(body_with(&load1, Features::WASM2).unwrap_err().message(), "malformed memop flags");
        assert_eq!(body(&[0x04, 0x00, 0xfc, 0x12, 0x0b]).unwrap_err().message(), "illegal opcode fc 12");
        // Sub-opcode 0xfc00 must not alias i32.trunc_sat_f32_s (0xFC00 | 0).
        assert_eq!(body(&[0x06, 0x00, 0xfc, 0x80, 0xf8, 0x03, 0x0b]).unwrap_err().message(), "illegal opcode fc fc00");
        let sat = body(&[0x04, 0x00, 0xfc, 0x07, 0x0b]).unwrap();
        assert_eq!(sat.body[0], Instr::Num(NumOp::I64TruncSatF64U));
        // An alignment exponent of 32 is a validation error in 3.0 (six bits
        // of exponent), malformed in 2.0; bits above the index bit are.
        assert_eq!(body(&[0x05, 0x00, 0x28, 0x20, 0x00, 0x0b]).unwrap().body[0], Instr::Mem(MemOp::I32Load, MemArg { align: 32, offset: 0, memory: 0 }));
        assert_eq!(body_with(&[0x05, 0x00, 0x28, 0x20, 0x00, 0x0b], Features::WASM2).unwrap_err().message(), "malformed memop flags");
        assert_eq!(body(&[0x06, 0x00, 0x28, 0x80, 0x01, 0x00, 0x0b]).unwrap_err().message(), "malformed memop flags");
        // Too many locals (wasmint's cap).
        assert_eq!(body(&[0x05, 0x01, 0xd1, 0x86, 0x03, 0x7f, 0x0b]).unwrap_err().message(), "too many locals");
        // Missing end at end of input.
        assert!(body(&[0x02, 0x00, 0x01]).unwrap_err().message().starts_with("unexpected end"));
    }

    #[test]
    fn const_expr_drops_end() {
        let c = InstrDecoder::default().const_expr(&mut Reader::new(&[0x41, 0x7f, 0x0b])).unwrap();
        assert_eq!(c.instrs, vec![Instr::I32Const(-1)]);
    }
}
