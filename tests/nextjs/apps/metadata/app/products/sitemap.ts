import type { MetadataRoute } from "next";

// One sitemap per range of products: /products/sitemap/<id>.xml.
export async function generateSitemaps() {
  return [{ id: 0 }, { id: 1 }, { id: "extra" }];
}

export default async function sitemap(props: { id: Promise<string> }): Promise<MetadataRoute.Sitemap> {
  const id = await props.id;
  const start = id === "extra" ? 100 : Number(id) * 2;
  return [start, start + 1].map((n) => ({
    url: `https://example.com/products/${n}`,
    lastModified: "2026-05-06",
    changeFrequency: "weekly" as const,
  }));
}
