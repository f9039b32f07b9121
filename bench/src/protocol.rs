//! What a load speaks to a server and on which of its listeners: HTTP/1.1 in cleartext
//! (every scenario before `tls`), HTTP/1.1 over TLS (`tls`), HTTP/2 over TLS chosen by ALPN
//! and HTTP/2 with prior knowledge in cleartext, h2c (`h2`), and HTTP/3 over QUIC on the
//! HTTPS port's number over UDP (`h3`).

use crate::child::{Ports, ServerProcess};
use crate::error::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Http1,
    Https1,
    H2,
    H2c,
    H3,
}

impl Protocol {
    /// For messages and the JSON's settings.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Http1 => "HTTP/1.1",
            Protocol::Https1 => "HTTP/1.1 over TLS",
            Protocol::H2 => "HTTP/2 over TLS (ALPN h2)",
            Protocol::H2c => "HTTP/2 with prior knowledge (h2c)",
            Protocol::H3 => "HTTP/3 over QUIC",
        }
    }

    pub fn is_tls(self) -> bool {
        matches!(self, Protocol::Https1 | Protocol::H2 | Protocol::H3)
    }

    pub fn is_http3(self) -> bool {
        self == Protocol::H3
    }

    pub fn is_http2(self) -> bool {
        matches!(self, Protocol::H2 | Protocol::H2c)
    }

    /// The URL of `path` on the listener of `ports` that speaks this protocol; `None` if the
    /// server was not started with one.
    pub fn url(self, ports: Ports, path: &str) -> Option<String> {
        let (scheme, port) = match self {
            Protocol::Http1 => ("http", Some(ports.http)),
            // HTTP/3 is served on the HTTPS port's number, over UDP.
            Protocol::Https1 | Protocol::H2 | Protocol::H3 => ("https", ports.tls),
            Protocol::H2c => ("http", ports.h2c),
        };
        port.map(|port| format!("{scheme}://127.0.0.1:{port}{path}"))
    }

    /// `url` on `server`'s ports; an error if it was started without that listener.
    pub fn url_on(self, server: &ServerProcess, path: &str) -> Result<String, Error> {
        self.url(server.ports(), path).ok_or_else(|| {
            Error::run(format!(
                "internal: {} was started without a listener for {}",
                server.name(),
                self.name()
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_protocol_has_its_listener() {
        let all = Ports {
            http: 80,
            tls: Some(443),
            h2c: Some(81),
        };
        let url = |protocol: Protocol, ports| protocol.url(ports, "/small.txt");
        assert_eq!(
            url(Protocol::Http1, all).as_deref(),
            Some("http://127.0.0.1:80/small.txt")
        );
        assert_eq!(
            url(Protocol::Https1, all).as_deref(),
            Some("https://127.0.0.1:443/small.txt")
        );
        assert_eq!(
            url(Protocol::H2, all).as_deref(),
            Some("https://127.0.0.1:443/small.txt")
        );
        assert_eq!(
            url(Protocol::H2c, all).as_deref(),
            Some("http://127.0.0.1:81/small.txt")
        );
        assert_eq!(url(Protocol::H2, Ports::http(80)), None);
        assert_eq!(url(Protocol::H2c, Ports::http(80)), None);
    }
}
