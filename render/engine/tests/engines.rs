//! Every engine compiled into this build runs the same scripts and must give the same answers.
//!
//! A case is a list of calls made on one engine (loaded with [`PRELUDE`]) and the outcome of
//! each, written as text: `ok a|b` (the strings appended, `ok` alone for none), `throw <message>`,
//! `timeout`, `oom`, `nofn <name>`, `unusable`.

use std::time::Duration;

use bext_engine::{Engine, EngineError, EngineKind, Limits, available, create};

const PRELUDE: &str = r#"
function echo(s) { return s; }
function pair(s) { return [s, s.length, null, undefined, {toString() { return "obj"; }}]; }
function nothing() {}
function nil() { return null; }
function number() { return 4.5; }
function boom(s) { throw new TypeError("boom " + s); }
function throwString() { throw "plain"; }
function spin() { for (;;) {} }
function spinCaught() { try { for (;;) {} } catch (e) { return "caught"; } }
// Allocates for 2 s (8 of JavaScriptCore's watchdog periods: a fast machine must not finish
// the hog between two checks), bounded (about 1 GB) so that a broken limit fails the test
// instead of exhausting the machine.
var HOG_MS = 2000, HOG_ITEMS_MAX = 4000000;
function hog() {
  const a = [];
  const start = Date.now();
  for (let i = 0; i < HOG_ITEMS_MAX && (i % 4096 !== 0 || Date.now() - start < HOG_MS); i++) a.push("x".repeat(256) + i);
  return "survived";
}
var hoard = [];
function hogGlobal() {
  const start = Date.now();
  for (let i = 0; i < HOG_ITEMS_MAX && (i % 4096 !== 0 || Date.now() - start < HOG_MS); i++) hoard.push("x".repeat(256) + i);
  return "survived";
}
function grow() {
  for (let i = 0; i < 1000; i++) hoard.push("z".repeat(256) + i + Math.random());
  return hoard.length;
}
function hogCaught() { try { hog(); } catch (e) { return "caught"; } }
function deep(n) { return deep(n + 1) + 1; }
function deepCaught() { try { deep(0); } catch (e) { return e instanceof RangeError; } }
var outbox = [];
function later(s) { Promise.resolve(s).then(x => x + "!").then(x => outbox.push(x)); }
async function chain(s) {
  let v = s;
  for (let i = 0; i < 3; i++) v = await Promise.resolve(v + i);
  outbox.push(v);
}
function rejected() { Promise.reject(new Error("nobody listens")); return "fine"; }
function spinLater() { Promise.resolve().then(() => { for (;;) {} }); }
function laterThenThrow(s) { later(s); throw new Error("after queuing"); }
function drain() { const o = outbox; outbox = []; return o; }
function length(s) { return s.length; }
function codes(s) { return Array.from(s, c => c.codePointAt(0).toString(16)); }
function lone() { return ["\uD800", "a\uDC00b", "\uD83D\uDE00"]; }
var counter = 0;
function count() { counter += 1; return counter; }
"#;

/// A deadline far above the time any call here takes (the hogs reach their heap limit in well
/// under a second unloaded), so a heap limit, or the call's own end, always comes first, even on
/// a loaded machine.
fn limits() -> Limits {
    Limits {
        heap_bytes_max: 48 * 1024 * 1024,
        call_timeout: Duration::from_secs(30),
    }
}

/// For the deadline tests: only an infinite loop (which allocates nothing) reaches this
/// deadline; the prelude and the calls after the loop take well under a millisecond.
fn loop_limits() -> Limits {
    Limits {
        call_timeout: Duration::from_secs(1),
        ..limits()
    }
}

fn fresh(kind: EngineKind) -> Box<dyn Engine> {
    fresh_with(kind, limits())
}

fn fresh_with(kind: EngineKind, limits: Limits) -> Box<dyn Engine> {
    let mut engine = match create(kind, limits) {
        Ok(engine) => engine,
        Err(e) => panic!("{}: create: {e}", kind.name()),
    };
    if let Err(e) = engine.eval(PRELUDE, "prelude.js") {
        panic!("{}: prelude: {e}", kind.name());
    }
    engine
}

fn outcome(engine: &mut dyn Engine, function: &str, arg: &str) -> String {
    let mut out = Vec::new();
    match engine.call(function, arg, &mut out) {
        Ok(()) if out.is_empty() => "ok".to_owned(),
        Ok(()) => format!("ok {}", out.join("|")),
        Err(EngineError::Exception { message, .. }) => {
            format!("throw {}", message.trim_end_matches('.'))
        }
        Err(EngineError::Timeout) => "timeout".to_owned(),
        Err(EngineError::OutOfMemory) => "oom".to_owned(),
        Err(EngineError::NoSuchFunction(name)) => format!("nofn {name}"),
        Err(EngineError::Unusable(_)) => "unusable".to_owned(),
    }
}

/// Makes `calls` in order on one fresh engine of every kind and compares the outcomes.
fn check(calls: &[(&str, &str)], expect: &[&str]) {
    check_with(limits(), calls, expect);
}

/// [`check`] on engines created with `limits`.
fn check_with(limits: Limits, calls: &[(&str, &str)], expect: &[&str]) {
    assert_eq!(calls.len(), expect.len(), "one expectation per call");
    for &kind in available() {
        let mut engine = fresh_with(kind, limits);
        let got: Vec<String> = calls
            .iter()
            .map(|(function, arg)| outcome(engine.as_mut(), function, arg))
            .collect();
        assert_eq!(got, expect, "engine {}, calls {calls:?}", kind.name());
    }
}

#[test]
fn results_are_converted_to_strings() {
    check(&[("echo", "hi")], &["ok hi"]);
    check(&[("echo", "")], &["ok "]);
    check(&[("pair", "abc")], &["ok abc|3|null|undefined|obj"]);
    check(&[("nothing", "")], &["ok"]);
    check(&[("nil", "")], &["ok"]);
    check(&[("number", "")], &["ok 4.5"]);
    check(&[("missing", "")], &["nofn missing"]);
    check(&[("counter", "")], &["nofn counter"]);
}

#[test]
fn promise_reactions_run_before_call_returns() {
    check(&[("later", "a"), ("drain", "")], &["ok", "ok a!"]);
    // An async function returns its promise, which `String` prints as such.
    check(
        &[("chain", "x"), ("drain", "")],
        &["ok [object Promise]", "ok x012"],
    );
    check(
        &[("later", "a"), ("chain", "b"), ("drain", "")],
        &["ok", "ok [object Promise]", "ok a!|b012"],
    );
    // Reactions queued before a throw still run, as they do in JSC and V8.
    check(
        &[("laterThenThrow", "t"), ("drain", "")],
        &["throw Error: after queuing", "ok t!"],
    );
    // An unhandled rejection is not the call's failure.
    check(
        &[("rejected", ""), ("echo", "next")],
        &["ok fine", "ok next"],
    );
}

#[test]
fn exceptions_keep_the_engine_usable() {
    check(
        &[("boom", "1"), ("count", "")],
        &["throw TypeError: boom 1", "ok 1"],
    );
    check(
        &[("throwString", ""), ("count", "")],
        &["throw plain", "ok 1"],
    );
}

#[test]
fn exceptions_carry_a_stack() {
    for &kind in available() {
        let mut engine = fresh(kind);
        match engine.call("boom", "s", &mut Vec::new()) {
            Err(EngineError::Exception { message, stack }) => {
                assert_eq!(message, "TypeError: boom s", "{}", kind.name());
                assert!(stack.contains("boom"), "{}: stack {stack:?}", kind.name());
                assert!(
                    stack.contains("prelude.js"),
                    "{}: stack {stack:?}",
                    kind.name()
                );
            }
            other => panic!("{}: {other:?}", kind.name()),
        }
    }
}

#[test]
fn eval_reports_syntax_errors_and_exceptions() {
    for &kind in available() {
        let mut engine = fresh(kind);
        let syntax = engine.eval("function (", "broken.js");
        assert!(
            matches!(syntax, Err(EngineError::Exception { .. })),
            "{}: {syntax:?}",
            kind.name()
        );
        let thrown = engine.eval("throw new Error('at load')", "throws.js");
        match thrown {
            Err(EngineError::Exception { message, .. }) => assert_eq!(message, "Error: at load"),
            other => panic!("{}: {other:?}", kind.name()),
        }
        assert!(engine.is_usable());
        assert_eq!(outcome(engine.as_mut(), "echo", "still"), "ok still");
    }
}

#[test]
fn infinite_loop_times_out_and_the_next_call_works() {
    check_with(
        loop_limits(),
        &[("spin", ""), ("echo", "after")],
        &["timeout", "ok after"],
    );
    // The interrupt cannot be caught by the script.
    check_with(
        loop_limits(),
        &[("spinCaught", ""), ("count", "")],
        &["timeout", "ok 1"],
    );
    // A loop in a promise reaction is under the same deadline.
    check_with(
        loop_limits(),
        &[("spinLater", ""), ("count", "")],
        &["timeout", "ok 1"],
    );
}

#[test]
fn runaway_allocation_is_out_of_memory_and_the_engine_is_recycled() {
    for &kind in available() {
        for hog in ["hog", "hogCaught", "hogGlobal"] {
            let mut engine = fresh(kind);
            let name = format!("{} {hog}", kind.name());
            assert_eq!(outcome(engine.as_mut(), hog, ""), "oom", "{name}");
            // No engine is trusted after its heap limit, even when the script caught the error
            // or the data became garbage: the caller recycles it.
            assert!(!engine.is_usable(), "{name}");
            assert_eq!(outcome(engine.as_mut(), "echo", "x"), "unusable", "{name}");
            // Regression: dropping a QuickJS runtime that hit its limit could abort the process
            // (JS_FreeRuntime asserts on the objects its OOM paths leak).
            drop(engine);
            engine = fresh(kind);
            assert_eq!(
                outcome(engine.as_mut(), "echo", "again"),
                "ok again",
                "{name}"
            );
        }
    }
}

#[test]
fn many_short_calls_that_grow_the_heap_end_in_out_of_memory() {
    // Each call stays well under a watchdog period, so only the checks between calls can see
    // the heap pass its limit (about 160 calls of 300 KB for 48 MB).
    for &kind in available() {
        let mut engine = fresh(kind);
        let mut outcomes = Vec::new();
        for _ in 0..1000 {
            let got = outcome(engine.as_mut(), "grow", "");
            let done = !got.starts_with("ok");
            outcomes.push(got);
            if done {
                break;
            }
        }
        assert_eq!(
            outcomes.last().map(String::as_str),
            Some("oom"),
            "{}",
            kind.name()
        );
        assert!(!engine.is_usable(), "{}", kind.name());
    }
}

#[test]
fn deep_recursion_is_an_error_not_a_crash() {
    // Engines word the RangeError differently; what matters is that it is one and is catchable.
    check(&[("deepCaught", ""), ("count", "")], &["ok true", "ok 1"]);
    for &kind in available() {
        let mut engine = fresh(kind);
        let got = outcome(engine.as_mut(), "deep", "0");
        assert!(
            got.starts_with("throw RangeError"),
            "{}: {got}",
            kind.name()
        );
        assert_eq!(outcome(engine.as_mut(), "count", ""), "ok 1");
    }
}

#[test]
fn unicode_round_trips() {
    check(&[("echo", "héllo → 世界 😀")], &["ok héllo → 世界 😀"]);
    // Lengths are UTF-16 code units, so the string arrived as UTF-16 in the engine.
    check(&[("length", "😀")], &["ok 2"]);
    check(&[("codes", "a😀é")], &["ok 61|1f600|e9"]);
    // Lone surrogates have no UTF-8 form: they come out as U+FFFD, never a panic.
    check(&[("lone", "")], &["ok \u{FFFD}|a\u{FFFD}b|😀"]);
}

#[test]
fn heap_bytes_grows_with_the_heap() {
    for &kind in available() {
        let mut engine = fresh(kind);
        let before = engine.heap_bytes();
        assert!(before > 0, "{}", kind.name());
        engine
            .eval(
                "var big = []; for (let i = 0; i < 20000; i++) big.push('y'.repeat(100) + i);",
                "big.js",
            )
            .unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        assert!(
            engine.heap_bytes() > before + 1_000_000,
            "{}: {before} -> {}",
            kind.name(),
            engine.heap_bytes()
        );
    }
}

#[test]
fn available_lists_quickjs_and_create_knows_every_kind() {
    assert!(available().contains(&EngineKind::QuickJs));
    assert_eq!(
        available().last(),
        Some(&EngineKind::QuickJs),
        "the slowest comes last"
    );
    for kind in [
        EngineKind::QuickJs,
        EngineKind::JavaScriptCore,
        EngineKind::V8,
    ] {
        let made = create(kind, limits());
        assert_eq!(made.is_ok(), available().contains(&kind), "{}", kind.name());
    }
}
