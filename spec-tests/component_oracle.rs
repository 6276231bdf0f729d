//! Differential test of the component decoder and validator against
//! wasmparser's (a dev-dependency oracle): on the component fixtures and
//! on mutants of them, every component wasmparser accepts must decode,
//! validate and instantiate here (imports stubbed), and every one it
//! refuses must be refused here, by `Component::new` or at instantiation.
//! Disagreements are counted by kind and printed; those we know about are
//! listed in `KNOWN` with the reason.

use wasmint::component::{CFunc, CInstance, Component, Item, Type, Val};
use wasmint::component::types::Prim;

fn funcs(inst: &CInstance) -> Vec<CFunc> {
    let mut out = Vec::new();
    for (_, item) in &inst.exports {
        match item {
            Item::Func(f) => out.push(f.clone()),
            Item::Instance(i) => out.extend(funcs(i)),
            _ => {}
        }
    }
    out
}

/// A plain value of `t` (None for resources, which need a handle).
fn zero(t: &Type) -> Option<Val> {
    Some(match t {
        Type::Prim(p) => match p {
            Prim::Bool => Val::Bool(false),
            Prim::S8 => Val::S8(0),
            Prim::U8 => Val::U8(0),
            Prim::S16 => Val::S16(0),
            Prim::U16 => Val::U16(0),
            Prim::S32 => Val::S32(-1),
            Prim::U32 => Val::U32(7),
            Prim::S64 => Val::S64(0),
            Prim::U64 => Val::U64(1),
            Prim::F32 => Val::F32(0.5),
            Prim::F64 => Val::F64(-0.0),
            Prim::Char => Val::Char('é'),
            Prim::String => Val::String("héllo".into()),
        },
        Type::List(_) => Val::List(Vec::new()),
        Type::Record(r) => Val::Record(r.fields.iter().map(|(_, t)| zero(t)).collect::<Option<_>>()?),
        Type::Tuple(ts) => Val::Tuple(ts.iter().map(zero).collect::<Option<_>>()?),
        Type::Variant(v) => Val::Variant(0, match &v.cases[0].1 {
            Some(t) => Some(Box::new(zero(t)?)),
            None => None,
        }),
        Type::Enum(_) => Val::Enum(0),
        Type::Flags(_) => Val::Flags(vec![0]),
        Type::Option(_) => Val::Option(None),
        Type::Result(r) => Val::Result(Ok(match &r.ok {
            Some(t) => Some(Box::new(zero(t)?)),
            None => None,
        })),
        Type::Own(_) | Type::Borrow(_) => return None,
    })
}

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec-tests/components");
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "wasm") {
            out.push((p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()));
        }
    }
    out.sort();
    out
}

fn oracle(bytes: &[u8]) -> bool {
    let mut v = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all());
    v.validate_all(bytes).is_ok()
}

/// Ours: decode and validate, then instantiate with stubs (under fuel, so
/// a mutated start function cannot loop).
fn ours(bytes: &[u8]) -> Result<(), String> {
    let c = Component::new(bytes).map_err(|e| e.to_string())?;
    let mut store = wasmint::Store::new();
    store.config_mut().fuel = Some(1_000_000);
    let mut b = wasmint::wasi::ctx::WasiCtxBuilder::new();
    b.stdout(wasmint::wasi::ctx::Output::Null).stderr(wasmint::wasi::ctx::Output::Null);
    let mut linker = wasmint::wasi::p2::linker(b.build().unwrap());
    linker.stub_missing();
    match linker.instantiate(&mut store, &c) {
        Ok(inst) => {
            // Every exported function called with plain arguments: a trap
            // is fine, a panic is not.
            for f in funcs(&inst.exports) {
                let args: Option<Vec<Val>> = f.ty().params.iter().map(|(_, t)| zero(t)).collect();
                if let Some(args) = args {
                    let _ = wasmint::component::call(&mut store, &f, &args);
                }
            }
            Ok(())
        }
        // A trap of a start function is not a verdict on validity.
        Err(wasmint::Error::Trap(_)) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

#[test]
fn verdicts_agree_with_wasmparser_on_fixtures_and_mutants() {
    let mut checked = 0;
    let mut agree = 0;
    let mut we_accept_more = Vec::new();
    let mut we_refuse_more = Vec::new();
    for (name, bytes) in fixtures() {
        if name.contains("adapter") || !wasmint::component::is_component(&bytes) {
            continue;
        }
        assert!(oracle(&bytes), "{name}: wasmparser refuses the fixture");
        assert_eq!(ours(&bytes), Ok(()), "{name}");
        // Mutants: one byte changed, at a stride over the whole binary
        // (about 400 per fixture; `WASMINT_COMPONENT_MUTANTS` for more).
        let per: usize = std::env::var("WASMINT_COMPONENT_MUTANTS").ok().and_then(|v| v.parse().ok()).unwrap_or(400);
        let stride = (bytes.len() / per.max(1)).max(1);
        for (k, i) in (8..bytes.len()).step_by(stride).enumerate() {
            let mut m = bytes.clone();
            m[i] = m[i].wrapping_add(1 + (k % 5) as u8 * 37);
            if std::env::var_os("WASMINT_ORACLE_TRACE").is_some() {
                eprintln!("{name} byte {i} -> {}", m[i]);
            }
            let (o, w) = (oracle(&m), ours(&m));
            checked += 1;
            match (o, &w) {
                (true, Ok(())) | (false, Err(_)) => agree += 1,
                (true, Err(e)) => we_refuse_more.push(format!("{name} byte {i}: {e}")),
                (false, Ok(())) => {
                    let mut v = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all());
                    let why = v.validate_all(&m).err().map(|e| e.to_string()).unwrap_or_default();
                    we_accept_more.push(format!("{name} byte {i}: wasmparser: {why}"))
                }
            }
        }
    }
    eprintln!("component oracle: {checked} mutants, {agree} agree, {} accepted only by wasmint, {} refused only by wasmint", we_accept_more.len(), we_refuse_more.len());
    for d in we_refuse_more.iter().take(20) {
        eprintln!("  refused only by wasmint: {d}");
    }
    for d in we_accept_more.iter().take(20) {
        eprintln!("  accepted only by wasmint: {d}");
    }
    assert!(we_refuse_more.is_empty(), "wasmint refuses components wasmparser accepts");
    let unknown: Vec<&String> = we_accept_more.iter().filter(|d| !KNOWN.iter().any(|k| d.starts_with(k))).collect();
    assert!(unknown.is_empty(), "new components only wasmint accepts: {unknown:#?}");
}

/// Mutants wasmparser refuses and wasmint accepts, and why (known gaps of
/// our validation, counted in every run).
const KNOWN: &[&str] = &[
    // A name inside an instance type declaration: wasmparser checks names
    // there against the type's other declarations; we check the top
    // level's imports and exports only.
    "machine-c.wasm byte 1506:",
    // An export's ascribed type whose resource bounds differ: we compare
    // value and function types, not type bounds.
    "machine-rust.wasm byte 16778:",
];


#[test]
#[ignore]
fn one_mutant_from_env() {
    let path = std::env::var("WASMINT_MUTANT").unwrap();
    let bytes = std::fs::read(path).unwrap();
    eprintln!("{:?}", ours(&bytes));
}
