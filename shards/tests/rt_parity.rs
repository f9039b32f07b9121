//! Parity of the executor backends: the same tests run against whichever backend is compiled
//! in (`cargo test -p bext-shards` for monoio, `... --features glommio` for glommio), so both
//! are held to one behaviour of the portable surface in `bext_shards::rt`.
//!
//! Every test runs a real executor on the test's thread and talks over real loopback sockets
//! or real files; a plain std thread plays the peer where one is needed. Nothing asserts a
//! duration: waits are bounded by a generous deadline only so that a broken backend fails
//! instead of hanging the suite.
#![cfg(not(loom))]

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use bext_shards::rt::{self, Elapsed, RuntimeOptions};
use bext_shards::sys;
use bytes::Bytes;

/// The bound on every wait in this file: far beyond any healthy run, so that only a hang
/// reaches it.
const DEADLINE: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

/// Runs `body` to completion on a fresh executor on this thread.
fn on_shard<F, Fut>(body: F)
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = ()>,
{
    rt::run(RuntimeOptions::default(), |_started| body()).expect("the executor starts");
}

/// Awaits `future`, failing the test if it has not finished by the deadline.
async fn within<F: Future>(what: &str, future: F) -> F::Output {
    match rt::timeout(DEADLINE, future).await {
        Ok(output) => output,
        Err(Elapsed) => panic!("{what}: not done within {DEADLINE:?}"),
    }
}

/// Waits until `done()` holds, yielding to the shard's other tasks in between.
async fn until(what: &str, done: impl Fn() -> bool) {
    within(what, async {
        while !done() {
            rt::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
}

/// Runs `shard` on an executor with the server side of one loopback connection, while `peer`
/// drives the client side from a plain thread. Returns what `peer` returns.
fn with_peer<P, R, S, Fut>(peer: P, shard: S) -> R
where
    P: FnOnce(std::net::TcpStream) -> R + Send + 'static,
    R: Send + 'static,
    S: FnOnce(rt::TcpStream) -> Fut,
    Fut: Future<Output = ()>,
{
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("bound address");
    let peer_thread = thread::spawn(move || {
        let stream = std::net::TcpStream::connect(addr).expect("peer connects");
        stream
            .set_read_timeout(Some(DEADLINE))
            .expect("read timeout");
        stream
            .set_write_timeout(Some(DEADLINE))
            .expect("write timeout");
        peer(stream)
    });
    on_shard(|| async move {
        let listener = rt::TcpListener::from_std(listener).expect("listener adopted");
        let (stream, _peer) = within("accept", listener.accept()).await.expect("accept");
        shard(stream).await;
    });
    match peer_thread.join() {
        Ok(result) => result,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// `len` bytes that differ from their neighbours and from another `seed`'s, so a byte written
/// twice, skipped or out of order shows.
fn pattern(len: usize, seed: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 7 + seed) % 251) as u8).collect()
}

/// A vector holding `prefix`, with room for `capacity` bytes in all.
fn buffer(prefix: &[u8], capacity: usize) -> Vec<u8> {
    assert!(prefix.len() <= capacity);
    let mut buf = Vec::with_capacity(capacity);
    buf.extend_from_slice(prefix);
    buf
}

/// A scratch directory for one test, removed first if a previous run left it.
fn scratch_dir(test: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "bext-rt-parity-{test}-{}-{}",
        rt::BACKEND,
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

// ---------------------------------------------------------------------------------------------
// TcpStream::read
// ---------------------------------------------------------------------------------------------

/// The peer sends `sent`; the shard reads into a vector holding `prefix` with room for
/// `capacity` bytes until it is full or everything arrived. Checks that reads append between
/// `len` and `capacity`, never move or grow the vector, and hand the same vector back.
fn check_read_appends(prefix: &[u8], capacity: usize, sent: &'static [u8]) {
    with_peer(
        move |mut peer| {
            peer.write_all(sent).expect("peer writes");
            // Stay open until the shard has read: an early EOF is not what is tested here. The
            // shard may close with bytes unread, which resets the connection: not an error here.
            let _ = peer.read_to_end(&mut Vec::new());
        },
        |mut stream| async move {
            let mut buf = buffer(prefix, capacity);
            let capacity = buf.capacity();
            let address = buf.as_ptr();
            let want = (prefix.len() + sent.len()).min(capacity);
            while buf.len() < want {
                let before = buf.len();
                let (result, back) = within("read", stream.read(buf)).await;
                buf = back;
                let n = result.expect("read");
                assert!(n > 0, "EOF before the peer's bytes arrived");
                assert_eq!(buf.len(), before + n, "len grows by what was read");
                assert_eq!(buf.capacity(), capacity, "the vector never grows");
                assert_eq!(buf.as_ptr(), address, "the same vector is handed back");
            }
            let expect: Vec<u8> = prefix.iter().chain(sent).copied().take(want).collect();
            assert_eq!(buf, expect, "prefix {prefix:?}, capacity {capacity}");
        },
    );
}

#[test]
fn read_appends_between_len_and_capacity() {
    check_read_appends(b"", 16, b"hello");
    check_read_appends(b"ab", 16, b"hello");
    check_read_appends(b"ab", 7, b"hello");
    // Room for less than was sent: the read stops at capacity.
    check_read_appends(b"ab", 4, b"hello");
    check_read_appends(b"", 1, b"hello");
}

/// A vector with `len == capacity` has nowhere to read into: `Ok(0)` at once, the vector
/// untouched, and the bytes waiting in the socket are still there for the next read.
#[test]
fn read_with_no_spare_capacity_returns_zero_and_consumes_nothing() {
    with_peer(
        |mut peer| {
            peer.write_all(b"waiting").expect("peer writes");
            let _ = peer.read_to_end(&mut Vec::new());
        },
        |mut stream| async move {
            for full in [buffer(b"", 0), buffer(b"full", 4)] {
                let before = full.clone();
                let (result, back) = within("read into a full vector", stream.read(full)).await;
                assert_eq!(result.expect("read"), 0);
                assert_eq!(back, before, "the vector is handed back unchanged");
            }
            let mut buf = buffer(b"", 64);
            while buf.len() < b"waiting".len() {
                let (result, back) = within("read", stream.read(buf)).await;
                buf = back;
                assert!(result.expect("read") > 0, "EOF before the peer's bytes");
            }
            assert_eq!(buf, b"waiting");
        },
    );
}

// ---------------------------------------------------------------------------------------------
// TcpStream::write_all, write_all_gathered
// ---------------------------------------------------------------------------------------------

/// How the peer reads what the shard writes.
#[derive(Clone, Copy, Debug)]
enum PeerPace {
    /// As fast as it can.
    Eager,
    /// 64 KiB at a time with a pause after each: the socket buffers fill up, so the shard's
    /// writes complete partially and must be resumed where they stopped.
    Slow,
}

const SLOW_READ_BYTES: usize = 64 * 1024;
const SLOW_READ_PAUSE: Duration = Duration::from_millis(1);

/// Reads until EOF at `pace`.
fn read_to_eof(mut peer: std::net::TcpStream, pace: PeerPace) -> Vec<u8> {
    let mut received = Vec::new();
    match pace {
        PeerPace::Eager => {
            peer.read_to_end(&mut received).expect("peer reads to EOF");
        }
        PeerPace::Slow => {
            let mut chunk = vec![0u8; SLOW_READ_BYTES];
            loop {
                let n = peer.read(&mut chunk).expect("peer reads");
                if n == 0 {
                    break;
                }
                received.extend_from_slice(&chunk[..n]);
                thread::sleep(SLOW_READ_PAUSE);
            }
        }
    }
    received
}

/// The shard writes `len` bytes with `write_all` and closes; the peer must receive exactly
/// them, and the shard must get its vector back.
fn check_write_all(len: usize, pace: PeerPace) {
    let sent = pattern(len, 1);
    let expect = sent.clone();
    let received = with_peer(
        move |peer| read_to_eof(peer, pace),
        |mut stream| async move {
            let (result, back) = within("write_all", stream.write_all(sent)).await;
            result.expect("write_all");
            assert_eq!(back, pattern(len, 1), "the vector is handed back intact");
            within("shutdown_write", stream.shutdown_write())
                .await
                .expect("shutdown_write");
        },
    );
    assert!(
        received == expect,
        "{len} bytes at {pace:?}: peer got {} bytes, not the ones sent",
        received.len()
    );
}

#[test]
fn write_all_delivers_every_byte() {
    check_write_all(0, PeerPace::Eager);
    check_write_all(1, PeerPace::Eager);
    check_write_all(1000, PeerPace::Eager);
    check_write_all(1024 * 1024, PeerPace::Eager);
    check_write_all(8 * 1024 * 1024, PeerPace::Slow);
}

/// A split stream reads and writes at once: the reader's read is in flight (the peer sends
/// nothing until it has the whole of what the writer sends), the writer sends 4 MiB meanwhile,
/// and only then does the peer answer, which the pending read receives.
#[test]
fn split_halves_write_while_a_read_is_pending() {
    const LEN: usize = 4 * 1024 * 1024;
    let answer = with_peer(
        |mut peer| {
            let mut got = vec![0u8; LEN];
            peer.read_exact(&mut got)
                .expect("peer reads what the writer sent");
            assert!(got == pattern(LEN, 3), "the writer's bytes arrive intact");
            peer.write_all(b"answered").expect("peer answers");
            let mut rest = Vec::new();
            peer.read_to_end(&mut rest).expect("peer reads to EOF");
            rest
        },
        |stream| async move {
            let (mut reader, mut writer) = stream.into_split();
            let read_done = Rc::new(Cell::new(false));
            let reading = {
                let read_done = read_done.clone();
                async move {
                    let (result, got) = within("split read", reader.read(buffer(b"", 64))).await;
                    assert_eq!(result.expect("split read"), 8);
                    assert_eq!(got, b"answered");
                    read_done.set(true);
                }
            };
            let writing = async {
                let (result, _) = within("split write", writer.write_all(pattern(LEN, 3))).await;
                result.expect("split write");
                until("the answer", || read_done.get()).await;
                within("split shutdown", writer.shutdown_write())
                    .await
                    .expect("split shutdown");
            };
            zip(reading, writing).await;
        },
    );
    assert!(answer.is_empty(), "nothing more after the shutdown");
}

/// Polls both futures to completion on this task.
async fn zip(a: impl Future<Output = ()>, b: impl Future<Output = ()>) {
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    let (mut a_done, mut b_done) = (false, false);
    std::future::poll_fn(|cx| {
        if !a_done {
            a_done = a.as_mut().poll(cx).is_ready();
        }
        if !b_done {
            b_done = b.as_mut().poll(cx).is_ready();
        }
        if a_done && b_done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await
}

/// The shard writes a `head_len` head and a `body_len` body with `write_all_gathered`; the peer
/// must receive the head then the body, and the shard must get its head vector back.
fn check_write_all_gathered(head_len: usize, body_len: usize, pace: PeerPace) {
    let head = pattern(head_len, 2);
    let body = Bytes::from(pattern(body_len, 3));
    let mut expect = head.clone();
    expect.extend_from_slice(&body);
    let received = with_peer(
        move |peer| read_to_eof(peer, pace),
        |mut stream| async move {
            let (result, back) =
                within("write_all_gathered", stream.write_all_gathered(head, body)).await;
            result.expect("write_all_gathered");
            assert_eq!(back, pattern(head_len, 2), "the head is handed back intact");
            within("shutdown_write", stream.shutdown_write())
                .await
                .expect("shutdown_write");
        },
    );
    assert!(
        received == expect,
        "head {head_len} + body {body_len} at {pace:?}: peer got {} bytes, not the ones sent",
        received.len()
    );
}

#[test]
fn write_all_gathered_sends_head_then_body() {
    check_write_all_gathered(0, 0, PeerPace::Eager);
    check_write_all_gathered(10, 0, PeerPace::Eager);
    check_write_all_gathered(0, 10, PeerPace::Eager);
    check_write_all_gathered(200, 1024 * 1024, PeerPace::Eager);
}

/// More than loopback's socket buffers hold (send 4 MiB + receive 6 MiB at most by default), to
/// a peer that reads slowly: the gathered write completes in several parts, first inside the
/// head and then inside the body, and each must resume exactly where the last one stopped.
#[test]
fn write_all_gathered_resumes_partial_writes_to_a_slow_peer() {
    check_write_all_gathered(200, 16 * 1024 * 1024, PeerPace::Slow);
    check_write_all_gathered(12 * 1024 * 1024, 6 * 1024 * 1024, PeerPace::Slow);
}

// ---------------------------------------------------------------------------------------------
// File::read_at
// ---------------------------------------------------------------------------------------------

const FILE_BYTES: usize = 10_000;

/// One `read_at(buffer(prefix_len bytes, capacity), offset)` on a `FILE_BYTES` file; expects
/// `expect_n` bytes, appended after the prefix.
struct ReadAtCase {
    prefix_len: usize,
    capacity: usize,
    offset: u64,
    expect_n: usize,
}

#[test]
fn file_read_at_appends_from_the_offset_and_stops_at_eof() {
    let cases = [
        ReadAtCase {
            prefix_len: 0,
            capacity: 100,
            offset: 0,
            expect_n: 100,
        },
        ReadAtCase {
            prefix_len: 5,
            capacity: 100,
            offset: 0,
            expect_n: 95,
        },
        ReadAtCase {
            prefix_len: 0,
            capacity: 100,
            offset: 4321,
            expect_n: 100,
        },
        // The whole file into a larger vector: the read ends at EOF.
        ReadAtCase {
            prefix_len: 3,
            capacity: 20_000,
            offset: 0,
            expect_n: FILE_BYTES,
        },
        // Across EOF, at EOF, past EOF.
        ReadAtCase {
            prefix_len: 0,
            capacity: 100,
            offset: 9_950,
            expect_n: 50,
        },
        ReadAtCase {
            prefix_len: 0,
            capacity: 100,
            offset: 10_000,
            expect_n: 0,
        },
        ReadAtCase {
            prefix_len: 7,
            capacity: 100,
            offset: 1_000_000,
            expect_n: 0,
        },
        // No spare capacity: nothing is read.
        ReadAtCase {
            prefix_len: 100,
            capacity: 100,
            offset: 0,
            expect_n: 0,
        },
        ReadAtCase {
            prefix_len: 0,
            capacity: 0,
            offset: 0,
            expect_n: 0,
        },
    ];
    let dir = scratch_dir("read-at");
    let content = pattern(FILE_BYTES, 4);
    std::fs::write(dir.join("file.bin"), &content).expect("write the file");
    // Opened the way bext opens files: beneath a root descriptor, never by path.
    let root = sys::open_root(&dir).expect("open the root");
    on_shard(|| async {
        for case in &cases {
            let std_file = sys::open_beneath(&root, "file.bin").expect("open beneath");
            let file = rt::File::from_std(std_file).expect("file adopted");
            let prefix = pattern(case.prefix_len, 5);
            let buf = buffer(&prefix, case.capacity);
            let capacity = buf.capacity();
            let (result, buf) = within("read_at", file.read_at(buf, case.offset)).await;
            let n = result.expect("read_at");
            let at = format!(
                "prefix {} capacity {} offset {}",
                case.prefix_len, case.capacity, case.offset
            );
            assert_eq!(n, case.expect_n, "{at}");
            assert_eq!(buf.capacity(), capacity, "{at}: the vector never grows");
            assert_eq!(&buf[..case.prefix_len], &prefix[..], "{at}: prefix intact");
            let from = usize::try_from(case.offset)
                .unwrap_or(usize::MAX)
                .min(FILE_BYTES);
            assert_eq!(
                &buf[case.prefix_len..],
                &content[from..from + n],
                "{at}: the file's bytes"
            );
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
}

/// Regression: glommio's `read_at` was a blocking `pread` on the shard thread, so a read that
/// waited (a slow disk) stalled every task of the shard. Here a FIFO stands in for the slow
/// disk: its read completes only when another task *of the same shard* writes into it, which
/// a read that blocks the thread never lets happen. (A blocking `pread` on a FIFO fails at once
/// with ESPIPE instead; either way the old code fails this test.) A watchdog thread unblocks a
/// stuck shard after the deadline, so a regression fails rather than hangs.
#[test]
fn file_read_at_that_waits_lets_the_shard_run_its_other_tasks() {
    let dir = scratch_dir("fifo");
    let fifo = dir.join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo {}", fifo.display());
    // Read-write, so that neither open waits for the other end.
    let reader = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&fifo)
        .expect("open the FIFO");
    let mut writer = std::fs::OpenOptions::new()
        .write(true)
        .open(&fifo)
        .expect("open the FIFO for writing");
    let mut watchdog_writer = writer.try_clone().expect("clone the writer");
    let (finished, watch) = mpsc::channel::<()>();
    let watchdog = thread::spawn(move || {
        if watch.recv_timeout(DEADLINE) == Err(mpsc::RecvTimeoutError::Timeout) {
            let _ = watchdog_writer.write_all(b"watchdog");
        }
    });
    const MESSAGE: &[u8] = b"written by a sibling task";
    let sibling_ran = Rc::new(Cell::new(false));
    on_shard(|| async {
        let file = rt::File::from_std(reader).expect("file adopted");
        let flag = sibling_ran.clone();
        rt::spawn(async move {
            // Let the read be submitted first.
            rt::sleep(Duration::from_millis(1)).await;
            flag.set(true);
            writer.write_all(MESSAGE).expect("write into the FIFO");
        });
        let (result, buf) = within("read_at", file.read_at(buffer(b"", 64), 0)).await;
        assert_eq!(result.expect("read_at on a FIFO"), MESSAGE.len());
        assert_eq!(
            buf, MESSAGE,
            "the read blocked the shard until the watchdog wrote"
        );
    });
    assert!(sibling_ran.get());
    drop(finished);
    watchdog.join().expect("watchdog");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// Timers and tasks
// ---------------------------------------------------------------------------------------------

/// What a [`rt::timeout`] wraps.
#[derive(Clone, Copy, Debug)]
enum Work {
    Ready,
    Sleep(Duration),
    Never,
}

/// `timeout(limit, work)` gives `Ok(work's output)` or `Err(Elapsed)` as `expect_fires` says.
fn check_timeout(limit: Duration, work: Work, expect_fires: bool) {
    on_shard(|| async move {
        let outcome = rt::timeout(limit, async move {
            match work {
                Work::Ready => {}
                Work::Sleep(duration) => rt::sleep(duration).await,
                Work::Never => std::future::pending::<()>().await,
            }
            7
        })
        .await;
        let expect = if expect_fires { Err(Elapsed) } else { Ok(7) };
        assert_eq!(outcome, expect, "timeout {limit:?} around {work:?}");
    });
}

#[test]
fn timeout_fires_only_when_the_work_outlives_it() {
    check_timeout(Duration::from_millis(10), Work::Never, true);
    check_timeout(Duration::ZERO, Work::Never, true);
    check_timeout(Duration::from_millis(10), Work::Sleep(DEADLINE * 10), true);
    check_timeout(DEADLINE, Work::Ready, false);
    check_timeout(Duration::ZERO, Work::Ready, false);
    check_timeout(DEADLINE, Work::Sleep(Duration::from_millis(1)), false);
}

/// Spawned tasks run while the spawning task sleeps, each finishing its own sleep.
#[test]
fn sleep_and_spawn_run_tasks_side_by_side() {
    const TASKS: u32 = 8;
    on_shard(|| async {
        let finished = Rc::new(RefCell::new(Vec::new()));
        for task in 0..TASKS {
            let finished = finished.clone();
            rt::spawn(async move {
                rt::sleep(Duration::from_millis(u64::from(task))).await;
                finished.borrow_mut().push(task);
            });
        }
        rt::sleep(Duration::ZERO).await;
        until("every spawned task", || {
            finished.borrow().len() == TASKS as usize
        })
        .await;
        let mut seen = finished.borrow().clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..TASKS).collect::<Vec<_>>());
    });
}

// ---------------------------------------------------------------------------------------------
// Connections
// ---------------------------------------------------------------------------------------------

/// `connect` reaches `accept` on loopback, and bytes flow both ways.
fn check_connect_accept(bind: &str) {
    let std_listener = match std::net::TcpListener::bind(bind) {
        Ok(listener) => listener,
        Err(error) => {
            // An IPv6-less sandbox: nothing to test on this address family.
            eprintln!("{bind}: cannot bind ({error}), not tested here");
            return;
        }
    };
    let addr = std_listener.local_addr().expect("bound address");
    on_shard(|| async move {
        let listener = rt::TcpListener::from_std(std_listener).expect("listener adopted");
        let mut client = within("connect", rt::TcpStream::connect(addr))
            .await
            .expect("connect");
        let (mut server, peer) = within("accept", listener.accept()).await.expect("accept");
        assert_eq!(peer.ip(), addr.ip(), "the peer is the loopback client");
        assert_ne!(peer.port(), addr.port());
        send_and_receive(&mut client, &mut server, b"ping").await;
        send_and_receive(&mut server, &mut client, b"pong").await;
    });
}

/// `from` writes `what`; `to` reads until it has it all.
async fn send_and_receive(from: &mut rt::TcpStream, to: &mut rt::TcpStream, what: &[u8]) {
    let (result, _) = within("write", from.write_all(what.to_vec())).await;
    result.expect("write");
    let mut buf = buffer(b"", 16);
    while buf.len() < what.len() {
        let (result, back) = within("read", to.read(buf)).await;
        buf = back;
        assert!(result.expect("read") > 0, "EOF before {what:?}");
    }
    assert_eq!(buf, what);
}

#[test]
fn connect_and_accept_on_loopback() {
    check_connect_accept("127.0.0.1:0");
    check_connect_accept("[::1]:0");
}

#[test]
fn connect_to_a_closed_port_is_refused() {
    // A port that was just free: bind, note it, let go.
    let addr: SocketAddr = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port");
    on_shard(|| async move {
        let result = within("connect", rt::TcpStream::connect(addr)).await;
        let error = result.err().expect("nobody listens there");
        assert_eq!(error.kind(), std::io::ErrorKind::ConnectionRefused);
    });
}

/// After `shutdown_write` the peer reads EOF, yet can still answer on its half, and the shard
/// reads that answer and then the peer's own EOF as `Ok(0)`.
#[test]
fn shutdown_write_gives_the_peer_eof_and_keeps_the_read_half() {
    let peer_saw = with_peer(
        |mut peer| {
            let mut received = Vec::new();
            peer.read_to_end(&mut received).expect("peer reads to EOF");
            peer.write_all(b"answer").expect("peer writes on its half");
            peer.shutdown(std::net::Shutdown::Write)
                .expect("peer shuts down");
            received
        },
        |mut stream| async move {
            let (result, _) = within("write", stream.write_all(b"last words".to_vec())).await;
            result.expect("write");
            within("shutdown_write", stream.shutdown_write())
                .await
                .expect("shutdown_write");
            let mut buf = buffer(b"", 64);
            loop {
                let (result, back) = within("read", stream.read(buf)).await;
                buf = back;
                if result.expect("read") == 0 {
                    break;
                }
            }
            assert_eq!(buf, b"answer", "then EOF as Ok(0)");
        },
    );
    assert_eq!(peer_saw, b"last words");
}

#[test]
fn set_nodelay_on_both_ends() {
    with_peer(
        |_peer| {},
        |stream| async move {
            stream.set_nodelay(true).expect("nodelay on");
            stream.set_nodelay(false).expect("nodelay off");
        },
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("bound address");
    on_shard(|| async move {
        let client = within("connect", rt::TcpStream::connect(addr))
            .await
            .expect("connect");
        client
            .set_nodelay(true)
            .expect("nodelay on a connected stream");
        drop(listener);
    });
}

#[test]
fn udp_datagrams_come_in_whole_with_their_sender_and_go_back_out() {
    let cpus = [sys::current_cpu().unwrap_or(0)];
    let group = sys::bind_reuseport_udp_group("127.0.0.1:0".parse().unwrap(), &cpus, 1 << 20)
        .expect("a UDP group of one");
    let server = group.into_iter().next().expect("one socket");
    let server_addr = server.local_addr().unwrap();
    let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(DEADLINE)).unwrap();
    let peer_addr = peer.local_addr().unwrap();
    let echoed = Rc::new(Cell::new(0usize));
    let seen = echoed.clone();
    let client = thread::spawn(move || {
        let mut buf = [0u8; 2048];
        let mut back = Vec::new();
        for size in [1usize, 1200, 1500] {
            let datagram = vec![size as u8; size];
            peer.send_to(&datagram, server_addr).unwrap();
            let (n, from) = peer.recv_from(&mut buf).unwrap();
            assert_eq!(from, server_addr);
            back.push(buf[..n].to_vec());
        }
        back
    });
    on_shard(|| async move {
        let socket = rt::UdpSocket::from_std(server).expect("adopted");
        assert_eq!(socket.local_addr().unwrap(), server_addr);
        // A buffer with nothing spare cannot take a datagram: refused, not read in part.
        let (full, _) = socket.recv_from(Vec::new()).await;
        assert!(full.is_err());
        let mut buf = Vec::with_capacity(65_535);
        for _ in 0..3 {
            buf.clear();
            let (got, back) = within("a datagram", socket.recv_from(buf)).await;
            buf = back;
            let (n, from) = got.expect("received");
            assert_eq!((n, from), (buf.len(), peer_addr));
            let (sent, _) = socket.send_to(buf.clone(), from).await;
            assert_eq!(sent.expect("sent"), n);
            seen.set(seen.get() + 1);
        }
    });
    let back = client.join().expect("the peer thread");
    assert_eq!(echoed.get(), 3);
    let sizes: Vec<usize> = back.iter().map(Vec::len).collect();
    assert_eq!(sizes, [1, 1200, 1500]);
    assert!(back[1].iter().all(|&b| b == 1200u32 as u8));
}
