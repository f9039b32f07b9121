export async function GET(request: Request) {
  const url = new URL(request.url);
  return Response.json({ path: url.pathname, query: url.search });
}
