//! `bext-wsload`'s command line and report, shared with the harness that builds the one and
//! reads the other (`src/proxy_ws/`).

use std::ffi::OsString;
use std::net::SocketAddr;

use lexopt::prelude::*;
use serde::{Deserialize, Serialize};

use super::frame::PAYLOAD_BYTES_MAX;
use crate::loadgen::histogram::Percentiles;

pub const USAGE: &str = "\
usage: bext-wsload --connect ADDR [--path /] [--connections 50] [--duration-secs 5]
                   [--message-bytes 64] [--cpu 1]
Opens WebSocket connections, then on each sends a binary message and waits for its echo, over
and over, for the duration; prints one JSON line with round trips per second and the round
trips' latency percentiles.";

/// Most connections; each holds a socket, a task and two small buffers.
pub const CONNECTIONS_MAX: u32 = 10_000;
/// Longest run.
pub const DURATION_SECS_MAX: u32 = 3_600;
const CONNECTIONS_DEFAULT: u32 = 50;
const DURATION_SECS_DEFAULT: u32 = 5;
const MESSAGE_BYTES_DEFAULT: usize = 64;
/// The CPU the harness reserves for load generation.
const CPU_DEFAULT: usize = 1;

#[derive(Debug, PartialEq, Eq)]
pub struct Args {
    pub connect: SocketAddr,
    pub path: String,
    pub connections: u32,
    pub duration_secs: u32,
    pub message_bytes: usize,
    pub cpu: usize,
}

impl Args {
    /// The command line that [`parse`] reads back as `self`.
    pub fn to_command_line(&self) -> Vec<String> {
        vec![
            "--connect".to_string(),
            self.connect.to_string(),
            "--path".to_string(),
            self.path.clone(),
            "--connections".to_string(),
            self.connections.to_string(),
            "--duration-secs".to_string(),
            self.duration_secs.to_string(),
            "--message-bytes".to_string(),
            self.message_bytes.to_string(),
            "--cpu".to_string(),
            self.cpu.to_string(),
        ]
    }
}

pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Args, String> {
    let text = |error: lexopt::Error| error.to_string();
    let mut connect = None;
    let mut path = "/".to_string();
    let mut connections = CONNECTIONS_DEFAULT;
    let mut duration_secs = DURATION_SECS_DEFAULT;
    let mut message_bytes = MESSAGE_BYTES_DEFAULT;
    let mut cpu = CPU_DEFAULT;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next().map_err(text)? {
        match arg {
            Long("connect") => connect = Some(parser.value().map_err(text)?.parse().map_err(text)?),
            Long("path") => path = parser.value().map_err(text)?.string().map_err(text)?,
            Long("connections") => {
                connections = parser.value().map_err(text)?.parse().map_err(text)?
            }
            Long("duration-secs") => {
                duration_secs = parser.value().map_err(text)?.parse().map_err(text)?
            }
            Long("message-bytes") => {
                message_bytes = parser.value().map_err(text)?.parse().map_err(text)?
            }
            Long("cpu") => cpu = parser.value().map_err(text)?.parse().map_err(text)?,
            _ => return Err(text(arg.unexpected())),
        }
    }
    let connect = connect.ok_or("--connect is required")?;
    crate::loadgen::args::check_path(&path)?;
    if connections == 0 || connections > CONNECTIONS_MAX {
        return Err(format!(
            "--connections must be between 1 and {CONNECTIONS_MAX}, got {connections}"
        ));
    }
    if duration_secs == 0 || duration_secs > DURATION_SECS_MAX {
        return Err(format!(
            "--duration-secs must be between 1 and {DURATION_SECS_MAX}, got {duration_secs}"
        ));
    }
    if message_bytes > PAYLOAD_BYTES_MAX {
        return Err(format!(
            "--message-bytes must be at most {PAYLOAD_BYTES_MAX}, got {message_bytes}"
        ));
    }
    Ok(Args {
        connect,
        path,
        connections,
        duration_secs,
        message_bytes,
        cpu,
    })
}

/// One run's report: one JSON object on stdout.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub connections: u32,
    pub message_bytes: usize,
    /// From the first message sent to the last echo received, seconds.
    pub elapsed_secs: f64,
    /// Echoes received whole and unchanged.
    pub round_trips: u64,
    pub round_trips_per_sec: f64,
    /// Connections that failed (handshake or echo) before the run's end.
    pub failed_connections: u32,
    /// The first failure, in words.
    pub first_error: Option<String>,
    /// One round trip: from the message's write to its echo's last byte, microseconds.
    pub p50_us: f64,
    pub p90_us: f64,
    pub p99_us: f64,
    pub p999_us: f64,
    pub max_us: f64,
    pub mean_us: f64,
}

/// Builds the summary from what the connections counted.
pub fn summarize(
    args: &Args,
    round_trips: u64,
    elapsed_secs: f64,
    failed_connections: u32,
    first_error: Option<String>,
    percentiles: &Percentiles,
) -> Summary {
    let round_trips_per_sec = if elapsed_secs > 0.0 {
        round_trips as f64 / elapsed_secs
    } else {
        0.0
    };
    Summary {
        connections: args.connections,
        message_bytes: args.message_bytes,
        elapsed_secs,
        round_trips,
        round_trips_per_sec,
        failed_connections,
        first_error,
        p50_us: percentiles.p50_us,
        p90_us: percentiles.p90_us,
        p99_us: percentiles.p99_us,
        p999_us: percentiles.p999_us,
        max_us: percentiles.max_us,
        mean_us: percentiles.mean_us,
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
                    "{} {} c{} d{} m{} cpu{}",
                    a.connect, a.path, a.connections, a.duration_secs, a.message_bytes, a.cpu
                )
            }
            Err(error) => format!("error: {error}"),
        };
        assert_eq!(actual, expect, "args: {args:?}");
    }

    #[test]
    fn parses_the_command_line() {
        check(
            &["--connect", "127.0.0.1:80"],
            "127.0.0.1:80 / c50 d5 m64 cpu1",
        );
        check(
            &[
                "--connect",
                "127.0.0.1:9",
                "--path",
                "/chat",
                "--connections",
                "8",
                "--duration-secs",
                "2",
                "--message-bytes",
                "0",
                "--cpu",
                "0",
            ],
            "127.0.0.1:9 /chat c8 d2 m0 cpu0",
        );
        check(&[], "error: --connect is required");
        check(
            &["--connect", "127.0.0.1:9", "--path", "chat"],
            "error: --path must be an absolute path without spaces, got \"chat\"",
        );
        check(
            &["--connect", "127.0.0.1:9", "--connections", "0"],
            "error: --connections must be between 1 and 10000, got 0",
        );
        check(
            &["--connect", "127.0.0.1:9", "--duration-secs", "4000"],
            "error: --duration-secs must be between 1 and 3600, got 4000",
        );
        check(
            &["--connect", "127.0.0.1:9", "--message-bytes", "2000000"],
            "error: --message-bytes must be at most 1048576, got 2000000",
        );
        check(
            &["--connect", "127.0.0.1:9", "--rate", "5"],
            "error: invalid option '--rate'",
        );
    }

    #[test]
    fn summary_round_trips_through_json() {
        let args = parse(["--connect", "127.0.0.1:9"].map(OsString::from)).ok();
        let Some(args) = args else {
            panic!("the arguments parse");
        };
        let percentiles = Percentiles {
            count: 10,
            p50_us: 20.0,
            p90_us: 30.0,
            p99_us: 40.0,
            p999_us: 50.0,
            max_us: 60.0,
            mean_us: 22.5,
        };
        let summary = summarize(&args, 1_000, 2.0, 0, None, &percentiles);
        assert_eq!(summary.round_trips_per_sec, 500.0);
        let json = serde_json::to_string(&summary).unwrap_or_default();
        let back: Option<Summary> = serde_json::from_str(&json).ok();
        assert_eq!(back, Some(summary));
        assert_eq!(
            summarize(&args, 0, 0.0, 1, Some("x".into()), &percentiles).round_trips_per_sec,
            0.0
        );
    }
}
