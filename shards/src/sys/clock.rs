//! The kernel's CLOCK_MONOTONIC in nanoseconds: the clock eBPF programs read
//! (`bpf_ktime_get_ns`), so a deadline written into a BPF map is one they can compare. std's
//! `Instant` reads the same clock but does not say its value.
#![allow(unsafe_code)]

/// Nanoseconds on CLOCK_MONOTONIC (since boot, not counting suspend).
pub fn kernel_monotonic_ns() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec for the call; CLOCK_MONOTONIC exists on
    // every Linux, so the call cannot fail (and `now` stays zero if it somehow did).
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &raw mut now) };
    let secs = u64::try_from(now.tv_sec).unwrap_or(0);
    let nanos = u64::try_from(now.tv_nsec).unwrap_or(0);
    secs.saturating_mul(1_000_000_000).saturating_add(nanos)
}

#[cfg(test)]
mod tests {
    use super::kernel_monotonic_ns;

    #[test]
    fn it_moves_forward_with_instant() {
        let before = kernel_monotonic_ns();
        let start = std::time::Instant::now();
        while start.elapsed() < std::time::Duration::from_millis(2) {}
        let after = kernel_monotonic_ns();
        assert!(after >= before + 2_000_000, "{before} -> {after}");
    }
}
