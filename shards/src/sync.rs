//! Shard-local waiting primitives: a stop flag, a counter tasks can wait on, and a race of a
//! task against a stop.
//!
//! Everything here lives on one shard's thread (`Cell`, `RefCell`). Each wait owns a slot in
//! its signal's [`Waiters`] for as long as it is pending, and frees it when it finishes or is
//! dropped: registering, polling again and leaving cost the same with ten thousand waiters
//! as with one (every SSE subscriber and tunnel waits on its shard's stop), and a task that
//! is gone leaves no waker behind. Nothing here crosses shards: that is the mesh's job.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use slab::Slab;

/// The wakers of the tasks waiting on one signal, each in the slot its wait owns.
#[derive(Default)]
struct Waiters {
    slots: RefCell<Slab<Waker>>,
}

impl Waiters {
    /// Keeps `waker` in the wait's `slot` (taking one if it has none yet).
    fn register(&self, slot: &mut Option<usize>, waker: &Waker) {
        let mut slots = self.slots.borrow_mut();
        match slot.and_then(|key| slots.get_mut(key)) {
            Some(kept) if kept.will_wake(waker) => {}
            Some(kept) => kept.clone_from(waker),
            None => *slot = Some(slots.insert(waker.clone())),
        }
    }

    /// Frees the wait's slot.
    fn leave(&self, slot: &mut Option<usize>) {
        if let Some(key) = slot.take() {
            self.slots.borrow_mut().try_remove(key);
        }
    }

    /// Wakes every waiting task; each frees its slot when it sees why it was woken.
    fn wake_all(&self) {
        // Wakers are cloned out first: waking may run code that registers or leaves.
        let wakers: Vec<Waker> = self.slots.borrow().iter().map(|(_, w)| w.clone()).collect();
        for waker in wakers {
            waker.wake();
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.slots.borrow().len()
    }
}

/// A shard-wide "stop" flag that tasks can wait on.
#[derive(Default)]
pub struct StopSignal {
    fired: Cell<bool>,
    waiters: Waiters,
}

impl StopSignal {
    pub fn fire(&self) {
        self.fired.set(true);
        self.waiters.wake_all();
    }

    pub fn is_fired(&self) -> bool {
        self.fired.get()
    }

    /// Resolves once [`StopSignal::fire`] has been called.
    pub fn wait(&self) -> StopWait<'_> {
        StopWait {
            signal: self,
            slot: None,
        }
    }
}

pub struct StopWait<'a> {
    signal: &'a StopSignal,
    slot: Option<usize>,
}

impl Future for StopWait<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.signal.fired.get() {
            this.signal.waiters.leave(&mut this.slot);
            return Poll::Ready(());
        }
        this.signal.waiters.register(&mut this.slot, cx.waker());
        Poll::Pending
    }
}

impl Drop for StopWait<'_> {
    fn drop(&mut self) {
        self.signal.waiters.leave(&mut self.slot);
    }
}

/// A counter that tasks can wait to see pass a value they saw (a dev server's reload
/// streams, requests waiting on another request's render).
#[derive(Default)]
pub struct Generation {
    value: Cell<u64>,
    waiters: Waiters,
}

impl Generation {
    pub fn get(&self) -> u64 {
        self.value.get()
    }

    pub fn bump(&self) {
        self.value.set(self.value.get() + 1);
        self.waiters.wake_all();
    }

    /// Resolves once the value is past `seen`.
    pub fn changed(&self, seen: u64) -> Changed<'_> {
        Changed {
            generation: self,
            seen,
            slot: None,
        }
    }
}

pub struct Changed<'a> {
    generation: &'a Generation,
    seen: u64,
    slot: Option<usize>,
}

impl Future for Changed<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.generation.value.get() > this.seen {
            this.generation.waiters.leave(&mut this.slot);
            return Poll::Ready(());
        }
        this.generation.waiters.register(&mut this.slot, cx.waker());
        Poll::Pending
    }
}

impl Drop for Changed<'_> {
    fn drop(&mut self) {
        self.generation.waiters.leave(&mut self.slot);
    }
}

/// Polls `work` and `stop` together: `Some(output)` if `work` finished first, `None` if
/// `stop` did (and `work` is dropped).
pub async fn race<F: Future, S: Future<Output = ()>>(work: F, stop: S) -> Option<F::Output> {
    let mut work = std::pin::pin!(work);
    let mut stop = std::pin::pin!(stop);
    std::future::poll_fn(move |cx| {
        if let Poll::Ready(output) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        if stop.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Poll::Pending
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::task::Wake;

    struct Count(std::sync::atomic::AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    #[test]
    fn generation_wakes_waiters_once_it_moves_past_what_they_saw() {
        let generation = Generation::default();
        let count = Arc::new(Count(Default::default()));
        let waker = Waker::from(count.clone());
        let mut cx = Context::from_waker(&waker);
        let mut wait = std::pin::pin!(generation.changed(0));
        assert!(wait.as_mut().poll(&mut cx).is_pending());
        assert!(wait.as_mut().poll(&mut cx).is_pending());
        assert_eq!(generation.waiters.len(), 1, "one waker per wait");
        generation.bump();
        assert_eq!(count.0.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(wait.as_mut().poll(&mut cx).is_ready());
        assert_eq!(generation.waiters.len(), 0, "a finished wait leaves");
    }

    #[test]
    fn stop_signal_releases_waiters_and_stays_fired() {
        let stop = StopSignal::default();
        let count = Arc::new(Count(Default::default()));
        let waker = Waker::from(count.clone());
        let mut cx = Context::from_waker(&waker);
        let mut wait = std::pin::pin!(stop.wait());
        assert!(wait.as_mut().poll(&mut cx).is_pending());
        stop.fire();
        assert!(stop.is_fired());
        assert_eq!(count.0.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(wait.as_mut().poll(&mut cx).is_ready());
        assert!(std::pin::pin!(stop.wait()).poll(&mut cx).is_ready());
    }

    #[test]
    fn waits_that_are_dropped_leave_and_many_waiters_each_keep_one_slot() {
        let stop = StopSignal::default();
        let count = Arc::new(Count(Default::default()));
        let waker = Waker::from(count.clone());
        let mut cx = Context::from_waker(&waker);
        let mut waits: Vec<_> = (0..1000).map(|_| Box::pin(stop.wait())).collect();
        for _ in 0..3 {
            for wait in &mut waits {
                assert!(wait.as_mut().poll(&mut cx).is_pending());
            }
        }
        assert_eq!(
            stop.waiters.len(),
            1000,
            "one slot per wait, however often polled"
        );
        waits.truncate(10);
        assert_eq!(
            stop.waiters.len(),
            10,
            "a dropped wait takes its waker away"
        );
        // A freed slot is taken by a new wait, and the old waits' slots stay theirs.
        let mut late = Box::pin(stop.wait());
        assert!(late.as_mut().poll(&mut cx).is_pending());
        assert_eq!(stop.waiters.len(), 11);
        stop.fire();
        assert_eq!(count.0.load(std::sync::atomic::Ordering::SeqCst), 11);
        for wait in waits.iter_mut().chain(std::iter::once(&mut late)) {
            assert!(wait.as_mut().poll(&mut cx).is_ready());
        }
        assert_eq!(stop.waiters.len(), 0);
    }

    #[test]
    fn a_generation_wait_woken_too_early_keeps_its_slot() {
        let generation = Generation::default();
        let count = Arc::new(Count(Default::default()));
        let waker = Waker::from(count.clone());
        let mut cx = Context::from_waker(&waker);
        let mut wait = std::pin::pin!(generation.changed(1));
        assert!(wait.as_mut().poll(&mut cx).is_pending());
        generation.bump();
        assert!(wait.as_mut().poll(&mut cx).is_pending(), "1 is not past 1");
        assert_eq!(generation.waiters.len(), 1);
        generation.bump();
        assert_eq!(count.0.load(std::sync::atomic::Ordering::SeqCst), 2);
        assert!(wait.as_mut().poll(&mut cx).is_ready());
        assert_eq!(generation.waiters.len(), 0);
    }
}
