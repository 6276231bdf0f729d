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

/// A trap: a wasm-level runtime error, or an error raised by a host function.
pub enum Trap {
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
        Trap::Host { message: message.into(), payload: None }
    }
    /// The trap code, if the runtime raised it.
    pub fn code(&self) -> Option<TrapCode> {
        match self {
            Trap::Code(c) => Some(*c),
            Trap::Host { .. } | Trap::Exception(_) => None,
        }
    }
}

impl From<TrapCode> for Trap {
    fn from(c: TrapCode) -> Trap {
        Trap::Code(c)
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trap::Code(c) => c.fmt(f),
            Trap::Host { message, .. } => f.write_str(message),
            Trap::Exception(_) => f.write_str("uncaught exception"),
        }
    }
}

impl fmt::Debug for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trap::Code(c) => write!(f, "Trap({c:?})"),
            Trap::Host { message, .. } => write!(f, "Trap(Host({message:?}))"),
            Trap::Exception(e) => write!(f, "Trap(Exception({}))", e.0),
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
        Error::Trap(Trap::Code(c))
    }
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
