//! bext's eBPF layer: two programs written in C (`c/`, compiled by `build.rs` with clang
//! `-target bpf`) and their loader, on aya.
//!
//! - [`XdpFilter`] (`c/xdp_filter.c`): drops packets for bext's ports from `[waf]`'s denied
//!   prefixes and from banned clients at the driver, before the kernel allocates anything
//!   for them. It makes the userspace WAF's decision (`bext_core::waf::ip`) earlier, never a
//!   different one: the same longest-prefix rule, fed from the same lists, and bans written
//!   by the shard that decided them ([`XdpBans`]).
//! - [`QuicSteering`] (`c/quic_reuseport.c`): an `sk_reuseport` program that hands each QUIC
//!   datagram to the socket of the shard named in its connection ID, so a connection's
//!   datagrams reach its shard directly whichever CPU took them (the classic-BPF program it
//!   replaces can only choose by CPU; the shard that owns the connection then had to be sent
//!   the datagram over the mesh).
//!
//! Design decisions:
//! - **The kernel's maps are the kernel's state.** Shards share no mutable state in
//!   userspace; each shard gets its own descriptors for the maps it writes (a ban) or reads
//!   (the counters), as each owns its own socket of a shared reuseport group.
//! - **Failing to load fails open at this layer only.** Without clang at build time, without
//!   CAP_BPF/CAP_NET_ADMIN, on a kernel or driver that refuses, the caller gets an [`Error`]
//!   to log once and goes on: everything the filter drops, the userspace WAF refuses too,
//!   so the door is never open, only slower to shut.
//! - **Sizes come from `bext_core::limits`** at load time (aya's `set_max_entries`), so the
//!   C sources' sizes are defaults, not a second place to keep a limit.
//! - **No clock here.** A ban's deadline arrives in the kernel's CLOCK_MONOTONIC
//!   nanoseconds (what `bpf_ktime_get_ns` reads); the caller reads the clock.
#![forbid(unsafe_code)]

mod error;
mod keys;
mod maps;
pub mod quic;
pub mod xdp;

pub use error::Error;
pub use quic::{QuicSteering, SteeringCounters, SteeringStats};
pub use xdp::{XdpBans, XdpFilter, XdpStats};

/// Whether this build carries the compiled programs (clang and libbpf's headers were there
/// when it was built).
pub const BUILT: bool = cfg!(bext_bpf_built);
