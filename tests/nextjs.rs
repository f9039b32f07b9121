//! Next.js conformance: each app under `tests/nextjs/apps/` is built and run with the real
//! Next.js (`next build && next start`, pinned in `tests/nextjs/package-lock.json`), and bext
//! serves the same directory; every request in the app's `routes.txt` goes to both, and the
//! answers must agree on status, redirect target, content type, cookies set and what a reader
//! sees (the page's text, its
//! links and its title; markup, scripts and React's RSC payload aside). Error answers (4xx,
//! 5xx) are compared by status, title and `robots: noindex` only: for a dynamic route, Next
//! streams their content inside its RSC payload, and their HTML body is empty.
//!
//! Next.js is installed once per lockfile (`npm ci` into `/var/cache/bext/nextjs/<hash>`) and
//! each app is built once per lockfile and app contents, so a second run only starts servers.

mod common;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Bext, request};

/// Where installs and builds are kept between runs (outside the clone).
const CACHE_DIR: &str = "/var/cache/bext/nextjs";
/// How long `next start` may take to answer its first request.
const NEXT_READY_DEADLINE: Duration = Duration::from_secs(60);

#[test]
fn apps_answer_like_next_start() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nextjs");
    let modules = install(&root);
    let mut apps: Vec<PathBuf> = std::fs::read_dir(root.join("apps"))
        .expect("tests/nextjs/apps")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.is_dir())
        .collect();
    apps.sort();
    assert!(!apps.is_empty(), "no apps under tests/nextjs/apps");
    // `BEXT_NEXTJS_APPS=blog,config`: only these (while working on one).
    if let Ok(only) = std::env::var("BEXT_NEXTJS_APPS") {
        let only: Vec<&str> = only.split(',').map(str::trim).collect();
        apps.retain(|app| only.iter().any(|name| app.ends_with(name)));
    }
    let mut failures = Vec::new();
    for app in &apps {
        let name = app.file_name().unwrap().to_string_lossy().into_owned();
        let built = build(app, &modules);
        let next = NextServer::start(&built, &modules);
        let bext = Bext::serve_dir(&built, &[]);
        let routes = std::fs::read_to_string(app.join("routes.txt")).expect("routes.txt");
        let (mut matched, mut total) = (0, 0);
        // `@headers a, b`: response headers also compared on the routes that follow (a bare
        // `@headers` stops that).
        let mut compared: Vec<String> = Vec::new();
        for line in routes.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(names) = line.strip_prefix("@headers") {
                compared = names
                    .split(',')
                    .map(|n| n.trim().to_ascii_lowercase())
                    .filter(|n| !n.is_empty())
                    .collect();
                continue;
            }
            total += 1;
            let raw = raw_request(line);
            let want = Answer::of(&request(next.addr, &raw), &compared);
            let got = Answer::of(&request(bext.addr, &raw), &compared);
            if want == got {
                matched += 1;
            } else {
                failures.push(format!(
                    "{name} {line}:\n  next start: {want:?}\n  bext:       {got:?}"
                ));
            }
        }
        eprintln!("nextjs: {name}: {matched} of {total} routes answer like next start");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What is compared of an answer.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    status: u16,
    location: Option<String>,
    content_type: Option<String>,
    set_cookies: Vec<String>,
    /// The headers the app's `@headers` line names, in that order.
    headers: Vec<(String, Option<String>)>,
    title: Option<String>,
    /// `<meta>` and `<link>` tags, normalised (see [`head_tag`]).
    head: Vec<String>,
    noindex: bool,
    links: Vec<String>,
    text: String,
}

impl Answer {
    fn of(r: &common::Response, compared: &[String]) -> Answer {
        let body = match r.header("transfer-encoding") {
            Some(coding) if coding.eq_ignore_ascii_case("chunked") => dechunk(&r.body),
            _ => r.body.clone(),
        };
        let html = String::from_utf8_lossy(&body).into_owned();
        let Visible {
            title,
            mut links,
            mut text,
            mut head,
        } = visible(&html);
        if r.status >= 300 {
            links.clear();
            text.clear();
        }
        if (300..400).contains(&r.status) {
            head.clear();
        }
        Answer {
            status: r.status,
            location: r.header("location").map(str::to_owned),
            // Parameter values are case-insensitive (`charset=UTF-8` is `charset=utf-8`).
            content_type: r.header("content-type").map(str::to_ascii_lowercase),
            set_cookies: r
                .headers
                .iter()
                .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
                .map(|(_, value)| without_expiry_date(value))
                .collect(),
            headers: compared
                .iter()
                .map(|name| (name.clone(), r.header(name).map(str::to_owned)))
                .collect(),
            title: if r.status < 300 || r.status >= 400 {
                title
            } else {
                None
            },
            head,
            noindex: html.contains(r#"<meta name="robots" content="noindex"/>"#),
            links,
            text,
        }
    }
}

/// A Set-Cookie value with its `Expires` date blanked: one computed from `Max-Age` depends on
/// the second each server answered in.
fn without_expiry_date(value: &str) -> String {
    value
        .split("; ")
        .map(|attr| {
            if attr.starts_with("Expires=") {
                "Expires=(date)"
            } else {
                attr
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A chunked body's data (RFC 9112, section 7.1; extensions and trailers ignored).
fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = body.windows(2).position(|w| w == b"\r\n") {
        let line = String::from_utf8_lossy(&body[..eol]);
        let size = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16)
            .expect("a chunk size");
        body = &body[eol + 2..];
        if size == 0 {
            break;
        }
        out.extend_from_slice(&body[..size.min(body.len())]);
        body = &body[(size + 2).min(body.len())..];
    }
    out
}

/// A line of `routes.txt` as a request: `path | name: value | …`.
fn raw_request(line: &str) -> String {
    let mut parts = line.split(" | ");
    let path = parts.next().unwrap_or("/").trim();
    let mut raw = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for header in parts {
        raw.push_str(header.trim());
        raw.push_str("\r\n");
    }
    raw.push_str("\r\n");
    raw
}

/// What a page shows: its title, the links (`href`s) and the text a reader sees, in order,
/// whitespace collapsed, and its `<meta>` / `<link>` tags (see [`head_tag`]).
fn visible(html: &str) -> Visible {
    let mut head = Vec::new();
    let mut text = String::new();
    let mut links = Vec::new();
    let mut title = None;
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        rest = &rest[open..];
        // Comments are nothing to a reader (React's `<!-- -->` between texts included);
        // a tag separates words.
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        text.push(' ');
        let Some(close) = rest.find('>') else { break };
        let tag = &rest[1..close];
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        rest = &rest[close + 1..];
        match name.as_str() {
            "script" | "style" | "template" => {
                let end = format!("</{name}");
                rest = rest.find(&end).map_or("", |at| &rest[at..]);
                if let Some(close) = rest.find('>') {
                    rest = &rest[close + 1..];
                }
            }
            "title" => {
                let end = rest.find("</").unwrap_or(rest.len());
                title = Some(decode(&rest[..end]));
                rest = &rest[end..];
            }
            "a" => {
                if let Some(at) = tag.find("href=\"") {
                    let value = &tag[at + 6..];
                    links.push(decode(&value[..value.find('"').unwrap_or(value.len())]));
                }
            }
            "meta" | "link" => head.extend(head_tag(&name, tag)),
            _ => {}
        }
    }
    text.push_str(rest);
    let text = decode(&text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Visible {
        title,
        links,
        text,
        head,
    }
}

struct Visible {
    title: Option<String>,
    links: Vec<String>,
    text: String,
    head: Vec<String>,
}

/// A `<meta>` or `<link>` tag as compared: its attributes sorted, a link's query (Next's and
/// bext's cache-busting hashes differ) dropped. Tags that only serve Next's own browser
/// runtime (stylesheets and preloads of its chunks, font size adjustment) are left out.
fn head_tag(name: &str, tag: &str) -> Option<String> {
    let mut attrs = Vec::new();
    let mut rest = tag[name.len()..].trim_start();
    while !rest.is_empty() && !rest.starts_with('/') {
        let end = rest.find(['=', ' ', '/']).unwrap_or(rest.len());
        let key = rest[..end].to_ascii_lowercase();
        rest = &rest[end..];
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix("=\"") {
            let close = after.find('"').unwrap_or(after.len());
            value = decode(&after[..close]);
            rest = after.get(close + 1..).unwrap_or("");
        }
        rest = rest.trim_start();
        if !key.is_empty() {
            attrs.push((key, value));
        }
    }
    let get = |k: &str| {
        attrs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    if name == "link" {
        let rel = get("rel").unwrap_or("");
        if matches!(
            rel,
            "stylesheet" | "preload" | "modulepreload" | "dns-prefetch" | "preconnect" | "expect"
        ) {
            return None;
        }
    }
    if get("name") == Some("next-size-adjust") {
        return None;
    }
    for (key, value) in &mut attrs {
        if key == "href"
            && let Some(q) = value.find('?')
        {
            value.truncate(q);
        }
    }
    attrs.sort();
    let attrs: Vec<String> = attrs.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    Some(format!("<{name} {}>", attrs.join(" ")))
}

fn decode(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn hash_of(paths: &[PathBuf]) -> String {
    let mut hasher = DefaultHasher::new();
    for path in paths {
        path.file_name().hash(&mut hasher);
        std::fs::read(path)
            .expect("read for hashing")
            .hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

/// `npm ci` of the lockfile into the cache, once per lockfile; returns its `node_modules`.
fn install(root: &Path) -> PathBuf {
    let lock = root.join("package-lock.json");
    let dir = Path::new(CACHE_DIR).join(format!(
        "install-{}",
        hash_of(&[root.join("package.json"), lock.clone()])
    ));
    let modules = dir.join("node_modules");
    if modules.join(".package-lock.json").is_file() {
        return modules;
    }
    std::fs::create_dir_all(&dir).expect("cache dir");
    std::fs::copy(root.join("package.json"), dir.join("package.json")).expect("copy");
    std::fs::copy(&lock, dir.join("package-lock.json")).expect("copy");
    run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir),
        "npm ci for tests/nextjs",
    );
    modules
}

/// A copy of `app` with Next's build in it, made once per app contents and lockfile.
fn build(app: &Path, modules: &Path) -> PathBuf {
    let mut files = Vec::new();
    collect_files(app, &mut files);
    files.sort();
    files.push(modules.join(".package-lock.json"));
    let name = app.file_name().unwrap().to_string_lossy().into_owned();
    // Inside the install, so Next finds `node_modules` and the lockfile by walking up (its
    // bundler refuses a `node_modules` linked from outside the project).
    let install = modules.parent().expect("the install dir");
    let dir = install.join(format!("build-{name}-{}", hash_of(&files)));
    if dir.join(".next/BUILD_ID").is_file() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(app, &dir);
    run(
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

fn run(command: &mut Command, what: &str) {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `next start` on a free loopback port, stopped on drop.
struct NextServer {
    child: Child,
    addr: SocketAddr,
}

impl NextServer {
    fn start(dir: &Path, modules: &Path) -> NextServer {
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
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
