//! Translation of validated function bodies into the interpreter's internal
//! code (spec 4.4 "Instructions", lowered once per module).
//!
//! Structured control disappears: every branch carries its absolute target
//! and the stack adjustment it performs, so the interpreter never searches
//! for labels. Numeric and memory instructions map 1:1 from the tables in
//! [`crate::isa`].

mod lower;

pub use lower::compile_module;

use crate::syntax::{MemOp, NumOp};

macro_rules! define_op_num {
    ($($op:ident $code:literal $name:literal $shape:ident $in:ident -> $out:ident $f:ident)*) => {
        crate::for_each_mem_op! { define_op_mem; $($op)* }
    };
}

macro_rules! define_op_mem {
    ($($nop:ident)* ; $($mop:ident $code:literal $name:literal $kind:ident $ty:ident $align:literal $reg:ident => $mem:ident)*) => {
        /// One instruction of the internal code. Branch targets are absolute
        /// indices into [`Code::ops`]; local indices are relative to the
        /// frame base (parameters first, then declared locals).
        #[derive(Copy, Clone, Debug, PartialEq)]
        #[allow(missing_docs)]
        pub enum Op {
            Unreachable,
            /// Unconditional jump, nothing dropped.
            Br(u32),
            /// Jump keeping the top `keep` slots and dropping `drop` below.
            BrAdj { target: u32, drop: u32, keep: u32 },
            /// Pops a condition; jumps when it is zero (`if`).
            BrIfZ(u32),
            /// Pops a condition; jumps when non-zero, nothing dropped.
            BrIfNz(u32),
            /// Pops a condition; when non-zero, jumps with an adjustment.
            BrIfNzAdj { target: u32, drop: u32, keep: u32 },
            /// Fused `i32.<cmp>` + `br_if`/`if`: pops two i32 operands and
            /// jumps when the comparison holds (nothing dropped).
            BrIfI32Eq(u32),
            BrIfI32Ne(u32),
            BrIfI32LtS(u32),
            BrIfI32LtU(u32),
            BrIfI32GtS(u32),
            BrIfI32GtU(u32),
            BrIfI32LeS(u32),
            BrIfI32LeU(u32),
            BrIfI32GeS(u32),
            BrIfI32GeU(u32),
            /// Pops an index `i`; continues at the `min(i, len)`-th of the
            /// `len + 1` `Br`/`BrAdj`/`Return` ops that follow.
            BrTable(u32),
            /// Returns the top `keep` slots to the caller.
            Return(u32),
            /// Calls a function defined in the same module (its index among
            /// the defined functions).
            CallInternal(u32),
            /// Calls a function of the index space through the instance
            /// (imports).
            Call(u32),
            CallIndirect { ty: u32, table: u32 },
            RefIsNull,
            RefFunc(u32),
            Drop,
            Select,
            LocalGet(u32),
            /// Two `local.get`s.
            LocalGet2(u32, u32),
            /// `i32.const c` + `i32.add`.
            I32AddImm(u32),
            LocalSet(u32),
            LocalTee(u32),
            GlobalGet(u32),
            GlobalSet(u32),
            TableGet(u32),
            TableSet(u32),
            TableSize(u32),
            TableGrow(u32),
            TableFill(u32),
            TableCopy { dst: u32, src: u32 },
            TableInit { elem: u32, table: u32 },
            ElemDrop(u32),
            MemorySize,
            MemoryGrow,
            MemoryFill,
            MemoryCopy,
            MemoryInit(u32),
            DataDrop(u32),
            /// Pushes a raw 64-bit slot (any constant, also `ref.null`).
            Const(u64),
            $($nop,)*
            /// Loads and stores; the immediate is the memarg offset.
            $($mop(u32),)*
        }

        impl Op {
            /// The branch target of a jump, for patching forward branches.
            pub fn target_mut(&mut self) -> Option<&mut u32> {
                match self {
                    Op::Br(t) | Op::BrIfZ(t) | Op::BrIfNz(t)
                    | Op::BrIfI32Eq(t) | Op::BrIfI32Ne(t)
                    | Op::BrIfI32LtS(t) | Op::BrIfI32LtU(t) | Op::BrIfI32GtS(t) | Op::BrIfI32GtU(t)
                    | Op::BrIfI32LeS(t) | Op::BrIfI32LeU(t) | Op::BrIfI32GeS(t) | Op::BrIfI32GeU(t) => Some(t),
                    Op::BrAdj { target, .. } | Op::BrIfNzAdj { target, .. } => Some(target),
                    _ => None,
                }
            }

            /// Fuses this op (the condition's producer) with a following
            /// conditional jump to `t`: taken when the condition is non-zero,
            /// or zero when `negate`. `None` if it cannot be fused.
            pub fn fuse_branch(self, t: u32, negate: bool) -> Option<Op> {
                Some(match (self, negate) {
                    (Op::I32Eqz, false) | (Op::I32Eqz, true) => return Some(if negate { Op::BrIfNz(t) } else { Op::BrIfZ(t) }),
                    (Op::I32Eq, false) | (Op::I32Ne, true) => Op::BrIfI32Eq(t),
                    (Op::I32Ne, false) | (Op::I32Eq, true) => Op::BrIfI32Ne(t),
                    (Op::I32LtS, false) | (Op::I32GeS, true) => Op::BrIfI32LtS(t),
                    (Op::I32LtU, false) | (Op::I32GeU, true) => Op::BrIfI32LtU(t),
                    (Op::I32GtS, false) | (Op::I32LeS, true) => Op::BrIfI32GtS(t),
                    (Op::I32GtU, false) | (Op::I32LeU, true) => Op::BrIfI32GtU(t),
                    (Op::I32LeS, false) | (Op::I32GtS, true) => Op::BrIfI32LeS(t),
                    (Op::I32LeU, false) | (Op::I32GtU, true) => Op::BrIfI32LeU(t),
                    (Op::I32GeS, false) | (Op::I32LtS, true) => Op::BrIfI32GeS(t),
                    (Op::I32GeU, false) | (Op::I32LtU, true) => Op::BrIfI32GeU(t),
                    _ => return None,
                })
            }

            /// The op of a numeric instruction.
            pub fn num(op: NumOp) -> Op {
                match op { $(NumOp::$nop => Op::$nop,)* }
            }
            /// The op of a load or store with memarg `offset`.
            pub fn mem(op: MemOp, offset: u32) -> Op {
                match op { $(MemOp::$mop => Op::$mop(offset),)* }
            }
        }
    };
}

crate::for_each_num_op!(define_op_num);

/// Per-function facts the interpreter needs at a call.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct FuncMeta {
    /// Index of the first op.
    pub entry: u32,
    /// Number of parameters.
    pub params: u32,
    /// Number of declared locals (beyond the parameters), zeroed at entry.
    pub locals: u32,
    /// Number of results.
    pub results: u32,
    /// Slots the frame may use: parameters + locals + the maximal operand
    /// stack height, so one check at entry covers the whole body.
    pub frame_size: u32,
}

/// The translated code of all functions defined in a module. Shared (via
/// `Arc`) by every instance of the module.
#[derive(Clone, Debug, Default)]
pub struct Code {
    /// The ops of all functions, back to back.
    pub ops: Vec<Op>,
    /// One entry per defined function.
    pub funcs: Vec<FuncMeta>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_is_small() {
        assert!(
            std::mem::size_of::<Op>() <= 16,
            "{}",
            std::mem::size_of::<Op>()
        );
    }

    #[test]
    fn tables_map_one_to_one() {
        assert_eq!(Op::num(NumOp::I32Add), Op::I32Add);
        assert_eq!(Op::mem(MemOp::I64Load32U, 7), Op::I64Load32U(7));
    }
}
