//! The bytes between the `h2` crate and a transport, for both of bext's roles: the HTTP/2
//! driver's server connections (`driver::h2`) and the proxy's client connections to HTTP/2
//! upstreams (`upstream::h2`).
//!
//! `h2` drives its connection through `tokio::io::AsyncRead`/`AsyncWrite` (readiness: "copy
//! into this slice now or tell me later"), while bext's transports complete operations on
//! owned buffers and must never have a read cancelled with bytes in it. The pipe joins the
//! two: a reader loop owns the transport's reading half and appends what arrives to `inbox`;
//! `h2` reads from there; `h2` writes frames into `outbox`; a writer loop owns the writing
//! half and sends `outbox`, swapping buffers so `h2` keeps encoding while a write is in
//! flight. Both loops run in the connection's own task (`h2` polls them together with the
//! connection), so everything here is single-threaded: cells and stored wakers.
//!
//! Bounds: the reader waits until `h2` has taken what it read before reading again (the
//! connection's flow-control windows bound what a peer may send beyond that), and `h2`'s
//! writes wait while `outbox` holds `H2_OUTPUT_BYTES_MAX` bytes.

use std::cell::RefCell;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use std::time::{Duration, Instant};

use bytes::Bytes;

use bext_core::limits::{H2_OUTPUT_BYTES_MAX, H2_READ_BYTES, H2_STREAM_SEND_BYTES_MAX};

/// Bytes asked of the transport per read while the connection is quiet: what an idle
/// connection holds in its pending read.
// tidy: not a limit: a read size, grown to `H2_READ_BYTES` while data streams in.
const H2_READ_BYTES_IDLE: usize = 4 * 1024;
use bext_shards::deadlines::DeadlineSlot;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::transport::{TransportRead, TransportWrite};

#[derive(Default)]
pub(crate) struct Pipe {
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    /// Received and not yet taken by `h2`, from `inbox_at`.
    inbox: Vec<u8>,
    inbox_at: usize,
    /// The peer ended its stream (or the read failed).
    eof: bool,
    /// Encoded by `h2` and not yet handed to the writer.
    outbox: Vec<u8>,
    /// `h2` shut its side: the writer sends what is left and ends the stream.
    shut: bool,
    /// A write failed or timed out: `h2`'s writes fail from now on.
    broken: bool,
    /// `h2` waits for bytes (or for room in `outbox`).
    h2: Option<Waker>,
    /// The reader waits for `inbox` to be taken.
    reader: Option<Waker>,
    /// The writer waits for `outbox` to fill (or for `shut`).
    writer: Option<Waker>,
}

fn park(slot: &mut Option<Waker>, cx: &Context<'_>) {
    match slot {
        Some(waker) if waker.will_wake(cx.waker()) => {}
        _ => *slot = Some(cx.waker().clone()),
    }
}

fn wake(slot: &mut Option<Waker>) {
    if let Some(waker) = slot.take() {
        waker.wake();
    }
}

impl Pipe {
    /// A pipe whose inbox starts with bytes already read (the preface, read by the HTTP/1.1
    /// driver before it handed the connection over).
    pub(crate) fn new(read: Vec<u8>) -> Rc<Pipe> {
        Rc::new(Pipe {
            state: RefCell::new(State {
                inbox: read,
                ..State::default()
            }),
        })
    }

    /// Nothing more will be read: `h2` sees the end of the stream.
    pub(crate) fn end_input(&self) {
        let mut state = self.state.borrow_mut();
        state.eof = true;
        wake(&mut state.h2);
    }

    /// The connection is done: the writer sends what is queued and shuts the stream.
    pub(crate) fn shut(&self) {
        let mut state = self.state.borrow_mut();
        state.shut = true;
        wake(&mut state.writer);
    }

    /// Reads from `reader` into the inbox until the stream ends or fails; returns then.
    pub(crate) async fn read_loop<R: TransportRead>(&self, mut reader: R) {
        let mut buf = Vec::new();
        // The last read filled its room: more is coming, read in larger pieces.
        let mut streaming = false;
        loop {
            // Wait until h2 has taken everything read so far.
            std::future::poll_fn(|cx| {
                let mut state = self.state.borrow_mut();
                if state.inbox_at >= state.inbox.len() {
                    return Poll::Ready(());
                }
                park(&mut state.reader, cx);
                Poll::Pending
            })
            .await;
            buf.clear();
            // A quiet connection waits with a small buffer; one that streams, a large one.
            let want = if streaming {
                H2_READ_BYTES
            } else {
                H2_READ_BYTES_IDLE
            };
            if buf.capacity() > 2 * want {
                buf = Vec::with_capacity(want);
            } else {
                buf.reserve(want);
            }
            let room = buf.capacity();
            let (result, back) = reader.read(buf).await;
            buf = back;
            match result {
                Ok(n) if n > 0 => {
                    streaming = n == room;
                    let mut state = self.state.borrow_mut();
                    // The inbox is empty (waited for above): swap instead of copying.
                    state.inbox.clear();
                    state.inbox_at = 0;
                    std::mem::swap(&mut state.inbox, &mut buf);
                    wake(&mut state.h2);
                }
                _ => {
                    self.end_input();
                    return;
                }
            }
        }
    }

    /// Sends what `h2` writes until it shuts its side or a write fails; each write must
    /// finish within `stall`.
    pub(crate) async fn write_loop<W: TransportWrite>(
        &self,
        mut writer: W,
        slot: &DeadlineSlot<'_>,
        stall: Duration,
    ) -> io::Result<()> {
        let mut spare = Vec::new();
        loop {
            let next = std::future::poll_fn(|cx| {
                let mut state = self.state.borrow_mut();
                if !state.outbox.is_empty() {
                    let mut next = std::mem::take(&mut spare);
                    std::mem::swap(&mut state.outbox, &mut next);
                    // There is room again.
                    wake(&mut state.h2);
                    return Poll::Ready(Some(next));
                }
                if state.shut {
                    return Poll::Ready(None);
                }
                park(&mut state.writer, cx);
                Poll::Pending
            })
            .await;
            let Some(bytes) = next else {
                return writer.shutdown_write().await;
            };
            match slot
                .run(Instant::now() + stall, writer.write_all(bytes))
                .await
            {
                Some((Ok(()), mut back)) => {
                    back.clear();
                    spare = back;
                }
                Some((Err(e), _)) => {
                    self.break_output();
                    return Err(e);
                }
                None => {
                    self.break_output();
                    return Err(io::ErrorKind::TimedOut.into());
                }
            }
        }
    }

    fn break_output(&self) {
        let mut state = self.state.borrow_mut();
        state.broken = true;
        state.eof = true;
        wake(&mut state.h2);
    }
}

/// `h2`'s side of the pipe.
pub(crate) struct PipeIo(pub(crate) Rc<Pipe>);

impl AsyncRead for PipeIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let mut state = self.0.state.borrow_mut();
        let available = state.inbox.len() - state.inbox_at;
        if available > 0 {
            let n = available.min(buf.remaining());
            let at = state.inbox_at;
            buf.put_slice(&state.inbox[at..at + n]);
            state.inbox_at += n;
            if state.inbox_at == state.inbox.len() {
                wake(&mut state.reader);
            }
            return Poll::Ready(Ok(()));
        }
        if state.eof {
            // Nothing put: the end of the stream.
            return Poll::Ready(Ok(()));
        }
        park(&mut state.h2, cx);
        Poll::Pending
    }
}

impl AsyncWrite for PipeIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let mut state = self.0.state.borrow_mut();
        if state.broken || state.shut {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        let room = H2_OUTPUT_BYTES_MAX.saturating_sub(state.outbox.len());
        if room == 0 {
            park(&mut state.h2, cx);
            return Poll::Pending;
        }
        let n = room.min(buf.len());
        state.outbox.extend_from_slice(&buf[..n]);
        wake(&mut state.writer);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Queued bytes are the writer's to send; h2 may go on.
        if self.0.state.borrow().broken {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.0.shut();
        Poll::Ready(Ok(()))
    }
}

/// Sends `data` on a stream as the peer's window allows (either role: a client's answer, a
/// request body to an upstream), each wait for window within `stall`; false if the stream
/// or the connection failed.
pub(crate) async fn send_data(
    stream: &mut h2::SendStream<Bytes>,
    slot: &DeadlineSlot<'_>,
    stall: Duration,
    mut data: Bytes,
    end: bool,
) -> bool {
    if data.is_empty() {
        return stream.send_data(data, end).is_ok();
    }
    while !data.is_empty() {
        stream.reserve_capacity(data.len().min(H2_STREAM_SEND_BYTES_MAX));
        let capacity = std::future::poll_fn(|cx| stream.poll_capacity(cx));
        let n = match slot.run(Instant::now() + stall, capacity).await {
            Some(Some(Ok(n))) => n,
            _ => return false,
        };
        if n == 0 {
            continue;
        }
        let chunk = data.split_to(n.min(data.len()));
        if stream.send_data(chunk, end && data.is_empty()).is_err() {
            return false;
        }
    }
    true
}
