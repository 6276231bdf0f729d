//! SIMD instructions (spec 2.4.1 vector instructions), generated from the
//! table in `crate::isa_simd`.

use super::instr::MemArg;
use super::types::ValType;

/// The immediates a SIMD instruction takes (from its `kind` in the table).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum SimdImmKind {
    /// None.
    None,
    /// A lane index below `lanes`.
    Lane { lanes: u8 },
    /// A memory argument; `align` is the largest valid alignment (log2).
    Mem { align: u32 },
    /// A memory argument and a lane index below `16 >> align`.
    MemLane { align: u32 },
    /// 16 bytes (`v128.const`).
    Const,
    /// 16 lane indices below 32 (`i8x16.shuffle`).
    Shuffle,
}

/// The immediates of a decoded SIMD instruction other than `v128.const`
/// and `i8x16.shuffle` (which are [`Instr`](super::Instr) variants of their
/// own, so that 16 bytes of immediates do not make every instruction larger).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum SimdImm {
    None,
    Lane(u8),
    Mem(MemArg),
    MemLane(MemArg, u8),
}

macro_rules! simd_val_type {
    (i32) => {
        ValType::I32
    };
    (i64) => {
        ValType::I64
    };
    (f32) => {
        ValType::F32
    };
    (f64) => {
        ValType::F64
    };
}

macro_rules! define_simd_op {
    ($($op:ident $code:literal $name:literal $kind:ident ($($arg:tt)*) $f:ident)*) => {
        /// A SIMD instruction (`0xFD` prefix).
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum SimdOp { $($op,)* }

        impl SimdOp {
            /// Every SIMD instruction, in table order.
            pub const ALL: [SimdOp; [$(SimdOp::$op),*].len()] = [$(SimdOp::$op),*];

            /// Decodes the sub-opcode that follows the `0xFD` prefix.
            pub fn from_opcode(code: u32) -> Option<SimdOp> {
                match code {
                    $($code => Some(SimdOp::$op),)*
                    _ => None,
                }
            }

            /// The sub-opcode.
            pub fn opcode(self) -> u32 {
                match self { $(SimdOp::$op => $code,)* }
            }

            /// The text-format name, e.g. `"i8x16.add_sat_s"`.
            pub fn name(self) -> &'static str {
                match self { $(SimdOp::$op => $name,)* }
            }

            /// The immediates it takes.
            pub fn imm_kind(self) -> SimdImmKind {
                match self { $(SimdOp::$op => define_simd_op!(@imm $kind ($($arg)*)),)* }
            }

            /// Operand types (bottom of the stack first) and result type.
            pub fn signature(self) -> (&'static [ValType], Option<ValType>) {
                match self { $(SimdOp::$op => define_simd_op!(@sig $kind ($($arg)*)),)* }
            }

            /// Is this a relaxed SIMD instruction (Wasm 3.0)?
            pub fn is_relaxed(self) -> bool {
                self.opcode() >= 0x100
            }
        }
    };
    (@imm load ($a:literal)) => { SimdImmKind::Mem { align: $a } };
    (@imm store ($a:literal)) => { SimdImmKind::Mem { align: $a } };
    (@imm load_lane ($a:literal)) => { SimdImmKind::MemLane { align: $a } };
    (@imm store_lane ($a:literal)) => { SimdImmKind::MemLane { align: $a } };
    (@imm vconst ()) => { SimdImmKind::Const };
    (@imm shuffle ()) => { SimdImmKind::Shuffle };
    (@imm extract ($t:ident, $n:literal)) => { SimdImmKind::Lane { lanes: $n } };
    (@imm replace ($t:ident, $n:literal)) => { SimdImmKind::Lane { lanes: $n } };
    (@imm $kind:ident ($($t:ident)?)) => { SimdImmKind::None };

    (@sig load ($a:literal)) => { (&[ValType::I32], Some(ValType::V128)) };
    (@sig store ($a:literal)) => { (&[ValType::I32, ValType::V128], None) };
    (@sig load_lane ($a:literal)) => { (&[ValType::I32, ValType::V128], Some(ValType::V128)) };
    (@sig store_lane ($a:literal)) => { (&[ValType::I32, ValType::V128], None) };
    (@sig vconst ()) => { (&[], Some(ValType::V128)) };
    (@sig shuffle ()) => { (&[ValType::V128, ValType::V128], Some(ValType::V128)) };
    (@sig extract ($t:ident, $n:literal)) => { (&[ValType::V128], Some(simd_val_type!($t))) };
    (@sig replace ($t:ident, $n:literal)) => { (&[ValType::V128, simd_val_type!($t)], Some(ValType::V128)) };
    (@sig splat ($t:ident)) => { (&[simd_val_type!($t)], Some(ValType::V128)) };
    (@sig un ()) => { (&[ValType::V128], Some(ValType::V128)) };
    (@sig bin ()) => { (&[ValType::V128, ValType::V128], Some(ValType::V128)) };
    (@sig tern ()) => { (&[ValType::V128, ValType::V128, ValType::V128], Some(ValType::V128)) };
    (@sig test ()) => { (&[ValType::V128], Some(ValType::I32)) };
    (@sig shift ()) => { (&[ValType::V128, ValType::I32], Some(ValType::V128)) };
}
crate::for_each_simd_op!(define_simd_op);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        // Wasm 2.0 has 236 fixed-width SIMD instructions, relaxed SIMD 20.
        let relaxed = SimdOp::ALL.iter().filter(|o| o.is_relaxed()).count();
        assert_eq!((SimdOp::ALL.len() - relaxed, relaxed), (236, 20));
        let mut codes: Vec<u32> = SimdOp::ALL.iter().map(|o| o.opcode()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), SimdOp::ALL.len(), "sub-opcodes are unique");
        for op in SimdOp::ALL {
            assert_eq!(SimdOp::from_opcode(op.opcode()), Some(op));
            // Names give the shape of the result or the memory access.
            let (ins, out) = op.signature();
            assert!(ins.len() <= 3 && (out.is_some() || op.name().contains("store")), "{}", op.name());
        }
        assert_eq!(SimdOp::I16x8ExtractLaneU.imm_kind(), SimdImmKind::Lane { lanes: 8 });
        assert_eq!(SimdOp::V128Load16Lane.imm_kind(), SimdImmKind::MemLane { align: 1 });
        assert_eq!(SimdOp::V128Store.signature(), (&[ValType::I32, ValType::V128][..], None));
        assert_eq!(SimdOp::I64x2Shl.signature(), (&[ValType::V128, ValType::I32][..], Some(ValType::V128)));
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn instructions_stay_small() {
        // A memarg with a 64-bit offset and a lane index (3.0) is the
        // largest immediate: four words.
        assert_eq!(std::mem::size_of::<crate::syntax::Instr>(), 32);
    }
}
