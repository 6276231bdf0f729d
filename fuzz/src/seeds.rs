//! Fixed seeds for the fuzz checks run as ordinary tests: seed `n` is a
//! deterministic stream of bytes (splitmix64) for `arbitrary::Unstructured`,
//! so every finding reproduces from its seed number alone.
//!
//! Environment (for long runs; the defaults keep CI at a few minutes):
//! `WASMINT_FUZZ_ITERS` seeds per target, `WASMINT_FUZZ_SECONDS` a time
//! budget per target (without `WASMINT_FUZZ_ITERS`, seeds then run until
//! the time is up), `WASMINT_FUZZ_START` the first seed,
//! `WASMINT_FUZZ_FINDINGS` the folder where the modules of findings are
//! written (default `target/fuzz-findings`).

use std::time::{Duration, Instant};

/// splitmix64: a full-period 64-bit generator, good enough for test input.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// FNV-1a over `bytes`, to seed a generator from an input.
pub fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3))
}

/// The input bytes of seed `seed`: 1 KiB to 64 KiB (the length cycles
/// with the seed, so small and large modules both come up).
pub fn input(seed: u64) -> Vec<u8> {
    let len = 1024usize << (seed % 7);
    let mut rng = Rng(seed.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ 0x5eed);
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        out.extend_from_slice(&rng.next().to_le_bytes());
    }
    out.truncate(len);
    out
}

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    Some(v.trim().parse().unwrap_or_else(|_| panic!("{name}={v}: not a number")))
}

/// Runs `check` over the seeds the environment asks for (by default
/// `0..default_iters`) and panics listing the findings, if any.
/// `check` returns `Err(finding)`; a panic inside it is a finding too.
/// Seeds in `skip` (known oracle bugs) are not run.
pub fn run(target: &str, default_iters: u64, skip: &[u64], mut check: impl FnMut(&[u8]) -> Result<(), String>, summary: impl Fn() -> String) {
    let start = env_u64("WASMINT_FUZZ_START").unwrap_or(0);
    let seconds = env_u64("WASMINT_FUZZ_SECONDS");
    let iters = env_u64("WASMINT_FUZZ_ITERS").unwrap_or(if seconds.is_some() { u64::MAX } else { default_iters });
    let deadline = seconds.map(|s| Instant::now() + Duration::from_secs(s));
    let began = Instant::now();
    let mut findings = Vec::new();
    let mut seeds = 0u64;
    for seed in start..start.saturating_add(iters) {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        if skip.contains(&seed) {
            continue;
        }
        let data = input(seed);
        seeds += 1;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&data)));
        let finding = match outcome {
            Ok(Ok(())) => continue,
            Ok(Err(f)) => f,
            Err(p) => {
                let msg = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()));
                format!("panic: {}", msg.unwrap_or_default())
            }
        };
        println!("{target}: seed {seed}: {finding}");
        findings.push(format!("seed {seed}: {finding}"));
    }
    println!("{target}: {seeds} seeds from {start} in {:.1} s, {} findings", began.elapsed().as_secs_f64(), findings.len());
    println!("{}", summary());
    let shown: Vec<_> = findings.iter().take(20).map(|f| f.chars().take(2000).collect::<String>()).collect();
    assert!(findings.is_empty(), "{target}: {} findings:\n{}", findings.len(), shown.join("\n"));
}

/// Writes the module of a finding to the findings folder; its path.
pub fn save(target: &str, module: &[u8]) -> String {
    let dir = std::env::var_os("WASMINT_FUZZ_FINDINGS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-findings"));
    let path = dir.join(format!("{target}-{:016x}.wasm", fnv(module)));
    let saved = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, module));
    match saved {
        Ok(()) => path.display().to_string(),
        Err(e) => format!("(not saved: {e})"),
    }
}
