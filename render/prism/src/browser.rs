//! The browser's compile of a client component's module: TypeScript stripped and JSX turned
//! into calls of React's automatic runtime (`react/jsx-runtime`), as Next.js compiles client
//! code. No PRISM lowering: in the browser React itself renders, and the module must give it
//! elements. ESM `import`/`export` stay, for the linker.

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use oxc::allocator::Allocator;
use oxc::parser::Parser;
use oxc::transformer::{JsxOptions, JsxRuntime};

use crate::{Diagnostic, PositionMap};

/// Compiles `source` (TS, TSX, JS or JSX by `path`'s extension) for the browser, with the map
/// from the output's positions back to `source` (for the browser chunks' source maps).
pub fn transform_browser(source: &str, path: &Path) -> Result<(String, PositionMap), Diagnostic> {
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

fn compile(source: &str, path: &Path) -> Result<(String, PositionMap), Diagnostic> {
    let source_type = crate::source_type_of(path)
        .ok_or_else(|| Diagnostic::at(path, source, 0, "unknown file extension".to_string()))?;
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, source_type).parse();
    if let Some(error) = parsed.diagnostics.errors().next() {
        return Err(Diagnostic::from_oxc(path, source, error));
    }
    let jsx = JsxOptions {
        runtime: JsxRuntime::Automatic,
        development: false,
        ..JsxOptions::default()
    };
    let (code, tokens) = crate::strip::transform_and_print(&allocator, parsed.program, path, jsx)
        .map_err(|error| Diagnostic::from_oxc(path, source, &error))?;
    // No PRISM pass: the printer's input is the source itself.
    let map = PositionMap::new(tokens, source, Vec::new(), source);
    Ok((code, map))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsx_becomes_automatic_runtime_calls_and_types_go() {
        let (code, map) = transform_browser(
            "\"use client\";\nimport { useState } from \"react\";\ntype P = { n: number };\nexport default function C({ n }: P) { const [v] = useState<number>(n); return <b className=\"x\">{v}</b>; }\n",
            Path::new("c.tsx"),
        )
        .unwrap();
        assert!(code.contains("react/jsx-runtime"), "{code}");
        assert!(code.contains("\"use client\""), "{code}");
        assert!(!code.contains("type P"), "{code}");
        assert!(!code.contains("<b"), "{code}");
        // The component's `useState` call maps back to line 4 of the source.
        let line = code
            .lines()
            .position(|l| l.contains("useState(n)"))
            .expect("the call is printed") as u32;
        let column = code
            .lines()
            .nth(line as usize)
            .unwrap()
            .find("useState")
            .unwrap() as u32;
        let (source_line, _) = map.original(line + 1, column + 1).expect("mapped");
        assert_eq!(source_line, 4, "{code}");
    }

    #[test]
    fn a_syntax_error_names_the_place() {
        let error =
            transform_browser("export default () => <b>;\n", Path::new("x.tsx")).unwrap_err();
        assert_eq!(error.line, 1);
    }
}
