//! The runtime's own URL, URLSearchParams, Headers, Request and Response, as QuickJS (which
//! has none of them) runs them. Expected values are what Node's native implementations give
//! for the same expressions (the WHATWG reference), recorded once.

mod renderer_support;

use std::cell::RefCell;

use bext_engine::{Engine, EngineKind};
use renderer_support::*;

thread_local! {
    // One engine for all cases: creating and loading one costs ~100 ms in a debug build.
    static ENGINE: RefCell<Box<dyn Engine>> = RefCell::new({
        probe_engine(EngineKind::QuickJs, "")
    });
}

fn check(expr: &str, expect: &str) {
    let mut out = Vec::new();
    ENGINE
        .with(|engine| engine.borrow_mut().call("probe", expr, &mut out))
        .expect("probe runs");
    assert_eq!(out, [expect], "{expr}");
}

#[test]
fn web_apis_match_the_reference() {
    check(
        r##"new URL("../a/./b?x=1 2#h", "https://Ex.com:443/p/q/r").href"##,
        r##"https://ex.com/p/a/b?x=1%202#h"##,
    );
    check(
        r##"new URL("HTTP://EXAMPLE.com:80/a/../b/./c?d=e f#g h").href"##,
        r##"http://example.com/b/c?d=e%20f#g%20h"##,
    );
    check(
        r##"new URL("https://u:p@h.com:8443/x").origin"##,
        r##"https://h.com:8443"##,
    );
    check(
        r##"new URL("https://h.com/%7Efoo/ä?ö=ü#ß").href"##,
        r##"https://h.com/%7Efoo/%C3%A4?%C3%B6=%C3%BC#%C3%9F"##,
    );
    check(
        r##"new URL("?q2", "https://h.com/a/b?q1#f").href"##,
        r##"https://h.com/a/b?q2"##,
    );
    check(
        r##"new URL("#f2", "https://h.com/a/b?q1#f").href"##,
        r##"https://h.com/a/b?q1#f2"##,
    );
    check(
        r##"new URL("//other.com/x", "https://h.com/a").href"##,
        r##"https://other.com/x"##,
    );
    check(
        r##"new URL("../../../../x", "http://h.com/a/b/").href"##,
        r##"http://h.com/x"##,
    );
    check(
        r##"new URL("http://[::1]:3000/x").host"##,
        r##"[::1]:3000"##,
    );
    check(r##"new URL("mailto:a@b.com").pathname"##, r##"a@b.com"##);
    check(
        r##"new URL("https://h.com/a?x='y'<>").search"##,
        r##"?x=%27y%27%3C%3E"##,
    );
    check(
        r##"new URL("http://h.com:99999/").href"##,
        r##"throws TypeError"##,
    );
    check(r##"new URL("relative").href"##, r##"throws TypeError"##);
    check(
        r##"(function () { var u = new URL("http://h.com/p?a=1"); u.searchParams.append("b", "x y"); u.searchParams.set("a", "2"); return u.href; })()"##,
        r##"http://h.com/p?a=2&b=x+y"##,
    );
    check(
        r##"String(new URLSearchParams({ a: "x y!", b: "é", c: "~*" }))"##,
        r##"a=x+y%21&b=%C3%A9&c=%7E*"##,
    );
    check(
        r##"[...new URLSearchParams("x=%zz&y=%41+b&=&k")].join(";")"##,
        r##"x,%zz;y,A b;,;k,"##,
    );
    check(
        r##"new URLSearchParams("a=1&b=2&a=3").getAll("a").join()"##,
        r##"1,3"##,
    );
    check(
        r##"(function () { var h = new Headers({ "Content-Type": "a" }); h.append("set-cookie", "x=1"); h.append("Set-Cookie", "y=2"); h.append("accept", "b"); h.append("accept", "c"); return [...h].join("|"); })()"##,
        r##"accept,b, c|content-type,a|set-cookie,x=1|set-cookie,y=2"##,
    );
    check(
        r##"(function () { try { new Headers({ a: "b\r\nc: d" }); return "accepted"; } catch (e) { return e.name; } })()"##,
        r##"TypeError"##,
    );
    check(
        r##"(function () { var r = Response.json({ a: 1 }, { status: 201 }); return r.status + " " + r.headers.get("content-type") + " " + r.ok; })()"##,
        r##"201 application/json true"##,
    );
    check(
        r##"(function () { var r = Response.redirect("https://x.test/", 301); return r.status + " " + r.headers.get("location"); })()"##,
        r##"301 https://x.test/"##,
    );
    check(
        r##"(function () { try { new Response("x", { status: 99 }); return "accepted"; } catch (e) { return e.name; } })()"##,
        r##"RangeError"##,
    );
    check(
        r##"(function () { var r = new Request("https://x.test/a", { method: "post", body: new URLSearchParams("a=1") }); return r.method + " " + r.headers.get("content-type"); })()"##,
        r##"POST application/x-www-form-urlencoded;charset=UTF-8"##,
    );
}
