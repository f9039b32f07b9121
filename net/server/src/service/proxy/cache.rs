//! `[[site.proxy]] cache = true`: upstream answers kept in the shard's page cache, the one
//! rendered pages use (its budget, its S3-FIFO eviction, its one-fill-per-key coalescing,
//! its purge endpoint), for as long as the upstream's `Cache-Control` allows a shared cache
//! (`bext_core::http_cache`).
//!
//! A `GET` or `HEAD` without `Authorization` is looked up by site and target as the client
//! sent it (path and query), which is also what the purge endpoint names. A kept 200 whose
//! `ETag` (or else `Last-Modified`) matches the client's `If-None-Match` (or else
//! `If-Modified-Since`) is answered 304, and a range of one is a 206 (or 416), with
//! `If-Range` honoured, by the rules files are served with. Fresh: answered from the cache (`x-bext-cache: hit`). Stale within the
//! answer's `stale-while-revalidate`: answered at once (`stale`) while one request fetches it
//! again in the background. Missing: one `GET` per key goes to the upstream (`miss`), without
//! the client's conditions, ranges or encodings so the answer suits every client (they then
//! apply to what was kept, as on a hit); the requests that come meanwhile wait for it (up to the cache's fill wait, then go to the
//! upstream themselves). A `HEAD` that misses is forwarded as it is and fills nothing.
//!
//! An answer is kept whole (up to the cache's largest entry): its body is read before it is
//! sent, then sent from memory. A larger one, or one whose body breaks off, is sent as it
//! streams and not kept.
//!
//! A URL whose answer could not be kept goes straight to the upstream for
//! `PROXY_CACHE_PASS_MS` (Varnish's hit-for-miss), so its requests run side by side rather
//! than each waiting for the one before.
//!
//! **Across shards**, as for rendered pages: each key has an owner shard, and a shard that
//! misses (or holds a stale copy) asks the owner instead of the upstream; the owner answers
//! from its own copy, or from its one fetch that every shard's asks join, and the asker keeps
//! the owner's copy with the owner's fetch time. So a key costs the upstream one request per
//! lifetime server-wide. The owner sends answers it may not keep too (read whole, within the
//! cache's largest entry), served once; for one it cannot read whole, or when it does not
//! answer within the fill wait, the asker fetches from the upstream itself.

use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use bext_core::http_cache::{self, Stored};
use bext_core::isr::{Admission, Fill, Lookup, Page, RenderTicket, owner_shard};
use bext_core::static_files::{
    Selection, content_range, content_range_unsatisfiable, select_stored,
};
use bext_net::Method;
use bext_net::fields::{Field, FieldBlock};
use bext_shards::{clock, rt};

use super::super::app::ask_owner;
use super::super::app::page::{self, CacheState};
use super::super::inspect::read_prefix;
use super::super::response::Body;
use super::super::shared_pages;
use super::super::{OwnedRequest, Request, Response, Service, State};
use super::{Forwarding, forward};
use crate::shard;
use crate::shard::mesh::{FillAsk, FillReply, ProxiedRequest};

/// The fields of a kept answer a 304 for it repeats.
const NOT_MODIFIED_REPEATS: [&str; 6] = [
    "cache-control",
    "content-location",
    "etag",
    "expires",
    "last-modified",
    "vary",
];

/// Fields of an upstream's answer the cached copy leaves out: the driver frames each answer
/// itself.
const NOT_KEPT: [&[u8]; 3] = [b"content-length", b"transfer-encoding", b"x-bext-cache"];

/// Whether `request` may be answered from the cache.
pub(super) fn request_cacheable(request: &Request<'_>) -> bool {
    matches!(request.method, Method::Get | Method::Head)
        && request.fields.get("authorization").is_none()
}

/// What a look at the cache decided.
enum Step {
    Answered(Response, Option<RenderTicket>),
    Lead(RenderTicket),
    Follow,
    Forward,
}

/// `request` for `target` of upstream `index`, through the cache of the state it was routed
/// under.
pub(super) async fn answer(
    service: &Rc<Service>,
    from: &Forwarding,
    site: usize,
    request: &Request<'_>,
    index: usize,
    target: &[u8],
) -> Response {
    let state = &from.state;
    let upstream = &state.upstreams[index];
    let deadline = Instant::now() + fill_wait(state);
    loop {
        // Decided with the cache borrowed, acted on after the borrow ends.
        let step = {
            let now = clock::monotonic_ms();
            let mut cache = state.isr.borrow_mut();
            let key = cache.hasher().key(site, request.target);
            if upstream.passes(key.hash()) {
                // Its last answer could not be kept: straight to the upstream for a while.
                Step::Forward
            } else {
                match cache.lookup(key, now) {
                    Lookup::Fresh(page) => {
                        Step::Answered(kept(page, request, CacheState::Hit), None)
                    }
                    Lookup::Stale(page, ticket) => {
                        Step::Answered(kept(page, request, CacheState::Stale), ticket)
                    }
                    Lookup::Miss if request.method == Method::Head => Step::Forward,
                    Lookup::Miss => match cache.begin_fill(key, now) {
                        Fill::Leader(ticket) => Step::Lead(ticket),
                        Fill::Follower => Step::Follow,
                    },
                }
            }
        };
        match step {
            Step::Answered(response, ticket) => {
                if let Some(ticket) = ticket {
                    revalidate_later(service, from, site, request, index, target, ticket);
                }
                return response;
            }
            Step::Lead(ticket) => {
                return fill(service, from, site, request, index, target, ticket).await;
            }
            Step::Forward => break,
            Step::Follow => {
                if !fill_done_by(service, deadline).await {
                    break;
                }
            }
        }
    }
    forward(service, from, request, index, target, false).await
}

/// The answer to `request` from a kept one: for a kept 200, a 304 when the client's
/// `If-None-Match` (or else `If-Modified-Since`) matches its validators, with the fields a
/// 304 must repeat (RFC 9110 §15.4.5); the range asked for (206, or 416), `If-Range`
/// permitting; the whole answer otherwise.
fn kept(page: &page::CachedPage, request: &Request<'_>, cache: CacheState) -> Response {
    let head = &page.head;
    let size = page.body.len() as u64;
    let selection = if page.status == 200 {
        select_stored(
            &request.conditions,
            head.get("etag"),
            head.get("last-modified"),
            size,
        )
    } else {
        Selection::Full
    };
    match selection {
        Selection::Full => page::cached_response(page, cache),
        Selection::NotModified => {
            let mut response = Response::new(304);
            for name in NOT_MODIFIED_REPEATS {
                if let Some(value) = head.get(name)
                    && let Ok(field) = Field::new(name.as_bytes(), value)
                {
                    response.fields.push(field);
                }
            }
            response
                .fields
                .push(Field::from_static("x-bext-cache", cache.value()));
            response
        }
        Selection::Partial { start, end } => {
            let mut response = page::cached_response(page, cache);
            response.status = 206;
            response.fields.push(Field::with_value(
                "content-range",
                content_range(start, end, size).as_bytes().to_vec(),
            ));
            // `start <= end < size`: the range is inside the body.
            response.body = Body::Bytes(page.body.slice(start as usize..=end as usize));
            response
        }
        Selection::Unsatisfiable => {
            let mut response = Response::new(416);
            response.fields.push(Field::with_value(
                "content-range",
                content_range_unsatisfiable(size).as_bytes().to_vec(),
            ));
            response
                .fields
                .push(Field::from_static("x-bext-cache", cache.value()));
            response
        }
    }
}

/// Fills the key of `request` with `ticket`: through the key's owner shard when that is
/// another (its copy, or its one fetch for every shard), else from the upstream here. Keeps
/// the answer if it may be kept, settles the ticket and wakes the requests waiting on it,
/// and answers `request` from what it kept (its conditions and range applied) or else with
/// the upstream's answer as it came.
async fn fill(
    service: &Service,
    from: &Forwarding,
    site: usize,
    request: &Request<'_>,
    index: usize,
    target: &[u8],
    ticket: RenderTicket,
) -> Response {
    let state = &from.state;
    let hash = state.isr.borrow().hasher().key(site, request.target).hash();
    let owner = owner_shard(hash, service.shard.mesh.shards());
    if owner != service.shard.id {
        let ask = FillAsk::Proxy {
            upstream: index,
            target: target.to_vec(),
            request: Box::new(ProxiedRequest {
                method: Bytes::copy_from_slice(request.method_bytes),
                target: Bytes::copy_from_slice(request.target),
                host: request.host.map(Bytes::copy_from_slice),
                fields: {
                    let mut fields = Vec::new();
                    request.fields.for_each(|name, value| {
                        fields.push((Bytes::copy_from_slice(name), Bytes::copy_from_slice(value)));
                    });
                    fields
                },
                version: request.version,
                peer: request.peer,
            }),
            secure: from.secure,
            timeout_ms: from.timeout_ms,
        };
        if let Some(reply) = ask_owner(service, state, owner, site, ask).await {
            settle(
                service,
                state,
                (site, index),
                request.target,
                &reply,
                ticket,
            );
            return kept(&reply.page, request, CacheState::Miss);
        }
    }
    let fetched_at = clock::monotonic_ms();
    let response = forward(service, from, request, index, target, true).await;
    let limit = state.isr.borrow().config().entry_bytes_max;
    let (mut response, page) = match lifetime_of(&response) {
        Some(lifetime) => {
            let (response, whole) = read_whole(response, limit).await;
            let page = whole.map(|body| to_page(&response, body, fetched_at, Some(lifetime)));
            (response, page)
        }
        None => (response, None),
    };
    let admission = {
        let mut cache = state.isr.borrow_mut();
        let key = cache.hasher().key(site, request.target);
        match &page {
            Some(page) => Some(cache.insert(key, page.clone(), ticket)),
            None => {
                state.upstreams[index].pass(key.hash());
                cache.render_failed(ticket);
                None
            }
        }
    };
    service.fills_done.bump();
    if let (Some(page), Some(admission)) = (&page, admission) {
        shared_pages::offer_stored(service, admission, site, request.target, page);
    }
    if let Some(page) = page {
        // The fill asked without the client's conditions and range: answer them from the
        // kept copy, as a hit would (a 206 for a range, a 304 for a copy the client has).
        return kept(&page, request, CacheState::Miss);
    }
    response
        .fields
        .push(Field::from_static("x-bext-cache", CacheState::Miss.value()));
    response
}

/// Stores an owner's reply (with the owner's fetch time, so the copies go stale together),
/// or this shard's own fetch, or gives the ticket back, and wakes the waiters. What was
/// stored, if anything.
fn settle(
    service: &Service,
    state: &State,
    (site, index): (usize, usize),
    key_target: &[u8],
    reply: &FillReply,
    ticket: RenderTicket,
) -> Option<Admission> {
    let admission = {
        let mut cache = state.isr.borrow_mut();
        let key = cache.hasher().key(site, key_target);
        if reply.cacheable {
            Some(cache.insert(key, reply.page.clone(), ticket))
        } else {
            state.upstreams[index].pass(key.hash());
            cache.render_failed(ticket);
            None
        }
    };
    service.fills_done.bump();
    admission
}

/// The owner's side of another shard's ask: its own copy if fresh, else one fetch per key
/// (joined by every shard's asks), answered whole. `None` when the answer could not be read
/// whole (too large, cut off) or nothing came in time: the asker then fetches it itself.
pub(crate) async fn owner_obtain(
    service: &Rc<Service>,
    state: &Rc<State>,
    site: usize,
    index: usize,
    target: &[u8],
    asked: ProxiedRequest,
    (secure, timeout_ms): (bool, Option<u64>),
) -> Option<FillReply> {
    let owned = OwnedRequest::from_pairs(
        &asked.method,
        asked.target,
        asked.host,
        asked.fields,
        asked.version,
        asked.peer,
    );
    let request = owned.view();
    let from = Forwarding {
        state: state.clone(),
        secure,
        timeout_ms,
    };
    let deadline = Instant::now() + fill_wait(state);
    loop {
        let (lead, stale) = {
            let now = clock::monotonic_ms();
            let mut cache = state.isr.borrow_mut();
            let key = cache.hasher().key(site, request.target);
            match cache.lookup(key, now) {
                Lookup::Fresh(page) => {
                    return Some(FillReply {
                        page: page.clone(),
                        cacheable: true,
                        dynamic: false,
                    });
                }
                Lookup::Stale(_, Some(ticket)) => (Some(ticket), None),
                Lookup::Stale(page, None) => (None, Some(page.clone())),
                Lookup::Miss => match cache.begin_fill(key, now) {
                    Fill::Leader(ticket) => (Some(ticket), None),
                    Fill::Follower => (None, None),
                },
            }
        };
        if let Some(ticket) = lead {
            return fetch_for_owner(service, &from, site, &request, index, target, ticket).await;
        }
        if !fill_done_by(service, deadline).await {
            return stale.map(|page| FillReply {
                page,
                cacheable: true,
                dynamic: false,
            });
        }
    }
}

/// The owner's fetch: the answer read whole so it can be sent to the asker, kept here if it
/// may be kept.
async fn fetch_for_owner(
    service: &Service,
    from: &Forwarding,
    site: usize,
    request: &Request<'_>,
    index: usize,
    target: &[u8],
    ticket: RenderTicket,
) -> Option<FillReply> {
    let state = &from.state;
    let fetched_at = clock::monotonic_ms();
    let response = forward(service, from, request, index, target, true).await;
    let lifetime = lifetime_of(&response);
    let limit = state.isr.borrow().config().entry_bytes_max;
    let (response, whole) = read_whole(response, limit).await;
    let reply = whole.map(|body| FillReply {
        page: to_page(&response, body, fetched_at, lifetime),
        cacheable: lifetime.is_some(),
        dynamic: false,
    });
    match &reply {
        Some(reply) => {
            let admission = settle(service, state, (site, index), request.target, reply, ticket);
            if let Some(admission) = admission {
                shared_pages::offer_stored(service, admission, site, request.target, &reply.page);
            }
        }
        None => {
            let mut cache = state.isr.borrow_mut();
            let hash = cache.hasher().key(site, request.target).hash();
            state.upstreams[index].pass(hash);
            cache.render_failed(ticket);
            drop(cache);
            service.fills_done.bump();
        }
    }
    reply
}

/// How long the upstream lets a shared cache keep `response`, if at all.
fn lifetime_of(response: &Response) -> Option<http_cache::Lifetime> {
    let field = |name: &str| {
        response
            .fields
            .iter()
            .find(|f| f.is(name))
            .map(Field::value)
    };
    http_cache::lifetime(&Stored {
        status: response.status,
        cache_control: field("cache-control"),
        vary: field("vary"),
        sets_cookie: field("set-cookie").is_some(),
        encoded: field("content-encoding").is_some_and(|v| !v.eq_ignore_ascii_case(b"identity")),
    })
}

/// The answer with its body read, and the body if it came whole within `limit` (not cut
/// off); otherwise the answer streams on as it came.
async fn read_whole(mut response: Response, limit: usize) -> (Response, Option<Bytes>) {
    let body = std::mem::replace(&mut response.body, Body::Empty);
    let (prefix, body) = read_prefix(body, limit).await;
    response.body = body;
    let whole = match (prefix, &response.body) {
        (Ok(bytes), Body::Bytes(_) | Body::Empty) if bytes.len() <= limit => Some(bytes),
        _ => None,
    };
    (response, whole)
}

/// The cache entry for `response` with `body`, fetched at `fetched_at_ms`; `lifetime`
/// `None` for one that is only passed to another shard, never kept.
fn to_page(
    response: &Response,
    body: Bytes,
    fetched_at_ms: u64,
    lifetime: Option<http_cache::Lifetime>,
) -> page::CachedPage {
    let fields: Vec<Field> = response
        .fields
        .iter()
        .filter(|f| !NOT_KEPT.iter().any(|n| f.name().eq_ignore_ascii_case(n)))
        .cloned()
        .collect();
    Page {
        status: response.status,
        head: Arc::new(FieldBlock::new(fields)),
        body,
        rendered_at_ms: fetched_at_ms,
        revalidate_s: lifetime.map(|l| l.fresh_s),
        stale_s: lifetime.map(|l| l.stale_s),
        tags: Box::new([]),
    }
}

/// Fetches a stale answer again in the background, under the state it was found in.
fn revalidate_later(
    service: &Rc<Service>,
    from: &Forwarding,
    site: usize,
    request: &Request<'_>,
    index: usize,
    target: &[u8],
    ticket: RenderTicket,
) {
    let owned = request.owned();
    let target = target.to_vec();
    let task_service = service.clone();
    let from = from.clone();
    shard::spawn(
        &service.shard,
        "a proxied answer's revalidation",
        async move {
            let request = owned.view();
            // The answer goes nowhere: dropping it closes (or pools) its connection.
            let _ = fill(&task_service, &from, site, &request, index, &target, ticket).await;
        },
    );
}

/// Waits for some fill on this shard to end (the one awaited, maybe); false once `deadline`
/// passes first.
async fn fill_done_by(service: &Service, deadline: Instant) -> bool {
    let seen = service.fills_done.get();
    let left = deadline.saturating_duration_since(Instant::now());
    !left.is_zero()
        && rt::timeout(left, service.fills_done.changed(seen))
            .await
            .is_ok()
}

/// How long a request waits for a fill made for it by another.
fn fill_wait(state: &State) -> Duration {
    Duration::from_millis(state.isr.borrow().config().fill_timeout_ms)
}
