import { notFound } from "next/navigation";

export default async function Doc({ params }: { params: Promise<{ slug: string[] }> }) {
  const { slug } = await params;
  if (slug[0] === "missing") notFound();
  return <h1>Doc {slug.join("/")}</h1>;
}
