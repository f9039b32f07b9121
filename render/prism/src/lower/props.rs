//! Props and children as JavaScript values: the props object of a component or of a
//! runtime-rendered element, attribute values, children in React's shapes, literals.

use std::collections::HashSet;

use oxc::ast::ast::{
    Expression, JSXAttributeItem, JSXAttributeName, JSXAttributeValue, JSXChild, JSXElement,
    JSXSpreadAttribute, UnaryOperator,
};
use oxc::span::{GetSpan, Span};

use super::element::{Scope, Value};
use super::rules::Lit;
use super::text::{decode, js_property, js_string, jsx_text};
use super::{Jsx, Lowerer};
use crate::Diagnostic;

/// A JSX child that produces output.
pub(crate) enum Child<'a> {
    Text(String),
    Expr(&'a Expression<'a>),
    Jsx(Jsx<'a>),
}

/// A named attribute (`name` is `ns:name` for namespaced ones).
pub(crate) struct Attr<'a> {
    pub name: String,
    pub span: Span,
    pub value: Option<&'a JSXAttributeValue<'a>>,
}

/// One item of an element's attribute list, in source order.
pub(crate) enum AttrItem<'a> {
    Attr(Attr<'a>),
    Spread(&'a JSXSpreadAttribute<'a>),
}

impl<'s, 'a> Lowerer<'s, 'a> {
    /// The props object of an element: attributes in order (`key` dropped), then children as
    /// React passes them (the child itself, or an array).
    pub(crate) fn props_object(
        &mut self,
        element: &'a JSXElement<'a>,
        scope: Scope,
    ) -> Result<Value, Diagnostic> {
        let mut entries = Vec::new();
        let mut is_static = true;
        for item in self.attributes(element)? {
            match item {
                AttrItem::Spread(spread) => {
                    is_static = false;
                    entries.push(format!("...{}", self.expression(&spread.argument, scope)?));
                }
                AttrItem::Attr(attr) => {
                    if attr.name == "key" {
                        continue;
                    }
                    let value = self.attribute_value(&attr, scope)?;
                    is_static &= value.is_static;
                    entries.push(format!("{}: {}", js_property(&attr.name), value.code));
                }
            }
        }
        let children = self.children(&element.children)?;
        let children = self.children_as_array(&children, scope)?;
        if let Some(children) = children {
            is_static &= children.is_static;
            entries.push(format!("children: {}", children.code));
        }
        Ok(Value {
            code: format!("{{{}}}", entries.join(", ")),
            is_static,
        })
    }

    pub(crate) fn attribute_value(
        &mut self,
        attr: &Attr<'a>,
        scope: Scope,
    ) -> Result<Value, Diagnostic> {
        Ok(match attr.value {
            None => Value {
                code: "true".into(),
                is_static: true,
            },
            Some(JSXAttributeValue::StringLiteral(s)) => Value {
                code: js_string(&decode(&s.value, self.allocator)),
                is_static: true,
            },
            Some(JSXAttributeValue::ExpressionContainer(container)) => {
                match container.expression.as_expression() {
                    Some(expr) => Value {
                        code: self.expression(expr, scope)?,
                        is_static: self.literal(expr).is_some(),
                    },
                    None => Value {
                        code: "undefined".into(),
                        is_static: true,
                    },
                }
            }
            Some(JSXAttributeValue::Element(e)) => self.value_of(Jsx::Element(e), scope)?,
            Some(JSXAttributeValue::Fragment(f)) => self.value_of(Jsx::Fragment(f), scope)?,
        })
    }

    /// Children as React passes them: the child itself, or an array.
    pub(crate) fn children_as_array(
        &mut self,
        children: &[Child<'a>],
        scope: Scope,
    ) -> Result<Option<Value>, Diagnostic> {
        match children {
            [] => Ok(None),
            [child] => Ok(Some(self.child_value(child, scope)?)),
            _ => {
                let mut codes = Vec::with_capacity(children.len());
                let mut is_static = true;
                let siblings = children.len();
                for (index, child) in children.iter().enumerate() {
                    let value = if scope.lazy {
                        self.child_value(child, scope)?
                    } else {
                        self.at_fork(siblings, index, |lowerer| lowerer.child_value(child, scope))?
                    };
                    is_static &= value.is_static;
                    codes.push(value.code);
                }
                Ok(Some(Value {
                    code: format!("[{}]", codes.join(", ")),
                    is_static,
                }))
            }
        }
    }

    fn child_value(&mut self, child: &Child<'a>, scope: Scope) -> Result<Value, Diagnostic> {
        Ok(match child {
            Child::Text(text) => Value {
                code: js_string(text),
                is_static: true,
            },
            Child::Expr(expr) => Value {
                code: self.expression(expr, scope)?,
                is_static: self.literal(expr).is_some(),
            },
            Child::Jsx(node) => self.value_of(*node, scope)?,
        })
    }

    /// The source of an embedded expression with its JSX lowered, parenthesised when it is a
    /// sequence (so it stays one argument).
    pub(crate) fn expression(
        &mut self,
        expr: &Expression<'a>,
        scope: Scope,
    ) -> Result<String, Diagnostic> {
        if self.holes.is_some() && self.literal(expr).is_none() {
            return self.expression_hole(expr);
        }
        let code = self.text_of(expr.span(), scope)?;
        Ok(if matches!(expr, Expression::SequenceExpression(_)) {
            format!("({code})")
        } else {
            code
        })
    }

    /// The children that produce output: text that is not layout whitespace, non-empty
    /// expression containers, elements and fragments.
    pub(crate) fn children(&self, list: &'a [JSXChild<'a>]) -> Result<Vec<Child<'a>>, Diagnostic> {
        let mut children = Vec::with_capacity(list.len());
        for child in list {
            match child {
                JSXChild::Text(text) => {
                    if let Some(text) = jsx_text(&text.value, self.allocator) {
                        children.push(Child::Text(text));
                    }
                }
                JSXChild::Element(element) => children.push(Child::Jsx(Jsx::Element(element))),
                JSXChild::Fragment(fragment) => children.push(Child::Jsx(Jsx::Fragment(fragment))),
                JSXChild::ExpressionContainer(container) => {
                    if let Some(expr) = container.expression.as_expression() {
                        children.push(Child::Expr(expr));
                    }
                }
                JSXChild::Spread(spread) => {
                    return Err(self.error(
                        spread.span,
                        "spread children ({...children}) are not supported: pass the array itself ({children})",
                    ));
                }
            }
        }
        Ok(children)
    }

    pub(crate) fn attributes(
        &self,
        element: &'a JSXElement<'a>,
    ) -> Result<Vec<AttrItem<'a>>, Diagnostic> {
        let mut seen = HashSet::new();
        let mut items = Vec::with_capacity(element.opening_element.attributes.len());
        for item in &element.opening_element.attributes {
            match item {
                JSXAttributeItem::Attribute(attr) => {
                    let name = match &attr.name {
                        JSXAttributeName::Identifier(id) => id.name.to_string(),
                        JSXAttributeName::NamespacedName(n) => {
                            format!("{}:{}", n.namespace.name, n.name.name)
                        }
                    };
                    if !seen.insert(name.clone()) {
                        return Err(self.error(attr.span, format!("duplicate attribute `{name}`")));
                    }
                    items.push(AttrItem::Attr(Attr {
                        name,
                        span: attr.span,
                        value: attr.value.as_ref(),
                    }));
                }
                JSXAttributeItem::SpreadAttribute(spread) => items.push(AttrItem::Spread(spread)),
            }
        }
        Ok(items)
    }

    /// The value of an expression when it is a literal (through parentheses and type
    /// assertions).
    pub(crate) fn literal(&self, expr: &Expression<'a>) -> Option<Lit> {
        Some(match expr.get_inner_expression() {
            Expression::StringLiteral(s) => Lit::Str(s.value.to_string()),
            Expression::NumericLiteral(n) => Lit::Num(n.value),
            Expression::UnaryExpression(unary)
                if unary.operator == UnaryOperator::UnaryNegation =>
            {
                match unary.argument.get_inner_expression() {
                    Expression::NumericLiteral(n) => Lit::Num(-n.value),
                    _ => return None,
                }
            }
            Expression::BooleanLiteral(b) => Lit::Bool(b.value),
            Expression::NullLiteral(_) => Lit::Nullish,
            Expression::Identifier(id) if id.name == "undefined" && self.is_global(id) => {
                Lit::Nullish
            }
            Expression::TemplateLiteral(template) if template.expressions.is_empty() => {
                Lit::Str(template.quasis.first()?.value.cooked.as_ref()?.to_string())
            }
            _ => return None,
        })
    }
}
