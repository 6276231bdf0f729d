//! `RefType`: the reference types of WebAssembly 3.0 beyond wasmer's
//! `Type.FUNC_REF` and `Type.EXTERN_REF`, and value types as Python sees
//! them ([`Ty`]).
//!
//! A concrete heap type is an index: into a module's types, or into the
//! store's canonical ones at run time. Neither means anything to Python,
//! so a `RefType` holds the signature it names, a `FunctionType`, resolved
//! from the right table ([`Resolver`]). Types name only earlier types or
//! themselves (no recursion groups without GC), so resolving never loops;
//! a type's reference to itself shows as the heap ``'self'``.
//!
//! Signatures naming signatures form a DAG that may be exponentially large
//! spelt out, so nothing walks it whole: each named signature is a
//! [`Sig`] carrying a structural fingerprint (equality compares those, not
//! the trees), labels are cut at [`MAX_LABEL`], and nesting deeper than
//! [`MAX_NESTING`] levels is not resolved (it shows as ``'func'``): that
//! also bounds the recursion of dropping a tree.

use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;

use super::types::{type_enum, type_name, type_to_py, FunctionType};
use crate::syntax::{FuncType, HeapType, Kind, SubType};
use crate::validate::SELF_TYPE;
use crate::ValType;

/// What a reference points to, as Python sees it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum Heap {
    /// `func`, `extern`, `nofunc` or `noextern` (never `Concrete`).
    Abstract(HeapType),
    /// Functions of this signature.
    Func(Arc<Sig>),
    /// The function type this reference appears in.
    SelfRef,
}

/// A signature that a reference type names.
#[derive(Debug)]
pub(crate) struct Sig {
    pub(crate) f: FunctionType,
    /// A structural hash, from those of the signatures it names.
    print: u64,
    /// Levels of signatures below and including this one.
    depth: usize,
}

impl Sig {
    pub(crate) fn new(f: FunctionType) -> Arc<Sig> {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        let mut depth = 0;
        for (i, ts) in [&f.params, &f.results].into_iter().enumerate() {
            (i, ts.len()).hash(&mut h);
            for t in ts {
                match t {
                    Ty::Val(v) => (0u8, v).hash(&mut h),
                    Ty::Ref(r) => match &r.heap {
                        Heap::Abstract(a) => (1u8, r.nullable, a).hash(&mut h),
                        Heap::SelfRef => (2u8, r.nullable).hash(&mut h),
                        Heap::Func(s) => {
                            (3u8, r.nullable, s.print).hash(&mut h);
                            depth = depth.max(s.depth);
                        }
                    },
                }
            }
        }
        Arc::new(Sig { f, print: h.finish(), depth: depth + 1 })
    }
}

impl PartialEq for Sig {
    fn eq(&self, other: &Sig) -> bool {
        self.print == other.print
    }
}
impl Eq for Sig {}

/// A value type for Python: wasmer's `Type` members, or a `RefType` for
/// the reference types wasmer has no member for.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum Ty {
    /// Numbers, `v128`, `funcref`, `externref`.
    Val(ValType),
    Ref(RefType),
}

impl Ty {
    /// `funcref` and `externref` stay `Type` members; other reference
    /// types become `RefType`.
    fn of_ref(nullable: bool, heap: Heap) -> Ty {
        match heap {
            Heap::Abstract(HeapType::Func) if nullable => Ty::Val(ValType::FUNCREF),
            Heap::Abstract(HeapType::Extern) if nullable => Ty::Val(ValType::EXTERNREF),
            heap => Ty::Ref(RefType { nullable, heap }),
        }
    }

    pub(crate) fn to_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self {
            Ty::Val(v) => Ok(type_to_py(py, *v)),
            Ty::Ref(r) => Ok(Py::new(py, r.clone())?.into_any()),
        }
    }

    /// A `Type` member or a `RefType`.
    pub(crate) fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Ty> {
        if let Ok(r) = obj.cast::<RefType>() {
            let r = r.get();
            return Ok(Ty::of_ref(r.nullable, r.heap.clone()));
        }
        super::types::type_from_py(obj).map(Ty::Val)
    }

    /// The type as the store knows it, interning the signatures it names.
    /// `SelfRef` becomes `SELF_TYPE`, as in the canonical form.
    pub(crate) fn to_store(&self, s: &mut crate::Store, depth: usize) -> PyResult<ValType> {
        let r = match self {
            Ty::Val(v) => return Ok(*v),
            Ty::Ref(r) => r,
        };
        let heap = match &r.heap {
            Heap::Abstract(h) => *h,
            Heap::SelfRef => HeapType::Concrete(SELF_TYPE),
            Heap::Func(f) => HeapType::Concrete(intern(s, &f.f, depth + 1)?),
        };
        Ok(ValType::Ref(crate::RefType { nullable: r.nullable, heap }))
    }
}

/// Is `t` a `Type` member as it is (a number, `v128`, `funcref`,
/// `externref`)?
pub(crate) fn is_plain(t: ValType) -> bool {
    !t.is_ref() || t == ValType::FUNCREF || t == ValType::EXTERNREF
}

/// Deepest nesting of signatures in a Python-built type (deeper ones
/// would recurse on the native stack).
const MAX_NESTING: usize = 100;

/// The store's id of a Python-built signature, in the canonical form the
/// store interns (its types named by id, itself by `SELF_TYPE`).
pub(crate) fn intern(s: &mut crate::Store, f: &FunctionType, depth: usize) -> PyResult<u32> {
    let t = to_store_func(s, f, depth)?;
    Ok(s.intern_type(&t))
}

/// A Python-built signature as a store type (see [`intern`]).
pub(crate) fn to_store_func(s: &mut crate::Store, f: &FunctionType, depth: usize) -> PyResult<FuncType> {
    if depth > MAX_NESTING {
        return Err(PyValueError::new_err(format!("reference types nested more than {MAX_NESTING} deep")));
    }
    let conv = |ts: &[Ty], s: &mut crate::Store| ts.iter().map(|t| t.to_store(s, depth)).collect::<PyResult<Vec<_>>>();
    let params = conv(&f.params, s)?;
    let results = conv(&f.results, s)?;
    Ok(FuncType::new(params, results))
}

/// A reference type that wasmer's `Type` cannot express: a reference to
/// functions of one signature (``(ref $t)``, ``(ref null $t)``), a
/// non-null abstract reference (``(ref func)``, ``(ref extern)``), or a
/// bottom type (``nullfuncref``, ``nullexternref``), or a GC reference
/// type (``anyref``, ``eqref``, ``i31ref``, ``structref``, ``arrayref``,
/// ``nullref``, their non-null forms, and references to struct and array
/// types). `funcref` and `externref` remain `Type.FUNC_REF` and
/// `Type.EXTERN_REF`.
///
/// `heap` is a `FunctionType` (a concrete type), one of ``'func'``,
/// ``'extern'``, ``'nofunc'``, ``'noextern'``, ``'any'``, ``'eq'``,
/// ``'i31'``, ``'struct'``, ``'array'``, ``'none'``, or ``Type.FUNC_REF`` /
/// ``Type.EXTERN_REF`` for ``'func'`` / ``'extern'``. A reference to a
/// struct or array type reads as ``'struct'`` or ``'array'`` (there are
/// no descriptors of those types). A type's reference to itself reads as
/// the heap ``'self'``. `type` is the kind of reference as a `Type`:
/// FUNC_REF, or EXTERN_REF for all others (GC references included).
///
/// ```py
/// >>> from wasmint import RefType, FunctionType, Type
/// >>> t = RefType(FunctionType([Type.I32], [Type.I32]), nullable=False)
/// >>> t.nullable, t.type, t.heap.params
/// (False, <Type.FUNC_REF: 7>, [<Type.I32: 1>])
/// >>> t
/// RefType(heap: FunctionType(params: [I32], results: [I32]), nullable: false)
/// >>> RefType('extern', nullable=False).heap, RefType(Type.FUNC_REF) == RefType('func')
/// ('extern', True)
/// >>> RefType('i31', nullable=False)
/// RefType(heap: 'i31', nullable: false)
/// ```
#[pyclass(module = "wasmint", frozen, eq)]
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RefType {
    pub(crate) nullable: bool,
    pub(crate) heap: Heap,
}

#[pymethods]
impl RefType {
    #[new]
    #[pyo3(signature = (heap, nullable = true))]
    fn new(heap: &Bound<'_, PyAny>, nullable: bool) -> PyResult<Self> {
        let bad = || {
            PyTypeError::new_err(format!(
                "RefType: `heap` must be a FunctionType, 'func', 'extern', 'nofunc', 'noextern', 'any', 'eq', 'i31', \
                 'struct', 'array', 'none', Type.FUNC_REF or Type.EXTERN_REF, not {}",
                type_name(heap)
            ))
        };
        let heap = if let Ok(f) = heap.cast::<FunctionType>() {
            Heap::Func(Sig::new(f.get().clone()))
        } else if let Ok(s) = heap.cast::<PyString>() {
            Heap::Abstract(match &*s.to_cow()? {
                "func" => HeapType::Func,
                "extern" => HeapType::Extern,
                "nofunc" => HeapType::NoFunc,
                "noextern" => HeapType::NoExtern,
                "any" => HeapType::Any,
                "eq" => HeapType::Eq,
                "i31" => HeapType::I31,
                "struct" => HeapType::Struct,
                "array" => HeapType::Array,
                "none" => HeapType::None,
                _ => return Err(bad()),
            })
        } else if heap.is_instance(type_enum(heap.py())?.bind(heap.py()))? {
            match super::types::type_from_py(heap)? {
                ValType::FUNCREF => Heap::Abstract(HeapType::Func),
                ValType::EXTERNREF => Heap::Abstract(HeapType::Extern),
                _ => return Err(bad()),
            }
        } else {
            return Err(bad());
        };
        Ok(RefType { nullable, heap })
    }

    /// Whether null is a value of this type.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module
    /// >>> module = Module(Store(), '(module (type $t (func)) (func (export "f") (param (ref $t) (ref null $t))))')
    /// >>> [p.nullable for p in module.exports[0].type.params]
    /// [False, True]
    /// ```
    #[getter]
    fn nullable(&self) -> bool {
        self.nullable
    }

    /// What the reference points to: a `FunctionType`, or a str.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module
    /// >>> module = Module(Store(), '(module (type $t (func)) (func (export "f") (param (ref null $t))))')
    /// >>> module.exports[0].type.params[0].heap
    /// FunctionType(params: [], results: [])
    /// ```
    #[getter]
    fn heap(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(match &self.heap {
            Heap::Func(f) => Py::new(py, f.f.clone())?.into_any(),
            Heap::SelfRef => PyString::new(py, "self").into_any().unbind(),
            Heap::Abstract(h) => PyString::new(py, &h.to_string()).into_any().unbind(),
        })
    }

    /// `Type.FUNC_REF` or `Type.EXTERN_REF`: the kind of reference.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Type
    /// >>> module = Module(Store(), '(module (type $t (func)) (func (export "f") (param (ref $t))))')
    /// >>> module.exports[0].type.params[0].type == Type.FUNC_REF
    /// True
    /// ```
    #[getter]
    fn r#type(&self, py: Python<'_>) -> Py<PyAny> {
        let func = match self.heap {
            Heap::Abstract(h) => h.is_func(),
            _ => true,
        };
        type_to_py(py, if func { ValType::FUNCREF } else { ValType::EXTERNREF })
    }

    fn __str__(&self) -> String {
        let mut out = String::new();
        write_ref(&mut out, self);
        out
    }

    fn __repr__(&self) -> String {
        self.__str__()
    }
}

/// Longest rendering of a type: signatures that name signatures may be
/// exponentially long when spelt out.
const MAX_LABEL: usize = 2000;

pub(crate) fn write_ty(out: &mut String, t: &Ty) {
    match t {
        Ty::Val(v) => out.push_str(super::types::type_label(*v)),
        Ty::Ref(r) => write_ref(out, r),
    }
}

fn write_ref(out: &mut String, r: &RefType) {
    if out.len() > MAX_LABEL {
        out.push_str("...");
        return;
    }
    out.push_str("RefType(heap: ");
    match &r.heap {
        Heap::Func(f) => write_func(out, &f.f),
        Heap::SelfRef => out.push_str("'self'"),
        Heap::Abstract(h) => {
            out.push('\'');
            out.push_str(&h.to_string());
            out.push('\'');
        }
    }
    out.push_str(if r.nullable { ", nullable: true)" } else { ", nullable: false)" });
}

pub(crate) fn write_func(out: &mut String, f: &FunctionType) {
    if out.len() > MAX_LABEL {
        out.push_str("...");
        return;
    }
    let list = |out: &mut String, ts: &[Ty]| {
        for (i, t) in ts.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            if out.len() > MAX_LABEL {
                out.push_str("...");
                return;
            }
            write_ty(out, t);
        }
    };
    out.push_str("FunctionType(params: [");
    list(out, &f.params);
    out.push_str("], results: [");
    list(out, &f.results);
    out.push_str("])");
}

/// Resolves the concrete heap types of a type table: a module's types
/// (type `i` names types `j <= i`) or a store's canonical ones (naming
/// lower ids, and themselves as `SELF_TYPE`).
pub(crate) struct Resolver<'a> {
    defs: &'a [FuncType],
    /// The form of each type (empty: all are function types).
    subs: &'a [SubType],
    memo: HashMap<u32, Arc<Sig>>,
}

impl<'a> Resolver<'a> {
    pub(crate) fn new(defs: &'a [FuncType], subs: &'a [SubType]) -> Self {
        Resolver { defs, subs, memo: HashMap::new() }
    }

    /// A struct or array type reads as its abstract heap type (Python has
    /// no descriptors of struct and array types).
    fn data(subs: &[SubType], i: u32) -> Option<HeapType> {
        match subs.get(i as usize).map(|d| d.comp.kind()) {
            Some(Kind::Struct) => Some(HeapType::Struct),
            Some(Kind::Array) => Some(HeapType::Array),
            _ => None,
        }
    }

    /// A value type outside any function type (of a global, a parameter).
    pub(crate) fn ty(&mut self, t: ValType) -> Ty {
        match t {
            ValType::Ref(crate::RefType { nullable, heap: HeapType::Concrete(i) }) => {
                if let Some(h) = Self::data(self.subs, i) {
                    return Ty::of_ref(nullable, Heap::Abstract(h));
                }
                let heap = match self.func(i) {
                    Some(f) => Heap::Func(f),
                    None => Heap::Abstract(HeapType::Func),
                };
                Ty::of_ref(nullable, heap)
            }
            ValType::Ref(crate::RefType { nullable, heap }) => Ty::of_ref(nullable, Heap::Abstract(heap)),
            t => Ty::Val(t),
        }
    }

    /// A function type outside the table, whose references are resolved
    /// at the top level (a function's type, with `SELF_TYPE` replaced).
    pub(crate) fn func_type(&mut self, f: &FuncType) -> FunctionType {
        FunctionType {
            params: f.params.iter().map(|t| self.ty(*t)).collect(),
            results: f.results.iter().map(|t| self.ty(*t)).collect(),
        }
    }

    /// Type `k` of the table; `None` when it is not there.
    fn func(&mut self, k: u32) -> Option<Arc<Sig>> {
        self.defs.get(k as usize)?;
        // Everything `k` names, transitively; then built from the lowest
        // up, so each finds the ones it names built (no recursion).
        let mut need = vec![k];
        let mut all = BTreeSet::new();
        while let Some(x) = need.pop() {
            if self.memo.contains_key(&x) || !all.insert(x) {
                continue;
            }
            need.extend(self.named(x).filter(|&y| y < x));
        }
        let (defs, subs) = (self.defs, self.subs);
        for x in all {
            let d = &defs[x as usize];
            let conv = |t: &ValType, memo: &HashMap<u32, Arc<Sig>>| match *t {
                ValType::Ref(crate::RefType { nullable, heap: HeapType::Concrete(y) }) => {
                    let heap = if let Some(h) = Self::data(subs, y) {
                        Heap::Abstract(h)
                    } else if y == x || y == SELF_TYPE {
                        Heap::SelfRef
                    } else {
                        match memo.get(&y) {
                            Some(f) if f.depth < MAX_NESTING => Heap::Func(f.clone()),
                            _ => Heap::Abstract(HeapType::Func),
                        }
                    };
                    Ty::of_ref(nullable, heap)
                }
                ValType::Ref(crate::RefType { nullable, heap }) => Ty::of_ref(nullable, Heap::Abstract(heap)),
                t => Ty::Val(t),
            };
            let f = FunctionType {
                params: d.params.iter().map(|t| conv(t, &self.memo)).collect(),
                results: d.results.iter().map(|t| conv(t, &self.memo)).collect(),
            };
            self.memo.insert(x, Sig::new(f));
        }
        self.memo.get(&k).cloned()
    }

    /// The types that type `x` names (only in-table ones).
    fn named(&self, x: u32) -> impl Iterator<Item = u32> + '_ {
        let d = self.defs.get(x as usize);
        let ts = d.into_iter().flat_map(|d| d.params.iter().chain(d.results.iter()));
        ts.filter_map(move |t| match *t {
            ValType::Ref(crate::RefType { heap: HeapType::Concrete(y), .. })
                if (y as usize) < self.defs.len() =>
            {
                Some(y)
            }
            _ => None,
        })
    }
}

/// How a value type of the store reads in messages.
pub(crate) fn store_label(s: &crate::Store, t: ValType) -> String {
    let mut out = String::new();
    write_ty(&mut out, &Resolver::new(&s.types, &s.defs).ty(t));
    out
}

/// A function's parameter and result types as the store checks them: its
/// references to its own type (`SELF_TYPE`) name its type id.
pub(crate) fn own_types(s: &crate::Store, func: crate::Func) -> (Box<[ValType]>, Box<[ValType]>) {
    let id = s.funcs[func.0 as usize].ty;
    let t = s.func_type(func);
    let own = |ts: &[ValType]| ts.iter().map(|t| crate::runtime::own_type(*t, id)).collect();
    (own(&t.params), own(&t.results))
}

/// The type of a function of the store, for Python.
pub(crate) fn store_func_type(s: &crate::Store, func: crate::Func) -> FunctionType {
    let (params, results) = own_types(s, func);
    Resolver::new(&s.types, &s.defs).func_type(&FuncType { params, results })
}
