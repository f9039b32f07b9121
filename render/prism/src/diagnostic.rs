//! Compile errors that point into the user's source: `path:line:col: message` and a code frame.

use std::fmt;
use std::path::{Path, PathBuf};

use oxc::diagnostics::OxcDiagnostic;

/// Lines of source shown before and after the offending line in a code frame.
const FRAME_CONTEXT_LINES: usize = 2;

/// A compile error in one module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    /// 1-based line of the error.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    pub message: String,
    /// The offending line with up to two lines of context either side and a caret under the
    /// column.
    pub frame: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}\n{}",
            self.path.display(),
            self.line,
            self.column,
            self.message,
            self.frame
        )
    }
}

impl std::error::Error for Diagnostic {}

impl Diagnostic {
    /// An error at byte `offset` of `source`.
    pub(crate) fn at(path: &Path, source: &str, offset: u32, message: String) -> Diagnostic {
        let (line, column) = line_column(source, offset as usize);
        Diagnostic {
            path: path.to_path_buf(),
            line,
            column,
            message,
            frame: code_frame(source, line, column),
        }
    }

    /// Converts an oxc parser or semantic error. Its primary label gives the place; without
    /// one, the last label does (oxc lists the earlier context first: "declared here", then
    /// "redeclared here").
    pub(crate) fn from_oxc(path: &Path, source: &str, error: &OxcDiagnostic) -> Diagnostic {
        let labels = &error.labels;
        let offset = labels
            .iter()
            .find(|label| label.primary())
            .or_else(|| labels.iter().max_by_key(|label| label.offset()))
            .map_or(0, |label| label.offset());
        let mut message = error.message.to_string();
        if let Some(help) = &error.help {
            message.push_str(" (");
            message.push_str(help);
            message.push(')');
        }
        Diagnostic::at(path, source, offset, message)
    }
}

/// 1-based line and character column of byte `offset` (clamped to the source, and moved back
/// to a character boundary).
fn line_column(source: &str, offset: usize) -> (u32, u32) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = source[line_start..offset].chars().count() + 1;
    (saturate(line), saturate(column))
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Babel-style frame:
/// ```text
///   1 | function Page() {
/// > 2 |   return <div>;
///     |          ^
///   3 | }
/// ```
fn code_frame(source: &str, line: u32, column: u32) -> String {
    let lines: Vec<&str> = source
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let target = (line as usize)
        .saturating_sub(1)
        .min(lines.len().saturating_sub(1));
    let first = target.saturating_sub(FRAME_CONTEXT_LINES);
    let last = (target + FRAME_CONTEXT_LINES).min(lines.len().saturating_sub(1));
    let width = (last + 1).to_string().len();
    let mut frame = String::new();
    for (index, text) in lines.iter().enumerate().take(last + 1).skip(first) {
        let marker = if index == target { '>' } else { ' ' };
        frame.push_str(&format!("{marker} {:>width$} | {text}\n", index + 1));
        if index == target {
            // Tabs are kept so the caret lines up under them in a terminal.
            let pad: String = text
                .chars()
                .take((column as usize).saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            frame.push_str(&format!("  {:>width$} | {pad}^\n", ""));
        }
    }
    frame
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(source: &str, offset: u32, expect: &str) {
        let diagnostic = Diagnostic::at(
            Path::new("app/page.tsx"),
            source,
            offset,
            "boom".to_string(),
        );
        assert_eq!(diagnostic.to_string(), expect);
    }

    #[test]
    fn frames() {
        check(
            "a\nb\nc\nd\ne\nf\ng",
            6,
            "app/page.tsx:4:1: boom\n  2 | b\n  3 | c\n> 4 | d\n    | ^\n  5 | e\n  6 | f\n",
        );
        check(
            "let x = 1;",
            4,
            "app/page.tsx:1:5: boom\n> 1 | let x = 1;\n    |     ^\n",
        );
        // Columns count characters, not bytes.
        check(
            "é = 1",
            3,
            "app/page.tsx:1:3: boom\n> 1 | é = 1\n    |   ^\n",
        );
        check("\tx", 1, "app/page.tsx:1:2: boom\n> 1 | \tx\n    | \t^\n");
        // An offset past the end points at the end.
        check("ab", 99, "app/page.tsx:1:3: boom\n> 1 | ab\n    |   ^\n");
        check(
            "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11",
            21,
            "app/page.tsx:11:1: boom\n   9 | 9\n  10 | 10\n> 11 | 11\n     | ^\n",
        );
    }
}
