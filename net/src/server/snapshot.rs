//! One config, ready to serve: shared read-only by every shard through `Arc`.

use std::fmt;
use std::os::fd::OwnedFd;

use bext_core::config::Config;
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
    pub app: Option<()>,
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
        let mut site_runtime = Vec::with_capacity(config.sites.len());
        for (i, site) in config.sites.iter().enumerate() {
            let root = sys::open_root(&site.root).map_err(|e| {
                SnapshotError(format!(
                    "site[{i}].root: cannot open directory {}: {e}",
                    site.root.display()
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
                app: None,
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
