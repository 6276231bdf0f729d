//! WASI 0.2 (`wasi:cli`, `wasi:io`, `wasi:clocks`, `wasi:random`,
//! `wasi:filesystem`) for components, on the same [`WasiCtx`] as
//! preview1: arguments, environment, standard streams and preopened
//! directories are the context's, and every filesystem call goes through
//! the preview1 implementation (the same sandbox, the same POSIX path
//! semantics). Descriptors are preview1 descriptor numbers; streams,
//! directory listings, errors and pollables live in tables here.
//! Sockets are not provided: a component importing them fails to link.

use std::os::unix::fs::FileExt;
use std::sync::{Arc, Mutex};

use super::ctx::{rights as R, Kind, WasiCtx};
use super::errno::Errno;
use super::mem::Mem;
use super::{Args, Call, Fail, Version, FUNCS};
use crate::component::types::{FuncType, Type};
use crate::component::{Linker, Resource, ResourceType, Val};
use crate::{Store, Trap, Value};

enum Stream {
    Stdin,
    Stdout,
    Stderr,
    Read { fd: u32, offset: u64 },
    Write { fd: u32, offset: u64 },
    Append { fd: u32 },
}

/// A table of host objects behind resource handles (reps are indices).
struct Slab<T>(Vec<Option<T>>);

impl<T> Slab<T> {
    fn insert(&mut self, t: T) -> u32 {
        if let Some(i) = self.0.iter().position(Option::is_none) {
            self.0[i] = Some(t);
            return i as u32;
        }
        self.0.push(Some(t));
        (self.0.len() - 1) as u32
    }
    fn get(&mut self, i: u32) -> Option<&mut T> {
        self.0.get_mut(i as usize).and_then(Option::as_mut)
    }
    fn remove(&mut self, i: u32) -> Option<T> {
        self.0.get_mut(i as usize).and_then(Option::take)
    }
}

struct State {
    ctx: WasiCtx,
    streams: Slab<Stream>,
    listings: Slab<std::vec::IntoIter<(u8, String)>>,
    errors: Slab<String>,
    /// A pollable's deadline (monotonic nanoseconds); 0: always ready.
    pollables: Slab<u64>,
}

type Shared = Arc<Mutex<State>>;

fn lock(s: &Shared) -> std::sync::MutexGuard<'_, State> {
    s.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The host's resource types, one per WIT resource.
#[derive(Clone)]
struct Resources {
    input: ResourceType,
    output: ResourceType,
    error: ResourceType,
    pollable: ResourceType,
    descriptor: ResourceType,
    listing: ResourceType,
}

/// The most bytes one read, or one `get-random-bytes`, hands over.
const MAX_CHUNK: u64 = 16 << 20;

/// The payload of the trap `wasi:cli/exit` raises (as `proc_exit`'s).
pub use super::Exit;

type R2 = Result<Option<Val>, Trap>;

fn ok(v: Val) -> R2 {
    Ok(Some(Val::Result(Ok(Some(Box::new(v))))))
}

fn ok0() -> R2 {
    Ok(Some(Val::Result(Ok(None))))
}

fn own(ty: &ResourceType, rep: u32) -> Val {
    Val::Resource(Resource { ty: ty.clone(), rep, own: true })
}

/// Argument `i`, or a placeholder when a component declared the import
/// with fewer parameters than WASI has (a wrong shape then fails as a bad
/// argument would, never by indexing past the end).
fn arg(args: &[Val], i: usize) -> &Val {
    static NONE: Val = Val::Bool(false);
    args.get(i).unwrap_or(&NONE)
}

/// The declared type of parameter `i` (as [`arg`]).
fn param(ty: &FuncType, i: usize) -> &Type {
    static NONE: Type = Type::Prim(crate::component::types::Prim::Bool);
    ty.params.get(i).map_or(&NONE, |(_, t)| t)
}

fn rep(v: &Val) -> u32 {
    match v {
        Val::Resource(r) => r.rep,
        _ => u32::MAX,
    }
}

fn u64_of(v: &Val) -> u64 {
    match v {
        Val::U64(x) => *x,
        Val::U32(x) => u64::from(*x),
        _ => 0,
    }
}

fn str_of(v: &Val) -> &str {
    match v {
        Val::String(s) => s,
        _ => "",
    }
}

fn bytes_of(v: &Val) -> &[u8] {
    match v {
        Val::Bytes(b) => b,
        _ => &[],
    }
}

/// Names of the set flags of a flags value of type `t`.
fn flag_names(v: &Val, t: &Type) -> Vec<String> {
    match (v, t) {
        (Val::Flags(set), Type::Flags(f)) => set.iter().filter_map(|&i| f.names.get(i as usize).cloned()).collect(),
        _ => Vec::new(),
    }
}

/// The case `name` of enum type `t` (found by name: the WIT order is the
/// interface's, not ours to assume).
fn enum_case(t: Option<&Type>, name: &str) -> Val {
    match t {
        Some(Type::Enum(e)) => Val::Enum(e.names.iter().position(|n| n == name).unwrap_or(0) as u32),
        _ => Val::Enum(0),
    }
}

fn result_types(ty: &FuncType) -> (Option<&Type>, Option<&Type>) {
    match &ty.result {
        Some(Type::Result(r)) => (r.ok.as_ref(), r.err.as_ref()),
        _ => (None, None),
    }
}

/// `wasi:filesystem/types.error-code` for a preview1 errno.
fn error_code_name(e: Errno) -> &'static str {
    match e.0 {
        2 => "access",
        6 => "would-block",
        7 => "already",
        8 => "bad-descriptor",
        10 => "busy",
        16 => "deadlock",
        19 => "quota",
        20 => "exist",
        22 => "file-too-large",
        25 => "illegal-byte-sequence",
        26 => "in-progress",
        27 => "interrupted",
        28 => "invalid",
        31 => "is-directory",
        32 => "loop",
        34 => "too-many-links",
        35 => "message-size",
        37 => "name-too-long",
        43 => "no-device",
        44 => "no-entry",
        46 => "no-lock",
        48 => "insufficient-memory",
        51 => "insufficient-space",
        54 => "not-directory",
        55 => "not-empty",
        56 => "not-recoverable",
        58 => "unsupported",
        59 => "no-tty",
        60 => "no-such-device",
        61 => "overflow",
        63 | 76 => "not-permitted",
        64 => "pipe",
        69 => "read-only",
        70 => "invalid-seek",
        74 => "text-file-busy",
        75 => "cross-device",
        _ => "io",
    }
}

fn fs_err(ty: &FuncType, e: Errno) -> R2 {
    let (_, err) = result_types(ty);
    Ok(Some(Val::Result(Err(Some(Box::new(enum_case(err, error_code_name(e))))))))
}

/// Calls preview1 function `name` with `args` on a scratch memory.
fn p1(ctx: &mut WasiCtx, name: &str, args: &[Value], scratch: &mut [u8]) -> Result<(), Errno> {
    let imp = FUNCS.iter().find(|f| f.0 == name).map(|f| f.2).ok_or(Errno::NOSYS)?;
    let mut call = Call { ctx, mem: Mem(scratch), version: Version::Preview1 };
    match imp(&mut call, &Args(args)) {
        Ok(()) => Ok(()),
        Err(Fail::Errno(e)) => Err(e),
        Err(Fail::Trap(_)) => Err(Errno::IO),
    }
}

fn i(x: u32) -> Value {
    Value::I32(x as i32)
}

/// A scratch memory with `path` at offset 256 (outputs go below it).
fn with_path(path: &str) -> Result<Vec<u8>, Errno> {
    if path.len() > 1 << 16 {
        return Err(Errno::NAMETOOLONG);
    }
    let mut m = vec![0u8; 256 + path.len()];
    m[256..].copy_from_slice(path.as_bytes());
    Ok(m)
}

const PATH_AT: u32 = 256;

fn filestat(m: &[u8], at: usize) -> (u8, u64, u64, [u64; 3], u64, u64) {
    let u = |o: usize| u64::from_le_bytes(m[at + o..at + o + 8].try_into().unwrap_or([0; 8]));
    (m[at + 16], u(24), u(32), [u(40), u(48), u(56)], u(0), u(8))
}

fn descriptor_type(ft: u8) -> &'static str {
    match ft {
        1 => "block-device",
        2 => "character-device",
        3 => "directory",
        4 => "regular-file",
        5 | 6 => "socket",
        7 => "symbolic-link",
        _ => "unknown",
    }
}

fn datetime(ns: u64) -> Val {
    Val::Option(Some(Box::new(Val::Record(vec![Val::U64(ns / 1_000_000_000), Val::U32((ns % 1_000_000_000) as u32)]))))
}

/// A `descriptor-stat` record (field order as WIT declares it).
fn stat_val(ok_ty: Option<&Type>, m: &[u8]) -> Val {
    let (ft, nlink, size, times, _, _) = filestat(m, 0);
    let type_ty = match ok_ty {
        Some(Type::Record(r)) => r.fields.first().map(|(_, t)| t),
        _ => None,
    };
    Val::Record(vec![
        enum_case(type_ty, descriptor_type(ft)),
        Val::U64(nlink),
        Val::U64(size),
        datetime(times[0]),
        datetime(times[1]),
        datetime(times[2]),
    ])
}

fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

fn random_bytes(n: u64) -> Result<Vec<u8>, Trap> {
    if n > MAX_CHUNK {
        return Err(Trap::host(format!("get-random-bytes: {n} bytes is more than the {MAX_CHUNK} allowed at once")));
    }
    let mut b = vec![0u8; n as usize];
    let mut filled = 0;
    while filled < b.len() {
        // SAFETY: writes at most the given length into the buffer.
        let r = unsafe { libc::getrandom(b[filled..].as_mut_ptr().cast(), b.len() - filled, 0) };
        if r <= 0 {
            return Err(Trap::host("get-random-bytes: the host's random source failed"));
        }
        filled += r as usize;
    }
    Ok(b)
}

/// Adds WASI 0.2 to `linker`, working on `ctx` (found under the
/// interfaces' names without version, so any 0.2.x import links).
pub fn add_to_linker(linker: &mut Linker, ctx: WasiCtx) {
    let st: Shared = Arc::new(Mutex::new(State {
        ctx,
        streams: Slab(Vec::new()),
        listings: Slab(Vec::new()),
        errors: Slab(Vec::new()),
        pollables: Slab(Vec::new()),
    }));
    // Every call and its result on stderr (debugging a guest).
    let trace = std::env::var_os("WASMINT_TRACE_WASI").is_some();
    let drop_in = |f: fn(&mut State, u32)| {
        let st = st.clone();
        Arc::new(move |rep: u32| f(&mut lock(&st), rep)) as crate::component::types::HostDrop
    };
    let res = Resources {
        input: ResourceType::host_with_drop("input-stream", drop_in(|s, r| drop(s.streams.remove(r)))),
        output: ResourceType::host_with_drop("output-stream", drop_in(|s, r| drop(s.streams.remove(r)))),
        error: ResourceType::host_with_drop("error", drop_in(|s, r| drop(s.errors.remove(r)))),
        pollable: ResourceType::host_with_drop("pollable", drop_in(|s, r| {
            s.pollables.remove(r);
        })),
        descriptor: ResourceType::host_with_drop(
            "descriptor",
            drop_in(|s, r| {
                // A preopen stays: `get-directories` hands out a new
                // handle to it at each call.
                let preopen = matches!(s.ctx.get(r).map(|e| &e.kind), Ok(Kind::Dir { preopen: Some(_), .. }));
                if !preopen {
                    let _ = p1(&mut s.ctx, "fd_close", &[i(r)], &mut []);
                }
            }),
        ),
        listing: ResourceType::host_with_drop("directory-entry-stream", drop_in(|s, r| drop(s.listings.remove(r)))),
    };
    // Every function, registered at the end (with the trace around it).
    let mut funcs: Vec<(&str, &str, Impl)> = Vec::new();
    let mut def = |iface: &'static str, name: &'static str, f: Impl| funcs.push((iface, name, f));

    // ---- wasi:cli ----
    const ENV: &str = "wasi:cli/environment";
    def(ENV, "get-environment", Box::new(|st, _, _, _, _| {
        let s = lock(st);
        let vars = s.ctx.env.iter().map(|kv| {
            let kv = String::from_utf8_lossy(kv);
            let (k, v) = kv.split_once('=').unwrap_or((&kv, ""));
            Val::Tuple(vec![Val::String(k.to_owned()), Val::String(v.to_owned())])
        });
        Ok(Some(Val::List(vars.collect())))
    }));
    def(ENV, "get-arguments", Box::new(|st, _, _, _, _| {
        let s = lock(st);
        Ok(Some(Val::List(s.ctx.args.iter().map(|a| Val::String(String::from_utf8_lossy(a).into_owned())).collect())))
    }));
    def(ENV, "initial-cwd", Box::new(|_, _, _, _, _| Ok(Some(Val::Option(None)))));
    const EXIT: &str = "wasi:cli/exit";
    def(EXIT, "exit", Box::new(|_, _, _, _, args| {
        let code = if matches!(args.first(), Some(Val::Result(Ok(_)))) { 0 } else { 1 };
        Err(super::exit_trap(code))
    }));
    def(EXIT, "exit-with-code", Box::new(|_, _, _, _, args| {
        let code = if let Some(Val::U8(c)) = args.first() { u32::from(*c) } else { 1 };
        Err(super::exit_trap(code))
    }));
    for (iface, name, stream, out) in [
        ("wasi:cli/stdin", "get-stdin", 0, false),
        ("wasi:cli/stdout", "get-stdout", 1, true),
        ("wasi:cli/stderr", "get-stderr", 2, true),
    ] {
        def(iface, name, Box::new(move |st, res, _, _, _| {
            let s = [Stream::Stdin, Stream::Stdout, Stream::Stderr].into_iter().nth(stream).unwrap_or(Stream::Stdin);
            let r = lock(st).streams.insert(s);
            Ok(Some(own(if out { &res.output } else { &res.input }, r)))
        }));
    }
    for (iface, name) in [
        ("wasi:cli/terminal-stdin", "get-terminal-stdin"),
        ("wasi:cli/terminal-stdout", "get-terminal-stdout"),
        ("wasi:cli/terminal-stderr", "get-terminal-stderr"),
    ] {
        def(iface, name, Box::new(|_, _, _, _, _| Ok(Some(Val::Option(None)))));
    }

    // ---- wasi:io ----
    const ERROR: &str = "wasi:io/error";
    def(ERROR, "[method]error.to-debug-string", Box::new(|st, _, _, _, args| {
        Ok(Some(Val::String(lock(st).errors.get(rep(arg(args, 0))).cloned().unwrap_or_default())))
    }));
    const POLL: &str = "wasi:io/poll";
    def(POLL, "[method]pollable.ready", Box::new(|st, _, _, _, args| {
        let d = lock(st).pollables.get(rep(arg(args, 0))).copied().unwrap_or(0);
        Ok(Some(Val::Bool(monotonic_ns() >= d)))
    }));
    def(POLL, "[method]pollable.block", Box::new(|st, _, _, _, args| {
        let d = lock(st).pollables.get(rep(arg(args, 0))).copied().unwrap_or(0);
        sleep_until(d);
        Ok(None)
    }));
    def(POLL, "poll", Box::new(|st, _, _, _, args| {
        let Some(Val::List(ps)) = args.first() else { return Ok(Some(Val::List(vec![]))) };
        if ps.is_empty() {
            return Err(Trap::host("wasi:io/poll.poll: an empty list would block forever"));
        }
        let ds: Vec<u64> = {
            let mut s = lock(st);
            ps.iter().map(|p| s.pollables.get(rep(p)).copied().unwrap_or(0)).collect()
        };
        // Ready ones now; else wait for the earliest.
        let earliest = ds.iter().copied().min().unwrap_or(0);
        sleep_until(earliest);
        let now = monotonic_ns();
        Ok(Some(Val::List(ds.iter().enumerate().filter(|(_, d)| **d <= now).map(|(k, _)| Val::U32(k as u32)).collect())))
    }));
    const STREAMS: &str = "wasi:io/streams";
    for name in ["[method]output-stream.write", "[method]output-stream.blocking-write-and-flush"] {
        def(STREAMS, name, Box::new(|st, res, _, _, args| write_stream(st, res, rep(arg(args, 0)), bytes_of(arg(args, 1)))));
    }
    def(STREAMS, "[method]output-stream.check-write", Box::new(|_, _, _, _, _| ok(Val::U64(1 << 20))));
    for name in ["[method]output-stream.flush", "[method]output-stream.blocking-flush"] {
        def(STREAMS, name, Box::new(|_, _, _, _, _| ok0()));
    }
    def(STREAMS, "[method]output-stream.write-zeroes", Box::new(|st, res, _, _, args| {
        let n = u64_of(arg(args, 1)).min(MAX_CHUNK);
        write_stream(st, res, rep(arg(args, 0)), &vec![0; n as usize])
    }));
    def(STREAMS, "[method]output-stream.blocking-write-zeroes-and-flush", Box::new(|st, res, _, _, args| {
        let n = u64_of(arg(args, 1)).min(MAX_CHUNK);
        write_stream(st, res, rep(arg(args, 0)), &vec![0; n as usize])
    }));
    for name in ["[method]output-stream.subscribe", "[method]input-stream.subscribe"] {
        def(STREAMS, name, Box::new(|st, res, _, _, _| Ok(Some(own(&res.pollable, lock(st).pollables.insert(0))))));
    }
    for name in ["[method]input-stream.read", "[method]input-stream.blocking-read"] {
        def(STREAMS, name, Box::new(|st, res, _, _, args| read_stream(st, res, rep(arg(args, 0)), u64_of(arg(args, 1))).map(|r| r.map(|b| Val::Bytes(b)))
            .and_then(|r| match r { Some(v) => ok(v), None => closed() })));
    }
    for name in ["[method]input-stream.skip", "[method]input-stream.blocking-skip"] {
        def(STREAMS, name, Box::new(|st, res, _, _, args| match read_stream(st, res, rep(arg(args, 0)), u64_of(arg(args, 1)))? {
            Some(b) => ok(Val::U64(b.len() as u64)),
            None => closed(),
        }));
    }

    // ---- wasi:clocks, wasi:random ----
    const WALL: &str = "wasi:clocks/wall-clock";
    def(WALL, "now", Box::new(|_, _, _, _, _| {
        let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Ok(Some(Val::Record(vec![Val::U64(d.as_secs()), Val::U32(d.subsec_nanos())])))
    }));
    def(WALL, "resolution", Box::new(|_, _, _, _, _| Ok(Some(Val::Record(vec![Val::U64(0), Val::U32(1)])))));
    const MONO: &str = "wasi:clocks/monotonic-clock";
    def(MONO, "now", Box::new(|_, _, _, _, _| Ok(Some(Val::U64(monotonic_ns())))));
    def(MONO, "resolution", Box::new(|_, _, _, _, _| Ok(Some(Val::U64(1)))));
    def(MONO, "subscribe-instant", Box::new(|st, res, _, _, args| Ok(Some(own(&res.pollable, lock(st).pollables.insert(u64_of(arg(args, 0))))))));
    def(MONO, "subscribe-duration", Box::new(|st, res, _, _, args| {
        let d = monotonic_ns().saturating_add(u64_of(arg(args, 0)));
        Ok(Some(own(&res.pollable, lock(st).pollables.insert(d))))
    }));
    for iface in ["wasi:random/random", "wasi:random/insecure"] {
        let (bytes, u64n) = if iface.ends_with("/random") { ("get-random-bytes", "get-random-u64") } else { ("get-insecure-random-bytes", "get-insecure-random-u64") };
        def(iface, bytes, Box::new(|_, _, _, _, args| Ok(Some(Val::Bytes(random_bytes(u64_of(arg(args, 0)))?)))));
        def(iface, u64n, Box::new(|_, _, _, _, _| {
            let b = random_bytes(8)?;
            Ok(Some(Val::U64(u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))))
        }));
    }
    def("wasi:random/insecure-seed", "insecure-seed", Box::new(|_, _, _, _, _| {
        let b = random_bytes(16)?;
        let (a, c) = b.split_at(8);
        Ok(Some(Val::Tuple(vec![Val::U64(u64::from_le_bytes(a.try_into().unwrap_or([0; 8]))), Val::U64(u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))])))
    }));

    // ---- wasi:filesystem ----
    def("wasi:filesystem/preopens", "get-directories", Box::new(|st, res, _, _, _| {
        let s = lock(st);
        let dirs = s.ctx.fds.iter().enumerate().filter_map(|(fd, e)| match e.as_ref().map(|e| &e.kind) {
            Some(Kind::Dir { preopen: Some(name), .. }) => Some(Val::Tuple(vec![own(&res.descriptor, fd as u32), Val::String(name.clone())])),
            _ => None,
        });
        Ok(Some(Val::List(dirs.collect())))
    }));
    const FS: &str = "wasi:filesystem/types";
    def(FS, "filesystem-error-code", Box::new(|_, _, _, _, _| Ok(Some(Val::Option(None)))));
    def(FS, "[method]descriptor.read-via-stream", Box::new(|st, res, _, _, args| {
        let r = lock(st).streams.insert(Stream::Read { fd: rep(arg(args, 0)), offset: u64_of(arg(args, 1)) });
        ok(own(&res.input, r))
    }));
    def(FS, "[method]descriptor.write-via-stream", Box::new(|st, res, _, _, args| {
        let r = lock(st).streams.insert(Stream::Write { fd: rep(arg(args, 0)), offset: u64_of(arg(args, 1)) });
        ok(own(&res.output, r))
    }));
    def(FS, "[method]descriptor.append-via-stream", Box::new(|st, res, _, _, args| {
        let r = lock(st).streams.insert(Stream::Append { fd: rep(arg(args, 0)) });
        ok(own(&res.output, r))
    }));
    def(FS, "[method]descriptor.get-type", Box::new(|st, _, _, ty, args| {
        let mut m = vec![0u8; 64];
        match p1(&mut lock(st).ctx, "fd_filestat_get", &[i(rep(arg(args, 0))), i(0)], &mut m) {
            Ok(()) => ok(enum_case(result_types(ty).0, descriptor_type(m[16]))),
            Err(e) => fs_err(ty, e),
        }
    }));
    def(FS, "[method]descriptor.get-flags", Box::new(|st, _, _, ty, args| {
        let mut s = lock(st);
        let Ok(e) = s.ctx.get(rep(arg(args, 0))) else { return fs_err(ty, Errno::BADF) };
        let mut names = Vec::new();
        if e.rights_base & (R::FD_READ | R::FD_READDIR) != 0 {
            names.push("read");
        }
        if e.rights_base & R::FD_WRITE != 0 {
            names.push("write");
        }
        if matches!(e.kind, Kind::Dir { .. }) {
            names.push("mutate-directory");
        }
        let set = match result_types(ty).0 {
            Some(Type::Flags(f)) => names.iter().filter_map(|n| f.names.iter().position(|x| x == n)).map(|k| k as u32).collect(),
            _ => Vec::new(),
        };
        ok(Val::Flags(set))
    }));
    def(FS, "[method]descriptor.stat", Box::new(|st, _, _, ty, args| {
        let mut m = vec![0u8; 64];
        match p1(&mut lock(st).ctx, "fd_filestat_get", &[i(rep(arg(args, 0))), i(0)], &mut m) {
            Ok(()) => ok(stat_val(result_types(ty).0, &m)),
            Err(e) => fs_err(ty, e),
        }
    }));
    def(FS, "[method]descriptor.stat-at", Box::new(|st, _, _, ty, args| {
        let path = str_of(arg(args, 2));
        let follow = !flag_names(arg(args, 1), param(ty, 1)).is_empty();
        let r = with_path(path).and_then(|mut m| {
            p1(&mut lock(st).ctx, "path_filestat_get", &[i(rep(arg(args, 0))), i(u32::from(follow)), i(PATH_AT), i(path.len() as u32), i(0)], &mut m).map(|()| m)
        });
        match r {
            Ok(m) => ok(stat_val(result_types(ty).0, &m)),
            Err(e) => fs_err(ty, e),
        }
    }));
    def(FS, "[method]descriptor.metadata-hash", Box::new(|st, _, _, ty, args| {
        let mut m = vec![0u8; 64];
        match p1(&mut lock(st).ctx, "fd_filestat_get", &[i(rep(arg(args, 0))), i(0)], &mut m) {
            Ok(()) => {
                let (_, _, _, _, dev, ino) = filestat(&m, 0);
                ok(Val::Record(vec![Val::U64(ino), Val::U64(dev)]))
            }
            Err(e) => fs_err(ty, e),
        }
    }));
    def(FS, "[method]descriptor.metadata-hash-at", Box::new(|st, _, _, ty, args| {
        let path = str_of(arg(args, 2));
        let follow = !flag_names(arg(args, 1), param(ty, 1)).is_empty();
        let r = with_path(path).and_then(|mut m| {
            p1(&mut lock(st).ctx, "path_filestat_get", &[i(rep(arg(args, 0))), i(u32::from(follow)), i(PATH_AT), i(path.len() as u32), i(0)], &mut m).map(|()| m)
        });
        match r {
            Ok(m) => {
                let (_, _, _, _, dev, ino) = filestat(&m, 0);
                ok(Val::Record(vec![Val::U64(ino), Val::U64(dev)]))
            }
            Err(e) => fs_err(ty, e),
        }
    }));
    def(FS, "[method]descriptor.open-at", Box::new(|st, res, _, ty, args| {
        let fd = rep(arg(args, 0));
        let follow = !flag_names(arg(args, 1), param(ty, 1)).is_empty();
        let path = str_of(arg(args, 2));
        let oflags = flag_names(arg(args, 3), param(ty, 3));
        let dflags = flag_names(arg(args, 4), param(ty, 4));
        let bit = |names: &[String], n: &str, b: u32| if names.iter().any(|x| x == n) { b } else { 0 };
        let o = bit(&oflags, "create", 1) | bit(&oflags, "directory", 2) | bit(&oflags, "exclusive", 4) | bit(&oflags, "truncate", 8);
        let mut s = lock(st);
        let inheriting = match s.ctx.get(fd) {
            Ok(e) => e.rights_inheriting,
            Err(e) => return fs_err(ty, e),
        };
        let write_rights = R::FD_WRITE | R::FD_ALLOCATE | R::FD_FILESTAT_SET_SIZE;
        let mut base = inheriting;
        if !dflags.iter().any(|f| f == "write") {
            base &= !write_rights;
        }
        if !dflags.iter().any(|f| f == "read") && dflags.iter().any(|f| f == "write") {
            base &= !(R::FD_READ | R::FD_READDIR);
        }
        let r = with_path(path).and_then(|mut m| {
            let args = [i(fd), i(u32::from(follow)), i(PATH_AT), i(path.len() as u32), i(o), Value::I64(base as i64), Value::I64(inheriting as i64), i(0), i(0)];
            p1(&mut s.ctx, "path_open", &args, &mut m).map(|()| u32::from_le_bytes([m[0], m[1], m[2], m[3]]))
        });
        match r {
            Ok(new) => ok(own(&res.descriptor, new)),
            Err(e) => fs_err(ty, e),
        }
    }));
    def(FS, "[method]descriptor.read-directory", Box::new(|st, res, _, ty, args| {
        let mut s = lock(st);
        let dir = match s.ctx.dir(rep(arg(args, 0)), R::FD_READDIR) {
            Ok(d) => d,
            Err(e) => return fs_err(ty, e),
        };
        match super::fd::list_dir(dir) {
            Ok(entries) => {
                let list: Vec<(u8, String)> = entries
                    .into_iter()
                    .map(|(_, ft, name)| (ft, String::from_utf8_lossy(&name).into_owned()))
                    .filter(|(_, n)| n != "." && n != "..")
                    .collect();
                let r = s.listings.insert(list.into_iter());
                ok(own(&res.listing, r))
            }
            Err(e) => fs_err(ty, e),
        }
    }));
    def(FS, "[method]directory-entry-stream.read-directory-entry", Box::new(|st, _, _, ty, args| {
        let next = lock(st).listings.get(rep(arg(args, 0))).and_then(Iterator::next);
        let entry_ty = match result_types(ty).0 {
            Some(Type::Option(t)) => match &**t {
                Type::Record(r) => r.fields.first().map(|(_, t)| t.clone()),
                _ => None,
            },
            _ => None,
        };
        ok(Val::Option(next.map(|(ft, name)| Box::new(Val::Record(vec![enum_case(entry_ty.as_ref(), descriptor_type(ft)), Val::String(name)])))))
    }));
    for (name, call) in [
        ("[method]descriptor.create-directory-at", "path_create_directory"),
        ("[method]descriptor.remove-directory-at", "path_remove_directory"),
        ("[method]descriptor.unlink-file-at", "path_unlink_file"),
    ] {
        def(FS, name, Box::new(move |st, _, _, ty, args| {
            let path = str_of(arg(args, 1));
            let r = with_path(path).and_then(|mut m| p1(&mut lock(st).ctx, call, &[i(rep(arg(args, 0))), i(PATH_AT), i(path.len() as u32)], &mut m));
            match r {
                Ok(()) => ok0(),
                Err(e) => fs_err(ty, e),
            }
        }));
    }
    def(FS, "[method]descriptor.rename-at", Box::new(|st, _, _, ty, args| {
        let (old, new) = (str_of(arg(args, 1)), str_of(arg(args, 3)));
        let mut m = vec![0u8; 256 + old.len() + new.len()];
        m[256..256 + old.len()].copy_from_slice(old.as_bytes());
        m[256 + old.len()..].copy_from_slice(new.as_bytes());
        let a = [i(rep(arg(args, 0))), i(PATH_AT), i(old.len() as u32), i(rep(arg(args, 2))), i(PATH_AT + old.len() as u32), i(new.len() as u32)];
        match p1(&mut lock(st).ctx, "path_rename", &a, &mut m) {
            Ok(()) => ok0(),
            Err(e) => fs_err(ty, e),
        }
    }));
    def(FS, "[method]descriptor.readlink-at", Box::new(|st, _, _, ty, args| {
        let path = str_of(arg(args, 1));
        let r = with_path(path).and_then(|mut m| {
            m.resize(m.len() + 4096, 0);
            let buf = 256 + path.len() as u32;
            p1(&mut lock(st).ctx, "path_readlink", &[i(rep(arg(args, 0))), i(PATH_AT), i(path.len() as u32), i(buf), i(4096), i(0)], &mut m)?;
            let n = u32::from_le_bytes([m[0], m[1], m[2], m[3]]) as usize;
            Ok(String::from_utf8_lossy(&m[buf as usize..buf as usize + n]).into_owned())
        });
        match r {
            Ok(s) => ok(Val::String(s)),
            Err(e) => fs_err(ty, e),
        }
    }));
    def(FS, "[method]descriptor.read", Box::new(|st, _, _, ty, args| {
        let (fd, len, off) = (rep(arg(args, 0)), u64_of(arg(args, 1)).min(MAX_CHUNK), u64_of(arg(args, 2)));
        let mut s = lock(st);
        match s.ctx.need(fd, R::FD_READ) {
            Ok(e) => match &e.kind {
                Kind::File(f) => {
                    let mut buf = vec![0u8; len as usize];
                    match f.read_at(&mut buf, off) {
                        Ok(n) => {
                            buf.truncate(n);
                            let eof = n == 0 && len > 0;
                            ok(Val::Tuple(vec![Val::Bytes(buf), Val::Bool(eof)]))
                        }
                        Err(e) => fs_err(ty, super::errno::from_host(e.raw_os_error().unwrap_or(libc::EIO))),
                    }
                }
                _ => fs_err(ty, Errno::BADF),
            },
            Err(e) => fs_err(ty, e),
        }
    }));
    def(FS, "[method]descriptor.write", Box::new(|st, _, _, ty, args| {
        let (fd, off) = (rep(arg(args, 0)), u64_of(arg(args, 2)));
        let mut s = lock(st);
        match s.ctx.need(fd, R::FD_WRITE) {
            Ok(e) => match &e.kind {
                Kind::File(f) => match f.write_at(bytes_of(arg(args, 1)), off) {
                    Ok(n) => ok(Val::U64(n as u64)),
                    Err(e) => fs_err(ty, super::errno::from_host(e.raw_os_error().unwrap_or(libc::EIO))),
                },
                _ => fs_err(ty, Errno::BADF),
            },
            Err(e) => fs_err(ty, e),
        }
    }));
    def(FS, "[method]descriptor.set-size", Box::new(|st, _, _, ty, args| {
        match p1(&mut lock(st).ctx, "fd_filestat_set_size", &[i(rep(arg(args, 0))), Value::I64(u64_of(arg(args, 1)) as i64)], &mut []) {
            Ok(()) => ok0(),
            Err(e) => fs_err(ty, e),
        }
    }));
    for name in ["[method]descriptor.sync", "[method]descriptor.sync-data"] {
        def(FS, name, Box::new(|st, _, _, ty, args| match p1(&mut lock(st).ctx, "fd_sync", &[i(rep(arg(args, 0)))], &mut []) {
            Ok(()) => ok0(),
            Err(e) => fs_err(ty, e),
        }));
    }
    def(FS, "[method]descriptor.is-same-object", Box::new(|st, _, _, _, args| {
        let mut s = lock(st);
        let mut key = |fd: u32| {
            let mut m = vec![0u8; 64];
            p1(&mut s.ctx, "fd_filestat_get", &[i(fd), i(0)], &mut m).ok().map(|()| {
                let (_, _, _, _, dev, ino) = filestat(&m, 0);
                (dev, ino)
            })
        };
        let (a, b) = (key(rep(arg(args, 0))), key(rep(arg(args, 1))));
        Ok(Some(Val::Bool(a.is_some() && a == b)))
    }));

    linker_resources(linker, &res);
    for (iface, name, f) in funcs {
        let (st, res) = (st.clone(), res.clone());
        let n = name.to_owned();
        linker.func(Some(iface), name, Arc::new(move |store, ty, args| {
            let r = f(&st, &res, store, ty, args);
            if trace {
                eprintln!("wasi: {n} {args:?} -> {r:?}");
            }
            r
        }));
    }
}

/// A WASI 0.2 function: the shared state, the resource types, the store,
/// the declared type and the arguments.
type Impl = Box<dyn Fn(&Shared, &Resources, &mut Store, &FuncType, &[Val]) -> R2 + Send + Sync>;

fn linker_resources(linker: &mut Linker, res: &Resources) {
    linker.resource(Some("wasi:cli/terminal-input"), "terminal-input", ResourceType::host("terminal-input"));
    linker.resource(Some("wasi:cli/terminal-output"), "terminal-output", ResourceType::host("terminal-output"));
    linker.resource(Some("wasi:io/error"), "error", res.error.clone());
    linker.resource(Some("wasi:io/poll"), "pollable", res.pollable.clone());
    linker.resource(Some("wasi:io/streams"), "input-stream", res.input.clone());
    linker.resource(Some("wasi:io/streams"), "output-stream", res.output.clone());
    linker.resource(Some("wasi:filesystem/types"), "descriptor", res.descriptor.clone());
    linker.resource(Some("wasi:filesystem/types"), "directory-entry-stream", res.listing.clone());
}

fn sleep_until(deadline: u64) {
    let now = monotonic_ns();
    if deadline > now {
        std::thread::sleep(std::time::Duration::from_nanos(deadline - now));
    }
}

/// `stream-error.closed`.
fn closed() -> R2 {
    Ok(Some(Val::Result(Err(Some(Box::new(Val::Variant(1, None)))))))
}

/// `stream-error.last-operation-failed(error)`.
fn failed(st: &Shared, res: &Resources, msg: String) -> R2 {
    let r = lock(st).errors.insert(msg);
    Ok(Some(Val::Result(Err(Some(Box::new(Val::Variant(0, Some(Box::new(own(&res.error, r))))))))))
}

fn write_stream(st: &Shared, res: &Resources, r: u32, bytes: &[u8]) -> R2 {
    let mut s = lock(st);
    let State { ctx, streams, .. } = &mut *s;
    let result = match streams.get(r) {
        Some(Stream::Stdout) => ctx.write_out(false, bytes).map(drop),
        Some(Stream::Stderr) => ctx.write_out(true, bytes).map(drop),
        Some(Stream::Write { fd, offset }) => match ctx.get(*fd).map(|e| &e.kind) {
            Ok(Kind::File(f)) => f.write_all_at(bytes, *offset).map(|()| *offset += bytes.len() as u64),
            _ => Err(std::io::Error::from_raw_os_error(libc::EBADF)),
        },
        Some(Stream::Append { fd }) => match ctx.get(*fd).map(|e| &mut e.kind) {
            Ok(Kind::File(f)) => {
                use std::io::{Seek, Write};
                f.seek(std::io::SeekFrom::End(0)).and_then(|_| f.write_all(bytes))
            }
            _ => Err(std::io::Error::from_raw_os_error(libc::EBADF)),
        },
        Some(Stream::Stdin | Stream::Read { .. }) | None => return closed(),
    };
    drop(s);
    match result {
        Ok(()) => ok0(),
        Err(e) => failed(st, res, e.to_string()),
    }
}

/// Up to `len` bytes of a stream; `None` at its end.
fn read_stream(st: &Shared, _res: &Resources, r: u32, len: u64) -> Result<Option<Vec<u8>>, Trap> {
    let mut s = lock(st);
    let State { ctx, streams, .. } = &mut *s;
    let mut buf = vec![0u8; len.min(MAX_CHUNK) as usize];
    let n = match streams.get(r) {
        Some(Stream::Stdin) => ctx.read_in(&mut buf),
        Some(Stream::Read { fd, offset }) => match ctx.get(*fd).map(|e| &e.kind) {
            Ok(Kind::File(f)) => f.read_at(&mut buf, *offset).map(|n| {
                *offset += n as u64;
                n
            }),
            _ => Err(std::io::Error::from_raw_os_error(libc::EBADF)),
        },
        _ => return Ok(None),
    };
    match n {
        Ok(0) if len > 0 => Ok(None),
        Ok(n) => {
            buf.truncate(n);
            Ok(Some(buf))
        }
        Err(_) => Ok(None),
    }
}

/// Runs a command component (`wasi:cli/run`): the exit status, as a
/// preview1 program's.
///
/// # Errors
/// A link error, or a trap that is not an exit.
pub fn run_command(store: &mut Store, component: &crate::component::Component, ctx: WasiCtx) -> crate::Result<u32> {
    let mut linker = Linker::new();
    add_to_linker(&mut linker, ctx);
    let inst = linker.instantiate(store, component)?;
    let run = ["wasi:cli/run@0.2.0", "wasi:cli/run"]
        .iter()
        .find_map(|n| inst.func(&format!("{n}#run")))
        .or_else(|| {
            inst.exports.exports.iter().find(|(n, _)| n.starts_with("wasi:cli/run@")).and_then(|(n, _)| inst.func(&format!("{n}#run")))
        })
        .ok_or_else(|| crate::Error::Link("the component exports no `wasi:cli/run` (it is not a command)".into()))?;
    match crate::component::call(store, &run, &[]) {
        Ok(Some(Val::Result(Ok(_)))) => Ok(0),
        Ok(_) => Ok(1),
        Err(t) => match super::exit_code(&t) {
            Some(c) => Ok(c),
            None => Err(crate::Error::Trap(t)),
        },
    }
}

/// A WASI 0.2 linker for `ctx` (for embedders adding their own items).
pub fn linker(ctx: WasiCtx) -> Linker {
    let mut l = Linker::new();
    add_to_linker(&mut l, ctx);
    l
}
