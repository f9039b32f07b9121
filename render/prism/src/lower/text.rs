//! Text: what a JSX text child or attribute string means, and how to write a JavaScript string
//! literal.

use oxc::allocator::Allocator;
use oxc::syntax::xml_entities::decode_entities;

/// The string a JSX text child stands for, or `None` when it is only layout whitespace.
///
/// The same algorithm as esbuild's (the bundler the expected React output is built with) and
/// Babel's: lines are trimmed of spaces and tabs where they meet a line break, lines left
/// empty are dropped, the rest are joined with one space, and entities are decoded.
pub(crate) fn jsx_text(raw: &str, allocator: &Allocator) -> Option<String> {
    let mut lines: Vec<&str> = Vec::new();
    let mut rest = raw;
    let mut first = true;
    loop {
        let (line, next) = match rest.find(['\r', '\n', '\u{2028}', '\u{2029}']) {
            Some(at) => {
                let len = rest[at..].chars().next().map_or(1, char::len_utf8);
                (&rest[..at], Some(&rest[at + len..]))
            }
            None => (rest, None),
        };
        let is_last = next.is_none();
        let mut trimmed = line;
        if !first {
            trimmed = trimmed.trim_start_matches([' ', '\t']);
        }
        if !is_last {
            trimmed = trimmed.trim_end_matches([' ', '\t']);
        }
        if !trimmed.is_empty() || (first && is_last) {
            lines.push(trimmed);
        }
        first = false;
        match next {
            Some(n) => rest = n,
            None => break,
        }
    }
    let joined = lines.join(" ");
    if joined.is_empty() {
        return None;
    }
    Some(decode(&joined, allocator))
}

/// Decodes `&amp;`-style entities, as in JSX attribute strings.
pub(crate) fn decode(text: &str, allocator: &Allocator) -> String {
    let mut decoded = None;
    decode_entities(text, &mut decoded, text.len(), allocator);
    match decoded {
        Some(buffer) => buffer.as_str().to_string(),
        None => text.to_string(),
    }
}

/// A double-quoted JavaScript string literal for `s`.
/// Whether generated `code` mentions the identifier `name` (not as part of a longer one).
pub(crate) fn contains_name(code: &str, name: &str) -> bool {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    code.match_indices(name).any(|(at, _)| {
        !code[..at].chars().next_back().is_some_and(is_ident)
            && !code[at + name.len()..].chars().next().is_some_and(is_ident)
    })
}

pub(crate) fn js_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A property name for an object literal: bare when it is a plain identifier.
pub(crate) fn js_property(name: &str) -> String {
    let mut chars = name.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if plain {
        name.to_string()
    } else {
        js_string(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, expect: Option<&str>) {
        let allocator = Allocator::default();
        assert_eq!(jsx_text(raw, &allocator).as_deref(), expect, "{raw:?}");
    }

    #[test]
    fn jsx_whitespace() {
        check("hello", Some("hello"));
        check("  both sides  ", Some("  both sides  "));
        check("\n  Hello,\n  ", Some("Hello,"));
        check("\n   a\n   b  \n", Some("a b"));
        check("\n\n   \n", None);
        check(" ", Some(" "));
        check("a \n", Some("a"));
        check("\n b", Some("b"));
        check("\ttab\t", Some("\ttab\t"));
        check("x\r\n  y", Some("x y"));
        check("&amp;&nbsp;&#65;&#x42;&bogus;", Some("&\u{a0}AB&bogus;"));
        check("\n a &amp; \n b", Some("a & b"));
    }

    #[test]
    fn strings() {
        assert_eq!(
            js_string("a\"b\\c\n\u{2028}\u{1}é"),
            "\"a\\\"b\\\\c\\n\\u2028\\u0001é\""
        );
        assert_eq!(js_property("className"), "className");
        assert_eq!(js_property("data-x"), "\"data-x\"");
        assert_eq!(js_property("xlink:href"), "\"xlink:href\"");
    }
}
