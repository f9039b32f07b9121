//! WebSocket message round trips per second through each proxy and directly (see the
//! module docs of [`super`]): `bext-wsload` runs, CPU accounting around each, rows.

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use bext_bench::ws::load::{self as wsload, Summary};

use crate::child::ServerProcess;
use crate::cli::Options;
use crate::contender::stop_checked;
use crate::cpu_time;
use crate::error::Error;
use crate::latency::{METRIC_P50, METRIC_P99};
use crate::limits::{LOAD_CPU, SERVER_CPU, WARMUP_SECS, WS_MESSAGE_BYTES, WSLOAD_OVERRUN_MS};
use crate::locate::Programs;
use crate::proxy::{
    DIRECT, METRIC_ADDED_LATENCY_P50, METRIC_ADDED_LATENCY_P99, METRIC_LOAD_CORE_BUSY,
    METRIC_UPSTREAM_CPU_UTIL,
};
use crate::report::{Report, Row};
use crate::run::run_captured;
use crate::static_files::{METRIC_SERVER_CORE_BUSY, METRIC_SERVER_CPU_UTIL};
use crate::workdir::WorkDir;

/// The rows' case: 64-byte messages (`WS_MESSAGE_BYTES`).
pub const CASE: &str = "websocket-64B";
pub const METRIC_ROUND_TRIPS_PER_SEC: &str = "round_trips_per_sec";
/// The server's CPU time per round trip (the proxy's; for `direct`, the upstream's).
pub const METRIC_CPU_PER_ROUND_TRIP: &str = "cpu_per_round_trip";
/// `bext-wsload`'s CPU time over the run (CPU 1, beside the upstream).
pub const METRIC_WSLOAD_CPU_UTIL: &str = "wsload_cpu_util";
/// WebSockets that failed mid-run (a tunnel dropped): zero in a clean run.
pub const METRIC_FAILED_CONNECTIONS: &str = "failed_connections";

/// Below this server CPU utilisation the proxy was not what limited its run.
const SATURATED_CPU_PERCENT: f64 = 90.0;
/// Above this, a CPU was busy all the time.
const CORE_FULL_PERCENT: f64 = 95.0;
/// CPU 1's busy time beyond what the generator and the upstream used, above which others'
/// work is called out (percent of the core).
const OTHERS_ON_LOAD_CORE_PERCENT_MAX: f64 = 10.0;

/// The size `CASE` names, which must be the size sent.
const CASE_MESSAGE_BYTES: usize = 64;
const _: () = assert!(CASE_MESSAGE_BYTES == WS_MESSAGE_BYTES);

/// One timed run and what the CPUs did meanwhile.
#[derive(Clone, Debug)]
struct Run {
    summary: Summary,
    /// The measured server's CPU time over the run's wall time, percent of one core.
    server_cpu_util: f64,
    cpu_us_per_round_trip: f64,
    /// How busy CPU 0 was, with anyone's work (the proxy's core; for `direct`, idle).
    server_core_busy: f64,
    /// The upstream's CPU time over the run's wall time (CPU 1, beside the generator).
    upstream_cpu_util: f64,
    /// `bext-wsload`'s CPU time over the run's wall time (CPU 1).
    generator_cpu_util: f64,
    /// How busy CPU 1 was, with anyone's work.
    load_core_busy: f64,
}

/// Starts the proxies, checks and warms them, runs the rounds and pushes the rows.
pub fn run(
    options: &Options,
    programs: &Programs,
    workdir: &WorkDir,
    upstream: &mut ServerProcess,
    report: &mut Report,
) -> Result<(), Error> {
    let connections = options.connections;
    // Each tunnel is two of nginx's worker connections; the probes need a few more.
    let max_connections = crate::wrk_case::NGINX_CONNECTIONS_FLOOR.max(connections * 2 + 64);
    let mut proxies = Vec::new();
    for contender in &options.contenders {
        let proxy = super::launch_proxy(*contender, programs, workdir, upstream, max_connections)?;
        println!(
            "  {CASE:<13} {:<6} tunnels WebSocket echoes to the upstream",
            proxy.name()
        );
        proxies.push(proxy);
    }
    let upstream_pid = upstream
        .pid()
        .ok_or_else(|| Error::run("the WebSocket upstream has no pid"))?;
    let load = |server: &ServerProcess, duration_secs: u32| wsload::Args {
        connect: SocketAddr::from(([127, 0, 0, 1], server.port())),
        path: super::WS_PATH.to_string(),
        connections,
        duration_secs,
        message_bytes: WS_MESSAGE_BYTES,
        cpu: LOAD_CPU,
    };
    if !options.smoke {
        let warmup_secs = WARMUP_SECS.min(options.duration_secs);
        for server in proxies.iter().chain(std::iter::once(&*upstream)) {
            run_wsload(programs, &load(server, warmup_secs))?;
        }
    }
    let mut proxy_runs: Vec<Vec<Run>> = proxies.iter().map(|_| Vec::new()).collect();
    let mut direct_runs = Vec::new();
    for round in 1..=options.rounds {
        for (proxy, runs) in proxies.iter_mut().zip(&mut proxy_runs) {
            let run = measure(
                programs,
                proxy,
                upstream_pid,
                &load(proxy, options.duration_secs),
            )?;
            print_run(round, options.rounds, proxy.name(), &run);
            runs.push(run);
        }
        let upstream_load = load(upstream, options.duration_secs);
        let run = measure(programs, upstream, upstream_pid, &upstream_load)?;
        print_run(round, options.rounds, DIRECT, &run);
        direct_runs.push(run);
    }
    for (proxy, runs) in proxies.iter().zip(&proxy_runs) {
        push_rows(report, proxy.name(), runs);
        push_added_latency(report, proxy.name(), runs, &direct_runs);
        for warning in warnings(proxy.name(), runs) {
            report.warn(warning);
        }
    }
    push_rows(report, DIRECT, &direct_runs);
    for warning in warnings(DIRECT, &direct_runs) {
        report.warn(warning);
    }
    for proxy in proxies {
        stop_checked(proxy, report)?;
    }
    Ok(())
}

/// One timed run against `server` (a proxy, or the upstream itself).
fn measure(
    programs: &Programs,
    server: &mut ServerProcess,
    upstream_pid: u32,
    args: &wsload::Args,
) -> Result<Run, Error> {
    let pid = server
        .pid()
        .ok_or_else(|| Error::run(format!("{} has no pid", server.name())))?;
    let server_before = cpu_time::tree_cpu_seconds(pid)?;
    let upstream_before = cpu_time::tree_cpu_seconds(upstream_pid)?;
    let core_before = cpu_time::core_ticks(LOAD_CPU)?;
    let server_core_before = cpu_time::core_ticks(SERVER_CPU)?;
    let generator_before = generator_cpu_seconds()?;
    let summary = run_wsload(programs, args)?;
    let generator_after = generator_cpu_seconds()?;
    let server_core_after = cpu_time::core_ticks(SERVER_CPU)?;
    let core_after = cpu_time::core_ticks(LOAD_CPU)?;
    let upstream_after = cpu_time::tree_cpu_seconds(upstream_pid)?;
    let server_after = cpu_time::tree_cpu_seconds(pid);
    if let Some(status) = server.exited() {
        return Err(server.died_error(status, "carrying WebSocket round trips"));
    }
    if summary.round_trips == 0 {
        return Err(Error::run(format!(
            "{}: no WebSocket round trip completed in {} s ({})",
            server.name(),
            args.duration_secs,
            summary
                .first_error
                .as_deref()
                .unwrap_or("no error reported")
        )));
    }
    let elapsed = summary.elapsed_secs.max(f64::EPSILON);
    let server_secs = server_after? - server_before;
    Ok(Run {
        server_cpu_util: server_secs / elapsed * 100.0,
        cpu_us_per_round_trip: server_secs * 1e6 / summary.round_trips as f64,
        server_core_busy: cpu_time::busy_percent(server_core_before, server_core_after),
        upstream_cpu_util: (upstream_after - upstream_before) / elapsed * 100.0,
        generator_cpu_util: (generator_after - generator_before) / elapsed * 100.0,
        load_core_busy: cpu_time::busy_percent(core_before, core_after),
        summary,
    })
}

/// CPU time of the harness's finished children: `bext-wsload` is the one waited for during a
/// run.
fn generator_cpu_seconds() -> Result<f64, Error> {
    crate::sys::waited_children_cpu_seconds()
        .map_err(|error| Error::run(format!("getrusage(RUSAGE_CHILDREN): {error}")))
}

/// Runs `bext-wsload` with `args` and reads its report.
fn run_wsload(programs: &Programs, args: &wsload::Args) -> Result<Summary, Error> {
    let program = programs
        .wsload
        .as_ref()
        .ok_or_else(|| Error::run("internal: bext-wsload was not located"))?;
    let mut command = Command::new(program);
    command.args(args.to_command_line());
    let timeout = Duration::from_secs(u64::from(args.duration_secs))
        + Duration::from_millis(WSLOAD_OVERRUN_MS);
    let output = run_captured(&mut command, "bext-wsload", timeout)?;
    if !output.status.success() {
        return Err(Error::run(format!(
            "bext-wsload against {} failed ({}): {}",
            args.connect,
            output.status,
            output.stderr.trim()
        )));
    }
    let line = output.stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).map_err(|error| {
        Error::run(format!(
            "bext-wsload printed no report ({error}): {:?}",
            output.stdout
        ))
    })
}

fn print_run(round: u32, rounds: u32, name: &str, run: &Run) {
    let s = &run.summary;
    println!(
        "  {CASE:<13} round {round}/{rounds} {name:<6} {:>8.0} rt/s  p50 {:>5.0} us  p99 {:>6.0} us  \
         {:>5.2} us CPU/rt  server {:>3.0}%  CPU {SERVER_CPU} {:>3.0}%  upstream {:>3.0}%  \
         wsload {:>3.0}%  CPU {LOAD_CPU} {:>3.0}%{}",
        s.round_trips_per_sec,
        s.p50_us,
        s.p99_us,
        run.cpu_us_per_round_trip,
        run.server_cpu_util,
        run.server_core_busy,
        run.upstream_cpu_util,
        run.generator_cpu_util,
        run.load_core_busy,
        if s.failed_connections > 0 {
            format!("  ({} connections failed)", s.failed_connections)
        } else {
            String::new()
        }
    );
}

/// How a row's value is read from one run.
type Pick = fn(&Run) -> f64;

fn push_rows(report: &mut Report, name: &str, runs: &[Run]) {
    let metrics: [(&str, &str, Pick); 10] = [
        (METRIC_ROUND_TRIPS_PER_SEC, "rt/s", |run| {
            run.summary.round_trips_per_sec
        }),
        (METRIC_P50, "us", |run| run.summary.p50_us),
        (METRIC_P99, "us", |run| run.summary.p99_us),
        (METRIC_CPU_PER_ROUND_TRIP, "us", |run| {
            run.cpu_us_per_round_trip
        }),
        (METRIC_SERVER_CPU_UTIL, "%", |run| run.server_cpu_util),
        (METRIC_SERVER_CORE_BUSY, "%", |run| run.server_core_busy),
        (METRIC_UPSTREAM_CPU_UTIL, "%", |run| run.upstream_cpu_util),
        (METRIC_WSLOAD_CPU_UTIL, "%", |run| run.generator_cpu_util),
        (METRIC_LOAD_CORE_BUSY, "%", |run| run.load_core_busy),
        (METRIC_FAILED_CONNECTIONS, "count", |run| {
            f64::from(run.summary.failed_connections)
        }),
    ];
    if runs.is_empty() {
        return;
    }
    for (metric, unit, pick) in metrics {
        report.rows.push(Row::new(
            CASE,
            name,
            metric,
            unit,
            runs.iter().map(pick).collect(),
        ));
    }
}

/// The proxy's round-trip latency minus direct's, round by round.
fn push_added_latency(report: &mut Report, name: &str, runs: &[Run], direct: &[Run]) {
    let added: [(&str, Pick); 2] = [
        (METRIC_ADDED_LATENCY_P50, |run| run.summary.p50_us),
        (METRIC_ADDED_LATENCY_P99, |run| run.summary.p99_us),
    ];
    for (metric, pick) in added {
        let rounds: Vec<f64> = runs
            .iter()
            .zip(direct)
            .map(|(proxied, direct)| pick(proxied) - pick(direct))
            .collect();
        if !rounds.is_empty() {
            report.rows.push(Row::new(CASE, name, metric, "us", rounds));
        }
    }
}

/// What makes a server's runs suspect, in sentences: WebSockets that failed mid-run, other
/// processes' work on CPU 1 (the generator's and the upstream's) or, for a proxy, on CPU 0,
/// and a proxy that did not use its core because CPU 1 was full. `direct` has no proxy: only
/// the first two apply.
fn warnings(name: &str, runs: &[Run]) -> Vec<String> {
    let median = |pick: Pick| crate::stats::median(&runs.iter().map(pick).collect::<Vec<_>>());
    let mut warnings = Vec::new();
    if let Some(run) = runs.iter().find(|run| run.summary.failed_connections > 0) {
        warnings.push(format!(
            "{CASE}: {} of {} WebSockets through {name} failed mid-run; first: {}",
            run.summary.failed_connections,
            run.summary.connections,
            run.summary
                .first_error
                .as_deref()
                .unwrap_or("no error reported")
        ));
    }
    let (Some(server), Some(server_core), Some(load_core), Some(ours_on_load_core)) = (
        median(|run| run.server_cpu_util),
        median(|run| run.server_core_busy),
        median(|run| run.load_core_busy),
        median(|run| run.generator_cpu_util + run.upstream_cpu_util),
    ) else {
        return warnings;
    };
    let others = load_core - ours_on_load_core;
    if others >= OTHERS_ON_LOAD_CORE_PERCENT_MAX {
        warnings.push(format!(
            "{CASE}: {name}: other processes took about {others:.0}% of CPU {LOAD_CPU} from the \
             generator and the upstream: round trips/s and latency are disturbed"
        ));
    }
    if name == DIRECT || server >= SATURATED_CPU_PERCENT {
        return warnings;
    }
    if server_core >= CORE_FULL_PERCENT {
        warnings.push(format!(
            "{CASE}: {name} got only {server:.0}% of CPU {SERVER_CPU} while it was \
             {server_core:.0}% busy: other processes shared the core, so round trips/s and \
             latency are disturbed"
        ));
    } else if load_core >= CORE_FULL_PERCENT {
        warnings.push(format!(
            "{CASE}: {name} used {server:.0}% of CPU {SERVER_CPU} while CPU {LOAD_CPU} (the \
             generator and the upstream) was {load_core:.0}% busy: CPU {LOAD_CPU} limited round \
             trips/s, not the proxy; compare {METRIC_CPU_PER_ROUND_TRIP}"
        ));
    }
    warnings
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// A run with the given latencies, the proxy's CPU and CPU 0's and CPU 1's business; the
    /// generator and the upstream use 45% of CPU 1 each.
    fn run(p50: f64, p99: f64, server: f64, cores: (f64, f64), failed: u32) -> Run {
        Run {
            summary: Summary {
                connections: 50,
                message_bytes: 64,
                elapsed_secs: 1.0,
                round_trips: 1_000,
                round_trips_per_sec: 1_000.0,
                failed_connections: failed,
                first_error: (failed > 0).then(|| "connection #3: closed mid-run".to_string()),
                p50_us: p50,
                p90_us: p99,
                p99_us: p99,
                p999_us: p99,
                max_us: p99,
                mean_us: p50,
            },
            server_cpu_util: server,
            cpu_us_per_round_trip: 10.0,
            server_core_busy: cores.0,
            upstream_cpu_util: 45.0,
            generator_cpu_util: 45.0,
            load_core_busy: cores.1,
        }
    }

    #[test]
    fn rows_and_added_latency() {
        let mut report = Report::new("proxy", true, BTreeMap::new());
        let proxied = [
            run(100.0, 300.0, 99.0, (99.0, 90.0), 0),
            run(120.0, 500.0, 98.0, (99.0, 90.0), 0),
        ];
        let direct = [
            run(60.0, 200.0, 45.0, (1.0, 90.0), 0),
            run(50.0, 100.0, 45.0, (1.0, 90.0), 0),
        ];
        push_rows(&mut report, "bext", &proxied);
        push_added_latency(&mut report, "bext", &proxied, &direct);
        let got: Vec<String> = report
            .rows
            .iter()
            .map(|row| format!("{} {} {} {}", row.case, row.metric, row.unit, row.median))
            .collect();
        assert_eq!(
            got,
            [
                "websocket-64B round_trips_per_sec rt/s 1000",
                "websocket-64B latency_p50 us 110",
                "websocket-64B latency_p99 us 400",
                "websocket-64B cpu_per_round_trip us 10",
                "websocket-64B server_cpu_util % 98.5",
                "websocket-64B server_core_busy % 99",
                "websocket-64B upstream_cpu_util % 45",
                "websocket-64B wsload_cpu_util % 45",
                "websocket-64B load_core_busy % 90",
                "websocket-64B failed_connections count 0",
                "websocket-64B added_latency_p50 us 55",
                "websocket-64B added_latency_p99 us 250",
            ]
        );
    }

    fn check_warnings(name: &str, runs: &[Run], expect: &[&str]) {
        assert_eq!(warnings(name, runs), expect);
    }

    #[test]
    fn warnings_name_failures_others_and_a_full_load_cpu() {
        // The proxy used its core; CPU 1 held the generator and the upstream alone.
        check_warnings("bext", &[run(1.0, 1.0, 99.0, (99.0, 99.0), 0)], &[]);
        check_warnings("bext", &[run(1.0, 1.0, 70.0, (72.0, 90.0), 0)], &[]);
        check_warnings(
            "bext",
            &[run(1.0, 1.0, 70.0, (72.0, 99.0), 0)],
            &[
                "websocket-64B: bext used 70% of CPU 0 while CPU 1 (the generator and the \
               upstream) was 99% busy: CPU 1 limited round trips/s, not the proxy; compare \
               cpu_per_round_trip",
            ],
        );
        check_warnings(
            "nginx",
            &[run(1.0, 1.0, 60.0, (98.0, 90.0), 0)],
            &[
                "websocket-64B: nginx got only 60% of CPU 0 while it was 98% busy: other \
               processes shared the core, so round trips/s and latency are disturbed",
            ],
        );
        // CPU 1 busier than its two programs: someone else was there.
        check_warnings(
            "direct",
            &[run(1.0, 1.0, 45.0, (1.0, 100.0), 0)],
            &[
                "websocket-64B: direct: other processes took about 10% of CPU 1 from the \
               generator and the upstream: round trips/s and latency are disturbed",
            ],
        );
        check_warnings(
            "bext",
            &[
                run(1.0, 1.0, 99.0, (99.0, 90.0), 0),
                run(1.0, 1.0, 99.0, (99.0, 90.0), 2),
            ],
            &[
                "websocket-64B: 2 of 50 WebSockets through bext failed mid-run; first: \
               connection #3: closed mid-run",
            ],
        );
    }
}
