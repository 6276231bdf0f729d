//! The spec conformance test: runs every `.wast` file of the WebAssembly
//! 2.0 test suite, every top-level file of the 3.0 suite (named `3.0/FILE`
//! here) and the 3.0 folders in `SUITE3_FOLDERS` (legacy exception
//! handling, two proposals), through
//! `wasmint::script` and compares the failures with
//! `spec-tests/expected-failures.txt`.
//!
//! `cargo test --test spec [-- NAME...]` (only files whose name contains
//! one of the NAMEs). The suite folder is `$WASMINT_TESTSUITE`, else
//! `../shared/wasm-testsuite-2.0` next to the crate (or `../../shared/...`,
//! for a git worktree); the 3.0 suite's is `$WASMINT_TESTSUITE3`, else
//! `wasm-testsuite` beside it. `WASMINT_BLESS=1`
//! rewrites the expectations file from the current failures (keeping the
//! reasons of entries that still fail). `WASMINT_SPEC_TIMEOUT=SECS` bounds
//! each file (default 300).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use wasmint::script::{self, Failure, FileReport};

/// How files of the 3.0 suite are named in reports and expectations.
const SUITE3: &str = "3.0/";

/// Folders of the 3.0 suite run whole (named `3.0/FOLDER/FILE`): the legacy
/// exception handling, and two proposals.
const SUITE3_FOLDERS: [&str; 3] = ["legacy", "proposals/custom-page-sizes", "proposals/wide-arithmetic"];

fn suite3_dir(suite: &Path) -> PathBuf {
    match std::env::var_os("WASMINT_TESTSUITE3") {
        Some(dir) => dir.into(),
        None => suite.parent().unwrap_or(Path::new(".")).join("wasm-testsuite"),
    }
}
/// Room for deep recursion before the engine's call-depth limit triggers.
const STACK_SIZE: usize = 256 << 20;
/// Seconds one file may take (`WASMINT_SPEC_TIMEOUT`); the whole suite
/// takes a few seconds in release mode.
const DEFAULT_TIMEOUT: u64 = 300;

/// `file.wast:LINE` → reason.
type Expectations = BTreeMap<(String, usize), String>;

fn main() -> ExitCode {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let suite = script::default_suite_dir();
    let list_path = manifest.join("spec-tests/expected-failures.txt");
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let bless = std::env::var_os("WASMINT_BLESS").is_some_and(|v| v == "1");

    let files = match script::wast_files(&suite) {
        Ok(files) if !files.is_empty() => files,
        Ok(_) => return fail(&format!("no .wast files in the test suite folder {}", suite.display())),
        Err(e) => {
            return fail(&format!(
                "cannot read the test suite folder {}: {e}\n\
                 set WASMINT_TESTSUITE to the folder holding the WebAssembly 2.0 .wast files",
                suite.display()
            ))
        }
    };
    let expected = match read_expectations(&list_path) {
        Ok(e) => e,
        Err(e) => return fail(&e),
    };

    let suite3 = suite3_dir(&suite);
    let files3 = match script::wast_files(&suite3) {
        Ok(files) if !files.is_empty() => files,
        Ok(_) => return fail(&format!("no .wast files in the 3.0 test suite folder {}", suite3.display())),
        Err(e) => {
            return fail(&format!(
                "cannot read the 3.0 test suite folder {}: {e}\n\
                 set WASMINT_TESTSUITE3 to the folder holding the WebAssembly 3.0 .wast files",
                suite3.display()
            ))
        }
    };
    let name_of = |p: &PathBuf| p.file_name().unwrap().to_string_lossy().into_owned();
    let wanted = |name: &str| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()));
    let files: Vec<_> = files.into_iter().filter(|p| wanted(&name_of(p))).collect();
    let files3: Vec<_> =
        files3.into_iter().filter(|p| wanted(&format!("{SUITE3}{}", name_of(p)))).collect();
    println!("test suite: {} ({} files)", suite.display(), files.len());
    println!("3.0 test suite: {} ({} files, and the folders {})", suite3.display(), files3.len(), SUITE3_FOLDERS.join(", "));

    let timeout = std::env::var("WASMINT_SPEC_TIMEOUT").ok().and_then(|t| t.parse().ok()).unwrap_or(DEFAULT_TIMEOUT);
    let mut reports = run_all(&files, Duration::from_secs(timeout));
    for mut r in run_all(&files3, Duration::from_secs(timeout)) {
        r.name = format!("{SUITE3}{}", r.name);
        reports.push(r);
    }
    for folder in SUITE3_FOLDERS {
        let prefix = format!("{SUITE3}{folder}/");
        let files = match script::wast_files(&suite3.join(folder)) {
            Ok(files) if !files.is_empty() => files,
            _ => return fail(&format!("no .wast files in {}", suite3.join(folder).display())),
        };
        let files: Vec<_> = files.into_iter().filter(|p| wanted(&format!("{prefix}{}", name_of(p)))).collect();
        for mut r in run_all(&files, Duration::from_secs(timeout)) {
            r.name = format!("{prefix}{}", r.name);
            reports.push(r);
        }
    }

    // Compare with the expectations.
    let mut passed = 0;
    let mut unexpected = 0;
    let mut expected_seen = BTreeSet::new();
    for report in &reports {
        let mut expected_here = 0;
        for f in &report.failures {
            let key = (report.name.clone(), f.line);
            if expected.contains_key(&key) {
                expected_here += 1;
                println!("expected failure {}:{f}", report.name);
                expected_seen.insert(key);
            } else {
                unexpected += 1;
                println!("FAIL {}:{f}", report.name);
            }
        }
        passed += report.passed;
        println!(
            "{}: {} passed, {} failed{}",
            report.name,
            report.passed,
            report.failed - expected_here,
            if expected_here > 0 { format!(" ({expected_here} expected failures)") } else { String::new() }
        );
    }
    // A listed failure that no longer fails, in a file that ran, makes the
    // list stale; so does an entry for a file the suite does not have.
    let ran: BTreeSet<&str> = reports.iter().map(|r| r.name.as_str()).collect();
    let list = |dir: &Path, prefix: &str| -> Vec<String> {
        std::fs::read_dir(dir)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| format!("{prefix}{}", e.file_name().to_string_lossy())).collect())
            .unwrap_or_default()
    };
    let folders = SUITE3_FOLDERS.iter().flat_map(|f| list(&suite3.join(f), &format!("{SUITE3}{f}/")));
    let known: BTreeSet<String> = list(&suite, "").into_iter().chain(list(&suite3, SUITE3)).chain(folders).collect();
    let mut stale = 0;
    for (file, line) in expected.keys() {
        let gone = !known.contains(file);
        if gone || (ran.contains(file.as_str()) && !expected_seen.contains(&(file.clone(), *line))) {
            stale += 1;
            let why = if gone { "no such file in the suite" } else { "now passes" };
            println!("STALE {file}:{line}: listed in expected-failures.txt but {why}; remove it");
        }
    }

    if bless && filters.is_empty() {
        match write_expectations(&list_path, &reports, &expected) {
            Ok(n) => println!("blessed: wrote {n} entries to {}", list_path.display()),
            Err(e) => return fail(&format!("cannot write {}: {e}", list_path.display())),
        }
        println!("{passed} passed, {unexpected} failed (before blessing)");
        return ExitCode::SUCCESS;
    }

    println!("{} expected failures (spec-tests/expected-failures.txt)", expected_seen.len());
    if stale > 0 {
        println!("{stale} stale entries in spec-tests/expected-failures.txt");
    }
    println!("{passed} passed, {unexpected} failed");
    if unexpected > 0 || (stale > 0 && !bless) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Runs each file on its own thread, so that a hang (an engine bug) costs
/// that file only: after `timeout` it counts as one failure and the run
/// moves on (the stuck thread dies when the process exits).
fn run_all(files: &[PathBuf], timeout: Duration) -> Vec<FileReport> {
    let mut reports = Vec::with_capacity(files.len());
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let (tx, rx) = mpsc::channel();
        let path = file.clone();
        let spawned = std::thread::Builder::new()
            .name(name.clone())
            .stack_size(STACK_SIZE)
            .spawn(move || tx.send(script::run_file(&path)));
        let broken = |message: String| FileReport {
            path: file.display().to_string(),
            name: name.clone(),
            passed: 0,
            failed: 1,
            failures: vec![Failure { line: 0, directive: "run", message }],
        };
        let report = match spawned {
            Err(e) => broken(format!("cannot spawn a thread: {e}")),
            Ok(_) => match rx.recv_timeout(timeout) {
                Ok(report) => report,
                Err(RecvTimeoutError::Timeout) => {
                    broken(format!("timed out after {} s (set WASMINT_SPEC_TIMEOUT to change)", timeout.as_secs()))
                }
                Err(RecvTimeoutError::Disconnected) => broken("the runner panicked".into()),
            },
        };
        reports.push(report);
    }
    reports
}

fn fail(message: &str) -> ExitCode {
    eprintln!("spec tests: {message}");
    println!("spec tests FAILED: {message}");
    ExitCode::FAILURE
}

/// Reads `file.wast:LINE  # reason` lines; blank lines and lines starting
/// with `#` are comments.
fn read_expectations(path: &Path) -> Result<Expectations, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let mut out = Expectations::new();
    for (i, raw) in text.lines().enumerate() {
        let (entry, reason) = raw.split_once('#').unwrap_or((raw, ""));
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        let bad = || format!("{}:{}: expected `file.wast:LINE  # reason`, got `{raw}`", path.display(), i + 1);
        let (file, line) = entry.rsplit_once(':').ok_or_else(bad)?;
        let line: usize = line.trim().parse().map_err(|_| bad())?;
        if !file.ends_with(".wast") || file.strip_prefix(SUITE3).unwrap_or(file).contains('/') {
            return Err(bad());
        }
        if out.insert((file.to_string(), line), reason.trim().to_string()).is_some() {
            return Err(format!("{}:{}: duplicate entry {entry}", path.display(), i + 1));
        }
    }
    Ok(out)
}

/// Writes the current failures as the expectations; returns the count.
fn write_expectations(path: &Path, reports: &[FileReport], old: &Expectations) -> std::io::Result<usize> {
    let mut text = String::from(
        "# Known spec-suite failures: `file.wast:LINE  # reason`, one per line.\n\
         # The spec test fails on any failure not listed here AND on any listed\n\
         # entry that passes now, so keep this list exact.\n",
    );
    let mut n = 0;
    for r in reports {
        for f in &r.failures {
            let reason = match old.get(&(r.name.clone(), f.line)) {
                Some(reason) if !reason.is_empty() => reason.clone(),
                _ => {
                    let mut s = format!("{}: {}", f.directive, f.message);
                    if s.len() > 150 {
                        let mut cut = 150;
                        while !s.is_char_boundary(cut) {
                            cut -= 1;
                        }
                        s.truncate(cut);
                        s.push('…');
                    }
                    s
                }
            };
            text.push_str(&format!("{}:{}  # {}\n", r.name, f.line, reason.replace('\n', " ")));
            n += 1;
        }
    }
    std::fs::write(path, text)?;
    Ok(n)
}
