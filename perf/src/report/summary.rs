//! `summary.md`: the newest commit of each scenario as one Markdown table with bext's ratios,
//! and splicing it into a README between markers.

use std::fmt::Write as _;

use crate::format;
use crate::history;
use crate::metrics::{self, PEERS, SUBJECT};
use crate::report::History;
use crate::report::charts::{case_metrics, contenders, point_of};

pub const BEGIN_MARKER: &str = "<!-- perf:summary:begin -->";
pub const END_MARKER: &str = "<!-- perf:summary:end -->";

pub fn markdown(history: &History) -> String {
    let mut out = String::from("<!-- written by `bext-perf report`; edits are overwritten -->\n");
    for scenario in &history.scenarios {
        let Some(latest) = scenario.commits.last() else {
            continue;
        };
        let all_contenders: Vec<String> = {
            let mut names: Vec<String> = Vec::new();
            for (case, metric, _) in case_metrics(scenario) {
                for name in contenders(scenario, &case, &metric) {
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
            names
        };
        let peers: Vec<&str> = PEERS
            .into_iter()
            .filter(|peer| all_contenders.iter().any(|c| c == peer))
            .collect();
        let _ = writeln!(
            out,
            "\n**{}** at `{}` ({}; {}, {} cores, {}; {} run(s)):\n",
            scenario.scenario,
            history::short(&latest.commit),
            latest.date,
            scenario.machine.cpu_model,
            scenario.machine.cores,
            scenario.machine.kernel,
            latest.runs
        );
        let mut header = vec!["case".to_string(), "metric".to_string()];
        header.extend(all_contenders.iter().cloned());
        header.extend(peers.iter().map(|peer| format!("{SUBJECT}/{peer}")));
        let _ = writeln!(out, "| {} |", header.join(" | "));
        let _ = writeln!(out, "|{}", " --- |".repeat(header.len()));
        for (case, metric, unit) in case_metrics(scenario) {
            let direction = metrics::direction(&metric);
            if !direction.is_judged() {
                continue;
            }
            let mut cells = vec![case.clone(), format!("{metric} ({unit})")];
            let median =
                |contender: &str| point_of(latest, &case, contender, &metric).map(|p| p.value);
            for contender in &all_contenders {
                cells.push(median(contender).map_or(String::new(), format::number));
            }
            for peer in &peers {
                let ratio = median(SUBJECT)
                    .zip(median(peer))
                    .map(|(ours, theirs)| ours / theirs);
                cells.push(ratio.map_or(String::new(), format::ratio));
            }
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
    }
    out.push_str(
        "\nMedians over rounds. Ratios: `requests_per_sec` above 1 means bext is faster; the \
         others are costs, below 1 means bext is better.\n",
    );
    out
}

/// `text` with everything between the markers replaced by `summary`; the markers stay.
pub fn splice(text: &str, summary: &str) -> Result<String, String> {
    let begin = text
        .find(BEGIN_MARKER)
        .ok_or_else(|| format!("no {BEGIN_MARKER} marker"))?;
    let content_start = begin + BEGIN_MARKER.len();
    let end = text[content_start..]
        .find(END_MARKER)
        .map(|offset| content_start + offset)
        .ok_or_else(|| format!("no {END_MARKER} marker after {BEGIN_MARKER}"))?;
    if text[end + END_MARKER.len()..].contains(BEGIN_MARKER) {
        return Err("the summary markers appear more than once".to_string());
    }
    Ok(format!(
        "{}\n{}\n{}",
        &text[..content_start],
        summary.trim_end(),
        &text[end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expect: Result<&str, &str>) {
        let actual = splice(text, "NEW\n");
        match expect {
            Ok(expect) => assert_eq!(actual.as_deref(), Ok(expect)),
            Err(fragment) => {
                let error = actual.expect_err("should be refused");
                assert!(error.contains(fragment), "{error}");
            }
        }
    }

    #[test]
    fn splices_between_markers() {
        check(
            "a\n<!-- perf:summary:begin -->\nold\n<!-- perf:summary:end -->\nb\n",
            Ok("a\n<!-- perf:summary:begin -->\nNEW\n<!-- perf:summary:end -->\nb\n"),
        );
        check(
            "<!-- perf:summary:begin --><!-- perf:summary:end -->",
            Ok("<!-- perf:summary:begin -->\nNEW\n<!-- perf:summary:end -->"),
        );
        check("no markers", Err("no <!-- perf:summary:begin -->"));
        check(
            "<!-- perf:summary:end --><!-- perf:summary:begin -->",
            Err("no <!-- perf:summary:end -->"),
        );
        check(
            "<!-- perf:summary:begin --><!-- perf:summary:end --><!-- perf:summary:begin -->",
            Err("more than once"),
        );
    }
}
