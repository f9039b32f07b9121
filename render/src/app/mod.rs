//! App discovery: the Next.js App Router conventions, turned into a [`RouteTable`].
//!
//! An app is a directory with an `app/` folder (and optionally `public/`, served as static
//! files by the server; discovery only reports its path). Under `app/`:
//!
//! - `page.{tsx,jsx,ts,js}` makes its folder a page route; `route.{ts,js,tsx,jsx,mjs,cjs}`
//!   makes it a handler route (`GET`/`POST`/… exports). A folder with both is an error naming
//!   both files. `robots`, `sitemap` and `manifest` modules are metadata routes
//!   (`/robots.txt`, `…/sitemap.xml`, `/manifest.webmanifest`; a sitemap also at
//!   `…/sitemap/[__metadata_id__]` for `generateSitemaps`, the runtime answering 404 at the
//!   one of the two that does not apply); favicon, icon, apple-icon,
//!   Open Graph and Twitter image files (and static robots/sitemap/manifest files) are listed
//!   as metadata files, served as they are.
//! - `layout.*` wraps every route below it, `template.*` wraps inside its folder's layout and
//!   `loading.*` is a Suspense boundary inside that template (its fallback never shows: pages
//!   render whole); every page needs a root layout above it (`app/layout.*`, or one per
//!   top-level folder).
//!   `not-found.*` and `error.*` apply to their folder and below; each route records the
//!   nearest one, and `app/global-error.*` if there is one.
//! - Folder names: `[id]` one segment, `[...slug]` one or more, `[[...slug]]` zero or more,
//!   `(group)` no URL segment (but its layout applies), `_private` not a route at all (and not
//!   even looked into). `@slot` folders are parallel routes: each page records, for every
//!   layout above it with slots, the slot's page for the same place or its `default`.
//!   Intercepting folders (`(.)x`) matter only to client-side navigation and are skipped.
//! - Two routes that resolve to the same URL (through groups, or an optional catch-all and a
//!   page at its parent) are an error naming both files.
//!
//! Design: the file system is read in one place (`scan.rs`); everything else works on a list of
//! relative file names, so the conventions are tested with string lists and no temp dirs.
//! Module ids are those relative names (`app/blog/[slug]/page.tsx`), the same ids the linker
//! gives modules, so route entries point straight into the bundle's registry.

mod decode;
mod scan;
mod segment;
mod table;
mod tree;

use std::fmt;
use std::path::{Path, PathBuf};

pub use table::{MetadataFile, Param, Route, RouteKind, RouteMatch, RouteTable};

/// A discovered app.
#[derive(Clone, Debug)]
pub struct App {
    pub root: PathBuf,
    pub routes: RouteTable,
    /// `<root>/public` when it is a directory.
    pub public_dir: Option<PathBuf>,
    /// The module id of `middleware.ts` (or Next 16's `proxy.ts`) at the root, if any.
    pub middleware: Option<String>,
    /// The module id of `next.config.{js,mjs,cjs,ts,mts}` at the root, if any.
    pub next_config: Option<String>,
}

/// Where Next.js looks for middleware: `proxy` is its name since Next 16, `middleware` before.
const MIDDLEWARE_FILES: &[&str] = &["proxy", "middleware"];
const MIDDLEWARE_EXTENSIONS: &[&str] = &["ts", "js", "mjs", "tsx", "jsx"];
/// next.config file names, in the order Next.js tries them.
const CONFIG_FILES: &[&str] = &[
    "next.config.js",
    "next.config.mjs",
    "next.config.ts",
    "next.config.mts",
    "next.config.cjs",
];

/// A problem with the app's layout. `file` is relative to the app root; when two files clash,
/// `message` names the other one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppError {
    pub file: String,
    pub message: String,
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for AppError {}

/// Discovers the app under `root`: lists `app/`, builds the route table, finds `public/`.
pub fn discover(root: &Path) -> Result<App, Vec<AppError>> {
    let files = scan::list_app_files(root).map_err(|e| vec![e])?;
    let routes = RouteTable::from_files(&files)?;
    let public = root.join("public");
    let middleware = MIDDLEWARE_FILES.iter().find_map(|stem| {
        MIDDLEWARE_EXTENSIONS
            .iter()
            .map(|ext| format!("{stem}.{ext}"))
            .find(|name| root.join(name).is_file())
    });
    let next_config = CONFIG_FILES
        .iter()
        .find(|name| root.join(name).is_file())
        .map(|name| (*name).to_owned());
    Ok(App {
        root: root.to_path_buf(),
        routes,
        public_dir: public.is_dir().then_some(public),
        middleware,
        next_config,
    })
}
