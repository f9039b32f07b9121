//! `parse_invalidate` and `token_matches`.

use crate::isr::{Invalidate, InvalidateError, parse_invalidate, token_matches};
use crate::limits::INVALIDATE_BODY_BYTES_MAX;

/// `expect` is `tag:X`, `path:X` or the error's name.
fn check(body: &str, expect: &str) {
    let got = match parse_invalidate(body.as_bytes()) {
        Ok(Invalidate::Tag(tag)) => format!("tag:{tag}"),
        Ok(Invalidate::Path(path)) => format!("path:{path}"),
        Err(error) => format!("{error:?}"),
    };
    assert_eq!(got, expect, "parse_invalidate({body:?})");
}

#[test]
fn accepted_bodies() {
    let cases = [
        (r#"{"tag":"posts"}"#, "tag:posts"),
        (r#" { "tag" : "posts" } "#, "tag:posts"),
        (r#"{"tag":"caf\u00e9"}"#, "tag:caf\u{e9}"),
        (r#"{"tag":"a b,c"}"#, "tag:a b,c"),
        (r#"{"path":"/"}"#, "path:/"),
        (r#"{"path":"/blog/hello"}"#, "path:/blog/hello"),
        (r#"{"path":"/table/50","tag":null}"#, "path:/table/50"),
    ];
    for (body, expect) in cases {
        check(body, expect);
    }
}

#[test]
fn refused_bodies() {
    let long_tag = format!(r#"{{"tag":"{}"}}"#, "x".repeat(257));
    let cases = [
        ("", "Malformed"),
        ("tag=posts", "Malformed"),
        (r#"{"tag":"posts""#, "Malformed"),
        (r#"["posts"]"#, "Malformed"),
        (r#""posts""#, "Malformed"),
        (r#"{"tag":1}"#, "Malformed"),
        (r#"{"tag":["a"]}"#, "Malformed"),
        (r#"{"tags":"posts"}"#, "Malformed"),
        (r#"{"tag":"a","tag":"b"}"#, "Malformed"),
        (r#"{"tag":"a"} trailing"#, "Malformed"),
        ("{}", "NotExactlyOne"),
        (r#"{"tag":null}"#, "NotExactlyOne"),
        (r#"{"tag":"a","path":"/a"}"#, "NotExactlyOne"),
        (r#"{"tag":""}"#, "BadTag"),
        (&long_tag, "BadTag"),
        (r#"{"path":""}"#, "BadPath"),
        (r#"{"path":"blog"}"#, "BadPath"),
        (r#"{"path":"https://evil.example/"}"#, "BadPath"),
        (r#"{"path":"/a\nb"}"#, "BadPath"),
        (r#"{"path":"/a\u0000"}"#, "BadPath"),
    ];
    for (body, expect) in cases {
        check(body, expect);
    }
}

#[test]
fn a_body_over_the_limit_is_refused_before_parsing() {
    let padding = " ".repeat(INVALIDATE_BODY_BYTES_MAX);
    check(&format!(r#"{{"tag":"a"}}{padding}"#), "TooLarge");
    let fits = format!(
        r#"{{"tag":"a"}}{}"#,
        " ".repeat(INVALIDATE_BODY_BYTES_MAX - 11)
    );
    check(&fits, "tag:a");
    assert_eq!(InvalidateError::TooLarge.status(), 413);
    assert_eq!(InvalidateError::BadPath.status(), 400);
}

#[test]
fn tokens() {
    let cases: [(&[u8], &[u8], bool); 9] = [
        (b"s3cret", b"s3cret", true),
        (b"s3cret", b"s3creT", false),
        (b"s3cret", b"s3cre", false),
        (b"s3cret", b"s3crets", false),
        // The expected token repeated must not match: lengths differ.
        (b"ab", b"abab", false),
        (b"s3cret", b"", false),
        // An unset token matches nothing, not the empty string.
        (b"", b"", false),
        (b"", b"anything", false),
        (b"\x00", b"\x00", true),
    ];
    for (expected, presented, matches) in cases {
        assert_eq!(
            token_matches(expected, presented),
            matches,
            "token_matches({expected:?}, {presented:?})"
        );
    }
}
