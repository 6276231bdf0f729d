//! The Python extension module `wasmint._native` (feature `python`).
//!
//! Only glue lives here: argument conversion and exceptions. Semantics are
//! in the Rust crate. The Python package `python/wasmint` re-exports these.

use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyAttributeError, PyLookupError, PyOverflowError, PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple};

use crate::{Error, Extern, ValType, Value};

pyo3::create_exception!(_native, Trap, PyRuntimeError, "A WebAssembly trap; the message names the trap.");
pyo3::create_exception!(_native, CompileError, PyRuntimeError, "An invalid or malformed module.");
pyo3::create_exception!(_native, LinkError, PyRuntimeError, "Imports that do not match the module.");

fn to_py_err(e: Error) -> PyErr {
    match e {
        Error::Trap(t) => Trap::new_err(t.to_string()),
        Error::Link(m) => LinkError::new_err(m),
        Error::Usage(m) => PyTypeError::new_err(m),
        other => CompileError::new_err(other.to_string()),
    }
}

type SharedStore = Arc<Mutex<crate::Store>>;

fn lock(store: &SharedStore) -> std::sync::MutexGuard<'_, crate::Store> {
    // A panic cannot happen while the lock is held (the runtime never
    // panics), but recover from poisoning rather than abort the interpreter.
    store.lock().unwrap_or_else(|p| p.into_inner())
}

/// The store holds all WebAssembly entities (our engine is an interpreter).
///
/// >>> from wasmint import Store
/// >>> store = Store()
#[pyclass(module = "wasmint")]
pub struct Store {
    inner: SharedStore,
}

#[pymethods]
impl Store {
    #[new]
    #[pyo3(signature = (engine = None))]
    fn new(engine: Option<&Bound<'_, PyAny>>) -> Self {
        let _ = engine;
        Store { inner: Arc::new(Mutex::new(crate::Store::new())) }
    }
}

/// A validated and translated WebAssembly module, from bytes or WAT text.
#[pyclass(module = "wasmint")]
pub struct Module {
    store: SharedStore,
    inner: crate::Module,
}

#[pymethods]
impl Module {
    #[new]
    fn new(store: &Store, bytes: &Bound<'_, PyAny>) -> PyResult<Self> {
        let wasm = module_bytes(bytes)?;
        let inner = crate::Module::new(&wasm).map_err(to_py_err)?;
        Ok(Module { store: store.inner.clone(), inner })
    }
}

fn module_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let text: String = s.extract()?;
        return wat::parse_str(&text).map_err(|e| CompileError::new_err(e.to_string()));
    }
    Err(PyTypeError::new_err("Module: `bytes` must be bytes or a str of WebAssembly text"))
}

/// An instance of a module; `exports` gives its exports by name.
#[pyclass(module = "wasmint")]
pub struct Instance {
    #[pyo3(get)]
    exports: Py<Exports>,
}

#[pymethods]
impl Instance {
    #[new]
    #[pyo3(signature = (module, import_object = None))]
    fn new(py: Python<'_>, module: &Module, import_object: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        if import_object.is_some() && !module.inner.imports().is_empty() {
            return Err(PyTypeError::new_err("Instance: imports are not supported yet"));
        }
        if !module.inner.imports().is_empty() {
            return Err(LinkError::new_err("unknown import: no imports were given"));
        }
        let instance = {
            let mut store = lock(&module.store);
            store.instantiate(&module.inner, &[]).map_err(to_py_err)?
        };
        let exports = lock(&module.store).exports(instance);
        let exports = Py::new(py, Exports { store: module.store.clone(), items: exports })?;
        Ok(Instance { exports })
    }
}

/// The exports of an instance, by attribute.
#[pyclass(module = "wasmint")]
pub struct Exports {
    store: SharedStore,
    items: Vec<(String, Extern)>,
}

#[pymethods]
impl Exports {
    fn __getattr__(&self, py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
        match self.items.iter().find(|(n, _)| n == name) {
            Some((_, Extern::Func(f))) => Ok(Py::new(py, Function { store: self.store.clone(), func: *f })?.into_any()),
            Some(_) => Err(PyAttributeError::new_err(format!("export `{name}` is not a function (not supported yet)"))),
            None => Err(PyLookupError::new_err(format!("no export named `{name}`"))),
        }
    }

    fn __len__(&self) -> usize {
        self.items.len()
    }
}

/// An exported WebAssembly function; call it with Python numbers.
#[pyclass(module = "wasmint")]
pub struct Function {
    store: SharedStore,
    func: crate::Func,
}

#[pymethods]
impl Function {
    #[pyo3(signature = (*args))]
    fn __call__(&self, py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        let ty = lock(&self.store).func_type(self.func).clone();
        if args.len() != ty.params.len() {
            return Err(PyTypeError::new_err(format!(
                "function takes {} arguments, {} given",
                ty.params.len(),
                args.len()
            )));
        }
        let mut values = Vec::with_capacity(args.len());
        for (i, (arg, t)) in args.iter().zip(ty.params.iter()).enumerate() {
            values.push(to_value(&arg, *t).map_err(|e| {
                let msg = format!("argument {i}: {}", e.value(py));
                if e.is_instance_of::<PyOverflowError>(py) {
                    PyOverflowError::new_err(msg)
                } else {
                    PyTypeError::new_err(msg)
                }
            })?);
        }
        let store = self.store.clone();
        let func = self.func;
        let results = py.detach(move || lock(&store).call(func, &values)).map_err(to_py_err)?;
        match results.len() {
            0 => Ok(py.None()),
            1 => from_value(py, results[0]),
            _ => {
                let items = results.into_iter().map(|v| from_value(py, v)).collect::<PyResult<Vec<_>>>()?;
                Ok(PyTuple::new(py, items)?.into_any().unbind())
            }
        }
    }
}

fn to_value(obj: &Bound<'_, PyAny>, ty: ValType) -> PyResult<Value> {
    Ok(match ty {
        ValType::I32 => {
            // Accept the whole u32 range too, as wasmer-python did.
            let v: i64 = obj.extract()?;
            if v < i32::MIN as i64 || v > u32::MAX as i64 {
                return Err(PyOverflowError::new_err(format!("{v} does not fit in i32")));
            }
            Value::I32(v as i32)
        }
        ValType::I64 => {
            let v: i128 = obj.extract()?;
            if v < i64::MIN as i128 || v > u64::MAX as i128 {
                return Err(PyOverflowError::new_err(format!("{v} does not fit in i64")));
            }
            Value::I64(v as i64)
        }
        ValType::F32 => Value::F32(obj.extract::<f64>()? as f32),
        ValType::F64 => Value::F64(obj.extract()?),
        other => return Err(PyTypeError::new_err(format!("{other} arguments are not supported yet"))),
    })
}

fn from_value(py: Python<'_>, v: Value) -> PyResult<Py<PyAny>> {
    Ok(match v {
        Value::I32(x) => x.into_pyobject(py)?.into_any().unbind(),
        Value::I64(x) => x.into_pyobject(py)?.into_any().unbind(),
        Value::F32(x) => (x as f64).into_pyobject(py)?.into_any().unbind(),
        Value::F64(x) => x.into_pyobject(py)?.into_any().unbind(),
        Value::V128(x) => x.into_pyobject(py)?.into_any().unbind(),
        Value::FuncRef(_) | Value::ExternRef(_) => py.None(),
    })
}

/// Runs the `wasmint` command line with `argv` (program name first);
/// returns the exit status.
#[pyfunction]
fn cli_main(py: Python<'_>, argv: Vec<String>) -> i32 {
    py.detach(move || crate::cli::main(argv))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", crate::VERSION)?;
    m.add("Trap", m.py().get_type::<Trap>())?;
    m.add("CompileError", m.py().get_type::<CompileError>())?;
    m.add("LinkError", m.py().get_type::<LinkError>())?;
    m.add_class::<Store>()?;
    m.add_class::<Module>()?;
    m.add_class::<Instance>()?;
    m.add_class::<Exports>()?;
    m.add_class::<Function>()?;
    m.add_function(wrap_pyfunction!(cli_main, m)?)?;
    Ok(())
}
