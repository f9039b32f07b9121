//! The `h2` scenario: HTTP/2 on the 13-byte file, bext (the `h2` crate over its own
//! transports) against nginx, each server on CPU 0 and h2load on CPU 1, interleaved rounds.
//! h2load keeps 100 streams open on each connection (`-m100`), on 1 connection and on 10
//! (`-t1 -c1`, `-t1 -c10`): one busy connection, where the server's per-connection work
//! (framing, flow control, HPACK) is all there is, and a few, closer to a browser-facing
//! edge's mix. Each over two protocols:
//!
//! - `h2-tls-…`: over TLS 1.3, HTTP/2 chosen by ALPN, with the run's ECDSA P-256 certificate
//!   ([`crate::cert`]);
//! - `h2c-…`: cleartext HTTP/2 with prior knowledge. bext's cleartext port tells HTTP/2 from
//!   HTTP/1.1 by the connection's first bytes; nginx 1.22 needs a cleartext `http2` listener
//!   of its own.
//!
//! The connections are the cases' own, so the scenario takes no `--connections`. (Until the
//! 100-stream cases, the scenario ran `-c32 -m16` as `h2-tls` and `h2c`; those rows stay in
//! the perf history under their names.) Each server is checked with curl over the case's
//! protocol before it is measured. h2load reports no latency percentiles, so the rows are
//! req/s and CPU time.

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

/// h2load's concurrent streams per connection (`-m`), in every case.
pub const STREAMS_PER_CONNECTION: u32 = 100;
/// h2load's connections (`-c`), one pair of cases (TLS, h2c) each.
pub const CONNECTIONS: [u32; 2] = [1, 10];

const _: () = assert!(STREAMS_PER_CONNECTION <= H2_STREAMS_MAX);

/// One case: its name, HTTP/2 over TLS (else h2c), h2load's connections.
struct H2Case {
    name: &'static str,
    tls: bool,
    connections: u32,
}

const CASES: [H2Case; 4] = [
    H2Case {
        name: "h2-tls-streams100-c1",
        tls: true,
        connections: CONNECTIONS[0],
    },
    H2Case {
        name: "h2-tls-streams100-c10",
        tls: true,
        connections: CONNECTIONS[1],
    },
    H2Case {
        name: "h2c-streams100-c1",
        tls: false,
        connections: CONNECTIONS[0],
    },
    H2Case {
        name: "h2c-streams100-c10",
        tls: false,
        connections: CONNECTIONS[1],
    },
];

/// The rows of an h2load run (it reports no latency percentiles); `proxy`'s HTTP/2 case too.
pub const METRICS: &[Metric] = &[
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
    let cert = cert::make_for_run(&programs, &workdir)?;
    let names: Vec<&str> = options.contenders.iter().map(|c| c.name()).collect();
    let settings = BTreeMap::from([
        ("duration_secs".to_string(), json!(options.duration_secs)),
        ("rounds".to_string(), json!(options.rounds)),
        ("connections".to_string(), json!(CONNECTIONS)),
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
        "h2: {SMALL_FILE} over HTTP/2 (TLS with ALPN h2, and h2c), `h2load -t1 -m{STREAMS_PER_CONNECTION}` with \
         {CONNECTIONS:?} connections on CPU {LOAD_CPU}, servers on CPU {SERVER_CPU}; {} round(s) of {} s; contenders {}",
        options.rounds,
        options.duration_secs,
        names.join(", ")
    );
    let path = format!("/{SMALL_FILE}");
    for h2_case in &CASES {
        let case = Case {
            name: h2_case.name,
            body_bytes: SMALL_BODY.len(),
            cores: 1,
            nginx_tcp_nopush: true,
            cert: h2_case.tls.then_some(&cert),
            handshakes: None,
            attack: None,
            app: None,
            load: Load {
                client: Client::H2load {
                    tls: h2_case.tls,
                    streams: STREAMS_PER_CONNECTION,
                },
                ..Load::one_core(&path, options.duration_secs, h2_case.connections)
            },
        };
        let results = wrk_case::run(&case, options, &programs, &workdir, &mut report)?;
        for (contender, runs) in options.contenders.iter().zip(&results) {
            wrk_case::push_rows(&mut report, h2_case.name, contender.name(), runs, METRICS);
            if let Some(warning) =
                load_run::saturation_warning(h2_case.name, contender.name(), runs)
            {
                report.warn(warning);
            }
        }
    }
    report.compute_ratios(&[METRIC_REQUESTS_PER_SEC, METRIC_CPU_PER_REQUEST]);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_is_named_for_its_protocol_streams_and_connections() {
        for case in &CASES {
            let protocol = if case.tls { "h2-tls" } else { "h2c" };
            assert_eq!(
                case.name,
                format!(
                    "{protocol}-streams{STREAMS_PER_CONNECTION}-c{}",
                    case.connections
                )
            );
        }
    }
}
