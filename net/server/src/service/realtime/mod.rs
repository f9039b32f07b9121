//! `[realtime]`: topics clients subscribe to with Server-Sent Events
//! (`GET /__bext/realtime/sse?topics=a,b`) and servers publish to
//! (`POST /__bext/realtime/publish`), across every shard.
//!
//! Each shard keeps its own [`Hub`] (its subscribers, their queues, the recent events). A
//! publish goes to its topic's owner shard (`core::realtime::owner`), which numbers the
//! event and sends one copy to every shard over the mesh, in order: the outbox here keeps
//! per peer what could not be sent yet (its inbox full) and sends it first, so a peer never
//! sees a later event before an earlier one. The hub appends each event to its topic's log
//! once and hands back the wakers of the subscribers parked on it; this module wakes them.

mod presence;
mod publish;
mod socket;
mod sse;

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::OnceLock;
use std::task::Waker;
use std::time::Duration;

use bext_core::cluster::Note;
use bext_core::config::RealtimeConfig;
use bext_core::limits::{
    MESH_RETRY_INTERVAL_MS, REALTIME_OUTBOX_MAX, REALTIME_SUBSCRIBERS_PER_SHARD_MAX,
};
use bext_core::realtime::hub::{Hub, HubConfig, SubId};
use bext_core::realtime::token::Claims;
use bext_core::realtime::wire::{
    Published, SubscribeQuery, parse_app_publish, parse_subscribe_query,
};
use bext_core::realtime::{Cursor, Event, owner, token};
use bext_net::Method;
use bext_net::fields::Field;
use bext_shards::{clock, rt};

use super::route::Route;
use super::{Request, Response, Service};
use crate::shard::mesh::Message;

pub(crate) use presence::{presence, report as report_presence};
pub(crate) use publish::publish;
pub(crate) use socket::{Socket, upgrade};
pub(crate) use sse::subscribe;

/// One shard's realtime state; it outlives reloads (subscribers stay subscribed).
pub(crate) struct Realtime {
    /// Its subscribers and their topics' logs; a parked subscriber's waker waits there.
    pub hub: RefCell<Hub<Waker>>,
    /// This shard's sequence for the topics it owns.
    next_seq: Cell<u64>,
    /// Per peer shard: realtime messages not yet taken by its full inbox, in order.
    outbox: RefCell<Vec<VecDeque<Message>>>,
    /// A task is draining the outbox.
    draining: Cell<bool>,
    /// An app published without `[realtime]`: said once.
    warned_off: Cell<bool>,
    /// Presence questions waiting for other shards' counts, by id.
    presence: RefCell<HashMap<u64, presence::Pending>>,
    /// `[cluster]`: the other nodes' last presence reports.
    nodes: RefCell<bext_core::realtime::nodes::NodesPresence>,
}

impl Realtime {
    pub fn new(config: Option<&RealtimeConfig>, epoch: u64, shards: usize) -> Realtime {
        Realtime {
            hub: RefCell::new(Hub::new(hub_config(config, epoch))),
            next_seq: Cell::new(1),
            outbox: RefCell::new((0..shards).map(|_| VecDeque::new()).collect()),
            draining: Cell::new(false),
            warned_off: Cell::new(false),
            presence: RefCell::new(HashMap::new()),
            nodes: RefCell::new(Default::default()),
        }
    }

    /// Takes a reloaded config's bounds (subscribers and kept events stay).
    pub fn reconfigure(&self, config: Option<&RealtimeConfig>) {
        let epoch = self.hub.borrow().epoch();
        self.hub.borrow_mut().reconfigure(hub_config(config, epoch));
    }
}

/// This process's realtime epoch, the same on every shard: its start second and its pid, so
/// a cursor from an earlier run resumes nothing.
pub(crate) fn process_epoch() -> u64 {
    static EPOCH: OnceLock<u64> = OnceLock::new();
    *EPOCH.get_or_init(|| (clock::unix_secs() << 22) | u64::from(std::process::id() & 0x3f_ffff))
}

fn hub_config(config: Option<&RealtimeConfig>, epoch: u64) -> HubConfig {
    HubConfig {
        replay_max: config.map_or(0, |c| c.replay_max),
        queue_max: config.map_or(1, |c| c.queue_max),
        epoch,
    }
}

impl Service {
    /// Publishes an event: to its topic's owner, or, on the owner, numbered and sent to
    /// every shard.
    pub fn realtime_publish(self: &Rc<Self>, publish: Published) {
        // With a cluster, through Redis: every node (this one too) gets it back in Redis's
        // order. Without Redis for now, on this node alone.
        if let Some(cluster) = &self.shard.cluster
            && cluster.is_up()
        {
            let note = Note::Publish {
                topic: publish.topic.clone(),
                event: publish.name.clone(),
                data: String::from_utf8_lossy(&publish.data).into_owned(),
            };
            if cluster.send(note) {
                return;
            }
        }
        let shards = self.shard.mesh.shards();
        let to = owner(&publish.topic, shards);
        if to == self.shard.id {
            self.on_realtime_publish(publish);
        } else {
            self.realtime_send(to, Message::RealtimePublish(Box::new(publish)));
        }
    }

    /// On the topic's owner: numbers the event and sends it to every shard, this one too.
    pub fn on_realtime_publish(self: &Rc<Self>, publish: Published) {
        let realtime = &self.realtime;
        let seq = realtime.next_seq.get();
        realtime.next_seq.set(seq + 1);
        let event = Arc::new(Event {
            topic: publish.topic,
            seq,
            name: publish.name,
            data: publish.data,
        });
        self.shard.metrics.borrow_mut().realtime_published += 1;
        for to in 0..self.shard.mesh.shards() {
            if to != self.shard.id {
                self.realtime_send(to, Message::RealtimeEvent(event.clone()));
            }
        }
        self.on_realtime_event(event);
    }

    /// An event for this shard's subscribers.
    pub fn on_realtime_event(&self, event: Arc<Event>) {
        let realtime = &self.realtime;
        // Woken after the hub is let go: a waker may run its task's poll at once on some
        // runtimes.
        let delivery = realtime.hub.borrow_mut().deliver(event);
        self.shard.metrics.borrow_mut().realtime_evicted += delivery.evictions;
        for waker in delivery.woken.into_iter().chain(delivery.evicted) {
            waker.wake();
        }
    }

    /// Sends in order: behind whatever is waiting for that peer, else at once.
    fn realtime_send(self: &Rc<Self>, to: usize, message: Message) {
        let realtime = &self.realtime;
        let queued = {
            let outbox = realtime.outbox.borrow();
            outbox.get(to).is_some_and(|q| !q.is_empty())
        };
        let message = if queued {
            message
        } else {
            match self.shard.send(to, message) {
                Ok(()) => return,
                Err(message) => message,
            }
        };
        {
            let mut outbox = realtime.outbox.borrow_mut();
            let Some(queue) = outbox.get_mut(to) else {
                return;
            };
            if queue.len() >= REALTIME_OUTBOX_MAX {
                queue.pop_front();
                self.shard.metrics.borrow_mut().realtime_dropped += 1;
            }
            queue.push_back(message);
        }
        if !realtime.draining.replace(true) {
            let service = self.clone();
            crate::shard::spawn(&self.shard, "realtime outbox", async move {
                service.drain_realtime_outbox().await;
            });
        }
    }

    /// Sends what the outbox holds, oldest first, every `MESH_RETRY_INTERVAL_MS` until it
    /// is empty.
    async fn drain_realtime_outbox(self: Rc<Self>) {
        let realtime = &self.realtime;
        loop {
            let mut left = 0;
            let peers = realtime.outbox.borrow().len();
            for to in 0..peers {
                loop {
                    let Some(message) = realtime.outbox.borrow_mut()[to].pop_front() else {
                        break;
                    };
                    if let Err(message) = self.shard.send(to, message) {
                        let mut outbox = realtime.outbox.borrow_mut();
                        outbox[to].push_front(message);
                        left += outbox[to].len();
                        break;
                    }
                }
            }
            if left == 0 {
                realtime.draining.set(false);
                return;
            }
            rt::sleep(Duration::from_millis(MESH_RETRY_INTERVAL_MS)).await;
        }
    }
}

/// Checks a subscribe request (`GET`, its topics, its token, the shard's room) and
/// subscribes it, resuming from its last event id if it gives one; the refusal otherwise.
/// A new subscriber for the request, and the claims of the token it presented (when there
/// is a secret); or the refusal. `topics_needed`: as [`authorized`] takes it.
fn admit(
    service: &Rc<Service>,
    route: &Route,
    request: &Request<'_>,
    topics_needed: bool,
) -> Result<(SubId, Option<Claims>), Box<Response>> {
    let (query, claims) = authorized(route, request, topics_needed)?;
    let realtime = &service.realtime;
    if realtime.hub.borrow().subscribers() >= REALTIME_SUBSCRIBERS_PER_SHARD_MAX {
        return Err(Box::new(
            sse::refuse(503, "too many subscribers").with(Field::from_static("retry-after", "1")),
        ));
    }
    let last = request
        .fields
        .get("last-event-id")
        .and_then(|v| std::str::from_utf8(v).ok())
        .or(query.last_event_id.as_deref())
        .and_then(Cursor::parse);
    let id = realtime
        .hub
        .borrow_mut()
        .subscribe(query.topics, last.as_ref());
    service.shard.metrics.borrow_mut().realtime_subscribers += 1;
    Ok((id, claims))
}

/// A `GET` (or an extended CONNECT, a WebSocket over HTTP/2 or HTTP/3) with topics the
/// client may see (its token allows them, when there is a secret): the parsed query and the
/// token's claims, or the refusal. Without `topics_needed` (a WebSocket, which may
/// subscribe by command later) the query may name no topics, and then needs no token.
fn authorized(
    route: &Route,
    request: &Request<'_>,
    topics_needed: bool,
) -> Result<(SubscribeQuery, Option<Claims>), Box<Response>> {
    let Some(config) = route.state.snapshot.config.realtime.as_ref() else {
        return Err(Box::new(Response::error(404)));
    };
    if !matches!(request.method, Method::Get) && request.protocol.is_none() {
        return Err(Box::new(sse::refuse(405, "use GET")));
    }
    let query = parse_subscribe_query(request.query.unwrap_or_default(), topics_needed)
        .map_err(|why| Box::new(sse::refuse(400, &why)))?;
    let mut admitted = None;
    if let Some(secret) = &config.secret {
        let presented = query
            .token
            .as_deref()
            .map(str::as_bytes)
            .or_else(|| super::ops::bearer(request));
        if presented.is_none() && query.topics.is_empty() {
            return Ok((query, None));
        }
        let presented = presented.unwrap_or_default();
        let claims = match std::str::from_utf8(presented)
            .ok()
            .map(|t| token::verify(secret.as_bytes(), t, clock::unix_secs()))
        {
            Some(Ok(claims)) => claims,
            Some(Err(e)) => return Err(Box::new(sse::refuse(403, e.reason()))),
            None => return Err(Box::new(sse::refuse(403, "malformed token"))),
        };
        if let Some(topic) = query.topics.iter().find(|t| !claims.allows(t)) {
            return Err(Box::new(sse::refuse(
                403,
                &format!("the token does not allow topic `{topic}`"),
            )));
        }
        admitted = Some(claims);
    }
    Ok((query, admitted))
}

impl Service {
    /// A subscriber is gone.
    fn realtime_leave(&self, id: SubId) {
        let realtime = &self.realtime;
        realtime.hub.borrow_mut().unsubscribe(id);
        let mut metrics = self.shard.metrics.borrow_mut();
        metrics.realtime_subscribers = metrics.realtime_subscribers.saturating_sub(1);
    }
}

impl Service {
    /// Publishes what app code published (`bext/realtime`) in renders of `state`'s apps.
    /// Called after each app answer and every second.
    pub fn publish_from_apps(self: &Rc<Self>, state: &super::State) {
        for engine in state.engines.iter().flatten() {
            let published = engine.take_published();
            if published.is_empty() {
                continue;
            }
            if state.snapshot.config.realtime.is_none() {
                if !self.realtime.warned_off.replace(true) {
                    eprintln!(
                        "bext: app {}: publish() was called, but the config has no [realtime]: \
                         the events are dropped",
                        engine.app.root.display()
                    );
                }
                continue;
            }
            for field in published {
                match parse_app_publish(&field) {
                    Ok(published) => self.realtime_publish(published),
                    Err(why) => {
                        eprintln!("bext: app {}: publish(): {why}", engine.app.root.display())
                    }
                }
            }
        }
    }
}
