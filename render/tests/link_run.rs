//! The linked bundle runs in QuickJS and behaves like ES modules: live bindings, cycles,
//! JSON, CommonJS interop, package resolution, re-exports, dynamic import.
//!
//! The registry here is a minimal hand-written one (the real one is the app runtime's); it
//! implements exactly what the render contract says the bundle may rely on.

use std::path::Path;
use std::time::Duration;

use bext_engine::{Engine, EngineKind, Limits, create};
use bext_render::link::{CompileOptions, Compiler, Identity};

const PRELUDE: &str = r#"
var __bext_factories = Object.create(null), __bext_cache = Object.create(null);
function __bext_define(id, factory) { __bext_factories[id] = factory; }
function require(id) {
  var cached = __bext_cache[id];
  if (cached) return cached.exports;
  var factory = __bext_factories[id];
  if (!factory) throw new Error("Cannot find module '" + id + "'");
  var module = { exports: {} };
  __bext_cache[id] = module;
  factory.call(module.exports, module, module.exports, require);
  return module.exports;
}
function __bext_export(exports, getters) {
  for (var name in getters) Object.defineProperty(exports, name, { enumerable: true, get: getters[name] });
}
function __bext_default(m) { return m && m.__esModule ? m.default : m; }
function __bext_compile_error(d) { var e = new Error(d.message); e.diagnostic = d; return e; }
function __bext_routes(routes) { globalThis.__routes = routes; }
function __bext_import_meta(id) { return { url: "file:///" + id }; }
__bext_define("react", function (module) { module.exports = { version: "builtin react" }; });
function __test_eval(source) { return JSON.stringify((0, eval)(source)); }
function __test_async(source) {
  globalThis.__test_result = "pending";
  Promise.resolve((0, eval)(source)).then(
    function (v) { globalThis.__test_result = v; },
    function (e) { globalThis.__test_result = "rejected: " + e; });
}
"#;

fn engine_for(app: &str) -> Box<dyn Engine> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/apps")
        .join(app);
    let compiled = Compiler::new(&root, CompileOptions::default())
        .compile(&mut Identity)
        .unwrap_or_else(|e| panic!("{e}"));
    let limits = Limits {
        heap_bytes_max: 64 * 1024 * 1024,
        call_timeout: Duration::from_secs(5),
    };
    let mut engine = create(EngineKind::QuickJs, limits).unwrap_or_else(|e| panic!("{e}"));
    engine
        .eval(PRELUDE, "prelude.js")
        .unwrap_or_else(|e| panic!("{e}"));
    engine
        .eval(&compiled.bundle, "bundle.js")
        .unwrap_or_else(|e| panic!("{e}\n{}", compiled.bundle));
    engine
}

/// Evaluates `expression` (a promise is awaited) and compares its JSON with `expect`.
fn check(engine: &mut dyn Engine, expression: &str, expect: &str) {
    let mut out = Vec::new();
    engine
        .call("__test_async", expression, &mut out)
        .unwrap_or_else(|e| panic!("{expression}: {e}"));
    engine
        .call("__test_eval", "globalThis.__test_result", &mut out)
        .unwrap_or_else(|e| panic!("{expression}: {e}"));
    let got: serde_json::Value =
        serde_json::from_str(&out[0]).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    let expect: serde_json::Value =
        serde_json::from_str(expect).unwrap_or_else(|e| panic!("{e}: {expect}"));
    assert_eq!(got, expect, "{expression}");
}

fn page(engine: &mut dyn Engine, id: &str, expect: &str) {
    check(engine, &format!("require({id:?}).default()"), expect);
}

#[test]
fn live_bindings_and_this() {
    let mut engine = engine_for("basic");
    page(
        &mut *engine,
        "app/live/page.js",
        r#"{"before": 0, "after": 1, "namespace": 1, "shorthand": 1, "shadow": "local",
            "thisIsUndefined": true, "tagged": true, "twice": 42, "sameModule": true}"#,
    );
    // The exporting module's own view and a second importer agree.
    check(&mut *engine, r#"require("lib/counter.js").counter"#, "1");
}

#[test]
fn cycles_behave_like_esm() {
    let mut engine = engine_for("basic");
    page(
        &mut *engine,
        "app/cycle/page.js",
        r#"{"a": "a", "readB": "b", "readA": "a", "fromB": "bFn+aFn", "early": "ReferenceError"}"#,
    );
}

#[test]
fn json_modules() {
    let mut engine = engine_for("basic");
    page(
        &mut *engine,
        "app/json/page.js",
        r#"{"name": "bext", "named": "bext", "list": [1, 2, 3], "config": {"debug": false}}"#,
    );
    check(
        &mut *engine,
        r#"require("app/json/data.json").unicode"#,
        r#""caf\u00e9 \u2028""#,
    );
}

#[test]
fn commonjs_interop() {
    let mut engine = engine_for("basic");
    page(
        &mut *engine,
        "app/cjs/page.js",
        r#"{"defaultNamed": "named:42", "named": "named:42", "fn": "fn", "namespaceDefault": "named:42",
            "namespaceNamed": "named:42", "babel": "babel default", "extra": "extra", "callMe": "called",
            "prop": "prop", "funcNamespace": "called", "env": "production", "optional": "missing",
            "react": "builtin react", "reactNamed": "builtin react"}"#,
    );
}

#[test]
fn package_resolution() {
    let mut engine = engine_for("basic");
    page(
        &mut *engine,
        "app/packages/page.js",
        r#"{"esmDefault": "esm default", "helper": "helper", "sub": "sub", "feature": "x",
            "which": "esm", "scoped": "scoped", "plain": "plain"}"#,
    );
}

#[test]
fn re_exports() {
    let mut engine = engine_for("basic");
    page(
        &mut *engine,
        "app/reexport/page.js",
        r#"{"reexportsDefault": "reexports default", "s1": 1, "s2": 2, "deep": "deep", "cjsNamed": "named:42",
            "counterDefault": "counter default", "liveCounter": 0, "namespaceCounter": 0, "helper": "helper",
            "helperAlias": "helper", "starDefaultSkipped": true}"#,
    );
    check(
        &mut *engine,
        r#"Object.keys(require("lib/reexports.js")).filter(k => k !== "__esModule").sort()"#,
        r#"["counterDefault", "counterNs", "deep", "default", "env", "fn", "helper", "helperAlias",
            "liveCounter", "named", "optional", "s1", "s2"]"#,
    );
}

#[test]
fn dynamic_import_and_import_meta() {
    let mut engine = engine_for("basic");
    page(
        &mut *engine,
        "app/dynamic/page.js",
        r#"{"lazy": "lazy", "cjs": "named:42", "url": "file:///app/dynamic/page.js", "helper": "private helper"}"#,
    );
}

#[test]
fn handlers_and_route_table() {
    let mut engine = engine_for("basic");
    check(
        &mut *engine,
        r#"require("app/api/hello/route.js").GET("you")"#,
        r#""hello you""#,
    );
    check(
        &mut *engine,
        "__routes.map(r => r.pattern + ' ' + (r.page || r.handler))",
        r#"["/grouped app/(group)/grouped/page.js", "/api/hello app/api/hello/route.js", "/cjs app/cjs/page.js",
            "/cycle app/cycle/page.js", "/dynamic app/dynamic/page.js", "/json app/json/page.js",
            "/live app/live/page.js", "/packages app/packages/page.js", "/reexport app/reexport/page.js", " null"]"#,
    );
    check(
        &mut *engine,
        "__routes[0].layouts.map(id => require(id).default({children: 'x'}))",
        r#"["<html><body>x</body></html>"]"#,
    );
    check(
        &mut *engine,
        "[__routes[9].notFound, __routes[9].error]",
        r#"["app/not-found.js", "app/error.js"]"#,
    );
}
