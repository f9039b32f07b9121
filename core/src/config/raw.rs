//! The serde mirror of `bext.config.toml`: private, permissive in shape, strict in names.
//!
//! Every struct denies unknown keys, so a typo is an error naming the key. Every value a later
//! check may refuse is wrapped in `toml::Spanned`, so that check can say where it is. Values
//! are kept as close to the text as possible (strings stay strings, integers stay `u64`);
//! turning them into the model's types is `validate`'s job.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use toml::Spanned;

// `expecting` words serde's type errors ("expected a [server] table", not the Rust name).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a TOML document")]
pub(super) struct RawConfig {
    #[serde(default)]
    pub server: RawServer,
    #[serde(default)]
    pub site: Vec<Spanned<RawSite>>,
    #[serde(default)]
    pub render: RawRender,
    #[serde(default)]
    pub waf: RawWaf,
    #[serde(default)]
    pub upstream: Vec<Spanned<RawUpstream>>,
    pub realtime: Option<Spanned<RawRealtime>>,
    pub cluster: Option<Spanned<RawCluster>>,
}

/// `[cluster]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [cluster] table")]
pub(super) struct RawCluster {
    pub redis: Spanned<String>,
    pub redis_ca: Option<Spanned<String>>,
    pub redis_client_cert: Option<Spanned<String>>,
    pub redis_client_key: Option<Spanned<String>>,
    pub node: Option<Spanned<String>>,
    pub channel: Option<Spanned<String>>,
    pub share_pages: Option<bool>,
}

/// `[realtime]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [realtime] table")]
pub(super) struct RawRealtime {
    pub secret: Option<Spanned<String>>,
    pub publish_token: Option<Spanned<String>>,
    pub replay_max: Option<Spanned<u64>>,
    pub queue_max: Option<Spanned<u64>>,
    pub websocket_deflate: Option<bool>,
}

/// `[[upstream]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an [[upstream]] table")]
pub(super) struct RawUpstream {
    pub name: Spanned<String>,
    #[serde(default)]
    pub servers: Vec<Spanned<String>>,
    pub balance: Option<Spanned<String>>,
    pub connect_timeout_ms: Option<Spanned<u64>>,
    pub timeout_ms: Option<Spanned<u64>>,
    pub idle_connections_max: Option<Spanned<u64>>,
    pub idle_ms: Option<Spanned<u64>>,
    pub fail_max: Option<Spanned<u64>>,
    pub eject_ms: Option<Spanned<u64>>,
    pub health: Option<Spanned<RawHealth>>,
    pub retry_non_idempotent: Option<bool>,
    pub tls: Option<Spanned<bool>>,
    pub tls_sni: Option<Spanned<String>>,
    pub tls_ca: Option<Spanned<String>>,
    pub tls_client_cert: Option<Spanned<String>>,
    pub tls_client_key: Option<Spanned<String>>,
    pub host_header: Option<Spanned<String>>,
    pub protocol: Option<Spanned<String>>,
}

/// `[[upstream]] health = { … }`.
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a health table: { path = \"/healthz\" or grpc_service = \"name\", interval_ms = N, timeout_ms = N, rise = N, fall = N }"
)]
pub(super) struct RawHealth {
    pub path: Option<Spanned<String>>,
    pub grpc_service: Option<Spanned<String>>,
    pub interval_ms: Option<Spanned<u64>>,
    pub timeout_ms: Option<Spanned<u64>>,
    pub rise: Option<Spanned<u64>>,
    pub fall: Option<Spanned<u64>>,
}

/// `[[site.proxy]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [[site.proxy]] table")]
pub(super) struct RawProxyRoute {
    #[serde(rename = "match")]
    pub pattern: Spanned<String>,
    pub upstream: Spanned<String>,
    pub strip_prefix: Option<Spanned<String>>,
    pub cache: Option<bool>,
    pub timeout_ms: Option<Spanned<u64>>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [waf] table")]
pub(super) struct RawWaf {
    #[serde(default)]
    pub allow: Vec<Spanned<String>>,
    #[serde(default)]
    pub deny: Vec<Spanned<String>>,
    pub rate: Option<Spanned<RawRate>>,
    pub crs: Option<Spanned<String>>,
    #[serde(default)]
    pub rules: Vec<Spanned<String>>,
    pub paranoia: Option<Spanned<u64>>,
    pub mode: Option<Spanned<String>>,
    pub anomaly_threshold: Option<Spanned<u64>>,
    pub response_body: Option<Spanned<bool>>,
    pub expose_matches: Option<bool>,
    pub memo: Option<Spanned<bool>>,
    #[serde(default)]
    pub xdp_interfaces: Vec<Spanned<String>>,
    pub xdp_steer: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a rate table: { requests_per_sec = N, burst = M, ban_after = K, ban_secs = S }"
)]
pub(super) struct RawRate {
    pub requests_per_sec: Spanned<u64>,
    pub burst: Option<Spanned<u64>>,
    pub ban_after: Option<Spanned<u64>>,
    pub ban_secs: Option<Spanned<u64>>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [render] table")]
pub(super) struct RawRender {
    pub engine: Option<Spanned<String>>,
    pub render_timeout_ms: Option<Spanned<u64>>,
    pub heap_bytes_max: Option<Spanned<u64>>,
    pub fetch_timeout_ms: Option<Spanned<u64>>,
    pub isr: Option<bool>,
    pub isr_bytes_max: Option<Spanned<u64>>,
    pub invalidate_token: Option<Spanned<String>>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [server] table")]
pub(super) struct RawServer {
    pub listen: Option<Spanned<Listen>>,
    pub listen_tls: Option<Spanned<Listen>>,
    pub listen_quic: Option<Spanned<Listen>>,
    pub http3: Option<Spanned<bool>>,
    pub quic_retry: Option<bool>,
    pub shards: Option<Spanned<Shards>>,
    pub access_log: Option<Spanned<String>>,
    pub access_log_format: Option<Spanned<String>>,
    pub ops_endpoints: Option<Spanned<String>>,
    pub http2: Option<bool>,
    pub tls_session_tickets: Option<bool>,
    pub ktls: Option<bool>,

    pub header_read_timeout_ms: Option<Spanned<u64>>,
    pub body_idle_timeout_ms: Option<Spanned<u64>>,
    pub keepalive_idle_timeout_ms: Option<Spanned<u64>>,
    pub write_stall_timeout_ms: Option<Spanned<u64>>,
    pub drain_deadline_ms: Option<Spanned<u64>>,
    pub tls_handshake_timeout_ms: Option<Spanned<u64>>,

    pub request_line_bytes_max: Option<Spanned<u64>>,
    pub header_count_max: Option<Spanned<u64>>,
    pub header_bytes_max: Option<Spanned<u64>>,
    pub pipeline_depth_max: Option<Spanned<u64>>,
    pub connections_per_shard_max: Option<Spanned<u64>>,
    pub file_cache_bytes_max: Option<Spanned<u64>>,
    pub file_cache_entry_bytes_max: Option<Spanned<u64>>,
    pub file_cache_revalidate_ms: Option<Spanned<u64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [[site]] table")]
pub(super) struct RawSite {
    #[serde(default)]
    pub hosts: Vec<Spanned<String>>,
    pub default: Option<Spanned<bool>>,
    pub root: Option<Spanned<String>>,
    pub app: Option<Spanned<String>>,
    pub index: Option<Vec<Spanned<String>>>,
    pub dotfiles: Option<bool>,
    pub precompressed: Option<bool>,
    pub body_bytes_max: Option<Spanned<u64>>,
    #[serde(default)]
    pub headers: Pairs,
    #[serde(default)]
    pub cache_control: Vec<RawCacheRule>,
    #[serde(default)]
    pub internal: Vec<Spanned<String>>,
    #[serde(default)]
    pub error_pages: Pairs,
    pub tls: Option<Spanned<RawTls>>,
    pub https_redirect: Option<Spanned<bool>>,
    pub hsts: Option<Spanned<String>>,
    pub waf: Option<Spanned<RawSiteWaf>>,
    #[serde(default)]
    pub proxy: Vec<Spanned<RawProxyRoute>>,
    pub fastcgi: Option<Spanned<RawFastCgi>>,
}

/// `[site.fastcgi]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [site.fastcgi] table")]
pub(super) struct RawFastCgi {
    pub server: Spanned<String>,
    pub extensions: Option<Vec<Spanned<String>>>,
    pub index: Option<Spanned<String>>,
    pub front_controller: Option<Spanned<String>>,
    pub connect_timeout_ms: Option<Spanned<u64>>,
    pub timeout_ms: Option<Spanned<u64>>,
    pub keepalive_max: Option<Spanned<u64>>,
}

/// `[site.waf]`: a site's own address lists and its overrides of the rule engine.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [site.waf] table")]
pub(super) struct RawSiteWaf {
    #[serde(default)]
    pub allow: Vec<Spanned<String>>,
    #[serde(default)]
    pub deny: Vec<Spanned<String>>,
    pub rules: Option<Spanned<bool>>,
    pub paranoia: Option<Spanned<u64>>,
    pub mode: Option<Spanned<String>>,
    pub anomaly_threshold: Option<Spanned<u64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [[site.cache_control]] table")]
pub(super) struct RawCacheRule {
    #[serde(rename = "match")]
    pub pattern: Spanned<String>,
    pub value: Spanned<String>,
}

/// `tls = "self-signed"`, `tls = { cert = "…", key = "…", ocsp = "…" }` or
/// `tls = { acme = { … } }`. A hand-written
/// visitor rather than `#[serde(untagged)]`, which would let a misspelt key in the table pass
/// unnoticed (an untagged variant cannot deny unknown fields).
pub(super) enum RawTls {
    Named(String),
    Table(RawTlsTable),
}

/// The table form: files (`cert`, `key`, `ocsp`) or `acme`; which combination is valid is
/// checked in `validate`, where the error can name the key.
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a table with `cert` and `key` (and `ocsp`), or `acme`"
)]
pub(super) struct RawTlsTable {
    pub cert: Option<String>,
    pub key: Option<String>,
    pub ocsp: Option<String>,
    pub acme: Option<RawAcme>,
}

/// `acme = { email = "…", directory = "…", ca = "…", challenge = "…", storage = "…" }`.
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a table with `email`, `directory`, `ca`, `challenge` or `storage`"
)]
pub(super) struct RawAcme {
    pub email: Option<String>,
    pub directory: Option<String>,
    pub ca: Option<String>,
    pub challenge: Option<String>,
    pub storage: Option<String>,
}

impl<'de> Deserialize<'de> for RawTls {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RawTls, D::Error> {
        struct TlsVisitor;
        impl<'de> Visitor<'de> for TlsVisitor {
            type Value = RawTls;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("\"self-signed\" or a table with `cert` and `key`, or `acme`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawTls, E> {
                Ok(RawTls::Named(v.to_owned()))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<RawTls, A::Error> {
                let table = RawTlsTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawTls::Table(table))
            }
        }
        deserializer.deserialize_any(TlsVisitor)
    }
}

/// `listen = "addr"` or `listen = ["addr", ...]`. A hand-written visitor rather than
/// `#[serde(untagged)]`, whose error ("did not match any variant") would hide the real one.
pub(super) enum Listen {
    /// Its span is the span of the enclosing `Spanned<Listen>`.
    One(String),
    Many(Vec<Spanned<String>>),
}

/// `shards = 4` or `shards = "auto"`; the word and the range are checked later, with a span.
pub(super) enum Shards {
    Count(i64),
    Word(String),
}

/// A table whose keys are data (header names, status codes), in file order. Keys and values
/// keep their spans; values stay `toml::Value` so that a value of the wrong type becomes a
/// located error naming its key, rather than a serde error whose path cannot name a spanned
/// key.
#[derive(Default)]
pub(super) struct Pairs(pub Vec<(Spanned<String>, Spanned<toml::Value>)>);

impl<'de> Deserialize<'de> for Listen {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Listen, D::Error> {
        struct ListenVisitor;
        impl<'de> Visitor<'de> for ListenVisitor {
            type Value = Listen;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a socket address or a list of socket addresses")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Listen, E> {
                Ok(Listen::One(v.to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Listen, A::Error> {
                let mut addresses = Vec::new();
                while let Some(address) = seq.next_element()? {
                    addresses.push(address);
                }
                Ok(Listen::Many(addresses))
            }
        }
        deserializer.deserialize_any(ListenVisitor)
    }
}

impl<'de> Deserialize<'de> for Shards {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Shards, D::Error> {
        struct ShardsVisitor;
        impl<'de> Visitor<'de> for ShardsVisitor {
            type Value = Shards;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a shard count or \"auto\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Shards, E> {
                Ok(Shards::Count(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Shards, E> {
                Ok(Shards::Count(i64::try_from(v).unwrap_or(i64::MAX)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Shards, E> {
                Ok(Shards::Word(v.to_owned()))
            }
        }
        deserializer.deserialize_any(ShardsVisitor)
    }
}

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Pairs, D::Error> {
        struct PairsVisitor;
        impl<'de> Visitor<'de> for PairsVisitor {
            type Value = Pairs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
                let mut pairs = Vec::new();
                while let Some(key) = map.next_key()? {
                    pairs.push((key, map.next_value()?));
                }
                Ok(Pairs(pairs))
            }
        }
        deserializer.deserialize_map(PairsVisitor)
    }
}
