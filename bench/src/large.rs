//! The `large` scenario: throughput for big files, with few connections (8 by default), bext
//! against nginx (`sendfile on`).
//!
//! Two sizes straddle bext's file-cache entry limit
//! (`bext_core::limits::FILE_CACHE_ENTRY_BYTES_MAX`, 1 MiB): 512 KiB is served from the
//! cache with one gathered write (head + cached body), 10 MiB is streamed from disk in
//! chunks. nginx sends both with sendfile. Reported: req/s, MB/s (what wrk read, heads
//! included, 10^6 bytes per MB) and CPU time per request.

use std::collections::BTreeMap;

use serde_json::json;

use crate::cli::Options;
use crate::error::Error;
use crate::limits::{LOAD_CPU, SERVER_CPU};
use crate::load_run::{Load, METRIC_CPU_PER_REQUEST};
use crate::locate;
use crate::report::Report;
use crate::static_files::METRIC_REQUESTS_PER_SEC;
use crate::workdir::{LARGE_BYTES, LARGE_FILE, MEDIUM_BYTES, MEDIUM_FILE};
use crate::wrk_case::{self, Case, METRIC_THROUGHPUT, Metric};

/// Few connections: each moves megabytes per request, and a handful saturate a core.
pub const CONNECTIONS_DEFAULT: u32 = 8;

const METRICS: &[Metric] = &[
    Metric::RequestsPerSec,
    Metric::Throughput,
    Metric::LatencyP99,
    Metric::CpuPerRequest,
    Metric::ServerCpuUtil,
    Metric::ServerCoreBusy,
    Metric::WrkCpuUtil,
    Metric::SocketErrors,
];

pub fn run(options: &Options) -> Result<Report, Error> {
    let (programs, workdir) = locate::prepare(&options.contenders, locate::wrk(true))?;
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
        ("nginx_sendfile".to_string(), json!("on")),
        (
            "ceiling_uring_setup".to_string(),
            json!(options.ceiling_uring.name()),
        ),
    ]);
    let mut report = Report::new("large", options.smoke, settings);
    println!(
        "large: {MEDIUM_FILE} (cached by bext) and {LARGE_FILE} (streamed by bext), `wrk -t1 -c{}` on CPU {LOAD_CPU}, \
         servers on CPU {SERVER_CPU}; {} round(s) of {} s; contenders {}",
        options.connections,
        options.rounds,
        options.duration_secs,
        names.join(", ")
    );
    for (file, bytes) in [(MEDIUM_FILE, MEDIUM_BYTES), (LARGE_FILE, LARGE_BYTES)] {
        let path = format!("/{file}");
        let case = Case {
            name: file,
            body_bytes: bytes,
            cores: 1,
            nginx_tcp_nopush: true,
            cert: None,
            handshakes: None,
            attack: None,
            app: None,
            load: Load::one_core(&path, options.duration_secs, options.connections),
        };
        let results = wrk_case::run(&case, options, &programs, &workdir, &mut report)?;
        for (contender, runs) in options.contenders.iter().zip(&results) {
            wrk_case::push_rows(&mut report, file, contender.name(), runs, METRICS);
        }
    }
    report.compute_ratios(&[
        METRIC_REQUESTS_PER_SEC,
        METRIC_THROUGHPUT,
        METRIC_CPU_PER_REQUEST,
    ]);
    Ok(report)
}
