//! From a scenario's history to charts: one per (case, metric) with a line per contender, and
//! one per (case, judged metric) with bext's ratio to each peer.

use crate::history;
use crate::metrics::{self, PEERS, SUBJECT};
use crate::report::ScenarioHistory;
use crate::report::svg::{Chart, ChartSeries, Point, color_for};
use crate::stats;

pub struct ScenarioCharts {
    /// (chart, unit) pairs.
    pub ratios: Vec<(Chart, String)>,
    pub metrics: Vec<(Chart, String)>,
    pub diagnostics: Vec<(Chart, String)>,
}

pub fn scenario_charts(scenario: &ScenarioHistory) -> ScenarioCharts {
    let x_labels: Vec<String> = scenario
        .commits
        .iter()
        .map(|point| history::short(&point.commit).to_string())
        .collect();
    let mut charts = ScenarioCharts {
        ratios: Vec::new(),
        metrics: Vec::new(),
        diagnostics: Vec::new(),
    };
    for (case, metric, unit) in case_metrics(scenario) {
        let direction = metrics::direction(&metric);
        let contenders = contenders(scenario, &case, &metric);
        let series = contenders
            .iter()
            .map(|contender| ChartSeries {
                name: contender.clone(),
                color: color_for(contender),
                points: scenario
                    .commits
                    .iter()
                    .map(|point| point_of(point, &case, contender, &metric))
                    .collect(),
            })
            .collect();
        let chart = Chart {
            title: format!("{case} · {metric}"),
            subtitle: format!(
                "{unit}, {}; median and range of rounds",
                direction.describe()
            ),
            x_labels: x_labels.clone(),
            series,
            reference: None,
        };
        if !direction.is_judged() {
            charts.diagnostics.push((chart, unit));
            continue;
        }
        charts.metrics.push((chart, unit.clone()));
        let peers: Vec<&str> = PEERS
            .into_iter()
            .filter(|peer| contenders.iter().any(|c| c == peer))
            .collect();
        if !contenders.iter().any(|c| c == SUBJECT) || peers.is_empty() {
            continue;
        }
        let better = match direction {
            metrics::Direction::HigherIsBetter => "above 1: bext faster",
            _ => "below 1: bext better",
        };
        let series = peers
            .iter()
            .map(|peer| {
                let name = format!("{SUBJECT}/{peer}");
                ChartSeries {
                    color: color_for(&name),
                    name,
                    points: scenario
                        .commits
                        .iter()
                        .map(|point| {
                            let ours = point_of(point, &case, SUBJECT, &metric)?;
                            let theirs = point_of(point, &case, peer, &metric)?;
                            let ratio = ours.value / theirs.value;
                            ratio.is_finite().then_some(Point {
                                value: ratio,
                                low: ratio,
                                high: ratio,
                                rounds: ours.rounds.min(theirs.rounds),
                            })
                        })
                        .collect(),
                }
            })
            .collect();
        charts.ratios.push((
            Chart {
                title: format!("{case} · {metric} · ratio"),
                subtitle: format!("median(bext) / median(peer); {better}"),
                x_labels: x_labels.clone(),
                series,
                reference: Some(1.0),
            },
            "×".to_string(),
        ));
    }
    charts
}

/// (case, metric, unit) in the order the newest commit lists them, then any older ones.
pub fn case_metrics(scenario: &ScenarioHistory) -> Vec<(String, String, String)> {
    let mut keys: Vec<(String, String, String)> = Vec::new();
    for point in scenario.commits.iter().rev() {
        for series in &point.series {
            let key = (
                series.case.clone(),
                series.metric.clone(),
                series.unit.clone(),
            );
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys
}

/// Contenders that have (case, metric) anywhere in the history, newest commit's order first.
pub fn contenders(scenario: &ScenarioHistory, case: &str, metric: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for point in scenario.commits.iter().rev() {
        for series in &point.series {
            if series.case == case && series.metric == metric && !names.contains(&series.contender)
            {
                names.push(series.contender.clone());
            }
        }
    }
    names
}

/// Median and range of one contender's pooled rounds at one commit.
pub fn point_of(
    point: &crate::report::CommitPoint,
    case: &str,
    contender: &str,
    metric: &str,
) -> Option<Point> {
    let series = point
        .series
        .iter()
        .find(|s| s.case == case && s.contender == contender && s.metric == metric)?;
    let value = stats::median(&series.values)?;
    let low = series.values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = series
        .values
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    Some(Point {
        value,
        low,
        high,
        rounds: series.values.len(),
    })
}
