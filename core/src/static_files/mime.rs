//! File name → `Content-Type` value.
//!
//! `mime_guess` knows about a thousand extensions but returns bare types such as `text/html`.
//! Without a charset a browser guesses the encoding of a text file (and may guess wrong on a
//! page without `<meta charset>`), so the types a static site actually serves as text carry
//! `; charset=utf-8` from the small table below, checked first; everything else falls back to
//! `mime_guess` as is. Assuming UTF-8 is the modern default (nginx needs `charset utf-8;` and
//! `charset_types` to do the same).
//!
//! Deliberate overrides of `mime_guess`: `.mjs` and `.cjs` are `text/javascript` (RFC 9239
//! obsoletes `application/javascript`); `.map` (source maps) is JSON, not `text/plain`.
//!
//! A file with no extension (`LICENSE`, an ACME token) or an unknown one is
//! `application/octet-stream`, nginx's `default_type`: the browser downloads it rather than
//! sniffing it into HTML.
//!
//! The runtime calls this once per cache entry with the path of the *original* file, never of
//! its `.br`/`.gz` variant, whose type is that of the original plus a `Content-Encoding`.

/// The type of anything not recognised.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// Extensions (compared ASCII case-insensitively) whose type gets a charset.
const UTF8_TYPES: &[(&str, &str)] = &[
    ("html", "text/html; charset=utf-8"),
    ("htm", "text/html; charset=utf-8"),
    ("css", "text/css; charset=utf-8"),
    ("js", "text/javascript; charset=utf-8"),
    ("mjs", "text/javascript; charset=utf-8"),
    ("cjs", "text/javascript; charset=utf-8"),
    ("json", "application/json; charset=utf-8"),
    ("map", "application/json; charset=utf-8"),
    ("webmanifest", "application/manifest+json; charset=utf-8"),
    ("txt", "text/plain; charset=utf-8"),
    ("svg", "image/svg+xml; charset=utf-8"),
    ("xml", "text/xml; charset=utf-8"),
    ("rss", "application/rss+xml; charset=utf-8"),
    ("atom", "application/atom+xml; charset=utf-8"),
    ("md", "text/markdown; charset=utf-8"),
    ("markdown", "text/markdown; charset=utf-8"),
    ("csv", "text/csv; charset=utf-8"),
];

/// The `Content-Type` value for a file, from the extension of its last path segment.
pub fn content_type(rel_path: &str) -> &'static str {
    let Some(extension) = extension(rel_path) else {
        return OCTET_STREAM;
    };
    for &(known, value) in UTF8_TYPES {
        if known.eq_ignore_ascii_case(extension) {
            return value;
        }
    }
    mime_guess::from_ext(extension)
        .first_raw()
        .unwrap_or(OCTET_STREAM)
}

/// Text after the last `.` of the file name; none for `.bashrc` (a leading dot names a hidden
/// file, it does not start an extension) or a name ending in `.`.
fn extension(rel_path: &str) -> Option<&str> {
    let name = match rel_path.rfind('/') {
        Some(slash) => &rel_path[slash + 1..],
        None => rel_path,
    };
    match name.rfind('.') {
        Some(dot) if dot > 0 && dot + 1 < name.len() => Some(&name[dot + 1..]),
        _ => None,
    }
}
