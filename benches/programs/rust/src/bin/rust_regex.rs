//! The `regex` crate over generated log text: compiling patterns, counting
//! matches, extracting captures (timestamps, IPv4 addresses, emails, key=value
//! pairs), a RegexSet, replace_all, and splitting.
//! usage: rust_regex LINES
use regex::{Regex, RegexSet};
use std::collections::BTreeMap;
use wasmint_bench_programs::{arg_or, fnv, Rng, FNV_INIT};

const LEVELS: [&str; 5] = ["INFO", "WARN", "ERROR", "DEBUG", "TRACE"];
const USERS: [&str; 6] = ["alice", "bob", "carol", "dave", "erin", "frank"];
const DOMAINS: [&str; 4] = ["example.com", "mail.test", "corp.internal", "uni.edu"];
const PATHS: [&str; 6] = ["/api/v1/users", "/api/v1/orders", "/static/app.js", "/login", "/api/v2/search", "/health"];

fn generate(lines: u64, rng: &mut Rng) -> String {
    let mut text = String::new();
    for i in 0..lines {
        let level = rng.pick(&LEVELS);
        let user = rng.pick(&USERS);
        let (h, m, s) = (rng.below(24), rng.below(60), rng.below(60));
        let ip = format!("{}.{}.{}.{}", 10 + rng.below(200), rng.below(256), rng.below(256), rng.below(256));
        let path = rng.pick(&PATHS);
        let status = [200, 200, 200, 201, 304, 404, 500][rng.below(7) as usize];
        let ms = rng.below(5000);
        text.push_str(&format!(
            "2024-{:02}-{:02}T{h:02}:{m:02}:{s:02}Z {level} req={i} ip={ip} user={user} path={path} status={status} time={ms}ms",
            1 + rng.below(12),
            1 + rng.below(28)
        ));
        if rng.below(4) == 0 {
            text.push_str(&format!(" contact={}.{}@{}", user, rng.below(100), rng.pick(&DOMAINS)));
        }
        if rng.below(10) == 0 {
            text.push_str(" msg=\"retrying after timeout; backoff doubled\"");
        }
        text.push('\n');
    }
    text
}

fn main() {
    let lines = arg_or(20000);
    let mut rng = Rng(0x9E3779B97F4A7C15);
    let text = generate(lines, &mut rng);

    let ts = Regex::new(r"(?m)^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z").unwrap();
    let ipv4 = Regex::new(r"\bip=((?:\d{1,3}\.){3}\d{1,3})\b").unwrap();
    let email = Regex::new(r"[a-z]+\.\d+@([a-z]+(?:\.[a-z]+)+)").unwrap();
    let kv = Regex::new(r"(\w+)=(\w+)").unwrap();
    let slow = Regex::new(r"status=(5\d\d|404) time=(\d{4,})ms").unwrap();
    let set = RegexSet::new([r"ERROR", r"WARN.*status=5", r"path=/api/v\d/\w+", r"timeout", r"user=(alice|erin)"]).unwrap();

    let mut per_month = [0u32; 13];
    for c in ts.captures_iter(&text) {
        per_month[c[2].parse::<usize>().unwrap()] += 1;
    }
    let mut subnets: BTreeMap<&str, u32> = BTreeMap::new();
    for c in ipv4.captures_iter(&text) {
        let ip = c.get(1).unwrap().as_str();
        *subnets.entry(ip.split('.').next().unwrap()).or_default() += 1;
    }
    let mut domains: BTreeMap<String, u32> = BTreeMap::new();
    for c in email.captures_iter(&text) {
        *domains.entry(c[1].to_string()).or_default() += 1;
    }
    let mut keys: BTreeMap<String, u32> = BTreeMap::new();
    let mut pairs = 0u32;
    for c in kv.captures_iter(&text) {
        *keys.entry(c[1].to_string()).or_default() += 1;
        pairs += 1;
    }
    let slow_total: u64 = slow.captures_iter(&text).map(|c| c[2].parse::<u64>().unwrap()).sum();
    let mut set_hits = [0u32; 5];
    for line in text.lines() {
        for i in set.matches(line).into_iter() {
            set_hits[i] += 1;
        }
    }
    let redacted = email.replace_all(&text, "<redacted@$1>");
    let words = Regex::new(r"[\s=]+").unwrap().split(&redacted).count();

    let busiest = subnets.iter().max_by_key(|(k, v)| (**v, std::cmp::Reverse(*k))).unwrap();
    println!("{} lines, {} bytes; per month {:?}", lines, text.len(), &per_month[1..]);
    println!("subnets {}, busiest {}.x ({}); domains {:?}", subnets.len(), busiest.0, busiest.1, domains);
    println!("key=value pairs {pairs}, keys {}; slow requests total {slow_total} ms; set {:?}", keys.len(), set_hits);
    println!("redacted {} bytes, {} fields, hash {:08x}", redacted.len(), words, fnv(FNV_INIT, redacted.as_bytes()));
}
