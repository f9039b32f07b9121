//! CPU time a server spends, read from `/proc/<pid>/stat` around each load run.
//!
//! One wrk thread on one core can generate only so many requests per second; a fast enough
//! server then idles part of the time and req/s measures wrk, not the server. CPU time per
//! request stays meaningful either way, and the server's utilisation tells which case we are
//! in (near 100%: the server is the bottleneck, as intended).

use crate::error::Error;
use crate::sys;

/// user + system CPU seconds consumed so far by every thread of `pid`.
pub fn cpu_seconds(pid: u32) -> Result<f64, Error> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path)
        .map_err(|error| Error::run(format!("reading {path}: {error}")))?;
    let ticks = parse_cpu_ticks(&stat)
        .ok_or_else(|| Error::run(format!("cannot parse {path}: {stat:?}")))?;
    Ok(ticks as f64 / sys::clock_ticks_per_second() as f64)
}

/// CPU seconds of `pid` and of its direct children: nginx with `master_process on` serves
/// from worker processes, which are children of the pid we spawned. A child that exits
/// between the two readings takes its time with it; servers do not fork mid-run.
pub fn tree_cpu_seconds(pid: u32) -> Result<f64, Error> {
    let mut total = cpu_seconds(pid)?;
    let entries = std::fs::read_dir("/proc")
        .map_err(|error| Error::run(format!("reading /proc: {error}")))?;
    for entry in entries.flatten() {
        let Some(child) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<u32>().ok())
        else {
            continue;
        };
        // Processes come and go while we scan: an unreadable entry is one that ended.
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        if parse_ppid(&stat) == Some(pid)
            && let Some(ticks) = parse_cpu_ticks(&stat)
        {
            total += ticks as f64 / sys::clock_ticks_per_second() as f64;
        }
    }
    Ok(total)
}

/// Busy and total time of several CPUs together, for servers that span more than one.
pub fn cores_ticks(cpus: &[usize]) -> Result<CoreTicks, Error> {
    let mut sum = CoreTicks { busy: 0, total: 0 };
    for &cpu in cpus {
        let ticks = core_ticks(cpu)?;
        sum.busy += ticks.busy;
        sum.total += ticks.total;
    }
    Ok(sum)
}

/// Busy and total time of one CPU so far, in ticks, from `/proc/stat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoreTicks {
    pub busy: u64,
    pub total: u64,
}

pub fn core_ticks(cpu: usize) -> Result<CoreTicks, Error> {
    let path = "/proc/stat";
    let stat = std::fs::read_to_string(path)
        .map_err(|error| Error::run(format!("reading {path}: {error}")))?;
    parse_core_ticks(&stat, cpu)
        .ok_or_else(|| Error::run(format!("no usable cpu{cpu} line in {path}")))
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
fn parse_core_ticks(stat: &str, cpu: usize) -> Option<CoreTicks> {
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

/// utime + stime (fields 14 and 15) from a `/proc/<pid>/stat` line. The command name (field 2)
/// is in parentheses and may itself contain spaces and parentheses, so fields are counted from
/// the last ')'.
fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let utime = fields.next()?.parse::<u64>().ok()?;
    let stime = fields.next()?.parse::<u64>().ok()?;
    Some(utime + stime)
}

/// The parent pid (field 4) of a `/proc/<pid>/stat` line.
fn parse_ppid(stat: &str) -> Option<u32> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
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

    #[test]
    fn parses_the_parent_pid() {
        assert_eq!(parse_ppid("27400 (cat) R 27397 27397 4936 0"), Some(27397));
        assert_eq!(parse_ppid("1 (a) b) (c) S 0 1 1"), Some(0));
        assert_eq!(parse_ppid("1 (short)"), None);
        let own = tree_cpu_seconds(std::process::id()).unwrap_or(-1.0);
        assert!(own >= 0.0, "this process's tree CPU time is readable");
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
        assert_eq!(
            busy_percent(
                CoreTicks {
                    busy: 10,
                    total: 100
                },
                CoreTicks {
                    busy: 60,
                    total: 200
                }
            ),
            50.0
        );
        assert_eq!(
            busy_percent(
                CoreTicks {
                    busy: 10,
                    total: 100
                },
                CoreTicks {
                    busy: 10,
                    total: 100
                }
            ),
            0.0
        );
    }

    #[test]
    fn reads_own_cpu_time() {
        let spin_until = std::time::Instant::now() + std::time::Duration::from_millis(30);
        while std::time::Instant::now() < spin_until {}
        let seconds = cpu_seconds(std::process::id()).unwrap_or(-1.0);
        assert!(seconds >= 0.0, "this process's CPU time is readable");
    }
}
