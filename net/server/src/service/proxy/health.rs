//! Active health checks (`[[upstream]] health = { … }`): one shard probes, all shards know.
//!
//! Each upstream with a check has an owner shard (its index modulo the shard count), which
//! probes every server each `interval_ms` with `GET path` and reads the status line within
//! `timeout_ms`: 200–399 passes, anything else (no connection, no answer in time, another
//! status) fails. `fall` failures in a row take a server down, `rise` passes in a row bring
//! it back; each change is applied on the owner and sent to every other shard over the mesh
//! (`UpstreamHealth`, naming the snapshot it was made under, so a shard on another config
//! ignores it). A server is probed once per interval however many shards there are.
//!
//! The probing task belongs to the owner's current state: after a reload the new state's
//! owner starts its own, and the old one ends at its next round. Servers start up, so a
//! reload never turns a working upstream away while its first probes run.

use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bext_core::config::HealthCheck;
use bext_core::limits::{CONTROL_SEND_DEADLINE_MS, HEALTH_RESPONSE_BYTES_MAX};
use bext_net::client::upstream;
use bext_shards::rt;
use bext_shards::sync::race;

use super::UpstreamState;
use crate::service::Service;
use crate::shard::Shard;
use crate::shard::mesh::Message;
use crate::snapshot::Snapshot;
use crate::upstream::{PeerAddr, TlsTo, UpstreamConn};

/// Starts the probing of each upstream this shard owns, for the state `upstreams` belong to.
pub(crate) fn start(shard: &Rc<Shard>, snapshot: &Arc<Snapshot>, upstreams: &[Rc<UpstreamState>]) {
    let shards = shard.mesh.shards().max(1);
    for (index, upstream) in snapshot.config.upstreams.iter().enumerate() {
        if upstream.health.is_none() || index % shards != shard.id {
            continue;
        }
        let Some(state) = upstreams.get(index) else {
            continue;
        };
        let task = probe_loop(shard.clone(), snapshot.clone(), index, Rc::downgrade(state));
        crate::shard::spawn(shard, "upstream health checks", task);
    }
}

/// A server's run of probe results.
#[derive(Clone, Copy)]
struct Tally {
    up: bool,
    passed: u32,
    failed: u32,
}

async fn probe_loop(
    shard: Rc<Shard>,
    snapshot: Arc<Snapshot>,
    upstream: usize,
    state: Weak<UpstreamState>,
) {
    let config = &snapshot.config.upstreams[upstream];
    let Some(check) = &config.health else {
        return;
    };
    let addrs = &snapshot.upstreams.addrs[upstream];
    let hosts = &snapshot.upstreams.hosts[upstream];
    let names = snapshot.upstreams.tls[upstream].as_ref().map(|t| &t.names);
    let mut tallies = vec![
        Tally {
            up: true,
            passed: 0,
            failed: 0,
        };
        addrs.len()
    ];
    let interval = Duration::from_millis(check.interval_ms);
    loop {
        let round = Instant::now();
        for (server, addr) in addrs.iter().enumerate() {
            if state.strong_count() == 0 || shard.stop.is_fired() {
                return;
            }
            let Some(live) = state.upgrade() else {
                return;
            };
            let tls = match (&live.tls, names.and_then(|n| n.get(server))) {
                (Some(config), Some(name)) => Some(TlsTo { config, name }),
                _ => None,
            };
            // An HTTPS upstream without a client configuration fails its probes rather than
            // being probed in the clear.
            let passed = match (config.tls.is_some(), &tls) {
                (true, None) => false,
                _ => probe(addr, &hosts[server], tls, check).await,
            };
            drop(live);
            {
                let mut metrics = shard.metrics.borrow_mut();
                metrics.proxy_health_checks += 1;
                metrics.proxy_health_failures += u64::from(!passed);
            }
            let tally = &mut tallies[server];
            if passed {
                tally.passed += 1;
                tally.failed = 0;
            } else {
                tally.failed += 1;
                tally.passed = 0;
            }
            let changed = if tally.up && tally.failed >= check.fall {
                tally.up = false;
                true
            } else if !tally.up && tally.passed >= check.rise {
                tally.up = true;
                true
            } else {
                false
            };
            if changed {
                let Some(live) = state.upgrade() else {
                    return;
                };
                live.peers.borrow_mut().set_down(server, !tally.up);
                eprintln!(
                    "bext: proxy: upstream {} server {addr}: {} after {} health check(s) in a row",
                    config.name,
                    if tally.up { "up" } else { "down" },
                    if tally.up { tally.passed } else { tally.failed },
                );
                tell_the_others(&shard, snapshot.id, upstream, server, tally.up);
            }
        }
        let rest = interval.saturating_sub(round.elapsed());
        if race(rt::sleep(rest), shard.stop.wait()).await.is_none() {
            return;
        }
    }
}

fn tell_the_others(shard: &Rc<Shard>, snapshot: u64, upstream: usize, server: usize, up: bool) {
    let deadline = Instant::now() + Duration::from_millis(CONTROL_SEND_DEADLINE_MS);
    for to in (0..shard.mesh.shards()).filter(|&to| to != shard.id) {
        shard.send_until(
            to,
            Message::UpstreamHealth {
                snapshot,
                upstream,
                server,
                up,
            },
            deadline,
            "that shard keeps its last view of the server until its own failures eject it",
        );
    }
}

/// One probe: `GET path` and a status line of 200–399 within `timeout_ms` (the connection and
/// any TLS handshake included).
async fn probe(addr: &PeerAddr, host: &str, tls: Option<TlsTo<'_>>, check: &HealthCheck) -> bool {
    let request = upstream::encode_probe(&check.path, host);
    let timeout = Duration::from_millis(check.timeout_ms);
    let exchange = async {
        let mut stream = UpstreamConn::connect(addr, tls, timeout).await.ok()?;
        let (written, _) = stream.write_all(request).await;
        written.ok()?;
        let mut buf = Vec::with_capacity(HEALTH_RESPONSE_BYTES_MAX);
        loop {
            let (read, back) = stream.read(buf).await;
            buf = back;
            if read.ok()? == 0 || buf.len() >= HEALTH_RESPONSE_BYTES_MAX {
                break;
            }
            if upstream::status_line(&buf).is_some() {
                break;
            }
        }
        upstream::status_line(&buf)
    };
    matches!(rt::timeout(timeout, exchange).await, Ok(Some(200..=399)))
}

impl Service {
    /// The owner shard of upstream `upstream` says server `server` is up or down.
    pub(crate) fn on_upstream_health(
        &self,
        snapshot: u64,
        upstream: usize,
        server: usize,
        up: bool,
    ) {
        let state = self.current();
        if state.snapshot.id != snapshot {
            return;
        }
        if let Some(upstream) = state.upstreams.get(upstream) {
            upstream.peers.borrow_mut().set_down(server, !up);
        }
    }
}
