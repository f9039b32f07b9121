//! A streamed response body on an HTTP/1.1 connection that closes after it (a Server-Sent
//! Events subscriber, any stream to an HTTP/1.0 client): the rest of the connection's life.
//!
//! The connection is split so that a read waits on the client while the body is written. A
//! client that closes its end (or resets it) ends the stream at once, the way a browser
//! closing an `EventSource` should: otherwise a subscriber that left would be kept, and
//! counted in presence, until the next event or keep-alive comment failed to reach it, and
//! its socket would sit in `CLOSE_WAIT` until then. Bytes the client sends meanwhile are not
//! requests that will be answered: the first of them stops the watching (what follows stays
//! in the kernel's buffer, as it would have before), so a client cannot make the shard read
//! for it.

use std::cell::Cell;
use std::time::{Duration, Instant};

use bext_core::limits::SHUTDOWN_WAIT_MS;
use bext_net::h1;
use bext_shards::deadlines::DeadlineSlot;
use bext_shards::rt;
use bext_shards::sync::race;

use crate::service::BodyStream;
use crate::shard::Shard;
use crate::transport::{Transport, TransportRead, TransportWrite};

/// Bytes read at a time while watching for the client to leave.
// tidy: not a limit: one read's size, and the first byte read ends the watching.
const WATCH_READ_BYTES: usize = 64;

/// A body to stream until it ends or the client leaves.
pub(super) struct Streamed {
    pub stream: Box<dyn BodyStream>,
    /// Chunked framing (else raw, ended by the close).
    pub chunked: bool,
    pub log: Option<super::PendingLog>,
    /// How long one write may stall.
    pub write_stall: Duration,
}

/// Streams `streamed` over `io`, then closes it.
pub(super) async fn run<T: Transport>(shard: &Shard, io: T, streamed: Streamed) {
    let Streamed {
        stream,
        chunked,
        log,
        write_stall,
    } = streamed;
    let (mut reader, mut writer) = io.split();
    let sent = Cell::new(0u64);
    // Writes race the shard's coarse deadlines, as the HTTP/1.1 driver's do: a runtime timer
    // per write would be armed and cancelled for every event a subscriber is sent.
    let slot = shard.deadlines.slot();
    let written = write(&mut writer, stream, chunked, (&slot, write_stall), &sent);
    let ended = race(written, left(&mut reader)).await;
    if let Some(log) = log {
        log.write(shard, sent.get());
    }
    if ended == Some(true) {
        let _ = rt::timeout(
            Duration::from_millis(SHUTDOWN_WAIT_MS),
            writer.shutdown_write(),
        )
        .await;
    }
}

/// Writes the body's pieces as they come; `true` if it ended whole (the last chunk sent).
async fn write<W: TransportWrite>(
    writer: &mut W,
    stream: Box<dyn BodyStream>,
    chunked: bool,
    (slot, write_stall): (&DeadlineSlot<'_>, Duration),
    sent: &Cell<u64>,
) -> bool {
    pump(stream, chunked, sent, async |buf| {
        match slot
            .run(Instant::now() + write_stall, writer.write_all(buf))
            .await
        {
            Some((Ok(()), back)) => Some(back),
            _ => None,
        }
    })
    .await
}

/// Frames each piece of `stream` and hands it to `write` (which gives the buffer back, or
/// `None` if the connection is done for), counting the body bytes in `sent`; `true` if the
/// body ended whole. Both HTTP/1.1 stream paths run on this.
pub(super) async fn pump(
    mut stream: Box<dyn BodyStream>,
    chunked: bool,
    sent: &Cell<u64>,
    mut write: impl AsyncFnMut(Vec<u8>) -> Option<Vec<u8>>,
) -> bool {
    let mut buf = Vec::new();
    loop {
        let piece = stream.next().await;
        if piece.is_none() && stream.aborted() {
            return false;
        }
        match &piece {
            // A chunked body's end carries the stream's trailers, if it has some (an HTTP/2
            // upstream's, where gRPC says how the call ended).
            None if chunked => {
                buf.clear();
                match stream.trailers() {
                    Some(trailers) => h1::write_last_chunk_with(&mut buf, trailers.iter()),
                    None => h1::write_last_chunk(&mut buf),
                }
            }
            piece => frame(&mut buf, piece.as_deref(), chunked),
        }
        if !buf.is_empty() {
            match write(buf).await {
                Some(back) => buf = back,
                None => return false,
            }
        }
        match piece {
            Some(data) => sent.set(sent.get() + data.len() as u64),
            None => return true,
        }
    }
}

/// Frames the next piece of a streamed body into `buf` (cleared first): a chunk, or the last
/// chunk once the body ends; with `chunked` false the bytes as they are (the close ends it).
fn frame(buf: &mut Vec<u8>, piece: Option<&[u8]>, chunked: bool) {
    buf.clear();
    match piece {
        Some(data) if chunked => h1::write_chunk(buf, data),
        Some(data) => buf.extend_from_slice(data),
        None if chunked => h1::write_last_chunk(buf),
        None => {}
    }
}

/// Resolves when the client has closed its end or reset the connection; never, once it has
/// sent anything.
async fn left<R: TransportRead>(reader: &mut R) {
    let (read, _) = reader.read(Vec::with_capacity(WATCH_READ_BYTES)).await;
    if matches!(read, Ok(n) if n > 0) {
        std::future::pending::<()>().await;
    }
}
