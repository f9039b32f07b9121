// `console` inside the engine: each call is formatted as Node's is (util.format, util.js) and
// leaves as a `log` record (level, text) that the
// server writes to its log with the render's URL; calls outside any render (a package's top
// level) are tagged with render id 0. A render may log at most `consoleBytesPerRenderMax`
// bytes of text (the rest is dropped, with one line saying so), so a chatty component
// cannot flood the server's log.

var consoleBytesPerRenderMax = 16384; // replaced by __bext_configure with core's limit
var consoleOutside = { logBytes: 0 }; // the budget of calls outside any render

function consoleWrite(level, args) {
  var c = currentRender !== null && !currentRender.finished ? currentRender : null;
  var owner = c !== null ? c : consoleOutside;
  if (owner.logBytes > consoleBytesPerRenderMax) return;
  // As Node's console: util.format of the arguments (objects through util.inspect).
  var text = formatWithOptions.apply(null, [undefined].concat(Array.prototype.slice.call(args)));
  owner.logBytes += text.length;
  if (owner.logBytes > consoleBytesPerRenderMax) {
    text = "(console output past " + consoleBytesPerRenderMax + " bytes for this render is dropped)";
    level = "warn";
  }
  outbox.push('{"k":"log","id":' + (c !== null ? c.id : 0) + ',"level":"' + level + '"}', text);
}

function installConsole(G) {
  var levels = { log: "log", info: "info", warn: "warn", error: "error", debug: "debug", trace: "trace", dir: "log", table: "log" };
  var out = {};
  Object.keys(levels).forEach(function (name) {
    out[name] = function () {
      consoleWrite(levels[name], arguments);
    };
  });
  out.assert = function (condition) {
    if (!condition) consoleWrite("error", ["Assertion failed"].concat(Array.prototype.slice.call(arguments, 1)));
  };
  out.time = out.timeEnd = out.timeLog = out.group = out.groupEnd = out.groupCollapsed = out.count = out.countReset = noop;
  G.console = out;
}
