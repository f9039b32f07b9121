//! `console` in app code reaches the server as `Log` events tagged with the URL being
//! rendered, formatted as one line of text per call, and bounded per render.

mod renderer_support;

use std::collections::VecDeque;

use bext_core::limits::CONSOLE_BYTES_PER_RENDER_MAX;
use bext_render::renderer::{RenderEvent, Renderer};
use renderer_support::*;

const LOGGING: &str = r#"
console.info("module loaded", 1);
__bext_define("app/chatty/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  async function loader() {
    console.log("loading", { a: 1, b: [2, 3] }, null, undefined, 4n);
    await Promise.resolve();
    console.warn(new TypeError("odd"));
    return "data";
  }
  function Page({ data }) {
    console.error("rendering", data, function named() {});
    return h('<p>' + data + '</p>');
  }
  __bext_export(exports, { default: () => Page, loader: () => loader });
});
__bext_define("app/flood/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  function Page() {
    for (let i = 0; i < 10000; i++) console.log("line " + i + " " + "x".repeat(100));
    return h('<p>flooded</p>');
  }
  __bext_export(exports, { default: () => Page });
});
"#;

/// Renders and returns the log events, as (url, level, text).
fn logs_of(r: &mut Renderer, route: usize, url: &str) -> Vec<(Option<String>, String, String)> {
    // First what the bundle's top level logged as the engine loaded (once per renderer).
    let mut queue: VecDeque<RenderEvent> = r.take_events().into();
    queue.extend(r.start(get(1, route, url)));
    let mut logs = Vec::new();
    while let Some(event) = queue.pop_front() {
        match event {
            RenderEvent::Log { url, level, text } => logs.push((url, level, text)),
            RenderEvent::Done { page, .. } => {
                assert_eq!(page.status, 200, "{:?}", page.error);
                return logs;
            }
            other => panic!("{other:?}"),
        }
    }
    panic!("never answered");
}

#[test]
fn console_calls_become_log_events_with_their_url() {
    let mut r = app(
        LOGGING,
        &[
            page_route("app/chatty/page.tsx"),
            page_route("app/flood/page.tsx"),
        ],
    );
    let logs = logs_of(&mut r, 0, "/chatty");
    let url = Some("/chatty".to_owned());
    assert_eq!(
        logs[0],
        (None, "info".to_owned(), "module loaded 1".to_owned()),
        "a call at a module's top level has no URL"
    );
    assert_eq!(
        logs[1],
        (
            url.clone(),
            "log".to_owned(),
            // As Node prints it (util.format with util.inspect).
            "loading { a: 1, b: [ 2, 3 ] } null undefined 4n".to_owned()
        )
    );
    assert_eq!(logs[2].1, "warn");
    assert!(logs[2].2.contains("TypeError: odd"), "{}", logs[2].2);
    assert_eq!(
        logs[3],
        (
            url,
            "error".to_owned(),
            "rendering data [Function: named]".to_owned()
        )
    );
    assert_eq!(logs.len(), 4);
}

#[test]
fn a_render_logs_at_most_its_budget() {
    let mut r = app(LOGGING, &[page_route("app/flood/page.tsx")]);
    let logs = logs_of(&mut r, 0, "/flood");
    let total: usize = logs.iter().map(|(_, _, text)| text.len()).sum();
    assert!(
        total <= CONSOLE_BYTES_PER_RENDER_MAX + 200,
        "{total} bytes logged"
    );
    let (_, level, last) = logs.last().expect("some lines");
    assert_eq!(level, "warn");
    assert!(last.contains("is dropped"), "{last}");
    assert!(logs.len() < 200, "{} lines", logs.len());
}
