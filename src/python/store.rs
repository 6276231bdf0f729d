//! `Store`: owns the runtime store and arbitrates access to it.
//!
//! # Re-entrancy
//!
//! A Python host function may call exported wasm functions of the same
//! store (a closure capturing the instance). While wasm runs, the runtime
//! holds `&mut wasmint::Store`, and hands a reborrow of it to host functions
//! (`Caller::store`). A lock would deadlock here, so the [`StoreCell`] keeps
//! a raw pointer, `current`, to the store that may be used right now:
//!
//! * idle: `current` points at the owned store;
//! * a call runs: `current` is null (taken by the call);
//! * a host callback runs: `current` is the callback's `caller.store`
//!   (lent), so nested operations use that reborrow, never the original.
//!
//! Each step uses the most recently derived pointer, so no two live `&mut`
//! to the store are used at once.
//!
//! # Threads
//!
//! Calls run with the GIL released (other Python threads go on, and calls
//! on other stores run in parallel); host functions take it back. So the
//! GIL does not keep a second thread off a store that is running a call:
//! `current` is an atomic that every use of the store claims (swaps to
//! null) and gives back, and a thread that finds it null gets the busy
//! error (a RuntimeError) instead of a second `&mut` to the store. A call
//! from another thread while the store is inside a host callback of a
//! call is refused too (`owner`), so two calls never interleave on one
//! value stack. The rest of the cell (host callables, `externref`
//! objects, deferred unroots) is only touched with the GIL held, which is
//! why the module declares that it needs the GIL (`gil_used`).

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::{PyTraverseError, PyVisit};

use crate::Error;

/// A host function's Python side, shared by the runtime closure (which
/// calls it) and the [`StoreCell`] (which shows it to the GC and can clear
/// it to break reference cycles).
pub(crate) struct HostData {
    /// `None` once the GC cleared it.
    pub(crate) callable: UnsafeCell<Option<Py<PyAny>>>,
}

// SAFETY: `callable` is only read or written with the GIL held (host calls,
// `__traverse__`, `__clear__`), which serialises all access.
unsafe impl Sync for HostData {}

/// Objects passed as `externref` (by token) and the token of each (by
/// object address).
type Externs = (Vec<Option<Py<PyAny>>>, std::collections::HashMap<usize, u32>);

/// The runtime store and the state described in the module docs.
pub(crate) struct StoreCell {
    /// Owned; freed in `Drop`.
    owned: *mut crate::Store,
    /// The store usable right now; null while a call (or a `with`) holds it.
    current: AtomicPtr<crate::Store>,
    /// Number of wasm calls in progress on this store.
    depth: AtomicU32,
    /// Thread running the outermost call (see [`thread_token`]).
    owner: AtomicUsize,
    /// Python callables of host functions, for the GC.
    pub(crate) hosts: UnsafeCell<Vec<Arc<HostData>>>,
    /// Python objects passed to wasm as `externref`: the reference is an
    /// index here (objects stay alive as long as the store; the GC sees
    /// them). `extern_ids` maps an object's address to its index, so the
    /// same object always gets the same reference.
    externs: UnsafeCell<Externs>,
    /// References whose `AnyRef` handles were dropped while the store was
    /// in a call: unrooted before the next use ([`StoreCell::flush_unroots`]).
    unroots: UnsafeCell<Vec<u64>>,
    /// The store's interrupt handle: usable without claiming the store
    /// (from any thread, and by the Ctrl-C handler, see `sandbox.rs`).
    pub(crate) interrupt: crate::InterruptHandle,
    /// Store entities Python objects refer to, with a count each: the
    /// roots of [`StoreCell::maybe_collect`] (see [`Held`]).
    roots: UnsafeCell<std::collections::HashMap<crate::Root, u32>>,
    /// Instances and memories made since the last collection, and how many
    /// to make before the next one.
    made: std::cell::Cell<usize>,
    next_collect: std::cell::Cell<usize>,
    /// Bytes of linear memory after the last collection.
    bytes_after: std::cell::Cell<u64>,
}

// SAFETY: the store itself is only used by the thread that claimed
// `current` (an atomic swap); the other fields are used only with the GIL
// held (every accessor takes a `Python` token), which serialises threads.
unsafe impl Send for StoreCell {}
unsafe impl Sync for StoreCell {}

impl Drop for StoreCell {
    fn drop(&mut self) {
        // SAFETY: `owned` came from `Box::into_raw` and no call is running
        // (a running call keeps the Python `Store` alive).
        drop(unsafe { Box::from_raw(self.owned) });
    }
}

/// A cheap per-thread identity: the address of a thread-local.
fn thread_token() -> usize {
    thread_local!(static TOKEN: u8 = const { 0 });
    TOKEN.with(|t| t as *const u8 as usize)
}

fn busy() -> PyErr {
    PyRuntimeError::new_err("the store is busy: it is running a call in another thread")
}

/// Restores the cell after a call, also on unwinding.
struct CallGuard<'a> {
    cell: &'a StoreCell,
    store: *mut crate::Store,
    owner: usize,
    nested: bool,
}

impl Drop for CallGuard<'_> {
    fn drop(&mut self) {
        if self.nested {
            // SAFETY: pairs with the `Py_EnterRecursiveCall` in `enter`.
            unsafe { pyo3::ffi::Py_LeaveRecursiveCall() };
        }
        self.cell.depth.fetch_sub(1, SeqCst);
        self.cell.owner.store(self.owner, SeqCst);
        self.cell.current.store(self.store, SeqCst);
    }
}

/// Gives the store back after a `with`, also on unwinding.
struct WithGuard<'a> {
    cell: &'a StoreCell,
    store: *mut crate::Store,
}

impl Drop for WithGuard<'_> {
    fn drop(&mut self) {
        self.cell.current.store(self.store, SeqCst);
    }
}

/// Restores `current` after a host callback, also on unwinding.
pub(crate) struct LendGuard<'a> {
    cell: &'a StoreCell,
    prev: *mut crate::Store,
}

impl Drop for LendGuard<'_> {
    fn drop(&mut self) {
        self.cell.current.store(self.prev, SeqCst);
    }
}

/// The store, moved into the closure that runs without the GIL.
struct SendPtr(*mut crate::Store);
// SAFETY: the thread that claimed the store uses it from inside `detach`
// (same thread, GIL released); nobody else can claim it meanwhile.
unsafe impl Send for SendPtr {}

impl SendPtr {
    fn get(self) -> *mut crate::Store {
        self.0
    }
}

impl StoreCell {
    fn new(store: crate::Store) -> StoreCell {
        let interrupt = store.interrupt_handle();
        let owned = Box::into_raw(Box::new(store));
        StoreCell {
            interrupt,
            owned,
            current: AtomicPtr::new(owned),
            depth: AtomicU32::new(0),
            owner: AtomicUsize::new(0),
            hosts: UnsafeCell::new(Vec::new()),
            externs: UnsafeCell::new((Vec::new(), std::collections::HashMap::new())),
            unroots: UnsafeCell::new(Vec::new()),
            roots: UnsafeCell::new(std::collections::HashMap::new()),
            made: std::cell::Cell::new(0),
            next_collect: std::cell::Cell::new(MIN_COLLECT),
            bytes_after: std::cell::Cell::new(0),
        }
    }

    pub(crate) fn root(&self, _py: Python<'_>, r: crate::Root) {
        // SAFETY: GIL held; no other borrow of `roots` is live (only these
        // two and `maybe_collect` touch it, none of which runs Python code).
        *unsafe { &mut *self.roots.get() }.entry(r).or_insert(0) += 1;
    }

    pub(crate) fn unroot(&self, _py: Python<'_>, r: crate::Root) {
        // SAFETY: as in `root`.
        let roots = unsafe { &mut *self.roots.get() };
        if let Some(n) = roots.get_mut(&r) {
            *n -= 1;
            if *n == 0 {
                roots.remove(&r);
            }
        }
    }

    /// Counts an instance or memory made; every so often (after as many as
    /// were live at the last collection, at least [`MIN_COLLECT`]: linear
    /// time overall) frees what no Python object reaches, unless a call is
    /// running. Called before making one.
    pub(crate) fn maybe_collect(&self, py: Python<'_>) {
        self.made.set(self.made.get() + 1);
        if !self.idle() {
            return;
        }
        let due = self.made.get() >= self.next_collect.get();
        let Ok(Some(c)) = self.with(py, |s| {
            // Or when linear memory doubled since (plus 64 MiB): a few
            // large memories count as much as many instances.
            if !due && s.mem_bytes < self.bytes_after.get().saturating_mul(2) + (64 << 20) {
                return None;
            }
            self.flush_unroots(s);
            // SAFETY: as in `root`.
            let roots = unsafe { &*self.roots.get() };
            let c = s.collect(roots.keys().copied());
            self.bytes_after.set(s.mem_bytes);
            c
        }) else {
            return;
        };
        self.made.set(0);
        self.next_collect.set(c.live_instances.max(MIN_COLLECT));
        // Host functions freed: their Python callables go too.
        // SAFETY: GIL held; as in `add_host`.
        unsafe { &mut *self.hosts.get() }.retain(|h| Arc::strong_count(h) > 1);
    }

    /// Runs `f` on the store. `f` must not run Python code (it cannot: it
    /// gets no `Python` token and the store holds no Python state it could
    /// reach); that keeps this borrow the only one in use.
    #[inline]
    pub(crate) fn with<R>(&self, _py: Python<'_>, f: impl FnOnce(&mut crate::Store) -> R) -> PyResult<R> {
        let p = self.current.swap(std::ptr::null_mut(), SeqCst);
        if p.is_null() {
            return Err(busy());
        }
        let _guard = WithGuard { cell: self, store: p };
        // SAFETY: `p` is the owned store or a store lent by a host callback
        // of a call in progress; either way this thread claimed it, so
        // nothing else uses it while `f` runs (which runs no Python code).
        Ok(f(unsafe { &mut *p }))
    }

    /// Runs `f` on the store when `f` may run Python host functions (a call,
    /// an instantiation with a start function): like [`with`](Self::with),
    /// but those host functions may use the store again, through
    /// [`lend`](Self::lend).
    #[inline]
    pub(crate) fn enter<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut crate::Store) -> R + Send,
    ) -> PyResult<R> {
        let me = thread_token();
        let depth = self.depth.load(SeqCst);
        if depth > 0 && self.owner.load(SeqCst) != me {
            return Err(busy());
        }
        let p = self.current.swap(std::ptr::null_mut(), SeqCst);
        if p.is_null() {
            return Err(busy());
        }
        // From here on the guard gives the store back.
        let mut guard = CallGuard { cell: self, store: p, owner: self.owner.swap(me, SeqCst), nested: false };
        self.depth.fetch_add(1, SeqCst);
        // A nested call (wasm -> Python -> wasm ...) recurses on the native
        // stack: count it against Python's recursion limit so that deep
        // recursion raises RecursionError as pure Python code would, and
        // check the thread's real stack, so that a raised recursion limit or
        // a thread with a small stack raises it too instead of overflowing
        // (a nested level takes about 4 KiB).
        let nested = depth > 0;
        if nested && super::stack::remaining().is_some_and(|left| left < super::stack::HEADROOM) {
            return Err(pyo3::exceptions::PyRecursionError::new_err(
                "nested calls between WebAssembly and Python exhausted the thread's stack",
            ));
        }
        // SAFETY: GIL held; balanced by `Py_LeaveRecursiveCall` in the guard.
        if nested {
            if unsafe { pyo3::ffi::Py_EnterRecursiveCall(c" in a nested WebAssembly call".as_ptr()) } != 0 {
                return Err(PyErr::fetch(py));
            }
            guard.nested = true;
        }
        // SAFETY: this thread claimed the store (`current` is null until
        // the guard gives it back), so the only other use of it while `f`
        // runs is through the reborrow the runtime lends to host functions
        // (which take the GIL back first).
        self.flush_unroots(unsafe { &mut *p });
        let sigint = super::sandbox::SigintScope::enter(&self.interrupt, depth == 0);
        let store = SendPtr(p);
        let r = py.detach(move || f(unsafe { &mut *store.get() }));
        drop(guard);
        // A Ctrl-C that stopped the call raises KeyboardInterrupt instead
        // (Python's handler runs now: the store is usable again).
        sigint.finish(py)?;
        Ok(r)
    }

    /// Lends `store` (a host callback's `caller.store`, a reborrow of the
    /// store a call took) for nested use until the guard drops.
    pub(crate) fn lend(&self, _py: Python<'_>, store: &mut crate::Store) -> LendGuard<'_> {
        LendGuard { cell: self, prev: self.current.swap(store as *mut crate::Store, SeqCst) }
    }

    /// The `externref` token for a Python object.
    pub(crate) fn extern_ref(&self, obj: &Bound<'_, PyAny>) -> PyResult<u32> {
        // SAFETY: GIL held; no Python code runs while this borrow lives
        // (the clone below only increments a reference count).
        let (objs, ids) = unsafe { &mut *self.externs.get() };
        let key = obj.as_ptr() as usize;
        if let Some(&i) = ids.get(&key) {
            if objs[i as usize].as_ref().is_some_and(|o| o.is(obj)) {
                return Ok(i);
            }
        }
        let i = u32::try_from(objs.len()).map_err(|_| PyRuntimeError::new_err("too many externref objects"))?;
        objs.push(Some(obj.clone().unbind()));
        ids.insert(key, i);
        Ok(i)
    }

    /// The Python object of an `externref` token (None once cleared).
    pub(crate) fn extern_obj(&self, py: Python<'_>, token: u32) -> Py<PyAny> {
        // SAFETY: as in `extern_ref`.
        let (objs, _) = unsafe { &*self.externs.get() };
        match objs.get(token as usize) {
            Some(Some(o)) => o.clone_ref(py),
            _ => py.None(),
        }
    }

    /// Queues the release of a GC root that could not be released now
    /// (see `anyref.rs`).
    pub(crate) fn defer_unroot(&self, _py: Python<'_>, bits: u64) {
        // SAFETY: GIL held; the only other borrow is in `flush_unroots`,
        // which runs no Python code.
        unsafe { (*self.unroots.get()).push(bits) }
    }

    /// Releases the roots [`defer_unroot`](Self::defer_unroot) queued;
    /// `s` is the store (borrowed by the caller through `with`/`enter`).
    pub(crate) fn flush_unroots(&self, s: &mut crate::Store) {
        // SAFETY: GIL held (the caller holds the store through a
        // GIL-holding accessor); no Python code runs here.
        let q = unsafe { &mut *self.unroots.get() };
        for bits in q.drain(..) {
            s.gc_unroot(bits);
        }
    }

    /// Whether no call is running on the store.
    pub(crate) fn idle(&self) -> bool {
        self.depth.load(SeqCst) == 0
    }

    pub(crate) fn add_host(&self, _py: Python<'_>, data: Arc<HostData>) {
        // SAFETY: GIL held; no other borrow of `hosts` is live (it is only
        // touched here and in the GC hooks, none of which re-enter).
        unsafe { (*self.hosts.get()).push(data) }
    }
}

/// Instances and memories made between two collections, at least.
const MIN_COLLECT: usize = 32;

/// A store entity held by the Python object that owns this: a root of the
/// store's collection while the object lives. Each class whose object
/// refers to a store entity (`Function`, `Memory`, `Instance`, ...) has one.
pub(crate) struct Held {
    store: Py<Store>,
    root: crate::Root,
}

impl Held {
    pub(crate) fn new(py: Python<'_>, store: &Py<Store>, root: impl Into<crate::Root>) -> Held {
        let root = root.into();
        store.get().cell.root(py, root);
        Held { store: store.clone_ref(py), root }
    }
}

impl Held {
    /// Shows the GC the store reference (see the classes' `__traverse__`).
    pub(crate) fn visit(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.store)
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        // SAFETY: a `Held` lives inside Python objects (and their Rust
        // values while being built), which are dropped with the GIL held.
        let py = unsafe { Python::assume_attached() };
        self.store.get().cell.unroot(py, self.root);
    }
}

/// A raw pointer to a [`StoreCell`] that a host function closure carries to
/// find the cell again.
#[derive(Clone, Copy)]
pub(crate) struct CellPtr(pub(crate) *const StoreCell);
// SAFETY: only dereferenced with the GIL held, by a host function called
// from the store the cell owns (so the cell is alive: it owns the closure).
unsafe impl Send for CellPtr {}
unsafe impl Sync for CellPtr {}

/// The store holds every WebAssembly entity: functions, globals, memories,
/// tables and instances.
///
/// wasmint has a single engine, an interpreter (no JIT: nothing is compiled
/// to machine code). The optional `engine` (from :mod:`wasmint.engine`) is
/// accepted for compatibility with wasmer; it only sets `engine_name` and
/// `compiler_name`. `features` (a `Features`) limits what its modules may
/// use.
///
/// ```py
/// >>> from wasmint import Store, engine
/// >>> Store().engine_name
/// 'universal'
/// >>> Store(engine.Dylib()).engine_name
/// 'dylib'
/// >>> Store().compiler_name is None
/// True
/// ```
///
/// Resource limits, all unlimited by default (keyword arguments, ints or
/// None): `max_memory_bytes` (all linear memories together, by their
/// current sizes), `max_table_elements` (all tables together),
/// `max_instances`, `max_memories`, `max_tables` (counts) and
/// `max_gc_heap_bytes` (the GC heap; 4 GiB by default). Instantiating a
/// module that needs more fails with LinkError before anything is
/// allocated; `memory.grow` and `table.grow` beyond them return -1.
/// `max_wasm_stack` (bytes, 8 MiB by default) bounds wasm recursion.
///
/// ```py
/// >>> from wasmint import Store, Module, Instance, LinkError
/// >>> store = Store(max_memory_bytes=64 * 2**20, max_instances=10)
/// >>> store.max_memory_bytes, store.max_instances, store.max_tables
/// (67108864, 10, None)
/// >>> try:
/// ...     Instance(Module(store, "(module (memory 65536))"))
/// ... except LinkError as e:
/// ...     print(e)
/// memory limit exceeded: 4 GiB of linear memory needed, the store allows 64 MiB
/// ```
#[pyclass(module = "wasmint", frozen)]
pub struct Store {
    pub(crate) cell: Box<StoreCell>,
    /// What its modules may use (unless a `Module` is given its own).
    pub(crate) features: super::features::Features,
    engine_name: String,
    compiler_name: Option<String>,
    // --- sandboxing: fuel (issue 12) ---
    /// Fuel given since metering started (`fuel=` plus `add_fuel`), for
    /// `fuel_consumed`.
    fuel_given: AtomicU64,
    // --- end sandboxing: fuel ---
}

impl Store {
    pub(crate) fn cell_ptr(&self) -> CellPtr {
        CellPtr(&*self.cell as *const StoreCell)
    }
}

#[pymethods]
impl Store {
    #[new]
    #[pyo3(signature = (
        engine = None,
        *,
        features = None,
        // --- sandboxing: fuel (issue 12) ---
        fuel = None,
        // --- end sandboxing: fuel ---
        // Resource limits (`limits.rs`).
        max_memory_bytes = None, max_table_elements = None, max_instances = None,
        max_memories = None, max_tables = None, max_gc_heap_bytes = None,
        max_wasm_stack = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new<'py>(
        engine: Option<&Bound<'py, PyAny>>,
        features: Option<super::features::Features>,
        // --- sandboxing: fuel (issue 12) ---
        fuel: Option<&Bound<'py, PyAny>>,
        // --- end sandboxing: fuel ---
        // Resource limits (`limits.rs`).
        max_memory_bytes: Option<Bound<'py, PyAny>>,
        max_table_elements: Option<Bound<'py, PyAny>>,
        max_instances: Option<Bound<'py, PyAny>>,
        max_memories: Option<Bound<'py, PyAny>>,
        max_tables: Option<Bound<'py, PyAny>>,
        max_gc_heap_bytes: Option<Bound<'py, PyAny>>,
        max_wasm_stack: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Self> {
        // Resource limits (`limits.rs`).
        let mut config = crate::Config::default();
        let limits = super::limits::LimitArgs {
            max_memory_bytes,
            max_table_elements,
            max_instances,
            max_memories,
            max_tables,
            max_gc_heap_bytes,
            max_wasm_stack,
        };
        limits.apply(&mut config)?;
        // Calls nested through Python host functions are bounded by the
        // thread's real stack and Python's recursion limit (`enter`), not
        // by the runtime's fixed native-stack budget.
        config.max_native_stack = usize::MAX;

        let (engine_name, compiler_name) = match engine {
            None => ("universal".to_owned(), None),
            Some(e) => {
                let name = e
                    .getattr("name")
                    .and_then(|n| n.extract::<String>())
                    .map_err(|_| PyTypeError::new_err("Store: `engine` must come from wasmint.engine"))?;
                let compiler =
                    e.getattr("compiler_name").ok().and_then(|c| c.extract::<Option<String>>().ok()).flatten();
                (name, compiler)
            }
        };
        let features = features.unwrap_or(super::features::Features(crate::syntax::Features::ALL));
        #[allow(unused_mut)]
        let mut runtime = crate::Store::with_config(config);
        // --- sandboxing: fuel (issue 12) ---
        let fuel = fuel_arg(fuel, "Store: `fuel`")?;
        runtime.config_mut().fuel = fuel;
        let fuel_given = AtomicU64::new(fuel.unwrap_or(0));
        // --- end sandboxing: fuel ---
        Ok(Store {
            cell: Box::new(StoreCell::new(runtime)),
            features,
            engine_name,
            compiler_name,
            // --- sandboxing: fuel (issue 12) ---
            fuel_given,
            // --- end sandboxing: fuel ---
        })
    }

    // --- sandboxing: fuel, interruption, deadlines (issue 12) ---

    /// Fuel left, or None when fuel is not metered (the default). With
    /// ``Store(fuel=n)`` each function entry and each loop iteration costs
    /// one unit; a call that runs out raises `Trap` with code
    /// `TrapCode.OUT_OF_FUEL`. Raises RuntimeError while another thread
    /// runs a call on the store.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance, Trap
    /// >>> store = Store(fuel=1000)
    /// >>> spin = Instance(Module(store, '(module (func (export "spin") (loop br 0)))')).exports.spin
    /// >>> try:
    /// ...     spin()
    /// ... except Trap as e:
    /// ...     print(e, e.code.name)
    /// all fuel consumed OUT_OF_FUEL
    /// >>> store.fuel_remaining, store.fuel_consumed
    /// (0, 1000)
    /// >>> print(Store().fuel_remaining)
    /// None
    /// ```
    #[getter]
    fn fuel_remaining(&self, py: Python<'_>) -> PyResult<Option<u64>> {
        self.cell.with(py, |s| s.config().fuel)
    }

    /// Fuel used since metering started (``fuel=`` of the constructor, or
    /// the first `add_fuel`): all fuel given minus `fuel_remaining`; None
    /// when fuel is not metered.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance
    /// >>> store = Store(fuel=100)
    /// >>> f = Instance(Module(store, '(module (func (export "f")))')).exports.f
    /// >>> f(); f(); store.fuel_consumed
    /// 2
    /// ```
    #[getter]
    fn fuel_consumed(&self, py: Python<'_>) -> PyResult<Option<u64>> {
        let left = self.cell.with(py, |s| s.config().fuel)?;
        Ok(left.map(|left| self.fuel_given.load(SeqCst).saturating_sub(left)))
    }

    /// Adds `n` units of fuel (an int >= 0). On a store without fuel this
    /// starts metering, with `n` units. Also allowed from a host function
    /// during a call (the call goes on with the new amount).
    ///
    /// ```py
    /// >>> from wasmint import Store
    /// >>> store = Store()
    /// >>> store.add_fuel(10); store.add_fuel(5); store.fuel_remaining
    /// 15
    /// ```
    fn add_fuel(&self, py: Python<'_>, n: &Bound<'_, PyAny>) -> PyResult<()> {
        let Some(n) = fuel_arg(Some(n), "add_fuel: `n`")? else {
            return Err(PyTypeError::new_err("add_fuel: `n` must be an int, not None"));
        };
        let was_metered = self.cell.with(py, |s| {
            let c = s.config_mut();
            let was = c.fuel.is_some();
            c.fuel = Some(c.fuel.unwrap_or(0).saturating_add(n));
            was
        })?;
        if was_metered {
            let given = self.fuel_given.load(SeqCst).saturating_add(n);
            self.fuel_given.store(given, SeqCst);
        } else {
            self.fuel_given.store(n, SeqCst);
        }
        Ok(())
    }

    /// A new `InterruptHandle` of the store: its `interrupt()`, from any
    /// thread, stops the call running in the store (or the next one).
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance, Trap
    /// >>> store = Store()
    /// >>> f = Instance(Module(store, '(module (func $g) (func (export "f") (call $g)))')).exports.f
    /// >>> store.interrupt_handle().interrupt()
    /// >>> try:
    /// ...     f()
    /// ... except Trap as e:
    /// ...     print(e.code.name)
    /// INTERRUPTED
    /// >>> f()
    /// ```
    fn interrupt_handle(&self, py: Python<'_>) -> PyResult<super::sandbox::InterruptHandle> {
        // Kept outside the cell: this also works while another thread
        // runs a call.
        let _ = py;
        Ok(super::sandbox::InterruptHandle(self.cell.interrupt.clone()))
    }

    /// Interrupts the call running `seconds` (an int or float >= 0) from
    /// now, as `InterruptHandle.interrupt` would (or the next call, if
    /// none runs then). None cancels the deadline; each call replaces the
    /// deadline set before.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance, Trap
    /// >>> store = Store()
    /// >>> spin = Instance(Module(store, '(module (func (export "spin") (loop br 0)))')).exports.spin
    /// >>> store.set_deadline(0.05)
    /// >>> try:
    /// ...     spin()
    /// ... except Trap as e:
    /// ...     print(e)
    /// interrupted
    /// >>> store.set_deadline(None)
    /// ```
    #[pyo3(signature = (seconds))]
    fn set_deadline(&self, py: Python<'_>, seconds: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let after = match seconds {
            None => None,
            Some(s) => {
                if s.is_instance_of::<pyo3::types::PyBool>()
                    || !(s.is_instance_of::<pyo3::types::PyInt>() || s.is_instance_of::<pyo3::types::PyFloat>())
                {
                    return Err(PyTypeError::new_err(format!(
                        "set_deadline: `seconds` must be an int, a float or None, not {}",
                        s.get_type().name()?
                    )));
                }
                let secs: f64 = s.extract()?;
                match std::time::Duration::try_from_secs_f64(secs) {
                    Ok(d) => Some(d),
                    Err(_) if secs.is_finite() && secs > 0.0 => Some(std::time::Duration::MAX),
                    Err(_) => {
                        return Err(PyValueError::new_err(format!(
                            "set_deadline: `seconds` must be a number >= 0, not {secs}"
                        )))
                    }
                }
            }
        };
        let _ = py;
        // Only the shared signals (as in `interrupt_handle`): also while a
        // call runs in another thread.
        crate::runtime::interrupt::set_deadline(&self.cell.interrupt.0, after);
        Ok(())
    }

    // --- end sandboxing ---

    // ---- Resource limits (issue 12; `limits.rs`) ----

    /// The most bytes all linear memories of the store may hold together
    /// (by their current sizes), or None (no limit but the 4 GiB each
    /// memory holds). `memory.grow` beyond it returns -1, and
    /// `Memory.grow` raises RuntimeError.
    ///
    /// ```py
    /// >>> from wasmint import Store, Memory, MemoryType
    /// >>> store = Store(max_memory_bytes=3 * 65536)
    /// >>> memory = Memory(store, MemoryType(2))
    /// >>> store.max_memory_bytes, store.memory_bytes_used
    /// (196608, 131072)
    /// >>> memory.grow(1), store.memory_bytes_used
    /// (2, 196608)
    /// >>> memory.grow(1)
    /// Traceback (most recent call last):
    ///   ...
    /// RuntimeError: The memory could not grow: current size 3 pages, requested increase: 1 pages
    /// ```
    #[getter]
    fn max_memory_bytes(&self, py: Python<'_>) -> PyResult<Option<u64>> {
        self.cell.with(py, |s| s.config().max_memory_bytes)
    }

    /// The most elements all tables of the store may hold together (by
    /// their current sizes), or None. `table.grow` beyond it returns -1.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance
    /// >>> store = Store(max_table_elements=10)
    /// >>> exports = Instance(Module(store, '''(module (table 4 funcref)
    /// ...   (func (export "grow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))''')).exports
    /// >>> exports.grow(6), exports.grow(1), store.max_table_elements
    /// (4, -1, 10)
    /// ```
    #[getter]
    fn max_table_elements(&self, py: Python<'_>) -> PyResult<Option<u64>> {
        self.cell.with(py, |s| s.config().max_table_elements)
    }

    /// The most instances the store may hold, or None.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance
    /// >>> store = Store(max_instances=1)
    /// >>> module = Module(store, "(module)")
    /// >>> _ = Instance(module)
    /// >>> Instance(module)
    /// Traceback (most recent call last):
    ///   ...
    /// wasmint.LinkError: instance limit exceeded: the store holds 1 instances and allows 1
    /// ```
    #[getter]
    fn max_instances(&self, py: Python<'_>) -> PyResult<Option<usize>> {
        self.cell.with(py, |s| s.config().max_instances)
    }

    /// The most memories the store may hold (made by instances or by
    /// `Memory(store, ...)`), or None.
    ///
    /// ```py
    /// >>> from wasmint import Store
    /// >>> Store(max_memories=2).max_memories
    /// 2
    /// ```
    #[getter]
    fn max_memories(&self, py: Python<'_>) -> PyResult<Option<usize>> {
        self.cell.with(py, |s| s.config().max_memories)
    }

    /// Bytes of the wasm value stack, which bounds the depth of wasm
    /// recursion (8 MiB by default: about 500,000 frames of a function
    /// without locals, 100,000 of one with eight; a frame takes 8 bytes a
    /// parameter, local and operand, plus 16). Deeper recursion raises
    /// `Trap` with code `TrapCode.CALL_STACK_EXHAUSTED`; set it with
    /// ``Store(max_wasm_stack=bytes)`` (at least 1024). Address space is
    /// reserved for all of it; memory is used only as deep calls touch it.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance, Trap
    /// >>> store = Store(max_wasm_stack=64 * 1024)
    /// >>> store.max_wasm_stack
    /// 65536
    /// >>> wat = '(module (func $f (export "f") (param i32) (call $f (i32.add (local.get 0) (i32.const 1)))))'
    /// >>> try:
    /// ...     Instance(Module(store, wat)).exports.f(0)
    /// ... except Trap as e:
    /// ...     print(e.code.name)
    /// CALL_STACK_EXHAUSTED
    /// ```
    #[getter]
    fn max_wasm_stack(&self, py: Python<'_>) -> PyResult<usize> {
        self.cell.with(py, |s| s.config().max_value_stack * 8)
    }

    /// The most tables the store may hold, or None.
    ///
    /// ```py
    /// >>> from wasmint import Store
    /// >>> print(Store().max_tables)
    /// None
    /// ```
    #[getter]
    fn max_tables(&self, py: Python<'_>) -> PyResult<Option<usize>> {
        self.cell.with(py, |s| s.config().max_tables)
    }

    /// The most bytes the GC heap (structs and arrays) may hold: 4 GiB
    /// unless given. An allocation beyond it, after a collection, traps
    /// with ``out of memory``. It is counted apart from
    /// `max_memory_bytes`.
    ///
    /// ```py
    /// >>> from wasmint import Store
    /// >>> Store().max_gc_heap_bytes, Store(max_gc_heap_bytes=2**20).max_gc_heap_bytes
    /// (4294967296, 1048576)
    /// ```
    #[getter]
    fn max_gc_heap_bytes(&self, py: Python<'_>) -> PyResult<usize> {
        self.cell.with(py, |s| s.config().max_gc_heap)
    }

    /// Bytes of linear memory the store holds now (all its memories, by
    /// their current sizes).
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance
    /// >>> store = Store()
    /// >>> _ = Instance(Module(store, "(module (memory 2))"))
    /// >>> store.memory_bytes_used
    /// 131072
    /// ```
    #[getter]
    fn memory_bytes_used(&self, py: Python<'_>) -> PyResult<u64> {
        self.cell.with(py, |s| s.memory_bytes_used())
    }

    /// Table elements the store holds now (all its tables).
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance
    /// >>> store = Store()
    /// >>> _ = Instance(Module(store, "(module (table 3 funcref))"))
    /// >>> store.table_elements_used
    /// 3
    /// ```
    #[getter]
    fn table_elements_used(&self, py: Python<'_>) -> PyResult<u64> {
        self.cell.with(py, |s| s.table_elements_used())
    }

    // ---- end of resource limits ----

    /// The `Features` modules of this store may use (all by default).
    ///
    /// ```py
    /// >>> from wasmint import Store, Features
    /// >>> Store().features == Features(), Store(features=Features.wasm2()).features.memory64
    /// (True, False)
    /// ```
    #[getter]
    fn features(&self) -> super::features::Features {
        self.features
    }

    /// The engine's name: ``'universal'`` (the default) or ``'dylib'``.
    /// Both run the same interpreter.
    ///
    /// ```py
    /// >>> from wasmint import Store
    /// >>> Store().engine_name
    /// 'universal'
    /// ```
    #[getter]
    fn engine_name(&self) -> &str {
        &self.engine_name
    }

    /// The name of the compiler given to the engine, or None (headless, as
    /// wasmer calls it). wasmint never compiles to machine code: modules are
    /// always run by its interpreter.
    ///
    /// ```py
    /// >>> from wasmint import Store
    /// >>> print(Store().compiler_name)
    /// None
    /// ```
    #[getter]
    fn compiler_name(&self) -> Option<&str> {
        self.compiler_name.as_deref()
    }

    /// Objects (structs and arrays) alive in the store's GC heap: those
    /// reachable, and those not yet collected.
    ///
    /// ```py
    /// >>> from wasmint import Store
    /// >>> Store().gc_live_objects
    /// 0
    /// ```
    #[getter]
    fn gc_live_objects(&self, py: Python<'_>) -> PyResult<usize> {
        self.cell.with(py, |s| s.gc_stats().0)
    }

    /// Collections the store's GC heap has run so far.
    ///
    /// ```py
    /// >>> from wasmint import Store
    /// >>> store = Store()
    /// >>> store.collect_garbage(); store.gc_collections
    /// 1
    /// ```
    #[getter]
    fn gc_collections(&self, py: Python<'_>) -> PyResult<u64> {
        self.cell.with(py, |s| s.gc_stats().1)
    }

    /// Runs a collection of the GC heap now: objects neither reachable
    /// from wasm (globals, tables, ...) nor held by an `AnyRef` are freed.
    /// The heap also collects by itself as wasm allocates. Raises
    /// RuntimeError while a call is running on the store (from a host
    /// function).
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance
    /// >>> store = Store()
    /// >>> make = Instance(Module(store, '(module (type $p (struct (field i32))) (func (export "make") (result (ref $p)) (struct.new $p (i32.const 1))))')).exports.make
    /// >>> p = make()
    /// >>> store.collect_garbage()  # p is held: its object stays
    /// >>> p.kind
    /// 'struct'
    /// ```
    fn collect_garbage(&self, py: Python<'_>) -> PyResult<()> {
        if !self.cell.idle() {
            return Err(PyRuntimeError::new_err("collect_garbage: the store is running a call"));
        }
        let cell = &self.cell;
        cell.with(py, |s| {
            cell.flush_unroots(s);
            let top = s.stack_top;
            s.collect_garbage(top)
        })
    }

    fn __repr__(&self) -> String {
        format!("Store(engine_name={:?})", self.engine_name)
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        // SAFETY: the GC runs with the GIL held and never during a borrow of
        // `hosts` (borrows of it do not run Python code).
        for h in unsafe { &*self.cell.hosts.get() } {
            if let Some(c) = unsafe { &*h.callable.get() } {
                visit.call(c)?;
            }
        }
        for o in unsafe { &(*self.cell.externs.get()).0 }.iter().flatten() {
            visit.call(o)?;
        }
        Ok(())
    }

    fn __clear__(&self) {
        // Breaks cycles store -> host callable -> (closure) -> instance ->
        // store. A host function called afterwards raises.
        // Dropping a callable may run Python code (`__del__`) that creates
        // host functions, so take them all first and drop them after.
        let mut taken = Vec::new();
        for h in unsafe { &*self.cell.hosts.get() } {
            // SAFETY: GIL held; no host call is running on an unreachable
            // store, so nobody else borrows `callable`.
            taken.extend(unsafe { (*h.callable.get()).take() });
        }
        // SAFETY: as above.
        let (objs, ids) = unsafe { &mut *self.cell.externs.get() };
        taken.extend(objs.iter_mut().filter_map(Option::take));
        ids.clear();
        drop(taken);
    }
}

/// A fuel amount: None, or an int from 0 to 2**64 - 1 (`what` names the
/// argument in errors).
fn fuel_arg(v: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<u64>> {
    let Some(v) = v.filter(|v| !v.is_none()) else { return Ok(None) };
    if v.is_instance_of::<pyo3::types::PyBool>() || !v.is_instance_of::<pyo3::types::PyInt>() {
        return Err(PyTypeError::new_err(format!("{what} must be an int, not {}", v.get_type().name()?)));
    }
    v.extract::<u64>()
        .map(Some)
        .map_err(|_| PyValueError::new_err(format!("{what} must be between 0 and 2**64 - 1, not {v}")))
}

/// Converts a runtime error into the Python exception for it.
pub(crate) fn to_py_err(e: Error) -> PyErr {
    use super::{CompileError, LinkError};
    match e {
        Error::Trap(mut t) => {
            // Another payload is dropped: only the message reaches Python.
            match t.take_payload().map(|p| p.downcast::<PyErr>()) {
                // The very exception the host function raised, with the
                // wasm frames it went through.
                Some(Ok(err)) => {
                    Python::attach(|py| super::sandbox::add_frames(py, &err, &t));
                    *err
                }
                _ => super::sandbox::trap_err(&t),
            }
        }
        Error::Link(m) => LinkError::new_err(m),
        Error::Usage(m) => PyTypeError::new_err(m),
        other => CompileError::new_err(other.to_string()),
    }
}
