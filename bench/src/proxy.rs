//! The `proxy` scenario: bext as a reverse proxy against nginx's `proxy_pass`, both in front
//! of the same upstream, and that upstream measured directly as the ceiling.
//!
//! One upstream per case: nginx serving the docroot (the tuned nginx of every scenario, one
//! worker), pinned to CPU 1 beside wrk, with `stub_status` on a path of its own. The
//! proxies, each started fresh per case on CPU 0 as every server under test is: bext with
//! one shard, `[[upstream]]` with that one server and `idle_connections_max` idle
//! connections, and a `[[site.proxy]]` matching `/**`; nginx with one worker, `proxy_pass`
//! to an `upstream {}` block with `keepalive` as many, HTTP/1.1 and `Connection` cleared
//! (`nginx.rs`). Both forward the same request fields. Then `direct`: wrk against the
//! upstream itself, so the proxies' added latency is their p99 (and p50) minus direct's,
//! round by round.
//!
//! **What shares which CPU.** The machine has two cores. The proxy under test has CPU 0 to
//! itself; wrk and the upstream share CPU 1, which therefore carries the same work in every
//! run (wrk's requests and the upstream's answers), whether a proxy sits in between or not.
//! A fast proxy can be held back by CPU 1 rather than by its own core, which compresses the
//! req/s ratio: `load_core_busy` (CPU 1) and `upstream_cpu_util` say when, and the proxies'
//! `cpu_per_request` (their own CPU only) compares them either way. `direct` measures the
//! upstream and wrk on one CPU: a ceiling for req/s and the latency baseline, not a server
//! on a core of its own.
//!
//! The `h2-upstream` case speaks HTTP/2 end to end on the small file: h2load (`-c10 -m10`,
//! h2c) to the proxies, bext's `protocol = "http2"` and nginx's `grpc_pass` (its one HTTP/2
//! client) to the upstream's cleartext `http2` listener, and h2load to that listener for
//! `direct`. h2load has no latency percentiles, so that case has no added-latency rows.
//!
//! Before anything is measured, each proxy must answer the case's path with the upstream's
//! file byte for byte and keep its upstream connection alive (`proxy_check`); during every
//! run the upstream's `stub_status` counts the connections it accepted, kept in the JSON
//! (`upstream_connections_opened`), with a warning if a proxy opened more than it may keep
//! idle. Rounds interleave bext, nginx and direct; medians.
//!
//! Then WebSocket (`proxy_ws`): both proxies tunnel to one WebSocket echo upstream
//! (`bext-wsecho`, on CPU 1 like this upstream), measured as message round trips per second
//! with their p50/p99 (`bext-wsload`, `--connections` WebSockets each with one 64-byte
//! message in flight; bext, nginx and the echo direct, interleaved rounds, medians), and as
//! server memory per tunnel with `--count` tunnels (default 10,000) held open through each
//! proxy, every one of which must still echo afterwards.

use std::collections::BTreeMap;

use serde_json::json;

use crate::child::ServerProcess;
use crate::cli::Options;
use crate::contender::{CeilingUring, Contender, Role, ServeSpec, stop_checked};
use crate::cpu_time;
use crate::error::{Context, Error};
use crate::generator::Client;
use crate::http_probe::wait_ready;
use crate::latency::METRIC_P50;
use crate::limits::{
    LOAD_CPU, SERVER_CPU, UPSTREAM_IDLE_CONNECTIONS_FLOOR, WARMUP_SECS, WS_MESSAGE_BYTES,
    WS_TUNNEL_IDLE_MS,
};
use crate::load_run::{self, Load, METRIC_CPU_PER_REQUEST, Measured};
use crate::locate::{self, Needs, Programs};
use crate::proxy_check::{self, opened_between};
use crate::proxy_ws;
use crate::report::{Report, Row};
use crate::static_files::{METRIC_LATENCY_P99, METRIC_REQUESTS_PER_SEC};
use crate::workdir::{BODY_16K_BYTES, BODY_16K_FILE, SMALL_BODY, SMALL_FILE, WorkDir};
use crate::wrk_case::{self, Metric, NGINX_CONNECTIONS_FLOOR};

/// The rows of wrk against the upstream itself.
pub const DIRECT: &str = "direct";
/// The proxy's p50 / p99 minus direct's in the same round.
pub const METRIC_ADDED_LATENCY_P50: &str = "added_latency_p50";
pub const METRIC_ADDED_LATENCY_P99: &str = "added_latency_p99";
/// The upstream's CPU time over the run's wall time (CPU 1, beside wrk).
pub const METRIC_UPSTREAM_CPU_UTIL: &str = "upstream_cpu_util";
/// How busy CPU 1 (wrk and the upstream) was, with anyone's work.
pub const METRIC_LOAD_CORE_BUSY: &str = "load_core_busy";
/// Connections the upstream accepted during the run (for `direct`: wrk's).
pub const METRIC_UPSTREAM_CONNECTIONS_OPENED: &str = "upstream_connections_opened";

/// Above this, a CPU was busy all the time: CPU 1, wrk and the upstream were the limit, not
/// the proxy; CPU 0, others took what the proxy did not use (as `load_run` judges it).
const LOAD_CORE_FULL_PERCENT: f64 = 95.0;
/// Below this server CPU utilisation the proxy was not the bottleneck of its run.
const SATURATED_CPU_PERCENT: f64 = 90.0;

/// The targets on the small answer, reported and never asserted: bext's req/s over
/// nginx's at least this much, and bext's added p99 no more than nginx's.
const REQUESTS_RATIO_TARGET: f64 = 1.3;
const TARGET_CASE: &str = SMALL_FILE;

/// A case: its rows' name, the upstream's file the load asks for, and whether everything
/// speaks HTTP/2 (h2load to the proxy, the proxy to the upstream).
struct ProxyCase {
    name: &'static str,
    file: &'static str,
    body_bytes: usize,
    http2: bool,
}

/// The HTTP/2 case's name: h2load to the proxy, h2c from the proxy to the upstream (bext's
/// `protocol = "http2"`, nginx's `grpc_pass`), on the small file.
pub const H2_CASE: &str = "h2-upstream";
/// h2load's connections and streams on each in the HTTP/2 case (100 requests in flight,
/// as wrk's default connections are 50 to 100).
const H2_CONNECTIONS: u32 = 10;
const H2_STREAMS: u32 = 10;

const CASES: [ProxyCase; 3] = [
    ProxyCase {
        name: SMALL_FILE,
        file: SMALL_FILE,
        body_bytes: SMALL_BODY.len(),
        http2: false,
    },
    ProxyCase {
        name: BODY_16K_FILE,
        file: BODY_16K_FILE,
        body_bytes: BODY_16K_BYTES,
        http2: false,
    },
    ProxyCase {
        name: H2_CASE,
        file: SMALL_FILE,
        body_bytes: SMALL_BODY.len(),
        http2: true,
    },
];

const METRICS: &[Metric] = &[
    Metric::RequestsPerSec,
    Metric::LatencyP50,
    Metric::LatencyP99,
    Metric::CpuPerRequest,
    Metric::ServerCpuUtil,
    Metric::ServerCoreBusy,
    Metric::WrkCpuUtil,
    Metric::SocketErrors,
];

/// How a row's value is read from one run.
type Pick<T> = fn(&T) -> f64;

/// One timed run, with what happened on the upstream's side meanwhile.
struct Run {
    measured: Measured,
    upstream_cpu_util: f64,
    load_core_busy: f64,
    upstream_connections_opened: f64,
}

pub fn run(options: &Options) -> Result<Report, Error> {
    // The upstream is nginx whichever proxies are compared.
    let mut needed = options.contenders.clone();
    if !needed.contains(&Contender::Nginx) {
        needed.push(Contender::Nginx);
    }
    let needs = Needs {
        websocket: true,
        // The h2-upstream case's generator.
        h2load: true,
        ..locate::wrk(true)
    };
    let (programs, workdir) = locate::prepare(&needed, needs)?;
    let idle_connections_max = idle_connections_max(options.connections);
    let warmup_secs = if options.smoke {
        0
    } else {
        WARMUP_SECS.min(options.duration_secs)
    };
    let mut names: Vec<&str> = options.contenders.iter().map(|c| c.name()).collect();
    names.push(DIRECT);
    let settings = BTreeMap::from([
        ("duration_secs".to_string(), json!(options.duration_secs)),
        ("rounds".to_string(), json!(options.rounds)),
        ("connections".to_string(), json!(options.connections)),
        ("wrk_threads".to_string(), json!(1)),
        ("warmup_secs".to_string(), json!(warmup_secs)),
        ("server_cpu".to_string(), json!(SERVER_CPU)),
        ("load_cpu".to_string(), json!(LOAD_CPU)),
        ("upstream_cpu".to_string(), json!(LOAD_CPU)),
        ("contenders".to_string(), json!(names)),
        ("nginx_master_process".to_string(), json!("off")),
        (
            "upstream".to_string(),
            json!(
                "nginx, one worker, the static-file setup of every scenario, with stub_status; \
                 the same process for both proxies and direct, started fresh per case"
            ),
        ),
        (
            "upstream_idle_connections".to_string(),
            json!(idle_connections_max),
        ),
        (
            H2_CASE.to_string(),
            json!({
                "file": SMALL_FILE,
                "generator": format!("h2load -t1 -c{H2_CONNECTIONS} -m{H2_STREAMS}, h2c"),
                "bext": "[[upstream]] protocol = \"http2\"",
                "nginx": "grpc_pass grpc://origin (upstream block with keepalive)",
                "upstream": "the same nginx, a cleartext http2 listener of its own",
            }),
        ),
        (
            "pinning".to_string(),
            json!(format!(
                "proxy under test on CPU {SERVER_CPU} alone; wrk and the upstream share CPU {LOAD_CPU}"
            )),
        ),
        (
            "websocket".to_string(),
            json!({
                "upstream": "bext-wsecho (this package's, io_uring), one process on CPU 1 beside \
                             the generator, the same for bext, nginx and direct",
                "generator": "bext-wsload on CPU 1: --connections WebSockets, one message in \
                              flight each, closed loop",
                "message_bytes": WS_MESSAGE_BYTES,
                "held_tunnels": options.count,
                "tunnel_idle_ms": WS_TUNNEL_IDLE_MS,
            }),
        ),
        (
            "targets".to_string(),
            json!(BTreeMap::from([
                (
                    format!("{TARGET_CASE} bext/nginx requests_per_sec"),
                    format!(">= {REQUESTS_RATIO_TARGET}"),
                ),
                (
                    format!("{TARGET_CASE} {METRIC_ADDED_LATENCY_P99}"),
                    "bext <= nginx".to_string(),
                ),
                (
                    format!(
                        "{} {}",
                        proxy_ws::held::CASE,
                        proxy_ws::held::METRIC_RSS_PER_TUNNEL
                    ),
                    "bext <= 16 KiB with 10000 tunnels held".to_string(),
                ),
            ])),
        ),
    ]);
    let mut report = Report::new("proxy", options.smoke, settings);
    println!(
        "proxy: proxies on CPU {SERVER_CPU}, `wrk -t1 -c{}` and the upstream (nginx) on CPU {LOAD_CPU}; \
         {} round(s) of {} s per server and case (warm-up {warmup_secs} s); {} idle upstream \
         connections; rows {}",
        options.connections,
        options.rounds,
        options.duration_secs,
        idle_connections_max,
        names.join(", ")
    );
    for case in &CASES {
        run_case(
            case,
            options,
            warmup_secs,
            idle_connections_max,
            &programs,
            &workdir,
            &mut report,
        )?;
    }
    proxy_ws::run(options, &programs, &workdir, &mut report)?;
    report.compute_ratios(&[
        METRIC_REQUESTS_PER_SEC,
        METRIC_P50,
        METRIC_LATENCY_P99,
        METRIC_CPU_PER_REQUEST,
        proxy_ws::round_trips::METRIC_ROUND_TRIPS_PER_SEC,
        proxy_ws::round_trips::METRIC_CPU_PER_ROUND_TRIP,
        proxy_ws::held::METRIC_RSS_PER_TUNNEL,
    ]);
    for line in targets(&report) {
        println!("{line}");
    }
    Ok(report)
}

/// Idle upstream connections each proxy keeps: every wrk connection's, at least the floor,
/// at most what bext accepts.
fn idle_connections_max(connections: u32) -> u32 {
    let ceiling =
        u32::try_from(bext_core::limits::PROXY_IDLE_CONNECTIONS_CEILING).unwrap_or(u32::MAX);
    connections
        .max(UPSTREAM_IDLE_CONNECTIONS_FLOOR)
        .min(ceiling)
}

#[allow(clippy::too_many_arguments)]
fn run_case(
    case: &ProxyCase,
    options: &Options,
    warmup_secs: u32,
    idle_connections_max: u32,
    programs: &Programs,
    workdir: &WorkDir,
    report: &mut Report,
) -> Result<(), Error> {
    let docroot = workdir.docroot();
    let expected = std::fs::read(docroot.join(case.file))
        .context(|| format!("reading {}", docroot.join(case.file).display()))?;
    let path = format!("/{}", case.file);
    let spec = ServeSpec {
        docroot: &docroot,
        ceiling_body_bytes: case.body_bytes,
        // Clients and upstream connections both take nginx's worker connections.
        max_connections: NGINX_CONNECTIONS_FLOOR
            .max(options.connections * 2 + idle_connections_max),
        ceiling_uring: CeilingUring::Defer,
        cores: 1,
        nginx_tcp_nopush: true,
        // Not for HTTP/2: grpc_pass sends one request per upstream connection, and nginx's
        // HTTP/2 answers from sendfile then wait for the delayed ACK (`NginxConfig::sendfile`).
        nginx_sendfile: !case.http2,
        tls: None,
        // The upstream's h2c listener (nginx 1.22's is a port of its own), and the proxies'
        // for h2load.
        http2: case.http2,
        http3: false,
        waf: None,
        app: None,
        role: Role::Upstream,
    };
    let mut upstream = Contender::Nginx.launch_named("upstream", programs, &spec, workdir)?;
    wait_ready(&mut upstream, &path, case.body_bytes)?;
    let upstream_port = if case.http2 {
        upstream
            .ports()
            .h2c
            .ok_or_else(|| Error::run("internal: the upstream has no h2c port"))?
    } else {
        upstream.port()
    };
    // nginx's grpc_pass sends one request per upstream connection (no multiplexing), so it
    // keeps as many as h2load has requests in flight; bext uses one connection either way.
    let idle_connections_max = if case.http2 {
        idle_connections_max.max(H2_CONNECTIONS * H2_STREAMS)
    } else {
        idle_connections_max
    };
    let proxy_role = Role::Proxy {
        upstream_port,
        idle_connections_max,
        tunnel_idle_ms: None,
        http2_upstream: case.http2,
    };
    let mut proxies: Vec<ServerProcess> = Vec::new();
    for contender in &options.contenders {
        let spec = ServeSpec {
            role: proxy_role,
            ..spec
        };
        let mut proxy = contender.launch(programs, &spec, workdir)?;
        wait_ready(&mut proxy, &path, case.body_bytes)?;
        let seen = proxy_check::check(
            &proxy,
            &upstream,
            &path,
            &expected,
            *contender == Contender::Bext,
        )?;
        println!("  {:<11} {:<6} proxies: {seen}", case.name, proxy.name());
        proxies.push(proxy);
    }
    let proxy_load = if case.http2 {
        Load {
            client: Client::H2load {
                tls: false,
                streams: H2_STREAMS,
            },
            ..Load::one_core(&path, options.duration_secs, H2_CONNECTIONS)
        }
    } else {
        Load::one_core(&path, options.duration_secs, options.connections)
    };
    let direct_load = Load {
        server_cpus: vec![LOAD_CPU],
        generators: proxy_load.generators.clone(),
        ..proxy_load
    };
    if warmup_secs > 0 {
        for proxy in &mut proxies {
            load_run::measure(proxy, programs, &shortened(&proxy_load, warmup_secs))?;
        }
        load_run::measure(
            &mut upstream,
            programs,
            &shortened(&direct_load, warmup_secs),
        )?;
    }
    let mut proxy_runs: Vec<Vec<Run>> = proxies.iter().map(|_| Vec::new()).collect();
    let mut direct_runs: Vec<Run> = Vec::new();
    let upstream_port = upstream.port();
    let upstream_pid = upstream
        .pid()
        .ok_or_else(|| Error::run("the upstream has no pid"))?;
    for round in 1..=options.rounds {
        for (proxy, runs) in proxies.iter_mut().zip(&mut proxy_runs) {
            let run = measure(proxy, upstream_pid, upstream_port, programs, &proxy_load)?;
            print_run(case.name, round, options.rounds, proxy.name(), &run);
            runs.push(run);
        }
        let run = measure(
            &mut upstream,
            upstream_pid,
            upstream_port,
            programs,
            &direct_load,
        )?;
        print_run(case.name, round, options.rounds, DIRECT, &run);
        direct_runs.push(run);
    }
    let metrics = if case.http2 {
        crate::h2::METRICS
    } else {
        METRICS
    };
    for (proxy, runs) in proxies.iter().zip(&proxy_runs) {
        push_rows(report, case.name, proxy.name(), runs, metrics);
        if !case.http2 {
            push_added_latency(report, case.name, proxy.name(), runs, &direct_runs);
        }
        if let Some(warning) = saturation_warning(case.name, proxy.name(), runs) {
            report.warn(warning);
        }
        let churned = runs
            .iter()
            .map(|run| run.upstream_connections_opened)
            .fold(0.0, f64::max);
        if churned > f64::from(idle_connections_max) {
            report.warn(format!(
                "{}: {} opened up to {churned:.0} upstream connections in one run, more than the \
                 {idle_connections_max} it may keep idle: it churned connections under load",
                case.name,
                proxy.name()
            ));
        }
    }
    push_rows(report, case.name, DIRECT, &direct_runs, metrics);
    for proxy in proxies {
        stop_checked(proxy, report)?;
    }
    stop_checked(upstream, report)
}

/// `load` for `duration_secs` (the warm-up's).
fn shortened<'a>(load: &Load<'a>, duration_secs: u32) -> Load<'a> {
    Load {
        duration_secs,
        generators: load.generators.clone(),
        server_cpus: load.server_cpus.clone(),
        ..*load
    }
}

/// One timed run against `server` (a proxy, or the upstream itself), with the upstream's
/// CPU, CPU 1's business and the connections the upstream accepted around it.
fn measure(
    server: &mut ServerProcess,
    upstream_pid: u32,
    upstream_port: u16,
    programs: &Programs,
    load: &Load<'_>,
) -> Result<Run, Error> {
    let status_before = proxy_check::upstream_status(upstream_port)?;
    let upstream_cpu_before = cpu_time::tree_cpu_seconds(upstream_pid)?;
    let core_before = cpu_time::core_ticks(LOAD_CPU)?;
    let measured = load_run::measure(server, programs, load)?;
    let core_after = cpu_time::core_ticks(LOAD_CPU)?;
    let upstream_cpu_after = cpu_time::tree_cpu_seconds(upstream_pid)?;
    let status_after = proxy_check::upstream_status(upstream_port)?;
    let elapsed = measured.wrk.elapsed_secs.max(f64::EPSILON);
    Ok(Run {
        upstream_cpu_util: (upstream_cpu_after - upstream_cpu_before) / elapsed * 100.0,
        load_core_busy: cpu_time::busy_percent(core_before, core_after),
        upstream_connections_opened: opened_between(status_before, status_after) as f64,
        measured,
    })
}

fn print_run(file: &str, round: u32, rounds: u32, name: &str, run: &Run) {
    let m = &run.measured;
    println!(
        "  {file:<9} round {round}/{rounds} {name:<6} {:>8.0} req/s  p50 {:>5.0} us  p99 {:>6.0} us  \
         {:>5.2} us CPU/req  server {:>3.0}%  upstream {:>3.0}%  CPU {LOAD_CPU} {:>3.0}%  wrk {:>3.0}%  \
         upstream conns +{:.0}{}",
        m.wrk.requests_per_sec,
        m.wrk.p50_us,
        m.wrk.p99_us,
        m.cpu_us_per_request,
        m.cpu_util_percent,
        run.upstream_cpu_util,
        run.load_core_busy,
        m.wrk_cpu_util_percent,
        run.upstream_connections_opened,
        if m.wrk.socket_errors > 0 {
            format!("  ({} socket errors)", m.wrk.socket_errors)
        } else {
            String::new()
        }
    );
}

/// wrk's rows (`wrk_case::push_rows`) and the upstream side's.
fn push_rows(report: &mut Report, case: &str, name: &str, runs: &[Run], metrics: &[Metric]) {
    let measured: Vec<Measured> = runs.iter().map(|run| run.measured.clone()).collect();
    wrk_case::push_rows(report, case, name, &measured, metrics);
    let extra: [(&str, &str, Pick<Run>); 3] = [
        (METRIC_UPSTREAM_CPU_UTIL, "%", |run| run.upstream_cpu_util),
        (METRIC_LOAD_CORE_BUSY, "%", |run| run.load_core_busy),
        (METRIC_UPSTREAM_CONNECTIONS_OPENED, "count", |run| {
            run.upstream_connections_opened
        }),
    ];
    for (metric, unit, pick) in extra {
        report.rows.push(Row::new(
            case,
            name,
            metric,
            unit,
            runs.iter().map(pick).collect(),
        ));
    }
}

/// The proxy's latency minus direct's, round by round (the two ran minutes apart at most,
/// against the same upstream process).
fn push_added_latency(report: &mut Report, case: &str, name: &str, runs: &[Run], direct: &[Run]) {
    let added: [(&str, Pick<Measured>); 2] = [
        (METRIC_ADDED_LATENCY_P50, |m| m.wrk.p50_us),
        (METRIC_ADDED_LATENCY_P99, |m| m.wrk.p99_us),
    ];
    for (metric, pick) in added {
        let rounds: Vec<f64> = runs
            .iter()
            .zip(direct)
            .map(|(proxied, direct)| pick(&proxied.measured) - pick(&direct.measured))
            .collect();
        if !rounds.is_empty() {
            report.rows.push(Row::new(case, name, metric, "us", rounds));
        }
    }
}

/// Why a proxy did not use its whole core, if it did not: others took CPU 0 (`load_run`'s
/// first reason), CPU 1 (wrk and the upstream) was full, or `load_run`'s other reasons.
fn saturation_warning(case: &str, name: &str, runs: &[Run]) -> Option<String> {
    let median =
        |pick: fn(&Run) -> f64| crate::stats::median(&runs.iter().map(pick).collect::<Vec<_>>());
    let server = median(|run| run.measured.cpu_util_percent)?;
    let server_core = median(|run| run.measured.server_core_busy_percent)?;
    let load_core = median(|run| run.load_core_busy)?;
    if server >= SATURATED_CPU_PERCENT {
        return None;
    }
    if server_core < LOAD_CORE_FULL_PERCENT && load_core >= LOAD_CORE_FULL_PERCENT {
        return Some(format!(
            "{case}: {name} used {server:.0}% of CPU {SERVER_CPU} while CPU {LOAD_CPU} (wrk and the \
             upstream) was {load_core:.0}% busy: CPU {LOAD_CPU} limited req/s, not the proxy; compare \
             {METRIC_CPU_PER_REQUEST}"
        ));
    }
    let measured: Vec<Measured> = runs.iter().map(|run| run.measured.clone()).collect();
    load_run::saturation_warning(case, name, &measured)
}

/// The targets, as sentences: met or missed, with the numbers.
fn targets(report: &Report) -> Vec<String> {
    let median = |contender: &str, metric: &str| {
        report
            .rows
            .iter()
            .find(|row| {
                row.case == TARGET_CASE && row.contender == contender && row.metric == metric
            })
            .map(|row| row.median)
    };
    let verdict = |met: bool| if met { "met" } else { "missed" };
    let mut lines = Vec::new();
    if let (Some(bext), Some(nginx)) = (
        median("bext", METRIC_REQUESTS_PER_SEC),
        median("nginx", METRIC_REQUESTS_PER_SEC),
    ) && nginx > 0.0
    {
        let ratio = bext / nginx;
        lines.push(format!(
            "target: {TARGET_CASE} bext/nginx req/s >= {REQUESTS_RATIO_TARGET:.2}: {ratio:.3} ({})",
            verdict(ratio >= REQUESTS_RATIO_TARGET)
        ));
    }
    if let (Some(bext), Some(nginx)) = (
        median("bext", METRIC_ADDED_LATENCY_P99),
        median("nginx", METRIC_ADDED_LATENCY_P99),
    ) {
        lines.push(format!(
            "target: {TARGET_CASE} added p99 latency bext <= nginx: bext {bext:+.0} us, nginx \
             {nginx:+.0} us ({})",
            verdict(bext <= nginx)
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wrk::WrkResult;

    fn run(p50: f64, p99: f64, server: f64, load_core: f64) -> Run {
        Run {
            measured: Measured {
                wrk: WrkResult {
                    requests_per_sec: 100.0,
                    requests: 100,
                    elapsed_secs: 1.0,
                    p50_us: p50,
                    p99_us: p99,
                    socket_errors: 0,
                    non_2xx: 0,
                    bytes_per_sec: 1.0,
                },
                cpu_util_percent: server,
                cpu_us_per_request: 1.0,
                server_core_busy_percent: server,
                wrk_cpu_util_percent: 50.0,
                generator: "wrk",
            },
            upstream_cpu_util: 40.0,
            load_core_busy: load_core,
            upstream_connections_opened: 0.0,
        }
    }

    #[test]
    fn added_latency_is_paired_round_by_round() {
        let mut report = Report::new("proxy", true, BTreeMap::new());
        let proxied = [run(100.0, 300.0, 99.0, 80.0), run(120.0, 500.0, 99.0, 80.0)];
        let direct = [run(60.0, 200.0, 60.0, 99.0), run(50.0, 100.0, 60.0, 99.0)];
        push_added_latency(&mut report, "small.txt", "bext", &proxied, &direct);
        let got: Vec<String> = report
            .rows
            .iter()
            .map(|row| {
                format!(
                    "{} {} {:?} {}",
                    row.contender, row.metric, row.rounds, row.median
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "bext added_latency_p50 [40.0, 70.0] 55",
                "bext added_latency_p99 [100.0, 400.0] 250",
            ]
        );
    }

    #[test]
    fn a_full_load_cpu_is_named_as_the_limit() {
        assert_eq!(
            saturation_warning("small.txt", "bext", &[run(1.0, 1.0, 99.0, 100.0)]),
            None
        );
        let warning = saturation_warning("small.txt", "bext", &[run(1.0, 1.0, 70.0, 99.0)]);
        assert!(
            warning.as_deref().is_some_and(|w| w.starts_with(
                "small.txt: bext used 70% of CPU 0 while CPU 1 (wrk and the upstream) was 99% busy"
            )),
            "{warning:?}"
        );
        // Others took CPU 0: that comes first, in load_run's words.
        let mut disturbed = run(1.0, 1.0, 70.0, 99.0);
        disturbed.measured.server_core_busy_percent = 99.0;
        let warning = saturation_warning("small.txt", "bext", &[disturbed]);
        assert!(
            warning
                .as_deref()
                .is_some_and(|w| w
                    .starts_with("small.txt: bext got only 70% of CPU 0 while it was 99% busy")),
            "{warning:?}"
        );
        // CPU 1 not full: load_run's reasons.
        let warning = saturation_warning("small.txt", "bext", &[run(1.0, 1.0, 70.0, 60.0)]);
        assert!(
            warning
                .as_deref()
                .is_some_and(|w| w.starts_with("small.txt: neither bext")),
            "{warning:?}"
        );
    }

    #[test]
    fn targets_say_met_or_missed_with_the_numbers() {
        let mut report = Report::new("proxy", true, BTreeMap::new());
        let row = |contender: &str, metric: &str, value: f64| {
            Row::new(TARGET_CASE, contender, metric, "x", vec![value])
        };
        report.rows = vec![
            row("bext", METRIC_REQUESTS_PER_SEC, 130.0),
            row("nginx", METRIC_REQUESTS_PER_SEC, 100.0),
            row("bext", METRIC_ADDED_LATENCY_P99, 60.0),
            row("nginx", METRIC_ADDED_LATENCY_P99, 50.0),
        ];
        assert_eq!(
            targets(&report),
            [
                "target: small.txt bext/nginx req/s >= 1.30: 1.300 (met)",
                "target: small.txt added p99 latency bext <= nginx: bext +60 us, nginx +50 us (missed)",
            ]
        );
    }

    #[test]
    fn proxies_keep_an_idle_connection_per_wrk_connection() {
        assert_eq!(idle_connections_max(50), 64);
        assert_eq!(idle_connections_max(200), 200);
        assert_eq!(idle_connections_max(10_000), 4_096);
    }
}
