//! A minimal HTTP/1.1 client for readiness checks, start-up timing and the idle-connection
//! scenario. It only understands what it sends: a GET, answered with a `Content-Length` body.
//! The head parser is sans-I/O (`parse_head`) so it is tested with byte literals.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use crate::child::ServerProcess;
use crate::error::Error;
use crate::limits::{
    PROBE_IO_TIMEOUT_MS, READY_DEADLINE_MS, READY_POLL_INTERVAL_MS, RESPONSE_BODY_BYTES_MAX,
    RESPONSE_HEAD_BYTES_MAX,
};

#[derive(Debug, PartialEq, Eq)]
pub struct Head {
    pub status: u16,
    pub content_length: usize,
    /// Bytes of the head including the blank line.
    pub head_bytes: usize,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub body_bytes: usize,
}

/// Parses a response head from the start of `bytes`: `Ok(None)` if incomplete.
pub fn parse_head(bytes: &[u8]) -> Result<Option<Head>, String> {
    let Some(end) = bytes.windows(4).position(|window| window == b"\r\n\r\n") else {
        return Ok(None);
    };
    let text =
        std::str::from_utf8(&bytes[..end]).map_err(|_| "response head is not UTF-8".to_string())?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/1.") {
        return Err(format!("not an HTTP/1.x status line: {status_line:?}"));
    }
    let status = parts
        .next()
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| format!("bad status line: {status_line:?}"))?;
    let mut content_length = None;
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("bad header line: {line:?}"))?;
        if name.trim().eq_ignore_ascii_case("content-length") {
            let length = value
                .trim()
                .parse::<usize>()
                .map_err(|_| format!("bad Content-Length: {value:?}"))?;
            content_length = Some(length);
        }
    }
    let content_length = content_length.ok_or("response has no Content-Length")?;
    Ok(Some(Head {
        status,
        content_length,
        head_bytes: end + 4,
    }))
}

/// Connects with a timeout and sets read/write timeouts for the probe.
pub fn connect(addr: SocketAddr) -> std::io::Result<TcpStream> {
    let timeout = Duration::from_millis(PROBE_IO_TIMEOUT_MS);
    let stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// Sends one keep-alive GET for `path` on `stream` and reads the whole response.
pub fn get(stream: &mut TcpStream, path: &str) -> std::io::Result<Response> {
    exchange(stream, path, None)
}

/// [`get`], keeping the body: `proxy` checks what a proxy answers byte for byte and reads
/// counters from status pages.
pub fn get_body(stream: &mut TcpStream, path: &str) -> std::io::Result<(u16, Vec<u8>)> {
    let mut body = Vec::new();
    let response = exchange(stream, path, Some(&mut body))?;
    Ok((response.status, body))
}

/// One GET on `stream`; the body's bytes go to `keep` if given, else they are only counted.
fn exchange(
    stream: &mut TcpStream,
    path: &str,
    mut keep: Option<&mut Vec<u8>>,
) -> std::io::Result<Response> {
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bext-bench\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let head = loop {
        let read = stream.read(&mut chunk)?;
        if read == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "closed before the response head",
            ));
        }
        buffer.extend_from_slice(&chunk[..read]);
        match parse_head(&buffer).map_err(std::io::Error::other)? {
            Some(head) => break head,
            None if buffer.len() > RESPONSE_HEAD_BYTES_MAX => {
                return Err(std::io::Error::other("response head too large"));
            }
            None => {}
        }
    };
    if head.content_length > RESPONSE_BODY_BYTES_MAX {
        return Err(std::io::Error::other(format!(
            "response body of {} bytes is too large",
            head.content_length
        )));
    }
    let mut body_read = buffer.len() - head.head_bytes;
    if let Some(keep) = keep.as_deref_mut() {
        keep.extend_from_slice(&buffer[head.head_bytes..]);
    }
    while body_read < head.content_length {
        let read = stream.read(&mut chunk)?;
        if read == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "closed mid-body",
            ));
        }
        body_read += read;
        if let Some(keep) = keep.as_deref_mut() {
            keep.extend_from_slice(&chunk[..read]);
        }
    }
    if body_read != head.content_length {
        return Err(std::io::Error::other(
            "more bytes than Content-Length (unexpected pipelined data)",
        ));
    }
    Ok(Response {
        status: head.status,
        body_bytes: head.content_length,
    })
}

/// Polls `server` with a fresh connection every ~1 ms until `GET path` answers 200 with a body
/// of `body_bytes`, and returns the time since the server was spawned (its start-up time).
/// Fails if the server exits, answers wrongly, or the deadline passes.
pub fn wait_ready(
    server: &mut ServerProcess,
    path: &str,
    body_bytes: usize,
) -> Result<Duration, Error> {
    let addr = SocketAddr::from(([127, 0, 0, 1], server.port()));
    let deadline = server.spawned_at() + Duration::from_millis(READY_DEADLINE_MS);
    loop {
        let attempt = connect(addr).and_then(|mut stream| get(&mut stream, path));
        let answered_at = Instant::now();
        let last_problem = match attempt {
            Ok(Response {
                status: 200,
                body_bytes: got,
            }) if got == body_bytes => {
                return Ok(answered_at - server.spawned_at());
            }
            Ok(response) => {
                // A wrong answer will not fix itself: fail now, not at the deadline.
                return Err(Error::run(format!(
                    "{} answered GET {path} with status {} and {} body bytes, expected 200 and {body_bytes}",
                    server.name(),
                    response.status,
                    response.body_bytes
                )));
            }
            Err(error) => error,
        };
        if let Some(status) = server.exited() {
            return Err(server.died_error(status, "starting up"));
        }
        if Instant::now() >= deadline {
            return Err(Error::run(format!(
                "{} did not answer GET {path} on port {} within {} ms (last attempt: {last_problem}); \
                 last lines of its log:\n{}",
                server.name(),
                server.port(),
                READY_DEADLINE_MS,
                server.log_tail()
            )));
        }
        thread::sleep(Duration::from_millis(READY_POLL_INTERVAL_MS));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &[u8], expect: &str) {
        let actual = match parse_head(input) {
            Ok(Some(head)) => format!(
                "{} len={} head={}",
                head.status, head.content_length, head.head_bytes
            ),
            Ok(None) => "incomplete".to_string(),
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
    fn parses_response_heads() {
        check(
            b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, bext!\n",
            "200 len=13 head=39",
        );
        check(
            b"HTTP/1.1 404 Not Found\r\nserver: x\r\ncontent-length:0\r\n\r\n",
            "404 len=0 head=55",
        );
        check(
            b"HTTP/1.0 200\r\nContent-Length:  7 \r\n\r\n",
            "200 len=7 head=37",
        );
        check(b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n", "incomplete");
        check(b"", "incomplete");
        check(
            b"SSH-2.0-OpenSSH\r\n\r\n",
            "error: not an HTTP/1.x status line: \"SSH-2.0-OpenSSH\"",
        );
        check(
            b"HTTP/1.1 abc OK\r\n\r\n",
            "error: bad status line: \"HTTP/1.1 abc OK\"",
        );
        check(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            "error: response has no Content-Length",
        );
        check(
            b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            "error: bad Content-Length: \" -1\"",
        );
        check(
            b"HTTP/1.1 200 OK\r\nnocolon\r\n\r\n",
            "error: bad header line: \"nocolon\"",
        );
    }
}
