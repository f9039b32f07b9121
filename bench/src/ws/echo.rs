//! The two ends of an echo, without sockets: what the echo upstream answers to the frames a
//! client sent, and how a client recognises its message coming back.
//!
//! The server answers each complete frame as it arrives, frame for frame (a fragmented
//! message comes back fragmented the same way), so it never holds a whole message: its
//! memory per connection is its read buffer whatever the messages' sizes.

use super::frame::{self, Header, Kind};

/// Whether the connection goes on after the frames answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Open,
    /// The client sent a close frame; it has been echoed, and the connection is done.
    Closed,
}

/// Answers every complete frame at the front of `input` into `out`, and removes those
/// frames from `input` (an incomplete one stays for the next read). Data frames come back
/// unmasked with their kind and `fin`; a ping gets its pong; a close is echoed and ends the
/// connection; pongs are dropped. A frame a client did not mask is an error (RFC 6455 5.1).
pub fn answer(input: &mut Vec<u8>, out: &mut Vec<u8>) -> Result<Flow, String> {
    let mut consumed = 0;
    let mut flow = Flow::Open;
    while flow == Flow::Open {
        let rest = &mut input[consumed..];
        let Some(header) = frame::parse(rest)? else {
            break;
        };
        if rest.len() < header.frame_bytes() {
            break;
        }
        let mask = header.mask.ok_or("the client sent an unmasked frame")?;
        let payload = &mut rest[header.header_bytes..header.frame_bytes()];
        frame::apply_mask(payload, mask);
        let reply = match header.kind {
            Kind::Ping => Some(Kind::Pong),
            Kind::Pong => None,
            Kind::Close => {
                flow = Flow::Closed;
                Some(Kind::Close)
            }
            kind @ (Kind::Text | Kind::Binary | Kind::Continuation) => Some(kind),
        };
        if let Some(kind) = reply {
            encode_as(kind, header.fin, payload, out);
        }
        consumed += header.frame_bytes();
    }
    input.drain(..consumed);
    Ok(flow)
}

/// [`frame::encode`] with `fin` as the client's frame had it.
fn encode_as(kind: Kind, fin: bool, payload: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    frame::encode(kind, payload, None, out);
    if !fin {
        // The first byte's top bit is FIN; everything else is the same.
        out[start] &= 0x7f;
    }
}

/// Whether `input` starts with `message` echoed back (one final, unmasked binary frame).
/// `Ok(None)`: not all of it yet; `Ok(Some(n))`: it is the first `n` bytes. Anything else is
/// an error: the generator sends one message at a time, so nothing else may come back.
pub fn check_echo(input: &[u8], message: &[u8]) -> Result<Option<usize>, String> {
    let Some(header) = frame::parse(input)? else {
        return Ok(None);
    };
    let expected = Header {
        kind: Kind::Binary,
        fin: true,
        mask: None,
        header_bytes: header.header_bytes,
        payload_bytes: message.len(),
    };
    if header != expected {
        return Err(format!(
            "expected the {}-byte message back, got {header:?}",
            message.len()
        ));
    }
    if input.len() < header.frame_bytes() {
        return Ok(None);
    }
    if &input[header.header_bytes..header.frame_bytes()] != message {
        return Err("the message came back changed".to_string());
    }
    if input.len() > header.frame_bytes() {
        return Err(format!(
            "{} bytes after the echo, which nothing asked for",
            input.len() - header.frame_bytes()
        ));
    }
    Ok(Some(header.frame_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MASK: [u8; 4] = [1, 2, 3, 4];

    fn masked(kind: Kind, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        frame::encode(kind, payload, Some(MASK), &mut out);
        out
    }

    fn plain(kind: Kind, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        frame::encode(kind, payload, None, &mut out);
        out
    }

    /// Feeds `input`, and compares (what is answered, what stays in the input, the flow).
    fn check(input: Vec<u8>, expect_out: Vec<u8>, expect_left: usize, expect: Result<Flow, &str>) {
        let mut input = input;
        let mut out = Vec::new();
        let flow = answer(&mut input, &mut out);
        assert_eq!(flow, expect.map_err(str::to_string));
        if flow.is_ok() {
            assert_eq!(out, expect_out);
            assert_eq!(input.len(), expect_left);
        }
    }

    #[test]
    fn the_server_echoes_frame_by_frame() {
        check(
            masked(Kind::Binary, b"hello"),
            plain(Kind::Binary, b"hello"),
            0,
            Ok(Flow::Open),
        );
        // Two frames and half of a third in one read: two answered, the half kept.
        let mut input = masked(Kind::Text, b"a");
        input.extend(masked(Kind::Binary, &[9; 300]));
        let third = masked(Kind::Binary, b"later");
        input.extend(&third[..4]);
        let mut out = plain(Kind::Text, b"a");
        out.extend(plain(Kind::Binary, &[9; 300]));
        check(input, out, 4, Ok(Flow::Open));
        check(
            masked(Kind::Ping, b"p"),
            plain(Kind::Pong, b"p"),
            0,
            Ok(Flow::Open),
        );
        check(masked(Kind::Pong, b"p"), Vec::new(), 0, Ok(Flow::Open));
        // Nothing after a close is answered.
        let mut input = masked(Kind::Close, b"\x03\xe8");
        input.extend(masked(Kind::Binary, b"late"));
        check(input, plain(Kind::Close, b"\x03\xe8"), 10, Ok(Flow::Closed));
        // Fragments come back as fragments.
        let mut first = masked(Kind::Text, b"frag");
        first[0] &= 0x7f;
        let mut expect = plain(Kind::Text, b"frag");
        expect[0] &= 0x7f;
        check(first, expect, 0, Ok(Flow::Open));
        check(
            plain(Kind::Binary, b"x"),
            Vec::new(),
            0,
            Err("the client sent an unmasked frame"),
        );
        check(Vec::new(), Vec::new(), 0, Ok(Flow::Open));
    }

    fn check_client(input: Vec<u8>, expect: Result<Option<usize>, &str>) {
        assert_eq!(
            check_echo(&input, b"hello"),
            expect.map_err(str::to_string),
            "input: {input:02x?}"
        );
    }

    #[test]
    fn the_client_knows_its_message() {
        let echo = plain(Kind::Binary, b"hello");
        check_client(echo.clone(), Ok(Some(7)));
        check_client(echo[..1].to_vec(), Ok(None));
        check_client(echo[..5].to_vec(), Ok(None));
        check_client(
            plain(Kind::Binary, b"hellO"),
            Err("the message came back changed"),
        );
        let mut twice = echo.clone();
        twice.extend(&echo);
        check_client(
            twice,
            Err("7 bytes after the echo, which nothing asked for"),
        );
        check_client(
            plain(Kind::Text, b"hello"),
            Err(
                "expected the 5-byte message back, got Header { kind: Text, fin: true, mask: None, header_bytes: 2, payload_bytes: 5 }",
            ),
        );
        check_client(
            masked(Kind::Binary, b"hello"),
            Err(
                "expected the 5-byte message back, got Header { kind: Binary, fin: true, mask: Some([1, 2, 3, 4]), header_bytes: 6, payload_bytes: 5 }",
            ),
        );
    }
}
