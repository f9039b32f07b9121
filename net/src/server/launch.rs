//! Binding the listener groups and starting the shards.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bext_core::limits::MESH_QUEUE_DEPTH;
use bext_shards::mesh::{MeshSender, mesh};
use bext_shards::rt::RuntimeOptions;
use bext_shards::{shard, sys};

use super::Message;
use super::shard::run_shard;
use super::snapshot::Snapshot;

/// A running server, as the control thread sees it.
pub struct Server {
    control: MeshSender<Message>,
    handles: Vec<JoinHandle<io::Result<()>>>,
    /// The bound addresses, one per `listen` entry (port 0 resolved).
    pub local_addrs: Vec<SocketAddr>,
    pub shards: usize,
}

#[derive(Debug)]
pub enum LaunchError {
    Bind { addr: SocketAddr, error: io::Error },
    Shards(io::Error),
}

impl fmt::Display for LaunchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LaunchError::Bind { addr, error } => write!(f, "cannot listen on {addr}: {error}"),
            LaunchError::Shards(error) => write!(f, "cannot start shards: {error}"),
        }
    }
}

impl std::error::Error for LaunchError {}

/// How long a control message may wait for a full inbox before it is given up.
const CONTROL_SEND_DEADLINE: Duration = Duration::from_secs(5);

/// Binds every listen address as one SO_REUSEPORT group of `shards` sockets and starts the
/// shards. Returns once every shard thread is spawned; they serve from then on.
pub fn launch(snapshot: Arc<Snapshot>, shards: usize) -> Result<Server, LaunchError> {
    assert!(shards >= 1);
    let _ = sys::raise_nofile_limit();
    let cpus = shard::plan(shards).map_err(LaunchError::Shards)?;
    // listeners[shard][address]
    let mut per_shard: Vec<Vec<std::net::TcpListener>> = (0..shards).map(|_| Vec::new()).collect();
    let mut local_addrs = Vec::new();
    for &addr in &snapshot.config.server.listen {
        let group = sys::bind_reuseport_group(addr, &cpus).map_err(|error| LaunchError::Bind { addr, error })?;
        local_addrs.push(group[0].local_addr().map_err(|error| LaunchError::Bind { addr, error })?);
        for (i, listener) in group.into_iter().enumerate() {
            per_shard[i].push(listener);
        }
    }
    let (control, receivers) = mesh::<Message>(shards, MESH_QUEUE_DEPTH);
    let mut handles = Vec::with_capacity(shards);
    for ((id, listeners), receiver) in per_shard.into_iter().enumerate().zip(receivers) {
        let snapshot = snapshot.clone();
        let handle = shard::spawn(id, cpus[id], RuntimeOptions::default(), move |placement, started| {
            run_shard(placement, started, snapshot, listeners, receiver)
        })
        .map_err(LaunchError::Shards)?;
        handles.push(handle);
    }
    Ok(Server { control, handles, local_addrs, shards })
}

impl Server {
    /// Sends a new snapshot to every shard. Shards swap it in between requests.
    pub fn reload(&self, snapshot: Arc<Snapshot>) -> Result<(), String> {
        self.broadcast(|| Message::Reload(snapshot.clone()))
    }

    /// Asks every shard to stop accepting and drain.
    pub fn stop(&self, drain: Duration) -> Result<(), String> {
        self.broadcast(|| Message::Stop { drain })
    }

    /// Waits for every shard to exit; the first shard error, if any.
    pub fn join(self) -> io::Result<()> {
        let mut first = Ok(());
        for handle in self.handles {
            let result = handle.join().unwrap_or_else(|_| Err(io::Error::other("a shard panicked")));
            if first.is_ok() {
                first = result;
            }
        }
        first
    }

    fn broadcast(&self, make: impl Fn() -> Message) -> Result<(), String> {
        for to in 0..self.control.shards() {
            let deadline = Instant::now() + CONTROL_SEND_DEADLINE;
            let mut message = make();
            loop {
                match self.control.send(to, message) {
                    Ok(()) => break,
                    Err(full) if Instant::now() < deadline => {
                        message = full.0;
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    Err(_) => return Err(format!("shard {to} did not take the message within {CONTROL_SEND_DEADLINE:?}")),
                }
            }
        }
        Ok(())
    }
}
