//! The check a server passes before it is measured over TLS or HTTP/2: curl fetches the
//! file over the very protocol and listener the load will use, and must get 200, the file's
//! length and the HTTP version asked for (so a server that fell back to HTTP/1.1, or a TLS
//! port that does not speak TLS 1.3, is caught before its numbers are). The harness's own
//! probe (`http_probe`) speaks cleartext HTTP/1.1 only; readiness is checked with it first.

use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use crate::child::ServerProcess;
use crate::error::Error;
use crate::limits::{
    CURL_RETRY_INTERVAL_MS, PROBE_IO_TIMEOUT_MS, READY_DEADLINE_MS, TOOL_DEADLINE_MS,
};
use crate::protocol::Protocol;
use crate::run::run_captured;

/// What curl's `--write-out` reports.
const WRITE_OUT: &str = "%{http_code} %{size_download} %{http_version}";

#[derive(Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body_bytes: usize,
    /// "1.1" or "2".
    pub http_version: String,
}

/// Fetches `path` from `server` over `protocol` until it answers (for up to
/// `READY_DEADLINE_MS`: a busy machine can take seconds over a handshake), and fails if the
/// answer is not 200 with `body_bytes` bytes over the expected HTTP version.
pub fn check(
    curl: &Path,
    server: &mut ServerProcess,
    protocol: Protocol,
    path: &str,
    body_bytes: usize,
) -> Result<(), Error> {
    let url = protocol.url_on(server, path)?;
    let expect_version = if protocol.is_http2() { "2" } else { "1.1" };
    let deadline = Instant::now() + Duration::from_millis(READY_DEADLINE_MS);
    loop {
        let last_problem = match fetch(curl, protocol, &url)? {
            Ok(answer)
                if answer.status == 200
                    && answer.body_bytes == body_bytes
                    && answer.http_version == expect_version =>
            {
                return Ok(());
            }
            Ok(answer) => {
                // A wrong answer will not fix itself: fail now, not at the deadline.
                return Err(Error::run(format!(
                    "{} answered GET {url} ({}) with status {}, {} body bytes over HTTP/{}; \
                     expected 200, {body_bytes} bytes over HTTP/{expect_version}",
                    server.name(),
                    protocol.name(),
                    answer.status,
                    answer.body_bytes,
                    answer.http_version
                )));
            }
            Err(problem) => problem,
        };
        if let Some(status) = server.exited() {
            return Err(server.died_error(status, &format!("answering curl over {url}")));
        }
        if Instant::now() >= deadline {
            return Err(Error::run(format!(
                "{} did not answer GET {url} ({}) within {READY_DEADLINE_MS} ms: {last_problem}; \
                 last lines of its log:\n{}",
                server.name(),
                protocol.name(),
                server.log_tail()
            )));
        }
        thread::sleep(Duration::from_millis(CURL_RETRY_INTERVAL_MS));
    }
}

/// One curl run: `Ok(Ok(answer))`, `Ok(Err(why))` when curl got no answer (worth a retry),
/// `Err` when curl could not be run at all.
fn fetch(curl: &Path, protocol: Protocol, url: &str) -> Result<Result<Answer, String>, Error> {
    let max_time_secs = PROBE_IO_TIMEOUT_MS as f64 / 1e3;
    let mut command = Command::new(curl);
    command
        .args(["--silent", "--show-error", "--insecure", "--noproxy", "*"])
        .arg("--max-time")
        .arg(format!("{max_time_secs:.3}"))
        .args(["--output", "/dev/null", "--write-out", WRITE_OUT])
        .args(flags(protocol))
        .arg(url);
    let deadline = Duration::from_millis(TOOL_DEADLINE_MS);
    let output = run_captured(&mut command, &format!("curl {url}"), deadline)?;
    if !output.status.success() {
        return Ok(Err(format!(
            "curl {} ({})",
            output.stderr.trim(),
            output.status
        )));
    }
    parse_write_out(&output.stdout)
        .map(Ok)
        .map_err(|error| Error::run(format!("curl {url}: {error}")))
}

/// curl's options for `protocol`: the HTTP version, and TLS 1.3 at least over TLS.
fn flags(protocol: Protocol) -> &'static [&'static str] {
    match protocol {
        Protocol::Http1 => &["--http1.1"],
        Protocol::Https1 => &["--http1.1", "--tlsv1.3"],
        Protocol::H2 => &["--http2", "--tlsv1.3"],
        Protocol::H2c => &["--http2-prior-knowledge"],
        // Debian's curl has no HTTP/3: `bext-h3load --check` checks it instead (wrk_case).
        // Asked anyway, curl's own flag makes it say so.
        Protocol::H3 => &["--http3-only"],
    }
}

/// "200 13 2" -> status 200, 13 body bytes, HTTP/2.
pub fn parse_write_out(text: &str) -> Result<Answer, String> {
    let mut fields = text.split_whitespace();
    let mut next = || {
        fields
            .next()
            .ok_or_else(|| format!("unexpected --write-out output {text:?}"))
    };
    let status = next()?;
    let body_bytes = next()?;
    let http_version = next()?.to_string();
    Ok(Answer {
        status: status
            .parse()
            .map_err(|_| format!("bad status {status:?} in {text:?}"))?,
        body_bytes: body_bytes
            .parse()
            .map_err(|_| format!("bad size {body_bytes:?} in {text:?}"))?,
        http_version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_parse(text: &str, expect: &str) {
        let actual = match parse_write_out(text) {
            Ok(answer) => format!(
                "{} {} HTTP/{}",
                answer.status, answer.body_bytes, answer.http_version
            ),
            Err(error) => format!("error: {error}"),
        };
        assert_eq!(actual, expect);
    }

    #[test]
    fn parses_curl_write_out() {
        check_parse("200 13 2", "200 13 HTTP/2");
        check_parse("200 13 1.1\n", "200 13 HTTP/1.1");
        check_parse("404 153 1.1", "404 153 HTTP/1.1");
        check_parse("200 13", "error: unexpected --write-out output \"200 13\"");
        check_parse("OK 13 2", "error: bad status \"OK\" in \"OK 13 2\"");
        check_parse("200 -1 2", "error: bad size \"-1\" in \"200 -1 2\"");
    }

    #[test]
    fn asks_for_the_protocol_measured() {
        assert_eq!(flags(Protocol::Https1), ["--http1.1", "--tlsv1.3"]);
        assert_eq!(flags(Protocol::H2), ["--http2", "--tlsv1.3"]);
        assert_eq!(flags(Protocol::H2c), ["--http2-prior-knowledge"]);
    }
}
