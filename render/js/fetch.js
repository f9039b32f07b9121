// Headers, Request, Response and fetch: the part of the Fetch API that route handlers and
// loaders use. Always bext's own (even where an engine has native ones) because the protocol
// reads a handler's Response synchronously (`_body`), and because `fetch` here is a message to
// Rust, not a socket. Bodies are strings: the render protocol moves text only.

var HEADER_NAME_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
var HEADER_VALUE_BAD_RE = /[\0\r\n]/;

function headerName(name) {
  name = String(name);
  if (!HEADER_NAME_RE.test(name)) throw new TypeError("Invalid header name: " + name);
  return name.toLowerCase();
}

function headerValue(value) {
  value = String(value).replace(/^[\t ]+|[\t ]+$/g, "");
  // A CR or LF would let a value forge further header lines: refuse, as the standard does.
  if (HEADER_VALUE_BAD_RE.test(value)) throw new TypeError("Invalid header value");
  return value;
}

function Headers(init) {
  if (!(this instanceof Headers)) throw new TypeError("Constructor Headers requires 'new'");
  this._names = []; // lower-case names in first-insertion order
  this._values = Object.create(null); // name -> combined value (", "-joined)
  this._cookies = null; // set-cookie values, kept apart: joining them would corrupt them
  if (init !== undefined && init !== null) fillHeaders(this, init);
}

function fillHeaders(h, init) {
  if (init instanceof Headers) {
    var pairs = init._pairs();
    for (var i = 0; i < pairs.length; i++) h.append(pairs[i][0], pairs[i][1]);
  } else if (typeof init === "object" && typeof init[Symbol.iterator] === "function") {
    for (var pair of init) {
      if (pair === null || typeof pair !== "object" || pair.length !== 2) {
        throw new TypeError("Headers: each pair must have exactly two items");
      }
      h.append(pair[0], pair[1]);
    }
  } else if (typeof init === "object") {
    for (var key of Object.keys(init)) h.append(key, init[key]);
  } else {
    throw new TypeError("Headers: init must be an object");
  }
}

Headers.prototype = {
  constructor: Headers,
  append: function (name, value) {
    name = headerName(name);
    value = headerValue(value);
    if (name === "set-cookie") {
      if (this._cookies === null) {
        this._cookies = [];
        this._names.push(name);
      }
      this._cookies.push(value);
    } else if (this._values[name] !== undefined) {
      this._values[name] += ", " + value;
    } else {
      this._values[name] = value;
      this._names.push(name);
    }
  },
  set: function (name, value) {
    this.delete(name);
    this.append(name, value);
  },
  get: function (name) {
    name = String(name).toLowerCase();
    if (name === "set-cookie") return this._cookies === null ? null : this._cookies.join(", ");
    var v = this._values[name];
    return v === undefined ? null : v;
  },
  has: function (name) {
    name = String(name).toLowerCase();
    return name === "set-cookie" ? this._cookies !== null : this._values[name] !== undefined;
  },
  delete: function (name) {
    name = String(name).toLowerCase();
    if (!this.has(name)) return;
    this._names.splice(this._names.indexOf(name), 1);
    if (name === "set-cookie") this._cookies = null;
    else delete this._values[name];
  },
  getSetCookie: function () {
    return this._cookies === null ? [] : this._cookies.slice();
  },
  forEach: function (callback, thisArg) {
    var list = this._sorted();
    for (var i = 0; i < list.length; i++) callback.call(thisArg, list[i][1], list[i][0], this);
  },
  entries: function () { return this._sorted()[Symbol.iterator](); },
  keys: function () { return this._sorted().map(function (p) { return p[0]; })[Symbol.iterator](); },
  values: function () { return this._sorted().map(function (p) { return p[1]; })[Symbol.iterator](); },
  // Iteration order per the standard: sorted by name, set-cookie values one by one.
  _sorted: function () {
    var names = this._names.slice().sort();
    var out = [];
    for (var i = 0; i < names.length; i++) this._pushPairs(names[i], out);
    return out;
  },
  // Insertion order, for the response Rust writes.
  _pairs: function () {
    var out = [];
    for (var i = 0; i < this._names.length; i++) this._pushPairs(this._names[i], out);
    return out;
  },
  _pushPairs: function (name, out) {
    if (name === "set-cookie") {
      for (var j = 0; j < this._cookies.length; j++) out.push([name, this._cookies[j]]);
    } else {
      out.push([name, this._values[name]]);
    }
  },
};
Headers.prototype[Symbol.iterator] = Headers.prototype.entries;

// Turns a body init into the string the protocol carries, setting the content-type the
// standard implies when the caller gave none.
function bodyText(body, headers) {
  if (body === undefined || body === null) return null;
  if (typeof body === "string") {
    if (!headers.has("content-type")) headers.set("content-type", "text/plain;charset=UTF-8");
    return body;
  }
  if (body instanceof FormDataImpl) {
    var multipart = multipartBody(body);
    if (!headers.has("content-type")) headers.set("content-type", multipart.type);
    return multipart.text;
  }
  if (body instanceof BlobImpl) {
    if (body.type !== "" && !headers.has("content-type")) headers.set("content-type", body.type);
    return utf8Decode(body._bytes);
  }
  if (body instanceof URLSearchParamsClass) {
    if (!headers.has("content-type")) headers.set("content-type", "application/x-www-form-urlencoded;charset=UTF-8");
    return body.toString();
  }
  if (body instanceof ArrayBuffer) return utf8Decode(new Uint8Array(body));
  if (ArrayBuffer.isView(body)) return utf8Decode(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
  return String(body);
}

// Bytes to text without TextDecoder (absent from bare engines): percent-encode, then let
// decodeURIComponent do the UTF-8. Invalid sequences fall back to one char per byte.
function readText(owner) {
  if (owner.bodyUsed) return Promise.reject(new TypeError("Body has already been consumed"));
  owner.bodyUsed = true;
  return Promise.resolve(owner._body === null ? "" : owner._body);
}

function readJson(owner) {
  if (owner.bodyUsed) return Promise.reject(new TypeError("Body has already been consumed"));
  owner.bodyUsed = true;
  try {
    return Promise.resolve(JSON.parse(owner._body === null ? "" : owner._body));
  } catch (e) {
    return Promise.reject(e);
  }
}

function readBlob(owner) {
  return readText(owner).then(function (text) {
    return new BlobImpl([text], { type: owner.headers.get("content-type") || "" });
  });
}

function readArrayBuffer(owner) {
  return readText(owner).then(function (text) {
    return new TextEncoderImpl().encode(text).buffer;
  });
}

// urlencoded and multipart bodies, as React's form actions and route handlers read them.
function readFormData(owner) {
  var type = owner.headers.get("content-type") || "";
  var lower = type.toLowerCase();
  if (lower.indexOf("application/x-www-form-urlencoded") === 0) {
    return readText(owner).then(function (text) {
      var form = new FormDataImpl();
      new URLSearchParamsClass(text).forEach(function (value, name) { form.append(name, value); });
      return form;
    });
  }
  if (lower.indexOf("multipart/form-data") === 0) {
    return readText(owner).then(function (text) {
      var form = parseMultipart(text, type);
      if (form === null) throw new TypeError("Failed to fetch: the multipart/form-data body could not be parsed");
      return form;
    });
  }
  return Promise.reject(new TypeError("formData(): the body is neither multipart/form-data nor application/x-www-form-urlencoded (content-type: " + (type || "none") + ")"));
}

function Request(input, init) {
  if (!(this instanceof Request)) throw new TypeError("Constructor Request requires 'new'");
  if (init === undefined || init === null) init = {};
  var method = "GET";
  var headers;
  var body = null;
  if (input instanceof Request) {
    this.url = input.url;
    method = input.method;
    headers = input.headers;
    body = input._body;
  } else {
    this.url = String(input instanceof URLClass ? input.href : input);
  }
  this.method = String(init.method !== undefined ? init.method : method).toUpperCase();
  this.headers = new Headers(init.headers !== undefined ? init.headers : headers);
  this._body = init.body !== undefined ? bodyText(init.body, this.headers) : body;
  if (this._body !== null && (this.method === "GET" || this.method === "HEAD") && !(input instanceof Request)) {
    throw new TypeError("Request with GET/HEAD method cannot have body");
  }
  this.bodyUsed = false;
  this.cache = init.cache !== undefined ? String(init.cache) : "default";
  this.redirect = init.redirect !== undefined ? String(init.redirect) : "follow";
  this.signal = init.signal !== undefined ? init.signal : null;
  this._next = init.next !== undefined ? init.next : null;
}

Request.prototype = {
  constructor: Request,
  text: function () { return readText(this); },
  json: function () { return readJson(this); },
  formData: function () { return readFormData(this); },
  blob: function () { return readBlob(this); },
  arrayBuffer: function () { return readArrayBuffer(this); },
  clone: function () {
    if (this.bodyUsed) throw new TypeError("Body has already been consumed");
    return new Request(this);
  },
  // Next.js route handlers read `request.nextUrl`.
  get nextUrl() { return new URLClass(this.url); },
};

var NULL_BODY_STATUSES = { 101: true, 204: true, 205: true, 304: true };
var REDIRECT_STATUSES = { 301: true, 302: true, 303: true, 307: true, 308: true };

function Response(body, init) {
  if (!(this instanceof Response)) throw new TypeError("Constructor Response requires 'new'");
  if (init === undefined || init === null) init = {};
  var status = init.status === undefined ? 200 : Number(init.status);
  if (!(status >= 200 && status <= 599) || status !== Math.floor(status)) {
    throw new RangeError("Response status must be an integer from 200 to 599, got " + init.status);
  }
  initResponse(this, status, init.statusText, new Headers(init.headers));
  this._body = bodyText(body, this.headers);
  if (this._body !== null && NULL_BODY_STATUSES[status]) throw new TypeError("Response with status " + status + " cannot have a body");
}

function initResponse(r, status, statusText, headers) {
  r.status = status;
  r.statusText = statusText === undefined ? "" : String(statusText);
  r.headers = headers;
  r.ok = status >= 200 && status <= 299;
  r.redirected = false;
  r.type = "default";
  r.url = "";
  r.bodyUsed = false;
  r._body = null;
}

// A response as it came back from Rust: any status (a 1xx or 304 from upstream is data, not a
// programming error), the body as given.
function responseFromUpstream(status, headerPairs, body, url) {
  var r = Object.create(Response.prototype);
  initResponse(r, status, "", new Headers(headerPairs));
  r._body = body;
  r.url = url;
  r.type = "basic";
  return r;
}

Response.prototype = {
  constructor: Response,
  text: function () { return readText(this); },
  json: function () { return readJson(this); },
  formData: function () { return readFormData(this); },
  blob: function () { return readBlob(this); },
  arrayBuffer: function () { return readArrayBuffer(this); },
  clone: function () {
    if (this.bodyUsed) throw new TypeError("Body has already been consumed");
    var r = Object.create(Response.prototype);
    initResponse(r, this.status, this.statusText, new Headers(this.headers));
    r._body = this._body;
    r.url = this.url;
    r.type = this.type;
    return r;
  },
};

Response.json = function (data, init) {
  var text = JSON.stringify(data);
  if (text === undefined) throw new TypeError("Response.json: data is not JSON-serialisable");
  var r = new Response(null, init);
  if (!r.headers.has("content-type")) r.headers.set("content-type", "application/json");
  r._body = text;
  return r;
};

Response.redirect = function (url, status) {
  status = status === undefined ? 302 : Number(status);
  if (!REDIRECT_STATUSES[status]) throw new RangeError("Response.redirect: invalid status " + status);
  var r = new Response(null, { status: status });
  r.headers.set("location", String(url instanceof URLClass ? url.href : url));
  return r;
};

Response.error = function () {
  var r = Object.create(Response.prototype);
  initResponse(r, 0, "", new Headers());
  r.ok = false;
  r.type = "error";
  return r;
};

// fetch() inside a render: the request goes out as a `fetch` record; Rust performs it through
// bext's HTTP client and answers with `fetched` / `fetch_failed`, which settle this promise.
function fetchImpl(input, init) {
  var c = currentRender;
  if (c === null || c.finished) {
    return Promise.reject(new TypeError("fetch() can only be called while a request is being rendered"));
  }
  var request;
  try {
    if (typeof input === "string" && input.charAt(0) === "/") input = requestOrigin(c) + input;
    request = new Request(input, init);
    // Validates and normalises the URL (relative URLs resolve against the page's origin).
    request.url = new URLClass(request.url, requestOrigin(c) + "/").href;
  } catch (e) {
    return Promise.reject(e);
  }
  if (c.fetchCount >= fetchesPerRenderMax) {
    var err = new Error("fetch limit exceeded: a render may make at most " + fetchesPerRenderMax + " fetch calls");
    // The render fails even if the caller catches this: the limit is a bound on the render.
    if (c.fatal === null) c.fatal = err;
    return Promise.reject(err);
  }
  noteFetchOptions(c, request);
  c.fetchCount++;
  var id = c.fetchCount;
  trackRender(c);
  return new Promise(function (resolve, reject) {
    if (c.pendingFetches === null) c.pendingFetches = Object.create(null);
    c.pendingFetches[id] = { resolve: resolve, reject: reject, url: request.url };
    outbox.push(
      '{"k":"fetch","id":' + c.id + ',"fetch":' + id + ',"url":' + JSON.stringify(request.url) +
        ',"method":' + JSON.stringify(request.method) + ',"headers":' + JSON.stringify(request.headers._pairs()) + "}",
      request._body === null ? "" : request._body
    );
  });
}

// Next.js fetch options that matter to the cache: `cache: "no-store"` makes the page dynamic,
// `next.revalidate` lowers its revalidate, `next.tags` adds cache tags.
function noteFetchOptions(c, request) {
  if (request.cache === "no-store" || request.cache === "no-cache") c.dynamic = true;
  var next = request._next;
  if (next === null || typeof next !== "object") return;
  if (typeof next.revalidate === "number" || next.revalidate === false) {
    c.fetchRevalidate = minRevalidate(c.fetchRevalidate, next.revalidate);
  }
  if (Array.isArray(next.tags)) {
    if (c.extraTags === null) c.extraTags = [];
    for (var i = 0; i < next.tags.length; i++) c.extraTags.push(String(next.tags[i]));
  }
}

// `fetched` / `fetch_failed` from Rust.
function settleFetch(msg, ok) {
  var c = liveRenders[msg.id];
  if (c === undefined || c.pendingFetches === null) return; // answered already (e.g. after a recycle)
  var pending = c.pendingFetches[msg.fetch];
  if (pending === undefined) return;
  delete c.pendingFetches[msg.fetch];
  currentRender = c;
  if (ok) {
    var r;
    try {
      r = responseFromUpstream(msg.status, msg.headers, msg.body, pending.url);
    } catch (e) {
      pending.reject(e);
      return;
    }
    pending.resolve(r);
  } else {
    pending.reject(new TypeError("fetch failed: " + msg.error));
  }
}
