//! The `latency` scenario: latency percentiles at fixed request rates, free of coordinated
//! omission, from `bext-loadgen` (our own open-loop generator; the method is in
//! `bext_bench::loadgen`).
//!
//! For each rate (20k and 100k req/s by default, well below every contender's one-core
//! saturation on the small file) every contender is started fresh on CPU 0, warmed up with
//! one untimed generator run (not in smoke mode), and then measured in interleaved rounds.
//! The generator runs on CPU 1 and busy-polls it, so its CPU use says nothing; the server's
//! CPU time per request is recorded as in the other scenarios.
//!
//! Rows per (rate, contender): p50/p90/p99/p99.9/max latency from each request's *scheduled*
//! send time to its last response byte, the achieved rate, the requests that could not be
//! sent on schedule (total, and the part the generator itself is to blame for), errors, and
//! server CPU per request.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use bext_bench::loadgen::summary::Summary;
use serde_json::json;

use crate::child::ServerProcess;
use crate::cli::Options;
use crate::contender::{Role, ServeSpec, stop_checked};
use crate::cpu_time;
use crate::error::Error;
use crate::http_probe::wait_ready;
use crate::limits::{LOAD_CPU, LOADGEN_OVERRUN_MS, SERVER_CPU, WARMUP_SECS};
use crate::load_run::METRIC_CPU_PER_REQUEST;
use crate::locate::{self, Needs};
use crate::report::{Report, Row};
use crate::run::run_captured;
use crate::static_files::METRIC_SERVER_CPU_UTIL;
use crate::workdir::{SMALL_BODY, SMALL_FILE};

/// Connections the rate is spread over: 64 gives each one a request every 3.2 ms at 20k/s
/// and every 640 us at 100k/s, far longer than a loopback round trip, so a connection is
/// normally idle when its next request is due.
pub const CONNECTIONS_DEFAULT: u32 = 64;

pub const METRIC_P50: &str = "latency_p50";
pub const METRIC_P90: &str = "latency_p90";
pub const METRIC_P99: &str = "latency_p99";
pub const METRIC_P999: &str = "latency_p999";
pub const METRIC_MAX: &str = "latency_max";
pub const METRIC_ACHIEVED_RATE: &str = "achieved_rate";
pub const METRIC_LATE_SENDS: &str = "late_sends";
pub const METRIC_LATE_GENERATOR: &str = "late_generator";
pub const METRIC_ERRORS: &str = "errors";

/// Below this share of the target rate, the server (or the generator) did not keep up.
const ACHIEVED_RATE_MIN_FRACTION: f64 = 0.95;
/// Above this share of generator-late sends, the percentiles partly measure the generator.
const GENERATOR_LATE_MAX_FRACTION: f64 = 0.01;
/// nginx's worker_connections floor, as in `static`.
const NGINX_CONNECTIONS_FLOOR: u32 = 1024;

/// One generator run against one server.
struct Measured {
    summary: Summary,
    cpu_us_per_request: f64,
    cpu_util_percent: f64,
}

pub fn run(options: &Options) -> Result<Report, Error> {
    let (programs, workdir) = locate::prepare(
        &options.contenders,
        Needs {
            loadgen: true,
            ..Needs::default()
        },
    )?;
    let loadgen = programs
        .loadgen
        .clone()
        .ok_or_else(|| Error::run("internal: bext-loadgen was not located"))?;
    let names: Vec<&str> = options.contenders.iter().map(|c| c.name()).collect();
    let warmup_secs = if options.smoke { 0 } else { WARMUP_SECS };
    let settings = BTreeMap::from([
        ("duration_secs".to_string(), json!(options.duration_secs)),
        ("rounds".to_string(), json!(options.rounds)),
        ("connections".to_string(), json!(options.connections)),
        ("rates".to_string(), json!(options.rates)),
        ("warmup_secs".to_string(), json!(warmup_secs)),
        ("server_cpu".to_string(), json!(SERVER_CPU)),
        ("load_cpu".to_string(), json!(LOAD_CPU)),
        (
            "load_generator".to_string(),
            json!("bext-loadgen (open loop, latency from scheduled send time)"),
        ),
        ("contenders".to_string(), json!(names)),
        ("nginx_master_process".to_string(), json!("off")),
        (
            "ceiling_uring_setup".to_string(),
            json!(options.ceiling_uring.name()),
        ),
    ]);
    let mut report = Report::new("latency", options.smoke, settings);
    println!(
        "latency: bext-loadgen on CPU {LOAD_CPU} (open loop, {} connections), servers on CPU {SERVER_CPU}; rates {:?} req/s; \
         {} round(s) of {} s (warm-up {warmup_secs} s); contenders {}",
        options.connections,
        options.rates,
        options.rounds,
        options.duration_secs,
        names.join(", ")
    );
    let docroot = workdir.docroot();
    let path = format!("/{SMALL_FILE}");
    for &rate in &options.rates {
        let case = format!("{SMALL_FILE}@{rate}");
        let spec = ServeSpec {
            docroot: &docroot,
            ceiling_body_bytes: SMALL_BODY.len(),
            max_connections: NGINX_CONNECTIONS_FLOOR.max(options.connections * 2),
            ceiling_uring: options.ceiling_uring,
            cores: 1,
            nginx_tcp_nopush: true,
            nginx_sendfile: true,
            tls: None,
            http2: false,
            http3: false,
            waf: None,
            app: None,
            role: Role::Origin,
        };
        let mut servers: Vec<ServerProcess> = Vec::new();
        for contender in &options.contenders {
            let mut server = contender.launch(&programs, &spec, &workdir)?;
            wait_ready(&mut server, &path, SMALL_BODY.len())?;
            servers.push(server);
        }
        if warmup_secs > 0 {
            for server in &mut servers {
                measure(
                    server,
                    &loadgen,
                    &path,
                    rate,
                    options.connections,
                    warmup_secs,
                )?;
            }
        }
        let mut results: Vec<Vec<Measured>> =
            options.contenders.iter().map(|_| Vec::new()).collect();
        for round in 1..=options.rounds {
            for (index, server) in servers.iter_mut().enumerate() {
                let result = measure(
                    server,
                    &loadgen,
                    &path,
                    rate,
                    options.connections,
                    options.duration_secs,
                )?;
                let s = &result.summary;
                println!(
                    "  {case:<18} round {round}/{} {:<8} p50 {:>7.1} us  p99 {:>7.1} us  p99.9 {:>7.1} us  max {:>8.1} us  \
                     {:>7.0} req/s  late {}/{}  errors {}  {:.2} us CPU/req",
                    options.rounds,
                    server.name(),
                    s.p50_us,
                    s.p99_us,
                    s.p999_us,
                    s.max_us,
                    s.achieved_rate,
                    s.late(),
                    s.scheduled,
                    s.errors + s.non_200,
                    result.cpu_us_per_request,
                );
                results[index].push(result);
            }
        }
        for server in servers {
            stop_checked(server, &mut report)?;
        }
        for (contender, runs) in options.contenders.iter().zip(&results) {
            push_rows(&mut report, &case, contender.name(), rate, runs);
        }
    }
    report.compute_ratios(&[METRIC_P50, METRIC_P99, METRIC_P999, METRIC_CPU_PER_REQUEST]);
    Ok(report)
}

/// One `bext-loadgen` run against `server`, with the server's CPU time around it.
fn measure(
    server: &mut ServerProcess,
    loadgen: &Path,
    path: &str,
    rate: u64,
    connections: u32,
    duration_secs: u32,
) -> Result<Measured, Error> {
    let pid = server
        .pid()
        .ok_or_else(|| Error::run(format!("{} has no pid", server.name())))?;
    let mut command = Command::new(loadgen);
    command
        .arg("--connect")
        .arg(format!("127.0.0.1:{}", server.port()))
        .args(["--path", path])
        .args(["--rate", &rate.to_string()])
        .args(["--connections", &connections.to_string()])
        .args(["--duration-secs", &duration_secs.to_string()])
        .args(["--cpu", &LOAD_CPU.to_string()]);
    let timeout =
        Duration::from_secs(u64::from(duration_secs)) + Duration::from_millis(LOADGEN_OVERRUN_MS);
    let cpu_before = cpu_time::tree_cpu_seconds(pid)?;
    let started = Instant::now();
    let output = run_captured(&mut command, "bext-loadgen", timeout)?;
    // Longer than the duration when the server fell behind and the generator drained.
    let wall_secs = started.elapsed().as_secs_f64();
    let cpu_after = cpu_time::tree_cpu_seconds(pid);
    if let Some(status) = server.exited() {
        return Err(server.died_error(status, "under load from bext-loadgen"));
    }
    if !output.status.success() {
        return Err(Error::run(format!(
            "bext-loadgen against {} failed ({}): {}",
            server.name(),
            output.status,
            output.stderr.trim()
        )));
    }
    let summary = parse_summary(&output.stdout).map_err(|error| {
        Error::run(format!(
            "cannot read bext-loadgen's report for {}: {error}\n--- output ---\n{}{}",
            server.name(),
            output.stdout,
            output.stderr
        ))
    })?;
    if !output.stderr.trim().is_empty() {
        println!(
            "  bext-loadgen ({}): {}",
            server.name(),
            output.stderr.trim()
        );
    }
    let cpu_secs = cpu_after? - cpu_before;
    let completed = summary.completed.max(1) as f64;
    Ok(Measured {
        cpu_us_per_request: cpu_secs * 1e6 / completed,
        cpu_util_percent: cpu_secs / wall_secs.max(f64::from(duration_secs)) * 100.0,
        summary,
    })
}

/// The generator's report is its last non-empty stdout line.
fn parse_summary(stdout: &str) -> Result<Summary, String> {
    let line = stdout
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .ok_or("no output")?;
    serde_json::from_str(line).map_err(|error| error.to_string())
}

/// Reads one metric out of a run.
type Pick = fn(&Measured) -> f64;

fn push_rows(report: &mut Report, case: &str, contender: &str, rate: u64, runs: &[Measured]) {
    if runs.is_empty() {
        return;
    }
    let column = |pick: fn(&Measured) -> f64| runs.iter().map(pick).collect::<Vec<f64>>();
    let rows: [(&str, &str, Pick); 11] = [
        (METRIC_P50, "us", |r| r.summary.p50_us),
        (METRIC_P90, "us", |r| r.summary.p90_us),
        (METRIC_P99, "us", |r| r.summary.p99_us),
        (METRIC_P999, "us", |r| r.summary.p999_us),
        (METRIC_MAX, "us", |r| r.summary.max_us),
        (METRIC_ACHIEVED_RATE, "req/s", |r| r.summary.achieved_rate),
        (METRIC_LATE_SENDS, "count", |r| r.summary.late() as f64),
        (METRIC_LATE_GENERATOR, "count", |r| {
            r.summary.late_generator as f64
        }),
        (METRIC_ERRORS, "count", |r| {
            (r.summary.errors + r.summary.non_200) as f64
        }),
        (METRIC_CPU_PER_REQUEST, "us", |r| r.cpu_us_per_request),
        (METRIC_SERVER_CPU_UTIL, "%", |r| r.cpu_util_percent),
    ];
    for (metric, unit, pick) in rows {
        report
            .rows
            .push(Row::new(case, contender, metric, unit, column(pick)));
    }
    for warning in warnings(case, contender, rate, runs.iter().map(|run| &run.summary)) {
        report.warn(warning);
    }
}

/// What makes a run's percentiles suspect, worst round first.
fn warnings<'a>(
    case: &str,
    contender: &str,
    rate: u64,
    summaries: impl Iterator<Item = &'a Summary>,
) -> Vec<String> {
    let mut warnings = Vec::new();
    for summary in summaries {
        let failed = summary.errors + summary.non_200;
        if failed > 0 {
            warnings.push(format!(
                "{case}: {contender} failed {failed} of {} requests (errors or non-200)",
                summary.scheduled
            ));
        }
        if summary.achieved_rate < rate as f64 * ACHIEVED_RATE_MIN_FRACTION {
            warnings.push(format!(
                "{case}: {contender} sustained only {:.0} of {rate} req/s: past saturation, the percentiles are queueing",
                summary.achieved_rate
            ));
        }
        if summary.late_generator as f64 > summary.scheduled as f64 * GENERATOR_LATE_MAX_FRACTION {
            warnings.push(format!(
                "{case}: the generator itself sent {} of {} requests late for {contender}: the percentiles include its delay",
                summary.late_generator, summary.scheduled
            ));
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(completed: u64, errors: u64, achieved_rate: f64, late_generator: u64) -> Summary {
        Summary {
            target_rate: 1000,
            connections: 4,
            duration_secs: 1.0,
            scheduled: 1000,
            completed,
            non_200: 0,
            errors,
            achieved_rate,
            late_busy_connection: 0,
            late_generator,
            p50_us: 20.0,
            p90_us: 25.0,
            p99_us: 40.0,
            p999_us: 90.0,
            max_us: 200.0,
            mean_us: 21.0,
        }
    }

    fn check(summary: Summary, expect: &[&str]) {
        assert_eq!(
            warnings("small.txt@1000", "bext", 1000, [&summary].into_iter()),
            expect
        );
    }

    #[test]
    fn warns_when_the_percentiles_are_suspect() {
        check(summary(1000, 0, 999.0, 10), &[]);
        check(
            summary(990, 10, 990.0, 0),
            &["small.txt@1000: bext failed 10 of 1000 requests (errors or non-200)"],
        );
        check(
            summary(1000, 0, 900.0, 0),
            &[
                "small.txt@1000: bext sustained only 900 of 1000 req/s: past saturation, the percentiles are queueing",
            ],
        );
        check(
            summary(1000, 0, 1000.0, 11),
            &[
                "small.txt@1000: the generator itself sent 11 of 1000 requests late for bext: the percentiles include its delay",
            ],
        );
    }

    #[test]
    fn reads_the_generators_last_line() {
        let json = serde_json::to_string(&summary(1000, 0, 999.0, 0)).unwrap_or_default();
        let parsed = parse_summary(&format!("noise\n{json}\n\n"));
        assert_eq!(parsed.map(|s| s.completed), Ok(1000));
        assert_eq!(parse_summary(""), Err("no output".to_string()));
        assert!(parse_summary("{").is_err());
    }
}
