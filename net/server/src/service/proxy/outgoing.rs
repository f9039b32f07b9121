//! A request body on its way to an upstream server: collected whole (the rules read it
//! first), or passed on as it arrives from the client.
//!
//! A streamed body is framed as the client framed it: its `Content-Length` when it declared
//! one, else chunked (HTTP/1.1 upstreams must accept chunked requests; nginx sends them the
//! same way with `proxy_request_buffering off`). Whatever of the body is already at hand
//! goes out with the request head in one write; after that, each piece is written as it
//! comes, so the upstream reads the body at the client's pace and the client at the
//! upstream's (the driver reads only when a piece is asked for).
//!
//! Pieces sent are kept while they add up to `PROXY_RETRY_BODY_BYTES_MAX`, so a request that
//! may go to another server after a failure is sent there whole. Past that they are let go,
//! and the request is no longer [`Outgoing::replayable`] once any of it has left.

use std::time::Duration;

use bytes::Bytes;

use bext_core::limits::{PROXY_RETRY_BODY_BYTES_MAX, PROXY_SEND_GATHER_BYTES};
use bext_net::client::upstream::{write_body_end, write_body_piece};
use bext_net::h1::BodyKind;
use bext_shards::rt::{self, BufResult};

use crate::service::incoming::{BodyFault, IncomingBody};

pub(super) struct Outgoing {
    /// A collected body (sent whole, any number of times).
    whole: Option<Bytes>,
    /// The client's body, still arriving.
    incoming: Option<Box<dyn IncomingBody>>,
    framing: BodyKind,
    /// Pieces taken from `incoming` and still held for a replay.
    kept: Vec<Bytes>,
    kept_bytes: u64,
    /// Pieces were taken and let go: the body cannot be sent again.
    spent: bool,
    /// `incoming` has ended.
    ended: bool,
}

/// Why a body could not be sent: the client's side failed, or the upstream's.
pub(super) enum SendFault {
    Client(BodyFault),
    Upstream(String),
}

impl Outgoing {
    /// The body of a request: `whole` if it was collected, else the incoming one if the
    /// handler streams it; `post`: an empty body is still declared (`Content-Length: 0`).
    pub fn new(
        whole: Option<&[u8]>,
        incoming: Option<Box<dyn IncomingBody>>,
        post: bool,
    ) -> Outgoing {
        let (whole, incoming, framing) = match (whole, incoming) {
            (Some(body), _) => (
                Some(Bytes::copy_from_slice(body)),
                None,
                BodyKind::Length(body.len() as u64),
            ),
            (None, Some(body)) => {
                let framing = match body.length() {
                    Some(n) => BodyKind::Length(n),
                    None => BodyKind::Chunked,
                };
                (None, Some(body), framing)
            }
            (None, None) if post => (None, None, BodyKind::Length(0)),
            (None, None) => (None, None, BodyKind::None),
        };
        Outgoing {
            whole,
            incoming,
            framing,
            kept: Vec::new(),
            kept_bytes: 0,
            spent: false,
            ended: false,
        }
    }

    /// How the request head frames the body.
    pub fn framing(&self) -> BodyKind {
        self.framing
    }

    /// The body for an HTTP/2 stream, which frames it itself: the collected body (kept, so
    /// it can go again), or the client's as it arrives (taken: it cannot).
    pub fn take_for_stream(&mut self) -> (Option<Bytes>, Option<Box<dyn IncomingBody>>) {
        let incoming = if self.ended {
            None
        } else {
            self.incoming.take()
        };
        if incoming.is_some() {
            self.spent = true;
            self.kept = Vec::new();
        }
        (self.whole.clone(), incoming)
    }

    /// Whether the body is still arriving from the client (so an answer may come before it
    /// has all been sent).
    pub fn streams(&self) -> bool {
        self.incoming.is_some() && !self.ended
    }

    /// Whether the whole body can be sent (again).
    pub fn replayable(&self) -> bool {
        !self.spent
    }

    /// Sends `head` and the body through `write` (a connection's, or its writing half's),
    /// each write within `timeout`: what is at hand goes with the head in one write, the rest
    /// as it arrives.
    pub async fn send(
        &mut self,
        mut write: impl AsyncFnMut(Vec<u8>) -> BufResult<()>,
        head: &[u8],
        timeout: Duration,
    ) -> Result<(), SendFault> {
        let mut out = Vec::with_capacity(head.len() + self.whole.as_ref().map_or(0, Bytes::len));
        out.extend_from_slice(head);
        if let Some(body) = &self.whole {
            out.extend_from_slice(body);
        }
        for piece in &self.kept {
            write_body_piece(&mut out, piece, self.framing);
        }
        let mut waited = false;
        loop {
            let next = match self.incoming.as_mut() {
                None => None,
                Some(_) if self.ended => None,
                Some(incoming) => match incoming.try_next() {
                    Some(next) => next,
                    None if waited || out.is_empty() => incoming.next().await,
                    // Nothing more at hand: what is gathered goes first.
                    None => {
                        out = write_within(&mut write, out, timeout).await?;
                        out.clear();
                        waited = true;
                        continue;
                    }
                },
            };
            waited = false;
            match next {
                Some(Ok(piece)) => {
                    write_body_piece(&mut out, &piece, self.framing);
                    self.keep(piece);
                    if out.len() >= PROXY_SEND_GATHER_BYTES {
                        out = write_within(&mut write, out, timeout).await?;
                        out.clear();
                    }
                }
                Some(Err(fault)) => return Err(SendFault::Client(fault)),
                None => {
                    if self.incoming.is_some() {
                        self.ended = true;
                    }
                    write_body_end(&mut out, self.framing);
                    if !out.is_empty() {
                        write_within(&mut write, out, timeout).await?;
                    }
                    return Ok(());
                }
            }
        }
    }

    fn keep(&mut self, piece: Bytes) {
        if self.spent {
            return;
        }
        self.kept_bytes += piece.len() as u64;
        if self.kept_bytes > PROXY_RETRY_BODY_BYTES_MAX {
            self.spent = true;
            self.kept = Vec::new();
        } else {
            self.kept.push(piece);
        }
    }
}

/// Writes `out` with `write` within `timeout`; the buffer back.
async fn write_within(
    write: &mut impl AsyncFnMut(Vec<u8>) -> BufResult<()>,
    out: Vec<u8>,
    timeout: Duration,
) -> Result<Vec<u8>, SendFault> {
    match rt::timeout(timeout, write(out)).await {
        Ok((Ok(()), back)) => Ok(back),
        Ok((Err(e), _)) => Err(SendFault::Upstream(format!("write: {e}"))),
        Err(_) => Err(SendFault::Upstream("write: timed out".into())),
    }
}
