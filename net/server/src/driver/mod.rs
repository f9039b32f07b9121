//! Protocol drivers: each runs one protocol's sans-I/O connection over a transport and
//! answers through the service. Framing happens here and nowhere else.
//!
//! - [`h1`]: HTTP/1.1 (`bext_net::h1::Conn`), and the hand-over of a cleartext connection
//!   that opens with HTTP/2's preface (h2c with prior knowledge) to [`h2`];
//! - [`h2`]: HTTP/2 (the `h2` crate's state machine over the transport's split halves).
//! - [`h3`]: HTTP/3 (quiche's QUIC and HTTP/3 state machines over the shard's UDP socket;
//!   a connection belongs to the shard its connection IDs name).
//! - [`until_close`]: an HTTP/1.1 response streamed until the connection closes (SSE), which
//!   ends as soon as the client leaves.

pub(crate) mod h1;
pub(crate) mod h2;
pub(crate) mod h3;
pub(crate) mod tunnel;
mod until_close;
mod websocket;

use std::net::SocketAddr;
use std::time::Instant;

use bext_core::access_log::{Entry, RequestLine};
use bext_shards::clock;

use crate::service::{Request, Response};
use crate::shard::Shard;

/// Fields that belong to an HTTP/1.1 connection and may not appear in HTTP/2 or HTTP/3
/// (RFC 9113 §8.2.2, RFC 9114 §4.2): left out of a handler's fields by those drivers.
pub(super) fn is_connection_field(name: &[u8]) -> bool {
    const CONNECTION_FIELDS: [&str; 5] = [
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "upgrade",
    ];
    CONNECTION_FIELDS
        .iter()
        .any(|field| name.eq_ignore_ascii_case(field.as_bytes()))
}

/// A panic contained while answering `request`: counted and logged by the shard, answered
/// 500.
pub(super) fn panicked(shard: &Shard, request: &Request<'_>, message: &str) -> Response {
    let what = format!(
        "{} {}",
        String::from_utf8_lossy(request.method_bytes),
        String::from_utf8_lossy(request.target)
    );
    shard.panicked(&what, message);
    Response::error(500)
}

/// Writes a request's access-log line (refused ones are rate-limited, see `crate::log`).
pub(super) fn log(
    shard: &Shard,
    peer: SocketAddr,
    request: Option<&Request<'_>>,
    status: u16,
    body_bytes: u64,
    started: Instant,
    refused: Option<&str>,
) {
    let fields = request.map(|r| LogFields {
        method: r.method_bytes,
        target: r.target,
        protocol: r.version.as_str(),
        referer: r.referer,
        user_agent: r.user_agent,
        host: r.host,
    });
    log_fields(
        shard,
        peer,
        fields.as_ref(),
        status,
        body_bytes,
        started,
        refused,
    );
}

/// What the access log says of a request.
pub(super) struct LogFields<'a> {
    method: &'a [u8],
    target: &'a [u8],
    protocol: &'static str,
    referer: Option<&'a [u8]>,
    user_agent: Option<&'a [u8]>,
    host: Option<&'a [u8]>,
}

/// A request whose response body is streamed, kept for its log line: written when the stream
/// ends, with the bytes it carried and the whole time, as nginx logs (the request's own bytes
/// are gone by then, so the few fields the line needs are copied).
pub(super) struct PendingLog {
    peer: SocketAddr,
    method: Vec<u8>,
    target: Vec<u8>,
    protocol: &'static str,
    referer: Option<Vec<u8>>,
    user_agent: Option<Vec<u8>>,
    host: Option<Vec<u8>>,
    status: u16,
    started: Instant,
}

impl PendingLog {
    pub(super) fn new(
        peer: SocketAddr,
        request: &Request<'_>,
        status: u16,
        started: Instant,
    ) -> PendingLog {
        PendingLog {
            peer,
            method: request.method_bytes.to_vec(),
            target: request.target.to_vec(),
            protocol: request.version.as_str(),
            referer: request.referer.map(<[u8]>::to_vec),
            user_agent: request.user_agent.map(<[u8]>::to_vec),
            host: request.host.map(<[u8]>::to_vec),
            status,
            started,
        }
    }

    /// When the request's head was complete (for the latency counters).
    pub(super) fn started(&self) -> Instant {
        self.started
    }

    /// The line, now that the body's `body_bytes` have been sent (or the connection ended).
    pub(super) fn write(self, shard: &Shard, body_bytes: u64) {
        let fields = LogFields {
            method: &self.method,
            target: &self.target,
            protocol: self.protocol,
            referer: self.referer.as_deref(),
            user_agent: self.user_agent.as_deref(),
            host: self.host.as_deref(),
        };
        log_fields(
            shard,
            self.peer,
            Some(&fields),
            self.status,
            body_bytes,
            self.started,
            None,
        );
    }
}

fn log_fields(
    shard: &Shard,
    peer: SocketAddr,
    request: Option<&LogFields<'_>>,
    status: u16,
    body_bytes: u64,
    started: Instant,
    refused: Option<&str>,
) {
    let mut log = shard.log.borrow_mut();
    if !log.enabled() {
        return;
    }
    let entry = Entry {
        peer: peer.ip(),
        unix_secs: i64::try_from(clock::unix_secs()).unwrap_or(i64::MAX),
        request: request.map(|r| RequestLine {
            method: r.method,
            target: r.target,
            protocol: r.protocol,
        }),
        refused,
        status,
        body_bytes,
        referer: request.and_then(|r| r.referer),
        user_agent: request.and_then(|r| r.user_agent),
        host: request.and_then(|r| r.host),
        duration_micros: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
    };
    if refused.is_some() {
        if !log.push_refused(&entry) {
            drop(log);
            shard.metrics.borrow_mut().requests_refused_unlogged += 1;
        }
    } else {
        log.push(&entry);
    }
}
