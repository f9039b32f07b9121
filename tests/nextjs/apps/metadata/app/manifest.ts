import type { MetadataRoute } from "next";

export default function manifest(): MetadataRoute.Manifest {
  return {
    name: "Metadata app",
    short_name: "Meta",
    start_url: "/",
    display: "standalone",
    background_color: "#ffffff",
    theme_color: "#cc2222",
    icons: [{ src: "/icon.png", sizes: "32x32", type: "image/png" }],
  };
}
