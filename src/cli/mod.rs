//! TODO
/// Runs the command line `args` (program name first); returns the exit status.
pub fn main(args: Vec<String>) -> i32 { let _ = args; 0 }
