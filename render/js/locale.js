// Locale formatting where the engine has no `Intl` (QuickJS). Its `toLocaleString` methods
// ignore the locale and print what `toString` prints, which is silently wrong for a page
// ("1234.5" where every browser and Node print "1,234.5"). Here they are replaced by exact
// en-US formatting, which is what JavaScriptCore, V8 and Node give for no locale or "en"/"en-US"
// and no options; any other locale or any options throw an error naming the way out, rather
// than print something else. Engines with `Intl` keep their own methods.

var LOCALE_FRACTION_DIGITS_MAX = 3; // Intl.NumberFormat's default maximumFractionDigits
var LOCALE_SUPPORTED = { "en": true, "en-US": true };

function localeUnsupported(what) {
  return new RangeError(
    what + ": this engine (QuickJS) has no Intl, so only the en-US format without options is available; " +
      "run the app with engine = \"jsc\" (or \"v8\") for other locales and options"
  );
}

function checkLocale(what, locales, options) {
  if (options !== undefined) throw localeUnsupported(what + " with options");
  if (locales === undefined) return;
  var list = Array.isArray(locales) ? locales : [locales];
  for (var i = 0; i < list.length; i++) {
    if (LOCALE_SUPPORTED[list[i]] !== true) throw localeUnsupported(what + "(\"" + String(list[i]) + "\")");
  }
}

// The digits of |x| (finite) as plain decimal text, from the shortest round-trip form.
function plainDigits(abs) {
  var s = String(abs);
  var e = s.indexOf("e");
  if (e === -1) return s;
  var mantissa = s.slice(0, e);
  var exponent = +s.slice(e + 1);
  var dot = mantissa.indexOf(".");
  var digits = dot === -1 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  var point = (dot === -1 ? mantissa.length : dot) + exponent;
  if (point <= 0) return "0." + new Array(1 - point).join("0") + digits;
  if (point >= digits.length) return digits + new Array(point - digits.length + 1).join("0");
  return digits.slice(0, point) + "." + digits.slice(point);
}

// Adds one to a string of decimal digits.
function incrementDigits(digits) {
  var out = "";
  var i = digits.length - 1;
  for (; i >= 0; i--) {
    var d = digits.charCodeAt(i) - 48;
    if (d < 9) return digits.slice(0, i) + String.fromCharCode(49 + d) + out;
    out = "0" + out;
  }
  return "1" + out;
}

function formatNumberEnUs(x) {
  if (x !== x) return "NaN";
  var negative = x < 0 || (x === 0 && 1 / x < 0);
  if (x === Infinity || x === -Infinity) return negative ? "-∞" : "∞";
  var text = plainDigits(Math.abs(x));
  var dot = text.indexOf(".");
  var whole = dot === -1 ? text : text.slice(0, dot);
  var fraction = dot === -1 ? "" : text.slice(dot + 1);
  if (fraction.length > LOCALE_FRACTION_DIGITS_MAX) {
    // Half away from zero on the decimal text, as ICU rounds (halfExpand).
    var up = fraction.charCodeAt(LOCALE_FRACTION_DIGITS_MAX) >= 53;
    fraction = fraction.slice(0, LOCALE_FRACTION_DIGITS_MAX);
    if (up) {
      var bumped = incrementDigits(whole + fraction);
      whole = bumped.slice(0, bumped.length - LOCALE_FRACTION_DIGITS_MAX);
      fraction = bumped.slice(bumped.length - LOCALE_FRACTION_DIGITS_MAX);
    }
  }
  fraction = fraction.replace(/0+$/, "");
  var grouped = "";
  for (var i = whole.length; i > 0; i -= 3) {
    grouped = whole.slice(Math.max(0, i - 3), i) + (grouped === "" ? "" : "," + grouped);
  }
  return (negative ? "-" : "") + grouped + (fraction === "" ? "" : "." + fraction);
}

function pad2(n) {
  return n < 10 ? "0" + n : "" + n;
}

function dateEnUs(d) {
  return d.getMonth() + 1 + "/" + d.getDate() + "/" + d.getFullYear();
}

function timeEnUs(d) {
  var h = d.getHours();
  var h12 = h % 12 === 0 ? 12 : h % 12;
  return h12 + ":" + pad2(d.getMinutes()) + ":" + pad2(d.getSeconds()) + (h < 12 ? " AM" : " PM");
}

// Called by app.js with the other globals.
// ---- collation -------------------------------------------------------------------------------

// `localeCompare` as ICU's root collation (what Node, JavaScriptCore and V8 use for "en") orders
// the characters web pages sort: ASCII, Latin letters with accents (decomposed by NFD), and
// the Latin letters ß, æ, œ, ø, đ, ð, ł, þ. Three levels, compared in turn over the whole
// string: letters and punctuation (case and accents ignored; whitespace and punctuation before
// digits before letters; no numeric ordering), then accents, then case (lower before upper).
// Any other character (another script, a symbol outside ASCII) throws a RangeError naming the
// way out: its place in the order needs data QuickJS does not carry.
var COLLATION_ASCII_ORDER = "\t\n _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz";
// Accent weights (the combining mark's code point -> its place in the secondary order).
var COLLATION_ACCENTS = [0x301, 0x300, 0x306, 0x302, 0x30c, 0x30a, 0x308, 0x30b, 0x303, 0x307, -1 /* stroke */, -2 /* eth */, 0x327, 0x328, 0x304, 0x31b, 0x323, 0x326, 0x331, -3 /* ß, æ, œ: after every accent */];
// Letters that are not a base letter plus marks: [primary letters, accent (or 0), tertiary].
var COLLATION_SPECIAL = {
  "\u00df": ["ss", -3, 1], "\u1e9e": ["ss", -3, 2],
  "\u00e6": ["ae", -3, 1], "\u00c6": ["ae", -3, 2],
  "\u0153": ["oe", -3, 1], "\u0152": ["oe", -3, 2],
  "\u00f8": ["o", -1, 1], "\u00d8": ["o", -1, 2],
  "\u0111": ["d", -1, 1], "\u0110": ["d", -1, 2],
  "\u00f0": ["d", -2, 1], "\u00d0": ["d", -2, 2],
  "\u0142": ["l", -1, 1], "\u0141": ["l", -1, 2],
  "\u00fe": ["\uffff", 0, 1], "\u00de": ["\uffff", 0, 2],
  "\u00a0": [" ", 0, 3],
};
var collationPrimary = null;

function collationWeights(text) {
  if (collationPrimary === null) {
    collationPrimary = {};
    for (var i = 0; i < COLLATION_ASCII_ORDER.length; i++) collationPrimary[COLLATION_ASCII_ORDER[i]] = i + 1;
    collationPrimary["\uffff"] = COLLATION_ASCII_ORDER.length + 1; // thorn, after z
  }
  var primary = [], secondary = [], tertiary = [];
  var decomposed = String(text).normalize("NFD");
  for (var at = 0; at < decomposed.length; at++) {
    var ch = decomposed[at];
    var code = ch.charCodeAt(0);
    if (code >= 0x300 && code <= 0x36f) {
      var accent = COLLATION_ACCENTS.indexOf(code);
      if (accent < 0 || secondary.length === 0) throw collationUnsupported(ch);
      secondary.push(accent + 2);
      tertiary.push(1);
      continue;
    }
    var special = COLLATION_SPECIAL[ch];
    var lower = ch.toLowerCase();
    if (special === undefined) {
      if (collationPrimary[lower] === undefined || lower.length !== 1) throw collationUnsupported(ch);
      primary.push(collationPrimary[lower]);
      secondary.push(1);
      tertiary.push(ch === lower ? 1 : 2);
      continue;
    }
    // The letter's own mark follows its first letter (`ß` is `s`, mark, `s`).
    for (var k = 0; k < special[0].length; k++) {
      primary.push(collationPrimary[special[0][k]]);
      secondary.push(1);
      tertiary.push(special[2]);
      if (k === 0 && special[1] !== 0) {
        secondary.push(COLLATION_ACCENTS.indexOf(special[1]) + 2);
        tertiary.push(1);
      }
    }
  }
  return [primary, secondary, tertiary];
}

function collationUnsupported(ch) {
  return new RangeError(
    "localeCompare: this engine (QuickJS) has no Intl, and collates only ASCII and accented Latin letters; " +
      JSON.stringify(ch) + " (U+" + ch.charCodeAt(0).toString(16).toUpperCase() + ") needs the full collation: " +
      "run the app with engine = \"jsc\" (or \"v8\")"
  );
}

function compareWeights(a, b) {
  var n = Math.min(a.length, b.length);
  for (var i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function localeCompareRoot(a, b) {
  var x = collationWeights(a), y = collationWeights(b);
  for (var level = 0; level < 3; level++) {
    var order = compareWeights(x[level], y[level]);
    if (order !== 0) return order;
  }
  return 0;
}

function installLocaleFormatting() {
  if (typeof globalThis.Intl !== "undefined") return;
  Object.defineProperty(String.prototype, "localeCompare", {
    configurable: true,
    writable: true,
    value: function localeCompare(that, locales, options) {
      checkLocale("localeCompare", locales, options);
      return localeCompareRoot(String(this), String(that));
    },
  });
  function install(proto, name, format) {
    Object.defineProperty(proto, name, {
      configurable: true,
      writable: true,
      value: function (locales, options) {
        checkLocale(name, locales, options);
        return format(this);
      },
    });
  }
  install(Number.prototype, "toLocaleString", function (n) {
    return formatNumberEnUs(Number(n));
  });
  install(Date.prototype, "toLocaleString", function (d) {
    return isNaN(d.getTime()) ? "Invalid Date" : dateEnUs(d) + ", " + timeEnUs(d);
  });
  install(Date.prototype, "toLocaleDateString", function (d) {
    return isNaN(d.getTime()) ? "Invalid Date" : dateEnUs(d);
  });
  install(Date.prototype, "toLocaleTimeString", function (d) {
    return isNaN(d.getTime()) ? "Invalid Date" : timeEnUs(d);
  });
}
