// The request as app code sees it: headers, cookies, origin, searchParams, the page and loader
// argument objects. Everything is built lazily, on first read, and reading anything
// request-specific marks the render dynamic. Part of APP_RUNTIME_JS (see registry.js).

// A header of the request as Rust sent it (names compared case-insensitively; repeated
// headers joined as the HTTP spec allows, cookies with "; ").
function headerOf(c, name) {
  var list = c.msg.headers;
  if (!Array.isArray(list)) return null;
  var value = null;
  for (var i = 0; i < list.length; i++) {
    var pair = list[i];
    if (String(pair[0]).toLowerCase() !== name) continue;
    value = value === null ? String(pair[1]) : value + (name === "cookie" ? "; " : ", ") + pair[1];
  }
  return value;
}

function requestHeaders(c) {
  if (c.headersObject !== null) return c.headersObject;
  var h = new Headers();
  var list = c.msg.headers;
  if (Array.isArray(list)) {
    for (var i = 0; i < list.length; i++) {
      try {
        h.append(list[i][0], list[i][1]);
      } catch (e) {
        // A header the Fetch API cannot represent is left out rather than failing the page.
      }
    }
  }
  c.headersObject = h;
  return h;
}

function requestOrigin(c) {
  if (c.origin !== null) return c.origin;
  var host = headerOf(c, "host");
  var proto = headerOf(c, "x-forwarded-proto") === "https" ? "https" : "http";
  c.origin = proto + "://" + (host !== null && /^[A-Za-z0-9.\-:\[\]]+$/.test(host) ? host : "localhost");
  return c.origin;
}

function requestObjectOf(c) {
  if (c.requestObject !== null) return c.requestObject;
  var url = typeof c.msg.url === "string" ? c.msg.url : "/";
  var r = new Request(requestOrigin(c) + (url.charAt(0) === "/" ? url : "/" + url), {
    method: typeof c.msg.method === "string" ? c.msg.method : "GET",
    headers: requestHeaders(c),
  });
  r._body = typeof c.msg.body === "string" ? c.msg.body : null;
  c.requestObject = r;
  return r;
}

// Next.js shape: {key: "v"} or {key: ["v1", "v2"]} for repeated keys.
function searchParamsOf(c) {
  if (c.searchObject !== null) return c.searchObject;
  var url = typeof c.msg.url === "string" ? c.msg.url : "";
  var q = url.indexOf("?");
  var out = {};
  if (q >= 0) {
    var hash = url.indexOf("#", q);
    var list = [];
    parseQueryInto(url.slice(q + 1, hash < 0 ? url.length : hash), list);
    for (var i = 0; i < list.length; i++) {
      var k = list[i][0];
      if (k === "__proto__") continue;
      var prev = out[k];
      if (prev === undefined || !Object.prototype.hasOwnProperty.call(out, k)) out[k] = list[i][1];
      else if (Array.isArray(prev)) prev.push(list[i][1]);
      else out[k] = [prev, list[i][1]];
    }
  }
  c.searchObject = out;
  return out;
}

// Props of a page (and of its generateMetadata). `searchParams` is a getter on the prototype
// so that reading it marks the response dynamic, without a closure per request.
function PageProps(c) {
  this.params = c.params;
  this.data = undefined;
  this[RENDER_KEY] = c;
}
Object.defineProperty(PageProps.prototype, "searchParams", {
  enumerable: true,
  get: function () {
    var c = this[RENDER_KEY];
    c.dynamic = true;
    return searchParamsOf(c);
  },
});

// The argument of a loader: everything but params is request-specific, hence dynamic.
function LoaderArgs(c) {
  this.params = c.params;
  this[RENDER_KEY] = c;
}
Object.defineProperties(LoaderArgs.prototype, {
  searchParams: {
    enumerable: true,
    get: function () {
      var c = this[RENDER_KEY];
      c.dynamic = true;
      return searchParamsOf(c);
    },
  },
  headers: {
    enumerable: true,
    get: function () {
      var c = this[RENDER_KEY];
      c.dynamic = true;
      return requestHeaders(c);
    },
  },
  cookies: {
    enumerable: true,
    get: function () {
      var c = this[RENDER_KEY];
      c.dynamic = true;
      if (c.cookieStore === null) c.cookieStore = new CookieStore(c);
      return c.cookieStore;
    },
  },
  request: {
    enumerable: true,
    get: function () {
      var c = this[RENDER_KEY];
      c.dynamic = true;
      return requestObjectOf(c);
    },
  },
});

