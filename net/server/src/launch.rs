//! Binding the listener groups and starting the shards.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bext_core::limits::{
    ACME_PUBLISH_DEADLINE_MS, CONTROL_SEND_DEADLINE_MS, MESH_QUEUE_DEPTH, QUIC_SOCKET_BUFFER_BYTES,
    SHARD_START_DEADLINE_MS,
};
use bext_shards::mesh::{MeshSender, mesh};
use bext_shards::rt::RuntimeOptions;
use bext_shards::{shard, sys};

use crate::kernel::Kernel;
use crate::shard::{self as shard_loop, mesh::Message};
use crate::snapshot::Snapshot;

/// The port of the first `listen_tls` address, as bound (port 0 resolved): where plain-HTTP
/// requests of a site with `https_redirect` are sent. Written once by [`launch`] before any
/// shard starts, read by them afterwards.
static HTTPS_PORT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);

/// See [`HTTPS_PORT`]; 0 before a launch with `listen_tls`.
pub(crate) fn https_port() -> u16 {
    HTTPS_PORT.load(std::sync::atomic::Ordering::Relaxed)
}

/// A running server, as the control thread sees it.
pub struct Server {
    control: MeshSender<Message>,
    /// The eBPF layer: the XDP filter's lists follow each reload.
    kernel: Kernel,
    /// `[cluster]`'s outbox: its link follows each reload.
    cluster: Arc<crate::cluster::Outbox>,
    handles: Vec<JoinHandle<io::Result<()>>>,
    /// The bound addresses, one per `listen` entry (port 0 resolved).
    pub local_addrs: Vec<SocketAddr>,
    /// The same for `listen_tls` (HTTPS).
    pub tls_addrs: Vec<SocketAddr>,
    /// The UDP addresses serving HTTP/3: `listen_quic`, then (with `http3 = true`) each
    /// `listen_tls` address's, port 0 resolved.
    pub quic_addrs: Vec<SocketAddr>,
    pub shards: usize,
}

#[derive(Debug)]
pub enum LaunchError {
    Bind {
        addr: SocketAddr,
        error: io::Error,
    },
    Shards(io::Error),
    /// `[cluster]` cannot start (its `redis_ca` cannot be read).
    Cluster(String),
}

impl fmt::Display for LaunchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LaunchError::Bind { addr, error } => write!(f, "cannot listen on {addr}: {error}"),
            LaunchError::Shards(error) => write!(f, "cannot start shards: {error}"),
            LaunchError::Cluster(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for LaunchError {}

/// How long a client may remember that HTTP/3 is served (`alt-svc`'s `ma`): a day, as
/// Cloudflare and Google advertise it.
// tidy: not a limit: an advertised lifetime.
const ALT_SVC_MAX_AGE_SECS: u32 = 86_400;

const CONTROL_SEND_DEADLINE: Duration = Duration::from_millis(CONTROL_SEND_DEADLINE_MS);

/// Binds every listen address as one SO_REUSEPORT group of `shards` sockets and starts the
/// shards. Returns once every shard thread is spawned; they serve from then on.
pub fn launch(snapshot: Arc<Snapshot>, shards: usize) -> Result<Server, LaunchError> {
    assert!(shards >= 1);
    let _ = sys::raise_nofile_limit();
    let cpus = shard::plan(shards).map_err(LaunchError::Shards)?;
    // listeners[shard][address], each with whether it speaks TLS
    let mut per_shard: Vec<Vec<(std::net::TcpListener, bool)>> =
        (0..shards).map(|_| Vec::new()).collect();
    let mut local_addrs = Vec::new();
    let mut tls_addrs = Vec::new();
    let server_config = &snapshot.config.server;
    let addresses = server_config
        .listen
        .iter()
        .map(|a| (*a, false))
        .chain(server_config.listen_tls.iter().map(|a| (*a, true)));
    for (addr, tls) in addresses {
        let group = sys::bind_reuseport_group(addr, &cpus)
            .map_err(|error| LaunchError::Bind { addr, error })?;
        let bound = group[0]
            .local_addr()
            .map_err(|error| LaunchError::Bind { addr, error })?;
        if tls {
            if tls_addrs.is_empty() {
                HTTPS_PORT.store(bound.port(), std::sync::atomic::Ordering::Relaxed);
            }
            tls_addrs.push(bound);
        } else {
            local_addrs.push(bound);
        }
        for (i, listener) in group.into_iter().enumerate() {
            per_shard[i].push((listener, tls));
        }
    }
    // QUIC: `listen_quic`, and with `http3 = true` every TLS address's port over UDP.
    let mut per_shard_quic: Vec<Vec<std::net::UdpSocket>> =
        (0..shards).map(|_| Vec::new()).collect();
    let mut quic_addrs = Vec::new();
    let mut kernel = Kernel::default();
    let quic = server_config
        .listen_quic
        .iter()
        .copied()
        .chain(tls_addrs.iter().copied().filter(|_| server_config.http3));
    for addr in quic {
        let group = sys::bind_reuseport_udp_group(addr, &cpus, QUIC_SOCKET_BUFFER_BYTES)
            .map_err(|error| LaunchError::Bind { addr, error })?;
        let bound = group[0]
            .local_addr()
            .map_err(|error| LaunchError::Bind { addr, error })?;
        quic_addrs.push(bound);
        kernel.attach_quic(&group, &cpus);
        for (i, socket) in group.into_iter().enumerate() {
            per_shard_quic[i].push(socket);
        }
    }
    // The XDP filter judges packets for every port bext listens on, TCP and UDP.
    let mut ports: Vec<u16> = local_addrs
        .iter()
        .chain(&tls_addrs)
        .chain(&quic_addrs)
        .map(|a| a.port())
        .collect();
    ports.sort_unstable();
    ports.dedup();
    kernel.attach_xdp(&snapshot.config, &ports, &cpus);
    let (control, receivers) = mesh::<Message>(shards, MESH_QUEUE_DEPTH);
    // Made with or without a `[cluster]`: a reload may add one.
    let cluster = crate::cluster::start(snapshot.config.cluster.as_ref(), control.clone())
        .map_err(LaunchError::Cluster)?;
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<usize>();
    // Diagnostic: run on the epoll fallback as if io_uring were unavailable.
    let force_epoll = std::env::var_os("BEXT_DANGER_FORCE_EPOLL").is_some_and(|v| v == "1");
    let mut handles = Vec::with_capacity(shards);
    // What HTTPS answers advertise: HTTP/3 on the first QUIC address's port.
    let alt_svc: Option<Arc<[u8]>> = quic_addrs.first().map(|a| {
        Arc::from(format!("h3=\":{}\"; ma={ALT_SVC_MAX_AGE_SECS}", a.port()).into_bytes())
    });
    let sockets = per_shard.into_iter().zip(per_shard_quic);
    for ((id, (listeners, quic)), receiver) in sockets.enumerate().zip(receivers) {
        let snapshot = snapshot.clone();
        let ready = ready_tx.clone();
        let alt_svc = alt_svc.clone();
        let shard_kernel = kernel.shard();
        let cluster = Some(cluster.clone());
        let options = RuntimeOptions {
            danger_force_epoll: force_epoll,
            ..RuntimeOptions::default()
        };
        let handle = shard::spawn(id, cpus[id], options, move |placement, started| {
            let id = placement.id;
            let ready = move || {
                let _ = ready.send(id);
            };
            let sockets = shard_loop::Sockets {
                listeners,
                quic,
                alt_svc,
                kernel: shard_kernel,
                cluster,
            };
            shard_loop::run(placement, started, snapshot, sockets, receiver, ready)
        })
        .map_err(LaunchError::Shards)?;
        handles.push(handle);
    }
    let mut server = Server {
        control,
        kernel,
        cluster,
        handles,
        local_addrs,
        tls_addrs,
        quic_addrs,
        shards,
    };
    server.wait_ready(&ready_rx)?;
    Ok(server)
}

const SHARD_START_DEADLINE: Duration = Duration::from_millis(SHARD_START_DEADLINE_MS);

impl Server {
    /// Waits until every shard's executor runs. A shard whose executor cannot start (glommio
    /// without enough locked memory, a ring the kernel refuses) ends its thread at once; its
    /// socket would still be in the listener group and its share of connections would hang,
    /// so that is a start-up failure, not something to discover at exit.
    fn wait_ready(&mut self, ready: &std::sync::mpsc::Receiver<usize>) -> Result<(), LaunchError> {
        let deadline = Instant::now() + SHARD_START_DEADLINE;
        let mut up = 0;
        while up < self.shards {
            match ready.recv_timeout(Duration::from_millis(5)) {
                Ok(_) => up += 1,
                Err(_) if Instant::now() > deadline => {
                    return Err(LaunchError::Shards(io::Error::other(format!(
                        "only {up} of {} shards started within {SHARD_START_DEADLINE:?}",
                        self.shards
                    ))));
                }
                Err(_) => {
                    if let Some(id) = self.handles.iter().position(|h| h.is_finished()) {
                        let why = match self.handles.swap_remove(id).join() {
                            Ok(Err(e)) => e.to_string(),
                            Ok(Ok(())) => String::from("it exited"),
                            Err(_) => String::from("it panicked"),
                        };
                        return Err(LaunchError::Shards(io::Error::other(format!(
                            "shard {id} did not start: {why}"
                        ))));
                    }
                }
            }
        }
        Ok(())
    }
}

impl Server {
    /// Sends a new snapshot to every shard. Shards swap it in between requests.
    pub fn reload(&self, snapshot: Arc<Snapshot>) -> Result<(), String> {
        // First: a `[cluster]` whose files cannot be read fails the reload, changing nothing.
        crate::cluster::configure(&self.cluster, snapshot.config.cluster.as_ref())?;
        self.kernel.reload(&snapshot.config);
        self.broadcast(|| Message::Reload(snapshot.clone()))
    }

    /// A handle the ACME thread publishes its challenges through.
    pub fn acme_publisher(&self) -> AcmePublisher {
        AcmePublisher {
            control: self.control.clone(),
        }
    }

    /// Asks every shard to stop accepting and drain.
    pub fn stop(&self, drain: Duration) -> Result<(), String> {
        self.broadcast(|| Message::Stop { drain })
    }

    /// Waits for every shard to exit; the first shard error, if any.
    pub fn join(self) -> io::Result<()> {
        let mut first = Ok(());
        for handle in self.handles {
            let result = handle
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("a shard panicked")));
            if first.is_ok() {
                first = result;
            }
        }
        first
    }

    fn broadcast(&self, make: impl Fn() -> Message) -> Result<(), String> {
        broadcast(&self.control, make)
    }
}

/// Sends the open ACME challenges to every shard, from any thread.
#[derive(Clone)]
pub struct AcmePublisher {
    control: MeshSender<Message>,
}

impl AcmePublisher {
    /// Makes every shard answer `challenges` (and no others); returns once each has taken
    /// them, or says why not within `ACME_PUBLISH_DEADLINE_MS`.
    pub fn publish(&self, challenges: Arc<bext_core::acme::Challenges>) -> Result<(), String> {
        let shards = self.control.shards();
        let (taken, took) = std::sync::mpsc::sync_channel(shards);
        broadcast(&self.control, || Message::Acme {
            challenges: challenges.clone(),
            taken: taken.clone(),
        })?;
        let deadline = Instant::now() + Duration::from_millis(ACME_PUBLISH_DEADLINE_MS);
        for done in 0..shards {
            let left = deadline.saturating_duration_since(Instant::now());
            if took.recv_timeout(left).is_err() {
                return Err(format!(
                    "only {done} of {shards} shards took the ACME challenges within {ACME_PUBLISH_DEADLINE_MS} ms"
                ));
            }
        }
        Ok(())
    }
}

/// Sends `make()` to every shard, retrying a full inbox until `CONTROL_SEND_DEADLINE_MS`.
fn broadcast(control: &MeshSender<Message>, make: impl Fn() -> Message) -> Result<(), String> {
    for to in 0..control.shards() {
        let deadline = Instant::now() + CONTROL_SEND_DEADLINE;
        let mut message = make();
        loop {
            match control.send(to, message) {
                Ok(()) => break,
                Err(full) if Instant::now() < deadline => {
                    message = full.0;
                    std::thread::sleep(Duration::from_millis(1));
                }
                Err(_) => {
                    return Err(format!(
                        "shard {to} did not take the message within {CONTROL_SEND_DEADLINE:?}"
                    ));
                }
            }
        }
    }
    Ok(())
}
