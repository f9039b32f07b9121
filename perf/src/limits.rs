//! Every bound and threshold of the history tool, units last.
//!
//! These bound this tool, not bext; bext's limits live in `bext_core::limits`. The statistical
//! thresholds are here too because they are the regression gate's policy: changing one changes
//! which commits fail, so they are named, documented and tested in one place.

/// Largest results file `record` reads. A `static` run is about 10 KiB; this is a sanity bound
/// against being handed the wrong file, not a real constraint.
pub const INPUT_FILE_BYTES_MAX: u64 = 16 * 1024 * 1024;
/// Most rows (case, contender, metric) in one results file.
pub const ROWS_PER_RUN_MAX: usize = 10_000;
/// Most rounds in one row.
pub const ROUNDS_PER_ROW_MAX: usize = 10_000;
/// Longest text field (scenario, case, metric, commit, CPU model...) accepted from a file.
pub const TEXT_FIELD_BYTES_MAX: usize = 512;
/// Most commits one chart shows (the newest ones); older history stays in the database.
pub const CHART_COMMITS_MAX: usize = 60;

/// Two-sided significance level of the Mann-Whitney test, and `1 -` the confidence of the
/// bootstrap interval. Strict, because a gate that cries wolf gets switched off.
pub const SIGNIFICANCE_ALPHA: f64 = 0.01;
/// Rounds per side from which the Mann-Whitney test is used. Below this its normal
/// approximation is poor and, with 3 against 3, the smallest two-sided p is 0.1 anyway.
pub const MANN_WHITNEY_SAMPLES_MIN: usize = 8;
/// Resamples of each side for the bootstrap interval of the difference of medians.
pub const BOOTSTRAP_RESAMPLES: usize = 2_000;
/// Seed of the bootstrap's generator: fixed, so the same data always gets the same verdict.
pub const BOOTSTRAP_SEED: u64 = 0x6265_7874_7065_7266; // "bextperf"
/// Smallest relative change of medians that can be a regression (5%).
pub const MIN_EFFECT_RATIO: f64 = 0.05;
/// A change must exceed this many times the larger side's relative spread. With 3 rounds a
/// side's range underestimates its noise, and rounds within one run agree better than runs
/// on different days: at 1x, simulated identical runs raised an alarm on 1-3% of metrics;
/// at 2x, 0.1-0.5%, while a 20% slowdown with rounds within 5% is still flagged (>95%).
pub const SPREAD_FACTOR: f64 = 2.0;
/// Rounds per side from which a side's spread is its IQR rather than its full range.
pub const SPREAD_IQR_SAMPLES_MIN: usize = 8;

const _: () = assert!(
    MANN_WHITNEY_SAMPLES_MIN >= 4,
    "below 4 a side cannot reach p < 0.05"
);
const _: () = assert!(SIGNIFICANCE_ALPHA > 0.0 && SIGNIFICANCE_ALPHA < 0.5);
const _: () = assert!(
    BOOTSTRAP_RESAMPLES as f64 * SIGNIFICANCE_ALPHA >= 10.0,
    "tails too thin"
);
const _: () = assert!(MIN_EFFECT_RATIO > 0.0);
const _: () = assert!(
    SPREAD_FACTOR >= 1.0,
    "a change inside the observed noise is noise"
);
