//! What a JSX element name denotes: a host tag, React's Fragment, or a component, and how
//! that component can be called.

use oxc::ast::AstKind;
use oxc::ast::ast::{
    Expression, IdentifierReference, JSXElement, JSXElementName, JSXMemberExpressionObject,
    VariableDeclarationKind,
};
use oxc::span::GetSpan;

use super::Lowerer;
use crate::Diagnostic;

/// Whether a function's source may call a hook (`use(`, `useId(`, `useThing(`): such a
/// component is called through `__prism.k`, which gives it its own `useId` numbering.
/// A false positive costs one indirection, never a wrong id.
fn may_call_hooks(source: &str) -> bool {
    let bytes = source.as_bytes();
    source.match_indices("use").any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + 3).copied();
        !before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
            && after.is_some_and(|b| b == b'(' || b.is_ascii_uppercase())
    })
}

/// What an element name denotes.
pub(crate) enum Kind {
    Host(String),
    Fragment,
    Component(Callee),
}

/// How a component is called.
pub(crate) enum Callee {
    /// Bound in this module to a function that calls no hook: called directly where it
    /// renders at its caller's place (see `fork.rs`).
    Direct(String),
    /// Anything else: called through `__prism.k`, which accepts strings, classes and objects.
    Dynamic(String),
}

impl<'s, 'a> Lowerer<'s, 'a> {
    /// What an element's name denotes.
    pub(crate) fn kind(&self, element: &'a JSXElement<'a>) -> Result<Kind, Diagnostic> {
        Ok(match &element.opening_element.name {
            JSXElementName::Identifier(id) => Kind::Host(id.name.to_string()),
            JSXElementName::IdentifierReference(id) => {
                if id.name == "Fragment" && self.is_react_import(id, Some("Fragment")) {
                    Kind::Fragment
                } else if self
                    .is_local_function(id)
                    .is_some_and(|body| !may_call_hooks(body))
                {
                    Kind::Component(Callee::Direct(id.name.to_string()))
                } else {
                    Kind::Component(Callee::Dynamic(id.name.to_string()))
                }
            }
            JSXElementName::NamespacedName(name) => {
                return Err(self.error(
                    name.span,
                    format!("namespace tags like <{name}> are not supported by React"),
                ));
            }
            JSXElementName::MemberExpression(member) => {
                if member.property.name == "Fragment"
                    && let JSXMemberExpressionObject::IdentifierReference(object) = &member.object
                    && self.is_react_import(object, None)
                {
                    Kind::Fragment
                } else {
                    Kind::Component(Callee::Dynamic(self.slice(member.span).to_string()))
                }
            }
            JSXElementName::ThisExpression(_) => Kind::Component(Callee::Dynamic("this".into())),
        })
    }

    /// Whether `id` names an import from React (`imported` = the imported name; `None` for
    /// a default or namespace import). An unbound `React` counts: classic-runtime code uses
    /// the global.
    fn is_react_import(&self, id: &IdentifierReference<'a>, imported: Option<&str>) -> bool {
        let scoping = self.semantic.scoping();
        let Some(reference) = id.reference_id.get() else {
            return false;
        };
        let Some(symbol) = scoping.get_reference(reference).symbol_id() else {
            return imported.is_none() && id.name == "React";
        };
        let declaration = self.semantic.symbol_declaration(symbol);
        let matches_name = match (declaration.kind(), imported) {
            (AstKind::ImportSpecifier(spec), Some(name)) => spec.imported.name() == name,
            (AstKind::ImportDefaultSpecifier(_) | AstKind::ImportNamespaceSpecifier(_), None) => {
                true
            }
            _ => false,
        };
        matches_name
            && matches!(
                self.semantic.nodes().parent_kind(declaration.id()),
                AstKind::ImportDeclaration(decl)
                    if matches!(decl.source.value.as_str(), "react" | "react/jsx-runtime" | "bext/jsx-runtime")
            )
    }

    /// The source of the function `id` is bound to in this module (a function declaration,
    /// or a `const` initialised with a function or arrow), so calling it directly is safe.
    fn is_local_function(&self, id: &IdentifierReference<'a>) -> Option<&'s str> {
        let scoping = self.semantic.scoping();
        let symbol = id
            .reference_id
            .get()
            .and_then(|r| scoping.get_reference(r).symbol_id())?;
        let declaration = self.semantic.symbol_declaration(symbol);
        match declaration.kind() {
            AstKind::Function(function) if function.body.is_some() => {
                Some(self.slice(function.span))
            }
            AstKind::VariableDeclarator(declarator) => {
                let init = declarator
                    .init
                    .as_ref()
                    .map(Expression::get_inner_expression)?;
                let is_function = matches!(
                    init,
                    Expression::ArrowFunctionExpression(_) | Expression::FunctionExpression(_)
                ) && matches!(
                    self.semantic.nodes().parent_kind(declaration.id()),
                    AstKind::VariableDeclaration(decl) if decl.kind == VariableDeclarationKind::Const
                );
                is_function.then(|| self.slice(init.span()))
            }
            _ => None,
        }
    }

    pub(crate) fn is_global(&self, id: &IdentifierReference<'a>) -> bool {
        let scoping = self.semantic.scoping();
        id.reference_id
            .get()
            .is_some_and(|r| scoping.get_reference(r).symbol_id().is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::may_call_hooks;

    #[test]
    fn finds_hook_calls() {
        for (source, expect) in [
            ("function A() { const id = useId(); }", true),
            ("() => use(promise)", true),
            ("function A() { return useFormField().x; }", true),
            ("function A(p) { return p.user; }", false),
            ("function A() { return reuse(x) + users + used(1); }", false),
            ("function A() { return x.useMemo(f); }", true),
            ("use", false),
        ] {
            assert_eq!(may_call_hooks(source), expect, "{source}");
        }
    }
}
