export const metadata = { title: "Landing" };

export default async function Landing({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  const { lang } = await searchParams;
  return (
    <main>
      <h1>Landing</h1>
      <p>Language: {lang ?? "default"}</p>
    </main>
  );
}
