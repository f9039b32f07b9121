export function GET(request: Request) {
  const url = new URL(request.url);
  return Response.json({
    pong: true,
    locale: request.headers.get("x-locale"),
    path: url.pathname,
    from: url.searchParams.get("from"),
  });
}
