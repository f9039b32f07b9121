//! The header fields that decide framing and connection handling, read in one pass.
//!
//! Only five names matter to the codec: Host, Content-Length, Transfer-Encoding, Connection and
//! Expect. Each field is looked at once, dispatched on the name's length before any comparison,
//! so the common request with a dozen browser headers costs a dozen length checks.
//!
//! Where RFC 9112 gives a choice between repairing and refusing a message whose framing is
//! ambiguous, this module refuses: bext may sit behind (or in front of) other HTTP software, and
//! any message two parsers could frame differently is a request-smuggling vector.

use bext_core::field::trim_ows;

use super::request::{BodyKind, Version};
use super::request_error::RequestError;
use super::target::is_valid_host;

/// What the framing-relevant fields of one request head say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fields<'b> {
    /// The Host value; `None` when absent or empty.
    pub(crate) host: Option<&'b [u8]>,
    pub(crate) body: BodyKind,
    pub(crate) keep_alive: bool,
    pub(crate) expect_continue: bool,
}

/// Reads the framing fields of `headers` in one pass and checks them against each other.
pub(crate) fn scan_fields<'b>(
    headers: &[httparse::Header<'b>],
    version: Version,
) -> Result<Fields<'b>, RequestError> {
    let mut host_count = 0u32;
    let mut host = None;
    let mut content_length: Option<u64> = None;
    let mut coding = Codings::default();
    let mut connection = ConnectionTokens::default();
    let mut expect_continue = false;

    for header in headers {
        let name = header.name.as_bytes();
        let value = header.value;
        match name.len() {
            4 if name.eq_ignore_ascii_case(b"host") => {
                host_count += 1;
                host = Some(value);
            }
            6 if name.eq_ignore_ascii_case(b"expect") => {
                for expectation in list_elements(value) {
                    if !expectation.eq_ignore_ascii_case(b"100-continue") {
                        return Err(RequestError::UnsupportedExpectation);
                    }
                    expect_continue = true;
                }
            }
            10 if name.eq_ignore_ascii_case(b"connection") => connection.add(value),
            14 if name.eq_ignore_ascii_case(b"content-length") => {
                let length = parse_content_length(value)?;
                if content_length.is_some_and(|seen| seen != length) {
                    return Err(RequestError::ConflictingContentLength);
                }
                content_length = Some(length);
            }
            17 if name.eq_ignore_ascii_case(b"transfer-encoding") => coding.add(value)?,
            _ => {}
        }
    }

    if host_count > 1 {
        return Err(RequestError::DuplicateHost);
    }
    if version == Version::Http11 && host_count == 0 {
        return Err(RequestError::MissingHost);
    }
    if let Some(value) = host
        && !is_valid_host(value)
    {
        return Err(RequestError::InvalidHost);
    }
    let body = match (content_length, coding.seen) {
        (None, false) => BodyKind::None,
        (Some(length), false) => BodyKind::Length(length),
        (None, true) => coding.body(version)?,
        (Some(_), true) => {
            // An HTTP/1.0 peer cannot have meant Transfer-Encoding; report that first.
            coding.body(version)?;
            return Err(RequestError::ContentLengthWithTransferEncoding);
        }
    };
    let keep_alive = match version {
        Version::Http11 => !connection.close,
        Version::Http10 => connection.keep_alive && !connection.close,
    };
    Ok(Fields {
        host: host.filter(|value| !value.is_empty()),
        body,
        keep_alive,
        // RFC 9110 §10.1.1: a 100-continue expectation in HTTP/1.0 must be ignored.
        expect_continue: expect_continue && version == Version::Http11,
    })
}

/// `Content-Length = 1*DIGIT`. A list of identical values (`42, 42`, what some proxies produce
/// when merging duplicates) is accepted as RFC 9112 §6.3 allows; anything else, including an
/// empty element, a sign or a value past `u64::MAX`, is refused.
fn parse_content_length(value: &[u8]) -> Result<u64, RequestError> {
    let mut length = None;
    for element in value.split(|&b| b == b',') {
        let digits = trim_ows(element);
        if digits.is_empty() {
            return Err(RequestError::InvalidContentLength);
        }
        let mut n: u64 = 0;
        for &b in digits {
            if !b.is_ascii_digit() {
                return Err(RequestError::InvalidContentLength);
            }
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(b - b'0')))
                .ok_or(RequestError::InvalidContentLength)?;
        }
        if length.is_some_and(|seen| seen != n) {
            return Err(RequestError::ConflictingContentLength);
        }
        length = Some(n);
    }
    length.ok_or(RequestError::InvalidContentLength)
}

/// The transfer codings named so far, across every Transfer-Encoding line in order.
#[derive(Default)]
struct Codings {
    seen: bool,
    chunked_last: bool,
    other: bool,
}

impl Codings {
    fn add(&mut self, value: &[u8]) -> Result<(), RequestError> {
        self.seen = true;
        for coding in list_elements(value) {
            // Anything after chunked means chunked was not final, and chunked twice is forbidden
            // (RFC 9112 §7): either way the body's end cannot be found.
            if self.chunked_last {
                return Err(RequestError::ChunkedNotFinal);
            }
            if coding.eq_ignore_ascii_case(b"chunked") {
                self.chunked_last = true;
            } else {
                self.other = true;
            }
        }
        Ok(())
    }

    /// The body framing these codings give, checked in the order RFC 9112 §6.1 and §6.3 rank
    /// the failures: an HTTP/1.0 sender, then chunked not final (400), then an unknown coding
    /// (501).
    fn body(&self, version: Version) -> Result<BodyKind, RequestError> {
        if version == Version::Http10 {
            return Err(RequestError::TransferEncodingInHttp10);
        }
        if !self.chunked_last {
            return Err(RequestError::ChunkedNotFinal);
        }
        if self.other {
            return Err(RequestError::UnsupportedTransferCoding);
        }
        Ok(BodyKind::Chunked)
    }
}

/// The Connection options bext acts on; others (`upgrade`, hop-by-hop names) are ignored here.
#[derive(Default)]
struct ConnectionTokens {
    close: bool,
    keep_alive: bool,
}

impl ConnectionTokens {
    fn add(&mut self, value: &[u8]) {
        for token in list_elements(value) {
            if token.eq_ignore_ascii_case(b"close") {
                self.close = true;
            } else if token.eq_ignore_ascii_case(b"keep-alive") {
                self.keep_alive = true;
            }
        }
    }
}

/// The non-empty elements of a `#rule` list (RFC 9110 §5.6.1), with optional whitespace trimmed.
fn list_elements(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|&b| b == b',')
        .map(trim_ows)
        .filter(|element| !element.is_empty())
}
