import Link from "next/link";

export const metadata = {
  title: { default: "The Blog", template: "%s · The Blog" },
  description: "Posts about things",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header>
          <Link href="/">The Blog</Link>
        </header>
        {children}
        <footer>© 2026</footer>
      </body>
    </html>
  );
}
