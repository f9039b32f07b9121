//! `bext-perf compare`: pick the two sides, judge every (case, contender, metric), print a
//! table. Only bext's regressions count towards the exit status (crate docs: "Only bext
//! gates").

use std::fmt::Write as _;

use crate::error::Error;
use crate::format;
use crate::git;
use crate::history::{self, Side};
use crate::judge::{self, Judgement, Test, Verdict};
use crate::metrics::{self, Direction, PEERS, SUBJECT};
use crate::store::{Series, Store};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompareOptions {
    pub base: Option<String>,
    pub head: Option<String>,
    pub scenario: Option<String>,
    pub include_smoke: bool,
    /// Also print the diagnostics (utilisation, error counts), which are never judged.
    pub all_metrics: bool,
}

#[derive(Debug)]
pub enum Outcome {
    Compared(Comparison),
    /// Fewer than two commits recorded, so there is no default base: not an error.
    NothingToCompare(String),
}

#[derive(Debug)]
pub struct Comparison {
    pub base: String,
    pub head: String,
    pub scenarios: Vec<ScenarioComparison>,
    /// Scenarios skipped and why, machine or settings differences.
    pub notes: Vec<String>,
}

#[derive(Debug)]
pub struct ScenarioComparison {
    pub scenario: String,
    pub base_runs: usize,
    pub head_runs: usize,
    pub lines: Vec<Line>,
}

#[derive(Debug)]
pub struct Line {
    pub case: String,
    pub contender: String,
    pub metric: String,
    pub unit: String,
    pub direction: Direction,
    /// `None` when the metric is on one side only (`missing` says which).
    pub judgement: Option<Judgement>,
    pub missing: Option<&'static str>,
    /// A bext regression where a peer regressed too in the same case and metric.
    pub peers_moved_too: bool,
}

impl Comparison {
    /// bext's regressions: the ones that fail the gate.
    pub fn regressions(&self) -> Vec<&Line> {
        self.lines()
            .filter(|line| line.contender == SUBJECT && line.verdict() == Some(Verdict::Regression))
            .collect()
    }

    fn lines(&self) -> impl Iterator<Item = &Line> {
        self.scenarios.iter().flat_map(|scenario| &scenario.lines)
    }
}

impl Line {
    pub fn verdict(&self) -> Option<Verdict> {
        self.judgement.as_ref().map(|judgement| judgement.verdict)
    }
}

pub fn compare(store: &Store, options: &CompareOptions) -> Result<Outcome, Error> {
    let runs = history::eligible(store.runs()?, options.include_smoke);
    let scenario_filter = options.scenario.as_deref();
    if let Some(wanted) = scenario_filter
        && !runs.iter().any(|run| run.scenario == wanted)
    {
        return Err(Error::data(format!(
            "no runs of scenario {wanted} recorded"
        )));
    }
    let order = history::commit_order(&runs, scenario_filter);
    let head = match &options.head {
        Some(revision) => resolve(&order, revision)?,
        None => match order.last() {
            Some(newest) => newest.clone(),
            None => return Ok(Outcome::NothingToCompare("no runs recorded".to_string())),
        },
    };
    let base = match &options.base {
        Some(revision) => resolve(&order, revision)?,
        None => {
            let position = order.iter().position(|commit| *commit == head).unwrap_or(0);
            match position.checked_sub(1) {
                Some(previous) => order[previous].clone(),
                None => {
                    return Ok(Outcome::NothingToCompare(format!(
                        "{} is the first recorded commit: nothing to compare it with",
                        history::short(&head)
                    )));
                }
            }
        }
    };
    if base == head {
        return Err(Error::Usage(format!(
            "base and head are the same commit ({}); to check run-to-run noise, record the \
             runs under different names with record --commit",
            history::short(&head)
        )));
    }
    let mut comparison = Comparison {
        base: base.clone(),
        head: head.clone(),
        scenarios: Vec::new(),
        notes: Vec::new(),
    };
    for scenario in history::scenarios(&runs) {
        if scenario_filter.is_some_and(|wanted| wanted != scenario) {
            continue;
        }
        let Some(head_side) = history::side(&runs, &scenario, &head, None) else {
            comparison.notes.push(format!(
                "{scenario}: no run at head {}; skipped",
                history::short(&head)
            ));
            continue;
        };
        let Some(base_side) =
            history::side(&runs, &scenario, &base, Some(&head_side.latest.machine))
        else {
            let why = if history::side(&runs, &scenario, &base, None).is_some() {
                "only on another machine"
            } else {
                "no run"
            };
            comparison.notes.push(format!(
                "{scenario}: {why} at base {}; skipped",
                history::short(&base)
            ));
            continue;
        };
        note_differences(&mut comparison.notes, &scenario, &base_side, &head_side);
        let base_series = store.series(&base_side.run_ids())?;
        let head_series = store.series(&head_side.run_ids())?;
        comparison.scenarios.push(ScenarioComparison {
            scenario,
            base_runs: base_side.runs.len(),
            head_runs: head_side.runs.len(),
            lines: judge_lines(&base_series, &head_series),
        });
    }
    if comparison.scenarios.is_empty() {
        return Err(Error::data(format!(
            "nothing comparable between {} and {}: {}",
            history::short(&base),
            history::short(&head),
            comparison.notes.join("; ")
        )));
    }
    Ok(Outcome::Compared(comparison))
}

/// A recorded name or unique prefix first (that also covers `record --commit` names), then git.
fn resolve(order: &[String], revision: &str) -> Result<String, Error> {
    if let Some(commit) = history::find_recorded(order, revision) {
        return Ok(commit.clone());
    }
    let commit = git::rev_parse(revision)?;
    match order.iter().find(|recorded| **recorded == commit) {
        Some(recorded) => Ok(recorded.clone()),
        None => Err(Error::data(format!(
            "{revision} ({}) has no recorded run; record a bench result for it first",
            history::short(&commit)
        ))),
    }
}

fn note_differences(notes: &mut Vec<String>, scenario: &str, base: &Side, head: &Side) {
    if base.latest.machine.kernel != head.latest.machine.kernel {
        notes.push(format!(
            "{scenario}: kernel changed ({} -> {}); the change may be the kernel's",
            base.latest.machine.kernel, head.latest.machine.kernel
        ));
    }
    if base.latest.settings_json != head.latest.settings_json {
        notes.push(format!(
            "{scenario}: settings differ (base {} / head {})",
            base.latest.settings_json, head.latest.settings_json
        ));
    }
    for side in [base, head] {
        if side.latest.git_dirty == Some(true) {
            notes.push(format!(
                "{scenario}: the run at {} was made with uncommitted changes",
                history::short(&side.commit)
            ));
        }
    }
}

fn judge_lines(base: &[Series], head: &[Series]) -> Vec<Line> {
    let same_key = |a: &Series, b: &Series| {
        a.case == b.case && a.contender == b.contender && a.metric == b.metric
    };
    let line = |series: &Series, judgement, missing| Line {
        case: series.case.clone(),
        contender: series.contender.clone(),
        metric: series.metric.clone(),
        unit: series.unit.clone(),
        direction: metrics::direction(&series.metric),
        judgement,
        missing,
        peers_moved_too: false,
    };
    let mut lines: Vec<Line> = head
        .iter()
        .map(
            |head_series| match base.iter().find(|b| same_key(b, head_series)) {
                Some(base_series) => line(
                    head_series,
                    Some(judge::judge(
                        &base_series.values,
                        &head_series.values,
                        metrics::direction(&head_series.metric),
                    )),
                    None,
                ),
                None => line(head_series, None, Some("not at base")),
            },
        )
        .collect();
    for base_series in base {
        if !head.iter().any(|h| same_key(h, base_series)) {
            lines.push(line(base_series, None, Some("not at head")));
        }
    }
    let peer_regressions: Vec<(String, String)> = lines
        .iter()
        .filter(|l| {
            PEERS.contains(&l.contender.as_str()) && l.verdict() == Some(Verdict::Regression)
        })
        .map(|l| (l.case.clone(), l.metric.clone()))
        .collect();
    for line in &mut lines {
        line.peers_moved_too = line.contender == SUBJECT
            && line.verdict() == Some(Verdict::Regression)
            && peer_regressions.contains(&(line.case.clone(), line.metric.clone()));
    }
    lines
}

/// The table `compare` prints; diagnostics only with `all_metrics`.
pub fn render(comparison: &Comparison, all_metrics: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "base {}  ->  head {}",
        history::short(&comparison.base),
        history::short(&comparison.head)
    );
    for scenario in &comparison.scenarios {
        let _ = writeln!(
            out,
            "\n{}  (base: {} run(s), head: {} run(s); rounds pooled per side)",
            scenario.scenario, scenario.base_runs, scenario.head_runs
        );
        let mut rows = vec![
            [
                "case",
                "contender",
                "metric",
                "base",
                "head",
                "change",
                "threshold",
                "test",
                "verdict",
            ]
            .map(String::from),
        ];
        for line in &scenario.lines {
            if all_metrics || line.direction.is_judged() {
                rows.push(table_row(line));
            }
        }
        out.push_str(&align(&rows));
    }
    if !comparison.notes.is_empty() {
        out.push_str("\nnotes:\n");
        for note in &comparison.notes {
            let _ = writeln!(out, "  - {note}");
        }
    }
    let regressions = comparison.regressions();
    if regressions.is_empty() {
        out.push_str("\nno regression in bext\n");
    } else {
        let _ = writeln!(out, "\n{} regression(s) in bext:", regressions.len());
        for line in regressions {
            let change = line.judgement.as_ref().map_or(f64::NAN, |j| j.change_ratio);
            let _ = writeln!(
                out,
                "  - {} {} {}{}",
                line.case,
                line.metric,
                format::percent(change),
                if line.peers_moved_too {
                    " (nginx/ceiling moved the same way: suspect the machine)"
                } else {
                    ""
                }
            );
        }
    }
    out
}

fn table_row(line: &Line) -> [String; 9] {
    let metric = format!("{} ({})", line.metric, line.unit);
    let Some(judgement) = &line.judgement else {
        return [
            line.case.clone(),
            line.contender.clone(),
            metric,
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            line.missing.unwrap_or("").to_string(),
        ];
    };
    let test = match judgement.test {
        Test::MannWhitney { p } => format!("MW p={p:.3}"),
        Test::Bootstrap { low, high } => format!(
            "CI {}..{}",
            format::percent(low / judgement.base_median),
            format::percent(high / judgement.base_median)
        ),
    };
    let verdict = match (judgement.verdict, line.contender == SUBJECT) {
        (Verdict::Regression, true) => "REGRESSION".to_string(),
        (Verdict::Regression, false) => "slower (not gated)".to_string(),
        (Verdict::Improvement, _) => "improvement".to_string(),
        (Verdict::Same, _) => "same".to_string(),
        (Verdict::NotJudged, _) => "-".to_string(),
    };
    [
        line.case.clone(),
        line.contender.clone(),
        metric,
        format::number(judgement.base_median),
        format::number(judgement.head_median),
        format::percent(judgement.change_ratio),
        format!("{:.1}%", judgement.threshold_ratio * 100.0),
        test,
        verdict,
    ]
}

/// Left-aligned text columns, two spaces apart.
fn align(rows: &[[String; 9]]) -> String {
    let mut widths = [0usize; 9];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(widths) {
            let _ = write!(line, "{cell:<width$}  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
