//! glommio: the alternative backend (`--features glommio`).
//!
//! glommio sockets buffer internally and implement `futures::AsyncRead`, so the owned-buffer
//! surface is met by reading into the spare capacity of the vector we are given: nothing is
//! left in flight in the kernel when a future is dropped.
//!
//! # Files: glommio's io_uring `BufferedFile`, adopted from bext's descriptor
//!
//! bext opens every file itself (`openat2` beneath the site root, `sys::open_beneath`), so
//! a file arrives here as an open `std::fs::File`, never a path. Its descriptor is handed to
//! glommio's `BufferedFile` (`FromRawFd`), whose `read_at` is an io_uring read
//! (`IORING_OP_READ` at an offset, through the page cache) on the shard's own ring: a read
//! served from the page cache completes without leaving the shard, and one that must wait for
//! the disk is finished by the kernel's io_uring workers while the shard runs its other tasks.
//! (The previous implementation called `pread` on the shard thread, which stalled every
//! connection of the shard behind a slow disk.)
//!
//! Owned buffers: glommio reads into a buffer of its own, which its reactor keeps alive until
//! the kernel completes the read even if our future is dropped (`Source`'s drop defers the
//! release to the completion); our vector never reaches the kernel, and the bytes are copied
//! into its spare capacity once the read has completed. That copy is the price of the
//! adoption; the alternative, `spawn_blocking` (a `pread` on glommio's blocking thread), was
//! set aside: it would hop to another thread for every read, page-cache hits included, and
//! glommio gives each executor one such thread, so one slow read would queue all the others.
//!
//! The `unsafe` here is the two adoptions of a descriptor (`FromRawFd`), each with its note.
#![allow(unsafe_code)]

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::os::fd::IntoRawFd;
use std::os::unix::io::FromRawFd;
use std::time::Duration;

use futures_lite::{AsyncReadExt, AsyncWriteExt, FutureExt};

use super::{BufResult, Driver, Elapsed, RuntimeOptions, Started};

pub const NAME: &str = "glommio";

use bext_core::limits::EXECUTOR_IO_MEMORY_BYTES;

/// Builds the executor on this thread and runs `make(started)` to completion.
pub fn run<F, Fut>(options: RuntimeOptions, make: F) -> io::Result<()>
where
    F: FnOnce(Started) -> Fut,
    Fut: Future<Output = ()>,
{
    // Pinning is done by the shard before we get here.
    let executor = glommio::LocalExecutorBuilder::new(glommio::Placement::Unbound)
        .io_memory(EXECUTOR_IO_MEMORY_BYTES)
        .ring_depth(options.ring_entries as usize)
        .make()
        .map_err(|e| io::Error::other(format!("glommio executor did not start: {e}")))?;
    executor.run(make(Started {
        driver: Driver::IoUring,
    }));
    Ok(())
}

/// Starts a detached task on the current shard.
pub fn spawn<F>(future: F)
where
    F: Future + 'static,
    F::Output: 'static,
{
    glommio::spawn_local(future).detach();
}

pub async fn sleep(duration: Duration) {
    glommio::timer::sleep(duration).await
}

pub async fn timeout<F: Future>(duration: Duration, future: F) -> Result<F::Output, Elapsed> {
    async { Ok(future.await) }
        .or(async {
            glommio::timer::sleep(duration).await;
            Err(Elapsed)
        })
        .await
}

pub struct TcpListener(glommio::net::TcpListener);

impl TcpListener {
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<Self> {
        listener.set_nonblocking(true)?;
        let fd = listener.into_raw_fd();
        // SAFETY: fd is a bound, listening socket whose ownership we just released from std;
        // glommio's listener now owns and closes it.
        Ok(TcpListener(unsafe {
            glommio::net::TcpListener::from_raw_fd(fd)
        }))
    }

    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let stream = self.0.accept().await.map_err(io::Error::from)?;
        let peer = stream.peer_addr().map_err(io::Error::from)?;
        Ok((TcpStream(stream), peer))
    }
}

pub struct TcpStream(glommio::net::TcpStream);

/// A Unix-domain stream socket (a FastCGI server's `listen = /run/php/php-fpm.sock`).
pub struct UnixStream(glommio::net::UnixStream);

impl UnixStream {
    /// Opens a connection to the socket at `path` (the caller bounds the wait).
    pub async fn connect(path: &std::path::Path) -> io::Result<UnixStream> {
        Ok(UnixStream(
            glommio::net::UnixStream::connect(path)
                .await
                .map_err(io::Error::from)?,
        ))
    }

    /// Reads into `buf[len..capacity]`, appending.
    pub async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize> {
        let stream = &mut self.0;
        read_appending(buf, async |spare| stream.read(spare).await).await
    }

    /// Writes all of `buf`.
    pub async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()> {
        let result = self.0.write_all(&buf).await;
        (result, buf)
    }

    /// The socket's descriptor, to ask the kernel whether a kept connection is still open:
    /// glommio's Unix stream does not give it, so such a connection is trusted until a
    /// request on it fails (and the proxy's one retry on a fresh connection covers that).
    pub fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        None
    }

    pub async fn shutdown_write(&mut self) -> io::Result<()> {
        self.0
            .shutdown(std::net::Shutdown::Write)
            .await
            .map_err(io::Error::from)
    }

    /// Splits the stream into halves that may each wait at the same time (as
    /// [`TcpStream::into_split`]).
    pub fn into_split(self) -> (UnixReader, UnixWriter) {
        let shared = std::rc::Rc::new(std::cell::RefCell::new(self.0));
        (ReadHalf(shared.clone()), WriteHalf(shared))
    }

    /// The stream `reader` and `writer` were split from, whole again (as
    /// [`TcpStream::rejoin`]).
    pub fn rejoin(reader: UnixReader, writer: UnixWriter) -> Option<UnixStream> {
        rejoin(reader, writer).map(UnixStream)
    }
}

/// Reads into `buf[len..capacity]` with `read`, appending (the stream's and the reading
/// half's `read`).
async fn read_appending(
    mut buf: Vec<u8>,
    read: impl AsyncFnOnce(&mut [u8]) -> io::Result<usize>,
) -> BufResult<usize> {
    let start = buf.len();
    let cap = buf.capacity();
    if start == cap {
        return (Ok(0), buf);
    }
    buf.resize(cap, 0);
    let result = read(&mut buf[start..]).await;
    let n = *result.as_ref().unwrap_or(&0);
    buf.truncate(start + n);
    (result, buf)
}

impl TcpStream {
    /// Opens a connection to `addr` (the caller bounds the wait with [`timeout`]).
    pub async fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
        Ok(TcpStream(glommio::net::TcpStream::connect(addr).await?))
    }

    /// The socket's descriptor, for socket options the runtime does not wrap (kTLS); it stays
    /// owned by the stream.
    pub fn raw_fd(&self) -> std::os::fd::RawFd {
        std::os::fd::AsRawFd::as_raw_fd(&self.0)
    }

    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.0.set_nodelay(on).map_err(io::Error::from)
    }

    /// Reads into `buf[len..capacity]`, appending.
    pub async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize> {
        let stream = &mut self.0;
        read_appending(buf, async |spare| stream.read(spare).await).await
    }

    /// Writes all of `buf`.
    pub async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()> {
        let result = self.0.write_all(&buf).await;
        (result, buf)
    }

    /// Writes `head` then `body`. glommio copies into its own buffers anyway, so two writes.
    pub async fn write_all_gathered(&mut self, head: Vec<u8>, body: bytes::Bytes) -> BufResult<()> {
        if let Err(e) = self.0.write_all(&head).await {
            return (Err(e), head);
        }
        let result = self.0.write_all(&body).await;
        (result, head)
    }

    pub async fn shutdown_write(&mut self) -> io::Result<()> {
        self.0
            .shutdown(std::net::Shutdown::Write)
            .await
            .map_err(io::Error::from)
    }

    /// Waits until a read would not wait (bytes have come, or the end, or an error): a
    /// one-byte `MSG_PEEK`, which unlike a read can be given up with nothing lost.
    pub async fn readable(&self) -> io::Result<()> {
        let mut byte = [0u8; 1];
        self.0
            .peek(&mut byte)
            .await
            .map(|_| ())
            .map_err(io::Error::from)
    }

    /// Splits the stream into halves that may each wait at the same time (glommio's socket is
    /// polled, so both halves poll the one stream through a shared cell).
    pub fn into_split(self) -> (TcpReader, TcpWriter) {
        let shared = std::rc::Rc::new(std::cell::RefCell::new(self.0));
        (ReadHalf(shared.clone()), WriteHalf(shared))
    }

    /// The stream [`TcpStream::into_split`] made `reader` and `writer` of, whole again
    /// (`None` if they are halves of different streams).
    pub fn rejoin(reader: TcpReader, writer: TcpWriter) -> Option<TcpStream> {
        rejoin(reader, writer).map(TcpStream)
    }
}

/// The socket two halves share, once they are both given back.
fn rejoin<S>(reader: ReadHalf<S>, writer: WriteHalf<S>) -> Option<S> {
    if !std::rc::Rc::ptr_eq(&reader.0, &writer.0) {
        return None;
    }
    drop(writer);
    std::rc::Rc::try_unwrap(reader.0)
        .ok()
        .map(std::cell::RefCell::into_inner)
}

/// A split stream's shared socket: glommio's is polled, so each half borrows it for one poll
/// at a time and the two never overlap.
type Shared<S> = std::rc::Rc<std::cell::RefCell<S>>;

/// Polls the shared stream with `poll` until it is ready.
fn poll_shared<'a, S: Unpin, T>(
    stream: &'a Shared<S>,
    mut poll: impl FnMut(
        std::pin::Pin<&mut S>,
        &mut std::task::Context<'_>,
    ) -> std::task::Poll<io::Result<T>>
    + 'a,
) -> impl Future<Output = io::Result<T>> + 'a {
    std::future::poll_fn(move |cx| poll(std::pin::Pin::new(&mut *stream.borrow_mut()), cx))
}

/// The reading half of a split stream.
pub struct ReadHalf<S>(Shared<S>);

/// The writing half of a split stream.
pub struct WriteHalf<S>(Shared<S>);

/// The reading half of a split [`TcpStream`].
pub type TcpReader = ReadHalf<glommio::net::TcpStream>;
/// The writing half of a split [`TcpStream`].
pub type TcpWriter = WriteHalf<glommio::net::TcpStream>;
/// The reading half of a split [`UnixStream`].
pub type UnixReader = ReadHalf<glommio::net::UnixStream>;
/// The writing half of a split [`UnixStream`].
pub type UnixWriter = WriteHalf<glommio::net::UnixStream>;

impl<S: futures_lite::AsyncRead + Unpin> ReadHalf<S> {
    /// Reads into `buf[len..capacity]`, appending.
    pub async fn read(&mut self, buf: Vec<u8>) -> BufResult<usize> {
        let shared = &self.0;
        read_appending(buf, async |spare| {
            poll_shared(shared, |stream, cx| {
                futures_lite::AsyncRead::poll_read(stream, cx, spare)
            })
            .await
        })
        .await
    }
}

impl<S: futures_lite::AsyncWrite + Unpin> WriteHalf<S> {
    /// Writes all of `buf`.
    pub async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()> {
        let mut written = 0;
        while written < buf.len() {
            let result = poll_shared(&self.0, |stream, cx| {
                futures_lite::AsyncWrite::poll_write(stream, cx, &buf[written..])
            })
            .await;
            match result {
                Ok(0) => return (Err(io::ErrorKind::WriteZero.into()), buf),
                Ok(n) => written += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return (Err(e), buf),
            }
        }
        let result = poll_shared(&self.0, |stream, cx| {
            futures_lite::AsyncWrite::poll_flush(stream, cx)
        })
        .await;
        (result, buf)
    }

    pub async fn shutdown_write(&mut self) -> io::Result<()> {
        // glommio's close is a synchronous `shutdown(SHUT_WR)` after a flush.
        poll_shared(&self.0, |stream, cx| {
            futures_lite::AsyncWrite::poll_close(stream, cx)
        })
        .await
    }
}

/// A file read through glommio's io_uring (see the module docs). glommio ties it to the
/// reactor of the executor that adopted it: create and use it on one shard.
pub struct File(glommio::io::BufferedFile);

impl File {
    /// Adopts an open file (bext opens files itself, beneath a site root). Must be called on a
    /// running shard: glommio ties the file to the current executor.
    pub fn from_std(file: std::fs::File) -> io::Result<Self> {
        let fd = file.into_raw_fd();
        // SAFETY: fd is an open file whose ownership we just released from std; the
        // BufferedFile now owns it and closes it (through the ring) when dropped.
        Ok(File(unsafe { glommio::io::BufferedFile::from_raw_fd(fd) }))
    }

    /// Reads at `pos` into `buf[len..capacity]`, appending.
    pub async fn read_at(&self, mut buf: Vec<u8>, pos: u64) -> BufResult<usize> {
        let spare = buf.capacity() - buf.len();
        if spare == 0 {
            return (Ok(0), buf);
        }
        match self.0.read_at(pos, spare).await {
            Ok(read) => {
                assert!(read.len() <= spare, "glommio read more than it was asked");
                // Within the spare capacity: no reallocation.
                buf.extend_from_slice(&read);
                (Ok(read.len()), buf)
            }
            Err(error) => (Err(io::Error::from(error)), buf),
        }
    }
}

/// A UDP socket (QUIC): datagrams in and out with owned buffers. Shared by `&self`: a
/// receive and sends may wait at once (glommio polls the socket; nothing of ours is left in
/// the kernel when a future is dropped).
pub struct UdpSocket(glommio::net::UdpSocket);

impl UdpSocket {
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<Self> {
        socket.set_nonblocking(true)?;
        let fd = socket.into_raw_fd();
        // SAFETY: fd is a bound UDP socket whose ownership we just released from std;
        // glommio's socket now owns and closes it.
        Ok(UdpSocket(unsafe {
            glommio::net::UdpSocket::from_raw_fd(fd)
        }))
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr().map_err(io::Error::from)
    }

    /// Receives one datagram into `buf[len..capacity]`, appending; its size and sender.
    pub async fn recv_from(&self, mut buf: Vec<u8>) -> BufResult<(usize, SocketAddr)> {
        let start = buf.len();
        let cap = buf.capacity();
        if start == cap {
            return (Err(io::ErrorKind::InvalidInput.into()), buf);
        }
        buf.resize(cap, 0);
        let result = self.0.recv_from(&mut buf[start..]).await;
        let n = result.as_ref().map_or(0, |(n, _)| *n);
        buf.truncate(start + n);
        (result.map_err(io::Error::from), buf)
    }

    /// The socket's descriptor, for sends the runtime does not offer (a GSO burst,
    /// `sys::send_segments`); it stays owned by the socket.
    pub fn raw_fd(&self) -> std::os::fd::RawFd {
        std::os::fd::AsRawFd::as_raw_fd(&self.0)
    }

    /// Waits until a datagram can be received without waiting, for a caller that then
    /// receives with its own calls (`sys::recv_segments`, GRO bursts): glommio's peek, which
    /// leaves the datagram queued.
    pub async fn readable(&self) -> io::Result<()> {
        let mut byte = [0u8; 1];
        self.0
            .peek_from(&mut byte)
            .await
            .map(|_| ())
            .map_err(io::Error::from)
    }

    /// Sends `buf` as one datagram to `to`.
    pub async fn send_to(&self, buf: Vec<u8>, to: SocketAddr) -> BufResult<usize> {
        let result = self.0.send_to(&buf, to).await.map_err(io::Error::from);
        (result, buf)
    }
}
