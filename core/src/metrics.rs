//! Counters one shard keeps, how they add up across shards, and the Prometheus text format.
//!
//! Each shard owns a [`Metrics`] and updates it without atomics (nothing is shared). A scrape
//! of `/__bext/metrics` asks every shard over the mesh for a copy, [`Metrics::merge`]s them and
//! renders with [`render_prometheus`]. Latencies are counted into fixed buckets, so merging is
//! addition and the histogram costs no allocation per request.

use std::fmt::Write as _;

/// Upper bounds (seconds) of the latency histogram's buckets; `+Inf` is implied.
pub const LATENCY_BUCKETS_SECONDS: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0,
];
const LATENCY_BUCKETS_NANOS: [u64; 12] = [
    100_000,
    250_000,
    500_000,
    1_000_000,
    2_500_000,
    5_000_000,
    10_000_000,
    25_000_000,
    50_000_000,
    100_000_000,
    500_000_000,
    1_000_000_000,
];

/// One upstream's counters (the totals are `proxy_*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpstreamCounts {
    pub name: String,
    pub requests: u64,
    pub refused: u64,
    pub timeouts: u64,
    pub bad_responses: u64,
    pub unavailable: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metrics {
    /// Requests answered, by status class: index 0 is 1xx, 4 is 5xx.
    pub requests_by_class: [u64; 5],
    /// Response bytes written (heads and bodies).
    pub response_bytes: u64,
    pub connections_accepted: u64,
    pub connections_open: u64,
    /// Connections refused because the shard was at `connections_per_shard_max`.
    pub connections_refused: u64,
    /// TLS handshakes that failed (garbage, a stall past the deadline, no certificate).
    pub tls_handshake_failures: u64,
    /// TLS connections whose record layer moved into the kernel (kTLS).
    pub tls_ktls_offloaded: u64,
    /// TLS connections that stayed in user space with `ktls` on (no kernel TLS, a record
    /// half received).
    pub tls_ktls_fallbacks: u64,
    /// TLS connections lost because the kernel refused the keys it was handed.
    pub tls_ktls_failures: u64,
    /// QUIC connections accepted (a handshake begun: after the Retry, with `quic_retry`).
    pub quic_connections_accepted: u64,
    /// QUIC connections open now.
    pub quic_connections_open: u64,
    /// QUIC Initials refused: the shard at `QUIC_CONNECTIONS_PER_SHARD_MAX`, or draining.
    pub quic_connections_refused: u64,
    /// Retry packets sent (address validation of new QUIC connections).
    pub quic_retries: u64,
    /// Initials whose token was not one of ours or had expired: dropped.
    pub quic_tokens_refused: u64,
    /// Datagrams that arrived on this shard for another shard's connection and were forwarded
    /// to it over the mesh.
    pub quic_datagrams_forwarded: u64,
    /// Datagrams dropped: not QUIC, for no connection, or a full inbox on the way to their shard.
    pub quic_datagrams_dropped: u64,
    /// QUIC datagrams sent (a burst's each counted).
    pub quic_datagrams_sent: u64,
    /// UDP sends the QUIC endpoints made: a burst of datagrams in one with GSO, so fewer
    /// than `quic_datagrams_sent` when bursts form.
    pub quic_sends: u64,
    /// Requests answered 403 because `[waf] deny` lists their address.
    pub waf_denied: u64,
    /// Requests answered 429: their client was over `[waf] rate`.
    pub waf_rate_limited: u64,
    /// Requests the rule engine inspected (`[waf] crs`/`rules`).
    pub waf_rules_inspected: u64,
    /// Inspected requests whose request phases' outcome the shard's memo held.
    pub waf_rules_memo_hits: u64,
    /// Requests one or more logging rules matched.
    pub waf_rules_matched: u64,
    /// Requests the rules refused (in `block` mode).
    pub waf_rules_refused: u64,
    /// Request bodies the rule engine could not parse (`REQBODY_ERROR`).
    pub waf_rules_body_errors: u64,
    /// Requests let through untracked because the shard's rate table was full of clients
    /// still being held back.
    pub waf_rate_untracked: u64,
    /// Bans this shard decided (`[waf] rate.ban_after`), each told to the other shards.
    pub waf_bans: u64,
    /// Bans other shards told this one of.
    pub waf_bans_received: u64,
    /// Bans not recorded: the shard's ban table was full of live bans.
    pub waf_bans_unrecorded: u64,
    /// Requests answered 403 because their client was banned.
    pub waf_banned: u64,
    /// Requests forwarded to an upstream (`[[site.proxy]]`).
    pub proxy_requests: u64,
    /// Upstream connections refused or reset before an answer (502).
    pub proxy_refused: u64,
    /// Upstreams that did not connect or answer in time (504).
    pub proxy_timeouts: u64,
    /// Upstream responses refused as malformed or ambiguous (502).
    pub proxy_bad_responses: u64,
    /// Requests no upstream server could take: all ejected or tried (503).
    pub proxy_unavailable: u64,
    /// Requests sent to another server after one failed.
    pub proxy_retries: u64,
    /// Upstream servers ejected after failures in a row.
    pub proxy_ejections: u64,
    /// Connections opened to upstream servers.
    pub proxy_connections_opened: u64,
    /// Requests sent on a kept-alive upstream connection.
    pub proxy_connections_reused: u64,
    /// Connections switched to another protocol through the proxy (WebSockets).
    pub proxy_upgrades: u64,
    /// Requests run by a FastCGI server (`[site.fastcgi]`).
    pub fastcgi_requests: u64,
    /// FastCGI requests that failed: refused, timed out, or no CGI response (502/504).
    pub fastcgi_errors: u64,
    /// Connections opened to FastCGI servers (one per request unless `keepalive_max`).
    pub fastcgi_connections_opened: u64,
    /// Active health probes of upstream servers (by the shards that own the upstreams).
    pub proxy_health_checks: u64,
    /// Health probes that failed (no answer in time, or a status outside 200–399).
    pub proxy_health_failures: u64,
    /// Proxied response bodies the upstream broke off (the client's stream is reset).
    pub proxy_bodies_cut: u64,
    /// Realtime events numbered by their topic's owner (`POST /__bext/realtime/publish`).
    pub realtime_published: u64,
    /// Realtime subscribers dropped because their queue of events was full.
    pub realtime_evicted: u64,
    /// Realtime messages a shard dropped because another's inbox stayed full too long.
    pub realtime_dropped: u64,
    /// Realtime subscribers connected now.
    pub realtime_subscribers: u64,
    /// Realtime events written to subscribers.
    pub realtime_delivered: u64,
    /// Bans this shard wrote into the XDP filter's map.
    pub xdp_bans: u64,
    /// Bans the XDP filter's map refused (the userspace ban still holds).
    pub xdp_ban_failures: u64,
    /// Each upstream's requests and failures, by name (`[[upstream]] name`).
    pub upstreams: Vec<UpstreamCounts>,
    /// Cumulative counts per bucket of [`LATENCY_BUCKETS_SECONDS`], plus the `+Inf` bucket.
    pub latency_buckets: [u64; 13],
    pub latency_sum_nanos: u64,
    pub file_cache_hits: u64,
    pub file_cache_misses: u64,
    /// Pages rendered by a shard's JavaScript engine (each render once, whoever asked).
    pub renders: u64,
    /// Renders that ended in a 500 (threw, timed out, ran out of heap).
    pub render_errors: u64,
    /// Pages rendered at start because `generateStaticParams` lists them (also in `renders`).
    pub prerendered: u64,
    /// Engines replaced after a failure left them unusable.
    pub engine_recycles: u64,
    /// The ISR cache's counters, summed over shards.
    pub isr: crate::isr::IsrStats,
    /// Requests refused before they could be answered normally (a head that does not parse, a
    /// body refused, a 408), all of them; also counted in `requests_by_class`.
    pub requests_refused: u64,
    /// Refused requests left out of the access log by its per-second budget.
    pub requests_refused_unlogged: u64,
    /// Requests (or shard tasks) that panicked; each cost one request, never the shard.
    pub panics: u64,
    /// Shard-to-shard messages handed back because the peer's inbox was full.
    pub mesh_full: u64,
    /// Shard-to-shard messages given up on: the peer's inbox stayed full past the message's
    /// deadline, or the peer was on another config (mid-reload).
    pub mesh_dropped: u64,
    /// Shards whose numbers are included (1 for a single shard's own copy).
    pub shards_reporting: u64,
}

impl Metrics {
    pub fn new() -> Self {
        Metrics {
            shards_reporting: 1,
            ..Default::default()
        }
    }

    /// Counts one answered request.
    pub fn record(&mut self, status: u16, response_bytes: u64, latency_nanos: u64) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.requests_by_class[class] += 1;
        self.response_bytes += response_bytes;
        let bucket = LATENCY_BUCKETS_NANOS
            .iter()
            .position(|&b| latency_nanos <= b)
            .unwrap_or(LATENCY_BUCKETS_NANOS.len());
        self.latency_buckets[bucket] += 1;
        self.latency_sum_nanos = self.latency_sum_nanos.saturating_add(latency_nanos);
    }

    /// The counters of the upstream named `name`, made on first use.
    pub fn upstream(&mut self, name: &str) -> &mut UpstreamCounts {
        let at = match self.upstreams.iter().position(|u| u.name == name) {
            Some(at) => at,
            None => {
                self.upstreams.push(UpstreamCounts {
                    name: name.to_owned(),
                    ..UpstreamCounts::default()
                });
                self.upstreams.len() - 1
            }
        };
        &mut self.upstreams[at]
    }

    pub fn merge(&mut self, other: &Metrics) {
        for theirs in &other.upstreams {
            let mine = self.upstream(&theirs.name);
            mine.requests += theirs.requests;
            mine.refused += theirs.refused;
            mine.timeouts += theirs.timeouts;
            mine.bad_responses += theirs.bad_responses;
            mine.unavailable += theirs.unavailable;
        }
        for (a, b) in self
            .requests_by_class
            .iter_mut()
            .zip(other.requests_by_class)
        {
            *a += b;
        }
        for (a, b) in self.latency_buckets.iter_mut().zip(other.latency_buckets) {
            *a += b;
        }
        self.response_bytes += other.response_bytes;
        self.connections_accepted += other.connections_accepted;
        self.connections_open += other.connections_open;
        self.connections_refused += other.connections_refused;
        self.tls_handshake_failures += other.tls_handshake_failures;
        self.tls_ktls_offloaded += other.tls_ktls_offloaded;
        self.tls_ktls_fallbacks += other.tls_ktls_fallbacks;
        self.tls_ktls_failures += other.tls_ktls_failures;
        self.quic_connections_accepted += other.quic_connections_accepted;
        self.quic_connections_open += other.quic_connections_open;
        self.quic_connections_refused += other.quic_connections_refused;
        self.quic_retries += other.quic_retries;
        self.quic_tokens_refused += other.quic_tokens_refused;
        self.quic_datagrams_forwarded += other.quic_datagrams_forwarded;
        self.quic_datagrams_dropped += other.quic_datagrams_dropped;
        self.quic_datagrams_sent += other.quic_datagrams_sent;
        self.quic_sends += other.quic_sends;
        self.waf_denied += other.waf_denied;
        self.waf_rate_limited += other.waf_rate_limited;
        self.waf_rules_inspected += other.waf_rules_inspected;
        self.waf_rules_memo_hits += other.waf_rules_memo_hits;
        self.waf_rules_matched += other.waf_rules_matched;
        self.waf_rules_refused += other.waf_rules_refused;
        self.waf_rules_body_errors += other.waf_rules_body_errors;
        self.waf_rate_untracked += other.waf_rate_untracked;
        self.waf_bans += other.waf_bans;
        self.waf_bans_received += other.waf_bans_received;
        self.waf_bans_unrecorded += other.waf_bans_unrecorded;
        self.waf_banned += other.waf_banned;
        self.proxy_requests += other.proxy_requests;
        self.proxy_refused += other.proxy_refused;
        self.proxy_timeouts += other.proxy_timeouts;
        self.proxy_bad_responses += other.proxy_bad_responses;
        self.proxy_unavailable += other.proxy_unavailable;
        self.proxy_retries += other.proxy_retries;
        self.proxy_ejections += other.proxy_ejections;
        self.proxy_connections_opened += other.proxy_connections_opened;
        self.proxy_connections_reused += other.proxy_connections_reused;
        self.proxy_bodies_cut += other.proxy_bodies_cut;
        self.proxy_upgrades += other.proxy_upgrades;
        self.fastcgi_requests += other.fastcgi_requests;
        self.fastcgi_errors += other.fastcgi_errors;
        self.fastcgi_connections_opened += other.fastcgi_connections_opened;
        self.proxy_health_checks += other.proxy_health_checks;
        self.proxy_health_failures += other.proxy_health_failures;
        self.xdp_bans += other.xdp_bans;
        self.xdp_ban_failures += other.xdp_ban_failures;
        self.realtime_published += other.realtime_published;
        self.realtime_evicted += other.realtime_evicted;
        self.realtime_dropped += other.realtime_dropped;
        self.realtime_subscribers += other.realtime_subscribers;
        self.realtime_delivered += other.realtime_delivered;
        self.latency_sum_nanos = self
            .latency_sum_nanos
            .saturating_add(other.latency_sum_nanos);
        self.file_cache_hits += other.file_cache_hits;
        self.file_cache_misses += other.file_cache_misses;
        self.renders += other.renders;
        self.prerendered += other.prerendered;
        self.render_errors += other.render_errors;
        self.engine_recycles += other.engine_recycles;
        self.isr.merge(&other.isr);
        self.requests_refused += other.requests_refused;
        self.requests_refused_unlogged += other.requests_refused_unlogged;
        self.panics += other.panics;
        self.mesh_full += other.mesh_full;
        self.mesh_dropped += other.mesh_dropped;
        self.shards_reporting += other.shards_reporting;
    }

    pub fn requests_total(&self) -> u64 {
        self.requests_by_class.iter().sum()
    }
}

/// Renders merged metrics in the Prometheus text exposition format (version 0.0.4).
pub fn render_prometheus(m: &Metrics, shards: usize) -> String {
    let mut out = String::with_capacity(2048);
    let mut counter = |name: &str, help: &str, value: u64| {
        let _ = write!(
            out,
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"
        );
    };
    counter(
        "bext_response_bytes_total",
        "Response bytes written.",
        m.response_bytes,
    );
    counter(
        "bext_connections_accepted_total",
        "Connections accepted.",
        m.connections_accepted,
    );
    counter(
        "bext_connections_refused_total",
        "Connections closed at once: shard at its connection limit.",
        m.connections_refused,
    );
    counter(
        "bext_tls_handshake_failures_total",
        "TLS handshakes that failed; each cost its connection only.",
        m.tls_handshake_failures,
    );
    counter(
        "bext_tls_ktls_offloaded_total",
        "TLS connections whose records the kernel encrypts and decrypts (server.ktls).",
        m.tls_ktls_offloaded,
    );
    counter(
        "bext_tls_ktls_fallbacks_total",
        "TLS connections kept in user space with server.ktls on (no kernel TLS, or not at a record boundary).",
        m.tls_ktls_fallbacks,
    );
    counter(
        "bext_tls_ktls_failures_total",
        "TLS connections lost because the kernel refused their keys.",
        m.tls_ktls_failures,
    );
    counter(
        "bext_quic_connections_accepted_total",
        "QUIC connections accepted (after the Retry, with server.quic_retry).",
        m.quic_connections_accepted,
    );
    counter(
        "bext_quic_connections_refused_total",
        "QUIC Initials refused: shard at its QUIC connection limit, or draining.",
        m.quic_connections_refused,
    );
    counter(
        "bext_quic_retries_total",
        "QUIC Retry packets sent to validate a new client's address.",
        m.quic_retries,
    );
    counter(
        "bext_quic_tokens_refused_total",
        "QUIC Initials dropped for a token that was not ours or had expired.",
        m.quic_tokens_refused,
    );
    counter(
        "bext_quic_datagrams_forwarded_total",
        "QUIC datagrams that reached a shard other than their connection's and were forwarded to it.",
        m.quic_datagrams_forwarded,
    );
    counter(
        "bext_quic_datagrams_dropped_total",
        "QUIC datagrams dropped: not QUIC, for no connection, or a full inbox on the way to their shard.",
        m.quic_datagrams_dropped,
    );
    counter(
        "bext_quic_datagrams_sent_total",
        "QUIC datagrams sent.",
        m.quic_datagrams_sent,
    );
    counter(
        "bext_quic_sends_total",
        "UDP sends of QUIC datagrams (a GSO burst of several datagrams is one).",
        m.quic_sends,
    );
    counter(
        "bext_waf_denied_total",
        "Requests answered 403 because [waf] deny lists their address.",
        m.waf_denied,
    );
    counter(
        "bext_waf_rate_limited_total",
        "Requests answered 429: their client was over [waf] rate.",
        m.waf_rate_limited,
    );
    counter(
        "bext_waf_rules_inspected_total",
        "Requests the rule engine ([waf] crs and rules) inspected.",
        m.waf_rules_inspected,
    );
    counter(
        "bext_waf_rules_memo_hits_total",
        "Inspected requests whose request phases' outcome the shard's memo ([waf] memo) held.",
        m.waf_rules_memo_hits,
    );
    counter(
        "bext_waf_rules_matched_total",
        "Requests one or more logging rules matched.",
        m.waf_rules_matched,
    );
    counter(
        "bext_waf_rules_refused_total",
        "Requests the rules refused (mode = \"block\").",
        m.waf_rules_refused,
    );
    counter(
        "bext_waf_rules_body_errors_total",
        "Request bodies the rule engine could not parse (REQBODY_ERROR).",
        m.waf_rules_body_errors,
    );
    counter(
        "bext_waf_rate_untracked_total",
        "Requests let through untracked: the shard's rate table was full of limited clients.",
        m.waf_rate_untracked,
    );
    counter(
        "bext_waf_bans_total",
        "Clients banned for coming on while rate-limited ([waf] rate.ban_after), counted once by the shard that banned.",
        m.waf_bans,
    );
    counter(
        "bext_waf_bans_received_total",
        "Bans a shard heard of from another shard (each ban is told to every other shard).",
        m.waf_bans_received,
    );
    counter(
        "bext_waf_bans_unrecorded_total",
        "Bans not recorded: a shard's ban table was full of live bans.",
        m.waf_bans_unrecorded,
    );
    counter(
        "bext_waf_banned_total",
        "Requests answered 403 because their client was banned.",
        m.waf_banned,
    );
    counter(
        "bext_proxy_requests_total",
        "Requests forwarded to an upstream ([[site.proxy]]).",
        m.proxy_requests,
    );
    counter(
        "bext_proxy_refused_total",
        "Upstream connections refused or reset before an answer (502).",
        m.proxy_refused,
    );
    counter(
        "bext_proxy_timeouts_total",
        "Upstreams that did not connect or answer in time (504).",
        m.proxy_timeouts,
    );
    counter(
        "bext_proxy_bad_responses_total",
        "Upstream responses refused as malformed or ambiguous (502).",
        m.proxy_bad_responses,
    );
    counter(
        "bext_proxy_unavailable_total",
        "Requests no upstream server could take: all ejected or tried (503).",
        m.proxy_unavailable,
    );
    counter(
        "bext_proxy_retries_total",
        "Requests sent to another server after one failed.",
        m.proxy_retries,
    );
    counter(
        "bext_proxy_ejections_total",
        "Upstream servers ejected after failures in a row.",
        m.proxy_ejections,
    );
    counter(
        "bext_proxy_connections_opened_total",
        "Connections opened to upstream servers.",
        m.proxy_connections_opened,
    );
    counter(
        "bext_proxy_connections_reused_total",
        "Requests sent on a kept-alive upstream connection.",
        m.proxy_connections_reused,
    );
    counter(
        "bext_proxy_upgrades_total",
        "Connections switched to another protocol through the proxy (WebSockets).",
        m.proxy_upgrades,
    );
    counter(
        "bext_proxy_health_checks_total",
        "Active health probes of upstream servers.",
        m.proxy_health_checks,
    );
    counter(
        "bext_proxy_health_failures_total",
        "Health probes that failed (no answer in time, or a status outside 200-399).",
        m.proxy_health_failures,
    );
    counter(
        "bext_fastcgi_requests_total",
        "Requests run by a FastCGI server ([site.fastcgi]).",
        m.fastcgi_requests,
    );
    counter(
        "bext_fastcgi_errors_total",
        "FastCGI requests that failed: refused, timed out, or no CGI response (502/504).",
        m.fastcgi_errors,
    );
    counter(
        "bext_fastcgi_connections_opened_total",
        "Connections opened to FastCGI servers (one per request unless keepalive_max).",
        m.fastcgi_connections_opened,
    );
    counter(
        "bext_realtime_published_total",
        "Realtime events published (numbered by their topic's owner shard).",
        m.realtime_published,
    );
    counter(
        "bext_realtime_delivered_total",
        "Realtime events written to subscribers.",
        m.realtime_delivered,
    );
    counter(
        "bext_realtime_evicted_total",
        "Realtime subscribers dropped because they did not keep up.",
        m.realtime_evicted,
    );
    counter(
        "bext_realtime_dropped_total",
        "Realtime messages dropped between shards (an inbox stayed full).",
        m.realtime_dropped,
    );
    counter(
        "bext_proxy_bodies_cut_total",
        "Proxied response bodies the upstream broke off (the client's stream is reset).",
        m.proxy_bodies_cut,
    );
    counter(
        "bext_xdp_bans_total",
        "Bans written into the XDP filter (it drops the client's packets until the ban ends).",
        m.xdp_bans,
    );
    counter(
        "bext_xdp_ban_failures_total",
        "Bans the XDP filter's map refused (the shards still refuse the client).",
        m.xdp_ban_failures,
    );
    counter(
        "bext_file_cache_hits_total",
        "Static files answered from a shard's file cache.",
        m.file_cache_hits,
    );
    counter(
        "bext_file_cache_misses_total",
        "Static files looked up on disk.",
        m.file_cache_misses,
    );
    counter(
        "bext_renders_total",
        "Pages rendered by a JavaScript engine.",
        m.renders,
    );
    counter(
        "bext_prerendered_pages_total",
        "Pages rendered at start because generateStaticParams lists them.",
        m.prerendered,
    );
    counter(
        "bext_render_errors_total",
        "Renders answered with a 500 (threw, timed out, out of heap).",
        m.render_errors,
    );
    counter(
        "bext_engine_recycles_total",
        "JavaScript engines replaced after a failure.",
        m.engine_recycles,
    );
    counter(
        "bext_requests_refused_total",
        "Requests refused before a handler could answer (bad head or body, 408).",
        m.requests_refused,
    );
    counter(
        "bext_requests_refused_unlogged_total",
        "Refused requests left out of the access log by its per-second budget.",
        m.requests_refused_unlogged,
    );
    counter(
        "bext_panics_total",
        "Requests or shard tasks that panicked (each cost one request, not the shard).",
        m.panics,
    );
    counter(
        "bext_mesh_messages_full_total",
        "Shard-to-shard messages handed back by a full inbox (then retried or answered without).",
        m.mesh_full,
    );
    counter(
        "bext_mesh_messages_dropped_total",
        "Shard-to-shard messages given up on (inbox full past the deadline, or another config).",
        m.mesh_dropped,
    );
    counter(
        "bext_isr_evictions_total",
        "Pages evicted from ISR caches for room.",
        m.isr.evictions,
    );
    counter(
        "bext_isr_invalidations_total",
        "Pages marked stale by tag or path invalidation.",
        m.isr.invalidations,
    );
    let isr = &m.isr;
    out.push_str("# HELP bext_isr_lookups_total ISR cache lookups, by outcome.\n# TYPE bext_isr_lookups_total counter\n");
    for (outcome, n) in [
        ("hit", isr.hits),
        ("stale", isr.stale_hits),
        ("miss", isr.misses),
        ("coalesced", isr.coalesced),
    ] {
        let _ = writeln!(out, "bext_isr_lookups_total{{outcome=\"{outcome}\"}} {n}");
    }
    let _ = write!(
        out,
        "# HELP bext_isr_bytes Bytes of rendered pages held by ISR caches.\n# TYPE bext_isr_bytes gauge\nbext_isr_bytes {}\n",
        isr.bytes
    );
    out.push_str("# HELP bext_requests_total Requests answered, by status class.\n# TYPE bext_requests_total counter\n");
    for (i, n) in m.requests_by_class.iter().enumerate() {
        let _ = writeln!(out, "bext_requests_total{{class=\"{}xx\"}} {n}", i + 1);
    }
    let _ = write!(
        out,
        "# HELP bext_open_connections Connections open now.\n# TYPE bext_open_connections gauge\nbext_open_connections {}\n",
        m.connections_open
    );
    let _ = write!(
        out,
        "# HELP bext_realtime_subscribers Realtime subscribers connected now.\n# TYPE bext_realtime_subscribers gauge\nbext_realtime_subscribers {}\n",
        m.realtime_subscribers
    );
    let _ = write!(
        out,
        "# HELP bext_quic_open_connections QUIC connections open now.\n# TYPE bext_quic_open_connections gauge\nbext_quic_open_connections {}\n",
        m.quic_connections_open
    );
    let _ = write!(
        out,
        "# HELP bext_shards Shards running, and how many answered this scrape.\n# TYPE bext_shards gauge\nbext_shards{{state=\"running\"}} {shards}\nbext_shards{{state=\"reporting\"}} {}\n",
        m.shards_reporting
    );
    if !m.upstreams.is_empty() {
        out.push_str("# HELP bext_proxy_upstream_requests_total Requests forwarded, by upstream.\n# TYPE bext_proxy_upstream_requests_total counter\n");
        for u in &m.upstreams {
            let _ = writeln!(
                out,
                "bext_proxy_upstream_requests_total{{upstream=\"{}\"}} {}",
                u.name, u.requests
            );
        }
        out.push_str("# HELP bext_proxy_upstream_failures_total Requests an upstream failed, by upstream and cause (refused: 502, timeout: 504, bad_response: 502, unavailable: 503).\n# TYPE bext_proxy_upstream_failures_total counter\n");
        for u in &m.upstreams {
            for (cause, n) in [
                ("refused", u.refused),
                ("timeout", u.timeouts),
                ("bad_response", u.bad_responses),
                ("unavailable", u.unavailable),
            ] {
                let _ = writeln!(
                    out,
                    "bext_proxy_upstream_failures_total{{upstream=\"{}\",cause=\"{cause}\"}} {n}",
                    u.name
                );
            }
        }
    }
    out.push_str("# HELP bext_request_duration_seconds From a complete request head to its response written.\n# TYPE bext_request_duration_seconds histogram\n");
    let mut cumulative = 0;
    for (i, le) in LATENCY_BUCKETS_SECONDS.iter().enumerate() {
        cumulative += m.latency_buckets[i];
        let _ = writeln!(
            out,
            "bext_request_duration_seconds_bucket{{le=\"{le}\"}} {cumulative}"
        );
    }
    cumulative += m.latency_buckets[LATENCY_BUCKETS_SECONDS.len()];
    let _ = writeln!(
        out,
        "bext_request_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}"
    );
    let _ = writeln!(
        out,
        "bext_request_duration_seconds_sum {}",
        m.latency_sum_nanos as f64 / 1e9
    );
    let _ = writeln!(out, "bext_request_duration_seconds_count {cumulative}");
    out
}

/// The kernel side's own counts (the eBPF programs', kept per CPU and summed), read once
/// per scrape rather than per shard: they are the machine's, not a shard's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KernelStats {
    /// The XDP filter's packets (passed, dropped as denied, dropped as banned, and of the
    /// passed, steered to another CPU); `None` when it is not attached.
    pub xdp: Option<[u64; 4]>,
    /// QUIC's socket selection (by connection ID, by CPU, left to the kernel); `None` when
    /// the eBPF program is not attached.
    pub quic_steering: Option<[u64; 3]>,
}

/// Renders [`KernelStats`] in the Prometheus text format, after [`render_prometheus`]'s.
pub fn render_kernel_prometheus(k: &KernelStats) -> String {
    let mut out = String::with_capacity(1024);
    let _ = write!(
        out,
        "# HELP bext_xdp_attached Whether the XDP filter is attached (1) or [waf] is enforced by the shards alone (0).\n# TYPE bext_xdp_attached gauge\nbext_xdp_attached {}\n",
        u8::from(k.xdp.is_some())
    );
    if let Some([passed, denied, banned, steered]) = k.xdp {
        out.push_str("# HELP bext_xdp_packets_total Packets for bext's ports the XDP filter judged, by verdict.\n# TYPE bext_xdp_packets_total counter\n");
        for (verdict, n) in [("passed", passed), ("denied", denied), ("banned", banned)] {
            let _ = writeln!(out, "bext_xdp_packets_total{{verdict=\"{verdict}\"}} {n}");
        }
        let _ = write!(
            out,
            "# HELP bext_xdp_steered_total Passed packets the XDP filter moved to the CPU of the shard that owns their flow ([waf] xdp_steer).\n# TYPE bext_xdp_steered_total counter\nbext_xdp_steered_total {steered}\n"
        );
    }
    let _ = write!(
        out,
        "# HELP bext_quic_steering_attached Whether QUIC datagrams are steered by connection ID (1) or by CPU alone (0).\n# TYPE bext_quic_steering_attached gauge\nbext_quic_steering_attached {}\n",
        u8::from(k.quic_steering.is_some())
    );
    if let Some([cid, cpu, unsteered]) = k.quic_steering {
        out.push_str("# HELP bext_quic_steered_total QUIC datagrams by how their socket (shard) was chosen.\n# TYPE bext_quic_steered_total counter\n");
        for (by, n) in [("cid", cid), ("cpu", cpu), ("kernel", unsteered)] {
            let _ = writeln!(out, "bext_quic_steered_total{{by=\"{by}\"}} {n}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_stats_say_what_is_attached_and_count_by_label() {
        let none = render_kernel_prometheus(&KernelStats::default());
        assert!(none.contains("bext_xdp_attached 0\n"), "{none}");
        assert!(none.contains("bext_quic_steering_attached 0\n"), "{none}");
        assert!(!none.contains("bext_xdp_packets_total{"), "{none}");
        let both = render_kernel_prometheus(&KernelStats {
            xdp: Some([5, 7, 11, 3]),
            quic_steering: Some([13, 17, 19]),
        });
        for line in [
            "bext_xdp_attached 1\n",
            "bext_xdp_packets_total{verdict=\"passed\"} 5\n",
            "bext_xdp_packets_total{verdict=\"denied\"} 7\n",
            "bext_xdp_packets_total{verdict=\"banned\"} 11\n",
            "bext_xdp_steered_total 3\n",
            "bext_quic_steered_total{by=\"cid\"} 13\n",
            "bext_quic_steered_total{by=\"cpu\"} 17\n",
            "bext_quic_steered_total{by=\"kernel\"} 19\n",
        ] {
            assert!(both.contains(line), "{line} in {both}");
        }
    }

    #[test]
    fn record_counts_class_and_bucket() {
        let mut m = Metrics::new();
        m.record(200, 100, 50_000);
        m.record(404, 10, 2_000_000);
        m.record(503, 10, 5_000_000_000);
        m.record(101, 0, 0);
        assert_eq!(m.requests_by_class, [1, 1, 0, 1, 1]);
        assert_eq!(m.latency_buckets[0], 2);
        assert_eq!(m.latency_buckets[4], 1, "2 ms lands in the 2.5 ms bucket");
        assert_eq!(m.latency_buckets[12], 1, "5 s lands in +Inf");
        assert_eq!(m.response_bytes, 120);
    }

    #[test]
    fn merge_adds_and_counts_shards() {
        let mut a = Metrics::new();
        a.record(200, 5, 1);
        let mut b = Metrics::new();
        b.record(200, 7, 1);
        b.connections_open = 3;
        a.merge(&b);
        assert_eq!(a.requests_by_class[1], 2);
        assert_eq!(a.response_bytes, 12);
        assert_eq!(a.connections_open, 3);
        assert_eq!(a.shards_reporting, 2);
    }

    #[test]
    fn prometheus_histogram_is_cumulative() {
        let mut m = Metrics::new();
        m.record(200, 1, 50_000);
        m.record(200, 1, 700_000);
        let text = render_prometheus(&m, 2);
        assert!(
            text.contains("bext_requests_total{class=\"2xx\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("bext_request_duration_seconds_bucket{le=\"0.0001\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("bext_request_duration_seconds_bucket{le=\"0.001\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("bext_request_duration_seconds_bucket{le=\"+Inf\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("bext_request_duration_seconds_count 2\n"),
            "{text}"
        );
        assert!(
            text.contains("bext_shards{state=\"running\"} 2\n"),
            "{text}"
        );
    }

    #[test]
    fn upstream_counters_merge_by_name_and_render_with_labels() {
        let mut a = Metrics::default();
        a.upstream("api").requests += 2;
        a.upstream("api").timeouts += 1;
        let mut b = Metrics::default();
        b.upstream("php").requests += 1;
        b.upstream("api").requests += 3;
        a.merge(&b);
        assert_eq!(a.upstream("api").requests, 5);
        assert_eq!(a.upstream("php").requests, 1);
        let text = render_prometheus(&a, 1);
        assert!(
            text.contains("bext_proxy_upstream_requests_total{upstream=\"api\"} 5\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "bext_proxy_upstream_failures_total{upstream=\"api\",cause=\"timeout\"} 1\n"
            ),
            "{text}"
        );
    }
}
