//! Runtime mode: JSX to `__prism.jsx(type, props, key)` element objects, rendered lazily by the
//! runtime with React's semantics.

use oxc::ast::ast::JSXAttributeValue;

use super::element::Scope;
use super::names::{Callee, Kind};
use super::props::{AttrItem, ChildShape};
use super::text::js_string;
use super::{Jsx, Lowerer};
use crate::Diagnostic;

impl<'s, 'a> Lowerer<'s, 'a> {
    pub(crate) fn runtime_value(&mut self, node: Jsx<'a>) -> Result<String, Diagnostic> {
        let scope = Scope::default();
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
            Kind::Component(Callee::Direct(code) | Callee::Dynamic(code)) => code,
        };
        let props = self.props_object(element, scope, ChildShape::Array)?.code;
        let mut key = None;
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
                key = Some(self.attribute_value(&attr, scope)?.code);
            }
        }
        Ok(match key {
            Some(key) => format!("__prism.jsx({element_type}, {props}, {key})"),
            None => format!("__prism.jsx({element_type}, {props})"),
        })
    }
}
