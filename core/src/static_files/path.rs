//! Request path → a relative path that is safe to join onto a site root.
//!
//! This is the only gate between a URL and the file system, so it is strict and simple:
//!
//! - **Decode exactly once.** `%2e%2e` is `..` and is refused; `%252e` decodes to the literal
//!   three characters `%2e`, a legal file name, and is *not* decoded again. Decoding twice is
//!   the classic way traversal checks are bypassed.
//! - **Check after decoding.** Every rule below looks at the decoded bytes, so the encoded and
//!   raw spellings of a byte (`/` and `%2F`, `\` and `%5C`, NUL and `%00`) are treated alike.
//!   `%2F` therefore separates segments, as in nginx.
//! - **Refuse `..` instead of resolving it.** nginx resolves `/a/../b` to `/b` and answers 400
//!   only when `..` would climb above the root; no real link needs `..`, and refusing it
//!   outright leaves nothing to get wrong. `//` and `/./` are merely collapsed.
//! - **Refuse what no static site needs:** NUL (it truncates C strings), other control bytes
//!   (they only ever serve log or header injection), backslashes (a separator on Windows and in
//!   some browsers' URL parsers) and bytes that are not UTF-8 after decoding (this also refuses
//!   overlong encodings such as `%C0%AE`, which `std::str::from_utf8` rejects).
//! - **Hide dotfiles.** A segment starting with `.` (`.git`, `.env`, `.htpasswd`) is answered
//!   404, not 403, so a scanner cannot tell that the file exists. `/.well-known/` (the first
//!   segment only) is always allowed: ACME (RFC 8555) and `security.txt` live there, as nginx
//!   and Caddy users expect.
//!
//! Statuses (see [`PathError::status`]): 404 for a hidden dotfile, 400 for everything else,
//! traversal included. 400 is what nginx answers for a `..` that escapes the root; 403 would
//! tell a prober that it found something worth probing.
//!
//! No length limit is checked here: the path is part of the request line, already bounded by
//! [`crate::limits::REQUEST_LINE_BYTES_MAX`].
//!
//! [`resolve_path`] allocates (it builds a `String`); the runtime calls it only on a cache miss.
//! [`fast_path_ok`] tells, without allocating, when the raw bytes are already the answer.

use std::fmt;

/// A decoded, normalised path relative to the site root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SafePath {
    /// No leading `/`, segments joined by single `/`s, no empty, `.` or `..` segment, no NUL,
    /// control byte or backslash. Empty for the root itself.
    pub rel: String,
    /// The request named a directory (`/docs/`, `/docs/.`, `/`): the runtime serves the index
    /// file, and redirects a directory requested without the slash.
    pub trailing_slash: bool,
}

/// Why a request path was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathError {
    /// Empty, or not starting with `/` (`*`, or an absolute-form target not reduced to a path).
    NotAbsolute,
    /// `%` not followed by two hex digits.
    BadPercentEscape,
    /// A NUL byte, raw or `%00`.
    Nul,
    /// A control byte other than NUL (`%0A`, `%7F`, ...).
    ControlChar,
    /// A backslash, raw or `%5C`.
    Backslash,
    /// Not UTF-8 after decoding, including overlong forms.
    InvalidUtf8,
    /// A `..` segment, raw or encoded.
    Traversal,
    /// A segment starting with `.` (other than a leading `.well-known`) while dotfiles are not
    /// served.
    Dotfile,
}

impl PathError {
    /// The status to answer with: 404 for a hidden dotfile (don't reveal it), else 400.
    pub fn status(self) -> u16 {
        match self {
            PathError::Dotfile => 404,
            PathError::NotAbsolute
            | PathError::BadPercentEscape
            | PathError::Nul
            | PathError::ControlChar
            | PathError::Backslash
            | PathError::InvalidUtf8
            | PathError::Traversal => 400,
        }
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PathError::NotAbsolute => "path does not start with '/'",
            PathError::BadPercentEscape => "invalid percent escape",
            PathError::Nul => "NUL byte in path",
            PathError::ControlChar => "control byte in path",
            PathError::Backslash => "backslash in path",
            PathError::InvalidUtf8 => "path is not UTF-8",
            PathError::Traversal => "'..' segment in path",
            PathError::Dotfile => "dotfile not served",
        })
    }
}

impl std::error::Error for PathError {}

/// The one dot-segment served even when dotfiles are not.
const WELL_KNOWN: &str = ".well-known";

/// Decodes `raw_path` (the request target's path, without the query) once and normalises it.
///
/// Malformed input (400) is reported before a hidden dotfile (404), whatever their order in
/// the path, so that the answer to a traversal attempt does not depend on the dotfile setting.
pub fn resolve_path(raw_path: &[u8], allow_dotfiles: bool) -> Result<SafePath, PathError> {
    if raw_path.first() != Some(&b'/') {
        return Err(PathError::NotAbsolute);
    }
    let decoded = percent_decode(raw_path)?;
    for &byte in &decoded {
        match byte {
            0 => return Err(PathError::Nul),
            b'\\' => return Err(PathError::Backslash),
            1..=0x1f | 0x7f => return Err(PathError::ControlChar),
            _ => {}
        }
    }
    let text = String::from_utf8(decoded).map_err(|_| PathError::InvalidUtf8)?;

    let mut rel = String::with_capacity(text.len());
    let mut trailing_slash = false;
    let mut hidden = false;
    // `text` starts with '/', so the first split item is the empty string before it.
    for segment in text.split('/').skip(1) {
        match segment {
            "" | "." => {
                trailing_slash = true;
                continue;
            }
            ".." => return Err(PathError::Traversal),
            _ => {}
        }
        trailing_slash = false;
        // `.well-known` only as the first segment: RFC 8615 defines it at the root alone, and a
        // nested one is more likely a checked-in directory than something meant to be public.
        if segment.starts_with('.') && !(rel.is_empty() && segment == WELL_KNOWN) {
            hidden = true;
        }
        if !rel.is_empty() {
            rel.push('/');
        }
        rel.push_str(segment);
    }
    if hidden && !allow_dotfiles {
        return Err(PathError::Dotfile);
    }
    Ok(SafePath {
        rel,
        trailing_slash,
    })
}

/// True when `raw_path` needs no decoding or normalisation: it starts with `/`, holds only
/// unreserved characters, sub-delims, `:`, `@` and `/`, and no segment is empty (`//`) or
/// starts with `.` (which covers `.`, `..`, dotfiles and, conservatively, `.well-known`).
///
/// Then, for either dotfile setting, `resolve_path(raw_path, _)` succeeds with `rel` equal to
/// `raw_path` without its leading `/` and without a trailing `/`, and `trailing_slash` equal to
/// `raw_path.ends_with(b"/")`. The runtime can therefore key its file cache by the raw bytes
/// and skip [`resolve_path`] (and its allocation) on every hit.
pub fn fast_path_ok(raw_path: &[u8]) -> bool {
    let Some((&b'/', rest)) = raw_path.split_first() else {
        return false;
    };
    let mut previous = b'/';
    for &byte in rest {
        if !is_plain_path_byte(byte) {
            return false;
        }
        if previous == b'/' && (byte == b'/' || byte == b'.') {
            return false;
        }
        previous = byte;
    }
    true
}

/// RFC 3986 `pchar` minus `%`, plus `/`: bytes that mean themselves in a path.
fn is_plain_path_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || matches!(
            byte,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
                | b'/'
        )
}

/// One pass of percent-decoding; the result is never decoded again.
fn percent_decode(raw: &[u8]) -> Result<Vec<u8>, PathError> {
    let mut out = Vec::with_capacity(raw.len());
    let mut index = 0;
    while let Some(&byte) = raw.get(index) {
        if byte != b'%' {
            out.push(byte);
            index += 1;
            continue;
        }
        let high = raw.get(index + 1).and_then(|&b| hex_value(b));
        let low = raw.get(index + 2).and_then(|&b| hex_value(b));
        let (Some(high), Some(low)) = (high, low) else {
            return Err(PathError::BadPercentEscape);
        };
        out.push(high << 4 | low);
        index += 3;
    }
    Ok(out)
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}
