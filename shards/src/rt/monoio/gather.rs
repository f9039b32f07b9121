//! The buffer of a gathered write (`writev`): a response head and its body sent from where
//! each lies, so a large body is never copied behind the head.
//!
//! monoio takes the iovec array through `IoVecBuf`, an unsafe trait: the implementation
//! promises that the pointers stay valid while the kernel reads them. That promise is this
//! file's only `unsafe`, kept apart so that it can be checked on its own.
#![allow(unsafe_code)]

use bytes::Bytes;

/// A head and a body written as one gathered write. The iovec array is boxed: monoio builds
/// the submission from the buffer before moving it into the operation, so the array must not
/// live inside the value itself.
pub(super) struct Gather {
    pub(super) head: Vec<u8>,
    body: Bytes,
    iov: Box<[libc::iovec; 2]>,
    /// Entries of `iov` already fully written.
    skip: usize,
}

impl Gather {
    pub(super) fn new(head: Vec<u8>, body: Bytes) -> Gather {
        let mut gather = Gather {
            iov: Box::new(
                [libc::iovec {
                    iov_base: std::ptr::null_mut(),
                    iov_len: 0,
                }; 2],
            ),
            head,
            body,
            skip: 0,
        };
        gather.advance(0);
        gather
    }

    /// Points the iovecs at what is left after `written` bytes.
    pub(super) fn advance(&mut self, written: usize) {
        let head_left = self.head.len().saturating_sub(written);
        let body_from = written.saturating_sub(self.head.len()).min(self.body.len());
        self.iov[0] = libc::iovec {
            iov_base: self.head[self.head.len() - head_left..].as_ptr() as *mut libc::c_void,
            iov_len: head_left,
        };
        self.iov[1] = libc::iovec {
            iov_base: self.body[body_from..].as_ptr() as *mut libc::c_void,
            iov_len: self.body.len() - body_from,
        };
        self.skip = usize::from(head_left == 0);
    }
}

// SAFETY: the iovecs point into `head` and `body`, which `Gather` owns and does not touch
// while an operation holds it; the array itself is boxed, so its address survives moves of
// the `Gather`. `skip` is 0 or 1, so the pointer and length stay inside the array.
unsafe impl monoio::buf::IoVecBuf for Gather {
    fn read_iovec_ptr(&self) -> *const libc::iovec {
        self.iov[self.skip..].as_ptr()
    }

    fn read_iovec_len(&self) -> usize {
        2 - self.skip
    }
}
