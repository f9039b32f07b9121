//! The requests the `waf` scenario measures, shared by the harness (`src/waf.rs`, through a
//! server) and `bext-wafcost` (`src/bin/wafcost.rs`, the rule engine alone), so the two
//! measure the same traffic.

/// Headers a browser sends, on every request of the load. wrk's own `Host: 127.0.0.1:<port>`
/// matches CRS's 920350 (a numeric Host) at paranoia 1, so every request would score and be
/// logged as a warning, and CRS scores a missing `User-Agent` or `Accept` at paranoia 2
/// (920320, 920300): measured that way, the comparison would be one of wrk's habits, not of
/// traffic. With these headers the measured requests match no rule.
pub const REQUEST_HEADERS: &[&str] = &[
    "Host: localhost",
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
];

/// The `small.txt-args3` case's query: three ordinary arguments. CRS runs most of its rules
/// once per argument (name and value), so its cost grows with them.
pub const ARGS3_QUERY: &str = "?q=shoes&page=2&sort=price";

/// `REQUEST_HEADERS` as (name, value) pairs.
pub fn header_pairs() -> impl Iterator<Item = (&'static str, &'static str)> {
    REQUEST_HEADERS
        .iter()
        .filter_map(|line| line.split_once(": "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_header_line_splits_into_a_pair() {
        assert_eq!(header_pairs().count(), REQUEST_HEADERS.len());
        assert!(header_pairs().all(|(name, value)| !name.is_empty() && !value.is_empty()));
    }
}
