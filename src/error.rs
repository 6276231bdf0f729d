//! Errors and traps.
//!
//! Every phase reports failure as a value: the decoder and validator with a
//! message and the byte offset it applies to, linking with a message, and
//! execution with a [`Trap`] whose text is the spec test suite's wording.

use std::any::Any;
use std::fmt;

/// Why a trap happened. `Display` gives the spec suite's wording.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum TrapCode {
    /// `unreachable` was executed.
    Unreachable,
    /// Integer division or remainder by zero.
    IntegerDivideByZero,
    /// Signed division overflow (`MIN / -1`) or truncation out of range.
    IntegerOverflow,
    /// Truncation of a NaN to an integer.
    InvalidConversionToInteger,
    /// A load, store or bulk memory operation out of bounds.
    OutOfBoundsMemoryAccess,
    /// A table access or bulk table operation out of bounds.
    OutOfBoundsTableAccess,
    /// `call_indirect` with an index outside the table.
    UndefinedElement,
    /// `call_indirect` on a null entry.
    UninitializedElement,
    /// `call_indirect` whose callee has another type.
    IndirectCallTypeMismatch,
    /// `call_ref` or `return_call_ref` on null.
    NullFunctionReference,
    /// `ref.as_non_null` on null.
    NullReference,
    /// Call depth or value stack limit reached.
    CallStackExhausted,
    /// The fuel given to the store ran out.
    OutOfFuel,
    /// Execution was interrupted from another thread.
    Interrupted,
    /// `throw_ref` of a null exception reference.
    NullExceptionReference,
    /// A `struct.get` or `struct.set` on null (GC).
    NullStructReference,
    /// An `array.*` instruction on null (GC).
    NullArrayReference,
    /// `i31.get_s`/`i31.get_u` on null (GC).
    NullI31Reference,
    /// An array index or range outside the array (GC).
    OutOfBoundsArrayAccess,
    /// `ref.cast` of a reference that is not of the target type (GC).
    CastFailure,
    /// A struct or array allocation beyond the store's GC heap limit.
    OutOfMemory,
}

impl TrapCode {
    /// The spec suite's text for this trap (`assert_trap` messages).
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::IntegerDivideByZero => "integer divide by zero",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::InvalidConversionToInteger => "invalid conversion to integer",
            TrapCode::OutOfBoundsMemoryAccess => "out of bounds memory access",
            TrapCode::OutOfBoundsTableAccess => "out of bounds table access",
            TrapCode::UndefinedElement => "undefined element",
            TrapCode::UninitializedElement => "uninitialized element",
            TrapCode::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapCode::NullFunctionReference => "null function reference",
            TrapCode::NullReference => "null reference",
            TrapCode::CallStackExhausted => "call stack exhausted",
            TrapCode::OutOfFuel => "all fuel consumed",
            TrapCode::Interrupted => "interrupted",
            TrapCode::NullExceptionReference => "null exception reference",
            TrapCode::NullStructReference => "null structure reference",
            TrapCode::NullArrayReference => "null array reference",
            TrapCode::NullI31Reference => "null i31 reference",
            TrapCode::OutOfBoundsArrayAccess => "out of bounds array access",
            TrapCode::CastFailure => "cast failure",
            TrapCode::OutOfMemory => "out of memory: GC heap limit reached",
        }
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// A trap: a wasm-level runtime error, or an error raised by a host
/// function, with the wasm frames that were active when it happened.
pub struct Trap {
    kind: TrapKind,
    /// Boxed so that a `Result<_, Trap>` stays small on the engine's paths.
    trace: Option<Box<Backtrace>>,
}

/// What a [`Trap`] is.
pub enum TrapKind {
    /// A trap raised by the runtime.
    Code(TrapCode),
    /// An error raised by a host function; `payload` lets an embedder carry
    /// its own error (e.g. a Python exception) through wasm frames.
    Host { message: String, payload: Option<Box<dyn Any + Send>> },
    /// A wasm exception that no handler caught (exception handling): its
    /// tag and payload are in the store ([`crate::runtime::Store::exn_tag`]).
    Exception(crate::runtime::Exn),
}

impl Trap {
    /// A host error with a message only.
    pub fn host(message: impl Into<String>) -> Trap {
        TrapKind::Host { message: message.into(), payload: None }.into()
    }
    /// A host error carrying the embedder's own error value.
    pub fn host_with(message: impl Into<String>, payload: Box<dyn Any + Send>) -> Trap {
        TrapKind::Host { message: message.into(), payload: Some(payload) }.into()
    }
    /// An uncaught wasm exception.
    pub fn exception(exn: crate::runtime::Exn) -> Trap {
        TrapKind::Exception(exn).into()
    }
    /// What the trap is.
    pub fn kind(&self) -> &TrapKind {
        &self.kind
    }
    /// What the trap is, by value (to take a host payload back).
    pub fn into_kind(self) -> TrapKind {
        self.kind
    }
    /// The trap code, if the runtime raised it.
    pub fn code(&self) -> Option<TrapCode> {
        match self.kind {
            TrapKind::Code(c) => Some(c),
            TrapKind::Host { .. } | TrapKind::Exception(_) => None,
        }
    }
    /// The host error's payload, if a host function raised it with one.
    pub fn payload(&self) -> Option<&(dyn Any + Send)> {
        match &self.kind {
            TrapKind::Host { payload: Some(p), .. } => Some(&**p),
            _ => None,
        }
    }
    /// Takes the host error's payload out (the trap keeps its message).
    pub fn take_payload(&mut self) -> Option<Box<dyn Any + Send>> {
        match &mut self.kind {
            TrapKind::Host { payload, .. } => payload.take(),
            _ => None,
        }
    }
    /// The uncaught exception, if it is one.
    pub fn exn(&self) -> Option<crate::runtime::Exn> {
        match self.kind {
            TrapKind::Exception(e) => Some(e),
            _ => None,
        }
    }
    /// The wasm frames active when the trap happened, innermost first
    /// (empty when it happened outside wasm code).
    pub fn backtrace(&self) -> &[Frame] {
        self.trace.as_ref().map_or(&[], |t| &t.frames)
    }
    /// Frames left out of [`backtrace`](Self::backtrace) past its
    /// [`MAX_FRAMES`] (a trap deep in a recursion).
    pub fn frames_omitted(&self) -> usize {
        self.trace.as_ref().map_or(0, |t| t.omitted)
    }
    /// Appends the frames of an outer run (the caller of a host function
    /// that failed), keeping at most [`MAX_FRAMES`].
    pub(crate) fn push_frames(&mut self, frames: impl IntoIterator<Item = Frame>, omitted: usize) {
        let t = self.trace.get_or_insert_with(Default::default);
        for f in frames {
            if t.frames.len() < MAX_FRAMES {
                t.frames.push(f);
            } else {
                t.omitted += 1;
            }
        }
        t.omitted += omitted;
    }
    /// The backtrace as wasmtime prints it
    /// (`error while executing at wasm backtrace:` and one line a frame),
    /// or `None` without frames.
    pub fn backtrace_text(&self) -> Option<String> {
        let t = self.trace.as_ref().filter(|t| !t.frames.is_empty())?;
        let mut s = String::from("error while executing at wasm backtrace:");
        for (i, f) in t.frames.iter().enumerate() {
            s.push_str(&format!("\n{i:>5}: {f}"));
        }
        if t.omitted > 0 {
            s.push_str(&format!("\n       ... {} more frames", t.omitted));
        }
        Some(s)
    }
}

/// Most frames a [`Trap`] keeps (innermost first); a trap deep in a
/// recursion counts the rest.
pub const MAX_FRAMES: usize = 100;

#[derive(Default)]
struct Backtrace {
    frames: Vec<Frame>,
    omitted: usize,
}

/// One wasm frame of a [`Trap`]'s backtrace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The function's index in its module's function index space.
    pub func_index: u32,
    /// Its name in the module's name section (a deserialized module keeps
    /// only the module's name).
    pub func_name: Option<String>,
    /// The module's name in its name section.
    pub module_name: Option<String>,
    /// Byte offset in the module binary of the instruction executing
    /// (a call, in the frames that called others); `None` for a module
    /// whose code has no binary (deserialized).
    pub offset: Option<usize>,
}

impl fmt::Display for Frame {
    /// `0x32 - mymod!inner`, as wasmtime writes a frame.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(o) = self.offset {
            write!(f, "{:>8} - ", format!("{o:#x}"))?;
        }
        f.write_str(self.module_name.as_deref().unwrap_or("<unknown>"))?;
        match &self.func_name {
            Some(n) => write!(f, "!{n}"),
            None => write!(f, "!<wasm function {}>", self.func_index),
        }
    }
}

impl From<TrapKind> for Trap {
    fn from(kind: TrapKind) -> Trap {
        Trap { kind, trace: None }
    }
}

impl From<TrapCode> for Trap {
    fn from(c: TrapCode) -> Trap {
        TrapKind::Code(c).into()
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            TrapKind::Code(c) => c.fmt(f),
            TrapKind::Host { message, .. } => f.write_str(message),
            TrapKind::Exception(_) => f.write_str("uncaught exception"),
        }
    }
}

impl fmt::Debug for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            TrapKind::Code(c) => write!(f, "Trap({c:?})"),
            TrapKind::Host { message, .. } => write!(f, "Trap(Host({message:?}))"),
            TrapKind::Exception(e) => write!(f, "Trap(Exception({}))", e.0),
        }
    }
}

impl std::error::Error for Trap {}

/// Any error wasmint reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The binary is malformed (spec chapter 5).
    #[error("{message} (at offset 0x{offset:x})")]
    Decode { message: String, offset: usize },
    /// The module is invalid (spec chapter 3).
    #[error("{message} (at offset 0x{offset:x})")]
    Validate { message: String, offset: usize },
    /// Imports do not match (spec 4.5.4 "Instantiation", step 4).
    #[error("{0}")]
    Link(String),
    /// A trap, during instantiation or a call.
    #[error("{0}")]
    Trap(Trap),
    /// A misuse of the embedding API (wrong argument count or type, ...).
    #[error("{0}")]
    Usage(String),
    /// WebAssembly text that does not parse.
    #[error("{0}")]
    Text(String),
    /// A serialized module that cannot be read (`Module::deserialize`).
    #[error("deserialize: {0}")]
    Deserialize(String),
    /// A valid module using a feature the engine does not run yet.
    #[error("{0}")]
    Unsupported(String),
}

impl Error {
    pub fn decode(message: impl Into<String>, offset: usize) -> Error {
        Error::Decode { message: message.into(), offset }
    }
    pub fn validate(message: impl Into<String>, offset: usize) -> Error {
        Error::Validate { message: message.into(), offset }
    }
    /// The message without the offset suffix.
    pub fn message(&self) -> String {
        match self {
            Error::Decode { message, .. } | Error::Validate { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }
}

impl From<Trap> for Error {
    fn from(t: Trap) -> Error {
        Error::Trap(t)
    }
}

impl From<TrapCode> for Error {
    fn from(c: TrapCode) -> Error {
        Error::Trap(c.into())
    }
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
