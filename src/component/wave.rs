//! Component values as text, in the WAVE syntax that `wasmtime run
//! --invoke` uses: `f(1, "x", {a: 1}, [1, 2], some(3), ok("y"), circle(1.5))`.
//! Parsing is directed by the expected type; printing is its inverse.

use super::types::{Prim, Type, Val};

/// Parses `name(args...)`: the function name and the argument texts'
/// parser positions (the arguments are parsed once the types are known).
///
/// # Errors
/// A message naming what is malformed.
pub fn split_call(text: &str) -> Result<(String, String), String> {
    let text = text.trim();
    let Some(open) = text.find('(') else {
        return Err(format!("`{text}`: expected a call such as `name(1, \"x\")`"));
    };
    if !text.ends_with(')') {
        return Err(format!("`{text}`: a call must end with `)`"));
    }
    Ok((text[..open].trim().to_owned(), text[open + 1..text.len() - 1].to_owned()))
}

/// Parses comma-separated values of `types`.
///
/// # Errors
/// A message naming the value that does not parse as its type.
pub fn parse_args(text: &str, types: &[&Type]) -> Result<Vec<Val>, String> {
    let mut p = Parser { s: text.as_bytes(), pos: 0 };
    let mut out = Vec::new();
    for (k, t) in types.iter().enumerate() {
        if k > 0 {
            p.expect(b',')?;
        }
        out.push(p.value(t)?);
    }
    p.ws();
    if p.peek() == Some(b',') {
        p.pos += 1;
        p.ws();
    }
    if p.pos < p.s.len() {
        return Err(format!("expected {} argument{}, found more at `{}`", types.len(), if types.len() == 1 { "" } else { "s" }, p.rest()));
    }
    Ok(out)
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }
    fn rest(&self) -> String {
        String::from_utf8_lossy(&self.s[self.pos.min(self.s.len())..]).chars().take(30).collect()
    }
    fn expect(&mut self, c: u8) -> Result<(), String> {
        self.ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("expected `{}` at `{}`", c as char, self.rest()))
        }
    }
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    /// A bare word: a label (`some`, `red`, `machine-id`) or a number.
    fn word(&mut self) -> String {
        self.ws();
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'+' | b'%')) {
            self.pos += 1;
        }
        let w = String::from_utf8_lossy(&self.s[start..self.pos]).into_owned();
        w.strip_prefix('%').map(str::to_owned).unwrap_or(w)
    }
    fn quoted(&mut self, q: u8) -> Result<String, String> {
        self.ws();
        if self.peek() != Some(q) {
            return Err(format!("expected a {} at `{}`", if q == b'"' { "string" } else { "char" }, self.rest()));
        }
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return Err("unterminated quote".into()),
                Some(c) if c == q => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = self.peek().ok_or("unterminated escape")?;
                    self.pos += 1;
                    match c {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'\\' | b'"' | b'\'' => out.push(c),
                        b'u' => {
                            self.expect(b'{')?;
                            let hex = self.word();
                            self.expect(b'}')?;
                            let ch = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32).ok_or(format!("bad escape \\u{{{hex}}}"))?;
                            out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                        }
                        _ => return Err(format!("unknown escape \\{}", c as char)),
                    }
                }
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
        String::from_utf8(out).map_err(|_| "invalid UTF-8 in a quoted value".into())
    }

    fn int<T: std::str::FromStr>(&mut self, t: &Type) -> Result<T, String> {
        let w = self.word();
        w.parse().map_err(|_| format!("`{w}` is not a {}", t.wit()))
    }

    fn value(&mut self, t: &Type) -> Result<Val, String> {
        self.ws();
        Ok(match t {
            Type::Prim(p) => match p {
                Prim::Bool => match self.word().as_str() {
                    "true" => Val::Bool(true),
                    "false" => Val::Bool(false),
                    w => return Err(format!("`{w}` is not a bool")),
                },
                Prim::S8 => Val::S8(self.int(t)?),
                Prim::U8 => Val::U8(self.int(t)?),
                Prim::S16 => Val::S16(self.int(t)?),
                Prim::U16 => Val::U16(self.int(t)?),
                Prim::S32 => Val::S32(self.int(t)?),
                Prim::U32 => Val::U32(self.int(t)?),
                Prim::S64 => Val::S64(self.int(t)?),
                Prim::U64 => Val::U64(self.int(t)?),
                Prim::F32 | Prim::F64 => {
                    let w = self.word();
                    let x: f64 = match w.as_str() {
                        "nan" => f64::NAN,
                        "inf" => f64::INFINITY,
                        "-inf" => f64::NEG_INFINITY,
                        _ => w.parse().map_err(|_| format!("`{w}` is not a {}", t.wit()))?,
                    };
                    if *p == Prim::F32 {
                        Val::F32(x as f32)
                    } else {
                        Val::F64(x)
                    }
                }
                Prim::Char => {
                    let s = self.quoted(b'\'')?;
                    let mut cs = s.chars();
                    match (cs.next(), cs.next()) {
                        (Some(c), None) => Val::Char(c),
                        _ => return Err(format!("'{s}' is not one character")),
                    }
                }
                Prim::String => Val::String(self.quoted(b'"')?),
            },
            Type::List(e) => {
                self.expect(b'[')?;
                let mut xs = Vec::new();
                while !self.eat(b']') {
                    if !xs.is_empty() {
                        self.expect(b',')?;
                        if self.eat(b']') {
                            break;
                        }
                    }
                    xs.push(self.value(e)?);
                }
                if matches!(**e, Type::Prim(Prim::U8)) {
                    Val::Bytes(xs.into_iter().map(|x| if let Val::U8(b) = x { b } else { 0 }).collect())
                } else {
                    Val::List(xs)
                }
            }
            Type::Record(r) => {
                self.expect(b'{')?;
                let mut vals: Vec<Option<Val>> = vec![None; r.fields.len()];
                let mut first = true;
                while !self.eat(b'}') {
                    if !first {
                        self.expect(b',')?;
                        if self.eat(b'}') {
                            break;
                        }
                    }
                    first = false;
                    let name = self.word();
                    self.expect(b':')?;
                    let Some(k) = r.fields.iter().position(|(n, _)| *n == name) else {
                        return Err(format!("`{name}` is not a field of {}", t.wit()));
                    };
                    vals[k] = Some(self.value(&r.fields[k].1)?);
                }
                let mut out = Vec::new();
                for (v, (n, ft)) in vals.into_iter().zip(&r.fields) {
                    out.push(match (v, ft) {
                        (Some(v), _) => v,
                        (None, Type::Option(_)) => Val::Option(None),
                        (None, _) => return Err(format!("field `{n}` of {} is missing", t.wit())),
                    });
                }
                Val::Record(out)
            }
            Type::Tuple(ts) => {
                self.expect(b'(')?;
                let mut xs = Vec::new();
                for (k, tt) in ts.iter().enumerate() {
                    if k > 0 {
                        self.expect(b',')?;
                    }
                    xs.push(self.value(tt)?);
                }
                self.eat(b',');
                self.expect(b')')?;
                Val::Tuple(xs)
            }
            Type::Variant(v) => {
                let name = self.word();
                let Some(k) = v.cases.iter().position(|(n, _)| *n == name) else {
                    return Err(format!("`{name}` is not a case of {}", t.wit()));
                };
                Val::Variant(k as u32, self.payload(v.cases[k].1.as_ref())?)
            }
            Type::Enum(e) => {
                let name = self.word();
                match e.names.iter().position(|n| *n == name) {
                    Some(k) => Val::Enum(k as u32),
                    None => return Err(format!("`{name}` is not a case of {}", t.wit())),
                }
            }
            Type::Flags(f) => {
                self.expect(b'{')?;
                let mut set = Vec::new();
                while !self.eat(b'}') {
                    if !set.is_empty() {
                        self.expect(b',')?;
                    }
                    let name = self.word();
                    match f.names.iter().position(|n| *n == name) {
                        Some(k) => set.push(k as u32),
                        None => return Err(format!("`{name}` is not a flag of {}", t.wit())),
                    }
                }
                set.sort_unstable();
                set.dedup();
                Val::Flags(set)
            }
            Type::Option(inner) => match self.word().as_str() {
                "none" => Val::Option(None),
                "some" => {
                    self.expect(b'(')?;
                    let v = self.value(inner)?;
                    self.expect(b')')?;
                    Val::Option(Some(Box::new(v)))
                }
                w => return Err(format!("`{w}`: an option is `none` or `some(...)`")),
            },
            Type::Result(r) => match self.word().as_str() {
                "ok" => Val::Result(Ok(self.payload(r.ok.as_ref())?)),
                "err" => Val::Result(Err(self.payload(r.err.as_ref())?)),
                w => return Err(format!("`{w}`: a result is `ok(...)` or `err(...)`")),
            },
            Type::Own(_) | Type::Borrow(_) => return Err(format!("a {} cannot be written as text", t.wit())),
        })
    }

    fn payload(&mut self, t: Option<&Type>) -> Result<Option<Box<Val>>, String> {
        match t {
            None => Ok(None),
            Some(t) => {
                self.expect(b'(')?;
                let v = self.value(t)?;
                self.expect(b')')?;
                Ok(Some(Box::new(v)))
            }
        }
    }
}

/// `v` as WAVE text.
pub fn print(v: &Val, t: &Type) -> String {
    let mut s = String::new();
    write(&mut s, v, t);
    s
}

fn float(s: &mut String, x: f64) {
    if x.is_nan() {
        s.push_str("nan");
    } else if x.is_infinite() {
        s.push_str(if x > 0.0 { "inf" } else { "-inf" });
    } else {
        s.push_str(&format!("{x}"));
    }
}

fn quote(s: &mut String, text: &str, q: char) {
    s.push(q);
    for c in text.chars() {
        match c {
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            '\r' => s.push_str("\\r"),
            '\\' => s.push_str("\\\\"),
            c if c == q => {
                s.push('\\');
                s.push(c);
            }
            c if c.is_control() => s.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => s.push(c),
        }
    }
    s.push(q);
}

fn write(s: &mut String, v: &Val, t: &Type) {
    let join = |s: &mut String, items: &mut dyn Iterator<Item = (&Val, &Type)>| {
        for (k, (x, xt)) in items.enumerate() {
            if k > 0 {
                s.push_str(", ");
            }
            write(s, x, xt);
        }
    };
    match (v, t) {
        (Val::Bool(b), _) => s.push_str(if *b { "true" } else { "false" }),
        (Val::S8(x), _) => s.push_str(&x.to_string()),
        (Val::U8(x), _) => s.push_str(&x.to_string()),
        (Val::S16(x), _) => s.push_str(&x.to_string()),
        (Val::U16(x), _) => s.push_str(&x.to_string()),
        (Val::S32(x), _) => s.push_str(&x.to_string()),
        (Val::U32(x), _) => s.push_str(&x.to_string()),
        (Val::S64(x), _) => s.push_str(&x.to_string()),
        (Val::U64(x), _) => s.push_str(&x.to_string()),
        (Val::F32(x), _) => float(s, f64::from(*x)),
        (Val::F64(x), _) => float(s, *x),
        (Val::Char(c), _) => quote(s, &c.to_string(), '\''),
        (Val::String(x), _) => quote(s, x, '"'),
        (Val::Bytes(b), _) => {
            s.push('[');
            s.push_str(&b.iter().map(u8::to_string).collect::<Vec<_>>().join(", "));
            s.push(']');
        }
        (Val::List(xs), Type::List(e)) => {
            s.push('[');
            join(s, &mut xs.iter().map(|x| (x, &**e)));
            s.push(']');
        }
        (Val::Record(xs), Type::Record(r)) => {
            s.push('{');
            for (k, (x, (n, ft))) in xs.iter().zip(&r.fields).enumerate() {
                if k > 0 {
                    s.push_str(", ");
                }
                s.push_str(n);
                s.push_str(": ");
                write(s, x, ft);
            }
            s.push('}');
        }
        (Val::Tuple(xs), Type::Tuple(ts)) => {
            s.push('(');
            join(s, &mut xs.iter().zip(ts.iter()));
            s.push(')');
        }
        (Val::Variant(k, p), Type::Variant(var)) if (*k as usize) < var.cases.len() => {
            let (n, ct) = &var.cases[*k as usize];
            s.push_str(n);
            if let (Some(p), Some(ct)) = (p, ct) {
                s.push('(');
                write(s, p, ct);
                s.push(')');
            }
        }
        (Val::Enum(k), Type::Enum(e)) if (*k as usize) < e.names.len() => s.push_str(&e.names[*k as usize]),
        (Val::Flags(set), Type::Flags(f)) => {
            s.push('{');
            s.push_str(&set.iter().filter_map(|k| f.names.get(*k as usize).map(String::as_str)).collect::<Vec<_>>().join(", "));
            s.push('}');
        }
        (Val::Option(o), Type::Option(inner)) => match o {
            None => s.push_str("none"),
            Some(x) => {
                s.push_str("some(");
                write(s, x, inner);
                s.push(')');
            }
        },
        (Val::Result(r), Type::Result(rt)) => {
            let (name, p, pt) = match r {
                Ok(p) => ("ok", p, &rt.ok),
                Err(p) => ("err", p, &rt.err),
            };
            s.push_str(name);
            if let (Some(p), Some(pt)) = (p, pt) {
                s.push('(');
                write(s, p, pt);
                s.push(')');
            }
        }
        (Val::Resource(r), _) => s.push_str(&format!("<resource {}>", r.rep)),
        _ => s.push('?'),
    }
}
