//! Protocol drivers: each runs one protocol's sans-I/O connection over a transport and
//! answers through the service. Framing happens here and nowhere else.
//!
//! - [`h1`]: HTTP/1.1 (`bext_net::h1::Conn`). HTTP/2 and HTTP/3 come as `h2.rs`, `h3.rs`.

pub(crate) mod h1;
