//! Work that must not run on a shard's thread: CPU-heavy jobs (the image optimizer's decode,
//! resize and encode, tens of milliseconds on a large photo) run on a small pool of helper
//! threads while the shard goes on answering its other connections, and the shard's task
//! awaits the result.
//!
//! # Decisions
//!
//! - **A pool per process, started on first use.** The jobs are rare (their results are
//!   cached by the caller) and bursty; one pool for every shard is enough, and a process that
//!   never optimizes an image never starts a thread. The pool holds no state of any shard: it
//!   is a queue of jobs, the same kind of thing as the mesh.
//! - **Lower priority than shards** (nice 10): on a loaded machine a shard's request work wins
//!   its core and a transform waits, which is the trade a server wants.
//! - **Bounded.** At most `IMAGE_JOBS_QUEUED_MAX` jobs wait; past that [`submit`] hands back
//!   [`Full`] and the caller answers 503, never queueing without bound.
//! - **The answer crosses back by waker.** A worker stores the result and wakes the awaiting
//!   task (both backends' wakers may be woken from another thread, see [`crate::rt`]). A job
//!   that panics resolves to `None`; the worker survives it.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};

use atomic_waker::AtomicWaker;
use bext_core::limits::IMAGE_JOBS_QUEUED_MAX;
pub use bext_core::limits::OFFLOAD_THREADS_MAX;
use crossbeam_channel::{Sender, TrySendError, bounded};

/// The helpers' scheduling priority (a nice value: higher yields to shards).
const OFFLOAD_NICE: i32 = 10;

type Job = Box<dyn FnOnce() + Send>;

/// The queue is full: the caller should answer "try again later".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

/// Runs `job` on a helper thread; await the returned future for its value (`None` if it
/// panicked).
pub fn submit<T, F>(job: F) -> Result<Pending<T>, Full>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let slot = Arc::new(Slot {
        value: Mutex::new(None),
        waker: AtomicWaker::new(),
    });
    let done = slot.clone();
    let wrapped: Job = Box::new(move || {
        let value = catch_unwind(AssertUnwindSafe(job)).ok();
        if let Ok(mut guard) = done.value.lock() {
            *guard = Some(value);
        }
        done.waker.wake();
    });
    match pool().try_send(wrapped) {
        Ok(()) => Ok(Pending { slot }),
        Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(Full),
    }
}

fn pool() -> &'static Sender<Job> {
    static POOL: OnceLock<Sender<Job>> = OnceLock::new();
    POOL.get_or_init(|| {
        let (sender, receiver) = bounded::<Job>(IMAGE_JOBS_QUEUED_MAX);
        let cpus = crate::sys::allowed_cpus().map_or(1, |c| c.len());
        let threads = (cpus / 2).clamp(1, OFFLOAD_THREADS_MAX);
        for i in 0..threads {
            let receiver = receiver.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("bext-offload-{i}"))
                .spawn(move || {
                    // Best effort: a container may forbid it, and the work is the same.
                    let _ = crate::sys::lower_current_thread_priority(OFFLOAD_NICE);
                    while let Ok(job) = receiver.recv() {
                        job();
                    }
                });
            if let Err(e) = spawned {
                eprintln!("bext: cannot start offload thread {i}: {e}");
            }
        }
        sender
    })
}

struct Slot<T> {
    /// `Some(None)`: the job panicked.
    value: Mutex<Option<Option<T>>>,
    waker: AtomicWaker,
}

/// A job's result, once a helper has run it.
pub struct Pending<T> {
    slot: Arc<Slot<T>>,
}

impl<T> Future for Pending<T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        // Register first, then look: a result stored in between still wakes us.
        self.slot.waker.register(cx.waker());
        let taken = self.slot.value.lock().ok().and_then(|mut v| v.take());
        match taken {
            Some(value) => Poll::Ready(value),
            None => Poll::Pending,
        }
    }
}
