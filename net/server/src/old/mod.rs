//! The HTTP/1.1 server: shards accepting on their own sockets, answering from the static
//! sites of the current config snapshot.
//!
//! Layout: [`snapshot`] is the immutable, shared-read-only view of one config (sites, opened
//! roots, compiled rules); [`launch`] binds the listener groups and starts the shards;
//! `shard` is one shard's state and main loop; `conn` drives one connection through the
//! sans-I/O codec in [`crate::h1`]; `static_files` answers from a site root and the shard's
//! file cache; `internal` serves `/__bext/health` and `/__bext/metrics`; `log` buffers the
//! access log.
//!
//! Control: the process (signal handling) holds a [`Server`] and talks to the shards only by
//! mesh messages: [`Server::reload`] swaps in a new snapshot, [`Server::stop`] drains.

mod app;
mod conn;
mod fetch;
mod internal;
mod launch;
mod log;
mod shard;
mod snapshot;
mod static_files;

use std::sync::Arc;
use std::time::Duration;

pub use app::AppSite;
pub use launch::{LaunchError, Server, launch};
pub use snapshot::{AppBuilder, Snapshot, SnapshotError};

use bext_core::metrics::Metrics;

/// Runs `read` over a request head kept as raw bytes (a complete head the connection already
/// accepted), parsed again: handlers that want every field (an app render, a bearer token)
/// read them this way rather than keep the header store alive in a future.
pub(crate) fn with_head<R>(
    head: &[u8],
    read: impl FnOnce(&crate::h1::Request<'_, '_>) -> R,
) -> Option<R> {
    let mut store = crate::h1::HeaderStore::new();
    let limits = crate::h1::Limits {
        request_line_bytes_max: head.len(),
        header_count_max: bext_core::limits::HEADER_COUNT_MAX,
        header_bytes_max: head.len().max(1),
    };
    match crate::h1::parse_request(head, &mut store, &limits) {
        Ok(crate::h1::Parsed::Complete { head, .. }) => Some(read(&head)),
        _ => None,
    }
}

/// What shards and the control thread say to each other over the mesh.
pub(crate) enum Message {
    /// Serve this config from now on (SIGHUP).
    Reload(Arc<Snapshot>),
    /// Stop accepting, finish in-flight requests within `drain`, then exit (SIGTERM).
    Stop {
        drain: Duration,
    },
    /// Shard `from` asks for a copy of this shard's counters, to answer a scrape.
    MetricsRequest {
        from: usize,
        id: u64,
    },
    MetricsReply {
        id: u64,
        metrics: Box<Metrics>,
    },
    /// Shard `from` asks this shard, the owner of the page's cache key, for a page.
    FillRequest {
        from: usize,
        id: u64,
        site: usize,
        request: Box<bext_render::renderer::RenderRequest>,
    },
    /// The owner's answer; `None` when it has none to give (the asker renders it then).
    FillReply {
        id: u64,
        reply: Option<Box<app::FillReply>>,
    },
    /// Mark pages of `site` stale (`POST /__bext/cache/invalidate`, fanned out).
    Invalidate {
        site: usize,
        what: bext_core::isr::Invalidate,
    },
}
