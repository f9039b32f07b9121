//! HTTPS on `listen_tls`: rustls over each shard's TCP stream, with HTTP/1.1 on top. Checked
//! with curl, a real client that verifies the certificate (against the certificate itself,
//! made here with `openssl`), and with raw sockets for what a client should not do.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use common::{Bext, TempDir};

/// How long a raw socket waits for the server before the test gives up (busy machines).
const SOCKET_DEADLINE: Duration = Duration::from_secs(20);

/// A site with a page and a large file, and its config: `tls` is the site's `tls` value.
fn site(tag: &str, tls: &str) -> (TempDir, std::path::PathBuf) {
    site_with(tag, tls, "shards = 1\n")
}

/// [`site`] with more `[server]` settings.
fn site_with(tag: &str, tls: &str, server: &str) -> (TempDir, std::path::PathBuf) {
    let dir = TempDir::new(tag);
    dir.write("index.html", "hello over tls\n");
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    dir.write("big.bin", big);
    let config = dir.write(
        "bext.toml",
        format!(
            "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\n{server}\n\
             [[site]]\nhosts = [\"localhost\"]\nroot = \".\"\ntls = {tls}\n"
        ),
    );
    (dir, config)
}

fn curl(args: &[&str]) -> (bool, String, Vec<u8>) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "20"])
        .args(args)
        .output()
        .expect("curl runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.stdout,
    )
}

#[test]
fn certificate_files_are_verified_by_curl_and_http_1_1_runs_over_them() {
    let (dir, config) = site("tls-files", "{ cert = \"cert.pem\", key = \"key.pem\" }");
    common::make_certificate(dir.path(), "cert.pem", "key.pem");
    let bext = Bext::serve_config(&config, &[]);
    let addr = bext.https_addr();
    // The cryptography this build runs on is named (`--features aws-lc-rs` swaps it).
    let provider = if cfg!(feature = "aws-lc-rs") {
        "rustls on aws-lc-rs"
    } else {
        "rustls on ring"
    };
    assert!(bext.stderr().contains(provider), "{}", bext.stderr());
    let url = |path: &str| format!("https://localhost:{}{path}", addr.port());
    let resolve = format!("localhost:{}:127.0.0.1", addr.port());
    let cacert = dir.path().join("cert.pem");
    let cacert = cacert.to_str().expect("a UTF-8 path");
    // Verified against the certificate, ALPN http/1.1 (curl asks for it alone), two requests
    // on one connection.
    let (ok, err, body) = curl(&[
        "--http1.1",
        "--cacert",
        cacert,
        "--resolve",
        &resolve,
        "-w",
        "%{http_code} %{http_version} %{num_connects}\n",
        &url("/index.html"),
        &url("/index.html"),
    ]);
    assert!(ok, "{err}");
    let text = String::from_utf8_lossy(&body);
    assert_eq!(
        text, "hello over tls\n200 1.1 1\nhello over tls\n200 1.1 0\n",
        "{err}"
    );
    // Offered both, curl gets HTTP/2.
    let (ok, err, body) = curl(&[
        "--cacert",
        cacert,
        "--resolve",
        &resolve,
        "-w",
        "%{http_code} %{http_version}\n",
        &url("/index.html"),
    ]);
    assert!(ok, "{err}");
    assert_eq!(String::from_utf8_lossy(&body), "hello over tls\n200 2\n");
    // A large file streams through the records whole.
    let (ok, err, body) = curl(&["--cacert", cacert, "--resolve", &resolve, &url("/big.bin")]);
    assert!(ok, "{err}");
    assert_eq!(
        body,
        std::fs::read(dir.path().join("big.bin")).expect("read")
    );
    // The plain address still speaks HTTP.
    assert_eq!(bext.get("/index.html").status, 200);
}

#[test]
fn a_bad_handshake_costs_one_connection_and_is_logged() {
    let (_dir, config) = site("tls-bad", "\"self-signed\"");
    let bext = Bext::serve_config(&config, &[]);
    let addr = bext.https_addr();
    // Plain HTTP where a ClientHello belongs: the connection is closed.
    let mut raw = TcpStream::connect(addr).expect("connect");
    raw.set_read_timeout(Some(SOCKET_DEADLINE))
        .expect("timeout");
    raw.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .expect("write");
    let mut rest = Vec::new();
    let _ = raw.read_to_end(&mut rest);
    assert!(
        !String::from_utf8_lossy(&rest).contains("HTTP/1.1"),
        "plain HTTP was answered over the TLS port"
    );
    assert!(
        bext.wait_for_stderr("TLS handshake with 127.0.0.1:"),
        "{}",
        bext.stderr()
    );
    let metrics = bext.get("/__bext/metrics").text();
    assert!(
        metrics.contains("bext_tls_handshake_failures_total 1"),
        "{metrics}"
    );
    // A client bext cannot agree with (TLS 1.1 only) is told why: the handshake_failure alert
    // (40) rustls chose, not a bare close.
    let out = Command::new("openssl")
        .args(["s_client", "-connect", &addr.to_string(), "-tls1_1"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("openssl s_client");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("alert handshake failure"), "{said}");
    assert!(said.contains("SSL alert number 40"), "{said}");
    // Others are still served (a self-signed certificate: nothing to verify against).
    let (ok, err, body) = curl(&[
        "-k",
        &format!("https://127.0.0.1:{}/index.html", addr.port()),
    ]);
    assert!(ok, "{err}");
    assert_eq!(body, b"hello over tls\n");
}

#[test]
fn a_client_resumes_with_its_ticket_on_any_shard() {
    let (_dir, config) = site_with("tls-resume", "\"self-signed\"", "shards = 2\n");
    let bext = Bext::serve_config(&config, &[]);
    let addr = bext.https_addr().to_string();
    let sessions = TempDir::new("tls-sessions");
    let session = sessions.path().join("session.pem");
    let session = session.to_str().expect("a UTF-8 path");
    let s_client = |flag: &str| s_client(&addr, &[flag, session]);
    let first = s_client("-sess_out");
    assert!(first.contains("New, TLSv1.3"), "{first}");
    assert!(first.contains("New Session Ticket"), "{first}");
    assert!(first.contains("hello over tls"), "{first}");
    // Four more: with two shards, some land on the other one; every one resumes.
    for _ in 0..4 {
        let again = s_client("-sess_in");
        assert!(again.contains("Reused, TLSv1.3"), "{again}");
        assert!(again.contains("hello over tls"), "{again}");
    }
}

/// One `openssl s_client` exchange with `addr` (a request for /index.html); `args` go first.
fn s_client(addr: &str, args: &[&str]) -> String {
    let mut child = Command::new("openssl")
        .args(["s_client", "-connect", addr, "-servername", "localhost"])
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("openssl s_client");
    let mut stdin = child.stdin.take().expect("stdin");
    let _ = stdin
        .write_all(b"GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    let out = child.wait_with_output().expect("s_client ends");
    drop(stdin);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn without_tickets_every_handshake_is_full_and_the_server_orders_the_ciphers() {
    let (_dir, config) = site_with(
        "tls-no-tickets",
        "\"self-signed\"",
        "shards = 1\ntls_session_tickets = false\n",
    );
    let bext = Bext::serve_config(&config, &[]);
    let addr = bext.https_addr().to_string();
    let sessions = TempDir::new("tls-no-sessions");
    let session = sessions.path().join("session.pem");
    let session = session.to_str().expect("a UTF-8 path");
    let first = s_client(&addr, &["-sess_out", session]);
    assert!(first.contains("New, TLSv1.3"), "{first}");
    assert!(first.contains("hello over tls"), "{first}");
    // No ticket came (with tickets on, s_client reports each as "New Session Ticket"), so
    // there is no resumable session to keep.
    assert!(!first.contains("New Session Ticket"), "{first}");
    let kept = std::fs::read(session).unwrap_or_default();
    assert!(
        kept.is_empty(),
        "a session was kept:\n{}",
        String::from_utf8_lossy(&kept)
    );
    // A client that prefers ChaCha20 gets the server's first choice it offers (AES-GCM), in
    // TLS 1.3 and in TLS 1.2.
    let tls13 = s_client(
        &addr,
        &[
            "-ciphersuites",
            "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256",
        ],
    );
    assert!(
        tls13.contains("Cipher is TLS_AES_128_GCM_SHA256"),
        "{tls13}"
    );
    let tls12 = s_client(
        &addr,
        &[
            "-tls1_2",
            "-cipher",
            "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256",
        ],
    );
    assert!(
        tls12.contains("Cipher is ECDHE-ECDSA-AES128-GCM-SHA256"),
        "{tls12}"
    );
}

/// Whether this kernel has a TLS layer to attach to a TCP socket (`CONFIG_TLS`), asked the
/// way bext asks (`setsockopt(TCP_ULP, "tls")` on a connected socket), from Python.
fn kernel_has_tls() -> bool {
    let probe = "import socket\n\
                 l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1)\n\
                 c = socket.create_connection(l.getsockname()); a, _ = l.accept()\n\
                 try:\n    a.setsockopt(socket.IPPROTO_TCP, 31, b'tls'); print('yes')\n\
                 except OSError as e:\n    print('no', e.errno)\n";
    let out = Command::new("/usr/bin/python3")
        .args(["-c", probe])
        .output()
        .expect("python3 runs");
    let said = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(said == "yes" || said == "no 2", "the probe said {said:?}");
    said == "yes"
}

/// A counter from `/__bext/metrics`.
fn counter(bext: &Bext, name: &str) -> u64 {
    let text = bext.get("/__bext/metrics").text();
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in:\n{text}"))
}

#[test]
fn ktls_moves_records_into_the_kernel_or_falls_back_silently() {
    let (dir, config) = site_with("tls-ktls", "\"self-signed\"", "shards = 1\nktls = true\n");
    let bext = Bext::serve_config(&config, &[]);
    let addr = bext.https_addr();
    let url = |path: &str| format!("https://localhost:{}{path}", addr.port());
    let resolve = format!("localhost:{}:127.0.0.1", addr.port());
    // HTTP/1.1 (two requests on one connection), HTTP/2, and the large file whole.
    let (ok, err, body) = curl(&[
        "-k",
        "--http1.1",
        "--resolve",
        &resolve,
        &url("/index.html"),
        &url("/index.html"),
    ]);
    assert!(ok, "{err}");
    assert_eq!(
        String::from_utf8_lossy(&body),
        "hello over tls\nhello over tls\n"
    );
    let (ok, err, body) = curl(&["-k", "--http2", "--resolve", &resolve, &url("/index.html")]);
    assert!(ok, "{err}");
    assert_eq!(body, b"hello over tls\n");
    let (ok, err, body) = curl(&["-k", "--resolve", &resolve, &url("/big.bin")]);
    assert!(ok, "{err}");
    assert_eq!(
        body,
        std::fs::read(dir.path().join("big.bin")).expect("read")
    );
    let offloaded = counter(&bext, "bext_tls_ktls_offloaded_total");
    let fallbacks = counter(&bext, "bext_tls_ktls_fallbacks_total");
    assert_eq!(counter(&bext, "bext_tls_ktls_failures_total"), 0);
    let said = bext
        .stderr()
        .matches("kTLS: this kernel has no TLS layer")
        .count();
    if kernel_has_tls() {
        assert_eq!((offloaded, said), (3, 0), "{}", bext.stderr());
    } else {
        // This kernel (CI's has no CONFIG_TLS): every connection stayed with rustls, and the
        // log said so once, not per connection.
        assert_eq!((offloaded, fallbacks, said), (0, 3, 1), "{}", bext.stderr());
    }
}

#[test]
fn a_client_that_stalls_in_the_handshake_is_let_go() {
    let (_dir, config) = site_with(
        "tls-stall",
        "\"self-signed\"",
        "shards = 1\ntls_handshake_timeout_ms = 500\n",
    );
    let bext = Bext::serve_config(&config, &[]);
    let addr = bext.https_addr();
    let mut raw = TcpStream::connect(addr).expect("connect");
    raw.set_read_timeout(Some(SOCKET_DEADLINE))
        .expect("timeout");
    // Half a ClientHello record header, then nothing.
    raw.write_all(&[0x16, 0x03, 0x01]).expect("write");
    let mut rest = Vec::new();
    let closed = raw.read_to_end(&mut rest);
    assert!(
        closed.is_ok(),
        "not closed within {SOCKET_DEADLINE:?}: {closed:?}"
    );
    assert!(
        bext.wait_for_stderr("the handshake did not finish in time"),
        "{}",
        bext.stderr()
    );
}

/// A P-256 certificate for `localhost` written to `cert`/`key` under `dir`.
#[test]
fn an_ocsp_response_is_stapled_and_hsts_is_sent_over_https_only() {
    let dir = TempDir::new("tls-ocsp");
    dir.write("index.html", "hello over tls\n");
    let made = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tls/ocsp.sh"))
        .current_dir(dir.path())
        .output()
        .expect("bash runs");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let config = dir.write(
        "bext.toml",
        "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\nshards = 1\n\
         [[site]]\nhosts = [\"localhost\"]\nroot = \".\"\n\
         tls = { cert = \"cert.pem\", key = \"key.pem\", ocsp = \"ocsp.der\" }\n\
         hsts = \"max-age=63072000; includeSubDomains\"\n",
    );
    let bext = Bext::serve_config(&config, &[]);
    let addr = bext.https_addr().to_string();
    // openssl asks for the status (status_request) and checks the staple against the CA.
    let out = Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &addr,
            "-servername",
            "localhost",
            "-status",
            "-CAfile",
            "ca.pem",
            "-verify_return_error",
        ])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("openssl s_client");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("OCSP Response Status: successful (0x0)"),
        "{text}"
    );
    assert!(text.contains("Cert Status: good"), "{text}");
    assert!(text.contains("Verify return code: 0 (ok)"), "{text}");
    let stapled = text
        .find("Serial Number:")
        .map(|at| &text[at..])
        .unwrap_or_default();
    let serial = Command::new("openssl")
        .args(["x509", "-in", "cert.pem", "-noout", "-serial"])
        .current_dir(dir.path())
        .output()
        .expect("openssl x509");
    let serial = String::from_utf8_lossy(&serial.stdout);
    let serial = serial.trim().trim_start_matches("serial=");
    assert!(
        stapled.starts_with(&format!("Serial Number: {serial}")),
        "{text}"
    );
    // HSTS over HTTPS (both protocols), never over plain HTTP.
    let port = addr.rsplit(':').next().unwrap_or_default();
    let resolve = format!("localhost:{port}:127.0.0.1");
    let url = format!("https://localhost:{port}/");
    let ca = dir.path().join("ca.pem");
    let ca = ca.to_str().expect("a UTF-8 path");
    for version in ["--http1.1", "--http2"] {
        let (ok, err, head) = curl(&[version, "-I", "--cacert", ca, "--resolve", &resolve, &url]);
        assert!(ok, "{version}: {err}");
        let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
        assert!(
            head.contains("strict-transport-security: max-age=63072000; includesubdomains"),
            "{version}: {err}{head}"
        );
    }
    let plain = bext.get("/");
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("strict-transport-security"), None);
}

#[test]
fn a_reload_serves_renewed_certificates_and_keeps_open_connections() {
    let (dir, config) = site("tls-reload", "{ cert = \"cert.pem\", key = \"key.pem\" }");
    common::make_certificate(dir.path(), "cert.pem", "key.pem");
    std::fs::copy(dir.path().join("cert.pem"), dir.path().join("old.pem")).expect("copy");
    let bext = Bext::serve_config(&config, &[]);
    let addr = bext.https_addr();
    let resolve = format!("localhost:{}:127.0.0.1", addr.port());
    let url = format!("https://localhost:{}/index.html", addr.port());
    let verified_by = |ca: &str| {
        let ca = dir.path().join(ca);
        curl(&[
            "--cacert",
            ca.to_str().expect("UTF-8"),
            "--resolve",
            &resolve,
            &url,
        ])
        .0
    };
    assert!(verified_by("old.pem"));
    // A connection opened now, used before and after the reload.
    let mut open = Command::new("openssl")
        .args([
            "s_client",
            "-quiet",
            "-connect",
            &addr.to_string(),
            "-servername",
            "localhost",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("openssl s_client");
    let mut stdin = open.stdin.take().expect("stdin");
    stdin
        .write_all(b"GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .expect("first request");
    // The first answer arrives before the reload: the connection is established on the old
    // certificate.
    let stdout = open.stdout.take().expect("stdout");
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let answered = |lines: &std::sync::mpsc::Receiver<String>| loop {
        match lines.recv_timeout(SOCKET_DEADLINE) {
            Ok(line) if line.contains("hello over tls") => return true,
            Ok(_) => continue,
            Err(_) => return false,
        }
    };
    assert!(answered(&lines), "no first answer on the open connection");
    // Renewed files, then SIGHUP.
    common::make_certificate(dir.path(), "cert.pem", "key.pem");
    bext.signal(1);
    assert!(bext.wait_for_stderr("bext: reloaded"), "{}", bext.stderr());
    assert!(
        verified_by("cert.pem"),
        "a new connection gets the renewed certificate"
    );
    assert!(
        !verified_by("old.pem"),
        "the old certificate is no longer served"
    );
    stdin
        .write_all(b"GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .expect("second request");
    drop(stdin);
    assert!(answered(&lines), "no second answer on the open connection");
    let _ = open.wait();
    let _ = reader.join();
}

#[test]
fn plain_http_is_sent_to_https_where_the_site_asks() {
    let dir = TempDir::new("tls-redirect");
    dir.write("index.html", "hello over tls\n");
    let config = dir.write(
        "bext.toml",
        "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\nshards = 1\n\n\
         [[site]]\nhosts = [\"localhost\"]\nroot = \".\"\ntls = \"self-signed\"\nhttps_redirect = true\n",
    );
    let bext = Bext::serve_config(&config, &[]);
    let https = bext.https_addr();
    let plain = common::request(
        bext.addr,
        "GET /index.html?x=1 HTTP/1.1\r\nHost: localhost:8080\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(plain.status, 308, "{}", plain.summary());
    assert_eq!(
        plain.header("location"),
        Some(format!("https://localhost:{}/index.html?x=1", https.port()).as_str())
    );
    // bext's own endpoints stay on plain HTTP (health checks, scrapes).
    assert_eq!(bext.get("/__bext/health").status, 200);
    // Over HTTPS the page is served, not redirected.
    let (ok, err, body) = curl(&[
        "-k",
        &format!("https://127.0.0.1:{}/index.html", https.port()),
    ]);
    assert!(ok, "{err}");
    assert_eq!(body, b"hello over tls\n");
}

#[test]
fn tls_config_errors_name_the_key() {
    let cases = [
        (
            "[server]\nlisten = \"127.0.0.1:0\"\n[[site]]\nroot = \".\"\ntls = \"self-signed\"\n",
            "site[0].tls: needs `listen_tls` addresses in [server] to serve HTTPS on",
        ),
        (
            "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\n[[site]]\nroot = \".\"\n",
            "server.listen_tls: no [[site]] has `tls`",
        ),
        (
            "[server]\nlisten = \"127.0.0.1:0\"\n[[site]]\nroot = \".\"\nhttps_redirect = true\n",
            "site[0].https_redirect: needs `tls` on the site",
        ),
        (
            "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\n[[site]]\nroot = \".\"\ntls = \"letsencrypt\"\n",
            "site[0].tls: `letsencrypt` is not a TLS setting",
        ),
        (
            "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\n[[site]]\nroot = \".\"\ntls = { cert = \"none.pem\", key = \"none.key\" }\n",
            "site[0].tls:",
        ),
        (
            "[server]\nlisten = \"127.0.0.1:0\"\n[[site]]\nroot = \".\"\nhsts = \"max-age=60\"\n",
            "site[0].hsts: needs `tls` on the site",
        ),
        (
            "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\n[[site]]\nroot = \".\"\ntls = \"self-signed\"\nhsts = \"includeSubDomains\"\n",
            "site[0].hsts: needs a `max-age=<seconds>` directive",
        ),
        (
            "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\n[[site]]\nroot = \".\"\ntls = { cert = \"c.pem\", key = \"k.pem\", oscp = \"r.der\" }\n",
            "unknown field `oscp`",
        ),
    ];
    common::assert_configs_refused("tls-config", &cases);
}
