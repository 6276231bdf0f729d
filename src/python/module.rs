//! `Module`, and its serialized form.
//!
//! # Serialized modules
//!
//! `Module.serialize()` writes our own versioned container around the
//! module's binary: magic `\0wasmint`, format version (u32 LE), CRC-32 of
//! the payload (u32 LE), payload length (u64 LE), payload = name flag (u8),
//! name length (u32 LE), name (UTF-8), the wasm binary. `deserialize` checks
//! all of it and then decodes and validates the binary again, so a corrupt,
//! truncated or foreign blob raises `CompileError` instead of being trusted.
//! (We keep no translated code in the blob: translation is fast, and
//! re-validating is what makes `deserialize` safe, unlike wasmer's.)

use std::sync::{Arc, Mutex};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyList, PyString};
use pyo3::{PyTraverseError, PyVisit};

use super::store::{to_py_err, Store};
use super::types::{extern_type_to_py, type_name, ExportType, ImportType};
use super::CompileError;

const MAGIC: &[u8; 8] = b"\0wasmint";
const FORMAT_VERSION: u32 = 1;

/// CRC-32 (IEEE), bitwise: serialization is not a hot path.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

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
/// decoder's or validator's message and the byte offset.
///
/// >>> from wasmint import Store, Module
/// >>> store = Store()
/// >>> module = Module(store, '(module)')
/// >>> module = Module(store, b'\x00asm\x01\x00\x00\x00')
/// >>> Module(store, b'\x00asm\x02\x00\x00\x00')
/// Traceback (most recent call last):
///   ...
/// wasmint.CompileError: unknown binary version (at offset 0x4)
#[pyclass(module = "wasmint", frozen)]
pub struct Module {
    pub(crate) store: Py<Store>,
    pub(crate) inner: crate::Module,
    wasm: Arc<[u8]>,
    name: Mutex<Option<String>>,
}

impl Module {
    fn build(store: &Bound<'_, Store>, wasm: Vec<u8>) -> PyResult<Module> {
        let inner = crate::Module::new(&wasm).map_err(to_py_err)?;
        let name = inner.syntax().names.as_ref().and_then(|n| n.module.clone());
        Ok(Module {
            store: store.clone().unbind(),
            inner,
            wasm: wasm.into(),
            name: Mutex::new(name),
        })
    }

    fn name_lock(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.name.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[pymethods]
impl Module {
    #[new]
    fn new(store: &Bound<'_, Store>, bytes: &Bound<'_, PyAny>) -> PyResult<Self> {
        Module::build(store, wasm_bytes(bytes)?)
    }

    /// Whether `bytes` is a valid module (binary or text); never raises for
    /// bad contents.
    ///
    /// >>> from wasmint import Store, Module
    /// >>> Module.validate(Store(), b'\x00asm\x01\x00\x00\x00'), Module.validate(Store(), b'\x00asm')
    /// (True, False)
    #[staticmethod]
    fn validate(store: &Bound<'_, Store>, bytes: &Bound<'_, PyAny>) -> PyResult<bool> {
        let _ = store;
        match wasm_bytes(bytes) {
            Ok(wasm) => Ok(crate::Module::new(&wasm).is_ok()),
            Err(e) if e.is_instance_of::<CompileError>(bytes.py()) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The exports, a list of `ExportType` in the module's order.
    ///
    /// >>> from wasmint import Store, Module, FunctionType
    /// >>> exports = Module(Store(), '(module (func (export "f") (param i32 i64)))').exports
    /// >>> exports[0].name, isinstance(exports[0].type, FunctionType)
    /// ('f', True)
    #[getter]
    fn exports<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .inner
            .exports()
            .into_iter()
            .map(|(name, ty)| Py::new(py, ExportType::new(name, extern_type_to_py(py, &ty)?)))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// The imports, a list of `ImportType` in the module's order.
    ///
    /// >>> from wasmint import Store, Module
    /// >>> imports = Module(Store(), '(module (import "ns" "g" (global f32)))').imports
    /// >>> imports[0].module, imports[0].name, str(imports[0].type)
    /// ('ns', 'g', 'GlobalType(type: F32, mutable: False)')
    #[getter]
    fn imports<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .inner
            .imports()
            .into_iter()
            .map(|(module, name, ty)| {
                Py::new(
                    py,
                    ImportType::new(module, name, extern_type_to_py(py, &ty)?),
                )
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// The contents of every custom section called `name`, in order (a
    /// list of bytes, empty when there is none).
    ///
    /// >>> from wasmint import Store, Module
    /// >>> wasm = b'\x00asm\x01\x00\x00\x00' + b'\x00\x08\x05hello!!'
    /// >>> Module(Store(), wasm).custom_sections('hello'), Module(Store(), wasm).custom_sections('foo')
    /// ([b'!!'], [])
    fn custom_sections<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyList>> {
        let items: Vec<_> = self
            .inner
            .syntax()
            .customs
            .iter()
            .filter(|c| c.name == name)
            .map(|c| PyBytes::new(py, &c.data))
            .collect();
        PyList::new(py, items)
    }

    /// The module's name: from the `name` section, or as set; None when it
    /// has none.
    ///
    /// >>> from wasmint import Store, Module
    /// >>> module = Module(Store(), '(module $moduleName)')
    /// >>> module.name
    /// 'moduleName'
    /// >>> module.name = 'hello'
    /// >>> module.name
    /// 'hello'
    #[getter]
    fn name(&self) -> Option<String> {
        self.name_lock().clone()
    }

    #[setter]
    fn set_name(&self, name: Option<String>) {
        *self.name_lock() = name;
    }

    /// The module in wasmint's own serialized format (see
    /// `Module.deserialize`).
    ///
    /// >>> from wasmint import Store, Module
    /// >>> type(Module(Store(), '(module)').serialize())
    /// <class 'bytes'>
    fn serialize<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let name = self.name_lock().clone();
        let mut payload = Vec::with_capacity(self.wasm.len() + 16);
        payload.push(name.is_some() as u8);
        let name = name.unwrap_or_default();
        payload.extend_from_slice(&(name.len() as u32).to_le_bytes());
        payload.extend_from_slice(name.as_bytes());
        payload.extend_from_slice(&self.wasm);
        let mut out = Vec::with_capacity(payload.len() + 24);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&crc32(&payload).to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&payload);
        PyBytes::new(py, &out)
    }

    /// A module from the bytes of `Module.serialize` (of any store). The
    /// blob is checked and the module validated again: corrupt or foreign
    /// bytes raise `CompileError`.
    ///
    /// >>> from wasmint import Store, Module
    /// >>> store = Store()
    /// >>> blob = Module(store, '(module (func (export "function") (param i32 i64)))').serialize()
    /// >>> Module.deserialize(store, blob).exports[0].name
    /// 'function'
    /// >>> Module.deserialize(store, blob[:-1])
    /// Traceback (most recent call last):
    ///   ...
    /// wasmint.CompileError: deserialize: the serialized module is truncated or corrupt
    #[staticmethod]
    fn deserialize(store: &Bound<'_, Store>, bytes: &Bound<'_, PyBytes>) -> PyResult<Module> {
        let b = bytes.as_bytes();
        let bad =
            || CompileError::new_err("deserialize: the serialized module is truncated or corrupt");
        if b.len() < 24 || &b[..8] != MAGIC {
            return Err(CompileError::new_err(
                "deserialize: not a module serialized by wasmint",
            ));
        }
        let version = u32::from_le_bytes(b[8..12].try_into().map_err(|_| bad())?);
        if version != FORMAT_VERSION {
            return Err(CompileError::new_err(format!(
                "deserialize: serialized format version {version} is not supported (this wasmint reads version {FORMAT_VERSION})"
            )));
        }
        let crc = u32::from_le_bytes(b[12..16].try_into().map_err(|_| bad())?);
        let len = u64::from_le_bytes(b[16..24].try_into().map_err(|_| bad())?);
        let payload = &b[24..];
        if payload.len() as u64 != len || crc32(payload) != crc || payload.len() < 5 {
            return Err(bad());
        }
        let has_name = payload[0];
        let name_len = u32::from_le_bytes(payload[1..5].try_into().map_err(|_| bad())?) as usize;
        let rest = &payload[5..];
        if has_name > 1 || name_len > rest.len() {
            return Err(bad());
        }
        let name = std::str::from_utf8(&rest[..name_len])
            .map_err(|_| bad())?
            .to_owned();
        let module = Module::build(store, rest[name_len..].to_vec())?;
        *module.name_lock() = (has_name == 1).then_some(name);
        Ok(module)
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

#[cfg(test)]
mod tests {
    use super::crc32;

    #[test]
    fn anyfunc_is_replaced_outside_strings_and_comments() {
        use super::replace_anyfunc;
        assert_eq!(
            replace_anyfunc("(table 1 anyfunc)").as_deref(),
            Some("(table 1 funcref)")
        );
        assert_eq!(
            replace_anyfunc("(table $anyfunc 1 anyfunc) ;; anyfunc\n(; anyfunc ;) \"anyfunc\"")
                .as_deref(),
            Some("(table $anyfunc 1 funcref) ;; anyfunc\n(; anyfunc ;) \"anyfunc\"")
        );
        assert_eq!(replace_anyfunc("(module)"), None);
        assert_eq!(replace_anyfunc("\"unterminated anyfunc"), None);
    }

    #[test]
    fn crc32_matches_the_ieee_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }
}
