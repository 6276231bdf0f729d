//! Interrupting running calls: from another thread, by deadline, before a
//! call, and the store afterwards.

use std::time::{Duration, Instant};

use super::exn_tests::{call, module};
use crate::error::{Error, TrapCode};
use crate::runtime::*;

const LOOPS: &str = r#"(module
  (func (export "spin") (loop $l (br $l)))
  (func $f (export "recurse") (call $f))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))"#;

fn interrupted(r: Result<Vec<Value>, Error>) -> bool {
    matches!(r, Err(Error::Trap(t)) if t.code() == Some(TrapCode::Interrupted))
}

#[test]
fn another_thread_interrupts_a_loop_quickly() {
    let mut s = Store::new();
    let i = s.instantiate(&module(LOOPS), &[]).unwrap();
    let h = s.interrupt_handle();
    let (tx, rx) = std::sync::mpsc::channel();
    let t = std::thread::spawn(move || {
        tx.send(()).unwrap();
        let r = call(&mut s, i, "spin", &[]);
        (interrupted(r), Instant::now(), s)
    });
    rx.recv().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let asked = Instant::now();
    h.interrupt();
    let (ok, stopped, mut s) = t.join().unwrap();
    assert!(ok, "the loop did not trap with `interrupted`");
    let latency = stopped.saturating_duration_since(asked);
    assert!(latency < Duration::from_millis(50), "took {latency:?}");
    // The store goes on: the interrupt was taken.
    assert_eq!(call(&mut s, i, "add", &[Value::I32(2), Value::I32(3)]).unwrap(), [Value::I32(5)]);
}

#[test]
fn an_interrupt_before_a_call_stops_the_next_one() {
    let mut s = Store::new();
    let i = s.instantiate(&module(LOOPS), &[]).unwrap();
    s.interrupt_handle().interrupt();
    assert!(interrupted(call(&mut s, i, "recurse", &[])));
    // Even a call without loops or calls.
    s.interrupt_handle().interrupt();
    assert!(interrupted(call(&mut s, i, "add", &[Value::I32(1), Value::I32(2)])));
    assert!(matches!(call(&mut s, i, "recurse", &[]), Err(Error::Trap(t)) if t.code() == Some(TrapCode::CallStackExhausted)));
}

#[test]
fn a_deadline_interrupts_and_can_be_cancelled() {
    let mut s = Store::new();
    let i = s.instantiate(&module(LOOPS), &[]).unwrap();
    s.set_deadline(Some(Duration::from_millis(100)));
    let t0 = Instant::now();
    assert!(interrupted(call(&mut s, i, "spin", &[])));
    let took = t0.elapsed();
    assert!(took >= Duration::from_millis(90) && took < Duration::from_secs(2), "{took:?}");
    // A cancelled deadline never fires.
    s.set_deadline(Some(Duration::from_millis(20)));
    s.set_deadline(None);
    std::thread::sleep(Duration::from_millis(60));
    assert_eq!(call(&mut s, i, "add", &[Value::I32(1), Value::I32(1)]).unwrap(), [Value::I32(2)]);
}

#[test]
fn interrupts_and_fuel_together() {
    let mut s = Store::new();
    s.config_mut().fuel = Some(1_000_000_000);
    let i = s.instantiate(&module(LOOPS), &[]).unwrap();
    s.set_deadline(Some(Duration::from_millis(50)));
    assert!(interrupted(call(&mut s, i, "spin", &[])));
    let left = s.config().fuel.unwrap();
    assert!(left < 1_000_000_000, "no fuel charged");
    s.config_mut().fuel = Some(10);
    assert!(matches!(call(&mut s, i, "spin", &[]), Err(Error::Trap(t)) if t.code() == Some(TrapCode::OutOfFuel)));
}
