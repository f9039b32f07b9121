//! kTLS, the kernel's TLS record layer (Documentation/networking/tls.rst): attaching it to a
//! connected TCP socket, handing it the keys a user-space handshake agreed, and the two
//! record operations a plain `read`/`write` cannot do once it is on: reading a record that is
//! not application data (the kernel answers a plain read with `EIO` when one is next) and
//! sending an alert.
//!
//! The keys arrive as the kernel's `tls12_crypto_info_*` structures already laid out in bytes
//! (the caller builds them; see `bext-server`'s `transport/tls/kernel.rs`), so nothing here
//! knows a cipher.
#![allow(unsafe_code)]

use std::io;
use std::os::fd::RawFd;

/// `SOL_TLS`: the socket level of kTLS options.
const SOL_TLS: libc::c_int = 282;
/// `TCP_ULP`: attaches an upper-layer protocol to a TCP socket.
const TCP_ULP: libc::c_int = 31;
/// `TLS_TX` / `TLS_RX`: the key of one direction.
const TLS_TX: libc::c_int = 1;
const TLS_RX: libc::c_int = 2;
/// The control message that carries a record's content type.
const TLS_SET_RECORD_TYPE: libc::c_int = 1;
const TLS_GET_RECORD_TYPE: libc::c_int = 2;
/// Content type of application data (RFC 8446 §5.1), what a record without a control message
/// holds.
const APPLICATION_DATA: u8 = 23;

/// Which way a key works.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KtlsDirection {
    Transmit,
    Receive,
}

/// Attaches the kernel's TLS layer to the connected TCP socket `fd`. Until keys are set the
/// socket carries bytes as before, so a failure here leaves the connection as it was:
/// `ENOENT` when the kernel has no TLS module (no `CONFIG_TLS`).
pub fn ktls_attach(fd: RawFd) -> io::Result<()> {
    let name = b"tls";
    // SAFETY: `name` lives for the call and we pass its exact length; the kernel copies it.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_TCP,
            TCP_ULP,
            name.as_ptr().cast(),
            name.len() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Hands the kernel the key of one direction: `crypto_info` is a `tls12_crypto_info_*`
/// structure in the kernel's layout.
pub fn ktls_set_key(fd: RawFd, direction: KtlsDirection, crypto_info: &[u8]) -> io::Result<()> {
    let name = match direction {
        KtlsDirection::Transmit => TLS_TX,
        KtlsDirection::Receive => TLS_RX,
    };
    // SAFETY: `crypto_info` lives for the call and we pass its exact length; the kernel copies
    // it and checks the length against the cipher it names.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            SOL_TLS,
            name,
            crypto_info.as_ptr().cast(),
            crypto_info.len() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Room for one control message carrying one byte, aligned as `cmsghdr` needs.
#[repr(C, align(8))]
struct ControlRoom([u8; 32]);

/// Reads the next record when it is not application data (after a read failed with `EIO`):
/// its content type and how many bytes of its payload are in `buf`. Does not wait.
pub fn ktls_recv_record(fd: RawFd, buf: &mut [u8]) -> io::Result<(u8, usize)> {
    let mut control = ControlRoom([0; 32]);
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: msghdr is plain data; all-zero is a valid empty header, filled in below.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &raw mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.0.as_mut_ptr().cast();
    msg.msg_controllen = control.0.len();
    // SAFETY: every pointer in `msg` points into `buf`, `iov` or `control`, which outlive the
    // call, with their true lengths.
    let n = unsafe { libc::recvmsg(fd, &raw mut msg, libc::MSG_DONTWAIT) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut content_type = APPLICATION_DATA;
    // SAFETY: the CMSG_* macros walk the control buffer the kernel filled, bounded by the
    // `msg_controllen` it set.
    unsafe {
        let mut cmsg = libc::CMSG_FIRSTHDR(&raw const msg);
        while !cmsg.is_null() {
            if (*cmsg).cmsg_level == SOL_TLS && (*cmsg).cmsg_type == TLS_GET_RECORD_TYPE {
                content_type = *libc::CMSG_DATA(cmsg);
            }
            cmsg = libc::CMSG_NXTHDR(&raw const msg, cmsg);
        }
    }
    Ok((content_type, n as usize))
}

/// Sends `payload` as one record of `content_type` (an alert, 21): the kernel encrypts it
/// with the transmit key. Does not wait.
pub fn ktls_send_record(fd: RawFd, content_type: u8, payload: &[u8]) -> io::Result<()> {
    let mut control = ControlRoom([0; 32]);
    let mut iov = libc::iovec {
        iov_base: payload.as_ptr().cast_mut().cast(),
        iov_len: payload.len(),
    };
    // SAFETY: msghdr is plain data; all-zero is a valid empty header, filled in below.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &raw mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.0.as_mut_ptr().cast();
    // SAFETY: CMSG_SPACE/CMSG_LEN are pure arithmetic; the header written by CMSG_FIRSTHDR
    // lies within `control`, which is larger than CMSG_SPACE(1) and aligned for cmsghdr.
    unsafe {
        msg.msg_controllen = libc::CMSG_SPACE(1) as usize;
        let cmsg = libc::CMSG_FIRSTHDR(&raw const msg);
        if cmsg.is_null() {
            return Err(io::Error::other("no room for the record type"));
        }
        (*cmsg).cmsg_level = SOL_TLS;
        (*cmsg).cmsg_type = TLS_SET_RECORD_TYPE;
        (*cmsg).cmsg_len = libc::CMSG_LEN(1) as usize;
        *libc::CMSG_DATA(cmsg) = content_type;
    }
    // SAFETY: `msg` points into `payload`, `iov` and `control`, all alive for the call; the
    // kernel only reads the payload.
    let n = unsafe { libc::sendmsg(fd, &raw const msg, libc::MSG_DONTWAIT) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    /// On a kernel without `CONFIG_TLS` attaching fails with `ENOENT` and the socket carries
    /// bytes as before; with it, attaching succeeds and (no keys set) still carries them.
    #[test]
    fn attaching_fails_cleanly_or_works() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let mut client =
            std::net::TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
        let (mut server, _) = listener.accept().expect("accept");
        match ktls_attach(server.as_raw_fd()) {
            Ok(()) => {}
            Err(e) => assert_eq!(e.raw_os_error(), Some(libc::ENOENT), "{e}"),
        }
        use std::io::{Read, Write};
        client.write_all(b"ping").expect("write");
        let mut got = [0u8; 4];
        server.read_exact(&mut got).expect("read");
        assert_eq!(&got, b"ping");
    }
}
