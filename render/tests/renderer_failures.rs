//! Engine failures: a render that runs past its deadline or its heap is answered with the
//! app's error page (500), the engine is recycled when it is left unusable, renders that were
//! waiting in a recycled engine are answered too, and the next render works. Each case runs
//! on every engine compiled in: they must all keep the shard alive the same way.

mod renderer_support;

use bext_core::limits::RENDERS_IN_FLIGHT_MAX;
use bext_engine::EngineKind;
use bext_render::renderer::{RenderEvent, Renderer};
use renderer_support::*;

const HOSTILE: &str = r#"
__bext_define("app/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => () => h('<h1>fine</h1>') });
});
__bext_define("app/loop/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => () => { for (;;) {} } });
});
__bext_define("app/async-loop/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  const loader = async () => { await null; for (;;) {} };
  __bext_export(exports, { default: () => () => h('never'), loader: () => loader });
});
__bext_define("app/hog/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  const Hog = () => { const keep = []; for (;;) keep.push(new Array(100000).fill(keep.length)); };
  __bext_export(exports, { default: () => Hog });
});
__bext_define("app/waits/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  const loader = async () => (await fetch("https://api.test/slow")).text();
  __bext_export(exports, { default: () => ({ data }) => h('<p>' + esc(data) + '</p>'), loader: () => loader });
});
__bext_define("app/api/spin/route.ts", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { GET: () => () => { for (;;) {} } });
});
__bext_define("app/bad-error/loop/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => () => { for (;;) {} } });
});
__bext_define("app/bad-error/error.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => () => { for (;;) {} } });
});
"#;

const FINE: usize = 0;
const LOOP: usize = 1;
const ASYNC_LOOP: usize = 2;
const HOG: usize = 3;
const WAITS: usize = 4;
const BAD_ERROR: usize = 5;
const SPIN: usize = 6;

/// The deadline of the deadline tests. Only an infinite loop reaches it: everything else they
/// render (the fine page, an error page, the bundle reloaded after a recycle) takes a few
/// milliseconds, and the loops allocate nothing, so no other limit competes with it.
const LOOP_DEADLINE_MS: u64 = 1_000;
/// The deadline of every other test: far above the time any render here takes (the heap hog
/// reaches its limit in about 300 ms unloaded), so the heap limit, or the render's own end,
/// always comes first, even on a loaded machine.
const GENEROUS_DEADLINE_MS: u64 = 30_000;

/// The failure a render past [`LOOP_DEADLINE_MS`] reports.
fn deadline_exceeded() -> String {
    format!("render deadline exceeded ({LOOP_DEADLINE_MS} ms)")
}

/// A small heap, so the heap failures come quickly, and a render deadline of `deadline_ms`.
fn hostile(kind: EngineKind, deadline_ms: u64) -> Renderer {
    let modules = format!(
        "{ROOT}\n{HOSTILE}\n{}",
        routes(&[
            page_route("app/page.tsx"),
            page_route("app/loop/page.tsx"),
            page_route("app/async-loop/page.tsx"),
            page_route("app/hog/page.tsx"),
            page_route("app/waits/page.tsx"),
            r#"{"page":"app/bad-error/loop/page.tsx","handler":null,"layouts":["app/layout.tsx"],"notFound":null,"error":"app/bad-error/error.tsx"}"#.to_owned(),
            handler_route("app/api/spin/route.ts"),
        ])
    );
    let mut limits = limits(deadline_ms);
    limits.heap_bytes_max = 24 * 1024 * 1024;
    Renderer::new(bundle_with(&prism(), &modules), kind, limits)
        .unwrap_or_else(|e| panic!("{}: {e}", kind.name()))
}

fn assert_fine(r: &mut Renderer, id: u64) {
    let page = render(r, get(id, FINE, "/"));
    assert_eq!(page.status, 200);
    assert!(body(&page).contains("<h1>fine</h1>"), "{}", body(&page));
}

#[test]
fn an_infinite_loop_is_a_500_through_error_tsx_and_the_next_render_works() {
    for &kind in bext_engine::available() {
        let mut r = hostile(kind, LOOP_DEADLINE_MS);
        for (id, route) in [(1, LOOP), (2, ASYNC_LOOP)] {
            let page = render(&mut r, get(id, route, "/loop"));
            assert_eq!(page.status, 500);
            // The page gets Next's production message, not the server's (which is logged).
            assert!(
                body(&page).contains(&format!(
                    "<h1>Something went wrong</h1><p>{OMITTED_MESSAGE}</p>"
                )),
                "{}",
                body(&page)
            );
            assert!(page.dynamic);
            assert_eq!(page.error.expect("reported").message, deadline_exceeded());
            assert_fine(&mut r, id + 10);
        }
    }
}

#[test]
fn a_route_handler_past_its_deadline_is_a_plain_500() {
    for &kind in bext_engine::available() {
        let mut r = hostile(kind, LOOP_DEADLINE_MS);
        let page = render(&mut r, get(1, SPIN, "/api/spin"));
        assert_eq!(page.status, 500);
        assert_eq!(body(&page), "Internal Server Error");
        assert_eq!(
            header(&page, "content-type"),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(page.error.expect("reported").message, deadline_exceeded());
        assert_fine(&mut r, 2);
    }
}

#[test]
fn runaway_allocation_is_a_500_the_engine_is_recycled_and_the_next_render_works() {
    for &kind in bext_engine::available() {
        let mut r = hostile(kind, GENEROUS_DEADLINE_MS);
        assert_fine(&mut r, 1);
        let page = render(&mut r, get(2, HOG, "/hog"));
        assert_eq!(page.status, 500);
        assert!(
            body(&page).contains(&format!("<p>{OMITTED_MESSAGE}</p>")),
            "{}",
            body(&page)
        );
        assert!(
            page.error
                .expect("reported")
                .message
                .contains("render heap limit exceeded")
        );
        assert_eq!(r.recycles(), 1);
        assert_fine(&mut r, 3);
        assert_eq!(render(&mut r, get(4, HOG, "/hog")).status, 500);
        assert_eq!(r.recycles(), 2);
        assert_fine(&mut r, 5);
    }
}

#[test]
fn renders_waiting_in_a_recycled_engine_are_answered_with_500() {
    for &kind in bext_engine::available() {
        let mut r = hostile(kind, GENEROUS_DEADLINE_MS);
        let waiting = r.start(get(1, WAITS, "/waits"));
        let [RenderEvent::Fetch { fetch, .. }] = waiting.as_slice() else {
            panic!("{waiting:?}")
        };
        let events = r.start(get(2, HOG, "/hog"));
        let mut done: Vec<(u64, u16)> = events
            .iter()
            .map(|e| match e {
                RenderEvent::Done { id, page } => (*id, page.status),
                RenderEvent::Fetch { .. }
                | RenderEvent::Timer { .. }
                | RenderEvent::Log { .. }
                | RenderEvent::Chunk { .. } => {
                    panic!("{e:?}")
                }
            })
            .collect();
        done.sort_unstable();
        assert_eq!(done, vec![(1, 500), (2, 500)]);
        let lost = events.iter().find_map(|e| match e {
            RenderEvent::Done { id: 1, page } => Some(page),
            _ => None,
        });
        let lost = lost.expect("render 1 answered");
        assert!(
            lost.error
                .as_ref()
                .expect("reported")
                .message
                .contains("restarted")
        );
        assert!(body(lost).contains("<h1>Something went wrong</h1>"));
        assert_eq!(r.in_flight(), 0);
        // The answer to its fetch arrives late and is ignored.
        assert!(r.fetched(1, *fetch, ok_response("late")).is_empty());
        assert_fine(&mut r, 3);
    }
}

#[test]
fn an_error_page_that_fails_too_gives_the_built_in_500() {
    for &kind in bext_engine::available() {
        let mut r = hostile(kind, LOOP_DEADLINE_MS);
        let page = render(&mut r, get(1, BAD_ERROR, "/bad-error/loop"));
        assert_eq!(page.status, 500);
        assert!(body(&page).starts_with("<!DOCTYPE html><html><head><meta name=\"robots\" content=\"noindex\"/><title>500: Internal Server Error</title>"));
        let failure = page.error.clone().expect("reported");
        assert!(body(&page).contains(&failure.digest));
        assert_eq!(failure.message, deadline_exceeded());
        assert_fine(&mut r, 2);
    }
}

#[test]
fn a_bundle_that_fails_to_load_is_an_error_from_new() {
    let broken = bundle_with(&prism(), "throw new Error('bad bundle');");
    let err = Renderer::new(broken, EngineKind::QuickJs, limits(GENEROUS_DEADLINE_MS))
        .err()
        .expect("refused");
    assert!(err.to_string().contains("bad bundle"), "{err}");
    let no_runtime: std::sync::Arc<str> = "var x = 1;".into();
    assert!(
        Renderer::new(
            no_runtime,
            EngineKind::QuickJs,
            limits(GENEROUS_DEADLINE_MS)
        )
        .is_err()
    );
}

#[test]
fn a_reused_id_and_a_full_renderer_are_refused_without_disturbing_renders_in_flight() {
    for &kind in bext_engine::available() {
        let mut r = hostile(kind, GENEROUS_DEADLINE_MS);
        let waiting = r.start(get(1, WAITS, "/waits"));
        let [RenderEvent::Fetch { fetch, .. }] = waiting.as_slice() else {
            panic!("{waiting:?}")
        };
        let reused = r.start(get(1, FINE, "/"));
        assert!(
            matches!(reused.as_slice(), [RenderEvent::Done { id: 1, page }] if page.status == 500)
        );
        assert_eq!(r.in_flight(), 1);
        let done = r.fetched(1, *fetch, ok_response("slow"));
        assert!(
            matches!(done.as_slice(), [RenderEvent::Done { id: 1, page }] if body(page).contains("<p>slow</p>"))
        );

        for id in 0..RENDERS_IN_FLIGHT_MAX as u64 {
            let events = r.start(get(100 + id, WAITS, "/waits"));
            assert!(matches!(events.as_slice(), [RenderEvent::Fetch { .. }]));
        }
        let refused = r.start(get(99, FINE, "/"));
        let [RenderEvent::Done { id: 99, page }] = refused.as_slice() else {
            panic!("{refused:?}")
        };
        assert_eq!(page.status, 503);
        assert_eq!(header(page, "retry-after"), Some("1"));
        assert_eq!(r.in_flight(), RENDERS_IN_FLIGHT_MAX);
    }
}
