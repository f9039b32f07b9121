//! One config, ready to serve: shared read-only by every shard through `Arc`.
//!
//! Building a snapshot is the only place site roots are opened and apps compiled, so a
//! missing root or a page that does not compile is reported at start-up or on reload, never
//! per request.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bext_core::config::{Config, EngineChoice, ServerAddress, WafRules};
use bext_core::sites::SiteTable;
use bext_core::static_files::CacheControlRules;
use bext_core::waf::secrule::RuleSet;
use bext_engine::{EngineKind, Limits};
use bext_net::fields::Field;
use bext_net::h1;
use bext_render::load::AppLoader;
use bext_shards::sys;

use crate::service::app::AppSite;

pub struct Snapshot {
    /// Unique in the process: shards name the snapshot a mesh message was made under, so a
    /// peer on another snapshot (mid-reload) can tell that its site numbers differ.
    pub(crate) id: u64,
    pub config: Config,
    pub sites: SiteTable,
    pub(crate) site_runtime: Vec<SiteRuntime>,
    /// Bounds and deadlines of an HTTP/1.1 connection under this config.
    pub(crate) h1: h1::ConnConfig,
    /// The certificates `listen_tls` addresses serve (by SNI), when a site has `tls`.
    pub(crate) tls: Option<Arc<rustls::ServerConfig>>,
    /// The same certificates and keys as loaded, for QUIC's TLS (empty without `tls`).
    pub(crate) site_keys: Arc<[crate::transport::tls::certs::SiteKeys]>,
    /// `[waf] allow` and `deny`, ready for lookups (shared read-only by every shard).
    pub(crate) ip_rules: bext_core::waf::IpRules,
    /// Each `[[upstream]]`'s servers resolved, their names and trust (and the upstreams
    /// next.config's rewrites to other servers added to `config.upstreams`).
    pub(crate) upstreams: crate::service::proxy::setup::Upstreams,
}

/// What a site needs at request time, prepared once per config.
pub(crate) struct SiteRuntime {
    /// The site root, opened once: files are opened beneath it with `openat2`, so a request
    /// can never leave it, whatever symlinks or renames happen on disk. `None` for an app
    /// site whose `public/` does not exist: it serves no files.
    pub root: Option<OwnedFd>,
    pub cache_control: CacheControlRules,
    /// The site's extra response headers, as fields.
    pub extra_headers: Vec<Field>,
    /// `strict-transport-security`, added to responses over HTTPS.
    pub hsts: Option<Field>,
    /// The compiled app of an app site.
    pub app: Option<Arc<AppSite>>,
    /// `[site.waf] allow` and `deny`, asked after `[waf]`'s own lists.
    pub ip_rules: bext_core::waf::IpRules,
    /// The rule set this site's requests are inspected with (`[waf]`'s, or one loaded for
    /// the site's overrides; shared by the sites with the same settings); `None`: none.
    pub rules: Option<Arc<bext_core::waf::secrule::RuleSet>>,
    /// `[[site.proxy]]`'s patterns, in order (the route's index is the position).
    pub proxy: Vec<globset::GlobMatcher>,
    /// The site's `internal` patterns, over the decoded path; `None` without any.
    pub internal: Option<globset::GlobSet>,
    /// `[site.fastcgi]`'s server, resolved.
    pub fastcgi: Option<PeerAddr>,
    /// The site root as an absolute path without symlinks, for `DOCUMENT_ROOT` and
    /// `SCRIPT_FILENAME` (the FastCGI server resolves them from its own directory).
    pub document_root: String,
}

pub(crate) use crate::upstream::PeerAddr;

#[derive(Debug)]
pub struct SnapshotError(pub String);

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SnapshotError {}

impl Snapshot {
    /// Opens every site root and compiles the per-site rules. The only I/O is opening the
    /// roots, so a missing root is reported here, at start-up or reload, never per request.
    pub fn build(config: Config) -> Result<Snapshot, SnapshotError> {
        AppBuilder::new(false).build(config)
    }

    /// Whether any site is served by `bext dev`.
    pub(crate) fn dev_mode(&self) -> bool {
        self.site_runtime
            .iter()
            .any(|s| s.app.as_ref().is_some_and(|a| a.dev))
    }
}

/// Builds snapshots, keeping each app's compiler between builds so a reload recompiles only
/// the modules that changed (`bext dev` reloads on every save).
pub struct AppBuilder {
    dev: bool,
    loaders: HashMap<PathBuf, AppLoader>,
}

impl AppBuilder {
    pub fn new(dev: bool) -> AppBuilder {
        AppBuilder {
            dev,
            loaders: HashMap::new(),
        }
    }

    pub fn build(&mut self, config: Config) -> Result<Snapshot, SnapshotError> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let mut site_runtime = Vec::with_capacity(config.sites.len());
        for (i, site) in config.sites.iter().enumerate() {
            let app = match &site.app {
                Some(dir) => Some(self.app(i, dir, &config)?),
                None => None,
            };
            // An app's own public/ may be missing, and a site that only proxies has no root:
            // the site then serves no files.
            let root =
                if app.as_ref().is_some_and(|a| a.no_public) || site.root.as_os_str().is_empty() {
                    None
                } else {
                    Some(sys::open_root(&site.root).map_err(|e| {
                        SnapshotError(format!(
                            "site[{i}].root: cannot open directory {}: {e}",
                            site.root.display()
                        ))
                    })?)
                };
            let rules: Vec<(&str, &str)> = site
                .cache_control
                .iter()
                .map(|r| (r.pattern.as_str(), r.value.as_str()))
                .collect();
            let cache_control = CacheControlRules::new(&rules)
                .map_err(|e| SnapshotError(format!("site[{i}].cache_control: {e}")))?;
            let extra_headers = site
                .headers
                .iter()
                .map(|(name, value)| {
                    Field::new(name.as_bytes(), value.as_bytes())
                        .map_err(|e| SnapshotError(format!("site[{i}].headers.{name}: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let hsts = site
                .hsts
                .as_deref()
                .and_then(|value| Field::new(b"strict-transport-security", value.as_bytes()).ok());
            let proxy = site
                .proxy
                .iter()
                .map(|route| {
                    bext_core::static_files::compile_glob(&route.pattern)
                        .map(|glob| glob.compile_matcher())
                        .map_err(|e| SnapshotError(format!("site[{i}].proxy.match: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let internal = if site.internal.is_empty() {
                None
            } else {
                let mut set = globset::GlobSetBuilder::new();
                for pattern in &site.internal {
                    set.add(
                        bext_core::static_files::compile_glob(pattern)
                            .map_err(|e| SnapshotError(format!("site[{i}].internal: {e}")))?,
                    );
                }
                Some(
                    set.build()
                        .map_err(|e| SnapshotError(format!("site[{i}].internal: {e}")))?,
                )
            };
            let fastcgi = match site.fastcgi.as_ref().map(|f| &f.server) {
                Some(ServerAddress::Tcp { host, port }) => {
                    Some(PeerAddr::Tcp(resolve(host, *port).map_err(|e| {
                        SnapshotError(format!("site[{i}].fastcgi.server: {host}:{port}: {e}"))
                    })?))
                }
                Some(ServerAddress::Unix(path)) => Some(PeerAddr::Unix(path.clone())),
                None => None,
            };
            let document_root = if site.fastcgi.is_some() {
                std::fs::canonicalize(&site.root)
                    .map_err(|e| {
                        SnapshotError(format!(
                            "site[{i}].root: cannot resolve {}: {e}",
                            site.root.display()
                        ))
                    })?
                    .to_string_lossy()
                    .into_owned()
            } else {
                String::new()
            };
            site_runtime.push(SiteRuntime {
                internal,
                root,
                fastcgi,
                document_root,
                cache_control,
                extra_headers,
                hsts,
                app,
                ip_rules: bext_core::waf::IpRules::new(&site.waf.allow, &site.waf.deny),
                rules: None,
                proxy,
            });
        }
        // One rule set per distinct setting: most configs load exactly one.
        let mut loaded: Vec<(WafRules, Arc<RuleSet>)> = Vec::new();
        for (site, runtime) in config.sites.iter().zip(&mut site_runtime) {
            let Some(wanted) = site.waf.rules(config.waf.rules.as_ref()) else {
                continue;
            };
            let rules = match loaded.iter().find(|(settings, _)| *settings == wanted) {
                Some((_, rules)) => rules.clone(),
                None => {
                    let rules = Arc::new(crate::waf_rules::load(&wanted).map_err(SnapshotError)?);
                    loaded.push((wanted, rules.clone()));
                    rules
                }
            };
            runtime.rules = Some(rules);
        }
        let limits = &config.server.limits;
        let timeouts = &config.server.timeouts;
        let h1 = h1::ConnConfig {
            limits: h1::Limits {
                request_line_bytes_max: limits.request_line_bytes_max,
                header_count_max: limits.header_count_max,
                header_bytes_max: limits.header_bytes_max,
            },
            pipeline_depth_max: limits.pipeline_depth_max,
            header_read_timeout: Duration::from_millis(timeouts.header_read_timeout_ms),
            body_idle_timeout: Duration::from_millis(timeouts.body_idle_timeout_ms),
            keepalive_idle_timeout: Duration::from_millis(timeouts.keepalive_idle_timeout_ms),
            write_stall_timeout: Duration::from_millis(timeouts.write_stall_timeout_ms),
        };
        let sites = SiteTable::new(&config.sites);
        let (tls, site_keys) =
            match crate::transport::tls::certs::server_config(&config).map_err(SnapshotError)? {
                Some((tls, keys)) => (Some(tls), keys),
                None => (None, Arc::from(Vec::new())),
            };
        let ip_rules = bext_core::waf::IpRules::new(&config.waf.allow, &config.waf.deny);
        let rewrite_urls: Vec<String> = site_runtime
            .iter()
            .filter_map(|site| site.app.as_ref()?.app.next_config.as_ref())
            .flat_map(|next| {
                let rewrites = &next.rewrites;
                rewrites
                    .before_files
                    .iter()
                    .chain(&rewrites.after_files)
                    .chain(&rewrites.fallback)
                    .map(|rule| rule.destination.clone())
            })
            .collect();
        let mut config = config;
        let upstreams =
            crate::service::proxy::setup::Upstreams::build(&mut config, &rewrite_urls, &resolve)
                .map_err(SnapshotError)?;
        Ok(Snapshot {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            ip_rules,
            upstreams,
            config,
            sites,
            site_runtime,
            h1,
            tls,
            site_keys,
        })
    }

    /// Compiles site `index`'s app at `dir` (in dev mode, a module that fails to compile is
    /// embedded as an error and reported, and the rest still loads).
    fn app(
        &mut self,
        index: usize,
        dir: &Path,
        config: &Config,
    ) -> Result<Arc<AppSite>, SnapshotError> {
        let dev = self.dev;
        let loader = self
            .loaders
            .entry(dir.to_path_buf())
            .or_insert_with(|| AppLoader::new(dir, dev));
        let loaded = loader.load().map_err(|errors| {
            SnapshotError(format!(
                "site[{index}].app: {} does not compile:\n{errors}",
                dir.display()
            ))
        })?;
        for error in &loaded.errors {
            eprintln!("bext: {error}");
        }
        for note in &loaded.notes {
            eprintln!("bext: app {}: {note}", dir.display());
        }
        let render = &config.render;
        let available = bext_engine::available();
        let engine = match render.engine {
            EngineChoice::Auto => available.first().copied(),
            EngineChoice::QuickJs => Some(EngineKind::QuickJs),
            EngineChoice::Jsc => Some(EngineKind::JavaScriptCore),
            EngineChoice::V8 => Some(EngineKind::V8),
        }
        .filter(|kind| available.contains(kind))
        .ok_or_else(|| {
            SnapshotError(format!(
                "render.engine: {:?} is not compiled into this binary (it has: {})",
                render.engine,
                available
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        // The engine is part of what a newcomer needs to know first (JSC, say, is only there
        // when its library was installed before the build).
        eprintln!(
            "bext: app {}: {}, rendering with {}",
            dir.display(),
            loaded.stats,
            engine.name()
        );
        let no_public =
            loaded.public_dir.is_none() && config.sites[index].root == dir.join("public");
        Ok(Arc::new(AppSite {
            app: Arc::new(loaded),
            engine,
            limits: Limits {
                heap_bytes_max: render.heap_bytes_max,
                call_timeout: Duration::from_millis(render.render_timeout_ms),
            },
            fetch_timeout: Duration::from_millis(render.fetch_timeout_ms),
            isr: render.isr && !dev,
            dev,
            no_public,
        }))
    }
}

/// An upstream server's address: an IP address as it is, a name resolved (the first
/// address it has) within `PROXY_RESOLVE_TIMEOUT_MS`, on a thread of its own so a resolver
/// that hangs cannot hold a load or reload longer than that.
fn resolve(host: &str, port: u16) -> Result<SocketAddr, String> {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Ok(SocketAddr::new(ip, port));
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let name = host.to_owned();
    std::thread::Builder::new()
        .name("bext-resolve".into())
        .spawn(move || {
            use std::net::ToSocketAddrs;
            let _ = tx.send(
                (name.as_str(), port)
                    .to_socket_addrs()
                    .map(|mut a| a.next()),
            );
        })
        .map_err(|e| format!("cannot start a resolver thread: {e}"))?;
    let timeout = Duration::from_millis(bext_core::limits::PROXY_RESOLVE_TIMEOUT_MS);
    match rx.recv_timeout(timeout) {
        Ok(Ok(Some(addr))) => Ok(addr),
        Ok(Ok(None)) => Err("the name has no address".into()),
        Ok(Err(e)) => Err(format!("cannot resolve the name: {e}")),
        Err(_) => Err(format!("the name did not resolve within {timeout:?}")),
    }
}
