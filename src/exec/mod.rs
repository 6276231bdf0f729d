//! Execution (spec 4): the semantics of instructions.
//!
//! [`num`] holds the pure numeric semantics; `interp` the dispatch loop
//! over the internal code produced by [`crate::compile`].
mod interp;
pub mod num;

pub(crate) use interp::invoke;
