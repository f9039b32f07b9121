//! QuickJS through rquickjs: the default engine, compiled from source with no system packages.
//!
//! Limits: the heap ceiling is enforced by our own allocator (the `heap` module), which refuses an
//! allocation past `heap_bytes_max` and remembers that it did; the deadline by QuickJS's
//! interrupt handler, which the interpreter polls every few thousand operations and which
//! compares a deadline armed at the start of each `eval`/`call` with `Instant::now()`. An
//! interrupt raises an uncatchable error that unwinds cleanly, so the engine stays usable after
//! a timeout. After any refused allocation it does not: QuickJS leaks references on its
//! out-of-memory paths, so the runtime is never freed through QuickJS (its `JS_FreeRuntime`
//! would abort the process on the leaked objects); its heap is released wholesale instead.

mod heap;

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rquickjs::context::EvalOptions;
use rquickjs::function::This;
use rquickjs::{Coerced, Context, Ctx, Function, Object, Runtime, Value};

use crate::{Engine, EngineError, EngineKind, Limits, deadline_after};
use heap::Heap;

use bext_core::limits::{ENGINE_JOBS_DISCARD_MAX, QUICKJS_STACK_BYTES_MAX};

static RUNTIMES_ABANDONED: AtomicUsize = AtomicUsize::new(0);
static HEAP_BYTES_RELEASED_WHOLESALE: AtomicUsize = AtomicUsize::new(0);

/// QuickJS runtimes torn down without `JS_FreeRuntime` because they hit their heap limit.
/// Their JS heap is freed in full; each leaks only rquickjs's Rust-side bookkeeping (well under
/// a KiB: the runtime's opaque data and the interrupt closure).
pub fn runtimes_abandoned() -> usize {
    RUNTIMES_ABANDONED.load(Ordering::Relaxed)
}

/// JS heap bytes of abandoned runtimes that could not be given back to the system. Always 0
/// with the owning heap: it stays as a metric so a regression to leaking shows up.
pub fn leaked_heap_bytes() -> usize {
    0
}

/// JS heap bytes freed wholesale by tearing down abandoned runtimes (for metrics and tests).
pub fn heap_bytes_released_wholesale() -> usize {
    HEAP_BYTES_RELEASED_WHOLESALE.load(Ordering::Relaxed)
}

/// The deadline the interrupt handler checks; shared with the handler closure.
struct Watch {
    deadline: Cell<Option<Instant>>,
    fired: Cell<bool>,
}

impl Watch {
    fn arm(&self, deadline: Instant) {
        self.deadline.set(Some(deadline));
        self.fired.set(false);
    }

    fn disarm(&self) {
        self.deadline.set(None);
    }

    /// Called by the interpreter's interrupt poll and between jobs.
    fn expired(&self) -> bool {
        let expired = self
            .deadline
            .get()
            .is_some_and(|deadline| Instant::now() >= deadline);
        if expired {
            self.fired.set(true);
        }
        expired
    }
}

pub struct QuickJs {
    /// `None` only while being torn down.
    js: Option<(Context, Runtime)>,
    heap: Heap,
    watch: Rc<Watch>,
    limits: Limits,
    broken: Option<String>,
}

impl QuickJs {
    pub fn new(limits: Limits) -> Result<QuickJs, EngineError> {
        let heap = Heap::new(limits.heap_bytes_max);
        let runtime = Runtime::new_with_alloc(heap.allocator())
            .map_err(|e| EngineError::Unusable(format!("quickjs runtime: {e}")))?;
        let watch = Rc::new(Watch {
            deadline: Cell::new(None),
            fired: Cell::new(false),
        });
        runtime.set_max_stack_size(QUICKJS_STACK_BYTES_MAX);
        let handler_watch = Rc::clone(&watch);
        runtime.set_interrupt_handler(Some(Box::new(move || handler_watch.expired())));
        let context = match Context::full(&runtime) {
            Ok(context) => context,
            Err(e) => {
                teardown(None, runtime, &heap);
                return Err(EngineError::Unusable(format!("quickjs context: {e}")));
            }
        };
        Ok(QuickJs {
            js: Some((context, runtime)),
            heap,
            watch,
            limits,
            broken: None,
        })
    }

    /// Runs `body` in the context under a fresh deadline, then classifies the outcome.
    fn run<T>(
        &mut self,
        body: impl for<'js> FnOnce(&Ctx<'js>, &Watch) -> Result<T, Failure>,
    ) -> Result<T, EngineError> {
        if let Some(why) = &self.broken {
            return Err(EngineError::Unusable(why.clone()));
        }
        let Some((context, _)) = &self.js else {
            return Err(EngineError::Unusable("torn down".into()));
        };
        self.watch.arm(deadline_after(&self.limits));
        let watch = &*self.watch;
        let heap = &self.heap;
        let (result, leftover_jobs) = context.with(|ctx| {
            let result = body(&ctx, watch);
            let result = match result {
                Ok(value) if heap.limit_hit() => {
                    // The script caught the out-of-memory error and went on; the runtime is
                    // tainted all the same.
                    drop(value);
                    Err(Failure::OutOfMemory)
                }
                other => other,
            };
            let leftover = match &result {
                Err(Failure::Timeout) => discard_jobs(&ctx, watch),
                _ => false,
            };
            (result, leftover)
        });
        self.watch.disarm();
        match result {
            Ok(value) => Ok(value),
            Err(Failure::OutOfMemory) => {
                self.broken = Some("heap limit was hit".into());
                Err(EngineError::OutOfMemory)
            }
            Err(failure) => {
                if leftover_jobs {
                    self.broken = Some("jobs of a timed-out call could not be discarded".into());
                }
                Err(failure.into_error())
            }
        }
    }
}

impl Engine for QuickJs {
    fn kind(&self) -> EngineKind {
        EngineKind::QuickJs
    }

    fn eval(&mut self, source: &str, name: &str) -> Result<(), EngineError> {
        let heap = self.heap.clone();
        self.run(|ctx, watch| {
            let mut options = EvalOptions::default();
            options.strict = false;
            options.filename = Some(name.to_owned());
            let evaluated = ctx
                .eval_with_options::<(), _>(source, options)
                .map_err(|e| failure(ctx, e, watch, &heap));
            settle(ctx, watch, &heap, evaluated)
        })
    }

    fn call(
        &mut self,
        function: &str,
        arg: &str,
        out: &mut Vec<String>,
    ) -> Result<(), EngineError> {
        let heap = self.heap.clone();
        self.run(|ctx, watch| {
            let callee: Value = ctx
                .globals()
                .get(function)
                .map_err(|e| failure(ctx, e, watch, &heap))?;
            let Some(callee) = callee.as_function() else {
                return Err(Failure::NoSuchFunction(function.to_owned()));
            };
            let called: Result<Value, Failure> = callee
                .call((arg,))
                .map_err(|e| failure(ctx, e, watch, &heap));
            let result = settle(ctx, watch, &heap, called)?;
            append_result(ctx, result, out).map_err(|e| failure(ctx, e, watch, &heap))
        })
    }

    fn is_usable(&self) -> bool {
        self.broken.is_none() && self.js.is_some()
    }

    fn heap_bytes(&self) -> usize {
        self.heap.bytes()
    }
}

impl Drop for QuickJs {
    fn drop(&mut self) {
        if let Some((context, runtime)) = self.js.take() {
            teardown(Some(context), runtime, &self.heap);
        }
    }
}

/// Frees a runtime, through QuickJS when it is sound and wholesale when the heap limit was hit.
fn teardown(context: Option<Context>, runtime: Runtime, heap: &Heap) {
    runtime.set_interrupt_handler(None);
    if heap.limit_hit() {
        std::mem::forget(context);
        std::mem::forget(runtime);
        let released = heap.release_all();
        RUNTIMES_ABANDONED.fetch_add(1, Ordering::Relaxed);
        HEAP_BYTES_RELEASED_WHOLESALE.fetch_add(released, Ordering::Relaxed);
    } else {
        drop(context);
        drop(runtime);
    }
}

/// A failed `eval`/`call`, before it becomes an [`EngineError`].
enum Failure {
    Exception { message: String, stack: String },
    Timeout,
    OutOfMemory,
    NoSuchFunction(String),
}

impl Failure {
    fn into_error(self) -> EngineError {
        match self {
            Failure::Exception { message, stack } => EngineError::Exception { message, stack },
            Failure::Timeout => EngineError::Timeout,
            Failure::OutOfMemory => EngineError::OutOfMemory,
            Failure::NoSuchFunction(name) => EngineError::NoSuchFunction(name),
        }
    }
}

/// Classifies an rquickjs error: limits first (an interrupt and an out-of-memory error surface
/// as ordinary exceptions), then the thrown value.
fn failure(ctx: &Ctx<'_>, error: rquickjs::Error, watch: &Watch, heap: &Heap) -> Failure {
    let thrown = if error.is_exception() {
        Some(ctx.catch())
    } else {
        None
    };
    if heap.limit_hit() {
        return Failure::OutOfMemory;
    }
    if watch.fired.get() {
        return Failure::Timeout;
    }
    let Some(thrown) = thrown else {
        return Failure::Exception {
            message: error.to_string(),
            stack: String::new(),
        };
    };
    let message =
        string_of(ctx, thrown.clone()).unwrap_or_else(|_| "<exception not printable>".into());
    let stack = thrown
        .as_object()
        .and_then(|o| o.get::<_, Value>("stack").ok())
        .filter(|s| s.is_string())
        .and_then(|s| string_of(ctx, s).ok())
        .unwrap_or_default();
    // Converting may itself have thrown; leave no exception pending.
    let _ = ctx.catch();
    Failure::Exception { message, stack }
}

/// Runs the jobs a finished script queued (also when it threw, as JSC and V8 do), unless it
/// was stopped by a limit; a limit hit while the jobs run wins over the script's own outcome.
fn settle<T>(
    ctx: &Ctx<'_>,
    watch: &Watch,
    heap: &Heap,
    outcome: Result<T, Failure>,
) -> Result<T, Failure> {
    if matches!(outcome, Err(Failure::Timeout | Failure::OutOfMemory)) {
        return outcome;
    }
    drain_jobs(ctx, watch, heap)?;
    outcome
}

/// Runs promise reactions until none is queued, under the call's deadline.
fn drain_jobs(ctx: &Ctx<'_>, watch: &Watch, heap: &Heap) -> Result<(), Failure> {
    // `execute_pending_job` swallows a job's exception; promise jobs capture ordinary throws
    // in their promise, so what escapes is an interrupt or an allocation failure, both of
    // which the flags report.
    while ctx.execute_pending_job() {
        if heap.limit_hit() {
            return Err(Failure::OutOfMemory);
        }
        if watch.fired.get() || watch.expired() {
            return Err(Failure::Timeout);
        }
    }
    Ok(())
}

/// Runs whatever a timed-out call left queued with the deadline already past, so each job is
/// interrupted at its first poll: the reactions of a call that failed must not run inside the
/// next one. Returns true if jobs are still queued afterwards.
fn discard_jobs(ctx: &Ctx<'_>, watch: &Watch) -> bool {
    watch.arm(Instant::now());
    for _ in 0..ENGINE_JOBS_DISCARD_MAX {
        if !ctx.execute_pending_job() {
            return false;
        }
    }
    true
}

/// Appends a call's result per [`Engine::call`]'s contract.
fn append_result<'js>(
    ctx: &Ctx<'js>,
    value: Value<'js>,
    out: &mut Vec<String>,
) -> rquickjs::Result<()> {
    if value.is_undefined() || value.is_null() {
        return Ok(());
    }
    if let Some(array) = value.as_array() {
        out.reserve(array.len());
        for element in array.iter::<Value>() {
            out.push(string_of(ctx, element?)?);
        }
        return Ok(());
    }
    out.push(string_of(ctx, value)?);
    Ok(())
}

/// `String(value)` as Rust text; lone surrogates become U+FFFD (`toWellFormed`), as they have no
/// UTF-8 form.
fn string_of<'js>(ctx: &Ctx<'js>, value: Value<'js>) -> rquickjs::Result<String> {
    let js = match value.as_string() {
        Some(s) => s.clone(),
        None => value.get::<Coerced<rquickjs::String>>()?.0,
    };
    match js.to_string() {
        Ok(text) => Ok(text),
        Err(rquickjs::Error::Utf8(_)) => {
            let prototype: Object = ctx.globals().get::<_, Object>("String")?.get("prototype")?;
            let well_formed: Function = prototype.get("toWellFormed")?;
            let fixed: rquickjs::String = well_formed.call((This(js),))?;
            fixed.to_string()
        }
        Err(e) => Err(e),
    }
}
