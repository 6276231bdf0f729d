//! Binary format decoder (spec chapter 5).
//!
//! STUB: to be implemented.

use crate::error::Result;
use crate::syntax::Module;

/// Decodes a binary module. Function bodies are decoded completely, so any
/// malformed byte anywhere is reported here, before validation.
///
/// # Errors
/// [`Error::Decode`](crate::Error::Decode) with the spec suite's wording
/// (e.g. "unexpected end", "integer too large") and the byte offset.
pub fn decode(bytes: &[u8]) -> Result<Module> {
    let _ = bytes;
    todo!()
}
