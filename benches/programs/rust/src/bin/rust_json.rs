//! serde + serde_json: typed structs (derive) serialized to JSON text,
//! parsed back both as typed structs and as dynamic `Value`s, edited,
//! pretty-printed and parsed again.
//! usage: rust_json ROUNDS
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use wasmint_bench_programs::{arg_or, fnv, Rng, FNV_INIT};

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Item {
    sku: String,
    qty: u32,
    price: f64,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(tag = "kind")]
enum Payment {
    Card { last4: String, expires: (u8, u16) },
    Invoice { due_days: u32 },
    Voucher { code: String, amount: f64 },
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Order {
    id: u64,
    customer: String,
    email: Option<String>,
    items: Vec<Item>,
    payment: Payment,
    tags: Vec<String>,
    shipped: bool,
    note: String,
}

fn make_orders(n: usize, rng: &mut Rng) -> Vec<Order> {
    const NAMES: [&str; 6] = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov", "Ken Thompson"];
    const TAGS: [&str; 6] = ["gift", "express", "fragile", "b2b", "repeat", "\u{e9}t\u{e9}"];
    (0..n)
        .map(|i| {
            let items = (0..1 + rng.below(6))
                .map(|_| Item {
                    sku: format!("SKU-{:05}", rng.below(100000)),
                    qty: 1 + rng.below(9) as u32,
                    price: rng.below(100000) as f64 / 100.0,
                })
                .collect();
            let payment = match rng.below(3) {
                0 => Payment::Card { last4: format!("{:04}", rng.below(10000)), expires: (1 + rng.below(12) as u8, 2025 + rng.below(6) as u16) },
                1 => Payment::Invoice { due_days: 14 + rng.below(60) as u32 },
                _ => Payment::Voucher { code: format!("V{:x}", rng.next() >> 40), amount: rng.below(5000) as f64 / 4.0 },
            };
            let customer = rng.pick(&NAMES).to_string();
            Order {
                id: 100000 + i as u64,
                email: if rng.below(3) == 0 { None } else { Some(format!("{}@example.org", customer.to_lowercase().replace(' ', "."))) },
                customer,
                items,
                payment,
                tags: (0..rng.below(4)).map(|_| rng.pick(&TAGS).to_string()).collect(),
                shipped: rng.below(2) == 0,
                note: format!("Leave at door \"{}\"\tfloor {}\nthanks", rng.below(50), rng.below(10)),
            }
        })
        .collect()
}

fn main() {
    let rounds = arg_or(10);
    let mut rng = Rng(42);
    let mut h = FNV_INIT;
    let (mut bytes, mut total, mut values) = (0usize, 0.0f64, 0usize);
    for round in 0..rounds {
        let orders = make_orders(600, &mut rng);
        let text = serde_json::to_string(&orders).unwrap();
        bytes += text.len();
        let typed: Vec<Order> = serde_json::from_str(&text).unwrap();
        assert!(typed == orders, "typed round trip differs");
        let mut dynamic: Value = serde_json::from_str(&text).unwrap();
        for order in dynamic.as_array_mut().unwrap() {
            let items = order["items"].as_array().unwrap();
            let sum: f64 = items.iter().map(|it| it["qty"].as_f64().unwrap() * it["price"].as_f64().unwrap()).sum();
            total += sum;
            values += items.len();
            order["total"] = json!((sum * 100.0).round() / 100.0);
            order["round"] = json!(round);
            if let Some(tags) = order["tags"].as_array_mut() {
                tags.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                tags.dedup();
            }
            order.as_object_mut().unwrap().remove("note");
        }
        let pretty = serde_json::to_string_pretty(&dynamic).unwrap();
        let again: Value = serde_json::from_str(&pretty).unwrap();
        assert!(again == dynamic, "dynamic round trip differs");
        h = fnv(h, pretty.as_bytes());
    }
    println!("rounds {rounds}: {bytes} bytes of JSON, {values} items, total {total:.2}, hash {h:08x}");
}
