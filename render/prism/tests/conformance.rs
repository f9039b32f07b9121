//! Conformance: every fixture in `tests/conformance/fixtures`, compiled by `transform` and run
//! in every engine compiled into bext-engine, renders exactly what react-dom/server's
//! `renderToString` renders (with React's `<!-- -->` text separators removed).
//!
//! The expected HTML comes from real React: `tests/conformance/node/render.js` bundles each
//! fixture with esbuild and renders it with the pinned react-dom, and this test runs it. Each
//! fixture is checked twice per engine: lowered by PRISM (string building) and in runtime mode
//! (element objects rendered by prism.js), so both halves of the runtime are held to React.
//!
//! A third pass renders each fixture as a client component (the runtime-mode module's export
//! registered as the linker registers a `"use client"` module's): inside its boundary the
//! output must equal React's *with* its text separators, because the browser's React hydrates
//! it text node by text node. Fixtures whose props cannot cross to the browser (functions)
//! and those that wait for promises (client components do not) are left out of that pass.

#[path = "conformance/esm.rs"]
mod esm;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use bext_core::limits::{ENGINE_HEAP_BYTES_MAX, RENDER_TIMEOUT_MS};
use bext_engine::{Engine, EngineKind, Limits};
use bext_prism::{JsxMode, PRISM_RUNTIME_JS, TransformOptions, transform};

/// The issue asks for a corpus of at least this many fixtures.
const FIXTURES_MIN: usize = 200;

/// `render/js/locale.js` (the app runtime's en-US formatting and root collation where the engine
/// has no `Intl`), installed as the runtime installs it.
const LOCALE_JS: &str = concat!(
    "(function () {\n\"use strict\";\n",
    include_str!("../../js/locale.js"),
    "installLocaleFormatting();\n})();\n"
);

/// Renders a registered fixture's default export with its `props` export, as one document:
/// at once, or (a fixture that exports `wait = true`) waiting for its promises, in which case
/// `__fixture_result` returns it after the engine ran the queued jobs.
const HARNESS_JS: &str = r#"
globalThis.__fixtures = {};
globalThis.__results = {};
globalThis.__fixture_render = function (name) {
  var m = globalThis.__fixtures[name];
  if (!m) throw new Error("fixture " + name + " did not register");
  var element = __prism.createElement(m.default, m.props || {});
  if (!m.wait) return __prism.renderToString(element);
  __results[name] = { done: false };
  __prism.renderToStringAsync(element).then(
    function (html) { __results[name] = { done: true, html: html }; },
    function (e) { __results[name] = { done: true, error: e }; }
  );
};
globalThis.__fixture_render_client = function (name) {
  var m = globalThis.__fixtures[name];
  if (!m) throw new Error("fixture " + name + " did not register");
  __prism.clientRef({ default: m.default }, name);
  try {
    return __prism.renderToString(__prism.createElement(m.default, m.props || {}));
  } catch (e) {
    if (String(e && e.message).indexOf("cannot be passed to a Client Component") !== -1) return "(not serialisable)";
    throw e;
  }
};
globalThis.__fixture_result = function (name) {
  var r = __results[name];
  if (r === undefined) return undefined;
  if (!r.done) throw new Error("the render did not finish");
  if (r.error !== undefined) throw r.error;
  return r.html;
};
"#;

fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance")
}

/// Runs real React over the fixtures. Fails (never skips) when Node or the npm packages are
/// missing, saying how to install them.
/// React's output per fixture: without text separators, and (fixtures rendered at once) with.
struct Expected {
    stripped: BTreeMap<String, String>,
    exact: BTreeMap<String, String>,
}

fn expected_html() -> Expected {
    let node_dir = conformance_dir().join("node");
    let install = format!(
        "install them with `npm ci --prefix {}` (Node.js 20+ and the npm registry are needed; \
         the versions are pinned in package-lock.json)",
        node_dir.display()
    );
    if !node_dir.join("node_modules/react-dom").is_dir()
        || !node_dir.join("node_modules/esbuild").is_dir()
    {
        panic!(
            "the conformance test renders its fixtures with real React, but react-dom/esbuild are not installed: {install}"
        );
    }
    let output = Command::new("node")
        .arg("render.js")
        .arg(conformance_dir().join("fixtures"))
        .current_dir(&node_dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `node` ({e}): the conformance test needs Node.js 20+ on PATH; then {install}"));
    if !output.status.success() {
        panic!(
            "rendering the fixtures with React failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let printed: BTreeMap<String, BTreeMap<String, String>> =
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("render.js printed something unexpected: {e}"));
    let take = |key: &str| {
        printed
            .get(key)
            .cloned()
            .unwrap_or_else(|| panic!("render.js printed no {key:?} map"))
    };
    Expected {
        stripped: take("stripped"),
        exact: take("exact"),
    }
}

struct Compiled {
    /// `<fixture>` plus the mode, the key the fixture registers under.
    key: String,
    fixture: String,
    script: Result<String, String>,
}

fn compile_all(expected: &BTreeMap<String, String>) -> Vec<Compiled> {
    let fixtures = conformance_dir().join("fixtures");
    let mut compiled = Vec::new();
    for name in expected.keys() {
        let path = fixtures.join(name);
        let source =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for mode in [JsxMode::Prism, JsxMode::Runtime] {
            let key = format!("{name} ({mode:?})");
            let script = transform(&source, &path, &TransformOptions { jsx: mode })
                .map_err(|d| format!("compile error: {d}"))
                .and_then(|code| esm::to_script(&code, &key).map_err(|e| format!("{e}\n{code}")));
            compiled.push(Compiled {
                key,
                fixture: name.clone(),
                script,
            });
        }
    }
    compiled
}

fn new_engine(kind: EngineKind) -> Box<dyn Engine> {
    let limits = Limits {
        heap_bytes_max: ENGINE_HEAP_BYTES_MAX,
        call_timeout: Duration::from_millis(RENDER_TIMEOUT_MS),
    };
    let mut engine =
        bext_engine::create(kind, limits).unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
    engine
        .eval(PRISM_RUNTIME_JS, "prism.js")
        .unwrap_or_else(|e| panic!("{}: prism.js: {e}", kind.name()));
    // The app runtime's locale layer, as every bext engine carries it: QuickJS's own
    // `localeCompare` and `toLocaleString` ignore the locale.
    engine
        .eval(LOCALE_JS, "locale.js")
        .unwrap_or_else(|e| panic!("{}: locale.js: {e}", kind.name()));
    engine
        .eval(HARNESS_JS, "harness.js")
        .unwrap_or_else(|e| panic!("{}: harness: {e}", kind.name()));
    engine
}

#[test]
fn fixtures_render_like_react() {
    let Expected {
        stripped: expected,
        exact,
    } = expected_html();
    assert!(
        expected.len() >= FIXTURES_MIN,
        "{} fixtures; the corpus must hold at least {FIXTURES_MIN}",
        expected.len()
    );
    let compiled = compile_all(&expected);
    let mut failures = Vec::new();
    let mut passed = 0;
    for &kind in bext_engine::available() {
        let mut engine = new_engine(kind);
        let passed_before = passed;
        let (mut client_passed, mut client_skipped, mut client_documents) = (0, 0, 0);
        for item in &compiled {
            let want = &expected[&item.fixture];
            let got = match &item.script {
                Err(e) => Err(e.clone()),
                Ok(script) => engine
                    .eval(script, &item.key)
                    .and_then(|()| {
                        let mut out = Vec::new();
                        engine.call("__fixture_render", &item.key, &mut out)?;
                        engine.call("__fixture_result", &item.key, &mut out)?;
                        Ok(out.concat())
                    })
                    .map_err(|e| format!("engine error: {e}")),
            };
            let client = match (&got, exact.get(&item.fixture)) {
                // A whole document as a client component (a "use client" root layout) is
                // not hydrated: bext hydrates <body>.
                (Ok(_), Some(want))
                    if item.key.ends_with("(Runtime)") && want.starts_with("<html") =>
                {
                    client_documents += 1;
                    None
                }
                (Ok(_), Some(want)) if item.key.ends_with("(Runtime)") => {
                    let mut out = Vec::new();
                    Some((
                        want,
                        engine
                            .call("__fixture_render_client", &item.key, &mut out)
                            .map(|()| out.concat())
                            .map_err(|e| format!("engine error: {e}")),
                    ))
                }
                _ => None,
            };
            if !engine.is_usable() {
                engine = new_engine(kind);
            }
            match client {
                Some((_, Ok(html))) if html == "(not serialisable)" => client_skipped += 1,
                Some((want, Ok(html))) => match inside_boundary(&html) {
                    Some(inner) if inner == *want => client_passed += 1,
                    Some(inner) => failures.push(format!(
                        "{} as a client component on {}:\n{}",
                        item.key,
                        kind.name(),
                        diff(want, &inner)
                    )),
                    None => failures.push(format!(
                        "{} as a client component on {}: no boundary around {html:?}",
                        item.key,
                        kind.name()
                    )),
                },
                Some((_, Err(e))) => failures.push(format!(
                    "{} as a client component on {}: {e}",
                    item.key,
                    kind.name()
                )),
                None => {}
            }
            match got {
                Ok(html) if html == *want => passed += 1,
                Ok(html) => failures.push(format!(
                    "{} on {}:\n{}",
                    item.key,
                    kind.name(),
                    diff(want, &html)
                )),
                Err(e) => failures.push(format!("{} on {}: {e}", item.key, kind.name())),
            }
        }
        // Seen with `--nocapture`: the per-engine counts the closing notes quote.
        eprintln!(
            "conformance: {} of {} renders match react-dom on {}",
            passed - passed_before,
            compiled.len(),
            kind.name()
        );
        eprintln!(
            "conformance: {client_passed} of {} fixtures rendered as client components match react-dom's exact output (separators kept) on {} ({client_skipped} have props that cannot cross, {} are documents)",
            exact.len(),
            kind.name(),
            client_documents
        );
        assert!(
            client_passed + client_skipped + client_documents == exact.len()
                || !failures.is_empty(),
            "the client pass did not run on every fixture it applies to"
        );
    }
    if !failures.is_empty() {
        panic!(
            "{} renders differ from React ({passed} match):\n\n{}",
            failures.len(),
            failures.join("\n\n")
        );
    }
}

/// Where two renders part, with some context around it.
fn diff(want: &str, got: &str) -> String {
    const CONTEXT_CHARS: usize = 80;
    let want_chars: Vec<char> = want.chars().collect();
    let got_chars: Vec<char> = got.chars().collect();
    let at = want_chars
        .iter()
        .zip(&got_chars)
        .take_while(|(a, b)| a == b)
        .count();
    let from = at.saturating_sub(CONTEXT_CHARS);
    let window = |chars: &[char]| -> String {
        chars[from.min(chars.len())..(at + CONTEXT_CHARS).min(chars.len())]
            .iter()
            .collect()
    };
    format!(
        "  first difference at character {at}\n  react: …{}…\n  prism: …{}…",
        window(&want_chars),
        window(&got_chars)
    )
}

/// The document without the client boundary's and its slots' markers, if it has the boundary.
fn inside_boundary(html: &str) -> Option<String> {
    if !html.contains("<!--c:0-->") {
        return None;
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<!--") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 4..];
        let end = after.find("-->")?;
        let data = &after[..end];
        let numbered = |tag: &str| {
            data.strip_prefix(tag)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        };
        let marker = data == "/s" || data == "/c" || numbered("s:") || numbered("c:");
        if !marker {
            out.push_str(&rest[at..at + 4 + end + 3]);
        }
        rest = &after[end + 3..];
    }
    out.push_str(rest);
    Some(out)
}
