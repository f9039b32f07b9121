//! The system calls bext needs that no safe wrapper offers, one file per job:
//!
//! - `cpu`: pinning a thread to a CPU, the CPUs the process may use, the CPU it is on, a
//!   helper thread's lower priority.
//! - `socket`: the setsockopt and sockaddr plumbing the listener code shares.
//! - `reuseport`: the `SO_REUSEPORT` listener group and the classic BPF program that steers
//!   each new connection to the shard pinned to the CPU that received its SYN.
//! - `open_beneath`: `openat2(RESOLVE_BENEATH)` for serving files that can never leave a site's
//!   root, with a per-segment `O_NOFOLLOW` walk where openat2 is missing.
//! - `rlimit`: the open-file limit (`RLIMIT_NOFILE`).
//! - `ktls`: the kernel's TLS record layer: attaching it, its keys, records that are not data.
//! - `udp`: bursts of UDP datagrams in one `sendmsg` (`UDP_SEGMENT`, GSO) and in one
//!   `recvmsg` (`UDP_GRO`), for QUIC.
//! - `process`: signals, the parent-death signal, children's CPU time and the clock tick, for
//!   the programs that run bext and its peers as child processes (the benchmark harness).
//!
//! - `clock`: CLOCK_MONOTONIC's value, the clock eBPF programs read, for deadlines written
//!   into BPF maps.
//!
//! Everything is re-exported here, so callers name `bext_shards::sys::X` and never a file.
//!
//! Architecture invariant: apart from the two executor backends under `rt/`, every `unsafe`
//! block of the runtime lives in this folder; each file that has one opts in with
//! `#![allow(unsafe_code)]`, and each block carries a `SAFETY:` note.

mod clock;
mod cpu;
mod ktls;
mod open_beneath;
mod process;
mod reuseport;
mod rlimit;
mod socket;
mod udp;

pub use clock::kernel_monotonic_ns;
pub use cpu::{allowed_cpus, current_cpu, lower_current_thread_priority, pin_current_thread};
pub use ktls::{KtlsDirection, ktls_attach, ktls_recv_record, ktls_send_record, ktls_set_key};
pub use open_beneath::{danger_force_open_walk_for_tests, open_beneath, open_root};
pub use process::{
    CLOCK_TICKS_PER_SECOND_FALLBACK, Signal, clock_ticks_per_second, die_with_parent, send_signal,
    waited_children_cpu_seconds,
};
pub use reuseport::{LISTEN_BACKLOG_MAX, bind_reuseport_group, bind_reuseport_udp_group};
pub use rlimit::{raise_nofile_limit, raise_nofile_limit_to};
pub use socket::connection_unusable;
pub use udp::{
    GSO_SEGMENTS_MAX, GsoError, Received, UDP_PAYLOAD_BYTES_MAX, enable_gro, recv_segments,
    send_repeated, send_segments,
};
