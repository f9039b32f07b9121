//! Driving `bext-h3load` (this package's HTTP/3 generator, `src/bin/h3load.rs`) and reading
//! its one-line JSON report. `parse` is sans-I/O and tested on the generator's own output
//! shape; `run` adds the process, the CPU pinning and the deadline; `check` is the
//! before-measuring check that curl does for the other protocols (Debian's curl has no
//! HTTP/3).
//!
//! The generator reports requests, body bytes and the measured time, no latency percentiles,
//! so the `h3` scenario reports throughput and CPU time, as `h2` does.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde::Deserialize;

use crate::error::Error;
use crate::limits::{H2LOAD_OVERRUN_MS, READY_DEADLINE_MS};
use crate::run::run_captured;
use crate::wrk::WrkResult;

/// One bext-h3load process: what it loads and where it runs.
pub struct H3loadRun<'a> {
    /// `https://127.0.0.1:PORT/path`: the port is the UDP one.
    pub url: &'a str,
    pub duration_secs: u32,
    pub connections: u32,
    /// Requests in flight on each connection.
    pub streams: u32,
    /// The CPU the generator is pinned to.
    pub cpu: usize,
}

/// What the generator prints.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct H3loadReport {
    pub requests: u64,
    pub errors: u64,
    pub body_bytes: u64,
    pub elapsed_secs: f64,
    pub requests_per_sec: f64,
    pub bytes_per_sec: f64,
}

impl H3loadReport {
    /// The report in the form the harness's run accounting reads (no percentiles).
    pub fn to_result(&self) -> WrkResult {
        WrkResult {
            requests_per_sec: self.requests_per_sec,
            requests: self.requests,
            elapsed_secs: self.elapsed_secs,
            p50_us: f64::NAN,
            p99_us: f64::NAN,
            socket_errors: 0,
            non_2xx: self.errors,
            bytes_per_sec: self.bytes_per_sec,
        }
    }
}

/// Reads the generator's JSON line.
pub fn parse(stdout: &str) -> Result<H3loadReport, String> {
    let line = stdout
        .lines()
        .rev()
        .find(|line| line.trim_start().starts_with('{'))
        .ok_or("no JSON line")?;
    serde_json::from_str(line).map_err(|error| format!("{error}: {line:?}"))
}

/// The address and path of `url` (`https://HOST:PORT/path`).
fn split_url(url: &str) -> Result<(&str, &str), Error> {
    let rest = url
        .strip_prefix("https://")
        .ok_or_else(|| Error::run(format!("internal: {url} is not an https URL")))?;
    let slash = rest.find('/').unwrap_or(rest.len());
    let (addr, path) = rest.split_at(slash);
    Ok((addr, if path.is_empty() { "/" } else { path }))
}

/// Runs `taskset -c <cpu> bext-h3load --connect ADDR --path P --connections C --streams M
/// --duration-secs D`.
pub fn run(h3load: &Path, load: &H3loadRun<'_>) -> Result<WrkResult, Error> {
    let (addr, path) = split_url(load.url)?;
    let mut command = Command::new("taskset");
    command
        .arg("-c")
        .arg(load.cpu.to_string())
        .arg(h3load)
        .args(["--connect", addr, "--path", path])
        .arg("--connections")
        .arg(load.connections.to_string())
        .arg("--streams")
        .arg(load.streams.to_string())
        .arg("--duration-secs")
        .arg(load.duration_secs.to_string());
    let timeout = Duration::from_secs(u64::from(load.duration_secs))
        + Duration::from_millis(H2LOAD_OVERRUN_MS);
    let url = load.url;
    let output = run_captured(&mut command, &format!("bext-h3load against {url}"), timeout)?;
    if !output.status.success() {
        return Err(Error::run(format!(
            "bext-h3load against {url} failed ({}): {}{}",
            output.status,
            output.stdout.trim(),
            output.stderr.trim()
        )));
    }
    let report = parse(&output.stdout).map_err(|error| {
        Error::run(format!(
            "cannot read bext-h3load's report for {url}: {error}\n{}",
            output.stderr.trim()
        ))
    })?;
    Ok(report.to_result())
}

/// Fetches `url` once over HTTP/3: it must answer 200 with `body_bytes` bytes.
pub fn check(h3load: &Path, url: &str, body_bytes: usize) -> Result<(), Error> {
    let (addr, path) = split_url(url)?;
    let mut command = Command::new(h3load);
    command
        .args(["--connect", addr, "--path", path, "--check"])
        .arg(body_bytes.to_string());
    let output = run_captured(
        &mut command,
        &format!("bext-h3load --check {url}"),
        Duration::from_millis(READY_DEADLINE_MS),
    )?;
    if output.status.success() {
        return Ok(());
    }
    Err(Error::run(format!(
        "{url} over HTTP/3: {}",
        output.stderr.trim()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_generator_s_line() {
        let report = parse(
            "{\"requests\":1200,\"errors\":0,\"body_bytes\":15600,\"elapsed_secs\":1.000200,\
             \"requests_per_sec\":1199.8,\"bytes_per_sec\":15596.9}\n",
        )
        .expect("parses");
        assert_eq!(report.requests, 1200);
        let result = report.to_result();
        assert_eq!((result.requests, result.non_2xx), (1200, 0));
        assert!(result.p99_us.is_nan());
        assert!(parse("bext-h3load: handshakes did not finish\n").is_err());
    }

    #[test]
    fn splits_the_url_into_address_and_path() {
        let (addr, path) = split_url("https://127.0.0.1:8443/small.txt").expect("splits");
        assert_eq!((addr, path), ("127.0.0.1:8443", "/small.txt"));
        assert_eq!(split_url("https://127.0.0.1:8443").expect("splits").1, "/");
        assert!(split_url("http://127.0.0.1:80/").is_err());
    }
}
