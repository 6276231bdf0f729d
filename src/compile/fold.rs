//! The table of fused operand forms (generated once by a script, then kept
//! by hand): which instructions get register-like variants reading their
//! operands from locals or immediates instead of the operand stack.
//!
//! Per integer binary op `X`: `XL(i)` (top op local i), `XLL(a, b)` (pushes
//! local a op local b), `XI(c)` (top op c) and `XLI(a, c)` (pushes local a
//! op c); the i64 immediate is an i32 sign-extended. Float ops have the
//! local forms only. i32 comparisons also fuse with a following
//! `br_if`/`if` in each of their forms (after `/`: the negation's, for
//! jumps taken when the comparison fails).
//! Loads get `XL(a, offset)`: the address from local a, and `XA(c, offset)`:
//! the address is the top plus c (wrapping, as the `i32.add` it replaces). Integer
//! arithmetic and comparisons also have each form followed by `local.set d` (`XLS(i, d)`,
//! `XLLS(a, b, d)`, `XIS(c, d)`, `XLIS(a, c, d)`): the result goes to local
//! d instead of the stack; so do the plain forms (`XS(d)`) and the float
//! arithmetic forms (`fset`).

/// Calls `$m! { int: [..] float: [..] branch: [..] set: [..] fset: [..] load: [..] }`.
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_fold_op {
    ($m:ident $(; $($extra:tt)*)?) => {
        $m! { $($($extra)*)?
        int: [
            I32Eq i32 i32_eq: I32EqL I32EqLL I32EqI I32EqLI;
            I32Ne i32 i32_ne: I32NeL I32NeLL I32NeI I32NeLI;
            I32LtS i32 i32_lt_s: I32LtSL I32LtSLL I32LtSI I32LtSLI;
            I32LtU i32 i32_lt_u: I32LtUL I32LtULL I32LtUI I32LtULI;
            I32GtS i32 i32_gt_s: I32GtSL I32GtSLL I32GtSI I32GtSLI;
            I32GtU i32 i32_gt_u: I32GtUL I32GtULL I32GtUI I32GtULI;
            I32LeS i32 i32_le_s: I32LeSL I32LeSLL I32LeSI I32LeSLI;
            I32LeU i32 i32_le_u: I32LeUL I32LeULL I32LeUI I32LeULI;
            I32GeS i32 i32_ge_s: I32GeSL I32GeSLL I32GeSI I32GeSLI;
            I32GeU i32 i32_ge_u: I32GeUL I32GeULL I32GeUI I32GeULI;
            I32Add i32 i32_add: I32AddL I32AddLL I32AddI I32AddLI;
            I32Sub i32 i32_sub: I32SubL I32SubLL I32SubI I32SubLI;
            I32Mul i32 i32_mul: I32MulL I32MulLL I32MulI I32MulLI;
            I32And i32 i32_and: I32AndL I32AndLL I32AndI I32AndLI;
            I32Or i32 i32_or: I32OrL I32OrLL I32OrI I32OrLI;
            I32Xor i32 i32_xor: I32XorL I32XorLL I32XorI I32XorLI;
            I32Shl i32 i32_shl: I32ShlL I32ShlLL I32ShlI I32ShlLI;
            I32ShrS i32 i32_shr_s: I32ShrSL I32ShrSLL I32ShrSI I32ShrSLI;
            I32ShrU i32 i32_shr_u: I32ShrUL I32ShrULL I32ShrUI I32ShrULI;
            I32Rotl i32 i32_rotl: I32RotlL I32RotlLL I32RotlI I32RotlLI;
            I32Rotr i32 i32_rotr: I32RotrL I32RotrLL I32RotrI I32RotrLI;
            I64Eq i64 i64_eq: I64EqL I64EqLL I64EqI I64EqLI;
            I64Ne i64 i64_ne: I64NeL I64NeLL I64NeI I64NeLI;
            I64LtS i64 i64_lt_s: I64LtSL I64LtSLL I64LtSI I64LtSLI;
            I64LtU i64 i64_lt_u: I64LtUL I64LtULL I64LtUI I64LtULI;
            I64GtS i64 i64_gt_s: I64GtSL I64GtSLL I64GtSI I64GtSLI;
            I64GtU i64 i64_gt_u: I64GtUL I64GtULL I64GtUI I64GtULI;
            I64LeS i64 i64_le_s: I64LeSL I64LeSLL I64LeSI I64LeSLI;
            I64LeU i64 i64_le_u: I64LeUL I64LeULL I64LeUI I64LeULI;
            I64GeS i64 i64_ge_s: I64GeSL I64GeSLL I64GeSI I64GeSLI;
            I64GeU i64 i64_ge_u: I64GeUL I64GeULL I64GeUI I64GeULI;
            I64Add i64 i64_add: I64AddL I64AddLL I64AddI I64AddLI;
            I64Sub i64 i64_sub: I64SubL I64SubLL I64SubI I64SubLI;
            I64Mul i64 i64_mul: I64MulL I64MulLL I64MulI I64MulLI;
            I64And i64 i64_and: I64AndL I64AndLL I64AndI I64AndLI;
            I64Or i64 i64_or: I64OrL I64OrLL I64OrI I64OrLI;
            I64Xor i64 i64_xor: I64XorL I64XorLL I64XorI I64XorLI;
            I64Shl i64 i64_shl: I64ShlL I64ShlLL I64ShlI I64ShlLI;
            I64ShrS i64 i64_shr_s: I64ShrSL I64ShrSLL I64ShrSI I64ShrSLI;
            I64ShrU i64 i64_shr_u: I64ShrUL I64ShrULL I64ShrUI I64ShrULI;
            I64Rotl i64 i64_rotl: I64RotlL I64RotlLL I64RotlI I64RotlLI;
            I64Rotr i64 i64_rotr: I64RotrL I64RotrLL I64RotrI I64RotrLI;
        ]
        float: [
            F32Eq f32 f32_eq: F32EqL F32EqLL;
            F32Ne f32 f32_ne: F32NeL F32NeLL;
            F32Lt f32 f32_lt: F32LtL F32LtLL;
            F32Gt f32 f32_gt: F32GtL F32GtLL;
            F32Le f32 f32_le: F32LeL F32LeLL;
            F32Ge f32 f32_ge: F32GeL F32GeLL;
            F32Add f32 f32_add: F32AddL F32AddLL;
            F32Sub f32 f32_sub: F32SubL F32SubLL;
            F32Mul f32 f32_mul: F32MulL F32MulLL;
            F32Div f32 f32_div: F32DivL F32DivLL;
            F64Eq f64 f64_eq: F64EqL F64EqLL;
            F64Ne f64 f64_ne: F64NeL F64NeLL;
            F64Lt f64 f64_lt: F64LtL F64LtLL;
            F64Gt f64 f64_gt: F64GtL F64GtLL;
            F64Le f64 f64_le: F64LeL F64LeLL;
            F64Ge f64 f64_ge: F64GeL F64GeLL;
            F64Add f64 f64_add: F64AddL F64AddLL;
            F64Sub f64 f64_sub: F64SubL F64SubLL;
            F64Mul f64 f64_mul: F64MulL F64MulLL;
            F64Div f64 f64_div: F64DivL F64DivLL;
        ]
        branch: [
            I32Eq i32 i32_eq: I32EqL I32EqLL I32EqI I32EqLI => BrIfI32Eq BrIfI32EqL BrIfI32EqLL BrIfI32EqI BrIfI32EqLI / BrIfI32Ne BrIfI32NeL BrIfI32NeLL BrIfI32NeI BrIfI32NeLI;
            I32Ne i32 i32_ne: I32NeL I32NeLL I32NeI I32NeLI => BrIfI32Ne BrIfI32NeL BrIfI32NeLL BrIfI32NeI BrIfI32NeLI / BrIfI32Eq BrIfI32EqL BrIfI32EqLL BrIfI32EqI BrIfI32EqLI;
            I32LtS i32 i32_lt_s: I32LtSL I32LtSLL I32LtSI I32LtSLI => BrIfI32LtS BrIfI32LtSL BrIfI32LtSLL BrIfI32LtSI BrIfI32LtSLI / BrIfI32GeS BrIfI32GeSL BrIfI32GeSLL BrIfI32GeSI BrIfI32GeSLI;
            I32LtU i32 i32_lt_u: I32LtUL I32LtULL I32LtUI I32LtULI => BrIfI32LtU BrIfI32LtUL BrIfI32LtULL BrIfI32LtUI BrIfI32LtULI / BrIfI32GeU BrIfI32GeUL BrIfI32GeULL BrIfI32GeUI BrIfI32GeULI;
            I32GtS i32 i32_gt_s: I32GtSL I32GtSLL I32GtSI I32GtSLI => BrIfI32GtS BrIfI32GtSL BrIfI32GtSLL BrIfI32GtSI BrIfI32GtSLI / BrIfI32LeS BrIfI32LeSL BrIfI32LeSLL BrIfI32LeSI BrIfI32LeSLI;
            I32GtU i32 i32_gt_u: I32GtUL I32GtULL I32GtUI I32GtULI => BrIfI32GtU BrIfI32GtUL BrIfI32GtULL BrIfI32GtUI BrIfI32GtULI / BrIfI32LeU BrIfI32LeUL BrIfI32LeULL BrIfI32LeUI BrIfI32LeULI;
            I32LeS i32 i32_le_s: I32LeSL I32LeSLL I32LeSI I32LeSLI => BrIfI32LeS BrIfI32LeSL BrIfI32LeSLL BrIfI32LeSI BrIfI32LeSLI / BrIfI32GtS BrIfI32GtSL BrIfI32GtSLL BrIfI32GtSI BrIfI32GtSLI;
            I32LeU i32 i32_le_u: I32LeUL I32LeULL I32LeUI I32LeULI => BrIfI32LeU BrIfI32LeUL BrIfI32LeULL BrIfI32LeUI BrIfI32LeULI / BrIfI32GtU BrIfI32GtUL BrIfI32GtULL BrIfI32GtUI BrIfI32GtULI;
            I32GeS i32 i32_ge_s: I32GeSL I32GeSLL I32GeSI I32GeSLI => BrIfI32GeS BrIfI32GeSL BrIfI32GeSLL BrIfI32GeSI BrIfI32GeSLI / BrIfI32LtS BrIfI32LtSL BrIfI32LtSLL BrIfI32LtSI BrIfI32LtSLI;
            I32GeU i32 i32_ge_u: I32GeUL I32GeULL I32GeUI I32GeULI => BrIfI32GeU BrIfI32GeUL BrIfI32GeULL BrIfI32GeUI BrIfI32GeULI / BrIfI32LtU BrIfI32LtUL BrIfI32LtULL BrIfI32LtUI BrIfI32LtULI;
            I64Eq i64 i64_eq: I64EqL I64EqLL I64EqI I64EqLI => BrIfI64Eq BrIfI64EqL BrIfI64EqLL BrIfI64EqI BrIfI64EqLI / BrIfI64Ne BrIfI64NeL BrIfI64NeLL BrIfI64NeI BrIfI64NeLI;
            I64Ne i64 i64_ne: I64NeL I64NeLL I64NeI I64NeLI => BrIfI64Ne BrIfI64NeL BrIfI64NeLL BrIfI64NeI BrIfI64NeLI / BrIfI64Eq BrIfI64EqL BrIfI64EqLL BrIfI64EqI BrIfI64EqLI;
            I64LtS i64 i64_lt_s: I64LtSL I64LtSLL I64LtSI I64LtSLI => BrIfI64LtS BrIfI64LtSL BrIfI64LtSLL BrIfI64LtSI BrIfI64LtSLI / BrIfI64GeS BrIfI64GeSL BrIfI64GeSLL BrIfI64GeSI BrIfI64GeSLI;
            I64LtU i64 i64_lt_u: I64LtUL I64LtULL I64LtUI I64LtULI => BrIfI64LtU BrIfI64LtUL BrIfI64LtULL BrIfI64LtUI BrIfI64LtULI / BrIfI64GeU BrIfI64GeUL BrIfI64GeULL BrIfI64GeUI BrIfI64GeULI;
            I64GtS i64 i64_gt_s: I64GtSL I64GtSLL I64GtSI I64GtSLI => BrIfI64GtS BrIfI64GtSL BrIfI64GtSLL BrIfI64GtSI BrIfI64GtSLI / BrIfI64LeS BrIfI64LeSL BrIfI64LeSLL BrIfI64LeSI BrIfI64LeSLI;
            I64GtU i64 i64_gt_u: I64GtUL I64GtULL I64GtUI I64GtULI => BrIfI64GtU BrIfI64GtUL BrIfI64GtULL BrIfI64GtUI BrIfI64GtULI / BrIfI64LeU BrIfI64LeUL BrIfI64LeULL BrIfI64LeUI BrIfI64LeULI;
            I64LeS i64 i64_le_s: I64LeSL I64LeSLL I64LeSI I64LeSLI => BrIfI64LeS BrIfI64LeSL BrIfI64LeSLL BrIfI64LeSI BrIfI64LeSLI / BrIfI64GtS BrIfI64GtSL BrIfI64GtSLL BrIfI64GtSI BrIfI64GtSLI;
            I64LeU i64 i64_le_u: I64LeUL I64LeULL I64LeUI I64LeULI => BrIfI64LeU BrIfI64LeUL BrIfI64LeULL BrIfI64LeUI BrIfI64LeULI / BrIfI64GtU BrIfI64GtUL BrIfI64GtULL BrIfI64GtUI BrIfI64GtULI;
            I64GeS i64 i64_ge_s: I64GeSL I64GeSLL I64GeSI I64GeSLI => BrIfI64GeS BrIfI64GeSL BrIfI64GeSLL BrIfI64GeSI BrIfI64GeSLI / BrIfI64LtS BrIfI64LtSL BrIfI64LtSLL BrIfI64LtSI BrIfI64LtSLI;
            I64GeU i64 i64_ge_u: I64GeUL I64GeULL I64GeUI I64GeULI => BrIfI64GeU BrIfI64GeUL BrIfI64GeULL BrIfI64GeUI BrIfI64GeULI / BrIfI64LtU BrIfI64LtUL BrIfI64LtULL BrIfI64LtUI BrIfI64LtULI;
        ]
        set: [
            I32Eq i32 i32_eq: I32EqL I32EqLL I32EqI I32EqLI => I32EqLS I32EqLLS I32EqIS I32EqLIS I32EqS;
            I32Ne i32 i32_ne: I32NeL I32NeLL I32NeI I32NeLI => I32NeLS I32NeLLS I32NeIS I32NeLIS I32NeS;
            I32LtS i32 i32_lt_s: I32LtSL I32LtSLL I32LtSI I32LtSLI => I32LtSLS I32LtSLLS I32LtSIS I32LtSLIS I32LtSS;
            I32LtU i32 i32_lt_u: I32LtUL I32LtULL I32LtUI I32LtULI => I32LtULS I32LtULLS I32LtUIS I32LtULIS I32LtUS;
            I32GtS i32 i32_gt_s: I32GtSL I32GtSLL I32GtSI I32GtSLI => I32GtSLS I32GtSLLS I32GtSIS I32GtSLIS I32GtSS;
            I32GtU i32 i32_gt_u: I32GtUL I32GtULL I32GtUI I32GtULI => I32GtULS I32GtULLS I32GtUIS I32GtULIS I32GtUS;
            I32LeS i32 i32_le_s: I32LeSL I32LeSLL I32LeSI I32LeSLI => I32LeSLS I32LeSLLS I32LeSIS I32LeSLIS I32LeSS;
            I32LeU i32 i32_le_u: I32LeUL I32LeULL I32LeUI I32LeULI => I32LeULS I32LeULLS I32LeUIS I32LeULIS I32LeUS;
            I32GeS i32 i32_ge_s: I32GeSL I32GeSLL I32GeSI I32GeSLI => I32GeSLS I32GeSLLS I32GeSIS I32GeSLIS I32GeSS;
            I32GeU i32 i32_ge_u: I32GeUL I32GeULL I32GeUI I32GeULI => I32GeULS I32GeULLS I32GeUIS I32GeULIS I32GeUS;
            I64Eq i64 i64_eq: I64EqL I64EqLL I64EqI I64EqLI => I64EqLS I64EqLLS I64EqIS I64EqLIS I64EqS;
            I64Ne i64 i64_ne: I64NeL I64NeLL I64NeI I64NeLI => I64NeLS I64NeLLS I64NeIS I64NeLIS I64NeS;
            I64LtS i64 i64_lt_s: I64LtSL I64LtSLL I64LtSI I64LtSLI => I64LtSLS I64LtSLLS I64LtSIS I64LtSLIS I64LtSS;
            I64LtU i64 i64_lt_u: I64LtUL I64LtULL I64LtUI I64LtULI => I64LtULS I64LtULLS I64LtUIS I64LtULIS I64LtUS;
            I64GtS i64 i64_gt_s: I64GtSL I64GtSLL I64GtSI I64GtSLI => I64GtSLS I64GtSLLS I64GtSIS I64GtSLIS I64GtSS;
            I64GtU i64 i64_gt_u: I64GtUL I64GtULL I64GtUI I64GtULI => I64GtULS I64GtULLS I64GtUIS I64GtULIS I64GtUS;
            I64LeS i64 i64_le_s: I64LeSL I64LeSLL I64LeSI I64LeSLI => I64LeSLS I64LeSLLS I64LeSIS I64LeSLIS I64LeSS;
            I64LeU i64 i64_le_u: I64LeUL I64LeULL I64LeUI I64LeULI => I64LeULS I64LeULLS I64LeUIS I64LeULIS I64LeUS;
            I64GeS i64 i64_ge_s: I64GeSL I64GeSLL I64GeSI I64GeSLI => I64GeSLS I64GeSLLS I64GeSIS I64GeSLIS I64GeSS;
            I64GeU i64 i64_ge_u: I64GeUL I64GeULL I64GeUI I64GeULI => I64GeULS I64GeULLS I64GeUIS I64GeULIS I64GeUS;
            I32Add i32 i32_add: I32AddL I32AddLL I32AddI I32AddLI => I32AddLS I32AddLLS I32AddIS I32AddLIS I32AddS;
            I32Sub i32 i32_sub: I32SubL I32SubLL I32SubI I32SubLI => I32SubLS I32SubLLS I32SubIS I32SubLIS I32SubS;
            I32Mul i32 i32_mul: I32MulL I32MulLL I32MulI I32MulLI => I32MulLS I32MulLLS I32MulIS I32MulLIS I32MulS;
            I32And i32 i32_and: I32AndL I32AndLL I32AndI I32AndLI => I32AndLS I32AndLLS I32AndIS I32AndLIS I32AndS;
            I32Or i32 i32_or: I32OrL I32OrLL I32OrI I32OrLI => I32OrLS I32OrLLS I32OrIS I32OrLIS I32OrS;
            I32Xor i32 i32_xor: I32XorL I32XorLL I32XorI I32XorLI => I32XorLS I32XorLLS I32XorIS I32XorLIS I32XorS;
            I32Shl i32 i32_shl: I32ShlL I32ShlLL I32ShlI I32ShlLI => I32ShlLS I32ShlLLS I32ShlIS I32ShlLIS I32ShlS;
            I32ShrS i32 i32_shr_s: I32ShrSL I32ShrSLL I32ShrSI I32ShrSLI => I32ShrSLS I32ShrSLLS I32ShrSIS I32ShrSLIS I32ShrSS;
            I32ShrU i32 i32_shr_u: I32ShrUL I32ShrULL I32ShrUI I32ShrULI => I32ShrULS I32ShrULLS I32ShrUIS I32ShrULIS I32ShrUS;
            I32Rotl i32 i32_rotl: I32RotlL I32RotlLL I32RotlI I32RotlLI => I32RotlLS I32RotlLLS I32RotlIS I32RotlLIS I32RotlS;
            I32Rotr i32 i32_rotr: I32RotrL I32RotrLL I32RotrI I32RotrLI => I32RotrLS I32RotrLLS I32RotrIS I32RotrLIS I32RotrS;
            I64Add i64 i64_add: I64AddL I64AddLL I64AddI I64AddLI => I64AddLS I64AddLLS I64AddIS I64AddLIS I64AddS;
            I64Sub i64 i64_sub: I64SubL I64SubLL I64SubI I64SubLI => I64SubLS I64SubLLS I64SubIS I64SubLIS I64SubS;
            I64Mul i64 i64_mul: I64MulL I64MulLL I64MulI I64MulLI => I64MulLS I64MulLLS I64MulIS I64MulLIS I64MulS;
            I64And i64 i64_and: I64AndL I64AndLL I64AndI I64AndLI => I64AndLS I64AndLLS I64AndIS I64AndLIS I64AndS;
            I64Or i64 i64_or: I64OrL I64OrLL I64OrI I64OrLI => I64OrLS I64OrLLS I64OrIS I64OrLIS I64OrS;
            I64Xor i64 i64_xor: I64XorL I64XorLL I64XorI I64XorLI => I64XorLS I64XorLLS I64XorIS I64XorLIS I64XorS;
            I64Shl i64 i64_shl: I64ShlL I64ShlLL I64ShlI I64ShlLI => I64ShlLS I64ShlLLS I64ShlIS I64ShlLIS I64ShlS;
            I64ShrS i64 i64_shr_s: I64ShrSL I64ShrSLL I64ShrSI I64ShrSLI => I64ShrSLS I64ShrSLLS I64ShrSIS I64ShrSLIS I64ShrSS;
            I64ShrU i64 i64_shr_u: I64ShrUL I64ShrULL I64ShrUI I64ShrULI => I64ShrULS I64ShrULLS I64ShrUIS I64ShrULIS I64ShrUS;
            I64Rotl i64 i64_rotl: I64RotlL I64RotlLL I64RotlI I64RotlLI => I64RotlLS I64RotlLLS I64RotlIS I64RotlLIS I64RotlS;
            I64Rotr i64 i64_rotr: I64RotrL I64RotrLL I64RotrI I64RotrLI => I64RotrLS I64RotrLLS I64RotrIS I64RotrLIS I64RotrS;
        ]
        fset: [
            F32Add f32 f32_add: F32AddL F32AddLL => F32AddS F32AddLS F32AddLLS;
            F32Sub f32 f32_sub: F32SubL F32SubLL => F32SubS F32SubLS F32SubLLS;
            F32Mul f32 f32_mul: F32MulL F32MulLL => F32MulS F32MulLS F32MulLLS;
            F32Div f32 f32_div: F32DivL F32DivLL => F32DivS F32DivLS F32DivLLS;
            F64Add f64 f64_add: F64AddL F64AddLL => F64AddS F64AddLS F64AddLLS;
            F64Sub f64 f64_sub: F64SubL F64SubLL => F64SubS F64SubLS F64SubLLS;
            F64Mul f64 f64_mul: F64MulL F64MulLL => F64MulS F64MulLS F64MulLLS;
            F64Div f64 f64_div: F64DivL F64DivLL => F64DivS F64DivLS F64DivLLS;
        ]
        load: [
            I32Load I32LoadL I32LoadA i32 i32;
            I64Load I64LoadL I64LoadA i64 i64;
            F32Load F32LoadL F32LoadA f32 f32;
            F64Load F64LoadL F64LoadA f64 f64;
            I32Load8S I32Load8SL I32Load8SA i32 i8;
            I32Load8U I32Load8UL I32Load8UA i32 u8;
            I32Load16S I32Load16SL I32Load16SA i32 i16;
            I32Load16U I32Load16UL I32Load16UA i32 u16;
            I64Load8S I64Load8SL I64Load8SA i64 i8;
            I64Load8U I64Load8UL I64Load8UA i64 u8;
            I64Load16S I64Load16SL I64Load16SA i64 i16;
            I64Load16U I64Load16UL I64Load16UA i64 u16;
            I64Load32S I64Load32SL I64Load32SA i64 i32;
            I64Load32U I64Load32UL I64Load32UA i64 u32;
        ] }
    };
}
