//! Ordinary Rust data structures: HashMap (std's SipHash with a random
//! seed, so only order-independent results are printed), BTreeMap range
//! queries, Vec<Box<dyn Trait>> dispatch, Rc<RefCell<..>> graph nodes,
//! VecDeque breadth-first search, BinaryHeap Dijkstra, sorting and strings.
//! usage: rust_collections ROUNDS
use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet, VecDeque};
use std::rc::Rc;
use wasmint_bench_programs::{arg_or, fnv, Rng, FNV_INIT};

trait Account {
    fn apply(&mut self, amount: i64) -> bool;
    fn balance(&self) -> i64;
    fn kind(&self) -> &'static str;
}
struct Checking { balance: i64, overdraft: i64 }
struct Savings { balance: i64, withdrawals: u32 }
struct Ledger { entries: Vec<i64> }
impl Account for Checking {
    fn apply(&mut self, amount: i64) -> bool {
        if self.balance + amount < -self.overdraft { return false; }
        self.balance += amount;
        true
    }
    fn balance(&self) -> i64 { self.balance }
    fn kind(&self) -> &'static str { "checking" }
}
impl Account for Savings {
    fn apply(&mut self, amount: i64) -> bool {
        if amount < 0 && (self.withdrawals >= 6 || self.balance + amount < 0) { return false; }
        if amount < 0 { self.withdrawals += 1; }
        self.balance += amount;
        true
    }
    fn balance(&self) -> i64 { self.balance }
    fn kind(&self) -> &'static str { "savings" }
}
impl Account for Ledger {
    fn apply(&mut self, amount: i64) -> bool { self.entries.push(amount); true }
    fn balance(&self) -> i64 { self.entries.iter().sum() }
    fn kind(&self) -> &'static str { "ledger" }
}

struct Node { id: usize, edges: Vec<(Rc<RefCell<Node>>, u32)>, visits: u32 }

fn words_round(rng: &mut Rng) -> (u32, u64) {
    const SYL: [&str; 10] = ["ra", "mo", "ki", "tu", "sel", "an", "dor", "ve", "li", "qua"];
    let mut counts: HashMap<String, u32> = HashMap::new();
    let mut seen = HashSet::new();
    for _ in 0..30000 {
        let n = 1 + rng.below(3);
        let w: String = (0..n).map(|_| *rng.pick(&SYL)).collect();
        seen.insert(w.len());
        *counts.entry(w).or_insert(0) += 1;
    }
    let mut v: Vec<(&String, &u32)> = counts.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let h = v.iter().take(50).fold(FNV_INIT, |h, (w, c)| fnv(fnv(h, w.as_bytes()), &c.to_le_bytes()));
    (h, counts.len() as u64 * 1000 + seen.len() as u64)
}

fn btree_round(rng: &mut Rng) -> u64 {
    let mut m: BTreeMap<u32, u64> = BTreeMap::new();
    for i in 0..20000u64 {
        m.insert(rng.below(1 << 20) as u32, i);
    }
    let mut acc = 0u64;
    for _ in 0..2000 {
        let lo = rng.below(1 << 20) as u32;
        acc = acc.wrapping_add(m.range(lo..lo.saturating_add(2000)).map(|(k, v)| *k as u64 ^ v).sum::<u64>());
    }
    let keys: Vec<u32> = m.keys().copied().filter(|k| k % 3 == 0).collect();
    for k in keys {
        m.remove(&k);
    }
    acc ^ (m.len() as u64) << 40 ^ m.iter().next_back().map(|(k, _)| *k as u64).unwrap_or(0)
}

fn accounts_round(rng: &mut Rng) -> (i64, u32) {
    let mut accounts: Vec<Box<dyn Account>> = (0..300)
        .map(|i| -> Box<dyn Account> {
            match i % 3 {
                0 => Box::new(Checking { balance: 100, overdraft: 50 }),
                1 => Box::new(Savings { balance: 500, withdrawals: 0 }),
                _ => Box::new(Ledger { entries: Vec::new() }),
            }
        })
        .collect();
    let mut refused = 0;
    for _ in 0..40000 {
        let i = rng.below(accounts.len() as u64) as usize;
        let amount = rng.below(200) as i64 - 100;
        if !accounts[i].apply(amount) { refused += 1; }
    }
    accounts.sort_by_key(|a| (Reverse(a.balance()), a.kind()));
    let total: i64 = accounts.iter().map(|a| a.balance()).sum();
    (total * 1000 + accounts[0].balance(), refused)
}

fn graph_round(rng: &mut Rng) -> (u64, u64) {
    let n = 3000;
    let nodes: Vec<Rc<RefCell<Node>>> = (0..n).map(|id| Rc::new(RefCell::new(Node { id, edges: Vec::new(), visits: 0 }))).collect();
    for i in 0..n {
        for _ in 0..4 {
            let mut j = rng.below(n as u64) as usize;
            if j == i {
                j = (j + 1) % n; // no self-loops: a node is borrowed while its edges are visited
            }
            let w = 1 + rng.below(100) as u32;
            nodes[i].borrow_mut().edges.push((Rc::clone(&nodes[j]), w));
        }
    }
    // breadth-first search from 0
    let mut depth = vec![u32::MAX; n];
    let mut queue = VecDeque::new();
    depth[0] = 0;
    queue.push_back(Rc::clone(&nodes[0]));
    while let Some(node) = queue.pop_front() {
        let node = node.borrow();
        for (next, _) in &node.edges {
            let mut nb = next.borrow_mut();
            nb.visits += 1;
            if depth[nb.id] == u32::MAX {
                depth[nb.id] = depth[node.id] + 1;
                queue.push_back(Rc::clone(next));
            }
        }
    }
    // Dijkstra from 0
    let mut dist = vec![u64::MAX; n];
    let mut heap = BinaryHeap::new();
    dist[0] = 0;
    heap.push(Reverse((0u64, 0usize)));
    while let Some(Reverse((d, u))) = heap.pop() {
        if d > dist[u] { continue; }
        for (next, w) in &nodes[u].borrow().edges {
            let v = next.borrow().id;
            let nd = d + *w as u64;
            if nd < dist[v] {
                dist[v] = nd;
                heap.push(Reverse((nd, v)));
            }
        }
    }
    let reach: u64 = depth.iter().filter(|d| **d != u32::MAX).map(|d| *d as u64).sum();
    let dsum: u64 = dist.iter().filter(|d| **d != u64::MAX).sum();
    let visits: u64 = nodes.iter().map(|n| n.borrow().visits as u64).sum();
    for node in &nodes {
        node.borrow_mut().edges.clear(); // break the Rc cycles
    }
    (reach * 100000 + visits, dsum)
}

fn strings_round(rng: &mut Rng) -> u32 {
    let mut lines: Vec<String> = (0..5000)
        .map(|i| format!("{:>6}|{}|{:.3}", rng.below(100000), ["north", "south", "east", "west"][i % 4], rng.below(1000000) as f64 / 997.0))
        .collect();
    lines.sort_unstable();
    lines.dedup_by(|a, b| a[..6] == b[..6]);
    let joined = lines.iter().map(|l| l.split('|').nth(1).unwrap().to_uppercase()).collect::<Vec<_>>().join(",");
    let rev: String = joined.chars().rev().filter(|c| *c != 'O').collect();
    fnv(fnv(FNV_INIT, joined.as_bytes()), rev.as_bytes()) ^ lines.len() as u32
}

fn main() {
    let rounds = arg_or(4);
    let mut rng = Rng(2024);
    let mut h = FNV_INIT;
    let mut last = String::new();
    for _ in 0..rounds {
        let (wh, wn) = words_round(&mut rng);
        let b = btree_round(&mut rng);
        let (total, refused) = accounts_round(&mut rng);
        let (reach, dsum) = graph_round(&mut rng);
        let s = strings_round(&mut rng);
        last = format!("words {wh:08x}/{wn} btree {b:x} accounts {total}/{refused} graph {reach}/{dsum} strings {s:08x}");
        h = fnv(h, last.as_bytes());
    }
    println!("rounds {rounds}, hash {h:08x}");
    println!("last round: {last}");
}
