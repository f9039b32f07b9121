//! S3-FIFO step by step on a budget of ten equal entries.

use super::{cache, page};
use crate::isr::store::Queue;
use crate::isr::{Admission, Fill, IsrCache, IsrConfig, Lookup, Rejection, entry_charge};

const BODY_BYTES: usize = 1000;

fn charge() -> usize {
    entry_charge(b"/p00", &page(BODY_BYTES, 0, None, &[]))
}

fn ten_entry_cache() -> IsrCache {
    // The small FIFO's target is 10% of the budget: exactly one entry.
    cache(IsrConfig {
        bytes_max: 10 * charge(),
        entry_bytes_max: 10 * charge(),
        ..IsrConfig::default()
    })
}

fn put(cache: &mut IsrCache, path: &str) -> Admission {
    let key = cache.hasher().clone().key(0, path.as_bytes());
    let Fill::Leader(ticket) = cache.begin_fill(key, 0) else {
        panic!("{path}: a fill was already under way");
    };
    let admission = cache.insert(key, page(BODY_BYTES, 0, None, &[]), ticket);
    cache.check_invariants();
    admission
}

fn hit(cache: &mut IsrCache, path: &str) -> bool {
    let key = cache.hasher().clone().key(0, path.as_bytes());
    let fresh = matches!(cache.lookup(key, 0), Lookup::Fresh(_));
    cache.check_invariants();
    fresh
}

/// Where `path` is now: `small`, `main` or `-` (not cached), without counting an access.
fn place(cache: &IsrCache, path: &str) -> &'static str {
    let key = cache.hasher().key(0, path.as_bytes());
    match cache
        .store()
        .find(key)
        .map(|index| cache.store().queue_of(index))
    {
        Some(Queue::Small) => "small",
        Some(Queue::Main) => "main",
        None => "-",
    }
}

fn places(cache: &IsrCache, paths: &[&str]) -> String {
    paths
        .iter()
        .map(|path| place(cache, path))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn unhit_entries_leave_from_the_small_fifo_and_hit_ones_move_to_main() {
    let mut cache = ten_entry_cache();
    for i in 0..10 {
        assert_eq!(put(&mut cache, &format!("/p{i:02}")), Admission::Stored);
    }
    assert_eq!(cache.stats().bytes as usize, 10 * charge());
    assert!(hit(&mut cache, "/p01"));

    // Full: /p10 pushes out the oldest entry that was never hit.
    put(&mut cache, "/p10");
    assert_eq!(
        places(&cache, &["/p00", "/p01", "/p02", "/p10"]),
        "- small small small"
    );
    // Next: /p01 was hit, so it moves to main and /p02 leaves instead.
    put(&mut cache, "/p11");
    assert_eq!(
        places(&cache, &["/p01", "/p02", "/p03", "/p11"]),
        "main - small small"
    );
    assert_eq!(cache.stats().evictions, 2);
    assert_eq!(cache.stats().entries, 10);
}

#[test]
fn a_key_that_returns_after_eviction_goes_straight_to_main() {
    let mut cache = ten_entry_cache();
    for i in 0..11 {
        put(&mut cache, &format!("/p{i:02}"));
    }
    assert_eq!(place(&cache, "/p00"), "-");
    // /p00 is remembered by the ghost: its second request shows it was evicted too early.
    put(&mut cache, "/p00");
    assert_eq!(places(&cache, &["/p00", "/p01", "/p02"]), "main - small");
    // A new key still starts on probation.
    put(&mut cache, "/new");
    assert_eq!(place(&cache, "/new"), "small");
}

#[test]
fn main_gives_hit_entries_another_pass_and_evicts_the_rest() {
    let mut cache = ten_entry_cache();
    // Fill main with /m0../m8 (each returns from the ghost), keep the small FIFO minimal.
    for i in 0..9 {
        put(&mut cache, &format!("/m{i}"));
    }
    for i in 0..10 {
        put(&mut cache, &format!("/s{i}"));
    }
    for i in 0..9 {
        put(&mut cache, &format!("/m{i}"));
    }
    let mains: Vec<String> = (0..9).map(|i| format!("/m{i}")).collect();
    let mains: Vec<&str> = mains.iter().map(String::as_str).collect();
    assert_eq!(places(&cache, &mains), ["main"; 9].join(" "));
    assert!(hit(&mut cache, "/m0"));
    // With the small FIFO at its target, room comes from main: /m0 was hit and is passed
    // over once, /m1 is the oldest unhit one and goes.
    put(&mut cache, "/x");
    put(&mut cache, "/y");
    assert_eq!(places(&cache, &["/m0", "/m1", "/m2"]), "main - main");
}

#[test]
fn an_entry_above_the_budget_is_refused_even_if_under_the_entry_limit() {
    let mut cache = cache(IsrConfig {
        bytes_max: 4096,
        entry_bytes_max: 1 << 20,
        ..IsrConfig::default()
    });
    let key = cache.hasher().clone().key(0, b"/big");
    let Fill::Leader(ticket) = cache.begin_fill(key, 0) else {
        panic!("no leader");
    };
    let admission = cache.insert(key, page(4096, 0, None, &[]), ticket);
    assert_eq!(admission, Admission::Rejected(Rejection::TooLarge));
    assert_eq!(cache.stats().bytes, 0);
    assert_eq!(cache.stats().rejections, 1);
}

#[test]
fn replacing_a_page_keeps_its_place_and_recharges_its_bytes() {
    let mut cache = ten_entry_cache();
    for i in 0..11 {
        put(&mut cache, &format!("/p{i:02}"));
    }
    put(&mut cache, "/p00");
    assert_eq!(place(&cache, "/p00"), "main");
    let before = cache.stats().bytes;
    let key = cache.hasher().clone().key(0, b"/p00");
    let Fill::Leader(ticket) = cache.begin_fill(key, 0) else {
        panic!("no leader");
    };
    cache.insert(key, page(BODY_BYTES / 2, 1, None, &[]), ticket);
    cache.check_invariants();
    assert_eq!(place(&cache, "/p00"), "main");
    assert_eq!(cache.stats().bytes, before - (BODY_BYTES / 2) as u64);
}
