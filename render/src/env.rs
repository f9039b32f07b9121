//! `process.env` as Next.js builds it: the server's environment, then the app's `.env` files
//! in Next's order (`.env.production.local`, `.env.local`, `.env.production`, `.env`; the
//! `development` ones in dev mode), where a variable already set is never overridden, and
//! `$NAME` / `${NAME}` / `${NAME:-default}` in values expanded as `dotenv-expand` does.
//!
//! The files are read when the app is loaded (at start and at each reload), never during a
//! render; the result goes into the bundle as one JSON object (see `load.rs`).

use std::collections::BTreeMap;
use std::path::Path;

use bext_core::limits::ENV_FILE_BYTES_MAX;

/// The environment app code sees as `process.env`.
pub fn load(root: &Path, dev: bool) -> Result<BTreeMap<String, String>, String> {
    let mode = if dev { "development" } else { "production" };
    let files = [
        format!(".env.{mode}.local"),
        String::from(".env.local"),
        format!(".env.{mode}"),
        String::from(".env"),
    ];
    let mut env: BTreeMap<String, String> = std::env::vars().collect();
    for name in files {
        let path = root.join(&name);
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.len() > ENV_FILE_BYTES_MAX {
            return Err(format!(
                "{}: larger than {ENV_FILE_BYTES_MAX} bytes",
                path.display()
            ));
        }
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        for (key, raw) in parse(&text) {
            if env.contains_key(&key) {
                continue; // the environment, or a file read earlier, wins
            }
            let value = expand(&raw, &env);
            env.insert(key, value);
        }
    }
    // As `next start` and `next dev` set it, whatever the environment says.
    env.insert(String::from("NODE_ENV"), String::from(mode));
    Ok(env)
}

/// `KEY=value` lines as `dotenv` reads them: `export ` allowed, values in '', "" or ``
/// (double quotes turn `\n` into a newline), unquoted values trimmed and cut at ` #`.
pub fn parse(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let line_end = rest.find('\n').map_or(rest.len(), |at| at + 1);
        let line = &rest[..line_end];
        let mut advance = line_end;
        let trimmed = line.trim_start();
        let trimmed = trimmed
            .strip_prefix("export ")
            .unwrap_or(trimmed)
            .trim_start();
        let key_len = trimmed
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
            .unwrap_or(trimmed.len());
        let (key, after) = trimmed.split_at(key_len);
        let after = after.trim_start_matches([' ', '\t']);
        if key.is_empty() || !after.starts_with('=') {
            rest = &rest[advance..];
            continue;
        }
        let value_text = after[1..].trim_start_matches([' ', '\t']);
        let value = match value_text.chars().next() {
            Some(quote @ ('\'' | '"' | '`')) => {
                // A quoted value may span lines: find its closing quote from here on.
                let start = line.len() - value_text.len();
                let body = &rest[start + 1..];
                match find_closing(body, quote) {
                    Some(end) => {
                        let consumed = start + 1 + end + 1;
                        advance = rest[consumed..]
                            .find('\n')
                            .map_or(rest.len(), |at| consumed + at + 1);
                        let inner = &body[..end];
                        if quote == '"' {
                            inner.replace("\\n", "\n").replace("\\r", "\r")
                        } else {
                            inner.to_owned()
                        }
                    }
                    None => value_text.trim_end().to_owned(),
                }
            }
            _ => {
                let end = value_text.find(['\r', '\n']).unwrap_or(value_text.len());
                let value = &value_text[..end];
                let value = value.find(" #").map_or(value, |at| &value[..at]);
                let value = if value.starts_with('#') { "" } else { value };
                value.trim().to_owned()
            }
        };
        out.push((key.to_owned(), value));
        rest = &rest[advance..];
    }
    out
}

/// The closing `quote` in `body`, skipping ones escaped with a backslash.
fn find_closing(body: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (at, c) in body.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == quote {
            return Some(at);
        }
    }
    None
}

/// `$NAME`, `${NAME}` and `${NAME:-default}` / `${NAME-default}` replaced from `env` (unset:
/// empty, or the default); `\$` stays a literal `$`.
pub fn expand(value: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c == '\\' && value[at + 1..].starts_with('$') {
            out.push('$');
            chars.next();
            continue;
        }
        if c != '$' {
            out.push(c);
            continue;
        }
        let rest = &value[at + 1..];
        if let Some(inner) = rest.strip_prefix('{') {
            let Some(close) = inner.find('}') else {
                out.push(c);
                continue;
            };
            let spec = &inner[..close];
            let (name, default) = match spec.find(":-").or_else(|| spec.find('-')) {
                Some(split) if spec[split..].starts_with(":-") => {
                    (&spec[..split], Some(&spec[split + 2..]))
                }
                Some(split) => (&spec[..split], Some(&spec[split + 1..])),
                None => (spec, None),
            };
            match (env.get(name).filter(|v| !v.is_empty()), default) {
                (Some(v), _) => out.push_str(v),
                (None, Some(default)) => out.push_str(&expand(default, env)),
                (None, None) => {}
            }
            let skip = 1 + close + 1;
            while let Some(&(next, _)) = chars.peek() {
                if next >= at + 1 + skip {
                    break;
                }
                chars.next();
            }
        } else {
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            if len == 0 {
                out.push(c);
                continue;
            }
            if let Some(v) = env.get(&rest[..len]) {
                out.push_str(v);
            }
            for _ in 0..rest[..len].chars().count() {
                chars.next();
            }
        }
    }
    out
}
