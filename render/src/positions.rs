//! Positions in the bundle, back to the files a person wrote: `Page@bundle.js:812:17` becomes
//! `app/page.tsx:12:9`.
//!
//! The linker lays every module out line for line (its code starts on a known line of the
//! bundle and keeps its own line breaks), so a bundle line names one module and a line of its
//! compiled code. A module the PRISM pass compiled carries the pass's [`PositionMap`] back to
//! its source; any other (plain JavaScript, packages) is its own source. Nothing is computed
//! until a stack is asked about.

use std::sync::Arc;

use bext_prism::PositionMap;

/// The name engines give the bundle in stack frames (`Engine::eval`'s `name`).
pub const BUNDLE_NAME: &str = "bundle.js";

/// Where one module's code sits in the bundle.
#[derive(Clone, Debug)]
pub struct Span {
    /// 0-based bundle line of the module's first line of code.
    pub start: u32,
    pub lines: u32,
    pub id: String,
    pub map: Option<Arc<PositionMap>>,
}

/// Every module's place in the bundle, sorted by `start`.
#[derive(Clone, Debug, Default)]
pub struct Positions {
    spans: Vec<Span>,
}

impl Positions {
    pub fn new(spans: Vec<Span>) -> Positions {
        Positions { spans }
    }

    /// The same modules after `lines` more lines were put in front of them.
    pub fn shifted(mut self, lines: u32) -> Positions {
        for span in &mut self.spans {
            span.start += lines;
        }
        self
    }

    /// The module, line and column (1-based) of bundle `line`:`column` (1-based).
    pub fn locate(&self, line: u32, column: u32) -> Option<(&str, u32, u32)> {
        let zero = line.checked_sub(1)?;
        let at = self.spans.partition_point(|s| s.start <= zero);
        let span = &self.spans[at.checked_sub(1)?];
        let local = zero - span.start;
        if local >= span.lines {
            return None;
        }
        let (l, c) = match &span.map {
            Some(map) => map.original(local + 1, column)?,
            None => (local + 1, column),
        };
        Some((&span.id, l, c))
    }

    /// `stack` with every `bundle.js:L:C` (or `bundle.js:L`) that falls in a module replaced by
    /// `module:line:column`.
    pub fn rewrite_stack(&self, stack: &str) -> String {
        let mut out = String::with_capacity(stack.len());
        let mut rest = stack;
        while let Some(at) = rest.find(BUNDLE_NAME) {
            out.push_str(&rest[..at]);
            let after = &rest[at + BUNDLE_NAME.len()..];
            let (line, column, used) = line_column(after);
            match line.and_then(|l| self.locate(l, column.unwrap_or(1))) {
                Some((id, l, c)) => {
                    out.push_str(&format!("{id}:{l}"));
                    if column.is_some() {
                        out.push_str(&format!(":{c}"));
                    }
                    rest = &after[used..];
                }
                None => {
                    out.push_str(BUNDLE_NAME);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The first frame of `stack` in an app module (not a package's, not the runtime's), as
    /// `app/page.tsx:12:9`: where the error came from, for a one-line log.
    pub fn origin(&self, stack: &str) -> Option<String> {
        let mut first_any = None;
        let mut rest = stack;
        while let Some(at) = rest.find(BUNDLE_NAME) {
            let after = &rest[at + BUNDLE_NAME.len()..];
            let (line, column, used) = line_column(after);
            rest = &after[used.max(1).min(after.len())..];
            let Some((id, l, c)) = line.and_then(|l| self.locate(l, column.unwrap_or(1))) else {
                continue;
            };
            let place = match column {
                Some(_) => format!("{id}:{l}:{c}"),
                None => format!("{id}:{l}"),
            };
            if !id.contains("node_modules/") {
                return Some(place);
            }
            first_any.get_or_insert(place);
        }
        first_any
    }
}

/// `:L:C` or `:L` at the start of `text`: the numbers and the bytes they took.
fn line_column(text: &str) -> (Option<u32>, Option<u32>, usize) {
    let number = |s: &str| -> Option<(u32, usize)> {
        let s = s.strip_prefix(':')?;
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        Some((s[..digits].parse().ok()?, digits + 1))
    };
    let Some((line, a)) = number(text) else {
        return (None, None, 0);
    };
    match number(&text[a..]) {
        Some((column, b)) => (Some(line), Some(column), a + b),
        None => (Some(line), None, a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_rewritten_to_module_lines() {
        let positions = Positions::new(vec![
            Span {
                start: 10,
                lines: 5,
                id: "app/page.js".into(),
                map: None,
            },
            Span {
                start: 20,
                lines: 3,
                id: "node_modules/x/index.js".into(),
                map: None,
            },
        ]);
        assert_eq!(positions.locate(11, 4), Some(("app/page.js", 1, 4)));
        assert_eq!(positions.locate(16, 1), None, "past the module's last line");
        let stack =
            "f@bundle.js:22:3\nPage@bundle.js:13:9\nrun@bundle.js:2:1\n    at g (bundle.js:12)";
        assert_eq!(
            positions.rewrite_stack(stack),
            "f@node_modules/x/index.js:2:3\nPage@app/page.js:3:9\nrun@bundle.js:2:1\n    at g (app/page.js:2)"
        );
        assert_eq!(positions.origin(stack).as_deref(), Some("app/page.js:3:9"));
        assert_eq!(
            positions.shifted(2).locate(13, 1),
            Some(("app/page.js", 1, 1))
        );
    }
}
