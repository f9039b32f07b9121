//! The `fs` snapshot through the real loader and renderer: an app that imports `fs` carries its
//! files (and one that does not, none), files over the per-file limit are left out and named
//! in the load's notes, and a read outside the app at request time is a 500 through the app's
//! `error.tsx` with the cause kept for the log.

mod renderer_support;

use std::path::{Path, PathBuf};

use bext_core::limits::APP_FILE_SNAPSHOT_BYTES_MAX;
use bext_engine::EngineKind;
use bext_render::load::AppLoader;
use bext_render::renderer::Renderer;
use renderer_support::{body, get, limits, render};

struct TempApp(PathBuf);

impl TempApp {
    fn new(name: &str, files: &[(&str, &[u8])]) -> TempApp {
        let dir = std::env::temp_dir().join(format!("bext-load-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, bytes) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, bytes).expect("write");
        }
        TempApp(dir)
    }
}

impl Drop for TempApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const LAYOUT: (&str, &[u8]) = (
    "app/layout.tsx",
    b"export default function L({ children }) { return <html><body>{children}</body></html>; }\n",
);
const ERROR: (&str, &[u8]) = (
    "app/error.tsx",
    b"export default function E({ error }) { return <p>failed: {error.message}</p>; }\n",
);

fn renderer_for(root: &Path) -> (Renderer, bext_render::load::LoadedApp) {
    let loaded = AppLoader::new(root, false)
        .load()
        .expect("the app compiles");
    let renderer = Renderer::new(loaded.bundle.clone(), EngineKind::QuickJs, limits(5_000))
        .expect("bundle loads");
    (renderer, loaded)
}

fn route(loaded: &bext_render::load::LoadedApp, path: &str) -> usize {
    loaded.routes.match_path(path).expect("a route").route
}

#[test]
fn an_app_that_imports_fs_reads_its_files_and_one_that_does_not_carries_none() {
    let big = vec![b'x'; APP_FILE_SNAPSHOT_BYTES_MAX + 1];
    let app = TempApp::new(
        "reads",
        &[
            LAYOUT,
            ERROR,
            (
                "app/page.tsx",
                b"import { readFileSync, readdirSync } from \"node:fs\";\nexport default function P() { return <main><p>{readdirSync(\"posts\").join()}</p><p>{readFileSync(\"posts/a.md\", \"utf8\")}</p></main>; }\n",
            ),
            (
                "app/outside/page.tsx",
                b"import fs from \"fs\";\nexport default function P() { return <p>{fs.readFileSync(\"/etc/hostname\", \"utf8\")}</p>; }\n",
            ),
            (
                "app/big/page.tsx",
                b"import fs from \"fs/promises\";\nexport default async function P() { return <p>{(await fs.readFile(\"data/big.txt\", \"utf8\")).length}</p>; }\n",
            ),
            (
                "app/meta/page.tsx",
                b"import { readFileSync } from \"node:fs\";\nexport default function P() { return <p>{readFileSync(new URL(\"./note.txt\", import.meta.url), \"utf8\")} in {import.meta.dirname.endsWith(\"/app/meta\") ? \"its folder\" : import.meta.dirname}</p>; }\n",
            ),
            ("app/meta/note.txt", b"beside the page"),
            ("posts/a.md", b"# A post"),
            ("posts/b.md", b"# B post"),
            ("data/big.txt", &big),
        ],
    );
    let (mut r, loaded) = renderer_for(&app.0);
    assert!(loaded.bundle.contains("globalThis.__bext_files = function"));
    assert!(
        loaded.notes[0].starts_with("fs snapshot of 9 files"),
        "{:?}",
        loaded.notes
    );
    assert!(
        loaded.notes[1].starts_with("data/big.txt: left out of the fs snapshot (1048577 bytes, over APP_FILE_SNAPSHOT_BYTES_MAX (1048576 bytes))"),
        "{:?}",
        loaded.notes
    );

    // import.meta names the module's file under the app's root, so a file beside it is found.
    let meta = render(&mut r, get(9, route(&loaded, "/meta"), "/meta"));
    assert_eq!(meta.status, 200, "{:?}", meta.error);
    assert!(
        body(&meta).contains("<p>beside the page in its folder</p>"),
        "{}",
        body(&meta)
    );

    let page = render(&mut r, get(1, route(&loaded, "/"), "/"));
    assert_eq!(page.status, 200, "{:?}", page.error);
    assert!(
        body(&page).contains("<p>a.md,b.md</p><p># A post</p>"),
        "{}",
        body(&page)
    );

    // A read outside the app: the app's error page, 500, and the cause for the log.
    let page = render(&mut r, get(2, route(&loaded, "/outside"), "/outside"));
    assert_eq!(page.status, 500);
    assert!(body(&page).contains("failed: "), "{}", body(&page));
    let cause = page.error.clone().map(|f| f.message).unwrap_or_default();
    assert!(
        cause.contains("bext's fs reads only files inside the app")
            && cause.contains("/etc/hostname"),
        "{cause}"
    );

    // A file left out of the snapshot: the read fails saying why.
    let page = render(&mut r, get(3, route(&loaded, "/big"), "/big"));
    assert_eq!(page.status, 500);
    let cause = page.error.clone().map(|f| f.message).unwrap_or_default();
    assert!(
        cause.contains("is not in bext's snapshot")
            && cause.contains("APP_FILE_SNAPSHOT_BYTES_MAX"),
        "{cause}"
    );

    // Loading again with the same files left out does not list them again.
    let mut loader = AppLoader::new(&app.0, false);
    let first = loader.load().expect("compiles");
    let second = loader.load().expect("compiles");
    assert_eq!(first.notes.len(), 2);
    assert_eq!(second.notes.len(), 1, "{:?}", second.notes);

    let plain = TempApp::new(
        "plain",
        &[
            LAYOUT,
            (
                "app/page.tsx",
                b"export default function P() { return <p>{Buffer.from(\"hi\").toString(\"hex\")}</p>; }\n",
            ),
        ],
    );
    let (mut r, loaded) = renderer_for(&plain.0);
    assert!(!loaded.bundle.contains("globalThis.__bext_files = function"));
    assert!(loaded.notes.is_empty(), "{:?}", loaded.notes);
    let page = render(&mut r, get(1, route(&loaded, "/"), "/"));
    assert!(body(&page).contains("<p>6869</p>"), "{}", body(&page));
}
