//! bext's performance history: record `bext-bench` results in a SQLite file that lives in the
//! repository, flag regressions between commits, and render a dashboard.
//!
//! ```text
//! bench/results/*.json ──record──► perf/history.sqlite ──compare──► table + exit code
//!                                                     └──report───► index.html, summary.md
//! ```
//!
//! # Design decisions
//!
//! - **The history is a file in the repository** (`perf/history.sqlite`). The README summary
//!   and the regression gate then work from a fresh clone, with no server to ask. It stays
//!   small: a `static` run is about 150 numbers, about 9 KiB; the journal mode is SQLite's
//!   default (no `-wal` files beside it) and every `record` ends with `VACUUM`, so the file
//!   holds no free pages. SQLite (bundled, so nothing to install) rather than JSON lines
//!   because the queries (latest run per commit and machine, every round of one metric) are
//!   one `SELECT` each and the schema is checked.
//! - **Every round is kept**, not only medians: the regression rule needs the spread.
//! - **Commits are ordered by when the bench first saw them** (the earliest run recorded for
//!   each), not by git topology: the history works without git, from any clone, and for names
//!   given with `record --commit` (e.g. an experiment that is not a commit).
//! - **A side of a comparison** is the latest recorded run of a scenario at a commit, pooled
//!   with every other run at that commit that has the same dirty flag, machine fingerprint
//!   (CPU model, cores, architecture) and settings: repeated runs of one commit add rounds,
//!   they never mix in a different machine or a different `--duration-secs`. The base side
//!   is taken from the head side's machine; a different kernel is reported, not refused.
//! - **Smoke runs are not measurements** (`bext-bench --smoke`): `record` refuses them unless
//!   `--allow-smoke`, and `compare`/`report` leave them out unless `--include-smoke`.
//! - **Only bext gates.** Every (case, contender, metric) is judged and printed, but only
//!   bext's regressions make `compare` exit 1: nginx or the ceiling getting slower says the
//!   machine changed, and when bext's peers moved the same way in the same case the table
//!   says so.
//!
//! # The regression rule
//!
//! For each (scenario, case, contender, metric) with a direction (higher is better:
//! `requests_per_sec`, `round_trips_per_sec`, `messages_per_sec`; lower is better:
//! `latency_p99`, `cpu_per_request`, `cpu_per_message`, `startup`, `rss_per_idle_connection`,
//! `cpu_per_round_trip`, `rss_per_tunnel`; everything else, e.g. `server_cpu_util`, is a diagnostic and is shown but
//! not judged), let B and H be the pooled rounds of the base and head sides and
//! `change = median(H) / median(B) - 1`, counted positive when it is in the bad direction.
//! The change is a **regression** only if all of these hold:
//!
//! 1. **The sides differ, statistically.** With at least
//!    [`limits::MANN_WHITNEY_SAMPLES_MIN`] rounds on each side: a two-sided Mann-Whitney U test
//!    (normal approximation with tie and continuity corrections) gives
//!    `p < `[`limits::SIGNIFICANCE_ALPHA`]. With fewer rounds (the bench's default is 3, and
//!    with 3 against 3 the smallest possible two-sided p is 0.1, so the test could never
//!    fire): the `1 - SIGNIFICANCE_ALPHA` percentile-bootstrap confidence interval of
//!    `median(H) - median(B)` ([`limits::BOOTSTRAP_RESAMPLES`] resamples of each side, from a
//!    fixed seed so that the verdict is reproducible) excludes zero. With 3 rounds a side that
//!    amounts to "the two sides do not overlap".
//! 2. **The change is large enough to matter:** `change > `[`limits::MIN_EFFECT_RATIO`] (5%).
//! 3. **The change exceeds the noise seen within each side:** `change` is larger than
//!    [`limits::SPREAD_FACTOR`] (2) times the larger of the two sides' relative spreads, where
//!    a side's spread is `(max - min) / median` below [`limits::SPREAD_IQR_SAMPLES_MIN`]
//!    rounds and `IQR / median` from there on. The factor is there because 3 rounds
//!    underestimate the noise, and runs on different days differ more than rounds of one run
//!    (`SPREAD_FACTOR`'s docs give the simulated false-alarm rates).
//!
//! The same rule in the good direction is an **improvement**; anything else is **same**
//! (within noise). A metric missing from one side is reported as such, not judged. The rule
//! is deliberately conservative, and its power grows with data: record several runs of a
//! commit (they are pooled) and the Mann-Whitney test takes over. A noisy metric (wrk's p99
//! jumps by 30x when another process takes the core) is simply never judged a regression,
//! and a real 20% slowdown in `requests_per_sec`, whose rounds agree within a few percent,
//! always is.

#![forbid(unsafe_code)]

pub mod cli;
pub mod compare;
pub mod error;
pub mod format;
pub mod git;
pub mod history;
pub mod input;
pub mod judge;
pub mod limits;
pub mod metrics;
pub mod renames;
pub mod report;
pub mod stats;
pub mod store;
