//! `h1::Conn`, the sans-I/O connection: scripts of reads at virtual times in, a transcript of
//! what the connection decided out.
//!
//! The handler in these scripts is a table on the path: `/collect…` wants its body, `/pass…`
//! reads it as it arrives (`/pass-early` answers after its first piece), `/stream`
//! answers a body of unknown length, `/close` asks to close, `/empty` answers no body; every
//! other path is answered `200` with the body `ok` and ignores its request body.

use std::time::{Duration, Instant};

use bext_core::limits::READ_BUFFER_BYTES_PIPELINED_MAX;
use bext_net::h1::{
    BodyPlan, BodySize, Conn, ConnConfig, DateCache, Expiry, HeaderStore, Limits, ResponseHead,
    Step, write_chunk, write_last_chunk,
};

const CONFIG: ConnConfig = ConnConfig {
    limits: Limits {
        request_line_bytes_max: 8192,
        header_count_max: 100,
        header_bytes_max: 16384,
    },
    pipeline_depth_max: 3,
    header_read_timeout: Duration::from_millis(10_000),
    body_idle_timeout: Duration::from_millis(5_000),
    keepalive_idle_timeout: Duration::from_millis(75_000),
    write_stall_timeout: Duration::from_millis(7_000),
};

/// Bytes a body may have (for `skip_body` and `collect_body`).
const BODY_BYTES_MAX: u64 = 64;

enum Event {
    /// Bytes arrive `ms` after the start.
    Read(u64, &'static [u8]),
    /// The read deadline passes (the driver's sweep fired).
    Expire,
    /// The shard starts draining.
    Drain,
}
use Event::*;

struct Harness {
    conn: Conn,
    start: Instant,
    now: Instant,
    buf: Vec<u8>,
    out: Vec<u8>,
    log: Vec<String>,
    /// A request waiting for its body: its path.
    collecting: Option<String>,
    /// A request reading its body as it arrives: its path.
    passing: Option<String>,
    date: DateCache,
}

impl Harness {
    fn new() -> Harness {
        let start = Instant::now();
        Harness {
            conn: Conn::new(CONFIG, start),
            start,
            now: start,
            buf: Vec::new(),
            out: Vec::new(),
            log: Vec::new(),
            collecting: None,
            passing: None,
            date: DateCache::new(0),
        }
    }

    fn ms(&self, at: Instant) -> u128 {
        at.duration_since(self.start).as_millis()
    }

    fn run(&mut self, events: &[Event]) -> String {
        for event in events {
            match event {
                Read(ms, bytes) => {
                    if !self.conn.wants_read() {
                        self.log.push("(not read: closed)".into());
                        continue;
                    }
                    self.now = self.start + Duration::from_millis(*ms);
                    self.buf.extend_from_slice(bytes);
                    self.drive();
                }
                Expire => {
                    let (at, expiry) = self.conn.poll_timeout();
                    self.now = at;
                    match expiry {
                        Expiry::Close => self.log.push(format!("expire +{} close", self.ms(at))),
                        Expiry::RequestTimeout => {
                            let mut out = Vec::new();
                            self.conn.write_refusal(&mut out, 408, &self.date);
                            self.log
                                .push(format!("expire +{} {}", self.ms(at), status_of(&out)));
                        }
                    }
                }
                Drain => {
                    self.conn.set_draining();
                    self.log
                        .push(format!("drain: wants_read={}", self.conn.wants_read()));
                }
            }
        }
        self.log.join("\n")
    }

    /// Polls until the connection needs bytes or ends, as the driver's loop does.
    fn drive(&mut self) {
        loop {
            let mut store = HeaderStore::new();
            let out_len = self.out.len();
            let now = self.now;
            let step = self.conn.poll(&mut self.buf, &mut store, out_len, now);
            let (consumed, stop) = match step {
                Step::Request { head, consumed, .. } => {
                    let path = String::from_utf8_lossy(head.path).into_owned();
                    self.log.push(format!(
                        "request {} {path}",
                        String::from_utf8_lossy(head.method_bytes())
                    ));
                    let body = head.body;
                    let expect = head.expect_continue;
                    let has_body = body != bext_net::h1::BodyKind::None;
                    if has_body && path.starts_with("/pass") {
                        match self.conn.stream_body(body, BODY_BYTES_MAX, expect, now) {
                            Ok(send_continue) => {
                                if send_continue {
                                    self.log.push("100 continue".into());
                                }
                                self.passing = Some(path);
                            }
                            Err(e) => self.refuse(e.status()),
                        }
                    } else if has_body && path.starts_with("/collect") {
                        match self.conn.collect_body(body, BODY_BYTES_MAX, expect, now) {
                            Ok(send_continue) => {
                                if send_continue {
                                    self.log.push("100 continue".into());
                                }
                                self.collecting = Some(path);
                            }
                            Err(e) => self.refuse(e.status()),
                        }
                    } else {
                        let refused = has_body
                            && match self.conn.skip_body(body, BODY_BYTES_MAX, expect, now) {
                                Ok(()) => false,
                                Err(e) => {
                                    self.refuse(e.status());
                                    true
                                }
                            };
                        if !refused {
                            self.answer(&path);
                        }
                    }
                    (consumed, false)
                }
                Step::Body { consumed, body } => {
                    self.log.push(format!(
                        "body {:?}",
                        String::from_utf8_lossy(&body).into_owned()
                    ));
                    let path = self.collecting.take().unwrap_or_default();
                    self.answer(&path);
                    (consumed, false)
                }
                Step::BodyPiece {
                    consumed,
                    data,
                    done,
                } => {
                    self.log.push(format!(
                        "piece {:?}{}",
                        String::from_utf8_lossy(data).into_owned(),
                        if done { " (end)" } else { "" }
                    ));
                    let path = self.passing.clone().unwrap_or_default();
                    if done {
                        self.passing = None;
                        self.answer(&path);
                        (consumed, false)
                    } else if path == "/pass-early" {
                        // Answered before the body's end: the rest is dropped after.
                        self.passing = None;
                        self.conn.abandon_body(true, now);
                        self.answer(&path);
                        (consumed, false)
                    } else {
                        (consumed, false)
                    }
                }
                Step::NeedBytes { consumed } => (consumed, true),
                Step::Again { consumed } => {
                    self.log.push("again".into());
                    (consumed, false)
                }
                Step::Flush { consumed } => {
                    self.log.push("flush".into());
                    self.conn.written();
                    (consumed, false)
                }
                Step::Refuse {
                    consumed, status, ..
                } => {
                    self.refuse(status);
                    (consumed, true)
                }
                Step::Close { consumed } => {
                    self.log.push("close".into());
                    (consumed, true)
                }
            };
            self.buf.drain(..consumed);
            // The driver writes its output and closes once an answer said so.
            if stop || self.conn.is_closing() {
                break;
            }
        }
        if self.conn.is_closing() {
            self.log.push("closing".into());
        } else if self.conn.wants_read() {
            let (at, expiry) = self.conn.poll_timeout();
            self.log.push(format!(
                "read (buffered {}) until +{} {expiry:?}",
                self.buf.len(),
                self.ms(at)
            ));
        }
    }

    fn refuse(&mut self, status: u16) {
        let mut out = Vec::new();
        self.conn.write_refusal(&mut out, status, &self.date);
        self.log.push(format!("refuse {}", status_of(&out)));
    }

    fn answer(&mut self, path: &str) {
        let (body, close): (BodySize, bool) = match path {
            "/stream" => (BodySize::Unknown, false),
            "/close" => (BodySize::Known(2), true),
            "/empty" => (BodySize::Known(0), false),
            _ => (BodySize::Known(2), false),
        };
        let mut out = Vec::new();
        let plan = self.conn.write_head(
            &mut out,
            &ResponseHead {
                status: 200,
                date_line: self.date.line(),
                shared: b"",
                fields: &[],
                body,
                close,
                alt_svc: None,
            },
        );
        if plan == BodyPlan::Chunked {
            write_chunk(&mut out, b"ok");
            write_last_chunk(&mut out);
        }
        self.out.extend_from_slice(&out);
        let head = String::from_utf8_lossy(&out);
        let framing: Vec<&str> = head
            .lines()
            .filter(|l| {
                l.starts_with("connection")
                    || l.starts_with("content-length")
                    || l.starts_with("transfer-encoding")
            })
            .collect();
        self.log
            .push(format!("answer {plan:?} [{}]", framing.join(", ")));
    }
}

fn status_of(out: &[u8]) -> String {
    let text = String::from_utf8_lossy(out);
    let line = text.lines().next().unwrap_or("").to_string();
    let close = text.contains("connection: close");
    format!("{}{}", &line[9..], if close { " (close)" } else { "" })
}

fn check(events: &[Event], expect: &str) {
    let actual = Harness::new().run(events);
    assert_eq!(
        actual.trim(),
        expect.trim(),
        "\n--- actual ---\n{actual}\n--- expected ---\n{expect}\n"
    );
}

#[test]
fn keep_alive_waits_for_the_next_request_under_the_idle_deadline() {
    check(
        &[Read(5, b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")],
        r#"
request GET /a
answer Length(2) [content-length: 2]
read (buffered 0) until +75005 Close
"#,
    );
    check(
        &[
            Read(0, b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"),
            Read(
                100,
                b"GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            ),
            Read(200, b"GET /c HTTP/1.1\r\nHost: x\r\n\r\n"),
        ],
        r#"
request GET /a
answer Length(2) [content-length: 2]
read (buffered 0) until +75000 Close
request GET /b
answer Length(2) [content-length: 2, connection: close]
closing
(not read: closed)
"#,
    );
}

#[test]
fn http_1_0_keeps_alive_only_when_asked() {
    check(
        &[
            Read(0, b"GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"),
            Read(1, b"GET /b HTTP/1.0\r\n\r\n"),
        ],
        r#"
request GET /a
answer Length(2) [content-length: 2, connection: keep-alive]
read (buffered 0) until +75000 Close
request GET /b
answer Length(2) [content-length: 2, connection: close]
closing
"#,
    );
}

#[test]
fn pipelined_requests_are_answered_in_order_up_to_the_depth_then_flushed() {
    check(
        &[Read(
            0,
            b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\nGET /4 HTTP/1.1\r\nHost: x\r\n\r\nGET /5 HTTP/1.1\r\nHo",
        )],
        r#"
request GET /1
answer Length(2) [content-length: 2]
request GET /2
answer Length(2) [content-length: 2]
request GET /3
answer Length(2) [content-length: 2]
flush
request GET /4
answer Length(2) [content-length: 2]
read (buffered 19) until +10000 RequestTimeout
"#,
    );
}

#[test]
fn a_partial_head_is_under_the_header_deadline_from_its_first_byte() {
    check(
        &[
            Read(1_000, b"GET / HTTP/1.1\r\n"),
            Read(9_000, b"Host: x\r\n"),
            Expire,
        ],
        r#"
read (buffered 16) until +11000 RequestTimeout
read (buffered 25) until +11000 RequestTimeout
expire +11000 408 Request Timeout (close)
"#,
    );
}

#[test]
fn a_body_the_answer_does_not_need_is_answered_first_then_read_and_dropped() {
    check(
        &[
            Read(
                0,
                b"POST /static HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123",
            ),
            Read(3_000, b"456789GET /next HTTP/1.1\r\nHost: x\r\n\r\n"),
        ],
        r#"
request POST /static
answer Length(2) [content-length: 2]
read (buffered 0) until +5000 Close
request GET /next
answer Length(2) [content-length: 2]
read (buffered 0) until +78000 Close
"#,
    );
    // A dropped body that stalls ends the connection without a 408 (the answer is out).
    check(
        &[
            Read(
                0,
                b"POST /static HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0",
            ),
            Expire,
        ],
        r#"
request POST /static
answer Length(2) [content-length: 2]
read (buffered 0) until +5000 Close
expire +5000 close
"#,
    );
}

/// Regression: `Expect: 100-continue` was answered `100 Continue` before a request that was
/// going to be refused anyway (405, 404 on a static site), so the client uploaded for nothing.
#[test]
fn expect_continue_is_not_sent_for_an_answer_that_ignores_the_body() {
    check(
        &[Read(
            0,
            b"PUT /static HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n",
        )],
        r#"
request PUT /static
answer Length(2) [content-length: 2, connection: close]
closing
"#,
    );
}

#[test]
fn expect_continue_is_sent_when_the_handler_wants_the_body() {
    check(
        &[
            Read(
                0,
                b"POST /collect HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
            ),
            Read(10, b"hello"),
        ],
        r#"
request POST /collect
100 continue
read (buffered 0) until +5000 RequestTimeout
body "hello"
answer Length(2) [content-length: 2]
read (buffered 0) until +75010 Close
"#,
    );
    // HTTP/1.0 has no 100 Continue (RFC 9110 §10.1.1); the codec drops the expectation.
    check(
        &[Read(
            0,
            b"POST /collect HTTP/1.0\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nhi",
        )],
        r#"
request POST /collect
body "hi"
answer Length(2) [content-length: 2, connection: close]
closing
"#,
    );
}

/// Regression: a buffered body was decoded again from its first byte on every read, so an
/// upload trickled a byte at a time cost quadratic CPU, and the whole body sat in the read
/// buffer. Each read's bytes must be consumed by the poll that sees them.
#[test]
fn a_trickled_body_is_consumed_as_it_arrives() {
    let mut harness = Harness::new();
    harness.run(&[Read(
        0,
        b"POST /collect HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
    )]);
    let body = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    for (i, byte) in body.iter().enumerate() {
        harness.now = harness.start + Duration::from_millis(i as u64);
        harness.buf.push(*byte);
        harness.drive();
        assert!(
            harness.buf.is_empty(),
            "byte {i} left {} bytes in the read buffer",
            harness.buf.len()
        );
    }
    let log = harness.log.join("\n");
    assert!(log.contains("body \"hello world\""), "{log}");
    assert!(
        log.ends_with("read (buffered 0) until +75025 Close"),
        "{log}"
    );
}

#[test]
fn a_streamed_body_comes_in_pieces_as_it_is_read() {
    check(
        &[
            Read(
                0,
                b"POST /pass HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello",
            ),
            Read(10, b" wor"),
            Read(20, b"ldGET / HTTP/1.1\r\nHost: x\r\n\r\n"),
        ],
        r#"
request POST /pass
piece "hello"
read (buffered 0) until +5000 RequestTimeout
piece " wor"
read (buffered 0) until +5010 RequestTimeout
piece "ld" (end)
answer Length(2) [content-length: 2]
request GET /
answer Length(2) [content-length: 2]
read (buffered 0) until +75020 Close
"#,
    );
    // Chunked: each chunk's data as it is decoded; the last with the end when it is there.
    check(
        &[
            Read(
                0,
                b"POST /pass HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
            ),
            Read(10, b"2\r\nde\r\n0\r\n\r\n"),
        ],
        r#"
request POST /pass
piece "abc"
read (buffered 0) until +5000 RequestTimeout
piece "de" (end)
answer Length(2) [content-length: 2]
read (buffered 0) until +75010 Close
"#,
    );
}

#[test]
fn a_streamed_body_answered_early_is_dropped_and_the_connection_kept() {
    check(
        &[
            Read(
                0,
                b"POST /pass-early HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello",
            ),
            Read(10, b"world"),
            Read(20, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
        ],
        r#"
request POST /pass-early
piece "hello"
answer Length(2) [content-length: 2]
read (buffered 0) until +5000 Close
read (buffered 0) until +75010 Close
request GET /
answer Length(2) [content-length: 2]
read (buffered 0) until +75020 Close
"#,
    );
}

#[test]
fn a_streamed_body_too_large_or_stalled_is_refused() {
    check(
        &[Read(
            0,
            b"POST /pass HTTP/1.1\r\nHost: x\r\nContent-Length: 65\r\n\r\n",
        )],
        "request POST /pass\nrefuse 413 Content Too Large (close)\nclosing",
    );
    // Chunk sizes adding up past the bound, after a first piece was passed on.
    check(
        &[
            Read(
                0,
                b"POST /pass HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n",
            ),
            Read(10, b"3f\r\n"),
        ],
        r#"
request POST /pass
piece "ab"
read (buffered 0) until +5000 RequestTimeout
refuse 413 Content Too Large (close)
closing
"#,
    );
    check(
        &[
            Read(
                0,
                b"POST /pass HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
            ),
            Expire,
        ],
        r#"
request POST /pass
100 continue
read (buffered 0) until +5000 RequestTimeout
expire +5000 408 Request Timeout (close)
"#,
    );
}

#[test]
fn a_collected_body_stalling_is_answered_408() {
    check(
        &[
            Read(
                0,
                b"POST /collect HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhe",
            ),
            Read(4_000, b"l"),
            Expire,
        ],
        r#"
request POST /collect
read (buffered 0) until +5000 RequestTimeout
read (buffered 0) until +9000 RequestTimeout
expire +9000 408 Request Timeout (close)
"#,
    );
}

#[test]
fn refusals_close_the_connection() {
    check(
        &[Read(0, b"GET / HTTP/1.1\r\n\r\n")],
        "refuse 400 Bad Request (close)\nclosing",
    );
    check(
        &[Read(
            0,
            b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
        )],
        "refuse 400 Bad Request (close)\nclosing",
    );
    // A body larger than allowed is refused before any of it is read, for both uses.
    check(
        &[Read(
            0,
            b"POST /collect HTTP/1.1\r\nHost: x\r\nContent-Length: 65\r\n\r\n",
        )],
        "request POST /collect\nrefuse 413 Content Too Large (close)\nclosing",
    );
    check(
        &[Read(
            0,
            b"POST /static HTTP/1.1\r\nHost: x\r\nContent-Length: 65\r\n\r\n",
        )],
        "request POST /static\nrefuse 413 Content Too Large (close)\nclosing",
    );
    // A chunked body found too large while it is collected.
    check(
        &[Read(
            0,
            b"POST /collect HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n",
        )],
        "request POST /collect\nrefuse 413 Content Too Large (close)\nclosing",
    );
    // A broken chunked body that is being dropped: the answer is out, the connection ends.
    check(
        &[Read(
            0,
            b"POST /static HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        )],
        "request POST /static\nanswer Length(2) [content-length: 2]\nclose\nclosing",
    );
}

#[test]
fn bodies_of_unknown_length_are_chunked_for_1_1_and_end_with_the_connection_for_1_0() {
    check(
        &[Read(0, b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")],
        r#"
request GET /stream
answer Chunked [transfer-encoding: chunked]
read (buffered 0) until +75000 Close
"#,
    );
    check(
        &[Read(
            0,
            b"GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        )],
        r#"
request GET /stream
answer UntilClose [connection: close]
closing
"#,
    );
}

#[test]
fn head_and_bodiless_answers_send_no_body() {
    check(
        &[Read(
            0,
            b"HEAD /a HTTP/1.1\r\nHost: x\r\n\r\nGET /empty HTTP/1.1\r\nHost: x\r\n\r\n",
        )],
        r#"
request HEAD /a
answer None [content-length: 2]
request GET /empty
answer None [content-length: 0]
read (buffered 0) until +75000 Close
"#,
    );
    check(
        &[Read(0, b"GET /close HTTP/1.1\r\nHost: x\r\n\r\n")],
        r#"
request GET /close
answer Length(2) [content-length: 2, connection: close]
closing
"#,
    );
}

#[test]
fn a_draining_connection_answers_what_it_has_and_keeps_nothing_alive() {
    check(
        &[Read(0, b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"), Drain],
        r#"
request GET /a
answer Length(2) [content-length: 2]
read (buffered 0) until +75000 Close
drain: wants_read=false
"#,
    );
    check(
        &[
            Read(0, b"GET /a HTTP/1.1\r\nHost: x\r\n"),
            Drain,
            Read(1, b"\r\n"),
        ],
        r#"
read (buffered 26) until +10000 RequestTimeout
drain: wants_read=true
request GET /a
answer Length(2) [content-length: 2, connection: close]
closing
"#,
    );
}

#[test]
fn the_write_deadline_is_the_stall_timeout_from_now() {
    let start = Instant::now();
    let conn = Conn::new(CONFIG, start);
    assert_eq!(
        conn.write_deadline(start + Duration::from_secs(1)),
        start + Duration::from_millis(8_000)
    );
}

#[test]
fn the_read_buffer_grows_for_a_long_head_for_pipelined_requests_and_for_bodies() {
    let start = Instant::now();
    let conn = Conn::new(CONFIG, start);
    let pipelined_max = READ_BUFFER_BYTES_PIPELINED_MAX;
    // (buffered, capacity, the last read filled it, wanted)
    let cases = [
        // Room left: keep it.
        (10, 1024, false, 1024),
        // Full with a partial head: double, up to the head limit.
        (1024, 1024, false, 2048),
        (16384, 16384, false, 16385),
        // The last read filled it, and what it held was answered: the client has more
        // queued, so double, up to the pipelining bound (and never shrink here).
        (0, 1024, true, 2048),
        (100, pipelined_max / 2, true, pipelined_max),
        (0, pipelined_max, true, pipelined_max),
        (0, 4 * pipelined_max, true, 4 * pipelined_max),
        // Filled with a partial head: the larger of the two growths.
        (1024, 1024, true, 2048),
    ];
    for (buffered, capacity, filled, wanted) in cases {
        assert_eq!(
            conn.read_capacity(buffered, capacity, filled, 65536),
            wanted,
            "{buffered} buffered of {capacity}, filled: {filled}"
        );
    }
}

/// Every refusal of a head closes the connection after its status, whatever was buffered
/// after it (the stream can no longer be framed).
#[test]
fn every_refused_head_is_answered_with_its_status_and_closes() {
    let long_target = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(8192));
    let many_fields = format!(
        "GET / HTTP/1.1\r\nHost: x\r\n{}\r\n",
        "X-A: 1\r\n".repeat(100)
    );
    let cases: &[(&str, &[u8], &str)] = &[
        ("no Host in 1.1", b"GET / HTTP/1.1\r\n\r\n", "400 Bad Request"),
        ("two Hosts", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400 Bad Request"),
        (
            "Content-Length with Transfer-Encoding",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "400 Bad Request",
        ),
        (
            "disagreeing lengths",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "400 Bad Request",
        ),
        (
            "chunked not final",
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
            "400 Bad Request",
        ),
        (
            "obs-fold",
            b"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n 2\r\n\r\n",
            "400 Bad Request",
        ),
        ("bad field name", b"GET / HTTP/1.1\r\nHost: x\r\nX A: 1\r\n\r\n", "400 Bad Request"),
        (
            "an expectation other than 100-continue",
            b"GET / HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n",
            "417 Expectation Failed",
        ),
        (
            "an unknown transfer coding",
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: zstd, chunked\r\n\r\n",
            "501 Not Implemented",
        ),
        ("HTTP/2.0", b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", "505 HTTP Version Not Supported"),
        ("a request line too long", long_target.as_bytes(), "414 URI Too Long"),
        (
            "too many fields",
            many_fields.as_bytes(),
            "431 Request Header Fields Too Large",
        ),
    ];
    for (what, bytes, status) in cases {
        let mut harness = Harness::new();
        harness.buf.extend_from_slice(bytes);
        // Whatever follows the bad head is never read as a request.
        harness
            .buf
            .extend_from_slice(b"GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
        harness.drive();
        assert_eq!(
            harness.log.join("\n"),
            format!("refuse {status} (close)\nclosing"),
            "{what}"
        );
        assert!(!harness.conn.wants_read(), "{what}: nothing more is read");
    }
}

/// Regression: `HTTP/1.2` was answered 505, where RFC 9110 §2.5 says a higher minor version
/// of HTTP/1 is read as the highest the server speaks (nginx serves it as 1.1 too).
#[test]
fn a_higher_minor_version_is_served_as_1_1() {
    check(
        &[Read(
            0,
            b"GET /a HTTP/1.2\r\nHost: x\r\n\r\nGET /b HTTP/1.9\r\nHost: x\r\nConnection: close\r\n\r\n",
        )],
        r#"
again
request GET /a
answer Length(2) [content-length: 2]
again
request GET /b
answer Length(2) [content-length: 2, connection: close]
closing
"#,
    );
    // Another major version stays refused.
    check(
        &[Read(0, b"GET /a HTTP/3.0\r\nHost: x\r\n\r\n")],
        "refuse 505 HTTP Version Not Supported (close)\nclosing",
    );
}

#[test]
fn a_last_chunk_carries_trailers_less_the_fields_a_trailer_may_not() {
    let field = |name: &[u8], value: &[u8]| {
        bext_net::fields::Field::new(name, value).expect("a valid field")
    };
    let trailers = [
        field(b"grpc-status", b"0"),
        field(b"content-length", b"5"),
        field(b"Transfer-Encoding", b"chunked"),
        field(b"connection", b"close"),
        field(b"host", b"elsewhere"),
        field(b"grpc-message", b"ok"),
    ];
    let mut out = Vec::new();
    write_chunk(&mut out, b"hi");
    bext_net::h1::write_last_chunk_with(&mut out, trailers.iter());
    assert_eq!(
        String::from_utf8_lossy(&out),
        "2\r\nhi\r\n0\r\ngrpc-status: 0\r\ngrpc-message: ok\r\n\r\n"
    );
}
