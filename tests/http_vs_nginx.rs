//! Raw HTTP/1.1 cases sent to bext and to nginx side by side, from the outside probes that
//! found bext's HTTP/1.1 findings: for each, what each server answers, and whether bext agrees
//! with nginx or is deliberately stricter (each such case says why). nginx is Debian's
//! (`scripts/test.sh` installs it), run by the test on loopback with a root like bext's.

mod common;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Bext, DEADLINE, TempDir, read_response, send};

/// How a case's answers must relate.
#[derive(Clone, Copy, Debug)]
enum Want {
    /// Both answer this status.
    Same(u16),
    /// bext refuses with this status where nginx serves the request: bext is the stricter.
    Stricter(u16),
}

struct Case {
    name: &'static str,
    request: &'static [u8],
    want: Want,
}

const CASES: &[Case] = &[
    Case {
        name: "a bare LF inside a CRLF head (a field smuggled past a CRLF-only proxy)",
        request: b"GET /a.txt HTTP/1.1\r\nHost: x\r\nX-Foo: a\nContent-Length: 5\r\n\r\n",
        want: Want::Stricter(400),
    },
    Case {
        name: "a bare LF ending the head",
        request: b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\n",
        want: Want::Stricter(400),
    },
    Case {
        name: "a Host whose port is not a number",
        request: b"GET /a.txt HTTP/1.1\r\nHost: x:ab\r\n\r\n",
        want: Want::Stricter(400),
    },
    Case {
        name: "a Host whose port is past 65535",
        request: b"GET /a.txt HTTP/1.1\r\nHost: x:99999\r\n\r\n",
        want: Want::Stricter(400),
    },
    Case {
        name: "a Host with a valid port",
        request: b"GET /a.txt HTTP/1.1\r\nHost: x:8080\r\n\r\n",
        want: Want::Same(200),
    },
    Case {
        name: "HTTP/1.2 is read as HTTP/1.1 (RFC 9110 §2.5)",
        request: b"GET /a.txt HTTP/1.2\r\nHost: x\r\n\r\n",
        want: Want::Same(200),
    },
    Case {
        name: "HTTP/2.0 in an HTTP/1 request line",
        request: b"GET /a.txt HTTP/2.0\r\nHost: x\r\n\r\n",
        want: Want::Same(505),
    },
    Case {
        name: "Expect: 100-continue on a request refused without its body: no 100",
        request:
            b"POST /a.txt HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
        want: Want::Same(405),
    },
    Case {
        name: "HTTP/1.0 keep-alive answered 404",
        request: b"GET /missing HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        want: Want::Same(404),
    },
];

#[test]
fn bext_answers_as_nginx_does_or_stricter_where_it_says_so() {
    let dir = TempDir::new("vs-nginx");
    dir.write("site/a.txt", "alpha\n");
    let bext = Bext::serve_dir(&dir.path().join("site"), &[]);
    let nginx = Nginx::start(&dir);
    let mut failures = Vec::new();
    for case in CASES {
        let ours = status_of(bext.addr, case.request);
        let theirs = status_of(nginx.addr, case.request);
        let ok = match case.want {
            Want::Same(status) => ours == Some(status) && theirs == Some(status),
            Want::Stricter(status) => ours == Some(status) && theirs == Some(200),
        };
        if !ok {
            failures.push(format!(
                "{}: bext {ours:?}, nginx {theirs:?}, wanted {:?}",
                case.name, case.want
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The status of the first final response (a `100 Continue` would be a failure: neither
/// server sends one here).
fn status_of(addr: SocketAddr, request: &[u8]) -> Option<u16> {
    let mut stream = common::connect(addr);
    send(&mut stream, request);
    read_response(&mut stream, false).map(|r| r.status)
}

/// nginx on loopback serving `dir/site`, stopped on drop.
struct Nginx {
    child: Child,
    addr: SocketAddr,
}

impl Nginx {
    fn start(dir: &TempDir) -> Nginx {
        let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .expect("nginx is installed (scripts/test.sh installs nginx-light)");
        // A free port: bound, read, released, then given to nginx (retried if taken meanwhile).
        let deadline = Instant::now() + DEADLINE;
        loop {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port();
            let prefix = dir.path().join("nginx");
            std::fs::create_dir_all(&prefix).expect("nginx dir");
            let conf = dir.write(
                "nginx/nginx.conf",
                format!(
                    "worker_processes 1;\ndaemon off;\nerror_log {p}/error.log;\npid {p}/nginx.pid;\nevents {{}}\nhttp {{\n  access_log off;\n  client_body_temp_path {p};\n  server {{ listen 127.0.0.1:{port}; root {root}; }}\n}}\n",
                    p = prefix.display(),
                    root = dir.path().join("site").display(),
                ),
            );
            // A group of its own: the master and its worker go together (killing the
            // master alone would leave the worker serving, an orphan, after the test).
            let mut child = Command::new(binary)
                .process_group(0)
                .arg("-c")
                .arg(&conf)
                .arg("-p")
                .arg(&prefix)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("nginx starts");
            let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("address");
            while Instant::now() < deadline {
                if TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok() {
                    return Nginx { child, addr };
                }
                if child.try_wait().ok().flatten().is_some() {
                    break; // The port was taken meanwhile: try another.
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            common::kill_group(&mut child);
            assert!(
                Instant::now() < deadline,
                "nginx did not start within {DEADLINE:?}"
            );
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        common::kill_group(&mut self.child);
    }
}
