//! `bext-perf report`: the history as charts (`index.html`) and the latest run as a Markdown
//! table (`summary.md`, which the README includes between markers).
//!
//! Gathering ([`gather`]) is separate from drawing ([`svg`]), the page ([`html`]) and the
//! summary ([`summary`]), so each is tested on plain data. Per scenario, the charts show the
//! machine of the newest run only: numbers from different CPUs on one axis would read as
//! regressions. Each commit's point is the median of its pooled rounds (the same side as
//! `compare` uses), with a whisker from the smallest to the largest round.

pub mod charts;
pub mod html;
pub mod summary;
pub mod svg;

use std::path::Path;

use crate::error::{Context, Error};
use crate::history;
use crate::input::Machine;
use crate::limits::CHART_COMMITS_MAX;
use crate::store::{Series, Store};

/// Everything the page and the summary show.
#[derive(Debug, Clone)]
pub struct History {
    pub scenarios: Vec<ScenarioHistory>,
}

#[derive(Debug, Clone)]
pub struct ScenarioHistory {
    pub scenario: String,
    pub machine: Machine,
    /// Oldest first, at most `CHART_COMMITS_MAX`.
    pub commits: Vec<CommitPoint>,
    /// Runs of this scenario left out because they were made on another machine.
    pub other_machine_runs: usize,
}

#[derive(Debug, Clone)]
pub struct CommitPoint {
    pub commit: String,
    /// Date of the latest run pooled into this point.
    pub date: String,
    pub runs: usize,
    pub git_dirty: Option<bool>,
    pub warnings: Vec<String>,
    pub series: Vec<Series>,
}

pub fn gather(store: &Store, include_smoke: bool) -> Result<History, Error> {
    let runs = history::eligible(store.runs()?, include_smoke);
    let mut scenarios = Vec::new();
    for scenario in history::scenarios(&runs) {
        let Some(newest) = runs.iter().rev().find(|run| run.scenario == scenario) else {
            continue;
        };
        let machine = newest.machine.clone();
        let other_machine_runs = runs
            .iter()
            .filter(|run| {
                run.scenario == scenario && !history::same_machine(&run.machine, &machine)
            })
            .count();
        let mut commits = Vec::new();
        for commit in history::commit_order(&runs, Some(&scenario)) {
            let Some(side) = history::side(&runs, &scenario, &commit, Some(&machine)) else {
                continue;
            };
            commits.push(CommitPoint {
                commit: commit.clone(),
                date: side.latest.date.clone(),
                runs: side.runs.len(),
                git_dirty: side.latest.git_dirty,
                warnings: side
                    .runs
                    .iter()
                    .flat_map(|run| run.warnings.clone())
                    .collect(),
                series: store.series(&side.run_ids())?,
            });
        }
        let skip = commits.len().saturating_sub(CHART_COMMITS_MAX);
        commits.drain(..skip);
        scenarios.push(ScenarioHistory {
            scenario,
            machine,
            commits,
            other_machine_runs,
        });
    }
    Ok(History { scenarios })
}

/// Writes `index.html` and `summary.md` into `out_dir` (created if needed).
pub fn write(history: &History, out_dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(out_dir).context(|| format!("cannot create {}", out_dir.display()))?;
    let html_path = out_dir.join("index.html");
    std::fs::write(&html_path, html::page(history))
        .context(|| format!("cannot write {}", html_path.display()))?;
    let summary_path = out_dir.join("summary.md");
    std::fs::write(&summary_path, summary::markdown(history))
        .context(|| format!("cannot write {}", summary_path.display()))?;
    Ok(())
}

/// Replaces the text between the summary markers of `readme` with the summary.
pub fn update_readme(history: &History, readme: &Path) -> Result<(), Error> {
    let text =
        std::fs::read_to_string(readme).context(|| format!("cannot read {}", readme.display()))?;
    let updated = summary::splice(&text, &summary::markdown(history))
        .map_err(|error| Error::data(format!("{}: {error}", readme.display())))?;
    std::fs::write(readme, updated).context(|| format!("cannot write {}", readme.display()))
}
