//! Bans: client addresses refused outright until a time, whatever their rate. A shard bans a
//! client that kept coming while rate-limited (`[waf] rate.ban_after` refusals in a row) and
//! tells the other shards, which record the same ban: a banned client is refused on every
//! shard, wherever the kernel puts its next connection.
//!
//! Bounded like the rate table: at most `bans_max` addresses; expired bans are swept when the
//! table is full and on the shard's periodic sweep; a ban that finds the table full of live
//! bans is not recorded (the client is still rate-limited).

use std::collections::HashMap;
use std::net::IpAddr;

use super::ip::unmapped;

/// One shard's bans.
#[derive(Debug, Default)]
pub struct Bans {
    /// Address → the monotonic millisecond its ban ends.
    until: HashMap<IpAddr, u64>,
    bans_max: usize,
}

impl Bans {
    pub fn new(bans_max: usize) -> Bans {
        Bans {
            until: HashMap::new(),
            bans_max,
        }
    }

    /// Bans `ip` until `until_ms` (a later end than one it has extends it). Returns whether
    /// the ban is recorded.
    pub fn ban(&mut self, ip: IpAddr, until_ms: u64, now_ms: u64) -> bool {
        let ip = unmapped(ip);
        if !self.until.contains_key(&ip) && self.until.len() >= self.bans_max {
            self.sweep(now_ms);
            if self.until.len() >= self.bans_max {
                return false;
            }
        }
        let end = self.until.entry(ip).or_insert(until_ms);
        *end = (*end).max(until_ms);
        true
    }

    /// Whether `ip` is banned at `now_ms`.
    pub fn is_banned(&self, ip: IpAddr, now_ms: u64) -> bool {
        self.until
            .get(&unmapped(ip))
            .is_some_and(|&until| now_ms < until)
    }

    /// Forgets the bans that have ended.
    pub fn sweep(&mut self, now_ms: u64) {
        self.until.retain(|_, until| now_ms < *until);
    }

    pub fn len(&self) -> usize {
        self.until.len()
    }

    pub fn is_empty(&self) -> bool {
        self.until.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_ban_holds_until_its_end_and_a_later_one_extends_it() {
        let mut bans = Bans::new(10);
        let a = ip("192.0.2.1");
        assert!(!bans.is_banned(a, 0));
        assert!(bans.ban(a, 1000, 0));
        assert!(bans.is_banned(a, 999));
        assert!(bans.is_banned(ip("::ffff:192.0.2.1"), 500));
        assert!(!bans.is_banned(a, 1000));
        // An earlier end does not shorten it; a later one extends it.
        assert!(bans.ban(a, 500, 0));
        assert!(bans.is_banned(a, 999));
        assert!(bans.ban(a, 2000, 0));
        assert!(bans.is_banned(a, 1999));
        assert!(!bans.is_banned(ip("192.0.2.2"), 0));
    }

    #[test]
    fn a_full_table_makes_room_from_ended_bans_only() {
        let mut bans = Bans::new(2);
        assert!(bans.ban(ip("192.0.2.1"), 100, 0));
        assert!(bans.ban(ip("192.0.2.2"), 1000, 0));
        assert!(!bans.ban(ip("192.0.2.3"), 1000, 50));
        assert_eq!(bans.len(), 2);
        // At 200 the first has ended: its place is taken.
        assert!(bans.ban(ip("192.0.2.3"), 1000, 200));
        assert!(!bans.is_banned(ip("192.0.2.1"), 200));
        assert!(bans.is_banned(ip("192.0.2.3"), 200));
        bans.sweep(1000);
        assert!(bans.is_empty());
    }
}
