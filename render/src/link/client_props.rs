//! Props that cannot cross to a client component, found at compile time.
//!
//! A server component renders a client component with props the browser must receive as
//! data (React's rules: JSON-like values, Dates, Maps, Sets, promises, elements). A function
//! is the usual mistake (`<Counter onChange={() => …}/>` in a page), and React reports it
//! only when that page renders. The linker knows which imports are client components (their
//! module says `"use client"`), so it reads the server modules that import one and fails the
//! compile where a JSX attribute of such a component is plainly a function: an arrow or
//! function expression, or the name of a function declared in the module. Anything less
//! plain (a variable, a call) is left to the render, which names the prop then.

use oxc::allocator::Allocator;
use oxc::ast::ast::{
    BindingPattern, Declaration, Expression, ImportDeclarationSpecifier, JSXAttributeItem,
    JSXAttributeName, JSXAttributeValue, JSXElementName, Statement,
};
use oxc::ast_visit::{Visit, walk};
use oxc::parser::Parser;
use oxc::span::{GetSpan, SourceType};
use rustc_hash::{FxHashMap, FxHashSet};

/// A function given as a prop to a component imported from `specifier`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct FunctionProp {
    /// The import the component comes from, as written.
    pub specifier: String,
    /// The component's name in the JSX and the prop's.
    pub component: String,
    pub prop: String,
    /// Where the attribute is, in the source.
    pub offset: u32,
}

/// Every JSX attribute of `source` that passes a plain function to an imported component.
/// A source that does not parse gives nothing (its errors are reported elsewhere).
pub(crate) fn function_props(source: &str, path: &std::path::Path) -> Vec<FunctionProp> {
    let allocator = Allocator::default();
    let source_type = SourceType::from_path(path).unwrap_or_else(|_| SourceType::tsx());
    let parsed = Parser::new(&allocator, source, source_type).parse();
    if parsed.panicked {
        return Vec::new();
    }
    let mut imports: FxHashMap<&str, &str> = FxHashMap::default();
    let mut functions: FxHashSet<&str> = FxHashSet::default();
    for statement in &parsed.program.body {
        match statement {
            Statement::ImportDeclaration(import) => {
                for specifier in import.specifiers.iter().flatten() {
                    let local = match specifier {
                        ImportDeclarationSpecifier::ImportSpecifier(s) => &s.local,
                        ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => &s.local,
                        ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => &s.local,
                    };
                    imports.insert(local.name.as_str(), import.source.value.as_str());
                }
            }
            Statement::FunctionDeclaration(f) => {
                if let Some(id) = &f.id {
                    functions.insert(id.name.as_str());
                }
            }
            Statement::VariableDeclaration(v) => {
                declared_functions(&v.declarations, &mut functions)
            }
            Statement::ExportDeclaration(e) => match &e.declaration {
                Declaration::FunctionDeclaration(f) => {
                    if let Some(id) = &f.id {
                        functions.insert(id.name.as_str());
                    }
                }
                Declaration::VariableDeclaration(v) => {
                    declared_functions(&v.declarations, &mut functions)
                }
                _ => {}
            },
            _ => {}
        }
    }
    let mut finder = Finder {
        imports: &imports,
        functions: &functions,
        found: Vec::new(),
    };
    finder.visit_program(&parsed.program);
    finder.found
}

fn declared_functions<'a>(
    declarations: &'a [oxc::ast::ast::VariableDeclarator<'a>],
    out: &mut FxHashSet<&'a str>,
) {
    for d in declarations {
        if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&d.id, &d.init)
            && is_function(init)
        {
            out.insert(id.name.as_str());
        }
    }
}

fn is_function(e: &Expression) -> bool {
    matches!(
        e.without_parentheses(),
        Expression::ArrowFunctionExpression(_) | Expression::FunctionExpression(_)
    )
}

struct Finder<'s> {
    imports: &'s FxHashMap<&'s str, &'s str>,
    functions: &'s FxHashSet<&'s str>,
    found: Vec<FunctionProp>,
}

impl<'a> Visit<'a> for Finder<'_> {
    fn visit_jsx_opening_element(&mut self, element: &oxc::ast::ast::JSXOpeningElement<'a>) {
        // `<Counter>` or `<ui.Counter>`: the import is the first name.
        let (component, first) = match &element.name {
            JSXElementName::IdentifierReference(id) => (id.name.to_string(), id.name.as_str()),
            JSXElementName::MemberExpression(member) => {
                let mut object = &member.object;
                while let oxc::ast::ast::JSXMemberExpressionObject::MemberExpression(m) = object {
                    object = &m.object;
                }
                match object {
                    oxc::ast::ast::JSXMemberExpressionObject::IdentifierReference(id) => (
                        format!("{}.{}", id.name, member.property.name),
                        id.name.as_str(),
                    ),
                    _ => return walk::walk_jsx_opening_element(self, element),
                }
            }
            _ => return walk::walk_jsx_opening_element(self, element),
        };
        if let Some(specifier) = self.imports.get(first) {
            for attribute in &element.attributes {
                let JSXAttributeItem::Attribute(attribute) = attribute else {
                    continue;
                };
                let Some(JSXAttributeValue::ExpressionContainer(container)) = &attribute.value
                else {
                    continue;
                };
                let Some(value) = container.expression.as_expression() else {
                    continue;
                };
                let plain = is_function(value)
                    || matches!(value.without_parentheses(),
                        Expression::Identifier(id) if self.functions.contains(id.name.as_str()));
                if !plain {
                    continue;
                }
                let prop = match &attribute.name {
                    JSXAttributeName::Identifier(name) => name.name.to_string(),
                    JSXAttributeName::NamespacedName(name) => {
                        format!("{}:{}", name.namespace.name, name.name.name)
                    }
                };
                self.found.push(FunctionProp {
                    specifier: (*specifier).to_owned(),
                    component: component.clone(),
                    prop,
                    offset: attribute.span().start,
                });
            }
        }
        walk::walk_jsx_opening_element(self, element);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(source: &str) -> Vec<(String, String, String)> {
        function_props(source, std::path::Path::new("page.tsx"))
            .into_iter()
            .map(|f| (f.specifier, f.component, f.prop))
            .collect()
    }

    #[test]
    fn plain_functions_given_to_imported_components_are_found() {
        let source = r#"
import Counter from "./counter";
import * as ui from "@/ui";
function onSave() {}
const onLoad = () => 1;
const value = 3;
export default function Page() {
  return <main>
    <Counter onChange={() => 1} start={value} label="x" />
    <ui.Button onClick={onSave} onLoad={onLoad} data={{ a: 1 }} />
    <div onClick={() => 2} />
    <Local render={function () {}} />
  </main>;
}
function Local() { return null; }
"#;
        assert_eq!(
            found(source),
            [
                ("./counter", "Counter", "onChange"),
                ("@/ui", "ui.Button", "onClick"),
                ("@/ui", "ui.Button", "onLoad"),
            ]
            .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()))
        );
    }

    #[test]
    fn values_that_are_not_plainly_functions_are_left_to_the_render() {
        let source = r#"
import Counter from "./counter";
export default function Page({ handler }) {
  const made = make();
  return <Counter a={handler} b={made} c={make()} d={[() => 1]} />;
}
"#;
        assert!(found(source).is_empty());
    }
}
