//! The ModSecurity configuration language, read into directives: `SecRule VARIABLES
//! "OPERATOR" "ACTIONS"`, `SecAction "ACTIONS"`, `SecMarker NAME` and the rest, one per
//! logical line.
//!
//! A line that ends in `\` goes on to the next one (the backslash and the line break are
//! removed, the next line's indentation is kept: CRS indents its action lists, and the
//! action parser trims it). `#` begins a comment line. An argument is a word or a
//! double-quoted string; inside quotes only `\"` is an escape, every other backslash is kept
//! as it is, because the arguments are mostly regular expressions whose escapes belong to
//! the regex.

use std::fmt;

/// One directive and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// As written, e.g. `SecRule` (matched case-insensitively by the loader).
    pub name: String,
    pub args: Vec<String>,
    /// The line the directive starts on, from 1.
    pub line: usize,
}

/// Text that is not a directive list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// The directives in `text`, in order.
pub fn directives(text: &str) -> Result<Vec<Directive>, SyntaxError> {
    let mut out = Vec::new();
    let mut logical = String::new();
    let mut start = 0;
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        if logical.is_empty() {
            let trimmed = raw.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            start = number;
        }
        match raw.strip_suffix('\\') {
            Some(head) => logical.push_str(head),
            None => {
                logical.push_str(raw);
                out.push(directive(&logical, start)?);
                logical.clear();
            }
        }
    }
    if !logical.trim().is_empty() {
        out.push(directive(&logical, start)?);
    }
    Ok(out)
}

/// One logical line into a directive.
fn directive(line: &str, number: usize) -> Result<Directive, SyntaxError> {
    let mut words = Words {
        rest: line.trim(),
        line: number,
    };
    let name = match words.next()? {
        Some(name) => name,
        None => {
            return Err(SyntaxError {
                line: number,
                message: "empty directive".into(),
            });
        }
    };
    let mut args = Vec::new();
    while let Some(arg) = words.next()? {
        args.push(arg);
    }
    Ok(Directive {
        name,
        args,
        line: number,
    })
}

/// Splits a logical line into words and quoted strings.
struct Words<'a> {
    rest: &'a str,
    line: usize,
}

impl Words<'_> {
    fn next(&mut self) -> Result<Option<String>, SyntaxError> {
        self.rest = self.rest.trim_start();
        let Some(first) = self.rest.chars().next() else {
            return Ok(None);
        };
        if first != '"' {
            let end = self
                .rest
                .find(char::is_whitespace)
                .unwrap_or(self.rest.len());
            let (word, rest) = self.rest.split_at(end);
            self.rest = rest;
            return Ok(Some(word.to_owned()));
        }
        let mut out = String::new();
        let mut chars = self.rest.char_indices().skip(1);
        while let Some((at, c)) = chars.next() {
            match c {
                '"' => {
                    self.rest = &self.rest[at + 1..];
                    return Ok(Some(out));
                }
                '\\' => match chars.next() {
                    Some((_, '"')) => out.push('"'),
                    Some((_, other)) => {
                        out.push('\\');
                        out.push(other);
                    }
                    None => out.push('\\'),
                },
                other => out.push(other),
            }
        }
        Err(SyntaxError {
            line: self.line,
            message: "a quoted argument has no closing quote".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expect: &[(&str, &[&str], usize)]) {
        let got = directives(text).unwrap();
        let got: Vec<(&str, Vec<&str>, usize)> = got
            .iter()
            .map(|d| {
                (
                    d.name.as_str(),
                    d.args.iter().map(String::as_str).collect(),
                    d.line,
                )
            })
            .collect();
        let expect: Vec<(&str, Vec<&str>, usize)> = expect
            .iter()
            .map(|(n, a, l)| (*n, a.to_vec(), *l))
            .collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn directives_and_continuations() {
        check(
            "# comment\n\nSecRuleEngine On\nSecRule ARGS \"@rx a\\\"b\\d\" \\\n    \"id:1,\\\n    pass\"\n",
            &[
                ("SecRuleEngine", &["On"], 3),
                ("SecRule", &["ARGS", "@rx a\"b\\d", "id:1,    pass"], 4),
            ],
        );
        check("SecMarker END-X", &[("SecMarker", &["END-X"], 1)]);
        check(
            "SecAction \"id:2\"\n  # indented comment\nSecMarker \"A B\"",
            &[("SecAction", &["id:2"], 1), ("SecMarker", &["A B"], 3)],
        );
    }

    #[test]
    fn unclosed_quote_names_its_line() {
        let error = directives("SecMarker A\n\nSecRule ARGS \"@rx a").unwrap_err();
        assert_eq!(error.line, 3);
    }
}
