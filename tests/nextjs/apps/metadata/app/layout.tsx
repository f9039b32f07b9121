import type { Metadata, Viewport } from "next";

export const metadata: Metadata = {
  // Image URLs are absolute against it (without one, Next uses http://localhost:$PORT).
  metadataBase: new URL("https://meta.example.com/site"),
  title: { default: "Metadata", template: "%s | Metadata" },
  description: "Metadata files and routes",
};

export const viewport: Viewport = { themeColor: "#cc2222", width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
