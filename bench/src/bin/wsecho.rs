//! `bext-wsecho`: the WebSocket echo upstream of the `proxy` scenario, the same process behind
//! bext, behind nginx and measured directly.
//!
//! ```text
//! bext-wsecho --listen 127.0.0.1:9000 [--cpu 1]
//! ```
//!
//! It runs on bext's own runtime (`bext_shards::rt::default_backend`, io_uring) pinned to one
//! CPU, as the ceiling and the HTTP generator do: a task per connection reads the upgrade
//! request, answers `101`, then answers every frame as it arrives (`bext_bench::ws::echo`).
//! Nothing is shared between connections and nothing is allocated per message once a
//! connection's buffers have grown to its messages' size, so the upstream costs the same CPU
//! per round trip whoever is in front of it. An idle connection keeps its read buffer (io_uring
//! owns it while the read waits) and two that grew only as large as its messages: the held
//! tunnels' ten thousand connections fit in a few hundred MiB at most. It raises its own
//! open-file limit to its hard limit, one descriptor per connection.

#![forbid(unsafe_code)]

#[path = "../plain_ring.rs"]
mod plain_ring;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use bext_bench::ws::echo::{self, Flow};
use bext_bench::ws::handshake;
use bext_shards::rt::default_backend::{self as rt, TcpListener, TcpStream};
use bext_shards::sys;
use lexopt::prelude::*;

const USAGE: &str = "usage: bext-wsecho --listen ADDR [--cpu N]";
/// One read: a whole small message, or a part of a large one (frames are answered as they
/// complete, so no message needs to fit).
const READ_BUFFER_BYTES: usize = 16 * 1024;
/// Pause after a failed accept (EMFILE, say) so the loop does not spin.
const ACCEPT_ERROR_PAUSE_MS: u64 = 10;

fn main() -> ExitCode {
    let (listen, cpu) = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("bext-wsecho: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Err(error) = sys::pin_current_thread(cpu) {
        eprintln!("bext-wsecho: cannot pin to CPU {cpu}: {error}");
        return ExitCode::FAILURE;
    }
    if let Err(error) = sys::raise_nofile_limit() {
        eprintln!("bext-wsecho: cannot raise the open-file limit: {error}");
    }
    let served = plain_ring::run(move || async move {
        serve(listen, cpu).await.map_err(|error| error.to_string())
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bext-wsecho: {error}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args() -> Result<(SocketAddr, usize), String> {
    let text = |error: lexopt::Error| error.to_string();
    let mut listen = None;
    let mut cpu = 1;
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next().map_err(text)? {
        match arg {
            Long("listen") => listen = Some(parser.value().map_err(text)?.parse().map_err(text)?),
            Long("cpu") => cpu = parser.value().map_err(text)?.parse().map_err(text)?,
            _ => return Err(text(arg.unexpected())),
        }
    }
    Ok((listen.ok_or("--listen is required")?, cpu))
}

async fn serve(listen: SocketAddr, cpu: usize) -> std::io::Result<()> {
    let mut group = sys::bind_reuseport_group(listen, &[cpu])?;
    let listener = TcpListener::from_std(group.remove(0))?;
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => rt::spawn(async move {
                if let Err(error) = echo_connection(stream).await {
                    eprintln!("bext-wsecho: {error}");
                }
            }),
            Err(error) => {
                eprintln!("bext-wsecho: accept: {error}");
                rt::sleep(Duration::from_millis(ACCEPT_ERROR_PAUSE_MS)).await;
            }
        }
    }
}

/// One connection: the handshake, then every frame echoed until a close or the end.
async fn echo_connection(mut stream: TcpStream) -> Result<(), String> {
    let _ = stream.set_nodelay(true);
    let mut input: Vec<u8> = Vec::new();
    let mut buffer = Vec::with_capacity(READ_BUFFER_BYTES);
    let key = loop {
        if !read_more(&mut stream, &mut buffer, &mut input).await? {
            return Ok(());
        }
        if let Some((head_bytes, key)) = handshake::parse_request(&input)? {
            input.drain(..head_bytes);
            break key;
        }
    };
    let (written, _) = stream.write_all(handshake::accept(&key)).await;
    written.map_err(|error| format!("writing the 101: {error}"))?;
    let mut out = Vec::new();
    loop {
        // Frames that came with the request are answered before the next read.
        out.clear();
        let flow = echo::answer(&mut input, &mut out)?;
        if !out.is_empty() {
            let (written, back) = stream.write_all(out).await;
            out = back;
            if written.is_err() {
                return Ok(());
            }
        }
        if flow == Flow::Closed || !read_more(&mut stream, &mut buffer, &mut input).await? {
            return Ok(());
        }
    }
}

/// Reads once into `buffer` and appends what came to `input`; false at the end of the
/// stream (or a reset: the peer is gone either way).
async fn read_more(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    input: &mut Vec<u8>,
) -> Result<bool, String> {
    let mut owned = std::mem::take(buffer);
    owned.clear();
    let (read, returned) = stream.read(owned).await;
    *buffer = returned;
    match read {
        Ok(0) | Err(_) => Ok(false),
        Ok(bytes) => {
            input.extend_from_slice(&buffer[..bytes]);
            Ok(true)
        }
    }
}
