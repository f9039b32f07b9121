// The browser's module registry: the first thing in the runtime chunk (a classic script).
// Every chunk, the runtime's own and each client module's, defines its modules through it;
// a module runs on its first require, once. Chunks are async scripts and may arrive before
// this one: they queue themselves on `self.__bext_chunks` (as webpack's chunks do), and this
// script takes the queue over. Once the page's document is parsed and every client module
// its data names is defined, `bext/client` starts (hydration).
(function () {
  "use strict";
  var fns = Object.create(null);
  var cache = Object.create(null);

  function define(id, fn) {
    if (!(id in fns)) fns[id] = fn;
  }

  function require(id) {
    var record = cache[id];
    if (record !== undefined) return record.exports;
    var fn = fns[id];
    if (fn === undefined) throw new Error('Cannot find module "' + id + '"');
    record = { id: id, exports: {}, loaded: false };
    cache[id] = record;
    try {
      fn.call(record.exports, record, record.exports, require);
    } catch (e) {
      delete cache[id];
      throw e;
    }
    record.loaded = true;
    return record.exports;
  }

  // What the linker's module code calls (render/src/link/emit.rs).
  self.__bext_export = function (exports, getters) {
    for (var name in getters) {
      Object.defineProperty(exports, name, { enumerable: true, configurable: true, get: getters[name] });
    }
  };
  self.__bext_default = function (m) {
    return m !== null && m !== undefined && m.__esModule ? m.default : m;
  };
  self.__bext_context_import = function (files, specifier) {
    if (Object.prototype.hasOwnProperty.call(files, specifier)) return files[specifier]();
    return Promise.reject(new Error("Cannot find module '" + specifier + "'"));
  };
  self.__bext_compile_error = function (d) {
    return new Error(d.path + ":" + d.line + ":" + d.column + ": " + d.message);
  };
  // A static import's URL (an image's `src`; render/src/media/) under the page's base path.
  var basePath = null;
  self.__bext_media = function (url) {
    if (basePath === null) {
      var script = document.getElementById("__BEXT_DATA__");
      try {
        basePath = (script !== null && JSON.parse(script.textContent).b) || "";
      } catch (e) {
        basePath = "";
      }
    }
    return basePath + url;
  };
  // Packages that look at `process` (beyond NODE_ENV, which the linker replaced).
  if (typeof self.process === "undefined") self.process = { env: {} };

  var started = false;

  // The client modules the page's data names, all defined.
  function wanted() {
    var script = document.getElementById("__BEXT_DATA__");
    if (script === null) return null;
    try {
      var data = JSON.parse(script.textContent);
      return data.c.map(function (entry) {
        return entry[0];
      });
    } catch (e) {
      return null;
    }
  }

  function maybeStart() {
    if (started || document.readyState === "loading") return;
    var ids = wanted();
    if (ids === null) return;
    for (var i = 0; i < ids.length; i++) if (!(ids[i] in fns)) return;
    started = true;
    require("bext/client").start({
      require: require,
      ready: function () {
        return Promise.resolve();
      },
    });
  }

  function run(chunk) {
    chunk(define);
    maybeStart();
  }

  self.__bext_runtime = function (chunk) {
    chunk(define);
    var queued = self.__bext_chunks || [];
    self.__bext_chunks = { push: run };
    for (var i = 0; i < queued.length; i++) queued[i](define);
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", maybeStart);
    maybeStart();
  };
})();
