//! `parse_request`: one `check(input, expect)` per rule, the expectation rendered as a line.

use bext_net::h1::fuzz_support::fuzz_parse;
use bext_net::h1::{BodyKind, HeaderStore, Limits, Method, Parsed, Version, parse_request};

/// Renders the outcome of parsing `input` as `METHOD path[?query] version [host=..] [body]
/// [close] [continue] head=N`, `partial`, or `STATUS ErrorVariant`.
pub fn render(input: &[u8], limits: &Limits) -> String {
    let mut store = HeaderStore::new();
    match parse_request(input, &mut store, limits) {
        Ok(Parsed::Partial) => "partial".to_string(),
        Err(error) => format!("{} {error:?}", error.status()),
        Ok(Parsed::Complete { head, head_len }) => {
            let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
            let mut out = format!("{} {}", text(head.method_bytes()), text(head.path));
            if let Some(query) = head.query {
                out += &format!("?{}", text(query));
            }
            out += match head.version {
                Version::Http10 => " 1.0",
                Version::Http11 => " 1.1",
            };
            if let Some(host) = head.host {
                out += &format!(" host={}", text(host));
            }
            match head.body {
                BodyKind::None => {}
                BodyKind::Length(n) => out += &format!(" len={n}"),
                BodyKind::Chunked => out += " chunked",
            }
            if !head.keep_alive {
                out += " close";
            }
            if head.expect_continue {
                out += " continue";
            }
            out + &format!(" head={head_len}")
        }
    }
}

/// Checks the rendered outcome, that every shorter prefix of a complete head is partial (so
/// input split at any point parses the same), and the fuzz invariants.
pub fn check_with(limits: &Limits, input: &[u8], expect: &str) {
    let actual = render(input, limits);
    assert_eq!(
        actual,
        expect,
        "input: {:?}",
        String::from_utf8_lossy(input)
    );
    let mut store = HeaderStore::new();
    if let Ok(Parsed::Complete { head_len, .. }) = parse_request(input, &mut store, limits) {
        for cut in 0..head_len {
            let prefix = render(&input[..cut], limits);
            assert_eq!(prefix, "partial", "prefix of {cut} bytes of {:?}", input);
        }
    }
    fuzz_parse(input);
}

fn check(input: &[u8], expect: &str) {
    check_with(&Limits::default(), input, expect);
}

#[test]
fn simple_requests() {
    check(
        b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / 1.1 host=a head=27",
    );
    check(
        b"HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n",
        "HEAD /x 1.1 host=a head=29",
    );
    check(
        b"GET / HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n",
        "GET / 1.1 host=a head=40",
    );
    check(
        b"GET / HTTP/1.1\r\nhOsT: a\r\n\r\n",
        "GET / 1.1 host=a head=27",
    );
    check(
        b"GET / HTTP/1.1\r\nHost: a\r\n\r\nbody",
        "GET / 1.1 host=a head=27",
    );
    check(
        b"GET / HTTP/1.1\r\nHost:a\r\n\r\n",
        "GET / 1.1 host=a head=26",
    );
    check(
        b"GET / HTTP/1.1\r\nHost: \t a \t\r\n\r\n",
        "GET / 1.1 host=a head=31",
    );
}

#[test]
fn methods() {
    let cases: &[(&[u8], Method)] = &[
        (b"GET", Method::Get),
        (b"HEAD", Method::Head),
        (b"POST", Method::Post),
        (b"PUT", Method::Put),
        (b"DELETE", Method::Delete),
        (b"OPTIONS", Method::Options),
        (b"PATCH", Method::Patch),
        (b"TRACE", Method::Trace),
        (b"PROPFIND", Method::Other),
        // Methods are case-sensitive.
        (b"get", Method::Other),
        (b"Get", Method::Other),
    ];
    for (name, method) in cases {
        let input = [*name, b" / HTTP/1.1\r\nHost: a\r\n\r\n"].concat();
        let mut store = HeaderStore::new();
        let Ok(Parsed::Complete { head, .. }) =
            parse_request(&input, &mut store, &Limits::default())
        else {
            panic!("{name:?} did not parse");
        };
        assert_eq!(head.method, *method, "{name:?}");
        assert_eq!(head.method_bytes(), *name);
    }
    check(
        b"G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
        "400 InvalidRequestLine",
    );
    check(
        b" GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "400 InvalidRequestLine",
    );
}

#[test]
fn origin_form_path_and_query() {
    check(
        b"GET /p?q=1 HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /p?q=1 1.1 host=a head=32",
    );
    check(
        b"GET /p? HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /p? 1.1 host=a head=29",
    );
    check(
        b"GET /?a?b HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /?a?b 1.1 host=a head=31",
    );
    check(
        b"GET /a%20b/c HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /a%20b/c 1.1 host=a head=34",
    );
    check(
        b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
        "OPTIONS * 1.1 host=a head=31",
    );
    check(b"GET * HTTP/1.1\r\nHost: a\r\n\r\n", "400 InvalidTarget");
    check(
        b"OPTIONS /x HTTP/1.1\r\nHost: a\r\n\r\n",
        "OPTIONS /x 1.1 host=a head=32",
    );
}

#[test]
fn absolute_form_authority_wins_over_host() {
    check(
        b"GET http://example.com:8080/p?q HTTP/1.1\r\nHost: other\r\n\r\n",
        "GET /p?q 1.1 host=example.com:8080 head=57",
    );
    check(
        b"GET http://e.com HTTP/1.1\r\nHost: e.com\r\n\r\n",
        "GET / 1.1 host=e.com head=42",
    );
    check(
        b"GET HTTPS://E.com?x HTTP/1.1\r\nHost: e\r\n\r\n",
        "GET /?x 1.1 host=E.com head=41",
    );
    check(
        b"GET http://e.com/ HTTP/1.0\r\n\r\n",
        "GET / 1.0 host=e.com close head=30",
    );
    // Still needs a Host header in HTTP/1.1 (RFC 9112 §3.2).
    check(b"GET http://e.com/ HTTP/1.1\r\n\r\n", "400 MissingHost");
    check(
        b"GET http://user@e.com/ HTTP/1.1\r\nHost: e.com\r\n\r\n",
        "400 InvalidTarget",
    );
    check(
        b"GET http:/// HTTP/1.1\r\nHost: e\r\n\r\n",
        "400 InvalidTarget",
    );
    check(
        b"GET http://e.com#f HTTP/1.1\r\nHost: e\r\n\r\n",
        "400 InvalidTarget",
    );
    check(
        b"GET ftp://e.com/ HTTP/1.1\r\nHost: e\r\n\r\n",
        "400 InvalidTarget",
    );
    check(
        b"GET http://e{}/ HTTP/1.1\r\nHost: e\r\n\r\n",
        "400 InvalidHost",
    );
    check(
        b"GET e.com:80 HTTP/1.1\r\nHost: e\r\n\r\n",
        "400 InvalidTarget",
    );
}

#[test]
fn connect_uses_authority_form_only() {
    check(
        b"CONNECT e.com:443 HTTP/1.1\r\nHost: e.com:443\r\n\r\n",
        "CONNECT e.com:443 1.1 host=e.com:443 head=47",
    );
    check(
        b"CONNECT / HTTP/1.1\r\nHost: e\r\n\r\n",
        "400 InvalidTarget",
    );
    check(
        b"CONNECT e.com HTTP/1.1\r\nHost: e\r\n\r\n",
        "400 InvalidTarget",
    );
    check(
        b"CONNECT e.com: HTTP/1.1\r\nHost: e\r\n\r\n",
        "400 InvalidTarget",
    );
    check(
        b"CONNECT :443 HTTP/1.1\r\nHost: e\r\n\r\n",
        "400 InvalidTarget",
    );
    check(
        b"CONNECT e.com:4x3 HTTP/1.1\r\nHost: e\r\n\r\n",
        "400 InvalidTarget",
    );
}

#[test]
fn host_rules() {
    check(b"GET / HTTP/1.1\r\n\r\n", "400 MissingHost");
    check(
        b"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n",
        "400 DuplicateHost",
    );
    check(
        b"GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n",
        "400 DuplicateHost",
    );
    check(b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", "400 InvalidHost");
    check(b"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", "400 InvalidHost");
    check(b"GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", "400 InvalidHost");
    check(
        b"GET / HTTP/1.1\r\nHost: a:8080\r\n\r\n",
        "GET / 1.1 host=a:8080 head=32",
    );
    check(
        b"GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
        "GET / 1.1 host=[::1]:80 head=34",
    );
    // An empty Host is how a client says the target has no authority (RFC 9112 §3.2).
    check(b"GET / HTTP/1.1\r\nHost:\r\n\r\n", "GET / 1.1 head=25");
    check(b"GET / HTTP/1.0\r\n\r\n", "GET / 1.0 close head=18");
}

#[test]
fn keep_alive_rules() {
    check(
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        "GET / 1.1 host=a close head=46",
    );
    check(
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, CLOSE\r\n\r\n",
        "GET / 1.1 host=a close head=51",
    );
    check(
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n",
        "GET / 1.1 host=a head=51",
    );
    check(
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n",
        "GET / 1.1 host=a head=47",
    );
    check(
        b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "GET / 1.0 head=42",
    );
    check(
        b"GET / HTTP/1.0\r\nConnection: Upgrade, Keep-Alive\r\n\r\n",
        "GET / 1.0 head=51",
    );
    check(
        b"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n",
        "GET / 1.0 close head=49",
    );
    check(
        b"GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n",
        "GET / 1.0 close head=61",
    );
    check(
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n",
        "GET / 1.1 host=a close head=70",
    );
}

#[test]
fn expect_continue() {
    check(
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
        "POST / 1.1 host=a len=5 continue head=69",
    );
    check(
        b"PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\n\r\n",
        "PUT / 1.1 host=a continue head=49",
    );
    check(
        b"PUT / HTTP/1.1\r\nHost: a\r\nExpect: fly\r\n\r\n",
        "417 UnsupportedExpectation",
    );
    // RFC 9110 §10.1.1: ignored in HTTP/1.0.
    check(
        b"PUT / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n",
        "PUT / 1.0 close head=40",
    );
}

#[test]
fn content_length() {
    let head =
        |value: &str| format!("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: {value}\r\n\r\n");
    let cases = [
        ("5", "POST / 1.1 host=a len=5 head=47"),
        ("0", "POST / 1.1 host=a len=0 head=47"),
        ("007", "POST / 1.1 host=a len=7 head=49"),
        ("42, 42", "POST / 1.1 host=a len=42 head=52"),
        ("42,42 ,  42", "POST / 1.1 host=a len=42 head=57"),
        (
            "18446744073709551615",
            "POST / 1.1 host=a len=18446744073709551615 head=66",
        ),
        ("18446744073709551616", "400 InvalidContentLength"),
        ("99999999999999999999999", "400 InvalidContentLength"),
        ("42, 43", "400 ConflictingContentLength"),
        ("+5", "400 InvalidContentLength"),
        ("-1", "400 InvalidContentLength"),
        ("5a", "400 InvalidContentLength"),
        ("0x5", "400 InvalidContentLength"),
        ("1 2", "400 InvalidContentLength"),
        ("42,", "400 InvalidContentLength"),
        ("", "400 InvalidContentLength"),
        ("\u{b2}", "400 InvalidContentLength"),
    ];
    for (value, expect) in cases {
        check(head(value).as_bytes(), expect);
    }
    check(
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n",
        "POST / 1.1 host=a len=3 head=66",
    );
    check(
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
        "400 ConflictingContentLength",
    );
    check(
        b"POST / HTTP/1.0\r\nContent-Length: 3\r\n\r\n",
        "POST / 1.0 len=3 close head=38",
    );
}

#[test]
fn transfer_encoding() {
    let head =
        |value: &str| format!("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: {value}\r\n\r\n");
    let cases = [
        ("chunked", "POST / 1.1 host=a chunked head=56"),
        ("Chunked", "POST / 1.1 host=a chunked head=56"),
        ("chunked ", "POST / 1.1 host=a chunked head=57"),
        (", chunked", "POST / 1.1 host=a chunked head=58"),
        ("gzip, chunked", "501 UnsupportedTransferCoding"),
        ("identity, chunked", "501 UnsupportedTransferCoding"),
        ("chunked, gzip", "400 ChunkedNotFinal"),
        ("chunked, chunked", "400 ChunkedNotFinal"),
        ("gzip", "400 ChunkedNotFinal"),
        ("identity", "400 ChunkedNotFinal"),
        ("xchunked", "400 ChunkedNotFinal"),
        ("chunked;q=1", "400 ChunkedNotFinal"),
        ("", "400 ChunkedNotFinal"),
    ];
    for (value, expect) in cases {
        check(head(value).as_bytes(), expect);
    }
    check(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
        "501 UnsupportedTransferCoding",
    );
    check(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n",
        "400 ChunkedNotFinal",
    );
    check(
        b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
        "400 TransferEncodingInHttp10",
    );
}

#[test]
fn smuggling_attempts() {
    // CL.TE and TE.CL: two parsers, two framings.
    check(
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n",
        "400 ContentLengthWithTransferEncoding",
    );
    check(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n",
        "400 ContentLengthWithTransferEncoding",
    );
    check(
        b"POST / HTTP/1.0\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n",
        "400 TransferEncodingInHttp10",
    );
    // Whitespace before the colon hides a field from some parsers.
    check(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n",
        "400 InvalidHeaderName",
    );
    check(
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length\t: 4\r\n\r\n",
        "400 InvalidHeaderName",
    );
    // A bare CR splits a line for some parsers and not others.
    check(
        b"POST / HTTP/1.1\r\nHost: a\r\nX: y\rTransfer-Encoding: chunked\r\n\r\n",
        "400 InvalidHeaderValue",
    );
    check(
        b"POST / HTTP/1.1\r\nHost: a\r\nX: y\r\r\n\r\n",
        "400 InvalidHeaderValue",
    );
    // Obsolete line folding continues a field for some parsers and starts one for others.
    check(
        b"POST / HTTP/1.1\r\nHost: a\r\nX: y\r\n Transfer-Encoding: chunked\r\n\r\n",
        "400 ObsoleteLineFolding",
    );
    check(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n",
        "400 ObsoleteLineFolding",
    );
    check(
        b"GET / HTTP/1.1\r\n Host: a\r\n\r\n",
        "400 ObsoleteLineFolding",
    );
    check(
        b"GET / HTTP/1.1\r\nHost: a\r\n\tX: b\r\n\r\n",
        "400 ObsoleteLineFolding",
    );
}

#[test]
fn header_bytes() {
    check(
        b"GET / HTTP/1.1\r\nHost: a\r\nHo st: a\r\n\r\n",
        "400 InvalidHeaderName",
    );
    check(
        b"GET / HTTP/1.1\r\nHost: a\r\n: a\r\n\r\n",
        "400 InvalidHeaderName",
    );
    check(
        b"GET / HTTP/1.1\r\nHost: a\r\nX(: a\r\n\r\n",
        "400 InvalidHeaderName",
    );
    check(
        b"GET / HTTP/1.1\r\nHost: a\r\nX\xc3\xa9: a\r\n\r\n",
        "400 InvalidHeaderName",
    );
    check(
        b"GET / HTTP/1.1\r\nHost: a\r\nNo-colon\r\n\r\n",
        "400 InvalidHeaderName",
    );
    check(
        b"GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n",
        "400 InvalidHeaderValue",
    );
    check(
        b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x7fb\r\n\r\n",
        "400 InvalidHeaderValue",
    );
    check(
        b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\n\r\n",
        "400 InvalidHeaderValue",
    );
    check(
        b"GET / HTTP/1.1\r\nHost: a\0\r\n\r\n",
        "400 InvalidHeaderValue",
    );
    // HTAB and obs-text are allowed in values (RFC 9110 §5.5).
    check(
        b"GET / HTTP/1.1\r\nHost: a\r\nX: a\tb\xffc\r\n\r\n",
        "GET / 1.1 host=a head=37",
    );
    check(
        b"GET / HTTP/1.1\r\nHost: a\r\nX:\r\n\r\n",
        "GET / 1.1 host=a head=31",
    );
}

#[test]
fn line_endings() {
    // Empty lines (CRLF) may precede the request line (RFC 9112 §2.2).
    check(
        b"\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / 1.1 host=a head=31",
    );
    // Regression: a bare LF ending a line of the head was accepted, so `X-Foo: a\nContent-
    // Length: 5` inside a CRLF head smuggled a field past a front proxy that splits on CRLF
    // only. RFC 9112 §2.2 lets a recipient accept it; bext refuses it anywhere in the head.
    for input in [
        b"GET / HTTP/1.1\nHost: a\n\n".as_slice(),
        b"GET / HTTP/1.1\r\nHost: a\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nX-Foo: a\nContent-Length: 5\r\n\r\nhello",
        b"GET / HTTP/1.1\r\nHost: a\r\n\n",
        b"\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET / HTTP/1.1\nHost: a\r\n\r\n",
    ] {
        check(input, "400 BareLineFeed");
    }
    check(b"GET / HTTP/1.1\rHost: a\r\n\r\n", "400 InvalidLineEnding");
    check(
        b"GET / HTTP/1.1\r\nHost: a\r\n\r\r\n",
        "400 InvalidLineEnding",
    );
    check(
        b"\rGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "400 InvalidLineEnding",
    );
    check(
        b"GET /\r HTTP/1.1\r\nHost: a\r\n\r\n",
        "400 InvalidRequestLine",
    );
}

#[test]
fn request_line_syntax() {
    check(
        b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
        "400 InvalidRequestLine",
    );
    check(
        b"GET / HTTP/1.1 \r\nHost: a\r\n\r\n",
        "400 InvalidLineEnding",
    );
    check(
        b"GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n",
        "400 InvalidRequestLine",
    );
    check(
        b"GET /\xff HTTP/1.1\r\nHost: a\r\n\r\n",
        "400 InvalidRequestLine",
    );
    check(
        b"GET /a b HTTP/1.1\r\nHost: a\r\n\r\n",
        "400 InvalidRequestLine",
    );
    // HTTP/0.9 had no version.
    check(b"GET /\r\n\r\n", "400 InvalidRequestLine");
}

#[test]
fn versions() {
    // A higher minor version is read as 1.1 by a caller that rewrites it (`h1::Conn`).
    check(
        b"GET / HTTP/1.2\r\nHost: a\r\n\r\n",
        "505 HigherMinorVersion",
    );
    check(
        b"GET / HTTP/1.9\r\nHost: a\r\n\r\n",
        "505 HigherMinorVersion",
    );
    check(
        b"GET / HTTP/2.0\r\nHost: a\r\n\r\n",
        "505 UnsupportedVersion",
    );
    check(b"GET / HTTP/0.9\r\n\r\n", "505 UnsupportedVersion");
    // The HTTP/2 connection preface, sent by a client that assumed h2c.
    check(
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        "505 UnsupportedVersion",
    );
    check(b"GET / HTTP/2\r\nHost: a\r\n\r\n", "400 InvalidRequestLine");
    check(
        b"GET / HTTP/11.1\r\nHost: a\r\n\r\n",
        "400 InvalidRequestLine",
    );
    check(
        b"GET / http/1.1\r\nHost: a\r\n\r\n",
        "400 InvalidRequestLine",
    );
    check(
        b"GET / HTTP/1.1x\r\nHost: a\r\n\r\n",
        "400 InvalidLineEnding",
    );
    // A version still arriving that may yet turn out well-formed is waited for.
    check(b"GET / HTTP/2", "partial");
    check(b"GET / HTTP/2.", "partial");
    check(b"GET / HTTP/2.0", "partial");
    check(b"GET / HTTP/2.0\r", "partial");
    check(b"GET / HTTP/2x", "400 InvalidRequestLine");
    check(b"GET / HTTP/1.1", "partial");
}

#[test]
fn partial_heads() {
    check(b"", "partial");
    check(b"G", "partial");
    check(b"\r\n", "partial");
    check(b"GET / HTTP/1.1\r\nHost: a\r\n", "partial");
    check(b"GET / HTTP/1.1\r\nHost: a\r\n\r", "partial");
}

#[test]
fn pipelined_heads_parse_from_head_len() {
    let buf = b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\nHEAD /2 HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\nGET /3";
    let mut store = HeaderStore::new();
    let Ok(Parsed::Complete { head, head_len }) =
        parse_request(buf, &mut store, &Limits::default())
    else {
        panic!("first head");
    };
    assert_eq!(head.path, b"/1");
    check(&buf[head_len..], "HEAD /2 1.1 host=b close head=48");
    let second = head_len + 48;
    check(&buf[second..], "partial");
    check(buf, "GET /1 1.1 host=a head=28");
}

#[test]
fn header_lookup() {
    let buf = b"GET / HTTP/1.1\r\nHost: a\r\nX-One: 1\r\nx-one: 2\r\nAccept:  text/html \r\n\r\n";
    let mut store = HeaderStore::new();
    let Ok(Parsed::Complete { head, .. }) = parse_request(buf, &mut store, &Limits::default())
    else {
        panic!("head");
    };
    assert_eq!(head.header("x-ONE"), Some(&b"1"[..]));
    assert_eq!(head.header("accept"), Some(&b"text/html"[..]));
    assert_eq!(head.header("missing"), None);
    let all: Vec<(&str, &[u8])> = head.headers().collect();
    assert_eq!(
        all,
        [
            ("Host", &b"a"[..]),
            ("X-One", b"1"),
            ("x-one", b"2"),
            ("Accept", b"text/html")
        ]
    );
}

#[test]
fn a_higher_minor_version_rewritten_in_place_parses_as_1_1() {
    let cases: &[(&[u8], Option<&str>)] = &[
        (
            b"GET / HTTP/1.2\r\nHost: a\r\n\r\n",
            Some("GET / 1.1 host=a head=27"),
        ),
        (
            b"\r\nGET /x HTTP/1.9\r\nHost: a\r\n\r\n",
            Some("GET /x 1.1 host=a head=30"),
        ),
        (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", None),
        (b"GET / HTTP/2.0\r\nHost: a\r\n\r\n", None),
        (b"GET / HTTP/1.2", None),
        (b"GET /HTTP/1.2\r\n\r\n", None),
    ];
    for (input, expect) in cases {
        let mut buf = input.to_vec();
        let rewrote = bext_net::h1::rewrite_higher_minor_version(&mut buf);
        assert_eq!(
            rewrote,
            expect.is_some(),
            "{:?}",
            String::from_utf8_lossy(input)
        );
        if let Some(expect) = expect {
            assert_eq!(render(&buf, &Limits::default()), *expect);
        }
    }
}

/// Regression: a Host with a port that names no port (`x:ab`, `x:99999`) was accepted and
/// routed. An empty port is allowed (RFC 3986 `port = *DIGIT`), as are leading zeros.
#[test]
fn host_ports() {
    for (host, expect) in [
        ("a:80", "ok"),
        ("a:", "ok"),
        ("a:0", "ok"),
        ("a:080", "ok"),
        ("a:65535", "ok"),
        ("[::1]:8080", "ok"),
        ("[::1]", "ok"),
        ("a:ab", "400 InvalidHost"),
        ("a:99999", "400 InvalidHost"),
        ("a:65536", "400 InvalidHost"),
        ("a:-1", "400 InvalidHost"),
        ("a:1:2", "400 InvalidHost"),
        ("[::1]:99999", "400 InvalidHost"),
        ("[::1]x", "400 InvalidHost"),
        ("[::1", "400 InvalidHost"),
    ] {
        let input = format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n");
        let expect = match expect {
            "ok" => format!("GET / 1.1 host={host} head={}", input.len()),
            refused => refused.to_string(),
        };
        check(input.as_bytes(), &expect);
    }
    // The authority of an absolute-form target is held to the same rule.
    check(
        b"GET http://a:99999/ HTTP/1.1\r\nHost: a\r\n\r\n",
        "400 InvalidHost",
    );
}
