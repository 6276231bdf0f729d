//! wasmint: a WebAssembly runtime written from scratch — decoder,
//! validator, translator to a compact internal code, and an interpreter.
//!
//! Code is organised by the chapters of the WebAssembly specification:
//!
//! | module | spec |
//! | --- | --- |
//! | [`syntax`] | 2 Structure |
//! | [`validate`] | 3 Validation (and the appendix algorithm) |
//! | [`exec`], [`compile`] | 4 Execution (instructions) |
//! | [`runtime`] | 4.2 Runtime structure, 4.5 Modules, 7.1 Embedding |
//! | [`binary`] | 5 Binary format |
//! | [`script`] | the `.wast` script format of the test suite |
//!
//! ```
//! use wasmint::{Module, Store, Value};
//! let wasm = wat::parse_str(r#"(module (func (export "add") (param i32 i32) (result i32)
//!     local.get 0 local.get 1 i32.add))"#).unwrap();
//! let module = Module::new(&wasm).unwrap();
//! let mut store = Store::new();
//! let instance = store.instantiate(&module, &[]).unwrap();
//! let add = store.export(instance, "add").unwrap();
//! let wasmint::Extern::Func(add) = add else { panic!() };
//! assert_eq!(store.call(add, &[Value::I32(2), Value::I32(3)]).unwrap(), vec![Value::I32(5)]);
//! ```

pub mod isa;
pub mod isa_simd;

pub mod binary;
pub mod cli;
pub mod compile;
pub mod component;
pub mod error;
pub mod exec;
pub mod runtime;
pub mod script;
pub mod syntax;
pub mod validate;
#[cfg(unix)]
pub mod wasi;

#[cfg(feature = "python")]
mod python;

pub use error::{Error, Frame, Result, Trap, TrapCode, TrapKind};
pub use runtime::*;
pub use syntax::{ExternType, FuncType, GlobalType, Limits, MemType, RefType, TableType, ValType};

/// The crate version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
