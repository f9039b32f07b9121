//! The browser's compile of a client component's module: TypeScript stripped and JSX turned
//! into calls of React's automatic runtime (`react/jsx-runtime`), as Next.js compiles client
//! code. No PRISM lowering: in the browser React itself renders, and the module must give it
//! elements. ESM `import`/`export` stay, for the linker.

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use oxc::allocator::Allocator;
use oxc::codegen::Codegen;
use oxc::parser::Parser;
use oxc::semantic::SemanticBuilder;
use oxc::transformer::{JsxOptions, JsxRuntime, TransformOptions, Transformer};

use crate::Diagnostic;

/// Compiles `source` (TS, TSX, JS or JSX by `path`'s extension) for the browser.
pub fn transform_browser(source: &str, path: &Path) -> Result<String, Diagnostic> {
    match panic::catch_unwind(AssertUnwindSafe(|| compile(source, path))) {
        Ok(result) => result,
        Err(_) => Err(Diagnostic::at(
            path,
            source,
            0,
            "internal compiler error while compiling this file for the browser (please report it)"
                .to_string(),
        )),
    }
}

fn compile(source: &str, path: &Path) -> Result<String, Diagnostic> {
    let source_type = crate::source_type_of(path)
        .ok_or_else(|| Diagnostic::at(path, source, 0, "unknown file extension".to_string()))?;
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, source_type).parse();
    if let Some(error) = parsed.diagnostics.errors().next() {
        return Err(Diagnostic::from_oxc(path, source, error));
    }
    let mut program = parsed.program;
    let scoping = SemanticBuilder::new()
        .with_enum_eval(true)
        .build(&program)
        .semantic
        .into_scoping();
    let options = TransformOptions {
        jsx: JsxOptions {
            runtime: JsxRuntime::Automatic,
            development: false,
            ..JsxOptions::default()
        },
        ..TransformOptions::default()
    };
    let transformed =
        Transformer::new(&allocator, path, &options).build_with_scoping(scoping, &mut program);
    if let Some(error) = transformed.diagnostics.errors().next() {
        return Err(Diagnostic::from_oxc(path, source, error));
    }
    Ok(Codegen::new().build(&program).code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsx_becomes_automatic_runtime_calls_and_types_go() {
        let code = transform_browser(
            "\"use client\";\nimport { useState } from \"react\";\ntype P = { n: number };\nexport default function C({ n }: P) { const [v] = useState<number>(n); return <b className=\"x\">{v}</b>; }\n",
            Path::new("c.tsx"),
        )
        .unwrap();
        assert!(code.contains("react/jsx-runtime"), "{code}");
        assert!(code.contains("\"use client\""), "{code}");
        assert!(!code.contains("type P"), "{code}");
        assert!(!code.contains("<b"), "{code}");
    }

    #[test]
    fn a_syntax_error_names_the_place() {
        let error =
            transform_browser("export default () => <b>;\n", Path::new("x.tsx")).unwrap_err();
        assert_eq!(error.line, 1);
    }
}
