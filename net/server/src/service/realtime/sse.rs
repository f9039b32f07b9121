//! `GET /__bext/realtime/sse?topics=a,b`: a subscriber as a Server-Sent Events stream.
//!
//! The stream writes what the subscriber's topics have past its position (several events
//! in one write when they have piled up), parks on the hub until an event comes, and sends a comment every
//! `REALTIME_SSE_KEEPALIVE_MS` (up to one deadline sweep late) while nothing happens, so
//! proxies keep the connection and a dead client is noticed by the write that fails. An evicted subscriber gets a last
//! `bext-evicted` event with the reason, then the stream ends: a browser's `EventSource`
//! reconnects with the id of the last event it saw and resumes from what is kept.

use std::rc::Rc;
use std::task::Poll;
use std::time::{Duration, Instant};

use bytes::Bytes;

use bext_core::limits::{PROXY_SEND_GATHER_BYTES, REALTIME_SSE_KEEPALIVE_MS};
use bext_core::realtime::hub::{FrameKind, SubId};
use bext_core::realtime::wire::write_sse_event;
use bext_net::fields::Field;
use bext_shards::sync::race;

use super::super::route::Route;
use super::super::{Body, BodyStream, Request, Response, Service};

/// Answers a subscribe request: the stream, or why not.
pub(crate) fn subscribe(service: &Rc<Service>, route: &Route, request: &Request<'_>) -> Response {
    let id = match super::admit(service, route, request, true) {
        Ok((id, _)) => id,
        Err(refusal) => return *refusal,
    };
    let stream = Subscriber {
        service: service.clone(),
        id,
        started: false,
        ended: false,
    };
    let mut response = Response::new(200)
        .with(Field::from_static("content-type", "text/event-stream"))
        .with(Field::from_static("cache-control", "no-store"))
        // nginx in front: do not buffer the stream.
        .with(Field::from_static("x-accel-buffering", "no"))
        .with_body(Body::Stream(Box::new(stream)));
    response.close = true;
    response
}

pub(super) fn refuse(status: u16, why: &str) -> Response {
    Response::bytes(status, "text/plain; charset=utf-8", format!("{why}\n"))
}

struct Subscriber {
    service: Rc<Service>,
    id: SubId,
    started: bool,
    ended: bool,
}

/// What waiting on the hub gave.
enum Woken {
    /// Frames to write, and how many events they hold.
    Events(Bytes, usize),
    Evicted(&'static str),
}

impl Subscriber {
    /// What the subscriber's topics have past its position, as SSE frames (up to about one
    /// gathered write's worth), or `None` if there is nothing. One event alone is written
    /// from its frame without a copy (a subscriber to one topic shares it with every such
    /// subscriber).
    fn take(&self) -> Option<Woken> {
        let mut hub = self.service.realtime.hub.borrow_mut();
        let mut one: Option<Bytes> = None;
        let mut many: Vec<u8> = Vec::new();
        let taken = hub.take(self.id, |entry, position| {
            let frame = entry.frame_for(FrameKind::Sse, position, |id| {
                let mut frame = Vec::new();
                write_sse_event(&mut frame, &entry.event, id);
                Bytes::from(frame)
            });
            match one.take() {
                None if many.is_empty() => one = Some(frame),
                earlier => {
                    if let Some(earlier) = earlier {
                        many.extend_from_slice(&earlier);
                    }
                    many.extend_from_slice(&frame);
                }
            }
            many.len() < PROXY_SEND_GATHER_BYTES
        });
        match taken {
            Ok(0) => None,
            Ok(count) => Some(Woken::Events(
                one.unwrap_or_else(|| Bytes::from(many)),
                count,
            )),
            Err(reason) => Some(Woken::Evicted(reason)),
        }
    }
}

impl BodyStream for Subscriber {
    fn next(&mut self) -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<Bytes>> + '_>> {
        Box::pin(async move {
            if self.ended {
                return None;
            }
            if !self.started {
                self.started = true;
                // Reconnect after a second; the comment gets the head and stream going.
                return Some(Bytes::from_static(b"retry: 1000\n: subscribed\n\n"));
            }
            let service = self.service.clone();
            let this = &*self;
            let woken = std::future::poll_fn(|cx| match this.take() {
                Some(woken) => Poll::Ready(woken),
                None => {
                    let mut hub = service.realtime.hub.borrow_mut();
                    hub.park(this.id, cx.waker().clone());
                    Poll::Pending
                }
            });
            let keepalive = Duration::from_millis(REALTIME_SSE_KEEPALIVE_MS);
            // The keep-alive is one of the shard's coarse deadlines (a slot taken from its
            // free list), not a runtime timer armed and cancelled for every event.
            let slot = service.shard.deadlines.slot();
            let waited = slot.run(Instant::now() + keepalive, woken);
            match race(waited, service.shard.stop.wait()).await {
                // The shard stops: the stream ends (the client reconnects elsewhere).
                None => None,
                Some(None) => Some(Bytes::from_static(b": keepalive\n\n")),
                Some(Some(Woken::Events(frames, count))) => {
                    service.shard.metrics.borrow_mut().realtime_delivered += count as u64;
                    Some(frames)
                }
                Some(Some(Woken::Evicted(reason))) => {
                    self.ended = true;
                    Some(Bytes::from(format!(
                        "event: bext-evicted\ndata: {reason}\n\n"
                    )))
                }
            }
        })
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.service.realtime_leave(self.id);
    }
}
