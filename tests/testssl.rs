//! testssl.sh (Debian's package) against bext's HTTPS: every finding it rates HIGH or
//! CRITICAL fails the test. The certificate is made like a public CA's (90 days, revocation
//! pointers, an OCSP staple: `tests/tls/production-like.sh`) and its CA is handed to the
//! scanner, so what is judged is the server: protocols, cipher suites and their order,
//! key exchange groups, renegotiation, the CVE checks (Heartbleed, ROBOT, Ticketbleed, …),
//! resumption and the headers over HTTPS.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{Bext, TempDir};

/// How long one scan may take (about 40 s on a quiet machine).
const SCAN_DEADLINE: Duration = Duration::from_secs(600);

#[test]
fn testssl_finds_nothing_high_or_critical() {
    let dir = TempDir::new("testssl");
    dir.write("index.html", "scanned\n");
    let made = Command::new("bash")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/tls/production-like.sh"
        ))
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
        "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\nshards = 1\n\n\
         [[site]]\nhosts = [\"localhost\"]\nroot = \".\"\n\
         tls = { cert = \"cert.pem\", key = \"key.pem\", ocsp = \"ocsp.der\" }\n\
         hsts = \"max-age=63072000; includeSubDomains\"\n\
         headers = { \"x-frame-options\" = \"DENY\", \"x-content-type-options\" = \"nosniff\", \
         \"content-security-policy\" = \"default-src 'self'\", \"referrer-policy\" = \"no-referrer\" }\n",
    );
    let bext = Bext::serve_config(&config, &[]);
    let port = bext.https_addr().port();
    let json = dir.path().join("findings.json");
    let out = Command::new("timeout")
        .arg(SCAN_DEADLINE.as_secs().to_string())
        .args([
            "testssl",
            "--quiet",
            "--color",
            "0",
            "--warnings",
            "off",
            "--add-ca",
        ])
        .arg(dir.path().join("ca.pem"))
        .args(["--ip", "127.0.0.1", "--jsonfile"])
        .arg(&json)
        .arg(format!("https://localhost:{port}"))
        .output()
        .expect("testssl runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let findings: Vec<serde_json::Value> = std::fs::read(&json)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_else(|| panic!("no findings from testssl ({:?}):\n{text}", out.status));
    let find = |id: &str| -> String {
        findings
            .iter()
            .find(|f| f["id"] == id)
            .and_then(|f| f["finding"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    // The scan reached the server and saw what bext offers.
    assert_eq!(find("TLS1_3"), "offered with final", "{text}");
    assert_eq!(find("TLS1_2"), "offered", "{text}");
    assert_eq!(find("TLS1_1"), "not offered", "{text}");
    assert!(find("cert_chain_of_trust").starts_with("passed"), "{text}");
    assert!(find("OCSP_stapling").starts_with("offered"), "{text}");
    let bad: Vec<String> = findings
        .iter()
        .filter(|f| matches!(f["severity"].as_str(), Some("HIGH" | "CRITICAL")))
        .map(|f| format!("{} {}: {}", f["severity"], f["id"], f["finding"]))
        .collect();
    assert!(
        bad.is_empty(),
        "testssl.sh found:\n{}\n\n{text}",
        bad.join("\n")
    );
}
