//! Execution (spec 4): the semantics of instructions.
pub mod num;
