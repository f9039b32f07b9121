// Page metadata → the tags inserted into <head>.
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

function headHtml(metas) {
  var title;
  var template;
  var merged = {};
  for (var i = 0; i < metas.length; i++) {
    var m = metas[i];
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
    template = nextTemplate;
    for (var key in m) if (key !== "title" && m[key] !== undefined) merged[key] = m[key];
  }

  var s = "";
  if (title !== undefined) s += "<title>" + escapeHtml(title) + "</title>";
  if (merged.description !== undefined && merged.description !== null) s += metaTag("name", "description", merged.description);
  if (merged.applicationName) s += metaTag("name", "application-name", merged.applicationName);
  if (merged.keywords !== undefined && merged.keywords !== null) {
    s += metaTag("name", "keywords", Array.isArray(merged.keywords) ? merged.keywords.join(",") : merged.keywords);
  }
  if (merged.robots !== undefined && merged.robots !== null) s += metaTag("name", "robots", robotsContent(merged.robots));
  var canonical = merged.alternates && merged.alternates.canonical;
  if (canonical) s += '<link rel="canonical" href="' + escapeHtml(canonical) + '"/>';
  var og = merged.openGraph;
  if (og !== null && typeof og === "object") s += openGraphTags(og);
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

function openGraphTags(og) {
  var s = "";
  if (og.title !== undefined) s += metaTag("property", "og:title", og.title);
  if (og.description !== undefined) s += metaTag("property", "og:description", og.description);
  if (og.url !== undefined) s += metaTag("property", "og:url", og.url);
  if (og.siteName !== undefined) s += metaTag("property", "og:site_name", og.siteName);
  if (og.locale !== undefined) s += metaTag("property", "og:locale", og.locale);
  var images = og.images !== undefined ? og.images : og.image;
  if (images !== undefined && images !== null) {
    if (!Array.isArray(images)) images = [images];
    for (var i = 0; i < images.length; i++) {
      var img = images[i];
      if (img === null || img === undefined) continue;
      if (typeof img !== "object") {
        s += metaTag("property", "og:image", img);
        continue;
      }
      s += metaTag("property", "og:image", img.url);
      if (img.width !== undefined) s += metaTag("property", "og:image:width", img.width);
      if (img.height !== undefined) s += metaTag("property", "og:image:height", img.height);
      if (img.alt !== undefined) s += metaTag("property", "og:image:alt", img.alt);
    }
  }
  if (og.type !== undefined) s += metaTag("property", "og:type", og.type);
  return s;
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
