//! One QUIC connection: quiche's connection, its HTTP/3 layer once the handshake is done,
//! and its request streams. Everything here is synchronous: the endpoint calls [`Conn::drive`]
//! after datagrams arrived or an answer moved, and [`Conn::push`] to hand answers to quiche.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Instant;

use bext_core::limits::QUIC_HANDSHAKE_DEADLINE_MS;

use super::Endpoint;
use super::bufs::{Buf, QuicConnection};
use super::stream::{self, Stream};

/// HTTP/3's error code for an internal error.
const H3_INTERNAL_ERROR: u64 = 0x102;
/// HTTP/3's error code for a request the server will not process (RFC 9114 §8.1).
const H3_REQUEST_REJECTED: u64 = 0x10b;
/// HTTP/3's error code for a malformed request.
const H3_MESSAGE_ERROR: u64 = 0x10e;
/// HTTP/3's code for "no error" (closing a finished stream's reading side, a drained
/// connection).
pub(super) const H3_NO_ERROR: u64 = 0x100;
/// Bytes read from a request body per call.
// tidy: not a limit: a read size.
const BODY_READ_BYTES: usize = 16 * 1024;

pub(super) struct Conn {
    pub quic: QuicConnection,
    pub h3: Option<quiche::h3::Connection>,
    pub peer: SocketAddr,
    pub created: Instant,
    /// When the endpoint's timer list has this connection (quiche's next timeout).
    pub timer: Option<Instant>,
    pub streams: HashMap<u64, Stream>,
    /// The first stream id a GOAWAY refused (draining); `None` until one is sent.
    pub goaway: Option<u64>,
    /// Highest request stream id seen, plus 4: what a GOAWAY names.
    pub next_stream: u64,
    /// The connection IDs the endpoint's table knows this connection by, to take out when
    /// it closes.
    pub cids: Vec<Vec<u8>>,
    /// Streams whose answer quiche has whole but the client has not acknowledged yet: a
    /// drained connection is closed only once they are done (closing drops quiche's
    /// buffers).
    pub unacked: Vec<u64>,
    /// Streams an extended CONNECT opened (some may have ended since): their bytes are
    /// pulled from quiche as their loops make room (`upgraded.rs`).
    upgrading: Vec<u64>,
}

impl Conn {
    pub fn new(quic: QuicConnection, peer: SocketAddr, now: Instant) -> Conn {
        Conn {
            quic,
            h3: None,
            peer,
            created: now,
            timer: None,
            streams: HashMap::new(),
            goaway: None,
            next_stream: 0,
            cids: Vec::new(),
            unacked: Vec::new(),
            upgrading: Vec::new(),
        }
    }

    /// Past the handshake deadline without a finished handshake.
    pub fn handshake_overdue(&self, now: Instant) -> bool {
        !self.quic.is_established()
            && now.duration_since(self.created).as_millis() > u128::from(QUIC_HANDSHAKE_DEADLINE_MS)
    }

    /// Reads what quiche has for this connection: sets up HTTP/3 once the handshake is done,
    /// then takes every HTTP/3 event (requests, their bodies, resets).
    pub fn drive(&mut self, endpoint: &Rc<Endpoint>, key: u64, draining: bool) {
        if self.h3.is_none() && (self.quic.is_established() || self.quic.is_in_early_data()) {
            match quiche::h3::Connection::with_transport(&mut self.quic, &endpoint.h3_config) {
                Ok(h3) => self.h3 = Some(h3),
                Err(_) => {
                    let _ = self.quic.close(true, H3_INTERNAL_ERROR, b"");
                    return;
                }
            }
        }
        if draining && self.goaway.is_none() {
            self.send_goaway();
        }
        self.pull_upgrading();
        loop {
            let Some(h3) = self.h3.as_mut() else {
                return;
            };
            let event = match h3.poll(&mut self.quic) {
                Ok(event) => event,
                // Done: nothing more now. Anything else closed the connection (quiche has
                // queued the CONNECTION_CLOSE with the error).
                Err(_) => break,
            };
            let now = Instant::now();
            match event {
                (id, quiche::h3::Event::Headers { list, more_frames }) => {
                    self.next_stream = self.next_stream.max(id + 4);
                    if self.goaway.is_some_and(|first| id >= first) {
                        let _ = self.quic.stream_shutdown(
                            id,
                            quiche::Shutdown::Read,
                            H3_REQUEST_REJECTED,
                        );
                        let _ = self.quic.stream_shutdown(
                            id,
                            quiche::Shutdown::Write,
                            H3_REQUEST_REJECTED,
                        );
                        continue;
                    }
                    let stream = match stream::owned_request(&list, self.peer) {
                        Some(owned) => {
                            stream::begin(endpoint, key, self.peer, owned, more_frames, now)
                        }
                        None => {
                            let _ = self.quic.stream_shutdown(
                                id,
                                quiche::Shutdown::Read,
                                H3_MESSAGE_ERROR,
                            );
                            stream::refuse(endpoint, self.peer, None, 400, "malformed request", now)
                        }
                    };
                    if let Stream::Upgrading(..) = stream {
                        self.upgrading.push(id);
                    }
                    self.streams.insert(id, stream);
                }
                (id, quiche::h3::Event::Data) => self.read_body(endpoint, id),
                (id, quiche::h3::Event::Finished) => match self.streams.get(&id) {
                    Some(Stream::Receiving { .. }) => self.body_complete(endpoint, key, id),
                    Some(Stream::Upgrading(_, inbound)) => {
                        let waiting = inbound.borrow_mut().ended(false);
                        if let Some(waker) = waiting {
                            waker.wake();
                        }
                    }
                    _ => {}
                },
                (id, quiche::h3::Event::Reset(_)) => self.stream_gone(endpoint, id),
                (_, quiche::h3::Event::PriorityUpdate | quiche::h3::Event::GoAway) => {}
            }
        }
    }

    /// Takes the bytes of each extended CONNECT's stream whose loop has room for them.
    fn pull_upgrading(&mut self) {
        if self.upgrading.is_empty() {
            return;
        }
        let ids = std::mem::take(&mut self.upgrading);
        for id in ids {
            if let Some(Stream::Upgrading(..)) = self.streams.get(&id) {
                self.pull(id);
                self.upgrading.push(id);
            }
        }
    }

    /// Takes an extended CONNECT's stream's bytes into its queue, as far as it has room.
    fn pull(&mut self, id: u64) {
        let (Some(h3), Some(Stream::Upgrading(_, inbound))) =
            (self.h3.as_mut(), self.streams.get(&id))
        else {
            return;
        };
        let mut chunk = [0u8; BODY_READ_BYTES];
        let mut waiting = None;
        loop {
            let mut inbound = inbound.borrow_mut();
            if !inbound.wants() {
                break;
            }
            match h3.recv_body(&mut self.quic, id, &mut chunk) {
                Ok(n) => waiting = inbound.received(&chunk[..n]).or(waiting),
                Err(_) => break,
            }
        }
        if let Some(waker) = waiting {
            waker.wake();
        }
    }

    /// Takes a request body's bytes: kept up to the route's limit (413 past it), or dropped.
    fn read_body(&mut self, endpoint: &Rc<Endpoint>, id: u64) {
        if let Some(Stream::Upgrading(..)) = self.streams.get(&id) {
            self.pull(id);
            return;
        }
        let Some(h3) = self.h3.as_mut() else {
            return;
        };
        let mut chunk = [0u8; BODY_READ_BYTES];
        let mut too_large = false;
        if let Some(Stream::Receiving { keep, body, .. }) = self.streams.get_mut(&id) {
            while let Ok(n) = h3.recv_body(&mut self.quic, id, &mut chunk) {
                if let Some(max) = *keep {
                    if (body.len() + n) as u64 > max {
                        too_large = true;
                        break;
                    }
                    body.extend_from_slice(&chunk[..n]);
                }
            }
        } else {
            // A body after the answer began (or on a refused stream): read and dropped.
            while h3.recv_body(&mut self.quic, id, &mut chunk).is_ok() {}
            return;
        }
        if too_large {
            let _ = self
                .quic
                .stream_shutdown(id, quiche::Shutdown::Read, H3_REQUEST_REJECTED);
            if let Some(Stream::Receiving { owned, started, .. }) = self.streams.remove(&id) {
                let view = owned.view();
                let refused = stream::refuse(
                    endpoint,
                    self.peer,
                    Some(&view),
                    413,
                    "body too large",
                    started,
                );
                self.streams.insert(id, refused);
            }
        }
    }

    /// The request body is complete: answer it.
    fn body_complete(&mut self, endpoint: &Rc<Endpoint>, key: u64, id: u64) {
        if let Some(Stream::Receiving {
            mut owned,
            route,
            keep,
            body,
            started,
        }) = self.streams.remove(&id)
        {
            if keep.is_some() {
                owned.set_body(body);
            }
            let answered = stream::answer(endpoint, key, self.peer, *owned, route, started, None);
            self.streams.insert(id, answered);
        }
    }

    /// The client reset a stream (or it can no longer be written): its answer is dropped.
    fn stream_gone(&mut self, endpoint: &Endpoint, id: u64) {
        if let Some(stream) = self.streams.remove(&id) {
            finish(endpoint, stream);
        }
    }

    /// Hands the streams' answers to quiche as far as flow control allows.
    pub fn push(&mut self, endpoint: &Endpoint) {
        let Some(h3) = self.h3.as_mut() else {
            return;
        };
        let mut ended = Vec::new();
        // Streams whose answer quiche now has to its end.
        let mut finished = Vec::new();
        let mut wake = Vec::new();
        for (&id, stream) in &self.streams {
            let (out, inbound) = match stream {
                Stream::Answering(out) => (out, None),
                Stream::Upgrading(out, inbound) => (out, Some(inbound)),
                Stream::Receiving { .. } => continue,
            };
            let mut o = out.borrow_mut();
            if o.fin_sent {
                // An extended CONNECT's stream, done once its loop lets go of it.
                if inbound.is_none_or(|inbound| inbound.borrow().is_released()) {
                    ended.push(id);
                }
                continue;
            }
            if o.failed {
                // The promised body cannot be kept (a file that shrank): the client must not
                // take what it got for the whole.
                let _ = self
                    .quic
                    .stream_shutdown(id, quiche::Shutdown::Write, H3_INTERNAL_ERROR);
                ended.push(id);
                continue;
            }
            if !o.head_sent {
                let Some(head) = o.head.as_ref() else {
                    continue;
                };
                let fin = o.done && o.chunks.is_empty() && o.trailers.is_none();
                match h3.send_response(&mut self.quic, id, &head.fields(), fin) {
                    Ok(()) => {
                        o.head_sent = true;
                        o.head = None;
                        if fin {
                            o.fin_sent = true;
                            finished.push((id, inbound));
                            continue;
                        }
                    }
                    Err(quiche::h3::Error::StreamBlocked | quiche::h3::Error::Done) => continue,
                    Err(_) => {
                        ended.push(id);
                        continue;
                    }
                }
            }
            loop {
                let Some(front) = o.chunks.front() else {
                    if o.done {
                        // The stream ends with its trailers' HEADERS, or an empty DATA.
                        let sent = match o.trailers.as_ref() {
                            Some(trailers) => {
                                let fields = trailer_fields(trailers);
                                h3.send_additional_headers(&mut self.quic, id, &fields, true, true)
                            }
                            None => h3.send_body(&mut self.quic, id, &[], true).map(|_| ()),
                        };
                        match sent {
                            Ok(()) => {
                                o.trailers = None;
                                o.fin_sent = true;
                                finished.push((id, inbound));
                            }
                            Err(quiche::h3::Error::Done | quiche::h3::Error::StreamBlocked) => {}
                            Err(_) => ended.push(id),
                        }
                    }
                    break;
                };
                let last = o.done && o.chunks.len() == 1 && o.trailers.is_none();
                let len = front.len();
                // quiche keeps a reference to the chunk rather than a copy (`bufs.rs`).
                let mut body = Buf(front.clone());
                match h3.send_body_zc(&mut self.quic, id, &mut body, last) {
                    Ok(n) => {
                        let whole = n == len;
                        wake.extend(o.taken(n));
                        if whole && last {
                            o.fin_sent = true;
                            finished.push((id, inbound));
                            break;
                        }
                        if !whole {
                            break;
                        }
                    }
                    Err(quiche::h3::Error::Done) => break,
                    Err(_) => {
                        ended.push(id);
                        break;
                    }
                }
            }
        }
        // An answer that is out ends its stream, but an extended CONNECT's stream stays
        // while its loop reads.
        for (id, inbound) in finished {
            if inbound.is_none_or(|inbound| inbound.borrow().is_released()) {
                ended.push(id);
            }
        }
        // Reading tasks that wait for room, woken with nothing borrowed.
        for waker in wake {
            waker.wake();
        }
        for id in ended {
            if let Some(stream) = self.streams.remove(&id) {
                finish(endpoint, stream);
            }
            self.unacked.push(id);
            // The request's reading side, if the client still sends: not wanted any more.
            let _ = self
                .quic
                .stream_shutdown(id, quiche::Shutdown::Read, H3_NO_ERROR);
        }
    }

    /// Every request is answered and every answer acknowledged: a draining endpoint may
    /// close the connection.
    pub fn settled(&mut self) -> bool {
        let quic = &mut self.quic;
        // quiche forgets a stream (collects it) once its answer is acknowledged whole and
        // its request read: that is when asking about it fails.
        self.unacked.retain(|&id| {
            !matches!(
                quic.stream_capacity(id),
                Err(quiche::Error::InvalidStreamState(_))
            )
        });
        self.streams.is_empty() && self.unacked.is_empty()
    }

    /// Sends HTTP/3's GOAWAY: requests on streams from `next_stream` on are refused, those
    /// before it are answered.
    pub fn send_goaway(&mut self) {
        let first = self.next_stream;
        if let Some(h3) = self.h3.as_mut()
            && h3.send_goaway(&mut self.quic, first).is_ok()
        {
            self.goaway = Some(first);
        }
    }

    /// The connection ended: every stream's answer is dropped, and counted.
    pub fn close_streams(&mut self, endpoint: &Endpoint) {
        for (_, stream) in self.streams.drain() {
            finish(endpoint, stream);
        }
    }
}

/// Trailers as quiche sends them: less the fields HTTP/3 forbids (RFC 9114 §4.2), as the
/// head is.
fn trailer_fields(trailers: &bext_net::fields::Fields) -> Vec<quiche::h3::HeaderRef<'_>> {
    trailers
        .iter()
        .filter(|f| !crate::driver::is_connection_field(f.name()))
        .map(|f| quiche::h3::HeaderRef::new(f.name(), f.value()))
        .collect()
}

/// A stream's end, however it ended: its log line, its count, its reading task stopped.
fn finish(endpoint: &Endpoint, stream: Stream) {
    let shard = &endpoint.service.shard;
    let out = match stream {
        Stream::Answering(out) => out,
        Stream::Upgrading(out, inbound) => {
            // Its loop, if it still reads, sees the stream gone.
            let waiting = inbound.borrow_mut().ended(true);
            if let Some(waker) = waiting {
                waker.wake();
            }
            out
        }
        Stream::Receiving { .. } => return,
    };
    let mut o = out.borrow_mut();
    let waiting = o.abandon();
    let (status, sent, log) = (o.status, o.sent, o.log.take());
    drop(o);
    if let Some(waker) = waiting {
        waker.wake();
    }
    if let Some(log) = log {
        shard.record(status, sent, log.started());
        log.write(shard, sent);
    }
}
