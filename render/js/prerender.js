// The pages to pre-render when the server starts: every page route's generateStaticParams,
// asked as a render of its own (route STATIC_PARAMS_ROUTE, see
// net/server/src/service/app/prerender.rs) and answered as JSON,
// `[{"route": <index>, "params": [{...}, ...]}, ...]`. Each list is kept on its route, so a
// `dynamicParams = false` check later asks nothing again, as Next asks once per build.
//
// A route whose module fails to load, or that says `dynamic = "force-dynamic"` (never
// cached), is left out; a generateStaticParams that throws fails the whole answer, which the
// server logs (the pages then render on first request, as without pre-rendering).

var STATIC_PARAMS_ROUTE = 4294967294; // u32::MAX - 1
var STATIC_PARAMS_HEADERS = '[["content-type","application/json"]]';
var staticParamsRoute = null;

function staticParamsMarker() {
  if (staticParamsRoute === null) {
    staticParamsRoute = new Route({});
    staticParamsRoute.loaded = true;
    staticParamsRoute.forceDynamic = true;
  }
  return staticParamsRoute;
}

function startStaticParams(c) {
  c.mode = MODE_HANDLER;
  c.dynamic = true;
  c.phase = PHASE_LIST_STATIC_PARAMS;
  c.listIndex = -1;
  c.listed = [];
  run(c, undefined);
}

// One route's generateStaticParams per step: `v` is the list of the route asked last.
function listStaticParamsStep(c, v) {
  if (c.listIndex >= 0) {
    var asked = routes[c.listIndex];
    if (!Array.isArray(v)) throw new TypeError(asked.page + ": generateStaticParams must return an array of params");
    asked.staticParams = v;
    c.listed.push({ route: c.listIndex, params: v });
  }
  for (var i = c.listIndex + 1; i < routes.length; i++) {
    var r = routes[i];
    if (r.page === null || r.pattern.indexOf("[") < 0) continue;
    try {
      if (!r.loaded) loadPageRoute(r);
    } catch (e) {
      continue;
    }
    if (r.forceDynamic || typeof r.pageModule.generateStaticParams !== "function") continue;
    c.listIndex = i;
    return r.pageModule.generateStaticParams({ params: {} });
  }
  finish(c, 200, STATIC_PARAMS_HEADERS, JSON.stringify(c.listed));
  return undefined;
}
