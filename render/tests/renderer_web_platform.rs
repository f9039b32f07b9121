//! The runtime's TextEncoder/TextDecoder, atob/btoa, structuredClone, AbortController and
//! performance, as QuickJS (which has none of them) runs them. Expected values are what Node's
//! native implementations give for the same expressions, recorded with `node -e`.

mod renderer_support;

use bext_engine::EngineKind;
use renderer_support::*;

/// (expression, what Node prints).
const CASES: &[(&str, &str)] = &[
    (
        r#"Array.from(new TextEncoder().encode("é€😀")).join()"#,
        r#"195,169,226,130,172,240,159,152,128"#,
    ),
    (
        r#"Array.from(new TextEncoder().encode("a\ud800b")).join()"#,
        r#"97,239,191,189,98"#,
    ),
    (r#"new TextEncoder().encoding"#, r#"utf-8"#),
    (
        r#"JSON.stringify(new TextEncoder().encodeInto("h€llo", new Uint8Array(4)))"#,
        r#"{"read":2,"written":4}"#,
    ),
    (
        r#"new TextDecoder().decode(new Uint8Array([0xff, 0x41]))"#,
        r#"�A"#,
    ),
    (
        r#"new TextDecoder().decode(new Uint8Array([0xe2, 0x82, 0x41, 0xf0, 0x9f, 0x98, 0x80]))"#,
        r#"�A😀"#,
    ),
    (
        r#"new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69]))"#,
        r#"hi"#,
    ),
    (
        r#"new TextDecoder("utf-8", { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x68])).length"#,
        r#"2"#,
    ),
    (
        r#"new TextDecoder().decode(new Uint8Array([0xed, 0xa0, 0x80, 0x61]))"#,
        r#"���a"#,
    ),
    (
        r#"new TextDecoder().decode(new Uint8Array([0xc0, 0xaf, 0xf5, 0x62]))"#,
        r#"���b"#,
    ),
    (
        r#"new TextDecoder().decode(new TextEncoder().encode("round trip ✓ 𝄞"))"#,
        r#"round trip ✓ 𝄞"#,
    ),
    (
        r#"new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array([0xff]))"#,
        r#"throws TypeError"#,
    ),
    (r#"new TextDecoder("latin-9")"#, r#"throws RangeError"#),
    (r#"new TextDecoder("UTF8").encoding"#, r#"utf-8"#),
    (r#"btoa("hello")"#, r#"aGVsbG8="#),
    (r#"btoa("")"#, r#""#),
    (r#"btoa("ab")"#, r#"YWI="#),
    (r#"btoa("\u00ff\u00fe")"#, r#"//4="#),
    (r#"btoa("€")"#, r#"throws InvalidCharacterError"#),
    (r#"atob("aGVsbG8=")"#, r#"hello"#),
    (r#"atob(" aG Vs\nbG8 ")"#, r#"hello"#),
    (r#"atob("YWI")"#, r#"ab"#),
    (r#"atob("YQ=")"#, r#"throws InvalidCharacterError"#),
    (r#"atob("a")"#, r#"throws InvalidCharacterError"#),
    (r#"atob("a$b=")"#, r#"throws InvalidCharacterError"#),
    (
        r#"(() => { const a = { x: new Map([[1, { y: 2 }]]) }; a.self = a; const b = structuredClone(a); return b.self === b && b !== a && b.x.get(1).y; })()"#,
        r#"2"#,
    ),
    (
        r#"(() => { const d = new Date(5); const c = structuredClone({ d, r: /x/gi, s: new Set([1, 2]) }); return [c.d instanceof Date, c.d.getTime(), c.r.flags, c.s.size].join(); })()"#,
        r#"true,5,gi,2"#,
    ),
    (
        r#"(() => { const u = new Uint16Array([1, 2, 3]); const c = structuredClone(u); u[0] = 9; return c.join() + " " + c.constructor.name; })()"#,
        r#"1,2,3 Uint16Array"#,
    ),
    (r#"structuredClone(() => 1)"#, r#"throws DataCloneError"#),
    (
        r#"structuredClone({ f: Symbol("s") })"#,
        r#"throws DataCloneError"#,
    ),
    (
        r#"(() => { const e = structuredClone(new RangeError("bad")); return e instanceof RangeError && e.message; })()"#,
        r#"bad"#,
    ),
    (
        r#"(() => { const shared = { n: 1 }; const c = structuredClone([shared, shared]); return c[0] === c[1]; })()"#,
        r#"true"#,
    ),
    (r#"structuredClone([1, , 3]).length"#, r#"3"#),
    (
        r#"(() => { const c = new AbortController(); let seen = ""; c.signal.addEventListener("abort", (e) => { seen += e.type; }); c.signal.onabort = () => { seen += "+on"; }; c.abort(); c.abort(); return [c.signal.aborted, c.signal.reason.name, seen].join(); })()"#,
        r#"true,AbortError,abort+on"#,
    ),
    (
        r#"(() => { const c = new AbortController(); c.abort("why"); return c.signal.reason; })()"#,
        r#"why"#,
    ),
    (
        r#"(() => { const c = new AbortController(); try { c.signal.throwIfAborted(); return "ok"; } catch (e) { return "threw"; } })()"#,
        r#"ok"#,
    ),
    (r#"AbortSignal.abort().reason.name"#, r#"AbortError"#),
    (
        r#"AbortSignal.any([new AbortController().signal, AbortSignal.abort("x")]).reason"#,
        r#"x"#,
    ),
    (r#"typeof performance.now()"#, r#"number"#),
    (r#"performance.now() >= 0"#, r#"true"#),
];

#[test]
fn web_platform_matches_node() {
    let mut engine = probe_engine(EngineKind::QuickJs, "");
    check_cases(engine.as_mut(), CASES);
}
