//! The JSON every scenario writes, and the facts that make it comparable over time.
//!
//! Schema (version 1), flat so that one reader handles every scenario:
//!
//! ```json
//! {
//!   "schema_version": 1,
//!   "scenario": "static",                 // or "conns"
//!   "smoke": false,                       // true: a harness self-test, not a measurement
//!   "unix_time_s": 1764012345,
//!   "date": "2025-11-24T19:25:45Z",       // RFC 3339, UTC
//!   "git_commit": "0123abcd...",          // null outside a git checkout
//!   "git_dirty": false,                   // uncommitted changes when measured; null if unknown
//!   "machine": { "cpu_model": "...", "cores": 2, "kernel": "Linux 6.1.0", "arch": "x86_64" },
//!   "settings": { "duration_secs": 5, "rounds": 3, ... },   // scenario-specific knobs
//!   "rows": [
//!     { "case": "small.txt", "contender": "bext", "metric": "requests_per_sec",
//!       "unit": "req/s", "rounds": [101.0, 99.0, 100.0], "median": 100.0 }
//!   ],
//!   "ratios": [
//!     { "case": "small.txt", "metric": "requests_per_sec", "name": "bext/nginx", "value": 1.2 }
//!   ],
//!   "warnings": [ "..." ]                 // anything that makes the numbers suspect
//! }
//! ```
//!
//! A ratio is `median(bext) / median(other)` for the same case and metric.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::error::{Context, Error};
use crate::limits::TOOL_DEADLINE_MS;
use crate::locate::workspace_root;
use crate::run::run_captured;
use crate::stats::median;
use crate::table;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub scenario: String,
    pub smoke: bool,
    pub unix_time_s: u64,
    pub date: String,
    pub git_commit: Option<String>,
    pub git_dirty: Option<bool>,
    pub machine: Machine,
    pub settings: BTreeMap<String, serde_json::Value>,
    pub rows: Vec<Row>,
    pub ratios: Vec<Ratio>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Machine {
    pub cpu_model: String,
    pub cores: usize,
    pub kernel: String,
    pub arch: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    pub case: String,
    pub contender: String,
    pub metric: String,
    pub unit: String,
    pub rounds: Vec<f64>,
    pub median: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ratio {
    pub case: String,
    pub metric: String,
    pub name: String,
    pub value: f64,
}

impl Row {
    /// A row whose median is computed from `rounds` (which must not be empty).
    pub fn new(case: &str, contender: &str, metric: &str, unit: &str, rounds: Vec<f64>) -> Row {
        assert!(!rounds.is_empty(), "a row needs at least one round");
        let median = median(&rounds).unwrap_or(f64::NAN);
        Row {
            case: case.to_string(),
            contender: contender.to_string(),
            metric: metric.to_string(),
            unit: unit.to_string(),
            rounds,
            median,
        }
    }
}

impl Report {
    /// A report stamped with the time, commit and machine it is measured on.
    pub fn new(
        scenario: &str,
        smoke: bool,
        settings: BTreeMap<String, serde_json::Value>,
    ) -> Report {
        let unix_time_s = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let (git_commit, git_dirty) = git_state();
        Report {
            schema_version: SCHEMA_VERSION,
            scenario: scenario.to_string(),
            smoke,
            unix_time_s,
            date: rfc3339_utc(unix_time_s),
            git_commit,
            git_dirty,
            machine: machine(),
            settings,
            rows: Vec::new(),
            ratios: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Fills `ratios` with `bext/<other>` for every case and metric in `metrics`.
    pub fn compute_ratios(&mut self, metrics: &[&str]) {
        let mut ratios = Vec::new();
        for bext in self
            .rows
            .iter()
            .filter(|row| row.contender == "bext" && metrics.contains(&row.metric.as_str()))
        {
            for other in &self.rows {
                let comparable = other.contender != "bext"
                    && other.case == bext.case
                    && other.metric == bext.metric;
                if comparable && other.median != 0.0 {
                    ratios.push(Ratio {
                        case: bext.case.clone(),
                        metric: bext.metric.clone(),
                        name: format!("bext/{}", other.contender),
                        value: bext.median / other.median,
                    });
                }
            }
        }
        self.ratios = ratios;
    }

    /// Records something that makes the numbers suspect (printed now and in the table).
    /// Repeats are recorded once.
    pub fn warn(&mut self, warning: String) {
        if !self.warnings.contains(&warning) {
            println!("warning: {warning}");
            self.warnings.push(warning);
        }
    }
}

/// `bench/results/<scenario>-latest.json`, or `-smoke.json` for smoke runs.
pub fn default_json_path(scenario: &str, smoke: bool) -> PathBuf {
    let suffix = if smoke { "smoke" } else { "latest" };
    workspace_root()
        .join("bench/results")
        .join(format!("{scenario}-{suffix}.json"))
}

/// Prints the table and writes the JSON atomically (temp file, then rename).
pub fn write_and_announce(report: &Report, path: &Path) -> Result<(), Error> {
    table::print(report);
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).context(|| format!("creating {}", parent.display()))?;
    }
    let json =
        serde_json::to_string_pretty(report).context(|| "serializing the report".to_string())?;
    let temp = path.with_extension("json.tmp");
    std::fs::write(&temp, json + "\n").context(|| format!("writing {}", temp.display()))?;
    std::fs::rename(&temp, path)
        .context(|| format!("renaming {} to {}", temp.display(), path.display()))?;
    println!("\nwrote {}", path.display());
    Ok(())
}

fn git_state() -> (Option<String>, Option<bool>) {
    let git = |args: &[&str]| {
        let mut command = Command::new("git");
        command.arg("-C").arg(workspace_root()).args(args);
        run_captured(&mut command, "git", Duration::from_millis(TOOL_DEADLINE_MS))
            .ok()
            .filter(|output| output.status.success())
            .map(|output| output.stdout.trim().to_string())
    };
    let commit = git(&["rev-parse", "HEAD"]).filter(|commit| !commit.is_empty());
    let dirty = commit
        .as_ref()
        .and_then(|_| git(&["status", "--porcelain", "--untracked-files=no"]))
        .map(|status| !status.is_empty());
    (commit, dirty)
}

fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let read = |path: &str| {
        std::fs::read_to_string(path)
            .map(|text| text.trim().to_string())
            .unwrap_or_default()
    };
    Machine {
        cpu_model: cpu_model(&cpuinfo),
        cores: cpuinfo
            .lines()
            .filter(|line| line.starts_with("processor"))
            .count(),
        kernel: format!(
            "{} {}",
            read("/proc/sys/kernel/ostype"),
            read("/proc/sys/kernel/osrelease")
        )
        .trim()
        .to_string(),
        arch: std::env::consts::ARCH.to_string(),
    }
}

fn cpu_model(cpuinfo: &str) -> String {
    cpuinfo
        .lines()
        .find(|line| line.starts_with("model name"))
        .and_then(|line| line.split_once(':'))
        .map(|(_, model)| model.trim().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (Howard Hinnant's civil-from-days).
pub fn rfc3339_utc(unix_time_s: u64) -> String {
    let days = (unix_time_s / 86_400) as i64;
    let seconds_of_day = unix_time_s % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        seconds_of_day / 3_600,
        seconds_of_day % 3_600 / 60,
        seconds_of_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_date(unix_time_s: u64, expect: &str) {
        assert_eq!(rfc3339_utc(unix_time_s), expect);
    }

    #[test]
    fn formats_rfc3339_dates() {
        check_date(0, "1970-01-01T00:00:00Z");
        check_date(951_782_400, "2000-02-29T00:00:00Z");
        check_date(1_709_164_799, "2024-02-28T23:59:59Z");
        check_date(1_709_251_200, "2024-03-01T00:00:00Z");
        check_date(1_764_012_345, "2025-11-24T19:25:45Z");
        check_date(4_102_444_800, "2100-01-01T00:00:00Z");
    }

    fn check_ratios(rows: Vec<Row>, expect: &[&str]) {
        let mut report = Report::new("test", true, BTreeMap::new());
        report.rows = rows;
        report.compute_ratios(&["requests_per_sec"]);
        let actual: Vec<String> = report
            .ratios
            .iter()
            .map(|r| format!("{} {} {}={}", r.case, r.metric, r.name, r.value))
            .collect();
        assert_eq!(actual, expect);
    }

    #[test]
    fn ratios_compare_bext_medians_with_each_other_contender() {
        let row = |case: &str, contender: &str, metric: &str, rounds: Vec<f64>| {
            Row::new(case, contender, metric, "x", rounds)
        };
        check_ratios(
            vec![
                row(
                    "small",
                    "bext",
                    "requests_per_sec",
                    vec![100.0, 300.0, 200.0],
                ),
                row("small", "nginx", "requests_per_sec", vec![100.0]),
                row("small", "ceiling", "requests_per_sec", vec![400.0]),
                row("small", "nginx", "latency_p99", vec![5.0]),
                row("small", "bext", "latency_p99", vec![5.0]),
                row("big", "nginx", "requests_per_sec", vec![1.0]),
                row("big", "bext", "requests_per_sec", vec![1.0]),
                row("big", "ceiling", "requests_per_sec", vec![0.0]),
            ],
            &[
                "small requests_per_sec bext/nginx=2",
                "small requests_per_sec bext/ceiling=0.5",
                "big requests_per_sec bext/nginx=1",
            ],
        );
        // Without bext there is nothing to compare.
        check_ratios(
            vec![row("small", "nginx", "requests_per_sec", vec![1.0])],
            &[],
        );
    }

    #[test]
    fn cpu_model_comes_from_the_first_model_name_line() {
        assert_eq!(
            cpu_model(
                "processor\t: 0\nmodel name\t: AMD EPYC 7B13\nprocessor\t: 1\nmodel name\t: other\n"
            ),
            "AMD EPYC 7B13"
        );
        assert_eq!(cpu_model("processor\t: 0\n"), "unknown");
    }
}
