// `next/link` in the browser: an <a> that navigates on the client (bext/client) and prefetches
// its page when it comes into view or is hovered. On the server (render/js/next.js) <Link>
// renders the same <a> (both sides put the href under the base path with the config's
// trailing slash rule), and leaves a client boundary so this component hydrates it.

import { createElement, useEffect, useRef } from "react";
import { navigate, prefetch, sitePath } from "bext/client";

function formatHref(href) {
  if (href === null || typeof href !== "object") return String(href);
  let out = typeof href.pathname === "string" ? href.pathname : "";
  let search = typeof href.search === "string" ? href.search : "";
  if (href.query !== null && typeof href.query === "object") {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(href.query)) {
      for (const v of Array.isArray(value) ? value : [value]) {
        params.append(key, typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : "");
      }
    }
    const text = params.toString();
    if (text !== "") search = "?" + text;
  } else if (search !== "" && !search.startsWith("?")) {
    search = "?" + search;
  }
  const hash = typeof href.hash === "string" && href.hash !== "" ? (href.hash.startsWith("#") ? href.hash : "#" + href.hash) : "";
  return out + search + hash;
}

function plainClick(event, target) {
  return (
    event.button === 0 &&
    !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey &&
    (target == null || target === "" || target === "_self")
  );
}

export default function Link(props) {
  const {
    href, as, replace, scroll, prefetch: wantPrefetch, shallow, passHref, locale,
    legacyBehavior, onNavigate, unstable_dynamicOnHover, onClick, onMouseEnter, onTouchStart,
    ...anchor
  } = props;
  const url = sitePath(formatHref(as ?? href));
  const ref = useRef(null);
  useEffect(() => {
    const el = ref.current;
    if (wantPrefetch === false || el === null || typeof IntersectionObserver !== "function") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        prefetch(url);
        observer.disconnect();
      }
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [url, wantPrefetch]);
  return createElement("a", {
    ...anchor,
    href: url,
    ref,
    onClick(event) {
      if (typeof onClick === "function") onClick(event);
      if (event.defaultPrevented || !plainClick(event, anchor.target) || anchor.download !== undefined) return;
      const target = new URL(url, location.href);
      if (target.origin !== location.origin) return;
      let prevented = false;
      if (typeof onNavigate === "function") onNavigate({ preventDefault: () => (prevented = true) });
      event.preventDefault();
      if (!prevented) navigate(target.href, { history: replace ? "replace" : "push", scroll });
    },
    onMouseEnter(event) {
      if (typeof onMouseEnter === "function") onMouseEnter(event);
      if (wantPrefetch !== false) prefetch(url);
    },
    onTouchStart(event) {
      if (typeof onTouchStart === "function") onTouchStart(event);
      if (wantPrefetch !== false) prefetch(url);
    },
  });
}
