//! Protocol drivers: each runs one protocol's sans-I/O connection over a transport and
//! answers through the service. Framing happens here and nowhere else.
//!
//! - [`h1`]: HTTP/1.1 (`bext_net::h1::Conn`), and the hand-over of a cleartext connection
//!   that opens with HTTP/2's preface (h2c with prior knowledge) to [`h2`];
//! - [`h2`]: HTTP/2 (the `h2` crate's state machine over the transport's split halves).
//!   HTTP/3 comes as `h3.rs`.

pub(crate) mod h1;
pub(crate) mod h2;

use std::net::SocketAddr;
use std::time::Instant;

use bext_core::access_log::{Entry, RequestLine};
use bext_shards::clock;

use crate::service::Request;
use crate::shard::Shard;

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
    let mut log = shard.log.borrow_mut();
    if !log.enabled() {
        return;
    }
    let entry = Entry {
        peer: peer.ip(),
        unix_secs: i64::try_from(clock::unix_secs()).unwrap_or(i64::MAX),
        request: request.map(|r| RequestLine {
            method: r.method_bytes,
            target: r.target,
            protocol: r.version.as_str(),
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
