// `buffer` / `node:buffer` and the global `Buffer`: Node's Buffer as a Uint8Array subclass.
// Encodings: utf8 (utf-8), hex, base64, base64url, latin1 (binary), ascii, utf16le (ucs2).
// `slice` and `subarray` share memory, as in Node. Decoding is as lenient as Node's: hex
// stops at the first pair that is not hex, base64 skips characters outside its alphabets.

var BUFFER_ENCODINGS = {
  utf8: "utf8", "utf-8": "utf8", hex: "hex", base64: "base64", base64url: "base64url",
  latin1: "latin1", binary: "latin1", ascii: "ascii", utf16le: "utf16le", "utf-16le": "utf16le",
  ucs2: "utf16le", "ucs-2": "utf16le"
};
var BUFFER_INSPECT_BYTES_MAX = 50; // Node's buffer.INSPECT_MAX_BYTES
var BUFFER_LENGTH_MAX = 4294967296; // Node's buffer.constants.MAX_LENGTH on 64-bit
var B64_URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function nodeError(Kind, code, message) {
  var e = new Kind(message);
  e.code = code;
  return e;
}

function bufferEncoding(enc) {
  if (enc === undefined || enc === null) return "utf8";
  var name = BUFFER_ENCODINGS[String(enc).toLowerCase()];
  if (name === undefined) throw nodeError(TypeError, "ERR_UNKNOWN_ENCODING", "Unknown encoding: " + enc);
  return name;
}

// ---- encode: string -> bytes ------------------------------------------------------------------

function bytesFromString(s, enc) {
  switch (bufferEncoding(enc)) {
    case "utf8": return utf8Encode(s);
    case "hex": return hexBytes(s);
    case "base64":
    case "base64url": return base64Bytes(s);
    case "latin1":
    case "ascii": return latin1Bytes(s);
    default: return utf16Bytes(s);
  }
}

function hexBytes(s) {
  var n = s.length >>> 1;
  var out = new Uint8Array(n);
  for (var i = 0; i < n; i++) {
    var byte = parseInt(s.substr(i * 2, 2), 16);
    if (!/^[0-9a-fA-F]{2}$/.test(s.substr(i * 2, 2))) return out.slice(0, i);
    out[i] = byte;
  }
  return out;
}

function base64Value(code) {
  if (code >= 65 && code <= 90) return code - 65;
  if (code >= 97 && code <= 122) return code - 71;
  if (code >= 48 && code <= 57) return code + 4;
  if (code === 43 || code === 45) return 62; // + and -
  if (code === 47 || code === 95) return 63; // / and _
  return -1;
}

function base64Bytes(s) {
  var out = new Uint8Array(Math.ceil(s.length * 3 / 4));
  var n = 0, acc = 0, bits = 0;
  for (var i = 0; i < s.length; i++) {
    var code = s.charCodeAt(i);
    if (code === 61) break; // "=": the end
    var v = base64Value(code);
    if (v < 0) continue;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return out.slice(0, n);
}

function latin1Bytes(s) {
  var out = new Uint8Array(s.length);
  for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

function utf16Bytes(s) {
  var out = new Uint8Array(s.length * 2);
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    out[i * 2] = c & 0xff;
    out[i * 2 + 1] = c >>> 8;
  }
  return out;
}

// ---- decode: bytes -> string ------------------------------------------------------------------

function stringFromBytes(bytes, enc) {
  switch (bufferEncoding(enc)) {
    case "utf8": return utf8Decode(bytes, false);
    case "hex": {
      var hex = "";
      for (var i = 0; i < bytes.length; i++) hex += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
      return hex;
    }
    case "base64": return base64String(bytes, B64, true);
    case "base64url": return base64String(bytes, B64_URL, false);
    case "latin1": return charCodes(bytes, 0xff);
    case "ascii": return charCodes(bytes, 0x7f);
    default: {
      var units = [];
      for (var j = 0; j + 1 < bytes.length; j += 2) units.push(bytes[j] | (bytes[j + 1] << 8));
      return codesToString(units);
    }
  }
}

function charCodes(bytes, mask) {
  var codes = new Array(bytes.length);
  for (var i = 0; i < bytes.length; i++) codes[i] = bytes[i] & mask;
  return codesToString(codes);
}

function codesToString(codes) {
  var out = "";
  for (var i = 0; i < codes.length; i += 8192) out += String.fromCharCode.apply(null, codes.slice(i, i + 8192));
  return out;
}

function base64String(bytes, alphabet, pad) {
  var out = "";
  for (var i = 0; i < bytes.length; i += 3) {
    var left = bytes.length - i;
    var n = (bytes[i] << 16) | ((left > 1 ? bytes[i + 1] : 0) << 8) | (left > 2 ? bytes[i + 2] : 0);
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63];
    out += left > 1 ? alphabet[(n >> 6) & 63] : pad ? "=" : "";
    out += left > 2 ? alphabet[n & 63] : pad ? "=" : "";
  }
  return out;
}

// ---- Buffer ------------------------------------------------------------------------------------

class Buffer extends Uint8Array {
  static from(value, encOrOffset, length) {
    if (typeof value === "string") return bufferOf(bytesFromString(value, encOrOffset));
    if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer === "function" && value instanceof SharedArrayBuffer)) {
      var offset = encOrOffset === undefined ? 0 : encOrOffset >>> 0;
      var len = length === undefined ? value.byteLength - offset : length >>> 0;
      if (offset > value.byteLength) throw nodeError(RangeError, "ERR_BUFFER_OUT_OF_BOUNDS", '"offset" is outside of buffer bounds');
      return new Buffer(value, offset, len);
    }
    if (ArrayBuffer.isView(value)) {
      if (!(value instanceof Uint8Array)) return bufferOf(Uint8Array.from(value));
      var copy = new Buffer(value.length);
      copy.set(value);
      return copy;
    }
    if (value !== null && typeof value === "object") {
      if (value.type === "Buffer" && Array.isArray(value.data)) return bufferOf(Uint8Array.from(value.data));
      if (typeof value.length === "number" || Array.isArray(value)) return bufferOf(Uint8Array.from(value));
      var prim = typeof value.valueOf === "function" ? value.valueOf() : value;
      if (prim !== value && prim !== null && prim !== undefined) return Buffer.from(prim, encOrOffset, length);
    }
    throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE",
      "The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object." + receivedText(value));
  }

  static alloc(size, fill, enc) {
    checkSize(size);
    var b = new Buffer(size);
    if (fill !== undefined && fill !== 0) b.fill(fill, 0, b.length, enc);
    return b;
  }

  static allocUnsafe(size) {
    checkSize(size);
    return new Buffer(size);
  }

  static allocUnsafeSlow(size) {
    return Buffer.allocUnsafe(size);
  }

  static isBuffer(value) {
    return value instanceof Buffer;
  }

  static isEncoding(enc) {
    return typeof enc === "string" && BUFFER_ENCODINGS[enc.toLowerCase()] !== undefined;
  }

  static byteLength(value, enc) {
    if (typeof value !== "string") {
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value.byteLength;
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE",
        'The "string" argument must be of type string or an instance of Buffer or ArrayBuffer.' + receivedText(value));
    }
    return bytesFromString(value, enc).length;
  }

  static concat(list, totalLength) {
    if (!Array.isArray(list)) {
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", 'The "list" argument must be an instance of Array.' + receivedText(list));
    }
    var total = 0;
    for (var i = 0; i < list.length; i++) total += list[i].length;
    var size = totalLength === undefined ? total : totalLength >>> 0;
    var out = Buffer.alloc(size);
    var at = 0;
    for (var j = 0; j < list.length && at < size; j++) {
      var part = list[j];
      if (!(part instanceof Uint8Array)) {
        throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", 'The "list[' + j + ']" argument must be an instance of Buffer or Uint8Array.' + receivedText(part));
      }
      var take = Math.min(part.length, size - at);
      out.set(take === part.length ? part : part.subarray(0, take), at);
      at += take;
    }
    return out;
  }

  static compare(a, b) {
    var n = Math.min(a.length, b.length);
    for (var i = 0; i < n; i++) {
      if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    }
    return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
  }

  toString(enc, start, end) {
    var s = start === undefined ? 0 : Math.max(0, start | 0);
    var e = end === undefined ? this.length : Math.min(this.length, end | 0);
    if (e <= s) return "";
    return stringFromBytes(s === 0 && e === this.length ? this : this.subarray(s, e), enc);
  }

  toJSON() {
    return { type: "Buffer", data: Array.from(this) };
  }

  equals(other) {
    if (!(other instanceof Uint8Array)) {
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", 'The "otherBuffer" argument must be an instance of Buffer or Uint8Array.' + receivedText(other));
    }
    return Buffer.compare(this, other) === 0;
  }

  compare(target, targetStart, targetEnd, sourceStart, sourceEnd) {
    var t = target.subarray(targetStart || 0, targetEnd === undefined ? target.length : targetEnd);
    var s = this.subarray(sourceStart || 0, sourceEnd === undefined ? this.length : sourceEnd);
    return Buffer.compare(s, t);
  }

  slice(start, end) {
    return this.subarray(start, end);
  }

  write(string, offset, length, enc) {
    // write(string[, offset[, length]][, encoding])
    if (typeof offset === "string") { enc = offset; offset = 0; length = undefined; }
    else if (typeof length === "string") { enc = length; length = undefined; }
    var at = offset === undefined ? 0 : offset >>> 0;
    var room = this.length - at;
    var max = length === undefined ? room : Math.min(room, length >>> 0);
    var bytes = bytesFromString(String(string), enc);
    var n = Math.min(max, bytes.length);
    if (bufferEncoding(enc) === "utf8") n = utf8Boundary(bytes, n);
    this.set(bytes.subarray(0, n), at);
    return n;
  }

  fill(value, offset, end, enc) {
    if (typeof offset === "string") { enc = offset; offset = 0; end = this.length; }
    else if (typeof end === "string") { enc = end; end = this.length; }
    var s = offset === undefined ? 0 : offset >>> 0;
    var e = end === undefined ? this.length : Math.min(this.length, end >>> 0);
    if (typeof value === "number") {
      Uint8Array.prototype.fill.call(this, value & 255, s, e);
      return this;
    }
    var pattern = typeof value === "string" ? bytesFromString(value, enc) : value instanceof Uint8Array ? value : Buffer.from([Number(value) & 255]);
    if (pattern.length === 0) {
      if (typeof value === "string" && value.length > 0) throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", "The argument 'value' is invalid. Received '" + value + "'");
      Uint8Array.prototype.fill.call(this, 0, s, e);
      return this;
    }
    for (var i = s, j = 0; i < e; i++, j = (j + 1) % pattern.length) this[i] = pattern[j];
    return this;
  }

  indexOf(value, byteOffset, enc) {
    return bufferIndexOf(this, value, byteOffset, enc, true);
  }

  lastIndexOf(value, byteOffset, enc) {
    return bufferIndexOf(this, value, byteOffset, enc, false);
  }

  includes(value, byteOffset, enc) {
    return this.indexOf(value, byteOffset, enc) !== -1;
  }

  copy(target, targetStart, sourceStart, sourceEnd) {
    var ts = targetStart === undefined ? 0 : targetStart >>> 0;
    var ss = sourceStart === undefined ? 0 : sourceStart >>> 0;
    var se = sourceEnd === undefined ? this.length : Math.min(this.length, sourceEnd >>> 0);
    if (ts >= target.length || ss >= se) return 0;
    var n = Math.min(se - ss, target.length - ts);
    target.set(this.subarray(ss, ss + n), ts);
    return n;
  }

  swap16() {
    for (var i = 0; i + 1 < this.length; i += 2) { var a = this[i]; this[i] = this[i + 1]; this[i + 1] = a; }
    return this;
  }

  toLocaleString(enc, start, end) {
    return this.toString(enc, start, end);
  }
}

function bufferOf(bytes) {
  return new Buffer(bytes.buffer, bytes.byteOffset, bytes.length);
}

function checkSize(size) {
  if (typeof size !== "number" || !(size >= 0) || size > BUFFER_LENGTH_MAX) {
    throw nodeError(typeof size === "number" ? RangeError : TypeError, typeof size === "number" ? "ERR_OUT_OF_RANGE" : "ERR_INVALID_ARG_TYPE",
      typeof size === "number"
        ? 'The value of "size" is out of range. It must be >= 0 && <= ' + BUFFER_LENGTH_MAX + ". Received " + size
        : 'The "size" argument must be of type number.' + receivedText(size));
  }
}

function receivedText(value) {
  if (value === null || value === undefined) return " Received " + value;
  if (typeof value === "function") return " Received function " + (value.name || "anonymous");
  if (typeof value === "object") {
    var ctor = value.constructor && value.constructor.name;
    return ctor ? " Received an instance of " + ctor : " Received " + inspect(value, { depth: -1 });
  }
  var shown = inspect(value);
  if (shown.length > 28) shown = shown.slice(0, 25) + "...";
  return " Received type " + typeof value + " (" + shown + ")";
}

// The longest prefix of `n` bytes that does not cut a UTF-8 sequence (Buffer.write's rule).
function utf8Boundary(bytes, n) {
  if (n >= bytes.length) return n;
  var i = n;
  while (i > 0 && (bytes[i] & 0xc0) === 0x80) i--;
  return i;
}

function bufferIndexOf(buf, value, byteOffset, enc, forward) {
  if (typeof byteOffset === "string") { enc = byteOffset; byteOffset = undefined; }
  var from = byteOffset === undefined ? (forward ? 0 : buf.length - 1) : Number(byteOffset) | 0;
  if (from < 0) from = buf.length + from;
  if (typeof value === "number") value = Buffer.from([value & 255]);
  else if (typeof value === "string") value = bytesFromString(value, enc);
  if (value.length === 0) return forward ? Math.min(Math.max(from, 0), buf.length) : Math.min(from, buf.length);
  if (forward) {
    for (var i = Math.max(from, 0); i + value.length <= buf.length; i++) if (matchesAt(buf, value, i)) return i;
  } else {
    for (var j = Math.min(from, buf.length - value.length); j >= 0; j--) if (matchesAt(buf, value, j)) return j;
  }
  return -1;
}

function matchesAt(buf, value, at) {
  for (var k = 0; k < value.length; k++) if (buf[at + k] !== value[k]) return false;
  return true;
}

// readUInt8/16/32 and readInt*, LE and BE, with their writers and Node's lower-case aliases;
// floats, doubles and 64-bit integers through a DataView.
function viewOf(buf) {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

function checkOffset(buf, offset, size) {
  var at = offset === undefined ? 0 : offset;
  if (typeof at !== "number" || at !== Math.floor(at) || at < 0 || at + size > buf.length) {
    if (typeof at === "number" && at + size > buf.length && buf.length >= size && at === Math.floor(at) && at >= 0) {
      throw nodeError(RangeError, "ERR_OUT_OF_RANGE", 'The value of "offset" is out of range. It must be >= 0 and <= ' + (buf.length - size) + ". Received " + at);
    }
    if (buf.length < size) throw nodeError(RangeError, "ERR_BUFFER_OUT_OF_BOUNDS", "Attempt to access memory outside buffer bounds");
    throw nodeError(RangeError, "ERR_OUT_OF_RANGE", 'The value of "offset" is out of range. It must be >= 0 and <= ' + (buf.length - size) + ". Received " + at);
  }
  return at;
}

[["UInt8", "Uint8", 1], ["Int8", "Int8", 1], ["UInt16", "Uint16", 2], ["Int16", "Int16", 2],
  ["UInt32", "Uint32", 4], ["Int32", "Int32", 4], ["Float", "Float32", 4], ["Double", "Float64", 8],
  ["BigUInt64", "BigUint64", 8], ["BigInt64", "BigInt64", 8]].forEach(function (spec) {
  var name = spec[0], view = spec[1], size = spec[2];
  var ends = size === 1 ? [""] : ["LE", "BE"];
  ends.forEach(function (end) {
    var little = end === "LE";
    var read = function (offset) {
      var at = checkOffset(this, offset, size);
      return viewOf(this)["get" + view](at, little);
    };
    var write = function (value, offset) {
      var at = checkOffset(this, offset, size);
      viewOf(this)["set" + view](at, value, little);
      return at + size;
    };
    Buffer.prototype["read" + name + end] = read;
    Buffer.prototype["write" + name + end] = write;
    if (name.indexOf("UInt") >= 0) {
      Buffer.prototype["read" + name.replace("UInt", "Uint") + end] = read;
      Buffer.prototype["write" + name.replace("UInt", "Uint") + end] = write;
    }
  });
});

Buffer.poolSize = 8192;

var bufferModule = {
  Buffer: Buffer,
  SlowBuffer: Buffer,
  kMaxLength: BUFFER_LENGTH_MAX,
  kStringMaxLength: 536870888,
  constants: { MAX_LENGTH: BUFFER_LENGTH_MAX, MAX_STRING_LENGTH: 536870888 },
  INSPECT_MAX_BYTES: BUFFER_INSPECT_BYTES_MAX,
  atob: function (s) { return globalThis.atob(s); },
  btoa: function (s) { return globalThis.btoa(s); },
  isUtf8: function (input) {
    try {
      utf8Decode(input instanceof ArrayBuffer ? new Uint8Array(input) : input, true);
      return true;
    } catch (e) {
      return false;
    }
  }
};

// `<Buffer 68 69>` as util.inspect prints it.
function inspectBuffer(buf) {
  var shown = Math.min(buf.length, BUFFER_INSPECT_BYTES_MAX);
  var hex = [];
  for (var i = 0; i < shown; i++) hex.push((buf[i] < 16 ? "0" : "") + buf[i].toString(16));
  var more = buf.length - shown;
  return "<" + (buf.constructor && buf.constructor.name || "Buffer") + (hex.length ? " " + hex.join(" ") : "") +
    (more > 0 ? " ... " + more + " more byte" + (more > 1 ? "s" : "") : "") + ">";
}
