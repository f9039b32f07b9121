export const dynamicParams = false;

export function generateStaticParams() {
  return [{ slug: ["start"] }, { slug: ["deploy", "edge"] }];
}

export default async function Guide({ params }: { params: Promise<{ slug: string[] }> }) {
  const { slug } = await params;
  return <h1>Guide {slug.join(" / ")}</h1>;
}
