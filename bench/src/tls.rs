//! The `tls` scenario: HTTPS on the 13-byte file, bext (rustls) against nginx (OpenSSL), TLS
//! 1.3 with one ECDSA P-256 certificate made for the run ([`crate::cert`]), each server on
//! CPU 0 and `wrk -t1` (32 connections by default) on CPU 1, interleaved rounds.
//!
//! - `keepalive`: each connection shakes hands once and then carries requests: what TLS
//!   records add to the `static` scenario's work.
//! - `handshake`: a new connection for every request (`-H "Connection: close"`: the server
//!   closes after its answer and wrk reconnects), so req/s is handshakes per second and CPU
//!   per request is CPU per handshake, accept and close included. wrk resumes every new
//!   connection with a session ticket from an earlier one (OpenSSL keeps the session across
//!   wrk's reconnects, and both servers issue TLS 1.3 tickets; seen with `strace`: after the
//!   first connections no certificate crosses the wire), so these are resumed handshakes:
//!   an X25519 key exchange and the Finished messages, without the certificate and its
//!   signature, as a returning browser does. bext has no setting to withhold tickets, so the
//!   full handshake is not measured. wrk's latency clock starts after the handshake, so this
//!   case reports no p99.

use std::collections::BTreeMap;

use serde_json::json;

use crate::cert;
use crate::cli::Options;
use crate::error::Error;
use crate::generator::Client;
use crate::limits::{LOAD_CPU, SERVER_CPU};
use crate::load_run::{self, Load, METRIC_CPU_PER_REQUEST};
use crate::locate::{self, Needs};
use crate::report::Report;
use crate::static_files::{METRIC_LATENCY_P99, METRIC_REQUESTS_PER_SEC};
use crate::workdir::{SMALL_BODY, SMALL_FILE};
use crate::wrk_case::{self, Case, Metric};

/// wrk's connections, as in `bench/scripts/tls-keepalive.sh`.
pub const CONNECTIONS_DEFAULT: u32 = 32;
pub const CASE_KEEPALIVE: &str = "keepalive";
pub const CASE_HANDSHAKE: &str = "handshake";
/// The header that makes every request a new connection.
const CLOSE_HEADER: &str = "Connection: close";

const KEEPALIVE_METRICS: &[Metric] = &[
    Metric::RequestsPerSec,
    Metric::LatencyP99,
    Metric::CpuPerRequest,
    Metric::ServerCpuUtil,
    Metric::ServerCoreBusy,
    Metric::WrkCpuUtil,
    Metric::SocketErrors,
];
const HANDSHAKE_METRICS: &[Metric] = &[
    Metric::RequestsPerSec,
    Metric::CpuPerRequest,
    Metric::ServerCpuUtil,
    Metric::ServerCoreBusy,
    Metric::WrkCpuUtil,
    Metric::SocketErrors,
];

pub fn run(options: &Options) -> Result<Report, Error> {
    let needs = Needs {
        wrk: true,
        tls: true,
        ..Needs::default()
    };
    let (programs, workdir) = locate::prepare(&options.contenders, needs)?;
    let openssl = programs
        .openssl
        .as_deref()
        .ok_or_else(|| Error::run("internal: openssl was not located"))?;
    let cert = cert::make(openssl, &workdir)?;
    let names: Vec<&str> = options.contenders.iter().map(|c| c.name()).collect();
    let settings = BTreeMap::from([
        ("duration_secs".to_string(), json!(options.duration_secs)),
        ("rounds".to_string(), json!(options.rounds)),
        ("connections".to_string(), json!(options.connections)),
        ("wrk_threads".to_string(), json!(1)),
        ("server_cpu".to_string(), json!(SERVER_CPU)),
        ("load_cpu".to_string(), json!(LOAD_CPU)),
        ("contenders".to_string(), json!(names)),
        ("nginx_master_process".to_string(), json!("off")),
        ("tls_version".to_string(), json!("TLSv1.3")),
        (
            "certificate".to_string(),
            json!("ECDSA P-256, self-signed (openssl req)"),
        ),
        (
            "handshake_case".to_string(),
            json!(
                "wrk -H 'Connection: close': a new connection per request, resumed with a TLS 1.3 session ticket"
            ),
        ),
    ]);
    let mut report = Report::new("tls", options.smoke, settings);
    println!(
        "tls: {SMALL_FILE} over HTTPS (TLS 1.3, ECDSA P-256), `wrk -t1 -c{}` on CPU {LOAD_CPU}, servers on CPU {SERVER_CPU}; \
         {} round(s) of {} s; contenders {}",
        options.connections,
        options.rounds,
        options.duration_secs,
        names.join(", ")
    );
    let path = format!("/{SMALL_FILE}");
    let cases = [
        (CASE_KEEPALIVE, None, KEEPALIVE_METRICS),
        (CASE_HANDSHAKE, Some(CLOSE_HEADER), HANDSHAKE_METRICS),
    ];
    for (name, header, metrics) in cases {
        let case = Case {
            name,
            body_bytes: SMALL_BODY.len(),
            cores: 1,
            nginx_tcp_nopush: true,
            cert: Some(&cert),
            load: Load {
                client: Client::Wrk {
                    tls: true,
                    script: None,
                    header,
                },
                ..Load::one_core(&path, options.duration_secs, options.connections)
            },
        };
        let results = wrk_case::run(&case, options, &programs, &workdir, &mut report)?;
        for (contender, runs) in options.contenders.iter().zip(&results) {
            wrk_case::push_rows(&mut report, name, contender.name(), runs, metrics);
            if let Some(warning) = load_run::saturation_warning(name, contender.name(), runs) {
                report.warn(warning);
            }
        }
    }
    report.compute_ratios(&[
        METRIC_REQUESTS_PER_SEC,
        METRIC_CPU_PER_REQUEST,
        METRIC_LATENCY_P99,
    ]);
    Ok(report)
}
