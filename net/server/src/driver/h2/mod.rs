//! The HTTP/2 driver: the `h2` crate's server connection over a transport, answering each
//! stream through the same service as HTTP/1.1.
//!
//! `h2` is a complete protocol state machine (framing, HPACK, flow control, stream states,
//! the RFC 9113 checks) that only asks for a byte stream with readiness I/O, so it is driven
//! over an in-memory [`pipe`](crate::h2pipe) that two loops fill and drain with the transport's split
//! halves: reads and writes of one connection can both be in flight (a response goes out
//! while the next frame is awaited), and neither ever cancels an owned-buffer operation with
//! bytes in it. Everything belonging to one connection (the `h2` session, the reader, the
//! writer) runs in one task; each stream is answered in a task of its own ([`stream`]), so a
//! slow render holds up nothing else on the connection. The extended CONNECT protocol is
//! offered (RFC 8441): a stream may become a WebSocket ([`upgraded`]).
//!
//! Bounds (`bext_core::limits`): `H2_STREAMS_CONCURRENT_MAX` streams at once; request bodies
//! buffered up to `H2_STREAM_WINDOW_BYTES` a stream and `H2_CONNECTION_WINDOW_BYTES` a
//! connection; header lists up to the server's `header_bytes_max`; responses handed to `h2` at
//! most `H2_STREAM_SEND_BYTES_MAX` ahead of the client's window; resets bounded by
//! `H2_RESETS_PENDING_MAX` and `H2_RESETS_LOCAL_MAX`. Deadlines: the client's preface and
//! settings within `header_read_timeout_ms`; an idle connection (no stream open) goes away
//! after `keepalive_idle_timeout_ms` with a GOAWAY; each socket write within
//! `write_stall_timeout_ms`; a stream's body waits at most `body_idle_timeout_ms` between
//! frames, and its response at most `write_stall_timeout_ms` for the client's window. A
//! draining shard sends GOAWAY and finishes the streams already open.

mod stream;
mod upgraded;

use std::cell::Cell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use bext_core::limits::{
    H2_CONNECTION_WINDOW_BYTES, H2_FRAME_BYTES_MAX, H2_RESETS_LOCAL_MAX, H2_RESETS_PENDING_MAX,
    H2_STREAM_SEND_BYTES_MAX, H2_STREAM_WINDOW_BYTES, H2_STREAMS_CONCURRENT_MAX,
};
use bext_shards::sync::race;

use crate::h2pipe::{Pipe, PipeIo};
use crate::service::Service;
use crate::transport::Transport;

/// The first bytes of every HTTP/2 connection (RFC 9113 §3.4).
pub(crate) const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// What one connection's streams share.
struct Connection {
    service: Rc<Service>,
    peer: SocketAddr,
    /// Over TLS (not redirected to HTTPS).
    secure: bool,
    /// `alt-svc` for every answer, over TLS when the server speaks HTTP/3: made once for
    /// the connection, cloned (a reference count) into each answer's fields.
    alt_svc: Option<http::HeaderValue>,
    /// Streams being answered now.
    streams: Cell<usize>,
    /// When the last stream finished (or the connection started).
    idle_since: Cell<Instant>,
}

impl Connection {
    fn stream_opened(&self) {
        let count = self.streams.get();
        self.streams.set(count + 1);
        if count == 0 {
            // A connection with a stream open is busy: a draining shard waits for it.
            let busy = &self.service.shard.busy_connections;
            busy.set(busy.get() + 1);
        }
    }

    fn stream_closed(&self) {
        let count = self.streams.get().saturating_sub(1);
        self.streams.set(count);
        if count == 0 {
            let busy = &self.service.shard.busy_connections;
            busy.set(busy.get().saturating_sub(1));
            self.idle_since.set(Instant::now());
        }
    }
}

/// Counts the connection out of the shard's open connections when it ends.
struct Open<'a>(&'a Service);

impl Drop for Open<'_> {
    fn drop(&mut self) {
        let mut metrics = self.0.shard.metrics.borrow_mut();
        metrics.connections_open = metrics.connections_open.saturating_sub(1);
    }
}

/// Serves one HTTP/2 connection until it closes. `read`: bytes already read from it (the
/// preface, when the HTTP/1.1 driver recognised it on a cleartext connection).
///
/// The transport is split before the connection's future is made, and the future is an
/// `async move` block rather than an `async fn` body: either way round, the whole transport
/// would keep a slot in the task beside its halves for the connection's life.
pub(crate) fn serve<T: Transport>(
    service: Rc<Service>,
    io: T,
    peer: SocketAddr,
    secure: bool,
    read: Vec<u8>,
) -> impl std::future::Future<Output = ()> {
    let (reader, writer) = io.split();
    async move {
        let _open = Open(&service);
        let shard = service.shard.clone();
        let timeouts = service.current().snapshot.config.server.timeouts;
        let pipe = Pipe::new(read);
        let connection = Rc::new(Connection {
            service: service.clone(),
            peer,
            secure,
            alt_svc: service
                .shard
                .alt_svc
                .as_deref()
                .filter(|_| secure)
                .and_then(|value| http::HeaderValue::from_bytes(value).ok()),
            streams: Cell::new(0),
            idle_since: Cell::new(Instant::now()),
        });
        let write_slot = shard.deadlines.slot();
        let session = async {
            session(&connection, PipeIo(pipe.clone())).await;
            pipe.shut();
        };
        let writes = pipe.write_loop(
            writer,
            &write_slot,
            Duration::from_millis(timeouts.write_stall_timeout_ms),
        );
        let reads = async {
            pipe.read_loop(reader).await;
            // The peer's end is the session's to act on; this side only waits to be dropped.
            std::future::pending::<()>().await;
        };
        // Done when the session has ended and the writer has sent what it left; a read still
        // in flight then is dropped with the connection.
        race(futures_lite::future::zip(session, writes), reads).await;
    }
}

/// What the session loop woke for. (Moved once per stream: boxing it would cost an
/// allocation per stream to save a copy.)
#[allow(clippy::large_enum_variant)]
enum Wake {
    Stream(
        http::Request<h2::RecvStream>,
        h2::server::SendResponse<Bytes>,
    ),
    /// The connection ended (cleanly or not).
    Ended,
    /// The idle deadline passed.
    Deadline,
    /// The shard is draining.
    Stop,
}

/// Runs `h2`'s connection: accepts streams and hands each to its own task, and closes the
/// connection when it idles or the shard drains.
async fn session(connection: &Rc<Connection>, io: PipeIo) {
    let service = &connection.service;
    let shard = service.shard.clone();
    let config = &service.current().snapshot.config.server;
    let timeouts = config.timeouts;
    let header_list_bytes_max = u32::try_from(config.limits.header_bytes_max).unwrap_or(u32::MAX);
    let slot = shard.deadlines.slot();
    let handshake = h2::server::Builder::new()
        .max_concurrent_streams(H2_STREAMS_CONCURRENT_MAX)
        .initial_window_size(H2_STREAM_WINDOW_BYTES)
        .initial_connection_window_size(H2_CONNECTION_WINDOW_BYTES)
        .max_frame_size(H2_FRAME_BYTES_MAX)
        .max_header_list_size(header_list_bytes_max)
        .max_send_buffer_size(H2_STREAM_SEND_BYTES_MAX)
        .max_pending_accept_reset_streams(H2_RESETS_PENDING_MAX)
        .max_local_error_reset_streams(Some(H2_RESETS_LOCAL_MAX))
        // SETTINGS_ENABLE_CONNECT_PROTOCOL: WebSockets over a stream (RFC 8441).
        .enable_connect_protocol()
        .handshake::<_, Bytes>(io);
    let deadline = Instant::now() + Duration::from_millis(timeouts.header_read_timeout_ms);
    let Some(Ok(mut h2)) = slot.run(deadline, handshake).await else {
        return;
    };
    let idle = Duration::from_millis(timeouts.keepalive_idle_timeout_ms);
    let mut going_away = false;
    loop {
        let deadline = if connection.streams.get() > 0 {
            Instant::now() + idle
        } else {
            connection.idle_since.get() + idle
        };
        let accept = async {
            match slot.run(deadline, h2.accept()).await {
                Some(Some(Ok((request, respond)))) => Wake::Stream(request, respond),
                Some(Some(Err(_)) | None) => Wake::Ended,
                None => Wake::Deadline,
            }
        };
        let wake = if going_away {
            accept.await
        } else {
            race(accept, shard.stop.wait()).await.unwrap_or(Wake::Stop)
        };
        match wake {
            Wake::Stream(request, respond) => stream::accept(connection, request, respond),
            Wake::Ended => return,
            Wake::Deadline => {
                let idle_for = connection.idle_since.get().elapsed();
                if connection.streams.get() > 0 || idle_for < idle {
                    continue;
                }
                if going_away {
                    // Told to go away an idle period ago and still open: drop it.
                    return;
                }
                h2.graceful_shutdown();
                going_away = true;
                connection.idle_since.set(Instant::now());
            }
            Wake::Stop => {
                h2.graceful_shutdown();
                going_away = true;
            }
        }
    }
}
