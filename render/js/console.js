// `console` inside the engine: each call leaves as a `log` record (level, text) that the
// server writes to its log with the render's URL; calls outside any render (a package's top
// level) are tagged with render id 0. A render may log at most `consoleBytesPerRenderMax`
// bytes of text (the rest is dropped, with one line saying so), so a chatty component
// cannot flood the server's log.

var consoleBytesPerRenderMax = 16384; // replaced by __bext_configure with core's limit
var CONSOLE_VALUE_CHARS_MAX = 1024; // one argument's text, before it is cut

function consoleText(value) {
  if (typeof value === "string") return value;
  if (value instanceof Error) {
    // As Node prints it: "Name: message" and the stack (QuickJS's stack lacks the first line).
    var head = value.name + ": " + value.message;
    var stack = typeof value.stack === "string" ? value.stack : "";
    if (stack === "") return head;
    return stack.indexOf(head) === 0 ? stack : head + "\n" + stack.replace(/\n$/, "");
  }
  if (typeof value === "function") return "[Function: " + (value.name || "anonymous") + "]";
  if (typeof value === "symbol" || typeof value === "bigint") return value.toString() + (typeof value === "bigint" ? "n" : "");
  if (value === null || typeof value !== "object") return String(value);
  var text;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    text = undefined;
  }
  if (text === undefined) text = Object.prototype.toString.call(value);
  return text.length > CONSOLE_VALUE_CHARS_MAX ? text.slice(0, CONSOLE_VALUE_CHARS_MAX) + "…" : text;
}

var consoleOutside = { logBytes: 0 }; // the budget of calls outside any render

function consoleWrite(level, args) {
  var c = currentRender !== null && !currentRender.finished ? currentRender : null;
  var owner = c !== null ? c : consoleOutside;
  if (owner.logBytes > consoleBytesPerRenderMax) return;
  var parts = [];
  for (var i = 0; i < args.length; i++) parts.push(consoleText(args[i]));
  var text = parts.join(" ");
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
