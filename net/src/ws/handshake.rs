//! The opening handshake, server side (RFC 6455 §4.2): a request's fields judged, the
//! `101 Switching Protocols` answer's fields made, permessage-deflate negotiated.

use std::fmt;

use crate::fields::Field;

use super::deflate::Deflate;

/// The WebSocket version this server speaks (RFC 6455 §4.2.1).
const VERSION: &[u8] = b"13";

/// What the `101` response carries, once the request passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accept {
    /// `Sec-WebSocket-Accept`: the key's SHA-1 with the protocol's GUID, in base64.
    pub accept_key: String,
    /// What permessage-deflate settled on, if the client offered it and the server allowed it.
    pub deflate: Option<Deflate>,
}

impl Accept {
    /// The `101` response's fields: `upgrade`, `connection`, `sec-websocket-accept` and, with
    /// deflate, `sec-websocket-extensions`.
    pub fn fields(&self) -> Vec<Field> {
        let mut fields = vec![
            Field::from_static("upgrade", "websocket"),
            Field::from_static("connection", "upgrade"),
            Field::with_value("sec-websocket-accept", self.accept_key.clone()),
        ];
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
    let mut upgrade = false;
    let mut connection = false;
    let mut version_ok = false;
    let mut version_seen = false;
    let mut key: Option<Vec<u8>> = None;
    let mut keys = 0;
    let mut extensions = String::new();
    for (name, value) in fields {
        let (name, value) = (name.as_ref(), value.as_ref());
        if name.eq_ignore_ascii_case(b"upgrade") {
            upgrade |= has_token(value, b"websocket");
        } else if name.eq_ignore_ascii_case(b"connection") {
            connection |= has_token(value, b"upgrade");
        } else if name.eq_ignore_ascii_case(b"sec-websocket-version") {
            version_ok = !version_seen && trim(value) == VERSION;
            version_seen = true;
        } else if name.eq_ignore_ascii_case(b"sec-websocket-key") {
            keys += 1;
            key = Some(trim(value).to_vec());
        } else if name.eq_ignore_ascii_case(b"sec-websocket-extensions")
            && let Ok(value) = std::str::from_utf8(value)
        {
            if !extensions.is_empty() {
                extensions.push(',');
            }
            extensions.push_str(value);
        }
    }
    if method != b"GET" {
        return Err(HandshakeError::Method);
    }
    if !upgrade {
        return Err(HandshakeError::NotUpgrade);
    }
    if !connection {
        return Err(HandshakeError::Connection);
    }
    if !version_ok {
        return Err(HandshakeError::Version);
    }
    let key = match key {
        Some(key) if keys == 1 && is_key(&key) => key,
        _ => return Err(HandshakeError::Key),
    };
    Ok(Accept {
        accept_key: tungstenite::handshake::derive_accept_key(&key),
        deflate: if deflate {
            negotiate_deflate(&extensions)
        } else {
            None
        },
    })
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
