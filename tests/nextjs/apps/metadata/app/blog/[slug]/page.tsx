export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  // Its own Open Graph replaces the root's, images and all (no file in this folder).
  return { title: `Post ${slug}`, openGraph: { title: `Post ${slug}`, type: "article" } };
}

export default async function Post({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return <h1>Post {slug}</h1>;
}
