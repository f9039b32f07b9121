import { NextResponse, type NextRequest } from "next/server";

const LOCALES = ["en", "de"];

function preferred(request: NextRequest): string {
  const saved = request.cookies.get("NEXT_LOCALE")?.value;
  if (saved && LOCALES.includes(saved)) return saved;
  const accept = request.headers.get("accept-language") ?? "";
  for (const part of accept.split(",")) {
    const tag = part.split(";")[0].trim().slice(0, 2).toLowerCase();
    if (LOCALES.includes(tag)) return tag;
  }
  return "en";
}

export function middleware(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const locale = LOCALES.find((l) => pathname === `/${l}` || pathname.startsWith(`/${l}/`));
  if (!locale) {
    return NextResponse.redirect(new URL(`/${preferred(request)}${pathname === "/" ? "" : pathname}${search}`, request.url));
  }
  if (pathname.endsWith("/admin") && !request.cookies.has("auth")) {
    return new NextResponse("Unauthorized: sign in first", { status: 401, headers: { "content-type": "text/plain" } });
  }
  if (pathname.endsWith("/status")) {
    return NextResponse.json({ ok: true, locale });
  }
  const headers = new Headers(request.headers);
  headers.set("x-locale", locale);
  headers.set("x-path", pathname);
  if (pathname.endsWith("/legacy")) {
    // To a path the matcher leaves out, so middleware runs once however the rewrite is done.
    return NextResponse.rewrite(new URL("/api/ping?from=legacy", request.url), { request: { headers } });
  }
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("x-middleware-saw", pathname);
  if (request.nextUrl.searchParams.has("remember")) {
    response.cookies.set("NEXT_LOCALE", locale, { path: "/", maxAge: 3600 });
  }
  return response;
}

export const config = {
  matcher: ["/((?!api|_next/static|_next/image|favicon.ico).*)"],
};
