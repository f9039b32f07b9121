//! `[[site.proxy]]`: requests forwarded to an `[[upstream]]`, over HTTP/1.1 connections
//! each shard keeps to each upstream server.
//!
//! The phases, in order (Pingora's, as one handler): the request has passed `[waf]` and
//! the rules (the service asks before any handler); a server is picked ([`Peers`], the
//! shard's own view of the upstream's health and load); a kept-alive connection to it is
//! taken from the shard's pool (one the server has closed meanwhile is dropped, not used)
//! or a new one opened within `connect_timeout_ms`; the request head is re-encoded
//! (hop-by-hop fields out, `X-Forwarded-*` in, the body's framing ours) and sent with the
//! body as it arrives from the client ([`outgoing`]), while the connection waits for the
//! answer ([`exchange`]: one that comes before the body is all sent is the answer); the
//! response head must arrive within `timeout_ms` of the body's end and is judged (an
//! ambiguous one is a bad response, never guessed at); the body then streams to the client
//! as the upstream sends it, each read within `timeout_ms`, and the connection goes back to
//! the pool once the body has been read to its end. The response phases of the rules run
//! on it like on any answer.
//!
//! Failures and their answers (each logged with its upstream, server and cause, and
//! counted): refused, reset or a bad response 502, a timeout 504, no server left 503. A
//! server that fails `fail_max` times in a row is ejected for a while. A request goes to
//! another server when the first could not be connected to (nothing was sent) and, for
//! idempotent methods only, when it failed after sending: a POST is never sent twice (and
//! a streamed body goes again only while all of it is still kept, `Outgoing::replayable`). A
//! kept-alive connection that fails before any byte of an answer is retried once on a new
//! connection to the same server, for idempotent methods too.
//!
//! Each shard's pool and balancer state belong to the shard's [`State`](super::State): a
//! reload starts them afresh (the old ones close with the last request on them).

mod cache;
mod exchange;
mod h2;
pub(crate) mod health;
mod outgoing;

pub(crate) use cache::owner_obtain;
pub(crate) mod setup;

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use bext_core::config::{Balance, HostHeader, Upstream, UpstreamProtocol};
use bext_core::limits::{
    PROXY_ATTEMPTS_MAX, PROXY_CACHE_PASS_MS, PROXY_CACHE_PASSES_MAX, PROXY_READ_BYTES,
};
use bext_core::proxy::{Health, Outcome, Peers, hash_key};
use bext_net::client::upstream::{self, BadResponse, Forwarded, ResponseBody};
use bext_net::fields::Field;
use bext_net::h1::{BodyDecoder, BodyKind};
use bext_net::ws;
use bext_net::{Method, Version};
use bext_shards::rt;

use crate::service::incoming::BodyFault;
use crate::shard::Shard;
use crate::upstream::{KeptConns, PeerAddr, TlsTo, UpstreamConn};

use self::exchange::{Asked, HeadRead, exchange};
use self::outgoing::Outgoing;
use super::response::{Body, BodyStream, Tunnel, TunnelEnd, Upgraded};
use super::route::Route;
use super::{Request, Response, Service, State};

/// Upstream response fields a proxy answers with its own (nginx's `proxy_hide_header`
/// defaults): the driver adds `date` and `server`.
const HIDDEN_FIELDS: [&[u8]; 2] = [b"date", b"server"];

/// Fields of a `101` that only an upgrade's client reads: an extended CONNECT's `200`
/// leaves them out (`upgrade` itself never crosses).
const UPGRADE_ONLY_FIELDS: [&[u8]; 1] = [b"sec-websocket-accept"];

/// Request fields a cache fill does not pass on: the answer is kept for every client.
const FILL_DROPPED: [&[u8]; 7] = [
    b"accept-encoding",
    b"if-none-match",
    b"if-modified-since",
    b"if-match",
    b"if-unmodified-since",
    b"if-range",
    b"range",
];

/// One upstream as one shard sees it: its servers' health and load, and the idle
/// connections to each.
pub(crate) struct UpstreamState {
    peers: RefCell<Peers>,
    /// Kept connections, per server.
    idle: Vec<KeptConns>,
    /// The zero of the balancer's clock.
    epoch: Instant,
    /// An HTTPS upstream's TLS client configuration, this shard's own (its session cache
    /// is); `None` for plain HTTP, or if it could not be made (then nothing is sent).
    tls: Option<Arc<rustls::ClientConfig>>,
    /// Cache keys whose last answer could not be kept, until when (balancer clock): their
    /// requests skip the cache for a while (`cache::answer`).
    passes: RefCell<std::collections::HashMap<u64, u64>>,
    /// The HTTP/2 connection to each server (`protocol = "http2"`).
    h2: crate::upstream::h2::H2Conns,
}

impl UpstreamState {
    pub fn new(upstream: &Upstream, shard: usize, tls: Option<&setup::TlsSetup>) -> UpstreamState {
        let weights: Vec<u32> = upstream.servers.iter().map(|s| s.weight).collect();
        let seed = 0x9e37_79b9_7f4a_7c15u64 ^ (shard as u64).wrapping_mul(0x2545_f491);
        let tls = tls.and_then(|setup| {
            let alpn = match upstream.protocol {
                UpstreamProtocol::Http1 => crate::upstream::ALPN_HTTP1,
                UpstreamProtocol::Http2 => crate::upstream::ALPN_H2,
            };
            crate::upstream::client_config(setup.roots.clone(), setup.client.as_deref(), alpn)
                .inspect_err(|e| {
                    eprintln!(
                        "bext: proxy: upstream {}: no TLS client configuration: {e}",
                        upstream.name
                    );
                })
                .ok()
        });
        UpstreamState {
            peers: RefCell::new(Peers::new(&weights, seed)),
            idle: (0..weights.len()).map(|_| KeptConns::default()).collect(),
            epoch: Instant::now(),
            tls,
            passes: RefCell::new(std::collections::HashMap::new()),
            h2: match upstream.protocol {
                UpstreamProtocol::Http1 => crate::upstream::h2::H2Conns::default(),
                UpstreamProtocol::Http2 => crate::upstream::h2::H2Conns::new(weights.len()),
            },
        }
    }

    /// Whether requests for cache key `hash` go straight to the upstream for now.
    fn passes(&self, hash: u64) -> bool {
        let now = self.now_ms();
        self.passes
            .borrow()
            .get(&hash)
            .is_some_and(|&until| until > now)
    }

    /// Requests for cache key `hash` go straight to the upstream for `PROXY_CACHE_PASS_MS`.
    fn pass(&self, hash: u64) {
        let now = self.now_ms();
        let mut passes = self.passes.borrow_mut();
        if passes.len() >= PROXY_CACHE_PASSES_MAX {
            // Expired ones first; if that frees too little, the soonest to expire.
            passes.retain(|_, until| *until > now);
            if passes.len() >= PROXY_CACHE_PASSES_MAX {
                let mut ends: Vec<u64> = passes.values().copied().collect();
                ends.sort_unstable();
                let cut = ends[ends.len() / 2];
                passes.retain(|_, until| *until > cut);
            }
        }
        passes.insert(hash, now.saturating_add(PROXY_CACHE_PASS_MS));
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// A kept-alive connection to `server` that is still usable, newest first.
    fn take_idle(
        &self,
        server: usize,
        idle_for: Duration,
        resend_safe: bool,
    ) -> Option<UpstreamConn> {
        self.idle.get(server)?.take(idle_for, resend_safe)
    }

    fn put_idle(&self, server: usize, stream: UpstreamConn, max: usize) {
        if let Some(kept) = self.idle.get(server) {
            kept.put(stream, max);
        }
    }
}

/// Why an exchange with an upstream server failed.
#[derive(Debug)]
enum Failure {
    /// Refused, or no route to it: nothing was sent.
    Refused(String),
    /// Did not connect in time: nothing was sent.
    ConnectTimeout,
    /// Reset or closed after the request went out, before a response head.
    Reset(String),
    /// No response head in time.
    Timeout,
    /// A body read whole before the answer starts (a small one of declared length, from an
    /// HTTP/2 upstream) broke off.
    Cut(String),
    Bad(BadResponse),
    /// The client's body failed while it was being sent (too large, stalled, broken): not
    /// the server's doing.
    Client(BodyFault),
}

impl Failure {
    /// Whether the request cannot have reached the server.
    fn unsent(&self) -> bool {
        matches!(self, Failure::Refused(_) | Failure::ConnectTimeout)
    }

    fn status(&self) -> u16 {
        match self {
            Failure::ConnectTimeout | Failure::Timeout => 504,
            Failure::Refused(_) | Failure::Reset(_) | Failure::Cut(_) | Failure::Bad(_) => 502,
            Failure::Client(fault) => fault.status,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Refused(why) => write!(f, "connect: {why}"),
            Failure::ConnectTimeout => f.write_str("connect: timed out"),
            Failure::Reset(why) => write!(f, "no response: {why}"),
            Failure::Timeout => f.write_str("no response head in time"),
            Failure::Cut(why) => write!(f, "the response body broke off: {why}"),
            Failure::Bad(bad) => write!(f, "{bad}"),
            Failure::Client(fault) => write!(f, "the client's body: {}", fault.reason),
        }
    }
}

/// The answer to `request` from the upstream of the site's proxy route `which` (through the
/// cache when the route keeps answers).
pub(super) async fn answer(
    service: &Rc<Service>,
    route: &Route,
    request: &Request<'_>,
    which: usize,
) -> Response {
    let snapshot = &route.state.snapshot;
    let Some(proxy) = snapshot.config.sites[route.site].proxy.get(which) else {
        return Response::error(500);
    };
    let target = match &proxy.strip_prefix {
        Some(prefix) => match request.target.strip_prefix(prefix.as_bytes()) {
            Some([]) => b"/".to_vec(),
            Some(rest) if rest.starts_with(b"?") => [&b"/"[..], rest].concat(),
            Some(rest) if rest.starts_with(b"/") => rest.to_vec(),
            _ => request.target.to_vec(),
        },
        None => request.target.to_vec(),
    };
    if proxy.cache && cache::request_cacheable(request) {
        return cache::answer(
            service,
            &Forwarding::of(route, proxy.timeout_ms),
            route.site,
            request,
            proxy.upstream,
            &target,
        )
        .await;
    }
    forward(
        service,
        &Forwarding::of(route, proxy.timeout_ms),
        request,
        proxy.upstream,
        &target,
        false,
    )
    .await
}

/// The answer to a request next.config or middleware rewrote to `url` on another server:
/// forwarded to the upstream for the URL's origin (`setup`), with the URL's path and query.
pub(crate) async fn rewritten(
    service: &Service,
    route: &Route,
    request: &Request<'_>,
    url: &str,
) -> Response {
    let upstreams = &route.state.snapshot.upstreams;
    let known = bext_core::origin::split_url(url)
        .and_then(|(origin, target)| Some((*upstreams.origins.get(&origin)?, target)));
    match known {
        Some((upstream, target)) => {
            forward(
                service,
                &Forwarding::of(route, None),
                request,
                upstream,
                target.as_bytes(),
                false,
            )
            .await
        }
        None => {
            eprintln!(
                "bext: proxy: a rewrite to {url}: bext knows no upstream for its server (the \
                 destinations of next.config rewrites with a fixed host, and [[upstream]] \
                 servers, are the ones it resolves)"
            );
            Response::bytes(
                502,
                "text/plain; charset=utf-8",
                format!(
                    "502 Bad Gateway: a rewrite to {url}: no upstream is known for its server\n"
                ),
            )
        }
    }
}

/// Where a request is forwarded from: the state it was routed under, and whether it came
/// over TLS (its `X-Forwarded-Proto`).
#[derive(Clone)]
pub(super) struct Forwarding {
    pub state: Rc<State>,
    pub secure: bool,
    /// The proxy route's own `timeout_ms`, over the upstream's.
    pub timeout_ms: Option<u64>,
}

impl Forwarding {
    pub(super) fn of(route: &Route, timeout_ms: Option<u64>) -> Forwarding {
        Forwarding {
            state: route.state.clone(),
            secure: route.secure,
            timeout_ms,
        }
    }
}

/// The answer to `request` from upstream `index`, asked for `target`. `fill`: the answer
/// is for the cache, so the client's conditions, ranges and encodings are not passed on (the
/// upstream's whole, identity-encoded answer is what every client may be given).
async fn forward(
    service: &Service,
    from: &Forwarding,
    request: &Request<'_>,
    index: usize,
    target: &[u8],
    fill: bool,
) -> Response {
    let snapshot = &from.state.snapshot;
    let config = &snapshot.config.upstreams[index];
    let state = &from.state.upstreams[index];
    let addrs = &snapshot.upstreams.addrs[index];
    let hosts = &snapshot.upstreams.hosts[index];
    let names = snapshot.upstreams.tls[index].as_ref().map(|t| &t.names);
    {
        let mut metrics = service.shard.metrics.borrow_mut();
        metrics.proxy_requests += 1;
        metrics.upstream(&config.name).requests += 1;
    }

    let mut fields: Vec<(&[u8], &[u8])> = Vec::new();
    request.fields.for_each(|name, value| {
        if !(fill && FILL_DROPPED.iter().any(|d| name.eq_ignore_ascii_case(d))) {
            fields.push((name, value));
        }
    });
    // An HTTP/1.1 connection asks to switch with `Upgrade`; an HTTP/2 stream with an
    // extended CONNECT, which an HTTP/1.1 upstream is asked as an upgrade (a GET, with a
    // WebSocket key of bext's own for a WebSocket: RFC 8441 has none).
    let upgrade = match (request.version, request.protocol) {
        (Version::Http11, _) => upstream::upgrade_requested(fields.iter().copied()),
        (_, protocol) => protocol,
    };
    // Only an HTTP/1.1 upstream is asked with a key (an HTTP/2 one gets an extended CONNECT).
    let connect_key = request
        .protocol
        .filter(|p| p.eq_ignore_ascii_case(b"websocket"))
        .filter(|_| config.protocol == UpstreamProtocol::Http1)
        .map(|_| ws::client_key());
    if let Some(key) = &connect_key {
        fields.retain(|(name, _)| !name.eq_ignore_ascii_case(b"sec-websocket-key"));
        fields.push((b"sec-websocket-key", key.as_bytes()));
    }
    // A WebSocket goes to an HTTP/2 upstream as an extended CONNECT (RFC 8441); no other
    // upgrade can.
    let websocket = upgrade.is_some_and(|u| u.eq_ignore_ascii_case(b"websocket"));
    if upgrade.is_some() && !websocket && config.protocol == UpstreamProtocol::Http2 {
        eprintln!(
            "bext: proxy: upstream {}: an upgrade to {} cannot go to an HTTP/2 upstream \
             (`protocol = \"http2\"`): {} {}",
            config.name,
            String::from_utf8_lossy(upgrade.unwrap_or_default()),
            String::from_utf8_lossy(request.method_bytes),
            String::from_utf8_lossy(request.target).escape_debug(),
        );
        return Response::error(502);
    }
    let mut body = Outgoing::new(
        request.body,
        request.take_incoming(),
        request.method == Method::Post,
    );
    let head_request = request.method == Method::Head;
    // What may be sent twice: idempotent methods, and any with `retry_non_idempotent`.
    let idempotent = config.retry_non_idempotent || request.method.is_idempotent();
    // The client's address as text, only for a balancer that hashes it.
    let client = matches!(config.balance, Balance::ConsistentHash(_))
        .then(|| request.peer.ip().to_string())
        .unwrap_or_default();
    let key = match &config.balance {
        Balance::ConsistentHash(key) => hash_key(key, client.as_bytes(), |n| request.fields.get(n)),
        _ => None,
    };
    let mut tried: Vec<usize> = Vec::with_capacity(PROXY_ATTEMPTS_MAX);
    let mut last: Option<Failure> = None;
    while tried.len() < PROXY_ATTEMPTS_MAX {
        let picked = state
            .peers
            .borrow_mut()
            .pick(&config.balance, key, state.now_ms(), &tried);
        let Some(server) = picked else { break };
        if !tried.is_empty() {
            service.shard.metrics.borrow_mut().proxy_retries += 1;
        }
        tried.push(server);
        let Some(addr) = addrs.get(server) else {
            break;
        };
        let send_host = match &config.host_header {
            HostHeader::Client => None,
            HostHeader::Upstream => hosts.get(server).map(String::as_bytes),
            HostHeader::Fixed(host) => Some(host.as_bytes()),
        };
        let tls = match (&config.tls, &state.tls, names.and_then(|n| n.get(server))) {
            (None, _, _) => None,
            (Some(_), Some(config), Some(name)) => Some(TlsTo { config, name }),
            // HTTPS without a client configuration: never sent in the clear.
            (Some(_), _, _) => {
                last = Some(Failure::Refused("no TLS client configuration".into()));
                break;
            }
        };
        let timeout = Duration::from_millis(from.timeout_ms.unwrap_or(config.timeout_ms));
        state.peers.borrow_mut().started(server);
        let started = Instant::now();
        let result = match config.protocol {
            UpstreamProtocol::Http1 => {
                let head = request_head(
                    from.secure,
                    request,
                    target,
                    &fields,
                    upgrade,
                    send_host,
                    body.framing(),
                );
                let mut asked = Asked {
                    head: &head,
                    body: &mut body,
                    head_request,
                    upgrade: upgrade.is_some(),
                    idempotent,
                    timeout,
                };
                exchange(service, state, config, server, addr, tls, &mut asked)
                    .await
                    .and_then(|read| switched_as_asked(read, connect_key.as_deref()))
                    .map(Answered::Http1)
            }
            UpstreamProtocol::Http2 => {
                Box::pin(forward_h2(
                    service, from, request, target, &fields, send_host, &mut body, websocket,
                    state, config, server, addr, tls, timeout,
                ))
                .await
            }
        };
        let outcome = match &result {
            Ok(_) => Outcome::Answered {
                latency_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            },
            Err(Failure::Client(_)) => Outcome::Abandoned,
            Err(_) => Outcome::Failed,
        };
        let health = state.peers.borrow_mut().finished(
            server,
            outcome,
            state.now_ms(),
            config.fail_max,
            config.eject_ms,
        );
        match result {
            Ok(Answered::Http1(read)) => {
                let pool = PoolSlot {
                    state: state.clone(),
                    server,
                    idle_max: config.idle_connections_max,
                };
                return respond(service, pool, timeout, read, request.protocol.is_some());
            }
            Ok(Answered::Ready(response)) => return response,
            Err(Failure::Client(fault)) => {
                // Logged by the driver with the answer; the connection closes after it.
                let mut response = Response::error(fault.status);
                response.close = true;
                return response;
            }
            Err(failure) => {
                {
                    let mut metrics = service.shard.metrics.borrow_mut();
                    match &failure {
                        // A cut body is also counted where it broke off, as a cut body.
                        Failure::Refused(_) | Failure::Reset(_) | Failure::Cut(_) => {
                            metrics.proxy_refused += 1;
                            metrics.upstream(&config.name).refused += 1;
                        }
                        Failure::ConnectTimeout | Failure::Timeout => {
                            metrics.proxy_timeouts += 1;
                            metrics.upstream(&config.name).timeouts += 1;
                        }
                        Failure::Bad(_) => {
                            metrics.proxy_bad_responses += 1;
                            metrics.upstream(&config.name).bad_responses += 1;
                        }
                        Failure::Client(_) => {}
                    }
                    metrics.proxy_ejections += u64::from(matches!(health, Health::Ejected { .. }));
                }
                let ejected = match health {
                    Health::Ejected { until_ms } => format!(
                        "; ejected for {} ms",
                        until_ms.saturating_sub(state.now_ms())
                    ),
                    Health::Unchanged => String::new(),
                };
                eprintln!(
                    "bext: proxy: upstream {} server {addr}: {} {}: {failure}{ejected}",
                    config.name,
                    String::from_utf8_lossy(request.method_bytes),
                    String::from_utf8_lossy(request.target).escape_debug(),
                );
                // A streamed body is sent again only while all of it is still at hand.
                let retry = body.replayable() && (failure.unsent() || idempotent);
                last = Some(failure);
                if !retry {
                    break;
                }
            }
        }
    }
    match last {
        Some(failure) => Response::error(failure.status()),
        None => {
            {
                let mut metrics = service.shard.metrics.borrow_mut();
                metrics.proxy_unavailable += 1;
                metrics.upstream(&config.name).unavailable += 1;
            }
            eprintln!(
                "bext: proxy: upstream {}: no server available (all ejected): {} {}",
                config.name,
                String::from_utf8_lossy(request.method_bytes),
                String::from_utf8_lossy(request.target).escape_debug(),
            );
            Response::error(503)
        }
    }
}

/// An upstream server's answer: an HTTP/1.1 head with its connection and what was read
/// past the head, or (HTTP/2) the client's answer already.
enum Answered {
    Http1(HeadRead),
    Ready(Response),
}

/// One request to one server over HTTP/2 (`protocol = "http2"`). With `websocket`, an
/// extended CONNECT (RFC 8441), whichever way the client asked (an HTTP/1.1 upgrade, or its
/// own extended CONNECT): the client's version, subprotocols and extensions go on, its key
/// does not (RFC 8441 has none), and a `2xx` makes the stream the tunnel's upstream end.
#[allow(clippy::too_many_arguments)]
async fn forward_h2(
    service: &Service,
    from: &Forwarding,
    request: &Request<'_>,
    target: &[u8],
    fields: &[(&[u8], &[u8])],
    send_host: Option<&[u8]>,
    body: &mut Outgoing,
    websocket: bool,
    state: &Rc<UpstreamState>,
    config: &Upstream,
    server: usize,
    addr: &PeerAddr,
    tls: Option<TlsTo<'_>>,
    timeout: Duration,
) -> Result<Answered, Failure> {
    // An HTTP/1.1 client's key, which its 101 must answer.
    let accept = match (websocket, request.protocol) {
        (true, None) => match request.fields.get("sec-websocket-key") {
            Some(key) => Some(ws::accept_key_for(key)),
            None => {
                return Err(Failure::Client(BodyFault {
                    status: 400,
                    reason: "a WebSocket upgrade without Sec-WebSocket-Key",
                }));
            }
        },
        _ => None,
    };
    let client = request.peer.ip().to_string();
    let secure_upstream = tls.is_some();
    let length = match body.framing() {
        BodyKind::Length(n) if !websocket => Some(n),
        _ => None,
    };
    let authority = addr.to_string();
    let forwarded = Forwarded {
        client: &client,
        proto: if from.secure { "https" } else { "http" },
        host: request.host,
        // Without a Host from the client, the server's address names the authority.
        send_host: send_host.or(request.host.is_none().then_some(authority.as_bytes())),
        received: request.version.via(),
    };
    let method = if websocket {
        &b"CONNECT"[..]
    } else {
        request.method_bytes
    };
    let kept = fields
        .iter()
        .copied()
        .filter(|(name, _)| !(websocket && name.eq_ignore_ascii_case(b"sec-websocket-key")));
    let Some(head) = h2::request_head(method, target, secure_upstream, kept, &forwarded, length)
    else {
        return Err(Failure::Client(BodyFault {
            status: 400,
            reason: "a method, target or host HTTP/2 cannot carry",
        }));
    };
    let exchange = h2::Exchange {
        shard: &service.shard,
        conns: &state.h2,
        server,
        addr,
        tls,
        connect_timeout: Duration::from_millis(config.connect_timeout_ms),
        idle_for: Duration::from_millis(config.idle_ms),
        timeout,
    };
    if websocket {
        let upgrade = h2::upgrade(exchange, head).await?;
        return Ok(Answered::Ready(tunnel_answer(
            service, upgrade, accept, timeout,
        )));
    }
    let (whole, incoming) = body.take_for_stream();
    let outbound = h2::Outbound {
        head,
        whole,
        incoming,
    };
    h2::exchange(exchange, outbound).await.map(Answered::Ready)
}

/// The client's answer to a WebSocket an HTTP/2 upstream answered: its refusal as it is, or
/// the tunnel on the stream it took, answered `101` with `accept` (an HTTP/1.1 client's)
/// or `200` (an HTTP/2 or HTTP/3 client's extended CONNECT).
fn tunnel_answer(
    service: &Service,
    upgrade: h2::Upgrade,
    accept: Option<String>,
    idle: Duration,
) -> Response {
    let (fields, send, recv, held) = match upgrade {
        h2::Upgrade::Answered(response) => return response,
        h2::Upgrade::Taken {
            fields,
            send,
            recv,
            held,
        } => (fields, send, recv, held),
    };
    service.shard.metrics.borrow_mut().proxy_upgrades += 1;
    let tunnel = Tunnel {
        upstream: TunnelEnd::H2 { send, recv, held },
        pending: Vec::new(),
        idle,
    };
    let mut response = Response::new(if accept.is_some() { 101 } else { 200 });
    response.fields = fields;
    if let Some(accept) = accept {
        response
            .fields
            .push(Field::from_static("upgrade", "websocket"));
        response
            .fields
            .push(Field::from_static("connection", "upgrade"));
        if let Ok(accept) = Field::new(b"sec-websocket-accept", accept.as_bytes()) {
            response.fields.push(accept);
        }
    }
    response.with_body(Body::Upgraded(Box::new(Upgraded::Tunnel(tunnel))))
}

/// The request head for the upstream: `target`, the fields re-encoded, `send_host` as the
/// `Host` when the upstream's `host_header` says so.
fn request_head(
    secure: bool,
    request: &Request<'_>,
    target: &[u8],
    fields: &[(&[u8], &[u8])],
    upgrade: Option<&[u8]>,
    send_host: Option<&[u8]>,
    body: BodyKind,
) -> Vec<u8> {
    let client = request.peer.ip().to_string();
    let mut head = Vec::with_capacity(512);
    // An extended CONNECT is asked of an HTTP/1.1 upstream as the GET of an upgrade.
    let method = if request.protocol.is_some() {
        &b"GET"[..]
    } else {
        request.method_bytes
    };
    upstream::encode_request(
        &mut head,
        method,
        target,
        fields.iter().copied(),
        &Forwarded {
            client: &client,
            proto: if secure { "https" } else { "http" },
            host: request.host,
            send_host,
            received: request.version.via(),
        },
        body,
        upgrade,
    );
    head
}

/// A `101` to the upgrade an extended CONNECT became carries the accept for the key bext
/// sent (RFC 6455 §4.1: a client that gets another fails the connection, and bext is that
/// client here); any other answer passes.
fn switched_as_asked(read: HeadRead, key: Option<&str>) -> Result<HeadRead, Failure> {
    let Some(key) = key else { return Ok(read) };
    if !matches!(read.head.body, ResponseBody::Switched) {
        return Ok(read);
    }
    let expected = ws::accept_key_for(key.as_bytes());
    let accepted = read.head.fields.iter().any(|at| {
        let (name, value) = at.in_buf(&read.buf);
        name == b"sec-websocket-accept" && value.trim_ascii() == expected.as_bytes()
    });
    if accepted {
        Ok(read)
    } else {
        Err(Failure::Bad(BadResponse::Malformed(
            "101 without the Sec-WebSocket-Accept for the key sent".into(),
        )))
    }
}

/// The client's answer from the upstream's head: a body already read whole is sent as one
/// buffer, anything else streams (with its length, when the upstream declared one). The
/// fields are slices of the buffer the head was read into, not copies. `connect`: the
/// request was an extended CONNECT, whose answer is a `200` (RFC 8441 §5) where the
/// upstream switched protocols, without the upgrade's own fields.
fn respond(
    service: &Service,
    pool: PoolSlot,
    timeout: Duration,
    read: HeadRead,
    connect: bool,
) -> Response {
    let HeadRead {
        head,
        stream,
        mut buf,
        head_len,
    } = read;
    let reuse = |stream: UpstreamConn| {
        if head.reusable {
            pool.state.put_idle(pool.server, stream, pool.idle_max);
        }
    };
    let got = buf.len() - head_len;
    let (body, shared) = match head.body {
        ResponseBody::Switched => {
            service.shard.metrics.borrow_mut().proxy_upgrades += 1;
            let pending = buf.split_off(head_len);
            let tunnel = Tunnel {
                upstream: TunnelEnd::Conn(stream),
                pending,
                idle: timeout,
            };
            (
                Body::Upgraded(Box::new(Upgraded::Tunnel(tunnel))),
                Bytes::from(buf),
            )
        }
        ResponseBody::Framed(BodyKind::None) | ResponseBody::Framed(BodyKind::Length(0)) => {
            if got == 0 {
                reuse(stream);
            }
            let body = match head.head_length {
                Some(n) if n > 0 => Body::Stream(Box::new(HeadOnly(n))),
                _ => Body::Empty,
            };
            (body, Bytes::from(buf))
        }
        ResponseBody::Framed(BodyKind::Length(n)) if got as u64 >= n => {
            let end = head_len + n as usize;
            if got as u64 == n {
                reuse(stream);
            }
            let shared = Bytes::from(buf);
            (Body::Bytes(shared.slice(head_len..end)), shared)
        }
        framing => {
            let decoder = match framing {
                ResponseBody::Framed(kind) => BodyDecoder::new(kind, u64::MAX).ok(),
                ResponseBody::UntilClose | ResponseBody::Switched => None,
            };
            let length = match framing {
                ResponseBody::Framed(BodyKind::Length(n)) => Some(n),
                _ => None,
            };
            let rest = buf.split_off(head_len);
            let body = Body::Stream(Box::new(UpstreamBody {
                stream: Some(stream),
                decoder,
                length,
                buf: rest,
                at: 0,
                done: false,
                aborted: false,
                reusable: head.reusable,
                timeout,
                shard: service.shard.clone(),
                pool,
            }));
            (body, Bytes::from(buf))
        }
    };
    let upgraded = matches!(body, Body::Upgraded(_));
    let mut response = Response::new(if upgraded && connect {
        200
    } else {
        head.status
    });
    for at in &head.fields {
        let name = &shared[at.name.clone()];
        if HIDDEN_FIELDS.contains(&name)
            || (upgraded && connect && UPGRADE_ONLY_FIELDS.contains(&name))
        {
            continue;
        }
        // A field that is not valid HTTP is left out rather than passed on.
        let field = Field::from_shared(
            shared.slice(at.name.clone()),
            shared.slice(at.value.clone()),
        );
        if let Ok(field) = field {
            response.fields.push(field);
        }
    }
    if upgraded && !connect {
        response
            .fields
            .push(Field::from_static("connection", "upgrade"));
    }
    response.with_body(body)
}

/// The body of an answer to HEAD: none, but the length the upstream declared for it, which
/// the drivers send as its `Content-Length` (they send no body for HEAD).
struct HeadOnly(u64);

impl BodyStream for HeadOnly {
    fn next(&mut self) -> Pin<Box<dyn Future<Output = Option<Bytes>> + '_>> {
        Box::pin(std::future::ready(None))
    }

    fn len(&self) -> Option<u64> {
        Some(self.0)
    }
}

/// Where a connection goes back once its body has been read.
struct PoolSlot {
    state: Rc<UpstreamState>,
    server: usize,
    idle_max: usize,
}

/// A proxied body as the upstream sends it.
struct UpstreamBody {
    stream: Option<UpstreamConn>,
    /// `None`: the body runs until the upstream closes.
    decoder: Option<BodyDecoder>,
    /// The length the upstream declared: the client is told it too (its `Content-Length`)
    /// rather than getting the body in chunks.
    length: Option<u64>,
    buf: Vec<u8>,
    /// Where the undecoded bytes of `buf` start.
    at: usize,
    done: bool,
    aborted: bool,
    reusable: bool,
    timeout: Duration,
    shard: Rc<Shard>,
    pool: PoolSlot,
}

impl UpstreamBody {
    async fn next_piece(&mut self) -> Option<Bytes> {
        loop {
            if self.done {
                return None;
            }
            if self.at < self.buf.len() {
                let input = &self.buf[self.at..];
                match &mut self.decoder {
                    None => {
                        let piece = Bytes::copy_from_slice(input);
                        self.at = self.buf.len();
                        return Some(piece);
                    }
                    Some(decoder) => match decoder.decode(input) {
                        Ok(decoded) => {
                            let piece = &input[decoded.data.clone()];
                            let piece = (!piece.is_empty()).then(|| Bytes::copy_from_slice(piece));
                            self.at += decoded.consumed;
                            if decoded.done {
                                self.finish();
                            }
                            if piece.is_some() {
                                return piece;
                            }
                            if decoded.done {
                                return None;
                            }
                            if decoded.consumed > 0 {
                                continue;
                            }
                        }
                        Err(_) => return self.abort(),
                    },
                }
            }
            // Everything read is used: read more.
            self.buf.clear();
            self.at = 0;
            let stream = self.stream.as_mut()?;
            let mut buf = std::mem::take(&mut self.buf);
            // A read fills the spare capacity: there must be some. No more than is left of a
            // declared length (the tail of a small body is often a few bytes).
            let left = self
                .decoder
                .as_ref()
                .and_then(BodyDecoder::remaining_bytes)
                .unwrap_or(u64::MAX);
            buf.reserve(
                usize::try_from(left)
                    .unwrap_or(usize::MAX)
                    .clamp(1, PROXY_READ_BYTES),
            );
            let read = rt::timeout(self.timeout, stream.read(buf)).await;
            match read {
                Ok((Ok(0), back)) => {
                    self.buf = back;
                    if self.decoder.is_none() {
                        self.done = true;
                        self.stream = None;
                        return None;
                    }
                    return self.abort();
                }
                Ok((Ok(_), back)) => self.buf = back,
                Ok((Err(_), back)) => {
                    self.buf = back;
                    return self.abort();
                }
                Err(_) => return self.abort(),
            }
        }
    }

    /// The body ended as framed: the connection goes back to the pool if it can.
    fn finish(&mut self) {
        self.done = true;
        let clean = self.at == self.buf.len();
        if let Some(stream) = self.stream.take()
            && self.reusable
            && clean
        {
            self.pool
                .state
                .put_idle(self.pool.server, stream, self.pool.idle_max);
        }
    }

    fn abort(&mut self) -> Option<Bytes> {
        self.shard.metrics.borrow_mut().proxy_bodies_cut += 1;
        self.done = true;
        self.aborted = true;
        self.stream = None;
        None
    }
}

impl BodyStream for UpstreamBody {
    fn next(&mut self) -> Pin<Box<dyn Future<Output = Option<Bytes>> + '_>> {
        Box::pin(self.next_piece())
    }

    fn len(&self) -> Option<u64> {
        self.length
    }

    fn aborted(&self) -> bool {
        self.aborted
    }
}
