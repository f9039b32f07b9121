//! Header fields as every protocol sees them: a lower-case name and a value, both [`Bytes`].
//!
//! Handlers build responses from these, and caches keep them, without knowing which protocol
//! will carry them; each driver encodes them its own way (HTTP/1.1 lines today, HPACK and QPACK
//! later). Two shapes:
//!
//! - [`Fields`]: the fields of one response, inline up to two (no heap allocation for the
//!   usual one or two per-response fields, such as `content-range` or `x-bext-cache`; a
//!   response is moved a few times between handler and driver, so it is kept small).
//! - [`FieldBlock`]: an immutable list shared by a cache entry (a static file's variant, an ISR
//!   page) through `Arc`, with its HTTP/1.1 encoding made once when the entry is built. That
//!   memo is what keeps a cached static hit at zero heap allocations and one copy of its
//!   header lines; other protocols read [`FieldBlock::fields`].
//!
//! A [`Field`] can only hold a valid field: the name is a lower-case token and the value has
//! no CR, LF or NUL, so no value chosen by app code or a config file can split a response.
//! Untrusted input goes through [`Field::new`]; constants through [`Field::from_static`].

use std::fmt;

use bytes::Bytes;
use smallvec::SmallVec;

/// One header field.
#[derive(Clone, PartialEq, Eq)]
pub struct Field {
    name: Bytes,
    value: Bytes,
}

/// Why a name or value cannot be a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidField {
    /// Empty, or a byte outside `token` (RFC 9110 §5.1).
    Name,
    /// CR, LF or NUL in the value (RFC 9110 §5.5).
    Value,
}

impl fmt::Display for InvalidField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InvalidField::Name => "invalid header field name",
            InvalidField::Value => "invalid byte (CR, LF or NUL) in header field value",
        })
    }
}

impl std::error::Error for InvalidField {}

impl Field {
    /// A field from untrusted parts. The name is lower-cased (HTTP/2 and HTTP/3 require it;
    /// HTTP/1.1 does not care); leading and trailing whitespace of the value is dropped.
    pub fn new(name: &[u8], value: &[u8]) -> Result<Field, InvalidField> {
        let value = checked(name, value)?;
        let name = if name.iter().any(u8::is_ascii_uppercase) {
            Bytes::from(name.to_ascii_lowercase())
        } else {
            Bytes::copy_from_slice(name)
        };
        Ok(Field {
            name,
            value: Bytes::copy_from_slice(value),
        })
    }

    /// A field from untrusted parts that are already in shared buffers (an upstream's
    /// response head, read into one): checked as [`Field::new`] checks, but sliced instead of
    /// copied. The name is copied only if it has upper-case letters.
    pub fn from_shared(name: Bytes, value: Bytes) -> Result<Field, InvalidField> {
        let trimmed = checked(&name, &value)?;
        // `trimmed` is a slice of `value`: its place in it.
        let start = trimmed.as_ptr() as usize - value.as_ptr() as usize;
        let value = value.slice(start..start + trimmed.len());
        let name = if name.iter().any(u8::is_ascii_uppercase) {
            Bytes::from(name.to_ascii_lowercase())
        } else {
            name
        };
        Ok(Field { name, value })
    }

    /// A field from constants; no allocation. The parts must already be valid (asserted in
    /// debug builds): a lower-case token and a value without CR, LF or NUL.
    pub fn from_static(name: &'static str, value: &'static str) -> Field {
        Field::trusted(Bytes::from_static(name.as_bytes()), Bytes::from(value))
    }

    /// A field with a constant name and a value made by bext itself (a number, a date, an
    /// ETag): no check beyond debug assertions, no copy of `value`.
    pub fn with_value(name: &'static str, value: impl Into<Bytes>) -> Field {
        Field::trusted(Bytes::from_static(name.as_bytes()), value.into())
    }

    fn trusted(name: Bytes, value: Bytes) -> Field {
        debug_assert!(!name.is_empty(), "empty field name");
        debug_assert!(
            name.iter().all(|&b| is_tchar(b) && !b.is_ascii_uppercase()),
            "field name {name:?} is not a lower-case token"
        );
        debug_assert!(
            !value.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0)),
            "field value {value:?} has CR, LF or NUL"
        );
        Field { name, value }
    }

    pub fn name(&self) -> &[u8] {
        &self.name
    }

    pub fn value(&self) -> &[u8] {
        &self.value
    }

    /// Bytes this field takes in memory and on the wire, roughly (for cache budgets).
    pub fn len(&self) -> usize {
        self.name.len() + self.value.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the name is `name` (which must be lower-case).
    pub fn is(&self, name: &str) -> bool {
        self.name.as_ref() == name.as_bytes()
    }
}

impl fmt::Debug for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            String::from_utf8_lossy(&self.name),
            String::from_utf8_lossy(&self.value)
        )
    }
}

impl From<&'static str> for Field {
    /// `"name: value"` from a constant, for tables and tests.
    fn from(line: &'static str) -> Field {
        let (name, value) = line.split_once(": ").unwrap_or((line, ""));
        Field::from_static(name, value)
    }
}

/// The fields of one response that are not in a shared [`FieldBlock`].
pub type Fields = SmallVec<[Field; 2]>;

/// An immutable list of fields shared by a cache entry, with its HTTP/1.1 encoding.
#[derive(Clone, PartialEq, Eq)]
pub struct FieldBlock {
    fields: Box<[Field]>,
    /// `name: value\r\n` for each field, made once.
    h1: Box<[u8]>,
}

impl FieldBlock {
    pub fn new(fields: Vec<Field>) -> FieldBlock {
        let mut h1 = Vec::with_capacity(fields.iter().map(|f| f.len() + 4).sum());
        for field in &fields {
            crate::h1::write_field(&mut h1, field);
        }
        FieldBlock {
            fields: fields.into_boxed_slice(),
            h1: h1.into_boxed_slice(),
        }
    }

    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// The HTTP/1.1 encoding: a `name: value\r\n` line per field, in order.
    pub fn h1(&self) -> &[u8] {
        &self.h1
    }

    /// Bytes held (for cache budgets): the fields and their encoding.
    pub fn bytes(&self) -> usize {
        self.fields.iter().map(Field::len).sum::<usize>() + self.h1.len()
    }

    /// The value of the first field named `name` (lower-case).
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.fields.iter().find(|f| f.is(name)).map(Field::value)
    }
}

/// ISR pages keep their fields as a block (`Arc<FieldBlock>`); it counts against the cache's
/// byte budget by what it holds.
impl bext_core::isr::PageHead for FieldBlock {
    fn bytes(&self) -> usize {
        FieldBlock::bytes(self)
    }
}

impl fmt::Debug for FieldBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.fields.iter()).finish()
    }
}

/// The checks of an untrusted field: `name` a token, `value` (without its surrounding
/// whitespace, which is what comes back) free of CR, LF and NUL.
fn checked<'v>(name: &[u8], value: &'v [u8]) -> Result<&'v [u8], InvalidField> {
    if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
        return Err(InvalidField::Name);
    }
    let value = bext_core::field::trim_ows(value);
    if value.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0)) {
        return Err(InvalidField::Value);
    }
    Ok(value)
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    type Case = (
        &'static [u8],
        &'static [u8],
        Result<(&'static str, &'static str), InvalidField>,
    );

    #[test]
    fn untrusted_fields_are_checked_and_lower_cased() {
        let cases: &[Case] = &[
            (b"X-Ok", b" yes ", Ok(("x-ok", "yes"))),
            (
                b"content-type",
                b"text/html",
                Ok(("content-type", "text/html")),
            ),
            (b"", b"v", Err(InvalidField::Name)),
            (b"bad name", b"v", Err(InvalidField::Name)),
            (b"x:y", b"v", Err(InvalidField::Name)),
            (b"x-bad", b"a\r\nevil: 1", Err(InvalidField::Value)),
            (b"x-bad", b"a\nb", Err(InvalidField::Value)),
            (b"x-bad", b"a\0b", Err(InvalidField::Value)),
        ];
        let cases = cases.iter().flat_map(|&(name, value, expected)| {
            // Each case both ways: copied, and sliced out of one shared buffer.
            let shared = Bytes::from([name, value].concat());
            let sliced = Field::from_shared(shared.slice(..name.len()), shared.slice(name.len()..));
            [
                (name, value, Field::new(name, value), expected),
                (name, value, sliced, expected),
            ]
        });
        for (name, value, got, expected) in cases {
            match (got, expected) {
                (Ok(field), Ok((n, v))) => {
                    assert_eq!(field.name(), n.as_bytes());
                    assert_eq!(field.value(), v.as_bytes());
                }
                (Err(e), Err(want)) => assert_eq!(e, want),
                (got, want) => panic!("{name:?}: {value:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn a_block_memoises_its_http1_lines() {
        let block = FieldBlock::new(vec![
            "content-type: text/plain".into(),
            Field::with_value("etag", "\"1-2\""),
        ]);
        assert_eq!(
            block.h1(),
            b"content-type: text/plain\r\netag: \"1-2\"\r\n".as_slice()
        );
        assert_eq!(block.get("etag"), Some(b"\"1-2\"".as_slice()));
        assert_eq!(block.get("vary"), None);
        assert_eq!(block.fields().len(), 2);
    }
}
