//! Response-head encoding into the connection's output buffer.
//!
//! Writers append to a `Vec<u8>` that the connection reuses, so once it has grown to its
//! working size no response allocates. Status lines are static, numbers go through `itoa` on the
//! stack, and [`write_error_response`] reserves its whole size once up front.
//!
//! Responses are always `HTTP/1.1` (RFC 9110 §6.2: a server sends its own highest minor version,
//! also to HTTP/1.0 clients). Field names are written lowercase, which costs nothing and is what
//! HTTP/2 and HTTP/3 require anyway.

use super::date::DateCache;
use super::status::{code_and_reason, status_line};

/// The interim response sent before reading a body the client is waiting to send.
pub const CONTINUE_100: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// A status outside 100..=999 is a programmer error: asserted in debug builds, sent as 500.
fn three_digit_status(status: u16) -> u16 {
    debug_assert!(
        (100..=999).contains(&status),
        "status {status} is not three digits"
    );
    if (100..=999).contains(&status) {
        status
    } else {
        500
    }
}

/// Appends `HTTP/1.1 NNN Reason\r\n`. An unknown status gets an empty reason, as RFC 9112 §4
/// allows. Statuses outside 100..=999 are programmer errors and are sent as 500.
pub fn write_status_line(out: &mut Vec<u8>, status: u16) {
    if let Some(line) = status_line(status) {
        out.extend_from_slice(line);
        return;
    }
    let status = three_digit_status(status);
    out.extend_from_slice(b"HTTP/1.1 ");
    out.extend_from_slice(&three_digits(status));
    out.extend_from_slice(b" \r\n");
}

/// Appends `name: value\r\n`. Both must already be valid field bytes: a CR or LF in them would
/// let whoever chose the value inject headers, so callers build them from validated types.
pub fn write_header(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    debug_assert!(!name.is_empty() && !name.iter().any(|&b| b <= b' ' || b == b':'));
    debug_assert!(!value.iter().any(|&b| b == b'\r' || b == b'\n' || b == 0));
    out.reserve(name.len() + value.len() + 4);
    out.extend_from_slice(name);
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}

/// Appends `content-length: n\r\n`.
pub fn write_content_length(out: &mut Vec<u8>, n: u64) {
    let mut digits = itoa::Buffer::new();
    write_header(out, b"content-length", digits.format(n).as_bytes());
}

const ERROR_BODY_START: &[u8] = b"<!DOCTYPE html>\n<html><head><title>";
const ERROR_BODY_MIDDLE: &[u8] = b"</title></head><body><h1>";
const ERROR_BODY_END: &[u8] = b"</h1><hr>bext</body></html>\n";
const SERVER: &[u8] = b"server: bext\r\n";
const CONTENT_TYPE_HTML: &[u8] = b"content-type: text/html; charset=utf-8\r\n";
const CONNECTION_CLOSE: &[u8] = b"connection: close\r\n";

/// Appends a complete response for `status` with a tiny HTML page naming it. With `head_only`
/// (a HEAD request) the page is announced but not sent. Without `keep_alive` the response says
/// `connection: close`, and the caller must close once it is written. The statuses that cannot
/// have a body (1xx, 204, 304) get neither page nor content-length.
///
/// The response never says `connection: keep-alive`, so an HTTP/1.0 client will expect the
/// connection to close; pass `keep_alive: false` for those.
pub fn write_error_response(
    out: &mut Vec<u8>,
    status: u16,
    date: &DateCache,
    keep_alive: bool,
    head_only: bool,
) {
    let status = three_digit_status(status);
    let digits = three_digits(status);
    let text: &[u8] = match status_line(status) {
        Some(line) => code_and_reason(line),
        None => &digits,
    };
    let has_body = !(status < 200 || status == 204 || status == 304);
    let body_len =
        ERROR_BODY_START.len() + ERROR_BODY_MIDDLE.len() + ERROR_BODY_END.len() + 2 * text.len();
    out.reserve(
        128 + SERVER.len()
            + CONTENT_TYPE_HTML.len()
            + date.line().len()
            + CONNECTION_CLOSE.len()
            + body_len,
    );
    let start = out.len();

    write_status_line(out, status);
    out.extend_from_slice(SERVER);
    out.extend_from_slice(date.line());
    if has_body {
        out.extend_from_slice(CONTENT_TYPE_HTML);
        write_content_length(out, body_len as u64);
    }
    if !keep_alive {
        out.extend_from_slice(CONNECTION_CLOSE);
    }
    out.extend_from_slice(b"\r\n");
    if has_body && !head_only {
        let body_start = out.len();
        write_error_body(out, text);
        debug_assert_eq!(out.len() - body_start, body_len);
    }
    debug_assert!(out.len() > start);
}

/// The small HTML page [`write_error_response`] sends for `status`, for answers framed
/// elsewhere (the server's handlers answer errors with the same page).
pub fn error_page(status: u16) -> Vec<u8> {
    let status = three_digit_status(status);
    let digits = three_digits(status);
    let text: &[u8] = match status_line(status) {
        Some(line) => code_and_reason(line),
        None => &digits,
    };
    let mut out = Vec::with_capacity(
        ERROR_BODY_START.len() + ERROR_BODY_MIDDLE.len() + ERROR_BODY_END.len() + 2 * text.len(),
    );
    write_error_body(&mut out, text);
    out
}

fn write_error_body(out: &mut Vec<u8>, text: &[u8]) {
    out.extend_from_slice(ERROR_BODY_START);
    out.extend_from_slice(text);
    out.extend_from_slice(ERROR_BODY_MIDDLE);
    out.extend_from_slice(text);
    out.extend_from_slice(ERROR_BODY_END);
}

/// The three ASCII digits of a status in 100..=999.
fn three_digits(status: u16) -> [u8; 3] {
    debug_assert!((100..=999).contains(&status));
    [
        b'0' + (status / 100 % 10) as u8,
        b'0' + (status / 10 % 10) as u8,
        b'0' + (status % 10) as u8,
    ]
}
