//! # bext-net: the protocols, without I/O
//!
//! Everything here is sans-I/O: bytes and `now` in, decisions and bytes out. The server that
//! drives these over sockets is `bext-server` (`net/server/`); keeping the protocols in their
//! own crate means their fuzz targets and tests build without the runtime or the JavaScript
//! engines.
//!
//! - [`h1`]: HTTP/1.1: the request codec (heads, bodies), response encoding, and [`h1::Conn`],
//!   one server connection as a state machine (keep-alive, pipelining, bodies kept across
//!   reads, `100 Continue`, deadlines). Tested with byte literals and fuzzed.
//! - [`fields`]: header fields in the neutral form handlers and caches use, with a memoised
//!   HTTP/1.1 encoding for shared blocks.
//! - [`http`]: which protocol a request came over.
//! - [`client`]: the sans-I/O half of the HTTP/1.1 client loaders' `fetch` uses.
//! - [`ws`]: WebSocket (RFC 6455) server side: the handshake, and [`ws::Session`], one
//!   connection's frames, messages, closing handshake and permessage-deflate.
#![forbid(unsafe_code)]

pub mod client;
pub mod fastcgi;
pub mod fields;
pub mod grpc_health;
pub mod h1;
pub mod http;
pub mod ws;

pub use h1::Method;
pub use http::Version;
