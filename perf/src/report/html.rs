//! The dashboard page: one self-contained HTML file (inline CSS and SVG, nothing fetched).

use std::fmt::Write as _;

use crate::history;
use crate::report::History;
use crate::report::charts::scenario_charts;
use crate::report::svg::{Chart, escape, render};

const STYLE: &str = "
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 24px; color: #212529; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; color: #495057; }
.meta { color: #6c757d; margin: 0 0 8px; }
.grid { display: flex; flex-wrap: wrap; gap: 12px; }
.grid svg { border: 1px solid #dee2e6; border-radius: 6px; background: #fff; }
svg .title { font-size: 13px; font-weight: 600; fill: #212529; }
svg .subtitle, svg .axis, svg .legend { font-size: 10.5px; fill: #6c757d; }
svg .legend { fill: #343a40; }
svg .grid { stroke: #e9ecef; stroke-width: 1; }
svg .reference { stroke: #212529; stroke-width: 1; stroke-dasharray: 4 3; }
table { border-collapse: collapse; font-size: 12.5px; margin: 6px 0; }
td, th { border-bottom: 1px solid #dee2e6; padding: 2px 10px 2px 0; text-align: left; }
code { font-size: 12.5px; } .warn { color: #c92a2a; }
details summary { cursor: pointer; color: #495057; margin: 14px 0 6px; }
";

pub fn page(history: &History) -> String {
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>bext performance history</title><style>{STYLE}</style></head><body>\
         <h1>bext performance history</h1>\
         <p class=\"meta\">From <code>perf/history.sqlite</code>, written by <code>bext-perf \
         report</code>. Each point is the median of a commit's rounds (runs of the same commit, \
         machine and settings pooled); the whisker spans the smallest to the largest round. \
         Hover a point for its value.</p>"
    );
    if history.scenarios.is_empty() {
        html.push_str("<p>No runs recorded yet.</p>");
    }
    for scenario in &history.scenarios {
        let machine = &scenario.machine;
        let _ = write!(
            html,
            "<h2>{}</h2><p class=\"meta\">{} · {} cores · {} · {}{}</p>",
            escape(&scenario.scenario),
            escape(&machine.cpu_model),
            machine.cores,
            escape(&machine.kernel),
            escape(&machine.arch),
            if scenario.other_machine_runs > 0 {
                format!(
                    " ({} run(s) on other machines not shown)",
                    scenario.other_machine_runs
                )
            } else {
                String::new()
            }
        );
        commit_table(&mut html, scenario);
        let charts = scenario_charts(scenario);
        section(&mut html, "bext against its peers", &charts.ratios);
        section(&mut html, "Metrics", &charts.metrics);
        if !charts.diagnostics.is_empty() {
            html.push_str("<details><summary>Diagnostics (not judged)</summary>");
            section(&mut html, "", &charts.diagnostics);
            html.push_str("</details>");
        }
    }
    html.push_str("</body></html>\n");
    html
}

fn commit_table(html: &mut String, scenario: &crate::report::ScenarioHistory) {
    html.push_str("<table><tr><th>commit</th><th>date</th><th>runs</th><th>notes</th></tr>");
    for point in scenario.commits.iter().rev() {
        let mut notes: Vec<String> = Vec::new();
        if point.git_dirty == Some(true) {
            notes.push("uncommitted changes".to_string());
        }
        notes.extend(point.warnings.iter().cloned());
        let _ = write!(
            html,
            "<tr><td><code title=\"{}\">{}</code></td><td>{}</td><td>{}</td><td class=\"warn\">{}</td></tr>",
            escape(&point.commit),
            escape(history::short(&point.commit)),
            escape(&point.date),
            point.runs,
            escape(&notes.join("; "))
        );
    }
    html.push_str("</table>");
}

fn section(html: &mut String, heading: &str, charts: &[(Chart, String)]) {
    if charts.is_empty() {
        return;
    }
    if !heading.is_empty() {
        let _ = write!(html, "<h3>{}</h3>", escape(heading));
    }
    html.push_str("<div class=\"grid\">");
    for (chart, unit) in charts {
        html.push_str(&render(chart, unit));
    }
    html.push_str("</div>");
}
