import Link from "next/link";
import { posts } from "../lib/posts";

export default function Home() {
  return (
    <main>
      <h1>All posts</h1>
      <ul>
        {posts.map((post) => (
          <li key={post.slug}>
            <Link href={`/posts/${post.slug}`}>{post.title}</Link> <time dateTime={post.date}>{post.date}</time>
            {post.tags.length > 1 ? <span> ({post.tags.length} tags)</span> : null}
          </li>
        ))}
      </ul>
    </main>
  );
}
