//! The JSON summary of `wasmint wast --json`, written by hand.

use std::fmt::Write;

use crate::script::FileReport;

/// Appends `s` as a JSON string literal.
pub fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The summary: per-file counts and failures, excluded files, totals.
pub fn summary(reports: &[FileReport], excluded: &[String]) -> String {
    let mut out = String::from("{\n  \"files\": [");
    for (i, r) in reports.iter().enumerate() {
        out.push_str(if i == 0 { "\n    {\"file\": " } else { ",\n    {\"file\": " });
        string(&mut out, &r.path);
        out.push_str(", \"name\": ");
        string(&mut out, &r.name);
        let _ = write!(out, ", \"passed\": {}, \"failed\": {}, \"failures\": [", r.passed, r.failed);
        for (j, f) in r.failures.iter().enumerate() {
            if j > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "{{\"line\": {}, \"directive\": ", f.line);
            string(&mut out, f.directive);
            out.push_str(", \"message\": ");
            string(&mut out, &f.message);
            out.push('}');
        }
        out.push_str("]}");
    }
    out.push_str(if reports.is_empty() { "],\n  \"excluded\": [" } else { "\n  ],\n  \"excluded\": [" });
    for (i, name) in excluded.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        string(&mut out, name);
    }
    let passed: usize = reports.iter().map(|r| r.passed).sum();
    let failed: usize = reports.iter().map(|r| r.failed).sum();
    let _ = write!(out, "],\n  \"passed\": {passed},\n  \"failed\": {failed}\n}}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::Failure;

    #[test]
    fn escapes() {
        let mut s = String::new();
        string(&mut s, "a\"b\\c\nd\u{1}é");
        assert_eq!(s, r#""a\"b\\c\nd\u0001é""#);
    }

    #[test]
    fn summary_shape() {
        let reports = vec![
            FileReport { path: "d/a.wast".into(), name: "a.wast".into(), passed: 3, failed: 0, failures: vec![] },
            FileReport {
                path: "d/b.wast".into(),
                name: "b.wast".into(),
                passed: 1,
                failed: 1,
                failures: vec![Failure { line: 7, directive: "assert_return", message: "expected \"x\"".into() }],
            },
        ];
        let json = summary(&reports, &["simd_a.wast".into()]);
        assert_eq!(
            json,
            concat!(
                "{\n  \"files\": [\n",
                "    {\"file\": \"d/a.wast\", \"name\": \"a.wast\", \"passed\": 3, \"failed\": 0, \"failures\": []},\n",
                "    {\"file\": \"d/b.wast\", \"name\": \"b.wast\", \"passed\": 1, \"failed\": 1, \"failures\": ",
                "[{\"line\": 7, \"directive\": \"assert_return\", \"message\": \"expected \\\"x\\\"\"}]}\n",
                "  ],\n  \"excluded\": [\"simd_a.wast\"],\n  \"passed\": 4,\n  \"failed\": 1\n}\n"
            )
        );
        assert_eq!(
            summary(&[], &[]),
            "{\n  \"files\": [],\n  \"excluded\": [],\n  \"passed\": 0,\n  \"failed\": 0\n}\n"
        );
    }
}
