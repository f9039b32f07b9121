//! Renders a conformance fixture many times in every engine compiled into bext-engine and
//! prints the time per render, for PRISM output and for runtime mode:
//! `cargo run --release -p bext-prism --example render_bench -- tests/conformance/fixtures/table_rows.tsx`
//!
//! A measuring aid for work on the lowering and on prism.js, not a benchmark of the server
//! (that is bench/'s `ssr` scenario).

#[path = "../tests/conformance/esm.rs"]
mod esm;

use std::path::Path;
use std::time::{Duration, Instant};

use bext_engine::Limits;
use bext_prism::{JsxMode, PRISM_RUNTIME_JS, TransformOptions, transform};

/// Renders before timing starts, so JIT engines have compiled the hot paths.
const WARMUP_RENDERS: u32 = 200;
/// Renders timed per engine and mode.
const TIMED_RENDERS: u32 = 2000;

const HARNESS_JS: &str = r#"
globalThis.__fixtures = {};
globalThis.__bench = function (arg) {
  var parts = arg.split("|"), m = globalThis.__fixtures[parts[0]], n = +parts[1];
  var props = m.props || {}, html = "";
  for (var i = 0; i < n; i++) html = __prism.renderToString(__prism.k(m.default, props));
  return html.length;
};
"#;

fn main() {
    let Some(file) = std::env::args().nth(1) else {
        eprintln!("usage: render_bench FIXTURE.tsx");
        std::process::exit(2);
    };
    let source = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let limits = Limits {
        heap_bytes_max: 256 << 20,
        call_timeout: Duration::from_secs(120),
    };
    for &kind in bext_engine::available() {
        for jsx in [JsxMode::Prism, JsxMode::Runtime] {
            let code = transform(&source, Path::new(&file), &TransformOptions { jsx })
                .unwrap_or_else(|d| panic!("{d}"));
            let script = esm::to_script(&code, "f").unwrap_or_else(|e| panic!("{e}"));
            let mut engine = bext_engine::create(kind, limits).unwrap_or_else(|e| panic!("{e}"));
            for (js, name) in [
                (PRISM_RUNTIME_JS, "prism.js"),
                (HARNESS_JS, "harness"),
                (script.as_str(), "f"),
            ] {
                engine
                    .eval(js, name)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
            }
            let mut out = Vec::new();
            engine
                .call("__bench", &format!("f|{WARMUP_RENDERS}"), &mut out)
                .unwrap_or_else(|e| panic!("{e}"));
            let start = Instant::now();
            engine
                .call("__bench", &format!("f|{TIMED_RENDERS}"), &mut out)
                .unwrap_or_else(|e| panic!("{e}"));
            let per = start.elapsed() / TIMED_RENDERS;
            println!(
                "{:<8} {:<8} {:>8.2} us/render ({} bytes)",
                kind.name(),
                format!("{jsx:?}"),
                per.as_secs_f64() * 1e6,
                out[1]
            );
        }
    }
}
