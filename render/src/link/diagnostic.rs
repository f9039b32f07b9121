//! Compile errors: position, message and a code frame.

use std::fmt;
use std::path::PathBuf;

use serde_json::json;

/// An error a [`ModuleTransform`](super::ModuleTransform) reports for one module. Positions
/// are 1-based; `frame` is the code frame the transform made from the original source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleDiagnostic {
    pub line: u32,
    pub column: u32,
    pub message: String,
    pub frame: String,
}

/// PRISM's diagnostics (both of its compiles) as the linker's.
impl From<bext_prism::Diagnostic> for ModuleDiagnostic {
    fn from(d: bext_prism::Diagnostic) -> ModuleDiagnostic {
        ModuleDiagnostic {
            line: d.line,
            column: d.column,
            message: d.message,
            frame: d.frame,
        }
    }
}

/// One compile error. `path` is relative to the app root (it reads better in a terminal and in
/// the dev overlay). `line`/`column` are 1-based, or 0 when the error is not about a position
/// (a missing root layout, a conflict between two routes); `frame` is then empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    pub path: PathBuf,
    pub line: u32,
    pub column: u32,
    pub message: String,
    pub frame: String,
}

impl CompileError {
    /// An error at byte `offset` of `source`, with a code frame around it.
    pub(crate) fn at(
        path: impl Into<PathBuf>,
        source: &str,
        offset: usize,
        message: String,
    ) -> CompileError {
        let (line, column) = line_column(source, offset);
        CompileError {
            path: path.into(),
            line,
            column,
            message,
            frame: code_frame(source, line, column),
        }
    }

    /// An error about a whole file.
    pub(crate) fn file(path: impl Into<PathBuf>, message: String) -> CompileError {
        CompileError {
            path: path.into(),
            line: 0,
            column: 0,
            message,
            frame: String::new(),
        }
    }

    /// The JSON the dev bundle passes to `__bext_compile_error`.
    pub fn to_json(&self) -> String {
        json!({
            "path": self.path.to_string_lossy(),
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "frame": self.frame,
        })
        .to_string()
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                self.line,
                self.column,
                self.message
            )?;
            if !self.frame.is_empty() {
                write!(f, "\n{}", self.frame)?;
            }
            Ok(())
        }
    }
}

impl std::error::Error for CompileError {}

/// Every error of a failed compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileErrors(pub Vec<CompileError>);

impl fmt::Display for CompileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CompileErrors {}

/// 1-based line and column (in characters) of byte `offset`.
pub fn line_column(source: &str, offset: usize) -> (u32, u32) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line as u32, column as u32)
}

/// Lines shown before and after the offending one.
const FRAME_CONTEXT_LINES: u32 = 2;
/// Longest line shown in a frame (minified files have megabyte lines).
// tidy: not a limit: how much of a line an error message shows.
const FRAME_LINE_CHARS_MAX: usize = 160;

/// A code frame: the offending line with two lines of context each side and a caret under
/// the column.
///
/// ```text
///   1 | import { a } from "./a";
/// > 2 | import b from "./missing";
///     |               ^
///   3 | export default a + b;
/// ```
pub fn code_frame(source: &str, line: u32, column: u32) -> String {
    let first = line.saturating_sub(FRAME_CONTEXT_LINES).max(1);
    let last = line + FRAME_CONTEXT_LINES;
    let width = last.to_string().len();
    let mut frame = String::new();
    for (number, text) in (1u32..).zip(source.lines()) {
        if number < first {
            continue;
        }
        if number > last {
            break;
        }
        let text: String = text.chars().take(FRAME_LINE_CHARS_MAX).collect();
        let marker = if number == line { '>' } else { ' ' };
        frame.push_str(&format!("{marker} {number:>width$} | {text}\n"));
        if number == line {
            let pad = (column.saturating_sub(1) as usize).min(FRAME_LINE_CHARS_MAX);
            frame.push_str(&format!("  {:>width$} | {}^\n", "", " ".repeat(pad)));
        }
    }
    frame.truncate(frame.trim_end().len());
    frame
}
