//! Panics cost a request, never a shard.
//!
//! monoio and glommio let a panic in a task unwind through the executor, which ends the
//! shard's thread: every connection on it, its caches and its engine with it. Request work
//! and every task a shard spawns therefore run inside [`catch_unwind`] (or [`catch_sync`] for
//! the synchronous fast path); a panic is counted (`bext_panics_total`), logged once per
//! occurrence with what was being done, and the caller answers 500 or drops the task.
//!
//! Borrows of shard state (`RefCell`) are released by unwinding like any guard, so state stays
//! usable. What a panic can leave behind is a cache operation half done, which the caches'
//! own deadlines (ISR tickets, file revalidation) clean up.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

pin_project_lite::pin_project! {
    /// [`catch_unwind`]'s future. A named future rather than an `async fn`: an `async fn`
    /// that takes a future by value keeps a slot for the argument beside the pinned future it
    /// polls, so every guarded task (a connection's, for its whole life) would be twice its
    /// work's size.
    pub(crate) struct CatchUnwind<F> {
        #[pin]
        work: F,
    }
}

/// Runs `work`, turning a panic during any of its polls into `Err(message)`.
pub(crate) fn catch_unwind<F: Future>(work: F) -> CatchUnwind<F> {
    CatchUnwind { work }
}

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, String>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let work = self.project().work;
        match std::panic::catch_unwind(AssertUnwindSafe(move || work.poll(cx))) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(message(payload.as_ref()))),
        }
    }
}

/// Runs `work`, turning a panic into `Err(message)`.
pub(crate) fn catch_sync<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(AssertUnwindSafe(work)).map_err(|p| message(p.as_ref()))
}

fn message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        String::from("(a panic without a message)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: the guard was an `async fn`, which kept the work twice (its argument and
    /// the pinned future it polled), and `spawn` wrapped it in a block that kept it a third
    /// time: an idle HTTPS connection's task was 29 KB instead of 4.
    #[test]
    fn the_guard_keeps_one_copy_of_the_work() {
        let work = async {
            let big = [7u8; 4096];
            std::future::ready(()).await;
            std::hint::black_box(&big);
        };
        let size = std::mem::size_of_val(&work);
        assert!(size >= 4096, "{size}");
        let guarded = catch_unwind(work);
        assert!(
            std::mem::size_of_val(&guarded) < size + 64,
            "{} for work of {size}",
            std::mem::size_of_val(&guarded)
        );
    }

    /// Regression: nothing caught panics, so one bad request ended its shard.
    #[test]
    // The borrow is held across an await on purpose: unwinding must release it.
    #[allow(clippy::await_holding_refcell_ref)]
    fn a_panicking_task_is_contained_and_the_runtime_goes_on() {
        let options = bext_shards::rt::RuntimeOptions::default();
        let outcome = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let seen = outcome.clone();
        bext_shards::rt::run(options, move |_| async move {
            let cell = std::cell::RefCell::new(0);
            let panicked = catch_unwind(async {
                let _held = cell.borrow_mut();
                bext_shards::rt::sleep(std::time::Duration::from_millis(1)).await;
                panic!("boom at {}", 42);
            })
            .await;
            seen.borrow_mut().push(format!("{panicked:?}"));
            // The borrow held across the panic was released by unwinding.
            *cell.borrow_mut() += 1;
            let fine = catch_unwind(async { 7 }).await;
            seen.borrow_mut()
                .push(format!("{fine:?} {}", cell.borrow()));
            let sync = catch_sync(|| -> u8 { panic!("static message") });
            seen.borrow_mut().push(format!("{sync:?}"));
        })
        .expect("runtime starts");
        assert_eq!(
            *outcome.borrow(),
            ["Err(\"boom at 42\")", "Ok(7) 1", "Err(\"static message\")"]
        );
    }
}
