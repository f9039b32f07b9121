//! # bext-server: shards that serve requests
//!
//! Three layers, each knowing only the one below it:
//!
//! ```text
//!  transport/   bytes to and from a peer: TCP, and TLS over it (rustls; kTLS)
//!      │
//!  driver/      one protocol over a transport, the only place responses are framed: h1.rs
//!      │        drives bext_net::h1::Conn (the sans-I/O HTTP/1.1 connection), h2/ the h2
//!      │        crate, h3/ quiche's QUIC and HTTP/3 over the shard's UDP socket
//!      ▼
//!  service/     Request in, Response out: route.rs decides once which handler answers
//!               (static_files/, app/, ops.rs), from one pinned snapshot
//! ```
//!
//! and beside them:
//!
//! - [`shard`]: one shard's runtime state (counters, the access log, the Date line, deadlines,
//!   output buffers, the mesh) and its main loop; no request logic.
//! - [`launch`]: binds the listener groups and starts the shards; [`Server`] is what the
//!   control thread holds.
//! - [`snapshot`]: one config made ready to serve, shared read-only by every shard.
//! - `log`: the per-shard access-log buffer.
//!
//! # Decisions
//!
//! - **Handlers never frame.** A handler returns a [`service::Response`]: a status, neutral
//!   fields ([`bext_net::fields`]) and a body (bytes, a file range, or a stream). Framing,
//!   `Date`, `Connection`, `Content-Length`, HEAD and 304 rules belong to the driver, so HTTP/2
//!   and HTTP/3 are new drivers over the same service, not new handlers.
//! - **A request pins one snapshot.** Routing takes the shard's current service state (the
//!   snapshot with the file cache, ISR cache and engines built for it) and the request keeps
//!   it until it is answered. A reload that renumbers or removes sites while a request waits on
//!   the disk, an engine or another shard cannot mix the two configs: the request finishes
//!   with the state it started with, and its cache inserts land in that state's caches.
//! - **Fast path without allocation.** A cached static hit or ISR hit is answered
//!   synchronously from the connection's own task; cache entries keep their shared fields with
//!   a memoised HTTP/1.1 block, so such a hit allocates nothing and copies its header lines
//!   once. Everything else runs in a boxed future with an owned copy of the request, which
//!   keeps each idle connection's future small.
//! - **A panic costs a request, not a shard.** Request work and every task a shard spawns
//!   run under [`shard::guard`]: a panic is logged and answered with a 500, and the shard
//!   goes on.
#![forbid(unsafe_code)]

mod cluster;
mod driver;
mod h2pipe;
mod h2stream;
mod kernel;
pub mod launch;
mod log;
mod service;
mod shard;
pub mod snapshot;
mod transport;
mod upstream;
mod waf_rules;

pub use launch::{AcmePublisher, LaunchError, Server, launch};
pub use service::app::AppSite;
pub use snapshot::{AppBuilder, Snapshot, SnapshotError};
pub use transport::tls::certs::PROVIDER as TLS_PROVIDER;
