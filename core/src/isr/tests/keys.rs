//! Keys and owners: agreed by every shard, spread evenly, different per process.

use std::hash::RandomState;

use super::hasher;
use crate::isr::{KeyHasher, owner_shard};

#[test]
fn clones_of_one_hasher_agree_on_every_key_and_owner() {
    let shard_a = hasher();
    let shard_b = shard_a.clone();
    for path in ["/", "/simple", "/table/50", "/table/200", "/caf\u{e9}"] {
        let a = shard_a.key(3, path.as_bytes());
        let b = shard_b.key(3, path.as_bytes());
        assert_eq!(a.hash(), b.hash(), "{path}");
        for shards in [1, 2, 3, 8, 64] {
            assert_eq!(owner_shard(a.hash(), shards), owner_shard(b.hash(), shards));
        }
    }
}

#[test]
fn two_processes_hash_differently() {
    // Different RandomStates stand for two starts of the server: a client cannot learn the
    // hashes from one and use them against the next.
    let one = KeyHasher::new(RandomState::new());
    let other = KeyHasher::new(RandomState::new());
    let differing = (0..64)
        .filter(|i| {
            let path = format!("/p/{i}");
            one.key(0, path.as_bytes()).hash() != other.key(0, path.as_bytes()).hash()
        })
        .count();
    assert_eq!(differing, 64);
}

#[test]
fn site_and_path_both_make_the_key() {
    let hasher = hasher();
    let key = hasher.key(0, b"/a");
    assert_eq!((key.site(), key.path()), (0, &b"/a"[..]));
    assert_ne!(key.hash(), hasher.key(1, b"/a").hash());
    assert_ne!(key.hash(), hasher.key(0, b"/b").hash());
    // Length-prefixed: the site/path boundary cannot be shifted.
    assert_ne!(hasher.key(0, b"").hash(), hasher.key(0, b"\0").hash());
}

#[test]
fn owners_are_in_range_and_spread_evenly() {
    let hasher = hasher();
    for shards in [1usize, 2, 3, 7, 16] {
        let mut counts = vec![0usize; shards];
        let keys = 20_000;
        for i in 0..keys {
            let path = format!("/table/{i}");
            let owner = owner_shard(hasher.key(0, path.as_bytes()).hash(), shards);
            assert!(owner < shards);
            counts[owner] += 1;
        }
        let expected = keys / shards;
        for (shard, &count) in counts.iter().enumerate() {
            assert!(
                count.abs_diff(expected) < expected / 10 + 50,
                "shard {shard} of {shards} owns {count} of {keys} keys"
            );
        }
    }
}

#[test]
fn owner_shard_of_extreme_hashes() {
    assert_eq!(owner_shard(0, 1), 0);
    assert_eq!(owner_shard(u64::MAX, 1), 0);
    assert!(owner_shard(u64::MAX, 1024) < 1024);
}
