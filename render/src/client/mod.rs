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
use rustc_hash::FxHashSet;

use crate::link::{
    BrowserGraph, CompileError, CompileErrors, Compiler, ModuleDiagnostic, ModuleTransform,
};
use crate::media::StaticFile;

/// bext's browser runtime, by module id (ESM, linked like app modules).
const RUNTIME_MODULES: &[(&str, &str)] = &[
    ("bext/client", include_str!("../../js/client/router.js")),
    ("bext/client/tree", include_str!("../../js/client/tree.js")),
    ("next/link", include_str!("../../js/client/link.js")),
    (
        "next/navigation",
        include_str!("../../js/client/navigation.js"),
    ),
    ("next/dynamic", include_str!("../../js/client/dynamic.js")),
    ("next/script", include_str!("../../js/client/script.js")),
];

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
pub fn build(
    compiler: &mut Compiler,
    entries: &[(String, PathBuf)],
) -> Result<ClientBuild, CompileErrors> {
    react_installed(compiler.root())?;
    let graph = compiler.compile_browser(entries, RUNTIME_MODULES, &mut BrowserTransform)?;
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
    let runtime_code = chunk_code(&graph, &in_runtime, true);
    let runtime_bytes = runtime_code.len();
    let runtime = chunk_file(runtime_code)?;
    let mut chunks = serde_json::Map::new();
    for (i, (id, _)) in entries.iter().enumerate() {
        let own = reach(&graph, &[i], &in_runtime);
        let file = chunk_file(chunk_code(&graph, &own, false))?;
        chunks.insert(id.clone(), serde_json::json!([file.url]));
        files.push(Arc::new(file));
    }
    let manifest = serde_json::json!({ "runtime": runtime.url, "chunks": chunks });
    files.push(Arc::new(runtime));
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

/// A chunk's script: its modules' definitions, given the registry's `define`.
fn chunk_code(graph: &BrowserGraph, members: &FxHashSet<usize>, runtime: bool) -> String {
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
    for i in order {
        out.push_str(&graph.modules[i].code);
    }
    out.push_str("});\n");
    out
}

fn chunk_file(code: String) -> Result<StaticFile, CompileErrors> {
    if code.len() > CLIENT_CHUNK_BYTES_MAX {
        return Err(CompileErrors(vec![CompileError::file(
            "app",
            format!(
                "a browser chunk of the client components is {} bytes, more than {CLIENT_CHUNK_BYTES_MAX}",
                code.len()
            ),
        )]));
    }
    let url = format!(
        "{CHUNKS_PREFIX}{:016x}.js",
        crate::css::hash(code.as_bytes())
    );
    Ok(StaticFile::precompressed(
        url,
        code.into_bytes().into(),
        "text/javascript; charset=utf-8",
    ))
}

/// The browser's compile of app modules.
struct BrowserTransform;

impl ModuleTransform for BrowserTransform {
    fn transform(&mut self, source: &str, path: &Path) -> Result<String, ModuleDiagnostic> {
        bext_prism::transform_browser(source, path).map_err(|d| ModuleDiagnostic {
            line: d.line,
            column: d.column,
            message: d.message,
            frame: d.frame,
        })
    }
}
