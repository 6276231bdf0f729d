//! Instructions (spec 2.4).
//!
//! A function body is a flat `Vec<Instr>`: structured instructions appear as
//! `Block`/`Loop`/`If` ... `Else` ... `End` markers, exactly as in the binary
//! format. The fixed-signature numeric and memory instructions come from the
//! tables in `crate::isa`, the SIMD ones from `crate::isa_simd`.

use super::types::{RefType, ValType};

macro_rules! val_type {
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

macro_rules! define_num_op {
    ($($op:ident $code:literal $name:literal $shape:ident $in:ident -> $out:ident $f:ident)*) => {
        /// A numeric instruction: no immediates, a fixed signature.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum NumOp { $($op,)* }

        impl NumOp {
            /// Every numeric instruction, in table order (`op as usize`
            /// is its index).
            pub const ALL: [NumOp; [$(NumOp::$op),*].len()] = [$(NumOp::$op),*];

            /// Is this a comparison (`cmp` in the table)?
            pub fn is_compare(self) -> bool {
                match self { $(NumOp::$op => stringify!($shape) == "cmp",)* }
            }

            /// Are the operands interchangeable? (Integer operators only:
            /// which NaN a float operator returns may depend on the order.)
            pub fn is_commutative(self) -> bool {
                matches!(
                    self,
                    NumOp::I32Add | NumOp::I32Mul | NumOp::I32And | NumOp::I32Or | NumOp::I32Xor
                        | NumOp::I32Eq | NumOp::I32Ne | NumOp::I64Add | NumOp::I64Mul | NumOp::I64And
                        | NumOp::I64Or | NumOp::I64Xor | NumOp::I64Eq | NumOp::I64Ne
                )
            }

            /// Decodes an opcode: a single byte, or `0xFC00 | sub` for the
            /// `0xFC`-prefixed forms.
            pub fn from_opcode(code: u32) -> Option<NumOp> {
                match code {
                    $($code => Some(NumOp::$op),)*
                    _ => None,
                }
            }

            /// The opcode, encoded as in [`NumOp::from_opcode`].
            pub fn opcode(self) -> u32 {
                match self { $(NumOp::$op => $code,)* }
            }

            /// The text-format name, e.g. `"i32.add"`.
            pub fn name(self) -> &'static str {
                match self { $(NumOp::$op => $name,)* }
            }

            /// Operand types (one or two of the same type) and result type.
            pub fn signature(self) -> (&'static [ValType], ValType) {
                match self {
                    $(NumOp::$op => define_num_op!(@sig $shape $in $out),)*
                }
            }
        }
    };
    (@sig un $in:ident $out:ident) => { (&[val_type!($in)], val_type!($out)) };
    (@sig un_trap $in:ident $out:ident) => { (&[val_type!($in)], val_type!($out)) };
    (@sig bin $in:ident $out:ident) => { (&[val_type!($in), val_type!($in)], val_type!($out)) };
    (@sig cmp $in:ident $out:ident) => { (&[val_type!($in), val_type!($in)], val_type!($out)) };
    (@sig bin_trap $in:ident $out:ident) => { (&[val_type!($in), val_type!($in)], val_type!($out)) };
}
crate::for_each_num_op!(define_num_op);

macro_rules! define_mem_op {
    ($($op:ident $code:literal $name:literal $kind:ident $ty:ident $align:literal $reg:ident => $mem:ident)*) => {
        /// A load or store instruction (takes a [`MemArg`]).
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum MemOp { $($op,)* }

        impl MemOp {
            /// Every load and store, in table order.
            pub const ALL: [MemOp; [$(MemOp::$op),*].len()] = [$(MemOp::$op),*];

            /// Decodes a single-byte opcode.
            pub fn from_opcode(code: u8) -> Option<MemOp> {
                match code {
                    $($code => Some(MemOp::$op),)*
                    _ => None,
                }
            }

            /// The opcode byte.
            pub fn opcode(self) -> u8 {
                match self { $(MemOp::$op => $code,)* }
            }

            /// The text-format name, e.g. `"i32.load8_u"`.
            pub fn name(self) -> &'static str {
                match self { $(MemOp::$op => $name,)* }
            }

            /// Is this a store?
            pub fn is_store(self) -> bool {
                match self { $(MemOp::$op => stringify!($kind) == "store",)* }
            }

            /// The value type loaded or stored.
            pub fn val_type(self) -> ValType {
                match self { $(MemOp::$op => ValType::$ty,)* }
            }

            /// log2 of the access width in bytes, the largest valid alignment.
            pub fn max_align(self) -> u32 {
                match self { $(MemOp::$op => $align,)* }
            }
        }
    };
}
crate::for_each_mem_op!(define_mem_op);

/// The immediate of a load or store.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct MemArg {
    /// log2 of the alignment hint.
    pub align: u32,
    /// Constant added to the dynamic address.
    /// (64 bits in 3.0's binary format; a 32-bit memory takes offsets
    /// below 2^32, which validation checks.)
    pub offset: u64,
    /// Memory index (always 0 before multi-memory).
    pub memory: u32,
}

/// The type of a block, loop or if.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum BlockType {
    /// `[] -> []`
    Empty,
    /// `[] -> [t]`
    Value(ValType),
    /// A type index: `[params] -> [results]`.
    Func(u32),
}

/// A catch clause of `try_table` (exception handling, 3.0): which
/// exceptions it catches (those of a tag, or all), whether it passes the
/// exception reference along, and the label it branches to.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Catch {
    /// The tag, `None` for `catch_all`/`catch_all_ref`.
    pub tag: Option<u32>,
    /// `catch_ref`/`catch_all_ref`: the `exnref` goes after the payload.
    pub with_ref: bool,
    pub label: u32,
}

/// An instruction (spec 2.4).
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub enum Instr {
    // Control (2.4.8)
    Unreachable,
    Nop,
    Block(BlockType),
    Loop(BlockType),
    If(BlockType),
    Else,
    End,
    Br(u32),
    BrIf(u32),
    /// Label table and default label.
    BrTable(Box<[u32]>, u32),
    Return,
    Call(u32),
    CallIndirect {
        type_index: u32,
        table: u32,
    },
    /// `return_call` (tail calls, Wasm 3.0).
    ReturnCall(u32),
    /// `return_call_indirect` (tail calls, Wasm 3.0).
    ReturnCallIndirect {
        type_index: u32,
        table: u32,
    },

    /// `call_ref $t` (typed function references, 3.0).
    CallRef(u32),
    /// `return_call_ref $t`.
    ReturnCallRef(u32),
    /// `br_on_null l`.
    BrOnNull(u32),
    /// `br_on_non_null l`.
    BrOnNonNull(u32),

    /// `throw x` (exception handling, 3.0).
    Throw(u32),
    /// `throw_ref`.
    ThrowRef,
    /// `try_table bt catch*`: a block whose exceptions the clauses catch.
    TryTable(BlockType, Box<[Catch]>),
    /// Legacy exception handling (`../legacy/` of the 3.0 suite): `try bt`
    /// opens a block that `catch x`/`catch_all` arms follow, ended by
    /// `end` or by `delegate l`.
    Try(BlockType),
    Catch(u32),
    CatchAll,
    /// `delegate l`: ends a `try` whose exceptions go to label `l`'s
    /// handlers.
    Delegate(u32),
    /// `rethrow l`: throws again the exception caught by the arm at `l`.
    Rethrow(u32),

    /// The wide-arithmetic proposal's 128-bit operations on i64 pairs.
    Wide(WideOp),

    // Reference (2.4.2)
    /// `ref.null ht` (the type is always nullable).
    RefNull(RefType),
    RefIsNull,
    RefFunc(u32),
    RefAsNonNull,

    // Parametric (2.4.3)
    Drop,
    /// `select`, or `select t*` (typed; the validator checks there is one).
    Select(Option<Box<[ValType]>>),

    // Variable (2.4.4)
    LocalGet(u32),
    LocalSet(u32),
    LocalTee(u32),
    GlobalGet(u32),
    GlobalSet(u32),

    // Table (2.4.5)
    TableGet(u32),
    TableSet(u32),
    TableSize(u32),
    TableGrow(u32),
    TableFill(u32),
    TableCopy {
        dst: u32,
        src: u32,
    },
    TableInit {
        elem: u32,
        table: u32,
    },
    ElemDrop(u32),

    // Memory (2.4.6)
    Mem(MemOp, MemArg),
    MemorySize(u32),
    MemoryGrow(u32),
    MemoryFill(u32),
    MemoryCopy {
        dst: u32,
        src: u32,
    },
    MemoryInit {
        data: u32,
        memory: u32,
    },
    DataDrop(u32),

    // Numeric (2.4.1)
    I32Const(i32),
    I64Const(i64),
    /// Bit pattern, so NaN payloads survive.
    F32Const(u32),
    /// Bit pattern, so NaN payloads survive.
    F64Const(u64),
    Num(NumOp),

    // Vector (2.4.1, `crate::isa_simd`)
    /// `v128.const`: the 16 bytes, little-endian.
    V128Const([u8; 16]),
    /// `i8x16.shuffle`: the 16 lane indices.
    I8x16Shuffle([u8; 16]),
    /// Every other SIMD instruction.
    Simd(super::simd::SimdOp, super::simd::SimdImm),

    // Aggregate and cast instructions (GC, 3.0; `super::gc`)
    Gc(super::gc::GcInstr),
}

/// The instructions of the wide-arithmetic proposal (`0xFC` 19 to 22): a
/// 128-bit value is two i64, low half first.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum WideOp {
    /// `[lo hi lo hi] -> [lo hi]`: 128-bit addition.
    I64Add128,
    /// `[lo hi lo hi] -> [lo hi]`: 128-bit subtraction.
    I64Sub128,
    /// `[i64 i64] -> [lo hi]`: the signed 128-bit product.
    I64MulWideS,
    /// `[i64 i64] -> [lo hi]`: the unsigned 128-bit product.
    I64MulWideU,
}

impl WideOp {
    /// All four, in opcode order.
    pub const ALL: [WideOp; 4] = [WideOp::I64Add128, WideOp::I64Sub128, WideOp::I64MulWideS, WideOp::I64MulWideU];

    /// The operation of `0xFC` sub-opcode `sub`.
    pub fn from_opcode(sub: u32) -> Option<WideOp> {
        Some(match sub {
            19 => WideOp::I64Add128,
            20 => WideOp::I64Sub128,
            21 => WideOp::I64MulWideS,
            22 => WideOp::I64MulWideU,
            _ => return None,
        })
    }

    /// Operands: four for add/sub, two for the products.
    pub fn arity(self) -> usize {
        match self {
            WideOp::I64Add128 | WideOp::I64Sub128 => 4,
            _ => 2,
        }
    }

    /// The two i64 results (low, high) of the operands `a`.
    pub fn eval(self, a: &[u64]) -> (u64, u64) {
        let pair = |lo: u64, hi: u64| u128::from(lo) | u128::from(hi) << 64;
        let r = match (self, a) {
            (WideOp::I64Add128, &[a, b, c, d]) => pair(a, b).wrapping_add(pair(c, d)),
            (WideOp::I64Sub128, &[a, b, c, d]) => pair(a, b).wrapping_sub(pair(c, d)),
            (WideOp::I64MulWideS, &[a, b]) => (i128::from(a as i64) * i128::from(b as i64)) as u128,
            (WideOp::I64MulWideU, &[a, b]) => u128::from(a) * u128::from(b),
            _ => 0,
        };
        (r as u64, (r >> 64) as u64)
    }
}
