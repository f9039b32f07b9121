//! The validated configuration: plain, typed fields that cannot hold a value the server would
//! have to re-check. Everything here is built either by [`super::parse`] (from a file) or by
//! [`Config::for_directory`] (for `bext serve DIR`).

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::limits;
use crate::waf::{Prefix, RateLimit};

/// Index file names tried for a directory request when a site does not list its own.
pub const INDEX_DEFAULT: &str = "index.html";

/// A whole `bext.config.toml`, validated.
///
/// Invariants (upheld by [`super::parse`] and [`Config::for_directory`]): `sites` is not empty
/// and exactly one site has `default == true`; no host name appears twice across sites.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub server: ServerConfig,
    pub sites: Vec<SiteConfig>,
    pub render: RenderConfig,
    pub waf: WafConfig,
    /// `[[upstream]]`: servers that sites' proxy routes forward to, by index.
    pub upstreams: Vec<Upstream>,
    /// `[realtime]`: the pub/sub endpoints under `/__bext/realtime/`; `None`: off.
    pub realtime: Option<RealtimeConfig>,
    /// `[cluster]`: nodes that share invalidations, bans and realtime events through Redis;
    /// `None`: this node alone.
    pub cluster: Option<ClusterConfig>,
}

/// `[cluster]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterConfig {
    /// `redis://host:port[/db]`, or `rediss://` for TLS.
    pub redis: String,
    /// With `rediss://`: the PEM file of the authority that signed Redis's certificate
    /// (instead of the system's roots).
    pub redis_ca: Option<std::path::PathBuf>,
    /// With `rediss://`: `redis_client_cert` and `redis_client_key`, the certificate shown
    /// to a Redis that asks for one (`tls-auth-clients`, on by default in Redis).
    pub redis_client_cert: Option<ClientCert>,
    /// This node's name on the channel; `None`: the host name and process id.
    pub node: Option<String>,
    /// The Redis pub/sub channel the nodes share.
    pub channel: String,
    /// Offer the pages this node renders or fetches for its cache (ISR pages, kept proxy
    /// answers) to the other nodes, and keep the ones they offer.
    pub share_pages: bool,
}

/// `[realtime]`: topics clients subscribe to (SSE) and servers publish to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RealtimeConfig {
    /// Subscribers need a token signed with this (`core::realtime::token`); `None`: anyone
    /// may subscribe to any topic.
    pub secret: Option<String>,
    /// `POST /__bext/realtime/publish` needs `Authorization: Bearer` this; `None`: no
    /// publishing over HTTP.
    pub publish_token: Option<String>,
    /// Events kept per topic for subscribers that resume (`Last-Event-ID`).
    pub replay_max: usize,
    /// Events of one topic a subscriber may lag behind before it is dropped as too slow.
    pub queue_max: usize,
    /// WebSocket subscribers may negotiate permessage-deflate (a compressor each).
    pub websocket_deflate: bool,
}

/// One `[[upstream]]`: a pool of servers a proxy route forwards to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upstream {
    /// Unique among upstreams; what `[[site.proxy]] upstream` names.
    pub name: String,
    /// At least one.
    pub servers: Vec<UpstreamServer>,
    pub balance: Balance,
    /// Longest wait for a connection to a server, then the next server (or 502/504).
    pub connect_timeout_ms: u64,
    /// Longest wait for the response head after the request is sent, and the longest silence
    /// inside the response body (then 504, or the body is cut off).
    pub timeout_ms: u64,
    /// Idle connections each shard keeps per server for reuse.
    pub idle_connections_max: usize,
    /// How long an idle connection is kept.
    pub idle_ms: u64,
    /// Failures in a row (refused, reset, timed out, a bad response) that eject a server.
    pub fail_max: u32,
    /// How long an ejected server gets no requests; doubled for each ejection in a row.
    pub eject_ms: u64,
    /// Active health checks (`health = { path = "/healthz", … }`); `None`: passive only.
    pub health: Option<HealthCheck>,
    /// A request whose method is not idempotent (POST, PATCH) goes to another server too
    /// after one failed it (its body is held whole, up to `body_bytes_max`): for upstreams
    /// whose such requests are safe to repeat.
    pub retry_non_idempotent: bool,
    /// `tls = true`: HTTPS to the servers, their certificates verified.
    pub tls: Option<UpstreamTls>,
    /// The `Host` the upstream is sent.
    pub host_header: HostHeader,
    /// `protocol`: the HTTP version spoken to the servers.
    pub protocol: UpstreamProtocol,
}

/// `protocol`: which HTTP the proxy speaks to an upstream's servers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum UpstreamProtocol {
    /// `"http1"`, the default: HTTP/1.1, a connection per request in flight, kept alive.
    #[default]
    Http1,
    /// `"http2"`: HTTP/2, every request of a shard to a server multiplexed on one
    /// connection: prior knowledge in the clear (h2c), ALPN `h2` over TLS. What gRPC needs
    /// (trailers, streams both ways at once).
    Http2,
}

/// How the proxy talks TLS to an upstream's servers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpstreamTls {
    /// `tls_sni`: the name sent as SNI and that each server's certificate must name; `None`:
    /// the server's own host (an IP address is sent no SNI and must be in the certificate).
    pub sni: Option<String>,
    /// `tls_ca`: the PEM file of the authorities to trust instead of the system's.
    pub ca: Option<PathBuf>,
    /// `tls_client_cert` and `tls_client_key`: the certificate the proxy shows the servers
    /// when they ask for one (mutual TLS); `None`: it shows none.
    pub client_cert: Option<ClientCert>,
}

/// A client certificate: PEM files of the chain (leaf first) and of its private key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCert {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// `host_header`: which `Host` the proxy sends an upstream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostHeader {
    /// `"client"`, the default: the one the client sent.
    Client,
    /// `"upstream"`: the server's `host:port` as configured (the port left out when it is
    /// the scheme's), nginx's `$proxy_host`; `localhost` for a Unix socket.
    Upstream,
    /// Any other value, sent as it is.
    Fixed(String),
}

/// An upstream's active health check: one shard probes each server and tells the others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthCheck {
    /// What each probe asks.
    pub probe: HealthProbe,
    pub interval_ms: u64,
    /// For the connection and the response head together.
    pub timeout_ms: u64,
    /// Passed probes in a row that bring a down server back.
    pub rise: u32,
    /// Failed probes in a row (no answer, or a status outside 200–399) that take it down.
    pub fall: u32,
}

/// What a health probe asks a server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HealthProbe {
    /// `path`: `GET` of this origin-form target, passed by a status of 200–399 (over the
    /// upstream's protocol).
    Get(String),
    /// `grpc_service`: gRPC's health check (`grpc.health.v1.Health/Check`) for this
    /// service (`""`: the server as a whole), passed by `SERVING`; HTTP/2 upstreams only.
    Grpc(String),
}

/// One server of an upstream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpstreamServer {
    pub address: ServerAddress,
    /// Its share of requests relative to the others (round robin, random_two).
    pub weight: u32,
}

/// How a proxy route picks a server of its upstream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Balance {
    /// In turn, by weight.
    RoundRobin,
    /// The fewest requests in flight (on this shard).
    LeastConn,
    /// Peak EWMA: the lowest recent latency times requests in flight.
    Ewma,
    /// The better of two servers picked at random (by weight).
    RandomTwo,
    /// The same key always goes to the same server while it is up (rendezvous hashing).
    ConsistentHash(HashKey),
}

/// What `consistent_hash` hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HashKey {
    /// The client's address.
    Ip,
    /// A request field's value (lowercase name).
    Header(String),
    /// A cookie's value.
    Cookie(String),
}

/// One `[[site.proxy]]`: requests whose path matches go to an upstream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyRoute {
    /// A glob over the request path, as for `cache_control`.
    pub pattern: String,
    /// Index into [`Config::upstreams`].
    pub upstream: usize,
    /// Removed from the front of the path before forwarding (`/api` makes `/api/x` `/x`).
    pub strip_prefix: Option<String>,
    /// `cache = true`: answers the upstream allows a shared cache to keep (`Cache-Control`)
    /// are kept in the shard's page cache.
    pub cache: bool,
    /// This route's wait for the response head and longest silence in a body or tunnel,
    /// over the upstream's `timeout_ms`.
    pub timeout_ms: Option<u64>,
}

/// `[waf]`: address lists and a rate limit per client, enforced by every shard before a
/// request is routed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WafConfig {
    /// Prefixes let through even inside a denied one (the longest match decides).
    pub allow: Vec<Prefix>,
    /// Prefixes answered 403.
    pub deny: Vec<Prefix>,
    /// Requests per client address per shard; over it, 429 with `retry-after`.
    pub rate: Option<RateLimit>,
    /// The rule engine: the OWASP Core Rule Set and rules of one's own. `None` without
    /// `crs` or `rules`.
    pub rules: Option<WafRules>,
    /// Network interfaces the XDP filter attaches to (`xdp_interfaces`): it drops packets
    /// for bext's ports from `deny`'s prefixes and banned clients before the kernel's stack.
    /// Empty: no XDP.
    pub xdp_interfaces: Vec<String>,
    /// `xdp_steer`: the XDP filter also spreads TCP flows over the shards' CPUs (for NICs
    /// with fewer receive queues than there are shards).
    pub xdp_steer: bool,
}

/// `[waf] crs`, `rules`, `paranoia`, `mode`: what the rule engine loads and how it acts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WafRules {
    /// A Core Rule Set directory (with `crs-setup.conf` or `crs-setup.conf.example`, and
    /// `rules/*.conf`), loaded first.
    pub crs: Option<PathBuf>,
    /// Rule files of one's own, loaded after CRS in this order.
    pub files: Vec<PathBuf>,
    /// CRS's blocking paranoia level, 1 to 4.
    pub paranoia: u8,
    pub mode: WafMode,
    /// CRS's inbound anomaly score threshold; CRS's own (5) when unset.
    pub anomaly_threshold: Option<u32>,
    /// Phase 4 reads response bodies (`SecResponseBodyAccess On`): each response whose
    /// media type the rules list is held, up to their limit, until they have read it.
    pub response_body: bool,
    /// Adds `bext-waf-rules` (the ids of the rules that matched) and `bext-request-id` to
    /// every response: for tests and rule tuning, never for a public server.
    pub expose_matches: bool,
    /// Each shard keeps the outcomes of bodiless requests that repeat byte for byte (and
    /// come from the same address), and answers them without running the rules again
    /// (`waf::secrule::memo`). On unless `memo = false`.
    pub memo: bool,
}

/// Whether the rule engine refuses requests or only reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WafMode {
    /// Refuse what the rules deny (403).
    Block,
    /// Evaluate and log everything, refuse nothing (`SecRuleEngine DetectionOnly`).
    DetectionOnly,
}

/// `[render]`: how app sites (`[[site]] app = ...`) render pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderConfig {
    pub engine: EngineChoice,
    /// Longest one render may run inside the engine, `1..=RENDER_TIMEOUT_MS_CEILING`.
    pub render_timeout_ms: u64,
    /// Heap ceiling of each shard's engine, `1 MiB..=ENGINE_HEAP_BYTES_CEILING`.
    pub heap_bytes_max: usize,
    /// Deadline of one `fetch` made by a loader.
    pub fetch_timeout_ms: u64,
    /// Cache rendered pages (incremental static regeneration).
    pub isr: bool,
    /// Bytes of rendered pages each shard's ISR cache may hold.
    pub isr_bytes_max: usize,
    /// Bearer token `POST /__bext/cache/invalidate` must present; `None` turns the endpoint
    /// off.
    pub invalidate_token: Option<String>,
}

/// Which JavaScript engine renders pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineChoice {
    /// The fastest engine compiled into this binary.
    Auto,
    QuickJs,
    Jsc,
    V8,
}

impl Default for RenderConfig {
    fn default() -> RenderConfig {
        RenderConfig {
            engine: EngineChoice::Auto,
            render_timeout_ms: limits::RENDER_TIMEOUT_MS,
            heap_bytes_max: limits::ENGINE_HEAP_BYTES_MAX,
            fetch_timeout_ms: limits::FETCH_TIMEOUT_MS,
            isr: true,
            isr_bytes_max: limits::ISR_CACHE_BYTES_MAX,
            invalidate_token: None,
        }
    }
}

/// `[server]`: process-wide settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    /// Never empty, no duplicates.
    pub listen: Vec<SocketAddr>,
    /// Addresses that speak HTTPS (TLS, then HTTP/1.1); empty without `listen_tls`.
    pub listen_tls: Vec<SocketAddr>,
    /// UDP addresses that speak HTTP/3 over QUIC, with the TLS sites' certificates:
    /// `listen_quic`, plus every `listen_tls` address when `http3 = true`. Empty by default.
    pub listen_quic: Vec<SocketAddr>,
    /// `http3 = true`: QUIC on every `listen_tls` address too (the same port over UDP; a
    /// port 0 there takes the port the TCP listener got).
    pub http3: bool,
    /// Answer a new QUIC connection's first Initial with a Retry (RFC 9000 §8.1.2): the
    /// client proves its address before the server keeps any state for it, and its next
    /// packets name the shard that will own the connection. On by default; it costs one
    /// round trip per new connection.
    pub quic_retry: bool,
    /// `None` means "auto": one shard per available core, decided by the runtime.
    pub shards: Option<usize>,
    pub access_log: AccessLog,
    pub access_log_format: LogFormat,
    /// Who may use `/__bext/health` and `/__bext/metrics`.
    pub ops_endpoints: OpsEndpoints,
    /// HTTP/2: offered by ALPN on `listen_tls` addresses, and taken with prior knowledge
    /// (h2c) on `listen` ones. On by default.
    pub http2: bool,
    /// TLS session resumption by stateless tickets (nginx's `ssl_session_tickets`). On by
    /// default; off, every handshake is a full one.
    pub tls_session_tickets: bool,
    /// Move each TLS connection's record layer into the kernel after the handshake (kTLS)
    /// where the kernel offers it; off by default, as nginx's is.
    pub ktls: bool,
    pub timeouts: Timeouts,
    pub limits: ServerLimits,
}

/// Where access-log lines go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccessLog {
    Off,
    Stdout,
    Stderr,
    /// Already resolved against the config file's directory.
    File(PathBuf),
}

/// Who may reach bext's own endpoints (`/__bext/…`). For anyone else the path is an ordinary
/// request path of the site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpsEndpoints {
    /// Clients on a loopback address only (the default: metrics are not for the internet).
    Loopback,
    /// Every client.
    Any,
    /// Nobody.
    Off,
}

impl OpsEndpoints {
    /// Whether a client at `peer` may use the endpoints.
    pub fn allows(self, peer: std::net::IpAddr) -> bool {
        match self {
            OpsEndpoints::Loopback => peer.is_loopback() || peer.to_canonical().is_loopback(),
            OpsEndpoints::Any => true,
            OpsEndpoints::Off => false,
        }
    }
}

/// How each access-log line is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// The Apache/nginx "combined" format.
    Combined,
    /// One JSON object per line.
    Json,
}

/// Every wait the server bounds, in milliseconds. Each is in `1..=TIMEOUT_MS_CEILING`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub header_read_timeout_ms: u64,
    pub body_idle_timeout_ms: u64,
    pub keepalive_idle_timeout_ms: u64,
    pub write_stall_timeout_ms: u64,
    pub drain_deadline_ms: u64,
    /// From accept to a finished TLS handshake on a `listen_tls` address.
    pub tls_handshake_timeout_ms: u64,
}

/// The per-server bounds a config may tighten (or raise up to a ceiling).
///
/// Invariants: every field is at least 1; `request_line_bytes_max <= header_bytes_max <=
/// limits::HEADER_BYTES_CEILING`; `header_count_max <= limits::HEADER_COUNT_MAX`;
/// `file_cache_entry_bytes_max <= file_cache_bytes_max`; the rest are under the ceilings in
/// [`super::ceilings`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerLimits {
    pub request_line_bytes_max: usize,
    pub header_count_max: usize,
    pub header_bytes_max: usize,
    pub pipeline_depth_max: usize,
    pub connections_per_shard_max: usize,
    pub file_cache_bytes_max: usize,
    pub file_cache_entry_bytes_max: usize,
    pub file_cache_revalidate_ms: u64,
}

/// One `[[site]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteConfig {
    /// Lowercase, without a trailing dot: exact names (`example.com`, `127.0.0.1`, `[::1]`)
    /// and wildcards (`*.example.com`). May be empty for a site that only serves as default.
    pub hosts: Vec<String>,
    /// Exactly one site of a [`Config`] has this set.
    pub default: bool,
    /// Already resolved against the config file's directory; not checked for existence (the
    /// core does no I/O: the binary checks it at start-up). For an app site without its own
    /// `root` this is the app's `public/` directory, which may be missing; empty for a site
    /// that only proxies (no `root`, no `app`), which serves no files.
    pub root: PathBuf,
    /// An app directory (`app/**/page.tsx`, `public/`, ...) whose pages this site renders;
    /// resolved like `root`.
    pub app: Option<PathBuf>,
    /// Plain file names (no `/`, not `.` or `..`), tried in order for a directory request.
    pub index: Vec<String>,
    /// Serve path segments that start with `.`.
    pub dotfiles: bool,
    /// Look for `.br` / `.gz` siblings of a requested file.
    pub precompressed: bool,
    /// Largest request body accepted, then 413. May be 0: a static site takes no bodies.
    pub body_bytes_max: u64,
    /// Extra response headers, in file order: names are lowercase HTTP tokens, unique, never a
    /// framing or hop-by-hop header; values are visible ASCII with inner spaces or tabs.
    pub headers: Vec<(String, String)>,
    /// `Cache-Control` rules; the first whose pattern matches the request path wins.
    pub cache_control: Vec<CacheRule>,
    /// Globs over the decoded path that no client may ask for (404), which an
    /// `X-Accel-Redirect` from the site's FastCGI server or a proxied upstream still reaches:
    /// nginx's `internal`.
    pub internal: Vec<String>,
    /// Status (400..=599, unique) to a page path relative to the site root (no leading `/`,
    /// no `..` segment), in file order.
    pub error_pages: Vec<(u16, String)>,
    /// The site's certificate for `listen_tls` addresses, chosen by SNI.
    pub tls: Option<SiteTls>,
    /// Answer plain-HTTP requests with a 308 to the same URL over HTTPS (needs `tls`).
    pub https_redirect: bool,
    /// The `strict-transport-security` value sent on responses over HTTPS only (RFC 6797
    /// §7.2: never over plain HTTP); needs `tls`.
    pub hsts: Option<String>,
    /// `[site.waf]`: the site's own lists and rule-engine overrides.
    pub waf: SiteWaf,
    /// `[[site.proxy]]`, in file order: the first whose pattern matches forwards the
    /// request.
    pub proxy: Vec<ProxyRoute>,
    /// `[site.fastcgi]`: scripts beneath `root` run by a FastCGI server (PHP-FPM).
    pub fastcgi: Option<FastCgi>,
}

/// Where a server (an upstream's, a FastCGI one) listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerAddress {
    /// `host:port`: an IP address or a name resolved when the config loads.
    Tcp { host: String, port: u16 },
    /// `unix:/run/php/php-fpm.sock` (relative paths from the config file's directory).
    Unix(PathBuf),
}

/// `[site.fastcgi]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FastCgi {
    pub server: ServerAddress,
    /// A path segment ending in `.EXT` for one of these names a script (`["php"]`).
    pub extensions: Vec<String>,
    /// Run for a directory's path when the directory holds it (`index.php`).
    pub index: String,
    /// A path that is no file and no script runs this script (`/index.php`), with the
    /// path in `REQUEST_URI`: the `try_files $uri $uri/ /index.php?$args` of WordPress and
    /// Laravel.
    pub front_controller: Option<String>,
    pub connect_timeout_ms: u64,
    /// For the response head, and the longest silence in the response body.
    pub timeout_ms: u64,
    /// `keepalive_max`: connections each shard keeps open to the server between requests
    /// (`FCGI_KEEP_CONN`); 0, the default: a connection per request. PHP-FPM gives each kept
    /// connection a worker of its own while it is open.
    pub keepalive_max: usize,
}

/// `[site.waf]`: what one site changes of `[waf]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SiteWaf {
    /// Prefixes let through inside the site's own `deny` (the longest match decides).
    pub allow: Vec<Prefix>,
    /// Prefixes answered 403 on this site, after `[waf]`'s own lists (which decide first:
    /// a site cannot let in an address `[waf]` denies, which XDP may drop before any Host
    /// is known).
    pub deny: Vec<Prefix>,
    /// `rules = false`: the rule engine does not inspect this site's requests.
    pub rules_off: bool,
    /// CRS's paranoia level for this site (`[waf] paranoia` otherwise).
    pub paranoia: Option<u8>,
    pub mode: Option<WafMode>,
    pub anomaly_threshold: Option<u32>,
}

impl SiteWaf {
    /// The rule settings this site's requests are inspected with: `[waf]`'s with this
    /// site's overrides; `None` without rules or with `rules = false`.
    pub fn rules(&self, global: Option<&WafRules>) -> Option<WafRules> {
        if self.rules_off {
            return None;
        }
        let mut rules = global?.clone();
        rules.paranoia = self.paranoia.unwrap_or(rules.paranoia);
        rules.mode = self.mode.unwrap_or(rules.mode);
        rules.anomaly_threshold = self.anomaly_threshold.or(rules.anomaly_threshold);
        Some(rules)
    }
}

/// Where a site's certificate comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SiteTls {
    /// PEM files, resolved like `root`: the chain (leaf first) and its private key; `ocsp`,
    /// a DER OCSP response for the leaf, stapled to every handshake (re-read on reload, so a
    /// job that refreshes the file and sends SIGHUP keeps the staple fresh).
    Files {
        cert: PathBuf,
        key: PathBuf,
        ocsp: Option<PathBuf>,
    },
    /// A certificate made at start for the site's hosts (development: no client trusts it).
    SelfSigned,
    /// A certificate for the site's hosts from an ACME CA (Let's Encrypt by default), obtained
    /// and renewed by the ACME thread and kept in `storage`.
    Acme(Acme),
}

/// `tls = { acme = { … } }`: where and how to get the site's certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acme {
    /// The account's contact (`mailto:`), if given.
    pub email: Option<String>,
    /// The CA's directory URL (`https://…`).
    pub directory: String,
    /// A PEM root to trust for the directory's HTTPS instead of the system's (a private CA,
    /// Pebble, a test server).
    pub ca: Option<PathBuf>,
    /// How the CA checks that we control the names.
    pub challenge: AcmeChallenge,
    /// The folder the account and certificates are kept in, resolved like `root`.
    pub storage: PathBuf,
}

/// Let's Encrypt's production directory: the default `directory`.
pub const ACME_DIRECTORY_DEFAULT: &str = "https://acme-v02.api.letsencrypt.org/directory";

/// An ACME challenge type bext answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcmeChallenge {
    /// RFC 8737: a certificate for the name on the TLS listener, with ALPN `acme-tls/1`.
    TlsAlpn01,
    /// RFC 8555 §8.3: a token at `/.well-known/acme-challenge/` over plain HTTP.
    Http01,
}

impl AcmeChallenge {
    /// The name the CA and the config use.
    pub fn name(self) -> &'static str {
        match self {
            AcmeChallenge::TlsAlpn01 => "tls-alpn-01",
            AcmeChallenge::Http01 => "http-01",
        }
    }
}

/// One `[[site.cache_control]]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheRule {
    /// A glob over the request path, as written; known to compile with
    /// [`crate::static_files::compile_glob`], which defines what it matches.
    pub pattern: String,
    /// The `Cache-Control` value to send, a valid field value.
    pub value: String,
}

impl Config {
    /// The config `bext serve DIR` runs with: one default site rooted at `root` with every
    /// setting at its default. The CLI then overrides `listen` and `shards`.
    pub fn for_directory(root: PathBuf) -> Config {
        Config {
            server: ServerConfig::default(),
            sites: vec![SiteConfig::new(root)],
            render: RenderConfig::default(),
            waf: WafConfig::default(),
            upstreams: Vec::new(),
            realtime: None,
            cluster: None,
        }
    }
}

impl Config {
    /// The config `bext serve DIR` runs with when `DIR` holds an `app/` directory: one default
    /// site rendering that app, with its `public/` as the static root.
    pub fn for_app(app: PathBuf) -> Config {
        let mut site = SiteConfig::new(app.join("public"));
        site.app = Some(app);
        Config {
            server: ServerConfig::default(),
            sites: vec![site],
            render: RenderConfig::default(),
            waf: WafConfig::default(),
            upstreams: Vec::new(),
            realtime: None,
            cluster: None,
        }
    }
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            listen: vec![listen_default()],
            listen_tls: Vec::new(),
            listen_quic: Vec::new(),
            http3: false,
            quic_retry: true,
            shards: None,
            access_log: AccessLog::Off,
            access_log_format: LogFormat::Combined,
            ops_endpoints: OpsEndpoints::Loopback,
            http2: true,
            tls_session_tickets: true,
            ktls: false,
            timeouts: Timeouts::default(),
            limits: ServerLimits::default(),
        }
    }
}

impl SiteConfig {
    /// A default site serving `root` with every setting at its default.
    pub fn new(root: PathBuf) -> SiteConfig {
        SiteConfig {
            hosts: Vec::new(),
            default: true,
            root,
            app: None,
            index: vec![INDEX_DEFAULT.to_owned()],
            dotfiles: false,
            precompressed: true,
            body_bytes_max: limits::BODY_BYTES_MAX,
            headers: Vec::new(),
            cache_control: Vec::new(),
            internal: Vec::new(),
            error_pages: Vec::new(),
            tls: None,
            https_redirect: false,
            hsts: None,
            waf: SiteWaf::default(),
            proxy: Vec::new(),
            fastcgi: None,
        }
    }
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            header_read_timeout_ms: limits::HEADER_READ_TIMEOUT_MS,
            body_idle_timeout_ms: limits::BODY_IDLE_TIMEOUT_MS,
            keepalive_idle_timeout_ms: limits::KEEPALIVE_IDLE_TIMEOUT_MS,
            write_stall_timeout_ms: limits::WRITE_STALL_TIMEOUT_MS,
            drain_deadline_ms: limits::DRAIN_DEADLINE_MS,
            tls_handshake_timeout_ms: limits::TLS_HANDSHAKE_TIMEOUT_MS,
        }
    }
}

impl Default for ServerLimits {
    fn default() -> ServerLimits {
        ServerLimits {
            request_line_bytes_max: limits::REQUEST_LINE_BYTES_MAX,
            header_count_max: limits::HEADER_COUNT_MAX,
            header_bytes_max: limits::HEADER_BYTES_MAX,
            pipeline_depth_max: limits::PIPELINE_DEPTH_MAX,
            connections_per_shard_max: limits::CONNECTIONS_PER_SHARD_MAX,
            file_cache_bytes_max: limits::FILE_CACHE_BYTES_MAX,
            file_cache_entry_bytes_max: limits::FILE_CACHE_ENTRY_BYTES_MAX,
            file_cache_revalidate_ms: limits::FILE_CACHE_REVALIDATE_MS,
        }
    }
}

/// Where `bext` listens if neither the config nor the CLI says otherwise: `0.0.0.0:8080`.
pub fn listen_default() -> SocketAddr {
    SocketAddr::from(([0, 0, 0, 0], 8080))
}
