//! glommio (the alternative backend, `--features glommio`).
//!
//! glommio sockets buffer internally and implement `futures::AsyncRead`, so the owned-buffer
//! surface is met by reading into the spare capacity of the vector we are given: nothing is
//! left in flight in the kernel when a future is dropped. Files are read with `pread` on the
//! shard thread: glommio's own file types want paths or O_DIRECT, and bext opens files itself
//! (`openat2` beneath the site root).
#![allow(unsafe_code)]

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::os::fd::IntoRawFd;
use std::os::unix::fs::FileExt;
use std::os::unix::io::FromRawFd;
use std::time::Duration;

use futures_lite::{AsyncReadExt, AsyncWriteExt, FutureExt};

use super::{BufResult, Driver, Elapsed, RuntimeOptions, Started};

pub const NAME: &str = "glommio";

/// Memory glommio registers with the kernel for its I/O buffers, per executor. It must be
/// locked (RLIMIT_MEMLOCK); glommio needs at least 512 KiB.
const IO_MEMORY_BYTES: usize = 512 * 1024;

/// Builds the executor on this thread and runs `make(started)` to completion.
pub fn run<F, Fut>(options: RuntimeOptions, make: F) -> io::Result<()>
where
    F: FnOnce(Started) -> Fut,
    Fut: Future<Output = ()>,
{
    // Pinning is done by the shard before we get here.
    let executor = glommio::LocalExecutorBuilder::new(glommio::Placement::Unbound)
        .io_memory(IO_MEMORY_BYTES)
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

impl TcpStream {
    /// Opens a connection to `addr` (the caller bounds the wait with [`timeout`]).
    pub async fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
        Ok(TcpStream(glommio::net::TcpStream::connect(addr).await?))
    }

    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.0.set_nodelay(on).map_err(io::Error::from)
    }

    /// Reads into `buf[len..capacity]`, appending.
    pub async fn read(&mut self, mut buf: Vec<u8>) -> BufResult<usize> {
        let start = buf.len();
        let cap = buf.capacity();
        if start == cap {
            return (Ok(0), buf);
        }
        buf.resize(cap, 0);
        let result = self.0.read(&mut buf[start..]).await;
        let n = *result.as_ref().unwrap_or(&0);
        buf.truncate(start + n);
        (result, buf)
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
}

pub struct File(std::fs::File);

impl File {
    pub fn from_std(file: std::fs::File) -> io::Result<Self> {
        Ok(File(file))
    }

    /// Reads at `pos` into `buf[len..capacity]`, appending.
    pub async fn read_at(&self, mut buf: Vec<u8>, pos: u64) -> BufResult<usize> {
        let start = buf.len();
        let cap = buf.capacity();
        buf.resize(cap, 0);
        let result = self.0.read_at(&mut buf[start..], pos);
        let n = *result.as_ref().unwrap_or(&0);
        buf.truncate(start + n);
        (result, buf)
    }
}
