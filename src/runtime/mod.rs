//! Runtime structure and embedding API (spec chapter 4 "Execution",
//! 4.2 "Runtime Structure" and 4.5 "Modules"; appendix 7.1 "Embedding").
//!
//! All entities live in a [`Store`] and are referred to by small copyable
//! handles ([`Func`], [`Table`], [`Memory`], [`Global`], [`Instance`]).
//! A handle is only meaningful for the store that created it.

mod collect;
pub use collect::{Collected, Root};
mod file;
pub(crate) mod gc;
pub(crate) mod interrupt;
pub use interrupt::InterruptHandle;
mod instantiate;
pub(crate) mod limits;
mod membuf;
pub mod serialize;
pub(crate) mod memory;
mod store;
pub(crate) mod table;
mod value;

pub use store::*;
pub use table::MAX_TABLE_ENTRIES;
pub use value::*;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod exn_tests;
#[cfg(test)]
mod gc_tests;
#[cfg(test)]
mod interrupt_tests;
#[cfg(test)]
mod limits_tests;
#[cfg(test)]
mod collect_tests;
