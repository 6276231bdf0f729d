//! `Table`.

use pyo3::exceptions::PyIndexError;
use pyo3::prelude::*;
use pyo3::{PyTraverseError, PyVisit};

use super::store::{to_py_err, Store};
use super::types::{from_value, to_value, TableType};

/// A table of references (functions or host references).
///
/// ```py
/// >>> from wasmint import Store, Module, Instance, Type
/// >>> table = Instance(Module(Store(), '(module (table (export "table") 2 funcref))')).exports.table
/// >>> table.size, table.type.type == Type.FUNC_REF, table.type.minimum, table.type.maximum
/// (2, True, 2, None)
/// ```
#[pyclass(module = "wasmint", frozen)]
pub struct Table {
    pub(crate) store: Py<Store>,
    pub(crate) table: crate::Table,
    _held: super::store::Held,
}

impl Table {
    pub(crate) fn wrap(py: Python<'_>, store: &Py<Store>, table: crate::Table) -> Table {
        let _held = super::store::Held::new(py, store, crate::Extern::Table(table));
        Table { store: store.clone_ref(py), table, _held }
    }
}

#[pymethods]
impl Table {
    /// The number of elements.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance
    /// >>> Instance(Module(Store(), '(module (table (export "t") 3 externref))')).exports.t.size
    /// 3
    /// ```
    #[getter]
    fn size(&self, py: Python<'_>) -> PyResult<u32> {
        self.store.get().cell.with(py, |s| s.table_size(self.table))
    }

    /// The type, a `TableType` (its minimum is the current size).
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance, Type
    /// >>> t = Instance(Module(Store(), '(module (table (export "t") 2 5 funcref))')).exports.t.type
    /// >>> t.type == Type.FUNC_REF, t.minimum, t.maximum
    /// (True, 2, 5)
    /// ```
    #[getter]
    fn r#type(&self, py: Python<'_>) -> PyResult<TableType> {
        Ok(TableType::from_table(&self.store.get().cell.with(py, |s| s.table_type(self.table))?))
    }

    /// Element `index`: a `Function`, the object of an externref, or None
    /// (null). Raises IndexError out of bounds.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance
    /// >>> exports = Instance(Module(Store(), '(module (table (export "t") 1 funcref) (func $f (export "f")) (elem (i32.const 0) $f))')).exports
    /// >>> exports.t.get(0).type == exports.f.type
    /// True
    /// ```
    fn get(&self, py: Python<'_>, index: u32) -> PyResult<Py<PyAny>> {
        let v = self.store.get().cell.with(py, |s| s.table_get(self.table, index))?;
        let v = v.ok_or_else(|| PyIndexError::new_err(format!("table index {index} out of bounds")))?;
        from_value(py, v, &self.store)
    }

    /// Sets element `index` to `value`, which must have the element type
    /// (TypeError otherwise). Raises IndexError out of bounds.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance
    /// >>> exports = Instance(Module(Store(), '(module (table (export "t") 2 funcref) (func (export "f")))')).exports
    /// >>> exports.t.set(1, exports.f)
    /// >>> exports.t.get(1).type == exports.f.type, exports.t.get(0)
    /// (True, None)
    /// ```
    fn set(&self, py: Python<'_>, index: u32, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let store = self.store.get();
        let (elem, size) = store.cell.with(py, |s| (s.table_type(self.table).elem, s.table_size(self.table)))?;
        let v = to_value(value, elem.into(), store).map_err(|e| super::function::prefixed(py, e, "value"))?;
        if index >= size {
            return Err(PyIndexError::new_err(format!("table index {index} out of bounds")));
        }
        store.cell.with(py, |s| s.table_set(self.table, index, v))?.map_err(to_py_err)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("<wasmint.Table {}>", self.r#type(py)?.__str__()))
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.store)?;
        self._held.visit(&visit)
    }
}
