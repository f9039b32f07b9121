//! bext's own endpoints: `/__bext/health` and `/__bext/metrics`.

use std::rc::Rc;

use bext_core::metrics::render_prometheus;
use bext_shards::rt;

use super::shard::Shard;
use bext_core::isr::{Invalidate, parse_invalidate, token_matches};

use super::Message;
use super::static_files::{Answer, Ask, Tail};
use crate::h1;

pub(crate) const PREFIX: &[u8] = b"/__bext/";

/// Appends the answer to a request whose path starts with [`PREFIX`].
pub(crate) async fn answer(
    shard: &Rc<Shard>,
    ask: &Ask<'_>,
    fields: &[u8],
    body: Option<&[u8]>,
    out: &mut Vec<u8>,
) -> Answer {
    let head_only = ask.method == h1::Method::Head;
    // The codec's responses never say `keep-alive`, which an HTTP/1.0 client needs to stay.
    let keep_alive = ask.keep_alive && !ask.http_1_0;
    let (status, content_type, body) = match ask.path {
        b"/__bext/cache/invalidate" => invalidate(shard, ask, fields, body),
        b"/__bext/dev/events" if dev_mode(shard) => {
            h1::write_status_line(out, 200);
            out.extend_from_slice(shard.date.borrow().line());
            h1::write_header(out, b"content-type", b"text/event-stream");
            h1::write_header(out, b"cache-control", b"no-store");
            h1::write_header(out, b"server", b"bext");
            // Ends with the connection (the stream closes after its one event).
            h1::write_header(out, b"connection", b"close");
            out.extend_from_slice(b"\r\nretry: 300\n\n");
            return Answer::Stream {
                status: 200,
                tail: Tail::Events {
                    generation: shard.reloads.get(),
                },
                close: true,
            };
        }
        b"/__bext/health" => {
            let driver = match shard.driver {
                rt::Driver::IoUring => "io_uring",
                rt::Driver::Legacy => "epoll",
            };
            let body = format!(
                "{{\"status\":\"{}\",\"shard\":{},\"backend\":\"{}\",\"driver\":\"{}\"}}\n",
                if shard.draining.get() {
                    "draining"
                } else {
                    "ok"
                },
                shard.id,
                rt::BACKEND,
                driver
            );
            (200, "application/json", body)
        }
        b"/__bext/metrics" => {
            let (metrics, shards) = shard.collect_metrics().await;
            (
                200,
                "text/plain; version=0.0.4; charset=utf-8",
                render_prometheus(&metrics, shards),
            )
        }
        _ => {
            let body_bytes = super::static_files::codec_error_response(
                out,
                404,
                &shard.date.borrow(),
                keep_alive,
                head_only,
            );
            return Answer::Done {
                status: 404,
                body_bytes,
                close: !keep_alive,
            };
        }
    };
    h1::write_status_line(out, status);
    out.extend_from_slice(shard.date.borrow().line());
    h1::write_header(out, b"content-type", content_type.as_bytes());
    h1::write_header(out, b"cache-control", b"no-store");
    h1::write_header(out, b"server", b"bext");
    h1::write_content_length(out, body.len() as u64);
    if !keep_alive {
        h1::write_header(out, b"connection", b"close");
    }
    out.extend_from_slice(b"\r\n");
    if !head_only {
        out.extend_from_slice(body.as_bytes());
    }
    Answer::Done {
        status,
        body_bytes: if head_only { 0 } else { body.len() as u64 },
        close: !keep_alive,
    }
}

/// Whether any site of the current snapshot is served by `bext dev`.
pub(crate) fn dev_mode(shard: &Shard) -> bool {
    shard
        .snapshot
        .borrow()
        .site_runtime
        .iter()
        .any(|s| s.app.as_ref().is_some_and(|a| a.dev))
}

/// `POST /__bext/cache/invalidate` with `authorization: Bearer <[render] invalidate_token>`
/// and `{"tag": "..."}` or `{"path": "/..."}`: marks the site's matching pages stale on every
/// shard (this one at once, the others by mesh message).
fn invalidate(
    shard: &Rc<Shard>,
    ask: &Ask<'_>,
    fields: &[u8],
    body: Option<&[u8]>,
) -> (u16, &'static str, String) {
    let json = |status: u16, message: &str| {
        (
            status,
            "application/json",
            format!("{{\"error\":\"{message}\"}}\n"),
        )
    };
    if ask.method != h1::Method::Post {
        return json(405, "use POST");
    }
    let snapshot = shard.snapshot.borrow().clone();
    let Some(token) = snapshot.config.render.invalidate_token.as_deref() else {
        return json(404, "no [render] invalidate_token is configured");
    };
    let presented = bearer(fields).unwrap_or_default();
    if !token_matches(token.as_bytes(), &presented) {
        return json(401, "bad or missing bearer token");
    }
    let what = match parse_invalidate(body.unwrap_or_default()) {
        Ok(what) => what,
        Err(e) => return json(e.status(), &e.to_string().replace('"', "'")),
    };
    let site = snapshot.sites.select(ask.host);
    let here = super::app::invalidate(shard, site, &what);
    let mut told = 0;
    for to in (0..shard.shards()).filter(|&to| to != shard.id) {
        if shard.send(
            to,
            Message::Invalidate {
                site,
                what: what.clone(),
            },
        ) {
            told += 1;
        }
    }
    let (kind, value) = match &what {
        Invalidate::Tag(tag) => ("tag", tag.as_str()),
        Invalidate::Path(path) => ("path", path.as_str()),
    };
    let value = value.replace(['"', '\\'], "");
    (
        200,
        "application/json",
        format!(
            "{{\"{kind}\":\"{value}\",\"invalidated_here\":{here},\"shards_told\":{}}}\n",
            told + 1
        ),
    )
}

/// The token of an `authorization: Bearer <token>` field in a request head.
fn bearer(fields: &[u8]) -> Option<Vec<u8>> {
    super::with_head(fields, |head| {
        let value = head.header("authorization")?;
        let scheme = value.get(..7)?;
        scheme
            .eq_ignore_ascii_case(b"bearer ")
            .then(|| bext_core::field::trim_ows(&value[7..]).to_vec())
    })
    .flatten()
}
