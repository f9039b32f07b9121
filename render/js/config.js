// next.config and middleware's `config.matcher`, read once per load (render/src/next_config):
// `__bext_next_config(json)` starts the evaluation (the config's default export, called with
// Next's phase when it is a function, then `redirects()`, `rewrites()` and `headers()`, each
// awaited); once the engine has drained its jobs, `__bext_next_config_result()` gives
// `{keys, config, redirects, rewrites, headers, middleware}` as JSON, or `{error, stack}`.

var nextConfigOutcome = null;

function nextConfigStart(json) {
  var o = JSON.parse(json);
  nextConfigOutcome = null;
  var out = { keys: [], config: {}, redirects: null, rewrites: null, headers: null, middleware: null };
  var step = Promise.resolve();
  if (typeof o.config === "string") {
    step = step
      .then(function () {
        var value = defaultOf(requireModule(o.config));
        return typeof value === "function" ? value(o.phase, { defaultConfig: {} }) : value;
      })
      .then(function (config) {
        if (config === null || typeof config !== "object") {
          throw new TypeError("the config must be an object (or a function returning one), not " + (config === null ? "null" : typeof config));
        }
        out.keys = Object.keys(config);
        out.config = config;
        return callRules(config, "redirects");
      })
      .then(function (v) {
        out.redirects = v;
        return callRules(out.config, "rewrites");
      })
      .then(function (v) {
        out.rewrites = v;
        return callRules(out.config, "headers");
      })
      .then(function (v) {
        out.headers = v;
      });
  }
  if (typeof o.middleware === "string") {
    step = step.then(function () {
      var m = requireModule(o.middleware);
      var fn = middlewareFunction(m);
      if (fn === null) {
        throw new TypeError(o.middleware + " must export a function named `proxy` or `middleware` (or a default one)");
      }
      var matcher = m.config !== null && typeof m.config === "object" ? m.config.matcher : undefined;
      out.middleware = { module: o.middleware, matcher: matcher === undefined ? null : matcher };
    });
  }
  step.then(
    function () {
      nextConfigOutcome = { ok: JSON.stringify(out) };
    },
    function (e) {
      var failure = failureOf(e);
      nextConfigOutcome = { error: JSON.stringify({ error: failure.message, stack: failure.stack }) };
    }
  );
}

function callRules(config, name) {
  var f = config[name];
  if (f === undefined || f === null) return null;
  if (typeof f !== "function") throw new TypeError("`" + name + "` must be an async function returning the rules");
  return f.call(config);
}

// The outcome as JSON: the config's, or `{error, stack}` for the loader to place in the source.
function nextConfigResult() {
  if (nextConfigOutcome === null) throw new Error("the config never settled (it waits on something that never comes)");
  return nextConfigOutcome.error !== undefined ? nextConfigOutcome.error : nextConfigOutcome.ok;
}
