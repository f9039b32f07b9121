// `util` / `node:util`: `format` and `inspect` as Node prints values (console.log uses them,
// console.js), plus promisify, callbackify, inherits, deprecate, isDeepStrictEqual, `types`
// and TextEncoder/TextDecoder.
//
// `inspect` follows Node's layout rules (written here from Node's documented behaviour and
// checked against `node` by render/tests/renderer_node.rs): depth 2 then `[Object]`, single
// quotes, `breakLength` 80, an object fits on one line when its entries do and it nests fewer
// than three levels below, arrays of more than six short items grouped in columns, circular
// references as `<ref *1>` / `[Circular *1]`. Not knowable from JavaScript in an engine: a
// promise's state (printed `Promise { <pending> }`) and a proxy's target.

var INSPECT_ARRAY_ITEMS_MAX = 100; // Node's maxArrayLength
var INSPECT_STRING_CHARS_MAX = 10000; // Node's maxStringLength
var INSPECT_LINE_CHARS_MIN = 16; // strings shorter than this are never split at newlines
var INSPECT_CUSTOM = Symbol.for("nodejs.util.inspect.custom");
var PROMISIFY_CUSTOM = Symbol.for("nodejs.util.promisify.custom");
var IDENTIFIER_RE = /^[a-zA-Z_][a-zA-Z_0-9]*$/;

var inspectDefaults = {
  showHidden: false, depth: 2, colors: false, customInspect: true, showProxy: false,
  maxArrayLength: INSPECT_ARRAY_ITEMS_MAX, maxStringLength: INSPECT_STRING_CHARS_MAX,
  breakLength: 80, compact: 3, sorted: false, getters: false, numericSeparator: false
};

function inspect(value, opts) {
  var ctx = { seen: [], circular: undefined, indentationLvl: 0, currentDepth: 0 };
  for (var k in inspectDefaults) ctx[k] = inspectDefaults[k];
  if (typeof opts === "boolean") ctx.showHidden = opts;
  else if (opts !== null && typeof opts === "object") {
    for (var key in opts) if (Object.prototype.hasOwnProperty.call(inspectDefaults, key)) ctx[key] = opts[key];
  }
  if (arguments.length > 2 && arguments[2] !== undefined) ctx.depth = arguments[2];
  if (ctx.depth === Infinity) ctx.depth = null;
  if (ctx.maxArrayLength === null) ctx.maxArrayLength = Infinity;
  if (ctx.maxStringLength === null) ctx.maxStringLength = Infinity;
  return formatValue(ctx, value, 0, false);
}
inspect.custom = INSPECT_CUSTOM;
inspect.defaultOptions = inspectDefaults;

// ---- strings ---------------------------------------------------------------------------------

var INSPECT_ESCAPES = { 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\x0B", 12: "\\f", 13: "\\r", 92: "\\\\" };

function quoteString(s) {
  var quote = "'";
  if (s.indexOf("'") >= 0) {
    if (s.indexOf('"') < 0) quote = '"';
    else if (s.indexOf("`") < 0 && s.indexOf("${") < 0) quote = "`";
  }
  var out = "";
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    if (c === quote.charCodeAt(0)) out += "\\" + quote;
    else if (INSPECT_ESCAPES[c] !== undefined) out += INSPECT_ESCAPES[c];
    else if (c < 0x20 || c === 0x7f) out += "\\x" + (c < 16 ? "0" : "") + c.toString(16).toUpperCase();
    else if (c >= 0xd800 && c <= 0xdfff) {
      var next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += s[i] + s[i + 1];
        i++;
      } else {
        out += "\\u" + c.toString(16);
      }
    } else out += s[i];
  }
  return quote + out + quote;
}

function formatString(ctx, s) {
  var trailer = "";
  if (s.length > ctx.maxStringLength) {
    var remaining = s.length - ctx.maxStringLength;
    s = s.slice(0, ctx.maxStringLength);
    trailer = "... " + remaining + " more character" + (remaining > 1 ? "s" : "");
  }
  if (ctx.compact !== true && s.length > INSPECT_LINE_CHARS_MIN && s.length > ctx.breakLength - ctx.indentationLvl - 4) {
    // Long strings are shown one line per newline, joined with `+`.
    var lines = s.split(/(?<=\n)/);
    var pad = "\n" + " ".repeat(ctx.indentationLvl + 2);
    return lines.map(quoteString).join(" +" + pad) + trailer;
  }
  return quoteString(s) + trailer;
}

function formatNumberText(n) {
  return Object.is(n, -0) ? "-0" : String(n);
}

function formatPrimitive(ctx, value) {
  switch (typeof value) {
    case "string": return formatString(ctx, value);
    case "number": return formatNumberText(value);
    case "bigint": return String(value) + "n";
    case "boolean": return String(value);
    case "undefined": return "undefined";
    case "symbol": return value.toString();
  }
  return String(value);
}

// ---- objects ---------------------------------------------------------------------------------

function formatValue(ctx, value, recurseTimes, typedArray) {
  if (typeof value !== "object" && typeof value !== "function") return formatPrimitive(ctx, value);
  if (value === null) return "null";
  if (ctx.customInspect) {
    var custom = value[INSPECT_CUSTOM];
    if (typeof custom === "function" && custom !== inspect) {
      var depth = ctx.depth === null ? null : ctx.depth - recurseTimes;
      var opts = {};
      for (var k in inspectDefaults) opts[k] = ctx[k];
      opts.depth = depth;
      var shown = custom.call(value, depth, opts, inspect);
      if (shown !== value) {
        if (typeof shown !== "string") return formatValue(ctx, shown, recurseTimes, false);
        return shown.replace(/\n/g, "\n" + " ".repeat(ctx.indentationLvl));
      }
    }
  }
  if (ctx.seen.indexOf(value) >= 0) {
    if (ctx.circular === undefined) ctx.circular = new Map();
    var index = ctx.circular.get(value);
    if (index === undefined) {
      index = ctx.circular.size + 1;
      ctx.circular.set(value, index);
    }
    return "[Circular *" + index + "]";
  }
  return formatRaw(ctx, value, recurseTimes, typedArray);
}

function constructorNameOf(obj) {
  var o = obj;
  while (o !== null && o !== undefined) {
    var d = Object.getOwnPropertyDescriptor(o, "constructor");
    if (d !== undefined && typeof d.value === "function" && d.value.name !== "") return d.value.name;
    o = Object.getPrototypeOf(o);
  }
  return null;
}

function prefixOf(constructor, tag, fallback, size) {
  var sized = size === undefined ? "" : "(" + size + ")";
  if (constructor === null) {
    if (tag !== "" && fallback !== tag) return "[" + fallback + sized + ": null prototype] [" + tag + "] ";
    return "[" + fallback + sized + ": null prototype] ";
  }
  if (tag !== "" && constructor !== tag) return constructor + sized + " [" + tag + "] ";
  return constructor + sized + " ";
}

function ownKeys(ctx, value) {
  var keys = ctx.showHidden ? Object.getOwnPropertyNames(value) : Object.keys(value);
  var symbols = Object.getOwnPropertySymbols(value);
  for (var i = 0; i < symbols.length; i++) {
    if (ctx.showHidden || Object.prototype.propertyIsEnumerable.call(value, symbols[i])) keys.push(symbols[i]);
  }
  return keys;
}

function isArrayIndex(key) {
  return typeof key === "string" && /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 4294967295;
}

function tagOf(value) {
  return Object.prototype.toString.call(value).slice(8, -1);
}

function formatRaw(ctx, value, recurseTimes, typedArray) {
  var constructor = constructorNameOf(value);
  var tag = value[Symbol.toStringTag];
  if (typeof tag !== "string" || (tag !== "" && (ctx.showHidden ? Object.prototype.hasOwnProperty : Object.prototype.propertyIsEnumerable).call(value, Symbol.toStringTag))) tag = "";
  var keys;
  var base = "";
  var formatter = formatObjectEntries;
  var braces;
  var noIterator = true;
  var extrasArray = false; // entries laid out as an array's (grouping, no key names)
  var kind = tagOf(value);

  if (Array.isArray(value)) {
    keys = ownKeys(ctx, value).filter(function (k) { return !isArrayIndex(k); });
    var prefix = constructor !== "Array" || tag !== "" ? prefixOf(constructor, tag, "Array", value.length) : "";
    braces = [prefix + "[", "]"];
    if (value.length === 0 && keys.length === 0) return braces[0] + "]";
    extrasArray = true;
    formatter = formatArrayEntries;
    noIterator = false;
  } else if (value instanceof Set || kind === "Set") {
    keys = ownKeys(ctx, value);
    var setPrefix = prefixOf(constructor, tag, "Set", value.size);
    if (value.size === 0 && keys.length === 0) return setPrefix + "{}";
    braces = [setPrefix + "{", "}"];
    formatter = formatSetEntries;
    noIterator = false;
  } else if (value instanceof Map || kind === "Map") {
    keys = ownKeys(ctx, value);
    var mapPrefix = prefixOf(constructor, tag, "Map", value.size);
    if (value.size === 0 && keys.length === 0) return mapPrefix + "{}";
    braces = [mapPrefix + "{", "}"];
    formatter = formatMapEntries;
    noIterator = false;
  } else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    if (value instanceof Buffer && ctx.customInspect) {
      keys = [];
      return inspectBuffer(value);
    }
    keys = ownKeys(ctx, value).filter(function (k) { return !isArrayIndex(k); });
    var fallback = kind;
    var taPrefix = prefixOf(constructor, tag === fallback ? "" : tag, fallback, value.length);
    braces = [taPrefix + "[", "]"];
    if (value.length === 0 && keys.length === 0 && !ctx.showHidden) return braces[0] + "]";
    extrasArray = true;
    formatter = formatTypedArrayEntries;
    noIterator = false;
  }
  if (noIterator) {
    keys = ownKeys(ctx, value);
    braces = ["{", "}"];
    if (kind === "Object" && typeof value !== "function" && !(value instanceof Error) && !isBoxed(value) && kind !== "Date") {
      if (kind === "Arguments" || tag === "Arguments") braces[0] = "[Arguments] [";
      else if (constructor !== "Object" || tag !== "") braces[0] = prefixOf(constructor, tag, "Object") + "{";
      if (keys.length === 0) return braces[0] + "}";
    } else if (kind === "Arguments") {
      braces = ["[Arguments] [", "]"];
      extrasArray = true;
      formatter = formatArrayEntries;
      if (value.length === 0 && keys.length === 0) return "[Arguments] []";
    } else if (typeof value === "function") {
      base = functionBase(value, constructor, tag);
      if (keys.length === 0) return base;
    } else if (kind === "RegExp") {
      base = RegExp.prototype.toString.call(value);
      var rprefix = prefixOf(constructor, tag, "RegExp");
      if (rprefix !== "RegExp ") base = rprefix + base;
      if (keys.length === 0) return base;
    } else if (kind === "Date") {
      var time = Date.prototype.getTime.call(value);
      base = isNaN(time) ? "Invalid Date" : Date.prototype.toISOString.call(value);
      var dprefix = prefixOf(constructor, tag, "Date");
      if (dprefix !== "Date ") base = dprefix + base;
      if (keys.length === 0) return base;
    } else if (value instanceof Error || kind === "Error") {
      base = formatErrorBase(ctx, value, constructor);
      keys = keys.filter(function (k) { return k !== "stack" && k !== "message"; });
      if (keys.length === 0) return base;
    } else if (isBoxed(value)) {
      var prim = value.valueOf();
      var typeName = kind;
      base = "[" + typeName + (constructor !== typeName ? " (" + constructor + ")" : "") + ": " + formatPrimitive({ compact: true, maxStringLength: Infinity, indentationLvl: 0, breakLength: Infinity }, prim) + "]";
      if (kind === "String") keys = keys.filter(function (k) { return !isArrayIndex(k) && k !== "length"; });
      if (keys.length === 0) return base;
    } else if (kind === "Promise") {
      base = "Promise { <pending> }";
      if (keys.length === 0) return (constructor !== "Promise" ? constructor + " " : "") + base;
      braces[0] = prefixOf(constructor, tag, "Promise") + "{";
      base = "";
      keys.unshift("<pending>");
    } else if (kind === "WeakMap" || kind === "WeakSet") {
      return prefixOf(constructor, tag, kind) + "{ <items unknown> }";
    } else if (kind === "ArrayBuffer" || kind === "SharedArrayBuffer") {
      var bytes = new Uint8Array(value);
      var hex = [];
      for (var bi = 0; bi < Math.min(bytes.length, BUFFER_INSPECT_BYTES_MAX); bi++) hex.push((bytes[bi] < 16 ? "0" : "") + bytes[bi].toString(16));
      var extraBytes = bytes.length - hex.length;
      keys.unshift("byteLength");
      braces[0] = prefixOf(constructor, tag, kind) + "{";
      var contents = "[Uint8Contents]: <" + hex.join(" ") + (extraBytes > 0 ? " ... " + extraBytes + " more byte" + (extraBytes > 1 ? "s" : "") : "") + ">";
      keys.unshift({ raw: contents });
    } else {
      braces[0] = prefixOf(constructor, tag, "Object") + "{";
      if (keys.length === 0) return braces[0] + "}";
    }
  }

  if (ctx.depth !== null && recurseTimes > ctx.depth) {
    var name = prefixOf(constructor, tag, "Object").slice(0, -1);
    return constructor !== null ? "[" + name + "]" : name;
  }
  recurseTimes += 1;
  ctx.seen.push(value);
  ctx.currentDepth = recurseTimes;
  var output = formatter(ctx, value, recurseTimes);
  for (var i = 0; i < keys.length; i++) {
    if (keys[i] !== null && typeof keys[i] === "object") output.push(keys[i].raw);
    else if (keys[i] === "<pending>") output.push("<pending>");
    else output.push(formatProperty(ctx, value, recurseTimes, keys[i], extrasArray));
  }
  ctx.seen.pop();
  if (ctx.sorted) {
    var cmp = typeof ctx.sorted === "function" ? ctx.sorted : undefined;
    if (extrasArray) output = output.slice(0, output.length - keys.length).concat(output.slice(output.length - keys.length).sort(cmp));
    else output.sort(cmp);
  }
  if (ctx.circular !== undefined) {
    var ref = ctx.circular.get(value);
    if (ref !== undefined) base = base === "" ? "<ref *" + ref + ">" : "<ref *" + ref + "> " + base;
  }
  var res = reduceToSingleString(ctx, output, base, braces, extrasArray, recurseTimes, value);
  return res;
}

function isBoxed(value) {
  var kind = tagOf(value);
  if (kind !== "Number" && kind !== "String" && kind !== "Boolean" && kind !== "Symbol" && kind !== "BigInt") return false;
  try {
    var fn = { Number: Number, String: String, Boolean: Boolean, Symbol: Symbol, BigInt: typeof BigInt === "function" ? BigInt : Object }[kind];
    fn.prototype.valueOf.call(value);
    return true;
  } catch (e) {
    return false;
  }
}

function functionBase(fn, constructor, tag) {
  var source = "";
  try { source = Function.prototype.toString.call(fn); } catch (e) { source = ""; }
  if (source.slice(0, 5) === "class" && /^class(\s|\{|$)/.test(source)) {
    var s = "[class " + (fn.name || "(anonymous)");
    if (constructor !== "Function" && constructor !== null) s += " [" + constructor + "]";
    var superClass = Object.getPrototypeOf(fn);
    if (superClass !== null && superClass.name) s += " extends " + superClass.name;
    else if (constructor === null) s += " extends [null prototype]";
    return s + "]";
  }
  var type = "Function";
  var ctorName = constructor || "Function";
  if (ctorName === "AsyncFunction" || ctorName === "GeneratorFunction" || ctorName === "AsyncGeneratorFunction") type = ctorName;
  var base = "[" + type;
  if (constructor === null) base += " (null prototype)";
  base += fn.name === "" ? " (anonymous)" : ": " + fn.name;
  base += "]";
  if (constructor !== type && constructor !== null && constructor !== "Function") base += " " + constructor;
  if (tag !== "" && constructor !== tag) base += " [" + tag + "]";
  return base;
}

function formatErrorBase(ctx, err, constructor) {
  var name = err.name !== undefined ? String(err.name) : "Error";
  var message = err.message !== undefined ? String(err.message) : "";
  var head = message === "" ? name : name + ": " + message;
  var stack = typeof err.stack === "string" ? err.stack : "";
  // Engines differ: V8 starts the stack with "Name: message", QuickJS and JSC give the frames
  // only (JSC as "fn@file:line:col"). Node's shape is the head, then "    at …" frames.
  var frames = stack.indexOf(head) === 0 ? stack.slice(head.length).replace(/^\n/, "") : stack;
  frames = frames.replace(/\n+$/, "");
  var text;
  if (frames === "") text = "[" + head + "]";
  else text = head + "\n" + frames.split("\n").map(function (line) {
    return /^\s+at /.test(line) ? line : "    at " + line.trim();
  }).join("\n");
  if (constructor !== null && constructor !== name && text.indexOf(constructor) < 0) {
    text = text.replace(name, constructor + " [" + name + "]");
  }
  if (ctx.indentationLvl !== 0) text = text.replace(/\n/g, "\n" + " ".repeat(ctx.indentationLvl));
  return text;
}

function formatObjectEntries() {
  return [];
}

function formatArrayEntries(ctx, value, recurseTimes) {
  var output = [];
  var max = Math.min(ctx.maxArrayLength, value.length);
  var holes = 0;
  var shown = 0;
  for (var i = 0; i < value.length && shown < max; i++) {
    if (!Object.prototype.hasOwnProperty.call(value, i)) {
      holes++;
      continue;
    }
    if (holes > 0) {
      output.push("<" + holes + " empty item" + (holes > 1 ? "s" : "") + ">");
      shown++;
      holes = 0;
      if (shown >= max) break;
    }
    output.push(formatProperty(ctx, value, recurseTimes, String(i), true));
    shown++;
  }
  if (holes > 0 && shown < max) {
    output.push("<" + holes + " empty item" + (holes > 1 ? "s" : "") + ">");
    shown++;
  }
  var remaining = value.length - i;
  if (shown >= max && remaining > 0) output.push("... " + remaining + " more item" + (remaining > 1 ? "s" : ""));
  return output;
}

function formatTypedArrayEntries(ctx, value, recurseTimes) {
  var max = Math.min(ctx.maxArrayLength, value.length);
  var output = [];
  for (var i = 0; i < max; i++) {
    output.push(typeof value[i] === "bigint" ? String(value[i]) + "n" : formatNumberText(value[i]));
  }
  if (value.length > max) output.push("... " + (value.length - max) + " more item" + (value.length - max > 1 ? "s" : ""));
  if (ctx.showHidden) {
    ctx.indentationLvl += 2;
    ["BYTES_PER_ELEMENT", "length", "byteLength", "byteOffset", "buffer"].forEach(function (key) {
      output.push("[" + key + "]: " + formatValue(ctx, value[key], recurseTimes, true));
    });
    ctx.indentationLvl -= 2;
  }
  return output;
}

function formatSetEntries(ctx, value, recurseTimes) {
  var output = [];
  var max = Math.min(ctx.maxArrayLength, value.size);
  ctx.indentationLvl += 2;
  var it = value.values();
  for (var i = 0; i < max; i++) output.push(formatValue(ctx, it.next().value, recurseTimes, false));
  ctx.indentationLvl -= 2;
  if (value.size > max) output.push("... " + (value.size - max) + " more item" + (value.size - max > 1 ? "s" : ""));
  return output;
}

function formatMapEntries(ctx, value, recurseTimes) {
  var output = [];
  var max = Math.min(ctx.maxArrayLength, value.size);
  ctx.indentationLvl += 2;
  var it = value.entries();
  for (var i = 0; i < max; i++) {
    var e = it.next().value;
    output.push(formatValue(ctx, e[0], recurseTimes, false) + " => " + formatValue(ctx, e[1], recurseTimes, false));
  }
  ctx.indentationLvl -= 2;
  if (value.size > max) output.push("... " + (value.size - max) + " more item" + (value.size - max > 1 ? "s" : ""));
  return output;
}

function formatProperty(ctx, value, recurseTimes, key, inArray) {
  var str;
  var desc = Object.getOwnPropertyDescriptor(value, key) || { value: value[key], enumerable: true };
  if (desc.value !== undefined) {
    ctx.indentationLvl += 2;
    str = formatValue(ctx, desc.value, recurseTimes, false);
    ctx.indentationLvl -= 2;
  } else if (desc.get !== undefined) {
    str = desc.set !== undefined ? "[Getter/Setter]" : "[Getter]";
  } else if (desc.set !== undefined) {
    str = "[Setter]";
  } else {
    str = "undefined";
  }
  if (inArray && isArrayIndex(key)) return str;
  var name;
  if (typeof key === "symbol") name = "[" + key.toString() + "]";
  else if (desc.enumerable === false) name = "[" + key + "]";
  else if (IDENTIFIER_RE.test(key)) name = key;
  else name = quoteString(key);
  return name + ": " + str;
}

// ---- layout ----------------------------------------------------------------------------------

function reduceToSingleString(ctx, output, base, braces, extrasArray, recurseTimes, value) {
  if (ctx.compact !== true) {
    if (typeof ctx.compact === "number" && ctx.compact >= 1) {
      var entries = output.length;
      if (extrasArray && entries > 6) output = groupArrayElements(ctx, output, value);
      if (ctx.currentDepth - recurseTimes < ctx.compact && entries === output.length) {
        var start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
        if (fitsOnOneLine(ctx, output, start, base)) {
          var joined = output.join(", ");
          if (joined.indexOf("\n") < 0) {
            return (base !== "" ? base + " " : "") + braces[0] + " " + joined + " " + braces[1];
          }
        }
      }
    }
    var indentation = "\n" + " ".repeat(ctx.indentationLvl);
    return (base !== "" ? base + " " : "") + braces[0] + indentation + "  " + output.join("," + indentation + "  ") + indentation + braces[1];
  }
  if (fitsOnOneLine(ctx, output, 0, base)) {
    return braces[0] + (base !== "" ? " " + base : "") + " " + output.join(", ") + " " + braces[1];
  }
  var pad = " ".repeat(ctx.indentationLvl);
  var ln = base === "" && braces[0].length === 1 ? " " : (base !== "" ? " " + base : "") + "\n" + pad + "  ";
  return braces[0] + ln + output.join(",\n" + pad + "  ") + " " + braces[1];
}

function fitsOnOneLine(ctx, output, start, base) {
  var total = output.length + start;
  if (total + output.length > ctx.breakLength) return false;
  for (var i = 0; i < output.length; i++) {
    total += output[i].length;
    if (total > ctx.breakLength) return false;
  }
  return base === "" || base.indexOf("\n") < 0;
}

// More than six array items are laid out in columns when they are short enough: as many
// columns as make the block about square (a character being ~2.5 times as high as wide), at
// most 15, and never wider than breakLength. Numbers are right-aligned, the rest left.
function groupArrayElements(ctx, output, value) {
  var separatorSpace = 2;
  var count = output.length;
  if (ctx.maxArrayLength < output.length) count--; // the "... more items" line stays alone
  var lengths = new Array(count);
  var total = 0;
  var longest = 0;
  for (var i = 0; i < count; i++) {
    lengths[i] = output[i].length;
    total += lengths[i] + separatorSpace;
    if (longest < lengths[i]) longest = lengths[i];
  }
  var widest = longest + separatorSpace;
  if (!(widest * 3 + ctx.indentationLvl < ctx.breakLength && (total / widest > 5 || longest <= 6))) return output;
  var bias = Math.sqrt(widest - total / output.length);
  var biasedMax = Math.max(widest - 3 - bias, 1);
  var columns = Math.min(
    Math.round(Math.sqrt(2.5 * biasedMax * count) / biasedMax),
    Math.floor((ctx.breakLength - ctx.indentationLvl) / widest),
    ctx.compact * 4,
    15
  );
  if (columns <= 1) return output;
  var columnWidths = [];
  for (var c = 0; c < columns; c++) {
    var w = 0;
    for (var j = c; j < output.length; j += columns) if (lengths[j] > w) w = lengths[j];
    columnWidths.push(w + separatorSpace);
  }
  var padStart = true;
  if (value !== undefined) {
    for (var v = 0; v < output.length; v++) {
      if (typeof value[v] !== "number" && typeof value[v] !== "bigint") {
        padStart = false;
        break;
      }
    }
  }
  var rows = [];
  for (var r = 0; r < count; r += columns) {
    var end = Math.min(r + columns, count);
    var line = "";
    var k = r;
    for (; k < end - 1; k++) {
      var cell = output[k] + ", ";
      line += padStart ? cell.padStart(columnWidths[k - r], " ") : cell.padEnd(columnWidths[k - r], " ");
    }
    line += padStart ? output[k].padStart(columnWidths[k - r] - separatorSpace, " ") : output[k];
    rows.push(line);
  }
  if (ctx.maxArrayLength < output.length) rows.push(output[count]);
  return rows;
}

// ---- format ----------------------------------------------------------------------------------

var BUILTIN_CONSTRUCTORS = ["Object", "Error", "Array", "Date", "RegExp", "Map", "Set", "Function", "Number", "String", "Boolean", "Promise",
  "Symbol", "BigInt", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError", "WeakMap", "WeakSet",
  "ArrayBuffer", "DataView", "Uint8Array", "Int8Array", "Uint16Array", "Int16Array", "Uint32Array", "Int32Array", "Float32Array",
  "Float64Array", "Uint8ClampedArray", "BigInt64Array", "BigUint64Array"];

function hasBuiltInToString(value) {
  if (typeof value.toString !== "function") return true;
  if (Object.prototype.hasOwnProperty.call(value, "toString")) return false;
  var pointer = value;
  do {
    pointer = Object.getPrototypeOf(pointer);
  } while (pointer !== null && !Object.prototype.hasOwnProperty.call(pointer, "toString"));
  if (pointer === null) return true;
  var d = Object.getOwnPropertyDescriptor(pointer, "constructor");
  return d !== undefined && typeof d.value === "function" && BUILTIN_CONSTRUCTORS.indexOf(d.value.name) >= 0;
}

function format() {
  return formatWithOptions.apply(null, [undefined].concat(Array.prototype.slice.call(arguments)));
}

function formatWithOptions(inspectOptions) {
  var args = Array.prototype.slice.call(arguments, 1);
  var opts = inspectOptions || {};
  function insp(v, extra) {
    var o = {};
    for (var k in opts) o[k] = opts[k];
    for (var e in extra) o[e] = extra[e];
    return inspect(v, o);
  }
  var first = args[0];
  var str = "";
  var a = 0;
  var join = "";
  if (typeof first === "string") {
    if (args.length === 1) return first;
    var lastPos = 0;
    for (var i = 0; i < first.length - 1; i++) {
      if (first.charCodeAt(i) !== 37) continue; // %
      var code = first.charCodeAt(++i);
      if (a + 1 !== args.length) {
        var temp;
        var arg = args[a + 1];
        switch (code) {
          case 115: // s
            if (typeof arg === "number") temp = formatNumberText(arg);
            else if (typeof arg === "bigint") temp = String(arg) + "n";
            else if (typeof arg !== "object" || arg === null || !hasBuiltInToString(arg)) temp = String(arg);
            else temp = insp(arg, { depth: 0, colors: false, compact: 3 });
            break;
          case 106: // j
            temp = jsonOrCircular(arg);
            break;
          case 100: // d
            if (typeof arg === "bigint") temp = String(arg) + "n";
            else if (typeof arg === "symbol") temp = "NaN";
            else temp = formatNumberText(Number(arg));
            break;
          case 79: // O
            temp = insp(arg, {});
            break;
          case 111: // o
            temp = insp(arg, { showHidden: true, showProxy: true, depth: 4 });
            break;
          case 105: // i
            if (typeof arg === "bigint") temp = String(arg) + "n";
            else if (typeof arg === "symbol") temp = "NaN";
            else temp = formatNumberText(parseInt(arg));
            break;
          case 102: // f
            temp = typeof arg === "symbol" ? "NaN" : formatNumberText(parseFloat(arg));
            break;
          case 99: // c
            temp = "";
            break;
          case 37: // %
            str += first.slice(lastPos, i);
            lastPos = i + 1;
            continue;
          default:
            continue;
        }
        if (lastPos !== i - 1) str += first.slice(lastPos, i - 1);
        str += temp;
        lastPos = i + 1;
        a++;
      } else if (code === 37) {
        str += first.slice(lastPos, i);
        lastPos = i + 1;
      }
    }
    if (lastPos !== 0) {
      a++;
      join = " ";
      if (lastPos < first.length) str += first.slice(lastPos);
    }
  }
  while (a < args.length) {
    var value = args[a];
    str += join;
    str += typeof value !== "string" ? insp(value, {}) : value;
    join = " ";
    a++;
  }
  return str;
}

function jsonOrCircular(value) {
  try {
    return JSON.stringify(value);
  } catch (e) {
    if (e instanceof TypeError && /circular|cyclic/i.test(String(e.message))) return "[Circular]";
    throw e;
  }
}

// ---- the rest of util ------------------------------------------------------------------------

function promisify(original) {
  if (typeof original !== "function") {
    throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", 'The "original" argument must be of type function.' + receivedText(original));
  }
  if (typeof original[PROMISIFY_CUSTOM] === "function") return original[PROMISIFY_CUSTOM];
  function promisified() {
    var self = this;
    var args = Array.prototype.slice.call(arguments);
    return new Promise(function (resolve, reject) {
      args.push(function (err, value) {
        if (err) reject(err);
        else resolve(value);
      });
      original.apply(self, args);
    });
  }
  Object.setPrototypeOf(promisified, Object.getPrototypeOf(original));
  return Object.defineProperties(promisified, Object.getOwnPropertyDescriptors(original));
}
promisify.custom = PROMISIFY_CUSTOM;

function callbackify(original) {
  if (typeof original !== "function") {
    throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", 'The "original" argument must be of type function.' + receivedText(original));
  }
  return function () {
    var args = Array.prototype.slice.call(arguments);
    var callback = args.pop();
    if (typeof callback !== "function") {
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", 'The last argument must be of type function.' + receivedText(callback));
    }
    var self = this;
    original.apply(this, args).then(function (value) {
      callback.call(self, null, value);
    }, function (reason) {
      if (!reason) {
        var wrapped = nodeError(Error, "ERR_FALSY_VALUE_REJECTION", "Promise was rejected with falsy value");
        wrapped.reason = reason;
        reason = wrapped;
      }
      callback.call(self, reason);
    });
  };
}

function inherits(ctor, superCtor) {
  Object.defineProperty(ctor, "super_", { value: superCtor, writable: true, configurable: true });
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
}

var deprecationsWarned = Object.create(null);
function deprecate(fn, message, code) {
  var warned = false;
  return function () {
    if (!warned) {
      warned = true;
      if (code === undefined || !deprecationsWarned[code]) {
        if (code !== undefined) deprecationsWarned[code] = true;
        consoleWrite("warn", ["(node) " + (code ? "[" + code + "] " : "") + "DeprecationWarning: " + message]);
      }
    }
    return new.target ? Reflect.construct(fn, arguments, new.target) : fn.apply(this, arguments);
  };
}

function isDeepStrictEqual(a, b) {
  return deepEqual(a, b, []);
}

function deepEqual(a, b, seen) {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  var kind = tagOf(a);
  if (kind !== tagOf(b)) return false;
  for (var s = 0; s < seen.length; s++) if (seen[s][0] === a && seen[s][1] === b) return true;
  seen = seen.concat([[a, b]]);
  if (kind === "Date" && a.getTime() !== b.getTime() && !(isNaN(a.getTime()) && isNaN(b.getTime()))) return false;
  if (kind === "RegExp" && (a.source !== b.source || a.flags !== b.flags || a.lastIndex !== b.lastIndex)) return false;
  if (a instanceof Error && (a.message !== b.message || a.name !== b.name)) return false;
  if (isBoxed(a) && !Object.is(a.valueOf(), b.valueOf())) return false;
  if (ArrayBuffer.isView(a)) {
    if (a.length !== b.length) return false;
    for (var t = 0; t < a.length; t++) if (!Object.is(a[t], b[t])) return false;
  }
  if (kind === "Set") {
    if (a.size !== b.size) return false;
    var rest = Array.from(b);
    var ok = Array.from(a).every(function (x) {
      for (var i = 0; i < rest.length; i++) {
        if (deepEqual(x, rest[i], seen)) {
          rest.splice(i, 1);
          return true;
        }
      }
      return false;
    });
    if (!ok) return false;
  }
  if (kind === "Map") {
    if (a.size !== b.size) return false;
    var entries = Array.from(b);
    var okm = Array.from(a).every(function (x) {
      for (var i = 0; i < entries.length; i++) {
        if (deepEqual(x[0], entries[i][0], seen) && deepEqual(x[1], entries[i][1], seen)) {
          entries.splice(i, 1);
          return true;
        }
      }
      return false;
    });
    if (!okm) return false;
  }
  var ka = ownEnumerable(a), kb = ownEnumerable(b);
  if (ka.length !== kb.length) return false;
  for (var i = 0; i < ka.length; i++) {
    if (!Object.prototype.propertyIsEnumerable.call(b, ka[i])) return false;
    if (!deepEqual(a[ka[i]], b[ka[i]], seen)) return false;
  }
  return true;
}

function ownEnumerable(o) {
  return Object.keys(o).concat(Object.getOwnPropertySymbols(o).filter(function (s) {
    return Object.prototype.propertyIsEnumerable.call(o, s);
  }));
}

function tagIs(name) {
  return function (v) {
    return v !== null && (typeof v === "object" || typeof v === "function") && tagOf(v) === name;
  };
}

function constructorIs(name) {
  return function (v) {
    return typeof v === "function" && Object.getPrototypeOf(v) !== null && Object.getPrototypeOf(v).constructor.name === name;
  };
}

var utilTypes = {
  isDate: tagIs("Date"),
  isRegExp: tagIs("RegExp"),
  isMap: tagIs("Map"),
  isSet: tagIs("Set"),
  isWeakMap: tagIs("WeakMap"),
  isWeakSet: tagIs("WeakSet"),
  isPromise: tagIs("Promise"),
  isArrayBuffer: tagIs("ArrayBuffer"),
  isDataView: tagIs("DataView"),
  isGeneratorObject: tagIs("Generator"),
  isAsyncFunction: constructorIs("AsyncFunction"),
  isGeneratorFunction: function (v) { return constructorIs("GeneratorFunction")(v) || constructorIs("AsyncGeneratorFunction")(v); },
  isNativeError: function (v) { return v instanceof Error; },
  isBoxedPrimitive: function (v) { return v !== null && typeof v === "object" && isBoxed(v); },
  isTypedArray: function (v) { return ArrayBuffer.isView(v) && !(v instanceof DataView); },
  isUint8Array: tagIs("Uint8Array"),
  isAnyArrayBuffer: function (v) { return tagIs("ArrayBuffer")(v) || tagIs("SharedArrayBuffer")(v); },
  isArrayBufferView: function (v) { return ArrayBuffer.isView(v); },
  isProxy: function () { return false; }
};

var utilModule = {
  format: format,
  formatWithOptions: formatWithOptions,
  inspect: inspect,
  promisify: promisify,
  callbackify: callbackify,
  inherits: inherits,
  deprecate: deprecate,
  isDeepStrictEqual: isDeepStrictEqual,
  types: utilTypes,
  isArray: Array.isArray,
  stripVTControlCharacters: function (s) {
    return String(s).replace(/[\u001B\u009B][[\]()#;?]*(?:(?:(?:[a-zA-Z\d]*(?:;[-a-zA-Z\d/#&.:=?%@~_]*)*)?\u0007)|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-ntqry=><~]))/g, "");
  },
  toUSVString: function (s) {
    return String(s).replace(LONE_SURROGATE_RE, function (m, before) { return (before || "") + "\ufffd"; });
  },
  TextEncoder: undefined, // filled in by installNode with the engine's (or encoding.js's)
  TextDecoder: undefined
};
