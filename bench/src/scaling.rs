//! The `scaling` scenario: one core against two. bext with `--shards 1` on CPU 0 against
//! `--shards 2` on CPUs 0 and 1; nginx with one worker against two (then with
//! `master_process on`; CPU time is summed over the master's children).
//!
//! **The load generator shares the cores in the two-core case.** This machine has two
//! cores, so there is no third one for wrk. With one core, the server has CPU 0 and one wrk
//! has CPU 1, as in `static`. With two cores, the server spans both and one wrk runs on each
//! CPU with half the connections, competing with the shard (or worker) there. bext steers a
//! connection to the shard on the CPU that handled its SYN, which on loopback is the
//! connecting wrk's CPU, so each wrk loads "its" shard; nginx's workers take connections as
//! they accept them. The two-core req/s is therefore what two cores give when they also run
//! the clients: `speedup` (2-core req/s / 1-core req/s, per round) well below 2 is expected,
//! and `cpu_per_request` (server CPU only) shows whether the server's own cost per request
//! changed with the second shard.

use std::collections::BTreeMap;

use serde_json::json;

use crate::cli::Options;
use crate::contender::server_cpus;
use crate::error::Error;
use crate::generator::Client;
use crate::limits::{LOAD_CPU, SERVER_CPU};
use crate::load_run::{self, Load, METRIC_CPU_PER_REQUEST, Measured};
use crate::locate;
use crate::report::{Report, Row};
use crate::static_files::METRIC_REQUESTS_PER_SEC;
use crate::workdir::{SMALL_BODY, SMALL_FILE};
use crate::wrk_case::{self, Case, Metric};

pub const CASE_ONE_CORE: &str = "1-core";
pub const CASE_TWO_CORES: &str = "2-cores";
pub const METRIC_SPEEDUP: &str = "speedup";

/// Said in the output and kept in the JSON settings, so nobody reads the two-core numbers
/// as a dedicated-client measurement.
const LOAD_SHARING: &str = "1-core: server on CPU 0, one wrk on CPU 1; 2-cores: server on CPUs 0 and 1, \
     one wrk on each CPU with half the connections, sharing that CPU with a bext shard or nginx worker";

const METRICS: &[Metric] = &[
    Metric::RequestsPerSec,
    Metric::CpuPerRequest,
    Metric::LatencyP99,
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
        ("contenders".to_string(), json!(names)),
        ("load_generator".to_string(), json!(LOAD_SHARING)),
        (
            "nginx_master_process".to_string(),
            json!("off with 1 worker, on with 2"),
        ),
    ]);
    let mut report = Report::new("scaling", options.smoke, settings);
    println!(
        "scaling: {} connections; {} round(s) of {} s; contenders {}\n  NOTE: {LOAD_SHARING}; \
         with only 2 cores the load generator cannot have a core of its own in the 2-core case",
        options.connections,
        options.rounds,
        options.duration_secs,
        names.join(", ")
    );
    let path = format!("/{SMALL_FILE}");
    let half = options.connections / 2;
    let cases = [
        (CASE_ONE_CORE, 1, vec![(LOAD_CPU, options.connections)]),
        (
            CASE_TWO_CORES,
            2,
            vec![
                (SERVER_CPU, half.max(1)),
                (LOAD_CPU, (options.connections - half).max(1)),
            ],
        ),
    ];
    let mut per_case: Vec<Vec<Vec<Measured>>> = Vec::new();
    for (name, cores, generators) in cases {
        let case = Case {
            name,
            body_bytes: SMALL_BODY.len(),
            cores,
            nginx_tcp_nopush: true,
            cert: None,
            handshakes: None,
            attack: None,
            app: None,
            load: Load {
                path: &path,
                duration_secs: options.duration_secs,
                generators,
                client: Client::WRK,
                server_cpus: server_cpus(cores),
            },
        };
        let results = wrk_case::run(&case, options, &programs, &workdir, &mut report)?;
        for (contender, runs) in options.contenders.iter().zip(&results) {
            wrk_case::push_rows(&mut report, name, contender.name(), runs, METRICS);
            // Below a whole core is only a finding for the one-core case; with two the
            // generators compete with the server by design.
            if cores == 1
                && let Some(warning) = load_run::saturation_warning(name, contender.name(), runs)
            {
                report.warn(warning);
            }
        }
        per_case.push(results);
    }
    if let [one, two] = per_case.as_slice() {
        for ((contender, one), two) in options.contenders.iter().zip(one).zip(two) {
            let speedups = speedups(one, two);
            if !speedups.is_empty() {
                report.rows.push(Row::new(
                    CASE_TWO_CORES,
                    contender.name(),
                    METRIC_SPEEDUP,
                    "x",
                    speedups,
                ));
            }
        }
    }
    report.compute_ratios(&[
        METRIC_REQUESTS_PER_SEC,
        METRIC_CPU_PER_REQUEST,
        METRIC_SPEEDUP,
    ]);
    Ok(report)
}

/// Two-core req/s over one-core req/s, round by round.
fn speedups(one: &[Measured], two: &[Measured]) -> Vec<f64> {
    one.iter()
        .zip(two)
        .filter(|(one, _)| one.wrk.requests_per_sec > 0.0)
        .map(|(one, two)| two.wrk.requests_per_sec / one.wrk.requests_per_sec)
        .collect()
}
