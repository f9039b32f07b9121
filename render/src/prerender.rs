//! Pre-rendering's side of the render protocol: the engine lists every page route's
//! `generateStaticParams` when asked for route [`STATIC_PARAMS_ROUTE`] (`js/prerender.js`),
//! and [`listed_paths`] turns its answer into the URL paths to render. The server decides
//! when and where they render (`bext-server`'s `service/app/prerender.rs`).

use serde_json::Value;

use crate::app::RouteTable;

/// The route index that asks the engine for every `generateStaticParams` list, answered as
/// JSON: `[{"route": <index>, "params": [{...}, ...]}, ...]` (`u32::MAX - 1`; `u32::MAX` is
/// middleware).
pub const STATIC_PARAMS_ROUTE: usize = u32::MAX as usize - 1;

/// The URL paths of the listed params: `[{"route": i, "params": [{...}]}]` from the engine,
/// each params object put into its route's pattern. Entries that do not fit the pattern (a
/// missing parameter, a catch-all that is not a list) are skipped, as no URL names them.
pub fn listed_paths(table: &RouteTable, body: &[u8], trailing_slash: bool) -> Vec<String> {
    let Ok(Value::Array(entries)) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    let routes = table.routes();
    let mut paths = Vec::new();
    for entry in &entries {
        let Some(route) = entry
            .get("route")
            .and_then(Value::as_u64)
            .and_then(|i| routes.get(usize::try_from(i).ok()?))
        else {
            continue;
        };
        let Some(Value::Array(list)) = entry.get("params") else {
            continue;
        };
        for params in list {
            if let Some(mut path) = fill_pattern(&route.pattern, params) {
                if trailing_slash && path != "/" {
                    path.push('/');
                }
                paths.push(path);
            }
        }
    }
    paths
}

/// `/blog/[slug]` with `{"slug": "a b"}` → `/blog/a%20b`; `[...x]` takes a list of segments,
/// `[[...x]]` a list or nothing.
pub fn fill_pattern(pattern: &str, params: &Value) -> Option<String> {
    let mut path = String::new();
    for segment in pattern.split('/').filter(|s| !s.is_empty()) {
        if let Some(name) = segment
            .strip_prefix("[[...")
            .and_then(|s| s.strip_suffix("]]"))
        {
            match params.get(name) {
                None | Some(Value::Null) => {}
                Some(Value::Array(parts)) => push_all(&mut path, parts)?,
                Some(_) => return None,
            }
        } else if let Some(name) = segment
            .strip_prefix("[...")
            .and_then(|s| s.strip_suffix(']'))
        {
            match params.get(name) {
                Some(Value::Array(parts)) if !parts.is_empty() => push_all(&mut path, parts)?,
                _ => return None,
            }
        } else if let Some(name) = segment.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            path.push('/');
            push_encoded(&mut path, &scalar(params.get(name))?);
        } else {
            path.push('/');
            path.push_str(segment);
        }
    }
    if path.is_empty() {
        path.push('/');
    }
    Some(path)
}

fn push_all(path: &mut String, parts: &[Value]) -> Option<()> {
    for part in parts {
        path.push('/');
        push_encoded(path, &scalar(Some(part))?);
    }
    Some(())
}

/// A parameter value as Next takes it: a string, or a number written as JavaScript does.
fn scalar(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Percent-encodes what a browser encodes in a path segment (and `/`, `?`, `#`, `%`, which
/// would change the URL's shape), uppercase hex as browsers send it.
fn push_encoded(path: &mut String, segment: &str) {
    for byte in segment.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&byte);
        if keep {
            path.push(char::from(byte));
        } else {
            path.push_str(&format!("%{byte:02X}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn params_fill_their_pattern() {
        let check = |pattern: &str, params: Value, expect: Option<&str>| {
            assert_eq!(
                fill_pattern(pattern, &params).as_deref(),
                expect,
                "{pattern} {params}"
            );
        };
        check(
            "/blog/[slug]",
            json!({"slug": "hello"}),
            Some("/blog/hello"),
        );
        check("/p/[id]", json!({"id": 7}), Some("/p/7"));
        check(
            "/blog/[slug]",
            json!({"slug": "a b/é?"}),
            Some("/blog/a%20b%2F%C3%A9%3F"),
        );
        check(
            "/docs/[...path]",
            json!({"path": ["a", "b"]}),
            Some("/docs/a/b"),
        );
        check("/docs/[...path]", json!({"path": []}), None);
        check("/docs/[...path]", json!({"path": "a"}), None);
        check("/[[...opt]]", json!({}), Some("/"));
        check("/x/[[...opt]]", json!({"opt": ["y"]}), Some("/x/y"));
        check("/[lang]/[id]", json!({"lang": "en"}), None);
        check("/[lang]", json!({"lang": ""}), None);
        check("/[lang]", json!({"lang": null}), None);
    }
}
