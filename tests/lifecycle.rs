//! The process over its life: reloading on SIGHUP (a good config takes effect on open
//! connections, a bad one is refused and the old one keeps serving), draining on SIGTERM,
//! the health and metrics endpoints, the access log, and connections steered to the shard
//! pinned to the CPU they arrive on.
//!
//! Each test starts its own server: most of them signal it or depend on its whole history.

mod common;

use std::io::Read;
use std::net::TcpStream;
use std::time::Duration;

use common::*;

const SIGHUP: i32 = 1;
const SIGTERM: i32 = 15;

fn get_on(client: &mut Client, path: &str) -> Response {
    client.send(
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: lifecycle-test\r\n\r\n")
            .as_bytes(),
    );
    client
        .read_response(false)
        .unwrap_or_else(|| panic!("no response to GET {path} on a kept-alive connection"))
}

fn json(response: &Response) -> serde_json::Value {
    serde_json::from_slice(&response.body).unwrap_or_else(|e| panic!("{e}: {:?}", response.text()))
}

// ---------------------------------------------------------------------------------------
// SIGHUP

/// A config whose file cache never revalidates within a test, so only a reload can change
/// what is served.
fn reload_config(server: &str, root: &str, headers: &str) -> String {
    format!(
        "[server]\nshards = 1\nfile_cache_revalidate_ms = 60000\n{server}\n\n[[site]]\nroot = \"{root}\"\nheaders = {{ {headers} }}\n"
    )
}

#[test]
fn sighup_applies_a_changed_config_on_an_open_connection() {
    let dir = TempDir::new("reload");
    dir.write("one/index.html", "root one");
    dir.write("two/index.html", "root two");
    let config = dir.write("bext.config.toml", reload_config("", "one", ""));
    let bext = Bext::serve_config(&config, &[]);
    let mut client = Client::connect(bext.addr);
    let before = get_on(&mut client, "/");
    assert_eq!(
        (before.text().as_str(), before.header("x-reloaded")),
        ("root one", None)
    );

    dir.write(
        "bext.config.toml",
        reload_config(
            "access_log = \"after.log\"",
            "two",
            "\"x-reloaded\" = \"yes\"",
        ),
    );
    bext.signal(SIGHUP);
    assert!(bext.wait_for_stderr("bext: reloaded"), "{}", bext.stderr());
    // The same connection, never closed, sees the new root and the new header.
    let after = eventually("the reloaded config serves the open connection", || {
        Some(get_on(&mut client, "/")).filter(|r| r.header("x-reloaded").is_some())
    });
    assert_eq!(
        after.text(),
        "root two",
        "the new root, not a cached file of the old one"
    );
    assert_eq!(after.header("x-reloaded"), Some("yes"));
    let fresh = bext.get("/");
    assert_eq!(
        (fresh.text().as_str(), fresh.header("x-reloaded")),
        ("root two", Some("yes"))
    );
    // The access log the new config turned on gets the requests served after the reload.
    let lines = wait_for_lines(&dir.path().join("after.log"), 2);
    assert!(
        lines
            .iter()
            .all(|l| l.contains("\"GET / HTTP/1.1\" 200 8 ")),
        "{lines:?}"
    );
}

#[test]
fn sighup_with_an_invalid_config_keeps_the_old_one() {
    let dir = TempDir::new("reload-bad");
    dir.write("one/index.html", "root one");
    let config = dir.write(
        "bext.config.toml",
        reload_config("", "one", "\"x-version\" = \"1\""),
    );
    let name = config.display().to_string();
    let mut bext = Bext::serve_config(&config, &[]);
    let mut client = Client::connect(bext.addr);
    assert_eq!(get_on(&mut client, "/").header("x-version"), Some("1"));

    let refusals = [
        (
            "[server]\nshards = 1\nbogus = 1\n[[site]]\nroot = \"one\"\n",
            format!("{name}:3:1: server.bogus: "),
        ),
        (
            "[[site]]\nroot = \"gone\"\n",
            format!("{name}:2:8: site[0].root: "),
        ),
        ("[[site]\nroot = \"one\"\n", format!("{name}:1:")),
    ];
    for (n, (text, located)) in refusals.iter().enumerate() {
        dir.write("bext.config.toml", text);
        bext.signal(SIGHUP);
        let said = eventually("the refusal is reported", || {
            let stderr = bext.stderr();
            (stderr.matches("reload refused").count() > n).then_some(stderr)
        });
        assert!(
            said.contains(located.as_str()),
            "want {located:?} in:\n{said}"
        );
        // Still the old config, on the open connection and on new ones.
        assert_eq!(get_on(&mut client, "/").header("x-version"), Some("1"));
        assert_eq!(bext.get("/").header("x-version"), Some("1"));
    }
    assert!(
        !bext.stderr().contains("bext: reloaded"),
        "{}",
        bext.stderr()
    );

    // A good config after the bad ones is taken.
    dir.write(
        "bext.config.toml",
        reload_config("", "one", "\"x-version\" = \"2\""),
    );
    bext.signal(SIGHUP);
    eventually("a fixed config is reloaded", || {
        (get_on(&mut client, "/").header("x-version") == Some("2")).then_some(())
    });
    bext.signal(SIGTERM);
    assert!(bext.wait_exit().success(), "{}", bext.stderr());
}

// ---------------------------------------------------------------------------------------
// SIGTERM

/// Far more than the loopback socket buffers hold, so the response is still being written
/// when the signal arrives.
const SLOW_BODY_BYTES: usize = 32 * 1024 * 1024;

/// A config whose drain deadline and write stall timeout no test here can reach: a drain that
/// waits for a connection it should not wait for shows as a server that does not exit, and a
/// client that pauses is never cut off.
fn drain_config(root: &str) -> String {
    format!(
        "[server]\nshards = 1\ndrain_deadline_ms = 600000\nwrite_stall_timeout_ms = 600000\n\n[[site]]\nroot = \"{root}\"\n"
    )
}

#[test]
fn sigterm_lets_a_slow_download_finish_then_exits_0() {
    let dir = TempDir::new("drain");
    let body: Vec<u8> = (0..SLOW_BODY_BYTES).map(|i| (i % 251) as u8).collect();
    dir.write("site/big.bin", &body);
    let config = dir.write("bext.config.toml", drain_config("site"));
    let mut bext = Bext::serve_config(&config, &[]);
    let addr = bext.addr;
    let mut stream = bext.connect();
    send(
        &mut stream,
        b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n",
    );
    let mut received = Vec::with_capacity(SLOW_BODY_BYTES + 1024);
    let mut chunk = vec![0u8; 64 * 1024];
    while !received.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).expect("read the head");
        assert!(n > 0, "closed before the head");
        received.extend_from_slice(&chunk[..n]);
    }

    // The client reads no further until the server has stopped accepting: the body cannot have
    // been written by then, so the drain has a download in flight.
    bext.signal(SIGTERM);
    assert!(bext.wait_for_stderr("bext: stopping"), "{}", bext.stderr());
    eventually("new connections are refused while draining", || {
        TcpStream::connect_timeout(&addr, Duration::from_secs(1))
            .is_err()
            .then_some(())
    });
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => received.extend_from_slice(&chunk[..n]),
            Err(e) => panic!("the download broke off: {e} after {} bytes", received.len()),
        }
    }

    let head_end = received
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("head")
        + 4;
    let head = String::from_utf8_lossy(&received[..head_end]).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(
        head.contains(&format!("content-length: {SLOW_BODY_BYTES}\r\n")),
        "{head}"
    );
    assert!(
        received[head_end..] == body[..],
        "the drained body differs: {} of {SLOW_BODY_BYTES} bytes",
        received.len() - head_end
    );
    let status = bext.wait_exit();
    assert_eq!(status.code(), Some(0), "{}", bext.stderr());
    assert!(bext.stderr().contains("bext: stopped"), "{}", bext.stderr());
    assert!(
        TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err(),
        "still accepting after exit"
    );
}

/// An idle keep-alive connection holds nothing in flight: the server exits without waiting
/// for the drain deadline (which [`drain_config`] puts far beyond the exit wait).
#[test]
fn sigterm_closes_idle_connections_and_exits_promptly() {
    let dir = TempDir::new("drain-idle");
    dir.write("site/index.html", "hi");
    let config = dir.write("bext.config.toml", drain_config("site"));
    let mut bext = Bext::serve_config(&config, &[]);
    let mut idle = Client::connect(bext.addr);
    assert_eq!(get_on(&mut idle, "/").status, 200);
    bext.signal(SIGTERM);
    assert_eq!(bext.wait_exit().code(), Some(0), "{}", bext.stderr());
    assert!(
        idle.rest_until_close().is_some(),
        "the idle connection was closed"
    );
}

// ---------------------------------------------------------------------------------------
// Health, metrics, CPU steering

#[test]
fn health_reports_ok_and_the_shard() {
    let dir = TempDir::new("health");
    dir.write("index.html", "hi");
    let bext = Bext::serve_dir(dir.path(), &[]);
    let health = bext.get("/__bext/health");
    assert_eq!(health.status, 200);
    assert_eq!(health.header("content-type"), Some("application/json"));
    assert_eq!(health.header("cache-control"), Some("no-store"));
    let body = json(&health);
    assert_eq!(body["status"], "ok", "{body}");
    assert_eq!(body["shard"], 0, "{body}");
    assert_eq!(bext.get("/__bext/nope").status, 404);
}

/// The CPUs this process may run on, as the server's shard plan sees them: shard `i` is
/// pinned to the `i`-th.
fn cpus() -> Vec<core_affinity::CoreId> {
    let cpus = core_affinity::get_core_ids().expect("the allowed CPUs");
    assert!(!cpus.is_empty());
    cpus
}

/// Runs `work` on a thread pinned to `cpu`.
fn on_cpu<T: Send + 'static>(
    cpu: core_affinity::CoreId,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    std::thread::spawn(move || {
        assert!(
            core_affinity::set_for_current(cpu),
            "pin the test thread to {cpu:?}"
        );
        work()
    })
    .join()
    .expect("pinned thread")
}

fn metric(text: &str, series: &str) -> u64 {
    let line = text
        .lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .unwrap_or_else(|| panic!("no {series} in:\n{text}"));
    line[series.len()..]
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("{line}: {e}"))
}

/// Connections made from a thread pinned to CPU k reach shard k (the SO_REUSEPORT group's
/// BPF program picks the socket of the shard pinned to the CPU that handles the SYN, which on
/// loopback is the sender's), and a metrics scrape on any shard sums every shard's counters.
#[test]
fn connections_are_steered_to_the_cpus_shard_and_metrics_sum_all_shards() {
    const CONNECTIONS_PER_CPU: u64 = 6;
    let cpus: Vec<_> = cpus().into_iter().take(2).collect();
    let shards = cpus.len();
    let dir = TempDir::new("steering");
    dir.write("index.html", "hi");
    let bext = Bext::serve_dir(dir.path(), &["--shards", &shards.to_string()]);
    let addr = bext.addr;
    for (k, &cpu) in cpus.iter().enumerate() {
        let seen = on_cpu(cpu, move || {
            (0..CONNECTIONS_PER_CPU)
                .map(|_| {
                    let mut client = Client::connect(addr);
                    let health = get_on(&mut client, "/__bext/health");
                    assert_eq!(get_on(&mut client, "/").status, 200);
                    serde_json::from_slice::<serde_json::Value>(&health.body).expect("health JSON")
                        ["shard"]
                        .as_u64()
                })
                .collect::<Vec<_>>()
        });
        assert!(
            seen.iter().all(|&s| s == Some(k as u64)),
            "connections from CPU {cpu:?} were served by shards {seen:?}, want {k}"
        );
    }

    let answered = 2 * CONNECTIONS_PER_CPU * shards as u64;
    // Scrape from each CPU, so each shard gathers the totals in turn. A scrape is counted once
    // answered, so each one sees the ones before it. It sums the shards that answer within the
    // server's mesh timeout, which a busy machine can make one miss: scrape until all do.
    let mut scrapes = 0;
    for &cpu in &cpus {
        let text = eventually("a scrape that every shard answers", || {
            let text = on_cpu(cpu, move || {
                request(
                    addr,
                    "GET /__bext/metrics HTTP/1.1\r\nHost: localhost\r\n\r\n",
                )
                .text()
            });
            scrapes += 1;
            (metric(&text, "bext_shards{state=\"reporting\"}") == shards as u64).then_some(text)
        });
        assert_eq!(
            metric(&text, "bext_requests_total{class=\"2xx\"}"),
            answered + scrapes - 1,
            "{text}"
        );
        assert_eq!(
            metric(&text, "bext_shards{state=\"running\"}"),
            shards as u64,
            "{text}"
        );
        assert_eq!(
            metric(&text, "bext_requests_total{class=\"4xx\"}"),
            0,
            "{text}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Access log

fn wait_for_lines(path: &std::path::Path, count: usize) -> Vec<String> {
    eventually(
        &format!("{count} access-log lines in {}", path.display()),
        || {
            let text = std::fs::read_to_string(path).ok()?;
            let lines: Vec<String> = text.lines().map(str::to_string).collect();
            (lines.len() >= count && text.ends_with('\n')).then_some(lines)
        },
    )
}

#[test]
fn access_log_combined_to_a_file() {
    let dir = TempDir::new("access-combined");
    dir.write("site/index.html", "hello");
    let log = dir.path().join("access.log");
    let bext = Bext::serve_dir(
        &dir.path().join("site"),
        &["--access-log", &log.display().to_string()],
    );
    let mut client = Client::connect(bext.addr);
    client.send(b"GET /index.html?x=1 HTTP/1.1\r\nHost: localhost\r\nReferer: http://ref.example/\r\nUser-Agent: agent \"quoted\"\r\n\r\n");
    assert_eq!(client.read_response(false).expect("response").status, 200);
    let missing = get_on(&mut client, "/missing");
    assert_eq!(missing.status, 404);

    let lines = wait_for_lines(&log, 2);
    assert_eq!(lines.len(), 2, "{lines:?}");
    // 127.0.0.1 - - [24/Nov/2026:20:04:17 +0000] "GET /index.html?x=1 HTTP/1.1" 200 5 "ref" "ua"
    let parse = |line: &str| -> (String, String, String, u16, u64, String, String) {
        let (peer, rest) = line
            .split_once(" - - [")
            .unwrap_or_else(|| panic!("{line}"));
        let (time, rest) = rest.split_once("] \"").unwrap_or_else(|| panic!("{line}"));
        let (request, rest) = rest.split_once("\" ").unwrap_or_else(|| panic!("{line}"));
        let mut numbers = rest.splitn(3, ' ');
        let status = numbers
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{line}"));
        let bytes = numbers
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{line}"));
        let quoted = numbers.next().unwrap_or_else(|| panic!("{line}"));
        let (referer, agent) = quoted
            .strip_prefix('"')
            .and_then(|q| q.strip_suffix('"'))
            .and_then(|q| q.split_once("\" \""))
            .unwrap_or_else(|| panic!("{line}"));
        assert!(
            time.ends_with(" +0000") && time.len() == 26,
            "time {time:?} in {line}"
        );
        (
            peer.to_string(),
            time.to_string(),
            request.to_string(),
            status,
            bytes,
            referer.to_string(),
            agent.to_string(),
        )
    };
    let (peer, _, request, status, bytes, referer, agent) = parse(&lines[0]);
    assert_eq!(peer, "127.0.0.1");
    assert_eq!(request, "GET /index.html?x=1 HTTP/1.1");
    assert_eq!((status, bytes), (200, 5));
    assert_eq!(referer, "http://ref.example/");
    assert_eq!(agent, "agent \\\"quoted\\\"");
    let (_, _, request, status, bytes, _, agent) = parse(&lines[1]);
    assert_eq!(
        (request.as_str(), status, agent.as_str()),
        ("GET /missing HTTP/1.1", 404, "lifecycle-test")
    );
    assert_eq!(
        bytes,
        missing.body.len() as u64,
        "the 404 body's bytes are logged"
    );
}

#[test]
fn access_log_json_from_the_config_and_flushed_on_exit() {
    let dir = TempDir::new("access-json");
    dir.write("site/index.html", "hello");
    let config = dir.write(
        "bext.config.toml",
        "[server]\nshards = 1\naccess_log = \"logs/access.json\"\naccess_log_format = \"json\"\n\n[[site]]\nroot = \"site\"\n",
    );
    std::fs::create_dir_all(dir.path().join("logs")).expect("logs dir");
    let log = dir.path().join("logs/access.json");
    let mut bext = Bext::serve_config(&config, &[]);
    let mut client = Client::connect(bext.addr);
    let ok = get_on(&mut client, "/");
    assert_eq!(ok.status, 200);
    client.send(b"HEAD /index.html HTTP/1.1\r\nHost: example.test:8080\r\n\r\n");
    assert_eq!(client.read_response(true).expect("response").status, 200);

    let lines = wait_for_lines(&log, 2);
    let entries: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let first = &entries[0];
    assert_eq!(first["method"], "GET", "{first}");
    assert_eq!(first["target"], "/", "{first}");
    assert_eq!(first["protocol"], "HTTP/1.1", "{first}");
    assert_eq!(first["status"], 200, "{first}");
    assert_eq!(first["body_bytes"], 5, "{first}");
    assert_eq!(first["host"], "localhost", "{first}");
    assert_eq!(first["user_agent"], "lifecycle-test", "{first}");
    assert_eq!(first["referer"], serde_json::Value::Null, "{first}");
    assert_eq!(first["remote_addr"], "127.0.0.1", "{first}");
    assert!(
        first["time"].as_u64().is_some() && first["duration_us"].as_u64().is_some(),
        "{first}"
    );
    let second = &entries[1];
    assert_eq!(
        (second["method"].as_str(), second["body_bytes"].as_u64()),
        (Some("HEAD"), Some(0)),
        "{second}"
    );
    assert_eq!(second["host"], "example.test:8080", "{second}");
    assert_eq!(second["user_agent"], serde_json::Value::Null, "{second}");

    // A line still in a shard's buffer is written when the server stops, not lost.
    let _ = get_on(&mut client, "/last");
    bext.signal(SIGTERM);
    assert!(bext.wait_exit().success(), "{}", bext.stderr());
    let text = std::fs::read_to_string(&log).expect("log");
    let last: serde_json::Value =
        serde_json::from_str(text.lines().last().expect("a line")).expect("JSON");
    assert_eq!(
        (last["target"].as_str(), last["status"].as_u64()),
        (Some("/last"), Some(404)),
        "{text}"
    );
}

/// Regression: requests refused before a handler saw them (a head that does not parse, a
/// body refused, a 408) never reached the access log, so the attacks an operator most wants
/// to see left no trace. They are logged, with why, and counted.
#[test]
fn refused_requests_reach_the_access_log() {
    let dir = TempDir::new("access-refused");
    dir.write("site/index.html", "hello");
    let config = dir.write(
        "bext.config.toml",
        "[server]\nshards = 1\naccess_log = \"access.json\"\naccess_log_format = \"json\"\nheader_read_timeout_ms = 500\n\n[[site]]\nroot = \"site\"\nbody_bytes_max = 10\n",
    );
    let log = dir.path().join("access.json");
    let bext = Bext::serve_config(&config, &[]);
    // No Host in HTTP/1.1: the head is refused before a request exists.
    let r = request(bext.addr, "GET / HTTP/1.1\r\n\r\n");
    assert_eq!(r.status, 400, "{}", r.summary());
    // A body over the site's limit is refused before it is read.
    let r = request(
        bext.addr,
        "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n",
    );
    assert_eq!(r.status, 413, "{}", r.summary());
    // A head that never ends: 408 once the header deadline passes.
    let mut stalled = Client::connect(bext.addr);
    stalled.send(b"GET / HTTP/1.1\r\nHost: x\r\n");
    let r = stalled.read_response(false).expect("a 408");
    assert_eq!(r.status, 408, "{}", r.summary());

    let lines = wait_for_lines(&log, 3);
    let entries: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    // (method, target, status, refused reason) of each line.
    type Seen<'a> = (Option<&'a str>, Option<&'a str>, u64, Option<&'a str>);
    let seen: Vec<Seen<'_>> = entries
        .iter()
        .map(|e| {
            (
                e["method"].as_str(),
                e["target"].as_str(),
                e["status"].as_u64().unwrap_or(0),
                e["refused"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (None, None, 400, Some("missing Host header")),
            (
                Some("POST"),
                Some("/upload"),
                413,
                Some("request body too large")
            ),
            (None, None, 408, Some("request timeout")),
        ],
        "{lines:?}"
    );
    let metrics = bext.get("/__bext/metrics").text();
    assert!(
        metrics.contains("bext_requests_refused_total 3\n"),
        "{metrics}"
    );
}
