//! JavaScript engines behind one small trait.
//!
//! The renderer talks to an engine through strings only: it evaluates the compiled bundle once,
//! then calls global functions that take one string and return strings. Keeping the surface this
//! narrow is what lets three very different engines (QuickJS through rquickjs, JavaScriptCore
//! through its C API, V8 through the `v8` crate) sit behind it, and keeps every value conversion
//! on the engine's side of the fence.
//!
//! Every engine is created on the shard thread that uses it and never leaves it (`!Send` is
//! fine). Every call runs under the engine's [`Limits`]: a heap ceiling and a deadline checked by
//! an interrupt. A call that exceeds either returns [`EngineError::Timeout`] or
//! [`EngineError::OutOfMemory`]; afterwards [`Engine::is_usable`] says whether the engine may be
//! called again or must be replaced (recycled) by the caller.

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
    fn call(&mut self, function: &str, arg: &str, out: &mut Vec<String>) -> Result<(), EngineError>;

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
