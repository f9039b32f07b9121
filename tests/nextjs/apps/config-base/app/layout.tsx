import Link from "next/link";
import ClientNav from "./components/client-nav";

export const metadata = { title: "Shop" };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <nav>
          <Link href="/">Home</Link> <Link href="/about">About</Link> <Link href="/about?tab=team#top">Team</Link>{" "}
          <Link href="/files/price-list.txt">Prices</Link> <Link href="https://example.com/x">Out</Link>
        </nav>
        <ClientNav />
        {children}
      </body>
    </html>
  );
}
