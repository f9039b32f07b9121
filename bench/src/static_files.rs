//! The `static` scenario: wrk against a 13-byte and a 4 KiB file, req/s and p99 latency per
//! contender over interleaved rounds, plus start-up time.
//!
//! Per case every contender is started fresh (so one case's cache state cannot help the
//! next), checked to serve the file with the right length, warmed up with one untimed run,
//! and then kept running while the rounds interleave: round r runs wrk against each
//! contender in turn.

use std::collections::BTreeMap;

use serde_json::json;

use crate::child::ServerProcess;
use crate::cli::Options;
use crate::contender::{Role, ServeSpec, stop_checked};
use crate::error::Error;
use crate::http_probe::wait_ready;
use crate::limits::{LOAD_CPU, SERVER_CPU, STARTUP_SAMPLES, WARMUP_SECS};
use crate::load_run::{self, Load, METRIC_CPU_PER_REQUEST, Measured};
use crate::locate::{self, Programs};
use crate::report::{Report, Row};
use crate::workdir::{PAGE_BYTES, PAGE_FILE, SMALL_BODY, SMALL_FILE, WorkDir};

pub const METRIC_REQUESTS_PER_SEC: &str = "requests_per_sec";
pub const METRIC_LATENCY_P99: &str = "latency_p99";
pub const METRIC_SOCKET_ERRORS: &str = "socket_errors";
pub const METRIC_SERVER_CPU_UTIL: &str = "server_cpu_util";
pub const METRIC_SERVER_CORE_BUSY: &str = "server_core_busy";
pub const METRIC_WRK_CPU_UTIL: &str = "wrk_cpu_util";
pub const METRIC_STARTUP: &str = "startup";
pub const CASE_STARTUP: &str = "startup";

/// wrk's connections plus room for the readiness probe: nginx's worker_connections.
const NGINX_CONNECTIONS_FLOOR: u32 = 1024;

struct Case {
    file: &'static str,
    body_bytes: usize,
}

const CASES: [Case; 2] = [
    Case {
        file: SMALL_FILE,
        body_bytes: SMALL_BODY.len(),
    },
    Case {
        file: PAGE_FILE,
        body_bytes: PAGE_BYTES,
    },
];

pub fn run(options: &Options) -> Result<Report, Error> {
    let (programs, workdir) = locate::prepare(&options.contenders, locate::wrk(true))?;
    let warmup_secs = if options.smoke {
        0
    } else {
        WARMUP_SECS.min(options.duration_secs)
    };
    let names: Vec<&str> = options
        .contenders
        .iter()
        .map(|contender| contender.name())
        .collect();
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
        (
            "servers".to_string(),
            json!("started fresh per case, kept up across rounds"),
        ),
        ("startup_samples".to_string(), json!(STARTUP_SAMPLES)),
        (
            "ceiling_uring_setup".to_string(),
            json!(options.ceiling_uring.name()),
        ),
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
    measure_startup(options, &programs, &workdir, &mut report)?;
    for case in &CASES {
        run_case(case, options, warmup_secs, &programs, &workdir, &mut report)?;
    }
    report.compute_ratios(&[
        METRIC_REQUESTS_PER_SEC,
        METRIC_LATENCY_P99,
        METRIC_CPU_PER_REQUEST,
        METRIC_STARTUP,
    ]);
    Ok(report)
}

/// Spawn to first 200 on the small file, `STARTUP_SAMPLES` times per contender, interleaved.
fn measure_startup(
    options: &Options,
    programs: &Programs,
    workdir: &WorkDir,
    report: &mut Report,
) -> Result<(), Error> {
    let docroot = workdir.docroot();
    let spec = ServeSpec {
        docroot: &docroot,
        ceiling_body_bytes: SMALL_BODY.len(),
        max_connections: NGINX_CONNECTIONS_FLOOR,
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
    let contenders = &options.contenders;
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
        report.rows.push(Row::new(
            CASE_STARTUP,
            contender.name(),
            METRIC_STARTUP,
            "ms",
            samples,
        ));
    }
    Ok(())
}

fn run_case(
    case: &Case,
    options: &Options,
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
    let path = format!("/{}", case.file);
    let mut servers: Vec<ServerProcess> = Vec::new();
    for contender in &options.contenders {
        let mut server = contender.launch(programs, &spec, workdir)?;
        wait_ready(&mut server, &path, case.body_bytes)?;
        servers.push(server);
    }
    if warmup_secs > 0 {
        for server in &mut servers {
            let load = Load::one_core(&path, warmup_secs, options.connections);
            load_run::measure(server, programs, &load)?;
        }
    }
    let mut results: Vec<Vec<Measured>> = vec![Vec::new(); servers.len()];
    for round in 1..=options.rounds {
        for (index, server) in servers.iter_mut().enumerate() {
            let load = Load::one_core(&path, options.duration_secs, options.connections);
            let result = load_run::measure(server, programs, &load)?;
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
                if result.wrk.socket_errors > 0 {
                    format!("  ({} socket errors)", result.wrk.socket_errors)
                } else {
                    String::new()
                }
            );
            results[index].push(result);
        }
    }
    for (contender, results) in options.contenders.iter().zip(&results) {
        let column = |pick: fn(&Measured) -> f64| results.iter().map(pick).collect::<Vec<f64>>();
        let name = contender.name();
        let errors: f64 = results
            .iter()
            .map(|result| result.wrk.socket_errors as f64)
            .sum();
        if errors > 0.0 {
            report.warn(format!(
                "{}: {name} saw {errors} socket errors in wrk (connect/read/write/timeout)",
                case.file
            ));
        }
        if let Some(warning) = load_run::saturation_warning(case.file, name, results) {
            report.warn(warning);
        }
        report.rows.push(Row::new(
            case.file,
            name,
            METRIC_REQUESTS_PER_SEC,
            "req/s",
            column(|r| r.wrk.requests_per_sec),
        ));
        report.rows.push(Row::new(
            case.file,
            name,
            METRIC_LATENCY_P99,
            "us",
            column(|r| r.wrk.p99_us),
        ));
        report.rows.push(Row::new(
            case.file,
            name,
            METRIC_CPU_PER_REQUEST,
            "us",
            column(|r| r.cpu_us_per_request),
        ));
        report.rows.push(Row::new(
            case.file,
            name,
            METRIC_SERVER_CPU_UTIL,
            "%",
            column(|r| r.cpu_util_percent),
        ));
        report.rows.push(Row::new(
            case.file,
            name,
            METRIC_SERVER_CORE_BUSY,
            "%",
            column(|r| r.server_core_busy_percent),
        ));
        report.rows.push(Row::new(
            case.file,
            name,
            METRIC_WRK_CPU_UTIL,
            "%",
            column(|r| r.wrk_cpu_util_percent),
        ));
        report.rows.push(Row::new(
            case.file,
            name,
            METRIC_SOCKET_ERRORS,
            "count",
            column(|r| r.wrk.socket_errors as f64),
        ));
    }
    for server in servers {
        stop_checked(server, report)?;
    }
    Ok(())
}
