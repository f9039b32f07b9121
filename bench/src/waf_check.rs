//! The `waf` scenario's check before a server is measured: one obvious attack, which a
//! server with a WAF must refuse with 403 and a server without one must answer like any
//! request (200). A WAF that did not load its rules, or runs in detection-only mode, would
//! otherwise be measured as a WAF that costs nothing; a baseline that refuses it is not a
//! baseline. The normal request's 200 is checked by `http_probe::wait_ready` just before.

use std::net::SocketAddr;

use crate::child::ServerProcess;
use crate::error::Error;
use crate::http_probe;

/// Sends `GET attack` on a fresh connection to `server` and checks the status: 403 when
/// `blocks` (the server runs a WAF that refuses), 200 otherwise.
pub fn check(server: &ServerProcess, attack: &str, blocks: bool) -> Result<(), Error> {
    let addr = SocketAddr::from(([127, 0, 0, 1], server.port()));
    let response = http_probe::connect(addr)
        .and_then(|mut stream| http_probe::get(&mut stream, attack))
        .map_err(|error| {
            Error::run(format!(
                "{}: GET {attack} (the WAF check) failed: {error}; last lines of its log:\n{}",
                server.name(),
                server.log_tail()
            ))
        })?;
    judge(server.name(), attack, blocks, response.status).map_err(Error::run)?;
    println!(
        "  {}: GET {attack} -> {} ({})",
        server.name(),
        response.status,
        if blocks {
            "refused by its WAF"
        } else {
            "no WAF"
        }
    );
    Ok(())
}

/// Whether `status` is what a server with (`blocks`) or without a WAF must answer.
fn judge(name: &str, attack: &str, blocks: bool, status: u16) -> Result<(), String> {
    match (blocks, status) {
        (true, 403) | (false, 200) => Ok(()),
        (true, status) => Err(format!(
            "{name} answered GET {attack} with {status}, not 403: its WAF did not refuse an \
             obvious SQL injection, so it is not running the rules in blocking mode, and its \
             numbers would flatter it"
        )),
        (false, status) => Err(format!(
            "{name} runs without a WAF but answered GET {attack} with {status}, not 200: it \
             is no baseline for the servers with one"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(blocks: bool, status: u16, expect: &str) {
        let actual = match judge("bext-crs-pl1", "/a?id=1", blocks, status) {
            Ok(()) => "ok".to_string(),
            Err(error) => error,
        };
        assert!(
            actual.starts_with(expect),
            "{actual:?} should start with {expect:?}"
        );
    }

    #[test]
    fn a_waf_refuses_the_attack_and_a_baseline_serves_it() {
        check(true, 403, "ok");
        check(false, 200, "ok");
        check(
            true,
            200,
            "bext-crs-pl1 answered GET /a?id=1 with 200, not 403: its WAF did not refuse",
        );
        // Another refusal (a rate limit, a 404) is not the WAF's verdict either.
        check(
            true,
            429,
            "bext-crs-pl1 answered GET /a?id=1 with 429, not 403",
        );
        check(
            false,
            403,
            "bext-crs-pl1 runs without a WAF but answered GET /a?id=1 with 403",
        );
    }
}
