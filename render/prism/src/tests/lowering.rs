//! The PRISM pass: TSX in, the JavaScript `transform` prints out (oxc's printer indents with
//! tabs).

use std::path::Path;

use crate::{JsxMode, TransformOptions, transform};

fn check(input: &str, expect: &str) {
    check_mode(JsxMode::Prism, input, expect);
}

fn check_mode(jsx: JsxMode, input: &str, expect: &str) {
    let got = match transform(input, Path::new("app/page.tsx"), &TransformOptions { jsx }) {
        Ok(code) => code,
        Err(diagnostic) => panic!("{diagnostic}"),
    };
    assert_eq!(got.trim(), expect.trim(), "\n--- got ---\n{got}");
}

#[test]
fn static_markup_is_one_hoisted_constant() {
    check(
        r#"export const A = () => <div className="a">hi &amp; <b>bye</b></div>;"#,
        r#"
const _h0 = new __prism.Html("<div class=\"a\">hi &amp; <b>bye</b></div>");
export const A = () => _h0;
"#,
    );
    // Identical static trees share one constant; constants go after the directive prologue.
    check(
        "\"use client\";\nexport const A = () => <div/>;\nexport const B = () => <div/>;",
        r#"
"use client";
const _h0 = new __prism.Html("<div></div>");
export const A = () => _h0;
export const B = () => _h0;
"#,
    );
}

#[test]
fn hoisted_names_avoid_the_source() {
    check(
        "const _h0 = 1; export const A = () => <><b/>{_h0}</>; export const B = () => <i/>;",
        r#"
const __h0 = [2, 1];
const __h1 = new __prism.Html("<i></i>");
const _h0 = 1;
export const A = () => new __prism.Html("<b></b>" + __prism.c(_h0, 0, __h0));
export const B = () => __h1;
"#,
    );
}

#[test]
fn dynamic_props_get_specialised_helpers() {
    check(
        "export function A(p: any) { return <div className={p.c} hidden={p.h} aria-label={p.l} data-on={p.d} draggable={p.g} title={p.t} href={p.u} style={p.s} rowSpan={p.r} onClick={p.f} onMouseOver={track(1)} ref={p.ref} />; }",
        r#"
export function A(p) {
	return new __prism.Html("<div" + __prism.s(" class=\"", p.c) + __prism.b(" hidden=\"\"", p.h) + __prism.x(" aria-label=\"", p.l) + __prism.x(" data-on=\"", p.d) + __prism.x(" draggable=\"", p.g) + __prism.s(" title=\"", p.t) + __prism.ue(" href=\"", p.u) + __prism.st(p.s) + __prism.a("rowSpan", p.r) + (track(1), "") + "></div>");
}
"#,
    );
    // URLs: an empty href is kept on <a> only; <img> and <form action> are runtime-rendered.
    check(
        "export function A(p: any) { return <><a href={p.u}>a</a><img src={p.u} /><area href={p.u} /><form action={p.u}></form><use xlinkHref={p.u} /></>; }",
        r#"
export function A(p) {
	return new __prism.Html("<a" + __prism.u(" href=\"", p.u) + ">a</a>" + __prism.h("img", { src: p.u }) + "<area" + __prism.ue(" href=\"", p.u) + "/>" + __prism.h("form", { action: p.u }) + "<use" + __prism.u(" xlink:href=\"", p.u) + "></use>");
}
"#,
    );
}

#[test]
fn literals_are_folded() {
    check(
        r#"export const A = () => <p tabIndex={0} width={-1} hidden={false} disabled="" title={`t`} data-x={true} style={{fontSize: 12, marginTop: 0, "--x": " y "}}>{1}{"<"}{null}{true}{-0}{1e21}{`x`}</p>;"#,
        r#"
export const A = () => new __prism.Html("<p tabindex=\"0\" width=\"-1\" title=\"t\" data-x=\"true\" style=\"font-size:12px;margin-top:0;--x:y\">1&lt;0" + __prism.c(1e21) + "x</p>");
"#,
    );
}

#[test]
fn components_are_called() {
    check(
        r#"import { Fragment } from "react";
import * as React from "react";
import Imported from "./imported";
function Local(p: any) { return <i>{p.children}</i>; }
const Arrow = (p: any) => <b>{p.x}</b>;
let Reassigned = Local;
export function A(p: any) { return <Fragment key="k"><Local a="1" b={2} {...p} key="x">text</Local><Arrow x={p.x}><b/>{p.y}</Arrow><Imported/><Reassigned/><p.as/><React.Fragment>f</React.Fragment><ui.Card/></Fragment>; }
const ui = { Card: Local };"#,
        r#"
const _h0 = [7, 0];
const _h1 = new __prism.Html("<b></b>");
const _h2 = __prism.cached(__prism.jsx("b", {}), _h1);
const _h3 = [7, 1];
const _h4 = [7, 2];
const _h5 = [7, 3];
const _h6 = [7, 4];
const _h7 = [7, 6];
import Imported from "./imported";
function Local(p) {
	return new __prism.Html("<i>" + __prism.c(p.children) + "</i>");
}
const Arrow = (p) => new __prism.Html("<b>" + __prism.c(p.x) + "</b>");
let Reassigned = Local;
export function A(p) {
	return new __prism.Html(__prism.c(__prism.k(Local, {
		a: "1",
		b: 2,
		...p,
		children: "text"
	}, 0, _h0)) + __prism.c(__prism.k(Arrow, {
		x: p.x,
		children: [_h2, p.y]
	}, 0, _h3)) + __prism.c(__prism.k(Imported, {}, 0, _h4)) + __prism.c(__prism.k(Reassigned, {}, 0, _h5)) + __prism.c(__prism.k(p.as, {}, 0, _h6)) + "f" + __prism.c(__prism.k(ui.Card, {}, 0, _h7)));
}
const ui = { Card: Local };
"#,
    );
}

#[test]
fn context_dependent_elements_go_to_the_runtime() {
    check(
        r#"export function A(p: any) { return <svg><title>{p.t}</title><foreignObject><title>x</title></foreignObject></svg>; }
export const B = () => <select value="b"><option value="a">A</option><option>B</option></select>;
export const C = (p: any) => <div {...p} id="x">c</div>;"#,
        r#"
const _h0 = __prism.placed(function() {
	return new __prism.Html(__prism.h("title", { children: "x" }, 8));
});
const _h1 = new __prism.Html(__prism.h("option", {
	value: "a",
	children: "A"
}));
const _h2 = new __prism.Html(__prism.h("option", { children: "B" }));
const _h3 = new __prism.Html(__prism.h("select", {
	value: "b",
	children: [_h1, _h2]
}));
export function A(p) {
	return new __prism.Html("<svg>" + __prism.h("title", { children: p.t }, 1) + "<foreignObject>" + _h0.s + "</foreignObject></svg>");
}
export const B = () => _h3;
export const C = (p) => new __prism.Html(__prism.h("div", {
	...p,
	id: "x",
	children: "c"
}));
"#,
    );
}

#[test]
fn inner_html() {
    check(
        r#"export const A = (p: any) => <><div dangerouslySetInnerHTML={{__html: "<b>x</b>"}} /><div dangerouslySetInnerHTML={p.h} /><div dangerouslySetInnerHTML={p.h}>{p.c}</div><p dangerouslySetInnerHTML={undefined}>t</p></>;"#,
        r#"
export const A = (p) => new __prism.Html("<div><b>x</b></div><div>" + __prism.inner(p.h, false) + "</div>" + __prism.h("div", {
	dangerouslySetInnerHTML: p.h,
	children: p.c
}) + "<p>t</p>");
"#,
    );
}

#[test]
fn typescript_is_stripped() {
    check(
        r#"import type { FC } from "react";
import { useState, type ReactNode } from "react";
import { OnlyType } from "./types";
export type Props = { x: OnlyType };
enum E { A = 1, B }
export const A: FC<Props> = ({ x }) => { const [s] = useState<number>(E.B); return <p>{s as number}{x!}</p>; };"#,
        r#"
const _h0 = [2, 0];
const _h1 = [2, 1];
import { useState } from "react";
var E = /* @__PURE__ */ function(E) {
	E[E["A"] = 1] = "A";
	E[E["B"] = 2] = "B";
	return E;
}(E || {});
export const A = ({ x }) => {
	const [s] = useState(E.B);
	return new __prism.Html("<p>" + __prism.c(s, 0, _h0) + __prism.c(x, 0, _h1) + "</p>");
};
"#,
    );
    // A module without JSX only loses its types.
    check(
        "export function add(a: number, b: number): number { return a + b; }",
        "export function add(a, b) {\n\treturn a + b;\n}",
    );
}

#[test]
fn runtime_mode_builds_elements() {
    check_mode(
        JsxMode::Runtime,
        r#"function Local(p: any) { return <i>{p.children}</i>; }
export function A(p: any) { return <><Local a="1" {...p} key="x">text</Local><b>{p.y}{p.z}</b></>; }"#,
        r#"
function Local(p) {
	return __prism.jsx("i", { children: p.children });
}
export function A(p) {
	return __prism.jsx(__prism.Fragment, { children: [__prism.jsx(Local, {
		a: "1",
		...p,
		children: "text"
	}, "x"), __prism.jsx("b", { children: [p.y, p.z] })] });
}
"#,
    );
}

#[test]
fn components_and_children_know_their_place_for_use_id() {
    // Several children fork (siblings, index); a rendered `list.map(callback)` becomes one
    // `__prism.map` loop running each item at the list's place, then (length, index);
    // `Children.map` and `.flatMap` items stay elements (a call among siblings runs at its
    // place); literals need no place.
    check(
        r#"import { Children } from "react";
export const L = ({ xs, c }: any) => <ul><li>{1}</li>{xs.map((x: any) => <Item x={x} />)}{Children.map(c, (k: any) => <b>{k}</b>)}</ul>;"#,
        r#"
const _h0 = [3, 1];
const _h1 = [3, 2];
const _h2 = __prism.tpl("b", function(_hv) {
	return "<b>" + __prism.c(_hv[0]) + "</b>";
}, function(_hv) {
	return { children: _hv[0] };
});
import { Children } from "react";
export const L = ({ xs, c }) => new __prism.Html("<ul><li>1</li>" + __prism.c(__prism.map(xs, (x) => __prism.k(Item, { x }), _h0), 0, _h0) + __prism.cx(__prism.at(_h1), Children.map(c, (k) => __prism.lh(_h2, [k])), 0, _h1) + "</ul>");
"#,
    );
}
