//! Coarse per-connection deadlines, checked by one sweep per shard.
//!
//! A runtime timer per read (the default backend's `Sleep` is 768 bytes) would make every
//! connection's future several times larger than its read buffer, and idle keep-alive
//! connections are mostly that future. Instead each connection owns a slot here: before an
//! operation it sets the slot's deadline (a `Cell` write), and races the operation against
//! it ([`DeadlineSlot::run`]). One task per shard calls [`Deadlines::sweep`] every
//! `sweep_interval` and wakes the slots whose deadline has passed. A deadline therefore fires
//! up to one sweep interval late, which is what HTTP timeouts need (nginx's timers are
//! similarly coarse), and costs nothing per operation beyond the `Cell` write and a waker
//! check.
//!
//! Nothing here allocates per operation: slots are reused through a free list.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

#[derive(Default)]
pub struct Deadlines {
    slots: RefCell<Vec<Slot>>,
    free: RefCell<Vec<usize>>,
}

#[derive(Default)]
struct Slot {
    in_use: bool,
    deadline: Option<Instant>,
    expired: bool,
    waker: Option<Waker>,
}

/// One connection's deadline slot; released when dropped.
pub struct DeadlineSlot<'d> {
    deadlines: &'d Deadlines,
    index: usize,
}

impl Deadlines {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn slot(&self) -> DeadlineSlot<'_> {
        let mut slots = self.slots.borrow_mut();
        let index = match self.free.borrow_mut().pop() {
            Some(index) => index,
            None => {
                slots.push(Slot::default());
                slots.len() - 1
            }
        };
        slots[index] = Slot {
            in_use: true,
            ..Slot::default()
        };
        DeadlineSlot {
            deadlines: self,
            index,
        }
    }

    /// Wakes every slot whose deadline is at or before `now`; returns how many fired.
    pub fn sweep(&self, now: Instant) -> usize {
        let mut fired = 0;
        for slot in self.slots.borrow_mut().iter_mut() {
            if slot.in_use && !slot.expired && slot.deadline.is_some_and(|d| d <= now) {
                slot.expired = true;
                fired += 1;
                if let Some(waker) = slot.waker.take() {
                    waker.wake();
                }
            }
        }
        fired
    }

    /// Slots in use (connections holding one).
    pub fn len(&self) -> usize {
        self.slots.borrow().len() - self.free.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl DeadlineSlot<'_> {
    /// Runs `op` until it finishes or `deadline` passes (`None` then; `op` is dropped).
    pub async fn run<F: Future>(&self, deadline: Instant, op: F) -> Option<F::Output> {
        self.arm(deadline);
        let mut op = std::pin::pin!(op);
        std::future::poll_fn(|cx| {
            if let Poll::Ready(output) = op.as_mut().poll(cx) {
                return Poll::Ready(Some(output));
            }
            Pin::new(&mut Expired { slot: self })
                .poll(cx)
                .map(|()| None)
        })
        .await
    }

    fn arm(&self, deadline: Instant) {
        let mut slots = self.deadlines.slots.borrow_mut();
        let slot = &mut slots[self.index];
        slot.deadline = Some(deadline);
        // Even a deadline already past waits for the next sweep: no clock read here.
        slot.expired = false;
    }
}

struct Expired<'a, 'd> {
    slot: &'a DeadlineSlot<'d>,
}

impl Future for Expired<'_, '_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut slots = self.slot.deadlines.slots.borrow_mut();
        let slot = &mut slots[self.slot.index];
        if slot.expired {
            return Poll::Ready(());
        }
        match &slot.waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => slot.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

impl Drop for DeadlineSlot<'_> {
    fn drop(&mut self) {
        let mut slots = self.deadlines.slots.borrow_mut();
        slots[self.index] = Slot::default();
        self.deadlines.free.borrow_mut().push(self.index);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn sweep_fires_only_past_deadlines_and_slots_are_reused() {
        let deadlines = Deadlines::new();
        let now = Instant::now();
        let a = deadlines.slot();
        let b = deadlines.slot();
        a.arm(now + Duration::from_secs(1));
        b.arm(now + Duration::from_secs(3));
        assert_eq!(deadlines.sweep(now), 0);
        assert_eq!(deadlines.sweep(now + Duration::from_secs(2)), 1);
        assert_eq!(
            deadlines.sweep(now + Duration::from_secs(2)),
            0,
            "fires once"
        );
        assert_eq!(deadlines.sweep(now + Duration::from_secs(3)), 1);
        let a_index = a.index;
        drop(a);
        let c = deadlines.slot();
        assert_eq!(c.index, a_index, "freed slot reused");
        assert_eq!(deadlines.len(), 2);
        drop((b, c));
        assert!(deadlines.is_empty());
    }

    #[test]
    fn rearming_clears_expiry() {
        let deadlines = Deadlines::new();
        let now = Instant::now();
        let a = deadlines.slot();
        a.arm(now);
        assert_eq!(
            deadlines.sweep(now),
            1,
            "a past deadline fires at the next sweep"
        );
        a.arm(now + Duration::from_secs(60));
        assert!(!deadlines.slots.borrow()[a.index].expired);
        assert_eq!(deadlines.sweep(now + Duration::from_secs(1)), 0);
    }
}
