//! 12.x and 13.x: permessage-deflate round trips, each way, with and without context
//! takeover, compressed messages fragmented, and the rules RSV1 follows.

use bext_net::ws::{Config, Deflate, Event, Session};
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};

use crate::client::*;

/// The client's side: a raw deflate stream per direction, as a browser keeps them.
struct Peer {
    compress: Compress,
    decompress: Decompress,
    no_context_takeover: bool,
}

impl Peer {
    fn new(no_context_takeover: bool) -> Peer {
        Peer {
            compress: Compress::new(Compression::default(), false),
            decompress: Decompress::new(false),
            no_context_takeover,
        }
    }

    /// A message compressed, sync-flushed, its `00 00 ff ff` stripped (RFC 7692 §7.2.1).
    fn deflate(&mut self, message: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(message.len() + 64);
        self.compress
            .compress_vec(message, &mut out, FlushCompress::Sync)
            .unwrap();
        assert!(out.len() < out.capacity());
        assert!(out.ends_with(&[0, 0, 0xff, 0xff]));
        out.truncate(out.len() - 4);
        if self.no_context_takeover {
            self.compress.reset();
        }
        out
    }

    fn inflate(&mut self, payload: &[u8]) -> Vec<u8> {
        let mut input = payload.to_vec();
        input.extend_from_slice(&[0, 0, 0xff, 0xff]);
        let mut out = Vec::with_capacity(1 << 20);
        self.decompress
            .decompress_vec(&input, &mut out, FlushDecompress::Sync)
            .unwrap();
        out
    }
}

fn negotiated(
    server_no_context_takeover: bool,
    client_no_context_takeover: bool,
    bits: Option<u8>,
) -> Deflate {
    Deflate {
        server_no_context_takeover,
        client_no_context_takeover,
        server_max_window_bits: bits,
    }
}

/// Messages both ways: each client message compressed (and some fragmented) in, each read
/// back as the same event; each server message out compressed, and inflated by the peer.
fn round_trip(deflate: Deflate, messages: &[Vec<u8>]) {
    let mut peer = Peer::new(deflate.client_no_context_takeover);
    let mut session = Session::new(Config::default(), Some(deflate));
    let mut server_peer = Peer::new(false);
    let mut expected = Vec::new();
    let mut input = Vec::new();
    for (i, message) in messages.iter().enumerate() {
        let compressed = peer.deflate(message);
        let text = std::str::from_utf8(message).is_ok();
        let opcode = if text { TEXT } else { BINARY };
        if i % 3 == 2 && compressed.len() > 2 {
            // Fragmented: RSV1 on the first frame only (RFC 7692 §6.1).
            let (a, b) = compressed.split_at(compressed.len() / 2);
            input.extend(frame(RSV1 | opcode, a));
            input.extend(frame(FIN, b));
        } else {
            input.extend(frame(FIN | RSV1 | opcode, &compressed));
        }
        expected.push(if text {
            Event::Text(String::from_utf8(message.clone()).unwrap())
        } else {
            Event::Binary(message.clone().into())
        });
        if text {
            session
                .send_text(std::str::from_utf8(message).unwrap())
                .unwrap();
        } else {
            session.send_binary(message).unwrap();
        }
    }
    for chunk in input.chunks(7) {
        session.feed(chunk);
    }
    let events: Vec<Event> = std::iter::from_fn(|| session.poll_event()).collect();
    assert_eq!(events, expected, "{deflate:?}");
    // The server's frames, inflated by a peer that keeps its context unless told not to.
    let mut inflate = |payload: &[u8]| {
        let out = server_peer.inflate(payload);
        if deflate.server_no_context_takeover {
            server_peer.decompress.reset(false);
        }
        out
    };
    let lines = render_output(&session.take_output(), Some(&mut inflate));
    assert_eq!(lines.len(), messages.len());
    for (line, message) in lines.iter().zip(messages) {
        assert!(line.ends_with("(deflated)"), "{line}");
        match std::str::from_utf8(message) {
            Ok(text) if text.len() <= 40 => assert!(line.contains(&format!("{text:?}")), "{line}"),
            _ => assert!(line.contains(&format!("{} bytes", message.len())), "{line}"),
        }
    }
}

fn corpus() -> Vec<Vec<u8>> {
    let json = br#"{"topic":"t","data":{"id":1,"name":"alpha","tags":["a","b","c"]}}"#;
    let mut messages = vec![
        b"".to_vec(),
        b"Hello, world!".to_vec(),
        json.to_vec(),
        json.to_vec(),
    ];
    messages.push("κόσμε ".repeat(500).into_bytes());
    messages.push((0..20000u32).map(|i| (i * 7919 % 251) as u8).collect());
    messages.push(vec![b'a'; 100_000]);
    messages.push(json.to_vec());
    messages
}

/// 12.x (context takeover both ways) and 13.x (the parameters a client may offer).
#[test]
fn round_trips_12_13() {
    for deflate in [
        negotiated(false, false, None),
        negotiated(true, false, None),
        negotiated(false, true, None),
        negotiated(true, true, None),
        negotiated(false, false, Some(9)),
        negotiated(true, true, Some(15)),
    ] {
        round_trip(deflate, &corpus());
    }
}

#[test]
fn deflate_rules() {
    let deflate = Some(negotiated(false, false, None));
    let render = |input: &[u8]| run(Config::default(), deflate, input, Feed::AtOnce);
    let mut peer = Peer::new(false);
    let hello = peer.deflate(b"Hello");
    // RSV1 on a continuation, or on a control frame, is a protocol error.
    let input = script(&[
        frame(RSV1 | TEXT, &hello[..2]),
        frame(FIN | RSV1, &hello[2..]),
    ]);
    assert_eq!(render(&input), "failed 1002\n> close 1002\nclosed");
    assert_eq!(
        render(&frame(FIN | RSV1 | PING, b"")),
        "failed 1002\n> close 1002\nclosed"
    );
    // Uncompressed messages still pass, RSV1 being per message.
    assert_eq!(render(&text("plain")), "text \"plain\"");
    // A compressed text that inflates to bad UTF-8, and bytes that do not inflate.
    let bad = Peer::new(false).deflate(&hex("cebae1bdb9cf83cebcceb5eda080656469746564"));
    assert_eq!(
        render(&frame(FIN | RSV1 | TEXT, &bad)),
        "failed 1007\n> close 1007\nclosed"
    );
    assert_eq!(
        render(&frame(FIN | RSV1 | BINARY, &[0xff; 16])),
        "failed 1007\n> close 1007\nclosed"
    );
}

/// A few hundred compressed bytes that inflate past the message limit fail with 1009, and
/// the session never holds much more than the limit.
#[test]
fn inflating_past_the_limit() {
    let config = Config {
        message_bytes_max: 64 * 1024,
        ..Config::default()
    };
    let bomb = Peer::new(false).deflate(&vec![0u8; 10 << 20]);
    assert!(bomb.len() < 16 * 1024, "{} bytes", bomb.len());
    let deflate = Some(negotiated(false, false, None));
    let input = frame(FIN | RSV1 | BINARY, &bomb);
    assert_eq!(
        run(config, deflate, &input, Feed::AtOnce),
        "failed 1009\n> close 1009\nclosed"
    );
    assert_eq!(
        run(config, deflate, &input, Feed::Chunks(1)),
        "failed 1009\n> close 1009\nclosed"
    );
    let fits = Peer::new(false).deflate(&vec![0u8; 64 * 1024]);
    assert_eq!(
        run(
            config,
            deflate,
            &frame(FIN | RSV1 | BINARY, &fits),
            Feed::Chunks(3)
        ),
        "binary 65536 bytes"
    );
}
