import { posts } from "../../../lib/posts";

export function GET() {
  return Response.json({ count: posts.length, slugs: posts.map((post) => post.slug) });
}
