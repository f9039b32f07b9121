//! One TLS connection made with `openssl s_client`, and what its output says about the
//! handshake: new or resumed, the protocol version, cipher suite and key-exchange group, whether
//! the server signed with its certificate's key, and how many session tickets it sent. `parse`
//! is sans-I/O and tested on real captured output (`bench/testdata/s_client/`); `connect` adds
//! the process and the deadline. The handshake cases of `tls` use it through
//! [`crate::resumption_check`].
//!
//! s_client rather than the harness's own client: it is OpenSSL, the library wrk and h2load
//! shake hands with, so it offers what they offer (TLS 1.3 cipher suites in OpenSSL's order,
//! an X25519 key share, a saved session's ticket), and `-sess_out`/`-sess_in` save and offer a
//! session the way wrk keeps one across its reconnects.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::error::Error;
use crate::limits::TOOL_DEADLINE_MS;
use crate::run::run_fed;

/// What to do with the session of the connection.
#[derive(Clone, Copy, Debug)]
pub enum Session<'a> {
    /// Save it (`-sess_out`; OpenSSL writes the file only when the server sent a ticket).
    SaveTo(&'a Path),
    /// Offer the one saved in this file (`-sess_in`).
    Offer(&'a Path),
}

/// What s_client reports about one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// `Reused, TLSv1.3, ...` rather than `New, TLSv1.3, ...`.
    pub resumed: bool,
    /// "TLSv1.3".
    pub protocol: String,
    /// "TLS_AES_256_GCM_SHA384".
    pub cipher: String,
    /// The key exchange (`Server Temp Key: X25519, 253 bits` -> "X25519"), if reported.
    pub group: Option<String>,
    /// `Peer signature type: ECDSA`: the server signed the handshake with its certificate's
    /// key, which a full handshake does and a resumed one does not.
    pub signature: Option<String>,
    /// `Post-Handshake New Session Ticket arrived` lines: tickets the server sent.
    pub tickets: usize,
    /// The status of the HTTP/1.1 answer to the request sent over the connection.
    pub status: Option<u16>,
}

impl Handshake {
    /// "TLSv1.3 TLS_AES_256_GCM_SHA384 X25519 ECDSA": what the two servers must agree on.
    pub fn negotiated(&self) -> String {
        let mut parts = vec![self.protocol.as_str(), self.cipher.as_str()];
        parts.extend(self.group.as_deref());
        parts.extend(self.signature.as_deref());
        parts.join(" ")
    }
}

/// Connects to `127.0.0.1:port` with TLS 1.3, sends `GET path` with `Connection: close` and
/// reads until the server closes (`-ign_eof`), so the tickets a server sends after the
/// handshake are read before s_client ends and `-sess_out` has them.
pub fn connect(
    openssl: &Path,
    port: u16,
    path: &str,
    session: Session<'_>,
) -> Result<Handshake, Error> {
    let (flag, file) = match session {
        Session::SaveTo(file) => ("-sess_out", file),
        Session::Offer(file) => ("-sess_in", file),
    };
    let connect = format!("127.0.0.1:{port}");
    let mut command = Command::new(openssl);
    command
        .args(["s_client", "-connect", &connect, "-tls1_3", "-ign_eof"])
        .arg(flag)
        .arg(file);
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    let what = format!("openssl s_client -connect {connect} {flag}");
    let output = run_fed(
        &mut command,
        request.as_bytes(),
        &what,
        Duration::from_millis(TOOL_DEADLINE_MS),
    )?;
    let quoted = || format!("{}{}", output.stdout, output.stderr);
    if !output.status.success() {
        return Err(Error::run(format!(
            "{what} failed ({}):\n{}",
            output.status,
            quoted().trim()
        )));
    }
    parse(&output.stdout)
        .map_err(|error| Error::run(format!("{what}: {error}\n--- its output ---\n{}", quoted())))
}

/// Reads s_client's report of one connection (its stdout).
pub fn parse(text: &str) -> Result<Handshake, String> {
    let mut session = None;
    let mut group = None;
    let mut signature = None;
    let mut tickets = 0;
    let mut status = None;
    for line in text.lines() {
        let line = line.trim_end();
        if let Some(rest) = line.strip_prefix("New, ") {
            session = Some((false, rest));
        } else if let Some(rest) = line.strip_prefix("Reused, ") {
            session = Some((true, rest));
        } else if let Some(rest) = line.strip_prefix("Server Temp Key: ") {
            group = rest.split(',').next().map(|name| name.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("Peer signature type: ") {
            signature = Some(rest.trim().to_string());
        } else if line.ends_with("New Session Ticket arrived:") {
            tickets += 1;
        } else if let Some(rest) = line.strip_prefix("HTTP/1.1 ")
            && status.is_none()
        {
            status = rest.get(..3).and_then(|code| code.parse().ok());
        }
    }
    let (resumed, rest) = session.ok_or("no `New, ...` or `Reused, ...` line: no handshake")?;
    // "TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384"
    let (protocol, cipher) = rest
        .split_once(", Cipher is ")
        .ok_or_else(|| format!("unexpected session line {rest:?}"))?;
    // What s_client prints when the handshake did not complete.
    if cipher == "(NONE)" {
        return Err(format!("no cipher agreed ({rest:?}): the handshake failed"));
    }
    Ok(Handshake {
        resumed,
        protocol: protocol.to_string(),
        cipher: cipher.to_string(),
        group,
        signature,
        tickets,
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One line per capture: how it reads.
    fn check(text: &str, expect: &str) {
        let actual = match parse(text) {
            Ok(handshake) => format!(
                "{} [{}] tickets={} status={:?}",
                if handshake.resumed { "reused" } else { "new" },
                handshake.negotiated(),
                handshake.tickets,
                handshake.status
            ),
            Err(error) => format!("error: {error}"),
        };
        assert_eq!(actual, expect);
    }

    const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/s_client/");

    fn capture(name: &str) -> String {
        std::fs::read_to_string(format!("{DATA}{name}")).unwrap_or_default()
    }

    #[test]
    fn reads_full_and_resumed_handshakes() {
        check(
            &capture("bext-tickets-first.txt"),
            "new [TLSv1.3 TLS_AES_256_GCM_SHA384 X25519 ECDSA] tickets=2 status=Some(200)",
        );
        // Resumed: no certificate signature.
        check(
            &capture("bext-tickets-second.txt"),
            "reused [TLSv1.3 TLS_AES_256_GCM_SHA384 X25519] tickets=2 status=Some(200)",
        );
        check(
            &capture("nginx-tickets-second.txt"),
            "reused [TLSv1.3 TLS_AES_256_GCM_SHA384 X25519] tickets=1 status=Some(200)",
        );
        check(
            &capture("bext-no-tickets.txt"),
            "new [TLSv1.3 TLS_AES_256_GCM_SHA384 X25519 ECDSA] tickets=0 status=Some(200)",
        );
        check(
            &capture("nginx-no-tickets.txt"),
            "new [TLSv1.3 TLS_AES_256_GCM_SHA384 X25519 ECDSA] tickets=0 status=Some(200)",
        );
        // nginx with `ssl_session_tickets off` alone still sends (stateful) tickets, which
        // then resume nothing: why the full case also sets `NumTickets 0` (see `nginx.rs`).
        check(
            &capture("nginx-stateless-off-second.txt"),
            "new [TLSv1.3 TLS_AES_256_GCM_SHA384 X25519 ECDSA] tickets=2 status=Some(200)",
        );
    }

    #[test]
    fn refuses_output_without_a_handshake() {
        check(
            "CONNECTED(00000003)\n40F7:error:0A000126:SSL routines::unexpected eof\n",
            "error: no `New, ...` or `Reused, ...` line: no handshake",
        );
        check(
            "New, (NONE), Cipher is (NONE)\n",
            "error: no cipher agreed (\"(NONE), Cipher is (NONE)\"): the handshake failed",
        );
        check(
            "Reused, TLSv1.3 TLS_AES_256_GCM_SHA384\n",
            "error: unexpected session line \"TLSv1.3 TLS_AES_256_GCM_SHA384\"",
        );
    }
}
