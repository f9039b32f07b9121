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
//! A `list.map(callback)` whose items render in place becomes `__prism.map(list, callback,
//! path)`: one loop that runs each item at the array's place, then (array length, index), as
//! React renders an array child (a list that is not an array is mapped by its own `map`, each
//! item at its place when the list tells its `length` or `size`).
//!
//! A child expression that calls something (`{field("name")}`, `{cond && row(item)}`) may
//! run a helper function whose markup is lowered in place and renders as the helper returns,
//! before `__prism.c` sees the value: such an expression is evaluated at the child's place
//! (`__prism.cx(__prism.at(path), expr, flags, path)`), and inside it, through `?:` and the
//! logical operators, each item of an array literal at its own (`__prism.ai`) and each item of
//! a `list.map(callback)` at its own (`__prism.map`, whatever the callback returns).
//!
//! Not exact: a `.map` on a list that is neither an array nor has a `length` or `size` does
//! not fork per item (its count is known only after every callback has run).

use oxc::ast::AstKind;
use oxc::ast::ast::Expression;
use oxc::span::{GetSpan, Span};

use super::{Jsx, Lowerer};

/// Edits to the source copied around lowered JSX, in order: (start, end, text) replaces
/// `source[start..end]` (empty for an insertion) with `text`.
#[derive(Default)]
pub(crate) struct Wraps {
    edits: Vec<(u32, u32, String)>,
}

impl Wraps {
    /// Copies `source[cursor..until]` to `out` with the edits that fall in it, and records
    /// each edit for position mapping.
    pub(crate) fn copy_until(
        &mut self,
        out: &mut String,
        source: &str,
        cursor: &mut usize,
        until: u32,
        edits: &mut Vec<(Span, usize, usize)>,
    ) {
        self.edits.sort_by_key(|(start, _, _)| *start);
        let mut rest = Vec::new();
        for (start, end, text) in self.edits.drain(..) {
            if start as usize >= *cursor && end <= until {
                out.push_str(&source[*cursor..start as usize]);
                let at = out.len();
                out.push_str(&text);
                edits.push((Span::new(start, end), at, out.len()));
                *cursor = end as usize;
            } else {
                rest.push((start, end, text));
            }
        }
        self.edits = rest;
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

    /// When `node` is the output of a `list.map(callback)` callback that renders in place, the
    /// call lies in the source being copied (`within`) and is not rewritten yet: rewrites it to
    /// `__prism.map(list, callback, path)` (see the module docs).
    pub(crate) fn wrap_map_callback(&mut self, node: Jsx<'a>, within: Span, wraps: &mut Wraps) {
        let Some(function) = self.enclosing_function_of(node) else {
            return;
        };
        if Some(function) == self.fork_fn {
            return;
        }
        let nodes = self.semantic.nodes();
        let callback = nodes.get_node(function).kind().span();
        let mut parent = nodes.parent_node(function);
        let mut child = callback;
        while let AstKind::ParenthesizedExpression(p) = parent.kind() {
            child = p.span;
            parent = nodes.parent_node(parent.id());
        }
        let AstKind::CallExpression(call) = parent.kind() else {
            return;
        };
        let Expression::StaticMemberExpression(member) = &call.callee else {
            return;
        };
        if member.property.name != "map"
            || member.optional
            || call.optional
            || call.span.start < within.start
            || call.span.end > within.end
            || call.arguments.len() != 1
            || call.arguments.first().map(GetSpan::span) != Some(child)
        {
            return;
        }
        // Rewritten already (another root in the same callback)?
        if wraps
            .edits
            .iter()
            .any(|(start, end, _)| *start == call.span.start && *end == call.span.start)
        {
            return;
        }
        // `list.map(callback)` -> `__prism.map(list, callback, path)`: one loop that runs each
        // item at its place (see `prism.js`).
        let path = self.fork_path();
        let object_end = member.object.span().end;
        wraps
            .edits
            .push((call.span.start, call.span.start, "__prism.map(".to_string()));
        wraps
            .edits
            .push((object_end, child.start, ", ".to_string()));
        if let Some(path) = path {
            wraps
                .edits
                .push((child.end, child.end, format!(", {path}")));
        }
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
