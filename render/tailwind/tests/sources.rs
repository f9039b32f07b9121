//! Source detection: what `sources::scan` reads and skips, like Tailwind's automatic
//! detection plus `@source` directives.

use std::path::{Path, PathBuf};

use bext_tailwind::{Design, sources};

/// A scratch directory with `files` (path, contents), removed on drop.
struct Tree(PathBuf);

impl Tree {
    fn new(name: &str, files: &[(&str, &str)]) -> Tree {
        let dir = std::env::temp_dir().join(format!("bext-tailwind-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, contents) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(path, contents).expect("write");
        }
        Tree(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn check(css: &str, files: &[(&str, &str)], found: &[&str], skipped: &[&str]) {
    let tree = Tree::new(&found.join("-").replace([':', '/'], "_"), files);
    let design = Design::parse(css).expect("parse");
    let candidates = sources::scan(tree.path(), design.sources());
    for f in found {
        assert!(
            candidates.iter().any(|c| c == f),
            "{f} not found in {candidates:?}"
        );
    }
    for s in skipped {
        assert!(
            !candidates.iter().any(|c| c == s),
            "{s} should have been skipped: {candidates:?}"
        );
    }
}

#[test]
fn automatic_detection_skips_ignored_and_generated_files() {
    check(
        "@tailwind utilities;",
        &[
            ("app/page.tsx", "<p className=\"text-from-tsx\" />"),
            ("index.html", "<p class=\"from-html\"></p>"),
            ("content.mdx", "# Title {<b className=\"from-mdx\" />}"),
            (".gitignore", "dist/\n"),
            ("dist/out.js", "\"from-gitignored\""),
            ("node_modules/lib/index.js", "\"from-node-modules\""),
            ("styles.css", ".from-css {}"),
            ("package-lock.json", "{\"from-lockfile\": 1}"),
        ],
        &["text-from-tsx", "from-html", "from-mdx"],
        &[
            "from-gitignored",
            "from-node-modules",
            "from-css",
            "from-lockfile",
        ],
    );
}

#[test]
fn source_directives_add_and_remove_paths() {
    check(
        "@import \"x\" source(none);\n@source \"./src\";\n@source not \"./src/legacy\";",
        &[
            ("src/a.tsx", "\"from-src\""),
            ("src/legacy/b.tsx", "\"from-legacy\""),
            ("other.html", "\"from-other\""),
        ],
        &["from-src"],
        &["from-legacy", "from-other"],
    );
}
