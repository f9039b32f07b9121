//! One HTTP/3 request stream: its head made into the service's [`Request`], its body
//! collected when the route wants it, and its answer queued for the connection to hand to
//! quiche as the stream's flow control allows.
//!
//! The service is called exactly as the HTTP/2 driver calls it: the synchronous fast path
//! first (every cache hit is answered in the pass that read the request), a task of its own
//! otherwise. A body in memory is queued whole (shared `Bytes`, never copied); a file or a
//! stream body is read by a task of its own at most `QUIC_STREAM_SEND_BYTES_MAX` ahead of
//! what quiche has taken. Fields and framing follow HTTP/2's rules (RFC 9114 §4.2 forbids
//! the same connection-specific fields).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::Instant;

use bytes::Bytes;
use quiche::h3::{Header, HeaderRef, NameValue};

use bext_core::limits::{FILE_STREAM_CHUNK_BYTES, QUIC_STREAM_SEND_BYTES_MAX};
use bext_net::{Method, Version};

use super::Endpoint;
use super::upgraded::Inbound;
use crate::driver::PendingLog;
use crate::service::{Body, BodyUse, FileBody, Outcome, OwnedRequest, Request, Response, Route};
use crate::shard::guard::{catch_sync, catch_unwind};

/// A request stream, from its HEADERS frame to the end of its answer.
pub(super) enum Stream {
    /// The request body is arriving (collected up to `max`, or dropped).
    Receiving {
        owned: Box<OwnedRequest>,
        route: Route,
        keep: Option<u64>,
        body: Vec<u8>,
        started: Instant,
    },
    /// Answered or being answered: what is left to hand to quiche.
    Answering(Rc<RefCell<Outgoing>>),
    /// An extended CONNECT (RFC 9220): its answer, and what the client sends on it
    /// (`upgraded.rs`).
    Upgrading(Rc<RefCell<Outgoing>>, Rc<RefCell<Inbound>>),
}

/// A response's HEADERS, packed: names and values back to back in one buffer (two
/// allocations for the whole head, where quiche's owned `Header` takes two per field).
pub(super) struct Head {
    bytes: Vec<u8>,
    /// Where each field's name and value end in `bytes` (a field starts where the one before
    /// it ended).
    ends: Vec<(usize, usize)>,
}

impl Head {
    fn with_capacity(fields: usize) -> Head {
        Head {
            bytes: Vec::with_capacity(fields * 24),
            ends: Vec::with_capacity(fields),
        }
    }

    fn push(&mut self, name: &[u8], value: &[u8]) {
        self.bytes.extend_from_slice(name);
        let name_end = self.bytes.len();
        self.bytes.extend_from_slice(value);
        self.ends.push((name_end, self.bytes.len()));
    }

    /// The fields as quiche takes them, borrowed from the head.
    pub fn fields(&self) -> Vec<HeaderRef<'_>> {
        let mut start = 0;
        let mut fields = Vec::with_capacity(self.ends.len());
        for &(name_end, value_end) in &self.ends {
            let name = self.bytes.get(start..name_end).unwrap_or_default();
            let value = self.bytes.get(name_end..value_end).unwrap_or_default();
            fields.push(HeaderRef::new(name, value));
            start = value_end;
        }
        fields
    }
}

/// A stream's answer on its way out, shared by the connection (which hands it to quiche)
/// and, for a file or a stream body, the task reading it.
pub(super) struct Outgoing {
    /// The HEADERS to send, until quiche has taken them; `None` while the answer is awaited.
    pub head: Option<Head>,
    pub head_sent: bool,
    pub chunks: VecDeque<Bytes>,
    /// Bytes in `chunks`.
    pub queued: usize,
    /// No more chunks will come.
    pub done: bool,
    /// Fields to send after the body (a stream body's trailers), until quiche has them.
    pub trailers: Option<bext_net::fields::Fields>,
    /// quiche has the stream's end (an extended CONNECT's stream waits for the client's
    /// end before it is done).
    pub fin_sent: bool,
    /// The stream or its connection is gone: a reading task stops.
    pub gone: bool,
    /// The body could not be read to its promised end: the stream is reset.
    pub failed: bool,
    /// A reading task waiting for room in `chunks`.
    pub waiting: Option<Waker>,
    /// Body bytes quiche has taken.
    pub sent: u64,
    pub status: u16,
    /// The access-log line, written when the answer is all handed over (or lost).
    pub log: Option<PendingLog>,
}

impl Outgoing {
    fn awaited() -> Outgoing {
        Outgoing {
            head: None,
            head_sent: false,
            chunks: VecDeque::new(),
            queued: 0,
            done: false,
            trailers: None,
            fin_sent: false,
            gone: false,
            failed: false,
            waiting: None,
            sent: 0,
            status: 0,
            log: None,
        }
    }

    /// Takes `n` bytes off the front chunk (quiche took them). A reading task that waits
    /// for room is handed back, to be woken once this is no longer borrowed.
    #[must_use]
    pub fn taken(&mut self, n: usize) -> Option<Waker> {
        if let Some(front) = self.chunks.front_mut() {
            let _ = front.split_to(n.min(front.len()));
            if front.is_empty() {
                self.chunks.pop_front();
            }
        }
        self.queued = self.queued.saturating_sub(n);
        self.sent += n as u64;
        if self.queued < QUIC_STREAM_SEND_BYTES_MAX {
            return self.waiting.take();
        }
        None
    }

    /// Marks the stream gone; a reading task that waits is handed back, to be woken once
    /// this is no longer borrowed (it then sees the stream gone).
    #[must_use]
    pub fn abandon(&mut self) -> Option<Waker> {
        self.gone = true;
        self.waiting.take()
    }
}

/// The service's request for a stream's HEADERS; `None` when the pseudo-fields are not
/// those of a request (RFC 9114 §4.3.1: exactly one `:method`, `:scheme` and `:path`, no
/// unknown pseudo-field, pseudo-fields first).
pub(super) fn owned_request(list: &[Header], peer: SocketAddr) -> Option<OwnedRequest> {
    let mut method = None;
    let mut path = None;
    let mut scheme = None;
    let mut authority = None;
    let mut protocol = None;
    let mut fields: Vec<(Bytes, Bytes)> = Vec::with_capacity(list.len());
    let mut cookie: Option<Vec<u8>> = None;
    for header in list {
        let (name, value) = (header.name(), header.value());
        if let Some(pseudo) = name.strip_prefix(b":") {
            if !fields.is_empty() || cookie.is_some() {
                return None;
            }
            let slot = match pseudo {
                b"method" => &mut method,
                b"path" => &mut path,
                b"scheme" => &mut scheme,
                b"authority" => &mut authority,
                b"protocol" => &mut protocol,
                _ => return None,
            };
            if slot.replace(value).is_some() {
                return None;
            }
            continue;
        }
        if name.iter().any(u8::is_ascii_uppercase) {
            return None;
        }
        if name == b"cookie" {
            // Cookies may come split into several fields: one again, joined with "; "
            // (RFC 9114 §4.2.1).
            let joined = cookie.get_or_insert_with(Vec::new);
            if !joined.is_empty() {
                joined.extend_from_slice(b"; ");
            }
            joined.extend_from_slice(value);
            continue;
        }
        fields.push((Bytes::copy_from_slice(name), Bytes::copy_from_slice(value)));
    }
    let (method, path, _scheme) = (method?, path?, scheme?);
    // Only an extended CONNECT (RFC 9220, RFC 8441 §4) names a `:protocol`, and it names
    // its `:authority` too; a plain CONNECT (a proxy's tunnel) is not served.
    let connect = method == b"CONNECT";
    let well_formed = match protocol {
        Some(_) => connect && authority.is_some(),
        None => !connect,
    };
    if path.is_empty() || !well_formed {
        return None;
    }
    if let Some(cookie) = cookie {
        fields.push((Bytes::from_static(b"cookie"), Bytes::from(cookie)));
    }
    let mut owned = OwnedRequest::from_pairs(
        method,
        Bytes::copy_from_slice(path),
        authority.map(Bytes::copy_from_slice),
        fields,
        Version::Http3,
        peer,
    );
    if let Some(protocol) = protocol {
        owned.set_protocol(protocol);
    }
    Some(owned)
}

/// A stream whose request head has arrived: answered now if it has no body (or its body is
/// not wanted), otherwise left to receive it.
pub(super) fn begin(
    endpoint: &Rc<Endpoint>,
    key: u64,
    peer: SocketAddr,
    owned: OwnedRequest,
    has_body: bool,
    started: Instant,
) -> Stream {
    let route = endpoint.service.route(&owned.view(), true);
    if owned.view().protocol.is_some() {
        // An extended CONNECT: what the client sends is the new protocol's, not a body.
        let inbound = Rc::new(RefCell::new(Inbound::default()));
        return match answer(endpoint, key, peer, owned, route, started, Some(&inbound)) {
            Stream::Answering(out) => Stream::Upgrading(out, inbound),
            other => other,
        };
    }
    if !has_body {
        return answer(endpoint, key, peer, owned, route, started, None);
    }
    let keep = match route.body_use() {
        // HTTP/3 collects what HTTP/1.1 and HTTP/2 stream (the datagram loop owns the
        // streams' bytes; a handler cannot wait on them yet).
        BodyUse::Collect(max) | BodyUse::Stream(max) => Some(max),
        BodyUse::Ignore(_) => None,
    };
    Stream::Receiving {
        owned: Box::new(owned),
        route,
        keep,
        body: Vec::new(),
        started,
    }
}

/// Answers a request whose body is complete (or not wanted): now when the service can,
/// otherwise in a task that fills the stream's answer when it comes. `inbound`: the
/// stream is an extended CONNECT's, and this is what the client sends on it.
pub(super) fn answer(
    endpoint: &Rc<Endpoint>,
    key: u64,
    peer: SocketAddr,
    owned: OwnedRequest,
    route: Route,
    started: Instant,
    inbound: Option<&Rc<RefCell<Inbound>>>,
) -> Stream {
    let service = &endpoint.service;
    let view = owned.view();
    let response = match catch_sync(|| service.answer_now(&view, &route, started)) {
        Ok(Outcome::Ready(response)) => response,
        Ok(Outcome::Later) => {
            let out = Rc::new(RefCell::new(Outgoing::awaited()));
            let task_out = out.clone();
            let task_inbound = inbound.cloned();
            let endpoint = endpoint.clone();
            let shard = endpoint.service.shard.clone();
            crate::shard::spawn(&shard, "an HTTP/3 stream", async move {
                let view = owned.view();
                let service = &endpoint.service;
                let response = match catch_unwind(service.answer(&view, &route, started)).await {
                    Ok(response) => response,
                    Err(message) => panicked(&endpoint, &view, &message),
                };
                let inbound = task_inbound.as_ref();
                fill(
                    &endpoint, key, peer, &task_out, &view, response, started, inbound,
                );
            });
            return Stream::Answering(out);
        }
        Err(message) => panicked(endpoint, &view, &message),
    };
    let out = Rc::new(RefCell::new(Outgoing::awaited()));
    fill(endpoint, key, peer, &out, &view, response, started, inbound);
    Stream::Answering(out)
}

/// A refusal answered on a stream (a malformed request, a body too large), logged now.
pub(super) fn refuse(
    endpoint: &Rc<Endpoint>,
    peer: SocketAddr,
    request: Option<&Request<'_>>,
    status: u16,
    reason: &'static str,
    started: Instant,
) -> Stream {
    let shard = &endpoint.service.shard;
    shard.metrics.borrow_mut().requests_refused += 1;
    let response = Response::error(status);
    let mut out = Outgoing::awaited();
    out.head = Some(head(endpoint, &response, false));
    out.status = status;
    let mut sent = 0;
    if let Body::Bytes(bytes) = response.body {
        sent = bytes.len() as u64;
        out.queued = bytes.len();
        out.chunks.push_back(bytes);
    }
    out.done = true;
    shard.record(status, sent, started);
    crate::driver::log(shard, peer, request, status, sent, started, Some(reason));
    Stream::Answering(Rc::new(RefCell::new(out)))
}

fn panicked(endpoint: &Endpoint, request: &Request<'_>, message: &str) -> Response {
    crate::driver::panicked(&endpoint.service.shard, request, message)
}

/// Puts `response` into the stream's answer: its HEADERS, and its body queued or read by a
/// task of its own (or, for an extended CONNECT's `2xx` that takes the stream, the loop it
/// became).
#[allow(clippy::too_many_arguments)]
fn fill(
    endpoint: &Rc<Endpoint>,
    key: u64,
    peer: SocketAddr,
    out: &Rc<RefCell<Outgoing>>,
    request: &Request<'_>,
    mut response: Response,
    started: Instant,
    inbound: Option<&Rc<RefCell<Inbound>>>,
) {
    let status = response.status;
    if let Some(inbound) = inbound {
        let taken = (200..300).contains(&status) && matches!(response.body, Body::Upgraded(_));
        if !taken {
            // Answered as any request is; what the client sends is dropped.
            inbound.borrow_mut().release();
        } else if let Body::Upgraded(upgraded) = std::mem::replace(&mut response.body, Body::Empty)
        {
            upgrade(
                endpoint, key, peer, out, inbound, request, response, *upgraded, started,
            );
            return;
        }
    }
    let bodiless = status < 200 || status == 204 || status == 304;
    let no_body = request.method == Method::Head || bodiless;
    let mut o = out.borrow_mut();
    if o.gone {
        return;
    }
    o.head = Some(head(endpoint, &response, bodiless));
    o.status = status;
    o.log = Some(PendingLog::new(peer, request, status, started));
    let body = if no_body {
        o.done = true;
        Body::Empty
    } else {
        response.body
    };
    // A file or a stream is read by a task of its own, started once the answer is no
    // longer borrowed.
    let read = match body {
        Body::Empty => {
            o.done = true;
            None
        }
        Body::Bytes(bytes) => {
            o.queued = bytes.len();
            if !bytes.is_empty() {
                o.chunks.push_back(bytes);
            }
            o.done = true;
            None
        }
        body => Some(body),
    };
    drop(o);
    let shard = endpoint.service.shard.clone();
    match read {
        None => {}
        Some(Body::File(file)) => {
            let (endpoint, out) = (endpoint.clone(), out.clone());
            crate::shard::spawn(&shard, "an HTTP/3 file body", async move {
                read_file(&endpoint, key, &out, file).await;
            });
        }
        Some(Body::Stream(mut pieces)) => {
            let (endpoint, out) = (endpoint.clone(), out.clone());
            crate::shard::spawn(&shard, "an HTTP/3 stream body", async move {
                loop {
                    if !room(&out).await {
                        return;
                    }
                    let piece = pieces.next().await;
                    let mut o = out.borrow_mut();
                    match piece {
                        Some(piece) if !piece.is_empty() => {
                            o.queued += piece.len();
                            o.chunks.push_back(piece);
                        }
                        Some(_) => continue,
                        None if pieces.aborted() => o.failed = true,
                        None => {
                            // gRPC's status comes this way from an HTTP/2 upstream.
                            o.trailers = pieces.trailers().filter(|t| !t.is_empty());
                            o.done = true;
                        }
                    }
                    let done = o.done || o.failed;
                    drop(o);
                    endpoint.touch(key);
                    if done {
                        return;
                    }
                }
            });
        }
        Some(Body::Empty | Body::Bytes(_)) => {}
        // Only an extended CONNECT's `2xx` takes the stream (above).
        Some(Body::Upgraded(_)) => out.borrow_mut().failed = true,
    }
    endpoint.touch(key);
}

/// An extended CONNECT's `2xx` that takes the stream: its HEADERS (no length, the stream
/// stays open), logged now, and the loop it became run by a task of its own.
#[allow(clippy::too_many_arguments)]
fn upgrade(
    endpoint: &Rc<Endpoint>,
    key: u64,
    peer: SocketAddr,
    out: &Rc<RefCell<Outgoing>>,
    inbound: &Rc<RefCell<Inbound>>,
    request: &Request<'_>,
    response: Response,
    upgraded: crate::service::Upgraded,
    started: Instant,
) {
    let shard = endpoint.service.shard.clone();
    let mut o = out.borrow_mut();
    if o.gone {
        return;
    }
    // `Body::Empty` by now, so no length goes out.
    o.head = Some(head(endpoint, &response, true));
    o.status = response.status;
    drop(o);
    shard.record(response.status, 0, started);
    crate::driver::log(
        &shard,
        peer,
        Some(request),
        response.status,
        0,
        started,
        None,
    );
    let task = super::upgraded::run(
        endpoint.clone(),
        key,
        out.clone(),
        inbound.clone(),
        upgraded,
    );
    crate::shard::spawn(&shard, "an HTTP/3 extended CONNECT", task);
    endpoint.touch(key);
}

/// Waits until the stream's queue has room; false once the stream is gone.
async fn room(out: &Rc<RefCell<Outgoing>>) -> bool {
    std::future::poll_fn(|cx| {
        let mut o = out.borrow_mut();
        if o.gone {
            return Poll::Ready(false);
        }
        if o.queued < QUIC_STREAM_SEND_BYTES_MAX {
            return Poll::Ready(true);
        }
        o.waiting = Some(cx.waker().clone());
        Poll::Pending
    })
    .await
}

/// Reads a file range into the stream's queue as quiche takes it.
async fn read_file(endpoint: &Rc<Endpoint>, key: u64, out: &Rc<RefCell<Outgoing>>, job: FileBody) {
    let mut offset = job.offset;
    let end = job.offset + job.len;
    while offset < end {
        if !room(out).await {
            return;
        }
        let want = usize::try_from(end - offset)
            .unwrap_or(usize::MAX)
            .min(FILE_STREAM_CHUNK_BYTES);
        let (result, mut chunk) = job.file.read_at(Vec::with_capacity(want), offset).await;
        let n = match result {
            Ok(0) | Err(_) => {
                // The file shrank or failed: the promised length cannot be kept.
                out.borrow_mut().failed = true;
                endpoint.touch(key);
                return;
            }
            Ok(n) => n.min(want),
        };
        chunk.truncate(n);
        offset += n as u64;
        let mut o = out.borrow_mut();
        o.queued += n;
        o.chunks.push_back(Bytes::from(chunk));
        o.done = offset == end;
        drop(o);
        endpoint.touch(key);
    }
}

/// The HEADERS of `response`: `:status`, `date` and `server` as every driver writes them,
/// the handler's fields (less those HTTP/3 forbids), and the length where it is known.
fn head(endpoint: &Endpoint, response: &Response, bodiless: bool) -> Head {
    let shard = &endpoint.service.shard;
    let shared = response.shared.as_deref().map_or(&[][..], |b| b.fields());
    let mut head = Head::with_capacity(4 + shared.len() + response.fields.len());
    let mut status = itoa::Buffer::new();
    head.push(b":status", status.format(response.status).as_bytes());
    let date = shard.date.borrow();
    // The cached line is "date: <value>\r\n".
    let line = date.line();
    if let Some(value) = line.get(6..line.len().saturating_sub(2)) {
        head.push(b"date", value);
    }
    head.push(b"server", b"bext");
    for field in shared.iter().chain(response.fields.iter()) {
        if !crate::driver::is_connection_field(field.name()) {
            head.push(field.name(), field.value());
        }
    }
    if !bodiless && let Some(n) = response.body.len() {
        let mut length = itoa::Buffer::new();
        head.push(b"content-length", length.format(n).as_bytes());
    }
    head
}
