// The module registry: every linked module of the app is defined once by the bundle and runs on
// its first require (lazy), once. Part of APP_RUNTIME_JS: the files of render/js are joined
// inside one function scope by render/src/runtime.rs, so these names are private to it.

// id -> the function the linker wrapped the module in. Not run until required.
var moduleFns = Object.create(null);
// id -> {id, exports, loaded}. A record is inserted before its function runs, so a cycle
// (a requires b requires a) sees the partial exports of `a` instead of recursing; exports are
// installed as getters by the linker, so the names filled in later are still seen live.
var moduleCache = Object.create(null);

function defineModule(id, fn) {
  moduleFns[id] = fn;
}

function requireModule(id) {
  var record = moduleCache[id];
  if (record !== undefined) return record.exports;
  return loadModule(id);
}

function loadModule(id) {
  var fn = moduleFns[id];
  if (fn === undefined) {
    var builtin = builtinModule(id);
    if (builtin === undefined) throw new Error('Cannot find module "' + id + '"');
    moduleCache[id] = { id: id, exports: builtin, loaded: true };
    return builtin;
  }
  var record = { id: id, exports: {}, loaded: false };
  moduleCache[id] = record;
  try {
    fn.call(record.exports, record, record.exports, requireModule);
  } catch (e) {
    // As in Node: a module whose body threw is not cached, so the next require throws again
    // (a module that failed to compile in dev mode keeps failing until it is fixed).
    delete moduleCache[id];
    throw e;
  }
  record.loaded = true;
  return record.exports;
}

// `bext/server` lives here; the JSX runtimes and the React stand-in come from prism.js, which
// the bundle evaluates first and which publishes them as `__prism.modules`.
function builtinModule(id) {
  if (id === "bext/server") return serverModule;
  if (id === "bext/realtime") return realtimeModule;
  if (Object.prototype.hasOwnProperty.call(nextModules, id)) return nextModules[id];
  var node = nodeBuiltin(id);
  if (node !== undefined) return node;
  var prism = globalThis.__prism;
  var mods = prism !== undefined && prism !== null ? prism.modules : undefined;
  if (mods === undefined || mods === null) return undefined;
  var m = mods[id];
  if (m !== undefined) return m;
  if (id === "react/jsx-runtime" || id === "react/jsx-dev-runtime" || id === "bext/jsx-runtime") {
    return mods["react/jsx-runtime"] || mods["bext/jsx-runtime"] || mods.react;
  }
  return undefined;
}

// `export const x` becomes `__bext_export(exports, {x: () => x})`: a getter, so the binding
// stays live (ESM semantics) and cycles work.
// `import(`./dir/${x}.json`)`: the linker bundled every file the template may name (see
// link/context.rs); the one the specifier names is imported, any other rejects as Node does.
function contextImport(files, specifier) {
  if (Object.prototype.hasOwnProperty.call(files, specifier)) return files[specifier]();
  var error = new Error("Cannot find module '" + specifier + "'");
  error.code = "MODULE_NOT_FOUND";
  return Promise.reject(error);
}

function exportLive(exports, getters) {
  for (var name in getters) {
    Object.defineProperty(exports, name, { enumerable: true, configurable: true, get: getters[name] });
  }
}

// `import d from "x"`: ESM modules carry `__esModule`, CommonJS ones are their own default.
function defaultOf(m) {
  return m !== null && m !== undefined && m.__esModule ? m.default : m;
}

// Dev mode emits a module that failed to compile as one that throws this when required.
function compileError(d) {
  var where = d.path + ":" + d.line + ":" + d.column + ": ";
  var e = new Error(where + d.message + (d.frame ? "\n" + d.frame : ""));
  e.name = "CompileError";
  e.diagnostic = d;
  return e;
}
