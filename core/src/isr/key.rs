//! Cache keys: which page a response is, and which shard owns it.
//!
//! A key is the site index plus the request path as the router matched it (so a dynamic
//! route's parameters are in it by their concrete values: `/table/50`). Its 64-bit hash is
//! computed once per request and reused for the table probe, the ghost queue and the choice of
//! owner shard.
//!
//! # Why SipHash under a per-process key, not FxHash
//!
//! Request paths are chosen by clients, and a dynamic route caches one entry per path. With an
//! unkeyed hash (FxHash) anyone can compute, offline, thousands of paths that land in the same
//! probe sequence and turn every lookup into a linear scan. [`KeyHasher`] wraps std's
//! [`RandomState`] (SipHash-1-3 with secret keys), which is what `std::collections::HashMap`
//! does for the same reason. The runtime draws one `RandomState` at start and clones it into
//! every shard, so all shards agree on every hash (the owner of a key is the same everywhere)
//! while clients cannot predict any. The cost is tens of nanoseconds per request, once: the
//! hash is stored in the [`CacheKey`] and never recomputed.
//!
//! Hashes are never persisted or sent outside the process; they change at every start.

use std::hash::{BuildHasher, RandomState};

/// Distinguishes what is hashed, so a tag can never collide with a path by construction.
const KEY_DOMAIN: u8 = 1;
const TAG_DOMAIN: u8 = 2;

/// Hashes cache keys and tags. One per process, cloned into every shard.
#[derive(Clone, Debug)]
pub struct KeyHasher {
    state: RandomState,
}

impl KeyHasher {
    /// `state` must be the same (a clone) in every shard, or shards disagree about owners.
    pub fn new(state: RandomState) -> KeyHasher {
        KeyHasher { state }
    }

    /// The key of `path` on site `site`. `path` is the decoded, normalised request path the
    /// router matched (without the query); invalidation by path must spell it the same way.
    pub fn key<'a>(&self, site: usize, path: &'a [u8]) -> CacheKey<'a> {
        CacheKey {
            hash: self.state.hash_one((KEY_DOMAIN, site, path)),
            site,
            path,
        }
    }

    pub(crate) fn tag_hash(&self, site: usize, tag: &str) -> u64 {
        self.state.hash_one((TAG_DOMAIN, site, tag))
    }
}

/// A borrowed key with its hash; cheap to copy, so a lookup allocates nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheKey<'a> {
    hash: u64,
    site: usize,
    path: &'a [u8],
}

impl<'a> CacheKey<'a> {
    pub fn hash(&self) -> u64 {
        self.hash
    }

    pub fn site(&self) -> usize {
        self.site
    }

    pub fn path(&self) -> &'a [u8] {
        self.path
    }

    pub(crate) fn to_owned_key(self) -> OwnedKey {
        OwnedKey {
            hash: self.hash,
            site: self.site,
            path: self.path.into(),
        }
    }
}

/// What the cache keeps of a key: the same three parts, the path owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OwnedKey {
    pub(crate) hash: u64,
    pub(crate) site: usize,
    pub(crate) path: Box<[u8]>,
}

impl OwnedKey {
    /// Hash first: two different keys almost never get past it, so the byte comparison runs
    /// only for the key that matches.
    pub(crate) fn matches(&self, key: CacheKey<'_>) -> bool {
        self.hash == key.hash && self.site == key.site && *self.path == *key.path
    }
}

/// The shard that renders `hash`'s page; every other shard asks it (see the module docs).
///
/// The hash is remixed before it is scaled, so the owner does not depend on the same bits the
/// shard's hash table uses to pick a bucket: otherwise the keys a shard owns would all share
/// their top bits and crowd the table's control bytes. Multiply-shift maps onto `0..shards`
/// without a division and without the bias of `%`.
pub fn owner_shard(hash: u64, shards: usize) -> usize {
    assert!(shards >= 1, "a server has at least one shard");
    let mixed = mix64(hash);
    ((u128::from(mixed) * shards as u128) >> 64) as usize
}

/// MurmurHash3's 64-bit finaliser: every input bit affects every output bit.
fn mix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^= x >> 33;
    x
}
