//! Where a position in the compiled module came from in the source file: what turns a stack
//! frame (`Page@bundle.js:812:17`) into `app/page.tsx:12:9`.
//!
//! Two steps lie between the source and the compiled code: the PRISM pass (text edits that
//! replace JSX, recorded as [`Edit`]s) and oxc's printer (which reformats everything and, asked
//! to, records a source map against the lowered text). The map keeps both, and composes them
//! only when a position is asked for: errors are rare, so compiles pay for recording the
//! printer's tokens and nothing more.

use crate::lower::Edit;

/// Positions of a compiled module, back to its source. Lines and columns are 1-based on both
/// sides; columns count bytes (exact for ASCII, which code positions almost always are).
#[derive(Clone, Debug, Default)]
pub struct PositionMap {
    /// The printer's tokens, 0-based: (generated line, generated column, lowered line,
    /// lowered column), in generated order.
    tokens: Vec<[u32; 4]>,
    /// Byte offset of each line of the lowered text.
    lowered_lines: Vec<u32>,
    /// The PRISM pass's edits, in order.
    edits: Vec<Edit>,
    /// Byte offset of each line of the source.
    source_lines: Vec<u32>,
}

impl PositionMap {
    pub(crate) fn new(
        tokens: Vec<[u32; 4]>,
        lowered: &str,
        edits: Vec<Edit>,
        source: &str,
    ) -> PositionMap {
        PositionMap {
            tokens,
            lowered_lines: line_starts(lowered),
            edits,
            source_lines: line_starts(source),
        }
    }

    /// The source line and column of compiled `line`:`column`, from the nearest token at or
    /// before it on that line (or the line's first token).
    pub fn original(&self, line: u32, column: u32) -> Option<(u32, u32)> {
        let (line, column) = (line.checked_sub(1)?, column.saturating_sub(1));
        let after = self
            .tokens
            .partition_point(|t| (t[0], t[1]) <= (line, column));
        let token = match after.checked_sub(1).map(|i| self.tokens[i]) {
            Some(t) if t[0] == line => t,
            _ => *self.tokens.get(after).filter(|t| t[0] == line)?,
        };
        let lowered = self.lowered_lines.get(token[2] as usize)? + token[3];
        let offset = original_offset(&self.edits, lowered);
        let source_line = self.source_lines.partition_point(|&start| start <= offset);
        let start = self.source_lines.get(source_line.checked_sub(1)?)?;
        Some((source_line as u32, offset - start + 1))
    }
}

fn line_starts(text: &str) -> Vec<u32> {
    std::iter::once(0)
        .chain(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        )
        .collect()
}

/// The source offset of a lowered-text offset (the start of the JSX expression for one inside
/// generated text).
pub(crate) fn original_offset(edits: &[Edit], generated: u32) -> u32 {
    let mut delta: i64 = 0;
    for edit in edits {
        if generated < edit.generated.start {
            break;
        }
        if generated < edit.generated.end {
            return edit.original.start;
        }
        delta += i64::from(edit.generated.size()) - i64::from(edit.original.size());
    }
    u32::try_from(i64::from(generated) - delta).unwrap_or(0)
}
