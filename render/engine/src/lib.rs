//! JavaScript engines behind one small trait.
//!
//! The renderer talks to an engine through strings only: it evaluates the compiled bundle once,
//! then calls global functions that take one string and return strings. Keeping the surface this
//! narrow is what lets three very different engines (QuickJS through rquickjs, JavaScriptCore
//! through its C API, V8 through the `v8` crate) sit behind it, and keeps every value conversion
//! on the engine's side of the fence: no engine's handle types, scopes or GC rules leak out, a
//! render's input is one JSON message and its output a flat array of strings (see the render
//! protocol in `bext-render`), and a test written once runs unchanged on every engine
//! (`tests/engines.rs`).
//!
//! Every engine is created on the shard thread that uses it and never leaves it (`!Send` is
//! fine). Every call runs under the engine's [`Limits`]: a heap ceiling and a deadline checked by
//! an interrupt. A call that exceeds either returns [`EngineError::Timeout`] or
//! [`EngineError::OutOfMemory`]; afterwards [`Engine::is_usable`] says whether the engine may be
//! called again or must be replaced (recycled) by the caller. The rule for all three: after a
//! timeout the engine stays usable; after the heap limit it never does.
//!
//! How each engine enforces the limits (details in each module's doc):
//!
//! | engine | heap ceiling | deadline | promise jobs |
//! |---|---|---|---|
//! | [`quickjs`] | our allocator refuses past the limit and remembers it | interrupt handler polled by the interpreter | drained by `call`, under the deadline |
//! | `jsc` | estimate from this thread's page faults, checked by the watchdog; exact after a GC | JSC watchdog callback (re-armed by hand) | JSC drains them as the call returns |
//! | `v8` | V8's own (`heap_limits`) + a near-limit callback that terminates | watchdog thread calling `terminate_execution` | explicit checkpoint after each call |
//!
//! The QuickJS out-of-memory problem: when an allocation fails, QuickJS can leak reference
//! counts on its error paths, and `JS_FreeRuntime` asserts that no object is left and aborts
//! the process, so dropping a runtime that hit its limit could kill the shard. The QuickJS
//! backend therefore allocates through its own heap ([`quickjs`]'s `heap` module), which links
//! every block it hands out: a runtime that ever hit its limit is never given to
//! `JS_FreeRuntime`; its rquickjs handles are forgotten and the heap frees every block at once.
//! Nothing of the JS heap leaks ([`quickjs::leaked_heap_bytes`] stays 0; only rquickjs's few
//! hundred bytes of Rust-side bookkeeping do), and asserts stay on.
//!
//! `unsafe` is denied crate-wide and allowed only in the modules that cross into C: the QuickJS
//! heap, the JSC FFI and the V8 heap-limit callback, each block with a `// SAFETY:` note.

#![deny(unsafe_code)]

#[cfg(bext_jsc)]
pub mod jsc;
pub mod quickjs;
#[cfg(feature = "v8")]
pub mod v8;

use std::time::{Duration, Instant};

/// Which engine implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EngineKind {
    QuickJs,
    JavaScriptCore,
    V8,
}

impl EngineKind {
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::QuickJs => "quickjs",
            EngineKind::JavaScriptCore => "jsc",
            EngineKind::V8 => "v8",
        }
    }
}

/// Bounds every engine enforces on the code it runs.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Most bytes the engine's heap may hold; an allocation past it fails the call.
    pub heap_bytes_max: usize,
    /// Longest one [`Engine::call`] (including the jobs it queues) may run.
    pub call_timeout: Duration,
}

/// Why a call failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineError {
    /// The script threw; `message` is the exception's string form, `stack` its stack if any.
    Exception { message: String, stack: String },
    /// The call ran past its deadline and was interrupted.
    Timeout,
    /// The heap ceiling was hit.
    OutOfMemory,
    /// The named global function does not exist or is not callable.
    NoSuchFunction(String),
    /// The engine could not be created or is broken beyond use.
    Unusable(String),
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EngineError::Exception { message, .. } => write!(f, "uncaught exception: {message}"),
            EngineError::Timeout => f.write_str("script exceeded its deadline"),
            EngineError::OutOfMemory => f.write_str("script exceeded its heap limit"),
            EngineError::NoSuchFunction(name) => write!(f, "no global function {name}"),
            EngineError::Unusable(why) => write!(f, "engine unusable: {why}"),
        }
    }
}

impl std::error::Error for EngineError {}

/// One JavaScript engine instance, owned by one thread.
pub trait Engine {
    fn kind(&self) -> EngineKind;

    /// Evaluates `source` as a classic script in the global scope (the compiled bundle).
    /// `name` shows up in stack traces.
    fn eval(&mut self, source: &str, name: &str) -> Result<(), EngineError>;

    /// Calls the global function `function` with the single string `arg`, then runs queued
    /// jobs (promise reactions) until none is left, all before the deadline.
    ///
    /// The function's return value is appended to `out`: an array is appended element by
    /// element (each converted with `String(x)`), `undefined`/`null` append nothing, anything
    /// else is appended as `String(x)`.
    fn call(&mut self, function: &str, arg: &str, out: &mut Vec<String>)
    -> Result<(), EngineError>;

    /// False once a failure has left the engine unfit for further calls; the caller drops it
    /// and creates a new one.
    fn is_usable(&self) -> bool;

    /// Bytes the engine's heap holds now (an estimate where the engine gives no exact figure).
    fn heap_bytes(&self) -> usize;
}

/// Returns the deadline for a call starting now.
pub fn deadline_after(limits: &Limits) -> Instant {
    Instant::now() + limits.call_timeout
}

/// Creates an engine of `kind`; an engine not compiled into this build is `Unusable`.
pub fn create(kind: EngineKind, limits: Limits) -> Result<Box<dyn Engine>, EngineError> {
    match kind {
        EngineKind::QuickJs => Ok(Box::new(quickjs::QuickJs::new(limits)?)),
        #[cfg(bext_jsc)]
        EngineKind::JavaScriptCore => Ok(Box::new(jsc::Jsc::new(limits)?)),
        #[cfg(not(bext_jsc))]
        EngineKind::JavaScriptCore => Err(EngineError::Unusable("jsc is not compiled in".into())),
        #[cfg(feature = "v8")]
        EngineKind::V8 => Ok(Box::new(v8::V8::new(limits)?)),
        #[cfg(not(feature = "v8"))]
        EngineKind::V8 => Err(EngineError::Unusable("v8 is not compiled in".into())),
    }
}

/// The engines compiled into this build, fastest first (`auto` takes the first).
pub fn available() -> &'static [EngineKind] {
    &[
        #[cfg(feature = "v8")]
        EngineKind::V8,
        #[cfg(bext_jsc)]
        EngineKind::JavaScriptCore,
        EngineKind::QuickJs,
    ]
}
