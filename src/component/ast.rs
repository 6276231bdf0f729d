//! The abstract syntax of a component (component model, `Explainer.md`),
//! as the decoder produces it: each section's definitions in order, with
//! indices into the component's index spaces, not yet resolved.

use std::sync::Arc;

/// A decoded component: its definitions in binary order (order matters:
/// each one appends to an index space that later ones refer to).
#[derive(Debug, Default)]
pub struct Component {
    pub defs: Vec<Def>,
    /// Where each definition starts in the binary (for errors).
    pub offsets: Vec<usize>,
}

/// One definition of a component.
#[derive(Debug)]
pub enum Def {
    /// An embedded core module (already decoded and validated).
    CoreModule(crate::Module),
    CoreInstance(CoreInstance),
    /// A core type: only module types carry meaning for us (they type a
    /// core module import); function types are kept as counted entries.
    CoreType(CoreType),
    Component(Arc<Component>),
    Instance(Instance),
    Alias(Alias),
    Type(TypeDef),
    Canon(Canon),
    Import(Import),
    Export(Export),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum CoreSort {
    Func,
    Table,
    Memory,
    Global,
    Tag,
    Type,
    Module,
    Instance,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Sort {
    Core(CoreSort),
    Func,
    Value,
    Type,
    Component,
    Instance,
}

impl std::fmt::Display for Sort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Sort::Core(CoreSort::Func) => "core func",
            Sort::Core(CoreSort::Table) => "core table",
            Sort::Core(CoreSort::Memory) => "core memory",
            Sort::Core(CoreSort::Global) => "core global",
            Sort::Core(CoreSort::Tag) => "core tag",
            Sort::Core(CoreSort::Type) => "core type",
            Sort::Core(CoreSort::Module) => "core module",
            Sort::Core(CoreSort::Instance) => "core instance",
            Sort::Func => "func",
            Sort::Value => "value",
            Sort::Type => "type",
            Sort::Component => "component",
            Sort::Instance => "instance",
        })
    }
}

#[derive(Debug)]
pub enum CoreInstance {
    /// `(instantiate m (with name (instance i))*)`
    Instantiate { module: u32, args: Vec<(String, u32)> },
    /// `(export name (sort idx))*`: a bag of existing core items.
    FromExports(Vec<(String, CoreSort, u32)>),
}

#[derive(Debug)]
pub enum CoreType {
    Func(crate::FuncType),
    /// A module type: its declarations are only checked for form.
    Module,
}

#[derive(Debug)]
pub enum Instance {
    /// `(instantiate c (with name (sort idx))*)`
    Instantiate { component: u32, args: Vec<(String, Sort, u32)> },
    FromExports(Vec<(String, Sort, u32)>),
}

#[derive(Debug)]
pub enum Alias {
    /// `(alias export i "name" (sort))`
    InstanceExport { sort: Sort, instance: u32, name: String },
    /// `(alias core export i "name" (core sort))`
    CoreInstanceExport { sort: CoreSort, instance: u32, name: String },
    /// `(alias outer count idx (sort))`
    Outer { sort: Sort, count: u32, index: u32 },
}

impl Alias {
    pub fn sort(&self) -> Sort {
        match self {
            Alias::InstanceExport { sort, .. } | Alias::Outer { sort, .. } => *sort,
            Alias::CoreInstanceExport { sort, .. } => Sort::Core(*sort),
        }
    }
}

/// A component value type: a primitive, or a type index.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ValType {
    Prim(Prim),
    Index(u32),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Prim {
    Bool,
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
    S64,
    U64,
    F32,
    F64,
    Char,
    String,
}

impl Prim {
    pub fn name(self) -> &'static str {
        match self {
            Prim::Bool => "bool",
            Prim::S8 => "s8",
            Prim::U8 => "u8",
            Prim::S16 => "s16",
            Prim::U16 => "u16",
            Prim::S32 => "s32",
            Prim::U32 => "u32",
            Prim::S64 => "s64",
            Prim::U64 => "u64",
            Prim::F32 => "f32",
            Prim::F64 => "f64",
            Prim::Char => "char",
            Prim::String => "string",
        }
    }
}

/// A defined value type (`defvaltype`).
#[derive(Debug)]
pub enum DefValType {
    Prim(Prim),
    Record(Vec<(String, ValType)>),
    Variant(Vec<(String, Option<ValType>)>),
    List(ValType),
    Tuple(Vec<ValType>),
    Flags(Vec<String>),
    Enum(Vec<String>),
    Option(ValType),
    Result { ok: Option<ValType>, err: Option<ValType> },
    Own(u32),
    Borrow(u32),
}

#[derive(Debug)]
pub struct FuncType {
    pub params: Vec<(String, ValType)>,
    pub result: Option<ValType>,
}

/// A type definition (`deftype`).
#[derive(Debug)]
pub enum TypeDef {
    Val(DefValType),
    Func(FuncType),
    Component(Vec<Decl>),
    Instance(Vec<Decl>),
    /// `(resource (rep i32) (dtor f)?)`: a fresh resource type each time
    /// the component is instantiated.
    Resource { dtor: Option<u32> },
}

/// A declaration inside a component or instance type.
#[derive(Debug)]
pub enum Decl {
    CoreType(CoreType),
    Type(TypeDef),
    Alias(Alias),
    Import(String, ExternDesc),
    Export(String, ExternDesc),
}

#[derive(Copy, Clone, Debug)]
pub enum TypeBound {
    Eq(u32),
    SubResource,
}

#[derive(Copy, Clone, Debug)]
pub enum ExternDesc {
    CoreModule(u32),
    Func(u32),
    Value(ValType),
    Type(TypeBound),
    Component(u32),
    Instance(u32),
}

impl ExternDesc {
    pub fn sort(&self) -> Sort {
        match self {
            ExternDesc::CoreModule(_) => Sort::Core(CoreSort::Module),
            ExternDesc::Func(_) => Sort::Func,
            ExternDesc::Value(_) => Sort::Value,
            ExternDesc::Type(_) => Sort::Type,
            ExternDesc::Component(_) => Sort::Component,
            ExternDesc::Instance(_) => Sort::Instance,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum StringEncoding {
    Utf8,
    Utf16,
    Latin1Utf16,
}

/// Canonical options (`canonopt`).
#[derive(Clone, Debug)]
pub struct CanonOpts {
    pub encoding: StringEncoding,
    pub memory: Option<u32>,
    pub realloc: Option<u32>,
    pub post_return: Option<u32>,
}

#[derive(Debug)]
pub enum Canon {
    /// `(canon lift core-func opts (type t))`: defines a func.
    Lift { core_func: u32, opts: CanonOpts, ty: u32 },
    /// `(canon lower func opts)`: defines a core func.
    Lower { func: u32, opts: CanonOpts },
    /// `resource.new/drop/rep t`: define core funcs.
    ResourceNew(u32),
    ResourceDrop(u32),
    ResourceRep(u32),
}

#[derive(Debug)]
pub struct Import {
    pub name: String,
    pub desc: ExternDesc,
}

#[derive(Debug)]
pub struct Export {
    pub name: String,
    pub sort: Sort,
    pub index: u32,
    /// An ascribed type, checked against the item.
    pub desc: Option<ExternDesc>,
}

impl Def {
    /// The index space this definition adds an entry to, if any.
    pub fn sort(&self) -> Option<Sort> {
        Some(match self {
            Def::CoreModule(_) => Sort::Core(CoreSort::Module),
            Def::CoreInstance(_) => Sort::Core(CoreSort::Instance),
            Def::CoreType(_) => Sort::Core(CoreSort::Type),
            Def::Component(_) => Sort::Component,
            Def::Instance(_) => Sort::Instance,
            Def::Alias(a) => a.sort(),
            Def::Type(_) => Sort::Type,
            Def::Canon(Canon::Lift { .. }) => Sort::Func,
            Def::Canon(_) => Sort::Core(CoreSort::Func),
            Def::Import(i) => i.desc.sort(),
            Def::Export(e) => e.sort,
        })
    }
}
