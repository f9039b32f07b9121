//! An extended CONNECT (RFC 8441): a stream that asks, with `:protocol`, to carry another
//! protocol (a WebSocket) once a `2xx` answers it.
//!
//! The request goes through the service like any other, without a body: the stream's DATA
//! is not a request body but the new protocol's bytes, so the driver keeps it. A handler
//! that takes the stream answers `2xx` with [`Body::Upgraded`] (the realtime socket, or the
//! proxy's tunnel to an HTTP/1.1 upstream it has upgraded in turn); the HEADERS go out
//! without `content-length` and without ending the stream, and the stream's two halves then
//! stand where an HTTP/1.1 connection's halves stand after a `101`: `h2stream`'s
//! `StreamRead` and `StreamWrite` are the transport halves the same tunnel and WebSocket
//! loops run on. Any
//! other answer is sent as it is, and what the client sends is dropped.
//!
//! The halves (`h2stream.rs`) carry the back-pressure through the stream's windows, a write
//! waiting for the client's within `write_stall_timeout_ms`. Once bext has ended its side,
//! the client has `WS_CLOSE_WAIT_MS` to end its own; a stream dropped before then is reset.

use std::rc::Rc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use h2::RecvStream;
use h2::server::SendResponse;

use bext_core::limits::WS_CLOSE_WAIT_MS;
use bext_shards::rt;

use super::Connection;
use super::stream::{Open, answer, head, respond_with, write_stall};
use crate::h2stream::{StreamRead, StreamWrite};
use crate::service::{Body, OwnedRequest, Route, Upgraded};

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
    let mut read = StreamRead::new(body);
    let halves = (
        &mut read,
        StreamWrite::new(send, shard.deadlines.slot(), stall),
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
    let _ = rt::timeout(Duration::from_millis(WS_CLOSE_WAIT_MS), read.drain()).await;
}
