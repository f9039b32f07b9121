//! The `waf` scenario: what the OWASP Core Rule Set costs per request. bext without a WAF,
//! with CRS at paranoia level 1 and at level 2 (`[waf] crs`, `mode = "block"`), and as a
//! peer nginx plain and with ModSecurity v3 running the same CRS at level 1 (Debian's
//! `libnginx-mod-http-modsecurity`, see `modsecurity.rs`), each on CPU 0 with `wrk -t1` on
//! CPU 1, interleaved rounds, as `static` runs (`wrk_case`).
//!
//! Cases:
//! - `small.txt`: `GET /small.txt`, the 13-byte file `static` measures, now through the rules;
//! - `small.txt-args3`: the same file with a query string of three ordinary arguments
//!   (`?q=shoes&page=2&sort=price`): CRS runs most of its rules once per argument (name and
//!   value), so its cost grows with them;
//! - `app-simple`: `/simple` of `examples/app`, rendered by bext on every request
//!   (`waf_app`): the rules against a render. bext only: nginx renders no app.
//!
//! Every request carries a browser's `Host` (a name), `User-Agent` and `Accept`
//! ([`REQUEST_HEADERS`]). wrk's own `Host: 127.0.0.1:<port>` matches CRS's 920350 (a numeric
//! Host) at paranoia 1, so every request would score and be logged as a warning by both
//! servers, and CRS scores a missing `User-Agent` or `Accept` at paranoia 2 (920320,
//! 920300): measured that way, the comparison would be one of wrk's habits, not of traffic.
//! With these headers the measured requests match no rule.
//!
//! Before it is measured, every server answers the case's request 200 (`wait_ready`) and
//! one obvious SQL injection ([`ATTACK_QUERY`] on the case's page) 403 with a WAF and 200
//! without (`waf_check`): a WAF that is not running fails the run instead of producing a
//! flattering number. Under load, a single refused request fails the run too (`load_run`
//! accepts 2xx and 3xx only).
//!
//! bext runs the rules twice per level: as configured by default, with `[waf] memo` (wrk
//! sends one request over and over, so a shard runs the rules for its first two and takes
//! the kept outcome for the rest: the cost of a request that repeats), and with
//! `memo = false` (`-nomemo`: the rules run for every request, the cost of one bext has
//! not seen).
//!
//! Ratios: each server with the rules over the same server without them, for req/s and CPU
//! per request (`bext-crs-pl1/bext`, `bext-crs-pl2/bext`, `nginx-modsec-pl1/nginx`). The
//! issue's targets (CRS paranoia 1 costs at most 10% of req/s on the small file, paranoia 2
//! at most 15%) are reported beside them, never asserted: the shared machine is too noisy.

use std::collections::BTreeMap;

use serde_json::json;

use crate::cli::Options;
use crate::contender::{Contender, Waf};
use crate::crs::{self, CrsFiles};
use crate::error::Error;
use crate::generator::Client;
use crate::limits::{LOAD_CPU, SERVER_CPU, WARMUP_SECS};
use crate::load_run::{self, Load, METRIC_CPU_PER_REQUEST};
use crate::locate::{self, Needs};
use crate::report::{Ratio, Report, Row};
use crate::static_files::METRIC_REQUESTS_PER_SEC;
use crate::waf_app;
use crate::workdir::{SMALL_BODY, SMALL_FILE};
use crate::wrk_case::{self, Case, Metric, Variant};
use bext_bench::waf_traffic::ARGS3_QUERY;

/// The query every server must refuse with a WAF and serve without: `id=1' OR '1'='1`,
/// percent-encoded as a browser sends it. It goes on the case's own page, so a server
/// without a WAF answers 200 rather than 404.
pub const ATTACK_QUERY: &str = "?id=1%27%20OR%20%271%27%3D%271";

pub use bext_bench::waf_traffic::REQUEST_HEADERS;

/// One server of the scenario: a contender with or without CRS.
struct WafServer {
    name: &'static str,
    contender: Contender,
    /// CRS's paranoia level, or `None`: no WAF.
    paranoia: Option<u8>,
    /// bext's `[waf] memo` (its default): wrk repeats one request, so every request after
    /// a shard's second is a hit. The `-nomemo` servers run the rules for every request:
    /// what a request bext has not seen costs.
    memo: bool,
}

/// In run order within a round: each contender without, then with the rules.
const SERVERS: [WafServer; 7] = [
    WafServer {
        name: "bext",
        contender: Contender::Bext,
        paranoia: None,
        memo: true,
    },
    WafServer {
        name: "bext-crs-pl1",
        contender: Contender::Bext,
        paranoia: Some(1),
        memo: true,
    },
    WafServer {
        name: "bext-crs-pl2",
        contender: Contender::Bext,
        paranoia: Some(2),
        memo: true,
    },
    WafServer {
        name: "bext-crs-pl1-nomemo",
        contender: Contender::Bext,
        paranoia: Some(1),
        memo: false,
    },
    WafServer {
        name: "bext-crs-pl2-nomemo",
        contender: Contender::Bext,
        paranoia: Some(2),
        memo: false,
    },
    WafServer {
        name: "nginx",
        contender: Contender::Nginx,
        paranoia: None,
        memo: false,
    },
    WafServer {
        name: "nginx-modsec-pl1",
        contender: Contender::Nginx,
        paranoia: Some(1),
        memo: false,
    },
];

/// A case: its name, the page and the query measured.
struct WafCase {
    name: &'static str,
    /// The app's page (`waf_app`, bext only) rather than the small file.
    app: bool,
    /// Appended to the page's path: `""` or `?...`.
    query: &'static str,
}

const CASES: [WafCase; 3] = [
    WafCase {
        name: SMALL_FILE,
        app: false,
        query: "",
    },
    WafCase {
        name: "small.txt-args3",
        app: false,
        query: ARGS3_QUERY,
    },
    WafCase {
        name: "app-simple",
        app: true,
        query: "",
    },
];

/// The targets for bext on the small file: req/s with CRS over req/s without, at
/// least this much, by paranoia level. Reported, not asserted.
const REQUESTS_RATIO_TARGETS: [(&str, f64); 2] =
    [("bext-crs-pl1/bext", 0.90), ("bext-crs-pl2/bext", 0.85)];

const METRICS: &[Metric] = &[
    Metric::RequestsPerSec,
    Metric::LatencyP99,
    Metric::CpuPerRequest,
    Metric::ServerCpuUtil,
    Metric::ServerCoreBusy,
    Metric::WrkCpuUtil,
    Metric::SocketErrors,
];

pub fn run(options: &Options) -> Result<Report, Error> {
    // Before anything is installed or started: a missing CRS is the first thing to say.
    let crs = crs::locate(&options.crs)?;
    // Before `locate::prepare` pins the harness to one CPU: npm gets both.
    let app = if options.contenders.contains(&Contender::Bext) {
        Some(waf_app::prepare()?)
    } else {
        None
    };
    let needs = Needs {
        wrk: true,
        modsecurity: true,
        ..Needs::default()
    };
    let (programs, workdir) = locate::prepare(&options.contenders, needs)?;
    let variants = variants(&options.contenders, &crs);
    let names: Vec<&str> = variants.iter().map(|variant| variant.name).collect();
    let warmup_secs = if options.smoke {
        0
    } else {
        WARMUP_SECS.min(options.duration_secs)
    };
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
        ("crs".to_string(), json!(crs.dir.display().to_string())),
        ("crs_version".to_string(), json!(crs::version(&crs))),
        ("waf_mode".to_string(), json!("block")),
        ("request_headers".to_string(), json!(REQUEST_HEADERS)),
        ("attack_query".to_string(), json!(ATTACK_QUERY)),
        (
            "app".to_string(),
            json!("examples/app, isr = false (every request rendered)"),
        ),
        (
            "nginx_modsecurity".to_string(),
            json!(
                "Debian libnginx-mod-http-modsecurity (libmodsecurity 3), SecRequestBodyAccess On, \
                 SecResponseBodyAccess Off, SecAuditEngine Off"
            ),
        ),
        (
            "targets".to_string(),
            json!(
                REQUESTS_RATIO_TARGETS
                    .iter()
                    .map(|(name, at_least)| (
                        format!("{SMALL_FILE} {name} requests_per_sec"),
                        format!(">= {at_least}")
                    ))
                    .collect::<BTreeMap<_, _>>()
            ),
        ),
    ]);
    let mut report = Report::new("waf", options.smoke, settings);
    println!(
        "waf: OWASP CRS ({}) from {}; servers on CPU {SERVER_CPU}, \
         `wrk -t1 -c{}` on CPU {LOAD_CPU}; \
         {} round(s) of {} s per server and case (warm-up {warmup_secs} s); servers {}",
        crs::version(&crs).unwrap_or_else(|| "version unknown".to_string()),
        crs.dir.display(),
        options.connections,
        options.rounds,
        options.duration_secs,
        names.join(", ")
    );
    let small = format!("/{SMALL_FILE}");
    let app_page = match &app {
        Some(dir) => Some((
            dir.as_path(),
            waf_app::page_bytes(dir, &programs, &workdir, &mut report)?,
        )),
        None => None,
    };
    for waf_case in &CASES {
        let (page, body_bytes, app_dir, case_variants) = if waf_case.app {
            let Some((dir, bytes)) = app_page else {
                continue;
            };
            let bext_only: Vec<Variant<'_>> = variants
                .iter()
                .copied()
                .filter(|variant| variant.contender == Contender::Bext)
                .collect();
            (waf_app::page().path, bytes, Some(dir), bext_only)
        } else {
            (small.as_str(), SMALL_BODY.len(), None, variants.clone())
        };
        let path = format!("{page}{}", waf_case.query);
        let attack = format!("{page}{ATTACK_QUERY}");
        let case = Case {
            name: waf_case.name,
            body_bytes,
            cores: 1,
            nginx_tcp_nopush: true,
            cert: None,
            handshakes: None,
            attack: Some(&attack),
            app: app_dir,
            load: Load {
                client: Client::Wrk {
                    tls: false,
                    script: None,
                    headers: REQUEST_HEADERS,
                },
                ..Load::one_core(&path, options.duration_secs, options.connections)
            },
        };
        let results = wrk_case::run_variants(
            &case,
            &case_variants,
            options,
            &programs,
            &workdir,
            &mut report,
        )?;
        for (variant, runs) in case_variants.iter().zip(&results) {
            wrk_case::push_rows(&mut report, waf_case.name, variant.name, runs, METRICS);
            if let Some(warning) = load_run::saturation_warning(waf_case.name, variant.name, runs) {
                report.warn(warning);
            }
        }
    }
    report.ratios = waf_ratios(&report.rows);
    for (name, at_least) in REQUESTS_RATIO_TARGETS {
        if let Some(ratio) = report.ratios.iter().find(|ratio| {
            ratio.case == SMALL_FILE
                && ratio.name == name
                && ratio.metric == METRIC_REQUESTS_PER_SEC
        }) {
            println!(
                "target: {SMALL_FILE} {name} req/s >= {at_least:.2}: {:.3} ({})",
                ratio.value,
                if ratio.value >= at_least {
                    "met"
                } else {
                    "missed"
                }
            );
        }
    }
    Ok(report)
}

/// The servers run for `contenders`, in `SERVERS` order.
fn variants<'a>(contenders: &[Contender], crs: &'a CrsFiles) -> Vec<Variant<'a>> {
    SERVERS
        .iter()
        .filter(|server| contenders.contains(&server.contender))
        .map(|server| Variant {
            name: server.name,
            contender: server.contender,
            waf: Some(match server.paranoia {
                Some(paranoia) => Waf::Crs {
                    crs,
                    paranoia,
                    memo: server.memo,
                },
                None => Waf::Off,
            }),
        })
        .collect()
}

/// For every case, each server with the rules over the same contender without them, for
/// req/s (below 1.0: the rules cost throughput) and CPU per request (above 1.0: they cost
/// CPU).
fn waf_ratios(rows: &[Row]) -> Vec<Ratio> {
    let mut ratios = Vec::new();
    for with in rows.iter().filter(|row| {
        [METRIC_REQUESTS_PER_SEC, METRIC_CPU_PER_REQUEST].contains(&row.metric.as_str())
    }) {
        let Some(server) = SERVERS.iter().find(|server| server.name == with.contender) else {
            continue;
        };
        if server.paranoia.is_none() {
            continue;
        }
        let Some(baseline) = SERVERS
            .iter()
            .find(|other| other.contender == server.contender && other.paranoia.is_none())
        else {
            continue;
        };
        let without = rows.iter().find(|row| {
            row.contender == baseline.name && row.case == with.case && row.metric == with.metric
        });
        if let Some(without) = without.filter(|row| row.median != 0.0) {
            ratios.push(Ratio {
                case: with.case.clone(),
                metric: with.metric.clone(),
                name: format!("{}/{}", server.name, baseline.name),
                value: with.median / without.median,
            });
        }
    }
    ratios
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_compare_each_waf_with_its_own_server_without_one() {
        let row = |case: &str, contender: &str, metric: &str, median: f64| {
            Row::new(case, contender, metric, "x", vec![median])
        };
        let rows = [
            row("small.txt", "bext", METRIC_REQUESTS_PER_SEC, 100.0),
            row("small.txt", "bext-crs-pl1", METRIC_REQUESTS_PER_SEC, 90.0),
            row("small.txt", "bext-crs-pl2", METRIC_REQUESTS_PER_SEC, 80.0),
            row("small.txt", "nginx", METRIC_REQUESTS_PER_SEC, 50.0),
            row(
                "small.txt",
                "nginx-modsec-pl1",
                METRIC_REQUESTS_PER_SEC,
                10.0,
            ),
            row("small.txt", "bext", METRIC_CPU_PER_REQUEST, 4.0),
            row("small.txt", "bext-crs-pl1", METRIC_CPU_PER_REQUEST, 5.0),
            // Another case's baseline does not count, nor do other metrics.
            row("args", "bext-crs-pl1", METRIC_REQUESTS_PER_SEC, 70.0),
            row("small.txt", "bext-crs-pl1", "latency_p99", 7.0),
        ];
        let got: Vec<String> = waf_ratios(&rows)
            .iter()
            .map(|r| format!("{} {} {}={}", r.case, r.metric, r.name, r.value))
            .collect();
        assert_eq!(
            got,
            [
                "small.txt requests_per_sec bext-crs-pl1/bext=0.9",
                "small.txt requests_per_sec bext-crs-pl2/bext=0.8",
                "small.txt requests_per_sec nginx-modsec-pl1/nginx=0.2",
                "small.txt cpu_per_request bext-crs-pl1/bext=1.25",
            ]
        );
    }

    #[test]
    fn every_server_with_rules_has_a_baseline_and_a_target_names_real_servers() {
        for server in &SERVERS {
            assert!(
                SERVERS
                    .iter()
                    .any(|other| other.contender == server.contender && other.paranoia.is_none()),
                "{} has no baseline",
                server.name
            );
            assert!(server.paranoia.is_none_or(|level| (1..=4).contains(&level)));
            assert!(server.name.starts_with(server.contender.name()));
        }
        for (name, _) in REQUESTS_RATIO_TARGETS {
            let (with, without) = name.split_once('/').unwrap_or_default();
            assert!(SERVERS.iter().any(|server| server.name == with), "{name}");
            assert!(
                SERVERS.iter().any(|server| server.name == without),
                "{name}"
            );
        }
    }

    #[test]
    fn contenders_choose_their_servers() {
        let crs = CrsFiles {
            dir: "/crs".into(),
            setup: "/crs/crs-setup.conf.example".into(),
        };
        let names = |contenders: &[Contender]| {
            variants(contenders, &crs)
                .iter()
                .map(|variant| variant.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(&[Contender::Nginx, Contender::Bext]),
            [
                "bext",
                "bext-crs-pl1",
                "bext-crs-pl2",
                "bext-crs-pl1-nomemo",
                "bext-crs-pl2-nomemo",
                "nginx",
                "nginx-modsec-pl1"
            ]
        );
        assert_eq!(names(&[Contender::Nginx]), ["nginx", "nginx-modsec-pl1"]);
    }
}
