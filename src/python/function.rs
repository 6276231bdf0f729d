//! `Function`: exported wasm functions and host functions.
//!
//! Host functions: the runtime closure holds the Python callable through a
//! [`HostData`] shared with the store (so the GC sees it), and a raw pointer
//! to the store cell (not a reference to the Python `Store`: the store owns
//! the closure, and a strong reference back would be an uncollectable
//! cycle). A Python exception raised by the callable travels through the
//! wasm frames as a host trap (`TrapKind::Host`, payload the PyErr) and is re-raised, the same
//! object, by the outermost call from Python.

use std::cell::UnsafeCell;
use std::sync::Arc;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};
use pyo3::{PyTraverseError, PyVisit};

use super::store::{CellPtr, HostData, Store};
use super::reftype::{own_types, store_func_type, RefType, Ty};
use super::types::{from_value, to_value, type_from_py, FunctionType};
use crate::{Func, Trap, ValType, Value};

/// A function: exported by an instance (call it with Python numbers) or
/// defined by the host from a Python callable.
///
/// A host function's type comes from its annotations (``int``, ``'i32'``,
/// ``'I32'`` → I32; ``'i64'``, ``'I64'`` → I64; ``float``, ``'f32'``,
/// ``'F32'`` → F32; ``'f64'``, ``'F64'`` → F64; a tuple of those for several
/// results; ``None`` for none; a `RefType` for a typed reference) or from
/// an explicit `FunctionType`. An exception raised by the callable comes
/// out of the wasm call that led to it, unchanged.
///
/// ```py
/// >>> from wasmint import Store, Function, FunctionType, Type
/// >>> def sum(x: int, y: int) -> int:
/// ...     return x + y
/// >>> store = Store()
/// >>> function = Function(store, sum)
/// >>> function.type.params == [Type.I32, Type.I32] and function.type.results == [Type.I32]
/// True
/// >>> function(1, 2)
/// 3
/// >>> Function(store, lambda x, y: x + y, FunctionType([Type.I64, Type.I64], [Type.I64]))(2**40, 1)
/// 1099511627777
/// ```
#[pyclass(module = "wasmint", frozen)]
pub struct Function {
    pub(crate) store: Py<Store>,
    pub(crate) func: Func,
    _held: super::store::Held,
    params: Box<[ValType]>,
    results: Box<[ValType]>,
    /// CPython's entry for calls with the arguments in an array (see
    /// [`enable_vectorcall`]).
    #[cfg_attr(feature = "abi3", allow(dead_code))]
    vectorcall: Vectorcall,
}

/// A `vectorcallfunc` where CPython looks for it (`tp_vectorcall_offset`).
#[repr(transparent)]
struct Vectorcall(#[allow(dead_code)] Option<ffi::vectorcallfunc>);

impl Vectorcall {
    fn new() -> Vectorcall {
        #[cfg(not(feature = "abi3"))]
        return Vectorcall(Some(vectorcall));
        #[cfg(feature = "abi3")]
        return Vectorcall(None);
    }
}

/// Makes calls of a `Function` from Python skip `tp_call`, which needs the
/// arguments in a new tuple (and pyo3's `*args` handling of it): CPython
/// calls [`vectorcall`] with them in an array instead. That saves about 280
/// of 1540 instructions per `f(1, 2)` (callgrind, CPython 3.11).
/// pyo3 0.27 cannot declare vectorcall, so this sets the type's offset and
/// flag once, at module initialisation. Not under the stable ABI (the type
/// object is opaque there): calls use `tp_call`.
pub(crate) fn enable_vectorcall(py: Python<'_>) -> PyResult<()> {
    #[cfg(feature = "abi3")]
    let _ = py;
    #[cfg(not(feature = "abi3"))]
    {
        // Where the Rust value lives inside the Python object is pyo3's
        // business: measure it on an instance.
        let store: Bound<'_, Store> = py.get_type::<Store>().call0()?.cast_into()?;
        let f = Bound::new(
            py,
            Function {
                _held: super::store::Held::new(py, &store.clone().unbind(), crate::Extern::Func(Func(u32::MAX))),
                store: store.unbind(),
                func: Func(u32::MAX),
                params: Box::new([]),
                results: Box::new([]),
                vectorcall: Vectorcall::new(),
            },
        )?;
        let offset = std::ptr::addr_of!(f.get().vectorcall) as usize - f.as_ptr() as usize;
        let tp = f.get_type().as_type_ptr();
        // SAFETY: `tp` is the `Function` type object, fully initialised; we
        // hold the GIL and nothing else writes it. Every instance holds a
        // valid `vectorcallfunc` at `offset` (in `vectorcall`, set by
        // `Vectorcall::new`), inside the object (checked).
        unsafe {
            if offset + std::mem::size_of::<Vectorcall>() > (*tp).tp_basicsize as usize {
                return Ok(());
            }
            (*tp).tp_vectorcall_offset = offset as ffi::Py_ssize_t;
            (*tp).tp_flags |= ffi::Py_TPFLAGS_HAVE_VECTORCALL;
        }
    }
    Ok(())
}

/// The vectorcall entry of `Function`: `f(args...)` without a tuple.
///
/// # Safety
/// Called by CPython with the GIL, `callable` a `Function`, `args` an array
/// of `PyVectorcall_NARGS(nargsf)` objects, `kwnames` null or a tuple.
#[cfg(not(feature = "abi3"))]
unsafe extern "C" fn vectorcall(
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargsf: usize,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: as above. pyo3's own trampoline for `fastcall` methods (also
    // behind the pyo3 macros): panics become PanicException, errors are set.
    unsafe {
        pyo3::impl_::trampoline::fastcall_with_keywords(
            callable,
            args,
            ffi::PyVectorcall_NARGS(nargsf),
            kwnames,
            vectorcall_body,
        )
    }
}

#[cfg(not(feature = "abi3"))]
unsafe fn vectorcall_body(
    py: Python<'_>,
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> PyResult<*mut ffi::PyObject> {
    // SAFETY: see `vectorcall`.
    unsafe {
        if !kwnames.is_null() && ffi::PyTuple_GET_SIZE(kwnames) != 0 {
            return Err(PyTypeError::new_err("the function takes no keyword arguments"));
        }
        let f = Borrowed::from_ptr(py, callable).cast_unchecked::<Function>();
        let args: &[*mut ffi::PyObject] =
            if nargs <= 0 { &[] } else { std::slice::from_raw_parts(args, nargs as usize) };
        f.get().call(py, args.iter().map(|&a| Borrowed::from_ptr(py, a))).map(Py::into_ptr)
    }
}

impl Function {
    /// The `Function` object for a function of `store`.
    pub(crate) fn wrap(py: Python<'_>, store: &Py<Store>, func: Func) -> PyResult<Py<Function>> {
        let (params, results) = store.get().cell.with(py, |s| own_types(s, func))?;
        Py::new(
            py,
            Function {
                _held: super::store::Held::new(py, store, crate::Extern::Func(func)),
                store: store.clone_ref(py),
                func,
                params,
                results,
                vectorcall: Vectorcall::new(),
            },
        )
    }

    /// Calls the function from Python (`__call__` and `vectorcall`).
    fn call<'a, 'py: 'a>(
        &self,
        py: Python<'py>,
        args: impl ExactSizeIterator<Item = Borrowed<'a, 'py, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let n = args.len();
        if n != self.params.len() {
            return Err(PyTypeError::new_err(format!(
                "the function takes {} argument{} ({} given)",
                self.params.len(),
                if self.params.len() == 1 { "" } else { "s" },
                n
            )));
        }
        let store = self.store.get();
        // Up to 8 arguments and results without allocating.
        let mut args_buf = Values::new();
        let values = args_buf.get(n);
        for (i, ((slot, ty), arg)) in values.iter_mut().zip(self.params.iter()).zip(args).enumerate() {
            *slot = to_value(&arg, *ty, store).map_err(|e| prefixed(py, e, &format!("argument {i}")))?;
        }
        let nr = self.results.len();
        let mut results_buf = Values::new();
        let results = results_buf.get(nr);
        store
            .cell
            .enter(py, |s| s.call_into(self.func, values, results))?
            .map_err(|e| super::exception::to_py_err_in(py, &self.store, e))?;
        match results {
            [] => Ok(py.None()),
            [r] => from_value(py, *r, &self.store),
            _ => {
                let items = results.iter().map(|v| from_value(py, *v, &self.store)).collect::<PyResult<Vec<_>>>()?;
                Ok(PyTuple::new(py, items)?.into_any().unbind())
            }
        }
    }
}

/// Up to 8 values on the native stack, more on the heap: a call's
/// arguments or results without an allocation in the common case.
struct Values {
    small: [Value; 8],
    big: Vec<Value>,
}

impl Values {
    fn new() -> Values {
        Values { small: [Value::I32(0); 8], big: Vec::new() }
    }

    /// `n` values.
    fn get(&mut self, n: usize) -> &mut [Value] {
        if n <= self.small.len() {
            &mut self.small[..n]
        } else {
            self.big.resize(n, Value::I32(0));
            &mut self.big
        }
    }
}

fn annotation_type(py: Python<'_>, ann: &Bound<'_, PyAny>, what: &str) -> PyResult<Ty> {
    if ann.is_instance_of::<RefType>() {
        return Ty::from_py(ann);
    }
    annotation_valtype(py, ann, what).map(Ty::Val)
}

fn annotation_valtype(py: Python<'_>, ann: &Bound<'_, PyAny>, what: &str) -> PyResult<ValType> {
    if ann.is(py.get_type::<pyo3::types::PyInt>()) {
        return Ok(ValType::I32);
    }
    if ann.is(py.get_type::<pyo3::types::PyFloat>()) {
        return Ok(ValType::F32);
    }
    if let Ok(s) = ann.cast::<PyString>() {
        let s = s.to_cow()?;
        return match s.trim().trim_matches(|c| c == '\'' || c == '"') {
            "int" | "i32" | "I32" => Ok(ValType::I32),
            "i64" | "I64" => Ok(ValType::I64),
            "float" | "f32" | "F32" => Ok(ValType::F32),
            "f64" | "F64" => Ok(ValType::F64),
            other => Err(annotation_error(py, other, what)),
        };
    }
    if ann.is_instance_of::<pyo3::types::PyInt>() {
        // A `Type` member.
        return type_from_py(ann);
    }
    Err(annotation_error(py, &ann.str()?.to_cow()?, what))
}

/// The class of an unsupported annotation's error: a TypeError (what it
/// is) and a RuntimeError (what wasmer raised), so code catching either
/// works.
static ANNOTATION_ERROR: pyo3::sync::PyOnceLock<Py<pyo3::types::PyType>> = pyo3::sync::PyOnceLock::new();

/// wasmer's text ("Type `None` is not a supported type"), then which
/// annotation it was.
fn annotation_error(py: Python<'_>, shown: &str, what: &str) -> PyErr {
    let msg = format!("Type `{shown}` is not a supported type (Function: the annotation of {what}; use int, float, a Type or a RefType, or give a FunctionType)");
    let class = ANNOTATION_ERROR.get_or_try_init(py, || -> PyResult<_> {
        let bases = PyTuple::new(py, [py.get_type::<PyTypeError>(), py.get_type::<pyo3::exceptions::PyRuntimeError>()])?;
        let ns = pyo3::types::PyDict::new(py);
        ns.set_item("__module__", "wasmint")?;
        ns.set_item("__doc__", "An unsupported type annotation of a host function (a TypeError and a RuntimeError).")?;
        let t = py.get_type::<pyo3::types::PyType>().call1(("AnnotationError", bases, ns))?;
        Ok(t.cast_into::<pyo3::types::PyType>()?.unbind())
    });
    match class.and_then(|c| c.bind(py).call1((msg.clone(),))) {
        Ok(e) => PyErr::from_value(e),
        Err(_) => PyTypeError::new_err(msg),
    }
}

/// The result types from a return annotation.
fn result_types(py: Python<'_>, ann: &Bound<'_, PyAny>, empty: &Bound<'_, PyAny>) -> PyResult<Vec<Ty>> {
    if ann.is(empty) || ann.is_none() || ann.is(py.None().bind(py).get_type()) {
        return Ok(vec![]);
    }
    if let Ok(t) = ann.cast::<PyTuple>() {
        return t.iter().map(|a| annotation_type(py, &a, "a result")).collect();
    }
    if let Ok(s) = ann.cast::<PyString>() {
        // String annotations (`from __future__ import annotations`).
        let s = s.to_cow()?;
        let s = s.trim();
        if s == "None" {
            return Ok(vec![]);
        }
        if let Some(inner) = s.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
            return inner
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| annotation_type(py, PyString::new(py, p).as_any(), "a result"))
                .collect();
        }
    }
    Ok(vec![annotation_type(py, ann, "the result")?])
}

fn signature_of(py: Python<'_>, f: &Bound<'_, PyAny>) -> PyResult<FunctionType> {
    let inspect = py.import("inspect")?;
    let sig = inspect.call_method1("signature", (f,)).map_err(|e| {
        PyTypeError::new_err(format!("Function: cannot read the signature of the callable ({e}); give a FunctionType"))
    })?;
    let empty = inspect.getattr("Parameter")?.getattr("empty")?;
    let mut params = Vec::new();
    for p in sig.getattr("parameters")?.call_method0("values")?.try_iter()? {
        let p = p?;
        let ann = p.getattr("annotation")?;
        let name: String = p.getattr("name")?.extract()?;
        if ann.is(&empty) {
            return Err(PyTypeError::new_err(format!(
                "Function: parameter `{name}` has no type annotation; annotate it or give a FunctionType"
            )));
        }
        params.push(annotation_type(py, &ann, &format!("parameter `{name}`"))?);
    }
    let results = result_types(py, &sig.getattr("return_annotation")?, &empty)?;
    Ok(FunctionType { params, results })
}

fn host_error(err: PyErr) -> Trap {
    Trap::host_with(err.to_string(), Box::new(err))
}

/// A conversion error of a host function's result.
fn result_error(py: Python<'_>, e: PyErr) -> PyErr {
    prefixed(py, e, "host function result")
}

/// A conversion error naming what was converted, with its class kept
/// (OverflowError for an int that does not fit, ValueError, TypeError
/// otherwise).
pub(crate) fn prefixed(py: Python<'_>, e: PyErr, what: &str) -> PyErr {
    let msg = format!("{what}: {}", e.value(py));
    if e.is_instance_of::<pyo3::exceptions::PyOverflowError>(py) {
        pyo3::exceptions::PyOverflowError::new_err(msg)
    } else if e.is_instance_of::<PyValueError>(py) {
        PyValueError::new_err(msg)
    } else {
        PyTypeError::new_err(msg)
    }
}

/// Converts the value a host function returned into its results, of
/// types `types` (as the store knows them).
fn host_results(
    py: Python<'_>,
    ret: &Bound<'_, PyAny>,
    results: &mut [Value],
    types: &[ValType],
    store: &Store,
) -> PyResult<()> {
    match results.len() {
        0 => Ok(()),
        1 => {
            results[0] = to_value(ret, types[0], store).map_err(|e| result_error(py, e))?;
            Ok(())
        }
        n => {
            let items: Vec<Bound<'_, PyAny>> = match ret.try_iter() {
                Ok(it) => it.collect::<PyResult<_>>()?,
                Err(_) => vec![],
            };
            if items.len() != n {
                return Err(PyTypeError::new_err(format!("host function must return a tuple of {n} values")));
            }
            for ((slot, item), ty) in results.iter_mut().zip(items.iter()).zip(types) {
                *slot = to_value(item, *ty, store).map_err(|e| result_error(py, e))?;
            }
            Ok(())
        }
    }
}

/// Whether `f`'s return annotation is `None` (also as the string of
/// `from __future__ import annotations`).
fn returns_none(py: Python<'_>, f: &Bound<'_, PyAny>) -> bool {
    let ann = py.import("inspect").and_then(|i| i.call_method1("signature", (f,))).and_then(|s| s.getattr("return_annotation"));
    ann.is_ok_and(|a| a.is_none() || a.extract::<String>().is_ok_and(|s| s == "None"))
}

/// The body of every host function (its arguments are what the closure
/// captured and what the runtime passes).
#[allow(clippy::too_many_arguments)]
fn host_call(
    py: Python<'_>,
    cell: CellPtr,
    store_obj: usize,
    data: &HostData,
    result_types: &[ValType],
    declared_none: bool,
    caller: &mut crate::Caller<'_>,
    params: &[Value],
    results: &mut [Value],
) -> Result<(), Trap> {
    // SAFETY: the cell owns the runtime store that owns this closure, and
    // the closure runs only inside a call on that store, with the GIL.
    let cell = unsafe { &*cell.0 };
    let _lend = cell.lend(py, caller.store);
    // SAFETY: `store_obj` is the Python `Store` that owns `cell`; it is
    // alive for the same reason. We take a new strong reference.
    let store: Bound<'_, Store> =
        match unsafe { Bound::from_borrowed_ptr(py, store_obj as *mut ffi::PyObject) }.cast_into() {
            Ok(s) => s,
            Err(_) => return Err(Trap::host("internal error: host function without its store")),
        };
    // SAFETY: GIL held; clone so that no borrow of the cell is live while
    // Python code runs.
    let callable = match unsafe { &*data.callable.get() } {
        Some(c) => c.clone_ref(py),
        None => return Err(Trap::host("host function was cleared by the garbage collector")),
    };
    let mut run = || -> PyResult<()> {
        let arg = |v: &Value| from_value(py, *v, store.as_unbound());
        let f = callable.bind(py);
        // Up to four arguments go by vectorcall from the stack (pyo3's
        // tuple calls), with no argument tuple built.
        let ret = match params {
            [] => f.call0()?,
            [a] => f.call1((arg(a)?,))?,
            [a, b] => f.call1((arg(a)?, arg(b)?))?,
            [a, b, c] => f.call1((arg(a)?, arg(b)?, arg(c)?))?,
            [a, b, c, d] => f.call1((arg(a)?, arg(b)?, arg(c)?, arg(d)?))?,
            _ => f.call1(PyTuple::new(py, params.iter().map(arg).collect::<PyResult<Vec<_>>>()?)?)?,
        };
        if declared_none && !ret.is_none() {
            let name = f.getattr("__qualname__").map_or_else(|_| f.to_string(), |n| n.to_string());
            let got = ret.repr().map_or_else(|_| "?".into(), |r| r.to_string());
            let got: String = if got.chars().count() > 60 { got.chars().take(57).chain("...".chars()).collect() } else { got };
            return Err(PyTypeError::new_err(format!(
                "host function `{name}` is annotated `-> None` but returned {got}"
            )));
        }
        host_results(py, &ret, results, result_types, store.get())
    };
    run().map_err(|err| match super::exception::thrown(py, &store, &err) {
        Some(Ok(exn)) => Trap::exception(exn),
        Some(Err(e)) => host_error(e),
        None => host_error(err),
    })
}

#[pymethods]
impl Function {
    #[new]
    #[pyo3(signature = (store, function, function_type = None))]
    fn new(
        py: Python<'_>,
        store: &Bound<'_, Store>,
        function: &Bound<'_, PyAny>,
        function_type: Option<&Bound<'_, FunctionType>>,
    ) -> PyResult<Self> {
        if !function.is_callable() {
            return Err(PyTypeError::new_err("Function: `function` must be callable"));
        }
        let ty = match function_type {
            Some(t) => t.get().clone(),
            None => signature_of(py, function)?,
        };
        // Annotated `-> None`: returning a value is a mistake worth naming
        // (with an explicit FunctionType, results beyond it are ignored).
        let declared_none = function_type.is_none() && returns_none(py, function);
        let s = store.get();
        // The store form: signatures that references name are interned.
        let (ty, id) = s.cell.with(py, |st| {
            super::reftype::to_store_func(st, &ty, 0).map(|t| {
                let id = st.intern_type(&t);
                (t, id)
            })
        })??;
        let data = Arc::new(HostData { callable: UnsafeCell::new(Some(function.clone().unbind())) });
        s.cell.add_host(py, data.clone());
        let cell = s.cell_ptr();
        let store_obj = store.as_ptr() as usize;
        let result_types: Arc<[ValType]> = ty.results.iter().map(|t| crate::runtime::own_type(*t, id)).collect();
        let host: crate::HostFunc = Arc::new(move |caller, params, results| {
            Python::attach(|py| host_call(py, cell, store_obj, &data, &result_types, declared_none, caller, params, results))
        });
        let func = s.cell.with(py, |st| st.func_new(ty, host))?;
        let (params, results) = s.cell.with(py, |st| own_types(st, func))?;
        Ok(Function {
            _held: super::store::Held::new(py, &store.clone().unbind(), crate::Extern::Func(func)),
            store: store.clone().unbind(),
            func,
            params,
            results,
            vectorcall: Vectorcall::new(),
        })
    }

    /// Calls the function. Arguments are Python ints and floats (or `Value`
    /// for explicit types); several results come back as a tuple.
    #[pyo3(signature = (*args))]
    fn __call__(&self, py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        self.call(py, args.iter_borrowed())
    }

    /// The type of the function, a `FunctionType`.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance, Type
    /// >>> sum = Instance(Module(Store(), '(module (func (export "sum") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))')).exports.sum
    /// >>> sum.type.params == [Type.I32, Type.I32] and sum.type.results == [Type.I32]
    /// True
    /// ```
    #[getter]
    fn r#type(&self, py: Python<'_>) -> PyResult<FunctionType> {
        let plain = |ts: &[ValType]| ts.iter().all(|t| super::reftype::is_plain(*t));
        if plain(&self.params) && plain(&self.results) {
            // No signature to look up: no need for the store (which may be
            // busy with a call in another thread).
            let tys = |ts: &[ValType]| ts.iter().map(|t| Ty::Val(*t)).collect();
            return Ok(FunctionType { params: tys(&self.params), results: tys(&self.results) });
        }
        self.store.get().cell.with(py, |s| store_func_type(s, self.func))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("<wasmint.Function {}>", self.r#type(py)?.__str__()))
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.store)?;
        self._held.visit(&visit)
    }
}
