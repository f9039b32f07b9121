//! An extended CONNECT (RFC 8441): a stream that asks, with `:protocol`, to carry another
//! protocol (a WebSocket) once a `2xx` answers it.
//!
//! The request goes through the service like any other, without a body: the stream's DATA
//! is not a request body but the new protocol's bytes, so the driver keeps it. A handler
//! that takes the stream answers `2xx` with [`Body::Upgraded`] (the realtime socket, or the
//! proxy's tunnel to an HTTP/1.1 upstream it has upgraded in turn); the HEADERS go out
//! without `content-length` and without ending the stream, and the stream's two halves then
//! stand where an HTTP/1.1 connection's halves stand after a `101`: [`StreamRead`] and
//! [`StreamWrite`] are the transport halves the same tunnel and WebSocket loops run on. Any
//! other answer is sent as it is, and what the client sends is dropped.
//!
//! The stream's windows carry the back-pressure: what the client sends is released (its
//! window opened again) only as the loop takes it, and a write waits for the client's window
//! within `write_stall_timeout_ms`. The end of the client's stream reads as the end of its
//! bytes; shutting the writing half ends the stream with an empty DATA frame, after which
//! the client has `WS_CLOSE_WAIT_MS` to end its side; a stream dropped before then is reset.

use std::io;
use std::rc::Rc;
use std::time::{Duration, Instant};

use bytes::{Buf, Bytes};
use h2::RecvStream;
use h2::server::SendResponse;

use bext_core::limits::WS_CLOSE_WAIT_MS;
use bext_shards::deadlines::DeadlineSlot;
use bext_shards::rt::{self, BufResult};

use super::Connection;
use super::stream::{Open, answer, head, respond_with, write_stall};
use crate::h2pipe::send_data;
use crate::service::{Body, OwnedRequest, Route, Upgraded};
use crate::transport::{TransportRead, TransportWrite};

/// Answers an extended CONNECT and, when the answer takes the stream, runs what it became.
pub(super) async fn serve(
    connection: Rc<Connection>,
    body: RecvStream,
    mut respond: SendResponse<Bytes>,
    owned: OwnedRequest,
    route: Route,
    started: Instant,
) {
    let open = Open(connection);
    let connection = &open.0;
    let service = &connection.service;
    let view = owned.view();
    let mut response = answer(connection, &view, &route, started).await;
    let taken = (200..300).contains(&response.status) && matches!(response.body, Body::Upgraded(_));
    if !taken {
        drop(body);
        respond_with(connection, respond, &view, response, started).await;
        return;
    }
    let shard = service.shard.clone();
    let status = response.status;
    let Some((head, _)) = head(connection, &view, &response) else {
        respond.send_reset(h2::Reason::INTERNAL_ERROR);
        return;
    };
    let Body::Upgraded(upgraded) = std::mem::replace(&mut response.body, Body::Empty) else {
        return;
    };
    let Ok(send) = respond.send_response(head, false) else {
        return;
    };
    shard.record(status, 0, started);
    super::super::log(
        &shard,
        connection.peer,
        Some(&view),
        status,
        0,
        started,
        None,
    );
    let stall = write_stall(connection);
    let mut read = StreamRead {
        body,
        held: Bytes::new(),
    };
    let halves = (
        &mut read,
        StreamWrite {
            send,
            slot: shard.deadlines.slot(),
            stall,
        },
    );
    match *upgraded {
        Upgraded::Tunnel(tunnel) => {
            super::super::tunnel::run(&shard, halves, Vec::new(), tunnel).await;
        }
        Upgraded::Realtime(socket) => {
            Box::pin(super::super::websocket::run(
                &shard,
                halves,
                Vec::new(),
                *socket,
            ))
            .await;
        }
    }
    // Ended on this side: the client has a moment to end its own, so the stream closes
    // cleanly rather than with a reset.
    let _ = rt::timeout(Duration::from_millis(WS_CLOSE_WAIT_MS), async {
        while let Some(Ok(chunk)) = read.body.data().await {
            let _ = read.body.flow_control().release_capacity(chunk.len());
        }
    })
    .await;
}

/// The client's half of the stream, read as a transport: its DATA, the window given back
/// as the bytes are taken.
pub(super) struct StreamRead {
    body: RecvStream,
    /// The rest of a frame a read had no room for.
    held: Bytes,
}

impl TransportRead for &mut StreamRead {
    async fn read(&mut self, mut buf: Vec<u8>) -> BufResult<usize> {
        while self.held.is_empty() {
            match self.body.data().await {
                None => return (Ok(0), buf),
                Some(Err(error)) => return (Err(io::Error::other(error)), buf),
                Some(Ok(chunk)) => self.held = chunk,
            }
        }
        if buf.capacity() == buf.len() {
            buf.reserve(self.held.len());
        }
        let n = (buf.capacity() - buf.len()).min(self.held.len());
        buf.extend_from_slice(&self.held[..n]);
        self.held.advance(n);
        let _ = self.body.flow_control().release_capacity(n);
        (Ok(n), buf)
    }
}

/// The server's half of the stream, written as a transport: each write waits for the
/// client's window, within `stall`.
pub(super) struct StreamWrite<'s> {
    send: h2::SendStream<Bytes>,
    slot: DeadlineSlot<'s>,
    stall: Duration,
}

impl TransportWrite for StreamWrite<'_> {
    async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()> {
        // Copied, so the caller keeps its buffer and `h2` holds only what it must send.
        let data = Bytes::copy_from_slice(&buf);
        if send_data(&mut self.send, &self.slot, self.stall, data, false).await {
            (Ok(()), buf)
        } else {
            (Err(io::ErrorKind::BrokenPipe.into()), buf)
        }
    }

    async fn shutdown_write(&mut self) -> io::Result<()> {
        self.send
            .send_data(Bytes::new(), true)
            .map_err(io::Error::other)
    }
}
