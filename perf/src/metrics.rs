//! What the bench's metrics mean to the history: which way is better, which are diagnostics,
//! and who bext is compared with. The table mirrors `bench/README.md` ("Cases and metrics").

/// Which way a metric should move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
    /// Shown, never judged: utilisation figures, error counts, raw RSS.
    Diagnostic,
}

/// The contender whose regressions fail the gate.
pub const SUBJECT: &str = "bext";
/// Contenders bext's ratio is charted against, in display order.
pub const PEERS: [&str; 2] = ["nginx", "ceiling"];

pub fn direction(metric: &str) -> Direction {
    match metric {
        // `round_trips_per_sec`, `cpu_per_round_trip` and `rss_per_tunnel`: `proxy`'s WebSocket
        // rows; `messages_per_sec` and `cpu_per_message`: `realtime`'s fan-out.
        "requests_per_sec" | "round_trips_per_sec" | "messages_per_sec" => {
            Direction::HigherIsBetter
        }
        "latency_p99"
        | "cpu_per_request"
        | "cpu_per_message"
        | "startup"
        | "rss_per_idle_connection"
        | "cpu_per_round_trip"
        | "rss_per_tunnel" => Direction::LowerIsBetter,
        // `socket_errors` should be 0: a relative change of 0 means nothing, and the bench
        // already warns about it.
        _ => Direction::Diagnostic,
    }
}

impl Direction {
    pub fn is_judged(self) -> bool {
        self != Direction::Diagnostic
    }

    /// How a relative change of medians (`head / base - 1`) reads in this direction: positive
    /// is worse.
    pub fn worsening(self, change_ratio: f64) -> f64 {
        match self {
            Direction::HigherIsBetter => -change_ratio,
            Direction::LowerIsBetter | Direction::Diagnostic => change_ratio,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "higher is better",
            Direction::LowerIsBetter => "lower is better",
            Direction::Diagnostic => "diagnostic",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(metric: &str, expect: Direction) {
        assert_eq!(direction(metric), expect, "{metric}");
    }

    #[test]
    fn directions_follow_the_bench_readme() {
        check("requests_per_sec", Direction::HigherIsBetter);
        check("latency_p99", Direction::LowerIsBetter);
        check("cpu_per_request", Direction::LowerIsBetter);
        check("startup", Direction::LowerIsBetter);
        check("rss_per_idle_connection", Direction::LowerIsBetter);
        check("round_trips_per_sec", Direction::HigherIsBetter);
        check("cpu_per_round_trip", Direction::LowerIsBetter);
        check("rss_per_tunnel", Direction::LowerIsBetter);
        check("messages_per_sec", Direction::HigherIsBetter);
        check("cpu_per_message", Direction::LowerIsBetter);
        check("messages_lost", Direction::Diagnostic);
        check("tunnels_lost", Direction::Diagnostic);
        check("wsload_cpu_util", Direction::Diagnostic);
        check("server_cpu_util", Direction::Diagnostic);
        check("server_core_busy", Direction::Diagnostic);
        check("wrk_cpu_util", Direction::Diagnostic);
        check("socket_errors", Direction::Diagnostic);
        check("rss_before", Direction::Diagnostic);
        check("open_all_connections", Direction::Diagnostic);
    }

    #[test]
    fn worsening_is_positive_in_the_bad_direction() {
        assert_eq!(Direction::HigherIsBetter.worsening(-0.2), 0.2);
        assert_eq!(Direction::LowerIsBetter.worsening(0.2), 0.2);
    }
}
