//! `bext-ceiling`: the fastest one io_uring core can answer HTTP/1.1, used as the upper bound
//! bext's lean path is measured against.
//!
//! ```text
//! bext-ceiling --listen 127.0.0.1:8080 --body-bytes 13 [--cpu 0]
//! ```
//!
//! It accepts connections on a monoio io_uring runtime pinned to one CPU and, for every read
//! that returns data, writes one precomputed `200 OK` response with a body of N bytes. It does
//! no parsing, routing, header generation, file access or timekeeping at all: what is left is
//! the cost of the syscalls, the TCP stack and the runtime. A real server cannot beat it on the
//! same core; the distance from it is the cost of being a real server. It is only correct for
//! clients that send one request per write and wait for the answer (wrk without pipelining),
//! which is all it is for.

#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use lexopt::prelude::*;
use monoio::io::{AsyncReadRent, AsyncWriteRentExt};
use monoio::net::{TcpListener, TcpStream};

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
    uring_setup: UringSetup,
}

/// How the io_uring instance is set up. `defer` (the default) is the ring bext's shards get;
/// the others exist to measure what the kernel's task-work flags are worth on this machine.
#[derive(Clone, Copy)]
enum UringSetup {
    Plain,
    /// IORING_SETUP_COOP_TASKRUN: completions do not interrupt the task with an IPI.
    Coop,
    /// IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN: completions are processed only when the
    /// runtime waits for them (Linux 6.1+).
    Defer,
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("bext-ceiling: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Err(error) = monoio::utils::bind_to_cpu_set(Some(args.cpu)) {
        eprintln!("bext-ceiling: cannot pin to CPU {}: {error}", args.cpu);
        return ExitCode::FAILURE;
    }
    // Built once and leaked: every connection writes the same bytes for the whole run.
    let response: &'static [u8] = Box::leak(canned_response(args.body_bytes).into_boxed_slice());
    let mut ring = io_uring::IoUring::builder();
    match args.uring_setup {
        UringSetup::Plain => {}
        UringSetup::Coop => {
            ring.setup_coop_taskrun();
        }
        UringSetup::Defer => {
            ring.setup_single_issuer().setup_defer_taskrun();
        }
    }
    let runtime = monoio::RuntimeBuilder::<monoio::IoUringDriver>::new()
        .uring_builder(ring)
        .enable_timer()
        .build();
    let mut runtime = match runtime {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("bext-ceiling: cannot start an io_uring runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(args.listen, response)) {
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
    let mut uring_setup = UringSetup::Defer;
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
                    "plain" => UringSetup::Plain,
                    "coop" => UringSetup::Coop,
                    "defer" => UringSetup::Defer,
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

async fn serve(listen: SocketAddr, response: &'static [u8]) -> std::io::Result<()> {
    let listener = TcpListener::bind(listen)?;
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => {
                monoio::spawn(answer_every_read(stream, response));
            }
            Err(error) => {
                eprintln!("bext-ceiling: accept: {error}");
                monoio::time::sleep(Duration::from_millis(ACCEPT_ERROR_PAUSE_MS)).await;
            }
        }
    }
}

async fn answer_every_read(mut stream: TcpStream, response: &'static [u8]) {
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
        let (written, _) = stream.write_all(response).await;
        if written.is_err() {
            return;
        }
    }
}
