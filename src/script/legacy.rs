//! The folded form of the legacy exception-handling `try` in scripts
//! (`../legacy/` of the 3.0 suite): `(try $l? bt (do ...) (catch $e ...)*
//! (catch_all ...)?)` and `(try $l? bt (do ...) (delegate $l))`. The
//! `wast` crate parses only the flat form (`try ... catch ... end`), so
//! such groups are rewritten to it before parsing, keeping every line
//! break where it was (failures keep their line numbers).

/// The script with its folded `try` groups flattened, or `None` if it has
/// none.
pub(crate) fn unfold(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 64);
    let changed = rewrite(text, &mut out);
    changed.then_some(out)
}

/// Copies `src` to `out`, flattening folded `try` groups; whether there
/// was one.
fn rewrite(src: &str, out: &mut String) -> bool {
    let b = src.as_bytes();
    let mut i = 0;
    let mut start = 0;
    let mut changed = false;
    while i < b.len() {
        match b[i] {
            b'"' | b';' => i = skip_literal(b, i),
            b'(' if b.get(i + 1) == Some(&b';') => i = skip_literal(b, i),
            b'(' if keyword(b, i + 1) == "try" => {
                let end = group_end(b, i);
                out.push_str(&src[start..i]);
                flatten_try(&src[i..end], out);
                changed = true;
                i = end;
                start = end;
            }
            _ => i += 1,
        }
    }
    out.push_str(&src[start..]);
    changed
}

/// The atom at `i` (up to a space, a parenthesis or a quote).
fn keyword(b: &[u8], i: usize) -> &str {
    let end = b[i.min(b.len())..]
        .iter()
        .position(|c| c.is_ascii_whitespace() || matches!(c, b'(' | b')' | b'"' | b';'))
        .map_or(b.len(), |n| i + n);
    std::str::from_utf8(&b[i.min(end)..end]).unwrap_or("")
}

/// Past the string or comment at `i` (a lone `;` is one byte).
fn skip_literal(b: &[u8], i: usize) -> usize {
    match (b[i], b.get(i + 1)) {
        (b'"', _) => {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            (j + 1).min(b.len())
        }
        (b';', Some(b';')) => b[i..].iter().position(|&c| c == b'\n').map_or(b.len(), |n| i + n),
        (b'(', Some(b';')) => {
            let (mut j, mut depth) = (i + 2, 1);
            while j < b.len() && depth > 0 {
                if b[j..].starts_with(b";)") {
                    depth -= 1;
                    j += 2;
                } else if b[j..].starts_with(b"(;") {
                    depth += 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            j
        }
        _ => i + 1,
    }
}

/// Past the parenthesised group that starts at `i`.
fn group_end(b: &[u8], i: usize) -> usize {
    let (mut j, mut depth) = (i, 0usize);
    while j < b.len() {
        match b[j] {
            b'"' | b';' => {
                j = skip_literal(b, j);
                continue;
            }
            b'(' if b.get(j + 1) == Some(&b';') => {
                j = skip_literal(b, j);
                continue;
            }
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
        j += 1;
    }
    b.len()
}

/// Writes the flat form of the folded `try` group `g`.
fn flatten_try(g: &str, out: &mut String) {
    let b = g.as_bytes();
    // Past `(try`; the group's last byte is its `)` (if it is whole).
    let close = if b.last() == Some(&b')') { b.len() - 1 } else { b.len() };
    out.push_str(" try");
    let mut i = 4;
    let mut start = i;
    let mut delegated = false;
    while i < close {
        match b[i] {
            b'"' | b';' => i = skip_literal(b, i),
            b'(' if b.get(i + 1) == Some(&b';') => i = skip_literal(b, i),
            b'(' => {
                let end = group_end(b, i).min(close);
                let kw = keyword(b, i + 1);
                let inner_end = if b[end - 1] == b')' { end - 1 } else { end };
                match kw {
                    "do" | "catch" | "catch_all" | "delegate" => {
                        out.push_str(&g[start..i]);
                        out.push(' ');
                        if kw != "do" {
                            out.push_str(kw);
                        }
                        rewrite(&g[i + 1 + kw.len()..inner_end], out);
                        out.push(' ');
                        delegated |= kw == "delegate";
                        start = end;
                    }
                    _ => {}
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    out.push_str(&g[start..close]);
    if !delegated {
        out.push_str(" end");
    }
}

#[cfg(test)]
mod tests {
    use super::unfold;

    #[test]
    fn flattens_catch_arms_and_delegate_keeping_lines() {
        let text = "(func (try $t (result i32)\n (do (i32.const 1))\n (catch $e (i32.const 2)) (catch_all (i32.const 3))))";
        let flat = unfold(text).expect("a try");
        assert_eq!(flat.matches('\n').count(), 2);
        let words: Vec<&str> = flat.split_whitespace().collect();
        assert_eq!(
            words,
            ["(func", "try", "$t", "(result", "i32)", "(i32.const", "1)", "catch", "$e", "(i32.const", "2)", "catch_all", "(i32.const", "3)", "end)"]
        );
        let nested = unfold("(try (do (try (do) (delegate 0))) (catch_all))").expect("a try");
        assert_eq!(nested.split_whitespace().collect::<Vec<_>>(), ["try", "try", "delegate", "0", "catch_all", "end"]);
        assert_eq!(unfold("(try_table (do)) \"(try\" ;; (try\n"), None);
    }
}
