//! The compile driver: discovery, the module graph walk, the per-module cache, the bundle.

use std::collections::hash_map::DefaultHasher;
use std::fmt;
use std::fs;
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bext_core::limits::{APP_MODULES_MAX, APP_SOURCE_BYTES_MAX};
use rustc_hash::{FxHashMap, FxHashSet};

use super::ModuleTransform;
use super::analyze::{Format, ModuleRecord, analyze};
use super::diagnostic::{CompileError, CompileErrors, code_frame};
use super::emit::{Star, Target, emit_failed, emit_module};
use super::resolve::{Resolved, Resolver, module_id};
use super::tsconfig::load_aliases;
use crate::app::{RouteTable, discover};
use crate::media::StaticFile;
use crate::positions::{Positions, Span};
use bext_prism::PositionMap;

/// Ids the runtime provides itself (see the render contract): imports of these are left as
/// `require("<id>")` and never resolved in `node_modules`.
pub const DEFAULT_BUILTINS: &[&str] = &[
    "bext/server",
    "bext/realtime",
    "bext/jsx-runtime",
    "next/navigation",
    "next/headers",
    "next/link",
    "next/server",
    "next/dynamic",
    "next/script",
    "next/image",
    "next/form",
    "next/font/local",
    "next/font/google",
    "@next/mdx",
    "path",
    "node:path",
    "path/posix",
    "node:path/posix",
    // The rest of Node's built-ins bext provides (render/js/node.js; NODE_PROVIDED names them).
    "fs",
    "node:fs",
    "fs/promises",
    "node:fs/promises",
    "buffer",
    "node:buffer",
    "events",
    "node:events",
    "util",
    "node:util",
    "util/types",
    "node:util/types",
    "crypto",
    "node:crypto",
    "url",
    "node:url",
    "querystring",
    "node:querystring",
    "string_decoder",
    "node:string_decoder",
    "os",
    "node:os",
    "react",
    "react/jsx-runtime",
    "react/jsx-dev-runtime",
    "react-dom",
    "react-dom/server",
    "react-dom/static",
];

/// How an app is compiled.
#[derive(Clone, Debug)]
pub struct CompileOptions {
    /// Dev mode: a module that fails to compile becomes a module that throws its diagnostic
    /// when required (`__bext_compile_error`), and the compile succeeds with the errors listed
    /// in [`CompiledApp::errors`]. Off: any error fails the compile.
    pub embed_errors: bool,
    /// Ids left to the runtime. Defaults to [`DEFAULT_BUILTINS`].
    pub builtins: Vec<String>,
    /// Pass `node_modules` files through the transform too. Off by default: packages ship
    /// plain JavaScript, and some (sloppy-mode CommonJS) would not survive a TSX pipeline.
    pub transform_node_modules: bool,
    /// What `process.env.NODE_ENV` is replaced with (packages branch on it for dev checks).
    pub node_env: String,
}

impl Default for CompileOptions {
    fn default() -> CompileOptions {
        CompileOptions {
            embed_errors: false,
            builtins: DEFAULT_BUILTINS.iter().map(|s| (*s).to_owned()).collect(),
            transform_node_modules: false,
            node_env: "production".to_owned(),
        }
    }
}

/// A compiled app.
#[derive(Clone, Debug)]
pub struct CompiledApp {
    /// The linked modules, then the `__bext_routes([...])` statement. The runtimes
    /// (`PRISM_RUNTIME_JS`, `APP_RUNTIME_JS`) go in front of it.
    pub bundle: String,
    pub routes: RouteTable,
    pub public_dir: Option<PathBuf>,
    /// The middleware module (`middleware.ts` / `proxy.ts`), bundled as an entry.
    pub middleware: Option<String>,
    /// The `next.config.*` module, bundled as an entry and evaluated once at load.
    pub next_config: Option<String>,
    /// Where each module sits in `bundle`, for stack traces.
    pub positions: Positions,
    /// Modules in the bundle (failed ones included in dev mode).
    pub modules: usize,
    /// Errors embedded in the bundle (dev mode only; empty otherwise).
    pub errors: Vec<CompileError>,
    /// Every source file of the bundle, for a dev watcher that wants to know what matters.
    pub sources: Vec<PathBuf>,
    /// The built-in ids some module imports, sorted (the loader snapshots the app's files
    /// only when `fs` is among them).
    pub builtins: Vec<String>,
    /// Files modules bring in (imported images, `next/font` files and stylesheets), served
    /// at their URLs.
    pub media: Vec<Arc<StaticFile>>,
    /// What modules use that bext does not do as Next would, for the start-up log.
    pub notes: Vec<String>,
    /// Routes (indices into `routes`) whose page or a layout says `dynamic = "force-dynamic"`
    /// (or `revalidate = 0`): rendered for every request, streamed from the first.
    pub force_dynamic: Vec<usize>,
    /// The app's `"use client"` modules (id, path): the entries of its browser bundle.
    pub client_entries: Vec<(String, PathBuf)>,
    pub stats: CompileStats,
}

/// What one compile did, for the "compiled N modules in X ms" log line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CompileStats {
    pub modules: usize,
    /// Modules transformed and analysed this time.
    pub compiled: usize,
    /// Modules whose previous result was reused (unchanged since the last compile).
    pub reused: usize,
    pub bundle_bytes: usize,
    pub elapsed: Duration,
}

impl fmt::Display for CompileStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "compiled {} modules ({} rebuilt, {} cached, {} KiB) in {:.1} ms",
            self.modules,
            self.compiled,
            self.reused,
            self.bundle_bytes / 1024,
            self.elapsed.as_secs_f64() * 1000.0
        )
    }
}

/// Compiles one app, again and again (dev mode), reusing what did not change.
pub struct Compiler {
    root: PathBuf,
    options: CompileOptions,
    cache: FxHashMap<PathBuf, CacheEntry>,
    last_stats: CompileStats,
    /// Modules that are not files (bext's browser runtime): the path each stands at, with
    /// its id and source.
    virtuals: FxHashMap<PathBuf, (String, &'static str)>,
}

/// A module of a browser bundle, emitted in the registry shape (`__bext_define(…)`).
#[derive(Debug)]
pub struct BrowserModule {
    pub id: String,
    pub code: String,
    /// Indices (into the graph's modules) of the modules it imports.
    pub imports: Vec<usize>,
    /// Lines `code_lines.0 .. code_lines.0 + code_lines.1` (0-based) of `code` are the
    /// module's own code, line for line (the registry rewrite moves columns, never lines).
    pub code_lines: (u32, u32),
    /// The file the module's code comes from, for source maps; None for code made here
    /// (a stylesheet's or an image's module, MDX).
    pub origin: Option<Origin>,
}

/// Where a browser module's code comes from.
#[derive(Debug)]
pub struct Origin {
    /// The file, relative to the app's root (bext's runtime modules: `bext/<id>.js`).
    pub name: String,
    /// The file's text.
    pub text: String,
    /// The transform's map from the module's code back to `text`; None when the code is
    /// the text (packages).
    pub map: Option<Arc<PositionMap>>,
}

/// The browser's module graph of an app's client components ([`Compiler::compile_browser`]).
#[derive(Debug)]
pub struct BrowserGraph {
    /// Every module, the entries first in the order given.
    pub modules: Vec<BrowserModule>,
}

/// A module's transform + analysis, kept while its file stays the same. A file counts as
/// unchanged when its size and mtime match, or, when they do not, when its content hashes the
/// same (a `touch`, a checkout that rewrote it identically).
struct CacheEntry {
    /// Transformed for a client component's graph ([`ModuleTransform::transform_client`]).
    client: bool,
    len: u64,
    modified: Option<SystemTime>,
    hash: u64,
    loaded: Arc<Loaded>,
}

struct Loaded {
    result: Result<ModuleRecord, CompileError>,
    /// A stylesheet import: the URL its compiled stylesheet is served at.
    stylesheet: Option<String>,
    /// Other files the result was made from (a stylesheet's `@import`s), with the size and
    /// mtime they had: a change to any of them is a change to the module.
    also: Vec<Watched>,
    /// The transform ran (so the record's code is not the file's text).
    transformed: bool,
    /// The transform's map back to the source, when it moved positions.
    map: Option<Arc<PositionMap>>,
    /// Files the module brings in (an image module's file, `next/font` files and
    /// stylesheets), served at their URLs.
    media: Vec<Arc<StaticFile>>,
    /// Lines for the start-up log (fonts not downloaded).
    notes: Vec<String>,
}

/// A module of this compile's graph.
struct Node {
    id: String,
    path: PathBuf,
    loaded: Option<Arc<Loaded>>,
    links: Vec<Link>,
    errors: Vec<CompileError>,
}

enum Link {
    Module(usize),
    Builtin(String),
    Missing,
}

impl Compiler {
    /// A compiler for the app at `root` (canonicalised when possible, so module ids do not
    /// depend on how the root was spelt).
    pub fn new(root: &Path, options: CompileOptions) -> Compiler {
        let root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        Compiler {
            root,
            options,
            cache: FxHashMap::default(),
            last_stats: CompileStats::default(),
            virtuals: FxHashMap::default(),
        }
    }

    /// The browser's module graph from `entries` (module id and file, as the server bundle
    /// names them: the app's `"use client"` modules) and `virtuals` (id and source: bext's
    /// browser runtime, which imports `react` and `react-dom/client` from the app's
    /// `node_modules`). Packages resolve with the browser's conditions; app modules go
    /// through `transform` (the browser's TSX compile); nothing is a builtin.
    pub fn compile_browser(
        &mut self,
        entries: &[(String, PathBuf)],
        virtuals: &[(&str, &'static str)],
        transform: &mut dyn ModuleTransform,
    ) -> Result<BrowserGraph, CompileErrors> {
        let aliases = load_aliases(&self.root).map_err(|e| CompileErrors(vec![e]))?;
        // Where the runtime's modules stand: inside node_modules, so that `react` resolves
        // from the app's packages and they are not transformed as app code.
        let at = self.root.join("node_modules/.bext-client");
        self.virtuals = virtuals
            .iter()
            .map(|(id, source)| (at.join(format!("{id}.js")), ((*id).to_owned(), *source)))
            .collect();
        let ids = self
            .virtuals
            .iter()
            .map(|(path, (id, _))| (id.clone(), path.clone()))
            .collect();
        let mut resolver = Resolver::for_browser(ids, aliases);
        let mut nodes: Vec<Node> = Vec::new();
        let mut index: FxHashMap<PathBuf, usize> = FxHashMap::default();
        let runtime = virtuals
            .iter()
            .map(|(id, _)| (id.to_string(), at.join(format!("{id}.js"))));
        for (id, path) in entries.iter().cloned().chain(runtime) {
            let key = fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if index.contains_key(&key) {
                continue;
            }
            index.insert(key, nodes.len());
            nodes.push(Node {
                id,
                path,
                loaded: None,
                links: Vec::new(),
                errors: Vec::new(),
            });
        }
        self.walk(&mut nodes, &mut index, &mut resolver, transform, 0)?;
        let errors: Vec<CompileError> = nodes
            .iter()
            .flat_map(|n| n.errors.iter().cloned())
            .collect();
        if !errors.is_empty() {
            return Err(CompileErrors(errors));
        }
        let mut star_memo = FxHashMap::default();
        let modules = (0..nodes.len())
            .map(|i| {
                let mut code = String::new();
                let at = emit_node(&nodes, i, &mut star_memo, &mut code, false);
                let code_lines = match (at, nodes[i].loaded.as_deref().map(|l| &l.result)) {
                    (Some(at), Some(Ok(record))) => {
                        (count_lines(&code[..at]), count_lines(&record.code) + 1)
                    }
                    _ => (0, 0),
                };
                BrowserModule {
                    id: nodes[i].id.clone(),
                    origin: self.origin(&nodes[i]),
                    code_lines,
                    code,
                    imports: nodes[i]
                        .links
                        .iter()
                        .filter_map(|l| match l {
                            Link::Module(j) => Some(*j),
                            _ => None,
                        })
                        .collect(),
                }
            })
            .collect();
        Ok(BrowserGraph { modules })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where a browser module's code comes from (see [`BrowserModule::origin`]).
    fn origin(&self, node: &Node) -> Option<Origin> {
        if let Some((id, text)) = self.virtuals.get(&node.path) {
            return Some(Origin {
                name: format!("bext/{id}.js"),
                text: (*text).to_owned(),
                map: None,
            });
        }
        let loaded = node.loaded.as_deref()?;
        let script = node
            .path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| {
                matches!(
                    e,
                    "js" | "mjs" | "cjs" | "jsx" | "ts" | "tsx" | "mts" | "cts" | "json"
                )
            });
        if !script || loaded.stylesheet.is_some() || (loaded.transformed && loaded.map.is_none()) {
            return None;
        }
        let text = fs::read_to_string(&node.path).ok()?;
        let name = node
            .path
            .strip_prefix(&self.root)
            .unwrap_or(&node.path)
            .to_string_lossy()
            .into_owned();
        Some(Origin {
            name,
            text,
            map: loaded.map.clone(),
        })
    }

    /// The stats of the last compile.
    pub fn last_stats(&self) -> CompileStats {
        self.last_stats
    }

    /// Discovers the routes, walks the module graph from every route module, and links the
    /// bundle. Without `embed_errors`, every error found is returned (not just the first).
    pub fn compile(
        &mut self,
        transform: &mut dyn ModuleTransform,
    ) -> Result<CompiledApp, CompileErrors> {
        let started = Instant::now();
        let app = discover(&self.root).map_err(|errors| {
            CompileErrors(
                errors
                    .into_iter()
                    .map(|e| CompileError::file(e.file, e.message))
                    .collect(),
            )
        })?;
        let aliases = load_aliases(&self.root).map_err(|e| CompileErrors(vec![e]))?;
        let mut resolver = Resolver::new(&self.options.builtins, aliases);

        let mut nodes: Vec<Node> = Vec::new();
        let mut index: FxHashMap<PathBuf, usize> = FxHashMap::default();
        let entries = app
            .routes
            .modules()
            .into_iter()
            .chain(app.middleware.as_deref())
            .chain(app.next_config.as_deref());
        for id in entries {
            let path = self.root.join(id);
            let key = fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            index.insert(key, nodes.len());
            nodes.push(Node {
                id: id.to_owned(),
                path,
                loaded: None,
                links: Vec::new(),
                errors: Vec::new(),
            });
        }
        let (mut compiled, mut reused) =
            self.walk(&mut nodes, &mut index, &mut resolver, transform, 0)?;

        server_actions_in_client_components(&mut nodes);
        // The modules client components reach are compiled again with JSX as elements. That
        // compile can import more than the first (an import used only in an event handler,
        // which the server's compile drops with the handler), so their links are resolved
        // again, new modules walked, and the client graph found again, until nothing moves.
        let mut client_graph = client_graph(&nodes);
        for _ in 0..CLIENT_GRAPH_PASSES_MAX {
            let known = nodes.len();
            let mut moved = false;
            for (i, &wanted) in client_graph.iter().enumerate() {
                let is_client = self.cache.get(&nodes[i].path).is_some_and(|e| e.client);
                let path = &nodes[i].path;
                let script = !crate::css::is_stylesheet(path)
                    && !crate::media::is_image_module(path)
                    && path.extension().is_none_or(|e| e != "json");
                if !script
                    || is_client == wanted
                    || nodes[i].loaded.is_none()
                    || !nodes[i].errors.is_empty()
                {
                    continue;
                }
                moved = true;
                let (path, id) = (nodes[i].path.clone(), nodes[i].id.clone());
                let (loaded, was_cached) = self.load(&path, &id, transform, Some(wanted));
                if was_cached {
                    reused += 1;
                } else {
                    compiled += 1;
                }
                let same_imports = match (&loaded.result, nodes[i].loaded.as_deref()) {
                    (
                        Ok(record),
                        Some(Loaded {
                            result: Ok(before), ..
                        }),
                    ) => {
                        before.deps.len() == record.deps.len()
                            && before
                                .deps
                                .iter()
                                .zip(&record.deps)
                                .all(|(a, b)| a.specifier == b.specifier)
                    }
                    _ => false,
                };
                if !same_imports {
                    self.link_node(&mut nodes, &mut index, &mut resolver, i, &loaded);
                }
                nodes[i].loaded = Some(loaded);
            }
            if !moved {
                break;
            }
            // (Only a recompiled module's new imports add nodes.)
            let (c, r) = self.walk(&mut nodes, &mut index, &mut resolver, transform, known)?;
            compiled += c;
            reused += r;
            client_graph = self::client_graph(&nodes);
        }
        functions_passed_to_client_components(&mut nodes, &client_graph);
        // Error pages say "use client" under Next (they get `reset`). `error.tsx` hydrates
        // when the app has other client components (it needs React in the browser anyway);
        // in an app that has none, and always for `global-error.tsx` (the whole document),
        // bext renders them on the server only (render/js/app.js, `errorPage`): the browser
        // then needs none of their code unless something else imports them.
        let is_client = |n: &Node| matches!(n.loaded.as_deref().map(|l| &l.result), Some(Ok(r)) if r.use_client);
        let global_errors: FxHashSet<&str> = app
            .routes
            .routes()
            .iter()
            .flat_map(|r| r.global_error.iter())
            .map(String::as_str)
            .collect();
        let mut error_pages: FxHashSet<&str> = app
            .routes
            .routes()
            .iter()
            .flat_map(|r| r.error.iter())
            .map(String::as_str)
            .collect();
        let others = nodes.iter().any(|n| {
            is_client(n)
                && !error_pages.contains(n.id.as_str())
                && !global_errors.contains(n.id.as_str())
        });
        if others {
            error_pages.clear();
        }
        error_pages.extend(global_errors);
        let imported: FxHashSet<usize> = nodes
            .iter()
            .flat_map(|n| n.links.iter())
            .filter_map(|l| match l {
                Link::Module(j) => Some(*j),
                _ => None,
            })
            .collect();
        let client_entries: Vec<(String, PathBuf)> = nodes
            .iter()
            .enumerate()
            .filter(|(i, n)| {
                is_client(n) && (!error_pages.contains(n.id.as_str()) || imported.contains(i))
            })
            .map(|(_, n)| (n.id.clone(), n.path.clone()))
            .collect();

        let seen: FxHashSet<&Path> = nodes.iter().map(|n| n.path.as_path()).collect();
        self.cache.retain(|path, _| seen.contains(path.as_path()));

        let (mut bundle, spans) = link(&nodes, &app.routes, self.options.embed_errors);
        bundle.push_str(&styles_statement(&nodes, &app.routes.modules()));
        if let Some(middleware) = &app.middleware {
            bundle.push_str(&format!(
                "__bext_middleware({});\n",
                serde_json::Value::from(middleware.as_str())
            ));
        }
        let errors: Vec<CompileError> = nodes
            .iter()
            .flat_map(|n| n.errors.iter().cloned())
            .collect();
        let stats = CompileStats {
            modules: nodes.len(),
            compiled,
            reused,
            bundle_bytes: bundle.len(),
            elapsed: started.elapsed(),
        };
        self.last_stats = stats;
        if !errors.is_empty() && !self.options.embed_errors {
            return Err(CompileErrors(errors));
        }
        let mut builtins: Vec<String> = nodes
            .iter()
            .flat_map(|n| n.links.iter())
            .filter_map(|link| match link {
                Link::Builtin(id) => Some(id.clone()),
                _ => None,
            })
            .collect();
        builtins.sort();
        builtins.dedup();
        let media = nodes
            .iter()
            .filter_map(|n| n.loaded.as_ref())
            .flat_map(|l| l.media.iter().cloned())
            .collect();
        let mut notes: Vec<String> = nodes
            .iter()
            .filter_map(|n| n.loaded.as_ref())
            .flat_map(|l| l.notes.iter().cloned())
            .collect();
        notes.sort();
        notes.dedup();
        let forcing: FxHashSet<&str> = nodes
            .iter()
            .filter(|n| {
                matches!(n.loaded.as_deref().map(|l| &l.result), Some(Ok(r)) if r.force_dynamic)
            })
            .map(|n| n.id.as_str())
            .collect();
        let force_dynamic = app
            .routes
            .routes()
            .iter()
            .enumerate()
            .filter(|(_, route)| {
                route.kind == crate::app::RouteKind::Page
                    && route
                        .module
                        .iter()
                        .chain(route.layouts.iter())
                        .any(|m| forcing.contains(m.as_str()))
            })
            .map(|(i, _)| i)
            .collect();
        Ok(CompiledApp {
            client_entries,
            force_dynamic,
            builtins,
            media,
            notes,
            bundle,
            routes: app.routes,
            public_dir: app.public_dir,
            middleware: app.middleware,
            next_config: app.next_config,
            positions: Positions::new(spans),
            modules: nodes.len(),
            errors,
            sources: nodes
                .iter()
                .flat_map(|n| {
                    let also = n.loaded.iter().flat_map(|l| l.also.iter());
                    std::iter::once(n.path.clone()).chain(also.map(|w| w.path.clone()))
                })
                .collect(),
            stats,
        })
    }

    /// The module at `path`, from the cache when unchanged. The bool is true on a cache hit.
    /// Loads `nodes` and everything they import, depth-first in import order: each module
    /// transformed and analysed (or taken from the cache), its imports resolved, new files
    /// appended. Returns how many modules were compiled and reused.
    /// Loads nodes `from..` and every module they reach that is not a node yet.
    fn walk(
        &mut self,
        nodes: &mut Vec<Node>,
        index: &mut FxHashMap<PathBuf, usize>,
        resolver: &mut Resolver,
        transform: &mut dyn ModuleTransform,
        from: usize,
    ) -> Result<(usize, usize), CompileErrors> {
        let (mut compiled, mut reused) = (0, 0);
        let mut current = from;
        while current < nodes.len() {
            if nodes.len() > APP_MODULES_MAX {
                let error =
                    CompileError::file("app", format!("more than {APP_MODULES_MAX} modules"));
                return Err(CompileErrors(vec![error]));
            }
            let (path, id) = (nodes[current].path.clone(), nodes[current].id.clone());
            // Either compile of the module will do here (the same imports): the client graph
            // is known once the walk is done, and modules are compiled again where they
            // turn out to be in it, or no longer.
            let (loaded, was_cached) = self.load(&path, &id, transform, None);
            if was_cached {
                reused += 1;
            } else {
                compiled += 1;
            }
            self.link_node(nodes, index, resolver, current, &loaded);
            nodes[current].loaded = Some(loaded);
            current += 1;
        }
        Ok((compiled, reused))
    }

    /// Resolves node `i`'s imports as `loaded` has them into its links (new modules become
    /// nodes, to be loaded by [`Compiler::walk`]), with the errors that finds.
    fn link_node(
        &mut self,
        nodes: &mut Vec<Node>,
        index: &mut FxHashMap<PathBuf, usize>,
        resolver: &mut Resolver,
        i: usize,
        loaded: &Arc<Loaded>,
    ) {
        let (path, id) = (nodes[i].path.clone(), nodes[i].id.clone());
        match &loaded.result {
            Err(error) => nodes[i].errors.push(error.clone()),
            Ok(record) => {
                let in_packages = is_in_node_modules(&path);
                let mut errors = Vec::new();
                if !in_packages {
                    for (offset, message) in &record.soft_errors {
                        errors.push(CompileError::at(
                            &id,
                            &record.code,
                            *offset as usize,
                            message.clone(),
                        ));
                    }
                }
                let mut links = Vec::with_capacity(record.deps.len());
                for dep in &record.deps {
                    let link = match resolver.resolve(&path, &dep.specifier) {
                        Ok(Resolved::Builtin(builtin)) => Link::Builtin(builtin),
                        Ok(Resolved::File(file)) => {
                            Link::Module(*index.entry(file.clone()).or_insert_with(|| {
                                let id = match self.virtuals.get(&file) {
                                    Some((id, _)) => id.clone(),
                                    None => module_id(&self.root, &file),
                                };
                                nodes.push(Node {
                                    id,
                                    path: file,
                                    loaded: None,
                                    links: Vec::new(),
                                    errors: Vec::new(),
                                });
                                nodes.len() - 1
                            }))
                        }
                        // A package may `require()` what it does not need on our paths
                        // (optional dependencies, Node-only branches): fail there at run
                        // time, if ever. Static imports must resolve everywhere.
                        Err(_) if in_packages && dep.hoisted_at.is_none() => Link::Missing,
                        Err(message) => {
                            errors.push(resolve_error(
                                &path,
                                &id,
                                loaded,
                                dep.offset,
                                &dep.specifier,
                                message,
                            ));
                            Link::Missing
                        }
                    };
                    links.push(link);
                }
                nodes[i].links = links;
                nodes[i].errors.extend(errors);
            }
        }
    }

    fn load(
        &mut self,
        path: &Path,
        id: &str,
        transform: &mut dyn ModuleTransform,
        wanted: Option<bool>,
    ) -> (Arc<Loaded>, bool) {
        let client = wanted.unwrap_or(false);
        if let Some((_, source)) = self.virtuals.get(path) {
            return (
                Arc::new(self.build((*source).to_owned(), path, id, transform, client)),
                false,
            );
        }
        let failed = |message: String| {
            (
                Arc::new(Loaded {
                    stylesheet: None,
                    also: Vec::new(),
                    result: Err(CompileError::file(id, message)),
                    transformed: false,
                    map: None,
                    media: Vec::new(),
                    notes: Vec::new(),
                }),
                false,
            )
        };
        let meta = match fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) => return failed(format!("cannot read: {e}")),
        };
        if meta.len() > APP_SOURCE_BYTES_MAX as u64 {
            return failed(format!("larger than {APP_SOURCE_BYTES_MAX} bytes"));
        }
        let modified = meta.modified().ok();
        // A module that imports a template over a folder depends on that folder's listing too:
        // it is analysed again on every compile.
        let listing =
            |entry: &CacheEntry| matches!(&entry.loaded.result, Ok(record) if record.uses_context);
        if let Some(entry) = self.cache.get(path)
            && wanted.is_none_or(|c| entry.client == c)
            && entry.len == meta.len()
            && modified.is_some()
            && entry.modified == modified
            && !listing(entry)
            && unchanged(&entry.loaded.also)
        {
            return (entry.loaded.clone(), true);
        }
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => return failed(format!("cannot read: {e}")),
        };
        let mut hasher = DefaultHasher::new();
        hasher.write(&bytes);
        let hash = hasher.finish();
        if let Some(entry) = self.cache.get_mut(path)
            && wanted.is_none_or(|c| entry.client == c)
            && entry.hash == hash
            && !listing(entry)
            && unchanged(&entry.loaded.also)
        {
            entry.len = meta.len();
            entry.modified = modified;
            return (entry.loaded.clone(), true);
        }
        let loaded = Arc::new(if crate::media::is_image_module(path) {
            image_module(path, id, bytes)
        } else if crate::css::is_stylesheet(path) {
            stylesheet_module(path, &self.root, &self.options.node_env)
        } else {
            match String::from_utf8(bytes) {
                Ok(source) => self.build(source, path, id, transform, client),
                Err(_) => Loaded {
                    stylesheet: None,
                    also: Vec::new(),
                    result: Err(CompileError::file(id, "not UTF-8".to_owned())),
                    transformed: false,
                    map: None,
                    media: Vec::new(),
                    notes: Vec::new(),
                },
            }
        });
        self.cache.insert(
            path.to_path_buf(),
            CacheEntry {
                client,
                len: meta.len(),
                modified,
                hash,
                loaded: loaded.clone(),
            },
        );
        (loaded, false)
    }

    fn build(
        &self,
        mut source: String,
        path: &Path,
        id: &str,
        transform: &mut dyn ModuleTransform,
        client: bool,
    ) -> Loaded {
        if source.starts_with('\u{feff}') {
            source.drain(..'\u{feff}'.len_utf8());
        }
        let is_json = path.extension().is_some_and(|e| e == "json");
        let skip = is_json || (is_in_node_modules(path) && !self.options.transform_node_modules);
        let is_mdx = path.extension().is_some_and(|e| e == "mdx" || e == "md");
        // MDX becomes JSX first, then goes through the transform as a `.jsx` file would.
        let (source, transform_path) = if is_mdx {
            let provider = self.mdx_provider(path);
            match super::mdx::compile(&source, provider.as_deref()) {
                Ok(jsx) => (jsx, path.with_extension("mdx.jsx")),
                Err((line, column, message)) => {
                    let offset = source
                        .split_inclusive('\n')
                        .take(line.saturating_sub(1))
                        .map(str::len)
                        .sum::<usize>()
                        + column.saturating_sub(1);
                    return Loaded {
                        stylesheet: None,
                        also: Vec::new(),
                        result: Err(CompileError::at(id, &source, offset, message)),
                        transformed: false,
                        map: None,
                        media: Vec::new(),
                        notes: Vec::new(),
                    };
                }
            }
        } else {
            (source, path.to_path_buf())
        };
        let (code, transformed, map) = if skip {
            (source, false, None)
        } else {
            let transformed = if client {
                transform.transform_client(&source, &transform_path)
            } else {
                transform.transform_mapped(&source, &transform_path)
            };
            match transformed {
                Ok((code, map)) => {
                    let changed = code != source;
                    (code, changed, map.filter(|_| changed))
                }
                Err(d) => {
                    let error = CompileError {
                        path: id.into(),
                        line: d.line,
                        column: d.column,
                        message: d.message,
                        frame: d.frame,
                    };
                    return Loaded {
                        stylesheet: None,
                        also: Vec::new(),
                        result: Err(error),
                        transformed: true,
                        map: None,
                        media: Vec::new(),
                        notes: Vec::new(),
                    };
                }
            }
        };
        let (code, media, notes) = if skip {
            (code, Vec::new(), Vec::new())
        } else {
            match super::fonts::rewrite(&code, path, &self.root) {
                Ok(Some(fonts)) => (fonts.code, fonts.files, fonts.notes),
                Ok(None) => (code, Vec::new(), Vec::new()),
                Err((offset, message)) => {
                    return Loaded {
                        stylesheet: None,
                        also: Vec::new(),
                        result: Err(CompileError::at(id, &code, offset as usize, message)),
                        transformed,
                        map: None,
                        media: Vec::new(),
                        notes: Vec::new(),
                    };
                }
            }
        };
        let result = analyze(code, path, Path::new(id), &self.options.node_env).map_err(|mut e| {
            if transformed {
                e.message
                    .push_str(" (in the transformed output of this file)");
            }
            e
        });
        Loaded {
            stylesheet: None,
            also: Vec::new(),
            result,
            transformed,
            map,
            media,
            notes,
        }
    }
}

impl Compiler {
    /// The specifier of the app's `mdx-components` module (at the root, or in `src/`) as an
    /// MDX module at `path` imports it, when the app has one.
    fn mdx_provider(&self, path: &Path) -> Option<String> {
        let found = ["", "src/"].iter().find_map(|dir| {
            ["tsx", "ts", "jsx", "js"].iter().find_map(|ext| {
                let file = self.root.join(format!("{dir}mdx-components.{ext}"));
                file.is_file().then_some(file)
            })
        })?;
        let from = path.parent()?;
        let mut up = String::from("./");
        let mut base = from;
        while !found.starts_with(base) {
            up.push_str("../");
            base = base.parent()?;
        }
        let rest = found.strip_prefix(base).ok()?.with_extension("");
        Some(format!("{up}{}", rest.to_string_lossy()))
    }
}

/// An imported image: a module whose value is Next's static image object (see
/// [`crate::media`]).
fn image_module(path: &Path, id: &str, bytes: Vec<u8>) -> Loaded {
    match crate::media::static_import(path, bytes) {
        Ok(image) => Loaded {
            stylesheet: None,
            also: Vec::new(),
            result: Ok(ModuleRecord::value(image.module_code)),
            transformed: false,
            map: None,
            media: vec![Arc::new(image.file)],
            notes: Vec::new(),
        },
        Err(message) => Loaded {
            stylesheet: None,
            also: Vec::new(),
            result: Err(CompileError::file(id, message)),
            transformed: false,
            map: None,
            media: Vec::new(),
            notes: Vec::new(),
        },
    }
}

/// An imported stylesheet (see [`crate::css`]): a module whose value is `{}`, or a CSS
/// module's class names, and the stylesheet it links into the pages that import it.
fn stylesheet_module(path: &Path, root: &Path, node_env: &str) -> Loaded {
    let id = module_id(root, path);
    match crate::css::compile(path, root) {
        Ok(sheet) => {
            let code = crate::css::module_code(&sheet.exports);
            let also = sheet
                .sources
                .iter()
                .filter(|source| source.as_path() != path)
                .map(|source| Watched::now(source))
                .collect();
            let mut media = vec![sheet.file.clone()];
            media.extend(sheet.assets);
            Loaded {
                result: analyze(code, path, Path::new(&id), node_env),
                stylesheet: Some(sheet.file.url.clone()),
                also,
                transformed: true,
                map: None,
                media,
                notes: Vec::new(),
            }
        }
        Err(error) => {
            let file_id = module_id(root, &error.file);
            let frame = match fs::read_to_string(&error.file) {
                Ok(source) if error.line > 0 => code_frame(&source, error.line, error.column),
                _ => String::new(),
            };
            // The module still depends on the files it reads, so fixing one is seen.
            let also = if error.file != path {
                vec![Watched::now(&error.file)]
            } else {
                Vec::new()
            };
            Loaded {
                result: Err(CompileError {
                    path: file_id.into(),
                    line: error.line,
                    column: error.column,
                    message: error.message,
                    frame,
                }),
                stylesheet: None,
                also,
                transformed: false,
                map: None,
                media: Vec::new(),
                notes: Vec::new(),
            }
        }
    }
}

/// A file a module was made from besides its own (a stylesheet's `@import`), as it was.
#[derive(Debug)]
struct Watched {
    path: PathBuf,
    len: u64,
    modified: Option<SystemTime>,
}

impl Watched {
    fn now(path: &Path) -> Watched {
        let meta = fs::metadata(path).ok();
        Watched {
            path: path.to_path_buf(),
            len: meta.as_ref().map_or(u64::MAX, |m| m.len()),
            modified: meta.and_then(|m| m.modified().ok()),
        }
    }
}

/// Every watched file still has the size and mtime it had.
fn unchanged(watched: &[Watched]) -> bool {
    watched.iter().all(|w| {
        let now = Watched::now(&w.path);
        now.len == w.len && now.modified.is_some() && now.modified == w.modified
    })
}

/// An unresolvable import, positioned in the file as the user wrote it when the transform
/// changed it (the specifier is found by its quoted text), else in the code as parsed.
fn resolve_error(
    path: &Path,
    id: &str,
    loaded: &Loaded,
    offset: u32,
    specifier: &str,
    message: String,
) -> CompileError {
    if loaded.transformed
        && let Ok(original) = fs::read_to_string(path)
    {
        let quoted = ['"', '\'', '`'].map(|q| format!("{q}{specifier}{q}"));
        if let Some(at) = quoted
            .iter()
            .filter_map(|q| original.find(q.as_str()))
            .min()
        {
            return CompileError::at(id, &original, at, message);
        }
    }
    match &loaded.result {
        Ok(record) => CompileError::at(id, &record.code, offset as usize, message),
        Err(_) => CompileError::file(id, message),
    }
}

fn is_in_node_modules(path: &Path) -> bool {
    path.components().any(|c| c.as_os_str() == "node_modules")
}

/// Writes the bundle: every module (sorted by id, so the output is stable), then the routes.
/// Appends module `i` (loaded without errors) in the registry shape; returns where its own
/// code starts in `out`, or None for a module with nothing to emit.
fn emit_node(
    nodes: &[Node],
    i: usize,
    star_memo: &mut FxHashMap<usize, Option<Vec<String>>>,
    out: &mut String,
    server: bool,
) -> Option<usize> {
    let node = &nodes[i];
    let Some(Ok(record)) = node.loaded.as_deref().map(|l| &l.result) else {
        return None;
    };
    let targets: Vec<Target> = node
        .links
        .iter()
        .map(|link| match link {
            Link::Module(i) => {
                let format = match nodes[*i].loaded.as_deref().map(|l| &l.result) {
                    Some(Ok(record)) => record.format,
                    // A failed module throws when required; how it would have been read
                    // does not matter.
                    _ => Format::Cjs,
                };
                Target::Module {
                    id: nodes[*i].id.clone(),
                    format,
                }
            }
            Link::Builtin(id) => Target::Builtin(id.clone()),
            Link::Missing => Target::Missing,
        })
        .collect();
    let stars: Vec<Star> = record
        .stars
        .iter()
        .map(|&dep| match node.links.get(dep as usize) {
            Some(Link::Module(j)) => match star_names(nodes, *j, star_memo, &mut Vec::new()) {
                Some(names) => Star::Names(names),
                None => Star::Runtime,
            },
            _ => Star::Runtime,
        })
        .collect();
    Some(emit_module(out, &node.id, record, &targets, &stars, server))
}

fn link(nodes: &[Node], routes: &RouteTable, embed_errors: bool) -> (String, Vec<Span>) {
    let mut star_memo: FxHashMap<usize, Option<Vec<String>>> = FxHashMap::default();
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_by(|&a, &b| nodes[a].id.cmp(&nodes[b].id));
    let mut out = String::new();
    let mut spans = Vec::new();
    // Lines of `out` counted so far, and up to which byte.
    let (mut lines, mut counted) = (0u32, 0usize);
    for i in order {
        let node = &nodes[i];
        if let Some(error) = node.errors.first() {
            if embed_errors {
                emit_failed(&mut out, &node.id, &error.to_json());
            }
            continue;
        }
        let Some(Ok(record)) = node.loaded.as_deref().map(|l| &l.result) else {
            continue;
        };
        let Some(code_at) = emit_node(nodes, i, &mut star_memo, &mut out, true) else {
            continue;
        };
        if record.format != Format::Json {
            lines += count_lines(&out[counted..code_at]);
            counted = code_at;
            spans.push(Span {
                start: lines,
                lines: count_lines(&record.code) + 1,
                id: node.id.clone(),
                map: node.loaded.as_ref().and_then(|l| l.map.clone()),
            });
        }
    }
    out.push_str(&routes.to_js());
    (out, spans)
}

// tidy: not a limit: a bound on a loop that settles in one or two passes (each can only add
// what the last one's client compiles imported), nothing a user's input can push on.
/// Most passes of recompiling the client graph (see [`Compiler::compile`]).
const CLIENT_GRAPH_PASSES_MAX: usize = 8;

/// Which modules a client component's render reaches: every `"use client"` module of the
/// app and, transitively, what it imports (packages excepted: they are not transformed).
fn client_graph(nodes: &[Node]) -> Vec<bool> {
    let mut reached = vec![false; nodes.len()];
    let mut stack: Vec<usize> = nodes
        .iter()
        .enumerate()
        .filter(
            |(_, n)| matches!(n.loaded.as_deref().map(|l| &l.result), Some(Ok(r)) if r.use_client),
        )
        .map(|(i, _)| i)
        .collect();
    while let Some(i) = stack.pop() {
        if reached[i] || is_in_node_modules(&nodes[i].path) {
            continue;
        }
        reached[i] = true;
        for link in &nodes[i].links {
            if let Link::Module(j) = link
                && !reached[*j]
            {
                stack.push(*j);
            }
        }
    }
    reached
}

/// Server modules that render a client component with a plain function as a prop: an error
/// at the attribute (see `client_props.rs`).
fn functions_passed_to_client_components(nodes: &mut [Node], client_graph: &[bool]) {
    let mut found: Vec<(usize, CompileError)> = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        if client_graph[i] || is_in_node_modules(&node.path) || !node.errors.is_empty() {
            continue;
        }
        let Some(Ok(record)) = node.loaded.as_deref().map(|l| &l.result) else {
            continue;
        };
        let clients: Vec<(&str, &str)> = record
            .deps
            .iter()
            .zip(&node.links)
            .filter_map(|(dep, link)| match link {
                Link::Module(j) => matches!(
                    nodes[*j].loaded.as_deref().map(|l| &l.result),
                    Some(Ok(target)) if target.use_client
                )
                .then(|| (dep.specifier.as_str(), nodes[*j].id.as_str())),
                _ => None,
            })
            .collect();
        if clients.is_empty() {
            continue;
        }
        let Ok(source) = fs::read_to_string(&node.path) else {
            continue;
        };
        for prop in super::client_props::function_props(&source, &node.path) {
            let Some((_, client_id)) = clients.iter().find(|(s, _)| *s == prop.specifier) else {
                continue;
            };
            let message = format!(
                "a function cannot be passed to a client component: prop {:?} of <{}> ({client_id} says \"use client\"). Only data crosses to the browser (JSON-like values, Dates, Maps, Sets, promises, elements); define the handler inside the client component",
                prop.prop, prop.component
            );
            found.push((
                i,
                CompileError::at(&node.id, &source, prop.offset as usize, message),
            ));
        }
    }
    for (i, error) in found {
        nodes[i].errors.push(error);
    }
}

/// Server Actions are not supported yet: a client component's module that defines one inline
/// (a function saying `"use server"`) or imports a `"use server"` module fails the compile
/// there, with the place, rather than rendering a form that could never post.
fn server_actions_in_client_components(nodes: &mut [Node]) {
    const WHY: &str = "Server Actions are not supported by bext yet (a later version will)";
    let mut found: Vec<(usize, CompileError)> = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        let Some(loaded) = node.loaded.as_deref() else {
            continue;
        };
        let Ok(record) = &loaded.result else { continue };
        if !record.use_client {
            continue;
        }
        if let Some(at) = record.inline_server_action {
            let message = format!(
                "a \"use server\" function (a Server Action) inside a \"use client\" module: {WHY}"
            );
            // Placed in the file as written: the first directive inside a block.
            let original = loaded
                .transformed
                .then(|| fs::read_to_string(&node.path).ok())
                .flatten()
                .and_then(|text| {
                    let block = text.find('{')?;
                    let at = ["\"use server\"", "'use server'"]
                        .iter()
                        .filter_map(|d| text[block..].find(d))
                        .min()?;
                    Some((text, block + at))
                });
            let error = match original {
                Some((text, at)) => CompileError::at(&node.id, &text, at, message),
                None => CompileError::at(&node.id, &record.code, at as usize, message),
            };
            found.push((i, error));
        }
        for (dep, link) in record.deps.iter().zip(&node.links) {
            let Link::Module(j) = link else { continue };
            let server = matches!(
                nodes[*j].loaded.as_deref().map(|l| &l.result),
                Some(Ok(target)) if target.use_server
            );
            if server {
                let message = format!(
                    "{:?} is a \"use server\" module (Server Actions), imported by a \"use client\" module: {WHY}",
                    dep.specifier
                );
                let error = resolve_error(
                    &node.path,
                    &node.id,
                    loaded,
                    dep.offset,
                    &dep.specifier,
                    message,
                );
                found.push((i, error));
            }
        }
    }
    for (i, error) in found {
        nodes[i].errors.push(error);
    }
}

/// `__bext_styles({...});`: for each route module (page, layout, template, loading,
/// not-found, error) whose imports reach stylesheets, their URLs in import order. The app
/// runtime links a page's modules' stylesheets, layouts first, each once. Empty when no
/// module imports a stylesheet.
fn styles_statement(nodes: &[Node], entries: &[&str]) -> String {
    let mut map = serde_json::Map::new();
    for entry in entries {
        let Some(start) = nodes.iter().position(|n| n.id == *entry) else {
            continue;
        };
        let mut urls: Vec<String> = Vec::new();
        let mut seen = vec![false; nodes.len()];
        collect_styles(nodes, start, &mut seen, &mut urls);
        if !urls.is_empty() {
            map.insert((*entry).to_owned(), serde_json::Value::from(urls));
        }
    }
    if map.is_empty() {
        return String::new();
    }
    format!("__bext_styles({});\n", serde_json::Value::Object(map))
}

/// Depth first in import order, which is the order modules evaluate in: a stylesheet comes
/// where its import is met.
fn collect_styles(nodes: &[Node], i: usize, seen: &mut [bool], urls: &mut Vec<String>) {
    if std::mem::replace(&mut seen[i], true) {
        return;
    }
    let node = &nodes[i];
    let Some(loaded) = &node.loaded else { return };
    if let Some(url) = &loaded.stylesheet
        && !urls.contains(url)
    {
        urls.push(url.clone());
    }
    for link in &node.links {
        if let Link::Module(j) = link {
            collect_styles(nodes, *j, seen, urls);
        }
    }
}

/// Line breaks in `text`: where a module's code starts in a bundle or chunk, in lines.
pub(crate) fn count_lines(text: &str) -> u32 {
    u32::try_from(text.bytes().filter(|&b| b == b'\n').count()).unwrap_or(u32::MAX)
}

/// The names (without `default`) module `i` exports, when all of them are known statically:
/// it is ESM, and so is every module it star-re-exports. Cycles contribute nothing more.
fn star_names(
    nodes: &[Node],
    i: usize,
    memo: &mut FxHashMap<usize, Option<Vec<String>>>,
    visiting: &mut Vec<usize>,
) -> Option<Vec<String>> {
    if let Some(hit) = memo.get(&i) {
        return hit.clone();
    }
    if visiting.contains(&i) {
        return Some(Vec::new());
    }
    let Some(Ok(record)) = nodes[i].loaded.as_deref().map(|l| &l.result) else {
        return None;
    };
    if record.format != Format::Esm || !nodes[i].errors.is_empty() {
        return None;
    }
    visiting.push(i);
    let mut names: Vec<String> = record
        .exports
        .iter()
        .map(|(n, _)| n.clone())
        .filter(|n| n != "default")
        .collect();
    let mut known = true;
    for &dep in &record.stars {
        let more = match nodes[i].links.get(dep as usize) {
            Some(Link::Module(j)) => star_names(nodes, *j, memo, visiting),
            _ => None,
        };
        match more {
            Some(more) => {
                for name in more {
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
            None => known = false,
        }
    }
    visiting.pop();
    let result = known.then_some(names);
    memo.insert(i, result.clone());
    result
}
