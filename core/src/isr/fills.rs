//! Renders under way, per key: who may render a key now, and until when.
//!
//! One table serves both kinds of render, a miss being filled and a stale page being
//! revalidated, so a request that misses while the page's revalidation is under way (the entry
//! expired or was evicted meanwhile) waits for that render instead of starting another. A
//! record carries a deadline: a render that is never reported back (its task was lost) stops
//! blocking the key once the deadline passes, and the next request takes over.

use hashbrown::HashTable;

use super::key::{CacheKey, OwnedKey};

pub(crate) struct Fills {
    records: HashTable<Record>,
    records_max: usize,
    next_id: u64,
}

struct Record {
    key: OwnedKey,
    id: u64,
    deadline_ms: u64,
}

pub(crate) enum Claim {
    /// The caller renders; the record is `id`'s until `deadline_ms`.
    Granted(u64),
    /// Another render of the key is under way.
    Taken,
    /// The table is full of live records: the caller may render, but nobody will wait for it.
    Untracked(u64),
}

impl Fills {
    pub(crate) fn new(records_max: usize) -> Fills {
        Fills {
            records: HashTable::new(),
            records_max,
            next_id: 0,
        }
    }

    /// Claims `key` for a render until `deadline_ms`, unless a live claim holds it.
    pub(crate) fn claim(&mut self, key: CacheKey<'_>, now_ms: u64, deadline_ms: u64) -> Claim {
        let id = self.next_id;
        self.next_id += 1;
        let hash = key.hash();
        let full = self.records.len() >= self.records_max;
        match self
            .records
            .find_mut(hash, |record| record.key.matches(key))
        {
            Some(record) if now_ms < record.deadline_ms => Claim::Taken,
            Some(record) => {
                // The previous holder missed its deadline: presumed lost.
                record.id = id;
                record.deadline_ms = deadline_ms;
                Claim::Granted(id)
            }
            None if full => Claim::Untracked(id),
            None => {
                let record = Record {
                    key: key.to_owned_key(),
                    id,
                    deadline_ms,
                };
                self.records
                    .insert_unique(hash, record, |record| record.key.hash);
                Claim::Granted(id)
            }
        }
    }

    /// Ends claim `id` on the key hashed `hash`; a claim that was taken over since is left to
    /// its new holder.
    pub(crate) fn release(&mut self, hash: u64, id: u64) {
        if let Ok(entry) = self
            .records
            .find_entry(hash, |record| record.key.hash == hash && record.id == id)
        {
            entry.remove();
        }
    }

    /// Drops the claims whose deadline has passed; returns how many.
    pub(crate) fn sweep(&mut self, now_ms: u64) -> usize {
        let before = self.records.len();
        self.records.retain(|record| now_ms < record.deadline_ms);
        before - self.records.len()
    }

    pub(crate) fn clear(&mut self) {
        self.records.clear();
    }

    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }
}
