//! The browser bundle of an app's client components, through the real loader, on the React
//! the conformance corpus installs (`render/prism/tests/conformance/node`, `npm ci` by the
//! test command): the chunks exist and are served from memory, React's development builds
//! stay out, the manifest names each client module's chunk, an app with none gets no
//! JavaScript, and an app with client components but no React is refused, saying so.

use std::path::{Path, PathBuf};

use bext_render::load::{AppLoader, LoadedApp};

struct TempApp(PathBuf);

impl TempApp {
    fn new(name: &str, files: &[(&str, &str)], react: bool) -> TempApp {
        let dir = std::env::temp_dir().join(format!("bext-client-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, text).expect("write");
        }
        if react {
            let modules = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("prism/tests/conformance/node/node_modules");
            assert!(
                modules.join("react-dom/package.json").is_file(),
                "React is not installed for the conformance corpus: npm ci --prefix {}",
                modules.parent().unwrap().display()
            );
            std::os::unix::fs::symlink(&modules, dir.join("node_modules")).expect("symlink");
        }
        TempApp(dir)
    }
}

impl Drop for TempApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const LAYOUT: (&str, &str) = (
    "app/layout.tsx",
    "export default function L({ children }) { return <html><body>{children}</body></html>; }\n",
);
const COUNTER: (&str, &str) = (
    "app/counter.tsx",
    "\"use client\";\nimport { useState } from \"react\";\nimport { label } from \"./label\";\nexport default function Counter({ start }: { start: number }) {\n  const [n, setN] = useState(start);\n  return <button onClick={() => setN(n + 1)}>{label(n)}</button>;\n}\n",
);
const LABEL: (&str, &str) = (
    "app/label.ts",
    "export function label(n: number): string { return `Count: ${n}`; }\n",
);
const PAGE: (&str, &str) = (
    "app/page.tsx",
    "import Counter from \"./counter\";\nexport default function P() { return <main><Counter start={1} /></main>; }\n",
);

fn chunk<'a>(loaded: &'a LoadedApp, url: &str) -> &'a str {
    let file = loaded
        .media
        .iter()
        .find(|f| f.url == url)
        .unwrap_or_else(|| panic!("no file at {url}"));
    std::str::from_utf8(&file.body).expect("UTF-8")
}

/// The URL of the first chunk `module` needs, from the manifest.
fn chunk_url<'a>(manifest: &'a serde_json::Value, module: &str) -> &'a str {
    manifest["chunks"][module][0]
        .as_str()
        .unwrap_or_else(|| panic!("no chunk for {module}: {manifest}"))
}

/// What the bundle tells the runtime about its chunks (`__bext_client({runtime, chunks})`).
fn manifest(loaded: &LoadedApp) -> serde_json::Value {
    let manifest = loaded
        .bundle
        .lines()
        .find_map(|l| {
            l.strip_prefix("__bext_client(")
                .and_then(|l| l.strip_suffix(");"))
        })
        .expect("the bundle tells the runtime its chunks");
    serde_json::from_str(manifest).expect("JSON")
}

#[test]
fn client_components_get_a_runtime_chunk_and_a_chunk_each() {
    let app = TempApp::new("chunks", &[LAYOUT, COUNTER, LABEL, PAGE], true);
    let loaded = AppLoader::new(&app.0, false)
        .load()
        .expect("the app compiles");
    let manifest = manifest(&loaded);
    let runtime = chunk(&loaded, manifest["runtime"].as_str().expect("runtime url"));
    assert!(
        runtime.contains("__bext_runtime("),
        "the registry comes first"
    );
    for wanted in ["bext/client", "next/link", "react-dom-client.production"] {
        assert!(runtime.contains(wanted), "the runtime chunk lacks {wanted}");
    }
    // NODE_ENV branches not taken are left out: no development build of React.
    assert!(!runtime.contains("react-dom-client.development.js"));
    assert!(!runtime.contains("react.development.js"));
    let own = chunk_url(&manifest, "app/counter.tsx");
    let own = chunk(&loaded, own);
    assert!(own.contains("app/counter.tsx") && own.contains("app/label.ts"));
    assert!(
        own.contains("react/jsx-runtime"),
        "JSX for React's runtime: {own}"
    );
    assert!(!own.contains("__prism"), "no PRISM in the browser: {own}");
    // Served compressed.
    let file = loaded
        .media
        .iter()
        .find(|f| f.url.ends_with(".js"))
        .unwrap();
    assert!(file.brotli.is_some() && file.gzip.is_some());
}

#[test]
fn chunks_are_minified_and_map_back_to_the_files_as_written() {
    let app = TempApp::new("maps", &[LAYOUT, COUNTER, LABEL, PAGE], true);
    let loaded = AppLoader::new(&app.0, false)
        .load()
        .expect("the app compiles");
    let manifest = manifest(&loaded);
    let url = chunk_url(&manifest, "app/counter.tsx");
    let code = chunk(&loaded, url);
    // Minified: locals renamed, comments and indentation gone.
    assert!(!code.contains("setN"), "locals are renamed: {code}");
    assert!(!code.contains("\n  "), "no indentation: {code}");
    let (_, file) = url.rsplit_once('/').expect("a file name");
    let last = code.lines().last().expect("a last line");
    assert_eq!(last, format!("//# sourceMappingURL={file}.map"));
    let json = chunk(&loaded, &format!("{url}.map"));
    let map = oxc_sourcemap::SourceMap::from_json_string(json).expect("a source map");
    let sources: Vec<&str> = map.get_sources().collect();
    assert!(sources.contains(&"app/counter.tsx"), "{sources:?}");
    let counter = sources
        .iter()
        .position(|s| *s == "app/counter.tsx")
        .unwrap() as u32;
    assert_eq!(map.get_source_content(counter), Some(COUNTER.1));
    assert!(
        map.get_names().any(|n| n == "setN"),
        "the renamed locals keep their names in the map"
    );
    // Every `useState` call in the printed chunk maps to line 5 of the TSX, the one that
    // calls it, and the label's template to line 1 of label.ts.
    let table = map.generate_lookup_table();
    let original = |needle: &str| -> Vec<(String, u32)> {
        code.lines()
            .enumerate()
            .flat_map(|(line, text)| {
                text.match_indices(needle)
                    .map(move |(column, _)| (line as u32, column as u32))
            })
            .filter_map(|(line, column)| map.lookup_token(&table, line, column))
            .filter_map(|t| {
                let source = map.get_source(t.get_source_id()?)?;
                Some((source.to_owned(), t.get_src_line() + 1))
            })
            .collect()
    };
    let calls = original("useState");
    assert!(!calls.is_empty(), "useState is mapped: {code}");
    assert!(
        calls
            .iter()
            .all(|c| *c == ("app/counter.tsx".to_owned(), 5)),
        "{calls:?}"
    );
    assert_eq!(original("Count: "), vec![("app/label.ts".to_owned(), 1)]);
}

/// A client module whose import is used only in an event handler: the server's compile drops
/// the handler (and so the import), the client compile keeps both, and the module it imports
/// (reached by no other) is compiled and in the component's chunk.
#[test]
fn an_import_used_only_by_an_event_handler_reaches_the_browser() {
    let counter = (
        "app/counter.tsx",
        "\"use client\";\nimport { bump } from \"./bump\";\nexport default function Counter({ start }: { start: number }) {\n  return <button onClick={() => bump(start)}>{start}</button>;\n}\n",
    );
    let bump = (
        "app/bump.ts",
        "export function bump(n: number): number { return n + 1; }\n",
    );
    let app = TempApp::new("handler-import", &[LAYOUT, counter, bump, PAGE], true);
    let loaded = AppLoader::new(&app.0, false)
        .load()
        .expect("the app compiles");
    let manifest = manifest(&loaded);
    let own = chunk_url(&manifest, "app/counter.tsx");
    assert!(
        chunk(&loaded, own).contains("app/bump.ts"),
        "the handler's import is bundled"
    );
}

#[test]
fn an_app_without_client_components_gets_no_javascript() {
    let page = (
        "app/page.tsx",
        "export default function P() { return <p>plain</p>; }\n",
    );
    let app = TempApp::new("none", &[LAYOUT, page], false);
    let loaded = AppLoader::new(&app.0, false)
        .load()
        .expect("the app compiles");
    assert!(
        !loaded
            .bundle
            .lines()
            .any(|l| l.starts_with("__bext_client("))
    );
    assert!(!loaded.media.iter().any(|f| f.url.ends_with(".js")));
}

#[test]
fn client_components_without_react_installed_are_refused_with_the_reason() {
    let app = TempApp::new("no-react", &[LAYOUT, COUNTER, LABEL, PAGE], false);
    let errors = AppLoader::new(&app.0, false).load().expect_err("refused");
    let text = errors.to_string();
    assert!(
        text.contains("react and react-dom") && text.contains("node_modules"),
        "{text}"
    );
}

#[test]
fn a_client_module_that_does_not_compile_for_the_browser_names_its_place() {
    let broken = (
        "app/counter.tsx",
        "\"use client\";\nimport { cookies } from \"next/headers\";\nexport default function Counter() { return <b>{typeof cookies}</b>; }\n",
    );
    let app = TempApp::new("broken", &[LAYOUT, broken, PAGE], true);
    let errors = AppLoader::new(&app.0, false).load().expect_err("refused");
    let text = errors.to_string();
    assert!(
        text.contains("app/counter.tsx:2:") && text.contains("not available to client components"),
        "{text}"
    );
}
