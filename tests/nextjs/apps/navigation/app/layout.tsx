import Link from "next/link";

export const metadata = { title: { default: "Navigation", template: "%s | Navigation" } };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <nav>
          <Link href="/">Home</Link> <Link href="/about" className="nav">About</Link>
        </nav>
        {children}
      </body>
    </html>
  );
}
