//! Reading a process's resident memory and waiting for it to stop moving. Allocators return
//! memory lazily and servers finish work after the last response, so a single sample right
//! after the connections are opened would under- or over-count.

use std::thread;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::limits::{
    RSS_SAMPLE_INTERVAL_MS, RSS_SETTLE_DEADLINE_MS, RSS_SETTLE_TOLERANCE_BYTES, RSS_STABLE_SAMPLES,
};

/// A settled (or, past the deadline, last) RSS reading.
pub struct Settled {
    pub rss_bytes: u64,
    /// False if the deadline passed before the samples agreed.
    pub settled: bool,
}

/// VmRSS of `pid` in bytes.
pub fn rss_bytes(pid: u32) -> Result<u64, Error> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path)
        .map_err(|error| Error::run(format!("reading {path}: {error}")))?;
    parse_vm_rss(&status).ok_or_else(|| Error::run(format!("no VmRSS line in {path}")))
}

/// Samples every `RSS_SAMPLE_INTERVAL_MS` until `RSS_STABLE_SAMPLES` in a row lie within
/// `RSS_SETTLE_TOLERANCE_BYTES` of each other, or the deadline passes.
pub fn wait_settled(pid: u32) -> Result<Settled, Error> {
    let deadline = Instant::now() + Duration::from_millis(RSS_SETTLE_DEADLINE_MS);
    let mut window: Vec<u64> = Vec::with_capacity(RSS_STABLE_SAMPLES);
    loop {
        let sample = rss_bytes(pid)?;
        if window.len() == RSS_STABLE_SAMPLES {
            window.remove(0);
        }
        window.push(sample);
        if window.len() == RSS_STABLE_SAMPLES && spread(&window) <= RSS_SETTLE_TOLERANCE_BYTES {
            return Ok(Settled {
                rss_bytes: sample,
                settled: true,
            });
        }
        if Instant::now() >= deadline {
            return Ok(Settled {
                rss_bytes: sample,
                settled: false,
            });
        }
        thread::sleep(Duration::from_millis(RSS_SAMPLE_INTERVAL_MS));
    }
}

fn spread(samples: &[u64]) -> u64 {
    let max = samples.iter().max().copied().unwrap_or(0);
    let min = samples.iter().min().copied().unwrap_or(0);
    max - min
}

/// `VmRSS: <n> kB` -> n * 1024.
fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let mut fields = line.split_whitespace().skip(1);
    let value = fields.next()?.parse::<u64>().ok()?;
    match fields.next()? {
        "kB" => Some(value * 1024),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(status: &str, expect: Option<u64>) {
        assert_eq!(parse_vm_rss(status), expect, "status: {status:?}");
    }

    #[test]
    fn parses_vm_rss() {
        check(
            "Name:\tnginx\nVmHWM:\t    9000 kB\nVmRSS:\t    8192 kB\nRssAnon:\t 1 kB\n",
            Some(8192 * 1024),
        );
        check("VmRSS:\t0 kB\n", Some(0));
        check("Name:\tzombie\n", None);
        check("VmRSS:\t12 MB\n", None);
        check("VmRSS:\tlots kB\n", None);
    }

    #[test]
    fn reads_own_rss() {
        let rss = rss_bytes(std::process::id()).unwrap_or(0);
        assert!(rss > 0, "this test process has a resident set");
    }
}
