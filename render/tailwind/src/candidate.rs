//! Parsing one candidate (`md:hover:-translate-x-2/50!`) into variants and a base.
//!
//! A candidate splits at top-level `:` into variants and the base (the last part). The base
//! may carry `!` (important, either end), a leading `-` (negative), a `/modifier` and a
//! `[…]` or `(…)` value. Which `-` separates the utility's root from its value is not known
//! from the text (`bg-red-500`, `grid-cols-2`): [`Base::splits`] yields every split and the
//! utility registry takes the first one it knows, as Tailwind does.

use crate::limits::{candidate_bytes_max, candidate_variants_max};

#[derive(Clone, Debug, PartialEq)]
pub struct Candidate<'a> {
    pub raw: &'a str,
    /// Outermost (leftmost) first.
    pub variants: Vec<&'a str>,
    pub important: bool,
    pub negative: bool,
    pub base: Base<'a>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Base<'a> {
    /// `[mask-type:luminance]`.
    ArbitraryProperty { property: &'a str, value: String },
    /// Everything else, before the root/value split.
    Plain {
        text: &'a str,
        modifier: Option<Value>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Named(String),
    /// Decoded (`_` to space); `hint` is a `[length:…]` data type.
    Arbitrary {
        value: String,
        hint: Option<String>,
    },
}

impl Value {
    pub fn named(&self) -> Option<&str> {
        match self {
            Value::Named(name) => Some(name),
            Value::Arbitrary { .. } => None,
        }
    }
}

pub fn parse(raw: &str) -> Option<Candidate<'_>> {
    if raw.is_empty() || raw.len() > candidate_bytes_max {
        return None;
    }
    let mut parts = split_top_level(raw, b':');
    let base = parts.pop()?;
    if parts.len() > candidate_variants_max || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let (base, important) = if let Some(b) = base.strip_suffix('!') {
        (b, true)
    } else if let Some(b) = base.strip_prefix('!') {
        (b, true)
    } else {
        (base, false)
    };
    if let Some(inner) = base.strip_prefix('[').and_then(|b| b.strip_suffix(']')) {
        let colon = inner.find(':')?;
        let property = &inner[..colon];
        let value = decode_arbitrary(&inner[colon + 1..]);
        let valid_property = !property.is_empty()
            && property
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-' || b.is_ascii_digit());
        if !valid_property || value.is_empty() {
            return None;
        }
        return Some(Candidate {
            raw,
            variants: parts,
            important,
            negative: false,
            base: Base::ArbitraryProperty { property, value },
        });
    }
    let (base, negative) = match base.strip_prefix('-') {
        Some(b) => (b, true),
        None => (base, false),
    };
    let mut halves = split_top_level(base, b'/');
    let (text, modifier) = match halves.len() {
        1 => (base, None),
        2 => {
            let modifier = halves.pop()?;
            (halves.pop()?, Some(parse_value(modifier)?))
        }
        _ => return None,
    };
    if text.is_empty()
        || !text
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'@' || b == b'*')
    {
        return None;
    }
    Some(Candidate {
        raw,
        variants: parts,
        important,
        negative,
        base: Base::Plain { text, modifier },
    })
}

impl<'a> Base<'a> {
    /// Every `(root, value)` split, longest root first: `bg-red-500` gives
    /// `("bg-red-500", None)`, `("bg-red", "500")`, `("bg", "red-500")`.
    pub fn splits(text: &'a str) -> Vec<(&'a str, Option<Value>)> {
        let mut out = vec![(text, None)];
        if let Some(open) = text.find("-[").or_else(|| text.find("-(")) {
            if let Some(value) = parse_value(&text[open + 1..]) {
                out.push((&text[..open], Some(value)));
            }
            return out;
        }
        for (i, b) in text.bytes().enumerate().rev() {
            if b == b'-' && i > 0 && i + 1 < text.len() {
                out.push((&text[..i], Some(Value::Named(text[i + 1..].to_string()))));
            }
        }
        out
    }
}

/// `[…]`, `(…)` or a bare name.
pub fn parse_value(text: &str) -> Option<Value> {
    if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        if inner.is_empty() {
            return None;
        }
        let (hint, body) = split_hint(inner);
        return Some(Value::Arbitrary {
            value: decode_arbitrary(body),
            hint,
        });
    }
    if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        let (hint, body) = split_hint(inner);
        if !body.starts_with("--") {
            return None;
        }
        return Some(Value::Arbitrary {
            value: format!("var({})", decode_arbitrary(body)),
            hint,
        });
    }
    if text.is_empty() || text.contains(['[', ']', '(', ')']) {
        return None;
    }
    Some(Value::Named(text.to_string()))
}

fn split_hint(inner: &str) -> (Option<String>, &str) {
    if let Some(colon) = inner.find(':') {
        let hint = &inner[..colon];
        if !hint.is_empty()
            && hint.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
            && !hint.starts_with("--")
        {
            return (Some(hint.to_string()), &inner[colon + 1..]);
        }
    }
    (None, inner)
}

/// Splits at `sep` outside `[]` and `()`.
pub fn split_top_level(text: &str, sep: u8) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'[' | b'(' => depth += 1,
            b']' | b')' => depth -= 1,
            b if b == sep && depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&text[start..]);
    out
}

/// Arbitrary values: `_` is a space (`\_` an underscore, kept inside `url()`), and math
/// operators inside `calc()`-like functions get the spaces CSS needs.
pub fn decode_arbitrary(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|(_, n)| *n == '_') => {
                out.push('_');
                chars.next();
            }
            '_' if !inside_url(&text[..i]) && !inside_var_name(&text[..i]) => out.push(' '),
            _ => out.push(c),
        }
    }
    space_math_operators(&out)
}

fn inside_url(before: &str) -> bool {
    before
        .rfind("url(")
        .is_some_and(|at| !before[at..].contains(')'))
}

fn inside_var_name(before: &str) -> bool {
    let word_start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .map_or(0, |i| i + 1);
    before[word_start..].starts_with("--")
}

const MATH_FUNCTIONS: [&str; 11] = [
    "calc", "min", "max", "clamp", "mod", "rem", "sin", "cos", "tan", "round", "abs",
];

fn space_math_operators(value: &str) -> String {
    if !MATH_FUNCTIONS
        .iter()
        .any(|f| value.contains(&format!("{f}(")))
    {
        return value.to_string();
    }
    let chars: Vec<char> = value.chars().collect();
    let mut out = String::with_capacity(value.len() + 8);
    // Whether each open paren is a math function.
    let mut stack: Vec<bool> = Vec::new();
    let mut word = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let in_math = stack.last().copied().unwrap_or(false);
        match c {
            '(' => {
                let name = word.trim_start_matches('-');
                stack.push(MATH_FUNCTIONS.contains(&name) || (in_math && name.is_empty()));
                word.clear();
                out.push(c);
            }
            ')' => {
                stack.pop();
                word.clear();
                out.push(c);
            }
            '*' | '/' if in_math => {
                trim_trailing_space(&mut out);
                out.push_str(&format!(" {c} "));
                skip_spaces(&chars, &mut i);
                word.clear();
            }
            '+' | '-' if in_math && is_binary_operator(&out, &word) => {
                trim_trailing_space(&mut out);
                out.push_str(&format!(" {c} "));
                skip_spaces(&chars, &mut i);
                word.clear();
            }
            ',' | ' ' => {
                word.clear();
                out.push(c);
            }
            _ => {
                word.push(c);
                out.push(c);
            }
        }
        i += 1;
    }
    out
}

fn is_binary_operator(out: &str, word: &str) -> bool {
    let Some(prev) = out.trim_end().chars().last() else {
        return false;
    };
    match prev {
        ')' | '%' => true,
        c if c.is_ascii_digit() => true,
        c if c.is_ascii_alphabetic() => word.starts_with(|d: char| d.is_ascii_digit() || d == '.'),
        _ => false,
    }
}

fn trim_trailing_space(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
}

fn skip_spaces(chars: &[char], i: &mut usize) {
    while chars.get(*i + 1) == Some(&' ') {
        *i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, variants: &[&str], important: bool, negative: bool, base: &str) {
        let c = parse(raw);
        let got = c.map(|c| {
            let base = match c.base {
                Base::ArbitraryProperty { property, value } => format!("[{property}={value}]"),
                Base::Plain { text, modifier } => format!(
                    "{text}{}",
                    modifier.map(|m| format!(" /{m:?}")).unwrap_or_default()
                ),
            };
            (c.variants, c.important, c.negative, base)
        });
        assert_eq!(
            got,
            Some((variants.to_vec(), important, negative, base.to_string())),
            "{raw}"
        );
    }

    #[test]
    fn candidates() {
        check("flex", &[], false, false, "flex");
        check("md:hover:-m-4!", &["md", "hover"], true, true, "m-4");
        check("!p-2", &[], true, false, "p-2");
        check(
            "bg-red-500/50",
            &[],
            false,
            false,
            "bg-red-500 /Named(\"50\")",
        );
        check(
            "[mask-type:luminance]",
            &[],
            false,
            false,
            "[mask-type=luminance]",
        );
        check(
            "data-[state=open]:flex",
            &["data-[state=open]"],
            false,
            false,
            "flex",
        );
        check(
            "w-[calc(100%-2rem)]",
            &[],
            false,
            false,
            "w-[calc(100%-2rem)]",
        );
    }

    #[test]
    fn arbitrary_values_decode() {
        for (input, expected) in [
            ("calc(100%-2rem)", "calc(100% - 2rem)"),
            ("1fr_2fr", "1fr 2fr"),
            ("url(/a_b.png)", "url(/a_b.png)"),
            ("var(--my_var)", "var(--my_var)"),
            ("calc(var(--x)*2)", "calc(var(--x) * 2)"),
            ("min(10vh,-2px)", "min(10vh,-2px)"),
        ] {
            assert_eq!(decode_arbitrary(input), expected, "{input}");
        }
    }
}
