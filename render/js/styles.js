// Stylesheets modules import (`import "./globals.css"`, CSS modules). The linker compiles each
// into a file under /_next/static/css/ and tells, per route module, which stylesheets its
// imports reach, in import order (`__bext_styles({...})`, render/src/link/compiler.rs). A page
// links those of its layouts (outermost first), templates, loading and slot modules, then
// its own, each once: react-dom's preinit with Next's precedence puts them in the <head>.

var moduleStyles = {};

function setModuleStyles(map) {
  moduleStyles = map;
}

// Called as a page's element tree is built: `ids` are its modules, outermost first.
function linkStyles(ids) {
  var dom = null;
  for (var i = 0; i < ids.length; i++) {
    var urls = moduleStyles[ids[i]];
    if (urls === undefined) continue;
    if (dom === null) dom = globalThis.__prism.modules["react-dom"];
    for (var j = 0; j < urls.length; j++) {
      dom.preinit(mediaUrl(urls[j]), { as: "style", precedence: "next" });
    }
  }
}
