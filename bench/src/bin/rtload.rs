//! `bext-rtload`: SSE fan-out, for the `realtime` scenario: many subscribers to one topic, one
//! publisher, delivery latency and delivered messages per second.
//!
//! ```text
//! bext-rtload --connect 127.0.0.1:8080 --token PUBLISH_TOKEN [--topic bench] [--ws]
//!             [--subscribers 10000] [--publish-rate EVENTS_PER_SEC | --window 64]
//!             [--duration-secs 5] [--warmup-secs 0] [--server-pid PID] [--cpu 1]
//! ```
//!
//! It opens every subscriber (`GET /__bext/realtime/sse?topics=T`, or with `--ws` a WebSocket
//! to `/__bext/realtime/ws?topics=T` whose events are JSON text messages, a few hundred subscribes
//! in flight at a time so a server's accept backlog never overflows) and waits until each
//! stream has sent its first bytes; only then does it publish, over one keep-alive connection
//! whose answers a task of their own reads, so requests are pipelined when several are due.
//! Each event's data is its send time (nanoseconds since the generator started); each
//! subscriber reads its stream ([`bext_bench::sse::stream`]), reads the clock once per read
//! and records now − send time for every event in it into one HDR histogram.
//!
//! Two ways to publish:
//!
//! - **Saturating** (`--publish-rate 0`): as fast as delivery allows, with at most `--window`
//!   events per subscriber published but not yet delivered (counted over all subscribers
//!   together, so checking costs a subtraction per read). Bounding what is undelivered,
//!   rather than the publishes awaiting their 202, keeps every subscriber's queue in the
//!   server far below its eviction bound: a 202 says the event is on its way, not delivered,
//!   so a publisher paced by its 202s outruns the fan-out and measures evictions. Nothing
//!   else bounds it: publishes pipeline on its connection up to the window, so the hub's
//!   fan-out, not the publisher's round trips, sets the pace.
//! - **Fixed rate** (open loop): event k is due k / rate seconds after publishing starts; the
//!   publisher sleeps on the runtime's timer (millisecond granularity) and sends every event
//!   that is due, whatever has been delivered. Send times are taken at the write, so the
//!   timer's jitter moves when events go out, never what their latency reads.
//!
//! Events published during `--warmup-secs` are delivered but not counted. The measured window
//! runs from the warm-up's end to the last publish; then the generator waits for the
//! window's events to reach every subscriber (at a fixed rate at most `DRAIN_DEADLINE_MS`;
//! saturating, until that long passes without a delivery or an answer), and counts those
//! that never did as lost. Over the window it reads the server's CPU time
//! (`/proc/<server-pid>/stat`), its own, and how busy both CPUs were, so the harness need not
//! guess which side was the limit.
//!
//! It runs on bext's own runtime (io_uring) pinned to one CPU, as `bext-loadgen` and
//! `bext-wsload` do; reads go into one buffer per subscriber and nothing is allocated per
//! event.

#![forbid(unsafe_code)]

#[path = "../plain_ring.rs"]
mod plain_ring;

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use bext_bench::loadgen::histogram::Latencies;
use bext_bench::proc_stat::{self, CoreTicks};
use bext_bench::sse::load::{self, Args, Counts, CpuUse, Summary};
use bext_bench::sse::publish::{self, Replies};
use bext_bench::sse::stream::{Fed, SseReader};
use bext_bench::sse::ws::WsReader;
use bext_bench::sse::{SSE_PATH, WS_PATH};
use bext_bench::ws::handshake;
// `into_split`'s halves are not named by `default_backend`; the tasks that own them are
// written inline where their types are inferred.
use bext_shards::rt::default_backend::{self as rt, TcpStream};
use bext_shards::sys;

/// One subscriber's read buffer: a few hundred events of the scenario's size.
const READ_BUFFER_BYTES: usize = 8 * 1024;
/// The publisher's read buffer (answers are ~150 bytes each).
const PUBLISH_READ_BUFFER_BYTES: usize = 64 * 1024;
/// Subscribes sent but not yet streaming, at most: below any accept backlog (Node's 511).
const SUBSCRIBES_IN_FLIGHT_MAX: u32 = 256;
/// From the first connect to every stream live.
const SUBSCRIBE_DEADLINE_MS: u64 = 60_000;
/// Publishes in one write, at most.
const PUBLISH_BATCH_MAX: u64 = 64;
/// Publishes written but not yet answered, at most, at a fixed rate. A saturating publisher
/// has no bound of its own on them: the window bounds what it has in flight.
const PUBLISHES_UNANSWERED_MAX: u64 = 1_024;
/// After the last publish, how long the window's events are waited for: at a fixed rate, in
/// all; when saturating, since the last delivery or answer (a hub that fans an event out
/// before its 202, as the Node hub does at about 0.1 s per event with 10,000 subscribers,
/// may owe a window's worth of publishes, and is still delivering them).
const DRAIN_DEADLINE_MS: u64 = 3_000;
/// How often the main task looks at the clock and the counts.
const TICK_MS: u64 = 1;

fn main() -> ExitCode {
    let args = match load::parse(std::env::args_os().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("bext-rtload: {message}\n{}", load::USAGE);
            return ExitCode::from(2);
        }
    };
    if let Err(error) = sys::pin_current_thread(args.cpu) {
        eprintln!("bext-rtload: cannot pin to CPU {}: {error}", args.cpu);
        return ExitCode::FAILURE;
    }
    if let Err(error) = sys::raise_nofile_limit() {
        eprintln!("bext-rtload: cannot raise the open-file limit: {error}");
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
            eprintln!("bext-rtload: {message}");
            ExitCode::FAILURE
        }
    }
}

/// What the tasks share; the runtime is single-threaded, so a `RefCell` suffices.
struct Shared {
    start: Instant,
    window: u64,
    /// Streams that have sent their first bytes and are still open.
    live: u64,
    evicted: u32,
    failed: u32,
    first_error: Option<String>,
    /// Every delivery to a live subscriber (a subscriber that ends takes its count away).
    delivered_live: u64,
    /// Events written by the publisher.
    sent: u64,
    /// Index of the first event of the measured window (`u64::MAX` until it starts).
    window_first: u64,
    /// Deliveries of the window's events.
    window_received: u64,
    /// Deliveries that arrived inside the window.
    in_window: u64,
    latencies: Latencies,
    /// Measured window, ns since `start`: `[warmup_ns, end_ns)`; both `u64::MAX` until
    /// publishing starts.
    warmup_ns: u64,
    end_ns: u64,
    replies: Replies,
    /// The publisher, waiting for room in the window.
    publisher: Option<Waker>,
}

impl Shared {
    fn now_ns(&self) -> u64 {
        elapsed_ns(self.start)
    }

    /// Events the saturating publisher may send now: what keeps every live subscriber within
    /// `window` undelivered events, on average.
    fn room(&self) -> u64 {
        let live = self.live.max(1);
        let outstanding = (self.sent * live).saturating_sub(self.delivered_live);
        (self.window * live).saturating_sub(outstanding) / live
    }

    /// Wakes the publisher if it waits and may send.
    fn wake_publisher(&mut self) {
        if self.publisher.is_some()
            && self.room() > 0
            && let Some(waker) = self.publisher.take()
        {
            waker.wake();
        }
    }

    /// A subscriber's stream ended: its deliveries leave the window's accounting.
    fn subscriber_ended(&mut self, delivered: u64, streaming: bool) {
        if streaming {
            self.live -= 1;
            self.delivered_live -= delivered;
        }
        self.wake_publisher();
    }

    fn fail(&mut self, error: String) {
        self.failed += 1;
        self.first_error.get_or_insert(error);
    }
}

async fn run(args: Args) -> Result<Summary, String> {
    let host = args.connect.to_string();
    let shared = Rc::new(RefCell::new(Shared {
        start: Instant::now(),
        window: u64::from(args.window),
        live: 0,
        evicted: 0,
        failed: 0,
        first_error: None,
        delivered_live: 0,
        sent: 0,
        window_first: u64::MAX,
        window_received: 0,
        in_window: 0,
        latencies: Latencies::new(),
        warmup_ns: u64::MAX,
        end_ns: u64::MAX,
        replies: Replies::default(),
        publisher: None,
    }));
    let subscribe_ms = subscribe_all(&args, &host, &shared).await?;
    let publisher = TcpStream::connect(args.connect)
        .await
        .map_err(|error| format!("the publisher's connection to {host}: {error}"))?;
    let _ = publisher.set_nodelay(true);
    let (reader, writer) = publisher.into_split();
    {
        let mut shared = shared.borrow_mut();
        let now = shared.now_ns();
        shared.warmup_ns = now + u64::from(args.warmup_secs) * 1_000_000_000;
        shared.end_ns = shared.warmup_ns + u64::from(args.duration_secs) * 1_000_000_000;
    }
    {
        // The answers, read for as long as the connection is open.
        let shared = shared.clone();
        let mut reader = reader;
        rt::spawn(async move {
            let mut buffer = Vec::with_capacity(PUBLISH_READ_BUFFER_BYTES);
            loop {
                buffer.clear();
                let (read, returned) = reader.read(buffer).await;
                buffer = returned;
                let mut shared = shared.borrow_mut();
                let error = match read {
                    // The publisher's write half shuts the connection's writing down when the
                    // publishing ends; the server then closes it, which is no error once
                    // every publish is answered.
                    Ok(0)
                        if shared.now_ns() >= shared.end_ns
                            && shared.replies.accepted + shared.replies.refused >= shared.sent =>
                    {
                        return;
                    }
                    Ok(0) => "the server closed the publisher's connection".to_string(),
                    Err(error) => format!("the publisher's read: {error}"),
                    Ok(bytes) => match shared.replies.feed(&buffer[..bytes]) {
                        Ok(()) => continue,
                        Err(error) => format!("the publisher's answers: {error}"),
                    },
                };
                shared.first_error.get_or_insert(error);
                return;
            }
        });
    }
    let publishing = Rc::new(RefCell::new(None));
    {
        let publishing = publishing.clone();
        let shared = shared.clone();
        let args = PublishArgs {
            host: host.clone(),
            token: args.token.clone(),
            topic: args.topic.clone(),
            rate: args.publish_rate,
        };
        let mut writer = writer;
        rt::spawn(async move {
            let start_ns = shared.borrow().now_ns();
            let mut batch = Vec::with_capacity(4096);
            let outcome = loop {
                let Some((count, now)) = next_batch(&args, start_ns, &shared).await else {
                    break Ok(());
                };
                batch.clear();
                for _ in 0..count {
                    publish::write_request(&mut batch, &args.host, &args.token, &args.topic, now);
                }
                let (written, returned) = writer.write_all(batch).await;
                batch = returned;
                if let Err(error) = written {
                    break Err(format!("publishing: {error}"));
                }
            };
            *publishing.borrow_mut() = Some(outcome);
        });
    }
    // The measured window: CPU readings at its edges.
    let (warmup_ns, end_ns) = {
        let shared = shared.borrow();
        (shared.warmup_ns, shared.end_ns)
    };
    wait_until(&shared, warmup_ns).await;
    let before = CpuReading::take(&args)?;
    wait_until(&shared, end_ns).await;
    let after = CpuReading::take(&args)?;
    // Drain: the window's events to every live subscriber, and every publish answered.
    let mut drain_deadline = end_ns + DRAIN_DEADLINE_MS * 1_000_000;
    let mut progress = (0, 0);
    loop {
        rt::sleep(Duration::from_millis(TICK_MS)).await;
        if let Some(Err(error)) = publishing.borrow().as_ref() {
            return Err(error.clone());
        }
        let shared = shared.borrow();
        let finished = publishing.borrow().is_some();
        let replies = shared.replies.accepted + shared.replies.refused;
        let answered = replies >= shared.sent;
        let delivered = shared.delivered_live >= shared.sent * shared.live;
        if args.publish_rate <= 0.0 && (shared.delivered_live, replies) != progress {
            progress = (shared.delivered_live, replies);
            drain_deadline = drain_deadline.max(shared.now_ns() + DRAIN_DEADLINE_MS * 1_000_000);
        }
        if (finished && answered && delivered) || shared.now_ns() >= drain_deadline {
            break;
        }
    }
    let shared = shared.borrow();
    if shared.replies.refused > 0 {
        return Err(format!(
            "{} publishes were refused; the first: {}",
            shared.replies.refused,
            shared.replies.first_refusal.as_deref().unwrap_or("?")
        ));
    }
    // A hub that fans an event out before answering and fell behind the fixed rate still
    // owes answers: its undelivered events count as lost, and the first error says why.
    let unanswered = shared.sent.saturating_sub(shared.replies.accepted);
    let mut first_error = shared.first_error.clone();
    if unanswered > 0 {
        first_error.get_or_insert(format!(
            "{unanswered} of {} publishes were not answered {DRAIN_DEADLINE_MS} ms after the last",
            shared.sent
        ));
    }
    let counts = Counts {
        subscribe_ms,
        measured_secs: (end_ns - warmup_ns) as f64 / 1e9,
        events_published: shared
            .sent
            .saturating_sub(shared.window_first.min(shared.sent)),
        events_refused: shared.replies.refused,
        messages_received: shared.window_received,
        messages_in_window: shared.in_window,
        subscribers_evicted: shared.evicted,
        subscribers_failed: shared.failed,
    };
    Ok(load::summarize(
        &args,
        &counts,
        first_error,
        &shared.latencies.percentiles(),
        before.usage(&after),
    ))
}

/// Opens every subscriber and waits until each stream is live; the time it took, ms.
async fn subscribe_all(
    args: &Args,
    host: &str,
    shared: &Rc<RefCell<Shared>>,
) -> Result<f64, String> {
    let started = Instant::now();
    let deadline = started + Duration::from_millis(SUBSCRIBE_DEADLINE_MS);
    let sse_request = format!(
        "GET {SSE_PATH}?topics={} HTTP/1.1\r\nhost: {host}\r\naccept: text/event-stream\r\n\r\n",
        args.topic
    )
    .into_bytes();
    let ws_path = format!("{WS_PATH}?topics={}", args.topic);
    for index in 0..args.subscribers {
        // Each WebSocket subscriber asks with a key of its own and checks the answer's.
        let (request, reader) = if args.ws {
            let key = handshake::new_key();
            let request = handshake::request(host, &ws_path, &key);
            (request, Reader::Ws(WsReader::new(key)))
        } else {
            (sse_request.clone(), Reader::Sse(SseReader::default()))
        };
        while u64::from(index) >= shared.borrow().live + u64::from(SUBSCRIBES_IN_FLIGHT_MAX) {
            check_subscribing(shared, deadline, args.subscribers)?;
            rt::sleep(Duration::from_millis(TICK_MS)).await;
        }
        let mut stream = TcpStream::connect(args.connect)
            .await
            .map_err(|error| format!("subscriber #{index}: connect to {host}: {error}"))?;
        let (written, _) = stream.write_all(request).await;
        written.map_err(|error| format!("subscriber #{index}: writing the subscribe: {error}"))?;
        rt::spawn(subscriber(index, stream, reader, shared.clone()));
    }
    while shared.borrow().live < u64::from(args.subscribers) {
        check_subscribing(shared, deadline, args.subscribers)?;
        rt::sleep(Duration::from_millis(TICK_MS)).await;
    }
    Ok(started.elapsed().as_secs_f64() * 1e3)
}

fn check_subscribing(
    shared: &RefCell<Shared>,
    deadline: Instant,
    subscribers: u32,
) -> Result<(), String> {
    let shared = shared.borrow();
    if let Some(error) = &shared.first_error {
        return Err(format!("subscribing: {error}"));
    }
    if Instant::now() >= deadline {
        return Err(format!(
            "only {} of {subscribers} subscribers were streaming after {SUBSCRIBE_DEADLINE_MS} ms",
            shared.live
        ));
    }
    Ok(())
}

/// A subscriber's stream, by protocol.
enum Reader {
    Sse(SseReader),
    Ws(WsReader),
}

impl Reader {
    fn feed(&mut self, bytes: &[u8], on_data: &mut impl FnMut(&[u8])) -> Result<Fed, String> {
        match self {
            Reader::Sse(reader) => reader.feed(bytes, on_data),
            Reader::Ws(reader) => reader.feed(bytes, on_data),
        }
    }

    fn evicted(&self) -> bool {
        match self {
            Reader::Sse(reader) => reader.evicted(),
            Reader::Ws(reader) => reader.evicted(),
        }
    }
}

/// One subscriber: reads its stream until it ends, counting and timing every event.
async fn subscriber(
    index: u32,
    mut stream: TcpStream,
    mut reader: Reader,
    shared: Rc<RefCell<Shared>>,
) {
    let mut buffer = Vec::with_capacity(READ_BUFFER_BYTES);
    let mut streaming = false;
    let mut delivered = 0u64;
    loop {
        buffer.clear();
        let (read, returned) = stream.read(buffer).await;
        buffer = returned;
        let mut guard = shared.borrow_mut();
        let shared = &mut *guard;
        let bytes = match read {
            Ok(0) => {
                shared.fail(format!("subscriber #{index}: the server closed the stream"));
                shared.subscriber_ended(delivered, streaming);
                return;
            }
            Err(error) => {
                shared.fail(format!("subscriber #{index}: read: {error}"));
                shared.subscriber_ended(delivered, streaming);
                return;
            }
            Ok(bytes) => bytes,
        };
        let now = shared.now_ns();
        let in_window = now >= shared.warmup_ns && now < shared.end_ns;
        let mut events = 0u64;
        let mut window_events = 0u64;
        let warmup_ns = shared.warmup_ns;
        let latencies = &mut shared.latencies;
        let fed = reader.feed(&buffer[..bytes], &mut |data| {
            let Some(sent) = publish::send_ns(data) else {
                return;
            };
            events += 1;
            if sent >= warmup_ns {
                window_events += 1;
                latencies.record_ns(now.saturating_sub(sent));
            }
        });
        let fed = match fed {
            Ok(fed) => fed,
            Err(error) => {
                shared.fail(format!("subscriber #{index}: {error}"));
                shared.subscriber_ended(delivered, streaming);
                return;
            }
        };
        if fed.streaming && !streaming {
            streaming = true;
            shared.live += 1;
        }
        if streaming {
            delivered += events;
            shared.delivered_live += events;
        }
        shared.window_received += window_events;
        if in_window {
            shared.in_window += events;
        }
        if reader.evicted() {
            shared.evicted += 1;
            shared.subscriber_ended(delivered, streaming);
            return;
        }
        if fed.ended {
            shared.fail(format!("subscriber #{index}: the server ended the stream"));
            shared.subscriber_ended(delivered, streaming);
            return;
        }
        shared.wake_publisher();
    }
}

struct PublishArgs {
    host: String,
    token: String,
    topic: String,
    /// Events per second; 0: saturating.
    rate: f64,
}

/// The next publishes: how many, and their send time (counted as sent already); `None` once
/// the window has ended. Waits for the fixed rate's next due event, or for room in the window.
async fn next_batch(
    args: &PublishArgs,
    start_ns: u64,
    shared: &Rc<RefCell<Shared>>,
) -> Option<(u64, u64)> {
    loop {
        let (now, sent, room, unanswered, end_ns) = {
            let shared = shared.borrow();
            let answered = shared.replies.accepted + shared.replies.refused;
            (
                shared.now_ns(),
                shared.sent,
                shared.room(),
                shared.sent - answered,
                shared.end_ns,
            )
        };
        if now >= end_ns {
            return None;
        }
        let allowed = if args.rate > 0.0 {
            PUBLISHES_UNANSWERED_MAX.saturating_sub(unanswered)
        } else {
            u64::MAX
        };
        let count = if args.rate > 0.0 {
            let due = ((now - start_ns) as f64 * args.rate / 1e9) as u64 + 1;
            due.saturating_sub(sent).min(allowed).min(PUBLISH_BATCH_MAX)
        } else {
            room.min(allowed).min(PUBLISH_BATCH_MAX)
        };
        if count > 0 {
            let mut shared = shared.borrow_mut();
            let now = shared.now_ns();
            if now >= shared.warmup_ns && shared.window_first == u64::MAX {
                shared.window_first = shared.sent;
            }
            shared.sent += count;
            return Some((count, now));
        }
        if args.rate > 0.0 {
            let next_ns = start_ns + (sent as f64 * 1e9 / args.rate) as u64;
            rt::sleep(Duration::from_nanos(next_ns.saturating_sub(now).max(1))).await;
        } else {
            WindowRoom { shared }.await;
        }
    }
}

/// Ready when the saturating publisher may send again; subscribers wake it.
struct WindowRoom<'a> {
    shared: &'a Rc<RefCell<Shared>>,
}

impl Future for WindowRoom<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut shared = self.shared.borrow_mut();
        if shared.room() > 0 || shared.now_ns() >= shared.end_ns || shared.live == 0 {
            return Poll::Ready(());
        }
        shared.publisher = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// Sleeps until `ns` since the start. The window's end also wakes a saturating publisher
/// parked on a window that never opens (every subscriber gone).
async fn wait_until(shared: &Rc<RefCell<Shared>>, ns: u64) {
    loop {
        let now = shared.borrow().now_ns();
        if now >= ns {
            break;
        }
        rt::sleep(Duration::from_nanos(ns - now)).await;
    }
    if let Some(waker) = shared.borrow_mut().publisher.take() {
        waker.wake();
    }
}

/// CPU counters at one instant.
struct CpuReading {
    at: Instant,
    server_ticks: Option<u64>,
    own_ticks: u64,
    server_core: CoreTicks,
    load_core: CoreTicks,
}

impl CpuReading {
    fn take(args: &Args) -> Result<CpuReading, String> {
        let read = |path: &str| {
            std::fs::read_to_string(path).map_err(|error| format!("reading {path}: {error}"))
        };
        let ticks = |path: &str| {
            read(path).and_then(|stat| {
                proc_stat::parse_cpu_ticks(&stat).ok_or_else(|| format!("cannot parse {path}"))
            })
        };
        let stat = read("/proc/stat")?;
        let core = |cpu: usize| {
            proc_stat::parse_core_ticks(&stat, cpu)
                .ok_or_else(|| format!("no cpu{cpu} line in /proc/stat"))
        };
        Ok(CpuReading {
            at: Instant::now(),
            server_ticks: args
                .server_pid
                .map(|pid| ticks(&format!("/proc/{pid}/stat")))
                .transpose()?,
            own_ticks: ticks("/proc/self/stat")?,
            server_core: core(args.server_cpu)?,
            load_core: core(args.cpu)?,
        })
    }

    fn usage(&self, after: &CpuReading) -> CpuUse {
        let hz = sys::clock_ticks_per_second() as f64;
        let wall = after
            .at
            .duration_since(self.at)
            .as_secs_f64()
            .max(f64::EPSILON);
        let server_cpu_secs = match (self.server_ticks, after.server_ticks) {
            (Some(before), Some(after)) => after.saturating_sub(before) as f64 / hz,
            _ => 0.0,
        };
        CpuUse {
            server_cpu_secs,
            server_cpu_util: server_cpu_secs / wall * 100.0,
            server_core_busy: proc_stat::busy_percent(self.server_core, after.server_core),
            rtload_cpu_util: after.own_ticks.saturating_sub(self.own_ticks) as f64 / hz / wall
                * 100.0,
            load_core_busy: proc_stat::busy_percent(self.load_core, after.load_core),
        }
    }
}

fn elapsed_ns(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX)
}
