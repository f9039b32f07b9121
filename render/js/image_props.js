// `next/image`'s props, as Next's `getImgProps` computes them: shared by the server's
// `<Image>` (render/js/image.js, in the app runtime) and the browser's
// (render/js/client/image.js, in the client components' bundle), the same text in both, so a
// client component's image hydrates onto the attributes the server wrote. Its includer
// defines `imageConfig` (what `imageConfigOf` makes of next.config's `images`) and `nextSite`
// (`{ basePath, trailingSlash }`).

// next.config's `images` when it says nothing.
var IMAGE_DEFAULTS = {
  deviceSizes: [640, 750, 828, 1080, 1200, 1920, 2048, 3840],
  imageSizes: [32, 48, 64, 96, 128, 256, 384],
  qualities: [75],
  dangerouslyAllowSVG: false,
  unoptimized: false,
};

function imageConfigOf(c) {
  var deviceSizes = c.deviceSizes.slice().sort(byNumber);
  return {
    deviceSizes: deviceSizes,
    imageSizes: c.imageSizes.slice(),
    allSizes: deviceSizes.concat(c.imageSizes).sort(byNumber),
    qualities: c.qualities ? c.qualities.slice().sort(byNumber) : undefined,
    dangerouslyAllowSVG: c.dangerouslyAllowSVG,
    unoptimized: c.unoptimized,
  };
}

function byNumber(a, b) {
  return a - b;
}

// Under next.config's base path, and with its trailing slash, as Next writes it.
function imagePath() {
  return nextSite.basePath + "/_next/image" + (nextSite.trailingSlash ? "/" : "");
}

function imageInt(x) {
  if (typeof x === "undefined") return x;
  if (typeof x === "number") return isFinite(x) ? x : NaN;
  if (typeof x === "string" && /^[0-9]+$/.test(x)) return parseInt(x, 10);
  return NaN;
}

function closestQuality(quality) {
  var q = quality || 75;
  var qualities = imageConfig.qualities;
  if (!qualities || !qualities.length) return q;
  return qualities.reduce(function (prev, cur) {
    return Math.abs(cur - q) < Math.abs(prev - q) ? cur : prev;
  }, qualities[0]);
}

function defaultImageLoader(o) {
  return imagePath() + "?url=" + encodeURIComponent(o.src) + "&w=" + o.width + "&q=" + closestQuality(o.quality);
}

// The widths of the srcSet: `w` descriptors for a `sizes` image (those at least as wide as the
// smallest viewport share it names), `x` descriptors (1x, 2x) for a fixed width.
function imageWidths(width, sizes) {
  var c = imageConfig;
  if (sizes) {
    var re = /(^|\s)(1?\d?\d)vw/g;
    var percents = [];
    for (var m; (m = re.exec(sizes)); ) percents.push(parseInt(m[2], 10));
    if (percents.length) {
      var ratio = Math.min.apply(null, percents) * 0.01;
      return { widths: c.allSizes.filter(function (s) { return s >= c.deviceSizes[0] * ratio; }), kind: "w" };
    }
    return { widths: c.allSizes, kind: "w" };
  }
  if (typeof width !== "number") return { widths: c.deviceSizes, kind: "w" };
  var seen = [];
  [width, width * 2].forEach(function (w) {
    var p = c.allSizes.find(function (s) { return s >= w; });
    if (p === undefined) p = c.allSizes[c.allSizes.length - 1];
    if (seen.indexOf(p) < 0) seen.push(p);
  });
  return { widths: seen, kind: "x" };
}

function imageAttrs(src, unoptimized, width, quality, sizes, loader) {
  if (unoptimized) return { src: src, srcSet: undefined, sizes: undefined };
  var ws = imageWidths(width, sizes);
  var last = ws.widths.length - 1;
  return {
    sizes: !sizes && ws.kind === "w" ? "100vw" : sizes,
    srcSet: ws.widths.map(function (w, i) {
      return loader({ src: src, quality: quality, width: w }) + " " + (ws.kind === "w" ? w : i + 1) + ws.kind;
    }).join(", "),
    src: loader({ src: src, quality: quality, width: ws.widths[last] }),
  };
}

function blurSvg(o) {
  var std = 20;
  var svgWidth = o.blurWidth ? o.blurWidth * 40 : o.widthInt;
  var svgHeight = o.blurHeight ? o.blurHeight * 40 : o.heightInt;
  var viewBox = svgWidth && svgHeight ? "viewBox='0 0 " + svgWidth + " " + svgHeight + "'" : "";
  var preserve = viewBox ? "none" : o.objectFit === "contain" ? "xMidYMid" : o.objectFit === "cover" ? "xMidYMid slice" : "none";
  return "%3Csvg xmlns='http://www.w3.org/2000/svg' " + viewBox +
    "%3E%3Cfilter id='b' color-interpolation-filters='sRGB'%3E%3CfeGaussianBlur stdDeviation='" + std +
    "'/%3E%3CfeColorMatrix values='1 0 0 0 0 0 1 0 0 0 0 0 1 0 0 0 0 0 100 -1' result='s'/%3E%3CfeFlood x='0' y='0' width='100%25' height='100%25'/%3E%3CfeComposite operator='out' in='s'/%3E%3CfeComposite in2='SourceGraphic'/%3E%3CfeGaussianBlur stdDeviation='" + std +
    "'/%3E%3C/filter%3E%3Cimage width='100%25' height='100%25' x='0' y='0' preserveAspectRatio='" + preserve +
    "' style='filter: url(%23b);' href='" + o.blurDataURL + "'/%3E%3C/svg%3E";
}

var IMAGE_OWN_PROPS = {
  src: true, sizes: true, unoptimized: true, priority: true, preload: true, loading: true, className: true,
  quality: true, width: true, height: true, fill: true, style: true, overrideSrc: true, onLoad: true,
  onLoadingComplete: true, placeholder: true, blurDataURL: true, fetchPriority: true, decoding: true,
  layout: true, objectFit: true, objectPosition: true, lazyBoundary: true, lazyRoot: true, loader: true,
  srcSet: true,
};

// Next's `getImgProps`: the `<img>` props for `<Image>`'s props, and what else it needs.
// `state` is the browser's after load or error (`blurComplete`: the placeholder goes;
// `showAltText`: the alt text shows); the server renders before either.
function imgProps(p, state) {
  var blurComplete = state !== undefined && state.blurComplete === true;
  var showAltText = state !== undefined && state.showAltText === true;
  var rest = {};
  for (var key in p) {
    if (Object.prototype.hasOwnProperty.call(p, key) && !IMAGE_OWN_PROPS[key]) rest[key] = p[key];
  }
  var loader = defaultImageLoader;
  if (typeof p.loader === "function") {
    var custom = p.loader;
    loader = function (o) { return custom({ src: o.src, width: o.width, quality: o.quality }); };
  }
  var src = p.src;
  var sizes = p.sizes;
  var fill = p.fill === true;
  var style = p.style;
  var unoptimized = p.unoptimized === true;
  var priority = p.priority === true;
  var preload = p.preload === true;
  var placeholder = p.placeholder === undefined ? "empty" : p.placeholder;
  var blurDataURL = p.blurDataURL;
  var decoding = p.decoding === undefined ? "async" : p.decoding;
  var objectFit = p.objectFit;
  var objectPosition = p.objectPosition;
  if (p.layout) {
    if (p.layout === "fill") fill = true;
    var layoutStyle = { intrinsic: { maxWidth: "100%", height: "auto" }, responsive: { width: "100%", height: "auto" } }[p.layout];
    if (layoutStyle) style = Object.assign({}, style, layoutStyle);
    var layoutSizes = { responsive: "100vw", fill: "100vw" }[p.layout];
    if (layoutSizes && !sizes) sizes = layoutSizes;
  }
  var widthInt = imageInt(p.width);
  var heightInt = imageInt(p.height);
  var blurWidth, blurHeight;
  var staticSrc = "";
  if (src && typeof src === "object" && (src.default !== undefined || src.src !== undefined)) {
    var data = src.default !== undefined ? src.default : src;
    if (!data.src) {
      throw new Error("An object should only be passed to the image component src parameter if it comes from a static image import. It must include src. Received " + JSON.stringify(data));
    }
    if (!data.height || !data.width) {
      throw new Error("An object should only be passed to the image component src parameter if it comes from a static image import. It must include height and width. Received " + JSON.stringify(data));
    }
    blurWidth = data.blurWidth;
    blurHeight = data.blurHeight;
    blurDataURL = blurDataURL || data.blurDataURL;
    staticSrc = data.src;
    if (!fill) {
      if (!widthInt && !heightInt) {
        widthInt = data.width;
        heightInt = data.height;
      } else if (widthInt && !heightInt) {
        heightInt = Math.round(data.height * (widthInt / data.width));
      } else if (!widthInt && heightInt) {
        widthInt = Math.round(data.width * (heightInt / data.height));
      }
    }
  }
  src = typeof src === "string" ? src : staticSrc;
  var isLazy = !priority && !preload && (p.loading === "lazy" || typeof p.loading === "undefined");
  if (!src || src.indexOf("data:") === 0 || src.indexOf("blob:") === 0) {
    unoptimized = true;
    isLazy = false;
  }
  if (imageConfig.unoptimized) unoptimized = true;
  if (loader === defaultImageLoader && !imageConfig.dangerouslyAllowSVG && src.split("?", 1)[0].slice(-4) === ".svg") {
    unoptimized = true;
  }
  var qualityInt = imageInt(p.quality);
  var imgStyle = Object.assign(
    fill ? { position: "absolute", height: "100%", width: "100%", left: 0, top: 0, right: 0, bottom: 0, objectFit: objectFit, objectPosition: objectPosition } : {},
    showAltText ? {} : { color: "transparent" },
    style
  );
  var backgroundImage = !blurComplete && placeholder !== "empty"
    ? placeholder === "blur"
      ? 'url("data:image/svg+xml;charset=utf-8,' + blurSvg({ widthInt: widthInt, heightInt: heightInt, blurWidth: blurWidth, blurHeight: blurHeight, blurDataURL: blurDataURL || "", objectFit: imgStyle.objectFit }) + '")'
      : 'url("' + placeholder + '")'
    : null;
  var fit = imgStyle.objectFit;
  var backgroundSize = ["-moz-initial", "fill", "none", "scale-down", undefined].indexOf(fit) < 0 ? fit : fit === "fill" ? "100% 100%" : "cover";
  var placeholderStyle = backgroundImage
    ? { backgroundSize: backgroundSize, backgroundPosition: imgStyle.objectPosition || "50% 50%", backgroundRepeat: "no-repeat", backgroundImage: backgroundImage }
    : {};
  var attrs = imageAttrs(src, unoptimized, widthInt, qualityInt, sizes, loader);
  var props = Object.assign({}, rest, {
    loading: isLazy ? "lazy" : p.loading,
    fetchPriority: p.fetchPriority,
    width: widthInt,
    height: heightInt,
    decoding: decoding,
    className: p.className,
    style: Object.assign({}, imgStyle, placeholderStyle),
    sizes: attrs.sizes,
    srcSet: attrs.srcSet,
    src: p.overrideSrc || attrs.src,
  });
  return { props: props, meta: { unoptimized: unoptimized, preload: preload || priority, placeholder: placeholder, fill: fill } };
}

// Props `<Image>`'s inner element takes for itself (the rest reach the `<img>` first).
var IMG_ELEMENT_OWN = {
  src: true, srcSet: true, sizes: true, height: true, width: true, decoding: true, className: true, style: true,
  fetchPriority: true, placeholder: true, loading: true, unoptimized: true, fill: true, onLoad: true, onError: true,
};

// The `<img>` element's props for `imgProps`'s result, in the order Next's `ImageElement`
// writes them (the rest first, then its own).
function imgElementProps(result) {
  var a = result.props;
  var img = {};
  for (var key in a) {
    if (Object.prototype.hasOwnProperty.call(a, key) && !IMG_ELEMENT_OWN[key]) img[key] = a[key];
  }
  img.fetchPriority = a.fetchPriority;
  img.loading = a.loading;
  img.width = a.width;
  img.height = a.height;
  img.decoding = a.decoding;
  img["data-nimg"] = result.meta.fill ? "fill" : "1";
  img.className = a.className;
  img.style = a.style;
  img.sizes = a.sizes;
  img.srcSet = a.srcSet;
  img.src = a.src;
  return img;
}

// `getImageProps`: the props for a `<picture>`'s `<img>`, without those left undefined.
function imageProps(p) {
  var props = imgProps(p).props;
  for (var key in props) {
    if (props[key] === undefined) delete props[key];
  }
  return { props: props };
}
