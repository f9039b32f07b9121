//! Timers in renders: `setTimeout` and friends leave the engine as `timer` events, the render
//! resumes when the caller reports them due, in order, and the per-render bounds (count and
//! total wait) turn a runaway into one error page.

mod renderer_support;

use std::time::Duration;

use bext_core::limits::TIMERS_PER_RENDER_MAX;
use bext_render::renderer::{RenderEvent, Renderer};
use renderer_support::*;

const TIMING: &str = r#"
__bext_define("app/wait/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  async function loader() {
    const log = [];
    setImmediate((x) => log.push("immediate " + x), "arg");
    const cleared = setTimeout(() => log.push("cleared"), 5);
    clearTimeout(cleared);
    await new Promise((resolve) => setTimeout(resolve, 30));
    log.push("after 30");
    let n = 0;
    await new Promise((resolve) => {
      const every = setInterval(() => {
        n++;
        log.push("tick " + n);
        if (n === 3) { clearInterval(every); resolve(); }
      }, 10);
    });
    return log.join(", ");
  }
  __bext_export(exports, { default: () => ({ data }) => h('<p>' + esc(data) + '</p>'), loader: () => loader });
});
__bext_define("app/long/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  async function loader() { await new Promise((resolve) => setTimeout(resolve, 60000)); return "late"; }
  __bext_export(exports, { default: () => ({ data }) => h('<p>' + data + '</p>'), loader: () => loader });
});
__bext_define("app/many/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  function loader() {
    for (let i = 0; i < 100000; i++) setTimeout(() => {}, 0);
    return "set";
  }
  __bext_export(exports, { default: () => ({ data }) => h('<p>' + data + '</p>'), loader: () => loader });
});
__bext_define("app/throws/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  async function loader() {
    setTimeout(() => { throw new Error("boom in a timer"); }, 1);
    await new Promise(() => {});
  }
  __bext_export(exports, { default: () => () => h('never'), loader: () => loader });
});
__bext_define("app/only-cleared/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  async function loader() {
    await new Promise((resolve) => clearTimeout(setTimeout(resolve, 5)));
  }
  __bext_export(exports, { default: () => () => h('never'), loader: () => loader });
});
"#;

const WAIT: usize = 0;
const LONG: usize = 1;
const MANY: usize = 2;
const THROWS: usize = 3;
const ONLY_CLEARED: usize = 4;

fn timing() -> Renderer {
    app(
        TIMING,
        &[
            page_route("app/wait/page.tsx"),
            page_route("app/long/page.tsx"),
            page_route("app/many/page.tsx"),
            page_route("app/throws/page.tsx"),
            page_route("app/only-cleared/page.tsx"),
        ],
    )
}

fn error_message(page: &bext_render::renderer::RenderedPage) -> &str {
    page.error.as_ref().map_or("", |e| e.message.as_str())
}

#[test]
fn timers_resume_the_render_in_order_and_clear() {
    let mut r = timing();
    // Step by hand once to see the delays the server is asked to wait.
    let first = r.start(get(1, WAIT, "/wait"));
    let delays: Vec<Duration> = first
        .iter()
        .filter_map(|e| match e {
            RenderEvent::Timer { delay, .. } => Some(*delay),
            _ => None,
        })
        .collect();
    assert_eq!(delays, [0, 5, 30].map(Duration::from_millis), "{first:?}");
    // Fire in due order, as an executor would: the immediate, the cleared one, then 30 ms.
    let mut queue: Vec<RenderEvent> = first;
    queue.sort_by_key(|e| match e {
        RenderEvent::Timer { delay, .. } => *delay,
        _ => Duration::ZERO,
    });
    let mut pending = std::collections::VecDeque::from(queue);
    let mut page = None;
    while let Some(event) = pending.pop_front() {
        match event {
            RenderEvent::Timer { id, timer, .. } => pending.extend(r.timer_fired(id, timer)),
            RenderEvent::Done { page: p, .. } => page = Some(p),
            RenderEvent::Fetch { .. } | RenderEvent::Log { .. } => panic!("{event:?}"),
        }
    }
    let page = page.expect("answered");
    assert_eq!(page.status, 200, "{}", error_message(&page));
    assert!(
        body(&page).contains("<p>immediate arg, after 30, tick 1, tick 2, tick 3</p>"),
        "{}",
        body(&page)
    );
    assert_eq!(r.in_flight(), 0);
}

#[test]
fn waiting_past_the_deadline_is_one_error_page() {
    let mut r = timing();
    let page = render(&mut r, get(2, LONG, "/long"));
    assert_eq!(page.status, 500);
    assert!(
        error_message(&page).contains("waiting for timers"),
        "{}",
        error_message(&page)
    );
    // The renderer is fine afterwards.
    let page = render(&mut r, get(3, WAIT, "/wait"));
    assert_eq!(page.status, 200, "{}", error_message(&page));
}

#[test]
fn too_many_timers_fail_the_render() {
    let mut r = timing();
    let page = render(&mut r, get(4, MANY, "/many"));
    assert_eq!(page.status, 500);
    assert!(
        error_message(&page).contains(&format!("at most {TIMERS_PER_RENDER_MAX} timers")),
        "{}",
        error_message(&page)
    );
}

#[test]
fn a_throwing_timer_fails_its_render_and_a_cleared_wait_is_stuck() {
    let mut r = timing();
    let page = render(&mut r, get(5, THROWS, "/throws"));
    assert_eq!(page.status, 500);
    assert!(
        error_message(&page).contains("boom in a timer"),
        "{}",
        error_message(&page)
    );
    let page = render(&mut r, get(6, ONLY_CLEARED, "/only-cleared"));
    assert_eq!(page.status, 500);
    assert!(
        error_message(&page).contains("never settle"),
        "{}",
        error_message(&page)
    );
}
