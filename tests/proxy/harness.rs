//! What the proxy's tests share: the test upstreams (`upstream.py`, `ws.py`) as child
//! processes, and curl.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::common;

/// The `websockets` release `tests/proxy/ws.py` is written against.
pub const WEBSOCKETS: &str = "websockets==15.0.1";
/// The releases `tests/proxy/grpc_peer.py` is written against: grpcio, and its health
/// checking service.
pub const GRPCIO: &str = "grpcio==1.85.4 grpcio-health-checking==1.85.1";
/// hypercorn, the HTTP/2 WebSocket server (RFC 8441) of `ws.py serve-h2`.
pub const HYPERCORN: &str = "hypercorn==0.18.0";

/// A running test upstream, killed on drop.
pub struct Upstream {
    pub child: Child,
    port: u16,
}

impl Upstream {
    pub fn start(name: &str) -> Upstream {
        Upstream::start_with(name, &[])
    }

    /// With `upstream.py`'s options: `--unix PATH`, `--tls CERT KEY`.
    pub fn start_with(name: &str, args: &[&str]) -> Upstream {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/proxy/upstream.py");
        Upstream::spawn(
            Command::new("/usr/bin/python3")
                .arg(script)
                .arg(name)
                .args(args),
        )
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The WebSocket echo server.
    pub fn websocket() -> Upstream {
        Upstream::websocket_with(&[])
    }

    /// The WebSocket echo server with `ws.py serve`'s options (`CERT KEY`: over TLS).
    pub fn websocket_with(args: &[&str]) -> Upstream {
        Upstream::spawn(
            Command::new(common::venv_python("websockets", WEBSOCKETS))
                .arg(ws_script())
                .arg("serve")
                .args(args),
        )
    }

    /// The WebSocket echo server that takes WebSockets only over HTTP/2 (`ws.py serve-h2`,
    /// on hypercorn), by prior knowledge.
    pub fn websocket_h2() -> Upstream {
        common::venv_python("websockets", WEBSOCKETS);
        Upstream::spawn(
            Command::new(common::venv_python("hypercorn", HYPERCORN))
                .arg(ws_script())
                .arg("serve-h2"),
        )
    }

    /// The gRPC server, with `grpc_peer.py serve`'s options (`--port N`, `CERT KEY`).
    pub fn grpc(args: &[&str]) -> Upstream {
        Upstream::spawn(
            Command::new(common::venv_python("grpc_health.v1.health", GRPCIO))
                .arg(grpc_script())
                .arg("serve")
                .args(args),
        )
    }

    pub fn spawn(command: &mut Command) -> Upstream {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs the test upstream");
        let stdout = child.stdout.take().expect("piped");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the upstream says where it listens");
        let port = line
            .strip_prefix("listening ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        Upstream { child, port }
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `curl ARGS URL`: status, body and curl's exit code.
pub fn curl(url: &str, args: &[&str]) -> (u16, String, i32) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "20", "-w", "\n%{http_code}"])
        .args(args)
        .arg(url)
        .output()
        .expect("curl runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').unwrap_or(("", &text));
    (
        status.trim().parse().unwrap_or(0),
        body.to_owned(),
        out.status.code().unwrap_or(-1),
    )
}

pub fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

pub fn header<'a>(doc: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    doc["headers"]
        .as_array()?
        .iter()
        .find(|pair| pair[0] == name)
        .and_then(|pair| pair[1].as_str())
}

pub fn grpc_script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/proxy/grpc_peer.py")
}

/// Runs `grpc_peer.py ARGS`, which must succeed: what it printed.
pub fn grpc_peer(args: &[&str]) -> String {
    let out = Command::new(common::venv_python("grpc_health.v1.health", GRPCIO))
        .arg(grpc_script())
        .args(args)
        .output()
        .expect("python runs the gRPC client");
    assert!(
        out.status.success(),
        "grpc_peer.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every call of `grpc_peer.py call` through `target` (over TLS with `tls`: the authority's
/// file and the name to expect): what came back.
pub fn grpc_calls(target: &str, tls: Option<(&Path, &str)>) -> serde_json::Value {
    let tls = tls.map(|(ca, name)| (ca.display().to_string(), name));
    let mut args = vec!["call", target];
    if let Some((ca, name)) = &tls {
        args.extend([ca.as_str(), *name]);
    }
    json(&grpc_peer(&args))
}

/// Sets the gRPC server's health (`SERVING`, `NOT_SERVING`), asking it directly.
pub fn grpc_set_health(target: &str, status: &str) {
    grpc_peer(&["health", target, status]);
}

pub fn ws_script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/proxy/ws.py")
}

/// `ws.py ARGS` as the WebSocket client: its output, after checking it succeeded.
pub fn ws_client(args: &[&str]) -> String {
    let out = Command::new(common::venv_python("websockets", WEBSOCKETS))
        .arg(ws_script())
        .args(args)
        .output()
        .expect("the WebSocket client runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "ws.py {args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// `curl` pinned to `cpu` (with SO_REUSEPORT by CPU, the connection lands on that CPU's
/// shard): status, `x-bext-cache`, body.
pub fn curl_on(cpu: usize, url: &str) -> (u16, String, String) {
    let out = Command::new("taskset")
        .args([
            "-c",
            &cpu.to_string(),
            "curl",
            "-sS",
            "--max-time",
            "20",
            "-D",
            "-",
        ])
        .arg(url)
        .output()
        .expect("taskset and curl run");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let cache = head
        .lines()
        .find_map(|l| l.strip_prefix("x-bext-cache: "))
        .unwrap_or("none")
        .to_owned();
    (status, cache, body.to_owned())
}
