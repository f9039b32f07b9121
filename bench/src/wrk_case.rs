//! One wrk-driven case of a scenario, the way `static` runs its cases: every contender
//! started fresh, checked to serve the file with the right length, warmed up once (not in
//! smoke mode), then rounds that interleave the contenders; plus the rows every wrk scenario
//! reports. `pipeline`, `large`, `scaling`, `tls`, `h2`, `h3` and `waf` are built from it
//! (`tls`, `h2` and `h3` with wrk over TLS, h2load and bext-h3load: the case's `load.client`
//! says which, and the servers are started with the listeners it needs and checked over its
//! protocol with curl or bext-h3load). A case that measures TLS handshakes (`handshakes`)
//! starts its servers with or without session tickets to match, and checks with openssl
//! s_client that they resume, or do not (`resumption_check`), before anything is measured.
//! `waf` runs contenders several times over, with and without a WAF ([`Variant`]), each
//! checked first against an attack (`waf_check`).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::json;

use crate::cert::CertFiles;
use crate::child::ServerProcess;
use crate::cli::Options;
use crate::contender::{Contender, Role, ServeSpec, ServeTls, Waf, stop_checked};
use crate::curl_check;
use crate::error::Error;
use crate::http_probe::wait_ready;
use crate::latency::METRIC_P50 as METRIC_LATENCY_P50;
use crate::limits::WARMUP_SECS;
use crate::load_run::{self, Load, METRIC_CPU_PER_REQUEST, Measured};
use crate::locate::Programs;
use crate::protocol::Protocol;
use crate::report::{Report, Row};
use crate::resumption_check::{self, Handshakes};
use crate::static_files::{
    METRIC_LATENCY_P99, METRIC_REQUESTS_PER_SEC, METRIC_SERVER_CORE_BUSY, METRIC_SERVER_CPU_UTIL,
    METRIC_SOCKET_ERRORS, METRIC_WRK_CPU_UTIL,
};
use crate::waf_check;
use crate::workdir::WorkDir;

pub const METRIC_THROUGHPUT: &str = "throughput";
/// `h2`: h2load's CPU utilisation, as `wrk_cpu_util` is wrk's.
pub const METRIC_H2LOAD_CPU_UTIL: &str = "h2load_cpu_util";
pub const METRIC_H3LOAD_CPU_UTIL: &str = "h3load_cpu_util";
/// The settings key under which the handshake cases record what each server negotiated.
const SETTING_TLS_NEGOTIATED: &str = "tls_negotiated";
/// Width of the case column in the per-round lines (`h2-tls-streams100-c10`).
const CASE_COLUMN_CHARS: usize = 21;

/// wrk's connections plus room for the readiness probe: nginx's worker_connections.
pub const NGINX_CONNECTIONS_FLOOR: u32 = 1024;

pub struct Case<'a> {
    /// The case's name in the report.
    pub name: &'a str,
    /// What the server must answer for `load.path`: its body length.
    pub body_bytes: usize,
    /// Cores the server gets (see `ServeSpec::cores`).
    pub cores: usize,
    /// nginx's `tcp_nopush`; off only for pipelining (see `NginxConfig::tcp_nopush`).
    pub nginx_tcp_nopush: bool,
    /// The certificate the servers present when the load speaks TLS.
    pub cert: Option<&'a CertFiles>,
    /// For the cases that measure TLS handshakes (a new connection per request): which
    /// handshakes the new connections must make. The servers are started for it (session
    /// tickets on or off) and checked for it with openssl s_client; `None` leaves both
    /// servers' defaults (tickets on) unchecked.
    pub handshakes: Option<Handshakes>,
    /// The timed load; its duration is replaced by the warm-up's for the warm-up.
    pub load: Load<'a>,
    /// `waf`: a request every server with a WAF must refuse with 403 and every other must
    /// answer 200 before it is measured (`waf_check`), so a WAF that is not running fails the
    /// run instead of giving a flattering number, and the servers without one have none.
    pub attack: Option<&'a str>,
    /// An app for bext to render (`[[site]] app`, e.g. `examples/app`) instead of the run's
    /// docroot: `waf`'s app page. Only bext serves one.
    pub app: Option<&'a Path>,
}

/// One server of a case: a contender, started with `waf`, its rows going under `name`.
/// Every scenario but `waf` runs each contender once, as itself ([`run`]).
#[derive(Clone, Copy, Debug)]
pub struct Variant<'a> {
    pub name: &'a str,
    pub contender: Contender,
    pub waf: Option<Waf<'a>>,
}

/// Runs `case` for every contender of `options`; returns each contender's runs, in order.
pub fn run(
    case: &Case<'_>,
    options: &Options,
    programs: &Programs,
    workdir: &WorkDir,
    report: &mut Report,
) -> Result<Vec<Vec<Measured>>, Error> {
    let variants: Vec<Variant<'_>> = options
        .contenders
        .iter()
        .map(|&contender| Variant {
            name: contender.name(),
            contender,
            waf: None,
        })
        .collect();
    run_variants(case, &variants, options, programs, workdir, report)
}

/// Runs `case` for every one of `variants` (interleaved in that order); returns each one's
/// runs, in order.
pub fn run_variants(
    case: &Case<'_>,
    variants: &[Variant<'_>],
    options: &Options,
    programs: &Programs,
    workdir: &WorkDir,
    report: &mut Report,
) -> Result<Vec<Vec<Measured>>, Error> {
    let docroot = workdir.docroot();
    let connections: u32 = case.load.generators.iter().map(|(_, c)| c).sum();
    let protocol = case.load.client.protocol();
    let tls = match (protocol.is_tls(), case.cert) {
        (false, _) => None,
        (true, Some(cert)) => Some(cert),
        (true, None) => {
            return Err(Error::run(format!(
                "internal: case {} speaks TLS without a certificate",
                case.name
            )));
        }
    };
    if case.handshakes.is_some() && tls.is_none() {
        return Err(Error::run(format!(
            "internal: case {} measures TLS handshakes over {}",
            case.name,
            protocol.name()
        )));
    }
    let spec = ServeSpec {
        docroot: &docroot,
        ceiling_body_bytes: case.body_bytes,
        max_connections: NGINX_CONNECTIONS_FLOOR.max(connections * 2),
        ceiling_uring: options.ceiling_uring,
        cores: case.cores,
        nginx_tcp_nopush: case.nginx_tcp_nopush,
        nginx_sendfile: true,
        tls: tls.map(|cert| ServeTls {
            cert,
            session_tickets: case.handshakes.is_none_or(Handshakes::session_tickets),
        }),
        http2: protocol.is_http2(),
        http3: protocol.is_http3(),
        waf: None,
        app: case.app,
        role: Role::Origin,
    };
    let mut servers: Vec<ServerProcess> = Vec::new();
    let mut negotiated = BTreeMap::new();
    for variant in variants {
        let spec = ServeSpec {
            waf: variant.waf,
            ..spec
        };
        let mut server = variant
            .contender
            .launch_named(variant.name, programs, &spec, workdir)?;
        wait_ready(&mut server, case.load.path, case.body_bytes)?;
        if let Some(attack) = case.attack {
            let blocks = variant.waf.is_some_and(Waf::blocks);
            waf_check::check(&server, attack, blocks)?;
        }
        if protocol == Protocol::H3 {
            let h3load = programs
                .h3load
                .as_deref()
                .ok_or_else(|| Error::run("internal: bext-h3load was not located"))?;
            let url = protocol.url_on(&server, case.load.path)?;
            crate::h3load::check(h3load, &url, case.body_bytes)?;
        } else if protocol != Protocol::Http1 {
            let curl = programs
                .curl
                .as_deref()
                .ok_or_else(|| Error::run("internal: curl was not located"))?;
            curl_check::check(curl, &mut server, protocol, case.load.path, case.body_bytes)?;
        }
        if let Some(handshakes) = case.handshakes {
            let openssl = programs
                .openssl
                .as_deref()
                .ok_or_else(|| Error::run("internal: openssl was not located"))?;
            let checked = resumption_check::check(
                openssl,
                &server,
                case.load.path,
                handshakes,
                case.name,
                workdir,
            )?;
            println!(
                "  {:<CASE_COLUMN_CHARS$} {:<8} s_client: {}; {}",
                case.name,
                server.name(),
                checked.negotiated,
                checked.outcome
            );
            negotiated.insert(server.name().to_string(), checked.negotiated);
        }
        servers.push(server);
    }
    note_negotiated(report, case.name, negotiated);
    if !options.smoke {
        let warmup = Load {
            duration_secs: WARMUP_SECS.min(options.duration_secs),
            generators: case.load.generators.clone(),
            server_cpus: case.load.server_cpus.clone(),
            ..case.load
        };
        for server in &mut servers {
            load_run::measure(server, programs, &warmup)?;
        }
    }
    let mut results: Vec<Vec<Measured>> = vec![Vec::new(); servers.len()];
    for round in 1..=options.rounds {
        for (index, server) in servers.iter_mut().enumerate() {
            let result = load_run::measure(server, programs, &case.load)?;
            println!(
                "  {:<CASE_COLUMN_CHARS$} round {round}/{} {:<8} {:>9.0} req/s {:>8.1} MB/s  {:>6.2} us CPU/req  server {:>3.0}%  {} {:>3.0}%{}",
                case.name,
                options.rounds,
                server.name(),
                result.wrk.requests_per_sec,
                result.wrk.bytes_per_sec / 1e6,
                result.cpu_us_per_request,
                result.cpu_util_percent,
                result.generator,
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
    for server in servers {
        stop_checked(server, report)?;
    }
    Ok(results)
}

/// Records what each server negotiated with s_client in the run's settings (the same for
/// every handshake case, so one entry per server), and warns when the servers differ: the
/// comparison holds only if both do the same cryptographic work per handshake.
fn note_negotiated(report: &mut Report, case: &str, negotiated: BTreeMap<String, String>) {
    if negotiated.is_empty() {
        return;
    }
    let mut distinct: Vec<&String> = negotiated.values().collect();
    distinct.sort();
    distinct.dedup();
    if distinct.len() > 1 {
        let each: Vec<String> = negotiated
            .iter()
            .map(|(server, params)| format!("{server}: {params}"))
            .collect();
        report.warn(format!(
            "{case}: the servers negotiated different TLS parameters with openssl s_client ({}), \
             so their handshakes are not the same work",
            each.join("; ")
        ));
    }
    let entry = report
        .settings
        .entry(SETTING_TLS_NEGOTIATED.to_string())
        .or_insert_with(|| json!({}));
    if let Some(map) = entry.as_object_mut() {
        for (server, params) in negotiated {
            map.insert(server, json!(params));
        }
    }
}

/// A metric a wrk scenario may report per (case, contender).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    RequestsPerSec,
    /// MB/s read by wrk, heads included (10^6 bytes).
    Throughput,
    /// wrk's 50% line (`proxy`).
    LatencyP50,
    LatencyP99,
    CpuPerRequest,
    ServerCpuUtil,
    ServerCoreBusy,
    WrkCpuUtil,
    /// The load generator's CPU utilisation under h2load's name (`h2`).
    H2loadCpuUtil,
    /// The load generator's CPU utilisation under bext-h3load's name (`h3`).
    H3loadCpuUtil,
    SocketErrors,
}

impl Metric {
    fn describe(self) -> (&'static str, &'static str, fn(&Measured) -> f64) {
        match self {
            Metric::RequestsPerSec => {
                (METRIC_REQUESTS_PER_SEC, "req/s", |r| r.wrk.requests_per_sec)
            }
            Metric::Throughput => (METRIC_THROUGHPUT, "MB/s", |r| r.wrk.bytes_per_sec / 1e6),
            Metric::LatencyP50 => (METRIC_LATENCY_P50, "us", |r| r.wrk.p50_us),
            Metric::LatencyP99 => (METRIC_LATENCY_P99, "us", |r| r.wrk.p99_us),
            Metric::CpuPerRequest => (METRIC_CPU_PER_REQUEST, "us", |r| r.cpu_us_per_request),
            Metric::ServerCpuUtil => (METRIC_SERVER_CPU_UTIL, "%", |r| r.cpu_util_percent),
            Metric::ServerCoreBusy => {
                (METRIC_SERVER_CORE_BUSY, "%", |r| r.server_core_busy_percent)
            }
            Metric::WrkCpuUtil => (METRIC_WRK_CPU_UTIL, "%", |r| r.wrk_cpu_util_percent),
            Metric::H2loadCpuUtil => (METRIC_H2LOAD_CPU_UTIL, "%", |r| r.wrk_cpu_util_percent),
            Metric::H3loadCpuUtil => (METRIC_H3LOAD_CPU_UTIL, "%", |r| r.wrk_cpu_util_percent),
            Metric::SocketErrors => (METRIC_SOCKET_ERRORS, "count", |r| {
                r.wrk.socket_errors as f64
            }),
        }
    }
}

/// Pushes one row per metric for `contender`'s runs of `case`, and warns about socket errors.
pub fn push_rows(
    report: &mut Report,
    case: &str,
    contender: &str,
    runs: &[Measured],
    metrics: &[Metric],
) {
    if runs.is_empty() {
        return;
    }
    let errors: u64 = runs.iter().map(|run| run.wrk.socket_errors).sum();
    if errors > 0 {
        let generator = runs[0].generator;
        report.warn(format!(
            "{case}: {contender} saw {errors} socket errors in {generator} (requests without an \
             answer: connect, read or write errors, timeouts)"
        ));
    }
    for metric in metrics {
        let (name, unit, pick) = metric.describe();
        report.rows.push(Row::new(
            case,
            contender,
            name,
            unit,
            runs.iter().map(pick).collect(),
        ));
    }
}
