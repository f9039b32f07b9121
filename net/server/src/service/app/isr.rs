//! The ISR flows of a shard: hits, misses through the owner shard, background revalidation,
//! invalidation. The cache policy itself is [`bext_core::isr`]; this is its wiring to
//! requests, the engine and the mesh (see the parent module's docs for the design).
//!
//! Every flow works on one pinned [`State`]: the cache it looks in is the cache it stores
//! into, and the site numbers it uses are that state's, however many reloads happen while a
//! render is under way.

use std::rc::Rc;
use std::sync::Arc;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use bext_core::isr::{Fill, Invalidate, Lookup, RenderTicket, owner_shard};
use bext_net::fields::FieldBlock;
use bext_render::renderer::RenderRequest;
use bext_shards::{clock, rt};

use super::page::{self, CacheState, CachedPage};
use super::{AppEngine, AppSite, synthetic_request};
use crate::service::{Response, Service, State};
use crate::shard::mesh::{FillAsk, FillReply, FillRequest, Message};
use crate::shard::{self};

/// A fresh or stale cached page for this GET/HEAD.
pub(super) fn answer_hit(
    service: &Rc<Service>,
    state: &Rc<State>,
    site: usize,
    path: &[u8],
    host: Option<&[u8]>,
) -> Option<Response> {
    let now = clock::monotonic_ms();
    let cached = {
        let mut cache = state.isr.borrow_mut();
        let key = cache.hasher().key(site, path);
        cached(cache.lookup(key, now))
    };
    let (response, ticket) = cached?;
    Some(answered(service, state, site, path, host, response, ticket))
}

/// A cache lookup as an answer: a fresh or stale page with its revalidation ticket, or
/// `None` on a miss.
fn cached(lookup: Lookup<'_, Arc<FieldBlock>>) -> Option<(Response, Option<RenderTicket>)> {
    match lookup {
        Lookup::Fresh(p) => Some((page::cached_response(p, CacheState::Hit), None)),
        Lookup::Stale(p, ticket) => Some((page::cached_response(p, CacheState::Stale), ticket)),
        Lookup::Miss => None,
    }
}

/// A cached answer, after starting the background revalidation a stale page asks for.
fn answered(
    service: &Rc<Service>,
    state: &Rc<State>,
    site: usize,
    path: &[u8],
    host: Option<&[u8]>,
    response: Response,
    ticket: Option<RenderTicket>,
) -> Response {
    if let Some(ticket) = ticket {
        revalidate_later(
            service,
            state,
            site,
            path.to_vec(),
            host.map(<[u8]>::to_vec),
            ticket,
        );
    }
    response
}

/// What a look at the cache decided. A short-lived local: boxing the response would cost an
/// allocation per hit.
#[allow(clippy::large_enum_variant)]
enum Step {
    /// Answered (with a revalidation ticket for a stale page).
    Answered(Response, Option<RenderTicket>),
    /// A fresh page, copied out (its parts shared).
    Fresh(CachedPage),
    /// This request renders the page.
    Lead(RenderTicket),
    /// Another render of the page is under way: wait for it.
    Follow,
}

/// A GET/HEAD of a page route that missed the synchronous path: the cache again (a page may
/// have arrived meanwhile), then one render per key (here or on the owner shard).
#[allow(clippy::too_many_arguments)]
pub(super) async fn answer_through_cache(
    service: &Rc<Service>,
    state: &Rc<State>,
    site: usize,
    app_site: &Arc<AppSite>,
    engine: &Rc<AppEngine>,
    path: &[u8],
    host: Option<&[u8]>,
    request: RenderRequest,
) -> Response {
    let deadline = Instant::now() + fill_wait(state);
    let mut request = Some(request);
    loop {
        // Decided with the cache borrowed, acted on after the borrow ends (renders await).
        let step = {
            let now = clock::monotonic_ms();
            let mut cache = state.isr.borrow_mut();
            let key = cache.hasher().key(site, path);
            match cached(cache.lookup(key, now)) {
                Some((response, ticket)) => Step::Answered(response, ticket),
                None => match cache.begin_fill(key, now) {
                    Fill::Leader(ticket) => Step::Lead(ticket),
                    Fill::Follower => Step::Follow,
                },
            }
        };
        match step {
            Step::Answered(response, ticket) => {
                return answered(service, state, site, path, host, response, ticket);
            }
            Step::Lead(ticket) => {
                let Some(request) = request.take() else {
                    state.isr.borrow_mut().render_failed(ticket);
                    break;
                };
                let reply = fill(
                    service, state, site, app_site, engine, path, request, ticket,
                )
                .await;
                return page::cached_response(&reply.page, CacheState::Miss);
            }
            // (A fresh page is answered directly above, never handed back here.)
            Step::Follow | Step::Fresh(_) => {
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
    // The leader never reported back within the wait: render this one uncached.
    let request = request.unwrap_or_else(|| {
        synthetic_request(app_site, path, host).unwrap_or(RenderRequest {
            id: 0,
            method: String::from("GET"),
            url: String::from_utf8_lossy(path).into_owned(),
            route: app_site.app.routes.not_found_route(),
            params: Vec::new(),
            headers: Vec::new(),
            body: None,
        })
    });
    let page = engine.render(&service.shard, request).await;
    let fields = page::fields(
        &page,
        false,
        &state.snapshot.site_runtime[site].extra_headers,
    );
    page::response(page.status, &fields, &page.body, CacheState::Miss)
}

/// Renders `path` once with `ticket` (here if this shard owns it, else by asking the owner),
/// settles the ticket, and wakes the followers.
#[allow(clippy::too_many_arguments)]
pub(super) async fn fill(
    service: &Rc<Service>,
    state: &Rc<State>,
    site: usize,
    app_site: &Arc<AppSite>,
    engine: &Rc<AppEngine>,
    path: &[u8],
    request: RenderRequest,
    ticket: RenderTicket,
) -> FillReply {
    let hash = state.isr.borrow().hasher().key(site, path).hash();
    let shard = &service.shard;
    let owner = owner_shard(hash, shard.mesh.shards());
    let route = request.route;
    let reply = if owner == shard.id {
        None
    } else {
        ask_owner(
            service,
            state,
            owner,
            site,
            FillAsk::Render(request.clone()),
        )
        .await
    };
    let (reply, here) = match reply {
        Some(reply) => (reply, false),
        None => (
            render_here(service, state, site, app_site, engine, request).await,
            true,
        ),
    };
    // A dynamic page makes its route render locally from now on; an error or not-found answer
    // says nothing about the route's other pages.
    if reply.dynamic && reply.page.status < 400 {
        engine.dynamic_routes.borrow_mut().insert(route);
    }
    let admission = {
        let mut cache = state.isr.borrow_mut();
        let key = cache.hasher().key(site, path);
        if reply.cacheable {
            Some(cache.insert(key, reply.page.clone(), ticket))
        } else {
            cache.render_failed(ticket);
            None
        }
    };
    service.fills_done.bump();
    // Rendered here (not the owner's copy): offered to the other nodes, with `share_pages`.
    if here && let Some(admission) = admission {
        crate::service::shared_pages::offer_stored(service, admission, site, path, &reply.page);
    }
    reply
}

/// Renders on this shard's engine.
async fn render_here(
    service: &Rc<Service>,
    state: &State,
    site: usize,
    app_site: &Arc<AppSite>,
    engine: &Rc<AppEngine>,
    request: RenderRequest,
) -> FillReply {
    let rendered_at = clock::monotonic_ms();
    let route = request.route;
    let asked = format!("{} {}", request.method, request.url);
    let page = engine.render(&service.shard, request).await;
    super::log_failure(&service.shard, app_site, route, &asked, &page);
    let cacheable = page::cacheable(&page);
    let fields = page::fields(
        &page,
        cacheable,
        &state.snapshot.site_runtime[site].extra_headers,
    );
    FillReply {
        page: page::to_cached(&page, fields, rendered_at),
        cacheable,
        dynamic: page.dynamic,
    }
}

/// Asks the owner shard for the page (rendered, or a proxied answer); `None` if it cannot be
/// asked or does not answer in time (the caller then renders or fetches it here).
pub(crate) async fn ask_owner(
    service: &Service,
    state: &State,
    owner: usize,
    site: usize,
    ask: FillAsk,
) -> Option<FillReply> {
    let shard = &service.shard;
    let id = shard.mesh.next_id();
    service
        .mesh_fills
        .borrow_mut()
        .insert(id, MeshFill::default());
    let ask = FillRequest {
        from: shard.id,
        id,
        snapshot: state.snapshot.id,
        site,
        ask,
    };
    // A full inbox: the owner is overloaded; render here rather than wait.
    if shard
        .send(owner, Message::FillRequest(Box::new(ask)))
        .is_err()
    {
        service.mesh_fills.borrow_mut().remove(&id);
        return None;
    }
    let wait = std::future::poll_fn(|cx| {
        let mut fills = service.mesh_fills.borrow_mut();
        let Some(slot) = fills.get_mut(&id) else {
            return Poll::Ready(None);
        };
        match slot.reply.take() {
            Some(reply) => Poll::Ready(reply),
            None => {
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    });
    let reply = rt::timeout(fill_wait(state), wait).await.ok().flatten();
    service.mesh_fills.borrow_mut().remove(&id);
    reply.map(|boxed| *boxed)
}

/// A reply awaited from an owner shard.
#[derive(Default)]
pub(crate) struct MeshFill {
    reply: Option<Option<Box<FillReply>>>,
    waker: Option<Waker>,
}

/// The owner's side: answer another shard's ask from this shard's cache, rendering at most
/// once per key. Asked under another snapshot (mid-reload), or while draining, it answers
/// with nothing at once, and the asker renders the page itself.
pub(crate) fn on_fill_request(service: &Rc<Service>, ask: FillRequest) {
    let shard = &service.shard;
    let state = service.current();
    let (from, id) = (ask.from, ask.id);
    let reply_by = Instant::now() + fill_wait(&state);
    if state.snapshot.id != ask.snapshot || shard.draining.get() {
        shard.send_until(
            from,
            Message::FillReply { id, reply: None },
            reply_by,
            "a page request's refusal (the asker renders after its wait)",
        );
        return;
    }
    let task_service = service.clone();
    shard::spawn(shard, "an owner shard's fill", async move {
        let service = task_service;
        let reply = match ask.ask {
            FillAsk::Render(request) => owner_obtain(&service, &state, ask.site, request).await,
            FillAsk::Proxy {
                upstream,
                target,
                request,
                secure,
                timeout_ms,
            } => {
                crate::service::proxy::owner_obtain(
                    &service,
                    &state,
                    ask.site,
                    upstream,
                    &target,
                    *request,
                    (secure, timeout_ms),
                )
                .await
            }
        };
        service.shard.send_until(
            from,
            Message::FillReply {
                id,
                reply: reply.map(Box::new),
            },
            reply_by,
            "a rendered page for another shard (it renders the page itself)",
        );
    });
}

/// The asker's side: a reply arrived.
pub(crate) fn on_fill_reply(service: &Service, id: u64, reply: Option<Box<FillReply>>) {
    if let Some(slot) = service.mesh_fills.borrow_mut().get_mut(&id) {
        slot.reply = Some(reply);
        if let Some(waker) = slot.waker.take() {
            waker.wake();
        }
    }
}

async fn owner_obtain(
    service: &Rc<Service>,
    state: &Rc<State>,
    site: usize,
    request: RenderRequest,
) -> Option<FillReply> {
    let app_site = state.snapshot.site_runtime.get(site)?.app.clone()?;
    let engine = state.engine(site)?;
    let path: Vec<u8> = request
        .url
        .split('?')
        .next()
        .unwrap_or("/")
        .as_bytes()
        .to_vec();
    let deadline = Instant::now() + fill_wait(state);
    let mut request = Some(request);
    loop {
        // Decided with the cache borrowed, acted on after the borrow ends (renders await).
        let (step, stale) = {
            let now = clock::monotonic_ms();
            let mut cache = state.isr.borrow_mut();
            let key = cache.hasher().key(site, &path);
            match cache.lookup(key, now) {
                Lookup::Fresh(p) => (Step::Fresh(p.clone()), None),
                Lookup::Stale(_, Some(ticket)) => (Step::Lead(ticket), None),
                Lookup::Stale(p, None) => (Step::Follow, Some(p.clone())),
                Lookup::Miss => match cache.begin_fill(key, now) {
                    Fill::Leader(ticket) => (Step::Lead(ticket), None),
                    Fill::Follower => (Step::Follow, None),
                },
            }
        };
        match step {
            Step::Fresh(page) => {
                return Some(FillReply {
                    page,
                    cacheable: true,
                    dynamic: false,
                });
            }
            Step::Lead(ticket) => {
                let Some(request) = request.take() else {
                    state.isr.borrow_mut().render_failed(ticket);
                    return None;
                };
                return Some(
                    fill(
                        service, state, site, &app_site, &engine, &path, request, ticket,
                    )
                    .await,
                );
            }
            Step::Follow | Step::Answered(..) => {}
        }
        let seen = service.fills_done.get();
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero()
            || rt::timeout(left, service.fills_done.changed(seen))
                .await
                .is_err()
        {
            // Whatever this shard has is better than nothing; the asker renders otherwise.
            return stale.map(|page| FillReply {
                page,
                cacheable: true,
                dynamic: false,
            });
        }
    }
}

/// Starts the background re-render of a stale page, under the state it was found in.
fn revalidate_later(
    service: &Rc<Service>,
    state: &Rc<State>,
    site: usize,
    path: Vec<u8>,
    host: Option<Vec<u8>>,
    ticket: RenderTicket,
) {
    let task_service = service.clone();
    let state = state.clone();
    shard::spawn(&service.shard, "an ISR revalidation", async move {
        let service = task_service;
        let app_site = state
            .snapshot
            .site_runtime
            .get(site)
            .and_then(|s| s.app.clone());
        let engine = state.engine(site);
        let request = app_site
            .as_ref()
            .and_then(|a| synthetic_request(a, &path, host.as_deref()));
        match (app_site, engine, request) {
            (Some(app_site), Some(engine), Some(request)) => {
                fill(
                    &service, &state, site, &app_site, &engine, &path, request, ticket,
                )
                .await;
            }
            _ => state.isr.borrow_mut().render_failed(ticket),
        }
    });
}

/// Marks the pages named by `what` stale in `state`'s cache; how many.
pub(crate) fn invalidate(state: &State, site: usize, what: &Invalidate) -> usize {
    state.invalidated_at_ms.set(Some(clock::monotonic_ms()));
    let mut cache = state.isr.borrow_mut();
    match what {
        Invalidate::Tag(tag) => cache.invalidate_tag(site, tag),
        Invalidate::Path(path) => cache.invalidate_path(site, path.as_bytes()),
    }
}

/// How long a request waits for a render made for it elsewhere (a leader, the owner).
fn fill_wait(state: &State) -> Duration {
    Duration::from_millis(state.isr.borrow().config().fill_timeout_ms)
}
