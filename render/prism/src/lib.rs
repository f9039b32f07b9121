//! The PRISM compile pass: one TS/TSX/JS module in, plain JavaScript out, with JSX lowered into
//! string building.
//!
//! # What it does
//! [`transform`] parses a module with oxc, lowers every JSX expression (the PRISM pass, below),
//! strips TypeScript with oxc's transformer (only its TypeScript part: ESM `import`/`export`
//! stay as written, type-only imports and exports go) and prints the result with oxc's code
//! generator. Nothing else is down-levelled: the engines bext embeds (QuickJS, JavaScriptCore,
//! V8) run modern JavaScript.
//!
//! # The PRISM pass
//! React renders an element tree by building objects for every element and walking them. On the
//! server nothing is interactive, so almost all of that work can be decided at compile time, as
//! the Solid and Marko SSR compilers do:
//! - a host element (`<div>`) becomes string concatenation. Its tag, static attributes and
//!   static text are escaped at compile time and merged into string literals; only dynamic
//!   attribute values and children are left to small runtime helpers (`__prism.s`, `__prism.c`,
//!   … in [`PRISM_RUNTIME_JS`]), each specialised by the compiler for the attribute's rules.
//! - a JSX tree with nothing dynamic is folded into one pre-escaped constant hoisted to module
//!   level (`const _h0 = new __prism.Html("<div class=\"a\">hi</div>")`), built once per engine.
//! - a component (`<Card x={1}>…</Card>`) becomes a call, `Card({x: 1, children: …})`. The
//!   call is direct when the name is bound in the module to a function; otherwise (imports,
//!   parameters, `<ui.Card>`, `<props.as>`) it goes through `__prism.k`, which also accepts
//!   strings (dynamic tags), classes and memo/forwardRef/context objects.
//! - all of that only where the JSX's value goes straight into the output of the function
//!   rendering it (`lower/position.rs` says exactly where). Everywhere else (a component's
//!   children and JSX props, a variable, an argument, what an async function returns) JSX
//!   becomes a React element, `__prism.jsx(type, props, key)`, as React builds it: the
//!   receiving component can inspect, clone, place or drop it, and it renders where it is
//!   placed, inside the providers around that place. A static element is built once at
//!   module load together with its HTML, which the runtime writes as is in plain context.
//! - elements whose HTML depends on more than their own props go to the runtime's port of
//!   React's `pushStartInstance` (`__prism.h`): form controls (`<input>`, `<select>`,
//!   `<option>`, `<textarea>`), elements React 19 floats into `<head>` (`<title>`, `<meta>`,
//!   `<link>`, `<script>`, `<style>`, and `<img>` preloads), `<html>`/`<head>`, custom elements,
//!   and any element with a `{...spread}`. With static props even these are evaluated once, at
//!   module load.
//!
//! The output must equal `react-dom/server`'s `renderToString` with the `<!-- -->` text
//! separators removed; `tests/conformance.rs` checks that against real React for every fixture
//! in `tests/conformance/fixtures`.
//!
//! # Design decisions
//! - **Lowering by splicing source text, before type stripping.** The pass walks the parsed
//!   TSX (oxc's semantic model lists every JSX node with its span) and replaces each outermost
//!   JSX expression with generated JavaScript, copying the text of embedded expressions
//!   verbatim (recursing into the JSX they contain). The spliced text, still TypeScript, is
//!   then parsed again for the TypeScript transform. Two parses cost little (an app compiles in
//!   milliseconds) and buy simplicity: no AST surgery with arena builders, generated code that
//!   reads like the runtime it calls, and diagnostics that point into the user's own source,
//!   because every JSX decision is made on the original AST.
//! - **Strings where nobody looks, elements where somebody may.** Evaluating children into
//!   HTML before their parent runs (what this pass first did) is fast but wrong wherever the
//!   parent does more than place them: providers, gates, `cloneElement`, compound components.
//!   The split by position keeps string building for a component's own returned markup,
//!   where it cannot be told apart from React (the one difference: components placed there
//!   run while the return expression is evaluated, visible only to side effects written
//!   between that JSX and the `return`), and builds elements only where React semantics need
//!   them. On the example app's pages JavaScriptCore renders as fast as before; QuickJS
//!   loses about 5–10% (interleaved `bext-bench ssr` runs, 2026-12-03).
//! - **Waiting without an async renderer.** An async component's promise, or an element whose
//!   render suspended in `use()`/`lazy`, becomes a placeholder marker; the render's state
//!   (`RenderState`: pending placeholders, `cache`, the `useId` prefix) keeps each with the
//!   providers, format context and tree place it was met in, and renders it there once its promise
//!   settles, until none is left (the app runtime awaits between rounds; `fill` splices).
//!   A retried element replays the promises its first attempt gave to `use()`, as React's
//!   thenable state does, so a parent re-rendered with a new promise still completes.
//! - **Markers for render-wide state.** Which `<option>` a `<select>` selects, and what floats
//!   into `<head>`, depend on the whole tree. The runtime leaves Unicode noncharacter markers in
//!   the HTML that the enclosing `<select>` or `__prism.finish` resolves, so lowered code stays
//!   plain string concatenation.
//!   A document is complete only after `__prism.finish(html)` (or `renderToString`).
//! - **Runtime mode.** [`JsxMode::Runtime`] lowers all JSX to `__prism.jsx(type, props)`
//!   element objects, rendered by the same runtime: the path PRISM takes for values, used
//!   everywhere, and a second path the conformance test checks.
//! - **Client components leave boundaries.** An export of a `"use client"` module (the linker
//!   registers it with `__prism.clientRef`) rendered from server code is written between
//!   `<!--c:N-->` and `<!--/c-->`, its props encoded into the render's payload (Flight's
//!   conventions; elements among them rendered in place between `<!--s:M-->` markers, read
//!   back from the DOM by the browser). Inside, the runtime writes React's `<!-- -->` text
//!   separators, because the browser's React matches text nodes one by one while hydrating;
//!   the linker compiles client modules and what they import in [`JsxMode::Runtime`] so their
//!   whole output passes through the runtime, which tracks adjacent text as Fizz does.
//!   [`transform_browser`] is the other half: the same modules compiled for React itself.
//! - **Panics are diagnostics.** oxc asserts its invariants with panics; [`transform`] turns
//!   one into a diagnostic for the file, so bad input never takes the server down.
//!
//! - **Static markup that depends on placement.** Static subtrees are built once at module
//!   load, in plain HTML context. One holding a `<title>`, `<meta>`, `<link>`, `<script>`,
//!   `<style>` or `<img>` renders differently where its component is placed inside `<svg>`,
//!   `<noscript>` or `<picture>` (nothing floats or preloads there), so it is held as
//!   `__prism.placed(make)`: the plain HTML, and `make` run again in another context.
//! - **Places for `useId`.** React names an id by the component's place in the tree (forks of
//!   several children on the way). The runtime keeps that path as it walks elements; lowered
//!   markup hands each component call and child its place as a hoisted constant, and a
//!   rendered `list.map(callback)` becomes a `__prism.map` loop that forks per item
//!   (`lower/fork.rs`).
//!
//! # Not covered
//! `useId` under a plain helper function called in a child expression (`{row(x)}`: it takes
//! the place of the component around it) or in a `.map` over a list with no `length` or `size`;
//! `<!-- -->` text separators (never emitted, by design); streaming (the whole page waits for
//! its promises).
//! Raw HTML (`dangerouslySetInnerHTML`, script and style bodies) holding the marker characters
//! U+0001..U+0003 would confuse `finish`; escaped text holding them is kept exact.
#![forbid(unsafe_code)]

mod browser;
mod diagnostic;
mod lower;
mod positions;
mod strip;
#[cfg(test)]
mod tests;

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use bext_core::limits::APP_SOURCE_BYTES_MAX;
use oxc::allocator::Allocator;
use oxc::parser::Parser;
use oxc::semantic::SemanticBuilder;
use oxc::span::SourceType;

pub use browser::transform_browser;
pub use diagnostic::Diagnostic;
pub use positions::PositionMap;

/// The runtime lowered code calls: defines `globalThis.__prism` (HTML helpers, `render`,
/// `finish`, the fallback `jsx` runtime and the `react` module). Evaluate it before any module.
pub const PRISM_RUNTIME_JS: &str = include_str!("../js/prism.js");

/// How JSX is lowered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum JsxMode {
    /// String building (the PRISM pass).
    #[default]
    Prism,
    /// `__prism.jsx(type, props, key)` element objects, rendered by the runtime.
    Runtime,
}

/// Options of [`transform`].
#[derive(Clone, Debug, Default)]
pub struct TransformOptions {
    pub jsx: JsxMode,
}

/// Compiles one module: TypeScript stripped, JSX lowered, ESM kept.
///
/// `path` picks the syntax (`.ts`, `.tsx`, `.js`, `.jsx`, `.mjs`, `.cjs`, `.mts`, `.cts`) and
/// names the file in diagnostics. A syntax error, or a construct PRISM cannot lower, is a
/// [`Diagnostic`] pointing at the source.
pub fn transform(source: &str, path: &Path, opts: &TransformOptions) -> Result<String, Diagnostic> {
    transform_mapped(source, path, opts).map(|(code, _)| code)
}

/// [`transform`], with the map from positions in the compiled module back to the source (for
/// stack traces that name the file, line and column a person wrote).
pub fn transform_mapped(
    source: &str,
    path: &Path,
    opts: &TransformOptions,
) -> Result<(String, PositionMap), Diagnostic> {
    // oxc asserts its own invariants; should one fail on some input, that input gets a
    // diagnostic instead of taking the server (or the dev watcher) down.
    match panic::catch_unwind(AssertUnwindSafe(|| compile(source, path, opts))) {
        Ok(result) => result,
        Err(_) => Err(Diagnostic::at(
            path,
            source,
            0,
            "internal compiler error while compiling this file (please report it)".to_string(),
        )),
    }
}

fn compile(
    source: &str,
    path: &Path,
    opts: &TransformOptions,
) -> Result<(String, PositionMap), Diagnostic> {
    if source.len() > APP_SOURCE_BYTES_MAX {
        return Err(Diagnostic::at(
            path,
            source,
            0,
            format!(
                "source is {} bytes, more than the {APP_SOURCE_BYTES_MAX} bytes a module may have",
                source.len()
            ),
        ));
    }
    let source_type = source_type_of(path).ok_or_else(|| {
        Diagnostic::at(
            path,
            source,
            0,
            "unknown file extension: expected .ts, .tsx, .js, .jsx, .mjs, .cjs, .mts or .cts"
                .to_string(),
        )
    })?;
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, source_type).parse();
    if let Some(error) = parsed.diagnostics.errors().next() {
        return Err(Diagnostic::from_oxc(path, source, error));
    }
    if parsed.panicked {
        return Err(Diagnostic::at(
            path,
            source,
            0,
            "the parser gave up on this file".to_string(),
        ));
    }
    let built = SemanticBuilder::new()
        .with_check_syntax_error(true)
        .with_build_nodes(true)
        .build(&parsed.program);
    if let Some(error) = built.diagnostics.errors().next() {
        return Err(Diagnostic::from_oxc(path, source, error));
    }
    let lowered = lower::lower(source, path, &allocator, &built.semantic, opts.jsx)?;
    strip::strip_types(lowered, path, source, source_type)
}

/// The syntax of a file, by extension. Plain `.js` may hold JSX (as in Next.js apps).
pub(crate) fn source_type_of(path: &Path) -> Option<SourceType> {
    let source_type = SourceType::from_path(path).ok()?;
    if source_type.is_javascript() {
        return Some(source_type.with_jsx(true));
    }
    Some(source_type)
}
