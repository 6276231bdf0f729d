//! The `0xFD`-prefixed SIMD instructions (spec 5.4.8): a u32 sub-opcode,
//! then the immediates its row of `crate::isa_simd` names.

use super::instr::mem_arg;
use super::reader::Reader;
use crate::error::Result;
use crate::syntax::{Instr, SimdImm, SimdImmKind, SimdOp};

/// Decodes the instruction after the prefix byte, which is at `start`.
pub(super) fn prefixed_fd(r: &mut Reader<'_>, start: usize) -> Result<Instr> {
    let sub = r.u32()?;
    let Some(op) = SimdOp::from_opcode(sub).filter(|op| r.features.simd && (r.features.relaxed_simd || !op.is_relaxed()))
    else {
        return Err(r.error_at(start, format!("illegal opcode fd {sub:02x}")));
    };
    // Lane indices are single bytes; their range is the validator's check.
    Ok(match op.imm_kind() {
        SimdImmKind::None => Instr::Simd(op, SimdImm::None),
        SimdImmKind::Lane { .. } => Instr::Simd(op, SimdImm::Lane(r.u8()?)),
        SimdImmKind::Mem { .. } => Instr::Simd(op, SimdImm::Mem(mem_arg(r)?)),
        SimdImmKind::MemLane { .. } => {
            let m = mem_arg(r)?;
            Instr::Simd(op, SimdImm::MemLane(m, r.u8()?))
        }
        SimdImmKind::Const => Instr::V128Const(bytes16(r)?),
        SimdImmKind::Shuffle => Instr::I8x16Shuffle(bytes16(r)?),
    })
}

fn bytes16(r: &mut Reader<'_>) -> Result<[u8; 16]> {
    let mut b = [0u8; 16];
    b.copy_from_slice(r.bytes(16)?);
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::MemArg;

    fn decode(bytes: &[u8]) -> Result<Instr> {
        let mut r = Reader::new(bytes);
        r.u8()?;
        prefixed_fd(&mut r, 0)
    }

    #[test]
    fn immediates() {
        let m = |align, offset| MemArg { align, offset, memory: 0 };
        assert_eq!(decode(&[0xfd, 0x6e]).unwrap(), Instr::Simd(SimdOp::I8x16Add, SimdImm::None));
        // Sub-opcodes are LEB128: 0x80 0x02 is 0x100.
        assert_eq!(decode(&[0xfd, 0x80, 0x02]).unwrap(), Instr::Simd(SimdOp::I8x16RelaxedSwizzle, SimdImm::None));
        assert_eq!(decode(&[0xfd, 0x00, 0x04, 0x10]).unwrap(), Instr::Simd(SimdOp::V128Load, SimdImm::Mem(m(4, 16))));
        assert_eq!(decode(&[0xfd, 0x15, 0x0f]).unwrap(), Instr::Simd(SimdOp::I8x16ExtractLaneS, SimdImm::Lane(15)));
        assert_eq!(
            decode(&[0xfd, 0x57, 0x03, 0x00, 0x01]).unwrap(),
            Instr::Simd(SimdOp::V128Load64Lane, SimdImm::MemLane(m(3, 0), 1))
        );
        let mut c = vec![0xfd, 0x0c];
        c.extend(1..=16u8);
        let lanes: [u8; 16] = std::array::from_fn(|i| i as u8 + 1);
        assert_eq!(decode(&c).unwrap(), Instr::V128Const(lanes));
        c[1] = 0x0d;
        assert_eq!(decode(&c).unwrap(), Instr::I8x16Shuffle(lanes));
    }

    #[test]
    fn malformed() {
        assert_eq!(decode(&[0xfd, 0x9a, 0x01]).unwrap_err().message(), "illegal opcode fd 9a");
        assert!(decode(&[0xfd, 0x0c, 1, 2, 3]).unwrap_err().message().starts_with("unexpected end"));
        // Bits above the memory-index bit (3.0).
        assert_eq!(decode(&[0xfd, 0x00, 0x80, 0x01, 0x00]).unwrap_err().message(), "malformed memop flags");
    }
}
