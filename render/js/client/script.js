// `next/script` in the browser: the same <script> the server writes (render/js/next.js), so
// hydration matches; `onLoad`/`onReady`/`onError` are called for scripts with a `src` once
// it has loaded (or failed), as Next's runtime calls them.

import { createElement, useEffect, useRef } from "react";

const SCRIPT_ONLY_PROPS = new Set(["strategy", "onLoad", "onReady", "onError", "stylesheets", "children"]);

export default function Script(props) {
  const strategy = props.strategy || "afterInteractive";
  const ref = useRef(null);
  useEffect(() => {
    const el = ref.current;
    if (el === null || !props.src) return;
    const loaded = (event) => {
      props.onLoad?.(event);
      props.onReady?.();
    };
    const failed = (event) => props.onError?.(event);
    el.addEventListener("load", loaded);
    el.addEventListener("error", failed);
    return () => {
      el.removeEventListener("load", loaded);
      el.removeEventListener("error", failed);
    };
  }, [props.src]);
  if (strategy === "worker") return null;
  const attrs = { ref };
  for (const key of Object.keys(props)) if (!SCRIPT_ONLY_PROPS.has(key)) attrs[key] = props[key];
  if (typeof props.children === "string") attrs.dangerouslySetInnerHTML = { __html: props.children };
  if (attrs.src !== undefined && strategy !== "beforeInteractive") {
    attrs.async = true;
    if (strategy === "lazyOnload") attrs.defer = true;
  }
  return createElement("script", attrs);
}
