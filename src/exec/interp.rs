//! The interpreter loop (spec 4.4 "Instructions").
//!
//! A stack machine over untyped `u64` slots. A frame's locals (parameters
//! first) start at `base`; its operands follow. Wasm-to-wasm calls push a
//! [`Frame`] on an explicit stack, never recursing on the Rust stack. The
//! value stack is taken out of the store while the loop runs, so host
//! functions get `&mut Store` and may call back in.

use std::sync::Arc;

use super::num;
use crate::compile::{Code, Op};
use crate::error::{Trap, TrapCode};
use crate::runtime::table::range as table_range;
use crate::runtime::{Caller, FuncKind, Instance, Store, Value};

/// Conversion between a wasm value of a Rust type and a stack slot.
trait Slot: Sized {
    fn from_slot(s: u64) -> Self;
    fn to_slot(self) -> u64;
    /// The value of a folded immediate (i64: a sign-extended i32).
    #[inline(always)]
    fn from_imm(c: u32) -> Self {
        Self::from_slot(u64::from(c))
    }
}

impl Slot for i32 {
    #[inline(always)]
    fn from_slot(s: u64) -> i32 {
        s as u32 as i32
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        u64::from(self as u32)
    }
}
impl Slot for i64 {
    #[inline(always)]
    fn from_slot(s: u64) -> i64 {
        s as i64
    }
    #[inline(always)]
    fn from_imm(c: u32) -> i64 {
        i64::from(c as i32)
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        self as u64
    }
}
impl Slot for f32 {
    #[inline(always)]
    fn from_slot(s: u64) -> f32 {
        f32::from_bits(s as u32)
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        u64::from(self.to_bits())
    }
}
impl Slot for f64 {
    #[inline(always)]
    fn from_slot(s: u64) -> f64 {
        f64::from_bits(s)
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        self.to_bits()
    }
}

/// The value stack as the loop sees it: indexing without bounds checks.
///
/// The invariant that makes this sound: a frame is entered only after
/// checking `base + frame_size <= len` (see `enter!`), and the translator's
/// `frame_size` bounds every slot the body touches (parameters, locals and
/// the maximal operand height it computed). Debug builds check each access.
#[derive(Copy, Clone)]
struct Slots {
    ptr: *mut u64,
    #[cfg(debug_assertions)]
    len: usize,
}

impl Slots {
    #[inline(always)]
    fn new(v: &mut [u64]) -> Slots {
        Slots {
            ptr: v.as_mut_ptr(),
            #[cfg(debug_assertions)]
            len: v.len(),
        }
    }
    #[inline(always)]
    fn check(&self, _i: usize) {
        #[cfg(debug_assertions)]
        assert!(_i < self.len, "slot {_i} outside the checked frame ({})", self.len);
    }
}

impl std::ops::Index<usize> for Slots {
    type Output = u64;
    #[inline(always)]
    fn index(&self, i: usize) -> &u64 {
        self.check(i);
        // SAFETY: `i` lies in the current frame, which `enter!` checked to
        // fit in the stack (see the type's invariant).
        unsafe { &*self.ptr.add(i) }
    }
}

impl std::ops::IndexMut<usize> for Slots {
    #[inline(always)]
    fn index_mut(&mut self, i: usize) -> &mut u64 {
        self.check(i);
        // SAFETY: as in `index`.
        unsafe { &mut *self.ptr.add(i) }
    }
}

/// The caller's state, restored by `return`.
struct Frame {
    /// Into the caller's code, which `code` (or the loop's current code)
    /// keeps alive.
    ret_pc: *const Op,
    base: u32,
    inst: u32,
    /// The caller's code when the callee belongs to another module.
    code: Option<Arc<Code>>,
}

/// Slots the value stack starts with; it grows on demand up to the limit.
const INITIAL_STACK: usize = 1 << 12;

/// Calls function `func` (arguments already type checked) and returns its
/// results.
pub(crate) fn invoke(store: &mut Store, func: u32, args: &[Value]) -> Result<Vec<Value>, Trap> {
    // Host functions may call back in, recursing on the native stack: bound
    // the bytes used since the outermost call.
    let marker = 0u8;
    let here = std::ptr::addr_of!(marker) as usize;
    if store.native_top == 0 {
        store.native_top = here;
        let r = invoke_inner(store, func, args);
        store.native_top = 0;
        return r;
    }
    if store.native_top.abs_diff(here) > store.config().max_native_stack {
        return Err(TrapCode::CallStackExhausted.into());
    }
    invoke_inner(store, func, args)
}

fn invoke_inner(store: &mut Store, func: u32, args: &[Value]) -> Result<Vec<Value>, Trap> {
    let config = store.config();
    if store.depth >= config.max_call_depth {
        return Err(TrapCode::CallStackExhausted.into());
    }
    let limit = config.max_value_stack.saturating_sub(store.stack_used);
    let fi = &store.funcs[func as usize];
    let result_types = store.types[fi.ty as usize].results.clone();
    if let FuncKind::Host(h) = &fi.kind {
        let h = Arc::clone(h);
        let mut results: Vec<Value> = result_types.iter().map(|t| Value::default_for(*t)).collect();
        store.depth += 1;
        let r = h(&mut Caller { store, instance: None }, args, &mut results);
        store.depth -= 1;
        r?;
        check_results(&results, &result_types)?;
        return Ok(results);
    }
    let mut stack = std::mem::take(&mut store.stack);
    if stack.len() < INITIAL_STACK.min(limit) {
        stack.resize(INITIAL_STACK.min(limit), 0);
    }
    if args.len() > stack.len() {
        grow_stack(&mut stack, args.len(), limit)?;
    }
    for (slot, a) in stack.iter_mut().zip(args) {
        *slot = a.to_slot();
    }
    let depth0 = store.depth;
    let used0 = store.stack_used;
    let r = run(store, &mut stack, func, args.len(), limit);
    store.depth = depth0;
    store.stack_used = used0;
    let out = r.map(|()| result_types.iter().zip(&stack).map(|(t, s)| Value::from_slot(*s, *t)).collect());
    if store.stack.capacity() < stack.capacity() {
        store.stack = stack;
    }
    out
}

fn check_results(results: &[Value], types: &[crate::syntax::ValType]) -> Result<(), Trap> {
    if results.iter().zip(types).any(|(v, t)| v.ty() != *t) {
        return Err(Trap::host("host function returned a value of the wrong type"));
    }
    Ok(())
}

#[cold]
fn grow_stack(stack: &mut Vec<u64>, need: usize, limit: usize) -> Result<(), Trap> {
    if need > limit {
        return Err(TrapCode::CallStackExhausted.into());
    }
    let len = need.max(stack.len() * 2).min(limit);
    if stack.try_reserve_exact(len - stack.len()).is_err() {
        return Err(TrapCode::CallStackExhausted.into());
    }
    stack.resize(len, 0);
    Ok(())
}

/// Calls host function `func` with the top `params` slots as arguments,
/// replacing them by its results; returns the new stack pointer.
#[inline(never)]
fn call_host(store: &mut Store, func: usize, stack: &mut [u64], sp: usize, inst: u32) -> Result<usize, Trap> {
    let fi = &store.funcs[func];
    let FuncKind::Host(h) = &fi.kind else { unreachable!("call_host on a wasm function") };
    let h = Arc::clone(h);
    let ty = &store.types[fi.ty as usize];
    let np = ty.params.len();
    let args: Vec<Value> = ty.params.iter().zip(&stack[sp - np..sp]).map(|(t, s)| Value::from_slot(*s, *t)).collect();
    let result_types = ty.results.clone();
    let mut results: Vec<Value> = result_types.iter().map(|t| Value::default_for(*t)).collect();
    h(&mut Caller { store, instance: Some(Instance(inst)) }, &args, &mut results)?;
    check_results(&results, &result_types)?;
    let base = sp - np;
    let out = stack.get_mut(base..base + results.len()).ok_or(TrapCode::CallStackExhausted)?;
    for (slot, v) in out.iter_mut().zip(&results) {
        *slot = v.to_slot();
    }
    Ok(base + results.len())
}

/// Moves the top `keep` slots (below `sp`) down to `dst`. Most branches
/// keep at most one value: avoid a `memmove` call for those.
#[inline(always)]
fn move_down(mut stack: Slots, sp: usize, keep: usize, dst: usize) {
    match keep {
        0 => {}
        1 => stack[dst] = stack[sp - 1],
        _ => {
            for k in 0..keep {
                stack[dst + k] = stack[sp - keep + k];
            }
        }
    }
}

fn mem_of(store: &Store, inst: u32) -> usize {
    store.instances[inst as usize].mems.first().map_or(usize::MAX, |&m| m as usize)
}

/// Base and length of memory `mem` (none: empty; validation then rules out
/// every memory instruction).
#[inline]
fn mem_view(store: &Store, mem: usize) -> (*mut u8, u64) {
    store.mems.get(mem).map_or((std::ptr::NonNull::dangling().as_ptr(), 0), |m| {
        let (p, l) = m.raw();
        (p, l as u64)
    })
}

/// Numeric arms. The top of the operand stack lives in `$tos` (see
/// `run_loop`); the slot below it is `$stack[$sp - 2]`.
macro_rules! num_arm {
    (un $in:ident $f:ident, $stack:ident, $sp:ident, $tos:ident) => {{
        $tos = num::$f(<$in>::from_slot($tos)).to_slot();
    }};
    (un_trap $in:ident $f:ident, $stack:ident, $sp:ident, $tos:ident) => {{
        $tos = num::$f(<$in>::from_slot($tos))?.to_slot();
    }};
    (bin $in:ident $f:ident, $stack:ident, $sp:ident, $tos:ident) => {{
        let b = <$in>::from_slot($tos);
        let a = <$in>::from_slot($stack[$sp - 2]);
        $sp -= 1;
        $tos = num::$f(a, b).to_slot();
    }};
    (bin_trap $in:ident $f:ident, $stack:ident, $sp:ident, $tos:ident) => {{
        let b = <$in>::from_slot($tos);
        let a = <$in>::from_slot($stack[$sp - 2]);
        $sp -= 1;
        $tos = num::$f(a, b)?.to_slot();
    }};
}

/// Loads and stores through the loop's cached view `(base, len)` of the
/// memory: one compare, no indexing into the store.
macro_rules! load_slot {
    ($reg:ident $m:ident, $addr:expr, $off:expr, $mv:expr) => {{
        const N: usize = std::mem::size_of::<$m>();
        let ea = u64::from($addr as u32) + u64::from($off);
        if ea + N as u64 > $mv.1 {
            return Err(TrapCode::OutOfBoundsMemoryAccess.into());
        }
        // SAFETY: `ea + N <= len`, and the first `len` bytes from the base
        // are mapped and owned by the memory (`mem_view` is refreshed
        // whenever the length or the memory may change).
        let b: [u8; N] = unsafe { std::ptr::read_unaligned($mv.0.add(ea as usize).cast()) };
        (<$m>::from_le_bytes(b) as $reg).to_slot()
    }};
}

macro_rules! mem_arm {
    (load $reg:ident $m:ident, $off:ident, $stack:ident, $sp:ident, $mv:expr, $tos:ident) => {{
        $tos = load_slot!($reg $m, $tos, $off, $mv);
    }};
    (store $reg:ident $m:ident, $off:ident, $stack:ident, $sp:ident, $mv:expr, $tos:ident) => {{
        const N: usize = std::mem::size_of::<$m>();
        let v = <$reg>::from_slot($tos) as $m;
        let ea = u64::from($stack[$sp - 2] as u32) + u64::from($off);
        $sp -= 2;
        $tos = $stack[$sp - 1];
        if ea + N as u64 > $mv.1 {
            return Err(TrapCode::OutOfBoundsMemoryAccess.into());
        }
        // SAFETY: as for loads.
        unsafe { std::ptr::write_unaligned($mv.0.add(ea as usize).cast(), v.to_le_bytes()) };
    }};
}

/// Builds the dispatch `match`: the hand-written arms plus one arm per row
/// of the numeric and memory tables.
macro_rules! dispatch_num {
    (($op:ident, $stack:ident, $sp:ident, $mv:expr, $base:ident, $jump:ident, $tos:ident) { $($arms:tt)* } ;
     $($nop:ident $code:literal $name:literal $shape:ident $in:ident -> $out:ident $f:ident)*) => {
        crate::for_each_mem_op! { dispatch_mem;
            ($op, $stack, $sp, $mv, $base, $jump, $tos) { $($arms)* } { $($nop $shape $in $f)* } }
    };
}

macro_rules! dispatch_mem {
    (($op:ident, $stack:ident, $sp:ident, $mv:expr, $base:ident, $jump:ident, $tos:ident) { $($arms:tt)* }
     { $($nop:ident $shape:ident $in:ident $f:ident)* } ;
     $($mop:ident $code:literal $name:literal $kind:ident $ty:ident $align:literal $reg:ident => $m:ident)*) => {
        crate::for_each_fold_op! { dispatch_fold; ($op, $stack, $sp, $mv, $base, $jump, $tos) {
            $($arms)*
            $(Op::$nop => num_arm!($shape $in $f, $stack, $sp, $tos),)*
            $(Op::$mop(off) => mem_arm!($kind $reg $m, off, $stack, $sp, $mv, $tos),)*
        } }
    };
}

/// Adds the arms of the fused operand forms (`compile::fold`) and emits the
/// `match`. `$jump!(t)` takes a branch.
macro_rules! dispatch_fold {
    (($op:ident, $stack:ident, $sp:ident, $mv:expr, $base:ident, $jump:ident, $tos:ident) { $($arms:tt)* }
     int: [$($iop:ident $ity:ident $ifn:ident : $il:ident $ill:ident $ii:ident $ili:ident;)*]
     float: [$($fop:ident $fty:ident $ffn:ident : $fl:ident $fll:ident;)*]
     branch: [$($bop:ident $bty:ident $bfn:ident : $cl:ident $cll:ident $ci:ident $cli:ident
               => $b:ident $bl:ident $bll:ident $bi:ident $bli:ident
               / $nb:ident $nbl:ident $nbll:ident $nbi:ident $nbli:ident;)*]
     set: [$($sop:ident $sty:ident $sfn:ident : $sl:ident $sll:ident $si:ident $sli:ident
            => $sls:ident $slls:ident $sis:ident $slis:ident $ss:ident;)*]
     fset: [$($gop:ident $gty:ident $gfn:ident : $gl:ident $gll:ident => $gs:ident $gls:ident $glls:ident;)*]
     load: [$($lop:ident $ll:ident $la:ident $lty:ident $lm:ident;)*]) => {
        match *$op {
            $($arms)*
            $(Op::$il(i) => {
                let b = <$ity>::from_slot($stack[$base + i as usize]);
                $tos = num::$ifn(<$ity>::from_slot($tos), b).to_slot();
            }
            Op::$ill(x, y) => {
                let a = <$ity>::from_slot($stack[$base + x as usize]);
                let b = <$ity>::from_slot($stack[$base + y as usize]);
                $stack[$sp - 1] = $tos;
                $tos = num::$ifn(a, b).to_slot();
                $sp += 1;
            }
            Op::$ii(c) => {
                $tos = num::$ifn(<$ity>::from_slot($tos), <$ity>::from_imm(c)).to_slot();
            }
            Op::$ili(x, c) => {
                let a = <$ity>::from_slot($stack[$base + x as usize]);
                $stack[$sp - 1] = $tos;
                $tos = num::$ifn(a, <$ity>::from_imm(c)).to_slot();
                $sp += 1;
            })*
            $(Op::$fl(i) => {
                let b = <$fty>::from_slot($stack[$base + i as usize]);
                $tos = num::$ffn(<$fty>::from_slot($tos), b).to_slot();
            }
            Op::$fll(x, y) => {
                let a = <$fty>::from_slot($stack[$base + x as usize]);
                let b = <$fty>::from_slot($stack[$base + y as usize]);
                $stack[$sp - 1] = $tos;
                $tos = num::$ffn(a, b).to_slot();
                $sp += 1;
            })*
            $(Op::$b(t) => {
                let b = <$bty>::from_slot($tos);
                let a = <$bty>::from_slot($stack[$sp - 2]);
                $sp -= 2;
                $tos = $stack[$sp - 1];
                if num::$bfn(a, b) != 0 {
                    $jump!(t);
                }
            }
            Op::$bl(i, t) => {
                let a = <$bty>::from_slot($tos);
                $sp -= 1;
                $tos = $stack[$sp - 1];
                if num::$bfn(a, <$bty>::from_slot($stack[$base + i as usize])) != 0 {
                    $jump!(t);
                }
            }
            Op::$bll(x, y, t) => {
                let a = <$bty>::from_slot($stack[$base + x as usize]);
                if num::$bfn(a, <$bty>::from_slot($stack[$base + y as usize])) != 0 {
                    $jump!(t);
                }
            }
            Op::$bi(c, t) => {
                let a = <$bty>::from_slot($tos);
                $sp -= 1;
                $tos = $stack[$sp - 1];
                if num::$bfn(a, <$bty>::from_imm(c)) != 0 {
                    $jump!(t);
                }
            }
            Op::$bli(x, c, t) => {
                if num::$bfn(<$bty>::from_slot($stack[$base + x as usize]), <$bty>::from_imm(c)) != 0 {
                    $jump!(t);
                }
            })*
            $(Op::$sls(i, d) => {
                let a = <$sty>::from_slot($tos);
                $sp -= 1;
                $tos = $stack[$sp - 1];
                $stack[$base + d as usize] = num::$sfn(a, <$sty>::from_slot($stack[$base + i as usize])).to_slot();
            }
            Op::$slls(x, y, d) => {
                let a = <$sty>::from_slot($stack[$base + x as usize]);
                let b = <$sty>::from_slot($stack[$base + y as usize]);
                $stack[$base + d as usize] = num::$sfn(a, b).to_slot();
            }
            Op::$sis(c, d) => {
                let a = <$sty>::from_slot($tos);
                $sp -= 1;
                $tos = $stack[$sp - 1];
                $stack[$base + d as usize] = num::$sfn(a, <$sty>::from_imm(c)).to_slot();
            }
            Op::$slis(x, c, d) => {
                let a = <$sty>::from_slot($stack[$base + x as usize]);
                $stack[$base + d as usize] = num::$sfn(a, <$sty>::from_imm(c)).to_slot();
            }
            Op::$ss(d) => {
                let b = <$sty>::from_slot($tos);
                let a = <$sty>::from_slot($stack[$sp - 2]);
                $sp -= 2;
                $tos = $stack[$sp - 1];
                $stack[$base + d as usize] = num::$sfn(a, b).to_slot();
            })*
            $(Op::$gs(d) => {
                let b = <$gty>::from_slot($tos);
                let a = <$gty>::from_slot($stack[$sp - 2]);
                $sp -= 2;
                $tos = $stack[$sp - 1];
                $stack[$base + d as usize] = num::$gfn(a, b).to_slot();
            }
            Op::$gls(i, d) => {
                let a = <$gty>::from_slot($tos);
                $sp -= 1;
                $tos = $stack[$sp - 1];
                $stack[$base + d as usize] = num::$gfn(a, <$gty>::from_slot($stack[$base + i as usize])).to_slot();
            }
            Op::$glls(x, y, d) => {
                let a = <$gty>::from_slot($stack[$base + x as usize]);
                let b = <$gty>::from_slot($stack[$base + y as usize]);
                $stack[$base + d as usize] = num::$gfn(a, b).to_slot();
            })*
            $(Op::$la(c, off) => {
                $tos = load_slot!($lty $lm, ($tos as u32).wrapping_add(c), off, $mv);
            }
            Op::$ll(x, off) => {
                let v = load_slot!($lty $lm, $stack[$base + x as usize], off, $mv);
                $stack[$sp - 1] = $tos;
                $tos = v;
                $sp += 1;
            })*
        }
    };
}

/// The rare ops that touch tables, segments or the memory's size, kept
/// out of the loop so their code does not compete with the hot arms for
/// registers. Works on the in-memory stack (the caller spilled `tos`);
/// returns the new stack pointer.
#[inline(never)]
fn rare_op(store: &mut Store, inst: u32, mem: usize, mut stack: Slots, mut sp: usize, op: Op) -> Result<usize, Trap> {
    match op {
        Op::TableGet(t) => {
            let ta = store.instances[inst as usize].tables[t as usize];
            let i = stack[sp - 1] as u32;
            let v = store.tables[ta as usize].elems.get(i as usize);
            stack[sp - 1] = *v.ok_or(TrapCode::OutOfBoundsTableAccess)?;
        }
        Op::TableSet(t) => {
            sp -= 2;
            let ta = store.instances[inst as usize].tables[t as usize];
            let i = stack[sp] as u32;
            let slot = store.tables[ta as usize].elems.get_mut(i as usize);
            *slot.ok_or(TrapCode::OutOfBoundsTableAccess)? = stack[sp + 1];
        }
        Op::TableSize(t) => {
            let ta = store.instances[inst as usize].tables[t as usize];
            stack[sp] = u64::from(store.tables[ta as usize].size());
            sp += 1;
        }
        Op::TableGrow(t) => {
            sp -= 1;
            let ta = store.instances[inst as usize].tables[t as usize];
            let n = stack[sp] as u32;
            let r = store.tables[ta as usize].grow(n, stack[sp - 1]);
            stack[sp - 1] = u64::from(r.unwrap_or(u32::MAX));
        }
        Op::TableFill(t) => {
            sp -= 3;
            let ta = store.instances[inst as usize].tables[t as usize];
            let (i, v, n) = (stack[sp] as u32, stack[sp + 1], stack[sp + 2] as u32);
            let tab = &mut store.tables[ta as usize];
            let r = tab.range(i, n)?;
            tab.elems[r].fill(v);
        }
        Op::TableCopy { dst, src } => {
            sp -= 3;
            let ins = &store.instances[inst as usize];
            let (da, sa) = (ins.tables[dst as usize] as usize, ins.tables[src as usize] as usize);
            let (d, s, n) = (stack[sp] as u32, stack[sp + 1] as u32, stack[sp + 2] as u32);
            let sr = store.tables[sa].range(s, n)?;
            let dr = store.tables[da].range(d, n)?;
            if da == sa {
                store.tables[da].elems.copy_within(sr, dr.start);
            } else {
                let (lo, hi) = store.tables.split_at_mut(da.max(sa));
                let (dt, st) = if da < sa { (&mut lo[da], &hi[0]) } else { (&mut hi[0], &lo[sa]) };
                dt.elems[dr].copy_from_slice(&st.elems[sr]);
            }
        }
        Op::TableInit { elem, table } => {
            sp -= 3;
            let ins = &store.instances[inst as usize];
            let (ta, ea) = (ins.tables[table as usize] as usize, ins.elems[elem as usize] as usize);
            let (d, s, n) = (stack[sp] as u32, stack[sp + 1] as u32, stack[sp + 2] as u32);
            let seg = &store.elems[ea];
            let sr = table_range(seg.len(), s, n)?;
            let tab = &mut store.tables[ta];
            let dr = tab.range(d, n)?;
            tab.elems[dr].copy_from_slice(&seg[sr]);
        }
        Op::ElemDrop(e) => {
            let ea = store.instances[inst as usize].elems[e as usize];
            store.elems[ea as usize] = Vec::new();
        }
        Op::MemorySize => {
            stack[sp] = u64::from(store.mems[mem].pages());
            sp += 1;
        }
        Op::MemoryGrow => {
            let n = stack[sp - 1] as u32;
            stack[sp - 1] = u64::from(store.mems[mem].grow(n).unwrap_or(u32::MAX));
        }
        Op::MemoryFill => {
            sp -= 3;
            let (d, v, n) = (stack[sp] as u32, stack[sp + 1] as u8, stack[sp + 2] as u32);
            store.mems[mem].fill(u64::from(d), v, u64::from(n))?;
        }
        Op::MemoryCopy => {
            sp -= 3;
            let (d, s, n) = (stack[sp] as u32, stack[sp + 1] as u32, stack[sp + 2] as u32);
            store.mems[mem].copy(u64::from(d), u64::from(s), u64::from(n))?;
        }
        Op::MemoryInit(seg) => {
            sp -= 3;
            let da = store.instances[inst as usize].datas[seg as usize] as usize;
            let (d, s, n) = (stack[sp] as u32, stack[sp + 1] as u32, stack[sp + 2] as u32);
            let data = &store.datas[da];
            store.mems[mem].init(u64::from(d), data, u64::from(s), u64::from(n))?;
        }
        Op::DataDrop(seg) => {
            let da = store.instances[inst as usize].datas[seg as usize];
            store.datas[da as usize] = Arc::from(&[][..]);
        }
        _ => unreachable!("rare_op: {op:?}"),
    }
    Ok(sp)
}

/// Runs wasm function `func` whose `nargs` arguments are in `stack[..nargs]`;
/// leaves its results at `stack[..]`.
fn run(store: &mut Store, stack: &mut Vec<u64>, func: u32, nargs: usize, limit: usize) -> Result<(), Trap> {
    // Fuel lives in a local while the loop runs (`u64::MAX` when unlimited:
    // never exhausted in practice) and goes back to the store on exit.
    let metered = store.config().fuel.is_some();
    let mut fuel = store.config().fuel.unwrap_or(u64::MAX);
    // Two instances of the loop: metering code costs registers and
    // instructions in every backward branch, so the default is without.
    let FuncKind::Wasm { instance, code, index } = &store.funcs[func as usize].kind else {
        unreachable!("run on a host function")
    };
    let index = *index;
    let mut ctx = Ctx {
        frames: Vec::new(),
        code: Arc::clone(code),
        inst: *instance,
        mem: mem_of(store, *instance),
        depth0: store.depth,
        used0: store.stack_used,
        limit,
        max_depth: store.config().max_call_depth,
    };
    let r = if metered {
        run_loop::<true>(store, stack, &mut ctx, index, nargs, &mut fuel)
    } else {
        run_loop::<false>(store, stack, &mut ctx, index, nargs, &mut fuel)
    };
    if metered {
        store.config_mut().fuel = Some(fuel);
    }
    r
}

/// State the loop needs only on calls, returns and instance-dependent ops.
/// Kept behind a pointer so it does not compete with the hot state (ops,
/// stack, pc, sp, base) for registers.
struct Ctx {
    frames: Vec<Frame>,
    code: Arc<Code>,
    inst: u32,
    mem: usize,
    depth0: usize,
    used0: usize,
    limit: usize,
    max_depth: usize,
}

#[inline(never)]
fn run_loop<const METERED: bool>(
    store: &mut Store,
    stack_vec: &mut Vec<u64>,
    ctx: &mut Ctx,
    index: u32,
    nargs: usize,
    fuel: &mut u64,
) -> Result<(), Trap> {
    // Plain slices (pointer and length in registers) rather than going
    // through the `Vec`s on every access; re-derived when they change.
    let mut ops: &[Op] = &ctx.code.ops;
    let mut stack = Slots::new(stack_vec);
    let mut stack_len = stack_vec.len();
    // The current memory's base and length (see `mem_arm!`).
    let mut mv = mem_view(store, ctx.mem);
    let mut base = 0usize;
    let mut sp = nargs;
    // A pointer into `ops` (no index arithmetic per op); `at!(t)` is the
    // pointer to op index `t` of the current code.
    let mut pc: *const Op;
    macro_rules! at {
        ($t:expr) => {
            // SAFETY: branch targets and entries are op indices of the
            // current code (translator invariant), so this stays in `ops`.
            unsafe { ops.as_ptr().add($t as usize) }
        };
    }
    // The top of the operand stack, kept out of memory: each op's result
    // feeds the next without a store and reload. `stack[sp - 1]` is stale
    // while the operand stack is non-empty; when it is empty, `tos` is
    // garbage and `stack[sp - 1]` is the frame's pad slot (one slot between
    // the locals and the operands, so spilling garbage hurts nothing).
    // Rare ops spill it (`flush!`), work on memory, and reload it.
    let mut tos: u64 = 0;

    // Enters defined function `$idx` of `code`: checks the limits once for
    // the whole frame, zeroes the declared locals, saves the caller.
    macro_rules! tick {
        () => {
            if METERED {
                if *fuel == 0 {
                    return Err(TrapCode::OutOfFuel.into());
                }
                *fuel -= 1;
            }
        };
    }

    macro_rules! enter {
        ($idx:expr, $saved:expr, $caller:expr, $push:expr) => {{
            tick!();
            let meta = ctx.code.funcs[$idx as usize];
            if ctx.depth0 + ctx.frames.len() + 1 + usize::from($push) > ctx.max_depth {
                return Err(TrapCode::CallStackExhausted.into());
            }
            let new_base = sp - meta.params as usize;
            // One slot more: the pad below the operands (see `tos`).
            let need = new_base + meta.frame_size as usize + 1;
            if need > stack_len {
                grow_stack(stack_vec, need, ctx.limit)?;
                stack = Slots::new(stack_vec);
                stack_len = stack_vec.len();
            }
            for k in sp..sp + meta.locals as usize {
                stack[k] = 0;
            }
            if $push {
                ctx.frames.push(Frame { ret_pc: pc, base: base as u32, inst: $caller, code: $saved });
            }
            base = new_base;
            sp += meta.locals as usize + 1;
            pc = at!(meta.entry);
        }};
    }

    // Calls store function `$fa` (an import or through a table).
    macro_rules! call_addr {
        ($fa:expr) => {{
            let fa = $fa as usize;
            match &store.funcs[fa].kind {
                FuncKind::Host(_) => {
                    store.depth = ctx.depth0 + ctx.frames.len() + 1;
                    store.stack_used = ctx.used0 + sp;
                    if store.depth >= ctx.max_depth {
                        return Err(TrapCode::CallStackExhausted.into());
                    }
                    // The host may run wasm: hand it the fuel.
                    if let Some(f) = store.config_mut().fuel.as_mut() {
                        *f = *fuel;
                    }
                    let r = call_host(store, fa, stack_vec, sp, ctx.inst);
                    // The host may have grown the memory.
                    mv = mem_view(store, ctx.mem);
                    stack = Slots::new(stack_vec);
                    if let Some(f) = store.config().fuel {
                        *fuel = f;
                    }
                    sp = r?;
                    store.depth = ctx.depth0;
                    store.stack_used = ctx.used0;
                }
                FuncKind::Wasm { instance, code: c, index } => {
                    let (ci, idx) = (*instance, *index);
                    let saved = if Arc::ptr_eq(c, &ctx.code) {
                        None
                    } else {
                        let saved = std::mem::replace(&mut ctx.code, Arc::clone(c));
                        ops = &ctx.code.ops;
                        Some(saved)
                    };
                    let caller = ctx.inst;
                    enter!(idx, saved, caller, true);
                    if ci != ctx.inst {
                        ctx.inst = ci;
                        ctx.mem = mem_of(store, ctx.inst);
                        mv = mem_view(store, ctx.mem);
                    }
                }
            }
        }};
    }

    // Takes a conditional jump (fuel is charged on backward ones).
    macro_rules! jump {
        ($t:ident) => {{
            let to = at!($t);
            if to < pc {
                tick!();
            }
            pc = to;
        }};
    }

    macro_rules! flush {
        () => {
            stack[sp - 1] = tos
        };
    }
    macro_rules! reload {
        () => {
            tos = stack[sp - 1]
        };
    }
    macro_rules! push {
        ($v:expr) => {{
            let v = $v;
            stack[sp - 1] = tos;
            tos = v;
            sp += 1;
        }};
    }
    macro_rules! pop {
        () => {{
            let v = tos;
            sp -= 1;
            tos = stack[sp - 1];
            v
        }};
    }

    pc = ops.as_ptr();
    enter!(index, None, ctx.inst, false);

    loop {
        debug_assert!(ops.as_ptr_range().contains(&pc));
        // SAFETY: `pc` is always inside the current code: every body ends
        // in `Return`, every jump target and call entry the translator
        // emits is an op index of that code, `br_table` only skips over
        // its own `len + 1` entries, and return addresses point into code
        // kept alive by the frame or the loop.
        let op: &Op = unsafe { &*pc };
        pc = unsafe { pc.add(1) };
        crate::for_each_num_op! { dispatch_num; (op, stack, sp, mv, base, jump, tos) {
            Op::Unreachable => return Err(TrapCode::Unreachable.into()),
            Op::Br(t) => jump!(t),
            Op::BrAdj { target, drop, keep } => {
                let (drop, keep) = (drop as usize, keep as usize);
                flush!();
                move_down(stack, sp, keep, sp - keep - drop);
                sp -= drop;
                reload!();
                jump!(target);
            }
            Op::BrIfZ(t) => {
                if pop!() as u32 == 0 {
                    jump!(t);
                }
            }
            Op::BrIfNz(t) => {
                if pop!() as u32 != 0 {
                    jump!(t);
                }
            }
            Op::BrIfNzAdj { target, drop, keep } => {
                if pop!() as u32 != 0 {
                    let (drop, keep) = (drop as usize, keep as usize);
                    flush!();
                    move_down(stack, sp, keep, sp - keep - drop);
                    sp -= drop;
                    reload!();
                    jump!(target);
                }
            }
            Op::BrTable(len) => {
                // SAFETY: skips at most the `len` entries that follow.
                pc = unsafe { pc.add((pop!() as u32).min(len) as usize) };
            }
            Op::Return(keep) => {
                let keep = keep as usize;
                flush!();
                move_down(stack, sp, keep, base);
                sp = base + keep;
                let Some(f) = ctx.frames.pop() else { return Ok(()) };
                pc = f.ret_pc;
                base = f.base as usize;
                reload!();
                if let Some(c) = f.code {
                    ctx.code = c;
                    ops = &ctx.code.ops;
                }
                if f.inst != ctx.inst {
                    ctx.inst = f.inst;
                    ctx.mem = mem_of(store, ctx.inst);
                    mv = mem_view(store, ctx.mem);
                }
            }
            Op::CallInternal(idx) => {
                flush!();
                enter!(idx, None, ctx.inst, true);
                reload!();
            }
            Op::Call(f) => {
                flush!();
                call_addr!(store.instances[ctx.inst as usize].funcs[f as usize]);
                reload!();
            }
            Op::CallIndirect { ty, table } => {
                let i = pop!() as u32;
                flush!();
                let ins = &store.instances[ctx.inst as usize];
                let t = &store.tables[ins.tables[table as usize] as usize];
                let r = *t.elems.get(i as usize).ok_or(TrapCode::UndefinedElement)?;
                let fa = r.checked_sub(1).ok_or(TrapCode::UninitializedElement)? as usize;
                if store.funcs[fa].ty != ins.types[ty as usize] {
                    return Err(TrapCode::IndirectCallTypeMismatch.into());
                }
                call_addr!(fa);
                reload!();
            }
            Op::RefIsNull => tos = u64::from(tos == 0),
            Op::RefFunc(f) => push!(u64::from(store.instances[ctx.inst as usize].funcs[f as usize]) + 1),
            Op::Drop => {
                sp -= 1;
                reload!();
            }
            Op::Select => {
                let c = tos as u32;
                let b = stack[sp - 2];
                sp -= 2;
                if c == 0 {
                    tos = b;
                } else {
                    reload!();
                }
            }
            Op::LocalGet(i) => push!(stack[base + i as usize]),
            Op::LocalGet2(a, b) => {
                stack[sp - 1] = tos;
                stack[sp] = stack[base + a as usize];
                tos = stack[base + b as usize];
                sp += 2;
            }
            Op::LocalTeeGet(a, b) => {
                stack[base + a as usize] = tos;
                push!(stack[base + b as usize]);
            }
            Op::LocalSetGet(a, b) => {
                stack[base + a as usize] = tos;
                tos = stack[base + b as usize];
            }
            Op::LocalCopy(a, b) => stack[base + b as usize] = stack[base + a as usize],
            Op::LocalConst(d, c) => stack[base + d as usize] = c,
            Op::BrIfLocalNz(i, t) => {
                if stack[base + i as usize] as u32 != 0 {
                    jump!(t);
                }
            }
            Op::BrIfLocalZ(i, t) => {
                if stack[base + i as usize] as u32 == 0 {
                    jump!(t);
                }
            }
            Op::BrIfI64Z(t) => {
                if pop!() == 0 {
                    jump!(t);
                }
            }
            Op::BrIfI64Nz(t) => {
                if pop!() != 0 {
                    jump!(t);
                }
            }
            Op::LocalSet(i) => {
                let v = pop!();
                stack[base + i as usize] = v;
            }
            Op::LocalTee(i) => stack[base + i as usize] = tos,
            Op::GlobalGet(g) => {
                let ga = store.instances[ctx.inst as usize].globals[g as usize];
                push!(store.globals[ga as usize].value);
            }
            Op::GlobalSet(g) => {
                let ga = store.instances[ctx.inst as usize].globals[g as usize];
                store.globals[ga as usize].value = pop!();
            }
            Op::TableGet(..) | Op::TableSet(..) | Op::TableSize(..) | Op::TableGrow(..) | Op::TableFill(..) | Op::TableCopy { .. } | Op::TableInit { .. } | Op::ElemDrop(..) | Op::MemorySize | Op::MemoryGrow | Op::MemoryFill | Op::MemoryCopy | Op::MemoryInit(..) | Op::DataDrop(..) => {
                flush!();
                sp = rare_op(store, ctx.inst, ctx.mem, stack, sp, *op)?;
                // `memory.grow` changes the length.
                mv = mem_view(store, ctx.mem);
                reload!();
            }
            Op::Const(v) => push!(v),
        } }
    }
}
