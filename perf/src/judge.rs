//! The regression rule on two samples (see the crate docs, "The regression rule"). Pure: the
//! same rounds always give the same verdict.

use crate::limits::{
    BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, MANN_WHITNEY_SAMPLES_MIN, MIN_EFFECT_RATIO,
    SIGNIFICANCE_ALPHA, SPREAD_FACTOR, SPREAD_IQR_SAMPLES_MIN,
};
use crate::metrics::Direction;
use crate::stats;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Regression,
    Improvement,
    /// Judged, and within noise.
    Same,
    /// A diagnostic metric, or a median of 0: shown, not judged.
    NotJudged,
}

/// Which test decided whether the sides differ.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Test {
    MannWhitney {
        p: f64,
    },
    /// Interval of `median(head) - median(base)`.
    Bootstrap {
        low: f64,
        high: f64,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub base_median: f64,
    pub head_median: f64,
    /// `head / base - 1`.
    pub change_ratio: f64,
    /// The larger of the two sides' relative spreads.
    pub spread_ratio: f64,
    /// What a change must exceed: `max(MIN_EFFECT_RATIO, SPREAD_FACTOR * spread_ratio)`.
    pub threshold_ratio: f64,
    pub test: Test,
    pub significant: bool,
    pub verdict: Verdict,
}

/// Judges `head` against `base`. Both must be non-empty.
pub fn judge(base: &[f64], head: &[f64], direction: Direction) -> Judgement {
    assert!(
        !base.is_empty() && !head.is_empty(),
        "judge needs rounds on both sides"
    );
    let base_median = stats::median(base).unwrap_or(f64::NAN);
    let head_median = stats::median(head).unwrap_or(f64::NAN);
    let change_ratio = if base_median != 0.0 {
        head_median / base_median - 1.0
    } else {
        f64::NAN
    };
    let spread = |values: &[f64]| stats::relative_spread(values, SPREAD_IQR_SAMPLES_MIN);
    let spread_ratio = spread(base)
        .unwrap_or(f64::INFINITY)
        .max(spread(head).unwrap_or(f64::INFINITY));
    let threshold_ratio = (SPREAD_FACTOR * spread_ratio).max(MIN_EFFECT_RATIO);
    let test = if base.len().min(head.len()) >= MANN_WHITNEY_SAMPLES_MIN {
        Test::MannWhitney {
            p: stats::mann_whitney_p(base, head),
        }
    } else {
        let (low, high) = stats::bootstrap_median_difference(
            base,
            head,
            SIGNIFICANCE_ALPHA,
            BOOTSTRAP_RESAMPLES,
            BOOTSTRAP_SEED,
        )
        .unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
        Test::Bootstrap { low, high }
    };
    let significant = match test {
        Test::MannWhitney { p } => p < SIGNIFICANCE_ALPHA,
        Test::Bootstrap { low, high } => low > 0.0 || high < 0.0,
    };
    let verdict = if !direction.is_judged() || !change_ratio.is_finite() {
        Verdict::NotJudged
    } else {
        let worsening = direction.worsening(change_ratio);
        if significant && worsening > threshold_ratio {
            Verdict::Regression
        } else if significant && -worsening > threshold_ratio {
            Verdict::Improvement
        } else {
            Verdict::Same
        }
    };
    Judgement {
        base_median,
        head_median,
        change_ratio,
        spread_ratio,
        threshold_ratio,
        test,
        significant,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::SplitMix64;

    fn check(base: &[f64], head: &[f64], direction: Direction, expect: Verdict) {
        let judgement = judge(base, head, direction);
        assert_eq!(
            judgement.verdict, expect,
            "{base:?} -> {head:?}: {judgement:?}"
        );
    }

    #[test]
    fn verdicts_on_three_rounds() {
        use Direction::*;
        use Verdict::*;
        let base = [100_000.0, 101_000.0, 99_500.0];
        // 20% fewer requests per second, tight rounds.
        check(
            &base,
            &[80_000.0, 80_500.0, 79_800.0],
            HigherIsBetter,
            Regression,
        );
        check(
            &base,
            &[120_000.0, 121_000.0, 119_800.0],
            HigherIsBetter,
            Improvement,
        );
        // 20% more CPU per request is worse; 20% more requests per second is not.
        check(
            &[4.0, 4.05, 3.98],
            &[4.8, 4.85, 4.78],
            LowerIsBetter,
            Regression,
        );
        // 3% apart and separated: significant, but under the minimum effect.
        check(&base, &[97_000.0, 97_500.0, 96_800.0], HigherIsBetter, Same);
        // 12% apart but one side's rounds spread over 30%: within noise.
        check(&base, &[70_000.0, 88_000.0, 99_000.0], HigherIsBetter, Same);
        // wrk's p99 with one disturbed round (real bench data): never judged a regression.
        check(
            &[246.0, 7410.0, 242.0],
            &[250.0, 260.0, 6000.0],
            LowerIsBetter,
            Same,
        );
        check(&base, &[50.0, 50.0, 50.0], Diagnostic, NotJudged);
        check(&[0.0, 0.0, 0.0], &[1.0, 1.0, 1.0], LowerIsBetter, NotJudged);
    }

    #[test]
    fn many_rounds_use_mann_whitney() {
        let base: Vec<f64> = (0..15).map(|i| 100.0 + f64::from(i % 5)).collect();
        let head: Vec<f64> = base.iter().map(|value| value * 0.8).collect();
        let judgement = judge(&base, &head, Direction::HigherIsBetter);
        assert!(matches!(judgement.test, Test::MannWhitney { p } if p < 1e-4));
        assert_eq!(judgement.verdict, Verdict::Regression);
    }

    /// Simulated runs: identical distributions against each other (false alarms) and a 20%
    /// slowdown (detections), 3 rounds a side, uniform noise of +-`noise` per round.
    fn simulate(noise: f64, slowdown: f64, trials: usize) -> usize {
        let mut rng = SplitMix64(42);
        let mut regressions = 0;
        for _ in 0..trials {
            let mut draw = |scale: f64| -> Vec<f64> {
                (0..3)
                    .map(|_| scale * 100_000.0 * (1.0 + noise * (rng.unit() - 0.5) * 2.0))
                    .collect()
            };
            let (base, head) = (draw(1.0), draw(1.0 - slowdown));
            if judge(&base, &head, Direction::HigherIsBetter).verdict == Verdict::Regression {
                regressions += 1;
            }
        }
        regressions
    }

    #[test]
    fn false_alarms_are_rare_and_slowdowns_are_caught() {
        let check = |noise: f64, slowdown: f64, trials: usize, at_most: usize, at_least: usize| {
            let regressions = simulate(noise, slowdown, trials);
            assert!(
                (at_least..=at_most).contains(&regressions),
                "noise {noise}, slowdown {slowdown}: {regressions} of {trials}"
            );
        };
        // Rounds within +-3%, like the real req/s rounds: no false alarm at all.
        check(0.03, 0.0, 5_000, 0, 0);
        // Noise twice the minimum effect, the worst case for 3 rounds: under 1%.
        check(0.10, 0.0, 5_000, 50, 0);
        // A 20% slowdown is caught every time with tight rounds, almost always with +-5%.
        check(0.03, 0.2, 2_000, 2_000, 2_000);
        check(0.05, 0.2, 2_000, 2_000, 1_900);
    }
}
