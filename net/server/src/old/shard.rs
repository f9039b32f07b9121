//! One shard's state and main loop.
//!
//! Everything here is owned by the shard's thread (`Rc`, `Cell`, `RefCell`): the current
//! snapshot, the Date line, the file cache, counters, the access-log buffer. The main loop
//! starts an accept loop per listener and a one-second ticker, then serves mesh messages until
//! told to stop.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bext_core::limits::{DEADLINE_SWEEP_MS_MAX, DEADLINE_SWEEP_MS_MIN, MESH_REPLY_TIMEOUT_MS};
use bext_core::metrics::Metrics;
use bext_shards::deadlines::Deadlines;
use bext_shards::file_cache::FileCache;
use bext_shards::mesh::{MeshReceiver, MeshSender};
use bext_shards::rt::{self, Driver, Started, TcpListener};
use bext_shards::shard::Placement;

use bext_core::isr::{IsrCache, IsrConfig, KeyHasher};

use super::Message;
use super::app::{self, AppEngine};
use super::log::AccessLogBuffer;
use super::snapshot::Snapshot;
use super::static_files::CachedFile;
use crate::h1::DateCache;

/// Said once per process, by whichever shard sees it first.
static LEGACY_DRIVER_REPORTED: AtomicBool = AtomicBool::new(false);

/// How often a draining shard checks whether its in-flight requests are done.
const DRAIN_POLL_INTERVAL: Duration = Duration::from_millis(5);
const SWEEP_INTERVAL_MIN: Duration = Duration::from_millis(DEADLINE_SWEEP_MS_MIN);
const SWEEP_INTERVAL_MAX: Duration = Duration::from_millis(DEADLINE_SWEEP_MS_MAX);

pub(crate) struct Shard {
    pub id: usize,
    pub snapshot: RefCell<Arc<Snapshot>>,
    pub date: RefCell<DateCache>,
    pub cache: RefCell<FileCache<CachedFile>>,
    pub metrics: RefCell<Metrics>,
    pub log: RefCell<AccessLogBuffer>,
    pub driver: Driver,
    /// Set once a Stop arrives: finish what is in flight, accept nothing new.
    pub draining: Cell<bool>,
    pub stop: StopSignal,
    /// Connections in the middle of a request (bytes of it read, or its answer unwritten).
    pub busy_connections: Cell<usize>,
    /// Every connection's deadline, swept by `sweeper`.
    pub deadlines: Deadlines,
    /// Output buffers lent to connections while they write.
    pub out_pool: RefCell<Vec<Vec<u8>>>,
    /// Counts snapshot swaps; a dev server's reload streams wait on it.
    pub reloads: Generation,
    /// Each app site's engine on this shard, by site index.
    pub apps: RefCell<Vec<Option<Rc<AppEngine>>>>,
    /// Rendered pages of every app site of this shard.
    pub isr: RefCell<IsrCache>,
    /// Counts finished ISR fills; requests waiting on another's render wait on it.
    pub fills_done: Generation,
    /// Pages asked of owner shards and not yet answered, by request id.
    pub mesh_fills: RefCell<HashMap<u64, app::MeshFill>>,
    mesh: MeshSender<Message>,
    next_request_id: Cell<u64>,
    pending_metrics: RefCell<HashMap<u64, PendingMetrics>>,
}

struct PendingMetrics {
    merged: Metrics,
    awaiting: usize,
    waker: Option<Waker>,
}

pub(crate) async fn run_shard(
    placement: Placement,
    started: Started,
    snapshot: Arc<Snapshot>,
    listeners: Vec<std::net::TcpListener>,
    receiver: MeshReceiver<Message>,
    ready: impl FnOnce(),
) {
    if started.driver == Driver::Legacy && !LEGACY_DRIVER_REPORTED.swap(true, Ordering::Relaxed) {
        eprintln!("bext: io_uring is unavailable here; shards run on the epoll driver (slower)");
    }
    let limits = snapshot.config.server.limits;
    let log = AccessLogBuffer::open(&snapshot.config.server);
    let isr = new_isr(&snapshot);
    let shard = Rc::new(Shard {
        id: placement.id,
        cache: RefCell::new(FileCache::new(
            snapshot.config.sites.len(),
            limits.file_cache_bytes_max,
            limits.file_cache_entry_bytes_max,
        )),
        snapshot: RefCell::new(snapshot),
        date: RefCell::new(DateCache::new(unix_now())),
        metrics: RefCell::new(Metrics::new()),
        log: RefCell::new(log),
        driver: started.driver,
        draining: Cell::new(false),
        stop: StopSignal::default(),
        busy_connections: Cell::new(0),
        out_pool: RefCell::new(Vec::new()),
        reloads: Generation::default(),
        apps: RefCell::new(Vec::new()),
        isr: RefCell::new(isr),
        fills_done: Generation::default(),
        mesh_fills: RefCell::new(HashMap::new()),
        deadlines: Deadlines::new(),
        mesh: receiver.sender(),
        next_request_id: Cell::new(0),
        pending_metrics: RefCell::new(HashMap::new()),
    });
    // Engines are created and loaded before the shard says it is ready, so no request waits
    // for one.
    shard.load_apps();
    ready();
    for listener in listeners {
        match TcpListener::from_std(listener) {
            Ok(listener) => rt::spawn(accept_loop(shard.clone(), listener)),
            Err(e) => eprintln!("bext: shard {}: listener unusable: {e}", shard.id),
        }
    }
    rt::spawn(ticker(shard.clone()));
    rt::spawn(sweeper(shard.clone()));
    let drain = loop {
        match receiver.recv().await {
            Message::Reload(snapshot) => shard.reload(snapshot),
            Message::Stop { drain } => break drain,
            Message::MetricsRequest { from, id } => {
                let copy = shard.metrics_now();
                let _ = shard.mesh.send(
                    from,
                    Message::MetricsReply {
                        id,
                        metrics: Box::new(copy),
                    },
                );
            }
            Message::MetricsReply { id, metrics } => shard.metrics_reply(id, &metrics),
            Message::FillRequest {
                from,
                id,
                site,
                request,
            } => app::handle_fill_request(&shard, from, id, site, request),
            Message::FillReply { id, reply } => app::handle_fill_reply(&shard, id, reply),
            Message::Invalidate { site, what } => {
                app::invalidate(&shard, site, &what);
            }
        }
    };
    shard.draining.set(true);
    shard.stop.fire();
    let deadline = Instant::now() + drain;
    while shard.busy_connections.get() > 0 && Instant::now() < deadline {
        // Keep answering peers while draining, so their scrapes don't stall on us.
        while let Some(message) = receiver.try_recv() {
            if let Message::MetricsRequest { from, id } = message {
                let copy = shard.metrics_now();
                let _ = shard.mesh.send(
                    from,
                    Message::MetricsReply {
                        id,
                        metrics: Box::new(copy),
                    },
                );
            }
        }
        rt::sleep(DRAIN_POLL_INTERVAL).await;
    }
    shard.log.borrow_mut().flush();
    // Returning ends the executor: idle keep-alive connections are closed with it.
}

async fn accept_loop(shard: Rc<Shard>, listener: TcpListener) {
    loop {
        let accepted = race(listener.accept(), shard.stop.wait()).await;
        let Some(accepted) = accepted else { return };
        match accepted {
            Ok((stream, peer)) => {
                let limit = shard
                    .snapshot
                    .borrow()
                    .config
                    .server
                    .limits
                    .connections_per_shard_max;
                let mut metrics = shard.metrics.borrow_mut();
                metrics.connections_accepted += 1;
                if metrics.connections_open as usize >= limit {
                    metrics.connections_refused += 1;
                    drop(stream);
                    continue;
                }
                metrics.connections_open += 1;
                drop(metrics);
                let _ = stream.set_nodelay(true);
                rt::spawn(super::conn::serve(shard.clone(), stream, peer));
            }
            Err(e) => {
                // EMFILE and friends: back off briefly instead of spinning.
                eprintln!("bext: shard {}: accept failed: {e}", shard.id);
                rt::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// Once a second: the Date line, and the access-log flush.
async fn ticker(shard: Rc<Shard>) {
    loop {
        rt::sleep(Duration::from_millis(1000)).await;
        shard.date.borrow_mut().update(unix_now());
        shard.log.borrow_mut().flush();
        shard.isr.borrow_mut().sweep(app::clock_ms());
    }
}

/// Fires connection deadlines. The interval is a quarter of the shortest configured timeout
/// (within `SWEEP_INTERVAL_MIN..=SWEEP_INTERVAL_MAX`), so a deadline fires at most 25% late.
async fn sweeper(shard: Rc<Shard>) {
    loop {
        let interval = {
            let t = shard.snapshot.borrow().config.server.timeouts;
            let shortest = [
                t.header_read_timeout_ms,
                t.body_idle_timeout_ms,
                t.keepalive_idle_timeout_ms,
                t.write_stall_timeout_ms,
            ]
            .into_iter()
            .min()
            .unwrap_or(SWEEP_INTERVAL_MAX.as_millis() as u64);
            Duration::from_millis(shortest / 4).clamp(SWEEP_INTERVAL_MIN, SWEEP_INTERVAL_MAX)
        };
        rt::sleep(interval).await;
        shard.deadlines.sweep(Instant::now());
    }
}

pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Shard {
    fn reload(&self, snapshot: Arc<Snapshot>) {
        let limits = snapshot.config.server.limits;
        *self.cache.borrow_mut() = FileCache::new(
            snapshot.config.sites.len(),
            limits.file_cache_bytes_max,
            limits.file_cache_entry_bytes_max,
        );
        self.log.borrow_mut().reconfigure(&snapshot.config.server);
        // Sites may be renumbered and apps rebuilt: cached pages are not carried over.
        *self.isr.borrow_mut() = new_isr(&snapshot);
        *self.snapshot.borrow_mut() = snapshot;
        self.load_apps();
        self.reloads.bump();
    }

    /// Makes sure each app site of the current snapshot has its engine, loaded with that
    /// app; engines of apps that did not change are kept.
    fn load_apps(&self) {
        let snapshot = self.snapshot.borrow().clone();
        let mut apps = self.apps.borrow_mut();
        let mut next = Vec::with_capacity(snapshot.site_runtime.len());
        for runtime in &snapshot.site_runtime {
            let engine = runtime.app.as_ref().map(|site| {
                let kept = apps
                    .iter()
                    .flatten()
                    .find(|e| Arc::ptr_eq(&e.app, &site.app));
                match kept {
                    Some(engine) => engine.clone(),
                    None => Rc::new(AppEngine::new(site)),
                }
            });
            next.push(engine);
        }
        *apps = next;
    }

    /// The engine of app site `site`.
    pub fn app_engine(&self, site: usize) -> Option<Rc<AppEngine>> {
        self.apps.borrow().get(site).cloned().flatten()
    }

    /// How many shards the server runs.
    pub fn shards(&self) -> usize {
        self.mesh.shards()
    }

    /// Sends a message to shard `to`; false if its inbox is full.
    pub fn send(&self, to: usize, message: Message) -> bool {
        self.mesh.send(to, message).is_ok()
    }

    /// A fresh id for a request to another shard.
    pub fn next_mesh_id(&self) -> u64 {
        let id = self.next_request_id.get();
        self.next_request_id.set(id + 1);
        id
    }

    fn metrics_now(&self) -> Metrics {
        let mut copy = self.metrics.borrow().clone();
        copy.shards_reporting = 1;
        copy.isr = self.isr.borrow().stats();
        copy
    }

    /// This shard's counters merged with every peer's, asked for over the mesh. Peers that do
    /// not answer within `MESH_REPLY_TIMEOUT_MS` (or whose inbox is full) are left out; the
    /// `shards_reporting` count says so.
    pub async fn collect_metrics(self: &Rc<Self>) -> (Metrics, usize) {
        let shards = self.mesh.shards();
        let id = self.next_request_id.get();
        self.next_request_id.set(id + 1);
        let mut asked = 0;
        for to in (0..shards).filter(|&to| to != self.id) {
            if self
                .mesh
                .send(to, Message::MetricsRequest { from: self.id, id })
                .is_ok()
            {
                asked += 1;
            }
        }
        self.pending_metrics.borrow_mut().insert(
            id,
            PendingMetrics {
                merged: self.metrics_now(),
                awaiting: asked,
                waker: None,
            },
        );
        let wait = WaitMetrics { shard: self, id };
        let _ = rt::timeout(Duration::from_millis(MESH_REPLY_TIMEOUT_MS), wait).await;
        let pending = self.pending_metrics.borrow_mut().remove(&id);
        (
            pending
                .map(|p| p.merged)
                .unwrap_or_else(|| self.metrics_now()),
            shards,
        )
    }

    fn metrics_reply(&self, id: u64, metrics: &Metrics) {
        let mut pending = self.pending_metrics.borrow_mut();
        // A reply after the timeout finds nothing: the scrape was answered without it.
        if let Some(p) = pending.get_mut(&id) {
            p.merged.merge(metrics);
            p.awaiting = p.awaiting.saturating_sub(1);
            if p.awaiting == 0
                && let Some(waker) = p.waker.take()
            {
                waker.wake();
            }
        }
    }
}

struct WaitMetrics<'a> {
    shard: &'a Shard,
    id: u64,
}

impl Future for WaitMetrics<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut pending = self.shard.pending_metrics.borrow_mut();
        match pending.get_mut(&self.id) {
            Some(p) if p.awaiting > 0 => {
                p.waker = Some(cx.waker().clone());
                Poll::Pending
            }
            _ => Poll::Ready(()),
        }
    }
}

/// A shard-wide "stop" flag that accept loops can wait on. Only accept loops wait (a handful
/// per shard), so wakers are kept in a short list and replaced on each poll.
#[derive(Default)]
pub(crate) struct StopSignal {
    fired: Cell<bool>,
    wakers: RefCell<Vec<Waker>>,
}

impl StopSignal {
    pub fn fire(&self) {
        self.fired.set(true);
        for waker in self.wakers.borrow_mut().drain(..) {
            waker.wake();
        }
    }

    pub fn wait(&self) -> StopWait<'_> {
        StopWait { signal: self }
    }
}

pub(crate) struct StopWait<'a> {
    signal: &'a StopSignal,
}

impl Future for StopWait<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.signal.fired.get() {
            return Poll::Ready(());
        }
        let mut wakers = self.signal.wakers.borrow_mut();
        if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
            wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

/// The ISR cache for a snapshot's `[render]` settings. Every shard hashes keys with the same
/// process-wide key, so all agree on each key's owner.
fn new_isr(snapshot: &Snapshot) -> IsrCache {
    static HASHER: std::sync::OnceLock<KeyHasher> = std::sync::OnceLock::new();
    let hasher = HASHER
        .get_or_init(|| KeyHasher::new(std::hash::RandomState::new()))
        .clone();
    let config = IsrConfig {
        bytes_max: snapshot.config.render.isr_bytes_max,
        ..IsrConfig::default()
    };
    IsrCache::new(config, hasher)
}

/// A counter that tasks can wait to see pass a value they saw (a dev server's reload streams,
/// a few per shard).
#[derive(Default)]
pub(crate) struct Generation {
    value: Cell<u64>,
    wakers: RefCell<Vec<Waker>>,
}

impl Generation {
    pub fn get(&self) -> u64 {
        self.value.get()
    }

    pub fn bump(&self) {
        self.value.set(self.value.get() + 1);
        for waker in self.wakers.borrow_mut().drain(..) {
            waker.wake();
        }
    }

    /// Resolves once the value is past `seen`.
    pub async fn changed(&self, seen: u64) {
        std::future::poll_fn(|cx| {
            if self.value.get() > seen {
                return Poll::Ready(());
            }
            let mut wakers = self.wakers.borrow_mut();
            if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
                wakers.push(cx.waker().clone());
            }
            Poll::Pending
        })
        .await
    }
}

/// Polls `work` and `stop` together: `Some(output)` if `work` finished first, `None` if
/// `stop` did (and `work` is dropped).
pub(crate) async fn race<F: Future, S: Future<Output = ()>>(work: F, stop: S) -> Option<F::Output> {
    let mut work = std::pin::pin!(work);
    let mut stop = std::pin::pin!(stop);
    std::future::poll_fn(move |cx| {
        if let Poll::Ready(output) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        if stop.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Poll::Pending
    })
    .await
}
