//! HTTP/3: QUIC on `listen_quic` and, with `http3 = true`, on every `listen_tls` port over
//! UDP, answered by the same service as HTTP/1.1 and HTTP/2. Checked with real clients:
//! Python's aioquic (`tests/h3/client.py`; the same requests over HTTP/2 with curl and over
//! HTTP/3 must get the same answers), Debian's ngtcp2 client for interop, and raw datagrams
//! for what no client sends on purpose (an unknown version, a forged token, a flood of
//! Initials, garbage).

mod common;
#[path = "proxy/harness.rs"]
mod harness;

use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Bext, TempDir};
use serde_json::{Value, json};

/// The file the aioquic client runs from.
const CLIENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/h3/client.py");
/// The aioquic release the client is written against.
const AIOQUIC: &str = "aioquic==1.7.2";
/// The bound on every wait here: only a hang reaches it.
const DEADLINE: Duration = Duration::from_secs(60);

/// A static site with a small page, a stylesheet and a 3 MB file, HTTPS on `listen_tls` and
/// HTTP/3 on its port over UDP; `server` adds `[server]` settings.
fn site(tag: &str, server: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new(tag);
    dir.write("index.html", "hello over h3\n");
    dir.write("style.css", "body { color: red }\n".repeat(200));
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    dir.write("big.bin", big);
    let config = dir.write(
        "bext.toml",
        format!(
            "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\nhttp3 = true\n{server}\n\
             [[site]]\nhosts = [\"localhost\"]\nroot = \".\"\ntls = \"self-signed\"\n"
        ),
    );
    (dir, config)
}

/// The interpreter with aioquic, installed into a virtual environment on first use.
fn aioquic_python() -> PathBuf {
    common::venv_python("aioquic", AIOQUIC)
}

/// Starts the aioquic client on `connections` against `addr`.
fn h3_spawn(addr: SocketAddr, connections: Value) -> std::process::Child {
    let plan = json!({"host": "127.0.0.1", "port": addr.port(), "connections": connections});
    let mut child = Command::new(aioquic_python())
        .arg(CLIENT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the aioquic client starts");
    use std::io::Write;
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(plan.to_string().as_bytes())
        .expect("the plan is written");
    child
}

/// The client's JSON report, once it has ended.
fn h3_report(child: std::process::Child) -> Value {
    let out = child.wait_with_output().expect("the client ends");
    assert!(
        out.status.success(),
        "client.py: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the client's JSON")
}

/// Runs the aioquic client on `connections` against `addr`; its JSON report.
fn h3(addr: SocketAddr, connections: Value) -> Value {
    h3_report(h3_spawn(addr, connections))
}

/// The requests of one connection of a report, each checked to have an answer.
fn answers(report: &Value, connection: usize) -> Vec<Value> {
    let conn = &report["connections"][connection];
    assert!(
        conn.get("error").is_none(),
        "connection {connection}: {conn}"
    );
    assert_eq!(conn["alpn"], "h3", "{conn}");
    conn["requests"].as_array().expect("requests").clone()
}

/// One curl exchange over HTTP/2 (TLS): status, fields (sorted, lower-case, without `date`
/// and `alt-svc`, which only TCP answers carry), body.
fn curl_h2(url: &str, extra: &[&str]) -> (u64, Vec<(String, String)>, Vec<u8>) {
    let out = Command::new("curl")
        .args(["-sS", "-k", "--http2", "--max-time", "20", "-D", "-"])
        .args(extra)
        .arg(url)
        .output()
        .expect("curl runs");
    assert!(out.status.success(), "curl {url}");
    let text = out.stdout;
    let end = text
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8_lossy(&text[..end]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let mut fields: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .filter(|(n, _)| !matches!(n.as_str(), "date" | "alt-svc"))
        .collect();
    fields.sort();
    (status, fields, text[end + 4..].to_vec())
}

/// An aioquic answer in the same shape as [`curl_h2`]'s (the body as its SHA-256).
fn h3_shape(answer: &Value) -> (u64, Vec<(String, String)>, String) {
    let mut fields: Vec<(String, String)> = answer["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().unwrap_or_default().to_owned(),
                pair[1].as_str().unwrap_or_default().to_owned(),
            )
        })
        .filter(|(n, _)| n != "date")
        .collect();
    fields.sort();
    let status = answer["status"].as_u64().expect("a status");
    let sha = answer["sha256"].as_str().unwrap_or_default().to_owned();
    (status, fields, sha)
}

fn sha256_hex(bytes: &[u8]) -> String {
    let dir = TempDir::new("h3-sha");
    let file = dir.write("body", bytes);
    let out = Command::new("sha256sum")
        .arg(file)
        .output()
        .expect("sha256sum runs");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn every_static_answer_is_the_same_over_http3_as_over_http2() {
    let (_dir, config) = site("h3-same", "shards = 1");
    let bext = Bext::serve_config(&config, &[]);
    let quic = bext.quic_addr();
    let https = bext.https_addr();
    let url = |path: &str| format!("https://localhost:{}{path}", https.port());
    let etag = curl_h2(&url("/"), &[])
        .1
        .into_iter()
        .find(|(n, _)| n == "etag")
        .map(|(_, v)| v)
        .expect("an etag");
    let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("/", vec![]),
        (
            "/style.css",
            vec![("accept-encoding", String::from("gzip"))],
        ),
        ("/big.bin", vec![]),
        ("/big.bin", vec![("range", String::from("bytes=100-199"))]),
        ("/", vec![("if-none-match", etag)]),
        ("/missing", vec![]),
    ];
    let requests: Vec<Value> = cases
        .iter()
        .map(|(path, headers)| json!({"path": path, "headers": headers}))
        .collect();
    let report = h3(quic, json!([{"requests": requests}]));
    let got = answers(&report, 0);
    assert_eq!(got.len(), cases.len());
    for ((path, headers), answer) in cases.iter().zip(&got) {
        let extra: Vec<String> = headers
            .iter()
            .flat_map(|(n, v)| [String::from("-H"), format!("{n}: {v}")])
            .collect();
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let (status, fields, body) = curl_h2(&url(path), &extra);
        assert_eq!(
            h3_shape(answer),
            (status, fields, sha256_hex(&body)),
            "{path} {headers:?}"
        );
    }
    // The 3 MB file arrived whole, the same bytes as on disk.
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    assert_eq!(got[2]["length"], 3_000_000);
    assert_eq!(got[2]["sha256"], sha256_hex(&big));
}

#[test]
fn many_requests_run_as_parallel_streams_of_one_connection() {
    let (_dir, config) = site("h3-parallel", "shards = 1");
    let bext = Bext::serve_config(&config, &[]);
    let quic = bext.quic_addr();
    let requests: Vec<Value> = (0..40)
        .map(|i| json!({"path": if i % 4 == 0 { "/big.bin" } else { "/style.css" }}))
        .collect();
    let report = h3(quic, json!([{"parallel": true, "requests": requests}]));
    let got = answers(&report, 0);
    assert_eq!(got.len(), 40);
    for (i, answer) in got.iter().enumerate() {
        let length = if i % 4 == 0 { 3_000_000 } else { 4_000 };
        assert_eq!(
            (answer["status"].as_u64(), answer["length"].as_u64()),
            (Some(200), Some(length)),
            "request {i}"
        );
    }
}

/// quiche writes one stream per packet, so the answers to a connection's small requests are
/// short packets alike in length: they leave in GSO bursts (one send for many datagrams),
/// not one send each.
#[test]
fn small_answers_to_one_connection_leave_in_bursts() {
    let (_dir, config) = site("h3-bursts", "shards = 1");
    let bext = Bext::serve_config(&config, &[]);
    let quic = bext.quic_addr();
    // In the file cache first, so that every answer is made in the pass its request
    // arrives in.
    assert_eq!(bext.get("/index.html").status, 200);
    let requests: Vec<Value> = (0..60).map(|_| json!({"path": "/index.html"})).collect();
    let report = h3(quic, json!([{"parallel": true, "requests": requests}]));
    let got = answers(&report, 0);
    assert_eq!(got.len(), 60);
    for (i, answer) in got.iter().enumerate() {
        assert_eq!(
            (answer["status"].as_u64(), answer["length"].as_u64()),
            (Some(200), Some(14)),
            "request {i}"
        );
    }
    let datagrams = bext.metric("bext_quic_datagrams_sent_total");
    let sends = bext.metric("bext_quic_sends_total");
    // With one send per answer the two are equal (67 and 67 when this test was written;
    // 67 datagrams in 16 sends with bursts).
    assert!(
        datagrams >= 60 && datagrams - sends >= 20,
        "{datagrams} datagrams in {sends} sends"
    );
}

/// `[waf]` is asked before routing, whatever the protocol: a denied client gets 403 over
/// HTTP/3 too (the test's own address, 127.0.0.1, is the denied one here).
#[test]
fn denied_clients_are_refused_over_http3_too() {
    let (_dir, config) = site(
        "h3-waf",
        "shards = 1\n[waf]\ndeny = [\"127.0.0.1\"]\nallow = [\"127.0.0.0/8\"]",
    );
    let bext = Bext::serve_config(&config, &[]);
    let quic = bext.quic_addr();
    let report = h3(quic, json!([{"requests": [{"path": "/index.html"}]}]));
    let got = answers(&report, 0);
    assert_eq!(got[0]["status"].as_u64(), Some(403), "{report}");
}

#[test]
fn apps_render_take_bodies_and_see_joined_cookies_over_http3() {
    let dir = TempDir::new("h3-app");
    dir.write(
        "app/layout.tsx",
        "export default function Root({ children }: any) { return <html><body>{children}</body></html>; }\n",
    );
    dir.write(
        "app/page.tsx",
        "export default function Home() { return <main>home over h3</main>; }\n",
    );
    dir.write(
        "app/slow/page.tsx",
        r#"import { Suspense } from "react";
async function Late() {
  await new Promise((resolve) => setTimeout(resolve, 50));
  return <p>arrived late</p>;
}
export const dynamic = "force-dynamic";
export default function Slow() {
  return <main><Suspense fallback={<p>waiting</p>}><Late /></Suspense></main>;
}
"#,
    );
    dir.write(
        "app/api/echo/route.ts",
        r#"export async function POST(request: Request) {
  const body = await request.json();
  return Response.json({ got: body.n + 1 });
}
export function GET(request: Request) {
  return new Response(request.headers.get("cookie") ?? "none", { headers: { "content-type": "text/plain" } });
}
"#,
    );
    let config = dir.write(
        "bext.toml",
        "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\nhttp3 = true\nshards = 1\n\
         [[site]]\nhosts = [\"localhost\"]\napp = \".\"\ntls = \"self-signed\"\n",
    );
    let bext = Bext::serve_config(&config, &[]);
    let quic = bext.quic_addr();
    let https = bext.https_addr();
    let report = h3(
        quic,
        json!([{"requests": [
            {"path": "/"},
            {"path": "/slow"},
            {"method": "POST", "path": "/api/echo",
             "headers": [["content-type", "application/json"]], "body": "{\"n\":41}"},
            {"path": "/api/echo", "headers": [["cookie", "a=1"], ["cookie", "b=2"]]},
        ]}]),
    );
    let got = answers(&report, 0);
    let (status, _, body) = curl_h2(&format!("https://localhost:{}/", https.port()), &[]);
    assert_eq!(
        (got[0]["status"].as_u64(), got[0]["body"].as_str()),
        (Some(status), Some(String::from_utf8_lossy(&body).as_ref()))
    );
    assert!(
        got[0]["body"]
            .as_str()
            .unwrap_or_default()
            .contains("home over h3")
    );
    // A streamed page arrives whole: the shell, then the boundary's content.
    let slow = got[1]["body"].as_str().unwrap_or_default();
    assert_eq!(got[1]["status"], 200, "{slow}");
    assert!(
        slow.contains("waiting") && slow.contains("arrived late"),
        "{slow}"
    );
    assert_eq!(
        (got[2]["status"].as_u64(), got[2]["body"].as_str()),
        (Some(200), Some("{\"got\":42}"))
    );
    // Two cookie fields (HTTP/3 allows the split) reach the app as one.
    assert_eq!(got[3]["body"], "a=1; b=2");
}

#[test]
fn https_answers_advertise_http3_and_plain_ones_do_not() {
    let (_dir, config) = site("h3-alt-svc", "shards = 1");
    let bext = Bext::serve_config(&config, &[]);
    let quic = bext.quic_addr();
    let https = bext.https_addr();
    let expected = format!("h3=\":{}\"; ma=86400", quic.port());
    for flag in ["--http1.1", "--http2"] {
        let out = Command::new("curl")
            .args(["-sS", "-k", flag, "-o", "/dev/null", "-D", "-"])
            .arg(format!("https://localhost:{}/", https.port()))
            .output()
            .expect("curl runs");
        let head = String::from_utf8_lossy(&out.stdout).to_ascii_lowercase();
        assert!(
            head.contains(&format!("alt-svc: {}", expected.to_ascii_lowercase())),
            "{flag}: {head}"
        );
    }
    let plain = bext.get("/");
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("alt-svc"), None);
}

#[test]
fn a_connection_whose_datagrams_reach_another_shard_is_served_by_its_own() {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cpus < 2 {
        eprintln!("one CPU: every datagram reaches the one shard; nothing to forward");
        return;
    }
    let (_dir, config) = site("h3-shards", "shards = 2");
    // Without the eBPF program that steers by connection ID (what a host that cannot load it
    // runs), the classic-BPF one steers by CPU.
    let bext = Bext::serve_config_env(&config, &[], &[("BEXT_DANGER_NO_QUIC_STEERING", "1")]);
    let quic = bext.quic_addr();
    // Shards are pinned to CPUs 0 and 1, and the kernel gives a datagram to the shard of the
    // CPU it arrived on: on loopback, the sender's. The client starts on CPU 0, so shard 0
    // owns the connection; moved to CPU 1, its datagrams reach shard 1, which forwards them.
    let report = h3(quic, moving_client());
    let got = answers(&report, 0);
    let lengths: Vec<_> = got
        .iter()
        .map(|a| (a["status"].as_u64(), a["length"].as_u64()))
        .collect();
    assert_eq!(
        lengths,
        [
            (Some(200), Some(14)),
            (Some(200), Some(3_000_000)),
            (Some(200), Some(4_000)),
            (Some(200), Some(3_000_000)),
        ]
    );
    assert!(
        bext.metric("bext_quic_datagrams_forwarded_total") > 0,
        "no datagram was forwarded: {}",
        bext.get("/__bext/metrics").text()
    );
    assert_eq!(bext.metric("bext_quic_datagrams_dropped_total"), 0);
}

/// One connection that starts on CPU 0 and moves between CPUs 1 and 0 between requests.
fn moving_client() -> Value {
    json!([{"cpu": 0, "requests": [
        {"path": "/"},
        {"path": "/big.bin", "cpu": 1},
        {"path": "/style.css", "cpu": 0},
        {"path": "/big.bin", "cpu": 1},
    ]}])
}

#[test]
fn the_ebpf_program_hands_each_datagram_to_the_shard_its_connection_id_names() {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cpus < 2 {
        eprintln!("one CPU: every datagram reaches the one shard; nothing to steer");
        return;
    }
    let (_dir, config) = site("h3-steer", "shards = 2");
    let bext = Bext::serve_config(&config, &[]);
    let quic = bext.quic_addr();
    assert_eq!(
        bext.metric("bext_quic_steering_attached"),
        1,
        "the sk_reuseport program is not attached (needs root, and bext built with clang and \
         libbpf-dev):\n{}",
        bext.stderr()
    );
    // The same moving client as above: its datagrams now reach the owning shard directly,
    // whichever CPU sends them.
    let report = h3(quic, moving_client());
    let statuses: Vec<_> = answers(&report, 0)
        .iter()
        .map(|a| a["status"].as_u64())
        .collect();
    assert_eq!(statuses, [Some(200); 4]);
    assert_eq!(
        bext.metric("bext_quic_datagrams_forwarded_total"),
        0,
        "datagrams reached a shard that does not own their connection:\n{}",
        bext.get("/__bext/metrics").text()
    );
    assert!(bext.metric("bext_quic_steered_total{by=\"cid\"}") > 0);
    // The Initial carries the client's CID: chosen by CPU.
    assert!(bext.metric("bext_quic_steered_total{by=\"cpu\"}") > 0);
    assert_eq!(bext.metric("bext_quic_datagrams_dropped_total"), 0);
}

#[test]
fn ngtcp2s_client_is_served() {
    let (_dir, config) = site("h3-ngtcp2", "shards = 1");
    let bext = Bext::serve_config(&config, &[]);
    let quic = bext.quic_addr();
    let download = TempDir::new("h3-ngtcp2-download");
    for (path, method) in [("/", "GET"), ("/big.bin", "GET"), ("/", "HEAD")] {
        let url = format!("https://localhost:{}{path}", quic.port());
        let out = Command::new("gtlsclient")
            .args([
                "--exit-on-all-streams-close",
                "--no-quic-dump",
                "--timeout=20s",
                "-m",
                method,
                "--download",
            ])
            .arg(download.path())
            .args(["127.0.0.1", &quic.port().to_string(), &url])
            .output()
            .expect("gtlsclient runs (ngtcp2-client)");
        let text = String::from_utf8_lossy(&out.stderr).into_owned()
            + &String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("[:status: 200]"), "{method} {path}: {text}");
        if method == "HEAD" {
            assert!(!text.contains("body "), "a HEAD answer had a body: {text}");
        }
    }
    let big = std::fs::read(download.path().join("big.bin")).expect("the download");
    let expected: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    assert!(big == expected, "big.bin arrived different");
}

/// A QUIC long-header packet of `size` bytes: Initial, `version`, the given CIDs and
/// token, then filler. Its payload is not protected: enough for what the server reads before
/// decrypting (the version, the CIDs, the token).
fn initial(version: u32, dcid: &[u8], scid: &[u8], token: &[u8], size: usize) -> Vec<u8> {
    let mut packet = vec![0xc0];
    packet.extend_from_slice(&version.to_be_bytes());
    packet.push(dcid.len() as u8);
    packet.extend_from_slice(dcid);
    packet.push(scid.len() as u8);
    packet.extend_from_slice(scid);
    // Token length as a 2-byte variable-length integer, then the token.
    packet.extend_from_slice(&(0x4000u16 | token.len() as u16).to_be_bytes());
    packet.extend_from_slice(token);
    let rest = size - packet.len() - 2;
    packet.extend_from_slice(&(0x4000u16 | rest as u16).to_be_bytes());
    packet.resize(size, 0x5a);
    packet
}

/// Datagrams `socket` receives until `quiet` passes without one.
fn replies(socket: &UdpSocket, quiet: Duration) -> Vec<Vec<u8>> {
    socket.set_read_timeout(Some(quiet)).expect("timeout");
    let mut got = Vec::new();
    let mut buf = [0u8; 65_535];
    while let Ok(n) = socket.recv(&mut buf) {
        got.push(buf[..n].to_vec());
    }
    got
}

#[test]
fn probes_get_the_rfc_s_answers_while_others_are_served() {
    let (_dir, config) = site("h3-probes", "shards = 1");
    let bext = Bext::serve_config(&config, &[]);
    let quic = bext.quic_addr();
    let probe = UdpSocket::bind("127.0.0.1:0").expect("a UDP socket");
    probe.connect(quic).expect("connect");
    let dcid = [7u8; 8];
    let scid = [9u8; 8];

    // A version the server does not speak: Version Negotiation (RFC 9000 §6), listing v1,
    // echoing our CIDs swapped.
    probe
        .send(&initial(0x1a2a_3a4a, &dcid, &scid, &[], 1200))
        .expect("send");
    let got = replies(&probe, Duration::from_secs(2));
    assert_eq!(got.len(), 1, "one Version Negotiation packet");
    let vn = &got[0];
    assert_eq!(vn[0] & 0x80, 0x80, "a long header");
    assert_eq!(&vn[1..5], &[0, 0, 0, 0], "version 0: Version Negotiation");
    assert_eq!(&vn[6..14], &scid, "its DCID is our SCID");
    let versions: Vec<&[u8]> = vn[6 + 8 + 1 + 8..].chunks(4).collect();
    assert!(versions.contains(&&[0, 0, 0, 1][..]), "{vn:?}");

    // An Initial under 1200 bytes: dropped, no answer (the server never answers more than
    // a client sent).
    probe
        .send(&initial(1, &dcid, &scid, &[], 600))
        .expect("send");
    assert!(replies(&probe, Duration::from_millis(500)).is_empty());

    // A token that is not ours: dropped and counted, no connection.
    probe
        .send(&initial(1, &dcid, &scid, &[1u8; 40], 1200))
        .expect("send");
    assert!(replies(&probe, Duration::from_millis(500)).is_empty());
    assert_eq!(bext.metric("bext_quic_tokens_refused_total"), 1);

    // Garbage: dropped and counted.
    probe.send(b"\x00not quic at all").expect("send");
    assert!(replies(&probe, Duration::from_millis(500)).is_empty());
    assert!(bext.metric("bext_quic_datagrams_dropped_total") >= 1);

    // A flood of Initials from one address: each gets a Retry (stateless: the server keeps
    // nothing for them), and a real client is served meanwhile.
    let flood = 500;
    // The Retries are counted as they come, by a thread of their own, so that the probe's
    // receive buffer never holds more than a few of them.
    let listener = probe
        .try_clone()
        .expect("a second handle on the probe socket");
    let counter = std::thread::spawn(move || {
        listener
            .set_read_timeout(Some(Duration::from_secs(2)))
            .expect("timeout");
        let mut buf = [0u8; 2048];
        let mut retries = 0;
        // Until every Initial is answered, or two seconds pass without an answer.
        while retries < flood {
            match listener.recv(&mut buf) {
                Ok(n) if n > 0 && buf[0] & 0xf0 == 0xf0 => retries += 1,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        retries
    });
    let flooder = std::thread::spawn(move || {
        for i in 0..flood {
            let dcid = (i as u64).to_be_bytes();
            let _ = probe.send(&initial(1, &dcid, &scid, &[], 1200));
        }
        (counter.join().expect("the counting thread"), ())
    });
    let report = h3(quic, json!([{"requests": [{"path": "/"}]}]));
    assert_eq!(answers(&report, 0)[0]["status"], 200);
    let (retries, _) = flooder.join().expect("the flood thread");
    // UDP may drop some of a burst on the way in or out; most must have been answered.
    assert!(
        retries > flood / 2,
        "{retries} Retry packets for {flood} Initials"
    );
    let deadline = Instant::now() + DEADLINE;
    while bext.metric("bext_quic_open_connections") != 0 {
        assert!(Instant::now() < deadline, "connections left open");
        std::thread::sleep(Duration::from_millis(50));
    }

    // Requests without `:path`, with a `:protocol` on a GET, a CONNECT without one (no
    // tunnels here) and an extended CONNECT without `:authority`: malformed (RFC 9114
    // §4.1.2, RFC 9220 with RFC 8441 §4), each answered 400 on its stream. Then a DATA frame
    // before any HEADERS: the connection is closed with H3_FRAME_UNEXPECTED (§4.1). A client
    // after them is served.
    let connect = |fields: &[(&str, &str)]| {
        let mut raw = vec![json!([":method", "CONNECT"]), json!([":scheme", "https"])];
        raw.extend(fields.iter().map(|(name, value)| json!([name, value])));
        json!({"raw_headers": raw})
    };
    let report = h3(
        quic,
        json!([
            {"requests": [
                {"raw_headers": [[":method", "GET"], [":scheme", "https"], [":authority", "localhost"]]},
                {"raw_headers": [[":method", "GET"], [":protocol", "websocket"], [":scheme", "https"],
                                 [":authority", "localhost"], [":path", "/"]]},
                connect(&[(":authority", "localhost"), (":path", "/")]),
                connect(&[(":protocol", "websocket"), (":path", "/")]),
            ]},
            {"requests": [{"raw": "000178"}]},
            {"requests": [{"path": "/"}]},
        ]),
    );
    for malformed in answers(&report, 0) {
        assert_eq!(malformed["status"], 400, "{malformed}");
    }
    assert_eq!(answers(&report, 0).len(), 4);
    let closed = &answers(&report, 1)[0]["closed"];
    assert_eq!(closed["error_code"], 0x105, "{closed}");
    assert_eq!(answers(&report, 2)[0]["status"], 200);
}

#[test]
fn a_stop_lets_downloads_in_flight_finish() {
    let (_dir, config) = site("h3-drain", "shards = 1");
    let bext = Bext::serve_config(&config, &[]);
    let quic = bext.quic_addr();
    let plan = json!([{"parallel": true, "say_headers": true,
                       "requests": [{"path": "/big.bin"}, {"path": "/big.bin"}]}]);
    let mut client = h3_spawn(quic, plan);
    // The client says on stderr when the first answer's HEADERS arrive: both requests are
    // on their streams by then, and the stop comes in the middle of their bodies.
    let mut stderr = std::io::BufReader::new(client.stderr.take().expect("stderr"));
    let mut line = String::new();
    use std::io::BufRead;
    while !line.starts_with("headers") {
        line.clear();
        let n = stderr.read_line(&mut line).expect("the client's stderr");
        assert!(n > 0, "the client ended before any answer");
    }
    bext.signal(15);
    let report = h3_report(client);
    for answer in answers(&report, 0) {
        assert_eq!(
            (answer["status"].as_u64(), answer["length"].as_u64()),
            (Some(200), Some(3_000_000))
        );
    }
}

#[test]
fn quic_config_errors_name_the_key() {
    let cases = [
        (
            "[server]\nlisten = \"127.0.0.1:0\"\nhttp3 = true\n[[site]]\nroot = \".\"\n",
            "bext.toml:3:9: server.http3: needs `listen_tls` addresses in [server]",
        ),
        (
            "[server]\nlisten = \"127.0.0.1:0\"\nlisten_quic = \"127.0.0.1:0\"\n[[site]]\nroot = \".\"\n",
            "bext.toml:3:15: server.listen_quic: no [[site]] has `tls`",
        ),
        (
            "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:8443\"\nhttp3 = true\nlisten_quic = [\"127.0.0.1:8443\"]\n[[site]]\nroot = \".\"\ntls = \"self-signed\"\n",
            "server.listen_quic: 127.0.0.1:8443 is a `listen_tls` address and `http3 = true` serves QUIC there already",
        ),
        (
            "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\nlisten_quic = \"localhost:443\"\n[[site]]\nroot = \".\"\ntls = \"self-signed\"\n",
            "server.listen_quic: `localhost:443` is not a socket address",
        ),
        (
            "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\nquic_retry = \"yes\"\n[[site]]\nroot = \".\"\ntls = \"self-signed\"\n",
            "server.quic_retry: invalid type: string \"yes\", expected a boolean",
        ),
    ];
    common::assert_configs_refused("h3-config", &cases);
}

#[test]
fn without_retry_a_client_is_served_and_no_retry_is_sent() {
    let (_dir, config) = site("h3-no-retry", "shards = 1\nquic_retry = false");
    let bext = Bext::serve_config(&config, &[]);
    let quic = bext.quic_addr();
    let report = h3(quic, json!([{"requests": [{"path": "/"}]}]));
    assert_eq!(answers(&report, 0)[0]["body"], "hello over h3\n");
    assert_eq!(bext.metric("bext_quic_retries_total"), 0);
    assert_eq!(bext.metric("bext_quic_connections_accepted_total"), 1);
}

#[test]
fn a_grpc_call_over_http3_gets_the_upstream_s_trailers() {
    // grpcio as an HTTP/2 upstream; the client asks over HTTP/3 with aioquic.
    let upstream = harness::Upstream::grpc(&[]);
    let (dir, _) = site("h3-grpc", "");
    let config = dir.write(
        "bext.toml",
        format!(
            "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\nhttp3 = true\n\n\
             [[upstream]]\nname = \"grpc\"\nservers = [\"127.0.0.1:{}\"]\nprotocol = \"http2\"\n\n\
             [[site]]\nhosts = [\"localhost\"]\nroot = \".\"\ntls = \"self-signed\"\n\
             [[site.proxy]]\nmatch = \"/test.Echo/**\"\nupstream = \"grpc\"\n",
            upstream.port()
        ),
    );
    let bext = Bext::serve_config(&config, &[]);
    let grpc = |message: &str| {
        json!({"method": "POST", "path": "/test.Echo/Unary",
               "headers": [["content-type", "application/grpc"], ["te", "trailers"]],
               "body": format!("\u{0}\u{0}\u{0}\u{0}{}{message}", char::from(message.len() as u8))})
    };
    let report = h3(
        bext.quic_addr(),
        json!([{"requests": [grpc("hi"), grpc("again")]}]),
    );
    for (answer, message) in answers(&report, 0).iter().zip(["hi", "again"]) {
        assert_eq!(answer["status"], 200, "{answer}");
        let body = answer["body"].as_str().unwrap_or_default();
        assert!(body.contains(&format!("echo:{message}")), "{answer}");
        // The status after the body, as gRPC has it: in the trailers' HEADERS.
        let trailers = answer["trailers"].as_array().expect("trailers");
        assert!(
            trailers
                .iter()
                .any(|t| t[0] == "grpc-status" && t[1] == "0"),
            "{answer}"
        );
        assert!(
            answer["headers"]
                .as_array()
                .is_some_and(|h| h.iter().all(|f| f[0] != "grpc-status")),
            "{answer}"
        );
    }
}
