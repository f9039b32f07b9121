//! Shared by the renderer_* tests: a hand-written bundle (prism.js, the real app runtime,
//! modules written the way the linker emits them) and a driver that plays the
//! server's part (answers fetches) until a render is done.
#![allow(dead_code)] // each test file uses a different part

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use bext_engine::{EngineKind, Limits};
use bext_render::app::Param;
use bext_render::renderer::{
    FetchRequest, FetchResponse, RenderEvent, RenderRequest, RenderedPage, Renderer,
};
use bext_render::runtime::APP_RUNTIME_JS;

/// What an error page is given for a server error in production, as under `next start`
/// (React's error #441: the real message is only logged).
pub const OMITTED_MESSAGE: &str = "Minified React error #441; visit https://react.dev/errors/441 for the full message or use the non-minified dev environment for full errors and additional helpful warnings.";

/// The real PRISM runtime, plus the short names the hand-written modules below use.
pub fn prism() -> String {
    format!(
        "{}\n{}",
        bext_prism::PRISM_RUNTIME_JS,
        r#"
var h = function (s) { return new __prism.Html(s); };
var esc = __prism.escape;
var html = __prism.render;
"#
    )
}

pub fn bundle_with(prism: &str, modules: &str) -> Arc<str> {
    format!("{prism}\n{APP_RUNTIME_JS}\n{modules}\n").into()
}

pub fn limits(call_timeout_ms: u64) -> Limits {
    Limits {
        heap_bytes_max: 48 * 1024 * 1024,
        call_timeout: Duration::from_millis(call_timeout_ms),
    }
}

/// A renderer over the stand-in prism and `modules`. The deadline is generous: the machine
/// running the tests is shared and debug builds are slow.
pub fn renderer(modules: &str) -> Renderer {
    Renderer::new(
        bundle_with(&prism(), modules),
        EngineKind::QuickJs,
        limits(2_000),
    )
    .expect("bundle loads")
}

pub fn get(id: u64, route: usize, url: &str) -> RenderRequest {
    RenderRequest {
        id,
        method: "GET".into(),
        url: url.into(),
        route,
        params: Vec::new(),
        headers: vec![("host".into(), "example.test".into())],
        body: None,
    }
}

pub fn one(name: &str, value: &str) -> (String, Param) {
    (name.into(), Param::One(value.into()))
}

pub fn many(name: &str, values: &[&str]) -> (String, Param) {
    (
        name.into(),
        Param::Many(values.iter().map(|v| v.to_string()).collect()),
    )
}

pub fn ok_response(body: &str) -> Result<FetchResponse, String> {
    Ok(FetchResponse {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.into(),
    })
}

/// Starts `req` and answers every fetch with `respond` until the render is done. Returns the
/// page and the fetches it made.
pub fn drive(
    r: &mut Renderer,
    req: RenderRequest,
    mut respond: impl FnMut(&FetchRequest) -> Result<FetchResponse, String>,
) -> (RenderedPage, Vec<FetchRequest>) {
    let id = req.id;
    let mut queue: VecDeque<RenderEvent> = r.start(req).into();
    let mut fetches = Vec::new();
    while let Some(event) = queue.pop_front() {
        match event {
            RenderEvent::Done { id: done, page } => {
                assert_eq!(done, id, "a Done for a render this driver did not start");
                assert_eq!(r.in_flight(), 0, "answered renders are no longer in flight");
                return (page, fetches);
            }
            RenderEvent::Fetch {
                id: render,
                fetch,
                request,
            } => {
                let result = respond(&request);
                fetches.push(request);
                queue.extend(r.fetched(render, fetch, result));
            }
            // The server waits the delay out on its executor; here time is not the point.
            RenderEvent::Timer {
                id: render, timer, ..
            } => queue.extend(r.timer_fired(render, timer)),
            RenderEvent::Log { .. } => {}
            RenderEvent::Chunk { .. } => panic!("a chunk from a render not started streamed"),
        }
    }
    panic!("render {id} was never answered");
}

/// Renders a request that makes no fetch.
pub fn render(r: &mut Renderer, req: RenderRequest) -> RenderedPage {
    drive(r, req, |f| panic!("unexpected fetch of {}", f.url)).0
}

pub fn body(page: &RenderedPage) -> &str {
    std::str::from_utf8(&page.body).expect("utf-8 body")
}

pub fn header<'a>(page: &'a RenderedPage, name: &str) -> Option<&'a str> {
    page.headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The root layout every fixture app shares, and its error and not-found pages.
pub const ROOT: &str = r#"
__bext_define("app/layout.tsx", function (module, exports, require) {
  exports.__esModule = true;
  function RootLayout(props) {
    return h('<html lang="en"><head><meta charset="utf-8"/></head><body>' + html(props.children) + '</body></html>');
  }
  var metadata = { title: { default: "Acme", template: "%s · Acme" }, description: "Things & stuff" };
  __bext_export(exports, { default: () => RootLayout, metadata: () => metadata });
});
__bext_define("app/error.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => (p) => h('<h1>Something went wrong</h1><p>' + esc(p.error.message) + '</p><small>' + esc(p.error.digest) + '</small>') });
});
__bext_define("app/not-found.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => () => h('<h1>Not here</h1>') });
});
"#;

/// The head every page inside the root layout starts with.
pub const ROOT_HEAD: &str = r#"<meta charset="utf-8"/>"#;

/// A route-table entry inside the root layout.
pub fn page_route(page: &str) -> String {
    format!(
        r#"{{"page":"{page}","handler":null,"layouts":["app/layout.tsx"],"notFound":"app/not-found.tsx","error":"app/error.tsx"}}"#
    )
}

pub fn handler_route(handler: &str) -> String {
    format!(
        r#"{{"page":null,"handler":"{handler}","layouts":["app/layout.tsx"],"notFound":"app/not-found.tsx","error":"app/error.tsx"}}"#
    )
}

pub fn routes(entries: &[String]) -> String {
    format!("__bext_routes([{}]);", entries.join(","))
}

/// An app of the root files, `modules`, and one route per entry.
pub fn app(modules: &str, entries: &[String]) -> Renderer {
    renderer(&format!("{ROOT}\n{modules}\n{}", routes(entries)))
}

/// `probe(source)`: the source evaluated as a global expression, as a string, or
/// "throws <name>".
pub const PROBE: &str = r#"
globalThis.probe = function (source) {
  try { return String((0, eval)(source)); } catch (e) { return "throws " + e.name; }
};
"#;

/// An engine of `kind` with prism.js, the app runtime and `probe` (plus `extra` script).
pub fn probe_engine(kind: EngineKind, extra: &str) -> Box<dyn bext_engine::Engine> {
    let mut engine = bext_engine::create(kind, limits(2_000)).expect("engine");
    engine
        .eval(
            &bundle_with(&prism(), &format!("{PROBE}\n{extra}")),
            "bundle.js",
        )
        .expect("bundle loads");
    engine
}

/// Evaluates each `(expression, expected)` with `probe` and fails listing every mismatch.
pub fn check_cases(engine: &mut dyn bext_engine::Engine, cases: &[(&str, &str)]) {
    let mut failures = Vec::new();
    for (expr, want) in cases {
        let mut out = Vec::new();
        engine.call("probe", expr, &mut out).expect("probe runs");
        if out != [*want] {
            failures.push(format!("{expr}: want {want:?}, got {out:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// An app in a fresh temporary directory (the files given, as `(relative path, text)`),
/// removed afterwards.
pub struct TempApp(pub std::path::PathBuf);

impl TempApp {
    pub fn new(files: &[(&str, &str)]) -> TempApp {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "bext-render-app-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        TempApp(dir)
    }
}

impl Drop for TempApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
