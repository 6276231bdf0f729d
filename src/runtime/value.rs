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

/// A non-null reference of the internal (`any`) hierarchy (GC): an
/// `i31`, a struct or array of the store's heap, or a host reference
/// brought in by `any.convert_extern`. Also what an `externref` holds
/// once `extern.convert_any` made one of these external.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct AnyRef {
    pub(crate) bits: u64,
    /// Struct or array, when the value came from a store that said so.
    pub(crate) kind: Option<crate::syntax::Kind>,
}

impl AnyRef {
    pub(crate) fn new(bits: u64) -> AnyRef {
        AnyRef { bits, kind: None }
    }
    /// The value of an `i31` reference (sign-extended from 31 bits).
    pub fn i31(self) -> Option<i32> {
        (self.bits & super::gc::REF_I31 != 0).then(|| ((self.bits as u32) << 1) as i32 >> 1)
    }
    /// The token of a host reference made internal by `any.convert_extern`.
    pub fn host(self) -> Option<u32> {
        (self.bits >> 62 == 0).then(|| (self.bits - 1) as u32)
    }
    /// Is this a struct (or, `Some(false)`, an array), if known?
    pub fn is_struct(self) -> Option<bool> {
        self.kind.map(|k| k == crate::syntax::Kind::Struct)
    }
}

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
    /// An internal (GC) reference, or null.
    AnyRef(Option<AnyRef>),
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
            Value::AnyRef(_) => ValType::Ref(crate::syntax::RefType { nullable: true, heap: crate::syntax::HeapType::Any }),
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
            ValType::Ref(r) if r.heap.is_internal() => Value::AnyRef(None),
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
            Value::AnyRef(r) => r.map_or(0, |r| r.bits),
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
            // A concrete type of a struct or array: its references are tagged.
            ValType::Ref(RefType { heap: crate::syntax::HeapType::Concrete(_), .. }) if slot >> 62 != 0 => {
                Value::AnyRef(Some(AnyRef::new(slot)))
            }
            ValType::Ref(r) if r.heap.is_func() => Value::FuncRef(slot.checked_sub(1).map(|a| Func(a as u32))),
            ValType::Ref(r) if r.heap.is_exn() => Value::ExnRef(slot.checked_sub(1).map(|a| Exn(a as u32))),
            ValType::Ref(r) if r.heap.is_internal() => Value::AnyRef((slot != 0).then(|| AnyRef::new(slot))),
            // An external reference: a host token, or an internal one made
            // external.
            ValType::Ref(_) if slot >> 62 != 0 => Value::AnyRef(Some(AnyRef::new(slot))),
            ValType::Ref(_) => Value::ExternRef(slot.checked_sub(1).map(|t| t as u32)),
        }
    }
}
