//! CPU time from `/proc`, parsed without reading it: the harness (`src/cpu_time.rs`) and
//! `bext-rtload`, which samples the server's CPU over its own measured window, read the files
//! and hand the text here.

/// Busy and total time of one CPU so far, in ticks, from `/proc/stat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoreTicks {
    pub busy: u64,
    pub total: u64,
}

/// Percent of `cpu` that was busy between two readings (with anyone's work, not only ours).
pub fn busy_percent(before: CoreTicks, after: CoreTicks) -> f64 {
    let total = after.total.saturating_sub(before.total);
    if total == 0 {
        return 0.0;
    }
    after.busy.saturating_sub(before.busy) as f64 / total as f64 * 100.0
}

/// "cpu1 user nice system idle iowait irq softirq steal guest guest_nice": idle and iowait
/// are idle; guest time is already inside user, so only the first eight fields are summed.
pub fn parse_core_ticks(stat: &str, cpu: usize) -> Option<CoreTicks> {
    let label = format!("cpu{cpu}");
    let line = stat
        .lines()
        .find(|line| line.split_whitespace().next() == Some(label.as_str()))?;
    let fields: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .take(8)
        .map(|field| field.parse().ok())
        .collect::<Option<_>>()?;
    if fields.len() < 5 {
        return None;
    }
    let total: u64 = fields.iter().sum();
    let idle = fields[3] + fields[4];
    Some(CoreTicks {
        busy: total - idle,
        total,
    })
}

/// utime + stime (fields 14 and 15) from a `/proc/<pid>/stat` line: every thread of the
/// process. The command name (field 2) is in parentheses and may itself contain spaces and
/// parentheses, so fields are counted from the last ')'.
pub fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let utime = fields.next()?.parse::<u64>().ok()?;
    let stime = fields.next()?.parse::<u64>().ok()?;
    Some(utime + stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(stat: &str, expect: Option<u64>) {
        assert_eq!(parse_cpu_ticks(stat), expect, "stat: {stat:?}");
    }

    #[test]
    fn parses_utime_and_stime() {
        check(
            "27400 (cat) R 27397 27397 4936 0 -1 4194304 99 0 0 0 7 5 0 0 20 0 1 0 150764",
            Some(12),
        );
        check(
            "1 (a) b) (c) S 0 1 1 0 -1 0 0 0 0 0 100 23 0 0 20 0 1 0 1",
            Some(123),
        );
        check("1 (short) S 0 1 1", None);
        check("no parenthesis", None);
    }

    fn check_core(stat: &str, cpu: usize, expect: Option<(u64, u64)>) {
        let actual = parse_core_ticks(stat, cpu).map(|ticks| (ticks.busy, ticks.total));
        assert_eq!(actual, expect, "cpu{cpu} in {stat:?}");
    }

    #[test]
    fn parses_per_core_ticks() {
        let stat = "cpu  30 0 10 100 5 0 0 0 0 0\ncpu0 10 1 2 50 3 4 5 6 7 8\ncpu1 20 0 8 50 2 0 0 0 0 0\nintr 1 2\n";
        check_core(stat, 0, Some((28, 81)));
        check_core(stat, 1, Some((28, 80)));
        check_core(stat, 2, None);
        check_core("cpu0 1 2 3\n", 0, None);
        let ticks = |busy, total| CoreTicks { busy, total };
        assert_eq!(busy_percent(ticks(10, 100), ticks(60, 200)), 50.0);
        assert_eq!(busy_percent(ticks(10, 100), ticks(10, 100)), 0.0);
    }
}
