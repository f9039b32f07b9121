//! Server-Sent Events without sockets, for the `realtime` scenario: a subscriber's stream read
//! as it arrives ([`stream`], or [`ws`] for a WebSocket subscriber), the publish requests and their pipelined answers ([`publish`]),
//! and `bext-rtload`'s command line and report ([`load`]).
//!
//! Two programs share these: the generator (`bext-rtload`, on bext's io_uring runtime like
//! the other generators) and the harness's readiness probe (blocking std sockets), so both
//! read a stream and build a publish the same way.
//!
//! **Every event carries its send time.** The generator publishes `data` = the decimal
//! nanoseconds since its own start at the moment the request is written; a subscriber that
//! reads the event subtracts it from its clock (the same process, the same monotonic clock),
//! so delivery latency needs no clock agreement and no per-event bookkeeping.

pub mod load;
pub mod publish;
pub mod stream;
pub mod ws;

/// The subscribe path, bext's (the node reference hub serves the same).
pub const SSE_PATH: &str = "/__bext/realtime/sse";
/// The WebSocket subscribe path (bext's only).
pub const WS_PATH: &str = "/__bext/realtime/ws";
/// The publish path.
pub const PUBLISH_PATH: &str = "/__bext/realtime/publish";
/// The event name bext gives the last event of a subscriber it drops as too slow.
pub const EVICTED_EVENT: &str = "bext-evicted";
