// Route handlers (`app/**/route.ts`): the exported function for the request's method gets a
// Fetch API Request and returns a Response. Part of APP_RUNTIME_JS (see registry.js).
//
// Cache rules differ from pages: a handler is dynamic unless its module opts in (see
// loadHandlerRoute in app.js), a non-GET/HEAD method or Set-Cookie is never cached, and the
// X-Cache-Tags response header is turned into cache tags and not sent to the client. Failures
// answer in plain text: an API client has no use for an HTML error page.

function startHandler(c) {
  var r = c.route;
  c.mode = MODE_HANDLER;
  try {
    if (!r.loaded) loadHandlerRoute(r);
  } catch (e) {
    fail(c, e);
    return;
  }
  var m = r.handlerModule;
  var method = String(c.msg.method).toUpperCase();
  var fn = m[method];
  if (typeof fn !== "function" && method === "HEAD") {
    fn = m.GET;
    c.dropBody = true;
  }
  if (typeof fn !== "function") {
    c.dynamic = true;
    finish(c, method === "OPTIONS" ? 204 : 405, '[["allow",' + JSON.stringify(r.allow) + "]]", "");
    return;
  }
  if (method !== "GET" && method !== "HEAD") c.dynamic = true;
  c.phase = PHASE_HANDLER;
  var result;
  try {
    result = fn(asNextRequest(requestObjectOf(c), c), { params: c.params });
  } catch (e) {
    fail(c, e);
    return;
  }
  run(c, result);
}

function finishHandler(c, response) {
  if (c.fatal !== null) throw c.fatal;
  if (!(response instanceof Response)) {
    throw new TypeError("the " + c.msg.method + " handler of " + c.route.handler + " did not return a Response");
  }
  var h = response.headers;
  // X-Cache-Tags is a directive to bext's cache, not for the client.
  var tagHeader = h.get("x-cache-tags");
  if (tagHeader !== null) {
    h.delete("x-cache-tags");
    if (c.extraTags === null) c.extraTags = [];
    var parts = tagHeader.split(",");
    for (var i = 0; i < parts.length; i++) {
      var tag = parts[i].trim();
      if (tag !== "") c.extraTags.push(tag);
    }
  }
  var cacheControl = h.get("cache-control");
  if (cacheControl !== null && /no-store|private|no-cache/i.test(cacheControl)) c.dynamic = true;
  if (c.setCookies !== null) {
    c.dynamic = true;
    for (var j = 0; j < c.setCookies.length; j++) h.append("set-cookie", c.setCookies[j]);
  }
  var status = response.status === 0 ? 500 : response.status;
  var body = c.dropBody || response._body === null ? "" : response._body;
  finish(c, status, JSON.stringify(h._pairs()), body);
}

function failHandler(c, e, signal) {
  c.dynamic = true;
  if (signal === SIGNAL_NOT_FOUND) {
    finish(c, 404, TEXT_HEADERS, c.dropBody ? "" : "Not Found");
    return;
  }
  c.failure = failureOf(e);
  finish(c, 500, TEXT_HEADERS, c.dropBody ? "" : "Internal Server Error");
}

