//! PRISM mode: JSX elements to string building.

use oxc::ast::ast::{Expression, JSXAttributeValue, JSXElement, ObjectPropertyKind, PropertyKind};
use oxc::span::{GetSpan, Span};

use super::concat::Concat;
use super::names::{Callee, Kind};
use super::props::{Attr, AttrItem, Child};
use super::rules::{self, AttrKind, Lit};
use super::text::{decode, js_string};
use super::{Jsx, Lowerer};
use crate::{Diagnostic, JsxMode};

/// Where an element sits, as far as React's output depends on it: inside `<svg>` (nothing
/// floats to `<head>`), `<noscript>` (likewise) or `<picture>` (`<img>` gets no preload).
/// The bits are the runtime's `F_*` flags.
///
/// `lazy` says whether JSX here stays an element (see `position.rs`) rather than being
/// rendered at once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Scope {
    flags: u8,
    pub(crate) lazy: bool,
}

const F_SVG: u8 = 1;
const F_NOSCRIPT: u8 = 2;
const F_PICTURE: u8 = 4;
/// A `<foreignObject>` or `<math>` in this markup went back to HTML: an `<svg>` around the
/// component that renders it (the runtime's ambient flags) no longer applies.
const F_HTML: u8 = 8;

impl Scope {
    fn child(self, tag: &str) -> Scope {
        let flags = match tag {
            "svg" => self.flags | F_SVG,
            "math" | "foreignObject" => (self.flags & !F_SVG) | F_HTML,
            "noscript" => self.flags | F_NOSCRIPT,
            "picture" => self.flags | F_PICTURE,
            _ => self.flags,
        };
        Scope {
            flags,
            lazy: self.lazy,
        }
    }

    /// The same place, where JSX stays an element.
    pub(crate) fn lazy(self) -> Scope {
        Scope { lazy: true, ..self }
    }
}

/// A lowered JavaScript expression.
pub(crate) struct Value {
    pub code: String,
    /// True when it evaluates to the same thing in every render (it may then be hoisted).
    pub is_static: bool,
}

/// A `dangerouslySetInnerHTML` prop: missing or nullish, an object literal (or a string, which
/// React rejects), or any other expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum InnerHtml {
    Absent,
    Literal,
    Dynamic,
}

impl<'s, 'a> Lowerer<'s, 'a> {
    /// A JSX node as a value: `Html` for markup, the component's result for a component.
    pub(crate) fn value_of(&mut self, node: Jsx<'a>, scope: Scope) -> Result<Value, Diagnostic> {
        if self.mode == JsxMode::Runtime {
            return Ok(Value {
                code: self.runtime_value(node, Scope::default().lazy())?,
                is_static: false,
            });
        }
        if scope.lazy {
            return self.element_value(node);
        }
        let element = match node {
            Jsx::Fragment(fragment) => {
                let children = self.children(&fragment.children)?;
                return self.markup_value(&children, scope);
            }
            Jsx::Element(element) => element,
        };
        match self.kind(element)? {
            Kind::Fragment => {
                let children = self.children(&element.children)?;
                self.markup_value(&children, scope)
            }
            Kind::Host(tag) => {
                let children = self.children(&element.children)?;
                if self.needs_runtime(&tag, element, &children)? {
                    let built = self.runtime_host(&tag, element, scope)?;
                    let code = format!("new __prism.Html({})", built.code);
                    return Ok(if built.is_static {
                        Value {
                            code: self.hoist(code),
                            is_static: true,
                        }
                    } else {
                        Value {
                            code,
                            is_static: false,
                        }
                    });
                }
                let mut out = Concat::default();
                self.append_host(&mut out, &tag, element, &children, scope)?;
                Ok(self.html_value(out))
            }
            Kind::Component(callee) => Ok(Value {
                code: self.component_call(callee, element, scope)?,
                is_static: false,
            }),
        }
    }

    pub(crate) fn markup_value(
        &mut self,
        children: &[Child<'a>],
        scope: Scope,
    ) -> Result<Value, Diagnostic> {
        let mut out = Concat::default();
        self.append_children(&mut out, children, scope)?;
        Ok(self.html_value(out))
    }

    /// Wraps concatenated HTML as an `Html` value, hoisted when static.
    fn html_value(&mut self, out: Concat) -> Value {
        let code = format!("new __prism.Html({})", out.to_js());
        if out.is_static() {
            Value {
                code: self.hoist(code),
                is_static: true,
            }
        } else {
            Value {
                code,
                is_static: false,
            }
        }
    }

    /// Appends the HTML of a JSX node.
    pub(crate) fn append_jsx(
        &mut self,
        out: &mut Concat,
        node: Jsx<'a>,
        scope: Scope,
    ) -> Result<(), Diagnostic> {
        let element = match node {
            Jsx::Fragment(fragment) => {
                let children = self.children(&fragment.children)?;
                return self.append_children(out, &children, scope);
            }
            Jsx::Element(element) => element,
        };
        match self.kind(element)? {
            Kind::Fragment => {
                let children = self.children(&element.children)?;
                self.append_children(out, &children, scope)
            }
            Kind::Host(tag) => {
                let children = self.children(&element.children)?;
                if self.needs_runtime(&tag, element, &children)? {
                    let built = self.runtime_host(&tag, element, scope)?;
                    if built.is_static && depends_on_placement(&built.code) {
                        // Held as a placement-aware Html (see `Lowerer::hoist`).
                        let name = self.hoist(format!("new __prism.Html({})", built.code));
                        out.constant(format!("{name}.s"));
                    } else if built.is_static {
                        let name = self.hoist(built.code);
                        out.constant(name);
                    } else {
                        out.dynamic(built.code);
                    }
                    return Ok(());
                }
                self.append_host(out, &tag, element, &children, scope)
            }
            Kind::Component(callee) => {
                let call = self.component_call(callee, element, scope)?;
                // A template's hole holds the element: it renders at its place.
                match self.holes.is_some().then(|| self.fork_path()).flatten() {
                    Some(path) => out.dynamic(format!("__prism.c({call}, 0, {path})")),
                    None => out.dynamic(format!("__prism.c({call})")),
                }
                Ok(())
            }
        }
    }

    fn append_children(
        &mut self,
        out: &mut Concat,
        children: &[Child<'a>],
        scope: Scope,
    ) -> Result<(), Diagnostic> {
        let siblings = children.len();
        for (index, child) in children.iter().enumerate() {
            self.at_fork(siblings, index, |lowerer| match child {
                Child::Text(text) => {
                    out.html(&rules::escape_html(text));
                    Ok(())
                }
                Child::Jsx(node) => lowerer.append_jsx(out, *node, scope),
                Child::Expr(expr) => lowerer.append_expression(out, expr, scope),
            })?;
        }
        Ok(())
    }

    /// Appends `{expr}`: literals are folded, JSX is inlined, anything else is rendered by
    /// `__prism.c` whatever its type.
    fn append_expression(
        &mut self,
        out: &mut Concat,
        expr: &'a Expression<'a>,
        scope: Scope,
    ) -> Result<(), Diagnostic> {
        if let Some(lit) = self.literal(expr) {
            match &lit {
                Lit::Str(s) => {
                    out.html(&rules::escape_html(s));
                    return Ok(());
                }
                Lit::Num(n) => {
                    if let Some(text) = rules::js_number_text(*n) {
                        out.html(&text);
                        return Ok(());
                    }
                }
                Lit::Bool(_) | Lit::Nullish => return Ok(()),
            }
        }
        match expr.get_inner_expression() {
            Expression::JSXElement(element) => {
                return self.append_jsx(out, Jsx::Element(element), scope);
            }
            Expression::JSXFragment(fragment) => {
                return self.append_jsx(out, Jsx::Fragment(fragment), scope);
            }
            _ => {}
        }
        // A value that cannot hold an element has no use for its place.
        let holds = self.literal(expr).is_none() && may_hold_element(expr);
        let path = if holds { self.fork_path() } else { None };
        // `{list.map(callback)}`: each item runs at its place in the array, whatever the
        // callback returns (a helper's markup included), as React renders an array child. (Not
        // in a template: its holes are computed where it is used, and the element keeps the
        // expression's value as its `children`.)
        if holds
            && self.holes.is_none()
            && let Some((list, callback)) = plain_map_call(expr)
        {
            let list = self.expression(list, scope)?;
            let callback = self.expression(callback, scope)?;
            let code = match &path {
                Some(path) => format!("__prism.map({list}, {callback}, {path})"),
                None => format!("__prism.map({list}, {callback})"),
            };
            out.dynamic(match path {
                Some(path) => format!("__prism.c({code}, {}, {path})", scope.flags),
                None => format!("__prism.c({code}, {})", scope.flags),
            });
            return Ok(());
        }
        // A call may run a helper whose markup renders as it returns: at the child's place
        // (see `__prism.at`), and in an array literal at its item's. (Not in a template: its
        // holes' values were computed before it runs.)
        let placed = holds && self.holes.is_none() && calls_something(expr);
        let code = if placed {
            self.placed_code(expr, scope)?
        } else {
            self.expression(expr, scope)?
        };
        match (scope.flags, path) {
            (0, None) => out.dynamic(format!("__prism.c({code})")),
            (flags, None) => out.dynamic(format!("__prism.c({code}, {flags})")),
            (flags, Some(path)) if placed => out.dynamic(format!(
                "__prism.cx(__prism.at({path}), {code}, {flags}, {path})"
            )),
            (flags, Some(path)) => out.dynamic(format!("__prism.c({code}, {flags}, {path})")),
        }
        Ok(())
    }

    /// The code of a child expression that calls something, with the places React gives what
    /// it holds: through `?:`, `&&`, `||` and `??` to the values that render, each item of an
    /// array literal at (items, index) (`__prism.ai`), each item of a `list.map(callback)` at
    /// its own (`__prism.map`). The child's own place is pushed by the caller.
    fn placed_code(
        &mut self,
        expr: &'a Expression<'a>,
        scope: Scope,
    ) -> Result<String, Diagnostic> {
        match expr.get_inner_expression() {
            Expression::ConditionalExpression(cond) => {
                let test = self.expression(&cond.test, scope)?;
                let yes = self.placed_code(&cond.consequent, scope)?;
                let no = self.placed_code(&cond.alternate, scope)?;
                Ok(format!("(({test}) ? ({yes}) : ({no}))"))
            }
            Expression::LogicalExpression(logical) => {
                let left = self.expression(&logical.left, scope)?;
                let right = self.placed_code(&logical.right, scope)?;
                Ok(format!(
                    "(({left}) {} ({right}))",
                    logical.operator.as_str()
                ))
            }
            Expression::ArrayExpression(array)
                if array
                    .elements
                    .iter()
                    .all(|item| item.as_expression().is_some()) =>
            {
                let items = array.elements.len();
                let mut code = String::from("[");
                for (index, item) in array.elements.iter().enumerate() {
                    let Some(item) = item.as_expression() else {
                        continue;
                    };
                    if index > 0 {
                        code.push_str(", ");
                    }
                    if items > 1 && calls_something(item) {
                        let fork = self.hoist(format!("[{items}, {index}]"));
                        let value = self.placed_code(item, scope)?;
                        code.push_str(&format!("__prism.ai(__prism.at({fork}), {value})"));
                    } else {
                        code.push_str(&self.expression(item, scope)?);
                    }
                }
                code.push(']');
                Ok(code)
            }
            inner => match plain_map_call(inner) {
                Some((list, callback)) => {
                    let list = self.expression(list, scope)?;
                    let callback = self.expression(callback, scope)?;
                    Ok(format!("__prism.map({list}, {callback})"))
                }
                None => self.expression(expr, scope),
            },
        }
    }

    /// A plain host element: every prop follows `pushAttribute`, children follow the tag.
    fn append_host(
        &mut self,
        out: &mut Concat,
        tag: &str,
        element: &'a JSXElement<'a>,
        children: &[Child<'a>],
        scope: Scope,
    ) -> Result<(), Diagnostic> {
        out.html(&format!("<{tag}"));
        let mut children_attr = None;
        let mut inner_html = None;
        for item in self.attributes(element)? {
            // Elements with spread props never get here: `needs_runtime` sends them to the
            // runtime.
            let AttrItem::Attr(attr) = item else {
                continue;
            };
            match attr.name.as_str() {
                "key" => {}
                "children" => children_attr = Some(attr),
                "dangerouslySetInnerHTML" => inner_html = Some(attr),
                _ => self.append_attribute(out, tag, &attr, scope)?,
            }
        }
        if rules::is_void(tag) {
            if let Some(first) = children.first() {
                return Err(self.error(
                    self.child_span(first, element),
                    format!("<{tag}> is a void element: it cannot have children"),
                ));
            }
            out.html("/>");
            return Ok(());
        }
        out.html(">");
        let scope = scope.child(tag);
        if let Some(inner) =
            inner_html.filter(|attr| self.inner_html_kind(attr) != InnerHtml::Absent)
        {
            if let Some(first) = children.first() {
                return Err(self.error(
                    self.child_span(first, element),
                    "an element cannot have both children and dangerouslySetInnerHTML",
                ));
            }
            self.append_inner_html(out, &inner, scope)?;
        }
        if children.is_empty() {
            if let Some(attr) = children_attr {
                match attr.value {
                    None => {}
                    Some(JSXAttributeValue::StringLiteral(s)) => {
                        out.html(&rules::escape_html(&decode(&s.value, self.allocator)));
                    }
                    Some(JSXAttributeValue::ExpressionContainer(container)) => {
                        if let Some(expr) = container.expression.as_expression() {
                            self.append_expression(out, expr, scope)?;
                        }
                    }
                    Some(JSXAttributeValue::Element(e)) => {
                        self.append_jsx(out, Jsx::Element(e), scope)?
                    }
                    Some(JSXAttributeValue::Fragment(f)) => {
                        self.append_jsx(out, Jsx::Fragment(f), scope)?
                    }
                }
            }
        } else {
            self.append_children(out, children, scope)?;
        }
        out.html(&format!("</{tag}>"));
        Ok(())
    }

    fn append_inner_html(
        &mut self,
        out: &mut Concat,
        attr: &Attr<'a>,
        scope: Scope,
    ) -> Result<(), Diagnostic> {
        let Some(JSXAttributeValue::ExpressionContainer(container)) = attr.value else {
            return Err(self.error(
                attr.span,
                "dangerouslySetInnerHTML must be in the form {__html: ...}",
            ));
        };
        let Some(expr) = container.expression.as_expression() else {
            return Ok(());
        };
        if let Some(Lit::Nullish) = self.literal(expr) {
            return Ok(());
        }
        if let Expression::ObjectExpression(object) = expr.get_inner_expression()
            && let [ObjectPropertyKind::ObjectProperty(property)] = object.properties.as_slice()
            && !property.computed
            && property.kind == PropertyKind::Init
            && property.key.static_name().as_deref() == Some("__html")
        {
            match self.literal(&property.value) {
                Some(Lit::Str(html)) => {
                    out.html(&html);
                    return Ok(());
                }
                Some(Lit::Nullish) => return Ok(()),
                _ => {}
            }
        }
        let code = self.expression(expr, scope)?;
        out.dynamic(format!("__prism.inner({code}, false)"));
        Ok(())
    }

    fn append_attribute(
        &mut self,
        out: &mut Concat,
        tag: &str,
        attr: &Attr<'a>,
        scope: Scope,
    ) -> Result<(), Diagnostic> {
        let kind = rules::classify(tag, &attr.name);
        let (code, expr) = match attr.value {
            None => {
                return self.append_static_attribute(
                    out,
                    &kind,
                    attr,
                    &Lit::Bool(true),
                    "true".into(),
                );
            }
            Some(JSXAttributeValue::StringLiteral(s)) => {
                let value = decode(&s.value, self.allocator);
                let code = js_string(&value);
                return self.append_static_attribute(out, &kind, attr, &Lit::Str(value), code);
            }
            Some(JSXAttributeValue::ExpressionContainer(container)) => {
                let Some(expr) = container.expression.as_expression() else {
                    return Ok(());
                };
                if let Some(lit) = self.literal(expr) {
                    let code = self.expression(expr, scope)?;
                    return self.append_static_attribute(out, &kind, attr, &lit, code);
                }
                (self.expression(expr, scope)?, Some(expr))
            }
            Some(JSXAttributeValue::Element(e)) => {
                (self.value_of(Jsx::Element(e), scope)?.code, None)
            }
            Some(JSXAttributeValue::Fragment(f)) => {
                (self.value_of(Jsx::Fragment(f), scope)?.code, None)
            }
        };
        let prefix = |name: &str| js_string(&format!(" {name}=\""));
        let call = match &kind {
            AttrKind::Skip => {
                // Dropped props are still evaluated when they could have effects, as React
                // evaluates every prop.
                if expr.is_some_and(|e| !is_pure(e)) {
                    out.dynamic(format!("({code}, \"\")"));
                }
                return Ok(());
            }
            AttrKind::Text(name) => format!("__prism.s({}, {code})", prefix(name)),
            AttrKind::Boolean(name) => {
                format!("__prism.b({}, {code})", js_string(&format!(" {name}=\"\"")))
            }
            AttrKind::Booleanish(name) => format!("__prism.x({}, {code})", prefix(name)),
            AttrKind::Url {
                name,
                keep_empty: true,
            } => format!("__prism.u({}, {code})", prefix(name)),
            AttrKind::Url {
                name,
                keep_empty: false,
            } => format!("__prism.ue({}, {code})", prefix(name)),
            AttrKind::Style => {
                if let Some(text) = expr.and_then(|e| self.static_style(e)) {
                    if !text.is_empty() {
                        out.html(&format!(" style=\"{text}\""));
                    }
                    return Ok(());
                }
                format!("__prism.st({code})")
            }
            AttrKind::Generic(name) => format!("__prism.a({}, {code})", js_string(name)),
        };
        out.dynamic(call);
        Ok(())
    }

    fn append_static_attribute(
        &mut self,
        out: &mut Concat,
        kind: &AttrKind,
        attr: &Attr<'a>,
        value: &Lit,
        code: String,
    ) -> Result<(), Diagnostic> {
        if *kind == AttrKind::Style {
            if *value == Lit::Nullish {
                return Ok(());
            }
            return Err(self.error(
                attr.span,
                "the `style` prop expects a mapping from style properties to values, not a string: style={{marginRight: spacing + 'em'}}",
            ));
        }
        match rules::static_attr(kind, value) {
            Some(text) => out.html(&text),
            None => {
                let name = match kind {
                    AttrKind::Generic(name) => name.clone(),
                    _ => attr.name.clone(),
                };
                out.dynamic(format!("__prism.a({}, {code})", js_string(&name)));
            }
        }
        Ok(())
    }

    /// The declarations of a style object literal whose values are all literals.
    fn static_style(&self, expr: &Expression<'a>) -> Option<String> {
        let Expression::ObjectExpression(object) = expr.get_inner_expression() else {
            return None;
        };
        let mut entries = Vec::with_capacity(object.properties.len());
        for property in &object.properties {
            let ObjectPropertyKind::ObjectProperty(property) = property else {
                return None;
            };
            if property.computed || property.method || property.kind != PropertyKind::Init {
                return None;
            }
            let name = property.key.static_name()?;
            entries.push((name.to_string(), self.literal(&property.value)?));
        }
        rules::static_style(&entries)
    }

    /// A component call: `Card({...props, children})` or `__prism.k(Card, {...})`.
    fn component_call(
        &mut self,
        callee: Callee,
        element: &'a JSXElement<'a>,
        scope: Scope,
    ) -> Result<String, Diagnostic> {
        if self.holes.is_some() {
            return self.component_hole(element);
        }
        let props = self.props_object(element, scope.lazy())?.code;
        let path = self.fork_path();
        if let (Callee::Direct(name), 0, None) = (&callee, scope.flags, &path) {
            // No hooks, and at its caller's place: nothing for `__prism.k` to set up.
            return Ok(format!("{name}({props})"));
        }
        let (Callee::Direct(code) | Callee::Dynamic(code)) = callee;
        // Inside <svg>, <noscript> or <picture>, the component renders in that context; below
        // its siblings, at its place (`fork.rs`). `__prism.k` also gives it its own useId
        // numbering.
        Ok(match (scope.flags, path) {
            (0, None) => format!("__prism.k({code}, {props})"),
            (flags, None) => format!("__prism.k({code}, {props}, {flags})"),
            (flags, Some(path)) => format!("__prism.k({code}, {props}, {flags}, {path})"),
        })
    }

    /// An element the runtime renders (`__prism.h`), for the props whose output depends on
    /// each other or on the whole render.
    fn runtime_host(
        &mut self,
        tag: &str,
        element: &'a JSXElement<'a>,
        scope: Scope,
    ) -> Result<Value, Diagnostic> {
        let props = self.props_object(element, scope.child(tag))?;
        let code = if scope.flags == 0 {
            format!("__prism.h({}, {})", js_string(tag), props.code)
        } else {
            format!(
                "__prism.h({}, {}, {})",
                js_string(tag),
                props.code,
                scope.flags
            )
        };
        Ok(Value {
            code,
            is_static: props.is_static,
        })
    }

    /// Whether a host element must be rendered by the runtime (`__prism.h`) rather than
    /// lowered to concatenation: see the crate docs.
    fn needs_runtime(
        &self,
        tag: &str,
        element: &'a JSXElement<'a>,
        children: &[Child<'a>],
    ) -> Result<bool, Diagnostic> {
        let items = self.attributes(element)?;
        let has_spread = items.iter().any(|item| matches!(item, AttrItem::Spread(_)));
        let has = |name: &str| {
            items
                .iter()
                .any(|item| matches!(item, AttrItem::Attr(a) if a.name == name))
        };
        let has_any = |names: &[&str]| names.iter().any(|name| has(name));
        let inner = match items.iter().find_map(|item| match item {
            AttrItem::Attr(a) if a.name == "dangerouslySetInnerHTML" => Some(a),
            _ => None,
        }) {
            None => InnerHtml::Absent,
            Some(attr) => self.inner_html_kind(attr),
        };
        let expression_children = children.iter().any(|c| matches!(c, Child::Expr(_)));
        // Whether React's "children or dangerouslySetInnerHTML" check can only be made at
        // render time; a literal object with static children is a compile error instead.
        let inner_check_at_runtime = match inner {
            InnerHtml::Absent => false,
            InnerHtml::Literal => has("children") || expression_children,
            InnerHtml::Dynamic => has("children") || !children.is_empty(),
        };
        let inner = inner != InnerHtml::Absent;
        Ok(has_spread
            || tag.contains('-')
            || !rules::is_valid_tag(tag)
            || match tag {
                "select" | "option" | "textarea" | "input" | "title" | "meta" | "link"
                | "script" | "style" | "img" | "html" | "head" | "object" | "menuitem" => true,
                "button" => has_any(&[
                    "name",
                    "formAction",
                    "formEncType",
                    "formMethod",
                    "formTarget",
                ]),
                "form" => has_any(&["action", "encType", "method", "target"]),
                "pre" | "listing" => inner || has("children") || expression_children,
                _ => false,
            }
            || (rules::is_void(tag) && (has("children") || inner))
            || inner_check_at_runtime)
    }

    /// What a `dangerouslySetInnerHTML` prop holds, as far as the compiler can tell.
    fn inner_html_kind(&self, attr: &Attr<'a>) -> InnerHtml {
        let Some(JSXAttributeValue::ExpressionContainer(container)) = attr.value else {
            return InnerHtml::Literal;
        };
        match container.expression.as_expression() {
            None => InnerHtml::Absent,
            Some(expr) if self.literal(expr) == Some(Lit::Nullish) => InnerHtml::Absent,
            Some(expr)
                if matches!(expr.get_inner_expression(), Expression::ObjectExpression(_)) =>
            {
                InnerHtml::Literal
            }
            Some(_) => InnerHtml::Dynamic,
        }
    }

    fn child_span(&self, child: &Child<'a>, element: &'a JSXElement<'a>) -> Span {
        match child {
            Child::Expr(expr) => expr.span(),
            Child::Jsx(node) => node.span(),
            Child::Text(_) => element.children.first().map_or(element.span, GetSpan::span),
        }
    }
}

/// Whether evaluating `expr` can have no effect (so a dropped prop need not be evaluated).
/// Whether `expr` may evaluate to an element (or an array or promise of them); false for the
/// expressions that always make a string, number or boolean.
/// `list.map(callback)` with one argument, not optional and not `Children.map`: the list and
/// the callback.
fn plain_map_call<'e, 'a>(
    expr: &'e Expression<'a>,
) -> Option<(&'e Expression<'a>, &'e Expression<'a>)> {
    let Expression::CallExpression(call) = expr.get_inner_expression() else {
        return None;
    };
    let Expression::StaticMemberExpression(member) = &call.callee else {
        return None;
    };
    if member.property.name != "map" || member.optional || call.optional {
        return None;
    }
    if let Expression::Identifier(object) = &member.object
        && object.name == "Children"
    {
        return None;
    }
    match call.arguments.as_slice() {
        [argument] => argument
            .as_expression()
            .map(|callback| (&member.object, callback)),
        _ => None,
    }
}

/// Whether evaluating `expr` calls anything (outside the functions it defines).
fn calls_something(expr: &Expression<'_>) -> bool {
    use oxc::ast_visit::Visit;
    use oxc::syntax::scope::ScopeFlags;

    #[derive(Default)]
    struct Calls(bool);
    impl<'a> Visit<'a> for Calls {
        fn visit_call_expression(&mut self, _: &oxc::ast::ast::CallExpression<'a>) {
            self.0 = true;
        }
        fn visit_new_expression(&mut self, _: &oxc::ast::ast::NewExpression<'a>) {
            self.0 = true;
        }
        fn visit_tagged_template_expression(
            &mut self,
            _: &oxc::ast::ast::TaggedTemplateExpression<'a>,
        ) {
            self.0 = true;
        }
        fn visit_function(&mut self, _: &oxc::ast::ast::Function<'a>, _: ScopeFlags) {}
        fn visit_arrow_function_expression(
            &mut self,
            _: &oxc::ast::ast::ArrowFunctionExpression<'a>,
        ) {
        }
        // JSX in the expression is lowered in place, at its own places.
        fn visit_jsx_element(&mut self, _: &oxc::ast::ast::JSXElement<'a>) {}
        fn visit_jsx_fragment(&mut self, _: &oxc::ast::ast::JSXFragment<'a>) {}
    }
    let mut calls = Calls::default();
    calls.visit_expression(expr);
    calls.0
}

fn may_hold_element(expr: &Expression<'_>) -> bool {
    match expr.get_inner_expression() {
        Expression::TemplateLiteral(_)
        | Expression::BinaryExpression(_)
        | Expression::UnaryExpression(_)
        | Expression::UpdateExpression(_) => false,
        Expression::StaticMemberExpression(member) => member.property.name != "length",
        _ => true,
    }
}

/// Elements whose HTML depends on where their component is placed: inside `<svg>`,
/// `<noscript>` or `<picture>` they do not float to `<head>` or get an image preload.
const PLACEMENT_DEPENDENT_TAGS: [&str; 8] = [
    "title", "meta", "link", "script", "style", "img", "html", "head",
];

/// Whether generated code renders one of `PLACEMENT_DEPENDENT_TAGS` through the runtime.
pub(crate) fn depends_on_placement(code: &str) -> bool {
    PLACEMENT_DEPENDENT_TAGS
        .iter()
        .any(|tag| code.contains(&format!("__prism.h(\"{tag}\",")))
}

fn is_pure(expr: &Expression<'_>) -> bool {
    match expr.get_inner_expression() {
        Expression::ArrowFunctionExpression(_)
        | Expression::FunctionExpression(_)
        | Expression::Identifier(_)
        | Expression::ThisExpression(_)
        | Expression::StringLiteral(_)
        | Expression::NumericLiteral(_)
        | Expression::BooleanLiteral(_)
        | Expression::NullLiteral(_) => true,
        Expression::StaticMemberExpression(member) => is_pure(&member.object),
        _ => false,
    }
}
