//! QuickJS-specific behaviour: how a runtime that hit its heap limit is torn down.

use std::time::Duration;

use bext_engine::quickjs::{self, QuickJs};
use bext_engine::{Engine, EngineError, Limits};

fn limits(heap_bytes_max: usize) -> Limits {
    Limits {
        heap_bytes_max,
        call_timeout: Duration::from_secs(5),
    }
}

/// Allocates past the limit in ways that fail in different places of QuickJS: strings, plain
/// objects, closures, errors, promises with queued reactions, compiled code.
fn check(script: &str) {
    let abandoned = quickjs::runtimes_abandoned();
    let released = quickjs::heap_bytes_released_wholesale();
    let mut engine = match QuickJs::new(limits(4 * 1024 * 1024)) {
        Ok(engine) => engine,
        Err(e) => panic!("create: {e}"),
    };
    assert_eq!(
        engine.eval(&format!("function run() {{ {script} }}"), "oom.js"),
        Ok(())
    );
    assert_eq!(
        engine.call("run", "", &mut Vec::new()),
        Err(EngineError::OutOfMemory),
        "{script}"
    );
    // Unlike JSC, QuickJS never keeps an engine that hit the limit: its runtime is tainted.
    assert!(!engine.is_usable());
    drop(engine);
    // The runtime was not handed to JS_FreeRuntime (which can abort on what QuickJS's OOM
    // paths leak); what its heap still held went back in one sweep. Tests run in parallel,
    // so only growth is asserted.
    assert!(quickjs::runtimes_abandoned() > abandoned, "{script}");
    assert!(
        quickjs::heap_bytes_released_wholesale() > released,
        "{script}"
    );
    assert_eq!(quickjs::leaked_heap_bytes(), 0);
}

#[test]
fn a_runtime_that_hit_its_limit_is_released_wholesale() {
    check("const a = []; for (let i = 0; ; i++) a.push('x'.repeat(256) + i);");
    check(
        "const a = []; for (let i = 0; ; i++) a.push({ a: i, b: [1, 2, 3], c: { d: 'e' + i } });",
    );
    check("const a = []; for (let i = 0; ; i++) a.push(() => i);");
    check("const a = []; for (let i = 0; ; i++) a.push(new Error('e' + i));");
    check("const a = []; for (let i = 0; ; i++) a.push(Promise.resolve(i).then(x => [x]));");
    check(
        "const a = []; for (let i = 0; ; i++) a.push(eval('(function () { return ' + i + '; })'));",
    );
    check("try { const a = []; for (;;) a.push([1]); } catch (e) { return 'swallowed'; }");
}

#[test]
fn a_limit_too_small_to_create_the_context_is_an_error() {
    match QuickJs::new(limits(64 * 1024)) {
        Err(EngineError::Unusable(_)) => {}
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("a 64 KiB heap cannot hold a full context"),
    }
}
