import Link from "next/link";
import { allPosts } from "../lib/posts";

export default function Home() {
  const posts = allPosts().filter((post) => !post.draft);
  return (
    <main>
      <h1>Latest posts</h1>
      <ul>
        {posts.map((post) => (
          <li key={post.slug}>
            <Link href={`/posts/${post.slug}`}>{post.title}</Link> <time dateTime={post.date}>{post.date}</time>
            {post.tags.length > 0 ? <span> [{post.tags.join(", ")}]</span> : null}
          </li>
        ))}
      </ul>
      <p>{posts.length} published posts.</p>
    </main>
  );
}
