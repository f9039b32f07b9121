import Link from "next/link";
import { Notes } from "./components/notes";
import { Where } from "./components/where";

export const metadata = { title: "Client components" };
// Rendered for each request, so useSearchParams() has the query on the server too (a static
// page would need a Suspense boundary around it, and show its fallback until hydration).
export const dynamic = "force-dynamic";

// The layout's client components (a text box, the current path) stay mounted across client
// navigations: what is typed in the box survives going to another page.
export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <nav>
          <Link href="/">Home</Link> <Link href="/about" className="about">About <b>us</b></Link>{" "}
          <Link href="/items/7?x=1">Item 7</Link> <Link href="/search">Search</Link>
        </nav>
        <Notes />
        <Where />
        <main>{children}</main>
      </body>
    </html>
  );
}
