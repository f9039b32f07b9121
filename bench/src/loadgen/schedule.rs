//! When each request is due, and how late it went out. Times are nanoseconds since the
//! generator's start (its `t0`), so everything here is integer arithmetic on plain numbers.

/// A send more than this after its scheduled time counts as late. A loopback round trip is
/// tens of microseconds, so 100 us late is a delay a client would notice in the percentiles.
pub const SEND_LATE_TOLERANCE_NS: u64 = 100_000;

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// A constant total arrival rate spread round-robin over a fixed set of connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// Requests per second over all connections.
    pub rate_per_sec: u64,
    pub connections: u32,
}

impl Schedule {
    pub fn new(rate_per_sec: u64, connections: u32) -> Schedule {
        assert!(rate_per_sec > 0, "a schedule needs a positive rate");
        assert!(connections > 0, "a schedule needs at least one connection");
        Schedule {
            rate_per_sec,
            connections,
        }
    }

    /// Global index of the `nth` request (0-based) of `connection`: requests are dealt to
    /// connections round-robin, so request k belongs to connection `k mod N`.
    pub fn global_index(&self, connection: u32, nth: u64) -> u64 {
        assert!(connection < self.connections);
        nth * u64::from(self.connections) + u64::from(connection)
    }

    /// Scheduled send time of global request `index`, in ns after the start: `index / rate`.
    pub fn due_ns(&self, index: u64) -> u64 {
        let due = u128::from(index) * NANOS_PER_SEC / u128::from(self.rate_per_sec);
        u64::try_from(due).unwrap_or(u64::MAX)
    }

    /// How many requests are scheduled in `[0, until_ns)`: the k with `k / rate < until`.
    pub fn count_before(&self, until_ns: u64) -> u64 {
        // k * 1e9 / rate < until  <=>  k * 1e9 < until * rate (exact, no rounding)
        let scaled = u128::from(until_ns) * u128::from(self.rate_per_sec);
        let count = scaled.div_ceil(NANOS_PER_SEC);
        u64::try_from(count).unwrap_or(u64::MAX)
    }

    /// How many of the first `total` requests belong to `connection`.
    pub fn count_for_connection(&self, connection: u32, total: u64) -> u64 {
        let connection = u64::from(connection);
        let connections = u64::from(self.connections);
        if connection >= total {
            return 0;
        }
        (total - connection).div_ceil(connections)
    }
}

/// Why a request left late, if it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lateness {
    OnTime,
    /// Its connection was still waiting for the previous answer at the scheduled time: the
    /// server (or the network) was the cause. Its latency includes the wait.
    BusyConnection,
    /// The connection was free, but the generator did not get to it in time: the generator
    /// was the cause, and a run with many of these measured the generator.
    Generator,
}

/// Classifies one send: `due` is when it was scheduled, `free` when its connection became
/// free (the previous response completed, or the start), `sent` when it was written.
pub fn classify(due_ns: u64, free_ns: u64, sent_ns: u64) -> Lateness {
    let limit = due_ns.saturating_add(SEND_LATE_TOLERANCE_NS);
    if sent_ns <= limit {
        Lateness::OnTime
    } else if free_ns > limit {
        Lateness::BusyConnection
    } else {
        Lateness::Generator
    }
}

/// Whether a send due at `due_ns` should go out now (`now_ns`). A connection that is early
/// yields to the runtime and asks again: the runtime's timers have millisecond granularity and
/// are only serviced when the runtime parks, which a busy generator never does, so the
/// generator waits by polling the clock instead (it owns its CPU).
pub fn is_due(due_ns: u64, now_ns: u64) -> bool {
    now_ns >= due_ns
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (rate, connections) -> the first due times of connection `c`, as "c: t0 t1 t2".
    fn check_timetable(rate: u64, connections: u32, expect: &[&str]) {
        let schedule = Schedule::new(rate, connections);
        let actual: Vec<String> = (0..connections)
            .map(|c| {
                let times: Vec<String> = (0..3)
                    .map(|nth| schedule.due_ns(schedule.global_index(c, nth)).to_string())
                    .collect();
                format!("{c}: {}", times.join(" "))
            })
            .collect();
        assert_eq!(actual, expect, "rate {rate}, {connections} connections");
    }

    #[test]
    fn requests_are_dealt_round_robin_at_a_constant_rate() {
        // 1000/s over 1 connection: every millisecond.
        check_timetable(1_000, 1, &["0: 0 1000000 2000000"]);
        // 20k/s over 4 connections: 50 us apart overall, 200 us apart per connection.
        check_timetable(
            20_000,
            4,
            &[
                "0: 0 200000 400000",
                "1: 50000 250000 450000",
                "2: 100000 300000 500000",
                "3: 150000 350000 550000",
            ],
        );
        // 3/s: due times round down to the nanosecond, and never drift (k / rate, not a sum).
        check_timetable(3, 1, &["0: 0 333333333 666666666"]);
        let schedule = Schedule::new(3, 1);
        assert_eq!(schedule.due_ns(3_000_000), 1_000_000_000_000_000);
        // Huge indexes do not overflow.
        assert_eq!(Schedule::new(1, 1).due_ns(u64::MAX), u64::MAX);
    }

    fn check_count(rate: u64, until_ns: u64, expect: u64) {
        let schedule = Schedule::new(rate, 1);
        assert_eq!(
            schedule.count_before(until_ns),
            expect,
            "rate {rate} until {until_ns}"
        );
        // Consistent with due_ns: the last counted request is due before `until`, the next not.
        if expect > 0 {
            assert!(schedule.due_ns(expect - 1) < until_ns);
        }
        assert!(schedule.due_ns(expect) >= until_ns);
    }

    #[test]
    fn counts_requests_scheduled_in_a_window() {
        check_count(20_000, 1_000_000_000, 20_000);
        check_count(20_000, 0, 0);
        check_count(20_000, 1, 1); // request 0 is due at 0 < 1
        check_count(20_000, 50_000, 1); // request 1 is due at exactly 50 us: not before it
        check_count(20_000, 50_001, 2);
        check_count(3, 1_000_000_000, 3);
        check_count(100_000, 5_000_000_000, 500_000);
    }

    #[test]
    fn splits_a_total_over_connections() {
        let schedule = Schedule::new(1_000, 4);
        let counts = |total| {
            (0..4)
                .map(|c| schedule.count_for_connection(c, total))
                .collect::<Vec<_>>()
        };
        assert_eq!(counts(0), [0, 0, 0, 0]);
        assert_eq!(counts(3), [1, 1, 1, 0]);
        assert_eq!(counts(8), [2, 2, 2, 2]);
        assert_eq!(counts(9), [3, 2, 2, 2]);
    }

    #[test]
    fn classifies_late_sends_by_cause() {
        let check = |due, free, sent, expect| {
            assert_eq!(
                classify(due, free, sent),
                expect,
                "due {due} free {free} sent {sent}"
            );
        };
        check(1_000_000, 0, 1_000_000, Lateness::OnTime);
        check(1_000_000, 0, 1_100_000, Lateness::OnTime); // exactly at the tolerance
        check(1_000_000, 0, 1_100_001, Lateness::Generator);
        check(1_000_000, 1_050_000, 1_150_000, Lateness::Generator);
        check(1_000_000, 1_500_000, 1_500_010, Lateness::BusyConnection);
        check(u64::MAX, 0, u64::MAX, Lateness::OnTime);
    }

    #[test]
    fn a_send_is_due_from_its_scheduled_time_on() {
        assert!(is_due(10_000_000, 10_000_000));
        assert!(is_due(10_000_000, 11_000_000));
        assert!(!is_due(10_000_000, 9_999_999));
    }
}
