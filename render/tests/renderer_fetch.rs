//! fetch() in loaders: the round trip through Rust (`fetch` record → `fetched` /
//! `fetch_failed`), Next.js fetch options, the per-render budget, and renders waiting side by
//! side.

mod renderer_support;

use bext_core::limits::FETCHES_PER_RENDER_MAX;
use bext_render::renderer::{FetchResponse, RenderEvent};
use renderer_support::*;

const FETCHING: &str = r#"
__bext_define("app/items/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  async function loader() {
    const r = await fetch("https://api.test/items?x=1", { headers: { accept: "application/json" }, next: { tags: ["items"], revalidate: 10 } });
    const items = await r.json();
    const c = await fetch("/api/count", { method: "POST", body: "q=1" });
    return { items, count: await c.text(), status: r.status, type: r.headers.get("content-type"), url: r.url };
  }
  const Items = ({ data }) => h('<p>' + esc(data.items.join(",") + " " + data.count + " " + data.status + " " + data.type + " " + data.url) + '</p>');
  __bext_export(exports, { default: () => Items, loader: () => loader, revalidate: () => 60 });
});
__bext_define("app/tolerant/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  async function loader() {
    try { await fetch("https://down.test/"); return "unreachable"; } catch (e) { return e.message; }
  }
  __bext_export(exports, { default: () => ({ data }) => h('<p>' + esc(data) + '</p>'), loader: () => loader });
});
__bext_define("app/strict/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  async function loader() { return (await fetch("https://down.test/")).text(); }
  __bext_export(exports, { default: () => ({ data }) => h(data), loader: () => loader });
});
__bext_define("app/greedy/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  async function loader() {
    const all = [];
    for (let i = 0; i < 100; i++) all.push(fetch("https://api.test/" + i).then((r) => r.text(), (e) => e.message));
    return (await Promise.all(all)).length;
  }
  __bext_export(exports, { default: () => ({ data }) => h('<p>' + data + '</p>'), loader: () => loader });
});
__bext_define("app/stuck/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  async function loader() { await new Promise(() => {}); }
  __bext_export(exports, { default: () => () => h('never'), loader: () => loader });
});
"#;

const ITEMS: usize = 0;
const TOLERANT: usize = 1;
const STRICT: usize = 2;
const GREEDY: usize = 3;
const STUCK: usize = 4;

fn fetching() -> bext_render::renderer::Renderer {
    app(
        FETCHING,
        &[
            page_route("app/items/page.tsx"),
            page_route("app/tolerant/page.tsx"),
            page_route("app/strict/page.tsx"),
            page_route("app/greedy/page.tsx"),
            page_route("app/stuck/page.tsx"),
        ],
    )
}

#[test]
fn fetch_round_trip_through_rust() {
    let mut r = fetching();
    let (page, fetches) = drive(&mut r, get(1, ITEMS, "/items"), |f| {
        if f.url.starts_with("https://api.test/items") {
            ok_response(r#"["a","b"]"#)
        } else {
            Ok(FetchResponse {
                status: 201,
                headers: vec![],
                body: "7".into(),
            })
        }
    });
    assert_eq!(fetches.len(), 2);
    assert_eq!(fetches[0].url, "https://api.test/items?x=1");
    assert_eq!(fetches[0].method, "GET");
    assert_eq!(
        fetches[0].headers,
        vec![("accept".to_owned(), "application/json".to_owned())]
    );
    assert_eq!(fetches[0].body, "");
    // A path resolves against the page's own origin (from its Host header).
    assert_eq!(fetches[1].url, "http://example.test/api/count");
    assert_eq!(fetches[1].method, "POST");
    assert_eq!(fetches[1].body, "q=1");
    assert_eq!(
        fetches[1].headers,
        vec![(
            "content-type".to_owned(),
            "text/plain;charset=UTF-8".to_owned()
        )]
    );
    assert!(
        body(&page).contains("<p>a,b 7 200 application/json https://api.test/items?x=1</p>"),
        "{}",
        body(&page)
    );
    assert_eq!(page.status, 200);
    // next.revalidate lowers the page's 60; next.tags adds a tag.
    assert_eq!(page.revalidate, Some(10));
    assert_eq!(page.tags, vec!["items".to_owned()]);
    assert!(!page.dynamic);
}

#[test]
fn fetch_failed_rejects_the_promise() {
    let mut r = fetching();
    let (page, _) = drive(&mut r, get(2, TOLERANT, "/tolerant"), |_| {
        Err("connect timed out".into())
    });
    assert_eq!(page.status, 200);
    assert!(
        body(&page).contains("<p>fetch failed: connect timed out</p>"),
        "{}",
        body(&page)
    );

    let (page, _) = drive(&mut r, get(3, STRICT, "/strict"), |_| {
        Err("connect timed out".into())
    });
    assert_eq!(page.status, 500);
    assert_eq!(
        page.error.expect("reported").message,
        "fetch failed: connect timed out"
    );
}

#[test]
fn a_render_past_its_fetch_budget_fails_even_if_it_catches() {
    let mut r = fetching();
    let (page, fetches) = drive(&mut r, get(4, GREEDY, "/greedy"), |_| ok_response("x"));
    assert_eq!(fetches.len(), FETCHES_PER_RENDER_MAX);
    assert_eq!(page.status, 500);
    assert!(
        page.error
            .expect("reported")
            .message
            .starts_with("fetch limit exceeded")
    );
}

#[test]
fn an_oversized_fetch_response_is_refused() {
    let mut r = fetching();
    let big = "x".repeat(bext_core::limits::FETCH_RESPONSE_BYTES_MAX + 1);
    let (page, _) = drive(&mut r, get(5, TOLERANT, "/tolerant"), |_| ok_response(&big));
    assert!(
        body(&page).contains("fetch failed: response body larger than"),
        "{}",
        body(&page)
    );
}

#[test]
fn renders_wait_side_by_side_and_stale_answers_are_ignored() {
    let mut r = fetching();
    let first = r.start(get(10, ITEMS, "/items"));
    let second = r.start(get(11, ITEMS, "/items"));
    assert_eq!(r.in_flight(), 2);
    let [RenderEvent::Fetch { fetch: f10, .. }] = first.as_slice() else {
        panic!("{first:?}")
    };
    let [RenderEvent::Fetch { fetch: f11, .. }] = second.as_slice() else {
        panic!("{second:?}")
    };
    // Answer the second render first.
    let next = r.fetched(11, *f11, ok_response(r#"["second"]"#));
    let [
        RenderEvent::Fetch {
            id: 11,
            fetch: count11,
            ..
        },
    ] = next.as_slice()
    else {
        panic!("{next:?}")
    };
    let done = r.fetched(11, *count11, ok_response("2"));
    assert!(
        matches!(done.as_slice(), [RenderEvent::Done { id: 11, page }] if body(page).contains("second 2"))
    );
    // Unknown fetch ids and repeated answers change nothing.
    assert!(r.fetched(11, *count11, ok_response("again")).is_empty());
    assert!(r.fetched(10, 99, ok_response("?")).is_empty());
    assert!(r.fetched(12345, 1, ok_response("?")).is_empty());
    let next = r.fetched(10, *f10, ok_response(r#"["first"]"#));
    let [
        RenderEvent::Fetch {
            id: 10,
            fetch: count10,
            ..
        },
    ] = next.as_slice()
    else {
        panic!("{next:?}")
    };
    let done = r.fetched(10, *count10, ok_response("1"));
    assert!(
        matches!(done.as_slice(), [RenderEvent::Done { id: 10, page }] if body(page).contains("first 1"))
    );
    assert_eq!(r.in_flight(), 0);
}

#[test]
fn a_render_awaiting_what_can_never_settle_is_answered_at_once() {
    let mut r = fetching();
    let page = render(&mut r, get(20, STUCK, "/stuck"));
    assert_eq!(page.status, 500);
    assert!(
        page.error
            .as_ref()
            .expect("reported")
            .message
            .contains("never settle")
    );
    assert!(body(&page).contains("<h1>Something went wrong</h1>"));
}
