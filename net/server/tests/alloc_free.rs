//! A small cached static file is answered without a single heap allocation: the whole
//! server runs in this process under a counting allocator, and after warm-up a thousand
//! keep-alive requests allocate nothing, in the shard or anywhere else.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bext_core::config::Config;
use bext_server::{Snapshot, launch};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const REQUEST: &[u8] =
    b"GET /small.txt HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n\r\n";

#[test]
fn cached_small_file_allocates_nothing_per_request() {
    let root = std::env::temp_dir().join(format!("bext-alloc-{}", std::process::id()));
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("small.txt"), b"Hello, bext!\n").unwrap();
    let mut config = Config::for_directory(root.clone());
    config.server.listen = vec!["127.0.0.1:0".parse().unwrap()];
    let snapshot = Arc::new(Snapshot::build(config).unwrap());
    let server = launch(snapshot, 1).unwrap();
    let mut client = TcpStream::connect(server.local_addrs[0]).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    client.set_nodelay(true).unwrap();
    let mut response = vec![0u8; 4096];

    let mut roundtrip = |client: &mut TcpStream| -> usize {
        client.write_all(REQUEST).unwrap();
        let mut got = 0;
        loop {
            let n = client.read(&mut response[got..]).unwrap();
            assert!(n > 0, "server closed the connection");
            got += n;
            if let Some(end) = response[..got].windows(4).position(|w| w == b"\r\n\r\n")
                && got >= end + 4 + 13
            {
                return got;
            }
        }
    };
    // Warm-up: the first request fills the file cache; the rest let pools and the ring settle.
    for _ in 0..200 {
        roundtrip(&mut client);
    }
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let mut last = 0;
    for _ in 0..1000 {
        last = roundtrip(&mut client);
    }
    let allocated = ALLOCATIONS.load(Ordering::SeqCst) - before;
    assert!(response[..last].starts_with(b"HTTP/1.1 200 OK\r\n"));
    assert!(response[..last].ends_with(b"\r\n\r\nHello, bext!\n"));
    if bext_shards::rt::BACKEND == "monoio" {
        assert_eq!(allocated, 0, "heap allocations during 1000 cached requests");
    } else {
        // FIXME(glommio): glommio allocates inside its own I/O sources (about 7 per request
        // here); the zero-allocation path is a property of the default backend. Assert that
        // the count stays bounded, so a leak-like regression in our code still shows.
        assert!(
            allocated < 20 * 1000,
            "{allocated} allocations for 1000 requests on {}",
            bext_shards::rt::BACKEND
        );
    }
    server.stop(Duration::from_secs(1)).unwrap();
    server.join().unwrap();
    let _ = std::fs::remove_dir_all(root);
}
