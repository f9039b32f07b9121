import Link from "next/link";

export const metadata = { title: { default: "Middleware", template: "%s | Middleware" } };

export default async function RootLayout({
  children,
  params,
}: {
  children: React.ReactNode;
  params: Promise<{ lang: string }>;
}) {
  const { lang } = await params;
  return (
    <html lang={lang}>
      <body>
        <nav>
          <Link href={`/${lang}`}>Home</Link> <Link href={`/${lang}/about`}>About</Link>
        </nav>
        {children}
      </body>
    </html>
  );
}
