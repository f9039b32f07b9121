//! `[waf]` on one shard: the address lists, the client's rate and bans, asked of every
//! request before it is routed. The decisions are `bext_core::waf`'s; this file keeps the
//! shard's state for them (buckets and bans, shard-local like every cache), tells the other
//! shards of a ban over the mesh, and makes the answers.

use std::cell::RefCell;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use bext_core::limits::{
    CONTROL_SEND_DEADLINE_MS, WAF_BANS_PER_SHARD_MAX, WAF_RATE_CLIENTS_PER_SHARD_MAX,
};
use bext_core::waf::{Bans, RateLimiter, RateVerdict, Verdict};
use bext_net::fields::Field;
use bext_shards::clock;

use super::{Refusal, Request, Response, Service};
use crate::kernel::XdpBan;
use crate::shard::mesh::Message;
use crate::snapshot::Snapshot;

/// A shard's WAF state.
pub(crate) struct Waf {
    /// `[waf] rate`'s buckets. Kept across reloads that keep the limit, so a reload does not
    /// hand every client a fresh burst.
    rate: RefCell<Option<RateLimiter>>,
    bans: RefCell<Bans>,
}

impl Default for Waf {
    fn default() -> Waf {
        Waf {
            rate: RefCell::new(None),
            bans: RefCell::new(Bans::new(WAF_BANS_PER_SHARD_MAX)),
        }
    }
}

impl Service {
    /// `[waf]`'s say on a request: its address against the lists (the longest matching
    /// prefix decides; `allow` is trusted, never limited or banned), then bans, then its
    /// client's rate.
    pub(super) fn screen(
        &self,
        snapshot: &Snapshot,
        site: usize,
        request: &Request<'_>,
    ) -> Option<Refusal> {
        let ip = request.peer.ip();
        let verdict = snapshot.ip_rules.decide(ip);
        // `[waf]`'s lists decide first; then the site's own, which can refuse more.
        if verdict == Verdict::Deny
            || snapshot.site_runtime[site].ip_rules.decide(ip) == Verdict::Deny
        {
            self.shard.metrics.borrow_mut().waf_denied += 1;
            return Some(Refusal::Denied);
        }
        if verdict == Verdict::Allow {
            return None;
        }
        let limit = snapshot.config.waf.rate?;
        let now_ms = clock::monotonic_ms();
        if self.waf.bans.borrow().is_banned(ip, now_ms) {
            self.shard.metrics.borrow_mut().waf_banned += 1;
            return Some(Refusal::Banned);
        }
        let mut rate = self.waf.rate.borrow_mut();
        let limiter = match rate.as_mut() {
            Some(limiter) if limiter.limit() == limit => limiter,
            _ => rate.insert(RateLimiter::new(limit, WAF_RATE_CLIENTS_PER_SHARD_MAX)),
        };
        match limiter.check(ip, now_ms) {
            RateVerdict::Pass => None,
            RateVerdict::Untracked => {
                self.shard.metrics.borrow_mut().waf_rate_untracked += 1;
                None
            }
            RateVerdict::Limited {
                retry_after_ms,
                strikes,
            } => {
                drop(rate);
                if let Some(ban) = limit.ban
                    && strikes >= ban.after
                {
                    let until_ms = now_ms.saturating_add(u64::from(ban.secs) * 1000);
                    self.ban(ip, until_ms, now_ms);
                    self.ban_at_xdp(ip, u64::from(ban.secs));
                    if let Some(cluster) = &self.shard.cluster {
                        cluster.send(bext_core::cluster::Note::Ban {
                            ip,
                            secs: u64::from(ban.secs),
                        });
                    }
                    self.shard.metrics.borrow_mut().waf_banned += 1;
                    return Some(Refusal::Banned);
                }
                self.shard.metrics.borrow_mut().waf_rate_limited += 1;
                Some(Refusal::Limited {
                    retry_after_secs: retry_after_ms.div_ceil(1000).max(1),
                })
            }
        }
    }

    /// Bans `ip` here and tells every other shard.
    fn ban(&self, ip: IpAddr, until_ms: u64, now_ms: u64) {
        let shard = &self.shard;
        let recorded = self.waf.bans.borrow_mut().ban(ip, until_ms, now_ms);
        {
            let mut metrics = shard.metrics.borrow_mut();
            metrics.waf_bans += 1;
            if !recorded {
                metrics.waf_bans_unrecorded += 1;
            }
        }
        let deadline = Instant::now() + Duration::from_millis(CONTROL_SEND_DEADLINE_MS);
        for to in (0..shard.mesh.shards()).filter(|&to| to != shard.id) {
            shard.send_until(
                to,
                Message::Ban { ip, until_ms },
                deadline,
                "a ban (that shard lets the client in until its own count bans it)",
            );
        }
    }

    /// Has the XDP filter, where attached, drop `ip`'s packets for `secs`: only the shard
    /// that decided the ban writes it (the kernel's map is one for all shards).
    fn ban_at_xdp(&self, ip: IpAddr, secs: u64) {
        let outcome = self.shard.kernel.ban(ip, secs);
        let mut metrics = self.shard.metrics.borrow_mut();
        match outcome {
            XdpBan::Absent => {}
            XdpBan::Written => metrics.xdp_bans += 1,
            XdpBan::Failed => metrics.xdp_ban_failures += 1,
        }
    }

    /// Another shard banned `ip` until `until_ms`.
    pub fn on_ban(&self, ip: IpAddr, until_ms: u64) {
        let now_ms = clock::monotonic_ms();
        let recorded = self.waf.bans.borrow_mut().ban(ip, until_ms, now_ms);
        let mut metrics = self.shard.metrics.borrow_mut();
        metrics.waf_bans_received += 1;
        if !recorded {
            metrics.waf_bans_unrecorded += 1;
        }
    }

    /// Forgets full buckets and ended bans.
    pub(super) fn sweep_waf(&self, now_ms: u64) {
        if let Some(limiter) = self.waf.rate.borrow_mut().as_mut() {
            limiter.sweep(now_ms);
        }
        self.waf.bans.borrow_mut().sweep(now_ms);
    }
}

/// The answer to a request `[waf]` refused.
pub(super) fn refused(refusal: Refusal) -> Response {
    match refusal {
        Refusal::Denied | Refusal::Banned => Response::error(403),
        Refusal::Limited { retry_after_secs } => {
            let mut seconds = itoa::Buffer::new();
            let value = bytes::Bytes::copy_from_slice(seconds.format(retry_after_secs).as_bytes());
            Response::error(429).with(Field::with_value("retry-after", value))
        }
    }
}
