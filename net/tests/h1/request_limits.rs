//! Limits turn into 414 and 431, on complete heads and on heads still arriving.

use bext_net::h1::Limits;

use super::request::check_with;

/// Request line `GET /aaa… HTTP/1.1` of exactly `line_bytes` bytes, without CRLF.
fn request_line(line_bytes: usize) -> String {
    let fixed = "GET / HTTP/1.1".len();
    format!("GET /{} HTTP/1.1", "a".repeat(line_bytes - fixed))
}

const LINE_LIMITS: Limits = Limits {
    request_line_bytes_max: 32,
    header_count_max: 100,
    header_bytes_max: 1024,
};

#[test]
fn request_line_at_limit_is_accepted() {
    let input = format!("{}\r\nHost: a\r\n\r\n", request_line(32));
    check_with(
        &LINE_LIMITS,
        input.as_bytes(),
        &format!("GET /{} 1.1 host=a head=45", "a".repeat(18)),
    );
}

#[test]
fn request_line_over_limit_is_414() {
    let input = format!("{}\r\nHost: a\r\n\r\n", request_line(33));
    check_with(&LINE_LIMITS, input.as_bytes(), "414 RequestLineTooLong");
    // Already known before the head completes: the line has ended...
    check_with(
        &LINE_LIMITS,
        format!("{}\r\n", request_line(33)).as_bytes(),
        "414 RequestLineTooLong",
    );
    // ...or has not, and is already longer than the limit.
    check_with(&LINE_LIMITS, &[b'G'; 33], "414 RequestLineTooLong");
    check_with(
        &LINE_LIMITS,
        b"GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "414 RequestLineTooLong",
    );
}

#[test]
fn request_line_still_arriving_within_limit_is_partial() {
    check_with(&LINE_LIMITS, &[b'G'; 32], "partial");
    // The last byte may be the CR of a line that is exactly at the limit.
    check_with(
        &LINE_LIMITS,
        format!("{}\r", request_line(32)).as_bytes(),
        "partial",
    );
    check_with(
        &LINE_LIMITS,
        format!("{}\r\n", request_line(32)).as_bytes(),
        "partial",
    );
    // Leading empty lines do not count towards the request line.
    check_with(
        &LINE_LIMITS,
        format!("\r\n\r\n{}\r", request_line(32)).as_bytes(),
        "partial",
    );
}

const HEAD_LIMITS: Limits = Limits {
    request_line_bytes_max: 64,
    header_count_max: 100,
    header_bytes_max: 64,
};

/// A head of exactly `head_bytes` bytes: request line, Host, padding field, empty line.
fn head(head_bytes: usize) -> String {
    let fixed = "GET / HTTP/1.1\r\nHost: a\r\nX: \r\n\r\n".len();
    format!(
        "GET / HTTP/1.1\r\nHost: a\r\nX: {}\r\n\r\n",
        "b".repeat(head_bytes - fixed)
    )
}

#[test]
fn head_at_limit_is_accepted() {
    check_with(
        &HEAD_LIMITS,
        head(64).as_bytes(),
        "GET / 1.1 host=a head=64",
    );
}

#[test]
fn head_over_limit_is_431() {
    check_with(&HEAD_LIMITS, head(65).as_bytes(), "431 HeadTooLarge");
    // A buffer that already holds the limit without a complete head can only grow past it.
    check_with(&HEAD_LIMITS, &head(65).as_bytes()[..64], "431 HeadTooLarge");
    check_with(&HEAD_LIMITS, &head(65).as_bytes()[..63], "partial");
    // Empty lines before the request line count: they are bytes the server had to hold.
    let padded = format!("{}{}", "\r\n".repeat(10), head(50));
    check_with(&HEAD_LIMITS, padded.as_bytes(), "431 HeadTooLarge");
    check_with(
        &HEAD_LIMITS,
        &"\r\n".repeat(32).into_bytes(),
        "431 HeadTooLarge",
    );
}

#[test]
fn header_count_limit_is_431() {
    let limits = Limits {
        request_line_bytes_max: 64,
        header_count_max: 3,
        header_bytes_max: 1024,
    };
    check_with(
        &limits,
        b"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n",
        "GET / 1.1 host=a head=39",
    );
    check_with(
        &limits,
        b"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
        "431 TooManyHeaders",
    );
    let none = Limits {
        header_count_max: 0,
        ..limits
    };
    check_with(&none, b"GET / HTTP/1.0\r\n\r\n", "GET / 1.0 close head=18");
    check_with(
        &none,
        b"GET / HTTP/1.0\r\nA: 1\r\n\r\n",
        "431 TooManyHeaders",
    );
}

#[test]
fn header_count_above_store_capacity_acts_as_capacity() {
    let limits = Limits {
        header_count_max: usize::MAX,
        ..Limits::default()
    };
    let fields: String = (0..bext_core::limits::HEADER_COUNT_MAX)
        .map(|i| format!("X{i}: v\r\n"))
        .collect();
    let input = format!("GET / HTTP/1.0\r\n{fields}\r\n");
    let expect = format!("GET / 1.0 close head={}", input.len());
    check_with(&limits, input.as_bytes(), &expect);
    let input = format!("GET / HTTP/1.0\r\n{fields}Y: v\r\n\r\n");
    check_with(&limits, input.as_bytes(), "431 TooManyHeaders");
}
