//! Sandboxing from Python (issue 12): `TrapCode`, `InterruptHandle`, the
//! `code` of a `Trap`, and Ctrl-C during a wasm call.
//!
//! # Ctrl-C
//!
//! Calls run with the GIL released (`StoreCell::enter`), and Python's own
//! SIGINT handler only records the signal, to be handled when the main
//! thread next runs Python code: a wasm loop would never come back. So
//! while a call runs on the main thread, its store's interrupt handle sits
//! in a small fixed registry ([`SigintScope`]), and a C-level SIGINT
//! handler ([`on_sigint`], async-signal-safe: atomics only) interrupts
//! every registered store, then chains to the handler it replaced
//! (Python's), so that Python records the signal as usual. When the call
//! comes back (`interrupted`), the scope sees that a SIGINT arrived and
//! calls `PyErr_CheckSignals`: Python runs its handler, which raises
//! KeyboardInterrupt by default, and that is what the call raises. A
//! Python SIGINT handler that does not raise leaves the `interrupted`
//! trap.
//!
//! The handler is installed by the first call from the main thread; while
//! calls run, a watcher thread puts it back within 5 ms if something
//! (`signal.signal`) replaced it. Never over `SIG_DFL` or `SIG_IGN`: then
//! a Ctrl-C does what it would do without wasmint.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

use crate::TrapCode;

/// Every trap code, in the order of their discriminants (checked by
/// [`tests::all_codes_in_order`] and by the match in [`code_name`]).
const ALL: [TrapCode; 21] = [
    TrapCode::Unreachable,
    TrapCode::IntegerDivideByZero,
    TrapCode::IntegerOverflow,
    TrapCode::InvalidConversionToInteger,
    TrapCode::OutOfBoundsMemoryAccess,
    TrapCode::OutOfBoundsTableAccess,
    TrapCode::UndefinedElement,
    TrapCode::UninitializedElement,
    TrapCode::IndirectCallTypeMismatch,
    TrapCode::NullFunctionReference,
    TrapCode::NullReference,
    TrapCode::CallStackExhausted,
    TrapCode::OutOfFuel,
    TrapCode::Interrupted,
    TrapCode::NullExceptionReference,
    TrapCode::NullStructReference,
    TrapCode::NullArrayReference,
    TrapCode::NullI31Reference,
    TrapCode::OutOfBoundsArrayAccess,
    TrapCode::CastFailure,
    TrapCode::OutOfMemory,
];

/// The Python name of a trap code's member.
fn code_name(c: TrapCode) -> &'static str {
    match c {
        TrapCode::Unreachable => "UNREACHABLE",
        TrapCode::IntegerDivideByZero => "INTEGER_DIVIDE_BY_ZERO",
        TrapCode::IntegerOverflow => "INTEGER_OVERFLOW",
        TrapCode::InvalidConversionToInteger => "INVALID_CONVERSION_TO_INTEGER",
        TrapCode::OutOfBoundsMemoryAccess => "OUT_OF_BOUNDS_MEMORY_ACCESS",
        TrapCode::OutOfBoundsTableAccess => "OUT_OF_BOUNDS_TABLE_ACCESS",
        TrapCode::UndefinedElement => "UNDEFINED_ELEMENT",
        TrapCode::UninitializedElement => "UNINITIALIZED_ELEMENT",
        TrapCode::IndirectCallTypeMismatch => "INDIRECT_CALL_TYPE_MISMATCH",
        TrapCode::NullFunctionReference => "NULL_FUNCTION_REFERENCE",
        TrapCode::NullReference => "NULL_REFERENCE",
        TrapCode::CallStackExhausted => "CALL_STACK_EXHAUSTED",
        TrapCode::OutOfFuel => "OUT_OF_FUEL",
        TrapCode::Interrupted => "INTERRUPTED",
        TrapCode::NullExceptionReference => "NULL_EXCEPTION_REFERENCE",
        TrapCode::NullStructReference => "NULL_STRUCT_REFERENCE",
        TrapCode::NullArrayReference => "NULL_ARRAY_REFERENCE",
        TrapCode::NullI31Reference => "NULL_I31_REFERENCE",
        TrapCode::OutOfBoundsArrayAccess => "OUT_OF_BOUNDS_ARRAY_ACCESS",
        TrapCode::CastFailure => "CAST_FAILURE",
        TrapCode::OutOfMemory => "OUT_OF_MEMORY",
    }
}

/// `TrapCode` and its members, by discriminant.
static CODES: PyOnceLock<(Py<PyAny>, Vec<Py<PyAny>>)> = PyOnceLock::new();

const TRAP_CODE_DOC: &str = "\
Why a WebAssembly call trapped: the `code` of a `Trap` (None for an
exception a host function raised). An IntEnum; `message` is the trap's
text (the message of the `Trap`).

```py
>>> from wasmint import Store, Module, Instance, Trap, TrapCode
>>> f = Instance(Module(Store(), '(module (func (export \"f\") unreachable))')).exports.f
>>> try:
...     f()
... except Trap as e:
...     print(e.code.name, e.code.message)
UNREACHABLE unreachable
>>> TrapCode.OUT_OF_FUEL.message, TrapCode.INTERRUPTED.message
('all fuel consumed', 'interrupted')
```
";

/// Creates `TrapCode`, an `enum.IntEnum` with a `message` property.
pub(crate) fn trap_code_enum(py: Python<'_>) -> PyResult<&Py<PyAny>> {
    let (ty, _) = CODES.get_or_try_init(py, || -> PyResult<_> {
        let members: Vec<(&str, u8)> = ALL.iter().map(|c| (code_name(*c), *c as u8)).collect();
        let kwargs = PyDict::new(py);
        kwargs.set_item("module", "wasmint")?;
        let ty = py.import("enum")?.getattr("IntEnum")?.call(("TrapCode", members), Some(&kwargs))?;
        ty.setattr("__doc__", TRAP_CODE_DOC)?;
        let messages = PyDict::new(py);
        for c in ALL {
            messages.set_item(c as u8, c.message())?;
        }
        // `message`: a property reading this table.
        let ns = PyDict::new(py);
        ns.set_item("_messages", messages)?;
        let getter = py.eval(c"lambda self: _messages[int(self)]", Some(&ns), None)?;
        let prop = py.import("builtins")?.getattr("property")?.call1((getter, py.None(), py.None(), "The trap's text.\n\n```py\n>>> from wasmint import TrapCode\n>>> TrapCode.UNREACHABLE.message\n'unreachable'\n```\n"))?;
        ty.setattr("message", prop)?;
        let list = ALL.iter().map(|c| ty.call1((*c as u8,)).map(Bound::unbind)).collect::<PyResult<Vec<_>>>()?;
        Ok((ty.unbind(), list))
    })?;
    Ok(ty)
}

/// The `Trap` exception of `trap`: its message, its code (None, the class
/// value, for a host error without an exception of its own) and its wasm
/// frames.
pub(crate) fn trap_err(trap: &crate::Trap) -> PyErr {
    let err = super::Trap::new_err(trap.to_string());
    Python::attach(|py| {
        if let (Some(code), Some((_, members))) = (trap.code(), CODES.get(py)) {
            // Setting an attribute of a new exception cannot fail but for
            // memory; the trap is raised without its code then.
            let _ = err.value(py).setattr("code", members[code as usize].clone_ref(py));
        }
        add_frames(py, &err, trap);
        err
    })
}

/// Adds the wasm frames of `trap` to `err`, the exception a call raises:
/// to the `frames` of a `Trap` (one that came out of a nested call gets
/// the outer frames after its own), and as a note (PEP 678, shown in
/// tracebacks from Python 3.11 on) to any exception, so that a host
/// function's exception names the wasm code it went through.
pub(crate) fn add_frames(py: Python<'_>, err: &PyErr, trap: &crate::Trap) {
    let Some(text) = trap.backtrace_text() else { return };
    let value = err.value(py);
    // Only memory can make these fail; the frames are then left out.
    if value.is_instance_of::<super::Trap>() {
        let frames: Vec<Frame> = trap.backtrace().iter().cloned().map(Frame).collect();
        let old = value.getattr("frames").ok().and_then(|f| f.extract::<Vec<Py<Frame>>>().ok()).unwrap_or_default();
        let mut all: Vec<Py<PyAny>> = old.into_iter().map(|f| f.into_any()).collect();
        for f in frames {
            if let Ok(f) = Bound::new(py, f) {
                all.push(f.into_any().unbind());
            }
        }
        if let Ok(list) = pyo3::types::PyList::new(py, all) {
            let _ = value.setattr("frames", list);
        }
    }
    if value.hasattr("add_note").unwrap_or(false) {
        let _ = value.call_method1("add_note", (text,));
    }
}

/// One WebAssembly frame of a `Trap`'s backtrace (`Trap.frames`, innermost
/// first), as wasmtime reports frames; `str()` gives wasmtime's line.
///
/// ```py
/// >>> from wasmint import Store, Module, Instance, Trap
/// >>> wat = '''(module $demo
/// ...   (func $inner (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
/// ...   (func (export "run") (result i32) (call $inner (i32.const 0))))'''
/// >>> try:
/// ...     Instance(Module(Store(), wat)).exports.run()
/// ... except Trap as e:
/// ...     for frame in e.frames:
/// ...         print(frame.func_index, frame.func_name, frame.module_name, hex(frame.module_offset))
/// 0 inner demo 0x2b
/// 1 None demo 0x31
/// ```
#[pyclass(module = "wasmint", frozen)]
pub struct Frame(crate::Frame);

#[pymethods]
impl Frame {
    /// The function's index in its module.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance, Trap
    /// >>> f = Instance(Module(Store(), '''(module $m (func $inner (export "f") unreachable))''')).exports.f
    /// >>> try:
    /// ...     f()
    /// ... except Trap as e:
    /// ...     frame = e.frames[0]
    /// >>> frame.func_index
    /// 0
    /// ```
    #[getter]
    fn func_index(&self) -> u32 {
        self.0.func_index
    }
    /// The function's name from the module's name section, if any.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance, Trap
    /// >>> f = Instance(Module(Store(), '''(module $m (func $inner (export "f") unreachable))''')).exports.f
    /// >>> try:
    /// ...     f()
    /// ... except Trap as e:
    /// ...     frame = e.frames[0]
    /// >>> frame.func_name
    /// 'inner'
    /// ```
    #[getter]
    fn func_name(&self) -> Option<&str> {
        self.0.func_name.as_deref()
    }
    /// The module's name from its name section, if any.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance, Trap
    /// >>> f = Instance(Module(Store(), '''(module $m (func $inner (export "f") unreachable))''')).exports.f
    /// >>> try:
    /// ...     f()
    /// ... except Trap as e:
    /// ...     frame = e.frames[0]
    /// >>> frame.module_name
    /// 'm'
    /// ```
    #[getter]
    fn module_name(&self) -> Option<&str> {
        self.0.module_name.as_deref()
    }
    /// Byte offset in the module binary of the instruction executing (the
    /// call, in frames that called others); None for a deserialized module.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance, Trap
    /// >>> f = Instance(Module(Store(), '''(module $m (func $inner (export "f") unreachable))''')).exports.f
    /// >>> try:
    /// ...     f()
    /// ... except Trap as e:
    /// ...     frame = e.frames[0]
    /// >>> frame.module_offset > 0
    /// True
    /// ```
    #[getter]
    fn module_offset(&self) -> Option<usize> {
        self.0.offset
    }
    fn __str__(&self) -> String {
        self.0.to_string()
    }
    fn __repr__(&self) -> String {
        format!("<wasmint.Frame {}>", self.0.to_string().trim_start())
    }
}

/// Stops a call running in a `Store` (see `Store.interrupt_handle`). May be
/// used from any thread, also while the store runs a call in another one;
/// keeps no reference to the store.
///
/// ```py
/// >>> import threading
/// >>> from wasmint import Store, Module, Instance, Trap
/// >>> store = Store()
/// >>> spin = Instance(Module(store, '(module (func (export "spin") (loop br 0)))')).exports.spin
/// >>> handle = store.interrupt_handle()
/// >>> threading.Timer(0.05, handle.interrupt).start()
/// >>> try:
/// ...     spin()
/// ... except Trap as e:
/// ...     print(e, e.code.name)
/// interrupted INTERRUPTED
/// ```
#[pyclass(module = "wasmint", frozen)]
pub struct InterruptHandle(pub(crate) crate::InterruptHandle);

#[pymethods]
impl InterruptHandle {
    /// Interrupts the store's running call: it raises `Trap` (code
    /// `TrapCode.INTERRUPTED`) at its next function entry or loop
    /// iteration. If no call is running, the next one is interrupted.
    ///
    /// ```py
    /// >>> from wasmint import Store, Module, Instance, Trap
    /// >>> store = Store()
    /// >>> spin = Instance(Module(store, '(module (func (export "spin") (loop (br 0))))')).exports.spin
    /// >>> store.interrupt_handle().interrupt()  # before the call: the next one stops
    /// >>> try:
    /// ...     spin()
    /// ... except Trap as e:
    /// ...     print(e.code.name)
    /// INTERRUPTED
    /// ```
    fn interrupt(&self) {
        self.0.interrupt();
    }

    fn __repr__(&self) -> &'static str {
        "<wasmint.InterruptHandle>"
    }
}

#[cfg(unix)]
pub(crate) use sigint::{set_main_thread, SigintScope};

#[cfg(not(unix))]
pub(crate) fn set_main_thread(_py: Python<'_>) -> PyResult<()> {
    Ok(())
}

/// Without POSIX signals: nothing to do.
#[cfg(not(unix))]
pub(crate) struct SigintScope;

#[cfg(not(unix))]
impl SigintScope {
    pub(crate) fn enter(_handle: &crate::InterruptHandle, _outermost: bool) -> SigintScope {
        SigintScope
    }
    pub(crate) fn finish(self, _py: Python<'_>) -> PyResult<()> {
        Ok(())
    }
}

#[cfg(unix)]
mod sigint {
    use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering::SeqCst};
    use std::sync::OnceLock;
    use std::time::Duration;

    use pyo3::prelude::*;

    use crate::InterruptHandle;

    /// Calls running at once on the main thread that Ctrl-C can stop
    /// (stores nested through host functions); beyond, a call is not
    /// registered (Ctrl-C then stops it when it returns).
    const SLOTS: usize = 32;

    #[allow(clippy::declare_interior_mutable_const)]
    const NULL: AtomicPtr<InterruptHandle> = AtomicPtr::new(std::ptr::null_mut());
    /// The interrupt handles of the registered calls (null: free slot).
    static ACTIVE: [AtomicPtr<InterruptHandle>; SLOTS] = [NULL; SLOTS];
    /// Handlers running now (a slot is only reused once this is 0).
    static IN_HANDLER: AtomicUsize = AtomicUsize::new(0);
    /// SIGINTs that arrived while a call was registered.
    static SEEN: AtomicU64 = AtomicU64::new(0);
    /// The handler ours replaced: its address and `sa_flags`.
    static PREV_HANDLER: AtomicUsize = AtomicUsize::new(0);
    static PREV_FLAGS: AtomicUsize = AtomicUsize::new(0);
    /// `pthread_self()` of Python's main thread (0: not known yet).
    static MAIN: AtomicU64 = AtomicU64::new(0);
    static INSTALLING: AtomicBool = AtomicBool::new(false);
    /// The watcher thread is parked (see [`watch`]).
    static PARKED: AtomicBool = AtomicBool::new(false);
    /// How often the watcher checks that the handler is still installed.
    const RECHECK: Duration = Duration::from_millis(5);

    /// Records Python's main thread (module initialisation).
    pub(crate) fn set_main_thread(py: Python<'_>) -> PyResult<()> {
        let ident: u64 = py.import("threading")?.call_method0("main_thread")?.getattr("ident")?.extract()?;
        MAIN.store(ident, SeqCst);
        Ok(())
    }

    fn on_main_thread() -> bool {
        // SAFETY: no preconditions.
        let me = unsafe { libc::pthread_self() } as u64;
        me == MAIN.load(SeqCst)
    }

    extern "C" fn on_sigint(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
        IN_HANDLER.fetch_add(1, SeqCst);
        let mut any = false;
        for slot in &ACTIVE {
            let h = slot.load(SeqCst);
            if !h.is_null() {
                // SAFETY: a registered handle stays alive until its slot is
                // cleared and no handler runs (`SigintScope::finish`).
                unsafe { (*h).interrupt() };
                any = true;
            }
        }
        if any {
            SEEN.fetch_add(1, SeqCst);
        }
        IN_HANDLER.fetch_sub(1, SeqCst);
        let prev = PREV_HANDLER.load(SeqCst);
        if prev == libc::SIG_DFL || prev == libc::SIG_IGN || prev == ours() {
            return;
        }
        // SAFETY: `prev` is the handler that was installed for SIGINT,
        // called the way its flags say.
        unsafe {
            if PREV_FLAGS.load(SeqCst) & libc::SA_SIGINFO as usize != 0 {
                let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) = std::mem::transmute(prev);
                f(sig, info, ctx);
            } else {
                let f: extern "C" fn(libc::c_int) = std::mem::transmute(prev);
                f(sig);
            }
        }
    }

    /// The address of [`on_sigint`], as `sigaction` has it.
    fn ours() -> libc::sighandler_t {
        on_sigint as *const () as libc::sighandler_t
    }

    /// Installs [`on_sigint`] unless it is installed, or SIGINT is ignored
    /// or default.
    fn ensure_installed() {
        if INSTALLING.swap(true, SeqCst) {
            return;
        }
        // SAFETY: plain sigaction calls with valid, zeroed structures.
        unsafe {
            let mut cur: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGINT, std::ptr::null(), &mut cur) == 0
                && cur.sa_sigaction != ours()
                && cur.sa_sigaction != libc::SIG_DFL
                && cur.sa_sigaction != libc::SIG_IGN
            {
                PREV_HANDLER.store(cur.sa_sigaction, SeqCst);
                PREV_FLAGS.store(cur.sa_flags as usize, SeqCst);
                let mut act: libc::sigaction = std::mem::zeroed();
                act.sa_sigaction = ours();
                // As Python's: run on the alternate stack if there is one.
                act.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
                libc::sigemptyset(&mut act.sa_mask);
                libc::sigaction(libc::SIGINT, &act, std::ptr::null_mut());
            }
        }
        INSTALLING.store(false, SeqCst);
    }

    fn any_active() -> bool {
        ACTIVE.iter().any(|s| !s.load(SeqCst).is_null())
    }

    /// The watcher: while calls are registered, checks every [`RECHECK`]
    /// that the handler is still installed (`signal.signal` replaces it);
    /// parks after a while without calls ([`wake_watcher`] unparks it).
    /// The check is a system call, as long as a short call: that is why
    /// calls do not make it themselves (only the first one, to install).
    fn watch() {
        let mut idle = 0;
        loop {
            if any_active() {
                ensure_installed();
                idle = 0;
            } else {
                idle += 1;
            }
            if idle >= 20 {
                PARKED.store(true, SeqCst);
                // A call registered before PARKED was set is seen here; one
                // registered after it unparks.
                if !any_active() {
                    std::thread::park();
                }
                PARKED.store(false, SeqCst);
                idle = 0;
                continue;
            }
            std::thread::sleep(RECHECK);
        }
    }

    /// Starts the watcher (first call) or unparks it.
    fn wake_watcher() {
        static WATCHER: OnceLock<Option<std::thread::Thread>> = OnceLock::new();
        let w = WATCHER.get_or_init(|| {
            // The first call installs the handler itself.
            ensure_installed();
            std::thread::Builder::new().name("wasmint-sigint".into()).spawn(watch).ok().map(|h| h.thread().clone())
        });
        if PARKED.swap(false, SeqCst) {
            if let Some(t) = w {
                t.unpark();
            }
        }
    }

    /// A call's registration for Ctrl-C (outermost calls of a store on the
    /// main thread only: Python handles signals there).
    pub(crate) struct SigintScope<'a> {
        /// The handle, its slot, and `SEEN` when registered.
        reg: Option<(&'a InterruptHandle, usize, u64)>,
    }

    impl<'a> SigintScope<'a> {
        /// Registers `handle` (which outlives the scope) if the call is a
        /// store's outermost one and runs on the main thread.
        pub(crate) fn enter(handle: &'a InterruptHandle, outermost: bool) -> SigintScope<'a> {
            if !outermost || !on_main_thread() {
                return SigintScope { reg: None };
            }
            let ptr = handle as *const InterruptHandle as *mut InterruptHandle;
            let seen = SEEN.load(SeqCst);
            for (i, slot) in ACTIVE.iter().enumerate() {
                if slot.compare_exchange(std::ptr::null_mut(), ptr, SeqCst, SeqCst).is_ok() {
                    wake_watcher();
                    return SigintScope { reg: Some((handle, i, seen)) };
                }
            }
            SigintScope { reg: None }
        }

        /// Unregisters the call; if a SIGINT arrived meanwhile, drops the
        /// interrupt it left pending (when it did not stop the call) and
        /// lets Python handle the signal (KeyboardInterrupt).
        pub(crate) fn finish(mut self, py: Python<'_>) -> PyResult<()> {
            let Some((handle, slot, seen)) = self.reg.take() else { return Ok(()) };
            ACTIVE[slot].store(std::ptr::null_mut(), SeqCst);
            while IN_HANDLER.load(SeqCst) != 0 {
                std::hint::spin_loop();
            }
            if SEEN.load(SeqCst) == seen {
                return Ok(());
            }
            handle.0.clear_pending();
            py.check_signals()
        }
    }

    impl Drop for SigintScope<'_> {
        fn drop(&mut self) {
            // Unwinding: unregister at least.
            if let Some((_, slot, _)) = self.reg.take() {
                ACTIVE[slot].store(std::ptr::null_mut(), SeqCst);
                while IN_HANDLER.load(SeqCst) != 0 {
                    std::hint::spin_loop();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_codes_in_order() {
        assert_eq!(ALL.len(), TrapCode::OutOfMemory as usize + 1);
        for (i, c) in ALL.iter().enumerate() {
            assert_eq!(*c as usize, i);
        }
    }
}
