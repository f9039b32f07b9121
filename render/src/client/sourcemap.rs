//! A chunk's source map, composed through the three steps between a file and the printed
//! chunk: the module's transform (TSX to JavaScript: the transform's [`PositionMap`]), the
//! chunk's layout (which lines of the chunk's text are which module's, see
//! [`BrowserModule::code_lines`]) and the printer (the minified chunk against the chunk's
//! text: [`Token`]s).
//!
//! Packages are not transformed, so a line of their code is the same line of their file. The
//! registry rewrite turns an imported `x` into `__bext_m0.x`, which moves columns after it on
//! that line: columns in a line with an import are approximate, lines are exact. Printed code
//! that comes from the chunk's own scaffolding (the registry, the function around the
//! modules) is left unmapped.
//!
//! [`PositionMap`]: bext_prism::PositionMap
//! [`BrowserModule::code_lines`]: crate::link::BrowserModule::code_lines

use oxc_sourcemap::SourceMapBuilder;
use rustc_hash::FxHashMap;

use super::minify::Token;
use crate::link::BrowserGraph;

/// Lines `line .. line + lines` of a chunk's text are module `module`'s code.
pub(super) struct Span {
    pub line: u32,
    pub lines: u32,
    pub module: usize,
}

/// The JSON of the map from the printed chunk (`file`) to the modules' files. `spans` are
/// sorted by line.
pub(super) fn compose(
    graph: &BrowserGraph,
    spans: &[Span],
    tokens: &[Token],
    file: &str,
) -> String {
    let mut builder = SourceMapBuilder::default();
    builder.set_file(file);
    let mut sources: FxHashMap<usize, u32> = FxHashMap::default();
    for token in tokens {
        let (line, column) = token.text;
        let after = spans.partition_point(|s| s.line <= line);
        let Some(span) = after.checked_sub(1).map(|i| &spans[i]) else {
            continue;
        };
        if line >= span.line + span.lines {
            continue;
        }
        let Some(origin) = &graph.modules[span.module].origin else {
            continue;
        };
        let in_module = line - span.line;
        let (source_line, source_column) = match &origin.map {
            // The map's lines and columns count from 1.
            Some(map) => match map.original(in_module + 1, column + 1) {
                Some((l, c)) => (l.saturating_sub(1), c.saturating_sub(1)),
                None => continue,
            },
            None => (in_module, column),
        };
        let source = *sources
            .entry(span.module)
            .or_insert_with(|| builder.add_source_and_content(&origin.name, &origin.text));
        let name = token.name.as_deref().map(|n| builder.add_name(n));
        builder.add_token(
            token.printed.0,
            token.printed.1,
            source_line,
            source_column,
            Some(source),
            name,
        );
    }
    builder.into_sourcemap().to_json_string()
}
