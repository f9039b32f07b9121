//! Streamed renders through the render protocol, sans I/O: `start_streamed` gives the shell
//! as a chunk (status and headers with it) while the page's boundary waits on a fetch, then
//! the boundary's content as another chunk once the fetch is answered, then `Done` with the
//! document's end. `start` of the same page gives one `Done` with the page whole.

mod renderer_support;

use bext_render::renderer::{RenderEvent, Renderer};
use renderer_support::*;

const MODULES: &str = r#"
__bext_define("app/loading.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => () => h('<p>loading</p>') });
});
__bext_define("app/live/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  async function Live() {
    const r = await fetch("https://api.test/word");
    return h('<p>word ' + esc(await r.text()) + '</p>');
  }
  __bext_export(exports, { default: () => Live });
});
__bext_define("app/hinted/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  const dom = require("react-dom");
  async function Late() {
    await fetch("https://api.test/late");
    dom.preinit("/late.css", { as: "style", precedence: "next" });
    return h('<p>late</p>');
  }
  __bext_export(exports, { default: () => Late });
});
__bext_define("app/now/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => () => h('<p>at once</p>') });
});
"#;

fn routes() -> Vec<String> {
    ["app/live/page.tsx", "app/now/page.tsx", "app/hinted/page.tsx"]
        .iter()
        .map(|page| {
            format!(
                r#"{{"page":"{page}","handler":null,"layouts":["app/layout.tsx","app/loading.tsx"],"notFound":"app/not-found.tsx","error":"app/error.tsx"}}"#
            )
        })
        .collect()
}

/// The events of one step, with timers (none here) and logs left out.
fn step(events: Vec<RenderEvent>) -> Vec<RenderEvent> {
    events
        .into_iter()
        .filter(|e| !matches!(e, RenderEvent::Log { .. } | RenderEvent::Timer { .. }))
        .collect()
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("utf-8")
}

#[test]
fn a_waiting_boundary_streams_the_shell_then_its_content_then_the_end() {
    let mut r: Renderer = app(MODULES, &routes());
    let events = step(r.start_streamed(get(1, 0, "/live")));
    let [
        RenderEvent::Fetch { fetch, .. },
        RenderEvent::Chunk {
            id: 1,
            head: Some((200, headers)),
            body: shell,
        },
    ] = &events[..]
    else {
        panic!("{events:?}")
    };
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "content-type" && v.starts_with("text/html"))
    );
    let shell = text(shell);
    assert!(shell.starts_with("<!DOCTYPE html>"), "{shell}");
    assert!(
        shell.ends_with(r#"<!--$?--><template id="B:0"></template><p>loading</p><!--/$-->"#),
        "the shell, up to </body>: {shell}"
    );
    let events = step(r.fetched(1, *fetch, ok_response("hello")));
    let [
        RenderEvent::Chunk {
            id: 1,
            head: None,
            body: content,
        },
        RenderEvent::Done { id: 1, page },
    ] = &events[..]
    else {
        panic!("{events:?}")
    };
    let content = text(content);
    assert!(
        content.starts_with(r#"<div hidden id="S:0"><p>word hello</p></div><script>$RC=function"#),
        "{content}"
    );
    assert!(
        content.ends_with(r#"$RC("B:0","S:0")</script>"#),
        "{content}"
    );
    assert_eq!(body(page), "</body></html>");
    assert_eq!(page.status, 200);
    assert_eq!(r.in_flight(), 0);
}

#[test]
fn without_streaming_or_without_waiting_the_page_comes_whole() {
    let mut r: Renderer = app(MODULES, &routes());
    let (page, fetches) = drive(&mut r, get(2, 0, "/live"), |_| ok_response("hi"));
    assert_eq!(fetches.len(), 1);
    let html = body(&page);
    assert!(
        html.contains("<!--$--><p>word hi</p><!--/$--></body></html>"),
        "{html}"
    );
    // Streamed, but nothing waits: one Done, the page whole.
    let events = step(r.start_streamed(get(3, 1, "/now")));
    let [RenderEvent::Done { id: 3, page }] = &events[..] else {
        panic!("{events:?}")
    };
    assert!(body(page).contains("<!--$--><p>at once</p><!--/$--></body></html>"));
}

#[test]
fn a_stylesheet_first_used_inside_a_streamed_boundary_comes_with_its_content() {
    let mut r: Renderer = app(MODULES, &routes());
    let events = step(r.start_streamed(get(4, 2, "/hinted")));
    let [
        RenderEvent::Fetch { fetch, .. },
        RenderEvent::Chunk { body: shell, .. },
    ] = &events[..]
    else {
        panic!("{events:?}")
    };
    assert!(!text(shell).contains("late.css"), "{}", text(shell));
    let events = step(r.fetched(4, *fetch, ok_response("")));
    let [
        RenderEvent::Chunk { body: content, .. },
        RenderEvent::Done { .. },
    ] = &events[..]
    else {
        panic!("{events:?}")
    };
    assert!(
        text(content).starts_with(
            r#"<div hidden id="S:0"><link rel="stylesheet" href="/late.css" data-precedence="next"/><p>late</p></div>"#
        ),
        "{}",
        text(content)
    );
}
