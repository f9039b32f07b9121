//! The render protocol's wire format on the Rust side: input messages written as JSON by hand
//! (they are small and hot; no intermediate value tree), output records read with serde.

use serde::Deserialize;

use crate::app::Param;

/// Appends `s` as a JSON string literal.
pub(super) fn push_json_str(buf: &mut String, s: &str) {
    buf.reserve(s.len() + 2);
    buf.push('"');
    let mut plain_from = 0;
    for (i, byte) in s.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x00..=0x1f => "",
            _ => continue,
        };
        buf.push_str(&s[plain_from..i]);
        if escape.is_empty() {
            push_unicode_escape(buf, byte);
        } else {
            buf.push_str(escape);
        }
        plain_from = i + 1;
    }
    buf.push_str(&s[plain_from..]);
    buf.push('"');
}

fn push_unicode_escape(buf: &mut String, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    buf.push_str("\\u00");
    buf.push(HEX[usize::from(byte >> 4)] as char);
    buf.push(HEX[usize::from(byte & 0xf)] as char);
}

pub(super) fn push_u64(buf: &mut String, n: u64) {
    buf.push_str(itoa::Buffer::new().format(n));
}

/// `{"id":"42","slug":["a","b"]}`.
pub(super) fn push_params(buf: &mut String, params: &[(String, Param)]) {
    buf.push('{');
    for (i, (name, value)) in params.iter().enumerate() {
        if i > 0 {
            buf.push(',');
        }
        push_json_str(buf, name);
        buf.push(':');
        match value {
            Param::One(v) => push_json_str(buf, v),
            Param::Many(values) => push_str_array(buf, values.iter().map(String::as_str)),
        }
    }
    buf.push('}');
}

pub(super) fn push_str_array<'a>(buf: &mut String, items: impl Iterator<Item = &'a str>) {
    buf.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            buf.push(',');
        }
        push_json_str(buf, item);
    }
    buf.push(']');
}

/// `[["name","value"],...]`.
pub(super) fn push_headers(buf: &mut String, headers: &[(String, String)]) {
    buf.push('[');
    for (i, (name, value)) in headers.iter().enumerate() {
        if i > 0 {
            buf.push(',');
        }
        buf.push('[');
        push_json_str(buf, name);
        buf.push(',');
        push_json_str(buf, value);
        buf.push(']');
    }
    buf.push(']');
}

/// An output record's meta, told apart by its fixed prefix (app.js writes `"k"` first), so
/// each kind is read straight into its own struct.
pub(super) enum Record {
    Done(DoneRecord),
    Chunk(ChunkRecord),
    Fetch(FetchRecord),
    Timer(TimerRecord),
    Clear(ClearRecord),
    Log(LogRecord),
}

#[derive(Deserialize)]
pub(super) struct DoneRecord {
    pub id: u64,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub revalidate: Option<u32>,
    pub dynamic: bool,
    pub tags: Vec<String>,
    pub error: Option<FailureRecord>,
}

#[derive(Deserialize)]
pub(super) struct FailureRecord {
    pub message: String,
    #[serde(default)]
    pub stack: String,
    #[serde(default)]
    pub digest: String,
}

#[derive(Deserialize)]
pub(super) struct FetchRecord {
    pub id: u64,
    pub fetch: u32,
    pub url: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
}

/// Timer `timer` is due in `ms` milliseconds; set by render `id`, or outside any (0).
#[derive(Deserialize)]
pub(super) struct TimerRecord {
    pub id: u64,
    pub timer: u32,
    pub ms: u64,
}

/// A piece of a streamed page; the body is the piece. The first piece of a render carries
/// the status and headers.
#[derive(Deserialize)]
pub(super) struct ChunkRecord {
    pub id: u64,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub headers: Option<Vec<(String, String)>>,
}

/// Timer `timer` was cleared before it fired.
#[derive(Deserialize)]
pub(super) struct ClearRecord {
    pub timer: u32,
}

/// A `console` call: its level; the text is the record's body. Render id 0: outside a render.
#[derive(Deserialize)]
pub(super) struct LogRecord {
    pub id: u64,
    pub level: String,
}

pub(super) fn parse_record(meta: &str) -> Option<Record> {
    if meta.starts_with(r#"{"k":"done""#) {
        serde_json::from_str(meta).ok().map(Record::Done)
    } else if meta.starts_with(r#"{"k":"chunk""#) {
        serde_json::from_str(meta).ok().map(Record::Chunk)
    } else if meta.starts_with(r#"{"k":"fetch""#) {
        serde_json::from_str(meta).ok().map(Record::Fetch)
    } else if meta.starts_with(r#"{"k":"timer""#) {
        serde_json::from_str(meta).ok().map(Record::Timer)
    } else if meta.starts_with(r#"{"k":"clear""#) {
        serde_json::from_str(meta).ok().map(Record::Clear)
    } else if meta.starts_with(r#"{"k":"log""#) {
        serde_json::from_str(meta).ok().map(Record::Log)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: &str) {
        let mut buf = String::new();
        push_json_str(&mut buf, input);
        assert_eq!(buf, expect);
        let back: String = serde_json::from_str(&buf).unwrap();
        assert_eq!(back, input);
    }

    #[test]
    fn json_strings() {
        check("", r#""""#);
        check("plain", r#""plain""#);
        check("a\"b\\c", r#""a\"b\\c""#);
        check("l1\nl2\r\t", r#""l1\nl2\r\t""#);
        check("\u{1}\u{1f}", r#""\u0001\u001f""#);
        check("é✓😀 </script>", "\"é✓😀 </script>\"");
    }

    #[test]
    fn params_objects() {
        let mut buf = String::new();
        push_params(
            &mut buf,
            &[
                ("id".into(), Param::One("4\"2".into())),
                ("slug".into(), Param::Many(vec!["a".into(), "b".into()])),
                ("opt".into(), Param::Many(vec![])),
            ],
        );
        assert_eq!(buf, r#"{"id":"4\"2","slug":["a","b"],"opt":[]}"#);
    }
}
