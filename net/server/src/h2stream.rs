//! One HTTP/2 stream's two halves as transport halves, in either of bext's roles: a
//! client's stream that an extended CONNECT made a WebSocket (`driver/h2/upgraded.rs`), and
//! the proxy's stream to an HTTP/2 upstream that answered one (`service/proxy/h2.rs`). The
//! tunnel and WebSocket loops run on them as they run on a connection's halves.
//!
//! The stream's windows carry the back-pressure: what the peer sends is released (its
//! window opened again) only as the loop takes it, and a write waits for the peer's window
//! within its stall deadline. The end of the peer's stream reads as the end of its bytes;
//! shutting the writing half ends the stream with an empty DATA frame.

use std::io;
use std::time::Duration;

use bytes::{Buf, Bytes};
use h2::RecvStream;

use bext_shards::deadlines::DeadlineSlot;
use bext_shards::rt::BufResult;

use crate::h2pipe::send_data;
use crate::transport::{TransportRead, TransportWrite};

/// The peer's half of the stream, read as a transport: its DATA, the window given back as
/// the bytes are taken.
pub(crate) struct StreamRead {
    body: RecvStream,
    /// The rest of a frame a read had no room for.
    held: Bytes,
}

impl StreamRead {
    pub fn new(body: RecvStream) -> StreamRead {
        StreamRead {
            body,
            held: Bytes::new(),
        }
    }

    /// Takes and drops what the peer sends until its stream ends (or fails).
    pub async fn drain(&mut self) {
        while let Some(Ok(chunk)) = self.body.data().await {
            let _ = self.body.flow_control().release_capacity(chunk.len());
        }
    }
}

impl TransportRead for &mut StreamRead {
    async fn read(&mut self, mut buf: Vec<u8>) -> BufResult<usize> {
        while self.held.is_empty() {
            match self.body.data().await {
                None => return (Ok(0), buf),
                Some(Err(error)) => return (Err(io::Error::other(error)), buf),
                Some(Ok(chunk)) => self.held = chunk,
            }
        }
        if buf.capacity() == buf.len() {
            buf.reserve(self.held.len());
        }
        let n = (buf.capacity() - buf.len()).min(self.held.len());
        buf.extend_from_slice(&self.held[..n]);
        self.held.advance(n);
        let _ = self.body.flow_control().release_capacity(n);
        (Ok(n), buf)
    }
}

/// This side's half of the stream, written as a transport: each write waits for the peer's
/// window, within `stall`.
pub(crate) struct StreamWrite<'s> {
    send: h2::SendStream<Bytes>,
    slot: DeadlineSlot<'s>,
    stall: Duration,
}

impl<'s> StreamWrite<'s> {
    pub fn new(send: h2::SendStream<Bytes>, slot: DeadlineSlot<'s>, stall: Duration) -> Self {
        StreamWrite { send, slot, stall }
    }
}

impl TransportWrite for StreamWrite<'_> {
    async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()> {
        // Copied, so the caller keeps its buffer and `h2` holds only what it must send.
        let data = Bytes::copy_from_slice(&buf);
        if send_data(&mut self.send, &self.slot, self.stall, data, false).await {
            (Ok(()), buf)
        } else {
            (Err(io::ErrorKind::BrokenPipe.into()), buf)
        }
    }

    async fn shutdown_write(&mut self) -> io::Result<()> {
        self.send
            .send_data(Bytes::new(), true)
            .map_err(io::Error::other)
    }
}
