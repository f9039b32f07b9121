import type { ReactNode } from "react";
import "./globals.css";
import { Nav } from "@/components/nav";
import { Footer } from "@/components/footer";

// The root layout: every page renders inside it. Page metadata (title, description, Open
// Graph) is added to <head> by the server, after the tags written here.
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
      </head>
      <body>
        <Nav />
        <div className="container">{children}</div>
        <Footer />
      </body>
    </html>
  );
}
