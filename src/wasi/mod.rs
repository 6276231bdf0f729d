//! WASI preview1 (`wasi_snapshot_preview1`, and `wasi_unstable` where it
//! differs): host functions that let a guest use files, clocks, randomness
//! and its standard streams, confined to the directories it was given.
//!
//! * [`WasiCtxBuilder`] builds the program's state ([`WasiCtx`]): args,
//!   environment (nothing of the host's unless given), preopened
//!   directories, and where stdin/stdout/stderr go.
//! * [`imports`] resolves a module's WASI imports to host functions of a
//!   store, [`run`] instantiates and runs `_start`.
//! * Guest memory is the calling instance's export `memory`; every pointer
//!   is bounds-checked ([`mem`]): a bad one gives `EFAULT` (21).
//! * `proc_exit(code)` ends the run with a host trap ([`crate::TrapKind::Host`]) whose payload is
//!   [`Exit`]; [`exit_code`] finds it again.
//! * The sandbox is described in `path.rs`: [`resolve`] walks a guest path
//!   inside one directory.
//!
//! ```no_run
//! use wasmint::{wasi, Module, Store};
//! let module = Module::new(&std::fs::read("prog.wasm").unwrap()).unwrap();
//! let ctx = wasi::WasiCtxBuilder::new().arg("prog").preopen_dir("data", "/data").build().unwrap();
//! let mut store = Store::new();
//! let status = wasi::run(&mut store, &module, ctx, None).unwrap();
//! ```

pub mod ctx;
pub mod errno;
mod fd;
pub mod mem;
pub mod p2;
mod path;
mod poll;

use std::sync::{Arc, Mutex};

pub use ctx::{Input, Output, WasiCtx, WasiCtxBuilder};
pub use errno::Errno;
pub use path::{resolve, Resolved, MAX_SYMLINKS};

use crate::error::{Error, Result, Trap};
use crate::{Caller, Extern, ExternType, Func, FuncType, HostFunc, Instance, Module, Store, ValType, Value};
use mem::Mem;

/// A WASI version (import module name).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    /// `wasi_snapshot_preview1`.
    Preview1,
    /// `wasi_unstable` (snapshot 0).
    Unstable,
}

impl Version {
    /// The import module name.
    pub fn module_name(self) -> &'static str {
        match self {
            Version::Preview1 => "wasi_snapshot_preview1",
            Version::Unstable => "wasi_unstable",
        }
    }
    /// The version whose import module is `name`.
    pub fn from_module_name(name: &str) -> Option<Version> {
        match name {
            "wasi_snapshot_preview1" => Some(Version::Preview1),
            "wasi_unstable" => Some(Version::Unstable),
            _ => None,
        }
    }
}

/// The WASI version a module imports: `None` if it imports no WASI
/// module. With `strict`, also `None` if it imports anything else, or
/// both versions.
pub fn get_version(module: &Module, strict: bool) -> Option<Version> {
    let mut found = None;
    for (m, _, _) in module.imports() {
        match Version::from_module_name(&m) {
            Some(v) if found.is_none() || found == Some(v) => found = Some(v),
            Some(_) if strict => return None,
            Some(_) => {}
            None if strict => return None,
            None => {}
        }
    }
    found
}

/// The payload of the trap that `proc_exit` raises.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Exit(pub u32);

pub(crate) fn exit_trap(code: u32) -> Trap {
    Trap::host_with(format!("exited with status {code}"), Box::new(Exit(code)))
}

/// The exit code if `trap` is a `proc_exit`.
pub fn exit_code(trap: &Trap) -> Option<u32> {
    trap.payload()?.downcast_ref::<Exit>().map(|e| e.0)
}

/// How a WASI function fails: with an errno for the guest, or a trap.
pub(crate) enum Fail {
    Errno(Errno),
    Trap(Trap),
}

impl From<Errno> for Fail {
    fn from(e: Errno) -> Fail {
        Fail::Errno(e)
    }
}

pub(crate) type Ret = std::result::Result<(), Fail>;

/// A WASI function's view of the world for one call.
pub(crate) struct Call<'a> {
    pub(crate) ctx: &'a mut WasiCtx,
    pub(crate) mem: Mem<'a>,
    pub(crate) version: Version,
}

/// The parameters of a call (types already checked by the runtime).
pub(crate) struct Args<'a>(&'a [Value]);

impl Args<'_> {
    pub(crate) fn u32(&self, i: usize) -> u32 {
        match self.0.get(i) {
            Some(Value::I32(v)) => *v as u32,
            Some(Value::I64(v)) => *v as u32,
            _ => 0,
        }
    }
    pub(crate) fn u64(&self, i: usize) -> u64 {
        match self.0.get(i) {
            Some(Value::I64(v)) => *v as u64,
            Some(Value::I32(v)) => *v as u32 as u64,
            _ => 0,
        }
    }
}

type Impl = fn(&mut Call<'_>, &Args<'_>) -> Ret;

const I: ValType = ValType::I32;
const L: ValType = ValType::I64;

/// Every function: name, parameter types, implementation. All return an
/// i32 errno except `proc_exit`, which returns nothing.
#[rustfmt::skip]
const FUNCS: &[(&str, &[ValType], Impl)] = &[
    ("args_get", &[I, I], poll::args_get),
    ("args_sizes_get", &[I, I], poll::args_sizes_get),
    ("environ_get", &[I, I], poll::environ_get),
    ("environ_sizes_get", &[I, I], poll::environ_sizes_get),
    ("clock_res_get", &[I, I], poll::clock_res_get),
    ("clock_time_get", &[I, L, I], poll::clock_time_get),
    ("fd_advise", &[I, L, L, I], fd::fd_advise),
    ("fd_allocate", &[I, L, L], fd::fd_allocate),
    ("fd_close", &[I], fd::fd_close),
    ("fd_datasync", &[I], fd::fd_datasync),
    ("fd_fdstat_get", &[I, I], fd::fd_fdstat_get),
    ("fd_fdstat_set_flags", &[I, I], fd::fd_fdstat_set_flags),
    ("fd_fdstat_set_rights", &[I, L, L], fd::fd_fdstat_set_rights),
    ("fd_filestat_get", &[I, I], fd::fd_filestat_get),
    ("fd_filestat_set_size", &[I, L], fd::fd_filestat_set_size),
    ("fd_filestat_set_times", &[I, L, L, I], fd::fd_filestat_set_times),
    ("fd_pread", &[I, I, I, L, I], fd::fd_pread),
    ("fd_prestat_get", &[I, I], fd::fd_prestat_get),
    ("fd_prestat_dir_name", &[I, I, I], fd::fd_prestat_dir_name),
    ("fd_pwrite", &[I, I, I, L, I], fd::fd_pwrite),
    ("fd_read", &[I, I, I, I], fd::fd_read),
    ("fd_readdir", &[I, I, I, L, I], fd::fd_readdir),
    ("fd_renumber", &[I, I], fd::fd_renumber),
    ("fd_seek", &[I, L, I, I], fd::fd_seek),
    ("fd_sync", &[I], fd::fd_sync),
    ("fd_tell", &[I, I], fd::fd_tell),
    ("fd_write", &[I, I, I, I], fd::fd_write),
    ("path_create_directory", &[I, I, I], path::path_create_directory),
    ("path_filestat_get", &[I, I, I, I, I], path::path_filestat_get),
    ("path_filestat_set_times", &[I, I, I, I, L, L, I], path::path_filestat_set_times),
    ("path_link", &[I, I, I, I, I, I, I], path::path_link),
    ("path_open", &[I, I, I, I, I, L, L, I, I], path::path_open),
    ("path_readlink", &[I, I, I, I, I, I], path::path_readlink),
    ("path_remove_directory", &[I, I, I], path::path_remove_directory),
    ("path_rename", &[I, I, I, I, I, I], path::path_rename),
    ("path_symlink", &[I, I, I, I, I], path::path_symlink),
    ("path_unlink_file", &[I, I, I], path::path_unlink_file),
    ("poll_oneoff", &[I, I, I, I], poll::poll_oneoff),
    ("proc_exit", &[I], poll::proc_exit),
    ("proc_raise", &[I], poll::proc_raise),
    ("sched_yield", &[], poll::sched_yield),
    ("random_get", &[I, I], poll::random_get),
    ("sock_accept", &[I, I, I], poll::sock),
    ("sock_recv", &[I, I, I, I, I, I], poll::sock),
    ("sock_send", &[I, I, I, I, I], poll::sock),
    ("sock_shutdown", &[I, I], poll::sock),
];

/// The names of the functions of `version`.
pub fn function_names(version: Version) -> impl Iterator<Item = &'static str> {
    FUNCS.iter().map(|f| f.0).filter(move |n| version == Version::Preview1 || *n != "sock_accept")
}

/// The type of WASI function `name` of `version`.
pub fn function_type(version: Version, name: &str) -> Option<FuncType> {
    let (_, params, _) = FUNCS.iter().find(|f| f.0 == name)?;
    if version == Version::Unstable && name == "sock_accept" {
        return None;
    }
    let results: &[ValType] = if name == "proc_exit" { &[] } else { &[ValType::I32] };
    Some(FuncType { params: (*params).into(), results: results.into() })
}

/// The guest memory of a call: the caller instance's export `memory`.
fn caller_memory<'a>(caller: &'a mut Caller<'_>) -> &'a mut [u8] {
    let mem = caller.instance.and_then(|i| caller.store.export(i, "memory"));
    match mem {
        Some(Extern::Memory(m)) => caller.store.memory_data_mut(m),
        _ => &mut [],
    }
}

/// WASI function `name` of `version` working on `ctx`: its type and a
/// host function to define in a store.
pub fn host_func(version: Version, name: &str, ctx: &Arc<Mutex<WasiCtx>>) -> Option<(FuncType, HostFunc)> {
    let ty = function_type(version, name)?;
    let imp = FUNCS.iter().find(|f| f.0 == name)?.2;
    let ctx = ctx.clone();
    let has_result = !ty.results.is_empty();
    let f = move |caller: &mut Caller<'_>, params: &[Value], results: &mut [Value]| {
        // A re-entrant call (e.g. an output callback that calls wasm) would
        // deadlock: refuse it.
        let mut guard = match ctx.try_lock() {
            Ok(g) => g,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => {
                return Err(Trap::host("WASI function called while another one runs"))
            }
        };
        let mut call = Call { ctx: &mut guard, mem: Mem(caller_memory(caller)), version };
        let errno = match imp(&mut call, &Args(params)) {
            Ok(()) => 0,
            Err(Fail::Errno(e)) => e.0,
            Err(Fail::Trap(t)) => return Err(t),
        };
        if has_result {
            results[0] = Value::I32(i32::from(errno));
        }
        Ok(())
    };
    Some((ty, Arc::new(f)))
}

/// Defines WASI function `name` of `version` in `store`, working on `ctx`.
pub fn define(store: &mut Store, version: Version, name: &str, ctx: &Arc<Mutex<WasiCtx>>) -> Option<Func> {
    let (ty, f) = host_func(version, name, ctx)?;
    Some(store.func_new(ty, f))
}

/// The imports of `module`, in order, with WASI functions defined in
/// `store` on `ctx`.
///
/// # Errors
/// [`Error::Link`] for an import that is not a WASI function of the right
/// type.
pub fn imports(store: &mut Store, module: &Module, ctx: &Arc<Mutex<WasiCtx>>) -> Result<Vec<Extern>> {
    let mut out = Vec::new();
    for (m, name, ty) in module.imports() {
        let Some(version) = Version::from_module_name(&m) else {
            return Err(Error::Link(format!("unknown import: {m}::{name} (only WASI imports can be provided)")));
        };
        let want = function_type(version, &name);
        match (&ty, want) {
            (ExternType::Func(t), Some(w)) if *t == w => {}
            (_, Some(_)) => return Err(Error::Link(format!("incompatible import type for {m}::{name}"))),
            (_, None) => return Err(Error::Link(format!("unknown import: {m}::{name}"))),
        }
        out.push(Extern::Func(define(store, version, &name, ctx).expect("checked above")));
    }
    Ok(out)
}

/// Instantiates `module` with WASI on `ctx` and calls `invoke` (default
/// `_start`). A reactor (exports `_initialize`) has it called first; one
/// without `_start` ends there when no `invoke` is given (as wasmtime).
/// Returns the exit status: the `proc_exit` code, or 0 when the function
/// returns.
///
/// # Errors
/// Link errors, a missing function, and traps other than `proc_exit`.
pub fn run(store: &mut Store, module: &Module, ctx: WasiCtx, invoke: Option<&str>) -> Result<u32> {
    run_with(store, module, ctx, invoke, &[]).map(|(status, _)| status)
}

/// Like [`run`], calling `invoke` with `args` (text, parsed by the
/// parameter types, see [`parse_args`]); also returns the function's
/// results when it returns.
///
/// # Errors
/// As [`run`]; also arguments that do not match the parameters.
pub fn run_with(
    store: &mut Store,
    module: &Module,
    ctx: WasiCtx,
    invoke: Option<&str>,
    args: &[String],
) -> Result<(u32, Vec<Value>)> {
    let ctx = Arc::new(Mutex::new(ctx));
    let imports = imports(store, module, &ctx)?;
    let instance: Instance = match store.instantiate(module, &imports) {
        Ok(i) => i,
        Err(Error::Trap(t)) => return exit_code(&t).map(|c| (c, Vec::new())).ok_or(Error::Trap(t)),
        Err(e) => return Err(e),
    };
    let func = |store: &Store, name: &str| match store.export(instance, name) {
        Some(Extern::Func(f)) => Some(f),
        _ => None,
    };
    let init = func(store, "_initialize");
    let name = invoke.unwrap_or("_start");
    let target = func(store, name);
    if target.is_none() && (invoke.is_some() || init.is_none()) {
        return Err(Error::Usage(format!("the module exports no function `{name}`")));
    }
    // Arguments are checked before anything runs.
    let values = match target {
        Some(f) => parse_args(name, store.func_type(f), args).map_err(Error::Usage)?,
        None => Vec::new(),
    };
    // (`--invoke _initialize` calls it once.)
    if let Some(init) = init.filter(|_| name != "_initialize") {
        let ty = store.func_type(init);
        if !ty.params.is_empty() || !ty.results.is_empty() {
            return Err(Error::Usage("`_initialize` must take and return nothing".into()));
        }
        match store.call(init, &[]) {
            Ok(_) => {}
            // A `proc_exit` in `_initialize` ends the program there.
            Err(Error::Trap(t)) => return exit_code(&t).map(|c| (c, Vec::new())).ok_or(Error::Trap(t)),
            Err(e) => return Err(e),
        }
    }
    let Some(f) = target else { return Ok((0, Vec::new())) };
    match store.call(f, &values) {
        Ok(results) => Ok((0, results)),
        Err(Error::Trap(t)) => exit_code(&t).map(|c| (c, Vec::new())).ok_or(Error::Trap(t)),
        Err(e) => Err(e),
    }
}

/// Parses the command-line arguments of a call to `name`, of type `ty`:
/// i32/i64 as decimal (or `0x` hex) integers, signed or in the unsigned
/// range; f32/f64 as Rust parses floats (so also `nan`, `inf`, `-inf`).
/// `Err` names the argument and the type it should have.
pub fn parse_args(name: &str, ty: &FuncType, args: &[String]) -> std::result::Result<Vec<Value>, String> {
    if ty.params.len() != args.len() {
        let types: Vec<String> = ty.params.iter().map(ToString::to_string).collect();
        return Err(format!(
            "`{name}` takes {} argument{} ({}), {} given",
            ty.params.len(),
            if ty.params.len() == 1 { "" } else { "s" },
            types.join(" "),
            args.len()
        ));
    }
    let parsed = ty.params.iter().zip(args).enumerate().map(|(i, (&t, a))| {
        parse_value(t, a).ok_or_else(|| match t {
            ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64 => {
                format!("argument {} of `{name}`: {a:?} is not a valid {t}", i + 1)
            }
            _ => format!("argument {} of `{name}` has type {t}: only i32, i64, f32 and f64 can be given", i + 1),
        })
    });
    parsed.collect()
}

/// One argument of [`parse_args`]; `None` if it does not parse (or the
/// type has no text form here: v128 and references).
fn parse_value(ty: ValType, s: &str) -> Option<Value> {
    let int = |s: &str| -> Option<i128> {
        match s.strip_prefix("0x") {
            Some(h) => i128::from_str_radix(h, 16).ok(),
            None => s.parse().ok(),
        }
    };
    Some(match ty {
        ValType::I32 => Value::I32(int(s).filter(|v| (i32::MIN as i128..=u32::MAX as i128).contains(v))? as i32),
        ValType::I64 => Value::I64(int(s).filter(|v| (i64::MIN as i128..=u64::MAX as i128).contains(v))? as i64),
        ValType::F32 => Value::F32(s.parse().ok()?),
        ValType::F64 => Value::F64(s.parse().ok()?),
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
