// Pages read off the DOM for hydration and client navigation (the browser module
// `bext/client/tree`, in the runtime chunk; `bext/client` drives it).
//
// The server leaves each client component it rendered between `<!--c:N-->` and `<!--/c-->`,
// with entry N of the page's payload (`<script id="__BEXT_DATA__">`: [module id, export,
// props]) saying what it is; markup the server rendered for it (its children, any element
// prop) sits inside it between `<!--s:M-->` and `<!--/s-->`. Everything else is server markup
// that no code in the browser renders.
//
// So the tree handed to `hydrateRoot(document.body, …)` is read off the DOM itself: server
// markup becomes elements that keep their HTML (`dangerouslySetInnerHTML` with the element's
// own inner HTML, which React does not compare while hydrating), an element that holds a
// client component becomes an element whose children are read the same way, and each
// boundary becomes the client component with its decoded props. No server markup travels
// twice, and a page with no client component gets no JavaScript at all (the server sends
// none).
//
// Client navigation (`next/link`, `useRouter`) reads the next page the same way, from its
// HTML parsed off-document, and renders it into the same root: layouts' client components
// stay mounted with their state where the two pages' trees agree.

import { createElement, Suspense, Fragment } from "react";

const VOID = new Set([
  "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
  "param", "source", "track", "wbr",
]);
// Elements React will not give inner HTML to.
const NO_INNER = new Set(["textarea", "select", "option", "noscript"]);

// A page read off a document: its body's children as React nodes, and the modules its
// client components come from.
export class PageTree {
  // `refresh`: what an error page's `reset` does (bext/client renders the page again).
  constructor(body, payload, require, refresh) {
    this.payload = payload;
    this.require = require;
    this.refresh = refresh;
    this.pairs = new Map(); // opening marker comment -> closing one
    this.slots = new Map(); // slot number -> opening marker
    this.holders = new Set(); // elements that hold a marker somewhere inside
    this.index(body);
    // Slots are read now, with everything else: a render that finds the DOM changed (a
    // hydration that fell back to client rendering clears it) still has them.
    this.slotNodes = new Map();
    for (const n of this.slots.keys()) this.slotNodes.set(n, this.readSlot(n));
    this.node = createElement(Fragment, null, ...this.read(body.firstChild, null));
  }

  index(root) {
    const doc = root.ownerDocument;
    const walker = doc.createTreeWalker(root, 128 /* NodeFilter.SHOW_COMMENT */);
    const open = [];
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      const data = node.data;
      if (data.startsWith("c:") || data.startsWith("s:")) {
        open.push(node);
        if (data.charCodeAt(0) === 115 /* s */) this.slots.set(+data.slice(2), node);
        for (let up = node.parentNode; up !== root && up !== null && !this.holders.has(up); up = up.parentNode) {
          this.holders.add(up);
        }
      } else if (data === "/c" || data === "/s") {
        const start = open.pop();
        if (start !== undefined) this.pairs.set(start, node);
      }
    }
  }

  // React nodes for the siblings from `node` up to `end` (exclusive; null: the last).
  read(node, end) {
    const out = [];
    while (node !== null && node !== end) {
      switch (node.nodeType) {
        case 3: // text
          out.push(node.data);
          break;
        case 1: // element
          // The payload and the scripts after it are bext's, not the page's: React leaves
          // what follows the last node it hydrates in the root alone.
          if (node.id === "__BEXT_DATA__") return out;
          out.push(this.element(node));
          break;
        case 8: { // comment
          const data = node.data;
          if (data.startsWith("c:")) {
            const close = this.pairs.get(node);
            out.push(this.boundary(+data.slice(2)));
            node = close === undefined ? null : close;
            continue;
          }
          if (data === "$" || data === "$!" || data === "$?" || data === "$~") {
            const close = this.suspenseEnd(node);
            out.push(createElement(Suspense, { fallback: null }, ...this.read(node.nextSibling, close)));
            node = close;
            break;
          }
          break; // a text separator, a slot marker, anything else: nothing to React
        }
      }
      if (node === null) break;
      node = node.nextSibling;
    }
    return out;
  }

  suspenseEnd(open) {
    let depth = 0;
    for (let node = open.nextSibling; node !== null; node = node.nextSibling) {
      if (node.nodeType !== 8) continue;
      const data = node.data;
      if (data === "$" || data === "$!" || data === "$?" || data === "$~") depth++;
      else if (data === "/$") {
        if (depth === 0) return node;
        depth--;
      }
    }
    return null;
  }

  element(el) {
    const type = el.localName;
    // No keys: siblings are matched by position, so what two pages share keeps its state.
    const props = { ref: syncAttributes(el) };
    if (this.holders.has(el)) {
      return createElement(type, props, ...this.read(el.firstChild, null));
    }
    props.suppressHydrationWarning = true;
    if (FORM_CONTROLS.has(type)) return formControl(el, props);
    if (!VOID.has(type) && !NO_INNER.has(type)) {
      props.dangerouslySetInnerHTML = { __html: el.innerHTML };
    }
    return createElement(type, props);
  }

  boundary(n) {
    const entry = this.payload[n];
    if (entry === undefined) return null;
    const module = this.require(entry[0]);
    const type = module[entry[1]];
    const props = decode(entry[2], this);
    return createElement(type, props);
  }

  // The server markup of slot `n`, as React nodes.
  slot(n) {
    return this.slotNodes.get(n) ?? null;
  }

  readSlot(n) {
    const open = this.slots.get(n);
    if (open === undefined) return null;
    return this.read(open.nextSibling, this.pairs.get(open) ?? null);
  }
}

// Form controls are the server markup React does not leave alone: whenever one changes,
// React writes its `name`, `type`, value and checked state from its props (removing `name`
// where the props have none, which would take the field out of its form's data), and it
// renders a `<select>`'s options itself. So those become props, and options children.
const FORM_CONTROLS = new Set(["input", "textarea", "select"]);

function formControl(el, props) {
  for (const name of ["name", "type", "multiple"]) {
    if (el.hasAttribute(name)) props[name] = name === "multiple" ? true : el.getAttribute(name);
  }
  switch (el.localName) {
    case "input":
      if (el.hasAttribute("value")) props.defaultValue = el.getAttribute("value");
      if (el.hasAttribute("checked")) props.defaultChecked = true;
      return createElement("input", props);
    case "textarea":
      props.defaultValue = el.textContent;
      return createElement("textarea", props);
    default: {
      const chosen = Array.from(el.querySelectorAll("option"))
        .filter((o) => o.hasAttribute("selected"))
        .map((o) => o.value);
      if (chosen.length > 0) props.defaultValue = props.multiple ? chosen : chosen[chosen.length - 1];
      return createElement("select", props, ...options(el));
    }
  }
}

// A `<select>`'s `<option>`s and `<optgroup>`s as elements.
function options(parent) {
  const out = [];
  for (const child of Array.from(parent.children)) {
    const props = { ref: syncAttributes(child), suppressHydrationWarning: true };
    if (child.localName === "optgroup") {
      out.push(createElement("optgroup", props, ...options(child)));
    } else if (child.localName === "option") {
      if (child.hasAttribute("value")) props.value = child.getAttribute("value");
      out.push(createElement("option", props, child.textContent));
    }
  }
  return out;
}

// Keeps a server element's attributes those of the page it was last read from: React leaves
// attributes alone (no props name them), so a client navigation sets them here.
function syncAttributes(source) {
  return (el) => {
    if (el === null || el === source) return;
    for (const { name } of Array.from(el.attributes)) {
      if (!source.hasAttribute(name)) el.removeAttribute(name);
    }
    for (const { name, value } of Array.from(source.attributes)) {
      if (el.getAttribute(name) !== value) el.setAttribute(name, value);
    }
  };
}

// Props as the server encoded them (render/prism/js/prism.js, `encodeProps`).
function decode(value, tree) {
  if (typeof value === "string") {
    if (value.charCodeAt(0) !== 36 /* $ */) return value;
    switch (value) {
      case "$undefined": return undefined;
      case "$NaN": return NaN;
      case "$Infinity": return Infinity;
      case "$-Infinity": return -Infinity;
      case "$-0": return -0;
      case "$R": return tree.refresh;
    }
    switch (value[1]) {
      case "$": return value.slice(1);
      case "n": return BigInt(value.slice(2));
      case "D": return new Date(value.slice(2));
      case "S": return Symbol.for(value.slice(2));
    }
    return value;
  }
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    switch (value[0]) {
      case "$L": {
        const slot = value[1];
        return createElement(Slot, { key: value[2] ?? undefined, tree, slot });
      }
      case "$Q": {
        const map = new Map();
        for (let i = 0; i < value[1].length; i += 2) map.set(decode(value[1][i], tree), decode(value[1][i + 1], tree));
        return map;
      }
      case "$W": return new Set(value[1].map((v) => decode(v, tree)));
      case "$@": {
        if (value.length < 2) return new Promise(() => {});
        const v = decode(value[1], tree);
        const promise = Promise.resolve(v);
        promise.status = "fulfilled";
        promise.value = v;
        return promise;
      }
    }
    return value.map((v) => decode(v, tree));
  }
  const out = {};
  for (const key of Object.keys(value)) out[key] = decode(value[key], tree);
  return out;
}

// Server markup given to a client component.
function Slot({ tree, slot }) {
  return createElement(Fragment, null, ...(tree.slot(slot) ?? []));
}

// The page's data: {c: client components, p: route params, b: base path}.
export function dataOf(doc) {
  const script = doc.getElementById("__BEXT_DATA__");
  if (script !== null) {
    try {
      const data = JSON.parse(script.textContent);
      if (data !== null && typeof data === "object" && Array.isArray(data.c)) return data;
    } catch {
      // A page that is not bext's own, or a broken one: nothing to hydrate.
    }
  }
  return { c: [], p: {}, b: "" };
}
