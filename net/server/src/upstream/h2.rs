//! HTTP/2 connections to upstream servers (`protocol = "http2"`): the `h2` crate's client
//! over the same in-memory pipe the HTTP/2 driver serves through (`h2pipe`), each in a task
//! of its own that ends when the server closes the connection, a write fails, or every
//! handle and stream is gone (a reload drops the shard's handles). Each request is a stream
//! (`SendRequest` clones are cheap). A shard uses one connection per server until the
//! server's `SETTINGS_MAX_CONCURRENT_STREAMS` are all in use on it, then opens another, up to
//! `PROXY_H2_CONNECTIONS_MAX`: long-lived gRPC streams (subscriptions) would otherwise hold
//! every later call back. Past that, `h2` queues a stream until one ends.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use h2::client::SendRequest;

use bext_core::limits::{
    H2_FRAME_BYTES_MAX, H2_STREAM_SEND_BYTES_MAX, PROXY_H2_CONNECTION_WINDOW_BYTES,
    PROXY_H2_CONNECTIONS_MAX, PROXY_H2_STREAM_WINDOW_BYTES, PROXY_RESPONSE_HEAD_BYTES_MAX,
};
use bext_shards::rt;
use bext_shards::sync::{Generation, race};

use super::{ALPN_H2, ConnectError, PeerAddr, TlsTo, UpstreamConn};
use crate::h2pipe::{Pipe, PipeIo};
use crate::shard::Shard;

/// A shard's HTTP/2 connections to one upstream's servers, one per server at most.
#[derive(Default)]
pub(crate) struct H2Conns {
    servers: Vec<Slot>,
    /// The id the next connection gets.
    next_id: Cell<u64>,
}

/// One server's connections, and the opening of the next.
#[derive(Default)]
struct Slot {
    /// Oldest first; each with streams to spare is used before another is opened.
    conns: RefCell<Vec<H2Conn>>,
    /// A connection is being opened: requests wait for it rather than open their own (a
    /// GOAWAY seen by every request in flight would otherwise open one each).
    opening: Cell<bool>,
    /// Bumped each time an opening ends, made or failed.
    opened: Generation,
    /// Why the last opening failed, for the requests that waited on it.
    failed: RefCell<Option<ConnectError>>,
}

/// One connection: a handle for opening streams, whether its task has ended, and the
/// streams this shard has open on it.
struct H2Conn {
    id: u64,
    send: SendRequest<Bytes>,
    ended: Rc<Cell<bool>>,
    last_used: Cell<Instant>,
    streams: Rc<Cell<usize>>,
}

impl H2Conn {
    /// Whether the server takes another stream on it now (its
    /// `SETTINGS_MAX_CONCURRENT_STREAMS`; `h2` assumes 100 until the server says).
    fn has_room(&self) -> bool {
        self.streams.get() < self.send.current_max_send_streams()
    }

    fn take(&self, opened: bool) -> Taken {
        self.last_used.set(Instant::now());
        self.streams.set(self.streams.get() + 1);
        Taken {
            send: self.send.clone(),
            id: self.id,
            opened,
            stream: StreamHeld(self.streams.clone()),
        }
    }
}

/// A handle for a stream on a server's connection.
pub(crate) struct Taken {
    pub send: SendRequest<Bytes>,
    /// The connection's, for [`H2Conns::forget`].
    pub id: u64,
    /// This request opened the connection (else it was there, or another request opened it).
    pub opened: bool,
    /// Counts the stream as open on its connection until dropped: keep it as long as the
    /// stream (its answer's body).
    pub stream: StreamHeld,
}

/// One stream counted on its connection while it lives.
pub(crate) struct StreamHeld(Rc<Cell<usize>>);

impl Drop for StreamHeld {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

/// Ends an opening however it ends (done, failed, or its request dropped meanwhile): the
/// requests waiting on it look again.
struct Opening<'a>(&'a Slot);

impl Drop for Opening<'_> {
    fn drop(&mut self) {
        self.0.opening.set(false);
        self.0.opened.bump();
    }
}

impl H2Conns {
    pub fn new(servers: usize) -> H2Conns {
        H2Conns {
            servers: (0..servers).map(|_| Slot::default()).collect(),
            next_id: Cell::new(0),
        }
    }

    /// A stream's handle on a connection to `server` at `addr`: a live one with a stream to
    /// spare (connections idle longer than `idle_for` are closed on the way), the one
    /// another request is opening, or a new one ([`connect`]). With
    /// `PROXY_H2_CONNECTIONS_MAX` connections all full, the least busy one, where `h2`
    /// queues the stream until one ends.
    #[allow(clippy::too_many_arguments)]
    pub async fn take(
        &self,
        shard: &Rc<Shard>,
        server: usize,
        addr: &PeerAddr,
        tls: Option<TlsTo<'_>>,
        connect_timeout: Duration,
        stall: Duration,
        idle_for: Duration,
    ) -> Result<Taken, ConnectError> {
        let Some(slot) = self.servers.get(server) else {
            return Err(ConnectError::Failed("no such server".into()));
        };
        let mut waited = false;
        loop {
            {
                let mut conns = slot.conns.borrow_mut();
                conns.retain(|c| {
                    !c.ended.get()
                        && (c.streams.get() > 0 || c.last_used.get().elapsed() < idle_for)
                });
                if let Some(conn) = conns.iter().find(|c| c.has_room()) {
                    return Ok(conn.take(false));
                }
                if conns.len() >= PROXY_H2_CONNECTIONS_MAX
                    && let Some(conn) = conns.iter().min_by_key(|c| c.streams.get())
                {
                    return Ok(conn.take(false));
                }
            }
            if waited && let Some(failed) = slot.failed.borrow().clone() {
                return Err(failed);
            }
            if !slot.opening.get() {
                break;
            }
            let seen = slot.opened.get();
            if rt::timeout(connect_timeout, slot.opened.changed(seen))
                .await
                .is_err()
            {
                return Err(ConnectError::TimedOut);
            }
            waited = true;
        }
        slot.opening.set(true);
        *slot.failed.borrow_mut() = None;
        let opening = Opening(slot);
        let made = connect(shard, addr, tls, connect_timeout, stall).await;
        let (send, ended) = match made {
            Ok(made) => made,
            Err(e) => {
                *slot.failed.borrow_mut() = Some(e.clone());
                return Err(e);
            }
        };
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        let conn = H2Conn {
            id,
            send,
            ended,
            last_used: Cell::new(Instant::now()),
            streams: Rc::new(Cell::new(0)),
        };
        let taken = conn.take(true);
        slot.conns.borrow_mut().push(conn);
        drop(opening);
        Ok(taken)
    }

    /// Forgets connection `id` to `server` (it failed a request before the request was
    /// sent); its streams in flight finish on it.
    pub fn forget(&self, server: usize, id: u64) {
        if let Some(slot) = self.servers.get(server) {
            slot.conns.borrow_mut().retain(|c| c.id != id);
        }
    }
}

/// Opens an HTTP/2 connection to `addr` (with `tls`: agreeing to `h2` by ALPN) within
/// `connect_timeout`, starts its task on the shard (each write within `stall`) and waits,
/// within the same deadline, until the server's SETTINGS are in: a handle for streams, and
/// a flag the task sets when it ends. The connection ends once every handle
/// and stream is dropped.
pub(crate) async fn connect(
    shard: &Rc<Shard>,
    addr: &PeerAddr,
    tls: Option<TlsTo<'_>>,
    connect_timeout: Duration,
    stall: Duration,
) -> Result<(SendRequest<Bytes>, Rc<Cell<bool>>), ConnectError> {
    let secure = tls.is_some();
    let conn = UpstreamConn::connect(addr, tls, connect_timeout).await?;
    if secure
        && let UpstreamConn::Tls(tls) = &conn
        && tls.alpn() != Some(ALPN_H2)
    {
        return Err(ConnectError::Failed(
            "the server did not agree to HTTP/2 by ALPN (`protocol = \"http2\"`)".into(),
        ));
    }
    let (reader, writer) = conn.split();
    let pipe = Pipe::new(Vec::new());
    let handshake = h2::client::Builder::new()
        .initial_window_size(PROXY_H2_STREAM_WINDOW_BYTES)
        .initial_connection_window_size(PROXY_H2_CONNECTION_WINDOW_BYTES)
        .max_frame_size(H2_FRAME_BYTES_MAX)
        .max_header_list_size(u32::try_from(PROXY_RESPONSE_HEAD_BYTES_MAX).unwrap_or(u32::MAX))
        .max_send_buffer_size(H2_STREAM_SEND_BYTES_MAX)
        .enable_push(false)
        .handshake::<_, Bytes>(PipeIo(pipe.clone()));
    // The handshake only writes the preface and SETTINGS into the pipe: no I/O waits on it;
    // the server's SETTINGS are read by the connection's task.
    let (send, mut connection) = match rt::timeout(connect_timeout, handshake).await {
        Ok(Ok(pair)) => pair,
        Ok(Err(e)) => return Err(ConnectError::Failed(format!("HTTP/2 handshake: {e}"))),
        Err(_) => return Err(ConnectError::TimedOut),
    };
    let ping = connection.ping_pong();
    let ended = Rc::new(Cell::new(false));
    let task_shard = shard.clone();
    let task_ended = ended.clone();
    crate::shard::spawn(shard, "an HTTP/2 upstream connection", async move {
        let slot = task_shard.deadlines.slot();
        let session = async {
            // Ends when the server closes, fails, or every handle and stream is gone.
            let _ = connection.await;
            pipe.shut();
        };
        let writes = pipe.write_loop(writer, &slot, stall);
        let reads = async {
            pipe.read_loop(reader).await;
            // The server's end is the session's to act on.
            std::future::pending::<()>().await;
        };
        race(futures_lite::future::zip(session, writes), reads).await;
        task_ended.set(true);
    });
    // A server sends its SETTINGS first, so once a PING of ours is answered they have been
    // read: the connection's stream limit is the server's, not `h2`'s guess of 100, before
    // any request counts on it (requests over the limit would be refused).
    if let Some(mut ping) = ping {
        match rt::timeout(connect_timeout, ping.ping(h2::Ping::opaque())).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(ConnectError::Failed(format!("HTTP/2: {e}"))),
            Err(_) => return Err(ConnectError::TimedOut),
        }
    }
    Ok((send, ended))
}
