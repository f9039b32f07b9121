//! ACME's decisions: which challenge answers a request, when a certificate is due for
//! renewal, where an account and a certificate are kept. The protocol itself (accounts,
//! orders, JWS) is the ACME thread's, in `bext-acme`; this is what shards and that thread
//! agree on, with no I/O and no clock (`now` is handed in).

use std::path::{Path, PathBuf};

use crate::limits::{ACME_RENEW_BEFORE_SECS, ACME_TOKEN_BYTES_MAX};

/// The path prefix of HTTP-01 answers (RFC 8555 §8.3).
pub const HTTP01_PREFIX: &[u8] = b"/.well-known/acme-challenge/";

/// The ALPN protocol of TLS-ALPN-01 (RFC 8737 §6.2).
pub const TLS_ALPN01_PROTOCOL: &[u8] = b"acme-tls/1";

/// The challenges open now, as one immutable set: the ACME thread makes a new one on each
/// change and every shard swaps it in whole.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Challenges {
    /// HTTP-01: token to key authorization.
    pub http: Vec<(String, String)>,
    /// TLS-ALPN-01: the certificate to show a validator that asks for `host`.
    pub tls_alpn: Vec<TlsAlpnChallenge>,
}

/// A TLS-ALPN-01 answer: a self-signed certificate for `host` carrying the key
/// authorization's digest in its `acmeIdentifier` extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsAlpnChallenge {
    /// Lower case, no trailing dot.
    pub host: String,
    pub cert_der: Vec<u8>,
    /// PKCS#8.
    pub key_der: Vec<u8>,
}

impl Challenges {
    pub fn is_empty(&self) -> bool {
        self.http.is_empty() && self.tls_alpn.is_empty()
    }

    /// The key authorization to answer `path` with, if it asks for an open HTTP-01 token.
    pub fn http_answer(&self, path: &[u8]) -> Option<&str> {
        let token = path.strip_prefix(HTTP01_PREFIX)?;
        self.http
            .iter()
            .find(|(t, _)| t.as_bytes() == token)
            .map(|(_, answer)| answer.as_str())
    }

    /// The TLS-ALPN-01 certificate for `host`, if one is open.
    pub fn tls_alpn_for(&self, host: &str) -> Option<&TlsAlpnChallenge> {
        let host = host.trim_end_matches('.');
        self.tls_alpn
            .iter()
            .find(|c| c.host.eq_ignore_ascii_case(host))
    }
}

/// Whether `token` is a token bext would serve: base64url characters only (RFC 8555 §8.3:
/// anything else cannot be a path segment as given), not empty, bounded.
pub fn is_token(token: &str) -> bool {
    !token.is_empty()
        && token.len() <= ACME_TOKEN_BYTES_MAX
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// When a certificate valid from `not_before` to `not_after` (Unix seconds) should be
/// renewed: `ACME_RENEW_BEFORE_SECS` before it ends, or with a third of its lifetime left
/// when that comes first (a short-lived certificate is renewed before it is nearly over).
pub fn renew_at(not_before: i64, not_after: i64) -> i64 {
    let lifetime = (not_after - not_before).max(0);
    not_after - ACME_RENEW_BEFORE_SECS.min(lifetime / 3)
}

/// Why a site needs a new certificate, if it does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Due {
    /// None is stored.
    Missing,
    /// The stored one does not name these hosts.
    NamesChanged(Vec<String>),
    /// The stored one is in its renewal window (or past its end).
    Renewal,
}

/// What a stored certificate says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// DNS names of its subjectAltName, lower case.
    pub names: Vec<String>,
    pub not_before: i64,
    pub not_after: i64,
}

/// Whether the site with `hosts` needs an order now (`None`: not before
/// [`renew_at`] of `stored`).
pub fn due(stored: Option<&Stored>, hosts: &[String], now: i64) -> Option<Due> {
    let Some(stored) = stored else {
        return Some(Due::Missing);
    };
    let missing: Vec<String> = hosts
        .iter()
        .filter(|h| !stored.names.iter().any(|n| n.eq_ignore_ascii_case(h)))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Some(Due::NamesChanged(missing));
    }
    (now >= renew_at(stored.not_before, stored.not_after)).then_some(Due::Renewal)
}

/// The folder a site's certificate and key are kept in: one per first host, beneath the
/// storage folder.
pub fn cert_dir(storage: &Path, hosts: &[String]) -> PathBuf {
    storage.join(file_name(hosts.first().map_or("default", String::as_str)))
}

/// The file the account for `directory` is kept in: one account per CA.
pub fn account_file(storage: &Path, directory: &str) -> PathBuf {
    let name = directory
        .strip_prefix("https://")
        .unwrap_or(directory)
        .trim_end_matches('/');
    storage.join(format!("account-{}.json", file_name(name)))
}

/// `text` as one file name: anything but letters, digits, `.`, `-` becomes `_` (and a
/// leading `.` too, so the name is neither hidden nor `..`).
fn file_name(text: &str) -> String {
    let mut name: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.starts_with('.') {
        name.replace_range(0..1, "_");
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 24 * 60 * 60;

    #[test]
    fn renewal_window() {
        // (lifetime in seconds, seconds before the end that renewal starts)
        let cases = [(90 * DAY, 30 * DAY), (6 * DAY, 2 * DAY), (30, 10), (0, 0)];
        for (lifetime, before) in cases {
            assert_eq!(
                renew_at(1_000, 1_000 + lifetime),
                1_000 + lifetime - before,
                "{lifetime}"
            );
        }
    }

    #[test]
    fn due_decisions() {
        let hosts = vec![String::from("a.example"), String::from("b.example")];
        let stored = Stored {
            names: vec![String::from("a.example"), String::from("B.example")],
            not_before: 0,
            not_after: 90 * DAY,
        };
        assert_eq!(due(None, &hosts, 0), Some(Due::Missing));
        assert_eq!(due(Some(&stored), &hosts, 59 * DAY), None);
        assert_eq!(due(Some(&stored), &hosts, 60 * DAY), Some(Due::Renewal));
        assert_eq!(due(Some(&stored), &hosts, 100 * DAY), Some(Due::Renewal));
        let more = vec![String::from("a.example"), String::from("c.example")];
        assert_eq!(
            due(Some(&stored), &more, 0),
            Some(Due::NamesChanged(vec![String::from("c.example")]))
        );
    }

    #[test]
    fn answers() {
        let challenges = Challenges {
            http: vec![(String::from("tok_en-1"), String::from("tok_en-1.thumb"))],
            tls_alpn: vec![TlsAlpnChallenge {
                host: String::from("a.example"),
                cert_der: vec![1],
                key_der: vec![2],
            }],
        };
        assert_eq!(
            challenges.http_answer(b"/.well-known/acme-challenge/tok_en-1"),
            Some("tok_en-1.thumb")
        );
        assert_eq!(
            challenges.http_answer(b"/.well-known/acme-challenge/tok"),
            None
        );
        assert_eq!(challenges.http_answer(b"/tok_en-1"), None);
        assert!(challenges.tls_alpn_for("A.example.").is_some());
        assert!(challenges.tls_alpn_for("b.example").is_none());
        for (token, ok) in [
            ("abc-_09", true),
            ("", false),
            ("a/b", false),
            ("a.b", false),
        ] {
            assert_eq!(is_token(token), ok, "{token}");
        }
        assert!(!is_token(&"a".repeat(ACME_TOKEN_BYTES_MAX + 1)));
    }

    #[test]
    fn storage_names() {
        let storage = Path::new("/s");
        assert_eq!(
            cert_dir(storage, &[String::from("a.example")]),
            Path::new("/s/a.example")
        );
        assert_eq!(
            account_file(storage, "https://acme-v02.api.letsencrypt.org/directory"),
            Path::new("/s/account-acme-v02.api.letsencrypt.org_directory.json")
        );
        assert_eq!(
            account_file(storage, "https://127.0.0.1:1/dir/"),
            Path::new("/s/account-127.0.0.1_1_dir.json")
        );
        assert_eq!(cert_dir(storage, &[String::from("..")]), Path::new("/s/_."));
    }
}
