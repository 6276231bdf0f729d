//! The resource limits of a `Store` (issue 12): the keyword arguments
//! `max_memory_bytes`, `max_table_elements`, `max_instances`,
//! `max_memories`, `max_tables`, `max_gc_heap_bytes` and `max_wasm_stack`,
//! checked and put
//! into the runtime's `Config` (`runtime/limits.rs` enforces them).

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt};

/// Smallest `max_wasm_stack`: room for a few frames.
const MIN_WASM_STACK: usize = 1024;

/// The limits given to `Store(...)`; `None` leaves the default.
#[derive(Default)]
pub(crate) struct LimitArgs<'py> {
    pub(crate) max_memory_bytes: Option<Bound<'py, PyAny>>,
    pub(crate) max_table_elements: Option<Bound<'py, PyAny>>,
    pub(crate) max_instances: Option<Bound<'py, PyAny>>,
    pub(crate) max_memories: Option<Bound<'py, PyAny>>,
    pub(crate) max_tables: Option<Bound<'py, PyAny>>,
    pub(crate) max_gc_heap_bytes: Option<Bound<'py, PyAny>>,
    pub(crate) max_wasm_stack: Option<Bound<'py, PyAny>>,
}

/// A limit argument: None, or a non-negative int (not a bool) that fits
/// a u64; TypeError or ValueError naming the argument otherwise.
fn limit(name: &str, v: &Option<Bound<'_, PyAny>>) -> PyResult<Option<u64>> {
    let Some(v) = v.as_ref().filter(|v| !v.is_none()) else { return Ok(None) };
    if v.is_instance_of::<PyBool>() || !v.is_instance_of::<PyInt>() {
        let ty = v.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
        return Err(PyTypeError::new_err(format!("Store: `{name}` must be an int or None, not {ty}")));
    }
    let n: i128 = v.extract().map_err(|_| PyValueError::new_err(format!("Store: `{name}` is too large")))?;
    if n < 0 {
        return Err(PyValueError::new_err(format!("Store: `{name}` must not be negative, got {n}")));
    }
    u64::try_from(n).map(Some).map_err(|_| PyValueError::new_err(format!("Store: `{name}` is too large (at most 2**64 - 1)")))
}

fn count(name: &str, v: &Option<Bound<'_, PyAny>>) -> PyResult<Option<usize>> {
    limit(name, v)?
        .map(|n| usize::try_from(n).map_err(|_| PyValueError::new_err(format!("Store: `{name}` is too large"))))
        .transpose()
}

impl LimitArgs<'_> {
    /// Sets the limits given into `c`.
    pub(crate) fn apply(&self, c: &mut crate::Config) -> PyResult<()> {
        c.max_memory_bytes = limit("max_memory_bytes", &self.max_memory_bytes)?;
        c.max_table_elements = limit("max_table_elements", &self.max_table_elements)?;
        c.max_instances = count("max_instances", &self.max_instances)?;
        c.max_memories = count("max_memories", &self.max_memories)?;
        c.max_tables = count("max_tables", &self.max_tables)?;
        if let Some(n) = count("max_gc_heap_bytes", &self.max_gc_heap_bytes)? {
            c.max_gc_heap = n;
        }
        if let Some(n) = count("max_wasm_stack", &self.max_wasm_stack)? {
            if n < MIN_WASM_STACK {
                return Err(PyValueError::new_err(format!(
                    "Store: `max_wasm_stack` must be at least {MIN_WASM_STACK} bytes, got {n}"
                )));
            }
            c.max_value_stack = n / 8;
        }
        Ok(())
    }
}
