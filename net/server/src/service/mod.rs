//! The service: a [`Request`] in, a [`Response`] out, whatever protocol carried them.
//!
//! One [`Service`] per shard. It keeps the shard's current [`State`]: everything derived from
//! one snapshot (the snapshot itself, the file cache, the ISR cache and the app engines). A
//! request pins the state it was routed under ([`Route`] holds an `Rc<State>`) until it is
//! answered, so a reload swaps in a new state for new requests while requests in flight
//! finish with the old one and put what they load into the old one's caches, which go away
//! with the last of them. That is what makes a reload happen "between requests" even though
//! requests await the disk, engines and other shards.
//!
//! Handlers:
//! - [`static_files`]: files beneath a site root, through the shard's file cache;
//! - [`app`]: pages rendered by the shard's engines and cached (ISR), mesh fills;
//! - [`ops`]: `/__bext/health`, `/metrics`, `/cache/invalidate`, `/dev/events`;
//! - ACME HTTP-01 tokens the ACME thread has open (`/.well-known/acme-challenge/…`), before
//!   any site's own routes and redirects.

mod accel;
pub(crate) mod app;
mod fastcgi;
pub(crate) mod incoming;
mod inspect;
mod ops;
pub(crate) mod proxy;
pub(crate) mod realtime;
mod request;
mod response;
mod route;
pub(crate) mod shared_pages;
mod static_files;
mod waf;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use bext_core::acme::{Challenges, HTTP01_PREFIX};
use bext_core::isr::{Invalidate, IsrCache, IsrConfig, KeyHasher};
use bext_core::metrics::Metrics;
use bext_core::waf::secrule::RuleSet;
use bext_net::fields::{Field, FieldBlock};
use bext_shards::file_cache::FileCache;
use bext_shards::sync::Generation;

use crate::shard::Shard;
use crate::shard::mesh::{FillReply, FillRequest};
use crate::snapshot::Snapshot;
pub(crate) use realtime::Socket as RealtimeSocket;
pub(crate) use request::{OwnedRequest, Request};
pub(crate) use response::{
    Body, BodyStream, FileBody, Outcome, Response, Tunnel, TunnelEnd, Upgraded,
};
pub(crate) use route::{BodyUse, Handler, Refusal, Route};

/// One shard's service.
pub(crate) struct Service {
    pub shard: Rc<Shard>,
    current: RefCell<Rc<State>>,
    /// Counts state swaps (reloads); a dev server's reload streams wait on it.
    pub reloads: Generation,
    /// Counts finished ISR fills; requests waiting on another's render wait on it.
    pub fills_done: Generation,
    /// Pages asked of owner shards and not yet answered, by request id.
    pub mesh_fills: RefCell<HashMap<u64, app::MeshFill>>,
    /// Dev reload streams open now (at most `DEV_RELOAD_CLIENTS_MAX`).
    pub dev_streams: Cell<usize>,
    /// The ACME challenges open now (published by the ACME thread), and the TLS config that
    /// answers the TLS-ALPN-01 ones, made for one snapshot.
    acme: RefCell<Arc<Challenges>>,
    /// Kept for the accept loop, which makes it (`shard::accept`).
    pub acme_tls: RefCell<Option<(u64, Arc<rustls::ServerConfig>)>>,
    /// `[waf]`'s rate buckets and bans on this shard.
    waf: waf::Waf,
    /// `[realtime]`'s subscribers and recent events on this shard (kept across reloads).
    realtime: realtime::Realtime,
}

/// What one snapshot needs on a shard: built on start and on each reload, pinned by requests.
pub(crate) struct State {
    pub snapshot: Arc<Snapshot>,
    pub files: RefCell<FileCache<static_files::CachedFile>>,
    pub isr: RefCell<IsrCache<Arc<FieldBlock>>>,
    /// Each app site's engine, by site index.
    pub engines: Vec<Option<Rc<app::AppEngine>>>,
    /// Each site's rule set, by site index: this shard's own clone of the snapshot's (the
    /// compiled automata are shared; the regex search caches are the shard's, so shards
    /// never contend for one), with the shard's memo of its transactions.
    pub rules: Vec<Option<Rc<inspect::ShardRules>>>,
    /// Each `[[upstream]]`'s balancer state and idle connections on this shard.
    pub upstreams: Vec<Rc<proxy::UpstreamState>>,
    /// Each site's kept FastCGI connections on this shard (`keepalive_max`), by site index.
    pub fastcgi_idle: Vec<crate::upstream::KeptConns>,
    /// When this state's cache last had pages invalidated (monotonic ms; `None`: never): a
    /// page another node offers whose data is older was read before it, and is kept stale.
    pub invalidated_at_ms: Cell<Option<u64>>,
}

impl Service {
    pub fn new(shard: Rc<Shard>, snapshot: Arc<Snapshot>) -> Rc<Service> {
        let realtime = realtime::Realtime::new(
            snapshot.config.realtime.as_ref(),
            realtime::process_epoch(),
            shard.mesh.shards(),
        );
        let state = State::new(snapshot, &[], &shard);
        Rc::new(Service {
            shard,
            current: RefCell::new(Rc::new(state)),
            reloads: Generation::default(),
            fills_done: Generation::default(),
            mesh_fills: RefCell::new(HashMap::new()),
            dev_streams: Cell::new(0),
            acme: RefCell::new(Arc::new(Challenges::default())),
            acme_tls: RefCell::new(None),
            waf: waf::Waf::default(),
            realtime,
        })
    }

    /// The current state, pinned by the caller.
    pub fn current(&self) -> Rc<State> {
        self.current.borrow().clone()
    }

    /// Serves `snapshot` from now on. Engines of apps that did not change are kept; caches
    /// start empty (sites may be renumbered). Requests in flight keep the state they pinned.
    pub fn reload(&self, snapshot: Arc<Snapshot>) {
        let next = {
            let old = self.current.borrow();
            State::new(snapshot, &old.engines, &self.shard)
        };
        self.realtime
            .reconfigure(next.snapshot.config.realtime.as_ref());
        *self.current.borrow_mut() = Rc::new(next);
        self.reloads.bump();
    }

    /// Routes a request under the current state; `secure`: it came over TLS.
    pub fn route(&self, request: &Request<'_>, secure: bool) -> Route {
        let mut route = Route::decide(self.current(), request, secure);
        if request.path.starts_with(HTTP01_PREFIX)
            && self.acme.borrow().http_answer(request.path).is_some()
        {
            route.handler = Handler::AcmeChallenge;
        } else if let Some(refusal) = self.screen(&route.state.snapshot, route.site, request) {
            route.handler = Handler::Refused(refusal);
        }
        route
    }

    /// Answers the ACME challenges in `challenges` (and no others) from now on.
    pub fn set_acme(&self, challenges: Arc<Challenges>) {
        *self.acme.borrow_mut() = challenges;
        *self.acme_tls.borrow_mut() = None;
    }

    /// The ACME challenges open now.
    pub fn acme(&self) -> Arc<Challenges> {
        self.acme.borrow().clone()
    }

    /// The synchronous fast path: cache hits and answers that need no waiting.
    pub fn answer_now(
        self: &Rc<Self>,
        request: &Request<'_>,
        route: &Route,
        now: Instant,
    ) -> Outcome {
        let inspection = self.inspect(route, request);
        if let Some(inspection) = &inspection
            && let Some(refusal) = inspection.refusal()
        {
            let refusal = inspection.conclude(self, request, refusal);
            return Outcome::Ready(with_hsts(route, refusal));
        }
        let answer = match route.handler {
            Handler::Static => static_files::hit(self, route, request, now),
            Handler::App => app::cached(self, route, request)
                .or_else(|| static_files::hit(self, route, request, now)),
            Handler::Ops(ops) => ops::answer_now(self, ops, request),
            Handler::HttpsRedirect => Some(https_redirect(request)),
            Handler::AcmeChallenge => Some(self.acme_answer(request)),
            Handler::Refused(refusal) => Some(waf::refused(refusal)),
            Handler::Internal => Some(Response::error(404)),
            Handler::Proxy(_) | Handler::FastCgi => None,
        };
        match (answer, inspection) {
            (None, _) => Outcome::Later,
            (Some(response), None) => Outcome::Ready(with_hsts(route, response)),
            // Phase 4 reads this body from a file or a stream: that waits.
            (Some(response), Some(inspection)) if inspection.awaits_body(&response) => {
                Outcome::Later
            }
            (Some(response), Some(inspection)) => {
                let response = inspection.conclude(self, request, response);
                Outcome::Ready(with_hsts(route, response))
            }
        }
    }

    /// The slow path: the disk, an engine, another shard.
    pub async fn answer(
        self: &Rc<Self>,
        request: &Request<'_>,
        route: &Route,
        now: Instant,
    ) -> Response {
        let inspection = self.inspect(route, request);
        if let Some(inspection) = &inspection
            && let Some(refusal) = inspection.refusal()
        {
            let refusal = inspection.conclude(self, request, refusal);
            return with_hsts(route, refusal);
        }
        let response = match route.handler {
            Handler::Static => {
                let response = static_files::miss(self, route, request, now).await;
                // No such file: the site's front controller, if it has one, answers.
                let front = route.state.snapshot.config.sites[route.site]
                    .fastcgi
                    .as_ref()
                    .and_then(fastcgi::front_controller);
                match front {
                    Some(script) if response.status == 404 => {
                        let response = fastcgi::answer(self, route, request, &script).await;
                        accel::follow(self, route, request, response, now).await
                    }
                    _ => response,
                }
            }
            Handler::FastCgi => match &route.script {
                Some(script) => {
                    let response = fastcgi::answer(self, route, request, script).await;
                    accel::follow(self, route, request, response, now).await
                }
                None => static_files::miss(self, route, request, now).await,
            },
            Handler::App => {
                let response = app::answer(self, route, request, now).await;
                self.publish_from_apps(&route.state);
                response
            }
            Handler::Ops(ops) => ops::answer(self, route, ops, request).await,
            Handler::HttpsRedirect => https_redirect(request),
            Handler::AcmeChallenge => self.acme_answer(request),
            Handler::Refused(refusal) => waf::refused(refusal),
            Handler::Internal => Response::error(404),
            Handler::Proxy(which) => {
                let response = proxy::answer(self, route, request, which).await;
                accel::follow(self, route, request, response, now).await
            }
        };
        let response = match inspection {
            Some(inspection) => inspection.conclude_async(self, request, response).await,
            None => response,
        };
        with_hsts(route, response)
    }

    /// An HTTP-01 token's key authorization (RFC 8555 §8.3), or 404 if it closed since the
    /// request was routed.
    fn acme_answer(&self, request: &Request<'_>) -> Response {
        match self.acme.borrow().http_answer(request.path) {
            Some(answer) => Response::bytes(
                200,
                "application/octet-stream",
                bytes::Bytes::copy_from_slice(answer.as_bytes()),
            ),
            None => Response::error(404),
        }
    }

    /// This shard's counters for a scrape: the runtime's, with the current ISR cache's.
    pub fn local_metrics(&self) -> Metrics {
        let mut copy = self.shard.metrics.borrow().clone();
        copy.shards_reporting = 1;
        copy.isr = self.current().isr.borrow().stats();
        copy
    }

    /// The shard's periodic tick: forget ISR renders whose deadline passed.
    pub fn sweep(self: &Rc<Self>, now_ms: u64) {
        let state = self.current();
        // Renders outside any request (revalidations, pre-rendering) publish here.
        self.publish_from_apps(&state);
        state.isr.borrow_mut().sweep(now_ms);
        self.sweep_waf(now_ms);
    }

    pub fn on_fill_request(self: &Rc<Self>, request: FillRequest) {
        app::on_fill_request(self, request);
    }

    pub fn on_fill_reply(&self, id: u64, reply: Option<Box<FillReply>>) {
        app::on_fill_reply(self, id, reply);
    }

    /// Another node offered a page this shard owns the key of (`[cluster] share_pages`).
    pub fn on_cluster_page(&self, page: &bext_core::cluster::PageNote) {
        shared_pages::keep(self, page);
    }

    /// Another node invalidated pages of site `site` (`[cluster]`).
    pub fn on_cluster_invalidate(&self, site: usize, what: &Invalidate) {
        let state = self.current();
        if site < state.snapshot.config.sites.len() {
            app::invalidate(&state, site, what);
        }
    }

    /// Another shard fanned out an invalidation. Applied only under the same snapshot (a
    /// shard on another one has renumbered sites, and a reload empties its cache anyway).
    pub fn on_invalidate(&self, snapshot: u64, site: usize, what: &Invalidate) {
        let state = self.current();
        if state.snapshot.id != snapshot {
            self.shard.metrics.borrow_mut().mesh_dropped += 1;
            return;
        }
        app::invalidate(&state, site, what);
    }
}

impl State {
    fn new(
        snapshot: Arc<Snapshot>,
        engines: &[Option<Rc<app::AppEngine>>],
        shard: &Rc<Shard>,
    ) -> State {
        let limits = &snapshot.config.server.limits;
        let files = FileCache::new(
            snapshot.config.sites.len(),
            limits.file_cache_bytes_max,
            limits.file_cache_entry_bytes_max,
        );
        let engines = snapshot
            .site_runtime
            .iter()
            .map(|runtime| {
                runtime.app.as_ref().map(|site| {
                    let kept = engines
                        .iter()
                        .flatten()
                        .find(|e| Arc::ptr_eq(&e.app, &site.app));
                    match kept {
                        Some(engine) => engine.clone(),
                        None => app::AppEngine::new(site, shard),
                    }
                })
            })
            .collect();
        let mut cloned: Vec<(&Arc<RuleSet>, Rc<inspect::ShardRules>)> = Vec::new();
        let memo = snapshot
            .config
            .waf
            .rules
            .as_ref()
            .is_some_and(|rules| rules.memo);
        let rules = snapshot
            .site_runtime
            .iter()
            .map(|runtime| {
                let shared = runtime.rules.as_ref()?;
                let own = match cloned.iter().find(|(of, _)| Arc::ptr_eq(of, shared)) {
                    Some((_, own)) => own.clone(),
                    None => {
                        let own = Rc::new(inspect::ShardRules::new(RuleSet::clone(shared), memo));
                        cloned.push((shared, own.clone()));
                        own
                    }
                };
                Some(own)
            })
            .collect();
        let upstreams: Vec<Rc<proxy::UpstreamState>> = snapshot
            .config
            .upstreams
            .iter()
            .enumerate()
            .map(|(i, upstream)| {
                let tls = snapshot.upstreams.tls.get(i).and_then(Option::as_ref);
                Rc::new(proxy::UpstreamState::new(upstream, shard.id, tls))
            })
            .collect();
        proxy::health::start(shard, &snapshot, &upstreams);
        State {
            isr: RefCell::new(new_isr(&snapshot)),
            files: RefCell::new(files),
            engines,
            rules,
            fastcgi_idle: (0..snapshot.config.sites.len())
                .map(|_| crate::upstream::KeptConns::default())
                .collect(),
            upstreams,
            invalidated_at_ms: Cell::new(None),
            snapshot,
        }
    }

    /// The engine of app site `site`.
    pub fn engine(&self, site: usize) -> Option<Rc<app::AppEngine>> {
        self.engines.get(site).cloned().flatten()
    }
}

/// The key hasher of every ISR cache: one process-wide key, so every shard (and the
/// cluster's subscriber thread, which hands a page another node offers to its owner)
/// agrees on each key's owner.
pub(crate) fn isr_hasher() -> &'static KeyHasher {
    static HASHER: OnceLock<KeyHasher> = OnceLock::new();
    HASHER.get_or_init(|| KeyHasher::new(std::hash::RandomState::new()))
}

/// The ISR cache for a snapshot's `[render]` settings.
fn new_isr(snapshot: &Snapshot) -> IsrCache<Arc<FieldBlock>> {
    let hasher = isr_hasher().clone();
    let config = IsrConfig {
        bytes_max: snapshot.config.render.isr_bytes_max,
        ..IsrConfig::default()
    };
    IsrCache::new(config, hasher)
}

#[cfg(test)]
mod tests;

/// Adds the site's `strict-transport-security` to an answer over HTTPS (never over plain
/// HTTP, RFC 6797 §7.2).
fn with_hsts(route: &Route, mut response: Response) -> Response {
    if route.secure
        && let Some(hsts) = &route.state.snapshot.site_runtime[route.site].hsts
    {
        response.fields.push(hsts.clone());
    }
    response
}

/// A Host value without its port (a colon inside an IPv6 literal's brackets is no port's).
fn host_without_port(host: &[u8]) -> &[u8] {
    match host.iter().rposition(|&b| b == b':') {
        Some(colon) if !host[colon..].contains(&b']') => &host[..colon],
        _ => host,
    }
}

/// 308 to the same URL over HTTPS: the host without its port, the HTTPS port when it is not
/// 443 (the first `listen_tls` address's, as bound), the target as sent.
fn https_redirect(request: &Request<'_>) -> Response {
    let host = host_without_port(request.host.unwrap_or_default());
    let mut location = b"https://".to_vec();
    location.extend_from_slice(host);
    let port = crate::launch::https_port();
    if port != 443 && port != 0 {
        location.push(b':');
        location.extend_from_slice(itoa::Buffer::new().format(port).as_bytes());
    }
    location.extend_from_slice(request.target);
    match Field::new(b"location", &location) {
        Ok(field) => Response::new(308).with(field),
        Err(_) => Response::error(400),
    }
}
