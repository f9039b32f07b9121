// `bext/server`: what a page, loader or route handler imports to talk to the request.
//
// There is no AsyncLocalStorage in a bare engine, so "the current request" is `currentRender`,
// set by every protocol message before it runs any app code. That is exact here because one
// message concerns one render and the engine drains every job it queued before the next
// message arrives: the continuations that run in between belong to the render whose message
// woke them. (The one way to break it is a promise shared between two renders, e.g. a
// module-level memo of a fetch: its continuations run under the render that settled it.)

// Thrown by notFound() / redirect(): recognised by the renderer, not errors.
var SIGNAL_NOT_FOUND = 1;
var SIGNAL_REDIRECT = 2;

function notFound() {
  var e = new Error("NEXT_NOT_FOUND");
  e.__bext_signal = SIGNAL_NOT_FOUND;
  e.digest = "NEXT_NOT_FOUND";
  throw e;
}

// redirect(url) → 307 (temporary, keeps the method); redirect(url, 308) or permanentRedirect
// → 308. Next.js's second argument (a RedirectType string) is accepted and ignored.
function redirect(url, status) {
  var e = new Error("NEXT_REDIRECT");
  e.__bext_signal = SIGNAL_REDIRECT;
  e.digest = "NEXT_REDIRECT";
  e.location = String(url);
  e.status = typeof status === "number" && REDIRECT_STATUSES[status] ? status : 307;
  throw e;
}

function permanentRedirect(url) {
  redirect(url, 308);
}

function renderForCall(what) {
  var c = currentRender;
  if (c === null) throw new Error(what + " was called outside a request");
  return c;
}

// cookies(): the request's cookies. Reading them makes the response dynamic (never cached).
// Returns the store itself, not a promise; `await cookies()` works too (Next.js 15 style).
function cookies() {
  var c = renderForCall("cookies()");
  c.dynamic = true;
  if (c.cookieStore === null) c.cookieStore = new CookieStore(c);
  return c.cookieStore;
}

// headers(): the request's headers, as a Headers object. Makes the response dynamic.
function headers() {
  var c = renderForCall("headers()");
  c.dynamic = true;
  return requestHeaders(c);
}

// Opts the current render out of caching without reading anything.
function noStore() {
  renderForCall("noStore()").dynamic = true;
}

function connection() {
  noStore();
  return Promise.resolve();
}

var serverModule = {
  __esModule: true,
  notFound: notFound,
  redirect: redirect,
  permanentRedirect: permanentRedirect,
  cookies: cookies,
  headers: headers,
  unstable_noStore: noStore,
  noStore: noStore,
  connection: connection,
  RedirectType: { push: "push", replace: "replace" },
};

// `bext/realtime`: publish(topic, data, { event }) from a route handler, a server action or a
// page. The event is published once the render finishes (with its answer): `data` a string,
// or any other value as its JSON text. The server checks the topic and the size; without
// `[realtime]` in the config the event is dropped, logged.
function publish(topic, data, options) {
  var c = renderForCall("publish()");
  if (typeof topic !== "string" || topic === "") throw new TypeError("publish(): the topic must be a non-empty string");
  var text = typeof data === "string" ? data : JSON.stringify(data === undefined ? null : data);
  var event = options !== null && typeof options === "object" && typeof options.event === "string" ? options.event : null;
  if (c.publishes === null) c.publishes = [];
  c.publishes.push(event === null ? [topic, text] : [topic, text, event]);
}

var realtimeModule = {
  __esModule: true,
  publish: publish,
};

function CookieStore(c) {
  this._render = c;
  this._map = parseCookieHeader(headerOf(c, "cookie"));
}

function parseCookieHeader(header) {
  var map = new Map();
  if (header === null) return map;
  var parts = header.split(";");
  for (var i = 0; i < parts.length; i++) {
    var part = parts[i];
    var eq = part.indexOf("=");
    if (eq < 0) continue;
    var name = part.slice(0, eq).trim();
    if (name === "" || map.has(name)) continue; // the first one wins, as browsers send the most specific first
    var value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.charAt(0) === '"' && value.charAt(value.length - 1) === '"') value = value.slice(1, -1);
    map.set(name, percentDecode(value));
  }
  return map;
}

// `set(name, value, options)` or `set({name, value, ...options})`, as Next.js takes both.
function cookieSetArgs(name, value, options) {
  if (name !== null && typeof name === "object") {
    options = name;
    value = name.value;
    name = name.name;
  }
  return { name: String(name), value: value === undefined ? "" : String(value), options: options || {} };
}

function cookieArg(nameOrOptions) {
  return nameOrOptions !== null && typeof nameOrOptions === "object" ? String(nameOrOptions.name) : String(nameOrOptions);
}

CookieStore.prototype = {
  constructor: CookieStore,
  get size() { return this._map.size; },
  get: function (name) {
    name = cookieArg(name);
    var value = this._map.get(name);
    return value === undefined ? undefined : { name: name, value: value };
  },
  getAll: function (name) {
    var out = [];
    var only = name === undefined ? undefined : cookieArg(name);
    this._map.forEach(function (value, key) {
      if (only === undefined || only === key) out.push({ name: key, value: value });
    });
    return out;
  },
  has: function (name) { return this._map.has(cookieArg(name)); },
  // set/delete: route handlers only (as in Next.js); they add Set-Cookie to the response.
  set: function (name, value, options) {
    var c = this._render;
    if (c.mode !== MODE_HANDLER) throw new Error("cookies().set() can only be called in a route handler");
    var cookie = cookieSetArgs(name, value, options);
    if (c.setCookies === null) c.setCookies = [];
    c.setCookies.push(serializeCookie(cookie.name, cookie.value, cookie.options));
    this._map.set(cookie.name, cookie.value);
  },
  delete: function (name) {
    this.set(cookieArg(name), "", { maxAge: 0, expires: new Date(0) });
    this._map.delete(cookieArg(name));
  },
  toString: function () {
    var out = [];
    this._map.forEach(function (value, key) { out.push(key + "=" + encodeURIComponent(value)); });
    return out.join("; ");
  },
};
CookieStore.prototype[Symbol.iterator] = function () {
  var out = [];
  this._map.forEach(function (value, key) { out.push([key, { name: key, value: value }]); });
  return out[Symbol.iterator]();
};

var COOKIE_ATTR_BAD_RE = /[\x00-\x1f\x7f;]/;

function cookieAttr(what, v) {
  v = String(v);
  if (COOKIE_ATTR_BAD_RE.test(v)) throw new TypeError("Invalid cookie " + what + ": " + v);
  return v;
}

function serializeCookie(name, value, o) {
  if (!HEADER_NAME_RE.test(name)) throw new TypeError("Invalid cookie name: " + name);
  var s = name + "=" + encodeURIComponent(value);
  s += "; Path=" + cookieAttr("path", o.path === undefined ? "/" : o.path);
  if (o.domain !== undefined) s += "; Domain=" + cookieAttr("domain", o.domain);
  if (o.maxAge !== undefined) s += "; Max-Age=" + Math.floor(Number(o.maxAge));
  if (o.expires !== undefined) {
    var d = o.expires instanceof Date ? o.expires : new Date(o.expires);
    s += "; Expires=" + d.toUTCString();
  }
  if (o.httpOnly) s += "; HttpOnly";
  if (o.secure) s += "; Secure";
  if (o.sameSite !== undefined && o.sameSite !== false) {
    var same = o.sameSite === true ? "strict" : String(o.sameSite).toLowerCase();
    if (same !== "strict" && same !== "lax" && same !== "none") throw new TypeError("Invalid cookie sameSite: " + o.sameSite);
    s += "; SameSite=" + same.charAt(0).toUpperCase() + same.slice(1);
  }
  if (o.partitioned) s += "; Partitioned";
  if (o.priority !== undefined) s += "; Priority=" + cookieAttr("priority", o.priority);
  return s;
}
