//! The Python extension module `wasmint._native` (feature `python`): the
//! wasmer-python 1.1 API over the wasmint runtime. Only glue lives here
//! (argument conversion, exceptions, object lifetimes); semantics are in
//! the Rust crate. The package `python/wasmint` re-exports these classes.
//!
//! Design decisions (details in each file's docs):
//!
//! * **Build.** maturin, `pip install .`. By default the extension is built
//!   for the running interpreter (CPython 3.9+), with the full C API, so the
//!   buffer protocol of `Memory.buffer` works on every version. With the
//!   crate feature `abi3` (`maturin build --features abi3`) it is built once
//!   for the stable ABI of CPython >= 3.11 — where the buffer protocol
//!   entered the limited API; pyo3 compiles `__getbuffer__` under abi3 only
//!   from that minimum. Release wheels: one `cp311-abi3` wheel plus
//!   `cp39`/`cp310` wheels. We chose this over an abi3-py39 wheel without a
//!   zero-copy buffer because `Memory.buffer` must be zero-copy and
//!   writable on every supported version.
//! * **Re-entrancy** (`store.rs`): a host function may call back into wasm
//!   on the same store; the store cell lends the caller's `&mut Store` to
//!   nested calls instead of locking (no deadlock, no aliasing).
//! * **Host exceptions** (`function.rs`): carried as the payload of
//!   the host trap (`Trap::host_with`) and re-raised unchanged (same
//!   exception object), with the wasm frames it went through as a note.
//! * **Memory across grow** (`memory.rs`): memories never move (address
//!   space reserved up front), so exported buffers stay valid; typed views
//!   bounds-check every access against the current size.
//! * **Reference cycles** (leaks): every object that references a store
//!   implements `__traverse__`, and the store shows the GC its host
//!   callables and drops them in `__clear__`, so a host closure capturing
//!   its own instance is collected.
//! * **GC references** (`anyref.rs`): structs, arrays and i31s reach
//!   Python as `AnyRef` handles that root their objects in the store's
//!   collector until dropped; a handle is refused by other stores.
//! * **Call overhead** (`function.rs`, `instance.rs`): `Function` takes
//!   calls by vectorcall (no argument tuple), arguments and results stay on
//!   the stack, exports are found in a dict of interned names; host
//!   functions get up to four arguments by vectorcall too.
//! * **GIL.** Calls release the GIL while wasm runs (host functions take
//!   it back), so other Python threads go on and stores run in parallel;
//!   a store is claimed atomically by the thread using it (`store.rs`).
//!   The module still declares it needs the GIL (`gil_used`): the store
//!   cell's Python-side state relies on it.
//! * **Sandboxing** (`sandbox.rs`): fuel, interrupt handles and deadlines
//!   of the runtime; `Trap.code`; Ctrl-C stops a running call on the main
//!   thread (a C SIGINT handler chained to Python's) and raises
//!   KeyboardInterrupt.

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};

mod anyref;
mod component;
mod exception;
mod features;
mod function;
mod global;
mod instance;
mod limits;
mod memory;
mod module;
mod reftype;
mod sandbox;
mod stack;
mod store;
mod table;
mod types;
#[cfg(unix)]
mod wasi;

pyo3::create_exception!(
    wasmint,
    Trap,
    PyRuntimeError,
    "A WebAssembly trap (a RuntimeError); the message names the trap, e.g. 'integer divide by zero'; `code` is its TrapCode (None for host errors) and `frames` the wasm frames active at the trap, innermost first (`wasmint.Frame`).\n\n```py\n>>> from wasmint import Store, Module, Instance, Trap\n>>> f = Instance(Module(Store(), '(module (func (export \"f\") (drop (i32.div_u (i32.const 1) (i32.const 0)))))')).exports.f\n>>> try:\n...     f()\n... except Trap as e:\n...     print(e, isinstance(e, RuntimeError), e.code.name, len(e.frames))\ninteger divide by zero True INTEGER_DIVIDE_BY_ZERO 1\n```\n"
);
pyo3::create_exception!(
    wasmint,
    CompileError,
    PyRuntimeError,
    "An invalid or malformed module (a RuntimeError), with the decoder's or validator's message and byte offset.\n\n```py\n>>> from wasmint import Store, Module, CompileError\n>>> try:\n...     Module(Store(), b'\\\\0asm\\\\1\\\\0\\\\0\\\\0\\\\xff')\n... except CompileError as e:\n...     print(isinstance(e, RuntimeError))\nTrue\n```\n"
);
pyo3::create_exception!(
    wasmint,
    LinkError,
    PyRuntimeError,
    "Imports that are missing or do not match the module (a RuntimeError).\n\n```py\n>>> from wasmint import Store, Module, Instance, LinkError\n>>> try:\n...     Instance(Module(Store(), '(module (import \"env\" \"f\" (func)))'))\n... except LinkError as e:\n...     print(e)\nunknown import: import `env`.`f` was not given\n```\n"
);

/// Translates WebAssembly text (a str or bytes) to a binary module.
///
/// ```py
/// >>> from wasmint import wat2wasm
/// >>> wat2wasm('(module)')
/// b'\x00asm\x01\x00\x00\x00'
/// ```
#[pyfunction]
fn wat2wasm<'py>(py: Python<'py>, wat: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    let text = if let Ok(s) = wat.cast::<PyString>() {
        s.to_cow()?.into_owned()
    } else if let Ok(b) = wat.cast::<PyBytes>() {
        String::from_utf8(b.as_bytes().to_vec()).map_err(|e| CompileError::new_err(format!("wat2wasm: {e}")))?
    } else {
        return Err(PyTypeError::new_err("wat2wasm: expected a str or bytes of WebAssembly text"));
    };
    Ok(PyBytes::new(py, &module::wat_to_wasm(&text)?))
}

/// Disassembles a binary module to WebAssembly text.
///
/// ```py
/// >>> from wasmint import wasm2wat
/// >>> wasm2wat(b'\x00asm\x01\x00\x00\x00')
/// '(module)'
/// ```
#[pyfunction]
fn wasm2wat(bytes: &Bound<'_, PyAny>) -> PyResult<String> {
    let wasm = if let Ok(b) = bytes.cast::<PyBytes>() {
        b.as_bytes().to_vec()
    } else if let Ok(b) = bytes.cast::<PyByteArray>() {
        b.to_vec()
    } else {
        return Err(PyTypeError::new_err("wasm2wat: expected bytes of a WebAssembly binary"));
    };
    let text = wasmprinter::print_bytes(&wasm).map_err(|e| CompileError::new_err(format!("wasm2wat: {e:#}")))?;
    Ok(text.trim_end().to_owned())
}

/// Runs the `wasmint` command line with `argv` (program name first);
/// returns the exit status.
#[pyfunction]
fn cli_main(py: Python<'_>, argv: Vec<String>) -> i32 {
    py.detach(move || crate::cli::main(argv))
}

#[pymodule(gil_used = true)]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", crate::VERSION)?;
    m.add("__core_version__", crate::VERSION)?;
    m.add("Trap", py.get_type::<Trap>())?;
    component::register(m)?;
    m.add("CompileError", py.get_type::<CompileError>())?;
    m.add("LinkError", py.get_type::<LinkError>())?;
    m.add("Type", types::type_enum(py)?)?;
    py.get_type::<Trap>().setattr("code", py.None())?;
    py.get_type::<Trap>().setattr("frames", pyo3::types::PyTuple::empty(py))?;
    m.add_class::<sandbox::Frame>()?;
    m.add("TrapCode", sandbox::trap_code_enum(py)?)?;
    m.add_class::<sandbox::InterruptHandle>()?;
    sandbox::set_main_thread(py)?;
    m.add_class::<features::Features>()?;
    m.add_class::<exception::Tag>()?;
    m.add_class::<exception::WasmException>()?;
    m.add_class::<store::Store>()?;
    m.add_class::<module::Module>()?;
    m.add_class::<instance::Instance>()?;
    m.add_class::<instance::Exports>()?;
    m.add_class::<instance::ExportsIterator>()?;
    m.add_class::<instance::ImportObject>()?;
    m.add_class::<function::Function>()?;
    function::enable_vectorcall(py)?;
    m.add_class::<global::Global>()?;
    m.add_class::<table::Table>()?;
    m.add_class::<memory::Memory>()?;
    m.add_class::<memory::Buffer>()?;
    m.add_class::<memory::Uint8Array>()?;
    m.add_class::<memory::Int8Array>()?;
    m.add_class::<memory::Uint16Array>()?;
    m.add_class::<memory::Int16Array>()?;
    m.add_class::<memory::Uint32Array>()?;
    m.add_class::<memory::Int32Array>()?;
    m.add_class::<memory::Uint64Array>()?;
    m.add_class::<memory::Int64Array>()?;
    m.add_class::<memory::Float32Array>()?;
    m.add_class::<memory::Float64Array>()?;
    m.add_class::<types::Value>()?;
    m.add_class::<anyref::AnyRef>()?;
    m.add_class::<reftype::RefType>()?;
    m.add_class::<types::FunctionType>()?;
    m.add_class::<types::GlobalType>()?;
    m.add_class::<types::TableType>()?;
    m.add_class::<types::MemoryType>()?;
    m.add_class::<types::ExportType>()?;
    m.add_class::<types::ImportType>()?;
    m.add_function(wrap_pyfunction!(wat2wasm, m)?)?;
    m.add_function(wrap_pyfunction!(wasm2wat, m)?)?;
    m.add_function(wrap_pyfunction!(cli_main, m)?)?;
    #[cfg(unix)]
    {
        m.add_class::<wasi::WasiEnv>()?;
        m.add_function(wrap_pyfunction!(wasi::wasi_version, m)?)?;
    }
    Ok(())
}
