//! What one generator run reports: one JSON object on stdout, read back by the harness with
//! this same type.

use serde::{Deserialize, Serialize};

use super::histogram::Percentiles;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The asked-for total rate, requests per second.
    pub target_rate: u64,
    pub connections: u32,
    /// Length of the recorded part of the schedule (after the warm-up).
    pub duration_secs: f64,
    /// Requests scheduled in the recorded part.
    pub scheduled: u64,
    /// Of those, answered with a complete response (any status).
    pub completed: u64,
    /// Answered with a status other than 200.
    pub non_200: u64,
    /// Never answered: connection errors, unparsable responses, or still outstanding at the
    /// drain deadline.
    pub errors: u64,
    /// Completed requests / the time from the first scheduled send to the last completion.
    pub achieved_rate: f64,
    /// Sent more than the tolerance late because the connection was still busy (server-side).
    pub late_busy_connection: u64,
    /// Sent more than the tolerance late although the connection was free (generator-side).
    pub late_generator: u64,
    /// Latency from the scheduled send time to the last byte of the response, microseconds.
    pub p50_us: f64,
    pub p90_us: f64,
    pub p99_us: f64,
    pub p999_us: f64,
    pub max_us: f64,
    pub mean_us: f64,
}

impl Summary {
    /// Requests that could not be sent on schedule, whatever the cause.
    pub fn late(&self) -> u64 {
        self.late_busy_connection + self.late_generator
    }
}

/// The counts a run accumulates besides its latencies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub scheduled: u64,
    pub completed: u64,
    pub non_200: u64,
    pub errors: u64,
    pub late_busy_connection: u64,
    pub late_generator: u64,
}

impl Counts {
    pub fn add(&mut self, other: &Counts) {
        self.scheduled += other.scheduled;
        self.completed += other.completed;
        self.non_200 += other.non_200;
        self.errors += other.errors;
        self.late_busy_connection += other.late_busy_connection;
        self.late_generator += other.late_generator;
    }
}

/// Builds the summary; `span_secs` is from the first scheduled send to the last completion.
pub fn summarize(
    target_rate: u64,
    connections: u32,
    duration_secs: f64,
    counts: &Counts,
    span_secs: f64,
    percentiles: &Percentiles,
) -> Summary {
    let achieved_rate = if span_secs > 0.0 {
        counts.completed as f64 / span_secs
    } else {
        0.0
    };
    Summary {
        target_rate,
        connections,
        duration_secs,
        scheduled: counts.scheduled,
        completed: counts.completed,
        non_200: counts.non_200,
        errors: counts.errors,
        achieved_rate,
        late_busy_connection: counts.late_busy_connection,
        late_generator: counts.late_generator,
        p50_us: percentiles.p50_us,
        p90_us: percentiles.p90_us,
        p99_us: percentiles.p99_us,
        p999_us: percentiles.p999_us,
        max_us: percentiles.max_us,
        mean_us: percentiles.mean_us,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json() {
        let counts = Counts {
            scheduled: 100,
            completed: 99,
            non_200: 0,
            errors: 1,
            late_busy_connection: 2,
            late_generator: 3,
        };
        let percentiles = Percentiles {
            count: 99,
            p50_us: 20.0,
            p90_us: 30.0,
            p99_us: 40.0,
            p999_us: 50.0,
            max_us: 60.0,
            mean_us: 22.5,
        };
        let summary = summarize(100, 4, 1.0, &counts, 0.99, &percentiles);
        assert_eq!(summary.achieved_rate, 100.0);
        assert_eq!(summary.late(), 5);
        let json = serde_json::to_string(&summary).unwrap_or_default();
        let back: Option<Summary> = serde_json::from_str(&json).ok();
        assert_eq!(back, Some(summary));
        assert_eq!(
            summarize(1, 1, 1.0, &Counts::default(), 0.0, &percentiles).achieved_rate,
            0.0
        );
    }
}
