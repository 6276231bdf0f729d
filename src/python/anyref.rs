//! `AnyRef`: a GC reference (an `i31`, a struct or an array of a store's
//! heap) held by Python.
//!
//! A handle to a heap object roots it in its store (`Store::gc_root`,
//! counted) until the handle is dropped, so the collector keeps the object
//! while Python holds it, however much wasm allocates meanwhile. Dropping
//! a handle unroots it; when the store cannot be used at that moment (a
//! call holds it, see `store.rs`), the release is queued in the store cell
//! and done before the next call ([`StoreCell::defer_unroot`]). An `i31`
//! needs no root.
//!
//! Host objects made internal (`any.convert_extern`) are not `AnyRef`s:
//! they come back to Python as the objects they were.

use pyo3::prelude::*;
use pyo3::{PyTraverseError, PyVisit};

use super::store::Store;
use crate::runtime::gc;
use crate::syntax::{Kind, TypeLookup};

/// What an `AnyRef` refers to.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum RefKind {
    I31,
    Struct,
    Array,
    /// An object this store no longer has (never seen from Python: handles
    /// keep their objects), or a reference of unknown form.
    Other,
}

impl RefKind {
    fn name(self) -> &'static str {
        match self {
            RefKind::I31 => "i31",
            RefKind::Struct => "struct",
            RefKind::Array => "array",
            RefKind::Other => "other",
        }
    }
}

/// A WebAssembly GC reference: a struct, an array or an `i31` (an unboxed
/// 31-bit integer), as an opaque handle. Functions returning `anyref`,
/// `eqref`, `structref`, `arrayref`, `i31ref` or a reference to a struct
/// or array type give one (as do globals and tables of those types); it
/// can be passed back to any parameter whose type it matches. While an
/// `AnyRef` exists its object stays alive (the store's collector sees it
/// as a root); dropping the last one lets the object be collected.
///
/// Two handles are equal when they name the same object of the same store
/// (what ``ref.eq`` compares): an `i31` by its value. A handle belongs to
/// its store: passing it to another store's function raises ValueError.
///
/// ```py
/// >>> from wasmint import Store, Module, Instance, AnyRef
/// >>> exports = Instance(Module(Store(), '''(module
/// ...   (type $point (struct (field i32) (field i32)))
/// ...   (func (export "make") (param i32 i32) (result (ref $point))
/// ...     (struct.new $point (local.get 0) (local.get 1)))
/// ...   (func (export "x") (param (ref $point)) (result i32)
/// ...     (struct.get $point 0 (local.get 0)))
/// ...   (func (export "seven") (result i31ref) (ref.i31 (i32.const 7))))''')).exports
/// >>> p = exports.make(3, 4)
/// >>> p, p.kind, isinstance(p, AnyRef)
/// (AnyRef(struct), 'struct', True)
/// >>> exports.x(p)
/// 3
/// >>> exports.seven(), exports.seven().i31, exports.seven() == exports.seven()
/// (AnyRef(i31 7), 7, True)
/// ```
#[pyclass(module = "wasmint", frozen)]
pub struct AnyRef {
    pub(crate) store: Py<Store>,
    pub(crate) bits: u64,
    kind: RefKind,
}

impl AnyRef {
    /// The handle for reference `bits` (not a host one) of `store`, rooting
    /// the object it names.
    pub(crate) fn wrap(py: Python<'_>, store: &Py<Store>, bits: u64) -> PyResult<Py<AnyRef>> {
        let kind = if bits & gc::REF_I31 != 0 {
            RefKind::I31
        } else {
            let cell = &store.get().cell;
            cell.with(py, |s| {
                cell.flush_unroots(s);
                let obj = s.heap.obj(bits);
                let kind = match obj.and_then(|o| s.kind(o.ty)) {
                    Some(Kind::Struct) => RefKind::Struct,
                    Some(Kind::Array) => RefKind::Array,
                    _ => RefKind::Other,
                };
                s.gc_root(bits);
                kind
            })?
        };
        Py::new(py, AnyRef { store: store.clone_ref(py), bits, kind })
    }

    /// The runtime value, once it is known to belong to `store`.
    pub(crate) fn value_in(&self, store: &Store) -> PyResult<crate::Value> {
        if !std::ptr::eq(self.store.get(), store) {
            return Err(pyo3::exceptions::PyValueError::new_err("the reference belongs to another store"));
        }
        Ok(crate::Value::AnyRef(Some(crate::runtime::AnyRef::new(self.bits))))
    }
}

impl Drop for AnyRef {
    fn drop(&mut self) {
        if self.kind == RefKind::I31 {
            return;
        }
        // Dropped by Python (the GIL is held); the store may be in a call
        // (another thread's, or between a call's steps): then the release
        // waits for the next call. At interpreter shutdown (no token to
        // be had) the root stays: the store goes with it.
        let _ = Python::try_attach(|py| {
            let cell = &self.store.get().cell;
            if cell.with(py, |s| s.gc_unroot(self.bits)).is_err() {
                cell.defer_unroot(py, self.bits);
            }
        });
    }
}

#[pymethods]
impl AnyRef {
    /// What the reference names: ``'struct'``, ``'array'`` or ``'i31'``.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance
    /// >>> exports = Instance(Module(Store(), '''(module (type $p (struct (field i32)))
    /// ...   (type $a (array i8))
    /// ...   (func (export "s") (result (ref $p)) (struct.new $p (i32.const 1)))
    /// ...   (func (export "a") (result (ref $a)) (array.new_default $a (i32.const 2)))
    /// ...   (func (export "i") (result i31ref) (ref.i31 (i32.const 7))))''')).exports
    /// >>> exports.s().kind, exports.a().kind, exports.i().kind
    /// ('struct', 'array', 'i31')
    /// ```
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind.name()
    }

    /// The value of an `i31` reference (sign-extended from 31 bits, as
    /// ``i31.get_s`` reads it), or None for a struct or an array.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance
    /// >>> f = Instance(Module(Store(), '(module (func (export "f") (param i32) (result i31ref) (ref.i31 (local.get 0))))')).exports.f
    /// >>> f(-5).i31, f(2**30).i31
    /// (-5, -1073741824)
    /// ```
    #[getter]
    fn i31(&self) -> Option<i32> {
        crate::runtime::AnyRef::new(self.bits).i31()
    }

    /// Whether it names a struct.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance
    /// >>> exports = Instance(Module(Store(), '''(module (type $p (struct (field i32)))
    /// ...   (type $a (array i8))
    /// ...   (func (export "s") (result (ref $p)) (struct.new $p (i32.const 1)))
    /// ...   (func (export "a") (result (ref $a)) (array.new_default $a (i32.const 2)))
    /// ...   (func (export "i") (result i31ref) (ref.i31 (i32.const 7))))''')).exports
    /// >>> exports.s().is_struct, exports.a().is_struct
    /// (True, False)
    /// ```
    #[getter]
    fn is_struct(&self) -> bool {
        self.kind == RefKind::Struct
    }

    /// Whether it names an array.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance
    /// >>> exports = Instance(Module(Store(), '''(module (type $p (struct (field i32)))
    /// ...   (type $a (array i8))
    /// ...   (func (export "s") (result (ref $p)) (struct.new $p (i32.const 1)))
    /// ...   (func (export "a") (result (ref $a)) (array.new_default $a (i32.const 2)))
    /// ...   (func (export "i") (result i31ref) (ref.i31 (i32.const 7))))''')).exports
    /// >>> exports.a().is_array, exports.i().is_array
    /// (True, False)
    /// ```
    #[getter]
    fn is_array(&self) -> bool {
        self.kind == RefKind::Array
    }

    /// Whether it is an `i31`.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance
    /// >>> exports = Instance(Module(Store(), '''(module (type $p (struct (field i32)))
    /// ...   (type $a (array i8))
    /// ...   (func (export "s") (result (ref $p)) (struct.new $p (i32.const 1)))
    /// ...   (func (export "a") (result (ref $a)) (array.new_default $a (i32.const 2)))
    /// ...   (func (export "i") (result i31ref) (ref.i31 (i32.const 7))))''')).exports
    /// >>> exports.i().is_i31, exports.s().is_i31
    /// (True, False)
    /// ```
    #[getter]
    fn is_i31(&self) -> bool {
        self.kind == RefKind::I31
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<AnyRef>().is_ok_and(|o| o.get().bits == self.bits && o.get().store.is(&self.store))
    }

    fn __hash__(&self) -> u64 {
        let store = self.store.as_ptr() as u64;
        self.bits.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ store
    }

    fn __repr__(&self) -> String {
        match self.i31() {
            Some(v) => format!("AnyRef(i31 {v})"),
            None => format!("AnyRef({})", self.kind.name()),
        }
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.store)
    }
}
