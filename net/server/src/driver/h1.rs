//! The HTTP/1.1 driver: [`bext_net::h1::Conn`] over a [`Transport`], answering through the
//! service. The only place in the server where HTTP/1.1 is written.
//!
//! One loop per connection: answer every request already buffered (the connection decides
//! where each starts and ends, and what happens to bodies), write the answers in one write,
//! stream a body that follows if there is one, then read under the deadline the connection
//! names. Cache hits are answered synchronously, inside the loop, without allocating; a
//! request that needs the disk, an engine or another shard is answered in a boxed future
//! with an owned copy of the request, so the connection's own future stays small (idle
//! keep-alive connections are mostly that future, its 1 KiB read buffer and its deadline
//! slot).
//!
//! Every request ends in the access log and the counters, refused ones included (those
//! rate-limited, see `crate::log`).

use std::cell::Cell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::task::Poll;
use std::time::{Duration, Instant};

use bytes::Bytes;

use bext_core::limits::{
    BODY_READ_BYTES, FILE_STREAM_CHUNK_BYTES, GATHER_BODY_BYTES_MIN, READ_BUFFER_BYTES_INITIAL,
    READ_BUFFER_BYTES_KEPT_IDLE, SHUTDOWN_WAIT_MS,
};
use bext_net::h1::{
    self, BodyKind, BodyPlan, BodySize, Conn, Expiry, HeaderStore, ResponseHead, Step,
};
use bext_shards::deadlines::DeadlineSlot;

use super::until_close;
use crate::service::incoming::{BodyFault, Feed};
use crate::service::{
    Body, BodyStream, BodyUse, FileBody, Outcome, OwnedRequest, Request, Response, Route, Service,
    Upgraded,
};
use crate::shard::Shard;
use crate::shard::guard::{catch_sync, catch_unwind};
use crate::transport::Transport;

/// Serves one connection until it closes. `secure`: the transport is TLS (requests that came over it are not redirected to HTTPS).
///
/// A plain function returning an `async move` block rather than an `async fn`: an `async fn`
/// moves each argument into a local of its body and keeps the argument's slot too, so the
/// transport (1.3 KB for TLS) would sit twice in the connection's task for its whole life.
#[allow(clippy::manual_async_fn)]
pub(crate) fn serve<T: Transport>(
    service: Rc<Service>,
    mut io: T,
    peer: SocketAddr,
    secure: bool,
) -> impl std::future::Future<Output = ()> {
    async move {
        let shard = service.shard.clone();
        let slot = shard.deadlines.slot();
        // Read once, and not kept: a connection must not pin the state it started under.
        let (conn, h2c) = {
            let state = service.current();
            (
                Conn::new(state.snapshot.h1, Instant::now()),
                !secure && state.snapshot.config.server.http2,
            )
        };
        let mut connection = Connection {
            service: &service,
            shard: &shard,
            slot: &slot,
            conn,
            peer,
            secure,
            busy: Cell::new(false),
            pending: None,
            feeding: None,
            h2c,
            handed_over: false,
        };
        let Some(handover) = connection.run(&mut io).await else {
            return;
        };
        connection.handed_over = true;
        drop(connection);
        drop(slot);
        match handover {
            Handover::H2(read) => {
                Box::pin(super::h2::serve(service, io, peer, secure, read)).await;
            }
            Handover::Upgraded(read, upgraded) => {
                // Still an open connection until the tunnel or the socket ends.
                match *upgraded {
                    Upgraded::Tunnel(tunnel) => {
                        super::tunnel::run(&shard, io.split(), read, tunnel).await;
                    }
                    Upgraded::Realtime(socket) => {
                        // A stop waits for its close handshake (1001, `websocket.rs`), as
                        // it waits for an HTTP/2 or HTTP/3 stream's.
                        let _busy = crate::shard::Busy::hold(&shard);
                        Box::pin(super::websocket::run(&shard, io.split(), read, *socket)).await;
                    }
                }
                let mut metrics = shard.metrics.borrow_mut();
                metrics.connections_open = metrics.connections_open.saturating_sub(1);
            }
            Handover::UntilClose(streamed) => {
                Box::pin(until_close::run(&shard, io, *streamed)).await;
                let mut metrics = shard.metrics.borrow_mut();
                metrics.connections_open = metrics.connections_open.saturating_sub(1);
            }
        }
    }
}

/// What a connection goes on as after HTTP/1.1, with the bytes read and not yet used.
enum Handover {
    /// It opened with HTTP/2's preface.
    H2(Vec<u8>),
    /// An upstream switched protocols (101): a tunnel to it.
    Upgraded(Vec<u8>, Box<Upgraded>),
    /// A streamed body after which the connection closes (an SSE subscriber).
    UntilClose(Box<until_close::Streamed>),
}

/// Whether a fresh connection's first bytes are HTTP/2's preface.
#[derive(PartialEq, Eq)]
enum Preface {
    Yes,
    /// So far, but more bytes must come to tell.
    Partly,
    No,
}

fn preface(read: &[u8]) -> Preface {
    let n = read.len().min(super::h2::PREFACE.len());
    if read[..n] != super::h2::PREFACE[..n] {
        Preface::No
    } else if n == super::h2::PREFACE.len() {
        Preface::Yes
    } else {
        Preface::Partly
    }
}

struct Connection<'s> {
    service: &'s Rc<Service>,
    shard: &'s Rc<Shard>,
    /// This connection's slot in the shard's coarse deadlines.
    slot: &'s DeadlineSlot<'s>,
    conn: Conn,
    peer: SocketAddr,
    /// Over TLS.
    secure: bool,
    /// Counted in the shard's busy connections (a draining shard waits for those).
    busy: Cell<bool>,
    /// The request whose body is being collected.
    pending: Option<Box<Later>>,
    /// The request whose handler reads its body as it arrives, about to be answered.
    feeding: Option<Box<Fed>>,
    /// Nothing answered yet on a cleartext connection that may turn out to be HTTP/2 with
    /// prior knowledge (h2c): its first bytes are checked for the preface.
    h2c: bool,
    /// The connection went on as HTTP/2: it is counted there from now on.
    handed_over: bool,
}

impl Drop for Connection<'_> {
    fn drop(&mut self) {
        self.set_busy(false);
        if self.handed_over {
            return;
        }
        let mut metrics = self.shard.metrics.borrow_mut();
        metrics.connections_open = metrics.connections_open.saturating_sub(1);
    }
}

/// A request answered after the synchronous pass: its owned copy, its route, when its
/// answer started (the read that completed it).
struct Later {
    request: OwnedRequest,
    route: Route,
    started: Instant,
}

/// A request answered while its body arrives: the driver feeds `feed` from the connection's
/// reads whenever the handler waits for more.
struct Fed {
    later: Later,
    feed: Feed,
}

/// What a request's body decides, once its route is known.
enum BodyNext {
    /// Answer now; the body, if any, is read and dropped after.
    Answer,
    /// The handler needs all of it first; `true`: send `100 Continue`.
    Collect(bool),
    /// The handler reads it as it arrives; `true`: send `100 Continue`.
    Stream(bool),
}

/// What a pass over the buffered bytes ended with.
#[derive(Default)]
struct Batch {
    consumed: usize,
    /// A body to send after the output.
    tail: Option<Tail>,
    stop: Stop,
}

#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// Nothing more can be answered until bytes arrive.
    #[default]
    NeedBytes,
    /// Write the output and carry on without reading.
    Flush,
    /// Write the output and close.
    Close,
}

/// A response body that does not go through the output buffer.
enum Tail {
    /// A body of `GATHER_BODY_BYTES_MIN` bytes or more, sent from where it lies with the head
    /// in one gathered write.
    Bytes(Bytes),
    File(FileBody),
    Stream {
        stream: Box<dyn BodyStream>,
        chunked: bool,
        /// Its declared length (sent as `Content-Length`), the connection kept only if
        /// exactly that much was sent. `None` and not chunked: the close ends the body.
        length: Option<u64>,
        /// Its log line, written once the stream has ended.
        log: Option<super::PendingLog>,
    },
    /// After a 101, the connection is a tunnel to the upstream.
    Upgraded(Box<Upgraded>),
}

impl Connection<'_> {
    fn set_busy(&self, busy: bool) {
        if self.busy.replace(busy) != busy {
            let count = &self.shard.busy_connections;
            count.set(if busy {
                count.get() + 1
            } else {
                count.get().saturating_sub(1)
            });
        }
    }

    /// Serves HTTP/1.1 until the connection closes; `Some` if it goes on as something else
    /// (HTTP/2 after its preface, a tunnel after a 101), with the bytes read so far.
    async fn run<T: Transport>(&mut self, io: &mut T) -> Option<Handover> {
        let mut rbuf: Vec<u8> = Vec::with_capacity(READ_BUFFER_BYTES_INITIAL);
        // When the last read completed: the start of every request answered from it. One clock
        // read per read serves the latency metric, the header deadline and the write deadline.
        let mut now = Instant::now();
        // The last read filled the buffer: the client has more queued.
        let mut filled = false;
        loop {
            if self.shard.draining.get() {
                self.conn.set_draining();
            }
            if self.h2c && !rbuf.is_empty() {
                match preface(&rbuf) {
                    Preface::Yes => return Some(Handover::H2(rbuf)),
                    Preface::Partly => {}
                    Preface::No => self.h2c = false,
                }
            }
            // 1. Answer every complete request already buffered (none while a preface may
            // still be arriving).
            if !self.h2c {
                let mut out = self.shard.take_out();
                let batch = match self.feeding.take() {
                    // Its answer, the body read meanwhile (its bytes leave `rbuf` as fed).
                    Some(fed) => Box::pin(self.answer_fed(io, &mut rbuf, *fed, &mut out)).await,
                    None => self.answer_buffered(&mut rbuf, &mut out, now).await,
                };
                rbuf.drain(..batch.consumed);
                // 2. Write the answers, then any body that follows them.
                let had_tail = batch.tail.is_some();
                let deadline = self.conn.write_deadline(now);
                let out = match batch.tail {
                    Some(Tail::Bytes(ref body)) => {
                        match self
                            .slot
                            .run(deadline, io.write_all_gathered(out, body.clone()))
                            .await
                        {
                            Some((Ok(()), back)) => back,
                            _ => return None,
                        }
                    }
                    _ if !out.is_empty() => match self.write(io, deadline, out).await {
                        Some(back) => back,
                        None => return None,
                    },
                    _ => out,
                };
                self.shard.give_out(out);
                match batch.tail {
                    Some(Tail::File(file)) => {
                        if !Box::pin(self.stream_file(io, file)).await {
                            return None;
                        }
                        // A long download must not eat into the keep-alive time that follows it.
                        now = Instant::now();
                    }
                    Some(Tail::Stream {
                        stream,
                        chunked,
                        length: _,
                        log,
                    }) if batch.stop == Stop::Close || self.conn.is_closing() => {
                        // The stream is the rest of the connection: it watches for the
                        // client leaving while it writes.
                        let write_stall =
                            self.conn.write_deadline(now).saturating_duration_since(now);
                        return Some(Handover::UntilClose(Box::new(until_close::Streamed {
                            stream,
                            chunked,
                            log,
                            write_stall,
                        })));
                    }
                    Some(Tail::Stream {
                        stream,
                        chunked,
                        length,
                        log,
                    }) => {
                        let (open, sent) =
                            Box::pin(self.stream_body(io, stream, chunked, length)).await;
                        if let Some(log) = log {
                            log.write(self.shard, sent);
                        }
                        if !open {
                            return None;
                        }
                        now = Instant::now();
                    }
                    Some(Tail::Upgraded(upgraded)) => {
                        return Some(Handover::Upgraded(rbuf, upgraded));
                    }
                    Some(Tail::Bytes(_)) | None => {}
                }
                self.conn.written();
                if batch.stop == Stop::Close || self.conn.is_closing() {
                    let _ = self
                        .slot
                        .run(
                            Instant::now() + Duration::from_millis(SHUTDOWN_WAIT_MS),
                            io.shutdown_write(),
                        )
                        .await;
                    return None;
                }
                self.set_busy(self.conn.is_busy() || !rbuf.is_empty());
                if batch.stop == Stop::Flush || had_tail {
                    // More buffered than one batch takes: answer it before reading.
                    continue;
                }
            }
            // 3. Read more, under the deadline that applies now.
            if !self.conn.wants_read() {
                return None;
            }
            self.conn.reconfigure(self.service.current().snapshot.h1);
            if rbuf.is_empty()
                && !self.conn.is_busy()
                && !filled
                && rbuf.capacity() > READ_BUFFER_BYTES_KEPT_IDLE
            {
                rbuf = Vec::with_capacity(READ_BUFFER_BYTES_INITIAL);
            }
            let want =
                self.conn
                    .read_capacity(rbuf.len(), rbuf.capacity(), filled, BODY_READ_BYTES);
            if want > rbuf.capacity() {
                rbuf.reserve_exact(want - rbuf.len());
            }
            let (deadline, expiry) = self.conn.poll_timeout();
            match self.slot.run(deadline, io.read(rbuf)).await {
                Some((Ok(0), _)) | Some((Err(_), _)) => return None,
                Some((Ok(_), back)) => {
                    rbuf = back;
                    filled = rbuf.len() == rbuf.capacity();
                    now = Instant::now();
                    self.set_busy(true);
                }
                None => {
                    if expiry == Expiry::RequestTimeout {
                        let mut out = self.shard.take_out();
                        self.refuse(&mut out, 408, "request timeout", None, now);
                        let deadline = self.conn.write_deadline(Instant::now());
                        let _ = self.write(io, deadline, out).await;
                    }
                    return None;
                }
            }
        }
    }

    /// Answers requests from `rbuf` until it runs out of complete requests, hits the pipeline
    /// depth or the output limit, a body must follow the output, or the connection must close.
    async fn answer_buffered(&mut self, rbuf: &mut [u8], out: &mut Vec<u8>, now: Instant) -> Batch {
        let mut batch = Batch::default();
        while let Some(later) = self.answer_sync(rbuf, out, now, &mut batch) {
            Box::pin(self.answer_later(*later, out, &mut batch)).await;
            if batch.tail.is_some() || batch.stop == Stop::Close {
                break;
            }
        }
        batch
    }

    /// The synchronous part of [`Connection::answer_buffered`]: `Some` is a request that
    /// needs [`Connection::answer_later`].
    fn answer_sync(
        &mut self,
        rbuf: &mut [u8],
        out: &mut Vec<u8>,
        now: Instant,
        batch: &mut Batch,
    ) -> Option<Box<Later>> {
        loop {
            let mut store = HeaderStore::new();
            let step = self
                .conn
                .poll(&mut rbuf[batch.consumed..], &mut store, out.len(), now);
            match step {
                Step::Request {
                    head,
                    raw,
                    consumed,
                } => {
                    batch.consumed += consumed;
                    let request = Request::from_h1(&head, raw, self.peer);
                    let route = self.service.route(&request, self.secure);
                    if head.body != BodyKind::None {
                        let expect = head.expect_continue;
                        let decided = match route.body_use() {
                            BodyUse::Collect(max) => self
                                .conn
                                .collect_body(head.body, max, expect, now)
                                .map(BodyNext::Collect),
                            BodyUse::Stream(max) => self
                                .conn
                                .stream_body(head.body, max, expect, now)
                                .map(BodyNext::Stream),
                            BodyUse::Ignore(max) => self
                                .conn
                                .skip_body(head.body, max, expect, now)
                                .map(|()| BodyNext::Answer),
                        };
                        match decided {
                            Ok(BodyNext::Answer) => {}
                            // Collecting: the next polls decode the body.
                            Ok(BodyNext::Collect(send_continue)) => {
                                if send_continue {
                                    out.extend_from_slice(h1::CONTINUE_100);
                                }
                                self.pending = Some(Box::new(Later {
                                    request: request.owned(),
                                    route,
                                    started: now,
                                }));
                                continue;
                            }
                            // Streaming: answered by `answer_fed`, which reads the body.
                            Ok(BodyNext::Stream(send_continue)) => {
                                if send_continue {
                                    out.extend_from_slice(h1::CONTINUE_100);
                                }
                                let length = match head.body {
                                    BodyKind::Length(n) => Some(n),
                                    _ => None,
                                };
                                let feed = Feed::new(length);
                                let mut request = request.owned();
                                request.set_incoming(feed.body());
                                self.feeding = Some(Box::new(Fed {
                                    later: Later {
                                        request,
                                        route,
                                        started: now,
                                    },
                                    feed,
                                }));
                                // Written first: the client may wait for the 100, and earlier
                                // answers must not wait behind this one's body.
                                batch.stop = Stop::Flush;
                                return None;
                            }
                            Err(error) => {
                                self.refuse(
                                    out,
                                    error.status(),
                                    error.reason(),
                                    Some(&request),
                                    now,
                                );
                                batch.stop = Stop::Close;
                                return None;
                            }
                        }
                    }
                    let outcome = catch_sync(|| self.service.answer_now(&request, &route, now));
                    let response = match outcome {
                        Ok(Outcome::Ready(response)) => response,
                        Ok(Outcome::Later) => {
                            return Some(Box::new(Later {
                                request: request.owned(),
                                route,
                                started: now,
                            }));
                        }
                        Err(message) => self.panicked(&request, &message),
                    };
                    if let Some(tail) = self.respond(out, &request, response, now) {
                        batch.tail = Some(tail);
                        return None;
                    }
                    if self.conn.is_closing() {
                        batch.stop = Stop::Close;
                        return None;
                    }
                }
                Step::Body { consumed, body } => {
                    batch.consumed += consumed;
                    let Some(mut later) = self.pending.take() else {
                        debug_assert!(false, "a body arrived for no request");
                        batch.stop = Stop::Close;
                        return None;
                    };
                    later.request.set_body(body);
                    return Some(later);
                }
                Step::NeedBytes { consumed } => {
                    batch.consumed += consumed;
                    batch.stop = Stop::NeedBytes;
                    return None;
                }
                Step::BodyPiece { .. } => {
                    debug_assert!(false, "a streamed body's piece outside answer_fed");
                    batch.stop = Stop::Close;
                    return None;
                }
                Step::Flush { consumed } => {
                    batch.consumed += consumed;
                    batch.stop = Stop::Flush;
                    return None;
                }
                Step::Again { consumed } => batch.consumed += consumed,
                Step::Refuse {
                    consumed,
                    status,
                    reason,
                } => {
                    batch.consumed += consumed;
                    let request = self.pending.take();
                    let view = request.as_ref().map(|later| later.request.view());
                    self.refuse(out, status, reason, view.as_ref(), now);
                    batch.stop = Stop::Close;
                    return None;
                }
                Step::Close { consumed } => {
                    batch.consumed += consumed;
                    batch.stop = Stop::Close;
                    return None;
                }
            }
        }
    }

    /// Answers a request that waits: the disk, an engine, another shard, or its body.
    async fn answer_later(&mut self, later: Later, out: &mut Vec<u8>, batch: &mut Batch) {
        let Later {
            request,
            route,
            started,
        } = later;
        let view = request.view();
        let answer = catch_unwind(self.service.answer(&view, &route, started)).await;
        self.conclude(out, &view, answer, started, batch);
    }

    /// Writes a waited-for answer (a contained panic's 500 if the handler panicked) and
    /// notes in `batch` what follows it: a tail, or the connection's close.
    fn conclude(
        &mut self,
        out: &mut Vec<u8>,
        view: &Request<'_>,
        answer: Result<Response, String>,
        started: Instant,
        batch: &mut Batch,
    ) {
        let response = match answer {
            Ok(response) => response,
            Err(message) => self.panicked(view, &message),
        };
        if let Some(tail) = self.respond(out, view, response, started) {
            batch.tail = Some(tail);
        } else if self.conn.is_closing() {
            batch.stop = Stop::Close;
        }
    }

    /// Answers a request whose handler reads its body as it arrives: the handler runs, and
    /// whenever it waits for more of the body, the connection reads (under the body's idle
    /// deadline) and passes on what it decodes. Nothing is read ahead of the handler, so a
    /// fast client uploading to a slow upstream is held back by TCP, not buffered here. A
    /// body that fails reaches the handler as a fault (it answers the fault's status; the
    /// connection then closes); a client gone mid-body ends the connection and drops the
    /// handler. What is left of a body the handler did not read is dropped after the answer.
    async fn answer_fed<T: Transport>(
        &mut self,
        io: &mut T,
        rbuf: &mut Vec<u8>,
        fed: Fed,
        out: &mut Vec<u8>,
    ) -> Batch {
        let Fed { later, feed } = fed;
        let Later {
            request,
            route,
            started,
        } = later;
        let view = request.view();
        let service = self.service;
        let mut batch = Batch::default();
        let mut failed = false;
        let mut handler = std::pin::pin!(catch_unwind(service.answer(&view, &route, started)));
        let answer = loop {
            if !feed.ended() {
                failed |= self.feed_buffered(rbuf, &feed);
            }
            let polled = std::future::poll_fn(|cx| match handler.as_mut().poll(cx) {
                Poll::Ready(answer) => Poll::Ready(Some(answer)),
                Poll::Pending if feed.starved() => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            })
            .await;
            if let Some(answer) = polled {
                break answer;
            }
            let (deadline, _) = self.conn.poll_timeout();
            // The handler may answer before it gets more of the body (a proxied server that
            // refuses an upload at once): it runs on while the client is awaited, and the
            // wait is for the client's bytes to be there, not a read, so an answer that
            // comes first leaves no read half-done.
            let raced = {
                let mut ready = std::pin::pin!(self.slot.run(deadline, io.readable()));
                std::future::poll_fn(|cx| {
                    if let Poll::Ready(answer) = handler.as_mut().poll(cx) {
                        return Poll::Ready(Err(answer));
                    }
                    ready.as_mut().poll(cx).map(Ok)
                })
                .await
            };
            match raced {
                Err(answer) => break answer,
                Ok(Some(_)) => {}
                Ok(None) => {
                    failed = true;
                    feed.end(Err(BodyFault {
                        status: 408,
                        reason: "body timeout",
                    }));
                    continue;
                }
            }
            let want = self
                .conn
                .read_capacity(rbuf.len(), rbuf.capacity(), false, BODY_READ_BYTES);
            if want > rbuf.capacity() {
                rbuf.reserve_exact(want - rbuf.len());
            }
            match self.slot.run(deadline, io.read(std::mem::take(rbuf))).await {
                Some((Ok(n), back)) if n > 0 => *rbuf = back,
                // The client is gone: so is its answer.
                Some(_) => {
                    batch.stop = Stop::Close;
                    return batch;
                }
                None => {
                    failed = true;
                    feed.end(Err(BodyFault {
                        status: 408,
                        reason: "body timeout",
                    }));
                }
            }
        };
        if failed {
            self.conn.abandon_body(false, Instant::now());
        } else if !feed.ended() {
            self.conn.abandon_body(true, Instant::now());
        }
        self.conclude(out, &view, answer, started, &mut batch);
        batch
    }

    /// Passes on the body bytes buffered in `rbuf` (removing them); true if the body failed.
    fn feed_buffered(&mut self, rbuf: &mut Vec<u8>, feed: &Feed) -> bool {
        let now = Instant::now();
        let mut consumed = 0;
        let mut failed = false;
        loop {
            let mut store = HeaderStore::new();
            match self.conn.poll(&mut rbuf[consumed..], &mut store, 0, now) {
                Step::BodyPiece {
                    consumed: n,
                    data,
                    done,
                } => {
                    feed.push(data);
                    consumed += n;
                    if done {
                        feed.end(Ok(()));
                        break;
                    }
                }
                Step::NeedBytes { consumed: n } => {
                    consumed += n;
                    break;
                }
                Step::Refuse {
                    consumed: n,
                    status,
                    reason,
                } => {
                    consumed += n;
                    failed = true;
                    feed.end(Err(BodyFault { status, reason }));
                    break;
                }
                _ => {
                    debug_assert!(false, "only a body's steps while it streams");
                    failed = true;
                    feed.end(Err(BodyFault {
                        status: 400,
                        reason: "body refused",
                    }));
                    break;
                }
            }
        }
        rbuf.drain(..consumed);
        failed
    }

    /// A contained panic: counted, logged, answered 500, and the connection closes (whatever
    /// the handler was doing with the request's bytes is unknown).
    fn panicked(&self, request: &Request<'_>, message: &str) -> Response {
        let mut response = super::panicked(self.shard, request, message);
        response.close = true;
        response
    }

    /// Writes a response's head (and a small body) into `out`; a body that must follow the
    /// output comes back as a [`Tail`]. Counts and logs the request.
    fn respond(
        &mut self,
        out: &mut Vec<u8>,
        request: &Request<'_>,
        response: Response,
        started: Instant,
    ) -> Option<Tail> {
        let before = out.len();
        let size = match response.body.len() {
            Some(n) => BodySize::Known(n),
            None => BodySize::Unknown,
        };
        let plan = {
            let date = self.shard.date.borrow();
            let head = ResponseHead {
                status: response.status,
                date_line: date.line(),
                shared: response.shared.as_deref().map_or(&[][..], |b| b.h1()),
                fields: &response.fields,
                body: size,
                close: response.close,
                alt_svc: self.shard.alt_svc.as_deref().filter(|_| self.secure),
            };
            self.conn.write_head(out, &head)
        };
        let (tail, body_bytes) = match (plan, response.body) {
            (BodyPlan::None, Body::Upgraded(upgraded)) if response.status == 101 => {
                (Some(Tail::Upgraded(upgraded)), 0)
            }
            (BodyPlan::None, _) => (None, 0),
            (BodyPlan::Length(n), Body::Bytes(body)) if body.len() < GATHER_BODY_BYTES_MIN => {
                out.extend_from_slice(&body);
                (None, n)
            }
            (BodyPlan::Length(n), Body::Bytes(body)) => (Some(Tail::Bytes(body)), n),
            (BodyPlan::Length(n), Body::File(file)) => (Some(Tail::File(file)), n),
            (BodyPlan::Length(n), Body::Stream(stream)) => (
                Some(Tail::Stream {
                    stream,
                    chunked: false,
                    length: Some(n),
                    log: Some(super::PendingLog::new(
                        self.peer,
                        request,
                        response.status,
                        started,
                    )),
                }),
                0,
            ),
            (BodyPlan::Chunked, Body::Stream(stream)) => (
                Some(Tail::Stream {
                    stream,
                    chunked: true,
                    length: None,
                    log: Some(super::PendingLog::new(
                        self.peer,
                        request,
                        response.status,
                        started,
                    )),
                }),
                0,
            ),
            (BodyPlan::UntilClose, Body::Stream(stream)) => (
                Some(Tail::Stream {
                    stream,
                    chunked: false,
                    length: None,
                    log: Some(super::PendingLog::new(
                        self.peer,
                        request,
                        response.status,
                        started,
                    )),
                }),
                0,
            ),
            (plan, body) => {
                debug_assert!(false, "{plan:?} does not fit {body:?}");
                (None, 0)
            }
        };
        let head_bytes = (out.len() - before) as u64;
        let sent = head_bytes
            + match &tail {
                Some(Tail::Bytes(_) | Tail::File(_)) => body_bytes,
                _ => 0,
            };
        self.shard.record(response.status, sent, started);
        // A streamed body is logged when it ends (`Tail::Stream`'s log).
        if !matches!(tail, Some(Tail::Stream { .. })) {
            self.log(Some(request), response.status, body_bytes, started, None);
        }
        tail
    }

    /// Answers a refused request (a head or body refused, a 408) and counts it; the
    /// connection closes after.
    fn refuse(
        &mut self,
        out: &mut Vec<u8>,
        status: u16,
        reason: &'static str,
        request: Option<&Request<'_>>,
        started: Instant,
    ) {
        let before = out.len();
        let body_bytes = self
            .conn
            .write_refusal(out, status, &self.shard.date.borrow());
        self.shard
            .record(status, (out.len() - before) as u64, started);
        self.shard.metrics.borrow_mut().requests_refused += 1;
        self.log(request, status, body_bytes, started, Some(reason));
    }

    fn log(
        &self,
        request: Option<&Request<'_>>,
        status: u16,
        body_bytes: u64,
        started: Instant,
        refused: Option<&str>,
    ) {
        super::log(
            self.shard, self.peer, request, status, body_bytes, started, refused,
        );
    }

    /// Writes `out` under `deadline`; the buffer back (cleared), or `None` if the connection
    /// is done for.
    async fn write<T: Transport>(
        &self,
        io: &mut T,
        deadline: Instant,
        out: Vec<u8>,
    ) -> Option<Vec<u8>> {
        match self.slot.run(deadline, io.write_all(out)).await {
            Some((Ok(()), mut back)) => {
                back.clear();
                Some(back)
            }
            _ => None,
        }
    }

    /// Streams a file range in chunks; false if the connection must close.
    async fn stream_file<T: Transport>(&self, io: &mut T, job: FileBody) -> bool {
        let mut buf = Vec::with_capacity(FILE_STREAM_CHUNK_BYTES.min(job.len as usize));
        let mut offset = job.offset;
        let end = job.offset + job.len;
        while offset < end {
            let want = usize::try_from(end - offset)
                .unwrap_or(usize::MAX)
                .min(FILE_STREAM_CHUNK_BYTES);
            buf.clear();
            let (result, mut chunk) = job.file.read_at(buf, offset).await;
            let n = match result {
                // The file shrank or failed: the promised length cannot be kept, so close.
                Ok(0) | Err(_) => return false,
                Ok(n) => n.min(want),
            };
            chunk.truncate(n);
            offset += n as u64;
            let deadline = self.conn.write_deadline(Instant::now());
            match self.write(io, deadline, chunk).await {
                Some(back) => buf = back,
                None => return false,
            }
        }
        true
    }

    /// Streams a body as it is produced: chunked, raw with its declared length, or raw until
    /// the connection closes. Says whether the connection stays open, and how many body
    /// bytes were sent (framing aside).
    async fn stream_body<T: Transport>(
        &self,
        io: &mut T,
        stream: Box<dyn BodyStream>,
        chunked: bool,
        length: Option<u64>,
    ) -> (bool, u64) {
        let sent = Cell::new(0u64);
        let whole = until_close::pump(stream, chunked, &sent, async |buf| {
            let deadline = self.conn.write_deadline(Instant::now());
            self.write(io, deadline, buf).await
        })
        .await;
        // Kept open only after a last chunk, or all of a declared length: a raw body without
        // one ends with the connection, and one short of (or past) its length must not be
        // followed by another answer.
        let ended = chunked || length.is_some_and(|n| n == sent.get());
        (whole && ended, sent.get())
    }
}
