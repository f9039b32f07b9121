//! A scrape's numbers: this shard's counters merged with every peer's, asked for over the
//! mesh and waited for up to `MESH_REPLY_TIMEOUT_MS`.

use std::collections::HashMap;
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use bext_core::limits::MESH_REPLY_TIMEOUT_MS;
use bext_core::metrics::Metrics;
use bext_shards::rt;

use super::Shard;
use super::mesh::Message;

/// Scrapes waiting for peers' replies, by request id.
#[derive(Default)]
pub(crate) struct PendingScrapes {
    scrapes: HashMap<u64, Pending>,
}

struct Pending {
    merged: Metrics,
    awaiting: usize,
    waker: Option<Waker>,
}

const REPLY_TIMEOUT: Duration = Duration::from_millis(MESH_REPLY_TIMEOUT_MS);

/// `local` (this shard's counters, as the service sees them) merged with every peer's. Peers
/// that do not answer within `MESH_REPLY_TIMEOUT_MS` (or whose inbox is full) are left out;
/// the `shards_reporting` count says so.
pub(crate) async fn collect(shard: &Rc<Shard>, local: Metrics) -> (Metrics, usize) {
    let shards = shard.mesh.shards();
    let id = shard.mesh.next_id();
    let mut asked = 0;
    for to in (0..shards).filter(|&to| to != shard.id) {
        if shard
            .send(to, Message::MetricsRequest { from: shard.id, id })
            .is_ok()
        {
            asked += 1;
        }
    }
    shard.scrapes.borrow_mut().scrapes.insert(
        id,
        Pending {
            merged: local.clone(),
            awaiting: asked,
            waker: None,
        },
    );
    let wait = std::future::poll_fn(|cx| {
        let mut pending = shard.scrapes.borrow_mut();
        match pending.scrapes.get_mut(&id) {
            Some(p) if p.awaiting > 0 => {
                p.waker = Some(cx.waker().clone());
                Poll::Pending
            }
            _ => Poll::Ready(()),
        }
    });
    let _ = rt::timeout(REPLY_TIMEOUT, wait).await;
    let pending = shard.scrapes.borrow_mut().scrapes.remove(&id);
    (pending.map_or(local, |p| p.merged), shards)
}

/// A peer asked for this shard's counters: reply, retrying while its inbox is full until the
/// asker stops waiting.
pub(crate) fn answer_request(shard: &Rc<Shard>, from: usize, id: u64, local: Metrics) {
    shard.send_until(
        from,
        Message::MetricsReply {
            id,
            metrics: Box::new(local),
        },
        Instant::now() + REPLY_TIMEOUT,
        "a metrics reply (that scrape misses this shard)",
    );
}

/// A peer's counters arrived.
pub(crate) fn reply(shard: &Shard, id: u64, metrics: &Metrics) {
    let mut pending = shard.scrapes.borrow_mut();
    // A reply after the timeout finds nothing: the scrape was answered without it.
    if let Some(p) = pending.scrapes.get_mut(&id) {
        p.merged.merge(metrics);
        p.awaiting = p.awaiting.saturating_sub(1);
        if p.awaiting == 0
            && let Some(waker) = p.waker.take()
        {
            waker.wake();
        }
    }
}
