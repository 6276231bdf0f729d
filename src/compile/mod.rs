//! Translation of validated function bodies into the interpreter's internal
//! code (spec 4.4 "Instructions", lowered once per module).
//!
//! Structured control disappears: every branch carries its absolute target
//! and the stack adjustment it performs, so the interpreter never searches
//! for labels. Numeric and memory instructions map 1:1 from the tables in
//! [`crate::isa`].

mod fold;
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
        crate::for_each_fold_op! { define_op_all; ($($nop)*) ($($mop)*) }
    };
}

macro_rules! define_op_all {
    (($($nop:ident)*) ($($mop:ident)*)
     int: [$($iop:ident $ity:ident $ifn:ident : $il:ident $ill:ident $ii:ident $ili:ident;)*]
     float: [$($fop:ident $fty:ident $ffn:ident : $fl:ident $fll:ident;)*]
     branch: [$($bop:ident $bty:ident $bfn:ident : $cl:ident $cll:ident $ci:ident $cli:ident
               => $b:ident $bl:ident $bll:ident $bi:ident $bli:ident
               / $nb:ident $nbl:ident $nbll:ident $nbi:ident $nbli:ident;)*]
     set: [$($sop:ident $sty:ident $sfn:ident : $sl:ident $sll:ident $si:ident $sli:ident
            => $sls:ident $slls:ident $sis:ident $slis:ident $ss:ident;)*]
     fset: [$($gop:ident $gty:ident $gfn:ident : $gl:ident $gll:ident => $gs:ident $gls:ident $glls:ident;)*]
     load: [$($lop:ident $ll:ident $la:ident $lty:ident $lm:ident;)*]) => {
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
            /// Fused `i32.<cmp>` + `br_if`/`if`: jumps (the last field)
            /// when the comparison holds, nothing dropped. Operands as in
            /// the comparison's forms (see `fold`).
            $($b(u32),)*
            $($bl(u32, u32),)*
            $($bll(u32, u32, u32),)*
            $($bi(u32, u32),)*
            $($bli(u32, u32, u32),)*
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
            /// `local.tee a` + `local.get b`.
            LocalTeeGet(u32, u32),
            /// `local.set a` + `local.get b`.
            LocalSetGet(u32, u32),
            /// `local.get a` + `local.set b`.
            LocalCopy(u32, u32),
            /// `*.const c` + `local.set d`: `(d, c)`.
            LocalConst(u32, u64),
            /// `i64.eqz` + `br_if`: jumps when the top is zero.
            BrIfI64Z(u32),
            /// `i64.eqz` + `if`: jumps when the top is not zero.
            BrIfI64Nz(u32),
            $($sls(u32, u32), $slls(u32, u32, u32), $sis(u32, u32), $slis(u32, u32, u32), $ss(u32),)*
            $($gs(u32), $gls(u32, u32), $glls(u32, u32, u32),)*
            $($il(u32), $ill(u32, u32), $ii(u32), $ili(u32, u32),)*
            $($fl(u32), $fll(u32, u32),)*
            /// Loads from the address in local a: `(a, offset)`.
            $($ll(u32, u32),)*
            /// Loads from the top plus c: `(c, offset)`.
            $($la(u32, u32),)*
            /// `local.get i` + `br_if`: jumps when local i (an i32) is non-zero.
            BrIfLocalNz(u32, u32),
            /// `local.get i` + `if`: jumps when local i is zero.
            BrIfLocalZ(u32, u32),
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
                    Op::Br(t) | Op::BrIfZ(t) | Op::BrIfNz(t) | Op::BrIfI64Z(t) | Op::BrIfI64Nz(t) => Some(t),
                    Op::BrIfLocalNz(_, t) | Op::BrIfLocalZ(_, t) => Some(t),
                    $(Op::$b(t) | Op::$bl(_, t) | Op::$bll(_, _, t) | Op::$bi(_, t) | Op::$bli(_, _, t) => Some(t),)*
                    Op::BrAdj { target, .. } | Op::BrIfNzAdj { target, .. } => Some(target),
                    _ => None,
                }
            }

            /// Fuses this op (the condition's producer) with a following
            /// conditional jump to `t`: taken when the condition is non-zero,
            /// or zero when `negate`. `None` if it cannot be fused.
            pub fn fuse_branch(self, t: u32, negate: bool) -> Option<Op> {
                Some(match (self, negate) {
                    (Op::I32Eqz, false) => Op::BrIfZ(t),
                    (Op::I32Eqz, true) => Op::BrIfNz(t),
                    (Op::I64Eqz, false) => Op::BrIfI64Z(t),
                    (Op::I64Eqz, true) => Op::BrIfI64Nz(t),
                    (Op::LocalGet(i), false) => Op::BrIfLocalNz(i, t),
                    (Op::LocalGet(i), true) => Op::BrIfLocalZ(i, t),
                    $((Op::$bop, false) => Op::$b(t),
                    (Op::$bop, true) => Op::$nb(t),
                    (Op::$cl(i), false) => Op::$bl(i, t),
                    (Op::$cl(i), true) => Op::$nbl(i, t),
                    (Op::$cll(a, b), false) => Op::$bll(a, b, t),
                    (Op::$cll(a, b), true) => Op::$nbll(a, b, t),
                    (Op::$ci(c), false) => Op::$bi(c, t),
                    (Op::$ci(c), true) => Op::$nbi(c, t),
                    (Op::$cli(a, c), false) => Op::$bli(a, c, t),
                    (Op::$cli(a, c), true) => Op::$nbli(a, c, t),)*
                    _ => return None,
                })
            }

            /// The two ops a folded `local.tee`/`local.set` + `local.get` came from.
            pub fn split(self) -> Option<(Op, Op)> {
                match self {
                    Op::LocalTeeGet(a, b) => Some((Op::LocalTee(a), Op::LocalGet(b))),
                    Op::LocalSetGet(a, b) => Some((Op::LocalSet(a), Op::LocalGet(b))),
                    _ => None,
                }
            }

            /// Whether this op has a form that stores its result in a local
            /// (so `local.tee` after it is better as `local.set; local.get`).
            pub fn has_set_form(self) -> bool {
                matches!(self, $(Op::$sop | Op::$sl(_) | Op::$sll(..) | Op::$si(_) | Op::$sli(..))|*
                    | $(Op::$gop | Op::$gl(_) | Op::$gll(..))|* | Op::Const(_))
            }

            /// Folds `prev` (the op before) and this op into one, if they
            /// form an operand pattern of the `fold` table.
            pub fn fold(prev: Op, op: Op) -> Option<Op> {
                Some(match (prev, op) {
                    (Op::LocalGet(a), Op::LocalGet(b)) => Op::LocalGet2(a, b),
                    (Op::LocalTee(a), Op::LocalGet(b)) => Op::LocalTeeGet(a, b),
                    (Op::LocalSet(a), Op::LocalGet(b)) => Op::LocalSetGet(a, b),
                    (Op::LocalGet(a), Op::LocalSet(b)) => Op::LocalCopy(a, b),
                    (Op::Const(c), Op::LocalSet(d)) => Op::LocalConst(d, c),
                    $((Op::$sl(i), Op::LocalSet(d)) => Op::$sls(i, d),
                    (Op::$sll(a, b), Op::LocalSet(d)) => Op::$slls(a, b, d),
                    (Op::$si(c), Op::LocalSet(d)) => Op::$sis(c, d),
                    (Op::$sli(a, c), Op::LocalSet(d)) => Op::$slis(a, c, d),
                    (Op::$sop, Op::LocalSet(d)) => Op::$ss(d),)*
                    $((Op::$gop, Op::LocalSet(d)) => Op::$gs(d),
                    (Op::$gl(i), Op::LocalSet(d)) => Op::$gls(i, d),
                    (Op::$gll(a, b), Op::LocalSet(d)) => Op::$glls(a, b, d),)*
                    $((Op::LocalGet(i), Op::$iop) => Op::$il(i),
                    (Op::LocalGet2(a, b), Op::$iop) => Op::$ill(a, b),
                    (Op::Const(c), Op::$iop) if imm_fits!($ity, c) => Op::$ii(c as u32),
                    (Op::LocalGet(a), Op::$ii(c)) => Op::$ili(a, c),)*
                    $((Op::LocalGet(i), Op::$fop) => Op::$fl(i),
                    (Op::LocalGet2(a, b), Op::$fop) => Op::$fll(a, b),)*
                    $((Op::LocalGet(a), Op::$lop(off)) => Op::$ll(a, off),
                    (Op::I32AddI(c), Op::$lop(off)) => Op::$la(c, off),)*
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

/// Whether constant slot `c` can be an immediate of an op on `$ty`: any
/// i32; an i64 that is a sign-extended i32.
macro_rules! imm_fits {
    (i32, $c:expr) => {
        true
    };
    (i64, $c:expr) => {
        $c as i32 as i64 as u64 == $c
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
        assert!(std::mem::size_of::<Op>() <= 16, "{}", std::mem::size_of::<Op>());
    }

    #[test]
    fn tables_map_one_to_one() {
        assert_eq!(Op::num(NumOp::I32Add), Op::I32Add);
        assert_eq!(Op::mem(MemOp::I64Load32U, 7), Op::I64Load32U(7));
    }
}
