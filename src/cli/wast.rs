//! `wasmint wast`: runs spec scripts and reports every failure.

use std::io::Write;
use std::path::PathBuf;

use super::args::WastOptions;
use super::json;
use crate::script::{self, FileReport};
use crate::syntax::Features;

/// Stack of the thread that runs the scripts: deep (but legal) recursion in
/// the suite, e.g. `call stack exhausted` tests, must reach the engine's own
/// limit before the native stack runs out. Only touched pages are committed.
const STACK_SIZE: usize = 256 << 20;

/// The files to run and the names of the files left out.
#[derive(Debug, PartialEq, Eq)]
pub struct Selection {
    pub files: Vec<PathBuf>,
    pub excluded: Vec<String>,
}

/// Expands folders to their `*.wast` files (sorted by name) and applies
/// `--exclude` to every file, named or found.
///
/// # Errors
/// A path that does not exist, an unreadable folder, or nothing to run.
pub fn select(opts: &WastOptions) -> Result<Selection, String> {
    let mut sel = Selection { files: Vec::new(), excluded: Vec::new() };
    for path in &opts.paths {
        let found = if path.is_dir() {
            script::wast_files(path).map_err(|e| format!("cannot read folder {}: {e}", path.display()))?
        } else if path.is_file() {
            vec![path.clone()]
        } else {
            return Err(format!("no such file or folder: {}", path.display()));
        };
        for file in found {
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if opts.exclude.iter().any(|p| name.starts_with(p.as_str())) {
                sel.excluded.push(name);
            } else {
                sel.files.push(file);
            }
        }
    }
    if sel.files.is_empty() && sel.excluded.is_empty() {
        return Err("no .wast files found".into());
    }
    Ok(sel)
}

/// Runs the command, writing results to `out` and problems to `err`;
/// returns the exit status (0 all passed, 1 failures, 2 usage error).
pub fn run(opts: &WastOptions, out: &mut (dyn Write + Send), err: &mut dyn Write) -> i32 {
    let sel = match select(opts) {
        Ok(sel) => sel,
        Err(e) => {
            let _ = writeln!(err, "wasmint wast: {e}");
            return 2;
        }
    };
    let reports = std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .name("wast".into())
            .stack_size(STACK_SIZE)
            .spawn_scoped(s, || run_files(&sel.files, opts.features, &mut *out));
        match worker {
            Ok(handle) => handle.join().ok(),
            Err(_) => None,
        }
    });
    // Spawning can fail (resource limits): run on this thread instead.
    let reports = reports.unwrap_or_else(|| run_files(&sel.files, opts.features, out));

    let passed: usize = reports.iter().map(|r| r.passed).sum();
    let failed: usize = reports.iter().map(|r| r.failed).sum();
    if !opts.exclude.is_empty() {
        let prefixes: Vec<String> = opts.exclude.iter().map(|p| format!("{p}*")).collect();
        let _ = writeln!(out, "excluded {} files: {}", sel.excluded.len(), prefixes.join(", "));
    }
    if let Some(path) = &opts.json {
        if let Err(e) = std::fs::write(path, json::summary(&reports, &sel.excluded)) {
            let _ = writeln!(err, "wasmint wast: cannot write {}: {e}", path.display());
            let _ = writeln!(out, "{passed} passed, {failed} failed");
            return 2;
        }
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    let _ = out.flush();
    i32::from(failed > 0)
}

/// Runs each file, printing its failures and summary as soon as it is done.
fn run_files(files: &[PathBuf], features: Option<Features>, out: &mut (dyn Write + Send)) -> Vec<FileReport> {
    let mut reports = Vec::with_capacity(files.len());
    for file in files {
        let report = script::run_file_with(file, features.unwrap_or_else(|| script::features_for(file)));
        for f in &report.failures {
            let _ = writeln!(out, "{}:{f}", report.path);
        }
        let _ = writeln!(out, "{}: {} passed, {} failed", report.path, report.passed, report.failed);
        let _ = out.flush();
        reports.push(report);
    }
    reports
}

#[cfg(test)]
mod tests {
    use super::*;

    struct TempDir(PathBuf);
    impl TempDir {
        fn new(tag: &str) -> TempDir {
            let dir = std::env::temp_dir().join(format!("wasmint-cli-{tag}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn opts(paths: Vec<PathBuf>, exclude: &[&str], json: Option<PathBuf>) -> WastOptions {
        WastOptions { paths, json, exclude: exclude.iter().map(|s| s.to_string()).collect(), features: None }
    }

    #[test]
    fn selection_and_exclusion() {
        let dir = TempDir::new("sel");
        for name in ["simd_a.wast", "b.wast", "a.wast", "notes.txt"] {
            std::fs::write(dir.0.join(name), "").unwrap();
        }
        let sel = select(&opts(vec![dir.0.clone()], &["simd_"], None)).unwrap();
        assert_eq!(sel.files, vec![dir.0.join("a.wast"), dir.0.join("b.wast")]);
        assert_eq!(sel.excluded, vec!["simd_a.wast".to_string()]);
        // Named files are subject to --exclude too.
        let sel = select(&opts(vec![dir.0.join("simd_a.wast")], &["simd"], None)).unwrap();
        assert!(sel.files.is_empty());
        assert!(select(&opts(vec![dir.0.join("missing.wast")], &[], None)).unwrap_err().contains("no such"));
        assert!(select(&opts(vec![TempDir::new("empty").0.clone()], &[], None)).is_err());
    }

    /// Scripts whose directives fail without needing the engine.
    #[test]
    fn output_format_and_exit_status() {
        let dir = TempDir::new("out");
        std::fs::write(dir.0.join("a.wast"), "(assert_malformed (module quote \"(func\") \"x\")\n").unwrap();
        std::fs::write(dir.0.join("b.wast"), ";; comment\n(invoke \"f\")\n").unwrap();
        std::fs::write(dir.0.join("simd_c.wast"), "").unwrap();
        let json_path = dir.0.join("out.json");
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = run(&opts(vec![dir.0.clone()], &["simd_"], Some(json_path.clone())), &mut out, &mut err);
        let out = String::from_utf8(out).unwrap();
        let a = dir.0.join("a.wast").display().to_string();
        let b = dir.0.join("b.wast").display().to_string();
        assert_eq!(
            out,
            format!(
                "{a}: 1 passed, 0 failed\n{b}:2: invoke: no module defined yet\n{b}: 0 passed, 1 failed\n\
                 excluded 1 files: simd_*\n1 passed, 1 failed\n"
            )
        );
        assert_eq!(status, 1);
        assert!(err.is_empty());
        let json = std::fs::read_to_string(&json_path).unwrap();
        assert!(json.contains("\"excluded\": [\"simd_c.wast\"]"), "{json}");
        assert!(json.ends_with("\"passed\": 1,\n  \"failed\": 1\n}\n"), "{json}");

        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(run(&opts(vec![dir.0.join("a.wast")], &[], None), &mut out, &mut err), 0);
        assert!(String::from_utf8(out).unwrap().ends_with("\n1 passed, 0 failed\n"));
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(run(&opts(vec![dir.0.join("nope")], &[], None), &mut out, &mut err), 2);
        assert!(String::from_utf8(err).unwrap().contains("no such file"));
    }
}
