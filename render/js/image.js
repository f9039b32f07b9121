// `next/image`: the `<img>` Next.js renders on the server, attribute for attribute (its
// `srcSet` of `/_next/image` URLs, `sizes`, lazy loading, `data-nimg`, the blur placeholder's
// style), `getImageProps` for `<picture>`, and `priority` / `preload` as react-dom preloads.
// bext's server answers the `/_next/image` URLs itself (net/server's service/app/image.rs).
// Static image imports (`import logo from "./logo.png"`) are objects made by the linker
// (render/src/media/), whose `src` goes through `__bext_media` for the base path. The props
// themselves are computed by render/js/image_props.js, which the browser's `next/image`
// shares.

// next.config's `images` as `<Image>` sees it; `__bext_images` replaces the defaults.
var imageConfig = imageConfigOf(IMAGE_DEFAULTS);
// next.config's `images` as JSON when not the defaults, for client components' `<Image>` in
// the browser (render/js/client.js puts it in the page's data); "" for the defaults.
var imageConfigForBrowser = "";

function setImageConfig(c) {
  imageConfig = imageConfigOf(c);
  imageConfigForBrowser = JSON.stringify(c);
}

// A static import's `src`, under the app's base path.
function mediaUrl(url) {
  return nextSite.basePath + url;
}

function NextImage(p) {
  var react = globalThis.__prism.modules.react;
  var result = imgProps(p);
  var a = result.props;
  if (result.meta.preload) {
    globalThis.__prism.modules["react-dom"].preload(a.src, {
      as: "image",
      imageSrcSet: a.srcSet,
      imageSizes: a.sizes,
      crossOrigin: a.crossOrigin,
      referrerPolicy: a.referrerPolicy,
      fetchPriority: a.fetchPriority,
    });
  }
  return react.createElement("img", imgElementProps(result));
}

nextModules["next/image"] = { __esModule: true, default: NextImage, getImageProps: imageProps };
