//! Numeric semantics (spec 4.3 "Numerics"): one plain function per row of
//! [`for_each_num_op!`](crate::for_each_num_op), named by its `semantics_fn`.
//!
//! Integers are `i32`/`i64`; unsigned operators reinterpret with `as`.
//! Comparisons return `i32` 0 or 1. Float results that are NaN follow the
//! spec's propagation rule (4.3.3): canonical when no operand is NaN, an
//! arithmetic (quiet) NaN otherwise. Hardware add/sub/mul/div/sqrt already do
//! that; every operator where libm or `as` could differ handles NaN itself.

use crate::error::TrapCode;

// ---------------------------------------------------------------- integers

/// Defines the integer operators of one width (`$t` signed, `$u` unsigned).
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

#[inline] pub fn i32_extend8_s(a: i32) -> i32 { a as i8 as i32 }
#[inline] pub fn i32_extend16_s(a: i32) -> i32 { a as i16 as i32 }
#[inline] pub fn i64_extend8_s(a: i64) -> i64 { a as i8 as i64 }
#[inline] pub fn i64_extend16_s(a: i64) -> i64 { a as i16 as i64 }
#[inline] pub fn i64_extend32_s(a: i64) -> i64 { a as i32 as i64 }

// ------------------------------------------------------------------ floats

/// Defines the float operators of one width. `$bits` is the unsigned bit
/// type, `$quiet` the quiet-NaN bit, `$sign` the sign bit, `$int_limit` the
/// smallest power of two from which every float is integral (2^mantissa).
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

#[inline] pub fn i32_wrap_i64(a: i64) -> i32 { a as i32 }
#[inline] pub fn i64_extend_i32_s(a: i32) -> i64 { a as i64 }
#[inline] pub fn i64_extend_i32_u(a: i32) -> i64 { a as u32 as i64 }

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
#[inline] pub fn i32_trunc_sat_f32_s(a: f32) -> i32 { a as i32 }
#[inline] pub fn i32_trunc_sat_f32_u(a: f32) -> i32 { a as u32 as i32 }
#[inline] pub fn i32_trunc_sat_f64_s(a: f64) -> i32 { a as i32 }
#[inline] pub fn i32_trunc_sat_f64_u(a: f64) -> i32 { a as u32 as i32 }
#[inline] pub fn i64_trunc_sat_f32_s(a: f32) -> i64 { a as i64 }
#[inline] pub fn i64_trunc_sat_f32_u(a: f32) -> i64 { a as u64 as i64 }
#[inline] pub fn i64_trunc_sat_f64_s(a: f64) -> i64 { a as i64 }
#[inline] pub fn i64_trunc_sat_f64_u(a: f64) -> i64 { a as u64 as i64 }

// Int-to-float `as` rounds to nearest, ties to even, as the spec requires.
#[inline] pub fn f32_convert_i32_s(a: i32) -> f32 { a as f32 }
#[inline] pub fn f32_convert_i32_u(a: i32) -> f32 { a as u32 as f32 }
#[inline] pub fn f32_convert_i64_s(a: i64) -> f32 { a as f32 }
#[inline] pub fn f32_convert_i64_u(a: i64) -> f32 { a as u64 as f32 }
#[inline] pub fn f64_convert_i32_s(a: i32) -> f64 { a as f64 }
#[inline] pub fn f64_convert_i32_u(a: i32) -> f64 { a as u32 as f64 }
#[inline] pub fn f64_convert_i64_s(a: i64) -> f64 { a as f64 }
#[inline] pub fn f64_convert_i64_u(a: i64) -> f64 { a as u64 as f64 }

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

#[inline] pub fn i32_reinterpret_f32(a: f32) -> i32 { a.to_bits() as i32 }
#[inline] pub fn i64_reinterpret_f64(a: f64) -> i64 { a.to_bits() as i64 }
#[inline] pub fn f32_reinterpret_i32(a: i32) -> f32 { f32::from_bits(a as u32) }
#[inline] pub fn f64_reinterpret_i64(a: i64) -> f64 { f64::from_bits(a as u64) }
