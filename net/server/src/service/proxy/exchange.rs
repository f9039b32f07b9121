//! One HTTP/1.1 request to one upstream server: a connection (kept or new), the request
//! sent, the response head read.
//!
//! A body at hand (none, or one collected whole) is sent, and then the head is read. A body
//! still arriving from the client is sent *while* the head is read, on the two halves of
//! the connection: a server may answer before it has read the whole body (a 413 or a 401
//! to an upload it will not take), and that answer reaches the client at once, however
//! slowly the client is still sending. The rest of the body is then not sent (nginx stops
//! sending it too once it has a response head), and the connection is not kept: the server
//! may still be reading a body that will never end. Interim (1xx) heads do not count as an
//! answer; the body goes on.
//!
//! A server that stops reading the body without answering first (a write fails or stalls
//! for the timeout) is given `PROXY_EARLY_ANSWER_WAIT_MS` more for an answer it sent just
//! before; without one, the write's failure stands.

use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use bext_core::config::Upstream;
use bext_core::limits::{
    PROXY_EARLY_ANSWER_WAIT_MS, PROXY_HEAD_READ_BYTES, PROXY_READ_BYTES, PROXY_RESPONSE_FIELDS_MAX,
    PROXY_RESPONSE_HEAD_BYTES_MAX,
};
use bext_net::client::upstream::{ResponseHead, parse_response_head};
use bext_shards::rt::{self, BufResult};

use crate::upstream::{ConnectError, PeerAddr, TlsTo, UpstreamConn};

use super::outgoing::{Outgoing, SendFault};
use super::{Failure, Service, UpstreamState};

/// What is asked of an upstream server.
pub(super) struct Asked<'a> {
    pub head: &'a [u8],
    /// The body, sent after the head (and again to another server while it can be).
    pub body: &'a mut Outgoing,
    pub head_request: bool,
    /// The client asked to switch protocols.
    pub upgrade: bool,
    pub idempotent: bool,
    /// For the response head, each read of the body, a tunnel's silence: the route's
    /// `timeout_ms`, or else the upstream's.
    pub timeout: Duration,
}

/// An upstream's response head as read: the head, its connection, and the buffer it was
/// read into (`head_len` bytes of head, then any of the body).
pub(super) struct HeadRead {
    pub head: ResponseHead,
    pub stream: UpstreamConn,
    pub buf: Vec<u8>,
    pub head_len: usize,
}

impl HeadRead {
    /// The head `read` on `stream`; after a body `cut` short, the connection is not kept.
    fn of(read: (ResponseHead, Vec<u8>, usize), stream: UpstreamConn, cut: bool) -> HeadRead {
        let (mut head, buf, head_len) = read;
        if cut {
            head.reusable = false;
        }
        HeadRead {
            head,
            stream,
            buf,
            head_len,
        }
    }
}

/// A failed exchange, and whether any byte of a response had arrived.
type Failed = (Failure, bool);

/// One request to one server: a connection (kept-alive or new), the request sent, the
/// response head read. Returns the head, the connection and what was read past the head.
pub(super) async fn exchange(
    service: &Service,
    state: &UpstreamState,
    config: &Upstream,
    server: usize,
    addr: &PeerAddr,
    tls: Option<TlsTo<'_>>,
    asked: &mut Asked<'_>,
) -> Result<HeadRead, Failure> {
    let idle_for = Duration::from_millis(config.idle_ms);
    // A request that may go again on a new connection (below) needs no check that the kept
    // one is still open, unless it has been idle a while.
    let resend_safe = asked.idempotent && asked.body.replayable();
    if let Some(stream) = state.take_idle(server, idle_for, resend_safe) {
        service.shard.metrics.borrow_mut().proxy_connections_reused += 1;
        match send_and_read_head(stream, asked).await {
            Ok(done) => return Ok(done),
            // The server closed it as it was taken: a new connection, once, when sending
            // twice is safe.
            Err((Failure::Reset(_), false)) if resend_safe => {}
            Err((failure, _)) => return Err(failure),
        }
    }
    let deadline = Duration::from_millis(config.connect_timeout_ms);
    let stream = match UpstreamConn::connect(addr, tls, deadline).await {
        Ok(stream) => stream,
        Err(ConnectError::Failed(why)) => return Err(Failure::Refused(why)),
        Err(ConnectError::TimedOut) => return Err(Failure::ConnectTimeout),
    };
    service.shard.metrics.borrow_mut().proxy_connections_opened += 1;
    send_and_read_head(stream, asked)
        .await
        .map_err(|(failure, _)| failure)
}

/// Sends the request and reads the response head: each write, and then the head, within the
/// asked timeout (a streamed body takes as long as the client takes, each piece within the
/// client's own body deadline).
async fn send_and_read_head(
    mut stream: UpstreamConn,
    asked: &mut Asked<'_>,
) -> Result<HeadRead, Failed> {
    if asked.body.streams() {
        return send_while_reading(stream, asked).await;
    }
    let write = async |out| stream.write_all(out).await;
    let sent = asked.body.send(write, asked.head, asked.timeout).await;
    let (wait, unsent) = after_sending(sent, asked.timeout)?;
    let cut = unsent.is_some();
    let read_asked = ReadAsked::of(asked);
    let read = rt::timeout(
        wait,
        read_head(async |buf| stream.read(buf).await, read_asked),
    );
    let read = settle(read.await, unsent)?;
    Ok(HeadRead::of(read, stream, cut))
}

/// Which finished first: the head read, or the body sent.
enum First<R, S> {
    Answered(R),
    Sent(S),
}

/// [`send_and_read_head`] for a body still arriving: the body goes out on the connection's
/// writing half while its reading half waits for the head. A head that comes first is the
/// answer (the body is cut short there, and the connection not kept); a body sent first
/// leaves the head its timeout, as for a body at hand.
async fn send_while_reading(
    stream: UpstreamConn,
    asked: &mut Asked<'_>,
) -> Result<HeadRead, Failed> {
    let read_asked = ReadAsked::of(asked);
    let timeout = asked.timeout;
    let (mut reader, mut writer) = stream.split();
    let outcome = {
        let mut read = pin!(read_head(async |buf| reader.read(buf).await, read_asked));
        let write = async |out| writer.write_all(out).await;
        let mut send = pin!(asked.body.send(write, asked.head, timeout));
        let first = std::future::poll_fn(|cx| {
            if let Poll::Ready(read) = read.as_mut().poll(cx) {
                return Poll::Ready(First::Answered(read));
            }
            send.as_mut().poll(cx).map(First::Sent)
        })
        .await;
        match first {
            // The body's rest is not sent: the sending is dropped here, mid-way.
            First::Answered(read) => read.map(|read| (read, true)),
            First::Sent(sent) => {
                let (wait, unsent) = after_sending(sent, timeout)?;
                let cut = unsent.is_some();
                settle(rt::timeout(wait, read).await, unsent).map(|read| (read, cut))
            }
        }
    };
    let (read, cut) = outcome?;
    let Some(stream) = UpstreamConn::rejoin(reader, writer) else {
        debug_assert!(false, "the halves of one connection rejoin");
        return Err((Failure::Reset("the connection did not rejoin".into()), true));
    };
    Ok(HeadRead::of(read, stream, cut))
}

/// After the body was sent (or was not): how long the head may take, and why the body did
/// not all go, if it did not. A server that stopped taking the body may have answered
/// first, so its answer is still waited for, a little; a client whose body failed ends the
/// exchange.
fn after_sending(
    sent: Result<(), SendFault>,
    timeout: Duration,
) -> Result<(Duration, Option<String>), Failed> {
    match sent {
        Ok(()) => Ok((timeout, None)),
        Err(SendFault::Upstream(why)) => Ok((
            timeout.min(Duration::from_millis(PROXY_EARLY_ANSWER_WAIT_MS)),
            Some(why),
        )),
        Err(SendFault::Client(fault)) => Err((Failure::Client(fault), false)),
    }
}

/// The head read within its wait: a read that failed or timed out after the body did not
/// all go reports the body's failure (the cause), else its own.
fn settle<T>(
    read: Result<Result<T, Failed>, rt::Elapsed>,
    unsent: Option<String>,
) -> Result<T, Failed> {
    match (read, unsent) {
        (Ok(Ok(read)), _) => Ok(read),
        (Ok(Err((_, answered))), Some(why)) => Err((Failure::Reset(why), answered)),
        (Err(_), Some(why)) => Err((Failure::Reset(why), false)),
        (Ok(Err(failure)), None) => Err(failure),
        (Err(_), None) => Err((Failure::Timeout, true)),
    }
}

/// What reading a response head needs to know of the request.
#[derive(Clone, Copy)]
struct ReadAsked {
    head_request: bool,
    upgrade: bool,
}

impl ReadAsked {
    fn of(asked: &Asked<'_>) -> ReadAsked {
        ReadAsked {
            head_request: asked.head_request,
            upgrade: asked.upgrade,
        }
    }
}

/// Reads with `read` (a connection's, or its reading half's) until a whole final response
/// head has come: the head, the buffer, the head's length in it.
async fn read_head(
    mut read: impl AsyncFnMut(Vec<u8>) -> BufResult<usize>,
    asked: ReadAsked,
) -> Result<(ResponseHead, Vec<u8>, usize), Failed> {
    let mut buf: Vec<u8> = Vec::with_capacity(PROXY_HEAD_READ_BYTES);
    loop {
        if buf.capacity() - buf.len() < PROXY_HEAD_READ_BYTES / 4 {
            buf.reserve(PROXY_READ_BYTES);
        }
        let before = buf.len();
        let (read, back) = read(buf).await;
        buf = back;
        let n = read.map_err(|e| (Failure::Reset(format!("read: {e}")), before > 0))?;
        if n == 0 {
            let why = if before == 0 {
                "closed without answering"
            } else {
                "closed inside the response head"
            };
            return Err((Failure::Reset(why.into()), before > 0));
        }
        match parse_response_head(
            &mut buf,
            asked.head_request,
            asked.upgrade,
            PROXY_RESPONSE_HEAD_BYTES_MAX,
            PROXY_RESPONSE_FIELDS_MAX,
        ) {
            Ok(Some((head, head_len))) => return Ok((head, buf, head_len)),
            Ok(None) => {}
            Err(bad) => return Err((Failure::Bad(bad), true)),
        }
    }
}
