//! `[realtime]` end to end: SSE subscribers (curl, pinned to each CPU so they land on each
//! shard) and publishers over HTTP; every subscriber sees every event of its topics in one
//! order whichever shard published it, resumes from its last event id, needs a token when
//! the config has a secret (made with `bext realtime-token`), and a subscriber that stops
//! reading is evicted without holding the others up, and one that leaves is let go at once.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{Bext, TempDir, eventually};

const PUBLISH_TOKEN: &str = "publish-token-0123456789abcdef0123456789";
const SECRET: &str = "subscriber-secret-0123456789abcdef012345";

fn config(dir: &TempDir, realtime: &str) -> std::path::PathBuf {
    dir.write(
        "bext.toml",
        format!(
            "[realtime]\npublish_token = \"{PUBLISH_TOKEN}\"\n{realtime}\n\n\
             [[site]]\nroot = \"www\"\n"
        ),
    )
}

/// What the reader reports when the stream says it is subscribed.
const SUBSCRIBED: &str = "(subscribed)";

/// One SSE event as read: its id, name and data.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SseEvent {
    id: String,
    name: String,
    data: String,
}

/// A subscriber: curl (pinned to `cpu`) reading the stream, its events sent to `events`.
struct Subscriber {
    child: Child,
    events: mpsc::Receiver<SseEvent>,
}

impl Subscriber {
    fn start(cpu: usize, url: &str, headers: &[&str]) -> Subscriber {
        let mut command = Command::new("taskset");
        command.args(["-c", &cpu.to_string(), "curl", "-sSN", "--max-time", "60"]);
        for header in headers {
            command.args(["-H", header]);
        }
        let mut child = command
            .arg(url)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("taskset and curl run");
        let stdout = child.stdout.take().expect("piped");
        let (tx, events) = mpsc::channel();
        std::thread::spawn(move || {
            let mut event = SseEvent {
                id: String::new(),
                name: String::new(),
                data: String::new(),
            };
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if line.starts_with(": subscribed") {
                    let marker = SseEvent {
                        id: String::new(),
                        name: SUBSCRIBED.into(),
                        data: String::new(),
                    };
                    if tx.send(marker).is_err() {
                        return;
                    }
                } else if line.is_empty() {
                    if !event.data.is_empty() || !event.name.is_empty() {
                        let done = std::mem::replace(
                            &mut event,
                            SseEvent {
                                id: String::new(),
                                name: String::new(),
                                data: String::new(),
                            },
                        );
                        if tx.send(done).is_err() {
                            return;
                        }
                    }
                } else if let Some(id) = line.strip_prefix("id: ") {
                    event.id = id.to_owned();
                } else if let Some(name) = line.strip_prefix("event: ") {
                    event.name = name.to_owned();
                } else if let Some(data) = line.strip_prefix("data: ") {
                    if !event.data.is_empty() {
                        event.data.push('\n');
                    }
                    event.data.push_str(data);
                }
            }
        });
        let subscriber = Subscriber { child, events };
        // Subscribed once the stream's first comment is in: nothing published after this is
        // missed.
        let first = subscriber.take(1);
        assert_eq!(first[0].name, SUBSCRIBED, "{first:?}");
        subscriber
    }

    /// The next `n` events, within the deadline.
    fn take(&self, n: usize) -> Vec<SseEvent> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut got = Vec::with_capacity(n);
        while got.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(event) => got.push(event),
                Err(_) => panic!("{} of {n} events within 30 s: {got:?}", got.len()),
            }
        }
        got
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Publishes each of `bodies` in turn on one connection from `cpu` (curl `--next`): the
/// statuses.
fn publish_from(cpu: usize, addr: SocketAddr, bodies: &[String]) -> Vec<u16> {
    let url = format!("http://{addr}/__bext/realtime/publish");
    let auth = format!("Authorization: Bearer {PUBLISH_TOKEN}");
    let mut args: Vec<String> = vec!["-c".into(), cpu.to_string(), "curl".into()];
    for (i, body) in bodies.iter().enumerate() {
        if i > 0 {
            args.push("--next".into());
        }
        for arg in [
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}\n",
            "-H",
            &auth,
            "-d",
            body,
            &url,
        ] {
            args.push(arg.into());
        }
    }
    let out = Command::new("taskset")
        .args(&args)
        .output()
        .expect("taskset and curl run");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().parse().unwrap_or(0))
        .collect()
}

fn wait_for_subscribers(bext: &Bext, n: u64) {
    eventually(&format!("{n} subscribers"), || {
        (bext.metric("bext_realtime_subscribers") == n).then_some(())
    });
}

#[test]
fn every_subscriber_sees_every_event_in_one_order_whichever_shard_published_it() {
    let dir = TempDir::new("realtime-order");
    dir.write("www/index.html", "hi\n");
    let bext = Bext::serve_config(&config(&dir, ""), &["--shards", "2"]);
    let url = format!("http://{}/__bext/realtime/sse?topics=room,other", bext.addr);
    let a = Subscriber::start(0, &url, &[]);
    let b = Subscriber::start(1, &url, &[]);
    wait_for_subscribers(&bext, 2);
    // Two publishers, one per CPU (so one per shard), 60 events each, at the same time.
    let per = 60;
    let publishers: Vec<_> = (0..2)
        .map(|cpu| {
            let addr = bext.addr;
            std::thread::spawn(move || {
                let bodies: Vec<String> = (0..per)
                    .map(|i| format!(r#"{{"topic":"room","data":"p{cpu}-{i}","event":"say"}}"#))
                    .collect();
                publish_from(cpu, addr, &bodies)
            })
        })
        .collect();
    for publisher in publishers {
        let statuses = publisher.join().expect("publisher");
        assert_eq!(statuses, vec![202; per], "publishes accepted");
    }
    let seen_a = a.take(2 * per);
    let seen_b = b.take(2 * per);
    // One order for everyone, each publisher's events in the order it sent them.
    assert_eq!(seen_a, seen_b);
    for cpu in 0..2 {
        let mine: Vec<&str> = seen_a
            .iter()
            .map(|e| e.data.as_str())
            .filter(|d| d.starts_with(&format!("p{cpu}-")))
            .collect();
        let expected: Vec<String> = (0..per).map(|i| format!("p{cpu}-{i}")).collect();
        assert_eq!(mine, expected, "publisher {cpu}'s events in its order");
    }
    assert!(seen_a.iter().all(|e| e.name == "say"));
    assert_eq!(bext.metric("bext_realtime_published_total"), 2 * per as u64);
    assert_eq!(bext.metric("bext_realtime_delivered_total"), 4 * per as u64);
}

#[test]
fn a_subscriber_resumes_after_its_last_event_id() {
    let dir = TempDir::new("realtime-resume");
    dir.write("www/index.html", "hi\n");
    let bext = Bext::serve_config(&config(&dir, "replay_max = 16"), &["--shards", "2"]);
    let url = format!("http://{}/__bext/realtime/sse?topics=news", bext.addr);
    let first = Subscriber::start(0, &url, &[]);
    wait_for_subscribers(&bext, 1);
    let bodies: Vec<String> = (0..5)
        .map(|i| format!(r#"{{"topic":"news","data":{{"n":{i}}}}}"#))
        .collect();
    assert_eq!(publish_from(0, bext.addr, &bodies), vec![202; 5]);
    let seen = first.take(5);
    assert_eq!(seen[4].data, r#"{"n":4}"#);
    drop(first);
    // Back with the id of the second event (on the other shard): the three after it.
    let header = format!("Last-Event-ID: {}", seen[1].id);
    let again = Subscriber::start(1, &url, &[&header]);
    let resumed = again.take(3);
    assert_eq!(resumed, seen[2..].to_vec());
    // An id from another run of bext resumes nothing; new events still come.
    let stale = Subscriber::start(0, &url, &["Last-Event-ID: 1:news=0"]);
    assert_eq!(publish_from(1, bext.addr, &[bodies[0].clone()]), vec![202]);
    assert_eq!(stale.take(1)[0].data, r#"{"n":0}"#);
}

/// A subscriber token for `topics` valid `ttl` seconds, made by `bext realtime-token` with
/// the config `file`'s secret.
fn token(file: &std::path::Path, topics: &str, ttl: &str) -> String {
    let out = Command::new(common::bext_bin())
        .args(["realtime-token", "-c"])
        .arg(file)
        .args(["--topics", topics, "--ttl-secs", ttl])
        .output()
        .expect("bext runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn subscribing_needs_a_token_for_its_topics_when_there_is_a_secret() {
    let dir = TempDir::new("realtime-token");
    dir.write("www/index.html", "hi\n");
    let file = config(&dir, &format!("secret = \"{SECRET}\""));
    let bext = Bext::serve_config(&file, &["--shards", "1"]);
    let token = |topics: &str, ttl: &str| token(&file, topics, ttl);
    let base = format!("http://{}/__bext/realtime/sse", bext.addr);
    let status = |url: &str, extra: &[&str]| {
        let out = Command::new("curl")
            .args([
                "-sS",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "--max-time",
                "2",
            ])
            .args(extra)
            .arg(url)
            .output()
            .expect("curl runs");
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse::<u16>()
            .unwrap_or(0)
    };
    assert_eq!(
        status(&format!("{base}?topics=chat.1"), &[]),
        403,
        "no token"
    );
    let chat = token("chat.*", "600");
    assert_eq!(
        status(&format!("{base}?topics=news&token={chat}"), &[]),
        403,
        "a topic the token does not name"
    );
    let expired = token("chat.*", "0");
    assert_eq!(
        status(&format!("{base}?topics=chat.1&token={expired}"), &[]),
        403
    );
    assert_eq!(
        status(&format!("{base}?topics=chat.1&token=v1.forged.sig"), &[]),
        403
    );
    assert_eq!(status(&format!("{base}?topics="), &[]), 400);
    // Allowed, by query and by header; events flow.
    let by_query = Subscriber::start(0, &format!("{base}?topics=chat.1&token={chat}"), &[]);
    let auth = format!("Authorization: Bearer {chat}");
    let by_header = Subscriber::start(0, &format!("{base}?topics=chat.1,chat.2"), &[&auth]);
    wait_for_subscribers(&bext, 2);
    let body = r#"{"topic":"chat.1","data":"hello"}"#.to_owned();
    assert_eq!(publish_from(0, bext.addr, &[body]), vec![202]);
    assert_eq!(by_query.take(1)[0].data, "hello");
    assert_eq!(by_header.take(1)[0].data, "hello");
}

#[test]
fn publishing_needs_its_token_and_a_publish_body() {
    let dir = TempDir::new("realtime-publish");
    dir.write("www/index.html", "hi\n");
    let bext = Bext::serve_config(&config(&dir, ""), &["--shards", "1"]);
    let url = format!("http://{}/__bext/realtime/publish", bext.addr);
    let status = |args: &[&str]| {
        let out = Command::new("curl")
            .args(["-sS", "-o", "/dev/null", "-w", "%{http_code}"])
            .args(args)
            .arg(&url)
            .output()
            .expect("curl runs");
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse::<u16>()
            .unwrap_or(0)
    };
    let good = r#"{"topic":"t","data":"x"}"#;
    let auth = format!("Authorization: Bearer {PUBLISH_TOKEN}");
    assert_eq!(status(&["-d", good]), 401);
    assert_eq!(
        status(&["-H", "Authorization: Bearer wrong", "-d", good]),
        401
    );
    assert_eq!(status(&["-H", &auth]), 405);
    assert_eq!(
        status(&["-H", &auth, "-d", "{\"topic\":\"a b\",\"data\":1}"]),
        400
    );
    assert_eq!(status(&["-H", &auth, "-d", good]), 202);
    // Without [realtime], the paths are the site's own.
    let plain = TempDir::new("realtime-off");
    plain.write("www/index.html", "hi\n");
    let off = Bext::serve_config(
        &plain.write("bext.toml", "[[site]]\nroot = \"www\"\n"),
        &["--shards", "1"],
    );
    assert_eq!(off.get("/__bext/realtime/sse?topics=t").status, 404);
}

#[test]
fn a_subscriber_that_stops_reading_is_evicted_and_the_others_keep_up() {
    let dir = TempDir::new("realtime-slow");
    dir.write("www/index.html", "hi\n");
    // The stalled write must outlast the test's publishing: what is evicted is the queue.
    let settings = "queue_max = 8\nreplay_max = 0\n[server]\nwrite_stall_timeout_ms = 120000";
    let bext = Bext::serve_config(&config(&dir, settings), &["--shards", "1"]);
    // Subscribes, then does not read: the socket buffers fill, then its queue.
    let mut slow = TcpStream::connect(bext.addr).expect("connect");
    slow.write_all(b"GET /__bext/realtime/sse?topics=firehose HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("subscribe");
    let reader = Subscriber::start(
        0,
        &format!("http://{}/__bext/realtime/sse?topics=firehose", bext.addr),
        &[],
    );
    wait_for_subscribers(&bext, 2);
    let data = "x".repeat(16 * 1024);
    let body = format!(r#"{{"topic":"firehose","data":"{data}"}}"#);
    // 32 MiB: more than the two sockets' buffers hold.
    let total = 2000;
    let mut published = 0;
    let mut seen = 0;
    while published < total {
        let batch = vec![body.clone(); 50];
        assert_eq!(publish_from(0, bext.addr, &batch), vec![202; 50]);
        published += 50;
        // The reader keeps up as it goes (its queue holds 8).
        seen += reader.take(50).len();
    }
    assert_eq!(seen, total);
    eventually("the one that stopped reading is evicted", || {
        (bext.metric("bext_realtime_evicted_total") == 1).then_some(())
    });
    // What it gets when it reads at last: what was on its way, then its eviction, then the
    // end of the stream.
    slow.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut all = Vec::new();
    let _ = slow.read_to_end(&mut all);
    let text = String::from_utf8_lossy(&all);
    assert!(
        text.starts_with("HTTP/1.1 200"),
        "{}",
        &text[..text.len().min(200)]
    );
    assert!(
        text.contains("event: bext-evicted\ndata: too slow"),
        "the eviction is said"
    );
    wait_for_subscribers(&bext, 1);
}

/// The `websockets` release the WebSocket scripts are written against.
const WEBSOCKETS: &str = "websockets==15.0.1";

fn script(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/realtime")
        .join(name)
}

/// `ws_client.py URL COUNT [--deflate]` pinned to `cpu`, its output lines on a channel; the
/// first line (`open EXTENSIONS`) is read before it returns.
fn ws_subscriber(
    cpu: usize,
    url: &str,
    count: usize,
    deflate: bool,
) -> (Child, mpsc::Receiver<String>, String) {
    let python = common::venv_python("websockets", WEBSOCKETS);
    let mut command = Command::new("taskset");
    command
        .args(["-c", &cpu.to_string()])
        .arg(python)
        .arg(script("ws_client.py"))
        .args([url, &count.to_string()]);
    if deflate {
        command.arg("--deflate");
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the WebSocket client runs");
    let lines = common::stdout_lines(&mut child);
    let open = lines
        .recv_timeout(Duration::from_secs(60))
        .expect("the client's handshake within 60 s");
    assert!(open.starts_with("open "), "{open}");
    (child, lines, open)
}

/// With one WebSocket subscriber to `room` open, starts an SSE one (CPU 0), publishes three
/// events from `cpu`, and checks that the WebSocket's messages (`next`) carry each as JSON,
/// with the same id the SSE subscriber got: either resumes from it. The SSE subscriber,
/// still subscribed.
fn three_events_as_sse_has_them(
    bext: &Bext,
    cpu: usize,
    mut next: impl FnMut() -> String,
) -> Subscriber {
    let sse = Subscriber::start(
        0,
        &format!("http://{}/__bext/realtime/sse?topics=room", bext.addr),
        &[],
    );
    wait_for_subscribers(bext, 2);
    let bodies: Vec<String> = (0..3)
        .map(|i| format!(r#"{{"topic":"room","data":"m{i}","event":"say"}}"#))
        .collect();
    assert_eq!(publish_from(cpu, bext.addr, &bodies), vec![202; 3]);
    for (i, sse_event) in sse.take(3).iter().enumerate() {
        let doc: serde_json::Value = serde_json::from_str(&next()).expect("JSON");
        assert_eq!(doc["topic"], "room");
        assert_eq!(doc["event"], "say");
        assert_eq!(doc["data"], format!("m{i}"));
        assert_eq!(doc["id"], sse_event.id.as_str());
    }
    sse
}

#[test]
fn websocket_subscribers_get_each_event_as_json_like_sse_ones() {
    let dir = TempDir::new("realtime-ws");
    dir.write("www/index.html", "hi\n");
    let bext = Bext::serve_config(&config(&dir, ""), &["--shards", "2"]);
    let ws_url = format!("ws://{}/__bext/realtime/ws?topics=room", bext.addr);
    let (mut ws, lines, open) = ws_subscriber(1, &ws_url, 3, false);
    assert_eq!(open, "open -");
    let _sse = three_events_as_sse_has_them(&bext, 0, || {
        lines
            .recv_timeout(Duration::from_secs(30))
            .expect("a WebSocket message")
    });
    let closed = lines.recv_timeout(Duration::from_secs(30)).expect("closed");
    assert_eq!(closed, "closed 1000", "a clean close, echoed");
    let _ = ws.wait();
    wait_for_subscribers(&bext, 1);
}

#[test]
fn websocket_subscribers_may_negotiate_deflate_when_the_config_allows() {
    let dir = TempDir::new("realtime-ws-deflate");
    dir.write("www/index.html", "hi\n");
    let bext = Bext::serve_config(
        &config(&dir, "websocket_deflate = true"),
        &["--shards", "1"],
    );
    let ws_url = format!("ws://{}/__bext/realtime/ws?topics=big", bext.addr);
    let (mut ws, lines, open) = ws_subscriber(0, &ws_url, 2, true);
    assert!(open.starts_with("open permessage-deflate"), "{open}");
    let text = "compressible ".repeat(2000);
    let bodies: Vec<String> = (0..2)
        .map(|i| format!(r#"{{"topic":"big","data":"{text}{i}"}}"#))
        .collect();
    assert_eq!(publish_from(0, bext.addr, &bodies), vec![202; 2]);
    for i in 0..2 {
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .expect("a message");
        let doc: serde_json::Value = serde_json::from_str(&line).expect("JSON");
        assert_eq!(doc["data"], format!("{text}{i}"));
    }
    let _ = ws.wait();
    // Without the setting, the same offer is declined.
    let plain = TempDir::new("realtime-ws-plain");
    plain.write("www/index.html", "hi\n");
    let bext = Bext::serve_config(&config(&plain, ""), &["--shards", "1"]);
    let url = format!("ws://{}/__bext/realtime/ws?topics=big", bext.addr);
    let (mut ws, _lines, open) = ws_subscriber(0, &url, 0, true);
    assert_eq!(open, "open -");
    let _ = ws.wait();
}

#[test]
fn websocket_subscribers_over_http2_and_http3_come_by_extended_connect() {
    let dir = TempDir::new("realtime-ws-h2-h3");
    dir.write("www/index.html", "hi\n");
    let config = dir.write(
        "bext.toml",
        format!(
            "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\nhttp3 = true\n\n\
             [realtime]\npublish_token = \"{PUBLISH_TOKEN}\"\nwebsocket_deflate = true\n\n\
             [[site]]\nroot = \"www\"\ntls = \"self-signed\"\n"
        ),
    );
    let bext = Bext::serve_config(&config, &["--shards", "2"]);
    // HTTP/2 by prior knowledge (RFC 8441), then HTTP/3 (RFC 9220): the same subscriber.
    for (addr, transport) in [(bext.addr, "plain"), (bext.quic_addr(), "h3")] {
        subscribes_by_extended_connect(&bext, addr, transport);
    }
}

#[test]
fn a_stop_closes_websockets_over_http1_and_http3_with_1001_and_waits_only_for_that() {
    let dir = TempDir::new("realtime-ws-stop");
    dir.write("www/index.html", "hi\n");
    // A drain deadline far beyond the wait below: the stop must not need it.
    let config = dir.write(
        "bext.toml",
        format!(
            "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\nhttp3 = true\n\
             drain_deadline_ms = 600000\n\n\
             [realtime]\npublish_token = \"{PUBLISH_TOKEN}\"\n\n\
             [[site]]\nroot = \"www\"\ntls = \"self-signed\"\n"
        ),
    );
    let mut bext = Bext::serve_config(&config, &["--shards", "2"]);
    let url = format!("ws://{}/__bext/realtime/ws?topics=room", bext.addr);
    let (mut h1, h1_lines, _) = ws_subscriber(0, &url, usize::MAX, false);
    let path = "/__bext/realtime/ws?topics=room";
    let (mut h3, h3_lines) = common::ws_connect(bext.quic_addr(), "h3", path, &["--until-close"]);
    let open: Vec<String> = h3_lines.iter().take(2).collect();
    assert_eq!(open, ["settings connect=1", "open 200 -"]);
    wait_for_subscribers(&bext, 2);
    let stopped = Instant::now();
    bext.signal(15);
    // Each gets the server's close before the server is gone (HTTP/2's is not checked here:
    // Python's h2 takes the GOAWAY of a graceful stop for the connection's end).
    assert_eq!(h1_lines.iter().collect::<Vec<_>>(), ["closed 1001"]);
    assert!(h1.wait().expect("the HTTP/1.1 client ends").success());
    assert_eq!(
        h3_lines.iter().collect::<Vec<_>>(),
        ["closed 1001", "ended"]
    );
    assert!(h3.wait().expect("the HTTP/3 client ends").success());
    assert!(bext.wait_exit().success());
    // The closes were answered: nothing held the drain to its deadline.
    assert!(
        stopped.elapsed() < Duration::from_secs(60),
        "the stop waited {:?} for its WebSockets",
        stopped.elapsed()
    );
}

/// A subscriber over `transport` (`ws_connect.py`'s) to `addr`: offers deflate, reads three
/// messages, closes, then opens a second stream on the same connection; then what cannot
/// be a subscriber is refused with its reason over the same driver.
fn subscribes_by_extended_connect(bext: &Bext, addr: std::net::SocketAddr, transport: &str) {
    let path = "/__bext/realtime/ws?topics=room";
    let (mut ws, lines) = common::ws_connect(
        addr,
        transport,
        path,
        &["--receive", "3", "--deflate", "--then-open"],
    );
    let next = || {
        lines
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("a line from the {transport} WebSocket client"))
    };
    assert_eq!(
        next(),
        "settings connect=1",
        "{transport}: SETTINGS_ENABLE_CONNECT_PROTOCOL"
    );
    let open = next();
    assert!(
        open.starts_with("open 200 permessage-deflate"),
        "{transport}: {open}"
    );
    let sse = three_events_as_sse_has_them(bext, 1, &next);
    assert_eq!(next(), "closed 1000", "{transport}: the close is echoed");
    assert_eq!(
        next(),
        "ended",
        "{transport}: the stream ends cleanly, not with a reset"
    );
    assert_eq!(
        next(),
        "again 200",
        "{transport}: the connection carries another"
    );
    assert!(ws.wait().expect("the client ends").success());
    // The client is gone, and its second socket with it: the SSE subscriber is left.
    wait_for_subscribers(bext, 1);
    let refusals: [(&str, &[&str], &str); 4] = [
        (
            path,
            &["--protocol", "chat"],
            "refused 400 a WebSocket needs",
        ),
        (path, &["--version", "8"], "refused 426"),
        (
            "/__bext/realtime/ws?topics=a%20b",
            &[],
            "refused 400 `a b` is not a topic",
        ),
        ("/index.html", &[], "refused 405"),
    ];
    for (target, args, expect) in refusals {
        let out = common::ws_connect_output(addr, transport, target, args);
        assert_eq!(out.first().map(String::as_str), Some("settings connect=1"));
        assert!(
            out.get(1).is_some_and(|line| line.starts_with(expect)),
            "{transport}: {target} {args:?}: {out:?}"
        );
    }
    wait_for_subscribers(bext, 1);
    drop(sse);
    wait_for_subscribers(bext, 0);
}

/// `ws_session.py` on `url`: the lines to send, and what it prints, as it comes.
struct Session {
    child: Child,
    stdin: Option<std::process::ChildStdin>,
    lines: mpsc::Receiver<String>,
}

impl Session {
    fn open(url: &str) -> Session {
        let python = common::venv_python("websockets", WEBSOCKETS);
        let mut child = Command::new(python)
            .arg(script("ws_session.py"))
            .arg(url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the WebSocket session runs");
        let lines = common::stdout_lines(&mut child);
        let stdin = child.stdin.take();
        let session = Session {
            child,
            stdin,
            lines,
        };
        assert_eq!(session.next(), "open");
        session
    }

    fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("open");
        writeln!(stdin, "{line}").expect("the session takes a line");
        stdin.flush().expect("flushed");
    }

    fn next(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(30))
            .expect("a line from the WebSocket session")
    }

    /// Sends `command` and reads its answer as JSON.
    fn ask(&mut self, command: &str) -> serde_json::Value {
        self.send(command);
        serde_json::from_str(&self.next()).expect("a JSON answer")
    }

    fn close(mut self) -> String {
        drop(self.stdin.take());
        let last = self.next();
        let _ = self.child.wait();
        last
    }
}

#[test]
fn a_websocket_subscriber_changes_its_topics_by_command() {
    let dir = TempDir::new("realtime-ws-commands");
    dir.write("www/index.html", "hi\n");
    let file = config(&dir, &format!("secret = \"{SECRET}\"\nreplay_max = 8"));
    let bext = Bext::serve_config(&file, &["--shards", "2"]);
    let publish = |topic: &str, data: &str| {
        let body = format!(r#"{{"topic":"{topic}","data":"{data}"}}"#);
        assert_eq!(publish_from(0, bext.addr, &[body]), [202]);
    };
    // Opened with no topics and no token: a token is needed for any topic.
    let mut ws = Session::open(&format!("ws://{}/__bext/realtime/ws", bext.addr));
    let refused = ws.ask(r#"{"type":"subscribe","topics":["chat.1"],"ref":1}"#);
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["ref"], 1);
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("token")),
        "{refused}"
    );
    // With a token for chat.*: chat.1 and chat.2, not news.
    let chat = token(&file, "chat.*", "600");
    let done = ws.ask(&format!(
        r#"{{"type":"subscribe","topics":["chat.1","chat.2"],"token":"{chat}","ref":"a"}}"#
    ));
    assert_eq!(
        done,
        serde_json::json!({"type": "subscribed", "topics": ["chat.1", "chat.2"], "ref": "a"})
    );
    let refused = ws.ask(r#"{"type":"subscribe","topics":["news"]}"#);
    assert_eq!(refused["message"], "the token does not allow topic `news`");
    // An expired token is refused and the socket keeps the one it had.
    let expired = token(&file, "news", "0");
    let refused = ws.ask(&format!(
        r#"{{"type":"subscribe","topics":["news"],"token":"{expired}"}}"#
    ));
    assert_eq!(refused["message"], "token expired");
    // Not commands: answered, and the socket stays open.
    for (line, why) in [
        ("hello", "not a JSON command"),
        (
            r#"{"type":"publish","topics":["chat.1"]}"#,
            "is not a command",
        ),
        ("binary", "commands are text messages"),
    ] {
        let refused = ws.ask(line);
        assert_eq!(refused["type"], "error", "{line}: {refused}");
        assert!(
            refused["message"].as_str().is_some_and(|m| m.contains(why)),
            "{line}: {refused}"
        );
    }
    wait_for_subscribers(&bext, 1);
    let presence = |topic: &str| -> u64 {
        let out = Command::new("curl")
            .args(["-sS", "--max-time", "5"])
            .arg(format!(
                "http://{}/__bext/realtime/presence?topics={topic}&token={chat}",
                bext.addr
            ))
            .output()
            .expect("curl runs");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("presence JSON");
        doc["topics"][topic]
            .as_u64()
            .unwrap_or_else(|| panic!("{doc}"))
    };
    assert_eq!(presence("chat.2"), 1);
    // Events of its topics reach it; dropping chat.1 stops them.
    publish("chat.1", "one");
    let event: serde_json::Value = serde_json::from_str(&ws.next()).expect("an event");
    assert_eq!(
        (event["topic"].as_str(), event["data"].as_str()),
        (Some("chat.1"), Some("one"))
    );
    let id = event["id"].as_str().expect("an id").to_owned();
    let done = ws.ask(r#"{"type":"unsubscribe","topics":["chat.1"]}"#);
    assert_eq!(
        done,
        serde_json::json!({"type": "unsubscribed", "topics": ["chat.2"]})
    );
    assert_eq!(presence("chat.1"), 0);
    publish("chat.1", "two");
    publish("chat.2", "three");
    let event: serde_json::Value = serde_json::from_str(&ws.next()).expect("an event");
    assert_eq!(
        (event["topic"].as_str(), event["data"].as_str()),
        (Some("chat.2"), Some("three"))
    );
    // Subscribing again after the id it had: what it missed of chat.1 comes first, after
    // the answer.
    let done = ws.ask(&format!(
        r#"{{"type":"subscribe","topics":["chat.1"],"last_event_id":"{id}"}}"#
    ));
    assert_eq!(done["topics"], serde_json::json!(["chat.2", "chat.1"]));
    let event: serde_json::Value = serde_json::from_str(&ws.next()).expect("an event");
    assert_eq!(
        (event["topic"].as_str(), event["data"].as_str()),
        (Some("chat.1"), Some("two"))
    );
    // At most 32 topics on a socket.
    let many: Vec<String> = (0..31).map(|n| format!("\"chat.m{n}\"")).collect();
    let refused = ws.ask(&format!(
        r#"{{"type":"subscribe","topics":[{}]}}"#,
        many.join(",")
    ));
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("at most 32")),
        "{refused}"
    );
    assert_eq!(ws.close(), "closed 1000");
    wait_for_subscribers(&bext, 0);
}

#[test]
fn the_websocket_endpoint_answers_the_autobahn_style_probes() {
    let dir = TempDir::new("realtime-ws-probe");
    dir.write("www/index.html", "hi\n");
    let bext = Bext::serve_config(&config(&dir, ""), &["--shards", "2"]);
    let python = common::venv_python("websockets", WEBSOCKETS);
    let out = Command::new(python)
        .arg(script("ws_probe.py"))
        .arg(format!("ws://{}/__bext/realtime/ws?topics=t", bext.addr))
        .output()
        .expect("the probe runs");
    let report = String::from_utf8_lossy(&out.stdout);
    let failed: Vec<&str> = report.lines().filter(|l| l.contains(" FAIL")).collect();
    let passed = report.lines().filter(|l| l.ends_with(" ok")).count();
    assert!(
        out.status.success() && failed.is_empty(),
        "{} failed of {}:\n{}\n{}",
        failed.len(),
        passed + failed.len(),
        failed.join("\n"),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(passed >= 100, "only {passed} cases ran:\n{report}");
    // Bad handshakes: not an upgrade, and a version other than 13: 426, the second saying
    // which version is spoken (RFC 6455 §4.4).
    let head = |headers: &[&str]| {
        let mut command = Command::new("curl");
        command.args(["-sS", "-o", "/dev/null", "-D", "-", "--max-time", "5"]);
        for header in headers {
            command.args(["-H", header]);
        }
        let out = command
            .arg(format!("http://{}/__bext/realtime/ws?topics=t", bext.addr))
            .output()
            .expect("curl runs");
        String::from_utf8_lossy(&out.stdout).to_lowercase()
    };
    assert!(head(&[]).starts_with("http/1.1 426"));
    let wrong = head(&[
        "Connection: Upgrade",
        "Upgrade: websocket",
        "Sec-WebSocket-Version: 8",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    ]);
    assert!(wrong.starts_with("http/1.1 426"), "{wrong}");
    assert!(wrong.contains("sec-websocket-version: 13"), "{wrong}");
    // Every probe connection was let go.
    wait_for_subscribers(&bext, 0);
}

#[test]
fn app_code_publishes_with_bext_realtime() {
    let dir = TempDir::new("realtime-app");
    dir.write(
        "shop/app/layout.tsx",
        "export default function L({ children }: any) { return <html><body>{children}</body></html>; }\n",
    );
    dir.write(
        "shop/app/page.tsx",
        "export default function P() { return <p>home</p>; }\n",
    );
    dir.write(
        "shop/app/api/say/route.ts",
        r#"import { publish } from "bext/realtime";
export async function POST(request: Request) {
  const body = await request.json();
  publish("chat." + body.room, body.text, { event: "say" });
  publish("audit", { said: body.text });
  return Response.json({ ok: true });
}
"#,
    );
    let file = dir.write(
        "bext.toml",
        format!("[realtime]\npublish_token = \"{PUBLISH_TOKEN}\"\n\n[[site]]\napp = \"shop\"\n"),
    );
    let bext = Bext::serve_config(&file, &["--shards", "2"]);
    let base = format!("http://{}/__bext/realtime/sse", bext.addr);
    let chat = Subscriber::start(0, &format!("{base}?topics=chat.7"), &[]);
    let audit = Subscriber::start(1, &format!("{base}?topics=audit"), &[]);
    let out = Command::new("curl")
        .args(["-sS", "-i", "-H", "content-type: application/json"])
        .args(["-d", r#"{"room":7,"text":"hello from a route handler"}"#])
        .arg(format!("http://{}/api/say", bext.addr))
        .output()
        .expect("curl runs");
    let answer = String::from_utf8_lossy(&out.stdout);
    assert!(answer.ends_with(r#"{"ok":true}"#), "{answer}");
    // The field the events rode on stays inside bext.
    assert!(
        !answer.to_lowercase().contains("x-bext-publish"),
        "{answer}"
    );
    let said = &chat.take(1)[0];
    assert_eq!(
        (said.name.as_str(), said.data.as_str()),
        ("say", "hello from a route handler")
    );
    assert_eq!(
        audit.take(1)[0].data,
        r#"{"said":"hello from a route handler"}"#
    );
}

#[test]
fn presence_counts_the_subscribers_of_every_shard() {
    let dir = TempDir::new("realtime-presence");
    dir.write("www/index.html", "hi\n");
    let bext = Bext::serve_config(&config(&dir, ""), &["--shards", "2"]);
    let base = format!("http://{}/__bext/realtime", bext.addr);
    let _a = Subscriber::start(0, &format!("{base}/sse?topics=room,lobby"), &[]);
    let _b = Subscriber::start(1, &format!("{base}/sse?topics=room"), &[]);
    // Waits for one message, so it stays subscribed meanwhile.
    let ws_url = format!("ws://{}/__bext/realtime/ws?topics=room", bext.addr);
    let (mut ws, _lines, _) = ws_subscriber(1, &ws_url, 1, false);
    // Asked on either shard, the answer sums both.
    for cpu in 0..2 {
        let out = Command::new("taskset")
            .args(["-c", &cpu.to_string(), "curl", "-sS"])
            .arg(format!("{base}/presence?topics=room,lobby,empty"))
            .output()
            .expect("curl runs");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(doc["topics"]["room"], 3, "{doc}");
        assert_eq!(doc["topics"]["lobby"], 1, "{doc}");
        assert_eq!(doc["topics"]["empty"], 0, "{doc}");
        assert_eq!(doc["shards_reporting"], 2, "{doc}");
    }
    let _ = ws.kill();
    let _ = ws.wait();
}

#[test]
fn a_subscriber_that_leaves_is_let_go_at_once_not_at_the_next_write() {
    let dir = TempDir::new("realtime-leave");
    dir.write("www/index.html", "hi\n");
    let bext = Bext::serve_config(&config(&dir, ""), &["--shards", "2"]);
    let base = format!("http://{}/__bext/realtime", bext.addr);
    let stays = Subscriber::start(0, &format!("{base}/sse?topics=room"), &[]);
    let leaves = Subscriber::start(1, &format!("{base}/sse?topics=room"), &[]);
    wait_for_subscribers(&bext, 2);
    let connections = bext.metric("bext_open_connections");
    // curl killed: its socket closes, nothing more is written to it. Without watching the
    // read side, bext would only find out when an event or the keep-alive comment (every
    // 15 s) failed to reach it, and keep it (and its socket, in CLOSE_WAIT) until then.
    drop(leaves);
    let left = Instant::now();
    wait_for_subscribers(&bext, 1);
    assert!(
        left.elapsed() < Duration::from_secs(10),
        "let go after {:?}, which is the keep-alive's doing, not the close's",
        left.elapsed()
    );
    // At most one fewer: the count includes the scrape's own connection, and an earlier
    // scrape's may still have been closing when `connections` was read.
    eventually("its connection closed", || {
        (bext.metric("bext_open_connections") < connections).then_some(())
    });
    let out = Command::new("curl")
        .args(["-sS", &format!("{base}/presence?topics=room")])
        .output()
        .expect("curl runs");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["topics"]["room"], 1, "{doc}");
    // The one that stayed is served as before.
    let body = r#"{"topic":"room","data":"still here"}"#.to_string();
    assert_eq!(publish_from(0, bext.addr, &[body]), [202]);
    assert_eq!(stays.take(1)[0].data, "still here");
}
