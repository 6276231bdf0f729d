//! Component instantiation (`Explainer.md`, "Instance definitions"): the
//! definitions of a component are evaluated in order, each appending to
//! its index space; core modules are instantiated in the core store,
//! `canon lift` makes component functions of core functions and `canon
//! lower` core functions of component functions. Nested components are
//! instantiated the same way, seeing their enclosing components' types,
//! modules and components through outer aliases.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::abi::{self, trap, Cx, FlatIter, Handle};
use super::ast::{self, CoreSort, Sort, StringEncoding};
use super::types::*;
use crate::{Error, Extern, Func, Result, Store, Trap, ValType, Value};

/// A decoded and checked component, ready to instantiate.
#[derive(Clone, Debug)]
pub struct Component {
    pub(crate) ast: Arc<ast::Component>,
}

impl Component {
    /// Decodes a component binary (its core modules are validated).
    ///
    /// # Errors
    /// [`Error::Decode`]/[`Error::Validate`] with the offset.
    pub fn new(bytes: &[u8]) -> Result<Component> {
        let ast = super::binary::decode(bytes)?;
        super::validate::check(&ast)?;
        Ok(Component { ast: Arc::new(ast) })
    }

    /// The names of the component's imports, in order.
    pub fn import_names(&self) -> Vec<String> {
        self.ast.defs.iter().filter_map(|d| if let ast::Def::Import(i) = d { Some(i.name.clone()) } else { None }).collect()
    }

    /// The names of the component's exports, in order.
    pub fn export_names(&self) -> Vec<String> {
        self.ast.defs.iter().filter_map(|d| if let ast::Def::Export(e) = d { Some(e.name.clone()) } else { None }).collect()
    }
}

/// A host function: gets its declared type and the arguments.
pub type HostFn = Arc<dyn Fn(&mut Store, &FuncType, &[Val]) -> std::result::Result<Option<Val>, Trap> + Send + Sync>;

/// A component function.
#[derive(Clone)]
pub struct CFunc(pub(crate) Arc<FuncInner>);

pub(crate) struct FuncInner {
    pub(crate) ty: Arc<FuncType>,
    pub(crate) kind: FuncKind,
}

#[derive(Clone)]
pub(crate) enum FuncKind {
    Lifted { core: Func, opts: Opts, inst: Arc<InstState> },
    Host(HostFn),
}

/// Resolved canonical options.
#[derive(Clone)]
pub(crate) struct Opts {
    memory: Option<crate::Memory>,
    realloc: Option<Func>,
    post_return: Option<Func>,
    encoding: StringEncoding,
}

impl std::fmt::Debug for CFunc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CFunc({})", self.0.ty.wit())
    }
}

impl CFunc {
    /// The function's type.
    pub fn ty(&self) -> &FuncType {
        &self.0.ty
    }
    /// This function under another (structurally equal) type: the one an
    /// import or export ascribes, which names its types.
    fn retyped(&self, ty: Arc<FuncType>) -> CFunc {
        CFunc(Arc::new(FuncInner { ty, kind: self.0.kind.clone() }))
    }
}

/// What a component instance exports, or what an import is given.
#[derive(Clone, Debug)]
pub enum Item {
    Func(CFunc),
    Type(TypeItem),
    Instance(Arc<CInstance>),
    Component(CompDef),
    CoreModule(crate::Module),
}

impl Item {
    fn sort(&self) -> Sort {
        match self {
            Item::Func(_) => Sort::Func,
            Item::Type(_) => Sort::Type,
            Item::Instance(_) => Sort::Instance,
            Item::Component(_) => Sort::Component,
            Item::CoreModule(_) => Sort::Core(CoreSort::Module),
        }
    }
}

/// A component instance: its exports, in order.
#[derive(Debug, Default)]
pub struct CInstance {
    pub exports: Vec<(String, Item)>,
}

impl CInstance {
    pub fn get(&self, name: &str) -> Option<&Item> {
        self.exports.iter().find(|(n, _)| n == name).map(|(_, i)| i)
    }
    /// An exported function (also `iface#name` for a function of an
    /// exported instance).
    pub fn func(&self, name: &str) -> Option<CFunc> {
        if let Some(Item::Func(f)) = self.get(name) {
            return Some(f.clone());
        }
        let (iface, f) = name.rsplit_once('#')?;
        match self.get(iface)? {
            Item::Instance(i) => i.func(f),
            _ => None,
        }
    }
}

/// A component not yet instantiated, with the scope of its enclosing
/// components (what outer aliases see).
#[derive(Clone, Debug)]
pub struct CompDef {
    ast: Arc<ast::Component>,
    outer: Option<Arc<Scope>>,
}

/// The static index spaces of an enclosing component.
#[derive(Debug)]
struct Scope {
    types: Vec<TypeItem>,
    components: Vec<CompDef>,
    core_modules: Vec<crate::Module>,
    parent: Option<Arc<Scope>>,
}

/// Per component instance state: its resource handle table.
pub struct InstState {
    pub(crate) id: u64,
    table: Mutex<HandleTable>,
}

#[derive(Default)]
struct HandleTable {
    /// Index 0 is never a handle.
    slots: Vec<Option<Handle>>,
    free: Vec<u32>,
}

static NEXT_INSTANCE: AtomicU64 = AtomicU64::new(1);

/// A bound on handles per instance, so a component cannot make the host
/// allocate without limit.
const MAX_HANDLES: usize = 1 << 20;

impl InstState {
    fn new() -> Arc<InstState> {
        Arc::new(InstState { id: NEXT_INSTANCE.fetch_add(1, Ordering::Relaxed), table: Mutex::new(HandleTable::default()) })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HandleTable> {
        self.table.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn handles_insert(&self, h: Handle) -> u32 {
        let mut t = self.lock();
        if t.slots.is_empty() {
            t.slots.push(None);
        }
        if let Some(i) = t.free.pop() {
            t.slots[i as usize] = Some(h);
            return i;
        }
        if t.slots.len() >= MAX_HANDLES {
            // Reported by the caller's next use of the handle: index 0 is
            // never valid.
            return 0;
        }
        t.slots.push(Some(h));
        (t.slots.len() - 1) as u32
    }

    fn check<'a>(t: &'a mut HandleTable, i: u32, rt: &ResourceType) -> std::result::Result<&'a mut Handle, Trap> {
        match t.slots.get_mut(i as usize).and_then(Option::as_mut) {
            Some(h) if h.ty == *rt => Ok(h),
            Some(h) => Err(trap(format!("handle {i} is a {:?}, not a {rt:?}", h.ty))),
            None => Err(trap(format!("unknown handle index {i}"))),
        }
    }

    pub(crate) fn handles_get(&self, i: u32, rt: &ResourceType) -> std::result::Result<Handle, Trap> {
        let mut t = self.lock();
        Self::check(&mut t, i, rt).map(|h| h.clone())
    }

    pub(crate) fn handles_remove(&self, i: u32, rt: &ResourceType, own: bool) -> std::result::Result<Handle, Trap> {
        let mut t = self.lock();
        let h = Self::check(&mut t, i, rt)?;
        if own && !h.own {
            return Err(trap(format!("handle {i} is borrowed, not owned")));
        }
        if h.lends > 0 {
            return Err(trap(format!("handle {i} is still lent out")));
        }
        let h = t.slots[i as usize].take().expect("checked");
        t.free.push(i);
        Ok(h)
    }

    /// Removes borrow handles lent for a call that has returned.
    fn end_lends(&self, lent: &[u32]) {
        let mut t = self.lock();
        for &i in lent {
            if let Some(slot) = t.slots.get_mut(i as usize) {
                if slot.as_ref().is_some_and(|h| !h.own) {
                    *slot = None;
                    t.free.push(i);
                }
            }
        }
    }

    /// Handles currently in the table.
    pub fn live_handles(&self) -> usize {
        self.lock().slots.iter().filter(|s| s.is_some()).count()
    }
}

/// What a host gives a component's imports: by import name, a function
/// (typed by the import), a resource type, or an instance of such.
#[derive(Clone)]
pub enum Provided {
    Func(HostFn),
    Resource(ResourceType),
    Instance(HashMap<String, Provided>),
    Item(Item),
}

/// Names what a host gives a component's imports.
#[derive(Clone, Default)]
pub struct Linker {
    pub(crate) items: HashMap<String, Provided>,
    /// Functions not defined become ones that trap when called (to look
    /// at a component's exports without providing its imports).
    pub(crate) stub_missing: bool,
    /// The functions made stubs (import `iface#name` and its type), as
    /// the last instantiation found them.
    pub(crate) stubbed: Arc<Mutex<Vec<(String, Arc<FuncType>)>>>,
}

impl Linker {
    pub fn new() -> Linker {
        Linker::default()
    }

    /// Defines a host function `name` of the import `instance` (an
    /// interface name such as `xyz:host/log`), or a top-level import when
    /// `instance` is `None`.
    pub fn func(&mut self, instance: Option<&str>, name: &str, f: HostFn) {
        self.define(instance, name, Provided::Func(f));
    }

    /// Defines a host resource type.
    pub fn resource(&mut self, instance: Option<&str>, name: &str, ty: ResourceType) {
        self.define(instance, name, Provided::Resource(ty));
    }

    /// Makes functions the linker does not define trap when called,
    /// instead of failing instantiation.
    pub fn stub_missing(&mut self) {
        self.stub_missing = true;
    }

    /// The imports the last instantiation made stubs of, with their types.
    pub fn stubbed(&self) -> Vec<(String, Arc<FuncType>)> {
        self.stubbed.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// Defines any item (e.g. an instance of another component).
    pub fn item(&mut self, name: &str, item: Item) {
        self.items.insert(name.to_owned(), Provided::Item(item));
    }

    fn define(&mut self, instance: Option<&str>, name: &str, p: Provided) {
        match instance {
            None => {
                self.items.insert(name.to_owned(), p);
            }
            Some(i) => {
                let entry = self.items.entry(i.to_owned()).or_insert_with(|| Provided::Instance(HashMap::new()));
                if !matches!(entry, Provided::Instance(_)) {
                    *entry = Provided::Instance(HashMap::new());
                }
                if let Provided::Instance(m) = entry {
                    m.insert(name.to_owned(), p);
                }
            }
        }
    }

    /// Instantiates `component` in `store`.
    ///
    /// # Errors
    /// [`Error::Link`] naming a missing or mistyped import; a trap of a
    /// core module's start function.
    pub fn instantiate(&self, store: &mut Store, component: &Component) -> Result<Instance> {
        let mut roots = Vec::new();
        let imports: HashMap<String, Provided> = self.items.clone();
        let def = CompDef { ast: component.ast.clone(), outer: None };
        let stubs = self.stub_missing.then_some(&*self.stubbed);
        if let Some(s) = stubs {
            s.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
        }
        let (exports, state) = instantiate(store, &def, &Imports::Host(&imports, stubs), &mut roots, 0)?;
        Ok(Instance { exports, state, roots })
    }
}

/// An instantiated component.
pub struct Instance {
    pub exports: Arc<CInstance>,
    pub state: Arc<InstState>,
    /// Core instances and functions it made (what keeps them alive in a
    /// collection of the store, see [`Store::collect`]).
    pub roots: Vec<crate::Root>,
}

impl Instance {
    /// An exported function by name, or `interface#name`.
    pub fn func(&self, name: &str) -> Option<CFunc> {
        self.exports.func(name)
    }
}

enum Imports<'a> {
    /// What the host gives, and (if missing functions become stubs) the
    /// list of those.
    Host(&'a HashMap<String, Provided>, Option<&'a Stubs>),
    Nested(&'a HashMap<String, Item>),
}

enum CoreInst {
    Real(crate::Instance),
    Bag(Vec<(String, Extern)>),
}

#[derive(Default)]
struct Env {
    core_funcs: Vec<Func>,
    core_tables: Vec<crate::Table>,
    core_mems: Vec<crate::Memory>,
    core_globals: Vec<crate::Global>,
    core_tags: Vec<crate::Tag>,
    core_types: Vec<Option<crate::FuncType>>,
    core_modules: Vec<crate::Module>,
    core_instances: Vec<CoreInst>,
    funcs: Vec<CFunc>,
    types: Vec<TypeItem>,
    components: Vec<CompDef>,
    instances: Vec<Arc<CInstance>>,
}

fn link(msg: impl Into<String>) -> Error {
    Error::Link(msg.into())
}

fn get<T: Clone>(v: &[T], i: u32, what: &str) -> Result<T> {
    v.get(i as usize).cloned().ok_or_else(|| link(format!("unknown {what} {i}")))
}

const MAX_NESTING: u32 = 100;

fn instantiate(store: &mut Store, def: &CompDef, imports: &Imports<'_>, roots: &mut Vec<crate::Root>, depth: u32) -> Result<(Arc<CInstance>, Arc<InstState>)> {
    if depth > MAX_NESTING {
        return Err(link("component instances nested too deeply"));
    }
    let state = InstState::new();
    let mut env = Env::default();
    let mut exports = CInstance::default();
    for d in &def.ast.defs {
        match d {
            ast::Def::CoreModule(m) => env.core_modules.push(m.clone()),
            ast::Def::CoreInstance(ast::CoreInstance::Instantiate { module, args }) => {
                let m = get(&env.core_modules, *module, "core module")?;
                let mut externs = Vec::new();
                for (modname, field, _) in m.imports() {
                    let Some((_, i)) = args.iter().find(|(n, _)| *n == modname) else {
                        return Err(link(format!("core module import `{modname}` is not given to its instantiation")));
                    };
                    let ext = core_export(store, &env, *i, &field)?
                        .ok_or_else(|| link(format!("core instance {i} has no export `{field}` (imported as `{modname}`.`{field}`)")))?;
                    externs.push(ext);
                }
                let inst = store.instantiate(&m, &externs)?;
                roots.push(crate::Root::Instance(inst));
                env.core_instances.push(CoreInst::Real(inst));
            }
            ast::Def::CoreInstance(ast::CoreInstance::FromExports(items)) => {
                let mut bag = Vec::new();
                for (name, sort, i) in items {
                    bag.push((name.clone(), core_item(&env, *sort, *i)?));
                }
                env.core_instances.push(CoreInst::Bag(bag));
            }
            ast::Def::CoreType(t) => env.core_types.push(match t {
                ast::CoreType::Func(f) => Some(f.clone()),
                ast::CoreType::Module => None,
            }),
            ast::Def::Component(c) => {
                let scope = Arc::new(Scope {
                    types: env.types.clone(),
                    components: env.components.clone(),
                    core_modules: env.core_modules.clone(),
                    parent: def.outer.clone(),
                });
                env.components.push(CompDef { ast: c.clone(), outer: Some(scope) });
            }
            ast::Def::Instance(ast::Instance::Instantiate { component, args }) => {
                let c = get(&env.components, *component, "component")?;
                let mut given = HashMap::new();
                for (name, sort, i) in args {
                    given.insert(name.clone(), item(&env, *sort, *i)?);
                }
                let (inst, _) = instantiate(store, &c, &Imports::Nested(&given), roots, depth + 1)?;
                env.instances.push(inst);
            }
            ast::Def::Instance(ast::Instance::FromExports(items)) => {
                let mut inst = CInstance::default();
                for (name, sort, i) in items {
                    inst.exports.push((name.clone(), item(&env, *sort, *i)?));
                }
                env.instances.push(Arc::new(inst));
            }
            ast::Def::Alias(a) => alias(store, &mut env, def, a)?,
            ast::Def::Type(t) => {
                let ty = resolve_typedef(store, &env.types, &env, def, t, &state)?;
                check_cost(&ty)?;
                env.types.push(ty);
            }
            ast::Def::Canon(c) => canon(store, &mut env, c, &state, roots)?,
            ast::Def::Import(imp) => {
                let it = match imports {
                    Imports::Nested(m) => {
                        let it = m.get(&imp.name).cloned().ok_or_else(|| link(format!("missing import `{}`", imp.name)))?;
                        typed_item(store, &env, def, &imp.name, it, &imp.desc)?
                    }
                    Imports::Host(m, stub) => {
                        // `wasi:cli/environment@0.2.6` is found under its
                        // versioned name, else its name without the version.
                        let p = m.get(&imp.name).or_else(|| imp.name.split_once('@').and_then(|(n, _)| m.get(n)));
                        provide(store, &env, def, &imp.name, p, &imp.desc, *stub)?
                    }
                };
                push_item(&mut env, it);
            }
            ast::Def::Export(e) => {
                let mut it = item(&env, e.sort, e.index)?;
                if let Some(desc) = &e.desc {
                    it = typed_item(store, &env, def, &e.name, it, desc)?;
                }
                let it = name_item(it, &e.name);
                exports.exports.push((e.name.clone(), it.clone()));
                push_item(&mut env, it);
            }
        }
    }
    Ok((Arc::new(exports), state))
}

/// An exported type gets the export's name (for the host's classes).
fn name_item(it: Item, name: &str) -> Item {
    let base = name.rsplit(['/', ':']).next().unwrap_or(name);
    let base = base.split('@').next().unwrap_or(base).to_owned();
    match it {
        Item::Type(TypeItem::Val(t)) => Item::Type(TypeItem::Val(named(t, &base))),
        Item::Type(TypeItem::Resource(r)) => {
            r.set_name(&base);
            Item::Type(TypeItem::Resource(r))
        }
        other => other,
    }
}

fn named(t: Type, name: &str) -> Type {
    match t {
        Type::Record(r) => Type::Record(Arc::new(Record { name: Some(name.to_owned()), fields: r.fields.clone() })),
        Type::Variant(v) => Type::Variant(Arc::new(Variant { name: Some(name.to_owned()), cases: v.cases.clone() })),
        Type::Enum(e) => Type::Enum(Arc::new(Names { name: Some(name.to_owned()), names: e.names.clone() })),
        Type::Flags(e) => Type::Flags(Arc::new(Names { name: Some(name.to_owned()), names: e.names.clone() })),
        other => other,
    }
}

fn push_item(env: &mut Env, it: Item) {
    match it {
        Item::Func(f) => env.funcs.push(f),
        Item::Type(t) => env.types.push(t),
        Item::Instance(i) => env.instances.push(i),
        Item::Component(c) => env.components.push(c),
        Item::CoreModule(m) => env.core_modules.push(m),
    }
}

fn item(env: &Env, sort: Sort, i: u32) -> Result<Item> {
    Ok(match sort {
        Sort::Func => Item::Func(get(&env.funcs, i, "func")?),
        Sort::Type => Item::Type(get(&env.types, i, "type")?),
        Sort::Instance => Item::Instance(get(&env.instances, i, "instance")?),
        Sort::Component => Item::Component(get(&env.components, i, "component")?),
        Sort::Core(CoreSort::Module) => Item::CoreModule(get(&env.core_modules, i, "core module")?),
        other => return Err(link(format!("a {other} cannot be passed between components"))),
    })
}

fn core_item(env: &Env, sort: CoreSort, i: u32) -> Result<Extern> {
    Ok(match sort {
        CoreSort::Func => Extern::Func(get(&env.core_funcs, i, "core func")?),
        CoreSort::Table => Extern::Table(get(&env.core_tables, i, "core table")?),
        CoreSort::Memory => Extern::Memory(get(&env.core_mems, i, "core memory")?),
        CoreSort::Global => Extern::Global(get(&env.core_globals, i, "core global")?),
        CoreSort::Tag => Extern::Tag(get(&env.core_tags, i, "core tag")?),
        other => return Err(link(format!("a core instance cannot export a {other:?}"))),
    })
}

fn core_export(store: &Store, env: &Env, i: u32, name: &str) -> Result<Option<Extern>> {
    match env.core_instances.get(i as usize) {
        None => Err(link(format!("unknown core instance {i}"))),
        Some(CoreInst::Real(inst)) => Ok(store.export(*inst, name)),
        Some(CoreInst::Bag(b)) => Ok(b.iter().find(|(n, _)| n == name).map(|(_, e)| *e)),
    }
}

fn alias(store: &mut Store, env: &mut Env, def: &CompDef, a: &ast::Alias) -> Result<()> {
    match a {
        ast::Alias::CoreInstanceExport { sort, instance, name } => {
            let ext = core_export(store, env, *instance, name)?
                .ok_or_else(|| link(format!("core instance {instance} has no export `{name}`")))?;
            match (sort, ext) {
                (CoreSort::Func, Extern::Func(f)) => env.core_funcs.push(f),
                (CoreSort::Table, Extern::Table(t)) => env.core_tables.push(t),
                (CoreSort::Memory, Extern::Memory(m)) => env.core_mems.push(m),
                (CoreSort::Global, Extern::Global(g)) => env.core_globals.push(g),
                (CoreSort::Tag, Extern::Tag(t)) => env.core_tags.push(t),
                _ => return Err(link(format!("core export `{name}` is not a {}", Sort::Core(*sort)))),
            }
        }
        ast::Alias::InstanceExport { sort, instance, name } => {
            let inst = get(&env.instances, *instance, "instance")?;
            let it = inst.get(name).cloned().ok_or_else(|| link(format!("instance {instance} has no export `{name}`")))?;
            if it.sort() != *sort {
                return Err(link(format!("export `{name}` is a {}, not a {sort}", it.sort())));
            }
            push_item(env, it);
        }
        ast::Alias::Outer { sort, count, index } => {
            let it = outer(env, def, *sort, *count, *index)?;
            push_item(env, it);
        }
    }
    Ok(())
}

fn outer(env: &Env, def: &CompDef, sort: Sort, count: u32, i: u32) -> Result<Item> {
    if count == 0 {
        return item(env, sort, i);
    }
    let mut scope = def.outer.clone();
    for _ in 1..count {
        scope = scope.and_then(|s| s.parent.clone());
    }
    let s = scope.ok_or_else(|| link(format!("outer alias count {count} is past the outermost component")))?;
    Ok(match sort {
        Sort::Type => Item::Type(get(&s.types, i, "outer type")?),
        Sort::Component => Item::Component(get(&s.components, i, "outer component")?),
        Sort::Core(CoreSort::Module) => Item::CoreModule(get(&s.core_modules, i, "outer core module")?),
        other => return Err(link(format!("an outer alias cannot refer to a {other}"))),
    })
}

// ---- Types ----

/// Where types are resolved: a type index space (the component's, or an
/// instance or component type's own) and what outer aliases reach.
struct TypeCx<'a> {
    env: &'a Env,
    def: &'a CompDef,
    /// Enclosing declaration scopes' type spaces, innermost last (outer
    /// aliases inside type declarations count these first).
    decl_scopes: Vec<Vec<TypeItem>>,
}

fn resolve_val(types: &[TypeItem], t: ast::ValType) -> Result<Type> {
    match t {
        ast::ValType::Prim(p) => Ok(Type::Prim(p)),
        ast::ValType::Index(i) => match types.get(i as usize) {
            Some(TypeItem::Val(t)) => Ok(t.clone()),
            Some(other) => Err(link(format!("type {i} is not a value type ({})", kind_name(other)))),
            None => Err(link(format!("unknown type {i}"))),
        },
    }
}

fn kind_name(t: &TypeItem) -> &'static str {
    match t {
        TypeItem::Val(_) => "a value type",
        TypeItem::Func(_) => "a function type",
        TypeItem::Resource(_) => "a resource",
        TypeItem::Instance(_) => "an instance type",
        TypeItem::Component(_) => "a component type",
    }
}

fn resource_at(types: &[TypeItem], i: u32) -> Result<ResourceType> {
    match types.get(i as usize) {
        Some(TypeItem::Resource(r)) => Ok(r.clone()),
        Some(other) => Err(link(format!("type {i} is not a resource ({})", kind_name(other)))),
        None => Err(link(format!("unknown type {i}"))),
    }
}

fn resolve_defval(types: &[TypeItem], d: &ast::DefValType) -> Result<Type> {
    let v = |t: &ast::ValType| resolve_val(types, *t);
    let ov = |t: &Option<ast::ValType>| t.as_ref().map(|t| resolve_val(types, *t)).transpose();
    Ok(match d {
        ast::DefValType::Prim(p) => Type::Prim(*p),
        ast::DefValType::Record(fs) => Type::Record(Arc::new(Record {
            name: None,
            fields: fs.iter().map(|(n, t)| Ok((n.clone(), v(t)?))).collect::<Result<_>>()?,
        })),
        ast::DefValType::Variant(cs) => Type::Variant(Arc::new(Variant {
            name: None,
            cases: cs.iter().map(|(n, t)| Ok((n.clone(), ov(t)?))).collect::<Result<_>>()?,
        })),
        ast::DefValType::List(t) => Type::List(Arc::new(v(t)?)),
        ast::DefValType::Tuple(ts) => Type::Tuple(ts.iter().map(v).collect::<Result<Vec<_>>>()?.into()),
        ast::DefValType::Flags(ns) => Type::Flags(Arc::new(Names { name: None, names: ns.clone() })),
        ast::DefValType::Enum(ns) => Type::Enum(Arc::new(Names { name: None, names: ns.clone() })),
        ast::DefValType::Option(t) => Type::Option(Arc::new(v(t)?)),
        ast::DefValType::Result { ok, err } => Type::Result(Arc::new(ResultType { ok: ov(ok)?, err: ov(err)? })),
        ast::DefValType::Own(i) => Type::Own(resource_at(types, *i)?),
        ast::DefValType::Borrow(i) => Type::Borrow(resource_at(types, *i)?),
    })
}

fn resolve_func(types: &[TypeItem], f: &ast::FuncType) -> Result<FuncType> {
    Ok(FuncType {
        params: f.params.iter().map(|(n, t)| Ok((n.clone(), resolve_val(types, *t)?))).collect::<Result<_>>()?,
        result: f.result.map(|t| resolve_val(types, t)).transpose()?,
    })
}

/// The deepest a value type may nest, and the most nodes it may have
/// counted as a tree (shared parts once per use): lifting, lowering and
/// flattening walk types recursively, so a hostile component's type must
/// not be deep enough to exhaust the native stack nor big enough to hang.
const MAX_TYPE_DEPTH: u32 = 100;
const MAX_TYPE_SIZE: u64 = 1_000_000;

/// Depth and tree size of a type, memoised by node (a component can
/// share one node many times; each node is measured once).
fn cost(t: &Type, memo: &mut HashMap<usize, (u32, u64)>) -> (u32, u64) {
    fn key<T>(a: &Arc<T>) -> usize {
        Arc::as_ptr(a) as *const u8 as usize
    }
    let (k, children): (usize, Vec<&Type>) = match t {
        Type::Prim(_) | Type::Enum(_) | Type::Flags(_) | Type::Own(_) | Type::Borrow(_) => return (1, 1),
        Type::List(e) | Type::Option(e) => (key(e), vec![&**e]),
        Type::Record(r) => (key(r), r.fields.iter().map(|(_, t)| t).collect()),
        Type::Tuple(ts) => (Arc::as_ptr(ts) as *const u8 as usize, ts.iter().collect()),
        Type::Variant(v) => (key(v), v.cases.iter().filter_map(|(_, t)| t.as_ref()).collect()),
        Type::Result(r) => (key(r), [r.ok.as_ref(), r.err.as_ref()].into_iter().flatten().collect()),
    };
    if let Some(c) = memo.get(&k) {
        return *c;
    }
    let mut c = (1u32, 1u64);
    for ch in children {
        let (d, n) = cost(ch, memo);
        c = (c.0.max(d.saturating_add(1)), c.1.saturating_add(n));
        // Children were checked when made: deeper than the bound by one
        // level at most, so this recursion stays shallow.
        if c.0 > MAX_TYPE_DEPTH + 1 {
            break;
        }
    }
    memo.insert(k, c);
    c
}

fn check_cost(t: &TypeItem) -> Result<()> {
    let mut memo = HashMap::new();
    let types: Vec<&Type> = match t {
        TypeItem::Val(v) => vec![v],
        TypeItem::Func(f) => f.params.iter().map(|(_, t)| t).chain(f.result.as_ref()).collect(),
        _ => return Ok(()),
    };
    for t in types {
        let (depth, size) = cost(t, &mut memo);
        if depth > MAX_TYPE_DEPTH {
            return Err(link(format!("type nesting too deep: more than {MAX_TYPE_DEPTH} levels")));
        }
        if size > MAX_TYPE_SIZE {
            return Err(link(format!("type too large: more than {MAX_TYPE_SIZE} parts")));
        }
    }
    Ok(())
}

fn resolve_typedef(store: &mut Store, types: &[TypeItem], env: &Env, def: &CompDef, t: &ast::TypeDef, state: &Arc<InstState>) -> Result<TypeItem> {
    Ok(match t {
        ast::TypeDef::Val(d) => TypeItem::Val(resolve_defval(types, d)?),
        ast::TypeDef::Func(f) => TypeItem::Func(Arc::new(resolve_func(types, f)?)),
        ast::TypeDef::Resource { dtor } => {
            let dtor = dtor.map(|i| get(&env.core_funcs, i, "core func")).transpose()?;
            if let Some(d) = dtor {
                if *store.func_type(d) != crate::FuncType::new([ValType::I32], []) {
                    return Err(link("a resource destructor must have type [i32] -> []"));
                }
            }
            TypeItem::Resource(ResourceType::new(dtor, Some(state.id), None))
        }
        ast::TypeDef::Instance(decls) => {
            let mut tcx = TypeCx { env, def, decl_scopes: vec![types.to_vec()] };
            let (_, exports) = resolve_decls(&mut tcx, decls)?;
            TypeItem::Instance(Arc::new(InstanceType { exports }))
        }
        ast::TypeDef::Component(decls) => {
            let mut tcx = TypeCx { env, def, decl_scopes: vec![types.to_vec()] };
            let (imports, exports) = resolve_decls(&mut tcx, decls)?;
            TypeItem::Component(Arc::new(ComponentType { imports, exports }))
        }
    })
}

type Decls = (Vec<(String, ItemType)>, Vec<(String, ItemType)>);

/// The imports and exports an instance or component type declares. Its
/// own types come first in a fresh index space; `(sub resource)` exports
/// get an abstract resource type each (made concrete by who provides it).
fn resolve_decls(tcx: &mut TypeCx<'_>, decls: &[ast::Decl]) -> Result<Decls> {
    let mut types: Vec<TypeItem> = Vec::new();
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    for d in decls {
        match d {
            ast::Decl::CoreType(_) => {}
            ast::Decl::Type(t) => {
                let ty = match t {
                    ast::TypeDef::Val(v) => TypeItem::Val(resolve_defval(&types, v)?),
                    ast::TypeDef::Func(f) => TypeItem::Func(Arc::new(resolve_func(&types, f)?)),
                    ast::TypeDef::Resource { .. } => return Err(link("a resource cannot be defined inside a type")),
                    ast::TypeDef::Instance(ds) => {
                        tcx.decl_scopes.push(types.clone());
                        let r = resolve_decls(tcx, ds);
                        tcx.decl_scopes.pop();
                        TypeItem::Instance(Arc::new(InstanceType { exports: r?.1 }))
                    }
                    ast::TypeDef::Component(ds) => {
                        tcx.decl_scopes.push(types.clone());
                        let r = resolve_decls(tcx, ds);
                        tcx.decl_scopes.pop();
                        let (imports, exports) = r?;
                        TypeItem::Component(Arc::new(ComponentType { imports, exports }))
                    }
                };
                check_cost(&ty)?;
                types.push(ty);
            }
            ast::Decl::Alias(ast::Alias::Outer { sort: Sort::Type, count, index }) => {
                // count 1 is the enclosing scope: a declaration scope, or
                // past those, the component itself and its outers.
                let n = tcx.decl_scopes.len() as u32;
                let t = if *count == 0 {
                    get(&types, *index, "type")?
                } else if *count <= n {
                    get(&tcx.decl_scopes[(n - count) as usize], *index, "outer type")?
                } else {
                    match outer(tcx.env, tcx.def, Sort::Type, count - n, *index)? {
                        Item::Type(t) => t,
                        _ => unreachable!("outer of sort type is a type"),
                    }
                };
                types.push(t);
            }
            ast::Decl::Alias(ast::Alias::InstanceExport { sort: Sort::Type, instance: _, name }) => {
                // An alias of a type exported by an instance declared
                // earlier in this type: find it among the declared ones.
                let found = imports.iter().chain(exports.iter()).rev().find_map(|(_, it): &(String, ItemType)| match it {
                    ItemType::Instance(i) => i.exports.iter().find(|(n, _)| n == name).map(|(_, t)| t.clone()),
                    _ => None,
                });
                match found {
                    Some(ItemType::Type(t)) => types.push(t),
                    _ => return Err(link(format!("type alias of unknown instance export `{name}`"))),
                }
            }
            ast::Decl::Alias(_) => return Err(link("only type aliases may appear in a type declaration")),
            ast::Decl::Import(name, desc) | ast::Decl::Export(name, desc) => {
                let it = decl_item(&mut types, name, desc)?;
                if matches!(d, ast::Decl::Import(..)) {
                    imports.push((name.clone(), it));
                } else {
                    exports.push((name.clone(), it));
                }
            }
        }
    }
    Ok((imports, exports))
}

fn decl_item(types: &mut Vec<TypeItem>, name: &str, desc: &ast::ExternDesc) -> Result<ItemType> {
    Ok(match desc {
        ast::ExternDesc::Func(i) => match get(types, *i, "type")? {
            TypeItem::Func(f) => ItemType::Func(f),
            other => return Err(link(format!("`{name}`: type {i} is {}, not a function type", kind_name(&other)))),
        },
        ast::ExternDesc::Type(ast::TypeBound::Eq(i)) => {
            let t = get(types, *i, "type")?;
            let t = match t {
                TypeItem::Val(v) => TypeItem::Val(named(v, name)),
                other => other,
            };
            types.push(t.clone());
            ItemType::Type(t)
        }
        ast::ExternDesc::Type(ast::TypeBound::SubResource) => {
            let t = TypeItem::Resource(ResourceType::new(None, None, Some(name.to_owned())));
            types.push(t.clone());
            ItemType::Type(t)
        }
        ast::ExternDesc::Instance(i) => match get(types, *i, "type")? {
            TypeItem::Instance(it) => ItemType::Instance(it),
            other => return Err(link(format!("`{name}`: type {i} is {}, not an instance type", kind_name(&other)))),
        },
        ast::ExternDesc::Component(i) => match get(types, *i, "type")? {
            TypeItem::Component(c) => ItemType::Component(c),
            other => return Err(link(format!("`{name}`: type {i} is {}, not a component type", kind_name(&other)))),
        },
        ast::ExternDesc::CoreModule(_) => ItemType::CoreModule,
        ast::ExternDesc::Value(t) => ItemType::Value(resolve_val(types, *t)?),
    })
}

/// The type an import or export ascribes, resolved in the component's
/// type space.
fn desc_type(env: &Env, name: &str, desc: &ast::ExternDesc) -> Result<ItemType> {
    let mut types = env.types.clone();
    decl_item(&mut types, name, desc)
}

/// Checks an item given to a nested component's import (or ascribed to an
/// export) against the declared type, and gives it that type's names.
fn typed_item(store: &mut Store, env: &Env, _def: &CompDef, name: &str, it: Item, desc: &ast::ExternDesc) -> Result<Item> {
    let _ = store;
    match (desc, it) {
        (ast::ExternDesc::Func(_), Item::Func(f)) => {
            let ItemType::Func(ty) = desc_type(env, name, desc)? else { unreachable!("a func desc") };
            if !f.ty().same(&ty) {
                return Err(link(format!("`{name}`: expected {}, got {}", ty.wit(), f.ty().wit())));
            }
            Ok(Item::Func(f.retyped(ty)))
        }
        (ast::ExternDesc::Type(ast::TypeBound::Eq(i)), Item::Type(t)) => {
            let want = get(&env.types, *i, "type")?;
            let ok = match (&want, &t) {
                (TypeItem::Val(a), TypeItem::Val(b)) => a.same(b),
                (TypeItem::Resource(a), TypeItem::Resource(b)) => a == b,
                _ => true,
            };
            if !ok {
                return Err(link(format!("`{name}`: type mismatch")));
            }
            Ok(Item::Type(match want {
                TypeItem::Val(v) => TypeItem::Val(named(v, name)),
                other => other,
            }))
        }
        (ast::ExternDesc::Type(ast::TypeBound::SubResource), Item::Type(TypeItem::Resource(r))) => Ok(Item::Type(TypeItem::Resource(r))),
        (ast::ExternDesc::Type(ast::TypeBound::SubResource), _) => Err(link(format!("`{name}`: expected a resource type"))),
        (ast::ExternDesc::Instance(_), Item::Instance(inst)) => {
            let ItemType::Instance(ity) = desc_type(env, name, desc)? else { unreachable!("an instance desc") };
            let mut out = CInstance::default();
            for (n, t) in &ity.exports {
                let Some(x) = inst.get(n) else {
                    return Err(link(format!("instance `{name}` has no export `{n}`")));
                };
                out.exports.push((n.clone(), match (t, x) {
                    (ItemType::Func(ft), Item::Func(f)) => {
                        if !f.ty().same(ft) {
                            return Err(link(format!("`{name}#{n}`: expected {}, got {}", ft.wit(), f.ty().wit())));
                        }
                        Item::Func(f.retyped(ft.clone()))
                    }
                    (_, x) => x.clone(),
                }));
            }
            Ok(Item::Instance(Arc::new(out)))
        }
        (_, it) if it.sort() == desc.sort() => Ok(it),
        (_, it) => Err(link(format!("`{name}`: expected a {}, got a {}", desc.sort(), it.sort()))),
    }
}

/// What the host provides for a top-level import, as the import's type
/// says it is.
type Stubs = Mutex<Vec<(String, Arc<FuncType>)>>;

fn provide(store: &mut Store, env: &Env, def: &CompDef, name: &str, p: Option<&Provided>, desc: &ast::ExternDesc, stub: Option<&Stubs>) -> Result<Item> {
    if let Some(Provided::Item(it)) = p {
        return typed_item(store, env, def, name, it.clone(), desc);
    }
    let ty = desc_type(env, name, desc)?;
    provide_typed(name, p, &ty, stub)
}

fn provide_typed(name: &str, p: Option<&Provided>, ty: &ItemType, stub: Option<&Stubs>) -> Result<Item> {
    match (ty, p) {
        (ItemType::Func(ft), None) if stub.is_some() => {
            if let Some(list) = stub {
                list.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((name.to_owned(), ft.clone()));
            }
            let msg = format!("component import `{name}` was not provided");
            let f: HostFn = Arc::new(move |_, _, _| Err(trap(msg.clone())));
            Ok(Item::Func(CFunc(Arc::new(FuncInner { ty: ft.clone(), kind: FuncKind::Host(f) }))))
        }
        (ItemType::Func(ft), Some(Provided::Func(f))) => {
            Ok(Item::Func(CFunc(Arc::new(FuncInner { ty: ft.clone(), kind: FuncKind::Host(f.clone()) }))))
        }
        (ItemType::Func(ft), None) => Err(link(format!("component import `{name}` ({}) is not defined by the host", ft.wit()))),
        (ItemType::Type(TypeItem::Resource(_)), Some(Provided::Resource(r))) => Ok(Item::Type(TypeItem::Resource(r.clone()))),
        // A host resource the host did not name: the component can only
        // get handles of it from the host, which has none to give.
        (ItemType::Type(t), None | Some(Provided::Resource(_))) => Ok(Item::Type(t.clone())),
        (ItemType::Instance(it), p) => {
            let empty = HashMap::new();
            let m = match p {
                Some(Provided::Instance(m)) => m,
                None => &empty,
                Some(_) => return Err(link(format!("component import `{name}` must be an instance"))),
            };
            // The instance's abstract resources become the host's.
            let mut subst = Subst::new();
            for (n, t) in &it.exports {
                if let (ItemType::Type(TypeItem::Resource(abs)), Some(Provided::Resource(r))) = (t, m.get(n)) {
                    subst.insert(abs.id(), r.clone());
                }
            }
            let mut inst = CInstance::default();
            for (n, t) in &it.exports {
                let full = format!("{name}#{n}");
                let item = match (t, m.get(n)) {
                    (ItemType::Func(ft), None) if stub.is_none() => {
                        return Err(link(format!("component import `{full}` ({}) is not defined by the host", ft.wit())));
                    }
                    (ItemType::Func(ft), p) if !subst.is_empty() => provide_typed(&full, p, &ItemType::Func(Arc::new(ft.subst(&subst))), stub)?,
                    (ItemType::Type(TypeItem::Val(v)), None) => Item::Type(TypeItem::Val(v.subst(&subst))),
                    (t, p) => provide_typed(&full, p, t, stub)?,
                };
                inst.exports.push((n.clone(), item));
            }
            Ok(Item::Instance(Arc::new(inst)))
        }
        (_, Some(Provided::Item(it))) => Ok(it.clone()),
        (t, _) => Err(link(format!("component import `{name}` of this kind ({t:?}) cannot be provided by the host"))),
    }
}

// ---- canon ----

fn opts(env: &Env, o: &ast::CanonOpts) -> Result<Opts> {
    Ok(Opts {
        memory: o.memory.map(|i| get(&env.core_mems, i, "core memory")).transpose()?,
        realloc: o.realloc.map(|i| get(&env.core_funcs, i, "core func")).transpose()?,
        post_return: o.post_return.map(|i| get(&env.core_funcs, i, "core func")).transpose()?,
        encoding: o.encoding,
    })
}

/// The core signature of a lifted or lowered function type.
fn core_sig(ty: &FuncType, lower: bool) -> crate::FuncType {
    let ps: Vec<&Type> = ty.params.iter().map(|(_, t)| t).collect();
    let mut params = abi::flat_types(&ps);
    if params.len() > abi::MAX_FLAT_PARAMS {
        params = vec![ValType::I32];
    }
    let mut results = ty.result.as_ref().map(|t| abi::flat_types(&[t])).unwrap_or_default();
    if results.len() > abi::MAX_FLAT_RESULTS {
        if lower {
            params.push(ValType::I32);
            results = Vec::new();
        } else {
            results = vec![ValType::I32];
        }
    }
    crate::FuncType::new(params, results)
}

fn canon(store: &mut Store, env: &mut Env, c: &ast::Canon, state: &Arc<InstState>, roots: &mut Vec<crate::Root>) -> Result<()> {
    match c {
        ast::Canon::Lift { core_func, opts: o, ty } => {
            let core = get(&env.core_funcs, *core_func, "core func")?;
            let TypeItem::Func(fty) = get(&env.types, *ty, "type")? else {
                return Err(link(format!("canon lift: type {ty} is not a function type")));
            };
            let want = core_sig(&fty, false);
            if *store.func_type(core) != want {
                return Err(link(format!("canon lift: core function has type {}, {} needs {want}", store.func_type(core), fty.wit())));
            }
            let opts = opts(env, o)?;
            check_realloc(store, &opts)?;
            env.funcs.push(CFunc(Arc::new(FuncInner { ty: fty, kind: FuncKind::Lifted { core, opts, inst: state.clone() } })));
        }
        ast::Canon::Lower { func, opts: o } => {
            let target = get(&env.funcs, *func, "func")?;
            let opts = opts(env, o)?;
            check_realloc(store, &opts)?;
            let sig = core_sig(target.ty(), true);
            let st = state.clone();
            let f = store.func_new(sig, Arc::new(move |caller, params, results| lowered_call(caller.store, &target, &opts, &st, params, results)));
            roots.push(crate::Root::Extern(Extern::Func(f)));
            env.core_funcs.push(f);
        }
        ast::Canon::ResourceNew(t) => {
            let rt = own_resource(env, *t, state, "resource.new")?;
            let st = state.clone();
            let f = store.func_new(
                crate::FuncType::new([ValType::I32], [ValType::I32]),
                Arc::new(move |_, params, results| {
                    let Value::I32(rep) = params[0] else { return Err(trap("resource.new: i32 expected")) };
                    let h = st.handles_insert(Handle { ty: rt.clone(), rep: rep as u32, own: true, lends: 0 });
                    if h == 0 {
                        return Err(trap("resource.new: too many handles"));
                    }
                    results[0] = Value::I32(h as i32);
                    Ok(())
                }),
            );
            roots.push(crate::Root::Extern(Extern::Func(f)));
            env.core_funcs.push(f);
        }
        ast::Canon::ResourceDrop(t) => {
            let TypeItem::Resource(rt) = get(&env.types, *t, "type")? else {
                return Err(link(format!("resource.drop: type {t} is not a resource")));
            };
            let st = state.clone();
            let f = store.func_new(
                crate::FuncType::new([ValType::I32], []),
                Arc::new(move |caller, params, _| {
                    let Value::I32(h) = params[0] else { return Err(trap("resource.drop: i32 expected")) };
                    let handle = st.handles_remove(h as u32, &rt, false)?;
                    if handle.own {
                        if let Some(d) = rt.0.dtor {
                            caller.store.call(d, &[Value::I32(handle.rep as i32)]).map_err(abi::into_trap)?;
                        }
                        if let Some(d) = &rt.0.host_drop {
                            d(handle.rep);
                        }
                    }
                    Ok(())
                }),
            );
            roots.push(crate::Root::Extern(Extern::Func(f)));
            env.core_funcs.push(f);
        }
        ast::Canon::ResourceRep(t) => {
            let rt = own_resource(env, *t, state, "resource.rep")?;
            let st = state.clone();
            let f = store.func_new(
                crate::FuncType::new([ValType::I32], [ValType::I32]),
                Arc::new(move |_, params, results| {
                    let Value::I32(h) = params[0] else { return Err(trap("resource.rep: i32 expected")) };
                    results[0] = Value::I32(st.handles_get(h as u32, &rt)?.rep as i32);
                    Ok(())
                }),
            );
            roots.push(crate::Root::Extern(Extern::Func(f)));
            env.core_funcs.push(f);
        }
    }
    Ok(())
}

fn check_realloc(store: &Store, o: &Opts) -> Result<()> {
    if let Some(r) = o.realloc {
        let want = crate::FuncType::new([ValType::I32; 4], [ValType::I32]);
        if *store.func_type(r) != want {
            return Err(link(format!("canonical option realloc has type {}, expected {want}", store.func_type(r))));
        }
    }
    Ok(())
}

/// A resource type defined by this component instance.
fn own_resource(env: &Env, t: u32, state: &Arc<InstState>, what: &str) -> Result<ResourceType> {
    match get(&env.types, t, "type")? {
        TypeItem::Resource(r) if r.0.owner == Some(state.id) => Ok(r),
        TypeItem::Resource(_) => Err(link(format!("{what}: resource type {t} is not defined by this component"))),
        _ => Err(link(format!("{what}: type {t} is not a resource"))),
    }
}

/// A call from core wasm through `canon lower`: lift the arguments out of
/// the caller, call the component function, lower the result back.
fn lowered_call(store: &mut Store, target: &CFunc, o: &Opts, st: &Arc<InstState>, params: &[Value], results: &mut [Value]) -> std::result::Result<(), Trap> {
    let ty = target.ty().clone();
    let ps: Vec<&Type> = ty.params.iter().map(|(_, t)| t).collect();
    let flat = abi::flat_types(&ps);
    let mut cx = Cx { store, memory: o.memory, realloc: o.realloc, encoding: o.encoding, inst: st.clone(), lent: Vec::new(), budget: abi::MAX_LIFTED };
    let mut args = Vec::with_capacity(ps.len());
    if flat.len() > abi::MAX_FLAT_PARAMS {
        let Value::I32(ptr) = params[0] else { return Err(trap("canonical ABI: i32 parameter pointer expected")) };
        let tuple = Type::Tuple(ps.iter().map(|t| (*t).clone()).collect::<Vec<_>>().into());
        check_aligned(ptr as u32, &tuple)?;
        match cx.load_val(&tuple, ptr as u32)? {
            Val::Tuple(vs) => args = vs,
            _ => unreachable!("a tuple loads as a tuple"),
        }
    } else {
        let mut it = FlatIter::new(params);
        for t in &ps {
            args.push(cx.lift_flat(t, &mut it)?);
        }
    }
    let r = call(cx.store, target, &args)?;
    if let Some(rt) = &ty.result {
        let Some(v) = r else { return Err(trap("a host function returned no value for a function with a result")) };
        let flat_r = abi::flat_types(&[rt]);
        if flat_r.len() > abi::MAX_FLAT_RESULTS {
            let Some(Value::I32(ptr)) = params.last() else { return Err(trap("canonical ABI: return pointer expected")) };
            check_aligned(*ptr as u32, rt)?;
            cx.store_val(&v, rt, *ptr as u32)?;
        } else {
            let mut out = Vec::new();
            cx.lower_flat(&v, rt, &mut out)?;
            results.copy_from_slice(&out);
        }
    }
    Ok(())
}

fn check_aligned(ptr: u32, t: &Type) -> std::result::Result<(), Trap> {
    let a = abi::alignment(t);
    if ptr % a != 0 {
        return Err(trap(format!("canonical ABI: pointer {ptr:#x} is not aligned to {a}")));
    }
    Ok(())
}

/// Calls a component function with component values.
///
/// # Errors
/// A trap: of the callee, of the canonical ABI (bad pointers, invalid
/// strings ...), or a type mismatch of the arguments.
pub fn call(store: &mut Store, f: &CFunc, args: &[Val]) -> std::result::Result<Option<Val>, Trap> {
    let ty = &f.0.ty;
    if args.len() != ty.params.len() {
        return Err(trap(format!("{} takes {} arguments, {} given", ty.wit(), ty.params.len(), args.len())));
    }
    let (core, o, inst) = match &f.0.kind {
        FuncKind::Host(h) => {
            let r = h(store, ty, args)?;
            if r.is_some() != ty.result.is_some() {
                return Err(trap(if r.is_some() { "a host function without a result returned a value" } else { "a host function returned no value" }));
            }
            return Ok(r);
        }
        FuncKind::Lifted { core, opts, inst } => (*core, opts, inst),
    };
    let ps: Vec<&Type> = ty.params.iter().map(|(_, t)| t).collect();
    let flat = abi::flat_types(&ps);
    let mut cx = Cx { store, memory: o.memory, realloc: o.realloc, encoding: o.encoding, inst: inst.clone(), lent: Vec::new(), budget: abi::MAX_LIFTED };
    let mut core_args = Vec::with_capacity(flat.len().min(abi::MAX_FLAT_PARAMS));
    let lowered = (|| {
        if flat.len() > abi::MAX_FLAT_PARAMS {
            let tuple = Type::Tuple(ps.iter().map(|t| (*t).clone()).collect::<Vec<_>>().into());
            let ptr = cx.alloc(abi::alignment(&tuple), u64::from(abi::size(&tuple)))?;
            cx.store_val(&Val::Tuple(args.to_vec()), &tuple, ptr)?;
            core_args.push(Value::I32(ptr as i32));
        } else {
            for (v, t) in args.iter().zip(&ps) {
                cx.lower_flat(v, t, &mut core_args)?;
            }
        }
        Ok(())
    })();
    if let Err(e) = lowered {
        inst.end_lends(&cx.lent);
        return Err(e);
    }
    let core_ty = cx.store.func_type(core).clone();
    let mut results: Vec<Value> = core_ty.results.iter().map(|t| zero_of(*t)).collect();
    let called = cx.store.call_into(core, &core_args, &mut results).map_err(abi::into_trap);
    inst.end_lends(&cx.lent);
    called?;
    let out = match &ty.result {
        None => None,
        Some(rt) => {
            let flat_r = abi::flat_types(&[rt]);
            Some(if flat_r.len() > abi::MAX_FLAT_RESULTS {
                let Some(Value::I32(ptr)) = results.first() else { return Err(trap("canonical ABI: result pointer expected")) };
                check_aligned(*ptr as u32, rt)?;
                cx.load_val(rt, *ptr as u32)?
            } else {
                cx.lift_flat(rt, &mut FlatIter::new(&results))?
            })
        }
    };
    if let Some(pr) = o.post_return {
        cx.store.call(pr, &results).map_err(abi::into_trap)?;
    }
    Ok(out)
}

fn zero_of(t: ValType) -> Value {
    match t {
        ValType::I64 => Value::I64(0),
        ValType::F32 => Value::F32(0.0),
        ValType::F64 => Value::F64(0.0),
        _ => Value::I32(0),
    }
}


/// Drops a resource the host owns: runs its destructor, if the component
/// that defined it gave one.
///
/// # Errors
/// A trap of the destructor.
pub fn resource_drop(store: &mut Store, r: &Resource) -> std::result::Result<(), Trap> {
    if !r.own {
        return Ok(());
    }
    if let Some(d) = r.ty.0.dtor {
        store.call(d, &[Value::I32(r.rep as i32)]).map_err(abi::into_trap)?;
    }
    if let Some(d) = &r.ty.0.host_drop {
        d(r.rep);
    }
    Ok(())
}
