//! Why a request head was refused, and the status that tells the client so.

/// A request head bext refuses. Each variant maps to one HTTP status; after any of them the
/// connection must be closed, because the framing of whatever follows can no longer be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestError {
    /// Method, target or version separators are malformed (400).
    InvalidRequestLine,
    /// The request-target's form does not fit the method, or its absolute form is malformed (400).
    InvalidTarget,
    /// A byte outside `token` in a field name, or a line that is not `name: value` (400).
    InvalidHeaderName,
    /// A control byte (NUL, bare CR, DEL, ...) in a field value (400).
    InvalidHeaderValue,
    /// A CR not followed by LF where a line should end (400).
    InvalidLineEnding,
    /// An LF not preceded by CR anywhere in the head (400): strict, against smuggling.
    BareLineFeed,
    /// A field line starting with SP or HTAB: obsolete line folding, RFC 9112 §5.2 (400).
    ObsoleteLineFolding,
    /// An HTTP/1.1 request without a Host field, RFC 9112 §3.2 (400).
    MissingHost,
    /// More than one Host field line (400).
    DuplicateHost,
    /// A Host value (or absolute-form authority) that is not `host[:port]` (400).
    InvalidHost,
    /// Content-Length is not a list of decimal digits, or overflows (400).
    InvalidContentLength,
    /// Content-Length values that disagree, RFC 9112 §6.3 (400).
    ConflictingContentLength,
    /// Both Content-Length and Transfer-Encoding: the classic smuggling vector (400).
    ContentLengthWithTransferEncoding,
    /// Transfer-Encoding whose final coding is not `chunked`, or `chunked` twice (400).
    ChunkedNotFinal,
    /// Transfer-Encoding in an HTTP/1.0 request, RFC 9112 §6.1 (400).
    TransferEncodingInHttp10,
    /// The request line is longer than `request_line_bytes_max` (414).
    RequestLineTooLong,
    /// The head is larger than `header_bytes_max` (431).
    HeadTooLarge,
    /// More field lines than `header_count_max` (431).
    TooManyHeaders,
    /// An `Expect` other than `100-continue`, RFC 9110 §10.1.1 (417).
    UnsupportedExpectation,
    /// A transfer coding other than `chunked` (501).
    UnsupportedTransferCoding,
    /// A well-formed HTTP version other than 1.0 and 1.1 (505).
    UnsupportedVersion,
    /// `HTTP/1.2` to `HTTP/1.9`: to be read as 1.1 (RFC 9110 §2.5) by a caller that can
    /// rewrite its buffer ([`super::rewrite_higher_minor_version`]); 505 for one that cannot.
    HigherMinorVersion,
}

impl RequestError {
    /// The status code of the response that reports this error.
    pub fn status(&self) -> u16 {
        match self {
            RequestError::InvalidRequestLine
            | RequestError::InvalidTarget
            | RequestError::InvalidHeaderName
            | RequestError::InvalidHeaderValue
            | RequestError::InvalidLineEnding
            | RequestError::BareLineFeed
            | RequestError::ObsoleteLineFolding
            | RequestError::MissingHost
            | RequestError::DuplicateHost
            | RequestError::InvalidHost
            | RequestError::InvalidContentLength
            | RequestError::ConflictingContentLength
            | RequestError::ContentLengthWithTransferEncoding
            | RequestError::ChunkedNotFinal
            | RequestError::TransferEncodingInHttp10 => 400,
            RequestError::RequestLineTooLong => 414,
            RequestError::HeadTooLarge | RequestError::TooManyHeaders => 431,
            RequestError::UnsupportedExpectation => 417,
            RequestError::UnsupportedTransferCoding => 501,
            RequestError::UnsupportedVersion | RequestError::HigherMinorVersion => 505,
        }
    }

    /// Short human text for logs.
    pub fn reason(&self) -> &'static str {
        match self {
            RequestError::InvalidRequestLine => "malformed request line",
            RequestError::InvalidTarget => "malformed request target",
            RequestError::InvalidHeaderName => "malformed header name",
            RequestError::InvalidHeaderValue => "invalid byte in header value",
            RequestError::InvalidLineEnding => "bare CR in line ending",
            RequestError::BareLineFeed => "bare LF in line ending",
            RequestError::ObsoleteLineFolding => "obsolete line folding",
            RequestError::MissingHost => "missing Host header",
            RequestError::DuplicateHost => "more than one Host header",
            RequestError::InvalidHost => "invalid Host",
            RequestError::InvalidContentLength => "invalid Content-Length",
            RequestError::ConflictingContentLength => "conflicting Content-Length values",
            RequestError::ContentLengthWithTransferEncoding => {
                "both Content-Length and Transfer-Encoding"
            }
            RequestError::ChunkedNotFinal => "chunked is not the final transfer coding",
            RequestError::TransferEncodingInHttp10 => "Transfer-Encoding in HTTP/1.0",
            RequestError::RequestLineTooLong => "request line too long",
            RequestError::HeadTooLarge => "request head too large",
            RequestError::TooManyHeaders => "too many headers",
            RequestError::UnsupportedExpectation => "unsupported expectation",
            RequestError::UnsupportedTransferCoding => "unsupported transfer coding",
            RequestError::UnsupportedVersion => "unsupported HTTP version",
            RequestError::HigherMinorVersion => "HTTP/1 minor version above 1",
        }
    }
}

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.reason(), self.status())
    }
}

impl std::error::Error for RequestError {}
