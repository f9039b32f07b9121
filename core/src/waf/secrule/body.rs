//! Query strings, cookies and request bodies into the engine's collections.
//!
//! Every parser here is a pure function from bytes to bytes: no I/O, no clock, no
//! recursion on input (nesting is walked with explicit stacks, so a hostile body cannot
//! overflow the stack), work linear in the input, and no `unwrap` or panicking index on
//! input. Names and values stay `Vec<u8>`: a WAF must see the bytes
//! the application will see, valid UTF-8 or not.
//!
//! Which engine each parser follows, and where it departs from it:
//!
//! - **urlencoded** ([`parse_urlencoded`]): Coraza's `internal/url` and ModSecurity v3's
//!   `extractArguments` agree: split on `&`, then at the first `=`; `+` is a space; a `%`
//!   not followed by two hex digits is kept as it is and counted as invalid
//!   (`URLENCODED_ERROR`). Empty segments are skipped (Coraza). ModSecurity v3 resets its
//!   invalid counter between the name and the value, so it only reports a bad value; here a
//!   bad name counts too.
//! - **cookies** ([`parse_cookies`]): ModSecurity v3's `addRequestHeader`: split on `;`,
//!   trailing whitespace of the whole header dropped, each cookie's *leading* whitespace
//!   trimmed, name up to the first `=`, value as sent (no URL decoding, no trimming inside
//!   the header), cookies with an empty name skipped. Coraza also trims the space around
//!   each name and before each `;`; ModSecurity does not, and neither does this.
//! - **multipart** ([`parse_multipart`]): ModSecurity v3's `multipart.cc`, because its
//!   flags (`MULTIPART_STRICT_ERROR` and friends), its `Content-Disposition` grammar
//!   (backslash escapes, `filename*`, single quotes flagged) and its error messages are
//!   what CRS rules and regression tests were written against; Coraza delegates to Go's
//!   `mime/multipart`, which is laxer and sets no flags. Departures, all deliberate:
//!   * the whole body is parsed at once, line by line, instead of in 4 KiB buffers; the
//!     4096-byte limit on a part header line is kept; a file's bytes are counted
//!     (`FILES_SIZES`), not kept;
//!   * the Content-Type is checked as strictly as ModSecurity does: only whitespace and
//!     one `;` may stand between `multipart/form-data` and `boundary=` (so
//!     `multipart/form-data; charset=utf-8; boundary=x` is an error), and a `;` after the
//!     boundary ends it;
//!   * ModSecurity v3 ignores the failure of `process_part_header` (it compares a `false`
//!     with `< 0`), so a broken part header goes unreported there; here every such error
//!     is a [`BodyError`] carrying ModSecurity's message (the messages CRS's 922130 test
//!     looks for), except a part without a name (`name=""`, or no `name`), which is read
//!     and dropped with `invalid_part` set, as v3 ends up doing (CRS's 920120 test 39
//!     sends one as an ordinary request);
//!   * ModSecurity v3 drops the line breaks inside a text field (its `d.assign` overwrites
//!     the reserved CRLF); here a field's value is exactly the bytes between the blank line
//!     and the CRLF (or LF) before the next boundary, as in ModSecurity v2 and Coraza;
//!   * a boundary line where a part's headers should be flags `invalid_part` and is taken
//!     as a boundary (the unfinished part is dropped); a boundary straight after the
//!     blank line is an empty value, not an invalid part (ModSecurity v3 flags it);
//!   * `unmatched_boundary` is only ModSecurity's value `1` (a line that looks like a
//!     boundary but is not ours); its value `2` ("a boundary matched after the first")
//!     is set by every ordinary body and is not reported;
//!   * a quoted parameter without its closing quote is an error (ModSecurity reads past
//!     the end of its string there).
//! - **JSON** ([`parse_json`]): Coraza's names (`json.a.b`, array elements by index
//!   `json.a.0`, and the array itself as `json.a` = its length, as Coraza's `readItems`
//!   does; empty arrays and objects give nothing). Scalars are their JSON text as sent
//!   (numbers not reformatted), strings unescaped, `true`/`false` as text and `null` as
//!   the empty string (both Coraza and ModSecurity do that). A top-level scalar is treated
//!   the way Coraza's `gjson.ForEach` treats it, like a one-element array: `5` gives
//!   `json.0` = `5` and `json` = `1`; a top-level array gives `json.0`, `json.1`, ... and
//!   `json` = its length. Duplicate keys are all kept, in order (ModSecurity; Coraza's map
//!   keeps the last): a value must not hide behind a later one. Validity is decided by
//!   `serde_json` (whose ignoring parser is iterative, so depth does not matter to it);
//!   then an iterative walk over the validated bytes emits the pairs. Nesting deeper than
//!   `depth_max` containers, or more than `args_max` pairs, is an error. Invalid UTF-8
//!   inside strings is kept as bytes; a lone `\uD800` escape becomes U+FFFD.
//! - **XML** ([`parse_xml`]): Coraza's view: every text node (CDATA included), trimmed,
//!   empty ones skipped, and every attribute value, in document order; not ModSecurity's
//!   libxml2 document (whose `XML:/*` is the whole text content at once). Parsed leniently
//!   with `quick-xml` like Go's non-strict decoder (end tag names not checked, stray `&`
//!   allowed, a body cut short keeps what was read). Only the five XML entities and
//!   character references are expanded; any other `&name;` (including DTD-declared
//!   entities: nothing external is ever fetched or expanded) stays as written. Element
//!   nesting deeper than `depth_max`, or more than `args_max` texts plus attributes, is an
//!   error. The body must be UTF-8 (quick-xml reads `str`; Go's decoder, hence Coraza,
//!   refuses invalid UTF-8 too): other bytes make it a [`BodyError`].
//!
//! Limits are errors, not truncation: a body that would expand past [`BodyLimits`] gives a
//! [`BodyError`] (`REQBODY_ERROR`), which CRS-style configurations block on.

use crate::limits::WAF_CONTENT_TYPE_BYTES_MAX;
use std::fmt;

use quick_xml::events::Event;

/// Name/value pairs in order, bytes as they are (values may be any bytes).
pub type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

/// Bounds on what a body may expand to.
///
/// - `args_max`: arguments a body may yield (multipart fields plus files; JSON pairs;
///   XML texts plus attribute values).
/// - `depth_max`: nesting a body may have (JSON containers, a top-level scalar counting
///   as one as in Coraza; XML elements, empty ones included).
/// - `parts_max`: parts a multipart body may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimits {
    /// Most arguments one body may yield.
    pub args_max: usize,
    /// Deepest nesting one body may have.
    pub depth_max: usize,
    /// Most parts one multipart body may have.
    pub parts_max: usize,
}

/// Why a body did not parse: becomes `REQBODY_ERROR=1` and `REQBODY_ERROR_MSG` in the
/// engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyError(pub String);

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BodyError {}

fn err(msg: impl Into<String>) -> BodyError {
    BodyError(msg.into())
}

// ---------------------------------------------------------------------------------------
// Small byte helpers.

/// C's `isspace` in the "C" locale.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Position of `needle` in `hay`; an empty needle is found at 0.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `(before, after)` around the first `sep`.
fn split_once(s: &[u8], sep: u8) -> Option<(&[u8], &[u8])> {
    let i = s.iter().position(|&b| b == sep)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

fn starts_with_ignore_case(s: &[u8], prefix: &[u8]) -> bool {
    s.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `s` without trailing CR and LF bytes (ModSecurity's `chomp`).
fn chomp(s: &[u8]) -> &[u8] {
    let end = s
        .iter()
        .rposition(|&b| b != b'\n' && b != b'\r')
        .map_or(0, |i| i + 1);
    s.get(..end).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// application/x-www-form-urlencoded and query strings.

/// `a=1&b=2` (query string or urlencoded body) into pairs, both names and values
/// URL-decoded as ModSecurity does (`+` is space, invalid `%` sequences kept as they are;
/// a parameter without `=` has an empty value; empty segments skipped). Also returns
/// whether any %-encoding was invalid (ModSecurity's `URLENCODED_ERROR`).
pub fn parse_urlencoded(input: &[u8]) -> (Pairs, bool) {
    let mut pairs = Vec::new();
    let mut invalid = false;
    for segment in input.split(|&b| b == b'&') {
        if segment.is_empty() {
            continue;
        }
        let (name, value) = split_once(segment, b'=').unwrap_or((segment, &[]));
        let name = url_decode(name, &mut invalid);
        let value = url_decode(value, &mut invalid);
        pairs.push((name, value));
    }
    (pairs, invalid)
}

/// Non-strict URL decoding: `+` to space, `%XX` to its byte, anything else as it is;
/// sets `invalid` on a `%` without two hex digits after it.
fn url_decode(input: &[u8], invalid: &mut bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while let Some(&c) = input.get(i) {
        match c {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hi = input.get(i + 1).copied().and_then(hex_val);
                let lo = input.get(i + 2).copied().and_then(hex_val);
                if let (Some(hi), Some(lo)) = (hi, lo) {
                    out.push(hi << 4 | lo);
                    i += 3;
                } else {
                    *invalid = true;
                    out.push(b'%');
                    i += 1;
                }
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Cookies.

/// The `Cookie` header's cookies, as ModSecurity v3 / Coraza split them (`;` separated,
/// leading whitespace trimmed, name up to the first `=`; values not URL-decoded).
///
/// Appends to `out`, so several `Cookie` headers can be gathered in one list. A cookie
/// without `=` has an empty value; one whose name is empty (`=x`, `;;`) is skipped.
pub fn parse_cookies(header: &[u8], out: &mut Pairs) {
    // Optional whitespace after the cookie-string belongs to the header, not to the last
    // cookie's value.
    let end = header
        .iter()
        .rposition(|&b| !is_space(b))
        .map_or(0, |i| i + 1);
    let header = header.get(..end).unwrap_or_default();
    for cookie in header.split(|&b| b == b';') {
        let (name, value) = split_once(cookie, b'=').unwrap_or((cookie, &[]));
        let start = name
            .iter()
            .position(|&b| !is_space(b))
            .unwrap_or(name.len());
        let name = name.get(start..).unwrap_or_default();
        if name.is_empty() {
            continue;
        }
        out.push((name.to_vec(), value.to_vec()));
    }
}

// ---------------------------------------------------------------------------------------
// multipart/form-data.

/// The parts of a multipart/form-data body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Multipart {
    /// Fields without a filename: `ARGS_POST`.
    pub args: Pairs,
    /// File parts: (field name, filename) — `FILES`, `FILES_NAMES`; and each file's size
    /// in bytes — `FILES_SIZES`.
    pub files: Vec<(Vec<u8>, Vec<u8>, u64)>,
    /// Each part's header lines, by field name: `MULTIPART_PART_HEADERS` (value is the
    /// whole line, e.g. `Content-Disposition: form-data; name="a"`).
    pub part_headers: Pairs,
    /// ModSecurity's `MULTIPART_*` flags this body raised.
    pub flags: MultipartFlags,
}

/// ModSecurity's `MULTIPART_*` flags: oddities that do not stop parsing but that rules
/// may refuse. [`MultipartFlags::strict_error`] is `MULTIPART_STRICT_ERROR`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MultipartFlags {
    /// `MULTIPART_BOUNDARY_QUOTED`: the boundary was quoted in the Content-Type.
    pub boundary_quoted: bool,
    /// `MULTIPART_BOUNDARY_WHITESPACE`: whitespace around `=` of the boundary parameter.
    pub boundary_whitespace: bool,
    /// `MULTIPART_MISSING_SEMICOLON`: no `;` before the boundary parameter.
    pub missing_semicolon: bool,
    /// `MULTIPART_DATA_BEFORE`: bytes before the first boundary.
    pub data_before: bool,
    /// `MULTIPART_DATA_AFTER`: bytes after the final boundary.
    pub data_after: bool,
    /// `MULTIPART_HEADER_FOLDING`: a part header continued on the next line.
    pub header_folding: bool,
    /// `MULTIPART_INVALID_HEADER_FOLDING`: folding with whitespace other than SP/HT.
    pub invalid_header_folding: bool,
    /// `MULTIPART_LF_LINE`: a line ended with a bare LF.
    pub lf_line: bool,
    /// A line ended with CRLF (with `lf_line`: `MULTIPART_CRLF_LF_LINES`).
    pub crlf_line: bool,
    /// `MULTIPART_INVALID_QUOTING`: single quotes in `Content-Disposition`.
    pub invalid_quoting: bool,
    /// `MULTIPART_INVALID_PART`: a part was dropped (no name, or cut by a boundary).
    pub invalid_part: bool,
    /// `MULTIPART_UNMATCHED_BOUNDARY` = 1: something that looks like a boundary but is
    /// not this body's.
    pub unmatched_boundary: bool,
}

impl MultipartFlags {
    /// `MULTIPART_STRICT_ERROR`: any flag ModSecurity counts as a strict error (all but
    /// `unmatched_boundary` and `crlf_line`).
    pub fn strict_error(&self) -> bool {
        self.boundary_quoted
            || self.boundary_whitespace
            || self.missing_semicolon
            || self.data_before
            || self.data_after
            || self.header_folding
            || self.invalid_header_folding
            || self.lf_line
            || self.invalid_quoting
            || self.invalid_part
    }

    /// `MULTIPART_CRLF_LF_LINES`: both line endings were used.
    pub fn crlf_lf_lines(&self) -> bool {
        self.crlf_line && self.lf_line
    }
}

/// ModSecurity's `MULTIPART_BUF_SIZE`: the longest part header line.
const MULTIPART_BUF_SIZE: usize = 4096;

/// The parts of a multipart/form-data body. `content_type` is the whole Content-Type
/// header value (the boundary is read from it).
///
/// Follows ModSecurity v3 (see the module documentation for where it departs): errors
/// carry ModSecurity's messages; oddities that do not stop parsing are in
/// [`Multipart::flags`]. An empty body is no parts, not an error.
pub fn parse_multipart(
    content_type: &[u8],
    body: &[u8],
    limits: &BodyLimits,
) -> Result<Multipart, BodyError> {
    let mut flags = MultipartFlags::default();
    let boundary = parse_boundary(content_type, &mut flags)?;
    let mut dashed = b"--".to_vec();
    dashed.extend_from_slice(&boundary);
    let mut parser = MultipartParser {
        finder: memchr::memmem::Finder::new(&dashed).into_owned(),
        boundary,
        limits,
        out: Multipart::default(),
        part: None,
        parts: 0,
        boundary_count: 0,
        complete: false,
        prev_bare_lf: false,
    };
    parser.out.flags = flags;
    if body.is_empty() {
        return Ok(parser.out);
    }

    let mut rest = body;
    let mut unterminated: &[u8] = &[];
    while !rest.is_empty() {
        let Some(nl) = memchr::memchr(b'\n', rest) else {
            // ModSecurity keeps an unterminated last line in its buffer and only looks at
            // it to find the final boundary.
            unterminated = rest;
            break;
        };
        let Some((line, tail)) = rest.split_at_checked(nl + 1) else {
            unterminated = rest;
            break;
        };
        parser.line(line)?;
        rest = tail;
        if parser.complete {
            if !rest.is_empty() {
                parser.out.flags.data_after = true;
            }
            break;
        }
    }

    if !parser.complete {
        if parser.boundary_count == 0 {
            return Err(err("Multipart: No boundaries found in payload."));
        }
        let mut last = Vec::with_capacity(parser.boundary.len() + 4);
        last.extend_from_slice(b"--");
        last.extend_from_slice(&parser.boundary);
        last.extend_from_slice(b"--");
        if unterminated != last.as_slice() {
            return Err(err("Multipart: Final boundary missing."));
        }
        if parser.prev_bare_lf {
            parser.out.flags.lf_line = true;
        }
        parser.finish_part()?;
        parser.complete = true;
    }
    Ok(parser.out)
}

/// The boundary from a Content-Type, checked as ModSecurity's `Multipart::init` does.
fn parse_boundary(ct: &[u8], flags: &mut MultipartFlags) -> Result<Vec<u8>, BodyError> {
    const MIME: &[u8] = b"multipart/form-data";
    if ct.is_empty() {
        return Err(err("Multipart: Content-Type header not available."));
    }
    if ct.len() > WAF_CONTENT_TYPE_BYTES_MAX {
        return Err(err("Multipart: Invalid boundary in C-T (length)."));
    }
    if !starts_with_ignore_case(ct, MIME) {
        return Err(err("Multipart: Invalid MIME type."));
    }
    let params = count_boundary_params(ct);
    if params > 1 {
        return Err(err("Multipart: Multiple boundary parameters in C-T."));
    }
    let Some(at) = find(ct, b"boundary") else {
        return Err(err(if params > 0 {
            "Multipart: Invalid boundary in C-T (case sensitivity)."
        } else {
            "Multipart: Boundary not found in C-T."
        }));
    };

    // Between the MIME type and the parameter: whitespace and at most one semicolon.
    let mut seen_semicolon = false;
    for &c in ct.get(MIME.len()..at).unwrap_or_default() {
        if is_space(c) {
            continue;
        }
        if c == b';' && !seen_semicolon {
            seen_semicolon = true;
        } else {
            return Err(err("Multipart: Invalid boundary in C-T (malformed)."));
        }
    }
    if !seen_semicolon {
        flags.missing_semicolon = true;
    }

    let after_name = ct.get(at + 8..).unwrap_or_default();
    let Some((between, value)) = split_once(after_name, b'=') else {
        return Err(err("Multipart: Invalid boundary in C-T (malformed)."));
    };
    for &c in between {
        if is_space(c) {
            flags.boundary_whitespace = true;
        } else {
            return Err(err("Multipart: Invalid boundary in C-T (parameter name)."));
        }
    }
    if value.first().is_some_and(|&c| is_space(c)) {
        flags.boundary_whitespace = true;
    }

    let mut boundary = match value {
        [b'"', inner @ .., b'"'] => {
            flags.boundary_quoted = true;
            inner
        }
        [b'"', ..] | [.., b'"'] => {
            return Err(err("Multipart: Invalid boundary in C-T (quote)."));
        }
        _ => value,
    };
    if boundary.is_empty() {
        return Err(err("Multipart: Invalid boundary in C-T (empty)."));
    }
    if count_boundary_params(boundary) != 0 {
        return Err(err("Multipart: Invalid boundary in C-T (content)."));
    }
    // Some frameworks add `; charset=...` after the boundary; ModSecurity tolerates it.
    if !boundary_characters_valid(boundary)
        && let Some((head, _)) = split_once(boundary, b';')
    {
        boundary = head;
    }
    if !boundary_characters_valid(boundary) {
        return Err(err("Multipart: Invalid boundary in C-T (characters)."));
    }
    if boundary.is_empty() {
        return Err(err("Multipart: Invalid boundary in C-T (empty)."));
    }
    Ok(boundary.to_vec())
}

/// How many times `boundary` (any case) appears with a `=` somewhere after it.
fn count_boundary_params(s: &[u8]) -> usize {
    let lower = s.to_ascii_lowercase();
    let mut count = 0;
    let mut rest = lower.as_slice();
    while let Some(i) = find(rest, b"boundary") {
        rest = rest.get(i + 8..).unwrap_or_default();
        if rest.contains(&b'=') {
            count += 1;
        }
    }
    count
}

/// RFC 2046's boundary characters; a space is allowed but not last.
fn boundary_characters_valid(b: &[u8]) -> bool {
    let last = b.len().saturating_sub(1);
    b.iter().enumerate().all(|(i, &c)| {
        c.is_ascii_alphanumeric()
            || (c == b' ' && i != last)
            || matches!(
                c,
                b'\'' | b'(' | b')' | b'+' | b'_' | b',' | b'-' | b'.' | b'/' | b':' | b'=' | b'?'
            )
    })
}

/// A part being read.
#[derive(Default)]
struct Part {
    /// Headers as (name, value), value unfolded; for `Content-Disposition` and folding.
    headers: Vec<(Vec<u8>, Vec<u8>)>,
    /// Completed raw header lines, for `MULTIPART_PART_HEADERS`.
    header_lines: Vec<Vec<u8>>,
    /// The header line being built (folding may extend it).
    last_header_line: Vec<u8>,
    /// `headers` index of the header folding continues.
    last_header: Option<usize>,
    /// Past the blank line: reading data.
    in_data: bool,
    name: Vec<u8>,
    filename: Vec<u8>,
    is_file: bool,
    /// A text field's value.
    value: Vec<u8>,
    /// The data's length.
    size: u64,
    /// The last data line's line break: data if another data line follows, the
    /// boundary's if a boundary does.
    reserve: &'static [u8],
}

struct MultipartParser<'l> {
    boundary: Vec<u8>,
    /// Finds `--boundary` anywhere in a line, in linear time whatever the boundary.
    finder: memchr::memmem::Finder<'static>,
    limits: &'l BodyLimits,
    out: Multipart,
    part: Option<Part>,
    parts: usize,
    boundary_count: usize,
    complete: bool,
    /// The previous line ended with a bare LF (ModSecurity's `m_crlf_state_buf_end == 2`).
    prev_bare_lf: bool,
}

impl MultipartParser<'_> {
    /// One line, its `\n` included.
    fn line(&mut self, line: &[u8]) -> Result<(), BodyError> {
        let bare_lf = !line.ends_with(b"\r\n");
        let result = self.line_inner(line);
        self.prev_bare_lf = bare_lf;
        result
    }

    fn line_inner(&mut self, line: &[u8]) -> Result<(), BodyError> {
        if line.len() > 3 && line.starts_with(b"--") {
            let after_dashes = line.get(2..).unwrap_or_default();
            if let Some(after) = after_dashes.strip_prefix(self.boundary.as_slice()) {
                return self.boundary_line(line, after);
            }
            // Looks like a boundary, but is not ours.
            if self.out.flags.boundary_quoted
                && after_dashes
                    .strip_prefix(b"\"")
                    .is_some_and(|s| s.starts_with(&self.boundary))
            {
                return Err(err("Multipart: Invalid boundary (quotes)."));
            }
            let ws = after_dashes.iter().take_while(|&&c| is_space(c)).count();
            if ws > 0
                && after_dashes
                    .get(ws..)
                    .is_some_and(|s| s.starts_with(&self.boundary))
            {
                return Err(err("Multipart: Invalid boundary (whitespace)."));
            }
            self.out.flags.unmatched_boundary = true;
        } else if self.finder.find(line).is_some() {
            self.out.flags.unmatched_boundary = true;
        }

        let Some(part) = self.part.as_mut() else {
            self.out.flags.data_before = true;
            return Ok(());
        };
        if part.in_data {
            part_data(part, line);
            Ok(())
        } else {
            if line.len() >= MULTIPART_BUF_SIZE {
                return Err(err(format!(
                    "Multipart: Part header line over {MULTIPART_BUF_SIZE} bytes long"
                )));
            }
            part_header(part, line, &mut self.out.flags)
        }
    }

    /// A line that starts with `--` and our boundary; `after` is what follows it.
    fn boundary_line(&mut self, line: &[u8], after: &[u8]) -> Result<(), BodyError> {
        if self.prev_bare_lf {
            self.out.flags.lf_line = true;
        }
        if self.part.as_ref().is_some_and(|p| !p.in_data) && self.boundary_count > 0 {
            // A boundary where the part's headers should be.
            self.out.flags.invalid_part = true;
        }
        let (is_final, ending) = match after.strip_prefix(b"--") {
            Some(rest) => (true, rest),
            None => (false, after),
        };
        match ending {
            b"\r\n" => self.out.flags.crlf_line = true,
            b"\n" => self.out.flags.lf_line = true,
            _ => {
                return Err(err(format!(
                    "Multipart: Invalid boundary: {}",
                    lossy(chomp(line))
                )));
            }
        }
        self.finish_part()?;
        self.boundary_count += 1;
        if is_final {
            self.complete = true;
        } else {
            self.parts += 1;
            if self.parts > self.limits.parts_max {
                return Err(err(format!(
                    "Multipart: too many parts (more than {})",
                    self.limits.parts_max
                )));
            }
            self.part = Some(Part::default());
        }
        Ok(())
    }

    /// Ends the current part, if any: into args or files, or dropped if it has no name.
    fn finish_part(&mut self) -> Result<(), BodyError> {
        let Some(mut part) = self.part.take() else {
            return Ok(());
        };
        if !part.last_header_line.is_empty() {
            part.header_lines
                .push(std::mem::take(&mut part.last_header_line));
        }
        for line in part.header_lines {
            self.out.part_headers.push((part.name.clone(), line));
        }
        if part.name.is_empty() {
            self.out.flags.invalid_part = true;
            return Ok(());
        }
        if part.is_file {
            self.out.files.push((part.name, part.filename, part.size));
        } else {
            self.out.args.push((part.name, part.value));
        }
        if self.out.args.len() + self.out.files.len() > self.limits.args_max {
            return Err(err(format!(
                "Multipart: too many arguments (more than {})",
                self.limits.args_max
            )));
        }
        Ok(())
    }
}

/// A data line (its `\n` included) of a part.
fn part_data(part: &mut Part, line: &[u8]) {
    let (content, ending): (&[u8], &'static [u8]) = if let Some(c) = line.strip_suffix(b"\r\n") {
        (c, b"\r\n")
    } else if let Some(c) = line.strip_suffix(b"\n") {
        (c, b"\n")
    } else {
        (line, b"")
    };
    let reserve = std::mem::replace(&mut part.reserve, ending);
    part.size = part
        .size
        .saturating_add(reserve.len() as u64)
        .saturating_add(content.len() as u64);
    if !part.is_file {
        part.value.extend_from_slice(reserve);
        part.value.extend_from_slice(content);
    }
}

/// A header line (its `\n` included) of a part, or the blank line that ends them.
fn part_header(part: &mut Part, line: &[u8], flags: &mut MultipartFlags) -> Result<(), BodyError> {
    if line.contains(&0) {
        return Err(err("Multipart: Nul byte in part headers."));
    }
    let raw = if let Some(r) = line.strip_suffix(b"\r\n") {
        flags.crlf_line = true;
        r
    } else {
        flags.lf_line = true;
        line.strip_suffix(b"\n").unwrap_or(line)
    };

    if raw.is_empty() {
        return end_of_headers(part, flags);
    }

    if raw.first().is_some_and(|&c| is_space(c)) {
        // Folding: continues the previous header.
        flags.header_folding = true;
        let Some(idx) = part.last_header else {
            return Err(err("Multipart: Invalid part header (folding error)."));
        };
        let ws = raw.iter().take_while(|&&c| is_space(c)).count();
        if raw.iter().take(ws).any(|&c| c != b' ' && c != b'\t') {
            flags.invalid_header_folding = true;
        }
        let data = chomp(raw.get(ws..).unwrap_or_default());
        let Some((name, value)) = part.headers.get_mut(idx) else {
            return Err(err("Multipart: Invalid part header (folding error)."));
        };
        value.push(b' ');
        value.extend_from_slice(data);
        if value.len() > MULTIPART_BUF_SIZE {
            return Err(err("Multipart: Part header too long."));
        }
        let mut full = name.clone();
        full.extend_from_slice(b": ");
        full.extend_from_slice(value);
        part.last_header_line = full;
        return Ok(());
    }

    if !part.last_header_line.is_empty() {
        part.header_lines
            .push(std::mem::take(&mut part.last_header_line));
    }
    let Some((name, value)) = split_once(raw, b':') else {
        return Err(err(format!(
            "Multipart: Invalid part header (colon missing): {}",
            lossy(raw)
        )));
    };
    if name.is_empty() {
        return Err(err("Multipart: Invalid part header (header name missing)."));
    }
    if name.iter().any(|&c| !(33..=126).contains(&c)) {
        return Err(err(
            "Multipart: Invalid part header (contains invalid character).",
        ));
    }
    let start = value
        .iter()
        .position(|&c| c != b' ' && c != b'\t')
        .unwrap_or(value.len());
    let value = chomp(value.get(start..).unwrap_or_default());
    if part
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        return Err(err(format!(
            "Multipart: Duplicate part header: {}.",
            lossy(name)
        )));
    }
    part.last_header = Some(part.headers.len());
    part.headers.push((name.to_vec(), value.to_vec()));
    part.last_header_line = raw.to_vec();
    Ok(())
}

/// The blank line after a part's headers: reads `Content-Disposition`.
fn end_of_headers(part: &mut Part, flags: &mut MultipartFlags) -> Result<(), BodyError> {
    if !part.last_header_line.is_empty() {
        part.header_lines
            .push(std::mem::take(&mut part.last_header_line));
    }
    let Some(cd) = part
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(b"Content-Disposition"))
        .map(|(_, v)| v.clone())
    else {
        return Err(err("Multipart: Part missing Content-Disposition header."));
    };
    if let Err(rc) = parse_content_disposition(&cd, part, flags) {
        return Err(err(format!(
            "Multipart: Invalid Content-Disposition header ({rc}): {}",
            lossy(&cd)
        )));
    }
    // A part without a name (`name=""`) is read but dropped, flagged `invalid_part` when
    // it ends: what ModSecurity v3 ends up doing (it ignores its own error here).
    if !part.filename.is_empty() {
        // Parsers that only look for `filename=` must not miss a file we found.
        if find(&cd, b"filename=").is_none() {
            return Err(err(
                "Multipart: Invalid Content-Disposition header (filename).",
            ));
        }
        part.is_file = true;
    }
    part.in_data = true;
    part.last_header = None;
    Ok(())
}

/// RFC 2616 token characters.
fn is_token_char(c: u8) -> bool {
    c > 32
        && c < 127
        && !matches!(
            c,
            b'(' | b')'
                | b'<'
                | b'>'
                | b'@'
                | b','
                | b';'
                | b':'
                | b'\\'
                | b'"'
                | b'/'
                | b'['
                | b']'
                | b'?'
                | b'='
        )
}

/// ModSecurity's `parse_content_disposition`: `form-data` then `; name=value` pairs
/// (`name`, `filename`, `filename*` only). The error is ModSecurity's return code.
fn parse_content_disposition(
    value: &[u8],
    part: &mut Part,
    flags: &mut MultipartFlags,
) -> Result<(), i32> {
    let Some(s) = value.strip_prefix(b"form-data") else {
        return Err(-1);
    };
    let at = |i: usize| s.get(i).copied();
    let is_ws = |c: Option<u8>| matches!(c, Some(b' ' | b'\t'));
    let mut p = 0;
    while is_ws(at(p)) {
        p += 1;
    }
    match at(p) {
        None => return Ok(()),
        Some(b';') => p += 1,
        Some(_) => return Err(-2),
    }

    let mut filename_star: Vec<u8> = Vec::new();
    while p < s.len() {
        while is_ws(at(p)) {
            p += 1;
        }
        if at(p).is_none() {
            return Err(-3);
        }
        let start = p;
        while at(p).is_some_and(|c| c != b'=' && c != b'\t' && c != b' ') {
            p += 1;
        }
        if at(p).is_none() {
            return Err(-4);
        }
        let name = s.get(start..p).unwrap_or_default();
        while is_ws(at(p)) {
            p += 1;
        }
        match at(p) {
            None => return Err(-5),
            Some(b'=') => p += 1,
            Some(_) => return Err(-13),
        }
        while is_ws(at(p)) {
            p += 1;
        }
        let Some(first) = at(p) else {
            return Err(-6);
        };

        let mut quote = None;
        let val: Vec<u8>;
        if name == b"filename*" {
            // charset'[language]'percent-encoded-filename
            let charset_start = p;
            while at(p).is_some_and(|c| c.is_ascii_alphanumeric() || b"!#$%&+-^_`{}~".contains(&c))
            {
                p += 1;
            }
            if at(p) != Some(b'\'') || p == charset_start {
                return Err(-16);
            }
            p += 1;
            while at(p).is_some_and(|c| c != b'\'') {
                p += 1;
            }
            if at(p) != Some(b'\'') {
                return Err(-17);
            }
            p += 1;
            let name_start = p;
            while let Some(c) = at(p) {
                if c == b';' {
                    break;
                }
                if c == b'%' {
                    let ok = at(p + 1).and_then(hex_val).is_some()
                        && at(p + 2).and_then(hex_val).is_some();
                    if !ok {
                        return Err(-18);
                    }
                    p += 3;
                } else if c.is_ascii_alphanumeric() || b"!#$&+-.^_`~".contains(&c) {
                    p += 1;
                } else {
                    return Err(-19);
                }
            }
            val = s.get(name_start..p).unwrap_or_default().to_vec();
        } else if first == b'"' || first == b'\'' {
            // Both quotes are accepted, single ones flagged; only the quote and the
            // backslash can be escaped, any other backslash is kept.
            if first == b'\'' {
                flags.invalid_quoting = true;
            }
            quote = Some(first);
            p += 1;
            if at(p).is_none() {
                return Err(-7);
            }
            let mut v = Vec::new();
            let mut closed = false;
            while let Some(c) = at(p) {
                if c == b'\\' {
                    match at(p + 1) {
                        None => return Err(-8),
                        Some(n) if n == first || n == b'\\' => {
                            v.push(n);
                            p += 2;
                            continue;
                        }
                        Some(_) => {}
                    }
                } else if c == first {
                    closed = true;
                    break;
                }
                v.push(c);
                p += 1;
            }
            if !closed {
                // Unterminated quoted value (ModSecurity would read past its string).
                return Err(-7);
            }
            p += 1;
            val = v;
        } else {
            let start = p;
            while at(p).is_some_and(is_token_char) {
                p += 1;
            }
            val = s.get(start..p).unwrap_or_default().to_vec();
        }

        match name {
            b"name" => {
                validate_quotes(&val, quote, flags);
                if !part.name.is_empty() {
                    return Err(-14);
                }
                part.name = val;
            }
            b"filename" => {
                validate_quotes(&val, quote, flags);
                if !part.filename.is_empty() {
                    return Err(-15);
                }
                part.filename = val;
            }
            b"filename*" => {
                if !filename_star.is_empty() {
                    return Err(-20);
                }
                filename_star = val;
            }
            _ => return Err(-11),
        }

        if p < s.len() {
            while is_ws(at(p)) {
                p += 1;
            }
            match at(p) {
                None => {}
                Some(b';') => p += 1,
                Some(_) => {
                    if p > 0 && matches!(at(p - 1), Some(b'\'' | b'"')) {
                        flags.invalid_quoting = true;
                    }
                    return Err(-12);
                }
            }
        }
    }

    if !filename_star.is_empty() && part.filename.is_empty() {
        return Err(-21);
    }
    Ok(())
}

/// A single quote in a value that was not double-quoted is suspicious.
fn validate_quotes(value: &[u8], quote: Option<u8>, flags: &mut MultipartFlags) {
    if quote != Some(b'"') && value.contains(&b'\'') {
        flags.invalid_quoting = true;
    }
}

// ---------------------------------------------------------------------------------------
// JSON.

/// A JSON body flattened into args as Coraza names them (`json.a.b`, arrays by index
/// `json.a.0`; scalars as their text; true/false as text, null as the empty string).
///
/// An array also yields its own name with its length (`json.a` = `3`), as Coraza does;
/// a top-level scalar is read as a one-element array (`json.0`, and `json` = `1`). See
/// the module documentation for the rest.
pub fn parse_json(body: &[u8], limits: &BodyLimits) -> Result<Pairs, BodyError> {
    serde_json::from_slice::<serde::de::IgnoredAny>(body)
        .map_err(|e| err(format!("JSON parsing error: {e}")))?;
    let mut walker = JsonWalker {
        src: body,
        pos: 0,
        key: b"json".to_vec(),
        stack: Vec::new(),
        out: Vec::new(),
        limits,
    };
    walker.run()?;
    Ok(walker.out)
}

#[derive(Clone, Copy)]
enum Frame {
    /// An object whose own name is `key[..base]`.
    Object { base: usize },
    /// An array whose own name is `key[..base]`, with `count` elements so far.
    Array { base: usize, count: u64 },
}

/// Walks JSON that `serde_json` has validated; still checks everything it relies on.
struct JsonWalker<'a> {
    src: &'a [u8],
    pos: usize,
    key: Vec<u8>,
    stack: Vec<Frame>,
    out: Pairs,
    limits: &'a BodyLimits,
}

fn json_broken() -> BodyError {
    err("JSON parsing error: unexpected input")
}

impl JsonWalker<'_> {
    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn emit(&mut self, name: Vec<u8>, value: Vec<u8>) -> Result<(), BodyError> {
        if self.out.len() >= self.limits.args_max {
            return Err(err(format!(
                "JSON parsing error: too many arguments (more than {})",
                self.limits.args_max
            )));
        }
        self.out.push((name, value));
        Ok(())
    }

    fn depth_error(&self) -> BodyError {
        err(format!(
            "JSON parsing error: max recursion reached (depth limit {})",
            self.limits.depth_max
        ))
    }

    fn run(&mut self) -> Result<(), BodyError> {
        if self.limits.depth_max == 0 {
            return Err(self.depth_error());
        }
        self.skip_ws();
        if !matches!(self.peek(), Some(b'{' | b'[')) {
            // Coraza (gjson's ForEach) hands a top-level scalar over as element 0.
            let value = self.scalar()?;
            self.emit(b"json.0".to_vec(), value)?;
            return self.emit(b"json".to_vec(), b"1".to_vec());
        }
        self.value()?;
        while let Some(&frame) = self.stack.last() {
            self.skip_ws();
            let c = self.peek().ok_or_else(json_broken)?;
            match frame {
                Frame::Object { base } => match c {
                    b'}' => {
                        self.pos += 1;
                        self.stack.pop();
                    }
                    b',' => self.pos += 1,
                    b'"' => {
                        let name = self.string()?;
                        self.skip_ws();
                        if self.peek() != Some(b':') {
                            return Err(json_broken());
                        }
                        self.pos += 1;
                        self.skip_ws();
                        self.key.truncate(base);
                        self.key.push(b'.');
                        self.key.extend_from_slice(&name);
                        self.value()?;
                    }
                    _ => return Err(json_broken()),
                },
                Frame::Array { base, count } => match c {
                    b']' => {
                        self.pos += 1;
                        self.stack.pop();
                        if count > 0 {
                            let name = self.key.get(..base).unwrap_or_default().to_vec();
                            self.emit(name, count.to_string().into_bytes())?;
                        }
                    }
                    b',' => self.pos += 1,
                    _ => {
                        if let Some(Frame::Array { count, .. }) = self.stack.last_mut() {
                            *count += 1;
                        }
                        self.key.truncate(base);
                        self.key.push(b'.');
                        self.key.extend_from_slice(count.to_string().as_bytes());
                        self.value()?;
                    }
                },
            }
        }
        Ok(())
    }

    /// A value named `self.key`: opens a container or emits a scalar.
    fn value(&mut self) -> Result<(), BodyError> {
        let base = self.key.len();
        let frame = match self.peek() {
            Some(b'{') => Frame::Object { base },
            Some(b'[') => Frame::Array { base, count: 0 },
            _ => {
                let value = self.scalar()?;
                return self.emit(self.key.clone(), value);
            }
        };
        self.pos += 1;
        self.stack.push(frame);
        if self.stack.len() > self.limits.depth_max {
            return Err(self.depth_error());
        }
        Ok(())
    }

    fn scalar(&mut self) -> Result<Vec<u8>, BodyError> {
        let literal = |w: &mut Self, text: &[u8], value: &[u8]| {
            if w.src.get(w.pos..w.pos + text.len()) == Some(text) {
                w.pos += text.len();
                Ok(value.to_vec())
            } else {
                Err(json_broken())
            }
        };
        match self.peek() {
            Some(b'"') => self.string(),
            Some(b't') => literal(self, b"true", b"true"),
            Some(b'f') => literal(self, b"false", b"false"),
            Some(b'n') => literal(self, b"null", b""),
            Some(b'-' | b'0'..=b'9') => {
                let start = self.pos;
                while matches!(
                    self.peek(),
                    Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                ) {
                    self.pos += 1;
                }
                Ok(self.src.get(start..self.pos).unwrap_or_default().to_vec())
            }
            _ => Err(json_broken()),
        }
    }

    /// A string at `self.pos` (on its opening quote), unescaped.
    fn string(&mut self) -> Result<Vec<u8>, BodyError> {
        if self.peek() != Some(b'"') {
            return Err(json_broken());
        }
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let c = self.peek().ok_or_else(json_broken)?;
            self.pos += 1;
            match c {
                b'"' => return Ok(out),
                b'\\' => {
                    let e = self.peek().ok_or_else(json_broken)?;
                    self.pos += 1;
                    match e {
                        b'"' | b'\\' | b'/' => out.push(e),
                        b'b' => out.push(0x08),
                        b'f' => out.push(0x0c),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let ch = self.unicode_escape()?;
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => return Err(json_broken()),
                    }
                }
                _ => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, BodyError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = self.peek().and_then(hex_val).ok_or_else(json_broken)?;
            v = v << 4 | u32::from(d);
            self.pos += 1;
        }
        Ok(v)
    }

    /// After `\u`: one code point, a surrogate pair joined, a lone surrogate as U+FFFD.
    fn unicode_escape(&mut self) -> Result<char, BodyError> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) && self.src.get(self.pos..self.pos + 2) == Some(b"\\u") {
            let save = self.pos;
            self.pos += 2;
            let lo = self.hex4()?;
            if (0xDC00..0xE000).contains(&lo) {
                let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return Ok(char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            // Not a low surrogate: the high one is lone, the next escape stands alone.
            self.pos = save;
        }
        Ok(char::from_u32(hi).unwrap_or(char::REPLACEMENT_CHARACTER))
    }
}

// ---------------------------------------------------------------------------------------
// XML.

/// An XML body's text and attribute values: what `XML:/*` (text nodes) and `XML://@*`
/// (attribute values) see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Xml {
    /// Text nodes and CDATA sections, trimmed, empty ones left out, in document order.
    pub texts: Vec<Vec<u8>>,
    /// Attribute values (entities expanded), in document order.
    pub attributes: Vec<Vec<u8>>,
}

/// An XML body's text and attribute values: what `XML:/*` (text nodes) and `XML://@*`
/// (attribute values) see. Lenient like Coraza (see the module documentation); a body
/// cut short keeps what was read.
pub fn parse_xml(body: &[u8], limits: &BodyLimits) -> Result<Xml, BodyError> {
    let mut reader = quick_xml::Reader::from_reader(body);
    {
        let config = reader.config_mut();
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.allow_dangling_amp = true;
        config.check_comments = false;
        config.trim_text(false);
    }
    let mut state = XmlState {
        out: Xml::default(),
        pending: Vec::new(),
        limits,
    };
    let mut depth = 0usize;
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(quick_xml::Error::Syntax(e))
                if e != quick_xml::errors::SyntaxError::InvalidBangMarkup =>
            {
                // Cut short inside markup: keep what was read (Coraza ignores an
                // unexpected EOF).
                break;
            }
            Err(e) => return Err(err(format!("XML parsing error: {e}"))),
        };
        match event {
            Event::Start(e) => {
                state.flush()?;
                depth += 1;
                if depth > limits.depth_max {
                    return Err(err(format!(
                        "XML parsing error: nesting deeper than {}",
                        limits.depth_max
                    )));
                }
                state.attributes(&e)?;
            }
            Event::Empty(e) => {
                state.flush()?;
                if depth + 1 > limits.depth_max {
                    return Err(err(format!(
                        "XML parsing error: nesting deeper than {}",
                        limits.depth_max
                    )));
                }
                state.attributes(&e)?;
            }
            Event::End(_) => {
                state.flush()?;
                depth = depth.saturating_sub(1);
            }
            Event::Text(t) => decode_entities(t.as_bytes(), &mut state.pending),
            Event::GeneralRef(r) => resolve_entity(r.as_bytes(), &mut state.pending),
            Event::CData(c) => {
                state.flush()?;
                state.pending.extend_from_slice(c.as_bytes());
                state.flush()?;
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {
                state.flush()?;
            }
            Event::Eof => break,
        }
    }
    state.flush()?;
    Ok(state.out)
}

struct XmlState<'l> {
    out: Xml,
    /// Character data read since the last markup.
    pending: Vec<u8>,
    limits: &'l BodyLimits,
}

impl XmlState<'_> {
    fn check_args(&self) -> Result<(), BodyError> {
        if self.out.texts.len() + self.out.attributes.len() >= self.limits.args_max {
            return Err(err(format!(
                "XML parsing error: too many arguments (more than {})",
                self.limits.args_max
            )));
        }
        Ok(())
    }

    /// Ends a text node: trimmed, kept if not empty.
    fn flush(&mut self) -> Result<(), BodyError> {
        let start = self.pending.iter().position(|&c| !is_space(c));
        let end = self.pending.iter().rposition(|&c| !is_space(c));
        if let (Some(start), Some(end)) = (start, end) {
            let text = self.pending.get(start..=end).unwrap_or_default().to_vec();
            self.check_args()?;
            self.out.texts.push(text);
        }
        self.pending.clear();
        Ok(())
    }

    fn attributes(&mut self, e: &quick_xml::events::BytesStart<'_>) -> Result<(), BodyError> {
        for attr in e.html_attributes().with_checks(false) {
            // A malformed attribute ends the list; the ones before it are kept.
            let Ok(attr) = attr else { break };
            let mut value = Vec::with_capacity(attr.value.len());
            decode_entities(attr.value.as_bytes(), &mut value);
            self.check_args()?;
            self.out.attributes.push(value);
        }
        Ok(())
    }
}

/// Expands `&lt;`-style and `&#..;` references in `raw`; any other `&` stays as it is.
fn decode_entities(raw: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while let Some(&c) = raw.get(i) {
        if c == b'&' {
            let rest = raw.get(i + 1..).unwrap_or_default();
            if let Some(semi) = rest.iter().take(32).position(|&b| b == b';') {
                let name = rest.get(..semi).unwrap_or_default();
                if let Some(ch) = entity_value(name) {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    i += semi + 2;
                    continue;
                }
            }
        }
        out.push(c);
        i += 1;
    }
}

/// A `&name;` quick-xml reported on its own: expanded, or kept as written.
fn resolve_entity(name: &[u8], out: &mut Vec<u8>) {
    if let Some(ch) = entity_value(name) {
        let mut buf = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
    } else {
        out.push(b'&');
        out.extend_from_slice(name);
        out.push(b';');
    }
}

/// The character an entity name (between `&` and `;`) stands for, if known.
fn entity_value(name: &[u8]) -> Option<char> {
    match name {
        b"lt" => Some('<'),
        b"gt" => Some('>'),
        b"amp" => Some('&'),
        b"quot" => Some('"'),
        b"apos" => Some('\''),
        [b'#', b'x' | b'X', hex @ ..] => parse_char_ref(hex, 16),
        [b'#', dec @ ..] => parse_char_ref(dec, 10),
        _ => None,
    }
}

fn parse_char_ref(digits: &[u8], radix: u32) -> Option<char> {
    if digits.is_empty() || digits.len() > 8 {
        return None;
    }
    let mut v: u32 = 0;
    for &d in digits {
        let d = char::from(d).to_digit(radix)?;
        v = v.checked_mul(radix)?.checked_add(d)?;
    }
    if v == 0 {
        return None;
    }
    char::from_u32(v)
}

// ---------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: BodyLimits = BodyLimits {
        args_max: 1000,
        depth_max: 64,
        parts_max: 100,
    };

    fn pairs(list: &[(&str, &str)]) -> Pairs {
        list.iter()
            .map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec()))
            .collect()
    }

    fn show(p: &Pairs) -> Vec<(String, String)> {
        p.iter().map(|(n, v)| (lossy(n), lossy(v))).collect()
    }

    // ---- urlencoded ----

    fn check_url(input: &str, want: &[(&str, &str)], want_invalid: bool) {
        let (got, invalid) = parse_urlencoded(input.as_bytes());
        assert_eq!(show(&got), show(&pairs(want)), "input {input:?}");
        assert_eq!(invalid, want_invalid, "invalid flag for {input:?}");
    }

    #[test]
    fn urlencoded_cases() {
        check_url("", &[], false);
        check_url("a=1&b=2", &[("a", "1"), ("b", "2")], false);
        check_url("a=1&&b=2&", &[("a", "1"), ("b", "2")], false);
        check_url("&&&", &[], false);
        check_url("a", &[("a", "")], false);
        check_url("a=", &[("a", "")], false);
        check_url("=v", &[("", "v")], false);
        check_url("=", &[("", "")], false);
        check_url("a=b=c", &[("a", "b=c")], false);
        check_url("a+b=c+d", &[("a b", "c d")], false);
        check_url("a%20b=%41%42", &[("a b", "AB")], false);
        check_url("k=%3cscript%3E", &[("k", "<script>")], false);
        check_url("a%5B%5D=1&a%5B%5D=2", &[("a[]", "1"), ("a[]", "2")], false);
        check_url("a=%", &[("a", "%")], true);
        check_url("a=%4", &[("a", "%4")], true);
        check_url("a=%zz", &[("a", "%zz")], true);
        check_url("a=%%41", &[("a", "%A")], true);
        check_url("a=%u0041", &[("a", "%u0041")], true);
        check_url("%g=1", &[("%g", "1")], true);
        check_url("a=%2", &[("a", "%2")], true);
        check_url("a=%25", &[("a", "%")], false);
        check_url("a=%00b", &[("a", "\0b")], false);
        check_url("a=1;b=2", &[("a", "1;b=2")], false);
        check_url("a=1&a=2", &[("a", "1"), ("a", "2")], false);
        let (got, _) = parse_urlencoded(b"x=%ff%FE");
        assert_eq!(got, vec![(b"x".to_vec(), vec![0xff, 0xfe])]);
        let (got, _) = parse_urlencoded(b"\xff=\xfe");
        assert_eq!(got, vec![(vec![0xff], vec![0xfe])]);
    }

    // ---- cookies ----

    fn check_cookies(header: &str, want: &[(&str, &str)]) {
        let mut got = Vec::new();
        parse_cookies(header.as_bytes(), &mut got);
        assert_eq!(show(&got), show(&pairs(want)), "header {header:?}");
    }

    #[test]
    fn cookie_cases() {
        check_cookies("", &[]);
        check_cookies("a=1", &[("a", "1")]);
        check_cookies("a=1; b=2", &[("a", "1"), ("b", "2")]);
        check_cookies("a=1;b=2", &[("a", "1"), ("b", "2")]);
        check_cookies("  a=1;   \tb=2  ", &[("a", "1"), ("b", "2")]);
        check_cookies("a=1 ; b=2", &[("a", "1 "), ("b", "2")]);
        check_cookies("a = 1", &[("a ", " 1")]);
        check_cookies("a=b=c", &[("a", "b=c")]);
        check_cookies("flag", &[("flag", "")]);
        check_cookies("a=", &[("a", "")]);
        check_cookies("=x; b=2", &[("b", "2")]);
        check_cookies(";;a=1;;", &[("a", "1")]);
        check_cookies("   ", &[]);
        check_cookies("a=%41+b", &[("a", "%41+b")]);
        check_cookies("a=\"quoted\"", &[("a", "\"quoted\"")]);
        check_cookies("a=1; a=2", &[("a", "1"), ("a", "2")]);
        check_cookies("a=1;\r\n b=2", &[("a", "1"), ("b", "2")]);
        let mut got = pairs(&[("x", "y")]);
        parse_cookies(b"c=d", &mut got);
        assert_eq!(show(&got), show(&pairs(&[("x", "y"), ("c", "d")])));
    }

    // ---- multipart ----

    const CT: &str = "multipart/form-data; boundary=b";

    #[derive(Clone, Copy)]
    enum Want<'a> {
        Ok {
            args: &'a [(&'a str, &'a str)],
            files: &'a [(&'a str, &'a str, u64)],
            flags: &'a [&'a str],
        },
        Err(&'a str),
    }

    fn flag_names(f: &MultipartFlags) -> Vec<&'static str> {
        let all = [
            ("boundary_quoted", f.boundary_quoted),
            ("boundary_whitespace", f.boundary_whitespace),
            ("missing_semicolon", f.missing_semicolon),
            ("data_before", f.data_before),
            ("data_after", f.data_after),
            ("header_folding", f.header_folding),
            ("invalid_header_folding", f.invalid_header_folding),
            ("lf_line", f.lf_line),
            ("crlf_line", f.crlf_line),
            ("invalid_quoting", f.invalid_quoting),
            ("invalid_part", f.invalid_part),
            ("unmatched_boundary", f.unmatched_boundary),
        ];
        all.iter().filter(|(_, on)| *on).map(|(n, _)| *n).collect()
    }

    fn check_mp(ct: &str, body: &str, want: Want<'_>) {
        let got = parse_multipart(ct.as_bytes(), body.as_bytes(), &LIMITS);
        match (got, want) {
            (Ok(m), Want::Ok { args, files, flags }) => {
                assert_eq!(show(&m.args), show(&pairs(args)), "args of {body:?}");
                let got_files: Vec<(String, String, u64)> = m
                    .files
                    .iter()
                    .map(|(n, f, s)| (lossy(n), lossy(f), *s))
                    .collect();
                let want_files: Vec<(String, String, u64)> = files
                    .iter()
                    .map(|(n, f, s)| (n.to_string(), f.to_string(), *s))
                    .collect();
                assert_eq!(got_files, want_files, "files of {body:?}");
                assert_eq!(flag_names(&m.flags), flags.to_vec(), "flags of {body:?}");
            }
            (Err(e), Want::Err(msg)) => {
                assert!(
                    e.0.contains(msg),
                    "error {:?} lacks {msg:?} for {body:?}",
                    e.0
                );
            }
            (Ok(m), Want::Err(msg)) => panic!("wanted error {msg:?}, got {m:?} for {body:?}"),
            (Err(e), Want::Ok { .. }) => panic!("unexpected error {e:?} for {body:?}"),
        }
    }

    /// `\n` line breaks into `\r\n`.
    fn crlf(s: &str) -> String {
        s.replace('\n', "\r\n")
    }

    #[test]
    fn multipart_basic() {
        let body = crlf(
            "--b\nContent-Disposition: form-data; name=\"a\"\n\nhello\n--b\nContent-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\nContent-Type: text/plain\n\nline1\nline2\n--b--\n",
        );
        check_mp(
            CT,
            &body,
            Want::Ok {
                args: &[("a", "hello")],
                files: &[("f", "x.txt", 12)],
                flags: &["crlf_line"],
            },
        );
        let m = parse_multipart(CT.as_bytes(), body.as_bytes(), &LIMITS).unwrap();
        assert_eq!(
            show(&m.part_headers),
            show(&pairs(&[
                ("a", "Content-Disposition: form-data; name=\"a\""),
                (
                    "f",
                    "Content-Disposition: form-data; name=\"f\"; filename=\"x.txt\""
                ),
                ("f", "Content-Type: text/plain"),
            ]))
        );
        assert!(!m.flags.strict_error());
    }

    #[test]
    fn multipart_values() {
        let cases: &[(&str, Want<'_>)] = &[
            // multi-line value keeps its inner line breaks
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\ny\r\n\r\n--b--\r\n",
                Want::Ok {
                    args: &[("a", "x\r\ny\r\n")],
                    files: &[],
                    flags: &["crlf_line"],
                },
            ),
            // empty value
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n--b--\r\n",
                Want::Ok {
                    args: &[("a", "")],
                    files: &[],
                    flags: &["crlf_line"],
                },
            ),
            // empty file
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\"; filename=\"e\"\r\n\r\n--b--\r\n",
                Want::Ok {
                    args: &[],
                    files: &[("a", "e", 0)],
                    flags: &["crlf_line"],
                },
            ),
            // filename="" is a field, as browsers send for no file
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\"; filename=\"\"\r\n\r\nv\r\n--b--\r\n",
                Want::Ok {
                    args: &[("a", "v")],
                    files: &[],
                    flags: &["crlf_line"],
                },
            ),
            // final boundary without a line break
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b--",
                Want::Ok {
                    args: &[("a", "v")],
                    files: &[],
                    flags: &["crlf_line"],
                },
            ),
            // unquoted name; header name in any case
            (
                "--b\r\ncontent-disposition: form-data; name=a\r\n\r\nv\r\n--b--\r\n",
                Want::Ok {
                    args: &[("a", "v")],
                    files: &[],
                    flags: &["crlf_line"],
                },
            ),
            // escaped quote and backslash; other backslashes kept
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\\\"b\\\\c\\d\"\r\n\r\nv\r\n--b--\r\n",
                Want::Ok {
                    args: &[("a\"b\\c\\d", "v")],
                    files: &[],
                    flags: &["crlf_line"],
                },
            ),
            // single quotes: accepted, flagged
            (
                "--b\r\nContent-Disposition: form-data; name='a'\r\n\r\nv\r\n--b--\r\n",
                Want::Ok {
                    args: &[("a", "v")],
                    files: &[],
                    flags: &["crlf_line", "invalid_quoting"],
                },
            ),
            // a single quote inside an unquoted name is flagged
            (
                "--b\r\nContent-Disposition: form-data; name=a'b\r\n\r\nv\r\n--b--\r\n",
                Want::Ok {
                    args: &[("a'b", "v")],
                    files: &[],
                    flags: &["crlf_line", "invalid_quoting"],
                },
            ),
            // a single quote inside a double-quoted name is fine
            (
                "--b\r\nContent-Disposition: form-data; name=\"a'b\"\r\n\r\nv\r\n--b--\r\n",
                Want::Ok {
                    args: &[("a'b", "v")],
                    files: &[],
                    flags: &["crlf_line"],
                },
            ),
            // filename* needs filename too, and only filename goes to FILES
            (
                "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"; filename*=UTF-8''a%20b.txt\r\n\r\nxy\r\n--b--\r\n",
                Want::Ok {
                    args: &[],
                    files: &[("f", "a.txt", 2)],
                    flags: &["crlf_line"],
                },
            ),
            // binary data, NUL and lone CR inside a file
            (
                "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"z\"\r\n\r\n\0\r\x01\r\n--b--\r\n",
                Want::Ok {
                    args: &[],
                    files: &[("f", "z", 3)],
                    flags: &["crlf_line"],
                },
            ),
            // header folding
            (
                "--b\r\nContent-Disposition: form-data;\r\n name=\"a\"\r\n\r\nv\r\n--b--\r\n",
                Want::Ok {
                    args: &[("a", "v")],
                    files: &[],
                    flags: &["header_folding", "crlf_line"],
                },
            ),
            (
                "--b\r\nContent-Disposition: form-data;\r\n\x0bname=\"a\"\r\n\r\nv\r\n--b--\r\n",
                Want::Ok {
                    args: &[("a", "v")],
                    files: &[],
                    flags: &["header_folding", "invalid_header_folding", "crlf_line"],
                },
            ),
            // data before and after
            (
                "preamble\r\n--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b--\r\nepilogue",
                Want::Ok {
                    args: &[("a", "v")],
                    files: &[],
                    flags: &["data_before", "data_after", "crlf_line"],
                },
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b--\r\n\r\n",
                Want::Ok {
                    args: &[("a", "v")],
                    files: &[],
                    flags: &["data_after", "crlf_line"],
                },
            ),
            // a line that looks like another boundary
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n--c\r\n--b--\r\n",
                Want::Ok {
                    args: &[("a", "--c")],
                    files: &[],
                    flags: &["crlf_line", "unmatched_boundary"],
                },
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx--b\r\n--b--\r\n",
                Want::Ok {
                    args: &[("a", "x--b")],
                    files: &[],
                    flags: &["crlf_line", "unmatched_boundary"],
                },
            ),
            // mixed line endings
            (
                "--b\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\n--b--\r\n",
                Want::Ok {
                    args: &[("a", "v")],
                    files: &[],
                    flags: &["lf_line", "crlf_line"],
                },
            ),
            // a boundary where headers should be: the unfinished part is dropped
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n--b\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\nv\r\n--b--\r\n",
                Want::Ok {
                    args: &[("c", "v")],
                    files: &[],
                    flags: &["crlf_line", "invalid_part"],
                },
            ),
            // parts without a name are read and dropped (920120 test 39: empty fields)
            (
                "--b\r\nContent-Disposition: form-data\r\n\r\nv\r\n--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nw\r\n--b--\r\n",
                Want::Ok {
                    args: &[("a", "w")],
                    files: &[],
                    flags: &["crlf_line", "invalid_part"],
                },
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=\"\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\nhelloworld\r\n--b--\r\n",
                Want::Ok {
                    args: &[],
                    files: &[],
                    flags: &["crlf_line", "invalid_part"],
                },
            ),
            // duplicate parameters and headers
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\"; name=\"c\"\r\n\r\nv\r\n--b--\r\n",
                Want::Err("(-14)"),
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\"; filename=\"x\"; filename=\"y\"\r\n\r\nv\r\n--b--\r\n",
                Want::Err("(-15)"),
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\"\r\ncontent-disposition: form-data; name=\"c\"\r\n\r\nv\r\n--b--\r\n",
                Want::Err("Duplicate part header"),
            ),
            // unknown parameter, trailing semicolon, not form-data, unterminated quote
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\"; foo=\"x\"\r\n\r\nv\r\n--b--\r\n",
                Want::Err("(-11)"),
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\"; \r\n\r\nv\r\n--b--\r\n",
                Want::Err("(-3)"),
            ),
            // a trailing semicolon alone is fine
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\";\r\n\r\nv\r\n--b--\r\n",
                Want::Ok {
                    args: &[("a", "v")],
                    files: &[],
                    flags: &["crlf_line"],
                },
            ),
            (
                "--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--b--\r\n",
                Want::Err("(-1)"),
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--b--\r\n",
                Want::Err("(-7)"),
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\"x\r\n\r\nv\r\n--b--\r\n",
                Want::Err("(-12)"),
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=\"f\"; filename*=UTF-8''a.txt\r\n\r\nv\r\n--b--\r\n",
                Want::Err("(-21)"),
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"; filename*=''a\r\n\r\nv\r\n--b--\r\n",
                Want::Err("(-16)"),
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"; filename*=UTF-8''a%zz\r\n\r\nv\r\n--b--\r\n",
                Want::Err("(-18)"),
            ),
            // filename found but not as `filename=`
            (
                "--b\r\nContent-Disposition: form-data; name=\"f\"; filename =\"a\"\r\n\r\nv\r\n--b--\r\n",
                Want::Err("(filename)"),
            ),
            // broken part headers
            (
                "--b\r\nno colon here\r\n\r\nv\r\n--b--\r\n",
                Want::Err("colon missing"),
            ),
            (
                "--b\r\n: value\r\n\r\nv\r\n--b--\r\n",
                Want::Err("header name missing"),
            ),
            (
                "--b\r\nX-A\0: v\r\n\r\nv\r\n--b--\r\n",
                Want::Err("Nul byte"),
            ),
            (
                "--b\r\n folded first\r\n\r\nv\r\n--b--\r\n",
                Want::Err("folding error"),
            ),
            (
                "--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--\r\n",
                Want::Err("missing Content-Disposition"),
            ),
            // boundaries gone wrong
            (
                "",
                Want::Ok {
                    args: &[],
                    files: &[],
                    flags: &[],
                },
            ),
            ("just text\r\n", Want::Err("No boundaries found")),
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n",
                Want::Err("Final boundary missing"),
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv",
                Want::Err("Final boundary missing"),
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b-- \r\n",
                Want::Err("Invalid boundary: --b--"),
            ),
            ("--bx\r\n", Want::Err("Invalid boundary")),
            ("-- b\r\n", Want::Err("(whitespace)")),
            (
                "--b--\r\n",
                Want::Ok {
                    args: &[],
                    files: &[],
                    flags: &["crlf_line"],
                },
            ),
        ];
        for (body, want) in cases {
            check_mp(CT, body, *want);
        }
        check_mp(
            "multipart/form-data; boundary=\"b\"",
            "--\"b\"\r\n",
            Want::Err("(quotes)"),
        );
    }

    #[test]
    fn multipart_content_types() {
        let ok = crlf("--xyz\nContent-Disposition: form-data; name=\"a\"\n\nv\n--xyz--\n");
        let cases: &[(&str, Result<&[&str], &str>)] = &[
            ("multipart/form-data; boundary=xyz", Ok(&["crlf_line"])),
            ("Multipart/Form-Data; boundary=xyz", Ok(&["crlf_line"])),
            ("multipart/form-data;boundary=xyz", Ok(&["crlf_line"])),
            (
                "multipart/form-data boundary=xyz",
                Ok(&["missing_semicolon", "crlf_line"]),
            ),
            (
                "multipart/form-data; boundary=\"xyz\"",
                Ok(&["boundary_quoted", "crlf_line"]),
            ),
            (
                "multipart/form-data; boundary =xyz",
                Ok(&["boundary_whitespace", "crlf_line"]),
            ),
            (
                "multipart/form-data; boundary=xyz; charset=utf-8",
                Ok(&["crlf_line"]),
            ),
            ("", Err("not available")),
            ("multipart/mixed; boundary=xyz", Err("Invalid MIME type")),
            (
                "application/x-www-form-urlencoded",
                Err("Invalid MIME type"),
            ),
            ("multipart/form-data", Err("Boundary not found")),
            ("multipart/form-data; Boundary=xyz", Err("case sensitivity")),
            (
                "multipart/form-data; boundary=xyz; boundary=abc",
                Err("Multiple boundary"),
            ),
            (
                "multipart/form-data; charset=utf-8; boundary=xyz",
                Err("(malformed)"),
            ),
            ("multipart/form-data; boundary", Err("(malformed)")),
            (
                "multipart/form-data; boundaryx=xyz",
                Err("(parameter name)"),
            ),
            ("multipart/form-data; boundary=", Err("(empty)")),
            ("multipart/form-data; boundary=\"\"", Err("(empty)")),
            ("multipart/form-data; boundary=\"xyz", Err("(quote)")),
            ("multipart/form-data; boundary=xyz\"", Err("(quote)")),
            ("multipart/form-data; boundary=x{z", Err("(characters)")),
            ("multipart/form-data; boundary=xyz ", Err("(characters)")),
        ];
        for (ct, want) in cases {
            let got = parse_multipart(ct.as_bytes(), ok.as_bytes(), &LIMITS);
            match (got, want) {
                (Ok(m), Ok(flags)) => {
                    assert_eq!(show(&m.args), show(&pairs(&[("a", "v")])), "ct {ct:?}");
                    assert_eq!(flag_names(&m.flags), flags.to_vec(), "ct {ct:?}");
                }
                (Err(e), Err(msg)) => assert!(e.0.contains(msg), "ct {ct:?}: {e:?}"),
                (got, want) => panic!("ct {ct:?}: got {got:?}, want {want:?}"),
            }
        }
        let long = format!("multipart/form-data; boundary={}", "a".repeat(1100));
        assert!(
            parse_multipart(long.as_bytes(), b"", &LIMITS)
                .unwrap_err()
                .0
                .contains("(length)")
        );
    }

    /// Bodies in the shape of CRS's 920120/920121/922xxx regression tests (LF line breaks,
    /// as the YAML `data: |` blocks send them).
    #[test]
    fn multipart_crs_shapes() {
        let ct = "multipart/form-data; boundary=boundary";
        // 922100: the `_charset_` field and the part headers rule 922150 reads.
        let body = "--boundary\nContent-disposition: form-data; name=\"_charset_\"\n\nutf-7\n--boundary\nContent-disposition: form-data; name=\"positive\"\nContent-Type: text/plain\n\nLet me see if I can use utf-7.\n--boundary--\n";
        let m = parse_multipart(ct.as_bytes(), body.as_bytes(), &LIMITS).unwrap();
        assert_eq!(
            show(&m.args),
            show(&pairs(&[
                ("_charset_", "utf-7"),
                ("positive", "Let me see if I can use utf-7.")
            ]))
        );
        assert_eq!(
            show(&m.part_headers),
            show(&pairs(&[
                (
                    "_charset_",
                    "Content-disposition: form-data; name=\"_charset_\""
                ),
                (
                    "positive",
                    "Content-disposition: form-data; name=\"positive\""
                ),
                ("positive", "Content-Type: text/plain"),
            ]))
        );
        assert_eq!(flag_names(&m.flags), vec!["lf_line"]);
        assert!(m.flags.strict_error());

        // 922120: Content-Transfer-Encoding is just another part header line.
        let body = "--boundary\nContent-Disposition: form-data; name=\"a\"\nContent-Transfer-Encoding: base64\n\ndGVzdA==\n--boundary--\n";
        let m = parse_multipart(ct.as_bytes(), body.as_bytes(), &LIMITS).unwrap();
        assert_eq!(
            m.part_headers.get(1).map(|(_, l)| lossy(l)).as_deref(),
            Some("Content-Transfer-Encoding: base64")
        );

        // 922130: characters outside 33..126 in a part header name.
        for bad in [
            "\x0eContent-Disposition",
            "Content-Disposition\x0e",
            "Content-\x20Disposition",
            "Content\x7f-Disposition",
        ] {
            let body = format!(
                "--boundary\r\n{bad}: form-data; name=\"file\"; filename=\"1.php\"\r\nContent-Disposition: form-data; name=\"post\"\r\n\r\n<?php var_dump(file_get_contents(\"/etc/passwd\"));\r\n--boundary--"
            );
            let e = parse_multipart(ct.as_bytes(), body.as_bytes(), &LIMITS).unwrap_err();
            assert_eq!(
                e.0, "Multipart: Invalid part header (contains invalid character).",
                "{bad:?}"
            );
        }
        // 922130 negative: `~` is in range (two distinct headers)
        let body = "--boundary\nContent~Disposition: form-data; name=\"file\"; filename=\"1.php\"\nContent-Disposition: form-data; name=\"post\"\n\n<?php ?>\n--boundary--\n";
        let m = parse_multipart(ct.as_bytes(), body.as_bytes(), &LIMITS).unwrap();
        assert_eq!(show(&m.args), show(&pairs(&[("post", "<?php ?>")])));
        assert_eq!(m.part_headers.len(), 2);
        // 922130 test 8: parts without headers are broken bodies
        let body = "--boundary123\ntest\n--boundary123\nyet another test\n--boundary123--\n";
        assert!(
            parse_multipart(
                b"multipart/form-data; boundary=boundary123",
                body.as_bytes(),
                &LIMITS
            )
            .is_err()
        );

        // 920120/920121: what FILES and FILES_NAMES get.
        let ct = "multipart/form-data; boundary=--------397236876";
        let cases = [
            (
                "name=\"fileRap\"; filename=\"file=.txt\"",
                ("fileRap", "file=.txt"),
            ),
            (
                "name=\"fileRap\"; filename=\"te;st.txt\"",
                ("fileRap", "te;st.txt"),
            ),
            (
                "name=\"fileRap\"; filename=\"te'st.txt\"",
                ("fileRap", "te'st.txt"),
            ),
            (
                "name=\"fileRap\"; filename=\"te\\\"st.txt\"",
                ("fileRap", "te\"st.txt"),
            ),
            (
                "name=\"cv.pdf\"; filename=\"1.j\\s\\p\"",
                ("cv.pdf", "1.j\\s\\p"),
            ),
            (
                "name=\"cv.p\\d\\f\"; filename=\"cv.pdf\"",
                ("cv.p\\d\\f", "cv.pdf"),
            ),
            ("name=\"file\"; filename=\"..\\1.7z\"", ("file", "..\\1.7z")),
            (
                "name=\"fileRap\"; filename=\"photo.php  \"",
                ("fileRap", "photo.php  "),
            ),
        ];
        for (params, (name, filename)) in cases {
            let body = format!(
                "----------397236876\nContent-Disposition: form-data; {params}\nContent-Type: text/plain\n\n555-555-0199@example.com\n----------397236876--\n"
            );
            let m = parse_multipart(ct.as_bytes(), body.as_bytes(), &LIMITS).unwrap();
            assert_eq!(
                m.files,
                vec![(name.as_bytes().to_vec(), filename.as_bytes().to_vec(), 24)],
                "{params}"
            );
        }

        // 920120 test 3: a file then fields, the file's trailing blank line is data.
        let ct = "multipart/form-data; boundary=---------------------------265001916915724";
        let body = "-----------------------------265001916915724\nContent-Disposition: form-data; name=\"fi;le\"; filename=\"test\"\nContent-Type: application/octet-stream\n\nRotem & Ayala\n\n-----------------------------265001916915724\nContent-Disposition: form-data; name=\"name\"\n\ntt2\n-----------------------------265001916915724\nContent-Disposition: form-data; name=\"B1\"\n\nSubmit\n-----------------------------265001916915724--\n";
        let m = parse_multipart(ct.as_bytes(), body.as_bytes(), &LIMITS).unwrap();
        assert_eq!(m.files, vec![(b"fi;le".to_vec(), b"test".to_vec(), 14)]);
        assert_eq!(
            show(&m.args),
            show(&pairs(&[("name", "tt2"), ("B1", "Submit")]))
        );

        // 944120: a JSON document inside a part is just a value here.
        let ct = "multipart/form-data; boundary=---------------------------thisissparta";
        let body = "-----------------------------thisissparta\nContent-Disposition: form-data; name=\"payload\"\nContent-Type: application/json\n\n{\"ProcessBuilder.evil.clonetransformer\": \"test\"}\n-----------------------------thisissparta--";
        let m = parse_multipart(ct.as_bytes(), body.as_bytes(), &LIMITS).unwrap();
        assert_eq!(
            show(&m.args),
            show(&pairs(&[(
                "payload",
                "{\"ProcessBuilder.evil.clonetransformer\": \"test\"}"
            )]))
        );

        // 932180 test 3: a part without headers and a wrong closing boundary.
        let ct = "multipart/form-data; boundary=----WebKitFormBoundaryABCDEFGIJKLMNOPQ";
        let body = "------WebKitFormBoundaryABCDEFGIJKLMNOPQ\nContent-Disposition: form-data; name=\"image\"; filename=\"test.jpg\"\nContent-Type: image/jpeg\n\n... Some content ...\n------WebKitFormBoundaryABCDEFGIJKLMNOPQ\n\nBINARYDATA\n--0000--\n";
        assert!(parse_multipart(ct.as_bytes(), body.as_bytes(), &LIMITS).is_err());
    }

    #[test]
    fn multipart_limits() {
        let mut body = String::new();
        for i in 0..5 {
            body.push_str(&format!(
                "--b\r\nContent-Disposition: form-data; name=\"a{i}\"\r\n\r\nv\r\n"
            ));
        }
        body.push_str("--b--\r\n");
        let tight = BodyLimits {
            args_max: 4,
            depth_max: 1,
            parts_max: 100,
        };
        assert!(
            parse_multipart(CT.as_bytes(), body.as_bytes(), &tight)
                .unwrap_err()
                .0
                .contains("too many arguments")
        );
        let tight = BodyLimits {
            args_max: 100,
            depth_max: 1,
            parts_max: 4,
        };
        assert!(
            parse_multipart(CT.as_bytes(), body.as_bytes(), &tight)
                .unwrap_err()
                .0
                .contains("too many parts")
        );
        let exact = BodyLimits {
            args_max: 5,
            depth_max: 1,
            parts_max: 5,
        };
        assert_eq!(
            parse_multipart(CT.as_bytes(), body.as_bytes(), &exact)
                .unwrap()
                .args
                .len(),
            5
        );
        let long = format!("--b\r\nX-Long: {}\r\n", "a".repeat(5000));
        assert!(
            parse_multipart(CT.as_bytes(), long.as_bytes(), &LIMITS)
                .unwrap_err()
                .0
                .contains("over 4096")
        );
    }

    // ---- JSON ----

    fn check_json(body: &str, want: Result<&[(&str, &str)], &str>) {
        let got = parse_json(body.as_bytes(), &LIMITS);
        match (got, want) {
            (Ok(got), Ok(want)) => assert_eq!(show(&got), show(&pairs(want)), "body {body:?}"),
            (Err(e), Err(msg)) => assert!(e.0.contains(msg), "body {body:?}: {e:?}"),
            (got, want) => panic!("body {body:?}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn json_cases() {
        check_json(
            r#"{"a":1,"b":"x"}"#,
            Ok(&[("json.a", "1"), ("json.b", "x")]),
        );
        check_json(r#"{"a": {"b": {"c": "d"}}}"#, Ok(&[("json.a.b.c", "d")]));
        check_json(
            r#"{"c":[1,2,3]}"#,
            Ok(&[
                ("json.c.0", "1"),
                ("json.c.1", "2"),
                ("json.c.2", "3"),
                ("json.c", "3"),
            ]),
        );
        check_json(
            r#"[{"q":1},[true]]"#,
            Ok(&[
                ("json.0.q", "1"),
                ("json.1.0", "true"),
                ("json.1", "1"),
                ("json", "2"),
            ]),
        );
        check_json(
            r#"{"f":[[[{"z":"abc"}]]]}"#,
            Ok(&[
                ("json.f.0.0.0.z", "abc"),
                ("json.f.0.0", "1"),
                ("json.f.0", "1"),
                ("json.f", "1"),
            ]),
        );
        check_json(
            r#"{"null": null, "true": true, "false": false}"#,
            Ok(&[
                ("json.null", ""),
                ("json.true", "true"),
                ("json.false", "false"),
            ]),
        );
        check_json(
            r#"{"n": -1.50e+3, "z": 0, "big": 123456789012345678901234567890}"#,
            Ok(&[
                ("json.n", "-1.50e+3"),
                ("json.z", "0"),
                ("json.big", "123456789012345678901234567890"),
            ]),
        );
        check_json(r#"{}"#, Ok(&[]));
        check_json(r#"[]"#, Ok(&[]));
        check_json(r#"{"a": {}, "b": []}"#, Ok(&[]));
        check_json(" \n{ \"a\" : [ ] , \"b\" : 1 } \n", Ok(&[("json.b", "1")]));
        check_json("5", Ok(&[("json.0", "5"), ("json", "1")]));
        check_json(r#""abc""#, Ok(&[("json.0", "abc"), ("json", "1")]));
        check_json("null", Ok(&[("json.0", ""), ("json", "1")]));
        check_json(r#"{"a":1,"a":2}"#, Ok(&[("json.a", "1"), ("json.a", "2")]));
        check_json(
            r#"{"a.b":1,"":2}"#,
            Ok(&[("json.a.b", "1"), ("json.", "2")]),
        );
        check_json(
            r#"{"e":"q\"b\\s\/n\n\t\u0041\u00e9\ud83d\ude00"}"#,
            Ok(&[("json.e", "q\"b\\s/n\n\tAé😀")]),
        );
        check_json(r#"{"k\u002e":"v"}"#, Ok(&[("json.k.", "v")]));
        check_json(r#"{"lone":"\ud800x"}"#, Ok(&[("json.lone", "\u{fffd}x")]));
        check_json(
            r#"{"lone":"\ud800\u0041"}"#,
            Ok(&[("json.lone", "\u{fffd}A")]),
        );
        check_json("", Err("JSON parsing error"));
        check_json("{", Err("JSON parsing error"));
        check_json("{invalid json", Err("JSON parsing error"));
        check_json(r#"{"a":1,}"#, Err("JSON parsing error"));
        check_json(r#"{"a":01}"#, Err("JSON parsing error"));
        check_json(r#"{"a":1} x"#, Err("JSON parsing error"));
        check_json(r#"{"a":1}{"b":2}"#, Err("JSON parsing error"));
        check_json(r#"{"a":"\x"}"#, Err("JSON parsing error"));
        check_json(r#"['a']"#, Err("JSON parsing error"));
        check_json("{\"a\":\"\u{1}\"}", Err("JSON parsing error"));
        check_json("[1,2", Err("JSON parsing error"));
        // unbalanced, from Coraza's tests
        let unbalanced = format!("{}1{}", r#"{"a":"#.repeat(17), "}".repeat(22));
        check_json(&unbalanced, Err("JSON parsing error"));
    }

    #[test]
    fn json_bytes_and_limits() {
        // invalid UTF-8 inside a string stays as bytes
        let body = b"{\"a\":\"\xff\xfe\"}";
        assert_eq!(
            parse_json(body, &LIMITS).unwrap(),
            vec![(b"json.a".to_vec(), vec![0xff, 0xfe])]
        );
        assert_eq!(
            parse_json(b"{\"\xff\":1}", &LIMITS).unwrap(),
            vec![(b"json.\xff".to_vec(), b"1".to_vec())]
        );
        // a byte-order mark is not JSON
        assert!(parse_json(b"\xef\xbb\xbf{}", &LIMITS).is_err());

        let deep = |n: usize| format!("{}1{}", r#"{"a":"#.repeat(n), "}".repeat(n));
        let limits = BodyLimits {
            args_max: 10,
            depth_max: 3,
            parts_max: 1,
        };
        assert_eq!(
            show(&parse_json(deep(3).as_bytes(), &limits).unwrap()),
            show(&pairs(&[("json.a.a.a", "1")]))
        );
        assert!(
            parse_json(deep(4).as_bytes(), &limits)
                .unwrap_err()
                .0
                .contains("max recursion")
        );
        let arrays = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse_json(arrays(3).as_bytes(), &limits).is_ok());
        assert!(
            parse_json(arrays(4).as_bytes(), &limits)
                .unwrap_err()
                .0
                .contains("max recursion")
        );
        // a bomb far deeper than serde_json's own limit: an error, not a crash
        assert!(parse_json(deep(20_000).as_bytes(), &LIMITS).is_err());
        assert!(parse_json(arrays(100_000).as_bytes(), &LIMITS).is_err());
        let wide = BodyLimits {
            args_max: 10,
            depth_max: 100_000,
            parts_max: 1,
        };
        assert_eq!(parse_json(deep(20_000).as_bytes(), &wide).unwrap().len(), 1);
        // depth_max 0: nothing at all
        let zero = BodyLimits {
            args_max: 10,
            depth_max: 0,
            parts_max: 1,
        };
        assert!(parse_json(b"1", &zero).is_err());
        assert!(parse_json(b"{}", &zero).is_err());
        // args
        let args = BodyLimits {
            args_max: 3,
            depth_max: 10,
            parts_max: 1,
        };
        assert_eq!(
            parse_json(br#"{"a":1,"b":2,"c":3}"#, &args).unwrap().len(),
            3
        );
        assert!(
            parse_json(br#"{"a":1,"b":2,"c":3,"d":4}"#, &args)
                .unwrap_err()
                .0
                .contains("too many arguments")
        );
        // the array's own count is an argument too
        assert!(
            parse_json(br#"[1,2,3]"#, &args)
                .unwrap_err()
                .0
                .contains("too many arguments")
        );
    }

    // ---- XML ----

    fn check_xml(body: &str, want: Result<(&[&str], &[&str]), &str>) {
        let got = parse_xml(body.as_bytes(), &LIMITS);
        match (got, want) {
            (Ok(x), Ok((texts, attrs))) => {
                let t: Vec<String> = x.texts.iter().map(|t| lossy(t)).collect();
                let a: Vec<String> = x.attributes.iter().map(|t| lossy(t)).collect();
                assert_eq!(t, texts.to_vec(), "texts of {body:?}");
                assert_eq!(a, attrs.to_vec(), "attributes of {body:?}");
            }
            (Err(e), Err(msg)) => assert!(e.0.contains(msg), "body {body:?}: {e:?}"),
            (got, want) => panic!("body {body:?}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn xml_cases() {
        check_xml(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<bookstore>\n<book>\n  <title lang=\"en\">Harry <bold>Potter</bold> Biography</title>\n  <price secret=\"value\">29.99</price>\n</book>\n</bookstore>",
            Ok((&["Harry", "Potter", "Biography", "29.99"], &["en", "value"])),
        );
        check_xml(
            "<?xml version=\"1.0\"?><xml><element attribute_name=\"attribute_value\">ProcessBuilder.evil.clonetransformer</element></xml>",
            Ok((
                &["ProcessBuilder.evil.clonetransformer"],
                &["attribute_value"],
            )),
        );
        // non-strict: missing end tags, cut short
        check_xml(
            "<note>\n<to>Tove</to>\n<from>Jani</from>\n<body>Don't forget me this weekend!\n</note>",
            Ok((&["Tove", "Jani", "Don't forget me this weekend!"], &[])),
        );
        check_xml(
            "<note><to>Tove</to><body>Don't forget",
            Ok((&["Tove", "Don't forget"], &[])),
        );
        check_xml("<note><to>Tove</to><bod", Ok((&["Tove"], &[])));
        check_xml("<note><to>Tove</to></note", Ok((&["Tove"], &[])));
        check_xml("<a>x</b></c>y", Ok((&["x", "y"], &[])));
        // entities and CDATA
        check_xml(
            "<a>x &lt; y &amp;&amp; z&#x41;&#66;</a>",
            Ok((&["x < y && zAB"], &[])),
        );
        check_xml(
            "<a>&unknown; &#0; &#xZZ;</a>",
            Ok((&["&unknown; &#0; &#xZZ;"], &[])),
        );
        check_xml("<a>a & b</a>", Ok((&["a & b"], &[])));
        check_xml(
            "<a>x<![CDATA[<script>]]>y</a>",
            Ok((&["x", "<script>", "y"], &[])),
        );
        check_xml("<a><![CDATA[  ]]></a>", Ok((&[], &[])));
        check_xml("<a>  \n\t </a>", Ok((&[], &[])));
        // attributes: entities, single quotes, empty element, no value, unquoted
        check_xml(
            "<a x=\"1 &amp; 2\" y='q'><b z=\"&quot;\"/></a>",
            Ok((&[], &["1 & 2", "q", "\""])),
        );
        // (a valueless attribute has an empty value; Go's non-strict decoder uses its name)
        check_xml("<a flag v=1>t</a>", Ok((&["t"], &["", "1"])));
        // comments, PIs, doctype and external entities are not text
        check_xml(
            "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><!-- c --><?pi data?><x>&e;</x>",
            Ok((&["&e;"], &[])),
        );
        // not XML at all
        check_xml("hello world", Ok((&["hello world"], &[])));
        check_xml("", Ok((&[], &[])));
        check_xml("<a><!x></a>", Err("XML parsing error"));
        // bytes that are not UTF-8 make a broken body, as in Coraza (Go's decoder)
        assert!(parse_xml(b"<a k=\"\xff\">x</a>", &LIMITS).is_err());
        assert!(parse_xml(b"<a>\xfe</a>", &LIMITS).is_err());
        check_xml("<a>\u{e9}\u{1F600}</a>", Ok((&["\u{e9}\u{1F600}"], &[])));
    }

    #[test]
    fn xml_limits() {
        let limits = BodyLimits {
            args_max: 3,
            depth_max: 2,
            parts_max: 1,
        };
        assert!(parse_xml(b"<a><b>x</b></a>", &limits).is_ok());
        assert!(parse_xml(b"<a><b/></a>", &limits).is_ok());
        assert!(
            parse_xml(b"<a><b><c/></b></a>", &limits)
                .unwrap_err()
                .0
                .contains("nesting")
        );
        let zero = BodyLimits {
            args_max: 3,
            depth_max: 0,
            parts_max: 1,
        };
        assert!(parse_xml(b"<a/>", &zero).is_err());
        assert!(parse_xml(b"text only", &zero).is_ok());
        assert!(
            parse_xml(b"<a><b><c>x</c></b></a>", &limits)
                .unwrap_err()
                .0
                .contains("nesting")
        );
        assert!(parse_xml(b"<a>1</a><a>2</a><a>3</a>", &limits).is_ok());
        assert!(
            parse_xml(b"<a>1</a><a>2</a><a>3</a><a>4</a>", &limits)
                .unwrap_err()
                .0
                .contains("too many")
        );
        assert!(
            parse_xml(b"<a x='1' y='2' z='3' w='4'/>", &limits)
                .unwrap_err()
                .0
                .contains("too many")
        );
        // unclosed elements do not accumulate depth forever... but they do count
        let deep = "<a>".repeat(100_000);
        assert!(parse_xml(deep.as_bytes(), &LIMITS).is_err());
        let closed = "<a></a>".repeat(10_000);
        assert!(parse_xml(closed.as_bytes(), &LIMITS).is_ok());
    }

    // ---- no panics on arbitrary input ----

    /// xorshift64*: deterministic, good enough to shake parsers.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// Random inputs made of grammar-ish pieces and random bytes.
    fn inputs(pieces: &[&[u8]], seed: u64, count: usize) -> Vec<Vec<u8>> {
        let mut rng = Rng(seed);
        (0..count)
            .map(|_| {
                let len = rng.below(40);
                let mut v = Vec::new();
                for _ in 0..len {
                    if rng.below(4) == 0 {
                        v.push(rng.next() as u8);
                    } else {
                        v.extend_from_slice(pieces[rng.below(pieces.len())]);
                    }
                }
                v
            })
            .collect()
    }

    /// Every prefix, and single-byte mutations, of a valid sample.
    fn mutations(sample: &[u8], seed: u64) -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = (0..=sample.len()).map(|i| sample[..i].to_vec()).collect();
        let mut rng = Rng(seed);
        for _ in 0..2000 {
            let mut v = sample.to_vec();
            for _ in 0..=rng.below(3) {
                let i = rng.below(v.len().max(1));
                match rng.below(3) {
                    0 if !v.is_empty() => v[i] = rng.next() as u8,
                    1 if !v.is_empty() => {
                        v.remove(i);
                    }
                    _ => {
                        let alphabet = b"\"\\{}[]:,-\r\n;=%&'<>";
                        v.insert(i.min(v.len()), alphabet[rng.below(alphabet.len())]);
                    }
                }
            }
            out.push(v);
        }
        out
    }

    #[test]
    fn urlencoded_and_cookies_never_panic() {
        let pieces: &[&[u8]] = &[
            b"a", b"=", b"&", b"%", b"%4", b"%41", b"+", b";", b" ", b"\t", b"\xff",
        ];
        for input in inputs(pieces, 1, 20_000) {
            let (got, _) = parse_urlencoded(&input);
            assert!(got.len() <= input.len());
            let mut cookies = Vec::new();
            parse_cookies(&input, &mut cookies);
            assert!(cookies.len() <= input.len());
        }
    }

    #[test]
    fn multipart_never_panics() {
        let pieces: &[&[u8]] = &[
            b"--b",
            b"--b--",
            b"--",
            b"\r\n",
            b"\n",
            b"\r",
            b" ",
            b"\t",
            b"\0",
            b"b",
            b"Content-Disposition: form-data; name=\"a\"",
            b"; filename=\"f\"",
            b"; filename*=UTF-8''x",
            b"name=",
            b"'",
            b"\"",
            b"\\",
            b";",
            b"=",
            b":",
            b"Content-Type: text/plain",
            b"%",
        ];
        let cts: &[&[u8]] = &[
            b"multipart/form-data; boundary=b",
            b"multipart/form-data; boundary=\"b\"",
            b"multipart/form-data; boundary= b",
        ];
        for (i, input) in inputs(pieces, 2, 20_000).iter().enumerate() {
            let ct = cts[i % cts.len()];
            let _ = parse_multipart(ct, input, &LIMITS);
            // and the same bytes as a Content-Type
            let mut as_ct = b"multipart/form-data".to_vec();
            as_ct.extend_from_slice(input);
            let _ = parse_multipart(&as_ct, b"--b\r\n", &LIMITS);
        }
        let sample = crlf(
            "--b\nContent-Disposition: form-data; name=\"a\"; filename=\"x\\\"y\"\nX: 1\n  folded\n\nv\n--b\nContent-Disposition: form-data; name=a\n\n\n--b--\n",
        );
        for input in mutations(sample.as_bytes(), 3) {
            let _ = parse_multipart(CT.as_bytes(), &input, &LIMITS);
            let _ = parse_multipart(&input, sample.as_bytes(), &LIMITS);
        }
    }

    #[test]
    fn json_never_panics() {
        let pieces: &[&[u8]] = &[
            b"{",
            b"}",
            b"[",
            b"]",
            b":",
            b",",
            b"\"a\"",
            b"\"",
            b"\\",
            b"\\u",
            b"d800",
            b"1",
            b"-",
            b"e",
            b".",
            b"true",
            b"null",
            b" ",
            b"\"\\ud83d\\ude00\"",
        ];
        let tight = BodyLimits {
            args_max: 5,
            depth_max: 3,
            parts_max: 1,
        };
        for input in inputs(pieces, 4, 20_000) {
            let _ = parse_json(&input, &LIMITS);
            let _ = parse_json(&input, &tight);
        }
        let sample = br#"{"a":[1,-2.5e3,{"b":"x\"\u0041\ud83d\ude00"}],"c":null,"d":true,"e":{}}"#;
        for input in mutations(sample, 5) {
            let _ = parse_json(&input, &LIMITS);
            let _ = parse_json(&input, &tight);
        }
    }

    #[test]
    fn xml_never_panics() {
        let pieces: &[&[u8]] = &[
            b"<a>",
            b"</a>",
            b"<b x=\"1\">",
            b"<c/>",
            b"<",
            b">",
            b"/",
            b"&",
            b"&amp;",
            b"&#x",
            b";",
            b"<![CDATA[",
            b"]]>",
            b"<!--",
            b"-->",
            b"<?",
            b"?>",
            b"<!DOCTYPE",
            b"'",
            b"\"",
            b"=",
            b" ",
            b"text",
        ];
        let tight = BodyLimits {
            args_max: 5,
            depth_max: 3,
            parts_max: 1,
        };
        for input in inputs(pieces, 6, 20_000) {
            let _ = parse_xml(&input, &LIMITS);
            let _ = parse_xml(&input, &tight);
        }
        let sample = b"<?xml version=\"1.0\"?><!DOCTYPE r><r a=\"1&amp;\" b='2'><x>t&lt;<![CDATA[c]]></x><!--n--><y/></r>";
        for input in mutations(sample, 7) {
            let _ = parse_xml(&input, &LIMITS);
            let _ = parse_xml(&input, &tight);
        }
    }
}
