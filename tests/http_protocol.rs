//! HTTP/1.1 connection handling against the real binary over real sockets: keep-alive,
//! pipelining, HEAD, HTTP/1.0, `Connection: close`, absolute-form targets, `Expect:
//! 100-continue`, and request bodies that must be skipped rather than parsed as requests.
//!
//! Every case is a script of steps on one connection ([`Step`]), run by [`check`]. A case that
//! does not end with the server closing must leave the connection usable: `check` sends one
//! more GET on it, which also proves that any request body was skipped to its last byte.

mod common;

use std::process::Command;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use bext_core::limits::{FILE_CACHE_ENTRY_BYTES_MAX, PIPELINE_DEPTH_MAX};
use common::*;

/// Each file's body is its own name, so responses to pipelined requests can be told apart.
const FILES: [(&str, &str); 5] = [
    ("a.txt", "alpha"),
    ("b.txt", "bravo"),
    ("c.txt", "charlie"),
    ("d.txt", "delta"),
    ("e.txt", "echo"),
];
/// Too large for the file cache, so it is streamed from disk in chunks after its head.
const BIG_FILE_BYTES: usize = 2 * FILE_CACHE_ENTRY_BYTES_MAX + 12_345;
/// A pause between writes long enough that the server reads what came before on its own.
const PAUSE: Duration = Duration::from_millis(50);

struct Fixture {
    _dir: TempDir,
    bext: Bext,
}

static SERVER: Shared<Fixture> = Shared::new();

fn server() -> Arc<Fixture> {
    SERVER.get(|| {
        let dir = TempDir::new("http-protocol");
        for (name, body) in FILES {
            dir.write(&format!("site/{name}"), body);
        }
        dir.write("site/big.bin", big_file());
        // Timeouts well above anything a case waits, so a loaded machine cannot fail a case.
        let config = dir.write(
            "bext.config.toml",
            "[server]\nshards = 1\nheader_read_timeout_ms = 5000\nkeepalive_idle_timeout_ms = 10000\n\
             body_idle_timeout_ms = 5000\nwrite_stall_timeout_ms = 5000\n\n[[site]]\nroot = \"site\"\n",
        );
        let bext = Bext::serve_config(&config, &[]);
        Fixture { _dir: dir, bext }
    })
}

#[test]
fn keep_alive_and_pipelining() {
    run(&[
        Case {
            name: "keep-alive: three requests, one at a time, on one connection",
            steps: vec![
                send(get("/a.txt")),
                expect(ok("alpha").without("connection")),
                send(get("/b.txt")),
                expect(ok("bravo")),
                send(get("/c.txt")),
                expect(ok("charlie")),
            ],
        },
        Case {
            name: "pipelining: five requests in one write, five responses in order",
            steps: vec![
                send(
                    ["/a.txt", "/b.txt", "/c.txt", "/d.txt", "/e.txt"]
                        .map(get)
                        .concat(),
                ),
                expect(ok("alpha")),
                expect(ok("bravo")),
                expect(ok("charlie")),
                expect(ok("delta")),
                expect(ok("echo")),
            ],
        },
        Case {
            name: "pipelining mixed: GET, HEAD, POST with a body, 404, GET",
            steps: vec![
                send(
                    [
                        get("/a.txt"),
                        request("HEAD /b.txt HTTP/1.1", &[]),
                        request("POST /c.txt HTTP/1.1", &["Content-Length: 5"]),
                        b"hello".to_vec(),
                        get("/missing.txt"),
                        get("/e.txt"),
                    ]
                    .concat(),
                ),
                expect(ok("alpha")),
                expect(Want::status(200).head_only().header("content-length", "5")),
                expect(Want::status(405).header("allow", "GET, HEAD")),
                expect(Want::status(404)),
                expect(ok("echo")),
            ],
        },
        Case {
            name: "pipelining deeper than pipeline_depth_max: every request answered, in order",
            steps: [send(
                FILES
                    .map(|(name, _)| get(&format!("/{name}")))
                    .concat()
                    .repeat(PIPELINE_DEPTH_MAX / FILES.len() + 2),
            )]
            .into_iter()
            .chain(
                (0..PIPELINE_DEPTH_MAX / FILES.len() + 2)
                    .flat_map(|_| FILES.map(|(_, body)| expect(ok(body)))),
            )
            .collect(),
        },
        Case {
            name: "pipelining: a streamed file between two cached ones",
            steps: vec![
                send([get("/a.txt"), get("/big.bin"), get("/b.txt")].concat()),
                expect(ok("alpha")),
                expect(Want::status(200).big_body()),
                expect(ok("bravo")),
            ],
        },
        Case {
            name: "keep-alive: a head split over several writes",
            steps: vec![
                send(b"GET /a.t".to_vec()),
                pause(),
                send(b"xt HTTP/1.1\r\nHost: local".to_vec()),
                pause(),
                send(b"host\r\n\r".to_vec()),
                pause(),
                send(b"\n".to_vec()),
                expect(ok("alpha")),
            ],
        },
        Case {
            name: "pipelining: the requests after a `Connection: close` one are not answered",
            steps: vec![
                send(
                    [
                        request("GET /a.txt HTTP/1.1", &["Connection: close"]),
                        get("/b.txt"),
                    ]
                    .concat(),
                ),
                expect(ok("alpha").header("connection", "close")),
                Step::Closed,
            ],
        },
    ]);
}

#[test]
fn connection_management() {
    run(&[
        Case {
            name: "HTTP/1.0 without keep-alive: closed after the response",
            steps: vec![
                send(b"GET /a.txt HTTP/1.0\r\n\r\n".to_vec()),
                expect(ok("alpha").header("connection", "close")),
                Step::Closed,
            ],
        },
        Case {
            name: "HTTP/1.0 with Connection: keep-alive: stays open and says so",
            steps: vec![
                send(b"GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n".to_vec()),
                expect(ok("alpha").header("connection", "keep-alive")),
                send(b"GET /b.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n".to_vec()),
                expect(ok("bravo").header("connection", "keep-alive")),
            ],
        },
        Case {
            // An error answered by a handler is an answer like any other: it says `keep-alive`
            // to an HTTP/1.0 client that asked, and the connection stays (nginx does the same).
            name: "HTTP/1.0 keep-alive answered with an error page: kept alive",
            steps: vec![
                send(b"GET /missing.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n".to_vec()),
                expect(Want::status(404).header("connection", "keep-alive")),
                send(b"GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n".to_vec()),
                expect(ok("alpha").header("connection", "keep-alive")),
            ],
        },
        Case {
            name: "HTTP/1.1 Connection: close: closed after the response",
            steps: vec![
                send(request("GET /a.txt HTTP/1.1", &["Connection: close"])),
                expect(ok("alpha").header("connection", "close")),
                Step::Closed,
            ],
        },
        Case {
            name: "HTTP/1.1 Connection: close on a streamed file: closed after the whole body",
            steps: vec![
                send(request("GET /big.bin HTTP/1.1", &["Connection: close"])),
                expect(Want::status(200).big_body().header("connection", "close")),
                Step::Closed,
            ],
        },
        Case {
            name: "HTTP/1.0 keep-alive on a streamed file",
            steps: vec![
                send(b"GET /big.bin HTTP/1.0\r\nConnection: keep-alive\r\n\r\n".to_vec()),
                expect(
                    Want::status(200)
                        .big_body()
                        .header("connection", "keep-alive"),
                ),
            ],
        },
        Case {
            name: "HTTP/1.1 Connection: close among other tokens",
            steps: vec![
                send(request("GET /a.txt HTTP/1.1", &["Connection: te, Close"])),
                expect(ok("alpha").header("connection", "close")),
                Step::Closed,
            ],
        },
    ]);
}

#[test]
fn request_forms() {
    run(&[
        Case {
            name: "absolute-form target",
            steps: vec![
                send(request("GET http://localhost/a.txt HTTP/1.1", &[])),
                expect(ok("alpha")),
            ],
        },
        Case {
            name: "absolute-form target with a port and a query",
            steps: vec![
                send(request("GET http://localhost:8080/b.txt?x=1 HTTP/1.1", &[])),
                expect(ok("bravo")),
            ],
        },
        Case {
            name: "HEAD: the GET's headers with content-length, and no body (the next response parses)",
            steps: vec![
                send(request("HEAD /c.txt HTTP/1.1", &[])),
                expect(
                    Want::status(200)
                        .head_only()
                        .header("content-length", "7")
                        .header("content-type", "text/plain; charset=utf-8"),
                ),
                send(get("/d.txt")),
                expect(ok("delta")),
            ],
        },
        Case {
            name: "HEAD of a streamed file: its length, and none of its bytes",
            steps: vec![
                send(request("HEAD /big.bin HTTP/1.1", &[])),
                expect(
                    Want::status(200)
                        .head_only()
                        .header("content-length", BIG_FILE_LENGTH.as_str()),
                ),
                send(get("/b.txt")),
                expect(ok("bravo")),
            ],
        },
        Case {
            name: "HEAD of a missing file: 404 head, no body",
            steps: vec![
                send(request("HEAD /missing.txt HTTP/1.1", &[])),
                expect(Want::status(404).head_only()),
                send(get("/a.txt")),
                expect(ok("alpha")),
            ],
        },
        Case {
            name: "POST to a static file: 405 with allow",
            steps: vec![
                send(request("POST /a.txt HTTP/1.1", &["Content-Length: 0"])),
                expect(Want::status(405).header("allow", "GET, HEAD")),
            ],
        },
        Case {
            name: "DELETE to a static file: 405 with allow",
            steps: vec![
                send(request("DELETE /a.txt HTTP/1.1", &[])),
                expect(Want::status(405).header("allow", "GET, HEAD")),
            ],
        },
        Case {
            name: "empty lines before the request line are ignored",
            steps: vec![
                send([b"\r\n\r\n".to_vec(), get("/a.txt")].concat()),
                expect(ok("alpha")),
            ],
        },
    ]);
}

/// Each body here holds the bytes of a whole request for /b.txt: had the server parsed the
/// body as a request, a `bravo` response would come where the next one is expected.
#[test]
fn request_bodies_are_skipped() {
    let smuggled = "GET /b.txt HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let length = |n: usize| format!("Content-Length: {n}");
    let big: String = smuggled.repeat(200_000 / smuggled.len());
    run(&[
        Case {
            name: "Content-Length body, then another request on the connection",
            steps: vec![
                send([request("POST /a.txt HTTP/1.1", &[&length(smuggled.len())]), smuggled.as_bytes().to_vec()].concat()),
                expect(Want::status(405)),
                send(get("/c.txt")),
                expect(ok("charlie")),
            ],
        },
        Case {
            name: "Content-Length body on a GET, pipelined with the next request",
            steps: vec![
                send([request("GET /a.txt HTTP/1.1", &[&length(smuggled.len())]), smuggled.as_bytes().to_vec(), get("/c.txt")].concat()),
                expect(ok("alpha")),
                expect(ok("charlie")),
            ],
        },
        Case {
            name: "a 200 KB body arriving over many reads",
            steps: vec![
                send([request("POST /a.txt HTTP/1.1", &[&length(big.len())]), big.as_bytes().to_vec(), get("/c.txt")].concat()),
                expect(Want::status(405)),
                expect(ok("charlie")),
            ],
        },
        Case {
            name: "chunked body, then another request on the connection",
            steps: vec![
                send(
                    [
                        request("POST /a.txt HTTP/1.1", &["Transfer-Encoding: chunked"]),
                        format!("{:x}\r\n{smuggled}\r\n0\r\n\r\n", smuggled.len()).into_bytes(),
                    ]
                    .concat(),
                ),
                expect(Want::status(405)),
                send(get("/c.txt")),
                expect(ok("charlie")),
            ],
        },
        Case {
            // Regression: the connection decoded one data run per read, so a second chunk
            // already in the buffer waited for bytes that never came (the body idle timeout).
            name: "chunked body in several chunks with an extension and a trailer, pipelined",
            steps: vec![
                send(
                    [
                        request("GET /a.txt HTTP/1.1", &["Transfer-Encoding: chunked"]),
                        format!("5;name=value\r\n{}\r\n{:x}\r\n{}\r\n0\r\nX-Trailer: t\r\n\r\n", &smuggled[..5], smuggled.len() - 5, &smuggled[5..])
                            .into_bytes(),
                        get("/c.txt"),
                    ]
                    .concat(),
                ),
                expect(ok("alpha")),
                expect(ok("charlie")),
            ],
        },
        Case {
            // Regression: `100 Continue` went out before a request that was refused anyway, so
            // the client uploaded for nothing. The answer is decided first; without a 100 the
            // client may or may not send the body, so the stream cannot be framed any more and
            // the connection closes. (nginx answers the same 405 without a 100 but keeps the
            // connection and reads whatever comes next as the body.)
            name: "Expect: 100-continue on a request refused without its body: no 100, closed",
            steps: vec![
                send(request("POST /a.txt HTTP/1.1", &["Expect: 100-continue", &length(smuggled.len())])),
                expect(Want::status(405).header("connection", "close")),
                Step::Closed,
            ],
        },
        Case {
            name: "Content-Length body in pieces, split across reads",
            steps: vec![
                send(request("GET /a.txt HTTP/1.1", &[&length(smuggled.len())])),
                expect(ok("alpha")),
                send(smuggled.as_bytes()[..10].to_vec()),
                pause(),
                send(smuggled.as_bytes()[10..].to_vec()),
                pause(),
                send(get("/c.txt")),
                expect(ok("charlie")),
            ],
        },
        Case {
            name: "chunked body split inside its size line, data and last chunk",
            steps: vec![
                send([request("GET /a.txt HTTP/1.1", &["Transfer-Encoding: chunked"]), format!("{:x}", smuggled.len()).into_bytes()].concat()),
                expect(ok("alpha")),
                send(format!("\r\n{}", &smuggled[..7]).into_bytes()),
                pause(),
                send(format!("{}\r", &smuggled[7..]).into_bytes()),
                pause(),
                send(b"\n0\r".to_vec()),
                pause(),
                send(b"\n\r\n".to_vec()),
                pause(),
                send(get("/c.txt")),
                expect(ok("charlie")),
            ],
        },
        Case {
            name: "Expect: 100-continue on a GET with a body: answered without it, closed",
            steps: vec![
                send(request("GET /a.txt HTTP/1.1", &["Expect: 100-continue", "Content-Length: 5"])),
                expect(ok("alpha").header("connection", "close")),
                Step::Closed,
            ],
        },
        Case {
            // RFC 9110 §10.1.1: an HTTP/1.0 client cannot understand 100 Continue.
            name: "Expect: 100-continue from HTTP/1.0: ignored, no 100",
            steps: vec![
                send(b"GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello".to_vec()),
                expect(ok("alpha").header("connection", "keep-alive")),
            ],
        },
    ]);
}

/// A real client agrees with the raw-socket view: curl reuses the connection, and its HEAD,
/// HTTP/1.0 and POST requests get what the cases above expect.
#[test]
fn curl_sanity() {
    let fixture = server();
    let base = format!("http://{}", fixture.bext.addr);
    let two = curl(&["-v", &format!("{base}/a.txt"), &format!("{base}/b.txt")]);
    assert_eq!(two.stdout, "alphabravo");
    assert!(
        two.stderr.contains("Re-using existing connection"),
        "curl did not reuse the connection:\n{}",
        two.stderr
    );

    let head = curl(&["-I", &format!("{base}/c.txt")]);
    assert!(
        head.stdout.starts_with("HTTP/1.1 200 OK\r\n"),
        "{}",
        head.stdout
    );
    assert!(
        head.stdout.contains("content-length: 7\r\n"),
        "{}",
        head.stdout
    );

    let old = curl(&["--http1.0", "-w", " %{http_code}", &format!("{base}/d.txt")]);
    assert_eq!(old.stdout, "delta 200");

    let post = curl(&["-d", "x=1", "-i", &format!("{base}/e.txt")]);
    assert!(post.stdout.starts_with("HTTP/1.1 405 "), "{}", post.stdout);
    assert!(
        post.stdout.contains("allow: GET, HEAD\r\n"),
        "{}",
        post.stdout
    );
}

// ---------------------------------------------------------------------------------------------

/// One script on one connection.
struct Case {
    name: &'static str,
    steps: Vec<Step>,
}

enum Step {
    Send(Vec<u8>),
    /// Lets the server read what was sent so far before the next write.
    Pause,
    Expect(Want),
    /// The server closes the connection and sends nothing more.
    Closed,
}

/// What one response must look like.
struct Want {
    status: u16,
    head_only: bool,
    body: Option<Body>,
    /// Header, and the value it must have (`None`: it must be absent).
    headers: Vec<(&'static str, Option<&'static str>)>,
}

impl Want {
    fn status(status: u16) -> Want {
        Want {
            status,
            head_only: false,
            body: None,
            headers: Vec::new(),
        }
    }

    fn head_only(mut self) -> Want {
        self.head_only = true;
        self.body = Some(Body::Text(""));
        self
    }

    fn big_body(mut self) -> Want {
        self.body = Some(Body::BigFile);
        self.headers
            .push(("content-length", Some(BIG_FILE_LENGTH.as_str())));
        self
    }

    fn header(mut self, name: &'static str, value: &'static str) -> Want {
        self.headers.push((name, Some(value)));
        self
    }

    fn without(mut self, name: &'static str) -> Want {
        self.headers.push((name, None));
        self
    }
}

#[derive(Clone, Copy)]
enum Body {
    Text(&'static str),
    /// The bytes of `big.bin`.
    BigFile,
}

/// `BIG_FILE_BYTES` as a content-length value.
static BIG_FILE_LENGTH: LazyLock<String> = LazyLock::new(|| BIG_FILE_BYTES.to_string());

fn ok(body: &'static str) -> Want {
    Want {
        body: Some(Body::Text(body)),
        ..Want::status(200)
    }
}

fn pause() -> Step {
    Step::Pause
}

/// Not all one byte, so a truncated or shifted body cannot compare equal.
fn big_file() -> Vec<u8> {
    (0..BIG_FILE_BYTES).map(|i| (i % 251) as u8).collect()
}

fn send(bytes: Vec<u8>) -> Step {
    Step::Send(bytes)
}

fn expect(want: Want) -> Step {
    Step::Expect(want)
}

/// `GET path HTTP/1.1` with a Host.
fn get(path: &str) -> Vec<u8> {
    request(&format!("GET {path} HTTP/1.1"), &[])
}

/// A request head: `line`, a Host, then `fields`.
fn request(line: &str, fields: &[&str]) -> Vec<u8> {
    let mut head = format!("{line}\r\nHost: localhost\r\n");
    for field in fields {
        head.push_str(field);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// Runs every case on a fresh connection and reports all that failed at once.
fn run(cases: &[Case]) {
    let fixture = server();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            check(&fixture.bext, case)
                .err()
                .map(|e| format!("{}: {e}", case.name))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}\nserver stderr:\n{}",
        failures.len(),
        failures.join("\n"),
        fixture.bext.stderr()
    );
}

fn check(bext: &Bext, case: &Case) -> Result<(), String> {
    let mut client = Client::connect(bext.addr);
    let mut closed = false;
    for (i, step) in case.steps.iter().enumerate() {
        match step {
            Step::Send(bytes) => client.send(bytes),
            Step::Pause => std::thread::sleep(PAUSE),
            Step::Expect(want) => {
                let response = client
                    .read_response(want.head_only)
                    .ok_or(format!("step {i}: no response"))?;
                check_response(&response, want).map_err(|e| format!("step {i}: {e}"))?;
            }
            Step::Closed => {
                match client.rest_until_close() {
                    Some(rest) if rest.is_empty() => {}
                    Some(rest) => {
                        return Err(format!(
                            "step {i}: bytes before the close: {:?}",
                            String::from_utf8_lossy(&rest)
                        ));
                    }
                    None => return Err(format!("step {i}: still open after {DEADLINE:?}")),
                }
                closed = true;
            }
        }
    }
    if !closed {
        // Still open: the connection must carry another request, framed where it should be.
        client.send(&get("/a.txt"));
        let response = client
            .read_response(false)
            .ok_or("the connection did not answer a further request")?;
        check_response(&response, &ok("alpha")).map_err(|e| format!("further request: {e}"))?;
    }
    Ok(())
}

fn check_response(response: &Response, want: &Want) -> Result<(), String> {
    if response.status != want.status {
        return Err(format!(
            "status {} instead of {}: {}",
            response.status,
            want.status,
            response.summary()
        ));
    }
    match want.body {
        Some(Body::Text(body)) if response.body != body.as_bytes() => {
            return Err(format!("body instead of {body:?}: {}", response.summary()));
        }
        Some(Body::BigFile) if response.body != big_file() => {
            return Err(format!(
                "{} bytes that are not big.bin: {}",
                response.body.len(),
                response.summary()
            ));
        }
        _ => {}
    }
    for (name, value) in &want.headers {
        if response.header(name) != *value {
            return Err(format!(
                "header {name} is not {value:?}: {}",
                response.summary()
            ));
        }
    }
    Ok(())
}

struct CurlOutput {
    stdout: String,
    stderr: String,
}

fn curl(args: &[&str]) -> CurlOutput {
    let output = Command::new("curl")
        .args(["-s", "--max-time", "10"])
        .args(args)
        .output()
        .expect("run curl");
    assert!(
        output.status.success(),
        "curl {args:?}: {:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    CurlOutput {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
