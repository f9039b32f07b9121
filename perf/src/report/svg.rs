//! Line charts as inline SVG, drawn by hand: no JavaScript, no fonts or scripts to fetch, and
//! the page still renders when opened from a file years later. Hovering a point shows its
//! value through SVG's own `<title>` tooltip.

use std::fmt::Write as _;

use crate::format;

/// One chart: a line per series over the same x labels (commits).
#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    pub subtitle: String,
    pub x_labels: Vec<String>,
    pub series: Vec<ChartSeries>,
    /// A dashed horizontal line, e.g. 1.0 on ratio charts.
    pub reference: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct ChartSeries {
    pub name: String,
    pub color: &'static str,
    /// One slot per x label; `None` where the series has no value.
    pub points: Vec<Option<Point>>,
}

#[derive(Debug, Clone, Copy)]
pub struct Point {
    pub value: f64,
    /// Whisker: smallest and largest round.
    pub low: f64,
    pub high: f64,
    /// Tooltip suffix, e.g. the unit and round count.
    pub rounds: usize,
}

const WIDTH_PX: f64 = 560.0;
const HEIGHT_PX: f64 = 290.0;
const LEFT_PX: f64 = 58.0;
const RIGHT_PX: f64 = 28.0;
const TOP_PX: f64 = 58.0;
const BOTTOM_PX: f64 = 34.0;
/// Narrowest spacing between two x labels before some are left out.
const X_LABEL_SPACING_PX: f64 = 56.0;
const Y_TICKS: usize = 5;

/// Colour of a contender or ratio line; bext is the warm one so it stands out.
pub fn color_for(name: &str) -> &'static str {
    match name {
        "bext" => "#d9480f",
        "nginx" | "bext/nginx" => "#1c7ed6",
        "ceiling" | "bext/ceiling" => "#5c636a",
        _ => {
            const OTHERS: [&str; 4] = ["#2b8a3e", "#9c36b5", "#e67700", "#0b7285"];
            OTHERS[name.bytes().map(usize::from).sum::<usize>() % OTHERS.len()]
        }
    }
}

pub fn render(chart: &Chart, unit: &str) -> String {
    let plot_width = WIDTH_PX - LEFT_PX - RIGHT_PX;
    let plot_height = HEIGHT_PX - TOP_PX - BOTTOM_PX;
    let (y_max, step) = y_axis(chart);
    let y_of = |value: f64| TOP_PX + plot_height * (1.0 - value / y_max);
    let count = chart.x_labels.len();
    let x_of = |index: usize| {
        if count <= 1 {
            LEFT_PX + plot_width / 2.0
        } else {
            LEFT_PX + plot_width * index as f64 / (count - 1) as f64
        }
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH_PX} {HEIGHT_PX}" width="{WIDTH_PX}" height="{HEIGHT_PX}" role="img" aria-label="{}">"#,
        escape(&chart.title)
    );
    let _ = write!(
        svg,
        r#"<text x="{LEFT_PX}" y="18" class="title">{}</text><text x="{LEFT_PX}" y="34" class="subtitle">{}</text>"#,
        escape(&chart.title),
        escape(&chart.subtitle)
    );
    // Legend, left to right under the subtitle.
    let mut legend_x = LEFT_PX;
    for series in &chart.series {
        let _ = write!(
            svg,
            r#"<rect x="{legend_x}" y="42" width="10" height="10" fill="{}"/><text x="{}" y="51" class="legend">{}</text>"#,
            series.color,
            legend_x + 14.0,
            escape(&series.name)
        );
        legend_x += 24.0 + 7.0 * series.name.chars().count() as f64;
    }
    // Horizontal grid and y labels.
    for tick in 0..=Y_TICKS {
        let value = step * tick as f64;
        if value > y_max * (1.0 + 1e-9) {
            break;
        }
        let y = y_of(value);
        let _ = write!(
            svg,
            r#"<line x1="{LEFT_PX}" x2="{}" y1="{y:.1}" y2="{y:.1}" class="grid"/><text x="{}" y="{:.1}" class="axis" text-anchor="end">{}</text>"#,
            LEFT_PX + plot_width,
            LEFT_PX - 6.0,
            y + 3.5,
            format::compact(value)
        );
    }
    if let Some(reference) = chart.reference {
        let y = y_of(reference);
        let _ = write!(
            svg,
            r#"<line x1="{LEFT_PX}" x2="{}" y1="{y:.1}" y2="{y:.1}" class="reference"/>"#,
            LEFT_PX + plot_width
        );
    }
    // X labels, thinned so they never overlap; the newest is always shown.
    let every = ((count as f64 * X_LABEL_SPACING_PX / plot_width).ceil() as usize).max(1);
    for (index, label) in chart.x_labels.iter().enumerate() {
        if !(count - 1 - index).is_multiple_of(every) {
            continue;
        }
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{}" class="axis" text-anchor="middle">{}</text>"#,
            x_of(index),
            HEIGHT_PX - BOTTOM_PX + 16.0,
            escape(label)
        );
    }
    for series in &chart.series {
        let mut path = String::new();
        let mut pen_down = false;
        for (index, point) in series.points.iter().enumerate() {
            match point {
                Some(point) => {
                    let _ = write!(
                        path,
                        "{}{:.1} {:.1} ",
                        if pen_down { "L" } else { "M" },
                        x_of(index),
                        y_of(point.value)
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if !path.is_empty() {
            let _ = write!(
                svg,
                r#"<path d="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
                path.trim_end(),
                series.color
            );
        }
        for (index, point) in series.points.iter().enumerate() {
            let Some(point) = point else { continue };
            let x = x_of(index);
            let _ = write!(
                svg,
                r#"<g><title>{}: {} {} {} (rounds {}..{}, n={})</title><line x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}" stroke="{}" stroke-width="1"/><circle cx="{x:.1}" cy="{:.1}" r="3.5" fill="{}"/></g>"#,
                escape(&series.name),
                escape(&chart.x_labels[index]),
                format::number(point.value),
                escape(unit),
                format::number(point.low),
                format::number(point.high),
                point.rounds,
                y_of(point.low),
                y_of(point.high),
                series.color,
                y_of(point.value),
                series.color
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The axis runs from 0 (every metric here is non-negative, and a zero baseline keeps
/// differences honest) to a round number above the largest value drawn.
fn y_axis(chart: &Chart) -> (f64, f64) {
    let largest = chart
        .series
        .iter()
        .flat_map(|series| series.points.iter().flatten())
        .map(|point| point.high.max(point.value))
        .chain(chart.reference)
        .filter(|value| value.is_finite())
        .fold(0.0_f64, f64::max);
    let step = nice_step(if largest > 0.0 { largest } else { 1.0 } / Y_TICKS as f64);
    let y_max = (largest / step).ceil().max(1.0) * step;
    (y_max, step)
}

/// Smallest of 1, 2, 2.5, 5 times a power of ten that is at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|factor| factor * power)
        .find(|step| *step >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * power)
}

/// Text and attribute escaping for names that come from results files.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round_numbers() {
        let check =
            |raw: f64, expect: f64| assert!((nice_step(raw) - expect).abs() < 1e-9, "{raw}");
        check(45_280.0, 50_000.0);
        check(0.7, 1.0);
        check(0.21, 0.25);
        check(1.0, 1.0);
        check(13.0, 20.0);
    }

    #[test]
    fn names_from_files_are_escaped() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let chart = Chart {
            title: "<script>".into(),
            subtitle: String::new(),
            x_labels: vec!["a&b".into()],
            series: vec![ChartSeries {
                name: "bext".into(),
                color: color_for("bext"),
                points: vec![Some(Point {
                    value: 1.0,
                    low: 0.9,
                    high: 1.1,
                    rounds: 3,
                })],
            }],
            reference: Some(1.0),
        };
        let svg = render(&chart, "req/s");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains("<script>") && svg.contains("a&amp;b"));
    }
}
