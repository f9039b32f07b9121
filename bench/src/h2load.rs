//! Driving h2load (nghttp2's HTTP/2 load generator, Debian's `nghttp2-client`) and reading
//! its report. `parse` is sans-I/O and tested on real captured output
//! (`bench/testdata/h2load/`); `run` adds the process, the CPU pinning and the deadline.
//!
//! h2load reports no latency percentiles, only the min, max, mean and spread of request
//! times, so the `h2` scenario reports throughput and CPU time, not p99.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::error::Error;
use crate::limits::H2LOAD_OVERRUN_MS;
use crate::run::run_captured;
use crate::wrk::WrkResult;

/// One h2load process: what it loads and where it runs.
pub struct H2loadRun<'a> {
    pub url: &'a str,
    pub duration_secs: u32,
    pub connections: u32,
    /// Concurrent streams per connection (`-m`).
    pub streams: u32,
    /// The CPU h2load is pinned to.
    pub cpu: usize,
}

/// What h2load's summary says.
#[derive(Debug, Clone, PartialEq)]
pub struct H2loadReport {
    /// From `finished in 2.01s, 22840.00 req/s, ...`: requests done over the measured time.
    pub requests_per_sec: f64,
    pub elapsed_secs: f64,
    /// From `requests: N total, N started, N done, N succeeded, N failed, N errored, N timeout`.
    pub done: u64,
    pub succeeded: u64,
    /// Requests that failed without an HTTP status (connection or protocol errors).
    pub errored: u64,
    pub timeout: u64,
    /// From `status codes: N 2xx, N 3xx, N 4xx, N 5xx`: the 4xx and 5xx answers.
    pub status_4xx_5xx: u64,
    /// From `traffic: 2.40MB (2518000) total, ...`: every byte received, frames included.
    pub traffic_bytes: u64,
    /// From `Application protocol: h2` (`h2c` in cleartext); `None` when no connection was made.
    pub protocol: Option<String>,
}

impl H2loadReport {
    /// The report in the form the harness's run accounting reads (`p50_us` and `p99_us` are
    /// NaN: h2load has no percentiles).
    pub fn to_result(&self) -> WrkResult {
        WrkResult {
            requests_per_sec: self.requests_per_sec,
            requests: self.done,
            elapsed_secs: self.elapsed_secs,
            p50_us: f64::NAN,
            p99_us: f64::NAN,
            socket_errors: self.errored + self.timeout,
            non_2xx: self.status_4xx_5xx,
            bytes_per_sec: if self.elapsed_secs > 0.0 {
                self.traffic_bytes as f64 / self.elapsed_secs
            } else {
                0.0
            },
        }
    }
}

/// Runs `taskset -c <cpu> h2load -t1 -c<connections> -m<streams> -D <secs> <url>`.
pub fn run(h2load: &Path, load: &H2loadRun<'_>) -> Result<WrkResult, Error> {
    let H2loadRun {
        url,
        duration_secs,
        connections,
        streams,
        cpu,
    } = *load;
    let mut command = Command::new("taskset");
    command
        .arg("-c")
        .arg(cpu.to_string())
        .arg(h2load)
        .arg("-t1")
        .arg(format!("-c{connections}"))
        .arg(format!("-m{streams}"))
        .arg("-D")
        .arg(duration_secs.to_string())
        .arg(url);
    let timeout =
        Duration::from_secs(u64::from(duration_secs)) + Duration::from_millis(H2LOAD_OVERRUN_MS);
    let output = run_captured(&mut command, &format!("h2load against {url}"), timeout)?;
    let text = format!("{}{}", output.stdout, output.stderr);
    if !output.status.success() {
        return Err(Error::run(format!(
            "h2load against {url} failed ({}): {}",
            output.status,
            text.trim()
        )));
    }
    let report = parse(&output.stdout).map_err(|error| {
        Error::run(format!(
            "cannot read h2load's report for {url}: {error}\n--- h2load output ---\n{text}"
        ))
    })?;
    // h2load exits 0 when it could not connect or agree on HTTP/2; its output says why.
    if report.done == 0 {
        return Err(Error::run(format!(
            "h2load completed no requests against {url}\n--- h2load output ---\n{}",
            text.trim()
        )));
    }
    Ok(report.to_result())
}

/// Reads the summary lines of h2load's report.
pub fn parse(report: &str) -> Result<H2loadReport, String> {
    let mut finished = None;
    let mut requests = None;
    let mut status = None;
    let mut traffic_bytes = None;
    let mut protocol = None;
    for line in report.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("finished in ") {
            // "2.01s, 22840.00 req/s, 1.20MB/s"
            let mut parts = rest.split(',').map(str::trim);
            let elapsed = parse_duration_secs(parts.next().unwrap_or_default())?;
            let rate = parts
                .next()
                .and_then(|part| part.strip_suffix(" req/s"))
                .and_then(|rate| rate.parse::<f64>().ok())
                .ok_or_else(|| format!("bad finished line: {line:?}"))?;
            finished = Some((elapsed, rate));
        } else if let Some(rest) = line.strip_prefix("requests:") {
            requests = Some(counts(rest).map_err(|error| format!("{error} in {line:?}"))?);
        } else if let Some(rest) = line.strip_prefix("status codes:") {
            status = Some(counts(rest).map_err(|error| format!("{error} in {line:?}"))?);
        } else if let Some(rest) = line.strip_prefix("traffic:") {
            // "2.40MB (2518000) total, 1.05MB (1100160) headers ..."
            let bytes = rest
                .split_once('(')
                .and_then(|(_, after)| after.split_once(')'))
                .and_then(|(bytes, after)| after.trim_start().starts_with("total").then_some(bytes))
                .and_then(|bytes| bytes.parse::<u64>().ok())
                .ok_or_else(|| format!("bad traffic line: {line:?}"))?;
            traffic_bytes = Some(bytes);
        } else if let Some(rest) = line.strip_prefix("Application protocol:") {
            protocol = Some(rest.trim().to_string());
        }
    }
    let (elapsed_secs, requests_per_sec) = finished.ok_or("no \"finished in\" line")?;
    let requests = requests.ok_or("no \"requests:\" line")?;
    let status = status.ok_or("no \"status codes:\" line")?;
    let count = |counts: &[(String, u64)], label: &str| {
        counts
            .iter()
            .find(|(name, _)| name == label)
            .map(|(_, count)| *count)
            .ok_or_else(|| format!("no {label:?} count"))
    };
    Ok(H2loadReport {
        requests_per_sec,
        elapsed_secs,
        done: count(&requests, "done")?,
        succeeded: count(&requests, "succeeded")?,
        errored: count(&requests, "errored")?,
        timeout: count(&requests, "timeout")?,
        status_4xx_5xx: count(&status, "4xx")? + count(&status, "5xx")?,
        traffic_bytes: traffic_bytes.ok_or("no \"traffic:\" line")?,
        protocol,
    })
}

/// " 45680 total, 46192 started, 45680 done" -> [("total", 45680), ...].
fn counts(text: &str) -> Result<Vec<(String, u64)>, String> {
    text.split(',')
        .map(|part| {
            let (count, label) = part
                .trim()
                .split_once(' ')
                .ok_or_else(|| format!("bad count {part:?}"))?;
            let count = count
                .parse::<u64>()
                .map_err(|_| format!("bad count {part:?}"))?;
            Ok((label.trim().to_string(), count))
        })
        .collect()
}

/// "2.01s", "500.00ms", "300.00us" (nghttp2's `format_duration`) -> seconds.
fn parse_duration_secs(text: &str) -> Result<f64, String> {
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(|| format!("duration without a unit: {text:?}"))?;
    let (number, unit) = text.split_at(split);
    let value = number
        .parse::<f64>()
        .map_err(|_| format!("bad duration: {text:?}"))?;
    let scale = match unit {
        "s" => 1.0,
        "ms" => 1e-3,
        "us" => 1e-6,
        _ => return Err(format!("unknown duration unit {unit:?} in {text:?}")),
    };
    Ok(value * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H2_TLS_BEXT: &str = include_str!("../testdata/h2load/h2-tls-bext.txt");
    const H2C_NGINX: &str = include_str!("../testdata/h2load/h2c-nginx.txt");
    const NOT_FOUND: &str = include_str!("../testdata/h2load/not-found.txt");
    const REFUSED: &str = include_str!("../testdata/h2load/refused.txt");

    fn check(report: &str, expect: &str) {
        let actual = match parse(report) {
            Ok(r) => format!(
                "rps={} in {}s done={} ok={} errored={} timeout={} 4xx5xx={} bytes={} protocol={}",
                r.requests_per_sec,
                r.elapsed_secs,
                r.done,
                r.succeeded,
                r.errored,
                r.timeout,
                r.status_4xx_5xx,
                r.traffic_bytes,
                r.protocol.as_deref().unwrap_or("-")
            ),
            Err(error) => format!("error: {error}"),
        };
        assert_eq!(actual, expect);
    }

    #[test]
    fn parses_captured_reports() {
        check(
            H2_TLS_BEXT,
            "rps=22840 in 2.01s done=45680 ok=45680 errored=0 timeout=0 4xx5xx=0 bytes=2518000 protocol=h2",
        );
        check(
            H2C_NGINX,
            "rps=45092 in 2.02s done=90184 ok=90184 errored=0 timeout=0 4xx5xx=0 bytes=12266592 protocol=h2c",
        );
        // A missing file: every request done, none succeeded, all of them 4xx.
        check(
            NOT_FOUND,
            "rps=11368 in 1s done=11368 ok=0 errored=0 timeout=0 4xx5xx=11368 bytes=1603136 protocol=h2c",
        );
        // Nothing listening: h2load exits 0 with an empty report.
        check(
            REFUSED,
            "rps=0 in 1s done=0 ok=0 errored=0 timeout=0 4xx5xx=0 bytes=0 protocol=-",
        );
    }

    #[test]
    fn reads_the_report_as_the_run_accounting_does() {
        let result = parse(NOT_FOUND).map(|report| report.to_result());
        let result = result.as_ref().map(|r| {
            (
                r.requests_per_sec,
                r.requests,
                r.socket_errors,
                r.non_2xx,
                r.p99_us.is_nan(),
            )
        });
        assert_eq!(result, Ok((11368.0, 11368, 0, 11368, true)));
        let refused = parse(REFUSED).map(|report| report.to_result().bytes_per_sec);
        assert_eq!(refused, Ok(0.0));
    }

    #[test]
    fn rejects_incomplete_reports() {
        check("", "error: no \"finished in\" line");
        check(
            &H2_TLS_BEXT.replace("finished in 2.01s", "finished in 2.01"),
            "error: duration without a unit: \"2.01\"",
        );
        check(
            &H2_TLS_BEXT.replace("finished in 2.01s", "finished in 2.01h"),
            "error: unknown duration unit \"h\" in \"2.01h\"",
        );
        check(
            &H2_TLS_BEXT.replace("finished in 2.01s", "finished in 500.00ms"),
            "rps=22840 in 0.5s done=45680 ok=45680 errored=0 timeout=0 4xx5xx=0 bytes=2518000 protocol=h2",
        );
        check(
            &H2_TLS_BEXT.replace("22840.00 req/s", "lots"),
            "error: bad finished line: \"finished in 2.01s, lots, 1.20MB/s\"",
        );
        check(
            &H2_TLS_BEXT.replace("45680 done", "many done"),
            "error: bad count \" many done\" in \"requests: 45680 total, 46192 started, many done, 45680 succeeded, 0 failed, 0 errored, 0 timeout\"",
        );
        check(
            &H2_TLS_BEXT.replace("0 timeout", "0 late"),
            "error: no \"timeout\" count",
        );
        check(
            &H2_TLS_BEXT.replace("status codes:", "codes:"),
            "error: no \"status codes:\" line",
        );
        check(
            &H2_TLS_BEXT.replace("(2518000) total", "(2518000) sum"),
            "error: bad traffic line: \"traffic: 2.40MB (2518000) sum, 1.05MB (1100160) headers (space savings 86.77%), 579.92KB (593840) data\"",
        );
    }
}
