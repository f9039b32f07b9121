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
  var path = end < 0 ? url : url.slice(0, end);
  var base = nextSite.basePath;
  if (base !== "" && (path === base || path.indexOf(base + "/") === 0)) path = path.slice(base.length) || "/";
  return path;
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

// next.config's `basePath` and `trailingSlash`, set by `__bext_next_site` when the app has them.
var nextSite = { basePath: "", trailingSlash: false };

function setNextSite(site) {
  nextSite = site;
}

// A path of this app as Next writes it into links (render/js/site_path.js).
function sitePath(href) {
  return pathUnderSite(nextSite, href);
}

function Link(props) {
  var href = linkHref(props.as !== undefined && props.as !== null ? props.as : props.href);
  var react = globalThis.__prism.modules.react;
  if (props.legacyBehavior) {
    // The child (an <a>, or a component that renders one) gets the href.
    return react.cloneElement(react.Children.only(props.children), { href: sitePath(href) });
  }
  // The browser's <Link> (render/js/client/link.js) hydrates it: a client component given the
  // href formatted here, which each side puts under the site's base path and slash rule the
  // same way (so a <Link> a client component renders itself gets them too).
  var passed = {};
  for (var key in props) {
    if (Object.prototype.hasOwnProperty.call(props, key) && key !== "as") passed[key] = props[key];
  }
  passed.href = href;
  return react.createElement(ClientLink, passed);
}

function ClientLink(props) {
  var anchor = {};
  for (var key in props) {
    if (Object.prototype.hasOwnProperty.call(props, key) && !LINK_ONLY_PROPS[key]) anchor[key] = props[key];
  }
  anchor.href = sitePath(linkHref(props.href));
  return globalThis.__prism.modules.react.createElement("a", anchor);
}
globalThis.__prism.clientRef({ default: ClientLink }, "next/link");

var linkModule = { __esModule: true, default: Link };

// ---- next/form -----------------------------------------------------------------------------
// `<Form action="/search">`: a form whose GET submission navigates on the client. Both sides
// write the `<form>` with its action under the site's base path (a navigating form drops
// `method`, `encType` and `target`, as Next does); the browser's `<Form>`
// (render/js/client/form.js) hydrates it and turns a submission into a client navigation.
// An `action` that is not a string (a Server Action) is out of bext's scope.

var FORM_ONLY_PROPS = { replace: true, scroll: true, prefetch: true };
var NAVIGATING_FORM_DROPS = { method: true, encType: true, target: true };

function Form(props) {
  var passed = {};
  var navigating = typeof props.action === "string";
  for (var key in props) {
    if (!Object.prototype.hasOwnProperty.call(props, key)) continue;
    if (navigating && NAVIGATING_FORM_DROPS[key]) continue;
    passed[key] = props[key];
  }
  return globalThis.__prism.modules.react.createElement(ClientForm, passed);
}

function ClientForm(props) {
  var form = {};
  for (var key in props) {
    if (Object.prototype.hasOwnProperty.call(props, key) && !FORM_ONLY_PROPS[key]) form[key] = props[key];
  }
  if (typeof form.action === "string") form.action = sitePath(form.action);
  return globalThis.__prism.modules.react.createElement("form", form);
}
globalThis.__prism.clientRef({ default: ClientForm }, "next/form");

var nextModules = {
  "next/navigation": navigationModule,
  "next/headers": headersModule,
  "next/link": linkModule,
  "next/form": { __esModule: true, default: Form },
};

// ---- next/server ---------------------------------------------------------------------------

// A response's cookies as NextResponse has them: each set or delete writes a Set-Cookie
// header of that response.
function ResponseCookies(headers) {
  this._headers = headers;
  this._map = new Map();
}

ResponseCookies.prototype = {
  constructor: ResponseCookies,
  set: function (name, value, options) {
    var cookie = cookieSetArgs(name, value, options);
    name = cookie.name;
    value = cookie.value;
    var opts = {};
    for (var k in cookie.options) {
      if (Object.prototype.hasOwnProperty.call(cookie.options, k)) opts[k] = cookie.options[k];
    }
    // As Next normalises a cookie: path "/" unless given, and a max-age also as an expiry.
    if (opts.path === undefined) opts.path = "/";
    if (typeof opts.maxAge === "number") opts.expires = new Date(Date.now() + opts.maxAge * 1000);
    this._headers.append("set-cookie", nextCookieString(name, value, opts));
    this._map.set(name, { name: name, value: value });
    return this;
  },
  delete: function (name) {
    name = cookieArg(name);
    this.set(name, "", { expires: new Date(0) });
    this._map.delete(name);
    return this;
  },
  get: function (name) {
    return this._map.get(cookieArg(name));
  },
  getAll: function () {
    return Array.from(this._map.values());
  },
  has: function (name) {
    return this._map.has(cookieArg(name));
  },
};

// A Set-Cookie value in Next's attribute order and spelling (values as given).
function nextCookieString(name, value, o) {
  var attrs = [];
  if (o.path) attrs.push("Path=" + cookieAttr("path", o.path));
  if (o.expires || o.expires === 0) attrs.push("Expires=" + (typeof o.expires === "number" ? new Date(o.expires) : o.expires).toUTCString());
  if (typeof o.maxAge === "number") attrs.push("Max-Age=" + o.maxAge);
  if (o.domain) attrs.push("Domain=" + cookieAttr("domain", o.domain));
  if (o.secure) attrs.push("Secure");
  if (o.httpOnly) attrs.push("HttpOnly");
  if (o.sameSite) attrs.push("SameSite=" + cookieAttr("sameSite", o.sameSite));
  if (o.partitioned) attrs.push("Partitioned");
  if (o.priority) attrs.push("Priority=" + cookieAttr("priority", o.priority));
  var text = cookieAttr("name", name) + "=" + encodeURIComponent(value);
  return attrs.length === 0 ? text : text + "; " + attrs.join("; ");
}

function adoptNextResponse(r) {
  Object.setPrototypeOf(r, NextResponse.prototype);
  r.cookies = new ResponseCookies(r.headers);
  return r;
}

function NextResponse(body, init) {
  Response.call(this, body, init);
  this.cookies = new ResponseCookies(this.headers);
}
NextResponse.prototype = Object.create(Response.prototype);
NextResponse.prototype.constructor = NextResponse;

NextResponse.json = function (data, init) {
  return adoptNextResponse(Response.json(data, init));
};

// As Next: 307 unless told otherwise, and the URL must be absolute.
NextResponse.redirect = function (url, init) {
  var status = typeof init === "number" ? init : init !== null && typeof init === "object" && init.status !== undefined ? Number(init.status) : 307;
  if (!REDIRECT_STATUSES[status]) throw new RangeError('Failed to execute "redirect" on "response": Invalid status code');
  var href = String(url instanceof URLClass ? url.href : new URLClass(String(url)).href);
  var r = adoptNextResponse(new Response(null, { status: status }));
  r.headers.set("location", href);
  return r;
};

// Middleware's answers: Next's markers, read by the server (see middleware.js).
NextResponse.next = function (init) {
  var r = new NextResponse(null, init);
  r.headers.set("x-middleware-next", "1");
  markRequestHeaders(init, r.headers);
  return r;
};

NextResponse.rewrite = function (url, init) {
  var r = new NextResponse(null, init);
  r.headers.set("x-middleware-rewrite", String(url instanceof URLClass ? url.href : new URLClass(String(url)).href));
  markRequestHeaders(init, r.headers);
  return r;
};

// What a route handler gets as its request under Next.js: a Request with `nextUrl` and
// `cookies`. bext's handler request is made one by `asNextRequest`.
function NextRequest(input, init) {
  var r = new Request(input, init);
  return asNextRequest(r, null);
}

function asNextRequest(r, c) {
  var url = null;
  var jar = null;
  Object.defineProperty(r, "nextUrl", {
    configurable: true,
    get: function () {
      if (url === null) url = new URLClass(r.url);
      return url;
    },
  });
  Object.defineProperty(r, "cookies", {
    configurable: true,
    get: function () {
      if (jar === null) jar = c !== null ? cookies() : new RequestCookiesOf(r.headers.get("cookie"));
      return jar;
    },
  });
  return r;
}

function RequestCookiesOf(header) {
  this._map = parseCookieHeader(header);
}
RequestCookiesOf.prototype = {
  get: function (name) {
    name = cookieArg(name);
    var value = this._map.get(name);
    return value === undefined ? undefined : { name: name, value: value };
  },
  getAll: function () {
    var out = [];
    this._map.forEach(function (value, name) { out.push({ name: name, value: value }); });
    return out;
  },
  has: function (name) { return this._map.has(cookieArg(name)); },
};

// `next/dynamic`: on the server a dynamic component renders as its module's component once
// the import settles (React.lazy underneath: the render waits for it, as Next's does). With
// `ssr: false` the server renders the `loading` component, or nothing, as Next does for
// client components; the browser part is the next issue's. As under Next, a `loading`
// component or `ssr: false` puts a Suspense boundary around the component; with `ssr: false`
// that boundary is one React leaves for the browser to render (`<!--$!-->`, Next's bailout
// to client rendering, whose digest production builds leave empty).
var CLIENT_RENDERED_BOUNDARY = '<!--$!--><template data-dgst=""></template>';
var BOUNDARY_END = "<!--/$-->";

function nextDynamic(loader, options) {
  var opts = options !== null && typeof options === "object" ? options : {};
  if (loader !== null && typeof loader === "object" && typeof loader.loader === "function") {
    opts = loader;
    loader = loader.loader;
  }
  if (typeof loader !== "function") throw new TypeError("next/dynamic: the first argument must be a function returning import(...)");
  var prism = globalThis.__prism;
  var react = prism.modules.react;
  var loading = typeof opts.loading === "function" ? opts.loading : null;
  var fallback = function () {
    return loading === null ? null : react.createElement(loading, { isLoading: true, pastDelay: true, error: null });
  };
  if (opts.ssr === false) {
    return function DynamicWithoutSsr() {
      return react.createElement(react.Fragment, null, new prism.Html(CLIENT_RENDERED_BOUNDARY), fallback(), new prism.Html(BOUNDARY_END));
    };
  }
  var lazy = react.lazy(function () {
    return Promise.resolve(loader()).then(function (m) {
      var component = m !== null && (typeof m === "object" || typeof m === "function") && "default" in m ? m.default : m;
      return { default: component };
    });
  });
  if (loading === null) return lazy;
  return function DynamicWithLoading(props) {
    return react.createElement(react.Suspense, { fallback: fallback() }, react.createElement(lazy, props));
  };
}

nextModules["next/dynamic"] = { __esModule: true, default: nextDynamic };

// `next/script`. Next's browser runtime loads `afterInteractive` and `lazyOnload` scripts
// after hydration and writes only `beforeInteractive` ones into the HTML; bext has no browser
// runtime yet (the next issue), so it writes every script as an element the browser runs by
// itself: `beforeInteractive` as it is, the others `async` (`lazyOnload` also `defer`red), an
// inline one (`children` or `dangerouslySetInnerHTML`) in place. `worker` (Partytown) scripts
// and event handlers (`onLoad`, `onReady`, `onError`) only mean something in a browser
// runtime and are left out.
var SCRIPT_ONLY_PROPS = { strategy: true, onLoad: true, onReady: true, onError: true, stylesheets: true };

function NextScript(props) {
  var react = globalThis.__prism.modules.react;
  var strategy = props.strategy || "afterInteractive";
  if (strategy === "worker") return null;
  var attrs = {};
  for (var key in props) {
    if (Object.prototype.hasOwnProperty.call(props, key) && !SCRIPT_ONLY_PROPS[key] && key !== "children") attrs[key] = props[key];
  }
  var inline = typeof props.children === "string" ? props.children : null;
  if (inline !== null) attrs.dangerouslySetInnerHTML = { __html: inline };
  if (attrs.src !== undefined && strategy !== "beforeInteractive") {
    attrs.async = true;
    if (strategy === "lazyOnload") attrs.defer = true;
  }
  return react.createElement("script", attrs);
}

nextModules["next/script"] = { __esModule: true, default: NextScript };

// `@next/mdx` in next.config: bext compiles MDX itself (render/src/link/mdx.rs), so
// `createMDX(options)` hands the config back unchanged. remark and rehype plugins are
// JavaScript functions bext does not run; the compile says so when options name some.
nextModules["@next/mdx"] = {
  __esModule: true,
  default: function createMDX(options) {
    var o = options && options.options;
    if (o && ((o.remarkPlugins && o.remarkPlugins.length) || (o.rehypePlugins && o.rehypePlugins.length))) {
      console.warn("@next/mdx: remark and rehype plugins are not run by bext (MDX is compiled without them)");
    }
    return function withMDX(config) {
      return config;
    };
  },
};

nextModules["next/server"] = {
  __esModule: true,
  NextResponse: NextResponse,
  NextRequest: NextRequest,
};
