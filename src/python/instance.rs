//! `Instance`, `Exports`, `ExportsIterator` and `ImportObject`.

use pyo3::exceptions::{PyAttributeError, PyKeyError, PyLookupError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};
use pyo3::{PyTraverseError, PyVisit};

use super::function::Function;
use super::global::Global;
use super::memory::Memory;
use super::module::Module;
use super::store::Store;
use super::table::Table;
use super::types::type_name;
use super::LinkError;
use crate::Extern;

/// An instance of a module: its state, and its exports.
///
/// `import_object` gives the module's imports: an `ImportObject`, or a
/// dict (or `defaultdict(dict)`) of namespaces, each a dict of `Function`,
/// `Global`, `Memory` or `Table` of the module's store. Missing or
/// mismatched imports raise `LinkError` (a RuntimeError); a trap in the
/// start function raises `Trap`.
///
/// ```py
/// >>> from wasmint import Store, Module, Instance, Function
/// >>> def sum(x: int, y: int) -> int:
/// ...     return x + y
/// >>> store = Store()
/// >>> module = Module(store, '''
/// ... (module
/// ...   (import "math" "sum" (func $sum (param i32 i32) (result i32)))
/// ...   (func (export "add_one") (param i32) (result i32)
/// ...     local.get 0 i32.const 1 call $sum))''')
/// >>> instance = Instance(module, {"math": {"sum": Function(store, sum)}})
/// >>> instance.exports.add_one(41)
/// 42
/// ```
#[pyclass(module = "wasmint", frozen)]
pub struct Instance {
    module: Py<Module>,
    /// Keeps the instance (one without exports too) from collection.
    _held: super::store::Held,
    /// The exports, an `Exports` object.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance
    /// >>> exports = Instance(Module(Store(), '(module (func (export "f") (result i32) i32.const 1))')).exports
    /// >>> exports.f(), 'f' in exports
    /// (1, True)
    /// ```
    #[pyo3(get)]
    exports: Py<Exports>,
}

/// Looks up `ns`.`name` in a dict-like import object; `None` if missing.
fn lookup<'py>(imports: &Bound<'py, PyAny>, ns: &str, name: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    let py = imports.py();
    let namespace = match imports.get_item(ns) {
        Ok(n) => n,
        Err(e) if e.is_instance_of::<PyKeyError>(py) => return Ok(None),
        Err(e) => return Err(e),
    };
    match namespace.get_item(name) {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_instance_of::<PyKeyError>(py) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The runtime value of an import object entry, which must belong to
/// `store`.
pub(crate) fn extern_of(obj: &Bound<'_, PyAny>, store: &Store, what: &str) -> PyResult<Extern> {
    let (ext, owner) = if let Ok(f) = obj.cast::<Function>() {
        (Extern::Func(f.get().func), f.get().store.get())
    } else if let Ok(g) = obj.cast::<Global>() {
        (Extern::Global(g.get().global), g.get().store.get())
    } else if let Ok(m) = obj.cast::<Memory>() {
        (Extern::Memory(m.get().memory), m.get().store.get())
    } else if let Ok(t) = obj.cast::<Table>() {
        (Extern::Table(t.get().table), t.get().store.get())
    } else if let Ok(t) = obj.cast::<super::exception::Tag>() {
        (Extern::Tag(t.get().tag), t.get().store.get())
    } else {
        return Err(PyTypeError::new_err(format!(
            "{what}: expected a Function, Global, Memory, Table or Tag, got {}",
            type_name(obj)
        )));
    };
    if !std::ptr::eq(owner, store) {
        return Err(LinkError::new_err(format!("{what}: it belongs to another store")));
    }
    Ok(ext)
}

/// The Python object for an exported runtime value.
fn export_object(py: Python<'_>, store: &Py<Store>, ext: Extern) -> PyResult<Py<PyAny>> {
    Ok(match ext {
        Extern::Func(f) => Function::wrap(py, store, f)?.into_any(),
        Extern::Global(global) => Py::new(py, Global::wrap(py, store, global))?.into_any(),
        Extern::Memory(memory) => Py::new(py, Memory::wrap(py, store, memory))?.into_any(),
        Extern::Table(table) => Py::new(py, Table::wrap(py, store, table))?.into_any(),
        Extern::Tag(tag) => Py::new(py, super::exception::Tag { store: store.clone_ref(py), tag })?.into_any(),
    })
}

#[pymethods]
impl Instance {
    #[new]
    #[pyo3(signature = (module, import_object = None))]
    fn new(py: Python<'_>, module: &Bound<'_, Module>, import_object: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let m = module.get();
        let store_py = &m.store;
        let store = store_py.get();
        store.cell.maybe_collect(py);
        let imports = m.inner.imports();
        let dict = match import_object {
            Some(o) => match o.cast::<ImportObject>() {
                Ok(io) => Some(io.get().namespaces.bind(py).clone().into_any()),
                Err(_) => Some(o.clone()),
            },
            None => None,
        };
        let mut externs = Vec::with_capacity(imports.len());
        for (ns, name, _) in &imports {
            let what = format!("import `{ns}`.`{name}`");
            let obj = match &dict {
                Some(d) => lookup(d, ns, name)?,
                None => None,
            };
            let obj = obj.ok_or_else(|| LinkError::new_err(format!("unknown import: {what} was not given")))?;
            externs.push(extern_of(&obj, store, &what)?);
        }
        // The start function may call Python host functions: `enter`.
        let inst = store
            .cell
            .enter(py, |s| s.instantiate(&m.inner, &externs))?
            .map_err(|e| super::exception::to_py_err_in(py, store_py, e))?;
        let list = store.cell.with(py, |s| s.exports(inst))?;
        let mut items = Vec::with_capacity(list.len());
        let by_name = PyDict::new(py);
        for (name, ext) in list {
            // Interned: attribute names are, so lookups compare pointers.
            let name = PyString::intern(py, &name);
            let obj = export_object(py, store_py, ext)?;
            by_name.set_item(&name, &obj)?;
            items.push((name.unbind(), obj));
        }
        let exports = Py::new(py, Exports { items, by_name: by_name.unbind() })?;
        Ok(Instance { module: module.clone().unbind(), exports, _held: super::store::Held::new(py, store_py, inst) })
    }

    /// The module this is an instance of.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance
    /// >>> module = Module(Store(), '(module)')
    /// >>> Instance(module).module is module
    /// True
    /// ```
    #[getter]
    fn module(&self, py: Python<'_>) -> Py<Module> {
        self.module.clone_ref(py)
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.module)?;
        visit.call(&self.exports)?;
        self._held.visit(&visit)
    }
}

/// The exports of an instance, by attribute (``exports.sum``) or by name
/// (``exports['sum']``); `len()` and iteration (``(name, export)`` pairs)
/// follow the module's order. An unknown name raises LookupError.
///
/// ```py
/// >>> from wasmint import Store, Module, Instance, Function, Global, Table, Memory
/// >>> exports = Instance(Module(Store(), '''
/// ... (module
/// ...   (func (export "func") (param i32 i64))
/// ...   (global (export "glob") i32 (i32.const 7))
/// ...   (table (export "tab") 0 funcref)
/// ...   (memory (export "mem") 1))''')).exports
/// >>> [name for (name, export) in exports], len(exports)
/// (['func', 'glob', 'tab', 'mem'], 4)
/// >>> isinstance(exports.func, Function), isinstance(exports.glob, Global), isinstance(exports.tab, Table), isinstance(exports.mem, Memory)
/// (True, True, True, True)
/// >>> exports.nope
/// Traceback (most recent call last):
///   ...
/// LookupError: Export `nope` does not exist.
/// ```
#[pyclass(module = "wasmint", frozen)]
pub struct Exports {
    /// In the module's order.
    items: Vec<(Py<PyString>, Py<PyAny>)>,
    /// The same objects by name: a dict, whose lookups use the str's cached
    /// hash (attribute access is the hot path of `exports.f(...)`).
    by_name: Py<PyDict>,
}

impl Exports {
    fn get<'py>(&self, name: &Bound<'py, PyString>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.by_name.bind(name.py()).get_item(name)
    }
}

#[pymethods]
impl Exports {
    fn __getattribute__(slf: &Bound<'_, Self>, name: &Bound<'_, PyString>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        if let Some(v) = slf.get().get(name)? {
            return Ok(v.unbind());
        }
        let key = name.to_cow()?;
        // Not an export: the ordinary attributes (`__class__`, ...).
        // SAFETY: both pointers are valid objects; the result is a new
        // reference or null with an exception set.
        let r = unsafe { ffi::PyObject_GenericGetAttr(slf.as_ptr(), name.as_ptr()) };
        if !r.is_null() {
            return Ok(unsafe { Py::from_owned_ptr(py, r) });
        }
        let err = PyErr::fetch(py);
        if key.starts_with("__") || !err.is_instance_of::<PyAttributeError>(py) {
            return Err(err);
        }
        // wasmer-python 1.1 (exports.rs `__getattr__`) raises this.
        Err(PyLookupError::new_err(format!("Export `{key}` does not exist.")))
    }

    fn __getitem__<'py>(&self, name: &Bound<'py, PyString>) -> PyResult<Bound<'py, PyAny>> {
        self.get(name)?.ok_or_else(|| PyLookupError::new_err(format!("Export `{name}` does not exist.")))
    }

    fn __contains__(&self, name: &Bound<'_, PyString>) -> PyResult<bool> {
        Ok(self.get(name)?.is_some())
    }

    fn __len__(&self) -> usize {
        self.items.len()
    }

    fn __iter__(slf: &Bound<'_, Self>) -> ExportsIterator {
        ExportsIterator { exports: slf.clone().unbind(), next: std::sync::atomic::AtomicUsize::new(0) }
    }

    fn __dir__(&self, py: Python<'_>) -> Vec<Py<PyString>> {
        self.items.iter().map(|(n, _)| n.clone_ref(py)).collect()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let names: Vec<String> = self.items.iter().map(|(n, _)| n.bind(py).to_string()).collect();
        format!("<wasmint.Exports {names:?}>")
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        for (_, v) in &self.items {
            visit.call(v)?;
        }
        visit.call(&self.by_name)
    }
}

/// An iterator over ``(name, export)`` pairs of an `Exports`, in order.
///
/// ```py
/// >>> from wasmint import Store, Module, Instance
/// >>> exports = Instance(Module(Store(), '(module (memory (export "a") 1) (global (export "b") i32 (i32.const 1)))')).exports
/// >>> [name for (name, export) in exports]
/// ['a', 'b']
/// ```
#[pyclass(module = "wasmint", frozen)]
pub struct ExportsIterator {
    exports: Py<Exports>,
    next: std::sync::atomic::AtomicUsize,
}

#[pymethods]
impl ExportsIterator {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyTuple>>> {
        use std::sync::atomic::Ordering::Relaxed;
        let i = self.next.fetch_add(1, Relaxed);
        match self.exports.get().items.get(i) {
            Some((n, v)) => Ok(Some(PyTuple::new(py, [n.clone_ref(py).into_any(), v.clone_ref(py)])?)),
            None => {
                self.next.store(usize::MAX / 2, Relaxed);
                Ok(None)
            }
        }
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.exports)
    }
}

/// The imports for `Instance`, by namespace. Deprecated in wasmer in favour
/// of plain dicts, which `Instance` accepts too.
///
/// ```py
/// >>> from wasmint import Store, ImportObject, Function, Memory, MemoryType
/// >>> store = Store()
/// >>> def sum(x: int, y: int) -> int:
/// ...     return x + y
/// >>> import_object = ImportObject()
/// >>> import_object.register("env", {"sum": Function(store, sum), "memory": Memory(store, MemoryType(minimum=1))})
/// >>> import_object.contains_namespace("env"), import_object.contains_namespace("foo")
/// (True, False)
/// >>> sorted(import_object.to_dict()["env"])
/// ['memory', 'sum']
/// ```
#[pyclass(module = "wasmint", frozen)]
pub struct ImportObject {
    namespaces: Py<PyDict>,
}

#[pymethods]
impl ImportObject {
    #[new]
    fn new(py: Python<'_>) -> Self {
        ImportObject { namespaces: PyDict::new(py).unbind() }
    }

    /// Registers `namespace` (a dict of `Function`, `Global`, `Memory` or
    /// `Table`) under `namespace_name`, replacing any previous one.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance, ImportObject, Function
    /// >>> store = Store()
    /// >>> def seven() -> int:
    /// ...     return 7
    /// >>> imports = ImportObject()
    /// >>> imports.register('env', {'seven': Function(store, seven)})
    /// >>> Instance(Module(store, '(module (import "env" "seven" (func $s (result i32))) (func (export "f") (result i32) call $s))'), imports).exports.f()
    /// 7
    /// ```
    fn register(&self, py: Python<'_>, namespace_name: &str, namespace: &Bound<'_, PyAny>) -> PyResult<()> {
        let d = PyDict::new(py);
        let items = namespace
            .call_method0("items")
            .map_err(|_| PyTypeError::new_err("register: `namespace` must be a dict"))?;
        for item in items.try_iter()? {
            let (k, v): (String, Bound<'_, PyAny>) = item?.extract()?;
            if !(v.is_instance_of::<Function>()
                || v.is_instance_of::<Global>()
                || v.is_instance_of::<Memory>()
                || v.is_instance_of::<Table>())
            {
                return Err(PyTypeError::new_err(format!(
                    "register: `{namespace_name}`.`{k}` must be a Function, Global, Memory or Table, not {}",
                    type_name(&v)
                )));
            }
            d.set_item(k, v)?;
        }
        self.namespaces.bind(py).set_item(namespace_name, d)
    }

    /// Whether a namespace of this name was registered.
    ///
    /// ```py
    /// >>> from wasmint import ImportObject
    /// >>> imports = ImportObject()
    /// >>> imports.register('env', {})
    /// >>> imports.contains_namespace('env'), imports.contains_namespace('wasi')
    /// (True, False)
    /// ```
    fn contains_namespace(&self, py: Python<'_>, namespace_name: &str) -> PyResult<bool> {
        self.namespaces.bind(py).contains(namespace_name)
    }

    /// A new dict ``{namespace: {name: export}}``.
    ///
    /// ```py
    /// >>> from wasmint import Store, ImportObject, Function
    /// >>> imports = ImportObject()
    /// >>> imports.register('env', {'f': Function(Store(), lambda: None)})
    /// >>> list(imports.to_dict()['env'])
    /// ['f']
    /// ```
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        for (k, v) in self.namespaces.bind(py).iter() {
            out.set_item(k, v.cast::<PyDict>()?.copy()?)?;
        }
        Ok(out)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("<wasmint.ImportObject {}>", self.namespaces.bind(py).keys().repr()?))
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.namespaces)
    }
}
