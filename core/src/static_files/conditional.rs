//! Conditional and range requests: 304, 206, 416 or the whole file (RFC 9110 §13.2.2).
//!
//! Evaluation order, as the RFC sets it for a static `GET`/`HEAD`:
//!
//! 1. `If-None-Match`, with the weak comparison: `*` matches (the file exists), lists are
//!    comma-separated, a `W/` prefix on either side is ignored (a proxy that compresses may
//!    weaken our tag, and the client must still get its 304). A match is a 304.
//! 2. `If-Modified-Since`, only when `If-None-Match` is absent (even a malformed
//!    `If-None-Match` turns it off, as the RFC requires): a 304 when the file's mtime is not
//!    later than the date. An unparsable date is ignored. (nginx's default compares for
//!    equality; "not later" is the RFC's rule and also serves clients that send the time of
//!    their fetch instead of our `Last-Modified`.)
//! 3. `Range`, evaluated for `GET` and `HEAD` alike, so that a `HEAD` returns the headers the
//!    same `GET` would (RFC 9110 §9.3.2), as nginx does; a runtime that wants the stricter
//!    reading of §14.2 passes `range: None` for `HEAD`. See [`super::range`] for the syntax
//!    decisions.
//! 4. `If-Range`, only when there is a `Range`: the range is honoured only if the validator
//!    still matches, with the *strong* comparison. A weak tag (`W/"..."`) never matches; a date
//!    must equal `Last-Modified` exactly. Anything else (including a malformed value) means the
//!    client's partial copy is stale, so it gets the whole file.
//!
//! A method other than `GET`/`HEAD` gets [`Selection::Full`]: no 304 or 206 is defined for it.
//! The static handler answers other methods with 405 before asking.
//!
//! `If-Match` and `If-Unmodified-Since` are not read: they guard state-changing requests,
//! which a static server does not take, and would need a 412 outcome.
//!
//! Per request, so no allocation.

use super::range::{RangeRequest, parse_range};
use super::validators::{Etag, parse_http_date};
use crate::field::trim_ows as trim;

/// The request header field values that matter, borrowed from the request head. A field sent
/// on several lines may be passed as its first line only (no joining, no allocation): for
/// `If-None-Match` the worst outcome is a 200 where a 304 was possible.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Conditions<'a> {
    pub if_none_match: Option<&'a [u8]>,
    pub if_modified_since: Option<&'a [u8]>,
    pub range: Option<&'a [u8]>,
    pub if_range: Option<&'a [u8]>,
}

/// What to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    /// 304, no body.
    NotModified,
    /// 200 with the whole file.
    Full,
    /// 206 with bytes `start..=end`; `start <= end < size`.
    Partial { start: u64, end: u64 },
    /// 416 with `Content-Range: bytes */size`.
    Unsatisfiable,
}

/// Decides between 304, 200, 206 and 416 for the file with these validators.
pub fn evaluate(
    method_is_get_or_head: bool,
    conditions: &Conditions<'_>,
    etag: &Etag,
    mtime_secs: i64,
    size: u64,
) -> Selection {
    if !method_is_get_or_head {
        return Selection::Full;
    }
    let not_modified = match conditions.if_none_match {
        Some(list) => none_match_hits(list, etag),
        None => conditions
            .if_modified_since
            .and_then(parse_http_date)
            .is_some_and(|since| mtime_secs <= since),
    };
    if not_modified {
        return Selection::NotModified;
    }
    let Some(range) = conditions.range else {
        return Selection::Full;
    };
    if let Some(if_range) = conditions.if_range
        && !if_range_holds(if_range, etag, mtime_secs)
    {
        return Selection::Full;
    }
    match parse_range(range, size) {
        RangeRequest::Ignore => Selection::Full,
        RangeRequest::Single { start, end } => Selection::Partial { start, end },
        RangeRequest::Unsatisfiable => Selection::Unsatisfiable,
    }
}

/// Whether a `GET`/`HEAD` for a stored answer with these validators (its `ETag` and
/// `Last-Modified` field values, as its origin sent them) is a 304: `If-None-Match` by the
/// weak comparison, else `If-Modified-Since` against `Last-Modified`, in the same order and
/// with the same care as for files. Ranges are not considered.
pub fn not_modified(
    conditions: &Conditions<'_>,
    etag: Option<&[u8]>,
    last_modified: Option<&[u8]>,
) -> bool {
    match conditions.if_none_match {
        Some(list) => etag.is_some_and(|tag| {
            let list = trim(list);
            list == b"*" || list_hits(list, trim(tag))
        }),
        None => match (
            conditions.if_modified_since.and_then(parse_http_date),
            last_modified.and_then(parse_http_date),
        ) {
            (Some(since), Some(modified)) => modified <= since,
            _ => false,
        },
    }
}

/// Decides between 304, 200, 206 and 416 for a stored answer of `size` bytes with these
/// validators (its `ETag` and `Last-Modified` values as its origin sent them), in
/// [`evaluate`]'s order: [`not_modified`], then `Range` with `If-Range` (the strong
/// comparison against the tag, or the exact date). For a `GET` or `HEAD` only.
pub fn select_stored(
    conditions: &Conditions<'_>,
    etag: Option<&[u8]>,
    last_modified: Option<&[u8]>,
    size: u64,
) -> Selection {
    if not_modified(conditions, etag, last_modified) {
        return Selection::NotModified;
    }
    let Some(range) = conditions.range else {
        return Selection::Full;
    };
    if let Some(if_range) = conditions.if_range {
        let value = trim(if_range);
        let holds = if value.starts_with(b"W/") {
            false
        } else if value.starts_with(b"\"") {
            etag.is_some_and(|tag| trim(tag) == value)
        } else {
            match (
                parse_http_date(value),
                last_modified.and_then(parse_http_date),
            ) {
                (Some(asked), Some(modified)) => asked == modified,
                _ => false,
            }
        };
        if !holds {
            return Selection::Full;
        }
    }
    match parse_range(range, size) {
        RangeRequest::Ignore => Selection::Full,
        RangeRequest::Single { start, end } => Selection::Partial { start, end },
        RangeRequest::Unsatisfiable => Selection::Unsatisfiable,
    }
}

/// Weak comparison of our tag against an `If-None-Match` list. A malformed list stops at the
/// first bad element and counts as no match: a needless 200 is always correct, a wrong 304 is
/// not.
fn none_match_hits(list: &[u8], etag: &Etag) -> bool {
    let list = trim(list);
    list == b"*" || list_hits(list, etag.as_bytes())
}

/// Whether the entity-tag list `rest` holds `ours`, by the weak comparison.
fn list_hits(mut rest: &[u8], ours: &[u8]) -> bool {
    loop {
        rest = trim_leading_commas(rest);
        if rest.is_empty() {
            return false;
        }
        let Some((tag, after)) = split_entity_tag(rest) else {
            return false;
        };
        if opaque(tag) == opaque(ours) {
            return true;
        }
        rest = trim(after);
        if !rest.is_empty() && rest[0] != b',' {
            return false;
        }
    }
}

/// True when the `If-Range` validator still describes the file (strong comparison).
fn if_range_holds(value: &[u8], etag: &Etag, mtime_secs: i64) -> bool {
    let value = trim(value);
    if value.starts_with(b"W/") {
        return false;
    }
    if value.starts_with(b"\"") {
        return value == etag.as_bytes();
    }
    parse_http_date(value) == Some(mtime_secs)
}

/// Splits one `entity-tag` (`"..."` or `W/"..."`) off the front of `bytes`.
fn split_entity_tag(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let quoted_from = if bytes.starts_with(b"W/") { 2 } else { 0 };
    if bytes.get(quoted_from) != Some(&b'"') {
        return None;
    }
    let closing = bytes[quoted_from + 1..].iter().position(|&b| b == b'"')?;
    let end = quoted_from + 1 + closing + 1;
    Some((&bytes[..end], &bytes[end..]))
}

/// The quoted part of an entity tag, without a `W/` prefix (what the weak comparison uses).
fn opaque(tag: &[u8]) -> &[u8] {
    tag.strip_prefix(b"W/").unwrap_or(tag)
}

fn trim_leading_commas(mut bytes: &[u8]) -> &[u8] {
    loop {
        bytes = trim(bytes);
        match bytes.split_first() {
            Some((b',', rest)) => bytes = rest,
            _ => return bytes,
        }
    }
}
