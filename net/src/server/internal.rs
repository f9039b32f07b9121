//! bext's own endpoints: `/__bext/health` and `/__bext/metrics`.

use std::rc::Rc;

use bext_core::metrics::render_prometheus;
use bext_shards::rt;

use super::shard::Shard;
use super::static_files::{Answer, Ask};
use crate::h1;

pub(crate) const PREFIX: &[u8] = b"/__bext/";

/// Appends the answer to a request whose path starts with [`PREFIX`].
pub(crate) async fn answer(
    shard: &Rc<Shard>,
    ask: &Ask<'_>,
    _body: Option<&[u8]>,
    out: &mut Vec<u8>,
) -> Answer {
    let head_only = ask.method == h1::Method::Head;
    // The codec's responses never say `keep-alive`, which an HTTP/1.0 client needs to stay.
    let keep_alive = ask.keep_alive && !ask.http_1_0;
    let (status, content_type, body) = match ask.path {
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
