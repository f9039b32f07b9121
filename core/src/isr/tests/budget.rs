//! Seeded random operation sequences, checking every invariant after every operation: bytes
//! held equal the sum of the entries' charges and never exceed the budget, the tag index
//! matches the entries, no entry is over the entry limit, and what a lookup returns is what
//! was last stored for that key and as fresh as its window says.

use std::collections::HashMap;

use bytes::Bytes;

use super::{cache, page};
use crate::isr::{Admission, Fill, IsrCache, IsrConfig, Lookup, Page, Rejection, RenderTicket};

/// SplitMix64: a seeded generator, so a failing sequence can be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Skewed towards small values: a few popular keys, a long tail.
    fn skewed(&mut self, n: u64) -> u64 {
        let a = self.below(n);
        let b = self.below(n);
        a.min(b)
    }
}

const BYTES_MAX: usize = 64 * 1024;
const ENTRY_BYTES_MAX: usize = 12 * 1024;
const STALE_MAX_MS: u64 = 60_000;
const TAGS: [&str; 6] = ["posts", "home", "nav", "a", "b", "c"];

struct Model {
    /// What the last admitted insert stored per (site, path): its id and freshness inputs.
    stored: HashMap<(usize, String), (u64, u64, Option<u32>)>,
    pending: Vec<(usize, String, RenderTicket)>,
    next_id: u64,
}

fn run(seed: u64, operations: usize) {
    let mut rng = Rng(seed);
    let mut cache = cache(IsrConfig {
        bytes_max: BYTES_MAX,
        entry_bytes_max: ENTRY_BYTES_MAX,
        stale_max_ms: STALE_MAX_MS,
        fill_timeout_ms: 10_000,
        revalidate_retry_ms: 30_000,
    });
    let mut model = Model {
        stored: HashMap::new(),
        pending: Vec::new(),
        next_id: 0,
    };
    let mut now_ms = 0u64;
    for step in 0..operations {
        let site = rng.below(2) as usize;
        let path = format!("/p/{}", rng.skewed(120));
        match rng.below(100) {
            0..=44 => lookup(&mut cache, &mut model, site, &path, now_ms, seed, step),
            45..=64 => {
                if let Fill::Leader(ticket) =
                    cache.begin_fill(cache.hasher().clone().key(site, path.as_bytes()), now_ms)
                {
                    model.pending.push((site, path, ticket));
                }
            }
            65..=84 if !model.pending.is_empty() => {
                let at = rng.below(model.pending.len() as u64) as usize;
                let (site, path, ticket) = model.pending.swap_remove(at);
                insert(
                    &mut cache, &mut model, &mut rng, site, &path, ticket, now_ms,
                );
            }
            85..=89 if !model.pending.is_empty() => {
                let at = rng.below(model.pending.len() as u64) as usize;
                let (_, _, ticket) = model.pending.swap_remove(at);
                cache.render_failed(ticket);
            }
            90..=92 => {
                cache.invalidate_tag(site, TAGS[rng.below(TAGS.len() as u64) as usize]);
            }
            93..=95 => {
                cache.invalidate_path(site, path.as_bytes());
            }
            96..=97 => {
                cache.sweep(now_ms);
            }
            98 if rng.below(20) == 0 => {
                cache.clear();
                model.stored.clear();
            }
            _ => now_ms += rng.below(3_000),
        }
        cache.check_invariants();
        let stats = cache.stats();
        assert!(
            stats.bytes as usize <= BYTES_MAX,
            "seed {seed} step {step}: over budget"
        );
    }
    let stats = cache.stats();
    assert!(
        stats.evictions > 0,
        "seed {seed}: the budget was never reached, the test is too easy"
    );
    assert!(
        stats.hits > 0 && stats.stale_hits > 0,
        "seed {seed}: {stats:?}"
    );
}

fn lookup(
    cache: &mut IsrCache,
    model: &mut Model,
    site: usize,
    path: &str,
    now_ms: u64,
    seed: u64,
    step: usize,
) {
    let key = cache.hasher().clone().key(site, path.as_bytes());
    let (page, fresh, ticket) = match cache.lookup(key, now_ms) {
        Lookup::Fresh(page) => (page.clone(), true, None),
        Lookup::Stale(page, ticket) => (page.clone(), false, ticket),
        Lookup::Miss => return,
    };
    let Some(&(id, rendered_at_ms, revalidate_s)) = model.stored.get(&(site, path.to_owned()))
    else {
        panic!("seed {seed} step {step}: {path} served but never stored");
    };
    assert_eq!(
        page.head,
        Bytes::from(id.to_string()),
        "seed {seed} step {step}: {path} serves another render"
    );
    assert!(page.body.len() <= ENTRY_BYTES_MAX);
    if let Some(seconds) = revalidate_s {
        let fresh_until = rendered_at_ms + u64::from(seconds) * 1000;
        if fresh {
            assert!(
                now_ms < fresh_until,
                "seed {seed} step {step}: {path} fresh past its window"
            );
        } else {
            assert!(
                now_ms < fresh_until + STALE_MAX_MS,
                "seed {seed} step {step}: {path} served after expiry"
            );
        }
    }
    if let Some(ticket) = ticket {
        model.pending.push((site, path.to_owned(), ticket));
    }
}

fn insert(
    cache: &mut IsrCache,
    model: &mut Model,
    rng: &mut Rng,
    site: usize,
    path: &str,
    ticket: RenderTicket,
    now_ms: u64,
) {
    let id = model.next_id;
    model.next_id += 1;
    let revalidate_s = [
        None,
        None,
        Some(0),
        Some(1),
        Some(5),
        Some(5),
        Some(30),
        Some(30),
    ][rng.below(8) as usize];
    let tags: Vec<&str> = (0..rng.below(4))
        .map(|_| TAGS[rng.below(TAGS.len() as u64) as usize])
        .collect();
    // Mostly small pages, some near the entry limit, a few over it.
    let body_bytes = match rng.below(20) {
        0 => ENTRY_BYTES_MAX + rng.below(4096) as usize,
        1..=2 => ENTRY_BYTES_MAX - 2048 + rng.below(2048) as usize,
        _ => rng.below(1500) as usize,
    };
    let rendered_at_ms = now_ms.saturating_sub(rng.below(2_000));
    let page = Page {
        head: Bytes::from(id.to_string()),
        ..page(body_bytes, rendered_at_ms, revalidate_s, &tags)
    };
    let key = cache.hasher().clone().key(site, path.as_bytes());
    match cache.insert(key, page, ticket) {
        Admission::Stored | Admission::StoredStale => {
            model
                .stored
                .insert((site, path.to_owned()), (id, rendered_at_ms, revalidate_s));
        }
        Admission::Rejected(Rejection::Superseded) => {}
        Admission::Rejected(_) => {
            model.stored.remove(&(site, path.to_owned()));
        }
    }
}

#[test]
fn invariants_hold_after_every_operation() {
    for seed in 0..16 {
        run(seed, 3_000);
    }
}

#[test]
fn a_long_sequence_keeps_them_too() {
    run(0x5eed_15a2, 30_000);
}
