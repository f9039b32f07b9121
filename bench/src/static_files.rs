//! The `static` scenario: wrk against a 13-byte and a 4 KiB file, req/s and p99 latency per
//! contender over interleaved rounds, plus start-up time.
//!
//! Per case every contender is started fresh (so one case's cache state cannot help the
//! next), checked to serve the file with the right length, warmed up with one untimed run,
//! and then kept running while the rounds interleave: round r runs wrk against each
//! contender in turn.

use std::collections::BTreeMap;

use serde_json::json;

use crate::child::{ServerProcess, Stopped};
use crate::cli::StaticOptions;
use crate::contender::{Contender, ServeSpec};
use crate::cpu_time;
use crate::error::Error;
use crate::http_probe::wait_ready;
use crate::limits::{LOAD_CPU, SERVER_CPU, STARTUP_SAMPLES, STOP_GRACE_MS, WARMUP_SECS};
use crate::locate::{self, Programs};
use crate::report::{Report, Row};
use crate::sys;
use crate::workdir::{PAGE_BYTES, PAGE_FILE, SMALL_BODY, SMALL_FILE, WorkDir};
use crate::wrk;

pub const METRIC_REQUESTS_PER_SEC: &str = "requests_per_sec";
pub const METRIC_LATENCY_P99: &str = "latency_p99";
pub const METRIC_SOCKET_ERRORS: &str = "socket_errors";
pub const METRIC_CPU_PER_REQUEST: &str = "cpu_per_request";
pub const METRIC_SERVER_CPU_UTIL: &str = "server_cpu_util";
pub const METRIC_SERVER_CORE_BUSY: &str = "server_core_busy";
pub const METRIC_WRK_CPU_UTIL: &str = "wrk_cpu_util";
pub const METRIC_STARTUP: &str = "startup";
pub const CASE_STARTUP: &str = "startup";

/// Below this server CPU utilisation the server was not the bottleneck of its run.
const SATURATED_CPU_PERCENT: f64 = 90.0;
/// Above this, CPU 0 was busy all the time, so time the server did not get went to others.
const CORE_FULL_PERCENT: f64 = 95.0;

/// wrk's connections plus room for the readiness probe: nginx's worker_connections.
const NGINX_CONNECTIONS_FLOOR: u32 = 1024;

/// One timed run: wrk's view plus the server's CPU time over it.
#[derive(Clone)]
struct Measured {
    wrk: wrk::WrkResult,
    /// Server CPU time / wall time, in percent of one core.
    cpu_util_percent: f64,
    /// Server CPU time per completed request, in microseconds.
    cpu_us_per_request: f64,
    /// How busy CPU 0 was, with the server's work and anyone else's.
    server_core_busy_percent: f64,
    /// wrk's CPU time / wall time, in percent of one core.
    wrk_cpu_util_percent: f64,
}

struct Case {
    file: &'static str,
    body_bytes: usize,
}

const CASES: [Case; 2] = [
    Case { file: SMALL_FILE, body_bytes: SMALL_BODY.len() },
    Case { file: PAGE_FILE, body_bytes: PAGE_BYTES },
];

pub fn run(options: &StaticOptions) -> Result<Report, Error> {
    sys::pin_current_thread(LOAD_CPU)
        .map_err(|error| Error::run(format!("pinning the harness to CPU {LOAD_CPU} (this benchmark needs CPUs {SERVER_CPU} and {LOAD_CPU}): {error}")))?;
    let programs = locate::resolve(&options.contenders, true)?;
    let workdir = WorkDir::create()?;
    let warmup_secs = if options.smoke { 0 } else { WARMUP_SECS.min(options.duration_secs) };
    let names: Vec<&str> = options.contenders.iter().map(|contender| contender.name()).collect();
    let settings = BTreeMap::from([
        ("duration_secs".to_string(), json!(options.duration_secs)),
        ("rounds".to_string(), json!(options.rounds)),
        ("connections".to_string(), json!(options.connections)),
        ("wrk_threads".to_string(), json!(1)),
        ("warmup_secs".to_string(), json!(warmup_secs)),
        ("server_cpu".to_string(), json!(SERVER_CPU)),
        ("load_cpu".to_string(), json!(LOAD_CPU)),
        ("contenders".to_string(), json!(names)),
        ("nginx_master_process".to_string(), json!("off")),
        ("servers".to_string(), json!("started fresh per case, kept up across rounds")),
        ("startup_samples".to_string(), json!(STARTUP_SAMPLES)),
    ]);
    let mut report = Report::new("static", options.smoke, settings);
    println!(
        "static: servers on CPU {SERVER_CPU}, `wrk -t1 -c{}` on CPU {LOAD_CPU}; {} round(s) of {} s per contender and case \
         (warm-up {warmup_secs} s); contenders {}; nginx with master_process off",
        options.connections,
        options.rounds,
        options.duration_secs,
        names.join(", ")
    );
    measure_startup(&options.contenders, &programs, &workdir, &mut report)?;
    for case in &CASES {
        run_case(case, options, warmup_secs, &programs, &workdir, &mut report)?;
    }
    report.compute_ratios(&[METRIC_REQUESTS_PER_SEC, METRIC_LATENCY_P99, METRIC_CPU_PER_REQUEST, METRIC_STARTUP]);
    Ok(report)
}

/// Spawn to first 200 on the small file, `STARTUP_SAMPLES` times per contender, interleaved.
fn measure_startup(contenders: &[Contender], programs: &Programs, workdir: &WorkDir, report: &mut Report) -> Result<(), Error> {
    let docroot = workdir.docroot();
    let spec = ServeSpec { docroot: &docroot, ceiling_body_bytes: SMALL_BODY.len(), max_connections: NGINX_CONNECTIONS_FLOOR };
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); contenders.len()];
    for _ in 0..STARTUP_SAMPLES {
        for (index, contender) in contenders.iter().enumerate() {
            let mut server = contender.launch(programs, &spec, workdir)?;
            let startup = wait_ready(&mut server, &format!("/{SMALL_FILE}"), SMALL_BODY.len())?;
            samples[index].push(startup.as_secs_f64() * 1e3);
            stop_checked(server, report)?;
        }
    }
    for (contender, samples) in contenders.iter().zip(samples) {
        report.rows.push(Row::new(CASE_STARTUP, contender.name(), METRIC_STARTUP, "ms", samples));
    }
    Ok(())
}

fn run_case(
    case: &Case,
    options: &StaticOptions,
    warmup_secs: u32,
    programs: &Programs,
    workdir: &WorkDir,
    report: &mut Report,
) -> Result<(), Error> {
    let docroot = workdir.docroot();
    let spec = ServeSpec {
        docroot: &docroot,
        ceiling_body_bytes: case.body_bytes,
        max_connections: NGINX_CONNECTIONS_FLOOR.max(options.connections * 2),
    };
    let path = format!("/{}", case.file);
    let mut servers: Vec<ServerProcess> = Vec::new();
    for contender in &options.contenders {
        let mut server = contender.launch(programs, &spec, workdir)?;
        wait_ready(&mut server, &path, case.body_bytes)?;
        servers.push(server);
    }
    if warmup_secs > 0 {
        for server in &mut servers {
            measure(server, &path, warmup_secs, options.connections, programs)?;
        }
    }
    let mut results: Vec<Vec<Measured>> = vec![Vec::new(); servers.len()];
    for round in 1..=options.rounds {
        for (index, server) in servers.iter_mut().enumerate() {
            let result = measure(server, &path, options.duration_secs, options.connections, programs)?;
            println!(
                "  {:<9} round {round}/{} {:<8} {:>9.0} req/s  p99 {:>7.0} us  {:>5.2} us CPU/req  server {:>3.0}%  wrk {:>3.0}%{}",
                case.file,
                options.rounds,
                server.name(),
                result.wrk.requests_per_sec,
                result.wrk.p99_us,
                result.cpu_us_per_request,
                result.cpu_util_percent,
                result.wrk_cpu_util_percent,
                if result.wrk.socket_errors > 0 { format!("  ({} socket errors)", result.wrk.socket_errors) } else { String::new() }
            );
            results[index].push(result);
        }
    }
    for (contender, results) in options.contenders.iter().zip(&results) {
        let column = |pick: fn(&Measured) -> f64| results.iter().map(pick).collect::<Vec<f64>>();
        let name = contender.name();
        let errors: f64 = results.iter().map(|result| result.wrk.socket_errors as f64).sum();
        if errors > 0.0 {
            report.warn(format!("{}: {name} saw {errors} socket errors in wrk (connect/read/write/timeout)", case.file));
        }
        if let Some(warning) = saturation_warning(case.file, name, results) {
            report.warn(warning);
        }
        report.rows.push(Row::new(case.file, name, METRIC_REQUESTS_PER_SEC, "req/s", column(|r| r.wrk.requests_per_sec)));
        report.rows.push(Row::new(case.file, name, METRIC_LATENCY_P99, "us", column(|r| r.wrk.p99_us)));
        report.rows.push(Row::new(case.file, name, METRIC_CPU_PER_REQUEST, "us", column(|r| r.cpu_us_per_request)));
        report.rows.push(Row::new(case.file, name, METRIC_SERVER_CPU_UTIL, "%", column(|r| r.cpu_util_percent)));
        report.rows.push(Row::new(case.file, name, METRIC_SERVER_CORE_BUSY, "%", column(|r| r.server_core_busy_percent)));
        report.rows.push(Row::new(case.file, name, METRIC_WRK_CPU_UTIL, "%", column(|r| r.wrk_cpu_util_percent)));
        report.rows.push(Row::new(case.file, name, METRIC_SOCKET_ERRORS, "count", column(|r| r.wrk.socket_errors as f64)));
    }
    for server in servers {
        stop_checked(server, report)?;
    }
    Ok(())
}

/// One wrk run against `server`, refusing results that are not a clean run of 200s.
fn measure(server: &mut ServerProcess, path: &str, duration_secs: u32, connections: u32, programs: &Programs) -> Result<Measured, Error> {
    let wrk_path = programs.wrk.as_deref().ok_or_else(|| Error::run("internal: wrk was not located"))?;
    let url = format!("http://127.0.0.1:{}{path}", server.port());
    let pid = server.pid().ok_or_else(|| Error::run(format!("{} has no pid", server.name())))?;
    let cpu_before = cpu_time::cpu_seconds(pid)?;
    let core_before = cpu_time::core_ticks(SERVER_CPU)?;
    let wrk_cpu_before = children_cpu_seconds()?;
    let result = wrk::run(wrk_path, &url, duration_secs, connections)?;
    let wrk_cpu_secs = children_cpu_seconds()? - wrk_cpu_before;
    let core_after = cpu_time::core_ticks(SERVER_CPU)?;
    // Read before the liveness check: a dead server's /proc entry is gone.
    let cpu_after = cpu_time::cpu_seconds(pid);
    if let Some(status) = server.exited() {
        return Err(server.died_error(status, &format!("under load from wrk ({url})")));
    }
    if result.non_2xx > 0 {
        return Err(Error::run(format!(
            "{} answered {} requests for {path} with a non-2xx/3xx status under load; its numbers would be meaningless",
            server.name(),
            result.non_2xx
        )));
    }
    if result.requests == 0 || result.elapsed_secs <= 0.0 {
        return Err(Error::run(format!("{} completed no requests for {path} in {duration_secs} s", server.name())));
    }
    let cpu_secs = cpu_after? - cpu_before;
    Ok(Measured {
        cpu_util_percent: cpu_secs / result.elapsed_secs * 100.0,
        cpu_us_per_request: cpu_secs * 1e6 / result.requests as f64,
        server_core_busy_percent: cpu_time::busy_percent(core_before, core_after),
        wrk_cpu_util_percent: wrk_cpu_secs / result.elapsed_secs * 100.0,
        wrk: result,
    })
}

/// Says why a server that did not use its whole core was held back, if it was: a busy wrk
/// (the load generator is the limit: compare CPU per request), or other processes on the
/// shared machine taking CPU 0 from the server or CPU 1 from wrk (the run is disturbed).
fn saturation_warning(case: &str, name: &str, runs: &[Measured]) -> Option<String> {
    let median_of = |pick: fn(&Measured) -> f64| crate::stats::median(&runs.iter().map(pick).collect::<Vec<_>>());
    let server = median_of(|r| r.cpu_util_percent)?;
    let core_busy = median_of(|r| r.server_core_busy_percent)?;
    let wrk = median_of(|r| r.wrk_cpu_util_percent)?;
    if server >= SATURATED_CPU_PERCENT {
        return None;
    }
    Some(if core_busy >= CORE_FULL_PERCENT {
        format!(
            "{case}: {name} got only {server:.0}% of CPU {SERVER_CPU} while it was {core_busy:.0}% busy: \
             other processes shared the core, so req/s and latency are disturbed"
        )
    } else if wrk >= SATURATED_CPU_PERCENT {
        format!(
            "{case}: {name} used {server:.0}% of its core while wrk used {wrk:.0}% of CPU {LOAD_CPU}: the load \
             generator limited req/s; compare {METRIC_CPU_PER_REQUEST}"
        )
    } else {
        format!(
            "{case}: neither {name} ({server:.0}%) nor wrk ({wrk:.0}%) used a whole core: other processes \
             probably took CPU {LOAD_CPU} from wrk, so req/s and latency are disturbed"
        )
    })
}

fn children_cpu_seconds() -> Result<f64, Error> {
    sys::waited_children_cpu_seconds().map_err(|error| Error::run(format!("getrusage(RUSAGE_CHILDREN): {error}")))
}

/// Stops `server` and notes a bext that does not honour its "exit 0 on SIGTERM" contract.
pub fn stop_checked(server: ServerProcess, report: &mut Report) -> Result<(), Error> {
    let name = server.name().to_string();
    match server.stop()? {
        Stopped::Exited(status) if name == Contender::Bext.name() && status.code() != Some(0) => {
            report.warn(format!("bext ended with {status} after SIGTERM; its contract is to exit 0"));
        }
        Stopped::Exited(_) => {}
        Stopped::Killed => report.warn(format!("{name} ignored SIGTERM for {STOP_GRACE_MS} ms and was killed")),
    }
    Ok(())
}
