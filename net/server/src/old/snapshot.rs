//! One config, ready to serve: shared read-only by every shard through `Arc`.

use std::fmt;
use std::os::fd::OwnedFd;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bext_core::config::{Config, EngineChoice};
use bext_engine::{EngineKind, Limits};
use bext_render::load::AppLoader;

use super::app::AppSite;
use bext_core::sites::SiteTable;
use bext_core::static_files::CacheControlRules;
use bext_shards::sys;

use crate::h1;

pub struct Snapshot {
    pub config: Config,
    pub sites: SiteTable,
    pub(crate) site_runtime: Vec<SiteRuntime>,
    pub(crate) h1_limits: h1::Limits,
}

/// What a site needs at request time, prepared once per config.
pub(crate) struct SiteRuntime {
    /// The site root, opened once: files are opened beneath it with `openat2`, so a request
    /// can never leave it, whatever symlinks or renames happen on disk.
    pub root: OwnedFd,
    pub cache_control: CacheControlRules,
    /// `name: value\r\n` lines for the site's extra headers, ready to copy.
    pub extra_headers: Vec<u8>,
    /// The compiled app of an app site.
    pub app: Option<Arc<AppSite>>,
}

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
        eprintln!("bext: app {}: {}", dir.display(), loaded.stats);
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

    pub fn build(&mut self, config: Config) -> Result<Snapshot, SnapshotError> {
        let builder = self;
        let mut site_runtime = Vec::with_capacity(config.sites.len());
        for (i, site) in config.sites.iter().enumerate() {
            let app = match &site.app {
                Some(dir) => Some(builder.app(i, dir, &config)?),
                None => None,
            };
            // An app's own public/ may be missing: the site then serves no files, and a
            // directory that is always empty stands in for it.
            let no_public = app.as_ref().is_some_and(|a| a.no_public);
            let root_dir = if no_public {
                empty_dir().map_err(|e| SnapshotError(format!("site[{i}]: {e}")))?
            } else {
                site.root.clone()
            };
            let root = sys::open_root(&root_dir).map_err(|e| {
                SnapshotError(format!(
                    "site[{i}].root: cannot open directory {}: {e}",
                    root_dir.display()
                ))
            })?;
            let rules: Vec<(&str, &str)> = site
                .cache_control
                .iter()
                .map(|r| (r.pattern.as_str(), r.value.as_str()))
                .collect();
            let cache_control = CacheControlRules::new(&rules)
                .map_err(|e| SnapshotError(format!("site[{i}].cache_control: {e}")))?;
            let mut extra_headers = Vec::new();
            for (name, value) in &site.headers {
                h1::write_header(&mut extra_headers, name.as_bytes(), value.as_bytes());
            }
            site_runtime.push(SiteRuntime {
                root,
                cache_control,
                extra_headers,
                app,
            });
        }
        let limits = &config.server.limits;
        let h1_limits = h1::Limits {
            request_line_bytes_max: limits.request_line_bytes_max,
            header_count_max: limits.header_count_max,
            header_bytes_max: limits.header_bytes_max,
        };
        let sites = SiteTable::new(&config.sites);
        Ok(Snapshot {
            config,
            sites,
            site_runtime,
            h1_limits,
        })
    }
}

/// An empty directory owned by bext, the static root of an app site without `public/`.
fn empty_dir() -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("bext-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}
