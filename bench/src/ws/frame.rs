//! WebSocket frames (RFC 6455 section 5) from and to bytes: tungstenite's header codec
//! (`FrameHeader::parse`, `FrameHeader::format`) with the payload handled here, in place, so a
//! frame is never copied into a library type of its own.
//!
//! Clients mask what they send and servers do not, as the RFC requires. The round-trip
//! generator encodes its message once per connection and sends those bytes every time, so
//! all of its frames carry the same mask: the mask exists to stop a client's script from
//! choosing the bytes on the wire (cache poisoning of intermediaries), which a benchmark has
//! no script to fear from, and the proxies under test pass frames through without looking.

use std::io::Cursor;

use tungstenite::protocol::frame::FrameHeader;
use tungstenite::protocol::frame::coding::{Control, Data, OpCode};

/// Largest payload accepted in one frame; the scenario's messages are far smaller.
pub const PAYLOAD_BYTES_MAX: usize = 1024 * 1024;

/// What a frame's header says, and where its payload lies in the bytes it was parsed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub kind: Kind,
    /// The message's last frame.
    pub fin: bool,
    pub mask: Option<[u8; 4]>,
    /// Bytes of the header (the payload starts there).
    pub header_bytes: usize,
    pub payload_bytes: usize,
}

impl Header {
    /// Bytes of the whole frame.
    pub fn frame_bytes(&self) -> usize {
        self.header_bytes + self.payload_bytes
    }
}

/// The opcodes the scenario's peers tell apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    Binary,
    Continuation,
    Ping,
    Pong,
    Close,
}

impl Kind {
    fn opcode(self) -> OpCode {
        match self {
            Kind::Text => OpCode::Data(Data::Text),
            Kind::Binary => OpCode::Data(Data::Binary),
            Kind::Continuation => OpCode::Data(Data::Continue),
            Kind::Ping => OpCode::Control(Control::Ping),
            Kind::Pong => OpCode::Control(Control::Pong),
            Kind::Close => OpCode::Control(Control::Close),
        }
    }

    fn from_opcode(opcode: OpCode) -> Option<Kind> {
        match opcode {
            OpCode::Data(Data::Text) => Some(Kind::Text),
            OpCode::Data(Data::Binary) => Some(Kind::Binary),
            OpCode::Data(Data::Continue) => Some(Kind::Continuation),
            OpCode::Control(Control::Ping) => Some(Kind::Ping),
            OpCode::Control(Control::Pong) => Some(Kind::Pong),
            OpCode::Control(Control::Close) => Some(Kind::Close),
            OpCode::Data(Data::Reserved(_)) | OpCode::Control(Control::Reserved(_)) => None,
        }
    }
}

/// The header of the frame `bytes` start with. `Ok(None)`: the header is not all there yet
/// (the payload may not be either even when it is: compare `frame_bytes` with what you hold).
pub fn parse(bytes: &[u8]) -> Result<Option<Header>, String> {
    let mut cursor = Cursor::new(bytes);
    let parsed = FrameHeader::parse(&mut cursor).map_err(|error| format!("bad frame: {error}"))?;
    let Some((header, length)) = parsed else {
        return Ok(None);
    };
    let kind = Kind::from_opcode(header.opcode)
        .ok_or_else(|| format!("reserved opcode {}", header.opcode))?;
    if header.rsv1 || header.rsv2 || header.rsv3 {
        return Err("reserved bits set (no extension was negotiated)".to_string());
    }
    let payload_bytes = usize::try_from(length)
        .ok()
        .filter(|&bytes| bytes <= PAYLOAD_BYTES_MAX)
        .ok_or_else(|| format!("a {length}-byte frame, above {PAYLOAD_BYTES_MAX}"))?;
    Ok(Some(Header {
        kind,
        fin: header.is_final,
        mask: header.mask,
        header_bytes: usize::try_from(cursor.position()).unwrap_or(usize::MAX),
        payload_bytes,
    }))
}

/// Appends one final frame of `kind` carrying `payload` to `out`, masked with `mask` when
/// given (a client's frames).
pub fn encode(kind: Kind, payload: &[u8], mask: Option<[u8; 4]>, out: &mut Vec<u8>) {
    let header = FrameHeader {
        is_final: true,
        rsv1: false,
        rsv2: false,
        rsv3: false,
        opcode: kind.opcode(),
        mask,
    };
    // Writing into a Vec cannot fail.
    let _ = header.format(payload.len() as u64, out);
    let start = out.len();
    out.extend_from_slice(payload);
    if let Some(mask) = mask {
        apply_mask(&mut out[start..], mask);
    }
}

/// Masks or unmasks `payload` in place (the same XOR both ways).
pub fn apply_mask(payload: &mut [u8], mask: [u8; 4]) {
    for (index, byte) in payload.iter_mut().enumerate() {
        *byte ^= mask[index % 4];
    }
}

/// A client's mask. The RFC wants it unpredictable; std's per-process random hash keys are
/// (the only randomness std offers).
pub fn new_mask() -> [u8; 4] {
    use std::hash::{BuildHasher, RandomState};
    let bits = RandomState::new().hash_one(0u64).to_le_bytes();
    [bits[0], bits[1], bits[2], bits[3]]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8], expect: &str) {
        let got = match parse(bytes) {
            Ok(Some(h)) => format!(
                "{:?} fin={} mask={:?} header={} payload={}",
                h.kind, h.fin, h.mask, h.header_bytes, h.payload_bytes
            ),
            Ok(None) => "partial".to_string(),
            Err(error) => format!("error: {error}"),
        };
        assert_eq!(got, expect, "bytes: {bytes:02x?}");
    }

    #[test]
    fn parses_headers() {
        // RFC 6455 section 5.7's examples.
        check(
            b"\x81\x05Hello",
            "Text fin=true mask=None header=2 payload=5",
        );
        check(
            b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58",
            "Text fin=true mask=Some([55, 250, 33, 61]) header=6 payload=5",
        );
        check(
            b"\x01\x03Hel",
            "Text fin=false mask=None header=2 payload=3",
        );
        check(
            b"\x80\x02lo",
            "Continuation fin=true mask=None header=2 payload=2",
        );
        check(
            b"\x89\x05Hello",
            "Ping fin=true mask=None header=2 payload=5",
        );
        check(
            b"\x82\x7e\x01\x00",
            "Binary fin=true mask=None header=4 payload=256",
        );
        check(
            b"\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00",
            "Binary fin=true mask=None header=10 payload=65536",
        );
        check(b"\x88\x00", "Close fin=true mask=None header=2 payload=0");
        // Not all there yet.
        check(b"", "partial");
        check(b"\x82", "partial");
        check(b"\x82\x7e\x01", "partial");
        check(b"\x82\x85\x37", "partial");
        check(
            b"\x82\x7f\x00\x00\x00\x00\x01\x00\x00\x01",
            "error: a 16777217-byte frame, above 1048576",
        );
        check(
            b"\xc2\x00",
            "error: reserved bits set (no extension was negotiated)",
        );
        check(
            b"\x83\x00",
            "error: bad frame: WebSocket protocol error: Encountered invalid opcode: 3",
        );
    }

    #[test]
    fn encodes_what_it_parses() {
        let mut out = Vec::new();
        encode(
            Kind::Text,
            b"Hello",
            Some([0x37, 0xfa, 0x21, 0x3d]),
            &mut out,
        );
        assert_eq!(out, b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58");
        for (length, header_bytes) in [(0, 2), (125, 2), (126, 4), (65_535, 4), (65_536, 10)] {
            let payload = vec![7u8; length];
            for mask in [None, Some(new_mask())] {
                let mut out = Vec::new();
                encode(Kind::Binary, &payload, mask, &mut out);
                let header = parse(&out).ok().flatten();
                let mask_bytes = if mask.is_some() { 4 } else { 0 };
                assert_eq!(
                    header,
                    Some(Header {
                        kind: Kind::Binary,
                        fin: true,
                        mask,
                        header_bytes: header_bytes + mask_bytes,
                        payload_bytes: length,
                    })
                );
                let mut body = out[header_bytes + mask_bytes..].to_vec();
                if let Some(mask) = mask {
                    apply_mask(&mut body, mask);
                }
                assert_eq!(body, payload, "{length} bytes, mask {mask:?}");
            }
        }
    }
}
