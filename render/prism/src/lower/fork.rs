//! Tree context: where in the tree a component renders, which names its `useId`.
//!
//! React numbers a `useId` by the path from the root to the component: one fork per array of
//! children rendered on the way (several JSX children of one element or fragment, a mapped
//! list), each fork being (how many siblings, which one), plus a (1, 0) under every component
//! that called `useId`. The runtime keeps that path as it renders (`tcPath` in prism.js). Code
//! the compiler lowered to string building renders components without the runtime walking
//! the elements, so the compiler tells it each place: markup lowered in place knows, at each
//! component call and each dynamic child, its forks below the markup's root (the *root*: the
//! JSX a function returns or a map callback's item); that path is a hoisted constant of flat
//! pairs handed to `__prism.k` (component calls) and `__prism.c` (children that may hold
//! elements), which push it on top of the runtime's path for the call.
//!
//! A `.map` callback whose items render in place is wrapped in `__prism.each(callback, path)`:
//! each item runs at the array's place, then (array length, index), as React renders an array
//! child.
//!
//! Not exact: markup returned by a helper function called inside a child expression
//! (`{row(item)}`, not a component) renders at the place of the function's caller's
//! component, not of the child expression; and a `.map` on something other than an array
//! (an Immutable.js list) does not fork per item.

use oxc::ast::AstKind;
use oxc::ast::ast::Expression;
use oxc::span::{GetSpan, Span};

use super::{Jsx, Lowerer};

/// Text inserted around map callbacks while source is copied: (offset, text), in order.
#[derive(Default)]
pub(crate) struct Wraps {
    inserts: Vec<(u32, String)>,
}

impl Wraps {
    /// Copies `source[cursor..until]` to `out`, with the insertions that fall in it, and
    /// records each insertion as an edit (an empty source span) for position mapping.
    pub(crate) fn copy_until(
        &mut self,
        out: &mut String,
        source: &str,
        cursor: &mut usize,
        until: u32,
        edits: &mut Vec<(Span, usize, usize)>,
    ) {
        self.inserts.sort_by_key(|(offset, _)| *offset);
        let mut rest = Vec::new();
        for (offset, text) in self.inserts.drain(..) {
            if offset as usize >= *cursor && offset <= until {
                out.push_str(&source[*cursor..offset as usize]);
                *cursor = offset as usize;
                let start = out.len();
                out.push_str(&text);
                edits.push((Span::new(offset, offset), start, out.len()));
            } else {
                rest.push((offset, text));
            }
        }
        self.inserts = rest;
        out.push_str(&source[*cursor..until as usize]);
        *cursor = until as usize;
    }
}

impl<'s, 'a> Lowerer<'s, 'a> {
    /// Lowers `node` with the fork path of its root: the current one when it renders in the
    /// markup being lowered (through `?:`, `&&`), an empty one when it is another function's
    /// output (a map callback, a nested component).
    pub(crate) fn in_root<T>(&mut self, node: Jsx<'a>, body: impl FnOnce(&mut Self) -> T) -> T {
        let function = self.enclosing_function_of(node);
        if function == self.fork_fn && self.fork_fn.is_some() {
            return body(self);
        }
        let outer = std::mem::take(&mut self.fork);
        let outer_fn = std::mem::replace(&mut self.fork_fn, function);
        let result = body(self);
        self.fork = outer;
        self.fork_fn = outer_fn;
        result
    }

    /// Runs `body` with the fork (siblings, index) added when there are several siblings.
    pub(crate) fn at_fork<T>(
        &mut self,
        siblings: usize,
        index: usize,
        body: impl FnOnce(&mut Self) -> T,
    ) -> T {
        if siblings < 2 {
            return body(self);
        }
        let (siblings, index) = (
            u32::try_from(siblings).unwrap_or(u32::MAX),
            u32::try_from(index).unwrap_or(u32::MAX),
        );
        self.fork.push((siblings, index));
        let result = body(self);
        self.fork.pop();
        result
    }

    /// A template's markup is a root of its own.
    pub(crate) fn in_template_root<T>(&mut self, body: impl FnOnce(&mut Self) -> T) -> T {
        let outer = std::mem::take(&mut self.fork);
        let result = body(self);
        self.fork = outer;
        result
    }

    /// The hoisted constant of the current fork path, or `None` at the root.
    pub(crate) fn fork_path(&mut self) -> Option<String> {
        if self.fork.is_empty() {
            return None;
        }
        let pairs: Vec<String> = self
            .fork
            .iter()
            .map(|(siblings, index)| format!("{siblings}, {index}"))
            .collect();
        Some(self.hoist(format!("[{}]", pairs.join(", "))))
    }

    /// When `node` is the output of a `.map` callback that renders in place, the map call lies
    /// in the source being copied (`within`), and the callback is not wrapped yet: wraps it in
    /// `__prism.each(callback, path)` (see the module docs).
    pub(crate) fn wrap_map_callback(&mut self, node: Jsx<'a>, within: Span, wraps: &mut Wraps) {
        let Some(function) = self.enclosing_function_of(node) else {
            return;
        };
        if Some(function) == self.fork_fn {
            return;
        }
        let nodes = self.semantic.nodes();
        let callback = nodes.get_node(function).kind().span();
        if wraps
            .inserts
            .iter()
            .any(|(offset, _)| *offset == callback.start)
        {
            return;
        }
        let mut parent = nodes.parent_node(function);
        let mut child = callback;
        while let AstKind::ParenthesizedExpression(p) = parent.kind() {
            child = p.span;
            parent = nodes.parent_node(parent.id());
        }
        let AstKind::CallExpression(call) = parent.kind() else {
            return;
        };
        let is_map = matches!(
            call.callee.get_inner_expression(),
            Expression::StaticMemberExpression(member) if member.property.name == "map"
        );
        if !is_map
            || call.span.start < within.start
            || call.span.end > within.end
            || call.arguments.len() != 1
            || call.arguments.first().map(GetSpan::span) != Some(child)
        {
            return;
        }
        let path = self.fork_path();
        wraps
            .inserts
            .push((callback.start, "__prism.each(".to_string()));
        let close = match path {
            Some(path) => format!(", {path})"),
            None => ")".to_string(),
        };
        wraps.inserts.push((callback.end, close));
    }

    fn enclosing_function_of(&self, node: Jsx<'a>) -> Option<oxc::semantic::NodeId> {
        let id = match node {
            Jsx::Element(e) => e.node_id.get(),
            Jsx::Fragment(f) => f.node_id.get(),
        };
        self.semantic.nodes().ancestors(id).find_map(|ancestor| {
            matches!(
                ancestor.kind(),
                AstKind::Function(_) | AstKind::ArrowFunctionExpression(_)
            )
            .then(|| ancestor.id())
        })
    }
}
