//! Latencies in an HDR histogram: constant memory however many requests, three significant
//! digits at every magnitude (23.4 us and 1.23 s alike), exact percentiles of what it holds.

use hdrhistogram::Histogram;

/// Smallest latency told apart, in ns.
const LATENCY_NS_MIN: u64 = 1;
/// Largest latency recorded exactly, in ns; anything slower is recorded as this (and still
/// counted), since a minute-long response means a broken run, not a tail.
pub const LATENCY_NS_MAX: u64 = 60_000_000_000;
/// Relative precision: values are kept to three significant digits.
const SIGNIFICANT_DIGITS: u8 = 3;

pub struct Latencies {
    histogram: Histogram<u64>,
}

/// The percentiles a run reports, in microseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Percentiles {
    pub count: u64,
    pub p50_us: f64,
    pub p90_us: f64,
    pub p99_us: f64,
    pub p999_us: f64,
    pub max_us: f64,
    pub mean_us: f64,
}

impl Latencies {
    pub fn new() -> Latencies {
        let histogram =
            Histogram::new_with_bounds(LATENCY_NS_MIN, LATENCY_NS_MAX, SIGNIFICANT_DIGITS)
                .unwrap_or_else(|error| panic!("histogram bounds are constants: {error}"));
        Latencies { histogram }
    }

    /// Records one latency; values outside the bounds are clamped to them.
    pub fn record_ns(&mut self, latency_ns: u64) {
        let clamped = latency_ns.clamp(LATENCY_NS_MIN, LATENCY_NS_MAX);
        // Cannot fail: the value is within the bounds the histogram was built for.
        let _ = self.histogram.record(clamped);
    }

    /// Adds every value of `other` (one histogram per connection, merged at the end).
    pub fn merge(&mut self, other: &Latencies) {
        // Cannot fail: both histograms have the same bounds.
        let _ = self.histogram.add(&other.histogram);
    }

    pub fn percentiles(&self) -> Percentiles {
        let us = |ns: u64| ns as f64 / 1e3;
        let at = |quantile: f64| us(self.histogram.value_at_quantile(quantile));
        Percentiles {
            count: self.histogram.len(),
            p50_us: at(0.50),
            p90_us: at(0.90),
            p99_us: at(0.99),
            p999_us: at(0.999),
            max_us: us(self.histogram.max()),
            mean_us: self.histogram.mean() / 1e3,
        }
    }
}

impl Default for Latencies {
    fn default() -> Self {
        Latencies::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(values_ns: impl IntoIterator<Item = u64>, expect: &str) {
        let mut latencies = Latencies::new();
        for value in values_ns {
            latencies.record_ns(value);
        }
        let p = latencies.percentiles();
        let actual = format!(
            "n={} p50={} p90={} p99={} p99.9={} max={} mean={:.3}",
            p.count, p.p50_us, p.p90_us, p.p99_us, p.p999_us, p.max_us, p.mean_us
        );
        assert_eq!(actual, expect);
    }

    #[test]
    fn percentiles_of_known_inputs() {
        // 1..=1000 us. Above 2048 ns a value shares its bucket with neighbours less than 0.1%
        // apart, and HDR reports the top of the bucket: conservative, never below the truth.
        check(
            (1..=1000).map(|us| us * 1_000),
            "n=1000 p50=500.223 p90=900.095 p99=990.207 p99.9=999.423 max=1000.447 mean=500.505",
        );
        // Values small enough to be exact (below 2048 ns).
        check(
            1..=1000,
            "n=1000 p50=0.5 p90=0.9 p99=0.99 p99.9=0.999 max=1 mean=0.500",
        );
        // One slow outlier in 1000 shows at p99.9 and max, not at p99.
        check(
            std::iter::repeat_n(20_000, 999).chain([5_000_000]),
            "n=1000 p50=20.015 p90=20.015 p99=20.015 p99.9=20.015 max=5001.215 mean=24.987",
        );
        // Out-of-range values are clamped, not dropped.
        check(
            [0, 120_000_000_000],
            "n=2 p50=0.001 p90=60028878.847 p99=60028878.847 p99.9=60028878.847 max=60028878.847 mean=30006050.817",
        );
        check([], "n=0 p50=0 p90=0 p99=0 p99.9=0 max=0 mean=0.000");
    }

    #[test]
    fn merging_adds_counts() {
        let mut a = Latencies::new();
        let mut b = Latencies::new();
        a.record_ns(1_000);
        b.record_ns(1_000);
        b.record_ns(3_000);
        a.merge(&b);
        let p = a.percentiles();
        assert_eq!((p.count, p.p50_us, p.max_us), (3, 1.0, 3.001));
    }
}
