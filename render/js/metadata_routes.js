// Metadata routes (`robots.ts`, `sitemap.ts`, `manifest.ts`): the default export's value (a
// function's result, awaited) written in the file's format as Next.js writes it, and the
// `<head>` links of the app's icon files (set by the loader, see render/src/assets.rs).
// Cacheable like pages unless the module says `dynamic = "force-dynamic"`; sent with Next's
// `cache-control` for them.

var metadataFilesHead = "";
var metadataManifestLink = "";

// `__bext_metadata_head("<link …>", "<link rel=\"manifest\" …>")`: the icon links every
// page's <head> ends with, and the manifest link, which Next writes among the basic tags.
function setMetadataHead(icons, manifest) {
  metadataFilesHead = String(icons);
  metadataManifestLink = typeof manifest === "string" ? manifest : "";
}

var METADATA_ROUTE_HEADERS = {
  robots: '[["content-type","text/plain"],["cache-control","public, max-age=0, must-revalidate"]]',
  sitemap: '[["content-type","application/xml"],["cache-control","public, max-age=0, must-revalidate"]]',
  manifest: '[["content-type","application/manifest+json"],["cache-control","public, max-age=0, must-revalidate"]]',
};

function startMetadataRoute(c) {
  var r = c.route;
  c.mode = MODE_HANDLER;
  var result;
  try {
    if (!r.loaded) {
      var m = requireModule(r.handler);
      r.handlerModule = m;
      r.revalidate = typeof m.revalidate === "number" || m.revalidate === false ? m.revalidate : undefined;
      r.forceDynamic = m.dynamic === "force-dynamic";
      r.loaded = true;
    }
    var value = defaultOf(r.handlerModule);
    var byIds = r.metadata === "sitemap" && typeof r.handlerModule.generateSitemaps === "function";
    if (byIds !== r.byId) {
      // `sitemap.xml` of a module with generateSitemaps, or `sitemap/<id>` of one without:
      // Next has no such route, and answers its own 404 page.
      c.route = rootRouteOrEmpty();
      c.unmatched = true;
      c.dynamic = true;
      startNotFound(c);
      return;
    }
    if (byIds) {
      c.phase = PHASE_SITEMAP_IDS;
      result = r.handlerModule.generateSitemaps();
    } else {
      c.phase = PHASE_METADATA_ROUTE;
      result = typeof value === "function" ? value() : value;
    }
  } catch (e) {
    fail(c, e);
    return;
  }
  run(c, result);
}

// generateSitemaps's list is `v`: the sitemap whose id the URL names (`…/sitemap/3.xml`),
// given `{id}` as a promise of that id as Next gives it, or Next's plain 404.
function sitemapById(c, v) {
  if (!Array.isArray(v)) throw new TypeError(c.route.handler + ": generateSitemaps must return an array of {id}");
  var param = String(c.params.__metadata_id__);
  var id = param.slice(-4) === ".xml" ? param.slice(0, -4) : null;
  var found = false;
  for (var i = 0; i < v.length; i++) {
    if (v[i] === null || typeof v[i] !== "object" || v[i].id === null || v[i].id === undefined) {
      throw new Error("id property is required for every item returned from generateSitemaps");
    }
    if (String(v[i].id) === id) found = true;
  }
  if (!found) {
    c.dynamic = true;
    finish(c, 404, SITEMAP_NOT_FOUND_HEADERS, c.dropBody ? "" : "Not Found");
    return undefined;
  }
  c.phase = PHASE_METADATA_ROUTE;
  return defaultOf(c.route.handlerModule)({ id: Promise.resolve(id) });
}

var SITEMAP_NOT_FOUND_HEADERS = '[["content-type","text/plain;charset=UTF-8"]]';

function finishMetadataRoute(c, value) {
  if (c.fatal !== null) throw c.fatal;
  var kind = c.route.metadata;
  var body;
  if (kind === "robots") body = robotsText(value);
  else if (kind === "sitemap") body = sitemapXml(value);
  else body = JSON.stringify(value);
  finish(c, 200, METADATA_ROUTE_HEADERS[kind] || METADATA_ROUTE_HEADERS.manifest, c.dropBody ? "" : body);
}

function asList(v) {
  return Array.isArray(v) ? v : [v];
}

function robotsText(data) {
  if (data === null || typeof data !== "object") throw new TypeError("robots() must return an object with `rules`");
  var out = "";
  var rules = data.rules === undefined ? [] : asList(data.rules);
  for (var i = 0; i < rules.length; i++) {
    var rule = rules[i] || {};
    var agents = asList(rule.userAgent || ["*"]);
    for (var a = 0; a < agents.length; a++) out += "User-Agent: " + agents[a] + "\n";
    if (rule.allow) asList(rule.allow).forEach(function (p) { out += "Allow: " + p + "\n"; });
    if (rule.disallow) asList(rule.disallow).forEach(function (p) { out += "Disallow: " + p + "\n"; });
    if (rule.crawlDelay) out += "Crawl-delay: " + rule.crawlDelay + "\n";
    out += "\n";
  }
  if (data.host) out += "Host: " + data.host + "\n";
  if (data.sitemap) asList(data.sitemap).forEach(function (s) { out += "Sitemap: " + s + "\n"; });
  return out;
}

function sitemapXml(entries) {
  if (!Array.isArray(entries)) throw new TypeError("sitemap() must return an array of entries");
  var languagesOf = function (e) {
    return e && e.alternates && e.alternates.languages && typeof e.alternates.languages === "object" ? e.alternates.languages : null;
  };
  var hasAlternates = entries.some(function (e) { var l = languagesOf(e); return l !== null && Object.keys(l).length > 0; });
  var hasImages = entries.some(function (e) { return e && Array.isArray(e.images) && e.images.length > 0; });
  var hasVideos = entries.some(function (e) { return e && Array.isArray(e.videos) && e.videos.length > 0; });
  var out = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"';
  if (hasImages) out += ' xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"';
  if (hasVideos) out += ' xmlns:video="http://www.google.com/schemas/sitemap-video/1.1"';
  out += hasAlternates ? ' xmlns:xhtml="http://www.w3.org/1999/xhtml">\n' : ">\n";
  for (var i = 0; i < entries.length; i++) {
    var e = entries[i] || {};
    out += "<url>\n<loc>" + e.url + "</loc>\n";
    var languages = languagesOf(e);
    if (languages !== null) {
      for (var lang in languages) {
        if (Object.prototype.hasOwnProperty.call(languages, lang)) {
          out += '<xhtml:link rel="alternate" hreflang="' + lang + '" href="' + languages[lang] + '" />\n';
        }
      }
    }
    if (Array.isArray(e.images)) {
      for (var j = 0; j < e.images.length; j++) out += "<image:image>\n<image:loc>" + e.images[j] + "</image:loc>\n</image:image>\n";
    }
    if (Array.isArray(e.videos)) {
      for (var k = 0; k < e.videos.length; k++) out += sitemapVideo(e.videos[k]);
    }
    if (e.lastModified) {
      out += "<lastmod>" + (e.lastModified instanceof Date ? e.lastModified.toISOString() : e.lastModified) + "</lastmod>\n";
    }
    if (e.changeFrequency) out += "<changefreq>" + e.changeFrequency + "</changefreq>\n";
    if (typeof e.priority === "number") out += "<priority>" + e.priority + "</priority>\n";
    out += "</url>\n";
  }
  return out + "</urlset>\n";
}

function sitemapVideo(v) {
  var out = "<video:video>\n";
  var fields = [
    ["title", "title"], ["thumbnail_loc", "thumbnail_loc"], ["description", "description"], ["content_loc", "content_loc"],
    ["player_loc", "player_loc"], ["duration", "duration"], ["view_count", "view_count"], ["tag", "tag"], ["rating", "rating"],
    ["expiration_date", "expiration_date"], ["publication_date", "publication_date"], ["family_friendly", "family_friendly"],
    ["requires_subscription", "requires_subscription"], ["live", "live"],
  ];
  for (var i = 0; i < fields.length; i++) {
    var value = v[fields[i][0]];
    if (value !== undefined && value !== null) out += "<video:" + fields[i][1] + ">" + value + "</video:" + fields[i][1] + ">\n";
  }
  return out + "</video:video>\n";
}
