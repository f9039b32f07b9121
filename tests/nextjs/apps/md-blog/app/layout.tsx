import Link from "next/link";

export const metadata = {
  title: { default: "Markdown Blog", template: "%s · Markdown Blog" },
  description: "Posts read from markdown files with fs",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header>
          <Link href="/">Markdown Blog</Link> <Link href="/archive">Archive</Link>
        </header>
        {children}
      </body>
    </html>
  );
}
