//! The check a server passes before a handshake case of `tls` is measured: that a client
//! coming back with a saved session gets the handshake the case claims to measure. Like the
//! curl check (`curl_check`) it runs against every server after it is ready and before any
//! load, and a server that fails it stops the scenario with a sentence saying why, instead of
//! numbers that measure something else.
//!
//! `openssl s_client` connects once saving the session (`-sess_out`), then again offering it
//! (`-sess_in`), each time sending a request over the connection so that tickets sent after
//! the handshake are read ([`crate::s_client`]). OpenSSL writes the session file only when the
//! server sent a ticket.
//!
//! - [`Handshakes::Resumed`] (`handshake-resumed`): the servers' defaults, session tickets on.
//!   The first connection must get a ticket, and the second must say `Reused`.
//! - [`Handshakes::Full`] (`handshake-full`): both servers started without tickets or a session
//!   cache. The first connection must get no ticket, and if it still left a session to offer,
//!   the second must say `New`: every handshake is then a full one (ECDHE and the
//!   certificate's signature), which is what wrk's reconnects get too.
//!
//! The first handshake is always a full one, with a certificate signature; the parameters it
//! negotiated (version, cipher suite, group, signature) are returned, so the scenario can show
//! that both servers did the same work.

use std::path::Path;

use crate::child::ServerProcess;
use crate::error::{Context, Error};
use crate::s_client::{self, Handshake, Session};
use crate::workdir::WorkDir;

/// The handshakes a case's new connections make, which decides how the servers are started
/// and what the check requires of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handshakes {
    /// Resumed with a TLS 1.3 session ticket from an earlier connection.
    Resumed,
    /// Full: neither server sends tickets or keeps a session cache.
    Full,
}

impl Handshakes {
    /// Whether the servers send TLS 1.3 session tickets (bext `tls_session_tickets`; nginx
    /// `ssl_session_tickets` and OpenSSL's `NumTickets`, see `nginx.rs`).
    pub fn session_tickets(self) -> bool {
        self == Handshakes::Resumed
    }
}

/// What the check saw, for the run's output and JSON.
pub struct Checked {
    /// The first (full) handshake's parameters, as [`Handshake::negotiated`] gives them.
    pub negotiated: String,
    /// What happened to the saved session, in a few words.
    pub outcome: &'static str,
}

/// Checks `server`'s TLS listener with two s_client connections fetching `path`, as
/// `expect` requires for the case named `case`. The session file goes in `workdir`.
pub fn check(
    openssl: &Path,
    server: &ServerProcess,
    path: &str,
    expect: Handshakes,
    case: &str,
    workdir: &WorkDir,
) -> Result<Checked, Error> {
    let name = server.name();
    let port = server.ports().tls.ok_or_else(|| {
        Error::run(format!(
            "internal: {name} was started without a TLS listener for {case}"
        ))
    })?;
    let session_file = workdir.path(&format!("session-{name}-{port}.pem"));
    remove_stale(&session_file)?;
    let first = s_client::connect(openssl, port, path, Session::SaveTo(&session_file))?;
    // OpenSSL writes the file only when the server sent a ticket.
    let saved = std::fs::metadata(&session_file).is_ok_and(|meta| meta.len() > 0);
    let second = if saved && first.status == Some(200) {
        Some(s_client::connect(
            openssl,
            port,
            path,
            Session::Offer(&session_file),
        )?)
    } else {
        None
    };
    let outcome = judge(name, case, expect, &first, second.as_ref()).map_err(Error::run)?;
    Ok(Checked {
        negotiated: first.negotiated(),
        outcome,
    })
}

/// What `expect` makes of the `first` connection and the `second` one, made when the first
/// left a session to offer: how it went, or why the case cannot be measured.
fn judge(
    name: &str,
    case: &str,
    expect: Handshakes,
    first: &Handshake,
    second: Option<&Handshake>,
) -> Result<&'static str, String> {
    answered(name, case, first)?;
    if first.resumed || first.signature.is_none() {
        return Err(format!(
            "{name}: openssl s_client's first connection in {case} was not a full handshake \
             (no session was offered, yet it reports {})",
            describe(first)
        ));
    }
    if let Some(second) = second {
        answered(name, case, second)?;
    }
    match (expect, second) {
        (Handshakes::Resumed, None) => Err(format!(
            "{name} sent openssl s_client no session ticket, so no session can be resumed: \
             {case} would measure full handshakes"
        )),
        (Handshakes::Resumed, Some(second)) if !second.resumed => Err(format!(
            "{name} did not resume the session it sent openssl s_client a ticket for \
             (-sess_out, then -sess_in: {}): {case} would measure full handshakes",
            describe(second)
        )),
        (Handshakes::Resumed, Some(_)) => Ok("resumed the saved session"),
        (Handshakes::Full, Some(second)) if second.resumed => Err(format!(
            "{name} resumed a saved TLS session (openssl s_client -sess_out, then -sess_in: \
             {}), though it was started without session tickets or a session cache: {case} \
             would measure resumed handshakes, not full ones",
            describe(second)
        )),
        (Handshakes::Full, _) if first.tickets > 0 => Err(format!(
            "{name} sent openssl s_client {} session ticket(s) in {case}, though it was \
             started without them: a client would offer them on its next connection, and the \
             server would spend time on tickets the case means it not to issue",
            first.tickets
        )),
        (Handshakes::Full, Some(_)) => Ok("did not resume the saved session"),
        (Handshakes::Full, None) => Ok("sent no session ticket"),
    }
}

/// A server that did not answer the request sent over the connection with 200.
fn answered(name: &str, case: &str, handshake: &Handshake) -> Result<(), String> {
    match handshake.status {
        Some(200) => Ok(()),
        Some(status) => Err(format!(
            "{name} answered openssl s_client's request in {case} with status {status}; \
             expected 200"
        )),
        None => Err(format!(
            "{name} sent openssl s_client no HTTP/1.1 answer in {case} ({})",
            describe(handshake)
        )),
    }
}

/// "Reused, TLSv1.3 TLS_AES_256_GCM_SHA384 X25519, 2 tickets".
fn describe(handshake: &Handshake) -> String {
    format!(
        "{}, {}, {} ticket(s)",
        if handshake.resumed { "Reused" } else { "New" },
        handshake.negotiated(),
        handshake.tickets
    )
}

/// A session file from an earlier check on the same port would be offered as if saved now.
fn remove_stale(file: &Path) -> Result<(), Error> {
    match std::fs::remove_file(file) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            Err(error).context(|| format!("removing {}", file.display()))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/s_client/");

    /// A captured s_client report (`bench/testdata/s_client/`), parsed.
    fn capture(name: &str) -> Handshake {
        let text = std::fs::read_to_string(format!("{DATA}{name}")).unwrap_or_default();
        match s_client::parse(&text) {
            Ok(handshake) => handshake,
            Err(error) => panic!("{name}: {error}"),
        }
    }

    fn check(expect: Handshakes, first: &str, second: Option<&str>, outcome: &str) {
        let first = capture(first);
        let second = second.map(capture);
        let actual = match judge("srv", "case", expect, &first, second.as_ref()) {
            Ok(outcome) => outcome.to_string(),
            Err(error) => format!("error: {error}"),
        };
        assert!(
            actual.starts_with(outcome),
            "expected {outcome:?}..., got {actual:?}"
        );
    }

    #[test]
    fn full_handshakes_need_servers_that_neither_send_tickets_nor_resume() {
        check(
            Handshakes::Full,
            "bext-no-tickets.txt",
            None,
            "sent no session ticket",
        );
        check(
            Handshakes::Full,
            "nginx-no-tickets.txt",
            None,
            "sent no session ticket",
        );
        check(
            Handshakes::Full,
            "bext-tickets-first.txt",
            Some("bext-tickets-second.txt"),
            "error: srv resumed a saved TLS session (openssl s_client -sess_out, then -sess_in: \
             Reused, TLSv1.3 TLS_AES_256_GCM_SHA384 X25519, 2 ticket(s))",
        );
        // nginx with `ssl_session_tickets off` alone: its tickets resume nothing, but they are
        // still sent (and offered by wrk on every reconnect).
        check(
            Handshakes::Full,
            "nginx-stateless-off-second.txt",
            Some("nginx-stateless-off-second.txt"),
            "error: srv sent openssl s_client 2 session ticket(s) in case",
        );
    }

    #[test]
    fn resumed_handshakes_need_servers_that_resume() {
        check(
            Handshakes::Resumed,
            "bext-tickets-first.txt",
            Some("bext-tickets-second.txt"),
            "resumed the saved session",
        );
        check(
            Handshakes::Resumed,
            "bext-no-tickets.txt",
            None,
            "error: srv sent openssl s_client no session ticket",
        );
        check(
            Handshakes::Resumed,
            "nginx-stateless-off-second.txt",
            Some("nginx-stateless-off-second.txt"),
            "error: srv did not resume the session",
        );
    }

    #[test]
    fn the_first_connection_is_a_full_handshake_with_an_answer() {
        check(
            Handshakes::Full,
            "bext-tickets-second.txt",
            None,
            "error: srv: openssl s_client's first connection in case was not a full handshake",
        );
        let mut not_found = capture("bext-no-tickets.txt");
        not_found.status = Some(404);
        assert_eq!(
            judge("srv", "case", Handshakes::Full, &not_found, None),
            Err(
                "srv answered openssl s_client's request in case with status 404; expected 200"
                    .to_string()
            )
        );
    }
}
