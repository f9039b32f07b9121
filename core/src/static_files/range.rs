//! `Range: bytes=...` (RFC 9110 §14) and the `Content-Range` value of the answer.
//!
//! Decisions, where the RFC lets a server choose:
//!
//! - **One range only.** A request for several ranges is answered with the whole file (200),
//!   which RFC 9110 §14.2 allows ("a server MAY ignore the Range header field"). Multipart
//!   byteranges responses are rarely asked for (old PDF readers), are a known amplification
//!   vector (many overlapping ranges), and would cost a multipart writer in the hot path.
//!   Empty list elements (`bytes=0-1,`) do not count as ranges.
//! - **Malformed means absent.** A header that does not parse (`bytes=a-b`, `bytes=5-1`, an
//!   unknown unit) is ignored and the whole file is sent, as the RFC requires for an unknown
//!   unit and permits otherwise; a 416 is kept for well-formed requests past the end.
//! - **Tolerant of whitespace** around `=`, `-` and `,`, and of `BYTES` in any case: the
//!   grammar has none there, but clients in the wild send it and nothing is ambiguous.
//! - **Numbers saturate.** A position too large for a `u64` is still well-formed, so it is read
//!   as `u64::MAX` (past any file: 416 for a start, clamped for an end) rather than refused.
//! - **Zero-length files** have no satisfiable range (§14.1.1), so any range is 416; so is the
//!   suffix range `-0`.
//!
//! Per request, so no allocation: the parser walks the bytes and [`ContentRange`] is an inline
//! buffer.

use crate::field::trim_ows as trim;

/// What a `Range` header asks of a file of a given size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeRequest {
    /// Not usable (malformed, another unit, several ranges): send the whole file.
    Ignore,
    /// One satisfiable range, `end` inclusive and already clamped to `size - 1`.
    Single { start: u64, end: u64 },
    /// Well-formed but past the end of the file: 416.
    Unsatisfiable,
}

/// Reads a `Range` field value against a file of `size` bytes.
pub fn parse_range(value: &[u8], size: u64) -> RangeRequest {
    let value = trim(value);
    let Some(equals) = value.iter().position(|&b| b == b'=') else {
        return RangeRequest::Ignore;
    };
    if !trim(&value[..equals]).eq_ignore_ascii_case(b"bytes") {
        return RangeRequest::Ignore;
    }
    let mut only: Option<Spec> = None;
    for element in value[equals + 1..].split(|&b| b == b',') {
        let element = trim(element);
        if element.is_empty() {
            continue;
        }
        let Some(spec) = Spec::parse(element) else {
            return RangeRequest::Ignore;
        };
        if only.replace(spec).is_some() {
            return RangeRequest::Ignore;
        }
    }
    match only {
        None => RangeRequest::Ignore,
        Some(spec) => spec.against(size),
    }
}

/// One `range-spec`.
#[derive(Clone, Copy)]
enum Spec {
    /// `first-last` or `first-` (`last` then `None`).
    FromTo { first: u64, last: Option<u64> },
    /// `-length`: the final `length` bytes.
    Suffix { length: u64 },
}

impl Spec {
    fn parse(element: &[u8]) -> Option<Spec> {
        let dash = element.iter().position(|&b| b == b'-')?;
        let first = trim(&element[..dash]);
        let last = trim(&element[dash + 1..]);
        if first.is_empty() {
            return Some(Spec::Suffix {
                length: parse_position(last)?,
            });
        }
        let first = parse_position(first)?;
        if last.is_empty() {
            return Some(Spec::FromTo { first, last: None });
        }
        let last = parse_position(last)?;
        if last < first {
            return None;
        }
        Some(Spec::FromTo {
            first,
            last: Some(last),
        })
    }

    fn against(self, size: u64) -> RangeRequest {
        if size == 0 {
            return RangeRequest::Unsatisfiable;
        }
        let final_byte = size - 1;
        match self {
            Spec::FromTo { first, .. } if first >= size => RangeRequest::Unsatisfiable,
            Spec::FromTo { first, last } => RangeRequest::Single {
                start: first,
                end: last.map_or(final_byte, |last| last.min(final_byte)),
            },
            Spec::Suffix { length: 0 } => RangeRequest::Unsatisfiable,
            Spec::Suffix { length } => RangeRequest::Single {
                start: size.saturating_sub(length),
                end: final_byte,
            },
        }
    }
}

/// `1*DIGIT`, saturating at `u64::MAX`.
fn parse_position(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0u64, |value, &digit| {
        value
            .saturating_mul(10)
            .saturating_add(u64::from(digit - b'0'))
    }))
}

/// Longest value: `bytes ` and three 20-digit numbers with `-` and `/` between them.
// tidy: not a limit: the widest value the format can produce (three u64 numbers).
const CONTENT_RANGE_BYTES_MAX: usize = 6 + 20 + 1 + 20 + 1 + 20;
const _: () = assert!(CONTENT_RANGE_BYTES_MAX <= u8::MAX as usize);

/// A `Content-Range` field value in an inline buffer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ContentRange {
    bytes: [u8; CONTENT_RANGE_BYTES_MAX],
    len: u8,
}

impl ContentRange {
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    fn new() -> ContentRange {
        ContentRange {
            bytes: [0; CONTENT_RANGE_BYTES_MAX],
            len: 0,
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        let start = usize::from(self.len);
        let end = start + bytes.len();
        self.bytes[start..end].copy_from_slice(bytes);
        self.len = end as u8; // end <= CONTENT_RANGE_BYTES_MAX, which fits a u8.
    }

    fn push_number(&mut self, value: u64) {
        let mut digits = itoa::Buffer::new();
        self.push(digits.format(value).as_bytes());
    }
}

impl std::fmt::Debug for ContentRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ContentRange({})",
            String::from_utf8_lossy(self.as_bytes())
        )
    }
}

/// `bytes start-end/size` for a 206. `end` is inclusive; the caller passes what
/// [`super::evaluate`] returned, so `start <= end < size` holds.
pub fn content_range(start: u64, end: u64, size: u64) -> ContentRange {
    assert!(start <= end, "range start {start} after end {end}");
    assert!(
        end < size,
        "range end {end} not inside a file of {size} bytes"
    );
    let mut value = ContentRange::new();
    value.push(b"bytes ");
    value.push_number(start);
    value.push(b"-");
    value.push_number(end);
    value.push(b"/");
    value.push_number(size);
    value
}

/// `bytes */size` for a 416.
pub fn content_range_unsatisfiable(size: u64) -> ContentRange {
    let mut value = ContentRange::new();
    value.push(b"bytes */");
    value.push_number(size);
    value
}
