//! Shared by the criterion benchmarks: the corpus manifest and the engines
//! under test behind one small interface.

#![allow(dead_code)] // each bench binary uses a different part

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

/// One corpus program (benches/corpus/manifest.txt).
pub struct Program {
    pub name: String,
    pub wasm: Vec<u8>,
    /// Small n with its checksum: `cargo test --benches`, quick runs.
    pub quick: (u32, u32),
    /// Benchmark n with its checksum.
    pub bench: (u32, u32),
}

impl Program {
    /// The (n, checksum) to use in this run: the benchmark size under
    /// `cargo bench`, the quick one under `cargo test --benches` or when
    /// WASMINT_BENCH_QUICK is set.
    pub fn size(&self) -> (u32, u32) {
        if bench_mode() {
            self.bench
        } else {
            self.quick
        }
    }
}

/// Whether the binary runs as a benchmark (`cargo bench` passes `--bench`).
pub fn bench_mode() -> bool {
    std::env::var_os("WASMINT_BENCH_QUICK").is_none() && std::env::args().any(|a| a == "--bench")
}

pub fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches").join("corpus")
}

/// Reads the manifest and the programs' `.wasm` files.
pub fn corpus() -> Vec<Program> {
    let dir = corpus_dir();
    let manifest = std::fs::read_to_string(dir.join("manifest.txt")).expect("benches/corpus/manifest.txt");
    let mut programs = Vec::new();
    for line in manifest.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let f: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(f.len(), 5, "manifest line {line:?}: want name quick_n sum bench_n sum");
        let num = |s: &str| s.parse::<u32>().unwrap_or_else(|_| panic!("manifest line {line:?}: bad number {s:?}"));
        let path = dir.join(format!("{}.wasm", f[0]));
        let wasm = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        programs.push(Program {
            name: f[0].to_string(),
            wasm,
            quick: (num(f[1]), num(f[2])),
            bench: (num(f[3]), num(f[4])),
        });
    }
    programs
}

/// The big module for the translation benchmark (over 1 MB).
pub fn big_module() -> Vec<u8> {
    let path = corpus_dir().join("big.wasm");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Size of the code section (id 10) of a module, or 0 when it has none.
pub fn code_section_size(wasm: &[u8]) -> usize {
    fn leb(b: &[u8], pos: &mut usize) -> Option<usize> {
        let (mut v, mut shift) = (0usize, 0);
        loop {
            let byte = *b.get(*pos)?;
            *pos += 1;
            v |= usize::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(v);
            }
            shift += 7;
            if shift > 28 {
                return None;
            }
        }
    }
    let mut pos = 8;
    while pos < wasm.len() {
        let id = wasm[pos];
        pos += 1;
        let Some(len) = leb(wasm, &mut pos) else {
            return 0;
        };
        if id == 10 {
            return len;
        }
        pos += len;
    }
    0
}

/// Engines the user asked for (WASMINT_BENCH_ENGINES, comma separated;
/// default all).
pub fn engine_enabled(name: &str) -> bool {
    match std::env::var("WASMINT_BENCH_ENGINES") {
        Ok(list) => list.split(',').any(|e| e.trim() == name),
        Err(_) => true,
    }
}

/// An instantiated program whose `run(n)` can be called repeatedly.
pub trait Runner {
    fn run(&mut self, n: u32) -> u32;
}

pub type Prepare = fn(&[u8]) -> Result<Box<dyn Runner>, String>;

/// The engines compared, in display order.
pub const ENGINES: &[(&str, Prepare)] = &[("wasmint", wasmint_prepare), ("wasmi", wasmi_prepare)];

/// Runs `f` with panics caught and turned into errors, so that an engine
/// still missing a feature (a `todo!()`) is skipped, not the whole run.
pub fn catch<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(f));
    std::panic::set_hook(hook);
    result.unwrap_or_else(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(format!("panicked: {msg}"))
    })
}

/// Prepares `p` on an engine and checks its checksum once at the quick n
/// (cheap, so programs that criterion's filter skips cost nothing). A wrong
/// checksum panics: a fast wrong answer must not look like a result.
pub fn prepare_checked(engine: &str, prepare: Prepare, p: &Program) -> Result<Box<dyn Runner>, String> {
    let (n, sum) = p.quick;
    let (runner, got) = catch(|| {
        let mut runner = prepare(&p.wasm)?;
        let got = runner.run(n);
        Ok((runner, got))
    })?;
    assert_eq!(got, sum, "{engine}: {}: run({n}) returned {got}, expected {sum}", p.name);
    Ok(runner)
}

// ---- wasmint ----

struct WasmintRunner {
    store: wasmint::Store,
    run: wasmint::Func,
}

impl Runner for WasmintRunner {
    fn run(&mut self, n: u32) -> u32 {
        let out = self.store.call(self.run, &[wasmint::Value::I32(n as i32)]).expect("wasmint: run trapped");
        match out.as_slice() {
            [wasmint::Value::I32(v)] => *v as u32,
            other => panic!("wasmint: run returned {other:?}"),
        }
    }
}

pub fn wasmint_module(wasm: &[u8]) -> Result<wasmint::Module, String> {
    wasmint::Module::new(wasm).map_err(|e| e.to_string())
}

pub fn wasmint_instantiate(module: &wasmint::Module) -> Result<(wasmint::Store, wasmint::Instance), String> {
    let mut store = wasmint::Store::new();
    let instance = store.instantiate(module, &[]).map_err(|e| e.to_string())?;
    Ok((store, instance))
}

fn wasmint_prepare(wasm: &[u8]) -> Result<Box<dyn Runner>, String> {
    let module = wasmint_module(wasm)?;
    let (store, instance) = wasmint_instantiate(&module)?;
    match store.export(instance, "run") {
        Some(wasmint::Extern::Func(run)) => Ok(Box::new(WasmintRunner { store, run })),
        _ => Err("no exported function `run`".into()),
    }
}

// ---- wasmi ----

struct WasmiRunner {
    store: wasmi::Store<()>,
    run: wasmi::TypedFunc<u32, u32>,
}

impl Runner for WasmiRunner {
    fn run(&mut self, n: u32) -> u32 {
        self.run.call(&mut self.store, n).expect("wasmi: run trapped")
    }
}

/// A wasmi engine translating eagerly (`lazy` = wasmi's default: validate
/// now, translate each function on its first call).
pub fn wasmi_engine(lazy: bool) -> wasmi::Engine {
    let mut config = wasmi::Config::default();
    config.compilation_mode(if lazy { wasmi::CompilationMode::LazyTranslation } else { wasmi::CompilationMode::Eager });
    wasmi::Engine::new(&config)
}

pub fn wasmi_instantiate(
    engine: &wasmi::Engine,
    module: &wasmi::Module,
) -> Result<(wasmi::Store<()>, wasmi::Instance), String> {
    let mut store = wasmi::Store::new(engine, ());
    let linker = wasmi::Linker::<()>::new(engine);
    let instance = linker.instantiate_and_start(&mut store, module).map_err(|e| e.to_string())?;
    Ok((store, instance))
}

fn wasmi_prepare(wasm: &[u8]) -> Result<Box<dyn Runner>, String> {
    let engine = wasmi_engine(false);
    let module = wasmi::Module::new(&engine, wasm).map_err(|e| e.to_string())?;
    let (store, instance) = wasmi_instantiate(&engine, &module)?;
    let run = instance.get_typed_func::<u32, u32>(&store, "run").map_err(|e| e.to_string())?;
    Ok(Box::new(WasmiRunner { store, run }))
}
