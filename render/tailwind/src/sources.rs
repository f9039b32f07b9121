//! The only I/O in the crate: finding the files to scan, like Tailwind's automatic source
//! detection (the `ignore` crate honours `.gitignore`; `node_modules`, `.git`, lock files,
//! CSS and binary files are skipped), plus explicit `@source` paths.

use std::path::{Path, PathBuf};

use crate::design::Source;
use crate::limits::{source_file_bytes_max, source_files_max};

/// Extensions never scanned (binary formats and stylesheets).
const SKIPPED_EXTENSIONS: &[&str] = &[
    "css", "scss", "sass", "less", "png", "jpg", "jpeg", "gif", "webp", "avif", "ico", "svgz",
    "woff", "woff2", "ttf", "otf", "eot", "mp4", "webm", "mp3", "wav", "ogg", "pdf", "zip", "gz",
    "br", "zst", "tar", "wasm", "exe", "dll", "so", "dylib", "bin", "lock", "map",
];
const SKIPPED_FILES: &[&str] = &[
    "package-lock.json",
    "pnpm-lock.yaml",
    "yarn.lock",
    "bun.lockb",
    "bun.lock",
];
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    ".git",
    ".next",
    ".svelte-kit",
    ".turbo",
    "target",
];

/// The files to scan: `base` (the stylesheet's directory, unless `source(none)`) walked
/// automatically, plus each `@source` path, minus `@source not` paths.
pub fn files(base: &Path, sources: &[Source]) -> Vec<PathBuf> {
    let mut roots = Vec::new();
    if !sources.contains(&Source::NoAutomatic) {
        roots.push(base.to_path_buf());
    }
    let mut excluded = Vec::new();
    for source in sources {
        match source {
            Source::Path(path) => roots.push(base.join(strip_glob(path))),
            Source::Not(path) => excluded.push(base.join(strip_glob(path))),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for root in roots {
        if root.is_file() {
            out.push(root);
            continue;
        }
        let walker = ignore::WalkBuilder::new(&root)
            .hidden(false)
            .require_git(false)
            .filter_entry(|entry| {
                let name = entry.file_name().to_string_lossy();
                !SKIPPED_DIRS.contains(&name.as_ref())
            })
            .build();
        for entry in walker.flatten() {
            let path = entry.path();
            if !entry.file_type().is_some_and(|t| t.is_file()) || !scannable(path) {
                continue;
            }
            if excluded.iter().any(|x| path.starts_with(x)) {
                continue;
            }
            if entry
                .metadata()
                .is_ok_and(|m| m.len() > source_file_bytes_max)
            {
                continue;
            }
            out.push(path.to_path_buf());
            if out.len() >= source_files_max {
                return out;
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Reads every source file and extracts its candidates.
pub fn scan(base: &Path, sources: &[Source]) -> Vec<String> {
    let mut out = Vec::new();
    for path in files(base, sources) {
        if let Ok(text) = std::fs::read_to_string(&path) {
            crate::scan::extract_candidates(&text, &mut out);
        }
    }
    out.sort();
    out.dedup();
    out
}

fn scannable(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if SKIPPED_FILES.contains(&name.as_ref()) {
        return false;
    }
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    !extension.is_some_and(|e| SKIPPED_EXTENSIONS.contains(&e.as_str()))
}

/// `../components/**/*.tsx` → `../components`: the walk covers the directory and the
/// extension filter is left to the skip list.
fn strip_glob(path: &str) -> &str {
    match path.find(['*', '{']) {
        Some(at) => path[..at].trim_end_matches('/'),
        None => path,
    }
}
