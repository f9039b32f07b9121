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
mod image;
mod isr;
mod next;
pub(crate) mod page;
mod prerender;

use std::borrow::Cow;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bext_engine::{EngineKind, Limits};
use bext_net::fields::Field;
use bext_render::app::{Param, RouteKind, RouteMatch};
use bext_render::load::LoadedApp;
use bext_render::next_config::{RewritePhase, Rewritten};
use bext_render::renderer::{RenderRequest, RenderedPage};

pub(crate) use engine::AppEngine;
pub(crate) use isr::{MeshFill, ask_owner, invalidate, on_fill_reply, on_fill_request};
pub(crate) use prerender::start as prerender;

use super::route::{Route, is_read};
use super::{Body, Request, Response, Service, State, static_files};
use crate::shard::Shard;
use bytes::Bytes;
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
    let app_site = state.snapshot.site_runtime[route.site]
        .app
        .as_ref()
        .filter(|a| a.isr)?;
    let (key, fields) = match &app_site.app.next_config {
        Some(config) => next::fast_path(config, request)?,
        None => (request.path, Vec::new()),
    };
    let mut response = isr::answer_hit(service, state, route.site, key, request.host)?;
    response.fields.extend(fields);
    Some(response)
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
    let (Some(config), Ok(full)) = (
        app_site.app.next_config.as_ref(),
        std::str::from_utf8(request.path),
    ) else {
        if request.path == image::IMAGE_PATH.as_bytes() {
            return image::answer(service, route, request, &app_site, &engine.images, now).await;
        }
        let plan = Plan::of(request);
        let matched = app_site.app.routes.match_path(&plan.path);
        return serve(
            service, route, request, &app_site, &engine, now, plan, matched,
        )
        .await;
    };
    let view = next::View { request };
    let query = request.query.map(String::from_utf8_lossy);
    if let Some(location) = config.trailing_slash_redirect(full, query.as_deref()) {
        return next::redirect(308, &location);
    }
    let Some(path) = config.strip_base_path(full) else {
        // Outside the base path nothing of the app exists: its not-found page.
        let plan = Plan {
            not_found: true,
            ..Plan::of(request)
        };
        return serve(service, route, request, &app_site, &engine, now, plan, None).await;
    };
    // The optimizer, at `/_next/image` (`/_next/image/` with trailing slashes) under the base
    // path, after the trailing-slash redirect, as Next routes it.
    if path
        .strip_suffix('/')
        .filter(|_| config.trailing_slash)
        .unwrap_or(path)
        == image::IMAGE_PATH
    {
        return image::answer(service, route, request, &app_site, &engine.images, now).await;
    }
    if let Some((status, location)) = config.redirect(path, full, &view) {
        return next::redirect(status, &location);
    }
    let mut plan = Plan {
        // Under a base path the app sees paths without it, as under Next.
        path: Cow::Borrowed(path),
        query,
        fields: next::header_fields(config, path, full, &view),
        request_headers: None,
        not_found: false,
    };
    if let Some(middleware) = &config.middleware
        && middleware.runs_for(path, full, &view)
    {
        let mut render = render_request(request, next::MIDDLEWARE_ROUTE, Vec::new(), None, None);
        render.body = None;
        let page = engine.render(&service.shard, render).await;
        if let Some(failure) = &page.error {
            eprintln!(
                "bext: shard {}: middleware {} failed on {}: {}{}",
                service.shard.id,
                middleware.module,
                String::from_utf8_lossy(request.target),
                failure.message.lines().next().unwrap_or(""),
                origin(&app_site, failure)
            );
        }
        let host = request
            .host
            .map(|h| String::from_utf8_lossy(h).into_owned());
        match next::after_middleware(page, host.as_deref()) {
            next::Verdict::Answer(page) => {
                let fields = page::fields(
                    &page,
                    false,
                    &state.snapshot.site_runtime[site].extra_headers,
                );
                let mut response =
                    page::response(page.status, &fields, &page.body, CacheState::Miss);
                response.fields.extend(plan.fields);
                return response;
            }
            next::Verdict::External(url) => {
                return super::proxy::rewritten(service, route, request, &url).await;
            }
            next::Verdict::Continue {
                rewrite,
                fields,
                request_headers,
            } => {
                plan.fields.extend(
                    fields
                        .iter()
                        .filter_map(|(n, v)| Field::new(n.as_bytes(), v.as_bytes()).ok()),
                );
                plan.request_headers = request_headers;
                if let Some((to, query)) = rewrite {
                    plan.path = Cow::Owned(config.strip_base_path(&to).unwrap_or(&to).to_owned());
                    plan.query = query.map(Cow::Owned);
                }
            }
        }
    }
    // Middleware's rewrite is final; otherwise the config's phases, in order.
    if plan.path == path
        && let Some(to) = config.rewrite(RewritePhase::BeforeFiles, path, full, &view)
        && let Err(url) = plan.rewrite(to)
    {
        let mut response = super::proxy::rewritten(service, route, request, &url).await;
        response.fields.extend(plan.fields);
        return response;
    }
    let routes = &app_site.app.routes;
    let mut matched = routes.match_path(&plan.path);
    let is_static = asset(&app_site, &plan.path).is_some()
        || media(&app_site, &plan.path).is_some()
        || matched.as_ref().is_some_and(|m| m.params.is_empty());
    if !is_static && plan.path == path {
        // Files before `afterFiles` rewrites, then dynamic routes, then `fallback` ones.
        if !app_site.no_public && is_read(request.method) {
            let response = public_file(service, route, request, &plan, now).await;
            if response.status != 404 {
                return plan.finish(response);
            }
        }
        let to = match config.rewrite(RewritePhase::AfterFiles, path, full, &view) {
            Some(to) => Some(to),
            None if matched.is_none() => config.rewrite(RewritePhase::Fallback, path, full, &view),
            None => None,
        };
        if let Some(to) = to {
            if let Err(url) = plan.rewrite(to) {
                let mut response = super::proxy::rewritten(service, route, request, &url).await;
                response.fields.extend(plan.fields);
                return response;
            }
            matched = routes.match_path(&plan.path);
        }
    }
    serve(
        service, route, request, &app_site, &engine, now, plan, matched,
    )
    .await
}

/// How a request is served after next.config and middleware had their say. Borrowed from
/// the request until a rewrite or the base path changes it, so an app without a config
/// allocates nothing here.
pub(crate) struct Plan<'r> {
    /// The path to route (without the base path; rewritten, maybe).
    path: Cow<'r, str>,
    query: Option<Cow<'r, str>>,
    /// Fields for the answer (`headers()` rules, middleware's).
    fields: Vec<Field>,
    /// Middleware replaced the request headers the page sees.
    request_headers: Option<Vec<(String, String)>>,
    /// Serve the app's not-found page whatever the path.
    not_found: bool,
}

impl<'r> Plan<'r> {
    /// The request as it came, for apps without a next.config.
    fn of(request: &Request<'r>) -> Plan<'r> {
        Plan {
            path: String::from_utf8_lossy(request.path),
            query: request.query.map(String::from_utf8_lossy),
            fields: Vec::new(),
            request_headers: None,
            not_found: false,
        }
    }

    /// Follows a rewrite to a path of this app; a URL of another server comes back as the
    /// error, for the proxy.
    fn rewrite(&mut self, to: Rewritten) -> Result<(), String> {
        match to {
            Rewritten::Internal { path, query } => {
                self.path = Cow::Owned(path);
                self.query = query.map(Cow::Owned);
                Ok(())
            }
            Rewritten::External(url) => Err(url),
        }
    }

    /// The URL the app sees when it is not the one asked for (a rewrite, the base path).
    fn url(&self, request: &Request<'_>) -> Option<String> {
        let same_query = self.query.as_deref().map(str::as_bytes) == request.query;
        if self.path.as_bytes() == request.path && same_query {
            return None;
        }
        Some(match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone().into_owned(),
        })
    }

    fn finish(self, mut response: Response) -> Response {
        response.fields.extend(self.fields);
        response
    }
}

/// A file of `public/` for the plan's path.
async fn public_file(
    service: &Rc<Service>,
    route: &Route,
    request: &Request<'_>,
    plan: &Plan<'_>,
    now: Instant,
) -> Response {
    if plan.path.as_bytes() == request.path {
        return static_files::miss(service, route, request, now).await;
    }
    let mut moved = *request;
    moved.path = plan.path.as_bytes();
    static_files::miss(service, route, &moved, now).await
}

/// Serves the plan's path, whose route the caller matched (`matched`): a metadata file,
/// `public/` where routes allow, then the page through the cache (GET/HEAD of a page route) or
/// rendered directly (handlers, other methods, dynamic pages, `isr = false`, dev mode).
#[allow(clippy::too_many_arguments)]
async fn serve(
    service: &Rc<Service>,
    route: &Route,
    request: &Request<'_>,
    app_site: &Arc<AppSite>,
    engine: &Rc<AppEngine>,
    now: Instant,
    plan: Plan<'_>,
    matched: Option<RouteMatch>,
) -> Response {
    let state = &route.state;
    let site = route.site;
    let routes = &app_site.app.routes;
    if !plan.not_found
        && is_read(request.method)
        && let Some(asset) = asset(app_site, &plan.path)
    {
        return plan.finish(page::asset_response(asset));
    }
    if !plan.not_found
        && is_read(request.method)
        && let Some(image) = media(app_site, &plan.path)
    {
        return plan.finish(page::media_response(image, request.accept_encoding));
    }
    let matched = matched.filter(|_| !plan.not_found);
    let try_static = !plan.not_found
        && !app_site.no_public
        && is_read(request.method)
        && matched.as_ref().is_none_or(|m| !m.params.is_empty());
    if try_static {
        let response = public_file(service, route, request, &plan, now).await;
        if response.status != 404 {
            return plan.finish(response);
        }
    }
    let (route_index, params) = match matched {
        Some(RouteMatch { route, params }) => (route, params),
        None => (routes.not_found_route(), Vec::new()),
    };
    let kind = routes.routes().get(route_index).map(|r| r.kind);
    let render = render_request(
        request,
        route_index,
        params,
        plan.url(request),
        plan.request_headers.as_deref(),
    );
    let cached_path = app_site.isr
        && matches!(kind, Some(RouteKind::Page | RouteKind::Metadata))
        && is_read(request.method)
        && plan.query.is_none()
        && plan.request_headers.is_none()
        && !engine.dynamic_routes.borrow().contains(&route_index);
    if cached_path {
        let response = isr::answer_through_cache(
            service,
            state,
            site,
            app_site,
            engine,
            plan.path.as_bytes(),
            request.host,
            render,
        )
        .await;
        return plan.finish(response);
    }
    let asked = format!(
        "{} {}",
        String::from_utf8_lossy(request.method_bytes),
        String::from_utf8_lossy(request.target)
    );
    // A page rendered for this request alone is sent as it completes (its shell first, each
    // Suspense boundary as it resolves); cached pages are always rendered whole.
    let failed_build = match kind {
        Some(RouteKind::Page) if app_site.dev => dev::client_build_failure(&app_site.app),
        _ => None,
    };
    let mut page = if let Some(page) = failed_build {
        page
    } else if kind == Some(RouteKind::Page) {
        match engine.render_streamed(&service.shard, render).await {
            engine::Rendered::Whole(page) => page,
            engine::Rendered::Streaming(stream) => {
                let response = streamed(
                    service,
                    state,
                    site,
                    app_site,
                    engine,
                    route_index,
                    asked,
                    stream,
                );
                return plan.finish(response);
            }
        }
    } else {
        engine.render(&service.shard, render).await
    };
    log_failure(&service.shard, app_site, route_index, &asked, &page);
    // An error or not-found answer says nothing about the route's other pages.
    if page.dynamic && page.status < 400 {
        engine.dynamic_routes.borrow_mut().insert(route_index);
    }
    if app_site.dev {
        if let Some(failure) = &mut page.error {
            failure.stack = app_site.app.positions.rewrite_stack(&failure.stack);
        }
        dev::dev_transform(&mut page, &route_pattern(app_site, route_index));
    }
    // Rendered outside the cache: never shared.
    let fields = page::fields(
        &page,
        false,
        &state.snapshot.site_runtime[site].extra_headers,
    );
    plan.finish(page::response(
        page.status,
        &fields,
        &page.body,
        CacheState::Miss,
    ))
}

/// The answer for a page whose shell is ready and whose boundaries follow: its head now, the
/// rest as the render completes it. Once done, a failure is logged (the status is out) and a
/// dynamic page marks its route, as for a page rendered whole.
#[allow(clippy::too_many_arguments)]
fn streamed(
    service: &Rc<Service>,
    state: &Rc<State>,
    site: usize,
    app_site: &Arc<AppSite>,
    engine: &Rc<AppEngine>,
    route_index: usize,
    asked: String,
    mut stream: engine::PageStream,
) -> Response {
    let head = RenderedPage {
        status: stream.status,
        headers: std::mem::take(&mut stream.headers),
        body: Bytes::new(),
        revalidate: None,
        dynamic: true,
        tags: Vec::new(),
        error: None,
    };
    let fields = page::fields(
        &head,
        false,
        &state.snapshot.site_runtime[site].extra_headers,
    );
    if app_site.dev {
        stream.before_end = dev::DEV_RELOAD_SCRIPT;
    }
    let (shard, app_site, engine) = (service.shard.clone(), app_site.clone(), engine.clone());
    stream.on_done = Some(Box::new(move |page: &RenderedPage| {
        log_failure(&shard, &app_site, route_index, &asked, page);
        if page.dynamic && page.status < 400 {
            engine.dynamic_routes.borrow_mut().insert(route_index);
        }
    }));
    let mut response = page::response(head.status, &fields, &head.body, CacheState::Miss);
    response.body = Body::Stream(Box::new(stream));
    response
}

/// The metadata file (favicon, icon, …) at `path`, if the app has one there.
fn asset<'a>(app_site: &'a AppSite, path: &str) -> Option<&'a bext_render::assets::Asset> {
    app_site.app.assets.iter().find(|a| a.url == path)
}

/// The file a module brings in (`/_next/static/…`: an imported image, a font, a font's
/// stylesheet) at `path`.
fn media<'a>(app_site: &'a AppSite, path: &str) -> Option<&'a bext_render::media::StaticFile> {
    app_site
        .app
        .media
        .iter()
        .find(|m| m.url == path)
        .map(|m| &**m)
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
            "bext: shard {}: render of {} ({asked}) failed with {}: {}{}",
            shard.id,
            route_pattern(app_site, route),
            page.status,
            failure.message.lines().next().unwrap_or(""),
            origin(app_site, failure)
        );
    }
}

/// ` (at app/page.tsx:12:9)`: where a failure came from, in the files the app's author wrote,
/// or nothing when its stack names no module.
fn origin(app_site: &AppSite, failure: &bext_render::renderer::RenderFailure) -> String {
    app_site
        .app
        .positions
        .origin(&failure.stack)
        .map(|at| format!(" (at {at})"))
        .unwrap_or_default()
}

pub(crate) fn route_pattern(app_site: &AppSite, route: usize) -> String {
    match app_site.app.routes.routes().get(route) {
        Some(r) if !r.pattern.is_empty() => r.pattern.clone(),
        _ => String::from("(not found)"),
    }
}

/// The engine's view of a request: method, target (or `url`, a rewrite's), every header
/// field (or those middleware replaced them with), the body.
fn render_request(
    request: &Request<'_>,
    route: usize,
    params: Vec<(String, Param)>,
    url: Option<String>,
    replaced_headers: Option<&[(String, String)]>,
) -> RenderRequest {
    let mut headers = Vec::new();
    match replaced_headers {
        Some(replaced) => headers.extend_from_slice(replaced),
        None => request.fields.for_each(|name, value| {
            headers.push((
                String::from_utf8_lossy(name).to_ascii_lowercase(),
                String::from_utf8_lossy(value).into_owned(),
            ))
        }),
    }
    // The peer's address, as a proxy would pass it on.
    headers.push((
        String::from("x-bext-client-ip"),
        request.peer.ip().to_string(),
    ));
    RenderRequest {
        id: 0,
        method: String::from_utf8_lossy(request.method_bytes).into_owned(),
        url: url.unwrap_or_else(|| String::from_utf8_lossy(request.target).into_owned()),
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
