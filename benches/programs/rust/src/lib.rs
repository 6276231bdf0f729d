//! Shared by the programs: a deterministic PRNG and a hash for checksums.

/// xorshift64*: deterministic inputs on every engine and natively.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// FNV-1a over bytes.
pub fn fnv(h: u32, bytes: &[u8]) -> u32 {
    bytes.iter().fold(h, |h, &b| (h ^ b as u32).wrapping_mul(16777619))
}

pub const FNV_INIT: u32 = 2166136261;

/// The first command-line argument as a number (the work amount).
pub fn arg_or(default: u64) -> u64 {
    std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(default)
}
