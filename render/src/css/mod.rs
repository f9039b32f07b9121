//! Stylesheets imported by an app's modules: `import "./globals.css"`, CSS modules
//! (`import styles from "./page.module.css"`), and stylesheets of packages.
//!
//! Each imported file is compiled on its own by lightningcss into one minified stylesheet:
//! its `@import`s inlined (relative files, and packages through their `style` export, as
//! `@import "tailwindcss"` is written), vendor prefixes and syntax lowering for the browsers
//! Next.js targets by default ([`targets`]), `url()`s of relative files turned into
//! content-hashed files under `/_next/static/media/` (written relative to the stylesheet, so
//! a base path holds). The stylesheet is served from memory at
//! `/_next/static/chunks/<hash>.css`, immutable, precompressed (Brotli and gzip).
//!
//! A CSS module's class names are scoped as `next build` scopes them (`<hash>_title`, the
//! hash of the file's path in the app) and its module value
//! is the object of them (`composes` expanded, the composed files' rules bundled first).
//!
//! Which stylesheets a page links is decided by the linker from the import graph (see
//! [`crate::link`]): every stylesheet reachable from the page's layouts and the page, in
//! import order, layouts first.
//!
//! # Why one stylesheet per imported file
//!
//! Next (Turbopack) merges a route's CSS into chunks. Keeping one file per import is simpler
//! to cache across compiles (a file is recompiled only when it or a file it `@import`s
//! changes) and costs a few more requests, which HTTP/2 makes cheap; the order of rules
//! in the page is the same.

mod assets;
mod modules;
mod provider;
mod tailwind;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use lightningcss::bundler::Bundler;
use lightningcss::css_modules::{Config, Pattern};
use lightningcss::dependencies::DependencyOptions;
use lightningcss::printer::PrinterOptions;
use lightningcss::stylesheet::{MinifyOptions, ParserOptions, StyleSheet};
use lightningcss::targets::{Browsers, Targets};

use crate::media::StaticFile;
pub(crate) use bext_core::limits::STYLESHEET_BYTES_MAX;

pub(crate) use modules::{Export, module_code};

/// How CSS modules name a class: as `next build` (Turbopack) does, `<hash>_<local>`, the hash
/// lightningcss makes of the file's path in the app.
const MODULE_CLASS_PATTERN: &str = "[hash]_[local]";

/// Where stylesheets are served (their name is a hash of their content), as Next 16 serves
/// its CSS chunks.
const STYLESHEET_URL_PREFIX: &str = "/_next/static/chunks/";

/// An imported stylesheet, compiled.
#[derive(Debug)]
pub(crate) struct Stylesheet {
    /// Served at its `url`.
    pub file: Arc<StaticFile>,
    /// A CSS module's exports, in the order its classes appear; empty for global CSS.
    pub exports: Vec<Export>,
    /// Files its `url()`s name, served at their hashed URLs.
    pub assets: Vec<Arc<StaticFile>>,
    /// Every file it was made from: itself, then what it `@import`s (for the compile cache
    /// and the dev watcher).
    pub sources: Vec<PathBuf>,
}

/// A stylesheet that does not compile: where, and why.
#[derive(Debug)]
pub(crate) struct CssError {
    pub file: PathBuf,
    /// 1-based; 0 when the error has no position.
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Whether `path` is imported as a stylesheet.
pub(crate) fn is_stylesheet(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "css")
}

/// Whether `path` is a CSS module (`*.module.css`).
pub(crate) fn is_css_module(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".module.css"))
}

/// The browsers stylesheets are lowered and prefixed for: Next.js's default browserslist
/// (`chrome 111, edge 111, firefox 111, safari 16.4`).
pub(crate) fn targets() -> Targets {
    let version = |major: u32, minor: u32| Some((major << 16) | (minor << 8));
    Targets::from(Browsers {
        chrome: version(111, 0),
        edge: version(111, 0),
        firefox: version(111, 0),
        safari: version(16, 4),
        ios_saf: version(16, 4),
        ..Browsers::default()
    })
}

/// Compiles the stylesheet at `path` of the app at `root`.
pub(crate) fn compile(path: &Path, root: &Path) -> Result<Stylesheet, CssError> {
    // The bundler loads `@import`s on rayon; a pool of one thread of our own keeps that off
    // the shards' cores' business and leaves no threads behind once the compile is done.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "bext-css".to_owned())
        .build()
        .map_err(|e| CssError {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            message: format!("cannot start the stylesheet compiler: {e}"),
        })?;
    pool.install(|| compile_here(path, root))
}

fn compile_here(path: &Path, root: &Path) -> Result<Stylesheet, CssError> {
    // A Tailwind stylesheet: Tailwind's output (its imports inlined) is what lightningcss reads.
    let entry = std::fs::read_to_string(path).map_err(|e| CssError {
        file: path.to_path_buf(),
        line: 0,
        column: 0,
        message: format!("cannot read: {e}"),
    })?;
    let generated = if tailwind::uses_tailwind(&entry) {
        Some(tailwind::generate(path, &entry, root)?)
    } else {
        None
    };
    let provider = provider::Provider::new(root);
    let module = is_css_module(path);
    let pattern = Pattern::parse(MODULE_CLASS_PATTERN).map_err(|e| CssError {
        file: path.to_path_buf(),
        line: 0,
        column: 0,
        message: format!("CSS modules pattern: {e:?}"),
    })?;
    let options = ParserOptions {
        filename: path.to_string_lossy().into_owned(),
        css_modules: module.then(|| Config {
            pattern,
            dashed_idents: false,
            ..Config::default()
        }),
        ..ParserOptions::default()
    };
    let root_text = root.to_string_lossy().into_owned();
    let (code, exports, dependencies) = match &generated {
        Some(generated) => {
            let sheet = StyleSheet::parse(&generated.css, options).map_err(|e| {
                provider.error(
                    path,
                    e.loc.as_ref(),
                    format!("{} (in Tailwind's output)", e.kind),
                )
            })?;
            print(sheet, path, &root_text, &provider)?
        }
        None => {
            let mut bundler = Bundler::new(&provider, None, options);
            let sheet = bundler
                .bundle(path)
                .map_err(|e| provider.error(path, e.loc.as_ref(), e.kind.to_string()))?;
            print(sheet, path, &root_text, &provider)?
        }
    };
    let assets::Placed {
        code,
        files: assets,
    } = assets::place(code, dependencies.unwrap_or_default(), root)?;
    let exports = exports.map(modules::exports).unwrap_or_default();
    let url = format!("{STYLESHEET_URL_PREFIX}{:016x}.css", hash(code.as_bytes()));
    let file = StaticFile::precompressed(url, code.into_bytes().into(), "text/css; charset=utf-8");
    let sources = match generated {
        Some(generated) => generated.sources,
        None => provider.into_sources(),
    };
    Ok(Stylesheet {
        file: Arc::new(file),
        exports,
        assets,
        sources,
    })
}

/// A parsed stylesheet minified and printed for [`targets`], with its dependencies reported
/// as placeholders (see `assets`) and, for a CSS module, its exports.
type Printed = (
    String,
    Option<lightningcss::css_modules::CssModuleExports>,
    Option<Vec<lightningcss::dependencies::Dependency>>,
);

fn print(
    mut sheet: StyleSheet<'_>,
    path: &Path,
    root_text: &str,
    provider: &provider::Provider,
) -> Result<Printed, CssError> {
    sheet
        .minify(MinifyOptions {
            targets: targets(),
            ..MinifyOptions::default()
        })
        .map_err(|e| provider.error(path, e.loc.as_ref(), e.kind.to_string()))?;
    let printed = sheet
        .to_css(PrinterOptions {
            minify: true,
            project_root: Some(root_text),
            targets: targets(),
            analyze_dependencies: Some(DependencyOptions {
                remove_imports: false,
            }),
            ..PrinterOptions::default()
        })
        .map_err(|e| provider.error(path, e.loc.as_ref(), e.kind.to_string()))?;
    Ok((printed.code, printed.exports, printed.dependencies))
}

/// The content hash stylesheet, asset and client chunk URLs carry.
pub(crate) fn hash(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    hasher.write(bytes);
    hasher.finish()
}

/// `text` as a CSS string (what replaces a dependency's quoted placeholder).
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\{:x} ", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests;
