//! Numbers for people: tables, chart labels and the Markdown summary share these so that a
//! value reads the same everywhere.

/// About four significant digits, no exponent: `226402`, `3.992`, `0.0417`.
pub fn number(value: f64) -> String {
    if !value.is_finite() {
        return "-".to_string();
    }
    let magnitude = value.abs();
    if magnitude >= 1000.0 {
        format!("{value:.0}")
    } else if magnitude >= 100.0 {
        format!("{value:.1}")
    } else if magnitude >= 10.0 {
        format!("{value:.2}")
    } else if magnitude >= 0.01 || magnitude == 0.0 {
        format!("{value:.3}")
    } else {
        format!("{value:.2e}")
    }
}

/// Compact, for axis ticks: `226k`, `1.5M`, `3.5`.
pub fn compact(value: f64) -> String {
    let magnitude = value.abs();
    let trimmed = |text: String| {
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        }
    };
    if magnitude >= 1e6 {
        format!("{}M", trimmed(format!("{:.2}", value / 1e6)))
    } else if magnitude >= 1e3 {
        format!("{}k", trimmed(format!("{:.1}", value / 1e3)))
    } else {
        trimmed(format!("{value:.3}"))
    }
}

/// A ratio as a signed percentage: `+5.0%`, `-20.3%`.
pub fn percent(ratio: f64) -> String {
    if !ratio.is_finite() {
        return "-".to_string();
    }
    format!("{:+.1}%", ratio * 100.0)
}

/// A ratio between contenders: `0.87`.
pub fn ratio(value: f64) -> String {
    if !value.is_finite() {
        return "-".to_string();
    }
    format!("{value:.2}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        let check = |value: f64, expect: &str| assert_eq!(number(value), expect);
        check(226401.69, "226402");
        check(246.0, "246.0");
        check(3.9924919951418794, "3.992");
        check(0.0, "0.000");
        check(f64::NAN, "-");
        let check = |value: f64, expect: &str| assert_eq!(compact(value), expect);
        check(226401.69, "226.4k");
        check(200000.0, "200k");
        check(1_500_000.0, "1.5M");
        check(2.5, "2.5");
        check(0.0, "0");
        assert_eq!(percent(-0.2034), "-20.3%");
        assert_eq!(percent(0.05), "+5.0%");
    }
}
