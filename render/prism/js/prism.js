// PRISM runtime: the helpers that code lowered by the PRISM pass calls, the fallback JSX runtime
// for code it did not compile (packages, `React.createElement` calls), and the document
// finisher. Evaluated once per engine, before any app module; defines `globalThis.__prism`.
//
// Semantics follow react-dom/server 19 (`renderToString`) exactly, minus the `<!-- -->` text
// separators: attribute rules are a port of ReactFizzConfigDOM `pushAttribute`, special elements
// a port of `pushStartInstance`. Where React needs state that spans the whole render (which
// <option> its <select> selects, which <title>/<meta>/<link>/<img> preloads float into <head>),
// the rendered string carries in-band markers, U+0001 <kind> <payload> U+0002 (fields split by
// U+0003), that the enclosing <select> or `finish` resolves. Lowered code concatenates strings
// and never sees these markers. They are C0 controls, not noncharacters like U+FDD0, on
// purpose: a character above U+00FF anywhere makes a JavaScript engine store the whole page in
// two bytes per character, which doubled the copies of every large page (and pushed a 85 KB
// page into V8's large-object space). Text that holds one of the three itself is escaped as
// U+0001 `x` <digit> (no closing character, so it can sit inside another marker's payload),
// which `finish` turns back into the character: output stays exact.
(function () {
  "use strict";

  var hasOwn = Object.prototype.hasOwnProperty;
  var isArray = Array.isArray;

  // ---------------------------------------------------------------- HTML values and escaping

  // Rendered HTML. A string child is escaped; an Html child is inserted as is.
  function Html(s) {
    this.s = s;
  }
  Html.prototype.toString = function () {
    return this.s;
  };

  // A static Html whose HTML depends on where its component is placed (it holds a <title>,
  // <meta>, <link>, ... that floats to <head> only in plain HTML context): the plain HTML,
  // computed once, and `make` run again when a render reads it inside <svg>, <noscript> or
  // <picture>. See `hoist` in the compiler.
  function PlacedHtml(make) {
    this.make = make;
    var outer = ambient;
    ambient = 0; // a module loaded lazily during a render still computes the plain HTML
    try {
      this.plain = make().s;
    } finally {
      ambient = outer;
    }
  }
  PlacedHtml.prototype = Object.create(Html.prototype);
  PlacedHtml.prototype.constructor = PlacedHtml;
  Object.defineProperty(PlacedHtml.prototype, "s", {
    get: function () {
      return ambient === 0 ? this.plain : this.make().s;
    }
  });
  function placed(make) {
    return new PlacedHtml(make);
  }

  var ESCAPE_RE = /["'&<>\u0001-\u0003]/;
  function escStr(text) {
    // `test` is the cheapest check in QuickJS, where most strings need no escaping.
    if (!ESCAPE_RE.test(text)) return text;
    var html = "";
    var last = 0;
    var i = 0;
    var len = text.length;
    for (; i < len; i++) {
      var rep;
      switch (text.charCodeAt(i)) {
        case 34: rep = "&quot;"; break;
        case 38: rep = "&amp;"; break;
        case 39: rep = "&#x27;"; break;
        case 60: rep = "&lt;"; break;
        case 62: rep = "&gt;"; break;
        case 1: rep = "\u0001x1"; break;
        case 2: rep = "\u0001x2"; break;
        case 3: rep = "\u0001x3"; break;
        default: continue;
      }
      if (last !== i) html += text.slice(last, i);
      last = i + 1;
      html += rep;
    }
    return last !== len ? html + text.slice(last) : html;
  }
  // React's escapeTextForBrowser: any value, stringified.
  function esc(v) {
    if (typeof v === "string") return escStr(v);
    var t = typeof v;
    if (t === "number" || t === "boolean" || t === "bigint") return "" + v;
    return escStr("" + v);
  }

  var JAVASCRIPT_URL_RE =
    /^[\u0000-\u001F ]*j[\r\n\t]*a[\r\n\t]*v[\r\n\t]*a[\r\n\t]*s[\r\n\t]*c[\r\n\t]*r[\r\n\t]*i[\r\n\t]*p[\r\n\t]*t[\r\n\t]*:/i;
  var BLOCKED_URL =
    "javascript:throw new Error('React has blocked a javascript: URL as a security precaution.')";
  function sanitizeURL(url) {
    // Only a URL starting with a control character, a space or a "j" can match; most start
    // with "/" or "h", and the regex costs more than the rest of the attribute.
    var first = url.charCodeAt(0);
    if (first > 32 && first !== 106 && first !== 74) return url;
    return JAVASCRIPT_URL_RE.test(url) ? BLOCKED_URL : url;
  }
  // The script react-dom/server 19 adds once per document that has a function form action:
  // it keeps submissions made before hydration for React to replay (React's own text).
  var FORM_REPLAY_SCRIPT = "addEventListener(\"submit\",function(a){if(!a.defaultPrevented){var b=a.target,d=a.submitter,c=b.action,e=d;if(d){var f=d.getAttribute(\"formAction\");null!=f&&(c=f,e=null)}\"javascript:throw new Error('React form unexpectedly submitted.')\"===c&&(a.preventDefault(),a=new FormData(b,e),c=b.ownerDocument||b,(c.$$reactFormReplay=c.$$reactFormReplay||[]).push(b,d,a))}});";
  var ACTION_JAVASCRIPT_URL = escStr(
    "javascript:throw new Error('React form unexpectedly submitted.')"
  );

  // ---------------------------------------------------------------- markers

  // Format context bits (F_*) that hold for everything rendered now: set while a component
  // placed inside <svg>, <noscript> or <picture> renders, so the markup it returns (compiled
  // without knowing where it lands) is written for that context.
  var ambient = 0;

  var M_OPEN = "\u0001";
  var M_CLOSE = "\u0002";
  var M_SEP = "\u0003";
  function marker(kind, payload) {
    return M_OPEN + kind + payload + M_CLOSE;
  }

  // ---------------------------------------------------------------- attributes

  var VALID_ATTRIBUTE_NAME_RE = new RegExp(
    "^[:A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD][:A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040]*$"
  );
  var validNames = new Map();
  function isAttributeNameSafe(name) {
    var ok = validNames.get(name);
    if (ok === undefined) {
      ok = VALID_ATTRIBUTE_NAME_RE.test(name);
      validNames.set(name, ok);
    }
    return ok;
  }

  var ALIASES = new Map([
    ["acceptCharset", "accept-charset"], ["htmlFor", "for"], ["httpEquiv", "http-equiv"],
    ["crossOrigin", "crossorigin"], ["accentHeight", "accent-height"],
    ["alignmentBaseline", "alignment-baseline"], ["arabicForm", "arabic-form"],
    ["baselineShift", "baseline-shift"], ["capHeight", "cap-height"], ["clipPath", "clip-path"],
    ["clipRule", "clip-rule"], ["colorInterpolation", "color-interpolation"],
    ["colorInterpolationFilters", "color-interpolation-filters"],
    ["colorProfile", "color-profile"], ["colorRendering", "color-rendering"],
    ["dominantBaseline", "dominant-baseline"], ["enableBackground", "enable-background"],
    ["fillOpacity", "fill-opacity"], ["fillRule", "fill-rule"], ["floodColor", "flood-color"],
    ["floodOpacity", "flood-opacity"], ["fontFamily", "font-family"], ["fontSize", "font-size"],
    ["fontSizeAdjust", "font-size-adjust"], ["fontStretch", "font-stretch"],
    ["fontStyle", "font-style"], ["fontVariant", "font-variant"], ["fontWeight", "font-weight"],
    ["glyphName", "glyph-name"], ["glyphOrientationHorizontal", "glyph-orientation-horizontal"],
    ["glyphOrientationVertical", "glyph-orientation-vertical"], ["horizAdvX", "horiz-adv-x"],
    ["horizOriginX", "horiz-origin-x"], ["imageRendering", "image-rendering"],
    ["letterSpacing", "letter-spacing"], ["lightingColor", "lighting-color"],
    ["markerEnd", "marker-end"], ["markerMid", "marker-mid"], ["markerStart", "marker-start"],
    ["maskType", "mask-type"], ["overlinePosition", "overline-position"],
    ["overlineThickness", "overline-thickness"], ["paintOrder", "paint-order"],
    ["panose-1", "panose-1"], ["pointerEvents", "pointer-events"],
    ["renderingIntent", "rendering-intent"], ["shapeRendering", "shape-rendering"],
    ["stopColor", "stop-color"], ["stopOpacity", "stop-opacity"],
    ["strikethroughPosition", "strikethrough-position"],
    ["strikethroughThickness", "strikethrough-thickness"],
    ["strokeDasharray", "stroke-dasharray"], ["strokeDashoffset", "stroke-dashoffset"],
    ["strokeLinecap", "stroke-linecap"], ["strokeLinejoin", "stroke-linejoin"],
    ["strokeMiterlimit", "stroke-miterlimit"], ["strokeOpacity", "stroke-opacity"],
    ["strokeWidth", "stroke-width"], ["textAnchor", "text-anchor"],
    ["textDecoration", "text-decoration"], ["textRendering", "text-rendering"],
    ["transformOrigin", "transform-origin"], ["underlinePosition", "underline-position"],
    ["underlineThickness", "underline-thickness"], ["unicodeBidi", "unicode-bidi"],
    ["unicodeRange", "unicode-range"], ["unitsPerEm", "units-per-em"],
    ["vAlphabetic", "v-alphabetic"], ["vHanging", "v-hanging"],
    ["vIdeographic", "v-ideographic"], ["vMathematical", "v-mathematical"],
    ["vectorEffect", "vector-effect"], ["vertAdvY", "vert-adv-y"],
    ["vertOriginX", "vert-origin-x"], ["vertOriginY", "vert-origin-y"],
    ["wordSpacing", "word-spacing"], ["writingMode", "writing-mode"],
    ["xmlnsXlink", "xmlns:xlink"], ["xHeight", "x-height"]
  ]);

  var UNITLESS = new Set(
    ("animationIterationCount aspectRatio borderImageOutset borderImageSlice borderImageWidth " +
      "boxFlex boxFlexGroup boxOrdinalGroup columnCount columns flex flexGrow flexPositive " +
      "flexShrink flexNegative flexOrder gridArea gridRow gridRowEnd gridRowSpan gridRowStart " +
      "gridColumn gridColumnEnd gridColumnSpan gridColumnStart fontWeight lineClamp lineHeight " +
      "opacity order orphans scale tabSize widows zIndex zoom fillOpacity floodOpacity " +
      "stopOpacity strokeDasharray strokeDashoffset strokeMiterlimit strokeOpacity strokeWidth " +
      "MozAnimationIterationCount MozBoxFlex MozBoxFlexGroup MozLineClamp " +
      "msAnimationIterationCount msFlex msZoom msFlexGrow msFlexNegative msFlexOrder " +
      "msFlexPositive msFlexShrink msGridColumn msGridColumnSpan msGridRow msGridRowSpan " +
      "WebkitAnimationIterationCount WebkitBoxFlex WebKitBoxFlexGroup WebkitBoxOrdinalGroup " +
      "WebkitColumnCount WebkitColumns WebkitFlex WebkitFlexGrow WebkitFlexPositive " +
      "WebkitFlexShrink WebkitLineClamp").split(" ")
  );

  var styleNames = new Map();
  function styleName(name) {
    var css = styleNames.get(name);
    if (css === undefined) {
      css = escStr(name.replace(/([A-Z])/g, "-$1").toLowerCase().replace(/^ms-/, "-ms-"));
      styleNames.set(name, css);
    }
    return css;
  }

  // The declarations of a style object, "a:b;c:d", or "" when none survives.
  function styleText(style) {
    if (typeof style !== "object") {
      throw new Error(
        "The `style` prop expects a mapping from style properties to values, not a string. For example, style={{marginRight: spacing + 'em'}} when using JSX."
      );
    }
    var out = "";
    for (var name in style) {
      if (!hasOwn.call(style, name)) continue;
      var v = style[name];
      if (v == null || typeof v === "boolean" || v === "") continue;
      var css, value;
      if (name.indexOf("--") === 0) {
        css = escStr(name);
        value = escStr(("" + v).trim());
      } else {
        css = styleName(name);
        if (typeof v === "number") {
          value = v === 0 || UNITLESS.has(name) ? "" + v : v + "px";
        } else {
          value = escStr(("" + v).trim());
        }
      }
      out += out === "" ? css + ":" + value : ";" + css + ":" + value;
    }
    return out;
  }
  function st(style) {
    var text = styleText(style);
    return text === "" ? "" : ' style="' + text + '"';
  }

  function isFnOrSym(v) {
    var t = typeof v;
    return t === "function" || t === "symbol";
  }

  // Port of pushAttribute: the attribute text for one prop, "" when React writes none.
  // `value` is never null or undefined here (callers skip those).
  function attr(name, value) {
    switch (name) {
      case "className":
        return stringAttr("class", value);
      case "tabIndex":
        return stringAttr("tabindex", value);
      case "dir": case "role": case "viewBox": case "width": case "height":
        return stringAttr(name, value);
      case "style":
        return st(value);
      case "src": case "href":
        if (value === "") return "";
      // falls through
      case "action": case "formAction":
        if (isFnOrSym(value) || typeof value === "boolean") return "";
        return " " + name + '="' + escStr(sanitizeURL("" + value)) + '"';
      case "defaultValue": case "defaultChecked": case "innerHTML":
      case "suppressContentEditableWarning": case "suppressHydrationWarning": case "ref":
        return "";
      case "autoFocus": case "multiple": case "muted":
        return value && !isFnOrSym(value) ? " " + name.toLowerCase() + '=""' : "";
      case "xlinkHref":
        if (isFnOrSym(value) || typeof value === "boolean") return "";
        return ' xlink:href="' + escStr(sanitizeURL("" + value)) + '"';
      case "contentEditable": case "spellCheck": case "draggable": case "value":
      case "autoReverse": case "externalResourcesRequired": case "focusable":
      case "preserveAlpha":
        return isFnOrSym(value) ? "" : " " + name + '="' + esc(value) + '"';
      case "inert": case "allowFullScreen": case "async": case "autoPlay": case "controls":
      case "credentialless": case "default": case "defer": case "disabled":
      case "disablePictureInPicture": case "disableRemotePlayback": case "formNoValidate":
      case "hidden": case "loop": case "noModule": case "noValidate": case "open":
      case "playsInline": case "readOnly": case "required": case "reversed": case "scoped":
      case "seamless": case "itemScope":
        return value && !isFnOrSym(value) ? " " + name + '=""' : "";
      case "capture": case "download":
        if (value === true) return " " + name + '=""';
        if (value === false || isFnOrSym(value)) return "";
        return " " + name + '="' + esc(value) + '"';
      case "cols": case "rows": case "size": case "span":
        return !isFnOrSym(value) && !isNaN(value) && value >= 1
          ? " " + name + '="' + esc(value) + '"'
          : "";
      case "rowSpan": case "start":
        return isFnOrSym(value) || isNaN(value) ? "" : " " + name + '="' + esc(value) + '"';
      case "xlinkActuate": return stringAttr("xlink:actuate", value);
      case "xlinkArcrole": return stringAttr("xlink:arcrole", value);
      case "xlinkRole": return stringAttr("xlink:role", value);
      case "xlinkShow": return stringAttr("xlink:show", value);
      case "xlinkTitle": return stringAttr("xlink:title", value);
      case "xlinkType": return stringAttr("xlink:type", value);
      case "xmlBase": return stringAttr("xml:base", value);
      case "xmlLang": return stringAttr("xml:lang", value);
      case "xmlSpace": return stringAttr("xml:space", value);
      default:
        if (name.length > 2 && (name[0] === "o" || name[0] === "O") &&
            (name[1] === "n" || name[1] === "N")) {
          return "";
        }
        name = ALIASES.get(name) || name;
        if (!isAttributeNameSafe(name)) return "";
        switch (typeof value) {
          case "function": case "symbol":
            return "";
          case "boolean":
            var prefix = name.toLowerCase().slice(0, 5);
            if (prefix !== "data-" && prefix !== "aria-") return "";
        }
        return " " + name + '="' + esc(value) + '"';
    }
  }
  function stringAttr(name, value) {
    if (isFnOrSym(value) || typeof value === "boolean") return "";
    return " " + name + '="' + esc(value) + '"';
  }

  // Specialised attribute helpers for lowered code: `pre` is the attribute's text up to its
  // opening quote, computed at compile time. Each returns "" for null/undefined.
  // String attribute (className, id, most others).
  function s(pre, v) {
    if (v == null) return "";
    switch (typeof v) {
      case "string": return pre + escStr(v) + '"';
      case "number": case "bigint": return pre + v + '"';
      case "boolean": case "function": case "symbol": return "";
    }
    return pre + escStr("" + v) + '"';
  }
  // data-*, aria-* and React's booleanish attributes: booleans are written as text.
  function x(pre, v) {
    if (v == null || isFnOrSym(v)) return "";
    return pre + esc(v) + '"';
  }
  // Boolean attribute; `text` is the whole attribute (` disabled=""`).
  function b(text, v) {
    return v && !isFnOrSym(v) ? text : "";
  }
  // URL attribute (href, action, formAction, xlinkHref): javascript: URLs are replaced.
  function u(pre, v) {
    if (v == null || isFnOrSym(v) || typeof v === "boolean") return "";
    return pre + escStr(sanitizeURL("" + v)) + '"';
  }
  // src and href outside <a>: an empty string writes nothing.
  function ue(pre, v) {
    return v === "" ? "" : u(pre, v);
  }
  // Any other prop whose rules the compiler did not specialise.
  function a(name, v) {
    return v == null ? "" : attr(name, v);
  }
  // Children of any type; `flags` is the format context where the compiler knows one, and
  // `path` the child's place below the markup's root (see "tree context"), where it has
  // siblings.
  function c(v, flags, path) {
    if (v instanceof Html) return v.s;
    switch (typeof v) {
      case "string": return escStr(v);
      case "number": case "bigint": return "" + v;
      case "object":
        if (v === null) return "";
        if (path === undefined) return renderObject(v, flags | 0, null);
        // No try/finally on these hot paths: a throw ends the render, or reaches a catch
        // that puts the path back itself (renderElement's, for use()).
        var depth = tcLen;
        tcPath[tcLen++] = path;
        var html = renderObject(v, flags | 0, null);
        tcLen = depth;
        return html;
    }
    return "";
  }
  // A child expression that may build markup in other functions (a helper's JSX is lowered
  // to string building where it is written, and renders when the helper runs) is evaluated
  // at the child's place: `at` puts the place on the path before the expression runs, `cx`
  // takes it off and renders the value there, as `c` does.
  function at(path) {
    var depth = tcLen;
    tcPath[tcLen++] = path;
    return depth;
  }
  function cx(depth, v, flags, path) {
    tcLen = depth;
    return c(v, flags, path);
  }
  // An item of an array literal in such an expression, evaluated at its place in the array.
  function ai(depth, v) {
    tcLen = depth;
    return v;
  }
  // dangerouslySetInnerHTML's value, checked the way React checks it.
  function inner(v, hasChildren) {
    if (v == null) return "";
    if (hasChildren) {
      throw new Error("Can only set one of `children` or `props.dangerouslySetInnerHTML`.");
    }
    if (typeof v !== "object" || !("__html" in v)) {
      throw new Error(
        "`props.dangerouslySetInnerHTML` must be in the form `{__html: ...}`. Please visit https://react.dev/link/dangerously-set-inner-html for more information."
      );
    }
    var html = v.__html;
    return html == null ? "" : "" + html;
  }

  // ---------------------------------------------------------------- elements

  var REACT_ELEMENT = Symbol.for("react.transitional.element");
  var REACT_LEGACY_ELEMENT = Symbol.for("react.element");
  var REACT_FRAGMENT = Symbol.for("react.fragment");
  var REACT_PORTAL = Symbol.for("react.portal");
  var REACT_STRICT_MODE = Symbol.for("react.strict_mode");
  var REACT_PROFILER = Symbol.for("react.profiler");
  var REACT_SUSPENSE = Symbol.for("react.suspense");
  var REACT_SUSPENSE_LIST = Symbol.for("react.suspense_list");
  var REACT_ACTIVITY = Symbol.for("react.activity");
  var REACT_CONTEXT = Symbol.for("react.context");
  var REACT_MEMO = Symbol.for("react.memo");
  var REACT_FORWARD_REF = Symbol.for("react.forward_ref");
  var REACT_LAZY = Symbol.for("react.lazy");

  // Format context bits, after React's insertion modes and tag scopes.
  var F_SVG = 1;        // inside <svg> (not <foreignObject>): nothing floats to <head>
  var F_NOSCRIPT = 2;   // inside <noscript>: nothing floats
  var F_PICTURE = 4;    // inside <picture>: <img> gets no preload
  var F_HTML = 8;       // a <foreignObject>/<math> went back to HTML: an ambient <svg> ends

  // The format context that holds for markup with `flags`, rendered where `ambient` holds.
  function effective(flags) {
    flags = flags | 0;
    return (flags & F_HTML) !== 0 ? (flags & ~F_HTML) | (ambient & ~F_SVG) : flags | ambient;
  }

  function childFlags(tag, flags) {
    switch (tag) {
      case "svg": return flags | F_SVG;
      case "math": case "foreignObject": return (flags & ~F_SVG) | F_HTML;
      case "noscript": return flags | F_NOSCRIPT;
      case "picture": return flags | F_PICTURE;
    }
    return flags;
  }

  var VALID_TAG_RE = /^[a-zA-Z][a-zA-Z:_.\-\d]*$/;
  var validTags = new Map();
  function startTag(tag) {
    var ok = validTags.get(tag);
    if (ok === undefined) {
      ok = VALID_TAG_RE.test(tag);
      validTags.set(tag, ok);
    }
    if (!ok) throw new Error("Invalid tag: " + tag);
    return "<" + tag;
  }

  var VOID = new Set([
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
    "param", "source", "track", "wbr"
  ]);

  // A host element with its children, as HTML. `flags` is the format context (F_*); `sel` the
  // value of the enclosing <select> when known (fallback rendering), else null.
  function h(tag, props, flags, sel) {
    flags = effective(flags);
    if (sel === undefined) sel = null;
    switch (tag) {
      case "select": return selectEl(props, flags);
      case "option": return optionEl(props, flags, sel);
      case "textarea": return textareaEl(props);
      case "input": return inputEl(props);
      case "button": return formControlEl("button", props, flags, sel);
      case "form": return formEl(props, flags, sel);
      case "menuitem": return menuitemEl(props);
      case "object": return genericEl("object", props, flags, sel, "data");
      case "title": return titleEl(props, flags);
      case "meta": return metaEl(props, flags);
      case "link": return linkEl(props, flags);
      case "script": return scriptEl(props, flags);
      case "style": return styleEl(props, flags);
      case "pre": case "listing": return genericEl(tag, props, flags, sel, "pre");
      case "img": return imgEl(props, flags);
      case "html": return genericEl("html", props, flags, sel, "html");
      case "head": return genericEl("head", props, flags, sel, "head");
    }
    if (VOID.has(tag)) return selfClosing(tag, props);
    if (tag.indexOf("-") !== -1) return customEl(tag, props, flags, sel);
    return genericEl(tag, props, flags, sel, null);
  }

  function selfClosing(tag, props) {
    var out = startTag(tag);
    for (var k in props) {
      if (!hasOwn.call(props, k) || k === "key") continue;
      var v = props[k];
      if (v == null) continue;
      if (k === "children" || k === "dangerouslySetInnerHTML") {
        throw new Error(
          tag + " is a self-closing tag and must neither have `children` nor use `dangerouslySetInnerHTML`."
        );
      }
      out += attr(k, v);
    }
    return out + "/>";
  }

  // `special`: "pre" (leading newline kept), "data" (<object data>), "html"/"head" (markers
  // for `finish`), or null.
  function genericEl(tag, props, flags, sel, special) {
    var out = startTag(tag);
    var children = null;
    var innerHtml = null;
    for (var k in props) {
      if (!hasOwn.call(props, k) || k === "key") continue;
      var v = props[k];
      if (v == null) continue;
      if (k === "children") children = v;
      else if (k === "dangerouslySetInnerHTML") innerHtml = v;
      else if (special === "data" && k === "data") {
        var url = sanitizeURL("" + v);
        if (url !== "") out += ' data="' + escStr(url) + '"';
      } else if (tag === "a" && k === "href" && v === "") out += ' href=""';
      else out += attr(k, v);
    }
    out += ">";
    if (special === "html") out += marker("H", "");
    else if (special === "head") out += marker("h", "");
    if (innerHtml != null) {
      var html = inner(innerHtml, children != null);
      if (special === "pre" && html.charCodeAt(0) === 10) out += "\n";
      out += html;
    }
    if (special === "pre" && typeof children === "string" && children.charCodeAt(0) === 10) {
      out += "\n";
    }
    out += renderChild(children, childFlags(tag, flags), sel);
    return out + "</" + tag + ">";
  }

  function customEl(tag, props, flags, sel) {
    var out = startTag(tag);
    var children = null;
    var innerHtml = null;
    for (var k in props) {
      if (!hasOwn.call(props, k) || k === "key") continue;
      var v = props[k];
      if (v == null) continue;
      var name = k;
      switch (k) {
        case "children": children = v; continue;
        case "dangerouslySetInnerHTML": innerHtml = v; continue;
        case "style": out += st(v); continue;
        case "suppressContentEditableWarning": case "suppressHydrationWarning": case "ref":
          continue;
        case "className": name = "class";
      }
      if (isAttributeNameSafe(k) && !isFnOrSym(v) && v !== false) {
        if (v === true) v = "";
        else if (typeof v === "object") continue;
        out += " " + name + '="' + esc(v) + '"';
      }
    }
    out += ">";
    if (innerHtml != null) out += inner(innerHtml, children != null);
    out += renderChild(children, childFlags(tag, flags), sel);
    return out + "</" + tag + ">";
  }

  function selectEl(props, flags) {
    var out = startTag("select");
    var children = null;
    var innerHtml = null;
    for (var k in props) {
      if (!hasOwn.call(props, k) || k === "key") continue;
      var v = props[k];
      if (v == null) continue;
      switch (k) {
        case "children": children = v; break;
        case "dangerouslySetInnerHTML": innerHtml = v; break;
        case "defaultValue": case "value": break;
        default: out += attr(k, v);
      }
    }
    out += ">";
    if (innerHtml != null) out += inner(innerHtml, children != null);
    var selected = props.value != null ? props.value : props.defaultValue;
    if (selected === undefined) selected = null;
    var body = renderChild(children, flags, selected);
    return out + resolveOptions(body, selected) + "</select>";
  }

  function optionValueText(children) {
    var content = "";
    forEachChild(children, function (child) {
      if (child != null) content += child;
    });
    return content;
  }

  function optionEl(props, flags, sel) {
    var out = startTag("option");
    var children = null;
    var value = null;
    var selected = null;
    var innerHtml = null;
    for (var k in props) {
      if (!hasOwn.call(props, k) || k === "key") continue;
      var v = props[k];
      if (v == null) continue;
      switch (k) {
        case "children": children = v; break;
        case "selected": selected = v; break;
        case "dangerouslySetInnerHTML": innerHtml = v; break;
        case "value": value = v; out += attr(k, v); break;
        default: out += attr(k, v);
      }
    }
    if (sel != null) {
      out += isSelected(sel, value !== null ? "" + value : optionValueText(children))
        ? ' selected=""'
        : "";
    } else {
      // The enclosing <select> (or `finish`, when there is none) decides.
      var text = value !== null ? "" + value : optionValueText(children);
      out += marker("o", (selected ? "1" : "0") + text);
    }
    out += ">";
    if (innerHtml != null) out += inner(innerHtml, children != null);
    out += renderChild(children, flags, null);
    return out + "</option>";
  }

  function isSelected(sel, text) {
    if (isArray(sel)) {
      for (var i = 0; i < sel.length; i++) if ("" + sel[i] === text) return true;
      return false;
    }
    return "" + sel === text;
  }

  // Replaces the option markers in `body`: against `sel` when it is set, else by each
  // option's own `selected` prop.
  function resolveOptions(body, sel) {
    if (body.indexOf(M_OPEN + "o") === -1) return body;
    var out = "";
    var last = 0;
    for (;;) {
      var at = body.indexOf(M_OPEN + "o", last);
      if (at === -1) break;
      var end = body.indexOf(M_CLOSE, at);
      if (end === -1) break;
      out += body.slice(last, at);
      var own = body.charCodeAt(at + 2) === 49; // "1"
      var text = body.slice(at + 3, end);
      if (sel != null ? isSelected(sel, text) : own) out += ' selected=""';
      last = end + 1;
    }
    return out + body.slice(last);
  }

  function textareaEl(props) {
    var out = startTag("textarea");
    var value = null;
    var defaultValue = null;
    var children = null;
    for (var k in props) {
      if (!hasOwn.call(props, k) || k === "key") continue;
      var v = props[k];
      if (v == null) continue;
      switch (k) {
        case "children": children = v; break;
        case "value": value = v; break;
        case "defaultValue": defaultValue = v; break;
        case "dangerouslySetInnerHTML":
          throw new Error("`dangerouslySetInnerHTML` does not make sense on <textarea>.");
        default: out += attr(k, v);
      }
    }
    if (value === null && defaultValue !== null) value = defaultValue;
    out += ">";
    if (children != null) {
      if (value != null) {
        throw new Error("If you supply `defaultValue` on a <textarea>, do not pass children.");
      }
      if (isArray(children) && children.length > 1) {
        throw new Error("<textarea> can only have at most one child.");
      }
      value = "" + children;
    }
    if (typeof value === "string" && value.charCodeAt(0) === 10) out += "\n";
    if (value !== null) out += esc("" + value);
    return out + "</textarea>";
  }

  function inputEl(props) {
    var out = startTag("input");
    var name = null, formAction = null, formEncType = null, formMethod = null;
    var formTarget = null, value = null, defaultValue = null, checked = null;
    var defaultChecked = null;
    for (var k in props) {
      if (!hasOwn.call(props, k) || k === "key") continue;
      var v = props[k];
      if (v == null) continue;
      switch (k) {
        case "children": case "dangerouslySetInnerHTML":
          throw new Error(
            "input is a self-closing tag and must neither have `children` nor use `dangerouslySetInnerHTML`."
          );
        case "name": name = v; break;
        case "formAction": formAction = v; break;
        case "formEncType": formEncType = v; break;
        case "formMethod": formMethod = v; break;
        case "formTarget": formTarget = v; break;
        case "defaultChecked": defaultChecked = v; break;
        case "defaultValue": defaultValue = v; break;
        case "checked": checked = v; break;
        case "value": value = v; break;
        default: out += attr(k, v);
      }
    }
    out += formActionAttrs(formAction, formEncType, formMethod, formTarget, name);
    if (checked !== null) out += b(' checked=""', checked);
    else if (defaultChecked !== null) out += b(' checked=""', defaultChecked);
    if (value !== null) out += attr("value", value);
    else if (defaultValue !== null) out += attr("value", defaultValue);
    return out + "/>";
  }

  // pushFormActionAttribute without server actions: a function action is replaced by React's
  // "unexpectedly submitted" URL and drops the other form attributes.
  function formActionAttrs(formAction, formEncType, formMethod, formTarget, name) {
    var out = "";
    if (typeof formAction === "function") {
      rs.formReplay = true;
      out += ' formAction="' + ACTION_JAVASCRIPT_URL + '"';
      formTarget = formMethod = formEncType = formAction = name = null;
    }
    if (name != null) out += attr("name", name);
    if (formAction != null) out += attr("formAction", formAction);
    if (formEncType != null) out += attr("formEncType", formEncType);
    if (formMethod != null) out += attr("formMethod", formMethod);
    if (formTarget != null) out += attr("formTarget", formTarget);
    return out;
  }

  function formControlEl(tag, props, flags, sel) {
    var out = startTag(tag);
    var children = null, innerHtml = null, name = null, formAction = null;
    var formEncType = null, formMethod = null, formTarget = null;
    for (var k in props) {
      if (!hasOwn.call(props, k) || k === "key") continue;
      var v = props[k];
      if (v == null) continue;
      switch (k) {
        case "children": children = v; break;
        case "dangerouslySetInnerHTML": innerHtml = v; break;
        case "name": name = v; break;
        case "formAction": formAction = v; break;
        case "formEncType": formEncType = v; break;
        case "formMethod": formMethod = v; break;
        case "formTarget": formTarget = v; break;
        default: out += attr(k, v);
      }
    }
    out += formActionAttrs(formAction, formEncType, formMethod, formTarget, name) + ">";
    if (innerHtml != null) out += inner(innerHtml, children != null);
    out += renderChild(children, childFlags(tag, flags), sel);
    return out + "</" + tag + ">";
  }

  function formEl(props, flags, sel) {
    var out = startTag("form");
    var children = null, innerHtml = null, action = null, encType = null, method = null;
    var target = null;
    for (var k in props) {
      if (!hasOwn.call(props, k) || k === "key") continue;
      var v = props[k];
      if (v == null) continue;
      switch (k) {
        case "children": children = v; break;
        case "dangerouslySetInnerHTML": innerHtml = v; break;
        case "action": action = v; break;
        case "encType": encType = v; break;
        case "method": method = v; break;
        case "target": target = v; break;
        default: out += attr(k, v);
      }
    }
    if (typeof action === "function") {
      rs.formReplay = true;
      out += ' action="' + ACTION_JAVASCRIPT_URL + '"';
      target = method = encType = action = null;
    }
    if (action != null) out += attr("action", action);
    if (encType != null) out += attr("encType", encType);
    if (method != null) out += attr("method", method);
    if (target != null) out += attr("target", target);
    out += ">";
    if (innerHtml != null) out += inner(innerHtml, children != null);
    out += renderChild(children, flags, sel);
    return out + "</form>";
  }

  function menuitemEl(props) {
    var out = startTag("menuitem");
    for (var k in props) {
      if (!hasOwn.call(props, k) || k === "key") continue;
      var v = props[k];
      if (v == null) continue;
      if (k === "children" || k === "dangerouslySetInnerHTML") {
        throw new Error("menuitems cannot have `children` nor `dangerouslySetInnerHTML`.");
      }
      out += attr(k, v);
    }
    return out + "></menuitem>";
  }

  // <title>, <meta>, <link>, <script>, <style> float to <head> unless inside <svg> or
  // <noscript> or given itemProp (React 19 "hoistables" and "resources").
  function floats(props, flags) {
    return (flags & (F_SVG | F_NOSCRIPT)) === 0 && props.itemProp == null;
  }

  function titleHtml(props) {
    var out = startTag("title");
    var children = null, innerHtml = null;
    for (var k in props) {
      if (!hasOwn.call(props, k) || k === "key") continue;
      var v = props[k];
      if (v == null) continue;
      if (k === "children") children = v;
      else if (k === "dangerouslySetInnerHTML") innerHtml = v;
      else out += attr(k, v);
    }
    out += ">";
    var child = isArray(children) ? (children.length < 2 ? children[0] : null) : children;
    if (child != null && !isFnOrSym(child)) out += esc("" + child);
    if (innerHtml != null) out += inner(innerHtml, children != null);
    return out + "</title>";
  }
  function titleEl(props, flags) {
    var html = titleHtml(props);
    return floats(props, flags) ? marker("t", html) : html;
  }

  function metaEl(props, flags) {
    var html = selfClosing("meta", props);
    if (!floats(props, flags)) return html;
    if (typeof props.charSet === "string") return marker("c", html);
    if (props.name === "viewport") return marker("v", html);
    return marker("t", html);
  }

  function linkEl(props, flags) {
    var rel = props.rel, href = props.href;
    if (!floats(props, flags) || typeof rel !== "string" || typeof href !== "string" ||
        href === "") {
      return selfClosing("link", props);
    }
    if (rel === "stylesheet") {
      var precedence = props.precedence;
      if (typeof precedence !== "string" || props.disabled != null || props.onLoad ||
          props.onError) {
        return selfClosing("link", props);
      }
      var sheetProps = Object.assign({}, props, {
        "data-precedence": precedence,
        precedence: null
      });
      return marker("s", precedence + M_SEP + "l" + href + M_SEP + selfClosing("link", sheetProps));
    }
    if (props.onLoad || props.onError) return selfClosing("link", props);
    return marker("t", selfClosing("link", props));
  }

  function scriptHtml(props) {
    var out = startTag("script");
    var children = null, innerHtml = null;
    for (var k in props) {
      if (!hasOwn.call(props, k) || k === "key") continue;
      var v = props[k];
      if (v == null) continue;
      if (k === "children") children = v;
      else if (k === "dangerouslySetInnerHTML") innerHtml = v;
      else out += attr(k, v);
    }
    out += ">";
    if (innerHtml != null) out += inner(innerHtml, children != null);
    if (typeof children === "string") {
      out += children.replace(/(<\/|<)(s)(cript)/gi, function (_, p, s, rest) {
        return p + (s === "s" ? "\\u0073" : "\\u0053") + rest;
      });
    }
    return out + "</script>";
  }
  function scriptEl(props, flags) {
    var src = props.src, isAsync = props.async;
    if (typeof src !== "string" || !src || !isAsync || isFnOrSym(isAsync) || props.onLoad ||
        props.onError || !floats(props, flags)) {
      return scriptHtml(props);
    }
    return marker("S", (props.type === "module" ? "m" : "c") + src + M_SEP + scriptHtml(props));
  }

  function styleContent(children) {
    var child = isArray(children) ? (children.length < 2 ? children[0] : null) : children;
    if (child == null || isFnOrSym(child)) return "";
    return ("" + child).replace(/(<\/|<)(s)(tyle)/gi, function (_, p, s, rest) {
      return p + (s === "s" ? "\\73 " : "\\53 ") + rest;
    });
  }
  function styleEl(props, flags) {
    var precedence = props.precedence, href = props.href;
    var children = null, innerHtml = null;
    if (!floats(props, flags) || typeof precedence !== "string" || typeof href !== "string" ||
        href === "") {
      var out = startTag("style");
      for (var k in props) {
        if (!hasOwn.call(props, k) || k === "key") continue;
        var v = props[k];
        if (v == null) continue;
        if (k === "children") children = v;
        else if (k === "dangerouslySetInnerHTML") innerHtml = v;
        else out += attr(k, v);
      }
      out += ">" + styleContent(children);
      if (innerHtml != null) out += inner(innerHtml, children != null);
      return out + "</style>";
    }
    children = props.children;
    innerHtml = props.dangerouslySetInnerHTML;
    var rules = styleContent(children);
    if (innerHtml != null) rules += inner(innerHtml, children != null);
    return marker("s", precedence + M_SEP + "r" + href + M_SEP + rules);
  }

  function imgEl(props, flags) {
    var html = selfClosing("img", props);
    var src = props.src, srcSet = props.srcSet;
    if (props.loading === "lazy" || (!src && !srcSet) ||
        (typeof src !== "string" && src != null) ||
        (typeof srcSet !== "string" && srcSet != null) ||
        props.fetchPriority === "low" || (flags & (F_PICTURE | F_NOSCRIPT)) !== 0 ||
        isDataURL(src) || isDataURL(srcSet)) {
      return html;
    }
    var sizes = typeof props.sizes === "string" ? props.sizes : undefined;
    var key = srcSet ? srcSet + "\n" + (sizes || "") : src;
    var cross = props.crossOrigin;
    var link = selfClosing("link", {
      rel: "preload",
      as: "image",
      href: srcSet ? undefined : src,
      imageSrcSet: srcSet,
      imageSizes: sizes,
      crossOrigin: typeof cross === "string" ? (cross === "use-credentials" ? cross : "") : undefined,
      integrity: props.integrity,
      type: props.type,
      fetchPriority: props.fetchPriority,
      referrerPolicy: props.referrerPolicy
    });
    var high = props.fetchPriority === "high" ? "1" : "0";
    return marker("i", key + M_SEP + high + M_SEP + link) + html;
  }
  function isDataURL(v) {
    return typeof v === "string" && v[4] === ":" && (v[0] === "d" || v[0] === "D") &&
      (v[1] === "a" || v[1] === "A") && (v[2] === "t" || v[2] === "T") &&
      (v[3] === "a" || v[3] === "A");
  }

  // ---------------------------------------------------------------- rendering any value

  function renderChild(v, flags, sel) {
    if (clientDepth !== 0) return clientChild(v, flags, sel);
    if (v instanceof Html) return v.s;
    switch (typeof v) {
      case "string": return escStr(v);
      case "number": case "bigint": return "" + v;
      case "object": return v === null ? "" : renderObject(v, flags, sel);
    }
    return "";
  }

  function renderObject(v, flags, sel) {
    if (v instanceof Html) return v.s;
    if (isArray(v)) return renderArray(v, flags, sel);
    var tag = v.$$typeof;
    if (tag === REACT_ELEMENT || tag === REACT_LEGACY_ELEMENT) {
      if (effective(flags) === 0 && sel === null) {
        if (clientDepth === 0) {
          if (v._t !== undefined) return v._t.render(v._v);
          if (v._html !== undefined) return v._html;
        } else if (v._html !== undefined && typeof v.type === "string") {
          // A static host element inside a client component: its HTML with React's text
          // separators, made the first time (it never changes), then reused.
          if (v._chtml === undefined) v._chtml = renderElement(v.type, v.props, flags, sel);
          lastText = false;
          return v._chtml;
        }
      }
      return renderElement(v.type, v.props, flags, sel);
    }
    if (tag === REACT_PORTAL) {
      throw new Error("Portals are not currently supported by the server renderer. Render them conditionally so that they only appear on the client render.");
    }
    if (tag === REACT_CONTEXT) return renderChild(v._currentValue, flags, sel);
    if (typeof v.then === "function") return awaitChild(v, null, flags, sel);
    var iter = typeof Symbol === "function" && v[Symbol.iterator];
    if (typeof iter === "function") {
      var items = [];
      var it = iter.call(v);
      for (var step = it.next(); !step.done; step = it.next()) items.push(step.value);
      return renderArray(items, flags, sel);
    }
    var keys = Object.prototype.toString.call(v);
    throw new Error(
      "Objects are not valid as a React child (found: " +
        (keys === "[object Object]"
          ? "object with keys {" + Object.keys(v).join(", ") + "}"
          : keys) +
        "). If you meant to render a collection of children, use an array instead."
    );
  }

  // Each child of an array in its own place: React's renderChildrenArray.
  function renderArray(v, flags, sel) {
    var out = "";
    var n = v.length;
    var depth = tcLen;
    for (var i = 0; i < n; i++) {
      tcPath[depth] = n;
      tcPath[depth + 1] = i;
      tcLen = depth + 2;
      out += renderChild(v[i], flags, sel);
    }
    tcLen = depth;
    return out;
  }

  function renderElement(type, props, flags, sel) {
    if (typeof type === "string") {
      if (clientDepth === 0) return h(type, props, flags, sel);
      lastText = false;
      var el = h(type, props, flags, sel);
      lastText = false;
      return el;
    }
    if (type != null && type.$$bextClient !== undefined && clientDepth === 0) {
      return clientBoundary(type, props, flags, sel);
    }
    if (typeof type === "function") {
      var outer = ambient;
      var usedFrom = rs.uses.length;
      var depth = tcLen;
      ambient = effective(flags);
      tcPath[tcLen++] = FRAME;
      try {
        return renderChild(callComponent(type, props), flags, sel);
      } catch (e) {
        if (e !== SUSPEND) throw e;
        // `use()` met a pending promise: this element renders again once it settles, and
        // each use() of that new attempt gets the promise the same call got in this one.
        tcLen = depth;
        return awaitChild(suspended, { type: type, props: props, uses: rs.uses.slice(usedFrom) }, flags, sel);
      } finally {
        ambient = outer;
        tcLen = depth;
      }
    }
    switch (type) {
      case REACT_FRAGMENT: case REACT_STRICT_MODE: case REACT_PROFILER:
      case REACT_SUSPENSE_LIST:
        return renderChild(props.children, flags, sel);
      case REACT_ACTIVITY:
        // A hidden Activity renders nothing on the server; a visible one is delimited.
        if (props.mode === "hidden") return "";
        return "<!--&-->" + renderChild(props.children, flags, sel) + "<!--/&-->";
      case REACT_SUSPENSE:
        if (rs.streaming) return streamedSuspense(props, flags, sel);
        return "<!--$-->" + renderChild(props.children, flags, sel) + "<!--/$-->";
    }
    if (type != null && typeof type === "object") {
      switch (type.$$typeof) {
        case REACT_CONTEXT:
          return provide(type, props.value, function () {
            return renderChild(props.children, flags, sel);
          });
        case REACT_MEMO:
          return renderElement(type.type, props, flags, sel);
        case REACT_FORWARD_REF:
          var fdepth = tcLen;
          tcPath[tcLen++] = FRAME;
          try {
            return renderChild(type.render(props, props.ref === undefined ? null : props.ref), flags, sel);
          } finally {
            tcLen = fdepth;
          }
        case REACT_LAZY:
          var resolved;
          try {
            resolved = type._init(type._payload);
          } catch (e) {
            if (e !== SUSPEND) throw e;
            return awaitChild(suspended, { type: type, props: props, uses: [] }, flags, sel);
          }
          return renderElement(resolved, props, flags, sel);
      }
    }
    throw new Error(
      "Element type is invalid: expected a string (for built-in components) or a class/function (for composite components) but got: " +
        (type === null ? "null" : typeof type) + "."
    );
  }

  // ---------------------------------------------------------------- tree context (useId)

  // React names a useId by the component's place in the tree: the path of (number of
  // siblings, index) forks from the root, one per array of children rendered on the way (a
  // host element's or fragment's several children, a mapped list), plus one (1, 0) below each
  // component that called useId. The path is a stack whose entries are either two numbers
  // (one fork the runtime met) or a reference to a constant array of flat pairs (the forks
  // lowered code met between its root and a call: `lower/fork.rs`), so entering a place costs
  // one or two stores; it becomes React's id only when useId asks.
  //
  // Each component pushes an entry as it starts (its call's path, or FRAME), so the entry on
  // top while its body runs is its own: the first useId of a component pushes an IdFork
  // there (its children's (1, 0) fork, and its count of ids), which later useIds find on top.
  // No other per-component state is saved or restored.
  var tcPath = [];
  var tcLen = 0;
  var FRAME = [];
  function IdFork() {
    this.n = 1;
  }

  // React's tree id of the first `length` stack entries (pushTreeContext, getTreeId): each
  // fork appends the bits of index + 1, as many as `total` needs; past 30 bits, whole base-32
  // digits move to the overflow string.
  function treeId(length) {
    var state = { id: 1, overflow: "" };
    for (var p = 0; p < length; ) {
      var entry = tcPath[p];
      if (entry instanceof IdFork) {
        fork(state, 1, 0);
        p += 1;
      } else if (typeof entry === "object") {
        for (var q = 0; q < entry.length; q += 2) fork(state, entry[q], entry[q + 1]);
        p += 1;
      } else {
        fork(state, entry, tcPath[p + 1]);
        p += 2;
      }
    }
    var id = state.id;
    return (id & ~(1 << (32 - Math.clz32(id) - 1))).toString(32) + state.overflow;
  }
  function fork(state, total, index) {
    var id = state.id, slot = index + 1;
    var baseLength = 32 - Math.clz32(id) - 1;
    var baseId = id & ~(1 << baseLength);
    var bits = 32 - Math.clz32(total);
    if (bits + baseLength > 30) {
      var overflowBits = baseLength - (baseLength % 5);
      state.overflow = (baseId & ((1 << overflowBits) - 1)).toString(32) + state.overflow;
      baseId >>= overflowBits;
      baseLength -= overflowBits;
    }
    state.id = (1 << (bits + baseLength)) | (slot << baseLength) | baseId;
  }

  function useId() {
    var top = tcLen > 0 ? tcPath[tcLen - 1] : null;
    var local, base;
    if (top instanceof IdFork) {
      local = top.n++;
      base = tcLen - 1;
    } else {
      // The component's first: its children render one level down, as React's
      // finishFunctionComponent does.
      local = 0;
      base = tcLen;
      tcPath[tcLen++] = new IdFork();
    }
    var id = "_" + rs.idPrefix + "R_" + treeId(base);
    if (local > 0) id += "H" + local.toString(32);
    return id + "_";
  }

  // The providers around the code rendering now, innermost first: an immutable list, so a
  // render that waits (see `awaitChild`) keeps the one it started under and resumes in it.
  var ctxTop = null;
  function provide(context, value, body) {
    var previous = context._currentValue;
    var outer = ctxTop;
    ctxTop = { context: context, value: value, up: outer };
    context._currentValue = value;
    try {
      return body();
    } finally {
      context._currentValue = previous;
      ctxTop = outer;
    }
  }

  // Runs `body` under the providers `list` (a `ctxTop` saved earlier), from a point where no
  // provider is active.
  function withProviders(list, body) {
    if (list === null) return body();
    var chain = [];
    for (var node = list; node !== null; node = node.up) chain.push(node);
    var saved = new Array(chain.length);
    for (var i = chain.length - 1; i >= 0; i--) {
      saved[i] = chain[i].context._currentValue;
      chain[i].context._currentValue = chain[i].value;
    }
    var outer = ctxTop;
    ctxTop = list;
    try {
      return body();
    } finally {
      ctxTop = outer;
      for (var j = 0; j < chain.length; j++) chain[j].context._currentValue = saved[j];
    }
  }

  // ---------------------------------------------------------------- waiting

  // A child that is a promise (an async component's result), or an element whose render
  // suspended on one (`use`, `lazy`), becomes a placeholder marker; once the render's pending
  // promises settle, `settle` renders each in the providers and format context it was met in
  // and puts the HTML in its place. The state of one render (its pending work, `cache`d
  // results, the `useId` counter) lives in a `RenderState` the app runtime swaps in around
  // each step of that render.
  // Most placeholders one render may create (a bound on retries, which a promise created
  // anew on every render would otherwise repeat until the deadline).
  var PENDING_MAX = 10000;
  var SUSPEND = { toString: function () { return "PRISM suspended on a pending promise"; } };
  var suspended = null;

  function RenderState() {
    this.pending = [];
    this.waits = 0;
    this.caches = null;
    // renderToString's identifierPrefix option.
    this.idPrefix = "";
    // Every promise given to use() in this render, in order; and, while a suspended element
    // renders again, the ones its first attempt used, handed back in the same order.
    this.uses = [];
    this.replay = null;
    this.replayAt = 0;
    // Resource hints (react-dom's preload, preinit, ...) as `finish` markers, and their keys.
    this.hints = "";
    this.hintKeys = null;
    // A function form action was rendered: the document gets React's replay script.
    this.formReplay = false;
    // Streaming (the app runtime turns it on for a page it sends as it completes): Suspense
    // boundaries whose content waits become a template and their fallback, completed later.
    this.streaming = false;
    this.boundaries = [];
    this.rcSent = false;
    // How much of `hints` went out with the shell; later ones go with a boundary.
    this.hintsSent = 0;
    // Client components met (see "client components"): [module id, export, encoded props]
    // each, and the number of server slots handed to them.
    this.client = [];
    this.slots = 0;
  }
  var rs = new RenderState();

  function awaitChild(thenable, retry, flags, sel) {
    var status = track(thenable);
    if (status === "fulfilled" && retry === null) return renderChild(thenable.value, flags, sel);
    if (status === "rejected" && retry === null) throw thenable.reason;
    if (rs.pending.length >= PENDING_MAX) {
      throw new Error(
        "PRISM: a render waited on more than " + PENDING_MAX + " promises; a component that calls use() with a promise it creates while rendering waits forever (create it outside the component, or wrap the function in cache())"
      );
    }
    var id = rs.pending.length;
    rs.pending.push({
      thenable: thenable, retry: retry, providers: ctxTop, flags: effective(flags), sel: sel,
      tree: tcPath.slice(0, tcLen), html: null, client: clientDepth
    });
    return marker("p", id);
  }

  // React's thenable tracking: `status`, `value` and `reason` on the thenable itself.
  function track(thenable) {
    if (typeof thenable.status === "string") return thenable.status;
    thenable.status = "pending";
    thenable.then(function (value) {
      if (thenable.status === "pending") {
        thenable.status = "fulfilled";
        thenable.value = value;
      }
    }, function (reason) {
      if (thenable.status === "pending") {
        thenable.status = "rejected";
        thenable.reason = reason;
      }
    });
    return "pending";
  }

  // The promise the render waits for next, or null when every placeholder is rendered.
  function pendingPromise() {
    return waitFor(Promise.all);
  }

  // A promise settled as soon as any placeholder's promise does (a streamed page sends each
  // boundary as it completes, not once they all have), or null when none is left.
  function nextPromise() {
    return waitFor(Promise.race);
  }

  // `combine` (Promise.all or race) of the placeholders' promises still pending, each made
  // to fulfil whatever it settles with; null when there are none.
  function waitFor(combine) {
    var waiting = [];
    for (var i = 0; i < rs.pending.length; i++) {
      var p = rs.pending[i];
      if (p.html === null && p.thenable.status === "pending") {
        waiting.push(Promise.resolve(p.thenable).then(noop, noop));
      }
    }
    return waiting.length === 0 ? null : combine.call(Promise, waiting);
  }

  // Renders the placeholders whose promises settled; true when none is left to wait for.
  function settleReady() {
    for (var i = 0; i < rs.pending.length; i++) {
      var p = rs.pending[i];
      if (p.html !== null || p.thenable.status === "pending") continue;
      if (p.retry === null && p.thenable.status === "rejected") throw p.thenable.reason;
      var entry = p;
      ambient = entry.flags;
      for (var t = 0; t < entry.tree.length; t++) tcPath[t] = entry.tree[t];
      tcLen = entry.tree.length;
      clientDepth = entry.client;
      lastText = false;
      try {
        entry.html = withProviders(entry.providers, function () {
          return entry.retry === null
            ? renderChild(entry.thenable.value, entry.flags, entry.sel)
            : retry(entry.retry, entry.flags, entry.sel);
        });
      } finally {
        ambient = 0;
        tcLen = 0;
        clientDepth = 0;
      }
    }
    return pendingPromise() === null;
  }

  function retry(attempt, flags, sel) {
    var outerReplay = rs.replay;
    var outerAt = rs.replayAt;
    rs.replay = attempt.uses;
    rs.replayAt = 0;
    try {
      return renderElement(attempt.type, attempt.props, flags, sel);
    } finally {
      rs.replay = outerReplay;
      rs.replayAt = outerAt;
    }
  }

  // `html` with every placeholder replaced by its HTML (after `settleReady` returned true).
  function fill(html) {
    // Hints are markers `finish` moves into <head> wherever they stand.
    if (rs.hints !== "") html = rs.hints + html;
    rs.hintsSent = rs.hints.length;
    if (rs.pending.length !== 0) html = expandPlaceholders(html);
    if (rs.formReplay) {
      // Where React writes it: before the document's closing </body>, else at the end.
      var bodyEnd = html.lastIndexOf("</body>");
      html = bodyEnd === -1
        ? html + "<script>" + FORM_REPLAY_SCRIPT + "</script>"
        : html.slice(0, bodyEnd) + '<script id="_R_">' + FORM_REPLAY_SCRIPT + "</script>" + html.slice(bodyEnd);
    }
    return html;
  }

  function expandPlaceholders(html) {
    var re = /\u0001p(\d+)\u0002/g;
    var pending = rs.pending;
    function expand(text, depth) {
      if (depth > pending.length) throw new Error("PRISM: placeholders nest in a cycle");
      return text.replace(re, function (_, id) {
        return expand(pending[+id].html, depth + 1);
      });
    }
    return expand(html, 0);
  }

  function callComponent(type, props) {
    if (type.prototype && type.prototype.isReactComponent) {
      var defaults = type.defaultProps;
      if (defaults) {
        props = Object.assign({}, props);
        for (var name in defaults) if (props[name] === undefined) props[name] = defaults[name];
      }
      var contextType = type.contextType;
      var context = contextType != null && contextType.$$typeof === REACT_CONTEXT ? contextType._currentValue : {};
      var instance = new type(props, context);
      instance.props = props;
      instance.context = context;
      if (instance.state === undefined) instance.state = null;
      if (typeof type.getDerivedStateFromProps === "function") {
        var partial = type.getDerivedStateFromProps(props, instance.state);
        if (partial != null) instance.state = Object.assign({}, instance.state, partial);
      }
      return instance.render();
    }
    return type(props);
  }

  // A component used in lowered code whose value the compiler could not prove is a plain
  // function (a parameter, an import, `props.as`): strings become host elements, classes are
  // constructed, memo/forwardRef/context objects are rendered as elements.
  // `path` is the call's place below the markup's root, where it has siblings.
  function k(type, props, flags, path) {
    var depth = tcLen;
    tcPath[tcLen++] = path === undefined ? FRAME : path;
    var out;
    if (!flags && typeof type === "function" && type.$$bextClient === undefined) {
      // Inlined plain-function case: this runs once per component instance. No try/finally
      // (see `c`).
      var proto = type.prototype;
      out = proto === undefined || !proto.isReactComponent ? type(props) : callComponent(type, props);
      // Elements it returned (an array, a fragment, a promise) render at its place, below
      // its useId fork, as React renders a component's children.
      if (typeof out === "object" && out !== null && !(out instanceof Html)) {
        out = new Html(renderObject(out, 0, null));
      }
    } else if (flags) {
      out = new Html(renderElement(type, props, flags, null));
    } else if (typeof type === "string") {
      out = new Html(h(type, props, 0, null));
    } else {
      out = new Html(renderElement(type, props, 0, null));
    }
    tcLen = depth;
    return out;
  }

  // ---------------------------------------------------------------- client components
  //
  // A module that says "use client" registers its exports (`clientRef`, emitted by the
  // linker). Where a server component renders one, the runtime leaves a boundary:
  //
  //   <!--c:N-->the component's HTML<!--/c-->
  //
  // and records [module id, export, props] as entry N of the render's payload, which the
  // browser decodes to hydrate the component with the same props. Props that are React
  // elements (children, or any element in a prop) are rendered by the server as part of the
  // component's HTML, as they would be anyway, but inside their own markers:
  //
  //   <!--s:M-->the element's HTML<!--/s-->
  //
  // and cross to the browser as a reference to slot M: the browser builds them from the DOM
  // between those markers, so server-rendered HTML never travels twice.
  //
  // Inside a client component the browser's React will match every text node against the
  // DOM, so the runtime writes React's text separators (`<!-- -->` between adjacent texts)
  // there, as react-dom/server does; elsewhere PRISM leaves them out (nothing hydrates
  // server markup). The linker compiles every module a "use client" module reaches with
  // JSX as elements (JsxMode::Runtime), so all of a client component's output passes here.
  var clientDepth = 0;
  // React's `lastPushedText`: what was last written inside a client component was text.
  var lastText = false;
  var CLIENT_PROPS_DEPTH_MAX = 200;
  // A prop the app runtime gives an error page for its `reset`: it crosses as "$R", which
  // the browser decodes into a function that renders the page again (render/js/client/).
  var REFRESH_PROP = Object.freeze({});

  function clientRef(exports, id) {
    for (var name in exports) {
      if (name === "__esModule") continue;
      var v = exports[name];
      var ok = typeof v === "function" ||
        (v !== null && typeof v === "object" && (v.$$typeof === REACT_MEMO || v.$$typeof === REACT_FORWARD_REF));
      if (ok && !hasOwn.call(v, "$$bextClient")) {
        Object.defineProperty(v, "$$bextClient", { value: { m: id, e: name } });
      }
    }
  }

  // renderChild inside a client component: text gets its separators, markup resets them.
  function clientChild(v, flags, sel) {
    var text;
    switch (typeof v) {
      case "string":
        if (v === "") return "";
        text = escStr(v);
        break;
      case "number": case "bigint":
        text = "" + v;
        break;
      case "object":
        if (v === null) return "";
        if (v instanceof Html) {
          lastText = false;
          return v.s;
        }
        var html = renderObject(v, flags, sel);
        return html;
      default:
        return "";
    }
    if (lastText) return "<!-- -->" + text;
    lastText = true;
    return text;
  }

  function clientBoundary(type, props, flags, sel) {
    var ref = type.$$bextClient;
    var id = rs.client.length;
    var name = ref.m + (ref.e === "default" ? "" : "#" + ref.e);
    var passed = {};
    for (var key in props) {
      if (hasOwn.call(props, key)) passed[key] = slotted(props[key], 0);
    }
    rs.client.push([ref.m, ref.e, encodeProps(passed, name)]);
    var outer = clientDepth;
    clientDepth = 1;
    lastText = false;
    var html;
    try {
      // (clientDepth > 0: renderElement renders it as any component, past its boundary check.)
      html = renderElement(type, passed, flags, sel);
    } finally {
      clientDepth = outer;
      lastText = false;
    }
    return "<!--c:" + id + "-->" + html + "<!--/c-->";
  }

  // A prop's value with each element in it replaced by a slot element.
  function slotted(v, depth) {
    if (v === null || typeof v !== "object" || v === REFRESH_PROP || depth > CLIENT_PROPS_DEPTH_MAX) return v;
    var tag = v.$$typeof;
    if (tag === REACT_ELEMENT || tag === REACT_LEGACY_ELEMENT) {
      if (v.type === Slot) return v;
      return { $$typeof: REACT_ELEMENT, type: Slot, key: v.key, ref: null, props: { i: rs.slots++, c: v } };
    }
    if (isArray(v)) {
      var out = new Array(v.length);
      for (var i = 0; i < v.length; i++) out[i] = slotted(v[i], depth + 1);
      return out;
    }
    var proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype) {
      var copy = {};
      for (var key in v) if (hasOwn.call(v, key)) copy[key] = slotted(v[key], depth + 1);
      return copy;
    }
    return v;
  }

  // Server markup a client component was given: rendered as server markup, between markers.
  function Slot(props) {
    var outer = clientDepth;
    clientDepth = 0;
    var html;
    try {
      html = renderChild(props.c, 0, null);
    } finally {
      clientDepth = outer;
      lastText = false;
    }
    return new Html("<!--s:" + props.i + "-->" + html + "<!--/s-->");
  }

  // Props as the browser decodes them (JSON, with React Flight's conventions): a string
  // that starts with "$" is escaped as "$$"; "$undefined", "$NaN", "$Infinity",
  // "$-Infinity", "$-0", "$n<digits>" (BigInt) and "$D<ISO date>" are those values; arrays
  // that start with a tag are ["$L", slot, key] (server markup), ["$Q", [k, v, ...]] (Map),
  // ["$W", [...]] (Set), ["$@", value] (a promise, fulfilled by the end of the render).
  // Anything else (functions, class instances, symbols) is an error naming the prop.
  function encodeProps(props, name) {
    var out = {};
    for (var key in props) {
      if (!hasOwn.call(props, key) || key === "key" || key === "ref") continue;
      out[key] = encodeValue(props[key], name, key, 0);
    }
    return out;
  }
  function notSerializable(name, prop, what) {
    return new Error(
      what + " cannot be passed to a Client Component from a Server Component: prop \"" + prop + "\" of <" +
        name + ">. Only JSON-like values, Dates, Maps, Sets, BigInts, promises and elements can cross the boundary."
    );
  }
  function encodeValue(v, name, prop, depth) {
    if (depth > CLIENT_PROPS_DEPTH_MAX) {
      throw new Error("Props passed to <" + name + "> nest deeper than " + CLIENT_PROPS_DEPTH_MAX + " levels (prop \"" + prop + "\"; a cycle?)");
    }
    switch (typeof v) {
      case "string": return v.charCodeAt(0) === 36 ? "$" + v : v;
      case "boolean": return v;
      case "undefined": return "$undefined";
      case "number":
        if (v !== v) return "$NaN";
        if (v === Infinity) return "$Infinity";
        if (v === -Infinity) return "$-Infinity";
        if (v === 0 && 1 / v < 0) return "$-0";
        return v;
      case "bigint": return "$n" + v;
      case "function":
        throw notSerializable(name, prop, "A function (" + (v.name || "anonymous") + ")");
      case "symbol":
        var global = Symbol.keyFor(v);
        if (global === undefined) throw notSerializable(name, prop, "A local symbol");
        return "$S" + global;
    }
    if (v === null) return null;
    if (v === REFRESH_PROP) return "$R";
    if (v.type === Slot && v.$$typeof === REACT_ELEMENT) return ["$L", v.props.i, v.key];
    if (isArray(v)) {
      var list = new Array(v.length);
      // (A data array's first string, if it starts with "$", was escaped to "$$…": no array
      // of data reads as a tagged value.)
      for (var i = 0; i < v.length; i++) list[i] = encodeValue(v[i], name, prop, depth + 1);
      return list;
    }
    if (v instanceof Date) return "$D" + (isNaN(v.getTime()) ? "Invalid Date" : v.toISOString());
    if (v instanceof Map) {
      var entries = [];
      v.forEach(function (value, key) {
        entries.push(encodeValue(key, name, prop, depth + 1), encodeValue(value, name, prop, depth + 1));
      });
      return ["$Q", entries];
    }
    if (v instanceof Set) {
      var items = [];
      v.forEach(function (value) {
        items.push(encodeValue(value, name, prop, depth + 1));
      });
      return ["$W", items];
    }
    if (typeof v.then === "function") return new PromiseProp(v, name, prop, depth);
    var proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      throw notSerializable(name, prop, "An instance of a class (" + ((v.constructor && v.constructor.name) || "anonymous") + ")");
    }
    if (proto === null) throw notSerializable(name, prop, "An object with a null prototype");
    var out = {};
    for (var key in v) if (hasOwn.call(v, key)) out[key] = encodeValue(v[key], name, prop, depth + 1);
    return out;
  }
  // A promise prop: written when the payload is, by which time the render has waited for
  // every promise it used; one still pending then never settles in the browser either.
  function PromiseProp(promise, name, prop, depth) {
    track(promise);
    this.p = promise;
    this.n = name;
    this.k = prop;
    this.d = depth;
  }
  PromiseProp.prototype.toJSON = function () {
    var p = this.p;
    if (p.status === "fulfilled") return ["$@", encodeValue(p.value, this.n, this.k, this.d + 1)];
    if (p.status === "rejected") throw p.reason;
    return ["$@"];
  };

  // The render's client payload as JSON, or "" when it met no client component.
  function clientPayload() {
    return rs.client.length === 0 ? "" : JSON.stringify(rs.client);
  }
  // The module ids the render's client components come from, once each.
  function clientModules() {
    var seen = new Set();
    var out = [];
    for (var i = 0; i < rs.client.length; i++) {
      var m = rs.client[i][0];
      if (!seen.has(m)) {
        seen.add(m);
        out.push(m);
      }
    }
    return out;
  }

  // `list.map(callback)` whose items are rendered at once (the compiler's rewrite, see
  // `lower/fork.rs`): each item runs at its place (`path`, the array's own place, then its
  // index among `list.length`). Holes are skipped and kept, as Array.prototype.map does; a
  // list that is not an array is mapped by its own `map`.
  function map(list, callback, path) {
    if (!isArray(list)) return list.map(each(callback, path, list));
    var n = list.length;
    var out = new Array(n);
    var depth = tcLen;
    if (path !== undefined) tcPath[tcLen++] = path;
    var base = tcLen;
    for (var i = 0; i < n; i++) {
      if (!(i in list)) continue;
      tcPath[base] = n;
      tcPath[base + 1] = i;
      tcLen = base + 2;
      out[i] = callback(list[i], i, list);
    }
    tcLen = depth;
    return out;
  }

  // The callback of a `map` on a list that is not an array (an Immutable.js List, a custom
  // collection): each call runs at its item's place when the list tells its size (`length`
  // or `size`) and the callback gets the index, as such lists' `map` does.
  function each(callback, path, list) {
    var n = typeof list.length === "number" ? list.length : typeof list.size === "number" ? list.size : -1;
    return function (item, index) {
      var depth = tcLen;
      if (path !== undefined) tcPath[tcLen++] = path;
      if (n >= 0 && typeof index === "number") {
        tcPath[tcLen] = n;
        tcPath[tcLen + 1] = index;
        tcLen += 2;
      }
      var out = callback.apply(undefined, arguments);
      tcLen = depth;
      return out;
    };
  }

  // A static element built at module load, with the HTML it renders to in plain context.
  function cached(element, html) {
    element._html = html instanceof Html ? html.s : html;
    return element;
  }

  // Template elements (the compiler's `template.rs`): a host element whose dynamic parts
  // were evaluated into `_v`; `_t.render(_v)` is its HTML in plain context, `_t.props(_v)`
  // its React props, built when first read.
  function Template(type, render, props) {
    this.type = type;
    this.render = render;
    this.props = props;
  }
  function tpl(type, render, props) {
    return new Template(type, render, props);
  }
  function TemplateElement(template, values, key) {
    this.type = template.type;
    this.key = key == null ? null : "" + key;
    this.ref = null;
    this._t = template;
    this._v = values;
    this._p = null;
  }
  TemplateElement.prototype.$$typeof = REACT_ELEMENT;
  Object.defineProperty(TemplateElement.prototype, "props", {
    enumerable: true,
    get: function () {
      if (this._p === null) this._p = this._t.props(this._v);
      return this._p;
    }
  });
  function lh(template, values, key) {
    return new TemplateElement(template, values, key);
  }

  // Any value a component may return, as an HTML string (markers kept: see `finish`).
  function render(v) {
    return renderChild(v, 0, null);
  }

  // ---------------------------------------------------------------- the document

  // Resolves the markers of a complete render into React's output: options left outside any
  // <select> use their own `selected`; floated elements go after `<head ...>` (React's
  // "preamble"), or into a `<head>` made after `<html ...>`, or in front of everything, in
  // React's order: charset, viewport, image preloads, stylesheets by precedence, async
  // scripts, late image preloads, the rest.
  //
  // `headTail` (the app's metadata tags) goes before `</head>`, and `prefix` (a doctype) in
  // front. Everything is assembled once: the document is collected as slices of `html` and
  // joined at the end, because every concatenation of a large string makes a rope that the
  // next search or slice flattens again (a copy of the whole page each time).
  function finish(html, headTail, prefix) {
    headTail = headTail || "";
    prefix = prefix || "";
    if (html.indexOf(M_OPEN) === -1) {
      return prefix + (headTail === "" ? html : insertBeforeHeadEnd(html, headTail));
    }
    var parts = [prefix];
    var small = "", outLen = 0;
    var closeAt = html.indexOf("</head>"), closePart = -1, closeOffset = 0;
    function push(piece, from) {
      if (closePart === -1 && closeAt >= from && closeAt < from + piece.length) {
        closePart = parts.length;
        closeOffset = closeAt - from;
      }
      parts.push(piece);
      outLen += piece.length;
      if (small.length < SMALL_PREFIX_CHARS) small += piece;
    }
    var charset = "", viewport = "", hoisted = "", scripts = "", preconnects = "", fonts = "";
    var highImages = [], bulkImages = [], seenImages = new Map(), promotable = new Map();
    var styles = new Map(), seenSheets = new Set(), seenScripts = new Set();
    var htmlPart = -1, headPart = -1;
    var last = 0;
    for (;;) {
      var at = html.indexOf(M_OPEN, last);
      if (at === -1) break;
      if (html[at + 1] === "x") {
        if (at > last) push(html.slice(last, at), last);
        push(String.fromCharCode(html.charCodeAt(at + 2) - 48), -1);
        last = at + 3;
        continue;
      }
      var end = html.indexOf(M_CLOSE, at);
      if (end === -1) break;
      if (at > last) push(html.slice(last, at), last);
      last = end + 1;
      var kind = html[at + 1];
      var payload = html.slice(at + 2, end);
      switch (kind) {
        case "o":
          if (payload[0] === "1") push(' selected=""', -1);
          break;
        case "t": hoisted += payload; break;
        case "P": preconnects += payload; break;
        case "F": fonts += payload; break;
        case "B": bulkImages.push({ link: payload }); break;
        case "c": charset += payload; break;
        case "v": viewport += payload; break;
        case "H":
          if (htmlPart === -1 && outLen === small.length && small.lastIndexOf("<html", 0) === 0 &&
              small.indexOf("<", 1) === -1) {
            htmlPart = parts.length;
            var htmlLen = outLen;
          }
          break;
        case "h":
          if (headPart === -1 && outLen === small.length &&
              (small.lastIndexOf("<head", 0) === 0 && small.indexOf("<", 1) === -1 ||
               htmlPart !== -1 && small.lastIndexOf("<head", htmlLen) === htmlLen &&
               small.indexOf("<", htmlLen + 1) === -1)) {
            headPart = parts.length;
          }
          break;
        case "i": {
          var fields = payload.split(M_SEP);
          var key = fields[0], high = fields[1] === "1", link = fields[2];
          var bulk = promotable.get(key);
          if (bulk !== undefined) {
            if (high || highImages.length < 10) {
              promotable.delete(key);
              highImages.push(bulk.link);
              bulk.link = "";
            }
          } else if (!seenImages.has(key)) {
            seenImages.set(key, true);
            if (high || highImages.length < 10) highImages.push(link);
            else {
              var entry = { link: link };
              bulkImages.push(entry);
              promotable.set(key, entry);
            }
          }
          break;
        }
        case "I": {
          // react-dom's preload(href, {as: "image"}): high priority ones go with the first
          // images, others wait in the bulk queue until an <img> of the same key promotes them.
          var pf = payload.split(M_SEP);
          if (!seenImages.has(pf[0])) {
            seenImages.set(pf[0], true);
            if (pf[1] === "1") highImages.push(pf[2]);
            else {
              var queued = { link: pf[2] };
              bulkImages.push(queued);
              promotable.set(pf[0], queued);
            }
          }
          break;
        }
        case "s": {
          var sep = payload.indexOf(M_SEP);
          var sep2 = payload.indexOf(M_SEP, sep + 1);
          var precedence = payload.slice(0, sep);
          var what = payload[sep + 1];
          var href = payload.slice(sep + 2, sep2);
          var body = payload.slice(sep2 + 1);
          var queue = styles.get(precedence);
          if (queue === undefined) {
            queue = { sheets: "", hasSheets: false, rules: "", hrefs: [] };
            styles.set(precedence, queue);
          }
          if (!seenSheets.has(href)) {
            seenSheets.add(href);
            if (what === "l") {
              queue.sheets += body;
              queue.hasSheets = true;
            } else {
              queue.rules += body;
              queue.hrefs.push(escStr(href));
            }
          }
          break;
        }
        case "S": {
          var sepS = payload.indexOf(M_SEP);
          var srcKey = payload.slice(0, sepS);
          if (!seenScripts.has(srcKey)) {
            seenScripts.add(srcKey);
            scripts += payload.slice(sepS + 1);
          }
          break;
        }
        default:
          push(html.slice(at, end + 1), -1);
      }
    }
    if (last < html.length) push(html.slice(last), last);
    var styleText = "";
    styles.forEach(function (queue, precedence) {
      styleText += queue.sheets;
      if (!queue.hasSheets || queue.hrefs.length) {
        styleText += '<style data-precedence="' + escStr(precedence) + '"';
        if (queue.hrefs.length) styleText += ' data-href="' + queue.hrefs.join(" ") + '"';
        styleText += ">" + queue.rules + "</style>";
      }
    });
    var bulkText = "";
    for (var i = 0; i < bulkImages.length; i++) bulkText += bulkImages[i].link;
    // Metadata that starts with the charset and viewport tags (Next's does): React puts those
    // two first, before the resource hints, so they leave `headTail` for their slots.
    if (headTail.lastIndexOf("<meta charSet=", 0) === 0) {
      var cEnd = headTail.indexOf("/>") + 2;
      if (charset === "") charset = headTail.slice(0, cEnd);
      headTail = headTail.slice(cEnd);
      if (headTail.lastIndexOf('<meta name="viewport"', 0) === 0) {
        var vEnd = headTail.indexOf("/>") + 2;
        if (viewport === "") viewport = headTail.slice(0, vEnd);
        headTail = headTail.slice(vEnd);
      }
    }
    var preamble = charset + viewport + preconnects + fonts + highImages.join("") + styleText +
      scripts + bulkText + hoisted;
    if (preamble.indexOf(M_OPEN) !== -1) preamble = unescapeLiterals(preamble);
    // The metadata tags go before the first </head>: split the slice that holds it (in place,
    // so the part indexes recorded above stay valid).
    if (headTail !== "" && closePart !== -1) {
      var piece = parts[closePart];
      parts[closePart] = piece.slice(0, closeOffset) + headTail + piece.slice(closeOffset);
      headTail = "";
    }
    if (headPart !== -1) {
      parts.splice(headPart, 0, preamble);
    } else if (htmlPart !== -1) {
      parts.splice(htmlPart, 0, "<head>" + preamble + headTail + "</head>");
      headTail = "";
    } else {
      parts.splice(1, 0, preamble);
    }
    var out = parts.join("");
    if (headTail !== "") return prefix + insertBeforeHeadEnd(out.slice(prefix.length), headTail);
    return out;
  }

  // Hoisted elements carry their text's escaped marker characters; put them back.
  function unescapeLiterals(text) {
    return text.replace(/\u0001x([123])/g, function (_, digit) {
      return String.fromCharCode(digit.charCodeAt(0) - 48);
    });
  }

  // Output characters kept as text while the H/h markers may still need to look at them.
  var SMALL_PREFIX_CHARS = 4096;

  // `tags` before the first `</head>`; a document without one gets a head after `<html …>`;
  // a fragment without either gets nothing (nowhere valid to put it).
  function insertBeforeHeadEnd(html, tags) {
    var close = html.indexOf("</head>");
    if (close >= 0) return html.slice(0, close) + tags + html.slice(close);
    var open = html.indexOf("<html");
    if (open >= 0) {
      var end = html.indexOf(">", open);
      if (end >= 0) return html.slice(0, end + 1) + "<head>" + tags + "</head>" + html.slice(end + 1);
    }
    return html;
  }

  // A whole render of `v` (an element, or anything renderable) in a fresh render state;
  // a component that waits makes it fail with a clear error (`renderToStringAsync` waits).
  function renderToString(v, options) {
    var outer = rs;
    // A render inside a render (a component calling react-dom/server) starts its own tree.
    rs = new RenderState();
    setIdPrefix(options);
    try {
      return inFreshTree(function () {
        var html = renderChild(v, 0, null);
        if (!settleReady()) {
          throw new Error("PRISM: a component is waiting for a promise; this render cannot wait for it");
        }
        return finish(fill(html));
      });
    } finally {
      rs = outer;
    }
  }

  // The same, waiting for async components, `use(promise)` and `lazy` (a promise of the
  // document).
  function renderToStringAsync(v, options) {
    var state = new RenderState();
    if (options != null && options.identifierPrefix != null) state.idPrefix = "" + options.identifierPrefix;
    function inState(body) {
      var outer = rs;
      rs = state;
      try {
        return inFreshTree(body);
      } finally {
        rs = outer;
      }
    }
    var html = inState(function () {
      return renderChild(v, 0, null);
    });
    function step() {
      var done = inState(settleReady);
      if (done) return inState(function () {
        return finish(fill(html));
      });
      return inState(pendingPromise).then(step);
    }
    return Promise.resolve().then(step);
  }

  // ---------------------------------------------------------------- streaming

  // React's streaming format (react-dom/server's renderToReadableStream): a boundary whose
  // content is still waiting when the shell is sent is written as
  // `<!--$?--><template id="B:n"></template>fallback<!--/$-->`; once its content is ready it
  // follows as `<div hidden id="S:n">content</div><script>$RC("B:n","S:n")</script>`, and
  // `$RC` (defined with the first one) moves the content in place of the fallback and marks
  // the boundary complete (`<!--$-->`). A boundary whose content is ready at once is written
  // whole, as without streaming.
  //
  // Which boundaries are owed is read from what was sent: a boundary is completed once its
  // template has gone out (in the shell or in a completed boundary), so a boundary rendered
  // by an attempt that was thrown away (a component that suspended renders again) is never
  // waited for.
  function streamedSuspense(props, flags, sel) {
    var b = { content: null, id: -1, placed: false, sent: false };
    var content = renderChild(props.children, flags, sel);
    if (content.indexOf(M_OPEN + "p") === -1) return "<!--$-->" + content + "<!--/$-->";
    b.content = content;
    b.id = rs.boundaries.length;
    rs.boundaries.push(b);
    var fallback = renderChild(props.fallback, flags, sel);
    return "<!--$?--><template id=\"B:" + b.id.toString(16) + "\"></template>" + fallback + "<!--/$-->";
  }

  var RC_SOURCE =
    "$RC=function(b,s){var t=document.getElementById(b),c=document.getElementById(s);" +
    "if(!t||!c)return;var p=t.parentNode,o=t.previousSibling,n=t.nextSibling,d=0;" +
    "while(n){var x=n.nextSibling;if(n.nodeType===8){var v=n.data;" +
    "if(v===\"/$\"){if(d===0)break;d--;}else if(v===\"$\"||v===\"$?\"||v===\"$!\")d++;}" +
    "p.removeChild(n);n=x;}" +
    "while(c.firstChild)p.insertBefore(c.firstChild,n);" +
    "if(o&&o.nodeType===8)o.data=\"$\";p.removeChild(t);c.parentNode.removeChild(c);}";

  // Every placeholder in `text` is rendered, and so is every placeholder in those.
  function resolvedDeep(text, depth) {
    if (text.indexOf(M_OPEN + "p") === -1) return true;
    if (depth > rs.pending.length) return false;
    var re = /\u0001p(\d+)\u0002/g;
    var m;
    while ((m = re.exec(text)) !== null) {
      var p = rs.pending[+m[1]];
      if (p === undefined || p.html === null || !resolvedDeep(p.html, depth + 1)) return false;
    }
    return true;
  }

  // Marks the boundaries whose templates `html` (just sent) holds as owed.
  function placeBoundaries(html) {
    if (rs.boundaries.length === 0) return;
    var re = /<template id="B:([0-9a-f]+)"><\/template>/g;
    var m;
    while ((m = re.exec(html)) !== null) {
      var b = rs.boundaries[parseInt(m[1], 16)];
      if (b !== undefined) b.placed = true;
    }
  }

  // The shell (everything but the streamed boundaries' content) can be sent.
  function shellReady(html) {
    return resolvedDeep(html, 0);
  }

  // After `settleReady`: the completed boundaries owed so far, as the HTML that completes
  // them ("" when none is ready). Completing one may place others (its nested boundaries).
  function streamReady() {
    var out = "";
    for (var progressed = true; progressed; ) {
      progressed = false;
      for (var i = 0; i < rs.boundaries.length; i++) {
        var b = rs.boundaries[i];
        if (!b.placed || b.sent || !resolvedDeep(b.content, 0)) continue;
        b.sent = true;
        progressed = true;
        var content = lateHints() + finish(expandPlaceholders(b.content));
        placeBoundaries(content);
        var id = b.id.toString(16);
        out += "<div hidden id=\"S:" + id + "\">" + content + "</div><script>" +
          (rs.rcSent ? "" : RC_SOURCE + ";") + "$RC(\"B:" + id + "\",\"S:" + id + "\")</script>";
        rs.rcSent = true;
      }
    }
    return out;
  }

  // Resource hints made since the shell went out (a font first used inside a boundary), as
  // their tags, to go in with the boundary's content: the head is gone, and a stylesheet or
  // preload link in the body works as well.
  function lateHints() {
    if (rs.hints.length === rs.hintsSent) return "";
    var late = rs.hints.slice(rs.hintsSent);
    rs.hintsSent = rs.hints.length;
    var out = "";
    var at = 0;
    for (;;) {
      var open = late.indexOf(M_OPEN, at);
      if (open === -1) break;
      var close = late.indexOf(M_CLOSE, open);
      if (close === -1) break;
      var payload = late.slice(open + 2, close);
      out += payload.slice(payload.lastIndexOf(M_SEP) + 1);
      at = close + 1;
    }
    return out;
  }

  // Every boundary owed has been completed.
  function streamDone() {
    for (var i = 0; i < rs.boundaries.length; i++) {
      if (rs.boundaries[i].placed && !rs.boundaries[i].sent) return false;
    }
    return true;
  }

  // For the app runtime: the render state of a new render, and the one to use from now on.
  function beginRender() {
    rs = new RenderState();
    clientDepth = 0;
    lastText = false;
    resetTree();
    return rs;
  }
  function enterRender(state) {
    rs = state;
    resetTree();
  }
  // Runs `body` from the root of a new tree, and gives the code around it its own back.
  function inFreshTree(body) {
    var outerTree = tcPath.slice(0, tcLen);
    resetTree();
    try {
      return body();
    } finally {
      for (var t = 0; t < outerTree.length; t++) tcPath[t] = outerTree[t];
      tcLen = outerTree.length;
    }
  }
  function resetTree() {
    tcLen = 0;
  }
  function setIdPrefix(options) {
    if (options != null && options.identifierPrefix != null) rs.idPrefix = "" + options.identifierPrefix;
  }
  function endRender(state) {
    if (rs === state) rs = new RenderState();
  }

  // ---------------------------------------------------------------- the fallback runtime

  function jsx(type, config, maybeKey) {
    var key = null;
    if (maybeKey !== undefined) key = "" + maybeKey;
    var props = config;
    if (config != null && "key" in config) {
      if (config.key !== undefined) key = "" + config.key;
      props = {};
      for (var name in config) if (name !== "key") props[name] = config[name];
    }
    if (props == null) props = {};
    return { $$typeof: REACT_ELEMENT, type: type, key: key, ref: null, props: props };
  }

  function createElement(type, config) {
    var props = {};
    var key = null;
    if (config != null) {
      if (config.key !== undefined) key = "" + config.key;
      for (var name in config) {
        if (hasOwn.call(config, name) && name !== "key" && name !== "__self" &&
            name !== "__source") {
          props[name] = config[name];
        }
      }
    }
    var count = arguments.length - 2;
    if (count === 1) props.children = arguments[2];
    else if (count > 1) {
      var children = new Array(count);
      for (var i = 0; i < count; i++) children[i] = arguments[i + 2];
      props.children = children;
    }
    if (type && type.defaultProps) {
      var defaults = type.defaultProps;
      for (var d in defaults) if (props[d] === undefined) props[d] = defaults[d];
    }
    return { $$typeof: REACT_ELEMENT, type: type, key: key, ref: null, props: props };
  }

  function isValidElement(v) {
    return typeof v === "object" && v !== null &&
      (v.$$typeof === REACT_ELEMENT || v.$$typeof === REACT_LEGACY_ELEMENT || v instanceof Html);
  }

  function cloneElement(element, config) {
    if (element instanceof Html) return element;
    var props = Object.assign({}, element.props);
    var key = element.key;
    if (config != null) {
      if (config.key !== undefined) key = "" + config.key;
      for (var name in config) {
        if (hasOwn.call(config, name) && name !== "key" && name !== "__self" &&
            name !== "__source") {
          props[name] = config[name];
        }
      }
    }
    var count = arguments.length - 2;
    if (count === 1) props.children = arguments[2];
    else if (count > 1) props.children = Array.prototype.slice.call(arguments, 2);
    return { $$typeof: REACT_ELEMENT, type: element.type, key: key, ref: null, props: props };
  }

  // React.Children, a port of React's mapChildren: the callback sees every child (null for
  // holes) in order, and the elements it returns get React's computed keys (".0", ".1:$k").
  function escapeUserKey(text) {
    return text.replace(/\/+/g, "$&/");
  }
  function elementKey(child, index) {
    if (typeof child === "object" && child !== null && child.key != null) {
      return "$" + ("" + child.key).replace(/[=:]/g, function (m) {
        return m === "=" ? "=0" : "=2";
      });
    }
    return index.toString(36);
  }
  function withKey(element, key) {
    if (element instanceof Html) return element;
    if (element instanceof TemplateElement) {
      var t = new TemplateElement(element._t, element._v, key);
      t._p = element._p;
      return t;
    }
    var out = { $$typeof: element.$$typeof, type: element.type, key: key, ref: element.ref, props: element.props };
    if (element._html !== undefined) out._html = element._html;
    return out;
  }
  function mapIntoArray(children, array, escapedPrefix, nameSoFar, callback) {
    var type = typeof children;
    if (type === "undefined" || type === "boolean") children = null;
    var invoke = children === null || type === "string" || type === "number" || type === "bigint" ||
      (type === "object" && (children instanceof Html || children.$$typeof === REACT_ELEMENT ||
        children.$$typeof === REACT_LEGACY_ELEMENT || children.$$typeof === REACT_PORTAL));
    if (invoke) {
      var child = children;
      var mapped = callback(child);
      var childKey = nameSoFar === "" ? "." + elementKey(child, 0) : nameSoFar;
      if (isArray(mapped)) {
        mapIntoArray(mapped, array, escapeUserKey(childKey) + "/", "", function (c) {
          return c;
        });
      } else if (mapped != null) {
        if (isValidElement(mapped)) {
          mapped = withKey(mapped, escapedPrefix +
            (mapped.key != null && (!child || child.key !== mapped.key)
              ? escapeUserKey("" + mapped.key) + "/" : "") + childKey);
        }
        array.push(mapped);
      }
      return 1;
    }
    var count = 0;
    var prefix = nameSoFar === "" ? "." : nameSoFar + ":";
    if (isArray(children)) {
      for (var i = 0; i < children.length; i++) {
        count += mapIntoArray(children[i], array, escapedPrefix, prefix + elementKey(children[i], i), callback);
      }
      return count;
    }
    var iter = typeof Symbol === "function" && children[Symbol.iterator];
    if (typeof iter === "function") {
      var it = iter.call(children), n = 0;
      for (var step = it.next(); !step.done; step = it.next()) {
        count += mapIntoArray(step.value, array, escapedPrefix, prefix + elementKey(step.value, n++), callback);
      }
      return count;
    }
    if (typeof children.then === "function" && children.status === "fulfilled") {
      return mapIntoArray(children.value, array, escapedPrefix, nameSoFar, callback);
    }
    var desc = Object.prototype.toString.call(children);
    throw new Error(
      "Objects are not valid as a React child (found: " +
        (desc === "[object Object]" ? "object with keys {" + Object.keys(children).join(", ") + "}" : desc) +
        "). If you meant to render a collection of children, use an array instead."
    );
  }
  function mapChildren(children, fn, thisArg) {
    if (children == null) return children;
    var out = [];
    var index = 0;
    mapIntoArray(children, out, "", "", function (child) {
      return fn.call(thisArg, child, index++);
    });
    return out;
  }
  // Visits children in order, arrays flattened (the text of an <option>).
  function forEachChild(children, fn) {
    var index = 0;
    (function walk(child) {
      if (child == null || typeof child === "boolean") {
        fn(null, index++);
        return;
      }
      if (isArray(child)) {
        for (var i = 0; i < child.length; i++) walk(child[i]);
        return;
      }
      fn(child, index++);
    })(children);
  }

  var Children = {
    map: mapChildren,
    forEach: function (children, fn, thisArg) {
      mapChildren(children, function (child, i) {
        fn.call(thisArg, child, i);
      });
    },
    count: function (children) {
      var n = 0;
      mapChildren(children, function () {
        n++;
      });
      return n;
    },
    toArray: function (children) {
      return mapChildren(children, function (child) {
        return child;
      }) || [];
    },
    only: function (children) {
      if (!isValidElement(children)) {
        throw new Error("React.Children.only expected to receive a single React element child.");
      }
      return children;
    }
  };

  function Component(props, context, updater) {
    this.props = props;
    this.context = context;
    this.refs = {};
    this.updater = updater;
  }
  Component.prototype.isReactComponent = {};
  Component.prototype.setState = function () {};
  Component.prototype.forceUpdate = function () {};
  function PureComponent(props, context, updater) {
    Component.call(this, props, context, updater);
  }
  PureComponent.prototype = Object.create(Component.prototype);
  PureComponent.prototype.constructor = PureComponent;
  PureComponent.prototype.isPureReactComponent = true;

  function createContext(defaultValue) {
    var context = {
      $$typeof: REACT_CONTEXT,
      _currentValue: defaultValue,
      _defaultValue: defaultValue
    };
    // Lowered code calls components directly, so Provider and Consumer are functions too;
    // the children they get are elements, rendered inside the provider.
    context.Provider = function Provider(props) {
      return new Html(provide(context, props.value, function () {
        return renderChild(props.children, ambient, null);
      }));
    };
    context.Consumer = function Consumer(props) {
      return props.children(context._currentValue);
    };
    return context;
  }

  function noop() {}

  // React's `use`: a context's value, or a promise's (the render waits for a pending one).
  function use(usable) {
    if (usable != null && usable.$$typeof === REACT_CONTEXT) return usable._currentValue;
    if (usable != null && typeof usable.then === "function") {
      if (rs.replay !== null && rs.replayAt < rs.replay.length) usable = rs.replay[rs.replayAt++];
      rs.uses.push(usable);
      var status = track(usable);
      if (status === "fulfilled") return usable.value;
      if (status === "rejected") throw usable.reason;
      suspended = usable;
      throw SUSPEND;
    }
    throw new Error("An unsupported type was passed to use(): " + String(usable));
  }

  // React.lazy's `_init`: the module's default export once the factory's promise settled.
  function lazyInit(payload) {
    if (payload.status === -1) {
      var thenable = payload.result();
      track(thenable);
      payload.status = 0;
      payload.result = thenable;
    }
    if (payload.status === 0) {
      var t = payload.result;
      if (t.status === "fulfilled") {
        payload.status = 1;
        payload.result = t.value;
      } else if (t.status === "rejected") {
        throw t.reason;
      } else {
        suspended = t;
        throw SUSPEND;
      }
    }
    var module = payload.result;
    return module != null && typeof module === "object" && "default" in module ? module.default : module;
  }

  // React.cache: one result per argument list for the length of a render.
  function cache(fn) {
    return function () {
      if (rs.caches === null) rs.caches = new Map();
      var node = rs.caches.get(fn);
      if (node === undefined) {
        node = { children: null, has: false, value: undefined };
        rs.caches.set(fn, node);
      }
      for (var i = 0; i < arguments.length; i++) {
        if (node.children === null) node.children = new Map();
        var next = node.children.get(arguments[i]);
        if (next === undefined) {
          next = { children: null, has: false, value: undefined };
          node.children.set(arguments[i], next);
        }
        node = next;
      }
      if (!node.has) {
        node.value = fn.apply(this, arguments);
        node.has = true;
      }
      return node.value;
    };
  }
  var react = {
    Children: Children,
    Component: Component,
    PureComponent: PureComponent,
    Fragment: REACT_FRAGMENT,
    StrictMode: REACT_STRICT_MODE,
    Profiler: REACT_PROFILER,
    Suspense: REACT_SUSPENSE,
    SuspenseList: REACT_SUSPENSE_LIST,
    Activity: REACT_ACTIVITY,
    createElement: createElement,
    cloneElement: cloneElement,
    isValidElement: isValidElement,
    createContext: createContext,
    createRef: function () {
      return { current: null };
    },
    forwardRef: function (renderFn) {
      var fwd = function (props) {
        return renderFn(props, props.ref === undefined ? null : props.ref);
      };
      fwd.displayName = renderFn.displayName || renderFn.name;
      return fwd;
    },
    memo: function (type) {
      return type;
    },
    lazy: function (factory) {
      return { $$typeof: REACT_LAZY, _payload: { status: -1, result: factory }, _init: lazyInit };
    },
    cache: cache,
    startTransition: function (fn) {
      fn();
    },
    use: use,
    useState: function (initial) {
      return [typeof initial === "function" ? initial() : initial, noop];
    },
    useReducer: function (reducer, initialArg, init) {
      return [init !== undefined ? init(initialArg) : initialArg, noop];
    },
    useEffect: noop,
    useLayoutEffect: noop,
    useInsertionEffect: noop,
    useImperativeHandle: noop,
    useDebugValue: noop,
    useMemo: function (fn) {
      return fn();
    },
    useCallback: function (fn) {
      return fn;
    },
    useRef: function (initial) {
      return { current: initial };
    },
    useContext: function (context) {
      return context._currentValue;
    },
    useId: useId,
    useTransition: function () {
      return [false, function (fn) {
        fn();
      }];
    },
    useDeferredValue: function (value) {
      return value;
    },
    useSyncExternalStore: function (subscribe, getSnapshot, getServerSnapshot) {
      return getServerSnapshot !== undefined ? getServerSnapshot() : getSnapshot();
    },
    useOptimistic: function (state) {
      return [state, noop];
    },
    useActionState: function (action, initial) {
      return [initial, noop, false];
    },
    version: "19.0.0-prism"
  };
  react.default = react;

  // ---------------------------------------------------------------- react-dom

  // Resource hints, as react-dom/server writes them: into <head>, in React's queues
  // (preconnects, font preloads, stylesheets, scripts, other preloads), once per resource.
  function hint(kind, key, html) {
    if (rs.hintKeys === null) rs.hintKeys = new Set();
    if (rs.hintKeys.has(key)) return;
    rs.hintKeys.add(key);
    rs.hints += marker(kind, html);
  }
  function hintOptions(options) {
    return options != null && typeof options === "object" ? options : {};
  }
  function crossOriginOf(value) {
    if (typeof value !== "string") return undefined;
    return value === "use-credentials" ? value : "";
  }
  var reactDom = {
    version: react.version,
    createPortal: function (children, container, key) {
      return { $$typeof: REACT_PORTAL, key: key == null ? null : "" + key, children: children, containerInfo: container, implementation: null };
    },
    flushSync: function (fn) {
      return fn === undefined ? undefined : fn();
    },
    useFormStatus: function () {
      return { pending: false, data: null, method: null, action: null };
    },
    useFormState: function (action, initial) {
      return [initial, noop, false];
    },
    requestFormReset: noop,
    unstable_batchedUpdates: function (fn, a) {
      return fn(a);
    },
    preconnect: function (href, options) {
      if (typeof href !== "string" || href === "") return;
      var crossOrigin = crossOriginOf(hintOptions(options).crossOrigin);
      hint("P", "preconnect " + href + " " + crossOrigin,
        selfClosing("link", { rel: "preconnect", href: href, crossOrigin: crossOrigin }));
    },
    prefetchDNS: function (href) {
      if (typeof href !== "string" || href === "") return;
      hint("P", "dns " + href, selfClosing("link", { href: href, rel: "dns-prefetch" }));
    },
    preload: function (href, options) {
      var o = hintOptions(options);
      if (typeof href !== "string" || href === "" || typeof o.as !== "string" || o.as === "") return;
      var props = {
        rel: "preload",
        href: o.as === "image" && o.imageSrcSet ? undefined : href,
        as: o.as,
        crossOrigin: o.as === "font" ? "" : crossOriginOf(o.crossOrigin),
        integrity: o.integrity,
        type: o.type,
        nonce: o.nonce,
        fetchPriority: o.fetchPriority,
        imageSrcSet: o.imageSrcSet,
        imageSizes: o.imageSizes,
        referrerPolicy: o.referrerPolicy,
        media: o.media
      };
      if (o.as === "image") {
        // React keys image preloads as <img> elements do (srcSet and sizes, else href), so
        // an <img> and a preload of the same image make one link (see the "I" marker).
        var key = o.imageSrcSet ? o.imageSrcSet + "\n" + (o.imageSizes || "") : href;
        if (rs.hintKeys === null) rs.hintKeys = new Set();
        if (rs.hintKeys.has("image " + key)) return;
        rs.hintKeys.add("image " + key);
        var high = o.fetchPriority === "high" ? "1" : "0";
        rs.hints += marker("I", key + M_SEP + high + M_SEP + selfClosing("link", props));
        return;
      }
      var kind = o.as === "font" ? "F" : "B";
      hint(kind, "preload " + o.as + " " + href + " " + (o.imageSrcSet || ""), selfClosing("link", props));
    },
    preloadModule: function (href, options) {
      var o = hintOptions(options);
      if (typeof href !== "string" || href === "") return;
      hint("B", "modulepreload " + href, selfClosing("link", {
        rel: "modulepreload",
        href: href,
        as: typeof o.as === "string" && o.as !== "script" ? o.as : undefined,
        crossOrigin: crossOriginOf(o.crossOrigin),
        integrity: o.integrity
      }));
    },
    preinit: function (href, options) {
      var o = hintOptions(options);
      if (typeof href !== "string" || href === "") return;
      if (o.as === "style") {
        var precedence = typeof o.precedence === "string" ? o.precedence : "default";
        if (rs.hintKeys === null) rs.hintKeys = new Set();
        if (rs.hintKeys.has("style " + href)) return;
        rs.hintKeys.add("style " + href);
        rs.hints += marker("s", precedence + M_SEP + "l" + href + M_SEP + selfClosing("link", {
          rel: "stylesheet",
          href: href,
          "data-precedence": precedence,
          crossOrigin: crossOriginOf(o.crossOrigin),
          integrity: o.integrity,
          fetchPriority: o.fetchPriority
        }));
      } else if (o.as === "script") {
        if (rs.hintKeys === null) rs.hintKeys = new Set();
        if (rs.hintKeys.has("script " + href)) return;
        rs.hintKeys.add("script " + href);
        rs.hints += marker("S", "c" + href + M_SEP + scriptHtml({
          src: href,
          async: true,
          crossOrigin: crossOriginOf(o.crossOrigin),
          integrity: o.integrity,
          nonce: o.nonce,
          fetchPriority: o.fetchPriority
        }));
      }
    },
    preinitModule: function (href, options) {
      var o = hintOptions(options);
      if (typeof href !== "string" || href === "" || (o.as !== undefined && o.as !== "script")) return;
      if (rs.hintKeys === null) rs.hintKeys = new Set();
      if (rs.hintKeys.has("module " + href)) return;
      rs.hintKeys.add("module " + href);
      rs.hints += marker("S", "m" + href + M_SEP + scriptHtml({
        src: href,
        type: "module",
        async: true,
        crossOrigin: crossOriginOf(o.crossOrigin),
        integrity: o.integrity,
        nonce: o.nonce
      }));
    }
  };
  reactDom.default = reactDom;
  var reactDomServer = {
    version: react.version,
    renderToString: function (element, options) {
      return renderToString(element, options);
    },
    renderToStaticMarkup: function (element, options) {
      return renderToString(element, options);
    }
  };
  reactDomServer.default = reactDomServer;
  var reactDomStatic = {
    version: react.version,
    prerender: function (element) {
      return renderToStringAsync(element).then(function (html) {
        return { prelude: html };
      });
    }
  };
  reactDomStatic.default = reactDomStatic;
  var jsxRuntime = {
    Fragment: REACT_FRAGMENT,
    jsx: jsx,
    jsxs: jsx,
    jsxDEV: jsx
  };

  globalThis.__prism = {
    Html: Html,
    // lowered code
    e: esc,
    c: c,
    at: at,
    cx: cx,
    s: s,
    x: x,
    b: b,
    u: u,
    ue: ue,
    a: a,
    st: st,
    inner: inner,
    h: h,
    k: k,
    map: map,
    placed: placed,
    // documents and any value
    escape: esc,
    render: render,
    finish: finish,
    renderToString: renderToString,
    renderToStringAsync: renderToStringAsync,
    cached: cached,
    tpl: tpl,
    lh: lh,
    beginRender: beginRender,
    enterRender: enterRender,
    endRender: endRender,
    settleReady: settleReady,
    pendingPromise: pendingPromise,
    fill: fill,
    // fallback runtime
    jsx: jsx,
    jsxs: jsx,
    Fragment: REACT_FRAGMENT,
    createElement: createElement,
    modules: {
      "react": react,
      "react/jsx-runtime": jsxRuntime,
      "react/jsx-dev-runtime": jsxRuntime,
      "react-dom": reactDom,
      "react-dom/server": reactDomServer,
      "react-dom/static": reactDomStatic,
      "bext/jsx-runtime": jsxRuntime
    },
    // Last on purpose: added among the hot entries above, it cost /dashboard 3-5% on JSC
    // (interleaved A/B runs), although that page never calls it.
    ai: ai,
    // Streaming, for the app runtime (after `ai` for the same reason).
    shellReady: shellReady,
    placeBoundaries: placeBoundaries,
    streamReady: streamReady,
    streamDone: streamDone,
    nextPromise: nextPromise,
    // Client components, for the linker's registrations and the app runtime.
    clientRef: clientRef,
    clientPayload: clientPayload,
    clientModules: clientModules,
    refreshProp: REFRESH_PROP
  };
})();
