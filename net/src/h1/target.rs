//! The request-target (RFC 9112 §3.2): which of its four forms a request uses, and the path,
//! query and authority inside it.
//!
//! The forms are tied to methods: `*` only with OPTIONS, the bare authority only with CONNECT,
//! and CONNECT with nothing else. A target that breaks those pairings is refused rather than
//! guessed at, because a router that sees a different path than a proxy in front of it is how
//! request smuggling and cache poisoning start.
//!
//! Bytes inside the target are checked only as far as httparse does (visible ASCII, no spaces or
//! controls). Paths are neither percent-decoded nor normalised here: `/a/../b` reaches the
//! caller as sent, and whoever maps paths to files must resolve it.

use super::request::Method;
use super::request_error::RequestError;

/// The parts of a request-target that routing needs, borrowed from the read buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Target<'b> {
    pub(crate) path: &'b [u8],
    pub(crate) query: Option<&'b [u8]>,
    /// The authority named by an absolute-form or authority-form target.
    pub(crate) authority: Option<&'b [u8]>,
}

/// Splits `target` into path, query and authority, checking that its form fits `method`.
pub(crate) fn parse_target(method: Method, target: &[u8]) -> Result<Target<'_>, RequestError> {
    // httparse never hands over an empty target.
    let first = *target.first().ok_or(RequestError::InvalidRequestLine)?;
    if method == Method::Connect {
        return authority_form(target);
    }
    if first == b'/' {
        let (path, query) = split_query(target);
        return Ok(Target {
            path,
            query,
            authority: None,
        });
    }
    if target == b"*" {
        if method != Method::Options {
            return Err(RequestError::InvalidTarget);
        }
        return Ok(Target {
            path: target,
            query: None,
            authority: None,
        });
    }
    absolute_form(target)
}

/// Whether `value` may be a Host value or an authority: `uri-host [ ":" port ]`, where the host
/// is a reg-name, an IPv4 address or a bracketed IP literal. The host is checked by byte class
/// (enough to keep spaces, slashes, `@` and control bytes out of anything that routes or gets
/// logged) and by shape where a colon could hide in it.
///
/// The port, if any, must be decimal digits naming a port (0 to 65535; an empty port is
/// allowed, RFC 3986's `port = *DIGIT`): a Host of `x:ab` or `x:99999` names no server, and
/// routing it would let two parsers disagree about where a request goes. nginx 1.22 accepts
/// both; bext refuses them with 400.
pub(crate) fn is_valid_host(value: &[u8]) -> bool {
    if !value.iter().all(|&b| HOST_BYTES[usize::from(b)]) {
        return false;
    }
    let port = if value.first() == Some(&b'[') {
        // An IP literal: `[...]`, then nothing or `:port`.
        let Some(close) = value.iter().position(|&b| b == b']') else {
            return false;
        };
        match &value[close + 1..] {
            [] => return true,
            [b':', port @ ..] => port,
            _ => return false,
        }
    } else {
        // A reg-name or IPv4 address holds no colon: everything after the first is the port.
        match value.iter().position(|&b| b == b':') {
            None => return true,
            Some(colon) => &value[colon + 1..],
        }
    };
    is_valid_port(port)
}

/// `*DIGIT` naming a TCP port: at most 65535 (leading zeros allowed).
fn is_valid_port(port: &[u8]) -> bool {
    let mut value: u32 = 0;
    for &b in port {
        if !b.is_ascii_digit() {
            return false;
        }
        value = value * 10 + u32::from(b - b'0');
        if value > u32::from(u16::MAX) {
            return false;
        }
    }
    true
}

/// CONNECT names `host:port` and nothing else (RFC 9112 §3.2.3). The authority doubles as the
/// path so that logs and routing have something to show.
fn authority_form(target: &[u8]) -> Result<Target<'_>, RequestError> {
    let colon = target
        .iter()
        .rposition(|&b| b == b':')
        .ok_or(RequestError::InvalidTarget)?;
    let (host, port) = (&target[..colon], &target[colon + 1..]);
    if host.is_empty() || port.is_empty() || !port.iter().all(u8::is_ascii_digit) {
        return Err(RequestError::InvalidTarget);
    }
    if !is_valid_host(target) {
        return Err(RequestError::InvalidHost);
    }
    Ok(Target {
        path: target,
        query: None,
        authority: Some(target),
    })
}

/// `http://authority/path?query`, sent to proxies and accepted by origin servers (RFC 9112
/// §3.2.2). Only the http and https schemes mean anything to an HTTP server.
fn absolute_form(target: &[u8]) -> Result<Target<'_>, RequestError> {
    let after_scheme = strip_prefix_ignore_case(target, b"http://")
        .or_else(|| strip_prefix_ignore_case(target, b"https://"))
        .ok_or(RequestError::InvalidTarget)?;
    let authority_len = after_scheme
        .iter()
        .position(|&b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(after_scheme.len());
    let (authority, rest) = after_scheme.split_at(authority_len);
    // userinfo is deprecated and a phishing tool; RFC 9110 §4.2.4 says to treat it as an error.
    if authority.is_empty() || authority.contains(&b'@') {
        return Err(RequestError::InvalidTarget);
    }
    if !is_valid_host(authority) {
        return Err(RequestError::InvalidHost);
    }
    let (path, query) = split_query(rest);
    // An empty path in absolute form means the root (RFC 9110 §4.2.3).
    let path = if path.is_empty() { &b"/"[..] } else { path };
    if path[0] != b'/' {
        // A fragment straight after the authority: nothing a client should send.
        return Err(RequestError::InvalidTarget);
    }
    Ok(Target {
        path,
        query,
        authority: Some(authority),
    })
}

fn split_query(target: &[u8]) -> (&[u8], Option<&[u8]>) {
    match target.iter().position(|&b| b == b'?') {
        Some(q) => (&target[..q], Some(&target[q + 1..])),
        None => (target, None),
    }
}

fn strip_prefix_ignore_case<'a>(bytes: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    if bytes.len() >= prefix.len() && bytes[..prefix.len()].eq_ignore_ascii_case(prefix) {
        Some(&bytes[prefix.len()..])
    } else {
        None
    }
}

/// unreserved / pct-encoded / sub-delims (RFC 3986), plus `:` for the port and `[` `]` for IP
/// literals.
static HOST_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'%'
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
                    | b'['
                    | b']'
            );
        b += 1;
    }
    table
};
