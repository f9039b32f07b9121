//! S3-FIFO's ghost queue: hashes of keys recently evicted from the small queue, no pages.
//!
//! A key that comes back while its ghost is remembered was evicted too early (its second
//! request came after the small queue had moved on), so it is inserted straight into the main
//! queue. A hash collision only misplaces one insertion, which is harmless, so the ghost keeps
//! 8 bytes per key rather than the key.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

pub(crate) struct Ghost {
    /// Oldest first; `(hash, sequence)`. An element whose sequence no longer matches the map
    /// was taken back out (its key returned) and is skipped when it reaches the front.
    order: VecDeque<(u64, u64)>,
    /// Hash to the sequence of its newest element in `order`. The hashes are SipHash outputs,
    /// already uniform, so FxHash over them is enough.
    members: FxHashMap<u64, u64>,
    next_sequence: u64,
}

impl Ghost {
    pub(crate) fn new() -> Ghost {
        Ghost {
            order: VecDeque::new(),
            members: FxHashMap::default(),
            next_sequence: 0,
        }
    }

    /// Remembers `hash`, forgetting the oldest hashes beyond `capacity`.
    pub(crate) fn push(&mut self, hash: u64, capacity: usize) {
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        self.order.push_back((hash, sequence));
        self.members.insert(hash, sequence);
        while self.order.len() > capacity {
            let Some((old, old_sequence)) = self.order.pop_front() else {
                break;
            };
            if self.members.get(&old) == Some(&old_sequence) {
                self.members.remove(&old);
            }
        }
        debug_assert!(self.members.len() <= self.order.len());
    }

    /// True if `hash` was remembered; it is forgotten either way.
    pub(crate) fn take(&mut self, hash: u64) -> bool {
        self.members.remove(&hash).is_some()
    }

    pub(crate) fn clear(&mut self) {
        self.order.clear();
        self.members.clear();
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }
}
