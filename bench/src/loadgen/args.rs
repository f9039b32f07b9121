//! The generator's command line, parsed without touching the process's own arguments so the
//! table of cases below can drive it.

use std::ffi::OsString;
use std::net::SocketAddr;

use lexopt::prelude::*;

pub const USAGE: &str = "\
usage: bext-loadgen --connect ADDR --path /small.txt --rate REQ_PER_SEC [--connections 64]
                    [--duration-secs 5] [--warmup-secs 0] [--cpu 1]
Sends GET PATH at a constant total rate over keep-alive connections and prints one JSON line
with latency percentiles measured from each request's scheduled send time.";

/// Most connections; each holds a socket, a buffer and a histogram.
pub const CONNECTIONS_MAX: u32 = 10_000;
/// Highest total rate; far above what one core can generate, it only catches typos.
pub const RATE_MAX: u64 = 10_000_000;
/// Longest run, warm-up included.
pub const DURATION_SECS_MAX: u32 = 3_600;
const CONNECTIONS_DEFAULT: u32 = 64;
const DURATION_SECS_DEFAULT: u32 = 5;
/// The CPU the harness reserves for load generation.
const CPU_DEFAULT: usize = 1;

#[derive(Debug, PartialEq, Eq)]
pub struct Args {
    pub connect: SocketAddr,
    pub path: String,
    pub rate_per_sec: u64,
    pub connections: u32,
    pub duration_secs: u32,
    pub warmup_secs: u32,
    pub cpu: usize,
}

pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Args, String> {
    let text = |error: lexopt::Error| error.to_string();
    let mut connect = None;
    let mut path = None;
    let mut rate_per_sec = None;
    let mut connections = CONNECTIONS_DEFAULT;
    let mut duration_secs = DURATION_SECS_DEFAULT;
    let mut warmup_secs = 0;
    let mut cpu = CPU_DEFAULT;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next().map_err(text)? {
        match arg {
            Long("connect") => connect = Some(parser.value().map_err(text)?.parse().map_err(text)?),
            Long("path") => path = Some(parser.value().map_err(text)?.string().map_err(text)?),
            Long("rate") => {
                rate_per_sec = Some(parser.value().map_err(text)?.parse().map_err(text)?)
            }
            Long("connections") => {
                connections = parser.value().map_err(text)?.parse().map_err(text)?
            }
            Long("duration-secs") => {
                duration_secs = parser.value().map_err(text)?.parse().map_err(text)?
            }
            Long("warmup-secs") => {
                warmup_secs = parser.value().map_err(text)?.parse().map_err(text)?
            }
            Long("cpu") => cpu = parser.value().map_err(text)?.parse().map_err(text)?,
            _ => return Err(text(arg.unexpected())),
        }
    }
    let connect = connect.ok_or("--connect is required")?;
    let path: String = path.ok_or("--path is required")?;
    let rate_per_sec = rate_per_sec.ok_or("--rate is required")?;
    check_path(&path)?;
    if rate_per_sec == 0 || rate_per_sec > RATE_MAX {
        return Err(format!(
            "--rate must be between 1 and {RATE_MAX}, got {rate_per_sec}"
        ));
    }
    if connections == 0 || connections > CONNECTIONS_MAX {
        return Err(format!(
            "--connections must be between 1 and {CONNECTIONS_MAX}, got {connections}"
        ));
    }
    let total = u64::from(duration_secs) + u64::from(warmup_secs);
    if duration_secs == 0 || total > u64::from(DURATION_SECS_MAX) {
        return Err(format!(
            "--duration-secs must be at least 1 and, with --warmup-secs, at most {DURATION_SECS_MAX}"
        ));
    }
    Ok(Args {
        connect,
        path,
        rate_per_sec,
        connections,
        duration_secs,
        warmup_secs,
        cpu,
    })
}

/// The request every connection sends, byte for byte.
pub fn request_bytes(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bext-loadgen\r\n\r\n")
        .into_bytes()
}

/// `--path`: an absolute path without spaces or control bytes (it goes into a request line as
/// it is).
pub fn check_path(path: &str) -> Result<(), String> {
    let bad = !path.starts_with('/')
        || path
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control());
    if bad {
        return Err(format!(
            "--path must be an absolute path without spaces, got {path:?}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(args: &[&str], expect: &str) {
        let actual = match parse(args.iter().map(OsString::from)) {
            Ok(a) => format!(
                "{} {} r{} c{} d{} w{} cpu{}",
                a.connect,
                a.path,
                a.rate_per_sec,
                a.connections,
                a.duration_secs,
                a.warmup_secs,
                a.cpu
            ),
            Err(error) => format!("error: {error}"),
        };
        assert_eq!(actual, expect, "args {args:?}");
    }

    const BASE: [&str; 6] = [
        "--connect",
        "127.0.0.1:8080",
        "--path",
        "/small.txt",
        "--rate",
        "20000",
    ];

    #[test]
    fn parses_the_generator_command_line() {
        check(&BASE, "127.0.0.1:8080 /small.txt r20000 c64 d5 w0 cpu1");
        let more = [
            &BASE[..],
            &[
                "--connections",
                "8",
                "--duration-secs",
                "2",
                "--warmup-secs",
                "1",
                "--cpu",
                "0",
            ],
        ]
        .concat();
        check(&more, "127.0.0.1:8080 /small.txt r20000 c8 d2 w1 cpu0");
        check(&BASE[2..], "error: --connect is required");
        check(&BASE[..4], "error: --rate is required");
        check(
            &[&BASE[..5], &["0"]].concat(),
            "error: --rate must be between 1 and 10000000, got 0",
        );
        check(
            &[&BASE[..], &["--connections", "0"]].concat(),
            "error: --connections must be between 1 and 10000, got 0",
        );
        check(
            &[
                &BASE[..],
                &["--duration-secs", "3600", "--warmup-secs", "1"],
            ]
            .concat(),
            "error: --duration-secs must be at least 1 and, with --warmup-secs, at most 3600",
        );
        check(
            &[
                "--connect",
                "127.0.0.1:1",
                "--path",
                "small.txt",
                "--rate",
                "1",
            ],
            "error: --path must be an absolute path without spaces, got \"small.txt\"",
        );
        check(
            &[&BASE[..], &["--bogus"]].concat(),
            "error: invalid option '--bogus'",
        );
        check(
            &["--connect", "nowhere"],
            "error: cannot parse argument \"nowhere\": invalid socket address syntax",
        );
    }

    #[test]
    fn the_request_is_a_complete_http11_get() {
        assert_eq!(
            request_bytes("/4k.bin"),
            b"GET /4k.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bext-loadgen\r\n\r\n"
        );
    }
}
