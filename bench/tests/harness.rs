//! The harness and the ceiling, driven as a user drives them: real processes, real sockets on
//! loopback. The scenario numbers are not checked (they depend on the machine); the plumbing
//! (errors, exit codes, the JSON schema the perf history reads) is.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const HARNESS: &str = env!("CARGO_BIN_EXE_bext-bench");
const CEILING: &str = env!("CARGO_BIN_EXE_bext-ceiling");
const READY_DEADLINE_MS: u64 = 5_000;
const IO_TIMEOUT_MS: u64 = 2_000;

/// Runs the harness with `args` and `env`, and checks the exit code and a fragment of stderr.
fn check_harness(
    args: &[&str],
    env: &[(&str, &str)],
    expect_code: i32,
    expect_stderr: &str,
) -> Output {
    let output = Command::new(HARNESS)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("harness runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(expect_code),
        "args {args:?}; stderr:\n{stderr}"
    );
    assert!(
        stderr.contains(expect_stderr),
        "args {args:?}: expected {expect_stderr:?} in stderr:\n{stderr}"
    );
    output
}

#[test]
fn usage_errors_exit_2_with_the_usage_text() {
    check_harness(&[], &[], 2, "missing scenario (static or conns)");
    check_harness(
        &["static", "--rounds", "0"],
        &[],
        2,
        "usage: bext-bench static",
    );
    check_harness(&["--help"], &[], 0, "");
}

#[test]
fn a_missing_contender_is_a_clear_error_not_a_panic() {
    check_harness(
        &["static", "--smoke", "--contenders", "bext"],
        &[("BEXT_BIN", "/nonexistent/bext")],
        1,
        "BEXT_BIN=/nonexistent/bext does not exist",
    );
    check_harness(
        &["static", "--smoke", "--contenders", "ceiling"],
        &[("BEXT_CEILING_BIN", "/nonexistent/ceiling")],
        1,
        "BEXT_CEILING_BIN=/nonexistent/ceiling does not exist",
    );
    // A bext that exits at once instead of serving: reported with its exit status.
    check_harness(
        &[
            "conns",
            "--smoke",
            "--contenders",
            "bext",
            "--json",
            "/dev/null",
        ],
        &[("BEXT_BIN", "/bin/true")],
        1,
        "bext exited (exit status: 0) while starting up",
    );
}

/// Kills the ceiling even if an assertion fails.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_ceiling(body_bytes: usize) -> (Guard, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let child = Command::new(CEILING)
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--body-bytes",
            &body_bytes.to_string(),
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("ceiling starts");
    (Guard(child), port)
}

fn connect_until_ready(port: u16) -> TcpStream {
    let deadline = Instant::now() + Duration::from_millis(READY_DEADLINE_MS);
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(stream) => {
                stream
                    .set_read_timeout(Some(Duration::from_millis(IO_TIMEOUT_MS)))
                    .expect("timeout");
                return stream;
            }
            Err(error) if Instant::now() >= deadline => panic!("ceiling not ready: {error}"),
            Err(_) => thread::sleep(Duration::from_millis(5)),
        }
    }
}

fn read_exactly(stream: &mut TcpStream, bytes: usize) -> Vec<u8> {
    let mut buffer = vec![0u8; bytes];
    stream.read_exact(&mut buffer).expect("whole response");
    buffer
}

fn check_ceiling(body_bytes: usize, expect_head: &str) {
    let (_guard, port) = start_ceiling(body_bytes);
    let mut stream = connect_until_ready(port);
    // Two requests on one connection: one canned response per read, keep-alive.
    for _ in 0..2 {
        stream
            .write_all(b"GET /anything HTTP/1.1\r\nHost: x\r\n\r\n")
            .expect("request sent");
        let response = read_exactly(&mut stream, expect_head.len() + body_bytes);
        let (head, body) = response.split_at(expect_head.len());
        assert_eq!(String::from_utf8_lossy(head), expect_head);
        assert!(
            body.iter().all(|&byte| byte == b'x'),
            "body is the canned filler"
        );
    }
}

#[test]
fn ceiling_answers_every_read_with_the_canned_response() {
    check_ceiling(
        13,
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 13\r\n\r\n",
    );
    check_ceiling(
        4096,
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 4096\r\n\r\n",
    );
    check_ceiling(
        0,
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 0\r\n\r\n",
    );
}

#[test]
fn ceiling_rejects_bad_arguments() {
    let check = |args: &[&str], expect: &str| {
        let output = Command::new(CEILING)
            .args(args)
            .output()
            .expect("ceiling runs");
        assert_eq!(output.status.code(), Some(2), "args {args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(expect),
            "args {args:?}: expected {expect:?} in {stderr:?}"
        );
    };
    check(&["--body-bytes", "13"], "--listen is required");
    check(&["--listen", "127.0.0.1:1"], "--body-bytes is required");
    check(
        &["--listen", "nowhere", "--body-bytes", "1"],
        "invalid socket address",
    );
    check(
        &["--listen", "127.0.0.1:1", "--body-bytes", "99999999999"],
        "above the",
    );
}

/// The smoke run the test suite relies on, against the ceiling alone (always available): the
/// whole pipeline from launch to JSON, and the schema fields the perf history reads.
#[test]
fn static_smoke_against_the_ceiling_writes_the_documented_json() {
    let json_path =
        std::env::temp_dir().join(format!("bext-bench-test-{}.json", std::process::id()));
    let json_arg = json_path.to_string_lossy().into_owned();
    check_harness(
        &[
            "static",
            "--smoke",
            "--contenders",
            "ceiling",
            "--json",
            &json_arg,
        ],
        &[("BEXT_CEILING_BIN", CEILING)],
        0,
        "",
    );
    let text = std::fs::read_to_string(&json_path).expect("json written");
    let _ = std::fs::remove_file(&json_path);
    let report: serde_json::Value = serde_json::from_str(&text).expect("valid json");
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["scenario"], "static");
    assert_eq!(report["smoke"], true);
    for field in [
        "unix_time_s",
        "date",
        "git_commit",
        "git_dirty",
        "machine",
        "settings",
        "rows",
        "ratios",
        "warnings",
    ] {
        assert!(report.get(field).is_some(), "missing {field}");
    }
    for field in ["cpu_model", "cores", "kernel", "arch"] {
        assert!(
            report["machine"].get(field).is_some(),
            "missing machine.{field}"
        );
    }
    let rows = report["rows"].as_array().expect("rows");
    let has = |case: &str, metric: &str| {
        rows.iter().any(|row| {
            row["case"] == case && row["metric"] == metric && row["contender"] == "ceiling"
        })
    };
    for (case, metric) in [
        ("startup", "startup"),
        ("small.txt", "requests_per_sec"),
        ("small.txt", "latency_p99"),
        ("4k.bin", "requests_per_sec"),
        ("4k.bin", "cpu_per_request"),
    ] {
        assert!(has(case, metric), "no {case}/{metric} row in {text}");
    }
    for row in rows {
        assert!(
            row["rounds"]
                .as_array()
                .is_some_and(|rounds| !rounds.is_empty()),
            "row without rounds: {row}"
        );
        assert!(row["median"].is_number(), "row without median: {row}");
        assert!(row["unit"].is_string(), "row without unit: {row}");
    }
}
