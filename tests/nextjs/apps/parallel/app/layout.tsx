import Link from "next/link";

export const metadata = { title: { default: "Parallel", template: "%s | Parallel" } };

export default function RootLayout({ children, modal }: { children: React.ReactNode; modal: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <nav>
          <Link href="/dashboard">Dashboard</Link> <Link href="/photos">Photos</Link>
        </nav>
        {children}
        {modal}
      </body>
    </html>
  );
}
