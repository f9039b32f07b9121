// bext's browser runtime (the module `bext/client`, run by the runtime chunk once the page's
// chunks are in): hydration of the page's client components and client navigation.
//
// Navigation fetches the next page's HTML (prefetched by `next/link` when a link is seen or
// hovered), reads it with the same `PageTree` hydration uses, loads the chunks its client
// components need, and renders it into the root hydration made: React keeps whatever the two
// trees share (a layout's client components keep their state), and replaces the rest. The
// head follows: the title, and stylesheets the new page links that this one does not.
// Anything unexpected (another origin, not HTML, a network error) falls back to a full page
// load, so a link always goes where it points.

import { startTransition } from "react";
import { hydrateRoot } from "react-dom/client";
import { PageTree, dataOf } from "bext/client/tree";

const PREFETCH_TTL_MS = 30000;
const PREFETCHED_MAX = 50;

let registry = null;
let root = null;
let state = null;
const listeners = new Set();
const prefetched = new Map(); // url -> {at, page: Promise<Document|null>}

// What `usePathname`, `useSearchParams` and `useParams` read.
export function snapshot() {
  return state;
}
export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function stateOf(url, data) {
  let pathname = url.pathname;
  const base = data.b || "";
  if (base !== "" && (pathname === base || pathname.startsWith(base + "/"))) {
    pathname = pathname.slice(base.length) || "/";
  }
  return { pathname, search: url.search, params: data.p || {} };
}

// next.config's base path and trailing slash (the page's data: `b`, `t`).
let site = null;

// A path of this app as Next writes it into links and form actions, as the server writes it
// (`pathUnderSite`, render/js/site_path.js, appended to this module).
export function sitePath(href) {
  if (site === null) {
    const data = dataOf(document);
    site = { basePath: data.b || "", trailingSlash: data.t === 1 };
  }
  return pathUnderSite(site, href);
}

// Started by the runtime chunk with its module registry.
export function start(modules) {
  registry = modules;
  const data = dataOf(document);
  state = stateOf(new URL(location.href), data);
  const tree = new PageTree(document.body, data.c, registry.require, refreshPage);
  root = hydrateRoot(document.body, tree.node);
  history.replaceState({ bext: true }, "", location.href);
  addEventListener("popstate", () => {
    navigate(location.href, { history: "none", scroll: false });
  });
}

function fetchPage(url) {
  return fetch(url, { headers: { accept: "text/html" }, credentials: "same-origin" })
    .then((response) => {
      const type = response.headers.get("content-type") || "";
      if (!response.ok && response.status !== 404) return null;
      if (!type.startsWith("text/html") || response.redirected && new URL(response.url).origin !== location.origin) {
        return null;
      }
      return response.text().then((html) => {
        const doc = new DOMParser().parseFromString(html, "text/html");
        completeStreamed(doc);
        return { doc, url: response.url };
      });
    })
    .catch(() => null);
}

// A streamed page parsed off-document ran none of its scripts: its completed boundaries
// (`<div hidden id="S:n">` for `<template id="B:n">`) are put in place as `$RC` would.
function completeStreamed(doc) {
  for (const hidden of Array.from(doc.querySelectorAll("div[hidden][id^='S:']"))) {
    const template = doc.getElementById("B:" + hidden.id.slice(2));
    if (template === null) continue;
    const start = template.previousSibling;
    if (start === null || start.nodeType !== 8) continue;
    let node = template.nextSibling;
    let depth = 0;
    while (node !== null) {
      if (node.nodeType === 8) {
        if (node.data === "/$") {
          if (depth === 0) break;
          depth--;
        } else if (node.data.startsWith("$")) depth++;
      }
      const next = node.nextSibling;
      node.remove();
      node = next;
    }
    template.remove();
    const parent = start.parentNode;
    while (hidden.firstChild !== null) parent.insertBefore(hidden.firstChild, node);
    start.data = "$";
    hidden.remove();
  }
  for (const script of Array.from(doc.querySelectorAll("body script:not([src]):not([type])"))) {
    if (script.textContent.includes("$RC")) script.remove();
  }
}

export function prefetch(href) {
  const url = new URL(href, location.href);
  if (url.origin !== location.origin) return;
  url.hash = "";
  const key = url.href;
  const now = Date.now();
  const hit = prefetched.get(key);
  if (hit !== undefined && now - hit.at < PREFETCH_TTL_MS) return hit.page;
  if (prefetched.size >= PREFETCHED_MAX) prefetched.delete(prefetched.keys().next().value);
  const page = fetchPage(key);
  prefetched.set(key, { at: now, page });
  return page;
}

// The chunks `doc` loads (its scripts after the payload) that this document has not.
function loadChunks(doc) {
  const have = new Set(Array.from(document.scripts, (s) => s.src).filter(Boolean));
  const wanted = Array.from(doc.querySelectorAll("script[src]"))
    .map((s) => new URL(s.getAttribute("src"), location.href).href)
    .filter((src) => !have.has(src));
  return Promise.all(
    wanted.map(
      (src) =>
        new Promise((resolve, reject) => {
          const script = document.createElement("script");
          script.src = src;
          script.async = true;
          script.onload = resolve;
          script.onerror = reject;
          document.body.appendChild(script);
        })
    )
  ).then(() => registry.ready());
}

// Stylesheets `doc` links that this document does not, added and loaded before the page
// shows (no flash of unstyled content).
function loadStyles(doc) {
  const have = new Set(Array.from(document.querySelectorAll("link[rel=stylesheet]"), (l) => l.href));
  const loads = [];
  for (const link of Array.from(doc.querySelectorAll("head link[rel=stylesheet]"))) {
    const href = new URL(link.getAttribute("href"), location.href).href;
    if (have.has(href)) continue;
    const added = document.importNode(link, true);
    loads.push(new Promise((resolve) => {
      added.onload = resolve;
      added.onerror = resolve;
    }));
    document.head.appendChild(added);
  }
  return Promise.all(loads);
}

let navigation = 0;

// Goes to `href`: `history` "push" (a link), "replace", or "none" (back/forward).
export function navigate(href, options = {}) {
  const url = new URL(href, location.href);
  const mode = options.history || "push";
  if (url.origin !== location.origin || root === null) {
    location.assign(url.href);
    return Promise.resolve();
  }
  // Only the hash changes: the browser scrolls, nothing renders.
  const here = new URL(location.href);
  if (url.hash !== "" && url.pathname === here.pathname && url.search === here.search && mode !== "none") {
    if (mode === "push") history.pushState({ bext: true }, "", url.href);
    else history.replaceState({ bext: true }, "", url.href);
    document.getElementById(decodeURIComponent(url.hash.slice(1)))?.scrollIntoView();
    return Promise.resolve();
  }
  const ticket = ++navigation;
  const page = options.fresh ? fetchPage(url.href) : (prefetch(url.href) || fetchPage(url.href));
  return page.then((fetched) => {
    if (ticket !== navigation) return; // a later navigation won
    if (fetched === null) {
      location.assign(url.href);
      return;
    }
    const { doc } = fetched;
    return Promise.all([loadChunks(doc), loadStyles(doc)]).then(() => {
      if (ticket !== navigation) return;
      const data = dataOf(doc);
      const tree = new PageTree(doc.body, data.c, registry.require, refreshPage);
      if (mode === "push") history.pushState({ bext: true }, "", url.href);
      else if (mode === "replace") history.replaceState({ bext: true }, "", url.href);
      document.title = doc.title;
      state = stateOf(url, data);
      startTransition(() => {
        root.render(tree.node);
        for (const listener of listeners) listener();
      });
      if (options.scroll !== false) {
        requestAnimationFrame(() => {
          if (url.hash !== "") document.getElementById(decodeURIComponent(url.hash.slice(1)))?.scrollIntoView();
          else scrollTo(0, 0);
        });
      }
    });
  }, () => location.assign(url.href));
}

// An error page's `reset`: the page rendered again, from the server, in place.
function refreshPage() {
  navigate(location.href, { history: "none", scroll: false, fresh: true });
}

// `useRouter()`'s object.
export const router = {
  push: (href, options) => navigate(href, { history: "push", scroll: options?.scroll }),
  replace: (href, options) => navigate(href, { history: "replace", scroll: options?.scroll }),
  refresh: () => navigate(location.href, { history: "none", scroll: false, fresh: true }),
  back: () => history.back(),
  forward: () => history.forward(),
  prefetch: (href) => {
    prefetch(href);
  },
};

