export type Post = { slug: string; title: string; date: string; body: string[]; tags: string[] };

export const posts: Post[] = [
  {
    slug: "hello-world",
    title: "Hello, world",
    date: "2026-01-15",
    body: ["The first post.", "It says hello & goodbye."],
    tags: ["intro", "news"],
  },
  {
    slug: "second",
    title: "A second <post>",
    date: "2026-02-01",
    body: ["More words, with \"quotes\" and 'apostrophes'."],
    tags: ["news"],
  },
];

export function findPost(slug: string): Post | undefined {
  return posts.find((post) => post.slug === slug);
}
