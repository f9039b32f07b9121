// A path of this app as Next writes it into links and form actions: under next.config's base
// path, with or without the trailing slash as the config wants (files keep their name as they
// are). `site` is `{ basePath, trailingSlash }`. The same text runs on the server
// (render/js/next.js, `sitePath`) and in the browser (bext/client, `sitePath`), so a link a
// client component renders gets the href the server wrote for it.
function pathUnderSite(site, href) {
  if (typeof href !== "string" || href.charAt(0) !== "/" || href.charAt(1) === "/") return href;
  var end = href.search(/[?#]/);
  var path = end < 0 ? href : href.slice(0, end);
  var rest = end < 0 ? "" : href.slice(end);
  if (site.trailingSlash) {
    if (/\.[^/]+\/?$/.test(path)) path = path.replace(/\/+$/, "");
    else if (path.charAt(path.length - 1) !== "/") path += "/";
  } else if (path.length > 1) {
    path = path.replace(/\/+$/, "");
  }
  if (site.basePath !== "") path = path === "/" && !site.trailingSlash ? site.basePath : site.basePath + path;
  return path + rest;
}
