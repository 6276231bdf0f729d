//! The store and the embedding API (spec 4.2.3 "Store", appendix 7.1).
//!
//! Entities live in arenas (`Vec`s) indexed by the handles' numbers. Values
//! are kept as untyped 64-bit slots, as on the interpreter's stack.

use crate::syntax::HeapType;
use std::collections::HashMap;
use std::sync::Arc;

use crate::compile::Code;
use crate::error::{Error, Result, Trap, TrapCode};
use crate::syntax::{
    self, ExportDesc, ExternType, FuncType, GlobalType, ImportDesc, Kind, MemType, RefType, SubType, TableType, TypeLookup, ValType,
};
use crate::validate::SELF_TYPE;

use super::memory::MemInst;
use super::table::TableInst;
use super::value::*;

/// Limits and switches of a store.
#[derive(Clone, Debug)]
pub struct Config {
    /// Largest number of nested host function calls (host functions that
    /// call back into wasm, which calls the host...) before the
    /// `call stack exhausted` trap.
    pub max_call_depth: usize,
    /// Largest number of 64-bit slots of the value stack (the frames of all
    /// active wasm calls: parameters, locals, operands, two header slots)
    /// before `call stack exhausted`. This bounds the depth of wasm
    /// recursion; the memory is committed only as deep calls touch it.
    pub max_value_stack: usize,
    /// Remaining fuel, or `None` for unlimited. Each function entry and
    /// each backward branch (loop iteration) consumes one unit; at zero
    /// execution traps with `all fuel consumed`. Decremented in place, so
    /// it is a budget for the whole store; refill via [`Store::config_mut`].
    pub fuel: Option<u64>,
    /// Bytes of native stack that calls nested through host functions
    /// (host -> `Store::call` -> wasm -> host ...) may use before
    /// `call stack exhausted`. Wasm-to-wasm calls use no native stack.
    pub max_native_stack: usize,
    /// Most bytes the GC heap (structs and arrays) may hold; an allocation
    /// beyond it, after a collection, traps with `out of memory`. Counted
    /// apart from [`max_memory_bytes`](Config::max_memory_bytes): the GC
    /// heap is not linear memory.
    pub max_gc_heap: usize,
    // Resource limits (issue 12): see `runtime/limits.rs`. Each is checked
    // before anything is allocated, so a module that declares more than
    // its store allows costs the host nothing.
    /// Most bytes all linear memories of the store may hold together,
    /// counted by their current sizes (imported ones once, where they were
    /// made), or `None` for no limit beyond the 4 GiB each memory holds.
    /// Instantiating a module whose memories' minimums pass it fails with
    /// [`Error::Link`] (`memory limit exceeded: ...`), as does
    /// [`Store::memory_new`]; `memory.grow` beyond it returns -1
    /// ([`Store::memory_grow`]: `None`).
    pub max_memory_bytes: Option<u64>,
    /// Most elements all tables of the store may hold together (by their
    /// current sizes), or `None` for no limit beyond
    /// [`MAX_TABLE_ENTRIES`](super::MAX_TABLE_ENTRIES) a table. Enforced
    /// like [`max_memory_bytes`](Config::max_memory_bytes): instantiation
    /// and [`Store::table_new`] fail (`table limit exceeded: ...`),
    /// `table.grow` returns -1.
    pub max_table_elements: Option<u64>,
    /// Most instances the store may hold, or `None` for no limit; one more
    /// fails to instantiate (`instance limit exceeded: ...`).
    pub max_instances: Option<usize>,
    /// Most memories the store may hold (defined by instances or made by
    /// the host), or `None`; a module defining more than are left fails
    /// to instantiate (`memory count limit exceeded: ...`).
    pub max_memories: Option<usize>,
    /// Most tables the store may hold, like
    /// [`max_memories`](Config::max_memories)
    /// (`table count limit exceeded: ...`).
    pub max_tables: Option<usize>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            max_call_depth: 10_000,
            max_value_stack: 1 << 20,
            fuel: None,
            max_native_stack: 1 << 20,
            max_gc_heap: 1 << 32,
            max_memory_bytes: None,
            max_table_elements: None,
            max_instances: None,
            max_memories: None,
            max_tables: None,
        }
    }
}

/// A decoded, validated and translated module, ready to instantiate any
/// number of times in any store. Cheap to clone.
#[derive(Clone)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module").finish_non_exhaustive()
    }
}

impl Module {
    /// Frame `pc` words into the code of defined function `f`, for a
    /// trap's backtrace.
    pub(crate) fn frame(&self, f: u32, pc: u32) -> crate::Frame {
        let m = &self.inner.syntax;
        let func_index = m.num_imported_funcs() as u32 + f;
        let names = m.names.as_ref();
        let func_name = names.and_then(|n| {
            // In index order (the name section's rule).
            let k = n.functions.binary_search_by_key(&func_index, |(i, _)| *i).ok()?;
            Some(n.functions[k].1.clone())
        });
        crate::Frame {
            func_index,
            func_name,
            module_name: names.and_then(|n| n.module.clone()),
            offset: self.inner.code.offset_of(m, f as usize, pc),
        }
    }
}

pub(crate) struct ModuleInner {
    pub(crate) syntax: syntax::Module,
    /// The translated function bodies, shared by all instances.
    pub(crate) code: Arc<Code>,
    /// Data segment contents, shared by all instances.
    pub(crate) datas: Vec<Data>,
}

/// A data segment's contents: a range of the module's bytes, which all
/// instances share (no copy); or, for a large active segment of a module
/// read by [`Module::from_file`], a range of the file (then the bytes are
/// an empty range: see [`Data::write_to`] and [`Data::contents`]).
#[derive(Clone, Default)]
pub(crate) struct Data {
    bytes: syntax::Bytes,
    range: std::ops::Range<usize>,
    file: Option<super::file::FileRange>,
}

impl Data {
    pub(crate) fn new(bytes: syntax::Bytes, range: std::ops::Range<usize>) -> Data {
        Data { bytes, range, file: None }
    }

    pub(crate) fn from_file(bytes: syntax::Bytes, at: super::file::FileRange) -> Data {
        Data { bytes, range: 0..0, file: Some(at) }
    }

    /// The contents' length.
    pub(crate) fn len(&self) -> usize {
        self.file.as_ref().map_or(self.range.len(), |f| f.len)
    }

    /// Writes the contents to `dst`, which is [`Data::len`] bytes long.
    pub(crate) fn write_to(&self, dst: &mut [u8]) -> Result<()> {
        match &self.file {
            None => dst.copy_from_slice(self),
            Some(f) => f.read_into(dst).map_err(|e| {
                Error::Link(format!("cannot read a data segment from the module's file ({e}): it changed"))
            })?,
        }
        Ok(())
    }

    /// The contents, read from the file if they are there.
    pub(crate) fn contents(&self) -> Result<std::borrow::Cow<'_, [u8]>> {
        if self.file.is_none() {
            return Ok(std::borrow::Cow::Borrowed(self));
        }
        let mut v = vec![0; self.len()];
        self.write_to(&mut v)?;
        Ok(std::borrow::Cow::Owned(v))
    }
}

impl std::ops::Deref for Data {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.bytes.range(self.range.clone())
    }
}

impl Module {
    /// Decodes, validates and translates a binary module.
    ///
    /// # Errors
    /// [`Error::Decode`] for a malformed binary, [`Error::Validate`] for an
    /// invalid module.
    pub fn new(bytes: &[u8]) -> Result<Module> {
        Module::from_vec(bytes.to_vec())
    }

    /// [`Module::new`] of bytes the module keeps (function bodies and data
    /// segments are read from them), without copying them.
    ///
    /// # Errors
    /// As [`Module::new`].
    pub fn from_vec(bytes: Vec<u8>) -> Result<Module> {
        Module::with_features(bytes, syntax::Features::default())
    }

    /// [`Module::from_vec`] accepting only what `features` allow (all of
    /// what wasmint supports by default; [`syntax::Features::WASM2`] for
    /// WebAssembly 2.0).
    ///
    /// # Errors
    /// As [`Module::new`].
    pub fn with_features(bytes: Vec<u8>, features: syntax::Features) -> Result<Module> {
        // The validator decodes the bodies' instructions (once).
        let syntax = crate::binary::decode_lazy(bytes.into(), features)?;
        crate::validate::validate_uses(&syntax)?;
        Module::from_syntax(syntax)
    }

    /// Makes a module of an already validated one. Its functions are
    /// translated on their first call ([`Module::translate_all`] does it
    /// now).
    ///
    /// # Errors
    /// None today; kept for checks that may come.
    pub fn from_syntax(syntax: syntax::Module) -> Result<Module> {
        let datas = syntax.datas.iter().map(|d| Data::new(syntax.bytes.clone(), d.init.clone())).collect();
        Module::with_datas(syntax, datas)
    }

    /// [`Module::from_syntax`] with the data segments' contents given.
    pub(crate) fn with_datas(syntax: syntax::Module, datas: Vec<Data>) -> Result<Module> {
        let code = Arc::new(Code::new(&syntax));
        Ok(Module { inner: Arc::new(ModuleInner { syntax, code, datas }) })
    }

    /// Translates every function not translated yet (normally each is
    /// translated on its first call).
    ///
    /// # Errors
    /// [`Error::Validate`] if a function exceeds an implementation limit
    /// of the engine (65535 frame slots).
    pub fn translate_all(&self) -> Result<()> {
        self.inner.code.translate_all(&self.inner.syntax)
    }

    /// Functions translated so far, and their words (16-bit) of code.
    pub fn code_stats(&self) -> (usize, usize) {
        self.inner.code.translated()
    }

    /// The decoded module.
    pub fn syntax(&self) -> &syntax::Module {
        &self.inner.syntax
    }

    /// Imports in order: (module, name, type).
    pub fn imports(&self) -> Vec<(String, String, ExternType)> {
        let m = &self.inner.syntax;
        m.imports
            .iter()
            .map(|i| {
                let ty = match i.desc {
                    ImportDesc::Func(t) => ExternType::Func(m.types.get(t as usize).cloned().unwrap_or_default()),
                    ImportDesc::Table(t) => ExternType::Table(t),
                    ImportDesc::Memory(t) => ExternType::Memory(t),
                    ImportDesc::Global(t) => ExternType::Global(t),
                    ImportDesc::Tag(t) => ExternType::Tag(m.types.get(t as usize).cloned().unwrap_or_default()),
                };
                (i.module.clone(), i.name.clone(), ty)
            })
            .collect()
    }

    /// Exports in order: (name, type).
    pub fn exports(&self) -> Vec<(String, ExternType)> {
        let m = &self.inner.syntax;
        let funcs = m.func_type_indices();
        let (tables, mems, globals) = (m.all_tables(), m.all_memories(), m.all_globals());
        m.exports
            .iter()
            .filter_map(|e| {
                let ty = match e.desc {
                    ExportDesc::Func(i) => ExternType::Func(m.types.get(*funcs.get(i as usize)? as usize)?.clone()),
                    ExportDesc::Table(i) => ExternType::Table(*tables.get(i as usize)?),
                    ExportDesc::Memory(i) => ExternType::Memory(*mems.get(i as usize)?),
                    ExportDesc::Global(i) => ExternType::Global(*globals.get(i as usize)?),
                    ExportDesc::Tag(i) => ExternType::Tag(m.types.get(*m.all_tags().get(i as usize)? as usize)?.clone()),
                };
                Some((e.name.clone(), ty))
            })
            .collect()
    }
}

/// What a host function sees of its caller.
pub struct Caller<'a> {
    /// The store, for access to memories, globals, tables and calls.
    pub store: &'a mut Store,
    /// The instance of the calling wasm function, if called from wasm.
    pub instance: Option<Instance>,
}

/// A host function: reads `params`, writes `results` (pre-filled with zero
/// values of the result types), or fails with a [`Trap`].
pub type HostFunc = Arc<dyn Fn(&mut Caller<'_>, &[Value], &mut [Value]) -> Result<(), Trap> + Send + Sync>;

/// A function instance: its interned type and its code.
pub(crate) struct FuncInst {
    pub(crate) ty: u32,
    pub(crate) kind: FuncKind,
}

pub(crate) enum FuncKind {
    /// Defined function `index` (among the module's defined functions) of
    /// `instance`, whose module's code is `code`.
    Wasm {
        instance: u32,
        code: Arc<Code>,
        index: u32,
    },
    Host(HostFunc),
}

/// A global instance. `value` is the engine's slot; a `v128` keeps its
/// upper half in `hi`, right after it (`repr(C)`), so one pointer reaches
/// both.
#[repr(C)]
pub(crate) struct GlobalInst {
    pub(crate) value: u64,
    pub(crate) hi: u64,
    pub(crate) ty: GlobalType,
}

impl GlobalInst {
    pub(crate) fn new(ty: GlobalType, bits: u128) -> GlobalInst {
        GlobalInst { value: bits as u64, hi: (bits >> 64) as u64, ty }
    }
    /// The value's bits (see [`Value::to_bits`]).
    pub(crate) fn bits(&self) -> u128 {
        u128::from(self.value) | u128::from(self.hi) << 64
    }
}

/// Where a global's value lives: globals are boxed, so the address stays
/// put while the store grows, and the engine reads them directly.
#[derive(Copy, Clone, Debug)]
pub(crate) struct GlobalPtr(pub(crate) *mut u64);

// SAFETY: the pointer targets a global owned by the same store, which is
// only used by one thread at a time (it is not `Sync`).
unsafe impl Send for GlobalPtr {}

/// A module instance: index spaces mapped to store addresses.
pub(crate) struct InstanceInst {
    /// The module: its code, and the names of the exports.
    pub(crate) module: Module,
    /// Interned type id of each of the module's types (for call_indirect).
    pub(crate) types: Vec<u32>,
    pub(crate) funcs: Vec<u32>,
    pub(crate) tables: Vec<u32>,
    pub(crate) mems: Vec<u32>,
    pub(crate) globals: Vec<u32>,
    pub(crate) tags: Vec<u32>,
    /// The globals' values, by index (for the engine).
    pub(crate) global_ptrs: Vec<GlobalPtr>,
    pub(crate) elems: Vec<u32>,
    pub(crate) datas: Vec<u32>,
    /// What each export of the module refers to (the names are the
    /// module's: not copied per instance).
    pub(crate) exports: Vec<Extern>,
}

/// An exception (exception handling): its tag's store address and its
/// payload as frame slots (a v128 in two).
pub(crate) struct ExnInst {
    pub(crate) tag: u32,
    pub(crate) vals: Box<[u64]>,
    /// A reference to it may exist (in a slot, or with the host): it is
    /// then kept (until a collector comes, issue 11). One that was only
    /// thrown and caught by a clause without a reference is freed.
    pub(crate) exposed: bool,
}

/// Owns all runtime entities (spec 4.2.3).
pub struct Store {
    config: Config,
    /// Interned types, by id: equivalent types (spec 3.0, iso-recursive)
    /// get equal ids, so the `call_indirect` check is an integer compare
    /// (then a walk up the supertypes). This is each function type's
    /// signature, the types it names by id, itself by `SELF_TYPE`.
    pub(crate) types: Vec<FuncType>,
    /// Each type's definition, the types it names by id.
    pub(crate) defs: Vec<SubType>,
    /// Each type's supertypes by id, root first, itself last.
    chains: Vec<Box<[u32]>>,
    /// The first id of each interned recursion group, by its form.
    group_ids: HashMap<crate::validate::types::GroupForm, u32>,
    /// Where each field of a struct type lives among its object's slots
    /// (for an array type, its element); empty for function types.
    pub(crate) layouts: Vec<Box<[super::gc::Field]>>,
    /// The structs and arrays (GC).
    pub(crate) heap: super::gc::Heap,
    /// References the host holds (with a count each): roots.
    pub(crate) gc_roots: HashMap<u64, u32>,
    /// Shared with interrupt handles and the deadline timer.
    pub(crate) signals: Arc<super::interrupt::Signals>,
    pub(crate) funcs: Vec<FuncInst>,
    pub(crate) tables: Vec<TableInst>,
    pub(crate) mems: Vec<MemInst>,
    pub(crate) globals: Vec<Box<GlobalInst>>,
    /// Element segment instances (emptied by `elem.drop`).
    pub(crate) elems: Vec<Vec<u64>>,
    /// Data segment instances (emptied by `data.drop`).
    pub(crate) datas: Vec<Data>,
    /// Boxed: the engine keeps a pointer to the running instance.
    pub(crate) instances: Vec<Box<InstanceInst>>,
    /// Tag instances: the store type id of each one's payload type.
    pub(crate) tags: Vec<u32>,
    /// Exceptions thrown and still referenced (free entries are reused).
    pub(crate) exns: Vec<ExnInst>,
    free_exns: Vec<u32>,
    /// The value stack: frames of all active wasm calls.
    pub(crate) stack: ValueStack,
    /// First free slot of the value stack (above the frames of active
    /// calls further out, when a host function calls back in).
    pub(crate) stack_top: usize,
    /// Host functions active.
    pub(crate) depth: usize,
    /// Address of a local of the outermost active call (0 when none), to
    /// measure the native stack used by re-entrant calls.
    pub(crate) native_top: usize,
    /// Bytes of all linear memories, by their current sizes
    /// (`Config::max_memory_bytes`).
    pub(crate) mem_bytes: u64,
    /// Elements of all tables, by their current sizes
    /// (`Config::max_table_elements`).
    pub(crate) table_elems: u64,
    /// Slots [`Store::collect`] freed, for reuse.
    pub(crate) free: super::collect::FreeSlots,
}

impl TypeLookup for Store {
    fn kind(&self, i: u32) -> Option<Kind> {
        self.defs.get(i as usize).map(|d| d.comp.kind())
    }
    fn sub(&self, a: u32, b: u32) -> bool {
        self.type_sub(a, b)
    }
}

impl Default for Store {
    fn default() -> Store {
        Store::new()
    }
}

impl Store {
    /// An empty store with the default [`Config`].
    pub fn new() -> Store {
        Store::with_config(Config::default())
    }

    /// An empty store with the given limits.
    pub fn with_config(config: Config) -> Store {
        Store {
            config,
            types: Vec::new(),
            defs: Vec::new(),
            chains: Vec::new(),
            group_ids: HashMap::new(),
            layouts: Vec::new(),
            heap: Default::default(),
            gc_roots: HashMap::new(),
            signals: Arc::default(),
            funcs: Vec::new(),
            tables: Vec::new(),
            mems: Vec::new(),
            globals: Vec::new(),
            elems: Vec::new(),
            datas: Vec::new(),
            instances: Vec::new(),
            tags: Vec::new(),
            exns: Vec::new(),
            free_exns: Vec::new(),
            stack: ValueStack::default(),
            stack_top: 0,
            depth: 0,
            native_top: 0,
            mem_bytes: 0,
            table_elems: 0,
            free: Default::default(),
        }
    }

    /// The store's limits.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The interned id of a function type (final, without supertype, a
    /// recursion group of its own), in the form the store keeps (types it
    /// names by id, itself by `SELF_TYPE`).
    pub(crate) fn intern_type(&mut self, ty: &FuncType) -> u32 {
        self.intern_group(Box::new([(SubType::default(), ty.clone())]))
    }

    /// The first id of an interned recursion group, given its form (see
    /// `validate::types`): the types before it named by id, its own by
    /// marker.
    pub(crate) fn intern_group(&mut self, form: crate::validate::types::GroupForm) -> u32 {
        if let Some(&id) = self.group_ids.get(&form) {
            return id;
        }
        let base = self.types.len() as u32;
        let n = form.len() as u32;
        // A marker `SELF_TYPE - k` names the group's type `k`.
        let id_of = |j: u32| if j > SELF_TYPE - n { base + (SELF_TYPE - j) } else { j };
        for (k, (def, ft)) in form.iter().enumerate() {
            let own = SELF_TYPE - k as u32;
            let sig = |t: &ValType| match *t {
                ValType::Ref(RefType { nullable, heap: HeapType::Concrete(j) }) if j != own => {
                    ValType::Ref(RefType { nullable, heap: HeapType::Concrete(id_of(j)) })
                }
                ValType::Ref(RefType { nullable, heap: HeapType::Concrete(_) }) => {
                    ValType::Ref(RefType { nullable, heap: HeapType::Concrete(SELF_TYPE) })
                }
                t => t,
            };
            self.types.push(FuncType::new(ft.params.iter().map(sig).collect::<Vec<_>>(), ft.results.iter().map(sig).collect::<Vec<_>>()));
            let mut d = def.clone();
            d.refs_mut(|j| *j = id_of(*j));
            let id = base + k as u32;
            let mut chain = d.sup.and_then(|s| self.chains.get(s as usize)).map_or_else(Vec::new, |c| c.to_vec());
            chain.push(id);
            self.chains.push(chain.into());
            self.layouts.push(super::gc::layout(&d.comp));
            self.defs.push(d);
        }
        self.group_ids.insert(form, base);
        base
    }

    /// Is type `a` a subtype of (or the same as) type `b` (store ids)?
    /// Inline and without calls: `call_indirect`'s handler checks it, and a
    /// call would give the handler a stack frame.
    #[inline(always)]
    pub(crate) fn type_sub(&self, a: u32, b: u32) -> bool {
        a == b
            || match (self.chains.get(a as usize), self.chains.get(b as usize)) {
                (Some(ca), Some(cb)) => cb.len().checked_sub(1).and_then(|k| ca.get(k)) == Some(&b),
                _ => false,
            }
    }

    /// Is `v` a value of type `t`, whose concrete heap types are store type
    /// ids? A function reference of a concrete type must have that type.
    pub fn value_matches(&self, v: Value, t: ValType) -> bool {
        let ValType::Ref(r) = t else { return v.ty() == t };
        let top = r.heap.top(self);
        match v {
            Value::FuncRef(None) => r.nullable && top == HeapType::Func,
            Value::ExternRef(None) => r.nullable && top == HeapType::Extern,
            Value::AnyRef(None) => r.nullable && matches!(top, HeapType::Any | HeapType::Extern),
            Value::FuncRef(Some(f)) => match r.heap {
                HeapType::Func => true,
                HeapType::Concrete(id) => self.funcs.get(f.0 as usize).is_some_and(|fi| self.type_sub(fi.ty, id)),
                _ => false,
            },
            Value::ExternRef(Some(_)) => r.heap == HeapType::Extern,
            Value::ExnRef(None) => r.nullable && r.heap.is_exn(),
            Value::ExnRef(Some(e)) => r.heap == HeapType::Exn && self.exns.get(e.0 as usize).is_some_and(|x| x.exposed),
            Value::AnyRef(Some(a)) => {
                // An object of this store (another store's index may name
                // anything here), an i31, or a host reference.
                let obj = super::gc::as_obj(a.bits).map(|_| self.heap.obj(a.bits));
                if matches!(obj, Some(None)) {
                    return false;
                }
                match r.heap {
                    HeapType::Extern => true,
                    HeapType::Any => true,
                    HeapType::Eq => a.i31().is_some() || obj.is_some(),
                    HeapType::I31 => a.i31().is_some(),
                    HeapType::Struct => obj.flatten().is_some_and(|o| self.kind(o.ty) == Some(Kind::Struct)),
                    HeapType::Array => obj.flatten().is_some_and(|o| self.kind(o.ty) == Some(Kind::Array)),
                    HeapType::Concrete(id) => obj.flatten().is_some_and(|o| self.type_sub(o.ty, id)),
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// [`Store::value_matches`] for a parameter or result of the function
    /// type with id `own`, in whose canonical form `SELF_TYPE` names `own`.
    pub(crate) fn value_matches_in(&self, v: Value, t: ValType, own: u32) -> bool {
        self.value_matches(v, own_type(t, own))
    }

    /// A handle that stops this store's running call from any thread
    /// (`interrupted`); see [`InterruptHandle`](super::InterruptHandle).
    pub fn interrupt_handle(&self) -> super::InterruptHandle {
        super::InterruptHandle(Arc::clone(&self.signals))
    }

    /// Interrupts the call running `after` from now (or the next call, if
    /// none runs then); `None` cancels the deadline. Each call replaces
    /// the deadline set before.
    pub fn set_deadline(&mut self, after: Option<std::time::Duration>) {
        super::interrupt::set_deadline(&self.signals, after);
    }

    /// The store's limits, which may be changed between calls.
    pub fn config_mut(&mut self) -> &mut Config {
        &mut self.config
    }

    /// Fuel for the engine: what is left, or `i64::MAX` when unlimited.
    pub(crate) fn fuel_left(&self) -> i64 {
        self.config.fuel.map_or(i64::MAX, |f| f.min(i64::MAX as u64) as i64)
    }

    /// Stores back the fuel the engine left (when fuel is metered).
    pub(crate) fn sync_fuel(&mut self, left: i64) {
        if let Some(f) = self.config.fuel.as_mut() {
            *f = left.max(0) as u64;
        }
    }

    /// Makes the value stack the configured size, unless calls are active
    /// (their frames live in it).
    pub(crate) fn prepare_stack(&mut self) {
        let want = self.config.max_value_stack;
        if self.stack.len() != want && self.stack_top == 0 {
            self.stack = ValueStack::new(want);
        }
    }

    /// Instantiates `module` with `imports` given in the order of
    /// `module.imports()` (spec 4.5.4), running its start function.
    ///
    /// # Errors
    /// [`Error::Link`] when an import is missing or does not match
    /// ("incompatible import type", "unknown import");
    /// [`Error::Trap`] when element/data initialisation or the start
    /// function traps (the instance is then unusable, but entities it
    /// already wrote to stay modified, as the spec requires).
    pub fn instantiate(&mut self, module: &Module, imports: &[Extern]) -> Result<Instance> {
        super::instantiate::instantiate(self, module, imports)
    }

    /// The export `name` of an instance.
    pub fn export(&self, instance: Instance, name: &str) -> Option<Extern> {
        let inst = self.instances.get(instance.0 as usize)?;
        let names = inst.module.inner.syntax.exports.iter().map(|e| &e.name);
        names.zip(&inst.exports).find(|(n, _)| *n == name).map(|(_, e)| *e)
    }

    /// All exports of an instance, in the module's order.
    pub fn exports(&self, instance: Instance) -> Vec<(String, Extern)> {
        let Some(inst) = self.instances.get(instance.0 as usize) else { return Vec::new() };
        let names = inst.module.inner.syntax.exports.iter().map(|e| e.name.clone());
        names.zip(inst.exports.iter().copied()).collect()
    }

    /// The type of an external value.
    pub fn extern_type(&self, ext: Extern) -> ExternType {
        match ext {
            Extern::Func(f) => ExternType::Func(self.func_type(f).clone()),
            Extern::Table(t) => ExternType::Table(self.table_type(t)),
            Extern::Memory(m) => ExternType::Memory(self.memory_type(m)),
            Extern::Global(g) => ExternType::Global(self.global_type(g)),
            Extern::Tag(t) => ExternType::Tag(self.tag_type(t).clone()),
        }
    }

    /// Defines a tag whose exceptions carry values of types `params`.
    ///
    /// # Errors
    /// [`Error::Usage`] if the type has results.
    pub fn tag_new(&mut self, ty: FuncType) -> Result<Tag> {
        if !ty.results.is_empty() {
            return Err(Error::Usage("a tag's type has no results".into()));
        }
        let ty = self.intern_type(&ty);
        self.tags.push(ty);
        Ok(Tag(self.tags.len() as u32 - 1))
    }

    /// The type of a tag (the payload's types are its parameters).
    pub fn tag_type(&self, tag: Tag) -> &FuncType {
        &self.types[self.tags[tag.0 as usize] as usize]
    }

    /// A new exception of `tag` carrying `payload`, for a host function to
    /// throw (return `Err(Trap::exception(exn))`).
    ///
    /// # Errors
    /// [`Error::Usage`] when the payload does not have the tag's types.
    pub fn exn_new(&mut self, tag: Tag, payload: &[Value]) -> Result<Exn> {
        let ty = self.tags.get(tag.0 as usize).map(|&t| &self.types[t as usize]);
        let ty = ty.ok_or_else(|| Error::Usage("unknown tag".into()))?;
        if payload.len() != ty.params.len() || payload.iter().zip(ty.params.iter()).any(|(v, t)| !self.value_matches(*v, *t)) {
            return Err(Error::Usage(format!("exception payload does not match the tag's type {ty}")));
        }
        let mut vals = Vec::with_capacity(payload.len());
        for v in payload {
            vals.push(v.to_slot());
            if let Value::V128(x) = v {
                vals.push((x >> 64) as u64);
            }
        }
        let a = self.alloc_exn(tag.0, vals.into());
        self.exns[a as usize].exposed = true;
        Ok(Exn(a))
    }

    /// The tag of an exception.
    pub fn exn_tag(&self, exn: Exn) -> Tag {
        Tag(self.exns[exn.0 as usize].tag)
    }

    /// The payload of an exception.
    pub fn exn_payload(&self, exn: Exn) -> Vec<Value> {
        let e = &self.exns[exn.0 as usize];
        let ty = &self.types[self.tags[e.tag as usize] as usize];
        let mut at = 0;
        ty.params
            .iter()
            .map(|&t| {
                let v = if t == ValType::V128 {
                    Value::V128(u128::from(e.vals[at]) | u128::from(e.vals[at + 1]) << 64)
                } else {
                    self.slot_value(e.vals[at], t)
                };
                at += crate::compile::translate::slot_width(t);
                v
            })
            .collect()
    }

    /// Stores an exception; its address.
    pub(crate) fn alloc_exn(&mut self, tag: u32, vals: Box<[u64]>) -> u32 {
        match self.free_exns.pop() {
            Some(a) => {
                self.exns[a as usize] = ExnInst { tag, vals, exposed: false };
                a
            }
            None => {
                self.exns.push(ExnInst { tag, vals, exposed: false });
                self.exns.len() as u32 - 1
            }
        }
    }

    /// Frees an exception no reference can reach any more.
    pub(crate) fn free_exn(&mut self, a: u32) {
        self.exns[a as usize].vals = Box::new([]);
        self.free_exns.push(a);
    }

    /// Defines a host function.
    pub fn func_new(&mut self, ty: FuncType, f: HostFunc) -> Func {
        let ty = self.intern_type(&ty);
        Func(self.alloc_func(FuncInst { ty, kind: FuncKind::Host(f) }))
    }

    /// The type of a function.
    pub fn func_type(&self, func: Func) -> &FuncType {
        &self.types[self.funcs[func.0 as usize].ty as usize]
    }

    /// Calls a function (wasm or host) with `args`.
    ///
    /// # Errors
    /// [`Error::Usage`] when the arguments do not match the function type;
    /// [`Error::Trap`] when execution traps.
    pub fn call(&mut self, func: Func, args: &[Value]) -> Result<Vec<Value>> {
        let id = self.funcs.get(func.0 as usize).map(|f| f.ty);
        let id = id.ok_or_else(|| Error::Usage("unknown function".into()))?;
        let ty = &self.types[id as usize];
        if args.len() != ty.params.len() {
            return Err(Error::Usage(format!("expected {} arguments, got {}", ty.params.len(), args.len())));
        }
        for (a, t) in args.iter().zip(ty.params.iter()) {
            if !self.value_matches_in(*a, *t, id) {
                return Err(Error::Usage(format!("argument type mismatch: expected {t}, got {}", a.ty())));
            }
        }
        crate::exec::invoke(self, func.0, args).map_err(Error::Trap)
    }

    /// Calls a function like [`Store::call`], writing its results into
    /// `results` (which must have exactly the function's result count):
    /// no allocation, for hot call paths.
    ///
    /// # Errors
    /// As [`Store::call`]; [`Error::Usage`] when `results` has the wrong
    /// length.
    pub fn call_into(&mut self, func: Func, args: &[Value], results: &mut [Value]) -> Result<()> {
        let id = self.funcs.get(func.0 as usize).map(|f| f.ty);
        let id = id.ok_or_else(|| Error::Usage("unknown function".into()))?;
        let ty = &self.types[id as usize];
        if args.len() != ty.params.len() || results.len() != ty.results.len() {
            return Err(Error::Usage(format!(
                "expected {} arguments and {} results, got {} and {}",
                ty.params.len(),
                ty.results.len(),
                args.len(),
                results.len()
            )));
        }
        if let Some((a, t)) = args.iter().zip(ty.params.iter()).find(|(a, t)| !self.value_matches_in(**a, **t, id)) {
            return Err(Error::Usage(format!("argument type mismatch: expected {t}, got {}", a.ty())));
        }
        crate::exec::invoke_into(self, func.0, args, results).map_err(Error::Trap)
    }

    /// Defines a global.
    ///
    /// # Errors
    /// [`Error::Usage`] when the value does not have the global's type.
    pub fn global_new(&mut self, ty: GlobalType, value: Value) -> Result<Global> {
        if !self.value_matches(value, ty.val) {
            return Err(Error::Usage(format!("global of type {} given a {}", ty.val, value.ty())));
        }
        Ok(Global(self.alloc_global(GlobalInst::new(ty, value.to_bits()))))
    }
    /// The type of a global.
    pub fn global_type(&self, global: Global) -> GlobalType {
        self.globals[global.0 as usize].ty
    }
    /// The value of a global.
    pub fn global_get(&self, global: Global) -> Value {
        let g = &self.globals[global.0 as usize];
        if g.ty.val == ValType::V128 {
            Value::from_bits(g.bits(), g.ty.val)
        } else {
            self.slot_value(g.value, g.ty.val)
        }
    }
    /// Sets a mutable global.
    ///
    /// # Errors
    /// [`Error::Usage`] when the global is immutable or the type differs.
    pub fn global_set(&mut self, global: Global, value: Value) -> Result<()> {
        let ty = self.globals[global.0 as usize].ty;
        if !ty.mutable {
            return Err(Error::Usage("global is immutable".into()));
        }
        if !self.value_matches(value, ty.val) {
            return Err(Error::Usage(format!("global of type {} given a {}", ty.val, value.ty())));
        }
        *self.globals[global.0 as usize] = GlobalInst::new(ty, value.to_bits());
        Ok(())
    }

    /// Defines a memory of `ty.limits.min` zeroed pages.
    ///
    /// # Errors
    /// [`Error::Usage`] when the limits are invalid or too large;
    /// [`Error::Link`] when the memory would pass
    /// [`Config::max_memories`] or [`Config::max_memory_bytes`] (checked
    /// before anything is allocated).
    pub fn memory_new(&mut self, ty: MemType) -> Result<Memory> {
        self.check_new_memories(std::slice::from_ref(&ty))?;
        let m = MemInst::of_type(&ty)
            .ok_or_else(|| Error::Usage("invalid or too large memory limits".into()))?;
        Ok(Memory(self.push_memory(m)))
    }
    /// The type of a memory (its current size as minimum).
    pub fn memory_type(&self, memory: Memory) -> MemType {
        let m = &self.mems[memory.0 as usize];
        m.ty()
    }
    /// Current size in pages.
    pub fn memory_size(&self, memory: Memory) -> u32 {
        self.mems[memory.0 as usize].pages()
    }
    /// Grows by `delta` pages; returns the old size, or `None` if refused
    /// (beyond the maximum, or [`Config::max_memory_bytes`]).
    pub fn memory_grow(&mut self, memory: Memory, delta: u32) -> Option<u32> {
        self.grow_memory(memory.0 as usize, u64::from(delta))
    }
    /// The bytes of a memory.
    pub fn memory_data(&self, memory: Memory) -> &[u8] {
        self.mems[memory.0 as usize].data()
    }
    /// The bytes of a memory, writable.
    pub fn memory_data_mut(&mut self, memory: Memory) -> &mut [u8] {
        self.mems[memory.0 as usize].data_mut()
    }

    /// Defines a table of `ty.limits.min` entries set to `init`.
    ///
    /// # Errors
    /// [`Error::Usage`] when `init` does not have the element type;
    /// [`Error::Link`] when the table would pass [`Config::max_tables`] or
    /// [`Config::max_table_elements`] (checked before anything is
    /// allocated).
    pub fn table_new(&mut self, ty: TableType, init: Value) -> Result<Table> {
        if !self.value_matches(init, ty.elem.into()) {
            return Err(Error::Usage(format!("table of {} given a {}", ty.elem, init.ty())));
        }
        self.check_new_tables(std::slice::from_ref(&ty))?;
        let t = TableInst::new(ty, init.to_slot())
            .ok_or_else(|| Error::Usage("invalid or too large table limits".into()))?;
        Ok(Table(self.push_table(t)))
    }
    /// The type of a table (its current size as minimum).
    pub fn table_type(&self, table: Table) -> TableType {
        self.tables[table.0 as usize].ty()
    }
    /// Current number of entries.
    pub fn table_size(&self, table: Table) -> u32 {
        self.tables[table.0 as usize].size()
    }
    /// Entry `index`, or `None` when out of bounds.
    pub fn table_get(&self, table: Table, index: u32) -> Option<Value> {
        let t = &self.tables[table.0 as usize];
        t.elems.get(index as usize).map(|&s| self.slot_value(s, t.elem.into()))
    }
    /// Sets entry `index`.
    ///
    /// # Errors
    /// [`Error::Trap`] out of bounds; [`Error::Usage`] on a type mismatch.
    pub fn table_set(&mut self, table: Table, index: u32, value: Value) -> Result<()> {
        let elem = self.tables[table.0 as usize].elem;
        if !self.value_matches(value, elem.into()) {
            return Err(Error::Usage(format!("table of {} given a {}", elem, value.ty())));
        }
        let t = &mut self.tables[table.0 as usize];
        let slot = t.elems.get_mut(index as usize).ok_or(Error::Trap(TrapCode::OutOfBoundsTableAccess.into()))?;
        *slot = value.to_slot();
        Ok(())
    }
    /// Grows by `delta` entries set to `init`; returns the old size, or
    /// `None` if refused (beyond the maximum, or
    /// [`Config::max_table_elements`]).
    pub fn table_grow(&mut self, table: Table, delta: u32, init: Value) -> Option<u32> {
        if !self.value_matches(init, self.tables[table.0 as usize].elem.into()) {
            return None;
        }
        self.grow_table(table.0 as usize, u64::from(delta), init.to_slot())
    }
}

#[allow(dead_code)]
fn _assert_send() {
    fn is_send<T: Send>() {}
    is_send::<Store>();
    is_send::<Module>();
    let _: Option<Error> = None;
}

/// `t` of the function type with id `own`, its references to itself
/// (`SELF_TYPE` in the canonical form) naming `own`.
pub(crate) fn own_type(t: ValType, own: u32) -> ValType {
    match t {
        ValType::Ref(r @ crate::syntax::RefType { heap: HeapType::Concrete(crate::validate::SELF_TYPE), .. }) => {
            ValType::Ref(crate::syntax::RefType { heap: HeapType::Concrete(own), ..r })
        }
        t => t,
    }
}

/// The value stack: zeroed memory that never moves, so frames can point
/// into it (pages are committed by the OS as calls reach them).
pub(crate) struct ValueStack {
    ptr: std::ptr::NonNull<u64>,
    len: usize,
}

// SAFETY: the stack owns its memory, like a `Box<[u64]>`.
unsafe impl Send for ValueStack {}

impl Default for ValueStack {
    fn default() -> ValueStack {
        ValueStack { ptr: std::ptr::NonNull::dangling(), len: 0 }
    }
}

impl ValueStack {
    /// A stack of `len` slots (empty if that much cannot be had).
    fn new(len: usize) -> ValueStack {
        let Ok(layout) = std::alloc::Layout::array::<u64>(len) else { return ValueStack::default() };
        if layout.size() == 0 {
            return ValueStack::default();
        }
        // A mapping of its own, not the allocator: once glibc's mmap
        // threshold has risen (after a large block is freed), it serves this
        // calloc from its heap and zeroes all 8 MiB, most of a millisecond
        // on the first call in each new store. Fresh pages are zero already.
        #[cfg(unix)]
        // SAFETY: an anonymous private mapping at an address of the kernel's
        // choosing: it touches no existing memory.
        let p = unsafe {
            let p = libc::mmap(
                std::ptr::null_mut(),
                layout.size(),
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            );
            if p == libc::MAP_FAILED {
                std::ptr::null_mut()
            } else {
                p
            }
        };
        #[cfg(not(unix))]
        // SAFETY: the layout has a non-zero size.
        let p = unsafe { std::alloc::alloc_zeroed(layout) };
        match std::ptr::NonNull::new(p.cast::<u64>()) {
            Some(ptr) => ValueStack { ptr, len },
            None => ValueStack::default(),
        }
    }

    pub(crate) fn base(&self) -> *mut u64 {
        self.ptr.as_ptr()
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

impl Drop for ValueStack {
    fn drop(&mut self) {
        if self.len > 0 {
            // SAFETY: unmaps exactly the mapping made in `new`; frames
            // pointing into it are gone with the calls that made them.
            #[cfg(unix)]
            unsafe {
                libc::munmap(self.ptr.as_ptr().cast(), self.len * 8)
            };
            // SAFETY: allocated in `new` with this layout.
            #[cfg(not(unix))]
            unsafe {
                std::alloc::dealloc(self.ptr.as_ptr().cast(), std::alloc::Layout::array::<u64>(self.len).unwrap())
            }
        }
    }
}
