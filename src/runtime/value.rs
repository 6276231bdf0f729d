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

/// An external value: what imports take and exports give.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Extern {
    Func(Func),
    Table(Table),
    Memory(Memory),
    Global(Global),
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
            Value::FuncRef(_) => ValType::FuncRef,
            Value::ExternRef(_) => ValType::ExternRef,
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
            ValType::FuncRef => Value::FuncRef(None),
            ValType::ExternRef => Value::ExternRef(None),
        }
    }

    /// The null reference of a reference type.
    pub fn null(ty: RefType) -> Value {
        Value::default_for(ty.into())
    }
}
