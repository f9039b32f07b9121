//! Import aliases: `@/`, `compilerOptions.paths` and `baseUrl` of `tsconfig.json` /
//! `jsconfig.json`.
//!
//! `@/x` means `<root>/x` unless the config maps `@/*` elsewhere (Next.js apps with a `src/`
//! folder map it to `./src/*`). Other `paths` entries work the same way. `extends` is not
//! followed: the aliases an app uses are nearly always in its own config.

use std::fs;
use std::path::{Path, PathBuf};

use bext_core::limits::APP_SOURCE_BYTES_MAX;
use serde::Deserialize;

use super::diagnostic::CompileError;

/// One `paths` entry: `prefix*suffix` (or an exact key) → targets with `*` substituted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Alias {
    prefix: String,
    /// `None` for an exact key (no `*`).
    suffix: Option<String>,
    /// Absolute target patterns, tried in order.
    targets: Vec<String>,
}

impl Alias {
    /// The candidate paths for `specifier` if this alias applies, longest-prefix ranking aside.
    fn candidates(&self, specifier: &str) -> Option<Vec<PathBuf>> {
        let capture = match &self.suffix {
            None => (specifier == self.prefix).then_some("")?,
            Some(suffix) => specifier
                .strip_prefix(self.prefix.as_str())
                .and_then(|rest| rest.strip_suffix(suffix.as_str()))?,
        };
        Some(
            self.targets
                .iter()
                .map(|t| PathBuf::from(t.replacen('*', capture, 1)))
                .collect(),
        )
    }
}

/// The candidate paths for `specifier` from the best-matching alias (an exact key, else the
/// longest prefix), or `None` when no alias applies.
pub(crate) fn alias_candidates(aliases: &[Alias], specifier: &str) -> Option<Vec<PathBuf>> {
    aliases
        .iter()
        .filter_map(|a| Some((a, a.candidates(specifier)?)))
        .max_by_key(|(a, _)| (a.suffix.is_none(), a.prefix.len()))
        .map(|(_, c)| c)
}

/// Reads the app's aliases. A config that exists but cannot be parsed is an error (silently
/// ignoring it would turn every aliased import into a confusing "cannot resolve").
pub(crate) fn load_aliases(root: &Path) -> Result<Vec<Alias>, CompileError> {
    let mut aliases = Vec::new();
    for name in ["tsconfig.json", "jsconfig.json"] {
        let path = root.join(name);
        let Ok(meta) = fs::metadata(&path) else {
            continue;
        };
        if meta.len() > APP_SOURCE_BYTES_MAX as u64 {
            return Err(CompileError::file(name, "config file too large".to_owned()));
        }
        let text = fs::read_to_string(&path)
            .map_err(|e| CompileError::file(name, format!("cannot read: {e}")))?;
        aliases = parse_paths(&text, root).map_err(|e| CompileError::file(name, e))?;
        break;
    }
    if !aliases
        .iter()
        .any(|a| a.prefix == "@/" && a.suffix.as_deref() == Some(""))
    {
        aliases.push(Alias {
            prefix: "@/".to_owned(),
            suffix: Some(String::new()),
            targets: vec![format!("{}/*", root.display())],
        });
    }
    Ok(aliases)
}

fn parse_paths(text: &str, root: &Path) -> Result<Vec<Alias>, String> {
    #[derive(Deserialize, Default)]
    #[serde(rename_all = "camelCase")]
    struct Options {
        base_url: Option<String>,
        paths: Option<std::collections::BTreeMap<String, Vec<String>>>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Config {
        #[serde(default)]
        compiler_options: Options,
    }
    let config: Config =
        serde_json::from_str(&strip_jsonc(text)).map_err(|e| format!("invalid JSON: {e}"))?;
    let base = root.join(config.compiler_options.base_url.as_deref().unwrap_or("."));
    let mut aliases = Vec::new();
    for (key, targets) in config.compiler_options.paths.unwrap_or_default() {
        let (prefix, suffix) = match key.split_once('*') {
            Some((p, s)) => (p.to_owned(), Some(s.to_owned())),
            None => (key.clone(), None),
        };
        let targets = targets
            .iter()
            .map(|t| base.join(t).to_string_lossy().into_owned())
            .collect();
        aliases.push(Alias {
            prefix,
            suffix,
            targets,
        });
    }
    // `baseUrl`: any other bare specifier is tried under it first (then `node_modules`), as
    // TypeScript and Next.js resolve it.
    if config.compiler_options.base_url.is_some() {
        aliases.push(Alias {
            prefix: String::new(),
            suffix: Some(String::new()),
            targets: vec![base.join("*").to_string_lossy().into_owned()],
        });
    }
    Ok(aliases)
}

/// Turns JSONC (what tsconfig files are: comments and trailing commas allowed) into JSON.
/// Comments become spaces so error positions stay put.
pub(crate) fn strip_jsonc(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                out.extend_from_slice(&bytes[start..i]);
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    out.push(b' ');
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |e| i + 2 + e + 2);
                out.extend(
                    bytes[i..end]
                        .iter()
                        .map(|&b| if b == b'\n' { b'\n' } else { b' ' }),
                );
                i = end;
            }
            b',' => {
                // A comma followed (past blanks and comments) by `}` or `]` is dropped.
                let rest = strip_jsonc_tail(&text[i + 1..]);
                out.push(if rest.starts_with(['}', ']']) {
                    b' '
                } else {
                    b','
                });
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    // Only ASCII bytes were replaced, so this stays valid UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// `rest` with leading whitespace and comments skipped.
fn strip_jsonc_tail(mut rest: &str) -> &str {
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.find('\n').map_or("", |n| &after[n..]);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.find("*/").map_or("", |n| &after[n + 2..]);
        } else {
            return rest;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{alias_candidates, parse_paths, strip_jsonc};

    #[test]
    fn jsonc() {
        let text = "{\n  // comment\n  \"a\": \"x//y\", /* block\n */ \"b\": [1, 2,],\n}";
        let json: serde_json::Value = serde_json::from_str(&strip_jsonc(text)).unwrap();
        assert_eq!(json, serde_json::json!({"a": "x//y", "b": [1, 2]}));
        assert_eq!(strip_jsonc(r#"{"a": "q\"//"}"#), r#"{"a": "q\"//"}"#);
    }

    #[test]
    fn paths() {
        let root = Path::new("/app");
        let text = r#"{"compilerOptions": {"baseUrl": "src", "paths": {"@/*": ["./*", "../shared/*"], "@ui": ["./ui/index.ts"], "@ui/*": ["./ui/*"]}}}"#;
        let aliases = parse_paths(text, root).unwrap();
        let show = |s: &str| {
            alias_candidates(&aliases, s)
                .map(|c| {
                    c.iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default()
        };
        assert_eq!(show("@/lib/x"), "/app/src/./lib/x /app/src/../shared/lib/x");
        assert_eq!(show("@ui"), "/app/src/./ui/index.ts");
        assert_eq!(show("@ui/button"), "/app/src/./ui/button");
        // With a baseUrl, any bare specifier is tried under it first.
        assert_eq!(show("lodash"), "/app/src/lodash");
        let no_base =
            parse_paths(r#"{"compilerOptions": {"paths": {"@ui": ["./ui"]}}}"#, root).unwrap();
        assert_eq!(alias_candidates(&no_base, "lodash"), None);
    }
}
