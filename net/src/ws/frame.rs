//! What the server writes (frame heads, never masked), and the close-code rules.
//!
//! Reading frame heads is tungstenite's (`FrameHeader::parse`); writing one is five lines
//! that cannot fail, where tungstenite's writer goes through `io::Write` and a `Result`.

/// Opcodes the server writes (RFC 6455 §5.2).
pub(super) const OP_TEXT: u8 = 0x1;
pub(super) const OP_BINARY: u8 = 0x2;
pub(super) const OP_CLOSE: u8 = 0x8;
pub(super) const OP_PING: u8 = 0x9;
pub(super) const OP_PONG: u8 = 0xa;

/// Largest control frame payload (RFC 6455 §5.5).
// tidy: not a limit (the protocol's own bound, not one bext chooses)
pub(super) const CONTROL_PAYLOAD_BYTES_MAX: usize = 125;

/// Largest close reason: a control payload less the two-byte code.
// tidy: not a limit (follows from the protocol's control frame bound)
pub(super) const CLOSE_REASON_BYTES_MAX: usize = CONTROL_PAYLOAD_BYTES_MAX - 2;

/// The code a close event reports when the client's close frame had none (RFC 6455 §7.4.1:
/// 1005 is never sent).
pub const CLOSE_NO_STATUS: u16 = 1005;

/// A normal close.
pub const CLOSE_NORMAL: u16 = 1000;
/// A frame broke RFC 6455's framing rules.
pub const CLOSE_PROTOCOL: u16 = 1002;
/// A text message (or close reason) that is not UTF-8, or a compressed one that does not
/// inflate.
pub const CLOSE_INVALID_PAYLOAD: u16 = 1007;
/// A frame or message over its limit.
pub const CLOSE_TOO_BIG: u16 = 1009;

/// Appends one final, unmasked frame: `rsv1` marks a compressed message (RFC 7692).
pub(super) fn write_frame(out: &mut Vec<u8>, opcode: u8, rsv1: bool, payload: &[u8]) {
    debug_assert!(opcode & 0xf0 == 0, "opcode {opcode:#x}");
    debug_assert!(
        opcode < 0x8 || payload.len() <= CONTROL_PAYLOAD_BYTES_MAX,
        "control frame of {} bytes",
        payload.len()
    );
    out.push(0x80 | if rsv1 { 0x40 } else { 0 } | opcode);
    let length = payload.len();
    if length < 126 {
        out.push(length as u8);
    } else if let Ok(short) = u16::try_from(length) {
        out.push(126);
        out.extend_from_slice(&short.to_be_bytes());
    } else {
        out.push(127);
        out.extend_from_slice(&(length as u64).to_be_bytes());
    }
    out.extend_from_slice(payload);
}

/// Appends a close frame: the code, and the reason cut to fit a control frame (at a
/// character boundary). `None`: an empty close frame (the answer to one without a code).
pub(super) fn write_close(out: &mut Vec<u8>, close: Option<(u16, &str)>) {
    let mut payload = [0u8; CONTROL_PAYLOAD_BYTES_MAX];
    let mut length = 0;
    if let Some((code, reason)) = close {
        debug_assert!(is_sendable_close_code(code), "close code {code}");
        let mut cut = reason.len().min(CLOSE_REASON_BYTES_MAX);
        while !reason.is_char_boundary(cut) {
            cut -= 1;
        }
        payload[..2].copy_from_slice(&code.to_be_bytes());
        payload[2..2 + cut].copy_from_slice(&reason.as_bytes()[..cut]);
        length = 2 + cut;
    }
    write_frame(out, OP_CLOSE, false, &payload[..length]);
}

/// Whether a close frame may carry `code` (RFC 6455 §7.4, and the IANA registry for
/// 1012–1014): 1000–1003 and 1007–1014 are defined, 3000–4999 belong to libraries and
/// applications; 1004 is reserved, 1005, 1006 and 1015 are never sent, and everything else
/// below 3000 is unassigned. tungstenite's `CloseCode::is_allowed` predates 1014.
pub fn is_sendable_close_code(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}
