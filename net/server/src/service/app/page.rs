//! Rendered pages into responses: the fields kept with a cached page, and the response made
//! from a page (cached or not).

use std::sync::Arc;

use bytes::Bytes;

use bext_core::isr::Page;
use bext_net::fields::{Field, FieldBlock};
use bext_render::renderer::RenderedPage;

use crate::service::{Body, Response};

/// What the `x-bext-cache` field says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CacheState {
    Hit,
    Stale,
    Miss,
}

impl CacheState {
    pub(crate) fn value(self) -> &'static str {
        match self {
            CacheState::Hit => "hit",
            CacheState::Stale => "stale",
            CacheState::Miss => "miss",
        }
    }
}

/// A page as the ISR cache keeps it.
pub(crate) type CachedPage = Page<Arc<FieldBlock>>;

/// Seconds a page that never revalidates tells shared caches to keep it (a year, as Next.js).
const FOREVER_S: u32 = 31_536_000;

/// Fields an app may not set: the driver owns framing and these.
const RESERVED: [&str; 6] = [
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "date",
    "server",
];

/// Whether a rendered page may be cached and shared between clients: a success (or a
/// not-found or permanent redirect, which are as static as the page), not dynamic, and
/// carrying no cookie.
pub(crate) fn cacheable(page: &RenderedPage) -> bool {
    matches!(page.status, 200 | 404 | 301 | 308)
        && !page.dynamic
        && page.error.is_none()
        && !page
            .headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
}

/// The fields of a rendered page (everything but the per-response ones): the page's own
/// fields, a `cache-control` saying how shared caches may keep it unless the page chose one,
/// and the site's extra headers. A field the app set is kept only if it is valid (a token
/// name, a value without CR, LF or NUL): app code must not be able to split the response.
pub(crate) fn fields(page: &RenderedPage, cacheable: bool, extra: &[Field]) -> Arc<FieldBlock> {
    let mut fields = Vec::with_capacity(page.headers.len() + 3 + extra.len());
    let mut has_type = false;
    let mut has_cache_control = false;
    for (name, value) in &page.headers {
        let Ok(field) = Field::new(name.as_bytes(), value.as_bytes()) else {
            continue;
        };
        if RESERVED.iter().any(|reserved| field.is(reserved)) {
            continue;
        }
        has_type |= field.is("content-type");
        has_cache_control |= field.is("cache-control");
        fields.push(field);
    }
    // An empty answer (a redirect, a 204) has no type, as Next.js sends it.
    if !has_type && !page.body.is_empty() {
        fields.push(Field::from_static(
            "content-type",
            "text/html; charset=utf-8",
        ));
    }
    if !has_cache_control {
        // As Next 16 says it: a page that revalidates may be served stale until a year after
        // it was made; one that never does is fresh for a year.
        let value = if cacheable {
            match page.revalidate {
                Some(seconds) if seconds < FOREVER_S => Bytes::from(format!(
                    "s-maxage={seconds}, stale-while-revalidate={}",
                    FOREVER_S - seconds
                )),
                Some(seconds) => Bytes::from(format!("s-maxage={seconds}")),
                None => Bytes::from(format!("s-maxage={FOREVER_S}")),
            }
        } else {
            Bytes::from_static(b"private, no-cache, no-store, max-age=0, must-revalidate")
        };
        fields.push(Field::with_value("cache-control", value));
    }
    fields.extend(extra.iter().cloned());
    Arc::new(FieldBlock::new(fields))
}

/// A cache entry for `page`, rendered at `rendered_at_ms`.
pub(crate) fn to_cached(
    page: &RenderedPage,
    fields: Arc<FieldBlock>,
    rendered_at_ms: u64,
) -> CachedPage {
    Page {
        status: page.status,
        head: fields,
        body: page.body.clone(),
        rendered_at_ms,
        revalidate_s: page.revalidate,
        stale_s: None,
        tags: page.tags.iter().map(|t| Box::from(t.as_str())).collect(),
    }
}

/// The response for a page: its fields, the cache state, its body (shared, never copied).
pub(crate) fn response(
    status: u16,
    fields: &Arc<FieldBlock>,
    body: &Bytes,
    cache: CacheState,
) -> Response {
    let mut response = Response::new(status);
    response.shared = Some(fields.clone());
    response
        .fields
        .push(Field::from_static("x-bext-cache", cache.value()));
    response.body = Body::Bytes(body.clone());
    response
}

/// A metadata file (favicon, icon, …) from memory, with the caching Next gives them.
pub(crate) fn asset_response(asset: &bext_render::assets::Asset) -> Response {
    in_memory(
        asset.content_type,
        "public, max-age=0, must-revalidate",
        &asset.body,
    )
}

/// A file a module brings in: its URL names its content, so it may be kept for a year (as
/// Next serves `/_next/static/`).
/// Stylesheets carry Brotli and gzip encodings made at compile time; the one the client
/// prefers is sent (`vary: accept-encoding` whenever there is a choice).
pub(crate) fn media_response(
    file: &bext_render::media::StaticFile,
    accept_encoding: Option<&[u8]>,
) -> Response {
    use bext_core::static_files::Encoding;
    let encoding = bext_core::static_files::choose_encoding(
        accept_encoding,
        file.brotli.is_some(),
        file.gzip.is_some(),
    );
    let body = match encoding {
        Encoding::Brotli => file.brotli.as_ref(),
        Encoding::Gzip => file.gzip.as_ref(),
        Encoding::Identity => None,
    }
    .unwrap_or(&file.body);
    let mut response = in_memory(
        file.content_type,
        "public, max-age=31536000, immutable",
        body,
    );
    if file.brotli.is_some() || file.gzip.is_some() {
        response
            .fields
            .push(Field::from_static("vary", "accept-encoding"));
    }
    if let Some(value) = encoding.header_value() {
        response
            .fields
            .push(Field::from_static("content-encoding", value));
    }
    response
}

fn in_memory(content_type: &'static str, cache_control: &'static str, body: &Bytes) -> Response {
    let mut response = Response::new(200);
    response
        .fields
        .push(Field::from_static("content-type", content_type));
    response
        .fields
        .push(Field::from_static("cache-control", cache_control));
    response.body = Body::Bytes(body.clone());
    response
}

/// [`response`] for a page from the cache.
pub(crate) fn cached_response(page: &CachedPage, cache: CacheState) -> Response {
    response(page.status, &page.head, &page.body, cache)
}

/// A 500 page made in Rust, when there is no engine to render the app's own.
pub(crate) fn internal_error(message: String) -> RenderedPage {
    RenderedPage {
        status: 500,
        headers: vec![(
            String::from("content-type"),
            String::from("text/html; charset=utf-8"),
        )],
        body: Bytes::from_static(
            b"<!DOCTYPE html><html><head><title>500: Internal Server Error</title></head><body><h1>500</h1><p>Internal Server Error.</p></body></html>",
        ),
        revalidate: None,
        dynamic: true,
        tags: Vec::new(),
        error: Some(bext_render::renderer::RenderFailure {
            message,
            stack: String::new(),
            digest: String::new(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(status: u16, headers: &[(&str, &str)], dynamic: bool) -> RenderedPage {
        RenderedPage {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: Bytes::from_static(b"<html><body>x</body></html>"),
            revalidate: Some(60),
            dynamic,
            tags: vec![],
            error: None,
        }
    }

    #[test]
    fn what_is_cacheable() {
        assert!(cacheable(&page(200, &[], false)));
        assert!(cacheable(&page(404, &[], false)));
        assert!(!cacheable(&page(200, &[], true)));
        assert!(!cacheable(&page(500, &[], false)));
        assert!(!cacheable(&page(307, &[], false)));
        assert!(!cacheable(&page(200, &[("Set-Cookie", "a=b")], false)));
    }

    #[test]
    fn fields_keep_app_headers_and_drop_framing_and_injections() {
        let p = page(
            200,
            &[
                ("Content-Length", "1"),
                ("X-Ok", "yes"),
                ("x-bad", "a\r\nevil: 1"),
                ("bad name", "v"),
                ("Server", "not bext"),
            ],
            false,
        );
        let block = fields(&p, true, &["x-site: 1".into()]);
        assert_eq!(
            std::str::from_utf8(block.h1()).unwrap(),
            "x-ok: yes\r\ncontent-type: text/html; charset=utf-8\r\ncache-control: s-maxage=60, stale-while-revalidate=31535940\r\nx-site: 1\r\n"
        );
        let dynamic = fields(
            &page(200, &[("cache-control", "no-store")], true),
            false,
            &[],
        );
        assert!(
            std::str::from_utf8(dynamic.h1())
                .unwrap()
                .starts_with("cache-control: no-store\r\n")
        );
    }
}
