//! Response-head writers: exact bytes, and no allocation once the buffer has capacity.

use bext_net::h1::{
    CONTINUE_100, DateCache, write_content_length, write_error_response, write_header,
    write_status_line,
};

/// 1994-11-06T08:49:37Z, the example date of RFC 9110.
const RFC_EXAMPLE_SECS: u64 = 784_111_777;

fn check_status_line(status: u16, expect: &str) {
    let mut out = Vec::new();
    write_status_line(&mut out, status);
    assert_eq!(String::from_utf8_lossy(&out), expect);
}

#[test]
fn status_lines() {
    let cases = [
        (100, "HTTP/1.1 100 Continue\r\n"),
        (101, "HTTP/1.1 101 Switching Protocols\r\n"),
        (200, "HTTP/1.1 200 OK\r\n"),
        (204, "HTTP/1.1 204 No Content\r\n"),
        (206, "HTTP/1.1 206 Partial Content\r\n"),
        (301, "HTTP/1.1 301 Moved Permanently\r\n"),
        (302, "HTTP/1.1 302 Found\r\n"),
        (304, "HTTP/1.1 304 Not Modified\r\n"),
        (307, "HTTP/1.1 307 Temporary Redirect\r\n"),
        (308, "HTTP/1.1 308 Permanent Redirect\r\n"),
        (400, "HTTP/1.1 400 Bad Request\r\n"),
        (403, "HTTP/1.1 403 Forbidden\r\n"),
        (404, "HTTP/1.1 404 Not Found\r\n"),
        (405, "HTTP/1.1 405 Method Not Allowed\r\n"),
        (408, "HTTP/1.1 408 Request Timeout\r\n"),
        (411, "HTTP/1.1 411 Length Required\r\n"),
        (413, "HTTP/1.1 413 Content Too Large\r\n"),
        (414, "HTTP/1.1 414 URI Too Long\r\n"),
        (416, "HTTP/1.1 416 Range Not Satisfiable\r\n"),
        (417, "HTTP/1.1 417 Expectation Failed\r\n"),
        (431, "HTTP/1.1 431 Request Header Fields Too Large\r\n"),
        (500, "HTTP/1.1 500 Internal Server Error\r\n"),
        (501, "HTTP/1.1 501 Not Implemented\r\n"),
        (502, "HTTP/1.1 502 Bad Gateway\r\n"),
        (503, "HTTP/1.1 503 Service Unavailable\r\n"),
        (504, "HTTP/1.1 504 Gateway Timeout\r\n"),
        (505, "HTTP/1.1 505 HTTP Version Not Supported\r\n"),
        // Unknown statuses keep their number and send an empty reason (RFC 9112 §4).
        (299, "HTTP/1.1 299 \r\n"),
        (599, "HTTP/1.1 599 \r\n"),
        (999, "HTTP/1.1 999 \r\n"),
    ];
    for (status, expect) in cases {
        check_status_line(status, expect);
    }
    assert_eq!(CONTINUE_100, b"HTTP/1.1 100 Continue\r\n\r\n");
}

#[test]
fn headers_and_content_length() {
    let mut out = Vec::new();
    write_header(&mut out, b"content-type", b"text/plain");
    write_content_length(&mut out, 0);
    write_content_length(&mut out, u64::MAX);
    assert_eq!(
        String::from_utf8_lossy(&out),
        "content-type: text/plain\r\ncontent-length: 0\r\ncontent-length: 18446744073709551615\r\n"
    );
}

fn error_response(status: u16, keep_alive: bool, head_only: bool) -> String {
    let mut out = Vec::new();
    write_error_response(
        &mut out,
        status,
        &DateCache::new(RFC_EXAMPLE_SECS),
        keep_alive,
        head_only,
    );
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn error_responses() {
    let page = "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>\
                <h1>404 Not Found</h1><hr>bext</body></html>\n";
    let head = format!(
        "HTTP/1.1 404 Not Found\r\nserver: bext\r\ndate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\
         content-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n",
        page.len()
    );
    assert_eq!(
        error_response(404, true, false),
        format!("{head}\r\n{page}")
    );
    assert_eq!(
        error_response(404, false, false),
        format!("{head}connection: close\r\n\r\n{page}")
    );
    // HEAD: the page is announced, not sent.
    assert_eq!(error_response(404, true, true), format!("{head}\r\n"));

    let unknown = error_response(499, false, false);
    assert!(unknown.starts_with("HTTP/1.1 499 \r\n"), "{unknown}");
    assert!(
        unknown.ends_with("<title>499</title></head><body><h1>499</h1><hr>bext</body></html>\n")
    );

    let long = error_response(431, false, false);
    assert!(
        long.contains("<h1>431 Request Header Fields Too Large</h1>"),
        "{long}"
    );
    assert_content_length_matches(&long);
    assert_content_length_matches(&unknown);
}

#[test]
fn bodiless_statuses_get_no_page() {
    assert_eq!(
        error_response(304, true, false),
        "HTTP/1.1 304 Not Modified\r\nserver: bext\r\ndate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n"
    );
    assert!(!error_response(204, false, false).contains("content-length"));
    assert!(!error_response(100, true, false).contains("<html>"));
}

fn assert_content_length_matches(response: &str) {
    let (head, body) = response.split_once("\r\n\r\n").expect("head ends");
    let length = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length: "))
        .expect("content-length");
    assert_eq!(length.parse::<usize>().expect("digits"), body.len());
}

#[test]
fn writers_do_not_allocate_when_the_buffer_has_room() {
    let date = DateCache::new(RFC_EXAMPLE_SECS);
    let mut out = Vec::with_capacity(4096);
    let buffer = out.as_ptr();
    for status in [200, 404, 431, 599] {
        write_status_line(&mut out, status);
        write_header(&mut out, b"x", b"y");
        write_content_length(&mut out, 12345);
        write_error_response(&mut out, status, &date, false, false);
    }
    assert!(out.len() < 4096);
    assert_eq!(out.as_ptr(), buffer, "the buffer was reallocated");
    assert_eq!(out.capacity(), 4096);
}
