//! Test-only: turns a compiled fixture (ESM importing only built-ins like "react") into a
//! classic script that stores its exports in `globalThis.__fixtures[name]`. The real module
//! linker lives in bext-render; fixtures keep to `export default function`, `export const` and
//! imports of built-in modules so this stays tiny.

use oxc::allocator::Allocator;
use oxc::ast::ast::{
    Declaration, ExportDefaultDeclarationKind, ImportDeclarationSpecifier, Statement,
};
use oxc::parser::Parser;
use oxc::span::{GetSpan, SourceType};

pub fn to_script(code: &str, name: &str) -> Result<String, String> {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, code, SourceType::mjs()).parse();
    if let Some(error) = parsed.diagnostics.errors().next() {
        return Err(format!("compiled output does not parse: {}", error.message));
    }
    // (start, end, replacement) edits, in order.
    let mut edits: Vec<(u32, u32, String)> = Vec::new();
    let mut trailer = String::new();
    for statement in &parsed.program.body {
        match statement {
            Statement::ImportDeclaration(import) => {
                let module = format!("__prism.modules[{:?}]", import.source.value.as_str());
                let mut replacement = String::new();
                for specifier in import.specifiers.iter().flatten() {
                    match specifier {
                        ImportDeclarationSpecifier::ImportSpecifier(s) => replacement.push_str(
                            &format!("const {} = {module}.{};\n", s.local.name, s.imported.name()),
                        ),
                        ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                            replacement
                                .push_str(&format!("const {} = {module}.default;\n", s.local.name));
                        }
                        ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                            replacement.push_str(&format!("const {} = {module};\n", s.local.name));
                        }
                    }
                }
                edits.push((import.span.start, import.span.end, replacement));
            }
            Statement::ExportDefaultDeclaration(export) => match &export.declaration {
                ExportDefaultDeclarationKind::FunctionDeclaration(f) if f.id.is_some() => {
                    edits.push((export.span.start, f.span.start, String::new()));
                    let id =
                        f.id.as_ref()
                            .map(|id| id.name.to_string())
                            .unwrap_or_default();
                    trailer.push_str(&format!("__exports.default = {id};\n"));
                }
                other => {
                    let start = other.span().start;
                    edits.push((export.span.start, start, "__exports.default = (".into()));
                    edits.push((other.span().end, other.span().end, ");".into()));
                }
            },
            Statement::ExportDeclaration(export) => {
                let declaration = &export.declaration;
                edits.push((export.span.start, declaration.span().start, String::new()));
                for id in declared_names(declaration)? {
                    trailer.push_str(&format!("__exports.{id} = {id};\n"));
                }
            }
            Statement::ExportNamedDeclaration(_)
            | Statement::ExportFromDeclaration(_)
            | Statement::ExportAllDeclaration(_) => {
                return Err("fixtures may only export declarations".into());
            }
            _ => {}
        }
    }
    let mut body = String::with_capacity(code.len() + trailer.len());
    let mut cursor = 0usize;
    for (start, end, replacement) in edits {
        body.push_str(&code[cursor..start as usize]);
        body.push_str(&replacement);
        cursor = end as usize;
    }
    body.push_str(&code[cursor..]);
    Ok(format!(
        "(function () {{\nconst __exports = {{}};\n{body}\n{trailer}globalThis.__fixtures[{name:?}] = __exports;\n}})();\n"
    ))
}

fn declared_names(declaration: &Declaration<'_>) -> Result<Vec<String>, String> {
    let name = |id: Option<String>| {
        id.ok_or_else(|| "fixtures may only export named declarations".to_string())
    };
    Ok(match declaration {
        Declaration::VariableDeclaration(variables) => variables
            .declarations
            .iter()
            .map(|d| name(d.id.get_binding_identifier().map(|id| id.name.to_string())))
            .collect::<Result<_, _>>()?,
        Declaration::FunctionDeclaration(f) => {
            vec![name(f.id.as_ref().map(|id| id.name.to_string()))?]
        }
        Declaration::ClassDeclaration(c) => {
            vec![name(c.id.as_ref().map(|id| id.name.to_string()))?]
        }
        _ => return Err("fixtures may only export variables, functions and classes".into()),
    })
}
