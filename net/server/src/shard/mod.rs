//! One shard: its runtime state and its main loop.
//!
//! [`Shard`] holds what every layer above needs from the runtime and nothing about requests:
//! the Date line, counters, the access-log buffer, connection deadlines, a pool of output
//! buffers, the drain state and the shard's end of the mesh. Everything is owned by the
//! shard's thread (`Rc`, `Cell`, `RefCell`). Request logic lives in the service
//! (`crate::service`), which holds an `Rc<Shard>`; [`run`] wires the two together: it starts
//! the accept loops, a ticker and the deadline sweep, then serves mesh messages until told to
//! stop, and drains.

mod accept;
pub(crate) mod guard;
pub(crate) mod mesh;
pub(crate) mod metrics;

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bext_core::config::ServerConfig;
use bext_core::limits::{
    DEADLINE_SWEEP_MS_MAX, DEADLINE_SWEEP_MS_MIN, DRAIN_POLL_INTERVAL_MS,
    OUT_POOL_BUFFER_BYTES_MAX, OUT_POOL_BUFFERS_MAX,
};
use bext_core::metrics::Metrics;
use bext_net::h1::DateCache;

use crate::kernel::ShardKernel;
use bext_shards::clock;
use bext_shards::deadlines::Deadlines;
use bext_shards::mesh::MeshReceiver;
use bext_shards::rt::{self, Driver, Started};
use bext_shards::shard::Placement;
use bext_shards::sync::{StopSignal, race};

use crate::log::AccessLogBuffer;
use crate::service::Service;
use crate::snapshot::Snapshot;
pub(crate) use mesh::Datagram;
use mesh::{Mesh, Message};

/// Said once per process, by whichever shard sees it first.
static LEGACY_DRIVER_REPORTED: AtomicBool = AtomicBool::new(false);
static UNPINNED_REPORTED: AtomicBool = AtomicBool::new(false);

const DRAIN_POLL_INTERVAL: Duration = Duration::from_millis(DRAIN_POLL_INTERVAL_MS);
const SWEEP_INTERVAL_MIN: Duration = Duration::from_millis(DEADLINE_SWEEP_MS_MIN);
const SWEEP_INTERVAL_MAX: Duration = Duration::from_millis(DEADLINE_SWEEP_MS_MAX);

/// One shard's runtime state.
pub(crate) struct Shard {
    pub id: usize,
    /// The CPU this shard is pinned to; `None` if pinning was refused.
    pub cpu: Option<usize>,
    pub driver: Driver,
    pub date: RefCell<DateCache>,
    pub metrics: RefCell<Metrics>,
    pub log: RefCell<AccessLogBuffer>,
    /// Set once a Stop arrives: finish what is in flight, accept nothing new.
    pub draining: Cell<bool>,
    pub stop: StopSignal,
    /// Connections in the middle of a request (bytes of it read, or its answer unwritten).
    pub busy_connections: Cell<usize>,
    /// Every connection's deadline, swept by `sweeper`.
    pub deadlines: Deadlines,
    /// Output buffers lent to connections while they write.
    out_pool: RefCell<Vec<Vec<u8>>>,
    pub(crate) mesh: Mesh,
    /// `alt-svc`'s value on answers over TLS (TCP) when HTTP/3 is served: `h3=":PORT"; ma=…`.
    pub alt_svc: Option<Arc<[u8]>>,
    /// Its handles on the eBPF layer (bans into the XDP filter, the programs' counters).
    pub kernel: ShardKernel,
    /// `[cluster]`: where notes for the other nodes go.
    pub cluster: Option<Arc<crate::cluster::Outbox>>,
    scrapes: RefCell<metrics::PendingScrapes>,
}

/// Holds the shard's drain while it lives: one more busy connection, counted out when
/// dropped (however the connection's future ends).
pub(crate) struct Busy<'a>(&'a Shard);

impl<'a> Busy<'a> {
    pub fn hold(shard: &'a Shard) -> Busy<'a> {
        shard.busy_connections.set(shard.busy_connections.get() + 1);
        Busy(shard)
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        let busy = &self.0.busy_connections;
        busy.set(busy.get().saturating_sub(1));
    }
}

impl Shard {
    pub fn new(
        id: usize,
        cpu: Option<usize>,
        driver: Driver,
        receiver: &MeshReceiver<Message>,
        server: &ServerConfig,
    ) -> Shard {
        Shard {
            id,
            cpu,
            driver,
            date: RefCell::new(DateCache::new(clock::unix_secs())),
            metrics: RefCell::new(Metrics::new()),
            log: RefCell::new(AccessLogBuffer::open(server)),
            draining: Cell::new(false),
            stop: StopSignal::default(),
            busy_connections: Cell::new(0),
            deadlines: Deadlines::new(),
            out_pool: RefCell::new(Vec::new()),
            mesh: Mesh::new(receiver.sender()),
            alt_svc: None,
            kernel: ShardKernel::default(),
            cluster: None,
            scrapes: RefCell::new(metrics::PendingScrapes::default()),
        }
    }

    /// An output buffer from the pool (or a new, empty one).
    pub fn take_out(&self) -> Vec<u8> {
        self.out_pool.borrow_mut().pop().unwrap_or_default()
    }

    /// Gives an output buffer back; kept if the pool has room and it is not oversized.
    pub fn give_out(&self, mut out: Vec<u8>) {
        if out.capacity() == 0 || out.capacity() > OUT_POOL_BUFFER_BYTES_MAX {
            return;
        }
        out.clear();
        let mut pool = self.out_pool.borrow_mut();
        if pool.len() < OUT_POOL_BUFFERS_MAX {
            pool.push(out);
        }
    }

    /// Counts one answered request.
    pub fn record(&self, status: u16, bytes: u64, started: Instant) {
        let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.metrics.borrow_mut().record(status, bytes, nanos);
    }

    /// Counts a panic that was contained, and says what it cost.
    pub fn panicked(&self, what: &str, message: &str) {
        self.metrics.borrow_mut().panics += 1;
        eprintln!("bext: shard {}: panic in {what}: {message}", self.id);
    }
}

/// Spawns a task on this shard under [`guard::catch_unwind`]: a panic in it is counted and
/// logged, and the shard goes on.
pub(crate) fn spawn(
    shard: &Rc<Shard>,
    what: &'static str,
    task: impl Future<Output = ()> + 'static,
) {
    rt::spawn(Guarded {
        work: guard::catch_unwind(task),
        shard: shard.clone(),
        what,
    });
}

pin_project_lite::pin_project! {
    /// A spawned task under [`guard::catch_unwind`]. A named future, not an `async` block: a
    /// block that captures the task and awaits a future made from it holds the task twice,
    /// and a connection's task is held for the connection's whole life.
    struct Guarded<F> {
        #[pin]
        work: guard::CatchUnwind<F>,
        shard: Rc<Shard>,
        what: &'static str,
    }
}

impl<F: Future<Output = ()>> Future for Guarded<F> {
    type Output = ();

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        let this = self.project();
        match this.work.poll(cx) {
            std::task::Poll::Ready(Err(message)) => {
                this.shard.panicked(this.what, &message);
                std::task::Poll::Ready(())
            }
            std::task::Poll::Ready(Ok(())) => std::task::Poll::Ready(()),
            std::task::Poll::Pending => std::task::Poll::Pending,
        }
    }
}

#[cfg(test)]
#[test]
fn a_spawned_task_keeps_one_copy_of_its_work() {
    let work = async {
        let big = [7u8; 4096];
        std::future::ready(()).await;
        std::hint::black_box(&big);
    };
    let size = std::mem::size_of_val(&work);
    assert!(size >= 4096, "{size}");
    fn guarded_size<F>(_: &F) -> usize {
        std::mem::size_of::<Guarded<F>>()
    }
    assert!(guarded_size(&work) < size + 64, "{}", guarded_size(&work));
}

/// What a shard serves on, bound by `launch` in shard order.
pub(crate) struct Sockets {
    /// Its TCP listeners, each with whether it speaks TLS.
    pub listeners: Vec<(std::net::TcpListener, bool)>,
    /// Its UDP sockets for QUIC, in the same order on every shard.
    pub quic: Vec<std::net::UdpSocket>,
    /// The `alt-svc` value HTTPS answers carry when HTTP/3 is served.
    pub alt_svc: Option<Arc<[u8]>>,
    /// Its handles on the eBPF layer.
    pub kernel: ShardKernel,
    /// `[cluster]`'s outbox, shared by the shards.
    pub cluster: Option<Arc<crate::cluster::Outbox>>,
}

/// The shard's main loop: serve until a Stop, then drain.
pub(crate) async fn run(
    placement: Placement,
    started: Started,
    snapshot: Arc<Snapshot>,
    sockets: Sockets,
    receiver: MeshReceiver<Message>,
    ready: impl FnOnce(),
) {
    let Sockets {
        listeners,
        quic,
        alt_svc,
        kernel,
        cluster,
    } = sockets;
    if started.driver == Driver::Legacy && !LEGACY_DRIVER_REPORTED.swap(true, Ordering::Relaxed) {
        eprintln!("bext: io_uring is unavailable here; shards run on the epoll driver (slower)");
    }
    if placement.cpu.is_none() && !UNPINNED_REPORTED.swap(true, Ordering::Relaxed) {
        eprintln!(
            "bext: shard {} could not be pinned to a CPU (a restricted cpuset?); shards run unpinned",
            placement.id
        );
    }
    let mut shard = Shard::new(
        placement.id,
        placement.cpu,
        started.driver,
        &receiver,
        &snapshot.config.server,
    );
    shard.alt_svc = alt_svc;
    shard.kernel = kernel;
    shard.cluster = cluster;
    let shard = Rc::new(shard);
    // Engines are created and loaded before the shard says it is ready, so no request waits
    // for one.
    let service = Service::new(shard.clone(), snapshot);
    ready();
    crate::service::app::prerender(&service);
    for (listener, tls) in listeners {
        match rt::TcpListener::from_std(listener) {
            Ok(listener) => spawn(
                &shard,
                "accept loop",
                accept::accept_loop(service.clone(), listener, tls),
            ),
            Err(e) => eprintln!("bext: shard {}: listener unusable: {e}", shard.id),
        }
    }
    let endpoints = crate::driver::h3::Endpoints::default();
    for (index, socket) in quic.into_iter().enumerate() {
        if let Err(e) = crate::driver::h3::serve(&service, &endpoints, socket, index) {
            eprintln!("bext: shard {}: QUIC socket unusable: {e}", shard.id);
        }
    }
    spawn(&shard, "ticker", ticker(service.clone()));
    if shard.cluster.is_some() {
        spawn(
            &shard,
            "presence reports",
            crate::service::realtime::report_presence(service.clone()),
        );
    }
    spawn(&shard, "deadline sweep", sweeper(service.clone()));
    let drain = loop {
        match receiver.recv().await {
            Message::Stop { drain } => break drain,
            message => handle(&service, &endpoints, message),
        }
    };
    shard.draining.set(true);
    shard.stop.fire();
    let deadline = Instant::now() + drain;
    while shard.busy_connections.get() > 0 && Instant::now() < deadline {
        // Keep answering peers while draining: an asker must not wait out its timeout on us.
        if let Some(message) = race(receiver.recv(), rt::sleep(DRAIN_POLL_INTERVAL)).await {
            handle(&service, &endpoints, message);
        }
    }
    shard.log.borrow_mut().flush();
    // Returning ends the executor: idle keep-alive connections are closed with it.
}

/// One mesh message, while serving or draining.
fn handle(service: &Rc<Service>, endpoints: &crate::driver::h3::Endpoints, message: Message) {
    let shard = &service.shard;
    match message {
        Message::Reload(snapshot) => {
            if shard.draining.get() {
                return;
            }
            shard.log.borrow_mut().reconfigure(&snapshot.config.server);
            service.reload(snapshot);
            crate::service::app::prerender(service);
        }
        // A second Stop while draining changes nothing.
        Message::Stop { .. } => {}
        Message::MetricsRequest { from, id } => {
            metrics::answer_request(shard, from, id, service.local_metrics());
        }
        Message::MetricsReply { id, metrics } => metrics::reply(shard, id, &metrics),
        Message::FillRequest(request) => service.on_fill_request(*request),
        Message::FillReply { id, reply } => service.on_fill_reply(id, reply),
        Message::QuicDatagram(datagram) => endpoints.forwarded(*datagram),
        Message::Ban { ip, until_ms } => service.on_ban(ip, until_ms),
        Message::UpstreamHealth {
            snapshot,
            upstream,
            server,
            up,
        } => service.on_upstream_health(snapshot, upstream, server, up),
        Message::Invalidate {
            snapshot,
            site,
            what,
        } => service.on_invalidate(snapshot, site, &what),
        Message::RealtimePublish(publish) => service.on_realtime_publish(*publish),
        Message::PresenceRequest { from, id, topics } => {
            service.on_presence_request(from, id, &topics);
        }
        Message::PresenceReply { id, counts } => service.on_presence_reply(id, &counts),
        Message::ClusterInvalidate { site, what } => service.on_cluster_invalidate(site, &what),
        Message::ClusterPage(page) => service.on_cluster_page(&page),
        Message::ClusterPresence(report) => {
            service.on_cluster_presence(&report.node, report.shard, &report.counts);
        }
        Message::RealtimeEvent(event) => service.on_realtime_event(event),
        Message::Acme { challenges, taken } => {
            service.set_acme(challenges);
            // The publisher may have given up waiting: nothing to tell then.
            let _ = taken.try_send(shard.id);
        }
    }
}

/// Every wall-clock second, on the second: the Date line; then the access-log flush and the
/// ISR sweep. Aligned to the second boundary so the Date header never lags the clock by more
/// than the time to wake up.
pub(crate) async fn ticker(service: Rc<Service>) {
    let shard = &service.shard;
    loop {
        rt::sleep(clock::until_next_second()).await;
        shard.date.borrow_mut().update(clock::unix_secs());
        shard.log.borrow_mut().flush();
        service.sweep(clock::monotonic_ms());
    }
}

/// Fires connection deadlines. The interval is a quarter of the shortest configured timeout
/// (within `SWEEP_INTERVAL_MIN..=SWEEP_INTERVAL_MAX`), so a deadline fires at most 25% late.
async fn sweeper(service: Rc<Service>) {
    loop {
        let interval = {
            let h1 = service.current().snapshot.h1;
            let shortest = [
                h1.header_read_timeout,
                h1.body_idle_timeout,
                h1.keepalive_idle_timeout,
                h1.write_stall_timeout,
            ]
            .into_iter()
            .min()
            .unwrap_or(SWEEP_INTERVAL_MAX);
            (shortest / 4).clamp(SWEEP_INTERVAL_MIN, SWEEP_INTERVAL_MAX)
        };
        rt::sleep(interval).await;
        service.shard.deadlines.sweep(Instant::now());
    }
}
