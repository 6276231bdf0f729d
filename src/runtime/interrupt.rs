//! Stopping a running call from outside: interrupt handles (any thread,
//! or a signal handler) and deadlines.
//!
//! The engine's tick (each function entry and loop iteration) reads one
//! flag, [`Signals::check`]: set while fuel is metered or an interrupt is
//! pending. Only then does it take the slow path, which charges fuel and
//! turns a pending interrupt into the `interrupted` trap.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

/// What a store shares with its interrupt handles and the deadline timer.
#[derive(Default, Debug)]
pub(crate) struct Signals {
    /// The engine must look at the slow path of its ticks.
    pub(crate) check: AtomicBool,
    /// An interrupt is pending: the running call (or the next one) traps.
    pub(crate) interrupt: AtomicBool,
    /// Whether fuel is metered (kept in `check` too).
    pub(crate) metered: AtomicBool,
    /// Counts deadlines set, so that a timer for an old one does nothing.
    deadline: AtomicU64,
}

impl Signals {
    /// Recomputes [`check`](Self::check) (the store's thread, between or at
    /// the start of runs). An interrupt that arrives meanwhile still sets
    /// it: the handle stores `interrupt` then `check`, this stores `check`
    /// then loads `interrupt`, all sequentially consistent.
    pub(crate) fn refresh(&self, metered: bool) {
        self.metered.store(metered, SeqCst);
        self.check.store(metered, SeqCst);
        if self.interrupt.load(SeqCst) {
            self.check.store(true, SeqCst);
        }
    }

    fn interrupt(&self) {
        self.interrupt.store(true, SeqCst);
        self.check.store(true, SeqCst);
    }

    /// Takes a pending interrupt (the engine's slow path).
    pub(crate) fn take_interrupt(&self) -> bool {
        if !self.interrupt.swap(false, SeqCst) {
            return false;
        }
        self.refresh(self.metered.load(SeqCst));
        true
    }
}

/// Stops the running call of a store (see [`Store::interrupt_handle`](super::Store::interrupt_handle)):
/// it traps with `interrupted` at its next function entry or loop
/// iteration; if no call is running, the next one does. Cheap to clone,
/// usable from any thread, and only sets two flags, so a signal handler
/// may call [`interrupt`](Self::interrupt) too.
#[derive(Clone, Debug)]
pub struct InterruptHandle(pub(crate) Arc<Signals>);

impl InterruptHandle {
    /// Requests the interruption.
    pub fn interrupt(&self) {
        self.0.interrupt();
    }
}

/// The deadline timer: one thread for every store, sleeping until the
/// earliest deadline.
struct Timer {
    queue: Mutex<Vec<(Instant, Weak<Signals>, u64)>>,
    wake: Condvar,
}

fn timer() -> &'static Timer {
    static TIMER: OnceLock<&'static Timer> = OnceLock::new();
    TIMER.get_or_init(|| {
        let t: &'static Timer = Box::leak(Box::new(Timer { queue: Mutex::new(Vec::new()), wake: Condvar::new() }));
        let spawned = std::thread::Builder::new().name("wasmint-deadlines".into()).spawn(move || t.run());
        if spawned.is_err() {
            // Without the thread deadlines never fire; nothing else breaks.
        }
        t
    })
}

impl Timer {
    fn run(&self) {
        let Ok(mut q) = self.queue.lock() else { return };
        loop {
            let now = Instant::now();
            q.retain(|(at, s, gen)| {
                let Some(s) = s.upgrade() else { return false };
                if s.deadline.load(SeqCst) != *gen {
                    return false;
                }
                if *at <= now {
                    s.interrupt();
                    return false;
                }
                true
            });
            let next = q.iter().map(|(at, ..)| *at).min();
            q = match next {
                Some(at) => match self.wake.wait_timeout(q, at.saturating_duration_since(now)) {
                    Ok((q, _)) => q,
                    Err(_) => return,
                },
                None => match self.wake.wait(q) {
                    Ok(q) => q,
                    Err(_) => return,
                },
            };
        }
    }
}

/// Arms (or, `None`, disarms) the deadline of the store whose signals
/// these are: `after` from now, the running call is interrupted.
pub(crate) fn set_deadline(signals: &Arc<Signals>, after: Option<Duration>) {
    let gen = signals.deadline.fetch_add(1, SeqCst) + 1;
    let Some(after) = after else { return };
    let at = Instant::now().checked_add(after).unwrap_or_else(|| Instant::now() + Duration::from_secs(1 << 40));
    let t = timer();
    if let Ok(mut q) = t.queue.lock() {
        q.push((at, Arc::downgrade(signals), gen));
    }
    t.wake.notify_one();
}
