// Open Graph and Twitter: the `openGraph` and `twitter` metadata of the segments, the image
// files of their folders (`opengraph-image.png`, `twitter-image.jpg`, read by the loader,
// see render/src/social.rs), and the tags Next.js writes for them.
//
// As Next merges them: a segment's `openGraph` or `twitter` replaces the one above whole; the
// image files of a folder apply after its layout's metadata and again after its page's,
// unless that segment's own metadata names `images`. Once merged, Twitter inherits what it
// lacks from Open Graph (title, description, images; `card` is `summary_large_image` when
// there are images), and both inherit the page's title and description. Relative image URLs
// are made absolute against `metadataBase`, or `http://localhost:$PORT` (3000) without one,
// as `next start` does (Next warns that `metadataBase` should be set).

// Folder (`app/about/`) → {openGraph: [image], twitter: [image]}; image: {url, type, width,
// height, alt}, its URL relative to the site.
var socialFiles = null;

// `__bext_social_images({...})`: set by the loader when the app has such files.
function setSocialImages(byFolder) {
  socialFiles = byFolder !== null && typeof byFolder === "object" ? byFolder : null;
}

// The order metadata and image files merge in, for the modules `ids` (outermost first; the
// last is a page when `leafIsPage`) down to the folder `leafDir`: a number is the index of a
// module's metadata, an object a folder's files with the index of its layout or page (`-1`
// when the level has no module). `null` when the app has no such files.
function socialPlan(ids, leafDir, leafIsPage) {
  if (socialFiles === null) return null;
  var plan = [];
  var k = 0;
  var last = leafIsPage ? ids.length - 1 : ids.length;
  var dir = "";
  var parts = leafDir.split("/");
  for (var p = 0; p < parts.length; p++) {
    if (parts[p] === "") continue;
    dir += parts[p] + "/";
    var source = -1;
    while (k < last && dirOf(ids[k]) === dir) {
      if (baseName(ids[k]).indexOf("layout.") === 0) source = k;
      plan.push(k++);
    }
    var files = socialFiles[dir];
    if (files !== undefined) plan.push({ files: files, source: source });
  }
  while (k < ids.length) plan.push(k++);
  if (leafIsPage && socialFiles[leafDir] !== undefined) plan.push({ files: socialFiles[leafDir], source: ids.length - 1 });
  return plan;
}

function hasOwn(o, key) {
  return o !== null && typeof o === "object" && Object.prototype.hasOwnProperty.call(o, key);
}

// A folder's files after the metadata `source` of the same level.
function mergeSocialFiles(merged, files, source) {
  if (files.twitter !== undefined && !(source !== null && typeof source === "object" && hasOwn(source.twitter, "images"))) {
    merged.twitter = Object.assign({}, merged.twitter, { images: files.twitter });
  }
  if (files.openGraph !== undefined && !(source !== null && typeof source === "object" && hasOwn(source.openGraph, "images"))) {
    merged.openGraph = Object.assign({}, merged.openGraph, { images: files.openGraph });
  }
}

function socialTitle(t) {
  if (t === undefined || t === null) return "";
  if (typeof t === "object") return String(t.absolute !== undefined ? t.absolute : t.default !== undefined ? t.default : "");
  return String(t);
}

function imagesOf(v) {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

// The Open Graph and Twitter tags of merged metadata whose document title is `title`.
function socialTags(merged, title) {
  var og = merged.openGraph !== null && typeof merged.openGraph === "object" ? merged.openGraph : null;
  var tw = merged.twitter !== null && typeof merged.twitter === "object" ? merged.twitter : null;
  if (og === null && tw === null) return "";
  var base = merged.metadataBase;
  var twCard = tw !== null ? cardOf(tw.card, tw.images) : "";
  og = og !== null ? Object.assign({}, og) : null;
  tw = tw !== null ? Object.assign({}, tw) : null;
  var description = merged.description !== undefined && merged.description !== null ? String(merged.description) : "";
  if (og !== null) {
    og.title = socialTitle(og.title);
    var fill = {};
    var twHasTitle = tw !== null && socialTitle(tw.title) !== "";
    if (!twHasTitle) {
      if (og.title !== "") fill.title = og.title;
      else if (title !== undefined && title !== "") fill.title = title;
    }
    if (!(tw !== null && tw.description)) fill.description = og.description || description || undefined;
    if (!(tw !== null && hasOwn(tw, "images") && tw.images)) fill.images = og.images;
    if (tw === null) twCard = cardOf(undefined, fill.images);
    tw = Object.assign(tw !== null ? tw : {}, fill);
  }
  var s = "";
  if (og !== null) {
    if (!og.title && title) og.title = title;
    if (!og.description && description) og.description = description;
    s += openGraphTags(og, base);
  }
  if (tw !== null) {
    if (!socialTitle(tw.title) && title) tw.title = title;
    if (!tw.description && description) tw.description = description;
    s += twitterTags(tw, twCard, base);
  }
  return s;
}

function cardOf(card, images) {
  if (card) return String(card);
  return imagesOf(images).length > 0 ? "summary_large_image" : "summary";
}

function openGraphTags(og, base) {
  var s = "";
  if (og.title) s += metaTag("property", "og:title", og.title);
  if (og.description) s += metaTag("property", "og:description", og.description);
  if (og.url) s += metaTag("property", "og:url", String(og.url));
  if (og.siteName) s += metaTag("property", "og:site_name", og.siteName);
  if (og.locale) s += metaTag("property", "og:locale", og.locale);
  var images = imagesOf(og.images !== undefined ? og.images : og.image);
  for (var i = 0; i < images.length; i++) {
    var img = images[i];
    if (img === null || img === undefined) continue;
    if (typeof img !== "object" || img instanceof URL) {
      s += metaTag("property", "og:image", imageUrl(img, base));
      continue;
    }
    if (img.url) s += metaTag("property", "og:image", imageUrl(img.url, base));
    if (img.secureUrl) s += metaTag("property", "og:image:secure_url", String(img.secureUrl));
    if (img.type) s += metaTag("property", "og:image:type", img.type);
    if (img.width) s += metaTag("property", "og:image:width", img.width);
    if (img.height) s += metaTag("property", "og:image:height", img.height);
    if (img.alt) s += metaTag("property", "og:image:alt", img.alt);
  }
  if (og.type) s += metaTag("property", "og:type", og.type);
  return s;
}

function twitterTags(tw, card, base) {
  var s = metaTag("name", "twitter:card", card);
  if (tw.site) s += metaTag("name", "twitter:site", tw.site);
  if (tw.siteId) s += metaTag("name", "twitter:site:id", tw.siteId);
  if (tw.creator) s += metaTag("name", "twitter:creator", tw.creator);
  if (tw.creatorId) s += metaTag("name", "twitter:creator:id", tw.creatorId);
  var title = socialTitle(tw.title);
  if (title) s += metaTag("name", "twitter:title", title);
  if (tw.description) s += metaTag("name", "twitter:description", tw.description);
  var images = imagesOf(tw.images);
  for (var i = 0; i < images.length; i++) {
    var img = images[i];
    if (img === null || img === undefined) continue;
    if (typeof img !== "object" || img instanceof URL) {
      s += metaTag("name", "twitter:image", imageUrl(img, base));
      continue;
    }
    if (img.url) s += metaTag("name", "twitter:image", imageUrl(img.url, base));
    if (img.alt) s += metaTag("name", "twitter:image:alt", img.alt);
    if (img.secureUrl) s += metaTag("name", "twitter:image:secure_url", String(img.secureUrl));
    if (img.type) s += metaTag("name", "twitter:image:type", img.type);
    if (img.width) s += metaTag("name", "twitter:image:width", img.width);
    if (img.height) s += metaTag("name", "twitter:image:height", img.height);
  }
  return s;
}

var ABSOLUTE_URL_RE = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

// An image URL as Next writes it: absolute ones as they parse, relative ones joined to the
// path of `metadataBase` (or of `http://localhost:$PORT`) on its origin.
function imageUrl(url, base) {
  var s = String(url);
  try {
    if (ABSOLUTE_URL_RE.test(s)) return new URL(s).href;
    var b = new URL(base !== undefined && base !== null ? String(base) : localMetadataBase());
    var prefix = b.pathname === "/" ? "" : b.pathname.replace(/\/+$/, "");
    return new URL(prefix + (s.charAt(0) === "/" ? s : "/" + s), b).href;
  } catch (e) {
    return s;
  }
}

function localMetadataBase() {
  var port = typeof process === "object" && process !== null && process.env && process.env.PORT ? process.env.PORT : "3000";
  return "http://localhost:" + port;
}
