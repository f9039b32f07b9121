//! SecRule transformations: the `t:name` actions that rewrite a value before the operator
//! sees it (`t:urlDecodeUni,t:lowercase` turns `%55NION` into `union`).
//!
//! # Semantics
//!
//! Each function here is a port of ModSecurity v3's C++ (`src/actions/transformations`), which
//! Coraza v3 ports in turn, so that the OWASP Core Rule Set v4 and its regression corpus see the
//! same bytes they see there. That includes the quirks CRS was tuned against: `%uHHHH` and
//! `\uHHHH` keep only the low byte (full-width ASCII U+FF01–U+FF5E folds to ASCII),
//! `removeComments` keeps the byte after a closing `*/` even when it is the end of the value
//! (a NUL then), `escapeSeqDecode` truncates `\777` to a byte. Everything works on bytes, never
//! on `str`: request data need not be UTF-8, and no transformation may fail or panic on any
//! input. Where ModSecurity and Coraza differ, or where ModSecurity has an outright bug, the
//! choice is written at the function; in short:
//!
//! - `htmlEntityDecode` takes any number of digits in `&#...;` and keeps the low byte of the
//!   value (ModSecurity up to 3.0.12; 3.0.13 stops after 2 hex or 3 decimal digits, so that
//!   `&#x003c;` would no longer be `<`). Of the named entities it knows ModSecurity's five
//!   (`quot amp lt gt nbsp`), with or without `;`, and consumes only the name (ModSecurity
//!   swallows the whole alphanumeric run, so `&ltscript` would lose `script`).
//! - `utf8toUnicode` keeps NUL bytes (ModSecurity v3 drops a NUL that is not the last byte,
//!   a pointer slip); everything else follows ModSecurity, invalid sequences included.
//! - `removeWhitespace` and `compressWhitespace` use C's `isspace` set plus NBSP, both its
//!   UTF-8 form `C2 A0` and a Latin-1 byte `A0` that is not inside a UTF-8 character, as
//!   Coraza now does (ModSecurity v3's `removeWhitespace` deletes every `A0` and every `C2`
//!   byte, so `à` and `©` lose a byte; its `compressWhitespace` ignores NBSP).
//! - `base64Decode` decodes up to the first byte outside the alphabet (as Coraza and
//!   ModSecurity v2 do; v3's mbedtls call returns nothing at all for such input), and
//!   `base64DecodeExt` skips such bytes, as ModSecurity's "forgiving" decoder does.
//! - `hexDecode` of an odd-length or non-hex value is empty, as in Coraza (ModSecurity
//!   decodes garbage from the non-hex digits).
//! - `cssDecode` keeps one byte per escape, like `jsDecode` and `urlDecodeUni`, as ModSecurity
//!   and Coraza up to v3.7 do (Coraza's development branch has since moved `cssDecode` to
//!   whole UTF-8 code points and `urlDecodeUni` to a best-fit mapping).
//! - `sqlHexDecode`, which Coraza lacks, follows ModSecurity.
//!
//! # Design
//!
//! [`Transform::apply`] writes into a caller-owned `Vec<u8>` instead of returning a new one.
//! The engine keeps two buffers per evaluation and swaps them after each step, so a rule's
//! whole chain of transformations allocates only while the buffers grow, and not at all once
//! they are warm. Every function reads its input through bounds-checked accessors; `at`
//! returns NUL past the end, which mirrors the NUL terminator ModSecurity's C code reads there
//! and keeps the ported conditions short without any indexing that could panic.

use md5::{Digest as _, Md5};
use sha1::Sha1;

/// One `t:` transformation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transform {
    /// `urlDecode`: `%HH` and `+`; invalid `%` sequences are kept as they are.
    UrlDecode,
    /// `urlDecodeUni`: `urlDecode` plus IIS's `%uHHHH` (low byte; full-width ASCII to ASCII).
    UrlDecodeUni,
    /// `lowercase`: ASCII letters to lower case.
    Lowercase,
    /// `uppercase`: ASCII letters to upper case.
    Uppercase,
    /// `jsDecode`: JavaScript escapes (`\uHHHH`, `\xHH`, octal, `\n` and friends).
    JsDecode,
    /// `htmlEntityDecode`: `&#xHH;`, `&#DDD;` and `&quot; &amp; &lt; &gt; &nbsp;`.
    HtmlEntityDecode,
    /// `utf8toUnicode`: multi-byte UTF-8 sequences to `%uHHHH`.
    Utf8ToUnicode,
    /// `removeNulls`: deletes NUL bytes.
    RemoveNulls,
    /// `replaceNulls`: NUL bytes to spaces.
    ReplaceNulls,
    /// `cssDecode`: CSS 2 backslash escapes.
    CssDecode,
    /// `cmdLine`: the Windows/Unix command-line normalisation of ModSecurity.
    CmdLine,
    /// `removeWhitespace`: deletes whitespace (including NBSP).
    RemoveWhitespace,
    /// `compressWhitespace`: each run of whitespace (including NBSP) to one space.
    CompressWhitespace,
    /// `replaceComments`: each C comment `/* ... */` (also unterminated) to one space.
    ReplaceComments,
    /// `removeComments`: deletes C, HTML, SQL (`--`) and shell (`#`) comments.
    RemoveComments,
    /// `removeCommentsChar`: deletes the comment markers `/*`, `*/`, `<!--`, `-->`, `--`, `#`.
    RemoveCommentsChar,
    /// `normalizePath`: resolves `./`, `../` and `//`.
    NormalizePath,
    /// `normalizePathWin`: `normalizePath` after turning `\` into `/`.
    NormalizePathWin,
    /// `escapeSeqDecode`: ANSI C escape sequences.
    EscapeSeqDecode,
    /// `length`: the value's length in bytes, in decimal.
    Length,
    /// `base64Decode`: decodes up to the first byte outside the Base64 alphabet.
    Base64Decode,
    /// `base64DecodeExt`: decodes Base64, skipping bytes outside the alphabet.
    Base64DecodeExt,
    /// `base64Encode`: standard Base64 with padding.
    Base64Encode,
    /// `hexEncode`: each byte to two lower-case hex digits.
    HexEncode,
    /// `hexDecode`: pairs of hex digits to bytes (empty if the value is not hex).
    HexDecode,
    /// `sqlHexDecode`: SQL hex literals (`0x414243`) to bytes.
    SqlHexDecode,
    /// `sha1`: the raw 20-byte SHA-1 digest.
    Sha1,
    /// `md5`: the raw 16-byte MD5 digest.
    Md5,
    /// `trim`: strips whitespace on both sides.
    Trim,
    /// `trimLeft`: strips leading whitespace.
    TrimLeft,
    /// `trimRight`: strips trailing whitespace.
    TrimRight,
    /// `urlEncode`: everything but letters, digits and `*` to `%hh`, space to `+`.
    UrlEncode,
}

/// Every name `from_name` accepts, with ModSecurity's spelling first for each transformation.
const NAMES: [(&str, Transform); 34] = [
    ("urlDecode", Transform::UrlDecode),
    ("urlDecodeUni", Transform::UrlDecodeUni),
    ("lowercase", Transform::Lowercase),
    ("uppercase", Transform::Uppercase),
    ("jsDecode", Transform::JsDecode),
    ("htmlEntityDecode", Transform::HtmlEntityDecode),
    ("utf8toUnicode", Transform::Utf8ToUnicode),
    ("removeNulls", Transform::RemoveNulls),
    ("replaceNulls", Transform::ReplaceNulls),
    ("cssDecode", Transform::CssDecode),
    ("cmdLine", Transform::CmdLine),
    ("removeWhitespace", Transform::RemoveWhitespace),
    ("compressWhitespace", Transform::CompressWhitespace),
    ("replaceComments", Transform::ReplaceComments),
    ("removeComments", Transform::RemoveComments),
    ("removeCommentsChar", Transform::RemoveCommentsChar),
    ("normalizePath", Transform::NormalizePath),
    ("normalisePath", Transform::NormalizePath),
    ("normalizePathWin", Transform::NormalizePathWin),
    ("normalisePathWin", Transform::NormalizePathWin),
    ("escapeSeqDecode", Transform::EscapeSeqDecode),
    ("length", Transform::Length),
    ("base64Decode", Transform::Base64Decode),
    ("base64DecodeExt", Transform::Base64DecodeExt),
    ("base64Encode", Transform::Base64Encode),
    ("hexEncode", Transform::HexEncode),
    ("hexDecode", Transform::HexDecode),
    ("sqlHexDecode", Transform::SqlHexDecode),
    ("sha1", Transform::Sha1),
    ("md5", Transform::Md5),
    ("trim", Transform::Trim),
    ("trimLeft", Transform::TrimLeft),
    ("trimRight", Transform::TrimRight),
    ("urlEncode", Transform::UrlEncode),
];

impl Transform {
    /// The transformation named `name` as written after `t:` (case-insensitive: CRS writes
    /// both `base64Decode` and `base64decode`). `none` is not a transformation (the rule parser
    /// handles it) and returns None, as does an unknown name.
    ///
    /// Both spellings of the path transformations are accepted (`normalizePath` and
    /// `normalisePath`), as ModSecurity and Coraza accept them.
    pub fn from_name(name: &str) -> Option<Transform> {
        NAMES
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map(|&(_, transform)| transform)
    }

    /// The name as ModSecurity spells it (for logs).
    pub fn name(self) -> &'static str {
        match self {
            Transform::UrlDecode => "urlDecode",
            Transform::UrlDecodeUni => "urlDecodeUni",
            Transform::Lowercase => "lowercase",
            Transform::Uppercase => "uppercase",
            Transform::JsDecode => "jsDecode",
            Transform::HtmlEntityDecode => "htmlEntityDecode",
            Transform::Utf8ToUnicode => "utf8toUnicode",
            Transform::RemoveNulls => "removeNulls",
            Transform::ReplaceNulls => "replaceNulls",
            Transform::CssDecode => "cssDecode",
            Transform::CmdLine => "cmdLine",
            Transform::RemoveWhitespace => "removeWhitespace",
            Transform::CompressWhitespace => "compressWhitespace",
            Transform::ReplaceComments => "replaceComments",
            Transform::RemoveComments => "removeComments",
            Transform::RemoveCommentsChar => "removeCommentsChar",
            Transform::NormalizePath => "normalizePath",
            Transform::NormalizePathWin => "normalizePathWin",
            Transform::EscapeSeqDecode => "escapeSeqDecode",
            Transform::Length => "length",
            Transform::Base64Decode => "base64Decode",
            Transform::Base64DecodeExt => "base64DecodeExt",
            Transform::Base64Encode => "base64Encode",
            Transform::HexEncode => "hexEncode",
            Transform::HexDecode => "hexDecode",
            Transform::SqlHexDecode => "sqlHexDecode",
            Transform::Sha1 => "sha1",
            Transform::Md5 => "md5",
            Transform::Trim => "trim",
            Transform::TrimLeft => "trimLeft",
            Transform::TrimRight => "trimRight",
            Transform::UrlEncode => "urlEncode",
        }
    }

    /// Whether [`apply`](Self::apply) would give back `input` exactly: `true` only when
    /// that is certain from a quick look (none of the bytes the transformation acts on is
    /// there), `false` when unsure. The engine skips such steps: most request values are
    /// plain words and numbers, which CRS's decoding chains leave as they are.
    pub fn leaves_unchanged(self, input: &[u8]) -> bool {
        let none = |pred: fn(u8) -> bool| !input.iter().any(|&b| pred(b));
        match self {
            Transform::UrlDecode | Transform::UrlDecodeUni => {
                memchr::memchr2(b'%', b'+', input).is_none()
            }
            Transform::Lowercase => none(|b| b.is_ascii_uppercase()),
            Transform::Uppercase => none(|b| b.is_ascii_lowercase()),
            Transform::JsDecode | Transform::EscapeSeqDecode | Transform::CssDecode => {
                memchr::memchr(b'\\', input).is_none()
            }
            Transform::HtmlEntityDecode => memchr::memchr(b'&', input).is_none(),
            // Only lead bytes of multi-byte sequences (C0–F7) are rewritten.
            Transform::Utf8ToUnicode => none(|b| (0xc0..=0xf7).contains(&b)),
            Transform::RemoveNulls | Transform::ReplaceNulls => memchr::memchr(0, input).is_none(),
            // No byte it deletes, no space-like byte (so `/` and `(` stay), no capital.
            Transform::CmdLine => none(|b| {
                matches!(
                    b,
                    b'\\' | b'"' | b'\'' | b'^' | b' ' | b',' | b';' | b'\t' | b'\r' | b'\n'
                ) || b.is_ascii_uppercase()
            }),
            // No `isspace` byte and no A0 (an NBSP, in UTF-8 or Latin-1, holds one).
            Transform::RemoveWhitespace | Transform::CompressWhitespace => {
                none(|b| is_c_space(b) || b == 0xa0)
            }
            Transform::ReplaceComments => memchr::memmem::find(input, b"/*").is_none(),
            Transform::Trim => trim_end(trim_start(input)).len() == input.len(),
            Transform::TrimLeft => trim_start(input).len() == input.len(),
            Transform::TrimRight => trim_end(input).len() == input.len(),
            _ => false,
        }
    }

    /// Applies the transformation to `input`, writing the result into `out` (cleared first).
    /// Never panics on any input bytes.
    ///
    /// `out` keeps its capacity, so a caller that reuses its buffers (two of them, swapped
    /// after each step of a chain) stops allocating once they have grown.
    pub fn apply(self, input: &[u8], out: &mut Vec<u8>) {
        out.clear();
        match self {
            Transform::UrlDecode => url_decode(input, out),
            Transform::UrlDecodeUni => url_decode_uni(input, out),
            Transform::Lowercase => out.extend(input.iter().map(u8::to_ascii_lowercase)),
            Transform::Uppercase => out.extend(input.iter().map(u8::to_ascii_uppercase)),
            Transform::JsDecode => js_decode(input, out),
            Transform::HtmlEntityDecode => html_entity_decode(input, out),
            Transform::Utf8ToUnicode => utf8_to_unicode(input, out),
            Transform::RemoveNulls => out.extend(input.iter().filter(|&&b| b != 0)),
            Transform::ReplaceNulls => {
                out.extend(input.iter().map(|&b| if b == 0 { b' ' } else { b }));
            }
            Transform::CssDecode => css_decode(input, out),
            Transform::CmdLine => cmd_line(input, out),
            Transform::RemoveWhitespace => remove_whitespace(input, out),
            Transform::CompressWhitespace => compress_whitespace(input, out),
            Transform::ReplaceComments => replace_comments(input, out),
            Transform::RemoveComments => remove_comments(input, out),
            Transform::RemoveCommentsChar => remove_comments_char(input, out),
            Transform::NormalizePath => normalize_path(input, out, false),
            Transform::NormalizePathWin => normalize_path(input, out, true),
            Transform::EscapeSeqDecode => escape_seq_decode(input, out),
            Transform::Length => {
                out.extend_from_slice(itoa::Buffer::new().format(input.len()).as_bytes());
            }
            Transform::Base64Decode => base64_decode(input, out),
            Transform::Base64DecodeExt => base64_decode_ext(input, out),
            Transform::Base64Encode => base64_encode(input, out),
            Transform::HexEncode => hex_encode(input, out),
            Transform::HexDecode => hex_decode(input, out),
            Transform::SqlHexDecode => sql_hex_decode(input, out),
            Transform::Sha1 => out.extend_from_slice(&Sha1::digest(input)),
            Transform::Md5 => out.extend_from_slice(&Md5::digest(input)),
            Transform::Trim => out.extend_from_slice(trim_end(trim_start(input))),
            Transform::TrimLeft => out.extend_from_slice(trim_start(input)),
            Transform::TrimRight => out.extend_from_slice(trim_end(input)),
            Transform::UrlEncode => url_encode(input, out),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Byte helpers
// ---------------------------------------------------------------------------------------------

/// The byte at `i`, or NUL past the end (where ModSecurity's C code reads the terminator).
fn at(input: &[u8], i: usize) -> u8 {
    input.get(i).copied().unwrap_or(0)
}

/// The value of one hex digit (the operators' `|hex|` phrases use it too).
pub(super) fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The byte written as the two hex digits `hi lo`.
fn hex_pair(hi: u8, lo: u8) -> Option<u8> {
    Some((hex_value(hi)? << 4) | hex_value(lo)?)
}

/// The byte written as two hex digits at `input[i..i + 2]`.
fn hex_pair_at(input: &[u8], i: usize) -> Option<u8> {
    hex_pair(at(input, i), at(input, i + 1))
}

/// Lower-case hex digits, for the encoders.
const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Appends `b` as two lower-case hex digits.
fn push_hex_byte(out: &mut Vec<u8>, b: u8) {
    out.push(HEX_DIGITS[usize::from(b >> 4)]);
    out.push(HEX_DIGITS[usize::from(b & 0x0f)]);
}

/// C's `isspace` in the C locale: space, `\t`, `\n`, `\v`, `\f`, `\r`.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn is_octal(b: u8) -> bool {
    matches!(b, b'0'..=b'7')
}

/// The first character of `input` for the whitespace transformations: its length in bytes
/// and whether it is whitespace. Whitespace is C's `isspace` set and NBSP, either as UTF-8
/// (`C2 A0`) or as a Latin-1 byte `A0` that is not part of a UTF-8 character (so the `A0` in
/// `à`, `C3 A0`, is not whitespace). Bytes that are not UTF-8 count one at a time.
fn first_char_space(input: &[u8]) -> (usize, bool) {
    let prefix = input.get(..input.len().min(4)).unwrap_or_default();
    let valid = match std::str::from_utf8(prefix) {
        Ok(valid) => valid,
        Err(error) => {
            let valid = prefix.get(..error.valid_up_to()).unwrap_or_default();
            std::str::from_utf8(valid).unwrap_or_default()
        }
    };
    match valid.chars().next() {
        Some(c) if c.is_ascii() => (1, is_c_space(at(input, 0))),
        Some(c) => (c.len_utf8(), c == '\u{a0}'),
        None => (1, at(input, 0) == 0xa0),
    }
}

/// `%uHHHH` and `\uHHHH` decoding: the low byte of the four hex digits at `input[i..i + 4]`,
/// with full-width ASCII (`FF01`–`FF5E`) folded to ASCII, as ModSecurity does.
fn unicode_low_byte(input: &[u8], i: usize) -> Option<u8> {
    let high = hex_pair_at(input, i)?;
    let low = hex_pair_at(input, i + 2)?;
    if high == 0xff && (0x01..0x5f).contains(&low) {
        Some(low + 0x20)
    } else {
        Some(low)
    }
}

/// The value of up to three octal digits at `input[i..]` (at least one must be there) and how
/// many were used. The value can exceed a byte (`777`); callers decide how to truncate.
fn octal_at(input: &[u8], i: usize) -> (u32, usize) {
    let digits = input
        .get(i..)
        .unwrap_or_default()
        .iter()
        .take(3)
        .take_while(|&&b| is_octal(b))
        .count();
    let value = (0..digits).fold(0, |acc, k| acc * 8 + u32::from(at(input, i + k) - b'0'));
    (value, digits)
}

// ---------------------------------------------------------------------------------------------
// URL encoding
// ---------------------------------------------------------------------------------------------

/// `urlDecode` (ModSecurity's `urldecode_nonstrict`): `%HH` to a byte, `+` to a space; a `%`
/// not followed by two hex digits is copied and scanning goes on after it.
fn url_decode(input: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        match b {
            b'%' => match hex_pair_at(input, i + 1) {
                Some(decoded) => {
                    out.push(decoded);
                    i += 3;
                }
                None => {
                    out.push(b'%');
                    i += 1;
                }
            },
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
}

/// `urlDecodeUni`: `urlDecode` plus `%uHHHH` (either case of `u`), of which only the low
/// byte is kept (full-width ASCII folded). An invalid `%u` sequence is copied, `%u` included,
/// and scanning goes on after the `u`. No `SecUnicodeMapFile` mapping is applied.
fn url_decode_uni(input: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        if b == b'%' && matches!(at(input, i + 1), b'u' | b'U') {
            match unicode_low_byte(input, i + 2) {
                Some(decoded) => {
                    out.push(decoded);
                    i += 6;
                }
                None => {
                    out.extend_from_slice(&[b'%', at(input, i + 1)]);
                    i += 2;
                }
            }
        } else if b == b'%' {
            match hex_pair_at(input, i + 1) {
                Some(decoded) => {
                    out.push(decoded);
                    i += 3;
                }
                None => {
                    out.push(b'%');
                    i += 1;
                }
            }
        } else {
            out.push(if b == b'+' { b' ' } else { b });
            i += 1;
        }
    }
}

/// `urlEncode`: letters, digits and `*` are kept, a space becomes `+`, every other byte
/// `%hh` (lower-case hex), as ModSecurity encodes.
fn url_encode(input: &[u8], out: &mut Vec<u8>) {
    for &b in input {
        if b == b' ' {
            out.push(b'+');
        } else if b == b'*' || b.is_ascii_alphanumeric() {
            out.push(b);
        } else {
            out.push(b'%');
            push_hex_byte(out, b);
        }
    }
}

/// `utf8toUnicode`: each well-formed multi-byte UTF-8 sequence becomes `%u` and its code point
/// in lower-case hex, at least four digits (`é` is `%u00e9`, `🍺` is `%u1f37a`). ASCII is
/// copied. Malformed input follows ModSecurity: a lone continuation byte or a byte `F8`–`FF`
/// is copied; a lead byte whose sequence is cut short or broken is dropped; overlong forms and
/// surrogates are encoded and then followed by their raw lead byte; a lead byte `F5`–`F7`
/// (beyond U+10FFFF) is copied before whatever its sequence gives.
fn utf8_to_unicode(input: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while let Some(&lead) = input.get(i) {
        let (len, min) = match lead {
            0x00..=0x7f | 0x80..=0xbf | 0xf8..=0xff => {
                out.push(lead);
                i += 1;
                continue;
            }
            0xc0..=0xdf => (2, 0x80),
            0xe0..=0xef => (3, 0x800),
            0xf0..=0xf7 => (4, 0x1_0000),
        };
        if lead >= 0xf5 {
            out.push(lead);
        }
        let Some(code) = utf8_sequence(input.get(i..i + len)) else {
            i += 1;
            continue;
        };
        push_percent_u(out, code);
        if (0xd800..=0xdfff).contains(&code) {
            out.push(lead);
        }
        if code < min {
            out.push(lead);
        }
        i += len;
    }
}

/// Appends `%u` and `code` in lower-case hex, zero-padded to at least four digits.
fn push_percent_u(out: &mut Vec<u8>, code: u32) {
    let significant = (u32::BITS - code.leading_zeros()).div_ceil(4);
    out.extend_from_slice(b"%u");
    for digit in (0..significant.max(4)).rev() {
        out.push(HEX_DIGITS[((code >> (4 * digit)) & 0x0f) as usize]);
    }
}

/// The code point of a lead byte and its continuation bytes (`10xxxxxx` each), or `None` when
/// the sequence is missing bytes or a continuation byte is wrong. No range checks.
fn utf8_sequence(sequence: Option<&[u8]>) -> Option<u32> {
    let (&lead, rest) = sequence?.split_first()?;
    let lead_bits = match rest.len() {
        1 => lead & 0x1f,
        2 => lead & 0x0f,
        _ => lead & 0x07,
    };
    rest.iter().try_fold(u32::from(lead_bits), |code, &b| {
        (b & 0xc0 == 0x80).then_some((code << 6) | u32::from(b & 0x3f))
    })
}

// ---------------------------------------------------------------------------------------------
// Language escapes
// ---------------------------------------------------------------------------------------------

/// The byte for a single-letter C escape (`\n`), or `None` for any other letter.
fn c_escape(letter: u8) -> Option<u8> {
    Some(match letter {
        b'a' => 0x07,
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'v' => 0x0b,
        _ => return None,
    })
}

/// `jsDecode`: `\uHHHH` (low byte, full-width ASCII folded), `\xHH`, octal `\OOO` (at most
/// three digits, two if three would exceed a byte), the C letters (`\n`, `\t`, ...), and any
/// other escaped byte as itself (`\'` is `'`). A backslash at the very end is kept.
fn js_decode(input: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        if b != b'\\' {
            out.push(b);
            i += 1;
            continue;
        }
        let Some(&next) = input.get(i + 1) else {
            out.push(b'\\');
            i += 1;
            continue;
        };
        if let Some(decoded) = (next == b'u')
            .then(|| unicode_low_byte(input, i + 2))
            .flatten()
        {
            out.push(decoded);
            i += 6;
        } else if let Some(decoded) = (next == b'x').then(|| hex_pair_at(input, i + 2)).flatten() {
            out.push(decoded);
            i += 4;
        } else if is_octal(next) {
            let (mut value, mut digits) = octal_at(input, i + 1);
            if digits == 3 && next > b'3' {
                (value, digits) = (value >> 3, 2);
            }
            out.push(value as u8);
            i += 1 + digits;
        } else {
            out.push(c_escape(next).unwrap_or(next));
            i += 2;
        }
    }
}

/// `escapeSeqDecode`: ANSI C escapes: the C letters, `\\ \? \' \"`, `\xHH` (either case of
/// `x`) and octal `\OOO` (three digits at most, the value truncated to a byte as ModSecurity
/// does: `\777` is `FF`). Any other escaped byte is itself without the backslash; a backslash
/// at the very end is kept.
fn escape_seq_decode(input: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        let next = at(input, i + 1);
        if b != b'\\' || i + 1 >= input.len() {
            out.push(b);
            i += 1;
        } else if let Some(decoded) = c_escape(next) {
            out.push(decoded);
            i += 2;
        } else if let Some(decoded) = matches!(next, b'x' | b'X')
            .then(|| hex_pair_at(input, i + 2))
            .flatten()
        {
            out.push(decoded);
            i += 4;
        } else if is_octal(next) {
            let (value, digits) = octal_at(input, i + 1);
            out.push(value as u8);
            i += 1 + digits;
        } else {
            // `\\`, `\?`, `\'`, `\"` and anything unrecognised: the byte itself.
            out.push(next);
            i += 2;
        }
    }
}

/// `cssDecode` (CSS 2 escapes, as ModSecurity reads them): a backslash and one to six hex
/// digits is one byte, the last two digits (full-width ASCII folded when the value is
/// `FFxx`), and one whitespace byte after it is swallowed; a backslash before a newline is a
/// line continuation; a backslash before anything else escapes it; a backslash at the end is
/// dropped.
fn css_decode(input: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        i += 1;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let Some(&next) = input.get(i) else {
            break;
        };
        let rest = input.get(i..).unwrap_or_default();
        let digits = rest
            .iter()
            .take(6)
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        if digits > 0 {
            out.push(css_escape_byte(rest.get(..digits).unwrap_or_default()));
            i += digits;
            if is_c_space(at(input, i)) {
                i += 1;
            }
        } else if next == b'\n' {
            i += 1;
        } else {
            out.push(next);
            i += 1;
        }
    }
}

/// The byte ModSecurity makes of the 1 to 6 hex digits of a CSS escape: the last two digits,
/// plus 0x20 for full-width ASCII (`FF01`–`FF5E`, written with 4 digits, or with 5 or 6 when
/// the leading ones are zeros).
fn css_escape_byte(digits: &[u8]) -> u8 {
    let n = digits.len();
    let digit = |k: usize| at(digits, k);
    let value = match n {
        0 => return 0,
        1 => hex_value(digit(0)).unwrap_or(0),
        _ => hex_pair(digit(n - 2), digit(n - 1)).unwrap_or(0),
    };
    let full_width_check = match n {
        4 => true,
        5 => digit(0) == b'0',
        6 => digit(0) == b'0' && digit(1) == b'0',
        _ => false,
    };
    let is_ff = n >= 4 && hex_pair(digit(n - 4), digit(n - 3)) == Some(0xff);
    if full_width_check && is_ff && (0x01..0x5f).contains(&value) {
        value + 0x20
    } else {
        value
    }
}

/// `htmlEntityDecode`: `&#DDD;`, `&#xHH;` (either case of `x`, any number of digits, the low
/// byte of the value kept, the `;` optional) and the named entities `&quot; &amp; &lt; &gt;
/// &nbsp;` (ASCII case-insensitive, `;` optional; `&nbsp;` is the byte `A0`). Anything else,
/// including `&#` or `&#x` without digits, is copied as it is.
fn html_entity_decode(input: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        let entity = if b == b'&' {
            html_entity(input, i + 1)
        } else {
            None
        };
        match entity {
            Some((decoded, end)) => {
                out.push(decoded);
                i = if at(input, end) == b';' { end + 1 } else { end };
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
}

/// The entity starting at `input[start..]` (just after a `&`): its byte and where its text
/// ends (the `;`, if any, is not included).
fn html_entity(input: &[u8], start: usize) -> Option<(u8, usize)> {
    let rest = input.get(start..)?;
    match rest {
        [b'#', b'x' | b'X', digits @ ..] => {
            let len = digits.iter().take_while(|b| b.is_ascii_hexdigit()).count();
            let value = digits_low_byte(digits.get(..len)?, 16)?;
            Some((value, start + 2 + len))
        }
        [b'#', digits @ ..] => {
            let len = digits.iter().take_while(|b| b.is_ascii_digit()).count();
            let value = digits_low_byte(digits.get(..len)?, 10)?;
            Some((value, start + 1 + len))
        }
        _ => {
            const NAMED: [(&[u8], u8); 5] = [
                (b"quot", b'"'),
                (b"amp", b'&'),
                (b"lt", b'<'),
                (b"gt", b'>'),
                (b"nbsp", 0xa0),
            ];
            NAMED.iter().find_map(|&(name, byte)| {
                let candidate = rest.get(..name.len())?;
                candidate
                    .eq_ignore_ascii_case(name)
                    .then_some((byte, start + name.len()))
            })
        }
    }
}

/// The low byte of the number written with `digits` (all valid in `radix`), saturating like
/// C's `strtol` does on overflow; `None` if there are no digits.
fn digits_low_byte(digits: &[u8], radix: u32) -> Option<u8> {
    if digits.is_empty() {
        return None;
    }
    let value = digits.iter().fold(0i64, |acc, &b| {
        let digit = char::from(b).to_digit(radix).unwrap_or(0);
        acc.saturating_mul(i64::from(radix))
            .saturating_add(i64::from(digit))
    });
    Some((value & 0xff) as u8)
}

/// `cmdLine`, ModSecurity's command-line normalisation: deletes `\ " ' ^`, turns each run of
/// spaces, tabs, CR, LF, `,` and `;` into one space, deletes a space before `/` or `(`, and
/// lowercases ASCII letters.
fn cmd_line(input: &[u8], out: &mut Vec<u8>) {
    let mut in_space = false;
    for &b in input {
        match b {
            b'\\' | b'"' | b'\'' | b'^' => {}
            b' ' | b',' | b';' | b'\t' | b'\r' | b'\n' => {
                if !in_space {
                    out.push(b' ');
                    in_space = true;
                }
            }
            b'/' | b'(' => {
                if in_space {
                    out.pop();
                }
                in_space = false;
                out.push(b);
            }
            _ => {
                out.push(b.to_ascii_lowercase());
                in_space = false;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Whitespace and NULs
// ---------------------------------------------------------------------------------------------

/// `removeWhitespace`: deletes `isspace` bytes and NBSPs (see [`first_char_space`]).
fn remove_whitespace(input: &[u8], out: &mut Vec<u8>) {
    let mut rest = input;
    while !rest.is_empty() {
        let (len, is_space) = first_char_space(rest);
        let (char_bytes, tail) = rest.split_at(len.min(rest.len()));
        if !is_space {
            out.extend_from_slice(char_bytes);
        }
        rest = tail;
    }
}

/// `compressWhitespace`: each run of `isspace` bytes and NBSPs (see [`first_char_space`]) to
/// one space.
fn compress_whitespace(input: &[u8], out: &mut Vec<u8>) {
    let mut in_space = false;
    let mut rest = input;
    while !rest.is_empty() {
        let (len, is_space) = first_char_space(rest);
        let (char_bytes, tail) = rest.split_at(len.min(rest.len()));
        if !is_space {
            out.extend_from_slice(char_bytes);
        } else if !in_space {
            out.push(b' ');
        }
        in_space = is_space;
        rest = tail;
    }
}

/// The value without leading `isspace` bytes.
fn trim_start(input: &[u8]) -> &[u8] {
    let start = input
        .iter()
        .position(|&b| !is_c_space(b))
        .unwrap_or(input.len());
    input.get(start..).unwrap_or_default()
}

/// The value without trailing `isspace` bytes.
fn trim_end(input: &[u8]) -> &[u8] {
    let end = input
        .iter()
        .rposition(|&b| !is_c_space(b))
        .map_or(0, |last| last + 1);
    input.get(..end).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Comments
// ---------------------------------------------------------------------------------------------

/// `replaceComments`: each `/* ... */` becomes one space; an unterminated comment runs to the
/// end and also becomes one space. A lone `*/` is kept.
fn replace_comments(input: &[u8], out: &mut Vec<u8>) {
    let mut in_comment = false;
    let mut i = 0;
    while let Some(rest) = input.get(i..).filter(|rest| !rest.is_empty()) {
        if !in_comment && rest.starts_with(b"/*") {
            in_comment = true;
            i += 2;
        } else if in_comment && rest.starts_with(b"*/") {
            in_comment = false;
            out.push(b' ');
            i += 2;
        } else {
            if !in_comment {
                out.push(at(rest, 0));
            }
            i += 1;
        }
    }
    if in_comment {
        out.push(b' ');
    }
}

/// `removeComments`, as ModSecurity has it: `/* ... */` and `<!-- ... -->` are deleted (an
/// unterminated one becomes a space), and `--` or `#` ends the value. The byte right after a
/// comment's end is always copied without being looked at, a NUL if the comment ended the
/// value (ModSecurity reads its terminator there); CRS's regression corpus expects that NUL.
fn remove_comments(input: &[u8], out: &mut Vec<u8>) {
    let mut in_comment = false;
    let mut i = 0;
    while let Some(rest) = input.get(i..).filter(|rest| !rest.is_empty()) {
        if in_comment {
            let end = if rest.starts_with(b"*/") {
                2
            } else if rest.starts_with(b"-->") {
                3
            } else {
                0
            };
            if end > 0 {
                in_comment = false;
                out.push(at(rest, end));
                i += end + 1;
            } else {
                i += 1;
            }
        } else if rest.starts_with(b"/*") {
            in_comment = true;
            i += 2;
        } else if rest.starts_with(b"<!--") {
            in_comment = true;
            i += 4;
        } else if rest.starts_with(b"--") || rest.starts_with(b"#") {
            break;
        } else {
            out.push(at(rest, 0));
            i += 1;
        }
    }
    if in_comment {
        out.push(b' ');
    }
}

/// `removeCommentsChar`: deletes the markers `/*`, `*/`, `<!--`, `-->`, `--` and `#` but keeps
/// what is between them.
fn remove_comments_char(input: &[u8], out: &mut Vec<u8>) {
    const MARKERS: [&[u8]; 6] = [b"/*", b"*/", b"<!--", b"-->", b"--", b"#"];
    let mut i = 0;
    while let Some(rest) = input.get(i..).filter(|rest| !rest.is_empty()) {
        match MARKERS.iter().find(|marker| rest.starts_with(marker)) {
            Some(marker) => i += marker.len(),
            None => {
                out.push(at(rest, 0));
                i += 1;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------

/// `normalizePath` / `normalizePathWin` (which first turns every `\` into `/`): ModSecurity's
/// in-place algorithm, ported step by step because its corner cases are what the regression
/// corpus checks. Runs of `/` collapse, `.` segments go, `..` removes the segment before it;
/// an absolute path never climbs above `/`, a relative one keeps the `..` it cannot resolve
/// (`dir/../../foo` is `../foo`); a trailing `/` is kept only if the input had one.
fn normalize_path(input: &[u8], out: &mut Vec<u8>, win: bool) {
    out.extend_from_slice(input);
    if win {
        out.iter_mut()
            .filter(|b| **b == b'\\')
            .for_each(|b| *b = b'/');
    }
    let Some(last) = out.len().checked_sub(1) else {
        return;
    };
    let relative = at(out, 0) != b'/';
    let trailing = at(out, last) == b'/';
    let mut hit_root = false;
    let (mut src, mut dst) = (0, 0);
    let mut done = false;

    while !done && src <= last && dst <= last {
        // Only the end of a segment (the byte before a `/`, or the last byte) is looked at.
        done = src == last;
        let segment_end = done || at(out, src + 1) == b'/';
        let mut copy = true;
        // An empty segment (the first `/` of `//`) is left to the copy below, which collapses it.
        let empty_segment = at(out, src) == b'/' && !done;
        if segment_end && !empty_segment {
            if at(out, src) == b'.' {
                if dst > 0 && at(out, dst - 1) == b'.' {
                    // `..`: drop it and the segment before, unless nothing can be dropped.
                    if !(relative && (hit_root || dst <= 2)) {
                        dst = dst.saturating_sub(3);
                        while dst > 0 && at(out, dst) != b'/' {
                            dst -= 1;
                        }
                        if dst == 0 {
                            hit_root = true;
                            if !relative && done {
                                dst = 1;
                            }
                        }
                        copy = !done;
                        src += 1;
                    } else {
                        hit_root = true;
                    }
                } else if dst == 0 {
                    // `.` at the start of a relative path.
                    copy = !done;
                    src += 1;
                } else if at(out, dst - 1) == b'/' {
                    // `/.`
                    copy = !done;
                    if !done {
                        dst -= 1;
                    }
                    src += 1;
                }
            } else if dst > 0 {
                hit_root = false;
            }
        }
        if copy {
            if at(out, src) == b'/' {
                while src < last && at(out, src + 1) == b'/' {
                    src += 1;
                }
                if relative && dst == 0 {
                    // A relative path never starts with `/`.
                    src += 1;
                    continue;
                }
            }
            let byte = at(out, src);
            if let Some(slot) = out.get_mut(dst) {
                *slot = byte;
            }
            dst += 1;
            src += 1;
        }
    }
    if !trailing && dst > 0 && at(out, dst - 1) == b'/' {
        dst -= 1;
    }
    out.truncate(dst);
}

// ---------------------------------------------------------------------------------------------
// Base64 and hex
// ---------------------------------------------------------------------------------------------

/// The standard Base64 alphabet.
const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The 6-bit value of a Base64 digit.
fn base64_value(b: u8) -> Option<u32> {
    let value = match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(value))
}

/// Collects Base64 digits into bytes; a group left incomplete at the end gives the whole
/// bytes it holds (2 digits give 1 byte, 3 give 2), so padding is optional.
#[derive(Default)]
struct Base64Decoder {
    bits: u32,
    digits: u8,
}

impl Base64Decoder {
    fn push(&mut self, value: u32, out: &mut Vec<u8>) {
        self.bits = (self.bits << 6) | value;
        self.digits += 1;
        if self.digits == 4 {
            out.extend_from_slice(&self.bits.to_be_bytes()[1..]);
            *self = Self::default();
        }
    }

    fn finish(self, out: &mut Vec<u8>) {
        match self.digits {
            2 => out.push((self.bits >> 4) as u8),
            3 => out.extend_from_slice(&((self.bits >> 2) as u16).to_be_bytes()),
            _ => {}
        }
    }
}

/// `base64Decode`: CR and LF are skipped; decoding stops at `=`, or at the first byte outside
/// the alphabet, and keeps what was decoded so far.
fn base64_decode(input: &[u8], out: &mut Vec<u8>) {
    let mut decoder = Base64Decoder::default();
    for &b in input.iter().filter(|&&b| b != b'\r' && b != b'\n') {
        match base64_value(b) {
            Some(value) => decoder.push(value, out),
            None => break,
        }
    }
    decoder.finish(out);
}

/// `base64DecodeExt`, ModSecurity's forgiving decoder: bytes outside the alphabet are skipped
/// wherever they are, and so is `=`, except that a `=` that leaves a lone digit in its group
/// (and is not followed by another `=`) makes the whole result empty.
fn base64_decode_ext(input: &[u8], out: &mut Vec<u8>) {
    let mut decoder = Base64Decoder::default();
    for (i, &b) in input.iter().enumerate() {
        if b == b'=' {
            if decoder.digits == 1 && at(input, i + 1) != b'=' {
                out.clear();
                return;
            }
        } else if let Some(value) = base64_value(b) {
            decoder.push(value, out);
        }
    }
    decoder.finish(out);
}

/// `base64Encode`: standard Base64 with `=` padding.
fn base64_encode(input: &[u8], out: &mut Vec<u8>) {
    for chunk in input.chunks(3) {
        let byte = |k: usize| u32::from(at(chunk, k));
        let bits = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        for k in 0..4 {
            if k <= chunk.len() {
                let index = (bits >> (18 - 6 * k)) & 0x3f;
                out.push(BASE64_ALPHABET[index as usize]);
            } else {
                out.push(b'=');
            }
        }
    }
}

/// `hexEncode`: two lower-case hex digits per byte.
fn hex_encode(input: &[u8], out: &mut Vec<u8>) {
    for &b in input {
        push_hex_byte(out, b);
    }
}

/// `hexDecode`: pairs of hex digits to bytes. An odd length or a non-hex digit gives an empty
/// result, as in Coraza (whose transformation fails there).
fn hex_decode(input: &[u8], out: &mut Vec<u8>) {
    if !input.len().is_multiple_of(2) {
        return;
    }
    for pair in input.chunks(2) {
        match hex_pair(at(pair, 0), at(pair, 1)) {
            Some(b) => out.push(b),
            None => {
                out.clear();
                return;
            }
        }
    }
}

/// `sqlHexDecode`: each SQL hex literal `0xHH...` (either case of `x`, at least one digit
/// pair) becomes the bytes its pairs spell; an odd last digit is left as it is.
fn sql_hex_decode(input: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        let is_literal = b == b'0'
            && matches!(at(input, i + 1), b'x' | b'X')
            && hex_pair_at(input, i + 2).is_some();
        if !is_literal {
            out.push(b);
            i += 1;
            continue;
        }
        i += 2;
        while let Some(decoded) = hex_pair_at(input, i) {
            out.push(decoded);
            i += 2;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shows bytes the way a Rust byte string would, for readable failures.
    fn show(bytes: &[u8]) -> String {
        bytes.escape_ascii().to_string()
    }

    /// Applies `t` to `input` (into a dirty buffer, to check that it is cleared) and compares.
    fn check(t: Transform, input: &[u8], expected: &[u8]) {
        let mut out = b"left over".to_vec();
        t.apply(input, &mut out);
        assert_eq!(
            show(&out),
            show(expected),
            "t:{} of b\"{}\"",
            t.name(),
            show(input)
        );
    }

    #[test]
    fn base64_decode() {
        let t = Transform::Base64Decode;
        check(t, b"", b"");
        check(t, b"VGVzdENhc2U=", b"TestCase");
        check(t, b"VGVzdENhc2Ux", b"TestCase1");
        check(t, b"VGVzdENhc2UxMg==", b"TestCase12");
        check(t, b"VGVzdABDYXNl", b"Test\0Case");
        check(t, b"VGVzdENhc2U=", b"TestCase");
        // Coraza's own cases: decoding stops at the first byte outside the alphabet.
        check(t, b"VGVzdENhc2U", b"TestCase");
        check(t, b"PA==", b"<");
        check(t, b"PFRFU1Q+", b"<TEST>");
        check(t, b"PHNjcmlwd", b"<scrip");
        check(t, b"PFR FU1Q+", b"<T");
        check(t, b"P.HNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", b"");
        check(t, b"PHNjcmlwd.D5hbGVydCgxKTwvc2NyaXB0Pg==", b"<scrip");
        check(t, b"PHNjcmlwdD.5hbGVydCgxKTwvc2NyaXB0Pg==", b"<script");
        check(t, b"PFRFU1Q-", b"<TEST");
        check(t, b"FPucA9l+", b"\x14\xfb\x9c\x03\xd9\x7e");
        check(t, b"FPucA9k=", b"\x14\xfb\x9c\x03\xd9");
        check(t, b"FPucAw==", b"\x14\xfb\x9c\x03");
        check(t, b"Zg==", b"f");
        check(t, b"Zm8=", b"fo");
        check(t, b"Zm9v", b"foo");
        check(t, b"Zm9vYg==", b"foob");
        check(t, b"Zm9v\r\nYmFy", b"foobar");
        check(t, b"Zm9v\0YmFy", b"foo");
    }

    #[test]
    fn base64_decode_ext() {
        let t = Transform::Base64DecodeExt;
        check(t, b"", b"");
        check(t, b"VGVzdENhc2U=", b"TestCase");
        check(t, b"VGVzdENhc2Ux", b"TestCase1");
        check(t, b"VGVzdENhc2UxMg==", b"TestCase12");
        check(
            t,
            b"P.HNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            b"<script>alert(1)</script>",
        );
        check(t, b"VGVzdABDYXNl", b"Test\0Case");
        // ModSecurity's forgiving decoder skips whatever is not Base64.
        check(t, b"PFR FU1Q+", b"<TEST>");
        check(
            t,
            b"PHNjcmlwd.D5hbGVydCgxKTwvc2NyaXB0Pg==",
            b"<script>alert(1)</script>",
        );
        check(
            t,
            b"PHNjcmlwdD.5hbGVydCgxKTwvc2NyaXB0Pg==",
            b"<script>alert(1)</script>",
        );
        check(t, b"Zm9v-YmFy", b"foobar");
        check(t, b"Zm9=v", b"foo");
        check(t, b"Zg", b"f");
        // A `=` after a lone digit in its group voids everything.
        check(t, b"Zm9vY=", b"");
        check(t, b"Zm9vY==", b"");
    }

    #[test]
    fn base64_encode() {
        let t = Transform::Base64Encode;
        check(t, b"", b"");
        check(t, b"TestCase", b"VGVzdENhc2U=");
        check(t, b"TestCase1", b"VGVzdENhc2Ux");
        check(t, b"TestCase12", b"VGVzdENhc2UxMg==");
        check(t, b"Test\0Case", b"VGVzdABDYXNl");
        check(t, b"f", b"Zg==");
        check(t, b"fo", b"Zm8=");
        check(t, b"foo", b"Zm9v");
        check(t, b"\xff\xfe", b"//4=");
    }

    #[test]
    fn cmd_line() {
        let t = Transform::CmdLine;
        check(t, b"", b"");
        check(t, b"test", b"test");
        check(t, b"C^OMMAND /C DIR", b"command/c dir");
        check(t, b"C^oMMaNd /C DiR", b"command/c dir");
        check(t, b"cmd,/c DiR", b"cmd/c dir");
        check(t, b"\"command\" /c DiR", b"command/c dir");
        check(t, b"cmd.exe /c \"dir\"", b"cmd.exe/c dir");
        check(t, b"  ls;;  -la", b" ls -la");
        check(t, b"echo (a , b)", b"echo(a b)");
        check(t, b"W\\h^o'a\"m\"i", b"whoami");
        check(t, b"a\t\r\nb", b"a b");
        check(t, b"A,/B", b"a/b");
        check(t, b"\xc4X", b"\xc4x");
    }

    #[test]
    fn compress_whitespace() {
        let t = Transform::CompressWhitespace;
        check(t, b"", b"");
        check(t, b"TestCase", b"TestCase");
        check(t, b"Test\0Case", b"Test\0Case");
        check(t, b"Test Case", b"Test Case");
        check(t, b"  Test  \t   Case  ", b" Test Case ");
        check(
            t,
            b"This is a   test with a tab \t, vtab \x0b, formfeed \x0c.\r\n",
            b"This is a test with a tab , vtab , formfeed . ",
        );
        check(t, b"\x0b\x0c", b" ");
        // NBSP, as a Latin-1 byte or in UTF-8, but not the A0 inside `\xc3\xa0` (`a` grave).
        check(t, b"SELECT\xa01", b"SELECT 1");
        check(t, b"a\xa0\xa0b", b"a b");
        check(t, b"a\xc2\xa0 b", b"a b");
        check(t, b"a\xff\xa0b", b"a\xff b");
        check(t, b"voil\xc3\xa0  tout", b"voil\xc3\xa0 tout");
        check(
            t,
            b"\xe4\xbd\xa0\xe5\xa5\xbd  \xe4\xb8\x96",
            b"\xe4\xbd\xa0\xe5\xa5\xbd \xe4\xb8\x96",
        );
        check(t, b"a\xc2b", b"a\xc2b");
        check(t, b"x\x85y", b"x\x85y");
    }

    #[test]
    fn css_decode() {
        let t = Transform::CssDecode;
        check(t, b"", b"");
        check(t, b"TestCase", b"TestCase");
        check(t, b"Test\0Case", b"Test\0Case");
        check(t, b"test\\a\\b\\f\\n\\r\\t\\v\\?\\'\\\"\\\0\\12\\123\\1234\\12345\\123456\\ff01\\ff5e\\\n\\\0  string", b"test\n\x0b\x0fnrtv?'\"\0\x12#4EV!~\0  string");
        check(t, b"test\\", b"test");
        check(
            t,
            b"\\1A\\1 A\\1234567\\123456 7\\1x\\1 x",
            b"\x1a\x01AV7V7\x01x\x01x",
        );
        check(t, b"\\6a avascript", b"javascript");
        check(t, b"\\6A\\61vascript", b"javascript");
        check(t, b"\\41\t", b"A");
        check(t, b"\\41  ", b"A ");
        check(t, b"a\\\nb", b"ab");
        check(t, b"\\\"", b"\"");
        // ModSecurity keeps the last two digits, so a non-ASCII code point is one byte.
        check(t, b"\\e9", b"\xe9");
        check(t, b"\\16a", b"j");
        check(t, b"\\0000006a", b"\x006a");
        // Full-width ASCII folds to ASCII: with 4 digits, or 5/6 with leading zeros.
        check(t, b"\\ff3c", b"\\");
        check(t, b"\\0ff01", b"!");
        check(t, b"\\00ff01", b"!");
        check(t, b"\\0fff01", b"\x01");
    }

    #[test]
    fn escape_seq_decode() {
        let t = Transform::EscapeSeqDecode;
        check(t, b"", b"");
        check(t, b"TestCase", b"TestCase");
        check(t, b"Test\0Case", b"Test\0Case");
        check(
            t,
            b"\\a\\b\\f\\n\\r\\t\\v\\?\\'\\\"\\0\\12\\123\0\xff",
            b"\x07\x08\x0c\n\r\t\x0b?'\"\0\nS\0\xff",
        );
        check(
            t,
            b"\\a\\b\\f\\n\\r\\t\\v\0\\?\\'\\\"\\0\\12\\123\0\xff",
            b"\x07\x08\x0c\n\r\t\x0b\0?'\"\0\nS\0\xff",
        );
        // ModSecurity's test harness turns `\\xag` into a byte in both input and output;
        // read literally, `\\x` without hex digits is just `x`.
        check(t, b"\\8\\9\\666\\xag\\xga\\0123", b"89\xb6xagxga\n3");
        check(t, b"\\0", b"\0");
        check(t, b"\\01", b"\x01");
        check(t, b"\\012", b"\n");
        check(t, b"\\", b"\\");
        check(t, b"\\\0", b"\0");
        check(t, b"\\z", b"z");
        check(t, b"\\\\u0000", b"\\u0000");
        check(t, b"\\X41\\x41", b"AA");
        check(t, b"\\x4", b"x4");
        check(t, b"\\1234", b"S4");
        // Octal values above a byte are truncated, as ModSecurity stores them in a char.
        check(t, b"\\777", b"\xff");
        check(t, b"\\477", b"?");
        check(t, b"a\\", b"a\\");
    }

    #[test]
    fn hex_decode() {
        let t = Transform::HexDecode;
        check(t, b"", b"");
        check(t, b"5465737443617365", b"TestCase");
        check(t, b"546573740043617365", b"Test\0Case");
        check(t, b"01234567890z", b"");
        check(t, b"54657374004", b"");
        // Coraza's cases: anything but an even number of hex digits gives nothing.
        check(t, b"48656c6c6f", b"Hello");
        check(t, b"48656c6c6f7", b"");
        check(t, b"YyYy", b"");
        check(t, b"123G", b"");
        check(t, b"48454C4C4F", b"HELLO");
        check(t, b"48454c4C4f", b"HELLO");
        check(t, b"21402324255E262A28", b"!@#$%^&*(");
        check(t, b"48656c6c6fZ", b"");
    }

    #[test]
    fn hex_encode() {
        let t = Transform::HexEncode;
        check(t, b"", b"");
        check(t, b"TestCase", b"5465737443617365");
        check(t, b"Test\0Case", b"546573740043617365");
        check(t, b"\x00\xff\x7f", b"00ff7f");
    }

    #[test]
    fn html_entity_decode() {
        let t = Transform::HtmlEntityDecode;
        check(t, b"", b"");
        check(t, b"TestCase", b"TestCase");
        check(t, b"Test\0Case", b"Test\0Case");
        check(t, b"&#x3c;script&#x3e;", b"<script>");
        check(t, b"&#X3C", b"<");
        check(t, b"&#60;&#62", b"<>");
        check(t, b"&#65x&#x41;b", b"AxAb");
        check(t, b"&#0;", b"\0");
        // Any number of digits; the low byte of the value is kept.
        check(t, b"&#x003c;", b"<");
        check(t, b"&#0000060", b"<");
        check(t, b"&#x13c;", b"<");
        check(t, b"&#316;", b"<");
        check(t, b"&#99999999999999999999999;", b"\xff");
        check(t, b"&lt;&gt;&amp;&quot;&nbsp;", b"<>&\"\xa0");
        check(t, b"&LT;&Gt", b"<>");
        check(t, b"&ltscript", b"<script");
        check(t, b"&amp;lt;", b"&lt;");
        check(t, b"&&lt;", b"&<");
        // Not entities: copied as they are.
        check(t, b"&", b"&");
        check(t, b"&#", b"&#");
        check(t, b"&#;", b"&#;");
        check(t, b"&#x;", b"&#x;");
        check(t, b"&#xg", b"&#xg");
        check(t, b"&foo;", b"&foo;");
        check(t, b"&l", b"&l");
    }

    #[test]
    fn js_decode() {
        let t = Transform::JsDecode;
        check(t, b"", b"");
        check(t, b"TestCase", b"TestCase");
        check(t, b"Test\0Case", b"Test\0Case");
        check(
            t,
            b"\\\\a\\\\b\\\\f\\\\n\\\\r\\\\t\\\\v\\?\\'\\\"\\0\\12\\123\0\xff",
            b"\\a\\b\\f\\n\\r\\t\\v?'\"\0\nS\0\xff",
        );
        check(t, b"8966\n\0\0\0\n\n\n3u00a", b"8966\n\0\0\0\n\n\n3u00a");
        check(t, b"\\u", b"u");
        check(t, b"\\u\\u0", b"uu0");
        check(t, b"\\u\\u0\\u01", b"uu0u01");
        check(t, b"\\u\\u0\\u01\\u012", b"uu0u01u012");
        check(t, b"\\u\\u0\\u01\\u012\0", b"uu0u01u012\0");
        check(t, b"\\", b"\\");
        check(t, b"\\\\0", b"\\0");
        check(t, b"\\u0041\\x42\\103", b"ABC");
        check(t, b"\\u00e9", b"\xe9");
        // Full-width ASCII folds to ASCII.
        check(t, b"\\uff1c\\uFF1C", b"<<");
        check(t, b"\\uff00\\uff5f", b"\0_");
        check(t, b"\\U0041\\X41", b"U0041X41");
        check(t, b"\\x4", b"x4");
        check(t, b"\\u004", b"u004");
        // Three octal digits only while the value fits a byte.
        check(t, b"\\377", b"\xff");
        check(t, b"\\400", b" 0");
        check(t, b"\\08", b"\x008");
        check(t, b"\\8", b"8");
        check(t, b"\\\\", b"\\");
        check(t, b"a\\", b"a\\");
    }

    #[test]
    fn length() {
        let t = Transform::Length;
        check(t, b"", b"0");
        check(t, b"0123456789abcdef", b"16");
        check(t, b"0123456789\tabcdef", b"17");
        check(t, b"Test\0Case", b"9");
        check(t, b"h\xc3\xa9llo", b"6");
    }

    #[test]
    fn lowercase() {
        let t = Transform::Lowercase;
        check(t, b"", b"");
        check(t, b"testcase", b"testcase");
        check(t, b"test\0case", b"test\0case");
        check(t, b"TestCase", b"testcase");
        check(t, b"Test\0Case", b"test\0case");
        check(t, b"\xc3\x89ABC", b"\xc3\x89abc");
    }

    #[test]
    fn md5() {
        let t = Transform::Md5;
        check(t, b"zimmerle", b"-Se\x90)-B~N\x14\x82\x9aE\xbc\xfe\x89");
        check(
            t,
            b"",
            b"\xd4\x1d\x8c\xd9\x8f\0\xb2\x04\xe9\x80\t\x98\xec\xf8B~",
        );
        check(
            t,
            b"\xec\xa7\x84 \xeb\xa7\x88 \xeb\xa6\xac",
            b"\xc16\x83Y\xaa)(\xa50\xb5\0\x07\xd1\xde\xeaw",
        );
        check(
            t,
            b"\0\x01\x02\x03\x04\x05\x06\x07\x08",
            b"\xa6\xe7\xd3\xb4o\xdf\xaf\x0b\xde*\x1f\x83*\0\xd2\xde",
        );
        check(
            t,
            b"TestCase",
            b"\xc9\xab\xa2\xc3\xe6\x01&\x16\x9e\x80\xe9\xa2k\xa2s\xc1",
        );
    }

    #[test]
    fn normalize_path() {
        let t = Transform::NormalizePath;
        check(t, b"", b"");
        check(t, b"/foo/bar/baz", b"/foo/bar/baz");
        check(t, b"/foo/bar\0/baz", b"/foo/bar\0/baz");
        check(t, b"x", b"x");
        check(t, b".", b"");
        check(t, b"./", b"");
        check(t, b"./..", b"..");
        check(t, b"./../", b"../");
        check(t, b"..", b"..");
        check(t, b"../", b"../");
        check(t, b"../.", b"..");
        check(t, b".././", b"../");
        check(t, b"../..", b"../..");
        check(t, b"../../", b"../../");
        check(t, b"/dir/foo//bar", b"/dir/foo/bar");
        check(t, b"dir/foo//bar/", b"dir/foo/bar/");
        check(t, b"dir/../foo", b"foo");
        check(t, b"dir/../../foo", b"../foo");
        check(t, b"dir/./.././../../foo/bar", b"../../foo/bar");
        check(t, b"dir/./.././../../foo/bar/.", b"../../foo/bar");
        check(t, b"dir/./.././../../foo/bar/./", b"../../foo/bar/");
        check(t, b"dir/./.././../../foo/bar/..", b"../../foo");
        check(t, b"dir/./.././../../foo/bar/../", b"../../foo/");
        check(t, b"dir/./.././../../foo/bar/", b"../../foo/bar/");
        check(t, b"dir//.//..//.//..//..//foo//bar", b"../../foo/bar");
        check(t, b"dir//.//..//.//..//..//foo//bar//", b"../../foo/bar/");
        check(t, b"dir/subdir/subsubdir/subsubsubdir/../../..", b"dir");
        check(
            t,
            b"dir/./subdir/./subsubdir/./subsubsubdir/../../..",
            b"dir",
        );
        check(t, b"dir/./subdir/../subsubdir/../subsubsubdir/..", b"dir");
        check(
            t,
            b"/dir/./subdir/../subsubdir/../subsubsubdir/../",
            b"/dir/",
        );
        check(
            t,
            b"/./.././../../../../../../../\0/../etc/./passwd",
            b"/etc/passwd",
        );
        check(t, b"/a/b/../../../etc/passwd", b"/etc/passwd");
        check(t, b"a/./b", b"a/b");
        check(t, b"a\\b", b"a\\b");
    }

    #[test]
    fn normalize_path_win() {
        let t = Transform::NormalizePathWin;
        check(t, b"", b"");
        check(t, b"\\foo\\bar\\baz", b"/foo/bar/baz");
        check(t, b"\\foo\\bar\0\\baz", b"/foo/bar\0/baz");
        check(t, b"x", b"x");
        check(t, b".", b"");
        check(t, b".\\", b"");
        check(t, b".\\..", b"..");
        check(t, b".\\..\\", b"../");
        check(t, b"..", b"..");
        check(t, b"..\\", b"../");
        check(t, b"..\\.", b"..");
        check(t, b"..\\.\\", b"../");
        check(t, b"..\\..", b"../..");
        check(t, b"..\\..\\", b"../../");
        check(t, b"\\dir\\foo\\\\bar", b"/dir/foo/bar");
        check(t, b"dir\\foo\\\\bar\\", b"dir/foo/bar/");
        check(t, b"dir\\..\\foo", b"foo");
        check(t, b"dir\\..\\..\\foo", b"../foo");
        check(t, b"dir\\.\\..\\.\\..\\..\\foo\\bar", b"../../foo/bar");
        check(t, b"dir\\.\\..\\.\\..\\..\\foo\\bar\\.", b"../../foo/bar");
        check(
            t,
            b"dir\\.\\..\\.\\..\\..\\foo\\bar\\.\\",
            b"../../foo/bar/",
        );
        check(t, b"dir\\.\\..\\.\\..\\..\\foo\\bar\\..", b"../../foo");
        check(t, b"dir\\.\\..\\.\\..\\..\\foo\\bar\\..\\", b"../../foo/");
        check(t, b"dir\\.\\..\\.\\..\\..\\foo\\bar\\", b"../../foo/bar/");
        check(
            t,
            b"dir\\\\.\\\\..\\\\.\\\\..\\\\..\\\\foo\\\\bar",
            b"../../foo/bar",
        );
        check(
            t,
            b"dir\\\\.\\\\..\\\\.\\\\..\\\\..\\\\foo\\\\bar\\\\",
            b"../../foo/bar/",
        );
        check(
            t,
            b"dir\\subdir\\subsubdir\\subsubsubdir\\..\\..\\..",
            b"dir",
        );
        check(
            t,
            b"dir\\.\\subdir\\.\\subsubdir\\.\\subsubsubdir\\..\\..\\..",
            b"dir",
        );
        check(
            t,
            b"dir\\.\\subdir\\..\\subsubdir\\..\\subsubsubdir\\..",
            b"dir",
        );
        check(
            t,
            b"\\dir\\.\\subdir\\..\\subsubdir\\..\\subsubsubdir\\..\\",
            b"/dir/",
        );
        check(
            t,
            b"\\.\\..\\.\\..\\..\\..\\..\\..\\..\\..\\\\0\\..\\etc\\.\\passwd",
            b"/etc/passwd",
        );
        check(
            t,
            b"C:\\inetpub\\wwwroot\\..\\web.config",
            b"C:/inetpub/web.config",
        );
        check(t, b"..\\..\\etc\\passwd", b"../../etc/passwd");
        check(t, b"foo\\..\\bar", b"bar");
        check(t, b"/a\\/b", b"/a/b");
    }

    // skipped parityEven7bit
    // skipped parityOdd7bit
    // skipped parityZero7bit
    #[test]
    fn remove_comments() {
        let t = Transform::RemoveComments;
        check(t, b"", b"");
        check(t, b"TestCase", b"TestCase");
        check(t, b"Test\0Case", b"Test\0Case");
        check(t, b"/* TestCase */", b"\0");
        check(t, b"/*TestCase*/", b"\0");
        check(t, b"/* TestCase*/", b"\0");
        check(t, b"/*TestCase */", b"\0");
        check(t, b"Before/* TestCase */After", b"BeforeAfter");
        check(t, b"Before TestCase */ After", b"Before TestCase */ After");
        check(t, b"/* Test\\nCase */", b"\0");
        check(t, b"/* Test\r\nCase */", b"\0");
        check(t, b"/* Test\nCase */", b"\0");
        check(t, b"/* Test\rCase */", b"\0");
        check(t, b"/*Before/* Test\r\nCase ", b" ");
        check(t, b"Before /* Test\nCase ", b"Before  ");
        check(
            t,
            b"Before/* T*/ /* e */ /* s */ /* t */\r\nCase ",
            b"Before   \r\nCase ",
        );
        check(
            t,
            b"Before /* */ ops */ Test\nCase ",
            b"Before  ops */ Test\nCase ",
        );
        check(t, b"/*Test\r\nCase */After", b"After");
        check(t, b"Test\nCase /**/ After", b"Test\nCase  After");
        check(t, b"Test\r\nCase */After", b"Test\r\nCase */After");
        check(t, b"Test/*\nCase */ After", b"Test After");
        check(t, b"hello /* comment */ world", b"hello  world");
        check(t, b"hello <!-- comment --> world", b"hello  world");
        check(t, b"<!-- comment -->", b"\0");
        check(t, b"hello /* unclosed", b"hello  ");
        check(t, b"hello <!-- unclosed", b"hello  ");
        check(t, b"hello -- rest", b"hello ");
        check(t, b"hello # rest", b"hello ");
        // The byte after a comment is copied unexamined, even when it opens another one.
        check(t, b"1/*a*//*b*/2", b"1/*b*/2");
    }

    #[test]
    fn remove_comments_char() {
        let t = Transform::RemoveCommentsChar;
        check(t, b"", b"");
        check(t, b"TestCase", b"TestCase");
        check(t, b"Test\0Case", b"Test\0Case");
        check(t, b"/* TestCase */", b" TestCase ");
        check(t, b"/*TestCase*/", b"TestCase");
        check(t, b"/* TestCase*/", b" TestCase");
        check(t, b"/*TestCase */", b"TestCase ");
        check(t, b"Before/* TestCase */After", b"Before TestCase After");
        check(
            t,
            b"Before /* TestCase */ After",
            b"Before  TestCase  After",
        );
        check(t, b"/* Test\\nCase */", b" Test\\nCase ");
        check(t, b"/* Test\r\nCase */", b" Test\r\nCase ");
        check(t, b"/* Test\nCase */", b" Test\nCase ");
        check(t, b"/* Test\rCase */", b" Test\rCase ");
        check(t, b"Before/* Test\r\nCase ", b"Before Test\r\nCase ");
        check(t, b"Before /* Test\nCase ", b"Before  Test\nCase ");
        check(t, b"Before/* Test\r\nCase ", b"Before Test\r\nCase ");
        check(t, b"Before /* Test\nCase ", b"Before  Test\nCase ");
        check(t, b"Test\r\nCase */After", b"Test\r\nCase After");
        check(t, b"Test\nCase */ After", b"Test\nCase  After");
        check(t, b"Test\r\nCase */After", b"Test\r\nCase After");
        check(t, b"Test\nCase */ After", b"Test\nCase  After");
        check(t, b"a<!--b-->c", b"abc");
        check(t, b"a--b#c", b"abc");
        check(t, b"/*!50000select*/", b"!50000select");
    }

    #[test]
    fn remove_nulls() {
        let t = Transform::RemoveNulls;
        check(t, b"", b"");
        check(t, b"TestCase", b"TestCase");
        check(t, b"Test\x01Case", b"Test\x01Case");
        check(t, b"\0TestCase", b"TestCase");
        check(t, b"Test\0Case", b"TestCase");
        check(t, b"Test\0\0Case", b"TestCase");
        check(t, b"TestCase\0", b"TestCase");
        check(t, b"\0Test\0Case\0", b"TestCase");
    }

    #[test]
    fn remove_whitespace() {
        let t = Transform::RemoveWhitespace;
        check(t, b"", b"");
        check(t, b"TestCase", b"TestCase");
        check(t, b"Test\0Case", b"Test\0Case");
        check(t, b"  Test  \t   Case  ", b"TestCase");
        check(t, b"t e s t", b"test");
        check(t, b"\x0b\x0c\r\n\t x", b"x");
        check(t, b"a\xa0b", b"ab");
        check(t, b"a\xc2\xa0b", b"ab");
        check(t, b"voil\xc3\xa0 tout", b"voil\xc3\xa0tout");
        check(t, b"a\xc2b", b"a\xc2b");
    }

    #[test]
    fn replace_comments() {
        let t = Transform::ReplaceComments;
        check(t, b"", b"");
        check(t, b"TestCase", b"TestCase");
        check(t, b"Test\0Case", b"Test\0Case");
        check(t, b"/* TestCase */", b" ");
        check(t, b"/*TestCase*/", b" ");
        check(t, b"/* TestCase*/", b" ");
        check(t, b"/*TestCase */", b" ");
        check(t, b"Before/* TestCase */After", b"Before After");
        check(t, b"Before /* TestCase */ After", b"Before   After");
        check(t, b"/* Test\\nCase */", b" ");
        check(t, b"/* Test\r\nCase */", b" ");
        check(t, b"/* Test\nCase */", b" ");
        check(t, b"/* Test\rCase */", b" ");
        check(t, b"Before/* Test\r\nCase ", b"Before ");
        check(t, b"Before /* Test\nCase ", b"Before  ");
        check(t, b"Before/* Test\r\nCase ", b"Before ");
        check(t, b"Before /* Test\nCase ", b"Before  ");
        check(t, b"Test\r\nCase */After", b"Test\r\nCase */After");
        check(t, b"Test\nCase */ After", b"Test\nCase */ After");
        check(t, b"Test\r\nCase */After", b"Test\r\nCase */After");
        check(t, b"Test\nCase */ After", b"Test\nCase */ After");
        // Coraza's cases.
        check(t, b"This is/*this is a comment*/text", b"This is text");
        check(t, b"/*this is a comment*/a comment", b" a comment");
        check(t, b"/**/", b" ");
        check(t, b"/*comment", b" ");
        check(t, b"Not a comment", b"Not a comment");
        check(t, b"/*/", b" ");
        check(t, b"a*/b", b"a*/b");
    }

    #[test]
    fn replace_nulls() {
        let t = Transform::ReplaceNulls;
        check(t, b"", b"");
        check(t, b"TestCase", b"TestCase");
        check(t, b"\0TestCase", b" TestCase");
        check(t, b"Test\0Case", b"Test Case");
        check(t, b"Test\0\0Case", b"Test  Case");
        check(t, b"TestCase\0", b"TestCase ");
        check(t, b"\0Test\0Case\0", b" Test Case ");
    }

    #[test]
    fn sha1() {
        let t = Transform::Sha1;
        check(
            t,
            b"",
            b"\xda9\xa3\xee^kK\r2U\xbf\xef\x95`\x18\x90\xaf\xd8\x07\t",
        );
        check(
            t,
            b"TestCase",
            b"\xa7\x0c\xe3\x83\x89\xe3\x18\xbd+\xe1\x8a\x01\x11\xc6\xdcv\xbd,\xd9\xed",
        );
        check(
            t,
            b"\0\x01\x02\x03\x04\x05\x06\x07\x08",
            b"c\xbf`\xc7\x10Z\x07\xa2\xb1%\xbb\xf8\x9ea\xab\xda\xbcix\xc2",
        );
    }

    #[test]
    fn sql_hex_decode() {
        let t = Transform::SqlHexDecode;
        check(t, b"0x414243", b"ABC");
        check(t, b"SELECT 0x61646d696e", b"SELECT admin");
        check(t, b"0x41 0X4a", b"A J");
        check(t, b"0x414", b"A4");
        check(t, b"10x41", b"1A");
        check(t, b"0x4", b"0x4");
        check(t, b"0x", b"0x");
    }

    #[test]
    fn trim() {
        let t = Transform::Trim;
        check(t, b"", b"");
        check(t, b"TestCase", b"TestCase");
        check(t, b"Test\0Case", b"Test\0Case");
        check(t, b"    TestCase", b"TestCase");
        check(t, b"TestCase    ", b"TestCase");
        check(t, b"    TestCase    ", b"TestCase");
        check(t, b"    Test   Case    ", b"Test   Case");
        check(t, b"    Test \0 Case    ", b"Test \0 Case");
        check(t, b" \t   Test \0 Case \t  \t   \r\n  ", b"Test \0 Case");
        check(t, b"\x0b\x0cx\x0b", b"x");
        check(t, b"\xa0x\xa0", b"\xa0x\xa0");
        check(t, b" \t\r\n", b"");
    }

    #[test]
    fn trim_left() {
        let t = Transform::TrimLeft;
        check(t, b"", b"");
        check(t, b"TestCase", b"TestCase");
        check(t, b"Test\0Case", b"Test\0Case");
        check(t, b"TestCase    ", b"TestCase    ");
        check(t, b"    TestCase", b"TestCase");
        check(t, b"    TestCase    ", b"TestCase    ");
        check(t, b"    Test   Case    ", b"Test   Case    ");
        check(t, b"    Test \0 Case    ", b"Test \0 Case    ");
        check(
            t,
            b" \t   Test \0 Case \t  \t   \r\n  ",
            b"Test \0 Case \t  \t   \r\n  ",
        );
    }

    #[test]
    fn trim_right() {
        let t = Transform::TrimRight;
        check(t, b"", b"");
        check(t, b"TestCase", b"TestCase");
        check(t, b"Test\0Case", b"Test\0Case");
        check(t, b"    TestCase", b"    TestCase");
        check(t, b"TestCase    ", b"TestCase");
        check(t, b"    TestCase    ", b"    TestCase");
        check(t, b"    Test   Case    ", b"    Test   Case");
        check(t, b"    Test \0 Case    ", b"    Test \0 Case");
        check(
            t,
            b" \t   Test12 \0 Case \t  \t   \r\n  ",
            b" \t   Test12 \0 Case",
        );
    }

    #[test]
    fn uppercase() {
        let t = Transform::Uppercase;
        check(t, b"", b"");
        check(t, b"testcase", b"TESTCASE");
        check(t, b"test\0case", b"TEST\0CASE");
        check(t, b"testcase", b"TESTCASE");
        check(t, b"Test\0Case", b"TEST\0CASE");
        check(t, b"\xc3\xa9abc", b"\xc3\xa9ABC");
    }

    #[test]
    fn url_decode() {
        let t = Transform::UrlDecode;
        check(t, b"", b"");
        check(t, b"TestCase", b"TestCase");
        check(t, b"Test\0Case", b"Test\0Case");
        check(t, b"Test+Case", b"Test Case");
        check(t, b"%+", b"% ");
        check(t, b"%%20", b"% ");
        check(t, b"%0g%20", b"%0g ");
        check(t, b"%0%20", b"%0 ");
        check(t, b"%g0%20", b"%g0 ");
        check(t, b"%g%20", b"%g ");
        check(
            t,
            b"%0%1%2%3%4%5%6%7%8%9%0%a%b%c%d%e%f",
            b"%0%1%2%3%4%5%6%7%8%9%0%a%b%c%d%e%f",
        );
        check(
            t,
            b"%g0%g1%g2%g3%g4%g5%g6%g7%g8%g9%g0%ga%gb%gc%gd%ge%gf",
            b"%g0%g1%g2%g3%g4%g5%g6%g7%g8%g9%g0%ga%gb%gc%gd%ge%gf",
        );
        check(
            t,
            b"%0g%1g%2g%3g%4g%5g%6g%7g%8g%9g%0g%ag%bg%cg%dg%eg%fg",
            b"%0g%1g%2g%3g%4g%5g%6g%7g%8g%9g%0g%ag%bg%cg%dg%eg%fg",
        );
        check(t, b"%", b"%");
        check(t, b"%0", b"%0");
        check(t, b"%%", b"%%");
        check(t, b"%0g", b"%0g");
        check(t, b"%gg", b"%gg");
        check(t, b"%41%4a%4A", b"AJJ");
        check(t, b"a+b%2Bc", b"a b+c");
        check(t, b"%u0041", b"%u0041");
        check(t, b"%\xff", b"%\xff");
    }

    #[test]
    fn url_decode_uni() {
        let t = Transform::UrlDecodeUni;
        check(t, b"", b"");
        check(t, b"TestCase", b"TestCase");
        check(t, b"Test\0Case", b"Test\0Case");
        check(t, b"Test+Case", b"Test Case");
        check(t, b"%+", b"% ");
        check(t, b"%%20", b"% ");
        check(t, b"%0g%20", b"%0g ");
        check(t, b"%0%20", b"%0 ");
        check(t, b"%g0%20", b"%g0 ");
        check(t, b"%g%20", b"%g ");
        check(t, b"%%u0020", b"% ");
        check(t, b"%0g%u0020", b"%0g ");
        check(t, b"%0%u0020", b"%0 ");
        check(t, b"%g0%u0020", b"%g0 ");
        check(t, b"%u%u0020", b"%u ");
        check(t, b"%u0%u0020", b"%u0 ");
        check(t, b"%u00%u0020", b"%u00 ");
        check(t, b"%u000%u0020", b"%u000 ");
        check(t, b"%u000g%u0020", b"%u000g ");
        check(
            t,
            b"%0%1%2%3%4%5%6%7%8%9%0%a%b%c%d%e%f",
            b"%0%1%2%3%4%5%6%7%8%9%0%a%b%c%d%e%f",
        );
        check(
            t,
            b"%g0%g1%g2%g3%g4%g5%g6%g7%g8%g9%g0%ga%gb%gc%gd%ge%gf",
            b"%g0%g1%g2%g3%g4%g5%g6%g7%g8%g9%g0%ga%gb%gc%gd%ge%gf",
        );
        check(
            t,
            b"%0g%1g%2g%3g%4g%5g%6g%7g%8g%9g%0g%ag%bg%cg%dg%eg%fg",
            b"%0g%1g%2g%3g%4g%5g%6g%7g%8g%9g%0g%ag%bg%cg%dg%eg%fg",
        );
        check(t, b"%", b"%");
        check(t, b"%0", b"%0");
        check(t, b"%%", b"%%");
        check(t, b"%0g", b"%0g");
        check(t, b"%gg", b"%gg");
        check(t, b"var%3d%20@.%3d%20%28%20SELECT", b"var= @.= ( SELECT");
        check(t, b"%u0041%U0041", b"AA");
        check(t, b"%u003c%uff1c", b"<<");
        check(t, b"%u4e2d", b"\x2d");
        check(t, b"%E3%83%8F", b"\xe3\x83\x8f");
        check(t, b"%%u0041", b"%A");
        check(t, b"a+b%2b", b"a b+");
        // Invalid `%u` sequences are kept, `%u` included.
        check(t, b"%u", b"%u");
        check(t, b"%u00", b"%u00");
        check(t, b"%u12%41", b"%u12A");
        check(t, b"%uzzzz", b"%uzzzz");
    }

    #[test]
    fn url_encode() {
        let t = Transform::UrlEncode;
        check(t, b"", b"");
        check(t, b"TestCase", b"TestCase");
        check(t, b"Test Case", b"Test+Case");
        check(t, b"% ", b"%25+");
        check(t, b"%0g ", b"%250g+");
        check(t, b"%0 ", b"%250+");
        check(t, b"%g0 ", b"%25g0+");
        check(t, b"%g ", b"%25g+");
        check(
            t,
            b"%0%1%2%3%4%5%6%7%8%9%0%a%b%c%d%e%f",
            b"%250%251%252%253%254%255%256%257%258%259%250%25a%25b%25c%25d%25e%25f",
        );
        check(t, b"%g0%g1%g2%g3%g4%g5%g6%g7%g8%g9%g0%ga%gb%gc%gd%ge%gf", b"%25g0%25g1%25g2%25g3%25g4%25g5%25g6%25g7%25g8%25g9%25g0%25ga%25gb%25gc%25gd%25ge%25gf");
        check(t, b"%0g%1g%2g%3g%4g%5g%6g%7g%8g%9g%0g%ag%bg%cg%dg%eg%fg", b"%250g%251g%252g%253g%254g%255g%256g%257g%258g%259g%250g%25ag%25bg%25cg%25dg%25eg%25fg");
        check(t, b"%", b"%25");
        check(t, b"%0", b"%250");
        check(t, b"%%", b"%25%25");
        check(t, b"%0g", b"%250g");
        check(t, b"%gg", b"%25gg");
        check(t, b"a b*c", b"a+b*c");
        check(t, b"\x00\xff", b"%00%ff");
        check(t, b"~-_.", b"%7e%2d%5f%2e");
    }

    #[test]
    fn utf8_to_unicode() {
        let t = Transform::Utf8ToUnicode;
        check(
            t,
            b"\xc3\x90\xc2\x80 \xc3\x90\xc2\x81",
            b"%u00d0%u0080 %u00d0%u0081",
        );
        // Coraza's cases.
        check(t, b"hello world", b"hello world");
        check(
            t,
            "\u{30cf}\u{30ed}\u{30fc}\u{30ef}\u{30fc}\u{30eb}\u{30c9}".as_bytes(),
            b"%u30cf%u30ed%u30fc%u30ef%u30fc%u30eb%u30c9",
        );
        check(
            t,
            "\u{124}\u{e9}ll\u{14c} w\u{14f}rld".as_bytes(),
            b"%u0124%u00e9ll%u014c w%u014frld",
        );
        check(t, b"hello\0world", b"hello\0world");
        check(t, "hello \u{1f37a}".as_bytes(), b"hello %u1f37a");
        check(t, b"\xf4\x8f\xbf\xbf", b"%u10ffff");
        // Malformed UTF-8, as ModSecurity treats it.
        check(t, b"a\x80b\xf8", b"a\x80b\xf8");
        check(t, b"a\xc3b", b"ab");
        check(t, b"a\xc3", b"a");
        check(t, b"\xf0\x9f\x8d", b"\x9f\x8d");
        check(t, b"\xc0\x80", b"%u0000\xc0");
        check(t, b"\xe0\x80\xaf", b"%u002f\xe0");
        check(t, b"\xed\xa0\x80", b"%ud800\xed");
        check(t, b"\xf5\x80\x80\x80", b"\xf5%u140000");
    }

    #[test]
    fn url_decode_every_byte() {
        let mut input = b"+".to_vec();
        let mut expected = b" ".to_vec();
        for b in 0..=255u8 {
            input.extend_from_slice(format!("%{b:02x}").as_bytes());
            expected.push(b);
        }
        check(Transform::UrlDecode, &input, &expected);
        check(Transform::UrlDecodeUni, &input, &expected);
        check(
            Transform::UrlDecode,
            input.to_ascii_uppercase().as_slice(),
            &expected,
        );
    }

    #[test]
    fn url_decode_uni_keeps_the_low_byte() {
        for b in 0..=255u8 {
            check(
                Transform::UrlDecodeUni,
                format!("%u00{b:02x}").as_bytes(),
                &[b],
            );
            check(
                Transform::UrlDecodeUni,
                format!("%u11{b:02X}").as_bytes(),
                &[b],
            );
            // Full-width ASCII U+FF01..U+FF5E is ASCII 0x21..0x7E; the rest of FFxx is xx.
            let full_width = if (0x01..0x5f).contains(&b) {
                b + 0x20
            } else {
                b
            };
            check(
                Transform::UrlDecodeUni,
                format!("%uff{b:02x}").as_bytes(),
                &[full_width],
            );
            check(
                Transform::JsDecode,
                format!("\\uFF{b:02X}").as_bytes(),
                &[full_width],
            );
        }
    }

    #[test]
    fn url_encode_every_byte() {
        for b in 0..=255u8 {
            let expected = match b {
                b' ' => b"+".to_vec(),
                b'*' | b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' => vec![b],
                _ => format!("%{b:02x}").into_bytes(),
            };
            check(Transform::UrlEncode, &[b], &expected);
        }
    }

    #[test]
    fn hex_and_base64_round_trip() {
        let all: Vec<u8> = (0..=255u8).collect();
        for len in 0..all.len() {
            let value = all.get(..len).unwrap_or_default();
            let (mut encoded, mut decoded) = (Vec::new(), Vec::new());
            Transform::HexEncode.apply(value, &mut encoded);
            Transform::HexDecode.apply(&encoded, &mut decoded);
            assert_eq!(decoded, value);
            Transform::Base64Encode.apply(value, &mut encoded);
            Transform::Base64Decode.apply(&encoded, &mut decoded);
            assert_eq!(decoded, value);
            Transform::Base64DecodeExt.apply(&encoded, &mut decoded);
            assert_eq!(decoded, value);
        }
    }

    #[test]
    fn names() {
        for (name, transform) in NAMES {
            assert_eq!(Transform::from_name(name), Some(transform), "{name}");
            assert_eq!(
                Transform::from_name(&name.to_ascii_lowercase()),
                Some(transform)
            );
            assert_eq!(
                Transform::from_name(&name.to_ascii_uppercase()),
                Some(transform)
            );
            let canonical = transform.name();
            assert_eq!(
                Transform::from_name(canonical),
                Some(transform),
                "{canonical}"
            );
        }
        assert_eq!(
            Transform::from_name("base64decode"),
            Some(Transform::Base64Decode)
        );
        assert_eq!(
            Transform::from_name("normalisePath"),
            Some(Transform::NormalizePath)
        );
        assert_eq!(Transform::NormalizePath.name(), "normalizePath");
        assert_eq!(Transform::Utf8ToUnicode.name(), "utf8toUnicode");
        assert_eq!(Transform::from_name("none"), None);
        assert_eq!(Transform::from_name("parityEven7bit"), None);
        assert_eq!(Transform::from_name(""), None);
        assert_eq!(Transform::from_name("urlDecode "), None);
    }

    /// A chain as the engine runs it: two buffers, swapped after each step.
    #[test]
    fn chain_with_two_buffers() {
        let chain = [
            Transform::UrlDecodeUni,
            Transform::HtmlEntityDecode,
            Transform::JsDecode,
            Transform::CssDecode,
            Transform::Lowercase,
            Transform::RemoveNulls,
            Transform::CompressWhitespace,
        ];
        let (mut current, mut next) = (
            b"%26lt;SCRIPT%26gt;\\u0061lert(%uff11)%00  ;".to_vec(),
            Vec::new(),
        );
        for transform in chain {
            transform.apply(&current, &mut next);
            std::mem::swap(&mut current, &mut next);
        }
        assert_eq!(show(&current), show(b"<script>alert(1) ;"));
    }

    /// Every transformation over many arbitrary inputs: no panic, and the decoders never make
    /// a value longer.
    #[test]
    fn arbitrary_bytes_never_panic() {
        const ALPHABET: &[u8] =
            b"%uUxX\\&#;/.*-<!>=+ \t\n\x0b\x000aF9zq\x80\xa0\xc2\xc3\xe3\xf0\xf5\xff";
        let mut inputs: Vec<Vec<u8>> = vec![Vec::new()];
        // Every string of up to three bytes over the alphabet...
        for len in 1..=3u32 {
            for mut n in 0..ALPHABET.len().pow(len) {
                let mut input = Vec::new();
                for _ in 0..len {
                    input.push(at(ALPHABET, n % ALPHABET.len()));
                    n /= ALPHABET.len();
                }
                inputs.push(input);
            }
        }
        // ...then longer pseudo-random ones, over the alphabet and over all bytes.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut random = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..4000 {
            let len = (random() % 48) as usize;
            let any_byte = random() % 4 == 0;
            let input = (0..len)
                .map(|_| {
                    let r = random();
                    if any_byte {
                        r as u8
                    } else {
                        at(ALPHABET, (r as usize) % ALPHABET.len())
                    }
                })
                .collect();
            inputs.push(input);
        }
        let shrinking = [
            Transform::UrlDecode,
            Transform::UrlDecodeUni,
            Transform::JsDecode,
            Transform::HtmlEntityDecode,
            Transform::CssDecode,
            Transform::EscapeSeqDecode,
            Transform::CmdLine,
            Transform::RemoveWhitespace,
            Transform::CompressWhitespace,
            Transform::RemoveCommentsChar,
            Transform::ReplaceComments,
            Transform::NormalizePath,
            Transform::NormalizePathWin,
            Transform::Base64Decode,
            Transform::Base64DecodeExt,
            Transform::HexDecode,
            Transform::SqlHexDecode,
            Transform::Trim,
        ];
        let mut out = Vec::new();
        for input in &inputs {
            for (_, transform) in NAMES {
                transform.apply(input, &mut out);
                if shrinking.contains(&transform) {
                    assert!(
                        out.len() <= input.len(),
                        "t:{} of {}",
                        transform.name(),
                        show(input)
                    );
                }
            }
        }
    }

    /// `leaves_unchanged` may only say yes when `apply` gives the input back: checked for
    /// every transformation over every string of up to three bytes drawn from the bytes the
    /// transformations act on, and over longer realistic values.
    #[test]
    fn a_step_said_to_leave_a_value_unchanged_does() {
        const BYTES: &[u8] =
            b"aAz0%+\\&#;/*-x u.'\"^,(\t\n\r\x00\x0b\xa0\xc2\xc3\xe2\xf0\xf5\xff\x80";
        let mut inputs: Vec<Vec<u8>> = vec![Vec::new()];
        for &a in BYTES {
            inputs.push(vec![a]);
            for &b in BYTES {
                inputs.push(vec![a, b]);
                for &c in BYTES {
                    inputs.push(vec![a, b, c]);
                }
            }
        }
        inputs.extend((0..=255u8).map(|b| vec![b]));
        for text in [
            "shoes",
            "price_asc",
            "Mozilla/5.0 (X11; Linux x86_64)",
            "%41%u0041+b",
            "&amp;&#x41;&#65",
            "\\x41\\u0041\\101\\n",
            "a/*b*/c -- #x",
            "  padded\t",
            "caf\u{e9} na\u{ef}ve\u{a0}x",
            "/a/./b/../c//d",
            "SGVsbG8=",
            "0x414243",
        ] {
            inputs.push(text.as_bytes().to_vec());
        }
        let mut out = Vec::new();
        let mut said = 0;
        for &(_, t) in &NAMES {
            for input in &inputs {
                if !t.leaves_unchanged(input) {
                    continue;
                }
                said += 1;
                t.apply(input, &mut out);
                assert_eq!(show(&out), show(input), "t:{} said unchanged", t.name());
            }
        }
        assert!(said > 100_000, "said unchanged only {said} times");
        // And it says so where it matters: plain words through CRS's decoding chains.
        for t in [
            Transform::UrlDecodeUni,
            Transform::Utf8ToUnicode,
            Transform::HtmlEntityDecode,
            Transform::JsDecode,
            Transform::CssDecode,
            Transform::RemoveNulls,
            Transform::Lowercase,
            Transform::CmdLine,
            Transform::RemoveWhitespace,
        ] {
            assert!(t.leaves_unchanged(b"price_asc"), "t:{}", t.name());
        }
    }
}
