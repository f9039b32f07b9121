//! `/_next/image?url=…&w=…&q=…`: the image optimizer, as `next start` answers it.
//!
//! The request is checked by `bext_core::image` (Next's rules and messages). The source is
//! one of the app's own images: a static import (`/_next/static/media/…`, in memory), a
//! metadata image, or a file of `public/` read through the shard's file cache. The transform
//! (decode, resize, encode: `bext_render::media`) runs on the offload pool
//! ([`bext_shards::offload`]), never on the shard's thread.
//!
//! # Per shard, coalesced, bounded
//!
//! Each shard keeps the images it made (`IMAGE_CACHE_BYTES_MAX`, oldest out first; the cache
//! belongs to the app's engine on this shard, so a reload starts it afresh). Requests for an
//! image that is being made wait for that one transform: a page of twenty images opened by a
//! hundred clients costs twenty transforms on the shard, not two thousand. The transform is
//! awaited by a task of its own, so a request that stops waiting (its deadline,
//! `IMAGE_TRANSFORM_TIMEOUT_MS`, answers 503) does not waste it: the next request finds it
//! cached.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};
use std::rc::Rc;
use std::time::{Duration, Instant};

use bext_core::image::{self as decide, ImageRequest, Plan};
use bext_core::limits::{
    IMAGE_CACHE_BYTES_MAX, IMAGE_CACHE_ENTRY_BYTES_MAX, IMAGE_SOURCE_BYTES_MAX,
    IMAGE_TRANSFORM_TIMEOUT_MS,
};
use bext_net::fields::Field;
use bext_shards::sync::StopSignal;
use bext_shards::{offload, rt};
use bytes::Bytes;
use rustc_hash::FxHashMap;

use super::AppSite;
use crate::service::route::{Route, is_read};
use bext_net::Method;

use crate::service::{Body, FileBody, Request, Response, Service, static_files};
use crate::shard;

/// The optimizer's path under the app's base path.
pub(super) const IMAGE_PATH: &str = "/_next/image";

/// One optimized image.
pub(crate) struct Made {
    body: Bytes,
    content_type: &'static str,
    etag: String,
    max_age: u64,
    is_static: bool,
    /// The URL it came from, for `content-disposition`.
    url: String,
}

/// (source URL, width, quality, output format negotiated).
type Key = (String, u32, u32, Option<decide::Format>);

/// A shard's optimized images, and the transforms under way.
#[derive(Default)]
pub(crate) struct Images {
    made: FxHashMap<Key, Rc<Made>>,
    /// Insertion order, for evicting the oldest.
    order: VecDeque<Key>,
    bytes: usize,
    flights: FxHashMap<Key, Rc<Flight>>,
}

/// A transform under way: followers wait for `done`, then read the cache.
#[derive(Default)]
struct Flight {
    done: StopSignal,
    /// Set when the transform could not be made (the answer for everyone waiting).
    failed: RefCell<Option<(u16, String)>>,
    made: RefCell<Option<Rc<Made>>>,
}

impl Images {
    fn get(&self, key: &Key) -> Option<Rc<Made>> {
        self.made.get(key).cloned()
    }

    fn insert(&mut self, key: Key, made: Rc<Made>) {
        let weight = made.body.len();
        if weight > IMAGE_CACHE_ENTRY_BYTES_MAX || self.made.contains_key(&key) {
            return;
        }
        while self.bytes + weight > IMAGE_CACHE_BYTES_MAX {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some(gone) = self.made.remove(&old) {
                self.bytes -= gone.body.len();
            }
        }
        self.bytes += weight;
        self.order.push_back(key.clone());
        self.made.insert(key, made);
    }
}

/// Answers `/_next/image` for an app site.
pub(super) async fn answer(
    service: &Rc<Service>,
    route: &Route,
    request: &Request<'_>,
    app_site: &AppSite,
    images: &Rc<RefCell<Images>>,
    now: Instant,
) -> Response {
    if !is_read(request.method) {
        return Response::new(405).with(Field::from_static("allow", "GET, HEAD"));
    }
    let config = &app_site.app.images;
    let base_path = app_site
        .app
        .next_config
        .as_ref()
        .map_or("", |c| c.base_path.as_str());
    let query = String::from_utf8_lossy(request.query.unwrap_or_default());
    let asked = match decide::parse_request(&query, config, base_path) {
        Ok(asked) => asked,
        Err(message) => return text(400, message),
    };
    let accept = request.fields.get("accept").unwrap_or_default();
    let negotiated = decide::negotiate(&config.formats, &String::from_utf8_lossy(accept));
    let key: Key = (asked.url.clone(), asked.width, asked.quality, negotiated);
    loop {
        if let Some(made) = images.borrow().get(&key) {
            return respond(app_site, &made, request, "hit");
        }
        let flight = images.borrow().flights.get(&key).cloned();
        let flight = match flight {
            Some(flight) => flight,
            None => {
                let source = match source(service, route, request, app_site, &asked, now).await {
                    Ok(source) => source,
                    Err((status, message)) => return text(status, message),
                };
                // Another request may have started the same transform meanwhile.
                if let Some(flight) = images.borrow().flights.get(&key).cloned() {
                    flight
                } else {
                    match start(
                        service,
                        app_site,
                        images,
                        key.clone(),
                        &asked,
                        negotiated,
                        source,
                    ) {
                        Ok(Started::Made(made)) => {
                            return respond(app_site, &made, request, "miss");
                        }
                        Ok(Started::Flying(flight)) => flight,
                        Err((status, message)) => return text(status, message),
                    }
                }
            }
        };
        let deadline = Duration::from_millis(IMAGE_TRANSFORM_TIMEOUT_MS);
        if rt::timeout(deadline, flight.done.wait()).await.is_err() {
            return text(503, "the image is still being optimized: try again shortly")
                .with(Field::from_static("retry-after", "1"));
        }
        if let Some((status, message)) = flight.failed.borrow().clone() {
            return text(status, message);
        }
        if let Some(made) = flight.made.borrow().clone() {
            return respond(app_site, &made, request, "miss");
        }
        // Made but not kept (too large for the cache and already answered): make it again.
    }
}

enum Started {
    /// Nothing to transform (passed through as it is): ready at once.
    Made(Rc<Made>),
    Flying(Rc<Flight>),
}

/// Decides what the source becomes and, when it needs a transform, starts it.
fn start(
    service: &Rc<Service>,
    app_site: &AppSite,
    images: &Rc<RefCell<Images>>,
    key: Key,
    asked: &ImageRequest,
    negotiated: Option<decide::Format>,
    source: Bytes,
) -> Result<Started, (u16, String)> {
    let config = &app_site.app.images;
    let sniffed = bext_render::media::sniff(&source);
    let animated = sniffed.is_some_and(|t| bext_render::media::is_animated(&source, t));
    let plan =
        decide::plan(sniffed, animated, negotiated, config).map_err(|m| (400, m.to_owned()))?;
    let made = |body: Bytes, content_type: &'static str| Made {
        etag: etag_of(&body),
        body,
        content_type,
        max_age: config.minimum_cache_ttl,
        is_static: asked.is_static,
        url: asked.url.clone(),
    };
    let format = match plan {
        Plan::AsIs => {
            let made = Rc::new(made(source, sniffed.unwrap_or("application/octet-stream")));
            images.borrow_mut().insert(key, made.clone());
            return Ok(Started::Made(made));
        }
        Plan::Encode(format) => format,
    };
    let (width, quality) = (asked.width, asked.quality);
    let job_source = source.clone();
    let pending =
        offload::submit(move || bext_render::media::transform(&job_source, width, format, quality))
            .map_err(|offload::Full| {
                (
                    503,
                    String::from("too many images are being optimized: try again shortly"),
                )
            })?;
    let flight = Rc::new(Flight::default());
    images
        .borrow_mut()
        .flights
        .insert(key.clone(), flight.clone());
    let (images, waiting) = (images.clone(), flight.clone());
    let fallback_type = sniffed.unwrap_or("application/octet-stream");
    let made_from = made(Bytes::new(), fallback_type);
    shard::spawn(&service.shard, "an image transform", async move {
        let made = match pending.await {
            Some(Ok(out)) => Made {
                etag: etag_of(&out.body),
                body: Bytes::from(out.body),
                content_type: out.content_type,
                ..made_from
            },
            // Next serves the source as it is when the transform fails.
            Some(Err(_)) | None => Made {
                etag: etag_of(&source),
                body: source,
                ..made_from
            },
        };
        let made = Rc::new(made);
        let mut cache = images.borrow_mut();
        cache.flights.remove(&key);
        cache.insert(key, made.clone());
        drop(cache);
        *waiting.made.borrow_mut() = Some(made);
        waiting.done.fire();
    });
    Ok(Started::Flying(flight))
}

/// The source image's bytes: a static import, a metadata image, or a file of `public/`.
async fn source(
    service: &Rc<Service>,
    route: &Route,
    request: &Request<'_>,
    app_site: &AppSite,
    asked: &ImageRequest,
    now: Instant,
) -> Result<Bytes, (u16, String)> {
    const NOT_FOUND: &str = "\"url\" parameter is valid but internal response is invalid";
    let app = &app_site.app;
    let base_path = app
        .next_config
        .as_ref()
        .map_or("", |c| c.base_path.as_str());
    let full = asked.url.split('?').next().unwrap_or("");
    let Some(path) = full.strip_prefix(base_path).filter(|p| p.starts_with('/')) else {
        return Err((404, NOT_FOUND.to_owned()));
    };
    if let Some(media) = app.media.iter().find(|m| m.url == path) {
        return Ok(media.body.clone());
    }
    if let Some(asset) = app.assets.iter().find(|a| a.url == path) {
        return Ok(asset.body.clone());
    }
    if app_site.no_public {
        return Err((404, NOT_FOUND.to_owned()));
    }
    let mut sub = *request;
    sub.method = Method::Get;
    sub.path = path.as_bytes();
    sub.query = None;
    sub.conditions = Default::default();
    sub.accept_encoding = None;
    let response = static_files::miss(service, route, &sub, now).await;
    if response.status != 200 {
        return Err((response.status.max(400), NOT_FOUND.to_owned()));
    }
    match response.body {
        Body::Bytes(bytes) if bytes.len() <= IMAGE_SOURCE_BYTES_MAX => Ok(bytes),
        Body::File(file) if file.len <= IMAGE_SOURCE_BYTES_MAX as u64 => read_file(file)
            .await
            .map_err(|_| (500, NOT_FOUND.to_owned())),
        Body::Bytes(_) | Body::File(_) => Err((413, NOT_FOUND.to_owned())),
        Body::Empty | Body::Stream(_) | Body::Upgraded(_) => Err((404, NOT_FOUND.to_owned())),
    }
}

/// A large source file, read whole (bounded by `IMAGE_SOURCE_BYTES_MAX` above).
async fn read_file(file: FileBody) -> std::io::Result<Bytes> {
    let size = usize::try_from(file.len).map_err(|_| std::io::Error::other("too large"))?;
    let mut buf = Vec::with_capacity(size);
    while buf.len() < size {
        let offset = file.offset + buf.len() as u64;
        let (result, back) = file.file.read_at(buf, offset).await;
        buf = back;
        if result? == 0 {
            break;
        }
    }
    Ok(Bytes::from(buf))
}

fn respond(
    app_site: &AppSite,
    made: &Made,
    request: &Request<'_>,
    cache: &'static str,
) -> Response {
    let config = &app_site.app.images;
    let cache_control =
        decide::cache_control(made.is_static, made.max_age.max(config.minimum_cache_ttl));
    let mut response = Response::new(200)
        .with(Field::from_static("vary", "Accept"))
        .with(field("cache-control", &cache_control))
        .with(field("etag", &made.etag));
    let matched = request.conditions.if_none_match.is_some_and(|tags| {
        tags.split(|&b| b == b',')
            .any(|t| t.trim_ascii() == made.etag.as_bytes() || t.trim_ascii() == b"*")
    });
    if matched {
        response.status = 304;
        return response;
    }
    response = response
        .with(Field::from_static("content-type", made.content_type))
        .with(field(
            "content-disposition",
            &decide::content_disposition(config, &made.url, made.content_type),
        ))
        .with(field(
            "content-security-policy",
            &config.content_security_policy,
        ))
        .with(Field::from_static("x-bext-cache", cache));
    response.body = Body::Bytes(made.body.clone());
    response
}

/// A plain-text answer with no content type, as Next's optimizer writes its refusals.
fn text(status: u16, message: impl Into<String>) -> Response {
    let mut response = Response::new(status);
    response.body = Body::Bytes(Bytes::from(message.into()));
    response
}

fn field(name: &'static str, value: &str) -> Field {
    Field::new(name.as_bytes(), value.as_bytes())
        .unwrap_or_else(|_| Field::from_static(name, "invalid"))
}

/// A strong validator naming the bytes.
fn etag_of(body: &[u8]) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut hasher);
    format!("\"{:016x}-{:x}\"", hasher.finish(), body.len())
}
