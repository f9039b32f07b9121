// `next/navigation` in the browser: the hooks read the router's state (bext/client), which
// hydration starts from the page's own URL and params, and each client navigation updates.

import { useMemo, useSyncExternalStore } from "react";
import { router, snapshot, subscribe } from "bext/client";

const read = () => snapshot();

function useRouterState() {
  return useSyncExternalStore(subscribe, read, read);
}

export function useRouter() {
  return router;
}

export function usePathname() {
  return useRouterState().pathname;
}

export class ReadonlyURLSearchParams extends URLSearchParams {
  append() { throw readonly(); }
  delete() { throw readonly(); }
  set() { throw readonly(); }
  sort() { throw readonly(); }
}
function readonly() {
  return new Error("Method unavailable on `ReadonlyURLSearchParams`. Read more: https://nextjs.org/docs/app/api-reference/functions/use-search-params#updating-searchparams");
}

export function useSearchParams() {
  const search = useRouterState().search;
  return useMemo(() => new ReadonlyURLSearchParams(search), [search]);
}

export function useParams() {
  return useRouterState().params;
}

export function useSelectedLayoutSegment() {
  const segments = usePathname().split("/").filter(Boolean);
  return segments[0] ?? null;
}

export function useSelectedLayoutSegments() {
  return usePathname().split("/").filter(Boolean);
}

export function redirect(url) {
  router.replace(url);
  throw new Error("NEXT_REDIRECT");
}

export function permanentRedirect(url) {
  return redirect(url);
}

export function notFound() {
  throw new Error("NEXT_NOT_FOUND");
}

export const RedirectType = { push: "push", replace: "replace" };
