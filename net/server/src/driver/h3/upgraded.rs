//! An extended CONNECT over HTTP/3 (RFC 9220, which carries RFC 8441 over): a request
//! stream that asks, with `:protocol`, to carry a WebSocket once a `2xx` answers it.
//!
//! The request is routed and answered without a body, as over HTTP/2 (`h2/upgraded.rs`):
//! the stream's DATA is the WebSocket's bytes. They wait in the stream's [`Inbound`] queue
//! for the loop that takes them, at most `QUIC_TUNNEL_RECV_BYTES_MAX` ahead of it; past that
//! the connection stops reading them from quiche, so the stream's QUIC window (not a buffer
//! here) holds the client back, and the bytes are pulled again once the loop has taken some.
//! A handler that takes the stream answers `2xx` with [`Body::Upgraded`]; its HEADERS go out
//! without `content-length` and without ending the stream, and the same tunnel and WebSocket
//! loops that run on an HTTP/1.1 connection's halves run on [`StreamRead`] and
//! [`StreamWrite`]. Writes queue on the stream's answer like a stream body's pieces,
//! waiting for room within `write_stall_timeout_ms`.
//!
//! When the loop ends, bext ends its side of the stream (FIN) and gives the client
//! `WS_CLOSE_WAIT_MS` to end its own; the stream is then done, and if the client has not
//! ended its side by then, its reading side is stopped (STOP_SENDING).
//!
//! [`Body::Upgraded`]: crate::service::Body::Upgraded

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io;
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use bytes::{Buf, Bytes};

use bext_core::limits::{QUIC_STREAM_SEND_BYTES_MAX, QUIC_TUNNEL_RECV_BYTES_MAX, WS_CLOSE_WAIT_MS};
use bext_shards::deadlines::DeadlineSlot;
use bext_shards::rt::{self, BufResult};

use super::Endpoint;
use super::stream::Outgoing;
use crate::service::Upgraded;
use crate::transport::{TransportRead, TransportWrite};

/// What the client sent on an extended CONNECT's stream, waiting for the loop that reads it.
#[derive(Default)]
pub(super) struct Inbound {
    chunks: VecDeque<Bytes>,
    /// Bytes in `chunks`.
    queued: usize,
    /// The client ended its side of the stream.
    fin: bool,
    /// The stream was reset, or the connection is gone.
    reset: bool,
    /// Nobody reads any more (the answer did not take the stream, or its loop ended): what
    /// arrives is dropped, and the stream may end once its answer is out.
    released: bool,
    /// The loop waiting for bytes.
    waiting: Option<Waker>,
}

impl Inbound {
    /// Whether the connection should take more of the stream's bytes from quiche now.
    pub fn wants(&self) -> bool {
        self.released || self.queued < QUIC_TUNNEL_RECV_BYTES_MAX
    }

    /// Bytes the client sent; a waiting loop is handed back, to be woken once this is no
    /// longer borrowed.
    #[must_use]
    pub fn received(&mut self, data: &[u8]) -> Option<Waker> {
        if self.released || data.is_empty() {
            return None;
        }
        self.queued += data.len();
        self.chunks.push_back(Bytes::copy_from_slice(data));
        self.waiting.take()
    }

    /// The client ended its side (`reset`: abruptly, or the connection is gone).
    #[must_use]
    pub fn ended(&mut self, reset: bool) -> Option<Waker> {
        self.fin = true;
        self.reset |= reset;
        self.waiting.take()
    }

    /// Nobody will read what comes: dropped from now on.
    pub fn release(&mut self) {
        self.released = true;
        self.chunks.clear();
        self.queued = 0;
    }

    /// Whether the stream may end once its answer is out.
    pub fn is_released(&self) -> bool {
        self.released
    }
}

/// Runs what an extended CONNECT's answer made of the stream, then lets the stream end.
pub(super) async fn run(
    endpoint: Rc<Endpoint>,
    key: u64,
    out: Rc<RefCell<Outgoing>>,
    inbound: Rc<RefCell<Inbound>>,
    upgraded: Upgraded,
) {
    let shard = endpoint.service.shard.clone();
    let timeouts = endpoint.service.current().snapshot.config.server.timeouts;
    let stall = Duration::from_millis(timeouts.write_stall_timeout_ms);
    let mut read = StreamRead {
        endpoint: &endpoint,
        key,
        inbound: &inbound,
        held: Bytes::new(),
    };
    let write = StreamWrite {
        endpoint: &endpoint,
        key,
        out: &out,
        slot: shard.deadlines.slot(),
        stall,
    };
    match upgraded {
        Upgraded::Tunnel(tunnel) => {
            crate::driver::tunnel::run(&shard, (&mut read, write), Vec::new(), tunnel).await;
        }
        Upgraded::Realtime(socket) => {
            Box::pin(crate::driver::websocket::run(
                &shard,
                (&mut read, write),
                Vec::new(),
                *socket,
            ))
            .await;
        }
    }
    // Our side ends (if the loop has not ended it), and the client has a moment to end its
    // own, so the stream closes cleanly rather than with STOP_SENDING.
    out.borrow_mut().done = true;
    endpoint.touch(key);
    let _ = rt::timeout(Duration::from_millis(WS_CLOSE_WAIT_MS), async {
        let mut buf = Vec::with_capacity(1024);
        loop {
            buf.clear();
            match (&mut read).read(buf).await {
                (Ok(n), back) if n > 0 => buf = back,
                _ => return,
            }
        }
    })
    .await;
    inbound.borrow_mut().release();
    endpoint.touch(key);
}

/// The client's half of the stream, read as a transport.
struct StreamRead<'a> {
    endpoint: &'a Endpoint,
    key: u64,
    inbound: &'a RefCell<Inbound>,
    /// The rest of a chunk a read had no room for.
    held: Bytes,
}

impl TransportRead for &mut StreamRead<'_> {
    async fn read(&mut self, mut buf: Vec<u8>) -> BufResult<usize> {
        if self.held.is_empty() {
            let next = std::future::poll_fn(|cx| {
                let mut inbound = self.inbound.borrow_mut();
                if let Some(chunk) = inbound.chunks.pop_front() {
                    let was_full = !inbound.wants();
                    inbound.queued -= chunk.len();
                    return Poll::Ready(Ok(Some((chunk, was_full))));
                }
                if inbound.reset {
                    return Poll::Ready(Err(io::Error::from(io::ErrorKind::ConnectionReset)));
                }
                if inbound.fin || inbound.released {
                    return Poll::Ready(Ok(None));
                }
                inbound.waiting = Some(cx.waker().clone());
                Poll::Pending
            })
            .await;
            match next {
                Ok(Some((chunk, was_full))) => {
                    self.held = chunk;
                    if was_full {
                        // The connection stopped pulling at the bound: it may again.
                        self.endpoint.touch(self.key);
                    }
                }
                Ok(None) => return (Ok(0), buf),
                Err(e) => return (Err(e), buf),
            }
        }
        if buf.capacity() == buf.len() {
            buf.reserve(self.held.len());
        }
        let n = (buf.capacity() - buf.len()).min(self.held.len());
        buf.extend_from_slice(&self.held[..n]);
        self.held.advance(n);
        (Ok(n), buf)
    }
}

/// The server's half of the stream, written as a transport: each write waits for room in
/// the stream's answer queue within `stall`.
struct StreamWrite<'a> {
    endpoint: &'a Endpoint,
    key: u64,
    out: &'a RefCell<Outgoing>,
    slot: DeadlineSlot<'a>,
    stall: Duration,
}

impl TransportWrite for StreamWrite<'_> {
    async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()> {
        let room = std::future::poll_fn(|cx| {
            let mut o = self.out.borrow_mut();
            if o.gone || o.done {
                return Poll::Ready(false);
            }
            if o.queued < QUIC_STREAM_SEND_BYTES_MAX {
                return Poll::Ready(true);
            }
            o.waiting = Some(cx.waker().clone());
            Poll::Pending
        });
        if self.slot.run(Instant::now() + self.stall, room).await != Some(true) {
            return (Err(io::ErrorKind::BrokenPipe.into()), buf);
        }
        if !buf.is_empty() {
            let mut o = self.out.borrow_mut();
            o.queued += buf.len();
            // Copied, so the caller keeps its buffer and the queue holds only what it must.
            o.chunks.push_back(Bytes::copy_from_slice(&buf));
            drop(o);
            self.endpoint.touch(self.key);
        }
        (Ok(()), buf)
    }

    async fn shutdown_write(&mut self) -> io::Result<()> {
        self.out.borrow_mut().done = true;
        self.endpoint.touch(self.key);
        Ok(())
    }
}
