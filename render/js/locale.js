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
function installLocaleFormatting() {
  if (typeof globalThis.Intl !== "undefined") return;
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
