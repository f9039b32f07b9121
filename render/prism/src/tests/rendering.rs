//! Compiled modules run in QuickJS: behaviour that React's conformance corpus cannot show
//! (PRISM's own errors), and lowering corners checked end to end.

use std::path::Path;
use std::time::Duration;

use bext_core::limits::{ENGINE_HEAP_BYTES_MAX, RENDER_TIMEOUT_MS};
use bext_engine::{EngineKind, Limits};

use crate::{PRISM_RUNTIME_JS, TransformOptions, transform};

#[path = "../../tests/conformance/esm.rs"]
mod esm;

const HARNESS_JS: &str = r#"
globalThis.__fixtures = {};
globalThis.__render = function (name) {
  var m = globalThis.__fixtures[name];
  try {
    return "ok: " + __prism.renderToString(__prism.createElement(m.default, m.props || {}));
  } catch (e) {
    return "error: " + e.message;
  }
};
"#;

/// Compiles `source` (a module with a default export) and renders it with `__prism`.
fn check(source: &str, expect: &str) {
    let code = transform(source, Path::new("page.tsx"), &TransformOptions::default())
        .unwrap_or_else(|d| panic!("{d}"));
    let script = esm::to_script(&code, "page").unwrap_or_else(|e| panic!("{e}"));
    let limits = Limits {
        heap_bytes_max: ENGINE_HEAP_BYTES_MAX,
        call_timeout: Duration::from_millis(RENDER_TIMEOUT_MS),
    };
    let mut engine =
        bext_engine::create(EngineKind::QuickJs, limits).unwrap_or_else(|e| panic!("{e}"));
    for (js, name) in [
        (PRISM_RUNTIME_JS, "prism.js"),
        (HARNESS_JS, "harness.js"),
        (script.as_str(), "page"),
    ] {
        engine
            .eval(js, name)
            .unwrap_or_else(|e| panic!("{name}: {e}\n{code}"));
    }
    let mut out = Vec::new();
    engine
        .call("__render", "page", &mut out)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.concat(), expect, "\n--- compiled ---\n{code}");
}

#[test]
fn a_render_that_cannot_wait_says_so() {
    // The app runtime and `renderToStringAsync` wait for async components; the synchronous
    // `renderToString` cannot, and says why instead of returning a page with holes.
    check(
        "async function Data() { return <p>late</p>; }\nexport default function Page() { return <main><Data /></main>; }",
        "error: PRISM: a component is waiting for a promise; this render cannot wait for it",
    );
}

#[test]
fn objects_are_not_children() {
    check(
        "export default function Page() { return <p>{{ a: 1 } as any}</p>; }",
        "error: Objects are not valid as a React child (found: object with keys {a}). If you meant to render a collection of children, use an array instead.",
    );
}

#[test]
fn markers_never_leak() {
    // An option outside any select, a title and an image preload: resolved by `finish`.
    check(
        "export default function Page() { return <div><option value=\"a\" selected>A</option><title>T</title><img src=\"/i.png\" /></div>; }",
        "ok: <link rel=\"preload\" as=\"image\" href=\"/i.png\"/><title>T</title><div><option value=\"a\" selected=\"\">A</option><img src=\"/i.png\"/></div>",
    );
}

#[test]
fn sequence_expressions_stay_one_argument() {
    check(
        "let n = 0;\nexport default function Page() { return <p title={(n++, \"t\")}>{(n++, n)}</p>; }",
        "ok: <p title=\"t\">2</p>",
    );
}

#[test]
fn dropped_props_with_effects_still_run() {
    check(
        "let calls = 0;\nconst track = () => { calls++; return () => {}; };\nexport default function Page() { return <div><b onClick={track()} />{calls}</div>; }",
        "ok: <div><b></b>1</div>",
    );
}

#[test]
fn context_providers_in_lowered_code() {
    // A provider's children are elements, rendered inside it (the conformance corpus has the
    // nested and component-built cases).
    check(
        "import { createContext, useContext } from \"react\";\nconst Theme = createContext(\"light\");\nfunction Label() { return <b>{useContext(Theme)}</b>; }\nexport default function Page() { return <Theme.Provider value=\"dark\"><Label /></Theme.Provider>; }",
        "ok: <b>dark</b>",
    );
}

#[test]
fn use_id_names_the_place_in_the_tree_as_react() {
    // The root component's id; the conformance corpus (use_id_*.tsx) holds the rest.
    check(
        "import { useId } from \"react\";\nexport default function Page() { const id = useId(); return <label htmlFor={id}>x</label>; }",
        "ok: <label for=\"_R_0_\">x</label>",
    );
}
