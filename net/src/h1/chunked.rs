//! The chunked transfer coding (RFC 9112 §7.1), decoded one byte of framing at a time.
//!
//! Framing is walked byte by byte through a small state machine, so a chunk size line or
//! trailer split across reads needs no buffering; chunk data is handed out in bulk. Where the
//! grammar is loose in practice, this decoder is strict: CRLF and nothing else ends a line,
//! whitespace is allowed only where RFC 9112 has BWS, and every unbounded part of the grammar
//! (size digits, extensions, trailers) has a named cap.

use super::body::{BodyError, Decoded};

pub use bext_core::limits::{CHUNK_EXTENSIONS_BYTES_MAX, CHUNK_SIZE_DIGITS_MAX, TRAILER_BYTES_MAX};

#[derive(Debug, Clone)]
pub(crate) struct Chunked {
    state: State,
    body_bytes_max: u64,
    /// Sum of the chunk sizes announced so far.
    body_bytes: u64,
    extension_bytes: u64,
    trailer_bytes: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// In the hex digits of a chunk size; `digits` read so far.
    Size {
        size: u64,
        digits: u32,
    },
    /// Whitespace after the size, which must lead to an extension.
    SizeSpace {
        size: u64,
    },
    /// Inside chunk extensions, skipped until CR.
    Extension {
        size: u64,
    },
    /// CR seen at the end of the size line.
    SizeLf {
        size: u64,
    },
    /// Inside chunk data; `remaining` > 0.
    Data {
        remaining: u64,
    },
    /// After chunk data, expecting CR then LF.
    DataCr,
    DataLf,
    /// At the start of a trailer line, or of the empty line that ends the body.
    TrailerStart,
    TrailerLine,
    /// CR seen in the trailer section; `last` if it ends the empty line.
    TrailerLf {
        last: bool,
    },
    Done,
}

impl Chunked {
    pub(crate) fn new(body_bytes_max: u64) -> Self {
        Chunked {
            state: State::Size { size: 0, digits: 0 },
            body_bytes_max,
            body_bytes: 0,
            extension_bytes: 0,
            trailer_bytes: 0,
        }
    }

    pub(crate) fn decode(&mut self, input: &[u8]) -> Result<Decoded, BodyError> {
        let mut pos = 0;
        let mut data = 0..0;
        loop {
            match self.state {
                State::Done => break,
                State::Data { remaining } => {
                    // One run of data per call keeps the result a single range.
                    if pos == input.len() || !data.is_empty() {
                        break;
                    }
                    let available = input.len() - pos;
                    let taken = usize::try_from(remaining).map_or(available, |r| r.min(available));
                    data = pos..pos + taken;
                    pos += taken;
                    let remaining = remaining - taken as u64;
                    self.state = if remaining == 0 {
                        State::DataCr
                    } else {
                        State::Data { remaining }
                    };
                }
                _ => {
                    let Some(&byte) = input.get(pos) else { break };
                    pos += 1;
                    self.state = self.step(byte)?;
                }
            }
        }
        let done = self.state == State::Done;
        Ok(Decoded {
            consumed: pos,
            data,
            done,
        })
    }

    /// Advances the framing state machine by one byte.
    fn step(&mut self, byte: u8) -> Result<State, BodyError> {
        let next = match self.state {
            State::Size { size, digits } => match hex_value(byte) {
                Some(value) => {
                    if digits == CHUNK_SIZE_DIGITS_MAX {
                        return Err(BodyError::InvalidChunkSize);
                    }
                    let size = size
                        .checked_mul(16)
                        .and_then(|size| size.checked_add(value))
                        .ok_or(BodyError::InvalidChunkSize)?;
                    State::Size {
                        size,
                        digits: digits + 1,
                    }
                }
                None if digits == 0 => return Err(BodyError::InvalidChunkSize),
                None => match byte {
                    b'\r' => State::SizeLf { size },
                    b'\n' => return Err(BodyError::InvalidChunkLineEnding),
                    b';' => self.extension_byte(State::Extension { size })?,
                    b' ' | b'\t' => self.extension_byte(State::SizeSpace { size })?,
                    _ => return Err(BodyError::InvalidChunkSize),
                },
            },
            State::SizeSpace { size } => match byte {
                b' ' | b'\t' => self.extension_byte(State::SizeSpace { size })?,
                b';' => self.extension_byte(State::Extension { size })?,
                // BWS may only precede an extension; "5 \r\n" is not a chunk size line.
                _ => return Err(BodyError::InvalidChunkSize),
            },
            State::Extension { size } => match byte {
                b'\r' => State::SizeLf { size },
                b'\n' => return Err(BodyError::InvalidChunkLineEnding),
                b'\t' | b' '..=0x7e | 0x80..=0xff => {
                    self.extension_byte(State::Extension { size })?
                }
                _ => return Err(BodyError::InvalidChunkExtension),
            },
            State::SizeLf { size } => match byte {
                b'\n' => self.chunk_start(size)?,
                _ => return Err(BodyError::InvalidChunkLineEnding),
            },
            State::DataCr => match byte {
                b'\r' => State::DataLf,
                _ => return Err(BodyError::InvalidChunkLineEnding),
            },
            State::DataLf => match byte {
                b'\n' => State::Size { size: 0, digits: 0 },
                _ => return Err(BodyError::InvalidChunkLineEnding),
            },
            State::TrailerStart => match byte {
                b'\r' => self.trailer_byte(State::TrailerLf { last: true })?,
                _ => self.trailer_line_byte(byte)?,
            },
            State::TrailerLine => match byte {
                b'\r' => self.trailer_byte(State::TrailerLf { last: false })?,
                _ => self.trailer_line_byte(byte)?,
            },
            State::TrailerLf { last } => match byte {
                b'\n' if last => State::Done,
                b'\n' => self.trailer_byte(State::TrailerStart)?,
                _ => return Err(BodyError::InvalidTrailer),
            },
            // decode() handles these without calling step.
            State::Data { .. } | State::Done => self.state,
        };
        Ok(next)
    }

    /// A complete size line: start the data, or the trailer section after the last chunk.
    fn chunk_start(&mut self, size: u64) -> Result<State, BodyError> {
        if size == 0 {
            return Ok(State::TrailerStart);
        }
        self.body_bytes = self
            .body_bytes
            .checked_add(size)
            .ok_or(BodyError::TooLarge)?;
        if self.body_bytes > self.body_bytes_max {
            return Err(BodyError::TooLarge);
        }
        Ok(State::Data { remaining: size })
    }

    /// Counts one byte of extension (or the whitespace before it) against the cap.
    fn extension_byte(&mut self, next: State) -> Result<State, BodyError> {
        self.extension_bytes += 1;
        if self.extension_bytes > CHUNK_EXTENSIONS_BYTES_MAX {
            return Err(BodyError::ChunkExtensionsTooLong);
        }
        Ok(next)
    }

    fn trailer_line_byte(&mut self, byte: u8) -> Result<State, BodyError> {
        match byte {
            b'\t' | b' '..=0x7e | 0x80..=0xff => self.trailer_byte(State::TrailerLine),
            _ => Err(BodyError::InvalidTrailer),
        }
    }

    fn trailer_byte(&mut self, next: State) -> Result<State, BodyError> {
        self.trailer_bytes += 1;
        if self.trailer_bytes > TRAILER_BYTES_MAX {
            return Err(BodyError::TrailersTooLarge);
        }
        Ok(next)
    }
}

fn hex_value(byte: u8) -> Option<u64> {
    match byte {
        b'0'..=b'9' => Some(u64::from(byte - b'0')),
        b'a'..=b'f' => Some(u64::from(byte - b'a' + 10)),
        b'A'..=b'F' => Some(u64::from(byte - b'A' + 10)),
        _ => None,
    }
}
