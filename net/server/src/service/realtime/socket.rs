//! `GET /__bext/realtime/ws?topics=a,b` with `Upgrade: websocket`, or over HTTP/2 or HTTP/3
//! an extended CONNECT to the same path with `:protocol websocket` (RFC 8441, RFC 9220): a
//! subscriber over WebSocket (RFC 6455, `bext_net::ws`'s session). The HTTP/1.1
//! connection's bytes after the `101`, or the stream's DATA after the `200`, are the
//! WebSocket's.
//!
//! Each event is one text message, JSON `{"data", "event"?, "id", "topic"}` (`id` as an SSE
//! event id: `?last_event_id=` resumes from it). The driver (`driver/websocket.rs`) reads
//! the client's bytes into [`Socket::feed`] (pings are answered, a close is echoed, a
//! protocol error closes with its code; text the client sends is read and dropped) and
//! writes what [`Socket::output`] gives: events as they come, pongs, a ping after
//! `REALTIME_SSE_KEEPALIVE_MS` of silence, the close. A subscriber that falls behind (its
//! hub queue full, or `WS_OUTPUT_BYTES_MAX` unwritten) is closed with 1013 ("try again
//! later") and its reason. permessage-deflate is negotiated only with `[realtime]
//! websocket_deflate = true` (a compressor holds a few hundred KiB per subscriber).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::Duration;

use bext_core::limits::REALTIME_SSE_KEEPALIVE_MS;
use bext_core::realtime::Cursor;
use bext_core::realtime::hub::SubId;
use bext_core::realtime::wire::ws_event_json;
use bext_net::Version;
use bext_net::ws::{self, Event, SendError, Session};
use bext_shards::rt;

use super::super::route::Route;
use super::super::{Body, Request, Response, Service, Upgraded};

/// Close code 1013, "try again later": the subscriber did not keep up.
const CLOSE_TRY_AGAIN_LATER: u16 = 1013;
/// Close code 1001, "going away": the shard stops.
const CLOSE_GOING_AWAY: u16 = 1001;

/// Answers a WebSocket subscribe request: 101 (200 to an extended CONNECT) and the socket,
/// or why not.
pub(crate) fn upgrade(service: &Rc<Service>, route: &Route, request: &Request<'_>) -> Response {
    let deflate = route
        .state
        .snapshot
        .config
        .realtime
        .as_ref()
        .is_some_and(|c| c.websocket_deflate);
    let mut fields: Vec<(&[u8], &[u8])> = Vec::new();
    request.fields.for_each(|n, v| fields.push((n, v)));
    let judged = match (request.version, request.protocol) {
        (Version::Http11, _) => ws::accept(request.method_bytes, fields, deflate),
        // The driver passes on a `:protocol` only with CONNECT (RFC 8441 §4).
        (_, Some(protocol)) if protocol.eq_ignore_ascii_case(b"websocket") => {
            ws::accept_connect(fields, deflate)
        }
        _ => {
            return super::sse::refuse(
                400,
                "a WebSocket needs an HTTP/1.1 upgrade or an HTTP/2 extended CONNECT \
                 with :protocol websocket (RFC 8441)",
            );
        }
    };
    let accept = match judged {
        Ok(accept) => accept,
        Err(error) => {
            let mut response = super::sse::refuse(error.status(), "not a WebSocket handshake");
            response.fields.extend(error.fields());
            return response;
        }
    };
    let id = match super::admit(service, route, request) {
        Ok(id) => id,
        Err(refusal) => return *refusal,
    };
    let socket = Socket {
        service: service.clone(),
        id,
        session: RefCell::new(Session::new(ws::Config::default(), accept.deflate)),
        writer: RefCell::new(None),
        gone: Cell::new(false),
    };
    let mut response = Response::new(accept.status());
    response.fields.extend(accept.fields());
    response.with_body(Body::Upgraded(Box::new(Upgraded::Realtime(Box::new(
        socket,
    )))))
}

/// One WebSocket subscriber. See the module docs.
pub(crate) struct Socket {
    service: Rc<Service>,
    id: SubId,
    session: RefCell<Session>,
    /// The writing side's task, waiting for something to write.
    writer: RefCell<Option<Waker>>,
    /// The client's side has ended (its stream closed, or a close was exchanged).
    gone: Cell<bool>,
}

impl Socket {
    /// The client's bytes. Returns false once nothing more is to be read (a close was
    /// exchanged, or the session failed).
    pub fn feed(&self, bytes: &[u8]) -> bool {
        let open = {
            let mut session = self.session.borrow_mut();
            session.feed(bytes);
            let mut open = true;
            while let Some(event) = session.poll_event() {
                match event {
                    // A subscriber has nothing to say yet: its messages are dropped.
                    Event::Text(_) | Event::Binary(_) => {}
                    Event::Close { .. } | Event::Failed { .. } => open = false,
                }
            }
            open && !session.is_closed()
        };
        self.wake_writer();
        open
    }

    /// Both sides have closed (or the session failed): nothing more to wait for.
    pub fn is_closed(&self) -> bool {
        self.session.borrow().is_closed()
    }

    /// The client's stream ended.
    pub fn client_gone(&self) {
        self.gone.set(true);
        self.wake_writer();
    }

    /// The shard stops: close with 1001.
    pub fn going_away(&self) {
        self.session
            .borrow_mut()
            .close(CLOSE_GOING_AWAY, "the server is stopping");
        self.wake_writer();
    }

    fn wake_writer(&self) {
        if let Some(waker) = self.writer.borrow_mut().take() {
            waker.wake();
        }
    }

    /// The next bytes to write, when there are some; `None` once nothing more will be.
    pub async fn output(&self) -> Option<Vec<u8>> {
        let keepalive = Duration::from_millis(REALTIME_SSE_KEEPALIVE_MS);
        loop {
            let ready = std::future::poll_fn(|cx| match self.gather() {
                Some(ready) => Poll::Ready(ready),
                None => {
                    *self.writer.borrow_mut() = Some(cx.waker().clone());
                    self.service
                        .realtime
                        .wakers
                        .borrow_mut()
                        .insert(self.id, cx.waker().clone());
                    Poll::Pending
                }
            });
            match rt::timeout(keepalive, ready).await {
                Ok(ready) => return ready,
                // Silence: a ping, so a dead peer is found by the write.
                Err(_) => {
                    let _ = self.session.borrow_mut().send_ping(b"");
                }
            }
        }
    }

    /// Events waiting become messages; `Some` with what to write, or `Some(None)` once the
    /// session is over, `None` to wait.
    fn gather(&self) -> Option<Option<Vec<u8>>> {
        let mut session = self.session.borrow_mut();
        if self.gone.get() {
            return Some(None);
        }
        if !session.wants_close() {
            let mut hub = self.service.realtime.hub.borrow_mut();
            let mut sent = 0u64;
            loop {
                match hub.next(self.id) {
                    Ok(Some(event)) => {
                        let id = hub.cursor(self.id).map(Cursor::text).unwrap_or_default();
                        match session.send_text(&ws_event_json(&event, &id)) {
                            Ok(()) => sent += 1,
                            Err(SendError::OutputFull) => {
                                session.close(CLOSE_TRY_AGAIN_LATER, "too slow: output full");
                                break;
                            }
                            Err(SendError::Closing) => break,
                        }
                    }
                    Ok(None) => break,
                    Err(reason) => {
                        session.close(CLOSE_TRY_AGAIN_LATER, reason);
                        break;
                    }
                }
            }
            if sent > 0 {
                self.service.shard.metrics.borrow_mut().realtime_delivered += sent;
            }
        }
        if session.has_output() {
            return Some(Some(session.take_output()));
        }
        // Closed, or our close is out and only the client's answer could follow: nothing
        // more to write (the driver gives the client a moment to close its side).
        if session.is_closed() || session.wants_close() {
            return Some(None);
        }
        None
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.service.realtime_leave(self.id);
    }
}
