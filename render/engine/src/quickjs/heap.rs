//! The QuickJS heap: an allocator that owns every block it hands out, so a whole runtime's
//! memory can be released at once without asking QuickJS.
//!
//! Why it exists: when an allocation fails, QuickJS leaks reference counts on some error paths,
//! and `JS_FreeRuntime` then asserts that its object list is empty and aborts the process. An
//! engine that ever hit its heap limit is therefore never handed to `JS_FreeRuntime`; the
//! engine forgets its rquickjs handles and calls [`Heap::release_all`], which frees every block
//! still linked here. Nothing is leaked but a few hundred bytes of rquickjs's Rust-side
//! bookkeeping.
//!
//! The heap also enforces the limit itself (instead of `JS_SetMemoryLimit`), so a refused
//! allocation is always seen here ([`Heap::limit_hit`]), even when the script catches the
//! resulting `InternalError` and carries on.
//!
//! Layout: each block is `[Link | payload]` from libc `malloc`; the links form an intrusive
//! doubly linked ring through a sentinel, so tracking costs two pointer writes per allocation.
#![allow(unsafe_code)]

use std::cell::{Cell, UnsafeCell};
use std::ptr;
use std::rc::Rc;

/// Per-block header. 16 bytes, so payloads keep malloc's 16-byte alignment.
#[repr(C)]
struct Link {
    prev: *mut Link,
    next: *mut Link,
}

// tidy: not a limit: the size of a type, asserted.
const LINK_BYTES: usize = std::mem::size_of::<Link>();
const _: () = assert!(LINK_BYTES == 16);

struct Ring {
    sentinel: UnsafeCell<Link>,
    bytes: Cell<usize>,
    bytes_max: usize,
    limit_hit: Cell<bool>,
}

/// Shared handle to one runtime's heap; the allocator given to QuickJS holds a clone.
#[derive(Clone)]
pub(crate) struct Heap(Rc<Ring>);

impl Heap {
    pub(crate) fn new(bytes_max: usize) -> Heap {
        let ring = Rc::new(Ring {
            sentinel: UnsafeCell::new(Link {
                prev: ptr::null_mut(),
                next: ptr::null_mut(),
            }),
            bytes: Cell::new(0),
            bytes_max,
            limit_hit: Cell::new(false),
        });
        let s = ring.sentinel.get();
        // SAFETY: `s` points into the Rc allocation, which never moves and is alive; nobody
        // else can see the ring yet.
        unsafe {
            (*s).prev = s;
            (*s).next = s;
        }
        Heap(ring)
    }

    /// Bytes held now, headers and malloc's slack included.
    pub(crate) fn bytes(&self) -> usize {
        self.0.bytes.get()
    }

    /// True once any allocation has been refused for the limit.
    pub(crate) fn limit_hit(&self) -> bool {
        self.0.limit_hit.get()
    }

    /// Frees every block still held. Only for a runtime that will never run again and whose
    /// handles have been forgotten: any later use of its memory would be a use after free.
    /// Returns the bytes released.
    pub(crate) fn release_all(&self) -> usize {
        let released = self.0.bytes.get();
        self.0.free_all();
        released
    }

    pub(crate) fn allocator(&self) -> HeapAllocator {
        HeapAllocator(self.clone())
    }

    /// Whether `extra` more bytes fit; records the refusal when not.
    fn admit(&self, extra: usize) -> bool {
        let fits = self
            .0
            .bytes
            .get()
            .checked_add(extra)
            .is_some_and(|total| total <= self.0.bytes_max);
        if !fits {
            self.0.limit_hit.set(true);
        }
        fits
    }

    /// Links a fresh block at the ring's tail and returns its payload.
    ///
    /// # Safety
    /// `block` is a live malloc block of at least `LINK_BYTES` bytes not in the ring.
    unsafe fn link(&self, block: *mut Link) -> *mut u8 {
        let s = self.0.sentinel.get();
        // SAFETY: the caller's contract; the sentinel and its `prev` are live ring nodes.
        unsafe {
            let last = (*s).prev;
            (*block).prev = last;
            (*block).next = s;
            (*last).next = block;
            (*s).prev = block;
            self.0
                .bytes
                .set(self.0.bytes.get() + libc::malloc_usable_size(block.cast()));
            block.cast::<u8>().add(LINK_BYTES)
        }
    }
}

impl Ring {
    fn free_all(&self) {
        let s = self.sentinel.get();
        // SAFETY: every node in the ring but the sentinel is a live malloc block linked by
        // `link` (blocks are unlinked before being freed anywhere else); `next` is read before
        // the node is freed. Callers guarantee QuickJS no longer uses any of them.
        unsafe {
            let mut node = (*s).next;
            while node != s {
                let next = (*node).next;
                libc::free(node.cast());
                node = next;
            }
            (*s).prev = s;
            (*s).next = s;
        }
        self.bytes.set(0);
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // A runtime freed normally leaves the ring empty; this frees anything QuickJS left.
        self.free_all();
    }
}

fn block_of(payload: *mut u8) -> *mut Link {
    payload.wrapping_sub(LINK_BYTES).cast()
}

/// The allocator handed to `Runtime::new_with_alloc`.
pub(crate) struct HeapAllocator(Heap);

// SAFETY: every pointer returned is null or a payload 16-byte aligned (malloc's alignment plus
// a 16-byte header) with at least the requested bytes; `usable_size` reports the payload part
// of malloc's usable size; `dealloc`/`realloc` accept only payloads made here.
unsafe impl rquickjs::allocator::Allocator for HeapAllocator {
    fn alloc(&mut self, size: usize) -> *mut u8 {
        let Some(total) = size.checked_add(LINK_BYTES) else {
            return ptr::null_mut();
        };
        if !self.0.admit(total) {
            return ptr::null_mut();
        }
        // SAFETY: plain malloc; a null result is passed on.
        let block = unsafe { libc::malloc(total) }.cast::<Link>();
        if block.is_null() {
            return ptr::null_mut();
        }
        // SAFETY: fresh block of `total >= LINK_BYTES` bytes.
        unsafe { self.0.link(block) }
    }

    fn calloc(&mut self, count: usize, size: usize) -> *mut u8 {
        let Some(bytes) = count.checked_mul(size) else {
            return ptr::null_mut();
        };
        let payload = self.alloc(bytes);
        if !payload.is_null() {
            // SAFETY: `payload` has at least `bytes` writable bytes.
            unsafe { ptr::write_bytes(payload, 0, bytes) };
        }
        payload
    }

    unsafe fn dealloc(&mut self, payload: *mut u8) {
        if payload.is_null() {
            return;
        }
        let block = block_of(payload);
        // SAFETY: `payload` came from `alloc`/`realloc`, so `block` is a linked live block.
        unsafe {
            (*(*block).prev).next = (*block).next;
            (*(*block).next).prev = (*block).prev;
            let ring = &self.0.0;
            ring.bytes
                .set(ring.bytes.get() - libc::malloc_usable_size(block.cast()));
            libc::free(block.cast());
        }
    }

    unsafe fn realloc(&mut self, payload: *mut u8, new_size: usize) -> *mut u8 {
        if payload.is_null() {
            return self.alloc(new_size);
        }
        let Some(total) = new_size.checked_add(LINK_BYTES) else {
            return ptr::null_mut();
        };
        let block = block_of(payload);
        // SAFETY: `block` is a linked live block (caller's contract). realloc copies the
        // header, so the moved block still names its neighbours; we repoint them at it. On
        // failure the old block is untouched and stays linked.
        unsafe {
            let old_bytes = libc::malloc_usable_size(block.cast());
            if total > old_bytes && !self.0.admit(total - old_bytes) {
                return ptr::null_mut();
            }
            let moved = libc::realloc(block.cast(), total).cast::<Link>();
            if moved.is_null() {
                return ptr::null_mut();
            }
            (*(*moved).prev).next = moved;
            (*(*moved).next).prev = moved;
            let ring = &self.0.0;
            let new_bytes = libc::malloc_usable_size(moved.cast());
            ring.bytes.set(ring.bytes.get() - old_bytes + new_bytes);
            moved.cast::<u8>().add(LINK_BYTES)
        }
    }

    unsafe fn usable_size(payload: *mut u8) -> usize {
        // SAFETY: `payload` came from this allocator (caller's contract).
        unsafe { libc::malloc_usable_size(block_of(payload).cast()) - LINK_BYTES }
    }
}
