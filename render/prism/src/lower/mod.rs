//! The PRISM pass: replaces every outermost JSX expression of a module with generated
//! JavaScript, leaving all other text as written (TypeScript included).
//!
//! JSX nodes are found through oxc's semantic model, which lists every node with its span; the
//! text of an expression embedded in JSX is copied from the source with the JSX inside it
//! lowered in turn. Static HTML is hoisted into constants inserted after the directive prologue.

mod concat;
mod element;
mod fork;
mod names;
mod position;
mod props;
mod rules;
mod runtime;
mod template;
mod text;

use std::collections::HashMap;
use std::path::Path;

use oxc::allocator::Allocator;
use oxc::ast::AstKind;
use oxc::ast::ast::{JSXElement, JSXFragment};
use oxc::semantic::Semantic;
use oxc::span::Span;

use crate::{Diagnostic, JsxMode};

/// A module after the pass.
pub(crate) struct Lowered {
    pub code: String,
    /// Where generated text replaced source text, in order, to map positions in `code` back to
    /// the source.
    pub edits: Vec<Edit>,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Edit {
    pub original: Span,
    pub generated: Span,
}

impl Lowered {
    /// The source offset a position in the generated code comes from (the start of the JSX
    /// expression, for positions inside generated text).
    pub(crate) fn original_offset(&self, generated: u32) -> u32 {
        crate::positions::original_offset(&self.edits, generated)
    }
}

pub(crate) fn lower<'a>(
    source: &str,
    path: &Path,
    allocator: &'a Allocator,
    semantic: &Semantic<'a>,
    mode: JsxMode,
) -> Result<Lowered, Diagnostic> {
    let mut jsx: Vec<Jsx<'a>> = Vec::new();
    let mut prologue_end = 0;
    for node in semantic.nodes().iter() {
        match node.kind() {
            AstKind::JSXElement(element) => jsx.push(Jsx::Element(element)),
            AstKind::JSXFragment(fragment) => jsx.push(Jsx::Fragment(fragment)),
            AstKind::Program(program) => {
                prologue_end = program
                    .directives
                    .last()
                    .map(|d| d.span.end)
                    .or_else(|| program.hashbang.as_ref().map(|h| h.span.end))
                    .unwrap_or(0);
            }
            _ => {}
        }
    }
    if jsx.is_empty() {
        return Ok(Lowered {
            code: source.to_string(),
            edits: Vec::new(),
        });
    }
    // Parents before children: a node and its first child never share a start offset.
    jsx.sort_by_key(|node| (node.span().start, std::cmp::Reverse(node.span().end)));

    let mut lowerer = Lowerer {
        source,
        path,
        allocator,
        semantic,
        jsx,
        mode,
        prefix: hoist_prefix(source),
        hoisted: Vec::new(),
        hoisted_by_code: HashMap::new(),
        holes: None,
        fork: Vec::new(),
        fork_fn: None,
        placed_consts: Vec::new(),
    };
    let body_start = prologue_end as usize;
    let mut body = String::with_capacity(source.len() + source.len() / 2);
    let mut edits = Vec::new();
    let mut cursor = body_start;
    let mut wraps = fork::Wraps::default();
    for root in lowerer.outermost(Span::new(prologue_end, source.len() as u32)) {
        let span = root.span();
        let scope = if lowerer.flows_to_output(root.id()) {
            element::Scope::default()
        } else {
            element::Scope::default().lazy()
        };
        if !scope.lazy {
            let within = Span::new(cursor as u32, source.len() as u32);
            lowerer.wrap_map_callback(root, within, &mut wraps);
        }
        wraps.copy_until(&mut body, source, &mut cursor, span.start, &mut edits);
        let start = body.len();
        let code = lowerer.in_root(root, |lowerer| lowerer.jsx_expression(root, scope))?;
        body.push_str(&code);
        edits.push((span, start, body.len()));
        cursor = span.end as usize;
    }
    wraps.copy_until(
        &mut body,
        source,
        &mut cursor,
        source.len() as u32,
        &mut edits,
    );

    let mut code = String::with_capacity(body.len() + 1024);
    code.push_str(&source[..body_start]);
    let mut hoisted_block = String::new();
    if !lowerer.hoisted.is_empty() {
        hoisted_block.push('\n');
        for line in &lowerer.hoisted {
            hoisted_block.push_str(line);
            hoisted_block.push('\n');
        }
    }
    code.push_str(&hoisted_block);
    let body_generated_start = code.len();
    code.push_str(&body);

    let mut all_edits = Vec::with_capacity(edits.len() + 1);
    if !hoisted_block.is_empty() {
        all_edits.push(Edit {
            original: Span::new(prologue_end, prologue_end),
            generated: Span::new(prologue_end, body_generated_start as u32),
        });
    }
    for (original, start, end) in edits {
        all_edits.push(Edit {
            original,
            generated: Span::new(
                (body_generated_start + start) as u32,
                (body_generated_start + end) as u32,
            ),
        });
    }
    Ok(Lowered {
        code,
        edits: all_edits,
    })
}

/// A prefix for hoisted constants that no identifier in the source can start with: `_h`,
/// with underscores added while the source contains it anywhere.
fn hoist_prefix(source: &str) -> String {
    let mut prefix = String::from("_h");
    while source.contains(&prefix) {
        prefix.insert(0, '_');
    }
    prefix
}

/// One JSX expression in the AST.
#[derive(Clone, Copy)]
pub(crate) enum Jsx<'a> {
    Element(&'a JSXElement<'a>),
    Fragment(&'a JSXFragment<'a>),
}

impl Jsx<'_> {
    fn span(&self) -> Span {
        match self {
            Jsx::Element(e) => e.span,
            Jsx::Fragment(f) => f.span,
        }
    }

    fn id(&self) -> oxc::semantic::NodeId {
        match self {
            Jsx::Element(e) => e.node_id.get(),
            Jsx::Fragment(f) => f.node_id.get(),
        }
    }
}

pub(crate) struct Lowerer<'s, 'a> {
    source: &'s str,
    path: &'s Path,
    allocator: &'a Allocator,
    semantic: &'s Semantic<'a>,
    /// Every JSX node, by start offset.
    jsx: Vec<Jsx<'a>>,
    mode: JsxMode,
    prefix: String,
    /// Module-level constant declarations, in dependency order.
    hoisted: Vec<String>,
    /// Hoisted constant name by its initialiser, so identical static trees share one.
    hoisted_by_code: HashMap<String, String>,
    /// While an element template is compiled (`template.rs`): its values so far.
    holes: Option<template::Holes>,
    /// The place of the markup being lowered below its root: (siblings, index) forks, see
    /// `fork.rs`.
    fork: Vec<(u32, u32)>,
    /// The function whose rendered markup `fork` is relative to.
    fork_fn: Option<oxc::semantic::NodeId>,
    /// Hoisted constants whose HTML depends on placement (see `hoist`).
    placed_consts: Vec<String>,
}

impl<'s, 'a> Lowerer<'s, 'a> {
    /// The JSX nodes in `span` not nested in another JSX node in `span`.
    fn outermost(&self, span: Span) -> Vec<Jsx<'a>> {
        let first = self
            .jsx
            .partition_point(|node| node.span().start < span.start);
        let mut found = Vec::new();
        let mut covered_until = span.start;
        for node in &self.jsx[first..] {
            let node_span = node.span();
            if node_span.start >= span.end {
                break;
            }
            if node_span.start < covered_until || node_span.end > span.end {
                continue;
            }
            found.push(*node);
            covered_until = node_span.end;
        }
        found
    }

    /// The source text of `span` with the JSX inside it lowered.
    fn text_of(&mut self, span: Span, scope: element::Scope) -> Result<String, Diagnostic> {
        let mut out = String::with_capacity(span.size() as usize);
        let mut cursor = span.start as usize;
        let mut wraps = fork::Wraps::default();
        let mut edits = Vec::new();
        for node in self.outermost(span) {
            let node_span = node.span();
            let scope = if scope.lazy || self.flows_to_output(node.id()) {
                scope
            } else {
                scope.lazy()
            };
            if !scope.lazy {
                self.wrap_map_callback(node, Span::new(cursor as u32, span.end), &mut wraps);
            }
            wraps.copy_until(
                &mut out,
                self.source,
                &mut cursor,
                node_span.start,
                &mut edits,
            );
            let code = self.in_root(node, |lowerer| lowerer.jsx_expression(node, scope))?;
            out.push_str(&code);
            cursor = node_span.end as usize;
        }
        wraps.copy_until(&mut out, self.source, &mut cursor, span.end, &mut edits);
        Ok(out)
    }

    /// A JSX node as a JavaScript expression, parenthesised unless it is a name.
    fn jsx_expression(
        &mut self,
        node: Jsx<'a>,
        scope: element::Scope,
    ) -> Result<String, Diagnostic> {
        let value = match self.mode {
            JsxMode::Prism => self.value_of(node, scope)?.code,
            JsxMode::Runtime => self.runtime_value(node, scope.lazy())?,
        };
        if value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        {
            Ok(value)
        } else {
            Ok(format!("({value})"))
        }
    }

    /// Declares a module-level constant for `init` (or reuses the one already declared for the
    /// same text) and returns its name.
    ///
    /// Static markup is computed once, at module load, where no component is placed: in plain
    /// HTML context. Markup holding a `<title>`, `<meta>`, `<link>`, `<script>`, `<style>`,
    /// `<img>` rendered by the runtime (or a constant that does) renders differently inside
    /// `<svg>`, `<noscript>` or `<picture>`, where its component may be placed: such an
    /// `Html` constant becomes `__prism.placed(make)`, the plain HTML computed at load and
    /// `make` run again when a render reads it in another context.
    fn hoist(&mut self, init: String) -> String {
        if let Some(name) = self.hoisted_by_code.get(&init) {
            return name.clone();
        }
        let name = format!("{}{}", self.prefix, self.hoisted.len());
        let placed = init.starts_with("new __prism.Html(")
            && (element::depends_on_placement(&init)
                || self
                    .placed_consts
                    .iter()
                    .any(|placed| text::contains_name(&init, placed)));
        if placed {
            self.placed_consts.push(name.clone());
            self.hoisted.push(format!(
                "const {name} = __prism.placed(function () {{ return {init}; }});"
            ));
        } else {
            self.hoisted.push(format!("const {name} = {init};"));
        }
        self.hoisted_by_code.insert(init, name.clone());
        name
    }

    fn error(&self, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(self.path, self.source, span.start, message.into())
    }

    fn slice(&self, span: Span) -> &'s str {
        &self.source[span.start as usize..span.end as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (original start, end) and (generated start, end) of one edit.
    type EditSpans = ((u32, u32), (u32, u32));

    fn check(edits: &[EditSpans], generated: u32, expect: u32) {
        let lowered = Lowered {
            code: String::new(),
            edits: edits
                .iter()
                .map(|&((a, b), (c, d))| Edit {
                    original: Span::new(a, b),
                    generated: Span::new(c, d),
                })
                .collect(),
        };
        assert_eq!(lowered.original_offset(generated), expect, "{generated}");
    }

    #[test]
    fn positions_map_back_through_edits() {
        // Source "ab<X/>cd" → generated "ab" + 10 bytes + "cd"; 20 bytes of constants were
        // inserted at 0 before that.
        let edits = [((0, 0), (0, 20)), ((2, 7), (22, 32))];
        check(&edits, 5, 0);
        check(&edits, 21, 1);
        check(&edits, 25, 2);
        check(&edits, 32, 7);
        check(&edits, 33, 8);
        check(&[], 9, 9);
    }
}
