//! The browser's JavaScript for an app's client components.
//!
//! The server renders every component, `"use client"` ones included, and marks where client
//! components are (PRISM's boundaries, see `render/prism/js/prism.js`). For those the browser
//! needs code: React and react-dom from the app's own `node_modules` (production builds),
//! bext's browser runtime (`render/js/client/`: the registry, hydration, client navigation,
//! `next/link`, `next/navigation`), and the app's client modules with what they import.
//!
//! The linker builds that graph as it builds the server's ([`Compiler::compile_browser`]):
//! the same resolution (with the browser's package conditions), the same registry shape, but
//! app modules compiled by [`bext_prism::transform_browser`] (JSX for React's automatic
//! runtime, not PRISM) and `process.env.NODE_ENV` branches not taken left out (so React's
//! development builds are never bundled).
//!
//! # Chunks
//!
//! One **runtime chunk** holds the registry and everything the runtime's modules reach
//! (React, react-dom, scheduler); one chunk per client module holds it and what it imports
//! beyond the runtime chunk (a module two client modules share is in both chunks; defining a
//! module twice keeps the first). All are classic scripts named by a hash of their content
//! under `/_next/static/chunks/`, served from memory with Brotli and gzip made here, and
//! immutable. A page loads the runtime chunk and the chunks of the client modules it rendered
//! (`render/js/client.js` writes the tags from the manifest, `__bext_client`), as async
//! scripts in any order: chunks queue themselves until the registry arrives.
//!
//! # Why not a bundler from npm
//!
//! The module graph, resolution and module format are the linker's already, and the browser
//! side must agree with the server on module ids (the payload names client modules by the
//! server's ids) and on CSS module class names: one linker gives both for free.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bext_core::limits::{CLIENT_CHUNK_BYTES_MAX, CLIENT_MODULES_MAX};
use bext_prism::PositionMap;
use rustc_hash::FxHashSet;

use self::sourcemap::Span;

use crate::link::{
    BrowserGraph, CompileError, CompileErrors, Compiler, ModuleDiagnostic, ModuleTransform,
    count_lines,
};
use crate::media::StaticFile;

mod minify;
mod sourcemap;

/// bext's browser runtime, by module id (ESM, linked like app modules).
const RUNTIME_MODULES: &[(&str, &str)] = &[
    (
        "bext/client",
        // The router, then the path rule the server's links use too.
        concat!(
            include_str!("../../js/client/router.js"),
            include_str!("../../js/site_path.js")
        ),
    ),
    ("bext/client/tree", include_str!("../../js/client/tree.js")),
    ("next/link", include_str!("../../js/client/link.js")),
    (
        "next/navigation",
        include_str!("../../js/client/navigation.js"),
    ),
    ("next/dynamic", include_str!("../../js/client/dynamic.js")),
    ("next/script", include_str!("../../js/client/script.js")),
    // `<Form>` in a server component leaves a client boundary, as `<Link>` does.
    ("next/form", include_str!("../../js/client/form.js")),
];

/// `next/*` modules a client module may import that the runtime does not need: resolvable,
/// but in a chunk only when an app module imports them.
const LIBRARY_MODULES: &[(&str, &str)] = &[(
    "next/image",
    // The browser's component, then the props code the server's `<Image>` runs too.
    concat!(
        include_str!("../../js/client/image.js"),
        include_str!("../../js/image_props.js")
    ),
)];

/// The registry, first in the runtime chunk (a classic script).
const REGISTRY_JS: &str = include_str!("../../js/client/registry.js");

/// Where chunks are served.
const CHUNKS_PREFIX: &str = "/_next/static/chunks/";

/// The browser build of an app's client components.
pub struct ClientBuild {
    /// Every chunk, served from memory.
    pub files: Vec<Arc<StaticFile>>,
    /// The statement that tells the app runtime which chunks a page needs
    /// (`__bext_client({runtime, chunks})`).
    pub manifest_js: String,
    /// Bytes of the runtime chunk (before compression).
    pub runtime_bytes: usize,
}

/// Builds the chunks for `entries` (the app's `"use client"` modules: server module id and
/// file) with `compiler`, the app's browser compiler (kept between builds for its cache).
/// `minify`: production chunks (`bext serve`); off, the chunks are printed as linked (`bext
/// dev`, where a rebuild should be quick and the code readable). Both have source maps.
pub fn build(
    compiler: &mut Compiler,
    entries: &[(String, PathBuf)],
    minify: bool,
) -> Result<ClientBuild, CompileErrors> {
    react_installed(compiler.root())?;
    let virtuals: Vec<(&str, &'static str)> = RUNTIME_MODULES
        .iter()
        .chain(LIBRARY_MODULES)
        .copied()
        .collect();
    let graph = compiler.compile_browser(entries, &virtuals, &mut BrowserTransform)?;
    if graph.modules.len() > CLIENT_MODULES_MAX {
        return Err(CompileErrors(vec![CompileError::file(
            "app",
            format!(
                "the browser bundle of the client components has {} modules, more than {CLIENT_MODULES_MAX}",
                graph.modules.len()
            ),
        )]));
    }
    let runtime_roots: Vec<usize> = graph
        .modules
        .iter()
        .enumerate()
        .filter(|(_, m)| RUNTIME_MODULES.iter().any(|(id, _)| *id == m.id))
        .map(|(i, _)| i)
        .collect();
    let in_runtime = reach(&graph, &runtime_roots, &FxHashSet::default());
    let mut files = Vec::new();
    let runtime = chunk(&graph, &in_runtime, true, minify)?;
    let runtime_bytes = runtime.code.body.len();
    let mut chunks = serde_json::Map::new();
    for (i, (id, _)) in entries.iter().enumerate() {
        let own = reach(&graph, &[i], &in_runtime);
        let built = chunk(&graph, &own, false, minify)?;
        chunks.insert(id.clone(), serde_json::json!([built.code.url]));
        files.push(Arc::new(built.code));
        files.push(Arc::new(built.map));
    }
    let manifest = serde_json::json!({ "runtime": runtime.code.url, "chunks": chunks });
    files.push(Arc::new(runtime.code));
    files.push(Arc::new(runtime.map));
    Ok(ClientBuild {
        files,
        manifest_js: format!("__bext_client({manifest});\n"),
        runtime_bytes,
    })
}

/// A clear error when the app has client components but no React to run them with.
fn react_installed(root: &Path) -> Result<(), CompileErrors> {
    let found = |package: &str| {
        root.ancestors().any(|dir| {
            dir.join("node_modules")
                .join(package)
                .join("package.json")
                .is_file()
        })
    };
    let missing: Vec<&str> = ["react", "react-dom"]
        .into_iter()
        .filter(|p| !found(p))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(CompileErrors(vec![CompileError::file(
        "package.json",
        format!(
            "the app has \"use client\" components, which run in the browser on the app's own React, but {} {} not installed in {}/node_modules: install react and react-dom (npm install react react-dom)",
            missing.join(" and "),
            if missing.len() == 1 { "is" } else { "are" },
            root.display()
        ),
    )]))
}

/// The modules reachable from `roots`, not counting those in `excluded`, in graph order.
fn reach(graph: &BrowserGraph, roots: &[usize], excluded: &FxHashSet<usize>) -> FxHashSet<usize> {
    let mut seen = FxHashSet::default();
    let mut stack: Vec<usize> = roots.to_vec();
    while let Some(i) = stack.pop() {
        if excluded.contains(&i) || !seen.insert(i) {
            continue;
        }
        stack.extend(graph.modules[i].imports.iter().copied());
    }
    seen
}

/// A chunk's script and its source map.
struct Chunk {
    code: StaticFile,
    map: StaticFile,
}

/// The chunk of `members`: linked, printed (minified or not) and mapped.
fn chunk(
    graph: &BrowserGraph,
    members: &FxHashSet<usize>,
    runtime: bool,
    minify: bool,
) -> Result<Chunk, CompileErrors> {
    let (text, spans) = link(graph, members, runtime);
    if text.len() > CLIENT_CHUNK_BYTES_MAX {
        return Err(CompileErrors(vec![CompileError::file(
            "app",
            format!(
                "a browser chunk of the client components is {} bytes, more than {CLIENT_CHUNK_BYTES_MAX}",
                text.len()
            ),
        )]));
    }
    let printed = minify::print(&text, minify).map_err(|message| {
        CompileErrors(vec![CompileError::file(
            "app",
            format!("internal error: a linked browser chunk does not parse ({message}); please report it"),
        )])
    })?;
    let name = format!("{:016x}.js", crate::css::hash(printed.code.as_bytes()));
    let map = sourcemap::compose(graph, &spans, &printed.tokens, &name);
    let mut code = printed.code;
    code.push_str(&format!("\n//# sourceMappingURL={name}.map\n"));
    Ok(Chunk {
        code: StaticFile::precompressed(
            format!("{CHUNKS_PREFIX}{name}"),
            code.into_bytes().into(),
            "text/javascript; charset=utf-8",
        ),
        // Read by developer tools now and then, not by pages: not worth the start-up time
        // compressing a megabyte at Brotli's quality takes.
        map: StaticFile::new(
            format!("{CHUNKS_PREFIX}{name}.map"),
            map.into_bytes().into(),
            "application/json",
        ),
    })
}

/// A chunk's text before printing: the registry (runtime chunk), then its modules'
/// definitions inside the function the registry calls with its `define`; with where each
/// module's code is in it.
fn link(graph: &BrowserGraph, members: &FxHashSet<usize>, runtime: bool) -> (String, Vec<Span>) {
    let mut order: Vec<usize> = members.iter().copied().collect();
    order.sort_unstable();
    let size: usize = order.iter().map(|&i| graph.modules[i].code.len()).sum();
    let mut out = String::with_capacity(size + REGISTRY_JS.len() + 256);
    if runtime {
        out.push_str(REGISTRY_JS);
        out.push_str("self.__bext_runtime(function (__bext_define) {\n");
    } else {
        out.push_str(
            "(self.__bext_chunks = self.__bext_chunks || []).push(function (__bext_define) {\n",
        );
    }
    let mut line = count_lines(&out);
    let mut spans = Vec::with_capacity(order.len());
    for i in order {
        let module = &graph.modules[i];
        spans.push(Span {
            line: line + module.code_lines.0,
            lines: module.code_lines.1,
            module: i,
        });
        out.push_str(&module.code);
        line += count_lines(&module.code);
    }
    out.push_str("});\n");
    (out, spans)
}

/// The browser's compile of app modules.
struct BrowserTransform;

impl ModuleTransform for BrowserTransform {
    fn transform(&mut self, source: &str, path: &Path) -> Result<String, ModuleDiagnostic> {
        self.transform_mapped(source, path).map(|(code, _)| code)
    }

    fn transform_mapped(
        &mut self,
        source: &str,
        path: &Path,
    ) -> Result<(String, Option<Arc<PositionMap>>), ModuleDiagnostic> {
        bext_prism::transform_browser(source, path)
            .map(|(code, map)| (code, Some(Arc::new(map))))
            .map_err(ModuleDiagnostic::from)
    }
}
