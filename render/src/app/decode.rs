//! Percent-decoding of one URL path segment.

use std::borrow::Cow;

/// Decodes `%XX` escapes. Borrows when there is nothing to decode (the common case, so a
/// static match allocates nothing). A `%` not followed by two hex digits stays as it is.
/// Returns `None` when the decoded bytes are not UTF-8: such a segment matches no route.
pub(crate) fn decode_segment(raw: &str) -> Option<Cow<'_, str>> {
    if !raw.contains('%') {
        return Some(Cow::Borrowed(raw));
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).and_then(hex),
                bytes.get(i + 2).and_then(hex),
            )
        {
            out.push(hi << 4 | lo);
            i += 3;
            continue;
        }
        out.push(byte);
        i += 1;
    }
    String::from_utf8(out).ok().map(Cow::Owned)
}

fn hex(byte: &u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}
