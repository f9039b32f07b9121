//! What the harness asks of the operating system beyond std: signals, the parent-death
//! signal, the open-file limit, CPU pinning and CPU-time accounting. The system calls
//! themselves are `bext_shards::sys`'s safe wrappers, where the workspace keeps its unsafe
//! code; this crate has none (`#![forbid(unsafe_code)]`).

pub use bext_shards::sys::{
    Signal, clock_ticks_per_second, die_with_parent, send_signal, waited_children_cpu_seconds,
};

/// Raises this process's open-file limit (soft, and hard if needed: the harness runs as root)
/// to at least `wanted`. Returns the soft limit now in force. Children inherit it, which is how
/// the servers get enough descriptors for the idle-connection scenario too.
pub fn raise_nofile_limit(wanted: u64) -> std::io::Result<u64> {
    bext_shards::sys::raise_nofile_limit_to(wanted)
}

/// Pins the calling thread (the harness's main thread; threads it starts later inherit the
/// mask) to the load CPU, so the harness never competes with the server on its CPU.
pub fn pin_harness_to_load_cpu() -> Result<(), crate::error::Error> {
    use crate::limits::{LOAD_CPU, SERVER_CPU};
    bext_shards::sys::pin_current_thread(LOAD_CPU).map_err(|error| {
        crate::error::Error::run(format!(
            "pinning the harness to CPU {LOAD_CPU} (this benchmark needs CPUs {SERVER_CPU} and {LOAD_CPU}): {error}"
        ))
    })
}
