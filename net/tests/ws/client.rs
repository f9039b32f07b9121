//! The test's client: masked frames built byte by byte, and the `check` that runs a script
//! through a session and renders what came out as lines.

use bext_net::ws::{Config, Deflate, Event, Session};

/// The mask every client frame here uses (any value will do; a fixed one keeps scripts
/// reproducible).
pub const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

pub const TEXT: u8 = 0x1;
pub const BINARY: u8 = 0x2;
pub const CLOSE: u8 = 0x8;
pub const PING: u8 = 0x9;
pub const PONG: u8 = 0xa;
pub const FIN: u8 = 0x80;
pub const RSV1: u8 = 0x40;
pub const RSV2: u8 = 0x20;
pub const RSV3: u8 = 0x10;

/// A masked frame: `first` is the first byte (FIN, RSV bits and opcode).
pub fn frame(first: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = head(first, payload.len(), true);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK[i % 4]));
    out
}

/// An unmasked frame (which a server must refuse).
pub fn unmasked(first: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = head(first, payload.len(), false);
    out.extend_from_slice(payload);
    out
}

/// A frame head with the shortest length encoding, and the mask key if `masked`.
pub fn head(first: u8, length: usize, masked: bool) -> Vec<u8> {
    let mask_bit = if masked { 0x80 } else { 0 };
    let mut out = vec![first];
    if length < 126 {
        out.push(mask_bit | length as u8);
    } else if length <= 0xffff {
        out.push(mask_bit | 126);
        out.extend_from_slice(&(length as u16).to_be_bytes());
    } else {
        out.push(mask_bit | 127);
        out.extend_from_slice(&(length as u64).to_be_bytes());
    }
    if masked {
        out.extend_from_slice(&MASK);
    }
    out
}

pub fn text(text: &str) -> Vec<u8> {
    frame(FIN | TEXT, text.as_bytes())
}

pub fn text_bytes(bytes: &[u8]) -> Vec<u8> {
    frame(FIN | TEXT, bytes)
}

pub fn binary(bytes: &[u8]) -> Vec<u8> {
    frame(FIN | BINARY, bytes)
}

pub fn ping(payload: &[u8]) -> Vec<u8> {
    frame(FIN | PING, payload)
}

pub fn pong(payload: &[u8]) -> Vec<u8> {
    frame(FIN | PONG, payload)
}

pub fn close(code: u16, reason: &[u8]) -> Vec<u8> {
    let mut payload = code.to_be_bytes().to_vec();
    payload.extend_from_slice(reason);
    frame(FIN | CLOSE, &payload)
}

/// A data message split into fragments: the first with `opcode`, the rest continuations.
pub fn fragments(opcode: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let fin = if i + 1 == parts.len() { FIN } else { 0 };
        let op = if i == 0 { opcode } else { 0 };
        out.extend(frame(fin | op, part));
    }
    out
}

/// Concatenates a script's frames.
pub fn script(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

/// Decodes hex (spaces ignored), for the UTF-8 cases.
pub fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

/// How input reaches the session.
#[derive(Clone, Copy)]
pub enum Feed {
    AtOnce,
    Chunks(usize),
}

/// Runs `input` through a new session fed as `feed` says, polling after every feed, and
/// renders the events, then the server's frames (`> ...`), then `closed` if the session says
/// the connection is done.
pub fn run(config: Config, deflate: Option<Deflate>, input: &[u8], feed: Feed) -> String {
    let mut session = Session::new(config, deflate);
    let mut lines = Vec::new();
    let size = match feed {
        Feed::AtOnce => input.len().max(1),
        Feed::Chunks(size) => size,
    };
    for chunk in input.chunks(size) {
        session.feed(chunk);
        while let Some(event) = session.poll_event() {
            lines.push(render_event(&event));
        }
    }
    lines.extend(render_output(&session.take_output(), None));
    if session.is_closed() {
        lines.push("closed".into());
    }
    lines.join("\n")
}

/// `run` at once and one byte at a time (the two must agree), checked against `expect`.
pub fn check_with(config: Config, id: &str, input: &[u8], expect: &str) {
    let at_once = run(config, None, input, Feed::AtOnce);
    assert_eq!(at_once, expect.trim(), "case {id}, fed at once");
    let bytewise = run(config, None, input, Feed::Chunks(1));
    assert_eq!(bytewise, at_once, "case {id}, fed one byte at a time");
}

pub fn check(id: &str, input: &[u8], expect: &str) {
    check_with(Config::default(), id, input, expect);
}

pub fn render_event(event: &Event) -> String {
    match event {
        Event::Text(text) if text.len() <= 40 => format!("text {text:?}"),
        Event::Text(text) => format!("text {} bytes", text.len()),
        Event::Binary(bytes) => format!("binary {} bytes", bytes.len()),
        Event::Close { code, reason } => format!("close {code} {reason:?}"),
        Event::Failed { code, .. } => format!("failed {code}"),
    }
}

/// Inflates a compressed server message (the test's peer).
pub type Inflate<'a> = &'a mut dyn FnMut(&[u8]) -> Vec<u8>;

/// Renders the server's frames, one line each; `inflate` decompresses RSV1 messages.
pub fn render_output(mut bytes: &[u8], mut inflate: Option<Inflate<'_>>) -> Vec<String> {
    let mut lines = Vec::new();
    while !bytes.is_empty() {
        let first = bytes[0];
        assert_eq!(bytes[1] & 0x80, 0, "a server frame is masked");
        assert_eq!(first & 0x80, FIN, "server frames are whole messages");
        let (length, at) = match bytes[1] & 0x7f {
            126 => (u16::from_be_bytes([bytes[2], bytes[3]]) as usize, 4),
            127 => (
                u64::from_be_bytes(bytes[2..10].try_into().unwrap()) as usize,
                10,
            ),
            n => (n as usize, 2),
        };
        let mut payload = bytes[at..at + length].to_vec();
        bytes = &bytes[at + length..];
        let compressed = first & RSV1 != 0;
        if compressed {
            let inflate = inflate
                .as_mut()
                .expect("a compressed frame without deflate");
            payload = inflate(&payload);
        }
        let z = if compressed { " (deflated)" } else { "" };
        let shown = match std::str::from_utf8(&payload) {
            Ok(text) if text.len() <= 40 => format!("{text:?}"),
            _ => format!("{} bytes", payload.len()),
        };
        lines.push(match first & 0x0f {
            CLOSE if payload.is_empty() => "> close".to_string(),
            CLOSE => {
                let code = u16::from_be_bytes([payload[0], payload[1]]);
                format!("> close {code}")
            }
            PING => format!("> ping {shown}"),
            PONG => format!("> pong {shown}"),
            TEXT => format!("> text {shown}{z}"),
            BINARY => format!("> binary {} bytes{z}", payload.len()),
            op => format!("> opcode {op}"),
        });
    }
    lines
}
