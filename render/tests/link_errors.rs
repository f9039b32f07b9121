//! Compile errors: every one names the file, the line and column, and shows a code frame.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use bext_render::link::{CompileOptions, Compiler, Identity, ModuleDiagnostic, ModuleTransform};

struct TempApp(PathBuf);

impl TempApp {
    fn new(files: &[(&str, &str)]) -> TempApp {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "bext-link-errors-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        for (name, text) in files {
            let path = dir.join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        TempApp(dir)
    }
}

impl Drop for TempApp {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

const LAYOUT: (&str, &str) = ("app/layout.js", "export default function L() {}\n");

/// Compiling `files` (plus a root layout) with `transform` fails with exactly `expect`.
fn check_with(files: &[(&str, &str)], transform: &mut dyn ModuleTransform, expect: &str) {
    let mut all = vec![LAYOUT];
    all.extend_from_slice(files);
    let app = TempApp::new(&all);
    match Compiler::new(&app.0, CompileOptions::default()).compile(transform) {
        Ok(_) => panic!("{files:?}: expected errors"),
        Err(errors) => assert_eq!(errors.to_string(), expect, "\n--- got ---\n{errors}\n"),
    }
}

fn check(files: &[(&str, &str)], expect: &str) {
    check_with(files, &mut Identity, expect);
}

/// Compiling `files` (plus a root layout) succeeds.
fn check_ok(files: &[(&str, &str)]) {
    let mut all = vec![LAYOUT];
    all.extend_from_slice(files);
    let app = TempApp::new(&all);
    if let Err(errors) = Compiler::new(&app.0, CompileOptions::default()).compile(&mut Identity) {
        panic!("{files:?}: {errors}");
    }
}

#[test]
fn unresolvable_imports() {
    check(
        &[
            (
                "app/page.js",
                "import a from \"./a\";\nimport b from \"./missing\";\nexport default () => a + b;\n",
            ),
            ("app/a.js", "export default 1;\n"),
        ],
        concat!(
            "app/page.js:2:15: cannot find \"./missing\"\n",
            "  1 | import a from \"./a\";\n",
            "> 2 | import b from \"./missing\";\n",
            "    |               ^\n",
            "  3 | export default () => a + b;",
        ),
    );
    check(
        &[("app/page.js", "export { x } from \"left-pad\";\n")],
        "app/page.js:1:19: cannot find package \"left-pad\" (looked in node_modules up from the importing file)\n> 1 | export { x } from \"left-pad\";\n    |                   ^",
    );
    // A Node built-in bext does not provide is named as one, with what is provided instead,
    // with or without `node:`; the ones it provides resolve.
    let provided = "Provided: buffer, crypto, events, fs, fs/promises, os, path, path/posix, querystring, string_decoder, url, util, util/types (also as node:…). Move this code behind a route handler that calls a service, or use a package that does not need it";
    check(
        &[(
            "app/page.js",
            "import fs from \"node:fs\";\nimport { exec } from \"node:child_process\";\nimport net from \"net\";\n",
        )],
        &format!(
            concat!(
                "app/page.js:2:22: \"node:child_process\" is a Node.js built-in module that bext does not provide: server code runs in an embedded JavaScript engine, not in Node. {provided}\n",
                "  1 | import fs from \"node:fs\";\n> 2 | import {{ exec }} from \"node:child_process\";\n    |                      ^\n  3 | import net from \"net\";\n",
                "app/page.js:3:17: \"net\" is a Node.js built-in module that bext does not provide: server code runs in an embedded JavaScript engine, not in Node. {provided}\n",
                "  1 | import fs from \"node:fs\";\n  2 | import {{ exec }} from \"node:child_process\";\n> 3 | import net from \"net\";\n    |                 ^",
            ),
            provided = provided
        ),
    );
    check(
        &[
            ("app/page.js", "import \"pkg/hidden\";\n"),
            (
                "node_modules/pkg/package.json",
                r#"{"exports": {".": "./index.js"}}"#,
            ),
            ("node_modules/pkg/index.js", ""),
        ],
        "app/page.js:1:8: package \"pkg\" does not export \"./hidden\" (see its package.json \"exports\")\n> 1 | import \"pkg/hidden\";\n    |        ^",
    );
    check(
        &[("app/page.js", "import x from \"@/lib/nope\";\n")],
        "app/page.js:1:15: cannot find \"@/lib/nope\" (@/ is the app root)\n> 1 | import x from \"@/lib/nope\";\n    |               ^",
    );
    // Next's own modules are never taken from node_modules: bext's, or a message.
    check(
        &[
            ("app/page.js", "import Image from \"next/legacy/image\";\n"),
            (
                "node_modules/next/legacy/image.js",
                "module.exports = {};\n",
            ),
        ],
        "app/page.js:1:19: next/legacy/image is not provided by bext yet (use next/image, which bext provides); bext provides next/navigation, next/headers, next/link, next/server, next/dynamic, next/script, next/image, next/form and next/font\n> 1 | import Image from \"next/legacy/image\";\n    |                   ^",
    );
    check(
        &[("app/page.js", "const x = require(\"./gone\");\n")],
        "app/page.js:1:19: cannot find \"./gone\"\n> 1 | const x = require(\"./gone\");\n    |                   ^",
    );
    // In a package, a static import must resolve too.
    check(
        &[
            ("app/page.js", "import \"pkg\";\n"),
            ("node_modules/pkg/index.js", "import \"./nope.js\";\n"),
        ],
        "node_modules/pkg/index.js:1:8: cannot find \"./nope.js\"\n> 1 | import \"./nope.js\";\n    |        ^",
    );
}

#[test]
fn packages_may_require_what_is_missing() {
    // Optional dependencies and Node-only branches: left to fail at run time, if reached.
    check_ok(&[
        ("app/page.js", "import \"pkg\";\n"),
        (
            "node_modules/pkg/index.js",
            "try { require(\"optional\"); } catch (e) {}\nif (false) import(\"fs\");\nimport(name);\n",
        ),
    ]);
}

#[test]
fn syntax_errors() {
    check(
        &[(
            "app/page.js",
            "export default function Page() {\n  return 1 +;\n}\n",
        )],
        concat!(
            "app/page.js:2:13: Unexpected token\n",
            "  1 | export default function Page() {\n",
            "> 2 |   return 1 +;\n",
            "    |             ^\n",
            "  3 | }",
        ),
    );
    // Found by semantic analysis, not the parser: would still break the whole bundle.
    check(
        &[("app/page.js", "let a = 1;\nlet a = 2;\n")],
        "app/page.js:2:5: Identifier `a` has already been declared\n  1 | let a = 1;\n> 2 | let a = 2;\n    |     ^",
    );
    check(
        &[("app/page.js", "export const data = await fetch(\"x\");\n")],
        "app/page.js:1:21: top-level await is not supported: move it into the loader\n> 1 | export const data = await fetch(\"x\");\n    |                     ^",
    );
    check(
        &[("app/page.js", "const m = import(\"./\" + name);\n")],
        "app/page.js:1:11: import() needs a string literal or a template over a folder: the linker bundles what it can see\n> 1 | const m = import(\"./\" + name);\n    |           ^",
    );
    check(
        &[
            ("app/page.js", "import d from \"./d.json\";\n"),
            ("app/d.json", "{\"a\": 1,}\n"),
        ],
        "app/d.json:1:9: invalid JSON: key must be a string\n> 1 | {\"a\": 1,}\n    |         ^",
    );
}

#[test]
fn discovery_errors() {
    let app = TempApp::new(&[
        ("app/page.js", ""),
        ("app/x/page.js", ""),
        ("app/x/route.js", ""),
    ]);
    let errors = Compiler::new(&app.0, CompileOptions::default())
        .compile(&mut Identity)
        .unwrap_err()
        .to_string();
    assert_eq!(
        errors,
        "app/page.js: has no root layout: add app/layout.tsx (or a layout.tsx in a folder above the page), which renders <html> and <body>\n\
         app/x/page.js: conflicts with app/x/route.js: a folder holds a page or a route handler, not both"
    );
    let empty = TempApp::new(&[("lib/x.js", "")]);
    let errors = Compiler::new(&empty.0, CompileOptions::default())
        .compile(&mut Identity)
        .unwrap_err()
        .to_string();
    assert!(errors.starts_with("app: no app/ directory in "), "{errors}");
}

#[test]
fn transform_errors_and_positions_in_the_original() {
    let mut failing = |source: &str, _: &Path| -> Result<String, ModuleDiagnostic> {
        if source.contains("<bad") {
            return Err(ModuleDiagnostic {
                line: 3,
                column: 7,
                message: "Unexpected JSX".into(),
                frame: "> 3 | <bad".into(),
            });
        }
        Ok(source.to_owned())
    };
    check_with(
        &[("app/page.js", "a\nb\n<bad\n")],
        &mut failing,
        "app/page.js:3:7: Unexpected JSX\n> 3 | <bad",
    );

    // A transform that adds lines: an unresolvable import is shown where the user wrote it.
    let mut prepending = |source: &str, _: &Path| -> Result<String, ModuleDiagnostic> {
        Ok(format!("import \"react\";\n\n\n{source}"))
    };
    check_with(
        &[("app/page.js", "// page\nimport x from './nowhere';\n")],
        &mut prepending,
        "app/page.js:2:15: cannot find \"./nowhere\"\n  1 | // page\n> 2 | import x from './nowhere';\n    |               ^",
    );
    // A syntax error the transform let through is shown in its output, and said so.
    let mut breaking =
        |_: &str, _: &Path| -> Result<String, ModuleDiagnostic> { Ok("let = ;\n".to_owned()) };
    let app = TempApp::new(&[LAYOUT, ("app/page.js", "export default 1;\n")]);
    let errors = Compiler::new(&app.0, CompileOptions::default())
        .compile(&mut breaking)
        .unwrap_err();
    assert!(
        errors
            .to_string()
            .contains("(in the transformed output of this file)"),
        "{errors}"
    );
}

/// A package that was never installed: the error says to run `npm install` where the
/// `package.json` is, not only that the import cannot be found.
#[test]
fn a_package_listed_but_not_installed_says_to_run_npm_install() {
    let cases: [(&[(&str, &str)], &str); 2] = [
        (
            &[("package.json", r#"{"dependencies": {"left-pad": "1.3.0"}}"#)],
            "is there but no node_modules beside it; run `npm install` in",
        ),
        (
            &[
                (
                    "package.json",
                    r#"{"devDependencies": {"left-pad": "1.3.0"}}"#,
                ),
                ("node_modules/other/package.json", r#"{"main": "i.js"}"#),
            ],
            "lists it but it is not in node_modules; run `npm install` in",
        ),
    ];
    for (extra, want) in cases {
        let mut files = vec![LAYOUT, ("app/page.js", "export { x } from \"left-pad\";\n")];
        files.extend_from_slice(extra);
        let app = TempApp::new(&files);
        let errors = match Compiler::new(&app.0, CompileOptions::default()).compile(&mut Identity) {
            Ok(_) => panic!("{extra:?}: expected an error"),
            Err(errors) => errors.to_string(),
        };
        assert!(
            errors.starts_with("app/page.js:1:19: cannot find package \"left-pad\": ")
                && errors.contains(want)
                && errors.contains(&app.0.display().to_string()),
            "{errors}"
        );
    }
}

#[test]
fn server_actions_in_client_components_are_refused_where_they_are() {
    let page = (
        "app/page.js",
        "import Form from \"../components/form\";\nexport default () => Form;\n",
    );
    let actions = (
        "lib/actions.js",
        "\"use server\";\nexport async function save() {}\n",
    );
    check(
        &[
            page,
            actions,
            (
                "components/form.js",
                "\"use client\";\nimport { save } from \"../lib/actions\";\nexport default () => save;\n",
            ),
        ],
        concat!(
            "components/form.js:2:22: \"../lib/actions\" is a \"use server\" module (Server Actions), imported by a \"use client\" module: Server Actions are not supported by bext yet (a later version will)\n",
            "  1 | \"use client\";\n",
            "> 2 | import { save } from \"../lib/actions\";\n",
            "    |                      ^\n",
            "  3 | export default () => save;",
        ),
    );
    check(
        &[
            page,
            (
                "components/form.js",
                "\"use client\";\nexport default function Form() {\n  async function save() {\n    \"use server\";\n  }\n  return save;\n}\n",
            ),
        ],
        concat!(
            "components/form.js:4:5: a \"use server\" function (a Server Action) inside a \"use client\" module: Server Actions are not supported by bext yet (a later version will)\n",
            "  2 | export default function Form() {\n",
            "  3 |   async function save() {\n",
            "> 4 |     \"use server\";\n",
            "    |     ^\n",
            "  5 |   }\n",
            "  6 |   return save;",
        ),
    );
    // A server component may import them (they are plain functions there), and a client
    // module may import a server-only module that is not one of Server Actions.
    check_ok(&[
        (
            "app/page.js",
            "import { save } from \"../lib/actions\";\nexport default () => save;\n",
        ),
        actions,
    ]);
}
