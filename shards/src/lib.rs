//! # bext-shards: the runtime layer
//!
//! A bext process runs one **shard** per CPU core: a thread pinned to its core, driving its own
//! io_uring executor, owning its own listening sockets, caches and counters. Shards share no
//! mutable state; they talk only through the [`mesh`] (bounded lock-free queues with an
//! explicit wake-up). Immutable snapshots (the parsed config) are shared read-only through
//! `Arc`.
//!
//! - [`rt`]: the portable I/O surface; monoio (default) and glommio (`--features glommio`)
//!   each fill it in (`rt/monoio/`, `rt/glommio/`), nothing above it names a backend, and
//!   `tests/rt_parity.rs` holds both to the same behaviour.
//! - [`shard`]: spawning pinned shard threads.
//! - [`mesh`]: shard-to-shard messages and their wake-up protocol, model-checked
//!   with loom (`RUSTFLAGS="--cfg loom" cargo test -p bext-shards --test loom_mesh`).
//! - [`sys`]: the system calls with no safe wrapper (pinning, the SO_REUSEPORT group and its
//!   CPU-steering BPF program, `openat2` beneath a root, `RLIMIT_NOFILE`, child processes).
//!   Unsafe code lives only there and in the two backends under `rt/`, each file that has it
//!   opting in with `#![allow(unsafe_code)]` and each block with a `SAFETY:` note.
//! - [`deadlines`]: coarse per-connection deadlines, swept once per interval per shard.
//! - [`offload`]: CPU-heavy jobs (image transforms) on a small pool of lower-priority helper
//!   threads, awaited by the shard's task.
//! - [`file_cache`]: each shard's size-bounded cache of small hot files.
//! - [`sync`]: shard-local waiting (a stop flag, a counter to wait on, a race against a stop).
//! - [`clock`]: the clocks a shard reads (shared monotonic milliseconds, Unix seconds).
#![deny(unsafe_code)]

pub mod clock;
pub mod deadlines;
pub mod file_cache;
pub mod mesh;
pub mod offload;
pub mod rt;
pub mod shard;
pub mod sync;
pub mod sys;
