//! `GET /__bext/realtime/ws?topics=a,b` with `Upgrade: websocket`, or over HTTP/2 or HTTP/3
//! an extended CONNECT to the same path with `:protocol websocket` (RFC 8441, RFC 9220): a
//! subscriber over WebSocket (RFC 6455, `bext_net::ws`'s session). The HTTP/1.1
//! connection's bytes after the `101`, or the stream's DATA after the `200`, are the
//! WebSocket's.
//!
//! Each event is one text message, JSON `{"data", "event"?, "id", "topic"}` (`id` as an SSE
//! event id: `?last_event_id=` resumes from it). The socket may open with no topics, and
//! the client may change its topics as it goes with commands, text messages
//! `{"type": "subscribe" | "unsubscribe", "topics": [...], "token"?, "last_event_id"?,
//! "ref"?}` (`bext_core::realtime::wire::parse_command`): each is answered, before any
//! event it brings, with `{"type": "subscribed" | "unsubscribed", "topics": [all of the
//! socket's now], "ref"?}` or `{"type": "error", "message", "ref"?}`, and a refused one
//! leaves the socket as it was. With a `[realtime] secret`, new topics must be allowed by
//! the command's token, or else by the one the socket opened with, unexpired at the time
//! of the command; up to `REALTIME_TOPICS_PER_SUBSCRIPTION_MAX` topics in all. The driver
//! (`driver/websocket.rs`) reads the client's bytes into [`Socket::feed`] (pings are
//! answered, a close is echoed, a protocol error closes with its code, text is a command)
//! and
//! writes what [`Socket::output`] gives: events as they come, pongs, a ping after
//! `REALTIME_SSE_KEEPALIVE_MS` of silence, the close. A subscriber that falls behind (its
//! hub queue full, or `WS_OUTPUT_BYTES_MAX` unwritten) is closed with 1013 ("try again
//! later") and its reason. permessage-deflate is negotiated only with `[realtime]
//! websocket_deflate = true` (a compressor holds a few hundred KiB per subscriber).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use bytes::Bytes;

use bext_core::limits::{REALTIME_SSE_KEEPALIVE_MS, REALTIME_TOPICS_PER_SUBSCRIPTION_MAX};
use bext_core::realtime::Cursor;
use bext_core::realtime::hub::{FrameKind, SubId};
use bext_core::realtime::token::{self, Claims};
use bext_core::realtime::wire::{
    Command, CommandMessage, command_done_json, command_error_json, parse_command, ws_event_json,
};
use bext_net::Version;
use bext_net::ws::{self, Event, SendError, Session};
use bext_shards::clock;
use bext_shards::deadlines::DeadlineSlot;

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
    let (id, claims) = match super::admit(service, route, request, false) {
        Ok(admitted) => admitted,
        Err(refusal) => return *refusal,
    };
    let socket = Socket {
        service: service.clone(),
        id,
        claims: RefCell::new(claims),
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
    /// What the token the socket opened with, or the last a command brought, allows (with
    /// a `[realtime] secret`).
    claims: RefCell<Option<Claims>>,
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
                    Event::Text(text) => self.answer(&mut session, &text),
                    Event::Binary(_) => {
                        let refused = command_error_json("commands are text messages", None);
                        reply(&mut session, &refused);
                    }
                    Event::Close { .. } | Event::Failed { .. } => open = false,
                }
            }
            open && !session.is_closed()
        };
        self.wake_writer();
        open
    }

    /// Does what a command asks and queues its answer (before the events it brings, which
    /// the writer gathers after).
    fn answer(&self, session: &mut Session, text: &str) {
        let answer = match parse_command(text) {
            Err((why, reference)) => command_error_json(&why, reference.as_ref()),
            Ok(CommandMessage { command, reference }) => match self.run(command) {
                Ok((done, topics)) => command_done_json(done, &topics, reference.as_ref()),
                Err(why) => command_error_json(&why, reference.as_ref()),
            },
        };
        reply(session, &answer);
    }

    /// A command's effect: what was done and the socket's topics now, or why not.
    fn run(&self, command: Command) -> Result<(&'static str, Vec<String>), String> {
        let (topics, token, last_event_id) = match command {
            Command::Unsubscribe { topics } => {
                let mut hub = self.service.realtime.hub.borrow_mut();
                let left = hub.remove_topics(self.id, &topics).ok_or("unsubscribed")?;
                return Ok(("unsubscribed", left.to_vec()));
            }
            Command::Subscribe {
                topics,
                token,
                last_event_id,
            } => (topics, token, last_event_id),
        };
        self.allowed(&topics, token.as_deref())?;
        let resume = last_event_id.as_deref().and_then(Cursor::parse);
        let mut hub = self.service.realtime.hub.borrow_mut();
        let have = hub.topics(self.id).ok_or("unsubscribed")?;
        let total = have.len() + topics.iter().filter(|t| !have.contains(t)).count();
        if total > REALTIME_TOPICS_PER_SUBSCRIPTION_MAX {
            return Err(format!(
                "at most {REALTIME_TOPICS_PER_SUBSCRIPTION_MAX} topics on a socket"
            ));
        }
        let now = hub
            .add_topics(self.id, &topics, resume.as_ref())
            .ok_or("unsubscribed")?;
        Ok(("subscribed", now.to_vec()))
    }

    /// Whether the socket may subscribe to `topics`: with a `[realtime] secret`, its token
    /// (`token`, which then replaces the socket's, or the one it has) must allow each and
    /// not have expired.
    fn allowed(&self, topics: &[String], token: Option<&str>) -> Result<(), String> {
        let state = self.service.current();
        let Some(secret) = state
            .snapshot
            .config
            .realtime
            .as_ref()
            .and_then(|c| c.secret.as_ref())
        else {
            return Ok(());
        };
        let now_s = clock::unix_secs();
        if let Some(token) = token {
            let claims = token::verify(secret.as_bytes(), token, now_s)
                .map_err(|e| e.reason().to_owned())?;
            *self.claims.borrow_mut() = Some(claims);
        }
        let claims = self.claims.borrow();
        let Some(claims) = claims.as_ref() else {
            return Err("a token is needed: {\"token\": …} in the command".into());
        };
        if claims.exp <= now_s {
            return Err(token::TokenError::Expired.reason().into());
        }
        match topics.iter().find(|t| !claims.allows(t)) {
            Some(topic) => Err(format!("the token does not allow topic `{topic}`")),
            None => Ok(()),
        }
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

    /// The next bytes to write, when there are some; `None` once nothing more will be. The
    /// keep-alive wait runs on `slot`, the writer's deadline.
    pub async fn output(&self, slot: &DeadlineSlot<'_>) -> Option<Vec<u8>> {
        let keepalive = Duration::from_millis(REALTIME_SSE_KEEPALIVE_MS);
        loop {
            let ready = std::future::poll_fn(|cx| match self.gather() {
                Some(ready) => Poll::Ready(ready),
                None => {
                    *self.writer.borrow_mut() = Some(cx.waker().clone());
                    let mut hub = self.service.realtime.hub.borrow_mut();
                    hub.park(self.id, cx.waker().clone());
                    Poll::Pending
                }
            });
            match slot.run(Instant::now() + keepalive, ready).await {
                Some(ready) => return ready,
                // Silence: a ping, so a dead peer is found by the write.
                None => {
                    let _ = self.session.borrow_mut().send_ping(b"");
                }
            }
        }
    }

    /// A buffer [`Socket::output`] gave, written: its allocation serves the next output.
    pub fn recycle(&self, written: Vec<u8>) {
        self.session.borrow_mut().recycle_output(written);
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
            let taken = hub.take(self.id, |entry, position| {
                // A subscriber to one topic shares the text with every such subscriber.
                let text = entry.frame_for(FrameKind::WebSocket, position, |id| {
                    let id = std::str::from_utf8(id).unwrap_or_default();
                    Bytes::from(ws_event_json(&entry.event, id))
                });
                let text = std::str::from_utf8(&text).unwrap_or_default();
                match session.send_text(text) {
                    Ok(()) => {
                        sent += 1;
                        true
                    }
                    Err(SendError::OutputFull) => {
                        session.close(CLOSE_TRY_AGAIN_LATER, "too slow: output full");
                        false
                    }
                    Err(SendError::Closing) => false,
                }
            });
            if let Err(reason) = taken {
                session.close(CLOSE_TRY_AGAIN_LATER, reason);
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

/// Queues a command's answer; a client that does not read its answers is closed as one
/// that does not read its events is.
fn reply(session: &mut Session, text: &str) {
    if let Err(SendError::OutputFull) = session.send_text(text) {
        session.close(CLOSE_TRY_AGAIN_LATER, "too slow: output full");
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.service.realtime_leave(self.id);
    }
}
