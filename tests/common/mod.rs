//! Test harness: start the real `bext` binary on loopback, talk to it over real sockets.
//!
//! Every wait here has a deadline; a server left running is killed when its handle drops.
#![allow(dead_code)]

pub mod browser;
pub mod example_app;
pub mod nextjs;
pub mod npm;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a test waits for the server to start, answer, or exit.
pub const DEADLINE: Duration = Duration::from_secs(15);

/// A scratch directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("bext-test-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `contents` at `rel`, creating parent directories.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent");
        }
        std::fs::write(&path, contents).expect("write file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running `bext serve`.
pub struct Bext {
    child: Child,
    /// The first address it reported listening on.
    pub addr: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

/// The binary under test: cargo's, or `BEXT_BIN` when set. Worktrees that share one
/// `CARGO_TARGET_DIR` share its `debug/bext` too, and the last build of any of them wins it;
/// a copy made right after this worktree's build keeps a run on this worktree's code.
pub fn bext_bin() -> &'static str {
    static BIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        std::env::var("BEXT_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_bext").to_owned())
    })
}

/// Checks that `bext serve --config` refuses each config text of `cases` (written to
/// `bext.toml` in a fresh directory) and that what it says contains the case's message.
#[track_caller]
pub fn assert_configs_refused(tag: &str, cases: &[(&str, &str)]) {
    for (text, want) in cases {
        let dir = TempDir::new(tag);
        let config = dir.write("bext.toml", *text);
        let out = Command::new(bext_bin())
            .args(["serve", "--config"])
            .arg(&config)
            .output()
            .expect("bext runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "started with:\n{text}");
        assert!(stderr.contains(want), "{want:?} not in:\n{stderr}");
    }
}

impl Bext {
    /// `bext serve DIR --listen 127.0.0.1:0 --shards 1` plus `extra`.
    pub fn serve_dir(dir: &Path, extra: &[&str]) -> Bext {
        let mut args = vec!["serve".to_string(), dir.display().to_string()];
        if !extra.contains(&"--listen") {
            args.extend(["--listen".into(), "127.0.0.1:0".into()]);
        }
        if !extra.contains(&"--shards") {
            args.extend(["--shards".into(), "1".into()]);
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        Bext::start(&args)
    }

    /// `bext serve --config FILE --listen 127.0.0.1:0` plus `extra`.
    pub fn serve_config(file: &Path, extra: &[&str]) -> Bext {
        Bext::serve_config_env(file, extra, &[])
    }

    /// [`Bext::serve_config`] with extra environment variables.
    pub fn serve_config_env(file: &Path, extra: &[&str], env: &[(&str, &str)]) -> Bext {
        Bext::start_env(&serve_config_args(file, extra), env)
    }

    /// `bext dev DIR` on one shard, on a free port.
    pub fn dev(dir: &Path) -> Bext {
        Bext::start(&[
            "dev".into(),
            dir.display().to_string(),
            "--listen".into(),
            "127.0.0.1:0".into(),
            "--shards".into(),
            "1".into(),
        ])
    }

    /// Starts `bext ARGS` and waits for its "serving ... on http://ADDR" line.
    pub fn start(args: &[String]) -> Bext {
        Bext::start_env(args, &[])
    }

    /// [`Bext::start`] with extra environment variables.
    pub fn start_env(args: &[String], env: &[(&str, &str)]) -> Bext {
        Bext::start_wrapped(&[], args, env)
    }

    /// [`Bext::serve_config`] whose stderr is also copied, line by line as it comes, to
    /// `log` (for a client that reads the server's log while the server runs).
    pub fn serve_config_logged(file: &Path, extra: &[&str], log: &Path) -> Bext {
        Bext::launch(&[], &serve_config_args(file, extra), &[], Some(log))
    }

    /// [`Bext::start_env`] run through `wrapper` (`ip netns exec NS`: the wrapper must exec
    /// bext in its own process, so that the handle's pid is bext's).
    pub fn start_wrapped(wrapper: &[&str], args: &[String], env: &[(&str, &str)]) -> Bext {
        Bext::launch(wrapper, args, env, None)
    }

    fn launch(wrapper: &[&str], args: &[String], env: &[(&str, &str)], log: Option<&Path>) -> Bext {
        let mut log = log.map(|path| {
            std::fs::File::create(path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()))
        });
        let mut command = match wrapper.split_first() {
            Some((program, rest)) => {
                let mut command = Command::new(program);
                command.args(rest).arg(bext_bin());
                command
            }
            None => Command::new(bext_bin()),
        };
        let mut child = command
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn bext");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let pipe = child.stderr.take().expect("stderr piped");
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                if !sent
                    && let Some(addr) = line
                        .split("http://")
                        .nth(1)
                        .and_then(|r| r.split_whitespace().next())
                {
                    let _ = tx.send(addr.to_string());
                    sent = true;
                }
                if let Some(log) = &mut log {
                    use std::io::Write as _;
                    let _ = writeln!(log, "{line}");
                }
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let addr = match rx.recv_timeout(DEADLINE) {
            Ok(addr) => addr.parse().expect("address in the ready line"),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "bext did not report ready within {DEADLINE:?}; stderr:\n{}",
                    stderr.lock().unwrap()
                );
            }
        };
        Bext {
            child,
            addr,
            stderr,
        }
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn signal(&self, signal: i32) {
        // SAFETY-free: `kill` through the command, to keep tests free of unsafe.
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// Everything the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until stderr contains `needle`, up to the deadline.
    pub fn wait_for_stderr(&self, needle: &str) -> bool {
        let deadline = Instant::now() + DEADLINE;
        while Instant::now() < deadline {
            if self.stderr().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    /// Waits for the process to exit, up to the deadline (then kills it and panics).
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "bext did not exit within {DEADLINE:?}; stderr:\n{}",
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn connect(&self) -> TcpStream {
        connect(self.addr)
    }

    /// One request on a fresh connection.
    /// The first HTTPS address bext reported (`serving … on https://ADDR`), waiting for it.
    /// A counter or gauge from `/__bext/metrics` (summed over the shards).
    pub fn metric(&self, name: &str) -> u64 {
        let scrape = self.get("/__bext/metrics").text();
        metric_sample(&scrape, name).unwrap_or_else(|| panic!("{name} in {scrape}"))
    }

    /// The UDP address bext reported serving HTTP/3 on (`http3 = true` or `listen_quic`).
    pub fn quic_addr(&self) -> SocketAddr {
        assert!(
            self.wait_for_stderr("HTTP/3 over QUIC"),
            "{}",
            self.stderr()
        );
        let stderr = self.stderr();
        stderr
            .lines()
            .find(|line| line.contains("HTTP/3 over QUIC"))
            .and_then(|line| line.split("https://").nth(1))
            .and_then(|after| after.split_whitespace().next())
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("an HTTP/3 address in {stderr}"))
    }

    pub fn https_addr(&self) -> SocketAddr {
        assert!(self.wait_for_stderr("https://"), "{}", self.stderr());
        let stderr = self.stderr();
        let after = stderr.split("https://").nth(1).expect("an https line");
        after
            .split_whitespace()
            .next()
            .and_then(|a| a.parse().ok())
            .expect("an address after https://")
    }

    pub fn get(&self, path: &str) -> Response {
        let mut stream = self.connect();
        send(
            &mut stream,
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes(),
        );
        read_response(&mut stream, false).expect("a response")
    }
}

impl Drop for Bext {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The value of the sample `name` (with its labels, e.g. `x_total{by="cid"}`) in a
/// Prometheus scrape.
pub fn metric_sample(scrape: &str, name: &str) -> Option<u64> {
    scrape
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, DEADLINE).expect("connect");
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream.set_write_timeout(Some(DEADLINE)).unwrap();
    stream.set_nodelay(true).unwrap();
    stream
}

pub fn send(stream: &mut TcpStream, bytes: &[u8]) {
    stream.write_all(bytes).expect("send");
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Reads one response. `head_only`: the request was HEAD (no body follows whatever the
/// framing says). Returns `None` if the connection closed before a status line.
pub fn read_response(stream: &mut TcpStream, head_only: bool) -> Option<Response> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let status: u16 = status_line.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            l.split_once(':')
                .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        })
        .collect();
    let mut body = buf[head_end..].to_vec();
    let no_body = head_only || status == 304 || status == 204 || (100..200).contains(&status);
    if !no_body {
        let length = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse::<usize>().ok());
        match length {
            Some(length) => {
                while body.len() < length {
                    let n = stream.read(&mut chunk).ok()?;
                    if n == 0 {
                        break;
                    }
                    body.extend_from_slice(&chunk[..n]);
                }
                // Bytes past the body belong to the next response: callers reading pipelined
                // responses use `read_responses` instead.
                body.truncate(length);
            }
            None => {
                // Read to close.
                loop {
                    match stream.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => body.extend_from_slice(&chunk[..n]),
                    }
                }
            }
        }
    } else {
        body.clear();
    }
    Some(Response {
        status,
        headers,
        body,
    })
}

/// Reads everything until the server closes (or the deadline), then splits it into
/// responses. For pipelining tests.
pub fn read_until_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut all = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return all,
            Ok(n) => all.extend_from_slice(&chunk[..n]),
        }
    }
}

/// True if the server has closed `stream` (reads EOF or reset) within the deadline.
pub fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut chunk = [0u8; 1024];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                return false;
            }
            Err(_) => return true,
        }
    }
}

/// A fixture shared by the tests of one file that run at the same time: the first test to ask
/// starts it, and it is dropped (a server killed) when the last test holding it lets go, so
/// no process outlives the test binary. A later test starts a fresh one.
pub struct Shared<T> {
    slot: Mutex<std::sync::Weak<T>>,
}

impl<T> Shared<T> {
    pub const fn new() -> Shared<T> {
        Shared {
            slot: Mutex::new(std::sync::Weak::new()),
        }
    }

    pub fn get(&self, start: impl FnOnce() -> T) -> Arc<T> {
        // A test that panicked while holding the lock left nothing half-done behind it.
        let mut slot = self
            .slot
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(fixture) = slot.upgrade() {
            return fixture;
        }
        let fixture = Arc::new(start());
        *slot = Arc::downgrade(&fixture);
        fixture
    }
}

/// A connection that keeps the bytes read past one response for the next, so pipelined
/// responses, or a `100 Continue` and the final response that came in the same segment, are
/// read one at a time without losing any.
pub struct Client {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> Client {
        Client {
            stream: connect(addr),
            buf: Vec::new(),
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        send(&mut self.stream, bytes);
    }

    /// Reads one response (`head_only`: it answers a HEAD). `None` if the connection closed,
    /// failed or hit the deadline before a whole response arrived.
    pub fn read_response(&mut self, head_only: bool) -> Option<Response> {
        loop {
            if let Some((response, used)) = split_response(&self.buf, head_only, false) {
                self.buf.drain(..used);
                return Some(response);
            }
            if !self.fill() {
                let (response, used) = split_response(&self.buf, head_only, true)?;
                self.buf.drain(..used);
                return Some(response);
            }
        }
    }

    /// Every byte that arrives until the server closes the connection (EOF or reset),
    /// including bytes already read; `None` if it is still open at the read deadline.
    pub fn rest_until_close(&mut self) -> Option<Vec<u8>> {
        let mut chunk = [0u8; 8192];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return Some(std::mem::take(&mut self.buf)),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return None;
                }
                Err(_) => return Some(std::mem::take(&mut self.buf)),
            }
        }
    }

    /// Reads once more into the buffer; false on EOF, error or deadline.
    fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 16 * 1024];
        match self.stream.read(&mut chunk) {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
        }
    }
}

/// One whole response from the start of `buf` and the bytes it spans; `None` if more bytes
/// are needed. A response framed by neither content-length nor a bodiless status ends at the
/// close, so it is whole only once `eof` is known.
pub fn split_response(buf: &[u8], head_only: bool, eof: bool) -> Option<(Response, usize)> {
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            l.split_once(':')
                .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        })
        .collect();
    let no_body = head_only || status == 304 || status == 204 || (100..200).contains(&status);
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok());
    let end = match (no_body, length) {
        (true, _) => head_end,
        (false, Some(length)) if buf.len() >= head_end + length => head_end + length,
        (false, Some(_)) => return None,
        (false, None) if eof => buf.len(),
        (false, None) => return None,
    };
    Some((
        Response {
            status,
            headers,
            body: buf[head_end..end].to_vec(),
        },
        end,
    ))
}

/// `bext ARGS` run to completion: its exit status, stdout and stderr. Killed (and the test
/// failed) if it is still running at the deadline, e.g. a `serve` that should have refused.
pub fn run_bext(args: &[&str]) -> (ExitStatus, String, String) {
    let child = Command::new(bext_bin())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn bext");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(DEADLINE) {
        Ok(output) => {
            let output = output.expect("wait for bext");
            let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
            (output.status, text(&output.stdout), text(&output.stderr))
        }
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("bext {args:?} still running after {DEADLINE:?}");
        }
    }
}

/// Polls `probe` (every 10 ms) until it gives a value, up to the deadline; panics naming
/// `what` otherwise. For effects that take a moment (a reload, a log flush, revalidation).
pub fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(value) = probe() {
            return value;
        }
        if Instant::now() > deadline {
            panic!("not within {DEADLINE:?}: {what}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// One raw request on a fresh connection; a `HEAD` request's response is read as bodiless.
pub fn request(addr: SocketAddr, raw: &str) -> Response {
    let mut stream = connect(addr);
    send(&mut stream, raw.as_bytes());
    read_response(&mut stream, raw.starts_with("HEAD "))
        .unwrap_or_else(|| panic!("no response to {raw:?}"))
}

impl Response {
    /// Status, headers and the start of the body as text, for failure messages.
    pub fn summary(&self) -> String {
        let body = self.text();
        let cut = body.char_indices().nth(200).map_or(body.len(), |(i, _)| i);
        format!("{} {:?} body {:?}", self.status, self.headers, &body[..cut])
    }
}

/// Kills `child`'s whole process group (it was spawned with `process_group(0)`) and reaps it.
pub fn kill_group(child: &mut Child) {
    // `--` first: procps's kill reads `-KILL -1234` as a signal option and a mangled pid
    // (it signalled group -1, every process, and took the test runner with it).
    let _ = Command::new("kill")
        .args(["-s", "KILL", "--", &format!("-{}", child.id())])
        .status();
    let _ = child.kill();
    let _ = child.wait();
}

/// A self-signed ECDSA P-256 certificate for `localhost`, made with openssl into `dir`.
pub fn make_certificate(dir: &Path, cert: &str, key: &str) {
    let made = Command::new("openssl")
        .args([
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
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            key,
            "-out",
            cert,
        ])
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
}

/// `serve --config FILE --listen 127.0.0.1:0` plus `extra` (whose own `--listen` wins).
fn serve_config_args(file: &Path, extra: &[&str]) -> Vec<String> {
    let mut args = vec![
        "serve".to_string(),
        "--config".into(),
        file.display().to_string(),
    ];
    if !extra.contains(&"--listen") {
        args.extend(["--listen".into(), "127.0.0.1:0".into()]);
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// The virtual environment `scripts/test.sh` installs the tests' Python packages into
/// (aioquic, websockets), outside the clone.
pub const PYTHON_VENV: &str = "/var/cache/bext/quic-venv";

/// The venv's python, with `requirement` (`name==version`, or several separated by spaces)
/// installed first if `import` does not import (a test run alone, before `scripts/test.sh` made the venv).
pub fn venv_python(import: &str, requirement: &str) -> PathBuf {
    static INSTALLING: Mutex<()> = Mutex::new(());
    let _installing = INSTALLING.lock().unwrap_or_else(|p| p.into_inner());
    let python = Path::new(PYTHON_VENV).join("bin/python");
    let ready = || {
        Command::new(&python)
            .args(["-c", &format!("import {import}")])
            .status()
            .is_ok_and(|s| s.success())
    };
    if !ready() {
        if !python.exists() {
            let made = Command::new("python3")
                .args(["-m", "venv", PYTHON_VENV])
                .status()
                .expect("python3 runs");
            assert!(made.success(), "python3 -m venv {PYTHON_VENV}");
        }
        let pip = Command::new(Path::new(PYTHON_VENV).join("bin/pip"))
            .args(["install", "--quiet"])
            .args(requirement.split_whitespace())
            .status()
            .expect("pip runs");
        assert!(pip.success(), "pip install {requirement}");
        assert!(ready(), "{import} does not import after its install");
    }
    python
}

/// The Python packages `tests/common/ws_connect.py` imports, in the venv: `websockets` for the
/// frames, `h2` and `aioquic` for the stream (Debian's `python3-h2` is outside the venv).
pub const WS_CONNECT_PACKAGES: &str = "websockets==15.0.1 h2==4.3.0 aioquic==1.7.2";

/// A WebSocket over HTTP/2 (RFC 8441) or HTTP/3 (RFC 9220) to `addr`:
/// `tests/common/ws_connect.py HOST PORT TRANSPORT PATH ARGS` (TRANSPORT: `plain`, `tls` or
/// `h3`), its output lines on a channel as they come (a caller may act on `open`). The
/// child is killed when dropped by the caller (`Child::kill`), or ends by itself.
pub fn ws_connect(
    addr: SocketAddr,
    tls: &str,
    path: &str,
    args: &[&str],
) -> (Child, std::sync::mpsc::Receiver<String>) {
    let python = venv_python("websockets, h2, aioquic", WS_CONNECT_PACKAGES);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/common/ws_connect.py");
    let mut child = Command::new(python)
        .arg(script)
        .args([&addr.ip().to_string(), &addr.port().to_string(), tls, path])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("ws_connect.py runs");
    let lines = stdout_lines(&mut child);
    (child, lines)
}

/// The lines `child` writes on its (piped) stdout, on a channel as they come; the channel
/// ends with the output.
pub fn stdout_lines(child: &mut Child) -> std::sync::mpsc::Receiver<String> {
    let stdout = child.stdout.take().expect("piped");
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    lines
}

/// `ws_connect` run to its end: every line it printed, after checking it exited cleanly.
pub fn ws_connect_output(addr: SocketAddr, tls: &str, path: &str, args: &[&str]) -> Vec<String> {
    let (mut child, lines) = ws_connect(addr, tls, path, args);
    let mut out = Vec::new();
    while let Ok(line) = lines.recv_timeout(DEADLINE) {
        out.push(line);
    }
    let status = child.wait().expect("ws_connect.py ends");
    assert!(
        status.success(),
        "ws_connect.py {path} {args:?}: {status}: {out:?}"
    );
    out
}
