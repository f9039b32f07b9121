//! A shard's cache of small hot files: bounded in bytes, evicting with CLOCK.
//!
//! Each shard owns one; nothing here is shared or locked. Keys are request paths, one table
//! per site, so a lookup borrows the request's bytes and allocates nothing. Values are handed
//! out as `Rc` so a response being written keeps its body alive even if the entry is evicted
//! or replaced meanwhile. Whether an entry is still fresh (the file on disk unchanged) is the
//! caller's business: it stores what it needs in `V` and calls [`FileCache::remove`].
//!
//! Keys are hashed with FxHash: they are request paths of files that exist under a site root
//! (entries are only made for files read from disk), so a client cannot flood a table with
//! colliding keys, and the hash costs a few nanoseconds instead of SipHash's tens.
//!
//! CLOCK rather than LRU: a hit only sets a bit (no list surgery on the hot path), and eviction
//! sweeps a hand over the slots, sparing entries hit since the last sweep.

use rustc_hash::FxHashMap as HashMap;
use std::rc::Rc;

pub struct FileCache<V> {
    tables: Vec<HashMap<Box<[u8]>, usize>>,
    slots: Vec<Option<Slot<V>>>,
    free: Vec<usize>,
    hand: usize,
    bytes: usize,
    bytes_max: usize,
    entry_bytes_max: usize,
}

struct Slot<V> {
    site: usize,
    key: Box<[u8]>,
    value: Rc<V>,
    weight: usize,
    referenced: bool,
}

impl<V> FileCache<V> {
    pub fn new(sites: usize, bytes_max: usize, entry_bytes_max: usize) -> Self {
        FileCache {
            tables: (0..sites).map(|_| HashMap::default()).collect(),
            slots: Vec::new(),
            free: Vec::new(),
            hand: 0,
            bytes: 0,
            bytes_max,
            entry_bytes_max: entry_bytes_max.min(bytes_max),
        }
    }

    /// Whether an entry of `weight` bytes may be cached at all.
    pub fn admits(&self, weight: usize) -> bool {
        weight <= self.entry_bytes_max
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn len(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&mut self, site: usize, key: &[u8]) -> Option<&Rc<V>> {
        let index = *self.tables.get(site)?.get(key)?;
        let slot = self.slots[index].as_mut()?;
        slot.referenced = true;
        Some(&slot.value)
    }

    /// Caches `value` under `key`, replacing an older entry and evicting others as needed.
    /// Returns false (and caches nothing) if `weight` is over the per-entry bound.
    pub fn insert(&mut self, site: usize, key: Box<[u8]>, value: Rc<V>, weight: usize) -> bool {
        if !self.admits(weight) || site >= self.tables.len() {
            return false;
        }
        self.remove(site, &key);
        while self.bytes + weight > self.bytes_max {
            if !self.evict_one() {
                return false;
            }
        }
        let slot = Slot {
            site,
            key: key.clone(),
            value,
            weight,
            referenced: false,
        };
        let index = match self.free.pop() {
            Some(index) => {
                self.slots[index] = Some(slot);
                index
            }
            None => {
                self.slots.push(Some(slot));
                self.slots.len() - 1
            }
        };
        self.tables[site].insert(key, index);
        self.bytes += weight;
        debug_assert!(self.bytes <= self.bytes_max);
        true
    }

    pub fn remove(&mut self, site: usize, key: &[u8]) -> Option<Rc<V>> {
        let index = self.tables.get_mut(site)?.remove(key)?;
        let slot = self.slots[index].take()?;
        self.bytes -= slot.weight;
        self.free.push(index);
        Some(slot.value)
    }

    pub fn clear(&mut self) {
        self.tables.iter_mut().for_each(HashMap::clear);
        self.slots.clear();
        self.free.clear();
        self.hand = 0;
        self.bytes = 0;
    }

    /// Advances the CLOCK hand until it evicts one entry; false if the cache is empty.
    fn evict_one(&mut self) -> bool {
        if self.is_empty() {
            return false;
        }
        // Two sweeps clear every reference bit, so the loop ends.
        for _ in 0..2 * self.slots.len() + 1 {
            let index = self.hand;
            self.hand = (self.hand + 1) % self.slots.len();
            let Some(slot) = self.slots[index].as_mut() else {
                continue;
            };
            if slot.referenced {
                slot.referenced = false;
                continue;
            }
            let (site, key) = (slot.site, slot.key.clone());
            self.remove(site, &key);
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(bytes_max: usize) -> FileCache<&'static str> {
        FileCache::new(2, bytes_max, bytes_max)
    }

    #[test]
    fn sites_do_not_share_keys() {
        let mut c = cache(100);
        assert!(c.insert(0, b"/a".as_slice().into(), Rc::new("site0"), 10));
        assert!(c.insert(1, b"/a".as_slice().into(), Rc::new("site1"), 10));
        assert_eq!(c.get(0, b"/a").map(|v| **v), Some("site0"));
        assert_eq!(c.get(1, b"/a").map(|v| **v), Some("site1"));
        assert_eq!(c.bytes(), 20);
    }

    #[test]
    fn replacing_an_entry_keeps_bytes_exact() {
        let mut c = cache(100);
        c.insert(0, b"/a".as_slice().into(), Rc::new("old"), 30);
        c.insert(0, b"/a".as_slice().into(), Rc::new("new"), 40);
        assert_eq!(c.bytes(), 40);
        assert_eq!(c.len(), 1);
        assert_eq!(c.get(0, b"/a").map(|v| **v), Some("new"));
    }

    #[test]
    fn eviction_spares_recently_used_entries() {
        let mut c = cache(30);
        for key in [b"/a", b"/b", b"/c"] {
            c.insert(0, key.as_slice().into(), Rc::new("x"), 10);
        }
        assert!(c.get(0, b"/a").is_some());
        c.insert(0, b"/d".as_slice().into(), Rc::new("x"), 10);
        assert!(c.get(0, b"/a").is_some(), "hit entry survives");
        assert!(c.get(0, b"/b").is_none(), "coldest entry goes");
        assert!(c.bytes() <= 30);
    }

    #[test]
    fn oversized_entries_are_refused() {
        let mut c = FileCache::new(1, 100, 10);
        assert!(!c.insert(0, b"/big".as_slice().into(), Rc::new(()), 11));
        assert!(c.is_empty());
    }

    #[test]
    fn bound_holds_under_churn() {
        let mut c = cache(1000);
        for i in 0..10_000u32 {
            let key = format!("/{}", i % 300).into_bytes().into_boxed_slice();
            c.insert(0, key, Rc::new("x"), 1 + (i as usize * 7) % 90);
            if i % 3 == 0 {
                let probe = format!("/{}", (i * 11) % 300);
                c.get(0, probe.as_bytes());
            }
            assert!(c.bytes() <= 1000);
        }
    }
}
