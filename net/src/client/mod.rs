//! The sans-I/O half of bext's HTTP/1.1 client, used by loaders' `fetch`.
//!
//! [`Target::parse`] checks a URL, [`encode_request`] writes the request bytes, and
//! [`ResponseReader`] is fed whatever the socket returned until it says the response is
//! complete. The async driver (`server::fetch`) owns the socket and every deadline.
//!
//! Scope, deliberately small: `http://` only (no TLS in bext yet), one request per connection
//! (`connection: close`, so the body may also end at EOF), and hosts given as IP addresses or
//! `localhost`: name resolution is a blocking call, and a shard thread never blocks. Bodies are
//! framed by Content-Length, chunked encoding (decoded with the server's own chunked decoder)
//! or the end of the stream, and bounded by `body_bytes_max`.

pub mod upstream;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::h1::{self, BodyDecoder, BodyKind};

use bext_core::limits::FETCH_RESPONSE_HEADER_COUNT_MAX;

/// Where a request goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub addr: SocketAddr,
    /// The `host` header value (as written in the URL, with its port if one was given).
    pub host_header: String,
    /// Path and query, at least `/`.
    pub path_and_query: String,
}

impl Target {
    /// Parses an absolute `http://` URL.
    pub fn parse(url: &str) -> Result<Target, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("fetch {url}: only http:// URLs are supported"))?;
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, "/"),
        };
        let path = path.split('#').next().unwrap_or("/");
        let path = if path.starts_with('?') {
            format!("/{path}")
        } else if path.is_empty() {
            String::from("/")
        } else {
            path.to_owned()
        };
        if authority.contains('@') {
            return Err(format!(
                "fetch {url}: credentials in URLs are not supported"
            ));
        }
        let (host, port) =
            split_host_port(authority).ok_or_else(|| format!("fetch {url}: bad host or port"))?;
        let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else {
            host.parse().map_err(|_| {
                format!(
                    "fetch {url}: host names are not resolved (a shard never blocks on DNS); \
                     use an IP address or localhost"
                )
            })?
        };
        if path.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(format!(
                "fetch {url}: the path has spaces or control characters"
            ));
        }
        Ok(Target {
            addr: SocketAddr::new(ip, port),
            host_header: authority.to_owned(),
            path_and_query: path,
        })
    }
}

fn split_host_port(authority: &str) -> Option<(&str, u16)> {
    if let Some(rest) = authority.strip_prefix('[') {
        let end = rest.find(']')?;
        let host = &rest[..end];
        let port = match &rest[end + 1..] {
            "" => 80,
            p => p.strip_prefix(':')?.parse().ok()?,
        };
        return Some((host, port));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() => Some((host, port.parse().ok()?)),
        Some(_) => None,
        None if authority.is_empty() => None,
        None => Some((authority, 80)),
    }
}

/// Writes a request. Header names and values with CR, LF or NUL are refused (they would let a
/// page inject headers or requests).
pub fn encode_request(
    target: &Target,
    method: &str,
    headers: &[(String, String)],
    body: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let token = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic() && b != b':');
    if !token(method) {
        return Err(format!("fetch: bad method {method:?}"));
    }
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(target.path_and_query.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\nhost: ");
    out.extend_from_slice(target.host_header.as_bytes());
    out.extend_from_slice(b"\r\nconnection: close\r\n");
    for (name, value) in headers {
        let lower = name.to_ascii_lowercase();
        if !token(name) || value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
            return Err(format!("fetch: bad header {name:?}"));
        }
        // Framing and hop-by-hop fields are the client's to write.
        if matches!(
            lower.as_str(),
            "host" | "connection" | "content-length" | "transfer-encoding" | "keep-alive"
        ) {
            continue;
        }
        h1::write_header(out, lower.as_bytes(), value.as_bytes());
    }
    if !body.is_empty() || !matches!(method, "GET" | "HEAD") {
        h1::write_content_length(out, body.len() as u64);
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    Ok(())
}

/// A complete response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// Names lowercased, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Reads one response from bytes as they arrive.
pub struct ResponseReader {
    buf: Vec<u8>,
    head: Option<(u16, Vec<(String, String)>)>,
    body: Vec<u8>,
    framing: Option<Framing>,
    head_only: bool,
    head_bytes_max: usize,
    body_bytes_max: usize,
}

enum Framing {
    Decoder(BodyDecoder),
    UntilEof,
}

/// What one feed found.
#[derive(Debug, PartialEq, Eq)]
pub enum Progress {
    NeedMore,
    Done(Response),
}

impl ResponseReader {
    /// `head_only` for a HEAD request (no body follows whatever the head says).
    pub fn new(head_only: bool, head_bytes_max: usize, body_bytes_max: usize) -> ResponseReader {
        ResponseReader {
            buf: Vec::new(),
            head: None,
            body: Vec::new(),
            framing: None,
            head_only,
            head_bytes_max,
            body_bytes_max,
        }
    }

    /// Feeds bytes read from the socket; `eof` once the peer closed.
    pub fn feed(&mut self, input: &[u8], eof: bool) -> Result<Progress, String> {
        self.buf.extend_from_slice(input);
        if self.head.is_none() {
            let mut fields = [httparse::EMPTY_HEADER; FETCH_RESPONSE_HEADER_COUNT_MAX];
            let mut response = httparse::Response::new(&mut fields);
            let head_len = match response.parse(&self.buf) {
                Ok(httparse::Status::Complete(n)) => n,
                Ok(httparse::Status::Partial) => {
                    if self.buf.len() > self.head_bytes_max {
                        return Err(String::from("fetch: response head too large"));
                    }
                    if eof {
                        return Err(String::from("fetch: connection closed before a response"));
                    }
                    return Ok(Progress::NeedMore);
                }
                Err(e) => return Err(format!("fetch: malformed response: {e}")),
            };
            let status = response.code.unwrap_or(0);
            let mut headers = Vec::with_capacity(response.headers.len());
            let mut length: Option<u64> = None;
            let mut chunked = false;
            for field in response.headers.iter() {
                let name = field.name.to_ascii_lowercase();
                let value = String::from_utf8_lossy(field.value).into_owned();
                match name.as_str() {
                    "content-length" => {
                        let n: u64 = value
                            .trim()
                            .parse()
                            .map_err(|_| String::from("fetch: bad content-length"))?;
                        if length.is_some_and(|m| m != n) {
                            return Err(String::from("fetch: conflicting content-length"));
                        }
                        length = Some(n);
                    }
                    "transfer-encoding" => {
                        chunked = value
                            .rsplit(',')
                            .next()
                            .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"));
                    }
                    _ => {}
                }
                headers.push((name, value));
            }
            let no_body = self.head_only || status == 204 || status == 304 || status < 200;
            let max = self.body_bytes_max as u64;
            self.framing = Some(if no_body {
                Framing::Decoder(decoder(BodyKind::None, max)?)
            } else if chunked {
                Framing::Decoder(decoder(BodyKind::Chunked, max)?)
            } else if let Some(n) = length {
                Framing::Decoder(decoder(BodyKind::Length(n), max)?)
            } else {
                Framing::UntilEof
            });
            self.head = Some((status, headers));
            self.buf.drain(..head_len);
        }
        match self.framing.as_mut() {
            Some(Framing::Decoder(decoder)) => {
                let mut at = 0;
                loop {
                    let decoded = decoder
                        .decode(&self.buf[at..])
                        .map_err(|e| format!("fetch: bad response body: {}", e.reason()))?;
                    self.body.extend_from_slice(
                        &self.buf[at + decoded.data.start..at + decoded.data.end],
                    );
                    at += decoded.consumed;
                    if decoded.done {
                        return Ok(Progress::Done(self.finish()));
                    }
                    if decoded.consumed == 0 || at == self.buf.len() {
                        break;
                    }
                }
                self.buf.drain(..at);
                if eof {
                    return Err(String::from("fetch: connection closed inside the body"));
                }
                Ok(Progress::NeedMore)
            }
            Some(Framing::UntilEof) => {
                if self.body.len() + self.buf.len() > self.body_bytes_max {
                    return Err(String::from("fetch: response body too large"));
                }
                self.body.append(&mut self.buf);
                if eof {
                    return Ok(Progress::Done(self.finish()));
                }
                Ok(Progress::NeedMore)
            }
            None => Err(String::from("fetch: no response head")),
        }
    }

    fn finish(&mut self) -> Response {
        let (status, headers) = self.head.take().unwrap_or_default();
        Response {
            status,
            headers,
            body: std::mem::take(&mut self.body),
        }
    }
}

fn decoder(kind: BodyKind, max: u64) -> Result<BodyDecoder, String> {
    BodyDecoder::new(kind, max).map_err(|_| String::from("fetch: response body too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_target(url: &str, expect: Result<(&str, &str, &str), &str>) {
        let got = Target::parse(url);
        match (got, expect) {
            (Ok(t), Ok((addr, host, path))) => {
                assert_eq!(t.addr.to_string(), addr, "{url}");
                assert_eq!(t.host_header, host, "{url}");
                assert_eq!(t.path_and_query, path, "{url}");
            }
            (Err(e), Err(needle)) => assert!(e.contains(needle), "{url}: {e}"),
            (got, expect) => panic!("{url}: got {got:?}, expected {expect:?}"),
        }
    }

    #[test]
    fn targets() {
        check_target(
            "http://127.0.0.1:9000/a?b=1",
            Ok(("127.0.0.1:9000", "127.0.0.1:9000", "/a?b=1")),
        );
        check_target("http://localhost", Ok(("127.0.0.1:80", "localhost", "/")));
        check_target("http://[::1]:81/x#frag", Ok(("[::1]:81", "[::1]:81", "/x")));
        check_target("http://10.0.0.1?q", Ok(("10.0.0.1:80", "10.0.0.1", "/?q")));
        check_target("https://127.0.0.1/", Err("only http://"));
        check_target("http://example.com/", Err("host names are not resolved"));
        check_target("http://u:p@127.0.0.1/", Err("credentials"));
        check_target("http://127.0.0.1:99999/", Err("bad host or port"));
        check_target("http://127.0.0.1/a b", Err("spaces"));
    }

    #[test]
    fn requests_are_encoded_with_framing_of_our_own() {
        let target = Target::parse("http://127.0.0.1:1/p").unwrap();
        let mut out = Vec::new();
        let headers = vec![
            ("Accept".to_owned(), "a/b".to_owned()),
            ("Content-Length".to_owned(), "99".to_owned()),
        ];
        encode_request(&target, "POST", &headers, b"hi", &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "POST /p HTTP/1.1\r\nhost: 127.0.0.1:1\r\nconnection: close\r\naccept: a/b\r\ncontent-length: 2\r\n\r\nhi"
        );
        let bad = vec![("x".to_owned(), "a\r\nevil: 1".to_owned())];
        assert!(encode_request(&target, "GET", &bad, b"", &mut Vec::new()).is_err());
        assert!(encode_request(&target, "GE T", &[], b"", &mut Vec::new()).is_err());
    }

    /// Feeds `parts` one after another (EOF after the last) and returns the outcome.
    fn feed(parts: &[&[u8]], head_only: bool) -> Result<Response, String> {
        let mut reader = ResponseReader::new(head_only, 1024, 64);
        for (i, part) in parts.iter().enumerate() {
            if let Progress::Done(r) = reader.feed(part, i + 1 == parts.len())? {
                return Ok(r);
            }
        }
        Err(String::from("never done"))
    }

    #[test]
    fn responses_by_every_framing() {
        let r = feed(
            &[
                b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhel",
                b"lo",
            ],
            false,
        )
        .unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, &b"hello"[..]));
        assert_eq!(r.headers[1], ("x-a".to_owned(), "b".to_owned()));
        let r = feed(
            &[
                b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
                b"0\r\n\r\n",
            ],
            false,
        )
        .unwrap();
        assert_eq!((r.status, r.body.as_slice()), (201, &b"abc"[..]));
        let r = feed(&[b"HTTP/1.0 200 OK\r\n\r\nuntil", b" eof"], false).unwrap();
        assert_eq!(r.body, b"until eof");
        let r = feed(&[b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"], true).unwrap();
        assert!(r.body.is_empty());
        let r = feed(&[b"HTTP/1.1 304 Not Modified\r\n\r\n"], false).unwrap();
        assert_eq!(r.status, 304);
    }

    #[test]
    fn bad_responses_are_errors() {
        let check = |parts: &[&[u8]], needle: &str| {
            let e = feed(parts, false).unwrap_err();
            assert!(e.contains(needle), "{e}");
        };
        check(
            &[b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"],
            "too large",
        );
        check(&[b"HTTP/1.1 200 OK\r\n\r\n", &[b'x'; 65]], "too large");
        check(
            &[b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"],
            "closed inside",
        );
        check(&[b"HTTP/1.1 200"], "before a response");
        check(&[b"NOPE\r\n\r\n"], "malformed");
        check(
            &[b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"],
            "conflicting",
        );
        let long_head = [&b"HTTP/1.1 200 OK\r\nx: "[..], &[b'a'; 2000]].concat();
        check(&[&long_head], "head too large");
    }
}
