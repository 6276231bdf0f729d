//! Values (spec 4.2.1).

use crate::syntax::{RefType, ValType};

/// Handle to a function in a [`Store`](super::Store).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Func(pub(crate) u32);
/// Handle to a table in a [`Store`](super::Store).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Table(pub(crate) u32);
/// Handle to a linear memory in a [`Store`](super::Store).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Memory(pub(crate) u32);
/// Handle to a global in a [`Store`](super::Store).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Global(pub(crate) u32);
/// Handle to a module instance in a [`Store`](super::Store).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Instance(pub(crate) u32);

/// Handle to a tag (exception handling) in a [`Store`](super::Store).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Tag(pub(crate) u32);
/// Handle to an exception (what an `exnref` refers to) in a
/// [`Store`](super::Store).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Exn(pub(crate) u32);

/// An external value: what imports take and exports give.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Extern {
    Func(Func),
    Table(Table),
    Memory(Memory),
    Global(Global),
    Tag(Tag),
}

/// A WebAssembly value.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(f32),
    F64(f64),
    V128(u128),
    /// A function reference, or null.
    FuncRef(Option<Func>),
    /// An opaque host reference (a host-chosen 32-bit token), or null.
    ExternRef(Option<u32>),
    /// An exception reference, or null.
    ExnRef(Option<Exn>),
}

impl Value {
    /// The type of this value.
    pub fn ty(&self) -> ValType {
        match self {
            Value::I32(_) => ValType::I32,
            Value::I64(_) => ValType::I64,
            Value::F32(_) => ValType::F32,
            Value::F64(_) => ValType::F64,
            Value::V128(_) => ValType::V128,
            Value::FuncRef(_) => ValType::FUNCREF,
            Value::ExternRef(_) => ValType::EXTERNREF,
            Value::ExnRef(_) => ValType::EXNREF,
        }
    }

    /// The zero value (or null reference) of a type, as locals start out.
    pub fn default_for(ty: ValType) -> Value {
        match ty {
            ValType::I32 => Value::I32(0),
            ValType::I64 => Value::I64(0),
            ValType::F32 => Value::F32(0.0),
            ValType::F64 => Value::F64(0.0),
            ValType::V128 => Value::V128(0),
            ValType::Ref(r) if r.heap.is_func() => Value::FuncRef(None),
            ValType::Ref(r) if r.heap.is_exn() => Value::ExnRef(None),
            ValType::Ref(_) => Value::ExternRef(None),
        }
    }

    /// The null reference of a reference type.
    pub fn null(ty: RefType) -> Value {
        Value::default_for(ty.into())
    }
}

impl Value {
    /// The untyped 64-bit slot of this value, as on the value stack: i32
    /// zero-extended, floats as bits, references as address/token + 1 with
    /// 0 for null.
    pub(crate) fn to_slot(self) -> u64 {
        match self {
            Value::I32(v) => u64::from(v as u32),
            Value::I64(v) => v as u64,
            Value::F32(v) => u64::from(v.to_bits()),
            Value::F64(v) => v.to_bits(),
            Value::V128(v) => v as u64,
            Value::FuncRef(f) => f.map_or(0, |f| u64::from(f.0) + 1),
            Value::ExternRef(r) => r.map_or(0, |r| u64::from(r) + 1),
            Value::ExnRef(r) => r.map_or(0, |r| u64::from(r.0) + 1),
        }
    }

    /// All the bits of this value: [`to_slot`](Self::to_slot) zero-extended,
    /// except that a `v128` keeps its upper 64 bits.
    pub(crate) fn to_bits(self) -> u128 {
        match self {
            Value::V128(v) => v,
            v => u128::from(v.to_slot()),
        }
    }

    /// The value of type `ty` whose [`to_bits`](Self::to_bits) are `bits`.
    pub(crate) fn from_bits(bits: u128, ty: ValType) -> Value {
        match ty {
            ValType::V128 => Value::V128(bits),
            _ => Value::from_slot(bits as u64, ty),
        }
    }

    /// The value of type `ty` held in `slot`.
    pub(crate) fn from_slot(slot: u64, ty: ValType) -> Value {
        match ty {
            ValType::I32 => Value::I32(slot as u32 as i32),
            ValType::I64 => Value::I64(slot as i64),
            ValType::F32 => Value::F32(f32::from_bits(slot as u32)),
            ValType::F64 => Value::F64(f64::from_bits(slot)),
            ValType::V128 => Value::V128(u128::from(slot)),
            ValType::Ref(r) if r.heap.is_func() => Value::FuncRef(slot.checked_sub(1).map(|a| Func(a as u32))),
            ValType::Ref(r) if r.heap.is_exn() => Value::ExnRef(slot.checked_sub(1).map(|a| Exn(a as u32))),
            ValType::Ref(_) => Value::ExternRef(slot.checked_sub(1).map(|t| t as u32)),
        }
    }
}
