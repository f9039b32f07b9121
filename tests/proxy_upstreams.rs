//! Upstreams beyond plain HTTP/1.1 over TCP, end to end: a server on a Unix socket; HTTPS
//! servers verified against an authority made here with openssl, and refused when their
//! certificate is not trusted or does not name them; next.config rewrites to another
//! server's URL, proxied as `next start` does; an upstream handing out a site's internal file
//! with `X-Accel-Redirect`; and gRPC servers spoken to over HTTP/2 (`protocol = "http2"`), in
//! the clear and over TLS. The servers are `tests/proxy/upstream.py` (Python's http.server,
//! with its `ssl` module for HTTPS) and `tests/proxy/grpc_peer.py` (grpcio); the clients curl
//! and grpcio's.

mod common;
#[path = "proxy/harness.rs"]
mod harness;

use std::path::Path;
use std::process::Command;

use common::{Bext, TempDir};
use harness::{Upstream, curl, curl_on, header, json, ws_client};

/// `GET path` through bext is answered 502, and bext's log says `why`.
#[track_caller]
fn assert_502_logged(bext: &Bext, path: &str, why: &str) {
    let (status, body, _) = curl(&format!("http://{}{path}", bext.addr), &[]);
    assert_eq!(status, 502, "{body}");
    assert!(
        bext.wait_for_stderr(why),
        "{why:?} not in:\n{}",
        bext.stderr()
    );
}

/// Runs `openssl ARGS` in `dir`, which must succeed.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An authority (`ca.pem`) and a server certificate it signed (`cert.pem`, `key.pem`) for
/// `upstream.test` and 127.0.0.1, in `dir`.
fn make_authority_and_server(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=bext test authority",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ],
    );
    issue(
        dir,
        ("key.pem", "cert.pem"),
        "/CN=upstream.test",
        "subjectAltName=DNS:upstream.test,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    );
}

/// A client certificate (`client.pem`, `client.key`) for `bext proxy`, signed by the
/// authority [`make_authority_and_server`] made in `dir`.
fn make_client_cert(dir: &Path) {
    issue(
        dir,
        ("client.key", "client.pem"),
        "/CN=bext proxy",
        "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n",
    );
}

/// A new P-256 key and a certificate for `subject` with `extensions`, signed by the
/// authority in `dir` (`ca.pem`, `ca.key`): `(key, cert)` file names.
fn issue(dir: &Path, (key, cert): (&str, &str), subject: &str, extensions: &str) {
    let csr = format!("{cert}.csr");
    let ext = format!("{cert}.ext");
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            subject,
            "-keyout",
            key,
            "-out",
            &csr,
        ],
    );
    std::fs::write(dir.join(&ext), extensions).expect("write the extensions");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            &ext,
            "-out",
            cert,
        ],
    );
}

#[test]
fn a_unix_socket_upstream_is_proxied_and_its_connection_kept() {
    let dir = TempDir::new("proxy-unix");
    let socket = dir.path().join("api.sock");
    let socket = socket.to_str().expect("utf-8 path");
    let _upstream = Upstream::start_with("on-unix", &["--unix", socket]);
    let config = dir.write(
        "bext.toml",
        "[[upstream]]\nname = \"api\"\nservers = [\"unix:api.sock\"]\nhost_header = \"upstream\"\n\n\
         [[site]]\n[[site.proxy]]\nmatch = \"/**\"\nupstream = \"api\"\n",
    );
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    for i in 0..3 {
        let (status, body, _) = curl(
            &format!("http://{}/echo/{i}", bext.addr),
            &["-d", "over a unix socket"],
        );
        assert_eq!(status, 200, "{body}");
        let doc = json(&body);
        assert_eq!(doc["server"], "on-unix");
        assert_eq!(doc["path"], format!("/echo/{i}"));
        assert_eq!(doc["body"], "over a unix socket");
        // `host_header = "upstream"` for a socket: `localhost`.
        assert_eq!(header(&doc, "host"), Some("localhost"), "{body}");
    }
    assert_eq!(bext.metric("bext_proxy_connections_opened_total"), 1);
    assert_eq!(bext.metric("bext_proxy_connections_reused_total"), 2);
}

#[test]
fn https_upstreams_are_verified_and_their_connections_kept() {
    let dir = TempDir::new("proxy-https");
    make_authority_and_server(dir.path());
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    let upstream = Upstream::start_with(
        "on-tls",
        &[
            "--tls",
            cert.to_str().expect("utf-8 path"),
            key.to_str().expect("utf-8 path"),
        ],
    );
    let server = upstream.addr();
    let config = dir.write(
        "bext.toml",
        format!(
            "[[upstream]]\nname = \"good\"\nservers = [\"{server}\"]\ntls = true\n\
             tls_ca = \"ca.pem\"\ntls_sni = \"upstream.test\"\nhost_header = \"upstream\"\n\n\
             [[upstream]]\nname = \"by-ip\"\nservers = [\"{server}\"]\ntls = true\n\
             tls_ca = \"ca.pem\"\n\n\
             [[upstream]]\nname = \"untrusted\"\nservers = [\"{server}\"]\ntls = true\n\n\
             [[upstream]]\nname = \"misnamed\"\nservers = [\"{server}\"]\ntls = true\n\
             tls_ca = \"ca.pem\"\ntls_sni = \"other.test\"\n\n\
             [[site]]\n\
             [[site.proxy]]\nmatch = \"/good/**\"\nupstream = \"good\"\nstrip_prefix = \"/good\"\n\
             [[site.proxy]]\nmatch = \"/by-ip/**\"\nupstream = \"by-ip\"\nstrip_prefix = \"/by-ip\"\n\
             [[site.proxy]]\nmatch = \"/untrusted/**\"\nupstream = \"untrusted\"\n\
             [[site.proxy]]\nmatch = \"/misnamed/**\"\nupstream = \"misnamed\"\n"
        ),
    );
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    for i in 0..3 {
        let (status, body, _) = curl(
            &format!("http://{}/good/echo?n={i}", bext.addr),
            &["-d", "over TLS"],
        );
        assert_eq!(status, 200, "{body}");
        let doc = json(&body);
        assert_eq!(doc["server"], "on-tls");
        assert_eq!(doc["path"], format!("/echo?n={i}"));
        assert_eq!(doc["body"], "over TLS");
        // The server's own host:port, the client's Host in X-Forwarded-Host.
        assert_eq!(header(&doc, "host"), Some(server.as_str()), "{body}");
        assert_eq!(
            header(&doc, "x-forwarded-host"),
            Some(bext.addr.to_string().as_str()),
            "{body}"
        );
    }
    // One handshake, then the connection is kept.
    assert_eq!(bext.metric("bext_proxy_connections_opened_total"), 1);
    assert_eq!(bext.metric("bext_proxy_connections_reused_total"), 2);
    // Without tls_sni, an IP address is verified against the certificate's IP names.
    let (status, body, _) = curl(&format!("http://{}/by-ip/echo", bext.addr), &[]);
    assert_eq!(status, 200, "{body}");

    // Not trusted (the system's authorities did not sign it), or not the name asked for:
    // nothing is sent, 502, the reason logged.
    assert_502_logged(
        &bext,
        "/untrusted/echo",
        "invalid peer certificate: UnknownIssuer",
    );
    assert_502_logged(
        &bext,
        "/misnamed/echo",
        "certificate not valid for name \"other.test\"",
    );
}

#[test]
fn upstreams_that_ask_for_a_client_certificate_are_shown_the_configured_one() {
    let dir = TempDir::new("proxy-mtls");
    make_authority_and_server(dir.path());
    make_client_cert(dir.path());
    let path = |name: &str| {
        dir.path()
            .join(name)
            .to_str()
            .expect("utf-8 path")
            .to_owned()
    };
    // Python's ssl server, requiring a certificate its authority (ca.pem) signed.
    let upstream = Upstream::start_with(
        "needs-cert",
        &[
            "--tls",
            &path("cert.pem"),
            &path("key.pem"),
            "--client-ca",
            &path("ca.pem"),
        ],
    );
    let server = upstream.addr();
    let config = dir.write(
        "bext.toml",
        format!(
            "[[upstream]]\nname = \"with-cert\"\nservers = [\"{server}\"]\ntls = true\n\
             tls_ca = \"ca.pem\"\ntls_sni = \"upstream.test\"\n\
             tls_client_cert = \"client.pem\"\ntls_client_key = \"client.key\"\n\n\
             [[upstream]]\nname = \"without\"\nservers = [\"{server}\"]\ntls = true\n\
             tls_ca = \"ca.pem\"\ntls_sni = \"upstream.test\"\n\n\
             [[site]]\n\
             [[site.proxy]]\nmatch = \"/with/**\"\nupstream = \"with-cert\"\nstrip_prefix = \"/with\"\n\
             [[site.proxy]]\nmatch = \"/without/**\"\nupstream = \"without\"\nstrip_prefix = \"/without\"\n"
        ),
    );
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    for i in 0..2 {
        let (status, body, _) = curl(&format!("http://{}/with/echo?n={i}", bext.addr), &[]);
        assert_eq!(status, 200, "{body}");
        let doc = json(&body);
        assert_eq!(doc["server"], "needs-cert");
        // The upstream saw the certificate and its name.
        assert_eq!(doc["client"], "bext proxy", "{body}");
    }
    // Showing none, the request is refused by the server: 502, never an answer.
    let (status, _, _) = curl(&format!("http://{}/without/echo", bext.addr), &[]);
    assert_eq!(status, 502, "{}", bext.stderr());

    // A key that is not the certificate's stops the start, naming the key.
    let mismatched = format!(
        "[[upstream]]\nname = \"a\"\nservers = [\"{server}\"]\ntls = true\n\
         tls_ca = \"{}\"\ntls_client_cert = \"{}\"\ntls_client_key = \"{}\"\n\n\
         [[site]]\n[[site.proxy]]\nmatch = \"/**\"\nupstream = \"a\"\n",
        path("ca.pem"),
        path("client.pem"),
        path("key.pem"),
    );
    common::assert_configs_refused(
        "proxy-mtls-key",
        &[(&mismatched, "upstream[0].tls_client_key: ")],
    );
}

#[test]
fn next_config_rewrites_to_another_server_are_proxied() {
    let upstream = Upstream::start("elsewhere");
    let dir = TempDir::new("proxy-rewrite");
    dir.write(
        "app/layout.tsx",
        "export default function L({ children }: { children: any }) { return <html><body>{children}</body></html>; }\n",
    );
    dir.write(
        "app/page.tsx",
        "export default function Home() { return <h1>home</h1>; }\n",
    );
    dir.write(
        "next.config.mjs",
        format!(
            "export default {{\n  async rewrites() {{\n    return {{\n      beforeFiles: [{{ source: '/api/:path*', destination: 'http://{}/echo/:path*' }}],\n      fallback: [{{ source: '/:path*', destination: 'http://{}/echo/fallback/:path*' }}],\n    }};\n  }},\n  async headers() {{ return [{{ source: '/api/:path*', headers: [{{ key: 'x-from-config', value: 'yes' }}] }}]; }},\n}};\n",
            upstream.addr(),
            upstream.addr()
        ),
    );
    dir.write(
        "middleware.ts",
        "import { NextResponse, type NextRequest } from 'next/server';\n\nexport function middleware(request: NextRequest) {\n  if (request.nextUrl.pathname === '/away') return NextResponse.rewrite('https://elsewhere.test/x');\n  return NextResponse.next();\n}\n",
    );
    let bext = Bext::serve_dir(dir.path(), &["--shards", "1"]);
    let (status, body, _) = curl(
        &format!("http://{}/api/a/b?q=1", bext.addr),
        &["-d", "posted", "-D", "-"],
    );
    assert_eq!(status, 200, "{body}");
    let (head, body) = body.split_once("\r\n\r\n").expect("a head, then the body");
    assert!(
        head.to_ascii_lowercase().contains("x-from-config: yes"),
        "{head}"
    );
    let doc = json(body);
    assert_eq!(doc["server"], "elsewhere");
    assert_eq!(doc["path"], "/echo/a/b?q=1");
    assert_eq!(doc["method"], "POST");
    assert_eq!(doc["body"], "posted");
    // Next sends the destination's host.
    assert_eq!(header(&doc, "host"), Some(upstream.addr().as_str()));
    // The app's own page still renders; a path it does not have falls back to the server.
    let (status, body, _) = curl(&format!("http://{}/", bext.addr), &[]);
    assert_eq!(status, 200);
    assert!(body.contains("<h1>home</h1>"), "{body}");
    let (status, body, _) = curl(&format!("http://{}/no/such/page", bext.addr), &[]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["path"], "/echo/fallback/no/such/page");
    // A middleware's URL to a server bext knows nothing of: 502, saying why.
    let (status, body, _) = curl(&format!("http://{}/away", bext.addr), &[]);
    assert_eq!(status, 502);
    assert!(body.contains("https://elsewhere.test/x"), "{body}");
    assert!(
        bext.wait_for_stderr("bext knows no upstream for its server"),
        "{}",
        bext.stderr()
    );
}

#[test]
fn an_upstream_hands_out_an_internal_file_with_x_accel_redirect() {
    let upstream = Upstream::start("accel");
    let dir = TempDir::new("proxy-accel");
    dir.write("www/private/report.txt", "secret report\n");
    let config = dir.write(
        "bext.toml",
        format!(
            "[[upstream]]\nname = \"app\"\nservers = [\"{}\"]\n\n\
             [[site]]\nroot = \"www\"\ninternal = [\"/private/**\"]\n\
             [[site.proxy]]\nmatch = \"/app/**\"\nupstream = \"app\"\nstrip_prefix = \"/app\"\n",
            upstream.addr()
        ),
    );
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    let (status, body, _) = curl(
        &format!("http://{}/app/accel?to=/private/report.txt", bext.addr),
        &["-D", "-"],
    );
    let (head, body) = body.split_once("\r\n\r\n").expect("a head, then the body");
    let head = head.to_ascii_lowercase();
    assert_eq!((status, body), (200, "secret report\n"), "{head}");
    assert!(head.contains("set-cookie: seen=1"), "{head}");
    assert!(head.contains("content-type: text/plain"), "{head}");
    // Not to clients directly.
    let (status, body, _) = curl(&format!("http://{}/private/report.txt", bext.addr), &[]);
    assert_eq!(status, 404, "{body}");
    // A redirect to a file that is not there is the file's 404.
    let (status, _, _) = curl(
        &format!("http://{}/app/accel?to=/private/none.txt", bext.addr),
        &[],
    );
    assert_eq!(status, 404);
}

#[test]
fn a_caching_route_keeps_what_the_upstream_allows_and_asks_again_when_it_goes_stale() {
    let upstream = Upstream::start("cached");
    let dir = TempDir::new("proxy-cache");
    let config = dir.write(
        "bext.toml",
        format!(
            "[render]\ninvalidate_token = \"0123456789abcdef0123\"\n\n\
             [[upstream]]\nname = \"app\"\nservers = [\"{}\"]\n\n\
             [[site]]\n[[site.proxy]]\nmatch = \"/**\"\nupstream = \"app\"\ncache = true\n",
            upstream.addr()
        ),
    );
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    // `n`: how many times the upstream was asked for that URL; `cache`: x-bext-cache.
    let get = |path: &str, args: &[&str]| -> (u64, String, serde_json::Value) {
        let mut all = vec!["-D", "-"];
        all.extend_from_slice(args);
        let (status, text, _) = curl(&format!("http://{}{path}", bext.addr), &all);
        assert_eq!(status, 200, "{path}: {text}");
        let (head, body) = text.split_once("\r\n\r\n").expect("a head, then the body");
        let cache = head
            .lines()
            .find_map(|l| l.strip_prefix("x-bext-cache: "))
            .unwrap_or("none")
            .to_owned();
        let doc = json(body);
        (doc["n"].as_u64().expect("n"), cache, doc)
    };

    // Kept for its max-age; the fill asks without the client's conditions and encodings.
    let fresh = "/cached/a?cc=max-age=60";
    let (n, cache, doc) = get(
        fresh,
        &["-H", "If-None-Match: \"x\"", "-H", "Accept-Encoding: gzip"],
    );
    assert_eq!((n, cache.as_str()), (1, "miss"));
    assert_eq!(header(&doc, "if-none-match"), None, "{doc}");
    assert_eq!(header(&doc, "accept-encoding"), None, "{doc}");
    for _ in 0..3 {
        let (n, cache, _) = get(fresh, &[]);
        assert_eq!((n, cache.as_str()), (1, "hit"));
    }
    // A client's copy still matching the kept answer's validators: 304, from the cache.
    let tagged = "/cached/t?cc=max-age=60&etag=1";
    assert_eq!(get(tagged, &[]).0, 1);
    for (condition, want) in [
        ("If-None-Match: \"v1\"", 304),
        ("If-None-Match: W/\"v1\", \"v0\"", 304),
        ("If-None-Match: \"v0\"", 200),
        ("If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT", 304),
        ("If-Modified-Since: Sun, 06 Nov 1994 08:49:36 GMT", 200),
    ] {
        let (status, head, _) = curl(
            &format!("http://{}{tagged}", bext.addr),
            &["-sS", "-o", "/dev/null", "-D", "-", "-H", condition],
        );
        assert_eq!(status, want, "{condition}: {head}");
        assert!(head.contains("x-bext-cache: hit"), "{condition}: {head}");
        if want == 304 {
            assert!(head.contains("etag: \"v1\""), "{head}");
            assert!(head.contains("cache-control: max-age=60"), "{head}");
        }
    }
    // Ranges of a kept answer: from the cache too, If-Range permitting.
    let (_, whole, _) = get(tagged, &[]);
    assert_eq!(whole, "hit");
    let url = format!("http://{}{tagged}", bext.addr);
    let (status, text, _) = curl(&url, &["-D", "-", "-r", "0-5"]);
    let (head, body) = text.split_once("\r\n\r\n").expect("a head, then the body");
    assert_eq!((status, body), (206, "{\"most"), "{head}");
    assert!(head.contains("content-range: bytes 0-5/"), "{head}");
    for (extra, want) in [
        (vec!["-r", "0-5", "-H", "If-Range: \"v1\""], 206),
        (vec!["-r", "0-5", "-H", "If-Range: \"v0\""], 200),
        (vec!["-r", "999999-"], 416),
    ] {
        let (status, _, _) = curl(&url, &extra);
        assert_eq!(status, want, "{extra:?}");
    }
    assert_eq!(get(tagged, &[]).0, 1, "the upstream was asked once");
    // A range or a condition that misses: the fill asks for the whole answer, and the client
    // gets its part (206) or its 304 from what was kept.
    let ranged = format!("http://{}/cached/r?cc=max-age=60&etag=1", bext.addr);
    let (status, text, _) = curl(&ranged, &["-D", "-", "-r", "0-5"]);
    let (head, body) = text.split_once("\r\n\r\n").expect("a head, then the body");
    assert_eq!((status, body.len()), (206, 6), "{text}");
    assert!(head.contains("content-range: bytes 0-5/"), "{head}");
    assert!(head.contains("x-bext-cache: miss"), "{head}");
    assert_eq!(get("/cached/r?cc=max-age=60&etag=1", &[]).0, 1);
    let validated = format!("http://{}/cached/v?cc=max-age=60&etag=1", bext.addr);
    let (status, head, _) = curl(
        &validated,
        &[
            "-sS",
            "-o",
            "/dev/null",
            "-D",
            "-",
            "-H",
            "If-None-Match: \"v1\"",
        ],
    );
    assert_eq!(status, 304, "{head}");
    assert!(head.contains("x-bext-cache: miss"), "{head}");
    // A HEAD is answered from the copy too.
    let (status, head, _) = curl(&format!("http://{}{fresh}", bext.addr), &["-I"]);
    assert_eq!(status, 200);
    assert!(head.contains("x-bext-cache: hit"), "{head}");

    // Not kept: no lifetime, a cookie, `private`; a request with credentials skips the cache.
    for path in [
        "/cached/b",
        "/cached/c?cc=max-age=60&cookie=1",
        "/cached/d?cc=private,max-age=60",
    ] {
        assert_eq!(get(path, &[]).0, 1, "{path}");
        assert_eq!(get(path, &[]).0, 2, "{path}");
    }
    let (n, _, _) = get(fresh, &["-H", "Authorization: Bearer t"]);
    assert_eq!(n, 2, "a request with Authorization goes to the upstream");

    // Stale without stale-while-revalidate: asked again at once.
    let short = "/cached/e?cc=max-age=1";
    assert_eq!(get(short, &[]).0, 1);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (n, cache, _) = get(short, &[]);
    assert_eq!((n, cache.as_str()), (2, "miss"));

    // With it: the stale copy at once, the fresh one fetched behind it.
    let swr = "/cached/f?cc=max-age=1,stale-while-revalidate=60";
    assert_eq!(get(swr, &[]).0, 1);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (n, cache, _) = get(swr, &[]);
    assert_eq!((n, cache.as_str()), (1, "stale"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (n, cache, _) = get(swr, &[]);
        if (n, cache.as_str()) == (2, "hit") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never refreshed: {n} {cache}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }

    // The purge endpoint marks a kept answer stale; without a stale window it is a miss.
    let (status, body, _) = curl(
        &format!("http://{}/__bext/cache/invalidate", bext.addr),
        &[
            "-X",
            "POST",
            "-H",
            "authorization: Bearer 0123456789abcdef0123",
            "-d",
            &format!("{{\"path\": \"{fresh}\"}}"),
        ],
    );
    assert_eq!(status, 200, "{body}");
    let (n, cache, _) = get(fresh, &[]);
    assert_eq!((n, cache.as_str()), (3, "miss"));
}

#[test]
fn a_kept_answer_is_fetched_once_for_every_shard() {
    const KEYS_TRIED_MAX: usize = 48;
    let upstream = Upstream::start("shared");
    let dir = TempDir::new("proxy-cache-shards");
    let config = dir.write(
        "bext.toml",
        format!(
            "[[upstream]]\nname = \"app\"\nservers = [\"{}\"]\n\n\
             [[site]]\n[[site.proxy]]\nmatch = \"/**\"\nupstream = \"app\"\ncache = true\n",
            upstream.addr()
        ),
    );
    let bext = Bext::serve_config(&config, &["--shards", "2"]);
    // The first shard to be asked misses. If it owns the key, the other has no copy (its
    // first answer is a miss too) but asks the owner instead of the upstream: one fetch. If
    // the other shard owns it, the first asked it, and it kept a copy: a hit. (Pinning curl
    // to a CPU steers its connection to that CPU's shard.) Owners follow a per-process random
    // hash, so keys are tried until both cases were seen: each key is one or the other with
    // even odds, so 48 keys all alike is a 2^-47 chance.
    let (mut asked_the_owner, mut kept_by_the_owner) = (0, 0);
    for key in 0..KEYS_TRIED_MAX {
        if asked_the_owner > 0 && kept_by_the_owner > 0 {
            break;
        }
        let url = format!("http://{}/cached/k{key}?cc=max-age=60", bext.addr);
        let (status, cache, body) = curl_on(0, &url);
        assert_eq!((status, cache.as_str()), (200, "miss"), "{body}");
        assert_eq!(json(&body)["n"], 1, "{body}");
        let (status, cache, body) = curl_on(1, &url);
        assert_eq!(status, 200, "{body}");
        assert_eq!(json(&body)["n"], 1, "k{key}: fetched again: {body}");
        match cache.as_str() {
            "miss" => asked_the_owner += 1,
            "hit" => kept_by_the_owner += 1,
            other => panic!("k{key}: x-bext-cache {other:?}"),
        }
        for cpu in [0, 1] {
            let (_, cache, body) = curl_on(cpu, &url);
            assert_eq!(
                (cache.as_str(), json(&body)["n"].as_u64()),
                ("hit", Some(1))
            );
        }
    }
    assert!(
        asked_the_owner > 0 && kept_by_the_owner > 0,
        "after {KEYS_TRIED_MAX} keys, {asked_the_owner} reached the second shard without a \
         copy and {kept_by_the_owner} found the owner's: a shard is not reached by its CPU"
    );
    // An answer the upstream does not let a cache keep is passed between shards once and
    // never kept: each request reaches the upstream once.
    let url = format!("http://{}/cached/private?cc=private", bext.addr);
    let mut seen = Vec::new();
    for cpu in [0, 1, 0, 1] {
        let (status, _, body) = curl_on(cpu, &url);
        assert_eq!(status, 200, "{body}");
        seen.push(json(&body)["n"].as_u64().unwrap_or(0));
    }
    assert_eq!(seen, [1, 2, 3, 4]);

    // Such a URL then skips the cache for a while: its requests run side by side instead of
    // each waiting for the one before (the upstream saw them overlap).
    let url = format!("http://{}/cached/slow?cc=private&ms=300", bext.addr);
    assert_eq!(curl_on(0, &url).0, 200);
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || curl_on(0, &url))
        })
        .collect();
    let most = runs
        .into_iter()
        .map(|run| {
            let (status, _, body) = run.join().expect("curl thread");
            assert_eq!(status, 200, "{body}");
            json(&body)["most"].as_u64().unwrap_or(0)
        })
        .max();
    assert!(most >= Some(2), "the requests never overlapped: {most:?}");
}

#[test]
fn websockets_reach_an_https_upstream_through_its_tls() {
    let dir = TempDir::new("proxy-wss");
    make_authority_and_server(dir.path());
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    let upstream = Upstream::websocket_with(&[
        cert.to_str().expect("utf-8 path"),
        key.to_str().expect("utf-8 path"),
    ]);
    let config = dir.write(
        "bext.toml",
        format!(
            "[[upstream]]\nname = \"ws\"\nservers = [\"{}\"]\ntls = true\ntls_ca = \"ca.pem\"\n\
             tls_sni = \"upstream.test\"\n\n\
             [[site]]\n[[site.proxy]]\nmatch = \"/chat\"\nupstream = \"ws\"\n",
            upstream.addr()
        ),
    );
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    let url = format!("ws://{}/chat", bext.addr);
    // Small messages, then ones larger than a TLS record, each way through the tunnel.
    let out = ws_client(&["talk", &url, "100", "64"]);
    assert!(out.starts_with("echoed 100"), "{out}");
    let out = ws_client(&["talk", &url, "3", "300000"]);
    assert!(out.starts_with("echoed 3"), "{out}");
    assert_eq!(bext.metric("bext_proxy_upgrades_total"), 2);
}

#[test]
fn a_route_s_own_timeout_wins_over_its_upstream_s() {
    let upstream = Upstream::start("slow");
    let dir = TempDir::new("proxy-route-timeout");
    let config = dir.write(
        "bext.toml",
        format!(
            "[[upstream]]\nname = \"app\"\nservers = [\"{}\"]\ntimeout_ms = 30000\n\n\
             [[site]]\n\
             [[site.proxy]]\nmatch = \"/quick/**\"\nupstream = \"app\"\nstrip_prefix = \"/quick\"\n\
             timeout_ms = 200\n\
             [[site.proxy]]\nmatch = \"/patient/**\"\nupstream = \"app\"\nstrip_prefix = \"/patient\"\n",
            upstream.addr()
        ),
    );
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    let (status, _, _) = curl(&format!("http://{}/quick/slow?ms=3000", bext.addr), &[]);
    assert_eq!(status, 504);
    let (status, body, _) = curl(&format!("http://{}/patient/slow?ms=500", bext.addr), &[]);
    assert_eq!(status, 200, "{body}");
    common::assert_configs_refused(
        "proxy-route-timeout-bad",
        &[(
            "[[upstream]]\nname = \"a\"\nservers = [\"127.0.0.1:1\"]\n[[site]]\n[[site.proxy]]\nmatch = \"/**\"\nupstream = \"a\"\ntimeout_ms = 0\n",
            "site[0].proxy[0].timeout_ms",
        )],
    );
}

/// Asserts what `grpc_peer.py call` got back through bext: every kind of call, with its
/// status and trailers, as the server sent them.
#[track_caller]
fn assert_grpc_calls_came_through(out: &serde_json::Value, received: &str) {
    let unary = out["unary"].as_str().unwrap_or_default();
    let (echo, seen) = unary.split_once(' ').unwrap_or((unary, "{}"));
    assert_eq!(echo, "echo:hello", "{out}");
    let seen = json(seen);
    assert_eq!(seen["via"], format!("{received} bext"), "{out}");
    assert_eq!(seen["x-forwarded-for"], "127.0.0.1", "{out}");
    // Trailers: gRPC's status and the server's own metadata.
    assert_eq!(out["code"], "OK", "{out}");
    assert_eq!(out["trailers"]["x-trailer"], "kept", "{out}");
    assert_eq!(out["fail"]["code"], "NOT_FOUND", "{out}");
    assert_eq!(out["fail"]["details"], "no such thing", "{out}");
    // 3 MiB each way is past every flow-control window on both connections.
    assert_eq!(out["big"], 3 << 20, "{out}");
    assert_eq!(out["served"], 60, "{out}");
    assert_eq!(out["served_in_order"], true, "{out}");
    // A status after messages travels in the trailers of a body that was streamed.
    assert_eq!(out["aborted"]["code"], "RESOURCE_EXHAUSTED", "{out}");
    assert_eq!(out["aborted"]["before"], 2, "{out}");
    let collected: Vec<String> = (0..100).map(|i| format!("m{i}")).collect();
    assert_eq!(out["collected"], collected.join("+"), "{out}");
    assert_eq!(out["slow_collected"], "s0+s1+s2+s3+s4+s5", "{out}");
    assert_eq!(
        out["chat"],
        serde_json::json!(["ONE", "TWO", "THREE"]),
        "{out}"
    );
    assert_eq!(out["side_by_side"], 24, "{out}");
}

#[test]
fn grpc_calls_go_through_an_http2_upstream_on_one_connection() {
    let upstream = Upstream::grpc(&[]);
    let port = upstream.port();
    let dir = TempDir::new("proxy-grpc");
    let config = dir.write(
        "bext.toml",
        format!(
            "[[upstream]]\nname = \"grpc\"\nservers = [\"127.0.0.1:{port}\"]\nprotocol = \"http2\"\n\
             idle_connections_max = 0\ntimeout_ms = 1000\n\n\
             [[site]]\nbody_bytes_max = 16777216\n\
             [[site.proxy]]\nmatch = \"/**\"\nupstream = \"grpc\"\n"
        ),
    );
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    // The gRPC client speaks HTTP/2 to bext in the clear (prior knowledge), as to a server.
    let out = harness::grpc_calls(&bext.addr.to_string(), None);
    assert_grpc_calls_came_through(&out, "2");
    // Every call was a stream of one connection (idle_connections_max is HTTP/1.1's).
    assert_eq!(bext.metric("bext_proxy_connections_opened_total"), 1);
    assert!(bext.metric("bext_proxy_connections_reused_total") >= 30);

    // An HTTP/1.1 client reaches the same server: the request's body goes with its length,
    // and the answer's body comes back chunked, the server's trailers after its last chunk.
    let frame = dir.write("frame", b"\0\0\0\0\x02hi");
    let head = dir.path().join("head");
    let (status, body, _) = curl(
        &format!("http://{}/test.Echo/Unary", bext.addr),
        &[
            "--http1.1",
            "-H",
            "content-type: application/grpc",
            "-H",
            "te: trailers",
            "-D",
            &head.display().to_string(),
            "--data-binary",
            &format!("@{}", frame.display()),
        ],
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("echo:hi"), "{body:?}");
    assert!(body.contains(r#""via": "1.1 bext""#), "{body:?}");
    let head = std::fs::read_to_string(&head)
        .expect("curl wrote the head")
        .to_lowercase();
    let (fields, trailers) = head
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("a head: {head:?}"));
    assert!(fields.contains("transfer-encoding: chunked"), "{head}");
    assert!(trailers.contains("grpc-status: 0"), "{head}");
    // A 3 MiB message from an HTTP/1.1 client, streamed as it is read (chunked: no length),
    // without `te: trailers`: bext says it to the server, which refuses calls without it.
    let mut frame = vec![0u8, 0, 0x30, 0, 0];
    frame.extend(std::iter::repeat_n(b'x', 3 << 20));
    let frame = dir.write("big-frame", frame);
    let (status, body, _) = curl(
        &format!("http://{}/test.Echo/Unary", bext.addr),
        &[
            "--http1.1",
            "-H",
            "content-type: application/grpc",
            "-H",
            "transfer-encoding: chunked",
            "--data-binary",
            &format!("@{}", frame.display()),
        ],
    );
    assert_eq!(status, 200, "{}", bext.stderr());
    assert!(
        body.contains(&format!("echo:{} ", "x".repeat(3 << 20))),
        "{} bytes back",
        body.len()
    );

    // The server goes away: its connection ends, calls fail with UNAVAILABLE (502), and
    // once it is back on its port, the next call opens a new connection.
    drop(upstream);
    let (status, _, _) = curl(
        &format!("http://{}/test.Echo/Unary", bext.addr),
        &[
            "--http2-prior-knowledge",
            "-H",
            "content-type: application/grpc",
        ],
    );
    assert_eq!(status, 502, "{}", bext.stderr());
    let _upstream = Upstream::grpc(&["--port", &port.to_string()]);
    let out = common::eventually("the gRPC server is answered through bext again", || {
        let out = harness::grpc_calls(&bext.addr.to_string(), None);
        (out["code"] == "OK").then_some(out)
    });
    assert_grpc_calls_came_through(&out, "2");
    assert_eq!(bext.metric("bext_proxy_connections_opened_total"), 2);
}

#[test]
fn grpc_over_tls_upstreams_is_agreed_by_alpn() {
    let dir = TempDir::new("proxy-grpc-tls");
    make_authority_and_server(dir.path());
    let path = |name: &str| {
        dir.path()
            .join(name)
            .to_str()
            .expect("utf-8 path")
            .to_owned()
    };
    let grpc = Upstream::grpc(&[&path("cert.pem"), &path("key.pem")]);
    // Python's ssl server speaks HTTP/1.1 only, and agrees to no protocol by ALPN.
    let http1 = Upstream::start_with("only-h1", &["--tls", &path("cert.pem"), &path("key.pem")]);
    let config = dir.write(
        "bext.toml",
        format!(
            "[[upstream]]\nname = \"grpc\"\nservers = [\"{}\"]\nprotocol = \"http2\"\ntls = true\n\
             timeout_ms = 1000\n\
             tls_ca = \"ca.pem\"\ntls_sni = \"upstream.test\"\n\n\
             [[upstream]]\nname = \"h1\"\nservers = [\"{}\"]\nprotocol = \"http2\"\ntls = true\n\
             tls_ca = \"ca.pem\"\ntls_sni = \"upstream.test\"\n\n\
             [[site]]\n\
             [[site.proxy]]\nmatch = \"/test.Echo/**\"\nupstream = \"grpc\"\n\
             [[site.proxy]]\nmatch = \"/h1/**\"\nupstream = \"h1\"\n",
            grpc.addr(),
            http1.addr()
        ),
    );
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    let out = harness::grpc_calls(&bext.addr.to_string(), None);
    assert_grpc_calls_came_through(&out, "2");
    assert_eq!(bext.metric("bext_proxy_connections_opened_total"), 1);
    // A server that does not agree to h2 is not spoken to: 502, and the log says why.
    assert_502_logged(
        &bext,
        "/h1/echo",
        "the server did not agree to HTTP/2 by ALPN",
    );
}

#[test]
fn http2_upstreams_are_health_checked_over_http2() {
    let grpc = Upstream::grpc(&[]);
    // Another bext as a plain HTTP/2 server (h2c), its /healthz a file.
    let site = TempDir::new("proxy-h2-health-site");
    site.write("healthz", "ok\n");
    site.write("page.txt", "a page over h2c\n");
    let origin = Bext::serve_dir(site.path(), &[]);
    let dir = TempDir::new("proxy-h2-health");
    let config = dir.write(
        "bext.toml",
        format!(
            "[[upstream]]\nname = \"grpc\"\nservers = [\"{}\"]\nprotocol = \"http2\"\n\
             health = {{ grpc_service = \"test.Echo\", interval_ms = 100, rise = 1, fall = 1 }}\n\n\
             [[upstream]]\nname = \"site\"\nservers = [\"{}\"]\nprotocol = \"http2\"\n\
             health = {{ path = \"/healthz\", interval_ms = 100, rise = 1, fall = 1 }}\n\n\
             [[site]]\n\
             [[site.proxy]]\nmatch = \"/test.Echo/**\"\nupstream = \"grpc\"\n\
             [[site.proxy]]\nmatch = \"/**\"\nupstream = \"site\"\n",
            grpc.addr(),
            origin.addr
        ),
    );
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    // Probes pass: gRPC's check answers SERVING, the file is there.
    common::eventually("passed probes of both upstreams", || {
        (bext.metric("bext_proxy_health_checks_total") >= 6).then_some(())
    });
    assert_eq!(
        bext.metric("bext_proxy_health_failures_total"),
        0,
        "{}",
        bext.stderr()
    );
    let (status, body, _) = curl(&format!("http://{}/page.txt", bext.addr), &[]);
    assert_eq!((status, body.as_str()), (200, "a page over h2c\n"));
    // A small body of a declared length keeps its length for an HTTP/1.1 client (not chunked).
    let page = common::request(
        bext.addr,
        "GET /page.txt HTTP/1.1\r\nhost: h2\r\nconnection: close\r\n\r\n",
    );
    assert_eq!(
        page.header("content-length"),
        Some("16"),
        "{}",
        page.summary()
    );
    assert_eq!(page.header("transfer-encoding"), None, "{}", page.summary());
    let out = harness::grpc_calls(&bext.addr.to_string(), None);
    assert_eq!(out["code"], "OK", "{out}");

    // The gRPC server says NOT_SERVING: down, and calls get 503 without reaching it.
    harness::grpc_set_health(&grpc.addr(), "NOT_SERVING");
    assert!(
        bext.wait_for_stderr(&format!(
            "upstream grpc server {}: down after 1 health check(s)",
            grpc.addr()
        )),
        "{}",
        bext.stderr()
    );
    let (status, _, _) = curl(
        &format!("http://{}/test.Echo/Unary", bext.addr),
        &[
            "--http2-prior-knowledge",
            "-H",
            "content-type: application/grpc",
        ],
    );
    assert_eq!(status, 503);
    harness::grpc_set_health(&grpc.addr(), "SERVING");
    assert!(
        bext.wait_for_stderr(&format!(
            "upstream grpc server {}: up after 1 health check(s)",
            grpc.addr()
        )),
        "{}",
        bext.stderr()
    );

    // The site's /healthz goes away: a 404 over HTTP/2 takes that server down too.
    std::fs::remove_file(site.path().join("healthz")).expect("remove healthz");
    assert!(
        bext.wait_for_stderr(&format!(
            "upstream site server {}: down after 1 health check(s)",
            origin.addr
        )),
        "{}",
        bext.stderr()
    );
}

/// bext (one shard) forwarding every path to `grpc` over HTTP/2, with its config's directory.
fn bext_in_front_of(grpc: &Upstream, tag: &str) -> (TempDir, Bext) {
    let dir = TempDir::new(tag);
    let config = dir.write(
        "bext.toml",
        format!(
            "[[upstream]]\nname = \"grpc\"\nservers = [\"{}\"]\nprotocol = \"http2\"\n\n\
             [[site]]\n[[site.proxy]]\nmatch = \"/**\"\nupstream = \"grpc\"\n",
            grpc.addr()
        ),
    );
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    (dir, bext)
}

#[test]
fn an_http2_upstream_that_ends_its_connections_is_followed_to_new_ones() {
    // grpcio sends GOAWAY on each connection 200 ms after it opened (max_connection_age),
    // as servers that cap a connection's life or requests do.
    let grpc = Upstream::grpc(&["--max-age-ms", "200"]);
    let (_dir, bext) = bext_in_front_of(&grpc, "proxy-h2-goaway");
    let started = std::time::Instant::now();
    let out = json(&harness::grpc_peer(&[
        "repeat",
        &bext.addr.to_string(),
        "2",
    ]));
    let elapsed = started.elapsed();
    // Not one call lost to a connection going away.
    assert_eq!(out["failed"], serde_json::json!([]), "{out}");
    assert!(out["ok"].as_u64().unwrap_or(0) > 100, "{out}");
    // A new connection for each one that went away, not one per call in flight (8) that
    // met the GOAWAY.
    let opened = bext.metric("bext_proxy_connections_opened_total");
    let lives = elapsed.as_millis() as u64 / 200;
    assert!(opened >= 3, "{opened} connections in {elapsed:?}");
    assert!(
        opened <= 2 * lives + 2,
        "{opened} connections in {elapsed:?}, for about {lives} connection lives"
    );
}

#[test]
fn long_lived_calls_past_a_server_s_stream_limit_open_more_connections() {
    // grpcio takes 2 streams at once on a connection; 6 calls that each wait until all 6
    // are there need 3 connections, or they wait for each other until they fail.
    let grpc = Upstream::grpc(&["--max-streams", "2"]);
    let (_dir, bext) = bext_in_front_of(&grpc, "proxy-h2-streams");
    let out = json(&harness::grpc_peer(&[
        "gather",
        &bext.addr.to_string(),
        "6",
    ]));
    let all_done = serde_json::json!(["here", "done"]);
    assert!(
        out.as_array()
            .is_some_and(|calls| calls.len() == 6 && calls.iter().all(|c| *c == all_done)),
        "{out}\n{}",
        bext.stderr()
    );
    assert_eq!(bext.metric("bext_proxy_connections_opened_total"), 3);
}
