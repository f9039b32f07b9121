//! `bext.config.toml` into a validated [`Config`].
//!
//! # Design
//!
//! **Pure.** [`parse`] takes the file's name, its directory and its text; the binary reads the
//! file (bounded by [`limits::CONFIG_FILE_BYTES_MAX`]). Nothing here touches the file system,
//! so a `root` that does not exist is the binary's start-up check, not ours.
//!
//! **Raw, then clean.** Parsing happens in two passes. The private `raw` structs mirror the
//! file for serde: every table denies unknown keys, and every value a later rule may refuse is
//! wrapped in [`toml::Spanned`] to keep its byte range. The `validate` pass then turns them into
//! the public model ([`Config`] and the types it holds), whose fields are plain typed values (`SocketAddr`, `PathBuf`,
//! `Option<usize>`) that hold only what passed every rule — "parse, don't validate": code that
//! receives a [`Config`] never re-checks it, and never sees a span.
//!
//! **Every error has a place.** A [`ConfigError`] names file, 1-based line and character
//! column, and the dotted key (`site[1].root`, 0-based indices). They come from two sources:
//! - serde errors (TOML syntax, wrong types, unknown keys, missing keys): deserialising through
//!   `serde_path_to_error` records the key path as the error passes up, and the TOML error
//!   carries the byte span of the offending text;
//! - semantic rules (ranges, addresses, duplicate hosts, a second default, header syntax,
//!   globs (compiled with [`crate::static_files::compile_glob`], the one definition of what a
//!   cache-control pattern means), error-page statuses, zero sites): each refuses a `Spanned` value and reports its
//!   span under the key it was checking.
//!
//! Spans are turned into line and column only when an error is made, so a valid config pays
//! nothing for them. Parsing stops at the first error: one precise message beats a list where
//! later entries are consequences of the first.
//!
//! **Bounded.** Every number a config sets is checked against a floor and a ceiling
//! (the ceilings in [`limits`]); defaults come from [`limits`]. Lists that are scanned per request (index
//! names, cache rules, extra headers) have a maximum length too.

mod error;
mod model;
mod raw;
mod syntax;
mod validate;

use std::path::Path;

pub use error::ConfigError;
pub use model::{
    AccessLog, Acme, AcmeChallenge, Balance, CacheRule, ClientCert, ClusterConfig, Config,
    EngineChoice, FastCgi, HashKey, HealthCheck, HealthProbe, HostHeader, INDEX_DEFAULT, LogFormat,
    OpsEndpoints, ProxyRoute, RealtimeConfig, RenderConfig, ServerAddress, ServerConfig,
    ServerLimits, SiteConfig, SiteTls, SiteWaf, Timeouts, Upstream, UpstreamProtocol,
    UpstreamServer, UpstreamTls, WafMode, WafRules, listen_default,
};

use crate::limits;

/// Parses and validates the text of a `bext.config.toml`.
///
/// `file_name` is only used in error messages; `base_dir` is the directory relative paths
/// (`root`, an access-log file) are resolved against, normally the config file's directory.
pub fn parse(file_name: &str, base_dir: &Path, text: &str) -> Result<Config, ConfigError> {
    let source = error::Source {
        file: file_name,
        text,
    };
    if text.len() > limits::CONFIG_FILE_BYTES_MAX {
        return Err(source.error_at_start(
            "",
            format!(
                "the file is {} bytes; a config is at most {} bytes",
                text.len(),
                limits::CONFIG_FILE_BYTES_MAX
            ),
        ));
    }
    let raw: raw::RawConfig = serde_path_to_error::deserialize(toml::Deserializer::new(text))
        .map_err(|error| source.toml_error(&error))?;
    validate::Checker { source, base_dir }.config(raw)
}
