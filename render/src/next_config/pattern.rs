//! Next.js route patterns (`/blog/:slug`, `/docs/:path*`, `/post/:id(\d+)`, `/(.*)`): the
//! path-to-regexp 6 syntax Next.js compiles `source` fields and middleware matchers with,
//! turned into one regular expression, and destinations filled in from what it captured.
//!
//! Next compiles sources case-insensitively and not strictly (one trailing slash may follow)
//! and drops unnamed groups from the parameters. Custom groups are JavaScript regular expressions
//! and apps use lookahead in them (`/((?!api|_next).*)` is the usual middleware matcher), so
//! matching goes through `fancy-regex`, which adds look-around to the `regex` crate with a
//! bounded backtracker.

use bext_core::limits::PATTERN_BACKTRACK_STEPS_MAX;
use fancy_regex::{Regex, RegexBuilder};

/// What a parameter matches when the pattern gives no group: one segment.
const SEGMENT: &str = r"[^/#?]+?";

/// A compiled `source`.
#[derive(Debug)]
pub struct PathPattern {
    regex: Regex,
    /// One per capture group, in order: the parameter's name (`None` for unnamed groups).
    keys: Vec<Option<String>>,
}

/// Parameters a match captured (and `has` conditions added), raw as they appear in the URL.
pub type Params = Vec<(String, String)>;

#[derive(Debug, PartialEq)]
enum Token {
    Text(String),
    Param {
        name: Option<String>,
        prefix: String,
        suffix: String,
        pattern: Option<String>,
        modifier: Option<char>,
    },
}

impl PathPattern {
    /// Compiles `source`; the error says what is wrong with it.
    pub fn new(source: &str) -> Result<PathPattern, String> {
        let tokens = parse(source)?;
        let mut re = String::from("^");
        let mut keys = Vec::new();
        for token in &tokens {
            match token {
                Token::Text(text) => re.push_str(&fancy_regex::escape(text)),
                Token::Param {
                    name,
                    prefix,
                    suffix,
                    pattern,
                    modifier,
                } => {
                    let prefix = fancy_regex::escape(prefix);
                    let suffix = fancy_regex::escape(suffix);
                    let modifier = modifier.map(String::from).unwrap_or_default();
                    let Some(pattern) = pattern else {
                        re.push_str(&format!("(?:{prefix}{suffix}){modifier}"));
                        continue;
                    };
                    keys.push(name.clone());
                    let repeats = modifier == "*" || modifier == "+";
                    if prefix.is_empty() && suffix.is_empty() {
                        if repeats {
                            re.push_str(&format!("((?:{pattern}){modifier})"));
                        } else {
                            re.push_str(&format!("({pattern}){modifier}"));
                        }
                    } else if repeats {
                        let optional = if modifier == "*" { "?" } else { "" };
                        re.push_str(&format!(
                            "(?:{prefix}((?:{pattern})(?:{suffix}{prefix}(?:{pattern}))*){suffix}){optional}"
                        ));
                    } else {
                        re.push_str(&format!("(?:{prefix}({pattern}){suffix}){modifier}"));
                    }
                }
            }
        }
        // Not strict, as Next matches: a trailing slash may follow (so `/` is `/:path*`).
        re.push_str("/?$");
        let regex = RegexBuilder::new(&re)
            .case_insensitive(true)
            .backtrack_limit(PATTERN_BACKTRACK_STEPS_MAX)
            .build()
            .map_err(|e| format!("`{source}` is not a pattern bext can compile: {e}"))?;
        Ok(PathPattern { regex, keys })
    }

    /// The named parameters of `path` if it matches (an absent optional one is left out).
    pub fn captures(&self, path: &str) -> Option<Params> {
        let caps = self.regex.captures(path).ok()??;
        let mut params = Vec::new();
        for (i, key) in self.keys.iter().enumerate() {
            if let (Some(name), Some(m)) = (key, caps.get(i + 1)) {
                params.push((name.clone(), m.as_str().to_owned()));
            }
        }
        Some(params)
    }

    pub fn is_match(&self, path: &str) -> bool {
        self.regex.is_match(path).unwrap_or(false)
    }
}

/// path-to-regexp 6's grammar: text, `:name`, `(pattern)`, `{prefix…suffix}` groups, each
/// parameter optionally followed by `?`, `*` or `+`; a `/` or `.` right before a parameter is
/// its prefix (optional together with it).
fn parse(source: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ':' | '(' => {
                let (name, after_name) = if c == ':' {
                    let (name, next) = read_name(&chars, i + 1);
                    if name.is_empty() {
                        return Err(format!("`{source}`: a `:` without a parameter name"));
                    }
                    (Some(name), next)
                } else {
                    (None, i)
                };
                let (pattern, mut next) = if chars.get(after_name) == Some(&'(') {
                    let (p, n) = read_group(&chars, after_name, source)?;
                    (Some(p), n)
                } else {
                    (None, after_name)
                };
                let modifier = match chars.get(next) {
                    Some(&m @ ('?' | '*' | '+')) => {
                        next += 1;
                        Some(m)
                    }
                    _ => None,
                };
                // The character before the parameter is its prefix when it is `/` or `.`.
                let mut prefix = String::new();
                if let Some(last) = text.chars().last()
                    && (last == '/' || last == '.')
                {
                    text.pop();
                    prefix.push(last);
                }
                if !text.is_empty() {
                    tokens.push(Token::Text(std::mem::take(&mut text)));
                }
                tokens.push(Token::Param {
                    name,
                    prefix,
                    suffix: String::new(),
                    pattern: Some(pattern.unwrap_or_else(|| SEGMENT.to_owned())),
                    modifier,
                });
                i = next;
            }
            '\\' => {
                if let Some(&escaped) = chars.get(i + 1) {
                    text.push(escaped);
                }
                i += 2;
            }
            '{' => {
                if !text.is_empty() {
                    tokens.push(Token::Text(std::mem::take(&mut text)));
                }
                let close = chars[i..]
                    .iter()
                    .position(|&c| c == '}')
                    .map(|p| p + i)
                    .ok_or_else(|| format!("`{source}`: a `{{` without its `}}`"))?;
                let inner: String = chars[i + 1..close].iter().collect();
                let inner_tokens = parse(&inner)?;
                let mut prefix = String::new();
                let mut suffix = String::new();
                let mut param = None;
                for t in inner_tokens {
                    match t {
                        Token::Text(t) if param.is_none() => prefix.push_str(&t),
                        Token::Text(t) => suffix.push_str(&t),
                        Token::Param {
                            name,
                            prefix: p,
                            pattern,
                            ..
                        } => {
                            prefix.push_str(&p);
                            param = Some((name, pattern));
                        }
                    }
                }
                let mut next = close + 1;
                let modifier = match chars.get(next) {
                    Some(&m @ ('?' | '*' | '+')) => {
                        next += 1;
                        Some(m)
                    }
                    _ => None,
                };
                let (name, pattern) = param.unwrap_or((None, None));
                tokens.push(Token::Param {
                    name,
                    prefix,
                    suffix,
                    pattern,
                    modifier,
                });
                i = next;
            }
            '?' | '*' | '+' => {
                return Err(format!(
                    "`{source}`: `{c}` must follow a parameter (write `:name{c}` or `(.*)`)"
                ));
            }
            _ => {
                text.push(c);
                i += 1;
            }
        }
    }
    if !text.is_empty() {
        tokens.push(Token::Text(text));
    }
    Ok(tokens)
}

fn read_name(chars: &[char], mut i: usize) -> (String, usize) {
    let mut name = String::new();
    while let Some(&c) = chars.get(i) {
        if c.is_ascii_alphanumeric() || c == '_' {
            name.push(c);
            i += 1;
        } else {
            break;
        }
    }
    (name, i)
}

/// A balanced `( … )` group starting at `open`: its inside, and the index after it.
fn read_group(chars: &[char], open: usize, source: &str) -> Result<(String, usize), String> {
    let mut depth = 1;
    let mut i = open + 1;
    let mut inner = String::new();
    if chars.get(i) == Some(&'?') && chars.get(i + 1) != Some(&':') {
        // path-to-regexp refuses capturing look-arounds at a group's start; Next's users
        // write `((?!api).*)`, which starts with `(`.
        return Err(format!(
            "`{source}`: a group may not start with `?` (write `((?!…).*)`)"
        ));
    }
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            inner.push(c);
            if let Some(&n) = chars.get(i + 1) {
                inner.push(n);
            }
            i += 2;
            continue;
        }
        if c == ')' {
            depth -= 1;
            if depth == 0 {
                if inner.is_empty() {
                    return Err(format!("`{source}`: an empty group `()`"));
                }
                return Ok((inner, i + 1));
            }
        } else if c == '(' {
            depth += 1;
            // An inner group must not capture: it would shift the parameters' numbering.
            if chars.get(i + 1) != Some(&'?') {
                inner.push_str("(?:");
                i += 1;
                continue;
            }
        }
        inner.push(c);
        i += 1;
    }
    Err(format!("`{source}`: a `(` without its `)`"))
}

/// `destination` with every `:name` the parameters hold replaced by its value (a `*`, `+`
/// or `?` after it dropped), as Next fills destinations. Names it does not hold stay.
pub fn fill(destination: &str, params: &Params) -> String {
    let mut out = String::with_capacity(destination.len());
    let chars: Vec<char> = destination.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == ':' {
            let (name, next) = read_name(&chars, i + 1);
            if let Some((_, value)) = params.iter().rev().find(|(n, _)| *n == name)
                && !name.is_empty()
            {
                out.push_str(value);
                i = next;
                if matches!(chars.get(i), Some('*' | '+' | '?')) {
                    i += 1;
                }
                continue;
            }
            // An optional parameter that matched nothing goes, with its `/` prefix.
            if !name.is_empty() && matches!(chars.get(next), Some('*' | '?')) {
                if out.ends_with('/') && out.len() > 1 {
                    out.pop();
                }
                i = next + 1;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Whether `destination` uses parameter `name`.
pub fn uses(destination: &str, name: &str) -> bool {
    let needle = format!(":{name}");
    destination.match_indices(&needle).any(|(at, _)| {
        destination[at + needle.len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parameters a match captures, or `None` for no match.
    type Captured = Option<&'static [(&'static str, &'static str)]>;

    /// (source, path, what it captures)
    const CASES: &[(&str, &str, Captured)] = &[
        ("/about", "/about", Some(&[])),
        ("/about", "/About", Some(&[])),
        ("/about", "/about/", Some(&[])),
        ("/about", "/about//", None),
        ("/:path*", "/", Some(&[])),
        ("/blog/:slug", "/blog/hello", Some(&[("slug", "hello")])),
        ("/blog/:slug", "/blog/a/b", None),
        ("/blog/:slug?", "/blog", Some(&[])),
        ("/docs/:path*", "/docs", Some(&[])),
        ("/docs/:path*", "/docs/a/b/c", Some(&[("path", "a/b/c")])),
        ("/docs/:path+", "/docs", None),
        ("/docs/:path+", "/docs/a/b", Some(&[("path", "a/b")])),
        ("/post/:id(\\d{1,})", "/post/42", Some(&[("id", "42")])),
        ("/post/:id(\\d{1,})", "/post/x", None),
        ("/(.*)", "/anything/at/all", Some(&[])),
        (
            "/((?!api|_next/static|favicon.ico).*)",
            "/dashboard",
            Some(&[]),
        ),
        ("/((?!api|_next/static|favicon.ico).*)", "/api/users", None),
        ("/file.:ext", "/file.json", Some(&[("ext", "json")])),
        ("/:a-:b", "/x-y", Some(&[("a", "x"), ("b", "y")])),
        ("/shop{/:cat}?", "/shop", Some(&[])),
        ("/shop{/:cat}?", "/shop/shoes", Some(&[("cat", "shoes")])),
        ("/a\\:b", "/a:b", Some(&[])),
    ];

    #[test]
    fn sources_match_as_path_to_regexp_does() {
        for (source, path, want) in CASES {
            let pattern = PathPattern::new(source).unwrap_or_else(|e| panic!("{e}"));
            let got = pattern.captures(path);
            let want: Option<Params> = want.map(|w| {
                w.iter()
                    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                    .collect()
            });
            assert_eq!(got, want, "{source} against {path}");
        }
    }

    #[test]
    fn bad_sources_say_why() {
        for source in ["/a/:", "/a/(", "/a/*", "/{x"] {
            assert!(PathPattern::new(source).is_err(), "{source}");
        }
    }

    #[test]
    fn destinations_fill_and_report_use() {
        let params: Params = vec![("slug".into(), "hi".into()), ("path".into(), "a/b".into())];
        assert_eq!(fill("/blog/:slug", &params), "/blog/hi");
        assert_eq!(fill("/docs/:path*?x=:slug", &params), "/docs/a/b?x=hi");
        assert_eq!(fill("/keep/:other", &params), "/keep/:other");
        assert_eq!(fill("/docs/:rest*", &params), "/docs");
        assert!(uses("/blog/:slug", "slug"));
        assert!(!uses("/blog/:slugs", "slug"));
    }
}
