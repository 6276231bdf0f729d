//! `Memory`, `Buffer` and the typed views `Uint8Array` … `Float64Array`.
//!
//! # Memory safety across `grow`
//!
//! A `Buffer` hands Python a raw pointer into the memory (buffer protocol,
//! zero-copy). The runtime reserves each memory's whole address range up
//! front (its maximum, or 4 GiB) and only commits pages as it grows, so a
//! memory never moves: a pointer taken before `memory.grow` (from Python or
//! from inside wasm) stays valid, and the bytes it covers stay mapped until
//! the store is freed, which cannot happen while a buffer is exported (the
//! `Buffer` keeps the `Store` alive). A `memoryview` keeps the length it
//! had when taken; take a new one to see grown memory.
//!
//! The typed views hold no pointer: each access goes through the store with
//! a bounds check against the current size, so they always see the current
//! size and can never reach freed memory.

use std::os::raw::c_int;

use pyo3::exceptions::{PyIndexError, PyOverflowError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyFloat, PyInt, PyList, PySlice, PyTuple};
use pyo3::{PyTraverseError, PyVisit};

use super::store::Store;
use super::types::{type_name, MemoryType};

/// A linear memory: a vector of bytes in 64 KiB pages, shared by the host
/// and WebAssembly.
///
/// ```py
/// >>> from wasmint import Store, Memory, MemoryType
/// >>> memory = Memory(Store(), MemoryType(minimum=3))
/// >>> memory.size, memory.data_size
/// (3, 196608)
/// >>> memory.grow(2)
/// 3
/// >>> memory.size
/// 5
/// ```
#[pyclass(module = "wasmint", frozen)]
pub struct Memory {
    pub(crate) store: Py<Store>,
    pub(crate) memory: crate::Memory,
    pub(crate) _held: super::store::Held,
}

impl Memory {
    pub(crate) fn wrap(py: Python<'_>, store: &Py<Store>, memory: crate::Memory) -> Memory {
        let _held = super::store::Held::new(py, store, crate::Extern::Memory(memory));
        Memory { store: store.clone_ref(py), memory, _held }
    }
}

fn data_len(py: Python<'_>, store: &Py<Store>, mem: crate::Memory) -> PyResult<usize> {
    store.get().cell.with(py, |s| s.memory_data(mem).len())
}

#[pymethods]
impl Memory {
    #[new]
    fn new(py: Python<'_>, store: &Bound<'_, Store>, memory_type: &Bound<'_, MemoryType>) -> PyResult<Self> {
        let t = memory_type.get();
        if t.shared {
            return Err(PyValueError::new_err("Memory: shared memories are not supported"));
        }
        let ty = t.to_mem();
        store.get().cell.maybe_collect(py);
        let memory = store
            .get()
            .cell
            .with(py, |s| s.memory_new(ty))?
            .map_err(|e| match e {
                // Over a limit of the store (`Store(max_memory_bytes=...)`).
                crate::Error::Link(m) => super::LinkError::new_err(format!("Memory: {m}")),
                e => PyValueError::new_err(format!("Memory: {e}")),
            })?;
        Ok(Memory::wrap(py, &store.clone().unbind(), memory))
    }

    /// Grows the memory by `number_of_pages` pages (of its page size, 64
    /// KiB by default) and returns its previous size in pages; raises
    /// RuntimeError, with wasmer's text, if that would pass the maximum (or
    /// the 4 GiB a memory holds here).
    ///
    /// ```py
    /// >>> from wasmint import Store, Memory, MemoryType
    /// >>> memory = Memory(Store(), MemoryType(minimum=1, maximum=2))
    /// >>> memory.grow(1)
    /// 1
    /// >>> memory.grow(1)
    /// Traceback (most recent call last):
    ///   ...
    /// RuntimeError: The memory could not grow: current size 2 pages, requested increase: 1 pages
    /// ```
    fn grow(&self, py: Python<'_>, number_of_pages: u64) -> PyResult<u32> {
        let (old, size) = self.store.get().cell.with(py, |s| {
            (
                // More than 2^32 pages never fit: refuse as a failed grow.
                u32::try_from(number_of_pages).ok().and_then(|n| s.memory_grow(self.memory, n)),
                s.memory_size(self.memory),
            )
        })?;
        // wasmer's `MemoryError::CouldNotGrow`, as wasmer-python 1.1 raised it.
        old.ok_or_else(|| {
            PyRuntimeError::new_err(format!(
                "The memory could not grow: current size {size} pages, requested increase: {number_of_pages} pages"
            ))
        })
    }

    /// The size in pages (of 64 KiB, or of its `type.page_size`).
    ///
    /// ```py
    /// >>> from wasmint import Store, Memory, MemoryType
    /// >>> Memory(Store(), MemoryType(3)).size
    /// 3
    /// ```
    #[getter]
    fn size(&self, py: Python<'_>) -> PyResult<u32> {
        self.store.get().cell.with(py, |s| s.memory_size(self.memory))
    }

    /// The size in bytes.
    ///
    /// ```py
    /// >>> from wasmint import Store, Memory, MemoryType
    /// >>> Memory(Store(), MemoryType(2)).data_size
    /// 131072
    /// ```
    #[getter]
    fn data_size(&self, py: Python<'_>) -> PyResult<usize> {
        data_len(py, &self.store, self.memory)
    }

    /// The type, a `MemoryType` (its minimum is the current size).
    ///
    /// ```py
    /// >>> from wasmint import Store, Memory, MemoryType
    /// >>> memory = Memory(Store(), MemoryType(1, 4))
    /// >>> _ = memory.grow(1)
    /// >>> memory.type.minimum, memory.type.maximum
    /// (2, 4)
    /// ```
    #[getter]
    fn r#type(&self, py: Python<'_>) -> PyResult<MemoryType> {
        Ok(MemoryType::from_mem(&self.store.get().cell.with(py, |s| s.memory_type(self.memory))?))
    }

    /// A `Buffer` over the whole memory, for `memoryview`, `bytearray`,
    /// `bytes`: zero-copy and writable.
    ///
    /// ```py
    /// >>> from wasmint import Store, Memory, MemoryType
    /// >>> memory = Memory(Store(), MemoryType(minimum=1))
    /// >>> view = memoryview(memory.buffer)
    /// >>> view[0:5] = b'hello'
    /// >>> bytes(memory.uint8_view()[0:5])
    /// b'hello'
    /// ```
    #[getter]
    fn buffer(&self, py: Python<'_>) -> Buffer {
        Buffer { store: self.store.clone_ref(py), memory: self.memory, _held: super::store::Held::new(py, &self.store, crate::Extern::Memory(self.memory)) }
    }

    /// A `Uint8Array` view starting at byte `offset`.
    ///
    /// ```py
    /// >>> from wasmint import Store, Memory, MemoryType, Uint8Array
    /// >>> memory = Memory(Store(), MemoryType(minimum=3))
    /// >>> isinstance(memory.uint8_view(offset=42), Uint8Array)
    /// True
    /// ```
    #[pyo3(signature = (offset = 0))]
    fn uint8_view(&self, py: Python<'_>, offset: usize) -> Uint8Array {
        Uint8Array(View::new(py, self, offset))
    }
    /// An `Int8Array` view starting at byte `offset`.
    ///
    /// ```py
    /// >>> from wasmint import Store, Memory, MemoryType, Int8Array
    /// >>> view = Memory(Store(), MemoryType(minimum=1)).int8_view(offset=8)
    /// >>> isinstance(view, Int8Array), view.offset
    /// (True, 8)
    /// ```
    #[pyo3(signature = (offset = 0))]
    fn int8_view(&self, py: Python<'_>, offset: usize) -> Int8Array {
        Int8Array(View::new(py, self, offset))
    }
    /// A `Uint16Array` view starting at byte `offset`.
    ///
    /// ```py
    /// >>> from wasmint import Store, Memory, MemoryType, Uint16Array
    /// >>> view = Memory(Store(), MemoryType(minimum=1)).uint16_view(offset=8)
    /// >>> isinstance(view, Uint16Array), view.offset
    /// (True, 8)
    /// ```
    #[pyo3(signature = (offset = 0))]
    fn uint16_view(&self, py: Python<'_>, offset: usize) -> Uint16Array {
        Uint16Array(View::new(py, self, offset))
    }
    /// An `Int16Array` view starting at byte `offset`.
    ///
    /// ```py
    /// >>> from wasmint import Store, Memory, MemoryType, Int16Array
    /// >>> view = Memory(Store(), MemoryType(minimum=1)).int16_view(offset=8)
    /// >>> isinstance(view, Int16Array), view.offset
    /// (True, 8)
    /// ```
    #[pyo3(signature = (offset = 0))]
    fn int16_view(&self, py: Python<'_>, offset: usize) -> Int16Array {
        Int16Array(View::new(py, self, offset))
    }
    /// A `Uint32Array` view starting at byte `offset`.
    ///
    /// ```py
    /// >>> from wasmint import Store, Memory, MemoryType, Uint32Array
    /// >>> view = Memory(Store(), MemoryType(minimum=1)).uint32_view(offset=8)
    /// >>> isinstance(view, Uint32Array), view.offset
    /// (True, 8)
    /// ```
    #[pyo3(signature = (offset = 0))]
    fn uint32_view(&self, py: Python<'_>, offset: usize) -> Uint32Array {
        Uint32Array(View::new(py, self, offset))
    }
    /// An `Int32Array` view starting at byte `offset`.
    ///
    /// ```py
    /// >>> from wasmint import Store, Memory, MemoryType, Int32Array
    /// >>> view = Memory(Store(), MemoryType(minimum=1)).int32_view(offset=8)
    /// >>> isinstance(view, Int32Array), view.offset
    /// (True, 8)
    /// ```
    #[pyo3(signature = (offset = 0))]
    fn int32_view(&self, py: Python<'_>, offset: usize) -> Int32Array {
        Int32Array(View::new(py, self, offset))
    }
    /// A `Uint64Array` view starting at byte `offset`.
    ///
    /// ```py
    /// >>> from wasmint import Store, Memory, MemoryType, Uint64Array
    /// >>> view = Memory(Store(), MemoryType(minimum=1)).uint64_view(offset=8)
    /// >>> isinstance(view, Uint64Array), view.offset
    /// (True, 8)
    /// ```
    #[pyo3(signature = (offset = 0))]
    fn uint64_view(&self, py: Python<'_>, offset: usize) -> Uint64Array {
        Uint64Array(View::new(py, self, offset))
    }
    /// An `Int64Array` view starting at byte `offset`.
    ///
    /// ```py
    /// >>> from wasmint import Store, Memory, MemoryType, Int64Array
    /// >>> view = Memory(Store(), MemoryType(minimum=1)).int64_view(offset=8)
    /// >>> isinstance(view, Int64Array), view.offset
    /// (True, 8)
    /// ```
    #[pyo3(signature = (offset = 0))]
    fn int64_view(&self, py: Python<'_>, offset: usize) -> Int64Array {
        Int64Array(View::new(py, self, offset))
    }
    /// A `Float32Array` view starting at byte `offset`.
    ///
    /// ```py
    /// >>> from wasmint import Store, Memory, MemoryType, Float32Array
    /// >>> view = Memory(Store(), MemoryType(minimum=1)).float32_view(offset=8)
    /// >>> isinstance(view, Float32Array), view.offset
    /// (True, 8)
    /// ```
    #[pyo3(signature = (offset = 0))]
    fn float32_view(&self, py: Python<'_>, offset: usize) -> Float32Array {
        Float32Array(View::new(py, self, offset))
    }
    /// A `Float64Array` view starting at byte `offset`.
    ///
    /// ```py
    /// >>> from wasmint import Store, Memory, MemoryType, Float64Array
    /// >>> view = Memory(Store(), MemoryType(minimum=1)).float64_view(offset=8)
    /// >>> isinstance(view, Float64Array), view.offset
    /// (True, 8)
    /// ```
    #[pyo3(signature = (offset = 0))]
    fn float64_view(&self, py: Python<'_>, offset: usize) -> Float64Array {
        Float64Array(View::new(py, self, offset))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("<wasmint.Memory {}>", self.r#type(py)?.__str__()))
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.store)?;
        self._held.visit(&visit)
    }
}

/// The bytes of a memory through the Python buffer protocol: use it with
/// `memoryview`, `bytearray`, `bytes`. Zero-copy and writable. A
/// `memoryview` keeps the length the memory had when it was taken (the
/// memory never moves, so it stays valid after `grow`).
///
/// ```py
/// >>> from wasmint import Memory, MemoryType, Store
/// >>> memory = Memory(Store(), MemoryType(minimum=128))
/// >>> int8 = memory.int8_view()
/// >>> int8[0:9] = [1, 2, 3, 0x57, 0x61, 0x73, 0x6d, 0x65, 0x72]
/// >>> byte_array = bytearray(memory.buffer)
/// >>> byte_array[0:3] == b'\x01\x02\x03', byte_array[3:9].decode()
/// (True, 'Wasmer')
/// ```
#[pyclass(module = "wasmint", frozen)]
pub struct Buffer {
    store: Py<Store>,
    memory: crate::Memory,
    _held: super::store::Held,
}

#[pymethods]
impl Buffer {
    unsafe fn __getbuffer__(slf: Bound<'_, Self>, view: *mut ffi::Py_buffer, flags: c_int) -> PyResult<()> {
        if view.is_null() {
            return Err(PyValueError::new_err("Buffer: null Py_buffer"));
        }
        let this = slf.get();
        let (ptr, len) = this.store.get().cell.with(slf.py(), |s| {
            let d = s.memory_data_mut(this.memory);
            (d.as_mut_ptr(), d.len())
        })?;
        let len = isize::try_from(len).map_err(|_| PyOverflowError::new_err("memory too large for a buffer"))?;
        // SAFETY: `ptr` and `len` describe the memory's committed bytes,
        // which stay mapped at this address until the store is freed (see
        // the module docs); `view.obj` keeps this Buffer, hence the store,
        // alive for the buffer's lifetime. `PyBuffer_FillInfo` sets
        // `view.obj` (with a new reference) and checks `flags`.
        let rc = unsafe { ffi::PyBuffer_FillInfo(view, slf.as_ptr(), ptr.cast(), len, 0, flags) };
        if rc == -1 {
            return Err(PyErr::fetch(slf.py()));
        }
        Ok(())
    }

    unsafe fn __releasebuffer__(&self, _view: *mut ffi::Py_buffer) {}

    /// The size of the memory in bytes.
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        data_len(py, &self.store, self.memory)
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.store)?;
        self._held.visit(&visit)
    }
}

/// What a typed view is: a memory and a start offset in bytes.
struct View {
    store: Py<Store>,
    memory: crate::Memory,
    offset: usize,
    _held: super::store::Held,
}

impl View {
    fn new(py: Python<'_>, m: &Memory, offset: usize) -> View {
        View { store: m.store.clone_ref(py), memory: m.memory, offset, _held: super::store::Held::new(py, &m.store, crate::Extern::Memory(m.memory)) }
    }

    /// Number of elements of `size` bytes from `offset` to the current end.
    fn len(&self, py: Python<'_>, size: usize) -> PyResult<usize> {
        Ok(data_len(py, &self.store, self.memory)?.saturating_sub(self.offset) / size)
    }
}

/// An element type of a typed view.
trait Elem: Copy + for<'py> IntoPyObject<'py> {
    const SIZE: usize;
    const NAME: &'static str;
    fn load(b: &[u8]) -> Self;
    fn store(self, b: &mut [u8]);
    fn to_py(self, py: Python<'_>) -> PyResult<Py<PyAny>>;
    fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Self>;
}

macro_rules! int_elem {
    ($($t:ty, $name:literal;)*) => {$(
        impl Elem for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            const NAME: &'static str = $name;
            fn load(b: &[u8]) -> Self {
                let mut a = [0u8; std::mem::size_of::<$t>()];
                a.copy_from_slice(b);
                <$t>::from_le_bytes(a)
            }
            fn store(self, b: &mut [u8]) {
                b.copy_from_slice(&self.to_le_bytes());
            }
            fn to_py(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                Ok(self.into_pyobject(py)?.into_any().unbind())
            }
            fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
                if !obj.is_instance_of::<PyInt>() {
                    return Err(PyTypeError::new_err(format!("{} elements take ints, not {}", $name, type_name(obj))));
                }
                obj.extract::<$t>().map_err(|_| PyOverflowError::new_err(format!("{obj} does not fit in {}", $name)))
            }
        }
    )*};
}

int_elem! {
    u8, "uint8"; i8, "int8"; u16, "uint16"; i16, "int16";
    u32, "uint32"; i32, "int32"; u64, "uint64"; i64, "int64";
}

macro_rules! float_elem {
    ($($t:ty, $name:literal;)*) => {$(
        impl Elem for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            const NAME: &'static str = $name;
            fn load(b: &[u8]) -> Self {
                let mut a = [0u8; std::mem::size_of::<$t>()];
                a.copy_from_slice(b);
                <$t>::from_le_bytes(a)
            }
            fn store(self, b: &mut [u8]) {
                b.copy_from_slice(&self.to_le_bytes());
            }
            fn to_py(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                Ok(PyFloat::new(py, self as f64).into_any().unbind())
            }
            fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
                if !(obj.is_instance_of::<PyFloat>() || obj.is_instance_of::<PyInt>()) {
                    return Err(PyTypeError::new_err(format!("{} elements take floats, not {}", $name, type_name(obj))));
                }
                Ok(obj.extract::<f64>()? as $t)
            }
        }
    )*};
}

float_elem! { f32, "float32"; f64, "float64"; }

// The texts and classes below are wasmer-python 1.1's (`memory/views.rs`,
// asserted by its `tests/test_memory.py`); indices count from the view's
// start, and "the memory size" is the view's length.

const SET_TYPES: &str = "When setting data to the memory view, the index and the value can only have the following \
                         types: Either `int` and `int`, or `slice` and `sequence`";

/// An int index as wasmer reads one: `None` if `index` is not an int.
/// Ints past i128 keep their sign (they are out of bound either way).
fn int_index(index: &Bound<'_, PyAny>) -> PyResult<Option<i128>> {
    if index.is_instance_of::<PyFloat>() {
        return Ok(None);
    }
    match index.extract::<i128>() {
        Ok(i) => Ok(Some(i)),
        Err(_) if index.is_instance_of::<PyInt>() => Ok(Some(if index.lt(0)? { -1 } else { i128::MAX })),
        Err(_) => Ok(None),
    }
}

fn negative() -> PyErr {
    PyIndexError::new_err("Out of bound: Index cannot be negative")
}

/// A slice resolved against `len`: start, stop, step (refused when empty
/// or reversed, as wasmer does).
fn slice_range(s: &Bound<'_, PySlice>, len: usize) -> PyResult<(usize, usize, isize)> {
    let ind = s.indices(len as isize)?;
    if ind.start >= ind.stop {
        return Err(PyIndexError::new_err(format!("Slice `{}:{}` cannot be empty", ind.start, ind.stop)));
    }
    // `indices` clamps both ends into 0..=len.
    Ok((ind.start as usize, ind.stop as usize, ind.step))
}

fn view_get<T: Elem>(py: Python<'_>, v: &View, index: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let len = v.len(py, T::SIZE)?;
    let cell = &v.store.get().cell;
    let out_of_bound = || PyIndexError::new_err("index out of range");
    if let Ok(s) = index.cast::<PySlice>() {
        let (start, stop, step) = slice_range(s, len)?;
        // wasmer reads forward one by one only (it also took a negative
        // step as 1; here that is refused too).
        if step != 1 {
            return Err(PyIndexError::new_err(format!("Slice must have a step of 1 for now; given {step}")));
        }
        // The bytes copied out (no Python objects made while the store is
        // held), then a list made at its size.
        let bytes = cell.with(py, |s| {
            let d = s.memory_data(v.memory);
            let lo = v.offset.checked_add(start.checked_mul(T::SIZE)?)?;
            let hi = v.offset.checked_add(stop.checked_mul(T::SIZE)?)?;
            d.get(lo..hi).map(<[u8]>::to_vec)
        })?;
        let bytes = bytes.ok_or_else(out_of_bound)?;
        return Ok(PyList::new(py, bytes.chunks_exact(T::SIZE).map(T::load))?.into_any().unbind());
    }
    let Some(i) = int_index(index)? else {
        return Err(PyValueError::new_err("Only integers and slices are valid to represent an index"));
    };
    if i < 0 {
        return Err(negative());
    }
    if i >= len as i128 {
        let shown = if i == i128::MAX { index.to_string() } else { i.to_string() };
        return Err(PyIndexError::new_err(format!(
            "Out of bound: Maximum index {shown} is larger than the memory size {len}"
        )));
    }
    let at = v.offset + i as usize * T::SIZE;
    let x = cell.with(py, |s| s.memory_data(v.memory).get(at..at + T::SIZE).map(T::load))?;
    x.ok_or_else(out_of_bound)?.to_py(py)
}

/// Writes `bytes` at element `start` of a uint8 view (all or nothing).
fn write_bytes(py: Python<'_>, v: &View, start: usize, bytes: &[u8]) -> PyResult<()> {
    let ok = v.store.get().cell.with(py, |s| {
        let d = s.memory_data_mut(v.memory);
        match v.offset.checked_add(start).and_then(|a| Some(a..a.checked_add(bytes.len())?)).and_then(|r| d.get_mut(r)) {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                true
            }
            None => false,
        }
    })?;
    if ok {
        Ok(())
    } else {
        Err(PyIndexError::new_err("index out of range"))
    }
}

fn view_set<T: Elem>(py: Python<'_>, v: &View, index: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
    let len = v.len(py, T::SIZE)?;
    // Convert first (that runs Python code), then write.
    let (start, step, values) = if let Ok(s) = index.cast::<PySlice>() {
        let Ok(iter) = value.try_iter() else {
            return Err(PyRuntimeError::new_err(SET_TYPES));
        };
        let (start, stop, step) = slice_range(s, len)?;
        if step < 1 {
            return Err(PyIndexError::new_err(format!("Slice must have a positive step; given {step}")));
        }
        // As wasmer: the slice's positions and the values are zipped, so
        // extra values are left and missing ones leave memory as it is.
        let count = (stop - start).div_ceil(step as usize);
        // Bytes into a uint8 view: copied as they are (each byte is the
        // element it would convert to), at memory speed.
        if T::NAME == "uint8" && step == 1 {
            if let Ok(b) = value.cast::<PyBytes>() {
                let b = b.as_bytes();
                return write_bytes(py, v, start, &b[..b.len().min(count)]);
            }
            if let Ok(b) = value.cast::<PyByteArray>() {
                let b = b.to_vec();
                return write_bytes(py, v, start, &b[..b.len().min(count)]);
            }
        }
        // A list or tuple: read in place (no iterator protocol).
        let values = if let Ok(l) = value.cast::<PyList>() {
            l.iter().take(count).map(|x| T::from_py(&x)).collect::<PyResult<Vec<T>>>()?
        } else if let Ok(t) = value.cast::<PyTuple>() {
            t.iter().take(count).map(|x| T::from_py(&x)).collect::<PyResult<Vec<T>>>()?
        } else {
            iter.take(count).map(|x| T::from_py(&x?)).collect::<PyResult<Vec<T>>>()?
        };
        (start, step as usize, values)
    } else {
        let (Some(i), Ok(x)) = (int_index(index)?, T::from_py(value)) else {
            return Err(PyRuntimeError::new_err(SET_TYPES));
        };
        if i < 0 {
            return Err(negative());
        }
        if i >= len as i128 {
            let shown = if i == i128::MAX { index.to_string() } else { i.to_string() };
            return Err(PyIndexError::new_err(format!(
                "Out of bound: Absolute index {shown} is larger than the memory size {len}"
            )));
        }
        (i as usize, 1, vec![x])
    };
    let cell = &v.store.get().cell;
    let ok = cell.with(py, |s| {
        let d = s.memory_data_mut(v.memory);
        // Check every position against the current size before writing.
        let at = |k: usize| v.offset + (start + k * step) * T::SIZE;
        if (0..values.len()).any(|k| at(k) + T::SIZE > d.len()) {
            return false;
        }
        for (k, x) in values.iter().enumerate() {
            let a = at(k);
            x.store(&mut d[a..a + T::SIZE]);
        }
        true
    })?;
    if ok {
        Ok(())
    } else {
        Err(PyIndexError::new_err("index out of range"))
    }
}

macro_rules! views {
    ($($name:ident, $t:ty, $doc:literal, $method:ident, $len:literal, $bits:literal;)*) => {$(
        #[doc = $doc]
        ///
        /// Built by `Memory.uint8_view` and its siblings. Index it with an
        /// int (IndexError out of bounds, also for negative indices) or a
        /// non-empty slice of step 1 (a list of values); assign a number,
        /// or an iterable of them to a slice (zipped with its positions).
        /// Errors are wasmer's. Its length follows the memory's current size.
        ///
        /// ```py
        /// >>> from wasmint import Store, Memory, MemoryType
        /// >>> memory = Memory(Store(), MemoryType(minimum=1))
        #[doc = concat!(">>> view = memory.", stringify!($method), "(offset=65528)")]
        /// >>> len(view) * view.bytes_per_element
        /// 8
        #[doc = concat!(">>> type(view).__name__, len(view)")]
        #[doc = concat!("('", stringify!($name), "', ", $len, ")")]
        /// >>> view[0] = 42
        /// >>> view[0] == 42 and view[0:2] == [42, 0][:len(view)]
        /// True
        /// ```
        #[pyclass(module = "wasmint", frozen)]
        pub struct $name(View);

        #[pymethods]
        impl $name {
            /// The number of bytes per element.
            ///
            /// ```py
            /// >>> from wasmint import Store, Memory, MemoryType
            #[doc = concat!(">>> Memory(Store(), MemoryType(minimum=1)).", stringify!($method), "().bytes_per_element * 8")]
            #[doc = $bits]
            /// ```
            #[getter]
            fn bytes_per_element(&self) -> usize {
                <$t as Elem>::SIZE
            }
            /// The offset of the first element in the memory, in bytes.
            ///
            /// ```py
            /// >>> from wasmint import Store, Memory, MemoryType
            #[doc = concat!(">>> Memory(Store(), MemoryType(minimum=1)).", stringify!($method), "(offset=16).offset")]
            /// 16
            /// ```
            #[getter]
            fn offset(&self) -> usize {
                self.0.offset
            }
            fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
                self.0.len(py, <$t as Elem>::SIZE)
            }
            fn __getitem__(&self, py: Python<'_>, index: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                view_get::<$t>(py, &self.0, index)
            }
            fn __setitem__(&self, py: Python<'_>, index: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
                view_set::<$t>(py, &self.0, index, value)
            }
            fn __repr__(&self) -> String {
                format!("<wasmint.{} of {} at offset {}>", stringify!($name), <$t as Elem>::NAME, self.0.offset)
            }
            fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
                visit.call(&self.0.store)?;
                self.0._held.visit(&visit)
            }
        }
    )*};
}

views! {
    Uint8Array, u8, "A read-write view of a memory as unsigned 8-bit integers.", uint8_view, "8", "8";
    Int8Array, i8, "A read-write view of a memory as signed 8-bit integers.", int8_view, "8", "8";
    Uint16Array, u16, "A read-write view of a memory as unsigned 16-bit integers (little-endian).", uint16_view, "4", "16";
    Int16Array, i16, "A read-write view of a memory as signed 16-bit integers (little-endian).", int16_view, "4", "16";
    Uint32Array, u32, "A read-write view of a memory as unsigned 32-bit integers (little-endian).", uint32_view, "2", "32";
    Int32Array, i32, "A read-write view of a memory as signed 32-bit integers (little-endian).", int32_view, "2", "32";
    Uint64Array, u64, "A read-write view of a memory as unsigned 64-bit integers (little-endian).", uint64_view, "1", "64";
    Int64Array, i64, "A read-write view of a memory as signed 64-bit integers (little-endian).", int64_view, "1", "64";
    Float32Array, f32, "A read-write view of a memory as 32-bit floats (little-endian).", float32_view, "2", "32";
    Float64Array, f64, "A read-write view of a memory as 64-bit floats (little-endian).", float64_view, "1", "64";
}
