// Timers: setTimeout, setInterval, setImmediate and their clear* functions, with Node's
// lifetime. A bare engine has no event loop of its own, so a timer leaves the engine as a
// `timer` record with its delay; Rust waits on the shard's executor (never blocking it) and
// answers with a `timer` message, which runs the callback. A timer set during a render
// belongs to it while it runs (the render waits for it, within its deadline); one the render
// leaves behind when it is answered still fires, outside any render, as do timers set at a
// package's top level or by another such callback (render id 0). Clearing a timer sends a
// `clear` record so Rust forgets it at once. Outside a render, a callback that throws is
// logged as uncaught and the engine carries on.

var TIMER_DELAY_MS_MAX = 2147483647; // as in browsers and Node: longer delays mean 1 ms
var timersPerRenderMax = 1024; // replaced by __bext_configure with core's TIMERS_PER_RENDER_MAX
var timerSeq = 0;
var timers = Object.create(null); // timer id -> { c, fn, args, every } (c: null outside a render; every: -1 = once)

function timerDelay(ms) {
  var delay = Math.floor(+ms);
  if (!(delay >= 1)) return 0;
  return delay > TIMER_DELAY_MS_MAX ? 1 : delay;
}

function setTimer(fn, ms, args, repeat) {
  if (typeof fn !== "function") {
    throw new TypeError("The \"callback\" argument must be of type function (code strings are not evaluated)");
  }
  var id = ++timerSeq;
  var c = currentRender;
  if (c !== null && c.finished) c = null;
  var delay = timerDelay(ms);
  if (c !== null) {
    if (c.timerCount >= timersPerRenderMax) {
      var err = new Error("timer limit exceeded: a render may set at most " + timersPerRenderMax + " timers");
      // As with fetch: the render fails even if the caller catches this.
      if (c.fatal === null) c.fatal = err;
      throw err;
    }
    c.timerCount++;
    trackRender(c);
  }
  timers[id] = { c: c, fn: fn, args: args, every: repeat ? delay : -1 };
  pushTimer(c, id, delay);
  return id;
}

function pushTimer(c, id, delay) {
  outbox.push('{"k":"timer","id":' + (c !== null ? c.id : 0) + ',"timer":' + id + ',"ms":' + delay + "}", "");
}

function clearTimer(id) {
  if (typeof id !== "number" || timers[id] === undefined) return;
  delete timers[id];
  outbox.push('{"k":"clear","timer":' + id + "}", "");
}

function restArgs(args, from) {
  return args.length > from ? Array.prototype.slice.call(args, from) : null;
}

// `timer` from Rust: the delay of timer `msg.timer` has passed.
function fireTimer(msg) {
  var t = timers[msg.timer];
  if (t === undefined) return; // cleared
  var c = t.c;
  if (c !== null && (c.finished || liveRenders[c.id] !== c)) {
    // Its render has been answered: from now on the timer lives outside any render.
    c = t.c = null;
  }
  if (t.every < 0) delete timers[msg.timer];
  else pushTimer(c, msg.timer, t.every);
  if (c === null) {
    fireOutside(t);
    return;
  }
  currentRender = c;
  if (c.prism !== null) globalThis.__prism.enterRender(c.prism);
  try {
    if (t.args === null) t.fn();
    else t.fn.apply(undefined, t.args);
  } catch (e) {
    // An exception nobody can catch: the render fails as it would on an uncaught error.
    fail(c, e);
  }
}

// A callback outside any render: its console output has a budget of its own, and an exception
// (which would end a Node process) is logged and goes no further.
function fireOutside(t) {
  currentRender = null;
  consoleOutside.logBytes = 0;
  try {
    if (t.args === null) t.fn();
    else t.fn.apply(undefined, t.args);
  } catch (e) {
    consoleWrite("error", ["Uncaught exception in a timer outside any render:", e]);
  }
}

function installTimers(G) {
  G.setTimeout = function setTimeout(fn, ms) {
    return setTimer(fn, ms, restArgs(arguments, 2), false);
  };
  G.setInterval = function setInterval(fn, ms) {
    return setTimer(fn, ms, restArgs(arguments, 2), true);
  };
  G.setImmediate = function setImmediate(fn) {
    return setTimer(fn, 0, restArgs(arguments, 1), false);
  };
  G.clearTimeout = clearTimer;
  G.clearInterval = clearTimer;
  G.clearImmediate = clearTimer;
}
