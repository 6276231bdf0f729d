//! The `.wast` script format of the spec test suite: a runner that checks
//! every directive of a script against wasmint, and the `spectest` host
//! module scripts import from (cf. the reference interpreter's `script/`
//! and `host/spectest.ml`).
//!
//! Scripts are parsed with the `wast` crate; every module goes through
//! wasmint's own decoder, validator and engine. Each script runs in a fresh
//! [`Store`](crate::Store). Every directive counts once, as passed or
//! failed; a failure never stops the script.
//!
//! ```no_run
//! let report = wasmint::script::run_file(std::path::Path::new("i32.wast"));
//! for f in &report.failures {
//!     println!("{}:{}", report.path, f);
//! }
//! println!("{}: {} passed, {} failed", report.name, report.passed, report.failed);
//! ```

mod legacy;
mod run;
#[cfg(test)]
mod simd_check;
pub mod spectest;
mod values;

use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Once;

use wast::parser::{self, ParseBuffer};
use crate::syntax::Features;

/// A directive that did not pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// 1-based line where the directive starts.
    pub line: usize,
    /// The directive keyword (`assert_return`, `module`, ...).
    pub directive: &'static str,
    /// `expected …, got …`, or why the directive could not run.
    pub message: String,
}

impl fmt::Display for Failure {
    /// `LINE: directive: message`; prefix it with the file name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.line, self.directive, self.message)
    }
}

/// The result of running one script.
#[derive(Clone, Debug, Default)]
pub struct FileReport {
    /// The path as given.
    pub path: String,
    /// The file name (`i32.wast`).
    pub name: String,
    /// Directives that passed.
    pub passed: usize,
    /// Directives that failed (= `failures.len()`).
    pub failed: usize,
    /// The failures in script order.
    pub failures: Vec<Failure>,
}

/// Runs the script at `path`. A file that cannot be read or parsed counts
/// as one failure.
pub fn run_file(path: &Path) -> FileReport {
    run_file_with(path, features_for(path))
}

/// The features a script is run with: WebAssembly 2.0 for a file in a
/// folder whose name ends in `2.0` (the 2.0 suite, `wasm-testsuite-2.0`,
/// where some encodings mean something else than in 3.0: a reserved zero
/// byte where 3.0 reads a memory index, a second memory that is invalid);
/// everything wasmint supports for a file under a `proposals` folder (a
/// proposal's tests); else WebAssembly 3.0 (whose suite refuses what the
/// proposals add: the custom-page-size bit of memory limits is malformed).
pub fn features_for(path: &Path) -> Features {
    let dir = path.parent().and_then(|d| d.file_name()).map(|n| n.to_string_lossy().into_owned());
    if dir.is_some_and(|d| d.ends_with("2.0")) {
        Features::WASM2
    } else if path.ancestors().any(|a| a.file_name().is_some_and(|n| n == "proposals")) {
        Features::ALL
    } else {
        Features::WASM3
    }
}

/// [`run_file`] with the given features.
pub fn run_file_with(path: &Path, features: Features) -> FileReport {
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let mut report = match std::fs::read(path) {
        Err(e) => FileReport::broken(&name, 0, "read", format!("cannot read file: {e}")),
        Ok(bytes) => match String::from_utf8(bytes) {
            Err(_) => FileReport::broken(&name, 0, "read", "file is not UTF-8".into()),
            Ok(text) => run_text_with(&name, &text, features),
        },
    };
    report.path = path.display().to_string();
    report
}

/// The `*.wast` files of a folder, sorted by name.
///
/// # Errors
/// When the folder cannot be read.
pub fn wast_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "wast") && path.is_file() {
            files.push(path);
        }
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(files)
}

/// The folder of the WebAssembly 2.0 test suite for this crate's tests:
/// `$WASMINT_TESTSUITE`, else `../shared/wasm-testsuite-2.0` beside the
/// crate (or one level further up, from a git worktree). Never copied in.
pub fn default_suite_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("WASMINT_TESTSUITE") {
        return dir.into();
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let near = manifest.join("../shared/wasm-testsuite-2.0");
    let far = manifest.join("../../shared/wasm-testsuite-2.0");
    if !near.is_dir() && far.is_dir() {
        far
    } else {
        near
    }
}

/// Runs a script given as text; `name` names it in the report.
pub fn run_text(name: &str, text: &str) -> FileReport {
    run_text_with(name, text, Features::default())
}

/// [`run_text`] with the given features.
pub fn run_text_with(name: &str, text: &str, features: Features) -> FileReport {
    let flat = legacy::unfold(text);
    let text = flat.as_deref().unwrap_or(text);
    let lines = LineIndex::new(text);
    // The suite uses bidi control characters on purpose (names.wast).
    let mut lexer = wast::lexer::Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let buf = match ParseBuffer::new_with_lexer(lexer) {
        Ok(buf) => buf,
        Err(e) => return FileReport::broken(name, lines.line(e.span().offset()), "parse", e.message()),
    };
    let script = match parser::parse::<wast::Wast<'_>>(&buf) {
        Ok(script) => script,
        Err(e) => return FileReport::broken(name, lines.line(e.span().offset()), "parse", e.message()),
    };
    let mut report = FileReport { path: name.to_string(), name: name.to_string(), ..FileReport::default() };
    let (passed, failed) =
        run::run_directives(script.directives, features, |span| lines.line(span.offset()), &mut report.failures);
    report.passed = passed;
    report.failed = failed;
    report
}

impl FileReport {
    fn broken(name: &str, line: usize, directive: &'static str, message: String) -> FileReport {
        FileReport {
            path: name.to_string(),
            name: name.to_string(),
            passed: 0,
            failed: 1,
            failures: vec![Failure { line, directive, message }],
        }
    }
}

/// Byte offset → 1-based line number, by binary search over line starts
/// (the `wast` crate's `Span::linecol_in` rescans the text on every call,
/// which is quadratic when a file has thousands of failures).
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// Same as `Span::linecol_in(text).0 + 1`.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

thread_local! {
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f`, turning a panic into an error message so that one bug in the
/// engine costs one directive rather than the whole run. Panics inside `f`
/// are not printed (the message lands in the failure instead); other
/// panics go to the previous hook as before.
pub(crate) fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CATCHING.with(Cell::get) {
                let text = info.to_string().replace('\n', " ");
                LAST_PANIC.with(|p| *p.borrow_mut() = Some(text));
            } else {
                previous(info);
            }
        }));
    });
    let was = CATCHING.with(|c| c.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(was));
    result.map_err(|_| LAST_PANIC.with(|p| p.borrow_mut().take()).unwrap_or_else(|| "panicked".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wast::token::Span;

    #[test]
    fn line_numbers_agree_with_wast() {
        let text = "(module)\n\n  (assert_return\r\n (invoke \"f\"))\nlast";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() {
            let (line, _) = Span::from_offset(offset).linecol_in(text);
            assert_eq!(index.line(offset), line + 1, "offset {offset}");
        }
    }

    #[test]
    fn failure_lines_point_at_directives() {
        // Decoding is not needed to see these fail: no module is defined.
        let text = "(invoke \"f\")\n\n(assert_return (invoke \"g\") (i32.const 1))\n(register \"m\" $nope)";
        let report = run_text("t.wast", text);
        assert_eq!((report.passed, report.failed), (0, 3));
        let lines: Vec<_> = report.failures.iter().map(|f| (f.line, f.directive)).collect();
        assert_eq!(lines, [(1, "invoke"), (3, "assert_return"), (4, "register")]);
        assert_eq!(report.failures[0].message, "no module defined yet");
        assert_eq!(report.failures[2].message, "unknown module $nope");
    }

    #[test]
    fn parse_errors_count_as_one_failure() {
        let report = run_text("bad.wast", "(module)\n(assert_return (invoke \"f\") (i32.const))");
        assert_eq!((report.passed, report.failed), (0, 1));
        assert_eq!(report.failures[0].directive, "parse");
        assert_eq!(report.failures[0].line, 2);
    }

    #[test]
    fn malformed_text_passes_on_any_text_error() {
        // The quoted text does not parse; that is all a text module needs.
        let text = "(assert_malformed (module quote \"(func (i32.const nan))\") \"unexpected token\")";
        let report = run_text("t.wast", text);
        assert_eq!((report.passed, report.failed), (1, 0), "{:?}", report.failures);
    }

    #[test]
    fn panics_become_failures() {
        assert_eq!(catch_panic(|| 5), Ok(5));
        let err = catch_panic(|| -> u32 { panic!("boom {}", 1) }).unwrap_err();
        assert!(err.contains("boom 1"), "{err}");
        assert!(err.contains("mod.rs"), "{err}");
    }

    #[test]
    fn trap_message_rule() {
        use run::trap_message_matches as m;
        assert!(m("uninitialized element", "uninitialized element"));
        assert!(m("uninitialized element 2", "uninitialized element"));
        assert!(m("out of bounds", "out of bounds memory access"));
        assert!(!m("integer overflow", "integer divide by zero"));
        assert!(!m("unreachable", ""));
    }

    #[test]
    fn folder_listing_is_sorted_wast_only() {
        let dir = std::env::temp_dir().join(format!("wasmint-script-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub.wast")).unwrap();
        for name in ["b.wast", "a.wast", "c.wat", "a.wast.bak"] {
            std::fs::write(dir.join(name), "").unwrap();
        }
        let names: Vec<_> = wast_files(&dir).unwrap().iter().map(|p| p.file_name().unwrap().to_owned()).collect();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(names, ["a.wast", "b.wast"]);
    }

    #[test]
    fn missing_file_is_a_failure() {
        let report = run_file(Path::new("/nonexistent/x.wast"));
        assert_eq!((report.name.as_str(), report.failed), ("x.wast", 1));
        assert!(report.failures[0].message.starts_with("cannot read file"));
    }
}

/// Every SIMD instruction once, with constant operands and its result
/// dropped, one per line: the body of the loops that check that no SIMD
/// handler grows the native stack (in the library's and the CLI's builds).
#[doc(hidden)]
pub fn every_simd_instruction() -> String {
    use crate::syntax::{SimdImmKind, SimdOp, ValType};
    let mut body = String::new();
    for op in SimdOp::ALL {
        let (ins, out) = op.signature();
        for t in ins {
            body += match t {
                ValType::V128 => "(v128.const i64x2 0 0) ",
                ValType::I32 => "(i32.const 0) ",
                ValType::I64 => "(i64.const 0) ",
                ValType::F32 => "(f32.const 0) ",
                _ => "(f64.const 0) ",
            };
        }
        body += op.name();
        body += match op.imm_kind() {
            SimdImmKind::None | SimdImmKind::Mem { .. } => "",
            SimdImmKind::Lane { .. } | SimdImmKind::MemLane { .. } => " 0",
            SimdImmKind::Const => " i64x2 1 2",
            SimdImmKind::Shuffle => " 0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 31",
        };
        body += if out.is_some() { " drop\n" } else { "\n" };
    }
    body
}
