//! The native half of `wasmint.component`: components, their instances
//! and functions, and the conversion between Python values and component
//! values (the Python half, `python/wasmint/component.py`, builds the
//! attribute namespaces and the record/variant/resource classes).
//!
//! Values: ints (range-checked), floats, `str` (also for `char`), `bytes`
//! for `list<u8>`, lists, records as objects whose fields are snake_case
//! attributes (dicts accepted), tuples, variants as `Variant(tag, value)`,
//! enums as the case name, flags as a set of names, `option` as `None` or
//! the value (`Some(v)` when the payload is itself an option), `result`
//! as `Ok(v)`/`Err(e)` inside values and, as a function's result, the
//! value or a raised `ComponentError(e)`; resources as handle objects.

use std::cell::UnsafeCell;
use std::sync::Arc;

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PySet, PyString, PyTuple};
use pyo3::{PyTraverseError, PyVisit};

use super::function::prefixed;
use super::store::{to_py_err, CellPtr, HostData, Store};
use crate::component::{self as comp, Type, Val};
use crate::Trap;

fn helpers(py: Python<'_>) -> PyResult<Bound<'_, PyModule>> {
    py.import("wasmint.component")
}

/// A component, decoded and checked.
#[pyclass(module = "wasmint._native", name = "_Component", frozen)]
pub struct PyComponent {
    pub(crate) inner: comp::Component,
}

#[pymethods]
impl PyComponent {
    #[new]
    fn new(py: Python<'_>, bytes: &Bound<'_, PyAny>) -> PyResult<Self> {
        let data = if let Ok(b) = bytes.cast::<PyBytes>() {
            b.as_bytes().to_vec()
        } else if let Ok(b) = bytes.cast::<PyByteArray>() {
            b.to_vec()
        } else if let Ok(s) = bytes.cast::<PyString>() {
            super::module::wat_to_wasm(&s.to_cow()?)?
        } else {
            return Err(PyTypeError::new_err("Component: `bytes` must be bytes of a component binary (or its text)"));
        };
        let inner = py.detach(|| comp::Component::new(&data)).map_err(to_py_err)?;
        Ok(PyComponent { inner })
    }
    fn import_names(&self) -> Vec<String> {
        self.inner.import_names()
    }
    fn export_names(&self) -> Vec<String> {
        self.inner.export_names()
    }
}

/// What a linker gives: by import name, host callables (an interface of
/// them, or a top-level function).
#[pyclass(module = "wasmint._native", name = "_Linker")]
pub struct PyLinker {
    store: Py<Store>,
    linker: comp::Linker,
    /// The callables (shown to the GC by the store, which has them too).
    hosts: Vec<Arc<HostData>>,
}

#[pymethods]
impl PyLinker {
    #[new]
    fn new(store: Py<Store>) -> Self {
        PyLinker { store, linker: comp::Linker::new(), hosts: Vec::new() }
    }

    /// Defines host function `name` of interface `instance` (None: a
    /// top-level function import).
    #[pyo3(signature = (instance, name, callable))]
    fn define_func(&mut self, py: Python<'_>, instance: Option<&str>, name: &str, callable: &Bound<'_, PyAny>) -> PyResult<()> {
        if !callable.is_callable() {
            let what = instance.map_or_else(|| name.to_owned(), |i| format!("{i}#{name}"));
            return Err(PyTypeError::new_err(format!("Linker.define: `{what}` must be callable, not {}", callable.get_type().name()?)));
        }
        let data = Arc::new(HostData { callable: UnsafeCell::new(Some(callable.clone().unbind())) });
        self.store.get().cell.add_host(py, data.clone());
        self.hosts.push(data.clone());
        let cell = self.store.get().cell_ptr();
        let store_obj = self.store.as_ptr() as usize;
        let f: comp::HostFn = Arc::new(move |store, ty, args| Python::attach(|py| host_call(py, cell, store_obj, &data, store, ty, args)));
        self.linker.func(instance, name, f);
        Ok(())
    }

    /// Functions not defined trap when called instead of failing the
    /// instantiation.
    fn stub_missing(&mut self) {
        self.linker.stub_missing();
    }

    /// The imports the last instantiation made stubs of: `(import#name,
    /// parameters, result, WIT signature)` with types as `type_info` has them.
    fn stubbed(&self, py: Python<'_>) -> PyResult<Vec<(String, Py<PyAny>, Py<PyAny>, String)>> {
        self.linker
            .stubbed()
            .into_iter()
            .map(|(name, ty)| {
                let ps: Vec<Py<PyAny>> = ty
                    .params
                    .iter()
                    .map(|(n, t)| Ok((n.clone(), type_info(py, t)?).into_pyobject(py)?.into_any().unbind()))
                    .collect::<PyResult<_>>()?;
                let r = match &ty.result {
                    Some(t) => type_info(py, t)?,
                    None => py.None(),
                };
                Ok((name, ps.into_pyobject(py)?.into_any().unbind(), r, ty.wit()))
            })
            .collect()
    }

    /// Adds WASI 0.2 (see `Linker.add_wasip2`); the returned object holds
    /// captured output.
    #[pyo3(signature = (args, envs, dirs, stdin = None, stdout = None, stderr = None))]
    #[allow(clippy::too_many_arguments)]
    fn add_wasip2(
        &mut self,
        args: Vec<String>,
        envs: Vec<(String, String)>,
        dirs: Vec<(String, String)>,
        stdin: Option<Vec<u8>>,
        stdout: Option<&Bound<'_, PyAny>>,
        stderr: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyWasip2> {
        let (ctx, out, err, _pending) = super::wasi::build_ctx(args, envs, dirs, stdin, stdout, stderr)?;
        crate::wasi::p2::add_to_linker(&mut self.linker, ctx);
        Ok(PyWasip2 { stdout: out, stderr: err })
    }

    fn instantiate(&self, py: Python<'_>, component: &PyComponent) -> PyResult<PyComponentInstance> {
        let s = self.store.get();
        s.cell.maybe_collect(py);
        let linker = self.linker.clone();
        let c = component.inner.clone();
        let inst = s.cell.enter(py, move |st| linker.instantiate(st, &c))?.map_err(to_py_err)?;
        let held = RootSet::new(py, &self.store, &inst.roots);
        Ok(PyComponentInstance { held, store: self.store.clone_ref(py), inst: Arc::new(inst), classes: PyDict::new(py).unbind() })
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        // The callables are the store's to show (and clear): it holds them
        // too, and a reference is shown once.
        visit.call(&self.store)
    }
}

fn host_error(err: PyErr) -> Trap {
    Trap::host_with(err.to_string(), Box::new(err))
}

/// A guest's call of a host function: arguments to Python, the result back.
fn host_call(
    py: Python<'_>,
    cell: CellPtr,
    store_obj: usize,
    data: &HostData,
    store: &mut crate::Store,
    ty: &comp::FuncType,
    args: &[Val],
) -> Result<Option<Val>, Trap> {
    // SAFETY: the cell owns the runtime store this runs in, with the GIL.
    let cell_ref = unsafe { &*cell.0 };
    let _lend = cell_ref.lend(py, store);
    // SAFETY: `store_obj` is the Python Store owning the cell (alive while
    // a call on it runs); a new strong reference.
    let store_py: Py<Store> = match unsafe { Bound::from_borrowed_ptr(py, store_obj as *mut pyo3::ffi::PyObject) }.cast_into::<Store>() {
        Ok(s) => s.unbind(),
        Err(_) => return Err(Trap::host("internal error: host function without its store")),
    };
    // SAFETY: GIL held; cloned so no borrow of the cell lives while Python runs.
    let callable = match unsafe { &*data.callable.get() } {
        Some(c) => c.clone_ref(py),
        None => return Err(Trap::host("host function was cleared by the garbage collector")),
    };
    let run = || -> PyResult<Option<Val>> {
        let conv = Conv { store: &store_py, classes: None, held: None };
        let pargs: Vec<Py<PyAny>> = args
            .iter()
            .zip(&ty.params)
            .map(|(v, (_, t))| conv.to_py(py, v, t))
            .collect::<PyResult<_>>()?;
        let ret = callable.bind(py).call1(PyTuple::new(py, pargs)?);
        match &ty.result {
            None => {
                let ret = ret?;
                if !ret.is_none() {
                    return Err(PyTypeError::new_err("host function: the function has no result, but returned a value"));
                }
                Ok(None)
            }
            Some(Type::Result(rt)) => match ret {
                Ok(v) => Ok(Some(Val::Result(Ok(conv.payload(py, Some(&v), rt.ok.as_ref(), "host function result")?)))),
                Err(e) if e.is_instance(py, &helpers(py)?.getattr("ComponentError")?) => {
                    let v = e.value(py).getattr("value")?;
                    Ok(Some(Val::Result(Err(conv.payload(py, Some(&v), rt.err.as_ref(), "host function error")?))))
                }
                Err(e) => Err(e),
            },
            Some(t) => {
                let ret = ret?;
                Ok(Some(conv.from_py(py, &ret, t).map_err(|e| prefixed(py, e, "host function result"))?))
            }
        }
    };
    run().map_err(host_error)
}

/// What `add_wasip2` captured of the guest's output.
#[pyclass(module = "wasmint._native", name = "_Wasip2", frozen)]
pub struct PyWasip2 {
    stdout: Option<super::wasi::Captured>,
    stderr: Option<super::wasi::Captured>,
}

#[pymethods]
impl PyWasip2 {
    #[getter]
    fn stdout<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        super::wasi::captured_bytes(py, &self.stdout)
    }
    #[getter]
    fn stderr<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        super::wasi::captured_bytes(py, &self.stderr)
    }
}

/// A trap as Python sees it: `wasi:cli/exit` raises `wasmint.wasi.Exit`.
fn call_error(py: Python<'_>, t: Trap) -> PyErr {
    if let Some(code) = crate::wasi::exit_code(&t) {
        if let Ok(e) = py.import("wasmint.wasi").and_then(|m| m.getattr("Exit")).and_then(|x| x.call1((code,))) {
            return PyErr::from_value(e);
        }
    }
    to_py_err(crate::Error::Trap(t))
}

/// An instantiated component.
#[pyclass(module = "wasmint._native", name = "_ComponentInstance")]
pub struct PyComponentInstance {
    /// The core instances and functions it made, rooted for the store's
    /// collections while this, one of its functions or one of its
    /// resource handles lives. (Before `store`: dropped first.)
    held: Roots,
    store: Py<Store>,
    inst: Arc<comp::Instance>,
    /// Resource id -> the Python class of its handles.
    classes: Py<PyDict>,
}

#[pymethods]
impl PyComponentInstance {
    /// The exports: `(name, kind, value)` with kind "func" (a `_Func`),
    /// "instance" (a list of the same), "resource" (its id) or "type".
    fn exports(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        list_exports(py, &self.store, &self.inst.exports, &self.classes, &self.held)
    }

    /// Resource id -> the class its handles get (filled in by
    /// `wasmint.component`).
    #[getter]
    fn resource_classes(&self, py: Python<'_>) -> Py<PyDict> {
        self.classes.clone_ref(py)
    }

    /// Handles in the instance's table (owned or lent resources).
    fn live_handles(&self) -> usize {
        self.inst.state.live_handles()
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.store)?;
        visit.call(&self.classes)
    }
}

/// The core instances and functions of a component instance, rooted in
/// the store's collections while any object sharing this lives (the
/// instance, its functions, its resource handles).
///
/// It holds no reference to the Python `Store` (one shared by several
/// objects could not be shown to the GC once per reference): each holder
/// has its own, declared after this field, so the store outlives it.
struct RootSet {
    cell: CellPtr,
    roots: Vec<crate::Root>,
}

impl RootSet {
    fn new(py: Python<'_>, store: &Py<Store>, roots: &[crate::Root]) -> Roots {
        for r in roots {
            store.get().cell.root(py, *r);
        }
        Arc::new(RootSet { cell: store.get().cell_ptr(), roots: roots.to_vec() })
    }
}

impl Drop for RootSet {
    fn drop(&mut self) {
        // SAFETY: dropped with the GIL held (inside a Python object's
        // dealloc or clear), while the holder's own `Py<Store>` (declared
        // after the `Roots` field, so dropped after it) keeps the cell alive.
        let py = unsafe { Python::assume_attached() };
        // SAFETY: as just said, the cell outlives this.
        let cell = unsafe { &*self.cell.0 };
        for r in &self.roots {
            cell.unroot(py, *r);
        }
    }
}

type Roots = Arc<RootSet>;

fn list_exports(py: Python<'_>, store: &Py<Store>, inst: &comp::CInstance, classes: &Py<PyDict>, held: &Roots) -> PyResult<Py<PyList>> {
    let out = PyList::empty(py);
    for (name, item) in &inst.exports {
        let entry = match item {
            comp::Item::Func(f) => {
                let func = PyFunc { store: store.clone_ref(py), func: f.clone(), classes: classes.clone_ref(py), held: held.clone() };
                (name.as_str(), "func", Py::new(py, func)?.into_any())
            }
            comp::Item::Instance(i) => (name.as_str(), "instance", list_exports(py, store, i, classes, held)?.into_any()),
            comp::Item::Type(comp::TypeItem::Resource(r)) => (name.as_str(), "resource", r.id().into_pyobject(py)?.into_any().unbind()),
            _ => (name.as_str(), "other", py.None()),
        };
        out.append(entry)?;
    }
    Ok(out.unbind())
}

/// A component function, called with Python values.
#[pyclass(module = "wasmint._native", name = "_Func", frozen)]
pub struct PyFunc {
    /// (Before `store`: dropped first.)
    held: Roots,
    store: Py<Store>,
    func: comp::CFunc,
    /// Resource id -> the Python class of its handles (shared by the
    /// functions of one instance; filled in by `wasmint.component`).
    classes: Py<PyDict>,
}

#[pymethods]
impl PyFunc {
    #[pyo3(signature = (*args))]
    fn __call__(&self, py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        let ty = self.func.ty();
        if args.len() != ty.params.len() {
            return Err(PyTypeError::new_err(format!(
                "{} takes {} argument{} ({}), {} given",
                self.func.ty().wit(),
                ty.params.len(),
                if ty.params.len() == 1 { "" } else { "s" },
                ty.params.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", "),
                args.len()
            )));
        }
        let conv = Conv { store: &self.store, classes: Some(self.classes.bind(py)), held: Some(&self.held) };
        let mut vals = Vec::with_capacity(args.len());
        for (a, (n, t)) in args.iter().zip(&ty.params) {
            vals.push(conv.from_py(py, &a, t).map_err(|e| prefixed(py, e, &format!("argument `{n}`")))?);
        }
        let f = self.func.clone();
        let r = self.store.get().cell.enter(py, move |st| comp::call(st, &f, &vals))?;
        let r = r.map_err(|t| call_error(py, t))?;
        match (&ty.result, r) {
            (Some(Type::Result(rt)), Some(Val::Result(res))) => match res {
                Ok(v) => conv.payload_to_py(py, v.as_deref(), rt.ok.as_ref()),
                Err(e) => {
                    let ev = conv.payload_to_py(py, e.as_deref(), rt.err.as_ref())?;
                    Err(PyErr::from_value(helpers(py)?.getattr("ComponentError")?.call1((ev,))?))
                }
            },
            (Some(t), Some(v)) => conv.to_py(py, &v, t),
            _ => Ok(py.None()),
        }
    }

    /// The signature as WIT writes it.
    #[getter]
    fn wit(&self) -> String {
        self.func.ty().wit()
    }

    /// Parameter names.
    #[getter]
    fn param_names(&self) -> Vec<String> {
        self.func.ty().params.iter().map(|(n, _)| n.clone()).collect()
    }

    /// The shape of the parameter and result types, for bindings.
    fn type_info(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let ty = self.func.ty();
        let ps: Vec<Py<PyAny>> =
            ty.params.iter().map(|(n, t)| Ok((n.clone(), type_info(py, t)?).into_pyobject(py)?.into_any().unbind())).collect::<PyResult<_>>()?;
        let r = match &ty.result {
            Some(t) => type_info(py, t)?,
            None => py.None(),
        };
        Ok((ps, r).into_pyobject(py)?.into_any().unbind())
    }

    fn __repr__(&self) -> String {
        format!("<wasmint.component function {}>", self.func.ty().wit())
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.store)?;
        visit.call(&self.classes)
    }
}

/// A type's shape as plain Python data: `("u32",)`, `("list", t)`,
/// `("record", name, [(field, t)])`, `("variant", name, [(case, t|None)])`,
/// `("enum", name, [names])`, `("flags", name, [names])`, `("tuple", [t])`,
/// `("option", t)`, `("result", ok|None, err|None)`, `("own"|"borrow", name, id)`.
fn type_info(py: Python<'_>, t: &Type) -> PyResult<Py<PyAny>> {
    let o = |x: Option<&Type>| -> PyResult<Py<PyAny>> { x.map_or_else(|| Ok(py.None()), |t| type_info(py, t)) };
    let v: Bound<'_, PyAny> = match t {
        Type::Prim(p) => (p.name(),).into_pyobject(py)?.into_any(),
        Type::List(e) => ("list", type_info(py, e)?).into_pyobject(py)?.into_any(),
        Type::Record(r) => {
            let fs: Vec<(String, Py<PyAny>)> = r.fields.iter().map(|(n, t)| Ok((n.clone(), type_info(py, t)?))).collect::<PyResult<_>>()?;
            ("record", r.name.clone(), fs).into_pyobject(py)?.into_any()
        }
        Type::Variant(v) => {
            let cs: Vec<(String, Py<PyAny>)> = v.cases.iter().map(|(n, t)| Ok((n.clone(), o(t.as_ref())?))).collect::<PyResult<_>>()?;
            ("variant", v.name.clone(), cs).into_pyobject(py)?.into_any()
        }
        Type::Enum(e) => ("enum", e.name.clone(), e.names.clone()).into_pyobject(py)?.into_any(),
        Type::Flags(e) => ("flags", e.name.clone(), e.names.clone()).into_pyobject(py)?.into_any(),
        Type::Tuple(ts) => ("tuple", ts.iter().map(|t| type_info(py, t)).collect::<PyResult<Vec<_>>>()?).into_pyobject(py)?.into_any(),
        Type::Option(t) => ("option", type_info(py, t)?).into_pyobject(py)?.into_any(),
        Type::Result(r) => ("result", o(r.ok.as_ref())?, o(r.err.as_ref())?).into_pyobject(py)?.into_any(),
        Type::Own(r) => ("own", r.name(), r.id()).into_pyobject(py)?.into_any(),
        Type::Borrow(r) => ("borrow", r.name(), r.id()).into_pyobject(py)?.into_any(),
    };
    Ok(v.unbind())
}

/// A resource handle the host holds. `drop()` (or leaving a `with`
/// block) runs the component's destructor; passing an owned handle to a
/// function taking `own` moves it into the component.
#[pyclass(module = "wasmint._native", name = "_Resource")]
pub struct PyResource {
    /// (Before `store`: dropped first.)
    held: Option<Roots>,
    store: Option<Py<Store>>,
    res: Option<comp::Resource>,
}

#[pymethods]
impl PyResource {
    #[new]
    fn new() -> Self {
        PyResource { store: None, res: None, held: None }
    }

    /// Drops the handle: an owned one runs the component's destructor.
    /// Dropping twice does nothing.
    fn drop(&mut self, py: Python<'_>) -> PyResult<()> {
        let (Some(store), Some(r)) = (self.store.as_ref(), self.res.take()) else { return Ok(()) };
        store.get().cell.enter(py, move |st| comp::resource_drop(st, &r))?.map_err(|t| to_py_err(crate::Error::Trap(t)))
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&mut self, py: Python<'_>, _exc: &Bound<'_, PyTuple>) -> PyResult<bool> {
        self.drop(py)?;
        Ok(false)
    }

    /// Whether the handle still refers to a resource (not dropped, not
    /// moved into the component).
    #[getter]
    fn alive(&self) -> bool {
        self.res.is_some()
    }

    /// Whether the handle is owned (not a borrow).
    #[getter]
    fn owned(&self) -> bool {
        self.res.as_ref().is_some_and(|r| r.own)
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let name = slf.get_type().name()?;
        let me = slf.borrow();
        Ok(match &me.res {
            Some(r) => format!("<{name} {} handle, rep {}>", if r.own { "owned" } else { "borrowed" }, r.rep),
            None => format!("<{name} dropped>"),
        })
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        if let Some(s) = &self.store {
            visit.call(s)?;
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        self.held = None;
        self.store = None;
    }
}

/// Conversions for one call: the store (for resource handles) and the
/// classes of resource handles.
struct Conv<'a, 'py> {
    store: &'a Py<Store>,
    classes: Option<&'a Bound<'py, PyDict>>,
    /// The roots of the instance the values come from (a resource handle
    /// keeps its destructor alive).
    held: Option<&'a Roots>,
}

fn range_err(v: &Bound<'_, PyAny>, t: &str, lo: i128, hi: i128) -> PyErr {
    PyValueError::new_err(format!("{v} is out of range for {t} ({lo} to {hi})"))
}

fn kebab(s: &str) -> String {
    s.replace('_', "-").to_ascii_lowercase()
}

fn snake(s: &str) -> String {
    s.replace('-', "_")
}

fn type_err(what: &str, t: &Type, v: &Bound<'_, PyAny>) -> PyErr {
    let got = v.get_type().name().map_or_else(|_| "?".into(), |n| n.to_string());
    PyTypeError::new_err(format!("expected {what} for {}, got {got}", t.wit()))
}

impl<'py> Conv<'_, 'py> {
    fn from_py(&self, py: Python<'py>, v: &Bound<'py, PyAny>, t: &Type) -> PyResult<Val> {
        use crate::component::types::Prim as P;
        let int = |lo: i128, hi: i128, name: &str| -> PyResult<i128> {
            if v.is_instance_of::<PyBool>() || !v.is_instance_of::<PyInt>() {
                return Err(type_err("an int", t, v));
            }
            let x: i128 = v.extract().map_err(|_| range_err(v, name, lo, hi))?;
            if x < lo || x > hi {
                return Err(range_err(v, name, lo, hi));
            }
            Ok(x)
        };
        Ok(match t {
            Type::Prim(p) => match p {
                P::Bool => {
                    if !v.is_instance_of::<PyBool>() {
                        return Err(type_err("a bool", t, v));
                    }
                    Val::Bool(v.is_truthy()?)
                }
                P::S8 => Val::S8(int(i8::MIN.into(), i8::MAX.into(), "s8")? as i8),
                P::U8 => Val::U8(int(0, u8::MAX.into(), "u8")? as u8),
                P::S16 => Val::S16(int(i16::MIN.into(), i16::MAX.into(), "s16")? as i16),
                P::U16 => Val::U16(int(0, u16::MAX.into(), "u16")? as u16),
                P::S32 => Val::S32(int(i32::MIN.into(), i32::MAX.into(), "s32")? as i32),
                P::U32 => Val::U32(int(0, u32::MAX.into(), "u32")? as u32),
                P::S64 => Val::S64(int(i64::MIN.into(), i64::MAX.into(), "s64")? as i64),
                P::U64 => Val::U64(int(0, u64::MAX.into(), "u64")? as u64),
                P::F32 | P::F64 => {
                    if v.is_instance_of::<PyBool>() || !(v.is_instance_of::<PyFloat>() || v.is_instance_of::<PyInt>()) {
                        return Err(type_err("a float", t, v));
                    }
                    let x: f64 = v.extract()?;
                    if *p == P::F32 {
                        Val::F32(x as f32)
                    } else {
                        Val::F64(x)
                    }
                }
                P::Char => {
                    let s = v.cast::<PyString>().map_err(|_| type_err("a str of one character", t, v))?.to_cow()?;
                    let mut cs = s.chars();
                    match (cs.next(), cs.next()) {
                        (Some(c), None) => Val::Char(c),
                        _ => return Err(PyValueError::new_err(format!("expected one character for char, got {} characters", s.chars().count()))),
                    }
                }
                P::String => {
                    let s = v.cast::<PyString>().map_err(|_| type_err("a str", t, v))?;
                    Val::String(s.to_str().map_err(|_| PyValueError::new_err("string: a str with lone surrogates is not valid Unicode"))?.to_owned())
                }
            },
            Type::List(e) => {
                if matches!(**e, Type::Prim(P::U8)) {
                    if let Ok(b) = v.cast::<PyBytes>() {
                        return Ok(Val::Bytes(b.as_bytes().to_vec()));
                    }
                    if let Ok(b) = v.cast::<PyByteArray>() {
                        return Ok(Val::Bytes(b.to_vec()));
                    }
                }
                if v.is_instance_of::<PyString>() || v.is_instance_of::<PyDict>() || v.is_instance_of::<PyBytes>() {
                    return Err(type_err("a list", t, v));
                }
                let it = v.try_iter().map_err(|_| type_err("a list", t, v))?;
                let mut out = Vec::new();
                for (k, x) in it.enumerate() {
                    out.push(self.from_py(py, &x?, e).map_err(|err| prefixed(py, err, &format!("item {k}")))?);
                }
                if matches!(**e, Type::Prim(P::U8)) {
                    return Ok(Val::Bytes(out.into_iter().map(|x| if let Val::U8(b) = x { b } else { 0 }).collect()));
                }
                Val::List(out)
            }
            Type::Record(r) => {
                let mut out = Vec::with_capacity(r.fields.len());
                for (n, ft) in &r.fields {
                    let x = if let Ok(d) = v.cast::<PyDict>() {
                        match d.get_item(n)? {
                            Some(x) => x,
                            None => d.get_item(snake(n))?.ok_or_else(|| PyTypeError::new_err(format!("{}: missing field `{n}`", t.wit())))?,
                        }
                    } else {
                        // (`from_` where the field is a Python keyword, as bindings name it.)
                        v.getattr(snake(n).as_str()).or_else(|_| v.getattr(format!("{}_", snake(n)).as_str())).map_err(|_| {
                            let got = v.get_type().name().map_or_else(|_| "?".into(), |n| n.to_string());
                            PyTypeError::new_err(format!("expected a record {} (an object or dict with field `{}`), got {got}", t.wit(), snake(n)))
                        })?
                    };
                    out.push(self.from_py(py, &x, ft).map_err(|e| prefixed(py, e, &format!("field `{}`", snake(n))))?);
                }
                Val::Record(out)
            }
            Type::Tuple(ts) => {
                let items: Vec<Bound<'py, PyAny>> = if v.is_instance_of::<PyTuple>() || v.is_instance_of::<PyList>() {
                    v.try_iter()?.collect::<PyResult<_>>()?
                } else {
                    return Err(type_err("a tuple", t, v));
                };
                if items.len() != ts.len() {
                    return Err(PyValueError::new_err(format!("expected a tuple of {} for {}, got {}", ts.len(), t.wit(), items.len())));
                }
                Val::Tuple(items.iter().zip(ts.iter()).enumerate().map(|(k, (x, tt))| self.from_py(py, x, tt).map_err(|e| prefixed(py, e, &format!("item {k}")))).collect::<PyResult<_>>()?)
            }
            Type::Variant(var) => {
                let (tag, payload) = if let Ok(s) = v.cast::<PyString>() {
                    (s.to_cow()?.into_owned(), None)
                } else {
                    let tag = v.getattr("tag").map_err(|_| type_err("a Variant (or a case name)", t, v))?;
                    (tag.extract::<String>()?, Some(v.getattr("value")?))
                };
                let Some(i) = var.cases.iter().position(|(n, _)| *n == tag || *n == kebab(&tag)) else {
                    let names: Vec<&str> = var.cases.iter().map(|(n, _)| n.as_str()).collect();
                    return Err(PyValueError::new_err(format!("`{tag}` is not a case of {} ({})", t.wit(), names.join(", "))));
                };
                let p = self.payload(py, payload.as_ref(), var.cases[i].1.as_ref(), &format!("case `{tag}`"))?;
                Val::Variant(i as u32, p)
            }
            Type::Enum(e) => {
                let name = enum_name(v).ok_or_else(|| type_err("a str (a case name)", t, v))?;
                match e.names.iter().position(|n| *n == name || *n == kebab(&name)) {
                    Some(i) => Val::Enum(i as u32),
                    None => return Err(PyValueError::new_err(format!("`{name}` is not a case of {} ({})", t.wit(), e.names.join(", ")))),
                }
            }
            Type::Flags(f) => {
                let members: Vec<Bound<'py, PyAny>> = if let Ok(s) = v.cast::<PySet>() {
                    s.iter().collect()
                } else if v.is_instance_of::<PyString>() {
                    return Err(type_err("a set of flag names", t, v));
                } else if let Ok(flag) = helpers(py)?.getattr("_flag_members")?.call1((v,)) {
                    flag.try_iter()?.collect::<PyResult<_>>()?
                } else {
                    return Err(type_err("a set of flag names", t, v));
                };
                let mut set = Vec::new();
                for m in members {
                    let name = enum_name(&m).ok_or_else(|| type_err("flag names (str)", t, &m))?;
                    let Some(i) = f.names.iter().position(|n| *n == name || *n == kebab(&name)) else {
                        return Err(PyValueError::new_err(format!("`{name}` is not a flag of {} ({})", t.wit(), f.names.join(", "))));
                    };
                    set.push(i as u32);
                }
                set.sort_unstable();
                set.dedup();
                Val::Flags(set)
            }
            Type::Option(inner) => {
                if v.is_none() {
                    Val::Option(None)
                } else if v.is_instance(&helpers(py)?.getattr("Some")?)? {
                    Val::Option(Some(Box::new(self.from_py(py, &v.getattr("value")?, inner)?)))
                } else {
                    Val::Option(Some(Box::new(self.from_py(py, v, inner)?)))
                }
            }
            Type::Result(r) => {
                let h = helpers(py)?;
                if v.is_instance(&h.getattr("Err")?)? || v.is_instance(&h.getattr("ComponentError")?)? {
                    Val::Result(Err(self.payload(py, Some(&v.getattr("value")?), r.err.as_ref(), "error")?))
                } else if v.is_instance(&h.getattr("Ok")?)? {
                    Val::Result(Ok(self.payload(py, Some(&v.getattr("value")?), r.ok.as_ref(), "ok")?))
                } else {
                    Val::Result(Ok(self.payload(py, Some(v), r.ok.as_ref(), "ok")?))
                }
            }
            Type::Own(rt) | Type::Borrow(rt) => {
                let own = matches!(t, Type::Own(_));
                // The native handle, inside a resource object (or a typed
                // binding's object around that).
                let mut h = v.clone();
                for _ in 0..3 {
                    if h.is_instance_of::<PyResource>() {
                        break;
                    }
                    match h.getattr("_handle") {
                        Ok(inner) => h = inner,
                        Err(_) => break,
                    }
                }
                let mut h = h.cast::<PyResource>().map_err(|_| type_err("a resource handle", t, v))?.borrow_mut();
                let Some(res) = h.res.clone() else {
                    return Err(PyValueError::new_err(format!("the {} handle was dropped or moved", t.wit())));
                };
                if res.ty != *rt {
                    return Err(PyTypeError::new_err(format!("expected a {} handle, got a handle of another resource type", t.wit())));
                }
                if own {
                    if !res.own {
                        return Err(PyValueError::new_err(format!("a borrowed handle cannot be passed as an owned {}", t.wit())));
                    }
                    // The component takes it over.
                    h.res = None;
                }
                Val::Resource(res)
            }
        })
    }

    /// A case payload: `None` for a case without one.
    fn payload(&self, py: Python<'py>, v: Option<&Bound<'py, PyAny>>, t: Option<&Type>, what: &str) -> PyResult<Option<Box<Val>>> {
        match (t, v) {
            (None, None) => Ok(None),
            (None, Some(v)) if v.is_none() => Ok(None),
            (None, Some(_)) => Err(PyTypeError::new_err(format!("{what} has no payload, but a value was given"))),
            (Some(t), Some(v)) => Ok(Some(Box::new(self.from_py(py, v, t).map_err(|e| prefixed(py, e, what))?))),
            (Some(t), None) => Err(PyTypeError::new_err(format!("{what} needs a payload of type {}", t.wit()))),
        }
    }

    fn payload_to_py(&self, py: Python<'py>, v: Option<&Val>, t: Option<&Type>) -> PyResult<Py<PyAny>> {
        match (v, t) {
            (Some(v), Some(t)) => self.to_py(py, v, t),
            _ => Ok(py.None()),
        }
    }

    fn to_py(&self, py: Python<'py>, v: &Val, t: &Type) -> PyResult<Py<PyAny>> {
        let h = helpers(py)?;
        Ok(match (v, t) {
            (Val::Bool(b), _) => PyBool::new(py, *b).to_owned().into_any().unbind(),
            (Val::S8(x), _) => x.into_pyobject(py)?.into_any().unbind(),
            (Val::U8(x), _) => x.into_pyobject(py)?.into_any().unbind(),
            (Val::S16(x), _) => x.into_pyobject(py)?.into_any().unbind(),
            (Val::U16(x), _) => x.into_pyobject(py)?.into_any().unbind(),
            (Val::S32(x), _) => x.into_pyobject(py)?.into_any().unbind(),
            (Val::U32(x), _) => x.into_pyobject(py)?.into_any().unbind(),
            (Val::S64(x), _) => x.into_pyobject(py)?.into_any().unbind(),
            (Val::U64(x), _) => x.into_pyobject(py)?.into_any().unbind(),
            (Val::F32(x), _) => f64::from(*x).into_pyobject(py)?.into_any().unbind(),
            (Val::F64(x), _) => x.into_pyobject(py)?.into_any().unbind(),
            (Val::Char(c), _) => c.to_string().into_pyobject(py)?.into_any().unbind(),
            (Val::String(s), _) => PyString::new(py, s).into_any().unbind(),
            (Val::Bytes(b), _) => PyBytes::new(py, b).into_any().unbind(),
            (Val::List(xs), Type::List(e)) => PyList::new(py, xs.iter().map(|x| self.to_py(py, x, e)).collect::<PyResult<Vec<_>>>()?)?.into_any().unbind(),
            (Val::Record(xs), Type::Record(r)) => {
                let kw = PyDict::new(py);
                for (x, (n, ft)) in xs.iter().zip(&r.fields) {
                    kw.set_item(snake(n), self.to_py(py, x, ft)?)?;
                }
                let fields: Vec<String> = r.fields.iter().map(|(n, _)| snake(n)).collect();
                let cls = h.getattr("_record_class")?.call1((r.name.clone(), PyTuple::new(py, fields)?))?;
                cls.call((), Some(&kw))?.unbind()
            }
            (Val::Tuple(xs), Type::Tuple(ts)) => {
                PyTuple::new(py, xs.iter().zip(ts.iter()).map(|(x, t)| self.to_py(py, x, t)).collect::<PyResult<Vec<_>>>()?)?.into_any().unbind()
            }
            (Val::Variant(i, p), Type::Variant(var)) => {
                let (name, ct) = &var.cases[*i as usize];
                let payload = self.payload_to_py(py, p.as_deref(), ct.as_ref())?;
                h.getattr("Variant")?.call1((name, payload))?.unbind()
            }
            (Val::Enum(i), Type::Enum(e)) => PyString::new(py, &e.names[*i as usize]).into_any().unbind(),
            (Val::Flags(set), Type::Flags(f)) => {
                let s = PySet::empty(py)?;
                for i in set {
                    s.add(&f.names[*i as usize])?;
                }
                s.into_any().unbind()
            }
            (Val::Option(o), Type::Option(inner)) => match o {
                None => py.None(),
                Some(x) => {
                    let x = self.to_py(py, x, inner)?;
                    if matches!(**inner, Type::Option(_)) {
                        h.getattr("Some")?.call1((x,))?.unbind()
                    } else {
                        x
                    }
                }
            },
            (Val::Result(r), Type::Result(rt)) => match r {
                Ok(p) => h.getattr("Ok")?.call1((self.payload_to_py(py, p.as_deref(), rt.ok.as_ref())?,))?.unbind(),
                Err(p) => h.getattr("Err")?.call1((self.payload_to_py(py, p.as_deref(), rt.err.as_ref())?,))?.unbind(),
            },
            (Val::Resource(r), Type::Own(_) | Type::Borrow(_)) => {
                // The native handle, wrapped in the Python class of its
                // resource type (a plain Python object: the GC sees it whole).
                let handle = Py::new(py, PyResource { held: self.held.cloned(), store: Some(self.store.clone_ref(py)), res: Some(r.clone()) })?;
                let cls = match self.classes.and_then(|c| c.get_item(r.ty.id()).ok().flatten()) {
                    Some(c) => c,
                    None => h.getattr("Resource")?,
                };
                cls.call_method1("_wrap", (handle,))?.unbind()
            }
            _ => return Err(PyRuntimeError::new_err(format!("internal error: a {} value for type {}", comp::abi::describe(v), t.wit()))),
        })
    }
}

/// A case or flag name from a str or an `enum` member.
fn enum_name(v: &Bound<'_, PyAny>) -> Option<String> {
    if let Ok(s) = v.extract::<String>() {
        return Some(s);
    }
    let val = v.getattr("value").ok().and_then(|x| x.extract::<String>().ok());
    val.or_else(|| v.getattr("name").ok().and_then(|x| x.extract::<String>().ok()))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyComponent>()?;
    m.add_class::<PyLinker>()?;
    m.add_class::<PyComponentInstance>()?;
    m.add_class::<PyFunc>()?;
    m.add_class::<PyResource>()?;
    m.add_class::<PyWasip2>()?;
    Ok(())
}
