//! Shard-local waiting primitives: a stop flag, a counter tasks can wait on, and a race of a
//! task against a stop.
//!
//! Everything here lives on one shard's thread (`Cell`, `RefCell`); wakers are kept in short
//! lists because only a handful of tasks wait on each (accept loops, dev reload streams, ISR
//! followers of one shard). Nothing here crosses shards: that is the mesh's job.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// A shard-wide "stop" flag that tasks can wait on.
#[derive(Default)]
pub struct StopSignal {
    fired: Cell<bool>,
    wakers: RefCell<Vec<Waker>>,
}

impl StopSignal {
    pub fn fire(&self) {
        self.fired.set(true);
        for waker in self.wakers.borrow_mut().drain(..) {
            waker.wake();
        }
    }

    pub fn is_fired(&self) -> bool {
        self.fired.get()
    }

    /// Resolves once [`StopSignal::fire`] has been called.
    pub fn wait(&self) -> StopWait<'_> {
        StopWait { signal: self }
    }
}

pub struct StopWait<'a> {
    signal: &'a StopSignal,
}

impl Future for StopWait<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.signal.fired.get() {
            return Poll::Ready(());
        }
        register(&self.signal.wakers, cx.waker());
        Poll::Pending
    }
}

/// A counter that tasks can wait to see pass a value they saw (a dev server's reload
/// streams, requests waiting on another request's render).
#[derive(Default)]
pub struct Generation {
    value: Cell<u64>,
    wakers: RefCell<Vec<Waker>>,
}

impl Generation {
    pub fn get(&self) -> u64 {
        self.value.get()
    }

    pub fn bump(&self) {
        self.value.set(self.value.get() + 1);
        for waker in self.wakers.borrow_mut().drain(..) {
            waker.wake();
        }
    }

    /// Resolves once the value is past `seen`.
    pub async fn changed(&self, seen: u64) {
        std::future::poll_fn(|cx| {
            if self.value.get() > seen {
                return Poll::Ready(());
            }
            register(&self.wakers, cx.waker());
            Poll::Pending
        })
        .await
    }
}

/// Keeps one waker per task: a task polled again with the same waker is not added twice.
fn register(wakers: &RefCell<Vec<Waker>>, waker: &Waker) {
    let mut wakers = wakers.borrow_mut();
    if !wakers.iter().any(|w| w.will_wake(waker)) {
        wakers.push(waker.clone());
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
        assert_eq!(generation.wakers.borrow().len(), 1, "one waker per task");
        generation.bump();
        assert_eq!(count.0.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(wait.as_mut().poll(&mut cx).is_ready());
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
}
