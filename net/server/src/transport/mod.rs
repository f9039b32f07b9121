//! Transports: how a connection's bytes reach its peer. The HTTP drivers are generic over
//! [`Transport`], so HTTP/1.1 runs unchanged over TCP today and over TLS next.
//!
//! The surface is the runtime's owned-buffer one: a buffer handed to an operation belongs to
//! it until it completes, and comes back with the result ([`BufResult`]).

pub(crate) mod tcp;

use std::io;

use bytes::Bytes;

use bext_shards::rt::BufResult;

/// A connected byte stream.
pub(crate) trait Transport {
    /// Reads into `buf[len..capacity]`, appending; `Ok(0)` is the end of the stream.
    async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize>;
    /// Writes all of `buf`.
    async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()>;
    /// Writes `head` then `body`, the body from where it lies (never copied behind the head
    /// where the transport can avoid it).
    async fn write_all_gathered(&mut self, head: Vec<u8>, body: Bytes) -> BufResult<()>;
    /// Ends the sending half: the peer reads the end of the stream.
    async fn shutdown_write(&mut self) -> io::Result<()>;
}
