import { notFound } from "next/navigation";
import { blocks, findPost } from "../../../lib/posts";

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
      <p>
        <time dateTime={post.date}>{post.date}</time>
        {post.draft ? <strong> (draft)</strong> : null}
      </p>
      {blocks(post.body).map((block, i) => {
        switch (block.kind) {
          case "heading":
            return block.level <= 2 ? <h2 key={i}>{block.text}</h2> : <h3 key={i}>{block.text}</h3>;
          case "list":
            return (
              <ul key={i}>
                {block.items.map((item) => (
                  <li key={item}>{item}</li>
                ))}
              </ul>
            );
          case "code":
            return (
              <pre key={i}>
                <code>{block.text}</code>
              </pre>
            );
          default:
            return <p key={i}>{block.text}</p>;
        }
      })}
    </article>
  );
}
