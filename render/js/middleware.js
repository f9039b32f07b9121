// Middleware (`middleware.ts`, or `proxy.ts` since Next 16): run in the shard's engine before
// routing, as a render of its own (route MIDDLEWARE_ROUTE). It answers like a route handler,
// and its answer's markers tell the server what to do next, as in Next.js:
// `x-middleware-next` (go on, adding the other headers to the final answer),
// `x-middleware-rewrite` (go on with another URL), `x-middleware-override-headers` with
// `x-middleware-request-<name>` (the request headers the page sees), or an ordinary answer
// (a redirect, a 401, JSON) that is sent as it is.

var MIDDLEWARE_ROUTE = 4294967295; // u32::MAX, as render/src/renderer.rs sends it
var middlewareRoute = null;

// `__bext_middleware("<module id>")`, emitted by the linker when the app has middleware.
function setMiddleware(id) {
  middlewareRoute = new Route({ handler: id });
  middlewareRoute.loaded = true;
  middlewareRoute.forceDynamic = true;
}

function middlewareFunction(m) {
  if (m === null || m === undefined) return null;
  if (typeof m.proxy === "function") return m.proxy;
  if (typeof m.middleware === "function") return m.middleware;
  var d = defaultOf(m);
  return typeof d === "function" ? d : null;
}

function routeOf(index) {
  if (index === MIDDLEWARE_ROUTE) return middlewareRoute === null ? undefined : middlewareRoute;
  if (index === STATIC_PARAMS_ROUTE) return staticParamsMarker();
  return typeof index === "number" ? routes[index] : undefined;
}

function startMiddleware(c) {
  c.mode = MODE_HANDLER;
  c.dynamic = true;
  var result;
  try {
    var fn = middlewareFunction(requireModule(c.route.handler));
    if (fn === null) throw new TypeError(c.route.handler + " must export a function named `proxy` or `middleware`");
    c.phase = PHASE_MIDDLEWARE;
    result = fn(asNextRequest(requestObjectOf(c), null), { waitUntil: noop });
  } catch (e) {
    fail(c, e);
    return;
  }
  run(c, result);
}

function finishMiddleware(c, response) {
  if (response === undefined || response === null) {
    finish(c, 200, '[["x-middleware-next","1"]]', "");
    return;
  }
  if (!(response instanceof Response)) {
    throw new TypeError(c.route.handler + " must return a Response, a NextResponse or nothing");
  }
  finishHandler(c, response);
}

// `NextResponse.next({request: {headers}})` and `rewrite(url, {request: {headers}})`: the
// headers the rest of the request sees, as Next marks them.
function markRequestHeaders(init, headers) {
  if (init === null || typeof init !== "object" || init.request === null || typeof init.request !== "object") return;
  var given = init.request.headers;
  if (given === undefined || given === null) return;
  var h = given instanceof Headers ? given : new Headers(given);
  var names = [];
  h.forEach(function (value, name) {
    headers.set("x-middleware-request-" + name, value);
    names.push(name);
  });
  headers.set("x-middleware-override-headers", names.join(","));
}
