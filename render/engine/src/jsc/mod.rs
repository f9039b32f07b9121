//! JavaScriptCore through its C API (Debian's `libjavascriptcoregtk-4.1`): a JIT engine, the
//! fastest one that builds here from system packages.
//!
//! Deadline: JSC's watchdog (`JSContextGroupSetExecutionTimeLimit`) calls back every
//! [`WATCHDOG_PERIOD`] of uninterrupted script execution; the callback compares the call's
//! deadline with `Instant::now()` and terminates the script when it has passed. Termination
//! unwinds cleanly and the context stays usable.
//!
//! Memory: JSC has no per-VM heap limit, and its heap statistics are only current right after a
//! collection, so they cannot see a runaway allocation as it happens. The limit is enforced
//! from cheap operating-system readings instead: the engine keeps its heap as last measured
//! (after a full collection) and estimates its growth since as the minor page faults of its own
//! thread (`getrusage(RUSAGE_THREAD)`) times the bytes the process gained per fault over the
//! same span (`/proc/self/statm`, `getrusage(RUSAGE_SELF)`; never less than a page).
//! Per-thread faults are what make the estimate this engine's own: other shards growing or
//! shrinking change the bytes-per-fault ratio, not the fault count. The watchdog terminates a
//! script whose estimate passes the limit, so an overrun is caught within one watchdog period,
//! and marks the engine unusable (the caller recycles it, as with every engine). Between long
//! calls the estimate drifts (garbage the collector has since freed still counts), so once it
//! has grown by a quarter of the limit after a call, the engine collects garbage, measures its
//! heap exactly (`JSGetMemoryUsageStatistics`) and starts the estimate afresh; a heap still
//! past the limit then fails that call and marks the engine unusable, which catches many short
//! calls that each stay under the watchdog period. Limits of the approach: memory JSC
//! allocates for this VM on its helper threads (JIT code, GC side tables) is not counted, and
//! without `/proc` the limit is not enforced at all.
//!
//! Tiers: JSC's top tier, the FTL, is off (`useFTLJIT`, set once per process before the first
//! VM; `JSC_useFTLJIT=1` in the environment turns it back on). A shard's JIT worker threads
//! share its core, and FTL compiles kept arriving long after warm-up, each taking the core
//! from the shard for tens of milliseconds: with the FTL, the ssr bench's /table/50 had a p99
//! of 50–100 ms against 5–7 ms without it, at the same throughput within noise (DFG code is
//! as fast for render code, which is string building). See the README's ssr figures.
//!
//! Microtasks: JSC drains its microtask queue when the outermost API call returns, so promise
//! reactions queued by a call have run by the time `call` returns; a reaction that overruns the
//! deadline is terminated like the call itself.

mod ffi;

use std::cell::Cell;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::rc::Rc;
use std::time::{Duration, Instant};

use bext_core::limits::JSC_WATCHDOG_PERIOD_MS;

use crate::{Engine, EngineError, EngineKind, Limits, deadline_after};
use ffi::{CallError, Context, Thrown};

pub use ffi::ftl_jit_enabled;

/// How often JSC's watchdog checks a running call: `JSC_WATCHDOG_PERIOD_MS` (its doc says why).
pub const WATCHDOG_PERIOD: Duration = Duration::from_millis(JSC_WATCHDOG_PERIOD_MS);

/// The process may grow by `heap_bytes_max / REMEASURE_GROWTH_DIVISOR` after a call before the
/// engine measures its heap exactly again (a full collection: rare, not free).
const REMEASURE_GROWTH_DIVISOR: usize = 4;

/// Minor page faults this thread takes after a call before the heap estimate is looked at
/// (1 MiB of fresh 4 KiB pages); keeps the check after each call to one `getrusage`.
const FAULTS_BETWEEN_CHECKS: usize = 256;

pub struct Jsc {
    // Dropped first: the watchdog closure holds a clone of `watch`.
    context: Context,
    watch: Rc<Watch>,
    limits: Limits,
    broken: Option<String>,
}

impl Jsc {
    pub fn new(limits: Limits) -> Result<Jsc, EngineError> {
        let mut context = Context::new()
            .ok_or_else(|| EngineError::Unusable("JSC context creation failed".into()))?;
        let watch = Rc::new(Watch::new(limits.heap_bytes_max));
        let handler = Rc::clone(&watch);
        context.set_watchdog(
            WATCHDOG_PERIOD.min(limits.call_timeout),
            Box::new(move || handler.on_tick()),
        );
        Ok(Jsc {
            context,
            watch,
            limits,
            broken: None,
        })
    }

    fn begin(&self) -> Result<(), EngineError> {
        if let Some(why) = &self.broken {
            return Err(EngineError::Unusable(why.clone()));
        }
        self.watch.arm(deadline_after(&self.limits));
        Ok(())
    }

    /// Turns a finished call's outcome into the trait's result, limits first: a terminated
    /// script surfaces as an exception, and a reaction terminated while JSC drained microtasks
    /// surfaces as nothing at all.
    fn finish(&mut self, outcome: Result<(), EngineError>) -> Result<(), EngineError> {
        self.watch.disarm();
        if self.watch.over_limit.get() {
            // Not reused, like every engine that went past its limit: the caller recycles it.
            self.broken = Some("heap estimate passed the limit".into());
            return Err(EngineError::OutOfMemory);
        }
        if self.watch.timed_out.get() {
            self.absorb_termination();
            return Err(EngineError::Timeout);
        }
        if self.watch.due_for_measurement() {
            // Outside script a full collection is safe, and only live data should count.
            self.context.collect_garbage_now();
            let heap = self.context.heap_bytes().unwrap_or(0);
            self.watch.measured(heap);
            if heap > self.limits.heap_bytes_max {
                self.broken = Some(format!("heap holds {heap} bytes after a collection"));
                return Err(EngineError::OutOfMemory);
            }
        }
        outcome
    }
}

impl Jsc {
    /// A script terminated while JSC drained microtasks (after the call proper returned)
    /// leaves the termination pending, and the next entry into JavaScript throws it instead of
    /// running. An empty script takes it; a second one proves the context runs again.
    fn absorb_termination(&mut self) {
        let _ = self.context.eval("", "bext:absorb-termination");
        if self.context.eval("", "bext:absorb-termination").is_err() {
            self.broken = Some("script termination did not clear".into());
        }
    }
}

impl Engine for Jsc {
    fn kind(&self) -> EngineKind {
        EngineKind::JavaScriptCore
    }

    fn eval(&mut self, source: &str, name: &str) -> Result<(), EngineError> {
        self.begin()?;
        let outcome = self.context.eval(source, name).map_err(exception);
        self.finish(outcome)
    }

    fn call(
        &mut self,
        function: &str,
        arg: &str,
        out: &mut Vec<String>,
    ) -> Result<(), EngineError> {
        self.begin()?;
        let outcome = self.context.call(function, arg, out).map_err(|e| match e {
            CallError::NoSuchFunction => EngineError::NoSuchFunction(function.to_owned()),
            CallError::Thrown(thrown) => exception(thrown),
        });
        self.finish(outcome)
    }

    fn is_usable(&self) -> bool {
        self.broken.is_none()
    }

    /// The estimate the limit is enforced with (see the module doc); without `/proc`, the heap
    /// as of JSC's last collection (a heap walk).
    fn heap_bytes(&self) -> usize {
        match self.watch.estimate() {
            Some(bytes) => bytes,
            None => self.context.heap_bytes().unwrap_or(0),
        }
    }
}

fn exception(thrown: Thrown) -> EngineError {
    EngineError::Exception {
        message: thrown.message,
        stack: thrown.stack,
    }
}

/// State shared between the engine and its watchdog callback.
struct Watch {
    deadline: Cell<Option<Instant>>,
    timed_out: Cell<bool>,
    /// Set when the watchdog stopped a script for its heap estimate.
    over_limit: Cell<bool>,
    heap_bytes_max: usize,
    meter: Option<Meter>,
    /// The heap as last measured, and the readings taken then.
    heap_at_mark: Cell<usize>,
    mark: Cell<Reading>,
    /// This thread's fault count when `due_for_measurement` last looked past its prefilter.
    faults_checked: Cell<usize>,
}

impl Watch {
    fn new(heap_bytes_max: usize) -> Watch {
        let meter = Meter::open();
        let mark = meter.as_ref().and_then(Meter::read).unwrap_or_default();
        Watch {
            deadline: Cell::new(None),
            timed_out: Cell::new(false),
            over_limit: Cell::new(false),
            heap_bytes_max,
            meter,
            heap_at_mark: Cell::new(0),
            mark: Cell::new(mark),
            faults_checked: Cell::new(mark.thread_faults),
        }
    }

    fn arm(&self, deadline: Instant) {
        self.deadline.set(Some(deadline));
        self.timed_out.set(false);
        self.over_limit.set(false);
    }

    fn disarm(&self) {
        self.deadline.set(None);
    }

    /// The watchdog callback: true stops the script.
    fn on_tick(&self) -> bool {
        if self
            .deadline
            .get()
            .is_some_and(|deadline| Instant::now() >= deadline)
        {
            self.timed_out.set(true);
            return true;
        }
        if self
            .estimate()
            .is_some_and(|bytes| bytes > self.heap_bytes_max)
        {
            self.over_limit.set(true);
            return true;
        }
        false
    }

    /// This VM's heap now, estimated: as last measured plus this thread's share of the
    /// process's growth since.
    fn estimate(&self) -> Option<usize> {
        let meter = self.meter.as_ref()?;
        let now = meter.read()?;
        let mark = self.mark.get();
        let own_faults = now.thread_faults.saturating_sub(mark.thread_faults);
        let all_faults = now
            .process_faults
            .saturating_sub(mark.process_faults)
            .max(1);
        let bytes_per_fault = (now.resident_bytes.saturating_sub(mark.resident_bytes) / all_faults)
            .max(meter.page_bytes);
        Some(
            self.heap_at_mark
                .get()
                .saturating_add(own_faults.saturating_mul(bytes_per_fault)),
        )
    }

    /// Whether the estimate grew enough since the last measurement to measure again. Runs
    /// after every call, so it first asks only whether this thread faulted in a few more pages
    /// since it last looked (one `getrusage`).
    fn due_for_measurement(&self) -> bool {
        let Some(faults) = ffi::thread_minor_faults() else {
            return false;
        };
        if faults.saturating_sub(self.faults_checked.get()) < FAULTS_BETWEEN_CHECKS {
            return false;
        }
        self.faults_checked.set(faults);
        let Some(estimate) = self.estimate() else {
            return false;
        };
        estimate.saturating_sub(self.heap_at_mark.get())
            >= self.heap_bytes_max / REMEASURE_GROWTH_DIVISOR
    }

    fn measured(&self, heap: usize) {
        self.heap_at_mark.set(heap);
        if let Some(now) = self.meter.as_ref().and_then(Meter::read) {
            self.mark.set(now);
        }
    }
}

#[derive(Clone, Copy, Default)]
struct Reading {
    resident_bytes: usize,
    process_faults: usize,
    thread_faults: usize,
}

/// Memory readings: resident size from `/proc/self/statm` (kept open, one `pread`), minor page
/// faults of the process and of this thread from `getrusage`. The engine never leaves the
/// thread that created it, so the thread's faults are the engine's.
struct Meter {
    statm: File,
    page_bytes: usize,
}

impl Meter {
    fn open() -> Option<Meter> {
        Some(Meter {
            statm: File::open("/proc/self/statm").ok()?,
            page_bytes: ffi::page_bytes(),
        })
    }

    fn read(&self) -> Option<Reading> {
        let mut buf = [0u8; 128];
        // statm: size resident shared text lib data dt, in pages.
        let n = self.statm.read_at(&mut buf, 0).ok()?;
        let statm = std::str::from_utf8(buf.get(..n)?).ok()?;
        let resident_pages: usize = statm.split_ascii_whitespace().nth(1)?.parse().ok()?;
        Some(Reading {
            resident_bytes: resident_pages.checked_mul(self.page_bytes)?,
            process_faults: ffi::process_minor_faults()?,
            thread_faults: ffi::thread_minor_faults()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Jsc {
        let limits = Limits {
            heap_bytes_max: 256 << 20,
            call_timeout: Duration::from_secs(5),
        };
        Jsc::new(limits).expect("engine")
    }

    #[test]
    fn the_ftl_tier_is_off_unless_the_environment_says_otherwise() {
        let mut engine = engine();
        let mut out = Vec::new();
        engine
            .eval("function f(x) { return x + 1; }", "f.js")
            .expect("eval");
        engine.call("f", "1", &mut out).expect("call");
        assert_eq!(out, ["11"]);
        // JSC knows the option (a renamed one would be refused silently by the setter).
        let want = std::env::var("JSC_useFTLJIT").is_ok_and(|v| v != "0" && v != "false");
        assert_eq!(ftl_jit_enabled(), Some(want));
    }

    /// Strings out of JSC equal std's lossy decoding of the same UTF-16 units, long ones (past
    /// the bulk ASCII chunks) included: each case is some units and how often they repeat.
    #[test]
    fn strings_come_out_as_std_decodes_their_units() {
        let mut engine = engine();
        engine
            .eval(
                "function many(spec) { var s = JSON.parse(spec); return String.fromCharCode.apply(null, s.u).repeat(s.n); }",
                "units.js",
            )
            .expect("eval");
        let cases: &[(&[u16], usize)] = &[
            (&[0x61], 100_000),                           // ASCII, Latin-1 inside JSC
            (&[0xE9], 50_000), // é: two bytes each, past the first buffer
            (&[0x3C, 0x70, 0x3E, 0xE9], 3), // markup with Latin-1
            (&[0x4E2D, 0x6587], 1000), // CJK: three bytes each
            (&[0xD83D, 0xDE00], 1000), // 😀: a pair, four bytes
            (&[0x61, 0xD800], 1), // lone high surrogate at the end
            (&[0xDC00, 0x61], 1), // lone low surrogate first
            (&[0x61, 0xD800, 0x62, 0xD83D, 0xDE00], 100), // lone inside, then a pair
            (&[0x7F, 0x80, 0x7FF, 0x800, 0xFFFF], 10), // UTF-8 length boundaries
        ];
        for &(units, times) in cases {
            let spec = format!(r#"{{"u":{units:?},"n":{times}}}"#);
            let mut out = Vec::new();
            engine.call("many", &spec, &mut out).expect("call");
            let all: Vec<u16> = units
                .iter()
                .copied()
                .cycle()
                .take(units.len() * times)
                .collect();
            let want = String::from_utf16_lossy(&all);
            assert_eq!(out.len(), 1, "{spec}");
            assert!(
                out[0] == want,
                "{spec}: {} vs {} bytes",
                out[0].len(),
                want.len()
            );
        }
    }
}
