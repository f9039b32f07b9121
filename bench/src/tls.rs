//! The `tls` scenario: HTTPS, bext (rustls) against nginx (OpenSSL), TLS 1.3 with one ECDSA
//! P-256 certificate made for the run ([`crate::cert`]), each server on CPU 0 and `wrk -t1`
//! (32 connections by default) on CPU 1, interleaved rounds. Every case starts its servers
//! afresh, so a case's server configuration (session tickets on or off) is its own.
//!
//! - `keepalive` (the 13-byte file) and `keepalive-4k` (the 4 KiB file of `static`): each
//!   connection shakes hands once and then carries requests: what TLS records add to the
//!   `static` scenario's work.
//! - `handshake-resumed`: a new connection for every request (`-H "Connection: close"`: the
//!   server closes after its answer and wrk reconnects), so req/s is handshakes per second and
//!   CPU per request is CPU per handshake, accept and close included. wrk resumes every new
//!   connection with a session ticket from an earlier one (OpenSSL keeps the session across
//!   wrk's reconnects, and both servers issue TLS 1.3 tickets by default; seen with `strace`:
//!   after the first connections no certificate crosses the wire), so these are resumed
//!   handshakes: an X25519 key exchange and the Finished messages, without the certificate
//!   and its signature, as a returning browser makes. (Recorded as `handshake` before the
//!   full case existed; the perf history files those runs under this name.)
//! - `handshake-full`: the same load against servers started without session tickets or a
//!   session cache (bext `tls_session_tickets = false`; nginx `ssl_session_tickets off`,
//!   `ssl_session_cache off` and `ssl_conf_command NumTickets 0`, see [`crate::nginx`]), so
//!   every handshake is a full one: the X25519 key exchange plus the certificate and its
//!   ECDSA P-256 signature, as a first visit makes.
//!
//! Before a handshake case is measured, each server is checked with openssl s_client
//! ([`crate::resumption_check`]): a client that saved the session of one connection must
//! resume it on the next (`handshake-resumed`) or must not (`handshake-full`), and a server
//! that does otherwise stops the run, named. The parameters each server negotiated there
//! (version, cipher suite, group, signature) go into the JSON's `tls_negotiated` setting, with
//! a warning if the two servers differ. wrk's latency clock starts after the handshake, so
//! the handshake cases report no p99.

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
use crate::resumption_check::Handshakes;
use crate::static_files::{METRIC_LATENCY_P99, METRIC_REQUESTS_PER_SEC};
use crate::workdir::{PAGE_BYTES, PAGE_FILE, SMALL_BODY, SMALL_FILE};
use crate::wrk_case::{self, Case, Metric};

/// wrk's connections, as in `bench/scripts/tls-keepalive.sh`.
pub const CONNECTIONS_DEFAULT: u32 = 32;
pub const CASE_KEEPALIVE: &str = "keepalive";
pub const CASE_KEEPALIVE_4K: &str = "keepalive-4k";
pub const CASE_HANDSHAKE_RESUMED: &str = "handshake-resumed";
pub const CASE_HANDSHAKE_FULL: &str = "handshake-full";
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

struct TlsCase {
    name: &'static str,
    file: &'static str,
    body_bytes: usize,
    /// `Some`: a new connection per request (`Connection: close`), making these handshakes.
    handshakes: Option<Handshakes>,
    metrics: &'static [Metric],
}

const CASES: [TlsCase; 4] = [
    TlsCase {
        name: CASE_KEEPALIVE,
        file: SMALL_FILE,
        body_bytes: SMALL_BODY.len(),
        handshakes: None,
        metrics: KEEPALIVE_METRICS,
    },
    TlsCase {
        name: CASE_KEEPALIVE_4K,
        file: PAGE_FILE,
        body_bytes: PAGE_BYTES,
        handshakes: None,
        metrics: KEEPALIVE_METRICS,
    },
    TlsCase {
        name: CASE_HANDSHAKE_RESUMED,
        file: SMALL_FILE,
        body_bytes: SMALL_BODY.len(),
        handshakes: Some(Handshakes::Resumed),
        metrics: HANDSHAKE_METRICS,
    },
    TlsCase {
        name: CASE_HANDSHAKE_FULL,
        file: SMALL_FILE,
        body_bytes: SMALL_BODY.len(),
        handshakes: Some(Handshakes::Full),
        metrics: HANDSHAKE_METRICS,
    },
];

pub fn run(options: &Options) -> Result<Report, Error> {
    let needs = Needs {
        wrk: true,
        tls: true,
        ..Needs::default()
    };
    let (programs, workdir) = locate::prepare(&options.contenders, needs)?;
    let cert = cert::make_for_run(&programs, &workdir)?;
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
            "handshake_cases".to_string(),
            json!({
                CASE_HANDSHAKE_RESUMED: "wrk -H 'Connection: close': a new connection per request, \
                    resumed with a TLS 1.3 session ticket (both servers' defaults), checked with openssl s_client",
                CASE_HANDSHAKE_FULL: "wrk -H 'Connection: close': a new connection per request, \
                    servers without session tickets or a session cache (bext tls_session_tickets = false; \
                    nginx ssl_session_tickets off, ssl_session_cache off, ssl_conf_command NumTickets 0), \
                    so every handshake is full, checked with openssl s_client",
            }),
        ),
    ]);
    let mut report = Report::new("tls", options.smoke, settings);
    println!(
        "tls: {SMALL_FILE} and {PAGE_FILE} over HTTPS (TLS 1.3, ECDSA P-256), `wrk -t1 -c{}` on CPU {LOAD_CPU}, \
         servers on CPU {SERVER_CPU}; keep-alive, then a new connection per request (resumed, then full handshakes); \
         {} round(s) of {} s; contenders {}",
        options.connections,
        options.rounds,
        options.duration_secs,
        names.join(", ")
    );
    for tls_case in &CASES {
        let path = format!("/{}", tls_case.file);
        let case = Case {
            name: tls_case.name,
            body_bytes: tls_case.body_bytes,
            cores: 1,
            nginx_tcp_nopush: true,
            cert: Some(&cert),
            handshakes: tls_case.handshakes,
            attack: None,
            app: None,
            load: Load {
                client: Client::Wrk {
                    tls: true,
                    script: None,
                    headers: if tls_case.handshakes.is_some() {
                        &[CLOSE_HEADER]
                    } else {
                        &[]
                    },
                },
                ..Load::one_core(&path, options.duration_secs, options.connections)
            },
        };
        let results = wrk_case::run(&case, options, &programs, &workdir, &mut report)?;
        for (contender, runs) in options.contenders.iter().zip(&results) {
            wrk_case::push_rows(
                &mut report,
                tls_case.name,
                contender.name(),
                runs,
                tls_case.metrics,
            );
            if let Some(warning) =
                load_run::saturation_warning(tls_case.name, contender.name(), runs)
            {
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
