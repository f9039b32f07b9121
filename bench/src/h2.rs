//! The `h2` scenario: HTTP/2 on the 13-byte file, bext (the `h2` crate over its own
//! transports) against nginx, each server on CPU 0 and h2load on CPU 1 (`-t1 -c32 -m16` by
//! default: 32 connections with 16 concurrent streams each), interleaved rounds.
//!
//! - `h2-tls`: over TLS 1.3, HTTP/2 chosen by ALPN, with the run's ECDSA P-256 certificate
//!   ([`crate::cert`]);
//! - `h2c`: cleartext HTTP/2 with prior knowledge. bext's cleartext port tells HTTP/2 from
//!   HTTP/1.1 by the connection's first bytes; nginx 1.22 needs a cleartext `http2` listener
//!   of its own.
//!
//! Each server is checked with curl over the case's protocol before it is measured. h2load
//! reports no latency percentiles, so the rows are req/s and CPU time.

use std::collections::BTreeMap;

use serde_json::json;

use crate::cert;
use crate::cli::Options;
use crate::error::Error;
use crate::generator::Client;
use crate::limits::{LOAD_CPU, SERVER_CPU};
use crate::load_run::{self, Load, METRIC_CPU_PER_REQUEST};
use crate::locate::{self, Needs};
use crate::nginx::H2_STREAMS_MAX;
use crate::report::Report;
use crate::static_files::METRIC_REQUESTS_PER_SEC;
use crate::workdir::{SMALL_BODY, SMALL_FILE};
use crate::wrk_case::{self, Case, Metric};

/// h2load's connections, as in `bench/scripts/h2-static.sh`.
pub const CONNECTIONS_DEFAULT: u32 = 32;
/// h2load's concurrent streams per connection (`-m`).
pub const STREAMS_PER_CONNECTION: u32 = 16;
pub const CASE_H2_TLS: &str = "h2-tls";
pub const CASE_H2C: &str = "h2c";

const _: () = assert!(STREAMS_PER_CONNECTION <= H2_STREAMS_MAX);

const METRICS: &[Metric] = &[
    Metric::RequestsPerSec,
    Metric::CpuPerRequest,
    Metric::ServerCpuUtil,
    Metric::ServerCoreBusy,
    Metric::H2loadCpuUtil,
    Metric::SocketErrors,
];

pub fn run(options: &Options) -> Result<Report, Error> {
    let needs = Needs {
        h2load: true,
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
        (
            "streams_per_connection".to_string(),
            json!(STREAMS_PER_CONNECTION),
        ),
        ("h2load_threads".to_string(), json!(1)),
        ("server_cpu".to_string(), json!(SERVER_CPU)),
        ("load_cpu".to_string(), json!(LOAD_CPU)),
        ("contenders".to_string(), json!(names)),
        ("nginx_master_process".to_string(), json!("off")),
        ("tls_version".to_string(), json!("TLSv1.3")),
        (
            "certificate".to_string(),
            json!("ECDSA P-256, self-signed (openssl req)"),
        ),
    ]);
    let mut report = Report::new("h2", options.smoke, settings);
    println!(
        "h2: {SMALL_FILE} over HTTP/2 (TLS with ALPN h2, and h2c), `h2load -t1 -c{} -m{STREAMS_PER_CONNECTION}` on CPU {LOAD_CPU}, \
         servers on CPU {SERVER_CPU}; {} round(s) of {} s; contenders {}",
        options.connections,
        options.rounds,
        options.duration_secs,
        names.join(", ")
    );
    let path = format!("/{SMALL_FILE}");
    for (name, tls) in [(CASE_H2_TLS, true), (CASE_H2C, false)] {
        let case = Case {
            name,
            body_bytes: SMALL_BODY.len(),
            cores: 1,
            nginx_tcp_nopush: true,
            cert: tls.then_some(&cert),
            load: Load {
                client: Client::H2load {
                    tls,
                    streams: STREAMS_PER_CONNECTION,
                },
                ..Load::one_core(&path, options.duration_secs, options.connections)
            },
        };
        let results = wrk_case::run(&case, options, &programs, &workdir, &mut report)?;
        for (contender, runs) in options.contenders.iter().zip(&results) {
            wrk_case::push_rows(&mut report, name, contender.name(), runs, METRICS);
            if let Some(warning) = load_run::saturation_warning(name, contender.name(), runs) {
                report.warn(warning);
            }
        }
    }
    report.compute_ratios(&[METRIC_REQUESTS_PER_SEC, METRIC_CPU_PER_REQUEST]);
    Ok(report)
}
