//! The portable I/O surface: what every executor backend provides to the rest of bext.
//!
//! Nothing outside this module names monoio or glommio (mio's `sys/` pattern). Each backend
//! folder (`monoio/`, the default; `glommio/`, behind `--features glommio`) fills in the same
//! items, and `tests/rt_parity.rs` runs one suite against whichever is compiled in:
//!
//! - [`run`]: build the executor on the current (already pinned) thread and drive a future to
//!   completion. monoio uses its io_uring driver explicitly, never the Fusion builder that falls
//!   back silently; only where io_uring is unavailable does it use the legacy epoll driver,
//!   and [`run`] reports that through [`Started::driver`] so the caller says so once.
//! - [`spawn`]: start a detached task on the current shard.
//! - [`sleep`], [`timeout`]: timers of the current shard.
//! - [`TcpListener`], [`TcpStream`], [`UdpSocket`], [`File`]: sockets and files with owned
//!   buffers. A buffer handed to an operation belongs to it until the operation completes,
//!   even if the future is dropped (io_uring may still be writing into it), so reads take a
//!   `Vec<u8>` and hand it back: [`BufResult`]. Reads append to the vector, between `len()`
//!   and `capacity()`; a vector with no spare capacity reads nothing and returns `Ok(0)` (a
//!   datagram receive refuses it: a datagram cannot be read in parts).
//! - `File::read_at` never blocks the shard thread: a read that waits for the disk is
//!   completed by the kernel's io_uring workers while the shard runs its other tasks (on
//!   io_uring; monoio's epoll fallback has no asynchronous file reads).
//!
//! Wakers given out by both backends may be woken from another thread: the mesh relies on it.
//!
//! [`default_backend`] is the default backend's own copy of the surface, compiled whatever the
//! features select, for the tools that measure bext rather than serve (see there).

use std::io;

// The default backend is compiled in every build: it is the one the features select unless
// glommio is asked for, and `default_backend` exposes it to the benchmark tools regardless.
mod monoio;
#[cfg(not(feature = "glommio"))]
use self::monoio as backend;

#[cfg(feature = "glommio")]
mod glommio;
#[cfg(feature = "glommio")]
use self::glommio as backend;

pub use backend::{
    File, TcpListener, TcpReader, TcpStream, TcpWriter, UdpSocket, UnixReader, UnixStream,
    UnixWriter, run, sleep, spawn, timeout,
};

/// The default backend's surface (the same items as this module's), whatever backend the
/// features select for bext: for the tools that measure bext (the benchmark's ceiling server
/// and load generator), whose behaviour must not change with the backend bext is built with.
/// The load generator in particular relies on how the default backend schedules (a task woken
/// by another runs after every task already ready, with I/O completions reaped between passes
/// over them), which glommio does not do: it reaps completions only when it runs out of ready
/// tasks or its preemption timer fires. bext itself never uses this module.
pub mod default_backend {
    pub use super::monoio::{
        File, NAME as BACKEND, TcpListener, TcpStream, UdpSocket, run, sleep, spawn, timeout,
    };
}

/// The result of an owned-buffer operation: the outcome, and the buffer back.
pub type BufResult<T> = (io::Result<T>, Vec<u8>);

/// Name of the backend compiled in.
pub const BACKEND: &str = backend::NAME;

/// Which kernel interface the shard's executor ended up on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    IoUring,
    /// epoll: io_uring was unavailable (old kernel, seccomp, `io_uring_disabled`).
    Legacy,
}

/// Settings for one shard's executor.
#[derive(Debug, Clone, Copy)]
pub struct RuntimeOptions {
    /// Submission queue entries of the shard's ring.
    pub ring_entries: u32,
    pub ring_setup: RingSetup,
    /// Use the epoll driver even where io_uring works: for testing the fallback path.
    pub danger_force_epoll: bool,
}

/// How the shard's io_uring is set up (monoio backend; glommio sets up its own rings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RingSetup {
    /// The kernel's defaults.
    Plain,
    /// `IORING_SETUP_COOP_TASKRUN`: completions are not pushed with an interrupt to the
    /// running thread; they are run when it next enters the kernel.
    Coop,
    /// `IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN`: completion work runs only
    /// when the shard waits for events. Fits a shard exactly: one thread submits and reaps.
    Defer,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        RuntimeOptions {
            ring_entries: bext_core::limits::RING_ENTRIES,
            ring_setup: RingSetup::Defer,
            danger_force_epoll: false,
        }
    }
}

/// What [`run`] tells its caller once the executor is up, before the future starts.
#[derive(Debug, Clone, Copy)]
pub struct Started {
    pub driver: Driver,
}

/// A timer ran out before the operation finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed;
