//! Validators: the `ETag` and `Last-Modified` of a file, and HTTP dates.
//!
//! The ETag is nginx's: `"<mtime seconds hex>-<size hex>"`, strong, so caches and `If-Range`
//! may use it. It is derived from metadata alone: hashing content would mean reading every file
//! before its first byte is sent. Precompressed variants are different representations and so
//! get their own tag, with `-br`/`-gz` appended inside the quotes. The runtime passes the
//! metadata of the file whose bytes it sends (the `.br` file for Brotli).
//!
//! Known weakness, shared with nginx: a file rewritten within the same second at the same size
//! keeps its tag. `inode` and `mtime_nanos` are not part of the tag on purpose: the tag then
//! survives a copy or a restore that keeps mtimes (rsync -t, container layers), and the same
//! file served by several machines behind one load balancer gets the same tag. The runtime's
//! file cache uses all four fields to notice that a file changed.
//!
//! Everything here returns fixed-size inline buffers: no heap allocation, since the runtime
//! formats `Date` once per second and the validators once per cache entry, but parses request
//! dates on every conditional request.

use std::fmt::{self, Write as _};
use std::time::{Duration, UNIX_EPOCH};

use super::encoding::Encoding;

/// What the runtime learned from `stat` (or `statx`) about a file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileMeta {
    pub size: u64,
    pub mtime_secs: i64,
    pub mtime_nanos: u32,
    pub inode: u64,
}

/// Longest tag: two quotes, two 16-digit hex numbers, a dash, and `-br`.
// tidy: not a limit: the widest ETag the format can produce.
const ETAG_BYTES_MAX: usize = 2 + 16 + 1 + 16 + 3;
const _: () = assert!(ETAG_BYTES_MAX <= u8::MAX as usize);

/// A strong entity tag, quotes included, ready to be the `ETag` field value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Etag {
    bytes: [u8; ETAG_BYTES_MAX],
    len: u8,
}

impl Etag {
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl fmt::Debug for Etag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Etag({})", String::from_utf8_lossy(self.as_bytes()))
    }
}

/// The tag of one representation of a file. A negative mtime (before 1970) is written as its
/// two's-complement bit pattern, so distinct mtimes still give distinct tags.
pub fn etag(meta: &FileMeta, encoding: Encoding) -> Etag {
    let mut tag = Etag {
        bytes: [0; ETAG_BYTES_MAX],
        len: 0,
    };
    let mut len = 0;
    let mut push = |bytes: &[u8]| {
        tag.bytes[len..len + bytes.len()].copy_from_slice(bytes);
        len += bytes.len();
    };
    push(b"\"");
    push(hex(u64::from_ne_bytes(meta.mtime_secs.to_ne_bytes())).as_slice());
    push(b"-");
    push(hex(meta.size).as_slice());
    push(encoding.etag_suffix().as_bytes());
    push(b"\"");
    tag.len = len as u8; // len <= ETAG_BYTES_MAX, asserted below to fit a u8.
    tag
}

/// Lowercase hex digits of `value`, without leading zeros.
struct Hex {
    digits: [u8; 16],
    start: usize,
}

impl Hex {
    fn as_slice(&self) -> &[u8] {
        &self.digits[self.start..]
    }
}

fn hex(mut value: u64) -> Hex {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Hex {
        digits: [b'0'; 16],
        start: 16,
    };
    loop {
        out.start -= 1;
        out.digits[out.start] = DIGITS[(value & 0xf) as usize];
        value >>= 4;
        if value == 0 {
            return out;
        }
    }
}

/// Length of an IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`.
// tidy: not a limit: the fixed width of an IMF-fixdate.
pub const HTTP_DATE_BYTES: usize = 29;

/// An IMF-fixdate (RFC 9110 §5.6.7), the only date format bext sends.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HttpDate([u8; HTTP_DATE_BYTES]);

impl HttpDate {
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for HttpDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HttpDate({})", String::from_utf8_lossy(&self.0))
    }
}

/// The last second an HTTP date can name: 9999-12-31T23:59:59Z.
// tidy: not a limit: the last second the date format can name.
const HTTP_DATE_SECS_MAX: i64 = 253_402_300_799;

/// Formats a Unix time. Times before 1970 or after 9999, which an HTTP date cannot hold (and
/// which a file's mtime can claim), are clamped to those bounds rather than refused.
pub fn http_date(unix_secs: i64) -> HttpDate {
    let secs = unix_secs.clamp(0, HTTP_DATE_SECS_MAX);
    let secs = u64::try_from(secs).unwrap_or(0);
    let time = UNIX_EPOCH + Duration::from_secs(secs);
    let mut out = FixedWriter {
        bytes: *b"Thu, 01 Jan 1970 00:00:00 GMT",
        len: 0,
    };
    // Cannot fail: httpdate writes exactly HTTP_DATE_BYTES bytes. Should it ever, the buffer
    // still holds a valid date (the epoch, possibly partly overwritten by another valid one).
    let written = write!(out, "{}", httpdate::HttpDate::from(time));
    debug_assert!(written.is_ok() && out.len == HTTP_DATE_BYTES);
    HttpDate(out.bytes)
}

/// A `fmt::Write` into a fixed array, refusing to overflow it.
struct FixedWriter {
    bytes: [u8; HTTP_DATE_BYTES],
    len: usize,
}

impl fmt::Write for FixedWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let target = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        target.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Parses an HTTP date in any of the three formats RFC 9110 requires recipients to accept
/// (IMF-fixdate, RFC 850, asctime), surrounding whitespace allowed. `None` when malformed or
/// outside 1970..=9999.
pub fn parse_http_date(bytes: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(bytes).ok()?;
    let time = httpdate::parse_http_date(text).ok()?;
    let secs = time.duration_since(UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(secs).ok()
}
