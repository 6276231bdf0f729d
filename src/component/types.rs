//! Component types as instantiation resolves them (indices replaced by
//! the types they name), and component values.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub use super::ast::Prim;

/// A resolved component value type.
#[derive(Clone, Debug)]
pub enum Type {
    Prim(Prim),
    List(Arc<Type>),
    Record(Arc<Record>),
    Tuple(Arc<[Type]>),
    Variant(Arc<Variant>),
    Enum(Arc<Names>),
    Flags(Arc<Names>),
    Option(Arc<Type>),
    Result(Arc<ResultType>),
    Own(ResourceType),
    Borrow(ResourceType),
}

#[derive(Debug)]
pub struct Record {
    /// The name the type was exported or imported under, if any.
    pub name: Option<String>,
    pub fields: Vec<(String, Type)>,
}

#[derive(Debug)]
pub struct Variant {
    pub name: Option<String>,
    pub cases: Vec<(String, Option<Type>)>,
}

/// The cases of an enum or the members of a flags type.
#[derive(Debug)]
pub struct Names {
    pub name: Option<String>,
    pub names: Vec<String>,
}

#[derive(Debug)]
pub struct ResultType {
    pub ok: Option<Type>,
    pub err: Option<Type>,
}

/// A resource type: generative, compared by identity.
#[derive(Clone)]
pub struct ResourceType(pub(crate) Arc<ResourceDef>);

pub(crate) struct ResourceDef {
    pub(crate) id: u64,
    pub(crate) name: std::sync::Mutex<Option<String>>,
    /// The destructor of a resource defined by a component (core func).
    pub(crate) dtor: Option<crate::Func>,
    /// The component instance that defined it (its `resource.rep` and
    /// `borrow` lowering see reps); `None` for host resources.
    pub(crate) owner: Option<u64>,
    /// What the host does when a component drops an owned handle of a
    /// host resource (frees the state behind `rep`).
    pub(crate) host_drop: Option<HostDrop>,
}

/// A host resource's destructor: gets the representation.
pub type HostDrop = Arc<dyn Fn(u32) + Send + Sync>;

static NEXT_RESOURCE: AtomicU64 = AtomicU64::new(1);

impl ResourceType {
    pub(crate) fn new(dtor: Option<crate::Func>, owner: Option<u64>, name: Option<String>) -> ResourceType {
        let id = NEXT_RESOURCE.fetch_add(1, Ordering::Relaxed);
        ResourceType(Arc::new(ResourceDef { id, name: std::sync::Mutex::new(name), dtor, owner, host_drop: None }))
    }
    /// A resource type implemented by the host.
    pub fn host(name: &str) -> ResourceType {
        ResourceType::new(None, None, Some(name.to_owned()))
    }
    /// A host resource type whose handles, dropped by a component, call
    /// `drop` with their representation.
    pub fn host_with_drop(name: &str, drop: HostDrop) -> ResourceType {
        let id = NEXT_RESOURCE.fetch_add(1, Ordering::Relaxed);
        ResourceType(Arc::new(ResourceDef { id, name: std::sync::Mutex::new(Some(name.to_owned())), dtor: None, owner: None, host_drop: Some(drop) }))
    }
    pub fn id(&self) -> u64 {
        self.0.id
    }
    pub fn name(&self) -> Option<String> {
        self.0.name.lock().map(|n| n.clone()).unwrap_or(None)
    }
    pub(crate) fn set_name(&self, name: &str) {
        if let Ok(mut n) = self.0.name.lock() {
            n.get_or_insert_with(|| name.to_owned());
        }
    }
    pub fn is_host(&self) -> bool {
        self.0.owner.is_none()
    }
}

impl PartialEq for ResourceType {
    fn eq(&self, other: &Self) -> bool {
        self.0.id == other.0.id
    }
}

impl fmt::Debug for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "resource#{}", self.0.id)?;
        if let Some(n) = self.name() {
            write!(f, "({n})")?;
        }
        Ok(())
    }
}

/// A component function's type.
#[derive(Clone, Debug)]
pub struct FuncType {
    pub params: Vec<(String, Type)>,
    pub result: Option<Type>,
}

/// What an instance type or component type says an item is.
#[derive(Clone, Debug)]
pub enum ItemType {
    Func(Arc<FuncType>),
    Type(TypeItem),
    Instance(Arc<InstanceType>),
    Component(Arc<ComponentType>),
    CoreModule,
    Value(Type),
}

#[derive(Clone, Debug, Default)]
pub struct InstanceType {
    pub exports: Vec<(String, ItemType)>,
}

#[derive(Clone, Debug, Default)]
pub struct ComponentType {
    pub imports: Vec<(String, ItemType)>,
    pub exports: Vec<(String, ItemType)>,
}

/// An entry of the type index space.
#[derive(Clone, Debug)]
pub enum TypeItem {
    Val(Type),
    Func(Arc<FuncType>),
    Resource(ResourceType),
    Instance(Arc<InstanceType>),
    Component(Arc<ComponentType>),
}

impl Type {
    /// The type as WIT writes it.
    pub fn wit(&self) -> String {
        match self {
            Type::Prim(p) => p.name().to_owned(),
            Type::List(t) => format!("list<{}>", t.wit()),
            Type::Record(r) => r.name.clone().unwrap_or_else(|| {
                let fs: Vec<String> = r.fields.iter().map(|(n, t)| format!("{n}: {}", t.wit())).collect();
                format!("record {{ {} }}", fs.join(", "))
            }),
            Type::Tuple(ts) => format!("tuple<{}>", ts.iter().map(Type::wit).collect::<Vec<_>>().join(", ")),
            Type::Variant(v) => v.name.clone().unwrap_or_else(|| "variant".into()),
            Type::Enum(e) => e.name.clone().unwrap_or_else(|| format!("enum {{ {} }}", e.names.join(", "))),
            Type::Flags(e) => e.name.clone().unwrap_or_else(|| format!("flags {{ {} }}", e.names.join(", "))),
            Type::Option(t) => format!("option<{}>", t.wit()),
            Type::Result(r) => match (&r.ok, &r.err) {
                (None, None) => "result".into(),
                (Some(o), None) => format!("result<{}>", o.wit()),
                (None, Some(e)) => format!("result<_, {}>", e.wit()),
                (Some(o), Some(e)) => format!("result<{}, {}>", o.wit(), e.wit()),
            },
            Type::Own(r) => r.name().unwrap_or_else(|| "resource".into()),
            Type::Borrow(r) => format!("borrow<{}>", r.name().unwrap_or_else(|| "resource".into())),
        }
    }

    /// Structural equality, resources by identity (the subtyping check of
    /// imports and `canon` types: value types are only equal to themselves).
    pub fn same(&self, other: &Type) -> bool {
        match (self, other) {
            (Type::Prim(a), Type::Prim(b)) => a == b,
            (Type::List(a), Type::List(b)) | (Type::Option(a), Type::Option(b)) => a.same(b),
            (Type::Record(a), Type::Record(b)) => {
                a.fields.len() == b.fields.len()
                    && a.fields.iter().zip(&b.fields).all(|((n1, t1), (n2, t2))| n1 == n2 && t1.same(t2))
            }
            (Type::Tuple(a), Type::Tuple(b)) => a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.same(y)),
            (Type::Variant(a), Type::Variant(b)) => {
                a.cases.len() == b.cases.len()
                    && a.cases.iter().zip(&b.cases).all(|((n1, t1), (n2, t2))| n1 == n2 && opt_same(t1, t2))
            }
            (Type::Enum(a), Type::Enum(b)) | (Type::Flags(a), Type::Flags(b)) => a.names == b.names,
            (Type::Result(a), Type::Result(b)) => opt_same(&a.ok, &b.ok) && opt_same(&a.err, &b.err),
            (Type::Own(a), Type::Own(b)) | (Type::Borrow(a), Type::Borrow(b)) => a == b,
            _ => false,
        }
    }
}

/// Abstract resource types (by id) replaced with the ones a host gave.
pub(crate) type Subst = std::collections::HashMap<u64, ResourceType>;

impl Type {
    /// This type with the resources of `s` replaced.
    pub(crate) fn subst(&self, s: &Subst) -> Type {
        if s.is_empty() {
            return self.clone();
        }
        let o = |t: &Option<Type>| t.as_ref().map(|t| t.subst(s));
        match self {
            Type::Prim(_) => self.clone(),
            Type::List(t) => Type::List(Arc::new(t.subst(s))),
            Type::Option(t) => Type::Option(Arc::new(t.subst(s))),
            Type::Record(r) => Type::Record(Arc::new(Record { name: r.name.clone(), fields: r.fields.iter().map(|(n, t)| (n.clone(), t.subst(s))).collect() })),
            Type::Tuple(ts) => Type::Tuple(ts.iter().map(|t| t.subst(s)).collect::<Vec<_>>().into()),
            Type::Variant(v) => Type::Variant(Arc::new(Variant { name: v.name.clone(), cases: v.cases.iter().map(|(n, t)| (n.clone(), o(t))).collect() })),
            Type::Enum(_) | Type::Flags(_) => self.clone(),
            Type::Result(r) => Type::Result(Arc::new(ResultType { ok: o(&r.ok), err: o(&r.err) })),
            Type::Own(r) => Type::Own(s.get(&r.id()).cloned().unwrap_or_else(|| r.clone())),
            Type::Borrow(r) => Type::Borrow(s.get(&r.id()).cloned().unwrap_or_else(|| r.clone())),
        }
    }
}

impl FuncType {
    pub(crate) fn subst(&self, s: &Subst) -> FuncType {
        FuncType { params: self.params.iter().map(|(n, t)| (n.clone(), t.subst(s))).collect(), result: self.result.as_ref().map(|t| t.subst(s)) }
    }
}

fn opt_same(a: &Option<Type>, b: &Option<Type>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.same(b),
        _ => false,
    }
}

impl FuncType {
    pub fn same(&self, other: &FuncType) -> bool {
        self.params.len() == other.params.len()
            && self.params.iter().zip(&other.params).all(|((_, a), (_, b))| a.same(b))
            && opt_same(&self.result, &other.result)
    }
    /// The signature as WIT writes it.
    pub fn wit(&self) -> String {
        let ps: Vec<String> = self.params.iter().map(|(n, t)| format!("{n}: {}", t.wit())).collect();
        match &self.result {
            Some(r) => format!("func({}) -> {}", ps.join(", "), r.wit()),
            None => format!("func({})", ps.join(", ")),
        }
    }
}

/// A component value.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Bool(bool),
    S8(i8),
    U8(u8),
    S16(i16),
    U16(u16),
    S32(i32),
    U32(u32),
    S64(i64),
    U64(u64),
    F32(f32),
    F64(f64),
    Char(char),
    String(String),
    List(Vec<Val>),
    /// A `list<u8>`, kept as bytes.
    Bytes(Vec<u8>),
    Record(Vec<Val>),
    Tuple(Vec<Val>),
    /// Case index and payload.
    Variant(u32, Option<Box<Val>>),
    Enum(u32),
    /// Set members, as indices in ascending order.
    Flags(Vec<u32>),
    Option(Option<Box<Val>>),
    Result(Result<Option<Box<Val>>, Option<Box<Val>>>),
    /// A resource handle held by the host (owned or borrowed).
    Resource(Resource),
}

/// A resource handle the host holds: its type and its representation.
/// An owned handle moves into the component when passed as `own`.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub ty: ResourceType,
    pub rep: u32,
    pub own: bool,
}
