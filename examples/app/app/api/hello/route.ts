export function GET(request: Request): Response {
  const url = new URL(request.url);
  const name = url.searchParams.get("name") ?? "world";
  return Response.json({ hello: name, from: "bext example app" });
}
