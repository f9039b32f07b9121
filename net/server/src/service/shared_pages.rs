//! `[cluster] share_pages`: a page one node renders or fetches for its cache (an ISR page,
//! a kept proxy answer) is offered to the other nodes, so a page is made once per window
//! for the cluster rather than once per node.
//!
//! **Offering.** Only the shard that made the page offers it, once its cache stored it fresh
//! (a copy taken from an owner shard or another node is never offered again, and a page
//! stored stale, made across an invalidation, is not worth offering). The note goes through
//! the cluster's outbox like any other, bounded in bytes on top of its count
//! (`CLUSTER_PAGES_QUEUED_BYTES_MAX`), and only for pages up to `CLUSTER_PAGE_BYTES_MAX`.
//!
//! **Keeping.** The subscriber thread hands an offered page to the shard that owns its key
//! (the same process-wide hash every shard routes fills by), which offers it to its cache
//! ([`bext_core::isr::IsrCache::offer`]): kept unless the key holds a newer rendering,
//! dated by the page's age, and kept already stale when this state had pages invalidated
//! since the page's data was read (the invalidation may be one the page predates). The
//! other shards of the node then find it through the owner, as they find a page the owner
//! rendered. Requests waiting for a render of the key are woken to look again.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use bytes::Bytes;

use bext_core::cluster::{OfferedPage, PageNote};
use bext_core::isr::{Admission, Page};
use bext_net::fields::{Field, FieldBlock};
use bext_shards::clock;

use super::app::page::CachedPage;
use super::{Service, State};

/// Offers `page`, just stored under `(site, key)` by this shard's own render or fetch, to
/// the other nodes when `admission` says it was stored fresh and `[cluster] share_pages` is
/// on.
pub(crate) fn offer_stored(
    service: &Service,
    admission: Admission,
    site: usize,
    key: &[u8],
    page: &CachedPage,
) {
    if admission != Admission::Stored {
        return;
    }
    let Some(outbox) = service.shard.cluster.as_ref().filter(|o| o.share_pages()) else {
        return;
    };
    let fields: Vec<(&[u8], &[u8])> = page
        .head
        .fields()
        .iter()
        .map(|f| (f.name(), f.value()))
        .collect();
    let offered = OfferedPage {
        site,
        key,
        status: page.status,
        fields: &fields,
        body: &page.body,
        age_ms: clock::monotonic_ms().saturating_sub(page.rendered_at_ms),
        revalidate_s: page.revalidate_s,
        stale_s: page.stale_s,
        tags: &page.tags,
    };
    if let Some(note) = PageNote::offer(&offered) {
        outbox.offer_page(note);
    }
}

/// Keeps a page another node offered, in the current state's cache (this shard owns its
/// key). A note that does not fit this node's config (a site it does not have) or that is
/// not well formed is dropped.
pub(crate) fn keep(service: &Service, note: &PageNote) {
    let state = service.current();
    if note.site >= state.snapshot.config.sites.len() {
        return;
    }
    let Some(page) = to_page(note) else {
        return;
    };
    let stale = state
        .invalidated_at_ms
        .get()
        .is_some_and(|at| at >= page.rendered_at_ms);
    let admission = offer_to_cache(&state, note, page, stale);
    if matches!(admission, Admission::Stored | Admission::StoredStale) {
        if let Some(outbox) = &service.shard.cluster {
            outbox.pages_kept.fetch_add(1, Ordering::Relaxed);
        }
        service.fills_done.bump();
    }
}

fn offer_to_cache(state: &State, note: &PageNote, page: CachedPage, stale: bool) -> Admission {
    let mut cache = state.isr.borrow_mut();
    let key = cache.hasher().key(note.site, note.key.as_bytes());
    cache.offer(key, page, stale)
}

/// The cache's page for a note, dated on this node's clock by its age.
fn to_page(note: &PageNote) -> Option<CachedPage> {
    let body = note.body_bytes()?;
    let mut fields = Vec::with_capacity(note.fields.len());
    for (name, value) in &note.fields {
        fields.push(Field::new(name.as_bytes(), value.as_bytes()).ok()?);
    }
    Some(Page {
        status: note.status,
        head: Arc::new(FieldBlock::new(fields)),
        body: Bytes::from(body),
        rendered_at_ms: clock::monotonic_ms().saturating_sub(note.age_ms),
        revalidate_s: note.revalidate_s,
        stale_s: note.stale_s,
        tags: note.tags.iter().map(|t| t.as_str().into()).collect(),
    })
}
