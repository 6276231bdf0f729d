//! SIMD instructions (spec 3.3.1 vector instructions): their types come
//! from the table in `crate::isa_simd` (via [`SimdOp::signature`]), their
//! immediates are checked here. A child of `func`, for its stack methods.

use super::ModuleCtx;
use super::{err, FuncValidator};
use crate::error::Result;
use crate::syntax::{Instr, MemArg, SimdImm, SimdImmKind, SimdOp, ValType};

impl FuncValidator {
    /// Validates a SIMD instruction (`v128.const`, `i8x16.shuffle` or
    /// [`Instr::Simd`]); `instr` is one of those.
    pub(super) fn simd(&mut self, ctx: &ModuleCtx, instr: &Instr, at: usize) -> Result<()> {
        self.uses_simd = true;
        let op = match instr {
            Instr::V128Const(_) => SimdOp::V128Const,
            Instr::I8x16Shuffle(lanes) => {
                if lanes.iter().any(|&l| l >= 32) {
                    return err("invalid lane index", at);
                }
                SimdOp::I8x16Shuffle
            }
            Instr::Simd(op, imm) => {
                check_imm(ctx, *op, imm, at)?;
                *op
            }
            _ => return err("internal error: not a SIMD instruction", at),
        };
        let (ins, out) = op.signature();
        match instr {
            // The address of a 64-bit memory is an i64.
            Instr::Simd(_, SimdImm::Mem(m) | SimdImm::MemLane(m, _))
                if super::address_type(ctx, m.memory) == ValType::I64 =>
            {
                let mut ins = ins.to_vec();
                ins[0] = ValType::I64;
                self.pop_vals(&ins, at)?;
            }
            _ => self.pop_vals(ins, at)?,
        }
        if let Some(t) = out {
            self.push_val(Some(t));
        }
        Ok(())
    }
}

/// Checks the immediates of `op` against its row of the table.
fn check_imm(ctx: &ModuleCtx, op: SimdOp, imm: &SimdImm, at: usize) -> Result<()> {
    let lane = |l: u8, lanes: u8| if l < lanes { Ok(()) } else { err("invalid lane index", at) };
    let mem = |m: &MemArg, align: u32| {
        ctx.memory(m.memory, at)?;
        if m.align > align {
            return err("alignment must not be larger than natural", at);
        }
        if !ctx.memory(m.memory, at)?.is64 && m.offset > u64::from(u32::MAX) {
            return err("offset out of range", at);
        }
        Ok(())
    };
    match (op.imm_kind(), imm) {
        (SimdImmKind::None, SimdImm::None) => Ok(()),
        (SimdImmKind::Lane { lanes }, SimdImm::Lane(l)) => lane(*l, lanes),
        (SimdImmKind::Mem { align }, SimdImm::Mem(m)) => mem(m, align),
        (SimdImmKind::MemLane { align }, SimdImm::MemLane(m, l)) => {
            mem(m, align)?;
            lane(*l, 16 >> align)
        }
        // Only instructions built in code can get here (the decoder reads
        // what the table says).
        _ => err(format!("type mismatch: wrong immediates for {}", op.name()), at),
    }
}
