//! The entries and S3-FIFO, by bytes: a small FIFO, a main FIFO and a ghost queue.
//!
//! Entries live in a slab (`cells`, reused through `free`) and are found through a hash table
//! of `(hash, slot)` pairs, so a key's path is stored once. The two FIFOs hold `(slot, id)`
//! pairs; `id` is unique per stored entry, never reused, so an entry removed out of order (by
//! expiry, replacement or `clear`) leaves a tombstone that is recognised and skipped when it
//! reaches the front. A FIFO is compacted when its tombstones outnumber its live entries, so
//! tombstones cost amortised O(1) and a FIFO never holds more than about twice its entries.
//!
//! A hit costs one increment of a 2-bit counter and moves nothing (S3-FIFO's lazy promotion);
//! eviction does the sorting:
//!
//! - while the small FIFO holds more than [`SMALL_PERCENT`] of the budget (or the main FIFO is
//!   empty), its oldest entry leaves it: to the main FIFO if it was hit since insertion, else
//!   out of the cache, its hash into the ghost queue;
//! - otherwise the oldest entry of the main FIFO is reinserted at the back with its counter
//!   decremented if it was hit, else evicted.
//!
//! A new key goes into the small FIFO, or straight into the main FIFO if the ghost remembers
//! it. Each step of the eviction loop either frees an entry, empties the small FIFO by one, or
//! spends one unit of a counter that a hit paid for, so eviction is amortised O(1).

use std::collections::VecDeque;

use hashbrown::HashTable;

use super::ghost::Ghost;
use super::key::{CacheKey, KeyHasher, OwnedKey};
use super::page::{Page, PageHead};
use super::tags::TagIndex;

/// Share of the byte budget the small FIFO holds before it is drained (S3-FIFO's 10%).
pub(crate) const SMALL_PERCENT: usize = 10;
/// Largest access counter: three hits buy three passes through the main FIFO.
// tidy: not a limit: the frequency cap of the S3-FIFO policy (its paper uses 3).
const FREQ_MAX: u8 = 3;
/// The ghost remembers as many hashes as the cache holds entries, but never fewer than this,
/// so a nearly empty cache still learns which keys come back.
// tidy: not a limit: a sizing parameter of the policy (the ghost queue follows the budget).
const GHOST_ENTRIES_MIN: usize = 1024;
/// Tombstones a FIFO may hold beyond its live entries before it is compacted.
// tidy: not a limit: when the FIFOs compact, not how much they may hold.
const TOMBSTONES_SLACK: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Queue {
    Small,
    Main,
}

pub(crate) struct Slot<H> {
    pub(crate) key: OwnedKey,
    pub(crate) page: Page<H>,
    /// Marked stale by an invalidation; cleared only by a new render replacing the entry.
    pub(crate) invalidated: bool,
    pub(crate) charge: usize,
    freq: u8,
    queue: Queue,
    id: u64,
}

/// Where a replaced entry was, so its new rendering keeps its standing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Standing {
    queue: Queue,
    freq: u8,
}

struct Fifo {
    items: VecDeque<(u32, u64)>,
    live: usize,
    bytes: usize,
}

pub(crate) struct Store<H: PageHead = bytes::Bytes> {
    hasher: KeyHasher,
    table: HashTable<(u64, u32)>,
    cells: Vec<Option<Slot<H>>>,
    free: Vec<u32>,
    small: Fifo,
    main: Fifo,
    ghost: Ghost,
    tags: TagIndex,
    bytes: usize,
    bytes_max: usize,
    small_bytes_target: usize,
    next_id: u64,
    pub(crate) evictions: u64,
}

impl<H: PageHead> Store<H> {
    pub(crate) fn new(hasher: KeyHasher, bytes_max: usize) -> Store<H> {
        Store {
            hasher,
            table: HashTable::new(),
            cells: Vec::new(),
            free: Vec::new(),
            small: Fifo::new(),
            main: Fifo::new(),
            ghost: Ghost::new(),
            tags: TagIndex::new(),
            bytes: 0,
            bytes_max,
            small_bytes_target: (bytes_max as u128 * SMALL_PERCENT as u128 / 100) as usize,
            next_id: 0,
            evictions: 0,
        }
    }

    pub(crate) fn hasher(&self) -> &KeyHasher {
        &self.hasher
    }

    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    pub(crate) fn entries(&self) -> usize {
        self.table.len()
    }

    pub(crate) fn find(&self, key: CacheKey<'_>) -> Option<u32> {
        let cells = &self.cells;
        self.table
            .find(key.hash(), |&(hash, index)| {
                hash == key.hash() && cell(cells, index).is_some_and(|slot| slot.key.matches(key))
            })
            .map(|&(_, index)| index)
    }

    /// The entry in `index`, which the caller just found.
    pub(crate) fn slot(&self, index: u32) -> &Slot<H> {
        match cell(&self.cells, index) {
            Some(slot) => slot,
            None => panic!("slot {index} is empty"),
        }
    }

    fn slot_mut(&mut self, index: u32) -> &mut Slot<H> {
        match self.cells.get_mut(index as usize).and_then(Option::as_mut) {
            Some(slot) => slot,
            None => panic!("slot {index} is empty"),
        }
    }

    /// Counts an access (a fresh or stale hit).
    pub(crate) fn touch(&mut self, index: u32) {
        let slot = self.slot_mut(index);
        slot.freq = (slot.freq + 1).min(FREQ_MAX);
    }

    /// Stores a new entry for a key that is not in the store. `standing` is that of the entry
    /// it replaces, if any; otherwise the ghost decides between the small and main FIFO.
    /// The caller checked that `charge` fits the budget.
    pub(crate) fn insert(
        &mut self,
        key: OwnedKey,
        page: Page<H>,
        invalidated: bool,
        charge: usize,
        standing: Option<Standing>,
    ) {
        assert!(
            charge <= self.bytes_max,
            "entry of {charge} bytes over the budget"
        );
        let standing = standing.unwrap_or_else(|| Standing {
            queue: if self.ghost.take(key.hash) {
                Queue::Main
            } else {
                Queue::Small
            },
            freq: 0,
        });
        while self.bytes + charge > self.bytes_max {
            if !self.evict_one() {
                debug_assert!(false, "nothing to evict with {} bytes held", self.bytes);
                return;
            }
        }

        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                self.cells.push(None);
                // The budget bounds the entries far below u32::MAX (see `IsrCache::new`).
                (self.cells.len() - 1) as u32
            }
        };
        let id = self.next_id;
        self.next_id += 1;
        for tag in &page.tags {
            self.tags.add(&self.hasher, key.site, tag, index);
        }
        self.table
            .insert_unique(key.hash, (key.hash, index), |&(hash, _)| hash);
        self.fifo_mut(standing.queue).push(index, id, charge);
        self.bytes += charge;
        self.cells[index as usize] = Some(Slot {
            key,
            page,
            invalidated,
            charge,
            freq: standing.freq,
            queue: standing.queue,
            id,
        });
    }

    /// Removes the entry in `index` (not by eviction) and says where it stood.
    pub(crate) fn remove(&mut self, index: u32) -> Standing {
        let Some(slot) = self.cells.get_mut(index as usize).and_then(Option::take) else {
            panic!("slot {index} is empty");
        };
        let standing = Standing {
            queue: slot.queue,
            freq: slot.freq,
        };
        self.forget(index, slot);
        standing
    }

    /// Marks the entries tagged `tag` on `site` stale; returns how many were fresh until now.
    pub(crate) fn invalidate_tag(&mut self, site: usize, tag: &str) -> usize {
        let mut marked = 0;
        for index in self.tags.members(&self.hasher, site, tag) {
            if let Some(slot) = self.cells.get_mut(index as usize).and_then(Option::as_mut)
                && !slot.invalidated
            {
                slot.invalidated = true;
                marked += 1;
            }
        }
        marked
    }

    /// Marks `index` stale; true if it was not already.
    pub(crate) fn invalidate(&mut self, index: u32) -> bool {
        let slot = self.slot_mut(index);
        !std::mem::replace(&mut slot.invalidated, true)
    }

    pub(crate) fn clear(&mut self) {
        self.table.clear();
        self.cells.clear();
        self.free.clear();
        self.small = Fifo::new();
        self.main = Fifo::new();
        self.ghost.clear();
        self.tags.clear();
        self.bytes = 0;
    }

    /// One step of S3-FIFO eviction, repeated until an entry leaves. False if there was
    /// nothing to evict (which the byte accounting rules out).
    fn evict_one(&mut self) -> bool {
        loop {
            let from_small = self.small.bytes > self.small_bytes_target || self.main.live == 0;
            let queue = if from_small {
                Queue::Small
            } else {
                Queue::Main
            };
            let Some((index, id)) = self.pop_live(queue) else {
                return false;
            };
            let slot = self.slot_mut(index);
            let (freq, charge, hash) = (slot.freq, slot.charge, slot.key.hash);
            match (queue, freq) {
                (Queue::Small, 0) | (Queue::Main, 0) => {
                    if queue == Queue::Small {
                        let capacity = self.table.len().max(GHOST_ENTRIES_MIN);
                        self.ghost.push(hash, capacity);
                    }
                    if let Some(slot) = self.cells.get_mut(index as usize).and_then(Option::take) {
                        self.forget(index, slot);
                    }
                    self.evictions += 1;
                    return true;
                }
                (Queue::Small, _) => {
                    // Hit while on probation: it has earned the main FIFO, counter kept so
                    // that a page hit several times survives several main passes.
                    slot.queue = Queue::Main;
                    self.small.live -= 1;
                    self.small.bytes -= charge;
                    self.main.push(index, id, charge);
                    self.compact(Queue::Small);
                }
                (Queue::Main, _) => {
                    slot.freq -= 1;
                    self.main.items.push_back((index, id));
                }
            }
        }
    }

    /// The oldest live entry of `queue`, taken off it (its accounting still counts it).
    fn pop_live(&mut self, queue: Queue) -> Option<(u32, u64)> {
        let cells = &self.cells;
        let fifo = match queue {
            Queue::Small => &mut self.small,
            Queue::Main => &mut self.main,
        };
        while let Some((index, id)) = fifo.items.pop_front() {
            if cell(cells, index).is_some_and(|slot| slot.id == id) {
                return Some((index, id));
            }
        }
        None
    }

    /// Drops the table, tag and byte accounting of an entry (its FIFO item is either already
    /// popped or left behind as a tombstone).
    fn forget(&mut self, index: u32, slot: Slot<H>) {
        let hash = slot.key.hash;
        if let Ok(entry) = self
            .table
            .find_entry(hash, |&(h, i)| h == hash && i == index)
        {
            entry.remove();
        }
        for tag in &slot.page.tags {
            self.tags.remove(&self.hasher, slot.key.site, tag, index);
        }
        let fifo = self.fifo_mut(slot.queue);
        fifo.live -= 1;
        fifo.bytes -= slot.charge;
        self.bytes -= slot.charge;
        self.free.push(index);
        self.compact(slot.queue);
    }

    fn compact(&mut self, queue: Queue) {
        let cells = &self.cells;
        let fifo = match queue {
            Queue::Small => &mut self.small,
            Queue::Main => &mut self.main,
        };
        if fifo.items.len() > 2 * fifo.live + TOMBSTONES_SLACK {
            fifo.items
                .retain(|&(index, id)| cell(cells, index).is_some_and(|slot| slot.id == id));
        }
    }

    fn fifo_mut(&mut self, queue: Queue) -> &mut Fifo {
        match queue {
            Queue::Small => &mut self.small,
            Queue::Main => &mut self.main,
        }
    }
}

impl Fifo {
    fn new() -> Fifo {
        Fifo {
            items: VecDeque::new(),
            live: 0,
            bytes: 0,
        }
    }

    fn push(&mut self, index: u32, id: u64, charge: usize) {
        self.items.push_back((index, id));
        self.live += 1;
        self.bytes += charge;
    }
}

fn cell<H>(cells: &[Option<Slot<H>>], index: u32) -> Option<&Slot<H>> {
    cells.get(index as usize).and_then(Option::as_ref)
}

#[cfg(test)]
impl<H: PageHead> Store<H> {
    /// Checks every invariant of the store in O(entries), for tests after each operation.
    pub(crate) fn check_invariants(&self, entry_bytes_max: usize) {
        use std::collections::{HashMap, HashSet};

        let free: HashSet<u32> = self.free.iter().copied().collect();
        assert_eq!(free.len(), self.free.len(), "a slot is free twice");
        let mut listed: HashMap<u64, (Queue, usize)> = HashMap::new();
        for (queue, fifo) in [(Queue::Small, &self.small), (Queue::Main, &self.main)] {
            for &(_, id) in &fifo.items {
                let count = listed.entry(id).or_insert((queue, 0));
                assert_eq!(count.0, queue, "entry {id} in both FIFOs");
                count.1 += 1;
            }
        }
        let mut bytes = 0;
        let mut queue_bytes = [0usize; 2];
        let mut queue_live = [0usize; 2];
        let mut expected_tags = Vec::new();
        for (index, slot) in self.cells.iter().enumerate() {
            let index = index as u32;
            let Some(slot) = slot else {
                assert!(free.contains(&index), "empty slot {index} not free");
                continue;
            };
            assert!(!free.contains(&index), "live slot {index} in the free list");
            assert!(
                slot.charge <= entry_bytes_max,
                "entry of {} bytes",
                slot.charge
            );
            assert!(slot.freq <= FREQ_MAX);
            let found = self
                .table
                .find(slot.key.hash, |&(h, i)| h == slot.key.hash && i == index);
            assert!(found.is_some(), "slot {index} not in the table");
            bytes += slot.charge;
            let q = slot.queue as usize;
            queue_bytes[q] += slot.charge;
            queue_live[q] += 1;
            assert_eq!(
                listed.get(&slot.id),
                Some(&(slot.queue, 1)),
                "slot {index} not listed exactly once in its FIFO"
            );
            for tag in &slot.page.tags {
                expected_tags.push((slot.key.site, tag.to_string(), index));
            }
        }
        let live = queue_live[0] + queue_live[1];
        assert_eq!(self.table.len(), live, "table size");
        assert_eq!(self.bytes, bytes, "bytes held != sum of entry sizes");
        assert!(
            self.bytes <= self.bytes_max,
            "{} bytes over the budget {}",
            self.bytes,
            self.bytes_max
        );
        assert_eq!(
            (self.small.bytes, self.small.live),
            (queue_bytes[0], queue_live[0]),
            "small FIFO accounting"
        );
        assert_eq!(
            (self.main.bytes, self.main.live),
            (queue_bytes[1], queue_live[1]),
            "main FIFO accounting"
        );
        for fifo in [&self.small, &self.main] {
            assert!(
                fifo.items.len() <= 2 * fifo.live + TOMBSTONES_SLACK,
                "tombstones pile up"
            );
        }
        let entries_max = self.bytes_max / super::ISR_ENTRY_OVERHEAD_BYTES;
        assert!(
            self.ghost.len() <= entries_max.max(GHOST_ENTRIES_MIN),
            "ghost over capacity"
        );
        let mut actual_tags = self.tags.memberships();
        expected_tags.sort();
        expected_tags.dedup();
        actual_tags.sort();
        assert_eq!(
            actual_tags, expected_tags,
            "tag index out of step with the entries"
        );
    }

    pub(crate) fn queue_of(&self, index: u32) -> Queue {
        self.slot(index).queue
    }
}
