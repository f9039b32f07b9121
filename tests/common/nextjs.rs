//! The real Next.js, for the tests that compare bext with it (`tests/nextjs.rs` by their
//! answers, `tests/browser.rs` by their pages in Chromium): Next.js pinned in
//! `tests/nextjs/package-lock.json`, installed once per lockfile (`npm ci` into
//! `/var/cache/bext/nextjs/install-<hash>`), each app under `tests/nextjs/apps/` built once per
//! lockfile and app contents (`next build`), and `next start` on a free loopback port.

use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::npm;

/// Where installs and builds are kept between runs (outside the clone).
pub const CACHE_DIR: &str = "/var/cache/bext/nextjs";
/// How long `next start` may take to answer its first request.
pub const NEXT_READY_DEADLINE: Duration = Duration::from_secs(60);

/// `tests/nextjs`: the lockfile and the apps.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nextjs")
}

/// Every app under `tests/nextjs/apps/`, sorted.
pub fn apps() -> Vec<PathBuf> {
    let mut apps: Vec<PathBuf> = std::fs::read_dir(root().join("apps"))
        .expect("tests/nextjs/apps")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.is_dir())
        .collect();
    apps.sort();
    apps
}

/// `npm ci` of the lockfile into the cache, once per lockfile; returns its `node_modules`.
pub fn install(root: &Path) -> PathBuf {
    npm::ci(root, Path::new(CACHE_DIR), "tests/nextjs")
}

/// A copy of `app` with Next's build in it, made once per app contents and lockfile.
pub fn build(app: &Path, modules: &Path) -> PathBuf {
    let mut files = Vec::new();
    collect_files(app, &mut files);
    files.sort();
    files.push(modules.join(".package-lock.json"));
    let name = app.file_name().unwrap().to_string_lossy().into_owned();
    // Inside the install, so Next finds `node_modules` and the lockfile by walking up (its
    // bundler refuses a `node_modules` linked from outside the project).
    let install = modules.parent().expect("the install dir");
    let dir = install.join(format!("build-{name}-{}", npm::hash_of(&files)));
    if dir.join(".next/BUILD_ID").is_file() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(app, &dir);
    npm::run(
        Command::new("node")
            .arg(modules.join("next/dist/bin/next"))
            .arg("build")
            .env("NEXT_TELEMETRY_DISABLED", "1")
            .current_dir(&dir),
        &format!("next build of tests/nextjs/apps/{name}"),
    );
    dir
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read app dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            collect_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

/// `next start` on a free loopback port, stopped on drop.
pub struct NextServer {
    child: Child,
    pub addr: SocketAddr,
}

impl NextServer {
    pub fn start(dir: &Path, modules: &Path) -> NextServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("node")
            .arg(modules.join("next/dist/bin/next"))
            .args(["start", "-H", "127.0.0.1", "-p", &port.to_string()])
            .env("NEXT_TELEMETRY_DISABLED", "1")
            .env("NODE_ENV", "production")
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group: `next start` runs the server as a child process
            // (`next-server`), which must stop with it.
            .process_group(0)
            .spawn()
            .expect("next start");
        let server = NextServer {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
        };
        let deadline = Instant::now() + NEXT_READY_DEADLINE;
        while std::net::TcpStream::connect(server.addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "next start did not listen in time"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }
}

impl Drop for NextServer {
    fn drop(&mut self) {
        // The whole group (`next start` and its `next-server` child), not just the parent,
        // which would leave the server running after the test.
        super::kill_group(&mut self.child);
    }
}
