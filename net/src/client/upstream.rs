//! The sans-I/O half of the reverse proxy's HTTP/1.1 client: a client's request re-encoded
//! for an upstream, and the upstream's response head read and judged.
//!
//! What a proxy must get right here is what request smuggling and response splitting feed
//! on, so a response head is refused (a bad response: 502) rather than guessed at when it
//! is ambiguous: `Content-Length` with `Transfer-Encoding`, two different lengths, a
//! transfer coding other than a final `chunked`, or an over-long head. Hop-by-hop fields
//! (RFC 9110 §7.6.1: `Connection` and what it names, `Keep-Alive`, `Proxy-Connection`,
//! `TE`, `Trailer`, `Transfer-Encoding`, `Upgrade`) never cross the proxy in either
//! direction, and framing is always the proxy's own on each side.

use std::mem::MaybeUninit;
use std::ops::Range;

use crate::h1::BodyKind;

/// Fields a proxy never forwards (RFC 9110 §7.6.1), besides those `Connection` names.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "proxy-authenticate",
];

/// Whether a field never crosses a proxy (RFC 9110 §7.6.1), whatever `Connection` names.
pub fn hop_by_hop(name: &[u8]) -> bool {
    HOP_BY_HOP
        .iter()
        .any(|h| name.eq_ignore_ascii_case(h.as_bytes()))
}

/// What the proxy adds about the client (`X-Forwarded-For/-Proto/-Host`, `Forwarded`) and
/// itself (`Via`).
#[derive(Debug, Clone, Copy)]
pub struct Forwarded<'a> {
    /// The client's address, as text.
    pub client: &'a str,
    /// `http` or `https`.
    pub proto: &'a str,
    /// The Host the client asked for.
    pub host: Option<&'a [u8]>,
    /// The `Host` to send instead of the client's (`host_header`); `None`: the client's.
    pub send_host: Option<&'a [u8]>,
    /// The protocol the client's request came with, as `Via` names it (`1.1`, `2`, `3`).
    pub received: &'a str,
}

/// Writes the request head for the upstream: `method target HTTP/1.1`, the fields
/// [`forwarded_fields`] gives, then the body's framing as `body` says (`content-length`, or
/// `transfer-encoding: chunked` for a body whose length is not known yet). `upgrade`: the
/// protocol an HTTP/1.1 client asked to switch to (`websocket`), asked of the upstream in
/// turn.
pub fn encode_request<'f>(
    out: &mut Vec<u8>,
    method: &[u8],
    target: &[u8],
    fields: impl Iterator<Item = (&'f [u8], &'f [u8])> + Clone,
    forwarded: &Forwarded<'_>,
    body: BodyKind,
    upgrade: Option<&[u8]>,
) {
    out.extend_from_slice(method);
    out.push(b' ');
    out.extend_from_slice(target);
    out.extend_from_slice(b" HTTP/1.1\r\n");
    forwarded_fields(fields, forwarded, &mut |name, value| {
        field(out, name, value)
    });
    match body {
        BodyKind::None => {}
        BodyKind::Length(length) => field(out, b"content-length", length.to_string().as_bytes()),
        BodyKind::Chunked => field(out, b"transfer-encoding", b"chunked"),
    }
    if let Some(protocol) = upgrade {
        field(out, b"connection", b"upgrade");
        field(out, b"upgrade", protocol);
    }
    out.extend_from_slice(b"\r\n");
}

/// The request fields an upstream is sent, in order, whatever HTTP carries them: the
/// client's, less hop-by-hop ones, framing and any `X-Forwarded-*` the client sent (the
/// proxy's own replace them); the `Host` (the client's unless `forwarded.send_host` replaces
/// it); then `X-Forwarded-For`, `Forwarded` (RFC 7239) and `Via` (RFC 9110 §7.6.3, which a
/// proxy must send), each appended to what the client sent, and `X-Forwarded-Proto/-Host`.
pub fn forwarded_fields<'f>(
    fields: impl Iterator<Item = (&'f [u8], &'f [u8])> + Clone,
    forwarded: &Forwarded<'_>,
    emit: &mut dyn FnMut(&[u8], &[u8]),
) {
    let named = connection_tokens(fields.clone());
    let mut earlier_for: Vec<&[u8]> = Vec::new();
    let mut earlier_forwarded: Vec<&[u8]> = Vec::new();
    let mut earlier_via: Vec<&[u8]> = Vec::new();
    let mut has_host = false;
    for (name, value) in fields {
        let skip = hop_by_hop(name)
            || named.iter().any(|n| name.eq_ignore_ascii_case(n))
            || name.eq_ignore_ascii_case(b"content-length")
            || name.eq_ignore_ascii_case(b"expect")
            || name.eq_ignore_ascii_case(b"x-forwarded-proto")
            || name.eq_ignore_ascii_case(b"x-forwarded-host")
            || (forwarded.send_host.is_some() && name.eq_ignore_ascii_case(b"host"));
        if name.eq_ignore_ascii_case(b"x-forwarded-for") {
            earlier_for.push(value);
            continue;
        }
        if name.eq_ignore_ascii_case(b"forwarded") {
            earlier_forwarded.push(value);
            continue;
        }
        if name.eq_ignore_ascii_case(b"via") {
            earlier_via.push(value);
            continue;
        }
        if skip {
            continue;
        }
        has_host |= name.eq_ignore_ascii_case(b"host");
        emit(name, value);
    }
    if let Some(host) = forwarded.send_host {
        emit(b"host", host);
    } else if !has_host && let Some(host) = forwarded.host {
        emit(b"host", host);
    }
    let mut value: Vec<u8> = Vec::with_capacity(64);
    for earlier in earlier_for {
        value.extend_from_slice(earlier);
        value.extend_from_slice(b", ");
    }
    value.extend_from_slice(forwarded.client.as_bytes());
    emit(b"x-forwarded-for", &value);
    emit(b"x-forwarded-proto", forwarded.proto.as_bytes());
    if let Some(host) = forwarded.host {
        emit(b"x-forwarded-host", host);
    }
    value.clear();
    for earlier in earlier_forwarded {
        value.extend_from_slice(earlier);
        value.extend_from_slice(b", ");
    }
    // RFC 7239 §6: an IPv6 address is bracketed and quoted; a host with a port is quoted.
    if forwarded.client.contains(':') {
        value.extend_from_slice(b"for=\"[");
        value.extend_from_slice(forwarded.client.as_bytes());
        value.extend_from_slice(b"]\"");
    } else {
        value.extend_from_slice(b"for=");
        value.extend_from_slice(forwarded.client.as_bytes());
    }
    value.extend_from_slice(b";proto=");
    value.extend_from_slice(forwarded.proto.as_bytes());
    if let Some(host) = forwarded.host {
        value.extend_from_slice(b";host=\"");
        for &byte in host {
            if matches!(byte, b'"' | b'\\') {
                value.push(b'\\');
            }
            value.push(byte);
        }
        value.push(b'"');
    }
    emit(b"forwarded", &value);
    value.clear();
    for earlier in earlier_via {
        value.extend_from_slice(earlier);
        value.extend_from_slice(b", ");
    }
    value.extend_from_slice(forwarded.received.as_bytes());
    value.extend_from_slice(b" bext");
    emit(b"via", &value);
}

/// Appends a run of a request body framed as the head said: as it is for a declared length,
/// as one chunk for `chunked` (nothing for an empty run, which would end the body).
pub fn write_body_piece(out: &mut Vec<u8>, piece: &[u8], body: BodyKind) {
    if body == BodyKind::Chunked {
        crate::h1::write_chunk(out, piece);
    } else {
        out.extend_from_slice(piece);
    }
}

/// Appends the end of a request body framed as the head said (the last chunk; nothing for a
/// declared length).
pub fn write_body_end(out: &mut Vec<u8>, body: BodyKind) {
    if body == BodyKind::Chunked {
        crate::h1::write_last_chunk(out);
    }
}

/// The protocol an HTTP/1.1 request asks to switch to: its `Upgrade` value, when its
/// `Connection` names `upgrade` (RFC 9110 §7.8).
pub fn upgrade_requested<'f>(
    mut fields: impl Iterator<Item = (&'f [u8], &'f [u8])> + Clone,
) -> Option<&'f [u8]> {
    let asks = fields.clone().any(|(name, value)| {
        name.eq_ignore_ascii_case(b"connection")
            && value
                .split(|&b| b == b',')
                .any(|t| t.trim_ascii().eq_ignore_ascii_case(b"upgrade"))
    });
    if !asks {
        return None;
    }
    fields
        .find(|(name, _)| name.eq_ignore_ascii_case(b"upgrade"))
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

fn field(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    out.extend_from_slice(name);
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}

/// The field names a `Connection` field lists (lowercase).
fn connection_tokens<'f>(fields: impl Iterator<Item = (&'f [u8], &'f [u8])>) -> Vec<Vec<u8>> {
    let mut names = Vec::new();
    for (name, value) in fields {
        if name.eq_ignore_ascii_case(b"connection") {
            for token in value.split(|&b| b == b',') {
                let token = token.trim_ascii();
                if !token.is_empty() {
                    names.push(token.to_ascii_lowercase());
                }
            }
        }
    }
    names
}

/// A health probe: `GET path` for `host`, closing after the answer.
pub fn encode_probe(path: &str, host: &str) -> Vec<u8> {
    format!(
        "GET {path} HTTP/1.1\r\nhost: {host}\r\nuser-agent: bext-health-check\r\n\
         connection: close\r\n\r\n"
    )
    .into_bytes()
}

/// The status of a response whose complete first line is `HTTP/1.x NNN …`; `None` until
/// the line is complete, or if it is not a status line.
pub fn status_line(head: &[u8]) -> Option<u16> {
    let end = head.windows(2).position(|w| w == b"\r\n")?;
    let rest = head[..end].strip_prefix(b"HTTP/1.")?;
    let code = rest.get(2..5)?;
    if rest.get(1) != Some(&b' ') || !code.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(code).ok()?.parse().ok()
}

/// An upstream's response head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead {
    pub status: u16,
    /// The fields to pass on, as positions in the buffer parsed (whose names are lower-cased
    /// in place): hop-by-hop ones and `content-length` removed.
    pub fields: Vec<FieldAt>,
    /// How the body is framed on the upstream connection.
    pub body: ResponseBody,
    /// The connection may carry another request once this body is read.
    pub reusable: bool,
    /// The answer to a HEAD request: the length the upstream declared for the body it did
    /// not send (the client is told it, as a GET's answer would tell it).
    pub head_length: Option<u64>,
}

/// Where one field of a parsed head is in the buffer it was parsed from. The proxy slices
/// its fields out of the buffer the head arrived in instead of copying each one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldAt {
    pub name: Range<usize>,
    pub value: Range<usize>,
}

impl FieldAt {
    /// Where `part` (a slice of `buf`) is in `buf`.
    fn of(buf: &[u8], name: &[u8], value: &[u8]) -> FieldAt {
        let at = |part: &[u8]| {
            let start = part.as_ptr() as usize - buf.as_ptr() as usize;
            start..start + part.len()
        };
        FieldAt {
            name: at(name),
            value: at(value),
        }
    }

    /// The name and the value, from the buffer the head was parsed from.
    pub fn in_buf<'b>(&self, buf: &'b [u8]) -> (&'b [u8], &'b [u8]) {
        (&buf[self.name.clone()], &buf[self.value.clone()])
    }
}

/// How an upstream frames a response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseBody {
    /// Framed by length or chunks.
    Framed(BodyKind),
    /// Until the upstream closes the connection.
    UntilClose,
    /// `101 Switching Protocols`: the connection now carries the upgraded protocol.
    Switched,
}

/// Why an upstream's response head is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadResponse {
    TooLarge,
    Malformed(String),
    /// Shaped like request smuggling or response splitting.
    Ambiguous(&'static str),
}

impl std::fmt::Display for BadResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BadResponse::TooLarge => f.write_str("response head too large"),
            BadResponse::Malformed(why) => write!(f, "malformed response: {why}"),
            BadResponse::Ambiguous(why) => write!(f, "ambiguous response framing: {why}"),
        }
    }
}

/// Reads a response head from the front of `buf`: `Ok(None)` until it is complete, then the
/// head and its length. Interim (1xx) responses before it are skipped; the length counts
/// them. `head_request`: the request was HEAD (no body follows, whatever the head says).
/// `upgrade`: the request asked to switch protocols, so a 101 is its answer (with the
/// `upgrade` field kept for the client), not a bad response.
///
/// The head's field names are lower-cased in place in `buf`, so the fields can be passed on
/// as slices of it ([`FieldAt`]). At most `fields_max` fields (and never more than
/// [`RESPONSE_FIELDS_CAP`]) are read; more is a head too large.
pub fn parse_response_head(
    buf: &mut [u8],
    head_request: bool,
    upgrade: bool,
    head_bytes_max: usize,
    fields_max: usize,
) -> Result<Option<(ResponseHead, usize)>, BadResponse> {
    let parsed = parse_head_at(buf, head_request, upgrade, head_bytes_max, fields_max)?;
    if let Some((head, _)) = &parsed {
        for field in &head.fields {
            buf[field.name.clone()].make_ascii_lowercase();
        }
    }
    Ok(parsed)
}

/// Most fields [`parse_response_head`] reads: the size of its stack array of field slots
/// (uninitialised, so a large one costs nothing per call).
pub const RESPONSE_FIELDS_CAP: usize = 256;

fn parse_head_at(
    buf: &[u8],
    head_request: bool,
    upgrade: bool,
    head_bytes_max: usize,
    fields_max: usize,
) -> Result<Option<(ResponseHead, usize)>, BadResponse> {
    let mut start = 0;
    loop {
        let mut storage =
            [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; RESPONSE_FIELDS_CAP];
        let mut response = httparse::Response::new(&mut []);
        let rest = &buf[start..];
        let parsed = httparse::ParserConfig::default().parse_response_with_uninit_headers(
            &mut response,
            rest,
            &mut storage[..fields_max.min(RESPONSE_FIELDS_CAP)],
        );
        let len = match parsed {
            Ok(httparse::Status::Complete(n)) => n,
            Ok(httparse::Status::Partial) => {
                if buf.len() > head_bytes_max {
                    return Err(BadResponse::TooLarge);
                }
                return Ok(None);
            }
            Err(httparse::Error::TooManyHeaders) => return Err(BadResponse::TooLarge),
            Err(e) => return Err(BadResponse::Malformed(e.to_string())),
        };
        if start + len > head_bytes_max {
            return Err(BadResponse::TooLarge);
        }
        let status = response.code.unwrap_or(0);
        if status == 101 && upgrade {
            let fields = response
                .headers
                .iter()
                .filter(|h| {
                    h.name.eq_ignore_ascii_case("upgrade") || !hop_by_hop(h.name.as_bytes())
                })
                .map(|h| FieldAt::of(buf, h.name.as_bytes(), h.value))
                .collect();
            let head = ResponseHead {
                status,
                fields,
                body: ResponseBody::Switched,
                reusable: false,
                head_length: None,
            };
            return Ok(Some((head, start + len)));
        }
        if (100..200).contains(&status) {
            if status == 101 {
                return Err(BadResponse::Malformed(
                    "101 Switching Protocols to a request that asked for no upgrade".into(),
                ));
            }
            start += len;
            continue;
        }
        let version_11 = response.version == Some(1);
        let head = judge(buf, status, version_11, response.headers, head_request)?;
        return Ok(Some((head, start + len)));
    }
}

fn judge(
    buf: &[u8],
    status: u16,
    version_11: bool,
    headers: &[httparse::Header<'_>],
    head_request: bool,
) -> Result<ResponseHead, BadResponse> {
    let mut length: Option<u64> = None;
    let mut chunked = false;
    let mut transfer_encoding = false;
    let mut close = !version_11;
    let mut named_by_connection = false;
    for header in headers {
        let name = header.name;
        if name.eq_ignore_ascii_case("content-length") {
            let text = std::str::from_utf8(header.value).unwrap_or_default().trim();
            let n: u64 = (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
                .then(|| text.parse().ok())
                .flatten()
                .ok_or(BadResponse::Ambiguous(
                    "a Content-Length that is not a number",
                ))?;
            if length.is_some_and(|m| m != n) {
                return Err(BadResponse::Ambiguous("two different Content-Lengths"));
            }
            length = Some(n);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            transfer_encoding = true;
            // Only a final `chunked` frames a body; anything else would be read to the
            // close, which a proxy that reuses connections must not guess at.
            chunked = header
                .value
                .rsplit(|&b| b == b',')
                .next()
                .is_some_and(|last| last.trim_ascii().eq_ignore_ascii_case(b"chunked"));
            if !chunked {
                return Err(BadResponse::Ambiguous(
                    "a Transfer-Encoding whose last coding is not chunked",
                ));
            }
        } else if name.eq_ignore_ascii_case("connection") {
            for token in header.value.split(|&b| b == b',').map(<[u8]>::trim_ascii) {
                close |= token.eq_ignore_ascii_case(b"close");
                named_by_connection |= !token.is_empty()
                    && !token.eq_ignore_ascii_case(b"close")
                    && !hop_by_hop(token);
            }
        }
    }
    if transfer_encoding && length.is_some() {
        return Err(BadResponse::Ambiguous(
            "both Content-Length and Transfer-Encoding",
        ));
    }
    // What `Connection` names is gathered only when it names a field besides the usual
    // `keep-alive` or `close` (which are hop-by-hop, or no field, anyway).
    let named = if named_by_connection {
        connection_tokens(headers.iter().map(|h| (h.name.as_bytes(), h.value)))
    } else {
        Vec::new()
    };
    let mut fields = Vec::with_capacity(headers.len());
    for header in headers {
        let name = header.name.as_bytes();
        if hop_by_hop(name)
            || name.eq_ignore_ascii_case(b"content-length")
            || named.iter().any(|n| name.eq_ignore_ascii_case(n))
        {
            continue;
        }
        fields.push(FieldAt::of(buf, name, header.value));
    }
    let no_body = head_request || status == 204 || status == 304;
    let body = if no_body {
        ResponseBody::Framed(BodyKind::None)
    } else if chunked {
        ResponseBody::Framed(BodyKind::Chunked)
    } else if let Some(n) = length {
        ResponseBody::Framed(BodyKind::Length(n))
    } else {
        close = true;
        ResponseBody::UntilClose
    };
    Ok(ResponseHead {
        status,
        fields,
        body,
        reusable: !close,
        head_length: length.filter(|_| head_request && (200..300).contains(&status)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_lose_hop_by_hop_fields_and_gain_forwarding_ones() {
        let fields: Vec<(&[u8], &[u8])> = vec![
            (b"Host", b"example.com"),
            (b"Connection", b"keep-alive, X-Secret"),
            (b"X-Secret", b"1"),
            (b"Keep-Alive", b"timeout=5"),
            (b"Transfer-Encoding", b"chunked"),
            (b"Content-Length", b"99"),
            (b"X-Forwarded-For", b"203.0.113.9"),
            (b"X-Forwarded-Proto", b"https"),
            (b"Accept", b"*/*"),
        ];
        let mut out = Vec::new();
        encode_request(
            &mut out,
            b"POST",
            b"/x?y=1",
            fields.iter().copied(),
            &Forwarded {
                client: "192.0.2.1",
                proto: "http",
                host: Some(b"example.com"),
                send_host: None,
                received: "1.1",
            },
            BodyKind::Length(2),
            None,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "POST /x?y=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\
             x-forwarded-for: 203.0.113.9, 192.0.2.1\r\nx-forwarded-proto: http\r\n\
             x-forwarded-host: example.com\r\n\
             forwarded: for=192.0.2.1;proto=http;host=\"example.com\"\r\nvia: 1.1 bext\r\n\
             content-length: 2\r\n\r\n"
        );
        // `host_header = "upstream"`: the upstream's name replaces the client's Host, which
        // stays in X-Forwarded-Host.
        let mut out = Vec::new();
        encode_request(
            &mut out,
            b"GET",
            b"/",
            fields[..1].iter().copied(),
            &Forwarded {
                client: "192.0.2.1",
                proto: "https",
                host: Some(b"example.com"),
                send_host: Some(b"api.internal:8443"),
                received: "2",
            },
            BodyKind::None,
            None,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "GET / HTTP/1.1\r\nhost: api.internal:8443\r\nx-forwarded-for: 192.0.2.1\r\n\
             x-forwarded-proto: https\r\nx-forwarded-host: example.com\r\n\
             forwarded: for=192.0.2.1;proto=https;host=\"example.com\"\r\nvia: 2 bext\r\n\r\n"
        );
    }

    #[test]
    fn forwarded_and_via_are_appended_to_what_came_before() {
        let fields: [(&[u8], &[u8]); 2] = [
            (b"Forwarded", b"for=203.0.113.9;proto=https"),
            (b"Via", b"1.0 fred"),
        ];
        let mut out = Vec::new();
        encode_request(
            &mut out,
            b"GET",
            b"/",
            fields.iter().copied(),
            &Forwarded {
                client: "2001:db8::7",
                proto: "https",
                host: Some(br#"odd"host"#),
                send_host: None,
                received: "3",
            },
            BodyKind::None,
            None,
        );
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains(
                "forwarded: for=203.0.113.9;proto=https, \
                 for=\"[2001:db8::7]\";proto=https;host=\"odd\\\"host\"\r\n"
            ),
            "{text}"
        );
        assert!(text.contains("via: 1.0 fred, 3 bext\r\n"), "{text}");
        assert!(
            !text.contains("Forwarded:") && !text.contains("Via:"),
            "{text}"
        );
    }

    fn parse(text: &str, head_request: bool) -> Result<Option<(ResponseHead, usize)>, BadResponse> {
        parse_response_head(&mut text.as_bytes().to_vec(), head_request, false, 1024, 16)
    }

    #[test]
    fn response_heads_by_framing() {
        // (response, HEAD?, status, body, reusable, fields passed on)
        let cases: &[(&str, bool, u16, ResponseBody, bool, usize)] = &[
            (
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello",
                false,
                200,
                ResponseBody::Framed(BodyKind::Length(5)),
                true,
                1,
            ),
            (
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
                false,
                200,
                ResponseBody::Framed(BodyKind::Chunked),
                true,
                0,
            ),
            (
                "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n",
                false,
                200,
                ResponseBody::Framed(BodyKind::Length(1)),
                false,
                0,
            ),
            (
                "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n",
                false,
                200,
                ResponseBody::Framed(BodyKind::Length(1)),
                false,
                0,
            ),
            (
                "HTTP/1.1 200 OK\r\nServer: x\r\n\r\n",
                false,
                200,
                ResponseBody::UntilClose,
                false,
                1,
            ),
            (
                "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n",
                true,
                200,
                ResponseBody::Framed(BodyKind::None),
                true,
                0,
            ),
            (
                "HTTP/1.1 304 Not Modified\r\nETag: \"e\"\r\n\r\n",
                false,
                304,
                ResponseBody::Framed(BodyKind::None),
                true,
                1,
            ),
            (
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
                false,
                201,
                ResponseBody::Framed(BodyKind::Length(0)),
                true,
                0,
            ),
            (
                "HTTP/1.1 200 OK\r\nConnection: X-Drop\r\nX-Drop: 1\r\nKeep-Alive: 5\r\nContent-Length: 0\r\n\r\n",
                false,
                200,
                ResponseBody::Framed(BodyKind::Length(0)),
                true,
                0,
            ),
        ];
        for &(text, head_request, status, body, reusable, passed) in cases {
            let (head, len) = parse(text, head_request).unwrap().unwrap();
            assert_eq!(
                (head.status, head.body, head.reusable, head.fields.len()),
                (status, body, reusable, passed),
                "{text:?}"
            );
            assert_eq!(
                &text[len..],
                text.split("\r\n\r\n").last().unwrap(),
                "{text:?}"
            );
        }
        assert_eq!(parse("HTTP/1.1 200 OK\r\nContent-Le", false), Ok(None));
        // The length a HEAD's answer declares is kept for the client; a GET's frames the body.
        let answer = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
        let head_length =
            |head_request| parse(answer, head_request).unwrap().unwrap().0.head_length;
        assert_eq!((head_length(true), head_length(false)), (Some(5), None));
    }

    #[test]
    fn passed_fields_point_into_the_buffer_with_their_names_lower_cased() {
        // (response, fields passed on, reusable)
        type Case = (&'static str, &'static [(&'static str, &'static str)], bool);
        let cases: &[Case] = &[
            (
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nETag: \"e\"\r\n\
                 Connection: keep-alive\r\nContent-Length: 0\r\n\r\n",
                &[("content-type", "text/plain"), ("etag", "\"e\"")],
                true,
            ),
            (
                "HTTP/1.1 200 OK\r\nX-Drop: 1\r\nX-Keep: 2\r\nConnection: close, x-DROP\r\n\
                 Content-Length: 0\r\n\r\n",
                &[("x-keep", "2")],
                false,
            ),
            (
                "HTTP/1.1 204 No Content\r\nTE: x\r\nTrailer: y\r\nVary: Accept\r\n\r\n",
                &[("vary", "Accept")],
                true,
            ),
        ];
        for &(text, passed, reusable) in cases {
            let mut buf = text.as_bytes().to_vec();
            let (head, _) = parse_response_head(&mut buf, false, false, 1024, 16)
                .unwrap()
                .unwrap();
            let fields: Vec<_> = head
                .fields
                .iter()
                .map(|f| f.in_buf(&buf))
                .map(|(n, v)| {
                    (
                        std::str::from_utf8(n).unwrap(),
                        std::str::from_utf8(v).unwrap(),
                    )
                })
                .collect();
            assert_eq!((&fields[..], head.reusable), (passed, reusable), "{text:?}");
        }
    }

    #[test]
    fn probes_and_their_status_lines() {
        assert_eq!(
            String::from_utf8(encode_probe("/healthz", "10.0.0.5:8080")).unwrap(),
            "GET /healthz HTTP/1.1\r\nhost: 10.0.0.5:8080\r\nuser-agent: bext-health-check\r\n\
             connection: close\r\n\r\n"
        );
        assert_eq!(status_line(b"HTTP/1.1 200 OK\r\n"), Some(200));
        assert_eq!(status_line(b"HTTP/1.0 503 Busy\r\n\r\n"), Some(503));
        assert_eq!(status_line(b"HTTP/1.1 200 OK"), None, "not complete yet");
        assert_eq!(status_line(b"HTTP/1.1 20\r\n"), None);
        assert_eq!(status_line(b"SSH-2.0-OpenSSH\r\n"), None);
    }

    #[test]
    fn upgrades_are_asked_for_and_a_101_answers_them() {
        let fields: Vec<(&[u8], &[u8])> = vec![
            (b"Host", b"h"),
            (b"Connection", b"keep-alive, Upgrade"),
            (b"Upgrade", b"websocket"),
            (b"Sec-WebSocket-Key", b"k"),
        ];
        let upgrade = upgrade_requested(fields.iter().copied());
        assert_eq!(upgrade, Some(&b"websocket"[..]));
        let without: Vec<(&[u8], &[u8])> = vec![(b"Upgrade", b"websocket")];
        assert_eq!(upgrade_requested(without.iter().copied()), None);
        let mut out = Vec::new();
        let forwarded = Forwarded {
            client: "192.0.2.1",
            proto: "http",
            host: None,
            send_host: None,
            received: "1.1",
        };
        encode_request(
            &mut out,
            b"GET",
            b"/ws",
            fields.iter().copied(),
            &forwarded,
            BodyKind::None,
            upgrade,
        );
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("Sec-WebSocket-Key: k\r\n"), "{text}");
        assert!(
            text.ends_with("connection: upgrade\r\nupgrade: websocket\r\n\r\n"),
            "{text}"
        );
        assert_eq!(text.matches("pgrade").count(), 2, "{text}");

        let answer: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
                      Connection: Upgrade\r\nSec-WebSocket-Accept: a\r\n\r\n\x81\x00";
        let mut buf = answer.to_vec();
        let (head, len) = parse_response_head(&mut buf, false, true, 1024, 16)
            .unwrap()
            .unwrap();
        assert_eq!(
            (head.status, head.body, head.reusable),
            (101, ResponseBody::Switched, false)
        );
        let fields: Vec<_> = head.fields.iter().map(|f| f.in_buf(&buf)).collect();
        assert_eq!(
            fields,
            [
                (&b"upgrade"[..], &b"websocket"[..]),
                (b"sec-websocket-accept", b"a")
            ]
        );
        assert_eq!(&answer[len..], b"\x81\x00");
        // Unasked for, a 101 is a bad response.
        assert!(parse_response_head(&mut answer.to_vec(), false, false, 1024, 16).is_err());
    }

    #[test]
    fn ambiguous_or_broken_heads_are_refused() {
        for (text, needle) in [
            (
                "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
                "both Content-Length and Transfer-Encoding",
            ),
            (
                "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
                "two different Content-Lengths",
            ),
            (
                "HTTP/1.1 200 OK\r\nContent-Length: +3\r\n\r\n",
                "not a number",
            ),
            (
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
                "not chunked",
            ),
            ("HTTP/1.1 101 Switching Protocols\r\n\r\n", "101"),
            ("garbage\r\n\r\n", "malformed"),
        ] {
            let error = parse(text, false).unwrap_err().to_string();
            assert!(error.contains(needle), "{text:?}: {error}");
        }
        let long = format!("HTTP/1.1 200 OK\r\nX: {}\r\n\r\n", "a".repeat(2000));
        assert_eq!(parse(&long, false), Err(BadResponse::TooLarge));
        let partial_long = format!("HTTP/1.1 200 OK\r\nX: {}", "a".repeat(2000));
        assert_eq!(parse(&partial_long, false), Err(BadResponse::TooLarge));
    }
}
