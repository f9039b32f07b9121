//! Runtime mode: JSX to `__prism.jsx(type, props, key)` element objects, rendered lazily by the
//! runtime with React's semantics.

use oxc::ast::ast::{JSXAttributeValue, JSXElement};

use super::element::{Scope, Value};
use super::names::{Callee, Kind};
use super::props::AttrItem;
use super::text::js_string;
use super::{Jsx, Lowerer};
use crate::Diagnostic;

impl<'s, 'a> Lowerer<'s, 'a> {
    /// A JSX node as a React element: `__prism.jsx(type, props, key)`, with the JSX in its
    /// props and children elements too (`scope` is lazy).
    pub(crate) fn runtime_value(
        &mut self,
        node: Jsx<'a>,
        scope: Scope,
    ) -> Result<String, Diagnostic> {
        let element = match node {
            Jsx::Fragment(fragment) => {
                let children = self.children(&fragment.children)?;
                let children = self.children_as_array(&children, scope)?;
                let props = match children {
                    Some(children) => format!("{{children: {}}}", children.code),
                    None => "{}".into(),
                };
                return Ok(format!("__prism.jsx(__prism.Fragment, {props})"));
            }
            Jsx::Element(element) => element,
        };
        let element_type = match self.kind(element)? {
            Kind::Host(tag) => js_string(&tag),
            Kind::Fragment => "__prism.Fragment".into(),
            Kind::Component(_) if self.holes.is_some() => return self.component_hole(element),
            Kind::Component(Callee::Direct(code) | Callee::Dynamic(code)) => code,
        };
        let props = self.props_object(element, scope)?.code;
        Ok(match self.key_code(element, scope)? {
            Some(key) => format!("__prism.jsx({element_type}, {props}, {key})"),
            None => format!("__prism.jsx({element_type}, {props})"),
        })
    }

    /// The code of an element's `key` attribute, if it has one React would read.
    pub(crate) fn key_code(
        &mut self,
        element: &'a JSXElement<'a>,
        scope: Scope,
    ) -> Result<Option<String>, Diagnostic> {
        for item in self.attributes(element)? {
            if let AttrItem::Attr(attr) = item
                && attr.name == "key"
                && attr.value.is_some_and(|v| {
                    !matches!(
                        v,
                        JSXAttributeValue::Element(_) | JSXAttributeValue::Fragment(_)
                    )
                })
            {
                return Ok(Some(self.attribute_value(&attr, scope)?.code));
            }
        }
        Ok(None)
    }

    /// A JSX node that stays an element in PRISM mode (see `position.rs`). A subtree with
    /// nothing dynamic is built once, at module load, together with its HTML, which the
    /// runtime writes as is wherever the element lands in plain HTML context; a host element
    /// with dynamic parts becomes a template element (`template.rs`).
    pub(crate) fn element_value(&mut self, node: Jsx<'a>) -> Result<Value, Diagnostic> {
        if self.is_static_tree(node) {
            let code = self.runtime_value(node, Scope::default().lazy())?;
            let html = self.value_of(node, Scope::default())?;
            if html.is_static {
                return Ok(Value {
                    code: self.hoist(format!("__prism.cached({code}, {})", html.code)),
                    is_static: true,
                });
            }
            return Ok(Value {
                code,
                is_static: false,
            });
        }
        if self.holes.is_none()
            && let Jsx::Element(element) = node
            && let Kind::Host(tag) = self.kind(element)?
        {
            return Ok(Value {
                code: self.template(element, &tag)?,
                is_static: false,
            });
        }
        Ok(Value {
            code: self.runtime_value(node, Scope::default().lazy())?,
            is_static: false,
        })
    }
}
