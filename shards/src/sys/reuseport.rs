//! The `SO_REUSEPORT` listener group: one listening socket per shard on the same address, and
//! a classic BPF program attached to the group that keeps each connection on the CPU that
//! received its SYN.
//!
//! The kernel picks a socket of a reuseport group by hashing the flow unless a program
//! chooses; ours returns the index of the shard pinned to the CPU the SYN arrived on, so the
//! connection's interrupts, its socket and the shard that serves it share one core. The
//! program is classic BPF (`SO_ATTACH_REUSEPORT_CBPF`): it needs no privileges and no loader.
#![allow(unsafe_code)]

use std::io;
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use super::socket::{set_int_opt, sockaddr_of};

pub use bext_core::limits::LISTEN_BACKLOG_MAX;

/// Binds one SO_REUSEPORT listening socket per shard on `addr`, in shard order, and attaches a
/// classic BPF program that picks the socket of the shard pinned to the CPU handling the SYN.
///
/// The kernel indexes a reuseport group in bind order, so socket `i` must be bound by shard
/// `i`'s turn; `shard_cpus[i]` is the CPU shard `i` is pinned to. If a CPU has no shard, the
/// program falls back to `cpu % shards`, so the index is always valid.
pub fn bind_reuseport_group(
    addr: SocketAddr,
    shard_cpus: &[usize],
) -> io::Result<Vec<TcpListener>> {
    assert!(
        !shard_cpus.is_empty(),
        "a listener group needs at least one shard"
    );
    let mut listeners = Vec::with_capacity(shard_cpus.len());
    let mut bound = addr;
    for _ in shard_cpus {
        let listener = bind_one(bound)?;
        // Port 0 asks the kernel for a port: the rest of the group must join the same one.
        bound = listener.local_addr()?;
        listeners.push(listener);
    }
    attach_cpu_steering(listeners[0].as_raw_fd(), shard_cpus)?;
    Ok(listeners)
}

/// The same group for UDP (QUIC): one socket per shard on `addr`, in shard order, with the
/// same CPU steering, and receive and send buffers of `buffer_bytes` each (a burst of
/// datagrams is dropped by the kernel when the receive buffer is full).
pub fn bind_reuseport_udp_group(
    addr: SocketAddr,
    shard_cpus: &[usize],
    buffer_bytes: usize,
) -> io::Result<Vec<UdpSocket>> {
    assert!(
        !shard_cpus.is_empty(),
        "a socket group needs at least one shard"
    );
    let size = i32::try_from(buffer_bytes).unwrap_or(i32::MAX);
    let mut sockets = Vec::with_capacity(shard_cpus.len());
    let mut bound = addr;
    for _ in shard_cpus {
        let fd = bind_socket(bound, libc::SOCK_DGRAM)?;
        let raw = fd.as_raw_fd();
        // Best effort: the kernel caps them at net.core.[rw]mem_max.
        let _ = set_int_opt(raw, libc::SOL_SOCKET, libc::SO_RCVBUF, size);
        let _ = set_int_opt(raw, libc::SOL_SOCKET, libc::SO_SNDBUF, size);
        let socket = UdpSocket::from(fd);
        bound = socket.local_addr()?;
        sockets.push(socket);
    }
    attach_cpu_steering(sockets[0].as_raw_fd(), shard_cpus)?;
    Ok(sockets)
}

fn bind_one(addr: SocketAddr) -> io::Result<TcpListener> {
    let owned = bind_socket(addr, libc::SOCK_STREAM)?;
    // SAFETY: the descriptor is a bound stream socket.
    if unsafe { libc::listen(owned.as_raw_fd(), LISTEN_BACKLOG_MAX) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(TcpListener::from(owned))
}

/// A socket of `kind` with `SO_REUSEADDR` and `SO_REUSEPORT`, bound to `addr`.
fn bind_socket(addr: SocketAddr, kind: i32) -> io::Result<OwnedFd> {
    let domain = if addr.is_ipv4() {
        libc::AF_INET
    } else {
        libc::AF_INET6
    };
    // SAFETY: socket() returns a new descriptor or -1; on success we take ownership at once.
    let fd = unsafe { libc::socket(domain, kind | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fd is a fresh, valid descriptor owned by nobody else.
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    set_int_opt(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1)?;
    set_int_opt(fd, libc::SOL_SOCKET, libc::SO_REUSEPORT, 1)?;
    if addr.is_ipv6() {
        set_int_opt(fd, libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, 1)?;
    }
    let (storage, len) = sockaddr_of(addr);
    // SAFETY: storage holds a valid sockaddr of `len` bytes for this address family.
    if unsafe { libc::bind(fd, (&raw const storage).cast(), len) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(owned)
}

/// `ld cpu; (jeq cpu_i → ret i)*; A %= n; ret A`.
fn attach_cpu_steering(fd: RawFd, shard_cpus: &[usize]) -> io::Result<()> {
    const SKF_AD_OFF: i32 = -0x1000;
    const SKF_AD_CPU: i32 = 36;
    let shards =
        u32::try_from(shard_cpus.len()).map_err(|_| io::Error::other("too many shards"))?;
    let mut prog: Vec<libc::sock_filter> = Vec::with_capacity(shard_cpus.len() * 2 + 3);
    prog.push(bpf_stmt(
        libc::BPF_LD | libc::BPF_W | libc::BPF_ABS,
        (SKF_AD_OFF + SKF_AD_CPU) as u32,
    ));
    for (index, &cpu) in shard_cpus.iter().enumerate() {
        prog.push(libc::sock_filter {
            code: (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16,
            jt: 0,
            jf: 1,
            k: cpu as u32,
        });
        prog.push(bpf_stmt(libc::BPF_RET | libc::BPF_K, index as u32));
    }
    prog.push(bpf_stmt(
        libc::BPF_ALU | libc::BPF_MOD | libc::BPF_K,
        shards,
    ));
    prog.push(bpf_stmt(libc::BPF_RET | libc::BPF_A, 0));
    let fprog = libc::sock_fprog {
        len: u16::try_from(prog.len())
            .map_err(|_| io::Error::other("steering program too long"))?,
        filter: prog.as_mut_ptr(),
    };
    // SAFETY: fprog points at `prog`, alive for the call; the kernel copies the program.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_ATTACH_REUSEPORT_CBPF,
            (&raw const fprog).cast(),
            std::mem::size_of::<libc::sock_fprog>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn bpf_stmt(code: u32, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code: code as u16,
        jt: 0,
        jf: 0,
        k,
    }
}
