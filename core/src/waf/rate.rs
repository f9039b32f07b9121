//! Token buckets per client address: `requests_per_sec` sustained, `burst` at once.
//!
//! Tokens are kept in thousandths so that refilling is integer arithmetic on milliseconds
//! (`requests_per_sec` thousandths per millisecond). A client's bucket starts full; a bucket
//! that has refilled to full says nothing a new one would not, so [`RateLimiter::sweep`]
//! forgets it. The table holds at most `clients_max` clients: when it is full of clients
//! that are all still limited, a new client is let through untracked (and counted) rather
//! than growing the table or evicting a client that is being held back.

use std::collections::HashMap;
use std::net::IpAddr;

use super::ip::unmapped;

/// Thousandths of a token per token.
const MILLI: u64 = 1000;

/// A rate limit: `requests_per_sec` sustained, up to `burst` requests at once, and
/// optionally a ban for a client that keeps coming while limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub requests_per_sec: u32,
    pub burst: u32,
    pub ban: Option<Ban>,
}

/// A ban for `secs` after `after` refused requests in a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ban {
    pub after: u32,
    pub secs: u32,
}

/// What the limiter says about one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateVerdict {
    Pass,
    /// Over the limit: the next token comes in `retry_after_ms`; `strikes` requests in a
    /// row (this one included) have been refused.
    Limited {
        retry_after_ms: u64,
        strikes: u32,
    },
    /// The table is full of limited clients: let through, not counted against anyone.
    Untracked,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    /// Thousandths of a token, as of `at_ms`.
    milli: u64,
    at_ms: u64,
    /// Requests refused in a row since the last one let through.
    strikes: u32,
}

/// One shard's buckets.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    clients: HashMap<IpAddr, Bucket>,
    clients_max: usize,
}

impl RateLimiter {
    pub fn new(limit: RateLimit, clients_max: usize) -> RateLimiter {
        RateLimiter {
            limit,
            clients: HashMap::new(),
            clients_max,
        }
    }

    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Clients with a bucket now.
    pub fn tracked(&self) -> usize {
        self.clients.len()
    }

    fn full(&self) -> u64 {
        u64::from(self.limit.burst.max(1)) * MILLI
    }

    /// Thousandths of a token in `bucket` at `now_ms`.
    fn level(&self, bucket: &Bucket, now_ms: u64) -> u64 {
        let refill = now_ms
            .saturating_sub(bucket.at_ms)
            .saturating_mul(u64::from(self.limit.requests_per_sec));
        bucket.milli.saturating_add(refill).min(self.full())
    }

    /// Takes a token for a request from `ip` at `now_ms` (a clock that never goes back).
    pub fn check(&mut self, ip: IpAddr, now_ms: u64) -> RateVerdict {
        let ip = unmapped(ip);
        let full = self.full();
        let bucket = match self.clients.get(&ip) {
            Some(bucket) => *bucket,
            None => {
                if self.clients.len() >= self.clients_max {
                    self.sweep(now_ms);
                    if self.clients.len() >= self.clients_max {
                        return RateVerdict::Untracked;
                    }
                }
                Bucket {
                    milli: full,
                    at_ms: now_ms,
                    strikes: 0,
                }
            }
        };
        let level = self.level(&bucket, now_ms);
        if level >= MILLI {
            self.clients.insert(
                ip,
                Bucket {
                    milli: level - MILLI,
                    at_ms: now_ms,
                    strikes: 0,
                },
            );
            return RateVerdict::Pass;
        }
        let strikes = bucket.strikes.saturating_add(1);
        self.clients.insert(
            ip,
            Bucket {
                milli: level,
                at_ms: now_ms,
                strikes,
            },
        );
        let rate = u64::from(self.limit.requests_per_sec.max(1));
        RateVerdict::Limited {
            retry_after_ms: (MILLI - level).div_ceil(rate),
            strikes,
        }
    }

    /// Forgets the clients whose bucket is full again at `now_ms`.
    pub fn sweep(&mut self, now_ms: u64) {
        let full = self.full();
        let rate = u64::from(self.limit.requests_per_sec);
        self.clients.retain(|_, bucket| {
            let refill = now_ms.saturating_sub(bucket.at_ms).saturating_mul(rate);
            bucket.milli.saturating_add(refill) < full
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn limited(retry_after_ms: u64, strikes: u32) -> RateVerdict {
        RateVerdict::Limited {
            retry_after_ms,
            strikes,
        }
    }

    #[test]
    fn a_burst_passes_then_the_rate_holds() {
        let limit = RateLimit {
            requests_per_sec: 2,
            burst: 3,
            ban: None,
        };
        let mut limiter = RateLimiter::new(limit, 10);
        let a = ip("192.0.2.1");
        // (time, verdict): three at once, then one token every 500 ms.
        let steps = [
            (0, RateVerdict::Pass),
            (0, RateVerdict::Pass),
            (0, RateVerdict::Pass),
            (0, limited(500, 1)),
            (200, limited(300, 2)),
            (500, RateVerdict::Pass),
            // A request let through starts the count of refusals again.
            (500, limited(500, 1)),
            (1000, RateVerdict::Pass),
            // Long idle: back to a full burst, not more.
            (60_000, RateVerdict::Pass),
            (60_000, RateVerdict::Pass),
            (60_000, RateVerdict::Pass),
            (60_000, limited(500, 1)),
        ];
        for (i, (at, want)) in steps.into_iter().enumerate() {
            assert_eq!(limiter.check(a, at), want, "step {i} at {at} ms");
        }
        // Another client has a bucket of its own; a mapped address is the same client.
        assert_eq!(limiter.check(ip("192.0.2.2"), 60_000), RateVerdict::Pass);
        assert_eq!(
            limiter.check(ip("::ffff:192.0.2.1"), 60_000),
            limited(500, 2)
        );
    }

    #[test]
    fn full_buckets_are_swept_and_a_full_table_lets_newcomers_through_untracked() {
        let limit = RateLimit {
            requests_per_sec: 1,
            burst: 1,
            ban: None,
        };
        let mut limiter = RateLimiter::new(limit, 2);
        assert_eq!(limiter.check(ip("192.0.2.1"), 0), RateVerdict::Pass);
        assert_eq!(limiter.check(ip("192.0.2.2"), 0), RateVerdict::Pass);
        // Both still empty at 10 ms: no room for a third.
        assert_eq!(limiter.check(ip("192.0.2.3"), 10), RateVerdict::Untracked);
        assert_eq!(limiter.tracked(), 2);
        // A second later both have refilled: swept on the way, the newcomer is tracked.
        assert_eq!(limiter.check(ip("192.0.2.3"), 1000), RateVerdict::Pass);
        assert_eq!(limiter.tracked(), 1);
        limiter.sweep(5000);
        assert_eq!(limiter.tracked(), 0);
    }
}
