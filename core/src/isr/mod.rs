//! The ISR cache of one shard: which rendered pages to keep, when they go stale, who renders
//! them again, and what to forget first. Pure policy: the server owns the sockets, the
//! renders, the waiters and the clock, and passes `now_ms` in.
//!
//! # How the server drives it
//!
//! Per request for a cacheable route (not `dynamic = "force-dynamic"`, not a route handler):
//!
//! ```text
//! key = hasher.key(site, path)                         // once per request, no allocation
//! match cache.lookup(key, now_ms) {
//!     Fresh(page)        => answer page, x-bext-cache: hit
//!     Stale(page, t)     => answer page, x-bext-cache: stale;
//!                           if let Some(t) = t { re-render in the background, then
//!                                                insert(key, page, t) or render_failed(t) }
//!     Miss => match cache.begin_fill(key, now_ms) {
//!         Leader(t)  => render (or ask the owner shard, below), answer x-bext-cache: miss,
//!                       insert(key, page, t) or render_failed(t), wake the key's waiters
//!         Follower   => wait (bounded) for the leader, answer its page with `miss`;
//!                       on render_failed or timeout, look up again
//!     }
//! }
//! ```
//!
//! Every ticket must be spent by `insert` or `render_failed`: the cache believes a render is
//! under way until then, or until the ticket's deadline ([`IsrConfig::fill_timeout_ms`],
//! [`IsrConfig::revalidate_retry_ms`]) passes, which is the safety net for a render lost to a
//! recycled engine and must not be the normal path. `sweep(now_ms)` from the shard's periodic
//! tick forgets renders whose deadline passed. `Page::rendered_at_ms` is the time the render
//! started, so a page is never considered fresher than the data its loader read.
//!
//! What to cache is the server's choice: statuses 200 (and a `notFound()` 404, as Next.js
//! does), never a response that sets a cookie, never a 5xx. `revalidate = 0` is refused here
//! as well.
//!
//! # Across shards: the owner renders
//!
//! Each key has one owner shard, [`owner_shard`]`(key.hash(), shards)`, the same on every
//! shard because the [`KeyHasher`] is one per process. A shard that is not the owner does not
//! render on a miss or a stale ticket: it asks the owner over the mesh, and the owner answers
//! with its own lookup — fresh if it has it; for a stale or missing page it renders (or joins
//! the render under way through its own [`IsrCache::begin_fill`]) and answers when done. The
//! asking shard then stores the owner's page with the owner's `rendered_at_ms`, so the copies
//! go stale together and each copy is a reference count on the same `Bytes`. So a page is
//! rendered at most once per window server-wide, while hits never leave the shard that took
//! the request. Invalidations are fanned out to every shard, copies included.
//!
//! # Eviction: S3-FIFO, by bytes
//!
//! Chosen over W-TinyLFU because a cache hit must cost as little as a static-file hit (the
//! target is 0.9× of it): in S3-FIFO a hit increments a 2-bit counter and moves nothing, where
//! W-TinyLFU updates a count-min sketch (four hashed counters) and moves the entry in an LRU
//! list on every hit. S3-FIFO's small probationary FIFO gives the scan resistance that the
//! TinyLFU admission filter gives: pages requested once (a crawler walking `/table/1`…
//! `/table/100000`) pass through the small FIFO, 10% of the budget, and leave without
//! touching the main FIFO where the pages that are requested again live. Its ghost queue
//! brings back a page evicted before its second request straight into the main FIFO. It needs
//! no sketch to size or reset, and its published miss ratios are on par with W-TinyLFU on
//! web-cache traces (Yang et al., SOSP 2023). The details are in `store.rs`.
//!
//! Budgets are in bytes ([`IsrConfig::bytes_max`], default `ISR_CACHE_BYTES_MAX`): each entry is
//! charged its body, head, path and tags plus a fixed overhead ([`entry_charge`]), an entry
//! charged more than `ISR_ENTRY_BYTES_MAX` is not admitted, and the sum never exceeds the
//! budget (room is made before an entry goes in). Every operation is O(1), amortised where
//! tombstones and counters are involved, except invalidation by tag (O(tagged entries)),
//! `sweep` (O(renders under way)) and `clear`.
//!
//! # Invalidation marks stale, it does not remove
//!
//! As Next.js's `revalidateTag` does: the next request for an invalidated page is served the
//! old page at once and starts its re-render, like any stale page. Removing instead would
//! turn an invalidation of a popular tag into a burst of synchronous misses, each waiting for a
//! render, exactly when a deploy or a CMS publish brings traffic. An entry rendered across an
//! invalidation (its render started before it) is stored already stale, since its loader may
//! have read the data the invalidation was about; the cache keeps one invalidation count
//! rather than per-key records, so an unrelated invalidation costs such a render at most one
//! extra re-render. Tags are per site.
//!
//! # Keys
//!
//! A key is the site index and the request path with the route's parameters in it (see
//! `key.rs`, which also explains why its hash is keyed SipHash and not FxHash). The query
//! string is not part of it: a page that reads `searchParams` must be dynamic.

mod cache;
mod fills;
mod ghost;
mod invalidate;
mod key;
mod page;
mod store;
mod tags;

#[cfg(test)]
mod tests;

pub use cache::{IsrCache, IsrConfig, entry_charge};
pub use invalidate::{Invalidate, InvalidateError, parse_invalidate, token_matches};
pub use key::{CacheKey, KeyHasher, owner_shard};
pub use page::{Admission, Fill, IsrStats, Lookup, Page, PageHead, Rejection, RenderTicket};

pub use crate::limits::{
    ISR_ENTRY_OVERHEAD_BYTES, ISR_FILL_TIMEOUT_MS, ISR_FILLS_MAX, ISR_REVALIDATE_RETRY_MS,
    ISR_STALE_MAX_MS, ISR_TAG_BYTES_MAX, ISR_TAG_OVERHEAD_BYTES, ISR_TAGS_PER_ENTRY_MAX,
};
