//! Script values: turning `invoke` arguments into [`Value`]s and checking
//! results against `assert_return` patterns.
//!
//! Floats are always compared by bits: `nan:canonical` is exactly the
//! canonical NaN of either sign, `nan:arithmetic` any NaN with the quiet bit
//! set (spec 4.3.3 "NaN propagation").

use std::fmt::Write;

use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::token::{F32, F64};
use wast::{WastArg, WastRet};

use crate::runtime::Value;

/// Converts an `invoke` argument.
pub(crate) fn arg_value(arg: &WastArg<'_>) -> Result<Value, String> {
    let WastArg::Core(arg) = arg else {
        return Err("component-model argument not supported".into());
    };
    Ok(match arg {
        WastArgCore::I32(v) => Value::I32(*v),
        WastArgCore::I64(v) => Value::I64(*v),
        WastArgCore::F32(v) => Value::F32(f32::from_bits(v.bits)),
        WastArgCore::F64(v) => Value::F64(f64::from_bits(v.bits)),
        WastArgCore::V128(v) => Value::V128(u128::from_le_bytes(v.to_le_bytes())),
        WastArgCore::RefNull(HeapType::Abstract { shared: false, ty: AbstractHeapType::Func }) => Value::FuncRef(None),
        WastArgCore::RefNull(HeapType::Abstract { shared: false, ty: AbstractHeapType::Extern }) => {
            Value::ExternRef(None)
        }
        WastArgCore::RefNull(HeapType::Abstract { shared: false, ty: AbstractHeapType::Exn | AbstractHeapType::NoExn }) => {
            Value::ExnRef(None)
        }
        WastArgCore::RefExtern(n) => Value::ExternRef(Some(*n)),
        // A host reference in the internal hierarchy: an extern one made
        // internal (`any.convert_extern`).
        WastArgCore::RefHost(n) => Value::AnyRef(Some(crate::runtime::AnyRef::new(u64::from(*n) + 1))),
        WastArgCore::RefNull(HeapType::Abstract { shared: false, ty }) if is_internal(ty) => Value::AnyRef(None),
        WastArgCore::RefNull(HeapType::Abstract { shared: false, ty: AbstractHeapType::NoFunc }) => Value::FuncRef(None),
        WastArgCore::RefNull(HeapType::Abstract { shared: false, ty: AbstractHeapType::NoExtern }) => Value::ExternRef(None),
        other => return Err(format!("unsupported argument {other:?}")),
    })
}

/// Is `t` an abstract type of the internal (`any`) hierarchy?
fn is_internal(t: &AbstractHeapType) -> bool {
    matches!(
        t,
        AbstractHeapType::Any
            | AbstractHeapType::Eq
            | AbstractHeapType::I31
            | AbstractHeapType::Struct
            | AbstractHeapType::Array
            | AbstractHeapType::None
    )
}

/// The canonical NaN (sign ignored) or an arithmetic NaN (quiet bit set).
fn f32_matches(pat: &NanPattern<F32>, bits: u32) -> bool {
    match pat {
        NanPattern::Value(v) => v.bits == bits,
        NanPattern::CanonicalNan => bits & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => bits & 0x7fc0_0000 == 0x7fc0_0000,
    }
}

fn f64_matches(pat: &NanPattern<F64>, bits: u64) -> bool {
    match pat {
        NanPattern::Value(v) => v.bits == bits,
        NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => bits & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
    }
}

fn v128_matches(pat: &V128Pattern, v: u128) -> bool {
    let b = v.to_le_bytes();
    let lane = |i: usize, n: usize| -> u64 {
        let mut x = [0u8; 8];
        x[..n].copy_from_slice(&b[i * n..i * n + n]);
        u64::from_le_bytes(x)
    };
    match pat {
        V128Pattern::I8x16(l) => l.iter().enumerate().all(|(i, x)| lane(i, 1) == *x as u8 as u64),
        V128Pattern::I16x8(l) => l.iter().enumerate().all(|(i, x)| lane(i, 2) == *x as u16 as u64),
        V128Pattern::I32x4(l) => l.iter().enumerate().all(|(i, x)| lane(i, 4) == *x as u32 as u64),
        V128Pattern::I64x2(l) => l.iter().enumerate().all(|(i, x)| lane(i, 8) == *x as u64),
        V128Pattern::F32x4(l) => l.iter().enumerate().all(|(i, p)| f32_matches(p, lane(i, 4) as u32)),
        V128Pattern::F64x2(l) => l.iter().enumerate().all(|(i, p)| f64_matches(p, lane(i, 8))),
    }
}

/// Does `value` match the expected result `ret`?
pub(crate) fn ret_matches(ret: &WastRet<'_>, value: &Value) -> bool {
    let WastRet::Core(ret) = ret else { return false };
    core_matches(ret, value)
}

fn core_matches(ret: &WastRetCore<'_>, value: &Value) -> bool {
    match (ret, value) {
        (WastRetCore::I32(e), Value::I32(v)) => e == v,
        (WastRetCore::I64(e), Value::I64(v)) => e == v,
        (WastRetCore::F32(p), Value::F32(v)) => f32_matches(p, v.to_bits()),
        (WastRetCore::F64(p), Value::F64(v)) => f64_matches(p, v.to_bits()),
        (WastRetCore::V128(p), Value::V128(v)) => v128_matches(p, *v),
        // A null's type is that of the value's static type, which the
        // script names by any type of its hierarchy.
        (WastRetCore::RefNull(ty), Value::FuncRef(None)) => heap_is(ty, AbstractHeapType::Func) || heap_is(ty, AbstractHeapType::NoFunc),
        (WastRetCore::RefNull(ty), Value::ExternRef(None)) => heap_is(ty, AbstractHeapType::Extern) || heap_is(ty, AbstractHeapType::NoExtern),
        (WastRetCore::RefNull(ty), Value::AnyRef(None)) => match ty {
            None => true,
            Some(HeapType::Abstract { shared: false, ty }) => is_internal(ty),
            Some(_) => false,
        },
        (WastRetCore::RefExtern(None), Value::AnyRef(Some(_))) => true,
        (WastRetCore::RefHost(n), Value::AnyRef(Some(a))) => a.host() == Some(*n),
        (WastRetCore::RefI31, Value::AnyRef(Some(a))) => a.i31().is_some(),
        (WastRetCore::RefStruct, Value::AnyRef(Some(a))) => a.is_struct() == Some(true),
        (WastRetCore::RefArray, Value::AnyRef(Some(a))) => a.is_struct() == Some(false),
        (WastRetCore::RefEq, Value::AnyRef(Some(a))) => a.i31().is_some() || a.is_struct().is_some(),
        (WastRetCore::RefAny, Value::AnyRef(Some(_))) => true,
        (WastRetCore::RefNull(ty), Value::ExnRef(None)) => {
            heap_is(ty, AbstractHeapType::Exn) || heap_is(ty, AbstractHeapType::NoExn)
        }
        (WastRetCore::RefExtern(None), Value::ExternRef(Some(_))) => true,
        (WastRetCore::RefExtern(Some(e)), Value::ExternRef(Some(v))) => e == v,
        // The spec suite only asks for "some non-null function reference".
        (WastRetCore::RefFunc(_), Value::FuncRef(Some(_))) => true,
        (WastRetCore::Either(alts), v) => alts.iter().any(|a| core_matches(a, v)),
        _ => false,
    }
}

/// `ref.null` without a type matches any null; with one, that type's null.
fn heap_is(ty: &Option<HeapType<'_>>, want: AbstractHeapType) -> bool {
    match ty {
        None => true,
        Some(HeapType::Abstract { shared: false, ty }) => std::mem::discriminant(ty) == std::mem::discriminant(&want),
        Some(_) => false,
    }
}

/// Writes a value the way the text format spells it, with float bits.
pub(crate) fn fmt_value(out: &mut String, v: &Value) {
    let _ = match v {
        Value::I32(x) => write!(out, "(i32.const {x})"),
        Value::I64(x) => write!(out, "(i64.const {x})"),
        Value::F32(x) => write!(out, "(f32.const {x:?} 0x{:08x})", x.to_bits()),
        Value::F64(x) => write!(out, "(f64.const {x:?} 0x{:016x})", x.to_bits()),
        Value::V128(x) => write!(out, "(v128.const 0x{x:032x})"),
        Value::FuncRef(None) => write!(out, "(ref.null func)"),
        Value::FuncRef(Some(f)) => write!(out, "(ref.func {})", f.0),
        Value::ExternRef(None) => write!(out, "(ref.null extern)"),
        Value::ExternRef(Some(n)) => write!(out, "(ref.extern {n})"),
        Value::ExnRef(None) => write!(out, "(ref.null exn)"),
        Value::ExnRef(Some(e)) => write!(out, "(ref.exn {})", e.0),
        Value::AnyRef(None) => write!(out, "(ref.null any)"),
        Value::AnyRef(Some(a)) => match (a.i31(), a.host(), a.is_struct()) {
            (Some(i), _, _) => write!(out, "(ref.i31 {i})"),
            (_, Some(h), _) => write!(out, "(ref.host {h})"),
            (_, _, Some(true)) => write!(out, "(ref.struct)"),
            (_, _, Some(false)) => write!(out, "(ref.array)"),
            _ => write!(out, "(ref.any 0x{:x})", a.bits),
        },
    };
}

/// Writes an expected result pattern.
pub(crate) fn fmt_ret(out: &mut String, ret: &WastRet<'_>) {
    match ret {
        WastRet::Core(r) => fmt_core_ret(out, r),
        other => {
            let _ = write!(out, "{other:?}");
        }
    }
}

fn fmt_nan<T>(pat: &NanPattern<T>, value: impl FnOnce(&T) -> String) -> String {
    match pat {
        NanPattern::CanonicalNan => "nan:canonical".into(),
        NanPattern::ArithmeticNan => "nan:arithmetic".into(),
        NanPattern::Value(v) => value(v),
    }
}

fn fmt_core_ret(out: &mut String, ret: &WastRetCore<'_>) {
    let _ = match ret {
        WastRetCore::I32(x) => write!(out, "(i32.const {x})"),
        WastRetCore::I64(x) => write!(out, "(i64.const {x})"),
        WastRetCore::F32(p) => {
            write!(out, "(f32.const {})", fmt_nan(p, |v| format!("{:?} 0x{:08x}", f32::from_bits(v.bits), v.bits)))
        }
        WastRetCore::F64(p) => {
            write!(out, "(f64.const {})", fmt_nan(p, |v| format!("{:?} 0x{:016x}", f64::from_bits(v.bits), v.bits)))
        }
        WastRetCore::RefNull(None) => write!(out, "(ref.null)"),
        WastRetCore::RefNull(Some(HeapType::Abstract { ty: AbstractHeapType::Func, .. })) => {
            write!(out, "(ref.null func)")
        }
        WastRetCore::RefNull(Some(HeapType::Abstract { ty: AbstractHeapType::Extern, .. })) => {
            write!(out, "(ref.null extern)")
        }
        WastRetCore::RefExtern(None) => write!(out, "(ref.extern)"),
        WastRetCore::RefExtern(Some(n)) => write!(out, "(ref.extern {n})"),
        WastRetCore::RefFunc(_) => write!(out, "(ref.func)"),
        WastRetCore::Either(alts) => {
            out.push_str("(either");
            for a in alts {
                out.push(' ');
                fmt_core_ret(out, a);
            }
            out.push(')');
            Ok(())
        }
        other => write!(out, "{other:?}"),
    };
}

/// `a b c` for a list of values.
pub(crate) fn fmt_values(values: &[Value]) -> String {
    let mut s = String::new();
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        fmt_value(&mut s, v);
    }
    if values.is_empty() {
        s.push_str("()");
    }
    s
}

/// `a b c` for a list of expected results.
pub(crate) fn fmt_rets(rets: &[WastRet<'_>]) -> String {
    let mut s = String::new();
    for (i, r) in rets.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        fmt_ret(&mut s, r);
    }
    if rets.is_empty() {
        s.push_str("()");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use wast::parser::{self, ParseBuffer};

    /// Parses `(assert_return (invoke "f") RET...)` and returns its results
    /// checked against `values`.
    fn check(rets: &str, values: &[Value]) -> bool {
        let text = format!("(assert_return (invoke \"f\") {rets})");
        let buf = ParseBuffer::new(&text).unwrap();
        let wast = parser::parse::<wast::Wast>(&buf).unwrap();
        let wast::WastDirective::AssertReturn { results, .. } = &wast.directives[0] else { panic!() };
        results.len() == values.len() && results.iter().zip(values).all(|(r, v)| ret_matches(r, v))
    }

    fn args(text: &str) -> Vec<Value> {
        let text = format!("(invoke \"f\" {text})");
        let buf = ParseBuffer::new(&text).unwrap();
        let wast = parser::parse::<wast::Wast>(&buf).unwrap();
        let wast::WastDirective::Invoke(inv) = &wast.directives[0] else { panic!() };
        inv.args.iter().map(|a| arg_value(a).unwrap()).collect()
    }

    #[test]
    fn integers() {
        assert!(check("(i32.const -1)", &[Value::I32(-1)]));
        assert!(check("(i32.const 0xffffffff)", &[Value::I32(-1)]));
        assert!(!check("(i32.const 1)", &[Value::I32(2)]));
        assert!(!check("(i32.const 1)", &[Value::I64(1)]));
        assert!(check("(i64.const 0x8000000000000000)", &[Value::I64(i64::MIN)]));
        assert!(check("(i32.const 1) (i64.const 2)", &[Value::I32(1), Value::I64(2)]));
    }

    #[test]
    fn floats_by_bits() {
        assert!(check("(f32.const 0.0)", &[Value::F32(0.0)]));
        assert!(!check("(f32.const 0.0)", &[Value::F32(-0.0)]));
        assert!(check("(f64.const -0x1p-1074)", &[Value::F64(-f64::from_bits(1))]));
        // A specific NaN payload must match exactly.
        assert!(check("(f32.const nan:0x200000)", &[Value::F32(f32::from_bits(0x7fa0_0000))]));
        assert!(!check("(f32.const nan:0x200000)", &[Value::F32(f32::from_bits(0x7fc0_0000))]));
        assert!(check("(f64.const -nan)", &[Value::F64(f64::from_bits(0xfff8_0000_0000_0000))]));
    }

    #[test]
    fn nan_patterns() {
        let f32b = |b: u32| [Value::F32(f32::from_bits(b))];
        let f64b = |b: u64| [Value::F64(f64::from_bits(b))];
        assert!(check("(f32.const nan:canonical)", &f32b(0x7fc0_0000)));
        assert!(check("(f32.const nan:canonical)", &f32b(0xffc0_0000)));
        assert!(!check("(f32.const nan:canonical)", &f32b(0x7fc0_0001)));
        assert!(!check("(f32.const nan:canonical)", &f32b(0x7fa0_0000)));
        assert!(check("(f32.const nan:arithmetic)", &f32b(0x7fc0_0001)));
        assert!(check("(f32.const nan:arithmetic)", &f32b(0xffc0_0000)));
        assert!(!check("(f32.const nan:arithmetic)", &f32b(0x7fa0_0000)));
        assert!(!check("(f32.const nan:arithmetic)", &f32b(0x3fc0_0000)));
        assert!(check("(f64.const nan:canonical)", &f64b(0xfff8_0000_0000_0000)));
        assert!(!check("(f64.const nan:canonical)", &f64b(0x7ff8_0000_0000_0001)));
        assert!(check("(f64.const nan:arithmetic)", &f64b(0x7ff8_0000_0000_0001)));
        assert!(!check("(f64.const nan:arithmetic)", &f64b(0x7ff4_0000_0000_0000)));
        assert!(!check("(f64.const nan:arithmetic)", &f64b(0x3ff8_0000_0000_0000)));
        // NaN patterns never match an integer.
        assert!(!check("(f32.const nan:arithmetic)", &[Value::I32(0x7fc0_0000)]));
    }

    #[test]
    fn references() {
        assert!(check("(ref.null func)", &[Value::FuncRef(None)]));
        assert!(!check("(ref.null func)", &[Value::ExternRef(None)]));
        assert!(check("(ref.null extern)", &[Value::ExternRef(None)]));
        assert!(!check("(ref.null extern)", &[Value::ExternRef(Some(0))]));
        assert!(check("(ref.extern 7)", &[Value::ExternRef(Some(7))]));
        assert!(!check("(ref.extern 7)", &[Value::ExternRef(Some(8))]));
        assert!(!check("(ref.extern 7)", &[Value::ExternRef(None)]));
        assert!(check("(ref.func)", &[Value::FuncRef(Some(crate::runtime::Func(3)))]));
        assert!(!check("(ref.func)", &[Value::FuncRef(None)]));
        assert!(check("(either (i32.const 1) (i32.const 2))", &[Value::I32(2)]));
        assert!(!check("(either (i32.const 1) (i32.const 2))", &[Value::I32(3)]));
    }

    #[test]
    fn v128_lanes() {
        let v = u128::from_le_bytes([1, 0, 0, 0, 2, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0xc0, 0x7f]);
        assert!(check("(v128.const i32x4 1 2 -1 0x7fc00000)", &[Value::V128(v)]));
        assert!(check("(v128.const f32x4 0x1p-149 0x1p-148 nan:arithmetic nan:canonical)", &[Value::V128(v)]));
        assert!(!check("(v128.const i32x4 1 2 -1 0)", &[Value::V128(v)]));
    }

    #[test]
    fn arguments() {
        assert_eq!(
            args("(i32.const -1) (i64.const 5) (ref.null func) (ref.null extern) (ref.extern 3)"),
            vec![
                Value::I32(-1),
                Value::I64(5),
                Value::FuncRef(None),
                Value::ExternRef(None),
                Value::ExternRef(Some(3))
            ]
        );
        // NaN payloads survive the conversion.
        let v = args("(f32.const -nan:0x1) (f64.const nan:0x4)");
        let (Value::F32(a), Value::F64(b)) = (v[0], v[1]) else { panic!() };
        assert_eq!(a.to_bits(), 0xff80_0001);
        assert_eq!(b.to_bits(), 0x7ff0_0000_0000_0004);
    }

    #[test]
    fn formatting() {
        assert_eq!(fmt_values(&[Value::I32(1), Value::F32(1.5)]), "(i32.const 1) (f32.const 1.5 0x3fc00000)");
        assert_eq!(fmt_values(&[]), "()");
        let text = "(assert_return (invoke \"f\") (f64.const nan:canonical) (ref.null extern))";
        let buf = ParseBuffer::new(text).unwrap();
        let wast = parser::parse::<wast::Wast>(&buf).unwrap();
        let wast::WastDirective::AssertReturn { results, .. } = &wast.directives[0] else { panic!() };
        assert_eq!(fmt_rets(results), "(f64.const nan:canonical) (ref.null extern)");
    }
}
