//! Execution (spec 4): the semantics of instructions.
//!
//! [`num`] holds the pure numeric semantics, [`simd`] those of SIMD; `handlers` the threaded
//! handlers of the internal code produced by [`crate::compile`]; `engine`
//! entering and leaving it and its slow paths.
mod engine;
mod gc;
mod handlers;
pub mod num;
pub mod simd;
#[cfg(feature = "opstats")]
pub mod stats;

pub(crate) use engine::{invoke, invoke_into};
pub use handlers::{fold_bin, fold_un};
pub(crate) use handlers::{link, linked_words};
