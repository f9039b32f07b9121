//! Static files against the real binary over real sockets: index files and directory
//! redirects, MIME types, validators and conditional requests, ranges, precompressed
//! variants, path safety, symlinks, revalidation of changed and deleted files, large files
//! that stream, per-site headers, cache-control rules and error pages, and site selection by
//! `Host`.
//!
//! One server (from one config with four sites) is shared by every test of this file. Most
//! cases are rows of [`check`]: a request and what its response must hold. Tests that change
//! files on disk each own their files, so they can run alongside the tables.

mod common;

use std::process::Command;
use std::sync::Arc;

use common::*;

const APP_JS: &str = "console.log('the identity body, longer than either sibling');\n";
const APP_JS_BR: &str = "BROTLI-BODY";
const APP_JS_GZ: &str = "GZIP-BODY";
const TEN: &str = "0123456789";
const NOT_FOUND_PAGE: &str = "<h1>custom not found page</h1>";
/// Over the 1 MiB `file_cache_entry_bytes_max` of the config, so it streams.
const BIG_BYTES: usize = 3 * 1024 * 1024;
/// Cached (under 1 MiB) but over the 16 KiB past which a cached body is sent with a gathered
/// write instead of being copied behind the head.
const MEDIUM_BYTES: usize = 300 * 1024 + 7;

const CONFIG: &str = r#"
[server]
shards = 1
file_cache_revalidate_ms = 50
file_cache_entry_bytes_max = 1048576

[[site]]
hosts = ["localhost", "127.0.0.1"]
root = "main"
headers = { "x-site" = "main", "x-frame-options" = "DENY" }

# First match wins: /assets/a.css takes the immutable rule, not the *.css one.
[[site.cache_control]]
match = "/assets/**"
value = "public, max-age=31536000, immutable"

[[site.cache_control]]
match = "*.css"
value = "public, max-age=3600"

[[site.cache_control]]
match = "*.txt"
value = "no-cache"

[site.error_pages]
404 = "404.html"

[[site]]
hosts = ["exact.test"]
root = "b"
dotfiles = true
headers = { "x-site" = "b" }

[[site]]
hosts = ["*.wild.test"]
root = "c"
headers = { "x-site" = "c" }
error_pages = { 404 = "errors/404.html" }

[[site]]
default = true
root = "d"
headers = { "x-site" = "d" }
"#;

struct Fixture {
    dir: TempDir,
    bext: Bext,
}

static SERVER: Shared<Fixture> = Shared::new();

fn server() -> Arc<Fixture> {
    SERVER.get(|| {
        let dir = TempDir::new("static-files");
        dir.write("main/index.html", "<h1>main index</h1>");
        dir.write("main/dir/index.html", "dir index");
        dir.write("main/style.css", "body { color: red }");
        dir.write("main/app.js", APP_JS);
        dir.write("main/app.js.br", APP_JS_BR);
        dir.write("main/app.js.gz", APP_JS_GZ);
        dir.write("main/data.json", "{\"a\":1}");
        dir.write(
            "main/logo.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        );
        dir.write("main/pixel.png", b"\x89PNG\r\n\x1a\n not really a png");
        dir.write("main/blob.qqzzx", "unknown extension");
        dir.write("main/LICENSE", "no extension");
        dir.write("main/ten.txt", TEN);
        dir.write("main/.env", "SECRET=main");
        dir.write("main/.well-known/x", "well known");
        dir.write("main/404.html", NOT_FOUND_PAGE);
        dir.write("main/assets/a.css", "a {}");
        dir.write("main/big.bin", big_body());
        dir.write("main/medium.bin", &big_body()[..MEDIUM_BYTES]);
        dir.write("b/index.html", "site b");
        dir.write("b/.env", "SECRET=b");
        dir.write("c/index.html", "site c");
        dir.write("c/errors/404.html", "c: not found, version 1");
        dir.write("d/index.html", "site d");
        let main = dir.path().join("main");
        std::os::unix::fs::symlink("ten.txt", main.join("link-inside")).expect("symlink");
        std::os::unix::fs::symlink("/etc/hostname", main.join("link-outside")).expect("symlink");
        std::os::unix::fs::symlink("/etc", main.join("dir-outside")).expect("symlink");
        std::os::unix::fs::symlink("../../etc/hostname", main.join("dir/climb")).expect("symlink");
        let config = dir.write("bext.config.toml", CONFIG);
        let bext = Bext::serve_config(&config, &["--access-log", "off"]);
        Fixture { dir, bext }
    })
}

/// Bytes that do not repeat with any short period, so a chunk sent twice or out of order
/// cannot go unnoticed.
fn big_body() -> Vec<u8> {
    let mut state: u32 = 0x9e37_79b9;
    (0..BIG_BYTES)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The table runner.

/// A request to send on a fresh connection.
#[derive(Clone)]
struct Req {
    method: &'static str,
    path: String,
    host: Option<String>,
    headers: Vec<(String, String)>,
    http_1_0: bool,
}

fn get(path: &str) -> Req {
    Req {
        method: "GET",
        path: path.to_string(),
        host: Some("localhost".into()),
        headers: Vec::new(),
        http_1_0: false,
    }
}

impl Req {
    fn method(mut self, method: &'static str) -> Req {
        self.method = method;
        self
    }
    fn host(mut self, host: &str) -> Req {
        self.host = Some(host.to_string());
        self
    }
    /// HTTP/1.0 without a `Host` header.
    fn no_host_1_0(mut self) -> Req {
        self.host = None;
        self.http_1_0 = true;
        self
    }
    fn h(mut self, name: &str, value: impl Into<String>) -> Req {
        self.headers.push((name.to_string(), value.into()));
        self
    }
    fn raw(&self) -> String {
        let mut raw = format!(
            "{} {} HTTP/1.{}\r\n",
            self.method,
            self.path,
            if self.http_1_0 { 0 } else { 1 }
        );
        if let Some(host) = &self.host {
            raw.push_str(&format!("Host: {host}\r\n"));
        }
        for (name, value) in &self.headers {
            raw.push_str(&format!("{name}: {value}\r\n"));
        }
        raw.push_str("\r\n");
        raw
    }
}

/// One expectation on a response header.
enum Want {
    Is(&'static str, String),
    Has(&'static str),
    Absent(&'static str),
}

fn is(name: &'static str, value: impl Into<String>) -> Want {
    Want::Is(name, value.into())
}

enum Body {
    Exact(Vec<u8>),
    Contains(&'static str),
    Empty,
    Any,
}

fn exact(body: impl AsRef<[u8]>) -> Body {
    Body::Exact(body.as_ref().to_vec())
}

struct Case {
    req: Req,
    status: u16,
    wants: Vec<Want>,
    body: Body,
}

fn case(req: Req, status: u16, wants: Vec<Want>, body: Body) -> Case {
    Case {
        req,
        status,
        wants,
        body,
    }
}

/// Sends every case on its own connection and reports every mismatch at once.
fn check(bext: &Bext, cases: Vec<Case>) {
    let mut failures = Vec::new();
    for case in &cases {
        let raw = case.req.raw();
        let response = request(bext.addr, &raw);
        let mut problems = Vec::new();
        if response.status != case.status {
            problems.push(format!("status {} (want {})", response.status, case.status));
        }
        for want in &case.wants {
            match want {
                Want::Is(name, value) => {
                    if response.header(name) != Some(value.as_str()) {
                        problems.push(format!(
                            "{name}: {:?} (want {value:?})",
                            response.header(name)
                        ));
                    }
                }
                Want::Has(name) => {
                    if response.header(name).is_none() {
                        problems.push(format!("{name} missing"));
                    }
                }
                Want::Absent(name) => {
                    if let Some(value) = response.header(name) {
                        problems.push(format!("{name}: {value:?} (want none)"));
                    }
                }
            }
        }
        match &case.body {
            Body::Exact(body) if &response.body != body => {
                problems.push(format!(
                    "body {:?} (want {:?})",
                    response.text(),
                    String::from_utf8_lossy(body)
                ));
            }
            Body::Contains(needle) if !response.text().contains(needle) => {
                problems.push(format!(
                    "body {:?} (want it to contain {needle:?})",
                    response.text()
                ));
            }
            Body::Empty if !response.body.is_empty() => {
                problems.push(format!("body {:?} (want empty)", response.text()))
            }
            _ => {}
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{raw:?}\n    {}\n    headers: {:?}",
                problems.join("\n    "),
                response.headers
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// Tables.

#[test]
fn index_files_and_directory_redirects() {
    let f = server();
    check(
        &f.bext,
        vec![
            case(
                get("/"),
                200,
                vec![is("content-type", "text/html; charset=utf-8")],
                exact("<h1>main index</h1>"),
            ),
            case(get("/dir/"), 200, vec![], exact("dir index")),
            case(get("/d%69r/"), 200, vec![], exact("dir index")),
            case(
                get("/dir"),
                301,
                vec![is("location", "/dir/"), is("content-length", "0")],
                Body::Empty,
            ),
            case(
                get("/dir?x=1&y"),
                301,
                vec![is("location", "/dir/?x=1&y")],
                Body::Empty,
            ),
            // Never `//dir/`, which a browser reads as another host.
            case(
                get("//dir"),
                301,
                vec![is("location", "/dir/")],
                Body::Empty,
            ),
            case(
                get("/index.html/"),
                404,
                vec![],
                Body::Contains(NOT_FOUND_PAGE),
            ),
            case(get("/?q=1"), 200, vec![], exact("<h1>main index</h1>")),
            case(
                get("/").method("DELETE"),
                405,
                vec![is("allow", "GET, HEAD")],
                Body::Empty,
            ),
        ],
    );
}

#[test]
fn mime_types() {
    let f = server();
    let type_of = |path: &str, content_type: &str| {
        case(
            get(path),
            200,
            vec![is("content-type", content_type)],
            Body::Any,
        )
    };
    check(
        &f.bext,
        vec![
            type_of("/index.html", "text/html; charset=utf-8"),
            type_of("/style.css", "text/css; charset=utf-8"),
            type_of("/app.js", "text/javascript; charset=utf-8"),
            type_of("/data.json", "application/json; charset=utf-8"),
            type_of("/logo.svg", "image/svg+xml; charset=utf-8"),
            type_of("/pixel.png", "image/png"),
            type_of("/ten.txt", "text/plain; charset=utf-8"),
            type_of("/blob.qqzzx", "application/octet-stream"),
            type_of("/LICENSE", "application/octet-stream"),
        ],
    );
}

#[test]
fn validators_and_conditional_requests() {
    let f = server();
    let first = f.bext.get("/ten.txt");
    assert_eq!(first.status, 200);
    let etag = first.header("etag").expect("an etag").to_string();
    let last_modified = first
        .header("last-modified")
        .expect("a last-modified")
        .to_string();
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "a strong tag: {etag}"
    );
    assert_eq!(first.header("accept-ranges"), Some("bytes"));
    let weak = format!("W/{etag}");
    let inm = |value: &str| get("/ten.txt").h("If-None-Match", value);
    let ims = |value: &str| get("/ten.txt").h("If-Modified-Since", value);
    let not_modified = || {
        vec![
            is("etag", &etag),
            is("last-modified", &last_modified),
            Want::Absent("content-length"),
        ]
    };
    check(
        &f.bext,
        vec![
            case(inm(&etag), 304, not_modified(), Body::Empty),
            case(inm("*"), 304, not_modified(), Body::Empty),
            case(
                inm(&format!("\"nope\", {etag}")),
                304,
                not_modified(),
                Body::Empty,
            ),
            case(inm(&weak), 304, not_modified(), Body::Empty),
            case(inm("\"nope\""), 200, vec![is("etag", &etag)], exact(TEN)),
            case(ims(&last_modified), 304, not_modified(), Body::Empty),
            case(
                ims("Sun, 06 Nov 2050 08:49:37 GMT"),
                304,
                not_modified(),
                Body::Empty,
            ),
            case(
                ims("Mon, 01 Jan 2001 00:00:00 GMT"),
                200,
                vec![],
                exact(TEN),
            ),
            case(ims("not a date"), 200, vec![], exact(TEN)),
            // If-None-Match decides alone when present (RFC 9110 §13.1.3).
            case(
                inm("\"nope\"").h("If-Modified-Since", &last_modified),
                200,
                vec![],
                exact(TEN),
            ),
            case(
                get("/ten.txt").method("HEAD").h("If-None-Match", &etag),
                304,
                not_modified(),
                Body::Empty,
            ),
        ],
    );
}

#[test]
fn ranges() {
    let f = server();
    let etag = f
        .bext
        .get("/ten.txt")
        .header("etag")
        .expect("an etag")
        .to_string();
    let range = |value: &str| get("/ten.txt").h("Range", value);
    check(
        &f.bext,
        vec![
            case(
                range("bytes=0-4"),
                206,
                vec![
                    is("content-range", "bytes 0-4/10"),
                    is("content-length", "5"),
                ],
                exact("01234"),
            ),
            case(
                range("bytes=-3"),
                206,
                vec![is("content-range", "bytes 7-9/10")],
                exact("789"),
            ),
            case(
                range("bytes=5-"),
                206,
                vec![is("content-range", "bytes 5-9/10")],
                exact("56789"),
            ),
            case(
                range("bytes=8-100"),
                206,
                vec![is("content-range", "bytes 8-9/10")],
                exact("89"),
            ),
            case(
                range("bytes=10-"),
                416,
                vec![is("content-range", "bytes */10")],
                Body::Empty,
            ),
            case(
                range("bytes=20-30"),
                416,
                vec![is("content-range", "bytes */10")],
                Body::Empty,
            ),
            case(
                range("bytes=0-4").h("If-Range", &etag),
                206,
                vec![is("content-range", "bytes 0-4/10")],
                exact("01234"),
            ),
            case(
                range("bytes=0-4").h("If-Range", "\"stale\""),
                200,
                vec![Want::Absent("content-range")],
                exact(TEN),
            ),
            // If-Range compares strongly: a weak tag never matches.
            case(
                range("bytes=0-4").h("If-Range", format!("W/{etag}")),
                200,
                vec![],
                exact(TEN),
            ),
            case(
                get("/ten.txt").method("HEAD").h("Range", "bytes=0-4"),
                206,
                vec![is("content-length", "5")],
                Body::Empty,
            ),
        ],
    );
}

#[test]
fn precompressed_siblings_follow_accept_encoding() {
    let f = server();
    let js = |accept: Option<&str>| match accept {
        Some(value) => get("/app.js").h("Accept-Encoding", value),
        None => get("/app.js"),
    };
    let common = |encoding: Option<&str>| {
        let mut wants = vec![
            is("vary", "accept-encoding"),
            is("content-type", "text/javascript; charset=utf-8"),
        ];
        wants.push(match encoding {
            Some(encoding) => is("content-encoding", encoding),
            None => Want::Absent("content-encoding"),
        });
        wants
    };
    check(
        &f.bext,
        vec![
            case(js(Some("br")), 200, common(Some("br")), exact(APP_JS_BR)),
            case(
                js(Some("gzip")),
                200,
                common(Some("gzip")),
                exact(APP_JS_GZ),
            ),
            case(
                js(Some("gzip, deflate, br")),
                200,
                common(Some("br")),
                exact(APP_JS_BR),
            ),
            case(
                js(Some("br;q=0.5, gzip")),
                200,
                common(Some("gzip")),
                exact(APP_JS_GZ),
            ),
            case(js(Some("deflate")), 200, common(None), exact(APP_JS)),
            case(js(None), 200, common(None), exact(APP_JS)),
            case(
                js(Some("br")).method("HEAD"),
                200,
                common(Some("br")),
                Body::Empty,
            ),
        ],
    );
    // Each variant has its own tag, and a conditional request is judged against the variant
    // sent.
    let br = request(f.bext.addr, &js(Some("br")).raw());
    let identity = request(f.bext.addr, &js(None).raw());
    let br_tag = br.header("etag").expect("etag").to_string();
    assert_ne!(Some(br_tag.as_str()), identity.header("etag"));
    check(
        &f.bext,
        vec![
            case(
                js(Some("br")).h("If-None-Match", &br_tag),
                304,
                vec![is("vary", "accept-encoding")],
                Body::Empty,
            ),
            case(
                js(None).h("If-None-Match", &br_tag),
                200,
                vec![],
                exact(APP_JS),
            ),
            case(
                js(Some("br")).h("Range", "bytes=0-1"),
                206,
                vec![is(
                    "content-range",
                    format!("bytes 0-1/{}", APP_JS_BR.len()),
                )],
                exact("BR"),
            ),
        ],
    );
}

#[test]
fn path_safety_and_dotfiles() {
    let f = server();
    check(
        &f.bext,
        vec![
            case(get("/../etc/passwd"), 400, vec![], Body::Any),
            case(get("/%2e%2e/"), 400, vec![], Body::Any),
            case(get("/%2e%2e/etc/passwd"), 400, vec![], Body::Any),
            case(get("/dir/%2E%2E/%2E%2E/etc/passwd"), 400, vec![], Body::Any),
            case(get("/ten.txt%00.html"), 400, vec![], Body::Any),
            case(get("/a%5c..%5cb"), 400, vec![], Body::Any),
            // Hidden, with the site's own 404 page, so a scanner cannot tell it exists.
            case(get("/.env"), 404, vec![], Body::Contains(NOT_FOUND_PAGE)),
            case(get("/%2eenv"), 404, vec![], Body::Contains(NOT_FOUND_PAGE)),
            case(get("/.well-known/x"), 200, vec![], exact("well known")),
            case(
                get("/.env").host("exact.test"),
                200,
                vec![is("x-site", "b")],
                exact("SECRET=b"),
            ),
            // Symlinks: followed while they stay beneath the root, refused when they leave it.
            case(get("/link-inside"), 200, vec![], exact(TEN)),
            case(get("/link-outside"), 403, vec![], Body::Any),
            case(get("/dir-outside/hostname"), 403, vec![], Body::Any),
            case(get("/dir/climb"), 403, vec![], Body::Any),
        ],
    );
}

#[test]
fn site_headers_cache_control_and_error_pages() {
    let f = server();
    check(
        &f.bext,
        vec![
            case(
                get("/"),
                200,
                vec![
                    is("x-site", "main"),
                    is("x-frame-options", "DENY"),
                    Want::Absent("cache-control"),
                ],
                Body::Any,
            ),
            case(
                get("/style.css"),
                200,
                vec![
                    is("cache-control", "public, max-age=3600"),
                    is("x-site", "main"),
                ],
                Body::Any,
            ),
            case(
                get("/assets/a.css"),
                200,
                vec![is("cache-control", "public, max-age=31536000, immutable")],
                Body::Any,
            ),
            case(
                get("/ten.txt"),
                200,
                vec![is("cache-control", "no-cache")],
                Body::Any,
            ),
            case(
                get("/no-such-file"),
                404,
                vec![is("content-type", "text/html; charset=utf-8")],
                exact(NOT_FOUND_PAGE),
            ),
            case(
                get("/no-such-dir/x.txt"),
                404,
                vec![],
                exact(NOT_FOUND_PAGE),
            ),
            // A site without error pages answers the plain 404.
            case(
                get("/no-such-file").host("exact.test"),
                404,
                vec![],
                Body::Any,
            ),
            case(
                get("/big.bin"),
                200,
                vec![
                    is("x-site", "main"),
                    Want::Has("etag"),
                    Want::Has("last-modified"),
                ],
                Body::Any,
            ),
        ],
    );
    // The error page is answered with its own status on a connection that stays open.
    let mut client = Client::connect(f.bext.addr);
    for _ in 0..2 {
        client.send(b"GET /missing HTTP/1.1\r\nHost: localhost\r\n\r\n");
        let response = client.read_response(false).expect("a response");
        assert_eq!(
            (response.status, response.text().as_str()),
            (404, NOT_FOUND_PAGE)
        );
    }
    client.send(b"GET /ten.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert_eq!(client.read_response(false).expect("a response").text(), TEN);
}

#[test]
fn sites_are_selected_by_host() {
    let f = server();
    let site =
        |req: Req, name: &str, body: &str| case(req, 200, vec![is("x-site", name)], exact(body));
    check(
        &f.bext,
        vec![
            site(get("/").host("localhost"), "main", "<h1>main index</h1>"),
            site(get("/").host("127.0.0.1"), "main", "<h1>main index</h1>"),
            site(
                get("/").host("localhost:8080"),
                "main",
                "<h1>main index</h1>",
            ),
            site(get("/").host("exact.test"), "b", "site b"),
            site(get("/").host("EXACT.Test:1234"), "b", "site b"),
            site(get("/").host("exact.test."), "b", "site b"),
            site(get("/").host("a.wild.test"), "c", "site c"),
            site(get("/").host("a.b.wild.test:99"), "c", "site c"),
            // A wildcard needs a label in place of its `*`.
            site(get("/").host("wild.test"), "d", "site d"),
            site(get("/").host("unknown.example"), "d", "site d"),
            site(get("/").no_host_1_0(), "d", "site d"),
        ],
    );
}

#[test]
fn head_has_the_get_headers_and_no_body() {
    let f = server();
    let mut client = Client::connect(f.bext.addr);
    client.send(b"HEAD /ten.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let head = client.read_response(true).expect("a response");
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("10"));
    assert!(head.header("etag").is_some());
    // Had a body followed the HEAD answer, it would be read as the next response.
    client.send(b"GET /dir/ HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let next = client.read_response(false).expect("a response");
    assert_eq!((next.status, next.text().as_str()), (200, "dir index"));
    // The same for a streamed file.
    client.send(b"HEAD /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let head = client.read_response(true).expect("a response");
    assert_eq!(
        head.header("content-length"),
        Some(BIG_BYTES.to_string().as_str())
    );
    client.send(b"GET /dir/ HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert_eq!(
        client.read_response(false).expect("a response").text(),
        "dir index"
    );
}

// ---------------------------------------------------------------------------------------
// A cached body large enough to go out with a gathered write (head + body in one writev).

#[test]
fn a_medium_cached_file_is_sent_whole_and_in_part_and_pipelined() {
    let f = server();
    let medium = &big_body()[..MEDIUM_BYTES];
    let mut stream = f.bext.connect();
    // Twice: the first answer reads the file into the cache, the second is a cache hit.
    for round in 0..2 {
        send(
            &mut stream,
            b"GET /medium.bin HTTP/1.1\r\nHost: localhost\r\n\r\n",
        );
        let whole = read_response(&mut stream, false).expect("a response");
        assert_eq!(whole.status, 200, "round {round}");
        assert!(
            whole.body == medium,
            "round {round}: the body differs from the file"
        );
    }
    let (start, end) = (20_001, 250_000);
    send(
        &mut stream,
        format!(
            "GET /medium.bin HTTP/1.1\r\nHost: localhost\r\nRange: bytes={start}-{end}\r\n\r\n"
        )
        .as_bytes(),
    );
    let part = read_response(&mut stream, false).expect("a response");
    assert_eq!(part.status, 206);
    assert!(
        part.body == medium[start..=end],
        "the range differs from the file"
    );
    // Pipelined behind a small answer: the small one's bytes must come first, then the body.
    let mut client = Client::connect(f.bext.addr);
    client.send(b"GET /ten.txt HTTP/1.1\r\nHost: localhost\r\n\r\nGET /medium.bin HTTP/1.1\r\nHost: localhost\r\n\r\nGET /ten.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert_eq!(client.read_response(false).expect("first").text(), TEN);
    assert!(
        client.read_response(false).expect("second").body == medium,
        "the pipelined body differs"
    );
    assert_eq!(client.read_response(false).expect("third").text(), TEN);
}

// Files larger than a cache entry stream from disk.

#[test]
fn a_large_file_streams_byte_for_byte() {
    let f = server();
    let big = big_body();
    let whole = f.bext.get("/big.bin");
    assert_eq!(whole.status, 200);
    assert_eq!(
        whole.header("content-length"),
        Some(BIG_BYTES.to_string().as_str())
    );
    assert!(whole.body == big, "the streamed body differs from the file");
    let (start, end) = (1_000_003, 2_100_000);
    let mut stream = f.bext.connect();
    send(
        &mut stream,
        format!("GET /big.bin HTTP/1.1\r\nHost: localhost\r\nRange: bytes={start}-{end}\r\n\r\n")
            .as_bytes(),
    );
    let part = read_response(&mut stream, false).expect("a response");
    assert_eq!(part.status, 206);
    assert_eq!(
        part.header("content-range"),
        Some(format!("bytes {start}-{end}/{BIG_BYTES}").as_str())
    );
    assert!(
        part.body == big[start..=end],
        "the streamed range differs from the file"
    );
    // The connection stays usable after a streamed body.
    send(
        &mut stream,
        b"GET /ten.txt HTTP/1.1\r\nHost: localhost\r\n\r\n",
    );
    assert_eq!(
        read_response(&mut stream, false)
            .expect("a response")
            .text(),
        TEN
    );
    // Validators apply to streamed files too.
    let etag = whole.header("etag").expect("etag");
    let conditional = request(f.bext.addr, &get("/big.bin").h("If-None-Match", etag).raw());
    assert_eq!((conditional.status, conditional.body.len()), (304, 0));
    let unsatisfiable = request(
        f.bext.addr,
        &get("/big.bin")
            .h("Range", format!("bytes={BIG_BYTES}-"))
            .raw(),
    );
    assert_eq!(unsatisfiable.status, 416);
    assert_eq!(
        unsatisfiable.header("content-range"),
        Some(format!("bytes */{BIG_BYTES}").as_str())
    );
}

#[test]
fn curl_downloads_the_large_file_whole_and_in_part() {
    let f = server();
    let big = big_body();
    let url = format!("http://{}/big.bin", f.bext.addr);
    let out = f.dir.path().join("curl-whole.bin");
    let status = Command::new("curl")
        .args(["-sS", "--fail", "-o"])
        .arg(&out)
        .arg(&url)
        .status()
        .expect("curl");
    assert!(status.success());
    assert!(
        std::fs::read(&out).expect("curl output") == big,
        "curl's copy differs from the file"
    );
    let part = Command::new("curl")
        .args(["-sS", "--fail", "-r", "2000000-2999999"])
        .arg(&url)
        .output()
        .expect("curl");
    assert!(
        part.status.success(),
        "{}",
        String::from_utf8_lossy(&part.stderr)
    );
    assert!(
        part.stdout == big[2_000_000..3_000_000],
        "curl's range differs from the file"
    );
}

// ---------------------------------------------------------------------------------------
// Files changed on disk (the config revalidates every 50 ms).

#[test]
fn a_changed_file_is_served_fresh_after_revalidation() {
    let f = server();
    f.dir.write("main/mutable.txt", "version-1");
    assert_eq!(f.bext.get("/mutable.txt").text(), "version-1");
    // The same length, so only the mtime tells the versions apart.
    f.dir.write("main/mutable.txt", "version-2");
    eventually("the new contents are served", || {
        (f.bext.get("/mutable.txt").text() == "version-2").then_some(())
    });
    // And the new version's validators come with it.
    let fresh = f.bext.get("/mutable.txt");
    let again = request(
        f.bext.addr,
        &get("/mutable.txt")
            .h("If-None-Match", fresh.header("etag").expect("etag"))
            .raw(),
    );
    assert_eq!(again.status, 304);
}

#[test]
fn a_deleted_file_is_404_after_revalidation() {
    let f = server();
    let path = f.dir.write("main/doomed.txt", "here for now");
    assert_eq!(f.bext.get("/doomed.txt").status, 200);
    std::fs::remove_file(path).expect("remove");
    let gone = eventually("the deleted file is 404", || {
        Some(f.bext.get("/doomed.txt")).filter(|r| r.status == 404)
    });
    assert_eq!(gone.text(), NOT_FOUND_PAGE);
}

#[test]
fn a_changed_error_page_is_served_fresh_after_revalidation() {
    let f = server();
    let missing = || request(f.bext.addr, &get("/missing").host("x.wild.test").raw());
    assert_eq!(missing().text(), "c: not found, version 1");
    f.dir.write("c/errors/404.html", "c: not found, version 2");
    let fresh = eventually("the new error page is served", || {
        Some(missing()).filter(|r| r.text() == "c: not found, version 2")
    });
    assert_eq!(fresh.status, 404);
}

#[test]
fn changed_added_and_deleted_precompressed_siblings_are_noticed() {
    let f = server();
    let identity = "console.log('a library, longer than its siblings');";
    f.dir.write("main/lib.js", identity);
    f.dir.write("main/lib.js.br", "LIB-BR-1");
    let fetch = |accept: &str| {
        request(
            f.bext.addr,
            &get("/lib.js").h("Accept-Encoding", accept).raw(),
        )
        .text()
    };
    assert_eq!(fetch("br"), "LIB-BR-1");
    assert_eq!(fetch("gzip"), identity);
    // Only the sibling changes (a build step that recompresses): the identity file is as it was.
    f.dir.write("main/lib.js.br", "LIB-BR-2");
    eventually("the changed .br sibling is served", || {
        (fetch("br") == "LIB-BR-2").then_some(())
    });
    f.dir.write("main/lib.js.gz", "LIB-GZ");
    assert_eq!(fetch("br, gzip"), "LIB-BR-2");
    eventually("the new .gz sibling is served", || {
        (fetch("gzip") == "LIB-GZ").then_some(())
    });
    std::fs::remove_file(f.dir.path().join("main/lib.js.br")).expect("remove");
    eventually("the deleted .br sibling is no longer served", || {
        (fetch("br, gzip") == "LIB-GZ").then_some(())
    });
}

#[test]
fn a_file_created_after_a_404_is_served_at_once() {
    let f = server();
    assert_eq!(f.bext.get("/late.txt").status, 404);
    f.dir.write("main/late.txt", "arrived");
    let late = f.bext.get("/late.txt");
    assert_eq!((late.status, late.text().as_str()), (200, "arrived"));
}
