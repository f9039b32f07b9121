//! `POST /__bext/cache/invalidate`: the body, and the token that guards it.
//!
//! The body is `{"tag":"…"}` or `{"path":"/…"}`, exactly one of the two and nothing else: an
//! unknown field is refused rather than ignored, so a typo (`{"tags":…}`) is a 400 and not a
//! silent no-op that leaves stale pages up. The shard that receives the request parses it once,
//! then fans the parsed [`Invalidate`] out to every shard over the mesh.

use serde::Deserialize;

use super::ISR_TAG_BYTES_MAX;
use crate::limits::INVALIDATE_BODY_BYTES_MAX;

/// What to invalidate, on the site the request was addressed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalidate {
    Tag(String),
    /// An absolute path as the router matches it (decoded, without query); the server
    /// normalises it the same way as a request path before building the key.
    Path(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidateError {
    /// Longer than `INVALIDATE_BODY_BYTES_MAX`: 413.
    TooLarge,
    /// Not JSON, not an object, an unknown or repeated field, or a value that is not a string.
    Malformed,
    /// Neither `tag` nor `path`, or both.
    NotExactlyOne,
    /// Empty, or longer than `ISR_TAG_BYTES_MAX`.
    BadTag,
    /// Not starting with `/`, or holding a control character.
    BadPath,
}

impl InvalidateError {
    pub fn status(self) -> u16 {
        match self {
            InvalidateError::TooLarge => 413,
            _ => 400,
        }
    }
}

impl std::fmt::Display for InvalidateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InvalidateError::TooLarge => write!(
                f,
                "invalidation body over {INVALIDATE_BODY_BYTES_MAX} bytes"
            ),
            InvalidateError::Malformed => {
                f.write_str(r#"expected a JSON object {"tag": string} or {"path": string}"#)
            }
            InvalidateError::NotExactlyOne => {
                f.write_str(r#"give exactly one of "tag" and "path""#)
            }
            InvalidateError::BadTag => write!(f, "tag must be 1 to {ISR_TAG_BYTES_MAX} bytes"),
            InvalidateError::BadPath => {
                f.write_str("path must start with / and hold no control characters")
            }
        }
    }
}

impl std::error::Error for InvalidateError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    tag: Option<String>,
    path: Option<String>,
}

/// Parses the body of an invalidation request (the runtime stops reading past
/// `INVALIDATE_BODY_BYTES_MAX`; a longer body is refused here too).
pub fn parse_invalidate(body: &[u8]) -> Result<Invalidate, InvalidateError> {
    if body.len() > INVALIDATE_BODY_BYTES_MAX {
        return Err(InvalidateError::TooLarge);
    }
    let body: Body = serde_json::from_slice(body).map_err(|_| InvalidateError::Malformed)?;
    match (body.tag, body.path) {
        (Some(tag), None) => {
            if tag.is_empty() || tag.len() > ISR_TAG_BYTES_MAX {
                return Err(InvalidateError::BadTag);
            }
            Ok(Invalidate::Tag(tag))
        }
        (None, Some(path)) => {
            if !path.starts_with('/') || path.chars().any(char::is_control) {
                return Err(InvalidateError::BadPath);
            }
            Ok(Invalidate::Path(path))
        }
        _ => Err(InvalidateError::NotExactlyOne),
    }
}

/// Compares a presented token with the configured one in time that depends only on the
/// presented token's length, so timing tells an attacker nothing about how much of a guess
/// was right. An empty expected token matches nothing: the endpoint is off, not open.
///
/// Every byte of `presented` is compared (against the expected token repeated), differences
/// are OR-ed together without an early exit, and the result passes through `black_box` so the
/// optimiser cannot turn the loop back into a short-circuiting comparison.
pub fn token_matches(expected: &[u8], presented: &[u8]) -> bool {
    if expected.is_empty() {
        return false;
    }
    let mut difference = u8::from(expected.len() != presented.len());
    for (i, &byte) in presented.iter().enumerate() {
        let want = expected[i % expected.len()];
        difference |= std::hint::black_box(byte ^ want);
    }
    std::hint::black_box(difference) == 0
}
