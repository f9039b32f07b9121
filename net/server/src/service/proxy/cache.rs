//! `[[site.proxy]] cache = true`: upstream answers kept in the shard's page cache, the one
//! rendered pages use (its budget, its S3-FIFO eviction, its one-fill-per-key coalescing,
//! its purge endpoint), for as long as the upstream's `Cache-Control` allows a shared cache
//! (`bext_core::http_cache`).
//!
//! A `GET` or `HEAD` without `Authorization` is looked up by site and target as the client
//! sent it (path and query), which is also what the purge endpoint names. Fresh: answered from the cache (`x-bext-cache: hit`). Stale within the
//! answer's `stale-while-revalidate`: answered at once (`stale`) while one request fetches it
//! again in the background. Missing: one `GET` per key goes to the upstream (`miss`), without
//! the client's conditions, ranges or encodings so the answer suits every client; the
//! requests that come meanwhile wait for it (up to the cache's fill wait, then go to the
//! upstream themselves). A `HEAD` that misses is forwarded as it is and fills nothing.
//!
//! An answer is kept whole (up to the cache's largest entry): its body is read before it is
//! sent, then sent from memory. A larger one, or one whose body breaks off, is sent as it
//! streams and not kept.
//!
//! Each shard fills its own copy: a key costs the upstream at most one request per lifetime
//! per shard (rendered pages go through their owner shard instead; that is not done for
//! proxied answers yet).

use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bext_core::http_cache::{self, Stored};
use bext_core::isr::{Fill, Lookup, Page, RenderTicket};
use bext_net::Method;
use bext_net::fields::{Field, FieldBlock};
use bext_shards::{clock, rt};

use super::super::app::page::{self, CacheState};
use super::super::inspect::read_prefix;
use super::super::response::Body;
use super::super::{Request, Response, Service, State};
use super::{Forwarding, forward};
use crate::shard;

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
    let deadline = Instant::now() + fill_wait(state);
    loop {
        // Decided with the cache borrowed, acted on after the borrow ends.
        let step = {
            let now = clock::monotonic_ms();
            let mut cache = state.isr.borrow_mut();
            let key = cache.hasher().key(site, request.target);
            match cache.lookup(key, now) {
                Lookup::Fresh(page) => {
                    Step::Answered(page::cached_response(page, CacheState::Hit), None)
                }
                Lookup::Stale(page, ticket) => {
                    Step::Answered(page::cached_response(page, CacheState::Stale), ticket)
                }
                Lookup::Miss if request.method == Method::Head => Step::Forward,
                Lookup::Miss => match cache.begin_fill(key, now) {
                    Fill::Leader(ticket) => Step::Lead(ticket),
                    Fill::Follower => Step::Follow,
                },
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
                let seen = service.fills_done.get();
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero()
                    || rt::timeout(left, service.fills_done.changed(seen))
                        .await
                        .is_err()
                {
                    break;
                }
            }
        }
    }
    forward(service, from, request, index, target, false).await
}

/// Fetches `target` once with `ticket`, keeps the answer if it may be kept, settles the
/// ticket and wakes the requests waiting on it.
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
    let fetched_at = clock::monotonic_ms();
    let response = forward(service, from, request, index, target, true).await;
    let limit = state.isr.borrow().config().entry_bytes_max;
    let (mut response, page) = keep(response, fetched_at, limit).await;
    {
        let mut cache = state.isr.borrow_mut();
        let key = cache.hasher().key(site, request.target);
        match page {
            Some(page) => {
                cache.insert(key, page, ticket);
            }
            None => cache.render_failed(ticket),
        }
    }
    service.fills_done.bump();
    response
        .fields
        .push(Field::from_static("x-bext-cache", CacheState::Miss.value()));
    response
}

/// The answer to send, and the cache entry for it when it may be kept.
async fn keep(
    mut response: Response,
    fetched_at_ms: u64,
    limit: usize,
) -> (Response, Option<page::CachedPage>) {
    let field = |name: &str| {
        response
            .fields
            .iter()
            .find(|f| f.is(name))
            .map(Field::value)
    };
    let lifetime = http_cache::lifetime(&Stored {
        status: response.status,
        cache_control: field("cache-control"),
        vary: field("vary"),
        sets_cookie: field("set-cookie").is_some(),
        encoded: field("content-encoding").is_some_and(|v| !v.eq_ignore_ascii_case(b"identity")),
    });
    let Some(lifetime) = lifetime else {
        return (response, None);
    };
    let body = std::mem::replace(&mut response.body, Body::Empty);
    let (prefix, body) = read_prefix(body, limit).await;
    response.body = body;
    let whole = match (&prefix, &response.body) {
        (Ok(bytes), Body::Bytes(_) | Body::Empty) if bytes.len() <= limit => bytes.clone(),
        _ => return (response, None),
    };
    let fields: Vec<Field> = response
        .fields
        .iter()
        .filter(|f| !NOT_KEPT.iter().any(|n| f.name().eq_ignore_ascii_case(n)))
        .cloned()
        .collect();
    let page = Page {
        status: response.status,
        head: Arc::new(FieldBlock::new(fields)),
        body: whole,
        rendered_at_ms: fetched_at_ms,
        revalidate_s: Some(lifetime.fresh_s),
        stale_s: Some(lifetime.stale_s),
        tags: Box::new([]),
    };
    (response, Some(page))
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

/// How long a request waits for a fill made for it by another.
fn fill_wait(state: &State) -> Duration {
    Duration::from_millis(state.isr.borrow().config().fill_timeout_ms)
}
