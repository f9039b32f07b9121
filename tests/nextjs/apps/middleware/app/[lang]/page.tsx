import { headers } from "next/headers";

const GREETING: Record<string, string> = { en: "Welcome", de: "Willkommen" };

export default async function Home({ params }: { params: Promise<{ lang: string }> }) {
  const { lang } = await params;
  const h = await headers();
  return (
    <main>
      <h1>{GREETING[lang] ?? "?"}</h1>
      <p>Middleware said the locale is {h.get("x-locale") ?? "unknown"}.</p>
    </main>
  );
}
