//! Access-log lines: nginx's `combined` format or one JSON object per line.
//!
//! The runtime appends lines to a per-shard buffer and flushes it off the hot path; this
//! module only formats, from values the runtime hands in (including the time, as Unix
//! seconds: no clock here).
//!
//! Refused requests (a head that does not parse, a body refused, a 408) are logged too: they
//! are what an operator most wants to see when under attack. They have no request line to
//! show (`"-"` in `combined`, `null` fields and a `refused` reason in JSON), and their lines
//! are rate-limited per shard by [`RefusedBudget`], so a flood of garbage cannot turn the log
//! into the attacker's disk-filling tool.

use std::io::Write as _;
use std::net::IpAddr;

/// Which line format `[server] access_log_format` picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Combined,
    Json,
}

/// One answered request, borrowed from the request buffer.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub peer: IpAddr,
    pub unix_secs: i64,
    /// `None` for a request refused before its request line could be read.
    pub request: Option<RequestLine<'a>>,
    /// Why the request was refused, for refusals (JSON only; `combined` has no field for it).
    pub refused: Option<&'a str>,
    pub status: u16,
    pub body_bytes: u64,
    pub referer: Option<&'a [u8]>,
    pub user_agent: Option<&'a [u8]>,
    pub host: Option<&'a [u8]>,
    pub duration_micros: u64,
}

/// What the log shows of a request line.
#[derive(Debug, Clone, Copy)]
pub struct RequestLine<'a> {
    pub method: &'a [u8],
    /// The request target exactly as received.
    pub target: &'a [u8],
    /// `HTTP/1.1`, `HTTP/1.0`, ...
    pub protocol: &'a str,
}

/// How many refused requests one shard logs per second; the rest are counted, not written.
#[derive(Debug, Clone, Copy)]
pub struct RefusedBudget {
    per_second: u32,
    second: u64,
    used: u32,
}

impl RefusedBudget {
    pub fn new(per_second: u32) -> RefusedBudget {
        RefusedBudget {
            per_second,
            second: 0,
            used: 0,
        }
    }

    /// Whether a refused request seen at `unix_secs` may be logged; spends one line if so.
    pub fn allow(&mut self, unix_secs: u64) -> bool {
        if unix_secs != self.second {
            self.second = unix_secs;
            self.used = 0;
        }
        if self.used >= self.per_second {
            return false;
        }
        self.used += 1;
        true
    }
}

/// Appends one line, ending in `\n`, to `out`.
pub fn write_line(out: &mut Vec<u8>, format: Format, e: &Entry<'_>) {
    match format {
        Format::Combined => combined(out, e),
        Format::Json => json(out, e),
    }
}

fn combined(out: &mut Vec<u8>, e: &Entry<'_>) {
    let _ = write!(out, "{} - - [", e.peer);
    clf_time(out, e.unix_secs);
    out.extend_from_slice(b"] \"");
    match &e.request {
        Some(line) => {
            escaped_quoted_body(out, line.method);
            out.push(b' ');
            escaped_quoted_body(out, line.target);
            out.push(b' ');
            escaped_quoted_body(out, line.protocol.as_bytes());
        }
        None => out.push(b'-'),
    }
    let _ = write!(out, "\" {} {} \"", e.status, e.body_bytes);
    escaped_quoted_body(out, e.referer.unwrap_or(b"-"));
    out.extend_from_slice(b"\" \"");
    escaped_quoted_body(out, e.user_agent.unwrap_or(b"-"));
    out.extend_from_slice(b"\"\n");
}

fn json(out: &mut Vec<u8>, e: &Entry<'_>) {
    let _ = write!(
        out,
        "{{\"time\":{},\"remote_addr\":\"{}\",\"method\":",
        e.unix_secs, e.peer
    );
    json_opt(out, e.request.map(|l| l.method));
    out.extend_from_slice(b",\"target\":");
    json_opt(out, e.request.map(|l| l.target));
    out.extend_from_slice(b",\"protocol\":");
    json_opt(out, e.request.map(|l| l.protocol.as_bytes()));
    let _ = write!(
        out,
        ",\"status\":{},\"body_bytes\":{},\"duration_us\":{},\"host\":",
        e.status, e.body_bytes, e.duration_micros
    );
    json_opt(out, e.host);
    out.extend_from_slice(b",\"referer\":");
    json_opt(out, e.referer);
    out.extend_from_slice(b",\"user_agent\":");
    json_opt(out, e.user_agent);
    if let Some(reason) = e.refused {
        out.extend_from_slice(b",\"refused\":");
        json_opt(out, Some(reason.as_bytes()));
    }
    out.extend_from_slice(b"}\n");
}

fn json_opt(out: &mut Vec<u8>, value: Option<&[u8]>) {
    match value {
        Some(v) => {
            out.push(b'"');
            escaped_quoted_body(out, v);
            out.push(b'"');
        }
        None => out.extend_from_slice(b"null"),
    }
}

/// Escapes bytes for the inside of a double-quoted string, JSON-compatible: `"` and `\` are
/// backslashed, control and non-ASCII bytes become `\xHH` (nginx's escaping) so a log line can
/// never be split or forged by request bytes.
fn escaped_quoted_body(out: &mut Vec<u8>, bytes: &[u8]) {
    for &b in bytes {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x20..=0x7e => out.push(b),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(b >> 4)],
                    HEX[usize::from(b & 0xf)],
                ]);
            }
        }
    }
}

/// `10/Oct/2000:13:55:36 +0000` (always UTC).
fn clf_time(out: &mut Vec<u8>, unix_secs: i64) {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = unix_secs.div_euclid(86_400);
    let secs = unix_secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let _ = write!(
        out,
        "{day:02}/{}/{year}:{:02}:{:02}:{:02} +0000",
        MONTHS[(month - 1) as usize],
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    );
}

/// Howard Hinnant's days-to-civil algorithm: (year, month 1..=12, day 1..=31).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry<'static> {
        Entry {
            peer: "127.0.0.1".parse().unwrap(),
            unix_secs: 971_186_136, // 2000-10-10T13:55:36Z
            request: Some(RequestLine {
                method: b"GET",
                target: b"/a\"b?x=1",
                protocol: "HTTP/1.1",
            }),
            refused: None,
            status: 200,
            body_bytes: 2326,
            referer: None,
            user_agent: Some(b"curl/8\n"),
            host: Some(b"example.com"),
            duration_micros: 12,
        }
    }

    fn line(format: Format, e: &Entry<'_>) -> String {
        let mut out = Vec::new();
        write_line(&mut out, format, e);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn combined_matches_nginx_layout() {
        assert_eq!(
            line(Format::Combined, &entry()),
            "127.0.0.1 - - [10/Oct/2000:13:55:36 +0000] \"GET /a\\\"b?x=1 HTTP/1.1\" 200 2326 \"-\" \"curl/8\\u000A\"\n"
        );
    }

    #[test]
    fn json_is_valid_and_escaped() {
        let text = line(Format::Json, &entry());
        assert!(
            text.ends_with('\n') && text.matches('\n').count() == 1,
            "one line: {text}"
        );
        assert_eq!(
            text,
            "{\"time\":971186136,\"remote_addr\":\"127.0.0.1\",\"method\":\"GET\",\"target\":\"/a\\\"b?x=1\",\"protocol\":\"HTTP/1.1\",\"status\":200,\"body_bytes\":2326,\"duration_us\":12,\"host\":\"example.com\",\"referer\":null,\"user_agent\":\"curl/8\\u000A\"}\n"
        );
    }

    #[test]
    fn refused_requests_have_no_request_line_and_say_why() {
        let refused = Entry {
            request: None,
            refused: Some("bare LF in head"),
            status: 400,
            body_bytes: 0,
            user_agent: None,
            host: None,
            ..entry()
        };
        assert_eq!(
            line(Format::Combined, &refused),
            "127.0.0.1 - - [10/Oct/2000:13:55:36 +0000] \"-\" 400 0 \"-\" \"-\"\n"
        );
        assert_eq!(
            line(Format::Json, &refused),
            "{\"time\":971186136,\"remote_addr\":\"127.0.0.1\",\"method\":null,\"target\":null,\"protocol\":null,\"status\":400,\"body_bytes\":0,\"duration_us\":12,\"host\":null,\"referer\":null,\"user_agent\":null,\"refused\":\"bare LF in head\"}\n"
        );
    }

    #[test]
    fn the_refused_budget_renews_each_second() {
        let mut budget = RefusedBudget::new(2);
        let seen: Vec<bool> = [10, 10, 10, 11, 11, 11, 11, 12]
            .iter()
            .map(|&second| budget.allow(second))
            .collect();
        assert_eq!(seen, [true, true, false, true, true, false, false, true]);
    }

    #[test]
    fn civil_dates() {
        for (days, expect) in [
            (0, (1970, 1, 1)),
            (11_016, (2000, 2, 29)),
            (-1, (1969, 12, 31)),
            (20_781, (2026, 11, 24)),
        ] {
            assert_eq!(civil_from_days(days), expect, "days {days}");
        }
    }
}
