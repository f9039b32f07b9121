//! `bext-wsload`: WebSocket round trips, closed loop, for the `proxy` scenario.
//!
//! ```text
//! bext-wsload --connect 127.0.0.1:8080 [--path /] [--connections 50] [--duration-secs 5]
//!             [--message-bytes 64] [--cpu 1]
//! ```
//!
//! It opens every connection and completes its handshake first (the handshake is not what is
//! measured), then each connection sends one binary message, waits for its echo whole and
//! unchanged, records the time from the write to the echo's last byte, and sends again, until
//! the duration is over. One message in flight per connection, as a chat or a game client
//! has, so round trips per second is what the path can turn around at that concurrency, and
//! the percentiles are each round trip's own time (closed loop: a stall delays the next
//! message instead of queueing it, which is what such a client does too).
//!
//! It runs on bext's own runtime (`bext_shards::rt::default_backend`, io_uring) pinned to one
//! CPU, as `bext-loadgen` does, because it shares that CPU with the echo upstream and must
//! not be the bottleneck: each message is encoded once per connection and the same bytes are
//! written every time, reads go into one buffer per connection, and nothing is allocated per
//! round trip.

#![forbid(unsafe_code)]

#[path = "../plain_ring.rs"]
mod plain_ring;

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use bext_bench::loadgen::histogram::Latencies;
use bext_bench::ws::echo::check_echo;
use bext_bench::ws::frame::{self, Kind};
use bext_bench::ws::handshake;
use bext_bench::ws::load::{self, Args, Summary};
use bext_shards::rt::default_backend::{self as rt, TcpStream};
use bext_shards::sys;

/// One read holds a whole echo of the scenario's messages; larger ones take several.
const READ_BUFFER_BYTES: usize = 16 * 1024;

fn main() -> ExitCode {
    let args = match load::parse(std::env::args_os().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("bext-wsload: {message}\n{}", load::USAGE);
            return ExitCode::from(2);
        }
    };
    if let Err(error) = sys::pin_current_thread(args.cpu) {
        eprintln!("bext-wsload: cannot pin to CPU {}: {error}", args.cpu);
        return ExitCode::FAILURE;
    }
    if let Err(error) = sys::raise_nofile_limit() {
        eprintln!("bext-wsload: cannot raise the open-file limit: {error}");
    }
    let outcome = plain_ring::run(move || run(args));
    match outcome.and_then(|summary| {
        serde_json::to_string(&summary).map_err(|error| format!("serializing: {error}"))
    }) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("bext-wsload: {message}");
            ExitCode::FAILURE
        }
    }
}

/// What the connections share; the runtime is single-threaded, so a `RefCell` suffices.
struct Shared {
    latencies: Latencies,
    round_trips: u64,
    last_echo: Option<Instant>,
    failed: u32,
    first_error: Option<String>,
    running: u32,
    main: Option<Waker>,
}

async fn run(args: Args) -> Result<Summary, String> {
    let host = args.connect.to_string();
    let mut streams = Vec::with_capacity(args.connections as usize);
    for index in 0..args.connections {
        let stream = open(&args, &host)
            .await
            .map_err(|error| format!("connection #{index} to {host}: {error}"))?;
        streams.push(stream);
    }
    let payload: Vec<u8> = (0..args.message_bytes).map(|i| i as u8).collect();
    let shared = Rc::new(RefCell::new(Shared {
        latencies: Latencies::new(),
        round_trips: 0,
        last_echo: None,
        failed: 0,
        first_error: None,
        running: args.connections,
        main: None,
    }));
    let start = Instant::now();
    let deadline = start + std::time::Duration::from_secs(u64::from(args.duration_secs));
    for (index, stream) in streams.into_iter().enumerate() {
        let mut message = Vec::new();
        frame::encode(
            Kind::Binary,
            &payload,
            Some(frame::new_mask()),
            &mut message,
        );
        let shared = shared.clone();
        let payload = payload.clone();
        rt::spawn(async move {
            let outcome = round_trips(stream, message, &payload, deadline, &shared).await;
            let mut shared = shared.borrow_mut();
            if let Err(error) = outcome {
                shared.failed += 1;
                shared
                    .first_error
                    .get_or_insert(format!("connection #{index}: {error}"));
            }
            shared.running -= 1;
            if shared.running == 0
                && let Some(main) = shared.main.take()
            {
                main.wake();
            }
        });
    }
    AllDone(shared.clone()).await;
    let shared = shared.borrow();
    let elapsed_secs = shared
        .last_echo
        .map_or(0.0, |last| last.duration_since(start).as_secs_f64());
    Ok(load::summarize(
        &args,
        shared.round_trips,
        elapsed_secs,
        shared.failed,
        shared.first_error.clone(),
        &shared.latencies.percentiles(),
    ))
}

/// A connection with its handshake done.
async fn open(args: &Args, host: &str) -> Result<TcpStream, String> {
    let mut stream = TcpStream::connect(args.connect)
        .await
        .map_err(|error| format!("connect: {error}"))?;
    // Messages go out whole and at once.
    let _ = stream.set_nodelay(true);
    let key = handshake::new_key();
    let (written, _) = stream
        .write_all(handshake::request(host, &args.path, &key))
        .await;
    written.map_err(|error| format!("writing the upgrade request: {error}"))?;
    let mut head = Vec::new();
    let mut buffer = Vec::with_capacity(READ_BUFFER_BYTES);
    loop {
        buffer.clear();
        let (read, returned) = stream.read(buffer).await;
        buffer = returned;
        match read {
            Ok(0) => return Err("closed before answering the upgrade".to_string()),
            Err(error) => return Err(format!("reading the upgrade's answer: {error}")),
            Ok(bytes) => head.extend_from_slice(&buffer[..bytes]),
        }
        if let Some(head_bytes) = handshake::check_response(&head, &key)? {
            if head.len() > head_bytes {
                return Err("frames after the 101 that nothing asked for".to_string());
            }
            return Ok(stream);
        }
    }
}

/// One connection's loop: send, await the echo, record, until `deadline`.
async fn round_trips(
    mut stream: TcpStream,
    mut message: Vec<u8>,
    payload: &[u8],
    deadline: Instant,
    shared: &RefCell<Shared>,
) -> Result<(), String> {
    let mut buffer = Vec::with_capacity(READ_BUFFER_BYTES);
    let mut input = Vec::with_capacity(READ_BUFFER_BYTES);
    loop {
        let sent = Instant::now();
        if sent >= deadline {
            return Ok(());
        }
        let (written, returned) = stream.write_all(message).await;
        message = returned;
        written.map_err(|error| format!("write: {error}"))?;
        input.clear();
        loop {
            buffer.clear();
            let (read, returned) = stream.read(buffer).await;
            buffer = returned;
            match read {
                Ok(0) => return Err("closed mid-run".to_string()),
                Err(error) => return Err(format!("read: {error}")),
                Ok(bytes) => input.extend_from_slice(&buffer[..bytes]),
            }
            if check_echo(&input, payload)?.is_some() {
                break;
            }
        }
        let now = Instant::now();
        let mut shared = shared.borrow_mut();
        shared.round_trips += 1;
        shared
            .latencies
            .record_ns(u64::try_from((now - sent).as_nanos()).unwrap_or(u64::MAX));
        shared.last_echo = Some(now);
    }
}

/// Ready when every connection's task has ended.
struct AllDone(Rc<RefCell<Shared>>);

impl Future for AllDone {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut shared = self.0.borrow_mut();
        if shared.running == 0 {
            return Poll::Ready(());
        }
        shared.main = Some(cx.waker().clone());
        Poll::Pending
    }
}
