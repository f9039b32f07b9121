//! Lexical rules for the strings a config hands to the wire or to the site table: host names,
//! header names and values, file names. Each check returns why a string is refused, as text
//! ready to follow the key in an error line.

use crate::sites::HOST_BYTES_MAX;

/// Response headers bext writes itself: framing and hop-by-hop fields (a second copy would
/// corrupt the response or the connection) and those the static-file responder always sets
/// (a second copy would contradict it).
const MANAGED_HEADERS: &[&str] = &[
    "connection",
    "content-encoding",
    "content-length",
    "content-range",
    "content-type",
    "date",
    "etag",
    "keep-alive",
    "last-modified",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// A config host, lowercased and without a trailing dot: an exact name (`example.com`,
/// `127.0.0.1`), a bracketed IPv6 literal (`[::1]`), or a wildcard `*.suffix`. Names are what
/// a `Host` header can carry, so they are compared as text; no IDNA (write `xn--` labels).
pub(super) fn normalize_host(host: &str) -> Result<String, String> {
    let mut name = host.to_ascii_lowercase();
    if name.ends_with('.') && name != "." {
        name.pop();
    }
    if name.is_empty() {
        return Err("a host must not be empty".to_owned());
    }
    if name.len() > HOST_BYTES_MAX {
        return Err(format!("a host is at most {HOST_BYTES_MAX} bytes"));
    }
    if let Some(inner) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        return match inner.parse::<std::net::Ipv6Addr>() {
            Ok(_) => Ok(name),
            Err(_) => Err(format!("`{host}` is not a valid IPv6 literal")),
        };
    }
    let (wildcard, labels) = match name.strip_prefix("*.") {
        Some(suffix) => (true, suffix),
        None => (false, name.as_str()),
    };
    if labels.contains('*') {
        return Err(format!(
            "`{host}`: a wildcard is only allowed as a leading `*.` (as in `*.example.com`)"
        ));
    }
    if labels.contains(':') {
        return Err(format!(
            "`{host}`: a host has no port (sites are chosen by name only)"
        ));
    }
    for label in labels.split('.') {
        if label.is_empty() {
            return Err(format!("`{host}` has an empty label"));
        }
        if let Some(bad) = label.chars().find(|&c| !is_host_char(c)) {
            return Err(format!(
                "`{host}` contains `{bad}`; allowed are a-z, 0-9, `-`, `_` and `.`"
            ));
        }
    }
    debug_assert!(!wildcard || name.starts_with("*."));
    Ok(name)
}

fn is_host_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
}

/// An extra response header's name: an RFC 9110 token, returned lowercase (HTTP/2 and 3 require
/// lowercase names, and it makes duplicates visible), and not one bext manages itself.
pub(super) fn header_name(name: &str) -> Result<String, String> {
    if name.is_empty() {
        return Err("a header name must not be empty".to_owned());
    }
    if let Some(bad) = name.chars().find(|&c| !is_tchar(c)) {
        return Err(format!(
            "`{name}` is not a valid header name (contains {bad:?})"
        ));
    }
    let lower = name.to_ascii_lowercase();
    if lower == "cache-control" {
        return Err("set `cache-control` with [[site.cache_control]] rules".to_owned());
    }
    if MANAGED_HEADERS.contains(&lower.as_str()) {
        return Err(format!(
            "`{lower}` is set by bext itself and cannot be configured"
        ));
    }
    Ok(lower)
}

/// An RFC 9110 token: one or more `tchar`.
pub(super) fn is_token(text: &str) -> bool {
    !text.is_empty() && text.chars().all(is_tchar)
}

/// RFC 9110 `tchar`.
fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// An RFC 9110 field value, stricter on one point: obs-text (bytes >= 0x80) is refused, so a
/// value is visible ASCII with single spaces or tabs inside, never at either end.
pub(super) fn field_value(value: &str, bytes_max: usize) -> Result<(), String> {
    if value.len() > bytes_max {
        return Err(format!("a header value is at most {bytes_max} bytes"));
    }
    if let Some(bad) = value
        .chars()
        .find(|&c| !(c == ' ' || c == '\t' || c.is_ascii_graphic()))
    {
        return Err(format!(
            "{bad:?} is not allowed in a header value (visible ASCII, spaces and tabs only)"
        ));
    }
    if value.starts_with([' ', '\t']) || value.ends_with([' ', '\t']) {
        return Err("a header value must not start or end with whitespace".to_owned());
    }
    Ok(())
}

/// An index file name: one path segment, tried inside the requested directory.
pub(super) fn file_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("an index name must not be empty".to_owned());
    }
    if name == "." || name == ".." {
        return Err(format!("`{name}` is not a file name"));
    }
    if name.contains(['/', '\\', '\0']) {
        return Err(format!("`{name}` must be a plain file name, without `/`"));
    }
    Ok(())
}

/// An error page path relative to the site root. A leading `/` is accepted and dropped (it
/// reads naturally as "from the root"); `..` segments are refused so a page cannot name a
/// file outside the root.
pub(super) fn page_path(path: &str) -> Result<String, String> {
    let relative = path.trim_start_matches('/');
    if relative.is_empty() {
        return Err("an error page path must name a file".to_owned());
    }
    if relative.contains(['\\', '\0']) {
        return Err(format!("`{path}` contains `\\` or a NUL byte"));
    }
    if relative.split('/').any(|segment| segment == "..") {
        return Err(format!("`{path}` must stay inside the site root (no `..`)"));
    }
    Ok(relative.to_owned())
}
