//! Starting shards: one thread per shard, pinned to its CPU, running its own executor.

use std::future::Future;
use std::io;
use std::thread::JoinHandle;

use crate::rt::{self, RuntimeOptions, Started};
use crate::sys;

/// Where shard `id` runs.
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    pub id: usize,
    /// The CPU it is pinned to; `None` leaves it to the scheduler (pinning failed or was
    /// refused, e.g. inside a restricted cpuset).
    pub cpu: Option<usize>,
}

/// The CPUs that `shards` shards are pinned to: the allowed CPUs in order, wrapping around
/// when there are more shards than CPUs.
pub fn plan(shards: usize) -> io::Result<Vec<usize>> {
    let cpus = sys::allowed_cpus()?;
    if cpus.is_empty() {
        return Err(io::Error::other("no CPU is allowed for this process"));
    }
    Ok((0..shards).map(|i| cpus[i % cpus.len()]).collect())
}

pub use bext_core::limits::SHARD_STACK_BYTES;

/// Spawns shard `id` on a new thread pinned to `cpu`, builds its executor and runs
/// `make(placement, started)` on it. The thread's result says whether the executor could be
/// built; a failure to pin is reported through [`Placement::cpu`] rather than stopping the
/// shard.
pub fn spawn<F, Fut>(
    id: usize,
    cpu: usize,
    options: RuntimeOptions,
    make: F,
) -> io::Result<JoinHandle<io::Result<()>>>
where
    F: FnOnce(Placement, Started) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + 'static,
{
    std::thread::Builder::new()
        .name(format!("bext-shard-{id}"))
        .stack_size(SHARD_STACK_BYTES)
        .spawn(move || {
            let placement = Placement {
                id,
                cpu: sys::pin_current_thread(cpu).ok().map(|()| cpu),
            };
            rt::run(options, move |started| make(placement, started))
        })
}
