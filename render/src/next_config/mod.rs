//! next.config and middleware: what a Next.js app asks of the server before any page renders.
//!
//! # How the config is read
//!
//! `next.config.{js,mjs,ts,mts,cjs}` is a module of the app's bundle. It is evaluated once per
//! load, in a QuickJS engine of its own ([`eval`]), with Next's phase
//! (`phase-production-server`, or `phase-development-server` under `bext dev`): a default
//! export that is a function is called, promises are awaited, and `redirects()`, `rewrites()`
//! and `headers()` are called and awaited. What comes back crosses as JSON and is compiled here
//! into [`NextConfig`], shared read-only by every shard: the per-request decisions (in
//! [`rules`]) run in Rust before any engine is entered, so a redirect or a header rule costs a
//! regular-expression match, not a render. Evaluating in QuickJS, not in each shard's engine,
//! keeps the decisions in the snapshot, where every shard sees the same ones.
//!
//! Middleware's module runs in the shard's engine per request (it needs the request); only its
//! `config.matcher`, which Next.js also reads once, is read at load with the config.
//!
//! # What is honoured
//!
//! `basePath`, `trailingSlash`, `redirects`, `rewrites` (internal; external destinations are
//! refused with a 502 naming them until bext has a proxy), `headers`, `env` (merged into
//! `process.env`), `images` (see [`images`]). Options that only steer Next's own build (webpack, TypeScript checks,
//! React's strict mode, `poweredByHeader` — bext never sends `X-Powered-By`) have nothing to do
//! here and are accepted silently; every other option is listed once at start as ignored.

mod eval;
mod images;
pub mod pattern;
pub mod rules;

use fancy_regex::{Regex, RegexBuilder};
use serde_json::Value;

pub use eval::{ConfigPhase, evaluate};
use rules::{Condition, ConditionKind, HeaderRule, Redirect, Rewrite, Rewrites, Source};
pub use rules::{RequestView, RewritePhase, Rewritten};

use pattern::PathPattern;

/// Options bext acts on.
const HONOURED: &[&str] = &[
    "basePath",
    "trailingSlash",
    "redirects",
    "rewrites",
    "headers",
    "env",
    "images",
];
/// Options about Next's own build and browser bundles: nothing for a server to do.
const NOTHING_TO_DO: &[&str] = &[
    "reactStrictMode",
    "poweredByHeader",
    "typescript",
    "eslint",
    "devIndicators",
    "productionBrowserSourceMaps",
    "distDir",
    "cleanDistDir",
    "output",
    "webpack",
    "turbopack",
    "generateBuildId",
    "compress",
    "transpilePackages",
    "serverExternalPackages",
    "pageExtensions",
];

/// An app's next.config (and middleware matcher), compiled.
#[derive(Debug, Default)]
pub struct NextConfig {
    /// The file it came from (`next.config.mjs`), for messages.
    pub file: String,
    /// `""` or a path starting with `/` and not ending with one.
    pub base_path: String,
    pub trailing_slash: bool,
    pub redirects: Vec<Redirect>,
    pub rewrites: Rewrites,
    pub headers: Vec<HeaderRule>,
    /// `env`, added to `process.env`.
    pub env: Vec<(String, String)>,
    /// Options that are neither honoured nor meaningless here: listed once at start.
    pub ignored: Vec<String>,
    /// `images` (Next's defaults when absent).
    pub images: bext_core::image::ImagesConfig,
    /// What bext accepts but does not do as Next would (from `images`): said once at start.
    pub notes: Vec<String>,
    /// The middleware module and where it runs; `None` without a middleware file.
    pub middleware: Option<Middleware>,
}

/// Middleware: which module, and the paths its `config.matcher` selects.
#[derive(Debug)]
pub struct Middleware {
    pub module: String,
    /// Empty: every path.
    pub matchers: Vec<Source>,
}

impl Middleware {
    /// Whether middleware runs for this request (`path` without the base path).
    pub fn runs_for(&self, path: &str, full: &str, request: &dyn RequestView) -> bool {
        self.matchers.is_empty()
            || self
                .matchers
                .iter()
                .any(|m| m.applies(path, full, request).is_some())
    }
}

/// A next.config that does not make sense: the file and the key path (`redirects[2].source`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    pub key: String,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, self.key, self.message)
        }
    }
}

impl std::error::Error for ConfigError {}

/// Compiles what the engine returned (see `render/js/config.js` for its shape).
pub fn compile(file: &str, json: &Value) -> Result<NextConfig, ConfigError> {
    let err = |key: &str, message: String| ConfigError {
        file: file.to_owned(),
        key: key.to_owned(),
        message,
    };
    let config = json.get("config").unwrap_or(&Value::Null);
    let mut out = NextConfig {
        file: file.to_owned(),
        ..NextConfig::default()
    };
    if let Some(keys) = json.get("keys").and_then(Value::as_array) {
        for key in keys.iter().filter_map(Value::as_str) {
            if !HONOURED.contains(&key) && !NOTHING_TO_DO.contains(&key) {
                out.ignored.push(key.to_owned());
            }
        }
    }
    match config.get("basePath") {
        None | Some(Value::Null) => {}
        Some(Value::String(base)) => {
            if !base.is_empty() && (!base.starts_with('/') || base.ends_with('/')) {
                return Err(err(
                    "basePath",
                    format!("`{base}` must start with `/` and not end with one (as `/docs`)"),
                ));
            }
            out.base_path = base.clone();
        }
        Some(other) => return Err(err("basePath", format!("must be a string, not {other}"))),
    }
    match config.get("trailingSlash") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => out.trailing_slash = *b,
        Some(other) => {
            return Err(err(
                "trailingSlash",
                format!("must be true or false, not {other}"),
            ));
        }
    }
    if let Some(images) = config.get("images").filter(|v| !v.is_null()) {
        out.images = images::compile(images, &err, &mut out.notes)?;
    }
    if let Some(env) = config.get("env").filter(|v| !v.is_null()) {
        let Some(map) = env.as_object() else {
            return Err(err("env", String::from("must be an object of strings")));
        };
        for (name, value) in map {
            let value = match value {
                Value::String(s) => s.clone(),
                Value::Number(_) | Value::Bool(_) => value.to_string(),
                other => {
                    return Err(err(
                        &format!("env.{name}"),
                        format!("must be a string, not {other}"),
                    ));
                }
            };
            out.env.push((name.clone(), value));
        }
    }
    if let Some(list) = rule_list(json.get("redirects"), "redirects", &err)? {
        for (i, rule) in list.iter().enumerate() {
            let key = format!("redirects[{i}]");
            let source = source(rule, &key, &err)?;
            let destination = string_field(rule, "destination", &key, &err)?;
            let status = match (rule.get("statusCode"), rule.get("permanent")) {
                (Some(Value::Number(n)), _) => match n.as_u64() {
                    Some(code @ (301 | 302 | 303 | 307 | 308)) => code as u16,
                    _ => {
                        return Err(err(
                            &format!("{key}.statusCode"),
                            format!("{n} is not a redirect status (301, 302, 303, 307, 308)"),
                        ));
                    }
                },
                (_, Some(Value::Bool(true))) => 308,
                (_, Some(Value::Bool(false))) => 307,
                _ => {
                    return Err(err(
                        &key,
                        String::from("needs `permanent: true|false` or a `statusCode`"),
                    ));
                }
            };
            out.redirects.push(Redirect {
                source,
                destination,
                status,
            });
        }
    }
    match json.get("rewrites") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => out.rewrites.after_files = rewrites(list, "rewrites", &err)?,
        Some(Value::Object(phases)) => {
            for (name, target) in [
                ("beforeFiles", &mut out.rewrites.before_files),
                ("afterFiles", &mut out.rewrites.after_files),
                ("fallback", &mut out.rewrites.fallback),
            ] {
                match phases.get(name) {
                    None | Some(Value::Null) => {}
                    Some(Value::Array(list)) => {
                        *target = rewrites(list, &format!("rewrites.{name}"), &err)?
                    }
                    Some(_) => {
                        return Err(err(
                            &format!("rewrites.{name}"),
                            String::from("must be an array"),
                        ));
                    }
                }
            }
        }
        Some(_) => {
            return Err(err(
                "rewrites",
                String::from("must resolve to an array or {beforeFiles, afterFiles, fallback}"),
            ));
        }
    }
    if let Some(list) = rule_list(json.get("headers"), "headers", &err)? {
        for (i, rule) in list.iter().enumerate() {
            let key = format!("headers[{i}]");
            let source = source(rule, &key, &err)?;
            let Some(entries) = rule.get("headers").and_then(Value::as_array) else {
                return Err(err(
                    &format!("{key}.headers"),
                    String::from("must be an array of {key, value}"),
                ));
            };
            let mut headers = Vec::new();
            for (j, entry) in entries.iter().enumerate() {
                let entry_key = format!("{key}.headers[{j}]");
                let name = string_field(entry, "key", &entry_key, &err)?;
                let value = string_field(entry, "value", &entry_key, &err)?;
                headers.push((name, value));
            }
            out.headers.push(HeaderRule { source, headers });
        }
    }
    if let Some(middleware) = json.get("middleware").filter(|m| !m.is_null()) {
        let module = middleware
            .get("module")
            .and_then(Value::as_str)
            .unwrap_or("middleware")
            .to_owned();
        let merr = |key: &str, message: String| ConfigError {
            file: module.clone(),
            key: key.to_owned(),
            message,
        };
        let mut matchers = Vec::new();
        let list: Vec<Value> = match middleware.get("matcher") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => list.clone(),
            Some(one) => vec![one.clone()],
        };
        for (i, matcher) in list.iter().enumerate() {
            let key = format!("config.matcher[{i}]");
            let source = match matcher {
                Value::String(s) => Source {
                    pattern: PathPattern::new(s).map_err(|m| merr(&key, m))?,
                    has: Vec::new(),
                    missing: Vec::new(),
                    base_path: true,
                },
                Value::Object(_) => source(matcher, &key, &merr)?,
                other => {
                    return Err(merr(
                        &key,
                        format!("must be a string or an object, not {other}"),
                    ));
                }
            };
            matchers.push(source);
        }
        out.middleware = Some(Middleware { module, matchers });
    }
    Ok(out)
}

fn rule_list<'v>(
    value: Option<&'v Value>,
    key: &str,
    err: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Option<&'v Vec<Value>>, ConfigError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(list)) => Ok(Some(list)),
        Some(_) => Err(err(key, String::from("must resolve to an array"))),
    }
}

fn rewrites(
    list: &[Value],
    key: &str,
    err: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Vec<Rewrite>, ConfigError> {
    let mut out = Vec::new();
    for (i, rule) in list.iter().enumerate() {
        let key = format!("{key}[{i}]");
        out.push(Rewrite {
            source: source(rule, &key, err)?,
            destination: string_field(rule, "destination", &key, err)?,
        });
    }
    Ok(out)
}

fn string_field(
    rule: &Value,
    field: &str,
    key: &str,
    err: &dyn Fn(&str, String) -> ConfigError,
) -> Result<String, ConfigError> {
    match rule.get(field) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(err(
            &format!("{key}.{field}"),
            format!("must be a string, not {other}"),
        )),
        None => Err(err(key, format!("has no `{field}`"))),
    }
}

fn source(
    rule: &Value,
    key: &str,
    err: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Source, ConfigError> {
    let text = string_field(rule, "source", key, err)?;
    if !text.starts_with('/') {
        return Err(err(
            &format!("{key}.source"),
            format!("`{text}` must start with `/`"),
        ));
    }
    let pattern = PathPattern::new(&text).map_err(|m| err(&format!("{key}.source"), m))?;
    Ok(Source {
        pattern,
        has: conditions(rule.get("has"), &format!("{key}.has"), err)?,
        missing: conditions(rule.get("missing"), &format!("{key}.missing"), err)?,
        base_path: rule.get("basePath") != Some(&Value::Bool(false)),
    })
}

fn conditions(
    value: Option<&Value>,
    key: &str,
    err: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Vec<Condition>, ConfigError> {
    let Some(list) = value.filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let Some(list) = list.as_array() else {
        return Err(err(key, String::from("must be an array")));
    };
    let mut out = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let key = format!("{key}[{i}]");
        let kind = match item.get("type").and_then(Value::as_str) {
            Some("header") => ConditionKind::Header,
            Some("cookie") => ConditionKind::Cookie,
            Some("query") => ConditionKind::Query,
            Some("host") => ConditionKind::Host,
            other => {
                return Err(err(
                    &format!("{key}.type"),
                    format!("{other:?} is not one of header, cookie, query, host"),
                ));
            }
        };
        let name = match item.get("key") {
            Some(Value::String(k)) => k.clone(),
            None if kind == ConditionKind::Host => String::new(),
            _ => return Err(err(&format!("{key}.key"), String::from("must be a string"))),
        };
        let value = match item.get("value") {
            None | Some(Value::Null) => None,
            Some(Value::String(v)) => {
                Some(anchored(v).map_err(|m| err(&format!("{key}.value"), m))?)
            }
            Some(_) => {
                return Err(err(
                    &format!("{key}.value"),
                    String::from("must be a string"),
                ));
            }
        };
        out.push(Condition {
            kind,
            key: if kind == ConditionKind::Header {
                name.to_ascii_lowercase()
            } else {
                name
            },
            value,
        });
    }
    Ok(out)
}

/// A `has` value as Next tests it: `^(?:value)$`, JavaScript syntax.
fn anchored(value: &str) -> Result<Regex, String> {
    RegexBuilder::new(&format!("^(?:{value})$"))
        .backtrack_limit(bext_core::limits::PATTERN_BACKTRACK_STEPS_MAX)
        .build()
        .map_err(|e| format!("`{value}` is not a regular expression bext can compile: {e}"))
}

#[cfg(test)]
mod tests;
