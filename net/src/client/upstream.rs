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

/// What the proxy adds about the client (`X-Forwarded-For/-Proto/-Host`).
#[derive(Debug, Clone, Copy)]
pub struct Forwarded<'a> {
    /// The client's address, as text.
    pub client: &'a str,
    /// `http` or `https`.
    pub proto: &'a str,
    /// The Host the client asked for.
    pub host: Option<&'a [u8]>,
}

/// Writes the request head for the upstream: `method target HTTP/1.1`, the client's fields
/// less hop-by-hop ones, framing and any `X-Forwarded-*` the client sent (the proxy's own
/// replace them; `X-Forwarded-For` is appended to), then `content-length` when there is a
/// body. The client's `Host` is kept.
pub fn encode_request<'f>(
    out: &mut Vec<u8>,
    method: &[u8],
    target: &[u8],
    fields: impl Iterator<Item = (&'f [u8], &'f [u8])> + Clone,
    forwarded: &Forwarded<'_>,
    body_len: Option<u64>,
) {
    out.extend_from_slice(method);
    out.push(b' ');
    out.extend_from_slice(target);
    out.extend_from_slice(b" HTTP/1.1\r\n");
    let named = connection_tokens(fields.clone());
    let mut earlier_for: Vec<&[u8]> = Vec::new();
    let mut has_host = false;
    for (name, value) in fields {
        let skip = HOP_BY_HOP
            .iter()
            .any(|h| name.eq_ignore_ascii_case(h.as_bytes()))
            || named.iter().any(|n| name.eq_ignore_ascii_case(n))
            || name.eq_ignore_ascii_case(b"content-length")
            || name.eq_ignore_ascii_case(b"expect")
            || name.eq_ignore_ascii_case(b"x-forwarded-proto")
            || name.eq_ignore_ascii_case(b"x-forwarded-host");
        if name.eq_ignore_ascii_case(b"x-forwarded-for") {
            earlier_for.push(value);
            continue;
        }
        if skip {
            continue;
        }
        has_host |= name.eq_ignore_ascii_case(b"host");
        field(out, name, value);
    }
    if !has_host && let Some(host) = forwarded.host {
        field(out, b"host", host);
    }
    out.extend_from_slice(b"x-forwarded-for: ");
    for earlier in earlier_for {
        out.extend_from_slice(earlier);
        out.extend_from_slice(b", ");
    }
    out.extend_from_slice(forwarded.client.as_bytes());
    out.extend_from_slice(b"\r\n");
    field(out, b"x-forwarded-proto", forwarded.proto.as_bytes());
    if let Some(host) = forwarded.host {
        field(out, b"x-forwarded-host", host);
    }
    if let Some(length) = body_len {
        field(out, b"content-length", length.to_string().as_bytes());
    }
    out.extend_from_slice(b"\r\n");
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

/// An upstream's response head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead {
    pub status: u16,
    /// The fields to pass on: names lowercase, hop-by-hop ones and `content-length` removed.
    pub fields: Vec<(Vec<u8>, Vec<u8>)>,
    /// How the body is framed on the upstream connection.
    pub body: ResponseBody,
    /// The connection may carry another request once this body is read.
    pub reusable: bool,
}

/// How an upstream frames a response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseBody {
    /// Framed by length or chunks.
    Framed(BodyKind),
    /// Until the upstream closes the connection.
    UntilClose,
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
pub fn parse_response_head(
    buf: &[u8],
    head_request: bool,
    head_bytes_max: usize,
    fields_max: usize,
) -> Result<Option<(ResponseHead, usize)>, BadResponse> {
    let mut start = 0;
    loop {
        let mut storage = vec![httparse::EMPTY_HEADER; fields_max];
        let mut response = httparse::Response::new(&mut storage);
        let rest = &buf[start..];
        let len = match response.parse(rest) {
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
        let head = judge(status, version_11, response.headers, head_request)?;
        return Ok(Some((head, start + len)));
    }
}

fn judge(
    status: u16,
    version_11: bool,
    headers: &[httparse::Header<'_>],
    head_request: bool,
) -> Result<ResponseHead, BadResponse> {
    let mut length: Option<u64> = None;
    let mut chunked = false;
    let mut transfer_encoding = false;
    let mut close = !version_11;
    let named = connection_tokens(headers.iter().map(|h| (h.name.as_bytes(), h.value)));
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
            close |= header
                .value
                .split(|&b| b == b',')
                .any(|t| t.trim_ascii().eq_ignore_ascii_case(b"close"));
        }
    }
    if transfer_encoding && length.is_some() {
        return Err(BadResponse::Ambiguous(
            "both Content-Length and Transfer-Encoding",
        ));
    }
    let mut fields = Vec::with_capacity(headers.len());
    for header in headers {
        let lower = header.name.to_ascii_lowercase();
        if HOP_BY_HOP.contains(&lower.as_str())
            || lower == "content-length"
            || named.iter().any(|n| n == lower.as_bytes())
        {
            continue;
        }
        fields.push((lower.into_bytes(), header.value.to_vec()));
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
            },
            Some(2),
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "POST /x?y=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\
             x-forwarded-for: 203.0.113.9, 192.0.2.1\r\nx-forwarded-proto: http\r\n\
             x-forwarded-host: example.com\r\ncontent-length: 2\r\n\r\n"
        );
    }

    fn parse(text: &str, head_request: bool) -> Result<Option<(ResponseHead, usize)>, BadResponse> {
        parse_response_head(text.as_bytes(), head_request, 1024, 16)
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
