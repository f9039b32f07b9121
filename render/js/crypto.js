// Web Crypto for engines without it (bare QuickJS, JavaScriptCore and V8 contexts have none:
// it is a web API): `crypto.getRandomValues`, `crypto.randomUUID` and `crypto.subtle.digest`
// (SHA-1, SHA-256, SHA-384, SHA-512). Other `subtle` methods reject with NotSupportedError.
//
// Randomness: a ChaCha20 keystream (RFC 8439) keyed with 32 bytes from the operating system,
// which Rust hands over once per engine (`__bext_configure`'s `seed`); the engine lives on one
// thread and never forks, so one seeding is enough. Nothing here is usable for randomness
// before that: `getRandomValues` throws rather than return predictable bytes.

var RANDOM_BYTES_PER_CALL_MAX = 65536; // the Web Crypto quota for one getRandomValues call

function cryptoError(name, message) {
  var e = new Error(message);
  e.name = name;
  return e;
}

// ---- ChaCha20 keystream --------------------------------------------------------------------

var chachaKey = null; // 8 little-endian words, or null until seeded
var chachaCounter = 0;
var chachaBlock = new Uint8Array(64);
var chachaUsed = 64; // bytes of `chachaBlock` already handed out

function seedRandom(hex) {
  if (typeof hex !== "string" || !/^[0-9a-f]{64}$/.test(hex)) return;
  chachaKey = new Uint32Array(8);
  for (var i = 0; i < 8; i++) {
    var w = 0;
    for (var b = 3; b >= 0; b--) w = (w << 8) | parseInt(hex.substr((i * 4 + b) * 2, 2), 16);
    chachaKey[i] = w >>> 0;
  }
  chachaCounter = 0;
  chachaUsed = 64;
}

function rotl32(x, n) {
  return (x << n) | (x >>> (32 - n));
}

function quarterRound(s, a, b, c, d) {
  s[a] = (s[a] + s[b]) | 0; s[d] = rotl32(s[d] ^ s[a], 16);
  s[c] = (s[c] + s[d]) | 0; s[b] = rotl32(s[b] ^ s[c], 12);
  s[a] = (s[a] + s[b]) | 0; s[d] = rotl32(s[d] ^ s[a], 8);
  s[c] = (s[c] + s[d]) | 0; s[b] = rotl32(s[b] ^ s[c], 7);
}

var chachaState = new Int32Array(16);
var chachaWork = new Int32Array(16);

// The next 64 bytes of keystream (nonce 0, block counter `chachaCounter`) into chachaBlock.
function chachaNextBlock() {
  var s = chachaState;
  s[0] = 0x61707865; s[1] = 0x3320646e; s[2] = 0x79622d32; s[3] = 0x6b206574;
  for (var i = 0; i < 8; i++) s[4 + i] = chachaKey[i];
  s[12] = chachaCounter; s[13] = 0; s[14] = 0; s[15] = 0;
  var x = chachaWork;
  x.set(s);
  for (var round = 0; round < 10; round++) {
    quarterRound(x, 0, 4, 8, 12); quarterRound(x, 1, 5, 9, 13);
    quarterRound(x, 2, 6, 10, 14); quarterRound(x, 3, 7, 11, 15);
    quarterRound(x, 0, 5, 10, 15); quarterRound(x, 1, 6, 11, 12);
    quarterRound(x, 2, 7, 8, 13); quarterRound(x, 3, 4, 9, 14);
  }
  for (var j = 0; j < 16; j++) {
    var w = (x[j] + s[j]) | 0;
    chachaBlock[j * 4] = w & 0xff;
    chachaBlock[j * 4 + 1] = (w >>> 8) & 0xff;
    chachaBlock[j * 4 + 2] = (w >>> 16) & 0xff;
    chachaBlock[j * 4 + 3] = (w >>> 24) & 0xff;
  }
  chachaCounter = (chachaCounter + 1) >>> 0;
  if (chachaCounter === 0) {
    // 256 GiB drawn from one key: take the next key from the stream itself.
    for (var k = 0; k < 8; k++) chachaKey[k] = (chachaKey[k] ^ (chachaBlock[k * 4] | (chachaBlock[k * 4 + 1] << 8) | (chachaBlock[k * 4 + 2] << 16) | (chachaBlock[k * 4 + 3] << 24))) >>> 0;
  }
  chachaUsed = 0;
}

function randomBytes(out) {
  if (chachaKey === null) {
    throw cryptoError("OperationError", "crypto.getRandomValues: no random seed yet (the engine was not configured by bext)");
  }
  for (var i = 0; i < out.length; i++) {
    if (chachaUsed === 64) chachaNextBlock();
    out[i] = chachaBlock[chachaUsed++];
  }
}

function getRandomValues(array) {
  var ok = array instanceof Int8Array || array instanceof Uint8Array || array instanceof Uint8ClampedArray ||
    array instanceof Int16Array || array instanceof Uint16Array || array instanceof Int32Array ||
    array instanceof Uint32Array ||
    (typeof BigInt64Array === "function" && (array instanceof BigInt64Array || array instanceof BigUint64Array));
  if (!ok) {
    throw cryptoError("TypeMismatchError", "The data argument must be an integer-type TypedArray");
  }
  if (array.byteLength > RANDOM_BYTES_PER_CALL_MAX) {
    throw cryptoError(
      "QuotaExceededError",
      "The ArrayBufferView's byte length (" + array.byteLength + ") exceeds the number of bytes of entropy available via this API (" + RANDOM_BYTES_PER_CALL_MAX + ")"
    );
  }
  randomBytes(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  return array;
}

var HEX = "0123456789abcdef";
function randomUUID() {
  var b = new Uint8Array(16);
  randomBytes(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  var s = "";
  for (var i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += "-";
    s += HEX[b[i] >> 4] + HEX[b[i] & 15];
  }
  return s;
}

// ---- digests --------------------------------------------------------------------------------

function bytesOf(data) {
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  throw new TypeError("Failed to execute 'digest' on 'SubtleCrypto': 2nd argument is not instance of ArrayBuffer, Buffer, TypedArray, or DataView.");
}

// Message padding shared by the SHA family: 0x80, zeros, then the bit length big-endian in
// the last `lenBytes` bytes of a `blockBytes` block.
function padded(bytes, blockBytes, lenBytes) {
  var total = Math.ceil((bytes.length + 1 + lenBytes) / blockBytes) * blockBytes;
  var out = new Uint8Array(total);
  out.set(bytes);
  out[bytes.length] = 0x80;
  var bits = bytes.length * 8;
  for (var i = 0; i < 8 && bits > 0; i++) {
    out[total - 1 - i] = bits % 256;
    bits = Math.floor(bits / 256);
  }
  return out;
}

function wordAt(m, i) {
  return (m[i] << 24) | (m[i + 1] << 16) | (m[i + 2] << 8) | m[i + 3];
}

function wordsOut(words, count) {
  var out = new Uint8Array(count * 4);
  for (var i = 0; i < count; i++) {
    out[i * 4] = words[i] >>> 24;
    out[i * 4 + 1] = (words[i] >>> 16) & 0xff;
    out[i * 4 + 2] = (words[i] >>> 8) & 0xff;
    out[i * 4 + 3] = words[i] & 0xff;
  }
  return out.buffer;
}

function sha1(bytes) {
  var m = padded(bytes, 64, 8);
  var h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  var w = new Int32Array(80);
  for (var off = 0; off < m.length; off += 64) {
    for (var t = 0; t < 16; t++) w[t] = wordAt(m, off + t * 4);
    for (t = 16; t < 80; t++) w[t] = rotl32(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (t = 0; t < 80; t++) {
      var f, k;
      if (t < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
      else if (t < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
      else if (t < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc; }
      else { f = b ^ c ^ d; k = 0xca62c1d6; }
      var temp = (rotl32(a, 5) + f + e + k + w[t]) | 0;
      e = d; d = c; c = rotl32(b, 30); b = a; a = temp;
    }
    h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0;
    h[3] = (h[3] + d) | 0; h[4] = (h[4] + e) | 0;
  }
  return wordsOut(h, 5);
}

var K256 = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
];

function rotr32(x, n) {
  return (x >>> n) | (x << (32 - n));
}

function sha256(bytes) {
  var m = padded(bytes, 64, 8);
  var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  var w = new Int32Array(64);
  for (var off = 0; off < m.length; off += 64) {
    for (var t = 0; t < 16; t++) w[t] = wordAt(m, off + t * 4);
    for (t = 16; t < 64; t++) {
      var s0 = rotr32(w[t - 15], 7) ^ rotr32(w[t - 15], 18) ^ (w[t - 15] >>> 3);
      var s1 = rotr32(w[t - 2], 17) ^ rotr32(w[t - 2], 19) ^ (w[t - 2] >>> 10);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
    }
    var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (t = 0; t < 64; t++) {
      var S1 = rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25);
      var ch = (e & f) ^ (~e & g);
      var t1 = (hh + S1 + ch + K256[t] + w[t]) | 0;
      var S0 = rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22);
      var maj = (a & b) ^ (a & c) ^ (b & c);
      var t2 = (S0 + maj) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
    h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
  }
  return wordsOut(h, 8);
}

// SHA-512 on pairs of 32-bit words (high, low).
var K512 = [
  0x428a2f98, 0xd728ae22, 0x71374491, 0x23ef65cd, 0xb5c0fbcf, 0xec4d3b2f, 0xe9b5dba5, 0x8189dbbc,
  0x3956c25b, 0xf348b538, 0x59f111f1, 0xb605d019, 0x923f82a4, 0xaf194f9b, 0xab1c5ed5, 0xda6d8118,
  0xd807aa98, 0xa3030242, 0x12835b01, 0x45706fbe, 0x243185be, 0x4ee4b28c, 0x550c7dc3, 0xd5ffb4e2,
  0x72be5d74, 0xf27b896f, 0x80deb1fe, 0x3b1696b1, 0x9bdc06a7, 0x25c71235, 0xc19bf174, 0xcf692694,
  0xe49b69c1, 0x9ef14ad2, 0xefbe4786, 0x384f25e3, 0x0fc19dc6, 0x8b8cd5b5, 0x240ca1cc, 0x77ac9c65,
  0x2de92c6f, 0x592b0275, 0x4a7484aa, 0x6ea6e483, 0x5cb0a9dc, 0xbd41fbd4, 0x76f988da, 0x831153b5,
  0x983e5152, 0xee66dfab, 0xa831c66d, 0x2db43210, 0xb00327c8, 0x98fb213f, 0xbf597fc7, 0xbeef0ee4,
  0xc6e00bf3, 0x3da88fc2, 0xd5a79147, 0x930aa725, 0x06ca6351, 0xe003826f, 0x14292967, 0x0a0e6e70,
  0x27b70a85, 0x46d22ffc, 0x2e1b2138, 0x5c26c926, 0x4d2c6dfc, 0x5ac42aed, 0x53380d13, 0x9d95b3df,
  0x650a7354, 0x8baf63de, 0x766a0abb, 0x3c77b2a8, 0x81c2c92e, 0x47edaee6, 0x92722c85, 0x1482353b,
  0xa2bfe8a1, 0x4cf10364, 0xa81a664b, 0xbc423001, 0xc24b8b70, 0xd0f89791, 0xc76c51a3, 0x0654be30,
  0xd192e819, 0xd6ef5218, 0xd6990624, 0x5565a910, 0xf40e3585, 0x5771202a, 0x106aa070, 0x32bbd1b8,
  0x19a4c116, 0xb8d2d0c8, 0x1e376c08, 0x5141ab53, 0x2748774c, 0xdf8eeb99, 0x34b0bcb5, 0xe19b48a8,
  0x391c0cb3, 0xc5c95a63, 0x4ed8aa4a, 0xe3418acb, 0x5b9cca4f, 0x7763e373, 0x682e6ff3, 0xd6b2b8a3,
  0x748f82ee, 0x5defb2fc, 0x78a5636f, 0x43172f60, 0x84c87814, 0xa1f0ab72, 0x8cc70208, 0x1a6439ec,
  0x90befffa, 0x23631e28, 0xa4506ceb, 0xde82bde9, 0xbef9a3f7, 0xb2c67915, 0xc67178f2, 0xe372532b,
  0xca273ece, 0xea26619c, 0xd186b8c7, 0x21c0c207, 0xeada7dd6, 0xcde0eb1e, 0xf57d4f7f, 0xee6ed178,
  0x06f067aa, 0x72176fba, 0x0a637dc5, 0xa2c898a6, 0x113f9804, 0xbef90dae, 0x1b710b35, 0x131c471b,
  0x28db77f5, 0x23047d84, 0x32caab7b, 0x40c72493, 0x3c9ebe0a, 0x15c9bebc, 0x431d67c4, 0x9c100d4c,
  0x4cc5d4be, 0xcb3e42b6, 0x597f299c, 0xfc657e2a, 0x5fcb6fab, 0x3ad6faec, 0x6c44198c, 0x4a475817
];
var IV512 = [
  0x6a09e667, 0xf3bcc908, 0xbb67ae85, 0x84caa73b, 0x3c6ef372, 0xfe94f82b, 0xa54ff53a, 0x5f1d36f1,
  0x510e527f, 0xade682d1, 0x9b05688c, 0x2b3e6c1f, 0x1f83d9ab, 0xfb41bd6b, 0x5be0cd19, 0x137e2179
];
var IV384 = [
  0xcbbb9d5d, 0xc1059ed8, 0x629a292a, 0x367cd507, 0x9159015a, 0x3070dd17, 0x152fecd8, 0xf70e5939,
  0x67332667, 0xffc00b31, 0x8eb44a87, 0x68581511, 0xdb0c2e0d, 0x64f98fa7, 0x47b5481d, 0xbefa4fa4
];

// (hi, lo) rotated right by n (0 < n < 64), into r[0], r[1].
function rotr64(hi, lo, n, r) {
  if (n < 32) {
    r[0] = (hi >>> n) | (lo << (32 - n));
    r[1] = (lo >>> n) | (hi << (32 - n));
  } else {
    n -= 32;
    r[0] = n === 0 ? lo : (lo >>> n) | (hi << (32 - n));
    r[1] = n === 0 ? hi : (hi >>> n) | (lo << (32 - n));
  }
}

function sha512(bytes, iv, outWords) {
  var m = padded(bytes, 128, 16);
  var h = iv.slice();
  var w = new Int32Array(160);
  var r = [0, 0], q = [0, 0], p = [0, 0];
  for (var off = 0; off < m.length; off += 128) {
    for (var t = 0; t < 32; t++) w[t] = wordAt(m, off + t * 4);
    for (t = 16; t < 80; t++) {
      // s0 = rotr1 ^ rotr8 ^ shr7 of w[t-15]; s1 = rotr19 ^ rotr61 ^ shr6 of w[t-2]
      var xh = w[(t - 15) * 2], xl = w[(t - 15) * 2 + 1];
      rotr64(xh, xl, 1, r); rotr64(xh, xl, 8, q);
      var s0h = r[0] ^ q[0] ^ (xh >>> 7);
      var s0l = r[1] ^ q[1] ^ ((xl >>> 7) | (xh << 25));
      var yh = w[(t - 2) * 2], yl = w[(t - 2) * 2 + 1];
      rotr64(yh, yl, 19, r); rotr64(yh, yl, 61, q);
      var s1h = r[0] ^ q[0] ^ (yh >>> 6);
      var s1l = r[1] ^ q[1] ^ ((yl >>> 6) | (yh << 26));
      var lo = (w[(t - 16) * 2 + 1] >>> 0) + (s0l >>> 0) + (w[(t - 7) * 2 + 1] >>> 0) + (s1l >>> 0);
      var hi = w[(t - 16) * 2] + s0h + w[(t - 7) * 2] + s1h + Math.floor(lo / 4294967296);
      w[t * 2] = hi | 0;
      w[t * 2 + 1] = lo | 0;
    }
    var ah = h[0], al = h[1], bh = h[2], bl = h[3], ch = h[4], cl = h[5], dh = h[6], dl = h[7];
    var eh = h[8], el = h[9], fh = h[10], fl = h[11], gh = h[12], gl = h[13], hh = h[14], hl = h[15];
    for (t = 0; t < 80; t++) {
      rotr64(eh, el, 14, r); rotr64(eh, el, 18, q); rotr64(eh, el, 41, p);
      var S1h = r[0] ^ q[0] ^ p[0], S1l = r[1] ^ q[1] ^ p[1];
      var chh = (eh & fh) ^ (~eh & gh), chl = (el & fl) ^ (~el & gl);
      var t1l = (hl >>> 0) + (S1l >>> 0) + (chl >>> 0) + (K512[t * 2 + 1] >>> 0) + (w[t * 2 + 1] >>> 0);
      var t1h = hh + S1h + chh + K512[t * 2] + w[t * 2] + Math.floor(t1l / 4294967296);
      rotr64(ah, al, 28, r); rotr64(ah, al, 34, q); rotr64(ah, al, 39, p);
      var S0h = r[0] ^ q[0] ^ p[0], S0l = r[1] ^ q[1] ^ p[1];
      var majh = (ah & bh) ^ (ah & ch) ^ (bh & ch), majl = (al & bl) ^ (al & cl) ^ (bl & cl);
      var t2l = (S0l >>> 0) + (majl >>> 0);
      var t2h = S0h + majh + Math.floor(t2l / 4294967296);
      hh = gh; hl = gl; gh = fh; gl = fl; fh = eh; fl = el;
      var nel = (dl >>> 0) + (t1l >>> 0);
      eh = (dh + t1h + Math.floor(nel / 4294967296)) | 0; el = nel | 0;
      dh = ch; dl = cl; ch = bh; cl = bl; bh = ah; bl = al;
      var nal = (t1l >>> 0) + (t2l >>> 0);
      ah = (t1h + t2h + Math.floor(nal / 4294967296)) | 0; al = nal | 0;
    }
    var add = [ah, al, bh, bl, ch, cl, dh, dl, eh, el, fh, fl, gh, gl, hh, hl];
    for (var i = 0; i < 16; i += 2) {
      var sl = (h[i + 1] >>> 0) + (add[i + 1] >>> 0);
      h[i] = (h[i] + add[i] + Math.floor(sl / 4294967296)) | 0;
      h[i + 1] = sl | 0;
    }
  }
  return wordsOut(h, outWords);
}

var DIGESTS = {
  "SHA-1": sha1,
  "SHA-256": sha256,
  "SHA-384": function (b) { return sha512(b, IV384, 12); },
  "SHA-512": function (b) { return sha512(b, IV512, 16); }
};

function digest(algorithm, data) {
  try {
    var name = typeof algorithm === "string" ? algorithm : algorithm && algorithm.name;
    var fn = typeof name === "string" ? DIGESTS[name.toUpperCase()] : undefined;
    if (fn === undefined) throw cryptoError("NotSupportedError", "Unrecognized algorithm name");
    return Promise.resolve(fn(bytesOf(data)));
  } catch (e) {
    return Promise.reject(e);
  }
}

function notSupported(what) {
  return function () {
    return Promise.reject(cryptoError("NotSupportedError", "crypto.subtle." + what + " is not available in bext's engines"));
  };
}

// Called by app.js with the other globals.
function installCrypto(G) {
  if (typeof G.crypto === "object" && G.crypto !== null && typeof G.crypto.getRandomValues === "function") return;
  var subtle = { digest: digest };
  ["encrypt", "decrypt", "sign", "verify", "generateKey", "deriveKey", "deriveBits", "importKey",
    "exportKey", "wrapKey", "unwrapKey"].forEach(function (what) {
    subtle[what] = notSupported(what);
  });
  G.crypto = { getRandomValues: getRandomValues, randomUUID: randomUUID, subtle: subtle };
}
