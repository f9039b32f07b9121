//! App sites: pages rendered by the shard's JavaScript engine and cached per shard (ISR).
//!
//! # The request path
//!
//! 1. **Synchronous** ([`answer_cached`], from the connection's fast path): a GET or HEAD whose
//!    path has a page in this shard's ISR cache is answered at once: fresh (`x-bext-cache:
//!    hit`), or stale (`stale`) while one background re-render is started.
//! 2. **Slow** ([`answer`]): the route table decides. A route with parameters or no route at
//!    all first tries `public/` (so `/[slug]` does not swallow `/styles.css`); then the page is
//!    obtained through the cache (GET/HEAD of a page route) or rendered directly (handlers,
//!    other methods, dynamic pages, `isr = false`, dev mode).
//!
//! # One render per revalidation window, server-wide
//!
//! Every page key has an owner shard ([`bext_core::isr::owner_shard`] of its hash). A shard
//! that misses (or holds a stale copy) of a key it does not own does not render: it asks the
//! owner over the mesh, and the owner answers from its own cache or renders once, coalescing
//! every asker (its own connections and other shards) behind one render. The asker stores the
//! owner's page (the same `Bytes`, the owner's render time) in its own cache, so after the
//! first request each shard answers hits by itself. Shards share no mutable state: the only
//! thing that crosses is the finished, immutable page. Within a shard, concurrent misses of
//! one key wait for one leader ([`bext_core::isr::IsrCache::begin_fill`]).
//!
//! Routes that render dynamic pages (they read cookies, headers or searchParams, or opted out)
//! are remembered per shard and then rendered locally without coalescing: they cannot be
//! shared, so asking the owner would only add a hop.

mod engine;
mod isr;
mod page;

use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use bext_engine::{EngineKind, Limits};
use bext_render::app::{Param, RouteKind, RouteMatch};
use bext_render::load::LoadedApp;
use bext_render::renderer::{RenderRequest, RenderedPage};

pub(crate) use engine::AppEngine;
pub(crate) use isr::{FillReply, MeshFill, handle_fill_reply, handle_fill_request, invalidate};

use super::shard::Shard;
use super::static_files::{self, Answer, Ask};
use crate::h1::Method;
use page::CacheState;

/// An app site as the snapshot holds it: the compiled app and how to run it. Shared
/// read-only by every shard.
pub struct AppSite {
    pub app: Arc<LoadedApp>,
    pub engine: EngineKind,
    pub limits: Limits,
    pub fetch_timeout: Duration,
    /// Cache rendered pages (off in dev mode and with `[render] isr = false`).
    pub isr: bool,
    /// Dev mode: reload script, error overlay.
    pub dev: bool,
    /// The site's static root is the app's `public/` and it does not exist: there are no
    /// static files to try.
    pub no_public: bool,
}

/// A request for an app site, as the slow path has it.
pub(crate) struct Incoming<'a> {
    pub ask: &'a Ask<'a>,
    pub target: &'a [u8],
    pub method: &'a [u8],
    /// The request head as received, parsed again for every header field.
    pub fields: &'a [u8],
    pub body: Option<Vec<u8>>,
    pub peer: SocketAddr,
}

/// Milliseconds on a clock every shard shares (monotonic, from the first call), for cache
/// ages that cross shards.
pub(crate) fn clock_ms() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    let epoch = *EPOCH.get_or_init(Instant::now);
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The synchronous path: a cached page for a GET or HEAD, or `None`.
pub(crate) fn answer_cached(
    shard: &Rc<Shard>,
    site: usize,
    ask: &Ask<'_>,
    out: &mut Vec<u8>,
) -> Option<Answer> {
    if !matches!(ask.method, Method::Get | Method::Head) || ask.query.is_some() {
        return None;
    }
    isr::answer_hit(shard, site, ask, out)
}

/// The slow path of an app site.
pub(crate) async fn answer(
    shard: &Rc<Shard>,
    site: usize,
    request: Incoming<'_>,
    started: Instant,
    out: &mut Vec<u8>,
) -> Answer {
    let snapshot = shard.snapshot.borrow().clone();
    let Some(app_site) = snapshot.site_runtime[site].app.clone() else {
        return static_files::answer_miss(shard, request.ask, started, out).await;
    };
    let Some(engine) = shard.app_engine(site) else {
        return static_files::answer_miss(shard, request.ask, started, out).await;
    };
    let ask = request.ask;
    let routes = &app_site.app.routes;
    let matched = std::str::from_utf8(ask.path)
        .ok()
        .and_then(|path| routes.match_path(path));
    let try_static = !app_site.no_public
        && matches!(ask.method, Method::Get | Method::Head)
        && matched.as_ref().is_none_or(|m| !m.params.is_empty());
    if try_static {
        let before = out.len();
        let answer = static_files::answer_miss(shard, ask, started, out).await;
        let missing = matches!(answer, Answer::Done { status: 404, .. });
        if !missing {
            return answer;
        }
        out.truncate(before);
    }
    let (route, params) = match matched {
        Some(RouteMatch { route, params }) => (route, params),
        None => (routes.not_found_route(), Vec::new()),
    };
    let kind = routes.routes().get(route).map(|r| r.kind);
    let render = build_request(&request, route, params);
    let head_only = ask.method == Method::Head;
    let keep_alive = ask.keep_alive && !ask.http_1_0;
    let cached_path = app_site.isr
        && kind == Some(RouteKind::Page)
        && matches!(ask.method, Method::Get | Method::Head)
        && ask.query.is_none()
        && !engine.dynamic_routes.borrow().contains(&route);
    if cached_path {
        return isr::answer_through_cache(
            shard, site, &app_site, &engine, ask, render, head_only, keep_alive, out,
        )
        .await;
    }
    let mut page = engine.render(shard, render).await;
    let asked = format!(
        "{} {}",
        String::from_utf8_lossy(request.method),
        String::from_utf8_lossy(request.target)
    );
    log_failure(shard, &app_site, route, &asked, &page);
    if page.dynamic {
        engine.dynamic_routes.borrow_mut().insert(route);
    }
    if app_site.dev {
        page::dev_transform(&mut page, &route_pattern(&app_site, route));
    }
    // Rendered outside the cache: never shared.
    let head = page::head(&page, false, &snapshot.site_runtime[site].extra_headers);
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

/// Logs a failed render with its route and what was asked (`GET /p/1`): one line on stderr.
pub(crate) fn log_failure(
    shard: &Shard,
    app_site: &AppSite,
    route: usize,
    asked: &str,
    page: &RenderedPage,
) {
    if let Some(failure) = &page.error {
        eprintln!(
            "bext: shard {}: render of {} ({asked}) failed with {}: {}",
            shard.id,
            route_pattern(app_site, route),
            page.status,
            failure.message.lines().next().unwrap_or("")
        );
    }
}

pub(crate) fn route_pattern(app_site: &AppSite, route: usize) -> String {
    match app_site.app.routes.routes().get(route) {
        Some(r) if !r.pattern.is_empty() => r.pattern.clone(),
        _ => String::from("(not found)"),
    }
}

/// The engine's view of a request: method, target, every header field, the body.
fn build_request(
    request: &Incoming<'_>,
    route: usize,
    params: Vec<(String, Param)>,
) -> RenderRequest {
    let mut headers = super::with_head(request.fields, |head| {
        head.headers()
            .map(|(name, value)| {
                (
                    name.to_ascii_lowercase(),
                    String::from_utf8_lossy(value).into_owned(),
                )
            })
            .collect::<Vec<_>>()
    })
    .unwrap_or_default();
    // The peer's address, as a proxy would pass it on.
    headers.push((
        String::from("x-bext-client-ip"),
        request.peer.ip().to_string(),
    ));
    RenderRequest {
        id: 0,
        method: String::from_utf8_lossy(request.method).into_owned(),
        url: String::from_utf8_lossy(request.target).into_owned(),
        route,
        params,
        headers,
        body: request
            .body
            .as_ref()
            .map(|b| String::from_utf8_lossy(b).into_owned()),
    }
}

/// A request for `path` made by bext itself (a background revalidation): GET, no fields but
/// the host. Pages that are cached do not depend on request fields, or they would be dynamic.
fn synthetic_request(
    app_site: &AppSite,
    path: &[u8],
    host: Option<&[u8]>,
) -> Option<RenderRequest> {
    let path = std::str::from_utf8(path).ok()?;
    let m = app_site.app.routes.match_path(path)?;
    let mut headers = Vec::new();
    if let Some(host) = host {
        headers.push((
            String::from("host"),
            String::from_utf8_lossy(host).into_owned(),
        ));
    }
    Some(RenderRequest {
        id: 0,
        method: String::from("GET"),
        url: path.to_owned(),
        route: m.route,
        params: m.params,
        headers,
        body: None,
    })
}
