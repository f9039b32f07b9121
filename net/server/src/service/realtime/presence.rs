//! `GET /__bext/realtime/presence?topics=a,b`: how many subscribers each topic has on the
//! node, every shard asked over the mesh (`PresenceRequest`), answered within
//! `MESH_REPLY_TIMEOUT_MS` (a shard that does not answer in time is left out, and the answer
//! says how many did). The same token rules as subscribing: with a secret, the token must
//! allow the topics.

use std::rc::Rc;
use std::sync::Arc;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use bext_core::limits::MESH_REPLY_TIMEOUT_MS;
use bext_shards::rt;

use super::super::route::Route;
use super::super::{Request, Response, Service};
use crate::shard::mesh::Message;

/// A presence question waiting for the other shards.
pub(crate) struct Pending {
    counts: Vec<u64>,
    awaiting: usize,
    answered: usize,
    waker: Option<Waker>,
}

const REPLY_TIMEOUT: Duration = Duration::from_millis(MESH_REPLY_TIMEOUT_MS);

pub(crate) async fn presence(
    service: &Rc<Service>,
    route: &Route,
    request: &Request<'_>,
) -> Response {
    let query = match super::authorized(route, request) {
        Ok(query) => query,
        Err(refusal) => return *refusal,
    };
    let topics: Arc<Vec<String>> = Arc::new(query.topics);
    let shard = &service.shard;
    let id = shard.mesh.next_id();
    let mut asked = 0;
    for to in (0..shard.mesh.shards()).filter(|&to| to != shard.id) {
        let message = Message::PresenceRequest {
            from: shard.id,
            id,
            topics: topics.clone(),
        };
        if shard.send(to, message).is_ok() {
            asked += 1;
        }
    }
    let counts = service.realtime_counts(&topics);
    service.realtime.presence.borrow_mut().insert(
        id,
        Pending {
            counts,
            awaiting: asked,
            answered: 1,
            waker: None,
        },
    );
    let wait = std::future::poll_fn(|cx| {
        let mut pending = service.realtime.presence.borrow_mut();
        match pending.get_mut(&id) {
            Some(p) if p.awaiting > 0 => {
                p.waker = Some(cx.waker().clone());
                Poll::Pending
            }
            _ => Poll::Ready(()),
        }
    });
    let _ = rt::timeout(REPLY_TIMEOUT, wait).await;
    let Some(done) = service.realtime.presence.borrow_mut().remove(&id) else {
        return Response::error(500);
    };
    let mut body = String::from("{\"topics\":{");
    for (i, (topic, n)) in topics.iter().zip(&done.counts).enumerate() {
        if i > 0 {
            body.push(',');
        }
        // Topic names need no escaping (letters, digits, `_-.:`).
        body.push_str(&format!("\"{topic}\":{n}"));
    }
    body.push_str(&format!(
        "}},\"shards\":{},\"shards_reporting\":{}}}\n",
        shard.mesh.shards(),
        done.answered
    ));
    Response::bytes(200, "application/json", body).with(bext_net::fields::Field::from_static(
        "cache-control",
        "no-store",
    ))
}

impl Service {
    /// This shard's subscribers to each of `topics`.
    fn realtime_counts(&self, topics: &[String]) -> Vec<u64> {
        let hub = self.realtime.hub.borrow();
        topics.iter().map(|t| hub.presence(t) as u64).collect()
    }

    /// Another shard asks for this shard's counts.
    pub fn on_presence_request(&self, from: usize, id: u64, topics: &[String]) {
        let counts = self.realtime_counts(topics);
        self.shard.send_until(
            from,
            Message::PresenceReply { id, counts },
            Instant::now() + REPLY_TIMEOUT,
            "a presence reply (that answer misses this shard)",
        );
    }

    /// Another shard's counts arrived.
    pub fn on_presence_reply(&self, id: u64, counts: &[u64]) {
        let mut pending = self.realtime.presence.borrow_mut();
        // After the timeout, the question was answered without it.
        if let Some(p) = pending.get_mut(&id) {
            for (sum, n) in p.counts.iter_mut().zip(counts) {
                *sum += n;
            }
            p.answered += 1;
            p.awaiting = p.awaiting.saturating_sub(1);
            if p.awaiting == 0
                && let Some(waker) = p.waker.take()
            {
                waker.wake();
            }
        }
    }
}
