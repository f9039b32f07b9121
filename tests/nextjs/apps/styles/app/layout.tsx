import "./globals.css";
import { Nav } from "./components/nav";

export const metadata = { title: "Styles" };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Nav />
        <main className="prose">{children}</main>
      </body>
    </html>
  );
}
