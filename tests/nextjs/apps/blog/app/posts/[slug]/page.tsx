import { notFound } from "next/navigation";
import { findPost } from "../../../lib/posts";

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props) {
  const post = findPost((await params).slug);
  return { title: post ? post.title : "Missing" };
}

export default async function PostPage({ params }: Props) {
  const post = findPost((await params).slug);
  if (!post) notFound();
  return (
    <article>
      <h1>{post.title}</h1>
      {post.body.map((paragraph, i) => (
        <p key={i}>{paragraph}</p>
      ))}
      <p>
        Tagged {post.tags.join(", ")}; {post.body.length} paragraph{post.body.length === 1 ? "" : "s"}.
      </p>
    </article>
  );
}
