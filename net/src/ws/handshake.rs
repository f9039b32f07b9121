//! The opening handshake, server side: an HTTP/1.1 upgrade request's fields judged and the
//! `101 Switching Protocols` answer's fields made (RFC 6455 §4.2), or an HTTP/2 extended
//! CONNECT's (RFC 8441 §5: `:protocol websocket` replaces `Upgrade`, `Connection` and the
//! key, and a `200` answers it); permessage-deflate negotiated either way. The proxy's side
//! of an upgrade it makes for such a stream, the key it sends and the accept it expects, is
//! here too ([`client_key`], [`accept_key_for`]).

use std::fmt;

use crate::fields::Field;

use super::deflate::Deflate;

/// The WebSocket version this server speaks (RFC 6455 §4.2.1).
const VERSION: &[u8] = b"13";

/// What the answer carries, once the request passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accept {
    /// `Sec-WebSocket-Accept`: the key's SHA-1 with the protocol's GUID, in base64. `None`
    /// for an extended CONNECT, which has no key (RFC 8441 §5).
    pub accept_key: Option<String>,
    /// What permessage-deflate settled on, if the client offered it and the server allowed it.
    pub deflate: Option<Deflate>,
}

impl Accept {
    /// The answer's status: `101` to an upgrade, `200` to an extended CONNECT.
    pub fn status(&self) -> u16 {
        if self.accept_key.is_some() { 101 } else { 200 }
    }

    /// The answer's fields: for a `101`, `upgrade`, `connection` and `sec-websocket-accept`;
    /// with deflate, `sec-websocket-extensions`.
    pub fn fields(&self) -> Vec<Field> {
        let mut fields = Vec::with_capacity(4);
        if let Some(key) = &self.accept_key {
            fields.extend([
                Field::from_static("upgrade", "websocket"),
                Field::from_static("connection", "upgrade"),
                Field::with_value("sec-websocket-accept", key.clone()),
            ]);
        }
        if let Some(deflate) = &self.deflate {
            fields.push(Field::with_value(
                "sec-websocket-extensions",
                deflate.response_value(),
            ));
        }
        fields
    }
}

/// Why a request cannot become a WebSocket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandshakeError {
    /// Not a GET (405, with `allow: GET`).
    Method,
    /// No `Upgrade: websocket` (426, with `upgrade: websocket`): a plain request to a
    /// WebSocket endpoint.
    NotUpgrade,
    /// `Connection` does not name `upgrade` (400).
    Connection,
    /// `Sec-WebSocket-Version` missing or not 13 (426, with `sec-websocket-version: 13`).
    Version,
    /// `Sec-WebSocket-Key` missing, repeated, or not 16 bytes in base64 (400).
    Key,
}

impl HandshakeError {
    /// The status to answer with.
    pub fn status(self) -> u16 {
        match self {
            HandshakeError::Method => 405,
            HandshakeError::NotUpgrade | HandshakeError::Version => 426,
            HandshakeError::Connection | HandshakeError::Key => 400,
        }
    }

    /// The fields that answer must carry (RFC 9110 §15.5.6 and §15.5.22, RFC 6455 §4.4).
    pub fn fields(self) -> Vec<Field> {
        match self {
            HandshakeError::Method => vec![Field::from_static("allow", "GET")],
            HandshakeError::NotUpgrade => vec![
                Field::from_static("upgrade", "websocket"),
                Field::from_static("connection", "upgrade"),
            ],
            HandshakeError::Version => vec![Field::from_static("sec-websocket-version", "13")],
            HandshakeError::Connection | HandshakeError::Key => Vec::new(),
        }
    }
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HandshakeError::Method => "a WebSocket handshake must be a GET",
            HandshakeError::NotUpgrade => "the request does not ask for Upgrade: websocket",
            HandshakeError::Connection => "Connection does not name upgrade",
            HandshakeError::Version => "Sec-WebSocket-Version is not 13",
            HandshakeError::Key => "Sec-WebSocket-Key is missing or malformed",
        })
    }
}

impl std::error::Error for HandshakeError {}

/// Judges an HTTP/1.1 upgrade request (its method and header fields; the driver has checked
/// the version) and makes the answer. `deflate`: whether the server compresses; if so, the
/// first `permessage-deflate` offer it can accept is taken (RFC 7692 §5).
pub fn accept<N, V>(
    method: &[u8],
    fields: impl IntoIterator<Item = (N, V)>,
    deflate: bool,
) -> Result<Accept, HandshakeError>
where
    N: AsRef<[u8]>,
    V: AsRef<[u8]>,
{
    let seen = Seen::scan(fields);
    if method != b"GET" {
        return Err(HandshakeError::Method);
    }
    if !seen.upgrade {
        return Err(HandshakeError::NotUpgrade);
    }
    if !seen.connection {
        return Err(HandshakeError::Connection);
    }
    if !seen.version_ok {
        return Err(HandshakeError::Version);
    }
    let accept_key = match &seen.key {
        Some(key) if seen.keys == 1 && is_key(key) => accept_key_for(key),
        _ => return Err(HandshakeError::Key),
    };
    Ok(Accept {
        accept_key: Some(accept_key),
        deflate: seen.deflate(deflate),
    })
}

/// Judges the fields of an HTTP/2 extended CONNECT whose `:protocol` is `websocket` (the
/// driver has checked the method and the pseudo-fields, RFC 8441 §4) and makes the answer:
/// `Sec-WebSocket-Version` must be 13 as over HTTP/1.1; there is no key to answer, and the
/// connection-specific `Upgrade` and `Connection` cannot be sent (RFC 9113 §8.2.2).
pub fn accept_connect<N, V>(
    fields: impl IntoIterator<Item = (N, V)>,
    deflate: bool,
) -> Result<Accept, HandshakeError>
where
    N: AsRef<[u8]>,
    V: AsRef<[u8]>,
{
    let seen = Seen::scan(fields);
    if !seen.version_ok {
        return Err(HandshakeError::Version);
    }
    Ok(Accept {
        accept_key: None,
        deflate: seen.deflate(deflate),
    })
}

/// A new `Sec-WebSocket-Key` from 16 random bytes (RFC 6455 §4.1), for a proxy that opens
/// the HTTP/1.1 upgrade an extended CONNECT stream becomes.
pub fn client_key() -> String {
    tungstenite::handshake::client::generate_key()
}

/// The `Sec-WebSocket-Accept` that answers `key` (RFC 6455 §4.2.2).
pub fn accept_key_for(key: &[u8]) -> String {
    tungstenite::handshake::derive_accept_key(key)
}

/// The handshake fields of a request, read in one pass.
#[derive(Default)]
struct Seen {
    upgrade: bool,
    connection: bool,
    version_ok: bool,
    key: Option<Vec<u8>>,
    keys: usize,
    extensions: String,
}

impl Seen {
    fn scan<N, V>(fields: impl IntoIterator<Item = (N, V)>) -> Seen
    where
        N: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        let mut seen = Seen::default();
        let mut version_seen = false;
        for (name, value) in fields {
            let (name, value) = (name.as_ref(), value.as_ref());
            if name.eq_ignore_ascii_case(b"upgrade") {
                seen.upgrade |= has_token(value, b"websocket");
            } else if name.eq_ignore_ascii_case(b"connection") {
                seen.connection |= has_token(value, b"upgrade");
            } else if name.eq_ignore_ascii_case(b"sec-websocket-version") {
                seen.version_ok = !version_seen && trim(value) == VERSION;
                version_seen = true;
            } else if name.eq_ignore_ascii_case(b"sec-websocket-key") {
                seen.keys += 1;
                seen.key = Some(trim(value).to_vec());
            } else if name.eq_ignore_ascii_case(b"sec-websocket-extensions")
                && let Ok(value) = std::str::from_utf8(value)
            {
                if !seen.extensions.is_empty() {
                    seen.extensions.push(',');
                }
                seen.extensions.push_str(value);
            }
        }
        seen
    }

    /// What permessage-deflate settles on, when the server compresses.
    fn deflate(&self, allowed: bool) -> Option<Deflate> {
        if allowed {
            negotiate_deflate(&self.extensions)
        } else {
            None
        }
    }
}

/// The first `permessage-deflate` offer in a `Sec-WebSocket-Extensions` list that the server
/// accepts. Parameter values are tokens, maybe quoted (RFC 6455 §9.1), so no comma or
/// semicolon hides inside one.
fn negotiate_deflate(extensions: &str) -> Option<Deflate> {
    extensions.split(',').find_map(|offer| {
        let mut parts = offer.split(';').map(str::trim);
        let name = parts.next()?;
        if !name.eq_ignore_ascii_case("permessage-deflate") {
            return None;
        }
        let params = parts.map(|param| match param.split_once('=') {
            Some((name, value)) => {
                let value = value.trim();
                let value = value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(value);
                (name.trim(), Some(value))
            }
            None => (param, None),
        });
        Deflate::from_offer(params)
    })
}

/// A key is 16 bytes in base64: 22 characters of the alphabet and `==` (RFC 6455 §4.1).
fn is_key(key: &[u8]) -> bool {
    key.len() == 24
        && key.ends_with(b"==")
        && key[..22]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// Whether a comma-separated field value holds `token` (case-insensitive).
fn has_token(value: &[u8], token: &[u8]) -> bool {
    value
        .split(|&b| b == b',')
        .any(|part| trim(part).eq_ignore_ascii_case(token))
}

fn trim(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}
