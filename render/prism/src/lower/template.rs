//! Template elements: a host element with dynamic parts, in a place where it must stay an
//! element (a component's children, a variable), built without giving up string building.
//!
//! React would build an element per host tag and walk them all when rendering. Here the
//! element's dynamic parts (its *holes*: every non-literal expression and every component
//! element in the subtree, in source order, which is the order React evaluates them in) are
//! evaluated into one array, and a template compiled once per JSX site turns that array into
//! either
//! - the element's HTML (`render`): the same string building as markup in place, used when
//!   the element lands in plain HTML context, or
//! - its React props (`props`), built only when code reads `element.props` (to inspect or
//!   clone it), or when it lands where the HTML depends on the context (`<svg>`, `<select>`),
//!   where the runtime renders it from its props like any element.
//!
//! ```text
//! <ul className="list">{items.map(...)}<Badge n={n} /></ul>
//!   => __prism.lh(_h3, [items.map(...), __prism.jsx(Badge, {n: n})])
//!      _h3 = __prism.tpl("ul",
//!        function (_hv) { return "<ul class=\"list\">" + __prism.c(_hv[0]) + __prism.c(_hv[1]) + "</ul>"; },
//!        function (_hv) { return {className: "list", children: [_hv[0], _hv[1]]}; })
//! ```

use std::collections::HashMap;

use oxc::ast::ast::{Expression, JSXAttributeItem, JSXAttributeValue, JSXChild, JSXElement};
use oxc::span::GetSpan;

use super::concat::Concat;
use super::element::Scope;
use super::names::Kind;
use super::text::js_string;
use super::{Jsx, Lowerer};
use crate::Diagnostic;

/// The holes of the template being compiled: each one's code (a value as React sees it) and
/// its index by the source span it comes from.
#[derive(Default)]
pub(crate) struct Holes {
    codes: Vec<String>,
    index: HashMap<(u32, u32), usize>,
}

impl<'s, 'a> Lowerer<'s, 'a> {
    /// `element` as a template element (see the module docs).
    pub(crate) fn template(
        &mut self,
        element: &'a JSXElement<'a>,
        tag: &str,
    ) -> Result<String, Diagnostic> {
        let key = self.key_code(element, Scope::default().lazy())?;
        self.holes = Some(Holes::default());
        let compiled = self.template_parts(element);
        let holes = self.holes.take().unwrap_or_default();
        let (render, props) = compiled?;
        let values = format!("{}v", self.prefix);
        let template = self.hoist(format!(
            "__prism.tpl({}, function ({values}) {{ return {render}; }}, function ({values}) {{ return {props}; }})",
            js_string(tag)
        ));
        let codes = holes.codes.join(", ");
        Ok(match key {
            Some(key) => format!("__prism.lh({template}, [{codes}], {key})"),
            None => format!("__prism.lh({template}, [{codes}])"),
        })
    }

    /// The template's two functions' bodies: the HTML, then the props (the second pass adds
    /// holes the first did not need, such as pure event handlers it leaves out).
    fn template_parts(
        &mut self,
        element: &'a JSXElement<'a>,
    ) -> Result<(String, String), Diagnostic> {
        let mut out = Concat::default();
        self.in_template_root(|lowerer| {
            lowerer.append_jsx(&mut out, Jsx::Element(element), Scope::default())
        })?;
        let props = self.props_object(element, Scope::default().lazy())?.code;
        Ok((out.to_js(), props))
    }

    /// A non-literal expression inside a template: its hole.
    pub(crate) fn expression_hole(&mut self, expr: &Expression<'a>) -> Result<String, Diagnostic> {
        let span = expr.span();
        self.hole((span.start, span.end), |lowerer| {
            let code = lowerer.text_of(span, Scope::default().lazy())?;
            Ok(if matches!(expr, Expression::SequenceExpression(_)) {
                format!("({code})")
            } else {
                code
            })
        })
    }

    /// A component element inside a template: its hole, holding the element.
    pub(crate) fn component_hole(
        &mut self,
        element: &'a JSXElement<'a>,
    ) -> Result<String, Diagnostic> {
        self.hole((element.span.start, element.span.end), |lowerer| {
            lowerer.runtime_value(Jsx::Element(element), Scope::default().lazy())
        })
    }

    /// The reference to the hole for `key`, lowering its code (outside the template) the
    /// first time.
    fn hole(
        &mut self,
        key: (u32, u32),
        code: impl FnOnce(&mut Self) -> Result<String, Diagnostic>,
    ) -> Result<String, Diagnostic> {
        let values = format!("{}v", self.prefix);
        if let Some(holes) = &self.holes
            && let Some(&i) = holes.index.get(&key)
        {
            return Ok(format!("{values}[{i}]"));
        }
        let outer = self.holes.take();
        let lowered = code(self);
        self.holes = outer;
        let lowered = lowered?;
        let holes = self.holes.get_or_insert_with(Holes::default);
        let i = holes.codes.len();
        holes.codes.push(lowered);
        holes.index.insert(key, i);
        Ok(format!("{values}[{i}]"))
    }

    /// Whether a JSX tree has nothing that depends on the render: no component, no spread,
    /// no expression but literals.
    pub(crate) fn is_static_tree(&self, node: Jsx<'a>) -> bool {
        let children = match node {
            Jsx::Fragment(fragment) => &fragment.children,
            Jsx::Element(element) => {
                if !matches!(self.kind(element), Ok(Kind::Host(_) | Kind::Fragment)) {
                    return false;
                }
                for item in &element.opening_element.attributes {
                    let JSXAttributeItem::Attribute(attr) = item else {
                        return false;
                    };
                    match &attr.value {
                        None | Some(JSXAttributeValue::StringLiteral(_)) => {}
                        Some(JSXAttributeValue::ExpressionContainer(container)) => {
                            if let Some(expr) = container.expression.as_expression()
                                && self.literal(expr).is_none()
                            {
                                return false;
                            }
                        }
                        Some(JSXAttributeValue::Element(e)) => {
                            if !self.is_static_tree(Jsx::Element(e)) {
                                return false;
                            }
                        }
                        Some(JSXAttributeValue::Fragment(f)) => {
                            if !self.is_static_tree(Jsx::Fragment(f)) {
                                return false;
                            }
                        }
                    }
                }
                &element.children
            }
        };
        children.iter().all(|child| match child {
            JSXChild::Text(_) => true,
            JSXChild::Element(e) => self.is_static_tree(Jsx::Element(e)),
            JSXChild::Fragment(f) => self.is_static_tree(Jsx::Fragment(f)),
            JSXChild::ExpressionContainer(container) => container
                .expression
                .as_expression()
                .is_none_or(|expr| self.literal(expr).is_some()),
            JSXChild::Spread(_) => false,
        })
    }
}
