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
            RenderEvent::Fetch { .. } | RenderEvent::Log { .. } | RenderEvent::Chunk { .. } => {
                panic!("{event:?}")
            }
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

/// Timers that outlive their render, or are set outside any: they fire as in Node.
const LIVING: &str = r#"
let ticks = 0;
const every = setInterval(() => {
  ticks++;
  console.log("tick " + ticks);
  if (ticks === 3) clearInterval(every);
}, 1000);
setTimeout(() => { throw new Error("boom outside"); }, 5);
const cache = new Map();
__bext_define("app/ttl/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  function loader() {
    if (!cache.has("k")) {
      cache.set("k", "fresh");
      // An entry's expiry, the way an app's in-memory cache does it.
      setTimeout(() => { cache.delete("k"); console.log("expired"); }, 60000);
      return "miss";
    }
    return "hit " + ticks;
  }
  __bext_export(exports, { default: () => ({ data }) => h('<p>' + data + '</p>'), loader: () => loader });
});
__bext_define("app/stop/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  function loader() { clearInterval(every); return "stopped"; }
  __bext_export(exports, { default: () => ({ data }) => h('<p>' + data + '</p>'), loader: () => loader });
});
"#;

fn living() -> Renderer {
    app(
        LIVING,
        &[
            page_route("app/ttl/page.tsx"),
            page_route("app/stop/page.tsx"),
        ],
    )
}

/// Fires every timer in `events` (in order of delay), and those their callbacks set, up to
/// `limit` firings; returns the log texts and the render ids the timers belonged to.
fn fire_all(r: &mut Renderer, events: Vec<RenderEvent>, limit: usize) -> (Vec<String>, Vec<u64>) {
    let mut pending: Vec<RenderEvent> = events;
    let (mut logs, mut owners) = (Vec::new(), Vec::new());
    let mut fired = 0;
    loop {
        pending.sort_by_key(|e| match e {
            RenderEvent::Timer { delay, .. } => *delay,
            _ => Duration::ZERO,
        });
        let mut next = Vec::new();
        for event in pending {
            match event {
                RenderEvent::Timer { id, timer, .. } if fired < limit => {
                    fired += 1;
                    owners.push(id);
                    next.extend(r.timer_fired(id, timer));
                }
                RenderEvent::Log { text, url, .. } => {
                    assert_eq!(url, None, "{text}: outside any render");
                    logs.push(text);
                }
                _ => {}
            }
        }
        if next.is_empty() {
            return (logs, owners);
        }
        pending = next;
    }
}

#[test]
fn top_level_timers_fire_outside_any_render_and_a_throw_is_logged() {
    let mut r = living();
    let loaded = r.take_events();
    let delays: Vec<(u64, Duration)> = loaded
        .iter()
        .filter_map(|e| match e {
            RenderEvent::Timer { id, delay, .. } => Some((*id, *delay)),
            _ => None,
        })
        .collect();
    assert_eq!(
        delays,
        [
            (0, Duration::from_millis(1000)),
            (0, Duration::from_millis(5))
        ],
        "the bundle's top-level timers come out as the engine loads: {loaded:?}"
    );
    let (logs, owners) = fire_all(&mut r, loaded, 100);
    assert!(
        logs[0].contains("Uncaught") && logs[0].contains("boom outside"),
        "{logs:?}"
    );
    assert_eq!(logs[1..], ["tick 1", "tick 2", "tick 3"], "{logs:?}");
    assert!(owners.iter().all(|&id| id == 0), "{owners:?}");
    assert_eq!(r.timers_pending(), 0, "the interval cleared itself");
    // The engine carried on, and the page sees the module's state the timers changed.
    let page = render(&mut r, get(1, 0, "/ttl"));
    assert!(body(&page).contains("<p>miss</p>"), "{}", body(&page));
}

#[test]
fn a_timer_a_render_leaves_behind_fires_after_its_answer() {
    let mut r = living();
    r.take_events();
    let events = r.start(get(7, 0, "/ttl"));
    let done = events.iter().find_map(|e| match e {
        RenderEvent::Done { page, .. } => Some(page.clone()),
        _ => None,
    });
    let page = done.expect("answered without waiting for its 60 s timer");
    assert_eq!(page.status, 200, "{}", error_message(&page));
    assert!(body(&page).contains("<p>miss</p>"), "{}", body(&page));
    let page = render(&mut r, get(8, 0, "/ttl"));
    assert!(body(&page).contains("<p>hit 0</p>"), "{}", body(&page));
    // The expiry fires later, outside the render that set it, and the next render misses.
    let expiry: Vec<RenderEvent> = events
        .into_iter()
        .filter(|e| matches!(e, RenderEvent::Timer { id: 7, .. }))
        .collect();
    assert_eq!(expiry.len(), 1);
    let (logs, _) = fire_all(&mut r, expiry, 1);
    assert_eq!(logs, ["expired"]);
    let page = render(&mut r, get(9, 0, "/ttl"));
    assert!(body(&page).contains("<p>miss</p>"), "{}", body(&page));
}

#[test]
fn cleared_and_stale_timers_are_forgotten() {
    let mut r = living();
    let loaded = r.take_events();
    assert_eq!(r.timers_pending(), 2);
    let Some(&RenderEvent::Timer { id, timer, .. }) = loaded.first() else {
        panic!("{loaded:?}");
    };
    // A handle from another engine generation (one since recycled) is ignored.
    assert!(r.timer_fired(id, timer + (1 << 32)).is_empty());
    assert_eq!(r.timers_pending(), 2);
    // A one-shot timer's handle fired twice runs once (the second is the 5 ms timeout).
    let Some(&RenderEvent::Timer { id, timer, .. }) = loaded.get(1) else {
        panic!("{loaded:?}");
    };
    assert!(!r.timer_fired(id, timer).is_empty(), "its throw is logged");
    assert!(r.timer_fired(id, timer).is_empty());
    assert_eq!(r.timers_pending(), 1);
    // An interval's handle stays valid until it is cleared; clearing forgets it at once.
    let events = r.start(get(3, 0, "/ttl"));
    assert!(events.iter().any(|e| matches!(e, RenderEvent::Done { .. })));
    assert_eq!(r.timers_pending(), 2, "the interval and the page's expiry");
    let page = render(&mut r, get(4, 1, "/stop"));
    assert!(body(&page).contains("<p>stopped</p>"), "{}", body(&page));
    assert_eq!(r.timers_pending(), 1, "the cleared interval is forgotten");
    let Some(&RenderEvent::Timer { id, timer, .. }) = loaded.first() else {
        panic!("{loaded:?}");
    };
    assert!(
        r.timer_fired(id, timer).is_empty(),
        "a cleared interval never fires"
    );
}
