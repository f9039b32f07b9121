//! Active health checks (`[[upstream]] health = { … }`): one shard probes, all shards know.
//!
//! Each upstream with a check has an owner shard (its index modulo the shard count), which
//! probes every server each `interval_ms` with `GET path` and reads the status line within
//! `timeout_ms`: 200–399 passes, anything else (no connection, no answer in time, another
//! status) fails. An HTTP/2 upstream is probed over HTTP/2, on a connection per probe, with
//! `GET path` or with gRPC's health check (`grpc_service`), which passes only on `SERVING`
//! and `grpc-status: 0`. `fall` failures in a row take a server down, `rise` passes in a row bring
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

use bytes::Bytes;

use bext_core::config::{HealthCheck, HealthProbe, UpstreamProtocol};
use bext_core::limits::{CONTROL_SEND_DEADLINE_MS, HEALTH_RESPONSE_BYTES_MAX};
use bext_net::client::upstream;
use bext_net::grpc_health;
use bext_shards::rt;
use bext_shards::sync::race;

use super::UpstreamState;
use crate::service::Service;
use crate::shard::Shard;
use crate::shard::mesh::Message;
use crate::snapshot::Snapshot;
use crate::upstream::h2 as upstream_h2;
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
            let passed = match (config.tls.is_some(), &tls, config.protocol) {
                (true, None, _) => false,
                (_, _, UpstreamProtocol::Http1) => match &check.probe {
                    HealthProbe::Get(path) => probe(addr, &hosts[server], tls, path, check).await,
                    // The config allows gRPC's check on HTTP/2 upstreams only.
                    HealthProbe::Grpc(_) => false,
                },
                (_, _, UpstreamProtocol::Http2) => {
                    probe_h2(&shard, addr, &hosts[server], tls, check).await
                }
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
async fn probe(
    addr: &PeerAddr,
    host: &str,
    tls: Option<TlsTo<'_>>,
    path: &str,
    check: &HealthCheck,
) -> bool {
    let request = upstream::encode_probe(path, host);
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

/// One probe of an HTTP/2 server, on a connection of its own closed after it, all within
/// `timeout_ms`: `GET path` answered 200–399, or gRPC's health check answered `SERVING`
/// with `grpc-status: 0`.
async fn probe_h2(
    shard: &Rc<Shard>,
    addr: &PeerAddr,
    host: &str,
    tls: Option<TlsTo<'_>>,
    check: &HealthCheck,
) -> bool {
    let timeout = Duration::from_millis(check.timeout_ms);
    let scheme = if tls.is_some() { "https" } else { "http" };
    let exchange = async {
        let (send, _ended) = upstream_h2::connect(shard, addr, tls, timeout, timeout)
            .await
            .ok()?;
        let mut send = send.ready().await.ok()?;
        let (path, method, body) = match &check.probe {
            HealthProbe::Get(path) => (path.as_str(), http::Method::GET, None),
            HealthProbe::Grpc(service) => (
                grpc_health::CHECK_PATH,
                http::Method::POST,
                Some(Bytes::from(grpc_health::check_request(service))),
            ),
        };
        let mut request = http::Request::builder()
            .method(method)
            .uri(format!("{scheme}://{host}{path}"))
            .header(http::header::USER_AGENT, "bext-health-check");
        if body.is_some() {
            request = request
                .header(http::header::CONTENT_TYPE, "application/grpc")
                .header(http::header::TE, "trailers");
        }
        let request = request.body(()).ok()?;
        let (response, mut stream) = send.send_request(request, body.is_none()).ok()?;
        if let Some(body) = body {
            // A few bytes: within any stream's first window.
            stream.send_data(body, true).ok()?;
        }
        let response = response.await.ok()?;
        let status = response.status().as_u16();
        let HealthProbe::Grpc(_) = &check.probe else {
            return Some((200..=399).contains(&status));
        };
        let (head, mut recv) = response.into_parts();
        // A head that ends the stream is gRPC's answer without a message: a failure.
        if status != 200 || recv.is_end_stream() || head.headers.contains_key("grpc-status") {
            return Some(false);
        }
        let mut framed = Vec::new();
        while let Some(data) = recv.data().await {
            let data = data.ok()?;
            let _ = recv.flow_control().release_capacity(data.len());
            if framed.len() + data.len() > HEALTH_RESPONSE_BYTES_MAX {
                return Some(false);
            }
            framed.extend_from_slice(&data);
        }
        let trailers = recv.trailers().await.ok()??;
        let ok = trailers.get("grpc-status").map(|v| v.as_bytes()) == Some(&b"0"[..]);
        Some(ok && grpc_health::serving(&framed) == Some(true))
    };
    matches!(rt::timeout(timeout, exchange).await, Ok(Some(true)))
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
