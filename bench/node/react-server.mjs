// The Node baseline of the ssr benchmark: a minimal `node:http` server that renders the
// example app's pages with react-dom/server `renderToString`, as a hand-written Node SSR
// server would. Nothing is cached: every request runs the loader and renders.
//
//   NODE_ENV=production node react-server.mjs --port 3000 [--host 127.0.0.1]
//       [--bundle .build/node/app.mjs] [--public ../../examples/app/public]
//
// The bundle comes from build.mjs (the app's pages, layouts and route handlers, compiled by
// esbuild). Per request, like bext (see the render contract):
// - a page: `loader({params, searchParams, headers, cookies, request})` is awaited, the page
//   component is called with `{params, searchParams, data}` (called, not mounted, so an async
//   page works under renderToString), wrapped in its layouts (`{children, params}`), rendered,
//   and the page's `metadata` (title, description, Open Graph) is inserted before `</head>`;
// - `notFound()` -> 404 with not-found.tsx, `redirect(url)` -> 307, any other throw -> 500
//   with error.tsx (logged with the route);
// - a route handler gets a Fetch `Request` and its `Response` is sent as is;
// - files of public/ are served from memory.
// It prints `ready on http://HOST:PORT` once listening.

import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { HTML, TEXT, parseArgs, send, serve } from "./http-common.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Request bodies are read for route handlers only, up to this size. */
const REQUEST_BODY_BYTES_MAX = 1024 * 1024;

const options = parseArgs("react-server", process.argv.slice(2), {
  bundle: path.join(HERE, ".build", "node", "app.mjs"),
  public: path.resolve(HERE, "../../examples/app/public"),
});
const app = await import(pathToFileURL(options.bundle).href);
const { renderToString, createElement } = app;
serve("react-server", options, handle, `${app.pages.length} pages`);

async function handle(req, res, url, segments) {
  const handler = match(app.handlers, segments);
  if (handler) return runHandler(handler.route.handler, handler.params, req, res, url);
  const page = match(app.pages, segments);
  if (!page) {
    return send(res, 404, HTML, await renderSpecial(app.notFoundPage, app.rootLayouts, {}, {}));
  }
  const { route, params } = page;
  const searchParams = Object.fromEntries(url.searchParams);
  try {
    const html = await renderPage(route, params, searchParams, req, url);
    return send(res, 200, HTML, html);
  } catch (error) {
    if (error?.bextStatus === 404) {
      return send(res, 404, HTML, await renderSpecial(app.notFoundPage, route.layouts, params, {}));
    }
    if (error?.bextStatus === 307) {
      res.writeHead(307, { location: error.location, "content-length": 0 });
      return res.end();
    }
    console.error(`react-server: ${route.file} (${url.pathname}): ${error?.stack ?? error}`);
    return send(res, 500, HTML, await renderSpecial(app.errorPage, route.layouts, params, { error }));
  }
}

/** The route whose segments match, static segments before dynamic ones before catch-alls. */
function match(routes, segments) {
  let best = null;
  for (const route of routes) {
    const params = matchSegments(route.segments, segments);
    if (params === null) continue;
    const rank = route.segments.map((s) => (typeof s === "string" ? 0 : s.param ? 1 : 2)).join("");
    if (best === null || rank < best.rank) best = { route, params, rank };
  }
  return best;
}

function matchSegments(pattern, segments) {
  const params = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i];
    if (typeof want === "object" && want.catchAll) {
      const rest = segments.slice(i);
      if (rest.length === 0 && !want.optional) return null;
      params[want.catchAll] = rest;
      return params;
    }
    if (i >= segments.length) return null;
    if (typeof want === "string") {
      if (want !== segments[i]) return null;
    } else {
      params[want.param] = segments[i];
    }
  }
  return pattern.length === segments.length ? params : null;
}

async function renderPage(route, params, searchParams, req, url) {
  const page = route.page;
  const data =
    typeof page.loader === "function"
      ? await page.loader({ params, searchParams, headers: req.headers, cookies: cookiesOf(req), request: { url: url.href, method: req.method } })
      : undefined;
  const body = await page.default({ params, searchParams, data });
  return document(wrap(body, route.layouts, params), page.metadata);
}

async function renderSpecial(module, layouts, params, props) {
  if (!module) return "<!DOCTYPE html><h1>Error</h1>";
  const body = await module.default(props);
  return document(wrap(body, layouts, params), { title: props.error ? "Error" : "Not found" });
}

function wrap(element, layouts, params) {
  let tree = element;
  for (let i = layouts.length - 1; i >= 0; i--) {
    tree = createElement(layouts[i].default, { params }, tree);
  }
  return tree;
}

function document(tree, metadata) {
  const html = renderToString(tree);
  const head = metadataTags(metadata);
  const at = html.indexOf("</head>");
  const withHead = at < 0 ? html : html.slice(0, at) + head + html.slice(at);
  return withHead.startsWith("<!DOCTYPE") ? withHead : "<!DOCTYPE html>" + withHead;
}

/** title, description and Open Graph, as bext inserts them. */
function metadataTags(metadata) {
  if (!metadata) return "";
  let tags = "";
  if (metadata.title) tags += `<title>${escape(metadata.title)}</title>`;
  if (metadata.description) tags += `<meta name="description" content="${escape(metadata.description)}"/>`;
  const og = metadata.openGraph;
  if (og) {
    const property = (name, value) => {
      if (value) tags += `<meta property="og:${name}" content="${escape(value)}"/>`;
    };
    property("title", og.title);
    property("description", og.description);
    property("url", og.url);
    for (const image of [og.images ?? []].flat()) property("image", typeof image === "string" ? image : image?.url);
    property("type", og.type);
  }
  return tags;
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" })[c]);
}

function cookiesOf(req) {
  const jar = new Map();
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0) jar.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return { get: (name) => (jar.has(name) ? { name, value: jar.get(name) } : undefined) };
}

async function runHandler(module, params, req, res, url) {
  const method = req.method === "HEAD" ? "GET" : req.method;
  const fn = module[method];
  if (typeof fn !== "function") return send(res, 405, TEXT, "method not allowed\n");
  const body = method === "GET" ? undefined : await readBody(req);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
  }
  const response = await fn(new Request(url.href, { method, headers, body }), { params: Promise.resolve(params) });
  const bytes = Buffer.from(await response.arrayBuffer());
  const out = Object.fromEntries(response.headers);
  out["content-length"] = bytes.length;
  res.writeHead(response.status, out);
  res.end(req.method === "HEAD" ? undefined : bytes);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > REQUEST_BODY_BYTES_MAX) {
        reject(new Error("request body too large"));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
