//! `GET /__bext/realtime/presence?topics=a,b`: how many subscribers each topic has on the
//! node, every shard asked over the mesh (`PresenceRequest`), answered within
//! `MESH_REPLY_TIMEOUT_MS` (a shard that does not answer in time is left out, and the answer
//! says how many did), and with `[cluster]` on the other nodes too, by their last reports
//! (`bext_core::realtime::nodes`: each shard of each node reports its counts through Redis
//! when they change, [`report`], and every shard keeps the reports it hears). The same token
//! rules as subscribing: with a secret, the token must allow the topics.

use std::rc::Rc;
use std::sync::Arc;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use bext_core::cluster::Note;
use bext_core::limits::{
    CLUSTER_PRESENCE_MS, CLUSTER_PRESENCE_REFRESH_MS, CLUSTER_PRESENCE_TOPICS_MAX,
    MESH_REPLY_TIMEOUT_MS,
};
use bext_shards::sync::race;
use bext_shards::{clock, rt};

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
    let query = match super::authorized(route, request, true) {
        Ok((query, _)) => query,
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
    let now = clock::monotonic_ms();
    let nodes = service.realtime.nodes.borrow();
    let mut body = String::from("{\"topics\":{");
    for (i, (topic, n)) in topics.iter().zip(&done.counts).enumerate() {
        if i > 0 {
            body.push(',');
        }
        // Topic names need no escaping (letters, digits, `_-.:`).
        body.push_str(&format!("\"{topic}\":{}", n + nodes.count(topic, now)));
    }
    body.push_str(&format!(
        "}},\"shards\":{},\"shards_reporting\":{},\"nodes_reporting\":{}}}\n",
        shard.mesh.shards(),
        done.answered,
        1 + nodes.nodes(now)
    ));
    Response::bytes(200, "application/json", body).with(bext_net::fields::Field::from_static(
        "cache-control",
        "no-store",
    ))
}

/// `[cluster]`: tells the other nodes this shard's subscribers per topic, when they changed
/// (at most every `CLUSTER_PRESENCE_MS`) and, while there are some, every
/// `CLUSTER_PRESENCE_REFRESH_MS`; when the shard stops, that it has none. Runs for the
/// shard's life.
pub(crate) async fn report(service: Rc<Service>) {
    let Some(outbox) = service.shard.cluster.clone() else {
        return;
    };
    let shard = service.shard.id;
    let refresh = Duration::from_millis(CLUSTER_PRESENCE_REFRESH_MS);
    // What the last report said: the hub's change count then, whether it listed any.
    let mut reported: Option<(u64, bool)> = None;
    let mut reported_at = Instant::now();
    loop {
        let tick = rt::sleep(Duration::from_millis(CLUSTER_PRESENCE_MS));
        if race(tick, service.shard.stop.wait()).await.is_none() {
            break;
        }
        if !outbox.is_configured() {
            // No `[cluster]` now (a reload may add one): nothing to tell, nobody to tell.
            reported = None;
            continue;
        }
        let changes = service.realtime.hub.borrow().changes();
        let due = match reported {
            None => changes > 0,
            Some((at, any)) => at != changes || (any && reported_at.elapsed() >= refresh),
        };
        if !due {
            continue;
        }
        let counts = service
            .realtime
            .hub
            .borrow()
            .counts(CLUSTER_PRESENCE_TOPICS_MAX);
        let any = !counts.is_empty();
        // A queue that is full drops the report; the next change or refresh sends another.
        if outbox.send(Note::Presence { shard, counts }) {
            reported = Some((changes, any));
            reported_at = Instant::now();
        }
    }
    if reported.is_some_and(|(_, any)| any) {
        outbox.send(Note::Presence {
            shard,
            counts: Vec::new(),
        });
    }
}

impl Service {
    /// Shard `shard` of node `node` reported its subscribers (`[cluster]`).
    pub fn on_cluster_presence(&self, node: &str, shard: usize, counts: &[(String, u64)]) {
        self.realtime
            .nodes
            .borrow_mut()
            .report(node, shard, counts, clock::monotonic_ms());
    }

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
