//! Validation (spec chapter 3 and the appendix algorithm 7.3).
//!
//! STUB: to be implemented.

use crate::error::Result;
use crate::syntax::Module;

/// Validates a decoded module.
///
/// # Errors
/// [`Error::Validate`](crate::Error::Validate) with the spec suite's wording
/// (e.g. "type mismatch", "unknown local") and the byte offset.
pub fn validate(module: &Module) -> Result<()> {
    let _ = module;
    todo!()
}
