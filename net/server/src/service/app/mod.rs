//! App sites: pages rendered by the shard's JavaScript engine and cached per shard (ISR).
//!
//! # The request path
//!
//! 1. **Synchronous** ([`cached`], from the connection's fast path): a GET or HEAD whose path
//!    has a page in this shard's ISR cache is answered at once: fresh (`x-bext-cache: hit`),
//!    or stale (`stale`) while one background re-render is started.
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

mod dev;
mod engine;
mod fetch;
mod isr;
mod page;

use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bext_engine::{EngineKind, Limits};
use bext_render::app::{Param, RouteKind, RouteMatch};
use bext_render::load::LoadedApp;
use bext_render::renderer::{RenderRequest, RenderedPage};

pub(crate) use engine::AppEngine;
pub(crate) use isr::{MeshFill, invalidate, on_fill_reply, on_fill_request};

use super::route::{Route, is_read};
use super::{Request, Response, Service, static_files};
use crate::shard::Shard;
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

/// The synchronous path: a cached page for a GET or HEAD without a query, or `None`.
pub(crate) fn cached(
    service: &Rc<Service>,
    route: &Route,
    request: &Request<'_>,
) -> Option<Response> {
    if !is_read(request.method) || request.query.is_some() {
        return None;
    }
    let state = &route.state;
    if !state.snapshot.site_runtime[route.site]
        .app
        .as_ref()
        .is_some_and(|a| a.isr)
    {
        return None;
    }
    isr::answer_hit(service, state, route.site, request.path, request.host)
}

/// The slow path of an app site.
pub(crate) async fn answer(
    service: &Rc<Service>,
    route: &Route,
    request: &Request<'_>,
    now: Instant,
) -> Response {
    let state = &route.state;
    let site = route.site;
    let (Some(app_site), Some(engine)) = (
        state.snapshot.site_runtime[site].app.clone(),
        state.engine(site),
    ) else {
        return static_files::miss(service, route, request, now).await;
    };
    let routes = &app_site.app.routes;
    let matched = std::str::from_utf8(request.path)
        .ok()
        .and_then(|path| routes.match_path(path));
    let try_static = !app_site.no_public
        && is_read(request.method)
        && matched.as_ref().is_none_or(|m| !m.params.is_empty());
    if try_static {
        let response = static_files::miss(service, route, request, now).await;
        if response.status != 404 {
            return response;
        }
    }
    let (route_index, params) = match matched {
        Some(RouteMatch { route, params }) => (route, params),
        None => (routes.not_found_route(), Vec::new()),
    };
    let kind = routes.routes().get(route_index).map(|r| r.kind);
    let render = render_request(request, route_index, params);
    let cached_path = app_site.isr
        && kind == Some(RouteKind::Page)
        && is_read(request.method)
        && request.query.is_none()
        && !engine.dynamic_routes.borrow().contains(&route_index);
    if cached_path {
        return isr::answer_through_cache(
            service,
            state,
            site,
            &app_site,
            &engine,
            request.path,
            request.host,
            render,
        )
        .await;
    }
    let mut page = engine.render(&service.shard, render).await;
    let asked = format!(
        "{} {}",
        String::from_utf8_lossy(request.method_bytes),
        String::from_utf8_lossy(request.target)
    );
    log_failure(&service.shard, &app_site, route_index, &asked, &page);
    if page.dynamic {
        engine.dynamic_routes.borrow_mut().insert(route_index);
    }
    if app_site.dev {
        dev::dev_transform(&mut page, &route_pattern(&app_site, route_index));
    }
    // Rendered outside the cache: never shared.
    let fields = page::fields(
        &page,
        false,
        &state.snapshot.site_runtime[site].extra_headers,
    );
    page::response(page.status, &fields, &page.body, CacheState::Miss)
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
fn render_request(
    request: &Request<'_>,
    route: usize,
    params: Vec<(String, Param)>,
) -> RenderRequest {
    let mut headers = Vec::new();
    request.fields.for_each(|name, value| {
        headers.push((
            String::from_utf8_lossy(name).to_ascii_lowercase(),
            String::from_utf8_lossy(value).into_owned(),
        ))
    });
    // The peer's address, as a proxy would pass it on.
    headers.push((
        String::from("x-bext-client-ip"),
        request.peer.ip().to_string(),
    ));
    RenderRequest {
        id: 0,
        method: String::from_utf8_lossy(request.method_bytes).into_owned(),
        url: String::from_utf8_lossy(request.target).into_owned(),
        route,
        params,
        headers,
        body: request
            .body
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
