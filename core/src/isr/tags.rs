//! Which entries carry which tag, per site, kept in step with every insertion and removal.
//!
//! Tags are scoped to a site: two sites served by one bext are two apps, and `posts` in one
//! says nothing about the other. Members are slot indices of the store; the store removes an
//! entry's memberships before it frees the slot, so an index never points at a reused slot.

use hashbrown::HashTable;
use rustc_hash::FxHashSet;

use super::key::KeyHasher;

pub(crate) struct TagIndex {
    sets: HashTable<TagSet>,
}

struct TagSet {
    hash: u64,
    site: usize,
    tag: Box<str>,
    /// Slot indices are small integers chosen by the store, not by clients: FxHash is safe.
    members: FxHashSet<u32>,
}

impl TagIndex {
    pub(crate) fn new() -> TagIndex {
        TagIndex {
            sets: HashTable::new(),
        }
    }

    pub(crate) fn add(&mut self, hasher: &KeyHasher, site: usize, tag: &str, slot: u32) {
        let hash = hasher.tag_hash(site, tag);
        let found = self.sets.find_mut(hash, |set| {
            set.hash == hash && set.site == site && *set.tag == *tag
        });
        match found {
            Some(set) => {
                set.members.insert(slot);
            }
            None => {
                let mut members = FxHashSet::default();
                members.insert(slot);
                let set = TagSet {
                    hash,
                    site,
                    tag: tag.into(),
                    members,
                };
                self.sets.insert_unique(hash, set, |set| set.hash);
            }
        }
    }

    /// Removes `slot` from `tag`'s set, and the set once it is empty, so the index holds no
    /// more than the live entries' tags.
    pub(crate) fn remove(&mut self, hasher: &KeyHasher, site: usize, tag: &str, slot: u32) {
        let hash = hasher.tag_hash(site, tag);
        let entry = self.sets.find_entry(hash, |set| {
            set.hash == hash && set.site == site && *set.tag == *tag
        });
        if let Ok(mut entry) = entry {
            entry.get_mut().members.remove(&slot);
            if entry.get().members.is_empty() {
                entry.remove();
            }
        }
    }

    /// The slots tagged `tag` on `site`, in no particular order.
    pub(crate) fn members(
        &self,
        hasher: &KeyHasher,
        site: usize,
        tag: &str,
    ) -> impl Iterator<Item = u32> + '_ {
        let hash = hasher.tag_hash(site, tag);
        self.sets
            .find(hash, |set| {
                set.hash == hash && set.site == site && *set.tag == *tag
            })
            .into_iter()
            .flat_map(|set| set.members.iter().copied())
    }

    pub(crate) fn clear(&mut self) {
        self.sets.clear();
    }

    /// Every `(site, tag, slot)` membership, for the invariant checks of the tests.
    #[cfg(test)]
    pub(crate) fn memberships(&self) -> Vec<(usize, String, u32)> {
        let mut all = Vec::new();
        for set in &self.sets {
            assert!(!set.members.is_empty(), "empty tag set {:?} kept", set.tag);
            for &slot in &set.members {
                all.push((set.site, set.tag.to_string(), slot));
            }
        }
        all
    }
}
