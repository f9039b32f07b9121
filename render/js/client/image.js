// `next/image` in the browser, for client components: the `<img>` the server wrote (the props
// come from render/js/image_props.js, appended to this module by render/src/client/, the same
// text the server runs), then what Next's `ImageElement` does once the image loads or fails:
// the blur placeholder goes, `onLoad` and `onLoadingComplete` are called, and a broken image
// shows its alt text. next.config's `images`, base path and trailing slash come from the
// page's data (render/js/client.js writes them).

import { createElement, useCallback, useRef, useState } from "react";
import { preload } from "react-dom";
import { dataOf } from "bext/client/tree";

let imageConfig = null;
let nextSite = null;

function configure() {
  if (imageConfig !== null) return;
  const data = dataOf(document);
  nextSite = { basePath: data.b || "", trailingSlash: data.t === 1 };
  imageConfig = imageConfigOf(data.i || IMAGE_DEFAULTS);
}

// Next's `handleLoading`: once the image is decoded (and still in the document), drop the
// placeholder and tell the app, once per source.
function loaded(img, placeholder, onLoadRef, onLoadingCompleteRef, setBlurComplete) {
  const src = img.src;
  if (img["data-loaded-src"] === src) return;
  img["data-loaded-src"] = src;
  const decoded = "decode" in img ? img.decode() : Promise.resolve();
  decoded.catch(() => {}).then(() => {
    if (!img.parentElement || !img.isConnected) return;
    if (placeholder !== "empty") setBlurComplete(true);
    if (typeof onLoadRef.current === "function") {
      const event = new Event("load");
      Object.defineProperty(event, "target", { writable: false, value: img });
      onLoadRef.current({
        ...event,
        nativeEvent: event,
        currentTarget: img,
        target: img,
        isDefaultPrevented: () => event.defaultPrevented,
        isPropagationStopped: () => false,
        persist: () => {},
        preventDefault: () => event.preventDefault(),
        stopPropagation: () => {},
      });
    }
    if (typeof onLoadingCompleteRef.current === "function") onLoadingCompleteRef.current(img);
  });
}

export default function Image(props) {
  configure();
  const [blurComplete, setBlurComplete] = useState(false);
  const [showAltText, setShowAltText] = useState(false);
  const onLoadRef = useRef(props.onLoad);
  const onLoadingCompleteRef = useRef(props.onLoadingComplete);
  onLoadRef.current = props.onLoad;
  onLoadingCompleteRef.current = props.onLoadingComplete;
  const result = imgProps(props, { blurComplete, showAltText });
  const placeholder = result.meta.placeholder;
  const img = imgElementProps(result);
  const onError = props.onError;
  if (result.meta.preload) {
    preload(img.src, {
      as: "image",
      imageSrcSet: img.srcSet,
      imageSizes: img.sizes,
      crossOrigin: img.crossOrigin,
      referrerPolicy: img.referrerPolicy,
      fetchPriority: img.fetchPriority,
    });
  }
  // An image that finished (or failed) before hydration fires no event React sees.
  const ref = useCallback(
    (element) => {
      if (element === null) return;
      if (typeof onError === "function") element.src = element.src;
      if (element.complete) loaded(element, placeholder, onLoadRef, onLoadingCompleteRef, setBlurComplete);
    },
    [img.src, placeholder, onError],
  );
  return createElement("img", {
    ...img,
    ref,
    onLoad(event) {
      loaded(event.currentTarget, placeholder, onLoadRef, onLoadingCompleteRef, setBlurComplete);
    },
    onError(event) {
      setShowAltText(true);
      if (placeholder !== "empty") setBlurComplete(true);
      if (typeof onError === "function") onError(event);
    },
  });
}

export function getImageProps(props) {
  configure();
  return imageProps(props);
}

// render/js/image_props.js follows.
