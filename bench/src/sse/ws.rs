//! One realtime subscriber over WebSocket (`/__bext/realtime/ws?topics=T`) as its bytes
//! arrive: the `101` answer to the upgrade (checked against the key sent), then the server's
//! frames. Each text message is an event as JSON (`{"data": …, "event": …, "id": …, "topic":
//! …}`); its `data` is handed to the caller as [`super::stream::SseReader`] hands a `data:`
//! line, so the generator counts and times both protocols alike. A close with 1013 (bext's
//! "too slow") is an eviction; any other close ends the stream; pings are skipped (the
//! generator never goes 15 s without an event, and bext does not wait for pongs). A frame
//! split across reads is kept until it is whole; nothing is allocated per event.

use serde::Deserialize;

use super::stream::Fed;
use crate::ws::{frame, handshake};

/// The close code bext sends a subscriber it drops as too slow (RFC 6455's "try again later").
const CLOSE_TRY_AGAIN_LATER: u16 = 1013;

/// The part of an event message the generator reads.
#[derive(Deserialize)]
struct Message<'a> {
    #[serde(borrow)]
    data: &'a str,
}

pub struct WsReader {
    key: String,
    /// Bytes not yet used: the answer head until it is whole, then a partial frame.
    pending: Vec<u8>,
    upgraded: bool,
    evicted: bool,
}

impl WsReader {
    /// A reader for the answer to an upgrade request sent with `key`.
    pub fn new(key: String) -> WsReader {
        WsReader {
            key,
            pending: Vec::new(),
            upgraded: false,
            evicted: false,
        }
    }

    /// Whether the server closed with 1013 (too slow).
    pub fn evicted(&self) -> bool {
        self.evicted
    }

    /// Feeds the next bytes read; `on_data` gets every event's `data`. `streaming` once the
    /// upgrade is answered (bext subscribes before it answers), `ended` at a close frame.
    pub fn feed(&mut self, bytes: &[u8], on_data: &mut impl FnMut(&[u8])) -> Result<Fed, String> {
        let mut held = std::mem::take(&mut self.pending);
        let (used, ended) = if held.is_empty() {
            let (used, ended) = self.consume(bytes, on_data)?;
            held.extend_from_slice(&bytes[used..]);
            (0, ended)
        } else {
            held.extend_from_slice(bytes);
            self.consume(&held, on_data)?
        };
        held.drain(..used);
        self.pending = held;
        Ok(Fed {
            streaming: self.upgraded,
            ended,
        })
    }

    /// Reads the answer head (until it is whole) and every whole frame of `input`: the bytes
    /// used, and whether a close came.
    fn consume(
        &mut self,
        input: &[u8],
        on_data: &mut impl FnMut(&[u8]),
    ) -> Result<(usize, bool), String> {
        let mut used = 0;
        if !self.upgraded {
            match handshake::check_response(input, &self.key)? {
                None => return Ok((0, false)),
                Some(head_bytes) => {
                    self.upgraded = true;
                    used = head_bytes;
                }
            }
        }
        loop {
            let rest = &input[used..];
            let Some(header) = frame::parse(rest)? else {
                return Ok((used, false));
            };
            if rest.len() < header.frame_bytes() {
                return Ok((used, false));
            }
            let payload = &rest[header.header_bytes..header.frame_bytes()];
            if header.mask.is_some() {
                return Err("a masked frame from the server".to_string());
            }
            used += header.frame_bytes();
            match header.kind {
                frame::Kind::Text if header.fin => {
                    let message: Message<'_> = serde_json::from_slice(payload)
                        .map_err(|error| format!("an event that is not JSON: {error}"))?;
                    on_data(message.data.as_bytes());
                }
                frame::Kind::Text | frame::Kind::Binary | frame::Kind::Continuation => {
                    return Err(format!("an unexpected {:?} frame", header.kind));
                }
                frame::Kind::Ping | frame::Kind::Pong => {}
                frame::Kind::Close => {
                    let code = payload
                        .get(..2)
                        .map(|code| u16::from_be_bytes([code[0], code[1]]));
                    self.evicted = code == Some(CLOSE_TRY_AGAIN_LATER);
                    return Ok((used, true));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(key: &str) -> Vec<u8> {
        let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\
             sec-websocket-accept: {accept}\r\n\r\n"
        )
        .into_bytes()
    }

    fn event(data: &str) -> Vec<u8> {
        let json =
            format!(r#"{{"data":"{data}","event":"message","id":"1:bench=1","topic":"bench"}}"#);
        let mut out = Vec::new();
        frame::encode(frame::Kind::Text, json.as_bytes(), None, &mut out);
        out
    }

    /// Feeds `stream` split at `split` and reports what was seen.
    fn check(stream: &[u8], split: usize, expect: &str) {
        let key = "dGhlIHNhbXBsZSBub25jZQ==";
        let mut reader = WsReader::new(key.to_string());
        let mut seen = Vec::new();
        let mut last = Fed::default();
        let mut outcome = String::new();
        for part in [&stream[..split], &stream[split..]] {
            match reader.feed(part, &mut |data| {
                seen.push(String::from_utf8_lossy(data).into_owned())
            }) {
                Ok(fed) => last = fed,
                Err(error) => {
                    outcome = format!(" error: {error}");
                    break;
                }
            }
        }
        let actual = format!(
            "data={seen:?} streaming={} ended={} evicted={}{outcome}",
            last.streaming,
            last.ended,
            reader.evicted()
        );
        assert_eq!(actual, expect, "split at {split}");
    }

    #[test]
    fn reads_events_split_anywhere_and_an_eviction() {
        let key = "dGhlIHNhbXBsZSBub25jZQ==";
        let mut stream = answer(key);
        stream.extend(event("42"));
        let mut ping = Vec::new();
        frame::encode(frame::Kind::Ping, b"", None, &mut ping);
        stream.extend(ping);
        stream.extend(event("43"));
        for split in 0..=stream.len() {
            check(
                &stream,
                split,
                r#"data=["42", "43"] streaming=true ended=false evicted=false"#,
            );
        }
        let mut close = Vec::new();
        frame::encode(frame::Kind::Close, &[0x03, 0xf5], None, &mut close);
        stream.extend(close);
        check(
            &stream,
            10,
            r#"data=["42", "43"] streaming=true ended=true evicted=true"#,
        );
    }

    #[test]
    fn refuses_a_wrong_answer_and_non_json_events() {
        check(
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            5,
            "data=[] streaming=false ended=false evicted=false error: answered 404, not 101 Switching Protocols",
        );
        let key = "dGhlIHNhbXBsZSBub25jZQ==";
        let mut stream = answer(key);
        frame::encode(frame::Kind::Text, b"not json", None, &mut stream);
        let expect = "data=[] streaming=false ended=false evicted=false error: an event that is not JSON: expected ident at line 1 column 2";
        check(&stream, stream.len(), expect);
    }
}
