//! `package.json`: the fields resolution reads, and the `exports` map.
//!
//! `exports` is matched by key order (the first listed condition we accept wins), and
//! `serde_json`'s map sorts keys unless the crate-wide `preserve_order` feature is on, which
//! would change map order for every crate of the workspace. So the JSON values here go through
//! a small ordered tree ([`Json`]) of our own.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

/// Conditions of an `exports` (or `imports`) map the linker accepts: those Next.js resolves
/// server components with. `react-server` picks a package's server build (`server-only`'s
/// empty module, React libraries' RSC entries); `node` builds work because the runtime
/// provides the Node built-ins they use (a package needing one it does not provide is named
/// at start); `browser`-only entries are skipped. Which listed key wins is the package's
/// order, as in Node.
pub(crate) const CONDITIONS: &[&str] = &[
    "react-server",
    "node",
    "import",
    "module",
    "require",
    "default",
];

/// Conditions a stylesheet's `@import` of a package accepts (`@import "tailwindcss"` names the
/// package's `style` export), as webpack's css-loader and Tailwind's resolver take them.
pub(crate) const STYLE_CONDITIONS: &[&str] = &["style", "default"];

/// Conditions the browser bundle of client components resolves with, as Next.js resolves
/// client code: `browser` builds first, never `react-server` or `node` ones.
pub(crate) const BROWSER_CONDITIONS: &[&str] =
    &["browser", "import", "module", "require", "default"];

/// A JSON value that keeps object keys in file order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Json {
    Null,
    Str(String),
    Arr(Vec<Json>),
    Map(Vec<(String, Json)>),
    /// Booleans and numbers: never meaningful where resolution looks.
    Other,
}

/// The fields of a `package.json` resolution reads.
#[derive(Debug, Default)]
pub(crate) struct PackageJson {
    pub main: Option<String>,
    pub module: Option<String>,
    pub exports: Option<Json>,
    /// `imports`: the package's private `#name` specifiers.
    pub imports: Option<Json>,
    /// `style`: the stylesheet of a package without `exports` (`normalize.css`, …).
    pub style: Option<String>,
}

pub(crate) fn parse_package_json(text: &str) -> Result<PackageJson, String> {
    #[derive(Deserialize)]
    struct Raw {
        main: Option<Json>,
        module: Option<Json>,
        exports: Option<Json>,
        imports: Option<Json>,
        style: Option<Json>,
    }
    let raw: Raw = serde_json::from_str(text).map_err(|e| format!("invalid package.json: {e}"))?;
    let string = |v: Option<Json>| match v {
        Some(Json::Str(s)) if !s.is_empty() => Some(s),
        _ => None,
    };
    Ok(PackageJson {
        main: string(raw.main),
        module: string(raw.module),
        exports: raw.exports,
        imports: raw.imports,
        style: string(raw.style),
    })
}

/// Resolves `subpath` (`"."` or `"./feature"`) through an `exports` value to a target
/// relative to the package (`"./dist/feature.mjs"`). `None`: the package does not export it.
#[cfg(test)]
pub(crate) fn resolve_exports(exports: &Json, subpath: &str) -> Option<String> {
    resolve_exports_with(exports, subpath, CONDITIONS)
}

/// [`resolve_exports`] under other conditions (a stylesheet's, [`STYLE_CONDITIONS`]).
pub(crate) fn resolve_exports_with(
    exports: &Json,
    subpath: &str,
    conditions: &[&str],
) -> Option<String> {
    let sugar;
    let entries: &[(String, Json)] = match exports {
        Json::Map(entries) if entries.iter().any(|(k, _)| k.starts_with('.')) => entries,
        // A string, an array, or a conditions object: all stand for `{".": exports}`.
        other => {
            sugar = [(".".to_owned(), other.clone())];
            &sugar
        }
    };
    if let Some((_, target)) = entries
        .iter()
        .find(|(k, _)| k == subpath && !k.contains('*'))
    {
        return resolve_any_target(target, None, false, conditions);
    }
    // Patterns (`./features/*.js`): the longest prefix wins, as in Node.
    let mut best: Option<(&str, &Json, &str)> = None;
    for (key, target) in entries {
        let Some((prefix, suffix)) = key.split_once('*') else {
            continue;
        };
        if suffix.contains('*') || subpath.len() < prefix.len() + suffix.len() {
            continue;
        }
        if subpath.starts_with(prefix) && subpath.ends_with(suffix) {
            let capture = &subpath[prefix.len()..subpath.len() - suffix.len()];
            if best.is_none_or(|(k, _, _)| key.len() > k.len()) {
                best = Some((key, target, capture));
            }
        }
    }
    if let Some((_, target, capture)) = best {
        return resolve_any_target(target, Some(capture), false, conditions);
    }
    // Deprecated folder mappings (`"./lib/": "./lib/"`).
    let (key, target) = entries
        .iter()
        .filter(|(k, _)| k.ends_with('/') && subpath.starts_with(k.as_str()))
        .max_by_key(|(k, _)| k.len())?;
    let base = resolve_any_target(target, None, false, conditions)?;
    base.ends_with('/')
        .then(|| format!("{base}{}", &subpath[key.len()..]))
}

/// `bare`: a target may also name a package (`imports` entries may; `exports` ones may not).
fn resolve_any_target(
    target: &Json,
    capture: Option<&str>,
    bare: bool,
    conditions: &[&str],
) -> Option<String> {
    match target {
        Json::Str(s) => {
            let resolved = match capture {
                Some(c) => s.replace('*', c),
                None => s.clone(),
            };
            if bare && !resolved.starts_with('.') && !resolved.starts_with('/') {
                return Some(resolved);
            }
            // Targets stay inside the package (Node refuses `../` and `node_modules` too).
            let inside = resolved.starts_with("./")
                && !resolved
                    .split('/')
                    .any(|segment| segment == ".." || segment == "node_modules");
            inside.then_some(resolved)
        }
        Json::Arr(items) => items
            .iter()
            .find_map(|t| resolve_any_target(t, capture, bare, conditions)),
        Json::Map(entries) => entries
            .iter()
            .filter(|(k, _)| conditions.contains(&k.as_str()))
            .find_map(|(_, t)| resolve_any_target(t, capture, bare, conditions)),
        Json::Null | Json::Other => None,
    }
}

/// Resolves a `#name` specifier through a package's `imports`: a path relative to the
/// package (`./src/x.js`) or another package's specifier (`lodash/get`). Exact keys first,
/// then the longest `*` pattern, as in Node.
pub(crate) fn resolve_imports(
    imports: &Json,
    specifier: &str,
    conditions: &[&str],
) -> Option<String> {
    let Json::Map(entries) = imports else {
        return None;
    };
    if let Some((_, target)) = entries.iter().find(|(k, _)| k == specifier) {
        return resolve_any_target(target, None, true, conditions);
    }
    let (_, target, capture) = entries
        .iter()
        .filter_map(|(key, target)| {
            let (prefix, suffix) = key.split_once('*')?;
            let capture = specifier.strip_prefix(prefix)?.strip_suffix(suffix)?;
            Some((key.len(), target, capture))
        })
        .max_by_key(|(len, _, _)| *len)?;
    resolve_any_target(target, Some(capture), true, conditions)
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Json, E> {
        Ok(Json::Other)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Json, E> {
        Ok(Json::Other)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Json, E> {
        Ok(Json::Other)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Json, E> {
        Ok(Json::Other)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Json, E> {
        Ok(Json::Str(s.to_owned()))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Json, E> {
        Ok(Json::Str(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Arr(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            entries.push((key, value));
        }
        Ok(Json::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_package_json, resolve_exports};

    /// `exports` (as JSON) resolves `subpath` to `expect` (`-` for not exported).
    fn check(exports: &str, subpath: &str, expect: &str) {
        let package = parse_package_json(&format!(r#"{{"exports": {exports}}}"#)).unwrap();
        let got = package
            .exports
            .as_ref()
            .and_then(|e| resolve_exports(e, subpath));
        assert_eq!(got.as_deref().unwrap_or("-"), expect, "{exports} {subpath}");
    }

    #[test]
    fn exports_maps() {
        check(r#""./index.js""#, ".", "./index.js");
        check(r#""./index.js""#, "./x", "-");
        check(
            r#"{"import": "./a.mjs", "require": "./a.cjs"}"#,
            ".",
            "./a.mjs",
        );
        check(
            r#"{"require": "./a.cjs", "import": "./a.mjs"}"#,
            ".",
            "./a.cjs",
        );
        // Next resolves server components with `react-server` and `node`, never `browser`.
        check(
            r#"{"node": "./node.js", "browser": "./b.js", "default": "./d.js"}"#,
            ".",
            "./node.js",
        );
        check(
            r#"{"browser": "./b.js", "react-server": "./rsc.js", "default": "./d.js"}"#,
            ".",
            "./rsc.js",
        );
        check(
            r#"{"types": "./a.d.ts", "import": {"types": "./x.d.ts", "default": "./x.mjs"}}"#,
            ".",
            "./x.mjs",
        );
        check(
            r#"{".": "./main.js", "./sub": {"import": "./sub.mjs"}, "./package.json": "./package.json"}"#,
            "./sub",
            "./sub.mjs",
        );
        check(r#"{".": "./main.js", "./sub": "./sub.js"}"#, "./other", "-");
        check(
            r#"{"./features/*": "./src/features/*.js", "./features/private/*": null}"#,
            "./features/a/b",
            "./src/features/a/b.js",
        );
        check(
            r#"{"./features/*": "./src/features/*.js", "./features/private/*": null}"#,
            "./features/private/x",
            "-",
        );
        check(r#"{"./*.js": "./lib/*.js"}"#, "./util.js", "./lib/util.js");
        check(r#"{"./lib/": "./dist/"}"#, "./lib/x.js", "./dist/x.js");
        check(
            r#"[{"worker": "./w.js"}, "./fallback.js"]"#,
            ".",
            "./fallback.js",
        );
        check(r#"{".": "../escape.js"}"#, ".", "-");
        check(r#"{".": "./node_modules/x/index.js"}"#, ".", "-");
    }

    #[test]
    fn main_fields() {
        let p = parse_package_json(
            r#"{"name": "x", "main": "lib/index.js", "module": 3, "version": "1.0.0"}"#,
        )
        .unwrap();
        assert_eq!(p.main.as_deref(), Some("lib/index.js"));
        assert_eq!(p.module, None);
        assert!(parse_package_json("{").is_err());
    }
}
