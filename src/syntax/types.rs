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
/// types of the three hierarchies (internal `any`, function `func`,
/// external `extern`; and `exn` of exception handling) with the bottom
/// types below them; a concrete one names a defined type (by its index in
/// the module, or in a store's canonical types at run time).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum HeapType {
    /// Top of the internal references (GC).
    Any,
    /// References that `ref.eq` compares: i31, structs, arrays (GC).
    Eq,
    /// Unboxed 31-bit integers (GC).
    I31,
    /// All structs (GC).
    Struct,
    /// All arrays (GC).
    Array,
    /// Bottom of the internal references: only null (GC).
    None,
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
            HeapType::Any => 0x6e,
            HeapType::Eq => 0x6d,
            HeapType::I31 => 0x6c,
            HeapType::Struct => 0x6b,
            HeapType::Array => 0x6a,
            HeapType::None => 0x71,
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
            0x6e => HeapType::Any,
            0x6d => HeapType::Eq,
            0x6c => HeapType::I31,
            0x6b => HeapType::Struct,
            0x6a => HeapType::Array,
            0x71 => HeapType::None,
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

    /// Is this one of the internal (GC) abstract types?
    pub fn is_internal(self) -> bool {
        matches!(self, HeapType::Any | HeapType::Eq | HeapType::I31 | HeapType::Struct | HeapType::Array | HeapType::None)
    }

    /// Subtyping of heap types (spec 3.0 3.3.3); `types` tells what the
    /// concrete types are and which are declared subtypes of which.
    pub fn matches(self, other: HeapType, types: &impl TypeLookup) -> bool {
        use HeapType::*;
        match (self, other) {
            (Concrete(a), Concrete(b)) => types.sub(a, b),
            (a, b) if a == b => true,
            (Concrete(a), b) => match types.kind(a) {
                Some(Kind::Func) => b == Func,
                Some(Kind::Struct) => matches!(b, Struct | Eq | Any),
                Some(Kind::Array) => matches!(b, Array | Eq | Any),
                Option::None => false,
            },
            (a, Concrete(b)) => match types.kind(b) {
                Some(Kind::Func) => a == NoFunc,
                Some(Kind::Struct | Kind::Array) => a == None,
                Option::None => false,
            },
            (NoFunc, Func) | (NoExtern, Extern) | (NoExn, Exn) => true,
            (None, Any | Eq | I31 | Struct | Array) => true,
            (I31 | Struct | Array, Eq | Any) | (Eq, Any) => true,
            _ => false,
        }
    }

    /// The top type of this type's hierarchy (`any`, `func`, `extern` or
    /// `exn`).
    pub fn top(self, types: &impl TypeLookup) -> HeapType {
        use HeapType::*;
        match self {
            Any | Eq | I31 | Struct | Array | None => Any,
            Func | NoFunc => Func,
            Extern | NoExtern => Extern,
            Exn | NoExn => Exn,
            Concrete(i) => match types.kind(i) {
                Some(Kind::Func) | Option::None => Func,
                Some(_) => Any,
            },
        }
    }
}

/// The kind of a defined type (its composite type's form).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Func,
    Struct,
    Array,
}

/// What subtyping needs to know about concrete types: their kind, and
/// whether one is a (declared, transitive) subtype of another, or the same.
pub trait TypeLookup {
    /// The kind of type `i`, if it exists.
    fn kind(&self, i: u32) -> Option<Kind>;
    /// Is type `a` a subtype of (or the same as) type `b`?
    fn sub(&self, a: u32, b: u32) -> bool;
}

impl fmt::Display for HeapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeapType::Any => f.write_str("any"),
            HeapType::Eq => f.write_str("eq"),
            HeapType::I31 => f.write_str("i31"),
            HeapType::Struct => f.write_str("struct"),
            HeapType::Array => f.write_str("array"),
            HeapType::None => f.write_str("none"),
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
    pub fn matches(self, other: RefType, types: &impl TypeLookup) -> bool {
        (!self.nullable || other.nullable) && self.heap.matches(other.heap, types)
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
            (true, HeapType::Any) => f.write_str("anyref"),
            (true, HeapType::Eq) => f.write_str("eqref"),
            (true, HeapType::I31) => f.write_str("i31ref"),
            (true, HeapType::Struct) => f.write_str("structref"),
            (true, HeapType::Array) => f.write_str("arrayref"),
            (true, HeapType::None) => f.write_str("nullref"),
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

/// Matching of value types (spec 3.0 3.3.4).
pub fn val_matches(a: ValType, b: ValType, types: &impl TypeLookup) -> bool {
    match (a, b) {
        (ValType::Ref(a), ValType::Ref(b)) => a.matches(b, types),
        _ => a == b,
    }
}

/// Where a struct field or array element keeps its value (GC): a value
/// type, or a packed integer.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum StorageType {
    Val(ValType),
    I8,
    I16,
}

impl StorageType {
    /// The type of the field's value on the operand stack (i32 for the
    /// packed ones).
    pub fn unpacked(self) -> ValType {
        match self {
            StorageType::Val(t) => t,
            _ => ValType::I32,
        }
    }
    /// Is this a packed type (`i8`, `i16`)?
    pub fn is_packed(self) -> bool {
        !matches!(self, StorageType::Val(_))
    }
}

impl fmt::Display for StorageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageType::Val(t) => t.fmt(f),
            StorageType::I8 => f.write_str("i8"),
            StorageType::I16 => f.write_str("i16"),
        }
    }
}

/// A struct field or array element type (GC).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldType {
    pub storage: StorageType,
    pub mutable: bool,
}

/// The form of a defined type (spec 3.0 2.3.8): a function type (its
/// signature is the module's `types` entry), a struct or an array.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum CompType {
    #[default]
    Func,
    Struct(Box<[FieldType]>),
    Array(FieldType),
}

impl CompType {
    pub fn kind(&self) -> Kind {
        match self {
            CompType::Func => Kind::Func,
            CompType::Struct(_) => Kind::Struct,
            CompType::Array(_) => Kind::Array,
        }
    }
}

/// A defined type with its place in the subtype hierarchy (spec 3.0
/// 2.3.9): final or open to subtypes, and its declared supertype.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SubType {
    pub is_final: bool,
    pub sup: Option<u32>,
    pub comp: CompType,
}

impl Default for SubType {
    /// A final function type without supertype: every type before GC.
    fn default() -> SubType {
        SubType { is_final: true, sup: None, comp: CompType::Func }
    }
}

impl SubType {
    /// The concrete types this type names, mutably (supertype, field types;
    /// not the function signature, which lives apart).
    pub fn refs_mut(&mut self, mut f: impl FnMut(&mut u32)) {
        if let Some(s) = self.sup.as_mut() {
            f(s);
        }
        let mut field = |ft: &mut FieldType| {
            if let StorageType::Val(ValType::Ref(RefType { heap: HeapType::Concrete(i), .. })) = &mut ft.storage {
                f(i);
            }
        };
        match &mut self.comp {
            CompType::Func => {}
            CompType::Struct(fs) => fs.iter_mut().for_each(&mut field),
            CompType::Array(ft) => field(ft),
        }
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

impl fmt::Display for Limits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.max {
            Some(max) => write!(f, "{} {max}", self.min),
            None => write!(f, "{}", self.min),
        }
    }
}

/// As the text format writes it: `func [i32] -> []`, `memory 1 2`,
/// `table 1 funcref`, `global (mut i32)`, `tag [i32] -> []`.
impl fmt::Display for ExternType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExternType::Func(t) => write!(f, "func {t}"),
            ExternType::Tag(t) => write!(f, "tag {t}"),
            ExternType::Table(t) => write!(f, "table {}{} {}", if t.is64 { "i64 " } else { "" }, t.limits, ValType::from(t.elem)),
            ExternType::Memory(m) => {
                write!(f, "memory {}{}", if m.is64 { "i64 " } else { "" }, m.limits)?;
                if m.page_log2 != 16 {
                    write!(f, " (pagesize {})", 1u64 << m.page_log2)?;
                }
                Ok(())
            }
            ExternType::Global(g) if g.mutable => write!(f, "global (mut {})", g.val),
            ExternType::Global(g) => write!(f, "global {}", g.val),
        }
    }
}

/// Size of a memory page in bytes.
pub const PAGE_SIZE: usize = 65536;
/// Largest number of pages a 32-bit memory can have.
pub const MAX_PAGES: u32 = 65536;
