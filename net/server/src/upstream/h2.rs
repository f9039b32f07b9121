//! HTTP/2 connections to upstream servers (`protocol = "http2"`): one per server and shard,
//! the `h2` crate's client over the same in-memory pipe the HTTP/2 driver serves through
//! (`h2pipe`), in a task of its own that ends when the server closes the connection, a write
//! fails, or every handle and stream is gone (a reload drops the shard's handles). Each
//! request is a stream of it (`SendRequest` clones are cheap, and `h2` waits for a free
//! stream when the server's `SETTINGS_MAX_CONCURRENT_STREAMS` are in use).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use h2::client::SendRequest;

use bext_core::limits::{
    H2_FRAME_BYTES_MAX, H2_STREAM_SEND_BYTES_MAX, PROXY_H2_CONNECTION_WINDOW_BYTES,
    PROXY_H2_STREAM_WINDOW_BYTES, PROXY_RESPONSE_HEAD_BYTES_MAX,
};
use bext_shards::rt;
use bext_shards::sync::race;

use super::{ALPN_H2, ConnectError, PeerAddr, TlsTo, UpstreamConn};
use crate::h2pipe::{Pipe, PipeIo};
use crate::shard::Shard;
use crate::transport::Transport;

/// A shard's HTTP/2 connections to one upstream's servers, one per server at most.
#[derive(Default)]
pub(crate) struct H2Conns(Vec<RefCell<Option<H2Conn>>>);

impl H2Conns {
    pub fn new(servers: usize) -> H2Conns {
        H2Conns((0..servers).map(|_| RefCell::new(None)).collect())
    }

    /// The live connection to `server`, if there is one and it has not been idle longer
    /// than `idle_for`.
    pub fn live(&self, server: usize, idle_for: Duration) -> Option<SendRequest<Bytes>> {
        let mut slot = self.0.get(server)?.borrow_mut();
        let conn = slot.as_ref()?;
        if conn.ended.get() || conn.last_used.get().elapsed() >= idle_for {
            *slot = None;
            return None;
        }
        conn.last_used.set(Instant::now());
        Some(conn.send.clone())
    }

    fn keep(&self, server: usize, conn: H2Conn) {
        if let Some(slot) = self.0.get(server) {
            *slot.borrow_mut() = Some(conn);
        }
    }

    /// Forgets the connection to `server` (it failed a request before sending it).
    pub fn forget(&self, server: usize) {
        if let Some(slot) = self.0.get(server) {
            *slot.borrow_mut() = None;
        }
    }
}

/// One connection: a handle for opening streams, and whether its task has ended.
struct H2Conn {
    send: SendRequest<Bytes>,
    ended: Rc<Cell<bool>>,
    last_used: Cell<Instant>,
}

impl H2Conns {
    /// Opens a connection to `server` at `addr` ([`connect`]) and keeps it as the server's
    /// connection.
    #[allow(clippy::too_many_arguments)]
    pub async fn open(
        &self,
        shard: &Rc<Shard>,
        server: usize,
        addr: &PeerAddr,
        tls: Option<TlsTo<'_>>,
        connect_timeout: Duration,
        stall: Duration,
    ) -> Result<SendRequest<Bytes>, ConnectError> {
        let (send, ended) = connect(shard, addr, tls, connect_timeout, stall).await?;
        self.keep(
            server,
            H2Conn {
                send: send.clone(),
                ended,
                last_used: Cell::new(Instant::now()),
            },
        );
        Ok(send)
    }
}

/// Opens an HTTP/2 connection to `addr` (with `tls`: agreeing to `h2` by ALPN) within
/// `connect_timeout`, and starts its task on the shard (each write within `stall`): a handle
/// for streams, and a flag the task sets when it ends. The connection ends once every handle
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
    let (send, connection) = match rt::timeout(connect_timeout, handshake).await {
        Ok(Ok(pair)) => pair,
        Ok(Err(e)) => return Err(ConnectError::Failed(format!("HTTP/2 handshake: {e}"))),
        Err(_) => return Err(ConnectError::TimedOut),
    };
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
    Ok((send, ended))
}
