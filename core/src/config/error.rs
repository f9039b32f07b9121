//! [`ConfigError`] and the two ways one is made: from a serde/TOML error (syntax, types,
//! unknown or missing keys) and from a semantic check on a spanned value.

use std::fmt;
use std::ops::Range;

/// Why a config was refused, and where: `file:line:column: key: message`.
///
/// `line` and `column` are 1-based; `column` counts characters, not bytes, so it matches what
/// an editor shows. `key` is the dotted path of the offending value, with 0-based array
/// indices (`server.header_bytes_max`, `site[1].root`, `site[0].cache_control[2].match`); it is
/// empty for a TOML syntax error, which belongs to no key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// What every error needs to find its place: the file's name and its text.
#[derive(Clone, Copy)]
pub(super) struct Source<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

impl Source<'_> {
    /// An error about the value whose bytes are `span`.
    pub fn error(&self, span: Range<usize>, key: &str, message: impl Into<String>) -> ConfigError {
        let (line, column) = line_column(self.text, span.start);
        ConfigError {
            file: self.file.to_owned(),
            line,
            column,
            key: key.to_owned(),
            message: message.into(),
        }
    }

    /// An error that belongs to the file as a whole (too large, no site): reported at 1:1.
    pub fn error_at_start(&self, key: &str, message: impl Into<String>) -> ConfigError {
        self.error(0..0, key, message)
    }

    /// Turns a deserialisation error into a located one. serde_path_to_error knows the key
    /// path; the TOML error knows the byte span. Two messages name a key the path does not
    /// reach yet (a missing key is reported on its table; an unknown key is already in the
    /// path), so for "missing field" the key is appended here.
    pub fn toml_error(&self, error: &serde_path_to_error::Error<toml::de::Error>) -> ConfigError {
        let mut key = key_path(error.path());
        let inner = error.inner();
        // toml's messages may span lines ("invalid table header\nexpected `.`, `]`"); an error
        // line should stay one line.
        let mut message = inner.message().trim().replace('\n', "; ");
        if let Some(missing) = backticked_after(&message, "missing field ") {
            if !key.is_empty() {
                key.push('.');
            }
            key.push_str(missing);
            message = "required key is missing".to_owned();
        }
        let span = inner.span().unwrap_or(0..0);
        self.error(span, &key, message)
    }
}

/// `site[1].hosts[0]` from serde_path_to_error's path, without the private field names that
/// `toml::Spanned` deserialises through.
fn key_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut key = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => {
                key.push('[');
                key.push_str(itoa::Buffer::new().format(*index));
                key.push(']');
            }
            Segment::Map { key: name } | Segment::Enum { variant: name } => {
                if name.starts_with("$__serde_spanned_private") {
                    continue;
                }
                if !key.is_empty() {
                    key.push('.');
                }
                key.push_str(name);
            }
            Segment::Unknown => {}
        }
    }
    key
}

/// In "missing field `root`", the text between the backticks after `prefix`.
fn backticked_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = message.strip_prefix(prefix)?.strip_prefix('`')?;
    let end = rest.find('`')?;
    Some(&rest[..end])
}

/// 1-based line and character column of byte `offset` in `text`.
///
/// Counts bytes that start a UTF-8 character rather than slicing the text, so an offset that
/// is not on a character boundary (or past the end) cannot panic.
pub(super) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let column = 1 + before[line_start..]
        .iter()
        .filter(|&&b| b & 0xC0 != 0x80)
        .count();
    (line, column)
}
