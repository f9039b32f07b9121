//! bext's own endpoints: `/__bext/health` and `/__bext/metrics`.

use std::rc::Rc;

use bext_core::metrics::render_prometheus;
use bext_shards::rt;

use super::shard::Shard;
use crate::h1;

pub(crate) const PREFIX: &[u8] = b"/__bext/";

/// Appends the answer to `path` (which starts with [`PREFIX`]); returns the status.
pub(crate) async fn answer(shard: &Rc<Shard>, path: &[u8], head_only: bool, keep_alive: bool, out: &mut Vec<u8>) -> u16 {
    let (status, content_type, body) = match path {
        b"/__bext/health" => {
            let driver = match shard.driver {
                rt::Driver::IoUring => "io_uring",
                rt::Driver::Legacy => "epoll",
            };
            let body = format!(
                "{{\"status\":\"{}\",\"shard\":{},\"backend\":\"{}\",\"driver\":\"{}\"}}\n",
                if shard.draining.get() { "draining" } else { "ok" },
                shard.id,
                rt::BACKEND,
                driver
            );
            (200, "application/json", body)
        }
        b"/__bext/metrics" => {
            let (metrics, shards) = shard.collect_metrics().await;
            (200, "text/plain; version=0.0.4; charset=utf-8", render_prometheus(&metrics, shards))
        }
        _ => {
            h1::write_error_response(out, 404, &shard.date.borrow(), keep_alive, head_only);
            return 404;
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
    status
}
