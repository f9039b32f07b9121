//! The rules of a next.config (`redirects`, `rewrites`, `headers`) and middleware's
//! `config.matcher`, compiled, and the decisions they make for one request.
//!
//! Order, as `next start` applies them: `headers` (collected for the answer), `redirects`,
//! middleware, `beforeFiles` rewrites, the file system and routes without parameters,
//! `afterFiles` rewrites, dynamic routes, `fallback` rewrites. Each phase takes the first rule
//! that matches. Sources match the path without the `basePath` (unless a rule says
//! `basePath: false`), raw as requested (percent-escapes kept), case-insensitively.

use std::borrow::Cow;

use fancy_regex::Regex;

use super::pattern::{Params, PathPattern, fill, uses};

/// What rules may look at in a request besides its path.
pub trait RequestView {
    /// A request header's value, `name` lower-case.
    fn header(&self, name: &str) -> Option<Cow<'_, str>>;
    /// The query string without `?`.
    fn query_string(&self) -> Option<&str>;

    fn cookie(&self, name: &str) -> Option<String> {
        let header = self.header("cookie")?;
        header.split(';').find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k.trim() == name).then(|| v.trim().to_owned())
        })
    }

    fn query(&self, name: &str) -> Option<String> {
        self.query_string()?.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k == name).then(|| v.to_owned())
        })
    }

    /// The Host header without its port.
    fn hostname(&self) -> Option<String> {
        let host = self.header("host")?;
        let name = match host.rfind(':') {
            Some(colon) if !host.ends_with(']') => &host[..colon],
            _ => &host,
        };
        Some(name.to_owned())
    }
}

/// What a `has` / `missing` condition looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionKind {
    Header,
    Cookie,
    Query,
    Host,
}

/// One `has` or `missing` entry.
#[derive(Debug)]
pub struct Condition {
    pub kind: ConditionKind,
    /// The header, cookie or query name (lower-case for headers); empty for `host`.
    pub key: String,
    /// The value must match this (anchored); its named groups become parameters.
    pub value: Option<Regex>,
}

/// What every rule has: where it applies.
#[derive(Debug)]
pub struct Source {
    pub pattern: PathPattern,
    pub has: Vec<Condition>,
    pub missing: Vec<Condition>,
    /// `basePath: false`: the source is matched against the whole path.
    pub base_path: bool,
}

#[derive(Debug)]
pub struct Redirect {
    pub source: Source,
    pub destination: String,
    pub status: u16,
}

#[derive(Debug)]
pub struct Rewrite {
    pub source: Source,
    pub destination: String,
}

#[derive(Debug)]
pub struct HeaderRule {
    pub source: Source,
    pub headers: Vec<(String, String)>,
}

/// The three rewrite phases.
#[derive(Debug, Default)]
pub struct Rewrites {
    pub before_files: Vec<Rewrite>,
    pub after_files: Vec<Rewrite>,
    pub fallback: Vec<Rewrite>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RewritePhase {
    BeforeFiles,
    AfterFiles,
    Fallback,
}

/// Where a rewrite sends a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rewritten {
    /// A path of this app (with `basePath` removed), and the query to render it with.
    Internal { path: String, query: Option<String> },
    /// Another server's URL: the proxy forwards the request there.
    External(String),
}

impl Source {
    /// The parameters if the rule applies to `path` (already without the base path unless
    /// `base_path` is off, in which case `full` is matched).
    pub(crate) fn applies(
        &self,
        path: &str,
        full: &str,
        request: &dyn RequestView,
    ) -> Option<Params> {
        let mut params = self
            .pattern
            .captures(if self.base_path { path } else { full })?;
        for condition in &self.has {
            if !condition.holds(request, &mut params) {
                return None;
            }
        }
        for condition in &self.missing {
            if condition.holds(request, &mut Vec::new()) {
                return None;
            }
        }
        Some(params)
    }
}

impl Condition {
    /// Next's `matchHas`: a present value, matching `value` when given; named groups (or,
    /// with no `value`, the key itself) become parameters.
    pub(crate) fn holds(&self, request: &dyn RequestView, params: &mut Params) -> bool {
        let actual = match self.kind {
            ConditionKind::Header => request.header(&self.key).map(Cow::into_owned),
            ConditionKind::Cookie => request.cookie(&self.key),
            ConditionKind::Query => request.query(&self.key),
            ConditionKind::Host => request.hostname(),
        };
        let Some(actual) = actual else {
            return false;
        };
        let Some(regex) = &self.value else {
            if self.kind != ConditionKind::Host {
                params.push((safe_param_name(&self.key), actual));
            }
            return true;
        };
        let Ok(Some(caps)) = regex.captures(&actual) else {
            return false;
        };
        for name in regex.capture_names().flatten() {
            if let Some(m) = caps.name(name) {
                params.push((name.to_owned(), m.as_str().to_owned()));
            }
        }
        if self.kind == ConditionKind::Host
            && let Some(m) = caps.get(0)
        {
            params.push((String::from("host"), m.as_str().to_owned()));
        }
        true
    }
}

/// Next's `getSafeParamName`: letters only, so `x-user` can be written `:xuser`.
fn safe_param_name(key: &str) -> String {
    key.chars().filter(|c| c.is_ascii_alphabetic()).collect()
}

/// The first rule of `rules` whose source applies, with its parameters.
fn first<'r, T>(
    rules: &'r [T],
    source: impl Fn(&T) -> &Source,
    path: &str,
    full: &str,
    request: &dyn RequestView,
) -> Option<(&'r T, Params)> {
    rules.iter().find_map(|rule| {
        source(rule)
            .applies(path, full, request)
            .map(|params| (rule, params))
    })
}

/// `destination` filled with `params`, its own query merged after the request's (a key in
/// both takes the destination's value), and, for rewrites, parameters the destination does
/// not use appended to the query, as Next does.
pub(crate) fn destination(
    destination: &str,
    params: &Params,
    request_query: Option<&str>,
    append_unused: bool,
) -> (String, Option<String>) {
    let filled = fill(destination, params);
    let (path, own_query) = match filled.split_once('?') {
        Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
        None => (filled, None),
    };
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut put = |key: &str, value: &str| match pairs.iter_mut().find(|(k, _)| k == key) {
        Some(pair) => pair.1 = value.to_owned(),
        None => pairs.push((key.to_owned(), value.to_owned())),
    };
    for query in [request_query, own_query.as_deref()].into_iter().flatten() {
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            put(k, v);
        }
    }
    if append_unused {
        for (name, value) in params {
            if !uses(destination, name) {
                put(name, value);
            }
        }
    }
    let query = (!pairs.is_empty()).then(|| {
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    });
    (path, query)
}

fn is_external(destination: &str) -> bool {
    destination.starts_with("http://") || destination.starts_with("https://")
}

impl super::NextConfig {
    /// `full` without the base path, or `None` when it is outside it (a 404 under Next).
    pub fn strip_base_path<'p>(&self, full: &'p str) -> Option<&'p str> {
        if self.base_path.is_empty() {
            return Some(full);
        }
        let rest = full.strip_prefix(self.base_path.as_str())?;
        if rest.is_empty() {
            Some("/")
        } else if rest.starts_with('/') {
            Some(rest)
        } else {
            None
        }
    }

    /// The 308 Next answers for a trailing slash the config does not want (or a missing one
    /// it does): the location, with the query kept.
    pub fn trailing_slash_redirect(&self, full: &str, query: Option<&str>) -> Option<String> {
        let target = if self.trailing_slash {
            if full.contains("/.well-known") {
                return None;
            }
            let trimmed = full.trim_end_matches('/');
            let last = trimmed.rsplit('/').next().unwrap_or("");
            if last.contains('.') {
                // A file keeps its name as it is, without the slash.
                if trimmed.len() == full.len() {
                    return None;
                }
                trimmed.to_owned()
            } else if full.ends_with('/') {
                return None;
            } else {
                format!("{full}/")
            }
        } else {
            if !full.ends_with('/') || full == "/" {
                return None;
            }
            full.trim_end_matches('/').to_owned()
        };
        let target = if target.is_empty() {
            String::from("/")
        } else {
            target
        };
        Some(match query {
            Some(q) => format!("{target}?{q}"),
            None => target,
        })
    }

    /// The first redirect for this request: its status and location.
    pub fn redirect(
        &self,
        path: &str,
        full: &str,
        request: &dyn RequestView,
    ) -> Option<(u16, String)> {
        let (rule, params) = first(&self.redirects, |r| &r.source, path, full, request)?;
        let (mut target, query) =
            destination(&rule.destination, &params, request.query_string(), false);
        if !is_external(&target) && rule.source.base_path && !self.base_path.is_empty() {
            target = format!("{}{target}", self.base_path);
        }
        if let Some(query) = query {
            target.push('?');
            target.push_str(&query);
        }
        Some((rule.status, target))
    }

    /// The first rewrite of `phase` for this request.
    pub fn rewrite(
        &self,
        phase: RewritePhase,
        path: &str,
        full: &str,
        request: &dyn RequestView,
    ) -> Option<Rewritten> {
        let rules = match phase {
            RewritePhase::BeforeFiles => &self.rewrites.before_files,
            RewritePhase::AfterFiles => &self.rewrites.after_files,
            RewritePhase::Fallback => &self.rewrites.fallback,
        };
        let (rule, params) = first(rules, |r| &r.source, path, full, request)?;
        let (target, query) = destination(&rule.destination, &params, request.query_string(), true);
        if is_external(&target) {
            let mut url = target;
            if let Some(query) = query {
                url.push('?');
                url.push_str(&query);
            }
            return Some(Rewritten::External(url));
        }
        let path = if rule.source.base_path {
            target
        } else {
            // A `basePath: false` rule names the whole path; what the app routes is inside it.
            self.strip_base_path(&target).unwrap_or(&target).to_owned()
        };
        Some(Rewritten::Internal { path, query })
    }

    /// The headers every matching `headers()` rule adds, later rules overriding earlier ones
    /// for the same name.
    pub fn headers(
        &self,
        path: &str,
        full: &str,
        request: &dyn RequestView,
    ) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for rule in &self.headers {
            let Some(params) = rule.source.applies(path, full, request) else {
                continue;
            };
            for (name, value) in &rule.headers {
                let value = fill(value, &params);
                match out.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
                    Some(pair) => pair.1 = value,
                    None => out.push((name.clone(), value)),
                }
            }
        }
        out
    }

    /// Whether anything here can change how a request is answered, so the cached fast path
    /// must ask first.
    pub fn routes_requests(&self) -> bool {
        !self.base_path.is_empty()
            || self.trailing_slash
            || !self.redirects.is_empty()
            || !self.rewrites.before_files.is_empty()
            || !self.rewrites.after_files.is_empty()
            || !self.rewrites.fallback.is_empty()
            || !self.headers.is_empty()
    }
}
