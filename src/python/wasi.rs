//! The native half of `wasmint.wasi` (the Python half, `python/wasmint/
//! wasi.py`, has `StateBuilder`, `Environment`, `Version`, `Exit`).
//!
//! `WasiEnv` owns a [`crate::wasi::WasiCtx`] shared by the host functions
//! it defines in a store. Python-specific behaviour lives in a wrapper
//! around each host function:
//!
//! * `proc_exit(code)` becomes `wasmint.wasi.Exit(code)` (raised by the
//!   outermost call from Python, as any host exception);
//! * an exception raised by a Python stdout/stderr callback is kept and
//!   re-raised from the call (the guest sees `EIO` meanwhile, and does not
//!   get to continue: the call ends there).

use std::io::Write;
use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use super::function::Function;
use super::module::Module;
use super::store::Store;
use crate::wasi::{self, Input, Output, Version, WasiCtx, WasiCtxBuilder};
use crate::Trap;

/// A Python exception raised inside an output callback, waiting to be
/// re-raised.
pub(crate) type Pending = Arc<Mutex<Option<PyErr>>>;

/// Collects what the guest writes, for `Environment.stdout` / `stderr`.
#[derive(Clone, Default)]
pub(crate) struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Calls a Python callable with each chunk (as bytes).
struct Callback {
    f: Py<PyAny>,
    pending: Pending,
}

impl Write for Callback {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        Python::attach(|py| match self.f.call1(py, (PyBytes::new(py, b),)) {
            Ok(_) => Ok(b.len()),
            Err(e) => {
                *self.pending.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                Err(std::io::Error::other("output callback raised"))
            }
        })
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A WASI environment: the program's state, and the host functions
/// generated from it.
#[pyclass(module = "wasmint.wasi", frozen)]
pub struct WasiEnv {
    ctx: Arc<Mutex<WasiCtx>>,
    stdout: Option<Captured>,
    stderr: Option<Captured>,
    pending: Pending,
}

pub(crate) fn output(target: Option<&Bound<'_, PyAny>>, captured: &mut Option<Captured>, pending: &Pending) -> PyResult<Output> {
    Ok(match target {
        None => Output::Inherit,
        Some(t) if t.is_instance_of::<pyo3::types::PyBool>() => {
            if t.extract::<bool>()? {
                let c = Captured::default();
                *captured = Some(c.clone());
                Output::Writer(Box::new(c))
            } else {
                Output::Null
            }
        }
        Some(t) if t.is_callable() => {
            Output::Writer(Box::new(Callback { f: t.clone().unbind(), pending: pending.clone() }))
        }
        Some(_) => return Err(PyTypeError::new_err("an output must be None, True, False or a callable")),
    })
}

pub(crate) fn captured_bytes<'py>(py: Python<'py>, c: &Option<Captured>) -> Option<Bound<'py, PyBytes>> {
    c.as_ref().map(|c| PyBytes::new(py, &c.0.lock().unwrap_or_else(|e| e.into_inner())))
}

fn version_of(name: &str) -> PyResult<Version> {
    Version::from_module_name(name).ok_or_else(|| PyValueError::new_err(format!("unknown WASI version {name:?}")))
}

/// A WASI context of what Python gives (`WasiEnv`, `Linker.add_wasip2`),
/// with the captured outputs and the slot of a raising output callback.
pub(crate) fn build_ctx(
    args: Vec<String>,
    envs: Vec<(String, String)>,
    dirs: Vec<(String, String)>,
    stdin: Option<Vec<u8>>,
    stdout: Option<&Bound<'_, PyAny>>,
    stderr: Option<&Bound<'_, PyAny>>,
) -> PyResult<(WasiCtx, Option<Captured>, Option<Captured>, Pending)> {
    let pending = Pending::default();
    let (mut out, mut err) = (None, None);
    let mut b = WasiCtxBuilder::new();
    for a in args {
        b.arg(a);
    }
    for (k, v) in envs {
        b.env(k, v);
    }
    for (host, guest) in dirs {
        b.preopen_dir(host, guest);
    }
    if let Some(bytes) = stdin {
        b.stdin(Input::Bytes(std::io::Cursor::new(bytes)));
    }
    b.stdout(output(stdout, &mut out, &pending)?);
    b.stderr(output(stderr, &mut err, &pending)?);
    let ctx = b.build().map_err(PyValueError::new_err)?;
    Ok((ctx, out, err, pending))
}

#[pymethods]
impl WasiEnv {
    /// `stdout` / `stderr`: None (the host's), True (captured), False
    /// (discarded) or a callable given each chunk as bytes; `stdin`: None
    /// (the host's) or bytes.
    #[new]
    #[pyo3(signature = (args, envs, dirs, stdin = None, stdout = None, stderr = None))]
    fn new(
        args: Vec<String>,
        envs: Vec<(String, String)>,
        dirs: Vec<(String, String)>,
        stdin: Option<Vec<u8>>,
        stdout: Option<&Bound<'_, PyAny>>,
        stderr: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<WasiEnv> {
        let (ctx, stdout, stderr, pending) = build_ctx(args, envs, dirs, stdin, stdout, stderr)?;
        Ok(WasiEnv { ctx: Arc::new(Mutex::new(ctx)), stdout, stderr, pending })
    }

    /// The bytes written to stdout so far, if captured (else None).
    #[getter]
    fn stdout<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        captured_bytes(py, &self.stdout)
    }

    /// The bytes written to stderr so far, if captured (else None).
    #[getter]
    fn stderr<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        captured_bytes(py, &self.stderr)
    }

    /// The code given to `proc_exit`, once called (else None).
    #[getter]
    fn exit_code(&self) -> Option<u32> {
        self.ctx.lock().unwrap_or_else(|e| e.into_inner()).exit_code
    }

    /// A dict `{name: Function}` of every WASI function of `version` (an
    /// import module name), defined in `store`.
    fn functions<'py>(
        &self,
        py: Python<'py>,
        store: &Bound<'py, Store>,
        version: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let version = version_of(version)?;
        let dict = PyDict::new(py);
        let store_py: Py<Store> = store.clone().unbind();
        for name in wasi::function_names(version) {
            let (ty, inner) = wasi::host_func(version, name, &self.ctx).expect("a listed function");
            let pending = self.pending.clone();
            let f = move |caller: &mut crate::Caller<'_>, params: &[crate::Value], results: &mut [crate::Value]| {
                let r = inner(caller, params, results);
                if let Some(err) = pending.lock().unwrap_or_else(|e| e.into_inner()).take() {
                    return Err(Trap::host_with("output callback raised", Box::new(err)));
                }
                r.map_err(|t| match wasi::exit_code(&t) {
                    Some(code) => Python::attach(|py| {
                        let err = py
                            .import("wasmint.wasi")
                            .and_then(|m| m.getattr("Exit"))
                            .and_then(|exit| exit.call1((code,)))
                            .map(PyErr::from_value)
                            .unwrap_or_else(|e| e);
                        Trap::host_with(t.to_string(), Box::new(err))
                    }),
                    None => t,
                })
            };
            let func = store.get().cell.with(py, |s| s.func_new(ty, Arc::new(f)))?;
            dict.set_item(name, Function::wrap(py, &store_py, func)?)?;
        }
        Ok(dict)
    }
}

/// The WASI import module name a module uses (see `wasi.get_version`).
#[pyfunction]
#[pyo3(signature = (module, strict = false))]
pub fn wasi_version(module: &Bound<'_, Module>, strict: bool) -> Option<&'static str> {
    wasi::get_version(&module.get().inner, strict).map(Version::module_name)
}
