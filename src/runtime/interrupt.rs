//! Stopping a running call from outside: interrupt handles (any thread,
//! or a signal handler) and deadlines.
//!
//! The engine's tick (each function entry and loop iteration) reads one
//! word of its run's context (`Cx::state`): non-zero while fuel is metered
//! or an interrupt is pending. Only then does it charge fuel, or stop (a
//! tail call: the handlers keep no stack frame) and turn the interrupt into
//! the `interrupted` trap. The word lives in the context, as the fuel flag
//! did, so the common tick costs one load of memory the handlers already
//! use; a run publishes it in [`Signals::running`] for the handles, which
//! announce themselves in [`Signals::busy`] while they write through it, so
//! a run that ends waits for them and no write lands in a context gone.

use std::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

/// What a store shares with its interrupt handles and the deadline timer.
#[derive(Default, Debug)]
pub(crate) struct Signals {
    /// [`INTERRUPT`] while an interrupt is pending (until a run takes it).
    pending: AtomicU32,
    /// The word of the innermost run of the store, or null.
    running: AtomicPtr<AtomicU32>,
    /// Handles between loading `running` and writing through it.
    busy: AtomicU32,
    /// Counts deadlines set, so that a timer for an old one does nothing.
    deadline: AtomicU64,
}

/// Fuel is metered (set and cleared by the store's thread only).
pub(crate) const METERED: u32 = 1;
/// An interrupt is pending: the running call (or the next one) traps.
pub(crate) const INTERRUPT: u32 = 2;

impl Signals {
    fn interrupt(&self) {
        self.pending.fetch_or(INTERRUPT, SeqCst);
        self.busy.fetch_add(1, SeqCst);
        let p = self.running.load(SeqCst);
        if !p.is_null() {
            // SAFETY: a run unpublishes its word, then waits for `busy` to
            // drop to zero before the word goes: this one counted itself
            // busy before loading the pointer.
            unsafe { (*p).fetch_or(INTERRUPT, SeqCst) };
        }
        self.busy.fetch_sub(1, SeqCst);
    }

    /// Publishes a run's `word` (which must stay put until [`leave`]);
    /// returns the word of the run it nests in, for `leave`.
    ///
    /// [`leave`]: Self::leave
    pub(crate) fn enter(&self, word: &AtomicU32) -> *mut AtomicU32 {
        let prev = self.running.swap(word as *const AtomicU32 as *mut AtomicU32, SeqCst);
        // An interrupt that came before is this run's.
        if self.pending.load(SeqCst) & INTERRUPT != 0 {
            word.fetch_or(INTERRUPT, SeqCst);
        }
        prev
    }

    /// Unpublishes a run's word (restoring `prev`), once no handle writes
    /// through it any more.
    pub(crate) fn leave(&self, prev: *mut AtomicU32) {
        self.running.store(prev, SeqCst);
        while self.busy.load(SeqCst) != 0 {
            std::hint::spin_loop();
        }
    }

    /// Drops a pending interrupt that no run took (the Python layer's, after
    /// a SIGINT that arrived as a call ended).
    #[cfg_attr(not(feature = "python"), allow(dead_code))]
    pub(crate) fn clear_pending(&self) {
        self.pending.fetch_and(!INTERRUPT, SeqCst);
    }

    /// Takes the interrupt pending for the run of `word`, if there is one.
    pub(crate) fn take_interrupt(&self, word: &AtomicU32) -> bool {
        let was = word.fetch_and(!INTERRUPT, SeqCst) & INTERRUPT != 0;
        if was {
            self.pending.fetch_and(!INTERRUPT, SeqCst);
        }
        was
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
