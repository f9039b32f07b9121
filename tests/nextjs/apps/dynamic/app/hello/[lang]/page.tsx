import { notFound } from "next/navigation";

// A dynamic import of a template over folders: every matching file is bundled.
async function messagesFor(lang: string) {
  try {
    return (await import(`../../../messages/${lang}.json`)).default;
  } catch {
    return null;
  }
}

export default async function Hello({ params }: { params: Promise<{ lang: string }> }) {
  const { lang } = await params;
  const messages = await messagesFor(lang.replace("-", "/"));
  if (messages === null) notFound();
  const tip = await import(`../../../content/tips/${lang === "en" ? "first" : "second"}`);
  return (
    <main>
      <h1>{messages.greeting}</h1>
      <p>Language: {messages.name}</p>
      <p>
        {tip.title}: {tip.default()}
      </p>
    </main>
  );
}
