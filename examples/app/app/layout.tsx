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
      <body className="bg-white text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <Nav />
        <div className="mx-auto max-w-6xl px-6 pb-16">{children}</div>
        <Footer />
      </body>
    </html>
  );
}
