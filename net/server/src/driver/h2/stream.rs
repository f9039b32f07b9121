//! One HTTP/2 stream: its request made into the service's [`Request`], its body collected when
//! the route wants it, its answer framed as HEADERS and DATA within the client's windows.
//!
//! The response fields are the handler's, after `date` and `server` as on HTTP/1.1; the
//! framing is HTTP/2's own (`content-length` where the length is known, no
//! connection-specific fields, which RFC 9113 §8.2.2 forbids and `h2` refuses). A HEAD, a 204
//! and a 304 end the stream with the HEADERS frame.

use std::rc::Rc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use h2::RecvStream;
use h2::server::SendResponse;
use http::header::{HeaderName, HeaderValue};

use bext_core::limits::FILE_STREAM_CHUNK_BYTES;
use bext_net::fields::Field;
use bext_net::{Method, Version};
use bext_shards::deadlines::DeadlineSlot;
use bext_shards::rt;

use super::Connection;
use crate::h2pipe::send_data;
use crate::service::incoming::{BodyFault, IncomingBody, NextPiece};
use crate::service::{Body, BodyUse, FileBody, Outcome, OwnedRequest, Request, Response};
use crate::shard::guard::{catch_sync, catch_unwind};

/// Closes the stream's count when the task ends, however it ends.
pub(super) struct Open(pub(super) Rc<Connection>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.stream_closed();
    }
}

/// Takes a new stream: answered here and now when it can be (no body to read, an answer
/// ready at once with its body in memory: every cache hit), otherwise in a task of its own.
/// The fast path spawns nothing and waits for nothing: a body beyond the client's window is
/// queued inside `h2` as the shared bytes it already is (at most a cache entry).
pub(super) fn accept(
    connection: &Rc<Connection>,
    request: http::Request<RecvStream>,
    respond: SendResponse<Bytes>,
) {
    let service = &connection.service;
    let shard = &service.shard;
    let started = Instant::now();
    // Activity: the idle deadline counts from the last stream (spawned ones move it again
    // when they end).
    connection.idle_since.set(started);
    let (parts, body) = request.into_parts();
    let mut owned = owned_request(&parts, connection.peer);
    if parts.method == http::Method::CONNECT
        && let Some(protocol) = parts.extensions.get::<h2::ext::Protocol>()
    {
        // An extended CONNECT: its DATA is the protocol's, not a body (`upgraded.rs`).
        owned.set_protocol(protocol.as_ref());
        let route = service.route(&owned.view(), connection.secure);
        spawn(
            connection,
            super::upgraded::serve(connection.clone(), body, respond, owned, route, started),
        );
        return;
    }
    // One view for routing and answering: making it scans the fields.
    let view = owned.view();
    let route = service.route(&view, connection.secure);
    if !body.is_end_stream() {
        spawn(
            connection,
            with_body(
                connection.clone(),
                parts.headers,
                body,
                respond,
                owned,
                route,
                started,
            ),
        );
        return;
    }
    let response = match catch_sync(|| service.answer_now(&view, &route, started)) {
        Ok(Outcome::Ready(response)) => response,
        Ok(Outcome::Later) => {
            spawn(
                connection,
                later(connection.clone(), respond, owned, route, started),
            );
            return;
        }
        Err(message) => panicked(connection, &view, &message),
    };
    let in_memory = matches!(response.body, Body::Empty | Body::Bytes(_));
    if !in_memory {
        spawn(
            connection,
            finish(connection.clone(), respond, owned, response, started),
        );
        return;
    }
    let status = response.status;
    let sent = send_now(connection, respond, &view, response);
    shard.record(status, sent, started);
    super::super::log(
        shard,
        connection.peer,
        Some(&view),
        status,
        sent,
        started,
        None,
    );
}

/// Runs a stream's task, counted among the connection's open streams until it ends.
fn spawn(connection: &Rc<Connection>, task: impl std::future::Future<Output = ()> + 'static) {
    connection.stream_opened();
    crate::shard::spawn(&connection.service.shard, "an HTTP/2 stream", task);
}

/// A stream with a request body: collected when the route wants it, then answered.
async fn with_body(
    connection: Rc<Connection>,
    headers: http::HeaderMap,
    mut body: RecvStream,
    respond: SendResponse<Bytes>,
    mut owned: OwnedRequest,
    route: crate::service::Route,
    started: Instant,
) {
    let open = Open(connection);
    let connection = &open.0;
    let shard = connection.service.shard.clone();
    let timeouts = connection.service.current().snapshot.config.server.timeouts;
    let idle = Duration::from_millis(timeouts.body_idle_timeout_ms);
    let refused = match route.body_use() {
        BodyUse::Collect(max) => {
            let slot = shard.deadlines.slot();
            match collect(&mut body, &headers, max, &slot, idle).await {
                Ok(bytes) => {
                    owned.set_body(bytes);
                    None
                }
                Err(refusal) => Some(refusal),
            }
        }
        BodyUse::Stream(max) => match declared_length(&headers) {
            Some(n) if n > max => Some((413, "body too large")),
            declared => {
                owned.set_incoming(Box::new(Incoming {
                    body,
                    declared,
                    max,
                    taken: 0,
                    idle,
                }));
                None
            }
        },
        // Dropped: `h2` discards what still arrives and gives the window back.
        BodyUse::Ignore(_) => {
            drop(body);
            None
        }
    };
    if let Some((status, reason)) = refused {
        let slot = shard.deadlines.slot();
        let view = owned.view();
        shard.metrics.borrow_mut().requests_refused += 1;
        let response = Response::error(status);
        let sent = send(connection, &slot, respond, &view, response).await;
        shard.record(status, sent, started);
        super::super::log(
            &shard,
            connection.peer,
            Some(&view),
            status,
            sent,
            started,
            Some(reason),
        );
        return;
    }
    let view = owned.view();
    let response = answer(connection, &view, &route, started).await;
    respond_with(connection, respond, &view, response, started).await;
}

/// The service's answer: at once when it can, else awaited; a panic in either is a 500.
pub(super) async fn answer(
    connection: &Connection,
    view: &Request<'_>,
    route: &crate::service::Route,
    started: Instant,
) -> Response {
    match catch_sync(|| connection.service.answer_now(view, route, started)) {
        Ok(Outcome::Ready(response)) => response,
        Ok(Outcome::Later) => {
            match catch_unwind(connection.service.answer(view, route, started)).await {
                Ok(response) => response,
                Err(message) => panicked(connection, view, &message),
            }
        }
        Err(message) => panicked(connection, view, &message),
    }
}

/// How long a write may wait for the client's window (`write_stall_timeout_ms`).
pub(super) fn write_stall(connection: &Connection) -> Duration {
    let timeouts = connection.service.current().snapshot.config.server.timeouts;
    Duration::from_millis(timeouts.write_stall_timeout_ms)
}

/// A stream whose answer needs the disk, an engine or another shard.
async fn later(
    connection: Rc<Connection>,
    respond: SendResponse<Bytes>,
    owned: OwnedRequest,
    route: crate::service::Route,
    started: Instant,
) {
    let open = Open(connection);
    let connection = &open.0;
    let view = owned.view();
    let response = match catch_unwind(connection.service.answer(&view, &route, started)).await {
        Ok(response) => response,
        Err(message) => panicked(connection, &view, &message),
    };
    respond_with(connection, respond, &view, response, started).await;
}

/// A stream answered at once whose body is a file or a stream: sent as the window opens.
async fn finish(
    connection: Rc<Connection>,
    respond: SendResponse<Bytes>,
    owned: OwnedRequest,
    response: Response,
    started: Instant,
) {
    let open = Open(connection);
    respond_with(&open.0, respond, &owned.view(), response, started).await;
}

/// Sends the answer, counts it and logs it.
pub(super) async fn respond_with(
    connection: &Connection,
    respond: SendResponse<Bytes>,
    view: &Request<'_>,
    response: Response,
    started: Instant,
) {
    let shard = connection.service.shard.clone();
    let slot = shard.deadlines.slot();
    let status = response.status;
    let sent = send(connection, &slot, respond, view, response).await;
    shard.record(status, sent, started);
    super::super::log(
        &shard,
        connection.peer,
        Some(view),
        status,
        sent,
        started,
        None,
    );
}

fn panicked(connection: &Connection, request: &Request<'_>, message: &str) -> Response {
    crate::driver::panicked(&connection.service.shard, request, message)
}

/// The service's request for a stream's head. `h2` has checked the pseudo-fields already
/// (one of each, a method, a path or `*`; RFC 9113 §8.3).
fn owned_request(parts: &http::request::Parts, peer: std::net::SocketAddr) -> OwnedRequest {
    let target = parts
        .uri
        .path_and_query()
        .map_or(Bytes::from_static(b"/"), |pq| {
            Bytes::copy_from_slice(pq.as_str().as_bytes())
        });
    let authority = parts
        .uri
        .authority()
        .map(|a| Bytes::copy_from_slice(a.as_str().as_bytes()));
    let mut fields: Vec<(Bytes, Bytes)> = Vec::with_capacity(parts.headers.len());
    let mut cookie: Option<Vec<u8>> = None;
    for (name, value) in &parts.headers {
        if name == http::header::COOKIE {
            // HTTP/2 may split cookies into several fields: they are one field again, joined
            // with "; " (RFC 9113 §8.2.3).
            let joined = cookie.get_or_insert_with(Vec::new);
            if !joined.is_empty() {
                joined.extend_from_slice(b"; ");
            }
            joined.extend_from_slice(value.as_bytes());
            continue;
        }
        fields.push((
            Bytes::copy_from_slice(name.as_str().as_bytes()),
            Bytes::copy_from_slice(value.as_bytes()),
        ));
    }
    if let Some(cookie) = cookie {
        fields.push((Bytes::from_static(b"cookie"), Bytes::from(cookie)));
    }
    OwnedRequest::from_pairs(
        parts.method.as_str().as_bytes(),
        target,
        authority,
        fields,
        Version::Http2,
        peer,
    )
}

fn declared_length(headers: &http::HeaderMap) -> Option<u64> {
    headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

/// A request body the handler reads as its DATA frames arrive: each within `idle`, at most
/// `max` bytes in all, the window given back as pieces are taken (so the client sends no
/// faster than the handler passes them on).
struct Incoming {
    body: RecvStream,
    declared: Option<u64>,
    max: u64,
    taken: u64,
    idle: Duration,
}

impl IncomingBody for Incoming {
    fn next(&mut self) -> NextPiece<'_> {
        Box::pin(async move {
            loop {
                let chunk = match rt::timeout(self.idle, self.body.data()).await {
                    Err(_) => return Some(Err(fault(408, "body timeout"))),
                    Ok(None) => return None,
                    Ok(Some(Err(_))) => return Some(Err(fault(400, "body refused"))),
                    Ok(Some(Ok(chunk))) => chunk,
                };
                let _ = self.body.flow_control().release_capacity(chunk.len());
                self.taken += chunk.len() as u64;
                if self.taken > self.max {
                    return Some(Err(fault(413, "body too large")));
                }
                if !chunk.is_empty() {
                    return Some(Ok(chunk));
                }
            }
        })
    }

    fn length(&self) -> Option<u64> {
        self.declared
    }
}

fn fault(status: u16, reason: &'static str) -> BodyFault {
    BodyFault { status, reason }
}

/// Reads a request body of at most `max` bytes, each frame within `idle`; the refusal's
/// status and reason otherwise.
async fn collect(
    body: &mut RecvStream,
    headers: &http::HeaderMap,
    max: u64,
    slot: &DeadlineSlot<'_>,
    idle: Duration,
) -> Result<Vec<u8>, (u16, &'static str)> {
    let declared = declared_length(headers);
    if declared.is_some_and(|n| n > max) {
        return Err((413, "body too large"));
    }
    let mut out = Vec::with_capacity(declared.map_or(0, |n| usize::try_from(n).unwrap_or(0)));
    loop {
        match slot.run(Instant::now() + idle, body.data()).await {
            None => return Err((408, "body timeout")),
            Some(None) => return Ok(out),
            Some(Some(Err(_))) => return Err((400, "body refused")),
            Some(Some(Ok(chunk))) => {
                // The window is given back as the bytes are taken: `max` bounds what is kept.
                let _ = body.flow_control().release_capacity(chunk.len());
                if (out.len() + chunk.len()) as u64 > max {
                    return Err((413, "body too large"));
                }
                out.extend_from_slice(&chunk);
            }
        }
    }
}

/// The HEADERS of `response`, and whether they end the stream (a HEAD, a bodiless status,
/// an empty body). A stream taken by an extended CONNECT's answer has no length and stays
/// open (RFC 9110 §8.6: no `content-length` in a `2xx` to CONNECT).
pub(super) fn head(
    connection: &Connection,
    request: &Request<'_>,
    response: &Response,
) -> Option<(http::Response<()>, bool)> {
    let shard = &connection.service.shard;
    let status = response.status;
    let bodiless = status < 200 || status == 204 || status == 304;
    let upgraded = matches!(response.body, Body::Upgraded(_));
    let length = if upgraded { None } else { response.body.len() };
    let mut head = http::Response::builder().status(status).body(()).ok()?;
    let headers = head.headers_mut();
    let date = shard.date.borrow();
    // The cached line is "date: <value>\r\n".
    let line = date.line();
    if let Some(value) = line
        .get(6..line.len().saturating_sub(2))
        .and_then(|v| HeaderValue::from_bytes(v).ok())
    {
        headers.append(http::header::DATE, value);
    }
    headers.append(http::header::SERVER, HeaderValue::from_static("bext"));
    if let Some(value) = &connection.alt_svc {
        headers.append(http::header::ALT_SVC, value.clone());
    }
    let shared = response.shared.as_deref().map_or(&[][..], |b| b.fields());
    for field in shared.iter().chain(response.fields.iter()) {
        append(headers, field);
    }
    if !bodiless && let Some(n) = length {
        headers.append(http::header::CONTENT_LENGTH, HeaderValue::from(n));
    }
    let ends = !upgraded && (request.method == Method::Head || bodiless || length == Some(0));
    Some((head, ends))
}

/// Sends an answer whose body is in memory, without waiting: `h2` holds what the client's
/// window does not take yet. The body bytes sent.
fn send_now(
    connection: &Connection,
    mut respond: SendResponse<Bytes>,
    request: &Request<'_>,
    response: Response,
) -> u64 {
    let Some((head, ends)) = head(connection, request, &response) else {
        respond.send_reset(h2::Reason::INTERNAL_ERROR);
        return 0;
    };
    let Ok(mut stream) = respond.send_response(head, ends) else {
        return 0;
    };
    if ends {
        return 0;
    }
    let body = match response.body {
        Body::Bytes(bytes) => bytes,
        _ => Bytes::new(),
    };
    let n = body.len() as u64;
    match stream.send_data(body, true) {
        Ok(()) => n,
        Err(_) => 0,
    }
}

/// Sends `response` on the stream as the client's window allows; the body bytes sent (for
/// the log and the counters).
async fn send(
    connection: &Connection,
    slot: &DeadlineSlot<'_>,
    mut respond: SendResponse<Bytes>,
    request: &Request<'_>,
    response: Response,
) -> u64 {
    let stall = write_stall(connection);
    let Some((head, ends)) = head(connection, request, &response) else {
        respond.send_reset(h2::Reason::INTERNAL_ERROR);
        return 0;
    };
    let Ok(mut stream) = respond.send_response(head, ends) else {
        return 0;
    };
    if ends {
        return 0;
    }
    let mut sent = 0;
    let ok = match response.body {
        Body::Empty => stream.send_data(Bytes::new(), true).is_ok(),
        // Only an extended CONNECT's stream is taken (`upgraded.rs`), and only by a 2xx.
        Body::Upgraded(_) => false,
        Body::Bytes(bytes) => {
            let n = bytes.len() as u64;
            let ok = send_data(&mut stream, slot, stall, bytes, true).await;
            if ok {
                sent = n;
            }
            ok
        }
        Body::File(file) => {
            let n = file.len;
            let ok = send_file(&mut stream, slot, stall, file).await;
            if ok {
                sent = n;
            }
            ok
        }
        Body::Stream(mut pieces) => loop {
            match pieces.next().await {
                Some(piece) => {
                    let n = piece.len() as u64;
                    if !send_data(&mut stream, slot, stall, piece, false).await {
                        break false;
                    }
                    sent += n;
                }
                None if pieces.aborted() => break false,
                None => match pieces.trailers() {
                    Some(fields) if !fields.is_empty() => {
                        let mut trailers = http::HeaderMap::new();
                        for field in fields.iter() {
                            append(&mut trailers, field);
                        }
                        break stream.send_trailers(trailers).is_ok();
                    }
                    _ => break stream.send_data(Bytes::new(), true).is_ok(),
                },
            }
        },
    };
    if !ok {
        // A length was promised and not kept, or the client went away: end the stream.
        stream.send_reset(h2::Reason::INTERNAL_ERROR);
    }
    sent
}

/// Appends a handler's field, leaving out those HTTP/2 forbids.
fn append(headers: &mut http::HeaderMap, field: &Field) {
    if crate::driver::is_connection_field(field.name()) {
        return;
    }
    if let (Ok(name), Ok(value)) = (
        HeaderName::from_bytes(field.name()),
        HeaderValue::from_bytes(field.value()),
    ) {
        headers.append(name, value);
    }
}

/// Sends a file range in chunks read as the window opens.
async fn send_file(
    stream: &mut h2::SendStream<Bytes>,
    slot: &DeadlineSlot<'_>,
    stall: Duration,
    job: FileBody,
) -> bool {
    let mut offset = job.offset;
    let end = job.offset + job.len;
    while offset < end {
        let want = usize::try_from(end - offset)
            .unwrap_or(usize::MAX)
            .min(FILE_STREAM_CHUNK_BYTES);
        let (result, mut chunk) = job.file.read_at(Vec::with_capacity(want), offset).await;
        let n = match result {
            // The file shrank or failed: the promised length cannot be kept.
            Ok(0) | Err(_) => return false,
            Ok(n) => n.min(want),
        };
        chunk.truncate(n);
        offset += n as u64;
        if !send_data(stream, slot, stall, Bytes::from(chunk), offset == end).await {
            return false;
        }
    }
    true
}
