//! The ssr scenario's ratios and its summary table: one line per page with every server's
//! median req/s and the ratios the targets are stated in, then first renders and compile
//! time. (The generic per-case table follows it, with every metric.)

use crate::report::{Ratio, Report};
use crate::ssr::first_render::{
    CASE_COMPILE, CASE_STARTUP, METRIC_COMPILE_TIME, METRIC_FIRST_RENDER, METRIC_STARTUP,
};
use crate::ssr::servers::SsrServer;
use crate::ssr::{PAGES, Page};
use crate::static_files::METRIC_REQUESTS_PER_SEC;

/// (numerator, denominator) of the req/s ratios reported per page.
const RATIOS: [(SsrServer, SsrServer); 10] = [
    (SsrServer::BextJsc, SsrServer::Node),
    (SsrServer::BextJsc, SsrServer::Next),
    (SsrServer::BextJsc, SsrServer::Marko),
    (SsrServer::BextQuickjs, SsrServer::Node),
    (SsrServer::BextQuickjs, SsrServer::Next),
    (SsrServer::BextQuickjs, SsrServer::Marko),
    (SsrServer::BextV8, SsrServer::Node),
    (SsrServer::BextV8, SsrServer::Next),
    (SsrServer::BextV8, SsrServer::Marko),
    (SsrServer::BextIsr, SsrServer::BextStatic),
];

/// Column width of the summary table; fits "123456 req/s" and "bext-quickjs".
const COLUMN_WIDTH: usize = 13;

/// Adds `a/b` ratios of median req/s for every page where both ran.
pub fn compute_ratios(report: &mut Report) {
    let mut ratios = Vec::new();
    for page in &PAGES {
        for (numerator, denominator) in RATIOS {
            let top = median(report, page.path, numerator, METRIC_REQUESTS_PER_SEC);
            let bottom = median(report, page.path, denominator, METRIC_REQUESTS_PER_SEC);
            if let (Some(top), Some(bottom)) = (top, bottom)
                && bottom != 0.0
            {
                ratios.push(Ratio {
                    case: page.path.to_string(),
                    metric: METRIC_REQUESTS_PER_SEC.to_string(),
                    name: ratio_name(numerator, denominator),
                    value: top / bottom,
                });
            }
        }
    }
    report.ratios.extend(ratios);
}

fn ratio_name(numerator: SsrServer, denominator: SsrServer) -> String {
    format!("{}/{}", numerator.name(), denominator.name())
}

pub fn print(report: &Report, servers: &[SsrServer], pages: &[&Page]) {
    let width = COLUMN_WIDTH;
    let cell = |value: Option<f64>, format: &dyn Fn(f64) -> String| {
        value.map(format).unwrap_or_else(|| "-".to_string())
    };
    println!("\n== ssr: requests per second (median) ==");
    let mut header = format!("{:<11}", "page");
    for server in servers {
        header.push_str(&format!(" {:>width$}", server.name()));
    }
    let ratio_names: Vec<String> = RATIOS
        .iter()
        .filter(|(a, b)| servers.contains(a) && servers.contains(b))
        .map(|(a, b)| ratio_name(*a, *b))
        .collect();
    for name in &ratio_names {
        header.push_str(&format!(" {name:>w$}", w = name.len().max(8)));
    }
    println!("{header}");
    for page in pages {
        let mut line = format!("{:<11}", page.path);
        for server in servers {
            let value = median(report, page.path, *server, METRIC_REQUESTS_PER_SEC);
            line.push_str(&format!(" {:>width$}", cell(value, &|v| format!("{v:.0}"))));
        }
        for name in &ratio_names {
            let value = report
                .ratios
                .iter()
                .find(|ratio| ratio.case == page.path && &ratio.name == name)
                .map(|ratio| ratio.value);
            line.push_str(&format!(
                " {:>w$}",
                cell(value, &|v| format!("{v:.2}x")),
                w = name.len().max(8)
            ));
        }
        println!("{line}");
    }
    let renderers: Vec<SsrServer> = servers.iter().copied().filter(|s| s.renders()).collect();
    println!("\n== ssr: first render after ready, ms (median) ==");
    let mut header = format!("{:<11}", "page");
    for server in &renderers {
        header.push_str(&format!(" {:>width$}", server.name()));
    }
    println!("{header}");
    let rows = pages
        .iter()
        .map(|page| (page.path, METRIC_FIRST_RENDER))
        .chain([
            (CASE_STARTUP, METRIC_STARTUP),
            (CASE_COMPILE, METRIC_COMPILE_TIME),
        ]);
    for (case, metric) in rows {
        let mut line = format!("{case:<11}");
        for server in &renderers {
            let value = median(report, case, *server, metric);
            line.push_str(&format!(" {:>width$}", cell(value, &|v| format!("{v:.2}"))));
        }
        println!("{line}");
    }
    println!("(startup: spawn to ready; compile: bext's `compiled N modules in X ms`)");
}

fn median(report: &Report, case: &str, server: SsrServer, metric: &str) -> Option<f64> {
    report
        .rows
        .iter()
        .find(|row| row.case == case && row.contender == server.name() && row.metric == metric)
        .map(|row| row.median)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::report::Row;

    fn check(rows: &[(&str, &str, f64)], expect: &[&str]) {
        let mut report = Report::new("ssr", true, BTreeMap::new());
        for (case, server, value) in rows {
            report.rows.push(Row::new(
                case,
                server,
                METRIC_REQUESTS_PER_SEC,
                "req/s",
                vec![*value],
            ));
        }
        compute_ratios(&mut report);
        let actual: Vec<String> = report
            .ratios
            .iter()
            .map(|ratio| format!("{} {}={}", ratio.case, ratio.name, ratio.value))
            .collect();
        assert_eq!(actual, expect);
    }

    #[test]
    fn ratios_pair_the_servers_the_targets_name() {
        check(
            &[
                ("/simple", "bext-jsc", 30_000.0),
                ("/simple", "bext-quickjs", 15_000.0),
                ("/simple", "node", 10_000.0),
                ("/simple", "next", 3_000.0),
                ("/simple", "bext-isr", 90_000.0),
                ("/simple", "bext-static", 100_000.0),
                ("/table/50", "bext-quickjs", 2_000.0),
                ("/table/50", "node", 1_000.0),
                ("/table/50", "next", 0.0),
            ],
            &[
                "/simple bext-jsc/node=3",
                "/simple bext-jsc/next=10",
                "/simple bext-quickjs/node=1.5",
                "/simple bext-quickjs/next=5",
                "/simple bext-isr/bext-static=0.9",
                "/table/50 bext-quickjs/node=2",
            ],
        );
        check(&[("/simple", "node", 1.0)], &[]);
    }
}
