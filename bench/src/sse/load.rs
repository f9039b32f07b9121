//! `bext-rtload`'s command line and report, shared with the harness that builds the one and
//! reads the other (`src/realtime/`).

use std::ffi::OsString;
use std::net::SocketAddr;

use lexopt::prelude::*;
use serde::{Deserialize, Serialize};

use crate::loadgen::histogram::Percentiles;

pub const USAGE: &str = "\
usage: bext-rtload --connect ADDR --token PUBLISH_TOKEN [--topic bench] [--subscribers 10000]
                   [--publish-rate EVENTS_PER_SEC | --window EVENTS] [--duration-secs 5]
                   [--warmup-secs 0] [--server-pid PID] [--server-cpu 0] [--cpu 1] [--ws]
Opens the subscribers (SSE, or WebSocket with --ws) to one topic, waits until every stream is live, then publishes
for the warm-up and the duration: at a fixed rate (open loop), or with --publish-rate 0 as
fast as delivery allows, at most --window events per subscriber not yet delivered. Each
event carries its send time; prints one JSON line with messages delivered per second,
delivery latency percentiles, events lost and subscribers evicted.";

/// Most subscribers; each holds a socket, a task and a read buffer.
pub const SUBSCRIBERS_MAX: u32 = 50_000;
/// Longest run.
pub const DURATION_SECS_MAX: u32 = 3_600;
/// Highest fixed publish rate, events per second (each one a request).
pub const PUBLISH_RATE_MAX: f64 = 1_000_000.0;
/// Largest window of events not yet delivered to every subscriber.
pub const WINDOW_MAX: u32 = 65_536;
const SUBSCRIBERS_DEFAULT: u32 = 10_000;
const DURATION_SECS_DEFAULT: u32 = 5;
const WINDOW_DEFAULT: u32 = 64;
const TOPIC_DEFAULT: &str = "bench";
/// The CPUs the harness reserves for the server and for load generation.
const SERVER_CPU_DEFAULT: usize = 0;
const CPU_DEFAULT: usize = 1;

#[derive(Debug, PartialEq)]
pub struct Args {
    pub connect: SocketAddr,
    pub token: String,
    pub topic: String,
    pub subscribers: u32,
    /// Events per second, open loop; 0: as fast as the window allows.
    pub publish_rate: f64,
    /// Saturating mode: events published but not yet delivered to every subscriber, at most.
    pub window: u32,
    pub duration_secs: u32,
    /// Published first and not counted, so start-up effects (a JIT, first allocations) stay
    /// out of the numbers.
    pub warmup_secs: u32,
    /// The server's pid, whose CPU time is read over the measured window.
    pub server_pid: Option<u32>,
    pub server_cpu: usize,
    pub cpu: usize,
    /// Subscribers over WebSocket (`/__bext/realtime/ws`) instead of SSE.
    pub ws: bool,
}

impl Args {
    pub fn saturating(&self) -> bool {
        self.publish_rate == 0.0
    }

    /// The command line that [`parse`] reads back as `self`.
    pub fn to_command_line(&self) -> Vec<String> {
        let mut line = vec![
            "--connect".to_string(),
            self.connect.to_string(),
            "--token".to_string(),
            self.token.clone(),
            "--topic".to_string(),
            self.topic.clone(),
            "--subscribers".to_string(),
            self.subscribers.to_string(),
            "--publish-rate".to_string(),
            self.publish_rate.to_string(),
            "--window".to_string(),
            self.window.to_string(),
            "--duration-secs".to_string(),
            self.duration_secs.to_string(),
            "--warmup-secs".to_string(),
            self.warmup_secs.to_string(),
            "--server-cpu".to_string(),
            self.server_cpu.to_string(),
            "--cpu".to_string(),
            self.cpu.to_string(),
        ];
        if let Some(pid) = self.server_pid {
            line.extend(["--server-pid".to_string(), pid.to_string()]);
        }
        if self.ws {
            line.push("--ws".to_string());
        }
        line
    }
}

pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Args, String> {
    let text = |error: lexopt::Error| error.to_string();
    let mut connect = None;
    let mut token = None;
    let mut topic = TOPIC_DEFAULT.to_string();
    let mut subscribers = SUBSCRIBERS_DEFAULT;
    let mut publish_rate = 0.0;
    let mut window = WINDOW_DEFAULT;
    let mut duration_secs = DURATION_SECS_DEFAULT;
    let mut warmup_secs = 0;
    let mut server_pid = None;
    let mut server_cpu = SERVER_CPU_DEFAULT;
    let mut cpu = CPU_DEFAULT;
    let mut ws = false;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next().map_err(text)? {
        macro_rules! value {
            () => {
                parser.value().map_err(text)?
            };
        }
        match arg {
            Long("connect") => connect = Some(value!().parse().map_err(text)?),
            Long("token") => token = Some(value!().string().map_err(text)?),
            Long("topic") => topic = value!().string().map_err(text)?,
            Long("subscribers") => subscribers = value!().parse().map_err(text)?,
            Long("publish-rate") => publish_rate = value!().parse().map_err(text)?,
            Long("window") => window = value!().parse().map_err(text)?,
            Long("duration-secs") => duration_secs = value!().parse().map_err(text)?,
            Long("warmup-secs") => warmup_secs = value!().parse().map_err(text)?,
            Long("server-pid") => server_pid = Some(value!().parse().map_err(text)?),
            Long("server-cpu") => server_cpu = value!().parse().map_err(text)?,
            Long("cpu") => cpu = value!().parse().map_err(text)?,
            Long("ws") => ws = true,
            _ => return Err(text(arg.unexpected())),
        }
    }
    let connect = connect.ok_or("--connect is required")?;
    let token: String = token.ok_or("--token is required")?;
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("--token must be visible ASCII".to_string());
    }
    let topic_ok = !topic.is_empty()
        && topic.len() <= 128
        && topic
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.:".contains(&b));
    if !topic_ok {
        return Err(format!(
            "--topic {topic:?} is not a topic (A-Z a-z 0-9 _ - . :)"
        ));
    }
    if subscribers == 0 || subscribers > SUBSCRIBERS_MAX {
        return Err(format!(
            "--subscribers must be between 1 and {SUBSCRIBERS_MAX}, got {subscribers}"
        ));
    }
    if !(0.0..=PUBLISH_RATE_MAX).contains(&publish_rate) {
        return Err(format!(
            "--publish-rate must be between 0 and {PUBLISH_RATE_MAX}, got {publish_rate}"
        ));
    }
    if window == 0 || window > WINDOW_MAX {
        return Err(format!(
            "--window must be between 1 and {WINDOW_MAX}, got {window}"
        ));
    }
    if duration_secs == 0 || duration_secs > DURATION_SECS_MAX {
        return Err(format!(
            "--duration-secs must be between 1 and {DURATION_SECS_MAX}, got {duration_secs}"
        ));
    }
    if warmup_secs > DURATION_SECS_MAX {
        return Err(format!(
            "--warmup-secs must be at most {DURATION_SECS_MAX}, got {warmup_secs}"
        ));
    }
    Ok(Args {
        connect,
        token,
        topic,
        subscribers,
        publish_rate,
        window,
        duration_secs,
        warmup_secs,
        server_pid,
        server_cpu,
        cpu,
        ws,
    })
}

/// What a run counted, before it is summarized.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Counts {
    /// Time from the first connect to every stream live, ms.
    pub subscribe_ms: f64,
    /// The measured window (warm-up end to the last publish), seconds.
    pub measured_secs: f64,
    /// Events published in the window and accepted (202).
    pub events_published: u64,
    /// Publishes answered other than 202 (the whole run).
    pub events_refused: u64,
    /// Deliveries of the window's events, whenever they arrived (drain included).
    pub messages_received: u64,
    /// Deliveries of any event that arrived inside the window.
    pub messages_in_window: u64,
    pub subscribers_evicted: u32,
    /// Streams that ended or failed otherwise.
    pub subscribers_failed: u32,
}

/// CPU use over the measured window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CpuUse {
    /// The server's CPU time, seconds (0 without `--server-pid`).
    pub server_cpu_secs: f64,
    /// Percent of one core.
    pub server_cpu_util: f64,
    /// How busy the server's CPU was with anyone's work, percent.
    pub server_core_busy: f64,
    /// This generator's CPU time over the window, percent of one core.
    pub rtload_cpu_util: f64,
    /// How busy the generator's CPU was with anyone's work, percent.
    pub load_core_busy: f64,
}

/// One run's report: one JSON object on stdout.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub subscribers: u32,
    /// Events per second asked for; 0 in the saturating mode.
    pub publish_rate: f64,
    pub window: u32,
    pub subscribe_ms: f64,
    pub measured_secs: f64,
    pub events_published: u64,
    pub events_refused: u64,
    /// `events_published` x subscribers.
    pub messages_expected: u64,
    pub messages_received: u64,
    /// Expected minus received (0 if more arrived, which would be a server's bug).
    pub messages_lost: u64,
    /// Deliveries that arrived inside the window, per second of it.
    pub messages_per_sec: f64,
    pub subscribers_evicted: u32,
    pub subscribers_failed: u32,
    pub first_error: Option<String>,
    /// Delivery latency (the subscriber's read minus the event's send time), microseconds.
    pub p50_us: f64,
    pub p90_us: f64,
    pub p99_us: f64,
    pub p999_us: f64,
    pub max_us: f64,
    pub mean_us: f64,
    pub cpu: CpuUse,
}

pub fn summarize(
    args: &Args,
    counts: &Counts,
    first_error: Option<String>,
    percentiles: &Percentiles,
    cpu: CpuUse,
) -> Summary {
    let messages_expected = counts.events_published * u64::from(args.subscribers);
    let messages_per_sec = if counts.measured_secs > 0.0 {
        counts.messages_in_window as f64 / counts.measured_secs
    } else {
        0.0
    };
    Summary {
        subscribers: args.subscribers,
        publish_rate: args.publish_rate,
        window: args.window,
        subscribe_ms: counts.subscribe_ms,
        measured_secs: counts.measured_secs,
        events_published: counts.events_published,
        events_refused: counts.events_refused,
        messages_expected,
        messages_received: counts.messages_received,
        messages_lost: messages_expected.saturating_sub(counts.messages_received),
        messages_per_sec,
        subscribers_evicted: counts.subscribers_evicted,
        subscribers_failed: counts.subscribers_failed,
        first_error,
        p50_us: percentiles.p50_us,
        p90_us: percentiles.p90_us,
        p99_us: percentiles.p99_us,
        p999_us: percentiles.p999_us,
        max_us: percentiles.max_us,
        mean_us: percentiles.mean_us,
        cpu,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(args: &[&str], expect: &str) {
        let actual = match parse(args.iter().map(OsString::from)) {
            Ok(a) => {
                // What the harness writes reads back the same.
                let again = parse(a.to_command_line().into_iter().map(OsString::from));
                assert_eq!(again.as_ref(), Ok(&a));
                format!(
                    "{} {} n{} r{} w{} d{} warm{} pid{:?} cpus{}/{}{}",
                    a.connect,
                    a.topic,
                    a.subscribers,
                    a.publish_rate,
                    a.window,
                    a.duration_secs,
                    a.warmup_secs,
                    a.server_pid,
                    a.server_cpu,
                    a.cpu,
                    if a.ws { " ws" } else { "" }
                )
            }
            Err(error) => format!("error: {error}"),
        };
        assert_eq!(actual, expect, "args: {args:?}");
    }

    #[test]
    fn parses_the_command_line() {
        check(
            &["--connect", "127.0.0.1:80", "--token", "t"],
            "127.0.0.1:80 bench n10000 r0 w64 d5 warm0 pidNone cpus0/1",
        );
        check(
            &[
                "--connect",
                "127.0.0.1:9",
                "--token",
                "t",
                "--topic",
                "a.b",
                "--subscribers",
                "8",
                "--publish-rate",
                "2.5",
                "--window",
                "4",
                "--duration-secs",
                "2",
                "--warmup-secs",
                "1",
                "--server-pid",
                "77",
                "--server-cpu",
                "1",
                "--cpu",
                "0",
                "--ws",
            ],
            "127.0.0.1:9 a.b n8 r2.5 w4 d2 warm1 pidSome(77) cpus1/0 ws",
        );
        check(&["--token", "t"], "error: --connect is required");
        check(&["--connect", "127.0.0.1:9"], "error: --token is required");
        let base = ["--connect", "127.0.0.1:9", "--token", "t"];
        let with = |extra: &[&'static str]| [&base[..], extra].concat();
        check(
            &with(&["--topic", "a b"]),
            "error: --topic \"a b\" is not a topic (A-Z a-z 0-9 _ - . :)",
        );
        check(
            &with(&["--subscribers", "0"]),
            "error: --subscribers must be between 1 and 50000, got 0",
        );
        check(
            &with(&["--publish-rate", "-1"]),
            "error: --publish-rate must be between 0 and 1000000, got -1",
        );
        check(
            &with(&["--window", "0"]),
            "error: --window must be between 1 and 65536, got 0",
        );
        check(
            &with(&["--duration-secs", "0"]),
            "error: --duration-secs must be between 1 and 3600, got 0",
        );
        check(&with(&["--rate", "5"]), "error: invalid option '--rate'");
    }

    #[test]
    fn summary_counts_losses_and_round_trips_through_json() {
        let args = parse(
            [
                "--connect",
                "127.0.0.1:9",
                "--token",
                "t",
                "--subscribers",
                "100",
            ]
            .map(OsString::from),
        );
        let Ok(args) = args else {
            panic!("the arguments parse");
        };
        let counts = Counts {
            subscribe_ms: 12.0,
            measured_secs: 2.0,
            events_published: 10,
            events_refused: 0,
            messages_received: 990,
            messages_in_window: 1_000,
            subscribers_evicted: 1,
            subscribers_failed: 0,
        };
        let percentiles = Percentiles {
            count: 990,
            p50_us: 20.0,
            p90_us: 30.0,
            p99_us: 40.0,
            p999_us: 50.0,
            max_us: 60.0,
            mean_us: 22.5,
        };
        let summary = summarize(&args, &counts, None, &percentiles, CpuUse::default());
        assert_eq!(
            (
                summary.messages_expected,
                summary.messages_lost,
                summary.messages_per_sec
            ),
            (1_000, 10, 500.0)
        );
        let json = serde_json::to_string(&summary).unwrap_or_default();
        let back: Option<Summary> = serde_json::from_str(&json).ok();
        assert_eq!(back, Some(summary));
    }
}
