//! Request-head parsing: httparse finds the lines, this module decides what they mean.
//!
//! [`parse_request`] borrows everything from the read buffer and writes header slots into a
//! caller-provided [`HeaderStore`] that is never zeroed, so parsing a head costs no allocation
//! and no memset. Every limit is checked on partial input too, so a client cannot make the
//! server buffer more than `header_bytes_max` bytes while waiting for a head that never ends.

use std::mem::MaybeUninit;

use bext_core::limits;

use super::fields::scan_fields;
use super::request_error::RequestError;
use super::target::parse_target;

/// Bounds on one request head. `Default` gives the values in `bext_core::limits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest request line, without its line ending, before 414.
    pub request_line_bytes_max: usize,
    /// Most field lines before 431. Values above `limits::HEADER_COUNT_MAX` act as that value,
    /// since [`HeaderStore`] has no more slots.
    pub header_count_max: usize,
    /// Largest head (leading empty lines, request line, fields, final empty line) before 431.
    pub header_bytes_max: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            request_line_bytes_max: limits::REQUEST_LINE_BYTES_MAX,
            header_count_max: limits::HEADER_COUNT_MAX,
            header_bytes_max: limits::HEADER_BYTES_MAX,
        }
    }
}

/// Slots for the header fields of one head, left uninitialised until httparse fills them.
/// Lives on the parsing task's stack; about 3 KiB.
pub struct HeaderStore<'b> {
    slots: [MaybeUninit<httparse::Header<'b>>; limits::HEADER_COUNT_MAX],
}

impl<'b> HeaderStore<'b> {
    /// Free to create: the slots are not initialised.
    pub fn new() -> Self {
        HeaderStore {
            slots: [const { MaybeUninit::uninit() }; limits::HEADER_COUNT_MAX],
        }
    }
}

impl Default for HeaderStore<'_> {
    fn default() -> Self {
        Self::new()
    }
}

/// The outcome of parsing a buffer that may hold only the start of a head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parsed<T> {
    /// A whole head; the body or the next request starts at `head_len`.
    Complete { head: T, head_len: usize },
    /// More bytes are needed. The buffer so far is within every limit.
    Partial,
}

/// Request methods bext treats specially; everything else is `Other` (see
/// [`Request::method_bytes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Delete,
    Options,
    Patch,
    Trace,
    Connect,
    Other,
}

impl Method {
    /// Methods are case-sensitive (RFC 9110 §9.1): `get` is an unknown method, not GET.
    pub fn from_bytes(bytes: &[u8]) -> Method {
        match bytes {
            b"GET" => Method::Get,
            b"HEAD" => Method::Head,
            b"POST" => Method::Post,
            b"PUT" => Method::Put,
            b"DELETE" => Method::Delete,
            b"OPTIONS" => Method::Options,
            b"PATCH" => Method::Patch,
            b"TRACE" => Method::Trace,
            b"CONNECT" => Method::Connect,
            _ => Method::Other,
        }
    }

    /// Whether a request with this method may be sent again after a failure that may have
    /// reached the server (RFC 9110 §9.2.2).
    pub fn is_idempotent(self) -> bool {
        matches!(
            self,
            Method::Get
                | Method::Head
                | Method::Options
                | Method::Trace
                | Method::Put
                | Method::Delete
        )
    }
}

/// The HTTP versions bext speaks; others are refused with 505.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Http10,
    Http11,
}

/// How the request body is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// Neither Content-Length nor Transfer-Encoding: no body at all (RFC 9112 §6.3).
    None,
    /// Exactly this many bytes follow the head (may be 0).
    Length(u64),
    /// Chunked transfer coding until the last chunk.
    Chunked,
}

/// A parsed request head, borrowing from the read buffer (`'b`) and the header store (`'h`).
/// Built only by [`parse_request`], so every value in it has passed the checks there.
#[derive(Debug, Clone, Copy)]
pub struct Request<'b, 'h> {
    pub method: Method,
    pub version: Version,
    /// The origin path before any `?`: `/p` for `/p?q` and for `http://host/p?q`, `/` for
    /// `http://host`, `*` for `OPTIONS *`, the authority for CONNECT. Not percent-decoded.
    pub path: &'b [u8],
    /// What follows the first `?`, possibly empty; `None` when there is no `?`.
    pub query: Option<&'b [u8]>,
    /// The authority of an absolute-form target if there is one (RFC 9112 §3.2.2), else the
    /// Host value; `None` when neither names one.
    pub host: Option<&'b [u8]>,
    pub body: BodyKind,
    /// Whether the connection may carry another request after this one.
    pub keep_alive: bool,
    /// HTTP/1.1 `Expect: 100-continue`: send [`super::response::CONTINUE_100`] before reading
    /// the body, unless answering without it.
    pub expect_continue: bool,
    method_bytes: &'b [u8],
    /// The request-target as sent: `http://host/p?q` stays whole.
    target: &'b [u8],
    headers: &'h [httparse::Header<'b>],
}

impl<'b, 'h> Request<'b, 'h> {
    /// The method as sent, for `Method::Other` and for logs.
    pub fn method_bytes(&self) -> &'b [u8] {
        self.method_bytes
    }

    /// The request-target as sent (absolute form included), for the WAF's `REQUEST_LINE`.
    pub fn target(&self) -> &'b [u8] {
        self.target
    }

    /// The value of the first field named `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&'b [u8]> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
    }

    /// Every field line in order, as (name, value) with surrounding whitespace trimmed.
    pub fn headers(&self) -> impl ExactSizeIterator<Item = (&'b str, &'b [u8])> + use<'b, 'h> {
        self.headers.iter().map(|h| (h.name, h.value))
    }
}

/// Parses one request head from the start of `buf`.
///
/// `Partial` means wait for more bytes and call again with the longer buffer; the store may be
/// reused for that. On `Complete`, the next bytes (`&buf[head_len..]`) are the body, as framed
/// by `head.body`, or the next pipelined request. Any error must be answered with its status
/// and the connection closed.
pub fn parse_request<'b, 'h>(
    buf: &'b [u8],
    store: &'h mut HeaderStore<'b>,
    limits: &Limits,
) -> Result<Parsed<Request<'b, 'h>>, RequestError> {
    let slot_count = limits.header_count_max.min(store.slots.len());
    let mut raw = httparse::Request::new(&mut []);
    let head_len = match raw.parse_with_uninit_headers(buf, &mut store.slots[..slot_count]) {
        Ok(httparse::Status::Complete(head_len)) => head_len,
        Ok(httparse::Status::Partial) => return partial(buf, limits),
        Err(error) => return refine_error(buf, error, limits),
    };
    debug_assert!(head_len <= buf.len());

    let (Some(method_str), Some(target_str), Some(minor)) = (raw.method, raw.path, raw.version)
    else {
        // httparse fills all three before reporting a complete head.
        return Err(RequestError::InvalidRequestLine);
    };
    let (method_bytes, target) = (method_str.as_bytes(), target_str.as_bytes());
    if has_bare_lf(&buf[..head_len], target, raw.headers) {
        return Err(RequestError::BareLineFeed);
    }
    // The request line is `method SP target SP HTTP/x.y`; its length follows from its parts.
    let request_line_bytes = method_bytes.len() + 1 + target.len() + 1 + b"HTTP/1.1".len();
    if request_line_bytes > limits.request_line_bytes_max {
        return Err(RequestError::RequestLineTooLong);
    }
    if head_len > limits.header_bytes_max {
        return Err(RequestError::HeadTooLarge);
    }

    let version = if minor == 0 {
        Version::Http10
    } else {
        Version::Http11
    };
    let method = Method::from_bytes(method_bytes);
    let sent = target;
    let target = parse_target(method, target)?;
    let headers: &'h [httparse::Header<'b>] = raw.headers;
    let fields = scan_fields(headers, version)?;

    let head = Request {
        method,
        version,
        path: target.path,
        query: target.query,
        host: target.authority.or(fields.host),
        body: fields.body,
        keep_alive: fields.keep_alive,
        expect_continue: fields.expect_continue,
        method_bytes,
        target: sent,
        headers,
    };
    Ok(Parsed::Complete { head, head_len })
}

/// Whether some line of `head` ends in a bare LF. httparse accepts both endings and tells us
/// where each line's content ends, so only the byte after each line is looked at (one compare
/// per line, no scan of the head): after the empty lines before the request line, after the
/// request line's version, after each field's value (past trailing whitespace, which httparse
/// trims from the value), and the final empty line.
fn has_bare_lf(head: &[u8], target: &[u8], fields: &[httparse::Header<'_>]) -> bool {
    let base = head.as_ptr() as usize;
    // Where a line whose content ends at byte `end` is ended: true if by a bare LF.
    let bare_after = |mut end: usize| {
        while matches!(head.get(end), Some(b' ' | b'\t')) {
            end += 1;
        }
        head.get(end) != Some(&b'\r')
    };
    let leading = head.len() - skip_empty_lines(head).len();
    if head[..leading].iter().filter(|&&b| b == b'\n').count()
        != head[..leading].iter().filter(|&&b| b == b'\r').count()
    {
        return true;
    }
    // `method SP target SP HTTP/1.x` then the line ending.
    let target_end = (target.as_ptr() as usize).wrapping_sub(base) + target.len();
    if bare_after(target_end + 1 + b"HTTP/1.1".len()) {
        return true;
    }
    for field in fields {
        let value_end = (field.value.as_ptr() as usize).wrapping_sub(base) + field.value.len();
        if bare_after(value_end) {
            return true;
        }
    }
    // The empty line that ends the head.
    head.len() < 2 || head[head.len() - 2] != b'\r'
}

/// Rewrites the request line's `HTTP/1.D` (D in 2..=9) to `HTTP/1.1` in place, so that a
/// higher minor version is served as 1.1 (RFC 9110 §2.5). True if it rewrote anything. A
/// caller that owns its read buffer calls it when [`parse_request`] says
/// [`RequestError::HigherMinorVersion`], then parses again.
pub fn rewrite_higher_minor_version(buf: &mut [u8]) -> bool {
    let start = buf.len() - skip_empty_lines(buf).len();
    let Some(lf) = buf[start..].iter().position(|&b| b == b'\n') else {
        return false;
    };
    let mut end = start + lf;
    if end > start && buf[end - 1] == b'\r' {
        end -= 1;
    }
    let line = &buf[start..end];
    let Some(version) = line
        .len()
        .checked_sub(b" HTTP/1.2".len())
        .map(|at| &line[at..])
    else {
        return false;
    };
    if !(version.starts_with(b" HTTP/1.") && (b'2'..=b'9').contains(&version[8])) {
        return false;
    }
    buf[end - 1] = b'1';
    true
}

/// httparse found no error in an incomplete head; refuse it anyway if it has already outgrown a
/// limit, so a slow or endless head costs at most `header_bytes_max` bytes of buffer.
fn partial<T>(buf: &[u8], limits: &Limits) -> Result<Parsed<T>, RequestError> {
    // Cheap gate first: a buffer within the line limit cannot hold an over-long line.
    if buf.len() > limits.request_line_bytes_max
        && request_line_len(buf) > limits.request_line_bytes_max
    {
        return Err(RequestError::RequestLineTooLong);
    }
    // The head is not complete within these bytes, so it will be longer than them.
    if buf.len() >= limits.header_bytes_max {
        return Err(RequestError::HeadTooLarge);
    }
    Ok(Parsed::Partial)
}

/// Length of the request line after any leading empty lines, without its line ending; when the
/// line has not ended yet, a lower bound.
fn request_line_len(buf: &[u8]) -> usize {
    let line = skip_empty_lines(buf);
    match line.iter().position(|&b| b == b'\n') {
        Some(lf) if lf > 0 && line[lf - 1] == b'\r' => lf - 1,
        Some(lf) => lf,
        // A final CR may be the start of the line ending.
        None if line.last() == Some(&b'\r') => line.len() - 1,
        None => line.len(),
    }
}

/// RFC 9112 §2.2 lets a server ignore empty lines before the request line, as httparse does.
fn skip_empty_lines(mut buf: &[u8]) -> &[u8] {
    loop {
        buf = match buf {
            [b'\r', b'\n', rest @ ..] | [b'\n', rest @ ..] => rest,
            _ => return buf,
        }
    }
}

/// Turns httparse's coarse error into the precise refusal. Runs only for bad requests, so it may
/// look at the buffer again.
#[cold]
fn refine_error<T>(
    buf: &[u8],
    error: httparse::Error,
    limits: &Limits,
) -> Result<Parsed<T>, RequestError> {
    match error {
        httparse::Error::Version => version_error(buf, limits),
        httparse::Error::HeaderName => Err(header_line_error(buf)),
        httparse::Error::HeaderValue => Err(RequestError::InvalidHeaderValue),
        httparse::Error::NewLine => Err(RequestError::InvalidLineEnding),
        // Only possible when every slot is full: there is one more field than allowed.
        httparse::Error::TooManyHeaders => Err(RequestError::TooManyHeaders),
        httparse::Error::Token | httparse::Error::Status => Err(RequestError::InvalidRequestLine),
    }
}

/// httparse knows only 1.0 and 1.1. A higher minor version of HTTP/1 (`HTTP/1.2`) is to be read
/// as 1.1; a version that is well-formed but different (`HTTP/2.0`, the HTTP/2 preface's
/// `PRI * HTTP/2.0`) gets 505; garbage gets 400; and a version still arriving that could yet
/// become well-formed (`HTTP/2`) is waited for.
fn version_error<T>(buf: &[u8], limits: &Limits) -> Result<Parsed<T>, RequestError> {
    let line = skip_empty_lines(buf);
    let (line, complete) = match line.iter().position(|&b| b == b'\n') {
        Some(lf) => (line[..lf].strip_suffix(b"\r").unwrap_or(&line[..lf]), true),
        // A final CR may be the start of the line ending.
        None => (line.strip_suffix(b"\r").unwrap_or(line), false),
    };
    // `method SP target SP version`: a space inside the target leaves a third part with spaces.
    let Some(version) = line.splitn(3, |&b| b == b' ').nth(2) else {
        return Err(RequestError::InvalidRequestLine);
    };
    const PATTERN_LEN: usize = b"HTTP/1.1".len();
    let shape_ok = version.len() <= PATTERN_LEN
        && version.iter().enumerate().all(|(i, &b)| match i {
            0..=4 => b == b"HTTP/"[i],
            5 | 7 => b.is_ascii_digit(),
            _ => b == b'.',
        });
    match (shape_ok, complete) {
        (true, true) if version.len() == PATTERN_LEN && version.starts_with(b"HTTP/1.") => {
            // 1.0 and 1.1 never get here (httparse takes them): the minor is 2 to 9.
            Err(RequestError::HigherMinorVersion)
        }
        (true, true) if version.len() == PATTERN_LEN => Err(RequestError::UnsupportedVersion),
        (true, false) => partial(buf, limits),
        _ => Err(RequestError::InvalidRequestLine),
    }
}

/// httparse reports obs-fold as a bad header name; find out which it was, for the log.
fn header_line_error(buf: &[u8]) -> RequestError {
    let lines = skip_empty_lines(buf).split(|&b| b == b'\n').skip(1);
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            return RequestError::ObsoleteLineFolding;
        }
        let name_ok = line
            .iter()
            .position(|&b| b == b':')
            .is_some_and(|colon| colon > 0 && line[..colon].iter().all(|&b| is_tchar(b)));
        if !name_ok {
            break;
        }
    }
    RequestError::InvalidHeaderName
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
