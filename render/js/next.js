// `next/navigation`, `next/headers` and `next/link`, served by bext's own runtime (never
// Next.js's files from node_modules, which assume webpack and Node): the server side of each,
// on top of `bext/server` (server.js) and the React stand-in (prism.js).

// Next's own control-flow errors, which libraries also throw by importing them from Next:
// `unstable_rethrow` passes them (and bext's) on so a catch-all does not swallow them.
function isNavigationSignal(e) {
  if (e === null || typeof e !== "object") return false;
  if (e.__bext_signal !== undefined) return true;
  var digest = e.digest;
  return typeof digest === "string" &&
    (digest === "NEXT_NOT_FOUND" || digest.indexOf("NEXT_REDIRECT") === 0 || digest.indexOf("NEXT_HTTP_ERROR_FALLBACK;") === 0);
}

function unstableRethrow(e) {
  if (isNavigationSignal(e)) throw e;
}

// The path of the request being rendered, as `usePathname()` gives it on the server.
function usePathname() {
  var c = renderForCall("usePathname()");
  var url = typeof c.msg.url === "string" ? c.msg.url : "/";
  var end = url.search(/[?#]/);
  return end < 0 ? url : url.slice(0, end);
}

// URLSearchParams that cannot be changed, as Next's ReadonlyURLSearchParams.
function ReadonlyURLSearchParams(init) {
  var params = new URLSearchParamsClass(init);
  var refuse = function () {
    throw new Error("Method unavailable on `ReadonlyURLSearchParams`. Read more: https://nextjs.org/docs/app/api-reference/functions/use-search-params#updating-searchparams");
  };
  params.append = params.delete = params.set = params.sort = refuse;
  return params;
}

function useSearchParams() {
  var c = renderForCall("useSearchParams()");
  var url = typeof c.msg.url === "string" ? c.msg.url : "";
  var q = url.indexOf("?");
  if (q < 0) return new ReadonlyURLSearchParams("");
  var hash = url.indexOf("#", q);
  return new ReadonlyURLSearchParams(url.slice(q + 1, hash < 0 ? url.length : hash));
}

function useParams() {
  return renderForCall("useParams()").params;
}

// On the server a router only navigates in the browser: its methods do nothing here.
var serverRouter = {
  push: noop,
  replace: noop,
  refresh: noop,
  back: noop,
  forward: noop,
  prefetch: noop,
};

function useRouter() {
  return serverRouter;
}

var navigationModule = {
  __esModule: true,
  notFound: notFound,
  redirect: redirect,
  permanentRedirect: permanentRedirect,
  RedirectType: serverModule.RedirectType,
  unstable_rethrow: unstableRethrow,
  usePathname: usePathname,
  useSearchParams: useSearchParams,
  useParams: useParams,
  useRouter: useRouter,
  ReadonlyURLSearchParams: ReadonlyURLSearchParams,
};

// Draft mode needs Next's preview cookie and secret; bext has neither, so it is never on.
var draftModeState = {
  isEnabled: false,
  enable: function () {
    throw new Error("draftMode().enable() is not supported by bext");
  },
  disable: noop,
};

var headersModule = {
  __esModule: true,
  cookies: cookies,
  headers: headers,
  draftMode: function draftMode() {
    return draftModeState;
  },
};

// Props of <Link> that steer client navigation and never reach the <a>.
var LINK_ONLY_PROPS = {
  href: true,
  as: true,
  replace: true,
  scroll: true,
  shallow: true,
  passHref: true,
  prefetch: true,
  locale: true,
  legacyBehavior: true,
  onNavigate: true,
  unstable_dynamicOnHover: true,
};

// `href` as Next formats it: a string as it is; a URL object from pathname, query and hash.
function linkHref(href) {
  if (href === null || typeof href !== "object") return String(href);
  var out = typeof href.pathname === "string" ? href.pathname : "";
  var query = href.query;
  var search = typeof href.search === "string" ? href.search : "";
  if (query !== null && typeof query === "object") {
    var params = new URLSearchParamsClass();
    Object.keys(query).forEach(function (key) {
      var value = query[key];
      if (Array.isArray(value)) value.forEach(function (v) { params.append(key, linkQueryValue(v)); });
      else params.append(key, linkQueryValue(value));
    });
    var text = params.toString();
    if (text !== "") search = "?" + text;
  } else if (search !== "" && search.charAt(0) !== "?") {
    search = "?" + search;
  }
  var hash = typeof href.hash === "string" && href.hash !== "" ? (href.hash.charAt(0) === "#" ? href.hash : "#" + href.hash) : "";
  return out + search + hash;
}

function linkQueryValue(v) {
  return typeof v === "string" || (typeof v === "number" && isFinite(v)) || typeof v === "boolean" ? String(v) : "";
}

function Link(props) {
  var href = linkHref(props.as !== undefined && props.as !== null ? props.as : props.href);
  var react = globalThis.__prism.modules.react;
  if (props.legacyBehavior) {
    // The child (an <a>, or a component that renders one) gets the href.
    return react.cloneElement(react.Children.only(props.children), { href: href });
  }
  var anchor = {};
  for (var key in props) {
    if (Object.prototype.hasOwnProperty.call(props, key) && !LINK_ONLY_PROPS[key]) anchor[key] = props[key];
  }
  anchor.href = href;
  return react.createElement("a", anchor);
}

var linkModule = { __esModule: true, default: Link };

var nextModules = {
  "next/navigation": navigationModule,
  "next/headers": headersModule,
  "next/link": linkModule,
};
