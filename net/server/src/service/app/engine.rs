//! One shard's renderers: the engine of each app site, and the renders waiting on it.
//!
//! [`bext_render::renderer::Renderer`] is sans-I/O: it says when a render is done and which
//! `fetch` calls it waits on. This module is its driver on the shard: it numbers renders,
//! parks each caller until its `Done` arrives, performs fetches with bext's HTTP client and
//! waits out timers on the shard's executor, and feeds their answers back. Everything is shard-local (`Rc`, `RefCell`);
//! no borrow is held across an await.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Poll, Waker};
use std::time::Duration;

use bext_render::load::LoadedApp;
use bext_render::renderer::{FetchResponse, RenderEvent, RenderRequest, RenderedPage, Renderer};
use bext_shards::rt;
use bytes::Bytes;

use super::{AppSite, fetch};
use crate::service::BodyStream;
use crate::shard::{self, Shard};

/// An app site's engine on this shard.
pub(crate) struct AppEngine {
    /// Which loaded app this engine holds (a reload with a new app makes a new engine).
    pub app: Arc<LoadedApp>,
    renderer: RefCell<Option<Renderer>>,
    /// Why the engine could not be created, answered as a 500 to every render.
    failure: Option<String>,
    next_id: Cell<u64>,
    waiting: RefCell<HashMap<u64, Waiting>>,
    /// Routes seen to render dynamic pages: not worth coalescing or caching.
    pub dynamic_routes: RefCell<rustc_hash::FxHashSet<usize>>,
    recycles_seen: Cell<u64>,
    fetch_timeout: Duration,
    /// The images `/_next/image` made on this shard, and those being made.
    pub images: Rc<RefCell<super::image::Images>>,
    /// Events renders published (`bext/realtime`'s `publish`) not yet handed to the hub,
    /// each as its field carried it (checked when it is handed over).
    published: RefCell<Vec<String>>,
}

/// The field a render's published events ride on (render/js/app.js's `PUBLISH_FIELD`).
const PUBLISH_FIELD: &str = "x-bext-publish";

#[derive(Default)]
struct Waiting {
    page: Option<RenderedPage>,
    /// A streamed render's status and headers, from its first chunk.
    head: Option<(u16, Vec<(String, String)>)>,
    /// A streamed render's pieces not yet taken, in order.
    chunks: VecDeque<Bytes>,
    waker: Option<Waker>,
}

/// What a streamed render gave first.
pub(crate) enum Rendered {
    /// The whole page (it waited on nothing, or failed before its shell was ready).
    Whole(RenderedPage),
    /// The shell is ready: the rest follows through the stream.
    Streaming(PageStream),
}

/// A page sent as it completes: the shell, then each completed Suspense boundary, then the
/// document's end. Dropping it (the client went away) forgets the render's pieces; the
/// render itself runs to its end in the engine, as any render whose caller left.
pub(crate) struct PageStream {
    engine: Rc<AppEngine>,
    id: u64,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    first: Option<Bytes>,
    done: bool,
    /// Inserted before the document's end (the dev server's reload script).
    pub before_end: &'static str,
    /// Called with the finished render (its failure, if any, for the log).
    pub on_done: Option<OnDone>,
}

/// What a [`PageStream`] calls with its finished render.
pub(crate) type OnDone = Box<dyn FnOnce(&RenderedPage)>;

impl Drop for PageStream {
    fn drop(&mut self) {
        self.engine.waiting.borrow_mut().remove(&self.id);
    }
}

impl BodyStream for PageStream {
    fn next(&mut self) -> Pin<Box<dyn Future<Output = Option<Bytes>> + '_>> {
        Box::pin(async move {
            if let Some(first) = self.first.take() {
                return Some(first);
            }
            if self.done {
                return None;
            }
            let (engine, id) = (self.engine.clone(), self.id);
            let next = engine
                .wait_for(id, |slot| {
                    slot.chunks
                        .pop_front()
                        .map(Ok)
                        .or_else(|| slot.page.take().map(Err))
                })
                .await;
            match next {
                Some(Ok(chunk)) => Some(chunk),
                Some(Err(page)) => {
                    self.done = true;
                    if let Some(on_done) = self.on_done.take() {
                        on_done(&page);
                    }
                    // The runtime's last piece is the document's end, after the client
                    // components' payload and scripts when the page has some; a page made
                    // after a failure outside the runtime (a deadline) cannot follow a sent
                    // shell. What the server adds (the dev reload script) goes just before
                    // `</body>`.
                    let from_runtime = page.body.starts_with(b"</body>")
                        || page.body.starts_with(CLIENT_TAIL_START);
                    let end: &[u8] = if from_runtime {
                        &page.body
                    } else {
                        b"</body></html>"
                    };
                    let at = find(end, b"</body>").unwrap_or(end.len());
                    let mut last = Vec::with_capacity(self.before_end.len() + end.len());
                    last.extend_from_slice(&end[..at]);
                    last.extend_from_slice(self.before_end.as_bytes());
                    last.extend_from_slice(&end[at..]);
                    Some(Bytes::from(last))
                }
                None => {
                    self.done = true;
                    None
                }
            }
        })
    }
}

impl AppEngine {
    /// Creates the engine and loads the bundle: at shard start, before the shard says it is
    /// ready, so the first request does not pay for it. What the bundle's top level did (log
    /// lines, timers) is handled at once, so a module's `setInterval` starts with the shard.
    pub fn new(site: &AppSite, shard: &Rc<Shard>) -> Rc<AppEngine> {
        let (mut renderer, failure) =
            match Renderer::new(site.app.bundle.clone(), site.engine, site.limits) {
                Ok(renderer) => (Some(renderer), None),
                Err(e) => {
                    let why = format!("app {}: {e}", site.app.root.display());
                    eprintln!("bext: {why}");
                    (None, Some(why))
                }
            };
        let loaded = renderer
            .as_mut()
            .map(Renderer::take_events)
            .unwrap_or_default();
        let engine = Rc::new(AppEngine {
            app: site.app.clone(),
            renderer: RefCell::new(renderer),
            failure,
            next_id: Cell::new(1),
            waiting: RefCell::new(HashMap::new()),
            // Routes that say they are dynamic are known so from the start: their first
            // request skips the cache and streams like the next.
            dynamic_routes: RefCell::new(site.app.force_dynamic.iter().copied().collect()),
            recycles_seen: Cell::new(0),
            fetch_timeout: site.fetch_timeout,
            images: Rc::default(),
            published: RefCell::new(Vec::new()),
        });
        engine.handle(shard, loaded);
        engine
    }

    /// Takes the events a render published off its fields (`["topic", "data", "event"?]`).
    fn take_publishes(&self, headers: &mut Vec<(String, String)>) {
        let mut published = self.published.borrow_mut();
        headers.retain(|(name, value)| {
            if name != PUBLISH_FIELD {
                return true;
            }
            published.push(value.clone());
            false
        });
    }

    /// The events renders published since the last call.
    pub fn take_published(&self) -> Vec<String> {
        std::mem::take(&mut self.published.borrow_mut())
    }

    /// Renders `request` (its `id` is set here) and waits for the page.
    pub async fn render(
        self: &Rc<Self>,
        shard: &Rc<Shard>,
        request: RenderRequest,
    ) -> RenderedPage {
        let (id, guard) = self.start(shard, request, false);
        let page = self.wait_for(id, |slot| slot.page.take()).await;
        drop(guard);
        page.unwrap_or_else(|| super::page::internal_error(String::from("render lost")))
    }

    /// Waits until `take` finds what it wants in render `id`'s slot (woken by `handle` as
    /// events arrive); `None` when the slot is gone.
    async fn wait_for<T>(
        &self,
        id: u64,
        mut take: impl FnMut(&mut Waiting) -> Option<T>,
    ) -> Option<T> {
        std::future::poll_fn(|cx| {
            let mut waiting = self.waiting.borrow_mut();
            let Some(slot) = waiting.get_mut(&id) else {
                return Poll::Ready(None);
            };
            match take(slot) {
                Some(found) => Poll::Ready(Some(found)),
                None => {
                    slot.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await
    }

    /// Numbers `request`, opens its waiting slot (forgotten when the guard drops) and starts
    /// it, streamed or whole.
    fn start<'a>(
        self: &'a Rc<Self>,
        shard: &Rc<Shard>,
        mut request: RenderRequest,
        streamed: bool,
    ) -> (u64, Forget<'a>) {
        let id = self.next_id.get();
        // Ids cross into JavaScript as numbers: stay below 2^53.
        self.next_id.set(if id >= (1 << 52) { 1 } else { id + 1 });
        request.id = id;
        self.waiting.borrow_mut().insert(id, Waiting::default());
        let guard = Forget { engine: self, id };
        let events = match self.renderer.borrow_mut().as_mut() {
            Some(renderer) if streamed => renderer.start_streamed(request),
            Some(renderer) => renderer.start(request),
            None => vec![RenderEvent::Done {
                id,
                page: super::page::internal_error(self.failure.clone().unwrap_or_default()),
            }],
        };
        self.handle(shard, events);
        (id, guard)
    }

    /// [`AppEngine::render`] for a page sent as it completes (see [`Renderer::start_streamed`]):
    /// waits for the whole page or for its shell, whichever comes first.
    pub async fn render_streamed(
        self: &Rc<Self>,
        shard: &Rc<Shard>,
        request: RenderRequest,
    ) -> Rendered {
        let (id, guard) = self.start(shard, request, true);
        let first = self
            .wait_for(id, |slot| match slot.head.take() {
                Some(head) => Some(Ok((head, slot.chunks.pop_front().unwrap_or_default()))),
                None => slot.page.take().map(Err),
            })
            .await;
        match first {
            Some(Ok(((status, headers), first))) => {
                // The stream owns the slot from here.
                std::mem::forget(guard);
                Rendered::Streaming(PageStream {
                    engine: self.clone(),
                    id,
                    status,
                    headers,
                    first: Some(first),
                    done: false,
                    before_end: "",
                    on_done: None,
                })
            }
            Some(Err(page)) => {
                drop(guard);
                Rendered::Whole(page)
            }
            None => {
                drop(guard);
                Rendered::Whole(super::page::internal_error(String::from("render lost")))
            }
        }
    }

    fn handle(self: &Rc<Self>, shard: &Rc<Shard>, events: Vec<RenderEvent>) {
        for event in events {
            match event {
                RenderEvent::Chunk { id, head, body } => {
                    if let Some(slot) = self.waiting.borrow_mut().get_mut(&id) {
                        if head.is_some() {
                            slot.head = head;
                        }
                        slot.chunks.push_back(body);
                        if let Some(waker) = slot.waker.take() {
                            waker.wake();
                        }
                    }
                }
                RenderEvent::Done { id, mut page } => {
                    if page.headers.iter().any(|(n, _)| n == PUBLISH_FIELD) {
                        self.take_publishes(&mut page.headers);
                    }
                    {
                        let mut metrics = shard.metrics.borrow_mut();
                        metrics.renders += 1;
                        if page.error.is_some() || page.status >= 500 {
                            metrics.render_errors += 1;
                        }
                    }
                    if let Some(slot) = self.waiting.borrow_mut().get_mut(&id) {
                        slot.page = Some(page);
                        if let Some(waker) = slot.waker.take() {
                            waker.wake();
                        }
                    }
                }
                RenderEvent::Log { url, level, text } => {
                    let root = self.app.root.display();
                    let at = url.as_deref().unwrap_or("(outside a render)");
                    eprintln!(
                        "bext: app {root} {at}: console.{level}: {}",
                        printable(&text)
                    );
                }
                RenderEvent::Timer { id, timer, delay } => {
                    // Weak: a timer outside any render (a module's `setInterval`) must not keep
                    // an engine alive after a reload has replaced it.
                    let engine = Rc::downgrade(self);
                    let task_shard = shard.clone();
                    shard::spawn(shard, "an app's timer", async move {
                        rt::sleep(delay).await;
                        let Some(engine) = engine.upgrade() else {
                            return;
                        };
                        let events = match engine.renderer.borrow_mut().as_mut() {
                            Some(renderer) => renderer.timer_fired(id, timer),
                            None => Vec::new(),
                        };
                        engine.handle(&task_shard, events);
                    });
                }
                RenderEvent::Fetch { id, fetch, request } => {
                    let engine = self.clone();
                    let task_shard = shard.clone();
                    shard::spawn(shard, "a loader's fetch", async move {
                        let shard = task_shard;
                        let result = fetch::fetch(
                            &request.url,
                            &request.method,
                            &request.headers,
                            request.body.as_bytes(),
                            engine.fetch_timeout,
                        )
                        .await
                        .map(|r| FetchResponse {
                            status: r.status,
                            headers: r.headers,
                            body: String::from_utf8_lossy(&r.body).into_owned(),
                        });
                        let events = match engine.renderer.borrow_mut().as_mut() {
                            Some(renderer) => renderer.fetched(id, fetch, result),
                            None => Vec::new(),
                        };
                        engine.handle(&shard, events);
                    });
                }
            }
        }
        if let Some(renderer) = self.renderer.borrow().as_ref() {
            let recycles = renderer.recycles();
            let new = recycles.saturating_sub(self.recycles_seen.replace(recycles));
            shard.metrics.borrow_mut().engine_recycles += new;
        }
    }
}

/// Drops a render's waiting slot if its caller goes away before the page arrives.
struct Forget<'a> {
    engine: &'a AppEngine,
    id: u64,
}

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        self.engine.waiting.borrow_mut().remove(&self.id);
    }
}

/// App text for the server's log: control characters other than newline and tab escaped, so a
/// page cannot forge log lines or terminal sequences.
fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\n  "),
            '\t' => out.push('\t'),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

/// How the client components' tail of a page begins (render/js/client.js, `clientTail`).
const CLIENT_TAIL_START: &[u8] = b"<script id=\"__BEXT_DATA__\"";

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
