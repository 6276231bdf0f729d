//! Guest for the `xyz:alltypes/alltypes` world (see ../wit/alltypes.wit).
//! Every function is deterministic so that a host can compare values.
wit_bindgen::generate!({
    world: "alltypes",
    path: "../wit/alltypes.wit",
});

use core::cell::Cell;
use exports::xyz::alltypes::types::{
    BigFlags, Color, Counter, CounterBorrow, Guest, GuestCounter, Inventory, MidFlags, Perms,
    Person, Point, Prims, Shape,
};
use xyz::alltypes::host;

static mut LIVE: u32 = 0;
static mut NEXT_ID: u32 = 0;

fn live_inc() -> u32 {
    unsafe {
        LIVE += 1;
        NEXT_ID += 1;
        NEXT_ID
    }
}

pub struct MyCounter {
    id: u32,
    value: Cell<i64>,
}

impl Drop for MyCounter {
    fn drop(&mut self) {
        unsafe {
            LIVE -= 1;
        }
    }
}

impl GuestCounter for MyCounter {
    fn new(start: i64) -> Self {
        MyCounter { id: live_inc(), value: Cell::new(start) }
    }
    fn get(&self) -> i64 {
        self.value.get()
    }
    fn add(&self, n: i64) -> i64 {
        self.value.set(self.value.get().wrapping_add(n));
        self.value.get()
    }
    fn add_from(&self, other: CounterBorrow<'_>) -> i64 {
        let o = other.get::<MyCounter>().value.get();
        self.add(o)
    }
    fn label(&self) -> String {
        format!("counter#{}={}", self.id, self.value.get())
    }
    fn merge(a: CounterBorrow<'_>, b: CounterBorrow<'_>) -> Counter {
        let v = a.get::<MyCounter>().value.get().wrapping_add(b.get::<MyCounter>().value.get());
        Counter::new(MyCounter::new(v))
    }
    fn consume(c: Counter) -> i64 {
        let v = c.get::<MyCounter>().value.get();
        drop(c);
        v
    }
}

struct Component;

impl Guest for Component {
    type Counter = MyCounter;

    fn live_count() -> u32 {
        unsafe { LIVE }
    }

    fn echo_bool(x: bool) -> bool { x }
    fn echo_s8(x: i8) -> i8 { x }
    fn echo_s16(x: i16) -> i16 { x }
    fn echo_s32(x: i32) -> i32 { x }
    fn echo_s64(x: i64) -> i64 { x }
    fn echo_u8(x: u8) -> u8 { x }
    fn echo_u16(x: u16) -> u16 { x }
    fn echo_u32(x: u32) -> u32 { x }
    fn echo_u64(x: u64) -> u64 { x }
    fn echo_f32(x: f32) -> f32 { x }
    fn echo_f64(x: f64) -> f64 { x }
    fn echo_char(x: char) -> char { x }
    fn echo_string(x: String) -> String { x }
    fn echo_bytes(x: Vec<u8>) -> Vec<u8> { x }
    fn echo_strings(x: Vec<String>) -> Vec<String> { x }
    fn echo_points(x: Vec<Point>) -> Vec<Point> { x }
    fn echo_point(x: Point) -> Point { x }
    fn echo_person(x: Person) -> Person { x }
    fn echo_prims(x: Prims) -> Prims { x }
    fn echo_tuple(x: (u8, String, f64)) -> (u8, String, f64) { x }
    fn echo_shape(x: Shape) -> Shape { x }
    fn echo_color(x: Color) -> Color { x }
    fn echo_perms(x: Perms) -> Perms { x }
    fn echo_big_flags(x: BigFlags) -> BigFlags { x }
    fn echo_mid_flags(x: MidFlags) -> MidFlags { x }
    fn echo_option_u32(x: Option<u32>) -> Option<u32> { x }
    fn echo_option_string(x: Option<String>) -> Option<String> { x }
    fn echo_result(x: Result<u32, String>) -> Result<u32, String> { x }
    fn echo_result_empty(x: Result<(), ()>) -> Result<(), ()> { x }
    fn echo_option_result(x: Option<Result<String, u32>>) -> Option<Result<String, u32>> { x }
    fn echo_inventory(x: Inventory) -> Inventory { x }
    fn echo_list_u64(x: Vec<u64>) -> Vec<u64> { x }
    fn echo_nested(x: Vec<Vec<String>>) -> Vec<Vec<String>> { x }

    fn many_params(
        a: u8, b: u16, c: u32, d: u64, e: i8, f: i16, g: i32, h: i64, i: f32, j: f64, k: bool,
        l: char, m: String, n: Vec<u8>, o: Point, p: Option<u32>, q: Color,
    ) -> String {
        let p = match p {
            Some(v) => format!("some({v})"),
            None => "none".to_string(),
        };
        let q = match q {
            Color::Red => "red",
            Color::Green => "green",
            Color::Blue => "blue",
        };
        format!(
            "a={a} b={b} c={c} d={d} e={e} f={f} g={g} h={h} i={i} j={j} k={k} l={l} m={m} n={n:?} o=({},{}) p={p} q={q}",
            o.x, o.y
        )
    }

    fn many_u32(
        a0: u32, a1: u32, a2: u32, a3: u32, a4: u32, a5: u32, a6: u32, a7: u32, a8: u32,
        a9: u32, a10: u32, a11: u32, a12: u32, a13: u32, a14: u32, a15: u32, a16: u32, a17: u32,
    ) -> Vec<u32> {
        vec![a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17]
    }

    fn arith(a: u64, b: u64) -> (u64, u64, u64, u64) {
        (a.wrapping_add(b), a.wrapping_sub(b), a.wrapping_mul(b), a ^ b)
    }
    fn add_s32(a: i32, b: i32) -> i32 { a.wrapping_add(b) }
    fn not_bool(x: bool) -> bool { !x }
    fn reverse_string(x: String) -> String { x.chars().rev().collect() }
    fn upper(x: String) -> String { x.to_uppercase() }
    fn split(x: String, sep: char) -> Vec<String> {
        x.split(sep).map(|s| s.to_string()).collect()
    }
    fn join(x: Vec<String>, sep: String) -> String { x.join(&sep) }
    fn next_color(x: Color) -> Color {
        match x {
            Color::Red => Color::Green,
            Color::Green => Color::Blue,
            Color::Blue => Color::Red,
        }
    }
    fn invert_perms(x: Perms) -> Perms { Perms::all() & !x }
    fn parse_u32(x: String) -> Result<u32, String> {
        x.parse::<u32>().map_err(|e| format!("cannot parse {x:?}: {e}"))
    }
    fn checked_div(a: u32, b: u32) -> Result<u32, ()> { a.checked_div(b).ok_or(()) }
    fn shape_area(x: Shape) -> f64 {
        match x {
            Shape::Circle(r) => 3.0 * r * r,
            Shape::Rect(p) => (p.x as f64) * (p.y as f64),
            Shape::Named(s) => s.len() as f64,
            Shape::UnitSquare => 1.0,
            Shape::Empty => 0.0,
        }
    }
    fn sum_f64(x: Vec<f64>) -> f64 { x.iter().sum() }
    fn swap(x: (u32, String)) -> (String, u32) { (x.1, x.0) }
    fn char_code(x: char) -> u32 { x as u32 }
    fn code_char(x: u32) -> Option<char> { char::from_u32(x) }
    fn count_flags(x: BigFlags) -> u32 { x.bits().count_ones() }
    fn make_person(name: String, age: u8) -> Person {
        let tags = vec![format!("len{}", name.len()), if age >= 18 { "adult" } else { "minor" }.to_string()];
        Person { name, age, tags }
    }

    fn call_host(s: String) -> String {
        host::log(&s);
        let n = s.chars().count() as i32;
        let r = host::transform(host::Point { x: n, y: -n });
        format!("host said ({},{}) for {}", r.x, r.y, s)
    }
    fn call_host_transform(p: Point) -> Point {
        let r = host::transform(host::Point { x: p.x, y: p.y });
        Point { x: r.x, y: r.y }
    }
    fn log_all(msgs: Vec<String>) -> u32 {
        for m in &msgs {
            host::log(m);
        }
        msgs.len() as u32
    }
}

export!(Component);
