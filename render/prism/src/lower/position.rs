//! Where a JSX expression's value goes, which decides how it is lowered.
//!
//! React builds an element for every JSX expression and renders it later, parent before
//! children, inside the providers above it. PRISM renders at once (string building, direct
//! component calls) only where that cannot be told apart: where the value goes straight into
//! the output of the function rendering it. Everywhere else (a component's props and
//! children, a variable, an argument) the expression stays an element, which the receiving
//! code can inspect, clone, place or drop, and which renders when and where it is placed.
//!
//! A JSX expression flows to the output when, through parentheses, type assertions, the
//! branches of `?:`, the right of `&&`/`||`/`??` and the last of a sequence, it is
//! - inside an expression container of markup that is itself rendered at once (it inherits),
//! - or returned (by `return` or an arrow's expression body) from a function that renders:
//!   a declared function, a function bound to a name, property, method or default export
//!   (not an async function or a generator: see `function_renders`),
//!   the argument of `memo`/`forwardRef`, or the only argument of a `.map` call that itself
//!   flows to the output (not `Children.map(children, fn)` nor `.flatMap`: their items'
//!   places in the output are known only once the whole array is).
//!
//! The one difference left is timing inside a single component: a component placed in the
//! returned markup runs while the return expression is evaluated, not after the function
//! returns, which is visible only to side effects written after the JSX and before the
//! `return` in the same function.

use oxc::ast::AstKind;
use oxc::ast::ast::{Expression, FunctionType};
use oxc::semantic::NodeId;
use oxc::span::{GetSpan, Span};

use super::Lowerer;

impl<'s, 'a> Lowerer<'s, 'a> {
    /// Whether the JSX node `id` (a root, or JSX inside an expression container) flows to the
    /// output of the code around it; for JSX inside a container, `true` means "as the
    /// container does".
    pub(crate) fn flows_to_output(&self, id: NodeId) -> bool {
        let nodes = self.semantic.nodes();
        let mut id = id;
        let mut child: Span = nodes.get_node(id).kind().span();
        loop {
            let parent = nodes.parent_node(id);
            if parent.id() == id {
                return false;
            }
            match parent.kind() {
                AstKind::ParenthesizedExpression(_)
                | AstKind::TSAsExpression(_)
                | AstKind::TSSatisfiesExpression(_)
                | AstKind::TSNonNullExpression(_)
                | AstKind::TSTypeAssertion(_) => {}
                AstKind::ConditionalExpression(c) => {
                    if c.test.span() == child {
                        return false;
                    }
                }
                AstKind::LogicalExpression(l) => {
                    if l.left.span() == child {
                        return false;
                    }
                }
                AstKind::SequenceExpression(s) => {
                    if s.expressions.last().map(GetSpan::span) != Some(child) {
                        return false;
                    }
                }
                AstKind::JSXExpressionContainer(_) => return true,
                AstKind::ReturnStatement(_) => {
                    return self
                        .enclosing_function(parent.id())
                        .is_some_and(|f| self.function_renders(f));
                }
                // An arrow's expression body.
                AstKind::ArrowFunctionExpression(arrow) => {
                    return arrow.body.span() == child && self.function_renders(parent.id());
                }
                _ => return false,
            }
            child = parent.kind().span();
            id = parent.id();
        }
    }

    /// The function (or arrow) whose body holds node `id`.
    fn enclosing_function(&self, id: NodeId) -> Option<NodeId> {
        self.semantic.nodes().ancestors(id).find_map(|node| {
            matches!(
                node.kind(),
                AstKind::Function(_) | AstKind::ArrowFunctionExpression(_)
            )
            .then(|| node.id())
        })
    }

    /// Whether what the function `id` returns is rendered by whoever calls it (see the
    /// module docs).
    fn function_renders(&self, id: NodeId) -> bool {
        let nodes = self.semantic.nodes();
        match nodes.get_node(id).kind() {
            // What an async function returns is built after an `await`, outside the render
            // that called it (its providers and format context are gone by then): it stays
            // an element, which the renderer renders where the promise was placed.
            AstKind::Function(f) if f.r#async || f.generator => return false,
            AstKind::ArrowFunctionExpression(a) if a.r#async => return false,
            AstKind::Function(f) if f.r#type == FunctionType::FunctionDeclaration => return true,
            _ => {}
        }
        let mut child = nodes.get_node(id).kind().span();
        let mut parent = nodes.parent_node(id);
        while matches!(parent.kind(), AstKind::ParenthesizedExpression(_)) {
            child = parent.kind().span();
            parent = nodes.parent_node(parent.id());
        }
        match parent.kind() {
            AstKind::VariableDeclarator(_)
            | AstKind::ExportDefaultDeclaration(_)
            | AstKind::ObjectProperty(_)
            | AstKind::MethodDefinition(_)
            | AstKind::PropertyDefinition(_)
            | AstKind::AssignmentExpression(_) => true,
            AstKind::CallExpression(call) => {
                if !call.arguments.iter().any(|arg| arg.span() == child) {
                    return false;
                }
                match callee_name(&call.callee) {
                    Some("memo" | "forwardRef") => true,
                    // `list.map(callback)` only: its items are the rendered array's children,
                    // one per item, so each renders at its own place (`fork.rs`). The items
                    // of `Children.map(children, fn)`, `.flatMap` or a map with a `this`
                    // argument stay elements, placed by the runtime once the array is known.
                    Some("map") => {
                        matches!(
                            call.callee.get_inner_expression(),
                            Expression::StaticMemberExpression(_)
                        ) && call.arguments.len() == 1
                            && self.flows_to_output(parent.id())
                    }
                    _ => false,
                }
            }
            _ => false,
        }
    }
}

/// The name a call's callee ends in: `f` for `f(...)`, `m` for `a.b.m(...)`.
fn callee_name<'e>(callee: &'e Expression<'_>) -> Option<&'e str> {
    match callee.get_inner_expression() {
        Expression::Identifier(id) => Some(id.name.as_str()),
        Expression::StaticMemberExpression(member) => Some(member.property.name.as_str()),
        _ => None,
    }
}
