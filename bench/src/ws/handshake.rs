//! The WebSocket opening handshake (RFC 6455 section 4), both sides, from bytes to bytes.
//!
//! The client asks with a fresh `Sec-WebSocket-Key` and checks that the answer is `101` with
//! the matching `Sec-WebSocket-Accept`: a proxy that answered by itself, or passed the
//! request on without its `Upgrade`, fails here rather than producing round trips that never
//! crossed the tunnel. The accept key is tungstenite's (`derive_accept_key`: SHA-1 and base64
//! over the key and the RFC's GUID); heads are parsed with httparse, as everywhere in this
//! package.

use tungstenite::handshake::derive_accept_key;

/// Largest handshake head either side reads before it calls the peer broken.
pub const HEAD_BYTES_MAX: usize = 8 * 1024;
/// Most header fields parsed in one head.
const FIELDS_MAX: usize = 32;

/// A fresh `Sec-WebSocket-Key`: 16 random bytes in base64.
pub fn new_key() -> String {
    tungstenite::handshake::client::generate_key()
}

/// The client's upgrade request for `path` on `host`.
pub fn request(host: &str, path: &str, key: &str) -> Vec<u8> {
    format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nUser-Agent: bext-bench\r\n\r\n"
    )
    .into_bytes()
}

/// Checks the server's answer to [`request`] with `key`. `Ok(None)`: the head is not complete
/// yet; `Ok(Some(n))`: it was accepted and is the first `n` bytes (what follows is frames).
pub fn check_response(bytes: &[u8], key: &str) -> Result<Option<usize>, String> {
    let mut fields = [httparse::EMPTY_HEADER; FIELDS_MAX];
    let mut response = httparse::Response::new(&mut fields);
    let head_bytes = match response.parse(bytes) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if bytes.len() < HEAD_BYTES_MAX => return Ok(None),
        Ok(httparse::Status::Partial) => {
            return Err(format!("no complete answer head in {HEAD_BYTES_MAX} bytes"));
        }
        Err(error) => return Err(format!("unparsable answer head: {error}")),
    };
    let status = response.code.unwrap_or(0);
    if status != 101 {
        return Err(format!("answered {status}, not 101 Switching Protocols"));
    }
    if !field_is(response.headers, "upgrade", "websocket") {
        return Err("101 without `Upgrade: websocket`".to_string());
    }
    let expected = derive_accept_key(key.as_bytes());
    match field(response.headers, "sec-websocket-accept") {
        Some(accept) if accept == expected.as_bytes() => Ok(Some(head_bytes)),
        Some(_) => Err("Sec-WebSocket-Accept does not match the key sent".to_string()),
        None => Err("101 without Sec-WebSocket-Accept".to_string()),
    }
}

/// Reads a client's upgrade request. `Ok(None)`: not complete yet; `Ok(Some((n, key)))`: a
/// valid request in the first `n` bytes, with its `Sec-WebSocket-Key`.
pub fn parse_request(bytes: &[u8]) -> Result<Option<(usize, String)>, String> {
    let mut fields = [httparse::EMPTY_HEADER; FIELDS_MAX];
    let mut request = httparse::Request::new(&mut fields);
    let head_bytes = match request.parse(bytes) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if bytes.len() < HEAD_BYTES_MAX => return Ok(None),
        Ok(httparse::Status::Partial) => {
            return Err(format!(
                "no complete request head in {HEAD_BYTES_MAX} bytes"
            ));
        }
        Err(error) => return Err(format!("unparsable request head: {error}")),
    };
    if request.method != Some("GET") {
        return Err(format!("{:?} is not GET", request.method.unwrap_or("")));
    }
    if !field_is(request.headers, "upgrade", "websocket") {
        return Err("no `Upgrade: websocket`".to_string());
    }
    if !field_is(request.headers, "sec-websocket-version", "13") {
        return Err("no `Sec-WebSocket-Version: 13`".to_string());
    }
    let key = field(request.headers, "sec-websocket-key")
        .and_then(|key| std::str::from_utf8(key).ok())
        .filter(|key| !key.is_empty())
        .ok_or("no Sec-WebSocket-Key")?;
    Ok(Some((head_bytes, key.to_string())))
}

/// The server's `101` for a request with `key`.
pub fn accept(key: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n\r\n",
        derive_accept_key(key.as_bytes())
    )
    .into_bytes()
}

fn field<'a>(fields: &[httparse::Header<'a>], name: &str) -> Option<&'a [u8]> {
    fields
        .iter()
        .find(|field| field.name.eq_ignore_ascii_case(name))
        .map(|field| field.value)
}

/// Whether field `name` is `value`, ignoring ASCII case (`Upgrade: WebSocket` is valid).
fn field_is(fields: &[httparse::Header<'_>], name: &str, value: &str) -> bool {
    field(fields, name).is_some_and(|got| got.eq_ignore_ascii_case(value.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6455 section 1.3's example key and its accept value.
    const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
    const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    fn check_answer(answer: &str, expect: &str) {
        let got = match check_response(answer.as_bytes(), KEY) {
            Ok(Some(n)) => format!("ok {n}"),
            Ok(None) => "partial".to_string(),
            Err(error) => format!("error: {error}"),
        };
        assert_eq!(got, expect, "answer: {answer:?}");
    }

    #[test]
    fn the_client_checks_the_answer() {
        let good = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {ACCEPT}\r\n\r\n"
        );
        check_answer(&good, &format!("ok {}", good.len()));
        // Frames may follow the head in the same read.
        check_answer(
            &format!("{good}\u{82}\u{1}x"),
            &format!("ok {}", good.len()),
        );
        check_answer(&good[..good.len() - 2], "partial");
        check_answer(
            &format!(
                "HTTP/1.1 101 OK\r\nUpgrade: WebSocket\r\nSec-WebSocket-Accept: {ACCEPT}\r\n\r\n"
            ),
            "ok 91",
        );
        check_answer(
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
            "error: answered 200, not 101 Switching Protocols",
        );
        check_answer(
            "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: AAAA\r\n\r\n",
            "error: Sec-WebSocket-Accept does not match the key sent",
        );
        check_answer(
            "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n\r\n",
            "error: 101 without Sec-WebSocket-Accept",
        );
        check_answer(
            &format!("HTTP/1.1 101 OK\r\nSec-WebSocket-Accept: {ACCEPT}\r\n\r\n"),
            "error: 101 without `Upgrade: websocket`",
        );
        check_answer(
            "HTTP/1.1 abc\r\n\r\n",
            "error: unparsable answer head: invalid response status",
        );
        let endless = format!("HTTP/1.1 101 OK\r\nX: {}", "y".repeat(HEAD_BYTES_MAX));
        check_answer(&endless, "error: no complete answer head in 8192 bytes");
    }

    fn check_request(request: &str, expect: &str) {
        let got = match parse_request(request.as_bytes()) {
            Ok(Some((n, key))) => format!("ok {n} {key}"),
            Ok(None) => "partial".to_string(),
            Err(error) => format!("error: {error}"),
        };
        assert_eq!(got, expect, "request: {request:?}");
    }

    #[test]
    fn the_server_reads_the_request() {
        let ours = String::from_utf8(request("127.0.0.1:8080", "/echo", KEY)).unwrap_or_default();
        check_request(&ours, &format!("ok {} {KEY}", ours.len()));
        check_request(&ours[..20], "partial");
        check_request(
            "POST / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n",
            "error: \"POST\" is not GET",
        );
        check_request(
            "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
            "error: no `Upgrade: websocket`",
        );
        check_request(
            "GET / HTTP/1.1\r\nUpgrade: websocket\r\nSec-WebSocket-Key: k\r\n\r\n",
            "error: no `Sec-WebSocket-Version: 13`",
        );
        check_request(
            "GET / HTTP/1.1\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n",
            "error: no Sec-WebSocket-Key",
        );
    }

    #[test]
    fn both_sides_agree() {
        let key = new_key();
        assert_eq!(key.len(), 24, "16 bytes in base64: {key}");
        let answer = accept(&key);
        assert_eq!(
            check_response(&answer, &key),
            Ok(Some(answer.len())),
            "{}",
            String::from_utf8_lossy(&answer)
        );
        assert!(
            String::from_utf8_lossy(&accept(KEY)).contains(ACCEPT),
            "RFC 6455's example"
        );
    }
}
