//! The clocks a shard reads. `core` never reads a clock; the runtime reads these and passes
//! the values in.
//!
//! - [`monotonic_ms`]: milliseconds on a monotonic clock that every shard shares (counted from
//!   the first call in the process), for ages that cross shards (an ISR page rendered on one
//!   shard and served by another).
//! - [`unix_secs`]: the wall clock in whole seconds, for the `Date` header and the access log.
//! - [`until_next_second`]: how long until the wall clock turns to its next second, so the
//!   shard's ticker can update the `Date` line when the second changes rather than up to a
//!   second after.

use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Milliseconds since the first call in this process, on a clock every shard shares.
pub fn monotonic_ms() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    let epoch = *EPOCH.get_or_init(Instant::now);
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Seconds since the Unix epoch; 0 for a clock set before it.
pub fn unix_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Time left until the wall clock's next whole second (never zero, at most a second).
pub fn until_next_second() -> Duration {
    let into_second = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    Duration::from_nanos(u64::from(1_000_000_000 - into_second.min(999_999_999)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_second_is_within_one_second() {
        let wait = until_next_second();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
    }

    #[test]
    fn monotonic_ms_never_goes_back() {
        let a = monotonic_ms();
        let b = monotonic_ms();
        assert!(b >= a);
    }
}
