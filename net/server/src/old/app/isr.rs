//! The ISR flows of a shard: hits, misses through the owner shard, background revalidation,
//! invalidation. The cache policy itself is [`bext_core::isr`]; this is its wiring to
//! requests, the engine and the mesh (see the parent module's docs for the design).

use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bext_core::isr::{Fill, Invalidate, Lookup, Page, RenderTicket, owner_shard};
use bext_render::renderer::RenderRequest;
use bext_shards::rt;

use super::super::Message;
use super::super::shard::Shard;
use super::super::static_files::{Answer, Ask};
use super::page::{self, CacheState};
use super::{AppEngine, AppSite, clock_ms, synthetic_request};
use crate::h1::Method;

/// A page an owner shard sends to the shard that asked for it.
pub(crate) struct FillReply {
    pub page: Page,
    /// False for pages that must not be cached (dynamic, errors): serve once, keep nothing.
    pub cacheable: bool,
    /// The page was dynamic: the asker renders this route locally from now on.
    pub dynamic: bool,
}

/// A fresh or stale cached page for this GET/HEAD, written to `out`.
pub(super) fn answer_hit(
    shard: &Rc<Shard>,
    site: usize,
    ask: &Ask<'_>,
    out: &mut Vec<u8>,
) -> Option<Answer> {
    {
        let snapshot = shard.snapshot.borrow();
        let app_site = snapshot.site_runtime[site].app.as_ref()?;
        if !app_site.isr {
            return None;
        }
    }
    let now = clock_ms();
    let mut cache = shard.isr.borrow_mut();
    let key = cache.hasher().key(site, ask.path);
    let head_only = ask.method == Method::Head;
    let keep_alive = ask.keep_alive && !ask.http_1_0;
    let date = shard.date.borrow();
    let (answer, ticket) = match cache.lookup(key, now) {
        Lookup::Fresh(p) => (
            page::write_cached(out, date.line(), p, CacheState::Hit, head_only, keep_alive),
            None,
        ),
        Lookup::Stale(p, ticket) => (
            page::write_cached(
                out,
                date.line(),
                p,
                CacheState::Stale,
                head_only,
                keep_alive,
            ),
            ticket,
        ),
        Lookup::Miss => return None,
    };
    drop(date);
    drop(cache);
    if let Some(ticket) = ticket {
        revalidate_later(
            shard,
            site,
            ask.path.to_vec(),
            ask.host.map(<[u8]>::to_vec),
            ticket,
        );
    }
    Some(answer)
}

/// A GET/HEAD of a page route that missed the synchronous path: the cache again (a page may
/// have arrived meanwhile), then one render per key (here or on the owner shard).
#[allow(clippy::too_many_arguments)]
pub(super) async fn answer_through_cache(
    shard: &Rc<Shard>,
    site: usize,
    app_site: &Arc<AppSite>,
    engine: &Rc<AppEngine>,
    ask: &Ask<'_>,
    request: RenderRequest,
    head_only: bool,
    keep_alive: bool,
    out: &mut Vec<u8>,
) -> Answer {
    let path = ask.path.to_vec();
    let wait = fill_wait(shard);
    let deadline = Instant::now() + wait;
    let mut request = Some(request);
    loop {
        // Decided with the cache borrowed, acted on after the borrow ends (renders await).
        let step = {
            let now = clock_ms();
            let mut cache = shard.isr.borrow_mut();
            let key = cache.hasher().key(site, &path);
            let date = shard.date.borrow();
            let found = match cache.lookup(key, now) {
                Lookup::Fresh(p) => Some((
                    page::write_cached(out, date.line(), p, CacheState::Hit, head_only, keep_alive),
                    None,
                )),
                Lookup::Stale(p, ticket) => Some((
                    page::write_cached(
                        out,
                        date.line(),
                        p,
                        CacheState::Stale,
                        head_only,
                        keep_alive,
                    ),
                    ticket,
                )),
                Lookup::Miss => None,
            };
            match found {
                Some((answer, ticket)) => Step::Answered(answer, ticket),
                None => match cache.begin_fill(key, now) {
                    Fill::Leader(ticket) => Step::Lead(ticket),
                    Fill::Follower => Step::Follow,
                },
            }
        };
        match step {
            Step::Answered(answer, ticket) => {
                if let Some(ticket) = ticket {
                    revalidate_later(shard, site, path, ask.host.map(<[u8]>::to_vec), ticket);
                }
                return answer;
            }
            Step::Lead(ticket) => {
                let Some(request) = request.take() else {
                    shard.isr.borrow_mut().render_failed(ticket);
                    break;
                };
                let reply = fill(shard, site, app_site, engine, &path, request, ticket).await;
                let p = &reply.page;
                return page::write_cached(
                    out,
                    shard.date.borrow().line(),
                    p,
                    CacheState::Miss,
                    head_only,
                    keep_alive,
                );
            }
            // (A fresh page is written directly above, never handed back here.)
            Step::Follow | Step::Fresh(_) => {
                let seen = shard.fills_done.get();
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero()
                    || rt::timeout(left, shard.fills_done.changed(seen))
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
        synthetic_request(app_site, &path, ask.host).unwrap_or(RenderRequest {
            id: 0,
            method: String::from("GET"),
            url: String::from_utf8_lossy(&path).into_owned(),
            route: app_site.app.routes.not_found_route(),
            params: Vec::new(),
            headers: Vec::new(),
            body: None,
        })
    });
    let page = engine.render(shard, request).await;
    let head = page::head(
        &page,
        false,
        &shard.snapshot.borrow().site_runtime[site].extra_headers,
    );
    page::write(
        out,
        shard.date.borrow().line(),
        page.status,
        &head,
        &page.body,
        CacheState::Miss,
        head_only,
        keep_alive,
    )
}

/// Renders `path` once with `ticket` (here if this shard owns it, else by asking the owner),
/// settles the ticket, and wakes the followers.
async fn fill(
    shard: &Rc<Shard>,
    site: usize,
    app_site: &Arc<AppSite>,
    engine: &Rc<AppEngine>,
    path: &[u8],
    request: RenderRequest,
    ticket: RenderTicket,
) -> FillReply {
    let hash = shard.isr.borrow().hasher().key(site, path).hash();
    let owner = owner_shard(hash, shard.shards());
    let route = request.route;
    let reply = if owner == shard.id {
        None
    } else {
        ask_owner(shard, owner, site, request.clone()).await
    };
    let reply = match reply {
        Some(reply) => reply,
        None => render_here(shard, site, app_site, engine, request).await,
    };
    if reply.dynamic {
        engine.dynamic_routes.borrow_mut().insert(route);
    }
    {
        let mut cache = shard.isr.borrow_mut();
        let key = cache.hasher().key(site, path);
        if reply.cacheable {
            cache.insert(key, reply.page.clone(), ticket);
        } else {
            cache.render_failed(ticket);
        }
    }
    shard.fills_done.bump();
    reply
}

/// Renders on this shard's engine.
async fn render_here(
    shard: &Rc<Shard>,
    site: usize,
    app_site: &Arc<AppSite>,
    engine: &Rc<AppEngine>,
    request: RenderRequest,
) -> FillReply {
    let rendered_at = clock_ms();
    let route = request.route;
    let asked = format!("{} {}", request.method, request.url);
    let page = engine.render(shard, request).await;
    super::log_failure(shard, app_site, route, &asked, &page);
    let cacheable = page::cacheable(&page);
    let head = page::head(
        &page,
        cacheable,
        &shard.snapshot.borrow().site_runtime[site].extra_headers,
    );
    FillReply {
        page: page::to_cached(&page, head, rendered_at),
        cacheable,
        dynamic: page.dynamic,
    }
}

/// Asks the owner shard for the page; `None` if it cannot be asked or does not answer in time
/// (the caller then renders it here).
async fn ask_owner(
    shard: &Rc<Shard>,
    owner: usize,
    site: usize,
    request: RenderRequest,
) -> Option<FillReply> {
    let id = shard.next_mesh_id();
    shard
        .mesh_fills
        .borrow_mut()
        .insert(id, MeshFill::default());
    let sent = shard.send(
        owner,
        Message::FillRequest {
            from: shard.id,
            id,
            site,
            request: Box::new(request),
        },
    );
    if !sent {
        shard.mesh_fills.borrow_mut().remove(&id);
        return None;
    }
    let wait = std::future::poll_fn(|cx| {
        let mut fills = shard.mesh_fills.borrow_mut();
        let Some(slot) = fills.get_mut(&id) else {
            return std::task::Poll::Ready(None);
        };
        match slot.reply.take() {
            Some(reply) => std::task::Poll::Ready(reply),
            None => {
                slot.waker = Some(cx.waker().clone());
                std::task::Poll::Pending
            }
        }
    });
    let reply = rt::timeout(fill_wait(shard), wait).await.ok().flatten();
    shard.mesh_fills.borrow_mut().remove(&id);
    reply.map(|boxed| *boxed)
}

/// A reply awaited from an owner shard.
#[derive(Default)]
pub(crate) struct MeshFill {
    reply: Option<Option<Box<FillReply>>>,
    waker: Option<std::task::Waker>,
}

/// The owner's side: answer another shard's ask from this shard's cache, rendering at most
/// once per key.
pub(crate) fn handle_fill_request(
    shard: &Rc<Shard>,
    from: usize,
    id: u64,
    site: usize,
    request: Box<RenderRequest>,
) {
    let shard = shard.clone();
    rt::spawn(async move {
        let reply = owner_obtain(&shard, site, *request).await;
        shard.send(
            from,
            Message::FillReply {
                id,
                reply: reply.map(Box::new),
            },
        );
    });
}

/// The asker's side: a reply arrived.
pub(crate) fn handle_fill_reply(shard: &Shard, id: u64, reply: Option<Box<FillReply>>) {
    if let Some(slot) = shard.mesh_fills.borrow_mut().get_mut(&id) {
        slot.reply = Some(reply);
        if let Some(waker) = slot.waker.take() {
            waker.wake();
        }
    }
}

async fn owner_obtain(shard: &Rc<Shard>, site: usize, request: RenderRequest) -> Option<FillReply> {
    let app_site = shard
        .snapshot
        .borrow()
        .site_runtime
        .get(site)?
        .app
        .clone()?;
    let engine = shard.app_engine(site)?;
    let path: Vec<u8> = request
        .url
        .split('?')
        .next()
        .unwrap_or("/")
        .as_bytes()
        .to_vec();
    let deadline = Instant::now() + fill_wait(shard);
    let mut request = Some(request);
    loop {
        // Decided with the cache borrowed, acted on after the borrow ends (renders await).
        let (step, stale) = {
            let now = clock_ms();
            let mut cache = shard.isr.borrow_mut();
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
                    shard.isr.borrow_mut().render_failed(ticket);
                    return None;
                };
                return Some(fill(shard, site, &app_site, &engine, &path, request, ticket).await);
            }
            _ => {}
        }
        let seen = shard.fills_done.get();
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero()
            || rt::timeout(left, shard.fills_done.changed(seen))
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

/// What a look at the cache decided.
enum Step {
    /// Written to the output already (with a revalidation ticket for a stale page).
    Answered(Answer, Option<RenderTicket>),
    /// A fresh page, copied out (its `Bytes` shared).
    Fresh(Page),
    /// This request renders the page.
    Lead(RenderTicket),
    /// Another render of the page is under way: wait for it.
    Follow,
}

/// Starts the background re-render of a stale page.
fn revalidate_later(
    shard: &Rc<Shard>,
    site: usize,
    path: Vec<u8>,
    host: Option<Vec<u8>>,
    ticket: RenderTicket,
) {
    let shard = shard.clone();
    rt::spawn(async move {
        let app_site = shard
            .snapshot
            .borrow()
            .site_runtime
            .get(site)
            .and_then(|s| s.app.clone());
        let engine = shard.app_engine(site);
        let request = app_site
            .as_ref()
            .and_then(|a| synthetic_request(a, &path, host.as_deref()));
        match (app_site, engine, request) {
            (Some(app_site), Some(engine), Some(request)) => {
                fill(&shard, site, &app_site, &engine, &path, request, ticket).await;
            }
            _ => shard.isr.borrow_mut().render_failed(ticket),
        }
    });
}

/// Marks the pages named by `what` stale on this shard; how many.
pub(crate) fn invalidate(shard: &Shard, site: usize, what: &Invalidate) -> usize {
    let mut cache = shard.isr.borrow_mut();
    match what {
        Invalidate::Tag(tag) => cache.invalidate_tag(site, tag),
        Invalidate::Path(path) => cache.invalidate_path(site, path.as_bytes()),
    }
}

/// How long a request waits for a render made for it elsewhere (a leader, the owner).
fn fill_wait(shard: &Shard) -> Duration {
    Duration::from_millis(shard.isr.borrow().config().fill_timeout_ms)
}
