//! Cryptographic hashes from crates.io, portable code (no SIMD): SHA-256
//! and SHA-512 (`sha2`) and BLAKE3 (`blake3`, its portable implementation
//! on wasm32), over a generated buffer, whole and in small updates.
//! usage: rust_hashes MEBIBYTES
use sha2::{Digest, Sha256, Sha512};
use wasmint_bench_programs::{arg_or, Rng};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn main() {
    let mib = arg_or(4) as usize;
    let mut rng = Rng(7);
    let data: Vec<u8> = (0..mib << 20).map(|_| (rng.next() >> 56) as u8).collect();
    let s256 = Sha256::digest(&data);
    let s512 = Sha512::digest(&data);
    let b3 = blake3::hash(&data);
    // the same in uneven chunks through the incremental APIs
    let (mut a, mut b, mut c) = (Sha256::new(), Sha512::new(), blake3::Hasher::new());
    let mut pos = 0;
    while pos < data.len() {
        let len = (1 + rng.below(3000) as usize).min(data.len() - pos);
        a.update(&data[pos..pos + len]);
        b.update(&data[pos..pos + len]);
        c.update(&data[pos..pos + len]);
        pos += len;
    }
    assert_eq!(a.finalize(), s256);
    assert_eq!(b.finalize(), s512);
    assert_eq!(c.finalize(), b3);
    // a chain of short messages (per-call overhead)
    let mut chain = [0u8; 32];
    for i in 0..20000u32 {
        let mut hs = Sha256::new();
        hs.update(chain);
        hs.update(i.to_le_bytes());
        chain = hs.finalize().into();
    }
    println!("{mib} MiB");
    println!("sha256 {}", hex(&s256));
    println!("sha512 {}", hex(&s512[..32]));
    println!("blake3 {}", b3.to_hex());
    println!("chain  {}", hex(&chain));
}
