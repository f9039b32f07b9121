// Web platform pieces that bare engines lack and packages use while rendering: TextEncoder /
// TextDecoder (UTF-8, the WHATWG Encoding standard), atob / btoa (forgiving base64, the HTML
// standard), structuredClone (the HTML structured clone of plain data), AbortController /
// AbortSignal, and performance.now. Each is installed only where the engine has none (app.js
// calls `installWebPlatform`).

var DECODE_LABELS = { "utf-8": true, "utf8": true, "unicode-1-1-utf-8": true };

function domError(name, message) {
  var e = new Error(message);
  e.name = name;
  return e;
}

// ---- TextEncoder / TextDecoder -------------------------------------------------------------

function utf8Encode(text) {
  var s = String(text);
  var out = new Uint8Array(s.length * 3);
  var n = 0;
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      var d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // a lone surrogate
    if (c < 0x80) out[n++] = c;
    else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 63);
    } else if (c < 0x10000) {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 63);
      out[n++] = 0x80 | (c & 63);
    } else {
      out[n++] = 0xf0 | (c >> 18);
      out[n++] = 0x80 | ((c >> 12) & 63);
      out[n++] = 0x80 | ((c >> 6) & 63);
      out[n++] = 0x80 | (c & 63);
    }
  }
  return out.slice(0, n);
}

function TextEncoderImpl() {}
TextEncoderImpl.prototype.encoding = "utf-8";
TextEncoderImpl.prototype.encode = function (input) {
  return utf8Encode(input === undefined ? "" : input);
};
TextEncoderImpl.prototype.encodeInto = function (input, dest) {
  var s = String(input);
  var read = 0, written = 0;
  for (var i = 0; i < s.length; ) {
    var c = s.charCodeAt(i);
    var units = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff ? 2 : 1;
    var bytes = utf8Encode(s.substr(i, units));
    if (written + bytes.length > dest.length) break;
    dest.set(bytes, written);
    written += bytes.length;
    read += units;
    i += units;
  }
  return { read: read, written: written };
};

// The UTF-8 decoder of the Encoding standard: each invalid sequence becomes one U+FFFD.
function utf8Decode(bytes, fatal) {
  var out = "";
  var chunk = [];
  var i = 0;
  function bad() {
    if (fatal) throw new TypeError("The encoded data was not valid for encoding utf-8");
    chunk.push(0xfffd);
  }
  while (i < bytes.length) {
    var b = bytes[i];
    if (b < 0x80) {
      chunk.push(b);
      i++;
    } else {
      var need = 0, cp = 0, lower = 0x80, upper = 0xbf;
      if (b >= 0xc2 && b <= 0xdf) { need = 1; cp = b & 0x1f; }
      else if (b >= 0xe0 && b <= 0xef) {
        need = 2; cp = b & 0xf;
        if (b === 0xe0) lower = 0xa0;
        if (b === 0xed) upper = 0x9f;
      } else if (b >= 0xf0 && b <= 0xf4) {
        need = 3; cp = b & 0x7;
        if (b === 0xf0) lower = 0x90;
        if (b === 0xf4) upper = 0x8f;
      } else {
        bad();
        i++;
        continue;
      }
      var j = 1;
      for (; j <= need; j++) {
        var x = bytes[i + j];
        if (i + j >= bytes.length || x < lower || x > upper) break;
        lower = 0x80;
        upper = 0xbf;
        cp = (cp << 6) | (x & 0x3f);
      }
      if (j <= need) {
        bad();
        i += j; // the bytes consumed so far form one invalid sequence
        continue;
      }
      if (cp >= 0x10000) {
        cp -= 0x10000;
        chunk.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
      } else {
        chunk.push(cp);
      }
      i += need + 1;
    }
    if (chunk.length >= 8192) {
      out += String.fromCharCode.apply(null, chunk);
      chunk = [];
    }
  }
  return out + String.fromCharCode.apply(null, chunk);
}

function TextDecoderImpl(label, options) {
  var name = label === undefined ? "utf-8" : String(label).trim().toLowerCase();
  if (DECODE_LABELS[name] !== true) {
    throw new RangeError('The "' + label + '" encoding is not supported');
  }
  this.encoding = "utf-8";
  this.fatal = !!(options && options.fatal);
  this.ignoreBOM = !!(options && options.ignoreBOM);
}
TextDecoderImpl.prototype.decode = function (input) {
  if (input === undefined) return "";
  var bytes;
  if (input instanceof ArrayBuffer) bytes = new Uint8Array(input);
  else if (ArrayBuffer.isView(input)) bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  else throw new TypeError('The "input" argument must be an instance of ArrayBuffer or ArrayBufferView');
  if (!this.ignoreBOM && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    bytes = bytes.subarray(3);
  }
  return utf8Decode(bytes, this.fatal);
};

// ---- atob / btoa ---------------------------------------------------------------------------

var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function btoaImpl(data) {
  var s = String(data);
  var out = "";
  for (var i = 0; i < s.length; i += 3) {
    var a = s.charCodeAt(i), b = s.charCodeAt(i + 1), c = s.charCodeAt(i + 2);
    if (a > 255 || b > 255 || c > 255) {
      throw domError("InvalidCharacterError", "Invalid character");
    }
    var n = (a << 16) | ((i + 1 < s.length ? b : 0) << 8) | (i + 2 < s.length ? c : 0);
    out += B64[n >> 18] + B64[(n >> 12) & 63] +
      (i + 1 < s.length ? B64[(n >> 6) & 63] : "=") + (i + 2 < s.length ? B64[n & 63] : "=");
  }
  return out;
}

function atobImpl(data) {
  var s = String(data).replace(/[\t\n\f\r ]/g, "");
  if (s.length % 4 === 0) s = s.replace(/==?$/, "");
  if (s.length % 4 === 1 || /[^A-Za-z0-9+\/]/.test(s)) {
    throw domError("InvalidCharacterError", "The string to be decoded is not correctly encoded.");
  }
  var out = "";
  var buffer = 0, bits = 0;
  for (var i = 0; i < s.length; i++) {
    buffer = (buffer << 6) | B64.indexOf(s[i]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((buffer >> bits) & 0xff);
    }
  }
  return out;
}

// ---- structuredClone -----------------------------------------------------------------------

function cloneValue(value, seen) {
  if (value === null || typeof value !== "object") {
    if (typeof value === "function" || typeof value === "symbol") {
      throw domError("DataCloneError", String(value) + " could not be cloned.");
    }
    return value;
  }
  if (seen.has(value)) return seen.get(value);
  var out;
  var tag = Object.prototype.toString.call(value);
  switch (tag) {
    case "[object Date]":
      out = new Date(value.getTime());
      break;
    case "[object RegExp]":
      out = new RegExp(value.source, value.flags);
      break;
    case "[object Boolean]":
    case "[object Number]":
    case "[object String]":
      out = Object(value.valueOf());
      break;
    case "[object ArrayBuffer]":
      out = value.slice(0);
      break;
    case "[object DataView]":
      out = new DataView(cloneValue(value.buffer, seen), value.byteOffset, value.byteLength);
      break;
    case "[object Map]":
      out = new Map();
      seen.set(value, out);
      value.forEach(function (v, k) {
        out.set(cloneValue(k, seen), cloneValue(v, seen));
      });
      return out;
    case "[object Set]":
      out = new Set();
      seen.set(value, out);
      value.forEach(function (v) {
        out.add(cloneValue(v, seen));
      });
      return out;
    case "[object Error]": {
      var Ctor = { EvalError: EvalError, RangeError: RangeError, ReferenceError: ReferenceError, SyntaxError: SyntaxError, TypeError: TypeError, URIError: URIError }[value.name] || Error;
      out = new Ctor(value.message);
      if (typeof value.stack === "string") out.stack = value.stack;
      seen.set(value, out);
      if ("cause" in value) out.cause = cloneValue(value.cause, seen);
      return out;
    }
    case "[object Array]":
      out = new Array(value.length);
      seen.set(value, out);
      for (var k in value) if (Object.prototype.hasOwnProperty.call(value, k)) out[k] = cloneValue(value[k], seen);
      return out;
    case "[object Object]":
      out = {};
      seen.set(value, out);
      var keys = Object.keys(value);
      for (var i = 0; i < keys.length; i++) out[keys[i]] = cloneValue(value[keys[i]], seen);
      return out;
    default:
      if (ArrayBuffer.isView(value)) {
        out = new value.constructor(cloneValue(value.buffer, seen), value.byteOffset, value.length);
        break;
      }
      throw domError("DataCloneError", tag + " could not be cloned.");
  }
  seen.set(value, out);
  return out;
}

function structuredCloneImpl(value, options) {
  if (options && options.transfer && options.transfer.length) {
    throw domError("DataCloneError", "structuredClone: transferring is not supported here");
  }
  return cloneValue(value, new Map());
}

// ---- AbortController / AbortSignal ---------------------------------------------------------

// An `onabort` handler runs in the order it was first set among the listeners, as an event
// handler attribute does.
var ON_ABORT = {};

function AbortSignalImpl() {
  this.aborted = false;
  this.reason = undefined;
  this._onabort = null;
  this._listeners = [];
}
Object.defineProperty(AbortSignalImpl.prototype, "onabort", {
  get: function () {
    return this._onabort;
  },
  set: function (fn) {
    this._onabort = typeof fn === "function" ? fn : null;
    if (this._onabort !== null && this._listeners.indexOf(ON_ABORT) === -1) this._listeners.push(ON_ABORT);
  }
});
AbortSignalImpl.prototype.addEventListener = function (type, fn) {
  if (type === "abort" && typeof fn === "function" && this._listeners.indexOf(fn) === -1) this._listeners.push(fn);
};
AbortSignalImpl.prototype.removeEventListener = function (type, fn) {
  var at = this._listeners.indexOf(fn);
  if (type === "abort" && at !== -1) this._listeners.splice(at, 1);
};
AbortSignalImpl.prototype.throwIfAborted = function () {
  if (this.aborted) throw this.reason;
};
AbortSignalImpl.prototype._abort = function (reason) {
  if (this.aborted) return;
  this.aborted = true;
  this.reason = reason === undefined ? domError("AbortError", "This operation was aborted") : reason;
  var event = { type: "abort", target: this };
  var listeners = this._listeners.slice();
  for (var i = 0; i < listeners.length; i++) {
    if (listeners[i] !== ON_ABORT) listeners[i].call(this, event);
    else if (this._onabort !== null) this._onabort.call(this, event);
  }
};
AbortSignalImpl.abort = function (reason) {
  var s = new AbortSignalImpl();
  s._abort(reason);
  return s;
};
AbortSignalImpl.any = function (signals) {
  var s = new AbortSignalImpl();
  for (var i = 0; i < signals.length; i++) {
    if (signals[i].aborted) {
      s._abort(signals[i].reason);
      return s;
    }
  }
  for (var j = 0; j < signals.length; j++) {
    signals[j].addEventListener("abort", function () {
      s._abort(this.reason);
    });
  }
  return s;
};
AbortSignalImpl.timeout = function (ms) {
  var s = new AbortSignalImpl();
  setTimeout(function () {
    s._abort(domError("TimeoutError", "The operation was aborted due to timeout"));
  }, ms);
  return s;
};

function AbortControllerImpl() {
  this.signal = new AbortSignalImpl();
}
AbortControllerImpl.prototype.abort = function (reason) {
  this.signal._abort(reason);
};

// ---- install -------------------------------------------------------------------------------

function installWebPlatform(G) {
  if (typeof G.TextEncoder !== "function") G.TextEncoder = TextEncoderImpl;
  if (typeof G.TextDecoder !== "function") G.TextDecoder = TextDecoderImpl;
  if (typeof G.btoa !== "function") G.btoa = btoaImpl;
  if (typeof G.atob !== "function") G.atob = atobImpl;
  if (typeof G.structuredClone !== "function") G.structuredClone = structuredCloneImpl;
  if (typeof G.AbortController !== "function") {
    G.AbortController = AbortControllerImpl;
    G.AbortSignal = AbortSignalImpl;
  }
  if (typeof G.performance !== "object" || G.performance === null || typeof G.performance.now !== "function") {
    var origin = Date.now();
    G.performance = {
      timeOrigin: origin,
      now: function () {
        return Date.now() - origin;
      }
    };
  }
}
