// `url`, `querystring`, `string_decoder` and `os` (the small part that means something in a
// render: EOL, platform, type, endianness), with and without `node:`.
//
// url: the WHATWG `URL` / `URLSearchParams` (url.js or the engine's), `fileURLToPath`,
// `pathToFileURL`, and the legacy `parse` / `format` / `resolve` for the common shapes
// (protocol, auth, host and port, path, query, hash; no IDNA, no escaping of odd characters
// beyond what `format` needs).

var SLASHED_PROTOCOLS = { "http:": true, "https:": true, "ftp:": true, "gopher:": true, "file:": true, "ws:": true, "wss:": true };

function Url() {
  this.protocol = null;
  this.slashes = null;
  this.auth = null;
  this.host = null;
  this.port = null;
  this.hostname = null;
  this.hash = null;
  this.search = null;
  this.query = null;
  this.pathname = null;
  this.path = null;
  this.href = null;
}

function urlParse(input, parseQueryString, slashesDenoteHost) {
  if (input instanceof Url) return input;
  if (typeof input !== "string") {
    throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", 'The "url" argument must be of type string.' + receivedText(input));
  }
  var u = new Url();
  var rest = input.trim();
  var hashAt = rest.indexOf("#");
  if (hashAt >= 0) {
    u.hash = rest.slice(hashAt);
    rest = rest.slice(0, hashAt);
  }
  var queryAt = rest.indexOf("?");
  if (queryAt >= 0) {
    u.search = rest.slice(queryAt);
    u.query = u.search.slice(1);
    rest = rest.slice(0, queryAt);
  } else if (parseQueryString) {
    u.search = "";
    u.query = {};
  }
  if (parseQueryString && typeof u.query === "string") u.query = qsParse(u.query);
  var proto = /^([a-zA-Z0-9.+-]+:)/.exec(rest);
  if (proto !== null) {
    u.protocol = proto[1].toLowerCase();
    rest = rest.slice(proto[1].length);
  }
  var slashes = (proto !== null || slashesDenoteHost) && rest.slice(0, 2) === "//" && u.protocol !== "javascript:";
  // As Node's legacy parser: a protocol that is not one of the slashed ones (mailto:, …)
  // has a host even without slashes.
  var hostless = u.protocol === "javascript:" || u.protocol === null && !slashes;
  if (slashes || (!hostless && !SLASHED_PROTOCOLS[u.protocol])) {
    if (slashes) {
      u.slashes = true;
      rest = rest.slice(2);
    }
    var end = rest.indexOf("/");
    var authority = end < 0 ? rest : rest.slice(0, end);
    rest = end < 0 ? "" : rest.slice(end);
    var at = authority.lastIndexOf("@");
    if (at >= 0) {
      u.auth = percentDecode(authority.slice(0, at));
      authority = authority.slice(at + 1);
    }
    var port = /:([0-9]*)$/.exec(authority);
    if (port !== null) {
      if (port[1] !== "") u.port = port[1];
      authority = authority.slice(0, port.index);
    }
    u.hostname = authority.replace(/^\[|\]$/g, "").toLowerCase();
    u.host = (authority.charAt(0) === "[" ? "[" + u.hostname + "]" : u.hostname) + (u.port !== null ? ":" + u.port : "");
  }
  if (rest !== "") u.pathname = rest.replace(/ /g, "%20");
  else if (u.slashes && SLASHED_PROTOCOLS[u.protocol] && u.hostname !== null) u.pathname = "/";
  if (u.pathname !== null || u.search !== null) u.path = (u.pathname || "") + (u.search || "");
  u.href = urlFormat(u);
  return u;
}

function urlFormat(obj) {
  if (typeof obj === "string") obj = urlParse(obj);
  if (obj instanceof URLClass) return obj.href;
  if (obj === null || typeof obj !== "object") {
    throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", 'The "urlObject" argument must be one of type object or string.' + receivedText(obj));
  }
  var auth = obj.auth ? encodeURIComponent(obj.auth).replace(/%3A/i, ":") + "@" : "";
  var protocol = obj.protocol || "";
  if (protocol !== "" && protocol.charAt(protocol.length - 1) !== ":") protocol += ":";
  var pathname = obj.pathname || "";
  var hash = obj.hash || "";
  var search = "";
  var host = "";
  if (obj.host) host = auth + obj.host;
  else if (obj.hostname) {
    host = auth + (obj.hostname.indexOf(":") >= 0 ? "[" + obj.hostname + "]" : obj.hostname);
    if (obj.port) host += ":" + obj.port;
  }
  if (obj.search) search = obj.search;
  else if (obj.query !== null && typeof obj.query === "object") {
    var qs = qsStringify(obj.query);
    if (qs !== "") search = "?" + qs;
  }
  if (search !== "" && search.charAt(0) !== "?") search = "?" + search;
  if (obj.slashes || SLASHED_PROTOCOLS[protocol]) {
    if (obj.slashes || host !== "" || protocol === "file:") {
      host = "//" + host;
      if (pathname !== "" && pathname.charAt(0) !== "/") pathname = "/" + pathname;
    }
  }
  if (hash !== "" && hash.charAt(0) !== "#") hash = "#" + hash;
  pathname = pathname.replace(/[?#]/g, encodeURIComponent);
  search = search.replace(/#/g, "%23");
  return protocol + host + pathname + search + hash;
}

Url.prototype.format = function () {
  return urlFormat(this);
};

// As Node's documentation suggests: resolve with WHATWG URL against a made-up base when `from`
// is relative.
function urlResolve(from, to) {
  var resolved = new URLClass(to, new URLClass(from, "resolve://"));
  if (resolved.protocol === "resolve:") return resolved.pathname + resolved.search + resolved.hash;
  return resolved.toString();
}

function fileURLToPath(input) {
  var u = typeof input === "string" ? new URLClass(input) : input;
  if (u === null || typeof u !== "object" || typeof u.href !== "string") {
    throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", 'The "path" argument must be of type string or an instance of URL.' + receivedText(input));
  }
  if (u.protocol !== "file:") throw nodeError(TypeError, "ERR_INVALID_URL_SCHEME", "The URL must be of scheme file");
  if (u.hostname !== "" && u.hostname !== "localhost") {
    throw nodeError(TypeError, "ERR_INVALID_FILE_URL_HOST", 'File URL host must be "localhost" or empty on linux');
  }
  var pathname = u.pathname;
  if (/%2f/i.test(pathname)) {
    throw nodeError(TypeError, "ERR_INVALID_FILE_URL_PATH", "File URL path must not include encoded / characters");
  }
  return percentDecode(pathname);
}

function pathToFileURL(filepath) {
  var resolved = pathModule.resolve(filepath);
  if (filepath.charAt(filepath.length - 1) === "/" && resolved.charAt(resolved.length - 1) !== "/") resolved += "/";
  var encoded = resolved.replace(/%/g, "%25").replace(/\\/g, "%5C").replace(/\n/g, "%0A").replace(/\r/g, "%0D")
    .replace(/\t/g, "%09").replace(/#/g, "%23").replace(/\?/g, "%3F");
  return new URLClass("file://" + encoded);
}

var urlModule = {
  URL: URLClass,
  URLSearchParams: URLSearchParamsClass,
  Url: Url,
  parse: urlParse,
  format: urlFormat,
  resolve: urlResolve,
  fileURLToPath: fileURLToPath,
  pathToFileURL: pathToFileURL,
  domainToASCII: function (d) { return String(d).toLowerCase(); },
  domainToUnicode: function (d) { return String(d); }
};

// ---- querystring -----------------------------------------------------------------------------

var QS_KEYS_MAX = 1000; // Node's default maxKeys

function qsUnescape(s) {
  return percentDecode(s);
}

function qsEscape(s) {
  return encodeURIComponent(s);
}

function qsParse(str, sep, eq, options) {
  var obj = Object.create(null);
  if (typeof str !== "string" || str.length === 0) return obj;
  sep = sep || "&";
  eq = eq || "=";
  var maxKeys = options && typeof options.maxKeys === "number" ? options.maxKeys : QS_KEYS_MAX;
  var decode = options && typeof options.decodeURIComponent === "function" ? options.decodeURIComponent : qsUnescape;
  var parts = str.split(sep);
  if (maxKeys > 0 && parts.length > maxKeys) parts = parts.slice(0, maxKeys);
  for (var i = 0; i < parts.length; i++) {
    var part = parts[i];
    if (part === "" && parts.length > 1) continue;
    var at = part.indexOf(eq);
    var k = at >= 0 ? part.slice(0, at) : part;
    var v = at >= 0 ? part.slice(at + eq.length) : "";
    k = decode(k.replace(/\+/g, " "));
    v = decode(v.replace(/\+/g, " "));
    if (!(k in obj)) obj[k] = v;
    else if (Array.isArray(obj[k])) obj[k].push(v);
    else obj[k] = [obj[k], v];
  }
  return obj;
}

function qsPrimitive(v) {
  if (typeof v === "string") return v;
  if (typeof v === "number" && isFinite(v)) return String(v);
  if (typeof v === "bigint" || typeof v === "boolean") return String(v);
  return "";
}

function qsStringify(obj, sep, eq, options) {
  sep = sep || "&";
  eq = eq || "=";
  var encode = options && typeof options.encodeURIComponent === "function" ? options.encodeURIComponent : qsEscape;
  if (obj === null || typeof obj !== "object") return "";
  var out = [];
  Object.keys(obj).forEach(function (key) {
    var v = obj[key];
    var ks = encode(qsPrimitive(key)) + eq;
    if (Array.isArray(v)) v.forEach(function (item) { out.push(ks + encode(qsPrimitive(item))); });
    else out.push(ks + encode(qsPrimitive(v)));
  });
  return out.join(sep);
}

var querystringModule = {
  parse: qsParse,
  decode: qsParse,
  stringify: qsStringify,
  encode: qsStringify,
  escape: qsEscape,
  unescape: qsUnescape
};

// ---- string_decoder --------------------------------------------------------------------------

function StringDecoder(encoding) {
  this.encoding = bufferEncoding(encoding);
  this._pending = new Uint8Array(0);
}

// How many bytes at the end of `bytes` start a sequence (UTF-8) or unit (UTF-16, base64
// group) that is not complete yet.
function incompleteTail(bytes, encoding) {
  if (encoding === "utf16le") return bytes.length % 2;
  if (encoding === "base64" || encoding === "base64url") return bytes.length % 3;
  if (encoding !== "utf8") return 0;
  for (var back = 1; back <= Math.min(3, bytes.length); back++) {
    var b = bytes[bytes.length - back];
    if ((b & 0xc0) === 0x80) continue;
    var need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

StringDecoder.prototype.write = function (chunk) {
  var bytes = typeof chunk === "string" ? bytesFromString(chunk) : inputBytes(chunk, undefined, "buf");
  var all = joinChunks([this._pending, bytes]);
  var keep = incompleteTail(all, this.encoding);
  this._pending = all.slice(all.length - keep);
  return stringFromBytes(all.subarray(0, all.length - keep), this.encoding);
};

StringDecoder.prototype.end = function (chunk) {
  var text = chunk === undefined ? "" : this.write(chunk);
  var rest = this._pending;
  this._pending = new Uint8Array(0);
  return rest.length === 0 ? text : text + stringFromBytes(rest, this.encoding);
};

var stringDecoderModule = { StringDecoder: StringDecoder };

// ---- os ----------------------------------------------------------------------------------------

var osModule = {
  EOL: "\n",
  devNull: "/dev/null",
  platform: function () { return "linux"; },
  type: function () { return "Linux"; },
  endianness: function () { return "LE"; }
};
