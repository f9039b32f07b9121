//! WebSocket without sockets, for the `proxy` scenario's tunnels: the opening handshake
//! ([`handshake`]), frames ([`frame`]), the echo both ends agree on ([`echo`]) and the
//! round-trip generator's command line and report ([`load`]).
//!
//! Three programs share these: the echo upstream (`bext-wsecho`) and the round-trip
//! generator (`bext-wsload`), both on bext's io_uring runtime like the HTTP generator and
//! the ceiling, and the harness's probes and held tunnels on blocking std sockets. tungstenite
//! (the Rust WebSocket library) does the protocol's arithmetic, the accept key and the frame
//! headers; its own `WebSocket` type is not used because it drives a blocking or readiness
//! stream, and the generator's sockets are io_uring's owned-buffer ones: going through a
//! stream adapter would copy every message and cost the generator CPU it shares with the
//! upstream.

pub mod echo;
pub mod frame;
pub mod handshake;
pub mod load;
