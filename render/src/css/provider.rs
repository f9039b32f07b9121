//! Files for lightningcss's bundler: reading (through its own `FileProvider`, which keeps the
//! text alive for the parsed sheet) and resolving `@import` specifiers as webpack's
//! css-loader and Next.js do.
//!
//! - `http:`, `https:`, `//` and root-relative (`/x.css`) imports stay in the output as
//!   imports of URLs.
//! - `./x.css`, `../x.css`: relative to the importing file.
//! - `~pkg/x.css`: a package.
//! - A bare `x.css`: relative when that file exists, else a package (`@import "tailwindcss"`,
//!   `@import "normalize.css"`), resolved through `exports` with the `style` condition, then
//!   the `style` field, then the subpath as a file, then `index.css`.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use lightningcss::bundler::{FileProvider, ResolveResult, SourceProvider};
use lightningcss::error::ErrorLocation;

use super::{CssError, STYLESHEET_BYTES_MAX};
use crate::link::package::{STYLE_CONDITIONS, parse_package_json, resolve_exports_with};
use crate::link::resolve::normalize;

pub(super) struct Provider {
    files: FileProvider,
    root: PathBuf,
    /// Files read so far, in order, with the bytes they add up to.
    read: Mutex<(Vec<PathBuf>, u64)>,
}

impl Provider {
    pub(super) fn new(root: &Path) -> Provider {
        Provider {
            files: FileProvider::new(),
            root: root.to_path_buf(),
            read: Mutex::new((Vec::new(), 0)),
        }
    }

    pub(super) fn into_sources(self) -> Vec<PathBuf> {
        self.read
            .into_inner()
            .map(|(files, _)| files)
            .unwrap_or_default()
    }

    /// A lightningcss error as ours: in the file it names (the bundle's entry otherwise).
    pub(super) fn error(
        &self,
        entry: &Path,
        loc: Option<&ErrorLocation>,
        message: String,
    ) -> CssError {
        match loc {
            Some(loc) => CssError {
                file: if loc.filename.is_empty() {
                    entry.to_path_buf()
                } else {
                    PathBuf::from(&loc.filename)
                },
                line: loc.line + 1,
                column: loc.column,
                message,
            },
            None => CssError {
                file: entry.to_path_buf(),
                line: 0,
                column: 0,
                message,
            },
        }
    }
}

impl SourceProvider for Provider {
    type Error = io::Error;

    fn read<'a>(&'a self, file: &Path) -> Result<&'a str, io::Error> {
        let len = std::fs::metadata(file)?.len();
        {
            let mut read = self
                .read
                .lock()
                .map_err(|_| io::Error::other("stylesheet reader poisoned"))?;
            read.1 += len;
            if read.1 > STYLESHEET_BYTES_MAX {
                return Err(io::Error::other(format!(
                    "the stylesheet and its imports are larger than {STYLESHEET_BYTES_MAX} bytes"
                )));
            }
            read.0.push(file.to_path_buf());
        }
        self.files.read(file)
    }

    fn resolve(&self, specifier: &str, from: &Path) -> Result<ResolveResult, io::Error> {
        resolve(specifier, from, &self.root).map_err(|message| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("cannot resolve @import {specifier:?}: {message}"),
            )
        })
    }
}

fn resolve(specifier: &str, from: &Path, root: &Path) -> Result<ResolveResult, String> {
    let external = specifier.starts_with("//")
        || specifier.starts_with('/')
        || specifier.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')
        });
    if external {
        return Ok(ResolveResult::External(specifier.to_owned()));
    }
    let dir = from.parent().unwrap_or(root);
    if let Some(package) = specifier.strip_prefix('~') {
        return package_file(dir, package).map(ResolveResult::File);
    }
    let relative = normalize(&dir.join(specifier));
    if specifier.starts_with("./") || specifier.starts_with("../") {
        return if relative.is_file() {
            Ok(ResolveResult::File(relative))
        } else {
            Err(format!("{} does not exist", relative.display()))
        };
    }
    if relative.is_file() {
        return Ok(ResolveResult::File(relative));
    }
    package_file(dir, specifier).map(ResolveResult::File)
}

/// `pkg` or `pkg/sub/path.css` from the `node_modules` folders up from `dir`.
fn package_file(dir: &Path, specifier: &str) -> Result<PathBuf, String> {
    let mut parts = specifier.splitn(if specifier.starts_with('@') { 3 } else { 2 }, '/');
    let name = match (specifier.starts_with('@'), parts.next(), parts.next()) {
        (true, Some(scope), Some(name)) => format!("{scope}/{name}"),
        (false, Some(name), _) => name.to_owned(),
        _ => return Err(format!("{specifier:?} is not a package name")),
    };
    let rest = &specifier[name.len()..];
    let subpath = if rest.is_empty() {
        ".".to_owned()
    } else {
        format!(".{rest}")
    };
    let package_dir = package_dir(dir, &name).ok_or_else(|| {
        format!(
            "package {name:?} is not installed (no node_modules/{name} up from the importing file)"
        )
    })?;
    let package = match std::fs::read_to_string(package_dir.join("package.json")) {
        Ok(text) => parse_package_json(&text)?,
        Err(_) => Default::default(),
    };
    if let Some(exports) = &package.exports
        && let Some(target) = resolve_exports_with(exports, &subpath, STYLE_CONDITIONS)
    {
        let file = normalize(&package_dir.join(target));
        if file.is_file() {
            return Ok(file);
        }
    }
    let candidates = if subpath == "." {
        [package.style.as_deref(), Some("index.css")]
            .into_iter()
            .flatten()
            .map(|f| normalize(&package_dir.join(f)))
            .collect::<Vec<_>>()
    } else {
        let file = normalize(&package_dir.join(&subpath));
        vec![file.clone(), file.join("index.css")]
    };
    candidates
        .into_iter()
        .find(|f| f.is_file())
        .ok_or_else(|| format!("package {name:?} has no stylesheet at {subpath:?}"))
}

/// `node_modules/<name>` in the nearest folder up from `dir` that has it.
pub(super) fn package_dir(dir: &Path, name: &str) -> Option<PathBuf> {
    dir.ancestors()
        .filter(|a| a.file_name().is_none_or(|n| n != "node_modules"))
        .map(|a| a.join("node_modules").join(name))
        .find(|p| p.is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_resolve_as_css_loader_resolves_them() {
        let dir = std::env::temp_dir().join(format!("bext-css-resolve-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let write = |rel: &str, text: &str| {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("app/globals.css", "");
        write("app/base.css", "");
        write(
            "node_modules/tw/package.json",
            r#"{"exports":{".":{"style":"./index.css","import":"./dist/lib.mjs"},"./theme.css":"./theme.css"}}"#,
        );
        write("node_modules/tw/index.css", "");
        write("node_modules/tw/theme.css", "");
        write(
            "node_modules/plain/package.json",
            r#"{"style":"plain.css","main":"x.js"}"#,
        );
        write("node_modules/plain/plain.css", "");
        write("node_modules/@s/ui/styles/a.css", "");
        let from = dir.join("app/globals.css");
        let file = |spec: &str| match resolve(spec, &from, &dir) {
            Ok(ResolveResult::File(f)) => f.strip_prefix(&dir).unwrap().display().to_string(),
            other => panic!("{spec}: {other:?}"),
        };
        assert_eq!(file("./base.css"), "app/base.css");
        assert_eq!(file("base.css"), "app/base.css");
        assert_eq!(file("tw"), "node_modules/tw/index.css");
        assert_eq!(file("tw/theme.css"), "node_modules/tw/theme.css");
        assert_eq!(file("~plain"), "node_modules/plain/plain.css");
        assert_eq!(
            file("@s/ui/styles/a.css"),
            "node_modules/@s/ui/styles/a.css"
        );
        for external in ["https://fonts.example/css", "//cdn/x.css", "/static/x.css"] {
            assert!(matches!(
                resolve(external, &from, &dir),
                Ok(ResolveResult::External(u)) if u == external
            ));
        }
        let missing = resolve("./nope.css", &from, &dir).unwrap_err();
        assert!(missing.contains("nope.css"), "{missing}");
        let missing = resolve("nope", &from, &dir).unwrap_err();
        assert!(missing.contains("not installed"), "{missing}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
