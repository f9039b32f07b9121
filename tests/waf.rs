//! `[waf]` end to end: the server on loopback, curl as the client from chosen source
//! addresses (any 127.0.0.0/8 address is this machine's, so `--interface 127.0.0.N` makes a
//! client of another address), over HTTP/1.1 and HTTP/2.

mod common;

use std::process::Command;
use std::time::Instant;

use common::{Bext, TempDir, assert_configs_refused};

/// `curl` from `source` to `url`: (status, retry-after).
fn curl_from(source: &str, url: &str, extra: &[&str]) -> (u16, Option<String>) {
    curl_on(None, source, url, extra)
}

/// `curl` from `source` to `url` on CPU `cpu` (where given): on loopback a connection is
/// served by the shard of the CPU that sent its SYN.
fn curl_on(cpu: Option<usize>, source: &str, url: &str, extra: &[&str]) -> (u16, Option<String>) {
    let mut command = match cpu {
        Some(cpu) => {
            let mut taskset = Command::new("taskset");
            taskset.args(["-c", &cpu.to_string(), "curl"]);
            taskset
        }
        None => Command::new("curl"),
    };
    let out = command
        .args([
            "-sS",
            "-k",
            "--max-time",
            "20",
            "-o",
            "/dev/null",
            "-D",
            "-",
        ])
        .args(["--interface", source])
        .args(extra)
        .arg(url)
        .output()
        .expect("curl runs");
    assert!(
        out.status.success(),
        "curl from {source} to {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let head = String::from_utf8_lossy(&out.stdout).to_string();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a status line in {head}"));
    let retry_after = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("retry-after")
            .then(|| value.trim().to_owned())
    });
    (status, retry_after)
}

fn site(tag: &str, server: &str, waf: &str) -> (TempDir, Bext) {
    let dir = TempDir::new(tag);
    dir.write("index.html", "hello\n");
    let config = dir.write(
        "bext.toml",
        format!(
            "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\nhttp2 = true\n{server}\n\n\
             [waf]\n{waf}\n\n[[site]]\nroot = \".\"\ntls = \"self-signed\"\n"
        ),
    );
    let bext = Bext::serve_config(&config, &[]);
    (dir, bext)
}

#[test]
fn denied_prefixes_get_403_and_the_longest_prefix_decides() {
    // All of loopback denied but 127.0.0.1 (the test's own scrapes) and 127.0.1.0/24.
    // 127.0.1.9 is an exception inside the exception.
    let (_dir, bext) = site(
        "waf-lists",
        "",
        "deny = [\"127.0.0.0/8\", \"127.0.1.9\"]\nallow = [\"127.0.0.1\", \"127.0.1.0/24\"]",
    );
    let http = format!("http://{}/", bext.addr);
    let https = format!("https://localhost:{}/", bext.https_addr().port());
    let resolve = format!("localhost:{}:127.0.0.1", bext.https_addr().port());
    let cases = [
        ("127.0.0.1", 200),
        ("127.0.0.2", 403),
        ("127.0.1.5", 200),
        ("127.0.1.9", 403),
        ("127.9.9.9", 403),
    ];
    for (source, want) in cases {
        assert_eq!(
            curl_from(source, &http, &[]).0,
            want,
            "HTTP/1.1 from {source}"
        );
        let h2 = curl_from(source, &https, &["--http2", "--resolve", &resolve]);
        assert_eq!(h2.0, want, "HTTP/2 from {source}");
    }
    assert_eq!(bext.metric("bext_waf_denied_total"), 6);
}

#[test]
fn a_client_over_its_rate_gets_429_with_retry_after_and_others_are_served() {
    // One request a second, bursts of 3: 20 requests at once from 127.0.0.2 see at most
    // 3 + (seconds taken) served; 127.0.0.3 has a bucket of its own; 127.0.0.1 is in
    // `allow`, never limited. One shard: the buckets are per shard.
    let (_dir, bext) = site(
        "waf-rate",
        "shards = 1",
        "rate = { requests_per_sec = 1, burst = 3 }\nallow = [\"127.0.0.1\"]",
    );
    let url = format!("http://{}/", bext.addr);
    let started = Instant::now();
    let mut served = 0u64;
    let mut limited = 0u64;
    for _ in 0..20 {
        match curl_from("127.0.0.2", &url, &[]) {
            (200, _) => served += 1,
            (429, Some(retry_after)) => {
                let secs: u64 = retry_after.parse().expect("retry-after in seconds");
                // The next token is at most a second away at one a second.
                assert_eq!(secs, 1, "retry-after");
                limited += 1;
            }
            other => panic!("unexpected answer {other:?}"),
        }
    }
    let elapsed = started.elapsed().as_secs();
    assert_eq!(served + limited, 20);
    // The burst, and one more for every second the 20 requests took (a busy machine may
    // take several).
    assert!(
        (3..=3 + elapsed + 1).contains(&served),
        "{served} served in {elapsed} s"
    );
    assert!(limited > 0, "none limited in {elapsed} s");
    assert_eq!(curl_from("127.0.0.3", &url, &[]).0, 200);
    for _ in 0..10 {
        assert_eq!(curl_from("127.0.0.1", &url, &[]).0, 200);
    }
    assert_eq!(bext.metric("bext_waf_rate_limited_total"), limited);
}

/// A client that keeps coming while limited is banned on the shard that counted it, and
/// that shard tells the other: its next connection, on the other CPU's shard (which has
/// never seen it, so its own bucket is full), is refused too, and a second later (a token
/// back) still is.
#[test]
fn a_client_that_keeps_coming_is_banned_on_every_shard() {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert!(cpus >= 2, "this test needs 2 CPUs, for 2 shards");
    let (_dir, bext) = site(
        "waf-ban",
        "shards = 2",
        "rate = { requests_per_sec = 1, burst = 1, ban_after = 3, ban_secs = 60 }
         allow = [\"127.0.0.1\"]",
    );
    let url = format!("http://{}/", bext.addr);
    let health = format!("http://{}/__bext/health", bext.addr);
    // Each CPU's connections reach their own shard (127.0.0.1 is allowed: never limited).
    for cpu in 0..2 {
        let out = Command::new("taskset")
            .args([
                "-c",
                &cpu.to_string(),
                "curl",
                "-sS",
                "--interface",
                "127.0.0.1",
            ])
            .arg(&health)
            .output()
            .expect("curl runs");
        let body: serde_json::Value = serde_json::from_slice(&out.stdout).expect("health JSON");
        assert_eq!(
            body["shard"].as_u64(),
            Some(cpu as u64),
            "shard of CPU {cpu}"
        );
    }
    // From CPU 0 until banned: a token refills every second, so on a slow machine a
    // request may pass and start the count again; three refusals in a row come soon.
    let deadline = Instant::now() + std::time::Duration::from_secs(60);
    let mut seen = Vec::new();
    loop {
        let (status, _) = curl_on(Some(0), "127.0.0.2", &url, &[]);
        seen.push(status);
        if status == 403 {
            break;
        }
        assert!(Instant::now() < deadline, "no ban within 60 s: {seen:?}");
    }
    // The ban came after three refusals in a row: 429, 429, then the 403.
    assert!(
        seen.len() >= 4 && seen[seen.len() - 3..seen.len() - 1] == [429, 429],
        "{seen:?}"
    );
    // The other shard hears of it over the mesh.
    let deadline = Instant::now() + std::time::Duration::from_secs(10);
    while bext.metric("bext_waf_bans_received_total") < 1 {
        assert!(
            Instant::now() < deadline,
            "the other shard never heard of the ban"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(
        curl_on(Some(1), "127.0.0.2", &url, &[]).0,
        403,
        "on shard 1"
    );
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(
        curl_on(Some(0), "127.0.0.2", &url, &[]).0,
        403,
        "a second later"
    );
    assert_eq!(
        curl_on(Some(1), "127.0.0.2", &url, &[]).0,
        403,
        "a second later"
    );
    // Others are still served.
    assert_eq!(curl_on(Some(1), "127.0.0.3", &url, &[]).0, 200);
    assert_eq!(bext.metric("bext_waf_bans_total"), 1);
    assert!(bext.metric("bext_waf_banned_total") >= 4);
}

#[test]
fn bad_waf_tables_are_refused_with_file_line_and_key() {
    assert_configs_refused(
        "waf-config",
        &[
            (
                "[waf]\ndeny = [\"10.0.0.1/8\"]\n[[site]]\nroot = \".\"\n",
                ":2:9: waf.deny[0]: `10.0.0.1/8`: has bits set past its length",
            ),
            (
                "[waf]\nrate = { requests_per_sec = 0 }\n[[site]]\nroot = \".\"\n",
                ":2:29: waf.rate.requests_per_sec: 0 is out of range",
            ),
        ],
    );
}
