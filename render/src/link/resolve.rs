//! Module resolution: from an import specifier and the importing file to a file (or a builtin).
//!
//! Order: builtin ids the runtime provides → relative paths → aliases (`@/`, tsconfig
//! `paths`) → packages in `node_modules` (walking up from the importer, `exports` first, then
//! `module`, `main`, index files). Files are probed with the extensions below; a `.js`
//! specifier may name a `.ts` file (TypeScript's ESM convention). Resolved files are
//! canonicalised, so a package reached through a symlink (pnpm's layout) is one module and its
//! own dependencies resolve from where it really lives.
//!
//! One resolver lives for one compile: it memoises results and `package.json` reads, and is
//! dropped afterwards so the next compile sees files that appeared or vanished.

use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use bext_core::limits::APP_SOURCE_BYTES_MAX;
use rustc_hash::{FxHashMap, FxHashSet};

use super::node_builtins::{NODE_BUILTINS, not_provided};
use super::package::{
    CONDITIONS, PackageJson, parse_package_json, resolve_exports_with, resolve_imports,
};
use super::tsconfig::{Alias, alias_candidates};

/// Extensions probed, in order, for a specifier without one.
pub(crate) const EXTENSIONS: &[&str] = &["tsx", "ts", "jsx", "js", "mjs", "cjs", "json"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// Provided by the runtime under this id.
    Builtin(String),
    /// A file, canonical.
    File(PathBuf),
}

pub(crate) struct Resolver {
    builtins: FxHashSet<String>,
    /// Package `exports`/`imports` conditions ([`CONDITIONS`] for the server).
    conditions: &'static [&'static str],
    /// Ids of modules that are not files of the app (bext's browser runtime), each with the
    /// path it stands at: its imports resolve from there.
    virtuals: FxHashMap<String, PathBuf>,
    aliases: Vec<Alias>,
    packages: FxHashMap<PathBuf, Option<Arc<PackageJson>>>,
    memo: FxHashMap<(PathBuf, String), Result<Resolved, String>>,
}

impl Resolver {
    pub(crate) fn new(builtins: &[String], aliases: Vec<Alias>) -> Resolver {
        Resolver {
            builtins: builtins.iter().cloned().collect(),
            conditions: CONDITIONS,
            virtuals: FxHashMap::default(),
            aliases,
            packages: FxHashMap::default(),
            memo: FxHashMap::default(),
        }
    }

    /// The resolver of the browser bundle: browser conditions, and `virtuals` (id → the path
    /// it stands at) in place of the server's builtins.
    pub(crate) fn for_browser(
        virtuals: FxHashMap<String, PathBuf>,
        aliases: Vec<Alias>,
    ) -> Resolver {
        let mut resolver = Resolver::new(&[], aliases);
        resolver.conditions = super::package::BROWSER_CONDITIONS;
        resolver.virtuals = virtuals;
        resolver
    }

    /// Resolves `specifier` imported by the file `from`. The error is a message without
    /// position (the caller knows where the specifier is).
    pub(crate) fn resolve(&mut self, from: &Path, specifier: &str) -> Result<Resolved, String> {
        let dir = from.parent().unwrap_or(Path::new("/")).to_path_buf();
        let key = (dir, specifier.to_owned());
        if let Some(hit) = self.memo.get(&key) {
            return hit.clone();
        }
        let result = self.resolve_uncached(&key.0, specifier).map(|r| match r {
            Resolved::File(path) => Resolved::File(fs::canonicalize(&path).unwrap_or(path)),
            builtin => builtin,
        });
        self.memo.insert(key, result.clone());
        result
    }

    fn resolve_uncached(&mut self, dir: &Path, specifier: &str) -> Result<Resolved, String> {
        if self.builtins.contains(specifier) {
            return Ok(Resolved::Builtin(specifier.to_owned()));
        }
        if let Some(path) = self.virtuals.get(specifier) {
            return Ok(Resolved::File(path.clone()));
        }
        if specifier.is_empty() {
            return Err("empty import specifier".to_owned());
        }
        if specifier == "next" || specifier.starts_with("next/") {
            if !self.virtuals.is_empty() {
                let mut provided: Vec<&str> = self
                    .virtuals
                    .keys()
                    .map(String::as_str)
                    .filter(|id| id.starts_with("next/"))
                    .collect();
                provided.sort_unstable();
                return Err(format!(
                    "{specifier} is not available to client components under bext yet (in the browser bext provides {})",
                    provided.join(", ")
                ));
            }
            return Err(unprovided_next_module(specifier));
        }
        if is_relative(specifier) {
            let path = normalize(&dir.join(specifier));
            return self
                .file_or_dir(&path)
                .map(Resolved::File)
                .ok_or_else(|| format!("cannot find {specifier:?}"));
        }
        if specifier.starts_with('/') {
            return Err(format!(
                "cannot import {specifier:?}: absolute paths are not supported, use a relative path or @/"
            ));
        }
        if specifier.starts_with('#') {
            return self.package_import(dir, specifier);
        }
        if let Some(candidates) = alias_candidates(&self.aliases, specifier) {
            for candidate in candidates {
                if let Some(file) = self.file_or_dir(&normalize(&candidate)) {
                    return Ok(Resolved::File(file));
                }
            }
            if specifier.starts_with("@/") {
                return Err(format!("cannot find {specifier:?} (@/ is the app root)"));
            }
        }
        let bare = specifier.strip_prefix("node:").unwrap_or(specifier);
        match self.package(dir, bare) {
            Ok(file) => Ok(Resolved::File(file)),
            Err(_)
                if specifier.starts_with("node:")
                    || NODE_BUILTINS.contains(&package_name(bare).0) =>
            {
                Err(not_provided(specifier))
            }
            Err(e) => Err(e),
        }
    }

    /// `#name`: the nearest `package.json` above the importing file maps it (`imports`).
    fn package_import(&mut self, dir: &Path, specifier: &str) -> Result<Resolved, String> {
        for ancestor in dir.ancestors() {
            let Some(package) = self.package_json(ancestor)? else {
                continue;
            };
            let Some(imports) = &package.imports else {
                return Err(format!(
                    "{specifier:?}: {}/package.json has no \"imports\" field",
                    ancestor.display()
                ));
            };
            let target = resolve_imports(imports, specifier, self.conditions).ok_or_else(|| {
                format!(
                    "{specifier:?} is not in the \"imports\" of {}/package.json",
                    ancestor.display()
                )
            })?;
            if target.starts_with("./") {
                let path = normalize(&ancestor.join(&target));
                return self.file_or_dir(&path).map(Resolved::File).ok_or_else(|| {
                    format!("{specifier:?} maps to {target:?}, which does not exist")
                });
            }
            return self.resolve_uncached(ancestor, &target);
        }
        Err(format!(
            "{specifier:?}: no package.json above the importing file maps it (\"imports\")"
        ))
    }

    fn package(&mut self, dir: &Path, specifier: &str) -> Result<PathBuf, String> {
        let (name, subpath) = package_name(specifier);
        if name.is_empty() || name.starts_with('.') || name.contains('\\') {
            return Err(format!("invalid package name in {specifier:?}"));
        }
        let subpath = if subpath.is_empty() {
            ".".to_owned()
        } else {
            format!(".{subpath}")
        };
        for ancestor in dir.ancestors() {
            if ancestor.file_name().is_some_and(|n| n == "node_modules") {
                continue;
            }
            let package_dir = ancestor.join("node_modules").join(name);
            if package_dir.is_dir() {
                return self.in_package(&package_dir, name, &subpath);
            }
        }
        if let Some(hint) = not_installed(dir, name) {
            return Err(hint);
        }
        Err(format!(
            "cannot find package {name:?} (looked in node_modules up from the importing file)"
        ))
    }

    fn in_package(
        &mut self,
        package_dir: &Path,
        name: &str,
        subpath: &str,
    ) -> Result<PathBuf, String> {
        let package = self.package_json(package_dir)?.unwrap_or_default();
        if let Some(exports) = &package.exports {
            let target = resolve_exports_with(exports, subpath, self.conditions)
                .ok_or_else(|| format!("package {name:?} does not export {subpath:?} (see its package.json \"exports\")"))?;
            let file = normalize(&package_dir.join(&target));
            return if file.is_file() {
                Ok(file)
            } else {
                Err(format!(
                    "package {name:?} exports {subpath:?} as {target:?}, which does not exist"
                ))
            };
        }
        let found = if subpath == "." {
            let entry = package.module.as_deref().or(package.main.as_deref());
            entry
                .and_then(|m| {
                    let path = normalize(&package_dir.join(m));
                    self.file(&path).or_else(|| self.index(&path))
                })
                .or_else(|| self.index(package_dir))
        } else {
            self.file_or_dir(&normalize(&package_dir.join(subpath)))
        };
        found.ok_or_else(|| format!("cannot find {subpath:?} in package {name:?}"))
    }

    fn file_or_dir(&mut self, path: &Path) -> Option<PathBuf> {
        if let Some(file) = self.file(path) {
            return Some(file);
        }
        if !path.is_dir() {
            return None;
        }
        // A folder with a package.json naming its entry (common inside packages).
        if let Ok(Some(package)) = self.package_json(path)
            && let Some(entry) = package.module.as_deref().or(package.main.as_deref())
        {
            let entry = normalize(&path.join(entry));
            if let Some(file) = self.file(&entry).or_else(|| self.index(&entry)) {
                return Some(file);
            }
        }
        self.index(path)
    }

    fn file(&self, path: &Path) -> Option<PathBuf> {
        if path.is_file() {
            return Some(path.to_path_buf());
        }
        for extension in EXTENSIONS {
            let candidate = with_added_extension(path, extension);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
        // TypeScript's ESM convention: `import "./x.js"` names `x.ts`.
        let swaps: &[&str] = match path.extension().and_then(|e| e.to_str()) {
            Some("js") => &["ts", "tsx"],
            Some("jsx") => &["tsx"],
            Some("mjs") => &["mts"],
            Some("cjs") => &["cts"],
            _ => &[],
        };
        swaps
            .iter()
            .map(|e| path.with_extension(e))
            .find(|c| c.is_file())
    }

    fn index(&self, dir: &Path) -> Option<PathBuf> {
        EXTENSIONS
            .iter()
            .map(|e| dir.join(format!("index.{e}")))
            .find(|c| c.is_file())
    }

    fn package_json(&mut self, dir: &Path) -> Result<Option<Arc<PackageJson>>, String> {
        if let Some(hit) = self.packages.get(dir) {
            return Ok(hit.clone());
        }
        let path = dir.join("package.json");
        let parsed = match fs::metadata(&path) {
            Err(_) => None,
            Ok(meta) if meta.len() > APP_SOURCE_BYTES_MAX as u64 => {
                return Err(format!("{} is too large", path.display()));
            }
            Ok(_) => {
                let text = fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                Some(Arc::new(
                    parse_package_json(&text).map_err(|e| format!("{}: {e}", path.display()))?,
                ))
            }
        };
        self.packages.insert(dir.to_path_buf(), parsed.clone());
        Ok(parsed)
    }
}

fn is_relative(specifier: &str) -> bool {
    specifier == "."
        || specifier == ".."
        || specifier.starts_with("./")
        || specifier.starts_with("../")
}

/// `@scope/name/sub/path` → (`@scope/name`, `/sub/path`); `name` → (`name`, ``).
fn package_name(specifier: &str) -> (&str, &str) {
    let split_at = if specifier.starts_with('@') {
        specifier.match_indices('/').nth(1).map(|(i, _)| i)
    } else {
        specifier.find('/')
    };
    match split_at {
        Some(i) => specifier.split_at(i),
        None => (specifier, ""),
    }
}

fn with_added_extension(path: &Path, extension: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(extension);
    PathBuf::from(name)
}

/// Removes `.` and folds `..` without touching the file system.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// When package `name` is missing because nothing was installed: the nearest `package.json`
/// up from `dir` lists it (or there is no `node_modules` beside it at all), so the fix is
/// `npm install` there.
fn not_installed(dir: &Path, name: &str) -> Option<String> {
    let manifest_dir = dir
        .ancestors()
        .find(|ancestor| ancestor.join("package.json").is_file())?;
    let manifest = manifest_dir.join("package.json");
    let text = std::fs::read_to_string(&manifest).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let listed = [
        "dependencies",
        "devDependencies",
        "peerDependencies",
        "optionalDependencies",
    ]
    .iter()
    .any(|field| json.get(field).and_then(|deps| deps.get(name)).is_some());
    let installed_any = manifest_dir.join("node_modules").is_dir();
    if !listed && installed_any {
        return None;
    }
    let why = if installed_any {
        format!(
            "{} lists it but it is not in node_modules",
            manifest.display()
        )
    } else {
        format!(
            "{} is there but no node_modules beside it",
            manifest.display()
        )
    };
    Some(format!(
        "cannot find package {name:?}: {why}; run `npm install` in {}",
        manifest_dir.display()
    ))
}

/// The module id of `path`: relative to `root`, `/`-separated; `../` steps when the file lies
/// outside the root (a hoisted `node_modules` of a monorepo).
pub(crate) fn module_id(root: &Path, path: &Path) -> String {
    let mut base = root;
    let mut ups = 0;
    loop {
        if let Ok(rest) = path.strip_prefix(base) {
            let mut id = "../".repeat(ups);
            let parts: Vec<String> = rest
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            id.push_str(&parts.join("/"));
            return id;
        }
        match base.parent() {
            Some(parent) => {
                base = parent;
                ups += 1;
            }
            None => return path.to_string_lossy().into_owned(),
        }
    }
}

/// Why a `next/*` module is not there, and what to use meanwhile. Next's own files in
/// `node_modules` assume webpack and Node, so they are never used in their place.
fn unprovided_next_module(specifier: &str) -> String {
    let instead = match specifier {
        "next/legacy/image" => "use next/image, which bext provides",
        "next/og" => "it is out of scope for bext (render images ahead of time)",
        "next/cache" => {
            "use `revalidate` / `tags` exports and POST /__bext/cache/invalidate for now"
        }
        "next" => "only type imports (`import type { … } from \"next\"`) are supported",
        _ => "see README.md, \"Coming from Next.js\", for what is supported",
    };
    format!(
        "{specifier} is not provided by bext yet ({instead}); bext provides next/navigation, \
         next/headers, next/link, next/server, next/dynamic, next/script, next/image, next/form \
         and next/font"
    )
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{module_id, normalize, package_name};

    #[test]
    fn names_and_ids() {
        assert_eq!(package_name("lodash"), ("lodash", ""));
        assert_eq!(package_name("lodash/fp/map"), ("lodash", "/fp/map"));
        assert_eq!(package_name("@scope/pkg"), ("@scope/pkg", ""));
        assert_eq!(package_name("@scope/pkg/a"), ("@scope/pkg", "/a"));
        assert_eq!(normalize(Path::new("/a/./b/../c")), Path::new("/a/c"));
        assert_eq!(
            module_id(Path::new("/r/app"), Path::new("/r/app/app/page.tsx")),
            "app/page.tsx"
        );
        assert_eq!(
            module_id(Path::new("/r/app"), Path::new("/r/node_modules/x/i.js")),
            "../node_modules/x/i.js"
        );
    }
}
