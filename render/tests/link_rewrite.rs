//! The exact text the linker emits for one module: how ESM is rewritten into a registry
//! entry. Each case links a tiny app whose page is the given source, next to an ESM module
//! (`lib/esm.js`) and a CommonJS one (`lib/cjs.js`) it can import.

use std::fs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use bext_render::link::{CompileOptions, Compiler, Identity};

/// A throwaway app directory, removed when dropped.
struct TempApp(PathBuf);

impl TempApp {
    fn new(files: &[(&str, &str)]) -> TempApp {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "bext-link-rewrite-{}-{}",
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

/// Links an app whose `app/page.js` is `source` and compares the page's registry entry with
/// `expect` (the first line, with the preamble, then the code).
fn check(source: &str, expect: &str) {
    let app = TempApp::new(&[
        ("app/layout.js", "export default function L() {}\n"),
        ("app/page.js", source),
        ("lib/esm.js", "export const a = 1; export default 2;\n"),
        ("lib/cjs.js", "module.exports = { a: 1 };\n"),
    ]);
    let compiled = Compiler::new(&app.0, CompileOptions::default())
        .compile(&mut Identity)
        .unwrap_or_else(|e| panic!("{e}"));
    let start = compiled
        .bundle
        .find("__bext_define(\"app/page.js\"")
        .expect("page entry");
    let end =
        start + compiled.bundle[start..].find("\n});\n").expect("entry end") + "\n});\n".len();
    let got = &compiled.bundle[start..end];
    assert_eq!(got, expect, "\n--- got ---\n{got}--- source ---\n{source}");
}

const HEAD: &str = r#"__bext_define("app/page.js", function (__bext_module, __bext_exports, __bext_require) {"use strict"; __bext_exports.__esModule = true; "#;

fn esm(preamble: &str, code: &str) -> String {
    format!("{HEAD}{preamble}\n{code}\n}});\n")
}

#[test]
fn imports_become_reads_of_the_exports_object() {
    check(
        "import d, { a as b } from \"@/lib/esm\";\nexport const x = () => d + b;\n",
        &esm(
            r#"__bext_export(__bext_exports, {x: () => x}); var __bext_m0 = __bext_require("lib/esm.js"); "#,
            "\nconst x = () => __bext_m0.default + __bext_m0.a;\n",
        ),
    );
    // CommonJS: the default is computed once; names are still read live.
    check(
        "import c, { a } from \"../lib/cjs\";\nimport * as ns from \"../lib/cjs\";\nexport default [c, a, ns];\n",
        &esm(
            r#"__bext_export(__bext_exports, {default: () => __bext_d}); var __bext_m0 = __bext_require("lib/cjs.js"); var __bext_m0d = __bext_default(__bext_m0); var __bext_m0n = (__bext_m0 && __bext_m0.__esModule ? __bext_m0 : Object.assign({default: __bext_m0}, __bext_m0)); "#,
            "\n\nconst __bext_d = [__bext_m0d, __bext_m0.a, __bext_m0n];\n",
        ),
    );
}

#[test]
fn calls_shorthand_and_shadowing() {
    check(
        "import { a } from \"@/lib/esm\";\nexport function f(a2) { const o = { a }; a(); a`t`; return ((a) => a)(a2) + o; }\n",
        &esm(
            r#"__bext_export(__bext_exports, {f: () => f}); var __bext_m0 = __bext_require("lib/esm.js"); "#,
            "\nfunction f(a2) { const o = { a: __bext_m0.a }; (0, __bext_m0.a)(); (0, __bext_m0.a)`t`; return ((a) => a)(a2) + o; }\n",
        ),
    );
}

#[test]
fn export_forms() {
    check(
        "export let a = 1, { b, c: [d] } = {};\nexport class K {}\nexport { a as \"quoted name\", K as default };\n",
        &esm(
            r#"__bext_export(__bext_exports, {a: () => a, b: () => b, d: () => d, K: () => K, "quoted name": () => a, default: () => K}); "#,
            "let a = 1, { b, c: [d] } = {};\nclass K {}\n\n",
        ),
    );
    check(
        "export default function () { return 1; }\n",
        &esm(
            r#"__bext_export(__bext_exports, {default: () => __bext_d}); "#,
            "function __bext_d() { return 1; }\n",
        ),
    );
    check(
        "export default async function named() {}\n",
        &esm(
            r#"__bext_export(__bext_exports, {default: () => named}); "#,
            "async function named() {}\n",
        ),
    );
    check(
        "export default class extends Object {}\n",
        &esm(
            r#"__bext_export(__bext_exports, {default: () => __bext_d}); "#,
            "class __bext_d extends Object {}\n",
        ),
    );
}

#[test]
fn re_exports_and_stars() {
    check(
        "export * from \"@/lib/esm\";\nexport * from \"../lib/cjs\";\nexport { default as e } from \"@/lib/esm\";\nexport * as ns from \"../lib/cjs\";\n",
        &esm(
            concat!(
                r#"__bext_export(__bext_exports, {e: () => __bext_m0.default, ns: () => __bext_m1n, a: () => __bext_m0.a}); "#,
                r#"var __bext_m0 = __bext_require("lib/esm.js"); var __bext_m1 = __bext_require("lib/cjs.js"); "#,
                r#"var __bext_m1n = (__bext_m1 && __bext_m1.__esModule ? __bext_m1 : Object.assign({default: __bext_m1}, __bext_m1)); "#,
                r#"Object.keys(__bext_m1).forEach(function (k) { if (k !== "default" && !Object.prototype.hasOwnProperty.call(__bext_exports, k)) Object.defineProperty(__bext_exports, k, {enumerable: true, get: function () { return __bext_m1[k]; }}); }); "#,
            ),
            "\n\n\n\n",
        ),
    );
}

#[test]
fn requires_dynamic_imports_meta_and_env() {
    check(
        "export const m = import.meta.url, e = process.env.NODE_ENV, r = require(\"../lib/cjs\"), p = import(\"@/lib/esm\"), q = import(\"react\");\n",
        &esm(
            r#"__bext_export(__bext_exports, {m: () => m, e: () => e, r: () => r, p: () => p, q: () => q}); var __bext_meta = __bext_import_meta("app/page.js"); "#,
            concat!(
                r#"const m = __bext_meta.url, e = "production", r = __bext_require("lib/cjs.js"), "#,
                r#"p = Promise.resolve().then(function () { return __bext_require("lib/esm.js"); }), "#,
                r#"q = Promise.resolve().then(function () { var m = __bext_require("react"); return (m && m.__esModule ? m : Object.assign({default: m}, m)); });"#,
                "\n"
            ),
        ),
    );
}

#[test]
fn type_only_syntax_is_dropped_and_side_effect_imports_kept() {
    check(
        "import \"../lib/cjs\";\nimport React from \"react\";\nexport const el = React;\n",
        &esm(
            r#"__bext_export(__bext_exports, {el: () => el}); var __bext_m0 = __bext_require("lib/cjs.js"); var __bext_m1 = __bext_require("react"); var __bext_m1d = __bext_default(__bext_m1); "#,
            "\n\nconst el = __bext_m1d;\n",
        ),
    );
}

#[test]
fn commonjs_modules_are_wrapped_as_they_are() {
    check(
        "const lib = require(\"../lib/cjs\");\nfunction inner(require) { return require(\"x\"); }\nmodule.exports = lib;\n",
        concat!(
            "__bext_define(\"app/page.js\", function (module, exports, require) {\n",
            "const lib = require(\"lib/cjs.js\");\nfunction inner(require) { return require(\"x\"); }\nmodule.exports = lib;\n",
            "\n});\n"
        ),
    );
}
