//! The WAF's decisions, sans-I/O: each shard keeps its own state and asks it about every
//! request before routing it. No clock and no sockets here: the caller passes the client's
//! address and the time.
//!
//! - [`ip`]: allow and deny lists of address prefixes; the longest matching prefix decides,
//!   so `allow = ["10.1.0.0/16"]` carves an exception out of `deny = ["10.0.0.0/8"]`.
//! - [`rate`]: a token bucket per client address. Each shard counts the requests it answers:
//!   the kernel spreads a client's connections over the shards by the CPU that took each
//!   one, so a client with connections on every shard gets up to `shards ×` the rate (one
//!   connection, as browsers use for HTTP/2 and HTTP/3, gets exactly the rate).
//!
//! - [`ban`]: a client that keeps coming while limited (`ban_after` refusals in a row) is
//!   refused outright for `ban_secs`, on every shard (the one that bans tells the others).
//!
//! - [`secrule`]: the ModSecurity rule language and engine, which runs the OWASP Core Rule
//!   Set; each shard runs it over every request once its body is in.
//!
//! The same lists and bans are enforced earlier where `[waf] xdp_interfaces` is set: the XDP
//! filter (`shards/bpf`) drops those clients' packets before the kernel's stack, making these
//! decisions, never others.

pub mod ban;
pub mod ip;
pub mod rate;
pub mod secrule;

pub use ban::Bans;
pub use ip::{IpRules, Prefix, PrefixError, Verdict};
pub use rate::{Ban, RateLimit, RateLimiter, RateVerdict};
