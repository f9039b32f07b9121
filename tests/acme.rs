//! ACME: `tls = { acme = { … } }` gets a site its certificate from a CA, by TLS-ALPN-01 or
//! HTTP-01, keeps it on disk, serves it without a restart and renews it. The CA is
//! `tests/acme/server.py`, an RFC 8555 server written for this suite (no public CA is
//! reachable here) that checks signatures and nonces and validates challenges for real,
//! against bext's listeners; curl then verifies what bext serves against that CA's root.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Bext, TempDir};

/// How long a step that involves the CA may take on a busy machine.
const ACME_DEADLINE: Duration = Duration::from_secs(90);

/// The test CA, a child process; killed on drop.
struct Ca {
    child: Child,
    port: u16,
    root: PathBuf,
}

impl Ca {
    /// Starts the CA; its certificates live `lifetime_secs`.
    fn start(dir: &Path, lifetime_secs: u64) -> Ca {
        let root = dir.join("acme-root.pem");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/acme/server.py");
        let mut child = Command::new("/usr/bin/python3")
            .arg(script)
            .arg("--root-out")
            .arg(&root)
            .arg("--lifetime")
            .arg(lifetime_secs.to_string())
            .stdout(Stdio::piped())
            // Its request log, kept beside the test's files rather than in the test output.
            .stderr(std::fs::File::create(dir.join("ca.log")).expect("ca.log"))
            .spawn()
            .expect("python3 runs the test CA");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the CA says where it listens");
        let port = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the CA did not start: {line:?}"));
        Ca { child, port, root }
    }

    fn directory(&self) -> String {
        format!("https://127.0.0.1:{}/dir", self.port)
    }

    /// A request to the CA's test endpoints, with curl (verifying the CA's own root).
    fn test_call(&self, method: &str, path: &str, body: &str) -> serde_json::Value {
        let url = format!("https://127.0.0.1:{}{path}", self.port);
        let out = Command::new("curl")
            .args(["-sS", "--max-time", "20", "--cacert"])
            .arg(&self.root)
            .args(["-X", method, "--data-binary", body, &url])
            .output()
            .expect("curl runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("JSON from the CA")
    }

    /// Where the CA validates names: bext's plain and TLS ports.
    fn target(&self, http_port: u16, tls_port: u16) {
        let body = format!("{{\"http_port\": {http_port}, \"tls_port\": {tls_port}}}");
        self.test_call("POST", "/test/targets", &body);
    }

    fn stats(&self) -> serde_json::Value {
        self.test_call("GET", "/test/stats", "")
    }
}

impl Drop for Ca {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A site served from `dir` for `hosts`, its certificate by ACME from `ca`; `extra`: more
/// keys in the `acme` table; `site_extra`: more keys of the site.
fn config(dir: &TempDir, ca: &Ca, hosts: &[&str], extra: &str, site_extra: &str) -> PathBuf {
    dir.write("index.html", "hello from an ACME certificate\n");
    let hosts: Vec<String> = hosts.iter().map(|h| format!("\"{h}\"")).collect();
    dir.write(
        "bext.toml",
        format!(
            "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\nshards = 2\n\n\
             [[site]]\nhosts = [{}]\nroot = \".\"\n{site_extra}\n\
             tls = {{ acme = {{ email = \"ops@example.test\", directory = \"{}\", ca = \"{}\"{extra} }} }}\n",
            hosts.join(", "),
            ca.directory(),
            ca.root.display()
        ),
    )
}

/// bext's first plain and TLS ports, as it reported them.
fn ports(bext: &Bext) -> (u16, u16) {
    (bext.addr.port(), bext.https_addr().port())
}

/// Waits until `bext`'s stderr has `needle` `count` times.
fn wait_count(bext: &Bext, needle: &str, count: usize) -> bool {
    let deadline = Instant::now() + ACME_DEADLINE;
    while Instant::now() < deadline {
        if bext.stderr().matches(needle).count() >= count {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// GET `https://{host}{path}` on bext's TLS port with curl, verifying against `root`:
/// (success, curl's stderr, body).
fn curl_verified(root: &Path, host: &str, port: u16, path: &str) -> (bool, String, String) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "20", "--cacert"])
        .arg(root)
        .args(["--resolve", &format!("{host}:{port}:127.0.0.1")])
        .arg(format!("https://{host}:{port}{path}"))
        .output()
        .expect("curl runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn validations(stats: &serde_json::Value) -> Vec<(String, String, bool)> {
    stats["validations"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|v| {
                    (
                        v["type"].as_str().unwrap_or_default().to_owned(),
                        v["name"].as_str().unwrap_or_default().to_owned(),
                        v["ok"].as_bool().unwrap_or(false),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn tls_alpn_01_gets_a_certificate_that_is_served_kept_and_loaded_at_the_next_start() {
    let dir = TempDir::new("acme-alpn");
    let ca = Ca::start(dir.path(), 90 * 24 * 3600);
    let config = config(&dir, &ca, &["a.acme.test", "b.acme.test"], "", "");
    let storage = dir.path().join("acme");
    let mut bext = Bext::serve_config(&config, &[]);
    let (http_port, tls_port) = ports(&bext);
    // Before the CA has answered: a stand-in that no client trusts, said so in the log.
    assert!(
        bext.stderr()
            .contains("no certificate for a.acme.test, b.acme.test"),
        "{}",
        bext.stderr()
    );
    ca.target(http_port, tls_port);
    assert!(
        wait_count(
            &bext,
            "acme: serving the new certificate for a.acme.test, b.acme.test",
            1
        ),
        "{}",
        bext.stderr()
    );
    for host in ["a.acme.test", "b.acme.test"] {
        let (ok, err, body) = curl_verified(&ca.root, host, tls_port, "/index.html");
        assert!(ok, "{host}: {err}\n{}", bext.stderr());
        assert_eq!(body, "hello from an ACME certificate\n");
    }
    let stats = ca.stats();
    assert_eq!(stats["accounts"], 1, "{stats}");
    assert_eq!(stats["orders"], 1, "{stats}");
    assert_eq!(stats["issued"], 1, "{stats}");
    let mut seen = validations(&stats);
    seen.sort();
    assert_eq!(
        seen,
        vec![
            (
                String::from("tls-alpn-01"),
                String::from("a.acme.test"),
                true
            ),
            (
                String::from("tls-alpn-01"),
                String::from("b.acme.test"),
                true
            ),
        ]
    );
    // Kept on disk, the key for the owner only.
    use std::os::unix::fs::PermissionsExt;
    let key = storage.join("a.acme.test/key.pem");
    let mode = std::fs::metadata(&key)
        .expect("key.pem")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(storage.join("a.acme.test/cert.pem").is_file());
    let accounts = std::fs::read_dir(&storage)
        .expect("storage")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("account-"))
        .count();
    assert_eq!(accounts, 1);
    // A validator's handshake was the whole of its connection; ordinary clients kept h2.
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "20", "--cacert"])
        .arg(&ca.root)
        .args(["--resolve", &format!("a.acme.test:{tls_port}:127.0.0.1")])
        .args(["-o", "/dev/null", "-w", "%{http_version}"])
        .arg(format!("https://a.acme.test:{tls_port}/index.html"))
        .output()
        .expect("curl runs");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "2");
    bext.signal(15);
    bext.wait_exit();

    // The next start serves the stored certificate at once and orders nothing.
    let bext = Bext::serve_config(&config, &[]);
    let (_, tls_port) = ports(&bext);
    assert!(
        wait_count(
            &bext,
            "acme: certificate for a.acme.test, b.acme.test is valid until",
            1
        ),
        "{}",
        bext.stderr()
    );
    assert!(
        !bext.stderr().contains("no certificate for"),
        "{}",
        bext.stderr()
    );
    let (ok, err, _) = curl_verified(&ca.root, "b.acme.test", tls_port, "/index.html");
    assert!(ok, "{err}");
    let stats = ca.stats();
    assert_eq!(
        (&stats["accounts"], &stats["orders"]),
        (&serde_json::json!(1), &serde_json::json!(1)),
        "{stats}"
    );
}

#[test]
fn http_01_is_answered_over_plain_http_even_where_the_site_redirects_to_https() {
    let dir = TempDir::new("acme-http");
    let ca = Ca::start(dir.path(), 90 * 24 * 3600);
    let config = config(
        &dir,
        &ca,
        &["h.acme.test"],
        ", challenge = \"http-01\"",
        "https_redirect = true",
    );
    let bext = Bext::serve_config(&config, &[]);
    let (http_port, tls_port) = ports(&bext);
    ca.target(http_port, tls_port);
    assert!(
        wait_count(
            &bext,
            "acme: serving the new certificate for h.acme.test",
            1
        ),
        "{}",
        bext.stderr()
    );
    let stats = ca.stats();
    assert_eq!(
        validations(&stats),
        vec![(String::from("http-01"), String::from("h.acme.test"), true)],
        "{stats}"
    );
    let (ok, err, body) = curl_verified(&ca.root, "h.acme.test", tls_port, "/index.html");
    assert!(ok, "{err}");
    assert_eq!(body, "hello from an ACME certificate\n");
    // With the order done, its token is no longer answered: the path is the site's again
    // (here, the redirect to HTTPS).
    let mut stream = TcpStream::connect(("127.0.0.1", http_port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    stream
        .write_all(
            b"GET /.well-known/acme-challenge/not-a-token HTTP/1.1\r\nHost: h.acme.test\r\nConnection: close\r\n\r\n",
        )
        .expect("send");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 308"), "{answer}");
}

#[test]
fn a_short_lived_certificate_is_renewed_and_swapped_in_without_a_restart() {
    let dir = TempDir::new("acme-renew");
    // Renewal starts with a third of the lifetime left: 8 s after issue.
    let ca = Ca::start(dir.path(), 12);
    let config = config(&dir, &ca, &["r.acme.test"], "", "");
    let bext = Bext::serve_config(&config, &[]);
    let (http_port, tls_port) = ports(&bext);
    ca.target(http_port, tls_port);
    let swapped = "acme: serving the new certificate for r.acme.test";
    assert!(wait_count(&bext, swapped, 1), "{}", bext.stderr());
    let cert = dir.path().join("acme/r.acme.test/cert.pem");
    let first = std::fs::read(&cert).expect("first certificate");
    assert!(wait_count(&bext, swapped, 2), "{}", bext.stderr());
    assert!(
        bext.stderr()
            .contains("(the stored one is due for renewal)"),
        "{}",
        bext.stderr()
    );
    let second = std::fs::read(&cert).expect("second certificate");
    assert_ne!(first, second);
    let (ok, err, _) = curl_verified(&ca.root, "r.acme.test", tls_port, "/index.html");
    assert!(ok, "{err}");
    let stats = ca.stats();
    assert!(stats["issued"].as_u64() >= Some(2), "{stats}");
    // The account was made once and reused.
    assert_eq!(stats["accounts"], 1, "{stats}");
}

#[test]
fn a_ca_that_cannot_be_reached_is_logged_and_https_keeps_serving() {
    let dir = TempDir::new("acme-down");
    // A port nothing listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    dir.write("root.pem", "");
    dir.write("index.html", "still here\n");
    let config = dir.write(
        "bext.toml",
        format!(
            "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\nshards = 1\n\n\
             [[site]]\nhosts = [\"d.acme.test\"]\nroot = \".\"\n\
             tls = {{ acme = {{ directory = \"https://127.0.0.1:{port}/dir\" }} }}\n"
        ),
    );
    let bext = Bext::serve_config(&config, &[]);
    let (_, tls_port) = ports(&bext);
    assert!(
        wait_count(&bext, "acme: order for d.acme.test failed: ", 1),
        "{}",
        bext.stderr()
    );
    assert!(
        bext.stderr().contains("trying again in 60 s"),
        "{}",
        bext.stderr()
    );
    // The stand-in certificate serves (curl -k: nobody trusts it).
    let out = Command::new("curl")
        .args(["-sSk", "--max-time", "20", "--resolve"])
        .arg(format!("d.acme.test:{tls_port}:127.0.0.1"))
        .arg(format!("https://d.acme.test:{tls_port}/index.html"))
        .output()
        .expect("curl runs");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "still here\n");
}

#[test]
fn acme_config_errors_name_the_key() {
    let head = "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\n[[site]]\nroot = \".\"\n";
    let cases = [
        (
            "hosts = [\"*.w.test\"]\ntls = { acme = {} }\n",
            "site[0].tls.acme: cannot get a certificate for `*.w.test`: wildcard names need the DNS-01 challenge",
        ),
        (
            "hosts = [\"127.0.0.1\"]\ntls = { acme = {} }\n",
            "site[0].tls.acme: cannot get a certificate for `127.0.0.1`: CAs give certificates for DNS names",
        ),
        ("tls = { acme = {} }\n", "site[0].tls.acme: needs `hosts`"),
        (
            "hosts = [\"a.test\"]\ntls = { acme = { directory = \"http://ca.test/dir\" } }\n",
            "site[0].tls.acme.directory: `http://ca.test/dir` is not an https:// URL",
        ),
        (
            "hosts = [\"a.test\"]\ntls = { acme = { challenge = \"dns-01\" } }\n",
            "site[0].tls.acme.challenge: `dns-01` is not a challenge bext answers",
        ),
        (
            "hosts = [\"a.test\"]\ntls = { acme = { email = \"ops\" } }\n",
            "site[0].tls.acme.email: `ops` is not an email address",
        ),
        (
            "hosts = [\"a.test\"]\ntls = { cert = \"c.pem\", key = \"k.pem\", acme = {} }\n",
            "site[0].tls.acme: either `acme` or files",
        ),
        (
            "hosts = [\"a.test\"]\ntls = { acme = { emial = \"a@b.test\" } }\n",
            "unknown field `emial`",
        ),
        (
            "hosts = [\"a.test\"]\ntls = { key = \"k.pem\" }\n",
            "site[0].tls.cert: required key is missing",
        ),
    ];
    for (site, want) in cases {
        let text = format!("{head}{site}");
        let dir = TempDir::new("acme-config");
        let config = dir.write("bext.toml", &text);
        let out = Command::new(common::bext_bin())
            .args(["check-config"])
            .arg(&config)
            .output()
            .expect("bext runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "accepted:\n{text}");
        assert!(stderr.contains(want), "{want:?} not in:\n{stderr}");
        assert!(
            stderr.contains("bext.toml:"),
            "no file and line in:\n{stderr}"
        );
    }
}
