//! What shards and the control thread say to each other, and how a shard sends it.
//!
//! Every queue is bounded (`MESH_QUEUE_DEPTH`), so a send can find the peer's inbox full.
//! Nothing is dropped silently: each kind of message has its policy, and every hand-back and
//! every give-up is counted (`bext_mesh_messages_full_total`, `..._dropped_total`):
//!
//! | message | when the peer's inbox is full |
//! | --- | --- |
//! | `MetricsRequest` | the scrape is answered without that shard (`bext_shards{state="reporting"}` says so) |
//! | `PresenceRequest` | the answer leaves that shard out (`shards_reporting` says so) |
//! | `MetricsReply`, `FillReply`, `PresenceReply` | retried every `MESH_RETRY_INTERVAL_MS` until the asker's own wait ends |
//! | `FillRequest` | the asking shard renders the page (or fetches the proxied answer) itself |
//! | `QuicDatagram` | dropped and counted (`bext_quic_datagrams_dropped_total`): QUIC's loss recovery sends it again |
//! | `RealtimePublish`, `RealtimeEvent` | kept in order for that peer and sent first when its inbox has room (`REALTIME_OUTBOX_MAX` per peer; past it the oldest is dropped, counted in `bext_realtime_dropped_total`) |
//! | `ClusterInvalidate`, and `Ban` and `RealtimePublish` from the cluster thread | retried until `CONTROL_SEND_DEADLINE_MS`, then dropped, counted in `bext_cluster_dropped_total` and logged |
//! | `ClusterPage` (cluster thread) | dropped at once, counted in `bext_cluster_dropped_total`: the page is rendered or fetched here when asked for |
//! | `ClusterPresence` (cluster thread) | dropped at once, counted in `bext_cluster_dropped_total`: the node's next report (within `CLUSTER_PRESENCE_REFRESH_MS`) replaces it |
//! | `Invalidate` | retried until `CONTROL_SEND_DEADLINE_MS`, then logged: that shard may serve stale pages until they expire |
//! | `UpstreamHealth` | retried until `CONTROL_SEND_DEADLINE_MS`, then logged: that shard keeps its last view of the server until its own failures eject it |
//! | `Reload`, `Stop`, `Acme` (control thread) | retried until `CONTROL_SEND_DEADLINE_MS`, then an error for the operator (for `Acme`, the ACME thread, which does not tell the CA to check) |
//!
//! Messages that name a site carry the id of the snapshot their sender had: during a reload,
//! two shards may briefly number sites differently, and a message from another snapshot is
//! answered with nothing rather than applied to the wrong site.

use std::cell::Cell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bext_core::isr::{Invalidate, Page};
use bext_core::limits::MESH_RETRY_INTERVAL_MS;
use bext_core::metrics::Metrics;
use bext_net::fields::FieldBlock;
use bext_render::renderer::RenderRequest;
use bext_shards::mesh::MeshSender;
use bext_shards::rt;
use bytes::Bytes;

use super::Shard;
use crate::snapshot::Snapshot;

/// A shard's message.
pub(crate) enum Message {
    /// Serve this config from now on (SIGHUP).
    Reload(Arc<Snapshot>),
    /// Stop accepting, finish in-flight requests within `drain`, then exit (SIGTERM).
    Stop {
        drain: Duration,
    },
    /// Shard `from` asks for a copy of this shard's counters, to answer a scrape.
    MetricsRequest {
        from: usize,
        id: u64,
    },
    MetricsReply {
        id: u64,
        metrics: Box<Metrics>,
    },
    /// Shard `from` asks this shard, the owner of the page's cache key, for a page.
    FillRequest(Box<FillRequest>),
    /// The owner's answer; `None` when it has none to give (the asker renders it then).
    FillReply {
        id: u64,
        reply: Option<Box<FillReply>>,
    },
    /// Answer these ACME challenges from now on (the ACME thread, through the control
    /// thread); `taken` hears once the shard does.
    Acme {
        challenges: Arc<bext_core::acme::Challenges>,
        taken: std::sync::mpsc::SyncSender<usize>,
    },
    /// A QUIC datagram that reached another shard's socket, for the connection this shard
    /// owns (its connection ID names this shard).
    QuicDatagram(Box<Datagram>),
    /// Another shard banned this client address until this monotonic millisecond
    /// (`[waf] rate.ban_after`).
    Ban {
        ip: std::net::IpAddr,
        until_ms: u64,
    },
    /// The owner of an upstream's health checks found a server up or down.
    UpstreamHealth {
        snapshot: u64,
        upstream: usize,
        server: usize,
        up: bool,
    },
    /// Mark pages of a site stale (`POST /__bext/cache/invalidate`, fanned out).
    Invalidate {
        snapshot: u64,
        site: usize,
        what: Invalidate,
    },
    /// Another node offered a page whose key this shard owns (`[cluster] share_pages`):
    /// kept in whatever snapshot this shard serves, if it has that site.
    ClusterPage(Box<bext_core::cluster::PageNote>),
    /// A shard of another node reported its subscribers (`[cluster]`), sent to every shard.
    ClusterPresence(Arc<PresenceReport>),
    /// Another node invalidated pages of a site (`[cluster]`): applied to whatever snapshot
    /// this shard serves, if it has that site.
    ClusterInvalidate {
        site: usize,
        what: Invalidate,
    },
    /// Shard `from` asks how many subscribers this shard has to each of `topics`.
    PresenceRequest {
        from: usize,
        id: u64,
        topics: Arc<Vec<String>>,
    },
    /// The counts, in the order of the topics asked.
    PresenceReply {
        id: u64,
        counts: Vec<u64>,
    },
    /// A realtime event for this shard, the owner of its topic, to number and fan out.
    RealtimePublish(Box<bext_core::realtime::wire::Published>),
    /// A numbered realtime event from its topic's owner, for this shard's subscribers.
    RealtimeEvent(Arc<bext_core::realtime::Event>),
}

/// A QUIC datagram that arrived on one shard for a connection another shard owns.
pub(crate) struct Datagram {
    /// Which of the shards' QUIC sockets it arrived on (its index in each shard's list: the
    /// same address on every shard).
    pub socket: usize,
    pub from: SocketAddr,
    pub to: SocketAddr,
    pub data: Vec<u8>,
}

/// A page asked of its owner shard.
pub(crate) struct FillRequest {
    pub from: usize,
    pub id: u64,
    /// The asker's snapshot: the owner answers only if it serves the same one.
    pub snapshot: u64,
    pub site: usize,
    pub ask: FillAsk,
}

/// What the owner is to fill the key with.
pub(crate) enum FillAsk {
    /// Render this page.
    Render(RenderRequest),
    /// Fetch this answer from upstream `upstream` (a `cache = true` proxy route): `target`
    /// is what the upstream is asked for, `request` the client's (its target is the key).
    Proxy {
        upstream: usize,
        target: Vec<u8>,
        request: Box<ProxiedRequest>,
        secure: bool,
        /// The route's own `timeout_ms`.
        timeout_ms: Option<u64>,
    },
}

/// A client's request as another shard needs it to ask an upstream the same (a `GET`: no
/// body).
pub(crate) struct ProxiedRequest {
    pub method: Bytes,
    /// Path and query, as the client sent them: the cache key.
    pub target: Bytes,
    pub host: Option<Bytes>,
    pub fields: Vec<(Bytes, Bytes)>,
    pub version: bext_net::Version,
    pub peer: SocketAddr,
}

/// A page an owner shard sends to the shard that asked for it.
pub(crate) struct FillReply {
    pub page: Page<Arc<FieldBlock>>,
    /// False for pages that must not be cached (dynamic, errors, a proxied answer the
    /// upstream did not let a cache keep): serve once, keep nothing.
    pub cacheable: bool,
    /// The page was dynamic: the asker renders this route locally from now on.
    pub dynamic: bool,
}

/// A shard's end of the mesh.
pub(crate) struct Mesh {
    sender: MeshSender<Message>,
    next_id: Cell<u64>,
}

const RETRY_INTERVAL: Duration = Duration::from_millis(MESH_RETRY_INTERVAL_MS);

impl Mesh {
    pub fn new(sender: MeshSender<Message>) -> Mesh {
        Mesh {
            sender,
            next_id: Cell::new(0),
        }
    }

    /// How many shards the server runs.
    pub fn shards(&self) -> usize {
        self.sender.shards()
    }

    /// A fresh id for a question to another shard.
    pub fn next_id(&self) -> u64 {
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        id
    }
}

impl Shard {
    /// Sends once; a full inbox hands the message back, counted.
    pub fn send(&self, to: usize, message: Message) -> Result<(), Message> {
        self.mesh.sender.send(to, message).map_err(|full| {
            self.metrics.borrow_mut().mesh_full += 1;
            full.0
        })
    }

    /// Forwards a QUIC datagram to the shard that owns its connection; false if its inbox
    /// was full (the datagram is dropped: QUIC sends it again).
    pub fn forward_datagram(&self, to: usize, datagram: Datagram) -> bool {
        self.send(to, Message::QuicDatagram(Box::new(datagram)))
            .is_ok()
    }

    /// Sends, and if the inbox is full keeps trying every `MESH_RETRY_INTERVAL_MS` until
    /// `deadline` (in a task of its own, so the caller does not wait). A message still not
    /// taken at the deadline is counted as dropped, and `on_drop` says what that costs.
    pub fn send_until(
        self: &Rc<Self>,
        to: usize,
        message: Message,
        deadline: Instant,
        on_drop: &'static str,
    ) {
        let Err(message) = self.send(to, message) else {
            return;
        };
        let shard = self.clone();
        super::spawn(&self.clone(), "mesh retry", async move {
            let mut message = message;
            loop {
                if Instant::now() >= deadline {
                    shard.metrics.borrow_mut().mesh_dropped += 1;
                    eprintln!(
                        "bext: shard {}: shard {to}'s inbox stayed full; gave up: {on_drop}",
                        shard.id
                    );
                    return;
                }
                rt::sleep(RETRY_INTERVAL).await;
                match shard.mesh.sender.send(to, message) {
                    Ok(()) => return,
                    Err(full) => message = full.0,
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: sends whose result was discarded with `let _ =` lost messages silently.
    #[test]
    fn a_full_inbox_is_counted_and_retried_until_the_deadline() {
        let (_control, mut receivers) = bext_shards::mesh::mesh::<Message>(2, 1);
        let peer = receivers.pop().expect("two inboxes");
        let me = receivers.pop().expect("two inboxes");
        let seen = Rc::new(std::cell::RefCell::new(Vec::new()));
        let log = seen.clone();
        bext_shards::rt::run(Default::default(), move |started| async move {
            let shard = Rc::new(Shard::new(
                0,
                None,
                started.driver,
                &me,
                &Default::default(),
            ));
            let stop = || Message::Stop {
                drain: Duration::ZERO,
            };
            // The peer's inbox holds one message: the second send is handed back.
            assert!(shard.send(1, stop()).is_ok());
            assert!(shard.send(1, stop()).is_err());
            // Retried: once the peer takes its first message, the retry gets in.
            let far = Instant::now() + Duration::from_secs(30);
            shard.send_until(1, stop(), far, "nothing");
            assert!(peer.try_recv().is_some());
            let deadline = Instant::now() + Duration::from_secs(30);
            while peer.try_recv().is_none() {
                assert!(Instant::now() < deadline, "the retry never got in");
                rt::sleep(Duration::from_millis(1)).await;
            }
            // A retry whose deadline has passed gives up, counted.
            assert!(shard.send(1, stop()).is_ok());
            shard.send_until(1, stop(), Instant::now(), "a test message");
            let deadline = Instant::now() + Duration::from_secs(30);
            while shard.metrics.borrow().mesh_dropped == 0 {
                assert!(Instant::now() < deadline, "the give-up was never counted");
                rt::sleep(Duration::from_millis(1)).await;
            }
            let m = shard.metrics.borrow();
            log.borrow_mut().push((m.mesh_full, m.mesh_dropped));
        })
        .expect("runtime starts");
        assert_eq!(*seen.borrow(), [(3, 1)]);
    }
}

/// What a shard of another node said about its subscribers.
#[derive(Debug)]
pub(crate) struct PresenceReport {
    pub node: String,
    pub shard: usize,
    pub counts: Vec<(String, u64)>,
}
