//! The `name` custom section (spec appendix 7.4), parsed best-effort.
//!
//! A malformed name section is not a decode error (custom sections never
//! are): [`parse`] just returns `None`. Unknown subsections are skipped.

use super::reader::{prealloc, Reader};
use crate::error::Result;
use crate::syntax::Names;

const MODULE: u8 = 0;
const FUNCTIONS: u8 = 1;
const LOCALS: u8 = 2;

/// Parses the contents of a `name` section starting at module offset `base`.
pub(crate) fn parse(data: &[u8], base: usize) -> Option<Names> {
    parse_inner(&mut Reader::with_base(data, base)).ok()
}

fn parse_inner(r: &mut Reader<'_>) -> Result<Names> {
    let mut names = Names::default();
    let mut last_id = None;
    while !r.at_end() {
        let id = r.u8()?;
        // Subsections appear at most once, in increasing id order.
        if last_id.is_some_and(|l| id <= l) {
            return Err(r.error("out-of-order name subsection"));
        }
        last_id = Some(id);
        let size = r.len()?;
        let end = r.pos() + size;
        match id {
            MODULE => names.module = Some(r.name()?.to_owned()),
            FUNCTIONS => names.functions = name_map(r)?,
            LOCALS => {
                let n = r.len()?;
                let mut v = prealloc(n);
                for _ in 0..n {
                    let func = r.u32()?;
                    v.push((func, name_map(r)?));
                }
                names.locals = v;
            }
            _ => {
                r.bytes(size)?;
            }
        }
        if r.pos() != end {
            return Err(r.error("name subsection size mismatch"));
        }
    }
    Ok(names)
}

/// A vector of (index, name) pairs.
fn name_map(r: &mut Reader<'_>) -> Result<Vec<(u32, String)>> {
    let n = r.len()?;
    let mut v = prealloc(n);
    for _ in 0..n {
        let idx = r.u32()?;
        v.push((idx, r.name()?.to_owned()));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_subsections() {
        let data = [
            0, 4, 3, b'm', b'o', b'd', // module name
            1, 5, 1, 7, 2, b'f', b'n', // function 7 = "fn"
            2, 6, 1, 7, 1, 0, 1, b'x', // function 7, local 0 = "x"
            9, 1, 0xff, // unknown subsection, skipped
        ];
        let n = parse(&data, 0).unwrap();
        assert_eq!(n.module.as_deref(), Some("mod"));
        assert_eq!(n.functions, vec![(7, "fn".to_string())]);
        assert_eq!(n.locals, vec![(7, vec![(0, "x".to_string())])]);
    }

    #[test]
    fn malformed_is_none() {
        assert!(parse(&[0, 5, 3, b'm'], 0).is_none());
        assert!(parse(&[1, 2, 1, 0], 0).is_none());
        assert!(parse(&[0, 1, 0, 0, 1, 0], 0).is_none()); // duplicate subsection
        assert!(parse(&[0, 2, 1, 0xff], 0).is_none()); // bad UTF-8
    }
}
