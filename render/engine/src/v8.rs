//! V8 through the `v8` crate (feature `v8`). Its build downloads a prebuilt V8 (or reads
//! `RUSTY_V8_ARCHIVE`); where that is impossible, `DOCS_RS=1 cargo check --features v8`
//! type-checks this module without linking V8.
//!
//! One isolate per engine, one context per isolate.
//!
//! Startup snapshot: the first `eval` on a fresh engine (the bundle) does not run the bundle
//! in the engine's isolate. It looks the source up in a small process-wide cache of snapshots
//! (`V8_SNAPSHOTS_CACHED_MAX`); on a miss it runs the bundle once in a `SnapshotCreator`
//! isolate and serializes the resulting heap (compiled code kept). Then the engine's isolate is
//! replaced by one deserialized from that snapshot. So the bundle's top level runs once per
//! process, not once per shard, and every later engine (a new shard, a recycled engine) starts
//! with the app loaded at deserialization speed. [`snapshot`] and [`V8::from_snapshot`] expose
//! the same steps to a caller that wants to manage blobs itself. A bundle that throws or times
//! out during snapshotting is reported like any `eval` failure and not cached.
//!
//! Limits: the heap ceiling is V8's own (`CreateParams::heap_limits`). V8 aborts the process
//! when a heap stays at its limit, so a near-heap-limit callback raises the limit enough for
//! the script to unwind, terminates execution, and marks the engine unusable. The deadline is
//! kept by a watchdog thread per engine holding an `IsolateHandle`: a call arms it with the
//! deadline, and when the deadline passes first it calls `terminate_execution`. After either,
//! the termination is cancelled so the isolate can run again.
//!
//! Microtasks: the policy is explicit, and every `call` ends with a microtask checkpoint inside
//! the same deadline. Reactions cut off by a timeout stay queued and run at the next call's
//! checkpoint (V8 has no public way to drop them).
#![allow(unsafe_code)]

use std::collections::VecDeque;
use std::ffi::c_void;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, Once, PoisonError};
use std::thread::JoinHandle;
use std::time::Instant;

use crate::{Engine, EngineError, EngineKind, Limits, deadline_after};

use bext_core::limits::V8_SNAPSHOTS_CACHED_MAX;

/// How much the near-heap-limit callback raises the limit by, as a fraction of it, so that a
/// terminated script can unwind without V8 declaring a fatal out-of-memory.
const HEAP_LIMIT_UNWIND_DIVISOR: usize = 4;

pub struct V8 {
    /// `None` only between dropping an isolate and building its replacement.
    isolated: Option<Isolated>,
    limits: Limits,
    broken: Option<String>,
    loaded: bool,
    heap_bytes: usize,
}

/// An isolate with its context, watchdog and heap guard.
///
/// rusty_v8 enters an isolate when it is created and exits it when dropped, and asserts that
/// isolates on a thread are dropped in reverse order of creation. A shard recycles engines in
/// any order (a replacement is usually made before the old engine is dropped), so each
/// isolate is exited right after it is built and entered only while it is used, including
/// while it is dropped.
struct Isolated {
    // Fields drop in order: the watchdog thread stops, the context handle goes, then the
    // isolate; the heap guard outlives the isolate whose callback points at it.
    watchdog: Watchdog,
    context: v8::Global<v8::Context>,
    isolate: v8::OwnedIsolate,
    heap_guard: Box<HeapGuard>,
}

impl Isolated {
    fn build(limits: Limits, blob: Option<Vec<u8>>) -> Result<Isolated, EngineError> {
        initialize_v8();
        let mut params = v8::CreateParams::default().heap_limits(0, limits.heap_bytes_max);
        if let Some(blob) = blob {
            params = params.snapshot_blob(v8::StartupData::from(blob));
        }
        // Entered from here until `exit` below (or dropped while still entered on error).
        let mut isolate = v8::Isolate::new(params);
        isolate.set_microtasks_policy(v8::MicrotasksPolicy::Explicit);
        let heap_guard = HeapGuard::install(&mut isolate);
        let watchdog = match Watchdog::spawn(isolate.thread_safe_handle()) {
            Ok(watchdog) => watchdog,
            Err(e) => {
                // The isolate goes first: its callback points at the guard.
                drop(isolate);
                drop(heap_guard);
                return Err(e);
            }
        };
        let context = {
            let scope = pin!(v8::HandleScope::new(&mut isolate));
            let scope = &mut scope.init();
            let context = v8::Context::new(scope, Default::default());
            v8::Global::new(scope, context)
        };
        // SAFETY: the isolate was entered by its creation and is the current one (nothing was
        // entered since); exiting restores whatever was current before.
        unsafe { isolate.exit() };
        Ok(Isolated {
            watchdog,
            context,
            isolate,
            heap_guard,
        })
    }

    fn enter(&self) {
        // SAFETY: entering a live isolate; paired with `exit` by every caller.
        unsafe { self.isolate.enter() }
    }

    /// V8's used heap plus external memory now.
    fn heap_bytes(&mut self) -> usize {
        self.enter();
        let stats = self.isolate.get_heap_statistics();
        self.exit();
        stats.used_heap_size() + stats.external_memory()
    }

    fn exit(&self) {
        // SAFETY: called after `enter` on this thread with nothing else entered in between,
        // so this isolate is the current one.
        unsafe { self.isolate.exit() }
    }
}

impl Drop for Isolated {
    fn drop(&mut self) {
        // OwnedIsolate's drop exits the isolate and asserts it is the current one.
        self.enter();
    }
}

impl V8 {
    /// An engine with an empty context; its first `eval` loads through the snapshot cache.
    pub fn new(limits: Limits) -> Result<V8, EngineError> {
        let mut isolated = Isolated::build(limits, None)?;
        let heap_bytes = isolated.heap_bytes();
        Ok(V8 {
            isolated: Some(isolated),
            limits,
            broken: None,
            loaded: false,
            heap_bytes,
        })
    }

    /// An engine whose context starts as the snapshot left it (see [`snapshot`]).
    pub fn from_snapshot(blob: &[u8], limits: Limits) -> Result<V8, EngineError> {
        let mut isolated = Isolated::build(limits, Some(blob.to_vec()))?;
        let heap_bytes = isolated.heap_bytes();
        Ok(V8 {
            isolated: Some(isolated),
            limits,
            broken: None,
            loaded: true,
            heap_bytes,
        })
    }

    fn ready(&mut self) -> Result<&mut Isolated, EngineError> {
        if let Some(why) = &self.broken {
            return Err(EngineError::Unusable(why.clone()));
        }
        self.isolated
            .as_mut()
            .ok_or_else(|| EngineError::Unusable("no isolate".into()))
    }

    /// Loads a bundle through the snapshot cache: the current (empty) isolate is replaced by
    /// one deserialized from the bundle's snapshot.
    fn load_from_snapshot(&mut self, source: &str, name: &str) -> Result<(), EngineError> {
        self.loaded = true;
        let blob = cached_snapshot(source, name, self.limits)?;
        self.isolated = None;
        match Isolated::build(self.limits, Some(blob.to_vec())) {
            Ok(mut isolated) => {
                self.heap_bytes = isolated.heap_bytes();
                self.isolated = Some(isolated);
                Ok(())
            }
            Err(e) => {
                self.broken = Some(e.to_string());
                Err(e)
            }
        }
    }
}

impl Engine for V8 {
    fn kind(&self) -> EngineKind {
        EngineKind::V8
    }

    fn eval(&mut self, source: &str, name: &str) -> Result<(), EngineError> {
        if !self.loaded {
            self.ready()?;
            return self.load_from_snapshot(source, name);
        }
        let limits = self.limits;
        let isolated = self.ready()?;
        isolated.enter();
        isolated.watchdog.arm(deadline_after(&limits));
        let outcome = {
            let scope = pin!(v8::HandleScope::new(&mut isolated.isolate));
            let scope = &mut scope.init();
            let context = v8::Local::new(scope, &isolated.context);
            let scope = &mut v8::ContextScope::new(scope, context);
            let tc = pin!(v8::TryCatch::new(scope));
            let tc = &mut tc.init();
            let ran = run_script(tc, source, name);
            let outcome = if ran { Ok(()) } else { Err(caught(tc)) };
            tc.perform_microtask_checkpoint();
            outcome
        };
        self.finish(outcome)
    }

    fn call(
        &mut self,
        function: &str,
        arg: &str,
        out: &mut Vec<String>,
    ) -> Result<(), EngineError> {
        let limits = self.limits;
        let isolated = self.ready()?;
        isolated.enter();
        isolated.watchdog.arm(deadline_after(&limits));
        let outcome = {
            let scope = pin!(v8::HandleScope::new(&mut isolated.isolate));
            let scope = &mut scope.init();
            let context = v8::Local::new(scope, &isolated.context);
            let scope = &mut v8::ContextScope::new(scope, context);
            let tc = pin!(v8::TryCatch::new(scope));
            let tc = &mut tc.init();
            let global = context.global(tc);
            let callee = v8::String::new(tc, function)
                .and_then(|key| global.get(tc, key.into()))
                .and_then(|value| v8::Local::<v8::Function>::try_from(value).ok());
            match callee {
                None if tc.has_caught() => Err(caught(tc)),
                None => Err(Failure::NoSuchFunction(function.to_owned())),
                Some(callee) => match v8::String::new(tc, arg) {
                    None => Err(Failure::Exception {
                        message: "RangeError: argument too long for a V8 string".into(),
                        stack: String::new(),
                    }),
                    Some(arg) => {
                        let receiver = v8::undefined(tc).into();
                        let called = callee
                            .call(tc, receiver, &[arg.into()])
                            .ok_or_else(|| caught(tc));
                        // Reactions run after a throw too, as in JSC (and in QuickJS here).
                        tc.perform_microtask_checkpoint();
                        called.and_then(|result| append_result(tc, result, out))
                    }
                },
            }
        };
        self.finish(outcome)
    }

    fn is_usable(&self) -> bool {
        self.broken.is_none() && self.isolated.is_some()
    }

    /// V8's used heap plus external memory, as of the end of the last call.
    fn heap_bytes(&self) -> usize {
        self.heap_bytes
    }
}

impl V8 {
    /// Classifies a finished eval/call (whose isolate is entered), limits first, and leaves the
    /// isolate able to run again and exited.
    fn finish(&mut self, outcome: Result<(), Failure>) -> Result<(), EngineError> {
        let Some(isolated) = self.isolated.as_mut() else {
            return Err(EngineError::Unusable("no isolate".into()));
        };
        let timed_out = isolated.watchdog.disarm();
        let heap_hit = isolated.heap_guard.hit.load(Ordering::Relaxed);
        if timed_out || heap_hit {
            // The termination may have landed after the script returned; it must not hit the
            // next call.
            isolated.isolate.cancel_terminate_execution();
        }
        let stats = isolated.isolate.get_heap_statistics();
        self.heap_bytes = stats.used_heap_size() + stats.external_memory();
        isolated.exit();
        if heap_hit {
            self.broken = Some("heap limit was hit".into());
            return Err(EngineError::OutOfMemory);
        }
        if timed_out {
            return Err(EngineError::Timeout);
        }
        outcome.map_err(Failure::into_error)
    }
}

/// Runs `source` as a classic script in the current context; false if it threw (the caller's
/// TryCatch holds the exception).
fn run_script(scope: &mut v8::PinScope<'_, '_>, source: &str, name: &str) -> bool {
    let (Some(code), Some(resource)) =
        (v8::String::new(scope, source), v8::String::new(scope, name))
    else {
        return false;
    };
    let origin = v8::ScriptOrigin::new(
        scope,
        resource.into(),
        0,
        0,
        false,
        0,
        None,
        false,
        false,
        false,
        None,
    );
    v8::Script::compile(scope, code, Some(&origin))
        .and_then(|script| script.run(scope))
        .is_some()
}

/// Appends `value` per `Engine::call`.
fn append_result(
    scope: &mut v8::PinScope<'_, '_>,
    value: v8::Local<'_, v8::Value>,
    out: &mut Vec<String>,
) -> Result<(), Failure> {
    if value.is_null_or_undefined() {
        return Ok(());
    }
    let Ok(array) = v8::Local::<v8::Array>::try_from(value) else {
        out.push(string_of(scope, value)?);
        return Ok(());
    };
    let length = array.length();
    out.reserve(length as usize);
    for index in 0..length {
        let element = array
            .get_index(scope, index)
            .ok_or_else(thrown_during_conversion)?;
        out.push(string_of(scope, element)?);
    }
    Ok(())
}

/// `String(value)`; lone surrogates become U+FFFD.
fn string_of(
    scope: &mut v8::PinScope<'_, '_>,
    value: v8::Local<'_, v8::Value>,
) -> Result<String, Failure> {
    let string = value
        .to_string(scope)
        .ok_or_else(thrown_during_conversion)?;
    Ok(string.to_rust_string_lossy(scope))
}

fn thrown_during_conversion() -> Failure {
    Failure::Exception {
        message: "TypeError: result could not be converted to a string".into(),
        stack: String::new(),
    }
}

/// The exception a TryCatch holds, as text.
fn caught(tc: &mut v8::PinnedRef<'_, v8::TryCatch<'_, '_, v8::HandleScope<'_>>>) -> Failure {
    let Some(exception) = tc.exception() else {
        // A termination has no exception value; `finish` reports it from its own flags.
        return Failure::Exception {
            message: "execution terminated".into(),
            stack: String::new(),
        };
    };
    let message = exception
        .to_string(tc)
        .map(|s| s.to_rust_string_lossy(tc))
        .unwrap_or_else(|| "<exception not printable>".into());
    let stack = tc
        .stack_trace()
        .filter(|s| s.is_string())
        .and_then(|s| s.to_string(tc))
        .map(|s| s.to_rust_string_lossy(tc))
        .unwrap_or_default();
    Failure::Exception { message, stack }
}

enum Failure {
    Exception { message: String, stack: String },
    NoSuchFunction(String),
}

impl Failure {
    fn into_error(self) -> EngineError {
        match self {
            Failure::Exception { message, stack } => EngineError::Exception { message, stack },
            Failure::NoSuchFunction(name) => EngineError::NoSuchFunction(name),
        }
    }
}

/// Runs `source` in a snapshot-creating isolate under `limits` and returns the serialized heap,
/// for [`V8::from_snapshot`].
pub fn snapshot(source: &str, name: &str, limits: Limits) -> Result<Vec<u8>, EngineError> {
    initialize_v8();
    let params = v8::CreateParams::default().heap_limits(0, limits.heap_bytes_max);
    // From here to `create_blob` nothing may return early: rusty_v8 panics when a snapshot
    // creator is dropped without making its blob.
    let mut creator = v8::Isolate::snapshot_creator(None, Some(params));
    let heap_guard = HeapGuard::install(&mut creator);
    let mut watchdog = Watchdog::spawn(creator.thread_safe_handle());
    let outcome = {
        let scope = pin!(v8::HandleScope::new(&mut creator));
        let scope = &mut scope.init();
        let context = v8::Context::new(scope, Default::default());
        let scope = &mut v8::ContextScope::new(scope, context);
        let outcome = match &mut watchdog {
            Err(e) => Err(e.clone()),
            Ok(watchdog) => {
                watchdog.arm(deadline_after(&limits));
                let tc = pin!(v8::TryCatch::new(scope));
                let tc = &mut tc.init();
                let ran = run_script(tc, source, name);
                let outcome = if ran {
                    Ok(())
                } else {
                    Err(caught(tc).into_error())
                };
                tc.perform_microtask_checkpoint();
                outcome
            }
        };
        // Even a failed run sets its context: the blob is made (and discarded) either way.
        scope.set_default_context(context);
        outcome
    };
    let timed_out = watchdog.as_mut().map(Watchdog::disarm).unwrap_or(false);
    drop(watchdog);
    let heap_hit = heap_guard.hit.load(Ordering::Relaxed);
    if timed_out || heap_hit {
        creator.cancel_terminate_execution();
    }
    let blob = creator.create_blob(v8::FunctionCodeHandling::Keep);
    // The creator isolate is gone; its callback can no longer run.
    drop(heap_guard);
    if heap_hit {
        return Err(EngineError::OutOfMemory);
    }
    if timed_out {
        return Err(EngineError::Timeout);
    }
    outcome?;
    blob.map(|blob| blob.to_vec())
        .ok_or_else(|| EngineError::Unusable("V8 could not serialize the snapshot".into()))
}

struct CachedSnapshot {
    name: String,
    source: Arc<str>,
    blob: Arc<Vec<u8>>,
}

static SNAPSHOTS: Mutex<VecDeque<CachedSnapshot>> = Mutex::new(VecDeque::new());

/// The snapshot of `source`, made on first use. Made outside the lock: two shards loading the
/// same bundle at once may both make it; one copy is kept.
fn cached_snapshot(source: &str, name: &str, limits: Limits) -> Result<Arc<Vec<u8>>, EngineError> {
    let hit = |cache: &VecDeque<CachedSnapshot>| {
        cache
            .iter()
            .find(|c| c.name == name && &*c.source == source)
            .map(|c| Arc::clone(&c.blob))
    };
    if let Some(blob) = hit(&SNAPSHOTS.lock().unwrap_or_else(PoisonError::into_inner)) {
        return Ok(blob);
    }
    let blob = Arc::new(snapshot(source, name, limits)?);
    let mut cache = SNAPSHOTS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(existing) = hit(&cache) {
        return Ok(existing);
    }
    if cache.len() >= V8_SNAPSHOTS_CACHED_MAX {
        cache.pop_front();
    }
    cache.push_back(CachedSnapshot {
        name: name.to_owned(),
        source: source.into(),
        blob: Arc::clone(&blob),
    });
    Ok(blob)
}

fn initialize_v8() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        v8::V8::initialize_platform(v8::new_default_platform(0, false).make_shared());
        v8::V8::initialize();
    });
}

/// What the near-heap-limit callback needs; boxed so its address is stable.
struct HeapGuard {
    hit: AtomicBool,
    isolate: v8::IsolateHandle,
}

impl HeapGuard {
    fn install(isolate: &mut v8::OwnedIsolate) -> Box<HeapGuard> {
        let guard = Box::new(HeapGuard {
            hit: AtomicBool::new(false),
            isolate: isolate.thread_safe_handle(),
        });
        let data: *const HeapGuard = &*guard;
        isolate.add_near_heap_limit_callback(near_heap_limit, data.cast_mut().cast());
        guard
    }
}

/// # Safety
/// `data` is the `HeapGuard` registered in `HeapGuard::install`; its owner keeps it alive
/// until after the isolate is disposed (field order in `Isolated`, explicit drop order in
/// `snapshot`), and the callback only reads it through atomics and a thread-safe handle.
unsafe extern "C" fn near_heap_limit(
    data: *mut c_void,
    current_heap_limit: usize,
    _initial: usize,
) -> usize {
    // SAFETY: the function's contract.
    let guard = unsafe { &*data.cast::<HeapGuard>() };
    guard.hit.store(true, Ordering::Relaxed);
    guard.isolate.terminate_execution();
    current_heap_limit.saturating_add(current_heap_limit / HEAP_LIMIT_UNWIND_DIVISOR)
}

/// A thread that terminates the isolate's script when an armed deadline passes.
struct Watchdog {
    shared: Arc<WatchShared>,
    thread: Option<JoinHandle<()>>,
}

struct WatchShared {
    state: Mutex<WatchState>,
    wake: Condvar,
}

#[derive(Default)]
struct WatchState {
    deadline: Option<Instant>,
    fired: bool,
    stop: bool,
}

impl Watchdog {
    fn spawn(isolate: v8::IsolateHandle) -> Result<Watchdog, EngineError> {
        let shared = Arc::new(WatchShared {
            state: Mutex::new(WatchState::default()),
            wake: Condvar::new(),
        });
        let theirs = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("bext-v8-watchdog".into())
            .spawn(move || watch(&theirs, &isolate))
            .map_err(|e| EngineError::Unusable(format!("V8 watchdog thread: {e}")))?;
        Ok(Watchdog {
            shared,
            thread: Some(thread),
        })
    }

    fn arm(&mut self, deadline: Instant) {
        let mut state = self
            .shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        state.deadline = Some(deadline);
        state.fired = false;
        self.shared.wake.notify_one();
    }

    /// Returns whether the deadline fired since `arm`.
    fn disarm(&mut self) -> bool {
        let mut state = self
            .shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        state.deadline = None;
        std::mem::take(&mut state.fired)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .stop = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn watch(shared: &WatchShared, isolate: &v8::IsolateHandle) {
    let mut state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        if state.stop {
            return;
        }
        state = match state.deadline {
            None => shared
                .wake
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner),
            Some(deadline) => {
                let now = Instant::now();
                if now >= deadline {
                    // Under the lock, so `disarm` sees `fired` for exactly the call it armed.
                    isolate.terminate_execution();
                    state.fired = true;
                    state.deadline = None;
                    continue;
                }
                shared
                    .wake
                    .wait_timeout(state, deadline - now)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0
            }
        };
    }
}
