//! What goes into the cache and what comes out of it.

use bytes::Bytes;

/// What the server keeps as a page's response head. Opaque to the cache but for its size,
/// which counts against the byte budget.
pub trait PageHead: Clone {
    fn bytes(&self) -> usize;
}

impl PageHead for Bytes {
    fn bytes(&self) -> usize {
        self.len()
    }
}

impl<T: PageHead> PageHead for std::sync::Arc<T> {
    fn bytes(&self) -> usize {
        (**self).bytes()
    }
}

/// A rendered page as the cache keeps it. The server builds it once per render; lookups hand
/// out references, and the server clones the head and body (reference counts, never a copy)
/// into each response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<H = Bytes> {
    pub status: u16,
    /// The response head without its per-response fields (`Date`, `x-bext-cache`,
    /// `Connection`, …), prebuilt by the server. Opaque here.
    pub head: H,
    pub body: Bytes,
    /// When the data behind the page was read: the start of the render on the shard that
    /// rendered it. A shard that copies a page from its owner keeps the owner's value, so both
    /// go stale together.
    pub rendered_at_ms: u64,
    /// The page's `revalidate` export in seconds; `None` keeps it until it is invalidated.
    /// `Some(0)` means "do not cache" and is refused by [`super::IsrCache::insert`].
    pub revalidate_s: Option<u32>,
    /// How long past `revalidate_s` the page may still be served stale while it is fetched
    /// again; `None`: the cache's `stale_max_ms` (rendered pages). A proxied response sets
    /// it from `stale-while-revalidate` (0 without: once stale, it is a miss, and an
    /// invalidated one too, as HTTP caching asks).
    pub stale_s: Option<u32>,
    /// `export const tags` and `X-Cache-Tags`, at most [`super::ISR_TAGS_PER_ENTRY_MAX`], each
    /// 1 to [`super::ISR_TAG_BYTES_MAX`] bytes.
    pub tags: Box<[Box<str>]>,
}

/// Result of [`super::IsrCache::lookup`].
#[derive(Debug)]
pub enum Lookup<'a, H = Bytes> {
    /// Serve it: `x-bext-cache: hit`.
    Fresh(&'a Page<H>),
    /// Serve it at once (`x-bext-cache: stale`). With a ticket, this request is the one that
    /// re-renders the page in the background; without, a re-render is already under way.
    Stale(&'a Page<H>, Option<RenderTicket>),
    /// Not cached (or too old to serve): call [`super::IsrCache::begin_fill`].
    Miss,
}

/// Result of [`super::IsrCache::begin_fill`].
#[derive(Debug)]
pub enum Fill {
    /// Render the page (or ask its owner shard), then hand the ticket back with
    /// [`super::IsrCache::insert`] or [`super::IsrCache::render_failed`].
    Leader(RenderTicket),
    /// A render of this key is under way on this shard: wait for it (the server keeps the
    /// waiters) and answer with its result.
    Follower,
}

/// Permission to render one key, handed out at most once per key at a time (until its
/// deadline passes). Not `Clone`: it is spent by [`super::IsrCache::insert`] or
/// [`super::IsrCache::render_failed`], which is what keeps the in-flight record honest.
#[derive(Debug, PartialEq, Eq)]
pub struct RenderTicket {
    pub(crate) hash: u64,
    pub(crate) id: u64,
    /// The cache's invalidation count when the render started; a page rendered across an
    /// invalidation may hold data from before it, so it is stored already stale.
    pub(crate) epoch: u64,
    /// The cache's `clear` count when the render started.
    pub(crate) era: u64,
    pub(crate) revalidation: bool,
}

impl RenderTicket {
    /// True for a background re-render of a stale page, false for a miss.
    pub fn is_revalidation(&self) -> bool {
        self.revalidation
    }
}

/// Result of [`super::IsrCache::insert`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Stored,
    /// Stored, but an invalidation happened while it rendered: the next lookup serves it as
    /// stale and re-renders it.
    StoredStale,
    /// Not stored (any older entry for the key is removed); the page is still served.
    Rejected(Rejection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// Larger than the entry limit (or the whole budget).
    TooLarge,
    /// More tags than allowed, or an empty or overlong tag.
    BadTags,
    /// `revalidate = 0`: the page asked not to be cached.
    NotCacheable,
    /// The key holds a newer rendering, or the cache was cleared since the render started.
    Superseded,
}

/// Counters for `/__bext/metrics`. Cumulative except `bytes` and `entries`, which are the
/// current size; shards' copies add up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IsrStats {
    /// Lookups answered fresh.
    pub hits: u64,
    /// Lookups answered stale.
    pub stale_hits: u64,
    /// Lookups that found nothing servable.
    pub misses: u64,
    /// Misses that waited for a render already under way instead of starting one.
    pub coalesced: u64,
    /// Background re-renders handed out (stale tickets).
    pub revalidations: u64,
    pub insertions: u64,
    pub rejections: u64,
    /// Entries removed to stay within the byte budget.
    pub evictions: u64,
    /// Entries dropped because they were stale for longer than the stale limit.
    pub expirations: u64,
    /// Entries marked stale by an invalidation.
    pub invalidations: u64,
    /// Bytes held now (bodies, heads, keys, tags and a fixed overhead per entry).
    pub bytes: u64,
    pub entries: u64,
}

impl IsrStats {
    /// Adds another shard's counters to these.
    pub fn merge(&mut self, other: &IsrStats) {
        self.hits += other.hits;
        self.stale_hits += other.stale_hits;
        self.misses += other.misses;
        self.coalesced += other.coalesced;
        self.revalidations += other.revalidations;
        self.insertions += other.insertions;
        self.rejections += other.rejections;
        self.evictions += other.evictions;
        self.expirations += other.expirations;
        self.invalidations += other.invalidations;
        self.bytes += other.bytes;
        self.entries += other.entries;
    }
}
