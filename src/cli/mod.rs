//! The `wasmint` command line. The binary, the spec-test harness and the
//! Python package (`python -m wasmint`) all enter through [`main`].

pub mod args;
mod ctrl_c;
pub mod json;
#[cfg(unix)]
pub mod run;
pub mod wast;

use std::io::Write;

use args::Command;

/// The `run` part of [`HELP`], which `wasmint run --help` prints alone.
macro_rules! run_help {
    () => {
        "  wasmint run [--dir HOST[::GUEST]]... [--env NAME=VALUE]... [--inherit-env]
              [--invoke FUNC] [--compile eager|lazy] [--code-stats]
              [--fuel N] [--timeout SECONDS] [--max-memory SIZE]
              FILE.wasm|FILE.wat [ARGS...]
      Run a WASI program: its `_start`; for a reactor (exports
      `_initialize`), `_initialize` first (and only it, if there is no
      `_start`). It sees only the mapped directories (HOST as GUEST, default
      GUEST = HOST), only the variables given (all of the host's with
      --inherit-env), and FILE ARGS as its arguments. Exit status: the
      program's exit code; 134 on a trap; 1 if FILE cannot be loaded or
      linked; 130 when stopped by Ctrl-C (SIGINT).
      A component (component model) runs with WASI 0.2: a command (it
      exports `wasi:cli/run`) like a module; with --invoke 'F(ARGS)' its
      function F (top-level or of an exported interface) is called with
      ARGS in WIT value syntax, e.g. --invoke 'run(7, {x: 1, y: 2})', and
      the result printed the same way.
      --invoke FUNC      call the export FUNC instead of `_start`, with ARGS
                         as its arguments, read by its parameter types
                         (integers; floats, also nan, inf, -inf), and print
                         its results, one a line (exit status 2 if ARGS do
                         not fit)
      --compile eager    translate every function before running (default
                         lazy: each function on its first call)
      --code-stats       print the size of the translated code to stderr
      --fuel N           stop the program (a trap, status 134) once it has
                         made N function calls and loop iterations
      --timeout SECONDS  stop the program (a trap, status 134) after SECONDS
                         (a decimal number) of running
      --max-memory SIZE  the most linear memory the program may have, in
                         all: bytes, or with K, M, G (powers of 1024), e.g.
                         64M; a module needing more fails to load (1), and
                         memory.grow beyond it returns -1 (default: 4 GiB
                         per memory)
      --help, -h         print this part of the help
"
    };
}

const HELP: &str = concat!(
    "\
wasmint - a WebAssembly interpreter

Usage:
  wasmint wast PATH... [--json OUT] [--exclude PREFIX]... [--features 2.0|3.0|all]
      Run .wast spec scripts. PATH is a .wast file or a folder (its *.wast
      files, by name). Prints each failure as FILE:LINE: directive: message,
      a summary per file, and ends with `N passed, M failed`.
      --json OUT         also write per-file and total counts to OUT
      --exclude PREFIX   leave out files whose name starts with PREFIX
                         (repeatable; the output says how many)
      --features 2.0|3.0|all  the features files are read with (default:
                         2.0 in a folder whose name ends in 2.0, such as
                         wasm-testsuite-2.0; all, the proposals too, under
                         a folder named proposals; else 3.0)
",
    run_help!(),
    "  wasmint disasm FILE.wasm|FILE.wat [FUNC]...
      Print the engine's translation of the defined functions (all, or
      each FUNC: an export name or a function index): a developer's view.
  wasmint --version      print the version
  wasmint --help         print this help

Exit status: 0 success, 1 test failures, 2 usage error.
"
);

/// Runs the command line `args` (program name first); returns the exit status.
pub fn main(args: Vec<String>) -> i32 {
    main_with(&args, &mut std::io::stdout(), &mut std::io::stderr())
}

/// [`main`] with explicit output streams.
pub fn main_with(args: &[String], out: &mut (dyn Write + Send), err: &mut dyn Write) -> i32 {
    #[cfg(unix)]
    if args.get(1).map(String::as_str) == Some("run") {
        return match run::parse(&args[2..]) {
            Ok(opts) if opts.help => {
                let _ = write!(out, "Usage:\n{}", run_help!());
                0
            }
            Ok(opts) => run::run(&opts, err),
            Err(e) => {
                let _ = writeln!(err, "wasmint: {e}\n\n{HELP}");
                2
            }
        };
    }
    if args.get(1).map(String::as_str) == Some("disasm") {
        return disasm(&args[2..], out, err);
    }
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

/// `wasmint disasm FILE [FUNC]...`.
fn disasm(args: &[String], out: &mut (dyn Write + Send), err: &mut dyn Write) -> i32 {
    let Some(file) = args.first() else {
        let _ = writeln!(err, "wasmint: disasm needs a file\n\n{HELP}");
        return 2;
    };
    let module = match std::fs::read(file).map_err(|e| e.to_string()).and_then(|b| {
        let b = if file.ends_with(".wat") { wat::parse_bytes(&b).map_err(|e| e.to_string())?.into_owned() } else { b };
        crate::Module::new(&b).map_err(|e| e.to_string())
    }) {
        Ok(m) => m,
        Err(e) => {
            let _ = writeln!(err, "wasmint disasm: {file}: {e}");
            return 1;
        }
    };
    let m = module.syntax();
    let imported = m.num_imported_funcs();
    let mut funcs: Vec<usize> = Vec::new();
    for a in &args[1..] {
        let by_export = m.exports.iter().find_map(|e| match e.desc {
            crate::syntax::ExportDesc::Func(i) if e.name == *a => Some(i as usize),
            _ => None,
        });
        match by_export.or_else(|| a.parse().ok()).filter(|&i| i >= imported && i < imported + m.codes.len()) {
            Some(i) => funcs.push(i),
            None => {
                let _ = writeln!(err, "wasmint disasm: no defined function {a:?}");
                return 1;
            }
        }
    }
    if funcs.is_empty() {
        funcs = (imported..imported + m.codes.len()).collect();
    }
    for i in funcs {
        let Ok(code) = crate::compile::portable_code(m, i - imported) else { continue };
        let _ = writeln!(
            out,
            "func {i}: frame {} slots, {} params, {} locals zeroed (from declared local {}), {} words",
            code[0],
            code[1],
            code[2],
            code[3],
            code.len()
        );
        let _ = write!(out, "{}", crate::compile::ops::disassemble(&code[crate::compile::CODE_HEADER..]));
    }
    0
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
        // The `run` part, shared with `wasmint run --help`, keeps its indent.
        assert!(out.contains("a folder named proposals; else 3.0)\n  wasmint run [--dir"));
        assert!(out.contains("print this part of the help\n  wasmint disasm FILE"));
        let (status, run_help, _) = run(&["wasmint", "run", "-h"]);
        assert_eq!((status, run_help.as_str()), (0, format!("Usage:\n{}", run_help!()).as_str()));
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
