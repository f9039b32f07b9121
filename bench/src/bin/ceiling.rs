//! `bext-ceiling`: the fastest one io_uring core can answer HTTP/1.1, used as the upper bound
//! bext's lean path is measured against.
//!
//! ```text
//! bext-ceiling --listen 127.0.0.1:8080 --body-bytes 13 [--cpu 0]
//! ```
//!
//! It accepts connections on bext's own runtime (`bext_shards::rt::default_backend`: the
//! executor, the io_uring setup and the `SO_REUSEPORT` listener bext's shards get by default)
//! pinned to one CPU and, for every read that returns data, writes one precomputed `200 OK`
//! response with a body of N bytes. It does no parsing, routing, header generation, file
//! access or timekeeping at all: what is left is the cost of the syscalls, the TCP stack and
//! the runtime. A real server cannot beat it on the same core; the distance from it is the
//! cost of being a real server. It is only correct for clients that send one request per
//! write and wait for the answer (wrk without pipelining), which is all it is for.

#![forbid(unsafe_code)]

use std::cell::RefCell;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Duration;

// The default backend whatever the features select for bext: the ceiling is the same
// instrument in every build of the workspace.
use bext_shards::rt::default_backend::{self as rt, TcpListener, TcpStream};
use bext_shards::rt::{Driver, RingSetup, RuntimeOptions};
use bext_shards::sys;
use lexopt::prelude::*;

const USAGE: &str =
    "usage: bext-ceiling --listen ADDR --body-bytes N [--cpu N] [--uring-setup plain|coop|defer]";
/// A wrk request is ~100 bytes; one read always holds a whole request.
const READ_BUFFER_BYTES: usize = 4096;
/// The largest canned body; the benchmark uses 13 bytes and 4 KiB.
const BODY_BYTES_MAX: usize = 16 * 1024 * 1024;
/// Pause after a failed accept (EMFILE, say) so the loop does not spin.
const ACCEPT_ERROR_PAUSE_MS: u64 = 10;

struct Args {
    listen: SocketAddr,
    body_bytes: usize,
    cpu: usize,
    /// How the io_uring instance is set up. `defer` (the default) is the ring bext's shards
    /// get; `plain` and `coop` exist to measure what the kernel's task-work flags are worth on
    /// this machine.
    uring_setup: RingSetup,
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("bext-ceiling: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Err(error) = sys::pin_current_thread(args.cpu) {
        eprintln!("bext-ceiling: cannot pin to CPU {}: {error}", args.cpu);
        return ExitCode::FAILURE;
    }
    // Built once and leaked: every connection writes the same bytes for the whole run.
    let response: &'static Responses =
        Box::leak(Box::new(Responses::new(canned_response(args.body_bytes))));
    let options = RuntimeOptions {
        ring_setup: args.uring_setup,
        ..RuntimeOptions::default()
    };
    let served = Rc::new(RefCell::new(Ok(())));
    let outcome = served.clone();
    let ran = rt::run(options, move |started| async move {
        // The ceiling measures io_uring: on the epoll fallback its numbers would mean nothing.
        *outcome.borrow_mut() = match started.driver {
            Driver::IoUring => serve(args.listen, args.cpu, response).await,
            Driver::Legacy => Err(std::io::Error::other(
                "cannot start an io_uring runtime: io_uring is unavailable here",
            )),
        };
    });
    match ran.and_then(|()| served.replace(Ok(()))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bext-ceiling: {error}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args() -> Result<Args, String> {
    let mut listen = None;
    let mut body_bytes = None;
    let mut cpu = 0;
    let mut uring_setup = RingSetup::Defer;
    let mut parser = lexopt::Parser::from_env();
    let text = |error: lexopt::Error| error.to_string();
    while let Some(arg) = parser.next().map_err(text)? {
        match arg {
            Long("listen") => {
                listen = Some(
                    parser
                        .value()
                        .map_err(text)?
                        .parse::<SocketAddr>()
                        .map_err(text)?,
                )
            }
            Long("body-bytes") => {
                body_bytes = Some(
                    parser
                        .value()
                        .map_err(text)?
                        .parse::<usize>()
                        .map_err(text)?,
                )
            }
            Long("cpu") => {
                cpu = parser
                    .value()
                    .map_err(text)?
                    .parse::<usize>()
                    .map_err(text)?
            }
            Long("uring-setup") => {
                uring_setup = match parser
                    .value()
                    .map_err(text)?
                    .string()
                    .map_err(text)?
                    .as_str()
                {
                    "plain" => RingSetup::Plain,
                    "coop" => RingSetup::Coop,
                    "defer" => RingSetup::Defer,
                    other => {
                        return Err(format!(
                            "unknown --uring-setup {other:?} (plain, coop or defer)"
                        ));
                    }
                }
            }
            _ => return Err(arg.unexpected().to_string()),
        }
    }
    let listen = listen.ok_or("--listen is required")?;
    let body_bytes = body_bytes.ok_or("--body-bytes is required")?;
    if body_bytes > BODY_BYTES_MAX {
        return Err(format!(
            "--body-bytes {body_bytes} is above the {BODY_BYTES_MAX} maximum"
        ));
    }
    Ok(Args {
        listen,
        body_bytes,
        cpu,
        uring_setup,
    })
}

/// A complete response: status line, the two headers a client needs, and `body_bytes` of 'x'.
fn canned_response(body_bytes: usize) -> Vec<u8> {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {body_bytes}\r\n\r\n"
    );
    let mut response = Vec::with_capacity(head.len() + body_bytes);
    response.extend_from_slice(head.as_bytes());
    response.resize(head.len() + body_bytes, b'x');
    response
}

/// Listens on `listen` with the socket bext's shards use (a one-socket `SO_REUSEPORT` group)
/// and answers every connection.
async fn serve(
    listen: SocketAddr,
    cpu: usize,
    response: &'static Responses,
) -> std::io::Result<()> {
    let mut group = sys::bind_reuseport_group(listen, &[cpu])?;
    let listener = TcpListener::from_std(group.remove(0))?;
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => {
                rt::spawn(answer_every_read(stream, response));
            }
            Err(error) => {
                eprintln!("bext-ceiling: accept: {error}");
                rt::sleep(Duration::from_millis(ACCEPT_ERROR_PAUSE_MS)).await;
            }
        }
    }
}

async fn answer_every_read(mut stream: TcpStream, response: &'static Responses) {
    // Like nginx and bext on keep-alive connections: responses go out without Nagle's delay.
    let _ = stream.set_nodelay(true);
    let mut buffer = Vec::with_capacity(READ_BUFFER_BYTES);
    loop {
        buffer.clear();
        let (read, returned) = stream.read(buffer).await;
        buffer = returned;
        match read {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let (written, answer) = stream.write_all(response.take()).await;
        response.give_back(answer);
        if written.is_err() {
            return;
        }
    }
}

/// Copies of the canned response for writes in flight. A write owns its buffer until it
/// completes, so each connection writing at this moment needs a copy of its own; the copies
/// are kept and reused, so they are made once per concurrent write at most, never per
/// response, and an idle connection holds none. There are never more spares than connections.
struct Responses {
    canned: Vec<u8>,
    spare: RefCell<Vec<Vec<u8>>>,
}

impl Responses {
    fn new(canned: Vec<u8>) -> Responses {
        Responses {
            canned,
            spare: RefCell::new(Vec::new()),
        }
    }

    fn take(&self) -> Vec<u8> {
        self.spare
            .borrow_mut()
            .pop()
            .unwrap_or_else(|| self.canned.clone())
    }

    fn give_back(&self, copy: Vec<u8>) {
        debug_assert_eq!(
            copy.len(),
            self.canned.len(),
            "a write hands its buffer back"
        );
        self.spare.borrow_mut().push(copy);
    }
}
