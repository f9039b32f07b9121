//! Before a hub is measured: it must refuse a publish without the token (401), and deliver a
//! publish with it (202) to a subscriber as an SSE `data:` line. Blocking std sockets, the
//! same stream reader and publish request as `bext-rtload`'s.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use bext_bench::sse::SSE_PATH;
use bext_bench::sse::publish::{self, Replies};
use bext_bench::sse::stream::SseReader;

use crate::child::ServerProcess;
use crate::error::Error;
use crate::limits::{PROBE_IO_TIMEOUT_MS, READY_DEADLINE_MS, READY_POLL_INTERVAL_MS};

/// The probe's topic: not the one measured, so no run ever sees its event.
const PROBE_TOPIC: &str = "bench-probe";
/// The probe event's data: a number, as the generator's are, so the probe checks the very
/// parse the generator relies on.
const PROBE_DATA_NS: u64 = 4_242;

/// Polls `server` every ~1 ms until the probe passes; fails if it exits or the deadline passes.
pub fn wait_ready(server: &mut ServerProcess, token: &str) -> Result<(), Error> {
    let addr = SocketAddr::from(([127, 0, 0, 1], server.port()));
    let deadline = server.spawned_at() + Duration::from_millis(READY_DEADLINE_MS);
    loop {
        let last_problem = match probe(addr, token) {
            Ok(()) => return Ok(()),
            Err(problem) => problem,
        };
        if let Some(status) = server.exited() {
            return Err(server.died_error(status, "starting up"));
        }
        if Instant::now() >= deadline {
            return Err(Error::run(format!(
                "{} did not deliver a published event on port {} within {READY_DEADLINE_MS} ms \
                 (last attempt: {last_problem}); last lines of its log:\n{}",
                server.name(),
                server.port(),
                server.log_tail()
            )));
        }
        thread::sleep(Duration::from_millis(READY_POLL_INTERVAL_MS));
    }
}

/// One subscriber, a refused publish and an accepted one, the event read back.
fn probe(addr: SocketAddr, token: &str) -> Result<(), String> {
    let timeout = Some(Duration::from_millis(PROBE_IO_TIMEOUT_MS));
    let connect = || -> Result<TcpStream, String> {
        let stream = TcpStream::connect(addr).map_err(|error| format!("connect: {error}"))?;
        stream
            .set_read_timeout(timeout)
            .and_then(|()| stream.set_write_timeout(timeout))
            .map_err(|error| format!("socket timeouts: {error}"))?;
        Ok(stream)
    };
    let mut subscriber = connect()?;
    let request = format!("GET {SSE_PATH}?topics={PROBE_TOPIC} HTTP/1.1\r\nhost: {addr}\r\n\r\n");
    subscriber
        .write_all(request.as_bytes())
        .map_err(|error| format!("subscribing: {error}"))?;
    let mut reader = SseReader::default();
    let mut seen = Vec::new();
    read_until(&mut subscriber, &mut reader, &mut seen, |fed, _| {
        fed.streaming
    })?;
    if publish_status(connect()?, addr, "not-the-token")? != 401 {
        return Err("a publish with the wrong bearer token was not refused with 401".to_string());
    }
    let status = publish_status(connect()?, addr, token)?;
    if status != 202 {
        return Err(format!(
            "a publish with the token answered {status}, not 202"
        ));
    }
    read_until(&mut subscriber, &mut reader, &mut seen, |_, seen| {
        seen.contains(&PROBE_DATA_NS)
    })
}

/// Reads the subscriber's stream until `done` says so.
fn read_until(
    stream: &mut TcpStream,
    reader: &mut SseReader,
    seen: &mut Vec<u64>,
    done: impl Fn(bext_bench::sse::stream::Fed, &[u64]) -> bool,
) -> Result<(), String> {
    let mut buffer = [0u8; 4096];
    loop {
        let bytes = stream
            .read(&mut buffer)
            .map_err(|error| format!("reading the stream: {error}"))?;
        if bytes == 0 {
            return Err("the stream closed".to_string());
        }
        let fed = reader.feed(&buffer[..bytes], &mut |data| {
            seen.extend(publish::send_ns(data));
        })?;
        if done(fed, seen) {
            return Ok(());
        }
    }
}

/// The status of one publish of the probe event with `token`.
fn publish_status(mut stream: TcpStream, addr: SocketAddr, token: &str) -> Result<u16, String> {
    let mut request = Vec::new();
    publish::write_request(
        &mut request,
        &addr.to_string(),
        token,
        PROBE_TOPIC,
        PROBE_DATA_NS,
    );
    stream
        .write_all(&request)
        .map_err(|error| format!("publishing: {error}"))?;
    let mut replies = Replies::default();
    let mut buffer = [0u8; 4096];
    while replies.accepted + replies.refused == 0 {
        let bytes = stream
            .read(&mut buffer)
            .map_err(|error| format!("reading the publish's answer: {error}"))?;
        if bytes == 0 {
            return Err("the publish's connection closed without an answer".to_string());
        }
        replies.feed(&buffer[..bytes])?;
    }
    match replies.first_refusal {
        None => Ok(202),
        Some(refusal) => refusal
            .split(':')
            .next()
            .and_then(|status| status.parse().ok())
            .ok_or_else(|| format!("an answer without a status: {refusal}")),
    }
}
