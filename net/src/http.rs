//! The protocol-neutral vocabulary of a request: which HTTP it came over.
//!
//! [`crate::Method`] is the codec's method type (defined with the HTTP/1.1 parser that reads it
//! most; HTTP/2 and HTTP/3 map their `:method` onto the same enum).

/// The protocol a request arrived over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Http10,
    Http11,
    Http2,
    Http3,
}

impl Version {
    /// As a `Via` field names the protocol a message was received with (RFC 9110 §7.6.3).
    pub fn via(self) -> &'static str {
        match self {
            Version::Http10 => "1.0",
            Version::Http11 => "1.1",
            Version::Http2 => "2",
            Version::Http3 => "3",
        }
    }

    /// As written in an access log's request line.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
            Version::Http2 => "HTTP/2.0",
            Version::Http3 => "HTTP/3.0",
        }
    }
}

impl From<crate::h1::Version> for Version {
    fn from(version: crate::h1::Version) -> Version {
        match version {
            crate::h1::Version::Http10 => Version::Http10,
            crate::h1::Version::Http11 => Version::Http11,
        }
    }
}
