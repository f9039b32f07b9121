//! Whole-app compiles: what goes into the bundle, the dev cache, and dev-mode error embedding.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use bext_engine::{EngineKind, Limits, create};
use bext_render::link::{CompileOptions, Compiler, Identity, ModuleDiagnostic, ModuleTransform};

struct TempApp(PathBuf);

impl TempApp {
    fn new(files: &[(&str, &str)]) -> TempApp {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "bext-link-compile-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let app = TempApp(dir);
        for (name, text) in files {
            app.write(name, text);
        }
        app
    }

    fn write(&self, name: &str, text: &str) {
        let path = self.0.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
}

impl Drop for TempApp {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// The module ids defined in a bundle, in order.
fn module_ids(bundle: &str) -> Vec<&str> {
    bundle
        .lines()
        .filter_map(|line| line.strip_prefix("__bext_define(\""))
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

#[test]
fn the_basic_app_links_what_its_routes_reach() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/apps/basic");
    let mut compiler = Compiler::new(&root, CompileOptions::default());
    let app = compiler
        .compile(&mut Identity)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        module_ids(&app.bundle),
        [
            "app/(group)/grouped/page.js",
            "app/_private/helper.js",
            "app/api/hello/route.js",
            "app/cjs/page.js",
            "app/cycle/page.js",
            "app/dynamic/page.js",
            "app/error.js",
            "app/json/data.json",
            "app/json/page.js",
            "app/layout.js",
            "app/live/page.js",
            "app/not-found.js",
            "app/packages/page.js",
            "app/reexport/page.js",
            "lib/config.json",
            "lib/counter.js",
            "lib/cycle-a.js",
            "lib/cycle-b.js",
            "lib/cycle-c.js",
            "lib/cycle-d.js",
            "lib/lazy.js",
            "lib/reexports.js",
            "lib/star-deep.js",
            "lib/star-source.js",
            "lib/util.ts",
            "node_modules/@scope/pkg/main.js",
            "node_modules/babel-pkg/index.js",
            "node_modules/cjs-pkg/lib/index.js",
            "node_modules/cjs-pkg/lib/other.js",
            "node_modules/esm-pkg/dist/features/x.js",
            "node_modules/esm-pkg/dist/index.mjs",
            "node_modules/esm-pkg/dist/sub.js",
            "node_modules/func-pkg/main.js",
            "node_modules/module-field-pkg/esm/index.js",
            "node_modules/plain-pkg/index.js",
        ]
    );
    assert_eq!(app.modules, 35);
    assert_eq!(app.sources.len(), 35);
    assert!(app.errors.is_empty());
    assert_eq!(
        app.public_dir.as_deref(),
        Some(compiler.root().join("public").as_path())
    );
    assert_eq!(app.routes.routes().len(), 10);
    assert!(app.bundle.ends_with(&app.routes.to_js()));
    // Builtins are left to the runtime; the `require` build of esm-pkg was not picked.
    assert!(app.bundle.contains(r#"__bext_require("react")"#));
    assert!(!app.bundle.contains("__bext_define(\"react\""));
    assert_eq!(app.stats.modules, 35);
    assert_eq!((app.stats.compiled, app.stats.reused), (35, 0));
    assert_eq!(app.stats.bundle_bytes, app.bundle.len());
    assert!(
        app.stats
            .to_string()
            .starts_with("compiled 35 modules (35 rebuilt, 0 cached, "),
        "{}",
        app.stats
    );

    // Nothing changed: everything comes from the cache, and the bundle is the same.
    let again = compiler.compile(&mut Identity).unwrap();
    assert_eq!((again.stats.compiled, again.stats.reused), (0, 35));
    assert_eq!(again.bundle, app.bundle);
    assert_eq!(compiler.last_stats(), again.stats);
}

/// The identity transform, recording the file names it was given.
#[derive(Default)]
struct Recording(Vec<String>);

impl ModuleTransform for Recording {
    fn transform(&mut self, source: &str, path: &Path) -> Result<String, ModuleDiagnostic> {
        self.0
            .push(path.file_name().unwrap().to_string_lossy().into_owned());
        Ok(source.to_owned())
    }
}

#[test]
fn the_dev_cache_rebuilds_only_what_changed() {
    let app = TempApp::new(&[
        ("app/layout.js", "export default function L() {}\n"),
        (
            "app/page.js",
            "import { n } from \"@/lib/n\";\nexport default () => n;\n",
        ),
        ("lib/n.js", "export const n = 1;\n"),
    ]);
    let mut counting = Recording::default();
    let mut compiler = Compiler::new(&app.0, CompileOptions::default());
    compiler.compile(&mut counting).unwrap();
    compiler.compile(&mut counting).unwrap();
    assert_eq!(counting.0, ["layout.js", "page.js", "n.js"]);

    // Edited: only that module is transformed again, and its new code is linked.
    app.write("lib/n.js", "export const n = 22;\n");
    let bundle = compiler.compile(&mut counting).unwrap().bundle;
    assert!(bundle.contains("const n = 22;"));
    assert_eq!(counting.0, ["layout.js", "page.js", "n.js", "n.js"]);

    // Touched without a change: the content hash says it is the same.
    let file = fs::File::options()
        .write(true)
        .open(app.0.join("lib/n.js"))
        .unwrap();
    file.set_modified(SystemTime::now() + Duration::from_secs(60))
        .unwrap();
    let stats = compiler.compile(&mut counting).unwrap().stats;
    assert_eq!((stats.compiled, stats.reused), (0, 3));
    assert_eq!(counting.0.len(), 4);

    // A new import of a new file: only the importer and the new module are built.
    app.write("lib/m.js", "export const m = 3;\n");
    app.write("app/page.js", "import { n } from \"@/lib/n\";\nimport { m } from \"@/lib/m\";\nexport default () => n + m;\n");
    let stats = compiler.compile(&mut counting).unwrap().stats;
    assert_eq!((stats.compiled, stats.reused, stats.modules), (2, 2, 4));
    assert_eq!(counting.0[4..], ["page.js", "m.js"]);
}

#[test]
fn stylesheets_are_linked_per_route_module_and_rebuilt_when_an_import_changes() {
    let app = TempApp::new(&[
        (
            "app/layout.js",
            "import \"./globals.css\";\nimport { Nav } from \"@/components/nav\";\nexport default function L() { return Nav; }\n",
        ),
        (
            "app/globals.css",
            "@import \"./theme.css\";\nbody { margin: 0 }\n",
        ),
        ("app/theme.css", ":root { --accent: red }\n"),
        (
            "components/nav.js",
            "import styles from \"./nav.module.css\";\nexport const Nav = styles.nav;\n",
        ),
        ("components/nav.module.css", ".nav { display: flex }\n"),
        (
            "app/page.js",
            "import \"./page.css\";\nexport default () => null;\n",
        ),
        ("app/page.css", "main { color: blue }\n"),
        ("app/plain/page.js", "export default () => null;\n"),
    ]);
    let mut compiler = Compiler::new(&app.0, CompileOptions::default());
    let compiled = compiler.compile(&mut Identity).unwrap();
    let urls: Vec<&str> = compiled
        .media
        .iter()
        .filter(|m| m.content_type.starts_with("text/css"))
        .map(|m| m.url.as_str())
        .collect();
    assert_eq!(urls.len(), 3, "{urls:?}");
    let css_of = |needle: &str| -> String {
        let file = compiled
            .media
            .iter()
            .find(|m| std::str::from_utf8(&m.body).unwrap().contains(needle))
            .unwrap_or_else(|| panic!("a stylesheet with {needle}"));
        file.url.clone()
    };
    let (globals, nav, page) = (
        css_of("--accent:red"),
        css_of("display:flex"),
        css_of("main{"),
    );
    // The layout reaches globals.css and, through the nav component, its module; the page its
    // own stylesheet; a page that imports none is not listed.
    let styles = compiled
        .bundle
        .lines()
        .find(|l| l.starts_with("__bext_styles("))
        .expect("a styles statement");
    assert_eq!(
        styles,
        format!(
            "__bext_styles({{\"app/layout.js\":[\"{globals}\",\"{nav}\"],\"app/page.js\":[\"{page}\"]}});"
        )
    );
    // The CSS module's value is its scoped class names.
    let nav_class =
        std::str::from_utf8(&compiled.media.iter().find(|m| m.url == nav).unwrap().body)
            .unwrap()
            .trim_start_matches('.')
            .split('{')
            .next()
            .unwrap()
            .to_owned();
    assert!(nav_class.ends_with("_nav"), "{nav_class}");
    assert!(
        compiled
            .bundle
            .contains(&format!("module.exports = {{\"nav\": \"{nav_class}\"}};")),
        "{}",
        compiled.bundle
    );
    // The dev watcher sees the imported file.
    assert!(
        compiled
            .sources
            .iter()
            .any(|p| p.ends_with("app/theme.css"))
    );

    // A file globals.css @imports changes: only globals.css is compiled again.
    app.write("app/theme.css", ":root { --accent: green }\n");
    let file = fs::File::options()
        .write(true)
        .open(app.0.join("app/theme.css"))
        .unwrap();
    file.set_modified(SystemTime::now() + Duration::from_secs(60))
        .unwrap();
    let again = compiler.compile(&mut Identity).unwrap();
    assert_eq!(again.stats.compiled, 1, "{:?}", again.stats);
    assert!(again.media.iter().any(|m| {
        std::str::from_utf8(&m.body)
            .unwrap()
            .contains("--accent:green")
    }));
    assert!(!again.bundle.contains(&globals));
}

#[test]
fn routes_that_say_they_are_dynamic_are_known_at_compile_time() {
    let app = TempApp::new(&[
        ("app/layout.js", "export default function L() {}\n"),
        ("app/page.js", "export default () => null;\n"),
        (
            "app/live/page.js",
            "export const dynamic = \"force-dynamic\";\nexport default () => null;\n",
        ),
        (
            "app/feed/layout.js",
            "export const revalidate = 0;\nexport default function L() {}\n",
        ),
        ("app/feed/page.js", "export default () => null;\n"),
        (
            "app/auto/page.js",
            "export const dynamic = \"auto\";\nexport let revalidate = 0;\nexport default () => null;\n",
        ),
    ]);
    let compiled = Compiler::new(&app.0, CompileOptions::default())
        .compile(&mut Identity)
        .unwrap();
    let mut patterns: Vec<&str> = compiled
        .force_dynamic
        .iter()
        .map(|&i| compiled.routes.routes()[i].pattern.as_str())
        .collect();
    patterns.sort_unstable();
    // `auto` is not forcing, and a `let` may change before it is read.
    assert_eq!(patterns, ["/feed", "/live"]);
}

#[test]
fn dev_mode_embeds_errors_and_serves_the_rest() {
    let app = TempApp::new(&[
        ("app/layout.js", "export default function L() {}\n"),
        ("app/page.js", "export default () => \"home\";\n"),
        (
            "app/broken/page.js",
            "import x from \"./gone\";\nexport default () => x;\n",
        ),
        ("app/syntax/page.js", "export default () => {;\n"),
    ]);
    let options = CompileOptions {
        embed_errors: true,
        ..CompileOptions::default()
    };
    let mut compiler = Compiler::new(&app.0, options);
    let compiled = compiler
        .compile(&mut Identity)
        .unwrap_or_else(|e| panic!("{e}"));
    let errors: Vec<String> = compiled
        .errors
        .iter()
        .map(|e| format!("{}:{}:{}", e.path.display(), e.line, e.column))
        .collect();
    assert_eq!(
        errors,
        ["app/broken/page.js:1:15", "app/syntax/page.js:2:1"]
    );
    assert!(compiled.bundle.contains(r#"__bext_define("app/broken/page.js", function () { throw __bext_compile_error({"column":15,"frame":"#));

    let limits = Limits {
        heap_bytes_max: 32 * 1024 * 1024,
        call_timeout: Duration::from_secs(5),
    };
    let mut engine = create(EngineKind::QuickJs, limits).unwrap();
    let prelude = r#"
        var f = {}, c = {};
        function __bext_define(id, fn) { f[id] = fn; }
        function require(id) { if (c[id]) return c[id].exports; var m = c[id] = { exports: {} }; f[id](m, m.exports, require); return m.exports; }
        function __bext_export(e, g) { for (var k in g) Object.defineProperty(e, k, { enumerable: true, get: g[k] }); }
        function __bext_default(m) { return m && m.__esModule ? m.default : m; }
        function __bext_compile_error(d) { var e = new Error(d.message); e.diagnostic = d; return e; }
        function __bext_routes() {}
        function probe(id) {
          try { return String(require(id).default()); }
          catch (e) { return e.message + " @ " + e.diagnostic.path + ":" + e.diagnostic.line; }
        }"#;
    engine.eval(prelude, "prelude.js").unwrap();
    engine
        .eval(&compiled.bundle, "bundle.js")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    for id in ["app/page.js", "app/broken/page.js", "app/syntax/page.js"] {
        engine.call("probe", id, &mut out).unwrap();
    }
    assert_eq!(
        out,
        [
            "home",
            "cannot find \"./gone\" @ app/broken/page.js:1",
            "Expected `}` but found `EOF` @ app/syntax/page.js:2"
        ]
    );

    // Fixed: the next compile is clean.
    app.write("app/broken/gone.js", "export default \"back\";\n");
    app.write("app/syntax/page.js", "export default () => {};\n");
    let fixed = compiler.compile(&mut Identity).unwrap();
    assert!(fixed.errors.is_empty(), "{:?}", fixed.errors);
    assert!(!fixed.bundle.contains("__bext_compile_error"));
}

/// Resolution as Node and Next.js do it: `imports` (`#name`, with conditions and patterns),
/// `exports` conditions for server components (`react-server` before the package's default),
/// and `baseUrl` without `paths`.
#[test]
fn package_imports_server_conditions_and_base_url() {
    let app = TempApp::new(&[
        (
            "package.json",
            r##"{"name": "app", "imports": {"#db": {"react-server": "./lib/db.js", "default": "./lib/nope.js"}, "#util/*": "./lib/util/*.js", "#ext": "dep/extra"}}"##,
        ),
        (
            "tsconfig.json",
            r#"{"compilerOptions": {"baseUrl": "src"}}"#,
        ),
        (
            "src/components/button.js",
            "export const button = 'button';\n",
        ),
        ("lib/db.js", "export const db = 'server db';\n"),
        ("lib/util/fmt.js", "export const fmt = 'fmt';\n"),
        (
            "node_modules/dep/package.json",
            r#"{"name": "dep", "exports": {".": {"browser": "./browser.js", "react-server": "./server.js", "default": "./index.js"}, "./extra": "./extra.js"}}"#,
        ),
        (
            "node_modules/dep/server.js",
            "export const dep = 'server';\n",
        ),
        (
            "node_modules/dep/index.js",
            "export const dep = 'default';\n",
        ),
        (
            "node_modules/dep/browser.js",
            "export const dep = 'browser';\n",
        ),
        (
            "node_modules/dep/extra.js",
            "export const extra = 'extra';\n",
        ),
        (
            "app/page.js",
            "import { db } from '#db';\nimport { fmt } from '#util/fmt';\nimport { extra } from '#ext';\nimport { dep } from 'dep';\nimport { button } from 'components/button';\nexport default () => [db, fmt, extra, dep, button].join();\n",
        ),
        (
            "app/layout.js",
            "export default ({ children }) => children;\n",
        ),
    ]);
    let compiled = Compiler::new(&app.0, CompileOptions::default())
        .compile(&mut Identity)
        .unwrap_or_else(|e| panic!("{e}"));
    for id in [
        "\"lib/db.js\"",
        "\"lib/util/fmt.js\"",
        "\"node_modules/dep/extra.js\"",
        "\"node_modules/dep/server.js\"",
        "\"src/components/button.js\"",
    ] {
        assert!(
            compiled.bundle.contains(&format!("__bext_define({id}")),
            "{id} linked"
        );
    }
    assert!(!compiled.bundle.contains("lib/nope.js"));
    assert!(!compiled.bundle.contains("node_modules/dep/index.js"));
}
