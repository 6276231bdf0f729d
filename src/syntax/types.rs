//! Types (spec 2.3).

use std::fmt;

/// A value type.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    V128,
    Ref(RefType),
}

impl ValType {
    /// `funcref`, `(ref null func)`.
    pub const FUNCREF: ValType = ValType::Ref(RefType::FUNCREF);
    /// `externref`, `(ref null extern)`.
    pub const EXTERNREF: ValType = ValType::Ref(RefType::EXTERNREF);
    /// `exnref`, `(ref null exn)` (exception handling, 3.0).
    pub const EXNREF: ValType = ValType::Ref(RefType::EXNREF);

    /// The byte that encodes this type in the binary format (spec 5.3),
    /// for the types that one byte encodes.
    pub fn byte(self) -> Option<u8> {
        Some(match self {
            ValType::I32 => 0x7f,
            ValType::I64 => 0x7e,
            ValType::F32 => 0x7d,
            ValType::F64 => 0x7c,
            ValType::V128 => 0x7b,
            ValType::Ref(r) => return r.byte(),
        })
    }

    /// The type that the single byte `b` encodes, if any.
    pub fn from_byte(b: u8) -> Option<ValType> {
        Some(match b {
            0x7f => ValType::I32,
            0x7e => ValType::I64,
            0x7d => ValType::F32,
            0x7c => ValType::F64,
            0x7b => ValType::V128,
            _ => return RefType::from_byte(b).map(ValType::Ref),
        })
    }

    /// Is this a reference type?
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::Ref(_))
    }
    /// Is this a numeric type?
    pub fn is_num(self) -> bool {
        matches!(self, ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64)
    }
    /// Has this type a default value (spec 3.0: all but non-nullable
    /// references)?
    pub fn is_defaultable(self) -> bool {
        !matches!(self, ValType::Ref(RefType { nullable: false, .. }))
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::Ref(r) => return r.fmt(f),
        })
    }
}

/// A heap type (spec 3.0 2.3.3): what a reference points to. The abstract
/// types of function, external and exception references, and the bottom
/// types below them; a concrete one names a function type (by its index in
/// the module, or in a store's canonical types at run time).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum HeapType {
    Func,
    Extern,
    /// Bottom of the function references: only null.
    NoFunc,
    /// Bottom of the external references: only null.
    NoExtern,
    /// Exception references (exception handling, 3.0).
    Exn,
    /// Bottom of the exception references: only null.
    NoExn,
    Concrete(u32),
}

impl HeapType {
    /// The byte of an abstract heap type (spec 5.3.3), negative as an s33.
    pub fn byte(self) -> Option<u8> {
        Some(match self {
            HeapType::Func => 0x70,
            HeapType::Extern => 0x6f,
            HeapType::NoFunc => 0x73,
            HeapType::NoExtern => 0x72,
            HeapType::Exn => 0x69,
            HeapType::NoExn => 0x74,
            HeapType::Concrete(_) => return None,
        })
    }

    /// The abstract heap type that byte `b` encodes.
    pub fn from_byte(b: u8) -> Option<HeapType> {
        Some(match b {
            0x70 => HeapType::Func,
            0x6f => HeapType::Extern,
            0x73 => HeapType::NoFunc,
            0x72 => HeapType::NoExtern,
            0x69 => HeapType::Exn,
            0x74 => HeapType::NoExn,
            _ => return None,
        })
    }

    /// Is this a type of function references (as opposed to external
    /// ones)? Decides a reference's representation at run time.
    pub fn is_func(self) -> bool {
        matches!(self, HeapType::Func | HeapType::NoFunc | HeapType::Concrete(_))
    }

    /// Is this a type of exception references?
    pub fn is_exn(self) -> bool {
        matches!(self, HeapType::Exn | HeapType::NoExn)
    }

    /// Subtyping of heap types (spec 3.0 3.3.3), `eq` deciding whether two
    /// concrete types are the same: no declared subtypes (GC) yet.
    pub fn matches(self, other: HeapType, eq: impl Fn(u32, u32) -> bool) -> bool {
        use HeapType::*;
        match (self, other) {
            (Concrete(a), Concrete(b)) => eq(a, b),
            (a, b) if a == b => true,
            (NoFunc, Func | Concrete(_)) | (Concrete(_), Func) | (NoExtern, Extern) | (NoExn, Exn) => true,
            _ => false,
        }
    }
}

impl fmt::Display for HeapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeapType::Func => f.write_str("func"),
            HeapType::Extern => f.write_str("extern"),
            HeapType::NoFunc => f.write_str("nofunc"),
            HeapType::NoExtern => f.write_str("noextern"),
            HeapType::Exn => f.write_str("exn"),
            HeapType::NoExn => f.write_str("noexn"),
            HeapType::Concrete(i) => write!(f, "{i}"),
        }
    }
}

/// A reference type: a heap type, and whether null is a value of it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct RefType {
    pub nullable: bool,
    pub heap: HeapType,
}

impl RefType {
    pub const FUNCREF: RefType = RefType { nullable: true, heap: HeapType::Func };
    pub const EXTERNREF: RefType = RefType { nullable: true, heap: HeapType::Extern };
    pub const EXNREF: RefType = RefType { nullable: true, heap: HeapType::Exn };

    /// The shorthand byte of a nullable abstract reference type.
    pub fn byte(self) -> Option<u8> {
        if self.nullable {
            self.heap.byte()
        } else {
            None
        }
    }

    /// The nullable abstract type that the shorthand byte `b` encodes.
    pub fn from_byte(b: u8) -> Option<RefType> {
        HeapType::from_byte(b).map(|heap| RefType { nullable: true, heap })
    }

    /// Subtyping of reference types; see [`HeapType::matches`].
    pub fn matches(self, other: RefType, eq: impl Fn(u32, u32) -> bool) -> bool {
        (!self.nullable || other.nullable) && self.heap.matches(other.heap, eq)
    }

    /// This type without null.
    pub fn non_null(self) -> RefType {
        RefType { nullable: false, ..self }
    }
}

impl From<RefType> for ValType {
    fn from(r: RefType) -> ValType {
        ValType::Ref(r)
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.nullable, self.heap) {
            (true, HeapType::Func) => f.write_str("funcref"),
            (true, HeapType::Extern) => f.write_str("externref"),
            (true, HeapType::NoFunc) => f.write_str("nullfuncref"),
            (true, HeapType::NoExtern) => f.write_str("nullexternref"),
            (true, HeapType::Exn) => f.write_str("exnref"),
            (true, HeapType::NoExn) => f.write_str("nullexnref"),
            (true, h) => write!(f, "(ref null {h})"),
            (false, h) => write!(f, "(ref {h})"),
        }
    }
}

/// Matching of value types (spec 3.0 3.3.4), `eq` deciding whether two
/// concrete heap types are the same.
pub fn val_matches(a: ValType, b: ValType, eq: impl Fn(u32, u32) -> bool) -> bool {
    match (a, b) {
        (ValType::Ref(a), ValType::Ref(b)) => a.matches(b, eq),
        _ => a == b,
    }
}

/// A function type: parameters and results.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct FuncType {
    pub params: Box<[ValType]>,
    pub results: Box<[ValType]>,
}

impl FuncType {
    pub fn new(params: impl Into<Box<[ValType]>>, results: impl Into<Box<[ValType]>>) -> Self {
        FuncType { params: params.into(), results: results.into() }
    }

    /// Does this type name other types (a concrete reference type)?
    pub fn names_types(&self) -> bool {
        self.params.iter().chain(self.results.iter()).any(|t| matches!(t, ValType::Ref(RefType { heap: HeapType::Concrete(_), .. })))
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[")?;
        for (i, t) in self.params.iter().enumerate() {
            if i > 0 {
                write!(f, " ")?;
            }
            write!(f, "{t}")?;
        }
        write!(f, "] -> [")?;
        for (i, t) in self.results.iter().enumerate() {
            if i > 0 {
                write!(f, " ")?;
            }
            write!(f, "{t}")?;
        }
        write!(f, "]")
    }
}

/// Size limits of a table or memory (in elements or 64 KiB pages).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Limits {
    pub min: u64,
    pub max: Option<u64>,
}

impl Limits {
    /// Import subtyping of limits (spec 4.5.2 "Limits"): `self` matches `other`.
    pub fn matches(&self, other: &Limits) -> bool {
        self.min >= other.min
            && match (self.max, other.max) {
                (_, None) => true,
                (Some(a), Some(b)) => a <= b,
                (None, Some(_)) => false,
            }
    }
}

/// A table type.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct TableType {
    pub elem: RefType,
    pub limits: Limits,
    /// A 64-bit table (memory64's table64, 3.0): i64 indices and sizes.
    pub is64: bool,
}

impl TableType {
    /// A 32-bit table of `elem` with `limits`.
    pub fn new(elem: RefType, limits: Limits) -> TableType {
        TableType { elem, limits, is64: false }
    }

    /// The type of its indices and sizes: i64 for a 64-bit table.
    pub fn address_type(&self) -> ValType {
        if self.is64 { ValType::I64 } else { ValType::I32 }
    }

    /// Import subtyping (spec 4.5.2 "Tables"), but for the element
    /// types, which the caller matches: the same address type and
    /// matching limits.
    pub fn matches_limits(&self, other: &TableType) -> bool {
        self.is64 == other.is64 && self.limits.matches(&other.limits)
    }
}

/// A memory type; limits are in pages of `2^page_log2` bytes (64 KiB but
/// with the custom-page-sizes proposal).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct MemType {
    pub limits: Limits,
    /// A 64-bit memory (memory64, 3.0): i64 addresses and sizes.
    pub is64: bool,
    /// log2 of the page size: 16, or 0 (1-byte pages, custom-page-sizes).
    pub page_log2: u32,
}

impl Default for MemType {
    fn default() -> Self {
        MemType { limits: Limits::default(), is64: false, page_log2: 16 }
    }
}

/// A global type.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct GlobalType {
    pub val: ValType,
    pub mutable: bool,
}

/// The type of an external value (import or export).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExternType {
    Func(FuncType),
    Table(TableType),
    Memory(MemType),
    Global(GlobalType),
    /// A tag (exception handling): the type of its payload (no results).
    Tag(FuncType),
}

/// Size of a memory page in bytes.
pub const PAGE_SIZE: usize = 65536;
/// Largest number of pages a 32-bit memory can have.
pub const MAX_PAGES: u32 = 65536;
