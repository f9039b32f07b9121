//! The `date` response header, formatted once a second instead of once a response.
//!
//! The codec never reads the clock: the runtime calls [`DateCache::update`] from its one-second
//! timer with the current Unix time, and every response copies the cached line.

use std::io::Write;
use std::time::{Duration, UNIX_EPOCH};

/// `date: ` + IMF-fixdate (always 29 bytes, RFC 9110 §5.6.7) + CRLF.
// tidy: not a limit: the fixed width of the formatted line.
const LINE_BYTES: usize = 6 + 29 + 2;
/// 9999-12-31T23:59:59Z, the last second IMF-fixdate (and httpdate) can express. A clock past
/// it is a broken clock; pinning it beats a panic.
// tidy: not a limit: the last second the date format can name.
const UNIX_SECS_MAX: u64 = 253_402_300_799;

/// A preformatted `date: <IMF-fixdate>\r\n` line.
#[derive(Debug, Clone)]
pub struct DateCache {
    unix_secs: u64,
    line: [u8; LINE_BYTES],
}

impl DateCache {
    pub fn new(unix_secs: u64) -> Self {
        let unix_secs = unix_secs.min(UNIX_SECS_MAX);
        let mut cache = DateCache {
            unix_secs,
            line: [0; LINE_BYTES],
        };
        cache.format();
        cache
    }

    /// Sets the time; formats only when the second differs from the cached one.
    pub fn update(&mut self, unix_secs: u64) {
        let unix_secs = unix_secs.min(UNIX_SECS_MAX);
        if unix_secs != self.unix_secs {
            self.unix_secs = unix_secs;
            self.format();
        }
    }

    /// The whole header line, `date: Sun, 06 Nov 1994 08:49:37 GMT\r\n`.
    pub fn line(&self) -> &[u8] {
        &self.line
    }

    fn format(&mut self) {
        // UNIX_EPOCH + secs builds a time from a number; no clock is read here.
        let date = httpdate::HttpDate::from(UNIX_EPOCH + Duration::from_secs(self.unix_secs));
        let mut out = &mut self.line[..];
        let written = write!(out, "date: {date}\r\n");
        // Writing into a slice fails only if it is too small, and IMF-fixdate has a fixed width.
        debug_assert!(
            written.is_ok() && out.is_empty(),
            "date line is {LINE_BYTES} bytes"
        );
    }
}
