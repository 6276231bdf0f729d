//! `Module`, and its serialized form.
//!
//! `Module.serialize()` and `Module.deserialize()` use the Rust API's
//! format (`runtime::serialize`): the module's translated code and
//! everything else it needs, so deserialize neither decodes, validates nor
//! translates wasm. Like wasmer's, deserialize trusts its input beyond the
//! checks listed there (the stored code is not type-checked): only load
//! blobs you made or trust; for untrusted bytes, use `Module(store, wasm)`.

use std::sync::Mutex;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyList, PyString};
use pyo3::{PyTraverseError, PyVisit};

use super::store::{to_py_err, Store};
use super::types::{extern_type_to_py, type_name, ExportType, ImportType};
use super::features::Features;
use super::CompileError;

/// The wasm binary from bytes (binary, or WAT text as bytes) or a str of
/// WAT text.
pub(crate) fn wasm_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    let raw: Vec<u8> = if let Ok(b) = obj.cast::<PyBytes>() {
        b.as_bytes().to_vec()
    } else if let Ok(b) = obj.cast::<PyByteArray>() {
        b.to_vec()
    } else if let Ok(s) = obj.cast::<PyString>() {
        return wat_to_wasm(&s.to_cow()?);
    } else {
        return Err(PyTypeError::new_err(format!(
            "expected bytes (a WebAssembly binary) or a str (WebAssembly text), got {}",
            type_name(obj)
        )));
    };
    // Like wasmer: bytes that are not a binary are read as text. Bytes
    // starting with NUL are never text: let the decoder report them.
    if raw.starts_with(b"\0") {
        Ok(raw)
    } else {
        // Like wasmer: bytes that are not a binary are read as text.
        match std::str::from_utf8(&raw) {
            Ok(text) => wat_to_wasm(text),
            Err(_) => Ok(raw), // let the decoder report the bad magic
        }
    }
}

pub(crate) fn wat_to_wasm(text: &str) -> PyResult<Vec<u8>> {
    match wat::parse_str(text) {
        Ok(wasm) => Ok(wasm),
        // `anyfunc`, the pre-standard name of `funcref`, appears in
        // wasmer's own examples; the `wat` crate no longer knows it.
        Err(e) => match replace_anyfunc(text) {
            Some(fixed) => wat::parse_str(&fixed).map_err(|_| CompileError::new_err(e.to_string())),
            None => Err(CompileError::new_err(e.to_string())),
        },
    }
}

/// `text` with every `anyfunc` keyword (outside strings and comments)
/// replaced by `funcref`, or `None` if there is none.
fn replace_anyfunc(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let idchar = |c: u8| c.is_ascii_alphanumeric() || b"!#$%&'*+-./:<=>?@\\^_`|~".contains(&c);
    let mut out = String::with_capacity(text.len());
    let (mut i, mut last, mut found) = (0, 0, false);
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b';' if b.get(i + 1) == Some(&b';') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' if b.get(i + 1) == Some(&b';') => {
                let mut depth = 0usize;
                while i < b.len() {
                    if b[i..].starts_with(b"(;") {
                        depth += 1;
                        i += 2;
                    } else if b[i..].starts_with(b";)") {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            c if idchar(c) => {
                let start = i;
                while i < b.len() && idchar(b[i]) {
                    i += 1;
                }
                if &b[start..i] == b"anyfunc" {
                    out.push_str(&text[last..start]);
                    out.push_str("funcref");
                    last = i;
                    found = true;
                }
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[last.min(text.len())..]);
    found.then_some(out)
}

/// A compiled (decoded, validated, translated) WebAssembly module, ready to
/// be instantiated any number of times. Built from a binary (bytes) or
/// from WebAssembly text (a str, or bytes not starting with ``b'\0asm'``).
/// An invalid module raises `CompileError` (a RuntimeError) with the
/// decoder's or validator's message and the byte offset. It may use what
/// the store's `Features` allow, or those given as `features=`.
///
/// ```py
/// >>> from wasmint import Store, Module
/// >>> store = Store()
/// >>> module = Module(store, '(module)')
/// >>> module = Module(store, b'\x00asm\x01\x00\x00\x00')
/// >>> Module(store, b'\x00asm\x02\x00\x00\x00')
/// Traceback (most recent call last):
///   ...
/// wasmint.CompileError: unknown binary version (at offset 0x4)
/// ```
#[pyclass(module = "wasmint", frozen)]
pub struct Module {
    pub(crate) store: Py<Store>,
    pub(crate) inner: crate::Module,
    name: Mutex<Option<String>>,
}

impl Module {
    fn build(store: &Bound<'_, Store>, wasm: Vec<u8>, features: Features) -> PyResult<Module> {
        let inner = super::features::compile(wasm, features)?;
        Ok(Module::wrap(store, inner))
    }

    fn wrap(store: &Bound<'_, Store>, inner: crate::Module) -> Module {
        let name = inner.syntax().names.as_ref().and_then(|n| n.module.clone());
        Module { store: store.clone().unbind(), inner, name: Mutex::new(name) }
    }

    fn name_lock(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.name.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[pymethods]
impl Module {
    /// `features`, a `Features`, replaces the store's for this module.
    #[new]
    #[pyo3(signature = (store, bytes, *, features = None))]
    fn new(store: &Bound<'_, Store>, bytes: &Bound<'_, PyAny>, features: Option<Features>) -> PyResult<Self> {
        let features = features.unwrap_or_else(|| store.get().features);
        Module::build(store, wasm_bytes(bytes)?, features)
    }

    /// Whether `bytes` is a valid module (binary or text) under the store's
    /// `Features`; never raises for bad contents.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module
    /// >>> Module.validate(Store(), b'\x00asm\x01\x00\x00\x00'), Module.validate(Store(), b'\x00asm')
    /// (True, False)
    /// ```
    #[staticmethod]
    fn validate(store: &Bound<'_, Store>, bytes: &Bound<'_, PyAny>) -> PyResult<bool> {
        let features = store.get().features.0;
        match wasm_bytes(bytes) {
            Ok(wasm) => Ok(crate::binary::decode_lazy(wasm.into(), features).and_then(|m| crate::validate::validate(&m)).is_ok()),
            Err(e) if e.is_instance_of::<CompileError>(bytes.py()) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The exports, a list of `ExportType` in the module's order.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, FunctionType
    /// >>> exports = Module(Store(), '(module (func (export "f") (param i32 i64)))').exports
    /// >>> exports[0].name, isinstance(exports[0].type, FunctionType)
    /// ('f', True)
    /// ```
    #[getter]
    fn exports<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .inner
            .exports()
            .into_iter()
            .map(|(name, ty)| Py::new(py, ExportType::new(name, extern_type_to_py(py, &ty, &self.inner.syntax().types, &self.inner.syntax().defs)?)))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// The imports, a list of `ImportType` in the module's order.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module
    /// >>> imports = Module(Store(), '(module (import "ns" "g" (global f32)))').imports
    /// >>> imports[0].module, imports[0].name, str(imports[0].type)
    /// ('ns', 'g', 'GlobalType(type: F32, mutable: false)')
    /// ```
    #[getter]
    fn imports<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .inner
            .imports()
            .into_iter()
            .map(|(module, name, ty)| Py::new(py, ImportType::new(module, name, extern_type_to_py(py, &ty, &self.inner.syntax().types, &self.inner.syntax().defs)?)))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// The contents of every custom section called `name`, in order (a
    /// list of bytes, empty when there is none).
    ///
    /// ```py
    /// >>> from wasmint import Store, Module
    /// >>> wasm = b'\x00asm\x01\x00\x00\x00' + b'\x00\x08\x05hello!!'
    /// >>> Module(Store(), wasm).custom_sections('hello'), Module(Store(), wasm).custom_sections('foo')
    /// ([b'!!'], [])
    /// ```
    fn custom_sections<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyList>> {
        let items: Vec<_> =
            self.inner.syntax().customs.iter().filter(|c| c.name == name).map(|c| PyBytes::new(py, &c.data)).collect();
        PyList::new(py, items)
    }

    /// The module's name: from the `name` section, or as set; None when it
    /// has none.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module
    /// >>> module = Module(Store(), '(module $moduleName)')
    /// >>> module.name
    /// 'moduleName'
    /// >>> module.name = 'hello'
    /// >>> module.name
    /// 'hello'
    /// ```
    #[getter]
    fn name(&self) -> Option<String> {
        self.name_lock().clone()
    }

    #[setter]
    fn set_name(&self, name: Option<String>) {
        *self.name_lock() = name;
    }

    /// The module in wasmint's serialized format, with its translated
    /// code and its name (see `Module.deserialize`).
    ///
    /// ```py
    /// >>> from wasmint import Store, Module
    /// >>> type(Module(Store(), '(module)').serialize())
    /// <class 'bytes'>
    /// ```
    fn serialize<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let name = self.name_lock().clone();
        let blob = py.detach(|| self.inner.serialize_named(name.as_deref())).map_err(to_py_err)?;
        Ok(PyBytes::new(py, &blob))
    }

    /// A module from the bytes of `Module.serialize` (of any store, by this
    /// wasmint build), without compiling again. Truncated, corrupt or
    /// foreign bytes, and blobs of other wasmint versions, raise
    /// `CompileError`; beyond these checks the blob is trusted, as wasmer
    /// trusts its own: deserialize only bytes you made or trust.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module
    /// >>> store = Store()
    /// >>> blob = Module(store, '(module (func (export "function") (param i32 i64)))').serialize()
    /// >>> Module.deserialize(store, blob).exports[0].name
    /// 'function'
    /// >>> Module.deserialize(store, blob[:-1])
    /// Traceback (most recent call last):
    ///   ...
    /// wasmint.CompileError: deserialize: the serialized module is truncated or corrupt
    /// ```
    #[staticmethod]
    fn deserialize(store: &Bound<'_, Store>, bytes: &Bound<'_, PyBytes>) -> PyResult<Module> {
        let blob = crate::syntax::Bytes::from_owner(PyBytesOwner::new(bytes));
        // SAFETY: the documented trust model: the caller vouches for the
        // blob, as with wasmer's `Module.deserialize`; every check that
        // can be made cheaply is made (`runtime::serialize`).
        let inner = bytes.py().detach(|| unsafe { crate::Module::deserialize_bytes(blob) }).map_err(to_py_err)?;
        Ok(Module::wrap(store, inner))
    }

    fn __repr__(&self) -> String {
        match &*self.name_lock() {
            Some(n) => format!("<wasmint.Module {n:?}>"),
            None => "<wasmint.Module>".to_owned(),
        }
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.store)
    }
}

/// A Python `bytes` object, shared as the bytes of a deserialized module
/// without a copy (a blob of 68 MB took a third of `deserialize`'s time to
/// copy and fault in).
struct PyBytesOwner {
    _obj: Py<PyBytes>,
    ptr: *const u8,
    len: usize,
}

impl PyBytesOwner {
    fn new(b: &Bound<'_, PyBytes>) -> PyBytesOwner {
        let s = b.as_bytes();
        PyBytesOwner { _obj: b.clone().unbind(), ptr: s.as_ptr(), len: s.len() }
    }
}

// SAFETY: a `bytes` object is immutable and its buffer never moves while a
// reference to it is held (`_obj`), so the slice may be read from any
// thread without the GIL; dropping `_obj` without the GIL is deferred by
// pyo3.
unsafe impl Send for PyBytesOwner {}
// SAFETY: as above: the bytes are only read.
unsafe impl Sync for PyBytesOwner {}

impl AsRef<[u8]> for PyBytesOwner {
    fn as_ref(&self) -> &[u8] {
        // SAFETY: `ptr..ptr + len` is the buffer of `_obj`, alive and
        // unchanged for as long as `self` (see `Send`).
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn anyfunc_is_replaced_outside_strings_and_comments() {
        use super::replace_anyfunc;
        assert_eq!(replace_anyfunc("(table 1 anyfunc)").as_deref(), Some("(table 1 funcref)"));
        assert_eq!(
            replace_anyfunc("(table $anyfunc 1 anyfunc) ;; anyfunc\n(; anyfunc ;) \"anyfunc\"").as_deref(),
            Some("(table $anyfunc 1 funcref) ;; anyfunc\n(; anyfunc ;) \"anyfunc\"")
        );
        assert_eq!(replace_anyfunc("(module)"), None);
        assert_eq!(replace_anyfunc("\"unterminated anyfunc"), None);
    }
}
