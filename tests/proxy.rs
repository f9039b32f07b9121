//! `[[upstream]]` and `[[site.proxy]]` end to end: bext on loopback in front of real HTTP/1.1
//! servers (`tests/proxy/upstream.py`, Python's http.server with keep-alive, which can also
//! be slow, reset, send garbage or smuggling-shaped heads, or break a body off), curl as the
//! client; and WebSockets through it (`tests/proxy/ws.py`, the `websockets` library as both
//! the echo server and the client).

mod common;
#[path = "proxy/harness.rs"]
mod harness;

use std::process::Command;

use common::{Bext, TempDir};
use harness::{Upstream, curl, curl_on, header, json, ws_client};

/// A site with a static root whose `/api/**` goes to upstream `api` (`upstream` is the
/// `[[upstream]]` table's body).
fn serve(tag: &str, upstream: &str) -> (TempDir, Bext) {
    let dir = TempDir::new(tag);
    dir.write("www/index.html", "static\n");
    let config = dir.write(
        "bext.toml",
        format!(
            "[[upstream]]\nname = \"api\"\n{upstream}\n\n[[site]]\nroot = \"www\"\n\
             [[site.proxy]]\nmatch = \"/api/**\"\nupstream = \"api\"\nstrip_prefix = \"/api\"\n"
        ),
    );
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    (dir, bext)
}

#[test]
fn requests_go_through_with_forwarding_fields_and_without_hop_by_hop_ones() {
    let upstream = Upstream::start("a");
    let (_dir, bext) = serve(
        "proxy-basic",
        &format!("servers = [\"{}\"]", upstream.addr()),
    );
    let base = format!("http://{}", bext.addr);

    let (status, body, _) = curl(
        &format!("{base}/api/echo/x?q=1"),
        &[
            "-H",
            "Connection: keep-alive, X-Secret",
            "-H",
            "X-Secret: s",
            "-H",
            "X-Forwarded-For: 203.0.113.9",
        ],
    );
    assert_eq!(status, 200, "{body}");
    let doc = json(&body);
    assert_eq!(doc["path"], "/echo/x?q=1", "strip_prefix");
    assert_eq!(
        header(&doc, "x-secret"),
        None,
        "a field Connection names: {doc}"
    );
    assert_eq!(
        header(&doc, "x-forwarded-for"),
        Some("203.0.113.9, 127.0.0.1")
    );
    assert_eq!(header(&doc, "x-forwarded-proto"), Some("http"));
    assert_eq!(header(&doc, "host"), Some(bext.addr.to_string().as_str()));
    // RFC 7239 and RFC 9110's Via, which a proxy must send.
    assert_eq!(
        header(&doc, "forwarded"),
        Some(format!("for=127.0.0.1;proto=http;host=\"{}\"", bext.addr).as_str())
    );
    assert_eq!(header(&doc, "via"), Some("1.1 bext"));

    // A body goes up with its length; the upstream's own fields come back, its hop-by-hop
    // ones (Keep-Alive) do not.
    let out = Command::new("curl")
        .args(["-sS", "-D", "-", "--data-binary", "a=1&b=2"])
        .arg(format!("{base}/api/echo"))
        .output()
        .expect("curl runs");
    let text = String::from_utf8_lossy(&out.stdout).to_lowercase();
    assert!(text.contains("x-upstream: a"), "{text}");
    assert!(!text.contains("keep-alive: timeout"), "{text}");
    let doc = json(&text[text.find('{').expect("a JSON body")..]);
    assert_eq!(
        (doc["method"].as_str(), doc["body"].as_str()),
        (Some("post"), Some("a=1&b=2"))
    );

    // Paths the route does not match are the site's own.
    assert_eq!(curl(&format!("{base}/index.html"), &[]).0, 200);

    // Bodies of every framing, whole: a large one by length, a chunked one.
    let (status, body, _) = curl(&format!("{base}/api/big?bytes=3000000"), &[]);
    assert_eq!((status, body.len()), (200, 3_000_000));
    // It streams with the upstream's length, not in chunks, and the client's connection
    // carries the next request (curl connects once for both).
    let big = format!("{base}/api/big?bytes=300000");
    let out = Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "20",
            "-o",
            "/dev/null",
            "-o",
            "/dev/null",
        ])
        .args([
            "-w",
            "%{num_connects} %header{content-length} [%header{transfer-encoding}]\n",
        ])
        .args([&big, &big])
        .output()
        .expect("curl runs");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "1 300000 []\n0 300000 []\n"
    );
    // HEAD: no body, and the length a GET's body would have, as the upstream said.
    let (status, head, _) = curl(&big, &["-I"]);
    assert_eq!(status, 200);
    assert!(head.contains("content-length: 300000\r\n"), "{head}");
    let (status, body, _) = curl(&format!("{base}/api/chunked?n=50"), &[]);
    assert_eq!(status, 200);
    assert_eq!(body.lines().count(), 50);
    assert_eq!(body.lines().last(), Some("piece-49"));

    // One shard kept one connection open for all of it.
    let (_, connections, _) = curl(&format!("{base}/api/connections"), &[]);
    assert_eq!(connections.trim(), "1", "upstream connections");
    // Eight proxied requests: one connection opened, then reused seven times.
    assert_eq!(bext.metric("bext_proxy_connections_opened_total"), 1);
    assert_eq!(bext.metric("bext_proxy_connections_reused_total"), 7);
}

#[test]
fn failures_answer_with_their_source_and_a_cut_body_is_not_passed_off_as_whole() {
    let upstream = Upstream::start("a");
    let (_dir, bext) = serve(
        "proxy-failures",
        &format!(
            "servers = [\"{}\"]\ntimeout_ms = 1000\nfail_max = 100",
            upstream.addr()
        ),
    );
    let base = format!("http://{}", bext.addr);
    for (path, status) in [
        ("/api/reset", 502),
        ("/api/garbage", 502),
        ("/api/smuggle", 502),
        ("/api/slow?ms=3000", 504),
    ] {
        assert_eq!(curl(&format!("{base}{path}"), &[]).0, status, "{path}");
    }
    assert_eq!(bext.metric("bext_proxy_refused_total"), 1);
    assert_eq!(bext.metric("bext_proxy_bad_responses_total"), 2);
    assert_eq!(bext.metric("bext_proxy_timeouts_total"), 1);
    // And per upstream, by cause.
    for (cause, n) in [
        ("refused", 1),
        ("bad_response", 2),
        ("timeout", 1),
        ("unavailable", 0),
    ] {
        assert_eq!(
            bext.metric(&format!(
                "bext_proxy_upstream_failures_total{{upstream=\"api\",cause=\"{cause}\"}}"
            )),
            n,
            "{cause}"
        );
    }
    assert_eq!(
        bext.metric("bext_proxy_upstream_requests_total{upstream=\"api\"}"),
        4
    );
    let stderr = bext.stderr();
    assert!(
        stderr.contains("both Content-Length and Transfer-Encoding"),
        "{stderr}"
    );
    // The head came, with the upstream's Content-Length; the body broke off: the connection
    // closes short of that length, so curl sees the transfer end early (exit 18).
    let (status, _, code) = curl(&format!("{base}/api/cut"), &[]);
    assert_eq!((status, code), (200, 18));
    assert_eq!(bext.metric("bext_proxy_bodies_cut_total"), 1);
    // And the upstream still serves.
    assert_eq!(curl(&format!("{base}/api/echo"), &[]).0, 200);
}

#[test]
fn servers_take_turns_and_a_dead_one_is_ejected_while_the_other_serves() {
    let a = Upstream::start("a");
    let mut b = Upstream::start("b");
    let (_dir, bext) = serve(
        "proxy-balance",
        &format!(
            "servers = [\"{}\", \"{} weight=2\"]\nfail_max = 2\neject_ms = 60000",
            a.addr(),
            b.addr()
        ),
    );
    let base = format!("http://{}", bext.addr);
    let servers: Vec<String> = (0..6)
        .map(|_| json(&curl(&format!("{base}/api/echo"), &[]).1)["server"].to_string())
        .collect();
    let count = |name: &str| servers.iter().filter(|s| s.contains(name)).count();
    assert_eq!((count("a"), count("b")), (2, 4), "{servers:?}");

    // b dies: its requests are retried on a (nothing was sent), and after two refusals b
    // is ejected and no longer tried.
    let _ = b.child.kill();
    let _ = b.child.wait();
    for _ in 0..6 {
        let (status, body, _) = curl(&format!("{base}/api/echo"), &[]);
        assert_eq!(status, 200, "{body}");
        assert_eq!(json(&body)["server"], "a");
    }
    assert_eq!(bext.metric("bext_proxy_ejections_total"), 1);
    assert_eq!(bext.metric("bext_proxy_retries_total"), 2);
    assert!(bext.stderr().contains("ejected for"), "{}", bext.stderr());
}

#[test]
fn a_post_is_never_sent_twice_and_with_every_server_down_the_answer_is_503() {
    let upstream = Upstream::start("a");
    let (_dir, bext) = serve(
        "proxy-post",
        &format!(
            "servers = [\"{}\", \"{}\"]\nfail_max = 2\neject_ms = 60000",
            upstream.addr(),
            upstream.addr()
        ),
    );
    let base = format!("http://{}", bext.addr);
    // The reset comes after the request went out: a POST fails where it was sent...
    let (status, _, _) = curl(&format!("{base}/api/reset"), &["--data", "x=1"]);
    assert_eq!(status, 502);
    assert_eq!(bext.metric("bext_proxy_retries_total"), 0);
    // ...a GET goes to the next server (which resets it too: the first server's second
    // failure in a row ejects it).
    let (status, _, _) = curl(&format!("{base}/api/reset"), &[]);
    assert_eq!(status, 502);
    assert_eq!(bext.metric("bext_proxy_retries_total"), 1);
    assert_eq!(bext.metric("bext_proxy_ejections_total"), 1);
    // The other server's second failure ejects it too: nothing is left to ask.
    assert_eq!(curl(&format!("{base}/api/reset"), &[]).0, 502);
    assert_eq!(bext.metric("bext_proxy_ejections_total"), 2);
    let (status, _, _) = curl(&format!("{base}/api/echo"), &[]);
    assert_eq!(status, 503);
    assert_eq!(bext.metric("bext_proxy_unavailable_total"), 1);
    drop(bext);

    // With retry_non_idempotent, a POST goes to the next server too.
    let (_dir, bext) = serve(
        "proxy-post-retry",
        &format!(
            "servers = [\"{}\", \"{}\"]\nfail_max = 10\nretry_non_idempotent = true",
            upstream.addr(),
            upstream.addr()
        ),
    );
    let (status, _, _) = curl(
        &format!("http://{}/api/reset", bext.addr),
        &["--data", "x=1"],
    );
    assert_eq!(status, 502);
    assert_eq!(bext.metric("bext_proxy_retries_total"), 1);
}

#[test]
fn a_kept_connection_its_server_closed_is_not_what_a_request_fails_on() {
    let upstream = Upstream::start("a");
    let (_dir, bext) = serve(
        "proxy-closed-kept",
        &format!("servers = [\"{}\"]", upstream.addr()),
    );
    let base = format!("http://{}", bext.addr);
    let connections = || {
        curl(&format!("{base}/api/connections"), &[])
            .1
            .trim()
            .to_owned()
    };
    assert_eq!(connections(), "1");
    // Each `/close-after` answer looks kept-alive, then its server closes the connection.
    // A GET right after goes on a new connection: either the pool saw the close, or the
    // request found it and went again (a GET may).
    assert_eq!(curl(&format!("{base}/api/close-after"), &[]).0, 200);
    let (status, body, _) = curl(&format!("{base}/api/echo"), &[]);
    assert_eq!(status, 200, "{body}");
    // The first connection, then the one the GET (and this count) went on.
    assert_eq!(connections(), "2");
    // A POST cannot go twice, so the pool checks before it: one request, on a new
    // connection, never a 502.
    assert_eq!(curl(&format!("{base}/api/close-after"), &[]).0, 200);
    let (status, body, _) = curl(
        &format!("{base}/api/sink?id=after-close"),
        &["--data-binary", "0123456789"],
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        curl(&format!("{base}/api/received?id=after-close"), &[]).1,
        "10 1"
    );
    assert_eq!(bext.metric("bext_proxy_retries_total"), 0);
    let stderr = bext.stderr();
    assert!(!stderr.contains("bext: proxy:"), "{stderr}");
}

#[test]
fn a_site_can_only_proxy_and_bad_upstream_config_names_the_key() {
    let upstream = Upstream::start("a");
    let dir = TempDir::new("proxy-only");
    let config = dir.write(
        "bext.toml",
        format!(
            "[[upstream]]\nname = \"app\"\nservers = [\"{}\"]\nbalance = \"least_conn\"\n\n\
             [[site]]\n[[site.proxy]]\nmatch = \"/**\"\nupstream = \"app\"\n",
            upstream.addr()
        ),
    );
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    let (status, body, _) = curl(&format!("http://{}/echo", bext.addr), &[]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["path"], "/echo");

    common::assert_configs_refused(
        "proxy-config",
        &[
            (
                "[[site]]\nroot = \".\"\n[[site.proxy]]\nmatch = \"/**\"\nupstream = \"nope\"\n",
                "site[0].proxy[0].upstream: no [[upstream]] is named `nope`",
            ),
            (
                "[[upstream]]\nname = \"a\"\nservers = [\"127.0.0.1\"]\n[[site]]\nroot = \".\"\n",
                "upstream[0].servers[0]: `127.0.0.1`: a server is `host:port`",
            ),
            (
                "[[upstream]]\nname = \"a\"\nservers = [\"127.0.0.1:1\"]\nbalance = \"fastest\"\n[[site]]\nroot = \".\"\n",
                "upstream[0].balance: `fastest`: the balance is",
            ),
            (
                "[[upstream]]\nname = \"a\"\nservers = [\"no-such-host.invalid:80\"]\n[[site]]\nroot = \".\"\n",
                "upstream[0].servers[0]: no-such-host.invalid:80:",
            ),
            (
                "[[upstream]]\nname = \"a\"\nservers = [\"127.0.0.1:1\"]\ntls_ca = \"ca.pem\"\n[[site]]\nroot = \".\"\n",
                "upstream[0].tls_ca: applies only with `tls = true`",
            ),
            (
                "[[upstream]]\nname = \"a\"\nservers = [\"unix:a.sock\"]\ntls = true\n[[site]]\nroot = \".\"\n",
                "upstream[0].tls: servers[0] is a Unix socket",
            ),
            (
                "[[upstream]]\nname = \"a\"\nservers = [\"127.0.0.1:1\"]\nprotocol = \"http3\"\n[[site]]\nroot = \".\"\n",
                "upstream[0].protocol: `http3`: \"http1\" (HTTP/1.1, the default) or \"http2\"",
            ),
            (
                "[[upstream]]\nname = \"a\"\nservers = [\"127.0.0.1:1\"]\nhealth = { grpc_service = \"\" }\n[[site]]\nroot = \".\"\n",
                "upstream[0].health.grpc_service: gRPC's health check needs `protocol = \"http2\"`",
            ),
            (
                "[[upstream]]\nname = \"a\"\nservers = [\"127.0.0.1:1\"]\nprotocol = \"http2\"\nhealth = { interval_ms = 500 }\n[[site]]\nroot = \".\"\n",
                "upstream[0].health: a health check needs a `path` to GET",
            ),
            (
                "[[upstream]]\nname = \"a\"\nservers = [\"127.0.0.1:1\"]\nprotocol = \"http2\"\nhealth = { path = \"/h\", grpc_service = \"x\" }\n[[site]]\nroot = \".\"\n",
                "upstream[0].health.grpc_service: a health check has a `path` or a `grpc_service`, not both",
            ),
            (
                "[[upstream]]\nname = \"a\"\nservers = [\"127.0.0.1:1\"]\ntls = true\ntls_sni = \"10.0.0.1\"\n[[site]]\nroot = \".\"\n",
                "upstream[0].tls_sni: `10.0.0.1`: a DNS name",
            ),
            (
                "[[upstream]]\nname = \"a\"\nservers = [\"127.0.0.1:1\"]\ntls = true\ntls_ca = \"missing.pem\"\n[[site]]\nroot = \".\"\n",
                "upstream[0].tls_ca: ",
            ),
            (
                "[[upstream]]\nname = \"a\"\nservers = [\"127.0.0.1:1\"]\ntls_client_cert = \"c.pem\"\ntls_client_key = \"k.pem\"\n[[site]]\nroot = \".\"\n",
                "upstream[0].tls_client_cert: applies only with `tls = true`",
            ),
            (
                "[[upstream]]\nname = \"a\"\nservers = [\"127.0.0.1:1\"]\ntls = true\ntls_client_cert = \"c.pem\"\n[[site]]\nroot = \".\"\n",
                "upstream[0].tls_client_cert: needs `tls_client_key`",
            ),
            (
                "[[upstream]]\nname = \"a\"\nservers = [\"127.0.0.1:1\"]\ntls = true\ntls_client_key = \"k.pem\"\n[[site]]\nroot = \".\"\n",
                "upstream[0].tls_client_key: needs `tls_client_cert`",
            ),
            (
                "[[upstream]]\nname = \"a\"\nservers = [\"127.0.0.1:1\"]\ntls = true\ntls_client_cert = \"missing.pem\"\ntls_client_key = \"missing-key.pem\"\n[[site]]\nroot = \".\"\n",
                "upstream[0].tls_client_cert/tls_client_key: ",
            ),
            (
                "[[upstream]]\nname = \"a\"\nservers = [\"127.0.0.1:1\"]\nhost_header = \"a\\u0001b\"\n[[site]]\nroot = \".\"\n",
                "upstream[0].host_header: ",
            ),
            (
                "[[site]]\nroot = \".\"\ninternal = [\"private/**\"]\n",
                "site[0].internal[0]: `private/**`: a path glob starting with `/`",
            ),
            (
                "[[upstream]]\nname = \"a\"\nservers = [\"unix:\"]\n[[site]]\nroot = \".\"\n",
                "upstream[0].servers[0]: `unix:`: a Unix socket's path follows `unix:`",
            ),
        ],
    );
}

#[test]
fn websockets_pass_through_as_a_tunnel() {
    let upstream = Upstream::websocket();
    let dir = TempDir::new("proxy-ws");
    dir.write("www/index.html", "static\n");
    let config = dir.write(
        "bext.toml",
        format!(
            "[[upstream]]\nname = \"ws\"\nservers = [\"{}\"]\n\n[[site]]\nroot = \"www\"\n\
             [[site.proxy]]\nmatch = \"/chat\"\nupstream = \"ws\"\n",
            upstream.addr()
        ),
    );
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    let url = format!("ws://{}/chat", bext.addr);
    // Many small messages, then a few larger than any buffer (the tunnel's grow).
    let out = ws_client(&["talk", &url, "300", "64"]);
    assert!(out.starts_with("echoed 300"), "{out}");
    let out = ws_client(&["talk", &url, "3", "1500000"]);
    assert!(out.starts_with("echoed 3"), "{out}");
    // Many at once, held open, each still echoing after the wait.
    let out = ws_client(&["hold", &url, "200", "1"]);
    assert!(out.starts_with("held 200"), "{out}");
    assert_eq!(bext.metric("bext_proxy_upgrades_total"), 202);
    // The site's other paths are still plain HTTP on the same server.
    assert_eq!(
        curl(&format!("http://{}/index.html", bext.addr), &[]).0,
        200
    );
}

#[test]
fn websockets_over_http2_and_http3_reach_an_http1_upstream_as_an_upgrade() {
    let upstream = Upstream::websocket();
    let plain = Upstream::start("plain");
    let dir = TempDir::new("proxy-ws-h2");
    dir.write("www/index.html", "static\n");
    let config = dir.write(
        "bext.toml",
        format!(
            "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\nhttp3 = true\n\
             shards = 1\n\n\
             [[upstream]]\nname = \"ws\"\nservers = [\"{}\"]\n\
             [[upstream]]\nname = \"plain\"\nservers = [\"{}\"]\n\n\
             [[site]]\nroot = \"www\"\ntls = \"self-signed\"\n\
             [[site.proxy]]\nmatch = \"/chat\"\nupstream = \"ws\"\n\
             [[site.proxy]]\nmatch = \"/bad-accept\"\nupstream = \"plain\"\n",
            upstream.addr(),
            plain.addr()
        ),
    );
    let bext = Bext::serve_config(&config, &[]);
    let https = bext.https_addr();
    let quic = bext.quic_addr();
    // Over h2c, TLS and HTTP/3: small messages, then ones larger than the stream's window
    // (sent and echoed as the windows open), then with permessage-deflate, negotiated
    // between the client and the upstream through the tunnel.
    let cases: [(std::net::SocketAddr, &str, &[&str], &str); 7] = [
        (bext.addr, "plain", &["--echo", "200", "64"], "open 200 -"),
        (https, "tls", &["--echo", "3", "1500000"], "open 200 -"),
        (
            https,
            "tls",
            &["--echo", "20", "5000", "--deflate"],
            "open 200 permessage-deflate",
        ),
        (
            bext.addr,
            "plain",
            &["--echo", "1", "10", "--then-open"],
            "open 200 -",
        ),
        (quic, "h3", &["--echo", "200", "64"], "open 200 -"),
        (quic, "h3", &["--echo", "3", "1500000"], "open 200 -"),
        (
            quic,
            "h3",
            &["--echo", "20", "5000", "--deflate", "--then-open"],
            "open 200 permessage-deflate",
        ),
    ];
    for (addr, tls, args, open) in cases {
        let out = common::ws_connect_output(addr, tls, "/chat", args);
        let echoed = format!("echoed {}", args[1]);
        assert_eq!(out[0], "settings connect=1", "{args:?}: {out:?}");
        assert!(out[1].starts_with(open), "{args:?}: {out:?}");
        assert_eq!(
            out[2..5],
            [echoed, "closed 1000".into(), "ended".into()],
            "{args:?}"
        );
    }
    for (addr, transport) in [(bext.addr, "plain"), (quic, "h3")] {
        // The upstream refuses a handshake it cannot speak: its answer passes through.
        let out = common::ws_connect_output(addr, transport, "/chat", &["--version", "8"]);
        assert!(out[1].starts_with("refused 400"), "{transport}: {out:?}");
        // A 101 without the accept for the key bext sent is a bad response, never a tunnel.
        let out = common::ws_connect_output(addr, transport, "/bad-accept", &[]);
        assert!(out[1].starts_with("refused 502 "), "{transport}: {out:?}");
    }
    assert!(
        bext.wait_for_stderr("101 without the Sec-WebSocket-Accept for the key sent"),
        "{}",
        bext.stderr()
    );
    // Seven tunnels and the second stream of two connections.
    assert_eq!(bext.metric("bext_proxy_upgrades_total"), 9);
    assert_eq!(bext.metric("bext_proxy_bad_responses_total"), 2);
}

#[test]
fn websockets_reach_an_http2_upstream_as_an_extended_connect() {
    // hypercorn takes WebSockets only over HTTP/2 (one over HTTP/1.1 is refused), and says
    // so in its answer's `x-came-by`; the gRPC server speaks HTTP/2 without RFC 8441.
    let upstream = Upstream::websocket_h2();
    let grpc = Upstream::grpc(&[]);
    let dir = TempDir::new("proxy-ws-to-h2");
    dir.write("www/index.html", "static\n");
    let config = dir.write(
        "bext.toml",
        format!(
            "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\nhttp3 = true\n\
             shards = 1\n\n\
             [[upstream]]\nname = \"ws\"\nservers = [\"{}\"]\nprotocol = \"http2\"\n\
             [[upstream]]\nname = \"grpc\"\nservers = [\"{}\"]\nprotocol = \"http2\"\n\n\
             [[site]]\nroot = \"www\"\ntls = \"self-signed\"\n\
             [[site.proxy]]\nmatch = \"/chat\"\nupstream = \"ws\"\n\
             [[site.proxy]]\nmatch = \"/no-ws\"\nupstream = \"grpc\"\n",
            upstream.addr(),
            grpc.addr()
        ),
    );
    let bext = Bext::serve_config(&config, &[]);
    // An HTTP/1.1 client's upgrade: its 101 carries the accept for its own key (RFC 6455's
    // sample), and the upstream's fields.
    let handshake = |path: &str| {
        let out = Command::new("curl")
            .args(["-sS", "-i", "-N", "--max-time", "2", "--http1.1"])
            .args(["-H", "Connection: Upgrade", "-H", "Upgrade: websocket"])
            .args(["-H", "Sec-WebSocket-Version: 13"])
            .args(["-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="])
            .arg(format!("http://{}{path}", bext.addr))
            .output()
            .expect("curl runs");
        String::from_utf8_lossy(&out.stdout).to_lowercase()
    };
    let head = handshake("/chat");
    assert!(head.starts_with("http/1.1 101"), "{head}");
    assert!(
        head.contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo="),
        "{head}"
    );
    assert!(head.contains("x-came-by: http/2"), "{head}");
    let url = format!("ws://{}/chat", bext.addr);
    // Messages larger than the upstream stream's window. (hypercorn forgets a stream once
    // the client's close is answered, without ending it, so this client waits out its own
    // close timeout for the end of the connection: about 5 s.)
    let out = ws_client(&["talk", &url, "3", "1500000"]);
    assert!(out.starts_with("echoed 3"), "{out}");
    // HTTP/2 (h2c and TLS) and HTTP/3 clients: their extended CONNECT goes on as one.
    let cases: [(std::net::SocketAddr, &str, &[&str]); 3] = [
        (bext.addr, "plain", &["--echo", "50", "100"]),
        (bext.https_addr(), "tls", &["--echo", "2", "1500000"]),
        (bext.quic_addr(), "h3", &["--echo", "50", "100"]),
    ];
    for (addr, transport, args) in cases {
        let out = common::ws_connect_output(addr, transport, "/chat", args);
        let echoed = format!("echoed {}", args[1]);
        assert_eq!(
            out,
            [
                "settings connect=1".to_owned(),
                "open 200 -".into(),
                echoed,
                "closed 1000".into(),
                "ended".into()
            ],
            "{transport}"
        );
    }
    // An HTTP/2 server that does not offer the extended CONNECT is never sent one.
    let head = handshake("/no-ws");
    assert!(head.starts_with("http/1.1 502"), "{head}");
    assert!(
        bext.wait_for_stderr("without SETTINGS_ENABLE_CONNECT_PROTOCOL"),
        "{}",
        bext.stderr()
    );
    assert_eq!(bext.metric("bext_proxy_upgrades_total"), 5);
}

#[test]
fn one_shard_probes_and_every_shard_stops_sending_to_a_sick_server() {
    let a = Upstream::start("a");
    let b = Upstream::start("b");
    let dir = TempDir::new("proxy-health");
    dir.write("www/index.html", "static\n");
    let config = dir.write(
        "bext.toml",
        format!(
            "[[upstream]]\nname = \"api\"\nservers = [\"{}\", \"{}\"]\n\
             health = {{ path = \"/health\", interval_ms = 100, timeout_ms = 1000, rise = 2, fall = 2 }}\n\n\
             [[site]]\nroot = \"www\"\n[[site.proxy]]\nmatch = \"/api/**\"\nupstream = \"api\"\n\
             strip_prefix = \"/api\"\n",
            a.addr(),
            b.addr()
        ),
    );
    let bext = Bext::serve_config(&config, &["--shards", "2"]);
    let via = |cpu: usize| {
        let (status, _, body) = curl_on(cpu, &format!("http://{}/api/echo", bext.addr));
        assert_eq!(status, 200, "{body}");
        json(&body)["server"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    // Both shards use both servers while they are well.
    for cpu in [0, 1] {
        let seen: Vec<String> = (0..4).map(|_| via(cpu)).collect();
        assert!(
            seen.iter().any(|s| s == "a") && seen.iter().any(|s| s == "b"),
            "cpu {cpu}: {seen:?}"
        );
    }
    // b turns sick: the owner's probes take it down and tell the other shard.
    assert_eq!(curl(&format!("http://{}/sick", b.addr()), &[]).0, 200);
    assert!(
        bext.wait_for_stderr(&format!(
            "server {}: down after 2 health check(s)",
            b.addr()
        )),
        "{}",
        bext.stderr()
    );
    for cpu in [0, 1] {
        common::eventually(&format!("cpu {cpu}'s shard to send nothing to b"), || {
            (0..6).all(|_| via(cpu) == "a").then_some(())
        });
    }
    // Well again: back in turn on both shards.
    assert_eq!(curl(&format!("http://{}/well", b.addr()), &[]).0, 200);
    for cpu in [0, 1] {
        common::eventually(&format!("cpu {cpu}'s shard to use b again"), || {
            (0..6).any(|_| via(cpu) == "b").then_some(())
        });
    }
    // One prober: in two seconds, a is probed at most once per 100 ms (two shards probing
    // would make it about twice that).
    let count = || {
        curl(&format!("http://{}/health-count", a.addr()), &[])
            .1
            .trim()
            .parse::<u64>()
            .unwrap_or(0)
    };
    let before = count();
    let started = std::time::Instant::now();
    std::thread::sleep(std::time::Duration::from_secs(2));
    let probes = count() - before;
    let most = started.elapsed().as_millis() as u64 / 100 + 2;
    assert!(probes <= most, "{probes} probes in {:?}", started.elapsed());
    assert!(probes > 0, "no probes");
}

#[test]
fn over_http2_bodies_stream_and_a_cut_one_resets_the_stream() {
    let upstream = Upstream::start("a");
    let dir = TempDir::new("proxy-h2");
    dir.write("www/index.html", "static\n");
    let config = dir.write(
        "bext.toml",
        format!(
            "[server]\nhttp2 = true\n[[upstream]]\nname = \"api\"\nservers = [\"{}\"]\n\n\
             [[site]]\nroot = \"www\"\n[[site.proxy]]\nmatch = \"/api/**\"\nupstream = \"api\"\n\
             strip_prefix = \"/api\"\n",
            upstream.addr()
        ),
    );
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    let h2 = |path: &str| {
        let out = Command::new("curl")
            .args([
                "-sS",
                "--http2-prior-knowledge",
                "--max-time",
                "20",
                "-o",
                "/dev/null",
            ])
            .args([
                "-w",
                "%{http_version} %{http_code} %{size_download} [%header{content-length}]",
            ])
            .arg(format!("http://{}{path}", bext.addr))
            .output()
            .expect("curl runs");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            out.status.code().unwrap_or(-1),
        )
    };
    // A streamed body keeps the upstream's length; a chunked one has none.
    assert_eq!(
        h2("/api/big?bytes=3000000"),
        ("2 200 3000000 [3000000]".to_owned(), 0)
    );
    assert_eq!(h2("/api/chunked?n=20").0, "2 200 170 []");
    let out = Command::new("curl")
        .args(["-sS", "--http2-prior-knowledge", "--max-time", "20", "-I"])
        .arg(format!("http://{}/api/big?bytes=300000", bext.addr))
        .output()
        .expect("curl runs");
    let head = String::from_utf8_lossy(&out.stdout);
    assert!(
        head.starts_with("HTTP/2 200") && head.contains("content-length: 300000\r\n"),
        "{head}"
    );
    // The upstream breaks the body off: the stream is reset (curl: 92, not closed cleanly).
    let (_, code) = h2("/api/cut");
    assert_eq!(code, 92);
}
