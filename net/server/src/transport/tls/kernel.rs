//! kTLS: after rustls's handshake, the record layer moves into the kernel where the kernel
//! offers one (`server.ktls = true`). The kernel then encrypts what is written and decrypts
//! what is read, so the connection is a plain TCP stream again for everything above it (a
//! file body goes from the page cache to the socket without a copy through user space), and
//! rustls keeps only what it must: the secrets for a key update.
//!
//! Where the kernel has no TLS layer (no `CONFIG_TLS`: attaching it fails with `ENOENT`),
//! nothing changes: the connection stays with rustls in user space, silently (counted in
//! `bext_tls_ktls_total{result="unavailable"}`, said once in the log). The move is only made
//! when nothing is half-way: every whole record received is decrypted first, and a record
//! half received keeps the connection in user space.
//!
//! Once in the kernel, a read that meets a record other than application data fails with
//! `EIO`; the record is then read with its type (`sys::ktls_recv_record`): `close_notify` is
//! the end of the stream, a TLS 1.3 KeyUpdate from the client installs the next receive key,
//! anything else (another alert, a KeyUpdate that asks for one back, which would need the
//! kernel's transmit rekey) ends the connection with the reason.

use std::io;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, Ordering};

use bext_core::limits::TLS_CONTROL_RECORD_BYTES_MAX;
use bext_shards::rt::{BufResult, TcpReader, TcpStream, TcpWriter};
use bext_shards::sys::{self, KtlsDirection};
use bytes::Bytes;
use rustls::kernel::KernelConnection;
use rustls::server::ServerConnectionData;
use rustls::{ConnectionTrafficSecrets, ProtocolVersion};

use super::{Step, Tls, hand_out};
use crate::transport::{Transport, TransportRead, TransportWrite};

/// What [`Tls::offload`] did. Returned once per connection and matched at once: boxing the
/// large variant would cost an allocation per connection for nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Offload {
    /// The kernel's record layer carries the connection from now on.
    Kernel(Ktls),
    /// rustls in user space carries it, as before.
    User(Tls<TcpStream>, Kept),
    /// The keys were handed over and the kernel refused them: nothing can carry the
    /// connection any more.
    Lost(io::Error),
}

/// Why a connection stayed in user space.
pub(crate) enum Kept {
    /// The kernel has no TLS layer.
    Unavailable,
    /// A record was half received, or the peer has left.
    NotNow,
    /// The kernel refused to attach it for another reason.
    Refused(io::Error),
}

/// Set once attaching the kernel's TLS layer has failed with `ENOENT`: no later connection
/// asks again.
static NO_KERNEL_TLS: AtomicBool = AtomicBool::new(false);

/// TLS content types (RFC 8446 §5.1).
const ALERT: u8 = 21;
const HANDSHAKE: u8 = 22;
const APPLICATION_DATA: u8 = 23;
/// The handshake message type of KeyUpdate (RFC 8446 §4.6.3).
const KEY_UPDATE: u8 = 24;

impl Tls<TcpStream> {
    /// Moves the record layer into the kernel where it can (see the module doc).
    pub(crate) async fn offload(mut self) -> Offload {
        // A kernel without a TLS layer does not grow one: asked once per process.
        if NO_KERNEL_TLS.load(Ordering::Relaxed) {
            return Offload::User(self, Kept::Unavailable);
        }
        // Decrypt every whole record already received, and send what rustls queued.
        loop {
            match self.process(None) {
                Ok(Step::Data) => continue,
                Ok(Step::Transmit) => {
                    if self.flush().await.is_err() {
                        return Offload::User(self, Kept::NotNow);
                    }
                }
                Ok(Step::Ready | Step::NeedRead) => break,
                Ok(Step::Closed) | Err(_) => return Offload::User(self, Kept::NotNow),
            }
        }
        if !self.incoming.is_empty() || !self.outgoing.is_empty() {
            return Offload::User(self, Kept::NotNow);
        }
        let fd = self.io.raw_fd();
        if let Err(e) = sys::ktls_attach(fd) {
            let kept = if e.raw_os_error() == Some(libc::ENOENT) {
                NO_KERNEL_TLS.store(true, Ordering::Relaxed);
                Kept::Unavailable
            } else {
                Kept::Refused(e)
            };
            return Offload::User(self, kept);
        }
        // From here there is no way back: rustls gives its secrets up.
        let Tls {
            io,
            conn,
            plain,
            plain_at,
            ..
        } = self;
        let alpn = conn.alpn_protocol().map(<[u8]>::to_vec);
        let (secrets, kernel) = match conn.dangerous_into_kernel_connection() {
            Ok(parts) => parts,
            Err(e) => return Offload::Lost(io::Error::other(e.to_string())),
        };
        let version = kernel.protocol_version();
        let keys = [
            (KtlsDirection::Transmit, secrets.tx),
            (KtlsDirection::Receive, secrets.rx),
        ];
        for (direction, secret) in keys {
            let installed = crypto_info(version, secret)
                .and_then(|info| sys::ktls_set_key(fd, direction, &info));
            if let Err(e) = installed {
                return Offload::Lost(e);
            }
        }
        Offload::Kernel(Ktls {
            io,
            reader: Receive {
                fd,
                plain,
                plain_at,
                kernel,
            },
            alpn,
        })
    }
}

/// The kernel's `tls12_crypto_info_*` structure for one direction's key.
fn crypto_info(
    version: ProtocolVersion,
    (seq, secrets): (u64, ConnectionTrafficSecrets),
) -> io::Result<Vec<u8>> {
    let version = match version {
        ProtocolVersion::TLSv1_2 => TLS_1_2_VERSION,
        ProtocolVersion::TLSv1_3 => TLS_1_3_VERSION,
        other => return Err(io::Error::other(format!("kTLS has no {other:?}"))),
    };
    match &secrets {
        // rustls names TLS 1.2's AES-256-GCM keys Aes128Gcm as well: the key's length decides.
        ConnectionTrafficSecrets::Aes128Gcm { key, iv }
        | ConnectionTrafficSecrets::Aes256Gcm { key, iv } => {
            Ok(layout(version, seq, key.as_ref(), iv.as_ref(), false))
        }
        ConnectionTrafficSecrets::Chacha20Poly1305 { key, iv } => {
            Ok(layout(version, seq, key.as_ref(), iv.as_ref(), true))
        }
        _ => Err(io::Error::other("kTLS has no such cipher")),
    }
}

const TLS_1_2_VERSION: u16 = 0x0303;
const TLS_1_3_VERSION: u16 = 0x0304;
const TLS_CIPHER_AES_GCM_128: u16 = 51;
const TLS_CIPHER_AES_GCM_256: u16 = 52;
const TLS_CIPHER_CHACHA20_POLY1305: u16 = 54;

/// The structure's bytes (linux/tls.h): the version and cipher, then the nonce's explicit
/// part, the key, the nonce's salt and the record sequence number. AES-GCM (by the key's
/// length, 16 or 32 bytes) splits its 12-byte nonce into a 4-byte salt and 8 explicit bytes;
/// ChaCha20-Poly1305 takes the whole nonce and no salt.
fn layout(version: u16, seq: u64, key: &[u8], nonce: &[u8], chacha: bool) -> Vec<u8> {
    let cipher = match (chacha, key.len()) {
        (true, _) => TLS_CIPHER_CHACHA20_POLY1305,
        (false, 32) => TLS_CIPHER_AES_GCM_256,
        (false, _) => TLS_CIPHER_AES_GCM_128,
    };
    let mut info = Vec::with_capacity(64);
    info.extend_from_slice(&version.to_ne_bytes());
    info.extend_from_slice(&cipher.to_ne_bytes());
    if chacha {
        info.extend_from_slice(nonce);
        info.extend_from_slice(key);
    } else {
        let (salt, explicit) = nonce.split_at(4.min(nonce.len()));
        info.extend_from_slice(explicit);
        info.extend_from_slice(key);
        info.extend_from_slice(salt);
    }
    info.extend_from_slice(&seq.to_be_bytes());
    info
}

/// A connection whose records the kernel encrypts and decrypts.
pub(crate) struct Ktls {
    io: TcpStream,
    reader: Receive,
    alpn: Option<Vec<u8>>,
}

/// The receiving side's state: bytes rustls decrypted before the move, and what a key update
/// needs.
pub(crate) struct Receive {
    fd: RawFd,
    plain: Vec<u8>,
    plain_at: usize,
    kernel: KernelConnection<ServerConnectionData>,
}

/// What a record that is not application data meant.
enum Control {
    /// `close_notify`: the end of the stream.
    Closed,
    /// Handled (a key update); read on.
    Again,
}

impl Receive {
    /// After a read failed with `EIO`: reads the record that is next and acts on it.
    fn control(&mut self) -> io::Result<Control> {
        let mut record = [0u8; TLS_CONTROL_RECORD_BYTES_MAX];
        let (kind, n) = sys::ktls_recv_record(self.fd, &mut record)?;
        let record = &record[..n];
        match kind {
            ALERT if record.get(1) == Some(&0) => Ok(Control::Closed),
            ALERT => Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                format!("the peer sent TLS alert {:?}", record.get(1)),
            )),
            HANDSHAKE if record.len() == 5 && record[0] == KEY_UPDATE => {
                if record[4] != 0 {
                    return Err(io::Error::other(
                        "the peer asked for a key update in return, which bext does not send over kTLS",
                    ));
                }
                let next = self
                    .kernel
                    .update_rx_secret()
                    .map_err(|e| io::Error::other(e.to_string()))?;
                let version = self.kernel.protocol_version();
                sys::ktls_set_key(
                    self.fd,
                    KtlsDirection::Receive,
                    &crypto_info(version, next)?,
                )?;
                Ok(Control::Again)
            }
            APPLICATION_DATA => {
                // Data after all (the record that was next changed under us): keep it.
                self.plain.extend_from_slice(record);
                Ok(Control::Again)
            }
            other => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a TLS record of type {other} over kTLS"),
            )),
        }
    }

    /// Reads through `read` (the stream's or its reading half's), handling what the kernel
    /// hands back as `EIO`.
    async fn read_with<R>(&mut self, mut buf: Vec<u8>, mut read: R) -> BufResult<usize>
    where
        R: AsyncReadOnce,
    {
        loop {
            if let Some(n) = hand_out(&mut self.plain, &mut self.plain_at, &mut buf) {
                return (Ok(n), buf);
            }
            let (result, back) = read.read(buf).await;
            buf = back;
            match result {
                Err(e) if e.raw_os_error() == Some(libc::EIO) => match self.control() {
                    Ok(Control::Closed) => return (Ok(0), buf),
                    Ok(Control::Again) => continue,
                    Err(e) => return (Err(e), buf),
                },
                other => return (other, buf),
            }
        }
    }
}

/// One read of the underlying stream, borrowed for the call (the stream or its half).
trait AsyncReadOnce {
    async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize>;
}

impl AsyncReadOnce for &mut TcpStream {
    async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize> {
        TcpStream::read(self, buf).await
    }
}

impl AsyncReadOnce for &mut TcpReader {
    async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize> {
        TcpReader::read(self, buf).await
    }
}

/// `close_notify` (a warning-level alert), sent as its own record.
fn send_close_notify(fd: RawFd) {
    // Best effort: the peer may be gone.
    let _ = sys::ktls_send_record(fd, ALERT, &[1, 0]);
}

impl Ktls {
    /// The protocol agreed by ALPN.
    pub(crate) fn alpn(&self) -> Option<&[u8]> {
        self.alpn.as_deref()
    }
}

impl Transport for Ktls {
    type Reader = KtlsReader;
    type Writer = KtlsWriter;

    fn split(self) -> (KtlsReader, KtlsWriter) {
        let fd = self.reader.fd;
        let (reader, writer) = self.io.into_split();
        (
            KtlsReader {
                io: reader,
                state: self.reader,
            },
            KtlsWriter { io: writer, fd },
        )
    }

    async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize> {
        let Ktls { io, reader, .. } = self;
        reader.read_with(buf, io).await
    }

    async fn readable(&mut self) -> io::Result<()> {
        if self.reader.plain_at < self.reader.plain.len() {
            return Ok(());
        }
        // A record that is not data (a key update) makes a false alarm: the read waits.
        self.io.readable().await
    }

    async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()> {
        self.io.write_all(buf).await
    }

    async fn write_all_gathered(&mut self, head: Vec<u8>, body: Bytes) -> BufResult<()> {
        self.io.write_all_gathered(head, body).await
    }

    async fn shutdown_write(&mut self) -> io::Result<()> {
        send_close_notify(self.reader.fd);
        self.io.shutdown_write().await
    }
}

/// The reading half of a [`Ktls`] connection.
pub(crate) struct KtlsReader {
    io: TcpReader,
    state: Receive,
}

/// The writing half of a [`Ktls`] connection.
pub(crate) struct KtlsWriter {
    io: TcpWriter,
    fd: RawFd,
}

impl TransportRead for KtlsReader {
    async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize> {
        let KtlsReader { io, state } = self;
        state.read_with(buf, io).await
    }
}

impl TransportWrite for KtlsWriter {
    async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()> {
        self.io.write_all(buf).await
    }

    async fn shutdown_write(&mut self) -> io::Result<()> {
        send_close_notify(self.fd);
        self.io.shutdown_write().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The structures' layouts, byte by byte (linux/tls.h: 40, 56 and 56 bytes).
    #[test]
    fn crypto_info_layouts() {
        let nonce: [u8; 12] = std::array::from_fn(|i| 0xA0 + i as u8);
        let key16 = [0x11u8; 16];
        let key32 = [0x22u8; 32];
        let aes128 = layout(TLS_1_3_VERSION, 7, &key16, &nonce, false);
        assert_eq!(aes128.len(), 40);
        assert_eq!(&aes128[..4], &[0x04, 0x03, 51, 0]);
        assert_eq!(&aes128[4..12], &nonce[4..]);
        assert_eq!(&aes128[12..28], &key16);
        assert_eq!(&aes128[28..32], &nonce[..4]);
        assert_eq!(&aes128[32..], &7u64.to_be_bytes());
        let aes256 = layout(TLS_1_2_VERSION, 1, &key32, &nonce, false);
        assert_eq!(aes256.len(), 56);
        assert_eq!(&aes256[..4], &[0x03, 0x03, 52, 0]);
        assert_eq!(&aes256[12..44], &key32);
        let chacha = layout(TLS_1_3_VERSION, 2, &key32, &nonce, true);
        assert_eq!(chacha.len(), 56);
        assert_eq!(&chacha[..4], &[0x04, 0x03, 54, 0]);
        assert_eq!(&chacha[4..16], &nonce);
        assert_eq!(&chacha[16..48], &key32);
        assert_eq!(&chacha[48..], &2u64.to_be_bytes());
    }
}
