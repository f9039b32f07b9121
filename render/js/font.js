// `next/font/local` and `next/font/google`. The linker evaluates each loader call when the
// app is compiled (render/src/link/fonts.rs) and leaves `__bext_font({…})` in its place: the
// class names, the style object, and the stylesheet and font files it serves. Reading a
// font's `className`, `variable` or `style` in a render puts the stylesheet and the font
// preloads into that page's <head> (react-dom's preinit and preload), so a page links the
// fonts it uses, as Next does.

function nextFont(d) {
  var style = {
    fontFamily: d.style.fontFamily,
    fontWeight: d.style.fontWeight === null ? undefined : d.style.fontWeight,
    fontStyle: d.style.fontStyle === null ? undefined : d.style.fontStyle,
  };
  var font = {};
  var used = function () {
    var dom = globalThis.__prism.modules["react-dom"];
    for (var i = 0; i < d.preload.length; i++) {
      dom.preload(mediaUrl(d.preload[i][0]), { as: "font", type: d.preload[i][1], crossOrigin: "" });
    }
    dom.preinit(mediaUrl(d.stylesheet), { as: "style", precedence: "next" });
  };
  Object.defineProperty(font, "className", { enumerable: true, get: function () { used(); return d.className; } });
  Object.defineProperty(font, "style", { enumerable: true, get: function () { used(); return style; } });
  if (d.variable !== null) {
    Object.defineProperty(font, "variable", { enumerable: true, get: function () { used(); return d.variable; } });
  }
  return font;
}

// A loader called where the linker could not evaluate it (not a top-level `const`, options
// that are not literals): Next refuses those at build time, bext when they run.
function fontLoaderNotEvaluated() {
  throw new Error("next/font: a font loader must be called at the top level of a module and assigned to a const, with literal options (as Next.js requires)");
}

nextModules["next/font/local"] = { __esModule: true, default: fontLoaderNotEvaluated };
nextModules["next/font/google"] = typeof Proxy === "function"
  ? new Proxy({ __esModule: true }, {
      get: function (target, name) {
        return Object.prototype.hasOwnProperty.call(target, name) ? target[name] : fontLoaderNotEvaluated;
      },
    })
  : { __esModule: true };
