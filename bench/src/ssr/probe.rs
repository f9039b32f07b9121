//! Fetching a page whole, for readiness, first-render timing and checking what each server
//! answers. Unlike `http_probe`, this client understands chunked bodies (Next.js streams its
//! pages) and keeps the headers and the body: it sends `Connection: close`, reads to EOF and
//! then parses the complete response (`parse_response`, sans-I/O, tested on literals).

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::thread;
use std::time::{Duration, Instant};

use crate::child::ServerProcess;
use crate::error::Error;
use crate::http_probe::connect;
use crate::limits::{
    READY_POLL_INTERVAL_MS, RESPONSE_BODY_BYTES_MAX, RESPONSE_HEAD_BYTES_MAX, SSR_READY_DEADLINE_MS,
};

/// Most headers a response may have for the probe.
const HEADERS_MAX: usize = 64;

#[derive(Debug, PartialEq, Eq)]
pub struct Fetched {
    pub status: u16,
    /// Names lowercased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Fetched {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn contains(&self, text: &str) -> bool {
        let needle = text.as_bytes();
        !needle.is_empty()
            && self
                .body
                .windows(needle.len())
                .any(|window| window == needle)
    }
}

/// `GET path` on a fresh connection, read to the end.
pub fn fetch(port: u16, path: &str) -> std::io::Result<Fetched> {
    fetch_timed(port, path).map(|(fetched, _, _)| fetched)
}

/// [`fetch`], also timing the first byte of the response (for a streamed page, its shell)
/// and the last, from the moment the request was written.
pub fn fetch_timed(port: u16, path: &str) -> std::io::Result<(Fetched, Duration, Duration)> {
    let mut stream = connect(SocketAddr::from(([127, 0, 0, 1], port)))?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bext-bench\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes())?;
    let sent = Instant::now();
    let mut first_byte = None;
    let mut bytes = Vec::with_capacity(16 * 1024);
    let mut chunk = [0u8; 64 * 1024];
    loop {
        let read = stream.read(&mut chunk)?;
        if read == 0 {
            break;
        }
        first_byte.get_or_insert_with(|| sent.elapsed());
        if bytes.len() + read > RESPONSE_HEAD_BYTES_MAX + RESPONSE_BODY_BYTES_MAX {
            return Err(std::io::Error::other("response too large for the probe"));
        }
        bytes.extend_from_slice(&chunk[..read]);
    }
    let complete = sent.elapsed();
    let fetched = parse_response(&bytes).map_err(std::io::Error::other)?;
    Ok((fetched, first_byte.unwrap_or(complete), complete))
}

/// Polls `GET path` every ~1 ms until it answers 200, and returns when it did. Fails if the
/// server exits or the deadline passes.
pub fn wait_answering(server: &mut ServerProcess, path: &str) -> Result<Instant, Error> {
    let deadline = server.spawned_at() + Duration::from_millis(SSR_READY_DEADLINE_MS);
    loop {
        let last_problem = match fetch(server.port(), path) {
            Ok(response) if response.status == 200 => return Ok(Instant::now()),
            Ok(response) => format!("status {}", response.status),
            Err(error) => error.to_string(),
        };
        if let Some(status) = server.exited() {
            return Err(server.died_error(status, "starting up"));
        }
        if Instant::now() >= deadline {
            return Err(Error::run(format!(
                "{} did not answer GET {path} with 200 on port {} within {SSR_READY_DEADLINE_MS} ms \
                 (last attempt: {last_problem}); last lines of its log:\n{}",
                server.name(),
                server.port(),
                server.log_tail()
            )));
        }
        thread::sleep(Duration::from_millis(READY_POLL_INTERVAL_MS));
    }
}

/// Parses a complete response (the connection was closed after it): the head, then a body
/// framed by Content-Length, by chunked encoding, or by the end of the bytes.
pub fn parse_response(bytes: &[u8]) -> Result<Fetched, String> {
    let mut headers = [httparse::EMPTY_HEADER; HEADERS_MAX];
    let mut response = httparse::Response::new(&mut headers);
    let head_bytes = match response.parse(bytes) {
        Ok(httparse::Status::Complete(length)) => length,
        Ok(httparse::Status::Partial) => return Err("connection closed inside the head".into()),
        Err(error) => return Err(format!("bad response head: {error}")),
    };
    let status = response.code.ok_or("response without a status")?;
    let headers: Vec<(String, String)> = response
        .headers
        .iter()
        .map(|header| {
            (
                header.name.to_ascii_lowercase(),
                String::from_utf8_lossy(header.value).trim().to_string(),
            )
        })
        .collect();
    let find = |name: &str| {
        headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let rest = &bytes[head_bytes..];
    let chunked = find("transfer-encoding")
        .is_some_and(|value| value.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        dechunk(rest)?
    } else if let Some(length) = find("content-length") {
        let length: usize = length
            .parse()
            .map_err(|_| format!("bad Content-Length: {length:?}"))?;
        if rest.len() != length {
            return Err(format!(
                "Content-Length is {length} but {} body bytes arrived",
                rest.len()
            ));
        }
        rest.to_vec()
    } else {
        rest.to_vec()
    };
    Ok(Fetched {
        status,
        headers,
        body,
    })
}

/// Decodes a complete chunked body (trailers are skipped).
fn dechunk(mut bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end = bytes
            .windows(2)
            .position(|window| window == b"\r\n")
            .ok_or("chunked body ends inside a chunk size line")?;
        let line = std::str::from_utf8(&bytes[..line_end])
            .map_err(|_| "chunk size line is not UTF-8".to_string())?;
        let size_text = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunk size {size_text:?}"))?;
        bytes = &bytes[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        if bytes.len() < size + 2 || &bytes[size..size + 2] != b"\r\n" {
            return Err("chunked body ends inside a chunk".into());
        }
        if body.len() + size > RESPONSE_BODY_BYTES_MAX {
            return Err("chunked body too large for the probe".into());
        }
        body.extend_from_slice(&bytes[..size]);
        bytes = &bytes[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &[u8], expect: &str) {
        let actual = match parse_response(input) {
            Ok(response) => format!(
                "{} cache={} body={:?}",
                response.status,
                response.header("x-bext-cache").unwrap_or("-"),
                String::from_utf8_lossy(&response.body)
            ),
            Err(error) => format!("error: {error}"),
        };
        assert_eq!(
            actual,
            expect,
            "input: {:?}",
            String::from_utf8_lossy(input)
        );
    }

    #[test]
    fn parses_whole_responses() {
        check(
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Bext-Cache: hit\r\n\r\nhello",
            "200 cache=hit body=\"hello\"",
        );
        check(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nx-trailer: 1\r\n\r\n",
            "200 cache=- body=\"hello, world\"",
        );
        check(
            b"HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\ngone",
            "404 cache=- body=\"gone\"",
        );
        check(
            b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhello",
            "error: Content-Length is 9 but 5 body bytes arrived",
        );
        check(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
            "error: chunked body ends inside a chunk",
        );
        check(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "error: bad chunk size \"zz\"",
        );
        check(
            b"HTTP/1.1 200 OK\r\nContent-",
            "error: connection closed inside the head",
        );
        check(
            b"SSH-2.0-OpenSSH\r\n\r\n",
            "error: bad response head: invalid HTTP version",
        );
    }

    #[test]
    fn finds_text_in_bodies() {
        let response = Fetched {
            status: 200,
            headers: Vec::new(),
            body: b"<h1>Dashboard</h1>".to_vec(),
        };
        assert!(response.contains("<h1>Dashboard</h1>"));
        assert!(!response.contains("<h1>People</h1>"));
        assert!(!response.contains(""));
    }
}
