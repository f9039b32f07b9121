//! Choosing runs: the order of commits and the runs that make up one side of a comparison.
//! Pure functions over [`RunInfo`] lists, so the rules are tested without a database.

use crate::input::Machine;
use crate::store::RunInfo;

/// Runs that count as measurements: smoke runs only when asked for.
pub fn eligible(runs: Vec<RunInfo>, include_smoke: bool) -> Vec<RunInfo> {
    runs.into_iter()
        .filter(|run| include_smoke || !run.smoke)
        .collect()
}

/// Commits in the order the bench first saw them (each commit's earliest run), optionally for
/// one scenario. `runs` must be oldest first, as [`crate::store::Store::runs`] returns them.
pub fn commit_order(runs: &[RunInfo], scenario: Option<&str>) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    for run in runs
        .iter()
        .filter(|run| scenario.is_none_or(|name| run.scenario == name))
    {
        if !order.contains(&run.commit) {
            order.push(run.commit.clone());
        }
    }
    order
}

/// Scenarios in the order they were first recorded.
pub fn scenarios(runs: &[RunInfo]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for run in runs {
        if !names.contains(&run.scenario) {
            names.push(run.scenario.clone());
        }
    }
    names
}

/// Same machine for pooling and comparing: a kernel update is reported, not refused.
pub fn same_machine(a: &Machine, b: &Machine) -> bool {
    a.cpu_model == b.cpu_model && a.cores == b.cores && a.arch == b.arch
}

/// One side of a comparison: the latest run of `scenario` at `commit` (on `machine`, if
/// given), and every run there with the same dirty flag, machine and settings.
#[derive(Debug, Clone)]
pub struct Side<'a> {
    pub commit: String,
    pub latest: &'a RunInfo,
    pub runs: Vec<&'a RunInfo>,
}

impl Side<'_> {
    pub fn run_ids(&self) -> Vec<i64> {
        self.runs.iter().map(|run| run.id).collect()
    }
}

pub fn side<'a>(
    runs: &'a [RunInfo],
    scenario: &str,
    commit: &str,
    machine: Option<&Machine>,
) -> Option<Side<'a>> {
    let candidates = || {
        runs.iter().filter(move |run| {
            run.scenario == scenario
                && run.commit == commit
                && machine.is_none_or(|wanted| same_machine(&run.machine, wanted))
        })
    };
    let latest = candidates().next_back()?;
    let pooled = candidates()
        .filter(|run| {
            run.git_dirty == latest.git_dirty
                && same_machine(&run.machine, &latest.machine)
                && run.settings_json == latest.settings_json
        })
        .collect();
    Some(Side {
        commit: commit.to_string(),
        latest,
        runs: pooled,
    })
}

/// Resolves a user's name for a commit against the recorded ones: an exact name, else a
/// unique prefix of at least 4 characters. `None` if nothing or several match.
pub fn find_recorded<'a>(order: &'a [String], wanted: &str) -> Option<&'a String> {
    if let Some(exact) = order.iter().find(|commit| *commit == wanted) {
        return Some(exact);
    }
    if wanted.len() < 4 {
        return None;
    }
    let mut matches = order.iter().filter(|commit| commit.starts_with(wanted));
    let first = matches.next()?;
    matches.next().is_none().then_some(first)
}

/// First 7 characters of a hex commit, the whole name otherwise.
pub fn short(commit: &str) -> &str {
    if commit.len() == 40 && commit.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        &commit[..7]
    } else {
        commit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(id: i64, commit: &str, scenario: &str, time: i64, settings: &str) -> RunInfo {
        RunInfo {
            id,
            commit: commit.to_string(),
            git_dirty: Some(false),
            unix_time_s: time,
            date: String::new(),
            machine: Machine {
                cpu_model: "cpu".into(),
                cores: 2,
                kernel: "Linux 6".into(),
                arch: "x86_64".into(),
            },
            scenario: scenario.to_string(),
            settings_json: settings.to_string(),
            smoke: false,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn commits_are_ordered_by_first_run() {
        let runs = [
            run(1, "a", "static", 10, "{}"),
            run(2, "b", "static", 20, "{}"),
            run(3, "a", "static", 30, "{}"),
            run(4, "c", "conns", 40, "{}"),
        ];
        assert_eq!(commit_order(&runs, None), ["a", "b", "c"]);
        assert_eq!(commit_order(&runs, Some("static")), ["a", "b"]);
        assert_eq!(scenarios(&runs), ["static", "conns"]);
    }

    #[test]
    fn a_side_pools_runs_with_the_latest_runs_settings() {
        let runs = [
            run(1, "a", "static", 10, r#"{"rounds":3}"#),
            run(2, "a", "static", 20, r#"{"rounds":1}"#),
            run(3, "a", "static", 30, r#"{"rounds":3}"#),
            run(4, "a", "conns", 40, r#"{"rounds":3}"#),
        ];
        let side = side(&runs, "static", "a", None).unwrap();
        assert_eq!(side.latest.id, 3);
        assert_eq!(side.run_ids(), [1, 3]);
        assert!(super::side(&runs, "static", "zz", None).is_none());
    }

    #[test]
    fn recorded_commits_resolve_by_unique_prefix() {
        let order = [
            "abcdef12".to_string(),
            "abcd9999".to_string(),
            "slowed".to_string(),
        ];
        let check = |wanted: &str, expect: Option<&str>| {
            assert_eq!(
                find_recorded(&order, wanted).map(String::as_str),
                expect,
                "{wanted}"
            );
        };
        check("slowed", Some("slowed"));
        check("abcdef", Some("abcdef12"));
        check("abcd", None); // ambiguous
        check("abc", None); // too short to be a prefix
        check("nope", None);
    }
}
