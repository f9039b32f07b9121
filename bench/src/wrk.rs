//! Driving wrk and reading its report. `parse` is sans-I/O and tested on captured output;
//! `run` adds the process, the CPU pinning and the deadline.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::error::Error;
use crate::limits::{WRK_OVERRUN_MS, WRK_TIMEOUT_SECS};
use crate::run::run_captured;

/// What one wrk run measured (h2load's report is read into the same fields, see
/// `h2load::H2loadReport::to_result`).
#[derive(Debug, Clone, PartialEq)]
pub struct WrkResult {
    pub requests_per_sec: f64,
    /// Requests completed, and the wall time wrk measured them over.
    pub requests: u64,
    pub elapsed_secs: f64,
    /// Median latency in microseconds (NaN from generators without percentiles).
    pub p50_us: f64,
    /// 99th percentile latency in microseconds.
    pub p99_us: f64,
    /// connect + read + write + timeout errors.
    pub socket_errors: u64,
    /// Responses that were neither 2xx nor 3xx.
    pub non_2xx: u64,
    /// Bytes read per second (wrk's `Transfer/sec`, heads and bodies).
    pub bytes_per_sec: f64,
}

/// One wrk process: what it loads and where it runs.
pub struct WrkRun<'a> {
    pub url: &'a str,
    pub duration_secs: u32,
    pub connections: u32,
    /// The CPU wrk is pinned to.
    pub cpu: usize,
    /// A Lua script (`-s`), e.g. the pipelining one.
    pub script: Option<&'a Path>,
    /// Extra request headers (`-H` each), e.g. `Connection: close`.
    pub headers: &'a [&'a str],
}

/// Runs `taskset -c <cpu> wrk -t1 -c<connections> -d<secs>s --timeout=10s --latency [-s script]
/// [-H header]... <url>`.
pub fn run(wrk: &Path, load: &WrkRun<'_>) -> Result<WrkResult, Error> {
    let WrkRun {
        url,
        duration_secs,
        connections,
        cpu,
        script,
        headers,
    } = *load;
    let mut command = Command::new("taskset");
    command
        .arg("-c")
        .arg(cpu.to_string())
        .arg(wrk)
        .arg("-t1")
        .arg(format!("-c{connections}"))
        .arg(format!("-d{duration_secs}s"))
        .arg(format!("--timeout={WRK_TIMEOUT_SECS}s"))
        .arg("--latency");
    if let Some(script) = script {
        command.arg("-s").arg(script);
    }
    for header in headers {
        command.arg("-H").arg(header);
    }
    command.arg(url);
    let timeout =
        Duration::from_secs(u64::from(duration_secs)) + Duration::from_millis(WRK_OVERRUN_MS);
    let output = run_captured(&mut command, &format!("wrk against {url}"), timeout)?;
    if !output.status.success() {
        return Err(Error::run(format!(
            "wrk against {url} failed ({}): {}{}",
            output.status,
            output.stderr.trim(),
            output.stdout.trim()
        )));
    }
    parse(&output.stdout).map_err(|error| {
        Error::run(format!(
            "cannot read wrk's report for {url}: {error}\n--- wrk output ---\n{}",
            output.stdout
        ))
    })
}

/// Reads requests/sec, the 50% and 99% latency lines and the error counts from wrk's
/// `--latency` report.
pub fn parse(report: &str) -> Result<WrkResult, String> {
    let mut requests_per_sec = None;
    let mut completed = None;
    let mut p50_us = None;
    let mut p99_us = None;
    let mut socket_errors = 0;
    let mut non_2xx = 0;
    let mut bytes_per_sec = 0.0;
    for line in report.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("Requests/sec:") {
            let value = rest
                .trim()
                .parse::<f64>()
                .map_err(|_| format!("bad Requests/sec line: {line:?}"))?;
            requests_per_sec = Some(value);
        } else if let Some((count, rest)) = line.split_once(" requests in ") {
            // "240000 requests in 2.00s, 50.00MB read"
            let requests = count
                .trim()
                .parse::<u64>()
                .map_err(|_| format!("bad request count line: {line:?}"))?;
            let elapsed = rest.split(',').next().unwrap_or_default().trim();
            completed = Some((requests, parse_duration_us(elapsed)? / 1e6));
        } else if let Some(rest) = line.strip_prefix("50%") {
            p50_us = Some(parse_duration_us(rest.trim())?);
        } else if let Some(rest) = line.strip_prefix("99%") {
            p99_us = Some(parse_duration_us(rest.trim())?);
        } else if let Some(rest) = line.strip_prefix("Socket errors:") {
            // "connect 0, read 1, write 0, timeout 3"
            for part in rest.split(',') {
                let count = part
                    .split_whitespace()
                    .nth(1)
                    .and_then(|n| n.parse::<u64>().ok());
                socket_errors +=
                    count.ok_or_else(|| format!("bad Socket errors line: {line:?}"))?;
            }
        } else if let Some(rest) = line.strip_prefix("Transfer/sec:") {
            bytes_per_sec = parse_bytes(rest.trim())?;
        } else if let Some(rest) = line.strip_prefix("Non-2xx or 3xx responses:") {
            non_2xx = rest
                .trim()
                .parse::<u64>()
                .map_err(|_| format!("bad Non-2xx line: {line:?}"))?;
        }
    }
    let requests_per_sec = requests_per_sec.ok_or("no Requests/sec line")?;
    let (requests, elapsed_secs) = completed.ok_or("no \"N requests in T\" line")?;
    let p50_us = p50_us.ok_or("no 50% latency line (was --latency passed?)")?;
    let p99_us = p99_us.ok_or("no 99% latency line (was --latency passed?)")?;
    Ok(WrkResult {
        requests_per_sec,
        requests,
        elapsed_secs,
        p50_us,
        p99_us,
        socket_errors,
        non_2xx,
        bytes_per_sec,
    })
}

/// "25.00MB", "812.00KB", "100.00B" -> bytes. wrk scales by 1024 (its `format_binary`).
fn parse_bytes(text: &str) -> Result<f64, String> {
    let number_end = text
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(|| format!("size without a unit: {text:?}"))?;
    let (number, unit) = text.split_at(number_end);
    let value = number
        .parse::<f64>()
        .map_err(|_| format!("bad size number: {text:?}"))?;
    let scale: f64 = match unit {
        "B" => 1.0,
        "KB" => 1024.0,
        "MB" => 1024.0 * 1024.0,
        "GB" => 1024.0 * 1024.0 * 1024.0,
        "TB" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(format!("unknown size unit {unit:?} in {text:?}")),
    };
    Ok(value * scale)
}

/// "812.00us", "1.23ms", "2.00s", "1.50m" -> microseconds.
fn parse_duration_us(text: &str) -> Result<f64, String> {
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(|| format!("latency without a unit: {text:?}"))?;
    let (number, unit) = text.split_at(split);
    let value = number
        .parse::<f64>()
        .map_err(|_| format!("bad latency number: {text:?}"))?;
    let scale = match unit {
        "us" => 1.0,
        "ms" => 1e3,
        "s" => 1e6,
        "m" => 60e6,
        "h" => 3600e6,
        _ => return Err(format!("unknown latency unit {unit:?} in {text:?}")),
    };
    Ok(value * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(report: &str, expect: &str) {
        let actual = match parse(report) {
            Ok(r) => format!(
                "rps={} n={} in {}s p50us={} p99us={} socket_errors={} non2xx={} Bps={}",
                r.requests_per_sec,
                r.requests,
                r.elapsed_secs,
                r.p50_us,
                r.p99_us,
                r.socket_errors,
                r.non_2xx,
                r.bytes_per_sec
            ),
            Err(error) => format!("error: {error}"),
        };
        assert_eq!(actual, expect);
    }

    const CLEAN: &str = "\
Running 2s test @ http://127.0.0.1:8080/small.txt
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   405.23us  100.00us   5.00ms   90.00%
    Req/Sec   120.00k     5.00k  130.00k    80.00%
  Latency Distribution
     50%  400.00us
     75%  450.00us
     90%  500.00us
     99%  812.00us
  240000 requests in 2.00s, 50.00MB read
Requests/sec: 120000.50
Transfer/sec:     25.00MB
";

    #[test]
    fn parses_wrk_reports() {
        check(
            CLEAN,
            "rps=120000.5 n=240000 in 2s p50us=400 p99us=812 socket_errors=0 non2xx=0 Bps=26214400",
        );
        check(
            &CLEAN.replace("812.00us", "1.25ms"),
            "rps=120000.5 n=240000 in 2s p50us=400 p99us=1250 socket_errors=0 non2xx=0 Bps=26214400",
        );
        check(
            &CLEAN.replace("812.00us", "2.00s"),
            "rps=120000.5 n=240000 in 2s p50us=400 p99us=2000000 socket_errors=0 non2xx=0 Bps=26214400",
        );
        check(
            &CLEAN.replace("812.00us", "1.50m"),
            "rps=120000.5 n=240000 in 2s p50us=400 p99us=90000000 socket_errors=0 non2xx=0 Bps=26214400",
        );
        check(
            &CLEAN.replace(
                "Requests/sec",
                "  Socket errors: connect 1, read 2, write 3, timeout 4\n  Non-2xx or 3xx responses: 7\nRequests/sec",
            ),
            "rps=120000.5 n=240000 in 2s p50us=400 p99us=812 socket_errors=10 non2xx=7 Bps=26214400",
        );
    }

    #[test]
    fn rejects_incomplete_reports() {
        check(
            &CLEAN.replace("     99%  812.00us\n", ""),
            "error: no 99% latency line (was --latency passed?)",
        );
        check(
            &CLEAN.replace("     50%  400.00us\n", ""),
            "error: no 50% latency line (was --latency passed?)",
        );
        check(
            &CLEAN.replace("Requests/sec: 120000.50\n", ""),
            "error: no Requests/sec line",
        );
        check(
            &CLEAN.replace("812.00us", "812.00"),
            "error: latency without a unit: \"812.00\"",
        );
        check(
            &CLEAN.replace("812.00us", "812.00ns"),
            "error: unknown latency unit \"ns\" in \"812.00ns\"",
        );
        check(
            &CLEAN.replace("120000.50", "lots"),
            "error: bad Requests/sec line: \"Requests/sec: lots\"",
        );
        check(
            &CLEAN.replace("  240000 requests in 2.00s, 50.00MB read\n", ""),
            "error: no \"N requests in T\" line",
        );
        check(
            &CLEAN.replace("240000 requests", "many requests"),
            "error: bad request count line: \"many requests in 2.00s, 50.00MB read\"",
        );
        check("", "error: no Requests/sec line");
        check(
            &CLEAN.replace("25.00MB", "1.50GB"),
            "rps=120000.5 n=240000 in 2s p50us=400 p99us=812 socket_errors=0 non2xx=0 Bps=1610612736",
        );
        check(
            &CLEAN.replace("25.00MB", "512.00B"),
            "rps=120000.5 n=240000 in 2s p50us=400 p99us=812 socket_errors=0 non2xx=0 Bps=512",
        );
        check(
            &CLEAN.replace("25.00MB", "25.00XB"),
            "error: unknown size unit \"XB\" in \"25.00XB\"",
        );
    }
}
