//! Rendered pages into responses: the header block kept with a cached page, the response
//! written around it, and the dev server's additions (the reload script, the error overlay).

use bext_core::isr::Page;
use bext_core::limits::GATHER_BODY_BYTES_MIN;
use bext_render::renderer::RenderedPage;
use bytes::Bytes;

use super::super::static_files::{Answer, Tail};
use crate::h1;

/// What the `x-bext-cache` header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CacheState {
    Hit,
    Stale,
    Miss,
}

impl CacheState {
    fn as_bytes(self) -> &'static [u8] {
        match self {
            CacheState::Hit => b"hit",
            CacheState::Stale => b"stale",
            CacheState::Miss => b"miss",
        }
    }
}

/// Seconds a page that never revalidates tells shared caches to keep it (a year, as Next.js).
const FOREVER_S: u32 = 31_536_000;

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

/// The header block of a rendered page (everything but the status line, date, cache state,
/// framing and connection fields): the page's own headers, a `cache-control` saying how
/// shared caches may keep it unless the page chose one, the server, and the site's extra
/// headers.
pub(crate) fn head(page: &RenderedPage, cacheable: bool, extra_headers: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(256 + extra_headers.len());
    let mut has_type = false;
    let mut has_cache_control = false;
    for (name, value) in &page.headers {
        let lower = name.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "content-length"
                | "transfer-encoding"
                | "connection"
                | "keep-alive"
                | "date"
                | "server"
        ) || !valid_field(&lower, value)
        {
            continue;
        }
        has_type |= lower == "content-type";
        has_cache_control |= lower == "cache-control";
        h1::write_header(&mut out, lower.as_bytes(), value.as_bytes());
    }
    if !has_type {
        h1::write_header(&mut out, b"content-type", b"text/html; charset=utf-8");
    }
    if !has_cache_control {
        let value = if cacheable {
            let seconds = page.revalidate.unwrap_or(FOREVER_S);
            format!("s-maxage={seconds}, stale-while-revalidate")
        } else {
            String::from("private, no-cache, no-store, max-age=0, must-revalidate")
        };
        h1::write_header(&mut out, b"cache-control", value.as_bytes());
    }
    h1::write_header(&mut out, b"server", b"bext");
    out.extend_from_slice(extra_headers);
    Bytes::from(out)
}

/// A header the app set is written only if it is a token name and a value without CR, LF or
/// NUL: app code must not be able to split the response.
fn valid_field(name: &str, value: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        && !value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0)
}

/// A cache entry for `page`, rendered at `rendered_at_ms`.
pub(crate) fn to_cached(page: &RenderedPage, head: Bytes, rendered_at_ms: u64) -> Page {
    Page {
        status: page.status,
        head,
        body: page.body.clone(),
        rendered_at_ms,
        revalidate_s: page.revalidate,
        tags: page.tags.iter().map(|t| Box::from(t.as_str())).collect(),
    }
}

/// Writes a response: status line, date, `head`, the cache state, framing; then the body, in
/// `out` if small, else as a gathered tail (the body is shared, never copied).
#[allow(clippy::too_many_arguments)]
pub(crate) fn write(
    out: &mut Vec<u8>,
    date_line: &[u8],
    status: u16,
    head: &[u8],
    body: &Bytes,
    cache: CacheState,
    head_only: bool,
    keep_alive: bool,
) -> Answer {
    h1::write_status_line(out, status);
    out.extend_from_slice(date_line);
    out.extend_from_slice(head);
    h1::write_header(out, b"x-bext-cache", cache.as_bytes());
    h1::write_content_length(out, body.len() as u64);
    if !keep_alive {
        h1::write_header(out, b"connection", b"close");
    }
    out.extend_from_slice(b"\r\n");
    let close = !keep_alive;
    if head_only {
        return Answer::Done {
            status,
            body_bytes: 0,
            close,
        };
    }
    if body.len() >= GATHER_BODY_BYTES_MIN {
        return Answer::Stream {
            status,
            tail: Tail::Bytes(body.clone()),
            close,
        };
    }
    out.extend_from_slice(body);
    Answer::Done {
        status,
        body_bytes: body.len() as u64,
        close,
    }
}

/// [`write`] for a page from the cache.
pub(crate) fn write_cached(
    out: &mut Vec<u8>,
    date_line: &[u8],
    page: &Page,
    cache: CacheState,
    head_only: bool,
    keep_alive: bool,
) -> Answer {
    write(
        out,
        date_line,
        page.status,
        &page.head,
        &page.body,
        cache,
        head_only,
        keep_alive,
    )
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

/// The dev server's script: reload the tab when a new build is loaded.
pub(crate) const DEV_RELOAD_SCRIPT: &str = "<script>(function(){var s=new EventSource(\"/__bext/dev/events\");s.addEventListener(\"reload\",function(){s.close();location.reload();});})();</script>";

/// Dev mode: the reload script goes in before `</body>` (or at the end), and a failed render
/// becomes an overlay page showing the error and its code frame instead of the app's error
/// page.
pub(crate) fn dev_transform(page: &mut RenderedPage, route: &str) {
    if let Some(failure) = &page.error {
        let html = overlay(route, &failure.message, &failure.stack);
        page.body = Bytes::from(html);
        page.headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
        page.headers.push((
            String::from("content-type"),
            String::from("text/html; charset=utf-8"),
        ));
        return;
    }
    let is_html = page.headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("content-type") && v.to_ascii_lowercase().starts_with("text/html")
    });
    if !is_html {
        return;
    }
    let body = String::from_utf8_lossy(&page.body);
    let at = body.rfind("</body>").unwrap_or(body.len());
    let mut html = String::with_capacity(body.len() + DEV_RELOAD_SCRIPT.len());
    html.push_str(&body[..at]);
    html.push_str(DEV_RELOAD_SCRIPT);
    html.push_str(&body[at..]);
    page.body = Bytes::from(html);
}

/// The dev error overlay: what failed, where, and the code frame, escaped.
pub(crate) fn overlay(route: &str, message: &str, stack: &str) -> String {
    let mut html = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>bext dev: error</title><style>\
         body{margin:0;font:14px/1.5 ui-monospace,Menlo,monospace;background:#1e1e1e;color:#eee}\
         .o{max-width:960px;margin:40px auto;padding:24px;border-top:4px solid #e5484d;background:#2a2a2a}\
         h1{font-size:18px;color:#ff6369;margin:0 0 8px}pre{white-space:pre-wrap;background:#111;padding:16px;overflow:auto}\
         .r{color:#999}</style></head><body><div class=\"o\" id=\"bext-dev-overlay\"><h1>",
    );
    let (first, rest) = message.split_once('\n').unwrap_or((message, ""));
    escape_into(&mut html, first);
    html.push_str("</h1><p class=\"r\">while rendering ");
    escape_into(&mut html, route);
    html.push_str("</p>");
    if !rest.trim().is_empty() {
        html.push_str("<pre class=\"frame\">");
        escape_into(&mut html, rest);
        html.push_str("</pre>");
    }
    if !stack.trim().is_empty() {
        html.push_str("<pre class=\"stack\">");
        escape_into(&mut html, stack);
        html.push_str("</pre>");
    }
    html.push_str("<p class=\"r\">Fix the file and save: this page reloads.</p></div>");
    html.push_str(DEV_RELOAD_SCRIPT);
    html.push_str("</body></html>");
    html
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
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
    fn head_keeps_app_headers_and_drops_framing_and_injections() {
        let p = page(
            200,
            &[
                ("Content-Length", "1"),
                ("X-Ok", "yes"),
                ("x-bad", "a\r\nevil: 1"),
                ("bad name", "v"),
            ],
            false,
        );
        let head = head(&p, true, b"x-site: 1\r\n");
        assert_eq!(
            std::str::from_utf8(&head).unwrap(),
            "x-ok: yes\r\ncontent-type: text/html; charset=utf-8\r\ncache-control: s-maxage=60, stale-while-revalidate\r\nserver: bext\r\nx-site: 1\r\n"
        );
        let dynamic = super::head(
            &page(200, &[("cache-control", "no-store")], true),
            false,
            b"",
        );
        assert!(
            std::str::from_utf8(&dynamic)
                .unwrap()
                .starts_with("cache-control: no-store\r\n")
        );
    }

    #[test]
    fn dev_injects_the_reload_script_and_shows_errors_as_an_overlay() {
        let mut p = page(200, &[("content-type", "text/html")], false);
        dev_transform(&mut p, "/x");
        let body = String::from_utf8(p.body.to_vec()).unwrap();
        assert!(
            body.ends_with(&format!("x{DEV_RELOAD_SCRIPT}</body></html>")),
            "{body}"
        );
        let mut failed = page(500, &[], false);
        failed.error = Some(bext_render::renderer::RenderFailure {
            message: String::from("app/page.tsx:3:7: Unexpected token\n  3 | let <\n    |     ^"),
            stack: String::new(),
            digest: String::new(),
        });
        dev_transform(&mut failed, "/p");
        let body = String::from_utf8(failed.body.to_vec()).unwrap();
        assert!(
            body.contains("<h1>app/page.tsx:3:7: Unexpected token</h1>"),
            "{body}"
        );
        assert!(body.contains("3 | let &lt;"), "{body}");
    }
}
