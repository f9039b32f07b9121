//! bext's own endpoints: `/__bext/health`, `/__bext/metrics`, `/__bext/cache/invalidate`
//! and a dev server's `/__bext/dev/events`.

use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use bext_core::cluster::Note;
use bext_core::isr::{Invalidate, parse_invalidate, token_matches};
use bext_core::limits::{CONTROL_SEND_DEADLINE_MS, DEV_RELOAD_CLIENTS_MAX, DEV_RELOAD_PING_MS};
use bext_core::metrics::{render_kernel_prometheus, render_prometheus};
use bext_net::Method;
use bext_net::fields::Field;
use bext_render::load::LoadedApp;
use bext_shards::rt;
use bext_shards::sync::race;

use super::route::{Ops, Route};
use super::{Body, BodyStream, Request, Response, Service};
use crate::shard::mesh::Message;
use crate::shard::metrics;

const JSON: &str = "application/json";

/// Endpoints answered without waiting.
pub(crate) fn answer_now(service: &Service, ops: Ops, _request: &Request<'_>) -> Option<Response> {
    match ops {
        Ops::Health => Some(health(service)),
        Ops::Unknown => Some(Response::error(404)),
        Ops::Metrics
        | Ops::Invalidate
        | Ops::DevEvents
        | Ops::RealtimeSse
        | Ops::RealtimeWs
        | Ops::RealtimePresence
        | Ops::RealtimePublish => None,
    }
}

pub(crate) async fn answer(
    service: &Rc<Service>,
    route: &Route,
    ops: Ops,
    request: &Request<'_>,
) -> Response {
    match ops {
        Ops::Health => health(service),
        Ops::Metrics => {
            let (metrics, shards) = metrics::collect(&service.shard, service.local_metrics()).await;
            let mut text = render_prometheus(&metrics, shards);
            text.push_str(&render_kernel_prometheus(&service.shard.kernel.stats()));
            if let Some(cluster) = &service.shard.cluster {
                text.push_str(&cluster.render_prometheus());
            }
            no_store(Response::bytes(
                200,
                "text/plain; version=0.0.4; charset=utf-8",
                text,
            ))
        }
        Ops::Invalidate => invalidate(service, route, request),
        Ops::DevEvents => dev_events(service),
        Ops::RealtimeSse => super::realtime::subscribe(service, route, request),
        Ops::RealtimeWs => super::realtime::upgrade(service, route, request),
        Ops::RealtimePresence => super::realtime::presence(service, route, request).await,
        Ops::RealtimePublish => super::realtime::publish(service, route, request),
        Ops::Unknown => Response::error(404),
    }
}

fn no_store(response: Response) -> Response {
    response.with(Field::from_static("cache-control", "no-store"))
}

fn json(status: u16, body: String) -> Response {
    no_store(Response::bytes(status, JSON, body))
}

fn health(service: &Service) -> Response {
    let shard = &service.shard;
    let driver = match shard.driver {
        rt::Driver::IoUring => "io_uring",
        rt::Driver::Legacy => "epoll",
    };
    let cpu = shard
        .cpu
        .map_or_else(|| String::from("null"), |cpu| cpu.to_string());
    let body = format!(
        "{{\"status\":\"{}\",\"shard\":{},\"cpu\":{cpu},\"backend\":\"{}\",\"driver\":\"{}\"}}\n",
        if shard.draining.get() {
            "draining"
        } else {
            "ok"
        },
        shard.id,
        rt::BACKEND,
        driver
    );
    json(200, body)
}

/// `POST /__bext/cache/invalidate` with `authorization: Bearer <[render] invalidate_token>`
/// and `{"tag": "..."}` or `{"path": "/..."}`: marks the site's matching pages stale on every
/// shard (this one at once, the others by mesh message).
fn invalidate(service: &Rc<Service>, route: &Route, request: &Request<'_>) -> Response {
    let error = |status: u16, message: &str| {
        json(
            status,
            format!("{{\"error\":\"{}\"}}\n", message.replace(['"', '\\'], "'")),
        )
    };
    if request.method != Method::Post {
        return error(405, "use POST");
    }
    let state = &route.state;
    let Some(token) = state.snapshot.config.render.invalidate_token.as_deref() else {
        return error(404, "no [render] invalidate_token is configured");
    };
    let presented = bearer(request).unwrap_or_default();
    if !token_matches(token.as_bytes(), presented) {
        return error(401, "bad or missing bearer token");
    }
    let what = match parse_invalidate(request.body.unwrap_or_default()) {
        Ok(what) => what,
        Err(e) => return error(e.status(), &e.to_string()),
    };
    let here = super::app::invalidate(state, route.site, &what);
    let shard = &service.shard;
    let deadline = Instant::now() + Duration::from_millis(CONTROL_SEND_DEADLINE_MS);
    let others = (0..shard.mesh.shards()).filter(|&to| to != shard.id);
    let mut told = 1;
    for to in others {
        let message = Message::Invalidate {
            snapshot: state.snapshot.id,
            site: route.site,
            what: what.clone(),
        };
        shard.send_until(
            to,
            message,
            deadline,
            "an invalidation (that shard serves its stale pages until they expire)",
        );
        told += 1;
    }
    // And every other node, through Redis.
    if let Some(cluster) = &shard.cluster {
        let (tag, path) = match &what {
            Invalidate::Tag(tag) => (Some(tag.clone()), None),
            Invalidate::Path(path) => (None, Some(path.clone())),
        };
        cluster.send(Note::Invalidate {
            site: route.site,
            tag,
            path,
        });
    }
    let (kind, value) = match &what {
        Invalidate::Tag(tag) => ("tag", tag.as_str()),
        Invalidate::Path(path) => ("path", path.as_str()),
    };
    let value = value.replace(['"', '\\'], "");
    json(
        200,
        format!("{{\"{kind}\":\"{value}\",\"invalidated_here\":{here},\"shards_told\":{told}}}\n"),
    )
}

/// The token of an `authorization: Bearer <token>` field.
pub(super) fn bearer<'a>(request: &Request<'a>) -> Option<&'a [u8]> {
    let value = request.fields.get("authorization")?;
    let scheme = value.get(..7)?;
    scheme
        .eq_ignore_ascii_case(b"bearer ")
        .then(|| bext_core::field::trim_ows(&value[7..]))
}

/// A dev server's reload stream (Server-Sent Events): a comment every `DEV_RELOAD_PING_MS`
/// so a dead peer is noticed, and one `reload` event when a newer app is loaded; then the
/// stream ends with its connection (the browser reloads the page). At most
/// `DEV_RELOAD_CLIENTS_MAX` per shard; past that, 503.
fn dev_events(service: &Rc<Service>) -> Response {
    if service.dev_streams.get() >= DEV_RELOAD_CLIENTS_MAX {
        return Response::error(503).with(Field::from_static("retry-after", "1"));
    }
    service.dev_streams.set(service.dev_streams.get() + 1);
    let stream = ReloadEvents {
        service: service.clone(),
        generation: service.reloads.get(),
        apps: loaded_apps(service),
        started: false,
        done: false,
    };
    let mut response = Response::new(200)
        .with(Field::from_static("content-type", "text/event-stream"))
        .with(Field::from_static("cache-control", "no-store"))
        .with_body(Body::Stream(Box::new(stream)));
    response.close = true;
    response
}

struct ReloadEvents {
    service: Rc<Service>,
    generation: u64,
    /// Each site's app as the page that opened the stream was rendered with.
    apps: Vec<Option<Arc<LoadedApp>>>,
    started: bool,
    done: bool,
}

/// Each site's loaded app in the current snapshot (`None` for a static site).
fn loaded_apps(service: &Service) -> Vec<Option<Arc<LoadedApp>>> {
    service
        .current()
        .snapshot
        .site_runtime
        .iter()
        .map(|site| site.app.as_ref().map(|a| a.app.clone()))
        .collect()
}

/// Whether going from `old` to `new` changed stylesheets only (and at least one).
fn only_styles_differ(old: &[Option<Arc<LoadedApp>>], new: &[Option<Arc<LoadedApp>>]) -> bool {
    old.len() == new.len()
        && old.iter().zip(new).all(|pair| match pair {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a.only_styles_differ(b),
            _ => false,
        })
        && old.iter().zip(new).any(|pair| match pair {
            (Some(a), Some(b)) => !Arc::ptr_eq(a, b),
            _ => false,
        })
}

impl Drop for ReloadEvents {
    fn drop(&mut self) {
        let open = &self.service.dev_streams;
        open.set(open.get().saturating_sub(1));
    }
}

impl BodyStream for ReloadEvents {
    fn next(&mut self) -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<Bytes>> + '_>> {
        Box::pin(async move {
            if self.done {
                return None;
            }
            if !self.started {
                self.started = true;
                return Some(Bytes::from_static(b"retry: 300\n\n"));
            }
            let service = &self.service;
            let changed = race(
                rt::timeout(
                    Duration::from_millis(DEV_RELOAD_PING_MS),
                    service.reloads.changed(self.generation),
                ),
                service.shard.stop.wait(),
            )
            .await;
            match changed {
                None => None,
                Some(Ok(())) => {
                    // Only stylesheets changed: the page swaps them in place (keeping its
                    // state and scroll position) and the stream goes on.
                    let apps = loaded_apps(service);
                    if only_styles_differ(&self.apps, &apps) {
                        self.generation = service.reloads.get();
                        self.apps = apps;
                        return Some(Bytes::from_static(b"event: styles\ndata: {}\n\n"));
                    }
                    self.done = true;
                    Some(Bytes::from_static(b"event: reload\ndata: {}\n\n"))
                }
                Some(Err(_)) => Some(Bytes::from_static(b": ping\n\n")),
            }
        })
    }
}
