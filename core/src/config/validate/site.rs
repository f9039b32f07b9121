//! `[[site]]`: hosts, the default, paths, headers, cache rules and error pages.

use std::collections::HashMap;

use super::{Checker, Result};
use crate::config::model::*;
use crate::config::raw::*;
use crate::config::syntax;
use crate::limits::*;
use crate::static_files::compile_glob;
use toml::Spanned;

impl Checker<'_> {
    pub(super) fn site(
        &self,
        index: usize,
        table: std::ops::Range<usize>,
        raw: RawSite,
        host_owner: &mut HashMap<String, usize>,
        default_site: &mut Option<usize>,
    ) -> Result<SiteConfig> {
        let prefix = format!("site[{index}]");
        let app = match &raw.app {
            Some(app) => Some(self.path(app, &format!("{prefix}.app"))?),
            None => None,
        };
        let root = match (&raw.root, &app) {
            (Some(root), _) => self.path(root, &format!("{prefix}.root"))?,
            (None, Some(app)) => app.join("public"),
            // A site that only proxies serves no files.
            (None, None) if !raw.proxy.is_empty() => std::path::PathBuf::new(),
            (None, None) => {
                return Err(self.source.error(
                    table,
                    &format!("{prefix}.root"),
                    "required key is missing: a site needs `root` (a directory to serve), \
                     `app` (an app directory to render) or [[site.proxy]] routes",
                ));
            }
        };
        let mut site = SiteConfig::new(root);
        site.app = app;
        site.default = false;

        for (i, host) in raw.hosts.iter().enumerate() {
            let key = format!("{prefix}.hosts[{i}]");
            let name = syntax::normalize_host(host.get_ref())
                .map_err(|message| self.source.error(host.span(), &key, message))?;
            if let Some(&owner) = host_owner.get(&name) {
                let whose = if owner == index {
                    "this site".to_owned()
                } else {
                    format!("site[{owner}]")
                };
                return Err(self.source.error(
                    host.span(),
                    &key,
                    format!("`{name}` is already a host of {whose}"),
                ));
            }
            host_owner.insert(name.clone(), index);
            site.hosts.push(name);
        }

        if let Some(default) = &raw.default
            && *default.get_ref()
        {
            if let Some(other) = *default_site {
                return Err(self.source.error(
                    default.span(),
                    &format!("{prefix}.default"),
                    format!("only one site may be the default, and site[{other}] already is"),
                ));
            }
            *default_site = Some(index);
            site.default = true;
        }

        if let Some(names) = raw.index {
            site.index.clear();
            for (i, name) in names.iter().enumerate() {
                let key = format!("{prefix}.index[{i}]");
                if i == INDEX_FILES_MAX {
                    return Err(self.source.error(
                        name.span(),
                        &key,
                        format!("at most {INDEX_FILES_MAX} index names per site"),
                    ));
                }
                syntax::file_name(name.get_ref())
                    .map_err(|message| self.source.error(name.span(), &key, message))?;
                site.index.push(name.get_ref().clone());
            }
        }

        site.dotfiles = raw.dotfiles.unwrap_or(site.dotfiles);
        site.precompressed = raw.precompressed.unwrap_or(site.precompressed);
        site.body_bytes_max = self.bounded(
            &raw.body_bytes_max,
            &format!("{prefix}.body_bytes_max"),
            0,
            BODY_BYTES_CEILING,
            site.body_bytes_max,
        )?;
        site.headers = self.headers(&prefix, raw.headers)?;
        site.cache_control = self.cache_rules(&prefix, raw.cache_control)?;
        site.internal = self.internal_patterns(&prefix, raw.internal)?;
        site.error_pages = self.error_pages(&prefix, raw.error_pages)?;
        site.tls = match raw.tls {
            None => None,
            Some(tls) => Some(self.tls(&prefix, tls)?),
        };
        if let Some(redirect) = raw.https_redirect {
            if *redirect.get_ref() && site.tls.is_none() {
                return Err(self.source.error(
                    redirect.span(),
                    &format!("{prefix}.https_redirect"),
                    "needs `tls` on the site: there is no HTTPS to send clients to",
                ));
            }
            site.https_redirect = *redirect.get_ref();
        }
        if let Some(hsts) = raw.hsts {
            let key = format!("{prefix}.hsts");
            if site.tls.is_none() {
                return Err(self.source.error(
                    hsts.span(),
                    &key,
                    "needs `tls` on the site: HSTS is only ever sent over HTTPS",
                ));
            }
            syntax::field_value(hsts.get_ref(), SITE_HEADER_VALUE_BYTES_MAX)
                .map_err(|message| self.source.error(hsts.span(), &key, message))?;
            let max_age = hsts.get_ref().split(';').any(|directive| {
                let directive = directive.trim().to_ascii_lowercase();
                directive.strip_prefix("max-age=").is_some_and(|secs| {
                    !secs.is_empty() && secs.bytes().all(|b| b.is_ascii_digit())
                })
            });
            if !max_age {
                return Err(self.source.error(
                    hsts.span(),
                    &key,
                    "needs a `max-age=<seconds>` directive (RFC 6797 §6.1), e.g. \"max-age=63072000; includeSubDomains\"",
                ));
            }
            site.hsts = Some(hsts.into_inner());
        }
        Ok(site)
    }

    fn tls(&self, prefix: &str, tls: Spanned<RawTls>) -> Result<SiteTls> {
        let span = tls.span();
        match tls.into_inner() {
            RawTls::Named(name) if name == "self-signed" => Ok(SiteTls::SelfSigned),
            RawTls::Named(other) => Err(self.source.error(
                span,
                &format!("{prefix}.tls"),
                format!("`{other}` is not a TLS setting: use \"self-signed\" or {{ cert = \"…\", key = \"…\" }}"),
            )),
            RawTls::Table(table) => self.tls_table(prefix, span, table),
        }
    }

    fn tls_table(
        &self,
        prefix: &str,
        span: std::ops::Range<usize>,
        table: RawTlsTable,
    ) -> Result<SiteTls> {
        let at = |text: String| Spanned::new(span.clone(), text);
        match table {
            RawTlsTable {
                cert: Some(cert),
                key: Some(key),
                ocsp,
                acme: None,
            } => Ok(SiteTls::Files {
                cert: self.path(&at(cert), &format!("{prefix}.tls.cert"))?,
                key: self.path(&at(key), &format!("{prefix}.tls.key"))?,
                ocsp: match ocsp {
                    Some(ocsp) => Some(self.path(&at(ocsp), &format!("{prefix}.tls.ocsp"))?),
                    None => None,
                },
            }),
            RawTlsTable {
                cert: None,
                key: None,
                ocsp: None,
                acme: Some(acme),
            } => self.acme(prefix, span, acme),
            RawTlsTable {
                acme: Some(_), ..
            } => Err(self.source.error(
                span,
                &format!("{prefix}.tls.acme"),
                "either `acme` or files (`cert`, `key`, `ocsp`), not both: ACME obtains the certificate itself",
            )),
            RawTlsTable { cert: None, .. } => Err(self.source.error(
                span,
                &format!("{prefix}.tls.cert"),
                "required key is missing: give `cert` and `key` (PEM files), or `acme = { … }`",
            )),
            RawTlsTable { .. } => Err(self.source.error(
                span,
                &format!("{prefix}.tls.key"),
                "required key is missing: give `key`, the certificate's private key (a PEM file)",
            )),
        }
    }

    fn acme(&self, prefix: &str, span: std::ops::Range<usize>, raw: RawAcme) -> Result<SiteTls> {
        let key = |name: &str| format!("{prefix}.tls.acme.{name}");
        let directory = raw
            .directory
            .unwrap_or_else(|| ACME_DIRECTORY_DEFAULT.to_owned());
        if !directory.starts_with("https://") {
            return Err(self.source.error(
                span,
                &key("directory"),
                format!(
                    "`{directory}` is not an https:// URL (RFC 8555 §6.1: ACME runs over HTTPS)"
                ),
            ));
        }
        let email = match raw.email {
            Some(email) if !email.contains('@') || email.contains(char::is_whitespace) => {
                return Err(self.source.error(
                    span,
                    &key("email"),
                    format!("`{email}` is not an email address"),
                ));
            }
            other => other,
        };
        let challenge = match raw.challenge.as_deref() {
            None | Some("tls-alpn-01") => AcmeChallenge::TlsAlpn01,
            Some("http-01") => AcmeChallenge::Http01,
            Some(other) => {
                return Err(self.source.error(
                    span,
                    &key("challenge"),
                    format!(
                        "`{other}` is not a challenge bext answers: use \"tls-alpn-01\" (the default) or \"http-01\""
                    ),
                ));
            }
        };
        let at = |text: String| Spanned::new(span.clone(), text);
        let ca = match raw.ca {
            Some(ca) => Some(self.path(&at(ca), &key("ca"))?),
            None => None,
        };
        let storage = self.path(
            &at(raw.storage.unwrap_or_else(|| String::from("acme"))),
            &key("storage"),
        )?;
        Ok(SiteTls::Acme(Acme {
            email,
            directory,
            ca,
            challenge,
            storage,
        }))
    }

    fn headers(&self, prefix: &str, raw: Pairs) -> Result<Vec<(String, String)>> {
        let mut headers: Vec<(String, String)> = Vec::with_capacity(raw.0.len());
        for (i, (name, value)) in raw.0.iter().enumerate() {
            let key = format!("{prefix}.headers.{}", name.get_ref());
            if i == SITE_HEADERS_MAX {
                return Err(self.source.error(
                    name.span(),
                    &key,
                    format!("at most {SITE_HEADERS_MAX} extra headers per site"),
                ));
            }
            let lower = syntax::header_name(name.get_ref())
                .map_err(|message| self.source.error(name.span(), &key, message))?;
            if headers.iter().any(|(existing, _)| *existing == lower) {
                return Err(self.source.error(
                    name.span(),
                    &key,
                    format!("`{lower}` is set twice (header names ignore case)"),
                ));
            }
            let text = self.string_value(value, &key)?;
            syntax::field_value(text, SITE_HEADER_VALUE_BYTES_MAX)
                .map_err(|message| self.source.error(value.span(), &key, message))?;
            headers.push((lower, text.to_owned()));
        }
        Ok(headers)
    }

    /// `internal = ["/protected/**"]`: globs like `cache_control`'s.
    fn internal_patterns(&self, prefix: &str, raw: Vec<Spanned<String>>) -> Result<Vec<String>> {
        let mut out = Vec::with_capacity(raw.len());
        for (i, pattern) in raw.into_iter().enumerate() {
            let key = format!("{prefix}.internal[{i}]");
            let text = pattern.get_ref();
            let why = if i == INTERNAL_PATTERNS_MAX {
                Some(format!(
                    "at most {INTERNAL_PATTERNS_MAX} internal patterns per site"
                ))
            } else if !text.starts_with('/') {
                Some(format!(
                    "`{text}`: a path glob starting with `/`, like `/protected/**`"
                ))
            } else {
                compile_glob(text)
                    .err()
                    .map(|error| format!("invalid glob: {}", error.kind()))
            };
            if let Some(why) = why {
                return Err(self.source.error(pattern.span(), &key, why));
            }
            out.push(pattern.into_inner());
        }
        Ok(out)
    }

    fn cache_rules(&self, prefix: &str, raw: Vec<RawCacheRule>) -> Result<Vec<CacheRule>> {
        let mut rules = Vec::with_capacity(raw.len());
        for (i, rule) in raw.into_iter().enumerate() {
            let key = format!("{prefix}.cache_control[{i}]");
            let pattern_key = format!("{key}.match");
            let pattern = rule.pattern.get_ref();
            if i == CACHE_RULES_MAX {
                return Err(self.source.error(
                    rule.pattern.span(),
                    &pattern_key,
                    format!("at most {CACHE_RULES_MAX} cache_control rules per site"),
                ));
            }
            if pattern.is_empty() {
                return Err(self.source.error(
                    rule.pattern.span(),
                    &pattern_key,
                    "must not be empty",
                ));
            }
            if let Err(error) = compile_glob(pattern) {
                return Err(self.source.error(
                    rule.pattern.span(),
                    &pattern_key,
                    format!("invalid glob: {}", error.kind()),
                ));
            }
            syntax::field_value(rule.value.get_ref(), SITE_HEADER_VALUE_BYTES_MAX).map_err(
                |message| {
                    self.source
                        .error(rule.value.span(), &format!("{key}.value"), message)
                },
            )?;
            if rule.value.get_ref().is_empty() {
                return Err(self.source.error(
                    rule.value.span(),
                    &format!("{key}.value"),
                    "must not be empty",
                ));
            }
            rules.push(CacheRule {
                pattern: rule.pattern.into_inner(),
                value: rule.value.into_inner(),
            });
        }
        Ok(rules)
    }

    fn error_pages(&self, prefix: &str, raw: Pairs) -> Result<Vec<(u16, String)>> {
        let mut pages: Vec<(u16, String)> = Vec::with_capacity(raw.0.len());
        for (status, path) in &raw.0 {
            let key = format!("{prefix}.error_pages.{}", status.get_ref());
            let code = status
                .get_ref()
                .parse::<u16>()
                .ok()
                .filter(|code| (400..=599).contains(code) && status.get_ref().len() == 3);
            let Some(code) = code else {
                return Err(self.source.error(
                    status.span(),
                    &key,
                    "error pages are keyed by a status from 400 to 599",
                ));
            };
            if pages.iter().any(|(existing, _)| *existing == code) {
                return Err(self.source.error(
                    status.span(),
                    &key,
                    format!("status {code} is set twice"),
                ));
            }
            let text = self.string_value(path, &key)?;
            let relative = syntax::page_path(text)
                .map_err(|message| self.source.error(path.span(), &key, message))?;
            pages.push((code, relative));
        }
        Ok(pages)
    }
}
