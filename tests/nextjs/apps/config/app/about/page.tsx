export const metadata = { title: "About" };

export default async function About({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  const { from } = await searchParams;
  return (
    <main>
      <h1>About</h1>
      <p>Came from: {from ?? "nowhere"}</p>
    </main>
  );
}
