// The render protocol (`__bext_in` / `__bext_out`) and the page/route-handler renderer.
//
// One render is one `Render` record driven by `run`, a small state machine: each phase
// returns the next value, and only a value that is a thenable suspends the machine (the two
// continuation closures are made on the first suspension, once per render). A page with no
// loader and synchronous components therefore renders in one pass with no promise and no
// closure; async loaders, components, metadata and fetches cost what they use.
//
// Failures change the render's mode instead of unwinding it: notFound() switches to the
// nearest not-found page (404), redirect() finishes with 307/308 + location, anything else
// switches to the nearest error page (500) with the failure kept for the `done` record, and a
// failure while rendering the error page ends in the built-in 500 page. A record's body is
// sent as its own string, never inside JSON.

var MODE_PAGE = 0;
var MODE_NOT_FOUND = 1;
var MODE_ERROR = 2;
var MODE_HANDLER = 3;

var PHASE_LOADER = 0;
var PHASE_PAGE = 1;
var PHASE_LEAF = 2;
var PHASE_LEAF_HTML = 3;
var PHASE_HEAD = 4;
var PHASE_META = 5;
var PHASE_DOCUMENT = 6;
var PHASE_HANDLER = 7;
var PHASE_MIDDLEWARE = 8;
var PHASE_METADATA_ROUTE = 9;
var PHASE_STATIC_PARAMS = 10;
var PHASE_SITEMAP_IDS = 11;
var PHASE_LIST_STATIC_PARAMS = 12;
var PHASE_STREAM = 13;

var HTML_HEADERS = '[["content-type","text/html; charset=utf-8"]]';
var TEXT_HEADERS = '[["content-type","text/plain; charset=utf-8"]]';
var REVALIDATE_MAX_S = 4294967295; // u32 on the Rust side
var HANDLER_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];
var BUILTIN_HEAD = '<meta charSet="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>';
var BUILTIN_404 =
  "<!DOCTYPE html><html><head>" + BUILTIN_HEAD + '<meta name="robots" content="noindex"/><title>404: This page could not be found.</title></head>' +
  "<body><h1>404</h1><p>This page could not be found.</p></body></html>";
var RENDER_KEY = typeof Symbol === "function" ? Symbol("bext.render") : "__bext_render";

var outbox = [];
var liveRenders = Object.create(null); // id -> Render, only for renders that suspended
var currentRender = null;
var fetchesPerRenderMax = 64; // replaced by __bext_configure with core's FETCHES_PER_RENDER_MAX
var routes = [];
var rootRoute = null;

// ---- protocol ----------------------------------------------------------------------------

function bextIn(json) {
  var msg = JSON.parse(json);
  switch (msg.op) {
    case "render":
      startRender(msg);
      break;
    case "fetched":
      settleFetch(msg, true);
      break;
    case "fetch_failed":
      settleFetch(msg, false);
      break;
    case "timer":
      fireTimer(msg);
      break;
    case "error":
      renderErrorPage(msg);
      break;
    default:
      throw new Error("unknown render protocol op: " + msg.op);
  }
}

function bextOut() {
  var records = outbox;
  if (records.length !== 0) outbox = [];
  return records;
}

function configure(json) {
  var o = JSON.parse(json);
  if (typeof o.fetchesPerRenderMax === "number" && o.fetchesPerRenderMax >= 0) fetchesPerRenderMax = o.fetchesPerRenderMax;
  if (typeof o.timersPerRenderMax === "number" && o.timersPerRenderMax >= 0) timersPerRenderMax = o.timersPerRenderMax;
  if (typeof o.seed === "string") seedRandom(o.seed);
  if (typeof o.consoleBytesPerRenderMax === "number" && o.consoleBytesPerRenderMax >= 0) consoleBytesPerRenderMax = o.consoleBytesPerRenderMax;
}

// ---- routes ------------------------------------------------------------------------------

function Route(r) {
  this.pattern = typeof r.pattern === "string" ? r.pattern : "";
  this.page = r.page || null;
  this.handler = r.handler || null;
  this.metadata = r.metadata || null; // robots, sitemap, manifest
  this.byId = r.byId === true; // …/sitemap/[__metadata_id__]: one of generateSitemaps's
  this.layouts = Array.isArray(r.layouts) ? r.layouts : [];
  this.notFound = r.notFound || null;
  this.error = r.error || null;
  this.globalError = r.globalError || null;
  this.slots = Array.isArray(r.slots) ? r.slots : []; // [layout id, prop name, module id]
  this.slotMissing = r.slotMissing === true;
  this.loaded = false;
  this.pageModule = null;
  this.handlerModule = null;
  this.segments = null; // layout modules, outermost first, then the page module
  this.revalidate = undefined; // seconds, false (forever) or undefined (unset)
  this.forceDynamic = false;
  this.dynamicParams = true; // false: only generateStaticParams's params exist
  this.staticParams = null; // generateStaticParams's list, once asked
  this.tags = [];
  this.tagsJson = "[]";
  this.staticHead = ""; // null when some segment has generateMetadata
  this.socialPlan = null; // how the folders' Open Graph / Twitter image files merge in
  this.allow = "";
}

function setRoutes(table) {
  routes = table.map(function (r) { return new Route(r); });
  rootRoute = makeRootRoute(routes);
}

function depth(id) {
  return id.split("/").length;
}

function dirOf(id) {
  return id.slice(0, id.lastIndexOf("/") + 1);
}

// For a path no route matched: the shallowest root layout, not-found and error of the app.
function makeRootRoute(list) {
  var layout = null;
  var nf = null;
  var err = null;
  for (var i = 0; i < list.length; i++) {
    var r = list[i];
    if (r.layouts.length > 0 && (layout === null || depth(r.layouts[0]) < depth(layout))) layout = r.layouts[0];
    if (r.notFound !== null && (nf === null || depth(r.notFound) < depth(nf))) nf = r.notFound;
    if (r.error !== null && (err === null || depth(r.error) < depth(err))) err = r.error;
  }
  var root = new Route({ layouts: layout === null ? [] : [layout], notFound: nf, error: err });
  root.loaded = true;
  return root;
}

// The layouts that wrap a not-found or error page: those at its level and above (Next.js puts
// the boundary inside the layout of its own segment).
// An error boundary sits outside its own folder's loading boundary, a not-found boundary
// inside it.
function layoutsAbove(layouts, boundaryId) {
  var dir = dirOf(boundaryId);
  var isError = baseName(boundaryId).indexOf("error.") === 0;
  return layouts.filter(function (l) {
    if (dir.indexOf(dirOf(l)) !== 0) return false;
    return !(isError && isLoading(l) && dirOf(l) === dir);
  });
}

function baseName(id) {
  return id.slice(id.lastIndexOf("/") + 1);
}

// `app/x/loading.tsx`: a Suspense boundary in the wrapper chain (render/src/app/tree.rs).
function isLoading(id) {
  return baseName(id).indexOf("loading.") === 0;
}

function loadPageRoute(r) {
  var segments = [];
  var ids = [];
  // Loading boundaries are no segments of their own: Next reads no metadata or config there.
  for (var i = 0; i < r.layouts.length; i++) {
    if (isLoading(r.layouts[i])) continue;
    segments.push(requireModule(r.layouts[i]));
    ids.push(r.layouts[i]);
  }
  var page = requireModule(r.page);
  segments.push(page);
  ids.push(r.page);
  r.socialPlan = socialPlan(ids, dirOf(r.page), true);
  // The last layout sits in the page's own folder: its title template is not the page's.
  r.ownLayout = ids.length > 1 && dirOf(ids[ids.length - 2]) === dirOf(r.page);
  var revalidate;
  var forceDynamic = false;
  var dynamicParams = true;
  var tags = [];
  var dynamicHead = false;
  for (var j = 0; j < segments.length; j++) {
    var s = segments[j];
    if (typeof s.revalidate === "number" || s.revalidate === false) revalidate = minRevalidate(revalidate, s.revalidate);
    if (s.dynamic === "force-dynamic") forceDynamic = true;
    if (s.dynamicParams === false) dynamicParams = false;
    if (Array.isArray(s.tags)) for (var k = 0; k < s.tags.length; k++) tags.push(String(s.tags[k]));
    if (typeof s.generateMetadata === "function" || typeof s.generateViewport === "function") dynamicHead = true;
  }
  r.staticHead = dynamicHead
    ? null
    : headHtml(segments.map(function (s) { return s.metadata; }), segments.map(function (s) { return s.viewport; }), false, r.socialPlan, r.ownLayout);
  r.pageModule = page;
  r.segments = segments;
  r.revalidate = revalidate;
  r.forceDynamic = forceDynamic;
  r.dynamicParams = dynamicParams;
  r.tags = tags;
  r.tagsJson = JSON.stringify(tags);
  r.loaded = true;
}

// Route handlers are dynamic unless they opt in to caching (as in Next.js 15): a positive
// `revalidate`, `revalidate = false` or `dynamic = "force-static"`.
function loadHandlerRoute(r) {
  var m = requireModule(r.handler);
  var optIn = m.dynamic === "force-static" || (typeof m.revalidate === "number" && m.revalidate > 0) || m.revalidate === false;
  r.handlerModule = m;
  r.revalidate = typeof m.revalidate === "number" || m.revalidate === false ? m.revalidate : undefined;
  r.forceDynamic = !optIn || m.dynamic === "force-dynamic";
  var tags = Array.isArray(m.tags) ? m.tags.map(String) : [];
  r.tags = tags;
  r.tagsJson = JSON.stringify(tags);
  var allow = [];
  for (var i = 0; i < HANDLER_METHODS.length; i++) {
    var name = HANDLER_METHODS[i];
    if (typeof m[name] === "function" || (name === "HEAD" && typeof m.GET === "function") || name === "OPTIONS") allow.push(name);
  }
  r.allow = allow.join(", ");
  r.loaded = true;
}

// Whether a generateStaticParams entry names these params (a catch-all as its segments).
function sameParams(entry, params) {
  if (entry === null || typeof entry !== "object") return false;
  for (var key in params) {
    if (!Object.prototype.hasOwnProperty.call(params, key)) continue;
    var want = params[key];
    var got = entry[key];
    if (Array.isArray(want)) {
      if (!Array.isArray(got) || got.map(String).join("/") !== want.join("/")) return false;
    } else if (String(got) !== want) {
      return false;
    }
  }
  return true;
}

function minRevalidate(a, b) {
  if (a === undefined || a === false) return b;
  if (b === undefined || b === false) return a;
  return Math.min(a, b);
}

function revalidateJson(rv) {
  if (typeof rv !== "number" || !(rv >= 0) || rv === Infinity) return "null";
  return String(Math.min(Math.floor(rv), REVALIDATE_MAX_S));
}

// ---- one render --------------------------------------------------------------------------

function Render(msg, route) {
  this.id = msg.id;
  this.msg = msg;
  this.route = route;
  this.params = msg.params !== null && typeof msg.params === "object" ? msg.params : {};
  this.mode = MODE_PAGE;
  this.phase = PHASE_LEAF;
  // Send the page as it completes (the shell, then each Suspense boundary): asked by the
  // server for pages it does not cache. `tail` is the document's end, sent last.
  this.stream = msg.stream === true;
  this.streamStarted = false;
  this.tail = "";
  this.status = 200;
  this.finished = false;
  this.tracked = false;
  this.dynamic = false;
  this.fatal = null;
  this.failure = null;
  this.fetchCount = 0;
  this.timerCount = 0;
  this.logBytes = 0;
  this.pendingFetches = null;
  this.fetchRevalidate = undefined;
  this.extraTags = null;
  this.setCookies = null;
  this.publishes = null;
  this.cookieStore = null;
  this.headersObject = null;
  this.searchObject = null;
  this.requestObject = null;
  this.origin = null;
  this.leaf = null;
  this.leafId = "";
  this.props = null;
  this.layoutIds = null;
  this.prism = null;
  this.html = "";
  this.head = "";
  this.headTail = ""; // after the icon links: the title Next's own 404 page renders
  this.metas = null;
  this.metaIndex = 0;
  this.dropBody = false;
  this.onValue = null;
  this.onError = null;
  this.triedGlobalError = false;
  this.unmatched = false; // params generateStaticParams does not list (dynamicParams = false)
  this.listIndex = -1; // the route whose generateStaticParams is awaited (pre-render list)
  this.listed = null;
}

function startRender(msg) {
  var route = routeOf(msg.route);
  var c = new Render(msg, route !== undefined ? route : rootRouteOrEmpty());
  currentRender = c;
  if (route === undefined) startNotFound(c);
  else if (route === middlewareRoute) startMiddleware(c);
  else if (route === staticParamsRoute) startStaticParams(c);
  else if (route.metadata !== null) startMetadataRoute(c);
  else if (route.handler !== null) startHandler(c);
  else if (route.page !== null) startPage(c);
  else startNotFound(c);
}

function rootRouteOrEmpty() {
  if (rootRoute === null) rootRoute = makeRootRoute([]);
  return rootRoute;
}

function startPage(c) {
  var r = c.route;
  if (r.slotMissing) {
    // A parallel-route slot has no page for this URL and no default: Next answers 404.
    startNotFound(c);
    return;
  }
  try {
    if (!r.loaded) loadPageRoute(r);
  } catch (e) {
    fail(c, e);
    return;
  }
  c.leaf = r.pageModule.default;
  c.leafId = r.page;
  c.layoutIds = r.layouts;
  c.props = new PageProps(c);
  c.phase = typeof r.pageModule.loader === "function" ? PHASE_LOADER : PHASE_PAGE;
  if (!r.dynamicParams && typeof r.pageModule.generateStaticParams === "function") {
    // `dynamicParams = false`: only the params generateStaticParams lists exist (asked once
    // per engine, as Next asks once per build); any other is a 404.
    c.phase = PHASE_STATIC_PARAMS;
    var listed;
    try {
      listed = r.staticParams !== null ? r.staticParams : r.pageModule.generateStaticParams({ params: c.params });
    } catch (e) {
      fail(c, e);
      return;
    }
    run(c, listed);
    return;
  }
  run(c, undefined);
}

function run(c, value) {
  for (;;) {
    if (c.finished) return;
    if (c.prism !== null) globalThis.__prism.enterRender(c.prism);
    try {
      if (value !== null && (typeof value === "object" || typeof value === "function") && typeof value.then === "function") {
        suspend(c, value);
        return;
      }
      value = step(c, value);
    } catch (e) {
      fail(c, e);
      return;
    }
  }
}

function suspend(c, thenable) {
  trackRender(c);
  if (c.onValue === null) {
    c.onValue = function (v) {
      currentRender = c;
      run(c, v);
    };
    c.onError = function (e) {
      currentRender = c;
      fail(c, e);
    };
  }
  thenable.then(c.onValue, c.onError);
}

function trackRender(c) {
  if (c.tracked) return;
  c.tracked = true;
  liveRenders[c.id] = c;
}

function step(c, v) {
  switch (c.phase) {
    case PHASE_STATIC_PARAMS:
      if (!Array.isArray(v)) throw new TypeError(c.route.page + ": generateStaticParams must return an array of params");
      c.route.staticParams = v;
      if (!v.some(function (entry) { return sameParams(entry, c.params); })) {
        // As Next answers a URL no route has: its own 404 title, never cached.
        c.unmatched = true;
        c.dynamic = true;
        notFound();
      }
      c.phase = typeof c.route.pageModule.loader === "function" ? PHASE_LOADER : PHASE_PAGE;
      return undefined;
    case PHASE_LOADER:
      c.phase = PHASE_PAGE;
      return c.route.pageModule.loader(new LoaderArgs(c));
    case PHASE_PAGE:
      c.props.data = v;
      c.phase = PHASE_LEAF;
      return undefined;
    case PHASE_LEAF:
      // The page inside its layouts, outermost first, rendered as React does: parents
      // before children, so a provider in a layout reaches the page's components.
      c.phase = PHASE_LEAF_HTML;
      c.prism = globalThis.__prism.beginRender();
      if (c.stream && c.mode === MODE_PAGE) c.prism.streaming = true;
      c.html = globalThis.__prism.render(tree(c));
      return undefined;
    case PHASE_LEAF_HTML:
      // Async components, use(promise) and lazy() left placeholders: wait, render, repeat.
      // A streamed page waits for its shell only (what is outside the waiting boundaries).
      if (!globalThis.__prism.settleReady() && !(c.prism.streaming && globalThis.__prism.shellReady(c.html))) {
        return c.prism.streaming ? globalThis.__prism.nextPromise() : globalThis.__prism.pendingPromise();
      }
      c.phase = PHASE_HEAD;
      return globalThis.__prism.fill(c.html);
    case PHASE_HEAD:
      c.html = v;
      if (c.mode === MODE_PAGE) {
        if (c.route.staticHead === null) {
          c.metas = [];
          c.metaIndex = -1;
          c.phase = PHASE_META;
          return undefined;
        }
        c.head = c.route.staticHead;
      }
      c.phase = PHASE_DOCUMENT;
      return undefined;
    case PHASE_META:
      return metadataStep(c, v);
    case PHASE_DOCUMENT:
      finishDocument(c);
      return undefined;
    case PHASE_HANDLER:
      finishHandler(c, v);
      return undefined;
    case PHASE_MIDDLEWARE:
      finishMiddleware(c, v);
      return undefined;
    case PHASE_METADATA_ROUTE:
      finishMetadataRoute(c, v);
      return undefined;
    case PHASE_SITEMAP_IDS:
      return sitemapById(c, v);
    case PHASE_LIST_STATIC_PARAMS:
      return listStaticParamsStep(c, v);
    case PHASE_STREAM:
      return streamStep(c);
    default:
      throw new Error("render state machine: bad phase " + c.phase);
  }
}

// One segment's metadata per step (each may be awaited), then one segment's viewport per step:
// layouts get {params}, the page its own props ({params, searchParams, data}).
function metadataStep(c, v) {
  if (c.metaIndex >= 0) c.metas.push(v);
  c.metaIndex++;
  var segments = c.route.segments;
  var n = segments.length;
  if (c.metaIndex === 2 * n) {
    c.head = headHtml(c.metas.slice(0, n), c.metas.slice(n), false, c.route.socialPlan, c.route.ownLayout);
    c.phase = PHASE_DOCUMENT;
    return undefined;
  }
  var i = c.metaIndex < n ? c.metaIndex : c.metaIndex - n;
  var s = segments[i];
  var props = i === n - 1 ? c.props : { params: c.params };
  if (c.metaIndex < n) return typeof s.generateMetadata === "function" ? s.generateMetadata(props) : s.metadata;
  return typeof s.generateViewport === "function" ? s.generateViewport(props) : s.viewport;
}

// The element tree of a render: the leaf (page, not-found or error component) with its
// props, inside each layout with `{children, params}`; a `loading` module in the chain is a
// Suspense boundary with it as the fallback. The server renders the page whole (no
// streaming yet), so a boundary is always complete when the HTML is sent: it shows as
// React's `<!--$-->…<!--/$-->` around its content and the fallback never renders.
function tree(c) {
  var prism = globalThis.__prism;
  // `jsx` keeps the props object as given: the page's has getters (searchParams) that mark
  // the render dynamic when read.
  var element = prism.jsx(component(c.leaf, c.leafId), c.props);
  var slots = c.mode === MODE_PAGE ? c.route.slots : [];
  var ids = c.layoutIds;
  linkStyles(ids);
  for (var s = 0; s < slots.length; s++) linkStyles([slots[s][2]]);
  linkStyles([c.leafId]);
  for (var i = ids.length - 1; i >= 0; i--) {
    var id = ids[i];
    if (isLoading(id)) {
      element = suspense(id, element);
      continue;
    }
    var props = { children: element, params: c.params };
    // Parallel routes: each slot's page (or default) as a prop named after the slot, inside
    // the template and loading boundary of the layout's folder as the children are.
    var template = null;
    var loading = null;
    for (var k = i + 1; k < ids.length && dirOf(ids[k]) === dirOf(id); k++) {
      if (isTemplateOf(ids[k], id)) template = ids[k];
      else if (isLoading(ids[k])) loading = ids[k];
    }
    for (var j = 0; j < slots.length; j++) {
      if (slots[j][0] !== id) continue;
      var slotId = slots[j][2];
      var slot = prism.jsx(component(requireModule(slotId).default, slotId), c.props);
      if (loading !== null) slot = suspense(loading, slot);
      if (template !== null) slot = prism.jsx(component(requireModule(template).default, template), { children: slot, params: c.params });
      props[slots[j][1]] = slot;
    }
    element = prism.jsx(component(requireModule(id).default, id), props);
  }
  return element;
}

function suspense(loadingId, children) {
  var prism = globalThis.__prism;
  var fallback = prism.jsx(component(requireModule(loadingId).default, loadingId), {});
  return prism.jsx(prism.modules.react.Suspense, { fallback: fallback, children: children });
}

// `app/x/template.tsx` next to `app/x/layout.tsx`.
function isTemplateOf(candidate, layoutId) {
  return dirOf(candidate) === dirOf(layoutId) && candidate.slice(dirOf(candidate).length).indexOf("template.") === 0;
}

function component(value, id) {
  if (value === null || (typeof value !== "function" && typeof value !== "object")) {
    throw new TypeError(id + " has no default export to render");
  }
  return value;
}

function finishDocument(c) {
  if (c.fatal !== null && c.mode !== MODE_ERROR) {
    fail(c, c.fatal);
    return;
  }
  // prism's finish() resolves its markers (elements React hoists into <head>) once the
  // document is whole; the metadata tags then go before </head>.
  // Both in one assembly when there is a layout (always, for a page): every extra pass over a
  // large page would copy it again.
  var prism = globalThis.__prism;
  var html;
  var head = metadataFilesHead === "" && c.headTail === "" ? c.head : c.head + metadataFilesHead + c.headTail;
  if (c.layoutIds.length > 0 && typeof prism.finish === "function") {
    html = prism.finish(c.html, head, "<!DOCTYPE html>");
  } else {
    html = typeof prism.finish === "function" ? prism.finish(c.html) : c.html;
    if (head !== "") html = insertHead(html, head);
    if (html.slice(0, 5) === "<html") html = "<!DOCTYPE html>" + html;
  }
  if (c.prism !== null && c.prism.streaming) {
    prism.placeBoundaries(html);
    if (!prism.streamDone()) {
      startStream(c, html);
      return;
    }
  }
  finish(c, c.status, HTML_HEADERS, beforeBodyEnd(html, clientTail(c)));
}

// ---- streaming ---------------------------------------------------------------------------
//
// A streamed page goes out as chunk records: the document up to `</body>` with each waiting
// boundary's fallback (the first chunk carries the status and headers), then each boundary's
// content as it completes (PRISM writes React's format), then the `done` record with the
// document's end. A failure after the first chunk cannot change the status any more: it is
// reported with `done` (and logged), and the boundaries not yet completed keep their
// fallback, as React leaves them to the browser.

function startStream(c, html) {
  var end = html.lastIndexOf("</body>");
  if (end === -1) end = html.length;
  c.tail = html.slice(end);
  c.streamStarted = true;
  outbox.push('{"k":"chunk","id":' + c.id + ',"status":' + c.status + ',"headers":' + HTML_HEADERS + "}", html.slice(0, end));
  c.phase = PHASE_STREAM;
}

function streamStep(c) {
  var prism = globalThis.__prism;
  prism.settleReady();
  var completed = prism.streamReady();
  if (completed !== "") outbox.push('{"k":"chunk","id":' + c.id + "}", completed);
  // Done, or nothing left that could complete a boundary.
  var waiting = prism.streamDone() ? null : prism.nextPromise();
  if (waiting === null) {
    finish(c, c.status, HTML_HEADERS, clientTail(c) + c.tail);
    return undefined;
  }
  return waiting;
}

// The field a render's published events ride on (see finish); never sent to a client.
var PUBLISH_FIELD = "x-bext-publish";

function finish(c, status, headersJson, body) {
  c.finished = true;
  // Drop the render's state (its placeholders hold HTML) rather than keep it until the next.
  if (c.prism !== null) {
    globalThis.__prism.endRender(c.prism);
    c.prism = null;
  }
  if (c.tracked && liveRenders[c.id] === c) delete liveRenders[c.id];
  if (currentRender === c) currentRender = null;
  // Events the render published ride with its answer, as fields the server takes off.
  if (c.publishes !== null) {
    var pairs = JSON.parse(headersJson);
    for (var i = 0; i < c.publishes.length; i++) pairs.push([PUBLISH_FIELD, JSON.stringify(c.publishes[i])]);
    headersJson = JSON.stringify(pairs);
    c.publishes = null;
  }
  outbox.push(doneMeta(c, status, headersJson), body);
}

function doneMeta(c, status, headersJson) {
  var r = c.route;
  var rv = minRevalidate(r.revalidate, c.fetchRevalidate);
  var dynamic = c.dynamic || r.forceDynamic || rv === 0 || c.failure !== null;
  var tags = c.extraTags === null ? r.tagsJson : JSON.stringify(r.tags.concat(c.extraTags));
  var error = c.failure === null ? "null" : JSON.stringify({ message: c.failure.message, stack: c.failure.stack, digest: c.failure.digest });
  return (
    '{"k":"done","id":' + c.id + ',"status":' + status + ',"headers":' + headersJson + ',"revalidate":' + revalidateJson(rv) +
    ',"dynamic":' + dynamic + ',"tags":' + tags + ',"error":' + error + "}"
  );
}

// ---- failures ----------------------------------------------------------------------------

function fail(c, e) {
  if (c.finished) return;
  if (c.streamStarted) {
    // The status and the shell are out: report, and end the document.
    c.failure = failureOf(e);
    finish(c, c.status, HTML_HEADERS, c.tail);
    return;
  }
  var signal;
  try {
    signal = e !== null && typeof e === "object" ? e.__bext_signal : undefined;
  } catch (x) {
    signal = undefined;
  }
  if (signal === SIGNAL_REDIRECT && c.mode !== MODE_ERROR) finishRedirect(c, e);
  else if (c.mode === MODE_HANDLER) failHandler(c, e, signal);
  else if (signal === SIGNAL_NOT_FOUND && c.mode === MODE_PAGE) startNotFound(c);
  else if (c.mode === MODE_ERROR) finishBuiltinError(c, e);
  else startError(c, failureOf(e), 500);
}

function finishRedirect(c, e) {
  var location;
  try {
    location = headerValue(e.location);
  } catch (x) {
    e = x;
    location = null;
  }
  if (location === null) {
    c.mode === MODE_HANDLER ? failHandler(c, e, undefined) : startError(c, failureOf(e), 500);
    return;
  }
  if (nextSite.basePath !== "" && location.charAt(0) === "/" && location.charAt(1) !== "/") location = nextSite.basePath + location;
  // A page's redirect keeps the page's type although it has no body, as Next.js sends it (a
  // route handler's empty answer has none).
  finish(c, e.status, '[["location",' + JSON.stringify(location) + '],["content-type","text/html; charset=utf-8"]]', "");
}

function startNotFound(c) {
  var r = c.route;
  c.mode = MODE_NOT_FOUND;
  c.status = 404;
  if (r.notFound === null && r.layouts.length === 0) {
    finish(c, 404, HTML_HEADERS, BUILTIN_404);
    return;
  }
  try {
    if (r.notFound !== null) {
      c.leaf = requireModule(r.notFound).default;
      c.leafId = r.notFound;
      c.layoutIds = layoutsAbove(r.layouts, r.notFound);
      c.head = boundaryHead(c.layoutIds, dirOf(r.notFound));
    } else {
      c.leaf = BuiltinNotFound;
      c.leafId = "the built-in not-found page";
      c.layoutIds = r.layouts.slice(0, 1);
      // Next's own not-found page names itself for a URL no route matches; for notFound()
      // from a page it keeps the layout's title.
      // (Its <title> element comes last, after the metadata's, as React hoists it.)
      var unmatched = c.unmatched || (r.page === null && r.handler === null);
      c.head = boundaryHead(c.layoutIds, c.layoutIds.length > 0 ? dirOf(c.layoutIds[0]) : "");
      if (unmatched) c.headTail = BUILTIN_404_TITLE;
    }
  } catch (e) {
    startError(c, failureOf(e), 500);
    return;
  }
  c.props = {};
  c.phase = PHASE_LEAF;
  run(c, undefined);
}

function BuiltinNotFound() {
  return new globalThis.__prism.Html("<h1>404</h1><p>This page could not be found.</p>");
}

// The head of a not-found or error page: the static metadata of its layouts and the image
// files of the folders down to `dir`.
function boundaryHead(layoutIds, dir) {
  return headHtml(layoutMetas(layoutIds), layoutViewports(layoutIds), true, socialPlan(layoutIds, dir, false));
}

// The static `viewport` and `metadata` of the layouts around a not-found or error page
// (generateMetadata is not called there: it may be what failed).
function layoutViewports(layoutIds) {
  var viewports = [];
  for (var i = 0; i < layoutIds.length; i++) viewports.push(requireModule(layoutIds[i]).viewport);
  return viewports;
}

function layoutMetas(layoutIds) {
  var metas = [];
  for (var i = 0; i < layoutIds.length; i++) metas.push(requireModule(layoutIds[i]).metadata);
  return metas;
}

var BUILTIN_404_TITLE = "<title>404: This page could not be found.</title>";

function startError(c, failure, status) {
  var r = c.route;
  c.failure = failure;
  c.mode = MODE_ERROR;
  c.status = status;
  c.dynamic = true;
  if (r.error === null && r.layouts.length === 0) {
    finishBuiltinError(c, null);
    return;
  }
  try {
    if (r.error !== null) {
      c.leaf = errorPage(r.error);
      c.leafId = r.error;
      c.layoutIds = layoutsAbove(r.layouts, r.error);
    } else {
      // Next's own error page, inside the root layout.
      c.leaf = BuiltinError;
      c.leafId = "the built-in error page";
      c.layoutIds = r.layouts.slice(0, 1);
    }
    c.head = boundaryHead(c.layoutIds, r.error !== null ? dirOf(r.error) : c.layoutIds.length > 0 ? dirOf(c.layoutIds[0]) : "");
  } catch (e) {
    finishBuiltinError(c, e);
    return;
  }
  // Only a message and the digest reach the page (`pageError`): the stack stays in the log.
  // An error page that hydrates gets a `reset` that renders the page again (see `errorPage`).
  c.props = {
    error: pageError(failure),
    reset: c.leaf !== null && c.leaf.$$bextClient !== undefined ? globalThis.__prism.refreshProp : noop,
  };
  c.phase = PHASE_LEAF;
  run(c, undefined);
}

function noop() {}

// What Next's production builds give an error page for a server error: React's message #441
// (the real one "is omitted in production builds to avoid leaking sensitive details") and
// the digest that finds it in the server's log. `bext dev`, like `next dev`, gives the message.
var OMITTED_ERROR_MESSAGE =
  "Minified React error #441; visit https://react.dev/errors/441 for the full message or use the non-minified dev environment for full errors and additional helpful warnings.";

function pageError(failure) {
  var message = processEnv.NODE_ENV === "production" ? OMITTED_ERROR_MESSAGE : failure.message;
  return { message: message, digest: failure.digest };
}

// `error.tsx`'s component: under Next a client component (it is given `reset`). It hydrates
// when the app has a browser build with its chunk (an app whose only client component is
// its error page gets no JavaScript for it): then it is rendered as a client boundary, and
// its `reset` crosses as a marker the browser turns into "render this page again". Otherwise
// it is rendered on the server only.
function errorPage(id) {
  var type = requireModule(id).default;
  if (clientManifest !== null && clientManifest.chunks[id] !== undefined) return type;
  return serverRendered(type);
}

// A client component rendered on the server only (`global-error.tsx`, which renders the
// whole document, and error pages without a browser chunk): no boundary, so its props (a
// `reset` function among them) do not cross to the browser.
function serverRendered(type) {
  if (typeof type !== "function" || type.$$bextClient === undefined) return type;
  return function (props) {
    return type(props);
  };
}

// `import.meta` of module `id`: its file under the app's root, as Node gives it (`url`,
// `filename`, `dirname`), so `new URL("./data.json", import.meta.url)` reaches the file.
function importMeta(id) {
  var file = (appRoot === "/" ? "" : appRoot) + "/" + id;
  return { url: pathToFileURL(file).href, filename: file, dirname: file.slice(0, file.lastIndexOf("/")) || "/" };
}

function BuiltinError(props) {
  return new globalThis.__prism.Html(
    "<h2>Application error: a server-side exception has occurred (see the server logs for more information).</h2><p>Digest: " +
      escapeHtml(props.error.digest) +
      "</p>"
  );
}

// `app/global-error.tsx`: the error page when no error.tsx applies or the error page itself
// failed (a root layout that throws); it renders the whole document, without layouts.
function startGlobalError(c) {
  var r = c.route;
  c.triedGlobalError = true;
  try {
    c.leaf = serverRendered(requireModule(r.globalError).default);
    c.leafId = r.globalError;
    c.layoutIds = [];
    // The root layout's metadata still names the page, as under Next.
    var root = r.layouts.slice(0, 1);
    c.head = boundaryHead(root, root.length > 0 ? dirOf(root[0]) : "");
  } catch (e) {
    finishBuiltinError(c, e);
    return;
  }
  c.props = { error: pageError(c.failure), reset: noop };
  c.phase = PHASE_LEAF;
  run(c, undefined);
}

function finishBuiltinError(c, secondary) {
  if (c.route.globalError !== null && !c.triedGlobalError && c.failure !== null) {
    if (secondary !== null) c.failure.message += " (then the error page failed: " + failureOf(secondary).message + ")";
    c.mode = MODE_ERROR;
    c.dynamic = true;
    startGlobalError(c);
    return;
  }
  if (c.failure === null) c.failure = failureOf(secondary);
  else if (secondary !== null) c.failure.message += " (then the error page failed: " + failureOf(secondary).message + ")";
  c.mode = MODE_ERROR;
  c.dynamic = true;
  finish(c, c.status >= 500 ? c.status : 500, HTML_HEADERS, builtin500(c.failure.digest));
}

function builtin500(digest) {
  return (
    "<!DOCTYPE html><html><head>" + BUILTIN_HEAD + '<meta name="robots" content="noindex"/><title>500: Internal Server Error</title></head>' +
    "<body><h1>500</h1><p>Internal Server Error</p><p>Digest: " + escapeHtml(digest) + "</p></body></html>"
  );
}

function failureOf(e) {
  var message;
  var stack = "";
  try {
    if (e !== null && typeof e === "object") {
      message = String(e.message !== undefined ? e.message : e);
      if (typeof e.stack === "string") stack = e.stack;
    } else {
      message = String(e);
    }
  } catch (x) {
    message = "an exception that cannot be printed";
  }
  return { message: message, stack: stack, digest: digestOf(message + "\n" + stack) };
}

// FNV-1a: a short, stable id shown on the error page and logged with the full error, so the
// two can be matched without showing the stack to the visitor.
function digestOf(s) {
  var h = 0x811c9dc5;
  for (var i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return String(h);
}

// `op:"error"`: the engine failed (deadline, heap) on render `id`; Rust asks for the error page.
function renderErrorPage(msg) {
  var old = liveRenders[msg.id];
  if (old !== undefined) {
    old.finished = true; // its late continuations, if any, are ignored
    delete liveRenders[msg.id];
  }
  var route = routeOf(msg.route);
  var c = new Render(msg, route !== undefined ? route : rootRouteOrEmpty());
  currentRender = c;
  var message = String(msg.message);
  var status = typeof msg.status === "number" && msg.status >= 500 && msg.status <= 599 ? msg.status : 500;
  var failure = { message: message, stack: "", digest: digestOf(message) };
  if (c.route.handler !== null) {
    // An API route answers in its own terms, not with an HTML page.
    c.mode = MODE_HANDLER;
    c.failure = failure;
    c.dynamic = true;
    finish(c, status, TEXT_HEADERS, "Internal Server Error");
    return;
  }
  startError(c, failure, status);
}

// ---- globals -----------------------------------------------------------------------------

var G = globalThis;
G.__bext_define = defineModule;
G.__bext_require = requireModule;
G.__bext_context_import = contextImport;
G.__bext_export = exportLive;
G.__bext_default = defaultOf;
G.__bext_compile_error = compileError;
G.__bext_routes = setRoutes;
G.__bext_middleware = setMiddleware;
G.__bext_next_site = setNextSite;
G.__bext_images = setImageConfig;
G.__bext_media = mediaUrl;
G.__bext_font = nextFont;
G.__bext_styles = setModuleStyles;
G.__bext_client = setClientManifest;
G.__bext_import_meta = importMeta;
G.__bext_metadata_head = setMetadataHead;
G.__bext_social_images = setSocialImages;
G.__bext_next_config = nextConfigStart;
G.__bext_next_config_result = nextConfigResult;
G.__bext_in = bextIn;
G.__bext_out = bextOut;
G.__bext_configure = configure;
G.Headers = Headers;
G.Request = Request;
G.Response = Response;
G.fetch = fetchImpl;
if (typeof G.URL !== "function") G.URL = URLImpl;
if (typeof G.URLSearchParams !== "function") G.URLSearchParams = URLSearchParamsImpl;
if (typeof G.queueMicrotask !== "function") {
  G.queueMicrotask = function (fn) {
    Promise.resolve().then(fn);
  };
}
installConsole(G);
installLocaleFormatting();
installTimers(G);
installCrypto(G);
installWebPlatform(G);
installNode(G);
installBlob(G);
// process.env: the server's environment and the app's .env files, as Next.js loads them
// (render/src/env.rs), put in the bundle as `__bext_env`; packages branch on NODE_ENV.
var processEnv = typeof G.__bext_env === "object" && G.__bext_env !== null ? G.__bext_env : { NODE_ENV: "production" };
delete G.__bext_env;
if (typeof G.process !== "object" || G.process === null) G.process = { env: processEnv };
else G.process.env = processEnv;
// process.cwd(): the app's root, where `next start` runs.
if (typeof G.__bext_root === "string") appRoot = G.__bext_root;
delete G.__bext_root;
G.process.cwd = processCwd;
