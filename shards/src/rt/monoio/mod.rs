//! monoio on io_uring: the default backend.
//!
//! monoio's owned-buffer API is the surface's own shape (a `Vec<u8>` goes into the operation
//! and comes back with the result), so reads and writes hand our vectors to the kernel
//! directly, and plain reads and writes allocate nothing per operation (a gathered write
//! boxes its two iovecs). The executor is built on the io_uring driver explicitly, with the
//! ring setup the caller asks for ([`RingSetup`]); only where io_uring is unavailable does
//! [`run`] take monoio's epoll driver, and it says so in [`Started`].
//!
//! Files are read with io_uring too (`IORING_OP_READ` at an offset): a read that misses the
//! page cache is completed by the kernel's workers, never by blocking the shard thread. (On
//! the epoll fallback monoio has no asynchronous file reads and calls `pread`.)
//!
//! The gathered write's iovec buffer is in [`gather`], the one file of this backend with
//! `unsafe` code.

mod gather;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use monoio::buf::IoBufMut;
use monoio::io::{AsyncReadRent, AsyncWriteRentExt, OwnedReadHalf, OwnedWriteHalf, Splitable};

use self::gather::Gather;
use super::{BufResult, Driver, Elapsed, RingSetup, RuntimeOptions, Started};

pub const NAME: &str = "monoio";

/// Builds the executor on this thread and runs `make(started)` to completion.
pub fn run<F, Fut>(options: RuntimeOptions, make: F) -> io::Result<()>
where
    F: FnOnce(Started) -> Fut,
    Fut: Future<Output = ()>,
{
    if !options.danger_force_epoll && monoio::utils::detect_uring() {
        // A kernel without the requested setup flags refuses the ring: fall back to plain.
        let mut rt = match build_uring(options, options.ring_setup) {
            Ok(rt) => rt,
            Err(_) if options.ring_setup != RingSetup::Plain => {
                build_uring(options, RingSetup::Plain)?
            }
            Err(e) => return Err(e),
        };
        rt.block_on(make(Started {
            driver: Driver::IoUring,
        }));
    } else {
        let mut rt = monoio::RuntimeBuilder::<monoio::LegacyDriver>::new()
            .enable_timer()
            .build()?;
        rt.block_on(make(Started {
            driver: Driver::Legacy,
        }));
    }
    Ok(())
}

type UringRuntime = monoio::Runtime<monoio::time::TimeDriver<monoio::IoUringDriver>>;

fn build_uring(options: RuntimeOptions, setup: RingSetup) -> io::Result<UringRuntime> {
    let mut ring = io_uring::IoUring::builder();
    match setup {
        RingSetup::Plain => {}
        RingSetup::Coop => {
            ring.setup_coop_taskrun();
        }
        RingSetup::Defer => {
            ring.setup_single_issuer().setup_defer_taskrun();
        }
    }
    monoio::RuntimeBuilder::<monoio::IoUringDriver>::new()
        .with_entries(options.ring_entries)
        .uring_builder(ring)
        .enable_timer()
        .build()
}

/// Starts a detached task on the current shard.
pub fn spawn<F>(future: F)
where
    F: Future + 'static,
    F::Output: 'static,
{
    drop(monoio::spawn(future));
}

pub async fn sleep(duration: Duration) {
    monoio::time::sleep(duration).await
}

pub async fn timeout<F: Future>(duration: Duration, future: F) -> Result<F::Output, Elapsed> {
    monoio::time::timeout(duration, future)
        .await
        .map_err(|_| Elapsed)
}

pub struct TcpListener(monoio::net::TcpListener);

impl TcpListener {
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<Self> {
        Ok(TcpListener(monoio::net::TcpListener::from_std(listener)?))
    }

    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (stream, peer) = self.0.accept().await?;
        Ok((TcpStream(stream), peer))
    }
}

pub struct TcpStream(monoio::net::TcpStream);

/// Reads from `io` into `buf[len..capacity]`, appending (the stream's and the reading half's
/// `read`).
async fn read_appending(io: &mut impl AsyncReadRent, buf: Vec<u8>) -> BufResult<usize> {
    let start = buf.len();
    let cap = buf.capacity();
    if start == cap {
        return (Ok(0), buf);
    }
    let (result, slice) = io.read(buf.slice_mut(start..cap)).await;
    (result, slice.into_inner())
}

impl TcpStream {
    /// Opens a connection to `addr` (the caller bounds the wait with [`timeout`]).
    pub async fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
        Ok(TcpStream(monoio::net::TcpStream::connect_addr(addr).await?))
    }

    /// The socket's descriptor, for socket options the runtime does not wrap (kTLS); it stays
    /// owned by the stream.
    pub fn raw_fd(&self) -> std::os::fd::RawFd {
        std::os::fd::AsRawFd::as_raw_fd(&self.0)
    }

    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.0.set_nodelay(on)
    }

    /// Reads into `buf[len..capacity]`, appending.
    pub async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize> {
        read_appending(&mut self.0, buf).await
    }

    /// Writes all of `buf`.
    pub async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()> {
        let (result, buf) = self.0.write_all(buf).await;
        (result.map(|_| ()), buf)
    }

    /// Writes `head` then `body` with gathered writes (`writev`): the body is sent from where it
    /// lies, never copied behind the head.
    pub async fn write_all_gathered(&mut self, head: Vec<u8>, body: Bytes) -> BufResult<()> {
        let total = head.len() + body.len();
        let mut gather = Gather::new(head, body);
        let mut written = 0;
        while written < total {
            let (result, back) = monoio::io::AsyncWriteRent::writev(&mut self.0, gather).await;
            gather = back;
            match result {
                Ok(0) => return (Err(io::ErrorKind::WriteZero.into()), gather.head),
                Ok(n) => {
                    written += n;
                    gather.advance(written);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return (Err(e), gather.head),
            }
        }
        (Ok(()), gather.head)
    }

    pub async fn shutdown_write(&mut self) -> io::Result<()> {
        monoio::io::AsyncWriteRent::shutdown(&mut self.0).await
    }

    /// Waits until a read would not wait (bytes have come, or the end, or an error): a
    /// poll, which unlike a read can be given up with nothing lost.
    pub async fn readable(&self) -> io::Result<()> {
        self.0.readable(false).await
    }

    /// Splits the stream into halves that may each have an operation in flight at the same
    /// time (io_uring reads and writes one socket concurrently).
    pub fn into_split(self) -> (TcpReader, TcpWriter) {
        let (read, write) = self.0.into_split();
        (TcpReader(read), TcpWriter(write))
    }

    /// The stream [`TcpStream::into_split`] made `reader` and `writer` of, whole again
    /// (`None` if they are halves of different streams).
    pub fn rejoin(reader: TcpReader, writer: TcpWriter) -> Option<TcpStream> {
        reader.0.reunite(writer.0).ok().map(TcpStream)
    }
}

/// The reading half of a split [`TcpStream`].
pub struct TcpReader(OwnedReadHalf<monoio::net::TcpStream>);

impl TcpReader {
    /// Reads into `buf[len..capacity]`, appending.
    pub async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize> {
        read_appending(&mut self.0, buf).await
    }
}

/// The writing half of a split [`TcpStream`].
pub struct TcpWriter(OwnedWriteHalf<monoio::net::TcpStream>);

impl TcpWriter {
    /// Writes all of `buf`.
    pub async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()> {
        let (result, buf) = self.0.write_all(buf).await;
        (result.map(|_| ()), buf)
    }

    pub async fn shutdown_write(&mut self) -> io::Result<()> {
        monoio::io::AsyncWriteRent::shutdown(&mut self.0).await
    }
}

/// A Unix-domain stream socket (a FastCGI server's `listen = /run/php/php-fpm.sock`).
#[cfg_attr(feature = "glommio", allow(dead_code))] // Unix sockets are glommio's there.
pub struct UnixStream(monoio::net::UnixStream);

#[cfg_attr(feature = "glommio", allow(dead_code))] // Unix sockets are glommio's there.
impl UnixStream {
    /// Opens a connection to the socket at `path` (the caller bounds the wait).
    pub async fn connect(path: &std::path::Path) -> io::Result<UnixStream> {
        Ok(UnixStream(monoio::net::UnixStream::connect(path).await?))
    }

    /// Reads into `buf[len..capacity]`, appending.
    pub async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize> {
        read_appending(&mut self.0, buf).await
    }

    /// Writes all of `buf`.
    pub async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()> {
        let (result, buf) = self.0.write_all(buf).await;
        (result.map(|_| ()), buf)
    }

    /// The socket's descriptor, to ask the kernel whether a kept connection is still open
    /// (always there on this backend); it stays owned by the stream.
    pub fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        Some(std::os::fd::AsRawFd::as_raw_fd(&self.0))
    }

    pub async fn shutdown_write(&mut self) -> io::Result<()> {
        monoio::io::AsyncWriteRent::shutdown(&mut self.0).await
    }

    /// Splits the stream into halves that may each have an operation in flight at once.
    pub fn into_split(self) -> (UnixReader, UnixWriter) {
        let (read, write) = self.0.into_split();
        (UnixReader(read), UnixWriter(write))
    }

    /// The stream `reader` and `writer` were split from, whole again (as
    /// [`TcpStream::rejoin`]).
    pub fn rejoin(reader: UnixReader, writer: UnixWriter) -> Option<UnixStream> {
        reader.0.reunite(writer.0).ok().map(UnixStream)
    }
}

/// The reading half of a split [`UnixStream`].
#[cfg_attr(feature = "glommio", allow(dead_code))] // Unix sockets are glommio's there.
pub struct UnixReader(OwnedReadHalf<monoio::net::UnixStream>);

#[cfg_attr(feature = "glommio", allow(dead_code))] // Unix sockets are glommio's there.
impl UnixReader {
    /// Reads into `buf[len..capacity]`, appending.
    pub async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize> {
        read_appending(&mut self.0, buf).await
    }
}

/// The writing half of a split [`UnixStream`].
#[cfg_attr(feature = "glommio", allow(dead_code))] // Unix sockets are glommio's there.
pub struct UnixWriter(OwnedWriteHalf<monoio::net::UnixStream>);

#[cfg_attr(feature = "glommio", allow(dead_code))] // Unix sockets are glommio's there.
impl UnixWriter {
    /// Writes all of `buf`.
    pub async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()> {
        let (result, buf) = self.0.write_all(buf).await;
        (result.map(|_| ()), buf)
    }

    pub async fn shutdown_write(&mut self) -> io::Result<()> {
        monoio::io::AsyncWriteRent::shutdown(&mut self.0).await
    }
}

pub struct File(monoio::fs::File);

impl File {
    pub fn from_std(file: std::fs::File) -> io::Result<Self> {
        Ok(File(monoio::fs::File::from_std(file)?))
    }

    /// Reads at `pos` into `buf[len..capacity]`, appending.
    pub async fn read_at(&self, buf: Vec<u8>, pos: u64) -> BufResult<usize> {
        let start = buf.len();
        let cap = buf.capacity();
        if start == cap {
            return (Ok(0), buf);
        }
        let (result, slice) = self.0.read_at(buf.slice_mut(start..cap), pos).await;
        (result, slice.into_inner())
    }
}

/// A UDP socket (QUIC): datagrams in and out with owned buffers. Shared by `&self`: a
/// receive and sends may be in flight at once.
pub struct UdpSocket(monoio::net::udp::UdpSocket);

impl UdpSocket {
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<Self> {
        Ok(UdpSocket(monoio::net::udp::UdpSocket::from_std(socket)?))
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }

    /// Receives one datagram into `buf[len..capacity]`, appending; its size and sender.
    pub async fn recv_from(&self, buf: Vec<u8>) -> BufResult<(usize, SocketAddr)> {
        let start = buf.len();
        let cap = buf.capacity();
        if start == cap {
            return (Err(io::ErrorKind::InvalidInput.into()), buf);
        }
        let (result, slice) = self.0.recv_from(buf.slice_mut(start..cap)).await;
        (result, slice.into_inner())
    }

    /// The socket's descriptor, for sends the runtime does not offer (a GSO burst,
    /// `sys::send_segments`); it stays owned by the socket.
    pub fn raw_fd(&self) -> std::os::fd::RawFd {
        std::os::fd::AsRawFd::as_raw_fd(&self.0)
    }

    /// Sends `buf` as one datagram to `to`.
    pub async fn send_to(&self, buf: Vec<u8>, to: SocketAddr) -> BufResult<usize> {
        self.0.send_to(buf, to).await
    }

    /// Waits until a datagram can be received without waiting (io_uring's poll), for a
    /// caller that then receives with its own calls (`sys::recv_segments`, GRO bursts).
    /// Nothing is in flight with a buffer, so dropping the wait loses nothing.
    pub async fn readable(&self) -> io::Result<()> {
        self.0.readable(false).await
    }
}
