//! `Type`, `Value` and the descriptors `FunctionType`, `GlobalType`,
//! `TableType`, `MemoryType`, `ExportType`, `ImportType`.

use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyFloat, PyInt, PyList};

use super::reftype::{Resolver, Ty};
use crate::{ExternType, Limits, RefType, ValType};

/// The members of the `Type` IntEnum, in order I32 (1) … FUNC_REF (7).
static TYPE_MEMBERS: PyOnceLock<(Py<PyAny>, Vec<Py<PyAny>>)> = PyOnceLock::new();

const TYPE_NAMES: [&str; 7] = ["I32", "I64", "F32", "F64", "V128", "EXTERN_REF", "FUNC_REF"];
const TYPES: [ValType; 7] =
    [ValType::I32, ValType::I64, ValType::F32, ValType::F64, ValType::V128, ValType::EXTERNREF, ValType::FUNCREF];

/// Creates `Type` as a real `enum.IntEnum`, as in wasmer.
pub(crate) fn type_enum(py: Python<'_>) -> PyResult<&Py<PyAny>> {
    let (ty, _) = TYPE_MEMBERS.get_or_try_init(py, || -> PyResult<_> {
        let members: Vec<(&str, usize)> = TYPE_NAMES.iter().enumerate().map(|(i, n)| (*n, i + 1)).collect();
        let kwargs = PyDict::new(py);
        kwargs.set_item("module", "wasmint")?;
        let ty = py.import("enum")?.getattr("IntEnum")?.call(("Type", members), Some(&kwargs))?;
        ty.setattr(
            "__doc__",
            "The WebAssembly value types, an IntEnum: I32 = 1, I64, F32, F64, V128, EXTERN_REF, FUNC_REF = 7.\n\n\
             ```py\n>>> from wasmint import Type\n>>> Type.I32 == 1 and Type.FUNC_REF == 7\nTrue\n```\n",
        )?;
        let list = (1..=7).map(|i| ty.call1((i,)).map(Bound::unbind)).collect::<PyResult<Vec<_>>>()?;
        Ok((ty.unbind(), list))
    })?;
    Ok(ty)
}

/// The position in `TYPES` of a value type; other reference types count
/// as the kind they are (FUNC_REF or EXTERN_REF).
fn type_index(t: ValType) -> usize {
    match t {
        ValType::Ref(r) if r.heap.is_func() => 6,
        ValType::Ref(_) => 5,
        t => TYPES.iter().position(|x| *x == t).unwrap_or(0),
    }
}

/// The `Type` member for a value type (see [`type_index`]; `Ty::to_py`
/// tells the other reference types apart).
pub(crate) fn type_to_py(py: Python<'_>, t: ValType) -> Py<PyAny> {
    let (_, members) = TYPE_MEMBERS.get(py).expect("Type is created when the module is initialised");
    members[type_index(t)].clone_ref(py)
}

/// A `Type` member (or the plain int) to a value type.
pub(crate) fn type_from_py(obj: &Bound<'_, PyAny>) -> PyResult<ValType> {
    let i: i64 =
        obj.extract().map_err(|_| PyTypeError::new_err(format!("expected a wasmint.Type, got {}", type_name(obj))))?;
    match i {
        1..=7 => Ok(TYPES[i as usize - 1]),
        _ => Err(PyValueError::new_err(format!("{i} is not a valid wasmint.Type"))),
    }
}

fn types_from_py(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Ty>> {
    obj.try_iter()?.map(|t| Ty::from_py(&t?)).collect()
}

fn types_to_list<'py>(py: Python<'py>, ts: &[Ty]) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, ts.iter().map(|t| t.to_py(py)).collect::<PyResult<Vec<_>>>()?)
}

/// How wasmer-python 1.1 prints a type inside a descriptor's `str`: the
/// `{:?}` of its Rust enum (`FuncRef`, not the Python member `FUNC_REF`).
pub(crate) fn type_label(t: ValType) -> &'static str {
    ["I32", "I64", "F32", "F64", "V128", "ExternRef", "FuncRef"][type_index(t)]
}

/// An optional bound as Rust's `{:?}` prints it, as wasmer's descriptors do
/// (`Some(3)`, `None`; their bools print `true`, `false`).
fn debug_opt(m: Option<u64>) -> String {
    m.map_or_else(|| "None".to_owned(), |m| format!("Some({m})"))
}

pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
}

/// The signature of a function: parameter and result types.
///
/// ```py
/// >>> from wasmint import FunctionType, Type
/// >>> function_type = FunctionType(params=[Type.I32, Type.I32], results=[Type.I32])
/// >>> function_type.params
/// [<Type.I32: 1>, <Type.I32: 1>]
/// >>> str(function_type)
/// 'FunctionType(params: [I32, I32], results: [I32])'
/// ```
///
/// Parameters and results may also be `RefType` (typed references).
#[pyclass(module = "wasmint", frozen, eq)]
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FunctionType {
    pub(crate) params: Vec<Ty>,
    pub(crate) results: Vec<Ty>,
}

#[pymethods]
impl FunctionType {
    #[new]
    #[pyo3(signature = (params, results))]
    fn new(params: &Bound<'_, PyAny>, results: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(FunctionType { params: types_from_py(params)?, results: types_from_py(results)? })
    }
    /// Parameter types, a list of `Type` (or `RefType`).
    ///
    /// ```py
    /// >>> from wasmint import FunctionType, Type
    /// >>> FunctionType([Type.I32, Type.F64], []).params
    /// [<Type.I32: 1>, <Type.F64: 4>]
    /// ```
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        types_to_list(py, &self.params)
    }
    /// Result types, a list of `Type` (or `RefType`).
    ///
    /// ```py
    /// >>> from wasmint import FunctionType, Type
    /// >>> FunctionType([], [Type.I64]).results
    /// [<Type.I64: 2>]
    /// ```
    #[getter]
    fn results<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        types_to_list(py, &self.results)
    }
    pub(crate) fn __str__(&self) -> String {
        let mut out = String::new();
        super::reftype::write_func(&mut out, self);
        out
    }
    fn __repr__(&self) -> String {
        self.__str__()
    }
}

/// The type of a global: value type and mutability.
///
/// ```py
/// >>> from wasmint import GlobalType, Type
/// >>> global_type = GlobalType(Type.I32, mutable=False)
/// >>> global_type.type, global_type.mutable
/// (<Type.I32: 1>, False)
/// >>> str(global_type)
/// 'GlobalType(type: I32, mutable: false)'
/// ```
#[pyclass(module = "wasmint", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct GlobalType {
    pub(crate) ty: Ty,
    pub(crate) mutable: bool,
}

#[pymethods]
impl GlobalType {
    #[new]
    #[pyo3(signature = (r#type, mutable = false))]
    fn new(r#type: &Bound<'_, PyAny>, mutable: bool) -> PyResult<Self> {
        Ok(GlobalType { ty: Ty::from_py(r#type)?, mutable })
    }
    /// The type of the value, a `Type` (or `RefType`).
    ///
    /// ```py
    /// >>> from wasmint import GlobalType, Type
    /// >>> GlobalType(Type.F32, mutable=True).type
    /// <Type.F32: 3>
    /// ```
    #[getter]
    fn r#type(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.ty.to_py(py)
    }
    /// Whether the value may change.
    ///
    /// ```py
    /// >>> from wasmint import GlobalType, Type
    /// >>> GlobalType(Type.I32, mutable=True).mutable, GlobalType(Type.I32, mutable=False).mutable
    /// (True, False)
    /// ```
    #[getter]
    fn mutable(&self) -> bool {
        self.mutable
    }
    pub(crate) fn __str__(&self) -> String {
        let mut ty = String::new();
        super::reftype::write_ty(&mut ty, &self.ty);
        format!("GlobalType(type: {ty}, mutable: {})", self.mutable)
    }
    fn __repr__(&self) -> String {
        self.__str__()
    }
}

/// The type of a table: element type, limits (in elements) and whether it
/// is a 64-bit table (memory64's table64: i64 indices and sizes), which
/// shows in `str` only when set.
///
/// ```py
/// >>> from wasmint import TableType, Type
/// >>> table_type = TableType(Type.FUNC_REF, minimum=7, maximum=42)
/// >>> table_type.minimum, table_type.maximum, table_type.is64
/// (7, 42, False)
/// >>> str(table_type)
/// 'TableType(type: FuncRef, minimum: 7, maximum: Some(42))'
/// >>> str(TableType(Type.EXTERN_REF, 1, 2**40, is64=True))
/// 'TableType(type: ExternRef, minimum: 1, maximum: Some(1099511627776), is64: true)'
/// ```
#[pyclass(module = "wasmint", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct TableType {
    pub(crate) ty: ValType,
    pub(crate) minimum: u64,
    pub(crate) maximum: Option<u64>,
    pub(crate) is64: bool,
}

#[pymethods]
impl TableType {
    #[new]
    #[pyo3(signature = (r#type, minimum, maximum = None, *, is64 = false))]
    fn new(r#type: &Bound<'_, PyAny>, minimum: u64, maximum: Option<u64>, is64: bool) -> PyResult<Self> {
        Ok(TableType { ty: type_from_py(r#type)?, minimum, maximum, is64 })
    }
    /// The element type, a `Type`.
    ///
    /// ```py
    /// >>> from wasmint import TableType, Type
    /// >>> TableType(Type.FUNC_REF, 1, None).type
    /// <Type.FUNC_REF: 7>
    /// ```
    #[getter]
    fn r#type(&self, py: Python<'_>) -> Py<PyAny> {
        type_to_py(py, self.ty)
    }
    /// Minimum number of elements.
    ///
    /// ```py
    /// >>> from wasmint import TableType, Type
    /// >>> TableType(Type.EXTERN_REF, 3, 10).minimum
    /// 3
    /// ```
    #[getter]
    fn minimum(&self) -> u64 {
        self.minimum
    }
    /// Maximum number of elements, or None (a 64-bit table's may pass
    /// 2^32).
    ///
    /// ```py
    /// >>> from wasmint import TableType, Type
    /// >>> TableType(Type.FUNC_REF, 1, 10).maximum, TableType(Type.FUNC_REF, 1, None).maximum
    /// (10, None)
    /// ```
    #[getter]
    fn maximum(&self) -> Option<u64> {
        self.maximum
    }
    /// Whether it is a 64-bit table (table64): indexed by i64.
    ///
    /// ```py
    /// >>> from wasmint import TableType, Type
    /// >>> TableType(Type.FUNC_REF, 1, None).is64
    /// False
    /// ```
    #[getter]
    fn is64(&self) -> bool {
        self.is64
    }
    pub(crate) fn __str__(&self) -> String {
        format!(
            "TableType(type: {}, minimum: {}, maximum: {}{})",
            type_label(self.ty),
            self.minimum,
            debug_opt(self.maximum),
            if self.is64 { ", is64: true" } else { "" }
        )
    }
    fn __repr__(&self) -> String {
        self.__str__()
    }
}

impl TableType {
    pub(crate) fn from_table(t: &crate::TableType) -> Self {
        TableType { ty: t.elem.into(), minimum: t.limits.min, maximum: t.limits.max, is64: t.is64 }
    }
    #[allow(dead_code)]
    pub(crate) fn to_table(&self) -> PyResult<crate::TableType> {
        let elem = match self.ty {
            ValType::FUNCREF => RefType::FUNCREF,
            ValType::EXTERNREF => RefType::EXTERNREF,
            _ => return Err(PyValueError::new_err("a table's element type must be FUNC_REF or EXTERN_REF")),
        };
        Ok(crate::TableType { elem, limits: Limits { min: self.minimum, max: self.maximum }, is64: self.is64 })
    }
}

/// The type of a memory: limits in pages, whether it is shared, whether it
/// is a 64-bit memory (memory64: i64 addresses) and its page size in bytes
/// (65536, or 1 with the custom-page-sizes proposal). The last two show in
/// `str` only when they differ from wasmer's 32-bit, 64 KiB-page memories.
///
/// ```py
/// >>> from wasmint import MemoryType
/// >>> memory_type = MemoryType(minimum=1, shared=True)
/// >>> memory_type.minimum, memory_type.maximum, memory_type.shared
/// (1, None, True)
/// >>> str(MemoryType(1, 2))
/// 'MemoryType(minimum: 1, maximum: Some(2), shared: false)'
/// >>> MemoryType(1, is64=True).is64, str(MemoryType(1, 2**40, is64=True, page_size=1))
/// (True, 'MemoryType(minimum: 1, maximum: Some(1099511627776), shared: false, is64: true, page_size: 1)')
/// ```
#[pyclass(module = "wasmint", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct MemoryType {
    pub(crate) minimum: u64,
    pub(crate) maximum: Option<u64>,
    pub(crate) shared: bool,
    pub(crate) is64: bool,
    pub(crate) page_log2: u32,
}

#[pymethods]
impl MemoryType {
    #[new]
    #[pyo3(signature = (minimum, maximum = None, shared = false, *, is64 = false, page_size = 65536))]
    fn new(minimum: u64, maximum: Option<u64>, shared: bool, is64: bool, page_size: u64) -> PyResult<Self> {
        let page_log2 = match page_size {
            65536 => 16,
            1 => 0,
            _ => return Err(PyValueError::new_err(format!("MemoryType: `page_size` must be 65536 or 1, not {page_size}"))),
        };
        Ok(MemoryType { minimum, maximum, shared, is64, page_log2 })
    }
    /// Minimum number of pages.
    ///
    /// ```py
    /// >>> from wasmint import MemoryType
    /// >>> MemoryType(2, 10).minimum
    /// 2
    /// ```
    #[getter]
    fn minimum(&self) -> u64 {
        self.minimum
    }
    /// Maximum number of pages, or None.
    ///
    /// ```py
    /// >>> from wasmint import MemoryType
    /// >>> MemoryType(2, 10).maximum, MemoryType(2).maximum
    /// (10, None)
    /// ```
    #[getter]
    fn maximum(&self) -> Option<u64> {
        self.maximum
    }
    /// Whether the memory may be shared between threads (always False for
    /// memories of a module: threads are not supported).
    ///
    /// ```py
    /// >>> from wasmint import MemoryType
    /// >>> MemoryType(1).shared
    /// False
    /// ```
    #[getter]
    fn shared(&self) -> bool {
        self.shared
    }
    /// Whether it is a 64-bit memory (memory64): addressed by i64.
    ///
    /// ```py
    /// >>> from wasmint import MemoryType
    /// >>> MemoryType(1).is64, MemoryType(1, is64=True).is64
    /// (False, True)
    /// ```
    #[getter]
    fn is64(&self) -> bool {
        self.is64
    }
    /// The size of a page in bytes: 65536, or 1 (custom page sizes).
    ///
    /// ```py
    /// >>> from wasmint import MemoryType
    /// >>> MemoryType(1).page_size, MemoryType(1, page_size=1).page_size
    /// (65536, 1)
    /// ```
    #[getter]
    fn page_size(&self) -> u64 {
        1 << self.page_log2
    }
    pub(crate) fn __str__(&self) -> String {
        let mut s = format!(
            "MemoryType(minimum: {}, maximum: {}, shared: {}",
            self.minimum,
            debug_opt(self.maximum),
            self.shared
        );
        // wasmint's extensions, shown only when not wasmer's defaults.
        if self.is64 {
            s.push_str(", is64: true");
        }
        if self.page_log2 != 16 {
            s.push_str(&format!(", page_size: {}", 1u64 << self.page_log2));
        }
        s + ")"
    }
    fn __repr__(&self) -> String {
        self.__str__()
    }
}

impl MemoryType {
    pub(crate) fn from_mem(t: &crate::MemType) -> Self {
        MemoryType {
            minimum: t.limits.min,
            maximum: t.limits.max,
            shared: false,
            is64: t.is64,
            page_log2: t.page_log2,
        }
    }
    pub(crate) fn to_mem(&self) -> crate::MemType {
        crate::MemType {
            limits: Limits { min: self.minimum, max: self.maximum },
            is64: self.is64,
            page_log2: self.page_log2,
        }
    }
}

/// The Python descriptor object for an external type.
///
/// `defs` are the types its concrete heap types index (a module's), `subs`
/// their forms (empty when all are function types).
pub(crate) fn extern_type_to_py(
    py: Python<'_>,
    t: &ExternType,
    defs: &[crate::FuncType],
    subs: &[crate::syntax::SubType],
) -> PyResult<Py<PyAny>> {
    let mut r = Resolver::new(defs, subs);
    Ok(match t {
        ExternType::Func(f) => Py::new(py, r.func_type(f))?.into_any(),
        ExternType::Global(g) => Py::new(py, GlobalType { ty: r.ty(g.val), mutable: g.mutable })?.into_any(),
        ExternType::Table(t) => Py::new(py, TableType::from_table(t))?.into_any(),
        ExternType::Memory(m) => Py::new(py, MemoryType::from_mem(m))?.into_any(),
        // A tag's type: its payload's types are the parameters.
        ExternType::Tag(f) => Py::new(py, r.func_type(f))?.into_any(),
    })
}

/// The type of an export of a module (see `Module.exports`).
///
/// ```py
/// >>> from wasmint import Store, Module
/// >>> export = Module(Store(), '(module (memory (export "mem") 1))').exports[0]
/// >>> export.name, str(export.type)
/// ('mem', 'MemoryType(minimum: 1, maximum: None, shared: false)')
/// ```
#[pyclass(module = "wasmint", frozen)]
pub struct ExportType {
    /// The name of the export.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module
    /// >>> Module(Store(), '(module (func (export "run")))').exports[0].name
    /// 'run'
    /// ```
    #[pyo3(get)]
    name: String,
    /// A `FunctionType`, `GlobalType`, `TableType` or `MemoryType`.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, GlobalType
    /// >>> isinstance(Module(Store(), '(module (global (export "g") i32 (i32.const 0)))').exports[0].type, GlobalType)
    /// True
    /// ```
    #[pyo3(get)]
    r#type: Py<PyAny>,
}

impl ExportType {
    pub(crate) fn new(name: String, r#type: Py<PyAny>) -> Self {
        ExportType { name, r#type }
    }
}

#[pymethods]
impl ExportType {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("ExportType(name: {:?}, type: {})", self.name, self.r#type.bind(py).str()?))
    }
}

/// The type of an import of a module (see `Module.imports`).
///
/// ```py
/// >>> from wasmint import Store, Module
/// >>> import_ = Module(Store(), '(module (import "ns" "f" (func)))').imports[0]
/// >>> import_.module, import_.name, str(import_.type)
/// ('ns', 'f', 'FunctionType(params: [], results: [])')
/// ```
#[pyclass(module = "wasmint", frozen)]
pub struct ImportType {
    /// The namespace (module name) of the import.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module
    /// >>> Module(Store(), '(module (import "env" "f" (func)))').imports[0].module
    /// 'env'
    /// ```
    #[pyo3(get)]
    module: String,
    /// The name of the import.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module
    /// >>> Module(Store(), '(module (import "env" "f" (func)))').imports[0].name
    /// 'f'
    /// ```
    #[pyo3(get)]
    name: String,
    /// A `FunctionType`, `GlobalType`, `TableType` or `MemoryType`.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, MemoryType
    /// >>> isinstance(Module(Store(), '(module (import "env" "m" (memory 1)))').imports[0].type, MemoryType)
    /// True
    /// ```
    #[pyo3(get)]
    r#type: Py<PyAny>,
}

impl ImportType {
    pub(crate) fn new(module: String, name: String, r#type: Py<PyAny>) -> Self {
        ImportType { module, name, r#type }
    }
}

#[pymethods]
impl ImportType {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "ImportType(module: {:?}, name: {:?}, type: {})",
            self.module,
            self.name,
            self.r#type.bind(py).str()?
        ))
    }
}

/// A WebAssembly value of an explicit type, for when the type cannot be
/// inferred (e.g. `Global(store, Value.i64(1))`).
///
/// ```py
/// >>> from wasmint import Value, Type
/// >>> Value.i32(42)
/// I32(42)
/// >>> Value.f32(4.2)
/// F32(4.2)
/// >>> Value.i64(-1).value, Value.f64(0.5).type
/// (-1, <Type.F64: 4>)
/// ```
#[pyclass(module = "wasmint", frozen)]
pub struct Value {
    pub(crate) v: crate::Value,
}

fn int_in(obj: &Bound<'_, PyAny>, min: i128, max: i128, what: &str) -> PyResult<i128> {
    if !obj.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!("expected an int for {what}, got {}", type_name(obj))));
    }
    let v: i128 = obj.extract().map_err(|_| PyOverflowError::new_err(format!("integer does not fit in {what}")))?;
    if v < min || v > max {
        return Err(PyOverflowError::new_err(format!("{v} does not fit in {what}")));
    }
    Ok(v)
}

fn float_of(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<f64> {
    if obj.is_instance_of::<PyFloat>() || obj.is_instance_of::<PyInt>() {
        obj.extract::<f64>()
    } else {
        Err(PyTypeError::new_err(format!("expected a float for {what}, got {}", type_name(obj))))
    }
}

#[pymethods]
impl Value {
    /// An i32 value (from -2**31 to 2**32 - 1; the upper half wraps).
    ///
    /// ```py
    /// >>> from wasmint import Value
    /// >>> Value.i32(2**32 - 1)
    /// I32(-1)
    /// ```
    #[staticmethod]
    fn i32(value: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Value { v: crate::Value::I32(int_in(value, i32::MIN as i128, u32::MAX as i128, "i32")? as u32 as i32) })
    }
    /// An i64 value (from -2**63 to 2**64 - 1; the upper half wraps).
    ///
    /// ```py
    /// >>> from wasmint import Value
    /// >>> Value.i64(42)
    /// I64(42)
    /// ```
    #[staticmethod]
    fn i64(value: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Value { v: crate::Value::I64(int_in(value, i64::MIN as i128, u64::MAX as i128, "i64")? as u64 as i64) })
    }
    /// An f32 value (rounded from a Python float).
    ///
    /// ```py
    /// >>> from wasmint import Value
    /// >>> Value.f32(4.2)
    /// F32(4.2)
    /// ```
    #[staticmethod]
    fn f32(value: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Value { v: crate::Value::F32(float_of(value, "f32")? as f32) })
    }
    /// An f64 value.
    ///
    /// ```py
    /// >>> from wasmint import Value
    /// >>> Value.f64(4.2)
    /// F64(4.2)
    /// ```
    #[staticmethod]
    fn f64(value: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Value { v: crate::Value::F64(float_of(value, "f64")?) })
    }
    /// A v128 value, from an int of 128 bits (negative ones wrap).
    ///
    /// ```py
    /// >>> from wasmint import Value
    /// >>> Value.v128(42)
    /// V128(42)
    /// ```
    #[staticmethod]
    fn v128(value: &Bound<'_, PyAny>) -> PyResult<Self> {
        if !value.is_instance_of::<PyInt>() {
            return Err(PyTypeError::new_err(format!("expected an int for v128, got {}", type_name(value))));
        }
        let v = match value.extract::<u128>() {
            Ok(v) => v,
            Err(_) => {
                value.extract::<i128>().map_err(|_| PyOverflowError::new_err("integer does not fit in v128"))? as u128
            }
        };
        Ok(Value { v: crate::Value::V128(v) })
    }
    /// The Python value: an int or a float (None for a null reference).
    ///
    /// ```py
    /// >>> from wasmint import Value
    /// >>> Value.i64(-5).value, Value.f32(0.5).value
    /// (-5, 0.5)
    /// ```
    #[getter]
    fn value(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(match self.v {
            crate::Value::I32(x) => x.into_pyobject(py)?.into_any().unbind(),
            crate::Value::I64(x) => x.into_pyobject(py)?.into_any().unbind(),
            crate::Value::F32(x) => (x as f64).into_pyobject(py)?.into_any().unbind(),
            crate::Value::F64(x) => x.into_pyobject(py)?.into_any().unbind(),
            crate::Value::V128(x) => x.into_pyobject(py)?.into_any().unbind(),
            crate::Value::FuncRef(_) | crate::Value::ExternRef(_) | crate::Value::ExnRef(_) | crate::Value::AnyRef(_) => py.None(),
        })
    }
    /// The type, a `Type`.
    ///
    /// ```py
    /// >>> from wasmint import Value
    /// >>> Value.f64(1.0).type
    /// <Type.F64: 4>
    /// ```
    #[getter]
    fn r#type(&self, py: Python<'_>) -> Py<PyAny> {
        type_to_py(py, self.v.ty())
    }
    fn __repr__(&self) -> String {
        match self.v {
            crate::Value::I32(x) => format!("I32({x})"),
            crate::Value::I64(x) => format!("I64({x})"),
            crate::Value::F32(x) => format!("F32({x:?})"),
            crate::Value::F64(x) => format!("F64({x:?})"),
            crate::Value::V128(x) => format!("V128({x})"),
            crate::Value::FuncRef(_) => "FuncRef".to_owned(),
            crate::Value::ExternRef(_) => "ExternRef".to_owned(),
            crate::Value::ExnRef(_) => "ExnRef".to_owned(),
            crate::Value::AnyRef(None) => "AnyRef".to_owned(),
            crate::Value::AnyRef(Some(a)) => match (a.i31(), a.host(), a.is_struct()) {
                (Some(v), _, _) => format!("AnyRef(i31 {v})"),
                (_, Some(_), _) => "AnyRef(host)".to_owned(),
                (_, _, Some(true)) => "AnyRef(struct)".to_owned(),
                (_, _, Some(false)) => "AnyRef(array)".to_owned(),
                _ => "AnyRef".to_owned(),
            },
        }
    }
    pub(crate) fn __str__(&self) -> String {
        self.__repr__()
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<Value>() {
            Ok(o) => {
                let (a, b) = (self.v, o.get().v);
                match (a, b) {
                    // Bitwise, so that NaN payloads and signed zeros count.
                    (crate::Value::F32(x), crate::Value::F32(y)) => x.to_bits() == y.to_bits(),
                    (crate::Value::F64(x), crate::Value::F64(y)) => x.to_bits() == y.to_bits(),
                    // The same reference, whatever was known of its kind.
                    (crate::Value::AnyRef(x), crate::Value::AnyRef(y)) => x.map(|r| r.bits) == y.map(|r| r.bits),
                    _ => a == b,
                }
            }
            Err(_) => false,
        }
    }
}

/// Converts a Python argument to a wasm value of type `ty`: an int for
/// i32/i64 (signed or unsigned range), an int or float for f32/f64, a
/// `Value` of the same type for any type, None for a null reference, a
/// `Function` of the same store for a funcref, any object for an externref
/// (an `AnyRef` made external stays that reference). The GC types are in
/// [`typed_ref`]: an `AnyRef` of the same store, any object for an anyref
/// (a host reference made internal), an int for an i31ref.
#[inline]
pub(crate) fn to_value(obj: &Bound<'_, PyAny>, ty: ValType, store: &super::store::Store) -> PyResult<crate::Value> {
    if let ValType::Ref(r) = ty {
        if r.heap.is_exn() {
            let v = super::exception::exn_value(obj, store)?;
            if v == crate::Value::ExnRef(None) && !r.nullable {
                return Err(PyTypeError::new_err("expected a non-null exception reference, got None"));
            }
            return Ok(v);
        }
        if r != RefType::FUNCREF && r != RefType::EXTERNREF {
            return typed_ref(obj, r, store);
        }
    }
    // The fast path: Python ints and floats.
    if let Ok(i) = obj.cast::<PyInt>() {
        match ty {
            ValType::I32 => {
                return match i.extract::<i64>() {
                    Ok(v) if v >= i32::MIN as i64 && v <= u32::MAX as i64 => Ok(crate::Value::I32(v as u32 as i32)),
                    _ => Err(PyOverflowError::new_err(format!("{i} does not fit in i32"))),
                }
            }
            ValType::I64 => {
                return match i.extract::<i64>() {
                    Ok(v) => Ok(crate::Value::I64(v)),
                    Err(_) => match i.extract::<u64>() {
                        Ok(v) => Ok(crate::Value::I64(v as i64)),
                        Err(_) => Err(PyOverflowError::new_err(format!("{i} does not fit in i64"))),
                    },
                }
            }
            ValType::F32 => return Ok(crate::Value::F32(i.extract::<f64>()? as f32)),
            ValType::F64 => return Ok(crate::Value::F64(i.extract::<f64>()?)),
            ValType::V128 => return Value::v128(obj).map(|v| v.v),
            ValType::EXTERNREF => return Ok(crate::Value::ExternRef(Some(store.cell.extern_ref(obj)?))),
            _ => {}
        }
    } else if let Ok(f) = obj.cast::<PyFloat>() {
        match ty {
            ValType::F32 => return Ok(crate::Value::F32(f.value() as f32)),
            ValType::F64 => return Ok(crate::Value::F64(f.value())),
            ValType::EXTERNREF => return Ok(crate::Value::ExternRef(Some(store.cell.extern_ref(obj)?))),
            _ => {}
        }
    } else if let Ok(v) = obj.cast::<Value>() {
        let v = v.get().v;
        if v.ty() == ty {
            return Ok(v);
        }
        return Err(PyTypeError::new_err(format!("expected a value of type {ty}, got {}", Value { v }.__repr__())));
    } else if obj.is_none() {
        match ty {
            ValType::FUNCREF => return Ok(crate::Value::FuncRef(None)),
            ValType::EXTERNREF => return Ok(crate::Value::ExternRef(None)),
            _ => {}
        }
    } else if let Ok(a) = obj.cast::<super::anyref::AnyRef>() {
        // A GC reference made external (`extern.convert_any`) goes back
        // as the same reference.
        if ty == ValType::EXTERNREF {
            return a.get().value_in(store);
        }
    } else if ty == ValType::EXTERNREF {
        // Any other Python object can be an externref.
        return Ok(crate::Value::ExternRef(Some(store.cell.extern_ref(obj)?)));
    } else if let Ok(f) = obj.cast::<super::function::Function>() {
        if ty == ValType::FUNCREF {
            let f = f.get();
            if !std::ptr::eq(f.store.get(), store) {
                return Err(PyValueError::new_err("the function belongs to another store"));
            }
            return Ok(crate::Value::FuncRef(Some(f.func)));
        }
    }
    Err(PyTypeError::new_err(format!("expected a value of type {ty}, got {}", type_name(obj))))
}

/// [`to_value`] for the reference types of 3.0: the value is checked
/// against the type (a function against the signature it must have).
fn typed_ref(obj: &Bound<'_, PyAny>, r: RefType, store: &super::store::Store) -> PyResult<crate::Value> {
    let py = obj.py();
    let label = || store.cell.with(py, |s| super::reftype::store_label(s, ValType::Ref(r)));
    let top = store.cell.with(py, |s| r.heap.top(s))?;
    let v = if obj.is_none() {
        if !r.nullable {
            return Err(PyTypeError::new_err(format!("expected a non-null reference of type {}, got None", label()?)));
        }
        match top {
            crate::syntax::HeapType::Func => crate::Value::FuncRef(None),
            crate::syntax::HeapType::Any => crate::Value::AnyRef(None),
            _ => crate::Value::ExternRef(None),
        }
    } else if let Ok(v) = obj.cast::<Value>() {
        v.get().v
    } else if let Ok(a) = obj.cast::<super::anyref::AnyRef>() {
        a.get().value_in(store)?
    } else if r.heap == crate::syntax::HeapType::I31 && obj.is_instance_of::<PyInt>() {
        // An int for an `i31ref`: its low 31 bits, as `ref.i31` takes them.
        let v = int_in(obj, -(1 << 30), (1 << 31) - 1, "i31")?;
        crate::Value::AnyRef(Some(crate::runtime::AnyRef::new(crate::runtime::gc::i31_ref(v as u32))))
    } else if r.heap == crate::syntax::HeapType::Any && !obj.is_instance_of::<super::function::Function>() {
        // Any other Python object is a host reference made internal, as
        // `any.convert_extern` makes one: its externref token + 1.
        let token = store.cell.extern_ref(obj)?;
        crate::Value::AnyRef(Some(crate::runtime::AnyRef::new(u64::from(token) + 1)))
    } else if let Ok(f) = obj.cast::<super::function::Function>() {
        let f = f.get();
        if !std::ptr::eq(f.store.get(), store) {
            return Err(PyValueError::new_err("the function belongs to another store"));
        }
        crate::Value::FuncRef(Some(f.func))
    } else if r.heap == crate::syntax::HeapType::Extern {
        crate::Value::ExternRef(Some(store.cell.extern_ref(obj)?))
    } else {
        return Err(PyTypeError::new_err(format!("expected a value of type {}, got {}", label()?, type_name(obj))));
    };
    if !store.cell.with(py, |s| s.value_matches(v, ValType::Ref(r)))? {
        let got = match v {
            crate::Value::FuncRef(Some(f)) => {
                let own = store.cell.with(py, |s| super::reftype::store_func_type(s, f))?.__str__();
                format!("a function of type {own}")
            }
            v if obj.is_instance_of::<Value>() => Value { v }.__repr__(),
            _ => obj.repr()?.to_string(),
        };
        return Err(PyTypeError::new_err(format!("expected a value of type {}, got {got}", label()?)));
    }
    Ok(v)
}

/// Converts a wasm value to Python: int, float, `Function`, the object of
/// an externref, a `WasmException` for an exnref, an `AnyRef` for a GC
/// reference (a host object made internal is that object again), or None.
#[inline]
pub(crate) fn from_value(py: Python<'_>, v: crate::Value, store: &Py<super::store::Store>) -> PyResult<Py<PyAny>> {
    Ok(match v {
        crate::Value::I32(x) => x.into_pyobject(py)?.into_any().unbind(),
        crate::Value::I64(x) => x.into_pyobject(py)?.into_any().unbind(),
        crate::Value::F32(x) => PyFloat::new(py, x as f64).into_any().unbind(),
        crate::Value::F64(x) => PyFloat::new(py, x).into_any().unbind(),
        crate::Value::V128(x) => x.into_pyobject(py)?.into_any().unbind(),
        crate::Value::FuncRef(Some(f)) => super::function::Function::wrap(py, store, f)?.into_any(),
        crate::Value::ExternRef(Some(token)) => store.get().cell.extern_obj(py, token),
        crate::Value::ExnRef(Some(x)) => super::exception::exception_object(py, store, x)?.into_any().unbind(),
        crate::Value::AnyRef(Some(a)) => match a.host() {
            // A host object made internal (`any.convert_extern`): itself.
            Some(token) => store.get().cell.extern_obj(py, token),
            None => super::anyref::AnyRef::wrap(py, store, a.bits)?.into_any(),
        },
        crate::Value::FuncRef(None) | crate::Value::ExternRef(None) | crate::Value::ExnRef(None) | crate::Value::AnyRef(None) => py.None(),
    })
}
