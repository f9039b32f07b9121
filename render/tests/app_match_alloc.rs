//! `RouteTable::match_path` runs for every request: a static hit must not allocate, and a
//! dynamic hit allocates only its parameters. Checked with a counting allocator (this test
//! binary's only test, so no other thread allocates while it counts).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use bext_render::app::RouteTable;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so the
// `GlobalAlloc` contract is upheld by `System`; the counter has no effect on memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same layout as given to us, per the trait's contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout (see `alloc`).
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made while matching `path`.
fn allocations(table: &RouteTable, path: &str) -> usize {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let matched = table.match_path(path);
    let after = ALLOCATIONS.load(Ordering::Relaxed);
    assert!(matched.is_some(), "{path}");
    drop(matched);
    after - before
}

#[test]
fn static_hits_do_not_allocate() {
    let table = RouteTable::from_files([
        "app/layout.tsx",
        "app/page.tsx",
        "app/blog/page.tsx",
        "app/blog/[slug]/page.tsx",
        "app/blog/new/page.tsx",
        "app/docs/[...path]/page.tsx",
        "app/(shop)/cart/checkout/page.tsx",
    ])
    .unwrap();
    for path in ["/", "/blog", "/blog/new/", "/cart/checkout", "/blog?page=2"] {
        assert_eq!(allocations(&table, path), 0, "{path}");
    }
    // `[slug]`: the params vector, the name, the value.
    assert_eq!(allocations(&table, "/blog/hello"), 3);
    // `[...path]`: the params vector, the name, the values vector (grown once here), one
    // string per segment.
    assert_eq!(allocations(&table, "/docs/a/b"), 6);
}
