//! A blocking WebSocket client for the harness: the readiness probe of the echo upstream,
//! the check that a proxy tunnels, and each of the tunnels `proxy` holds open. One std
//! socket and one small buffer each, with the probe's timeouts, so a stalled server is an
//! error rather than a hung harness. The protocol is `bext_bench::ws`'s, as the generator's.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use bext_bench::ws::echo::check_echo;
use bext_bench::ws::frame::{self, Kind};
use bext_bench::ws::handshake;

use crate::http_probe;

/// Bytes per read; an echo of the probes' messages fits in one.
const READ_BUFFER_BYTES: usize = 1024;

pub struct WsClient {
    stream: TcpStream,
    mask: [u8; 4],
}

impl WsClient {
    /// Connects to `addr` and upgrades `path` to a WebSocket.
    pub fn open(addr: SocketAddr, path: &str) -> Result<WsClient, String> {
        let mut stream = http_probe::connect(addr).map_err(|error| format!("connect: {error}"))?;
        let key = handshake::new_key();
        stream
            .write_all(&handshake::request(&addr.to_string(), path, &key))
            .map_err(|error| format!("writing the upgrade request: {error}"))?;
        let mut head = Vec::new();
        let mut buffer = [0u8; READ_BUFFER_BYTES];
        loop {
            let read = stream
                .read(&mut buffer)
                .map_err(|error| format!("reading the upgrade's answer: {error}"))?;
            if read == 0 {
                return Err(format!(
                    "closed before answering the upgrade (read: {:?})",
                    String::from_utf8_lossy(&head)
                ));
            }
            head.extend_from_slice(&buffer[..read]);
            if let Some(head_bytes) = handshake::check_response(&head, &key)? {
                if head.len() > head_bytes {
                    return Err("frames after the 101 that nothing asked for".to_string());
                }
                return Ok(WsClient {
                    stream,
                    mask: frame::new_mask(),
                });
            }
        }
    }

    /// Sends `payload` as one binary message and waits for it to come back unchanged.
    pub fn echo(&mut self, payload: &[u8]) -> Result<(), String> {
        let mut message = Vec::with_capacity(payload.len() + 16);
        frame::encode(Kind::Binary, payload, Some(self.mask), &mut message);
        self.stream
            .write_all(&message)
            .map_err(|error| format!("write: {error}"))?;
        let mut input = Vec::new();
        let mut buffer = [0u8; READ_BUFFER_BYTES];
        loop {
            let read = self
                .stream
                .read(&mut buffer)
                .map_err(|error| format!("waiting for the echo: {error}"))?;
            if read == 0 {
                return Err("closed instead of echoing".to_string());
            }
            input.extend_from_slice(&buffer[..read]);
            if check_echo(&input, payload)?.is_some() {
                return Ok(());
            }
        }
    }
}
