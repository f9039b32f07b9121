//! The module linker: from an app directory to one classic script of registry modules.
//!
//! Starting from every module a route names (pages, handlers, layouts, not-found and error
//! files), the [`Compiler`] walks the import graph, passes each module through a
//! [`ModuleTransform`] (the PRISM compiler in production: TSX/TS in, plain ESM out), rewrites
//! it into the registry shape of the render contract, and concatenates the result with the
//! route table:
//!
//! ```text
//! __bext_define("app/page.tsx", function (__bext_module, __bext_exports, __bext_require) {"use strict"; …preamble…
//! …the module's code, line for line…
//! });
//! __bext_routes([...]);
//! ```
//!
//! # Why our own linker and not rolldown
//!
//! rolldown pins its own oxc (we are on 0.146, the last release that builds on rustc 1.95; a
//! rolldown that matches it is older than the features we would want, and a newer rolldown
//! needs a newer rustc), it is a large dependency tree to build on every CI run, and it solves
//! problems we do not have (code splitting, tree shaking, chunk graphs, source maps for
//! browsers). What bext needs is small: resolve specifiers (relative, `@/`, tsconfig `paths`,
//! `node_modules` with `exports`), rewrite ESM into a CommonJS-style registry, wrap CommonJS
//! and JSON. The runtime evaluates every module lazily from one script, so there is no chunking
//! to do. That is a few hundred lines on top of oxc's parser and semantic analysis, and it
//! keeps every byte of the output under our control (the dev overlay's throwing modules, the
//! line-preserving layout).
//!
//! # How ESM is rewritten
//!
//! - Import declarations are removed (their lines kept blank, so line numbers survive); each
//!   distinct specifier becomes `var __bext_mN = __bext_require("<resolved id>")` at the top,
//!   in import order, which is ESM's evaluation order.
//! - **Live bindings: references are rewritten, not destructured.** After
//!   `import {a} from "./x"`, every reference to `a` (found with `oxc_semantic`, so locals
//!   that shadow it are left alone) becomes `__bext_m0.a`: a read of the dependency's exports
//!   object, whose properties are getters. A later reassignment in the exporting module is
//!   seen, and import cycles work as in ESM: a binding read after both modules ran has its
//!   value, and a function declaration is callable even before. The `const {a} = require()`
//!   alternative snapshots values at require time, which breaks both. A called import becomes
//!   `(0, __bext_m0.a)(…)` so `this` is undefined, as in ESM; a shorthand property `{a}`
//!   becomes `{a: __bext_m0.a}`.
//! - Default imports read `m.default` for ESM dependencies (live) and `__bext_default(m)`,
//!   computed once after the require, for CommonJS ones and builtins (Babel-style
//!   `__esModule` packages work; plain CommonJS gets `module.exports`). Namespace imports of
//!   CommonJS get `{default: module.exports, ...module.exports}`.
//! - Exports are installed first thing, before the requires, with one
//!   `__bext_export(exports, {name: () => local, …})`: getters, so they are live and visible
//!   to a cycle that re-enters the module. `export default <expr>` becomes
//!   `const __bext_d = <expr>`; anonymous default functions and classes are named `__bext_d`
//!   (functions stay hoisted declarations). `export * from` is expanded statically into
//!   getters when the target and everything it re-exports is ESM, and copied at run time
//!   (after the require) otherwise.
//! - `import("x")` → `Promise.resolve().then(() => require("<id>"))`, `import.meta` → a
//!   `{url}` object, `process.env.NODE_ENV` → the configured string.
//! - ESM modules get their own parameter names (`__bext_exports`, `__bext_require`), so a
//!   module may declare a top-level `exports` or `require` of its own; `"use strict"` as ESM
//!   implies. Names starting with `__bext_` are reserved.
//!
//! CommonJS modules (no `import`/`export`) are wrapped as they are with `module, exports,
//! require`; only `require("literal")` calls to the global `require` are rewritten to
//! resolved ids. JSON becomes `module.exports = <json>;`.
//!
//! # Errors
//!
//! A syntax error (as parsed, including oxc's semantic checks, since one bad module would
//! make the whole bundle fail to evaluate), a top-level await, or an unresolvable import
//! fails the compile with `path:line:col: message` and a code frame. In `node_modules`, an
//! unresolvable `require()`/`import()` is tolerated (left to throw at run time) because
//! packages guard optional dependencies that way; static imports must resolve everywhere.
//! With [`CompileOptions::embed_errors`] (dev mode) a failing module is emitted as one that
//! throws `__bext_compile_error(<diagnostic json>)` when required, and the rest of the app
//! still links.
//!
//! # Caching
//!
//! [`Compiler`] keeps each module's transform and analysis between compiles, keyed by path
//! and checked by size + mtime, falling back to a content hash. Resolution and emission run
//! every time: they are cheap string work and depend on other files (a new file can change
//! what `./x` means; a dependency turning from CommonJS to ESM changes how it is read).
//!
//! # Known limits
//!
//! - tsconfig `extends` is not followed; `exports` / `imports` conditions are those Next.js
//!   resolves server code with: `react-server`, `node`, `import`, `module`, `require`,
//!   `default` (never `browser`).
//! - Two `export *` sources that export the same name: the first wins (ESM would make the
//!   name ambiguous and drop it).
//! - A package `require()` with a computed argument is left as it is (and fails at run time
//!   unless the id happens to be registered).
//! - The cache trusts size + mtime; an edit that keeps both (same size, within the file
//!   system's mtime granularity) is missed until the next change.

mod analyze;
mod client_props;
mod compiler;
mod context;
mod diagnostic;
mod emit;
mod fonts;
mod mdx;
mod node_builtins;
pub(crate) mod package;
pub(crate) mod resolve;
mod tsconfig;

use std::path::Path;
use std::sync::Arc;

use bext_prism::PositionMap;

pub(crate) use compiler::count_lines;
pub use compiler::{
    BrowserGraph, BrowserModule, CompileOptions, CompileStats, CompiledApp, Compiler,
    DEFAULT_BUILTINS, Origin,
};
pub use diagnostic::{CompileError, CompileErrors, ModuleDiagnostic, code_frame, line_column};
pub use node_builtins::NODE_PROVIDED;

/// The per-module compile step the linker runs before it parses a module: TSX/TS in, plain
/// JavaScript with ESM `import`/`export` out. The lead plugs in PRISM; tests use [`Identity`].
/// Closures `FnMut(&str, &Path) -> Result<String, ModuleDiagnostic>` implement it too.
pub trait ModuleTransform {
    fn transform(&mut self, source: &str, path: &Path) -> Result<String, ModuleDiagnostic>;

    /// [`ModuleTransform::transform`] with the map from the output's positions back to the
    /// source, for stack traces; a transform that keeps positions needs none.
    fn transform_mapped(
        &mut self,
        source: &str,
        path: &Path,
    ) -> Result<(String, Option<Arc<PositionMap>>), ModuleDiagnostic> {
        self.transform(source, path).map(|code| (code, None))
    }

    /// [`ModuleTransform::transform_mapped`] for a module of a client component's graph (a
    /// `"use client"` module or one it imports): its JSX must render through the runtime's
    /// element path, where client components' output gets React's text separators (PRISM
    /// builds elements there: `JsxMode::Runtime`). The default is the plain transform.
    fn transform_client(
        &mut self,
        source: &str,
        path: &Path,
    ) -> Result<(String, Option<Arc<PositionMap>>), ModuleDiagnostic> {
        self.transform_mapped(source, path)
    }
}

impl<F> ModuleTransform for F
where
    F: FnMut(&str, &Path) -> Result<String, ModuleDiagnostic>,
{
    fn transform(&mut self, source: &str, path: &Path) -> Result<String, ModuleDiagnostic> {
        self(source, path)
    }
}

/// Returns the source unchanged: for apps written in plain JavaScript (or TypeScript without
/// type syntax), and for tests.
#[derive(Clone, Copy, Debug, Default)]
pub struct Identity;

impl ModuleTransform for Identity {
    fn transform(&mut self, source: &str, _path: &Path) -> Result<String, ModuleDiagnostic> {
        Ok(source.to_owned())
    }
}
