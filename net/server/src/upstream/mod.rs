//! A connection to a server bext forwards to (an `[[upstream]]`'s, a FastCGI server): TCP, a
//! Unix socket, or TLS over TCP (the client's end of the transports' [`Tls`], its certificate
//! verified). The handlers (proxy, FastCGI, health checks) use it through its own `read` and
//! `write_all`, so the service still reaches for no transport; as a [`Transport`] it splits
//! for the driver's tunnel.
//!
//! The TLS client configuration is a shard's own ([`client_config`], built from the
//! snapshot's root certificates): rustls keeps its session cache inside it, and a shard
//! resumes the sessions it made itself without sharing a lock with the others.

pub(crate) mod h2;

use std::cell::RefCell;
use std::io;
use std::os::fd::RawFd;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rustls::client::UnbufferedClientConnection;
use rustls::pki_types::ServerName;

use bext_core::limits::PROXY_KEPT_CHECK_AFTER_MS;
use bext_shards::rt::{self, BufResult, TcpReader, TcpStream, TcpWriter};
use bext_shards::rt::{UnixReader, UnixStream, UnixWriter};

pub(crate) use crate::transport::tls::certs::ClientAuth;
use crate::transport::tls::{Tls, TlsReader, TlsWriter};
use crate::transport::{Transport, TransportRead, TransportWrite};

/// ALPN's name for HTTP/1.1.
pub(crate) const ALPN_HTTP1: &[u8] = b"http/1.1";
/// ALPN's name for HTTP/2 over TLS.
pub(crate) const ALPN_H2: &[u8] = b"h2";

/// A shard's TLS client configuration trusting `roots`, offering `alpn` (`ALPN_HTTP1` or
/// `ALPN_H2`), showing `client` to servers that ask for a certificate.
pub(crate) fn client_config(
    roots: Arc<rustls::RootCertStore>,
    client: Option<&ClientAuth>,
    alpn: &[u8],
) -> Result<Arc<rustls::ClientConfig>, rustls::Error> {
    crate::transport::tls::certs::client_config(roots, client, alpn)
}

/// A client certificate from its PEM files (the chain, leaf first, and its private key);
/// errors name the file.
pub(crate) fn read_client_auth(
    cert: &std::path::Path,
    key: &std::path::Path,
) -> Result<ClientAuth, String> {
    let (chain, key) = crate::transport::tls::certs::read_pem(cert, key)?;
    Ok(ClientAuth { chain, key })
}

/// Where a server listens, resolved.
#[derive(Debug, Clone)]
pub(crate) enum PeerAddr {
    Tcp(std::net::SocketAddr),
    Unix(PathBuf),
}

impl std::fmt::Display for PeerAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PeerAddr::Tcp(addr) => write!(f, "{addr}"),
            PeerAddr::Unix(path) => write!(f, "unix:{}", path.display()),
        }
    }
}

/// TLS to a server: the shard's client configuration and the name its certificate must
/// have.
pub(crate) struct TlsTo<'a> {
    pub config: &'a Arc<rustls::ClientConfig>,
    pub name: &'a ServerName<'static>,
}

/// Why a connection could not be made.
#[derive(Debug, Clone)]
pub(crate) enum ConnectError {
    /// Refused, unreachable, or the TLS handshake failed: the reason.
    Failed(String),
    /// Not connected (or not through the handshake) within the deadline.
    TimedOut,
}

type ClientTls = Tls<TcpStream, UnbufferedClientConnection>;

pub(crate) enum UpstreamConn {
    Tcp(TcpStream),
    Unix(UnixStream),
    Tls(Box<ClientTls>),
}

impl UpstreamConn {
    /// Connects to `addr` (then runs the TLS handshake with `tls`), all within `deadline`.
    pub(crate) async fn connect(
        addr: &PeerAddr,
        tls: Option<TlsTo<'_>>,
        deadline: Duration,
    ) -> Result<UpstreamConn, ConnectError> {
        let connect = async {
            match addr {
                PeerAddr::Tcp(addr) => {
                    let stream = TcpStream::connect(*addr)
                        .await
                        .map_err(|e| ConnectError::Failed(e.to_string()))?;
                    let _ = stream.set_nodelay(true);
                    match tls {
                        None => Ok(UpstreamConn::Tcp(stream)),
                        // The handshake has the rest of the deadline (the outer timeout).
                        // Boxed: the handshake's future is several KiB, and every
                        // future that awaits a connection would carry it inline (and copy
                        // it whenever it is moved) even to reuse a kept one.
                        Some(tls) => Box::pin(Tls::connect(
                            stream,
                            tls.config.clone(),
                            tls.name.clone(),
                            deadline,
                        ))
                        .await
                        .map(|tls| UpstreamConn::Tls(Box::new(tls)))
                        .map_err(|e| ConnectError::Failed(format!("TLS: {e}"))),
                    }
                }
                PeerAddr::Unix(path) => UnixStream::connect(path)
                    .await
                    .map(UpstreamConn::Unix)
                    .map_err(|e| ConnectError::Failed(e.to_string())),
            }
        };
        match rt::timeout(deadline, connect).await {
            Ok(result) => result,
            Err(_) => Err(ConnectError::TimedOut),
        }
    }

    /// Reads into `buf[len..capacity]`, appending; `Ok(0)` is the end of the stream.
    pub(crate) async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize> {
        Transport::read(self, buf).await
    }

    /// Writes all of `buf`.
    pub(crate) async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()> {
        Transport::write_all(self, buf).await
    }

    /// Splits the connection into halves that may each wait at the same time (a body sent
    /// while the answer is awaited); [`UpstreamConn::rejoin`] makes it whole again.
    pub(crate) fn split(self) -> (UpstreamReader, UpstreamWriter) {
        Transport::split(self)
    }

    /// The connection `reader` and `writer` were split from, whole again: `None` if they
    /// are halves of different connections.
    pub(crate) fn rejoin(reader: UpstreamReader, writer: UpstreamWriter) -> Option<UpstreamConn> {
        match (reader, writer) {
            (UpstreamReader::Tcp(r), UpstreamWriter::Tcp(w)) => {
                TcpStream::rejoin(r, w).map(UpstreamConn::Tcp)
            }
            (UpstreamReader::Unix(r), UpstreamWriter::Unix(w)) => {
                UnixStream::rejoin(r, w).map(UpstreamConn::Unix)
            }
            (UpstreamReader::Tls(r), UpstreamWriter::Tls(w)) => {
                Tls::rejoin(r, w, TcpStream::rejoin).map(|tls| UpstreamConn::Tls(Box::new(tls)))
            }
            _ => None,
        }
    }

    /// Whether a kept connection can no longer carry a request: its server closed it, reset
    /// it, or sent bytes nobody asked for (or TLS holds some not yet read).
    pub(crate) fn unusable(&self) -> bool {
        let fd: Option<RawFd> = match self {
            UpstreamConn::Tcp(stream) => Some(stream.raw_fd()),
            UpstreamConn::Unix(stream) => stream.raw_fd(),
            UpstreamConn::Tls(tls) => {
                if tls.buffered() {
                    return true;
                }
                Some(tls.io().raw_fd())
            }
        };
        fd.is_some_and(bext_shards::sys::connection_unusable)
    }
}

/// Connections to one server kept open between requests, newest last.
#[derive(Default)]
pub(crate) struct KeptConns(RefCell<Vec<(UpstreamConn, Instant)>>);

impl KeptConns {
    /// The newest kept connection that has been idle less than `idle_for` and that its
    /// server has not closed meanwhile (older ones and closed ones are dropped on the way).
    ///
    /// Whether the server closed it is one `recv` (a system call per request). With
    /// `resend_safe` (the request may go again on a new connection if this one turns out
    /// closed) it is asked only of a connection idle for `PROXY_KEPT_CHECK_AFTER_MS` or
    /// more: servers close kept connections after seconds of idleness, so a busy pool's
    /// connections are fresh, and the rare one closed meanwhile costs a resend.
    pub(crate) fn take(&self, idle_for: Duration, resend_safe: bool) -> Option<UpstreamConn> {
        let check_after = Duration::from_millis(PROXY_KEPT_CHECK_AFTER_MS);
        let mut kept = self.0.borrow_mut();
        while let Some((conn, since)) = kept.pop() {
            let idle = since.elapsed();
            if idle >= idle_for {
                continue;
            }
            if (!resend_safe || idle >= check_after) && conn.unusable() {
                continue;
            }
            return Some(conn);
        }
        None
    }

    /// Keeps `conn`, the oldest making room when `max` are kept already; with `max` 0,
    /// nothing is kept.
    pub(crate) fn put(&self, conn: UpstreamConn, max: usize) {
        if max == 0 {
            return;
        }
        let mut kept = self.0.borrow_mut();
        if kept.len() >= max {
            kept.remove(0);
        }
        kept.push((conn, Instant::now()));
    }
}

pub(crate) enum UpstreamReader {
    Tcp(TcpReader),
    Unix(UnixReader),
    Tls(TlsReader<TcpReader, UnbufferedClientConnection>),
}

pub(crate) enum UpstreamWriter {
    Tcp(TcpWriter),
    Unix(UnixWriter),
    Tls(TlsWriter<TcpWriter, UnbufferedClientConnection>),
}

impl Transport for UpstreamConn {
    type Reader = UpstreamReader;
    type Writer = UpstreamWriter;

    fn split(self) -> (UpstreamReader, UpstreamWriter) {
        match self {
            UpstreamConn::Tcp(stream) => {
                let (r, w) = stream.into_split();
                (UpstreamReader::Tcp(r), UpstreamWriter::Tcp(w))
            }
            UpstreamConn::Unix(stream) => {
                let (r, w) = stream.into_split();
                (UpstreamReader::Unix(r), UpstreamWriter::Unix(w))
            }
            UpstreamConn::Tls(tls) => {
                let (r, w) = tls.split();
                (UpstreamReader::Tls(r), UpstreamWriter::Tls(w))
            }
        }
    }

    async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize> {
        match self {
            UpstreamConn::Tcp(stream) => stream.read(buf).await,
            UpstreamConn::Unix(stream) => stream.read(buf).await,
            UpstreamConn::Tls(tls) => Transport::read(tls.as_mut(), buf).await,
        }
    }

    async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()> {
        match self {
            UpstreamConn::Tcp(stream) => stream.write_all(buf).await,
            UpstreamConn::Unix(stream) => stream.write_all(buf).await,
            UpstreamConn::Tls(tls) => Transport::write_all(tls.as_mut(), buf).await,
        }
    }

    async fn write_all_gathered(&mut self, head: Vec<u8>, body: Bytes) -> BufResult<()> {
        match self {
            UpstreamConn::Tcp(stream) => stream.write_all_gathered(head, body).await,
            UpstreamConn::Unix(stream) => {
                let mut out = head;
                let len = out.len();
                out.extend_from_slice(&body);
                let (result, mut back) = stream.write_all(out).await;
                back.truncate(len);
                (result, back)
            }
            UpstreamConn::Tls(tls) => tls.write_all_gathered(head, body).await,
        }
    }

    async fn shutdown_write(&mut self) -> io::Result<()> {
        match self {
            UpstreamConn::Tcp(stream) => stream.shutdown_write().await,
            UpstreamConn::Unix(stream) => stream.shutdown_write().await,
            UpstreamConn::Tls(tls) => Transport::shutdown_write(tls.as_mut()).await,
        }
    }
}

impl UpstreamReader {
    /// Reads into `buf[len..capacity]`, appending; `Ok(0)` is the end of the stream.
    pub(crate) async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize> {
        TransportRead::read(self, buf).await
    }
}

impl UpstreamWriter {
    /// Writes all of `buf`.
    pub(crate) async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()> {
        TransportWrite::write_all(self, buf).await
    }
}

impl TransportRead for UpstreamReader {
    async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize> {
        match self {
            UpstreamReader::Tcp(r) => r.read(buf).await,
            UpstreamReader::Unix(r) => r.read(buf).await,
            UpstreamReader::Tls(r) => r.read(buf).await,
        }
    }
}

impl TransportWrite for UpstreamWriter {
    async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()> {
        match self {
            UpstreamWriter::Tcp(w) => w.write_all(buf).await,
            UpstreamWriter::Unix(w) => w.write_all(buf).await,
            UpstreamWriter::Tls(w) => w.write_all(buf).await,
        }
    }

    async fn shutdown_write(&mut self) -> io::Result<()> {
        match self {
            UpstreamWriter::Tcp(w) => w.shutdown_write().await,
            UpstreamWriter::Unix(w) => w.shutdown_write().await,
            UpstreamWriter::Tls(w) => w.shutdown_write().await,
        }
    }
}
