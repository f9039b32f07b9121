//! Choosing an upstream server for each proxied request, and passive health: one shard's
//! view of one upstream's servers (each shard keeps its own, as it keeps its own
//! connections, so nothing here is shared or locked).
//!
//! Sans-I/O like the rest of `core`: the caller says what time it is (milliseconds on any
//! monotonic clock) and how each request went; [`Peers`] answers which server is next.
//!
//! - `round_robin`: nginx's smooth weighted round robin (each pick adds every server's
//!   weight to its current score and takes the highest, which then pays the total), so
//!   weights interleave instead of bunching.
//! - `least_conn`: the fewest requests in flight per weight, ties in turn.
//! - `ewma`: Finagle's peak EWMA: a latency average that jumps up at once and decays over
//!   [`EWMA_DECAY_MS`], times the requests in flight plus one, per weight.
//! - `random_two`: two servers drawn by weight, the one with fewer in flight.
//! - `consistent_hash`: weighted rendezvous hashing over the servers that are up, so a key
//!   moves only when its server goes down (or comes back).
//!
//! A server that fails `fail_max` times in a row is ejected for `eject_ms`, doubled for
//! each further ejection in a row (capped at 64 times) until it answers again. When every
//! server is ejected there is no pick: the caller answers 503.

use crate::config::{Balance, HashKey};
use crate::limits::PROXY_EJECT_BACKOFF_MAX;

/// The time over which the EWMA forgets a latency (Finagle's default decay).
// tidy: not a limit: a parameter of the balancing algorithm.
pub const EWMA_DECAY_MS: f64 = 10_000.0;
/// The latency an unmeasured server is assumed to have, so it is tried soon.
const EWMA_START_US: f64 = 1_000.0;

/// One server as one shard sees it.
#[derive(Debug, Clone)]
struct Peer {
    weight: u32,
    in_flight: u32,
    /// Smooth weighted round robin's running score.
    current: i64,
    ewma_us: f64,
    ewma_at_ms: u64,
    fails: u32,
    /// Ejections in a row without a success.
    ejections: u32,
    ejected_until_ms: u64,
    /// The active health check says it is down.
    down: bool,
}

/// How one request to a server went.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// It answered (a response head arrived), after this long.
    Answered { latency_us: u64 },
    /// It refused, reset, timed out or sent a response that does not parse.
    Failed,
    /// The request ended on the client's side (its body failed): nothing learnt about the
    /// server.
    Abandoned,
}

/// One shard's state for one upstream's servers.
#[derive(Debug, Clone)]
pub struct Peers {
    peers: Vec<Peer>,
    /// Where `least_conn` starts looking, so ties take turns.
    turn: usize,
    /// xorshift64* state for `random_two`.
    random: u64,
}

/// What [`Peers::finished`] changed, for counters and the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Unchanged,
    /// The server was ejected until this time.
    Ejected {
        until_ms: u64,
    },
}

impl Peers {
    /// Servers with these weights; `seed` varies `random_two` between shards.
    pub fn new(weights: &[u32], seed: u64) -> Peers {
        Peers {
            peers: weights
                .iter()
                .map(|&weight| Peer {
                    weight: weight.max(1),
                    in_flight: 0,
                    current: 0,
                    ewma_us: EWMA_START_US,
                    ewma_at_ms: 0,
                    fails: 0,
                    ejections: 0,
                    ejected_until_ms: 0,
                    down: false,
                })
                .collect(),
            turn: 0,
            random: seed | 1,
        }
    }

    pub fn len(&self) -> usize {
        self.peers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.peers.is_empty()
    }

    /// Requests in flight to server `index`.
    pub fn in_flight(&self, index: usize) -> u32 {
        self.peers.get(index).map_or(0, |p| p.in_flight)
    }

    /// The server for the next request, skipping ejected ones and those in `tried`; `key`
    /// is what `consistent_hash` hashes (`None` falls back to round robin).
    pub fn pick(
        &mut self,
        balance: &Balance,
        key: Option<&[u8]>,
        now_ms: u64,
        tried: &[usize],
    ) -> Option<usize> {
        let up: Vec<usize> = (0..self.peers.len())
            .filter(|i| {
                let peer = &self.peers[*i];
                !tried.contains(i) && !peer.down && peer.ejected_until_ms <= now_ms
            })
            .collect();
        if up.is_empty() {
            return None;
        }
        let chosen = match (balance, key) {
            (Balance::RoundRobin, _) | (Balance::ConsistentHash(_), None) => self.smooth(&up),
            (Balance::LeastConn, _) => self.least(&up, |p| f64::from(p.in_flight)),
            (Balance::Ewma, _) => self.least(&up, |p| {
                decayed(p.ewma_us, p.ewma_at_ms, now_ms) * f64::from(p.in_flight + 1)
            }),
            (Balance::RandomTwo, _) => {
                let first = self.weighted_random(&up);
                let rest: Vec<usize> = up.iter().copied().filter(|&i| i != first).collect();
                if rest.is_empty() {
                    first
                } else {
                    let second = self.weighted_random(&rest);
                    let load = |i: usize| {
                        f64::from(self.peers[i].in_flight) / f64::from(self.peers[i].weight)
                    };
                    if load(second) < load(first) {
                        second
                    } else {
                        first
                    }
                }
            }
            (Balance::ConsistentHash(_), Some(key)) => rendezvous(&self.peers, &up, key),
        };
        Some(chosen)
    }

    /// What the active health check says of server `index`: down servers get no requests
    /// until it says they are up again.
    pub fn set_down(&mut self, index: usize, down: bool) {
        if let Some(peer) = self.peers.get_mut(index) {
            peer.down = down;
        }
    }

    /// A request to server `index` starts.
    pub fn started(&mut self, index: usize) {
        if let Some(peer) = self.peers.get_mut(index) {
            peer.in_flight += 1;
        }
    }

    /// A request to server `index` ended (its head arrived, or it failed).
    pub fn finished(
        &mut self,
        index: usize,
        outcome: Outcome,
        now_ms: u64,
        fail_max: u32,
        eject_ms: u64,
    ) -> Health {
        let Some(peer) = self.peers.get_mut(index) else {
            return Health::Unchanged;
        };
        peer.in_flight = peer.in_flight.saturating_sub(1);
        match outcome {
            Outcome::Answered { latency_us } => {
                let latency = latency_us as f64;
                let decayed = decayed(peer.ewma_us, peer.ewma_at_ms, now_ms);
                // Peak EWMA: a slower answer counts at once, a faster one on average.
                peer.ewma_us = if latency > decayed {
                    latency
                } else {
                    let elapsed = now_ms.saturating_sub(peer.ewma_at_ms) as f64;
                    let weight = (-elapsed / EWMA_DECAY_MS).exp();
                    decayed * weight + latency * (1.0 - weight)
                };
                peer.ewma_at_ms = now_ms;
                peer.fails = 0;
                peer.ejections = 0;
                Health::Unchanged
            }
            Outcome::Abandoned => Health::Unchanged,
            Outcome::Failed => {
                peer.fails += 1;
                if peer.fails < fail_max {
                    return Health::Unchanged;
                }
                peer.fails = 0;
                let backoff = 1u64 << peer.ejections.min(PROXY_EJECT_BACKOFF_MAX.trailing_zeros());
                peer.ejections += 1;
                peer.ejected_until_ms = now_ms.saturating_add(eject_ms.saturating_mul(backoff));
                Health::Ejected {
                    until_ms: peer.ejected_until_ms,
                }
            }
        }
    }

    /// nginx's smooth weighted round robin over `up`.
    fn smooth(&mut self, up: &[usize]) -> usize {
        let total: i64 = up.iter().map(|&i| i64::from(self.peers[i].weight)).sum();
        let mut best = up[0];
        for &i in up {
            let peer = &mut self.peers[i];
            peer.current += i64::from(peer.weight);
            if peer.current > self.peers[best].current {
                best = i;
            }
        }
        self.peers[best].current -= total;
        best
    }

    /// The server of `up` with the lowest `cost` per weight, ties taking turns.
    fn least(&mut self, up: &[usize], cost: impl Fn(&Peer) -> f64) -> usize {
        let start = self.turn % up.len();
        self.turn = self.turn.wrapping_add(1);
        let mut best = up[start];
        let mut best_cost = f64::INFINITY;
        for k in 0..up.len() {
            let i = up[(start + k) % up.len()];
            let peer = &self.peers[i];
            let c = cost(peer) / f64::from(peer.weight);
            if c < best_cost {
                best = i;
                best_cost = c;
            }
        }
        best
    }

    fn weighted_random(&mut self, among: &[usize]) -> usize {
        let total: u64 = among.iter().map(|&i| u64::from(self.peers[i].weight)).sum();
        let mut ticket = self.next_random() % total.max(1);
        for &i in among {
            let weight = u64::from(self.peers[i].weight);
            if ticket < weight {
                return i;
            }
            ticket -= weight;
        }
        among[0]
    }

    fn next_random(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.random;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.random = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// The EWMA as it stands at `now_ms`, decayed toward zero since it was last set.
fn decayed(ewma_us: f64, at_ms: u64, now_ms: u64) -> f64 {
    let elapsed = now_ms.saturating_sub(at_ms) as f64;
    ewma_us * (-elapsed / EWMA_DECAY_MS).exp()
}

/// Weighted rendezvous hashing: each server scores `-weight / ln(u)` with `u` a uniform
/// hash of (key, server) in (0, 1); the highest score wins.
fn rendezvous(peers: &[Peer], up: &[usize], key: &[u8]) -> usize {
    let mut best = up[0];
    let mut best_score = f64::NEG_INFINITY;
    for &i in up {
        let hash = fnv1a(key, i as u64);
        // 53 bits into (0, 1).
        let u = ((hash >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
        let score = -f64::from(peers[i].weight) / u.ln();
        if score > best_score {
            best = i;
            best_score = score;
        }
    }
    best
}

fn fnv1a(key: &[u8], salt: u64) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in key.iter().chain(&salt.to_le_bytes()) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    // A final avalanche (splitmix64's), so close keys spread.
    hash ^= hash >> 30;
    hash = hash.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash ^= hash >> 27;
    hash = hash.wrapping_mul(0x94d0_49bb_1331_11eb);
    hash ^ (hash >> 31)
}

/// The key `consistent_hash` hashes for a request: the client's address, a field's value
/// or a cookie's; `None` when the request has no such field or cookie.
pub fn hash_key<'a>(
    key: &HashKey,
    client: &'a [u8],
    field: impl Fn(&str) -> Option<&'a [u8]>,
) -> Option<&'a [u8]> {
    match key {
        HashKey::Ip => Some(client),
        HashKey::Header(name) => field(name),
        HashKey::Cookie(name) => {
            let cookies = field("cookie")?;
            cookies.split(|&b| b == b';').find_map(|pair| {
                let pair = pair.trim_ascii();
                let (n, v) = pair.split_at(pair.iter().position(|&b| b == b'=')?);
                (n == name.as_bytes()).then(|| &v[1..])
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picks(peers: &mut Peers, balance: &Balance, n: usize) -> Vec<usize> {
        (0..n)
            .map(|_| {
                let i = peers.pick(balance, None, 0, &[]).unwrap();
                peers.started(i);
                peers.finished(i, Outcome::Answered { latency_us: 100 }, 0, 3, 1000);
                i
            })
            .collect()
    }

    #[test]
    fn round_robin_interleaves_by_weight() {
        let mut peers = Peers::new(&[1, 2, 1], 7);
        assert_eq!(
            picks(&mut peers, &Balance::RoundRobin, 8),
            [1, 0, 2, 1, 1, 0, 2, 1]
        );
    }

    #[test]
    fn least_conn_and_ewma_prefer_the_idle_and_the_fast() {
        let mut peers = Peers::new(&[1, 1, 1], 7);
        peers.started(0);
        peers.started(0);
        peers.started(2);
        assert_eq!(peers.pick(&Balance::LeastConn, None, 0, &[]), Some(1));
        // Weight divides the load: two in flight on a weight-4 server beat one on weight 1.
        let mut weighted = Peers::new(&[1, 4], 7);
        weighted.started(0);
        weighted.started(1);
        weighted.started(1);
        assert_eq!(weighted.pick(&Balance::LeastConn, None, 0, &[]), Some(1));
        // EWMA: server 1 answered slowly, so the others win until its latency decays.
        let mut timed = Peers::new(&[1, 1], 7);
        timed.started(1);
        timed.finished(
            1,
            Outcome::Answered {
                latency_us: 500_000,
            },
            1_000,
            3,
            1000,
        );
        timed.started(0);
        timed.finished(0, Outcome::Answered { latency_us: 2_000 }, 1_000, 3, 1000);
        for _ in 0..4 {
            assert_eq!(timed.pick(&Balance::Ewma, None, 1_000, &[]), Some(0));
        }
        assert_eq!(timed.pick(&Balance::Ewma, None, 200_000, &[]), Some(0));
    }

    #[test]
    fn random_two_spreads_by_weight_and_load() {
        let mut peers = Peers::new(&[1, 3], 42);
        let counts = picks(&mut peers, &Balance::RandomTwo, 4000)
            .into_iter()
            .fold([0usize; 2], |mut c, i| {
                c[i] += 1;
                c
            });
        // Idle servers: the first draw decides, by weight (1:3).
        assert!((800..1200).contains(&counts[0]), "{counts:?}");
        // A loaded server loses to an idle one whichever is drawn first.
        let mut loaded = Peers::new(&[1, 1], 42);
        loaded.started(0);
        for _ in 0..50 {
            assert_eq!(loaded.pick(&Balance::RandomTwo, None, 0, &[]), Some(1));
        }
    }

    #[test]
    fn consistent_hash_keeps_keys_and_moves_only_the_failed_servers() {
        let balance = Balance::ConsistentHash(HashKey::Ip);
        let mut peers = Peers::new(&[1, 1, 1, 1], 1);
        let keys: Vec<String> = (0..400)
            .map(|i| format!("10.0.{}.{}", i / 256, i % 256))
            .collect();
        let before: Vec<usize> = keys
            .iter()
            .map(|k| peers.pick(&balance, Some(k.as_bytes()), 0, &[]).unwrap())
            .collect();
        let again: Vec<usize> = keys
            .iter()
            .map(|k| peers.pick(&balance, Some(k.as_bytes()), 0, &[]).unwrap())
            .collect();
        assert_eq!(before, again);
        for server in 0..4 {
            let share = before.iter().filter(|&&s| s == server).count();
            assert!(
                (60..140).contains(&share),
                "server {server}: {share} of 400"
            );
        }
        // Eject server 2: only its keys move.
        for _ in 0..3 {
            peers.started(2);
            peers.finished(2, Outcome::Failed, 0, 3, 1000);
        }
        for (k, &was) in keys.iter().zip(&before) {
            let now = peers.pick(&balance, Some(k.as_bytes()), 10, &[]).unwrap();
            if was == 2 {
                assert_ne!(now, 2);
            } else {
                assert_eq!(now, was, "{k}");
            }
        }
    }

    #[test]
    fn failures_in_a_row_eject_with_backoff_and_a_success_forgives() {
        let mut peers = Peers::new(&[1, 1], 1);
        let fail = |peers: &mut Peers, now| {
            peers.started(0);
            peers.finished(0, Outcome::Failed, now, 2, 1_000)
        };
        assert_eq!(fail(&mut peers, 0), Health::Unchanged);
        assert_eq!(fail(&mut peers, 0), Health::Ejected { until_ms: 1_000 });
        assert_eq!(peers.pick(&Balance::RoundRobin, None, 500, &[]), Some(1));
        assert_eq!(peers.pick(&Balance::RoundRobin, None, 500, &[1]), None);
        // Back, fails again at once: ejected twice as long.
        fail(&mut peers, 1_000);
        assert_eq!(fail(&mut peers, 1_000), Health::Ejected { until_ms: 3_000 });
        // A success resets the backoff.
        peers.started(0);
        peers.finished(0, Outcome::Answered { latency_us: 1 }, 3_000, 2, 1_000);
        fail(&mut peers, 3_000);
        assert_eq!(fail(&mut peers, 3_000), Health::Ejected { until_ms: 4_000 });
    }

    #[test]
    fn a_server_the_health_check_takes_down_gets_nothing_until_it_is_up() {
        let mut peers = Peers::new(&[1, 1], 1);
        peers.set_down(0, true);
        for _ in 0..4 {
            assert_eq!(peers.pick(&Balance::RoundRobin, None, 0, &[]), Some(1));
        }
        peers.set_down(1, true);
        assert_eq!(peers.pick(&Balance::LeastConn, None, 0, &[]), None);
        peers.set_down(0, false);
        assert_eq!(peers.pick(&Balance::RandomTwo, None, 0, &[]), Some(0));
    }

    #[test]
    fn hash_keys_come_from_the_address_a_field_or_a_cookie() {
        let fields = |name: &str| match name {
            "x-user" => Some(&b"u7"[..]),
            "cookie" => Some(&b"a=1; sid=xyz; b=2"[..]),
            _ => None,
        };
        let client = b"192.0.2.1";
        assert_eq!(hash_key(&HashKey::Ip, client, fields), Some(&client[..]));
        assert_eq!(
            hash_key(&HashKey::Header("x-user".into()), client, fields),
            Some(&b"u7"[..])
        );
        assert_eq!(
            hash_key(&HashKey::Cookie("sid".into()), client, fields),
            Some(&b"xyz"[..])
        );
        assert_eq!(
            hash_key(&HashKey::Cookie("none".into()), client, fields),
            None
        );
    }
}
