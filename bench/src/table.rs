//! The human-readable summary: per case, one line per contender with the median of every
//! metric, then the ratios. Everything printed here is also in the JSON.

use crate::report::{Report, Row};

/// Diagnostics that explain warnings; they stay in the JSON but would crowd the table.
const JSON_ONLY_METRICS: &[&str] = &["socket_errors", "server_core_busy"];

/// Narrowest column; wide enough for "123456 req/s".
const COLUMN_WIDTH_MIN: usize = 12;
/// Narrowest contender column ("contender"); longer names (`nginx-modsec-pl1`) widen it.
const CONTENDER_WIDTH_MIN: usize = 10;
/// Narrowest ratio-name column ("bext/ceiling"); longer names widen it.
const RATIO_NAME_WIDTH_MIN: usize = 13;

pub fn print(report: &Report) {
    println!();
    for case in distinct(report.rows.iter().map(|row| row.case.as_str())) {
        let rows: Vec<&Row> = report.rows.iter().filter(|row| row.case == case).collect();
        let metrics: Vec<&str> = distinct(rows.iter().map(|row| row.metric.as_str()))
            .into_iter()
            .filter(|metric| !JSON_ONLY_METRICS.contains(metric))
            .collect();
        let rounds = rows.iter().map(|row| row.rounds.len()).max().unwrap_or(0);
        println!(
            "== {case} (median of {rounds} run{}) ==",
            if rounds == 1 { "" } else { "s" }
        );
        let widths: Vec<usize> = metrics
            .iter()
            .map(|metric| metric.len().max(COLUMN_WIDTH_MIN))
            .collect();
        let contenders = distinct(rows.iter().map(|row| row.contender.as_str()));
        let contender_width = contenders
            .iter()
            .map(|name| name.len())
            .fold(CONTENDER_WIDTH_MIN, usize::max);
        let mut header = format!("{:<contender_width$}", "contender");
        for (metric, width) in metrics.iter().zip(&widths) {
            header.push_str(&format!("  {metric:>width$}"));
        }
        println!("{header}");
        for contender in contenders {
            let mut line = format!("{contender:<contender_width$}");
            for (metric, width) in metrics.iter().zip(&widths) {
                let cell = rows
                    .iter()
                    .find(|row| row.contender == contender && row.metric == *metric)
                    .map(|row| format_value(row.median, &row.unit))
                    .unwrap_or_else(|| "-".to_string());
                line.push_str(&format!("  {cell:>width$}"));
            }
            println!("{line}");
        }
        let ratios: Vec<_> = report
            .ratios
            .iter()
            .filter(|ratio| ratio.case == case)
            .collect();
        let name_width = ratios
            .iter()
            .map(|ratio| ratio.name.len())
            .fold(RATIO_NAME_WIDTH_MIN, usize::max);
        for ratio in ratios {
            println!(
                "  {:<name_width$} {:<24} {:>8.3}",
                ratio.name, ratio.metric, ratio.value
            );
        }
        println!();
    }
    for warning in &report.warnings {
        println!("warning: {warning}");
    }
}

fn format_value(value: f64, unit: &str) -> String {
    match unit {
        "us" if value >= 1000.0 => format!("{:.2} ms", value / 1000.0),
        "us" if value < 100.0 => format!("{value:.2} us"),
        "us" => format!("{value:.0} us"),
        "ms" => format!("{value:.1} ms"),
        "bytes" if value.abs() >= 10.0 * 1024.0 => format!("{:.0} KiB", value / 1024.0),
        "bytes" => format!("{value:.0} B"),
        "KiB" => format!("{value:.2} KiB"),
        "count" => format!("{value:.0}"),
        "x" => format!("{value:.2} x"),
        _ => format!("{value:.0} {unit}"),
    }
}

/// Values in first-seen order without repeats.
fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen: Vec<&str> = Vec::new();
    for value in values {
        if !seen.contains(&value) {
            seen.push(value);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(value: f64, unit: &str, expect: &str) {
        assert_eq!(format_value(value, unit), expect);
    }

    #[test]
    fn formats_values_by_unit() {
        check(812.4, "us", "812 us");
        check(1250.0, "us", "1.25 ms");
        check(4.567, "us", "4.57 us");
        check(97.4, "%", "97 %");
        check(3.25, "ms", "3.2 ms");
        check(2345.6, "bytes", "2346 B");
        check(11_382_784.0, "bytes", "11116 KiB");
        check(12.345, "KiB", "12.35 KiB");
        check(0.0, "count", "0");
        check(1.7345, "x", "1.73 x");
        check(120000.5, "req/s", "120000 req/s");
    }
}
