//! Pre-rendering at start: the pages `generateStaticParams` lists, rendered into the ISR cache
//! before anyone asks for them, as `next build` renders them before `next start` serves.
//!
//! When: for every app site with ISR on (not in dev mode, not with `[render] isr = false`),
//! on each shard once its engines are loaded, and again after each reload (whose state starts
//! with empty caches). It runs as a task of its own, beside the requests: a request for a
//! page not yet rendered renders it as usual, and the pre-render then finds it cached.
//!
//! Who renders what — the decision: every shard asks its own engine for the lists (one
//! engine call per shard; the lists may depend on nothing but code, and asking is cheaper
//! than shipping them between shards), but renders only the pages it **owns**
//! ([`bext_core::isr::owner_shard`] of the page's key), into its own cache. Each page is thus
//! rendered once server-wide, the work is spread over the shards, and no mutable state is
//! shared: a shard that does not own a page fills its cache from the owner over the mesh on
//! the first request for it (one hop, no render), as it does for any page. Rendering every
//! page on every shard would multiply start-up work by the shard count for pages that most
//! shards may never be asked for.
//!
//! Bounds: at most [`PRERENDER_PAGES_MAX`] pages per app (all shards together), one render at
//! a time per shard, with a pause of [`PRERENDER_PAUSE_MS`] after every
//! [`PRERENDER_SLICE_MS`] of rendering (a render runs on the shard's thread; the pauses let
//! the shard's connections in); a reload or a drain stops the run (the state it fills is
//! going away).
//! A list that cannot be had (generateStaticParams threw) is logged, and its pages render on
//! first request.

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use bext_core::isr::{Fill, owner_shard};
use bext_core::limits::{PRERENDER_PAGES_MAX, PRERENDER_PAUSE_MS, PRERENDER_SLICE_MS};
use bext_render::app::RouteKind;
use bext_render::prerender::{STATIC_PARAMS_ROUTE, listed_paths};
use bext_render::renderer::RenderRequest;
use bext_shards::{clock, rt};

use super::{AppEngine, AppSite, isr, synthetic_request};
use crate::service::{Service, State};
use crate::shard;

/// Starts pre-rendering every app site of the current state that caches pages.
pub(crate) fn start(service: &Rc<Service>) {
    let state = service.current();
    for (site, runtime) in state.snapshot.site_runtime.iter().enumerate() {
        let Some(app_site) = runtime.app.clone() else {
            continue;
        };
        let Some(engine) = state.engine(site) else {
            continue;
        };
        if !app_site.isr || app_site.dev || !has_dynamic_pages(&app_site) {
            continue;
        }
        let task_service = service.clone();
        let state = state.clone();
        shard::spawn(&service.shard, "a pre-render at start", async move {
            prerender_site(&task_service, &state, site, &app_site, &engine).await;
        });
    }
}

fn has_dynamic_pages(app_site: &AppSite) -> bool {
    app_site
        .app
        .routes
        .routes()
        .iter()
        .any(|r| r.kind == RouteKind::Page && r.pattern.contains('['))
}

async fn prerender_site(
    service: &Rc<Service>,
    state: &Rc<State>,
    site: usize,
    app_site: &Arc<AppSite>,
    engine: &Rc<AppEngine>,
) {
    let shard = &service.shard;
    let ask = RenderRequest {
        id: 0,
        method: String::from("GET"),
        url: String::from("/"),
        route: STATIC_PARAMS_ROUTE,
        params: Vec::new(),
        headers: Vec::new(),
        body: None,
    };
    let listed = engine.render(shard, ask).await;
    if listed.status != 200 {
        super::log_failure(
            shard,
            app_site,
            STATIC_PARAMS_ROUTE,
            "generateStaticParams, to pre-render at start",
            &listed,
        );
        return;
    }
    let trailing_slash = app_site
        .app
        .next_config
        .as_ref()
        .is_some_and(|c| c.trailing_slash);
    let paths = listed_paths(&app_site.app.routes, &listed.body, trailing_slash);
    let mut slice_started_ms = clock::monotonic_ms();
    for path in paths.iter().take(PRERENDER_PAGES_MAX) {
        if clock::monotonic_ms().saturating_sub(slice_started_ms) >= PRERENDER_SLICE_MS {
            rt::sleep(Duration::from_millis(PRERENDER_PAUSE_MS)).await;
            slice_started_ms = clock::monotonic_ms();
        }
        // A reload replaced the state (its cache goes with it), or the shard stops.
        if !Rc::ptr_eq(&service.current(), state) || shard.draining.get() {
            return;
        }
        let ticket = {
            let now = clock::monotonic_ms();
            let mut cache = state.isr.borrow_mut();
            let key = cache.hasher().key(site, path.as_bytes());
            if owner_shard(key.hash(), shard.mesh.shards()) != shard.id {
                continue;
            }
            if cache.holds(key) {
                continue;
            }
            match cache.begin_fill(key, now) {
                Fill::Leader(ticket) => ticket,
                Fill::Follower => continue,
            }
        };
        let Some(request) = synthetic_request(app_site, path.as_bytes(), None) else {
            state.isr.borrow_mut().render_failed(ticket);
            continue;
        };
        isr::fill(
            service,
            state,
            site,
            app_site,
            engine,
            path.as_bytes(),
            request,
            ticket,
        )
        .await;
        shard.metrics.borrow_mut().prerendered += 1;
    }
}
