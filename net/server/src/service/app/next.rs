//! next.config and middleware on the request path: what happens before (and instead of)
//! routing, in `next start`'s order (see `bext_render::next_config::rules`).
//!
//! Everything here but middleware is decided in Rust from the snapshot's compiled config.
//! Middleware is a render of its own in the shard's engine (route `MIDDLEWARE_ROUTE`), whose
//! answer carries Next's markers; [`after_middleware`] reads them.

use std::borrow::Cow;

use bext_net::fields::Field;
use bext_render::next_config::{NextConfig, RequestView};
use bext_render::renderer::RenderedPage;

use super::super::{Request, Response};

/// The route id middleware renders under (u32::MAX, as `render/js/middleware.js` expects).
pub(crate) const MIDDLEWARE_ROUTE: usize = u32::MAX as usize;

/// `x-middleware-request-<name>`: a request header middleware set for the page.
const REQUEST_HEADER_PREFIX: &str = "x-middleware-request-";

/// The server's request as next.config rules see it.
pub(crate) struct View<'r, 'a> {
    pub request: &'r Request<'a>,
}

impl RequestView for View<'_, '_> {
    fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        self.request
            .fields
            .get(name)
            .map(|v| String::from_utf8_lossy(v))
    }

    fn query_string(&self) -> Option<&str> {
        self.request.query.and_then(|q| std::str::from_utf8(q).ok())
    }
}

/// A redirect decided by the config: no body, no type; a 308 also says `refresh`, as Next
/// sends it.
pub(crate) fn redirect(status: u16, location: &str) -> Response {
    let mut response = Response::new(status);
    if let Ok(field) = Field::new(b"location", location.as_bytes()) {
        response.fields.push(field);
    }
    if status == 308
        && let Ok(field) = Field::new(b"refresh", format!("0;url={location}").as_bytes())
    {
        response.fields.push(field);
    }
    response
}

/// The fields a config's `headers()` rules add for this request, ready to send.
pub(crate) fn header_fields(
    config: &NextConfig,
    path: &str,
    full: &str,
    view: &View<'_, '_>,
) -> Vec<Field> {
    config
        .headers(path, full, view)
        .into_iter()
        .filter_map(|(name, value)| Field::new(name.as_bytes(), value.as_bytes()).ok())
        .collect()
}

/// What middleware decided.
pub(crate) enum Verdict {
    /// Answer with this page as it is.
    Answer(RenderedPage),
    /// Go on (with another path and query after a rewrite), adding these fields to the answer
    /// and showing the page these request headers if middleware replaced them.
    Continue {
        rewrite: Option<(String, Option<String>)>,
        fields: Vec<(String, String)>,
        request_headers: Option<Vec<(String, String)>>,
    },
    /// A rewrite to another server: through the proxy.
    External(String),
}

/// Reads middleware's answer. `host` is the request's Host, to tell a rewrite to this app
/// from one to another server.
pub(crate) fn after_middleware(page: RenderedPage, host: Option<&str>) -> Verdict {
    let marker = |name: &str| {
        page.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let rewrite = marker("x-middleware-rewrite");
    let goes_on = marker("x-middleware-next").is_some() || rewrite.is_some();
    if !goes_on || page.error.is_some() {
        let mut page = page;
        page.headers.retain(|(n, _)| !is_marker(n));
        // A redirect to this server is sent as a path, as Next sends it.
        if (300..400).contains(&page.status) {
            for (name, value) in &mut page.headers {
                if name.eq_ignore_ascii_case("location")
                    && !value.starts_with('/')
                    && let Some((path, query)) = same_origin_path(value, host)
                {
                    *value = match query {
                        Some(q) => format!("{path}?{q}"),
                        None => path,
                    };
                }
            }
        }
        return Verdict::Answer(page);
    }
    let request_headers = marker("x-middleware-override-headers").map(|names| {
        names
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .filter_map(|name| {
                let value = marker(&format!("x-middleware-request-{name}"))?;
                Some((name.to_ascii_lowercase(), value))
            })
            .collect()
    });
    let fields = page
        .headers
        .iter()
        .filter(|(n, _)| !is_marker(n))
        .cloned()
        .collect();
    let rewrite = match rewrite {
        None => None,
        Some(url) => match same_origin_path(&url, host) {
            Some(target) => Some(target),
            None => return Verdict::External(url),
        },
    };
    Verdict::Continue {
        rewrite,
        fields,
        request_headers,
    }
}

/// Next's own markers (an app's `x-middleware-anything` header is sent as it is).
fn is_marker(name: &str) -> bool {
    [
        "x-middleware-next",
        "x-middleware-rewrite",
        "x-middleware-override-headers",
    ]
    .iter()
    .any(|marker| name.eq_ignore_ascii_case(marker))
        || name
            .get(..REQUEST_HEADER_PREFIX.len())
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case(REQUEST_HEADER_PREFIX))
}

/// The path and query of `url` when it points at this server (its host is the request's,
/// or it is a path already).
fn same_origin_path(url: &str, host: Option<&str>) -> Option<(String, Option<String>)> {
    let rest = if url.starts_with('/') {
        url
    } else {
        let after_scheme = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"))?;
        let slash = after_scheme.find('/').unwrap_or(after_scheme.len());
        let authority = &after_scheme[..slash];
        let same = host.is_some_and(|h| h.eq_ignore_ascii_case(authority))
            || authority.eq_ignore_ascii_case("localhost");
        if !same {
            return None;
        }
        let path = &after_scheme[slash..];
        if path.is_empty() { "/" } else { path }
    };
    let rest = rest.split('#').next().unwrap_or(rest);
    Some(match rest.split_once('?') {
        Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
        None => (rest.to_owned(), None),
    })
}

/// The fast path's question: may a cached page answer this request, under which cache key
/// (the routed path: without the base path) and with which extra fields? `None` when
/// next.config or middleware has something to do with it first.
pub(crate) fn fast_path<'r>(
    config: &NextConfig,
    request: &Request<'r>,
) -> Option<(&'r [u8], Vec<Field>)> {
    let full = std::str::from_utf8(request.path).ok()?;
    let view = View { request };
    let path = config.strip_base_path(full)?;
    if config
        .middleware
        .as_ref()
        .is_some_and(|m| m.runs_for(path, full, &view))
        || config.trailing_slash_redirect(full, None).is_some()
        || config.redirect(path, full, &view).is_some()
    {
        return None;
    }
    use bext_render::next_config::RewritePhase::*;
    if [BeforeFiles, AfterFiles, Fallback]
        .into_iter()
        .any(|phase| config.rewrite(phase, path, full, &view).is_some())
    {
        return None;
    }
    let fields = header_fields(config, path, full, &view);
    Some((path.as_bytes(), fields))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_to_this_server_become_paths() {
        assert_eq!(
            same_origin_path("http://localhost:3000/a?b=1#x", Some("localhost:3000")),
            Some(("/a".into(), Some("b=1".into())))
        );
        assert_eq!(
            same_origin_path("https://shop.test", Some("shop.test")),
            Some(("/".into(), None))
        );
        assert_eq!(
            same_origin_path("https://other.test/a", Some("shop.test")),
            None
        );
    }
}
