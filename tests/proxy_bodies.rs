//! Request bodies through the proxy, end to end: streamed to the upstream as they arrive
//! (never held whole), framed as the client framed them, over HTTP/1.1 and HTTP/2; a body
//! that fails mid-way (too large, the client gone) is answered or dropped without the
//! request being sent twice; a small body is replayed to another server when the first
//! resets. The upstream is `tests/proxy/upstream.py`'s `/sink`, which hashes what it reads
//! and says how much has come so far.

mod common;
#[path = "proxy/harness.rs"]
mod harness;

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use common::{Bext, TempDir, eventually};
use harness::{Upstream, curl, json};

/// A proxy site in front of `upstream`, with `body_bytes_max` and `extra` server settings.
fn proxy_config(
    dir: &TempDir,
    upstreams: &[&Upstream],
    body_bytes_max: u64,
    extra: &str,
) -> std::path::PathBuf {
    let servers: Vec<String> = upstreams
        .iter()
        .map(|u| format!("\"{}\"", u.addr()))
        .collect();
    dir.write(
        "bext.toml",
        format!(
            "[server]\n{extra}\n\n[[upstream]]\nname = \"api\"\nservers = [{}]\n\n\
             [[site]]\nbody_bytes_max = {body_bytes_max}\n\
             [[site.proxy]]\nmatch = \"/**\"\nupstream = \"api\"\n",
            servers.join(", ")
        ),
    )
}

/// `bytes` bytes of a pattern that a shifted or dropped piece would change, and their SHA-256.
fn upload_file(dir: &TempDir, name: &str, bytes: usize) -> (std::path::PathBuf, String) {
    let data: Vec<u8> = (0..bytes).map(|i| (i % 251) as u8).collect();
    let path = dir.write(name, &data);
    let out = std::process::Command::new("sha256sum")
        .arg(&path)
        .output()
        .expect("sha256sum runs");
    let sum = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned();
    (path, sum)
}

/// What `/received?id=ID` says: bytes read so far, `/sink` requests seen.
fn received(upstream: &Upstream, id: &str) -> (u64, u64) {
    let (status, body, _) = curl(&format!("http://{}/received?id={id}", upstream.addr()), &[]);
    assert_eq!(status, 200, "{body}");
    let mut parts = body.split_whitespace().map(|n| n.parse().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// bext's peak resident memory (`VmHWM`), in KiB.
fn peak_rss_kib(bext: &Bext) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", bext.pid()))
        .expect("bext's /proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmHWM")
}

#[test]
fn a_large_upload_streams_through_without_being_held() {
    let dir = TempDir::new("proxy-body-large");
    let upstream = Upstream::start("sink");
    let config = proxy_config(&dir, &[&upstream], 1 << 30, "");
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    // Warm: the first proxied request sets up the connection pool and the buffers.
    let (status, _, _) = curl(&format!("http://{}/sink?id=warm", bext.addr), &["-d", "x"]);
    assert_eq!(status, 200);
    let before = peak_rss_kib(&bext);
    let size = 96 << 20;
    let (file, sum) = upload_file(&dir, "upload.bin", size);
    let data = format!("@{}", file.display());
    for (framing, args) in [
        ("length", vec!["--data-binary", &data]),
        (
            "chunked",
            vec!["--data-binary", &data, "-H", "Transfer-Encoding: chunked"],
        ),
    ] {
        let (status, body, _) = curl(
            &format!("http://{}/sink?id={framing}", bext.addr),
            &[&args[..], &["--max-time", "120"]].concat(),
        );
        assert_eq!(status, 200, "{framing}: {body}");
        let doc = json(&body);
        assert_eq!(doc["bytes"], size as u64, "{framing}");
        assert_eq!(doc["sha256"], sum.as_str(), "{framing}");
        // Framed as the client framed it.
        assert_eq!(doc["framing"], framing);
        assert_eq!(received(&upstream, framing).1, 1, "{framing}: sent once");
    }
    // Held whole, 96 MiB would show in the peak; streamed, a few reads' worth do.
    let grown_kib = peak_rss_kib(&bext).saturating_sub(before);
    assert!(
        grown_kib < 24 * 1024,
        "bext's peak memory grew by {grown_kib} KiB over two 96 MiB uploads"
    );
}

#[test]
fn the_upstream_reads_the_body_before_the_client_has_sent_all_of_it() {
    let dir = TempDir::new("proxy-body-early");
    let upstream = Upstream::start("sink");
    let config = proxy_config(&dir, &[&upstream], 1 << 20, "");
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    let half = vec![b'a'; 100_000];
    let mut client = TcpStream::connect(bext.addr).expect("connect");
    client
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    client
        .write_all(b"POST /sink?id=early HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 200000\r\n\r\n")
        .expect("head");
    client.write_all(&half).expect("first half");
    // Buffered whole, nothing would reach the upstream until the second half is sent.
    eventually("the upstream has the first half", || {
        (received(&upstream, "early").0 >= 100_000).then_some(())
    });
    client.write_all(&half).expect("second half");
    // Framed as bext frames it: with a length, or chunked when the upstream's body came
    // after its head.
    let answer = common::read_response(&mut client, false).unwrap_or_else(|| {
        panic!(
            "no answer; the upstream has {:?}; bext said: {}",
            received(&upstream, "early"),
            bext.stderr()
        )
    });
    assert_eq!(answer.status, 200, "{}", answer.summary());
    // A chunked body here is one chunk: its JSON lies between the size line and the end.
    let text = answer.text();
    let json_text = text
        .find('{')
        .and_then(|start| Some(&text[start..=text.rfind('}')?]))
        .unwrap_or_else(|| panic!("no JSON in {text:?}"));
    let doc = json(json_text);
    assert_eq!(doc["bytes"], 200_000);
}

#[test]
fn an_http2_upload_streams_to_an_http1_upstream() {
    let dir = TempDir::new("proxy-body-h2");
    let upstream = Upstream::start("sink");
    let config = proxy_config(&dir, &[&upstream], 1 << 30, "http2 = true");
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    let size = 24 << 20;
    let (file, sum) = upload_file(&dir, "upload.bin", size);
    let data = format!("@{}", file.display());
    let (status, body, _) = curl(
        &format!("http://{}/sink?id=h2", bext.addr),
        &[
            "--http2-prior-knowledge",
            "--data-binary",
            &data,
            "--max-time",
            "120",
        ],
    );
    assert_eq!(status, 200, "{body}");
    let doc = json(&body);
    assert_eq!(doc["bytes"], size as u64);
    assert_eq!(doc["sha256"], sum.as_str());
    // curl declares the length over HTTP/2; it is passed on.
    assert_eq!(doc["framing"], "length");
}

#[test]
fn a_body_that_fails_mid_way_is_never_sent_twice() {
    let dir = TempDir::new("proxy-body-fail");
    let upstream = Upstream::start("sink");
    let config = proxy_config(&dir, &[&upstream], 64 * 1024, "");
    let bext = Bext::serve_config(&config, &["--shards", "1"]);

    // Chunked past `body_bytes_max`: 413 once the sizes add up past it, connection closed.
    let (file, _) = upload_file(&dir, "too-big.bin", 200_000);
    let data = format!("@{}", file.display());
    let (status, body, _) = curl(
        &format!("http://{}/sink?id=big", bext.addr),
        &["--data-binary", &data, "-H", "Transfer-Encoding: chunked"],
    );
    assert_eq!(status, 413, "{body}");
    // A declared length past it is refused before anything goes out.
    let (status, _, _) = curl(
        &format!("http://{}/sink?id=declared", bext.addr),
        &["--data-binary", &data],
    );
    assert_eq!(status, 413);
    assert_eq!(received(&upstream, "declared"), (0, 0));

    // The client goes away half-way: the upstream sees a short body, once, and bext stays up.
    let mut client = TcpStream::connect(bext.addr).expect("connect");
    client
        .write_all(b"POST /sink?id=gone HTTP/1.1\r\nHost: x\r\nContent-Length: 50000\r\n\r\n")
        .expect("head");
    client.write_all(&[b'g'; 20_000]).expect("part of the body");
    eventually("the upstream has the part sent", || {
        (received(&upstream, "gone").0 >= 20_000).then_some(())
    });
    drop(client);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(received(&upstream, "gone"), (20_000, 1));
    assert!(bext.stderr().is_empty() || !bext.stderr().contains("panicked"));
    let (status, _, _) = curl(
        &format!("http://{}/sink?id=after", bext.addr),
        &["-d", "ok"],
    );
    assert_eq!(status, 200, "served after a client left mid-body");
}

#[test]
fn a_small_body_is_sent_whole_to_the_next_server_after_a_reset() {
    let dir = TempDir::new("proxy-body-retry");
    let a = Upstream::start("a");
    let b = Upstream::start("b");
    let config = proxy_config(&dir, &[&a, &b], 1 << 20, "");
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    let body: String = (0..3000)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    // Round robin: one of the two requests goes to `a` first, which resets; PUT is
    // idempotent, so it goes to `b` with the body as it was sent to `a`.
    for i in 0..2 {
        let (status, answer, _) = curl(
            &format!("http://{}/reset-if?name=a&i={i}", bext.addr),
            &[
                "-X",
                "PUT",
                "--data-binary",
                &body,
                "-H",
                "Transfer-Encoding: chunked",
            ],
        );
        assert_eq!(status, 200, "{answer}");
        let doc = json(&answer);
        assert_eq!(doc["server"], "b");
        assert_eq!(doc["body"], body.as_str());
    }
    assert!(bext.metric("bext_proxy_retries_total") >= 1);
}

#[test]
fn an_answer_the_upstream_gives_before_reading_the_body_reaches_the_client() {
    let dir = TempDir::new("proxy-body-answered-early");
    let upstream = Upstream::start("early");
    let config = proxy_config(&dir, &[&upstream], 1 << 30, "http2 = true");
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    // More than the sockets between bext and the upstream hold: the upstream answers after
    // the head, reads none of the body and closes, so bext's writes of the rest fail.
    let (file, _) = upload_file(&dir, "upload.bin", 16 << 20);
    let data = format!("@{}", file.display());
    let cases: [(&str, u16, &[&str]); 2] = [
        ("length", 413, &[]),
        ("chunked", 401, &["-H", "Transfer-Encoding: chunked"]),
    ];
    for (framing, status, args) in cases {
        let (got, body, _) = curl(
            &format!("http://{}/early?status={status}", bext.addr),
            &[&["--data-binary", &data][..], args].concat(),
        );
        // The upstream's own answer, not a 502 for the write that failed.
        assert_eq!(got, status, "{framing}: {body}");
        assert_eq!(body, "refused before the body\n", "{framing}");
    }
    // Over HTTP/2 (Python's h2: curl 7.88 drops an answer whose stream is reset while it
    // still uploads): the answer, ended, then RST_STREAM with NO_ERROR, which tells the
    // client to stop sending (RFC 9113 §8.1).
    let out = std::process::Command::new("/usr/bin/python3")
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/h2/client.py"))
        .args([
            "127.0.0.1",
            &bext.addr.port().to_string(),
            "plain",
            "upload",
        ])
        .arg(format!("/early?status=413 {}", 16 << 20))
        .output()
        .expect("python3 runs");
    let doc = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(doc["status"], "413", "{doc}");
    assert_eq!(doc["body"], "refused before the body\n", "{doc}");
    assert_eq!(doc["ended"], true, "{doc}");
    assert_eq!(doc["reset"], 0, "{doc}");
    assert!(doc["sent"].as_u64().is_some_and(|n| n < 16 << 20), "{doc}");
    assert_eq!(bext.metric("bext_proxy_refused_total"), 0);
    // Nothing was kept of those connections: the next request is answered as usual.
    let (status, body, _) = curl(&format!("http://{}/echo", bext.addr), &["-d", "after"]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["body"], "after");
}

#[test]
fn an_early_answer_reaches_a_client_that_is_still_sending_its_body() {
    let dir = TempDir::new("proxy-body-answered-while-sending");
    let upstream = Upstream::start("early");
    // A body deadline longer than the client waits: an answer held until the client sends
    // more (or the deadline) never comes in time.
    let config = proxy_config(&dir, &[&upstream], 1 << 30, "body_idle_timeout_ms = 60000");
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    let piece = vec![b'a'; 64 << 10];
    // The upstream answers at once and closes (resetting the body it did not read), or reads
    // the body to its end as nginx's lingering close does; the body has a length, or is
    // chunked.
    let cases = [
        ("", false),
        ("&then=read", false),
        ("", true),
        ("&then=read", true),
    ];
    for (then, chunked) in cases {
        let mut client = common::connect(bext.addr);
        let framing = if chunked {
            "Transfer-Encoding: chunked".to_owned()
        } else {
            format!("Content-Length: {}", 64 << 20)
        };
        client
            .write_all(
                format!("POST /early?status=413{then} HTTP/1.1\r\nHost: x\r\n{framing}\r\n\r\n")
                    .as_bytes(),
            )
            .expect("head");
        if chunked {
            client
                .write_all(format!("{:x}\r\n", piece.len()).as_bytes())
                .expect("chunk size");
        }
        client.write_all(&piece).expect("a first piece");
        // The client sends nothing more until it has an answer: waiting for the rest of the
        // body, bext would answer nothing until its body deadline (and then its own 408).
        let answer = common::read_response(&mut client, false).unwrap_or_else(|| {
            panic!(
                "{then} chunked={chunked}: no answer; bext said: {}",
                bext.stderr()
            )
        });
        assert_eq!(answer.status, 413, "{then} chunked={chunked}: {answer:?}");
        assert_eq!(answer.text(), "refused before the body\n", "{then}");
    }
    // Those upstream connections were not kept (the lingering upstream would read the next
    // request as the rest of a body): the next request is answered as usual.
    let (status, body, _) = curl(&format!("http://{}/echo", bext.addr), &["-d", "after"]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["body"], "after");
    // Each answer was the upstream's, from the one request sent.
    assert_eq!(bext.metric("bext_proxy_refused_total"), 0);
    assert_eq!(bext.metric("bext_proxy_retries_total"), 0);
}

#[test]
fn an_early_answer_reaches_a_tls_client_that_is_still_sending_its_body() {
    let dir = TempDir::new("proxy-body-answered-while-sending-tls");
    let upstream = Upstream::start("early");
    common::make_certificate(dir.path(), "cert.pem", "key.pem");
    let config = dir.write(
        "bext.toml",
        format!(
            "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\n\
             body_idle_timeout_ms = 60000\n\n\
             [[upstream]]\nname = \"api\"\nservers = [\"{}\"]\n\n\
             [[site]]\nhosts = [\"localhost\"]\ntls = {{ cert = \"cert.pem\", key = \"key.pem\" }}\n\
             body_bytes_max = {}\n\
             [[site.proxy]]\nmatch = \"/**\"\nupstream = \"api\"\n",
            upstream.addr(),
            1u64 << 30
        ),
    );
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    // openssl as the client: its input stays open after the head and a first piece of the
    // body, so the body is unfinished while the answer is awaited.
    let mut client = std::process::Command::new("openssl")
        .args([
            "s_client",
            "-quiet",
            "-no_ign_eof",
            "-servername",
            "localhost",
        ])
        .args(["-connect", &bext.https_addr().to_string()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("openssl runs");
    let mut input = client.stdin.take().expect("openssl's input");
    let head = format!(
        "POST /early?status=413&then=read HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\n\r\n",
        64 << 20
    );
    input.write_all(head.as_bytes()).expect("head");
    input
        .write_all(&vec![b'a'; 64 << 10])
        .expect("a first piece");
    input.flush().expect("flush");
    let lines = common::stdout_lines(&mut client);
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + common::DEADLINE;
    while !seen
        .iter()
        .any(|l: &String| l.starts_with("refused before the body"))
    {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => seen.push(line),
            Err(_) => break,
        }
    }
    drop(input);
    let _ = client.kill();
    let _ = client.wait();
    assert!(
        seen.first().is_some_and(|l| l.starts_with("HTTP/1.1 413")),
        "{seen:?}; bext said: {}",
        bext.stderr()
    );
    assert!(
        seen.iter()
            .any(|l| l.starts_with("refused before the body")),
        "{seen:?}"
    );
}
