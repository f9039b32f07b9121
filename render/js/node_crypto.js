// `crypto` / `node:crypto`: createHash (md5, sha1, sha256, sha384, sha512), createHmac,
// randomBytes, randomInt, randomUUID, getRandomValues, timingSafeEqual, and `webcrypto` /
// `subtle` passing through to the Web Crypto of crypto.js (whose SHA functions and ChaCha20
// keystream this reuses). MD5 (RFC 1321) lives here: Web Crypto has none. Ciphers, signatures
// and key derivation are not provided; calling them throws, naming what bext provides.

var RANDOM_INT_RANGE_MAX = 281474976710655; // Node's limit on max - min (2^48 - 1)

var MD5_SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
var MD5_K = (function () {
  var k = new Int32Array(64);
  for (var i = 0; i < 64; i++) k[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 4294967296) | 0;
  return k;
})();

// MD5 pads like the SHA family but writes the bit length and its words little-endian.
function md5(bytes) {
  var total = Math.ceil((bytes.length + 9) / 64) * 64;
  var m = new Uint8Array(total);
  m.set(bytes);
  m[bytes.length] = 0x80;
  var bits = bytes.length * 8;
  for (var b = 0; b < 8 && bits > 0; b++) {
    m[total - 8 + b] = bits % 256;
    bits = Math.floor(bits / 256);
  }
  var h = [0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476];
  var x = new Int32Array(16);
  for (var off = 0; off < total; off += 64) {
    for (var w = 0; w < 16; w++) {
      var at = off + w * 4;
      x[w] = m[at] | (m[at + 1] << 8) | (m[at + 2] << 16) | (m[at + 3] << 24);
    }
    var a = h[0], bb = h[1], c = h[2], d = h[3];
    for (var i = 0; i < 64; i++) {
      var f, g;
      var round = i >> 4;
      if (round === 0) { f = (bb & c) | (~bb & d); g = i; }
      else if (round === 1) { f = (d & bb) | (~d & c); g = (5 * i + 1) & 15; }
      else if (round === 2) { f = bb ^ c ^ d; g = (3 * i + 5) & 15; }
      else { f = c ^ (bb | ~d); g = (7 * i) & 15; }
      var sum = (a + f + MD5_K[i] + x[g]) | 0;
      a = d; d = c; c = bb;
      bb = (bb + rotl32(sum, MD5_SHIFTS[(round << 2) | (i & 3)])) | 0;
    }
    h[0] = (h[0] + a) | 0; h[1] = (h[1] + bb) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
  }
  var out = new Uint8Array(16);
  for (var j = 0; j < 4; j++) {
    out[j * 4] = h[j] & 0xff;
    out[j * 4 + 1] = (h[j] >>> 8) & 0xff;
    out[j * 4 + 2] = (h[j] >>> 16) & 0xff;
    out[j * 4 + 3] = (h[j] >>> 24) & 0xff;
  }
  return out.buffer;
}

// name -> [digest of bytes (an ArrayBuffer), block size in bytes]
var HASHES = {
  md5: [md5, 64],
  sha1: [sha1, 64],
  sha256: [sha256, 64],
  sha384: [DIGESTS["SHA-384"], 128],
  sha512: [DIGESTS["SHA-512"], 128]
};
var HASH_ALIASES = { "sha-1": "sha1", "sha-256": "sha256", "sha-384": "sha384", "sha-512": "sha512", "rsa-md5": "md5", "rsa-sha1": "sha1", "rsa-sha256": "sha256", "rsa-sha384": "sha384", "rsa-sha512": "sha512" };

function hashAlgorithm(name) {
  var key = String(name).toLowerCase();
  key = HASH_ALIASES[key] || key;
  var found = HASHES[key];
  if (found === undefined) {
    // Node's error carries no code here (it comes from OpenSSL).
    throw new Error("Digest method not supported (bext provides " + Object.keys(HASHES).join(", ") + ")");
  }
  return found;
}

function inputBytes(data, enc, what) {
  if (typeof data === "string") return bytesFromString(data, enc);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE",
    'The "' + what + '" argument must be of type string or an instance of Buffer, TypedArray, or DataView.' + receivedText(data));
}

function joinChunks(chunks) {
  var total = 0;
  for (var i = 0; i < chunks.length; i++) total += chunks[i].length;
  var out = new Uint8Array(total);
  var at = 0;
  for (var j = 0; j < chunks.length; j++) {
    out.set(chunks[j], at);
    at += chunks[j].length;
  }
  return out;
}

function digestOutput(bytes, enc) {
  var buf = bufferOf(new Uint8Array(bytes));
  return enc === undefined || enc === "buffer" ? buf : buf.toString(enc);
}

function Hash(algorithm) {
  this._algorithm = hashAlgorithm(algorithm);
  this._chunks = [];
  this._done = false;
}

Hash.prototype.update = function (data, enc) {
  if (this._done) throw nodeError(Error, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called");
  // Copied: the caller may reuse its buffer before digest().
  this._chunks.push(new Uint8Array(inputBytes(data, enc, "data")));
  return this;
};

Hash.prototype.digest = function (enc) {
  if (this._done) throw nodeError(Error, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called");
  this._done = true;
  return digestOutput(this._algorithm[0](joinChunks(this._chunks)), enc);
};

Hash.prototype.copy = function () {
  if (this._done) throw nodeError(Error, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called");
  var h = Object.create(Hash.prototype);
  h._algorithm = this._algorithm;
  h._chunks = this._chunks.slice();
  h._done = false;
  return h;
};

// HMAC (RFC 2104) over any of the hashes above.
function Hmac(algorithm, key) {
  var alg = hashAlgorithm(algorithm);
  var k = new Uint8Array(inputBytes(key, "utf8", "key"));
  var block = alg[1];
  if (k.length > block) k = new Uint8Array(alg[0](k));
  var ipad = new Uint8Array(block), opad = new Uint8Array(block);
  for (var i = 0; i < block; i++) {
    var b = i < k.length ? k[i] : 0;
    ipad[i] = b ^ 0x36;
    opad[i] = b ^ 0x5c;
  }
  this._algorithm = alg;
  this._opad = opad;
  this._chunks = [ipad];
  this._done = false;
}

Hmac.prototype.update = Hash.prototype.update;

Hmac.prototype.digest = function (enc) {
  if (this._done) throw nodeError(Error, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called");
  this._done = true;
  var inner = new Uint8Array(this._algorithm[0](joinChunks(this._chunks)));
  return digestOutput(this._algorithm[0](joinChunks([this._opad, inner])), enc);
};

function nodeRandomBytes(size, callback) {
  checkSize(size);
  var out = Buffer.alloc(size);
  randomBytes(out);
  if (typeof callback === "function") {
    Promise.resolve().then(function () { callback(null, out); });
    return undefined;
  }
  return out;
}

function randomInt(min, max, callback) {
  if (max === undefined || typeof max === "function") {
    callback = max;
    max = min;
    min = 0;
  }
  if (!Number.isSafeInteger(min)) throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", 'The "min" argument must be a safe integer.' + receivedText(min));
  if (!Number.isSafeInteger(max)) throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", 'The "max" argument must be a safe integer.' + receivedText(max));
  if (max <= min) {
    throw nodeError(RangeError, "ERR_OUT_OF_RANGE", 'The value of "max" is out of range. It must be greater than the value of "min" (' + min + "). Received " + max);
  }
  var range = max - min;
  if (range > RANDOM_INT_RANGE_MAX) {
    throw nodeError(RangeError, "ERR_OUT_OF_RANGE", 'The value of "max - min" is out of range. It must be <= ' + RANDOM_INT_RANGE_MAX + ". Received " + range);
  }
  // Rejection sampling over 48 random bits: no modulo bias.
  var limit = 281474976710656 - (281474976710656 % range);
  var six = new Uint8Array(6);
  var n;
  do {
    randomBytes(six);
    n = 0;
    for (var i = 0; i < 6; i++) n = n * 256 + six[i];
  } while (n >= limit);
  var result = min + (n % range);
  if (typeof callback === "function") {
    Promise.resolve().then(function () { callback(null, result); });
    return undefined;
  }
  return result;
}

function timingSafeEqual(a, b) {
  var x = inputBytes(a, undefined, "buf1"), y = inputBytes(b, undefined, "buf2");
  if (x.length !== y.length) {
    throw nodeError(RangeError, "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH", "Input buffers must have the same byte length");
  }
  var diff = 0;
  for (var i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

function cryptoNotProvided(name) {
  return function () {
    throw nodeError(Error, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM",
      "crypto." + name + " is not available in bext's engines (bext provides createHash, createHmac, randomBytes, randomInt, randomUUID, timingSafeEqual and webcrypto.subtle.digest)");
  };
}

var nodeCryptoModule = {
  createHash: function (algorithm) { return new Hash(algorithm); },
  createHmac: function (algorithm, key) { return new Hmac(algorithm, key); },
  hash: function (algorithm, data, enc) { return new Hash(algorithm).update(data).digest(enc === undefined ? "hex" : enc); },
  getHashes: function () { return Object.keys(HASHES); },
  randomBytes: nodeRandomBytes,
  randomInt: randomInt,
  randomUUID: function () { return randomUUID(); },
  getRandomValues: function (array) { return getRandomValues(array); },
  randomFillSync: function (buf, offset, size) {
    var start = offset === undefined ? 0 : offset;
    var view = new Uint8Array(buf.buffer || buf, (buf.byteOffset || 0) + start, size === undefined ? (buf.byteLength - start) : size);
    randomBytes(view);
    return buf;
  },
  timingSafeEqual: timingSafeEqual,
  Hash: Hash,
  Hmac: Hmac,
  constants: {}
};
["createCipheriv", "createDecipheriv", "createSign", "createVerify", "generateKeyPair", "generateKeyPairSync",
  "createPrivateKey", "createPublicKey", "createSecretKey", "pbkdf2", "pbkdf2Sync", "scrypt", "scryptSync",
  "publicEncrypt", "privateDecrypt", "createECDH", "createDiffieHellman", "sign", "verify", "hkdf", "hkdfSync"].forEach(function (name) {
  nodeCryptoModule[name] = cryptoNotProvided(name);
});
