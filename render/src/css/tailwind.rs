//! Stylesheets that use Tailwind CSS v4 (`@import "tailwindcss"`, `@theme`, `@apply`,
//! `@utility`, …): compiled by `bext-tailwind` for the class names the app's files use, then
//! minified and prefixed by lightningcss like any other stylesheet. No Node, no PostCSS.
//!
//! The `tailwindcss` package's own stylesheets (`index.css`, `theme.css`, `preflight.css`,
//! `utilities.css`) are read from the app's `node_modules`, as `@tailwindcss/postcss` reads
//! them: the version the app pinned. Automatic source detection starts at the app's root (as
//! `@tailwindcss/postcss` starts at the project's); `@source` paths are relative to the
//! stylesheet. The stylesheet depends on every file scanned, so a changed class list in any
//! of them compiles it again.

use std::path::{Path, PathBuf};

use bext_tailwind::{Design, Source};

use super::CssError;
use super::provider::package_dir;

/// At-rules only Tailwind gives a meaning to (and the import of the package).
const TAILWIND_MARKS: &[&str] = &[
    "@import \"tailwindcss",
    "@import 'tailwindcss",
    "@tailwind ",
    "@theme",
    "@apply ",
    "@utility ",
    "@custom-variant ",
    "@source ",
];

/// Whether the stylesheet is written for Tailwind.
pub(super) fn uses_tailwind(css: &str) -> bool {
    TAILWIND_MARKS.iter().any(|mark| css.contains(mark))
}

/// Tailwind's output for the stylesheet at `path` (whose text is `source`), and the files it
/// was made from.
pub(super) struct Generated {
    pub css: String,
    pub sources: Vec<PathBuf>,
}

pub(super) fn generate(path: &Path, source: &str, root: &Path) -> Result<Generated, CssError> {
    let dir = path.parent().unwrap_or(root);
    let package = package_dir(dir, "tailwindcss");
    let mut read = vec![path.to_path_buf()];
    let read_file = |file: PathBuf| std::fs::read_to_string(file).ok();
    let resolve = |file: &str| -> Option<String> {
        if file.starts_with("./") || file.starts_with("../") {
            read_file(dir.join(file))
        } else {
            read_file(package.as_ref()?.join(file))
        }
    };
    let design = Design::parse_with(source, &resolve).map_err(|e| {
        let hint = if package.is_none() && e.message.contains("tailwindcss") {
            " (the tailwindcss package is not installed: npm install tailwindcss)"
        } else {
            ""
        };
        CssError {
            file: path.to_path_buf(),
            line: u32::try_from(e.line).unwrap_or(0),
            column: u32::try_from(e.column).unwrap_or(0),
            message: format!("Tailwind: {}{hint}", e.message),
        }
    })?;
    let mut sources: Vec<Source> = design.sources().to_vec();
    if !sources.contains(&Source::NoAutomatic) {
        sources.push(Source::NoAutomatic);
        sources.push(Source::Path(relative_to(root, dir)));
    }
    let files = bext_tailwind::sources::files(dir, &sources);
    let candidates = bext_tailwind::sources::scan(dir, &sources);
    let css = design
        .build(candidates.iter().map(String::as_str))
        .map_err(|e| CssError {
            file: path.to_path_buf(),
            line: u32::try_from(e.line).unwrap_or(0),
            column: u32::try_from(e.column).unwrap_or(0),
            message: format!("Tailwind: {}", e.message),
        })?;
    if let Some(package) = package {
        read.extend(
            ["index.css", "theme.css", "preflight.css", "utilities.css"]
                .iter()
                .map(|f| package.join(f)),
        );
    }
    read.extend(files);
    Ok(Generated { css, sources: read })
}

/// `target` as a path relative to `from` (`../..`), both absolute.
fn relative_to(target: &Path, from: &Path) -> String {
    let mut up = String::from("./");
    let mut base = from;
    while !target.starts_with(base) {
        up.push_str("../");
        match base.parent() {
            Some(parent) => base = parent,
            None => break,
        }
    }
    let rest = target.strip_prefix(base).unwrap_or(target);
    format!("{up}{}", rest.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tailwind_stylesheets_are_told_apart() {
        assert!(uses_tailwind("@import \"tailwindcss\";\n"));
        assert!(uses_tailwind("@import 'tailwindcss/preflight';"));
        assert!(uses_tailwind(".btn { @apply px-4 py-2; }"));
        assert!(!uses_tailwind(
            "@import \"./base.css\";\n.theme { color: red }"
        ));
        assert_eq!(relative_to(Path::new("/a"), Path::new("/a/app")), "./../");
        assert_eq!(relative_to(Path::new("/a"), Path::new("/a")), "./");
    }
}
