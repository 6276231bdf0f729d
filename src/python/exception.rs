//! Exception handling from Python: `Tag` and `WasmException`.
//!
//! A wasm exception that no handler catches leaves a call as a
//! `WasmException` (a RuntimeError) carrying its `Tag` and its payload as
//! Python values. A host function throws a wasm exception by raising
//! `WasmException(tag, payload)`; wasm code can catch it. One that came out
//! of a nested call and is raised again is the same exception (rethrown,
//! not copied).

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use pyo3::{PyTraverseError, PyVisit};

use super::reftype::Resolver;
use super::store::{to_py_err, Store};
use super::types::{from_value, to_value, FunctionType};
use crate::error::Error;

/// A tag: what identifies a kind of wasm exception, and the types of its
/// payload (the parameters of its `FunctionType`; it has no results).
/// Tags come from a module's exports, or are made for a store:
///
/// ```py
/// >>> from wasmint import Store, Tag, FunctionType, Type
/// >>> tag = Tag(Store(), FunctionType([Type.I32], []))
/// >>> tag.type.params == [Type.I32]
/// True
/// ```
#[pyclass(module = "wasmint", frozen)]
pub struct Tag {
    pub(crate) store: Py<Store>,
    pub(crate) tag: crate::Tag,
}

#[pymethods]
impl Tag {
    #[new]
    #[pyo3(signature = (store, r#type))]
    fn new(py: Python<'_>, store: &Bound<'_, Store>, r#type: &Bound<'_, FunctionType>) -> PyResult<Self> {
        let ty = r#type.get();
        if !ty.results.is_empty() {
            return Err(PyValueError::new_err("Tag: a tag's FunctionType has no results"));
        }
        let tag = store.get().cell.with(py, |s| {
            let t = super::reftype::to_store_func(s, ty, 0)?;
            s.tag_new(t).map_err(to_py_err)
        })??;
        Ok(Tag { store: store.clone().unbind(), tag })
    }

    /// The type, a `FunctionType` whose parameters are the payload's types.
    ///
    /// ```py
    /// >>> from wasmint import Store, Tag, FunctionType, Type
    /// >>> Tag(Store(), FunctionType([Type.I32], [])).type.params
    /// [<Type.I32: 1>]
    /// ```
    #[getter]
    fn r#type(&self, py: Python<'_>) -> PyResult<FunctionType> {
        self.store.get().cell.with(py, |s| Resolver::new(&s.types, &s.defs).func_type(s.tag_type(self.tag)))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Tag>().is_ok_and(|o| o.get().tag == self.tag && o.get().store.is(&self.store))
    }

    fn __hash__(&self) -> u64 {
        u64::from(self.tag.0) ^ (self.store.as_ptr() as u64).rotate_left(20)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("Tag({})", Py::new(py, self.r#type(py)?)?.bind(py).repr()?))
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.store)
    }
}

/// A wasm exception, raised when one leaves a call uncaught: its `tag`
/// and its `payload` (a list of Python values). Raise it from a host
/// function, `raise WasmException(tag, [values...])`, to throw a wasm
/// exception of that tag, which wasm code may catch.
///
/// ```py
/// >>> from wasmint import Store, Module, Instance, WasmException
/// >>> exports = Instance(Module(Store(), '''(module (tag (export "e") (param i32))
/// ...   (func (export "f") (throw 0 (i32.const 7))))''')).exports
/// >>> try:
/// ...     exports.f()
/// ... except WasmException as e:
/// ...     print(e.tag == exports.e, e.payload, isinstance(e, RuntimeError))
/// True [7] True
/// ```
#[pyclass(module = "wasmint", extends = PyRuntimeError, frozen)]
pub struct WasmException {
    tag: Py<Tag>,
    payload: Py<PyList>,
    /// The exception in the store, when it came from wasm.
    exn: Option<crate::Exn>,
}

#[pymethods]
impl WasmException {
    #[new]
    #[pyo3(signature = (tag, payload = None))]
    fn new(py: Python<'_>, tag: &Bound<'_, PyAny>, payload: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let tag = tag
            .cast::<Tag>()
            .map_err(|_| PyTypeError::new_err(format!("WasmException: `tag` must be a Tag, got {}", super::types::type_name(tag))))?;
        let list = match payload {
            None => PyList::empty(py),
            Some(p) => PyList::new(py, p.try_iter().map_err(|_| PyTypeError::new_err("WasmException: `payload` must be iterable"))?.collect::<PyResult<Vec<_>>>()?)?,
        };
        Ok(WasmException { tag: tag.clone().unbind(), payload: list.unbind(), exn: None })
    }

    /// The tag, a `Tag`.
    ///
    /// ```py
    /// >>> from wasmint import Store, Tag, FunctionType, Type, WasmException
    /// >>> tag = Tag(Store(), FunctionType([Type.I32], []))
    /// >>> WasmException(tag, [5]).tag is tag
    /// True
    /// ```
    #[getter]
    fn tag(&self, py: Python<'_>) -> Py<Tag> {
        self.tag.clone_ref(py)
    }

    /// The payload, a list of values of the tag's parameter types.
    ///
    /// ```py
    /// >>> from wasmint import Store, Tag, FunctionType, Type, WasmException
    /// >>> tag = Tag(Store(), FunctionType([Type.I32, Type.F64], []))
    /// >>> WasmException(tag, [5, 0.5]).payload
    /// [5, 0.5]
    /// ```
    #[getter]
    fn payload(&self, py: Python<'_>) -> Py<PyList> {
        self.payload.clone_ref(py)
    }

    fn __str__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("uncaught wasm exception: {}, payload {}", self.tag.bind(py).repr()?, self.payload.bind(py).repr()?))
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.tag)?;
        visit.call(&self.payload)
    }
}

/// The `WasmException` object for exception `exn` of `store` (not raised).
pub(crate) fn exception_object<'py>(py: Python<'py>, store: &Py<Store>, exn: crate::Exn) -> PyResult<Bound<'py, WasmException>> {
    let (tag, values) = store.get().cell.with(py, |s| (s.exn_tag(exn), s.exn_payload(exn)))?;
    let tag = Py::new(py, Tag { store: store.clone_ref(py), tag })?;
    let items = values.into_iter().map(|v| from_value(py, v, store)).collect::<PyResult<Vec<_>>>()?;
    let payload = PyList::new(py, items)?.unbind();
    Bound::new(py, WasmException { tag, payload, exn: Some(exn) })
}

/// [`to_py_err`], with an uncaught wasm exception of `store` as a
/// `WasmException`.
pub(crate) fn to_py_err_in(py: Python<'_>, store: &Py<Store>, e: Error) -> PyErr {
    match e {
        Error::Trap(t) if let Some(x) = t.exn() => match exception_object(py, store, x) {
            Ok(obj) => PyErr::from_value(obj.into_any()),
            Err(e) => e,
        },
        e => to_py_err(e),
    }
}

/// The wasm exception that `err`, raised by a host function of `store`,
/// throws, if it is a `WasmException`; an error if it cannot be one (a tag
/// of another store, a payload of the wrong types).
pub(crate) fn thrown(py: Python<'_>, store: &Bound<'_, Store>, err: &PyErr) -> Option<PyResult<crate::Exn>> {
    let value = err.value(py);
    let e = value.cast::<WasmException>().ok()?.get();
    let tag = e.tag.get();
    if !tag.store.is(store) {
        return Some(Err(PyValueError::new_err("WasmException: its tag belongs to another store")));
    }
    if let Some(x) = e.exn {
        return Some(Ok(x));
    }
    let run = || -> PyResult<crate::Exn> {
        let s = store.get();
        let params: Vec<crate::ValType> = s.cell.with(py, |st| st.tag_type(tag.tag).params.to_vec())?;
        let payload = e.payload.bind(py);
        if payload.len() != params.len() {
            return Err(PyTypeError::new_err(format!(
                "WasmException: the tag takes {} payload values ({} given)",
                params.len(),
                payload.len()
            )));
        }
        let mut vals = Vec::with_capacity(params.len());
        for (i, (item, ty)) in payload.iter().zip(params).enumerate() {
            vals.push(to_value(&item, ty, s).map_err(|e| super::function::prefixed(py, e, &format!("payload {i}")))?);
        }
        s.cell.with(py, |st| st.exn_new(tag.tag, &vals))?.map_err(to_py_err)
    };
    Some(run())
}

/// Converts an `exnref` argument: None (null) or a `WasmException` that
/// came from wasm code of `store`.
pub(crate) fn exn_value(obj: &Bound<'_, PyAny>, store: &Store) -> PyResult<crate::Value> {
    if obj.is_none() {
        return Ok(crate::Value::ExnRef(None));
    }
    match obj.cast::<WasmException>() {
        Ok(e) if e.get().exn.is_some() && std::ptr::eq(e.get().tag.get().store.get(), store) => {
            Ok(crate::Value::ExnRef(e.get().exn))
        }
        _ => Err(PyTypeError::new_err(format!(
            "expected None or a WasmException caught from this store, got {}",
            super::types::type_name(obj)
        ))),
    }
}
