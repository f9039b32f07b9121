//! Node's built-in modules as the runtime provides them (`render/js/buffer.js`, `events.js`,
//! `util.js`, `node_crypto.js`, `node_url.js`, `fs.js`), compared with real Node: every case
//! is an expression evaluated by `node` (run by the test, so nothing is written down by hand)
//! and by each engine compiled in, and the strings must be equal.

mod renderer_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use bext_engine::{Engine, EngineKind};
use bext_render::runtime::APP_RUNTIME_JS;
use renderer_support::*;

/// The modules as globals, and `t(f)`: f's result as a string, or how it threw.
const PRELUDE_NODE: &str = r#"
for (const [name, id] of [["Buf", "buffer"], ["events", "events"], ["util", "util"], ["ncrypto", "crypto"],
  ["url", "url"], ["qs", "querystring"], ["sd", "string_decoder"], ["fs", "fs"], ["fsp", "fs/promises"], ["os", "os"],
  ["path", "path"]]) globalThis[name] = require(id);
"#;

const PRELUDE_BEXT: &str = r#"
[["Buf", "buffer"], ["events", "events"], ["util", "util"], ["ncrypto", "node:crypto"], ["url", "url"],
  ["qs", "querystring"], ["sd", "string_decoder"], ["fs", "node:fs"], ["fsp", "fs/promises"], ["os", "os"],
  ["path", "path"]].forEach(function (p) { globalThis[p[0]] = __bext_require(p[1]); });
"#;

const HELPERS: &str = r#"
globalThis.t = function (f) {
  try { return String(f()); } catch (e) { return "throws " + e.name + " " + e.code; }
};
globalThis.tm = function (f) {
  try { return String(f()); } catch (e) { return "throws " + e.name + " " + e.code + " " + e.message; }
};
"#;

/// Expressions whose string value must be the same in Node and in every engine.
const CASES: &[&str] = &[
    // ---- Buffer
    r#"Buffer === Buf.Buffer"#,
    r#"Buffer.from("héllo wörld").toString("hex")"#,
    r#"Buffer.from("héllo wörld").toString("base64")"#,
    r#"Buffer.from("héllo wörld €😀").toString("base64url")"#,
    r#"Buffer.from("héllo", "latin1").toString("hex")"#,
    r#"Buffer.from("héllo", "binary").toString("latin1")"#,
    r#"Buffer.from("héllo\u0080", "ascii").toString("ascii")"#,
    r#"Buffer.from("hé😀", "utf16le").toString("hex")"#,
    r#"Buffer.from("hé😀", "ucs2").toString("utf16le")"#,
    r#"Buffer.from("68656c6c6f", "hex").toString()"#,
    r#"Buffer.from("68656c6czz6f", "hex").toString("hex")"#,
    r#"Buffer.from("aGVs bG8=\n", "base64").toString()"#,
    r#"Buffer.from("_-8", "base64").toString("hex")"#,
    r#"Buffer.from("aGk", "base64url").toString()"#,
    r#"Buffer.from([1, 2, 300, -1]).toString("hex")"#,
    r#"Buffer.from(new Uint16Array([1, 513])).toString("hex")"#,
    r#"Buffer.from(new Uint8Array([5, 6, 7]).buffer, 1, 1).toString("hex")"#,
    r#"Buffer.from({ type: "Buffer", data: [104, 105] }).toString()"#,
    r#"JSON.stringify(Buffer.from("hi"))"#,
    r#"Buffer.from(new Uint8Array([0xff, 0xfe, 0x41])).toString()"#,
    r#"t(() => Buffer.from(5))"#,
    r#"t(() => Buffer.from("x", "klingon"))"#,
    r#"Buffer.alloc(5, "ab").toString()"#,
    r#"Buffer.alloc(4, 0x41).toString()"#,
    r#"Buffer.alloc(6, "6869", "hex").toString()"#,
    r#"Buffer.allocUnsafe(3).length"#,
    r#"t(() => Buffer.alloc(-1))"#,
    r#"[Buffer.byteLength("héllo"), Buffer.byteLength("aGVsbG8=", "base64"), Buffer.byteLength("abcd", "hex"), Buffer.byteLength("€", "utf16le")].join()"#,
    r#"Buffer.concat([Buffer.from("a"), Buffer.from("bc"), new Uint8Array([100])]).toString()"#,
    r#"Buffer.concat([Buffer.from("abc"), Buffer.from("def")], 4).toString()"#,
    r#"Buffer.concat([Buffer.from("ab")], 4).toString("hex")"#,
    r#"[Buffer.isBuffer(Buffer.from("")), Buffer.isBuffer(new Uint8Array(1)), Buffer.isEncoding("UTF-8"), Buffer.isEncoding("nope")].join()"#,
    r#"[Buffer.compare(Buffer.from("a"), Buffer.from("b")), Buffer.compare(Buffer.from("b"), Buffer.from("a")), Buffer.compare(Buffer.from("ab"), Buffer.from("a")), Buffer.compare(Buffer.from("x"), Buffer.from("x"))].join()"#,
    r#"Buffer.from("hello world").toString("utf8", 6)"#,
    r#"Buffer.from("hello world").toString("hex", 1, 3)"#,
    r#"Buffer.from("hello").toString(undefined, 10)"#,
    r#"[Buffer.from("ab").equals(Buffer.from("ab")), Buffer.from("ab").equals(new Uint8Array([97]))].join()"#,
    r#"Buffer.from("abcdef").compare(Buffer.from("xxcdxx"), 2, 4, 2, 4)"#,
    r#"(() => { const b = Buffer.from("hello"); const s = b.slice(1, 3); s[0] = 69; return b.toString() + " " + s.toString() + " " + (s instanceof Buffer); })()"#,
    r#"(() => { const b = Buffer.from("hello"); const s = b.subarray(-3); s[0] = 76; return b.toString(); })()"#,
    r#"(() => { const b = Buffer.alloc(8); const n = b.write("héllo", 1); return n + " " + b.toString("hex"); })()"#,
    r#"(() => { const b = Buffer.alloc(4); const n = b.write("héllo"); return n + " " + b.toString("hex"); })()"#,
    r#"(() => { const b = Buffer.alloc(6); return b.write("6869", 2, "hex") + " " + b.toString("hex"); })()"#,
    r#"(() => { const b = Buffer.alloc(6); return b.write("abcdef", 1, 2) + " " + b.toString("hex"); })()"#,
    r#"Buffer.alloc(5).fill("xy", 1, 4).toString("hex")"#,
    r#"Buffer.from("hello hello").indexOf("llo")"#,
    r#"Buffer.from("hello hello").indexOf("llo", 4)"#,
    r#"Buffer.from("hello hello").lastIndexOf("llo")"#,
    r#"Buffer.from("hello").indexOf(108)"#,
    r#"Buffer.from("hello").indexOf(Buffer.from("lo"))"#,
    r#"Buffer.from("hello").indexOf("6c6c", 0, "hex")"#,
    r#"[Buffer.from("hello").includes("ell"), Buffer.from("hello").includes("elk")].join()"#,
    r#"(() => { const b = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]); return [b.readUInt8(1), b.readUInt16LE(0), b.readUInt16BE(0), b.readUInt32LE(0), b.readUInt32BE(4), b.readUint16LE(2)].join(); })()"#,
    r#"(() => { const b = Buffer.from([0xff, 0xfe, 0x80, 0x00, 0x01, 0x02, 0x03, 0x04]); return [b.readInt8(0), b.readInt16LE(0), b.readInt16BE(1), b.readInt32LE(0), b.readInt32BE(0), b.readBigUInt64LE(0), b.readDoubleBE(0), b.readFloatLE(4)].join(); })()"#,
    r#"(() => { const b = Buffer.alloc(10); const ends = [b.writeUInt8(255, 0), b.writeUInt16LE(0x1234, 1), b.writeUInt16BE(0x1234, 3), b.writeUInt32LE(0xdeadbeef, 5)]; return ends.join() + " " + b.toString("hex"); })()"#,
    r#"(() => { const b = Buffer.alloc(8); b.writeInt32BE(-2, 0); b.writeInt16LE(-300, 4); b.writeInt8(-1, 6); return b.toString("hex"); })()"#,
    r#"t(() => Buffer.alloc(2).readUInt32LE(0))"#,
    r#"t(() => Buffer.alloc(4).readUInt16LE(3))"#,
    r#"(() => { const src = Buffer.from("abcdef"); const dst = Buffer.alloc(4, "."); return src.copy(dst, 1, 2, 10) + " " + dst.toString(); })()"#,
    r#"Buffer.from("ab").map((x) => x + 1).toString()"#,
    r#"Buffer.from("abc").reverse().toString()"#,
    r#"util.inspect(Buffer.from("hello"))"#,
    r#"util.inspect(Buffer.alloc(60, 1))"#,
    r#"util.inspect({ b: Buffer.from("hi") })"#,
    r#"Buf.constants.MAX_LENGTH > 0"#,
    // ---- util.format
    r#"util.format("%s:%s", "a", "b", "c")"#,
    r#"util.format("%s", { a: 1, b: { c: { d: 1 } } })"#,
    r#"util.format("%s %s %s %s", 1.5, -0, 10n, Symbol("s"))"#,
    r#"util.format("%s", [1, [2, [3]]])"#,
    r#"util.format("%s", new Date(0))"#,
    r#"util.format("%s", { toString() { return "custom"; } })"#,
    r#"util.format("%d %d %d %d", "42", 1.5, "x", 7n)"#,
    r#"util.format("%i %i", "42.9px", -3.2)"#,
    r#"util.format("%f %f", "1.25e2", "x")"#,
    r#"util.format("%j", { a: [1, "x"] })"#,
    r#"(() => { const o = {}; o.o = o; return util.format("%j", o); })()"#,
    r#"util.format("%o", [1, 2])"#,
    r#"util.format("%o", { a: 1 })"#,
    r#"util.format("%O", { a: { b: { c: { d: 1 } } } })"#,
    r#"util.format("100%% %c done", "color: red")"#,
    r#"util.format("%x %s", "y")"#,
    r#"util.format("%s")"#,
    r#"util.format("a", 1, "b", { c: 2 }, [3], null, undefined)"#,
    r#"util.format(1, 2, "x")"#,
    r#"util.format({ a: 1 }, "s")"#,
    r#"util.format("%s", null, undefined)"#,
    r#"util.format("%s", "x", new Error("e").message)"#,
    // ---- util.inspect
    r#"util.inspect({ a: 1, b: "x" })"#,
    r#"util.inspect([1, 2, 3])"#,
    r#"util.inspect({})"#,
    r#"util.inspect([])"#,
    r#"util.inspect({ a: { b: { c: { d: { e: 1 } } } } })"#,
    r#"util.inspect({ a: [[[[1]]]] })"#,
    r#"util.inspect({ a: { b: { c: {} } } })"#,
    r#"util.inspect({ a: 1 }, { depth: 0 })"#,
    r#"util.inspect({ a: { b: 1 } }, { depth: 0 })"#,
    r#"util.inspect({ a: { b: { c: { d: 1 } } } }, { depth: Infinity })"#,
    r#"util.inspect({ a: { b: { c: { d: 1 } } } }, false, null)"#,
    r#"util.inspect("it's")"#,
    r#"util.inspect("say \"it's\"")"#,
    r#"util.inspect("say \"it's\" `x`")"#,
    r#"util.inspect("tab\there\nnew \u0001 \u007f \\ ")"#,
    r#"util.inspect("lone \ud800 ok 😀")"#,
    r#"util.inspect({ s: "line one\nline two\nline three and more text so that it is long enough to split" })"#,
    r#"util.inspect("a".repeat(100))"#,
    r#"util.inspect({ "a-b": 1, "c d": 2, _ok: 3, $no: 4, "1x": 5, 2: 6, "it's": 7 })"#,
    r#"util.inspect([1.5, -0, 0, NaN, Infinity, 12n, true, null, undefined])"#,
    r#"util.inspect(Symbol("sym"))"#,
    r#"util.inspect({ [Symbol("k")]: 1, [Symbol.iterator]: 2 })"#,
    r#"util.inspect(new Map([["a", 1], ["b", { c: 2 }]]))"#,
    r#"util.inspect(new Set([1, "two", [3]]))"#,
    r#"util.inspect(new Map())"#,
    r#"util.inspect(new Set())"#,
    r#"util.inspect({ m: new Map([[{ k: 1 }, new Set([1])]]) })"#,
    r#"util.inspect(new Date(Date.UTC(2020, 1, 3, 4, 5, 6, 7)))"#,
    r#"util.inspect(new Date(NaN))"#,
    r#"util.inspect({ d: new Date(0) })"#,
    r#"util.inspect(/ab+c/gi)"#,
    r#"util.inspect(function named() {})"#,
    r#"util.inspect(() => 1)"#,
    r#"util.inspect({ f: function () {} })"#,
    r#"util.inspect(async function af() {})"#,
    r#"util.inspect(function* gen() {})"#,
    r#"util.inspect(class A {})"#,
    r#"util.inspect(class B extends Map {})"#,
    r#"util.inspect(Object.assign(function f() {}, { x: 1 }))"#,
    r#"(() => { class Point { constructor() { this.x = 1; this.y = 2; } } return util.inspect(new Point()); })()"#,
    r#"(() => { class Empty {} return util.inspect(new Empty()); })()"#,
    r#"(() => { class Deep { constructor() { this.v = 1; } } return util.inspect({ a: { b: { c: new Deep() } } }); })()"#,
    r#"util.inspect(Object.create(null))"#,
    r#"util.inspect(Object.assign(Object.create(null), { a: 1 }))"#,
    r#"(() => { const o = { a: 1 }; o.self = o; return util.inspect(o); })()"#,
    r#"(() => { const a = { name: "a" }; const b = { name: "b", a }; a.b = b; return util.inspect([a, b]); })()"#,
    r#"(() => { const o = { list: [] }; o.list.push(o, o); return util.inspect(o); })()"#,
    r#"util.inspect(Array.from({ length: 30 }, (_, i) => i))"#,
    r#"util.inspect(Array.from({ length: 7 }, (_, i) => i * 100))"#,
    r#"util.inspect(Array.from({ length: 120 }, (_, i) => i))"#,
    r#"util.inspect(Array.from({ length: 26 }, (_, i) => String.fromCharCode(97 + i).repeat(i % 4 + 1)))"#,
    r#"util.inspect(["apple", "banana", "cherry", "date", "elderberry", "fig", "grape"])"#,
    r#"util.inspect([1, , 3, , , 6])"#,
    r#"util.inspect(new Array(5))"#,
    r#"util.inspect(Object.assign([1, 2], { extra: true }))"#,
    r#"util.inspect({ a: "x".repeat(30), b: "y".repeat(30), c: "z".repeat(10) })"#,
    r#"util.inspect({ a: "x".repeat(20), b: "y".repeat(20), c: "z".repeat(20) })"#,
    r#"util.inspect({ a: { b: { c: 1 } }, d: { e: { f: 2 } } })"#,
    r#"util.inspect({ level1: { level2: { level3: "deep" } }, other: [1, 2, { x: 1 }] })"#,
    r#"util.inspect([{ a: 1, b: 2 }, { a: 3, b: 4 }])"#,
    r#"util.inspect({ users: [{ name: "Ada Lovelace", email: "ada@example.com", roles: ["admin", "author"] }, { name: "Alan Turing", email: "alan@example.com", roles: [] }] })"#,
    r#"util.inspect(new Uint8Array([1, 2, 3]))"#,
    r#"util.inspect(new Float64Array(2))"#,
    r#"util.inspect(new ArrayBuffer(3))"#,
    r#"util.inspect({ get g() { return 1; }, set s(v) {}, get gs() { return 1; }, set gs(v) {} })"#,
    r#"util.inspect([new Number(3), new String("ab"), new Boolean(false)])"#,
    r#"util.inspect(new WeakMap())"#,
    r#"util.inspect({ [util.inspect.custom]() { return "CUSTOM"; } })"#,
    r#"util.inspect({ inner: { [util.inspect.custom](depth) { return { depth }; } } })"#,
    r#"util.inspect({ b: 2, a: 1, c: { z: 1, y: 2 } }, { sorted: true })"#,
    r#"util.inspect({ a: [1, 2, 3], b: "text" }, { breakLength: 10 })"#,
    r#"util.inspect({ a: [1, 2, 3], b: "text" }, { compact: false })"#,
    r#"util.inspect(Array.from({ length: 10 }, (_, i) => i), { maxArrayLength: 3 })"#,
    r#"util.inspect("abcdefghij", { maxStringLength: 4 })"#,
    r#"util.inspect(null) + util.inspect(undefined) + util.inspect(true)"#,
    r#"util.inspect(new Error("boom")).split("\n")[0]"#,
    r#"(() => { const e = new Error("bare"); e.stack = "Error: bare"; return util.inspect(e); })()"#,
    r#"(() => { const e = new TypeError("typed"); e.stack = "TypeError: typed"; return util.inspect({ e }); })()"#,
    r#"(() => { const e = new RangeError("r"); e.stack = "RangeError: r"; e.code = "E_X"; return util.inspect(e); })()"#,
    // ---- util, the rest
    r#"util.isDeepStrictEqual({ a: [1, { b: 2 }], m: new Map([[1, 2]]) }, { a: [1, { b: 2 }], m: new Map([[1, 2]]) })"#,
    r#"[util.isDeepStrictEqual([1], ["1"]), util.isDeepStrictEqual({ a: 1 }, { a: 1, b: undefined }), util.isDeepStrictEqual(NaN, NaN), util.isDeepStrictEqual(new Set([1, 2]), new Set([2, 1])), util.isDeepStrictEqual(new Date(1), new Date(2)), util.isDeepStrictEqual([1, 2], { 0: 1, 1: 2, length: 2 })].join()"#,
    r#"[util.types.isDate(new Date()), util.types.isRegExp(/x/), util.types.isPromise(Promise.resolve()), util.types.isMap(new Map()), util.types.isSet(new Set()), util.types.isTypedArray(new Uint8Array()), util.types.isAsyncFunction(async () => {}), util.types.isGeneratorFunction(function* () {}), util.types.isNativeError(new TypeError()), util.types.isBoxedPrimitive(Object(1)), util.types.isDate({})].join()"#,
    r#"(() => { function A() {} function B() {} util.inherits(B, A); return [new B() instanceof A, B.super_ === A].join(); })()"#,
    r#"typeof util.promisify(function (x, cb) { cb(null, x * 2); })(21).then"#,
    r#"[typeof util.TextEncoder, typeof util.TextDecoder, new util.TextDecoder().decode(new util.TextEncoder().encode("é"))].join()"#,
    r#"util.stripVTControlCharacters("\u001b[31mred\u001b[0m")"#,
    r#"t(() => util.promisify(1))"#,
    // ---- events
    r#"(() => { const e = new events(); const seen = []; e.on("x", (a, b) => seen.push("on " + a + b)); e.once("x", (a) => seen.push("once " + a)); e.prependListener("x", () => seen.push("first")); e.emit("x", 1, 2); e.emit("x", 3, 4); return seen.join("|") + " " + e.listenerCount("x"); })()"#,
    r#"(() => { const e = new events.EventEmitter(); const f = () => {}; e.on("a", f); e.on("b", f); e.off("a", f); return [e.eventNames().join(), e.listeners("b").length, e.emit("a"), e.emit("b")].join(); })()"#,
    r#"(() => { const e = new events(); e.on("a", () => {}); e.on("b", () => {}); e.removeAllListeners("a"); const one = e.eventNames().join(); e.removeAllListeners(); return one + " " + e.eventNames().length; })()"#,
    r#"(() => { const e = new events(); try { e.emit("error", new Error("bad")); } catch (err) { return err.message; } })()"#,
    r#"(() => { const e = new events(); try { e.emit("error", "str"); } catch (err) { return err.code + " " + err.message; } })()"#,
    r#"(() => { const e = new events(); const seen = []; e.on("newListener", (n) => seen.push(n)); e.on("x", () => {}); e.once("y", () => {}); return seen.join(); })()"#,
    r#"(() => { const e = new events(); const f = () => {}; e.once("x", f); return [e.listeners("x")[0] === f, e.rawListeners("x")[0] === f, e.getMaxListeners(), events.defaultMaxListeners].join(); })()"#,
    r#"(() => { class My extends events {} const m = new My(); let got = 0; m.on("v", (v) => { got = v; }); m.emit("v", 7); return got + " " + (m instanceof events.EventEmitter); })()"#,
    r#"typeof events.once(new events(), "x").then"#,
    r#"t(() => new events().on("x", 1))"#,
    // ---- crypto
    r#"ncrypto.createHash("md5").update("").digest("hex")"#,
    r#"ncrypto.createHash("md5").update("The quick brown fox jumps over the lazy dog").digest("hex")"#,
    r#"ncrypto.createHash("md5").update("a".repeat(55)).digest("hex") + ncrypto.createHash("md5").update("a".repeat(56)).digest("hex") + ncrypto.createHash("md5").update("a".repeat(64)).digest("hex")"#,
    r#"ncrypto.createHash("md5").update("0123456789".repeat(100)).digest("base64")"#,
    r#"ncrypto.createHash("sha1").update("abc").digest("hex")"#,
    r#"ncrypto.createHash("sha256").update("héllo").digest("hex")"#,
    r#"ncrypto.createHash("sha256").update("hel").update(Buffer.from("lo")).digest("base64url")"#,
    r#"ncrypto.createHash("SHA256").update("6869", "hex").digest("hex")"#,
    r#"ncrypto.createHash("sha384").update("abc").digest("base64")"#,
    r#"ncrypto.createHash("sha512").update(new Uint8Array([1, 2, 3])).digest("hex")"#,
    r#"ncrypto.createHash("sha1").update("x").digest().toString("hex")"#,
    r#"Buffer.isBuffer(ncrypto.createHash("md5").update("x").digest())"#,
    r#"(() => { const h = ncrypto.createHash("sha256").update("a"); const c = h.copy(); h.update("b"); return h.digest("hex").slice(0, 16) + " " + c.digest("hex").slice(0, 16); })()"#,
    r#"t(() => ncrypto.createHash("no-such-hash"))"#,
    r#"(() => { const h = ncrypto.createHash("md5"); h.digest(); return t(() => h.digest()); })()"#,
    r#"ncrypto.createHmac("sha256", "key").update("The quick brown fox jumps over the lazy dog").digest("hex")"#,
    r#"ncrypto.createHmac("md5", "key").update("The quick brown fox jumps over the lazy dog").digest("hex")"#,
    r#"ncrypto.createHmac("sha1", Buffer.from("k".repeat(100))).update("data").digest("base64")"#,
    r#"ncrypto.createHmac("sha512", "").update("").digest("hex")"#,
    r#"ncrypto.createHmac("sha384", "secret").update("a").update("b").digest("hex")"#,
    r#"(() => { const b = ncrypto.randomBytes(16); return [Buffer.isBuffer(b), b.length].join(); })()"#,
    r#"/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(ncrypto.randomUUID())"#,
    r#"(() => { for (let i = 0; i < 200; i++) { const n = ncrypto.randomInt(3, 7); if (n < 3 || n >= 7 || n !== Math.floor(n)) return "bad " + n; } return "ok"; })()"#,
    r#"(() => { for (let i = 0; i < 50; i++) { const n = ncrypto.randomInt(2); if (n !== 0 && n !== 1) return "bad"; } return "ok"; })()"#,
    r#"t(() => ncrypto.randomInt(5, 5))"#,
    r#"[ncrypto.timingSafeEqual(Buffer.from("abc"), Buffer.from("abc")), ncrypto.timingSafeEqual(Buffer.from("abc"), Buffer.from("abd"))].join()"#,
    r#"t(() => ncrypto.timingSafeEqual(Buffer.from("a"), Buffer.from("ab")))"#,
    r#"[typeof ncrypto.webcrypto.subtle.digest, typeof ncrypto.subtle.digest, typeof ncrypto.getRandomValues].join()"#,
    // ---- url, querystring, string_decoder, os
    r#"url.fileURLToPath("file:///home/user/a%20b/c%23d.md")"#,
    r#"url.fileURLToPath(new URL("file:///tmp/x"))"#,
    r#"t(() => url.fileURLToPath("http://x/y"))"#,
    r#"t(() => url.fileURLToPath("file:///a%2fb"))"#,
    r#"url.pathToFileURL("/tmp/a b/c#d?e%f.md").href"#,
    r#"url.pathToFileURL("/tmp/dir/").href"#,
    r#"url.URL === URL && url.URLSearchParams === URLSearchParams"#,
    r#"JSON.stringify(url.parse("https://user:pa%20ss@Example.com:8080/p/a/t/h?query=string&a=1#hash"))"#,
    r#"JSON.stringify(url.parse("/a/b?x=1&y=2"))"#,
    r#"JSON.stringify(url.parse("http://example.com"))"#,
    r#"JSON.stringify(url.parse("mailto:someone@example.com"))"#,
    r#"JSON.stringify(url.parse("//cdn.example.com/lib.js", false, true))"#,
    r#"JSON.stringify(url.parse("/p?a=1&a=2&b=x+y", true).query)"#,
    r#"url.format({ protocol: "https", hostname: "example.com", port: 8443, pathname: "/a b", query: { x: "1", y: ["2", "3"] }, hash: "top" })"#,
    r#"url.format({ protocol: "http:", host: "example.com", pathname: "index.html", search: "q=1" })"#,
    r#"url.format(new URL("https://a.example/b?c#d"))"#,
    r#"url.format(url.parse("http://user@host.com:81/x?y#z"))"#,
    r#"[url.resolve("/one/two/three", "four"), url.resolve("http://example.com/", "/one"), url.resolve("http://example.com/one", "/two"), url.resolve("http://example.com/a/b", "../c?d"), url.resolve("/a/b/", "https://other.test/x")].join(" ")"#,
    r#"JSON.stringify(qs.parse("a=1&b=x%20y&b=z&c=&d&e=%E2%82%AC+plus"))"#,
    r#"JSON.stringify(qs.parse("a:1;b:2", ";", ":"))"#,
    r#"qs.stringify({ a: 1, b: ["x y", "z&"], c: "", d: null, e: true, f: { g: 1 }, h: "é" })"#,
    r#"qs.stringify({ a: 1, b: 2 }, ";", ":")"#,
    r#"[qs.escape("a b&c/é"), qs.unescape("a%20b%zz")].join(" ")"#,
    r#"(() => { const d = new sd.StringDecoder("utf8"); const euro = Buffer.from("€uro"); return [d.write(euro.subarray(0, 1)), d.write(euro.subarray(1, 2)), d.write(euro.subarray(2)), d.end()].join("|"); })()"#,
    r#"(() => { const d = new sd.StringDecoder("utf8"); return d.write(Buffer.from([0xe2, 0x82])) + "|" + d.end(); })()"#,
    r#"(() => { const d = new sd.StringDecoder("hex"); return d.write(Buffer.from("ab")) + d.end(Buffer.from("c")); })()"#,
    r#"[JSON.stringify(os.EOL), os.platform(), os.type(), os.endianness()].join()"#,
];

fn node_outputs(cases: &[&str], cwd: &Path) -> Vec<String> {
    let script = format!(
        "{PRELUDE_NODE}{HELPERS}\nconst out = JSON.parse(process.argv[1]).map((src) => {{ try {{ return String((0, eval)(src)); }} catch (e) {{ return 'throws ' + e.name; }} }});\nprocess.stdout.write(JSON.stringify(out));"
    );
    let cases_json = serde_json::to_string(cases).expect("cases as JSON");
    let output = Command::new("node")
        .arg("-e")
        .arg(&script)
        .arg(&cases_json)
        .current_dir(cwd)
        .output()
        .expect("node runs (it is needed by the conformance tests too)");
    assert!(
        output.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("node printed a JSON array")
}

fn engine_with(kind: EngineKind, before_runtime: &str) -> Box<dyn Engine> {
    let mut engine = bext_engine::create(kind, limits(5_000)).expect("engine");
    let bundle = format!(
        "{}\n{before_runtime}\n{APP_RUNTIME_JS}\n{PROBE}\n{PRELUDE_BEXT}\n{HELPERS}",
        prism()
    );
    engine.eval(&bundle, "bundle.js").expect("bundle loads");
    let key: String = (0u8..32).map(|b| format!("{b:02x}")).collect();
    let mut ignored = Vec::new();
    engine
        .call(
            "__bext_configure",
            &format!(r#"{{"seed":"{key}"}}"#),
            &mut ignored,
        )
        .expect("configure");
    engine
}

fn compare(kind: EngineKind, engine: &mut dyn Engine, cases: &[&str], want: &[String]) {
    let mut failures = Vec::new();
    for (case, want) in cases.iter().zip(want) {
        let mut out = Vec::new();
        engine.call("probe", case, &mut out).expect("probe runs");
        let got = out.concat();
        if &got != want {
            failures.push(format!(
                "{case}\n  node: {want:?}\n  {}: {got:?}",
                kind.name()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from node on {}:\n{}",
        failures.len(),
        cases.len(),
        kind.name(),
        failures.join("\n")
    );
}

#[test]
fn node_builtins_match_node() {
    let want = node_outputs(CASES, Path::new(env!("CARGO_MANIFEST_DIR")));
    for &kind in bext_engine::available() {
        let mut engine = engine_with(kind, "");
        compare(kind, engine.as_mut(), CASES, &want);
    }
}

// ---- fs over a snapshot -------------------------------------------------------------------------

/// An app directory with text, binary, nested and skipped files, removed on drop.
struct TempApp(PathBuf);

impl TempApp {
    fn new(name: &str) -> TempApp {
        let dir = std::env::temp_dir().join(format!("bext-node-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let files: &[(&str, &[u8])] = &[
            (
                "posts/hello.md",
                b"---\ntitle: Hello\n---\n# Hello\n\nCaf\xc3\xa9 \xe2\x82\xac\n",
            ),
            ("posts/second.md", b"second post\n"),
            ("posts/drafts/third.md", b"draft\n"),
            ("data.json", br#"{"items":[1,2,3]}"#),
            ("blob.bin", &[0, 1, 2, 0xff, 0xfe, 0x80, 10]),
            ("empty.txt", b""),
            ("node_modules/pkg/index.js", b"module.exports = 1;\n"),
            ("app/page.tsx", b"export default function Page() {}\n"),
        ];
        for (path, bytes) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, bytes).expect("write");
        }
        TempApp(std::fs::canonicalize(&dir).expect("canonical"))
    }
}

impl Drop for TempApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const FS_CASES: &[&str] = &[
    r#"fs.readFileSync("posts/hello.md", "utf8")"#,
    r#"fs.readFileSync(path.join(process.cwd(), "posts", "hello.md"), { encoding: "utf-8" })"#,
    r#"fs.readFileSync("./posts/../posts/second.md").toString("hex")"#,
    r#"Buffer.isBuffer(fs.readFileSync("data.json"))"#,
    r#"JSON.parse(fs.readFileSync("data.json", "utf8")).items.length"#,
    r#"fs.readFileSync("blob.bin").toString("hex")"#,
    r#"fs.readFileSync("blob.bin", "base64")"#,
    r#"fs.readFileSync("blob.bin", "latin1").length"#,
    r#"fs.readFileSync("posts/hello.md", "base64")"#,
    r#"JSON.stringify(fs.readFileSync("empty.txt", "utf8"))"#,
    r#"fs.readFileSync(Buffer.from("data.json"), "utf8")"#,
    r#"fs.readFileSync(url.pathToFileURL(path.resolve("data.json")), "utf8")"#,
    r#"fs.readdirSync("posts").sort().join()"#,
    r#"fs.readdirSync(".").filter((n) => n !== "node_modules").sort().join()"#,
    r#"fs.readdirSync("posts", { withFileTypes: true }).sort((a, b) => a.name < b.name ? -1 : 1).map((d) => d.name + ":" + d.isFile() + ":" + d.isDirectory() + ":" + d.parentPath).join()"#,
    r#"fs.readdirSync("posts", { recursive: true }).sort().join()"#,
    r#"fs.existsSync("posts/hello.md") + " " + fs.existsSync("posts") + " " + fs.existsSync("nope.md") + " " + fs.existsSync("posts/hello.md/x")"#,
    r#"(() => { const s = fs.statSync("posts/hello.md"); return [s.isFile(), s.isDirectory(), s.size, s.mtime instanceof Date, Math.abs(s.mtimeMs - s.mtime.getTime()) < 1].join(); })()"#,
    r#"(() => { const s = fs.lstatSync("posts"); return [s.isFile(), s.isDirectory(), s.isSymbolicLink()].join(); })()"#,
    r#"Math.floor(fs.statSync("data.json").mtimeMs) === MTIME_DATA_JSON"#,
    r#"String(fs.statSync("nope", { throwIfNoEntry: false }))"#,
    r#"t(() => fs.accessSync("data.json")) + " " + t(() => fs.accessSync("data.json", fs.constants.R_OK))"#,
    r#"fs.realpathSync("posts/../data.json") === path.resolve("data.json")"#,
    r#"tm(() => fs.readFileSync("missing.md", "utf8")).replace(process.cwd(), "<app>")"#,
    r#"tm(() => fs.readFileSync("posts")).replace(process.cwd(), "<app>")"#,
    r#"tm(() => fs.readdirSync("data.json")).replace(process.cwd(), "<app>")"#,
    r#"tm(() => fs.readdirSync("nope")).replace(process.cwd(), "<app>")"#,
    r#"tm(() => fs.statSync("posts/hello.md/x")).replace(process.cwd(), "<app>")"#,
    r#"tm(() => fs.statSync("missing")).replace(process.cwd(), "<app>")"#,
    r#"tm(() => fs.accessSync("missing")).replace(process.cwd(), "<app>")"#,
    r#"(() => { const e = (() => { try { fs.readFileSync("missing"); } catch (e) { return e; } })(); return [e.errno, e.code, e.syscall, e.path].join(); })()"#,
    r#"(() => { let got = "pending"; fs.readFile("posts/second.md", "utf8", (err, text) => { got = err + " " + text; }); return got; })()"#,
    r#"(() => { globalThis.cbResult = "pending"; fs.readdir("posts", (err, names) => { globalThis.cbResult = err + " " + names.sort().join(); fs.stat("missing", (err2) => { globalThis.cbResult += " " + err2.code; }); }); return "started"; })()"#,
    r#"(() => { globalThis.promiseResult = "pending"; Promise.all([fsp.readFile("posts/second.md", "utf8"), fs.promises.readdir("posts"), fsp.stat("data.json"), fsp.access("data.json")]).then(([text, names, stat, none]) => { globalThis.promiseResult = [text.trim(), names.sort().join(), stat.size, none].join("|"); }); fsp.readFile("missing").catch((e) => { globalThis.promiseResult += " " + e.code; }); return "started"; })()"#,
    r#"typeof fs.promises.readFile + typeof fsp.readdir + (fs.promises === fsp)"#,
];

/// Read after the cases above have had their callbacks and promises run.
const FS_LATER_CASES: &[&str] = &["globalThis.cbResult", "globalThis.promiseResult"];

#[test]
fn fs_reads_the_snapshot_like_node_reads_the_disk() {
    let app = TempApp::new("fs");
    let root = app.0.to_string_lossy().into_owned();
    let mtime = std::fs::metadata(app.0.join("data.json"))
        .and_then(|m| m.modified())
        .expect("mtime")
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after the epoch")
        .as_millis();
    let cases: Vec<String> = FS_CASES
        .iter()
        .map(|c| c.replace("MTIME_DATA_JSON", &mtime.to_string()))
        .collect();
    let cases: Vec<&str> = cases.iter().map(String::as_str).collect();
    // Node runs the callbacks after the script: its later cases run in a second process
    // that repeats the first ones.
    let want_now = node_outputs(&cases, &app.0);
    let want_later = node_later(&cases, &app.0);

    let snapshot = bext_render::files::snapshot(&app.0);
    assert_eq!(snapshot.files, 7, "node_modules is left out: {snapshot:?}");
    let before = format!(
        "globalThis.__bext_root = {};\n{}",
        serde_json::to_string(&root).expect("json"),
        snapshot.script
    );
    for &kind in bext_engine::available() {
        let mut engine = engine_with(kind, &before);
        compare(kind, engine.as_mut(), &cases, &want_now);
        // `call` drains the job queue: the callbacks and promises have run.
        compare(kind, engine.as_mut(), FS_LATER_CASES, &want_later);
    }
}

/// Node's answers to FS_LATER_CASES after running `cases` and letting its event loop turn.
fn node_later(cases: &[&str], cwd: &Path) -> Vec<String> {
    let script = format!(
        "{PRELUDE_NODE}{HELPERS}\nfor (const src of JSON.parse(process.argv[1])) {{ try {{ (0, eval)(src); }} catch (e) {{}} }}\nsetTimeout(() => process.stdout.write(JSON.stringify({later}.map((src) => String((0, eval)(src))))), 50);",
        later = serde_json::to_string(FS_LATER_CASES).expect("json")
    );
    let output = Command::new("node")
        .arg("-e")
        .arg(&script)
        .arg(serde_json::to_string(cases).expect("json"))
        .current_dir(cwd)
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("node printed a JSON array")
}

/// What only bext does (Node would read or write the disk): reads outside the app, files
/// left out of the snapshot, writes.
#[test]
fn fs_refuses_what_is_outside_the_snapshot() {
    let app = TempApp::new("fs-refuses");
    let snapshot = bext_render::files::snapshot(&app.0);
    let before = format!(
        "globalThis.__bext_root = {};\n{}",
        serde_json::to_string(&app.0.to_string_lossy()).expect("json"),
        snapshot.script
    );
    let root = app.0.to_string_lossy().into_owned();
    for &kind in bext_engine::available() {
        let mut engine = engine_with(kind, &before);
        let cases: Vec<(&str, String)> = vec![
            (
                r#"tm(() => fs.readFileSync("/etc/passwd"))"#,
                format!("throws Error EACCES bext's fs reads only files inside the app ({root}): open '/etc/passwd' is outside it"),
            ),
            (
                r#"tm(() => fs.readdirSync(".."))"#,
                format!("throws Error EACCES bext's fs reads only files inside the app ({root}): scandir '{}' is outside it", app.0.parent().expect("parent").display()),
            ),
            (r#"fs.existsSync("/etc/passwd")"#, "false".to_owned()),
            (
                r#"tm(() => fs.readFileSync("node_modules/pkg/index.js"))"#,
                format!("throws Error ENOENT ENOENT: '{root}/node_modules/pkg/index.js' is not in bext's snapshot of the app's files (node_modules is never snapshotted), open 'node_modules/pkg/index.js'"),
            ),
            (r#"fs.statSync("node_modules").isDirectory()"#, "true".to_owned()),
            (
                r#"tm(() => fs.writeFileSync("x.txt", "data"))"#,
                "throws Error EROFS fs.writeFileSync('x.txt'): bext's fs is read-only: the app's files are a snapshot taken at start (write to a database or an external service instead)".to_owned(),
            ),
            (r#"t(() => fs.mkdirSync("d"))"#, "throws Error EROFS".to_owned()),
            (
                r#"t(() => fs.accessSync("data.json", fs.constants.W_OK))"#,
                "throws Error EROFS".to_owned(),
            ),
            (
                r#"(() => { globalThis.w = "pending"; fsp.writeFile("x", "y").catch((e) => { globalThis.w = e.code; }); return "started"; })()"#,
                "started".to_owned(),
            ),
            ("globalThis.w", "EROFS".to_owned()),
            (
                r#"t(() => fs.openSync("data.json"))"#,
                "throws Error ERR_FEATURE_UNAVAILABLE_ON_PLATFORM".to_owned(),
            ),
        ];
        let mut failures = Vec::new();
        for (case, want) in &cases {
            let mut out = Vec::new();
            engine.call("probe", case, &mut out).expect("probe runs");
            if out.concat() != *want {
                failures.push(format!(
                    "{case}\n  want {want:?}\n  got  {:?}",
                    out.concat()
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{}: {}",
            kind.name(),
            failures.join("\n")
        );
    }
}
