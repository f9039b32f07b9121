//! permessage-deflate (RFC 7692) on flate2: what an offer asks for, and the two raw-deflate
//! streams of a session.
//!
//! A compressed message is one raw DEFLATE stream flushed with `Z_SYNC_FLUSH`, less the four
//! bytes `00 00 ff ff` the flush always ends with (§7.2.1); the receiver puts them back before
//! inflating the end of the message (§7.2.2). With context takeover (the default) both sides
//! keep their LZ77 window from one message to the next; `*_no_context_takeover` resets it
//! after each message, which costs ratio and saves nothing else here (the streams are kept
//! either way, so that a session allocates them once).

use bext_core::limits::WS_INFLATE_STEP_BYTES;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

/// The four bytes a sync flush ends with, which the sender strips (RFC 7692 §7.2.1).
const SYNC_TRAILER: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// Smallest LZ77 window (as a power of two) this server compresses with: zlib refuses 8 for
/// raw deflate, so an offer that insists on `server_max_window_bits=8` is declined.
const SERVER_WINDOW_BITS_LOWEST: u8 = 9;

/// What a permessage-deflate negotiation settled on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deflate {
    /// The server resets its compressor after each message (the client asked).
    pub server_no_context_takeover: bool,
    /// The client resets its compressor after each message (the client offered it), so the
    /// server resets its decompressor too.
    pub client_no_context_takeover: bool,
    /// The window the client allows the server's compressor (9 to 15), if it named one.
    pub server_max_window_bits: Option<u8>,
}

impl Deflate {
    /// The `Sec-WebSocket-Extensions` value that accepts this negotiation.
    pub fn response_value(&self) -> String {
        let mut value = String::from("permessage-deflate");
        if self.server_no_context_takeover {
            value.push_str("; server_no_context_takeover");
        }
        if self.client_no_context_takeover {
            value.push_str("; client_no_context_takeover");
        }
        if let Some(bits) = self.server_max_window_bits {
            value.push_str("; server_max_window_bits=");
            value.push_str(&bits.to_string());
        }
        value
    }

    /// Accepts one `permessage-deflate` offer given its parameters, or declines it (`None`)
    /// when a parameter is unknown, repeated or has a bad value (RFC 7692 §7.1).
    pub(super) fn from_offer<'a>(
        params: impl Iterator<Item = (&'a str, Option<&'a str>)>,
    ) -> Option<Deflate> {
        let mut deflate = Deflate {
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: None,
        };
        let mut client_max_window_bits_seen = false;
        for (name, value) in params {
            match name.to_ascii_lowercase().as_str() {
                "server_no_context_takeover" if value.is_none() => {
                    if deflate.server_no_context_takeover {
                        return None;
                    }
                    deflate.server_no_context_takeover = true;
                }
                "client_no_context_takeover" if value.is_none() => {
                    if deflate.client_no_context_takeover {
                        return None;
                    }
                    deflate.client_no_context_takeover = true;
                }
                "server_max_window_bits" => {
                    let bits = window_bits(value?)?;
                    if deflate.server_max_window_bits.is_some() || bits < SERVER_WINDOW_BITS_LOWEST
                    {
                        return None;
                    }
                    deflate.server_max_window_bits = Some(bits);
                }
                // The client may limit its own window: the server's inflater has the largest
                // window, which reads any smaller one, so nothing is answered for it.
                "client_max_window_bits" => {
                    if let Some(value) = value {
                        window_bits(value)?;
                    }
                    if client_max_window_bits_seen {
                        return None;
                    }
                    client_max_window_bits_seen = true;
                }
                _ => return None,
            }
        }
        Some(deflate)
    }
}

/// A window size parameter: 8 to 15, decimal, no leading zero.
fn window_bits(value: &str) -> Option<u8> {
    if value.starts_with('0') || value.len() > 2 {
        return None;
    }
    let bits: u8 = value.parse().ok()?;
    (8..=15).contains(&bits).then_some(bits)
}

/// Why inflating a message stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum InflateError {
    /// The inflated message would pass the message limit.
    TooBig,
    /// The bytes are not a raw DEFLATE stream.
    Corrupt,
}

/// The session's decompressor, for the client's messages.
pub(super) struct Inflater {
    stream: Decompress,
    reset_after_message: bool,
}

impl Inflater {
    pub(super) fn new(deflate: &Deflate) -> Inflater {
        Inflater {
            stream: Decompress::new(false),
            reset_after_message: deflate.client_no_context_takeover,
        }
    }

    /// Inflates a run of a compressed message's payload onto `out`, failing once `out` would
    /// hold more than `bytes_max`. Inflating in steps of `WS_INFLATE_STEP_BYTES` bounds what
    /// a small input can make the session allocate past the limit.
    pub(super) fn inflate(
        &mut self,
        mut input: &[u8],
        out: &mut Vec<u8>,
        bytes_max: usize,
    ) -> Result<(), InflateError> {
        loop {
            if out.len() > bytes_max {
                return Err(InflateError::TooBig);
            }
            let room = (bytes_max + 1 - out.len()).min(WS_INFLATE_STEP_BYTES);
            if out.capacity() - out.len() < room {
                out.reserve(room);
            }
            let (in_before, out_before) = (self.stream.total_in(), self.stream.total_out());
            let status = self
                .stream
                .decompress_vec(input, out, FlushDecompress::Sync)
                .map_err(|_| InflateError::Corrupt)?;
            let consumed = usize::try_from(self.stream.total_in() - in_before)
                .map_err(|_| InflateError::Corrupt)?;
            let produced = self.stream.total_out() - out_before;
            input = input.get(consumed..).ok_or(InflateError::Corrupt)?;
            if out.len() > bytes_max {
                return Err(InflateError::TooBig);
            }
            let output_left = out.len() < out.capacity();
            // Done when every byte went in and the stream did not fill the room it had (more
            // output would have needed more room); stuck when nothing moves (a final block
            // was followed by more bytes).
            if (input.is_empty() && output_left) || status == Status::StreamEnd {
                return Ok(());
            }
            if consumed == 0 && produced == 0 {
                return if input.is_empty() {
                    Ok(())
                } else {
                    Err(InflateError::Corrupt)
                };
            }
        }
    }

    /// Ends a compressed message: inflates the stripped sync-flush trailer (which flushes
    /// what the stream still holds) and resets the stream if context takeover is off.
    pub(super) fn end_message(
        &mut self,
        out: &mut Vec<u8>,
        bytes_max: usize,
    ) -> Result<(), InflateError> {
        let result = self.inflate(&SYNC_TRAILER, out, bytes_max);
        if self.reset_after_message {
            self.stream.reset(false);
        }
        result
    }
}

/// The session's compressor, for the server's messages.
pub(super) struct Deflater {
    stream: Compress,
    reset_after_message: bool,
}

impl Deflater {
    pub(super) fn new(deflate: &Deflate) -> Deflater {
        let window_bits = deflate.server_max_window_bits.unwrap_or(15);
        Deflater {
            stream: Compress::new_with_window_bits(Compression::default(), false, window_bits),
            reset_after_message: deflate.server_no_context_takeover,
        }
    }

    /// Compresses one whole message into `out` (cleared first), without the sync-flush
    /// trailer. `false` if the stream failed, in which case the message goes uncompressed
    /// (RSV1 is per message, so that is always allowed) and the stream starts over.
    pub(super) fn compress(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> bool {
        out.clear();
        out.reserve(input.len() / 2 + 64);
        loop {
            let in_before = self.stream.total_in();
            if self
                .stream
                .compress_vec(input, out, FlushCompress::Sync)
                .is_err()
            {
                self.stream.reset();
                return false;
            }
            let consumed = usize::try_from(self.stream.total_in() - in_before).unwrap_or(0);
            input = input.get(consumed..).unwrap_or_default();
            // A sync flush is complete when the stream had room left over after it.
            if input.is_empty() && out.len() < out.capacity() {
                break;
            }
            out.reserve(out.capacity().max(64));
        }
        if self.reset_after_message {
            self.stream.reset();
        }
        if out.ends_with(&SYNC_TRAILER) {
            out.truncate(out.len() - SYNC_TRAILER.len());
            true
        } else {
            self.stream.reset();
            false
        }
    }
}
