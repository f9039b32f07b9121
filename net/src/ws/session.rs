//! One server-side WebSocket connection after the handshake, as a state machine: bytes in,
//! events and bytes out.

use std::collections::VecDeque;
use std::io::Cursor;

use bext_core::limits::{WS_FRAME_BYTES_MAX, WS_MESSAGE_BYTES_MAX, WS_OUTPUT_BYTES_MAX};
use bytes::Bytes;
use tungstenite::protocol::frame::FrameHeader;
use tungstenite::protocol::frame::coding::{Control, Data, OpCode};

use super::deflate::{Deflate, Deflater, InflateError, Inflater};
use super::frame::{
    CLOSE_INVALID_PAYLOAD, CLOSE_NO_STATUS, CLOSE_PROTOCOL, CLOSE_TOO_BIG,
    CONTROL_PAYLOAD_BYTES_MAX, OP_BINARY, OP_PING, OP_PONG, OP_TEXT, is_sendable_close_code,
    write_close, write_frame,
};

/// A session's bounds. The defaults are `bext_core::limits`' ceilings; a config may lower them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Longest message the client may send, after inflating (else 1009).
    pub message_bytes_max: usize,
    /// Longest frame payload the client may send, on the wire (else 1009).
    pub frame_bytes_max: usize,
    /// Unwritten output beyond which the session refuses messages ([`SendError::OutputFull`]).
    pub output_bytes_max: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            message_bytes_max: WS_MESSAGE_BYTES_MAX,
            frame_bytes_max: WS_FRAME_BYTES_MAX,
            output_bytes_max: WS_OUTPUT_BYTES_MAX,
        }
    }
}

/// What the client did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A whole text message, checked UTF-8.
    Text(String),
    /// A whole binary message.
    Binary(Bytes),
    /// The client closed: `code` is its close code ([`CLOSE_NO_STATUS`](super::CLOSE_NO_STATUS)
    /// if it sent none). The answering close frame is queued, unless the server closed first.
    Close { code: u16, reason: String },
    /// The client broke the protocol or a limit: the close frame with `code` (1002, 1007 or
    /// 1009) is queued, and the session reads nothing more. Send what is queued, then close.
    Failed { code: u16, reason: &'static str },
}

/// Why a message was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// The session has sent its close frame: nothing may follow it.
    Closing,
    /// The output holds `output_bytes_max` bytes or more: the client reads too slowly.
    OutputFull,
}

/// One WebSocket connection, server side (see the module documentation).
pub struct Session {
    config: Config,
    /// Bytes fed and not yet read; `input_at` is where reading resumes.
    input: Vec<u8>,
    input_at: usize,
    /// The frame whose payload is being read.
    frame: Option<FrameInProgress>,
    /// The data message being assembled (across fragments).
    message: Option<MessageInProgress>,
    /// The control frame payload being read (at most 125 bytes).
    control: Vec<u8>,
    /// Events decided and not yet polled (a frame's end yields at most one, so this holds
    /// at most one; a queue keeps `step` simple).
    events: VecDeque<Event>,
    /// What the handshake negotiated; the streams are made on first use, so an idle client
    /// costs no deflate state.
    deflate: Option<Deflate>,
    inflater: Option<Inflater>,
    deflater: Option<Deflater>,
    /// Compressed message scratch, kept between sends.
    compressed: Vec<u8>,
    output: Vec<u8>,
    sent_close: bool,
    received_close: bool,
    failed: bool,
}

struct FrameInProgress {
    opcode: OpCode,
    fin: bool,
    mask: [u8; 4],
    /// Payload bytes read so far (the mask's phase) and still to read.
    read: u64,
    remaining: u64,
}

struct MessageInProgress {
    text: bool,
    compressed: bool,
    /// The payload, inflated if compressed.
    bytes: Vec<u8>,
    /// `bytes[..utf8_valid]` is UTF-8 (text only); what follows is at most an incomplete
    /// character.
    utf8_valid: usize,
}

/// A reason to fail the connection: its close code and a few words for the close frame.
struct Fail {
    code: u16,
    reason: &'static str,
}

fn protocol(reason: &'static str) -> Fail {
    Fail {
        code: CLOSE_PROTOCOL,
        reason,
    }
}

impl Session {
    /// A session with `config`'s bounds (each at most its `limits` ceiling); `deflate`: what
    /// the handshake negotiated ([`Accept::deflate`](super::Accept::deflate)).
    pub fn new(config: Config, deflate: Option<Deflate>) -> Session {
        assert!(config.message_bytes_max <= WS_MESSAGE_BYTES_MAX);
        assert!(config.frame_bytes_max <= WS_FRAME_BYTES_MAX);
        assert!(config.output_bytes_max <= WS_OUTPUT_BYTES_MAX);
        Session {
            config,
            input: Vec::new(),
            input_at: 0,
            frame: None,
            message: None,
            control: Vec::with_capacity(CONTROL_PAYLOAD_BYTES_MAX),
            events: VecDeque::new(),
            deflate,
            inflater: None,
            deflater: None,
            compressed: Vec::new(),
            output: Vec::new(),
            sent_close: false,
            received_close: false,
            failed: false,
        }
    }

    /// Takes bytes read from the client. They are read by [`poll_event`](Self::poll_event),
    /// which the driver calls until `None` after each feed (so the session holds at most one
    /// read's worth). Bytes after the client's close, or after a failure, are dropped.
    pub fn feed(&mut self, bytes: &[u8]) {
        if !self.reading() {
            return;
        }
        self.input.extend_from_slice(bytes);
    }

    /// The next thing the client did, reading as far into the fed bytes as that takes; `None`
    /// when they hold no more. Pings are answered here (the pong is queued) and pongs ignored.
    pub fn poll_event(&mut self) -> Option<Event> {
        while self.events.is_empty() && self.reading() {
            match self.step() {
                Ok(true) => {}
                Ok(false) => break,
                Err(fail) => self.fail(fail),
            }
        }
        if self.input_at == self.input.len() || !self.reading() {
            self.input.clear();
            self.input_at = 0;
        } else if self.input_at > self.input.len() / 2 {
            self.input.drain(..self.input_at);
            self.input_at = 0;
        }
        self.events.pop_front()
    }

    /// Queues a text message (one frame; compressed if deflate was negotiated).
    pub fn send_text(&mut self, text: &str) -> Result<(), SendError> {
        self.send(OP_TEXT, text.as_bytes())
    }

    /// Queues a binary message.
    pub fn send_binary(&mut self, bytes: &[u8]) -> Result<(), SendError> {
        self.send(OP_BINARY, bytes)
    }

    /// Queues a ping (a keep-alive; its pong is not reported, any input shows the client is
    /// there). `payload` is cut to 125 bytes.
    pub fn send_ping(&mut self, payload: &[u8]) -> Result<(), SendError> {
        self.check_can_send()?;
        let payload = &payload[..payload.len().min(CONTROL_PAYLOAD_BYTES_MAX)];
        write_frame(&mut self.output, OP_PING, false, payload);
        Ok(())
    }

    /// Starts the closing handshake with `code` (1000–1003, 1007–1014 or 3000–4999) and
    /// `reason` (cut to 123 bytes). Nothing is sent after it; the client's answering close
    /// arrives as [`Event::Close`]. Does nothing once a close frame is queued.
    pub fn close(&mut self, code: u16, reason: &str) {
        debug_assert!(is_sendable_close_code(code), "close code {code}");
        if self.sent_close {
            return;
        }
        let code = if is_sendable_close_code(code) {
            code
        } else {
            super::CLOSE_NORMAL
        };
        write_close(&mut self.output, Some((code, reason)));
        self.sent_close = true;
    }

    /// The bytes to write to the client, leaving the output empty.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.output)
    }

    /// Gives back a buffer [`take_output`](Self::take_output) returned and the driver has
    /// written, so that its allocation is reused.
    pub fn recycle_output(&mut self, mut buffer: Vec<u8>) {
        if self.output.is_empty() && buffer.capacity() > self.output.capacity() {
            buffer.clear();
            self.output = buffer;
        }
    }

    /// Whether there are bytes to write.
    pub fn has_output(&self) -> bool {
        !self.output.is_empty()
    }

    /// Bytes waiting to be written.
    pub fn output_len(&self) -> usize {
        self.output.len()
    }

    /// Whether the output is over its bound: sends are refused, and a driver that sees this
    /// for long drops the client.
    pub fn is_output_full(&self) -> bool {
        self.output.len() >= self.config.output_bytes_max
    }

    /// The session has queued its close frame: nothing more may be sent. Write the output,
    /// then wait for the client's close (a deadline is the driver's) or for `is_closed`.
    pub fn wants_close(&self) -> bool {
        self.sent_close
    }

    /// Both close frames have passed, or the connection failed: write the output, then close
    /// the TCP connection (the server closes first, RFC 6455 §7.1.1).
    pub fn is_closed(&self) -> bool {
        self.failed || (self.sent_close && self.received_close)
    }

    fn reading(&self) -> bool {
        !self.received_close && !self.failed
    }

    fn check_can_send(&self) -> Result<(), SendError> {
        if self.sent_close {
            return Err(SendError::Closing);
        }
        if self.is_output_full() {
            return Err(SendError::OutputFull);
        }
        Ok(())
    }

    fn send(&mut self, opcode: u8, payload: &[u8]) -> Result<(), SendError> {
        self.check_can_send()?;
        if let Some(deflate) = &self.deflate
            && self
                .deflater
                .get_or_insert_with(|| Deflater::new(deflate))
                .compress(payload, &mut self.compressed)
        {
            write_frame(&mut self.output, opcode, true, &self.compressed);
        } else {
            write_frame(&mut self.output, opcode, false, payload);
        }
        Ok(())
    }

    /// Fails the connection: the close frame is queued (unless one already was), the rest of
    /// the input dropped, and the failure reported.
    fn fail(&mut self, fail: Fail) {
        self.failed = true;
        self.frame = None;
        self.message = None;
        if !self.sent_close {
            write_close(&mut self.output, Some((fail.code, fail.reason)));
            self.sent_close = true;
        }
        self.events.push_back(Event::Failed {
            code: fail.code,
            reason: fail.reason,
        });
    }

    /// Reads one frame head or one run of payload. `Ok(false)`: more input is needed.
    fn step(&mut self) -> Result<bool, Fail> {
        let Some(frame) = self.frame.as_mut() else {
            let mut cursor = Cursor::new(&self.input[self.input_at..]);
            // The only errors a head has on its own are reserved opcodes.
            let parsed =
                FrameHeader::parse(&mut cursor).map_err(|_| protocol("reserved opcode"))?;
            let Some((header, length)) = parsed else {
                return Ok(false);
            };
            self.input_at += usize::try_from(cursor.position()).unwrap_or(usize::MAX);
            self.begin_frame(header, length)?;
            return Ok(true);
        };
        let available = self.input.len() - self.input_at;
        let take = usize::try_from(frame.remaining).map_or(available, |r| r.min(available));
        if take == 0 && frame.remaining > 0 {
            return Ok(false);
        }
        let start = self.input_at;
        let run = &mut self.input[start..start + take];
        unmask(run, frame.mask, frame.read);
        frame.read += take as u64;
        frame.remaining -= take as u64;
        self.input_at += take;
        let (opcode, fin, done) = (frame.opcode, frame.fin, frame.remaining == 0);
        let run = &self.input[start..start + take];
        match opcode {
            OpCode::Control(_) => self.control.extend_from_slice(run),
            OpCode::Data(_) => {
                let Some(message) = self.message.as_mut() else {
                    return Err(protocol("continuation without a message"));
                };
                append(
                    message,
                    self.inflater.as_mut(),
                    run,
                    self.config.message_bytes_max,
                )?;
            }
        }
        if !done {
            return Ok(false);
        }
        self.frame = None;
        match opcode {
            OpCode::Control(control) => self.end_control(control)?,
            OpCode::Data(_) if fin => self.end_message()?,
            OpCode::Data(_) => {}
        }
        Ok(true)
    }

    /// Checks a frame head against RFC 6455 §5 and the limits, and starts its message.
    fn begin_frame(&mut self, header: FrameHeader, length: u64) -> Result<(), Fail> {
        // §5.1: a server MUST fail the connection on an unmasked client frame.
        let Some(mask) = header.mask else {
            return Err(protocol("unmasked frame"));
        };
        if header.rsv2 || header.rsv3 {
            return Err(protocol("reserved bits set"));
        }
        match header.opcode {
            OpCode::Control(Control::Reserved(_)) | OpCode::Data(Data::Reserved(_)) => {
                return Err(protocol("reserved opcode"));
            }
            OpCode::Control(_) => {
                if header.rsv1 {
                    return Err(protocol("reserved bits set"));
                }
                if !header.is_final {
                    return Err(protocol("fragmented control frame"));
                }
                if length > CONTROL_PAYLOAD_BYTES_MAX as u64 {
                    return Err(protocol("control frame over 125 bytes"));
                }
                self.control.clear();
            }
            OpCode::Data(Data::Continue) => {
                if self.message.is_none() {
                    return Err(protocol("continuation without a message"));
                }
                // RFC 7692 §6.1: only a message's first frame says it is compressed.
                if header.rsv1 {
                    return Err(protocol("reserved bits set"));
                }
            }
            OpCode::Data(data) => {
                if self.message.is_some() {
                    return Err(protocol("new message inside a fragmented one"));
                }
                if header.rsv1 {
                    let Some(deflate) = &self.deflate else {
                        return Err(protocol("reserved bits set"));
                    };
                    self.inflater.get_or_insert_with(|| Inflater::new(deflate));
                }
                self.message = Some(MessageInProgress {
                    text: data == Data::Text,
                    compressed: header.rsv1,
                    bytes: Vec::new(),
                    utf8_valid: 0,
                });
            }
        }
        if length > self.config.frame_bytes_max as u64 {
            return Err(Fail {
                code: CLOSE_TOO_BIG,
                reason: "frame too big",
            });
        }
        if let OpCode::Data(_) = header.opcode
            && let Some(message) = &self.message
            && !message.compressed
            && message.bytes.len() as u64 + length > self.config.message_bytes_max as u64
        {
            return Err(Fail {
                code: CLOSE_TOO_BIG,
                reason: "message too big",
            });
        }
        self.frame = Some(FrameInProgress {
            opcode: header.opcode,
            fin: header.is_final,
            mask,
            read: 0,
            remaining: length,
        });
        Ok(())
    }

    fn end_control(&mut self, control: Control) -> Result<(), Fail> {
        match control {
            Control::Ping => {
                // §5.5.2: answer unless closing (no frame may follow ours).
                if !self.sent_close {
                    write_frame(&mut self.output, OP_PONG, false, &self.control);
                }
            }
            Control::Pong | Control::Reserved(_) => {}
            Control::Close => {
                let (code, reason) = parse_close(&self.control)?;
                self.received_close = true;
                if !self.sent_close {
                    // §5.5.1: answer with the code received.
                    let echo = (code != CLOSE_NO_STATUS).then_some((code, ""));
                    write_close(&mut self.output, echo);
                    self.sent_close = true;
                }
                self.events.push_back(Event::Close { code, reason });
            }
        }
        Ok(())
    }

    fn end_message(&mut self) -> Result<(), Fail> {
        let Some(mut message) = self.message.take() else {
            return Err(protocol("continuation without a message"));
        };
        if message.compressed {
            let Some(inflater) = self.inflater.as_mut() else {
                return Err(protocol("reserved bits set"));
            };
            inflater
                .end_message(&mut message.bytes, self.config.message_bytes_max)
                .map_err(inflate_fail)?;
            check_utf8(&mut message)?;
        }
        if message.text && message.utf8_valid != message.bytes.len() {
            return Err(invalid_utf8());
        }
        // §1.4: after its close frame the server may discard what the client still sends.
        if self.sent_close {
            return Ok(());
        }
        let event = if message.text {
            Event::Text(String::from_utf8(message.bytes).map_err(|_| invalid_utf8())?)
        } else {
            Event::Binary(Bytes::from(message.bytes))
        };
        self.events.push_back(event);
        Ok(())
    }
}

/// Adds a run of payload to a message (inflating it if compressed), checking UTF-8 as it
/// goes, so an invalid text message fails at its first bad byte rather than at its end.
fn append(
    message: &mut MessageInProgress,
    inflater: Option<&mut Inflater>,
    run: &[u8],
    message_bytes_max: usize,
) -> Result<(), Fail> {
    if message.compressed {
        let Some(inflater) = inflater else {
            return Err(protocol("reserved bits set"));
        };
        inflater
            .inflate(run, &mut message.bytes, message_bytes_max)
            .map_err(inflate_fail)?;
    } else {
        message.bytes.extend_from_slice(run);
    }
    check_utf8(message)
}

fn check_utf8(message: &mut MessageInProgress) -> Result<(), Fail> {
    if !message.text {
        return Ok(());
    }
    match std::str::from_utf8(&message.bytes[message.utf8_valid..]) {
        Ok(_) => message.utf8_valid = message.bytes.len(),
        // An error with a length is a bad sequence; without, the bytes end mid-character.
        Err(error) if error.error_len().is_some() => return Err(invalid_utf8()),
        Err(error) => message.utf8_valid += error.valid_up_to(),
    }
    Ok(())
}

fn invalid_utf8() -> Fail {
    Fail {
        code: CLOSE_INVALID_PAYLOAD,
        reason: "invalid UTF-8",
    }
}

fn inflate_fail(error: InflateError) -> Fail {
    match error {
        InflateError::TooBig => Fail {
            code: CLOSE_TOO_BIG,
            reason: "message too big",
        },
        InflateError::Corrupt => Fail {
            code: CLOSE_INVALID_PAYLOAD,
            reason: "bad compressed data",
        },
    }
}

/// A close frame's code and reason (RFC 6455 §5.5.1, §7.4): empty, or a valid code and a
/// UTF-8 reason.
fn parse_close(payload: &[u8]) -> Result<(u16, String), Fail> {
    match payload {
        [] => Ok((CLOSE_NO_STATUS, String::new())),
        [_] => Err(protocol("close payload of one byte")),
        [high, low, reason @ ..] => {
            let code = u16::from_be_bytes([*high, *low]);
            if !is_sendable_close_code(code) {
                return Err(protocol("invalid close code"));
            }
            let reason = std::str::from_utf8(reason).map_err(|_| invalid_utf8())?;
            Ok((code, reason.to_string()))
        }
    }
}

/// Unmasks a run of payload whose first byte is the payload's `offset`th (RFC 6455 §5.3).
fn unmask(run: &mut [u8], mask: [u8; 4], offset: u64) {
    let phase = (offset % 4) as usize;
    let mask = [
        mask[phase],
        mask[(phase + 1) % 4],
        mask[(phase + 2) % 4],
        mask[(phase + 3) % 4],
    ];
    let word = u32::from_ne_bytes(mask);
    let mut chunks = run.chunks_exact_mut(4);
    for chunk in &mut chunks {
        let mut bytes = [0u8; 4];
        bytes.copy_from_slice(chunk);
        chunk.copy_from_slice(&(u32::from_ne_bytes(bytes) ^ word).to_ne_bytes());
    }
    for (byte, m) in chunks.into_remainder().iter_mut().zip(mask) {
        *byte ^= m;
    }
}
