//! `bext-loadgen`: a fixed-rate (open-loop) HTTP/1.1 load generator whose latency percentiles
//! are free of coordinated omission. The method is described in `bext_bench::loadgen`; this
//! file is the I/O around it: connections on bext's default runtime backend
//! (`bext_shards::rt::default_backend`, io_uring) pinned to one CPU, the clock, and the JSON
//! line on stdout.
//!
//! # Waiting for a send time without timers
//!
//! The runtime's timers have millisecond granularity and are serviced only when it parks, and
//! a task that wakes itself is re-queued at the *front* of its run queue, so a connection
//! spinning on the clock would starve every other task (their completions would be handled
//! one whole timetable late). Instead, an early connection parks its waker in the [`Clock`]
//! keyed by its send time, and two "pump" tasks take turns: each one, when run,
//! wakes the connections whose time has come and then wakes the *other* pump. A task woken
//! by another task goes to the back of the queue, so the pumps run once per pass over the
//! ready tasks, between which the runtime reaps io_uring completions: the clock is read every
//! few microseconds, the runtime never parks, and the generator's CPU is ~100% busy by design.
//!
//! ```text
//! bext-loadgen --connect 127.0.0.1:8080 --path /small.txt --rate 20000 [--connections 64]
//!              [--duration-secs 5] [--warmup-secs 0] [--cpu 1]
//! ```

#![forbid(unsafe_code)]

#[path = "../plain_ring.rs"]
mod plain_ring;

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use bext_bench::loadgen::args::{self, Args};
use bext_bench::loadgen::framing::{Progress, ResponseReader};
use bext_bench::loadgen::histogram::Latencies;
use bext_bench::loadgen::schedule::{self, Lateness, Schedule};
use bext_bench::loadgen::summary::{self, Counts, Summary};
// The default backend whatever the features select for bext: the generator's method relies on
// how it schedules (see above), and it is the same instrument in every build of the workspace.
use bext_shards::rt::default_backend::{self as rt, TcpStream};
use bext_shards::sys;

/// One read holds a whole small response; bigger ones take several reads.
const READ_BUFFER_BYTES: usize = 64 * 1024;
/// After the last scheduled send, how long answers still outstanding are waited for before
/// they are counted as errors.
const DRAIN_DEADLINE_MS: u64 = 5_000;

fn main() -> ExitCode {
    let args = match args::parse(std::env::args_os().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("bext-loadgen: {message}\n{}", args::USAGE);
            return ExitCode::from(2);
        }
    };
    if let Err(error) = sys::pin_current_thread(args.cpu) {
        eprintln!("bext-loadgen: cannot pin to CPU {}: {error}", args.cpu);
        return ExitCode::FAILURE;
    }
    let outcome = plain_ring::run(move || run(args));
    match outcome {
        Ok(summary) => match serde_json::to_string(&summary) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("bext-loadgen: cannot serialize the summary: {error}");
                ExitCode::FAILURE
            }
        },
        Err(message) => {
            eprintln!("bext-loadgen: {message}");
            ExitCode::FAILURE
        }
    }
}

/// What the tasks share; the runtime is single-threaded, so a `RefCell` suffices.
struct Shared {
    counts: Counts,
    latencies: Latencies,
    last_completion_ns: u64,
    first_error: Option<String>,
    clock: Clock,
}

/// Wakers of tasks waiting for an instant, and of the main task waiting for the end.
struct Clock {
    start: Instant,
    /// (send time, connection), earliest first.
    due: BinaryHeap<Reverse<(u64, u32)>>,
    /// The waker of each connection waiting in `due`.
    waiting: Vec<Option<Waker>>,
    pumps: [Option<Waker>; 2],
    main: Option<Waker>,
    finished_connections: u32,
    connections: u32,
    deadline_ns: u64,
}

impl Clock {
    fn now_ns(&self) -> u64 {
        elapsed_ns(self.start)
    }

    fn over(&self) -> bool {
        self.finished_connections >= self.connections || self.now_ns() >= self.deadline_ns
    }

    /// Wakes every connection whose send time has come, and the main task if the run is over.
    fn tick(&mut self) {
        let now = self.now_ns();
        while let Some(&Reverse((due, connection))) = self.due.peek() {
            if due > now {
                break;
            }
            self.due.pop();
            if let Some(waker) = self
                .waiting
                .get_mut(connection as usize)
                .and_then(Option::take)
            {
                waker.wake();
            }
        }
        if self.over()
            && let Some(main) = self.main.take()
        {
            main.wake();
        }
    }
}

/// Where each connection's part of the schedule starts and ends.
#[derive(Clone, Copy)]
struct Plan {
    schedule: Schedule,
    /// Requests scheduled in the whole run, warm-up included.
    total: u64,
    /// Global index of the first recorded request (the warm-up's are not recorded).
    recorded_from: u64,
}

async fn run(args: Args) -> Result<Summary, String> {
    let schedule = Schedule::new(args.rate_per_sec, args.connections);
    let warmup_ns = u64::from(args.warmup_secs) * 1_000_000_000;
    let end_ns = warmup_ns + u64::from(args.duration_secs) * 1_000_000_000;
    let total = schedule.count_before(end_ns);
    let recorded_from = schedule.count_before(warmup_ns);
    // Every request of the run is these same bytes; each connection writes its own copy, which
    // the write hands back for the next request.
    let request = args::request_bytes(&args.path);
    let mut streams = Vec::with_capacity(args.connections as usize);
    for index in 0..args.connections {
        let stream = TcpStream::connect(args.connect)
            .await
            .map_err(|error| format!("connection #{index} to {}: {error}", args.connect))?;
        // Requests go out whole and at once, as a browser's would.
        let _ = stream.set_nodelay(true);
        streams.push(stream);
    }
    let shared = Rc::new(RefCell::new(Shared {
        counts: Counts {
            scheduled: total - recorded_from,
            ..Counts::default()
        },
        latencies: Latencies::new(),
        last_completion_ns: 0,
        first_error: None,
        clock: Clock {
            start: Instant::now(),
            due: BinaryHeap::with_capacity(args.connections as usize),
            waiting: (0..args.connections).map(|_| None).collect(),
            pumps: [None, None],
            main: None,
            finished_connections: 0,
            connections: args.connections,
            deadline_ns: end_ns + DRAIN_DEADLINE_MS * 1_000_000,
        },
    }));
    let plan = Plan {
        schedule,
        total,
        recorded_from,
    };
    for pump in 0..2 {
        rt::spawn(run_pump(pump, shared.clone()));
    }
    for (connection, stream) in (0..args.connections).zip(streams) {
        rt::spawn(drive(
            connection,
            stream,
            plan,
            request.clone(),
            shared.clone(),
        ));
    }
    RunOver(shared.clone()).await;
    let shared = shared.borrow();
    if let Some(error) = &shared.first_error {
        eprintln!("bext-loadgen: first error: {error}");
    }
    let mut counts = shared.counts;
    counts.errors = counts.scheduled.saturating_sub(counts.completed);
    let first_due_ns = schedule.due_ns(recorded_from);
    let span_ns = shared.last_completion_ns.saturating_sub(first_due_ns);
    Ok(summary::summarize(
        args.rate_per_sec,
        args.connections,
        f64::from(args.duration_secs),
        &counts,
        span_ns as f64 / 1e9,
        &shared.latencies.percentiles(),
    ))
}

/// Runs one connection's timetable: wait, send, read the answer, record, repeat.
async fn drive(
    connection: u32,
    mut stream: TcpStream,
    plan: Plan,
    mut request: Vec<u8>,
    shared: Rc<RefCell<Shared>>,
) {
    let mine = plan.schedule.count_for_connection(connection, plan.total);
    let mut reader = ResponseReader::default();
    let mut buffer = Vec::with_capacity(READ_BUFFER_BYTES);
    let mut free_ns = 0;
    for nth in 0..mine {
        let index = plan.schedule.global_index(connection, nth);
        let due_ns = plan.schedule.due_ns(index);
        SendTime {
            shared: &shared,
            connection,
            due_ns,
        }
        .await;
        let sent_ns = shared.borrow().clock.now_ns();
        let (written, returned) = stream.write_all(request).await;
        request = returned;
        let outcome = match written {
            Ok(_) => read_response(&mut stream, &mut buffer, &mut reader).await,
            Err(error) => Err(format!("write: {error}")),
        };
        let mut shared = shared.borrow_mut();
        let done_ns = shared.clock.now_ns();
        let status = match outcome {
            Ok(status) => status,
            Err(error) => {
                shared
                    .first_error
                    .get_or_insert(format!("connection #{connection}: {error}"));
                break;
            }
        };
        if index >= plan.recorded_from {
            let counts = &mut shared.counts;
            counts.completed += 1;
            if status != 200 {
                counts.non_200 += 1;
            }
            match schedule::classify(due_ns, free_ns, sent_ns) {
                Lateness::OnTime => {}
                Lateness::BusyConnection => counts.late_busy_connection += 1,
                Lateness::Generator => counts.late_generator += 1,
            }
            shared.latencies.record_ns(done_ns.saturating_sub(due_ns));
            shared.last_completion_ns = shared.last_completion_ns.max(done_ns);
        }
        free_ns = done_ns;
    }
    shared.borrow_mut().clock.finished_connections += 1;
}

async fn read_response(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    reader: &mut ResponseReader,
) -> Result<u16, String> {
    loop {
        let mut owned = std::mem::take(buffer);
        owned.clear();
        let (read, returned) = stream.read(owned).await;
        *buffer = returned;
        match read {
            Ok(0) => return Err("closed by the server".to_string()),
            Err(error) => return Err(format!("read: {error}")),
            Ok(bytes) => match reader.feed(&buffer[..bytes])? {
                Progress::NeedMore => {}
                Progress::Complete { status } => return Ok(status),
            },
        }
    }
}

fn elapsed_ns(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// One of the two pumps: ticks the clock, then hands over to the other pump (see the module
/// docs for why two). Ends when the run is over.
async fn run_pump(pump: usize, shared: Rc<RefCell<Shared>>) {
    loop {
        let over = {
            let mut shared = shared.borrow_mut();
            shared.clock.tick();
            shared.clock.over()
        };
        if over {
            return;
        }
        HandOver {
            shared: &shared,
            pump,
            handed: false,
        }
        .await;
    }
}

/// Wakes the other pump and waits to be woken by it.
struct HandOver<'a> {
    shared: &'a Rc<RefCell<Shared>>,
    pump: usize,
    handed: bool,
}

impl Future for HandOver<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.handed {
            return Poll::Ready(());
        }
        self.handed = true;
        let mut shared = self.shared.borrow_mut();
        let pumps = &mut shared.clock.pumps;
        pumps[self.pump] = Some(cx.waker().clone());
        let other = pumps[1 - self.pump].take();
        drop(shared);
        // None: the other pump has not run yet, and its first hand-over wakes us; or it has
        // ended because the run is over, and so will we never need to run again. Waking
        // ourselves instead would put us at the front of the queue and starve the other pump.
        if let Some(other) = other {
            other.wake();
        }
        Poll::Pending
    }
}

/// Ready at a connection's send time; until then its waker waits in the clock.
struct SendTime<'a> {
    shared: &'a Rc<RefCell<Shared>>,
    connection: u32,
    due_ns: u64,
}

impl Future for SendTime<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut shared = self.shared.borrow_mut();
        let clock = &mut shared.clock;
        if schedule::is_due(self.due_ns, clock.now_ns()) {
            return Poll::Ready(());
        }
        let slot = &mut clock.waiting[self.connection as usize];
        if slot.is_none() {
            clock.due.push(Reverse((self.due_ns, self.connection)));
        }
        *slot = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// Ready when every connection has finished or the drain deadline has passed.
struct RunOver(Rc<RefCell<Shared>>);

impl Future for RunOver {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut shared = self.0.borrow_mut();
        if shared.clock.over() {
            return Poll::Ready(());
        }
        shared.clock.main = Some(cx.waker().clone());
        Poll::Pending
    }
}
