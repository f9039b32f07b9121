//! quiche's stream buffers as [`Bytes`], so an answer's body is handed to quiche without a
//! copy.
//!
//! quiche keeps what a stream has to send (and to send again, until it is acknowledged) in
//! buffers its `BufFactory` makes. Its default copies every slice it is given into a buffer
//! of its own; with this factory `send_body_zc` takes a clone of the `Bytes` the service
//! answered with or a file task read (a reference count), and quiche writes packets straight
//! from it. One copy of every body byte fewer, which is what a large download spends most on
//! after the kernel and the cipher.

use bytes::Bytes;
use quiche::{BufFactory, BufSplit};

/// Makes quiche's stream buffers out of [`Bytes`].
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct BytesFactory;

/// One of quiche's stream buffers: a [`Bytes`] (a newtype, for quiche's traits).
#[derive(Clone, Debug, Default)]
pub(super) struct Buf(pub Bytes);

/// A QUIC connection whose stream buffers are [`Buf`]s.
pub(super) type QuicConnection = quiche::Connection<BytesFactory>;

impl AsRef<[u8]> for Buf {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl BufSplit for Buf {
    fn split_at(&mut self, at: usize) -> Buf {
        Buf(self.0.split_off(at.min(self.0.len())))
    }
}

impl BufFactory for BytesFactory {
    type Buf = Buf;
    type DgramBuf = Vec<u8>;

    fn buf_from_slice(buf: &[u8]) -> Buf {
        Buf(Bytes::copy_from_slice(buf))
    }

    fn dgram_buf_from_slice(buf: &[u8]) -> Vec<u8> {
        buf.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_split_keeps_the_front_and_returns_the_rest() {
        // (whole, split at, kept, returned)
        type Case = (&'static [u8], usize, &'static [u8], &'static [u8]);
        let cases: [Case; 4] = [
            (b"hello world", 5, b"hello", b" world"),
            (b"hello", 0, b"", b"hello"),
            (b"hello", 5, b"hello", b""),
            // Past the end: all kept, nothing returned (never a panic).
            (b"hello", 9, b"hello", b""),
        ];
        for (whole, at, front, rest) in cases {
            let mut buf = Buf(Bytes::copy_from_slice(whole));
            let tail = buf.split_at(at);
            assert_eq!(
                (buf.as_ref(), tail.as_ref()),
                (front, rest),
                "split at {at}"
            );
        }
    }
}
