//! An upgraded connection (a WebSocket through the proxy): once the upstream has answered
//! `101 Switching Protocols` and the client has the head, the client's side (its HTTP/1.1
//! connection, or the HTTP/2 or HTTP/3 stream its extended CONNECT opened) and the upstream's
//! connection carry bytes both ways until one side is done.
//!
//! Each direction is its own copy loop over the split halves, so a read waits on each side
//! at once and no read is ever cancelled while the tunnel lives. A side that ends its stream
//! has the other side's writing half shut down in turn (a half-close passes through); a
//! side silent for the upstream's `timeout_ms` in both directions, a failed write or the
//! shard stopping ends the tunnel. Buffers start small (an idle tunnel holds two of
//! `TUNNEL_READ_BYTES_MIN`), double while reads fill them, up to `TUNNEL_READ_BYTES_MAX`,
//! and halve again while reads use less than a quarter of them, so a tunnel that had a burst
//! does not keep its large buffers while it idles.

use std::time::Duration;

use bext_core::limits::{TUNNEL_READ_BYTES_MAX, TUNNEL_READ_BYTES_MIN};
use bext_shards::rt;
use bext_shards::sync::race;

use crate::h2stream::{StreamRead, StreamWrite};
use crate::service::{Tunnel, TunnelEnd};
use crate::shard::Shard;
use crate::transport::{TransportRead, TransportWrite};

/// Carries bytes between the client's side (`client_read`, `client_write`) and the
/// upstream's connection until both directions are done. `from_client`: bytes the client
/// sent after its upgrade request.
pub(crate) async fn run<R: TransportRead, W: TransportWrite>(
    shard: &Shard,
    (mut client_read, mut client_write): (R, W),
    from_client: Vec<u8>,
    tunnel: Tunnel,
) {
    let Tunnel {
        upstream,
        pending,
        idle,
    } = tunnel;
    match upstream {
        TunnelEnd::Conn(upstream) => {
            let (mut upstream_read, mut upstream_write) = upstream.split();
            let up = copy(&mut client_read, &mut upstream_write, from_client, idle);
            let down = copy(&mut upstream_read, &mut client_write, pending, idle);
            let _ = race(futures_lite::future::zip(up, down), shard.stop.wait()).await;
        }
        TunnelEnd::H2 { send, recv, held } => {
            let mut stream = StreamRead::new(recv);
            let mut upstream_read = &mut stream;
            // Its writes wait for the upstream's window as long as for any silence.
            let mut upstream_write = StreamWrite::new(send, shard.deadlines.slot(), idle);
            let up = copy(&mut client_read, &mut upstream_write, from_client, idle);
            let down = copy(&mut upstream_read, &mut client_write, pending, idle);
            let _ = race(futures_lite::future::zip(up, down), shard.stop.wait()).await;
            drop(held);
        }
    }
}

/// Copies from `from` to `to` (after `first`) until `from` ends, fails or is silent for
/// `idle`; then shuts down `to`'s writing half.
async fn copy<R: TransportRead, W: TransportWrite>(
    from: &mut R,
    to: &mut W,
    first: Vec<u8>,
    idle: Duration,
) {
    let mut buf = first;
    let mut size = TUNNEL_READ_BYTES_MIN;
    loop {
        if !buf.is_empty() {
            match rt::timeout(idle, to.write_all(buf)).await {
                Ok((Ok(()), back)) => buf = back,
                _ => return,
            }
        }
        buf.clear();
        // The connection's read buffer comes along as `first`: keep no more than is used.
        if buf.capacity() > 2 * size {
            buf = Vec::new();
        }
        if buf.capacity() < size {
            buf.reserve_exact(size);
        }
        match rt::timeout(idle, from.read(buf)).await {
            Ok((Ok(0), _)) | Ok((Err(_), _)) | Err(_) => break,
            Ok((Ok(n), back)) => {
                if n >= size && size < TUNNEL_READ_BYTES_MAX {
                    size *= 2;
                } else if n < size / 4 && size > TUNNEL_READ_BYTES_MIN {
                    // The burst is over: back towards the idle size.
                    size /= 2;
                }
                buf = back;
            }
        }
    }
    let _ = rt::timeout(idle, to.shutdown_write()).await;
}
