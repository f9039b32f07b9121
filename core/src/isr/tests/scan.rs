//! Scan resistance: pages requested once (a crawler, a link checker walking `/table/1` to
//! `/table/100000`) must not push out the pages that are requested again and again.
//!
//! Each scenario runs the ISR cache and, as the baseline, an LRU of the same byte budget, and
//! prints both hit ratios (`cargo test -p bext-core scan -- --nocapture`). Measured here:
//!
//! ```text
//! interleaved, 80% one-hit pages:  S3-FIFO hot hit ratio 1.000, LRU 0.400
//! burst of 10x the budget:        S3-FIFO hot set kept 1.000, LRU 0.000
//! ```

use std::collections::{BTreeMap, HashMap};

use super::{cache, page};
use crate::isr::{Fill, IsrCache, IsrConfig, Lookup, entry_charge};

const BYTES_MAX: usize = 1024 * 1024;
const BODY_BYTES: usize = 4 * 1024;
/// The hot pages take about 45% of the budget, well inside the main FIFO's 90%.
const HOT_PAGES: usize = 100;

/// A request for `path`; true on a hit. A miss renders and stores the page, as the server does.
fn request(cache: &mut IsrCache, path: &str) -> bool {
    let key = cache.hasher().clone().key(0, path.as_bytes());
    if matches!(cache.lookup(key, 0), Lookup::Fresh(_)) {
        return true;
    }
    let Fill::Leader(ticket) = cache.begin_fill(key, 0) else {
        panic!("{path}: nothing else renders in this test");
    };
    cache.insert(key, page(BODY_BYTES, 0, None, &[]), ticket);
    false
}

/// Least-recently-used eviction by bytes, the baseline: what a cache without a probation
/// queue does with a scan.
struct Lru {
    bytes_max: usize,
    bytes: usize,
    clock: u64,
    last_use: HashMap<String, u64>,
    by_age: BTreeMap<u64, String>,
}

impl Lru {
    fn new(bytes_max: usize) -> Lru {
        Lru {
            bytes_max,
            bytes: 0,
            clock: 0,
            last_use: HashMap::new(),
            by_age: BTreeMap::new(),
        }
    }

    fn request(&mut self, path: &str, charge: usize) -> bool {
        self.clock += 1;
        if let Some(used) = self.last_use.insert(path.to_owned(), self.clock) {
            self.by_age.remove(&used);
            self.by_age.insert(self.clock, path.to_owned());
            return true;
        }
        self.by_age.insert(self.clock, path.to_owned());
        self.bytes += charge;
        while self.bytes > self.bytes_max {
            let Some((_, oldest)) = self.by_age.pop_first() else {
                break;
            };
            self.last_use.remove(&oldest);
            self.bytes -= charge;
        }
        false
    }
}

fn charge(path: &str) -> usize {
    entry_charge(path.as_bytes(), &page(BODY_BYTES, 0, None, &[]))
}

fn hot(i: usize) -> String {
    format!("/hot/{i}")
}

fn warm_up(cache: &mut IsrCache, lru: &mut Lru) {
    for _ in 0..3 {
        for i in 0..HOT_PAGES {
            let path = hot(i);
            request(cache, &path);
            lru.request(&path, charge(&path));
        }
    }
}

#[test]
fn one_hit_pages_interleaved_with_hot_ones_do_not_evict_them() {
    let mut cache = cache(IsrConfig {
        bytes_max: BYTES_MAX,
        ..IsrConfig::default()
    });
    let mut lru = Lru::new(BYTES_MAX);
    warm_up(&mut cache, &mut lru);

    // Four one-hit pages for every hot request: between two requests for one hot page come
    // about 400 pages never seen again, nearly twice what the budget holds.
    let (mut requests, mut cache_hits, mut lru_hits) = (0u32, 0u32, 0u32);
    let mut scanned = 0usize;
    let mut state = 0x9e37_79b9u64;
    for step in 0..50_000usize {
        if step % 5 == 0 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let path = hot((state >> 33) as usize % HOT_PAGES);
            requests += 1;
            cache_hits += u32::from(request(&mut cache, &path));
            lru_hits += u32::from(lru.request(&path, charge(&path)));
        } else {
            let path = format!("/scan/{scanned}");
            scanned += 1;
            request(&mut cache, &path);
            lru.request(&path, charge(&path));
        }
    }
    cache.check_invariants();
    let cache_ratio = f64::from(cache_hits) / f64::from(requests);
    let lru_ratio = f64::from(lru_hits) / f64::from(requests);
    println!(
        "interleaved, 80% one-hit pages: S3-FIFO hot hit ratio {cache_ratio:.3}, LRU {lru_ratio:.3} \
         ({requests} hot requests, {scanned} one-hit pages, {} evictions)",
        cache.stats().evictions
    );
    assert!(
        cache_ratio >= 0.99,
        "hot pages lost to a scan: {cache_ratio:.3}"
    );
    assert!(
        lru_ratio < 0.6,
        "the baseline should suffer: {lru_ratio:.3}"
    );
}

#[test]
fn a_burst_of_one_hit_pages_leaves_the_hot_set_in_place() {
    let mut cache = cache(IsrConfig {
        bytes_max: BYTES_MAX,
        ..IsrConfig::default()
    });
    let mut lru = Lru::new(BYTES_MAX);
    warm_up(&mut cache, &mut lru);

    let burst_pages = 10 * BYTES_MAX / charge("/scan/0");
    for i in 0..burst_pages {
        let path = format!("/scan/{i}");
        request(&mut cache, &path);
        lru.request(&path, charge(&path));
    }
    cache.check_invariants();
    let mut kept = 0u32;
    let mut lru_kept = 0u32;
    for i in 0..HOT_PAGES {
        let path = hot(i);
        kept += u32::from(request(&mut cache, &path));
        lru_kept += u32::from(lru.request(&path, charge(&path)));
    }
    let ratio = f64::from(kept) / HOT_PAGES as f64;
    let lru_ratio = f64::from(lru_kept) / HOT_PAGES as f64;
    println!(
        "burst of {burst_pages} one-hit pages (10x the budget): S3-FIFO hot set kept {ratio:.3}, \
         LRU {lru_ratio:.3}"
    );
    assert_eq!(kept as usize, HOT_PAGES, "hot pages lost to a burst");
    assert_eq!(lru_kept, 0);
    assert!(cache.stats().bytes as usize <= BYTES_MAX);
}
