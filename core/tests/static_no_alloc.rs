//! The per-request functions must not touch the heap: the static server's speed depends on it.
//!
//! A counting allocator wraps the system one; each function runs once to warm up (globset's
//! regex keeps a per-thread cache, created on first use) and is then called again while the
//! allocations made by this thread are counted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use bext_core::static_files::{
    CacheControlRules, Conditions, Encoding, FileMeta, choose_encoding, content_range,
    content_range_unsatisfiable, content_type, etag, evaluate, fast_path_ok, http_date,
    parse_http_date, parse_range,
};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so the
// `GlobalAlloc` contract holds exactly as it does for `System`. The counter is a const-initialised
// thread-local `Cell`, which never allocates, so counting cannot recurse into the allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        // SAFETY: forwarded unchanged; see the impl comment.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged; `ptr` came from `System` via `alloc`/`realloc` above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        // SAFETY: forwarded unchanged; see the impl comment.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` once to warm up, then asserts that a second run allocates nothing.
fn check(name: &str, mut f: impl FnMut()) {
    f();
    let before = ALLOCATIONS.with(Cell::get);
    f();
    let after = ALLOCATIONS.with(Cell::get);
    assert_eq!(after - before, 0, "{name} allocated");
}

#[test]
fn per_request_functions_do_not_allocate() {
    let meta = FileMeta {
        size: 1000,
        mtime_secs: 784_111_777,
        mtime_nanos: 0,
        inode: 7,
    };
    let tag = etag(&meta, Encoding::Brotli);
    let rules = CacheControlRules::new(&[("/assets/**", "immutable"), ("*.css", "max-age=60")]);
    let rules = rules.unwrap_or_else(|e| panic!("{e}"));
    let conditions = Conditions {
        if_none_match: Some(br#""a", W/"b", "c""#),
        if_modified_since: None,
        range: Some(b"bytes=10-99"),
        if_range: Some(b"Sun, 06 Nov 1994 08:49:37 GMT"),
    };
    let sink = |x: &[u8]| assert!(!x.is_empty());

    check("fast_path_ok", || {
        assert!(fast_path_ok(b"/assets/app.min.js"))
    });
    check("content_type", || {
        sink(content_type("a/b/index.html").as_bytes());
        sink(content_type("fonts/x.woff2").as_bytes());
    });
    check("choose_encoding", || {
        let header = b"gzip;q=0.8, deflate, br;q=0.9, *;q=0.1, identity;q=0.5";
        assert_eq!(choose_encoding(Some(header), true, true), Encoding::Brotli);
    });
    check("etag", || sink(etag(&meta, Encoding::Gzip).as_bytes()));
    check("http_date", || sink(http_date(1_700_000_000).as_bytes()));
    check("parse_http_date", || {
        assert!(parse_http_date(b"Sunday, 06-Nov-94 08:49:37 GMT").is_some());
    });
    check("parse_range", || {
        let _ = parse_range(b"bytes = 0-1, ,", 10);
    });
    check("evaluate", || {
        let selection = evaluate(true, &conditions, &tag, meta.mtime_secs, meta.size);
        assert!(matches!(
            selection,
            bext_core::static_files::Selection::Partial { .. }
        ));
    });
    check("content_range", || {
        sink(content_range(10, 99, 1000).as_bytes());
        sink(content_range_unsatisfiable(u64::MAX).as_bytes());
    });
    check("CacheControlRules::lookup", || {
        assert_eq!(rules.lookup("/a/b/site.css"), Some("max-age=60"));
        assert_eq!(rules.lookup("/nothing.js"), None);
    });
}
