//! Small helpers for reading header field values, shared by the static-file rules here and by
//! the HTTP/1.1 codec in `bext-net`.

/// Strips optional whitespace (RFC 9110 `OWS`: spaces and tabs) from both ends.
pub fn trim_ows(bytes: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = bytes.iter().position(|b| !is_ows(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |last| last + 1);
    &bytes[start..end]
}
