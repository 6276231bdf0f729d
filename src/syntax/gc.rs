//! The garbage-collection instructions (spec 3.0 2.4.2 "Aggregate
//! instructions", and the casts and `i31` of "Reference instructions"):
//! the `0xFB`-prefixed ones and `ref.eq`.

use super::types::RefType;

/// A GC instruction. Type immediates are type indices of the module;
/// `struct.*` fields are field indices.
#[derive(Clone, Debug, PartialEq)]
pub enum GcInstr {
    StructNew(u32),
    StructNewDefault(u32),
    /// `struct.get`, `struct.get_s`, `struct.get_u`: type, field, extension.
    StructGet(u32, u32, Ext),
    StructSet(u32, u32),
    ArrayNew(u32),
    ArrayNewDefault(u32),
    /// `array.new_fixed $t n`.
    ArrayNewFixed(u32, u32),
    /// `array.new_data $t $data`.
    ArrayNewData(u32, u32),
    /// `array.new_elem $t $elem`.
    ArrayNewElem(u32, u32),
    /// `array.get`, `array.get_s`, `array.get_u`.
    ArrayGet(u32, Ext),
    ArraySet(u32),
    ArrayLen,
    ArrayFill(u32),
    /// `array.copy $dst $src`.
    ArrayCopy(u32, u32),
    /// `array.init_data $t $data`.
    ArrayInitData(u32, u32),
    /// `array.init_elem $t $elem`.
    ArrayInitElem(u32, u32),
    /// `ref.test rt`.
    RefTest(RefType),
    /// `ref.cast rt`.
    RefCast(RefType),
    /// `br_on_cast l rt1 rt2`: branches if the operand is an `rt2`.
    BrOnCast(Box<Cast>),
    /// `br_on_cast_fail l rt1 rt2`: branches if it is not.
    BrOnCastFail(Box<Cast>),
    AnyConvertExtern,
    ExternConvertAny,
    RefI31,
    /// `i31.get_s` (true) and `i31.get_u` (false).
    I31Get(bool),
    /// `ref.eq` (`0xD3`).
    RefEq,
}

/// How `struct.get` and `array.get` extend a packed field to i32: not at
/// all (a field of a value type), with sign or with zeros.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ext {
    None,
    S,
    U,
}

/// The immediates of `br_on_cast` and `br_on_cast_fail`.
#[derive(Clone, Debug, PartialEq)]
pub struct Cast {
    pub label: u32,
    pub from: RefType,
    pub to: RefType,
}
