//! [`IsrCache`]: one shard's cache of rendered pages, its freshness rules and its renders
//! under way.

use super::fills::{Claim, Fills};
use super::key::{CacheKey, KeyHasher};
use super::page::{Admission, Fill, IsrStats, Lookup, Page, PageHead, Rejection, RenderTicket};
use super::store::Store;
use super::{
    ISR_ENTRY_OVERHEAD_BYTES, ISR_FILL_TIMEOUT_MS, ISR_FILLS_MAX, ISR_REVALIDATE_RETRY_MS,
    ISR_STALE_MAX_MS, ISR_TAG_BYTES_MAX, ISR_TAG_OVERHEAD_BYTES, ISR_TAGS_PER_ENTRY_MAX,
};
use crate::limits::{ISR_CACHE_BYTES_MAX, ISR_ENTRY_BYTES_MAX};

/// Bounds and timings of one shard's cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsrConfig {
    /// Byte budget of the shard's cache ([`entry_charge`] of every entry summed).
    pub bytes_max: usize,
    /// Largest entry admitted; larger pages are served but not cached.
    pub entry_bytes_max: usize,
    /// How long past its `revalidate` window a page may still be served stale; older, it is
    /// a miss. A page nobody asked for in that long is better rendered afresh than shown once
    /// more from long ago (Next.js's `expireTime` plays this part, with a year by default).
    pub stale_max_ms: u64,
    /// How long followers may wait on a miss's leader before the next request takes over.
    pub fill_timeout_ms: u64,
    /// How long after handing out a revalidation ticket a stale lookup hands out another, in
    /// case the first was never reported back.
    pub revalidate_retry_ms: u64,
}

impl Default for IsrConfig {
    fn default() -> IsrConfig {
        IsrConfig {
            bytes_max: ISR_CACHE_BYTES_MAX,
            entry_bytes_max: ISR_ENTRY_BYTES_MAX,
            stale_max_ms: ISR_STALE_MAX_MS,
            fill_timeout_ms: ISR_FILL_TIMEOUT_MS,
            revalidate_retry_ms: ISR_REVALIDATE_RETRY_MS,
        }
    }
}

/// Bytes an entry is charged against the budget: its body, head, path and tags, plus a fixed
/// overhead for the bookkeeping around them (slot, table, FIFO item, tag-set membership), so
/// that a flood of tiny pages is bounded too.
pub fn entry_charge<H: PageHead>(path: &[u8], page: &Page<H>) -> usize {
    let tags: usize = page
        .tags
        .iter()
        .map(|tag| tag.len() + ISR_TAG_OVERHEAD_BYTES)
        .sum();
    ISR_ENTRY_OVERHEAD_BYTES + path.len() + page.head.bytes() + page.body.len() + tags
}

/// One shard's ISR cache. See the module docs for how the server drives it.
pub struct IsrCache<H: PageHead = bytes::Bytes> {
    config: IsrConfig,
    store: Store<H>,
    fills: Fills,
    /// Invalidations so far. A ticket remembers it, and a page whose render spanned an
    /// invalidation is stored stale: it may hold data from before it.
    epoch: u64,
    /// `clear`s so far; a render started before one is not stored (the site indices it was
    /// keyed by may mean other sites now).
    era: u64,
    stats: IsrStats,
}

enum Freshness {
    Fresh,
    Stale,
    Expired,
}

impl<H: PageHead> IsrCache<H> {
    pub fn new(config: IsrConfig, hasher: KeyHasher) -> IsrCache<H> {
        assert!(config.bytes_max > 0, "an ISR cache needs a budget");
        assert!(
            config.bytes_max / ISR_ENTRY_OVERHEAD_BYTES < u32::MAX as usize,
            "budget of {} bytes allows more entries than slot indices",
            config.bytes_max
        );
        let config = IsrConfig {
            entry_bytes_max: config.entry_bytes_max.min(config.bytes_max),
            ..config
        };
        IsrCache {
            store: Store::new(hasher, config.bytes_max),
            fills: Fills::new(ISR_FILLS_MAX),
            config,
            epoch: 0,
            era: 0,
            stats: IsrStats::default(),
        }
    }

    /// The hasher keys must be made with (the one this cache was built with).
    pub fn hasher(&self) -> &KeyHasher {
        self.store.hasher()
    }

    pub fn config(&self) -> &IsrConfig {
        &self.config
    }

    /// Fresh, stale (with a ticket for the first stale lookup of a window), or a miss. Counts
    /// the hit towards the entry's standing in the eviction policy. No allocation unless a
    /// revalidation ticket is handed out.
    pub fn lookup(&mut self, key: CacheKey<'_>, now_ms: u64) -> Lookup<'_, H> {
        let Some(index) = self.store.find(key) else {
            self.stats.misses += 1;
            return Lookup::Miss;
        };
        match self.freshness(index, now_ms) {
            Freshness::Expired => {
                self.store.remove(index);
                self.stats.expirations += 1;
                self.stats.misses += 1;
                Lookup::Miss
            }
            Freshness::Fresh => {
                self.store.touch(index);
                self.stats.hits += 1;
                Lookup::Fresh(&self.store.slot(index).page)
            }
            Freshness::Stale => {
                self.store.touch(index);
                self.stats.stale_hits += 1;
                let deadline_ms = now_ms.saturating_add(self.config.revalidate_retry_ms);
                let ticket = match self.fills.claim(key, now_ms, deadline_ms) {
                    Claim::Granted(id) => {
                        self.stats.revalidations += 1;
                        Some(self.ticket(key, id, true))
                    }
                    // Untracked: with the table full, a background render nobody could
                    // coalesce on is not worth starting; the page is served stale meanwhile.
                    Claim::Taken | Claim::Untracked(_) => None,
                };
                Lookup::Stale(&self.store.slot(index).page, ticket)
            }
        }
    }

    /// Whether the cache holds an entry for `key` (fresh, stale or past its time): a look that
    /// counts nothing and changes nothing, for bext's own fills (pre-rendering at start).
    pub fn holds(&self, key: CacheKey<'_>) -> bool {
        self.store.find(key).is_some()
    }

    /// After a [`Lookup::Miss`]: the first caller per key renders, the others wait for it,
    /// until the leader's deadline passes.
    pub fn begin_fill(&mut self, key: CacheKey<'_>, now_ms: u64) -> Fill {
        let deadline_ms = now_ms.saturating_add(self.config.fill_timeout_ms);
        match self.fills.claim(key, now_ms, deadline_ms) {
            Claim::Granted(id) | Claim::Untracked(id) => Fill::Leader(self.ticket(key, id, false)),
            Claim::Taken => {
                self.stats.coalesced += 1;
                Fill::Follower
            }
        }
    }

    /// Stores a rendered page, replacing the key's entry, and ends the render `ticket` was for.
    /// A page that is refused still ends the render, and removes the key's older entry unless
    /// that one is newer.
    pub fn insert(&mut self, key: CacheKey<'_>, page: Page<H>, ticket: RenderTicket) -> Admission {
        assert_eq!(ticket.hash, key.hash(), "ticket was issued for another key");
        self.fills.release(ticket.hash, ticket.id);
        let stale = ticket.epoch != self.epoch;
        let admission = self.admit(key, page, ticket.era, stale);
        self.count(admission);
        admission
    }

    /// Stores a page made elsewhere (another node's, `[cluster] share_pages`), under the
    /// rules a render here meets: refused when the key holds a newer rendering, or by the
    /// entry's limits. `stale`: an invalidation may have come after the page's data was read
    /// (the caller compares the page's age with its last invalidation), so it is stored
    /// already stale, as a render across one is. A render of the key under way here is not
    /// disturbed: it stores its own page when it ends, if that is newer.
    pub fn offer(&mut self, key: CacheKey<'_>, page: Page<H>, stale: bool) -> Admission {
        let admission = self.admit(key, page, self.era, stale);
        self.count(admission);
        admission
    }

    fn count(&mut self, admission: Admission) {
        match admission {
            Admission::Rejected(_) => self.stats.rejections += 1,
            Admission::Stored | Admission::StoredStale => self.stats.insertions += 1,
        }
    }

    /// Ends a render that produced nothing to cache (it threw, timed out, or the page turned
    /// out to be uncacheable). A stale page stays and the next stale lookup hands out a new
    /// ticket; waiting followers should look up again, and one of them will lead.
    pub fn render_failed(&mut self, ticket: RenderTicket) {
        self.fills.release(ticket.hash, ticket.id);
    }

    /// Marks every entry of `site` tagged `tag` stale; returns how many were fresh. See the
    /// module docs for why stale and not removed.
    pub fn invalidate_tag(&mut self, site: usize, tag: &str) -> usize {
        self.epoch += 1;
        let marked = self.store.invalidate_tag(site, tag);
        self.stats.invalidations += marked as u64;
        marked
    }

    /// Marks the entry for `path` on `site` stale; returns 1 if it was fresh, else 0.
    pub fn invalidate_path(&mut self, site: usize, path: &[u8]) -> usize {
        self.epoch += 1;
        let key = self.store.hasher().key(site, path);
        let marked = match self.store.find(key) {
            Some(index) => usize::from(self.store.invalidate(index)),
            None => 0,
        };
        self.stats.invalidations += marked as u64;
        marked
    }

    /// Forgets renders whose deadline passed without a report. Call it from the shard's
    /// periodic tick; it is O(renders under way), at most `ISR_FILLS_MAX`.
    pub fn sweep(&mut self, now_ms: u64) -> usize {
        self.fills.sweep(now_ms)
    }

    /// Drops every entry and every render under way, e.g. when a config reload may have
    /// renumbered the sites. Renders started before are refused when they finish.
    pub fn clear(&mut self) {
        self.store.clear();
        self.fills.clear();
        self.era += 1;
        self.epoch += 1;
    }

    pub fn stats(&self) -> IsrStats {
        IsrStats {
            bytes: self.store.bytes() as u64,
            entries: self.store.entries() as u64,
            evictions: self.store.evictions,
            ..self.stats
        }
    }

    /// Renders this cache is waiting on.
    pub fn renders_under_way(&self) -> usize {
        self.fills.len()
    }

    /// Admits `page` for a render begun in `era`; `stale`: stored already stale.
    fn admit(&mut self, key: CacheKey<'_>, page: Page<H>, era: u64, stale: bool) -> Admission {
        if era != self.era {
            return Admission::Rejected(Rejection::Superseded);
        }
        let existing = self.store.find(key);
        if let Some(index) = existing
            && self.store.slot(index).page.rendered_at_ms > page.rendered_at_ms
        {
            // A slower, older render finishing last must not replace a newer one.
            return Admission::Rejected(Rejection::Superseded);
        }
        let charge = entry_charge(key.path(), &page);
        let rejection = if page.revalidate_s == Some(0) {
            Some(Rejection::NotCacheable)
        } else if !tags_acceptable(&page.tags) {
            Some(Rejection::BadTags)
        } else if charge > self.config.entry_bytes_max {
            Some(Rejection::TooLarge)
        } else {
            None
        };
        let standing = existing.map(|index| self.store.remove(index));
        if let Some(rejection) = rejection {
            return Admission::Rejected(rejection);
        }
        self.store
            .insert(key.to_owned_key(), page, stale, charge, standing);
        if stale {
            Admission::StoredStale
        } else {
            Admission::Stored
        }
    }

    fn freshness(&self, index: u32, now_ms: u64) -> Freshness {
        let slot = self.store.slot(index);
        let fresh_until_ms = slot.page.revalidate_s.map(|seconds| {
            slot.page
                .rendered_at_ms
                .saturating_add(u64::from(seconds) * 1000)
        });
        let stale_ms = slot
            .page
            .stale_s
            .map_or(self.config.stale_max_ms, |s| u64::from(s) * 1000);
        match fresh_until_ms {
            Some(until) if now_ms >= until.saturating_add(stale_ms) => Freshness::Expired,
            Some(until) if now_ms >= until => Freshness::Stale,
            _ if slot.invalidated && stale_ms == 0 => Freshness::Expired,
            _ if slot.invalidated => Freshness::Stale,
            _ => Freshness::Fresh,
        }
    }

    fn ticket(&self, key: CacheKey<'_>, id: u64, revalidation: bool) -> RenderTicket {
        RenderTicket {
            hash: key.hash(),
            id,
            epoch: self.epoch,
            era: self.era,
            revalidation,
        }
    }

    #[cfg(test)]
    pub(crate) fn check_invariants(&self) {
        self.store.check_invariants(self.config.entry_bytes_max);
        assert!(self.fills.len() <= ISR_FILLS_MAX);
    }

    #[cfg(test)]
    pub(crate) fn store(&self) -> &Store<H> {
        &self.store
    }
}

fn tags_acceptable(tags: &[Box<str>]) -> bool {
    tags.len() <= ISR_TAGS_PER_ENTRY_MAX
        && tags
            .iter()
            .all(|tag| !tag.is_empty() && tag.len() <= ISR_TAG_BYTES_MAX)
}
