//! Abstract syntax of a decoded module (spec chapter 2, "Structure").
//!
//! The decoder (`binary`) produces these types; the validator (`validate`)
//! checks them; the translator (`compile`) lowers function bodies to the
//! interpreter's internal code.

pub mod features;
pub mod gc;
pub mod instr;
pub mod module;
pub mod simd;
pub mod types;

pub use features::Features;
pub use gc::*;
pub use instr::*;
pub use module::*;
pub use simd::*;
pub use types::*;
