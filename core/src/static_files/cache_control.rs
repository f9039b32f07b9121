//! `Cache-Control` by path: `[[site.cache_control]]` rules compiled once, first match wins.
//!
//! Pattern semantics (gitignore-like, so they read the way site authors expect):
//!
//! - A pattern **without `/`** matches the file name at any depth: `*.css` matches `/app.css`
//!   and `/a/b/app.css`; `index.html` matches every index page.
//! - A pattern **with `/`** is anchored at the site root, with or without its leading `/`:
//!   `/assets/*.js` and `assets/*.js` both match `/assets/app.js` but not
//!   `/assets/v1/app.js` nor `/x/assets/app.js`.
//! - `*` and `?` stay within one segment; `**` crosses segments: `/assets/**` matches
//!   everything under `/assets/` at any depth (not `/assets` itself); `/**/*.map` matches
//!   source maps anywhere.
//! - `[abc]`, `[!a-z]` and `{png,jpg,webp}` work as in any glob; `\` escapes. Matching is
//!   case-sensitive, like the file system.
//!
//! The path matched is that of the file actually served, with a leading `/`, decoded and
//! normalised (`"/" + SafePath::rel`, plus the index file name for a directory): so a rule on
//! `*.html` covers `/docs/` served from `/docs/index.html`, and percent-encoding cannot dodge a
//! rule. The runtime looks the value up once per cache entry, not per request; still, the
//! lookup does not allocate (globset matches a borrowed path on Unix).
//!
//! Rules are tried in order, each with its own matcher: sites have a handful of rules, and a
//! `GlobSet` would report *all* matches into a `Vec`, where only the first is wanted.

use globset::{Glob, GlobBuilder, GlobMatcher};

/// Compiled `(pattern, value)` rules.
#[derive(Clone, Debug, Default)]
pub struct CacheControlRules {
    rules: Vec<Rule>,
}

#[derive(Clone, Debug)]
struct Rule {
    matcher: GlobMatcher,
    value: Box<str>,
}

impl CacheControlRules {
    /// Compiles `rules` in order. Values must already be valid field values (config checks
    /// them, see `config::CacheRule`); a control byte in one is a programmer error and panics
    /// here, at start-up, rather than splitting a response header later.
    pub fn new(rules: &[(&str, &str)]) -> Result<Self, globset::Error> {
        let mut compiled = Vec::with_capacity(rules.len());
        for &(pattern, value) in rules {
            assert!(
                value
                    .bytes()
                    .all(|b| b == b'\t' || (b' '..=b'~').contains(&b)),
                "Cache-Control value {value:?} for {pattern:?} is not a valid field value"
            );
            compiled.push(Rule {
                matcher: compile_glob(pattern)?.compile_matcher(),
                value: value.into(),
            });
        }
        Ok(CacheControlRules { rules: compiled })
    }

    /// The value of the first rule matching `request_path` (which starts with `/`).
    pub fn lookup(&self, request_path: &str) -> Option<&str> {
        debug_assert!(
            request_path.starts_with('/'),
            "{request_path:?} is not a request path"
        );
        self.rules
            .iter()
            .find(|rule| rule.matcher.is_match(request_path))
            .map(|rule| &*rule.value)
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// How one rule pattern is compiled: the single definition of the semantics above, so that
/// config validation can use it too and never accept a pattern that fails here.
pub fn compile_glob(pattern: &str) -> Result<Glob, globset::Error> {
    let anchored;
    let pattern = if pattern.starts_with('/') {
        pattern
    } else if pattern.contains('/') {
        anchored = format!("/{pattern}");
        &anchored
    } else {
        anchored = format!("**/{pattern}");
        &anchored
    };
    GlobBuilder::new(pattern).literal_separator(true).build()
}
