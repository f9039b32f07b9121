import type { MetadataRoute } from "next";

export default async function sitemap(): Promise<MetadataRoute.Sitemap> {
  return [
    { url: "https://example.com", lastModified: "2026-01-02", changeFrequency: "yearly", priority: 1 },
    { url: "https://example.com/about", lastModified: new Date("2026-03-04T05:06:07Z"), changeFrequency: "monthly", priority: 0.8 },
    {
      url: "https://example.com/blog/hello",
      alternates: { languages: { de: "https://example.com/de/blog/hello" } },
      images: ["https://example.com/hello.png"],
    },
  ];
}
