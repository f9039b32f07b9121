//! # bext-net: the protocols
//!
//! - [`h1`]: the sans-I/O HTTP/1.1 codec. It never touches a socket or the clock: bytes in,
//!   parsed heads and encoded responses out. Tested with byte literals and fuzzed.
//! - [`client`]: the sans-I/O half of the HTTP/1.1 client loaders' `fetch` uses.
//! - [`server`]: the HTTP/1.1 server that drives the codec over the shard runtime's sockets
//!   (`bext_shards::rt`) and answers from static sites.
#![forbid(unsafe_code)]

pub mod client;
pub mod h1;
pub mod server;
