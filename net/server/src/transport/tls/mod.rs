//! TLS over another transport, with rustls's unbuffered API: rustls never owns a buffer or a
//! socket. Received records are decrypted in place in the connection's `incoming` buffer (the
//! one the runtime reads into), handshake and application records are encrypted into
//! `outgoing` (the one the runtime writes from), and the HTTP driver above sees plain bytes
//! through the same [`Transport`] surface as TCP, so HTTP/1.1 runs over it unchanged.
//!
//! The connection is a loop over rustls's states (`process_tls_records`): encode and transmit
//! handshake records, wait for more bytes, hand out application data, encrypt ours. A
//! handshake must finish within `server.tls_handshake_timeout_ms` (`TLS_HANDSHAKE_TIMEOUT_MS`); a buffer of received records that
//! grows past `TLS_INCOMING_BYTES_MAX` without yielding a record ends the connection.

pub(crate) mod certs;
pub(crate) mod kernel;
pub(crate) mod quic;
mod split;

pub(crate) use split::{TlsReader, TlsWriter};

use std::io;
use std::sync::Arc;
use std::time::Duration;

use bext_core::limits::{SHUTDOWN_WAIT_MS, TLS_INCOMING_BYTES_MAX};
use bext_shards::rt::{self, BufResult};
use bytes::Bytes;
use rustls::client::{ClientConnectionData, UnbufferedClientConnection};
use rustls::pki_types::ServerName;
use rustls::server::{ServerConnectionData, UnbufferedServerConnection};
use rustls::unbuffered::{ConnectionState, EncodeError, EncryptError, UnbufferedStatus};

use super::Transport;

/// Bytes asked of the transport per read of records.
// tidy: not a limit: a read size (one full record and its header), bounded by
// TLS_INCOMING_BYTES_MAX.
const TLS_READ_CHUNK_BYTES: usize = 16 * 1024 + 512;

/// Bytes asked of the transport per read while a connection is quiet, and what its buffers
/// shrink back to when it waits: a request (or a ClientHello) fits, and an idle connection
/// holds this much instead of a whole record's room.
// tidy: not a limit: a read size; records that need more get it (`prepare_read`).
const TLS_READ_BYTES_IDLE: usize = 4 * 1024;

/// The least spare room a caller's buffer must have for a quiet connection to wait in it
/// (`Tls::read_quiet`); with less, the connection reads into its own.
// tidy: not a limit: a read size.
const TLS_READ_BYTES_QUIET_MIN: usize = 512;

/// Makes room in `incoming` for the next read: the rest of a record already begun at least,
/// a whole record's worth while data streams in (`streaming`: the last read filled its room),
/// a small read otherwise.
fn prepare_read(incoming: &mut Vec<u8>, streaming: bool) {
    let record = match incoming.get(3..5) {
        Some(&[hi, lo]) => 5 + usize::from(u16::from_be_bytes([hi, lo])),
        _ => 0,
    };
    let rest = record.saturating_sub(incoming.len());
    let want = rest.max(if streaming {
        TLS_READ_CHUNK_BYTES
    } else {
        TLS_READ_BYTES_IDLE
    });
    if incoming.is_empty() && !streaming && incoming.capacity() > 2 * TLS_READ_BYTES_IDLE {
        *incoming = Vec::with_capacity(TLS_READ_BYTES_IDLE);
    }
    incoming.reserve(want);
}

/// Moves decrypted bytes not yet handed out (`plain` from `at`) into `buf`'s spare room;
/// `None` if there are none.
fn hand_out(plain: &mut Vec<u8>, at: &mut usize, buf: &mut Vec<u8>) -> Option<usize> {
    if *at >= plain.len() {
        return None;
    }
    let n = (buf.capacity() - buf.len()).min(plain.len() - *at);
    buf.extend_from_slice(&plain[*at..*at + n]);
    *at += n;
    if *at == plain.len() {
        plain.clear();
        *at = 0;
    }
    Some(n)
}

/// Gives back a buffer's room when the connection goes quiet, if it grew past the idle size.
fn shrink_idle(buf: &mut Vec<u8>) {
    if buf.is_empty() && buf.capacity() > 2 * TLS_READ_BYTES_IDLE {
        *buf = Vec::new();
    }
}

/// Room for one alert record (an encrypted one is 24 bytes; plaintext, 7).
// tidy: not a limit: a buffer size.
const TLS_ALERT_RECORD_BYTES: usize = 64;

/// Which end of the handshake a connection is. rustls gives each end its own
/// `process_tls_records`; everything else here (the record loop, the buffers, the split) is
/// the same for both, so the server's connections and the proxy's to HTTPS upstreams share
/// it.
pub(crate) trait Side {
    type Data;
    fn records<'c, 'i>(
        &'c mut self,
        incoming: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, Self::Data>;
    fn alpn(&self) -> Option<&[u8]>;
}

impl Side for UnbufferedServerConnection {
    type Data = ServerConnectionData;
    fn records<'c, 'i>(
        &'c mut self,
        incoming: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, ServerConnectionData> {
        self.process_tls_records(incoming)
    }
    fn alpn(&self) -> Option<&[u8]> {
        self.alpn_protocol()
    }
}

impl Side for UnbufferedClientConnection {
    type Data = ClientConnectionData;
    fn records<'c, 'i>(
        &'c mut self,
        incoming: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, ClientConnectionData> {
        self.process_tls_records(incoming)
    }
    fn alpn(&self) -> Option<&[u8]> {
        self.alpn_protocol()
    }
}

/// A TLS connection over `T`: the server's end by default, the client's (`C =
/// UnbufferedClientConnection`) for the proxy's connections to HTTPS upstreams.
pub(crate) struct Tls<T, C = UnbufferedServerConnection> {
    io: T,
    conn: C,
    /// Records received and not yet processed.
    incoming: Vec<u8>,
    /// Application data decrypted and not yet handed to the reader, from `plain_at`.
    plain: Vec<u8>,
    plain_at: usize,
    /// Records to send.
    outgoing: Vec<u8>,
    /// The peer sent close_notify, or the connection is closed.
    closed: bool,
    /// The last read filled the room it had: more is coming, read in larger pieces.
    streaming: bool,
}

/// What the record loop did.
enum Step {
    /// Application data is in `plain`.
    Data,
    /// Records are in `outgoing`: send them.
    Transmit,
    /// More records are needed from the peer.
    NeedRead,
    /// Handshake done and nothing to read: the connection may encrypt (and did, when asked).
    Ready,
    Closed,
}

fn tls_error(e: rustls::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

impl<T: Transport> Tls<T> {
    /// Runs the server side of the handshake over `io`, within `deadline`; the error says why
    /// it failed.
    pub(crate) async fn accept(
        io: T,
        config: Arc<rustls::ServerConfig>,
        deadline: Duration,
    ) -> io::Result<Tls<T>> {
        let conn = UnbufferedServerConnection::new(config).map_err(tls_error)?;
        Tls::new(io, conn).handshaken(deadline).await
    }
}

impl<T: Transport> Tls<T, UnbufferedClientConnection> {
    /// Runs the client side of the handshake over `io` with the server `name` (its SNI, and
    /// what its certificate must name), within `deadline`; the error says why it failed (an
    /// unknown issuer, a name the certificate does not cover, …).
    pub(crate) async fn connect(
        io: T,
        config: Arc<rustls::ClientConfig>,
        name: ServerName<'static>,
        deadline: Duration,
    ) -> io::Result<Tls<T, UnbufferedClientConnection>> {
        let conn = UnbufferedClientConnection::new(config, name).map_err(tls_error)?;
        Tls::new(io, conn).handshaken(deadline).await
    }
}

impl<T: Transport, C: Side> Tls<T, C> {
    fn new(io: T, conn: C) -> Tls<T, C> {
        Tls {
            io,
            conn,
            incoming: Vec::with_capacity(TLS_READ_BYTES_IDLE),
            plain: Vec::new(),
            plain_at: 0,
            outgoing: Vec::new(),
            closed: false,
            streaming: false,
        }
    }

    /// The connection once its handshake is done, within `deadline`.
    async fn handshaken(self, deadline: Duration) -> io::Result<Tls<T, C>> {
        let mut tls = self;
        match rt::timeout(deadline, tls.handshake()).await {
            Ok(Ok(())) => Ok(tls),
            Ok(Err(e)) => {
                // rustls queued the alert that says why (protocol_version, handshake_failure,
                // unrecognized_name, …): the client hears it instead of a bare close.
                if tls.queue_alert() {
                    let _ = rt::timeout(Duration::from_millis(SHUTDOWN_WAIT_MS), tls.flush()).await;
                }
                Err(e)
            }
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the handshake did not finish in time",
            )),
        }
    }

    async fn handshake(&mut self) -> io::Result<()> {
        loop {
            match self.process(None)? {
                Step::Transmit => self.flush().await?,
                Step::NeedRead => {
                    if self.read_records().await? == 0 {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "the peer left during the handshake",
                        ));
                    }
                }
                Step::Ready | Step::Data => return Ok(()),
                Step::Closed => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the peer closed during the handshake",
                    ));
                }
            }
        }
    }

    /// One pass of rustls's state machine over the received records; with `send`, encrypts
    /// it into `outgoing` once the connection may.
    fn process(&mut self, send: Option<&[u8]>) -> io::Result<Step> {
        let Tls {
            conn,
            incoming,
            plain,
            outgoing,
            closed,
            ..
        } = self;
        process(conn, incoming, plain, outgoing, closed, send)
    }

    /// The protocol agreed by ALPN.
    pub(crate) fn alpn(&self) -> Option<&[u8]> {
        self.conn.alpn()
    }

    /// Whether bytes arrived that nobody has read yet (records, or data decrypted).
    pub(crate) fn buffered(&self) -> bool {
        !self.incoming.is_empty() || self.plain_at < self.plain.len()
    }

    /// The transport under the TLS.
    pub(crate) fn io(&self) -> &T {
        &self.io
    }

    /// Sends `outgoing`.
    async fn flush(&mut self) -> io::Result<()> {
        if self.outgoing.is_empty() {
            return Ok(());
        }
        let (result, mut back) = self.io.write_all(std::mem::take(&mut self.outgoing)).await;
        back.clear();
        self.outgoing = back;
        result
    }

    /// Reads records from the transport, appending to `incoming`; `Ok(0)` at its end.
    async fn read_records(&mut self) -> io::Result<usize> {
        if self.incoming.len() >= TLS_INCOMING_BYTES_MAX {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "records larger than TLS allows",
            ));
        }
        prepare_read(&mut self.incoming, self.streaming);
        let room = self.incoming.capacity() - self.incoming.len();
        let (result, back) = self.io.read(std::mem::take(&mut self.incoming)).await;
        self.incoming = back;
        self.streaming = matches!(result, Ok(n) if n == room);
        result
    }

    /// Reads records while the connection is quiet (nothing received and not yet processed):
    /// into the spare room of the caller's buffer, which waits for the peer anyway, instead
    /// of a record-sized one of our own, so an idle connection holds one read buffer and not
    /// two. What arrives is moved into `incoming` and `buf` is given back as it was.
    async fn read_quiet(&mut self, buf: Vec<u8>) -> (io::Result<usize>, Vec<u8>) {
        let start = buf.len();
        if buf.capacity() - start < TLS_READ_BYTES_QUIET_MIN {
            return (self.read_records().await, buf);
        }
        // Nothing is in it: give its room back while the peer is silent.
        self.incoming = Vec::new();
        let (result, mut buf) = self.io.read(buf).await;
        if let Ok(n) = result {
            self.incoming.extend_from_slice(&buf[start..start + n]);
        }
        buf.truncate(start);
        (result, buf)
    }

    /// Encrypts `data` into `outgoing` (sending what must go first on the way).
    async fn encrypt(&mut self, data: &[u8]) -> io::Result<()> {
        loop {
            match self.process(Some(data))? {
                Step::Ready => return Ok(()),
                Step::Transmit => self.flush().await?,
                // Records that came with the request (a pipelined one): kept for the reader.
                Step::Data => continue,
                Step::NeedRead => {
                    if self.read_records().await? == 0 {
                        return Err(io::ErrorKind::UnexpectedEof.into());
                    }
                }
                Step::Closed => return Err(io::ErrorKind::BrokenPipe.into()),
            }
        }
    }
}

/// One pass of rustls's state machine over `incoming`: application data is appended to
/// `plain`, records to send to `outgoing`; with `send`, encrypts it into `outgoing` once the
/// connection may.
fn process<C: Side>(
    conn: &mut C,
    incoming: &mut Vec<u8>,
    plain: &mut Vec<u8>,
    outgoing: &mut Vec<u8>,
    closed: &mut bool,
    mut send: Option<&[u8]>,
) -> io::Result<Step> {
    loop {
        let UnbufferedStatus { mut discard, state } = conn.records(incoming);
        let step = match state.map_err(tls_error)? {
            ConnectionState::ReadTraffic(mut traffic) => {
                while let Some(record) = traffic.next_record() {
                    let record = record.map_err(tls_error)?;
                    discard += record.discard;
                    plain.extend_from_slice(record.payload);
                }
                Some(Step::Data)
            }
            ConnectionState::EncodeTlsData(mut encode) => {
                let start = outgoing.len();
                outgoing.resize(start + TLS_READ_CHUNK_BYTES, 0);
                let written = match encode.encode(&mut outgoing[start..]) {
                    Ok(n) => n,
                    Err(EncodeError::InsufficientSize(need)) => {
                        outgoing.resize(start + need.required_size, 0);
                        encode
                            .encode(&mut outgoing[start..])
                            .map_err(|e| io::Error::other(e.to_string()))?
                    }
                    Err(e) => return Err(io::Error::other(e.to_string())),
                };
                outgoing.truncate(start + written);
                None
            }
            ConnectionState::TransmitTlsData(transmit) => {
                // The bytes are in `outgoing`, sent before the next pass.
                transmit.done();
                Some(Step::Transmit)
            }
            ConnectionState::BlockedHandshake => Some(Step::NeedRead),
            ConnectionState::WriteTraffic(mut traffic) => {
                if let Some(data) = send.take() {
                    let start = outgoing.len();
                    outgoing.resize(start + data.len() + 64, 0);
                    let written = match traffic.encrypt(data, &mut outgoing[start..]) {
                        Ok(n) => n,
                        Err(EncryptError::InsufficientSize(need)) => {
                            outgoing.resize(start + need.required_size, 0);
                            traffic
                                .encrypt(data, &mut outgoing[start..])
                                .map_err(|e| io::Error::other(e.to_string()))?
                        }
                        Err(e) => return Err(io::Error::other(e.to_string())),
                    };
                    outgoing.truncate(start + written);
                }
                Some(Step::Ready)
            }
            ConnectionState::PeerClosed | ConnectionState::Closed => {
                *closed = true;
                Some(Step::Closed)
            }
            // Early data is refused (max_early_data_size is 0); anything newer: more bytes.
            _ => Some(Step::NeedRead),
        };
        incoming.drain(..discard);
        if let Some(step) = step {
            return Ok(step);
        }
    }
}

impl<T: Transport, C: Side> Tls<T, C> {
    /// The connection [`Transport::split`] made `reader` and `writer` of, whole again, its
    /// transport rejoined by `io` (`None` for halves of different connections).
    pub(crate) fn rejoin(
        reader: TlsReader<T::Reader, C>,
        writer: TlsWriter<T::Writer, C>,
        io: impl FnOnce(T::Reader, T::Writer) -> Option<T>,
    ) -> Option<Tls<T, C>> {
        split::rejoin(reader, writer, io)
    }
}

impl<T: Transport, C: Side> Transport for Tls<T, C> {
    type Reader = TlsReader<T::Reader, C>;
    type Writer = TlsWriter<T::Writer, C>;

    fn split(self) -> (Self::Reader, Self::Writer) {
        let (reader, writer) = self.io.split();
        split::split(
            self.conn,
            reader,
            writer,
            split::Buffers {
                incoming: self.incoming,
                plain: self.plain,
                plain_at: self.plain_at,
                outgoing: self.outgoing,
                closed: self.closed,
                streaming: self.streaming,
            },
        )
    }

    async fn readable(&mut self) -> io::Result<()> {
        // Decrypted bytes, the end, or records not yet processed (maybe a whole one).
        if self.plain_at < self.plain.len() || self.closed || !self.incoming.is_empty() {
            return Ok(());
        }
        // Records that carry no data (a ticket, a key update) make a false alarm: the read
        // that follows waits.
        self.io.readable().await
    }

    async fn read(&mut self, mut buf: Vec<u8>) -> BufResult<usize> {
        loop {
            if let Some(n) = hand_out(&mut self.plain, &mut self.plain_at, &mut buf) {
                return (Ok(n), buf);
            }
            if self.closed {
                return (Ok(0), buf);
            }
            let step = match self.process(None) {
                Ok(step) => step,
                Err(e) => return (Err(e), buf),
            };
            let waited = match step {
                Step::Data => continue,
                Step::Transmit => self.flush().await,
                Step::Ready | Step::NeedRead => {
                    // Quiet until the peer speaks: keep no more room than a quiet connection
                    // needs.
                    shrink_idle(&mut self.outgoing);
                    shrink_idle(&mut self.plain);
                    let read = if self.incoming.is_empty() && !self.streaming {
                        let (read, back) = self.read_quiet(buf).await;
                        buf = back;
                        read
                    } else {
                        self.read_records().await
                    };
                    match read {
                        Ok(0) => return (Ok(0), buf),
                        Ok(_) => Ok(()),
                        Err(e) => Err(e),
                    }
                }
                Step::Closed => return (Ok(0), buf),
            };
            if let Err(e) = waited {
                return (Err(e), buf);
            }
        }
    }

    async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()> {
        let result = match self.encrypt(&buf).await {
            Ok(()) => self.flush().await,
            Err(e) => Err(e),
        };
        (result, buf)
    }

    async fn write_all_gathered(&mut self, head: Vec<u8>, body: Bytes) -> BufResult<()> {
        // One write for both: the head is encrypted, then the body, then both go out.
        let result = match self.encrypt(&head).await {
            Ok(()) => match self.encrypt(&body).await {
                Ok(()) => self.flush().await,
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        (result, head)
    }

    async fn shutdown_write(&mut self) -> io::Result<()> {
        if let Ok(Step::Ready) = self.process(None) {
            // close_notify, best effort: the peer may already be gone.
            let _ = self.queue_close_notify();
            let _ = self.flush().await;
        }
        self.io.shutdown_write().await
    }
}

impl<T: Transport, C: Side> Tls<T, C> {
    /// After a failed handshake: encodes the alert rustls queued into `outgoing`; true if there
    /// is one to send.
    fn queue_alert(&mut self) -> bool {
        loop {
            let UnbufferedStatus { state, .. } = self.conn.records(&mut []);
            match state {
                Ok(ConnectionState::EncodeTlsData(mut encode)) => {
                    let start = self.outgoing.len();
                    self.outgoing.resize(start + TLS_ALERT_RECORD_BYTES, 0);
                    match encode.encode(&mut self.outgoing[start..]) {
                        Ok(n) => self.outgoing.truncate(start + n),
                        Err(_) => {
                            self.outgoing.truncate(start);
                            return false;
                        }
                    }
                }
                Ok(ConnectionState::TransmitTlsData(transmit)) => {
                    transmit.done();
                    return !self.outgoing.is_empty();
                }
                _ => return !self.outgoing.is_empty(),
            }
        }
    }

    fn queue_close_notify(&mut self) -> io::Result<()> {
        queue_close_notify(&mut self.conn, &mut self.incoming, &mut self.outgoing)
    }
}

/// Appends a close_notify alert to `outgoing` if the connection may still send.
fn queue_close_notify<C: Side>(
    conn: &mut C,
    incoming: &mut Vec<u8>,
    outgoing: &mut Vec<u8>,
) -> io::Result<()> {
    let UnbufferedStatus { discard, state } = conn.records(incoming);
    let result = match state.map_err(tls_error)? {
        ConnectionState::WriteTraffic(mut traffic) => {
            let start = outgoing.len();
            outgoing.resize(start + 64, 0);
            match traffic.queue_close_notify(&mut outgoing[start..]) {
                Ok(n) => {
                    outgoing.truncate(start + n);
                    Ok(())
                }
                Err(e) => {
                    outgoing.truncate(start);
                    Err(io::Error::other(e.to_string()))
                }
            }
        }
        _ => Ok(()),
    };
    incoming.drain(..discard);
    result
}
