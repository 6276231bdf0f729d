//! `Global`.

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::{PyTraverseError, PyVisit};

use super::store::{to_py_err, Store};
use super::types::{from_value, to_value, GlobalType, Value};

/// A global variable: a value and whether it is mutable.
///
/// ```py
/// >>> from wasmint import Store, Global, Value, Type
/// >>> store = Store()
/// >>> global_ = Global(store, Value.i32(42))
/// >>> global_.value, global_.mutable, global_.type.type == Type.I32
/// (42, False, True)
/// >>> global_ = Global(store, Value.i32(42), mutable=True)
/// >>> global_.value = 153
/// >>> global_.value
/// 153
/// ```
#[pyclass(module = "wasmint", frozen)]
pub struct Global {
    pub(crate) store: Py<Store>,
    pub(crate) global: crate::Global,
    _held: super::store::Held,
}

impl Global {
    pub(crate) fn wrap(py: Python<'_>, store: &Py<Store>, global: crate::Global) -> Global {
        let _held = super::store::Held::new(py, store, crate::Extern::Global(global));
        Global { store: store.clone_ref(py), global, _held }
    }
}

#[pymethods]
impl Global {
    #[new]
    #[pyo3(signature = (store, value, mutable = false))]
    fn new(py: Python<'_>, store: &Bound<'_, Store>, value: &Bound<'_, PyAny>, mutable: bool) -> PyResult<Self> {
        let v = value
            .cast::<Value>()
            .map_err(|_| PyTypeError::new_err("Global: `value` must be a wasmint.Value (e.g. Value.i32(42))"))?
            .get()
            .v;
        let ty = crate::GlobalType { val: v.ty(), mutable };
        let global = store.get().cell.with(py, |s| s.global_new(ty, v))?.map_err(to_py_err)?;
        Ok(Global::wrap(py, &store.clone().unbind(), global))
    }

    /// The value; setting it needs a mutable global and a value of its type
    /// (a Python number or a `Value`).
    ///
    /// ```py
    /// >>> from wasmint import Store, Global, Value
    /// >>> g = Global(Store(), Value.i32(1), mutable=True)
    /// >>> g.value = 2
    /// >>> g.value
    /// 2
    /// ```
    #[getter]
    fn value(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let v = self.store.get().cell.with(py, |s| s.global_get(self.global))?;
        from_value(py, v, &self.store)
    }

    #[setter]
    fn set_value(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let store = self.store.get();
        let ty = store.cell.with(py, |s| s.global_type(self.global))?;
        if !ty.mutable {
            return Err(PyRuntimeError::new_err("The global variable is not mutable, cannot set a new value"));
        }
        let v = to_value(value, ty.val, store)?;
        store.cell.with(py, |s| s.global_set(self.global, v))?.map_err(to_py_err)
    }

    /// Whether the global is mutable.
    ///
    /// ```py
    /// >>> from wasmint import Store, Global, Value
    /// >>> Global(Store(), Value.i32(1)).mutable
    /// False
    /// ```
    #[getter]
    fn mutable(&self, py: Python<'_>) -> PyResult<bool> {
        Ok(self.store.get().cell.with(py, |s| s.global_type(self.global))?.mutable)
    }

    /// The type, a `GlobalType`.
    ///
    /// ```py
    /// >>> from wasmint import Store, Global, Value, Type
    /// >>> t = Global(Store(), Value.f64(1.5), mutable=True).type
    /// >>> t.type == Type.F64 and t.mutable
    /// True
    /// ```
    #[getter]
    fn r#type(&self, py: Python<'_>) -> PyResult<GlobalType> {
        self.store.get().cell.with(py, |s| {
            let t = s.global_type(self.global);
            GlobalType { ty: super::reftype::Resolver::new(&s.types, &s.defs).ty(t.val), mutable: t.mutable }
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("<wasmint.Global {}>", self.r#type(py)?.__str__()))
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.store)?;
        self._held.visit(&visit)
    }
}
