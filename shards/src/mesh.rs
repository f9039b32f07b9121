//! The mesh: bounded, lock-free queues between shards, with an explicit wake-up.
//!
//! Every shard owns one inbox: a crossbeam `ArrayQueue` (bounded, lock-free, many producers)
//! plus an `AtomicWaker` that parks the shard's receiving task. Any shard, and the control thread
//! (signals, reload), can send to any inbox or broadcast to all. A full inbox is back-pressure:
//! [`MeshSender::send`] hands the message back and the sender decides (wait, drop, answer
//! without that shard); queues never grow without bound.
//!
//! Messages are moved, never shared mutably: a shard's state stays its own.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

#[cfg(not(loom))]
use atomic_waker::AtomicWaker;
#[cfg(not(loom))]
use crossbeam_queue::ArrayQueue;
#[cfg(loom)]
use loom::future::AtomicWaker;
#[cfg(loom)]
use loom_queue::ArrayQueue;

/// The wake-up protocol (the `AtomicWaker` pattern of futures and tokio):
///
/// ```text
/// receiver:  pop, else register waker; pop again, else sleep
/// sender:    push; wake
/// ```
///
/// A push that lands after the receiver's first pop is either seen by the second pop, or
/// comes after the registration and so its wake reaches the registered waker: no message is
/// left unseen while the receiver sleeps. `tests/loom_mesh.rs` model-checks this.
struct Inbox<M> {
    queue: ArrayQueue<M>,
    waker: AtomicWaker,
}

/// Builds the inboxes of `shards` shards, each holding at most `depth` messages.
pub fn mesh<M: Send>(shards: usize, depth: usize) -> (MeshSender<M>, Vec<MeshReceiver<M>>) {
    assert!(shards >= 1 && depth >= 1);
    let inboxes: Arc<[Inbox<M>]> = (0..shards)
        .map(|_| Inbox {
            queue: ArrayQueue::new(depth),
            waker: AtomicWaker::new(),
        })
        .collect();
    let receivers = (0..shards)
        .map(|me| MeshReceiver {
            me,
            inboxes: inboxes.clone(),
        })
        .collect();
    (MeshSender { inboxes }, receivers)
}

/// A handle that sends to any shard. Cheap to clone; may be used from any thread.
pub struct MeshSender<M> {
    inboxes: Arc<[Inbox<M>]>,
}

impl<M> Clone for MeshSender<M> {
    fn clone(&self) -> Self {
        MeshSender {
            inboxes: self.inboxes.clone(),
        }
    }
}

/// The message could not be queued: the destination's inbox is full (or does not exist).
#[derive(Debug)]
pub struct Full<M>(pub M);

impl<M> MeshSender<M> {
    pub fn shards(&self) -> usize {
        self.inboxes.len()
    }

    /// Queues `message` for shard `to` and wakes it if it sleeps.
    pub fn send(&self, to: usize, message: M) -> Result<(), Full<M>> {
        let Some(inbox) = self.inboxes.get(to) else {
            return Err(Full(message));
        };
        inbox.queue.push(message).map_err(Full)?;
        inbox.waker.wake();
        Ok(())
    }

    /// Sends `make(shard)` to every shard; returns the shards whose inbox was full.
    pub fn broadcast(&self, mut make: impl FnMut(usize) -> M) -> Vec<usize> {
        (0..self.inboxes.len())
            .filter(|&to| self.send(to, make(to)).is_err())
            .collect()
    }
}

/// The receiving end of one shard's inbox. Also a sender, so a shard can talk to its peers.
pub struct MeshReceiver<M> {
    me: usize,
    inboxes: Arc<[Inbox<M>]>,
}

impl<M> MeshReceiver<M> {
    pub fn shard(&self) -> usize {
        self.me
    }

    pub fn sender(&self) -> MeshSender<M> {
        MeshSender {
            inboxes: self.inboxes.clone(),
        }
    }

    /// Takes one waiting message, if any, without sleeping.
    pub fn try_recv(&self) -> Option<M> {
        self.inboxes[self.me].queue.pop()
    }

    /// Waits for the next message.
    pub fn recv(&self) -> Recv<'_, M> {
        Recv { receiver: self }
    }
}

pub struct Recv<'a, M> {
    receiver: &'a MeshReceiver<M>,
}

impl<M> Future for Recv<'_, M> {
    type Output = M;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<M> {
        let inbox = &self.receiver.inboxes[self.receiver.me];
        if let Some(message) = inbox.queue.pop() {
            return Poll::Ready(message);
        }
        #[cfg(not(loom))]
        inbox.waker.register(cx.waker());
        #[cfg(loom)]
        inbox.waker.register_by_ref(cx.waker());
        match inbox.queue.pop() {
            Some(message) => Poll::Ready(message),
            None => Poll::Pending,
        }
    }
}

/// Under loom the queue is a mutex-guarded deque: loom cannot see inside crossbeam's atomics,
/// and what the model checks is our wake-up protocol around the queue, not the queue itself.
#[cfg(loom)]
mod loom_queue {
    use loom::sync::Mutex;
    use std::collections::VecDeque;

    pub struct ArrayQueue<T> {
        items: Mutex<VecDeque<T>>,
        cap: usize,
    }

    impl<T> ArrayQueue<T> {
        pub fn new(cap: usize) -> Self {
            ArrayQueue {
                items: Mutex::new(VecDeque::new()),
                cap,
            }
        }
        pub fn push(&self, item: T) -> Result<(), T> {
            let mut items = self.items.lock().unwrap();
            if items.len() == self.cap {
                return Err(item);
            }
            items.push_back(item);
            Ok(())
        }
        pub fn pop(&self) -> Option<T> {
            self.items.lock().unwrap().pop_front()
        }
    }
}
