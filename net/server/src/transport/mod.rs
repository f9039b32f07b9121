//! Transports: how a connection's bytes reach its peer. The HTTP drivers are generic over
//! [`Transport`], so HTTP/1.1 runs unchanged over TCP and over TLS ([`tls`], rustls's
//! unbuffered API over the TCP stream).
//!
//! The surface is the runtime's owned-buffer one: a buffer handed to an operation belongs to
//! it until it completes, and comes back with the result ([`BufResult`]).

pub(crate) mod tcp;
pub(crate) mod tls;

use std::io;

use bytes::Bytes;

use bext_shards::rt::BufResult;

/// A connected byte stream.
pub(crate) trait Transport {
    type Reader: TransportRead;
    type Writer: TransportWrite;

    /// Splits the stream into halves that may each wait at the same time: a driver that
    /// writes while a read is pending (HTTP/2) reads and writes through these.
    fn split(self) -> (Self::Reader, Self::Writer);

    /// Reads into `buf[len..capacity]`, appending; `Ok(0)` is the end of the stream.
    async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize>;
    /// Waits until bytes (or the end) have come for a [`Transport::read`], without reading
    /// them: unlike a read, the wait can be given up with nothing lost (a driver races it
    /// against a handler that may answer first). Where that cannot be told, at once (the
    /// read then waits).
    async fn readable(&mut self) -> io::Result<()> {
        Ok(())
    }
    /// Writes all of `buf`.
    async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()>;
    /// Writes `head` then `body`, the body from where it lies (never copied behind the head
    /// where the transport can avoid it).
    async fn write_all_gathered(&mut self, head: Vec<u8>, body: Bytes) -> BufResult<()>;
    /// Ends the sending half: the peer reads the end of the stream.
    async fn shutdown_write(&mut self) -> io::Result<()>;
}

/// The reading half of a split [`Transport`].
pub(crate) trait TransportRead {
    /// Reads into `buf[len..capacity]`, appending; `Ok(0)` is the end of the stream.
    async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize>;
}

/// The writing half of a split [`Transport`].
pub(crate) trait TransportWrite {
    /// Writes all of `buf`.
    async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()>;
    /// Ends the sending half: the peer reads the end of the stream.
    async fn shutdown_write(&mut self) -> io::Result<()>;
}
