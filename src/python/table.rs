//! `Table`.

use pyo3::prelude::*;
use pyo3::{PyTraverseError, PyVisit};

use super::store::Store;
use super::types::TableType;

/// A table of references (functions or host references).
///
/// >>> from wasmint import Store, Module, Instance, Type
/// >>> table = Instance(Module(Store(), '(module (table (export "table") 2 funcref))')).exports.table
/// >>> table.size, table.type.type == Type.FUNC_REF, table.type.minimum, table.type.maximum
/// (2, True, 2, None)
#[pyclass(module = "wasmint", frozen)]
pub struct Table {
    pub(crate) store: Py<Store>,
    pub(crate) table: crate::Table,
}

#[pymethods]
impl Table {
    /// The number of elements.
    #[getter]
    fn size(&self, py: Python<'_>) -> PyResult<u32> {
        self.store.get().cell.with(py, |s| s.table_size(self.table))
    }

    /// The type, a `TableType` (its minimum is the current size).
    #[getter]
    fn r#type(&self, py: Python<'_>) -> PyResult<TableType> {
        Ok(TableType::from_table(
            &self
                .store
                .get()
                .cell
                .with(py, |s| s.table_type(self.table))?,
        ))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("<wasmint.Table {}>", self.r#type(py)?.__str__()))
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.store)
    }
}
