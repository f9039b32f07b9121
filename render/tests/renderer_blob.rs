//! `Blob`, `File` and `FormData`, and the Fetch bodies that carry them (`formData()`,
//! `blob()`, `arrayBuffer()`), as every engine bext embeds runs them. Expected values are what
//! Node's native implementations give for the same expressions (`node` on each case, awaited
//! when it is a promise).

mod renderer_support;

use bext_engine::EngineKind;
use renderer_support::*;

/// (expression, what Node prints).
const CASES: &[(&str, &str)] = &[
    (r#"new Blob(["a", "é", new Uint8Array([33])]).size"#, r#"4"#),
    (
        r#"new Blob([], {type: "Text/Plain"}).type"#,
        r#"text/plain"#,
    ),
    (r#"new Blob(["x"], {type: "a\u0100"}).type"#, r#""#),
    (r#"new Blob(["hello"]).slice(1, -1).size"#, r#"3"#),
    (r#"new Blob(["hello"]).slice(-2).size"#, r#"2"#),
    (
        r#"Object.prototype.toString.call(new Blob([]))"#,
        r#"[object Blob]"#,
    ),
    (
        r#"(function () { var f = new File(["abc"], "a.txt", {type: "text/plain", lastModified: 5}); return [f.name, f.lastModified, f.size, f.type, f instanceof Blob].join(); })()"#,
        r#"a.txt,5,3,text/plain,true"#,
    ),
    (
        r#"(function () { var f = new FormData(); f.append("a", "1"); f.append("b", 2); f.append("a", "3"); f.set("b", "4"); f.delete("x"); return JSON.stringify([...f]); })()"#,
        r#"[["a","1"],["b","4"],["a","3"]]"#,
    ),
    (
        r#"(function () { var f = new FormData(); f.append("a", "1"); f.append("a", "3"); f.set("a", "5"); return JSON.stringify([f.getAll("a"), f.has("z"), f.get("z"), [...f.keys()]]); })()"#,
        r#"[["5"],false,null,["a"]]"#,
    ),
    (
        r#"(function () { var f = new FormData(); f.append("f", new Blob(["x"])); f.append("g", new Blob(["yz"], {type: "text/x"}), "named.txt"); var v = f.get("f"), w = f.get("g"); return [v.name, v.type, v.size, Object.prototype.toString.call(v), w.name, w.type].join(); })()"#,
        r#"blob,,1,[object File],named.txt,text/x"#,
    ),
    (
        r#"new Response(new Blob(["x"], {type: "text/x"})).headers.get("content-type")"#,
        r#"text/x"#,
    ),
    (
        r#"/^multipart\/form-data; boundary=/.test(new Response(new FormData()).headers.get("content-type"))"#,
        r#"true"#,
    ),
    (r#"new Blob()"#, r#"[object Blob]"#),
    (r#"new Blob("abc")"#, r#"throws TypeError"#),
];

/// (promise expression, what it settles to in Node: the value, or `rejects <name>`).
const ASYNC_CASES: &[(&str, &str)] = &[
    (r#"new Blob(["é!"]).text()"#, r#"é!"#),
    (r#"new Blob(["hello"]).slice(1, 3).text()"#, r#"el"#),
    (
        r#"new Blob(["abc"]).arrayBuffer().then(b => b.byteLength)"#,
        r#"3"#,
    ),
    (
        r#"new Response("abc").arrayBuffer().then(b => b.byteLength)"#,
        r#"3"#,
    ),
    (
        r#"new Response("abc").blob().then(b => b.size + " " + b.type)"#,
        r#"3 text/plain;charset=utf-8"#,
    ),
    (
        r#"(function () { var f = new FormData(); f.append("a", "x y"); f.append("file", new File(["hi"], "h.txt", {type: "text/plain"})); return new Response(f).formData().then(g => [...g].map(([k, v]) => k + "=" + (typeof v === "string" ? v : v.name + ":" + v.type + ":" + v.size)).join("&")); })()"#,
        r#"a=x y&file=h.txt:text/plain:2"#,
    ),
    (
        r#"new Response("a=1&b=%20&a=2", {headers: {"content-type": "application/x-www-form-urlencoded"}}).formData().then(f => JSON.stringify([...f]))"#,
        r#"[["a","1"],["b"," "],["a","2"]]"#,
    ),
    (
        r#"new Response("plain").formData().then(() => "ok", e => "rejects " + e.name)"#,
        r#"rejects TypeError"#,
    ),
    (
        r#"new Request("http://x/", {method: "POST", body: "q=1", headers: {"content-type": "application/x-www-form-urlencoded"}}).formData().then(f => f.get("q"))"#,
        r#"1"#,
    ),
];

fn check_engine(kind: EngineKind) {
    let mut engine = probe_engine(kind, "");
    check_cases(engine.as_mut(), CASES);
    let mut failures = Vec::new();
    for (expr, want) in ASYNC_CASES {
        // The probe settles `got`; the next call runs after the engine drained its jobs.
        let start = format!(
            "globalThis.got = 'pending'; Promise.resolve({expr}).then(function (v) {{ globalThis.got = String(v); }}, function (e) {{ globalThis.got = 'rejects ' + e.name; }})"
        );
        let mut out = Vec::new();
        engine.call("probe", &start, &mut out).expect("probe runs");
        let mut got = Vec::new();
        engine.call("probe", "got", &mut got).expect("probe runs");
        if got != [*want] {
            failures.push(format!("{expr}: want {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{kind:?}:\n{}", failures.join("\n"));
}

#[test]
fn blob_and_form_data_match_node_in_every_engine() {
    for &kind in bext_engine::available() {
        check_engine(kind);
    }
}
