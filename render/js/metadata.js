// Page metadata and viewport → the tags inserted into <head> (charset and viewport first, as
// Next.js writes them).
//
// Segments are merged as Next.js does: layouts outermost first, then the page; a later segment
// replaces a key of an earlier one whole (openGraph is not deep-merged); a `title.template` of
// a layout applies to the titles of the segments below it, `title.default` is the title they
// inherit when they set none, `title.absolute` ignores the template. Tags use React's
// spelling (`<meta name="…" content="…"/>`) and React's escaping, so a page reads the same
// under bext as under react-dom.

var ESCAPE_RE = /[&<>"']/g;
var NEEDS_ESCAPE_RE = /[&<>"']/;
var ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" };

function escapeHtml(s) {
  s = String(s);
  return NEEDS_ESCAPE_RE.test(s) ? s.replace(ESCAPE_RE, function (ch) { return ESCAPES[ch]; }) : s;
}

function metaTag(attr, key, content) {
  return "<meta " + attr + '="' + key + '" content="' + escapeHtml(content) + '"/>';
}

// `viewport` / `generateViewport` of each segment, merged like metadata (a later key wins),
// over Next's default `width=device-width, initial-scale=1`.
var VIEWPORT_KEYS = [
  ["width", "width"], ["height", "height"], ["initialScale", "initial-scale"], ["minimumScale", "minimum-scale"],
  ["maximumScale", "maximum-scale"], ["userScalable", "user-scalable"], ["viewportFit", "viewport-fit"],
  ["interactiveWidget", "interactive-widget"],
];

// `noindex` (a not-found or error page): Next writes its robots tag right after the viewport
// tag, before the theme color.
function viewportTags(viewports, noindex) {
  var v = { width: "device-width", initialScale: 1 };
  if (Array.isArray(viewports)) {
    for (var i = 0; i < viewports.length; i++) {
      var one = viewports[i];
      if (one === null || typeof one !== "object") continue;
      for (var key in one) if (one[key] !== undefined) v[key] = one[key];
    }
  }
  var parts = [];
  for (var k = 0; k < VIEWPORT_KEYS.length; k++) {
    var value = v[VIEWPORT_KEYS[k][0]];
    if (value === undefined || value === null) continue;
    if (VIEWPORT_KEYS[k][0] === "userScalable") value = value ? "yes" : "no";
    parts.push(VIEWPORT_KEYS[k][1] + "=" + value);
  }
  var s = '<meta charSet="utf-8"/>';
  if (parts.length > 0) s += metaTag("name", "viewport", parts.join(", "));
  if (noindex === true) s += '<meta name="robots" content="noindex"/>';
  if (v.themeColor !== undefined && v.themeColor !== null) {
    var colors = Array.isArray(v.themeColor) ? v.themeColor : [v.themeColor];
    for (var c = 0; c < colors.length; c++) {
      var color = colors[c];
      if (color !== null && typeof color === "object") {
        s += '<meta name="theme-color"' + (color.media ? ' media="' + escapeHtml(color.media) + '"' : "") + ' content="' + escapeHtml(color.color) + '"/>';
      } else {
        s += metaTag("name", "theme-color", color);
      }
    }
  }
  if (v.colorScheme) s += metaTag("name", "color-scheme", v.colorScheme);
  return s;
}

// `noindex`: a not-found or error page (see viewportTags).
// `plan`: the order in which metadata and the folders' image files merge (socialPlan in
// metadata_social.js); without one, the metadata in order.
// `ownLayout`: the last layout is in the page's own folder; its title template is for the
// segments below, not for this page (Next skips the leaf layout's template).
function headHtml(metas, viewports, noindex, plan, ownLayout) {
  var title;
  var template;
  var merged = {};
  var steps = plan !== undefined && plan !== null ? plan.length : metas.length;
  for (var i = 0; i < steps; i++) {
    var step = plan !== undefined && plan !== null ? plan[i] : i;
    if (typeof step !== "number") {
      mergeSocialFiles(merged, step.files, step.source >= 0 ? metas[step.source] : null);
      continue;
    }
    var m = metas[step];
    if (m === null || typeof m !== "object") continue;
    var nextTemplate = template;
    if (m.title !== undefined && m.title !== null) {
      var t = m.title;
      if (typeof t === "object") {
        if (t.absolute !== undefined) title = String(t.absolute);
        else if (t.default !== undefined) title = String(t.default);
        if (t.template !== undefined) nextTemplate = String(t.template);
      } else {
        title = template !== undefined ? template.replace("%s", String(t)) : String(t);
      }
    }
    if (!(ownLayout === true && step === metas.length - 2)) template = nextTemplate;
    for (var key in m) if (key !== "title" && m[key] !== undefined) merged[key] = m[key];
  }

  var s = viewportTags(viewports, noindex);
  if (title !== undefined) s += "<title>" + escapeHtml(title) + "</title>";
  if (merged.description !== undefined && merged.description !== null) s += metaTag("name", "description", merged.description);
  if (merged.applicationName) s += metaTag("name", "application-name", merged.applicationName);
  s += metadataManifestLink;
  if (merged.keywords !== undefined && merged.keywords !== null) {
    s += metaTag("name", "keywords", Array.isArray(merged.keywords) ? merged.keywords.join(",") : merged.keywords);
  }
  if (merged.robots !== undefined && merged.robots !== null) s += metaTag("name", "robots", robotsContent(merged.robots));
  var canonical = merged.alternates && merged.alternates.canonical;
  if (canonical) s += '<link rel="canonical" href="' + escapeHtml(canonical) + '"/>';
  s += socialTags(merged, title);
  return s;
}

function robotsContent(r) {
  if (typeof r !== "object") return String(r);
  var parts = [];
  if (r.index !== undefined) parts.push(r.index ? "index" : "noindex");
  if (r.follow !== undefined) parts.push(r.follow ? "follow" : "nofollow");
  if (r.nocache) parts.push("nocache");
  return parts.join(", ");
}

// Inserts the tags after <head>'s children (before </head>). A document without a head gets
// one right after <html …>; a fragment without either gets none (nowhere valid to put it).
function insertHead(html, tags) {
  if (tags === "") return html;
  var close = html.indexOf("</head>");
  if (close >= 0) return html.slice(0, close) + tags + html.slice(close);
  var open = html.indexOf("<html");
  if (open >= 0) {
    var end = html.indexOf(">", open);
    if (end >= 0) return html.slice(0, end + 1) + "<head>" + tags + "</head>" + html.slice(end + 1);
  }
  return html;
}
