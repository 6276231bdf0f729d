//! Numeric semantics (spec 4.3 "Numerics"): one plain function per row of
//! [`for_each_num_op!`](crate::for_each_num_op), named by its `semantics_fn`.
//!
//! Integers are `i32`/`i64`; unsigned operators reinterpret with `as`.
//! Comparisons return `i32` 0 or 1. Float results that are NaN follow the
//! spec's propagation rule (4.3.3): canonical when no operand is NaN, an
//! arithmetic (quiet) NaN otherwise. Rust guarantees exactly that for
//! add/sub/mul/div/sqrt (RFC 3514 NaN rules, on every target and under const
//! folding); the other operators that can return NaN handle it explicitly.

use crate::error::TrapCode;

// ---------------------------------------------------------------- integers

/// Defines the integer operators of one width (`$t` signed, `$u` unsigned).
#[rustfmt::skip]
macro_rules! int_ops {
    ($t:ty, $u:ty, $bits:expr,
     $eqz:ident $eq:ident $ne:ident $lt_s:ident $lt_u:ident $gt_s:ident $gt_u:ident
     $le_s:ident $le_u:ident $ge_s:ident $ge_u:ident
     $clz:ident $ctz:ident $popcnt:ident $add:ident $sub:ident $mul:ident
     $div_s:ident $div_u:ident $rem_s:ident $rem_u:ident $and:ident $or:ident $xor:ident
     $shl:ident $shr_s:ident $shr_u:ident $rotl:ident $rotr:ident) => {
        #[inline] pub fn $eqz(a: $t) -> i32 { (a == 0) as i32 }
        #[inline] pub fn $eq(a: $t, b: $t) -> i32 { (a == b) as i32 }
        #[inline] pub fn $ne(a: $t, b: $t) -> i32 { (a != b) as i32 }
        #[inline] pub fn $lt_s(a: $t, b: $t) -> i32 { (a < b) as i32 }
        #[inline] pub fn $lt_u(a: $t, b: $t) -> i32 { ((a as $u) < (b as $u)) as i32 }
        #[inline] pub fn $gt_s(a: $t, b: $t) -> i32 { (a > b) as i32 }
        #[inline] pub fn $gt_u(a: $t, b: $t) -> i32 { ((a as $u) > (b as $u)) as i32 }
        #[inline] pub fn $le_s(a: $t, b: $t) -> i32 { (a <= b) as i32 }
        #[inline] pub fn $le_u(a: $t, b: $t) -> i32 { ((a as $u) <= (b as $u)) as i32 }
        #[inline] pub fn $ge_s(a: $t, b: $t) -> i32 { (a >= b) as i32 }
        #[inline] pub fn $ge_u(a: $t, b: $t) -> i32 { ((a as $u) >= (b as $u)) as i32 }
        #[inline] pub fn $clz(a: $t) -> $t { a.leading_zeros() as $t }
        #[inline] pub fn $ctz(a: $t) -> $t { a.trailing_zeros() as $t }
        #[inline] pub fn $popcnt(a: $t) -> $t { a.count_ones() as $t }
        #[inline] pub fn $add(a: $t, b: $t) -> $t { a.wrapping_add(b) }
        #[inline] pub fn $sub(a: $t, b: $t) -> $t { a.wrapping_sub(b) }
        #[inline] pub fn $mul(a: $t, b: $t) -> $t { a.wrapping_mul(b) }
        /// Traps on zero and on `MIN / -1`, whose quotient is unrepresentable.
        #[inline]
        pub fn $div_s(a: $t, b: $t) -> Result<$t, TrapCode> {
            match b {
                0 => Err(TrapCode::IntegerDivideByZero),
                -1 if a == <$t>::MIN => Err(TrapCode::IntegerOverflow),
                _ => Ok(a / b),
            }
        }
        #[inline]
        pub fn $div_u(a: $t, b: $t) -> Result<$t, TrapCode> {
            match b {
                0 => Err(TrapCode::IntegerDivideByZero),
                _ => Ok(((a as $u) / (b as $u)) as $t),
            }
        }
        /// `MIN % -1` is 0 (wrapping_rem), not a trap.
        #[inline]
        pub fn $rem_s(a: $t, b: $t) -> Result<$t, TrapCode> {
            match b {
                0 => Err(TrapCode::IntegerDivideByZero),
                _ => Ok(a.wrapping_rem(b)),
            }
        }
        #[inline]
        pub fn $rem_u(a: $t, b: $t) -> Result<$t, TrapCode> {
            match b {
                0 => Err(TrapCode::IntegerDivideByZero),
                _ => Ok(((a as $u) % (b as $u)) as $t),
            }
        }
        #[inline] pub fn $and(a: $t, b: $t) -> $t { a & b }
        #[inline] pub fn $or(a: $t, b: $t) -> $t { a | b }
        #[inline] pub fn $xor(a: $t, b: $t) -> $t { a ^ b }
        // Shift counts are taken modulo the width (wrapping_shl/shr mask them).
        #[inline] pub fn $shl(a: $t, b: $t) -> $t { a.wrapping_shl(b as u32) }
        #[inline] pub fn $shr_s(a: $t, b: $t) -> $t { a.wrapping_shr(b as u32) }
        #[inline] pub fn $shr_u(a: $t, b: $t) -> $t { (a as $u).wrapping_shr(b as u32) as $t }
        #[inline] pub fn $rotl(a: $t, b: $t) -> $t { a.rotate_left((b as u32) % $bits) }
        #[inline] pub fn $rotr(a: $t, b: $t) -> $t { a.rotate_right((b as u32) % $bits) }
    };
}

int_ops!(i32, u32, 32,
    i32_eqz i32_eq i32_ne i32_lt_s i32_lt_u i32_gt_s i32_gt_u i32_le_s i32_le_u i32_ge_s i32_ge_u
    i32_clz i32_ctz i32_popcnt i32_add i32_sub i32_mul i32_div_s i32_div_u i32_rem_s i32_rem_u
    i32_and i32_or i32_xor i32_shl i32_shr_s i32_shr_u i32_rotl i32_rotr);
int_ops!(i64, u64, 64,
    i64_eqz i64_eq i64_ne i64_lt_s i64_lt_u i64_gt_s i64_gt_u i64_le_s i64_le_u i64_ge_s i64_ge_u
    i64_clz i64_ctz i64_popcnt i64_add i64_sub i64_mul i64_div_s i64_div_u i64_rem_s i64_rem_u
    i64_and i64_or i64_xor i64_shl i64_shr_s i64_shr_u i64_rotl i64_rotr);

#[inline]
pub fn i32_extend8_s(a: i32) -> i32 {
    a as i8 as i32
}
#[inline]
pub fn i32_extend16_s(a: i32) -> i32 {
    a as i16 as i32
}
#[inline]
pub fn i64_extend8_s(a: i64) -> i64 {
    a as i8 as i64
}
#[inline]
pub fn i64_extend16_s(a: i64) -> i64 {
    a as i16 as i64
}
#[inline]
pub fn i64_extend32_s(a: i64) -> i64 {
    a as i32 as i64
}

// ------------------------------------------------------------------ floats

/// Defines the float operators of one width. `$bits` is the unsigned bit
/// type, `$quiet` the quiet-NaN bit, `$sign` the sign bit, `$int_limit` the
/// smallest power of two from which every float is integral (2^mantissa).
#[rustfmt::skip]
macro_rules! float_ops {
    ($f:ty, $bits:ty, $quiet:expr, $sign:expr, $int_limit:expr,
     $eq:ident $ne:ident $lt:ident $gt:ident $le:ident $ge:ident
     $abs:ident $neg:ident $ceil:ident $floor:ident $trunc:ident $nearest:ident $sqrt:ident
     $add:ident $sub:ident $mul:ident $div:ident $min:ident $max:ident $copysign:ident) => {
        #[inline] pub fn $eq(a: $f, b: $f) -> i32 { (a == b) as i32 }
        #[inline] pub fn $ne(a: $f, b: $f) -> i32 { (a != b) as i32 }
        #[inline] pub fn $lt(a: $f, b: $f) -> i32 { (a < b) as i32 }
        #[inline] pub fn $gt(a: $f, b: $f) -> i32 { (a > b) as i32 }
        #[inline] pub fn $le(a: $f, b: $f) -> i32 { (a <= b) as i32 }
        #[inline] pub fn $ge(a: $f, b: $f) -> i32 { (a >= b) as i32 }

        // abs/neg/copysign are bit operations: NaN payloads pass unchanged.
        #[inline] pub fn $abs(a: $f) -> $f { <$f>::from_bits(a.to_bits() & !$sign) }
        #[inline] pub fn $neg(a: $f) -> $f { <$f>::from_bits(a.to_bits() ^ $sign) }
        #[inline]
        pub fn $copysign(a: $f, b: $f) -> $f {
            <$f>::from_bits((a.to_bits() & !$sign) | (b.to_bits() & $sign))
        }

        // Rounding: NaN is quieted explicitly since libm fallbacks need not
        // quiet a signalling NaN. std's ceil/floor/trunc keep the zero sign.
        #[inline]
        pub fn $ceil(a: $f) -> $f {
            if a.is_nan() { return <$f>::from_bits(a.to_bits() | $quiet) }
            a.ceil()
        }
        #[inline]
        pub fn $floor(a: $f) -> $f {
            if a.is_nan() { return <$f>::from_bits(a.to_bits() | $quiet) }
            a.floor()
        }
        #[inline]
        pub fn $trunc(a: $f) -> $f {
            if a.is_nan() { return <$f>::from_bits(a.to_bits() | $quiet) }
            a.trunc()
        }
        /// Round half to even. Below 2^mantissa, adding and subtracting that
        /// power of two makes the FPU's round-to-nearest-even do the work;
        /// copysign restores the sign (so -0.4 gives -0.0).
        #[inline]
        pub fn $nearest(a: $f) -> $f {
            if a.is_nan() { return <$f>::from_bits(a.to_bits() | $quiet) }
            let m = $abs(a);
            if m >= $int_limit { return a } // integral (or infinite) already
            $copysign((m + $int_limit) - $int_limit, a)
        }
        #[inline] pub fn $sqrt(a: $f) -> $f { a.sqrt() }
        #[inline] pub fn $add(a: $f, b: $f) -> $f { a + b }
        #[inline] pub fn $sub(a: $f, b: $f) -> $f { a - b }
        #[inline] pub fn $mul(a: $f, b: $f) -> $f { a * b }
        #[inline] pub fn $div(a: $f, b: $f) -> $f { a / b }
        /// NaN if either is NaN; of equal operands (±0) the negative wins.
        #[inline]
        pub fn $min(a: $f, b: $f) -> $f {
            if a.is_nan() { return <$f>::from_bits(a.to_bits() | $quiet) }
            if b.is_nan() { return <$f>::from_bits(b.to_bits() | $quiet) }
            if a == b { return <$f>::from_bits(a.to_bits() | b.to_bits()) }
            if a < b { a } else { b }
        }
        /// NaN if either is NaN; of equal operands (±0) the positive wins.
        #[inline]
        pub fn $max(a: $f, b: $f) -> $f {
            if a.is_nan() { return <$f>::from_bits(a.to_bits() | $quiet) }
            if b.is_nan() { return <$f>::from_bits(b.to_bits() | $quiet) }
            if a == b { return <$f>::from_bits(a.to_bits() & b.to_bits()) }
            if a > b { a } else { b }
        }
    };
}

float_ops!(f32, u32, 0x0040_0000u32, 0x8000_0000u32, 8_388_608.0f32,
    f32_eq f32_ne f32_lt f32_gt f32_le f32_ge
    f32_abs f32_neg f32_ceil f32_floor f32_trunc f32_nearest f32_sqrt
    f32_add f32_sub f32_mul f32_div f32_min f32_max f32_copysign);
float_ops!(f64, u64, 0x0008_0000_0000_0000u64, 0x8000_0000_0000_0000u64, 4_503_599_627_370_496.0f64,
    f64_eq f64_ne f64_lt f64_gt f64_le f64_ge
    f64_abs f64_neg f64_ceil f64_floor f64_trunc f64_nearest f64_sqrt
    f64_add f64_sub f64_mul f64_div f64_min f64_max f64_copysign);

// ------------------------------------------------------------- conversions

#[inline]
pub fn i32_wrap_i64(a: i64) -> i32 {
    a as i32
}
#[inline]
pub fn i64_extend_i32_s(a: i32) -> i64 {
    a as i64
}
#[inline]
pub fn i64_extend_i32_u(a: i32) -> i64 {
    a as u32 as i64
}

/// Trapping truncation: `$lo < a < $hi` (exclusive bounds, all exactly
/// representable in `$f`) is the set of floats whose truncation fits.
macro_rules! trunc {
    ($name:ident, $f:ty, $r:ty, $via:ty, $lo:expr, $hi:expr) => {
        #[inline]
        pub fn $name(a: $f) -> Result<$r, TrapCode> {
            if a.is_nan() {
                Err(TrapCode::InvalidConversionToInteger)
            } else if a > $lo && a < $hi {
                Ok(a as $via as $r)
            } else {
                Err(TrapCode::IntegerOverflow)
            }
        }
    };
}

// Signed lower bounds: MIN itself is a power of two and representable, so the
// exclusive bound is the next float below it; for f32 that is MIN - ulp, for
// f64 and i32 it is MIN - 1. Unsigned lower bound -1.0 admits (-1, 0).
trunc!(i32_trunc_f32_s, f32, i32, i32, -2147483904.0f32, 2147483648.0f32);
trunc!(i32_trunc_f32_u, f32, i32, u32, -1.0f32, 4294967296.0f32);
trunc!(i32_trunc_f64_s, f64, i32, i32, -2147483649.0f64, 2147483648.0f64);
trunc!(i32_trunc_f64_u, f64, i32, u32, -1.0f64, 4294967296.0f64);
trunc!(i64_trunc_f32_s, f32, i64, i64, -9223373136366403584.0f32, 9223372036854775808.0f32);
trunc!(i64_trunc_f32_u, f32, i64, u64, -1.0f32, 18446744073709551616.0f32);
trunc!(i64_trunc_f64_s, f64, i64, i64, -9223372036854777856.0f64, 9223372036854775808.0f64);
trunc!(i64_trunc_f64_u, f64, i64, u64, -1.0f64, 18446744073709551616.0f64);

// Saturating truncation: Rust's float-to-int `as` saturates and maps NaN to 0,
// exactly the spec's trunc_sat.
#[inline]
pub fn i32_trunc_sat_f32_s(a: f32) -> i32 {
    a as i32
}
#[inline]
pub fn i32_trunc_sat_f32_u(a: f32) -> i32 {
    a as u32 as i32
}
#[inline]
pub fn i32_trunc_sat_f64_s(a: f64) -> i32 {
    a as i32
}
#[inline]
pub fn i32_trunc_sat_f64_u(a: f64) -> i32 {
    a as u32 as i32
}
#[inline]
pub fn i64_trunc_sat_f32_s(a: f32) -> i64 {
    a as i64
}
#[inline]
pub fn i64_trunc_sat_f32_u(a: f32) -> i64 {
    a as u64 as i64
}
#[inline]
pub fn i64_trunc_sat_f64_s(a: f64) -> i64 {
    a as i64
}
#[inline]
pub fn i64_trunc_sat_f64_u(a: f64) -> i64 {
    a as u64 as i64
}

// Int-to-float `as` rounds to nearest, ties to even, as the spec requires.
#[inline]
pub fn f32_convert_i32_s(a: i32) -> f32 {
    a as f32
}
#[inline]
pub fn f32_convert_i32_u(a: i32) -> f32 {
    a as u32 as f32
}
#[inline]
pub fn f32_convert_i64_s(a: i64) -> f32 {
    a as f32
}
#[inline]
pub fn f32_convert_i64_u(a: i64) -> f32 {
    a as u64 as f32
}
#[inline]
pub fn f64_convert_i32_s(a: i32) -> f64 {
    a as f64
}
#[inline]
pub fn f64_convert_i32_u(a: i32) -> f64 {
    a as u32 as f64
}
#[inline]
pub fn f64_convert_i64_s(a: i64) -> f64 {
    a as f64
}
#[inline]
pub fn f64_convert_i64_u(a: i64) -> f64 {
    a as u64 as f64
}

/// NaN keeps its sign and the top payload bits and is quieted, as hardware
/// does; so a canonical NaN stays canonical and any other becomes arithmetic.
#[inline]
pub fn f32_demote_f64(a: f64) -> f32 {
    if a.is_nan() {
        let b = a.to_bits();
        let sign = ((b >> 32) as u32) & 0x8000_0000;
        let payload = ((b >> 29) as u32) & 0x003f_ffff;
        return f32::from_bits(sign | 0x7fc0_0000 | payload);
    }
    a as f32
}

/// NaN keeps its sign and payload (shifted to the top) and is quieted.
#[inline]
pub fn f64_promote_f32(a: f32) -> f64 {
    if a.is_nan() {
        let b = a.to_bits() as u64;
        let sign = (b & 0x8000_0000) << 32;
        let payload = (b & 0x003f_ffff) << 29;
        return f64::from_bits(sign | 0x7ff8_0000_0000_0000 | payload);
    }
    a as f64
}

#[inline]
pub fn i32_reinterpret_f32(a: f32) -> i32 {
    a.to_bits() as i32
}
#[inline]
pub fn i64_reinterpret_f64(a: f64) -> i64 {
    a.to_bits() as i64
}
#[inline]
pub fn f32_reinterpret_i32(a: i32) -> f32 {
    f32::from_bits(a as u32)
}
#[inline]
pub fn f64_reinterpret_i64(a: i64) -> f64 {
    f64::from_bits(a as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    // ------------------------------------------------ hand-picked edge cases

    fn f32b(a: f32) -> u32 {
        a.to_bits()
    }
    fn f64b(a: f64) -> u64 {
        a.to_bits()
    }
    fn f32n(bits: u32) -> f32 {
        f32::from_bits(bits)
    }
    fn f64n(bits: u64) -> f64 {
        f64::from_bits(bits)
    }

    #[test]
    fn integer_division_and_remainder() {
        use TrapCode::*;
        assert_eq!(i32_div_s(i32::MIN, -1), Err(IntegerOverflow));
        assert_eq!(i64_div_s(i64::MIN, -1), Err(IntegerOverflow));
        assert_eq!(i32_div_s(1, 0), Err(IntegerDivideByZero));
        assert_eq!(i32_div_u(1, 0), Err(IntegerDivideByZero));
        assert_eq!(i64_rem_s(1, 0), Err(IntegerDivideByZero));
        assert_eq!(i64_rem_u(1, 0), Err(IntegerDivideByZero));
        assert_eq!(i32_rem_s(i32::MIN, -1), Ok(0));
        assert_eq!(i64_rem_s(i64::MIN, -1), Ok(0));
        assert_eq!(i32_div_s(-7, 2), Ok(-3)); // truncates toward zero
        assert_eq!(i32_rem_s(-7, 2), Ok(-1)); // sign of the dividend
        assert_eq!(i32_div_u(-1, 2), Ok(0x7fff_ffff));
        assert_eq!(i32_rem_u(-1, 10), Ok(5)); // 4294967295 % 10
        assert_eq!(i64_div_u(-1, 2), Ok(i64::MAX));
    }

    #[test]
    fn integer_bits_and_shifts() {
        assert_eq!(i32_shl(1, 33), 2);
        assert_eq!(i32_shr_s(-8, 33), -4);
        assert_eq!(i32_shr_u(-8, 33), 0x7fff_fffc);
        assert_eq!(i64_shl(1, 65), 2);
        assert_eq!(i64_shr_u(-1, -1), 1);
        assert_eq!(i32_rotl(0x8000_0001u32 as i32, 33), 3);
        assert_eq!(i32_rotr(3, -31), 0x8000_0001u32 as i32); // -31 mod 32 = 1
        assert_eq!(i32_rotr(3, 1), 0x8000_0001u32 as i32);
        assert_eq!(i64_rotl(1, 64), 1);
        assert_eq!(i32_clz(0), 32);
        assert_eq!(i64_clz(0), 64);
        assert_eq!(i32_ctz(0), 32);
        assert_eq!(i64_ctz(i64::MIN), 63);
        assert_eq!(i64_popcnt(-1), 64);
        assert_eq!(i32_extend8_s(0x80), -128);
        assert_eq!(i32_extend16_s(0x7fff), 0x7fff);
        assert_eq!(i64_extend32_s(0x8000_0000), -0x8000_0000);
        assert_eq!(i64_extend_i32_u(-1), 0xffff_ffff);
        assert_eq!(i32_wrap_i64(0x1_0000_0005), 5);
        assert_eq!(i32_lt_u(-1, 0), 0);
        assert_eq!(i64_ge_u(-1, 0), 1);
    }

    #[test]
    fn float_bit_ops_keep_nan_payload() {
        let snan = f32n(0x7fa0_0001);
        assert_eq!(f32b(f32_neg(snan)), 0xffa0_0001);
        assert_eq!(f32b(f32_abs(f32n(0xffa0_0001))), 0x7fa0_0001);
        assert_eq!(f32b(f32_copysign(snan, -1.0)), 0xffa0_0001);
        assert_eq!(f64b(f64_neg(f64n(0x7ff0_0000_0000_0001))), 0xfff0_0000_0000_0001);
        assert_eq!(f64b(f64_copysign(1.0, f64n(0xfff8_0000_0000_0000))), f64b(-1.0));
    }

    #[test]
    fn float_arith_and_compare() {
        let nan = f64::NAN;
        let nan_cmp = (f64_eq(nan, nan), f64_ne(nan, nan), f64_lt(nan, 1.0), f64_ge(nan, 1.0));
        assert_eq!(nan_cmp, (0, 1, 0, 0));
        assert_eq!((f32_eq(0.0, -0.0), f32_le(-0.0, 0.0), f32_gt(1.0, -1.0)), (1, 1, 1));
        // NaN from non-NaN operands is canonical (either sign).
        assert_eq!(f32b(f32_sqrt(-1.0)) & 0x7fff_ffff, 0x7fc0_0000);
        assert_eq!(f64b(f64_sub(f64::INFINITY, f64::INFINITY)) & !(1 << 63), 0x7ff8_0000_0000_0000);
        assert_eq!(f32b(f32_mul(0.0, f32::INFINITY)) & 0x7fff_ffff, 0x7fc0_0000);
        assert_eq!(f64b(f64_div(0.0, 0.0)) & !(1 << 63), 0x7ff8_0000_0000_0000);
        // A NaN operand gives an arithmetic (quiet) NaN.
        assert_eq!(f32b(f32_add(f32n(0x7f80_0001), 1.0)) & 0x7fc0_0000, 0x7fc0_0000);
        assert_eq!(f32_add(16777216.0, 1.0), 16777216.0); // tie rounds to even
        assert_eq!(f64_add(0.1, 0.2), 0.30000000000000004);
        assert_eq!(f64_div(1.0, -0.0), f64::NEG_INFINITY);
    }

    #[test]
    fn float_min_max() {
        assert_eq!(f32b(f32_min(0.0, -0.0)), f32b(-0.0));
        assert_eq!(f32b(f32_min(-0.0, 0.0)), f32b(-0.0));
        assert_eq!(f32b(f32_max(-0.0, 0.0)), f32b(0.0));
        assert_eq!(f64b(f64_max(0.0, -0.0)), f64b(0.0));
        assert_eq!(f64b(f64_min(-0.0, 0.0)), f64b(-0.0));
        assert_eq!(f32b(f32_min(f32n(0x7fa0_0000), 1.0)), 0x7fe0_0000);
        assert_eq!(f32b(f32_max(1.0, f32n(0xffa0_0000))), 0xffe0_0000);
        assert_eq!(f64_min(f64::NEG_INFINITY, 1.0), f64::NEG_INFINITY);
        assert_eq!(f64_max(f64::NEG_INFINITY, 1.0), 1.0);
    }

    #[test]
    fn float_rounding() {
        assert_eq!(f32b(f32_ceil(-0.5)), f32b(-0.0));
        assert_eq!(f32b(f32_floor(-0.0)), f32b(-0.0));
        assert_eq!(f64b(f64_trunc(-0.9)), f64b(-0.0));
        assert_eq!(f32_nearest(0.5), 0.0);
        assert_eq!(f32_nearest(1.5), 2.0);
        assert_eq!(f32_nearest(2.5), 2.0);
        assert_eq!(f32b(f32_nearest(-0.5)), f32b(-0.0));
        assert_eq!(f32b(f32_nearest(-0.4)), f32b(-0.0));
        assert_eq!(f64_nearest(-3.5), -4.0);
        assert_eq!(f64_nearest(4503599627370495.5), 4503599627370496.0);
        assert_eq!(f32_nearest(8388609.0), 8388609.0); // odd, above 2^23
        assert_eq!(f64_nearest(f64::INFINITY), f64::INFINITY);
        assert_eq!(f32b(f32_nearest(f32n(0x7fa0_0000))), 0x7fe0_0000);
        assert_eq!(f64b(f64_ceil(f64n(0xfff0_0000_0000_0001))), 0xfff8_0000_0000_0001);
    }

    #[test]
    fn truncation_boundaries() {
        use TrapCode::*;
        assert_eq!(i32_trunc_f32_s(-2147483648.0), Ok(i32::MIN));
        assert_eq!(i32_trunc_f32_s(2147483648.0), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f32_s(-2147483904.0), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f32_s(f32::NAN), Err(InvalidConversionToInteger));
        assert_eq!(i32_trunc_f64_s(-2147483648.9), Ok(i32::MIN));
        assert_eq!(i32_trunc_f64_s(-2147483649.0), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f64_s(2147483647.9), Ok(i32::MAX));
        assert_eq!(i32_trunc_f64_u(-0.99999), Ok(0));
        assert_eq!(i32_trunc_f64_u(-1.0), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f64_u(4294967295.9), Ok(-1));
        assert_eq!(i32_trunc_f64_u(4294967296.0), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f32_u(f32::INFINITY), Err(IntegerOverflow));
        assert_eq!(i64_trunc_f32_s(-9223372036854775808.0), Ok(i64::MIN));
        assert_eq!(i64_trunc_f32_s(9223372036854775808.0), Err(IntegerOverflow));
        assert_eq!(i64_trunc_f64_s(-9223372036854775808.0), Ok(i64::MIN));
        assert_eq!(i64_trunc_f64_s(-9223372036854777856.0), Err(IntegerOverflow));
        assert_eq!(i64_trunc_f64_u(18446744073709549568.0), Ok(-2048));
        assert_eq!(i64_trunc_f64_u(18446744073709551616.0), Err(IntegerOverflow));
        assert_eq!(i64_trunc_f32_u(-0.9), Ok(0));
        assert_eq!(i64_trunc_f64_u(f64::NAN), Err(InvalidConversionToInteger));
        assert_eq!(i32_trunc_sat_f32_s(f32::NAN), 0);
        assert_eq!(i32_trunc_sat_f64_u(-1.0), 0);
        assert_eq!(i32_trunc_sat_f64_u(1e10), -1);
        assert_eq!(i64_trunc_sat_f32_s(f32::NEG_INFINITY), i64::MIN);
        assert_eq!(i64_trunc_sat_f64_u(f64::INFINITY), -1);
    }

    #[test]
    fn conversions_round_and_nan() {
        // 2^24 + 1 rounds to even; u64::MAX rounds up to 2^64.
        assert_eq!(f32_convert_i32_s(16777217), 16777216.0);
        assert_eq!(f32_convert_i64_u(-1), 18446744073709551616.0);
        assert_eq!(f32_convert_i32_u(-1), 4294967296.0);
        assert_eq!(f64_convert_i64_u(-1), 18446744073709551616.0);
        assert_eq!(f64_convert_i64_s(9007199254740993), 9007199254740992.0);
        assert_eq!(f32_convert_i64_s(0x7fff_ff40_0000_0001), 9223371487098961920.0);
        assert_eq!(f32b(f32_demote_f64(f64n(0x7ff8_0000_0000_0000))), 0x7fc0_0000);
        assert_eq!(f32b(f32_demote_f64(f64n(0xfff4_0000_0000_0000))), 0xffe0_0000);
        assert_eq!(f32_demote_f64(1e300), f32::INFINITY);
        assert_eq!(f64b(f64_promote_f32(f32n(0x7fc0_0000))), 0x7ff8_0000_0000_0000);
        assert_eq!(f64b(f64_promote_f32(f32n(0xff80_0001))), 0xfff8_0000_2000_0000);
        assert_eq!(i32_reinterpret_f32(-0.0), i32::MIN);
        assert_eq!(f64b(f64_reinterpret_i64(1)), 1);
    }

    // ------------------------------------------- the spec suite's assertions

    /// A value on the mini evaluator's stack.
    #[allow(non_camel_case_types)]
    #[derive(Copy, Clone, Debug)]
    enum V {
        i32(i32),
        i64(i64),
        f32(f32),
        f64(f64),
    }

    /// Applies one numeric instruction; `None` if `instr` is not numeric.
    /// Records each executed instruction's name in `seen`.
    fn apply(
        instr: &wast::core::Instruction,
        st: &mut Vec<V>,
        seen: &mut HashSet<&'static str>,
    ) -> Option<Result<(), TrapCode>> {
        use wast::core::Instruction as I;
        macro_rules! pop {
            ($t:ident) => {
                match st.pop() {
                    Some(V::$t(x)) => x,
                    other => panic!("type mismatch: {other:?}"),
                }
            };
        }
        macro_rules! call {
            (un $in:ident $out:ident $f:ident) => {{
                let a = pop!($in);
                st.push(V::$out($f(a)));
                Ok(())
            }};
            (cmp $in:ident $out:ident $f:ident) => {
                call!(bin $in $out $f)
            };
            (bin $in:ident $out:ident $f:ident) => {{
                let b = pop!($in);
                let a = pop!($in);
                st.push(V::$out($f(a, b)));
                Ok(())
            }};
            (un_trap $in:ident $out:ident $f:ident) => {{
                let a = pop!($in);
                $f(a).map(|r| st.push(V::$out(r)))
            }};
            (bin_trap $in:ident $out:ident $f:ident) => {{
                let b = pop!($in);
                let a = pop!($in);
                $f(a, b).map(|r| st.push(V::$out(r)))
            }};
        }
        macro_rules! dispatch {
            ($($v:ident $op:literal $name:literal $shape:ident $in:ident -> $out:ident $f:ident)*) => {
                match instr {
                    $(I::$f => {
                        seen.insert($name);
                        Some(call!($shape $in $out $f))
                    })*
                    _ => None,
                }
            };
        }
        crate::for_each_num_op!(dispatch)
    }

    /// Runs a straight-line function body (locals, consts, numeric ops);
    /// `None` if it uses anything else.
    fn run(
        body: &[wast::core::Instruction],
        locals: &mut [V],
        seen: &mut HashSet<&'static str>,
    ) -> Option<Result<Vec<V>, TrapCode>> {
        use wast::core::Instruction as I;
        use wast::token::Index;
        let idx = |i: &Index| match i {
            Index::Num(n, _) => *n as usize,
            Index::Id(_) => unreachable!("resolved"),
        };
        let mut st = Vec::new();
        for instr in body {
            match instr {
                I::local_get(i) => st.push(locals[idx(i)]),
                I::local_set(i) => locals[idx(i)] = st.pop()?,
                I::local_tee(i) => locals[idx(i)] = *st.last()?,
                I::i32_const(x) => st.push(V::i32(*x)),
                I::i64_const(x) => st.push(V::i64(*x)),
                I::f32_const(x) => st.push(V::f32(f32::from_bits(x.bits))),
                I::f64_const(x) => st.push(V::f64(f64::from_bits(x.bits))),
                I::drop => {
                    st.pop()?;
                }
                _ => {
                    if let Err(t) = apply(instr, &mut st, seen)? {
                        return Some(Err(t));
                    }
                }
            }
        }
        Some(Ok(st))
    }

    /// Does `got` satisfy the expected result `want`?
    fn matches(got: V, want: &wast::core::WastRetCore) -> bool {
        use wast::core::{NanPattern as N, WastRetCore as R};
        match (got, want) {
            (V::i32(g), R::I32(w)) => g == *w,
            (V::i64(g), R::I64(w)) => g == *w,
            (V::f32(g), R::F32(N::Value(w))) => g.to_bits() == w.bits,
            (V::f32(g), R::F32(N::CanonicalNan)) => g.to_bits() & 0x7fff_ffff == 0x7fc0_0000,
            (V::f32(g), R::F32(N::ArithmeticNan)) => g.to_bits() & 0x7fc0_0000 == 0x7fc0_0000,
            (V::f64(g), R::F64(N::Value(w))) => g.to_bits() == w.bits,
            (V::f64(g), R::F64(N::CanonicalNan)) => g.to_bits() & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
            (V::f64(g), R::F64(N::ArithmeticNan)) => g.to_bits() & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
            (g, R::Either(ws)) => ws.iter().any(|w| matches(g, w)),
            _ => false,
        }
    }

    /// A function of the current module: its declared locals' zero values
    /// and its body.
    type Func<'a> = (Vec<V>, &'a [wast::core::Instruction<'a>]);

    /// Checks every `assert_return`/`assert_trap` on an exported function
    /// whose body is straight-line numeric code. Returns (checked, skipped)
    /// and the list of failures.
    fn check_file(name: &str, text: &str, seen: &mut HashSet<&'static str>) -> (usize, usize, Vec<String>) {
        use std::collections::HashMap;
        use wast::core::{ExportKind, FuncKind, ModuleField, ModuleKind, ValType, WastArgCore};
        use wast::{QuoteWat, Wast, WastArg, WastDirective as D, WastExecute, WastRet, Wat};
        let buf = wast::parser::ParseBuffer::new(text).unwrap();
        let mut wast: Wast = wast::parser::parse(&buf).unwrap();
        let (mut checked, mut skipped, mut failures) = (0, 0, Vec::new());
        // Resolve every module first, so the borrows below can all be shared.
        for d in &mut wast.directives {
            if let D::Module(QuoteWat::Wat(Wat::Module(m))) = d {
                m.resolve().unwrap();
            }
        }
        let mut exports: HashMap<&str, Option<Func>> = HashMap::new();
        for d in &wast.directives {
            let (exec, want) = match d {
                D::Module(QuoteWat::Wat(Wat::Module(m))) => {
                    exports.clear();
                    let ModuleKind::Text(fields) = &m.kind else { continue };
                    let mut funcs = Vec::new();
                    for f in fields {
                        match f {
                            ModuleField::Func(func) => funcs.push(match &func.kind {
                                FuncKind::Inline { locals, expression } => {
                                    let zeros = locals.iter().map(|l| match l.ty {
                                        ValType::I32 => Some(V::i32(0)),
                                        ValType::I64 => Some(V::i64(0)),
                                        ValType::F32 => Some(V::f32(0.0)),
                                        ValType::F64 => Some(V::f64(0.0)),
                                        _ => None,
                                    });
                                    zeros.collect::<Option<Vec<V>>>().map(|z| (z, &expression.instrs[..]))
                                }
                                FuncKind::Import(..) => None,
                            }),
                            ModuleField::Import(_) => funcs.push(None), // may be a func
                            _ => {}
                        }
                    }
                    for f in fields {
                        if let ModuleField::Export(e) = f {
                            if let (ExportKind::Func, wast::token::Index::Num(i, _)) = (e.kind, e.item) {
                                exports.insert(e.name, funcs.get(i as usize).cloned().flatten());
                            }
                        }
                    }
                    continue;
                }
                D::AssertReturn { exec, results, .. } => (exec, Ok(results)),
                D::AssertTrap { exec, message, .. } => (exec, Err(*message)),
                _ => continue,
            };
            let WastExecute::Invoke(inv) = exec else { continue };
            let Some(Some((zeros, body))) = exports.get(inv.name) else {
                skipped += 1;
                continue;
            };
            let mut locals: Vec<V> = inv
                .args
                .iter()
                .map(|a| match a {
                    WastArg::Core(WastArgCore::I32(x)) => V::i32(*x),
                    WastArg::Core(WastArgCore::I64(x)) => V::i64(*x),
                    WastArg::Core(WastArgCore::F32(x)) => V::f32(f32::from_bits(x.bits)),
                    WastArg::Core(WastArgCore::F64(x)) => V::f64(f64::from_bits(x.bits)),
                    other => panic!("unexpected argument {other:?}"),
                })
                .collect();
            locals.extend_from_slice(zeros);
            let Some(got) = run(body, &mut locals, seen) else {
                skipped += 1;
                continue;
            };
            checked += 1;
            let (line, _) = inv.span.linecol_in(text);
            let ok = match (&got, &want) {
                (Ok(vals), Ok(rets)) => {
                    vals.len() == rets.len()
                        && vals.iter().zip(rets.iter()).all(|(g, w)| matches!(w, WastRet::Core(w) if matches(*g, w)))
                }
                (Err(t), Err(msg)) => msg.starts_with(t.message()),
                _ => false,
            };
            if !ok {
                failures.push(format!(
                    "{name}.wast:{}: {} {:?}: got {got:?}, want {want:?}",
                    line + 1,
                    inv.name,
                    inv.args
                ));
            }
        }
        (checked, skipped, failures)
    }

    fn suite_dir() -> std::path::PathBuf {
        crate::script::default_suite_dir()
    }

    #[test]
    fn spec_suite_numeric_assertions() {
        let dir = suite_dir();
        assert!(dir.is_dir(), "spec suite not found at {} (set WASMINT_TESTSUITE)", dir.display());
        let files = [
            "i32",
            "i64",
            "f32",
            "f64",
            "f32_bitwise",
            "f64_bitwise",
            "f32_cmp",
            "f64_cmp",
            "conversions",
            "float_misc",
            "float_exprs",
            "int_exprs",
            "float_literals",
            "const",
            "int_literals",
            "left-to-right",
            "traps",
        ];
        let (mut checked, mut skipped, mut failures) = (0, 0, Vec::new());
        let mut seen = HashSet::new();
        for name in files {
            let Ok(text) = std::fs::read_to_string(dir.join(format!("{name}.wast"))) else {
                continue;
            };
            let (c, s, f) = check_file(name, &text, &mut seen);
            eprintln!("{name}: {c} checked, {s} skipped, {} failed", f.len());
            checked += c;
            skipped += s;
            failures.extend(f);
        }
        eprintln!("total: {checked} checked, {skipped} skipped, {} ops seen", seen.len());
        assert!(checked > 10_000, "only {checked} assertions checked");
        assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
        macro_rules! all_names {
            ($($v:ident $op:literal $name:literal $($rest:ident)* -> $out:ident $f:ident)*) => {
                [$($name),*]
            };
        }
        let unseen: Vec<_> = crate::for_each_num_op!(all_names).into_iter().filter(|n| !seen.contains(n)).collect();
        assert!(unseen.is_empty(), "not exercised by the suite: {unseen:?}");
    }
}
