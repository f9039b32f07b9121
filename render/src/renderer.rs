//! The per-shard renderer: one JavaScript engine loaded with the app bundle, driven through the
//! render protocol, and the place where engine failures become answers.
//!
//! # The protocol
//!
//! Rust and the bundle's runtime (`render/js/app.js`, see [`crate::runtime`]) exchange strings
//! only, through two calls per step: `__bext_in(message)` hands over one JSON message and the
//! engine then drains its job queue; `__bext_out()` returns everything that finished or needs
//! Rust as a flat array `[meta0, body0, meta1, body1, …]`. Decisions behind that shape:
//!
//! - **One message concerns one render.** `render` starts one, `fetched` / `fetch_failed`
//!   resume one, `error` asks for one's error page. Because the engine drains every job before
//!   the next message, the continuations that run belong to that render, which is how
//!   `cookies()` and `fetch()` know their request without AsyncLocalStorage, and how a failed
//!   call is charged to the right render.
//! - **Bodies travel beside the JSON, not in it.** The HTML is by far the largest string; it
//!   is never escaped into JSON and never parsed out of it, and becomes the response body
//!   (`Bytes`, shared with the ISR cache) without a copy.
//! - **`fetch` leaves the engine.** A loader's `fetch()` becomes a `fetch` record; the caller
//!   performs it with bext's HTTP client and reports back with [`Renderer::fetched`]. A render
//!   therefore never blocks the shard, and several renders can wait at once (bounded by
//!   `RENDERS_IN_FLIGHT_MAX`, each by `FETCHES_PER_RENDER_MAX` calls).
//! - **Timers leave the engine too.** `setTimeout` and friends become `timer` records with
//!   their delay; the caller waits it out on its executor and answers with
//!   [`Renderer::timer_fired`]. A render waits on the timers it sets as long as their delays
//!   add up to no more than its deadline, and may set at most `TIMERS_PER_RENDER_MAX` of them.
//!   Timers live as in Node, not as long as a render: one a render leaves behind, or one set
//!   at a package's top level or by another such callback, fires outside any render (message
//!   id 0), so a module-level `setInterval` or a cache entry's expiry timer runs. A cleared
//!   timer is reported with a `clear` record and forgotten; all pending timers of an engine
//!   are bounded by `TIMERS_PENDING_MAX`. Timer handles carry the engine's generation, so a
//!   timer of an engine since recycled never reaches its successor.
//! - **`console` goes to the server's log.** Each call is a `log` record, reported as
//!   [`RenderEvent::Log`] with the URL being rendered; a render may log at most
//!   `CONSOLE_BYTES_PER_RENDER_MAX` characters.
//! - **A render that waits on nothing is stuck.** Nothing but `fetched` and `timer_fired` can
//!   wake a render, so after a step that leaves a render unfinished with no fetch or timer
//!   outstanding, the render is answered with its error page at once instead of hanging (a
//!   render whose only timers are past its deadline is stuck the same way, and told so).
//! - **Records can come between steps.** The bundle's top level may log or set timers; those
//!   records are read right after the engine loads (at start and at each recycle) and handed
//!   out by [`Renderer::take_events`] or with the next step's events.
//!
//! # Failures
//!
//! Every started render gets exactly one [`RenderEvent::Done`]: a render is in `in_flight`
//! until its `done` record (or a Rust-made page) answers it, and records for renders no longer
//! in flight are dropped. App errors (a throwing loader, a bad component) are handled inside
//! the engine: 500 through the nearest `error.tsx`. Engine failures (the deadline, the heap
//! limit, an exception that escaped the runtime) are handled here: if the engine is left
//! unusable it is dropped and a new one is created and loaded (a recycle), then the app's
//! error page is asked for with an `error` message. Renders that were waiting on fetches in
//! the recycled engine lost their state and get their error pages the same way. If the error
//! page itself fails, or the engine cannot be recreated, the answer is a built-in 500 page.

mod fallback;
mod wire;

use std::sync::Arc;

use std::time::Duration;

use bext_core::limits::{
    CONSOLE_BYTES_PER_RENDER_MAX, FETCH_RESPONSE_BYTES_MAX, FETCHES_PER_RENDER_MAX,
    RENDERS_IN_FLIGHT_MAX, TIMERS_PENDING_MAX, TIMERS_PER_RENDER_MAX,
};
use bext_engine::{Engine, EngineError, EngineKind, Limits};
use bytes::Bytes;
use rustc_hash::FxHashMap;

use crate::app::Param;
use wire::{Record, parse_record, push_headers, push_json_str, push_params, push_u64};

/// One request to render a route.
#[derive(Clone, Debug)]
pub struct RenderRequest {
    /// Chosen by the caller, unique among its renders in flight, below 2^53 (it crosses into
    /// JavaScript as a number). Events about this render carry it.
    pub id: u64,
    pub method: String,
    /// Path and query as requested (`/blog/42?x=1`).
    pub url: String,
    /// Index into the app's route table (its fallback route for unmatched paths).
    pub route: usize,
    pub params: Vec<(String, Param)>,
    /// Request headers, names lower-case.
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

/// A finished render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedPage {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// Seconds the page may be served from cache before it is re-rendered; `None`: no limit.
    pub revalidate: Option<u32>,
    /// Never cache this response (request-specific, an error, or opted out).
    pub dynamic: bool,
    /// Cache tags for invalidation.
    pub tags: Vec<String>,
    /// Set when the render failed (the page is then an error page), to be logged with the route.
    pub error: Option<RenderFailure>,
}

/// Why a render failed. `digest` is the id shown on the error page; the stack is never shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderFailure {
    pub message: String,
    pub stack: String,
    pub digest: String,
}

/// A `fetch()` made by app code, for the caller to perform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchRequest {
    pub url: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    /// Empty when the request has no body.
    pub body: String,
}

/// The outcome of a [`FetchRequest`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// What a step of the renderer produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenderEvent {
    /// Render `id` is finished. After [`RenderEvent::Chunk`]s, the page's body is the last
    /// piece (the document's end) and its status and headers are those of the first chunk.
    Done { id: u64, page: RenderedPage },
    /// A piece of streamed render `id` (see [`Renderer::start_streamed`]), in order; the
    /// first carries the status and headers.
    Chunk {
        id: u64,
        head: Option<(u16, Vec<(String, String)>)>,
        body: Bytes,
    },
    /// Render `id` waits for this fetch; answer it with [`Renderer::fetched`].
    Fetch {
        id: u64,
        fetch: u32,
        request: FetchRequest,
    },
    /// Timer `timer` is due after `delay`; then call [`Renderer::timer_fired`]. `id` is the
    /// render that set it, or 0 for a timer set outside any render.
    Timer {
        id: u64,
        timer: TimerHandle,
        delay: Duration,
    },
    /// App code called `console.<level>` while rendering `url` (`None`: outside a render).
    Log {
        url: Option<String>,
        level: String,
        text: String,
    },
}

/// A timer as the caller holds it: the engine's generation (recycles so far) in the high half,
/// the runtime's timer number in the low half.
pub type TimerHandle = u64;

/// The renderer could not be set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenderError {
    /// The engine could not be created.
    Engine(EngineError),
    /// The bundle failed to evaluate (or lacks the app runtime).
    Bundle(EngineError),
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::Engine(e) => write!(f, "cannot create the JavaScript engine: {e}"),
            RenderError::Bundle(e) => write!(f, "the app bundle failed to load: {e}"),
        }
    }
}

impl std::error::Error for RenderError {}

/// What Rust remembers of a render between steps: enough to ask for its error page.
/// What a render in flight waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wait {
    Fetch(u32),
    Timer(u32),
}

struct InFlight {
    route: usize,
    url: String,
    params_json: String,
    fetches: usize,
    timers: usize,
    /// Milliseconds of timer delays this render has been given to wait, in total.
    timer_ms: u64,
    outstanding: Vec<Wait>,
    /// Set when the render set a timer whose delay, with those before it, is past its deadline:
    /// such a timer still fires, but the render does not wait for it.
    timer_past_deadline: bool,
    /// Set once its error page has been asked for: a second failure gets the built-in page,
    /// so a failing error page cannot loop.
    error_page_tried: bool,
}

/// One engine with the app loaded, owned by one shard thread.
pub struct Renderer {
    bundle: Arc<str>,
    kind: EngineKind,
    limits: Limits,
    /// `None` after a recycle whose re-creation failed; the next `start` tries again.
    engine: Option<Box<dyn Engine>>,
    in_flight: FxHashMap<u64, InFlight>,
    /// Reused for each step's output records and input message.
    out: Vec<String>,
    message: String,
    recycles: u64,
    /// Timers pending in this engine (runtime number -> the render that set it, 0 outside).
    timers: FxHashMap<u32, u64>,
    /// Events produced between steps (by the bundle's top level), handed out with the next.
    pending: Vec<RenderEvent>,
}

impl Renderer {
    /// Creates the engine and evaluates `bundle` (prism.js, the app runtime, the modules and
    /// the route table, concatenated) in it.
    pub fn new(
        bundle: Arc<str>,
        kind: EngineKind,
        limits: Limits,
    ) -> Result<Renderer, RenderError> {
        let engine = boot(&bundle, kind, limits)?;
        let mut renderer = Renderer {
            bundle,
            kind,
            limits,
            engine: Some(engine),
            in_flight: FxHashMap::default(),
            out: Vec::new(),
            message: String::new(),
            recycles: 0,
            timers: FxHashMap::default(),
            pending: Vec::new(),
        };
        renderer.read_loaded();
        Ok(renderer)
    }

    /// What the bundle's top level produced as the engine loaded (log lines, timers), and
    /// anything else produced between steps. Call once after [`Renderer::new`]; later steps
    /// hand these out with their own events.
    pub fn take_events(&mut self) -> Vec<RenderEvent> {
        std::mem::take(&mut self.pending)
    }

    /// Reads the records a freshly loaded engine left in its outbox into `pending`.
    fn read_loaded(&mut self) {
        self.out.clear();
        let Some(engine) = self.engine.as_mut() else {
            return;
        };
        if engine.call("__bext_out", "", &mut self.out).is_err() {
            self.out.clear();
            return;
        }
        let mut events = std::mem::take(&mut self.pending);
        // No render is in flight in a fresh engine, so nothing can be refused.
        let _ = self.collect(&mut events);
        self.pending = events;
    }

    /// Starts a render. The events may already hold its `Done`.
    pub fn start(&mut self, req: RenderRequest) -> Vec<RenderEvent> {
        self.start_with(req, false)
    }

    /// [`Renderer::start`] for a page sent as it completes: a page whose Suspense boundaries
    /// (`loading.tsx`, `<Suspense>`) wait comes as [`RenderEvent::Chunk`]s, the shell with
    /// their fallbacks first, then each boundary's content, then `Done` with the end. A page
    /// that waits on nothing is one `Done`, as with `start`.
    pub fn start_streamed(&mut self, req: RenderRequest) -> Vec<RenderEvent> {
        self.start_with(req, true)
    }

    fn start_with(&mut self, req: RenderRequest, stream: bool) -> Vec<RenderEvent> {
        let mut events = Vec::new();
        let id = req.id;
        if self.in_flight.contains_key(&id) {
            // The caller broke the id contract; answer without touching the render in flight.
            let failure = fallback::failure(
                format!("render id {id} is already in flight"),
                String::new(),
            );
            events.push(RenderEvent::Done {
                id,
                page: fallback::internal_error(failure),
            });
            return events;
        }
        if self.in_flight.len() >= RENDERS_IN_FLIGHT_MAX {
            events.push(RenderEvent::Done {
                id,
                page: fallback::unavailable(),
            });
            return events;
        }
        if self.engine.is_none() {
            self.recycle();
        }
        if self.engine.is_none() {
            let failure = fallback::failure(
                "the JavaScript engine could not be restarted".to_owned(),
                String::new(),
            );
            events.push(RenderEvent::Done {
                id,
                page: fallback::internal_error(failure),
            });
            return events;
        }

        let mut params_json = String::new();
        push_params(&mut params_json, &req.params);
        let mut m = std::mem::take(&mut self.message);
        m.clear();
        m.push_str(r#"{"op":"render","id":"#);
        push_u64(&mut m, id);
        m.push_str(r#","route":"#);
        push_u64(&mut m, req.route as u64);
        m.push_str(r#","params":"#);
        m.push_str(&params_json);
        m.push_str(r#","url":"#);
        push_json_str(&mut m, &req.url);
        m.push_str(r#","method":"#);
        push_json_str(&mut m, &req.method);
        m.push_str(r#","headers":"#);
        push_headers(&mut m, &req.headers);
        m.push_str(r#","body":"#);
        match &req.body {
            Some(body) => push_json_str(&mut m, body),
            None => m.push_str("null"),
        }
        if stream {
            m.push_str(r#","stream":true"#);
        }
        m.push('}');

        self.in_flight.insert(
            id,
            InFlight {
                route: req.route,
                url: req.url,
                params_json,
                fetches: 0,
                timers: 0,
                timer_ms: 0,
                outstanding: Vec::new(),
                timer_past_deadline: false,
                error_page_tried: false,
            },
        );
        self.dispatch(id, &m, &mut events);
        self.message = m;
        events.append(&mut self.pending);
        events
    }

    /// Answers fetch `fetch` of render `render`. Answers for renders or fetches that are no
    /// longer waiting (the render was already answered) are ignored.
    pub fn fetched(
        &mut self,
        render: u64,
        fetch: u32,
        result: Result<FetchResponse, String>,
    ) -> Vec<RenderEvent> {
        let mut events = Vec::new();
        if !self.stop_waiting(render, Wait::Fetch(fetch)) {
            return events;
        }

        let mut m = std::mem::take(&mut self.message);
        m.clear();
        let result = match result {
            Ok(response) if response.body.len() > FETCH_RESPONSE_BYTES_MAX => Err(format!(
                "response body larger than {FETCH_RESPONSE_BYTES_MAX} bytes"
            )),
            other => other,
        };
        match &result {
            Ok(response) => {
                m.push_str(r#"{"op":"fetched","id":"#);
                push_u64(&mut m, render);
                m.push_str(r#","fetch":"#);
                push_u64(&mut m, u64::from(fetch));
                m.push_str(r#","status":"#);
                push_u64(&mut m, u64::from(response.status));
                m.push_str(r#","headers":"#);
                push_headers(&mut m, &response.headers);
                m.push_str(r#","body":"#);
                push_json_str(&mut m, &response.body);
                m.push('}');
            }
            Err(error) => {
                m.push_str(r#"{"op":"fetch_failed","id":"#);
                push_u64(&mut m, render);
                m.push_str(r#","fetch":"#);
                push_u64(&mut m, u64::from(fetch));
                m.push_str(r#","error":"#);
                push_json_str(&mut m, error);
                m.push('}');
            }
        }
        self.dispatch(render, &m, &mut events);
        self.message = m;
        events.append(&mut self.pending);
        events
    }

    /// Timer `timer` (set by render `render`, or 0) is due: its callback runs, in its render
    /// if that is still in flight, outside any render if not. Timers that were cleared, or
    /// belong to an engine since recycled, are ignored.
    pub fn timer_fired(&mut self, render: u64, timer: TimerHandle) -> Vec<RenderEvent> {
        let mut events = Vec::new();
        if timer >> 32 != self.recycles & u64::from(u32::MAX) {
            return events;
        }
        let number = (timer & u64::from(u32::MAX)) as u32;
        if self.timers.remove(&number).is_none() {
            return events;
        }
        self.stop_waiting(render, Wait::Timer(number));
        let mut m = std::mem::take(&mut self.message);
        m.clear();
        m.push_str(r#"{"op":"timer","id":"#);
        push_u64(&mut m, render);
        m.push_str(r#","timer":"#);
        push_u64(&mut m, u64::from(number));
        m.push('}');
        self.dispatch(render, &m, &mut events);
        self.message = m;
        events.append(&mut self.pending);
        events
    }

    /// Timers pending in the engine (set and neither fired nor cleared).
    pub fn timers_pending(&self) -> usize {
        self.timers.len()
    }

    /// Takes `wait` off render `render`'s list; false if the render or the wait is gone.
    fn stop_waiting(&mut self, render: u64, wait: Wait) -> bool {
        let Some(entry) = self.in_flight.get_mut(&render) else {
            return false;
        };
        let Some(at) = entry.outstanding.iter().position(|&w| w == wait) else {
            return false;
        };
        entry.outstanding.swap_remove(at);
        true
    }

    pub fn kind(&self) -> EngineKind {
        self.kind
    }

    /// Renders started and not yet answered (waiting on fetches).
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// How many times the engine has been replaced since `new`.
    pub fn recycles(&self) -> u64 {
        self.recycles
    }

    /// The engine's heap now (0 while it is being recreated).
    pub fn heap_bytes(&self) -> usize {
        self.engine.as_ref().map_or(0, |e| e.heap_bytes())
    }

    /// One protocol step for render `id`, then the follow-up its outcome calls for.
    fn dispatch(&mut self, id: u64, message: &str, events: &mut Vec<RenderEvent>) {
        match self.exchange(message) {
            Ok(()) => {
                let refused = self.collect(events);
                for (over, why) in refused {
                    let failure = fallback::failure(why.message(&self.limits), String::new());
                    self.fail(over, failure, events);
                }
                if let Some(past_deadline) = self.is_stuck(id) {
                    let message = if past_deadline {
                        Over::TimerWait.message(&self.limits)
                    } else {
                        "the render awaits something that can never settle (only fetch() and timers can resume a render)".to_owned()
                    };
                    self.fail(id, fallback::failure(message, String::new()), events);
                }
            }
            Err(error) => {
                let failure = failure_of(&error, &self.limits);
                self.fail(id, failure, events);
            }
        }
    }

    /// Sends one message and reads the outbox into `self.out`.
    fn exchange(&mut self, message: &str) -> Result<(), EngineError> {
        self.out.clear();
        let Some(engine) = self.engine.as_mut() else {
            return Err(EngineError::Unusable("no engine".to_owned()));
        };
        engine.call("__bext_in", message, &mut self.out)?;
        self.out.clear();
        engine.call("__bext_out", "", &mut self.out)
    }

    /// Turns the records in `self.out` into events. Returns the renders that went past a
    /// budget (app.js enforces the counts too; these are the bounds Rust does not delegate).
    fn collect(&mut self, events: &mut Vec<RenderEvent>) -> Vec<(u64, Over)> {
        let mut refused: Vec<(u64, Over)> = Vec::new();
        let mut refuse = |id: u64, why: Over| {
            if !refused.iter().any(|(r, _)| *r == id) {
                refused.push((id, why));
            }
        };
        let mut out = std::mem::take(&mut self.out);
        let mut records = out.drain(..);
        while let (Some(meta), Some(body)) = (records.next(), records.next()) {
            match parse_record(&meta) {
                Some(Record::Done(done)) => {
                    if self.in_flight.remove(&done.id).is_none() {
                        continue;
                    }
                    let status = if (100..=599).contains(&done.status) {
                        done.status
                    } else {
                        500
                    };
                    let page = RenderedPage {
                        status,
                        headers: done.headers,
                        body: Bytes::from(body),
                        revalidate: done.revalidate,
                        dynamic: done.dynamic,
                        tags: done.tags,
                        error: done.error.map(|e| RenderFailure {
                            message: e.message,
                            stack: e.stack,
                            digest: e.digest,
                        }),
                    };
                    events.push(RenderEvent::Done { id: done.id, page });
                }
                Some(Record::Chunk(chunk)) => {
                    if !self.in_flight.contains_key(&chunk.id) {
                        continue;
                    }
                    let head = match (chunk.status, chunk.headers) {
                        (Some(status), Some(headers)) if (100..=599).contains(&status) => {
                            Some((status, headers))
                        }
                        (Some(_), Some(headers)) => Some((500, headers)),
                        _ => None,
                    };
                    events.push(RenderEvent::Chunk {
                        id: chunk.id,
                        head,
                        body: Bytes::from(body),
                    });
                }
                Some(Record::Fetch(fetch)) => {
                    let Some(entry) = self.in_flight.get_mut(&fetch.id) else {
                        continue;
                    };
                    entry.fetches += 1;
                    if entry.fetches > FETCHES_PER_RENDER_MAX {
                        refuse(fetch.id, Over::Fetches);
                        continue;
                    }
                    entry.outstanding.push(Wait::Fetch(fetch.fetch));
                    let request = FetchRequest {
                        url: fetch.url,
                        method: fetch.method,
                        headers: fetch.headers,
                        body,
                    };
                    events.push(RenderEvent::Fetch {
                        id: fetch.id,
                        fetch: fetch.fetch,
                        request,
                    });
                }
                Some(Record::Timer(timer)) => {
                    let full = self.timers.len() >= TIMERS_PENDING_MAX
                        && !self.timers.contains_key(&timer.timer);
                    match self.in_flight.get_mut(&timer.id) {
                        Some(entry) => {
                            entry.timers += 1;
                            if entry.timers > TIMERS_PER_RENDER_MAX || full {
                                refuse(timer.id, Over::Timers);
                                continue;
                            }
                            let budget_ms = u64::try_from(self.limits.call_timeout.as_millis())
                                .unwrap_or(u64::MAX);
                            let waited_ms = entry.timer_ms.saturating_add(timer.ms);
                            if waited_ms <= budget_ms {
                                entry.timer_ms = waited_ms;
                                entry.outstanding.push(Wait::Timer(timer.timer));
                            } else {
                                entry.timer_past_deadline = true;
                            }
                        }
                        // Outside any render (or its render was answered in this very step).
                        None if full => {
                            events.push(RenderEvent::Log {
                                url: None,
                                level: "warn".to_owned(),
                                text: format!(
                                    "a timer set outside any render was dropped: at most {TIMERS_PENDING_MAX} timers may be pending"
                                ),
                            });
                            continue;
                        }
                        None => {}
                    }
                    self.timers.insert(timer.timer, timer.id);
                    events.push(RenderEvent::Timer {
                        id: timer.id,
                        timer: (self.recycles << 32) | u64::from(timer.timer),
                        delay: Duration::from_millis(timer.ms),
                    });
                }
                Some(Record::Clear(clear)) => {
                    if let Some(render) = self.timers.remove(&clear.timer) {
                        self.stop_waiting(render, Wait::Timer(clear.timer));
                    }
                }
                Some(Record::Log(log)) => {
                    let url = self.in_flight.get(&log.id).map(|entry| entry.url.clone());
                    events.push(RenderEvent::Log {
                        url,
                        level: log.level,
                        text: body,
                    });
                }
                // Malformed: a runtime bug. Its render is caught by the stuck check.
                None => {}
            }
        }
        drop(records);
        self.out = out;
        refused
    }

    /// `Some` if render `id` is unfinished and waits on nothing; `Some(true)` if it set timers
    /// past its deadline (which it does not wait for).
    fn is_stuck(&self, id: u64) -> Option<bool> {
        self.in_flight
            .get(&id)
            .filter(|entry| entry.outstanding.is_empty())
            .map(|entry| entry.timer_past_deadline)
    }

    fn engine_usable(&self) -> bool {
        self.engine.as_ref().is_some_and(|e| e.is_usable())
    }

    /// Answers render `id` after a failure the runtime could not handle itself (see the module
    /// docs), and every render a recycle on the way loses.
    fn fail(&mut self, id: u64, failure: RenderFailure, events: &mut Vec<RenderEvent>) {
        let mut queue = vec![(id, failure)];
        if !self.engine_usable() {
            self.recycle_losing(id, &mut queue);
        }
        let mut i = 0;
        while i < queue.len() {
            let (id, failure) = queue[i].clone();
            i += 1;
            let Some(entry) = self.in_flight.get_mut(&id) else {
                continue; // answered on the way
            };
            if entry.error_page_tried || self.engine.is_none() {
                self.answer_builtin(id, failure, events);
                continue;
            }
            entry.error_page_tried = true;
            if !self.error_page(id, &failure, events) {
                if !self.engine_usable() {
                    self.recycle_losing(id, &mut queue);
                }
                self.answer_builtin(id, failure, events);
            }
        }
    }

    /// Recycles the engine; every other render in flight lost its state with it and is queued
    /// for its error page.
    fn recycle_losing(&mut self, failed: u64, queue: &mut Vec<(u64, RenderFailure)>) {
        for (&other, entry) in self.in_flight.iter_mut() {
            if other == failed {
                continue;
            }
            entry.outstanding.clear();
            let failure = fallback::failure(
                "the JavaScript engine was restarted while this render waited for fetch or a timer"
                    .to_owned(),
                String::new(),
            );
            queue.push((other, failure));
        }
        self.recycle();
    }

    /// Asks the runtime for render `id`'s error page. True if that answered the render (or left
    /// it legitimately waiting on a fetch made by the error page).
    fn error_page(
        &mut self,
        id: u64,
        failure: &RenderFailure,
        events: &mut Vec<RenderEvent>,
    ) -> bool {
        let Some(entry) = self.in_flight.get(&id) else {
            return true;
        };
        let mut m = String::with_capacity(
            128 + entry.url.len() + entry.params_json.len() + failure.message.len(),
        );
        m.push_str(r#"{"op":"error","id":"#);
        push_u64(&mut m, id);
        m.push_str(r#","route":"#);
        push_u64(&mut m, entry.route as u64);
        m.push_str(r#","url":"#);
        push_json_str(&mut m, &entry.url);
        m.push_str(r#","params":"#);
        m.push_str(&entry.params_json);
        m.push_str(r#","status":500,"message":"#);
        push_json_str(&mut m, &failure.message);
        m.push('}');
        if self.exchange(&m).is_err() {
            return false;
        }
        let first_new = events.len();
        let refused = self.collect(events);
        for event in &mut events[first_new..] {
            if let RenderEvent::Done { id: done, page } = event
                && *done == id
            {
                // The page shows the runtime's digest; the log gets the engine's full account.
                let digest = page
                    .error
                    .take()
                    .map_or_else(|| failure.digest.clone(), |e| e.digest);
                page.error = Some(RenderFailure {
                    message: failure.message.clone(),
                    stack: failure.stack.clone(),
                    digest,
                });
            }
        }
        for (over, why) in refused {
            if over != id {
                let failure = fallback::failure(why.message(&self.limits), String::new());
                self.fail(over, failure, events);
            }
        }
        match self.in_flight.get(&id) {
            None => true,
            Some(entry) => !entry.outstanding.is_empty(),
        }
    }

    fn answer_builtin(&mut self, id: u64, failure: RenderFailure, events: &mut Vec<RenderEvent>) {
        if self.in_flight.remove(&id).is_some() {
            events.push(RenderEvent::Done {
                id,
                page: fallback::internal_error(failure),
            });
        }
    }

    /// Drops the engine and loads a new one. On failure the renderer has no engine until the
    /// next `start` tries again; renders are answered with the built-in page meanwhile.
    fn recycle(&mut self) {
        // Drop first: the old heap is freed before the new one grows.
        self.engine = None;
        self.recycles += 1;
        self.timers.clear();
        self.engine = boot(&self.bundle, self.kind, self.limits).ok();
        self.read_loaded();
    }
}

fn boot(bundle: &str, kind: EngineKind, limits: Limits) -> Result<Box<dyn Engine>, RenderError> {
    let mut engine = bext_engine::create(kind, limits).map_err(RenderError::Engine)?;
    engine
        .eval(bundle, "bundle.js")
        .map_err(RenderError::Bundle)?;
    let mut ignored = Vec::new();
    // The seed of `crypto.getRandomValues` in this engine (see `js/crypto.js`).
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed).map_err(|e| {
        RenderError::Engine(EngineError::Unusable(format!(
            "no random seed from the operating system: {e}"
        )))
    })?;
    let seed: String = seed.iter().map(|b| format!("{b:02x}")).collect();
    let config = format!(
        r#"{{"fetchesPerRenderMax":{FETCHES_PER_RENDER_MAX},"timersPerRenderMax":{TIMERS_PER_RENDER_MAX},"consoleBytesPerRenderMax":{CONSOLE_BYTES_PER_RENDER_MAX},"seed":"{seed}"}}"#
    );
    engine
        .call("__bext_configure", &config, &mut ignored)
        .map_err(RenderError::Bundle)?;
    Ok(engine)
}

/// Which per-render budget a render went past.
#[derive(Clone, Copy, Debug)]
enum Over {
    Fetches,
    Timers,
    TimerWait,
}

impl Over {
    fn message(self, limits: &Limits) -> String {
        match self {
            Over::Fetches => format!(
                "fetch limit exceeded: a render may make at most {FETCHES_PER_RENDER_MAX} fetch calls"
            ),
            Over::Timers => format!(
                "timer limit exceeded: a render may set at most {TIMERS_PER_RENDER_MAX} timers"
            ),
            Over::TimerWait => format!(
                "render deadline exceeded ({} ms) waiting for timers",
                limits.call_timeout.as_millis()
            ),
        }
    }
}

fn failure_of(error: &EngineError, limits: &Limits) -> RenderFailure {
    match error {
        EngineError::Timeout => fallback::failure(
            format!(
                "render deadline exceeded ({} ms)",
                limits.call_timeout.as_millis()
            ),
            String::new(),
        ),
        EngineError::OutOfMemory => fallback::failure(
            format!(
                "render heap limit exceeded ({} bytes)",
                limits.heap_bytes_max
            ),
            String::new(),
        ),
        EngineError::Exception { message, stack } => {
            fallback::failure(message.clone(), stack.clone())
        }
        EngineError::NoSuchFunction(name) => fallback::failure(
            format!("the bundle defines no {name}(): is the app runtime in it?"),
            String::new(),
        ),
        EngineError::Unusable(why) => {
            fallback::failure(format!("JavaScript engine unusable: {why}"), String::new())
        }
    }
}
