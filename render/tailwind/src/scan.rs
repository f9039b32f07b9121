//! Candidate extraction from any text file, after Tailwind's oxide scanner: class-like
//! tokens are runs of class characters, with `[…]` and `(…)` balanced so that arbitrary
//! values may hold spaces-free punctuation (`w-[calc(100%-2rem)]`, `content-['x']`).
//! Extraction over-approximates on purpose: a token that is not a utility is ignored by the
//! compiler, as Tailwind ignores it.

use crate::limits::{brace_range_items_max, candidate_bytes_max};

/// Appends the candidates found in `content` to `out` (duplicates included; the compiler
/// skips repeats).
pub fn extract_candidates(content: &str, out: &mut impl Extend<String>) {
    let bytes = content.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !starts_candidate(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let mut depth = 0usize;
        while i < bytes.len() {
            let b = bytes[i];
            match b {
                b'[' | b'(' => depth += 1,
                b']' | b')' if depth > 0 => depth -= 1,
                b']' | b')' => break,
                _ if depth > 0 && b.is_ascii_whitespace() => break,
                _ if depth > 0 => {}
                _ if !is_class_byte(b) => break,
                _ => {}
            }
            i += 1;
            if i - start > candidate_bytes_max {
                break;
            }
        }
        let mut token = &content[start..i.min(content.len())];
        // Trailing punctuation that ends sentences and selectors is not part of a class.
        while let Some(last) = token.chars().last() {
            if matches!(last, '.' | ':' | ',' | '/' | '\\') {
                token = &token[..token.len() - 1];
            } else {
                break;
            }
        }
        if !token.is_empty() && token.len() <= candidate_bytes_max && balanced(token) {
            out.extend(std::iter::once(token.to_string()));
        } else if let Some(open) = token.find(['(', '[']) {
            // `clsx('flex', …)`: not a class, but what follows the paren may hold some.
            i = start + open + 1;
            continue;
        }
        if i == start {
            i += 1;
        }
    }
}

fn starts_candidate(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'!' | b'[' | b'@' | b'*')
}

fn is_class_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'_' | b':' | b'/' | b'.' | b'!' | b'@' | b'*' | b'%'
        )
}

fn balanced(token: &str) -> bool {
    let mut depth = 0i32;
    for b in token.bytes() {
        match b {
            b'[' | b'(' => depth += 1,
            b']' | b')' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}

/// Brace expansion for `@source inline()`: `{sm,md}:p-{2,4}` and `bg-red-{100..300..100}`.
pub fn expand_braces(pattern: &str) -> Vec<String> {
    let Some(open) = pattern.find('{') else {
        return vec![pattern.to_string()];
    };
    let mut depth = 0;
    let mut close = None;
    for (i, c) in pattern[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + i);
                    break;
                }
            }
            _ => {}
        }
    }
    let Some(close) = close else {
        return vec![pattern.to_string()];
    };
    let (head, inner, tail) = (
        &pattern[..open],
        &pattern[open + 1..close],
        &pattern[close + 1..],
    );
    let options: Vec<String> = match range(inner) {
        Some(list) => list,
        None => crate::candidate::split_top_level(inner, b',')
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    let tails = expand_braces(tail);
    let mut out = Vec::new();
    for option in options {
        for expanded in expand_braces(&option) {
            for t in &tails {
                let joined = format!("{head}{expanded}{t}");
                out.push(joined.replace("-&", "").replace("&", ""));
            }
        }
    }
    out
}

/// `100..900..100` → `100`, `200`, … (bounded to keep a typo from exploding).
fn range(inner: &str) -> Option<Vec<String>> {
    let mut parts = inner.split("..");
    let start: i64 = parts.next()?.parse().ok()?;
    let end: i64 = parts.next()?.parse().ok()?;
    let step: i64 = parts.next().map_or(Some(1), |s| s.parse().ok())?;
    if step <= 0 || (end - start).abs() / step > brace_range_items_max {
        return None;
    }
    let mut out = Vec::new();
    let mut n = start;
    while (start <= end && n <= end) || (start > end && n >= end) {
        out.push(n.to_string());
        n += if start <= end { step } else { -step };
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(content: &str, expected: &[&str]) {
        let mut out: Vec<String> = Vec::new();
        extract_candidates(content, &mut out);
        for e in expected {
            assert!(out.iter().any(|o| o == e), "{e} not in {out:?}");
        }
    }

    #[test]
    fn extracts_from_markup() {
        check(
            r#"<div className="md:hover:-m-4 w-[calc(100%-2rem)] bg-red-500/50 !p-2 data-[state=open]:flex">"#,
            &[
                "md:hover:-m-4",
                "w-[calc(100%-2rem)]",
                "bg-red-500/50",
                "!p-2",
                "data-[state=open]:flex",
            ],
        );
        check(
            "clsx('flex', cond && `grid-cols-3`)",
            &["flex", "grid-cols-3"],
        );
        check(
            "content-['hi'] after:content-['x']",
            &["content-['hi']", "after:content-['x']"],
        );
    }

    #[test]
    fn expands_braces() {
        assert_eq!(
            expand_braces("{sm,md}:p-{2,4}"),
            ["sm:p-2", "sm:p-4", "md:p-2", "md:p-4"]
        );
        assert_eq!(
            expand_braces("bg-red-{100..300..100}"),
            ["bg-red-100", "bg-red-200", "bg-red-300"]
        );
    }
}
