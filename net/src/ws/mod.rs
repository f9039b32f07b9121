//! WebSocket (RFC 6455) server side, sans-I/O: the handshake judged, then a [`Session`] that
//! takes the client's bytes and gives events and the bytes to write.
//!
//! ```text
//! handshake: ws::accept(method, fields, deflate) -> Accept { accept_key, deflate } | HandshakeError
//!            (HTTP/2's extended CONNECT: ws::accept_connect(fields, deflate))
//!            the driver answers Accept::status() (101, or 200 to a CONNECT) with
//!            Accept::fields() (or the error's status and fields)
//! session:   let mut s = Session::new(Config::default(), accept.deflate);
//!            s.feed(&read); while let Some(event) = s.poll_event() { ... }
//!            s.send_text(..)?; s.close(1000, "bye");
//!            write s.take_output(); close the socket once s.is_closed()
//! ```
//!
//! # Design
//!
//! - **Sans-I/O.** Bytes in ([`Session::feed`]), events out ([`Session::poll_event`]), bytes
//!   out ([`Session::take_output`]). No socket, no clock: the closing handshake's deadline and
//!   dropping a client whose output stays full are the driver's, with its own timers.
//! - **tungstenite for frame heads, the rest here.** tungstenite `=0.30.0`'s
//!   `FrameHeader::parse` reads heads (the 7/16/64-bit lengths, the mask key, the opcode
//!   classes, refusing reserved opcodes) incrementally, and `derive_accept_key` makes the
//!   handshake's answer. Its `WebSocket` is not used: it refuses any frame with RSV1 set (it
//!   has no extensions, so no permessage-deflate, RFC 7692), it returns a protocol error to
//!   its caller without queuing the close frame that fails the connection, it buffers a whole
//!   frame before checking its UTF-8, and it reads through `io::Read`. The message layer
//!   (fragments, control frames between them, close rules, limits, UTF-8, inflating) is this
//!   module's, in [`session`](Session), about four hundred lines.
//! - **Payload streams.** A frame's payload is unmasked and taken into its message as it
//!   arrives, not when the frame is whole: text is checked for UTF-8 at every run, so an
//!   invalid prefix fails the connection (1007) without waiting for the rest of the frame
//!   (Autobahn 6.4.x "fail fast"), and a compressed message is inflated in steps, so the
//!   message limit holds on the inflated size (1009) however small the frames.
//! - **Limits are close codes.** A frame head over `WS_FRAME_BYTES_MAX` or a message over
//!   `WS_MESSAGE_BYTES_MAX` (after inflating) fails with 1009 as soon as it is known;
//!   `WS_OUTPUT_BYTES_MAX` bounds unwritten output: past it, sends are refused
//!   ([`SendError::OutputFull`]) and the driver drops the client. Pongs are queued without
//!   that check, one per ping: a client can only make the output grow by what it sends.
//! - **Failing is an event.** A protocol error (1002), bad UTF-8 (1007) or a limit (1009)
//!   queues the close frame with that code, stops reading, and is reported as
//!   [`Event::Failed`]: the driver writes the output and closes the connection. A client's
//!   close is echoed with its code and reported as [`Event::Close`]; after the server's close
//!   frame nothing is sent (no pong, no message) and the client's messages are dropped.
//! - **Server frames are whole messages**, never masked, compressed when deflate was
//!   negotiated (one raw DEFLATE stream per direction, context takeover unless declined, the
//!   sync-flush trailer stripped; see `deflate.rs`). Each stream is made when first needed
//!   (the inflater at the first compressed message, the deflater at the first send) and
//!   then kept: zlib's compressor with the default window holds a few hundred KiB, so a hub
//!   with many clients may prefer deflate off, or compressing a message once for all its
//!   subscribers (which needs `server_no_context_takeover`; not done here).
//! - **Close codes**: 1000–1003, 1007–1014 and 3000–4999 are accepted from the client;
//!   0–999, 1004–1006, 1015, the rest below 3000 and 5000 up are a protocol error (1002).

mod deflate;
mod frame;
mod handshake;
mod session;

pub use deflate::Deflate;
pub use frame::{
    CLOSE_INVALID_PAYLOAD, CLOSE_NO_STATUS, CLOSE_NORMAL, CLOSE_PROTOCOL, CLOSE_TOO_BIG,
    is_sendable_close_code,
};
pub use handshake::{Accept, HandshakeError, accept, accept_connect, accept_key_for, client_key};
pub use session::{Config, Event, SendError, Session};
