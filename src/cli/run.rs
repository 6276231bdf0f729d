//! `wasmint run`: runs a WASI program.
//!
//! The guest sees only what the command line gives it: the directories of
//! `--dir`, the variables of `--env` (or all of the host's with
//! `--inherit-env`), and its arguments (the file name first). The exit
//! status is the guest's `proc_exit` code (0 when `_start` returns, or a
//! reactor's `_initialize` when there is no `_start`); a trap
//! prints `wasmint run: trap: MESSAGE` and exits with 134 (as wasmtime);
//! a file that cannot be read, compiled or linked exits with 1.
//! `--fuel` and `--timeout` bound the run (a trap when exceeded); Ctrl-C
//! stops the guest and exits with 130.

use std::io::Write;
use std::path::PathBuf;

use crate::wasi::WasiCtxBuilder;
use crate::{Error, Module, Store};

/// Exit status when the guest traps.
pub const TRAP_STATUS: i32 = 134;
/// Exit status when Ctrl-C (SIGINT) stopped the guest (128 + SIGINT, as
/// shells report it).
pub const INTERRUPTED_STATUS: i32 = 130;

/// Options of `wasmint run`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// `(host, guest)` directories.
    pub dirs: Vec<(PathBuf, String)>,
    /// `K=V` variables, in order.
    pub env: Vec<(String, String)>,
    /// `--inherit-env`: pass the host's whole environment (before `--env`).
    pub inherit_env: bool,
    /// Function to call instead of `_start`.
    pub invoke: Option<String>,
    /// `--compile eager`: translate every function before running
    /// (default `lazy`: each on its first call).
    pub eager: bool,
    /// `--code-stats`: print how much code was translated, to stderr.
    pub code_stats: bool,
    /// `--max-memory SIZE`: the most bytes of linear memory the program
    /// may have in all (`Config::max_memory_bytes`).
    pub max_memory: Option<u64>,
    pub file: PathBuf,
    /// Arguments after the file.
    pub args: Vec<String>,
    /// `--help`/`-h` before the file: print the usage of `run`.
    pub help: bool,
    // --- sandboxing (issue 12) ---
    /// `--fuel N`: units of fuel (function entries and loop iterations).
    pub fuel: Option<u64>,
    /// `--timeout SECONDS`: the deadline of the run.
    pub timeout: Option<std::time::Duration>,
    // --- end sandboxing ---
}

/// Parses the arguments after `run`. Options come before the file; all
/// that follows the file goes to the guest.
pub fn parse(args: &[String]) -> Result<RunOptions, String> {
    let mut o = RunOptions::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if !arg.starts_with('-') || arg == "-" {
            o.file = PathBuf::from(arg);
            o.args = it.cloned().collect();
            return Ok(o);
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value =
            || inline.clone().or_else(|| it.next().cloned()).ok_or_else(|| format!("option '{name}' needs a value"));
        match name {
            "--dir" => {
                let v = value()?;
                let (host, guest) = match v.split_once("::") {
                    Some((h, g)) => (h.to_string(), g.to_string()),
                    None => (v.clone(), v.clone()),
                };
                if host.is_empty() || guest.is_empty() {
                    return Err(format!("--dir {v:?}: expected HOST or HOST::GUEST"));
                }
                o.dirs.push((PathBuf::from(host), guest));
            }
            "--env" => {
                let v = value()?;
                let Some((k, val)) = v.split_once('=').filter(|(k, _)| !k.is_empty()) else {
                    return Err(format!("--env {v:?}: expected NAME=VALUE"));
                };
                o.env.push((k.to_string(), val.to_string()));
            }
            "-h" | "--help" => {
                o.help = true;
                return Ok(o);
            }
            "--inherit-env" => o.inherit_env = true,
            "--invoke" => o.invoke = Some(value()?),
            "--compile" => match value()?.as_str() {
                "eager" => o.eager = true,
                "lazy" => o.eager = false,
                v => return Err(format!("--compile {v:?}: expected eager or lazy")),
            },
            "--code-stats" => o.code_stats = true,
            // --- sandboxing (issue 12) ---
            "--fuel" => {
                let v = value()?;
                let n = v.parse().map_err(|_| format!("--fuel {v:?}: expected a whole number of units"))?;
                o.fuel = Some(n);
            }
            "--timeout" => {
                let v = value()?;
                let secs = v.parse::<f64>().ok().filter(|s| s.is_finite() && *s > 0.0);
                let t = secs.and_then(|s| std::time::Duration::try_from_secs_f64(s).ok());
                o.timeout = Some(t.ok_or_else(|| format!("--timeout {v:?}: expected a number of seconds > 0"))?);
            }
            // --- end sandboxing ---
            "--max-memory" => {
                let v = value()?;
                o.max_memory = Some(parse_size(&v).ok_or_else(|| {
                    format!("--max-memory {v:?}: expected a size in bytes such as 65536, 640K, 64M or 1G")
                })?);
            }
            "--" => {
                let file = it.next().ok_or("'run' needs a FILE")?;
                o.file = PathBuf::from(file);
                o.args = it.cloned().collect();
                return Ok(o);
            }
            _ => return Err(format!("unknown option '{arg}' for 'run'")),
        }
    }
    Err("'run' needs a FILE".into())
}

/// A size in bytes: digits, then optionally `K`, `M`, `G` or `T` (powers
/// of 1024; also `KiB`... or `KB`..., any case). `None` if malformed or
/// past u64.
pub fn parse_size(s: &str) -> Option<u64> {
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(digits);
    let n: u64 = n.parse().ok()?;
    let shift = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return None,
    };
    n.checked_mul(1 << shift)
}

/// Reads a `.wasm` binary (by [`Module::from_file`]: large data segments
/// are read into memory at instantiation) or `.wat` text.
fn load(path: &std::path::Path) -> Result<Module, String> {
    // (Only a regular file can be read twice: not a pipe.)
    let mut magic = [0u8; 4];
    let binary = std::fs::metadata(path).is_ok_and(|m| m.is_file())
        && std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic)).is_ok()
        && &magic == b"\0asm";
    if binary {
        return Module::from_file(path).map_err(|e| match e {
            e @ Error::Usage(_) => e.to_string(),
            e => format!("{}: {e}", path.display()),
        });
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let wasm = if bytes.starts_with(b"\0asm") {
        bytes
    } else {
        let text = String::from_utf8(bytes).map_err(|_| format!("{}: neither wasm nor UTF-8 text", path.display()))?;
        wat::parse_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
    };
    Module::from_vec(wasm).map_err(|e| format!("{}: {e}", path.display()))
}

/// The WASI context of `o`: arguments, environment, preopened dirs.
fn build_ctx(o: &RunOptions) -> Result<crate::wasi::ctx::WasiCtx, String> {
    let mut b = WasiCtxBuilder::new();
    b.arg(o.file.to_string_lossy());
    for a in &o.args {
        b.arg(a.as_str());
    }
    if o.inherit_env {
        for (k, v) in std::env::vars() {
            b.env(k, v);
        }
    }
    for (k, v) in &o.env {
        b.env(k.as_str(), v.as_str());
    }
    for (h, g) in &o.dirs {
        b.preopen_dir(h, g.as_str());
    }
    b.build()
}

/// A store with the limits of `o`: fuel, timeout, memory.
fn sandboxed_store(o: &RunOptions) -> Store {
    let mut store = Store::new();
    store.config_mut().fuel = o.fuel;
    store.set_deadline(o.timeout);
    store.config_mut().max_memory_bytes = o.max_memory;
    store
}

/// Whether the file is a component binary (not a core module).
fn is_component_file(path: &std::path::Path) -> bool {
    let mut head = [0u8; 8];
    std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)).is_ok() && crate::component::is_component(&head)
}

/// Runs a component: a `wasi:cli/run` command, or with `--invoke
/// 'f(args)'` one exported function (arguments and result in WAVE text,
/// as `wasmtime run --invoke` has them), with WASI 0.2.
fn run_component(o: &RunOptions, err: &mut dyn Write) -> i32 {
    let bytes = match std::fs::read(&o.file) {
        Ok(b) => b,
        Err(e) => {
            let _ = writeln!(err, "wasmint run: cannot read {}: {e}", o.file.display());
            return 1;
        }
    };
    let component = match crate::component::Component::new(&bytes) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(err, "wasmint run: {}: {e}", o.file.display());
            return 1;
        }
    };
    let ctx = match build_ctx(o) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(err, "wasmint run: {e}");
            return 1;
        }
    };
    let mut store = sandboxed_store(o);
    let ctrl_c = super::ctrl_c::CtrlC::install(store.interrupt_handle());
    let status = match &o.invoke {
        None => crate::wasi::p2::run_command(&mut store, &component, ctx),
        Some(call) => {
            // `--invoke 'f(1, "x")'`, or `--invoke f 1 '"x"'` (the
            // arguments after the file, joined).
            let text = if call.contains('(') { call.clone() } else { format!("{call}({})", o.args.join(", ")) };
            let status = invoke_component(&mut store, &component, ctx, &text, err);
            if ctrl_c.finish() {
                let _ = writeln!(err, "wasmint run: interrupted (SIGINT)");
                return INTERRUPTED_STATUS;
            }
            return status;
        }
    };
    let _ = std::io::stdout().flush();
    if ctrl_c.finish() {
        let _ = writeln!(err, "wasmint run: interrupted (SIGINT)");
        return INTERRUPTED_STATUS;
    }
    match status {
        Ok(code) => code as i32,
        Err(Error::Trap(t)) => {
            write_trap(err, &t, "");
            TRAP_STATUS
        }
        Err(e) => {
            let _ = writeln!(err, "wasmint run: {e}");
            1
        }
    }
}

fn invoke_component(store: &mut Store, component: &crate::component::Component, ctx: crate::wasi::ctx::WasiCtx, text: &str, err: &mut dyn Write) -> i32 {
    use crate::component::wave;
    let (name, args_text) = match wave::split_call(text) {
        Ok(x) => x,
        Err(e) => {
            let _ = writeln!(err, "wasmint run: --invoke {e}");
            return 2;
        }
    };
    let inst = match crate::wasi::p2::linker(ctx).instantiate(store, component) {
        Ok(i) => i,
        Err(e) => {
            let _ = writeln!(err, "wasmint run: {e}");
            return 1;
        }
    };
    // A top-level function, else the one of that name in an exported
    // interface (`iface#name` picks one).
    let mut found = inst.func(&name).into_iter().collect::<Vec<_>>();
    if found.is_empty() {
        for (n, item) in &inst.exports.exports {
            if let crate::component::Item::Instance(i) = item {
                if let Some(f) = i.func(&name) {
                    found.push(f);
                    let _ = n;
                }
            }
        }
    }
    let f = match found.as_slice() {
        [f] => f.clone(),
        [] => {
            let _ = writeln!(err, "wasmint run: the component exports no function `{name}`");
            return 1;
        }
        _ => {
            let _ = writeln!(err, "wasmint run: `{name}` is exported by several interfaces: name one, as `interface#{name}`");
            return 2;
        }
    };
    let ptys: Vec<&crate::component::Type> = f.ty().params.iter().map(|(_, t)| t).collect();
    let args = match wave::parse_args(&args_text, &ptys) {
        Ok(a) => a,
        Err(e) => {
            let _ = writeln!(err, "wasmint run: --invoke {name}: {e}");
            return 2;
        }
    };
    match crate::component::call(store, &f, &args) {
        Ok(r) => {
            let _ = std::io::stdout().flush();
            if let (Some(v), Some(t)) = (r, &f.ty().result) {
                println!("{}", wave::print(&v, t));
            }
            0
        }
        Err(t) => match crate::wasi::exit_code(&t) {
            Some(c) => c as i32,
            None => {
                write_trap(err, &t, "");
                TRAP_STATUS
            }
        },
    }
}

/// Runs the command; returns the exit status.
pub fn run(o: &RunOptions, err: &mut dyn Write) -> i32 {
    if is_component_file(&o.file) {
        return run_component(o, err);
    }
    let module = match load(&o.file) {
        Ok(m) => m,
        Err(e) => {
            let _ = writeln!(err, "wasmint run: {e}");
            return 1;
        }
    };
    // Bad `--invoke` arguments are a usage error (2), found before anything
    // runs; a missing export is left to `run_with` (1, as wasmtime).
    if let Some(name) = &o.invoke {
        let ty = module.exports().into_iter().find_map(|(n, t)| match t {
            crate::ExternType::Func(t) if n == *name => Some(t),
            _ => None,
        });
        if let Some(Err(e)) = ty.map(|t| crate::wasi::parse_args(name, &t, &o.args)) {
            let _ = writeln!(err, "wasmint run: {e}");
            return 2;
        }
    }
    if o.eager {
        if let Err(e) = module.translate_all() {
            let _ = writeln!(err, "wasmint run: {}: {e}", o.file.display());
            return 1;
        }
    }
    if o.code_stats {
        let (n, words) = module.code_stats();
        let _ = writeln!(err, "wasmint run: {n} functions translated, {words} words ({} bytes) of code", 2 * words);
    }
    let ctx = match build_ctx(o) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(err, "wasmint run: {e}");
            return 1;
        }
    };
    let mut store = sandboxed_store(o);
    let ctrl_c = super::ctrl_c::CtrlC::install(store.interrupt_handle());
    let invoke_args: &[String] = if o.invoke.is_some() { &o.args } else { &[] };
    let status = crate::wasi::run_with(&mut store, &module, ctx, o.invoke.as_deref(), invoke_args);
    let _ = std::io::stdout().flush();
    // --- sandboxing (issue 12) ---
    if ctrl_c.finish() {
        let _ = writeln!(err, "wasmint run: interrupted (SIGINT)");
        return INTERRUPTED_STATUS;
    }
    store.set_deadline(None);
    if let Err(Error::Trap(t)) = &status {
        let why = match (t.code(), o.fuel, o.timeout) {
            (Some(crate::TrapCode::OutOfFuel), Some(n), _) => Some(format!("the --fuel of {n} units ran out")),
            (Some(crate::TrapCode::Interrupted), _, Some(d)) => Some(format!("the --timeout of {} s passed", d.as_secs_f64())),
            _ => None,
        };
        if let Some(why) = why {
            write_trap(err, t, &format!(" ({why})"));
            return TRAP_STATUS;
        }
    }
    // --- end sandboxing ---
    match status {
        Ok((code, results)) => {
            // As wasmtime and wasmi print them: one result per line.
            let mut out = std::io::stdout().lock();
            for r in results {
                let _ = match r {
                    crate::Value::I32(v) => writeln!(out, "{v}"),
                    crate::Value::I64(v) => writeln!(out, "{v}"),
                    crate::Value::F32(v) => writeln!(out, "{v}"),
                    crate::Value::F64(v) => writeln!(out, "{v}"),
                    // wasmtime prints a v128 as one unsigned integer.
                    crate::Value::V128(v) => writeln!(out, "{v}"),
                    other => writeln!(out, "{other:?}"),
                };
            }
            let _ = out.flush();
            code as i32
        }
        Err(Error::Trap(t)) => {
            write_trap(err, &t, "");
            TRAP_STATUS
        }
        Err(e) => {
            let _ = writeln!(err, "wasmint run: {e}");
            1
        }
    }
}

/// `wasmint run: trap: MESSAGE` and the wasm backtrace, as wasmtime
/// prints it.
fn write_trap(err: &mut dyn Write, t: &crate::Trap, why: &str) {
    let _ = writeln!(err, "wasmint run: trap: {t}{why}");
    if let Some(bt) = t.backtrace_text() {
        let _ = writeln!(err, "{bt}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<RunOptions, String> {
        parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn options_then_file_then_guest_args() {
        let o =
            p(&["--dir", "a::/data", "--dir=b", "--env", "K=V=W", "--invoke", "go", "x.wasm", "--dir", "y"]).unwrap();
        assert_eq!(o.dirs, vec![("a".into(), "/data".into()), ("b".into(), "b".into())]);
        assert_eq!(o.env, vec![("K".into(), "V=W".into())]);
        assert_eq!(o.invoke.as_deref(), Some("go"));
        assert_eq!(o.file, PathBuf::from("x.wasm"));
        assert_eq!(o.args, vec!["--dir", "y"]);
        assert!(!o.inherit_env);
        assert_eq!(p(&["--", "-odd.wasm", "1"]).unwrap().args, vec!["1"]);
        assert!(p(&["--compile", "eager", "x"]).unwrap().eager);
        assert!(!p(&["--compile=eager", "--compile", "lazy", "x"]).unwrap().eager);
        assert!(p(&["--compile", "jit", "x"]).unwrap_err().contains("eager or lazy"));
        assert!(p(&["--dir", "a", "--help"]).unwrap().help);
        let o = p(&["--fuel", "100", "--timeout=0.25", "x"]).unwrap();
        assert_eq!((o.fuel, o.timeout), (Some(100), Some(std::time::Duration::from_millis(250))));
        assert!(!p(&["x", "--help"]).unwrap().help);
    }

    #[test]
    fn max_memory_sizes() {
        assert_eq!(p(&["--max-memory", "64M", "x"]).unwrap().max_memory, Some(64 << 20));
        assert_eq!(p(&["--max-memory=1G", "x"]).unwrap().max_memory, Some(1 << 30));
        assert_eq!(p(&["x"]).unwrap().max_memory, None);
        assert_eq!(parse_size("65536"), Some(65536));
        assert_eq!(parse_size("640k"), Some(640 << 10));
        assert_eq!(parse_size("2GiB"), Some(2 << 30));
        assert_eq!(parse_size("0"), Some(0));
        for bad in ["", "M", "64X", "-1", "1.5G", "99999999999T"] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
        assert!(p(&["--max-memory", "lots", "x"]).unwrap_err().contains("--max-memory \"lots\""));
    }

    #[test]
    fn usage_errors() {
        assert!(p(&[]).is_err());
        assert!(p(&["--env", "NOEQUALS", "x"]).unwrap_err().contains("NAME=VALUE"));
        assert!(p(&["--dir", "::g", "x"]).is_err());
        assert!(p(&["--bogus", "x"]).unwrap_err().contains("unknown option"));
        assert!(p(&["--invoke"]).unwrap_err().contains("needs a value"));
        assert!(p(&["--fuel", "-1", "x"]).unwrap_err().contains("--fuel"));
        assert!(p(&["--timeout", "0", "x"]).unwrap_err().contains("--timeout"));
        assert!(p(&["--timeout", "soon", "x"]).unwrap_err().contains("--timeout"));
    }

    #[test]
    fn exit_codes_and_traps() {
        let dir = std::env::temp_dir().join(format!("wasmint-run-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let exit = dir.join("exit.wat");
        std::fs::write(
            &exit,
            r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
                (memory (export "memory") 1)
                (func (export "_start") (call $exit (i32.const 7)))
                (func (export "boom") unreachable))"#,
        )
        .unwrap();
        let o = |extra: &[&str]| {
            let mut v: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
            v.push(exit.to_string_lossy().into_owned());
            parse(&v).unwrap()
        };
        let mut err = Vec::new();
        assert_eq!(run(&o(&[]), &mut err), 7);
        assert_eq!(run(&o(&["--invoke", "boom"]), &mut err), TRAP_STATUS);
        assert!(String::from_utf8_lossy(&err).contains("trap: unreachable\nerror while executing at wasm backtrace:\n    0:     0x"));
        assert!(String::from_utf8_lossy(&err).contains(" - <unknown>!<wasm function 2>\n"));
        assert_eq!(run(&o(&["--invoke", "nope"]), &mut err), 1);
        assert_eq!(run(&o(&["--dir", "/definitely/not/here"]), &mut err), 1);
        // Over --max-memory: the module does not instantiate (1).
        let mut err = Vec::new();
        assert_eq!(run(&o(&["--max-memory", "32K"]), &mut err), 1);
        assert!(String::from_utf8_lossy(&err).contains("memory limit exceeded: 64 KiB of linear memory needed, the store allows 32 KiB"));
        assert_eq!(run(&o(&["--max-memory", "64K"]), &mut err), 7);
        // Sandboxing: a loop stopped by fuel or by the deadline.
        let spin = dir.join("spin.wat");
        std::fs::write(&spin, r#"(module (memory (export "memory") 1) (func (export "_start") (loop br 0)))"#).unwrap();
        let o = |extra: &[&str]| {
            let mut v: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
            v.push(spin.to_string_lossy().into_owned());
            parse(&v).unwrap()
        };
        let mut err = Vec::new();
        assert_eq!(run(&o(&["--fuel", "1000"]), &mut err), TRAP_STATUS);
        assert!(String::from_utf8_lossy(&err).contains("all fuel consumed (the --fuel of 1000 units ran out)"));
        let mut err = Vec::new();
        let t0 = std::time::Instant::now();
        assert_eq!(run(&o(&["--timeout", "0.1"]), &mut err), TRAP_STATUS);
        assert!(t0.elapsed() < std::time::Duration::from_secs(5));
        assert!(String::from_utf8_lossy(&err).contains("interrupted (the --timeout of 0.1 s passed)"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
