//! One module, parsed once: its format, its dependencies and the edits that turn it into a
//! registry module. The result owns only strings and offsets (the oxc arena is dropped before
//! it returns), so it is what the dev cache keeps; emitting from it is a linear splice.

use std::path::Path;

use oxc::allocator::Allocator;
use oxc::ast::AstKind;
use oxc::ast::ast::{
    Argument, BindingPattern, Declaration, ExportDefaultDeclarationKind, Expression,
    ImportDeclarationSpecifier, ModuleExportName, Statement,
};
use oxc::parser::{ParseOptions, Parser};
use oxc::semantic::{Semantic, SemanticBuilder};
use oxc::span::{GetSpan, SourceType, Span};
use oxc::syntax::symbol::SymbolId;
use rustc_hash::FxHashMap;

use super::diagnostic::CompileError;

/// How a module is wrapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// Has `import`/`export`/`import.meta`: rewritten to the registry's CommonJS shape.
    Esm,
    /// Anything else: wrapped as it is, `require("literal")` rewritten to resolved ids.
    Cjs,
    /// A `.json` file: `module.exports = <json>;`.
    Json,
}

/// A module after analysis.
#[derive(Debug)]
pub(crate) struct ModuleRecord {
    /// The (transformed) source the offsets below point into.
    pub code: String,
    pub format: Format,
    /// Distinct specifiers, in order of first appearance.
    pub deps: Vec<Dep>,
    /// Sorted by `start`, never overlapping.
    pub edits: Vec<Edit>,
    /// ESM exports in source order: exported name → what it reads.
    pub exports: Vec<(String, Binding)>,
    /// Dep indices of `export * from`.
    pub stars: Vec<u32>,
    pub uses_import_meta: bool,
    /// Has an `import()` of a template over a folder: the folder's files may change without
    /// this file changing, so the compile cache never keeps it.
    pub uses_context: bool,
    /// `export const dynamic = "force-dynamic"` (or `export const revalidate = 0`), written as
    /// literals: a route with this module renders for every request, known before its first.
    pub force_dynamic: bool,
    /// The module's directive prologue: `"use client"` (a client component's module) and
    /// `"use server"` (a module of Server Actions).
    pub use_client: bool,
    pub use_server: bool,
    /// Where a function says `"use server"` (an inline Server Action), if one does.
    pub inline_server_action: Option<u32>,
    /// Problems that are errors in app code but tolerated in `node_modules` (where a package
    /// may guard them behind code paths that never run): offset and message.
    pub soft_errors: Vec<(u32, String)>,
}

#[derive(Debug)]
pub(crate) struct Dep {
    pub specifier: String,
    /// Offset of the first occurrence of the specifier literal, for error positions.
    pub offset: u32,
    /// Required at the top of the module (a static `import` or `export … from`), in the order
    /// of this offset. `None` when only `require()`d or `import()`ed.
    pub hoisted_at: Option<u32>,
}

/// What an exported name or a rewritten reference reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Binding {
    /// A top-level binding of this module.
    Local(String),
    /// A binding imported from dep `dep`.
    Import { dep: u32, name: Imported },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Imported {
    Named(String),
    Default,
    Namespace,
}

#[derive(Debug)]
pub(crate) struct Edit {
    pub start: u32,
    pub end: u32,
    pub with: Replace,
}

#[derive(Debug)]
pub(crate) enum Replace {
    Text(String),
    /// A reference to an import binding. `callee` when it is called or tags a template (so it
    /// is called with `this` undefined, as in ESM); `shorthand` holds the key of a shorthand
    /// property `{a}` that must become `{a: …}`.
    Import {
        dep: u32,
        name: Imported,
        callee: bool,
        shorthand: Option<String>,
    },
    /// The string literal argument of `require("…")`.
    RequireId {
        dep: u32,
    },
    /// A whole `import("…")` expression.
    Dynamic {
        dep: u32,
    },
    /// The `import(` of an `import(`./dir/${x}.json`)`: the files it may name, each under the
    /// keys it answers to (see `context.rs`), looked up when the template is evaluated.
    Context {
        files: Vec<(Vec<String>, u32)>,
    },
}

/// The name generated for an anonymous default export.
pub(crate) const DEFAULT_LOCAL: &str = "__bext_d";
/// `import.meta` becomes this variable, declared in the module's preamble.
pub(crate) const IMPORT_META_LOCAL: &str = "__bext_meta";
/// An ESM module's `require` parameter (see `emit`: ESM code may declare its own `require`).
pub(crate) const ESM_REQUIRE: &str = "__bext_require";

/// Parses `code` (the transform's output) and works out the module's rewrite.
/// `path` picks the source type (`.mjs` module, `.cjs` CommonJS, else decided by content) and
/// names the module in errors; `node_env` replaces `process.env.NODE_ENV`.
pub(crate) fn analyze(
    code: String,
    path: &Path,
    display: &Path,
    node_env: &str,
) -> Result<ModuleRecord, CompileError> {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if extension == "json" {
        return analyze_json(code, display);
    }
    let source_type = match extension {
        "mjs" => SourceType::mjs(),
        "cjs" => SourceType::cjs(),
        _ => SourceType::unambiguous(),
    };
    let allocator = Allocator::default();
    let options = ParseOptions {
        allow_return_outside_function: true,
        ..ParseOptions::default()
    };
    let parsed = Parser::new(&allocator, &code, source_type)
        .with_options(options)
        .parse();
    if let Some(error) = parsed.diagnostics.errors().next() {
        return Err(oxc_error(display, &code, error));
    }
    let built = SemanticBuilder::new()
        .with_build_nodes(true)
        .with_check_syntax_error(true)
        .build(&parsed.program);
    if let Some(error) = built.diagnostics.errors().next() {
        return Err(oxc_error(display, &code, error));
    }
    let prologue = |name: &str| {
        parsed
            .program
            .directives
            .iter()
            .any(|d| d.directive.as_str() == name)
    };
    let (use_client, use_server) = (prologue("use client"), prologue("use server"));
    let inline_server_action = built
        .semantic
        .nodes()
        .iter()
        .find_map(|node| match node.kind() {
            AstKind::Directive(d)
                if d.directive.as_str() == "use server"
                    && !parsed.program.directives.iter().any(|p| p.span == d.span) =>
            {
                Some(d.span.start)
            }
            _ => None,
        });
    let format = if parsed.program.source_type.is_module() {
        Format::Esm
    } else {
        Format::Cjs
    };
    let mut walk = Walk {
        semantic: &built.semantic,
        code: &code,
        format,
        node_env,
        deps: Vec::new(),
        dep_index: FxHashMap::default(),
        edits: Vec::new(),
        exports: Vec::new(),
        stars: Vec::new(),
        imports: FxHashMap::default(),
        uses_import_meta: false,
        uses_context: false,
        force_dynamic: false,
        soft_errors: Vec::new(),
        path,
    };
    if format == Format::Esm {
        walk.module_declarations(&parsed.program.body)
            .map_err(|(offset, message)| {
                CompileError::at(display, &code, offset as usize, message)
            })?;
        walk.import_references();
    }
    walk.expressions()
        .map_err(|(offset, message)| CompileError::at(display, &code, offset as usize, message))?;

    let Walk {
        mut edits,
        deps,
        exports,
        stars,
        uses_import_meta,
        uses_context,
        force_dynamic,
        soft_errors,
        ..
    } = walk;
    edits.sort_by_key(|e| (e.start, e.end));
    if let Some(pair) = edits.windows(2).find(|w| w[0].end > w[1].start) {
        return Err(CompileError::at(
            display,
            &code,
            pair[1].start as usize,
            "internal linker error: two rewrites overlap here".to_owned(),
        ));
    }
    Ok(ModuleRecord {
        code,
        format,
        deps,
        edits,
        exports,
        stars,
        uses_import_meta,
        uses_context,
        force_dynamic,
        use_client,
        use_server,
        inline_server_action,
        soft_errors,
    })
}

impl ModuleRecord {
    /// A module whose value is `code`: JSON, or a JavaScript expression made by bext (an
    /// image's object), emitted as `module.exports = <code>`.
    pub(crate) fn value(code: String) -> ModuleRecord {
        ModuleRecord {
            code,
            format: Format::Json,
            deps: Vec::new(),
            edits: Vec::new(),
            exports: Vec::new(),
            stars: Vec::new(),
            uses_import_meta: false,
            uses_context: false,
            force_dynamic: false,
            use_client: false,
            use_server: false,
            inline_server_action: None,
            soft_errors: Vec::new(),
        }
    }
}

fn analyze_json(code: String, display: &Path) -> Result<ModuleRecord, CompileError> {
    if let Err(error) = serde_json::from_str::<serde::de::IgnoredAny>(&code) {
        let offset = offset_of(&code, error.line(), error.column());
        // serde_json appends "at line L column C": the position is ours to print.
        let text = error.to_string();
        let message = text
            .rsplit_once(" at line ")
            .map_or(text.as_str(), |(m, _)| m);
        return Err(CompileError::at(
            display,
            &code,
            offset,
            format!("invalid JSON: {message}"),
        ));
    }
    Ok(ModuleRecord::value(code))
}

/// Byte offset of a 1-based line and column (serde_json counts columns in bytes).
fn offset_of(code: &str, line: usize, column: usize) -> usize {
    let line_start: usize = code
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(code.len())
}

fn oxc_error(display: &Path, code: &str, error: &oxc::diagnostics::OxcDiagnostic) -> CompileError {
    // Multi-label errors ("declared here … redeclared here") end with the offending place.
    let label = error
        .labels
        .iter()
        .find(|l| l.primary())
        .or(error.labels.last());
    let offset = label.map_or(0, |l| l.offset() as usize);
    let mut message = error.message.to_string();
    if let Some(help) = &error.help {
        message.push_str(&format!(" ({help})"));
    }
    CompileError::at(display, code, offset, message)
}

type WalkError = (u32, String);

/// `dynamic = "force-dynamic"` or `revalidate = 0`, as a route segment's config says it.
fn forces_dynamic(declarator: &oxc::ast::ast::VariableDeclarator<'_>) -> bool {
    let Some(name) = declarator.id.get_identifier_name() else {
        return false;
    };
    match (name.as_str(), &declarator.init) {
        ("dynamic", Some(Expression::StringLiteral(value))) => value.value == "force-dynamic",
        ("revalidate", Some(Expression::NumericLiteral(value))) => value.value == 0.0,
        _ => false,
    }
}

struct Walk<'s, 'a> {
    semantic: &'s Semantic<'a>,
    code: &'s str,
    format: Format,
    node_env: &'s str,
    deps: Vec<Dep>,
    dep_index: FxHashMap<String, u32>,
    edits: Vec<Edit>,
    exports: Vec<(String, Binding)>,
    stars: Vec<u32>,
    /// Import bindings of this module by symbol.
    imports: FxHashMap<SymbolId, (u32, Imported)>,
    uses_import_meta: bool,
    uses_context: bool,
    force_dynamic: bool,
    soft_errors: Vec<(u32, String)>,
    /// The module's file (for `import()` of a template over a folder).
    path: &'s Path,
}

impl<'a> Walk<'_, 'a> {
    fn dep(&mut self, specifier: &str, offset: u32, hoisted: bool) -> u32 {
        let index = match self.dep_index.get(specifier) {
            Some(&i) => i,
            None => {
                let i = self.deps.len() as u32;
                self.deps.push(Dep {
                    specifier: specifier.to_owned(),
                    offset,
                    hoisted_at: None,
                });
                self.dep_index.insert(specifier.to_owned(), i);
                i
            }
        };
        let dep = &mut self.deps[index as usize];
        if hoisted && dep.hoisted_at.is_none() {
            dep.hoisted_at = Some(offset);
        }
        index
    }

    fn text(&mut self, start: u32, end: u32, text: impl Into<String>) {
        self.edits.push(Edit {
            start,
            end,
            with: Replace::Text(text.into()),
        });
    }

    /// Removes a statement but keeps its line breaks, so the lines after it keep their numbers.
    fn blank(&mut self, span: Span) {
        let removed = &self.code[span.start as usize..span.end as usize];
        let newlines = "\n".repeat(removed.matches('\n').count());
        self.text(span.start, span.end, newlines);
    }

    /// Top-level `import`/`export` statements: two passes, because `export {a}` may come
    /// before the `import {a}` it re-exports.
    fn module_declarations(&mut self, body: &[Statement<'a>]) -> Result<(), WalkError> {
        for statement in body {
            let Statement::ImportDeclaration(decl) = statement else {
                continue;
            };
            self.blank(decl.span);
            if decl.import_kind.is_type() {
                continue;
            }
            let dep = self.dep(&decl.source.value, decl.source.span.start, true);
            for specifier in decl.specifiers.iter().flatten() {
                let (local, name) = match specifier {
                    ImportDeclarationSpecifier::ImportSpecifier(s) => {
                        if s.import_kind.is_type() {
                            continue;
                        }
                        let imported = s.imported.name();
                        let name = if imported == "default" {
                            Imported::Default
                        } else {
                            Imported::Named(imported.to_string())
                        };
                        (&s.local, name)
                    }
                    ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                        (&s.local, Imported::Default)
                    }
                    ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                        (&s.local, Imported::Namespace)
                    }
                };
                if let Some(symbol) = local.symbol_id.get() {
                    self.imports.insert(symbol, (dep, name));
                }
            }
        }
        for statement in body {
            match statement {
                Statement::ExportAllDeclaration(decl) => {
                    self.blank(decl.span);
                    if decl.export_kind.is_type() {
                        continue;
                    }
                    let dep = self.dep(&decl.source.value, decl.source.span.start, true);
                    match &decl.exported {
                        Some(name) => self.exports.push((
                            name.name().to_string(),
                            Binding::Import {
                                dep,
                                name: Imported::Namespace,
                            },
                        )),
                        None => self.stars.push(dep),
                    }
                }
                Statement::ExportFromDeclaration(decl) => {
                    self.blank(decl.span);
                    if decl.export_kind.is_type() {
                        continue;
                    }
                    let dep = self.dep(&decl.source.value, decl.source.span.start, true);
                    for specifier in decl.specifiers.iter().filter(|s| !s.export_kind.is_type()) {
                        let local = specifier.local.name();
                        let name = if local == "default" {
                            Imported::Default
                        } else {
                            Imported::Named(local.to_string())
                        };
                        self.exports.push((
                            specifier.exported.name().to_string(),
                            Binding::Import { dep, name },
                        ));
                    }
                }
                Statement::ExportNamedDeclaration(decl) => {
                    self.blank(decl.span);
                    if decl.export_kind.is_type() {
                        continue;
                    }
                    for specifier in decl.specifiers.iter().filter(|s| !s.export_kind.is_type()) {
                        let binding = self.local_export(&specifier.local);
                        self.exports
                            .push((specifier.exported.name().to_string(), binding));
                    }
                }
                Statement::ExportDeclaration(decl) => {
                    if decl.declaration.is_typescript_syntax() {
                        self.blank(decl.span);
                        continue;
                    }
                    self.text(decl.span.start, decl.declaration.span().start, "");
                    self.declared_names(&decl.declaration);
                }
                Statement::ExportDefaultDeclaration(decl) => {
                    self.export_default(decl.span, &decl.declaration)
                }
                Statement::TSExportAssignment(decl) => {
                    return Err((
                        decl.span.start,
                        "`export =` is not supported in ES modules".to_owned(),
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// `export {a}`: `a` is a local, or an import being passed on.
    fn local_export(&self, local: &ModuleExportName<'a>) -> Binding {
        if let ModuleExportName::IdentifierReference(ident) = local
            && let Some(reference) = ident.reference_id.get()
            && let Some(symbol) = self.semantic.scoping().get_reference(reference).symbol_id()
            && let Some((dep, name)) = self.imports.get(&symbol)
        {
            return Binding::Import {
                dep: *dep,
                name: name.clone(),
            };
        }
        Binding::Local(local.name().to_string())
    }

    fn declared_names(&mut self, declaration: &Declaration<'a>) {
        let mut names: Vec<String> = Vec::new();
        match declaration {
            Declaration::VariableDeclaration(v) => {
                for declarator in &v.declarations {
                    collect_bound(&declarator.id, &mut names);
                    if v.kind.is_const() && forces_dynamic(declarator) {
                        self.force_dynamic = true;
                    }
                }
            }
            Declaration::FunctionDeclaration(f) => {
                names.extend(f.id.as_ref().map(|id| id.name.to_string()))
            }
            Declaration::ClassDeclaration(c) => {
                names.extend(c.id.as_ref().map(|id| id.name.to_string()))
            }
            _ => {}
        }
        self.exports
            .extend(names.into_iter().map(|n| (n.clone(), Binding::Local(n))));
    }

    fn export_default(&mut self, span: Span, declaration: &ExportDefaultDeclarationKind<'a>) {
        let local = match declaration {
            ExportDefaultDeclarationKind::FunctionDeclaration(f) => {
                self.text(span.start, f.span.start, "");
                match &f.id {
                    Some(id) => id.name.to_string(),
                    None => {
                        // `function (…)` → `function __bext_d(…)`: still a hoisted declaration,
                        // as ESM wants (a cycle may call it before this module ran).
                        let at = f.params.span.start;
                        let spaced = self.code[..at as usize].ends_with(char::is_whitespace);
                        self.text(
                            at,
                            at,
                            if spaced {
                                DEFAULT_LOCAL.to_owned()
                            } else {
                                format!(" {DEFAULT_LOCAL}")
                            },
                        );
                        DEFAULT_LOCAL.to_owned()
                    }
                }
            }
            ExportDefaultDeclarationKind::ClassDeclaration(c) => match &c.id {
                Some(id) => {
                    self.text(span.start, c.span.start, "");
                    id.name.to_string()
                }
                None if self.code[c.span.start as usize..].starts_with("class") => {
                    self.text(span.start, c.span.start, "");
                    let after_keyword = c.span.start + "class".len() as u32;
                    self.text(after_keyword, after_keyword, format!(" {DEFAULT_LOCAL}"));
                    DEFAULT_LOCAL.to_owned()
                }
                None => {
                    // Decorated: keep it an expression.
                    self.text(
                        span.start,
                        c.span.start,
                        format!("const {DEFAULT_LOCAL} = "),
                    );
                    self.text(c.span.end, c.span.end, ";");
                    DEFAULT_LOCAL.to_owned()
                }
            },
            ExportDefaultDeclarationKind::TSInterfaceDeclaration(_) => {
                self.blank(span);
                return;
            }
            expression => {
                self.text(
                    span.start,
                    expression.span().start,
                    format!("const {DEFAULT_LOCAL} = "),
                );
                DEFAULT_LOCAL.to_owned()
            }
        };
        self.exports
            .push(("default".to_owned(), Binding::Local(local)));
    }

    /// Every reference to an import binding becomes a read of the dependency's exports
    /// object, so it stays live (see the module docs).
    fn import_references(&mut self) {
        let scoping = self.semantic.scoping();
        let nodes = self.semantic.nodes();
        let mut edits = Vec::new();
        for (&symbol, (dep, name)) in &self.imports {
            for &reference in scoping.get_resolved_reference_ids(symbol) {
                let node = scoping.get_reference(reference).node_id();
                let AstKind::IdentifierReference(ident) = nodes.kind(node) else {
                    continue;
                };
                let (mut callee, mut shorthand) = (false, None);
                match nodes.parent_kind(node) {
                    // Handled with the export statement, which is removed.
                    AstKind::ExportSpecifier(_) => continue,
                    AstKind::ObjectProperty(p) if p.shorthand => {
                        shorthand = Some(ident.name.to_string())
                    }
                    AstKind::CallExpression(c) => callee = c.callee.span() == ident.span,
                    AstKind::TaggedTemplateExpression(t) => callee = t.tag.span() == ident.span,
                    _ => {}
                }
                let with = Replace::Import {
                    dep: *dep,
                    name: name.clone(),
                    callee,
                    shorthand,
                };
                edits.push(Edit {
                    start: ident.span.start,
                    end: ident.span.end,
                    with,
                });
            }
        }
        self.edits.extend(edits);
    }

    /// Expression-level rewrites anywhere in the module: `require("…")`, `import("…")`,
    /// `import.meta`, `process.env.NODE_ENV`, and the top-level-await check.
    fn expressions(&mut self) -> Result<(), WalkError> {
        let semantic = self.semantic;
        let nodes = semantic.nodes();
        for node in nodes.iter() {
            match node.kind() {
                AstKind::CallExpression(call) => {
                    let Expression::Identifier(callee) = &call.callee else {
                        continue;
                    };
                    if callee.name != "require"
                        || call.arguments.len() != 1
                        || !semantic.is_reference_to_global_variable(callee)
                    {
                        continue;
                    }
                    let Some(Argument::StringLiteral(literal)) = call.arguments.first() else {
                        continue;
                    };
                    // `if (process.env.NODE_ENV === "production") … else require("./dev")`:
                    // a require on the branch not taken is never reached, so its module stays
                    // out (React's development builds, in the browser bundle).
                    if self.dead_under_node_env(node.id(), call.span) {
                        continue;
                    }
                    let dep = self.dep(&literal.value, literal.span.start, false);
                    self.edits.push(Edit {
                        start: literal.span.start,
                        end: literal.span.end,
                        with: Replace::RequireId { dep },
                    });
                    if self.format == Format::Esm {
                        self.text(callee.span.start, callee.span.end, ESM_REQUIRE);
                    }
                }
                AstKind::ImportExpression(import) => {
                    if let Expression::StringLiteral(literal) = &import.source {
                        let dep = self.dep(&literal.value, literal.span.start, false);
                        self.edits.push(Edit {
                            start: import.span.start,
                            end: import.span.end,
                            with: Replace::Dynamic { dep },
                        });
                    } else if let Expression::TemplateLiteral(template) = &import.source {
                        let quasis: Vec<String> = template
                            .quasis
                            .iter()
                            .map(|q| {
                                q.value
                                    .cooked
                                    .as_ref()
                                    .map_or(String::new(), |c| c.to_string())
                            })
                            .collect();
                        match super::context::matches(self.path, &quasis) {
                            Ok(found) => {
                                self.uses_context = true;
                                let files = found
                                    .iter()
                                    .map(|spec| {
                                        let dep = self.dep(spec, template.span.start, false);
                                        (super::context::keys(spec), dep)
                                    })
                                    .collect();
                                self.edits.push(Edit {
                                    start: import.span.start,
                                    end: template.span.start,
                                    with: Replace::Context { files },
                                });
                            }
                            Err(message) => {
                                self.soft_errors.push((import.span.start, message.clone()));
                                let text = format!(
                                    "Promise.reject(new Error({}))",
                                    serde_json::Value::from(message)
                                );
                                self.text(import.span.start, import.span.end, text);
                            }
                        }
                    } else {
                        let message = "import() needs a string literal or a template over a folder: the linker bundles what it can see";
                        self.soft_errors
                            .push((import.span.start, message.to_owned()));
                        let text = format!(
                            "Promise.reject(new Error({}))",
                            serde_json::Value::from(message)
                        );
                        self.text(import.span.start, import.span.end, text);
                    }
                }
                AstKind::ImportMeta(meta) => {
                    self.uses_import_meta = true;
                    self.text(meta.span.start, meta.span.end, IMPORT_META_LOCAL);
                }
                AstKind::StaticMemberExpression(member) if self.is_node_env(member) => {
                    let written = match nodes.parent_kind(node.id()) {
                        AstKind::AssignmentExpression(a) => a.left.span() == member.span,
                        AstKind::UpdateExpression(_) => true,
                        _ => false,
                    };
                    if !written {
                        self.text(
                            member.span.start,
                            member.span.end,
                            serde_json::Value::from(self.node_env).to_string(),
                        );
                    }
                }
                AstKind::AwaitExpression(a) if self.at_top_level(node.scope_id()) => {
                    return Err((
                        a.span.start,
                        "top-level await is not supported: move it into the loader".to_owned(),
                    ));
                }
                AstKind::ForOfStatement(f) if f.r#await && self.at_top_level(node.scope_id()) => {
                    return Err((
                        f.span.start,
                        "top-level for await is not supported".to_owned(),
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Whether `span` (of node `id`) lies on a branch that a test of `process.env.NODE_ENV`
    /// against a string rules out, given the configured `NODE_ENV`.
    fn dead_under_node_env(&self, id: oxc::semantic::NodeId, span: Span) -> bool {
        let inside = |outer: Span| outer.start <= span.start && span.end <= outer.end;
        for ancestor in self.semantic.nodes().ancestors(id) {
            let (test, yes, no) = match ancestor.kind() {
                AstKind::IfStatement(s) => (
                    &s.test,
                    s.consequent.span(),
                    s.alternate.as_ref().map(|a| a.span()),
                ),
                AstKind::ConditionalExpression(c) => {
                    (&c.test, c.consequent.span(), Some(c.alternate.span()))
                }
                _ => continue,
            };
            let Some(taken) = self.node_env_test(test) else {
                continue;
            };
            if (taken && no.is_some_and(inside)) || (!taken && inside(yes)) {
                return true;
            }
        }
        false
    }

    /// `process.env.NODE_ENV === "x"` (or `!==`, `==`, `!=`, either side), evaluated.
    fn node_env_test(&self, test: &Expression) -> Option<bool> {
        let Expression::BinaryExpression(b) = test.without_parentheses() else {
            return None;
        };
        let equal = match b.operator {
            oxc::syntax::operator::BinaryOperator::StrictEquality
            | oxc::syntax::operator::BinaryOperator::Equality => true,
            oxc::syntax::operator::BinaryOperator::StrictInequality
            | oxc::syntax::operator::BinaryOperator::Inequality => false,
            _ => return None,
        };
        let value = match (&b.left, &b.right) {
            (e, Expression::StringLiteral(s)) | (Expression::StringLiteral(s), e)
                if matches!(e.without_parentheses(),
                    Expression::StaticMemberExpression(m) if self.is_node_env(m)) =>
            {
                s.value.as_str()
            }
            _ => return None,
        };
        Some((value == self.node_env) == equal)
    }

    /// `process.env.NODE_ENV`, with `process` the global.
    fn is_node_env(&self, member: &oxc::ast::ast::StaticMemberExpression) -> bool {
        let Expression::StaticMemberExpression(env) = &member.object else {
            return false;
        };
        let Expression::Identifier(process) = &env.object else {
            return false;
        };
        member.property.name == "NODE_ENV"
            && env.property.name == "env"
            && process.name == "process"
            && self.semantic.is_reference_to_global_variable(process)
    }

    fn at_top_level(&self, scope: oxc::syntax::scope::ScopeId) -> bool {
        let scoping = self.semantic.scoping();
        !scoping
            .scope_ancestors(scope)
            .any(|s| scoping.scope_flags(s).is_function())
    }
}

fn collect_bound(pattern: &BindingPattern<'_>, names: &mut Vec<String>) {
    names.extend(
        pattern
            .get_binding_identifiers()
            .iter()
            .map(|id| id.name.to_string()),
    );
}
