// albedo answers any other request 200 with no body.
function empty() {
  return new Response(null, { status: 200 });
}
export const GET = empty;
export const HEAD = empty;
export const POST = empty;
export const PUT = empty;
export const PATCH = empty;
export const DELETE = empty;
export const OPTIONS = empty;
