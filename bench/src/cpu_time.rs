//! CPU time a server spends, read from `/proc/<pid>/stat` around each load run.
//!
//! One wrk thread on one core can generate only so many requests per second; a fast enough
//! server then idles part of the time and req/s measures wrk, not the server. CPU time per
//! request stays meaningful either way, and the server's utilisation tells which case we are
//! in (near 100%: the server is the bottleneck, as intended).

pub use bext_bench::proc_stat::{CoreTicks, busy_percent};
use bext_bench::proc_stat::{parse_core_ticks, parse_cpu_ticks};

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

pub fn core_ticks(cpu: usize) -> Result<CoreTicks, Error> {
    let path = "/proc/stat";
    let stat = std::fs::read_to_string(path)
        .map_err(|error| Error::run(format!("reading {path}: {error}")))?;
    parse_core_ticks(&stat, cpu)
        .ok_or_else(|| Error::run(format!("no usable cpu{cpu} line in {path}")))
}

/// The parent pid (field 4) of a `/proc/<pid>/stat` line.
fn parse_ppid(stat: &str) -> Option<u32> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_parent_pid() {
        assert_eq!(parse_ppid("27400 (cat) R 27397 27397 4936 0"), Some(27397));
        assert_eq!(parse_ppid("1 (a) b) (c) S 0 1 1"), Some(0));
        assert_eq!(parse_ppid("1 (short)"), None);
        let own = tree_cpu_seconds(std::process::id()).unwrap_or(-1.0);
        assert!(own >= 0.0, "this process's tree CPU time is readable");
    }

    #[test]
    fn reads_own_cpu_time() {
        let spin_until = std::time::Instant::now() + std::time::Duration::from_millis(30);
        while std::time::Instant::now() < spin_until {}
        let seconds = cpu_seconds(std::process::id()).unwrap_or(-1.0);
        assert!(seconds >= 0.0, "this process's CPU time is readable");
    }
}
