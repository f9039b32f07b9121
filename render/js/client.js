// Client components' scripts. The linker builds the app's browser bundle (React and react-dom
// from the app's node_modules, bext's hydration runtime, a chunk per "use client" module) and
// tells which chunks each client module needs (`__bext_client({runtime, chunks})`). A page
// whose render met client components (PRISM's boundaries, `clientPayload`) ends its <body>
// with the payload the browser hydrates them from and the scripts that do it; a page that met
// none gets no JavaScript at all.

var clientManifest = null;

function setClientManifest(manifest) {
  clientManifest = manifest;
}

// The tags that go before `</body>` of page render `c`, or "": the data (`c` client
// components, `p` the route's params, `b` the base path; see render/js/client/tree.js; `t`
// next.config's trailing slash and `i` its `images`, when not the defaults, for the browser's
// `next/image`) and the scripts.
function clientTail(c) {
  var prism = globalThis.__prism;
  var payload = prism.clientPayload();
  if (payload === "" || clientManifest === null) return "";
  var site = (nextSite.trailingSlash ? ',"t":1' : "") + (imageConfigForBrowser !== "" ? ',"i":' + imageConfigForBrowser : "");
  var data = safeInScript('{"c":' + payload + ',"p":' + JSON.stringify(c.params || {}) + ',"b":' + JSON.stringify(nextSite.basePath) + site + "}");
  var urls = [clientManifest.runtime];
  var seen = new Set(urls);
  var modules = prism.clientModules();
  for (var i = 0; i < modules.length; i++) {
    var chunks = clientManifest.chunks[modules[i]];
    if (chunks === undefined) continue;
    for (var j = 0; j < chunks.length; j++) {
      if (!seen.has(chunks[j])) {
        seen.add(chunks[j]);
        urls.push(chunks[j]);
      }
    }
  }
  var out = '<script id="__BEXT_DATA__" type="application/json">' + data + "</script>";
  for (var u = 0; u < urls.length; u++) {
    out += '<script src="' + mediaUrl(urls[u]) + '" async=""></script>';
  }
  return out;
}

// `html` with `tail` before its last `</body>` (at its end when it has none).
function beforeBodyEnd(html, tail) {
  if (tail === "") return html;
  var end = html.lastIndexOf("</body>");
  return end === -1 ? html + tail : html.slice(0, end) + tail + html.slice(end);
}

// JSON text that cannot end the <script> it is written in (`<` only appears inside strings,
// where `\u003c` reads the same).
function safeInScript(json) {
  return json.replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}
