//! Raw (serde) config into the model, one rule at a time. Each rule that refuses a value
//! points at that value's span; rules that relate two values point at the one the user wrote
//! (or, if both were written, the later one in the rule's wording). `server` and `site` hold
//! the rules of each table; this file the entry point and the helpers they share.

mod proxy;
mod realtime;
mod render;
mod server;
mod site;
mod waf;

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;

use super::error::{ConfigError, Source};
use super::model::{ClientCert, Config, SiteTls};
use super::raw::RawConfig;
use crate::limits::ACME_NAMES_MAX;

type Result<T> = std::result::Result<T, ConfigError>;

/// Resolves relative paths against the config file's directory and reports errors in it.
pub(super) struct Checker<'a> {
    pub source: Source<'a>,
    pub base_dir: &'a Path,
}

impl Checker<'_> {
    pub fn config(&self, raw: RawConfig) -> Result<Config> {
        let listen_tls_span = raw.server.listen_tls.as_ref().map(|l| l.span());
        let listen_quic_span = raw.server.listen_quic.as_ref().map(|l| l.span());
        let server = self.server(raw.server)?;
        let render = self.render(raw.render)?;
        let waf = self.waf(raw.waf)?;
        let upstreams = self.upstreams(raw.upstream)?;
        let realtime = match raw.realtime {
            Some(table) => Some(self.realtime(table.into_inner())?),
            None => None,
        };
        let cluster = match raw.cluster {
            Some(table) => Some(self.cluster(table.into_inner())?),
            None => None,
        };
        if raw.site.is_empty() {
            return Err(self.source.error_at_start(
                "site",
                "no [[site]]: a config needs at least one site to serve",
            ));
        }
        let mut sites = Vec::with_capacity(raw.site.len());
        let mut host_owner: HashMap<String, usize> = HashMap::new();
        let mut default_site: Option<usize> = None;
        for (index, raw_site) in raw.site.into_iter().enumerate() {
            let span = raw_site.span();
            if let Some(tls) = &raw_site.get_ref().tls
                && server.listen_tls.is_empty()
            {
                return Err(self.source.error(
                    tls.span(),
                    &format!("site[{index}].tls"),
                    "needs `listen_tls` addresses in [server] to serve HTTPS on",
                ));
            }
            let tls_span = raw_site.get_ref().tls.as_ref().map(|t| t.span());
            let mut raw_site = raw_site.into_inner();
            let site_waf = self.site_waf(index, raw_site.waf.take(), &waf)?;
            let proxy = self.site_proxy(index, &raw_site.proxy, &upstreams)?;
            let fastcgi = match &raw_site.fastcgi {
                Some(fastcgi) => {
                    if raw_site.root.is_none() {
                        return Err(self.source.error(
                            fastcgi.span(),
                            &format!("site[{index}].fastcgi"),
                            "needs the site's `root`: the scripts' document root",
                        ));
                    }
                    Some(self.site_fastcgi(index, fastcgi)?)
                }
                None => None,
            };
            let mut site = self.site(index, span, raw_site, &mut host_owner, &mut default_site)?;
            site.waf = site_waf;
            site.proxy = proxy;
            site.fastcgi = fastcgi;
            if let (Some(SiteTls::Acme(_)), Some(tls_span)) = (&site.tls, tls_span) {
                self.acme_site(index, tls_span, &site.hosts)?;
            }
            sites.push(site);
        }
        // The first site is the default unless one says otherwise: settle that here so that
        // every later reader sees exactly one default.
        if default_site.is_none()
            && let Some(first) = sites.first_mut()
        {
            first.default = true;
        }
        debug_assert_eq!(sites.iter().filter(|s| s.default).count(), 1);
        if let Some(span) = listen_tls_span
            && sites.iter().all(|s| s.tls.is_none())
        {
            return Err(self.source.error(
                span,
                "server.listen_tls",
                "no [[site]] has `tls`: give one a certificate (`tls = { cert, key }`) or \
                 `tls = \"self-signed\"`",
            ));
        }
        if let Some(span) = listen_quic_span
            && sites.iter().all(|s| s.tls.is_none())
        {
            return Err(self.source.error(
                span,
                "server.listen_quic",
                "no [[site]] has `tls`: QUIC serves the TLS sites' certificates; give one a \
                 certificate (`tls = { cert, key }`) or `tls = \"self-signed\"`",
            ));
        }
        Ok(Config {
            server,
            sites,
            render,
            waf,
            upstreams,
            realtime,
            cluster,
        })
    }

    /// What an ACME site needs beyond its own table: names a CA can validate. (Both
    /// challenges have their listener: `listen` is never empty, and an ACME site has `tls`,
    /// which needs `listen_tls`.)
    fn acme_site(&self, index: usize, span: Range<usize>, hosts: &[String]) -> Result<()> {
        let key = format!("site[{index}].tls.acme");
        if hosts.is_empty() {
            return Err(self.source.error(
                span,
                &key,
                "needs `hosts`: the names to get a certificate for",
            ));
        }
        if hosts.len() > ACME_NAMES_MAX {
            return Err(self.source.error(
                span,
                &key,
                format!("at most {ACME_NAMES_MAX} hosts on one certificate (the CA's limit)"),
            ));
        }
        for host in hosts {
            let why = if host.starts_with("*.") {
                Some("wildcard names need the DNS-01 challenge, which bext does not answer")
            } else if host.starts_with('[') || host.parse::<std::net::IpAddr>().is_ok() {
                Some("CAs give certificates for DNS names, not IP addresses")
            } else if !host.contains('.') && host != "localhost" {
                Some("not a fully qualified name")
            } else {
                None
            };
            if let Some(why) = why {
                return Err(self.source.error(
                    span,
                    &key,
                    format!("cannot get a certificate for `{host}`: {why}"),
                ));
            }
        }
        Ok(())
    }

    /// A path from the config, resolved against the config file's directory (an absolute path
    /// stays as written).
    fn path(&self, path: &Spanned<String>, key: &str) -> Result<PathBuf> {
        let text = path.get_ref();
        if text.is_empty() {
            return Err(self.source.error(path.span(), key, "must not be empty"));
        }
        if text.contains('\0') {
            return Err(self
                .source
                .error(path.span(), key, "must not contain a NUL byte"));
        }
        Ok(self.base_dir.join(text))
    }

    /// A client certificate's two files, `names` the keys that give them (the chain, then
    /// its private key): both or neither.
    fn client_cert(
        &self,
        cert: Option<&Spanned<String>>,
        key: Option<&Spanned<String>>,
        (cert_name, key_name): (&str, &str),
    ) -> Result<Option<ClientCert>> {
        let short = |name: &str| name.rsplit('.').next().unwrap_or(name).to_owned();
        match (cert, key) {
            (None, None) => Ok(None),
            (Some(cert), Some(key)) => Ok(Some(ClientCert {
                cert: self.path(cert, cert_name)?,
                key: self.path(key, key_name)?,
            })),
            (Some(cert), None) => Err(self.source.error(
                cert.span(),
                cert_name,
                format!("needs `{}`, the certificate's private key", short(key_name)),
            )),
            (None, Some(key)) => Err(self.source.error(
                key.span(),
                key_name,
                format!(
                    "needs `{}`, the certificate it is the key of",
                    short(cert_name)
                ),
            )),
        }
    }

    fn string_value<'v>(&self, value: &'v Spanned<toml::Value>, key: &str) -> Result<&'v str> {
        value.get_ref().as_str().ok_or_else(|| {
            self.source.error(
                value.span(),
                key,
                format!("expected a string, found {}", value.get_ref().type_str()),
            )
        })
    }

    /// `value` (or `default`) after checking `min..=max`.
    fn bounded(
        &self,
        value: &Option<Spanned<u64>>,
        key: &str,
        min: u64,
        max: u64,
        default: u64,
    ) -> Result<u64> {
        let Some(value) = value else {
            return Ok(default);
        };
        let number = *value.get_ref();
        if number < min || number > max {
            return Err(self.out_of_range(value.span(), key, number, min, max));
        }
        Ok(number)
    }

    /// [`Checker::bounded`] with a floor of 1, for a `usize` bound.
    fn bounded_usize(
        &self,
        value: &Option<Spanned<u64>>,
        key: &str,
        max: u64,
        default: usize,
    ) -> Result<usize> {
        let number = self.bounded(value, key, 1, max, default as u64)?;
        usize::try_from(number).map_err(|_| {
            let span = value.as_ref().map_or(0..0, Spanned::span);
            self.source.error(
                span,
                key,
                format!("{number} does not fit this platform's address space"),
            )
        })
    }

    fn out_of_range(
        &self,
        span: Range<usize>,
        key: &str,
        number: u64,
        min: u64,
        max: u64,
    ) -> ConfigError {
        self.source.error(
            span,
            key,
            format!("{number} is out of range: must be from {min} to {max}"),
        )
    }
}
