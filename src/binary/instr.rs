//! Instructions, function bodies and constant expressions (spec 5.4, 5.5.13).
//!
//! Bodies are decoded flat, iteratively: a small stack of open blocks
//! (one byte each) replaces the reference interpreter's recursion, so nesting
//! depth costs no native stack.

use super::reader::{prealloc, Reader};
use crate::error::Result;
use crate::syntax::{BlockType, ConstExpr, FuncBody, Instr, MemArg, MemOp, NumOp};

/// Largest total number of locals (excluding parameters) in one function.
/// The spec only requires the total to fit in a u32; like wasmparser we cap it
/// much lower so that a tiny module cannot make every call frame huge.
pub const MAX_LOCALS: u64 = 50_000;

/// Open block kinds on the decoder's control stack.
const FRAME_BLOCK: u8 = 0;
/// An `if` whose `else` has not been seen yet.
const FRAME_IF: u8 = 1;

/// Decodes instruction sequences; keeps its scratch stack between bodies.
#[derive(Default)]
pub(crate) struct InstrDecoder {
    frames: Vec<u8>,
    /// Scratch buffers a body is decoded into, then copied out at its exact
    /// size: no regrowth copies, no slack kept in the module, and the
    /// scratch memory stays warm from one body to the next.
    instrs: Vec<Instr>,
    offsets: Vec<u32>,
    /// Set when a decoded function body uses `memory.init` or `data.drop`,
    /// which require the data count section.
    pub uses_data_index: bool,
}

impl InstrDecoder {
    /// Decodes instructions up to and including the `end` that closes the
    /// sequence into `self.instrs` (and their offsets into `self.offsets`
    /// when `with_offsets`), after clearing both.
    ///
    /// Offsets are `r.pos()`: the module reader's positions are module offsets.
    fn decode_seq(&mut self, r: &mut Reader<'_>, with_offsets: bool) -> Result<()> {
        self.frames.clear();
        self.instrs.clear();
        self.offsets.clear();
        loop {
            let start = r.pos();
            let op = r.u8()?;
            let instr = match op {
                0x00 => Instr::Unreachable,
                0x01 => Instr::Nop,
                0x02 => {
                    self.frames.push(FRAME_BLOCK);
                    Instr::Block(block_type(r)?)
                }
                0x03 => {
                    self.frames.push(FRAME_BLOCK);
                    Instr::Loop(block_type(r)?)
                }
                0x04 => {
                    self.frames.push(FRAME_IF);
                    Instr::If(block_type(r)?)
                }
                0x05 => match self.frames.last_mut() {
                    Some(f) if *f == FRAME_IF => {
                        *f = FRAME_BLOCK;
                        Instr::Else
                    }
                    // The reference stops the sequence at `else` and then
                    // expects the closing `end`.
                    _ => return Err(r.error_at(start, "END opcode expected")),
                },
                0x0b => {
                    if with_offsets {
                        self.offsets.push(start as u32);
                    }
                    self.instrs.push(Instr::End);
                    if self.frames.pop().is_none() {
                        return Ok(());
                    }
                    continue;
                }
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
                0x3f => {
                    zero(r)?;
                    Instr::MemorySize(0)
                }
                0x40 => {
                    zero(r)?;
                    Instr::MemoryGrow(0)
                }
                0x41 => Instr::I32Const(r.s32()?),
                0x42 => Instr::I64Const(r.s64()?),
                0x43 => Instr::F32Const(r.u32_le()?),
                0x44 => Instr::F64Const(r.u64_le()?),
                0xd0 => Instr::RefNull(r.ref_type()?),
                0xd1 => Instr::RefIsNull,
                0xd2 => Instr::RefFunc(r.u32()?),
                0xfc => self.prefixed_fc(r, start)?,
                0xfd => return Err(r.error_at(start, "illegal opcode fd (SIMD is not supported)")),
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
            if with_offsets {
                self.offsets.push(start as u32);
            }
            self.instrs.push(instr);
        }
    }

    /// The `0xFC`-prefixed instructions: saturating truncation and bulk
    /// memory / table operations.
    fn prefixed_fc(&mut self, r: &mut Reader<'_>, start: usize) -> Result<Instr> {
        let sub = r.u32()?;
        Ok(match sub {
            8 => {
                let data = r.u32()?;
                zero(r)?;
                self.uses_data_index = true;
                Instr::MemoryInit { data, memory: 0 }
            }
            9 => {
                self.uses_data_index = true;
                Instr::DataDrop(r.u32()?)
            }
            10 => {
                zero(r)?;
                zero(r)?;
                Instr::MemoryCopy { dst: 0, src: 0 }
            }
            11 => {
                zero(r)?;
                Instr::MemoryFill(0)
            }
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
            // Only small sub-opcodes may be combined with the prefix, lest
            // e.g. 0xfc00 itself alias the table's `0xFC00 | sub` encoding.
            0..=0xff => match NumOp::from_opcode(0xfc00 | sub) {
                Some(n) => Instr::Num(n),
                None => return Err(r.error_at(start, format!("illegal opcode fc {sub:02x}"))),
            },
            _ => return Err(r.error_at(start, format!("illegal opcode fc {sub:02x}"))),
        })
    }

    /// A function body (one entry of the code section), from its size field.
    pub fn func_body(&mut self, r: &mut Reader<'_>) -> Result<FuncBody> {
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

        self.decode_seq(r, true)?;
        if r.pos() != start + size {
            return Err(r.error_at(start, "section size mismatch"));
        }
        let body = take_exact(&mut self.instrs);
        let offsets = take_exact(&mut self.offsets);
        Ok(FuncBody {
            locals,
            body,
            offsets,
            offset,
        })
    }

    /// A constant expression: instructions up to `end`, which is not kept.
    /// Constness is the validator's business.
    pub fn const_expr(&mut self, r: &mut Reader<'_>) -> Result<ConstExpr> {
        let offset = r.offset();
        // Instructions in constant expressions do not count towards the data
        // count requirement (only function bodies do).
        let saved = self.uses_data_index;
        self.decode_seq(r, false)?;
        self.uses_data_index = saved;
        self.instrs.pop(); // the final `End`
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
fn block_type(r: &mut Reader<'_>) -> Result<BlockType> {
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

fn mem_arg(r: &mut Reader<'_>) -> Result<MemArg> {
    let align = r.u32()?;
    // Alignment exponents of 32 and more cannot be represented (and bit 6
    // would mean a memory index in the multi-memory proposal).
    if align >= 32 {
        return Err(r.error_at(r.pos() - 1, "malformed memop flags"));
    }
    let offset = r.u32()?;
    Ok(MemArg {
        align,
        offset,
        memory: 0,
    })
}

/// A reserved byte that must be zero (memory index before multi-memory).
fn zero(r: &mut Reader<'_>) -> Result<()> {
    let start = r.pos();
    if r.u8()? != 0 {
        return Err(r.error_at(start, "zero byte expected"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ValType;

    fn body(bytes: &[u8]) -> Result<FuncBody> {
        InstrDecoder::default().func_body(&mut Reader::new(bytes))
    }

    #[test]
    fn nested_blocks_and_offsets() {
        // size 11: no locals; block (loop (if/else)) end
        let b = body(&[
            0x0c, 0x00, 0x02, 0x40, 0x03, 0x7f, 0x04, 0x40, 0x05, 0x0b, 0x0b, 0x0b, 0x0b,
        ])
        .unwrap();
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
        assert_eq!(
            b.body[1],
            Instr::Mem(
                MemOp::I32Load,
                MemArg {
                    align: 2,
                    offset: 16,
                    memory: 0
                }
            )
        );
        assert_eq!(
            b.body[2],
            Instr::Select(Some(vec![ValType::I32].into_boxed_slice()))
        );
        assert_eq!(b.body[3], Instr::MemoryCopy { dst: 0, src: 0 });
    }

    #[test]
    fn malformed_bodies() {
        assert_eq!(
            body(&[0x03, 0x00, 0x06, 0x0b]).unwrap_err().message(),
            "illegal opcode 06"
        );
        assert_eq!(
            body(&[0x04, 0x00, 0x3f, 0x01, 0x0b]).unwrap_err().message(),
            "zero byte expected"
        );
        assert_eq!(
            body(&[0x04, 0x00, 0xfc, 0x12, 0x0b]).unwrap_err().message(),
            "illegal opcode fc 12"
        );
        // Sub-opcode 0xfc00 must not alias i32.trunc_sat_f32_s (0xFC00 | 0).
        assert_eq!(
            body(&[0x06, 0x00, 0xfc, 0x80, 0xf8, 0x03, 0x0b])
                .unwrap_err()
                .message(),
            "illegal opcode fc fc00"
        );
        let sat = body(&[0x04, 0x00, 0xfc, 0x07, 0x0b]).unwrap();
        assert_eq!(sat.body[0], Instr::Num(NumOp::I64TruncSatF64U));
        assert_eq!(
            body(&[0x05, 0x00, 0x28, 0x20, 0x00, 0x0b])
                .unwrap_err()
                .message(),
            "malformed memop flags"
        );
        // Too many locals (wasmint's cap).
        assert_eq!(
            body(&[0x05, 0x01, 0xd1, 0x86, 0x03, 0x7f, 0x0b])
                .unwrap_err()
                .message(),
            "too many locals"
        );
        // Missing end at end of input.
        assert!(body(&[0x02, 0x00, 0x01])
            .unwrap_err()
            .message()
            .starts_with("unexpected end"));
    }

    #[test]
    fn const_expr_drops_end() {
        let c = InstrDecoder::default()
            .const_expr(&mut Reader::new(&[0x41, 0x7f, 0x0b]))
            .unwrap();
        assert_eq!(c.instrs, vec![Instr::I32Const(-1)]);
    }
}
