//! Request-body framing: where the body ends and which bytes in the buffer are body.
//!
//! [`BodyDecoder`] never copies: each call reports which range of the caller's buffer is body
//! data, and how many bytes it used up, so the connection can hand the range straight to the
//! handler and drop the consumed bytes. It keeps only a few integers of state, so input may
//! arrive split anywhere, down to one byte per read.

use std::ops::Range;

use super::chunked::Chunked;
use super::request::BodyKind;

/// Decodes one request body, framed as the head said.
#[derive(Debug, Clone)]
pub struct BodyDecoder {
    framing: Framing,
}

#[derive(Debug, Clone)]
enum Framing {
    Length { remaining_bytes: u64 },
    Chunked(Chunked),
    Done,
}

/// The result of one [`BodyDecoder::decode`] call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// Bytes of the input used, framing and data together. Less than the input only when the
    /// body has ended (the rest is the next request) or a data run ended and another follows.
    pub consumed: usize,
    /// Body bytes inside the input; empty when this call carried none.
    pub data: Range<usize>,
    /// The body is complete; `&input[consumed..]` does not belong to it.
    pub done: bool,
}

/// Why a body was refused. Like [`super::RequestError`], the connection must close afterwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyError {
    /// The body is larger than `body_bytes_max` (413).
    TooLarge,
    /// A chunk size that is not 1 to `CHUNK_SIZE_DIGITS_MAX` hex digits (400).
    InvalidChunkSize,
    /// A chunk size line or chunk data not ended by CRLF (400).
    InvalidChunkLineEnding,
    /// A control byte inside a chunk extension (400).
    InvalidChunkExtension,
    /// More chunk-extension bytes than `CHUNK_EXTENSIONS_BYTES_MAX` over the body (400).
    ChunkExtensionsTooLong,
    /// A control byte or bare LF inside the trailer section (400).
    InvalidTrailer,
    /// A trailer section larger than `TRAILER_BYTES_MAX` (431).
    TrailersTooLarge,
}

impl BodyError {
    /// The status code of the response that reports this error.
    pub fn status(&self) -> u16 {
        match self {
            BodyError::TooLarge => 413,
            BodyError::TrailersTooLarge => 431,
            BodyError::InvalidChunkSize
            | BodyError::InvalidChunkLineEnding
            | BodyError::InvalidChunkExtension
            | BodyError::ChunkExtensionsTooLong
            | BodyError::InvalidTrailer => 400,
        }
    }

    /// Short human text for logs.
    pub fn reason(&self) -> &'static str {
        match self {
            BodyError::TooLarge => "request body too large",
            BodyError::InvalidChunkSize => "invalid chunk size",
            BodyError::InvalidChunkLineEnding => "chunk not ended by CRLF",
            BodyError::InvalidChunkExtension => "invalid chunk extension",
            BodyError::ChunkExtensionsTooLong => "chunk extensions too long",
            BodyError::InvalidTrailer => "invalid trailer section",
            BodyError::TrailersTooLarge => "trailer section too large",
        }
    }
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.reason(), self.status())
    }
}

impl std::error::Error for BodyError {}

impl BodyDecoder {
    /// A decoder for a body framed as `kind`. A Content-Length over `body_bytes_max` is refused
    /// here, before any of the body is read; a chunked body is refused as soon as its chunk
    /// sizes add up past the bound.
    pub fn new(kind: BodyKind, body_bytes_max: u64) -> Result<Self, BodyError> {
        let framing = match kind {
            BodyKind::None | BodyKind::Length(0) => Framing::Done,
            BodyKind::Length(length) if length > body_bytes_max => {
                return Err(BodyError::TooLarge);
            }
            BodyKind::Length(length) => Framing::Length {
                remaining_bytes: length,
            },
            BodyKind::Chunked => Framing::Chunked(Chunked::new(body_bytes_max)),
        };
        Ok(BodyDecoder { framing })
    }

    /// Reads framing and at most one contiguous run of body data from `input`. Call again with
    /// `&input[consumed..]` (plus whatever arrives next) until `done`. Every call on a
    /// non-empty input before `done` consumes at least one byte. After an error the decoder is
    /// spent: answer with the error's status and close.
    pub fn decode(&mut self, input: &[u8]) -> Result<Decoded, BodyError> {
        let decoded = match &mut self.framing {
            Framing::Done => Decoded {
                consumed: 0,
                data: 0..0,
                done: true,
            },
            Framing::Length { remaining_bytes } => {
                let taken = input
                    .len()
                    .min(usize::try_from(*remaining_bytes).unwrap_or(usize::MAX));
                *remaining_bytes -= taken as u64;
                let done = *remaining_bytes == 0;
                Decoded {
                    consumed: taken,
                    data: 0..taken,
                    done,
                }
            }
            Framing::Chunked(chunked) => chunked.decode(input)?,
        };
        if decoded.done {
            self.framing = Framing::Done;
        }
        debug_assert!(decoded.consumed <= input.len());
        debug_assert!(decoded.data.end <= decoded.consumed);
        debug_assert!(decoded.done || input.is_empty() || decoded.consumed > 0);
        Ok(decoded)
    }

    /// Whether the whole body has been read.
    pub fn is_done(&self) -> bool {
        matches!(self.framing, Framing::Done)
    }

    /// Body bytes still to come, when the framing says (a length; none once done); `None`
    /// for a chunked body, whose end shows only when it comes.
    pub fn remaining_bytes(&self) -> Option<u64> {
        match &self.framing {
            Framing::Length { remaining_bytes } => Some(*remaining_bytes),
            Framing::Done => Some(0),
            Framing::Chunked(_) => None,
        }
    }
}
