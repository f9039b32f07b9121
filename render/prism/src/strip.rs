//! The second half of `transform`: TypeScript stripped from the lowered module, JavaScript
//! printed.

use std::path::Path;

use oxc::allocator::Allocator;
use oxc::ast::ast::Program;
use oxc::codegen::{Codegen, CodegenOptions};
use oxc::diagnostics::OxcDiagnostic;
use oxc::parser::Parser;
use oxc::semantic::SemanticBuilder;
use oxc::span::SourceType;
use oxc::transformer::{JsxOptions, TransformOptions, Transformer};

use crate::Diagnostic;
use crate::lower::Lowered;
use crate::positions::PositionMap;

/// Parses the lowered text again, removes TypeScript (types, type-only imports and exports;
/// enums and namespaces become JavaScript) and prints it, with the map of where each printed
/// position came from. Nothing else is transformed: JSX is
/// gone already and the engines run modern JavaScript.
///
/// Errors here are mapped back to the source through the lowering's edits; an error inside
/// generated code (a PRISM bug) points at the JSX expression it came from.
pub(crate) fn strip_types(
    lowered: Lowered,
    path: &Path,
    source: &str,
    source_type: SourceType,
) -> Result<(String, PositionMap), Diagnostic> {
    let error_at = |offset: u32, message: String| {
        Diagnostic::at(path, source, lowered.original_offset(offset), message)
    };
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, &lowered.code, source_type).parse();
    if let Some(error) = parsed.diagnostics.errors().next() {
        return Err(error_at(
            first_offset(error),
            format!("after lowering JSX: {}", error.message),
        ));
    }
    let (code, tokens) =
        transform_and_print(&allocator, parsed.program, path, JsxOptions::disable())
            .map_err(|error| error_at(first_offset(&error), error.message.to_string()))?;
    let map = PositionMap::new(tokens, &lowered.code, lowered.edits, source);
    Ok((code, map))
}

/// Runs oxc's transformer over `program` (TypeScript removed; JSX as `jsx` says) and prints
/// it with the printer's tokens (see [`print_mapped`]), or gives the transformer's first
/// error. Both of PRISM's compiles end here: the server's after lowering JSX, the browser's
/// with JSX for React's runtime.
pub(crate) fn transform_and_print<'a>(
    allocator: &'a Allocator,
    mut program: Program<'a>,
    path: &Path,
    jsx: JsxOptions,
) -> Result<(String, Vec<[u32; 4]>), OxcDiagnostic> {
    // Enum evaluation is what lets the transformer inline enum member values.
    let scoping = SemanticBuilder::new()
        .with_enum_eval(true)
        .build(&program)
        .semantic
        .into_scoping();
    let options = TransformOptions {
        jsx,
        ..TransformOptions::default()
    };
    let transformed =
        Transformer::new(allocator, path, &options).build_with_scoping(scoping, &mut program);
    if let Some(error) = transformed.diagnostics.errors().next() {
        return Err(error.clone());
    }
    Ok(print_mapped(&program, path))
}

/// Prints `program` with the printer's tokens: (generated line, generated column, input line,
/// input column), 0-based, in generated order (what [`PositionMap`] keeps).
fn print_mapped(program: &Program<'_>, path: &Path) -> (String, Vec<[u32; 4]>) {
    let printed = Codegen::new()
        .with_options(CodegenOptions {
            source_map_path: Some(path.to_path_buf()),
            ..CodegenOptions::default()
        })
        .build(program);
    let tokens = printed
        .map
        .as_ref()
        .map(|map| {
            map.get_tokens()
                .map(|t| {
                    [
                        t.get_dst_line(),
                        t.get_dst_col(),
                        t.get_src_line(),
                        t.get_src_col(),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    (printed.code, tokens)
}

fn first_offset(error: &oxc::diagnostics::OxcDiagnostic) -> u32 {
    error.labels.first().map_or(0, |label| label.offset())
}
