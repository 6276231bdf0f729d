//! Targets (b) and (c): execution of wasm-smith modules on wasmint and on
//! wasmi. Each module (no imports, everything exported, NaNs canonicalised
//! by wasm-smith so float bits are deterministic) is instantiated on both
//! and every exported function is called twice, with zeros and with a
//! fixed set of values, in export order. After instantiation and after
//! each call the two must agree on: results (NaNs compared as NaN),
//! traps by kind, and the contents of every exported memory (a sampled
//! digest past 256 KiB), global and table (its size and which entries are
//! null).
//!
//! Fuel: wasmi gets [`WASMI_FUEL`] (instructions) per call; wasmint twice
//! that plus a margin in its units (function entries and backward
//! branches, each of which costs wasmi at least one unit), so a program
//! that finishes on wasmi finishes on wasmint. Half the modules also get
//! wasm-smith's `ensure_termination` (a fuel global in the module itself).
//! When wasmi runs out of fuel or either side exhausts its call stack
//! (their limits differ), the rest of the module is not compared.
//!
//! Hangs (c): wasmint running out of its fuel where wasmi finished, or
//! taking longer than [`HANG_FACTOR`] times wasmi's time plus
//! [`HANG_SLACK`], is a finding.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// CPU time of this thread, for the hang check: a loaded machine stalls
/// the process (wall time), not the work.
fn cpu_now() -> Duration {
    #[cfg(unix)]
    {
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: writes only `ts`, a valid timespec.
        if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0 {
            return Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
        }
    }
    static START: std::sync::LazyLock<Instant> = std::sync::LazyLock::new(Instant::now);
    START.elapsed()
}

use arbitrary::{Arbitrary, Unstructured};
use wasmint::{Error, Extern, TrapCode, ValType, Value};

/// wasmi's fuel per call (instantiation included).
pub const WASMI_FUEL: u64 = 200_000;
/// wasmint's fuel per call.
pub const OUR_FUEL: u64 = 2 * WASMI_FUEL + 1_000;
/// A call may take this many times wasmi's time...
pub const HANG_FACTOR: u32 = 20;
/// ... plus this much (translation, a loaded machine).
pub const HANG_SLACK: Duration = Duration::from_millis(200);

pub static GENERATED: AtomicU64 = AtomicU64::new(0);
/// Modules both engines instantiated (or both failed to).
pub static INSTANTIATED: AtomicU64 = AtomicU64::new(0);
/// Calls compared (each on both engines).
pub static CALLS: AtomicU64 = AtomicU64::new(0);
/// Of those, calls that trapped on both.
pub static TRAPS: AtomicU64 = AtomicU64::new(0);
/// Modules whose comparison stopped early (wasmi out of fuel, a stack
/// exhausted on either side), or that wasmi refused.
pub static CUT_SHORT: AtomicU64 = AtomicU64::new(0);
pub static WASMI_REFUSED: AtomicU64 = AtomicU64::new(0);
/// Modules on which wasmi panicked (its translator has `unreachable!`s
/// that generated code reaches); the module is then not compared.
pub static WASMI_PANICS: AtomicU64 = AtomicU64::new(0);

/// Runs a wasmi step, `None` if wasmi panicked.
fn wasmi_guard<R>(f: impl FnOnce() -> R) -> Option<R> {
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok();
    if r.is_none() {
        WASMI_PANICS.fetch_add(1, Relaxed);
    }
    r
}

/// The wasm-smith configuration: random sizes, features both engines run
/// deterministically (no relaxed SIMD, whose results are
/// implementation-defined; no exceptions or typed references, which
/// wasmi lacks), memories of at most 16 MiB with a maximum, no imports.
pub fn config(u: &mut Unstructured<'_>) -> arbitrary::Result<wasm_smith::Config> {
    let mut c = if u.arbitrary::<bool>()? { wasm_smith::Config::arbitrary(u)? } else { wasm_smith::Config::default() };
    super::validate::restrict(&mut c);
    c.exceptions_enabled = false;
    c.relaxed_simd_enabled = false;
    c.custom_page_sizes_enabled = u.arbitrary()?;
    c.allow_invalid_funcs = false;
    c.max_imports = 0;
    c.min_imports = 0;
    c.available_imports = None;
    c.canonicalize_nans = true;
    c.export_everything = true;
    c.memory_max_size_required = true;
    c.max_memory32_bytes = c.max_memory32_bytes.min(16 << 20);
    c.max_memory64_bytes = c.max_memory64_bytes.min(16 << 20);
    c.max_memories = c.max_memories.min(4);
    c.table_max_size_required = true;
    c.max_table_elements = c.max_table_elements.min(10_000);
    c.max_tables = c.max_tables.min(4);
    super::validate::set_minimums(&mut c, u)?;
    Ok(c)
}

/// The module of input `u`, with `ensure_termination` half the time.
pub fn generate(u: &mut Unstructured<'_>) -> arbitrary::Result<Vec<u8>> {
    let c = config(u)?;
    let terminate = u.arbitrary::<bool>()?;
    let mut m = wasm_smith::Module::new(c, u)?;
    if terminate {
        m.ensure_termination(10_000).map_err(|_| arbitrary::Error::IncorrectFormat)?;
    }
    Ok(m.to_bytes())
}

fn engine() -> &'static wasmi::Engine {
    static ENGINE: OnceLock<wasmi::Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut c = wasmi::Config::default();
        c.wasm_tail_call(true)
            .wasm_multi_memory(true)
            .wasm_memory64(true)
            .wasm_extended_const(true)
            .wasm_custom_page_sizes(true)
            .wasm_wide_arithmetic(true)
            .wasm_simd(true)
            .wasm_relaxed_simd(false)
            .consume_fuel(true)
            // Eager: wasmi's translator panics (`choose_store_op_vt`) then
            // come out of `Module::new`, where they are caught; translated
            // lazily they come from inside its executor, which cannot
            // unwind, and abort the process.
            .compilation_mode(wasmi::CompilationMode::Eager);
        wasmi::Engine::new(&c)
    })
}

/// A value as both engines can show it: floats as bits with one NaN,
/// references as null or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum V {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    Null,
    NonNull,
}

fn f32_bits(b: u32) -> V {
    V::F32(if f32::from_bits(b).is_nan() { 0x7fc0_0000 } else { b })
}
fn f64_bits(b: u64) -> V {
    V::F64(if f64::from_bits(b).is_nan() { 0x7ff8_0000_0000_0000 } else { b })
}

fn ours_v(v: &Value) -> V {
    match *v {
        Value::I32(x) => V::I32(x),
        Value::I64(x) => V::I64(x),
        Value::F32(x) => f32_bits(x.to_bits()),
        Value::F64(x) => f64_bits(x.to_bits()),
        Value::V128(x) => V::V128(x),
        Value::FuncRef(r) => if r.is_some() { V::NonNull } else { V::Null },
        Value::ExternRef(r) => if r.is_some() { V::NonNull } else { V::Null },
        Value::ExnRef(r) => if r.is_some() { V::NonNull } else { V::Null },
        Value::AnyRef(r) => if r.is_some() { V::NonNull } else { V::Null },
    }
}

fn wasmi_v(v: &wasmi::Val) -> V {
    match v {
        wasmi::Val::I32(x) => V::I32(*x),
        wasmi::Val::I64(x) => V::I64(*x),
        wasmi::Val::F32(x) => f32_bits(x.to_bits()),
        wasmi::Val::F64(x) => f64_bits(x.to_bits()),
        wasmi::Val::V128(x) => V::V128(x.as_u128()),
        wasmi::Val::FuncRef(r) => if r.is_null() { V::Null } else { V::NonNull },
        wasmi::Val::ExternRef(r) => if r.is_null() { V::Null } else { V::NonNull },
    }
}

/// The arguments of call round `round` (0: zeros; 1: fixed non-zero
/// values), for both engines; `None` if a parameter type has no value we
/// can make on both sides (a non-null reference).
fn args(params: &[ValType], round: usize) -> Option<(Vec<Value>, Vec<wasmi::Val>)> {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (i, t) in params.iter().enumerate() {
        let k = (round * (i + 1)) as i64;
        let (x, y) = match *t {
            ValType::I32 => {
                let v = [0, 1, -1, i32::MIN, 0x7fff_fff0, 65_535][(k % 6) as usize];
                (Value::I32(v), wasmi::Val::I32(v))
            }
            ValType::I64 => {
                let v = [0, 1, -1, i64::MIN, 0x1_0000_0000, 65_535][(k % 6) as usize];
                (Value::I64(v), wasmi::Val::I64(v))
            }
            ValType::F32 => {
                let v = [0.0f32, 1.5, -0.0, f32::INFINITY, 3.0e9, -1.0e-40][(k % 6) as usize];
                (Value::F32(v), wasmi::Val::F32(v.into()))
            }
            ValType::F64 => {
                let v = [0.0f64, -2.5, 1.0e300, f64::NEG_INFINITY, 4.0e18, 5.0e-324][(k % 6) as usize];
                (Value::F64(v), wasmi::Val::F64(v.into()))
            }
            ValType::V128 => {
                let v = if round == 0 { 0 } else { 0x8000_0001_7fff_ffff_0123_4567_89ab_cdef_u128.rotate_left(i as u32 * 8) };
                (Value::V128(v), wasmi::Val::V128(v.into()))
            }
            ValType::Ref(r) if r.nullable && r.heap.is_func() => (Value::FuncRef(None), wasmi::Val::FuncRef(wasmi::Nullable::Null)),
            ValType::Ref(r) if r.nullable && !r.heap.is_exn() => (Value::ExternRef(None), wasmi::Val::ExternRef(wasmi::Nullable::Null)),
            _ => return None,
        };
        a.push(x);
        b.push(y);
    }
    Some((a, b))
}

/// What a call (or instantiation) did, as both engines can show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Values(Vec<V>),
    Trap(&'static str),
    /// Another error (its text; not compared between engines).
    Error(String),
}

impl Outcome {
    fn is(&self, kind: &str) -> bool {
        matches!(self, Outcome::Trap(k) if *k == kind)
    }
}

fn our_trap(c: TrapCode) -> &'static str {
    match c {
        TrapCode::Unreachable => "unreachable",
        TrapCode::IntegerDivideByZero => "integer divide by zero",
        TrapCode::IntegerOverflow => "integer overflow",
        TrapCode::InvalidConversionToInteger => "invalid conversion to integer",
        TrapCode::OutOfBoundsMemoryAccess => "out of bounds memory access",
        TrapCode::OutOfBoundsTableAccess | TrapCode::UndefinedElement => "out of bounds table access",
        TrapCode::UninitializedElement | TrapCode::NullFunctionReference => "null function",
        TrapCode::IndirectCallTypeMismatch => "indirect call type mismatch",
        TrapCode::CallStackExhausted => "stack",
        TrapCode::OutOfFuel => "fuel",
        TrapCode::NullReference => "null reference",
        TrapCode::Interrupted => "interrupted",
        TrapCode::NullExceptionReference => "null exception reference",
        // GC (not generated here: wasmi has no GC).
        TrapCode::NullStructReference
        | TrapCode::NullArrayReference
        | TrapCode::NullI31Reference
        | TrapCode::OutOfBoundsArrayAccess
        | TrapCode::CastFailure
        | TrapCode::OutOfMemory => c.message(),
    }
}

fn wasmi_trap(c: wasmi::TrapCode) -> &'static str {
    use wasmi::TrapCode as T;
    match c {
        T::UnreachableCodeReached => "unreachable",
        T::IntegerDivisionByZero => "integer divide by zero",
        T::IntegerOverflow => "integer overflow",
        T::BadConversionToInteger => "invalid conversion to integer",
        T::MemoryOutOfBounds => "out of bounds memory access",
        T::TableOutOfBounds => "out of bounds table access",
        T::IndirectCallToNull => "null function",
        T::BadSignature => "indirect call type mismatch",
        T::StackOverflow => "stack",
        T::OutOfFuel => "fuel",
        T::GrowthOperationLimited => "growth limited",
        #[allow(unreachable_patterns)]
        _ => "other wasmi trap",
    }
}

fn ours_outcome(r: Result<Vec<Value>, Error>) -> Outcome {
    match r {
        Ok(v) => Outcome::Values(v.iter().map(ours_v).collect()),
        Err(Error::Trap(t)) => t.code().map_or_else(|| Outcome::Error(t.to_string()), |c| Outcome::Trap(our_trap(c))),
        Err(e) => Outcome::Error(e.to_string()),
    }
}

fn wasmi_outcome(r: Result<Vec<wasmi::Val>, wasmi::Error>) -> Outcome {
    match r {
        Ok(v) => Outcome::Values(v.iter().map(wasmi_v).collect()),
        Err(e) => match e.as_trap_code() {
            Some(c) => Outcome::Trap(wasmi_trap(c)),
            None => Outcome::Error(e.to_string()),
        },
    }
}

/// A digest of a memory: its length and FNV-1a over all of it, or over
/// 64 bytes of every 4 KiB page plus the last 64 when it is bigger than
/// 256 KiB.
pub fn digest(mem: &[u8]) -> (usize, u64) {
    if mem.len() <= 256 << 10 {
        return (mem.len(), super::seeds::fnv(mem));
    }
    let mut h = 0u64;
    for page in mem.chunks(4096) {
        h = h.rotate_left(5) ^ super::seeds::fnv(&page[..page.len().min(64)]);
    }
    h ^= super::seeds::fnv(&mem[mem.len() - 64..]);
    (mem.len(), h)
}

/// Everything exported that is not a function, by name.
#[derive(Debug, PartialEq, Eq)]
enum Item {
    Global(V),
    Memory(usize, u64),
    Table(u64, Vec<bool>),
    Other,
}

struct Ours {
    store: wasmint::Store,
    instance: wasmint::Instance,
}

struct Theirs {
    store: wasmi::Store<()>,
    instance: wasmi::Instance,
}

fn our_state(o: &Ours, names: &[String]) -> Vec<Item> {
    names
        .iter()
        .map(|n| match o.store.export(o.instance, n) {
            Some(Extern::Global(g)) => Item::Global(ours_v(&o.store.global_get(g))),
            Some(Extern::Memory(m)) => {
                let (len, h) = digest(o.store.memory_data(m));
                Item::Memory(len, h)
            }
            Some(Extern::Table(t)) => {
                let size = o.store.table_size(t);
                let null = (0..size).map(|i| o.store.table_get(t, i).map_or(true, |v| ours_v(&v) == V::Null)).collect();
                Item::Table(size as u64, null)
            }
            _ => Item::Other,
        })
        .collect()
}

fn their_state(t: &Theirs, names: &[String]) -> Vec<Item> {
    names
        .iter()
        .map(|n| match t.instance.get_export(&t.store, n) {
            Some(wasmi::Extern::Global(g)) => Item::Global(wasmi_v(&g.get(&t.store))),
            Some(wasmi::Extern::Memory(m)) => {
                let (len, h) = digest(m.data(&t.store));
                Item::Memory(len, h)
            }
            Some(wasmi::Extern::Table(tb)) => {
                let size = tb.size(&t.store);
                let null = (0..size).map(|i| tb.get(&t.store, i).map_or(true, |r| r.is_null())).collect();
                Item::Table(size, null)
            }
            _ => Item::Other,
        })
        .collect()
}

fn compare_state(ours: &Ours, theirs: &Theirs, names: &[String], after: &str) -> Result<(), String> {
    let (a, b) = (our_state(ours, names), their_state(theirs, names));
    for ((n, x), y) in names.iter().zip(&a).zip(&b) {
        if x != y {
            let show = |i: &Item| match i {
                Item::Table(s, null) => format!("Table(size {s}, {} null)", null.iter().filter(|n| **n).count()),
                other => format!("{other:?}"),
            };
            return Err(format!("after {after}: export {n:?}: wasmint {}, wasmi {}", show(x), show(y)));
        }
    }
    Ok(())
}

/// Whether wasmint was slow enough, against wasmi, to count as a hang.
fn too_slow(ours: Duration, theirs: Duration) -> bool {
    ours > theirs * HANG_FACTOR + HANG_SLACK
}

/// What to do after comparing one step.
enum Step {
    Go,
    Stop,
}

/// Compares one step's outcomes and times; `Err` is a finding.
fn judge(what: &str, a: &Outcome, ta: Duration, b: &Outcome, tb: Duration) -> Result<Step, String> {
    let wasmi_finished = !b.is("fuel") && !b.is("stack");
    if wasmi_finished && a.is("fuel") {
        return Err(format!("hang: {what}: wasmint ran out of fuel ({OUR_FUEL}) where wasmi finished with {b:?} in {tb:?}"));
    }
    if wasmi_finished && too_slow(ta, tb) {
        return Err(format!("hang: {what}: wasmint took {ta:?}, wasmi {tb:?} ({b:?})"));
    }
    if !wasmi_finished || a.is("stack") {
        return Ok(Step::Stop);
    }
    match (a, b) {
        (Outcome::Error(_), Outcome::Error(_)) => Ok(Step::Stop),
        _ if a == b => Ok(Step::Go),
        _ => Err(format!("{what}: wasmint {a:?}, wasmi {b:?}")),
    }
}

/// Whether a function of the module has `i32.eqz` or `ref.is_null` among
/// the three instructions before a `select`, which wasmi 2.0.0 runs wrongly
/// when it makes the condition (it takes the wrong operand:
/// spec-tests/fuzz-regressions/wasmi-select-eqz.wast,
/// wasmi-select-ref-is-null.wast; a `local.get`/`local.set` pair in
/// between does not stop it).
pub fn wasmi_select_eqz(bytes: &[u8]) -> bool {
    use wasmparser::{Operator, Parser, Payload};
    for payload in Parser::new(0).parse_all(bytes) {
        let Ok(Payload::CodeSectionEntry(body)) = payload else { continue };
        let Ok(mut ops) = body.get_operators_reader() else { continue };
        // Instructions since the last `i32.eqz` or `ref.is_null`.
        let mut since_test = usize::MAX;
        while let Ok(op) = ops.read() {
            let select = matches!(op, Operator::Select | Operator::TypedSelect { .. } | Operator::TypedSelectMulti { .. });
            if since_test < 3 && select {
                return true;
            }
            since_test = if matches!(op, Operator::I32Eqz | Operator::RefIsNull) { 0 } else { since_test.saturating_add(1) };
        }
    }
    false
}

/// Modules on which the engines disagreed in a way a known wasmi bug
/// explains (not counted as findings).
pub static ORACLE_BUG: AtomicU64 = AtomicU64::new(0);

/// Instantiates and runs one module on both engines; `Err` is a finding,
/// unless a known wasmi bug explains it.
pub fn compare(bytes: &[u8]) -> Result<(), String> {
    let r = compare_raw(bytes);
    if r.is_err() && wasmi_select_eqz(bytes) {
        ORACLE_BUG.fetch_add(1, Relaxed);
        return Ok(());
    }
    r
}

/// The native stack of the thread a comparison runs on. wasmi 2.0.0's
/// handlers call each other and count on the optimiser to make those calls
/// jumps; some are not (`table.grow`), so a loop over one recurses
/// natively once per executed instruction: seed 1225964 overflowed the
/// 2 MiB of a test thread (an abort, which no `catch_unwind` stops) after
/// some 13,000 `table.grow`s of 160 bytes of stack each. Fuel bounds the
/// depth (an instruction costs wasmi at least one unit of its
/// [`WASMI_FUEL`] a call), so 256 MiB (only touched pages are committed)
/// leaves 1.3 KiB a frame.
pub const COMPARE_STACK: usize = 256 << 20;

/// [`compare`] without the excuses, on a thread of its own with a stack of
/// [`COMPARE_STACK`] (a panic in it comes out here as a panic).
pub fn compare_raw(bytes: &[u8]) -> Result<(), String> {
    std::thread::scope(|s| {
        let t = std::thread::Builder::new().name("compare".into()).stack_size(COMPARE_STACK).spawn_scoped(s, || compare_here(bytes));
        match t.map_err(|e| format!("cannot start the comparison thread: {e}"))?.join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// [`compare_raw`] on the calling thread.
fn compare_here(bytes: &[u8]) -> Result<(), String> {
    let Some(wmodule) = wasmi_guard(|| wasmi::Module::new(engine(), bytes)) else { return Ok(()) };
    let wmodule = match wmodule {
        Ok(m) => m,
        Err(_) => {
            WASMI_REFUSED.fetch_add(1, Relaxed);
            return Ok(());
        }
    };
    let module = wasmint::Module::new(bytes).map_err(|e| format!("wasmint rejects a module wasmi accepts: {e}"))?;
    let mut store = wasmint::Store::new();
    store.config_mut().fuel = Some(OUR_FUEL);
    let t = cpu_now();
    let inst = store.instantiate(&module, &[]);
    let ta = cpu_now().saturating_sub(t);
    let mut wstore = wasmi::Store::new(engine(), ());
    wstore.set_fuel(WASMI_FUEL).unwrap();
    let linker = wasmi::Linker::<()>::new(engine());
    let t = cpu_now();
    let Some(winst) = wasmi_guard(|| linker.instantiate_and_start(&mut wstore, &wmodule)) else { return Ok(()) };
    let tb = cpu_now().saturating_sub(t);
    let a = match &inst {
        Ok(_) => Outcome::Values(Vec::new()),
        Err(Error::Trap(t)) => t.code().map_or_else(|| Outcome::Error(t.to_string()), |c| Outcome::Trap(our_trap(c))),
        Err(e) => Outcome::Error(e.to_string()),
    };
    let b = match &winst {
        Ok(_) => Outcome::Values(Vec::new()),
        Err(e) => e.as_trap_code().map_or_else(|| Outcome::Error(e.to_string()), |c| Outcome::Trap(wasmi_trap(c))),
    };
    // Both failing agree, whatever each names (wasmi reports some
    // initialiser traps as instantiation errors without a trap code).
    let both_failed = !matches!(a, Outcome::Values(_)) && matches!(b, Outcome::Error(_));
    let step = if both_failed { Step::Stop } else { judge("instantiation", &a, ta, &b, tb)? };
    INSTANTIATED.fetch_add(1, Relaxed);
    let (Ok(instance), Ok(winstance)) = (inst, winst) else { return Ok(()) };
    if let Step::Stop = step {
        CUT_SHORT.fetch_add(1, Relaxed);
        return Ok(());
    }
    let mut ours = Ours { store, instance };
    let mut theirs = Theirs { store: wstore, instance: winstance };
    let names: Vec<String> = module.exports().into_iter().map(|(n, _)| n).collect();
    compare_state(&ours, &theirs, &names, "instantiation")?;
    for round in 0..2 {
        for name in &names {
            let Some(Extern::Func(f)) = ours.store.export(ours.instance, name) else { continue };
            let wf = theirs.instance.get_func(&theirs.store, name).ok_or("wasmi lacks an export")?;
            let ty = ours.store.func_type(f).clone();
            let Some((args, wargs)) = args(&ty.params, round) else { continue };
            ours.store.config_mut().fuel = Some(OUR_FUEL);
            let t = cpu_now();
            let r = ours.store.call(f, &args);
            let ta = cpu_now().saturating_sub(t);
            theirs.store.set_fuel(WASMI_FUEL).unwrap();
            let mut results = vec![wasmi::Val::I32(0); ty.results.len()];
            let wty = wf.ty(&theirs.store);
            for (slot, t) in results.iter_mut().zip(wty.results()) {
                *slot = wasmi::Val::default_for_ty(*t);
            }
            let t = cpu_now();
            let Some(wr) = wasmi_guard(|| wf.call(&mut theirs.store, &wargs, &mut results)) else { return Ok(()) };
            let wr = wr.map(|()| results);
            let tb = cpu_now().saturating_sub(t);
            let (a, b) = (ours_outcome(r), wasmi_outcome(wr));
            CALLS.fetch_add(1, Relaxed);
            let what = format!("call {name:?} (round {round})");
            match judge(&what, &a, ta, &b, tb)? {
                Step::Go => {}
                Step::Stop => {
                    CUT_SHORT.fetch_add(1, Relaxed);
                    return Ok(());
                }
            }
            TRAPS.fetch_add(matches!(a, Outcome::Trap(_)) as u64, Relaxed);
            compare_state(&ours, &theirs, &names, &what)?;
        }
    }
    Ok(())
}

/// The check behind the `exec` fuzz target.
pub fn check(data: &[u8]) -> Result<(), String> {
    let mut u = Unstructured::new(data);
    let Ok(bytes) = generate(&mut u) else { return Ok(()) };
    GENERATED.fetch_add(1, Relaxed);
    if std::env::var_os("WASMINT_FUZZ_VERBOSE").is_some() {
        // Saved before it runs, so that a module that crashes the process
        // is on disk.
        println!("module of {} bytes: {}", bytes.len(), super::seeds::save("exec", &bytes));
    }
    compare(&bytes).map_err(|e| format!("{e}\n  module: {}", super::seeds::save("exec", &bytes)))
}

/// A line with the counters, for the end of a run.
pub fn summary() -> String {
    format!(
        "exec: {} modules generated, {} refused by wasmi, {} instantiated on both, {} calls compared ({} trapped), {} modules cut short (fuel/stack), {} disagreements set aside as the wasmi select/i32.eqz (ref.is_null) bug, {} wasmi panics",
        GENERATED.load(Relaxed),
        WASMI_REFUSED.load(Relaxed),
        INSTANTIATED.load(Relaxed),
        CALLS.load(Relaxed),
        TRAPS.load(Relaxed),
        CUT_SHORT.load(Relaxed),
        ORACLE_BUG.load(Relaxed),
        WASMI_PANICS.load(Relaxed)
    )
}
