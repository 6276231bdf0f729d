//! The `wasmint` command line. The binary, the spec-test harness and the
//! Python package (`python -m wasmint`) all enter through [`main`].

pub mod args;
pub mod json;
pub mod wast;

use std::io::Write;

use args::Command;

const HELP: &str = "\
wasmint - a WebAssembly interpreter

Usage:
  wasmint wast PATH... [--json OUT] [--exclude PREFIX]...
      Run .wast spec scripts. PATH is a .wast file or a folder (its *.wast
      files, by name). Prints each failure as FILE:LINE: directive: message,
      a summary per file, and ends with `N passed, M failed`.
      --json OUT         also write per-file and total counts to OUT
      --exclude PREFIX   leave out files whose name starts with PREFIX
                         (repeatable; the output says how many)
  wasmint --version      print the version
  wasmint --help         print this help

Exit status: 0 success, 1 test failures, 2 usage error.
";

/// Runs the command line `args` (program name first); returns the exit status.
pub fn main(args: Vec<String>) -> i32 {
    main_with(&args, &mut std::io::stdout(), &mut std::io::stderr())
}

/// [`main`] with explicit output streams.
pub fn main_with(args: &[String], out: &mut (dyn Write + Send), err: &mut dyn Write) -> i32 {
    let command = args::parse(args.get(1..).unwrap_or_default());
    match command {
        Ok(Command::Help) => {
            let _ = out.write_all(HELP.as_bytes());
            0
        }
        Ok(Command::Version) => {
            let _ = writeln!(out, "wasmint {}", crate::VERSION);
            0
        }
        Ok(Command::Wast(opts)) => wast::run(&opts, out, err),
        Err(e) => {
            let _ = writeln!(err, "wasmint: {e}\n\n{HELP}");
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> (i32, String, String) {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = main_with(&args, &mut out, &mut err);
        (status, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
    }

    #[test]
    fn version_and_help() {
        assert_eq!(run(&["wasmint", "--version"]), (0, format!("wasmint {}\n", crate::VERSION), String::new()));
        let (status, out, _) = run(&["wasmint", "--help"]);
        assert_eq!(status, 0);
        assert!(out.contains("wasmint wast PATH..."));
    }

    #[test]
    fn usage_errors_exit_2() {
        let (status, out, err) = run(&["wasmint"]);
        assert_eq!((status, out.as_str()), (2, ""));
        assert!(err.starts_with("wasmint: no command given"));
        assert_eq!(run(&["wasmint", "wast"]).0, 2);
        assert_eq!(run(&["wasmint", "nope"]).0, 2);
        assert_eq!(run(&[]).0, 2);
    }
}
