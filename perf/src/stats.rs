//! The statistics the regression rule needs, on plain slices: quantiles, spread, the
//! Mann-Whitney U test and a bootstrap interval of the difference of medians. No
//! dependencies: each is a few lines, and pinning them down with known values in tests is
//! easier than auditing a statistics crate's defaults.

/// Median; `None` for an empty slice.
pub fn median(values: &[f64]) -> Option<f64> {
    quantile(values, 0.5)
}

/// Quantile with linear interpolation between order statistics (numpy's default, R's type 7).
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    assert!((0.0..=1.0).contains(&q), "quantile {q} outside [0, 1]");
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(quantile_sorted(&sorted, q))
}

fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let position = q * (sorted.len() - 1) as f64;
    let low = position.floor() as usize;
    let high = position.ceil() as usize;
    let fraction = position - low as f64;
    sorted[low] + (sorted[high] - sorted[low]) * fraction
}

/// Spread relative to the median: `(max - min) / |median|` for fewer than `iqr_from` values,
/// `IQR / |median|` from there on. `None` if empty or the median is 0.
pub fn relative_spread(values: &[f64], iqr_from: usize) -> Option<f64> {
    let middle = median(values)?;
    if middle == 0.0 {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let width = if sorted.len() < iqr_from {
        sorted[sorted.len() - 1] - sorted[0]
    } else {
        quantile_sorted(&sorted, 0.75) - quantile_sorted(&sorted, 0.25)
    };
    Some(width / middle.abs())
}

/// Two-sided p-value of the Mann-Whitney U test (normal approximation, midranks for ties,
/// tie-corrected variance, continuity correction; scipy's `method="asymptotic"`). 1.0 when
/// every value is tied or a side is empty.
pub fn mann_whitney_p(a: &[f64], b: &[f64]) -> f64 {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    if a.is_empty() || b.is_empty() {
        return 1.0;
    }
    let mut pooled: Vec<(f64, bool)> = a.iter().map(|&v| (v, true)).collect();
    pooled.extend(b.iter().map(|&v| (v, false)));
    pooled.sort_by(|x, y| x.0.total_cmp(&y.0));
    let n = pooled.len();
    let mut rank_sum_a = 0.0;
    let mut tie_term = 0.0;
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && pooled[end].0 == pooled[start].0 {
            end += 1;
        }
        // Ranks are 1-based; a run of ties shares the mean of its ranks.
        let midrank = (start + 1 + end) as f64 / 2.0;
        let tied = (end - start) as f64;
        tie_term += tied * tied * tied - tied;
        rank_sum_a += midrank * pooled[start..end].iter().filter(|(_, in_a)| *in_a).count() as f64;
        start = end;
    }
    let u1 = rank_sum_a - n1 * (n1 + 1.0) / 2.0;
    let mean = n1 * n2 / 2.0;
    let total = n as f64;
    let variance = n1 * n2 / 12.0 * ((total + 1.0) - tie_term / (total * (total - 1.0)));
    if variance <= 0.0 {
        return 1.0;
    }
    let z = ((u1 - mean).abs() - 0.5).max(0.0) / variance.sqrt();
    erfc(z / std::f64::consts::SQRT_2).min(1.0)
}

/// Percentile-bootstrap interval `(low, high)` of `median(b) - median(a)` at confidence
/// `1 - alpha`, from `resamples` resamples of each side drawn with a generator seeded by
/// `seed`. `None` if a side is empty.
pub fn bootstrap_median_difference(
    a: &[f64],
    b: &[f64],
    alpha: f64,
    resamples: usize,
    seed: u64,
) -> Option<(f64, f64)> {
    if a.is_empty() || b.is_empty() || resamples == 0 {
        return None;
    }
    let mut rng = SplitMix64(seed);
    let mut scratch_a = vec![0.0; a.len()];
    let mut scratch_b = vec![0.0; b.len()];
    let mut differences = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let median_a = resampled_median(a, &mut scratch_a, &mut rng);
        let median_b = resampled_median(b, &mut scratch_b, &mut rng);
        differences.push(median_b - median_a);
    }
    differences.sort_by(f64::total_cmp);
    Some((
        quantile_sorted(&differences, alpha / 2.0),
        quantile_sorted(&differences, 1.0 - alpha / 2.0),
    ))
}

fn resampled_median(values: &[f64], scratch: &mut [f64], rng: &mut SplitMix64) -> f64 {
    for slot in scratch.iter_mut() {
        *slot = values[rng.below(values.len())];
    }
    scratch.sort_by(f64::total_cmp);
    quantile_sorted(scratch, 0.5)
}

/// Complementary error function (Numerical Recipes' `erfcc`, Chebyshev fit, relative error
/// below 1.2e-7 everywhere: plenty for a p-value compared with 0.01).
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let result = t * poly.exp();
    if x >= 0.0 { result } else { 2.0 - result }
}

/// A small, fast, well-mixed generator (Steele et al.); reproducibility matters here, not
/// cryptographic strength.
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (multiply-shift; the bias is below 2^-40 for our bounds).
    pub fn below(&mut self, bound: usize) -> usize {
        assert!(bound > 0);
        ((u128::from(self.next_u64()) * bound as u128) >> 64) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expect: f64, tolerance: f64) {
        assert!(
            (actual - expect).abs() <= tolerance,
            "{actual} is not within {tolerance} of {expect}"
        );
    }

    #[test]
    fn quantiles_match_numpy() {
        let check = |values: &[f64], q: f64, expect: f64| {
            close(quantile(values, q).unwrap(), expect, 1e-12);
        };
        check(&[3.0, 1.0, 2.0], 0.5, 2.0);
        check(&[4.0, 1.0, 3.0, 2.0], 0.5, 2.5);
        check(&[1.0, 2.0, 3.0, 4.0], 0.25, 1.75); // numpy.percentile([1,2,3,4], 25)
        check(&[1.0, 2.0, 3.0, 4.0], 0.75, 3.25);
        check(&[7.0], 0.9, 7.0);
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn spread_is_range_for_few_values_and_iqr_for_many() {
        let check = |values: &[f64], expect: Option<f64>| match (relative_spread(values, 8), expect)
        {
            (Some(actual), Some(expect)) => close(actual, expect, 1e-12),
            (actual, expect) => assert_eq!(actual, expect),
        };
        check(&[90.0, 100.0, 110.0], Some(0.2));
        // 1..=8: median 4.5, IQR 6.25 - 2.75 = 3.5.
        check(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], Some(3.5 / 4.5));
        check(&[0.0, 0.0, 0.0], None);
        check(&[], None);
    }

    #[test]
    fn mann_whitney_matches_known_values() {
        // Reference values: scipy.stats.mannwhitneyu(a, b, method="asymptotic").pvalue, which
        // uses the same corrections; checked by hand from U, its mean and variance.
        let check = |a: &[f64], b: &[f64], expect: f64| close(mann_whitney_p(a, b), expect, 2e-6);
        let low: Vec<f64> = (1..=8).map(f64::from).collect();
        let high: Vec<f64> = (9..=16).map(f64::from).collect();
        // U = 0, mean 32, variance 8*8*17/12, z = 31.5 / 9.5219 = 3.30816.
        check(&low, &high, 0.000_939_0);
        check(&high, &low, 0.000_939_0);
        // Interleaved: U = 28, z = (4 - 0.5) / 9.5219 = 0.36757.
        let odd: Vec<f64> = (0..8).map(|i| f64::from(2 * i + 1)).collect();
        let even: Vec<f64> = (0..8).map(|i| f64::from(2 * i + 2)).collect();
        check(&odd, &even, 0.713_19);
        // Every value tied: no evidence at all.
        check(&[5.0; 4], &[5.0; 4], 1.0);
        // 3 against 3, fully separated: U = 0, variance 3*3*7/12 = 5.25, z = 4/2.2913 = 1.7457.
        check(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0], 0.080_856);
    }

    #[test]
    fn erfc_matches_known_values() {
        let check = |x: f64, expect: f64| close(erfc(x), expect, 2e-7);
        check(0.0, 1.0);
        check(0.5, 0.479_500_122);
        check(1.0, 0.157_299_207);
        check(2.0, 0.004_677_735);
        check(-1.0, 1.842_700_793);
    }

    #[test]
    fn bootstrap_interval_excludes_zero_only_when_sides_separate() {
        let check = |a: &[f64], b: &[f64], excludes_zero: bool| {
            let (low, high) = bootstrap_median_difference(a, b, 0.01, 2_000, 1).unwrap();
            assert!(low <= high);
            assert_eq!(
                low > 0.0 || high < 0.0,
                excludes_zero,
                "{a:?} {b:?}: ({low}, {high})"
            );
        };
        check(&[100.0, 101.0, 102.0], &[80.0, 81.0, 82.0], true);
        check(&[100.0, 101.0, 102.0], &[101.5, 99.0, 103.0], false);
        check(&[100.0, 110.0, 90.0], &[95.0, 105.0, 100.0], false);
        // Deterministic: the same seed gives the same interval.
        let first = bootstrap_median_difference(&[1.0, 2.0, 3.0], &[2.0, 3.0, 4.0], 0.01, 500, 9);
        let second = bootstrap_median_difference(&[1.0, 2.0, 3.0], &[2.0, 3.0, 4.0], 0.01, 500, 9);
        assert_eq!(first, second);
    }
}
