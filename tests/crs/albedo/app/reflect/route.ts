// albedo's /reflect (github.com/coreruleset/albedo), which CRS's response tests post
// to: a JSON spec {status, headers, body, encodedBody} answered as written.
export async function POST(request: Request) {
  let spec: any;
  try {
    spec = JSON.parse(await request.text());
  } catch {
    return new Response("Invalid JSON in request body", { status: 400 });
  }
  const status = Number(spec?.status ?? 0);
  if ((status > 0 && status < 100) || status >= 600) {
    return new Response(`Invalid status code: ${status}`, { status: 400 });
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(spec?.headers ?? {})) {
    try {
      headers.append(name, String(value));
    } catch {
      // albedo drops a header that is not valid HTTP.
    }
  }
  let body: string | Uint8Array | null = spec?.body ? String(spec.body) : null;
  if (body === null && spec?.encodedBody) {
    body = Uint8Array.from(atob(String(spec.encodedBody)), (c) => c.charCodeAt(0));
  }
  // Go's server, albedo's, names a text body's type when the spec does not.
  if (body !== null && !headers.has("content-type")) {
    headers.set("content-type", "text/plain; charset=utf-8");
  }
  return new Response(body, { status: status || 200, headers });
}
