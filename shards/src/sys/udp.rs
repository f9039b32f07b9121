//! UDP datagrams in bursts: one `sendmsg` carrying many datagrams of one size to one
//! address, which the kernel cuts apart (UDP generic segmentation offload, `UDP_SEGMENT`,
//! Linux 4.18), so a QUIC connection's burst costs one system call instead of one per
//! datagram; and the other way, a socket with `UDP_GRO` (Linux 5.0) receives a peer's burst
//! as one buffer with its segment size, which [`recv_segments`] reports.
//!
//! The call is a plain non-blocking `sendmsg` on the shard's thread, not an io_uring
//! operation: a datagram socket never waits for a peer, and a full send buffer is reported at
//! once (`WouldBlock`), which the caller answers by waiting through the runtime. Kernels or
//! devices without GSO refuse the option (`EIO`, `EINVAL`, `ENOPROTOOPT`): [`GsoError`] says
//! which refusal means "no GSO here" so the caller can send one datagram per call from then
//! on.
#![allow(unsafe_code)]

use std::io;
use std::net::SocketAddr;
use std::os::fd::RawFd;

use super::socket::{set_int_opt, sockaddr_of, socket_addr_from};

/// `SOL_UDP`, `UDP_SEGMENT` and `UDP_GRO` (linux/udp.h); not in libc for every target.
const SOL_UDP: libc::c_int = 17;
const UDP_SEGMENT: libc::c_int = 103;
const UDP_GRO: libc::c_int = 104;

/// Most datagrams one `UDP_SEGMENT` send may carry (the kernel's `UDP_MAX_SEGMENTS`).
// tidy: not a limit: the kernel's, which a send past it fails.
pub const GSO_SEGMENTS_MAX: usize = 64;
/// Largest UDP payload: what one send may carry in all.
// tidy: not a limit: the protocol's (a 16-bit length less the IPv4 and UDP headers).
pub const UDP_PAYLOAD_BYTES_MAX: usize = 65_507;

/// Why a burst was not sent.
#[derive(Debug)]
pub enum GsoError {
    /// The send buffer is full: wait until the socket is writable, then send again.
    WouldBlock,
    /// This kernel or device does not segment UDP: send one datagram per call.
    Unsupported(io::Error),
    /// Anything else (an unreachable address, a message too large).
    Other(io::Error),
}

/// Sends `data` to `to` as datagrams of `segment` bytes (the last may be shorter) with one
/// `sendmsg`. With `segment >= data.len()` it is one ordinary datagram, sent without the
/// option. `fd` must be a non-blocking UDP socket.
pub fn send_segments(
    fd: RawFd,
    data: &[u8],
    segment: usize,
    to: SocketAddr,
) -> Result<(), GsoError> {
    let (mut name, name_len) = sockaddr_of(to);
    let mut iov = libc::iovec {
        iov_base: data.as_ptr().cast_mut().cast(),
        iov_len: data.len(),
    };
    // Room for one cmsg carrying a u16, aligned as the kernel reads it.
    let mut control = [0u64; 4];
    // SAFETY: msghdr is plain data; all-zero is a valid empty header, filled in below.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_name = (&raw mut name).cast();
    msg.msg_namelen = name_len;
    msg.msg_iov = &raw mut iov;
    msg.msg_iovlen = 1;
    let segmented = segment > 0 && segment < data.len();
    if segmented {
        let size = u16::try_from(segment)
            .map_err(|_| GsoError::Other(io::ErrorKind::InvalidInput.into()))?;
        // SAFETY: CMSG_SPACE only computes a size.
        let space = unsafe { libc::CMSG_SPACE(std::mem::size_of::<u16>() as u32) } as usize;
        debug_assert!(space <= std::mem::size_of_val(&control));
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = space;
        // SAFETY: msg_control points at `control`, large enough for one cmsg of a u16 (the
        // assertion above), so CMSG_FIRSTHDR returns a pointer into it, and CMSG_DATA a
        // pointer into that header's data, where a u16 fits.
        unsafe {
            let cmsg = libc::CMSG_FIRSTHDR(&raw const msg);
            (*cmsg).cmsg_level = SOL_UDP;
            (*cmsg).cmsg_type = UDP_SEGMENT;
            (*cmsg).cmsg_len = libc::CMSG_LEN(std::mem::size_of::<u16>() as u32) as usize;
            std::ptr::write_unaligned(libc::CMSG_DATA(cmsg).cast::<u16>(), size);
        }
    }
    // SAFETY: msg points at live buffers (`name`, `iov` over `data`, `control`) for the call;
    // the kernel only reads them.
    let sent = unsafe { libc::sendmsg(fd, &raw const msg, libc::MSG_DONTWAIT) };
    if sent >= 0 {
        return Ok(());
    }
    let error = io::Error::last_os_error();
    Err(match error.raw_os_error() {
        Some(libc::EAGAIN) => GsoError::WouldBlock,
        Some(libc::EIO | libc::EINVAL | libc::ENOPROTOOPT | libc::EOPNOTSUPP) if segmented => {
            GsoError::Unsupported(error)
        }
        _ => GsoError::Other(error),
    })
}

/// Asks the kernel to hand bursts of datagrams from one sender to `fd` as one buffer
/// (`UDP_GRO`); an error where it cannot (the caller reads datagrams one by one then, and
/// [`recv_segments`] reports no segment size).
pub fn enable_gro(fd: RawFd) -> io::Result<()> {
    set_int_opt(fd, SOL_UDP, UDP_GRO, 1)
}

/// One datagram, or with `UDP_GRO` a burst of them, received without waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    pub len: usize,
    pub from: SocketAddr,
    /// With GRO, the size of each datagram in the buffer (the last may be shorter); `None`
    /// when the buffer holds one datagram.
    pub segment: Option<usize>,
}

/// Receives from the non-blocking UDP socket `fd` into `buf` without waiting: `Ok(None)`
/// when nothing is queued.
pub fn recv_segments(fd: RawFd, buf: &mut [u8]) -> io::Result<Option<Received>> {
    // SAFETY: sockaddr_storage is plain data; all-zero is a valid value to be written over.
    let mut name: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let mut control = [0u64; 8];
    // SAFETY: as in send_segments.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_name = (&raw mut name).cast();
    msg.msg_namelen = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    msg.msg_iov = &raw mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = std::mem::size_of_val(&control);
    // SAFETY: msg points at live buffers for the call, which the kernel writes within the
    // lengths given.
    let n = unsafe { libc::recvmsg(fd, &raw mut msg, libc::MSG_DONTWAIT) };
    if n < 0 {
        let error = io::Error::last_os_error();
        if error.raw_os_error() == Some(libc::EAGAIN) {
            return Ok(None);
        }
        return Err(error);
    }
    let len = n as usize;
    let mut segment = None;
    // SAFETY: the kernel filled msg_control up to msg_controllen with well-formed cmsgs;
    // CMSG_FIRSTHDR/CMSG_NXTHDR walk them within that length, and a UDP_GRO cmsg carries an
    // int.
    unsafe {
        let mut cmsg = libc::CMSG_FIRSTHDR(&raw const msg);
        while !cmsg.is_null() {
            if (*cmsg).cmsg_level == SOL_UDP && (*cmsg).cmsg_type == UDP_GRO {
                let size = std::ptr::read_unaligned(libc::CMSG_DATA(cmsg).cast::<libc::c_int>());
                segment = usize::try_from(size).ok().filter(|&s| s > 0 && s < len);
            }
            cmsg = libc::CMSG_NXTHDR(&raw const msg, cmsg);
        }
    }
    let from = socket_addr_from(&name)
        .ok_or_else(|| io::Error::other("a datagram from an address that is not IP"))?;
    Ok(Some(Received { len, from, segment }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn a_burst_arrives_as_separate_datagrams() {
        let receiver = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
        receiver
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .expect("timeout");
        let sender = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
        sender.set_nonblocking(true).expect("nonblocking");
        let to = receiver.local_addr().expect("address");
        let mut burst = Vec::new();
        for i in 0..5u8 {
            burst.extend(std::iter::repeat_n(i, 1200));
        }
        burst.extend([9u8; 300]);
        match send_segments(sender.as_raw_fd(), &burst, 1200, to) {
            Ok(()) => {
                let mut buf = [0u8; 2048];
                let mut sizes = Vec::new();
                for _ in 0..6 {
                    let n = receiver.recv(&mut buf).expect("a datagram");
                    sizes.push((n, buf[0]));
                }
                assert_eq!(
                    sizes,
                    [
                        (1200, 0),
                        (1200, 1),
                        (1200, 2),
                        (1200, 3),
                        (1200, 4),
                        (300, 9)
                    ]
                );
            }
            // A kernel without UDP GSO: said so, and an unsegmented send still works.
            Err(GsoError::Unsupported(_)) => {}
            Err(other) => panic!("{other:?}"),
        }
        send_segments(sender.as_raw_fd(), &[7u8; 100], 100, to).expect("one datagram");
        let mut buf = [0u8; 2048];
        loop {
            let n = receiver.recv(&mut buf).expect("the single datagram");
            if buf[0] == 7 {
                assert_eq!(n, 100);
                break;
            }
        }
    }
}

#[cfg(test)]
mod gro_tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn a_burst_is_received_whole_with_gro_or_one_by_one_without() {
        let receiver = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
        receiver.set_nonblocking(true).expect("nonblocking");
        let gro = enable_gro(receiver.as_raw_fd()).is_ok();
        let sender = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
        sender.set_nonblocking(true).expect("nonblocking");
        let from = sender.local_addr().expect("address");
        let mut burst = vec![1u8; 1200 * 3];
        burst.extend([2u8; 500]);
        let segmented = send_segments(
            sender.as_raw_fd(),
            &burst,
            1200,
            receiver.local_addr().expect("address"),
        )
        .is_ok();
        let mut buf = vec![0u8; 65_535];
        let mut got = Vec::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while got.iter().map(|r: &Received| r.len).sum::<usize>() < burst.len() {
            assert!(std::time::Instant::now() < deadline, "{got:?}");
            if !segmented {
                return;
            }
            match recv_segments(receiver.as_raw_fd(), &mut buf).expect("recvmsg") {
                Some(received) => got.push(received),
                None => std::thread::sleep(std::time::Duration::from_millis(1)),
            }
        }
        assert!(got.iter().all(|r| r.from == from));
        if gro && got.len() == 1 {
            assert_eq!(got[0].segment, Some(1200));
        } else {
            let sizes: Vec<usize> = got.iter().map(|r| r.len).collect();
            assert_eq!(sizes, [1200, 1200, 1200, 500]);
        }
        assert!(
            recv_segments(receiver.as_raw_fd(), &mut buf)
                .expect("recvmsg")
                .is_none()
        );
    }
}

/// Sends `payload` `count` times (at most [`GSO_SEGMENTS_MAX`]) as separate datagrams on the
/// connected socket `fd`, in one `sendmmsg`: the benchmark's flood generator, which must
/// send small datagrams faster than one system call each. Returns how many were sent.
pub fn send_repeated(fd: RawFd, payload: &[u8], count: usize) -> io::Result<usize> {
    let count = count.clamp(1, GSO_SEGMENTS_MAX);
    let mut iov = libc::iovec {
        iov_base: payload.as_ptr() as *mut libc::c_void,
        iov_len: payload.len(),
    };
    // SAFETY: an all-zero mmsghdr is valid (no name, no control); each points at `iov`.
    let mut headers: [libc::mmsghdr; GSO_SEGMENTS_MAX] = unsafe { std::mem::zeroed() };
    for header in headers.iter_mut().take(count) {
        header.msg_hdr.msg_iov = &raw mut iov;
        header.msg_hdr.msg_iovlen = 1;
    }
    // SAFETY: `headers[..count]` are initialized and point at `iov`, which points at
    // `payload`; all outlive the call, and the kernel only reads the payload.
    let sent = unsafe { libc::sendmmsg(fd, headers.as_mut_ptr(), count as libc::c_uint, 0) };
    if sent < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(sent as usize)
}
