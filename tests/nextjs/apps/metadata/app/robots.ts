import type { MetadataRoute } from "next";

export default function robots(): MetadataRoute.Robots {
  return {
    rules: [
      { userAgent: "*", allow: "/", disallow: ["/private/", "/admin"] },
      { userAgent: "Googlebot", crawlDelay: 2 },
    ],
    sitemap: "https://example.com/sitemap.xml",
    host: "https://example.com",
  };
}
