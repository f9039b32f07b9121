// `next/dynamic` in the browser. The server (render/js/next.js) renders a dynamic component
// as its module's component, inside a Suspense boundary when it has a `loading` component;
// with `ssr: false` it writes a boundary React renders in the browser (`<!--$!-->`) around
// the loading component. Here the component is `React.lazy` over the same `import()` (its
// module is in the chunk of the client module that imports it), in the same boundary, so
// hydration finds what the server wrote and renders the rest once the module is in.

import { createElement, lazy, Suspense } from "react";

export default function dynamic(loader, options) {
  let opts = options !== null && typeof options === "object" ? options : {};
  if (loader !== null && typeof loader === "object" && typeof loader.loader === "function") {
    opts = loader;
    loader = loader.loader;
  }
  if (typeof loader !== "function") {
    throw new TypeError("next/dynamic: the first argument must be a function returning import(...)");
  }
  const Loading = typeof opts.loading === "function" ? opts.loading : null;
  const Lazy = lazy(() =>
    Promise.resolve(loader()).then((m) => ({
      default: m !== null && (typeof m === "object" || typeof m === "function") && "default" in m ? m.default : m,
    }))
  );
  if (opts.ssr !== false && Loading === null) return Lazy;
  const fallback = () => (Loading === null ? null : createElement(Loading, { isLoading: true, pastDelay: true, error: null }));
  return function Dynamic(props) {
    return createElement(Suspense, { fallback: fallback() }, createElement(Lazy, props));
  };
}
