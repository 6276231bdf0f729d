//! Entering and leaving the engine, and the slow paths of the handlers:
//! calls between instances and to the host, `call_indirect`'s checks,
//! fuel, and the rare ops (tables, bulk memory, `memory.grow`).
//!
//! Wasm-to-wasm calls never use the native stack: frames live in the
//! store's value stack, linked through their headers (see
//! [`crate::compile`]). A call into another instance saves the caller's
//! instance in [`Cx::saved`] and returns through the `RestoreInstance`
//! trampoline, so same-instance calls, the common case, carry nothing
//! extra. Host functions get `&mut Store` and may call back in: the
//! nested run uses the value stack above the host call's frame. A tail
//! call to a function of another instance or to the host is such a call,
//! followed by a return (`handlers`, "tail calls").

use std::sync::Arc;

use super::handlers::{handler_at, Fp, Ip, DONE};
use crate::compile::ops::{op, Misc};
use crate::compile::translate::slots_of;
use crate::compile::{FuncCode, CODE_HEADER};
use crate::syntax::ValType;
use crate::error::{Trap, TrapCode};
use crate::runtime::table::range as table_range;
use crate::runtime::{Caller, FuncKind, GlobalPtr, Instance, InstanceInst, Store, Value};

/// The engine's state beyond the registers, one per entry from the host.
pub(crate) struct Cx {
    store: *mut Store,
    /// The current instance (instances are boxed: the address is stable).
    inst: *const InstanceInst,
    inst_id: u32,
    /// Code of the current instance's module, by defined function index.
    code: *const FuncCode,
    /// The current instance's globals.
    globals: *const GlobalPtr,
    /// Store address of the current instance's memory 0, if any.
    mem: Option<u32>,
    /// First address past the value stack.
    pub(crate) stack_end: usize,
    /// Fuel left; negative when exhausted (unlimited: `i64::MAX`).
    fuel: i64,
    /// The store's signals (`runtime::interrupt`).
    signals: *const crate::runtime::interrupt::Signals,
    /// What a tick reads: `METERED` while fuel is metered, `INTERRUPT`
    /// when another thread asks the run to stop (`runtime::interrupt`).
    state: std::sync::atomic::AtomicU32,
    /// Whether fuel is metered. Unmetered, a tick only reads `state`:
    /// decrementing `fuel` in memory on every loop iteration would chain
    /// the iterations through a store and a load (10% on tight loops).
    metered: bool,
    /// Why execution stopped, when a handler returned `TRAP`.
    pub(crate) trap: Option<Trap>,
    /// Where: a word after the op that trapped (as a return address is
    /// after its call op) and its frame, for the backtrace; null when the
    /// trap has no place in wasm code.
    trap_at: (Ip, Fp),
    /// For each active call into another instance: where it returns and
    /// the caller's instance.
    saved: Vec<(Ip, u32)>,
}

impl Cx {
    /// Sets the `METERED` bit of `state` from `metered`.
    fn set_metered(&mut self) {
        use crate::runtime::interrupt::METERED;
        if self.metered {
            self.state.fetch_or(METERED, std::sync::atomic::Ordering::SeqCst);
        } else {
            self.state.fetch_and(!METERED, std::sync::atomic::Ordering::SeqCst);
        }
    }

    fn set_instance(&mut self, id: u32) {
        // SAFETY: the store outlives the run; instances are never removed.
        let store = unsafe { &*self.store };
        let inst = &*store.instances[id as usize];
        self.inst = inst;
        self.inst_id = id;
        self.code = inst.module.inner.code.funcs().as_ptr();
        self.globals = inst.global_ptrs.as_ptr();
        self.mem = inst.mems.first().copied();
    }

    /// Memory 0 of the current instance: base and length.
    #[inline]
    pub(crate) fn mem_view(&self) -> (*mut u8, usize) {
        match self.mem {
            // SAFETY: the store outlives the run.
            Some(m) => unsafe { (&(*self.store).mems)[m as usize].raw() },
            None => (std::ptr::NonNull::dangling().as_ptr(), 0),
        }
    }

    /// The code of defined function `f` of the current module; null until
    /// translated (see [`translate`]).
    #[inline(always)]
    pub(crate) unsafe fn func_code(&self, f: u32) -> Ip {
        // SAFETY: `f` is a defined function of the module (translator).
        unsafe { (*self.code.add(f as usize)).ptr() }
    }

    /// The store.
    pub(crate) fn store_ptr(&self) -> *mut Store {
        self.store
    }

    /// The current instance.
    #[inline(always)]
    pub(crate) fn inst_id(&self) -> u32 {
        self.inst_id
    }

    /// The store address of function `f` of the current instance.
    #[inline(always)]
    pub(crate) unsafe fn func_addr(&self, f: u32) -> u32 {
        // SAFETY: `inst` is valid while the run lasts.
        unsafe { (&(*self.inst).funcs)[f as usize] }
    }

    /// The value of global `g` of the current instance.
    #[inline(always)]
    pub(crate) unsafe fn global(&self, g: u32) -> *mut u64 {
        // SAFETY: `g` is a global of the module (validation); its pointer
        // targets a boxed global of the store.
        unsafe { (*self.globals.add(g as usize)).0 }
    }
}

/// Charges one unit of fuel and notices interrupts; true when the run
/// must stop, which [`out_of_fuel`] (a tail call) then does. No call here:
/// the handlers that tick stay without a stack frame.
#[inline(always)]
pub(crate) unsafe fn tick(cx: *mut Cx) -> bool {
    use crate::runtime::interrupt::INTERRUPT;
    use std::sync::atomic::Ordering::Relaxed;
    // SAFETY: `cx` is valid while the engine runs, and its signals (the
    // store's, kept alive by it) too.
    unsafe {
        if cfg!(feature = "bench-no-interrupt-check") && !(*cx).metered {
            return false;
        }
        let state = (*cx).state.load(Relaxed);
        if state == 0 {
            return false;
        }
        // Unmetered, only an interrupt sets the word.
        if !(*cx).metered {
            return true;
        }
        (*cx).fuel -= 1;
        (*cx).fuel < 0 || state & INTERRUPT != 0
    }
}

#[cold]
#[inline(never)]
pub(crate) unsafe extern "C" fn out_of_fuel(cx: *mut Cx, at: Ip, fp: Fp) -> usize {
    // SAFETY: as for `tick`.
    unsafe {
        (*cx).trap_at = (at, fp);
        if (*(*cx).signals).take_interrupt(&(*cx).state) {
            (*cx).trap = Some(TrapCode::Interrupted.into());
        } else {
            (*cx).fuel = 0;
            (*cx).trap = Some(TrapCode::OutOfFuel.into());
        }
    }
    // Opaque, so callers tail-call this (see `handlers::trap`).
    std::hint::black_box(super::handlers::TRAP)
}

/// Records where the trap in `cx.trap` happened (see [`Cx::trap_at`]).
#[cold]
#[inline(never)]
pub(crate) unsafe extern "C" fn trapped_at(cx: *mut Cx, at: Ip, fp: Fp) -> usize {
    // SAFETY: `cx` is valid while the engine runs.
    unsafe { (*cx).trap_at = (at, fp) };
    std::hint::black_box(super::handlers::TRAP)
}

/// The frames active at the trap, innermost first, as (instance, defined
/// function, word offset in its code): walked through the frame headers as
/// returns would, switching instances as returns would. Up to `MAX_FRAMES`,
/// and how many more there were.
unsafe fn trap_frames(cx: &mut Cx) -> (Vec<(u32, u32, u32)>, usize) {
    let (mut ret, mut fp) = cx.trap_at;
    let mut frames = Vec::new();
    let mut more = 0;
    // SAFETY: `trap_at` is a return address (or one word into an op) of
    // code of the current instance, with its frame; each frame's header
    // holds its return address and caller frame (translator's layout).
    unsafe {
        while !ret.is_null() && ret != super::handlers::exit_ip() {
            if ret == super::handlers::restore_ip() {
                let Some((r, id)) = cx.saved.pop() else { break };
                cx.set_instance(id);
                ret = r;
            }
            let pc = ret.sub(1);
            let inst = &*cx.inst;
            let Some((f, code)) = inst.module.inner.code.find_func(pc) else { break };
            if frames.len() < crate::error::MAX_FRAMES {
                frames.push((cx.inst_id, f as u32, pc.offset_from(code.as_ptr()) as u32));
            } else {
                more += 1;
            }
            let h = fp.add(usize::from(code[1]));
            (ret, fp) = (*h as Ip, *h.add(1) as Fp);
        }
    }
    (frames, more)
}

/// What a call to a store function enters.
pub(crate) enum Callee {
    /// A function of the current instance: its code (null until
    /// translated) and defined index.
    Same(Ip, u32),
    /// A wasm function of another instance.
    Other,
    /// A host function.
    Host,
}

#[inline(always)]
pub(crate) unsafe fn resolve(cx: *mut Cx, fa: u32) -> Callee {
    // SAFETY: `cx` and the store are valid while the engine runs.
    unsafe {
        let store = &*(*cx).store;
        match &store.funcs[fa as usize].kind {
            FuncKind::Wasm { instance, index, .. } if *instance == (*cx).inst_id => {
                Callee::Same((*cx).func_code(*index), *index)
            }
            FuncKind::Wasm { .. } => Callee::Other,
            FuncKind::Host(_) => Callee::Host,
        }
    }
}

/// Translates defined function `f` of instance `inst` on its first call;
/// null if that fails (the trap is in `cx.trap`).
#[cold]
#[inline(never)]
pub(crate) unsafe fn translate(cx: *mut Cx, inst: u32, f: u32) -> Ip {
    // SAFETY: as for `resolve`.
    let cx = unsafe { &mut *cx };
    // SAFETY: the store outlives the run.
    let store = unsafe { &*cx.store };
    let m = &store.instances[inst as usize].module.inner;
    match m.code.get(&m.syntax, f as usize) {
        Ok(p) => p,
        Err(e) => {
            cx.trap = Some(Trap::host(e.to_string()));
            std::ptr::null()
        }
    }
}

/// Switches to the instance of wasm function `fa`, saving the caller's;
/// returns the callee's code (null until translated) and defined index
/// (the memory view is then `Cx::mem_view`).
///
/// Results of at most two words: a larger one comes back through a stack
/// slot whose address escapes, and then LLVM no longer turns the
/// handler's next call into a jump, so every cross-instance call and
/// return would leave a native frame behind (a loop of them overflowed
/// the stack).
#[inline(never)]
pub(crate) unsafe fn switch_instance(cx: *mut Cx, fa: u32, ret: Ip) -> (Ip, u32) {
    // SAFETY: as for `resolve`.
    let cx = unsafe { &mut *cx };
    // SAFETY: the store outlives the run.
    let store = unsafe { &*cx.store };
    let FuncKind::Wasm { instance, index, .. } = &store.funcs[fa as usize].kind else {
        unreachable!("switch_instance on a host function")
    };
    cx.saved.push((ret, cx.inst_id));
    cx.set_instance(*instance);
    // SAFETY: `index` is a defined function of the callee's module.
    let code = unsafe { cx.func_code(*index) };
    (code, *index)
}

/// Returns into the instance saved by the matching `switch_instance`:
/// the return address (the memory view is then `Cx::mem_view`; one word,
/// for the reason at `switch_instance`).
#[inline(never)]
pub(crate) unsafe fn restore_instance(cx: *mut Cx) -> Ip {
    // SAFETY: as for `resolve`.
    let cx = unsafe { &mut *cx };
    let (ret, id) = cx.saved.pop().expect("RestoreInstance without a saved instance");
    cx.set_instance(id);
    ret
}

/// The target of `call_indirect` through entry `i` (the slot of an index
/// of the table's address type) of table `table`, which must have the
/// module's type `ty`.
#[inline(always)]
pub(crate) unsafe fn indirect_target(cx: *mut Cx, ty: u32, table: u32, i: u64) -> Result<u32, TrapCode> {
    // SAFETY: as for `resolve`.
    unsafe {
        let inst = &*(*cx).inst;
        let store = &*(*cx).store;
        let t = &store.tables[inst.tables[table as usize] as usize];
        let i = usize::try_from(t.operand(i)).map_err(|_| TrapCode::UndefinedElement)?;
        let r = *t.elems.get(i).ok_or(TrapCode::UndefinedElement)?;
        let fa = r.checked_sub(1).ok_or(TrapCode::UninitializedElement)? as u32;
        if !store.type_sub(store.funcs[fa as usize].ty, inst.types[ty as usize]) {
            return Err(TrapCode::IndirectCallTypeMismatch);
        }
        Ok(fa)
    }
}

// ---------------------------------------------------------------- exceptions

/// A new exception of tag `t` of the current instance, its payload read
/// from the slots at `args`; its store address.
#[cold]
#[inline(never)]
pub(crate) unsafe fn new_exn(cx: *mut Cx, t: u32, args: Fp) -> u32 {
    // SAFETY: as for `resolve`; the payload lies in the frame (translator,
    // verifier).
    unsafe {
        let cx = &mut *cx;
        let store = &mut *cx.store;
        let tag = (&(*cx.inst).tags)[t as usize];
        let n = slots_of(&store.types[store.tags[tag as usize] as usize].params);
        let vals: Box<[u64]> = std::slice::from_raw_parts(args, n).into();
        store.alloc_exn(tag, vals)
    }
}

/// Throws exception `exn` at `pc` (an op, or a word inside the call op
/// the exception came out of) in frame `fp` of the current instance:
/// finds the innermost handler in this frame or the frames it returns to
/// (switching instances as their returns would), puts the payload where
/// the handler wants it, and returns where to continue, in which frame.
/// `None` when no handler of this run catches it: `cx.trap` then holds it.
#[cold]
#[inline(never)]
pub(crate) unsafe fn unwind(cx: *mut Cx, exn: u32, mut pc: Ip, mut fp: Fp) -> Option<(Ip, Fp)> {
    use crate::compile::handlers::{Table, ALL, DELEGATE, NONE, NO_SLOT, RETURN, SKIP};
    // SAFETY: as for `resolve`. Frames are walked through their headers as
    // returns would (the translator's frame layout); every slot written
    // lies in its frame (translator, verifier).
    unsafe {
        let cx = &mut *cx;
        let fail = |cx: &mut Cx, why: &str| {
            cx.trap = Some(Trap::host(format!("internal error: {why}")));
            None
        };
        loop {
            let store = &mut *cx.store;
            let inst = &*cx.inst;
            let Some(code) = inst.module.inner.code.find(pc) else { return fail(cx, "throw outside translated code") };
            let base = code.as_ptr();
            let np = usize::from(code[1]);
            let tag = store.exns[exn as usize].tag;
            if let Some(table) = Table::of(code) {
                let off = pc.offset_from(base) as u32;
                let mut at = table.innermost(off);
                // Parents come first: at most one visit per try.
                let mut left = table.tries();
                while let (Some(i), Some(l)) = (at, left.checked_sub(1)) {
                    left = l;
                    let Some(t) = table.try_at(i) else { break };
                    let next = (t.parent != NONE).then_some(usize::from(t.parent)).filter(|&p| p < i);
                    match t.kind {
                        SKIP => break,
                        DELEGATE => {}
                        n => {
                            let clauses = usize::from(t.first)..usize::from(t.first) + usize::from(n);
                            let found = clauses.filter_map(|k| table.clause(k)).find(|c| {
                                c.tag == ALL || inst.tags.get(c.tag as usize) == Some(&tag)
                            });
                            if let Some(c) = found {
                                let (mut ip, mut at_fp) = (base.add(c.target as usize), fp);
                                if c.target == RETURN {
                                    // The header first: the values may go over it.
                                    let h = fp.add(np);
                                    (ip, at_fp) = (*h as Ip, *h.add(1) as Fp);
                                }
                                let e = &mut store.exns[exn as usize];
                                if c.tag != ALL {
                                    std::ptr::copy_nonoverlapping(e.vals.as_ptr(), fp.add(usize::from(c.dst)), e.vals.len());
                                }
                                if c.exn != NO_SLOT {
                                    e.exposed = true;
                                    *fp.add(usize::from(c.exn)) = u64::from(exn) + 1;
                                } else if !e.exposed {
                                    store.free_exn(exn);
                                }
                                return Some((ip, at_fp));
                            }
                        }
                    }
                    at = next;
                }
            }
            // Not caught here: leave the frame as its return would.
            let h = fp.add(np);
            let (ret, caller) = (*h as Ip, *h.add(1) as Fp);
            if ret == super::handlers::exit_ip() {
                store.exns[exn as usize].exposed = true;
                cx.trap = Some(Trap::exception(crate::runtime::Exn(exn)));
                // Its frames are gone: no backtrace (nor a stale one).
                cx.trap_at = (std::ptr::null(), std::ptr::null_mut());
                return None;
            }
            pc = if ret == super::handlers::restore_ip() {
                let Some((r, id)) = cx.saved.pop() else { return fail(cx, "return into another instance without one saved") };
                cx.set_instance(id);
                r
            } else {
                ret
            };
            // A word of the call op (returns land after it).
            pc = pc.sub(1);
            fp = caller;
        }
    }
}

/// [`unwind`] for handlers: where to continue and in which frame, the
/// address null if nothing catches it (two words, in registers: see
/// `switch_instance`).
#[inline(never)]
pub(crate) unsafe fn unwind_to(cx: *mut Cx, exn: u32, pc: Ip, fp: Fp) -> (Ip, Fp) {
    // SAFETY: as for `unwind`.
    unsafe { unwind(cx, exn, pc, fp).unwrap_or((std::ptr::null(), fp)) }
}

/// After a host function failed in a call from frame `fp` returning to
/// `ret`: a wasm exception it let through is thrown from the call; the
/// handler's address and frame, the address null if none catches it (two
/// words, for the reason at `switch_instance`).
#[cold]
#[inline(never)]
pub(crate) unsafe fn host_failed(cx: *mut Cx, ret: Ip, fp: Fp) -> (Ip, Fp) {
    // SAFETY: as for `unwind`; `ret` follows the call op.
    unsafe {
        match (*cx).trap.as_ref().and_then(Trap::exn) {
            Some(e) if ((*(*cx).store).exns.len() as u64) > u64::from(e.0) => {
                (*cx).trap = None;
                unwind(cx, e.0, ret.sub(1), fp).unwrap_or((std::ptr::null(), fp))
            }
            _ => (std::ptr::null(), fp),
        }
    }
}

/// Reads a value of type `ty` from the frame slots at `p` (a v128 from
/// two, low half first); returns it and the slots it took.
///
/// # Safety
/// `p` must be readable for the value's slots.
unsafe fn read_value(store: &Store, p: *const u64, ty: ValType) -> (Value, usize) {
    // SAFETY: by the caller's contract.
    unsafe {
        if ty == ValType::V128 {
            (Value::V128(u128::from(*p) | u128::from(*p.add(1)) << 64), 2)
        } else {
            (store.slot_value(*p, ty), 1)
        }
    }
}

/// Writes `v` to the frame slots at `p`; returns the slots it took.
///
/// # Safety
/// `p` must be writable for the value's slots.
unsafe fn write_value(p: *mut u64, v: Value) -> usize {
    // SAFETY: by the caller's contract.
    unsafe {
        if let Value::V128(x) = v {
            *p = x as u64;
            *p.add(1) = (x >> 64) as u64;
            2
        } else {
            *p = v.to_slot();
            1
        }
    }
}

/// Most parameters or results passed to a host function without a heap
/// allocation.
const INLINE_VALUES: usize = 8;

/// Calls host function `fa` with its arguments in `args[..]`, writing the
/// results there. False if it failed (the trap is in `cx.trap`).
#[inline(never)]
pub(crate) unsafe fn call_host(cx: *mut Cx, fa: u32, args: Fp) -> bool {
    // SAFETY: as for `resolve`; nothing of the store is borrowed across
    // the host call except through `store` itself.
    let cx = unsafe { &mut *cx };
    let store = unsafe { &mut *cx.store };
    let fi = &store.funcs[fa as usize];
    let FuncKind::Host(h) = &fi.kind else { unreachable!("call_host on a wasm function") };
    let h = Arc::clone(h);
    let ty = &store.types[fi.ty as usize];
    let (np, nr) = (ty.params.len(), ty.results.len());
    let mut params = [Value::I32(0); INLINE_VALUES];
    let mut results = [Value::I32(0); INLINE_VALUES];
    let mut params_heap = Vec::new();
    let mut results_heap = Vec::new();
    let params: &mut [Value] = if np <= INLINE_VALUES {
        &mut params[..np]
    } else {
        params_heap.resize(np, Value::I32(0));
        &mut params_heap
    };
    let mut at = 0;
    for (p, t) in params.iter_mut().zip(ty.params.iter()) {
        // SAFETY: the arguments lie in the caller's frame.
        let (v, n) = unsafe { read_value(store, args.add(at), *t) };
        (*p, at) = (v, at + n);
    }
    let frame = at.max(slots_of(&ty.results));
    let results: &mut [Value] = if nr <= INLINE_VALUES {
        &mut results[..nr]
    } else {
        results_heap.resize(nr, Value::I32(0));
        &mut results_heap
    };
    for (r, t) in results.iter_mut().zip(ty.results.iter()) {
        *r = Value::default_for(*t);
    }
    // The type by id: the host function may intern new types (its store
    // grows), but ids stay valid and this needs no copy.
    let ty_id = fi.ty;
    // A nested run starts above the arguments and results.
    let stack_top = store.stack_top;
    // SAFETY: `args` lies in the value stack.
    let base = unsafe { args.offset_from(store.stack.base()) } as usize;
    store.stack_top = base + frame;
    store.depth += 1;
    store.sync_fuel(cx.fuel);
    let r = if store.depth > store.config().max_call_depth {
        Err(TrapCode::CallStackExhausted.into())
    } else {
        h(&mut Caller { store, instance: Some(Instance(cx.inst_id)) }, params, results)
    };
    store.depth -= 1;
    store.stack_top = stack_top;
    cx.fuel = store.fuel_left();
    cx.metered = store.config().fuel.is_some();
    cx.set_metered();
    if let Err(t) = r {
        cx.trap = Some(t);
        return false;
    }
    if results.iter().zip(store.types[ty_id as usize].results.iter()).any(|(v, t)| !store.value_matches_in(*v, *t, ty_id)) {
        cx.trap = Some(Trap::host("host function returned a value of the wrong type"));
        return false;
    }
    let mut at = 0;
    for v in results.iter() {
        // SAFETY: the results go where the arguments were: the callee's
        // frame, `frame` slots, which `stack_top` kept free.
        at += unsafe { write_value(args.add(at), *v) };
    }
    true
}

/// Runs a rare op (`m`, at `ip`).
#[inline(never)]
pub(crate) unsafe fn rare(cx: *mut Cx, fp: Fp, ip: Ip, m: Misc) -> Result<(), TrapCode> {
    // SAFETY: as for `resolve`; the op's slots lie in the frame.
    let cx = unsafe { &mut *cx };
    let store = unsafe { &mut *cx.store };
    let inst = unsafe { &*cx.inst };
    let get = |s: u16| unsafe { *fp.add(usize::from(s)) };
    let set = |s: u16, v: u64| unsafe { *fp.add(usize::from(s)) = v };
    // The store address of memory `m` of the instance (the verifier and
    // the validator check `m`).
    let mem = |m: u32| inst.mems.get(m as usize).map(|&a| a as usize).ok_or(TrapCode::OutOfBoundsMemoryAccess);
    // An address or size operand: all 64 bits of the slot for a 64-bit
    // memory, the low 32 else.
    let addr = |is64: bool, s: u16| if is64 { get(s) } else { u64::from(get(s) as u32) };
    let table = |t: u32| inst.tables[t as usize] as usize;
    match m {
        Misc::TableGet => {
            let op::TableGet { d, t, i } = unsafe { op::TableGet::read(ip) };
            let tab = &store.tables[table(t)];
            let r = tab.range(tab.operand(get(i)), 1)?;
            set(d, tab.elems[r.start]);
        }
        Misc::TableSet => {
            let op::TableSet { t, i, v } = unsafe { op::TableSet::read(ip) };
            let tab = &mut store.tables[table(t)];
            let r = tab.range(tab.operand(get(i)), 1)?;
            tab.elems[r.start] = get(v);
        }
        Misc::TableSize => {
            let op::TableSize { d, t } = unsafe { op::TableSize::read(ip) };
            set(d, u64::from(store.tables[table(t)].size()));
        }
        Misc::TableGrow => {
            let op::TableGrow { d, t, v, n } = unsafe { op::TableGrow::read(ip) };
            let (a, tab) = (table(t), &store.tables[table(t)]);
            let failed = if tab.is64 { u64::MAX } else { u64::from(u32::MAX) };
            // Within the store's table limit too (`runtime/limits.rs`).
            let delta = tab.operand(get(n));
            let r = store.grow_table(a, delta, get(v));
            set(d, r.map_or(failed, u64::from));
        }
        Misc::TableFill => {
            let op::TableFill { t, i, v, n } = unsafe { op::TableFill::read(ip) };
            let tab = &mut store.tables[table(t)];
            let r = tab.range(tab.operand(get(i)), tab.operand(get(n)))?;
            tab.elems[r].fill(get(v));
        }
        Misc::TableCopy => {
            let op::TableCopy { dst, src, d, s, n } = unsafe { op::TableCopy::read(ip) };
            let (da, sa) = (table(dst), table(src));
            let (dt, st) = (&store.tables[da], &store.tables[sa]);
            // The length is an i64 only between two 64-bit tables.
            let n = if dt.is64 && st.is64 { get(n) } else { u64::from(get(n) as u32) };
            let (d, s) = (dt.operand(get(d)), st.operand(get(s)));
            let (sr, dr) = (st.range(s, n)?, dt.range(d, n)?);
            if da == sa {
                store.tables[da].elems.copy_within(sr, dr.start);
            } else {
                let (lo, hi) = store.tables.split_at_mut(da.max(sa));
                let (dt, st) = if da < sa { (&mut lo[da], &hi[0]) } else { (&mut hi[0], &lo[sa]) };
                dt.elems[dr].copy_from_slice(&st.elems[sr]);
            }
        }
        Misc::TableInit => {
            let op::TableInit { elem, t, d, s, n } = unsafe { op::TableInit::read(ip) };
            let (ta, ea) = (table(t), inst.elems[elem as usize] as usize);
            let (s, n) = (u64::from(get(s) as u32), u64::from(get(n) as u32));
            let seg = &store.elems[ea];
            let sr = table_range(seg.len(), s, n)?;
            let tab = &mut store.tables[ta];
            let dr = tab.range(tab.operand(get(d)), n)?;
            tab.elems[dr].copy_from_slice(&seg[sr]);
        }
        Misc::ElemDrop => {
            let op::ElemDrop { e } = unsafe { op::ElemDrop::read(ip) };
            store.elems[inst.elems[e as usize] as usize] = Vec::new();
        }
        Misc::MemorySize => {
            let op::MemorySize { d, m } = unsafe { op::MemorySize::read(ip) };
            set(d, u64::from(store.mems[mem(m)?].pages()));
        }
        Misc::MemoryGrow => {
            let op::MemoryGrow { d, n, m } = unsafe { op::MemoryGrow::read(ip) };
            let a = mem(m)?;
            let is64 = store.mems[a].is64();
            let failed = if is64 { u64::MAX } else { u64::from(u32::MAX) };
            // Within the store's memory limit too (`runtime/limits.rs`).
            set(d, store.grow_memory(a, addr(is64, n)).map_or(failed, u64::from));
        }
        Misc::MemoryFill => {
            let op::MemoryFill { d, v, n, m } = unsafe { op::MemoryFill::read(ip) };
            let m = &mut store.mems[mem(m)?];
            m.fill(addr(m.is64(), d), get(v) as u8, addr(m.is64(), n))?;
        }
        Misc::MemoryCopy => {
            let op::MemoryCopy { d, s, n, dm, sm } = unsafe { op::MemoryCopy::read(ip) };
            let (dm, sm) = (mem(dm)?, mem(sm)?);
            let (d64, s64) = (store.mems[dm].is64(), store.mems[sm].is64());
            // The length is an i64 only between two 64-bit memories.
            let (d, s, n) = (addr(d64, d), addr(s64, s), addr(d64 && s64, n));
            if dm == sm {
                store.mems[dm].copy(d, s, n)?;
            } else {
                let ((sp, sl), (dp, dl)) = (store.mems[sm].raw(), store.mems[dm].raw());
                let fits = |a: u64, l: usize| a.checked_add(n).is_some_and(|e| e <= l as u64);
                if !fits(s, sl) || !fits(d, dl) {
                    return Err(TrapCode::OutOfBoundsMemoryAccess);
                }
                // SAFETY: both ranges lie in their memories (checked just
                // above), and two memories never overlap.
                unsafe { std::ptr::copy_nonoverlapping(sp.add(s as usize), dp.add(d as usize), n as usize) };
            }
        }
        Misc::MemoryInit => {
            let op::MemoryInit { seg, d, s, n, m } = unsafe { op::MemoryInit::read(ip) };
            let data = &store.datas[inst.datas[seg as usize] as usize];
            let m = &mut store.mems[mem(m)?];
            m.init(addr(m.is64(), d), data, u64::from(get(s) as u32), u64::from(get(n) as u32))?;
        }
        Misc::LoadM => {
            let op::LoadM { d, a, off, m, op } = unsafe { op::LoadM::read(ip) };
            let mi = &store.mems[mem(m)?];
            let (p, len) = mi.raw();
            // SAFETY: `p`/`len` describe the memory, which nothing else
            // accesses during the op.
            set(d, unsafe { super::handlers::load_k(op, p, len, addr(mi.is64(), a), off)? });
        }
        Misc::StoreM => {
            let op::StoreM { a, v, off, m, op } = unsafe { op::StoreM::read(ip) };
            let mi = &store.mems[mem(m)?];
            let (p, len) = mi.raw();
            // SAFETY: as for `LoadM`.
            unsafe { super::handlers::store_k(op, p, len, addr(mi.is64(), a), off, get(v))? };
        }
        Misc::SimdMemM => {
            let o = unsafe { op::SimdMemM::read(ip) };
            let mi = &store.mems[mem(o.m)?];
            let (p, len) = mi.raw();
            // SAFETY: as for `LoadM`; the op's slots lie in the frame.
            unsafe { super::handlers::simd_mem_k(&o, p, len, addr(mi.is64(), o.a), fp)? };
        }
        Misc::DataDrop => {
            let op::DataDrop { seg } = unsafe { op::DataDrop::read(ip) };
            store.datas[inst.datas[seg as usize] as usize] = Default::default();
        }
        // SAFETY: as for the other rare ops.
        Misc::Gc => unsafe { super::gc::run(store, inst, fp, ip)? },
        _ => unreachable!("rare: {m:?}"),
    }
    Ok(())
}

/// Calls function `func` (arguments already type checked) and returns its
/// results.
pub(crate) fn invoke(store: &mut Store, func: u32, args: &[Value]) -> Result<Vec<Value>, Trap> {
    let n = store.types[store.funcs[func as usize].ty as usize].results.len();
    let mut results = vec![Value::I32(0); n];
    invoke_into(store, func, args, &mut results)?;
    Ok(results)
}

/// Calls function `func` (arguments already type checked), writing its
/// results to `results` (exactly as many as it returns): no allocation.
pub(crate) fn invoke_into(store: &mut Store, func: u32, args: &[Value], results: &mut [Value]) -> Result<(), Trap> {
    // Host functions may call back in, recursing on the native stack: bound
    // the bytes used since the outermost call.
    let marker = 0u8;
    let here = std::ptr::addr_of!(marker) as usize;
    if store.native_top == 0 {
        store.native_top = here;
        let r = invoke_inner(store, func, args, results);
        store.native_top = 0;
        return r;
    }
    if store.native_top.abs_diff(here) > store.config().max_native_stack {
        return Err(TrapCode::CallStackExhausted.into());
    }
    invoke_inner(store, func, args, results)
}

fn invoke_inner(store: &mut Store, func: u32, args: &[Value], results: &mut [Value]) -> Result<(), Trap> {
    let fi = &store.funcs[func as usize];
    let ty = fi.ty;
    let (instance, code) = match &fi.kind {
        FuncKind::Host(h) => {
            let h = Arc::clone(h);
            for (r, t) in results.iter_mut().zip(store.types[ty as usize].results.iter()) {
                *r = Value::default_for(*t);
            }
            if store.depth >= store.config().max_call_depth {
                return Err(TrapCode::CallStackExhausted.into());
            }
            store.depth += 1;
            let r = h(&mut Caller { store, instance: None }, args, results);
            store.depth -= 1;
            r?;
            if results.iter().zip(store.types[ty as usize].results.iter()).any(|(v, t)| !store.value_matches_in(*v, *t, ty)) {
                return Err(Trap::host("host function returned a value of the wrong type"));
            }
            return Ok(());
        }
        FuncKind::Wasm { instance, code, index } => {
            let m = &store.instances[*instance as usize].module.inner;
            match code.get(&m.syntax, *index as usize) {
                Ok(c) => (*instance, c),
                Err(e) => return Err(Trap::host(e.to_string())),
            }
        }
    };
    store.prepare_stack();
    let base = store.stack_top;
    let stack = store.stack.base();
    let stack_end = stack as usize + store.stack.len() * 8;
    // SAFETY: `code` is translated code, header first.
    let (frame, np, nl, z) = unsafe { (*code as usize, *code.add(1) as usize, *code.add(2) as usize, *code.add(3) as usize) };
    if base + frame > store.stack.len() {
        return Err(TrapCode::CallStackExhausted.into());
    }
    // SAFETY: the frame fits in the value stack (checked above).
    let fp = unsafe { stack.add(base) };
    unsafe {
        let mut at = 0;
        for a in args {
            at += write_value(fp.add(at), *a);
        }
        *fp.add(np) = super::handlers::exit_ip() as u64;
        *fp.add(np + 1) = 0;
        for k in z..z + nl {
            *fp.add(np + 2 + k) = 0;
        }
    }
    let mut cx = Cx {
        store,
        inst: std::ptr::null(),
        inst_id: 0,
        code: std::ptr::null(),
        globals: std::ptr::null(),
        mem: None,
        stack_end,
        fuel: store.fuel_left(),
        signals: Arc::as_ptr(&store.signals),
        state: Default::default(),
        metered: store.config().fuel.is_some(),
        trap: None,
        trap_at: (std::ptr::null(), std::ptr::null_mut()),
        saved: Vec::new(),
    };
    cx.set_instance(instance);
    cx.set_metered();
    // `cx` stays put until the run ends, and is used through this pointer
    // only: other threads may write its word.
    let signals = Arc::clone(&store.signals);
    let cxp: *mut Cx = &mut cx;
    // SAFETY: `cxp` points to `cx`, alive until the end of the function.
    let outer = signals.enter(unsafe { &(*cxp).state });
    // SAFETY: the frame is set up as `enter` would, and `ip` is the
    // function's first op; `cxp` as above.
    let status = unsafe {
        if signals.take_interrupt(&(*cxp).state) {
            // Asked before the call: even one without loops or calls stops.
            (*cxp).trap = Some(TrapCode::Interrupted.into());
            super::handlers::TRAP
        } else if (*cxp).fuel == 0 {
            (*cxp).trap = Some(TrapCode::OutOfFuel.into());
            super::handlers::TRAP
        } else {
            (*cxp).fuel -= 1;
            let (mem, len) = (*cxp).mem_view();
            let ip = code.add(CODE_HEADER);
            handler_at(ip)(ip, fp, mem, 0, cxp, len, 0.0, 0.0)
        }
    };
    signals.leave(outer);
    let (fuel, trap) = (cx.fuel, cx.trap.take());
    if status != DONE {
        // SAFETY: the run is over; its frames are still in the value stack.
        let (frames, more) = unsafe { trap_frames(&mut cx) };
        store.sync_fuel(fuel);
        let mut trap = trap.unwrap_or_else(|| Trap::host("internal error: engine stopped without a trap"));
        let frames = frames.into_iter().map(|(i, f, pc)| store.instances[i as usize].module.frame(f, pc));
        trap.push_frames(frames, more);
        return Err(trap);
    }
    store.sync_fuel(fuel);
    let mut at = 0;
    for (r, t) in results.iter_mut().zip(store.types[ty as usize].results.iter()) {
        // SAFETY: the results are at the start of the frame.
        let (v, n) = unsafe { read_value(store, fp.add(at), *t) };
        (*r, at) = (v, at + n);
    }
    Ok(())
}
