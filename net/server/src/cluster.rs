//! `[cluster]`: nodes behind one load balancer share cache invalidations, WAF bans,
//! realtime events and, with `share_pages`, the pages they make for their caches
//! (`service/shared_pages.rs`), through one Redis pub/sub channel.
//!
//! Two threads of their own, not the shards: a publisher that takes notes from the shards'
//! bounded queue ([`Outbox`], crossbeam's `ArrayQueue`, woken by `unpark`) and `PUBLISH`es
//! them, and a subscriber that reads the channel and hands each note to the shards over the
//! mesh's control sender, as the signal thread hands them a reload. The client is the
//! `redis` crate's synchronous one: these threads do nothing but wait on Redis, so an async
//! runtime would add a scheduler and buy nothing, and no shard ever calls Redis (a shard
//! only pushes onto the queue, which never blocks: a full queue drops the note, counted).
//!
//! **Losing Redis** degrades to one node: the loss is logged once, notes are dropped
//! (counted) while it is away, realtime events are published on this node only (the service
//! asks [`Outbox::is_up`]), and both threads reconnect with a backoff from
//! `CLUSTER_RECONNECT_MS_MIN` doubling to `CLUSTER_RECONNECT_MS_MAX`; the recovery is
//! logged too. What happened on other nodes while it was away is not replayed: pages they
//! invalidated meanwhile stay until they expire here.
//!
//! **TLS** (`rediss://`): the client's rustls, trusting the system's roots or the one
//! authority of `redis_ca`, and showing the certificate of `redis_client_cert` and
//! `redis_client_key` to a Redis that asks for one; all read when the settings are made, at
//! start and at each reload that changes them (a file that cannot be read, or a key that is
//! not the certificate's, stops the start or fails the reload). URLs are logged without
//! their password.
//!
//! **Reload.** The outbox lives as long as the process; a reload that changes `[cluster]`
//! (adds it, removes it, or changes any of its settings) hands the threads new settings
//! and moves a generation count: each thread drops its connection when it sees the count
//! move (within `CLUSTER_POLL_MS`) and connects with the new settings, or idles without a
//! `[cluster]`. Notes still queued go out on the new link; while there is no `[cluster]`
//! the shards queue nothing. Files the new settings name are read before anything changes,
//! so a reload whose `redis_ca` cannot be read fails and keeps the link as it was.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread::{self, Thread};
use std::time::Duration;

use crossbeam_queue::ArrayQueue;

use bext_core::cluster::{Envelope, Note, PageNote, redis_url_shown};
use bext_core::config::{ClientCert, ClusterConfig};
use bext_core::isr::Invalidate;
use bext_core::limits::{
    CLUSTER_PAGES_QUEUED_BYTES_MAX, CLUSTER_POLL_MS, CLUSTER_QUEUE_MAX, CLUSTER_RECONNECT_MS_MAX,
    CLUSTER_RECONNECT_MS_MIN, CLUSTER_REDIS_TIMEOUT_MS, CONTROL_SEND_DEADLINE_MS,
};
use bext_shards::clock;
use bext_shards::mesh::MeshSender;

use bext_core::realtime::wire::Published;

use crate::shard::mesh::{Message, PresenceReport};

/// The shards' side: where they leave notes for the other nodes. One per process, with or
/// without a `[cluster]` (then it takes nothing).
pub(crate) struct Outbox {
    queue: ArrayQueue<Note>,
    /// The publisher thread, woken when a note is queued (once the threads run).
    publisher: OnceLock<Thread>,
    /// The generation whose publisher is connected, plus one (0: none is). A flag would
    /// let a thread of the generation before a reload mark the new link up.
    publishing: AtomicU64,
    /// The same for the subscriber's subscription.
    subscribed: AtomicU64,
    /// Notes dropped: the queue was full, or Redis was away.
    pub dropped: AtomicU64,
    /// Notes sent to Redis, and received from other nodes.
    pub sent: AtomicU64,
    pub received: AtomicU64,
    /// `[cluster] share_pages`, as configured now.
    share_pages: AtomicBool,
    /// Bytes of the page notes queued now (`CLUSTER_PAGES_QUEUED_BYTES_MAX`).
    pages_queued_bytes: AtomicUsize,
    /// Pages this node's shards offered (queued for Redis).
    pub pages_offered: AtomicU64,
    /// Pages other nodes offered that this node's caches kept.
    pub pages_kept: AtomicU64,
    /// There is a `[cluster]` now.
    configured: AtomicBool,
    /// Moves whenever the settings change: a thread on an older generation reconnects.
    generation: AtomicU64,
    /// The settings the threads connect with (`None`: no `[cluster]`). Read by the two
    /// threads when they connect, written by [`configure`]; the shards never touch it.
    settings: Mutex<Option<Arc<Settings>>>,
    /// The `[cluster]` the settings were made from, to tell whether a reload changed it.
    config: Mutex<Option<ClusterConfig>>,
    /// Where the subscriber hands notes to the shards.
    control: MeshSender<Message>,
}

impl Outbox {
    /// Queues `note` for the other nodes; false if the queue is full (counted), or if there
    /// is no `[cluster]`.
    pub fn send(&self, note: Note) -> bool {
        if !self.is_configured() {
            return false;
        }
        let queued = self.queue.push(note).is_ok();
        if !queued {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(publisher) = self.publisher.get() {
            publisher.unpark();
        }
        queued
    }

    /// Queues a page for the other nodes, unless the pages already queued hold
    /// `CLUSTER_PAGES_QUEUED_BYTES_MAX` (then it is dropped and counted, as a full queue's
    /// notes are).
    pub fn offer_page(&self, page: PageNote) -> bool {
        let bytes = page_bytes(&page);
        let before = self.pages_queued_bytes.fetch_add(bytes, Ordering::AcqRel);
        if before + bytes > CLUSTER_PAGES_QUEUED_BYTES_MAX {
            self.pages_queued_bytes.fetch_sub(bytes, Ordering::AcqRel);
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        // (`send` counts a full queue itself.)
        if !self.send(Note::Page(Box::new(page))) {
            self.pages_queued_bytes.fetch_sub(bytes, Ordering::AcqRel);
            return false;
        }
        self.pages_offered.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// A note left the queue (sent, or dropped): a page's bytes are no longer queued.
    fn dequeued(&self, note: &Note) {
        if let Note::Page(page) = note {
            self.pages_queued_bytes
                .fetch_sub(page_bytes(page), Ordering::AcqRel);
        }
    }

    /// There is a `[cluster]`.
    pub fn is_configured(&self) -> bool {
        self.configured.load(Ordering::Acquire)
    }

    /// `[cluster] share_pages`.
    pub fn share_pages(&self) -> bool {
        self.share_pages.load(Ordering::Acquire)
    }

    /// The cluster's lines for `/__bext/metrics` (none without a `[cluster]`).
    pub fn render_prometheus(&self) -> String {
        if !self.is_configured() {
            return String::new();
        }
        format!(
            "# HELP bext_cluster_up Whether this node has Redis both ways (1) or serves alone (0).\n\
             # TYPE bext_cluster_up gauge\nbext_cluster_up {}\n\
             # HELP bext_cluster_notes_sent_total Notes published to the other nodes.\n\
             # TYPE bext_cluster_notes_sent_total counter\nbext_cluster_notes_sent_total {}\n\
             # HELP bext_cluster_notes_received_total Notes received from other nodes.\n\
             # TYPE bext_cluster_notes_received_total counter\nbext_cluster_notes_received_total {}\n\
             # HELP bext_cluster_dropped_total Notes dropped: a full queue, or Redis away.\n\
             # TYPE bext_cluster_dropped_total counter\nbext_cluster_dropped_total {}\n\
             # HELP bext_cluster_pages_offered_total Pages this node made and offered to the others (share_pages).\n\
             # TYPE bext_cluster_pages_offered_total counter\nbext_cluster_pages_offered_total {}\n\
             # HELP bext_cluster_pages_kept_total Pages other nodes offered that this node kept (share_pages).\n\
             # TYPE bext_cluster_pages_kept_total counter\nbext_cluster_pages_kept_total {}\n",
            u8::from(self.is_up()),
            self.sent.load(Ordering::Relaxed),
            self.received.load(Ordering::Relaxed),
            self.dropped.load(Ordering::Relaxed),
            self.pages_offered.load(Ordering::Relaxed),
            self.pages_kept.load(Ordering::Relaxed),
        )
    }

    /// Whether Redis is there both ways: a note sent now reaches the other nodes, and this
    /// one hears theirs.
    pub fn is_up(&self) -> bool {
        self.is_configured()
            && self.publishing.load(Ordering::Acquire) == self.generation() + 1
            && self.subscribed.load(Ordering::Acquire) == self.generation() + 1
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The settings now, with their generation.
    fn current(&self) -> (u64, Option<Arc<Settings>>) {
        let settings = self.settings.lock().unwrap_or_else(PoisonError::into_inner);
        (self.generation(), settings.clone())
    }

    /// The next queued note.
    fn pop(&self) -> Option<Note> {
        let note = self.queue.pop()?;
        self.dequeued(&note);
        Some(note)
    }

    /// While Redis is away, what the shards queue is dropped (counted), not kept for later.
    fn drop_queued(&self) {
        while self.pop().is_some() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Waits `wait`, or less if the settings change meanwhile.
    fn wait_unless_reconfigured(&self, generation: u64, wait: Duration) {
        let until = std::time::Instant::now() + wait;
        while self.generation() == generation {
            let left = until.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return;
            }
            thread::park_timeout(left.min(POLL));
        }
    }
}

/// The outbox of this process: `[cluster]` from `config` if there is one (see
/// [`configure`]), the threads started with it. Fails as [`configure`] does.
pub(crate) fn start(
    config: Option<&ClusterConfig>,
    control: MeshSender<Message>,
) -> Result<Arc<Outbox>, String> {
    let outbox = Arc::new(Outbox {
        queue: ArrayQueue::new(CLUSTER_QUEUE_MAX),
        publisher: OnceLock::new(),
        publishing: AtomicU64::new(0),
        subscribed: AtomicU64::new(0),
        dropped: AtomicU64::new(0),
        sent: AtomicU64::new(0),
        received: AtomicU64::new(0),
        share_pages: AtomicBool::new(false),
        pages_queued_bytes: AtomicUsize::new(0),
        pages_offered: AtomicU64::new(0),
        pages_kept: AtomicU64::new(0),
        configured: AtomicBool::new(false),
        generation: AtomicU64::new(0),
        settings: Mutex::new(None),
        config: Mutex::new(None),
        control,
    });
    configure(&outbox, config)?;
    Ok(outbox)
}

/// Makes `config` the cluster's (at start, and at each reload): when it differs from the
/// one in use, the threads get the new settings (started the first time there is a
/// `[cluster]`). Fails, changing nothing, on a `redis_ca` or client certificate that cannot
/// be read (or a key that is not the certificate's).
pub(crate) fn configure(
    outbox: &Arc<Outbox>,
    config: Option<&ClusterConfig>,
) -> Result<(), String> {
    let mut current = outbox.config.lock().unwrap_or_else(PoisonError::into_inner);
    if current.as_ref() == config {
        return Ok(());
    }
    let settings = config.map(Settings::new).transpose()?;
    let shown = settings.as_ref().map(|s| s.shown.clone());
    outbox
        .share_pages
        .store(config.is_some_and(|c| c.share_pages), Ordering::Release);
    *outbox
        .settings
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = settings.map(Arc::new);
    outbox.configured.store(config.is_some(), Ordering::Release);
    outbox.generation.fetch_add(1, Ordering::AcqRel);
    let was = current.is_some();
    *current = config.cloned();
    drop(current);
    match (&shown, was) {
        (Some(url), true) => eprintln!("bext: cluster: reloaded; now with Redis at {url}"),
        (None, true) => {
            eprintln!("bext: cluster: reloaded without [cluster]; this node serves alone")
        }
        _ => {}
    }
    // The threads start with the first `[cluster]`, and then live as long as the process.
    if shown.is_some() && outbox.publisher.get().is_none() {
        start_threads(outbox);
    } else if let Some(publisher) = outbox.publisher.get() {
        publisher.unpark();
    }
    Ok(())
}

fn start_threads(outbox: &Arc<Outbox>) {
    let publisher = outbox.clone();
    match thread::Builder::new()
        .name("bext-cluster-pub".into())
        .spawn(move || publish_loop(&publisher))
    {
        Ok(handle) => {
            let _ = outbox.publisher.set(handle.thread().clone());
        }
        Err(e) => eprintln!("bext: cluster: cannot start the publisher thread: {e}"),
    }
    let subscriber = outbox.clone();
    if let Err(e) = thread::Builder::new()
        .name("bext-cluster-sub".into())
        .spawn(move || subscribe_loop(&subscriber))
    {
        eprintln!("bext: cluster: cannot start the subscriber thread: {e}");
    }
}

fn default_node() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let host: String = host
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
        .take(40)
        .collect();
    format!("{host}-{}", std::process::id())
}

/// `redis_client_cert` and `redis_client_key` read, and checked the way bext's own TLS
/// reads a chain and key (so that a key that is not the certificate's stops the start
/// rather than every connection), for the `redis` crate, which takes them as PEM.
fn client_tls(files: &ClientCert) -> Result<redis::ClientTlsConfig, String> {
    let error = |e: String| format!("[cluster] redis_client_cert/redis_client_key: {e}");
    let auth = crate::upstream::read_client_auth(&files.cert, &files.key).map_err(error)?;
    crate::upstream::client_config(
        Arc::new(rustls::RootCertStore::empty()),
        Some(&auth),
        crate::upstream::ALPN_HTTP1,
    )
    .map_err(|e| format!("[cluster] redis_client_key: {}: {e}", files.key.display()))?;
    let read = |path: &std::path::Path| {
        std::fs::read(path).map_err(|e| error(format!("{}: {e}", path.display())))
    };
    Ok(redis::ClientTlsConfig {
        client_cert: read(&files.cert)?,
        client_key: read(&files.key)?,
    })
}

/// What the threads connect with: one `[cluster]`'s settings, its files read.
struct Settings {
    url: String,
    shown: String,
    root_cert: Option<Vec<u8>>,
    client_tls: Option<redis::ClientTlsConfig>,
    channel: String,
    node: String,
}

impl Settings {
    fn new(config: &ClusterConfig) -> Result<Settings, String> {
        let root_cert =
            match &config.redis_ca {
                Some(path) => Some(std::fs::read(path).map_err(|e| {
                    format!("[cluster] redis_ca: cannot read {}: {e}", path.display())
                })?),
                None => None,
            };
        let client_tls = match &config.redis_client_cert {
            Some(files) => Some(client_tls(files)?),
            None => None,
        };
        if config.redis.starts_with("rediss://") {
            crate::transport::tls::certs::install_default_provider();
        }
        Ok(Settings {
            url: config.redis.clone(),
            shown: redis_url_shown(&config.redis),
            root_cert,
            client_tls,
            channel: config.channel.clone(),
            node: config.node.clone().unwrap_or_else(default_node),
        })
    }

    fn connect(&self) -> Result<redis::Connection, String> {
        let client = match (&self.root_cert, &self.client_tls) {
            (None, None) => redis::Client::open(self.url.as_str()),
            (root_cert, client_tls) => redis::Client::build_with_tls(
                self.url.as_str(),
                redis::TlsCertificates {
                    client_tls: client_tls.as_ref().map(|c| redis::ClientTlsConfig {
                        client_cert: c.client_cert.clone(),
                        client_key: c.client_key.clone(),
                    }),
                    root_cert: root_cert.clone(),
                },
            ),
        }
        .map_err(|e| e.to_string())?;
        let connection = client
            .get_connection_with_timeout(TIMEOUT)
            .map_err(|e| e.to_string())?;
        connection
            .set_write_timeout(Some(TIMEOUT))
            .and_then(|()| connection.set_read_timeout(Some(TIMEOUT)))
            .map_err(|e| e.to_string())?;
        Ok(connection)
    }
}

/// One generation of the link as the threads use it: its settings and the outbox.
struct Link<'a> {
    settings: &'a Settings,
    outbox: &'a Outbox,
}

const TIMEOUT: Duration = Duration::from_millis(CLUSTER_REDIS_TIMEOUT_MS);
const POLL: Duration = Duration::from_millis(CLUSTER_POLL_MS);

/// One thread's attempts at its link: it says once that Redis went away and once that it
/// came back, and spaces its attempts (`CLUSTER_RECONNECT_MS_MIN`, doubling to
/// `CLUSTER_RECONNECT_MS_MAX`); new settings start afresh.
struct Tries {
    what: &'static str,
    lost: bool,
    backoff: u64,
    generation: u64,
}

impl Tries {
    fn new(what: &'static str, outbox: &Outbox) -> Tries {
        Tries {
            what,
            lost: false,
            backoff: CLUSTER_RECONNECT_MS_MIN,
            generation: outbox.generation(),
        }
    }

    /// The settings to connect with now, and their generation.
    fn settings(&mut self, outbox: &Outbox) -> (u64, Option<Arc<Settings>>) {
        let (generation, settings) = outbox.current();
        if generation != self.generation {
            self.generation = generation;
            self.lost = false;
            self.backoff = CLUSTER_RECONNECT_MS_MIN;
        }
        (generation, settings)
    }

    fn lost(&mut self, url: &str, why: &str) {
        if !self.lost {
            self.lost = true;
            eprintln!(
                "bext: cluster: {} lost Redis at {url} ({why}); this node serves alone until it \
                 is back",
                self.what
            );
        }
    }

    fn back(&mut self, url: &str) {
        self.backoff = CLUSTER_RECONNECT_MS_MIN;
        if self.lost {
            self.lost = false;
            eprintln!("bext: cluster: {} has Redis at {url} again", self.what);
        }
    }

    /// After a failed attempt: the backoff (cut short by new settings), doubled for the next.
    fn wait(&mut self, outbox: &Outbox) {
        outbox.wait_unless_reconfigured(self.generation, Duration::from_millis(self.backoff));
        self.backoff = (self.backoff * 2).min(CLUSTER_RECONNECT_MS_MAX);
    }
}

fn publish_loop(outbox: &Outbox) {
    let mut tries = Tries::new("the publisher", outbox);
    let mut again: Option<Note> = None;
    loop {
        let (generation, settings) = tries.settings(outbox);
        let Some(settings) = settings else {
            // No `[cluster]`: the shards queue nothing; wait for one.
            outbox.drop_queued();
            outbox.wait_unless_reconfigured(generation, POLL);
            continue;
        };
        let mut connection = match settings.connect() {
            Ok(connection) => connection,
            Err(why) => {
                tries.lost(&settings.shown, &why);
                if again.take().is_some() {
                    outbox.dropped.fetch_add(1, Ordering::Relaxed);
                }
                outbox.drop_queued();
                tries.wait(outbox);
                continue;
            }
        };
        tries.back(&settings.shown);
        outbox.publishing.store(generation + 1, Ordering::Release);
        let retried = again.is_some();
        'connected: while outbox.generation() == generation {
            while let Some(note) = again.take().or_else(|| outbox.pop()) {
                let envelope = Envelope {
                    node: settings.node.clone(),
                    note,
                };
                let sent: redis::RedisResult<i64> = redis::cmd("PUBLISH")
                    .arg(&settings.channel)
                    .arg(envelope.encode())
                    .query(&mut connection);
                match sent {
                    Ok(_) => {
                        outbox.sent.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => {
                        mark_down(&outbox.publishing, generation);
                        if retried {
                            outbox.dropped.fetch_add(1, Ordering::Relaxed);
                        } else {
                            again = Some(envelope.note);
                        }
                        tries.lost(&settings.shown, &e.to_string());
                        break 'connected;
                    }
                }
            }
            thread::park_timeout(POLL);
        }
    }
}

/// A thread of `generation` lost its link: its mark goes, unless a newer one's replaced it.
fn mark_down(mark: &AtomicU64, generation: u64) {
    let _ = mark.compare_exchange(generation + 1, 0, Ordering::AcqRel, Ordering::Acquire);
}

fn subscribe_loop(outbox: &Outbox) {
    let mut tries = Tries::new("the subscriber", outbox);
    loop {
        let (generation, settings) = tries.settings(outbox);
        let Some(settings) = settings else {
            outbox.wait_unless_reconfigured(generation, POLL);
            continue;
        };
        let link = Link {
            settings: &settings,
            outbox,
        };
        let why = match settings.connect() {
            Ok(mut connection) => {
                let mut pubsub = connection.as_pubsub();
                match pubsub
                    .subscribe(&settings.channel)
                    .and_then(|()| pubsub.set_read_timeout(Some(POLL)))
                {
                    Ok(()) => {
                        tries.back(&settings.shown);
                        outbox.subscribed.store(generation + 1, Ordering::Release);
                        let why = loop {
                            if outbox.generation() != generation {
                                break None;
                            }
                            match pubsub.get_message() {
                                Ok(message) => link.received(message.get_payload_bytes()),
                                Err(e) if e.is_timeout() => {}
                                Err(e) => break Some(e.to_string()),
                            }
                        };
                        mark_down(&outbox.subscribed, generation);
                        why
                    }
                    Err(e) => Some(e.to_string()),
                }
            }
            Err(why) => Some(why),
        };
        // `None`: the settings changed; connect with the new ones at once.
        if let Some(why) = why {
            tries.lost(&settings.shown, &why);
            tries.wait(outbox);
        }
    }
}

impl Link<'_> {
    /// A note from the channel, handed to the shards.
    fn received(&self, payload: &[u8]) {
        let Some(envelope) = Envelope::decode(payload) else {
            return;
        };
        let own = envelope.node == self.settings.node;
        if !own {
            self.outbox.received.fetch_add(1, Ordering::Relaxed);
        }
        let shards = self.outbox.control.shards();
        match envelope.note {
            // Its own too: every node numbers a topic's events in Redis's order.
            Note::Publish { topic, event, data } => {
                let to = bext_core::realtime::owner(&topic, shards);
                let message = Message::RealtimePublish(Box::new(Published {
                    topic,
                    name: event,
                    data: data.into(),
                }));
                self.send(to, message);
            }
            _ if own => {}
            Note::Invalidate { site, tag, path } => {
                let what = match (tag, path) {
                    (Some(tag), None) => Invalidate::Tag(tag),
                    (None, Some(path)) => Invalidate::Path(path),
                    _ => return,
                };
                for to in 0..shards {
                    self.send(
                        to,
                        Message::ClusterInvalidate {
                            site,
                            what: what.clone(),
                        },
                    );
                }
            }
            Note::Ban { ip, secs } => {
                let until_ms = clock::monotonic_ms().saturating_add(secs.saturating_mul(1000));
                for to in 0..shards {
                    self.send(to, Message::Ban { ip, until_ms });
                }
            }
            // Only to the shard that owns its key; with `share_pages` off, not kept at all.
            Note::Page(page) if self.outbox.share_pages() => {
                let hash = crate::service::isr_hasher()
                    .key(page.site, page.key.as_bytes())
                    .hash();
                let to = bext_core::isr::owner_shard(hash, shards);
                // An offer is not worth waiting for: a full inbox drops it (counted).
                if self
                    .outbox
                    .control
                    .send(to, Message::ClusterPage(page))
                    .is_err()
                {
                    self.outbox.dropped.fetch_add(1, Ordering::Relaxed);
                }
            }
            Note::Page(_) => {}
            Note::Presence { shard, counts } => {
                let report = Arc::new(PresenceReport {
                    node: envelope.node,
                    shard,
                    counts,
                });
                for to in 0..shards {
                    // Not worth waiting for: the node's next report replaces it.
                    if self
                        .outbox
                        .control
                        .send(to, Message::ClusterPresence(report.clone()))
                        .is_err()
                    {
                        self.outbox.dropped.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }
    }

    /// Sends to a shard, retrying a full inbox until `CONTROL_SEND_DEADLINE_MS`.
    fn send(&self, to: usize, mut message: Message) {
        let deadline = std::time::Instant::now() + Duration::from_millis(CONTROL_SEND_DEADLINE_MS);
        loop {
            match self.outbox.control.send(to, message) {
                Ok(()) => return,
                Err(full) if std::time::Instant::now() < deadline => {
                    message = full.0;
                    thread::sleep(Duration::from_millis(1));
                }
                Err(_) => {
                    self.outbox.dropped.fetch_add(1, Ordering::Relaxed);
                    eprintln!("bext: cluster: shard {to}'s inbox stayed full; a note was dropped");
                    return;
                }
            }
        }
    }
}

/// What a page note counts against `CLUSTER_PAGES_QUEUED_BYTES_MAX`: its encoded body and
/// fields.
fn page_bytes(page: &PageNote) -> usize {
    page.body.len()
        + page
            .fields
            .iter()
            .map(|(n, v)| n.len() + v.len())
            .sum::<usize>()
}
