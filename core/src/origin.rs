//! The server an absolute URL names (`scheme://host:port`), for rewrites to other servers:
//! the proxy looks the origin up among the upstreams it knows and forwards the URL's path
//! and query.
//!
//! Only `http` and `https` URLs name an origin. A URL with credentials (`user@host`), an
//! empty or malformed host, or a port out of range names none: such a rewrite is refused
//! rather than guessed at.

/// A scheme, host and port.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    /// `https`.
    pub tls: bool,
    /// Lowercase; an IPv6 address without its brackets.
    pub host: String,
    pub port: u16,
}

impl Origin {
    /// `scheme://authority`, as a URL would say it.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", authority(&self.host, self.port, self.tls))
    }
}

/// `host[:port]` for a `Host` field: the port left out when it is the scheme's, an IPv6
/// address in brackets.
pub fn authority(host: &str, port: u16, tls: bool) -> String {
    let default = if tls { 443 } else { 80 };
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    if port == default {
        host
    } else {
        format!("{host}:{port}")
    }
}

/// The origin of an absolute `http(s)` URL and its request-target (path and query, `/` when
/// there is no path; the fragment left out).
pub fn split_url(url: &str) -> Option<(Origin, String)> {
    let (tls, rest) = if let Some(rest) = strip_prefix_ignore_case(url, "https://") {
        (true, rest)
    } else {
        (false, strip_prefix_ignore_case(url, "http://")?)
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, target) = rest.split_at(end);
    if authority.contains('@') {
        return None;
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']')?;
            host.parse::<std::net::Ipv6Addr>().ok()?;
            (host, after.strip_prefix(':'))
        }
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let host_ok = !host.is_empty()
        && (host.contains(':')
            || host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'));
    if !host_ok {
        return None;
    }
    let port = match port {
        None => {
            if tls {
                443
            } else {
                80
            }
        }
        Some(text) => text.parse::<u16>().ok().filter(|&p| p != 0)?,
    };
    let target = target.split('#').next().unwrap_or_default();
    let target = match target.as_bytes().first() {
        Some(b'/') => target.to_owned(),
        Some(_) => format!("/{target}"),
        None => "/".to_owned(),
    };
    Some((
        Origin {
            tls,
            host: host.to_ascii_lowercase(),
            port,
        },
        target,
    ))
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_origin_and_target() {
        /// `https`, host, port, target.
        type Split<'a> = (bool, &'a str, u16, &'a str);
        let cases: &[(&str, Option<Split<'_>>)] = &[
            (
                "https://old.test/a/b",
                Some((true, "old.test", 443, "/a/b")),
            ),
            (
                "http://API.Example:8080/x?y=1#top",
                Some((false, "api.example", 8080, "/x?y=1")),
            ),
            ("HTTP://h", Some((false, "h", 80, "/"))),
            ("http://h?q", Some((false, "h", 80, "/?q"))),
            ("http://[::1]:81/p", Some((false, "::1", 81, "/p"))),
            ("https://10.0.0.5/", Some((true, "10.0.0.5", 443, "/"))),
            ("ftp://h/x", None),
            ("/relative", None),
            ("http://user:pw@h/x", None),
            ("http:///x", None),
            ("http://h:0/", None),
            ("http://h:99999/", None),
            ("http://[nope]/", None),
            ("http://a_b/", None),
        ];
        for (url, want) in cases {
            let got = split_url(url);
            let got = got
                .as_ref()
                .map(|(o, t)| (o.tls, o.host.as_str(), o.port, t.as_str()));
            assert_eq!(got, *want, "{url}");
        }
    }

    #[test]
    fn authorities_leave_out_the_scheme_port() {
        assert_eq!(authority("a.test", 443, true), "a.test");
        assert_eq!(authority("a.test", 443, false), "a.test:443");
        assert_eq!(authority("a.test", 80, false), "a.test");
        assert_eq!(authority("::1", 8080, false), "[::1]:8080");
        let origin = Origin {
            tls: true,
            host: "a.test".into(),
            port: 8443,
        };
        assert_eq!(origin.url(), "https://a.test:8443");
    }
}
