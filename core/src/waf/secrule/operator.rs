//! SecRule operators: the `"@name argument"` part of a rule, compiled once when the rule is
//! loaded and run over every (transformed) value of the rule's targets.
//!
//! # Semantics
//!
//! The goal is to behave as ModSecurity v3 and Coraza do on the OWASP Core Rule Set v4, so
//! that CRS's regression corpus passes as it does under Coraza. Where the two disagree, this
//! module follows Coraza unless noted (numbers are parsed as Go's `strconv.Atoi` does, for
//! one); `@containsWord`, which Coraza lacks, follows ModSecurity.
//!
//! - **Parsing.** A spec is `[!]@name argument`; a spec without `@` is a regular expression
//!   (`"^abc"` is `@rx ^abc`, `"!^abc"` is `!@rx ^abc`). The argument is the rest after the
//!   first whitespace, trimmed, as Coraza takes it. Names are matched ASCII
//!   case-insensitively, as ModSecurity's lexer does.
//! - **Negation.** A leading `!` is kept in the [`Operator`] and applied inside
//!   [`Operator::matches`], so the engine never has to know about it. A negated operator
//!   never captures: it matches exactly when the operator proper found nothing to capture.
//! - **Macros.** The string operators (`@streq`, `@contains`, `@beginsWith`, `@within`, ...)
//!   and the numeric comparisons accept `%{...}` macros in their argument. This module does
//!   no expansion (it has no transaction): [`Operator::macro_arg`] hands the raw argument to
//!   the engine, which expands it per transaction and passes the result back to
//!   [`Operator::matches`] as `expanded`. `@rx` and `@pm` arguments are always static, as in
//!   Coraza (a `%{` there is literal), so that they are compiled exactly once.
//!
//! # Matching
//!
//! - **`@rx`** uses [`regex::bytes`]: linear time whatever the input (no backtracking, so no
//!   ReDoS), and it matches raw bytes, so request data that is not UTF-8 is still inspected.
//!   CRS v4 is written to the RE2 subset precisely so that it runs on such engines. Patterns
//!   are compiled with dot-all and multi-line on, the flags ModSecurity v3 passes to PCRE
//!   (`PCRE2_DOTALL | PCRE2_MULTILINE`) and Coraza prepends (`(?sm)`). They are first built
//!   with Unicode off, which is what PCRE without its UTF flag does: `.` and `[^x]` match
//!   any single byte, `\w`, `\d`, `\s` and `\b` are ASCII, `(?i)` folds ASCII, and both
//!   `\xff` and `\x{ff}` are the byte 0xFF (`regex` reads the braced form as a code point,
//!   so it is respelled first: CRS writes UTF-8 sequences byte by byte that way). A pattern
//!   that needs Unicode (`\p{L}`, say) fails that build and is then built with Unicode on,
//!   where `.` matches a whole UTF-8 character (and no invalid byte); no CRS v4 pattern
//!   does. A `{` that starts no repetition is a literal in PCRE and an error in `regex`, so
//!   a pattern that fails on one is compiled again with it escaped. Captures `TX:0`..`TX:9`
//!   are the whole match and the first nine groups; a group that did not take part
//!   captures the empty string.
//! - **`@pm` / `@pmFromFile`** use [`aho_corasick`], one automaton over every phrase,
//!   ASCII case-insensitive and leftmost-longest (as Coraza builds it): the cost is linear
//!   in the input whatever the number of phrases, which matters for CRS's data files of
//!   hundreds of entries. `@pm` also takes ModSecurity's content syntax: a quoted list,
//!   `|4142|` hex bytes and `\:` `\;` `\\` `\"` escapes.
//! - **`@detectSQLi` / `@detectXSS`** use `libinjectionrs`, a pure-Rust port of
//!   libinjection (no C, no `unsafe`); the SQLi fingerprint is capture 0.
//! - The other operators are byte comparisons written here.
//!
//! Nothing here panics on input: slices are taken with `get`, numbers saturate.

use super::transform::hex_value;
use crate::limits::{WAF_CAPTURES_MAX, WAF_RX_DFA_SIZE_BYTES_MAX, WAF_RX_SIZE_BYTES_MAX};
use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;

use aho_corasick::{AhoCorasick, MatchKind};
use memchr::memmem;
use regex::bytes::{Regex, RegexBuilder};

/// A compiled operator, negation included.
#[derive(Debug, Clone)]
pub struct Operator {
    /// The operator's name as written (canonical spelling), without `@`.
    name: &'static str,
    /// Whether the spec began with `!`.
    negated: bool,
    /// The argument, trimmed, as written.
    arg: String,
    /// Whether `arg` holds a macro the engine expands (only for operators that take one).
    has_macro: bool,
    kind: Kind,
}

/// Why an operator did not compile (the rule loader adds file, line and rule id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorError(pub String);

impl fmt::Display for OperatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OperatorError {}

/// What an operator does, with whatever it compiled.
#[derive(Debug, Clone)]
enum Kind {
    /// The regex, and whether it was compiled with Unicode (the prefilter's sets must be).
    Rx {
        re: Regex,
        unicode: bool,
    },
    Pm(AhoCorasick),
    /// A string comparison with the (possibly expanded) argument.
    Str(StrOp),
    /// `@eq` and friends; `static_arg` is the parsed argument when it has no macro.
    Num {
        cmp: Cmp,
        static_arg: i64,
    },
    IpMatch(Vec<Cidr>),
    /// `@validateByteRange`: which bytes are allowed.
    ByteRange(Box<[bool; 256]>),
    /// An operator without an argument.
    Plain(PlainOp),
}

#[derive(Debug, Clone, Copy)]
enum StrOp {
    /// `@streq`: the input equals the argument.
    Eq,
    /// `@contains` and `@strmatch`: the argument occurs in the input.
    Contains,
    /// `@containsWord`: the argument occurs in the input between non-letters.
    ContainsWord,
    BeginsWith,
    EndsWith,
    /// `@within`: the input occurs in the argument.
    Within,
}

#[derive(Debug, Clone, Copy)]
enum PlainOp {
    ValidateUrlEncoding,
    ValidateUtf8Encoding,
    DetectSqli,
    DetectXss,
    Unconditional,
    NoMatch,
}

#[derive(Debug, Clone, Copy)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// The operators this engine knows, by lowercase name: the spelling to report and what to
/// build.
const OPERATORS: &[(&str, &str, Builds)] = &[
    ("rx", "rx", Builds::Rx),
    ("pm", "pm", Builds::Pm),
    ("pmf", "pmf", Builds::PmFromFile),
    ("pmfromfile", "pmFromFile", Builds::PmFromFile),
    ("streq", "streq", Builds::Str(StrOp::Eq)),
    ("strmatch", "strmatch", Builds::Str(StrOp::Contains)),
    ("contains", "contains", Builds::Str(StrOp::Contains)),
    (
        "containsword",
        "containsWord",
        Builds::Str(StrOp::ContainsWord),
    ),
    ("beginswith", "beginsWith", Builds::Str(StrOp::BeginsWith)),
    ("endswith", "endsWith", Builds::Str(StrOp::EndsWith)),
    ("within", "within", Builds::Str(StrOp::Within)),
    ("eq", "eq", Builds::Num(Cmp::Eq)),
    ("ne", "ne", Builds::Num(Cmp::Ne)),
    ("lt", "lt", Builds::Num(Cmp::Lt)),
    ("le", "le", Builds::Num(Cmp::Le)),
    ("gt", "gt", Builds::Num(Cmp::Gt)),
    ("ge", "ge", Builds::Num(Cmp::Ge)),
    ("ipmatch", "ipMatch", Builds::IpMatch),
    ("ipmatchf", "ipMatchF", Builds::IpMatchFromFile),
    (
        "ipmatchfromfile",
        "ipMatchFromFile",
        Builds::IpMatchFromFile,
    ),
    ("validatebyterange", "validateByteRange", Builds::ByteRange),
    (
        "validateurlencoding",
        "validateUrlEncoding",
        Builds::Plain(PlainOp::ValidateUrlEncoding),
    ),
    (
        "validateutf8encoding",
        "validateUtf8Encoding",
        Builds::Plain(PlainOp::ValidateUtf8Encoding),
    ),
    (
        "detectsqli",
        "detectSQLi",
        Builds::Plain(PlainOp::DetectSqli),
    ),
    ("detectxss", "detectXSS", Builds::Plain(PlainOp::DetectXss)),
    (
        "unconditionalmatch",
        "unconditionalMatch",
        Builds::Plain(PlainOp::Unconditional),
    ),
    ("nomatch", "noMatch", Builds::Plain(PlainOp::NoMatch)),
];

#[derive(Debug, Clone, Copy)]
enum Builds {
    Rx,
    Pm,
    PmFromFile,
    /// A string comparison whose argument may hold macros.
    Str(StrOp),
    Num(Cmp),
    IpMatch,
    IpMatchFromFile,
    ByteRange,
    /// An operator that takes no argument.
    Plain(PlainOp),
}

fn err(message: impl Into<String>) -> OperatorError {
    OperatorError(message.into())
}

impl Operator {
    /// Compiles the operator string of a SecRule as written between its quotes, e.g.
    /// `@rx ^abc`, `!@pm foo bar`, `@pmFromFile php-errors.data`,
    /// `@ge %{tx.inbound_anomaly_score_threshold}`, or a bare pattern with no `@` (that is
    /// `@rx`). `read_data(name)` returns the text of a data file named in
    /// `@pmFromFile`/`@pmf`/`@ipMatchFromFile` (the caller resolves it next to the rules
    /// file; this never touches the filesystem).
    pub fn compile(
        spec: &str,
        read_data: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<Operator, OperatorError> {
        let (negated, rest) = match spec.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, spec),
        };
        let (written, arg) = match rest.strip_prefix('@') {
            Some(named) => match named.find(|c: char| c.is_ascii_whitespace()) {
                Some(end) => (
                    named.get(..end).unwrap_or(named),
                    named.get(end..).unwrap_or(""),
                ),
                None => (named, ""),
            },
            None => ("rx", rest),
        };
        let arg = arg.trim();
        let lower = written.to_ascii_lowercase();
        let Some(&(_, name, builds)) = OPERATORS.iter().find(|(key, _, _)| *key == lower) else {
            return Err(if written.is_empty() {
                err("missing operator name after '@'")
            } else {
                err(format!("unsupported operator @{written}"))
            });
        };
        let has_macro = arg.contains("%{");
        let kind = match builds {
            Builds::Rx => {
                let (re, unicode) = compile_rx(arg)?;
                Kind::Rx { re, unicode }
            }
            Builds::Pm => {
                let phrases = pm_phrases(arg);
                if phrases.is_empty() {
                    return Err(err("@pm needs at least one phrase"));
                }
                Kind::Pm(build_pm(&phrases)?)
            }
            Builds::PmFromFile => {
                let mut phrases = Vec::new();
                for text in read_files(name, arg, read_data)? {
                    phrases.extend(data_lines(&text).map(|line| line.as_bytes().to_vec()));
                }
                Kind::Pm(build_pm(&phrases)?)
            }
            Builds::Str(op) => Kind::Str(op),
            Builds::Num(cmp) => Kind::Num {
                cmp,
                static_arg: go_atoi(arg.as_bytes()),
            },
            Builds::IpMatch => {
                let nets = parse_cidrs(arg.split(','))?;
                if nets.is_empty() {
                    return Err(err("@ipMatch needs at least one address or prefix"));
                }
                Kind::IpMatch(nets)
            }
            Builds::IpMatchFromFile => {
                let texts = read_files(name, arg, read_data)?;
                Kind::IpMatch(parse_cidrs(texts.iter().flat_map(|text| data_lines(text)))?)
            }
            Builds::ByteRange => Kind::ByteRange(parse_byte_ranges(arg)?),
            Builds::Plain(op) => Kind::Plain(op),
        };
        let takes_macro = matches!(builds, Builds::Str(_) | Builds::Num(_));
        Ok(Operator {
            name,
            negated,
            arg: arg.to_owned(),
            has_macro: takes_macro && has_macro,
            kind,
        })
    }

    /// The operator's argument when it contains a macro (`%{...}`), which the engine expands
    /// per transaction and passes to [`matches`](Self::matches) as `expanded`; `None` when
    /// the argument is static (always so for `@rx`, `@pm` and the operators without one).
    pub fn macro_arg(&self) -> Option<&str> {
        self.has_macro.then_some(self.arg.as_str())
    }

    /// Whether `input` matches (negation applied). `expanded` is the expanded argument when
    /// [`macro_arg`](Self::macro_arg) is `Some` (ignored otherwise; the argument as written
    /// stands in if it is missing). When `captures` is `Some` and the result is a match, it
    /// is cleared and, if the operator captures (`@rx` groups 0..=9, `@pm` the phrase found,
    /// `@detectSQLi` the libinjection fingerprint, all in 0 up), filled; it is left alone
    /// when there is no match.
    pub fn matches(
        &self,
        input: &[u8],
        expanded: Option<&[u8]>,
        captures: Option<&mut Vec<Vec<u8>>>,
    ) -> bool {
        let arg = match (self.has_macro, expanded) {
            (true, Some(expanded)) => expanded,
            _ => self.arg.as_bytes(),
        };
        let mut found = Vec::new();
        let sink = (!self.negated && captures.is_some()).then_some(&mut found);
        let matched = self.kind.matches(input, arg, self.has_macro, sink) != self.negated;
        if matched && let Some(captures) = captures {
            captures.clear();
            captures.append(&mut found);
        }
        matched
    }

    /// For `@rx`, the regex (its `as_str` is the pattern after the rewrites the module doc
    /// describes) and whether it has Unicode on: what the prefilter needs to compile the
    /// pattern again into a set.
    pub fn rx_pattern(&self) -> Option<(&Regex, bool)> {
        match &self.kind {
            Kind::Rx { re, unicode } => Some((re, *unicode)),
            _ => None,
        }
    }

    /// What [`matches`](Self::matches) returns for an `@rx` whose pattern is known not to
    /// match the input (the prefilter said so), with the same effect on `captures`: a miss,
    /// or for a negated operator a match that captures nothing.
    pub fn rx_miss(&self, captures: Option<&mut Vec<Vec<u8>>>) -> bool {
        debug_assert!(
            matches!(self.kind, Kind::Rx { .. }),
            "rx_miss on @{}",
            self.name
        );
        if self.negated
            && let Some(captures) = captures
        {
            captures.clear();
        }
        self.negated
    }

    /// Whether the spec began with `!`.
    pub fn is_negated(&self) -> bool {
        self.negated
    }

    /// The operator's name as written, without `@` (for logs), e.g. `"rx"`; aliases keep
    /// their own spelling (`"pmf"`, `"pmFromFile"`).
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl Kind {
    /// The operator proper, without negation. `captures`, when given, is empty and is
    /// filled on a match.
    fn matches(
        &self,
        input: &[u8],
        arg: &[u8],
        arg_is_expanded: bool,
        captures: Option<&mut Vec<Vec<u8>>>,
    ) -> bool {
        match self {
            Kind::Rx { re, .. } => {
                match captures {
                    None => re.is_match(input),
                    // Most values do not match: the DFA's yes or no first, the capture
                    // groups only for a match.
                    Some(_) if !re.is_match(input) => false,
                    Some(captures) => match re.captures(input) {
                        None => false,
                        Some(groups) => {
                            captures.extend(groups.iter().take(WAF_CAPTURES_MAX).map(|group| {
                                group.map(|m| m.as_bytes().to_vec()).unwrap_or_default()
                            }));
                            true
                        }
                    },
                }
            }
            Kind::Pm(automaton) => match automaton.find(input) {
                None => false,
                Some(found) => {
                    if let Some(captures) = captures {
                        let phrase = input.get(found.start()..found.end()).unwrap_or_default();
                        captures.push(phrase.to_vec());
                    }
                    true
                }
            },
            Kind::Str(op) => match op {
                StrOp::Eq => input == arg,
                StrOp::Contains => memmem::find(input, arg).is_some(),
                StrOp::ContainsWord => contains_word(input, arg),
                StrOp::BeginsWith => input.starts_with(arg),
                StrOp::EndsWith => input.ends_with(arg),
                StrOp::Within => memmem::find(arg, input).is_some(),
            },
            Kind::Num { cmp, static_arg } => {
                let bound = if arg_is_expanded {
                    go_atoi(arg)
                } else {
                    *static_arg
                };
                let value = go_atoi(input);
                match cmp {
                    Cmp::Eq => value == bound,
                    Cmp::Ne => value != bound,
                    Cmp::Lt => value < bound,
                    Cmp::Le => value <= bound,
                    Cmp::Gt => value > bound,
                    Cmp::Ge => value >= bound,
                }
            }
            Kind::IpMatch(nets) => match parse_address(input) {
                Some((v6, bits)) => nets.iter().any(|net| net.contains(v6, bits)),
                None => false,
            },
            Kind::ByteRange(allowed) => input.iter().any(|&b| !allowed[usize::from(b)]),
            Kind::Plain(op) => match op {
                PlainOp::ValidateUrlEncoding => !url_encoding_is_valid(input),
                PlainOp::ValidateUtf8Encoding => std::str::from_utf8(input).is_err(),
                PlainOp::DetectSqli => {
                    // `detect_sqli` is `SqliState::new(input, FLAG_NONE)`, `detect()`, then
                    // `get_fingerprint()`, which tokenizes and folds the input once more. The
                    // fingerprint only matters for a match (capture 0), and almost no value
                    // matches: ask `detect()` alone, and only for a match pay for the whole
                    // call, so that the fingerprint is exactly the one `detect_sqli` reports.
                    let flags = libinjectionrs::SqliFlags::FLAG_NONE;
                    if !libinjectionrs::SqliState::new(input, flags).detect() {
                        return false;
                    }
                    let result = libinjectionrs::detect_sqli(input);
                    if let (Some(captures), Some(fingerprint)) = (captures, &result.fingerprint) {
                        captures.push(fingerprint.as_str().as_bytes().to_vec());
                    }
                    result.is_injection()
                }
                PlainOp::DetectXss => libinjectionrs::detect_xss(input).is_injection(),
                PlainOp::Unconditional => true,
                PlainOp::NoMatch => false,
            },
        }
    }
}

/// Compiles an `@rx` pattern: dot-all and multi-line, bytes without Unicode where the
/// pattern allows, with Unicode otherwise (see the module doc).
fn compile_rx(pattern: &str) -> Result<(Regex, bool), OperatorError> {
    let build = |pattern: &str| {
        build_rx(pattern, false)
            .map(|re| (re, false))
            .or_else(|_| build_rx(pattern, true).map(|re| (re, true)))
    };
    let error = match build(pattern) {
        Ok(re) => return Ok(re),
        Err(error) => error,
    };
    // PCRE (and RE2) take a `{` that starts no quantifier as a literal, `regex` refuses it:
    // escape those and try again. Only a pattern that failed is rewritten.
    if let Some(escaped) = escape_literal_braces(pattern)
        && let Ok(re) = build(&escaped)
    {
        return Ok(re);
    }
    Err(err(format!("@rx pattern does not compile: {error}")))
}

/// Builds an `@rx` regex over bytes, dot-all and multi-line, Unicode on or off.
fn build_rx(pattern: &str, unicode: bool) -> Result<Regex, regex::Error> {
    let pattern = if unicode {
        Cow::Borrowed(pattern)
    } else {
        braced_hex_as_bytes(pattern)
    };
    RegexBuilder::new(&pattern)
        .unicode(unicode)
        .dot_matches_new_line(true)
        .multi_line(true)
        .size_limit(WAF_RX_SIZE_BYTES_MAX)
        .dfa_size_limit(WAF_RX_DFA_SIZE_BYTES_MAX)
        .build()
}

/// `pattern` with each `\x{hh}` escape of a value up to 0xff spelled `\xhh`. PCRE
/// without UTF reads both as the byte hh, and CRS relies on it (`\x{c2}\x{b4}` is the
/// two bytes of `´` in REQUEST-942, `\x{bc}` a raw byte in REQUEST-941); `regex` reads the
/// braced form as the code point U+00hh, two bytes in UTF-8, even with Unicode off.
fn braced_hex_as_bytes(pattern: &str) -> Cow<'_, str> {
    if !pattern.contains("\\x{") {
        return Cow::Borrowed(pattern);
    }
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(at) = rest.find('\\') {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let after = from.get(1..).unwrap_or("");
        let byte = after.strip_prefix("x{").and_then(|body| {
            let (hex, tail) = body.split_once('}')?;
            let valid = (1..=8).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit());
            let value = u32::from_str_radix(hex, 16)
                .ok()
                .filter(|&v| valid && v <= 0xff)?;
            Some((value, tail))
        });
        if let Some((value, tail)) = byte {
            out.push_str(&format!("\\x{value:02x}"));
            rest = tail;
            continue;
        }
        // Any other escape is copied whole, so that `\\x{2}` stays a backslash and `x{2}`.
        out.push('\\');
        let mut chars = after.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// `pattern` with every `{` that does not start a counted repetition (`{2}`, `{2,}`,
/// `{2,5}`) outside a character class escaped, or `None` if there is none. Braces that
/// belong to an escape (`\x{41}`, `\p{Greek}`) are left as they are.
fn escape_literal_braces(pattern: &str) -> Option<String> {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut changed = false;
    let mut in_class = false;
    let mut chars = pattern.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                let Some((_, escaped)) = chars.next() else {
                    break;
                };
                out.push(escaped);
                if matches!(escaped, 'x' | 'p' | 'P')
                    && chars.peek().is_some_and(|&(_, c)| c == '{')
                {
                    for (_, c) in chars.by_ref() {
                        out.push(c);
                        if c == '}' {
                            break;
                        }
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // A `]` right after `[` or `[^` is a member, not the end.
                if chars.peek().is_some_and(|&(_, c)| c == '^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek().is_some_and(|&(_, c)| c == ']') {
                    out.push(']');
                    chars.next();
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            '{' if !in_class && !starts_repetition(pattern.get(at + 1..).unwrap_or("")) => {
                out.push_str("\\{");
                changed = true;
            }
            c => out.push(c),
        }
    }
    changed.then_some(out)
}

/// Whether `rest`, what follows a `{`, is the body of a counted repetition: `n}`, `n,}`
/// or `n,m}`.
fn starts_repetition(rest: &str) -> bool {
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let first = digits(rest);
    if first == 0 {
        return false;
    }
    let rest = rest.get(first..).unwrap_or("");
    match rest.strip_prefix(',') {
        Some(rest) => rest.get(digits(rest)..).unwrap_or("").starts_with('}'),
        None => rest.starts_with('}'),
    }
}

/// Builds the phrase automaton of `@pm`/`@pmFromFile`.
fn build_pm(phrases: &[Vec<u8>]) -> Result<AhoCorasick, OperatorError> {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(phrases)
        .map_err(|e| err(format!("phrase list does not compile: {e}")))
}

/// The phrases of an `@pm` argument: ModSecurity's content syntax (an optional pair of
/// surrounding double quotes, `|hex|` byte runs, `\:` `\;` `\\` `\"` escapes) decoded, then
/// split on whitespace. An argument that is not valid in that syntax is taken as written,
/// as ModSecurity does.
fn pm_phrases(arg: &str) -> Vec<Vec<u8>> {
    let decoded = decode_pm_content(arg).unwrap_or_else(|| arg.as_bytes().to_vec());
    decoded
        .split(|b| b.is_ascii_whitespace())
        .filter(|phrase| !phrase.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// Decodes ModSecurity's `@pm` content syntax; `None` when it is malformed.
fn decode_pm_content(arg: &str) -> Option<Vec<u8>> {
    let bytes = arg.as_bytes();
    let unquoted = match bytes {
        [b'"', inner @ .., b'"'] => inner,
        _ => bytes,
    };
    let mut out = Vec::with_capacity(unquoted.len());
    let (mut in_hex, mut escaped) = (false, false);
    let mut high_nibble: Option<u8> = None;
    for &b in unquoted {
        if b == b'|' {
            in_hex = !in_hex;
        } else if !escaped && b == b'\\' {
            escaped = true;
        } else if in_hex {
            let nibble = hex_value(b)?;
            match high_nibble.take() {
                Some(high) => out.push(high << 4 | nibble),
                None => high_nibble = Some(nibble),
            }
        } else if escaped {
            if !matches!(b, b':' | b';' | b'\\' | b'"') {
                return None;
            }
            out.push(b);
            escaped = false;
        } else {
            out.push(b);
        }
    }
    Some(out)
}

/// Reads every data file named (space-separated) in `arg`.
fn read_files(
    name: &str,
    arg: &str,
    read_data: &dyn Fn(&str) -> Result<String, String>,
) -> Result<Vec<String>, OperatorError> {
    let files: Vec<&str> = arg.split_ascii_whitespace().collect();
    if files.is_empty() {
        return Err(err(format!("@{name} needs a data file name")));
    }
    files
        .into_iter()
        .map(|file| {
            read_data(file).map_err(|e| err(format!("@{name}: cannot read data file {file}: {e}")))
        })
        .collect()
}

/// The entries of a data file: lines trimmed, blank lines and `#` comments skipped.
fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// Whether `word` occurs in `input` with no ASCII letter right before or after it, as
/// ModSecurity's `@containsWord` defines a word (digits and `_` are separators there). An
/// empty word is in every input.
fn contains_word(input: &[u8], word: &[u8]) -> bool {
    if word.is_empty() {
        return true;
    }
    let not_letter = |at: Option<usize>| match at.and_then(|i| input.get(i)) {
        Some(b) => !b.is_ascii_alphabetic(),
        None => true,
    };
    memmem::find_iter(input, word)
        .any(|start| not_letter(start.checked_sub(1)) && not_letter(start.checked_add(word.len())))
}

/// Parses a number as Go's `strconv.Atoi` does, which is what Coraza's `@eq`..`@ge` use:
/// an optional sign then decimal digits and nothing else (no spaces, no trailing text);
/// anything else is 0, and a number out of range saturates. (ModSecurity's `std::stoi`
/// would also skip leading spaces and stop at the first non-digit: `"12abc"` is 12 there,
/// 0 here.)
fn go_atoi(text: &[u8]) -> i64 {
    let (negative, digits) = match text {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return 0;
    }
    let saturated = if negative { i64::MIN } else { i64::MAX };
    let mut value: i64 = 0;
    for &d in digits {
        let d = i64::from(d - b'0');
        let next = value.checked_mul(10).and_then(|v| {
            if negative {
                v.checked_sub(d)
            } else {
                v.checked_add(d)
            }
        });
        match next {
            Some(next) => value = next,
            None => return saturated,
        }
    }
    value
}

/// An address prefix of `@ipMatch`: the address's bits (an IPv4 address in the low 32)
/// with those past the prefix cleared.
#[derive(Debug, Clone, Copy)]
struct Cidr {
    v6: bool,
    bits: u128,
    prefix: u32,
}

impl Cidr {
    fn contains(&self, v6: bool, bits: u128) -> bool {
        self.v6 == v6 && mask(v6, bits, self.prefix) == self.bits
    }
}

/// `bits` with all but the first `prefix` bits of the address cleared.
fn mask(v6: bool, bits: u128, prefix: u32) -> u128 {
    let width = if v6 { 128 } else { 32 };
    let clear = width - prefix.min(width);
    bits.checked_shr(clear)
        .and_then(|b| b.checked_shl(clear))
        .unwrap_or(0)
}

/// An address as `(is IPv6, bits)`; an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) counts
/// as the IPv4 address, as Go's `net.IPNet.Contains` takes it.
fn split_address(addr: IpAddr) -> (bool, u128) {
    match addr {
        IpAddr::V4(v4) => (false, u128::from(u32::from(v4))),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => (false, u128::from(u32::from(v4))),
            None => (true, u128::from(v6)),
        },
    }
}

/// The input of `@ipMatch`: an address exactly (no spaces, no port); `None` otherwise.
fn parse_address(input: &[u8]) -> Option<(bool, u128)> {
    let text = std::str::from_utf8(input).ok()?;
    text.parse::<IpAddr>().ok().map(split_address)
}

/// Parses `@ipMatch` entries (`1.2.3.4`, `10.0.0.0/8`, `::1`, `2001:db8::/32`); blank
/// entries are skipped and anything else that is not an address or prefix is an error.
fn parse_cidrs<'a>(entries: impl Iterator<Item = &'a str>) -> Result<Vec<Cidr>, OperatorError> {
    let mut nets = Vec::new();
    for entry in entries.map(str::trim).filter(|entry| !entry.is_empty()) {
        let invalid = || err(format!("@ipMatch: invalid address or prefix {entry:?}"));
        let (address, prefix) = match entry.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (entry, None),
        };
        let parsed: IpAddr = address.trim().parse().map_err(|_| invalid())?;
        let width = if parsed.is_ipv6() { 128 } else { 32 };
        let prefix = match prefix {
            Some(prefix) => prefix.trim().parse::<u32>().map_err(|_| invalid())?,
            None => width,
        };
        if prefix > width {
            return Err(invalid());
        }
        let (v6, bits) = split_address(parsed);
        // A mapped prefix (`::ffff:10.0.0.0/104`) becomes the IPv4 one it spells.
        let prefix = if parsed.is_ipv6() && !v6 {
            prefix.saturating_sub(96)
        } else {
            prefix
        };
        nets.push(Cidr {
            v6,
            bits: mask(v6, bits, prefix),
            prefix,
        });
    }
    Ok(nets)
}

/// Parses `@validateByteRange`'s list (`9,10,13,32-126`) into the set of allowed bytes.
/// An empty list allows no byte, as in ModSecurity.
fn parse_byte_ranges(arg: &str) -> Result<Box<[bool; 256]>, OperatorError> {
    let mut allowed = Box::new([false; 256]);
    let byte = |text: &str| {
        text.trim().parse::<u8>().map_err(|_| {
            err(format!(
                "@validateByteRange: {:?} is not a byte (0-255)",
                text.trim()
            ))
        })
    };
    for part in arg
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        let (start, end) = match part.split_once('-') {
            Some((start, end)) => (byte(start)?, byte(end)?),
            None => (byte(part)?, byte(part)?),
        };
        if start > end {
            return Err(err(format!("@validateByteRange: empty range {part}")));
        }
        for b in start..=end {
            allowed[usize::from(b)] = true;
        }
    }
    Ok(allowed)
}

/// Whether every `%` in `input` starts a `%XX` escape with two hex digits (the check of
/// ModSecurity's and Coraza's `@validateUrlEncoding`).
fn url_encoding_is_valid(input: &[u8]) -> bool {
    let mut rest = input;
    while let Some(at) = memchr::memchr(b'%', rest) {
        match rest.get(at + 1..at + 3) {
            Some(&[high, low]) if high.is_ascii_hexdigit() && low.is_ascii_hexdigit() => {
                rest = rest.get(at + 3..).unwrap_or_default();
            }
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `read_data` for operators that read no file.
    fn no_files(name: &str) -> Result<String, String> {
        Err(format!("no data file {name} in this test"))
    }

    fn compile(spec: &str) -> Operator {
        match Operator::compile(spec, &no_files) {
            Ok(op) => op,
            Err(e) => panic!("{spec:?} does not compile: {e}"),
        }
    }

    /// Compiles `spec` and checks it against `input`, with the argument as written standing
    /// in for its expansion.
    fn check(spec: &str, input: &[u8], expect: bool) {
        let op = compile(spec);
        let expanded = op.macro_arg().map(str::as_bytes);
        assert_eq!(
            op.matches(input, expanded, None),
            expect,
            "{spec:?} on {:?}",
            String::from_utf8_lossy(input)
        );
    }

    /// `(spec, input, expected)`, run through [`check`]. Cases marked `msc` are
    /// ModSecurity's `secrules-language-tests/operators` vectors.
    const CASES: &[(&str, &[u8], bool)] = &[
        // @rx, and the bare pattern that means it.
        ("@rx test", b"qqtestqq", true),   // msc
        ("@rx ", b"", true),               // msc
        ("@rx TestCase", b"", false),      // msc
        ("@rx ghij", b"abcdefghi", false), // msc
        (
            "@rx (?i:(sleep\\((\\s*?)(\\d*?)(\\s*?)\\)|benchmark\\((.*?)\\,(.*?)\\)))",
            b"SELECT pg_sleep(10);",
            true,
        ), // msc
        ("@rx abc\ndef", b"abc\ndef", true), // msc
        ("^abc", b"abcdef", true),
        ("^abc", b"xabc", false),
        ("!^abc", b"xabc", true),
        ("!^abc", b"abc", false),
        ("!@rx ^abc", b"abc", false),
        ("!@rx ^abc", b"", true),
        ("@RX ^abc", b"abc", true),
        // Dot-all and multi-line, as ModSecurity passes PCRE and Coraza prepends.
        ("@rx a.b", b"a\nb", true),
        ("@rx ^b", b"a\nb", true),
        ("@rx ^\\d+$", b"12\n", true),
        ("@rx \\Aa$", b"a\nb", true),
        ("@rx \\Ab\\z", b"a\nb", false),
        // Bytes, as PCRE without UTF: `.` is one byte, `\xff` a byte, invalid UTF-8 is fine.
        ("@rx ^.$", b"\xff", true),
        ("@rx ^.$", "é".as_bytes(), false),
        ("@rx ^..$", "é".as_bytes(), true),
        ("@rx \\xff", b"a\xffb", true),
        ("@rx [^a]", b"\x80", true),
        ("@rx (?i)select", b"SeLeCt \xc0\xaf", true),
        ("@rx ^\\w+$", "héllo".as_bytes(), false),
        ("@rx \\bor\\b", b"1 or 2", true),
        ("@rx \\bor\\b", b"1 for 2", false),
        // `\x{hh}` is the byte hh too, as in PCRE without UTF (CRS 933, 934, 941, 942).
        ("@rx ^\\x{c2}\\x{b4}$", "´".as_bytes(), true),
        ("@rx ^\\x{bc}$", b"\xbc", true),
        ("@rx ^\\x{bc}$", "¼".as_bytes(), false),
        ("@rx ^\\x{0bc}$", b"\xbc", true),
        ("@rx ^[\\x7f-\\x{ff}]+$", b"\x7f\xff", true),
        ("@rx ^[^>\\x{be}]$", b"\xbe", false),
        ("@rx ^[^>\\x{be}]$", b"\xbd", true),
        ("@rx ^\\\\x{2}$", b"\\xx", true),
        ("@rx ^\\x{e9}$", "é".as_bytes(), false),
        ("@rx ^\\x{100}$", "Ā".as_bytes(), true),
        // A pattern that needs Unicode gets it.
        ("@rx ^\\p{Greek}+$", "αβγ".as_bytes(), true),
        ("@rx ^\\p{Greek}+$", b"abc", false),
        // A `{` that starts no repetition is a literal, as in PCRE.
        ("@rx a{", b"xa{", true),
        ("@rx ^%{tx.a}$", b"%{tx.a}", true),
        ("@rx {foo}", b"{foo}", true),
        ("@rx a{2}b{,", b"aab{,", true),
        ("@rx a{2}b{,", b"ab{,", false),
        ("@rx [{]x{1,2}{", b"{xx{", true),
        ("@rx \\x{41}{2}{", b"AA{", true),
        ("@rx \\{a{", b"{a{", true),
        // @pm: phrases, ASCII case-insensitive, ModSecurity's content syntax.
        ("@pm TestCase", b"", false),            // msc
        ("@pm abc", b"abcdefghi", true),         // msc
        ("@pm ghij", b"abcdefghi", false),       // msc
        ("@pm abc def ghi", b"xxxdefyyy", true), // msc
        ("@pm abc def ghi", b"xxxyyyghi", true), // msc
        ("@pm abc def ghi", b"xxxyyyzzz", false),
        ("@pm WebZIP", b"mozilla webzip/4.0", true),
        ("@pm  a   b ", b"xbx", true),
        ("@pm  a   b ", b"xcx", false),
        ("@pm ?> <![cdata[", b"x <![CDATA[ y", true),
        ("@pm |41|BC", b"xabcx", true),
        ("@pm |4142|c", b"ABC", true),
        ("@pm a\\:b", b"a:b", true),
        ("@pm \"foo bar\"", b"xbarx", true),
        ("!@pm foo bar", b"baz", true),
        ("!@pm foo bar", b"FOO", false),
        ("@pm é", "café".as_bytes(), true),
        // @streq, @strmatch, @contains, @beginsWith, @endsWith, @within.
        ("@streq ", b"", true),                   // msc
        ("@streq TestCase", b"", false),          // msc
        ("@streq ", b"TestCase", false),          // msc
        ("@streq abc", b"abcdefghi", false),      // msc
        ("@streq abcdefghi", b"abcdefghi", true), // msc
        ("@streq abc", b"ABC", false),
        ("!@streq POST", b"GET", true),
        ("@strmatch TestCase", b"", false),      // msc
        ("@strmatch def", b"abcdefghi", true),   // msc
        ("@strmatch ghij", b"abcdefghi", false), // msc
        ("@contains ", b"", true),               // msc
        ("@contains TestCase", b"", false),      // msc
        ("@contains ", b"TestCase", true),       // msc
        ("@contains ghi", b"abcdefghi", true),   // msc
        ("@contains ghij", b"abcdefghi", false), // msc
        (
            "@contains hiding",
            b"hidinX<-not quite, but is later on->hiding",
            true,
        ), // msc
        ("@contains a b", b"xa by", true),
        ("@beginsWith ", b"", true),                // msc
        ("@beginsWith TestCase", b"", false),       // msc
        ("@beginsWith ", b"TestCase", true),        // msc
        ("@beginsWith abcdef", b"abcdef", true),    // msc
        ("@beginsWith abcdef", b"abcdefghi", true), // msc
        ("@beginsWith abcdef", b"abc", false),      // msc
        ("@endsWith ", b"", true),                  // msc
        ("@endsWith TestCase", b"", false),         // msc
        ("@endsWith ", b"TestCase", true),          // msc
        ("@endsWith def", b"abcdefghi", false),     // msc
        ("@endsWith ghi", b"abcdefghi", true),      // msc
        ("@endsWith ghi", b"abcdef\0ghi", true),    // msc
        ("@within ", b"", true),                    // msc
        ("@within TestCase", b"", true),            // msc
        ("@within ", b"TestCase", false),           // msc
        ("@within abcdefghi", b"def", true),        // msc
        ("@within abcdefghi", b"ghij", false),      // msc
        ("@within GET HEAD POST OPTIONS", b"POST", true),
        ("!@within GET HEAD POST OPTIONS", b"PUT", true),
        ("!@within GET HEAD POST OPTIONS", b"GET", false),
        // @containsWord: the word between non-letters (ModSecurity).
        ("@containsWord ", b"", true),                // msc
        ("@containsWord TestCase", b"", false),       // msc
        ("@containsWord ", b"TestCase", true),        // msc
        ("@containsWord abc", b"abcdefghi", false),   // msc
        ("@containsWord ghi", b"abcdefghi", false),   // msc
        ("@containsWord abc", b"abc def ghi", true),  // msc
        ("@containsWord def", b"abc def ghi", true),  // msc
        ("@containsWord ghi", b"abc def ghi", true),  // msc
        ("@containsWord def", b"abc\0def ghi", true), // msc
        ("@containsWord x", b"x", true),              // msc
        ("@containsWord x", b" x ", true),            // msc
        ("@containsWord y", b"xyz", false),           // msc
        (
            "@containsWord hiding",
            b"hidingX<-not on word boundary, but is later on->hiding",
            true,
        ), // msc
        ("@containsWord abc", b"1abc_", true),
        // Numbers: Go's strconv.Atoi, as Coraza (non-numbers are 0).
        ("@eq 0", b"", true),      // msc
        ("@eq 5", b"", false),     // msc
        ("@eq xxx", b"0", true),   // msc
        ("@eq xxx", b"-1", false), // msc
        ("@eq 0", b"xxx", true),   // msc
        ("@eq 0", b"-5", false),   // msc
        ("@eq 5", b"5", true),     // msc
        ("@eq 5", b"10", false),   // msc
        ("@eq 12", b"+12", true),
        ("@eq 0", b"12abc", true),
        ("@eq 0", b" 12", true),
        ("@eq 0", b"-", true),
        ("@eq 9223372036854775807", b"99999999999999999999", true),
        ("@eq -9223372036854775808", b"-99999999999999999999", true),
        ("!@eq 0", b"1", true),
        ("@ne 0", b"1", true),
        ("@ne 1", b"1", false),
        ("@ge 0", b"", true),      // msc
        ("@ge 5", b"", false),     // msc
        ("@ge xxx", b"5", true),   // msc
        ("@ge xxx", b"-1", false), // msc
        ("@ge 0", b"-5", false),   // msc
        ("@ge 5", b"5", true),     // msc
        ("@ge 5", b"10", true),    // msc
        ("@gt 0", b"", false),     // msc
        ("@gt xxx", b"5", true),   // msc
        ("@gt -1", b"xxx", true),  // msc
        ("@gt 5", b"5", false),    // msc
        ("@gt 5", b"10", true),    // msc
        ("@le 0", b"", true),      // msc
        ("@le xxx", b"5", false),  // msc
        ("@le xxx", b"-1", true),  // msc
        ("@le 0", b"-5", true),    // msc
        ("@le 5", b"5", true),     // msc
        ("@le 5", b"10", false),   // msc
        ("@lt 0", b"", false),     // msc
        ("@lt 5", b"", true),      // msc
        ("@lt xxx", b"-1", true),  // msc
        ("@lt -1", b"xxx", false), // msc
        ("@lt 5", b"xxx", true),   // msc
        ("@lt 5", b"5", false),    // msc
        ("@lt 5", b"10", false),   // msc
        ("!@lt 5", b"10", true),
        // @ipMatch.
        ("@ipMatch 10.10.10.10", b"10.10.10.10", true), // msc
        ("@ipMatch 10.10.10.10", b"10.10.10.11", false), // msc
        ("@ipMatch 10.10.10.0/21", b"10.10.10.11", true), // msc
        ("@ipMatch 10.10.10.0/21", b"10.10.7.254", false), // msc
        ("@ipMatch 10.10.10.0/21", b"10.10.8.1", true), // msc
        ("@ipMatch 10.10.10.0/21", b"10.10.16.1", false), // msc
        ("@ipMatch 10.10.10.0/21", b"10.10.15.254", true), // msc
        ("@ipMatch 192.168.1.0/24", b"192.168.1.254", true), // msc
        ("@ipMatch 156.149.249.1/8", b"10.10.10.11", false), // msc
        ("@ipMatch 156.149.249.1/8", b"156.149.152.152", true), // msc
        ("@ipMatch 127.0.0.1,::1", b"::1", true),
        ("@ipMatch 127.0.0.1, ::1", b"127.0.0.1", true),
        ("@ipMatch 127.0.0.1,::1", b"127.0.0.2", false),
        ("@ipMatch 127.0.0.1,::1", b"::2", false),
        ("@ipMatch 127.0.0.1", b"::ffff:127.0.0.1", true),
        ("@ipMatch ::ffff:10.0.0.0/104", b"10.1.2.3", true),
        (
            "@ipMatch 2001:db8::/32",
            b"2001:0db8:85a3:0000:0000:8a2e:0370:7334",
            true,
        ),
        ("@ipMatch 2001:db8::/32", b"2001:db9::1", false),
        ("@ipMatch 0.0.0.0/0", b"203.0.113.9", true),
        ("@ipMatch 0.0.0.0/0", b"::1", false),
        ("@ipMatch ::/0", b"2001:db8::1", true),
        ("@ipMatch 10.0.0.0/8", b"10.0.0.1 ", false),
        ("@ipMatch 10.0.0.0/8", b"not an address", false),
        ("@ipMatch 10.0.0.0/8", b"", false),
        ("!@ipMatch 10.0.0.0/8", b"11.0.0.1", true),
        // @validateByteRange: matches when a byte is outside the ranges.
        ("@validateByteRange 0-255", b"", false),   // msc
        ("@validateByteRange ", b"TestCase", true), // msc
        ("@validateByteRange 0-255", b"abcdefghi", false), // msc
        ("@validateByteRange 97-105", b"abcdefghi", false), // msc
        ("@validateByteRange 97-105", b"abcdefghij", true), // msc
        ("@validateByteRange 0-255", b"\xd0\x90", false), // msc
        ("@validateByteRange 1-255", b"a\0b", true),
        ("@validateByteRange 1-255", b"ab\xff", false),
        (
            "@validateByteRange 9,10,13,32-126",
            b"GET /a?b=c\r\n",
            false,
        ),
        ("@validateByteRange 9,10,13,32-126", b"caf\xc3\xa9", true),
        ("@validateByteRange 38, 44-46 ,48-58", b"&,-.09:", false),
        ("@validateByteRange 38, 44-46 ,48-58", b"&,-.09:;", true),
        ("!@validateByteRange 32-126", b"abc", true),
        // @validateUrlEncoding: matches on a bad %-escape.
        ("@validateUrlEncoding", b"", false), // msc
        ("@validateUrlEncoding", b"Hello%20World!", false), // msc
        ("@validateUrlEncoding", b"Hello+World!", false), // msc
        ("@validateUrlEncoding", b"%00Hello%20World!", false), // msc
        ("@validateUrlEncoding", b"Hello%20World!%00", false), // msc
        ("@validateUrlEncoding", b"%ff", false), // msc
        ("@validateUrlEncoding", b"%0", true), // msc
        ("@validateUrlEncoding", b"%f", true), // msc
        ("@validateUrlEncoding", b"%", true), // msc
        ("@validateUrlEncoding", b"%0z", true), // msc
        ("@validateUrlEncoding", b"%z0", true), // msc
        ("@validateUrlEncoding", b"%0%", true), // msc
        ("@validateUrlEncoding", b"a%%41", true),
        ("@validateUrlEncoding", b"%41%42%4A%4a", false),
        // @validateUtf8Encoding: invalid, truncated, overlong, surrogate, past U+10FFFF.
        ("@validateUtf8Encoding", b"", false), // msc
        (
            "@validateUtf8Encoding",
            "Je peux manger du verre, ça ne me fait pas de mal.".as_bytes(),
            false,
        ), // msc
        (
            "@validateUtf8Encoding",
            "私はガラスを食べられます。".as_bytes(),
            false,
        ), // msc
        ("@validateUtf8Encoding", "𝄞 ok".as_bytes(), false),
        ("@validateUtf8Encoding", b"\0\xe4", true), // msc
        ("@validateUtf8Encoding", b"\xe4", true),   // msc
        ("@validateUtf8Encoding", b"\x03\xbf", true), // msc
        ("@validateUtf8Encoding", b"\xc9\x3b", true), // msc
        ("@validateUtf8Encoding", b"\xff\0", true), // msc
        ("@validateUtf8Encoding", b"\xc0\xaf", true),
        ("@validateUtf8Encoding", b"\xe0\x80\xaf", true),
        ("@validateUtf8Encoding", b"\xf0\x80\x80\xaf", true),
        ("@validateUtf8Encoding", b"\xed\xa0\x80", true),
        ("@validateUtf8Encoding", b"\xf4\x90\x80\x80", true),
        ("@validateUtf8Encoding", b"\xf5\x80\x80\x80", true),
        ("!@validateUtf8Encoding", b"plain", true),
        // @detectSQLi / @detectXSS.
        ("@detectSQLi", b"", false),                  // msc
        ("@detectSQLi", b"this is not isqli", false), // msc
        (
            "@detectSQLi",
            b"ascii(substring(version() from 1 for 1))",
            true,
        ), // msc
        ("@detectXSS", b"", false),                   // msc
        ("@detectXSS", b"this is not an XSS", false), // msc
        ("@detectXSS", b"<a href=\"javascript:alert(1)\">)", true), // msc
        ("!@detectXSS", b"hello", true),
        // @unconditionalMatch / @noMatch.
        ("@unconditionalMatch", b"", true),         // msc
        ("@unconditionalMatch", b"TestCase", true), // msc
        ("@noMatch", b"", false),                   // msc
        ("@noMatch", b"TestCase", false),           // msc
        ("!@noMatch", b"TestCase", true),
        ("!@unconditionalMatch", b"TestCase", false),
    ];

    #[test]
    fn operators() {
        for &(spec, input, expect) in CASES {
            check(spec, input, expect);
        }
    }

    #[test]
    fn names() {
        for (spec, name) in [
            ("@rx a", "rx"),
            ("a", "rx"),
            ("!a", "rx"),
            ("", "rx"),
            ("!@pm a", "pm"),
            ("@PM a", "pm"),
            ("@beginsWith a", "beginsWith"),
            ("@beginswith a", "beginsWith"),
            ("@validateUtf8Encoding", "validateUtf8Encoding"),
            ("@detectSQLi", "detectSQLi"),
            ("@ipMatchF ips.txt", "ipMatchF"),
            ("@pmf words.txt", "pmf"),
        ] {
            let read = |name: &str| {
                Ok(if name == "ips.txt" {
                    "127.0.0.1\n"
                } else {
                    "word\n"
                }
                .to_owned())
            };
            match Operator::compile(spec, &read) {
                Ok(op) => assert_eq!(op.name(), name, "{spec:?}"),
                Err(e) => panic!("{spec:?}: {e}"),
            }
        }
    }

    #[test]
    fn compile_errors() {
        for (spec, needle) in [
            ("@rbl sbl-xbl.spamhaus.org", "@rbl"),
            ("@geoLookup", "@geoLookup"),
            ("@inspectFile /bin/check", "@inspectFile"),
            ("@verifyCC \\d{13,16}", "@verifyCC"),
            ("!@fuzzyHash hashes.txt 90", "@fuzzyHash"),
            ("@", "missing operator name"),
            ("@rx (", "@rx"),
            ("@rx a(?=b)", "@rx"),
            ("@rx (a)\\1", "@rx"),
            ("@pm ", "@pm"),
            ("@pmFromFile", "@pmFromFile"),
            ("@pmFromFile missing.data", "missing.data"),
            ("@ipMatchFromFile missing.data", "missing.data"),
            ("@ipMatch  , ", "@ipMatch needs"),
            ("@ipMatch 10.0.0.0/33", "10.0.0.0/33"),
            ("@ipMatch ::/129", "::/129"),
            ("@ipMatch 10.0.0", "10.0.0"),
            ("@ipMatch 1.2.3.4/x", "1.2.3.4/x"),
            ("@validateByteRange 1-256", "256"),
            ("@validateByteRange x", "x"),
            ("@validateByteRange 20-10", "20-10"),
        ] {
            match Operator::compile(spec, &no_files) {
                Ok(op) => panic!("{spec:?} compiled: {op:?}"),
                Err(e) => assert!(e.to_string().contains(needle), "{spec:?}: {e}"),
            }
        }
    }

    #[test]
    fn macros() {
        for (spec, arg) in [
            (
                "@ge %{tx.inbound_anomaly_score_threshold}",
                Some("%{tx.inbound_anomaly_score_threshold}"),
            ),
            (
                "!@within %{tx.allowed_methods}",
                Some("%{tx.allowed_methods}"),
            ),
            (
                "!@endsWith .%{request_headers.host}",
                Some(".%{request_headers.host}"),
            ),
            ("@streq  %{tx.a}  ", Some("%{tx.a}")),
            ("@ge 5", None),
            ("@rx %{tx.a}", None),
            ("@pm %{tx.a}", None),
            ("@detectSQLi", None),
        ] {
            assert_eq!(compile(spec).macro_arg(), arg, "{spec:?}");
        }
        let ge = compile("@ge %{tx.threshold}");
        assert!(ge.matches(b"5", Some(b"5"), None));
        assert!(!ge.matches(b"4", Some(b"5"), None));
        assert!(ge.matches(b"0", Some(b"not a number"), None));
        let within = compile("!@within %{tx.allowed_methods}");
        assert!(!within.matches(b"GET", Some(b"GET HEAD POST"), None));
        assert!(within.matches(b"PUT", Some(b"GET HEAD POST"), None));
        let ends = compile("@endsWith .%{request_headers.host}");
        assert!(ends.matches(b"www.example.com", Some(b".example.com"), None));
        assert!(!ends.matches(b"badexample.com", Some(b".example.com"), None));
        // A static argument ignores `expanded`, and a literal `%{` in @rx is literal.
        assert!(compile("@eq 3").matches(b"3", Some(b"4"), None));
        assert!(compile("@rx ^%\\{x\\}$").matches(b"%{x}", Some(b"y"), None));
    }

    fn captured(spec: &str, input: &[u8]) -> (bool, Vec<Vec<u8>>) {
        let op = compile(spec);
        let mut captures = vec![b"stale".to_vec()];
        let matched = op.matches(input, None, Some(&mut captures));
        (matched, captures)
    }

    fn strings(captures: &[&str]) -> Vec<Vec<u8>> {
        captures.iter().map(|c| c.as_bytes().to_vec()).collect()
    }

    #[test]
    fn captures() {
        // ModSecurity's rx vectors with `re_groups`.
        for (spec, input, groups) in [
            ("@rx def", "abcdefghi", &["def"][..]),
            ("@rx (abc)(def)", "abcdef", &["abcdef", "abc", "def"]),
            ("@rx (a|b|1|2)(a|b|1|2)", "a2b1", &["a2", "a", "2"]),
            ("@rx [a-z]\\n", "a\nb\nc\n", &["a\n"]),
            ("@rx [a-z]*", "aaa0bbb", &["aaa"]),
            ("@rx ([a-z]*)", "", &["", ""]),
            ("@rx (a)(b?)(c)", "ac", &["ac", "a", "", "c"]),
            ("@rx (x)?y", "y", &["y", ""]),
            (
                "@rx (1)(2)(3)(4)(5)(6)(7)(8)(9)(10)(11)",
                "1234567891011",
                &["1234567891011", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
            ),
            ("@pm foo bar", "xx BAR yy", &["BAR"]),
            ("@pm foo foobar", "a foobar", &["foobar"]),
            ("@detectSQLi", "1' OR '1'='1", &["s&sos"]),
            ("@detectXSS", "<script>alert(1)</script>", &[]),
            ("@streq a", "a", &[]),
            ("!@rx x", "a", &[]),
        ] {
            assert_eq!(
                captured(spec, input.as_bytes()),
                (true, strings(groups)),
                "{spec:?}"
            );
        }
        // No match leaves the captures alone, negated or not.
        assert_eq!(captured("@rx (x)", b"a"), (false, strings(&["stale"])));
        assert_eq!(captured("!@rx (a)", b"a"), (false, strings(&["stale"])));
        assert_eq!(captured("@pm x", b"a"), (false, strings(&["stale"])));
    }

    #[test]
    fn data_files() {
        let read = |name: &str| match name {
            "words.data" => {
                Ok("# a comment\n\n  Foo  \r\nbar baz\r\n   # indented comment\n".to_owned())
            }
            "more.data" => Ok("qux\n".to_owned()),
            "ips.data" => Ok("# ips\n10.0.0.0/8\n\n 192.168.1.1 \n::1\n".to_owned()),
            "empty.data" => Ok("# nothing\n\n".to_owned()),
            other => Err(format!("{other}: not found")),
        };
        let compile = |spec: &str| match Operator::compile(spec, &read) {
            Ok(op) => op,
            Err(e) => panic!("{spec:?}: {e}"),
        };
        let pm = compile("@pmFromFile words.data more.data");
        for (input, expect) in [
            (&b"xxFOOxx"[..], true),
            (b"a bar baz b", true),
            (b"bar", false),
            (b"baz", false),
            (b"QUX", true),
            (b"a comment", false),
            (b"", false),
        ] {
            assert_eq!(pm.matches(input, None, None), expect, "{input:?}");
        }
        assert!(compile("@pmf more.data").matches(b"quxx", None, None));
        assert!(!compile("@pmFromFile empty.data").matches(b"anything", None, None));
        let ips = compile("@ipMatchFromFile ips.data");
        for (input, expect) in [
            (&b"10.200.0.1"[..], true),
            (b"192.168.1.1", true),
            (b"192.168.1.2", false),
            (b"::1", true),
            (b"::2", false),
        ] {
            assert_eq!(ips.matches(input, None, None), expect, "{input:?}");
        }
        assert!(compile("@ipMatchF ips.data").matches(b"10.0.0.1", None, None));
        match Operator::compile("@pmFromFile words.data nope.data", &read) {
            Ok(_) => panic!("a missing file compiled"),
            Err(e) => assert!(e.0.contains("nope.data: not found"), "{e}"),
        }
    }

    /// libinjection's own expectations: `tests/test-sqli-*.txt` (input, fingerprint) and
    /// inputs from `data/xss-smoke-test.txt` and `data/false_positives.txt`.
    #[test]
    fn libinjection_differential() {
        let sqli: &[(&str, Option<&str>)] = &[
            ("1 = 1 OR 1", Some("1&1")),
            ("1 = '1' OR 1", Some("1os&1")),
            ("1 = \"1\" /* 'blah' */  OR 1", Some("1os&1")),
            ("foo/* yes this is sqli */", Some("nc")),
            ("1--", Some("1c")),
            ("foo' OR 'BAR", Some("s&s")),
            ("1\" UNION ALL SELECT * FROM FOO", Some("sUEok")),
            ("1\" UNION ALL SELECT --1 FROM FOO", Some("sUE1k")),
            ("1 and @version < 1", Some("1&v")),
            ("1 and \"a\" < \"b\"", Some("1&sos")),
            ("1),(1)) UNION SELECT 1;", Some("1)UE1")),
            ("foo - (bar) UNION SELECT 1", Some("nUE1")),
            ("1, -sin(1)) UNION SELECT 1", Some("1,f(1")),
            ("foo 'bar' \"zap\"", None),
            ("1# blah blah", None),
            ("foo--", None),
            ("\"foo\" OR \"BAR", None),
            ("1 UNION", None),
            ("1 and @version", None),
            ("24-7-TEAM", None),
            ("1/26/11", None),
            ("NOT ALL WHO WANDER", None),
            ("Y'ALL COME BACK NOW", None),
        ];
        for &(input, fingerprint) in sqli {
            let (matched, captures) = captured("@detectSQLi", input.as_bytes());
            match fingerprint {
                Some(fp) => assert_eq!((matched, captures), (true, strings(&[fp])), "{input:?}"),
                None => assert!(!matched, "{input:?} flagged: {captures:?}"),
            }
        }
        let xss: &[(&str, bool)] = &[
            ("<script>alert(1);</script>", true),
            ("><script>alert(1);</script>", true),
            ("x ><script>alert(1);</script>", true),
            ("' ><script>alert(1);</script>", true),
            ("<img src=x onerror=alert(1)>", true),
            ("\"><svg onload=alert(1)>", true),
            ("<iframe src=\"javascript:alert(1)\">", true),
            ("hello world", false),
            ("a < b and c > d", false),
            ("1950's dresses", false),
            ("MATS 5\" BY 7\"", false),
            ("<b>bold</b>", false),
        ];
        for &(input, expect) in xss {
            check("@detectXSS", input.as_bytes(), expect);
        }
    }

    /// Every operator over a spread of awkward inputs: nothing may panic.
    #[test]
    fn arbitrary_input_does_not_panic() {
        let specs = [
            "@rx (?i)(a|b)+.*\\bc$",
            "@pm a bc <script",
            "@streq a",
            "@contains a",
            "@containsWord a",
            "@beginsWith a",
            "@endsWith a",
            "@within a",
            "@eq 1",
            "@ipMatch 10.0.0.0/8,::1",
            "@validateByteRange 32-126",
            "@validateUrlEncoding",
            "@validateUtf8Encoding",
            "@detectSQLi",
            "@detectXSS",
        ];
        let ops: Vec<Operator> = specs.iter().map(|spec| compile(spec)).collect();
        let alphabet =
            b"'\"`-#/*()<>=;:%&|!@$\\ \t\r\n\0aAzZ019._,{}[]?+\xc0\xe4\xed\xf4\xff\x80\x7f";
        // A fixed xorshift, so the run is the same every time.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut input = Vec::new();
        for round in 0..20_000u64 {
            input.clear();
            let len = (next() % 48) as usize;
            for _ in 0..len {
                let pick = (next() % alphabet.len() as u64) as usize;
                input.push(alphabet[pick]);
            }
            if round % 7 == 0 {
                input.extend_from_slice(b"' or 1=1-- <img src=x onerror=");
            }
            for op in &ops {
                let mut captures = Vec::new();
                op.matches(&input, Some(b"1"), Some(&mut captures));
            }
        }
    }

    /// `@detectSQLi` asks `SqliState::detect` alone and calls `detect_sqli` only on a hit
    /// (for the fingerprint): the two must agree on every input, and the fingerprint
    /// captured must be `detect_sqli`'s.
    #[test]
    fn detect_sqli_answers_as_libinjection_does() {
        let op = Operator::compile("@detectSQLi", &|_: &str| Err(String::new())).unwrap();
        let inputs: [&[u8]; 16] = [
            b"",
            b"shoes",
            b"1' OR '1'='1",
            b"1 union select 1,2,3-- -",
            b"admin'--",
            b"\"; drop table users; --",
            b"1) or sleep(5)#",
            b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
            b"price_asc",
            b"1;select pg_sleep(5)",
            b"' or 1=1 /*",
            b"session=abc123def456",
            b"-1 or 1=1",
            b"a'b\"c",
            b"@@version",
            b"1 and ascii(substring(user(),1,1))>64",
        ];
        let mut hits = 0;
        for input in inputs {
            let full = libinjectionrs::detect_sqli(input);
            let flags = libinjectionrs::SqliFlags::FLAG_NONE;
            let alone = libinjectionrs::SqliState::new(input, flags).detect();
            assert_eq!(
                alone,
                full.is_injection(),
                "{:?}",
                String::from_utf8_lossy(input)
            );
            let mut captures = Vec::new();
            assert_eq!(op.matches(input, None, Some(&mut captures)), alone);
            if alone {
                hits += 1;
                let fingerprint = full.fingerprint.map(|f| f.as_str().as_bytes().to_vec());
                assert_eq!(captures.first().cloned(), fingerprint);
            }
        }
        assert!(hits >= 8, "only {hits} injections found");
    }

    /// The operator strings of the rules in `$BEXT_CRS_DIR/rules` (default
    /// `/work/shared/crs`): each `"@...` or `"!@...` up to the closing unescaped quote,
    /// with `\"` undone. Crude, but CRS writes every operator on one line.
    fn crs_operator_specs(rules: &std::path::Path) -> Vec<(String, String)> {
        let mut files: Vec<_> = match std::fs::read_dir(rules) {
            Ok(dir) => dir
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .collect(),
            Err(e) => panic!("{}: {e}", rules.display()),
        };
        files.retain(|path| path.extension().is_some_and(|ext| ext == "conf"));
        files.sort();
        let mut specs = Vec::new();
        for path in files {
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) => panic!("{}: {e}", path.display()),
            };
            let file = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            for (number, line) in text.lines().enumerate() {
                if line.trim_start().starts_with('#') {
                    continue;
                }
                let mut rest = line;
                while let Some(at) = rest.find(" \"") {
                    rest = &rest[at + 2..];
                    if !(rest.starts_with('@') || rest.starts_with("!@")) {
                        continue;
                    }
                    let mut spec = String::new();
                    let mut chars = rest.char_indices();
                    let mut end = rest.len();
                    while let Some((i, c)) = chars.next() {
                        match c {
                            '\\' => match chars.next() {
                                Some((_, '"')) => spec.push('"'),
                                Some((_, other)) => {
                                    spec.push('\\');
                                    spec.push(other);
                                }
                                None => spec.push('\\'),
                            },
                            '"' => {
                                end = i + 1;
                                break;
                            }
                            c => spec.push(c),
                        }
                    }
                    specs.push((format!("{file}:{}", number + 1), spec));
                    rest = &rest[end..];
                }
            }
        }
        specs
    }

    /// Every operator of CRS compiles (every `@rx` among them), with its data files.
    #[test]
    fn crs_operators_compile() {
        let dir = std::env::var("BEXT_CRS_DIR").unwrap_or_else(|_| "/work/shared/crs".to_owned());
        let rules = std::path::Path::new(&dir).join("rules");
        if !rules.is_dir() {
            println!(
                "skipped: no CRS rules at {} (set BEXT_CRS_DIR)",
                rules.display()
            );
            return;
        }
        let read = |name: &str| {
            std::fs::read_to_string(rules.join(name)).map_err(|e| format!("{name}: {e}"))
        };
        let specs = crs_operator_specs(&rules);
        let mut failures = Vec::new();
        let mut rx = 0;
        for (place, spec) in &specs {
            match Operator::compile(spec, &read) {
                Ok(op) if op.name() == "rx" => {
                    rx += 1;
                    // Say which patterns only compile with Unicode on (or rewritten).
                    if let Err(e) = build_rx(&op.arg, false) {
                        let first = e.to_string().lines().last().unwrap_or("").to_owned();
                        println!("note: {place}: @rx runs in Unicode mode ({first})");
                    }
                }
                Ok(_) => {}
                Err(e) => failures.push(format!("{place}: {spec:?}: {e}")),
            }
        }
        for failure in &failures {
            println!("{failure}");
        }
        println!(
            "{} CRS operators compiled, {rx} of them @rx",
            specs.len() - failures.len()
        );
        assert!(
            rx > 250,
            "only {rx} @rx patterns found in {}",
            rules.display()
        );
        assert!(
            failures.is_empty(),
            "{} CRS operators failed to compile",
            failures.len()
        );
    }
}
