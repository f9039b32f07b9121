//! What a reader sees of a page: its text with the markup taken out, so that two servers that
//! serialise the same page differently (Marko leaves attribute values unquoted and keeps
//! `&middot;` as written, React separates adjacent text with `<!-- -->`) can be checked to
//! render the same page. Attribute values are not compared; the element text is.
//!
//! Not an HTML parser: the pages compared are the benchmark's own, written without `<script>`,
//! `<style>` or `>` inside attribute values. A page outside that shape compares unequal, which
//! leaves a contender out with a message, never in with a wrong number.

/// The text of `html`: comments, the doctype and tags removed, the character references the
/// benchmark's pages use decoded, runs of whitespace collapsed to one space.
pub fn of(html: &str) -> String {
    let mut text = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        push_decoded(&mut text, &rest[..at]);
        rest = &rest[at..];
        let end = if rest.starts_with("<!--") {
            rest.find("-->").map(|end| end + 3)
        } else {
            rest.find('>').map(|end| end + 1)
        };
        match end {
            Some(end) => rest = &rest[end..],
            None => {
                // An unterminated tag: keep it as text, so that it shows in a difference.
                push_decoded(&mut text, rest);
                rest = "";
            }
        }
    }
    push_decoded(&mut text, rest);
    collapse_whitespace(&text)
}

/// The character offset of the first difference, or `None` when equal.
pub fn first_difference(a: &str, b: &str) -> Option<usize> {
    let mut left = a.chars();
    let mut right = b.chars();
    let mut at = 0;
    loop {
        match (left.next(), right.next()) {
            (None, None) => return None,
            (x, y) if x == y => at += 1,
            _ => return Some(at),
        }
    }
}

/// Up to 40 characters of `text` from character `at`.
pub fn excerpt(text: &str, at: usize) -> String {
    text.chars().skip(at).take(40).collect()
}

/// Named and numeric references as the benchmark's pages write them; an unknown one stays as
/// written.
const ENTITIES: [(&str, char); 8] = [
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{a0}'),
    ("middot", '\u{b7}'),
    ("copy", '\u{a9}'),
];

fn push_decoded(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest
            .find(';')
            .filter(|end| *end <= 12)
            .and_then(|end| decode(&rest[1..end]).map(|c| (c, end + 1)));
        match decoded {
            Some((c, used)) => {
                out.push(c);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

fn decode(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let value = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(value);
    }
    ENTITIES
        .iter()
        .find(|(entity, _)| *entity == name)
        .map(|(_, c)| *c)
}

fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_ascii_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(html: &str, expect: &str) {
        assert_eq!(of(html), expect, "html: {html:?}");
    }

    #[test]
    fn takes_out_markup_and_decodes_references() {
        check("<p class=\"lead\">3<!-- --> rows<!-- -->.</p>", "3 rows.");
        check("<p class=lead>3 rows.</p>", "3 rows.");
        check("<!doctype html><title>A &amp; B</title>", "A & B");
        check("a &middot; b &#xB7; c &#183;", "a \u{b7} b \u{b7} c \u{b7}");
        check(
            "x&#x27;s &apos;q&apos; &unknown; & done",
            "x's 'q' &unknown; & done",
        );
        check("<td>\n  1\n</td><td>2</td>", "1 2");
        check("<a href=/x>x</a><br/><img src=a alt>y", "xy");
        check("text <unterminated", "text <unterminated");
        check("", "");
    }

    #[test]
    fn react_and_marko_serialisations_of_one_row_read_the_same() {
        let react = "<tr><td class=\"num\">1</td><td><span class=\"role\">editor</span></td>\
                     <td><div class=\"progress\" title=\"63%\"><div class=\"progress-bar\" style=\"width:63%\"></div></div></td></tr>";
        let marko = "<tr><td class=num>1</td><td><span class=role>editor</span></td>\
                     <td><div class=progress title=\"63%\"><div class=progress-bar style=width:63%></div></div></td></tr>";
        assert_eq!(first_difference(&of(react), &of(marko)), None);
        assert_eq!(first_difference(&of(react), &of("<td>2</td>")), Some(0));
        assert_eq!(first_difference("abc", "abd"), Some(2));
        assert_eq!(first_difference("ab", "abc"), Some(2));
        assert_eq!(excerpt("abcdef", 2), "cdef");
    }
}
