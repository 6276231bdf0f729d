//! The instruction tables: each fixed-signature instruction is listed once.
//!
//! `for_each_num_op!` lists the numeric instructions (spec 2.4.1), which have
//! no immediates and a fixed type. It generates [`NumOp`](crate::syntax::NumOp)
//! (decoder byte match, validator signature, text name) and the interpreter's
//! handlers, whose semantics are the plain functions in `exec::num`.
//!
//! Row: `Variant opcode "name" shape in -> out semantics_fn`.
//! `opcode` is the byte, or `0xFC00 | sub` for the `0xFC`-prefixed ones.
//! Shapes: `un` `(in) -> out`, `bin` `(in, in) -> out`, `cmp` a binary
//! comparison `(in, in) -> i32` (0 or 1; the engine fuses these with
//! branches), and the trapping forms `un_trap`/`bin_trap` whose function
//! returns `Result<out, TrapCode>`.

/// Calls `$m! { rows }` with the numeric instruction table.
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_num_op {
    ($m:ident) => {
        $crate::for_each_num_op! { @rows $m [] }
    };
    // `$m! { extra ; rows }`: lets a callback receive context tokens (e.g.
    // the other table's rows, or hand-written match arms) before the rows.
    ($m:ident ; $($extra:tt)*) => {
        $crate::for_each_num_op! { @rows $m [$($extra)* ;] }
    };
    (@rows $m:ident [$($extra:tt)*]) => {
        $m! { $($extra)*
            I32Eqz 0x45 "i32.eqz" un i32 -> i32 i32_eqz
            I32Eq 0x46 "i32.eq" cmp i32 -> i32 i32_eq
            I32Ne 0x47 "i32.ne" cmp i32 -> i32 i32_ne
            I32LtS 0x48 "i32.lt_s" cmp i32 -> i32 i32_lt_s
            I32LtU 0x49 "i32.lt_u" cmp i32 -> i32 i32_lt_u
            I32GtS 0x4A "i32.gt_s" cmp i32 -> i32 i32_gt_s
            I32GtU 0x4B "i32.gt_u" cmp i32 -> i32 i32_gt_u
            I32LeS 0x4C "i32.le_s" cmp i32 -> i32 i32_le_s
            I32LeU 0x4D "i32.le_u" cmp i32 -> i32 i32_le_u
            I32GeS 0x4E "i32.ge_s" cmp i32 -> i32 i32_ge_s
            I32GeU 0x4F "i32.ge_u" cmp i32 -> i32 i32_ge_u
            I64Eqz 0x50 "i64.eqz" un i64 -> i32 i64_eqz
            I64Eq 0x51 "i64.eq" cmp i64 -> i32 i64_eq
            I64Ne 0x52 "i64.ne" cmp i64 -> i32 i64_ne
            I64LtS 0x53 "i64.lt_s" cmp i64 -> i32 i64_lt_s
            I64LtU 0x54 "i64.lt_u" cmp i64 -> i32 i64_lt_u
            I64GtS 0x55 "i64.gt_s" cmp i64 -> i32 i64_gt_s
            I64GtU 0x56 "i64.gt_u" cmp i64 -> i32 i64_gt_u
            I64LeS 0x57 "i64.le_s" cmp i64 -> i32 i64_le_s
            I64LeU 0x58 "i64.le_u" cmp i64 -> i32 i64_le_u
            I64GeS 0x59 "i64.ge_s" cmp i64 -> i32 i64_ge_s
            I64GeU 0x5A "i64.ge_u" cmp i64 -> i32 i64_ge_u
            F32Eq 0x5B "f32.eq" cmp f32 -> i32 f32_eq
            F32Ne 0x5C "f32.ne" cmp f32 -> i32 f32_ne
            F32Lt 0x5D "f32.lt" cmp f32 -> i32 f32_lt
            F32Gt 0x5E "f32.gt" cmp f32 -> i32 f32_gt
            F32Le 0x5F "f32.le" cmp f32 -> i32 f32_le
            F32Ge 0x60 "f32.ge" cmp f32 -> i32 f32_ge
            F64Eq 0x61 "f64.eq" cmp f64 -> i32 f64_eq
            F64Ne 0x62 "f64.ne" cmp f64 -> i32 f64_ne
            F64Lt 0x63 "f64.lt" cmp f64 -> i32 f64_lt
            F64Gt 0x64 "f64.gt" cmp f64 -> i32 f64_gt
            F64Le 0x65 "f64.le" cmp f64 -> i32 f64_le
            F64Ge 0x66 "f64.ge" cmp f64 -> i32 f64_ge
            I32Clz 0x67 "i32.clz" un i32 -> i32 i32_clz
            I32Ctz 0x68 "i32.ctz" un i32 -> i32 i32_ctz
            I32Popcnt 0x69 "i32.popcnt" un i32 -> i32 i32_popcnt
            I32Add 0x6A "i32.add" bin i32 -> i32 i32_add
            I32Sub 0x6B "i32.sub" bin i32 -> i32 i32_sub
            I32Mul 0x6C "i32.mul" bin i32 -> i32 i32_mul
            I32DivS 0x6D "i32.div_s" bin_trap i32 -> i32 i32_div_s
            I32DivU 0x6E "i32.div_u" bin_trap i32 -> i32 i32_div_u
            I32RemS 0x6F "i32.rem_s" bin_trap i32 -> i32 i32_rem_s
            I32RemU 0x70 "i32.rem_u" bin_trap i32 -> i32 i32_rem_u
            I32And 0x71 "i32.and" bin i32 -> i32 i32_and
            I32Or 0x72 "i32.or" bin i32 -> i32 i32_or
            I32Xor 0x73 "i32.xor" bin i32 -> i32 i32_xor
            I32Shl 0x74 "i32.shl" bin i32 -> i32 i32_shl
            I32ShrS 0x75 "i32.shr_s" bin i32 -> i32 i32_shr_s
            I32ShrU 0x76 "i32.shr_u" bin i32 -> i32 i32_shr_u
            I32Rotl 0x77 "i32.rotl" bin i32 -> i32 i32_rotl
            I32Rotr 0x78 "i32.rotr" bin i32 -> i32 i32_rotr
            I64Clz 0x79 "i64.clz" un i64 -> i64 i64_clz
            I64Ctz 0x7A "i64.ctz" un i64 -> i64 i64_ctz
            I64Popcnt 0x7B "i64.popcnt" un i64 -> i64 i64_popcnt
            I64Add 0x7C "i64.add" bin i64 -> i64 i64_add
            I64Sub 0x7D "i64.sub" bin i64 -> i64 i64_sub
            I64Mul 0x7E "i64.mul" bin i64 -> i64 i64_mul
            I64DivS 0x7F "i64.div_s" bin_trap i64 -> i64 i64_div_s
            I64DivU 0x80 "i64.div_u" bin_trap i64 -> i64 i64_div_u
            I64RemS 0x81 "i64.rem_s" bin_trap i64 -> i64 i64_rem_s
            I64RemU 0x82 "i64.rem_u" bin_trap i64 -> i64 i64_rem_u
            I64And 0x83 "i64.and" bin i64 -> i64 i64_and
            I64Or 0x84 "i64.or" bin i64 -> i64 i64_or
            I64Xor 0x85 "i64.xor" bin i64 -> i64 i64_xor
            I64Shl 0x86 "i64.shl" bin i64 -> i64 i64_shl
            I64ShrS 0x87 "i64.shr_s" bin i64 -> i64 i64_shr_s
            I64ShrU 0x88 "i64.shr_u" bin i64 -> i64 i64_shr_u
            I64Rotl 0x89 "i64.rotl" bin i64 -> i64 i64_rotl
            I64Rotr 0x8A "i64.rotr" bin i64 -> i64 i64_rotr
            F32Abs 0x8B "f32.abs" un f32 -> f32 f32_abs
            F32Neg 0x8C "f32.neg" un f32 -> f32 f32_neg
            F32Ceil 0x8D "f32.ceil" un f32 -> f32 f32_ceil
            F32Floor 0x8E "f32.floor" un f32 -> f32 f32_floor
            F32Trunc 0x8F "f32.trunc" un f32 -> f32 f32_trunc
            F32Nearest 0x90 "f32.nearest" un f32 -> f32 f32_nearest
            F32Sqrt 0x91 "f32.sqrt" un f32 -> f32 f32_sqrt
            F32Add 0x92 "f32.add" bin f32 -> f32 f32_add
            F32Sub 0x93 "f32.sub" bin f32 -> f32 f32_sub
            F32Mul 0x94 "f32.mul" bin f32 -> f32 f32_mul
            F32Div 0x95 "f32.div" bin f32 -> f32 f32_div
            F32Min 0x96 "f32.min" bin f32 -> f32 f32_min
            F32Max 0x97 "f32.max" bin f32 -> f32 f32_max
            F32Copysign 0x98 "f32.copysign" bin f32 -> f32 f32_copysign
            F64Abs 0x99 "f64.abs" un f64 -> f64 f64_abs
            F64Neg 0x9A "f64.neg" un f64 -> f64 f64_neg
            F64Ceil 0x9B "f64.ceil" un f64 -> f64 f64_ceil
            F64Floor 0x9C "f64.floor" un f64 -> f64 f64_floor
            F64Trunc 0x9D "f64.trunc" un f64 -> f64 f64_trunc
            F64Nearest 0x9E "f64.nearest" un f64 -> f64 f64_nearest
            F64Sqrt 0x9F "f64.sqrt" un f64 -> f64 f64_sqrt
            F64Add 0xA0 "f64.add" bin f64 -> f64 f64_add
            F64Sub 0xA1 "f64.sub" bin f64 -> f64 f64_sub
            F64Mul 0xA2 "f64.mul" bin f64 -> f64 f64_mul
            F64Div 0xA3 "f64.div" bin f64 -> f64 f64_div
            F64Min 0xA4 "f64.min" bin f64 -> f64 f64_min
            F64Max 0xA5 "f64.max" bin f64 -> f64 f64_max
            F64Copysign 0xA6 "f64.copysign" bin f64 -> f64 f64_copysign
            I32WrapI64 0xA7 "i32.wrap_i64" un i64 -> i32 i32_wrap_i64
            I32TruncF32S 0xA8 "i32.trunc_f32_s" un_trap f32 -> i32 i32_trunc_f32_s
            I32TruncF32U 0xA9 "i32.trunc_f32_u" un_trap f32 -> i32 i32_trunc_f32_u
            I32TruncF64S 0xAA "i32.trunc_f64_s" un_trap f64 -> i32 i32_trunc_f64_s
            I32TruncF64U 0xAB "i32.trunc_f64_u" un_trap f64 -> i32 i32_trunc_f64_u
            I64ExtendI32S 0xAC "i64.extend_i32_s" un i32 -> i64 i64_extend_i32_s
            I64ExtendI32U 0xAD "i64.extend_i32_u" un i32 -> i64 i64_extend_i32_u
            I64TruncF32S 0xAE "i64.trunc_f32_s" un_trap f32 -> i64 i64_trunc_f32_s
            I64TruncF32U 0xAF "i64.trunc_f32_u" un_trap f32 -> i64 i64_trunc_f32_u
            I64TruncF64S 0xB0 "i64.trunc_f64_s" un_trap f64 -> i64 i64_trunc_f64_s
            I64TruncF64U 0xB1 "i64.trunc_f64_u" un_trap f64 -> i64 i64_trunc_f64_u
            F32ConvertI32S 0xB2 "f32.convert_i32_s" un i32 -> f32 f32_convert_i32_s
            F32ConvertI32U 0xB3 "f32.convert_i32_u" un i32 -> f32 f32_convert_i32_u
            F32ConvertI64S 0xB4 "f32.convert_i64_s" un i64 -> f32 f32_convert_i64_s
            F32ConvertI64U 0xB5 "f32.convert_i64_u" un i64 -> f32 f32_convert_i64_u
            F32DemoteF64 0xB6 "f32.demote_f64" un f64 -> f32 f32_demote_f64
            F64ConvertI32S 0xB7 "f64.convert_i32_s" un i32 -> f64 f64_convert_i32_s
            F64ConvertI32U 0xB8 "f64.convert_i32_u" un i32 -> f64 f64_convert_i32_u
            F64ConvertI64S 0xB9 "f64.convert_i64_s" un i64 -> f64 f64_convert_i64_s
            F64ConvertI64U 0xBA "f64.convert_i64_u" un i64 -> f64 f64_convert_i64_u
            F64PromoteF32 0xBB "f64.promote_f32" un f32 -> f64 f64_promote_f32
            I32ReinterpretF32 0xBC "i32.reinterpret_f32" un f32 -> i32 i32_reinterpret_f32
            I64ReinterpretF64 0xBD "i64.reinterpret_f64" un f64 -> i64 i64_reinterpret_f64
            F32ReinterpretI32 0xBE "f32.reinterpret_i32" un i32 -> f32 f32_reinterpret_i32
            F64ReinterpretI64 0xBF "f64.reinterpret_i64" un i64 -> f64 f64_reinterpret_i64
            I32Extend8S 0xC0 "i32.extend8_s" un i32 -> i32 i32_extend8_s
            I32Extend16S 0xC1 "i32.extend16_s" un i32 -> i32 i32_extend16_s
            I64Extend8S 0xC2 "i64.extend8_s" un i64 -> i64 i64_extend8_s
            I64Extend16S 0xC3 "i64.extend16_s" un i64 -> i64 i64_extend16_s
            I64Extend32S 0xC4 "i64.extend32_s" un i64 -> i64 i64_extend32_s
            I32TruncSatF32S 0xFC00 "i32.trunc_sat_f32_s" un f32 -> i32 i32_trunc_sat_f32_s
            I32TruncSatF32U 0xFC01 "i32.trunc_sat_f32_u" un f32 -> i32 i32_trunc_sat_f32_u
            I32TruncSatF64S 0xFC02 "i32.trunc_sat_f64_s" un f64 -> i32 i32_trunc_sat_f64_s
            I32TruncSatF64U 0xFC03 "i32.trunc_sat_f64_u" un f64 -> i32 i32_trunc_sat_f64_u
            I64TruncSatF32S 0xFC04 "i64.trunc_sat_f32_s" un f32 -> i64 i64_trunc_sat_f32_s
            I64TruncSatF32U 0xFC05 "i64.trunc_sat_f32_u" un f32 -> i64 i64_trunc_sat_f32_u
            I64TruncSatF64S 0xFC06 "i64.trunc_sat_f64_s" un f64 -> i64 i64_trunc_sat_f64_s
            I64TruncSatF64U 0xFC07 "i64.trunc_sat_f64_u" un f64 -> i64 i64_trunc_sat_f64_u
        }
    };
}

/// Calls `$m! { rows }` with the memory access table (spec 2.4.7).
///
/// Row: `Variant opcode "name" load|store valtype max_align_log2 reg => mem`.
/// A load reads a little-endian `mem` and converts it with `as` to `reg`
/// (which extends per the signedness of `mem`); a store converts the operand
/// `reg` with `as` to `mem` (which wraps) and writes it little-endian.
/// `max_align_log2` is also the log2 of the access width in bytes.
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_mem_op {
    ($m:ident) => {
        $crate::for_each_mem_op! { @rows $m [] }
    };
    // `$m! { extra ; rows }`: lets a callback receive context tokens (e.g.
    // the other table's rows, or hand-written match arms) before the rows.
    ($m:ident ; $($extra:tt)*) => {
        $crate::for_each_mem_op! { @rows $m [$($extra)* ;] }
    };
    (@rows $m:ident [$($extra:tt)*]) => {
        $m! { $($extra)*
            I32Load 0x28 "i32.load" load I32 2 i32 => i32
            I64Load 0x29 "i64.load" load I64 3 i64 => i64
            F32Load 0x2A "f32.load" load F32 2 f32 => f32
            F64Load 0x2B "f64.load" load F64 3 f64 => f64
            I32Load8S 0x2C "i32.load8_s" load I32 0 i32 => i8
            I32Load8U 0x2D "i32.load8_u" load I32 0 i32 => u8
            I32Load16S 0x2E "i32.load16_s" load I32 1 i32 => i16
            I32Load16U 0x2F "i32.load16_u" load I32 1 i32 => u16
            I64Load8S 0x30 "i64.load8_s" load I64 0 i64 => i8
            I64Load8U 0x31 "i64.load8_u" load I64 0 i64 => u8
            I64Load16S 0x32 "i64.load16_s" load I64 1 i64 => i16
            I64Load16U 0x33 "i64.load16_u" load I64 1 i64 => u16
            I64Load32S 0x34 "i64.load32_s" load I64 2 i64 => i32
            I64Load32U 0x35 "i64.load32_u" load I64 2 i64 => u32
            I32Store 0x36 "i32.store" store I32 2 i32 => i32
            I64Store 0x37 "i64.store" store I64 3 i64 => i64
            F32Store 0x38 "f32.store" store F32 2 f32 => f32
            F64Store 0x39 "f64.store" store F64 3 f64 => f64
            I32Store8 0x3A "i32.store8" store I32 0 i32 => i8
            I32Store16 0x3B "i32.store16" store I32 1 i32 => i16
            I64Store8 0x3C "i64.store8" store I64 0 i64 => i8
            I64Store16 0x3D "i64.store16" store I64 1 i64 => i16
            I64Store32 0x3E "i64.store32" store I64 2 i64 => i32
        }
    };
}
