//! `import(`./posts/${slug}.json`)`: a dynamic import whose specifier is a template over a
//! folder. The linker cannot know which file a render will ask for, so it bundles every file
//! that could match, as webpack's context modules do: the folder named by the template's
//! static start, searched recursively (a `${}` may hold a `/`), each file matched against the
//! template with its `${}`s as wildcards. At run time the specifier is looked up among the
//! bundled files (with and without its extension, as a resolver would try it); any other
//! specifier rejects with `Cannot find module`, as Node and the bundlers reject it.
//!
//! Only files the linker can load join the context (modules, JSON, images); the search is
//! bounded by `CONTEXT_FILES_MAX`, past which the compile says the folder is too large.

use std::path::{Path, PathBuf};

use bext_core::limits::CONTEXT_FILES_MAX;

use super::resolve::EXTENSIONS;

/// The files a template specifier may name: `(specifier, …)` pairs, specifiers as the
/// template would spell them (`./posts/a.json`).
pub(crate) fn matches(importer: &Path, quasis: &[String]) -> Result<Vec<String>, String> {
    let first = quasis.first().map(String::as_str).unwrap_or("");
    if !(first.starts_with("./") || first.starts_with("../")) {
        return Err(String::from(
            "import() of a template must start with \"./\" or \"../\" (the folder to bundle)",
        ));
    }
    // The folder: the first piece up to its last slash.
    let slash = first.rfind('/').unwrap_or(0);
    let (folder, head) = first.split_at(slash + 1);
    let dir = importer.parent().unwrap_or(Path::new("")).join(folder);
    let mut pieces: Vec<&str> = vec![head];
    pieces.extend(quasis[1..].iter().map(String::as_str));
    let mut found = Vec::new();
    let mut files = Vec::new();
    walk(&dir, &dir, &mut files)?;
    files.sort();
    for relative in files {
        if wildcard_match(&pieces, &relative) {
            found.push(format!("{folder}{relative}"));
        }
    }
    Ok(found)
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path: PathBuf = entry.path();
        let name = entry.file_name();
        if name == "node_modules" || name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, out)?;
        } else if loadable(&path) {
            if out.len() == CONTEXT_FILES_MAX {
                return Err(format!(
                    "import() of a template matches more than {CONTEXT_FILES_MAX} files under {}: name the folder more precisely",
                    root.display()
                ));
            }
            if let Ok(relative) = path.strip_prefix(root) {
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    Ok(())
}

fn loadable(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    EXTENSIONS.contains(&ext) || crate::media::is_image_module(path)
}

/// Whether `text` is `pieces[0] * pieces[1] * … pieces[n]`, `*` any run of characters.
fn wildcard_match(pieces: &[&str], text: &str) -> bool {
    let (first, rest) = match pieces.split_first() {
        Some(split) => split,
        None => return text.is_empty(),
    };
    let Some(mut remaining) = text.strip_prefix(first) else {
        return false;
    };
    if rest.is_empty() {
        return remaining.is_empty();
    }
    let (last, middle) = rest.split_last().unwrap_or((&"", &[]));
    for piece in middle {
        match remaining.find(piece) {
            Some(at) => remaining = &remaining[at + piece.len()..],
            None => return false,
        }
    }
    remaining.ends_with(last)
}

/// The keys a bundled file answers to: its specifier, and without its extension.
pub(crate) fn keys(specifier: &str) -> Vec<String> {
    let mut keys = vec![specifier.to_owned()];
    let file = specifier.rsplit('/').next().unwrap_or("");
    if let Some(dot) = file.rfind('.').filter(|&d| d > 0) {
        let cut = specifier.len() - (file.len() - dot);
        keys.push(specifier[..cut].to_owned());
        // `./posts/a/index.js` is also `./posts/a`.
        if &file[..dot] == "index" {
            keys.push(specifier[..cut - "/index".len()].to_owned());
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_as_webpack_contexts_do() {
        let cases: &[(&[&str], &str, bool)] = &[
            (&["", ".json"], "en.json", true),
            (&["", ".json"], "de/at.json", true),
            (&["", ".json"], "en.js", false),
            (&["post-", ""], "post-1.md", true),
            (&["post-", ""], "page-1.md", false),
            (&["", "/", ".tsx"], "a/b.tsx", true),
            (&["", "/", ".tsx"], "ab.tsx", false),
            (&["", ""], "anything.js", true),
            (&["a.js"], "a.js", true),
            (&["a.js"], "b.js", false),
        ];
        for (pieces, text, want) in cases {
            assert_eq!(wildcard_match(pieces, text), *want, "{pieces:?} {text}");
        }
        assert_eq!(keys("./l/en.json"), ["./l/en.json", "./l/en"]);
        assert_eq!(
            keys("./p/a/index.js"),
            ["./p/a/index.js", "./p/a/index", "./p/a"]
        );
    }
}
