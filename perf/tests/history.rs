//! End to end on synthetic results files: record, compare and report through the library and
//! the binary (for exit codes), on temporary databases. No timing is measured or asserted;
//! the "bench results" are generated from seeded noise, so every outcome is deterministic.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use bext_perf::compare::{self, CompareOptions, Outcome};
use bext_perf::input;
use bext_perf::report;
use bext_perf::stats::SplitMix64;
use bext_perf::store::{Recorded, Store};

/// A fresh directory per test, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "bext-perf-test-{}-{name}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn db(&self) -> PathBuf {
        self.0.join("history.sqlite")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How a synthetic run differs from the reference numbers.
#[derive(Clone, Copy)]
struct Fixture<'a> {
    commit: &'a str,
    unix_time_s: i64,
    seed: u64,
    /// Relative noise per round: each value is scaled by a uniform factor in 1 +- noise.
    noise: f64,
    /// bext's slowdown: 0.2 = 20% fewer requests per second, 25% more CPU per request.
    slowdown: f64,
    smoke: bool,
    cpu_model: &'a str,
}

impl Default for Fixture<'_> {
    fn default() -> Self {
        Fixture {
            commit: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            unix_time_s: 1_795_552_660,
            seed: 1,
            noise: 0.02,
            slowdown: 0.0,
            smoke: false,
            cpu_model: "Intel(R) Xeon(R) Processor",
        }
    }
}

/// A `static` results file shaped like the bench's (schema 1).
fn fixture_json(fixture: Fixture) -> String {
    let mut rng = SplitMix64(fixture.seed);
    let mut rows = Vec::new();
    let mut row =
        |case: &str, contender: &str, metric: &str, unit: &str, reference: f64, n: usize| {
            let slowed = match (contender, metric) {
                ("bext", "requests_per_sec") => reference * (1.0 - fixture.slowdown),
                ("bext", "cpu_per_request" | "latency_p99" | "startup") => {
                    reference / (1.0 - fixture.slowdown)
                }
                _ => reference,
            };
            let rounds: Vec<f64> = (0..n)
                .map(|_| slowed * (1.0 + fixture.noise * (2.0 * rng.unit() - 1.0)))
                .collect();
            rows.push(serde_json::json!({
                "case": case, "contender": contender, "metric": metric, "unit": unit,
                "rounds": rounds, "median": 0.0,
            }));
        };
    for (contender, startup) in [("bext", 2.6), ("nginx", 4.8), ("ceiling", 2.6)] {
        row("startup", contender, "startup", "ms", startup, 5);
    }
    for (case, scale) in [("small.txt", 1.0), ("4k.bin", 0.8)] {
        for (contender, rps, cpu) in [
            ("bext", 226_000.0, 3.99),
            ("nginx", 200_000.0, 4.6),
            ("ceiling", 250_000.0, 3.5),
        ] {
            row(case, contender, "requests_per_sec", "req/s", rps * scale, 3);
            row(case, contender, "latency_p99", "us", 246.0, 3);
            row(case, contender, "cpu_per_request", "us", cpu / scale, 3);
            row(case, contender, "server_cpu_util", "%", 92.0, 3);
        }
    }
    serde_json::json!({
        "schema_version": 1,
        "scenario": "static",
        "smoke": fixture.smoke,
        "unix_time_s": fixture.unix_time_s,
        "date": "2026-11-24T20:37:40Z",
        "git_commit": fixture.commit,
        "git_dirty": false,
        "machine": {"cpu_model": fixture.cpu_model, "cores": 2, "kernel": "Linux 6.18", "arch": "x86_64"},
        "settings": {"duration_secs": 5, "rounds": 3, "contenders": ["bext", "nginx", "ceiling"]},
        "rows": rows,
        "ratios": [],
        "warnings": [],
    })
    .to_string()
}

fn write_fixture(scratch: &Scratch, fixture: Fixture) -> PathBuf {
    let path = scratch.0.join(format!(
        "{}-{}-{}.json",
        fixture.commit, fixture.unix_time_s, fixture.seed
    ));
    std::fs::write(&path, fixture_json(fixture)).unwrap();
    path
}

fn record(db: &Path, path: &Path) -> Recorded {
    let run = input::read_file(path, None).unwrap();
    Store::open(db, true).unwrap().record(&run).unwrap()
}

/// bext's regressions between the two newest commits, as "case metric" strings.
fn regressions(db: &Path) -> Vec<String> {
    let store = Store::open(db, false).unwrap();
    match compare::compare(&store, &CompareOptions::default()).unwrap() {
        Outcome::Compared(comparison) => comparison
            .regressions()
            .iter()
            .map(|line| format!("{} {}", line.case, line.metric))
            .collect(),
        Outcome::NothingToCompare(why) => panic!("nothing to compare: {why}"),
    }
}

fn bext_perf(args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_bext-perf"))
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

const BASE: &str = "1111111111111111111111111111111111111111";
const HEAD: &str = "2222222222222222222222222222222222222222";

/// Records a base and a head run with the given head slowdown, noise and seeds; returns the
/// regressions found.
fn check_pair(noise: f64, slowdown: f64, seed: u64) -> Vec<String> {
    let scratch = Scratch::new("pair");
    let base = Fixture {
        commit: BASE,
        seed,
        noise,
        ..Fixture::default()
    };
    let head = Fixture {
        commit: HEAD,
        seed: seed + 1_000,
        unix_time_s: base.unix_time_s + 3_600,
        noise,
        slowdown,
        ..Fixture::default()
    };
    record(&scratch.db(), &write_fixture(&scratch, base));
    record(&scratch.db(), &write_fixture(&scratch, head));
    regressions(&scratch.db())
}

#[test]
fn identical_distributions_raise_no_alarm() {
    for seed in 0..8 {
        assert_eq!(
            check_pair(0.02, 0.0, seed),
            Vec::<String>::new(),
            "seed {seed}"
        );
    }
}

#[test]
fn noisy_but_equal_raises_no_alarm() {
    for seed in 0..8 {
        assert_eq!(
            check_pair(0.08, 0.0, seed),
            Vec::<String>::new(),
            "seed {seed}"
        );
    }
}

#[test]
fn a_twenty_percent_slowdown_is_a_regression() {
    for seed in 0..4 {
        assert_eq!(
            check_pair(0.02, 0.2, seed),
            [
                "startup startup",
                "small.txt requests_per_sec",
                "small.txt latency_p99",
                "small.txt cpu_per_request",
                "4k.bin requests_per_sec",
                "4k.bin latency_p99",
                "4k.bin cpu_per_request",
            ],
            "seed {seed}"
        );
    }
}

/// The acceptance check: 5 repeated runs of the same code, each compared with the
/// one before, never alarm.
#[test]
fn five_repeated_runs_never_alarm() {
    let scratch = Scratch::new("repeated");
    let names: Vec<String> = (1..=5).map(|i| format!("repeat-{i}")).collect();
    for (i, name) in names.iter().enumerate() {
        let fixture = Fixture {
            commit: name,
            seed: 77 + i as u64,
            unix_time_s: 1_795_552_660 + 600 * i as i64,
            ..Fixture::default()
        };
        record(&scratch.db(), &write_fixture(&scratch, fixture));
    }
    let store = Store::open(&scratch.db(), false).unwrap();
    for pair in names.windows(2) {
        let options = CompareOptions {
            base: Some(pair[0].clone()),
            head: Some(pair[1].clone()),
            ..CompareOptions::default()
        };
        let Outcome::Compared(comparison) = compare::compare(&store, &options).unwrap() else {
            panic!("nothing compared");
        };
        assert!(
            comparison.regressions().is_empty(),
            "{}",
            compare::render(&comparison, true)
        );
    }
}

#[test]
fn recording_the_same_file_twice_is_a_no_op() {
    let scratch = Scratch::new("idempotent");
    let path = write_fixture(&scratch, Fixture::default());
    let Recorded::New(id) = record(&scratch.db(), &path) else {
        panic!("first record should be new");
    };
    assert_eq!(record(&scratch.db(), &path), Recorded::AlreadyThere(id));
    let store = Store::open(&scratch.db(), false).unwrap();
    assert_eq!(store.runs().unwrap().len(), 1);
    // 3 contenders x (5 startup samples + 2 cases x 4 metrics x 3 rounds).
    let rounds: usize = store
        .series(&[id])
        .unwrap()
        .iter()
        .map(|s| s.values.len())
        .sum();
    assert_eq!(rounds, 3 * (5 + 2 * 4 * 3));
}

#[test]
fn runs_of_one_commit_are_pooled() {
    let scratch = Scratch::new("pooled");
    for (commit, seed, time) in [(BASE, 1, 0), (HEAD, 2, 100), (HEAD, 3, 200), (HEAD, 4, 300)] {
        let fixture = Fixture {
            commit,
            seed,
            unix_time_s: 1_795_552_660 + time,
            ..Fixture::default()
        };
        record(&scratch.db(), &write_fixture(&scratch, fixture));
    }
    let store = Store::open(&scratch.db(), false).unwrap();
    let Outcome::Compared(comparison) =
        compare::compare(&store, &CompareOptions::default()).unwrap()
    else {
        panic!("nothing compared");
    };
    assert_eq!(
        (
            comparison.scenarios[0].base_runs,
            comparison.scenarios[0].head_runs
        ),
        (1, 3)
    );
}

#[test]
fn the_binary_exits_by_verdict() {
    let scratch = Scratch::new("exit");
    let db = scratch.db();
    let db = db.to_str().unwrap();
    let base = write_fixture(
        &scratch,
        Fixture {
            commit: BASE,
            ..Fixture::default()
        },
    );
    let slow = write_fixture(
        &scratch,
        Fixture {
            commit: HEAD,
            seed: 2,
            slowdown: 0.3,
            unix_time_s: 1_795_560_000,
            ..Fixture::default()
        },
    );
    let check = |args: &[&str], code: i32, fragment: &str| {
        let (actual, text) = bext_perf(args);
        assert_eq!(actual, code, "{args:?}: {text}");
        assert!(text.contains(fragment), "{args:?}: {text}");
    };
    check(&["compare", "--db", db], 2, "no history at");
    check(
        &["record", "--db", db, base.to_str().unwrap()],
        0,
        "recorded",
    );
    check(&["compare", "--db", db], 0, "first recorded commit");
    check(
        &["record", "--db", db, slow.to_str().unwrap()],
        0,
        "recorded",
    );
    check(&["compare", "--db", db], 1, "REGRESSION");
    check(
        &["compare", "--db", db, "--base", "2222", "--head", "1111"],
        0,
        "improvement",
    );
    check(
        &["compare", "--db", db, "--base", "nonexistent-rev"],
        2,
        "neither a recorded commit",
    );
    check(
        &["compare", "--db", db, "--scenario", "conns"],
        2,
        "no runs of scenario conns",
    );
    check(&["frobnicate"], 2, "usage:");
    check(&["list", "--db", db], 0, "static");
}

#[test]
fn smoke_runs_and_unknown_schemas_are_refused() {
    let scratch = Scratch::new("refuse");
    let db = scratch.db();
    let smoke = write_fixture(
        &scratch,
        Fixture {
            smoke: true,
            ..Fixture::default()
        },
    );
    let (code, text) = bext_perf(&[
        "record",
        "--db",
        db.to_str().unwrap(),
        smoke.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("--allow-smoke"), "{text}");
    assert!(!db.exists(), "a refused record must not create the history");
    let (code, text) = bext_perf(&[
        "record",
        "--allow-smoke",
        "--db",
        db.to_str().unwrap(),
        smoke.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{text}");

    let check = |json: String, fragment: &str| {
        let error = input::parse(json.as_bytes(), None).unwrap_err().to_string();
        assert!(error.contains(fragment), "{error}");
    };
    let good = fixture_json(Fixture::default());
    check(
        good.replace("\"schema_version\":1", "\"schema_version\":2"),
        "schema_version 2 is not supported",
    );
    check(
        good.replace("\"schema_version\":1,", ""),
        "no numeric schema_version",
    );
    check(
        good.replace(&format!("\"{}\"", Fixture::default().commit), "null"),
        "--commit",
    );
    check("[1, 2".to_string(), "not valid JSON");
    check(
        good.replace("\"rounds\":[", "\"rounds\":[\"x\","),
        "does not match",
    );
}

/// A renamed case (`bext_perf::renames`) is recorded under its new name, so runs from before
/// the rename and after it form one series; a file with both names for one row is refused.
#[test]
fn renamed_cases_are_recorded_under_their_new_name() {
    let row = |case: &str| {
        serde_json::json!({
            "case": case, "contender": "bext", "metric": "requests_per_sec",
            "unit": "req/s", "rounds": [2000.0], "median": 2000.0,
        })
    };
    let file = |scenario: &str, rows: Vec<serde_json::Value>| {
        let good: serde_json::Value =
            serde_json::from_str(&fixture_json(Fixture::default())).unwrap();
        let mut file = good.as_object().unwrap().clone();
        file.insert("scenario".to_string(), serde_json::json!(scenario));
        file.insert("rows".to_string(), serde_json::json!(rows));
        serde_json::Value::Object(file).to_string()
    };
    let cases = |scenario: &str, rows: Vec<serde_json::Value>| {
        input::parse(file(scenario, rows).as_bytes(), None)
            .map(|run| run.rows.into_iter().map(|row| row.case).collect::<Vec<_>>())
            .map_err(|error| error.to_string())
    };
    assert_eq!(
        cases("tls", vec![row("keepalive"), row("handshake")]),
        Ok(vec![
            "keepalive".to_string(),
            "handshake-resumed".to_string()
        ])
    );
    // Only within the scenario that renamed it.
    assert_eq!(
        cases("h2", vec![row("handshake")]),
        Ok(vec!["handshake".to_string()])
    );
    let both = cases("tls", vec![row("handshake"), row("handshake-resumed")]);
    assert!(
        both.as_ref().is_err_and(
            |error| error.contains("handshake-resumed/bext/requests_per_sec appears twice")
        ),
        "{both:?}"
    );
}

#[test]
fn other_machines_are_not_compared() {
    let scratch = Scratch::new("machines");
    record(
        &scratch.db(),
        &write_fixture(
            &scratch,
            Fixture {
                commit: BASE,
                cpu_model: "Other CPU",
                ..Fixture::default()
            },
        ),
    );
    record(
        &scratch.db(),
        &write_fixture(
            &scratch,
            Fixture {
                commit: HEAD,
                unix_time_s: 1_795_560_000,
                ..Fixture::default()
            },
        ),
    );
    let store = Store::open(&scratch.db(), false).unwrap();
    let error = compare::compare(&store, &CompareOptions::default())
        .unwrap_err()
        .to_string();
    assert!(error.contains("only on another machine"), "{error}");
}

#[test]
fn the_report_has_one_svg_per_chart_and_fetches_nothing() {
    let scratch = Scratch::new("report");
    for (commit, seed, time, slowdown) in [(BASE, 1, 0, 0.0), (HEAD, 2, 100, 0.1)] {
        let fixture = Fixture {
            commit,
            seed,
            slowdown,
            unix_time_s: 1_795_552_660 + time,
            ..Fixture::default()
        };
        record(&scratch.db(), &write_fixture(&scratch, fixture));
    }
    let store = Store::open(&scratch.db(), false).unwrap();
    let history = report::gather(&store, false).unwrap();
    let out = scratch.0.join("out");
    report::write(&history, &out).unwrap();
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    // Metric charts: startup + 2 cases x 4 metrics = 9; ratio charts: startup + 2 cases x 3
    // judged metrics = 7.
    assert_eq!(html.matches("<svg").count(), 9 + 7);
    assert_eq!(html.matches("</svg>").count(), 9 + 7);
    for forbidden in ["<script", "src=", "href=", "@import", "url("] {
        assert!(
            !html.contains(forbidden),
            "the page must be self-contained: {forbidden}"
        );
    }
    assert!(html.contains("bext/nginx") && html.contains("bext/ceiling"));

    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(
        summary.contains("| case | metric | bext | nginx | ceiling | bext/nginx | bext/ceiling |")
    );
    // Head is 10% slower than nginx's reference numbers say bext usually is: 226k * 0.9 / 200k.
    let small = summary
        .lines()
        .find(|l| l.starts_with("| small.txt | requests_per_sec"))
        .unwrap();
    assert!(
        small.contains("| 1.0") || small.contains("| 0.9"),
        "{small}"
    );

    let readme = scratch.0.join("README.md");
    std::fs::write(
        &readme,
        "# x\n<!-- perf:summary:begin -->\nold\n<!-- perf:summary:end -->\ntail\n",
    )
    .unwrap();
    let (code, text) = bext_perf(&[
        "report",
        "--db",
        scratch.db().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--readme",
        readme.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{text}");
    let updated = std::fs::read_to_string(&readme).unwrap();
    assert!(updated.starts_with("# x\n<!-- perf:summary:begin -->\n<!-- written by"));
    assert!(updated.ends_with("<!-- perf:summary:end -->\ntail\n") && !updated.contains("old"));
}
