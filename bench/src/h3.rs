//! The `h3` scenario: bext's HTTP/3 against its own HTTP/2 and HTTP/1.1 over TLS, on the same
//! files, the server on CPU 0 and the load generator on CPU 1, interleaved rounds. Debian's
//! nginx has no HTTP/3 and no HTTP/3 server is packaged beside it, so this compares
//! protocols, not servers: the ratios are `h3/h2` and `h3/h1` of bext's own numbers.
//!
//! - `*-small-*`: the 13-byte file, 100 requests in flight: HTTP/3 as 10 connections × 10
//!   streams (`bext-h3load`, this package's generator on quiche), HTTP/2 the same with
//!   h2load over TLS, HTTP/1.1 as 100 keep-alive connections with wrk over TLS. What QUIC's
//!   user-space crypto and framing cost per request.
//! - `*-10m-c1`: the 10 MiB file (streamed from disk by bext) on one connection, one request
//!   at a time: throughput of one shard on one flow. (bext-h3load counts body bytes; wrk and
//!   h2load count everything they read, heads and framing included, a fraction of a percent
//!   here.)
//!
//! Each server is checked first over the case's protocol (curl for HTTP/1.1 and HTTP/2,
//! `bext-h3load --check` for HTTP/3).

use std::collections::BTreeMap;

use serde_json::json;

use crate::cert;
use crate::cli::Options;
use crate::error::Error;
use crate::generator::Client;
use crate::limits::{LOAD_CPU, SERVER_CPU};
use crate::load_run::{self, Load};
use crate::locate::{self, Needs};
use crate::report::{Ratio, Report};
use crate::static_files::METRIC_REQUESTS_PER_SEC;
use crate::workdir::{LARGE_BYTES, LARGE_FILE, SMALL_BODY, SMALL_FILE};
use crate::wrk_case::{self, Case, METRIC_THROUGHPUT, Metric};

/// Requests in flight in the small-file cases: HTTP/3 and HTTP/2 as `SMALL_CONNECTIONS`
/// connections of `SMALL_STREAMS` streams, HTTP/1.1 as that many connections.
pub const SMALL_CONNECTIONS: u32 = 10;
pub const SMALL_STREAMS: u32 = 10;

/// One case: its name, the protocol's generator, connections, the file.
struct H3Case {
    name: &'static str,
    /// `h3`, `h2` or `h1`, for the ratios.
    protocol: &'static str,
    client: Client<'static>,
    connections: u32,
    large: bool,
}

const CASES: [H3Case; 6] = [
    H3Case {
        name: "h3-small-c10-m10",
        protocol: "h3",
        client: Client::H3load {
            streams: SMALL_STREAMS,
        },
        connections: SMALL_CONNECTIONS,
        large: false,
    },
    H3Case {
        name: "h2-tls-small-c10-m10",
        protocol: "h2",
        client: Client::H2load {
            tls: true,
            streams: SMALL_STREAMS,
        },
        connections: SMALL_CONNECTIONS,
        large: false,
    },
    H3Case {
        name: "h1-tls-small-c100",
        protocol: "h1",
        client: Client::Wrk {
            tls: true,
            script: None,
            headers: &[],
        },
        connections: SMALL_CONNECTIONS * SMALL_STREAMS,
        large: false,
    },
    H3Case {
        name: "h3-10m-c1",
        protocol: "h3",
        client: Client::H3load { streams: 1 },
        connections: 1,
        large: true,
    },
    H3Case {
        name: "h2-tls-10m-c1",
        protocol: "h2",
        client: Client::H2load {
            tls: true,
            streams: 1,
        },
        connections: 1,
        large: true,
    },
    H3Case {
        name: "h1-tls-10m-c1",
        protocol: "h1",
        client: Client::Wrk {
            tls: true,
            script: None,
            headers: &[],
        },
        connections: 1,
        large: true,
    },
];

/// The rows each case reports; the generator's CPU under its own name.
fn metrics(client: Client<'_>) -> [Metric; 6] {
    let generator = match client {
        Client::Wrk { .. } => Metric::WrkCpuUtil,
        Client::H2load { .. } => Metric::H2loadCpuUtil,
        Client::H3load { .. } => Metric::H3loadCpuUtil,
    };
    [
        Metric::RequestsPerSec,
        Metric::Throughput,
        Metric::CpuPerRequest,
        Metric::ServerCpuUtil,
        Metric::ServerCoreBusy,
        generator,
    ]
}

pub fn run(options: &Options) -> Result<Report, Error> {
    let needs = Needs {
        wrk: true,
        h2load: true,
        h3load: true,
        tls: true,
        ..Needs::default()
    };
    let (programs, workdir) = locate::prepare(&options.contenders, needs)?;
    let cert = cert::make_for_run(&programs, &workdir)?;
    let settings = BTreeMap::from([
        ("duration_secs".to_string(), json!(options.duration_secs)),
        ("rounds".to_string(), json!(options.rounds)),
        ("small_connections".to_string(), json!(SMALL_CONNECTIONS)),
        ("small_streams".to_string(), json!(SMALL_STREAMS)),
        ("server_cpu".to_string(), json!(SERVER_CPU)),
        ("load_cpu".to_string(), json!(LOAD_CPU)),
        ("contenders".to_string(), json!(["bext"])),
        ("tls_version".to_string(), json!("TLSv1.3")),
        (
            "certificate".to_string(),
            json!("ECDSA P-256, self-signed (openssl req)"),
        ),
    ]);
    let mut report = Report::new("h3", options.smoke, settings);
    println!(
        "h3: {SMALL_FILE} with {} requests in flight and {LARGE_FILE} on one connection, over HTTP/3 \
         (bext-h3load), HTTP/2 over TLS (h2load) and HTTP/1.1 over TLS (wrk) on CPU {LOAD_CPU}, \
         bext on CPU {SERVER_CPU}; {} round(s) of {} s",
        SMALL_CONNECTIONS * SMALL_STREAMS,
        options.rounds,
        options.duration_secs,
    );
    let small = format!("/{SMALL_FILE}");
    let large = format!("/{LARGE_FILE}");
    // (protocol, large, req/s, MB/s) of each case, for the ratios.
    let mut medians: Vec<(&str, bool, f64, f64)> = Vec::new();
    for h3_case in &CASES {
        let (path, body_bytes) = if h3_case.large {
            (&large, LARGE_BYTES)
        } else {
            (&small, SMALL_BODY.len())
        };
        let case = Case {
            name: h3_case.name,
            body_bytes,
            cores: 1,
            nginx_tcp_nopush: true,
            cert: Some(&cert),
            handshakes: None,
            attack: None,
            app: None,
            load: Load {
                client: h3_case.client,
                ..Load::one_core(path, options.duration_secs, h3_case.connections)
            },
        };
        let results = wrk_case::run(&case, options, &programs, &workdir, &mut report)?;
        for (contender, runs) in options.contenders.iter().zip(&results) {
            wrk_case::push_rows(
                &mut report,
                h3_case.name,
                contender.name(),
                runs,
                &metrics(h3_case.client),
            );
            if let Some(warning) =
                load_run::saturation_warning(h3_case.name, contender.name(), runs)
            {
                report.warn(warning);
            }
        }
        let median = |metric: &str| {
            report
                .rows
                .iter()
                .find(|row| row.case == h3_case.name && row.metric == metric)
                .map_or(f64::NAN, |row| row.median)
        };
        medians.push((
            h3_case.protocol,
            h3_case.large,
            median(METRIC_REQUESTS_PER_SEC),
            median(METRIC_THROUGHPUT),
        ));
    }
    report.ratios = protocol_ratios(&medians);
    for ratio in &report.ratios {
        println!(
            "  {} {} {}: {:.2}",
            ratio.case, ratio.metric, ratio.name, ratio.value
        );
    }
    Ok(report)
}

/// `h3/h2` and `h3/h1` of req/s for the small file and of throughput for the large one.
fn protocol_ratios(medians: &[(&str, bool, f64, f64)]) -> Vec<Ratio> {
    let mut ratios = Vec::new();
    for (large, case, metric) in [
        (false, "small", METRIC_REQUESTS_PER_SEC),
        (true, "10m", METRIC_THROUGHPUT),
    ] {
        let value = |protocol: &str| {
            medians
                .iter()
                .find(|(p, l, _, _)| *p == protocol && *l == large)
                .map(|(_, _, rps, mbps)| if large { *mbps } else { *rps })
        };
        let Some(h3) = value("h3") else {
            continue;
        };
        for other in ["h2", "h1"] {
            if let Some(base) = value(other).filter(|v| *v > 0.0) {
                ratios.push(Ratio {
                    case: case.to_string(),
                    metric: metric.to_string(),
                    name: format!("h3/{other}"),
                    value: h3 / base,
                });
            }
        }
    }
    ratios
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_compare_http3_with_each_other_protocol_on_its_metric() {
        let medians = [
            ("h3", false, 70.0, 1.0),
            ("h2", false, 100.0, 1.0),
            ("h1", false, 140.0, 1.0),
            ("h3", true, 5.0, 1000.0),
            ("h2", true, 5.0, 2000.0),
            ("h1", true, 5.0, 0.0),
        ];
        let ratios = protocol_ratios(&medians);
        let got: Vec<(&str, &str, f64)> = ratios
            .iter()
            .map(|r| (r.case.as_str(), r.name.as_str(), r.value))
            .collect();
        assert_eq!(
            got,
            [
                ("small", "h3/h2", 0.7),
                ("small", "h3/h1", 0.5),
                ("10m", "h3/h2", 0.5),
            ]
        );
    }
}
