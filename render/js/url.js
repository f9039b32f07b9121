// URL and URLSearchParams for engines that lack them (bare QuickJS, JavaScriptCore and V8
// contexts have neither: they are web APIs, not ECMAScript). A small WHATWG-shaped subset:
// absolute and relative parsing, dot-segment removal, default ports, percent-encoding of the
// path/query/fragment sets, and a live `searchParams`. Not implemented: IDNA/punycode hosts,
// IPv4 number normalisation, the `file:` host quirks. Installed only where the engine has none.

var SPECIAL_PORTS = { "http:": "80", "https:": "443", "ws:": "80", "wss:": "443", "ftp:": "21", "file:": "" };
var SCHEME_RE = /^([a-zA-Z][a-zA-Z0-9+.\-]*):/;
var PATH_SET_RE = /[\ud800-\udbff][\udc00-\udfff]|[^\x21-\x7e]|["<>`{}]/g;
var QUERY_SET_RE = /[\ud800-\udbff][\udc00-\udfff]|[^\x21-\x7e]|["<>']/g;
var FRAGMENT_SET_RE = /[\ud800-\udbff][\udc00-\udfff]|[^\x21-\x7e]|["<>`]/g;
var LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(^|[^\ud800-\udbff])[\udc00-\udfff]/g;

function percentEncodeChar(ch) {
  var code = ch.charCodeAt(0);
  // encodeURIComponent leaves some ASCII alone (e.g. "'"), which the sets here encode.
  if (code < 0x80) return (code < 16 ? "%0" : "%") + code.toString(16).toUpperCase();
  try {
    return encodeURIComponent(ch);
  } catch (e) {
    return "%EF%BF%BD"; // a lone surrogate: U+FFFD, as the URL standard does
  }
}

function percentDecode(s) {
  if (s.indexOf("%") < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch (e) {
    // Some sequence is not UTF-8: decode the runs that are, keep the rest as written.
    return s.replace(/(%[0-9a-fA-F]{2})+/g, function (run) {
      try {
        return decodeURIComponent(run);
      } catch (e2) {
        return run;
      }
    });
  }
}

// application/x-www-form-urlencoded, as URLSearchParams serialises.
function formEncode(s) {
  s = String(s);
  var enc;
  try {
    enc = encodeURIComponent(s);
  } catch (e) {
    enc = encodeURIComponent(s.replace(LONE_SURROGATE_RE, "$1\ufffd"));
  }
  return enc.replace(/[!'()~]/g, function (c) {
    return "%" + c.charCodeAt(0).toString(16).toUpperCase();
  }).replace(/%20/g, "+");
}

function parseQueryInto(query, list) {
  if (query === "") return;
  var parts = query.split("&");
  for (var i = 0; i < parts.length; i++) {
    var part = parts[i];
    if (part === "") continue;
    var eq = part.indexOf("=");
    var name = eq < 0 ? part : part.slice(0, eq);
    var value = eq < 0 ? "" : part.slice(eq + 1);
    list.push([percentDecode(name.replace(/\+/g, " ")), percentDecode(value.replace(/\+/g, " "))]);
  }
}

function removeDotSegments(path) {
  if (path.indexOf("/.") < 0 && path.charAt(0) !== ".") return path;
  var input = path.split("/");
  var output = [];
  for (var i = 0; i < input.length; i++) {
    var seg = input[i];
    var last = i === input.length - 1;
    if (seg === "..") {
      if (output.length > 1) output.pop();
      if (last) output.push("");
    } else if (seg === ".") {
      if (last) output.push("");
    } else {
      output.push(seg);
    }
  }
  var out = output.join("/");
  return out.charAt(0) === "/" ? out : "/" + out;
}

function URLImpl(url, base) {
  if (!(this instanceof URLImpl)) throw new TypeError("Constructor URL requires 'new'");
  this._searchParams = null;
  var input = String(url).replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, "").replace(/[\t\n\r]/g, "");
  var baseUrl = null;
  if (base !== undefined) baseUrl = base instanceof URLImpl ? base : new URLImpl(base);
  parseInto(this, input, baseUrl);
}

function parseInto(u, input, base) {
  var m = SCHEME_RE.exec(input);
  if (m !== null) {
    var scheme = m[1].toLowerCase() + ":";
    var rest = input.slice(m[0].length);
    var special = SPECIAL_PORTS[scheme] !== undefined;
    if (special) rest = rest.replace(/\\/g, "/");
    // "http:foo" relative to an http base is a relative reference (the standard's quirk).
    if (special && base !== null && base._protocol === scheme && rest.slice(0, 2) !== "//") {
      return resolveRelative(u, rest, base);
    }
    return parseAbsolute(u, scheme, rest, special);
  }
  if (base === null) throw new TypeError("Invalid URL: " + input);
  return resolveRelative(u, input, base);
}

function splitTail(u, rest) {
  // Fragment, then query; what is left is the path (or the authority and path).
  var hash = rest.indexOf("#");
  u._fragment = null;
  if (hash >= 0) {
    u._fragment = rest.slice(hash + 1).replace(FRAGMENT_SET_RE, percentEncodeChar);
    rest = rest.slice(0, hash);
  }
  var q = rest.indexOf("?");
  u._query = null;
  if (q >= 0) {
    u._query = rest.slice(q + 1).replace(QUERY_SET_RE, percentEncodeChar);
    rest = rest.slice(0, q);
  }
  return rest;
}

function parseAbsolute(u, scheme, rest, special) {
  u._protocol = scheme;
  u._special = special;
  u._username = "";
  u._password = "";
  u._hostname = "";
  u._port = "";
  rest = splitTail(u, rest);
  if (rest.slice(0, 2) === "//" || (special && scheme !== "file:")) {
    // file: keeps the slash after its (usually empty) host: file:///tmp is host "", /tmp.
    rest = scheme === "file:" ? rest.slice(2) : rest.replace(/^\/*/, "");
    u._hasAuthority = true;
    var slash = rest.indexOf("/");
    var authority = slash < 0 ? rest : rest.slice(0, slash);
    var path = slash < 0 ? "" : rest.slice(slash);
    parseAuthority(u, authority);
    if (special && scheme !== "file:" && u._hostname === "") throw new TypeError("Invalid URL: empty host");
    setPath(u, path);
  } else {
    u._hasAuthority = false;
    u._pathname = special ? removeDotSegments(rest.replace(PATH_SET_RE, percentEncodeChar) || "/") : rest.replace(PATH_SET_RE, percentEncodeChar);
  }
}

function parseAuthority(u, authority) {
  var at = authority.lastIndexOf("@");
  if (at >= 0) {
    var userinfo = authority.slice(0, at);
    authority = authority.slice(at + 1);
    var colon = userinfo.indexOf(":");
    u._username = colon < 0 ? userinfo : userinfo.slice(0, colon);
    u._password = colon < 0 ? "" : userinfo.slice(colon + 1);
  }
  var portAt = authority.lastIndexOf(":");
  var host = authority;
  var port = "";
  if (portAt >= 0 && authority.indexOf("]", portAt) < 0) {
    host = authority.slice(0, portAt);
    port = authority.slice(portAt + 1);
    if (!/^[0-9]*$/.test(port) || (port !== "" && Number(port) > 65535)) throw new TypeError("Invalid URL: bad port");
    if (port !== "") port = String(Number(port));
  }
  if (/[\x00-\x20#%\/:<>?@\[\\\]^|]/.test(host.replace(/^\[[0-9a-fA-F:.]*\]$/, ""))) {
    throw new TypeError("Invalid URL: bad host");
  }
  u._hostname = percentDecode(host).toLowerCase();
  u._port = port === SPECIAL_PORTS[u._protocol] ? "" : port;
}

function setPath(u, path) {
  var encoded = path.replace(PATH_SET_RE, percentEncodeChar);
  if (u._special) {
    encoded = encoded.replace(/\\/g, "/");
    if (encoded === "") encoded = "/";
  }
  u._pathname = encoded === "" ? "" : removeDotSegments(encoded.charAt(0) === "/" ? encoded : "/" + encoded);
}

function resolveRelative(u, input, base) {
  if (!base._hasAuthority && base._pathname.charAt(0) !== "/" && input.charAt(0) !== "#") {
    throw new TypeError("Invalid URL: " + input + " against an opaque base");
  }
  u._protocol = base._protocol;
  u._special = base._special;
  if (u._special) input = input.replace(/\\/g, "/");
  if (input.slice(0, 2) === "//") return parseAbsolute(u, base._protocol, input, u._special);
  u._hasAuthority = base._hasAuthority;
  u._username = base._username;
  u._password = base._password;
  u._hostname = base._hostname;
  u._port = base._port;
  var baseQuery = base._query;
  var path = splitTail(u, input);
  if (path === "") {
    u._pathname = base._pathname;
    // "" and "#x" keep the base query; "?y" replaces it (splitTail already set it).
    if (input.indexOf("?") < 0) u._query = baseQuery;
  } else if (path.charAt(0) === "/") {
    setPath(u, path);
  } else {
    var dir = base._pathname.slice(0, base._pathname.lastIndexOf("/") + 1);
    setPath(u, (dir === "" ? "/" : dir) + path);
  }
}

URLImpl.prototype = {
  constructor: URLImpl,
  get href() {
    var s = this._protocol;
    if (this._hasAuthority) {
      s += "//";
      if (this._username !== "" || this._password !== "") {
        s += this._username + (this._password !== "" ? ":" + this._password : "") + "@";
      }
      s += this.host;
    }
    s += this._pathname;
    if (this._query !== null) s += "?" + this._query;
    if (this._fragment !== null) s += "#" + this._fragment;
    return s;
  },
  set href(v) {
    var sp = this._searchParams;
    parseInto(this, String(v), null);
    this._searchParams = sp;
    if (sp !== null) this._syncParams();
  },
  get protocol() { return this._protocol; },
  get username() { return this._username; },
  set username(v) { this._username = formEncode(v); },
  get password() { return this._password; },
  set password(v) { this._password = formEncode(v); },
  get host() { return this._hostname + (this._port !== "" ? ":" + this._port : ""); },
  get hostname() { return this._hostname; },
  set hostname(v) { this._hostname = String(v).toLowerCase(); },
  get port() { return this._port; },
  set port(v) {
    v = String(v);
    if (v === "" || /^[0-9]+$/.test(v)) this._port = v === SPECIAL_PORTS[this._protocol] ? "" : v;
  },
  get origin() {
    if (!this._special || this._protocol === "file:") return "null";
    return this._protocol + "//" + this.host;
  },
  get pathname() { return this._pathname; },
  set pathname(v) {
    if (this._hasAuthority) setPath(this, String(v));
  },
  get search() { return this._query === null || this._query === "" ? "" : "?" + this._query; },
  set search(v) {
    v = String(v);
    if (v.charAt(0) === "?") v = v.slice(1);
    this._query = v === "" ? null : v.replace(QUERY_SET_RE, percentEncodeChar);
    if (this._searchParams !== null) this._syncParams();
  },
  get hash() { return this._fragment === null || this._fragment === "" ? "" : "#" + this._fragment; },
  set hash(v) {
    v = String(v);
    if (v.charAt(0) === "#") v = v.slice(1);
    this._fragment = v === "" ? null : v.replace(FRAGMENT_SET_RE, percentEncodeChar);
  },
  get searchParams() {
    if (this._searchParams === null) {
      this._searchParams = new URLSearchParamsImpl(this._query === null ? "" : this._query);
      this._searchParams._url = this;
    }
    return this._searchParams;
  },
  _syncParams: function () {
    var list = [];
    parseQueryInto(this._query === null ? "" : this._query, list);
    this._searchParams._list = list;
  },
  toString: function () { return this.href; },
  toJSON: function () { return this.href; },
};

URLImpl.canParse = function (url, base) {
  try {
    new URLImpl(url, base);
    return true;
  } catch (e) {
    return false;
  }
};

function URLSearchParamsImpl(init) {
  if (!(this instanceof URLSearchParamsImpl)) throw new TypeError("Constructor URLSearchParams requires 'new'");
  this._list = [];
  this._url = null;
  if (init === undefined || init === null) return;
  if (typeof init === "string") {
    parseQueryInto(init.charAt(0) === "?" ? init.slice(1) : init, this._list);
  } else if (init instanceof URLSearchParamsImpl) {
    for (var i = 0; i < init._list.length; i++) this._list.push([init._list[i][0], init._list[i][1]]);
  } else if (typeof init === "object" && typeof init[Symbol.iterator] === "function") {
    for (var pair of init) {
      if (pair === null || typeof pair !== "object" || pair.length !== 2) {
        throw new TypeError("URLSearchParams: each pair must have exactly two items");
      }
      this._list.push([String(pair[0]), String(pair[1])]);
    }
  } else if (typeof init === "object") {
    for (var key of Object.keys(init)) this._list.push([key, String(init[key])]);
  } else {
    parseQueryInto(String(init), this._list);
  }
}

URLSearchParamsImpl.prototype = {
  constructor: URLSearchParamsImpl,
  get size() { return this._list.length; },
  append: function (name, value) {
    this._list.push([String(name), String(value)]);
    this._update();
  },
  delete: function (name, value) {
    name = String(name);
    var all = value === undefined;
    value = all ? "" : String(value);
    this._list = this._list.filter(function (p) { return p[0] !== name || (!all && p[1] !== value); });
    this._update();
  },
  get: function (name) {
    name = String(name);
    for (var i = 0; i < this._list.length; i++) if (this._list[i][0] === name) return this._list[i][1];
    return null;
  },
  getAll: function (name) {
    name = String(name);
    var out = [];
    for (var i = 0; i < this._list.length; i++) if (this._list[i][0] === name) out.push(this._list[i][1]);
    return out;
  },
  has: function (name, value) {
    name = String(name);
    for (var i = 0; i < this._list.length; i++) {
      var p = this._list[i];
      if (p[0] === name && (value === undefined || p[1] === String(value))) return true;
    }
    return false;
  },
  set: function (name, value) {
    name = String(name);
    value = String(value);
    var out = [];
    var found = false;
    for (var i = 0; i < this._list.length; i++) {
      var p = this._list[i];
      if (p[0] !== name) out.push(p);
      else if (!found) {
        found = true;
        out.push([name, value]);
      }
    }
    if (!found) out.push([name, value]);
    this._list = out;
    this._update();
  },
  sort: function () {
    // Array.prototype.sort is stable (ES2019), as the standard requires here.
    this._list.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
    this._update();
  },
  forEach: function (callback, thisArg) {
    for (var i = 0; i < this._list.length; i++) callback.call(thisArg, this._list[i][1], this._list[i][0], this);
  },
  keys: function () { return this._list.map(function (p) { return p[0]; })[Symbol.iterator](); },
  values: function () { return this._list.map(function (p) { return p[1]; })[Symbol.iterator](); },
  entries: function () { return this._list.map(function (p) { return [p[0], p[1]]; })[Symbol.iterator](); },
  toString: function () {
    var s = "";
    for (var i = 0; i < this._list.length; i++) {
      if (i > 0) s += "&";
      s += formEncode(this._list[i][0]) + "=" + formEncode(this._list[i][1]);
    }
    return s;
  },
  _update: function () {
    if (this._url === null) return;
    var q = this.toString();
    this._url._query = q === "" ? null : q;
  },
};
URLSearchParamsImpl.prototype[Symbol.iterator] = URLSearchParamsImpl.prototype.entries;

// The engine's own, where it has them (Node's vm contexts in tests do not; browsers-grade
// engines embedded elsewhere might).
var URLClass = typeof globalThis.URL === "function" ? globalThis.URL : URLImpl;
var URLSearchParamsClass = typeof globalThis.URLSearchParams === "function" ? globalThis.URLSearchParams : URLSearchParamsImpl;
