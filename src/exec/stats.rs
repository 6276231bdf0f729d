//! Op counts for profiling (feature `opstats`): every dispatch is counted,
//! with the op before it, and the most frequent ops and pairs are printed
//! to stderr at exit. Names come from the handler table; handlers that the
//! compiler merged share their counts (the first opcode's name is shown).

use std::collections::HashMap;
use std::sync::{Mutex, Once};


use crate::compile::ops::Opcode;

#[derive(Default)]
struct Counts {
    prev: usize,
    ops: HashMap<usize, u64>,
    pairs: HashMap<(usize, usize), u64>,
}

// One global table (a lock per op: profiling only); a thread-local one
// would be gone by the time `atexit` runs.
static COUNTS: Mutex<Option<Counts>> = Mutex::new(None);
static AT_EXIT: Once = Once::new();

/// Counts a dispatch to the handler at address `h`.
pub(crate) fn hit(h: usize) {
    AT_EXIT.call_once(|| {
        extern "C" fn report_at_exit() {
            report();
        }
        // SAFETY: registering a plain function with the C runtime.
        unsafe { libc::atexit(report_at_exit) };
    });
    {
        let mut c = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
        let c = c.get_or_insert_with(Counts::default);
        *c.ops.entry(h).or_default() += 1;
        let p = c.prev;
        *c.pairs.entry((p, h)).or_default() += 1;
        c.prev = h;
    }
}

fn name(h: usize, names: &HashMap<usize, String>) -> String {
    names.get(&h).cloned().unwrap_or_else(|| if h == 0 { "(entry)".into() } else { format!("{h:#x}") })
}

fn report() {
    let mut names = HashMap::new();
    for (i, f) in super::handlers::HANDLERS.iter().enumerate() {
        if let Some(op) = Opcode::decode(i as u16) {
            names.entry(*f as usize).or_insert_with(|| op.name());
        }
    }
    let t = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
    let Some(Counts { ops, pairs, .. }) = t.as_ref() else { return };
    let total: u64 = ops.values().sum();
    let n: usize = std::env::var("WASMINT_OPSTATS_TOP").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
    let mut v: Vec<_> = ops.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1));
    eprintln!("opstats: {total} ops");
    for (h, c) in v.iter().take(n) {
        eprintln!("op {:>6.2}% {:>12} {}", **c as f64 * 100.0 / total as f64, c, name(**h, &names));
    }
    let mut v: Vec<_> = pairs.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1));
    for ((a, b), c) in v.iter().take(n) {
        eprintln!("pair {:>6.2}% {:>12} {} -> {}", **c as f64 * 100.0 / total as f64, c, name(*a, &names), name(*b, &names));
    }
}
